/**
 * Runs a workflow JSON in-process with n8n-core's real engine (WorkflowExecute.processRunExecutionData), the way
 * the 2.41.1 CLI runs an execution that already has its start data (WorkflowRunner.runMainProcess with
 * `executionData`, e.g. a webhook or trigger execution): expressions, default parameters, pairedItem,
 * continueOnFail / onError, alwaysOutputData, pinData (manual mode) are all handled by the engine.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	createRunExecutionData,
	type ExecutionError,
	type ICredentialType,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IPinData,
	type IRun,
	type IRunData,
	type IWorkflowBase,
	type IWorkflowSettings,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { CredentialStore, HarnessCredentialsHelper } from './credentials-helper';
import { HarnessNodeTypes, createAdditionalData, type NodeTypeClasses } from './n8n-environment';
import { HARNESS_START_TYPE, harnessNodeTypes } from './test-nodes';

export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	pinData?: IPinData;
	settings?: IWorkflowSettings;
	staticData?: IDataObject;
}

export interface RunWorkflowOptions {
	/** Node classes keyed by full type name (`n8n-nodes-smartcar.smartcar`); the harness.* test nodes are added. */
	nodeTypes?: NodeTypeClasses;
	/** Credential classes keyed by credential type name (`smartcarApi`). */
	credentialTypes?: Record<string, ICredentialType>;
	credentials?: CredentialStore;
	/** Start node name. Default: the `harness.start` node, else the first node without a main input connection. */
	startNode?: string;
	/** Items fed to the start node. Default `[{ json: {} }]`. */
	triggerItems?: INodeExecutionData[];
	/** Default 'manual' (pinData only applies in manual mode, as in n8n). */
	mode?: WorkflowExecuteMode;
	/** Workflow static data (`getWorkflowStaticData`); the result's `staticData` has the data after the run. */
	staticData?: IDataObject;
	/**
	 * Give nodes that declare a credential type the store holds, and have no reference to it, a reference to the
	 * store's credential (exported n8n workflows carry `credentials: { type: { id, name } }`). Default true.
	 */
	attachCredentials?: boolean;
	executionId?: string;
	/** Instance base URL (WEBHOOK_URL). Default http://localhost:5678/ */
	baseUrl?: string;
	/** Stop the execution this long after it starts, as the editor's Stop button does (n8n's cancel signal). */
	cancelAfterMs?: number;
}

export interface RunWorkflowResult {
	run: IRun;
	runData: IRunData;
	/** The execution's error (a node error that stopped the workflow), if any. */
	error?: ExecutionError;
	/** Output items of a node: `items('Smartcar')`, `items('IF', 1)`, `items('Node', 0, 1)`. */
	items(nodeName: string, output?: number, runIndex?: number): INodeExecutionData[];
	/** Static data after the run (what n8n's workflowExecuteAfter hook would save when it changed). */
	staticData: IDataObject;
	staticDataChanged: boolean;
	workflow: Workflow;
}

let executionCounter = 0;

export function nextExecutionId(): string {
	executionCounter++;
	return String(executionCounter);
}

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
export function attachStoreCredentials(
	nodes: INode[],
	nodeTypes: HarnessNodeTypes,
	store: CredentialStore | undefined,
): INode[] {
	if (store === undefined) return nodes;
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

function findStartNode(json: WorkflowJson, startNode: string | undefined): INode {
	if (startNode !== undefined) {
		const node = json.nodes.find((n) => n.name === startNode);
		if (node === undefined) throw new Error(`Start node "${startNode}" is not in the workflow`);
		return node;
	}
	const harnessStart = json.nodes.find((n) => n.type === HARNESS_START_TYPE);
	if (harnessStart) return harnessStart;
	const destinations = new Set<string>();
	for (const outputs of Object.values(json.connections)) {
		for (const output of outputs.main ?? []) {
			for (const connection of output ?? []) destinations.add(connection.node);
		}
	}
	const root = json.nodes.find((n) => !destinations.has(n.name) && n.disabled !== true);
	if (root === undefined) throw new Error('The workflow has no start node');
	return root;
}

export function makeItemsAccessor(runData: IRunData) {
	return (nodeName: string, output = 0, runIndex = 0): INodeExecutionData[] => {
		const runs = runData[nodeName];
		if (runs === undefined) throw new Error(`Node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ')})`);
		const task = runs[runIndex];
		if (task === undefined) throw new Error(`Node "${nodeName}" has no run ${runIndex}`);
		return task.data?.main?.[output] ?? [];
	};
}

/** Runs the workflow and resolves when the execution has finished (successfully or with an error). */
export async function runWorkflow(workflowJson: WorkflowJson, options: RunWorkflowOptions = {}): Promise<RunWorkflowResult> {
	const classes: NodeTypeClasses = { ...harnessNodeTypes(), ...(options.nodeTypes ?? {}) };
	const nodeTypes = new HarnessNodeTypes(classes);
	const store = options.credentials ?? new CredentialStore();
	const credentialsHelper = new HarnessCredentialsHelper(store, options.credentialTypes ?? {}, classes);
	const mode = options.mode ?? 'manual';
	const executionId = options.executionId ?? nextExecutionId();
	const workflowId = workflowJson.id ?? 'harness-workflow';

	const json: WorkflowJson = jsonCopy(workflowJson);
	if (options.attachCredentials !== false) json.nodes = attachStoreCredentials(json.nodes, nodeTypes, store);
	const staticData = jsonCopy(options.staticData ?? json.staticData ?? {});
	const usePinData = mode === 'manual' || mode === 'evaluation';

	const workflow = new Workflow({
		id: workflowId,
		name: json.name ?? 'Test workflow',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		nodeTypes,
		staticData,
		settings: { executionOrder: 'v1', ...(json.settings ?? {}) },
		pinData: usePinData ? json.pinData : undefined,
	});

	const start = workflow.getNode(findStartNode(json, options.startNode).name);
	if (start === null) throw new Error('Start node not found');

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node: start, data: { main: [options.triggerItems ?? [{ json: {} }]] }, source: null },
			],
		},
		resultData: usePinData && json.pinData ? { pinData: json.pinData } : undefined,
	});

	const hooks = new ExecutionLifecycleHooks(mode, executionId, toWorkflowBase(json, workflowId));
	let newStaticData: IDataObject | undefined;
	hooks.addHandler('workflowExecuteAfter', (_run, changed) => {
		newStaticData = changed;
	});
	const additionalData = createAdditionalData({
		credentialsHelper,
		baseUrl: options.baseUrl,
		executionId,
		workflowId,
	});
	additionalData.hooks = hooks;

	const execution = new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	const stopTimer = options.cancelAfterMs === undefined ? undefined : setTimeout(() => execution.cancel(), options.cancelAfterMs);
	let run: IRun;
	try {
		run = await execution;
	} finally {
		clearTimeout(stopTimer);
	}
	const runData = run.data.resultData.runData;
	return {
		run,
		runData,
		error: run.data.resultData.error,
		items: makeItemsAccessor(runData),
		staticData: jsonCopy(workflow.staticData),
		staticDataChanged: newStaticData !== undefined,
		workflow,
	};
}
