/**
 * 2. Per-item overhead. One execution reads one signal for each of `items` items (generated inside the workflow
 * by a Set node and Split Out, so both variants get identical input) against the simulator with a fixed small
 * latency, through
 *   - the Smartcar node (Signal → Get), and
 *   - n8n's HTTP Request node with the predefined Smartcar API credential (same URL, same sc-user-id header);
 * plus a baseline workflow with the same trigger and item generation but no API call. Measured per execution:
 * wall time (webhook request → answer of the last node) and CPU time of the n8n process group (n8n and its task
 * runner, /proc utime + stime) from just before the request until n8n is idle again (saving included).
 * Executions save no data on success here (saveDataSuccessExecution none), so the figures are about the nodes.
 */
import type { CredentialJson, N8nInstance, WorkflowJson } from '../../tooling/n8n/n8n-instance';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { groupCpuMs, waitForIdle } from '../lib/cpu';
import { postOnce } from '../lib/load';
import { progress, type Cleanup } from '../lib/util';
import { httpSignalGet, linearWorkflow, pathOf, refOf, rowNodes, rowsFor, smartcarCredential, smartcarSignalGet, webhookTrigger } from '../lib/workflows';

export const OVERHEAD_VARIANTS = ['smartcar', 'http', 'baseline'] as const;
export type OverheadVariant = (typeof OVERHEAD_VARIANTS)[number];

export const OVERHEAD_VARIANT_LABELS: Record<OverheadVariant, string> = {
	smartcar: 'Smartcar node (Signal → Get)',
	http: 'HTTP Request, predefined Smartcar API credential',
	baseline: 'baseline: trigger + item generation, no API call',
};

export interface OverheadRun {
	variant: OverheadVariant;
	rep: number;
	wallMs: number;
	cpuMs: number;
	apiRequests: number;
	failedRequests: number;
	ok: boolean;
}

export interface OverheadResults {
	items: number;
	latencyMs: number;
	runs: OverheadRun[];
}

export interface OverheadSection {
	workflows: WorkflowJson[];
	credentials: CredentialJson[];
	run(n8n: N8nInstance): Promise<OverheadResults>;
}

export async function prepareOverheadSection(options: { reps: number; items: number; latencyMs: number }, cleanup: Cleanup): Promise<OverheadSection> {
	const sim: Simulator = await startSimulator({
		latencyMs: options.latencyMs,
		fleet: createFleet({ seed: 'bench-overhead', users: [{ vehicles: 5, powertrain: 'BEV' }, { vehicles: 5, powertrain: 'BEV' }] }),
		requestLogLimit: 100_000,
	});
	cleanup.add(`simulator ${sim.url}`, async () => await sim.close());
	const credential = smartcarCredential(sim, 'Bench overhead smartcar');
	const rows = rowsFor(sim, options.items);
	const settings = { saveDataSuccessExecution: 'none' };
	const workflows: Record<OverheadVariant, WorkflowJson> = {
		smartcar: linearWorkflow('bench overhead smartcar', [webhookTrigger('bench-overhead-smartcar', { responseMode: 'lastNode' }), ...rowNodes(rows), smartcarSignalGet(refOf(credential))], settings),
		http: linearWorkflow(
			'bench overhead http',
			[webhookTrigger('bench-overhead-http', { responseMode: 'lastNode' }), ...rowNodes(rows), httpSignalGet(sim, { kind: 'smartcarApi', credential: refOf(credential) })],
			settings,
		),
		baseline: linearWorkflow('bench overhead baseline', [webhookTrigger('bench-overhead-baseline', { responseMode: 'lastNode' }), ...rowNodes(rows)], settings),
	};

	const once = async (n8n: N8nInstance, variant: OverheadVariant, rep: number): Promise<OverheadRun> => {
		await waitForIdle([n8n.pid], { timeoutMs: 30_000 });
		sim.resetStats();
		const cpuBefore = groupCpuMs(n8n.pid);
		const answer = await postOnce(n8n.webhookUrl(pathOf(workflows[variant])), 300_000);
		await waitForIdle([n8n.pid], { windowMs: 250, timeoutMs: 30_000 });
		const cpuMs = groupCpuMs(n8n.pid) - cpuBefore;
		const ok = answer.ok;
		const apiRequests = sim.stats.apiRequests;
		if (!ok || (variant !== 'baseline' && apiRequests !== options.items)) {
			progress('overhead', `${variant} r${rep}: unexpected outcome (${apiRequests} API requests for ${options.items} items): ${answer.status} ${answer.body.slice(0, 300)}`);
		}
		return {
			variant,
			rep,
			wallMs: answer.elapsedMs,
			cpuMs,
			apiRequests,
			failedRequests: sim.stats.requests.filter((request) => request.status < 200 || request.status > 299).length,
			ok,
		};
	};

	return {
		workflows: Object.values(workflows),
		credentials: [credential],
		async run(n8n: N8nInstance): Promise<OverheadResults> {
			// Warm-up: code paths, the token (one exchange), connections.
			for (const variant of OVERHEAD_VARIANTS) await once(n8n, variant, 0);
			const runs: OverheadRun[] = [];
			for (let rep = 1; rep <= options.reps; rep++) {
				const order = OVERHEAD_VARIANTS.map((_, i) => OVERHEAD_VARIANTS[(i + rep - 1) % OVERHEAD_VARIANTS.length]);
				for (const variant of order) {
					const result = await once(n8n, variant, rep);
					runs.push(result);
					progress('overhead', `r${rep} ${variant}: wall ${result.wallMs.toFixed(0)} ms, CPU ${result.cpuMs.toFixed(0)} ms, ${result.apiRequests} API requests${result.ok ? '' : ' (FAILED)'}`);
				}
			}
			return { items: options.items, latencyMs: options.latencyMs, runs };
		},
	};
}
