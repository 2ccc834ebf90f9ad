/** One batch of webhook-started executions against a simulator, counted at the simulator: token and queue sections. */
import type { N8nApiClient, WorkflowJson } from '../../tooling/n8n/n8n-instance';
import type { Simulator } from '../../tooling/simulator';
import { lastFailure } from './failures';
import { jsonPosts, runLoad } from './load';
import { progress } from './util';
import { pathOf } from './workflows';

export interface BatchResult {
	/** Successful token exchanges at the simulator. */
	exchanges: number;
	/** Requests the simulator answered with a non-2xx status (token endpoint and API). */
	failedRequests: number;
	apiRequests: number;
	/** Executions whose webhook answered 2xx / anything else. */
	executionsOk: number;
	executionsFailed: number;
	wallMs: number;
	/** The error of one failed execution, when any failed. */
	failure?: string;
}

export interface BatchPlan {
	variant: string;
	rep: number;
	sim: Simulator;
	workflow: WorkflowJson;
}

export interface BatchTarget extends N8nApiClient {
	webhookUrl(path: string): string;
}

export async function runBatch(
	target: BatchTarget,
	plan: BatchPlan,
	options: { section: string; executions: number; concurrency: number; capMs: number },
): Promise<BatchResult> {
	plan.sim.resetStats();
	const failures: string[] = [];
	const load = await runLoad({
		url: target.webhookUrl(pathOf(plan.workflow)),
		requests: jsonPosts(options.executions),
		concurrency: options.concurrency,
		timeCapMs: options.capMs,
		timeoutMs: options.capMs,
		onResponse: (_index, status, body) => {
			if ((status < 200 || status > 299) && failures.length < 3) failures.push(`${status} ${body.slice(0, 200)}`);
		},
	});
	const failure = failures.length > 0 ? ((await lastFailure(target, plan.workflow.id)) ?? failures[0]) : undefined;
	if (failure) progress(options.section, `${plan.variant} r${plan.rep}: failed executions, e.g. ${failure}`);
	const stats = plan.sim.stats;
	return {
		exchanges: stats.tokenExchanges,
		failedRequests: stats.requests.filter((request) => request.status < 200 || request.status > 299).length,
		apiRequests: stats.apiRequests,
		executionsOk: load.ok,
		executionsFailed: options.executions - load.ok,
		wallMs: load.elapsedMs,
		...(failure ? { failure } : {}),
	};
}
