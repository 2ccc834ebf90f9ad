/**
 * Runs a workflow JSON in-process with n8n-core's real engine (WorkflowExecute.processRunExecutionData), the way
 * the 2.41.1 CLI runs a manual execution that already has its start data: expressions, default parameters,
 * pairedItem, continueOnFail / onError and alwaysOutputData are all handled by the engine.
 * Not emulated: pinned data, sub-workflows, other execution modes.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	createRunExecutionData,
	type ExecutionError,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IRun,
	type IRunData,
} from 'n8n-workflow';

import { CredentialStore } from './credential-store';
import { HarnessCredentialsHelper } from './credentials-helper';
import { HarnessNodeTypes, createAdditionalData, type NodeTypeClasses } from './n8n-environment';
import { HARNESS_START_TYPE, harnessNodeTypes } from './test-nodes';
import {
	attachStoreCredentials,
	jsonCopy,
	makeItemsAccessor,
	nextExecutionId,
	toWorkflowBase,
	type WorkflowJson,
} from './workflow-json';

export type { WorkflowJson } from './workflow-json';

export interface RunWorkflowOptions {
	/** Node classes keyed by full type name (`n8n-nodes-smartcar.smartcar`); the harness.* test nodes are added. */
	nodeTypes?: NodeTypeClasses;
	/** Credential classes keyed by credential type name (`smartcarApi`). */
	credentialTypes?: Record<string, ICredentialType>;
	credentials?: CredentialStore;
	/** Items fed to the start node (the `harness.start` node, else the first node without a main input). Default `[{ json: {} }]`. */
	triggerItems?: INodeExecutionData[];
	/** Workflow static data (`getWorkflowStaticData`); the result's `staticData` has the data after the run. */
	staticData?: IDataObject;
	/**
	 * Give nodes that declare a credential type the store holds, and have no reference to it, a reference to the
	 * store's credential (exported n8n workflows carry `credentials: { type: { id, name } }`). Default true.
	 */
	attachCredentials?: boolean;
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

/** Runs the workflow in manual mode and resolves when the execution has finished (successfully or with an error). */
export async function runWorkflow(workflowJson: WorkflowJson, options: RunWorkflowOptions = {}): Promise<RunWorkflowResult> {
	const classes: NodeTypeClasses = { ...harnessNodeTypes(), ...(options.nodeTypes ?? {}) };
	const store = options.credentials ?? new CredentialStore();
	const credentialsHelper = new HarnessCredentialsHelper(store, options.credentialTypes ?? {});
	const executionId = nextExecutionId();
	const workflow = loadWorkflow(workflowJson, new HarnessNodeTypes(classes), store, options);
	const start = workflow.getNode(findStartNode(workflowJson).name) as INode;
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: start, data: { main: [options.triggerItems ?? [{ json: {} }]] }, source: null }],
		},
	});
	const hooks = new ExecutionLifecycleHooks('manual', executionId, toWorkflowBase(workflowJson, workflow.id));
	let staticDataChanged = false;
	hooks.addHandler('workflowExecuteAfter', (_run, newStaticData) => {
		staticDataChanged = newStaticData !== undefined;
	});
	const additionalData = createAdditionalData({ credentialsHelper, executionId, workflowId: workflow.id });
	additionalData.hooks = hooks;
	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const stopTimer = options.cancelAfterMs === undefined ? undefined : setTimeout(() => execution.cancel(), options.cancelAfterMs);
	const run = await execution.finally(() => clearTimeout(stopTimer));
	const runData = run.data.resultData.runData;
	const result = { run, runData, error: run.data.resultData.error, items: makeItemsAccessor(runData) };
	return { ...result, staticData: jsonCopy(workflow.staticData), staticDataChanged, workflow };
}

/** The workflow as n8n loads it: a copy of the JSON, credential references attached, static data. */
function loadWorkflow(
	workflowJson: WorkflowJson,
	nodeTypes: HarnessNodeTypes,
	store: CredentialStore,
	options: RunWorkflowOptions,
): Workflow {
	const json: WorkflowJson = jsonCopy(workflowJson);
	if (options.attachCredentials !== false) json.nodes = attachStoreCredentials(json.nodes, nodeTypes, store);
	return new Workflow({
		id: json.id ?? 'harness-workflow',
		name: json.name ?? 'Test workflow',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		nodeTypes,
		staticData: jsonCopy(options.staticData ?? json.staticData ?? {}),
		settings: { executionOrder: 'v1', ...(json.settings ?? {}) },
	});
}

/** The `harness.start` node, else the first enabled node that no main connection leads to. */
function findStartNode(json: WorkflowJson): INode {
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
