/**
 * The one workflow a webhook host serves, as n8n keeps it: the workflow row (JSON and its staticData column,
 * NULL until something is saved), a fresh `Workflow` per delivery or execution loaded from that row
 * (live-webhooks.js, workflow-runner.js), and the webhook trigger node.
 */
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeType,
	type IWorkflowBase,
} from 'n8n-workflow';

import type { CredentialStore } from './credential-store';
import type { HarnessNodeTypes } from './n8n-environment';
import { attachStoreCredentials, jsonCopy, toWorkflowBase, type WorkflowJson } from './workflow-json';

export interface HostedWorkflowOptions {
	workflow: WorkflowJson;
	nodeTypes: HarnessNodeTypes;
	store: CredentialStore;
	/** See RunWorkflowOptions.attachCredentials. */
	attachCredentials: boolean;
	/** Initial stored static data (else the workflow JSON's, else NULL). */
	staticData?: IDataObject;
	/** The webhook node's name. Default: the first enabled node whose type has webhook(). */
	triggerNode?: string;
}

export class HostedWorkflow {
	readonly id: string;

	readonly base: IWorkflowBase;

	readonly triggerNode: INode;

	readonly triggerType: INodeType;

	private readonly json: WorkflowJson;

	private readonly nodeTypes: HarnessNodeTypes;

	/** The row's staticData column (null = NULL). */
	private stored: IDataObject | null;

	constructor(options: HostedWorkflowOptions) {
		this.nodeTypes = options.nodeTypes;
		this.json = jsonCopy(options.workflow);
		if (options.attachCredentials) this.json.nodes = attachStoreCredentials(this.json.nodes, this.nodeTypes, options.store);
		this.id = this.json.id ?? 'harness-webhook-workflow';
		this.base = { ...toWorkflowBase(this.json, this.id), active: true };
		this.stored = jsonCopy(options.staticData ?? this.json.staticData ?? null);
		this.triggerNode = findTriggerNode(this.json.nodes, this.nodeTypes, options.triggerNode);
		this.triggerType = this.nodeTypes.getByNameAndVersion(this.triggerNode.type, this.triggerNode.typeVersion);
		if (this.triggerNode.typeVersion !== 1 && this.triggerNode.typeVersion !== 2) {
			throw new Error(`The webhook host mirrors n8n's request handling for typeVersion 1 and 2 webhook nodes only`);
		}
	}

	/** What loading the workflow row gives: a fresh copy of the static data, or null. */
	loadStaticData(): IDataObject | null {
		return this.stored === null ? null : jsonCopy(this.stored);
	}

	/** `new Workflow(...)` over the row; with null static data the Workflow makes its own `{}`. */
	instantiate(staticData: IDataObject | null): Workflow {
		return new Workflow({
			id: this.id,
			name: this.base.name,
			nodes: jsonCopy(this.json.nodes),
			connections: this.json.connections,
			active: true,
			nodeTypes: this.nodeTypes,
			staticData: staticData ?? undefined,
			settings: { executionOrder: 'v1', ...(this.json.settings ?? {}) },
		});
	}

	/** workflow-static-data.service.js saveStaticData: saved only when the workflow flagged a change. */
	saveStaticData(workflow: Workflow): void {
		if (workflow.staticData.__dataChanged === true) {
			this.stored = jsonCopy(workflow.staticData);
			workflow.staticData.__dataChanged = false;
		}
	}

	/** execution-lifecycle-hooks.js hookFunctionsSave: the static data an execution changed replaces the row's. */
	storeStaticData(data: IDataObject): void {
		this.stored = jsonCopy(data);
	}
}

function findTriggerNode(nodes: INode[], nodeTypes: HarnessNodeTypes, name: string | undefined): INode {
	if (name !== undefined) {
		const node = nodes.find((n) => n.name === name);
		if (node === undefined) throw new Error(`Trigger node "${name}" is not in the workflow`);
		return node;
	}
	const node = nodes.find(
		(n) => n.disabled !== true && nodeTypes.getByNameAndVersion(n.type, n.typeVersion).webhook !== undefined,
	);
	if (node === undefined) throw new Error('The workflow has no webhook node');
	return node;
}
