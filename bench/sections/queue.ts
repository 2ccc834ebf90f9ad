/**
 * 5. Queue mode (issue #8). PostgreSQL + Redis, one main, two workers (concurrency 10 each), one webhook
 * processor. `executions` concurrent executions (webhook, answered when the run ends) of "read one signal",
 * on a fresh credential and again after `sim.expireTokens()`, for
 *   - the Smartcar node with the package's credential, and
 *   - n8n's HTTP Request node with n8n's generic OAuth2 credential in client-credentials mode.
 * Counts token exchanges per token lifetime, non-2xx answers and failed executions. Each (repetition, variant)
 * has its own simulator and credential, so every repetition starts fresh. Skipped when PostgreSQL or Redis is
 * not reachable.
 */
import type { CredentialJson, QueueCluster, WorkflowJson } from '../../tooling/n8n/n8n-instance';
import { queueModeUnavailableReason, startQueueCluster } from '../../tooling/n8n/n8n-instance';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { runBatch } from '../lib/batch';
import { progress, type Cleanup } from '../lib/util';
import { httpSignalGet, linearWorkflow, oauth2Credential, pathOf, refOf, rowNodes, rowsFor, smartcarCredential, smartcarSignalGet, webhookTrigger } from '../lib/workflows';
import type { BatchResult } from './token';

export const QUEUE_VARIANTS = ['smartcar', 'oauth2'] as const;
export type QueueVariant = (typeof QUEUE_VARIANTS)[number];

export const QUEUE_VARIANT_LABELS: Record<QueueVariant, string> = {
	smartcar: 'Smartcar node, Smartcar API credential',
	oauth2: 'HTTP Request, generic OAuth2 (client credentials)',
};

export interface QueueRun {
	variant: QueueVariant;
	rep: number;
	fresh: BatchResult;
	afterExpiry: BatchResult;
	/** Executions per worker (from the workers' logs), fresh + after expiry. */
	perWorker: Record<string, number>;
}

export interface QueueResults {
	skipped?: string;
	executions: number;
	workers: number;
	latencyMs: number;
	runs: QueueRun[];
	startupMs?: number;
}

interface Plan {
	variant: QueueVariant;
	rep: number;
	sim: Simulator;
	workflow: WorkflowJson;
}

const LATENCY_MS = 50;

function countWorkerRuns(cluster: QueueCluster): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const worker of cluster.workers) counts[worker.name] = (worker.logs().match(/Worker started execution /g) ?? []).length;
	return counts;
}

export async function runQueueSection(options: { reps: number; executions: number; tgz: string }, cleanup: Cleanup): Promise<QueueResults> {
	const base: QueueResults = { executions: options.executions, workers: 2, latencyMs: LATENCY_MS, runs: [] };
	const unavailable = await queueModeUnavailableReason();
	if (unavailable) {
		progress('queue', `skipped: ${unavailable}`);
		return { ...base, skipped: `PostgreSQL/Redis ${unavailable}` };
	}
	const plans: Plan[] = [];
	const credentials: CredentialJson[] = [];
	for (let rep = 1; rep <= options.reps; rep++) {
		for (const variant of QUEUE_VARIANTS) {
			// Some latency, so concurrent executions overlap on both workers.
			const sim = await startSimulator({ latencyMs: LATENCY_MS, fleet: createFleet({ seed: `bench-queue-${rep}`, users: [{ vehicles: 2, powertrain: 'BEV' }] }), requestLogLimit: 100_000 });
			cleanup.add(`simulator ${sim.url}`, async () => await sim.close());
			const path = `bench-queue-${variant}-r${rep}`;
			const rows = rowNodes(rowsFor(sim, 1));
			let workflow: WorkflowJson;
			if (variant === 'smartcar') {
				const credential = smartcarCredential(sim, `Bench queue smartcar r${rep}`);
				credentials.push(credential);
				workflow = linearWorkflow(`bench queue ${variant} r${rep}`, [webhookTrigger(path, { responseMode: 'lastNode' }), ...rows, smartcarSignalGet(refOf(credential))]);
			} else {
				const credential = oauth2Credential(sim, `Bench queue oauth2 r${rep}`);
				credentials.push(credential);
				workflow = linearWorkflow(`bench queue ${variant} r${rep}`, [
					webhookTrigger(path, { responseMode: 'lastNode' }),
					...rows,
					httpSignalGet(sim, { kind: 'oauth2', credential: refOf(credential) }),
				]);
			}
			plans.push({ variant, rep, sim, workflow });
		}
	}
	const workflows = plans.map((plan) => plan.workflow);
	progress('queue', `starting a queue-mode cluster (main, 2 workers, 1 webhook processor) with ${workflows.length} workflows`);
	const started = Date.now();
	let cluster: QueueCluster | undefined;
	const stopCluster = cleanup.add('queue cluster', async () => await cluster?.stop());
	try {
		cluster = await startQueueCluster({
			packageTgz: options.tgz,
			credentials,
			workflows,
			publish: workflows.map((workflow) => workflow.id),
			workers: 2,
			workerConcurrency: 10,
			webhookProcessors: 1,
			waitForWebhooks: workflows.map(pathOf),
		});
		const startupMs = Date.now() - started;
		const c = cluster;
		const batch = async (plan: Plan): Promise<BatchResult> =>
			await runBatch(c, plan, { section: 'queue', executions: options.executions, concurrency: options.executions, capMs: 180_000 });
		const runs: QueueRun[] = [];
		for (let rep = 1; rep <= options.reps; rep++) {
			const order = rep % 2 === 1 ? QUEUE_VARIANTS : [...QUEUE_VARIANTS].reverse();
			for (const variant of order) {
				const plan = plans.find((candidate) => candidate.rep === rep && candidate.variant === variant);
				if (!plan) continue;
				const before = countWorkerRuns(c);
				const fresh = await batch(plan);
				plan.sim.expireTokens();
				const afterExpiry = await batch(plan);
				const after = countWorkerRuns(c);
				const perWorker = Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - (before[name] ?? 0)]));
				runs.push({ variant, rep, fresh, afterExpiry, perWorker });
				progress(
					'queue',
					`r${rep} ${variant}: fresh ${fresh.exchanges} exchange(s), ${fresh.failedRequests} non-2xx, ${fresh.executionsFailed} failed; ` +
						`after expiry ${afterExpiry.exchanges} exchange(s), ${afterExpiry.failedRequests} non-2xx, ${afterExpiry.executionsFailed} failed; workers ${JSON.stringify(perWorker)}`,
				);
			}
		}
		return { ...base, runs, startupMs };
	} finally {
		await stopCluster();
	}
}
