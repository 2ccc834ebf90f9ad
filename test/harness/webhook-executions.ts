/**
 * The executions webhook deliveries start (workflow-runner.js + execution-lifecycle-hooks.js): each runs through
 * n8n-core's WorkflowExecute from the trigger node over a fresh copy of the stored static data, saves its static
 * data at its end if it changed it (never in manual mode), and is kept for the spec once finished.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	type ExecutionError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IRun,
	type IRunData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HostedWorkflow } from './hosted-workflow';
import { makeItemsAccessor, nextExecutionId } from './workflow-json';

export interface WebhookExecution {
	executionId: string;
	mode: WorkflowExecuteMode;
	path: string;
	method: string;
	/** The workflowData the trigger returned (what the execution started with). */
	items: INodeExecutionData[][];
	run: IRun;
	runData: IRunData;
	error?: ExecutionError;
	/** Output items of a node in this execution. */
	output(nodeName: string, output?: number, runIndex?: number): INodeExecutionData[];
}

export interface ExecutionStart {
	mode: WorkflowExecuteMode;
	path: string;
	method: string;
	items: INodeExecutionData[][];
	/** Merged into the run data: a failed webhook() call's error. */
	runExecutionDataMerge: IDataObject;
	/** Whether the end of the execution may save static data (not for test-URL deliveries). */
	saveStaticData: boolean;
}

export class ExecutionTracker {
	/** Finished executions, in the order they finished. */
	readonly executions: WebhookExecution[] = [];

	private readonly running = new Set<Promise<void>>();

	private readonly waiters: Array<() => void> = [];

	/** An execution whose engine promise rejected (n8n-core resolves even failed runs, so this is a harness fault). */
	private crash: unknown;

	constructor(
		private readonly hosted: HostedWorkflow,
		private readonly additionalData: (executionId: string) => IWorkflowExecuteAdditionalData,
	) {}

	/** Starts an execution in the background. */
	start(start: ExecutionStart): void {
		// workflow-runner.js prepareNewExecution: getStaticDataById → a fresh copy of the stored data ({} if NULL).
		const workflow = this.hosted.instantiate(this.hosted.loadStaticData() ?? {});
		const startNode = workflow.getNode(this.hosted.triggerNode.name) as INode;
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: startNode, data: { main: start.items }, source: null }] },
		});
		Object.assign(runExecutionData, start.runExecutionDataMerge);
		const executionId = nextExecutionId();
		const hooks = new ExecutionLifecycleHooks(start.mode, executionId, this.hosted.base);
		hooks.addHandler('workflowExecuteAfter', (_run, newStaticData) => {
			if (start.saveStaticData && start.mode !== 'manual' && newStaticData) this.hosted.storeStaticData(newStaticData);
		});
		const additionalData = this.additionalData(executionId);
		additionalData.hooks = hooks;
		const done = new WorkflowExecute(additionalData, start.mode, runExecutionData)
			.processRunExecutionData(workflow)
			.then(
				(run) => this.finished(executionId, start, run),
				(error: unknown) => this.finished(executionId, start, undefined, error),
			);
		this.running.add(done);
		void done.finally(() => this.running.delete(done));
	}

	/** Resolves once `count` executions have finished (rejects after timeoutMs). */
	async waitFor(count: number, timeoutMs: number): Promise<WebhookExecution[]> {
		const deadline = Date.now() + timeoutMs;
		while (this.executions.length < count) {
			if (this.crash !== undefined) throw this.crash;
			const remaining = deadline - Date.now();
			if (remaining <= 0) {
				throw new Error(`Expected ${count} executions, got ${this.executions.length} within ${timeoutMs} ms`);
			}
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, remaining);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
		return this.executions.slice(0, count);
	}

	/** Resolves when no execution is running. */
	async idle(): Promise<void> {
		while (this.running.size > 0) await Promise.all([...this.running]);
	}

	private finished(executionId: string, start: ExecutionStart, run?: IRun, crash?: unknown): void {
		if (run === undefined) {
			this.crash ??= crash;
		} else {
			const runData = run.data.resultData.runData;
			const { mode, path, method, items } = start;
			const error = run.data.resultData.error;
			this.executions.push({ executionId, mode, path, method, items, run, runData, error, output: makeItemsAccessor(runData) });
		}
		for (const waiter of this.waiters.splice(0)) waiter();
	}
}
