/**
 * Workflow JSON as n8n stores it, and the small conversions both the workflow runner and the webhook host need:
 * deep copies (a workflow loaded from the DB), the IWorkflowBase the lifecycle hooks get, credential references
 * on nodes, execution ids and the per-node output accessor of a finished run.
 */
import type {
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	IPinData,
	IRunData,
	IWorkflowBase,
	IWorkflowSettings,
} from 'n8n-workflow';

import type { CredentialStore } from './credential-store';
import type { HarnessNodeTypes } from './n8n-environment';

export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	pinData?: IPinData;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
}

let executionCounter = 0;

/** A new execution id, unique in this process ("1", "2", …). */
export function nextExecutionId(): string {
	executionCounter++;
	return String(executionCounter);
}

/** The workflow entity the execution lifecycle hooks are given. */
export function toWorkflowBase(json: WorkflowJson, id: string): IWorkflowBase {
	return {
		id,
		name: json.name ?? 'Test workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: json.nodes,
		connections: json.connections,
		settings: json.settings,
		staticData: json.staticData,
		pinData: json.pinData,
	};
}

/** Deep copy through JSON, as a workflow loaded from the DB is. */
export function jsonCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

/** Adds `credentials: { [type]: store.details(type) }` to nodes whose type declares a credential the store has. */
export function attachStoreCredentials(nodes: INode[], nodeTypes: HarnessNodeTypes, store: CredentialStore): INode[] {
	return nodes.map((node) => {
		let description;
		try {
			description = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
		} catch {
			return node;
		}
		const credentials = { ...(node.credentials ?? {}) };
		let changed = false;
		for (const { name } of description.credentials ?? []) {
			const details = store.details(name);
			if (credentials[name] === undefined && details !== undefined) {
				credentials[name] = details;
				changed = true;
			}
		}
		return changed ? { ...node, credentials } : node;
	});
}

/** `items('Node')`, `items('IF', 1)`, `items('Node', 0, 1)`: a node's output items; throws if it did not run. */
export function makeItemsAccessor(runData: IRunData) {
	return (nodeName: string, output = 0, runIndex = 0): INodeExecutionData[] => {
		const runs = runData[nodeName];
		if (runs === undefined) throw new Error(`Node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ')})`);
		const task = runs[runIndex];
		if (task === undefined) throw new Error(`Node "${nodeName}" has no run ${runIndex}`);
		return task.data?.main?.[output] ?? [];
	};
}
