/**
 * 6. Fleet sweep. One execution reads every signal of each of `vehicles` vehicles (Signal → Get Many, one item per
 * vehicle) against the simulator at Smartcar-like latency (`latencyMs` ± `jitterMs`) with an application token
 * bucket (429 RATE_LIMIT:SMARTCAR_API with `retry-after` once it is empty) that the sweep must respect, through
 *   - the Smartcar node at its default Requests in Flight, at 1, and at its default with the credential's Max
 *     Requests per Second set to the bucket's refill rate;
 *   - n8n's HTTP Request node with the predefined Smartcar API credential, batched as a builder would to stay under
 *     the bucket (batch size = refill per second, interval 1 s), and unbatched.
 * Every variant continues on fail, so a failed item is an item of the output, not a failed run. Measured per
 * execution: wall time (webhook request → answer with every item), requests and 429s at the simulator, items that
 * carry an error and, of those, the 429s. The physical bound is max(N × latency ÷ in-flight, (N − capacity) ÷ refill).
 */
import type { CredentialJson, N8nInstance, WorkflowJson, WorkflowNodeJson } from '../../tooling/n8n/n8n-instance';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import type { RateLimit } from '../../tooling/simulator/rate-limits';
import { waitForIdle } from '../lib/cpu';
import { postOnce } from '../lib/load';
import { progress, sleep, type Cleanup } from '../lib/util';
import {
	httpSignalsGet,
	linearWorkflow,
	pathOf,
	refOf,
	rowNodes,
	rowsFor,
	smartcarCredential,
	smartcarSignalsGet,
	webhookTrigger,
	type CredentialRef,
} from '../lib/workflows';

export const FLEET_VARIANTS = ['smartcar', 'smartcarQuota', 'smartcarOne', 'httpBatched', 'httpUnbatched'] as const;
export type FleetVariant = (typeof FLEET_VARIANTS)[number];

/** Variants measured once whatever the repetitions (at 1 request in flight a sweep takes N × latency). */
const ONCE: readonly FleetVariant[] = ['smartcarOne'];

export interface FleetOptions {
	reps: number;
	vehicles: number;
	latencyMs: number;
	jitterMs: number;
	bucket: RateLimit;
}

export interface FleetRun {
	variant: FleetVariant;
	rep: number;
	/** Requests the variant keeps in flight at most (the in-flight of the bound). */
	inFlight: number;
	wallMs: number;
	boundMs: number;
	/** Vehicle API requests the simulator received (token exchanges not included). */
	apiRequests: number;
	/** Of those, refused with 429 by the application bucket. */
	smartcar429s: number;
	/** Output items that carry an error, and of them those that name a 429 / rate limit. */
	failedItems: number;
	workflow429s: number;
	items: number;
	ok: boolean;
}

export interface FleetResults extends FleetOptions {
	/** The Smartcar node's Requests in Flight default when it was measured. */
	defaultInFlight: number;
	runs: FleetRun[];
}

export interface FleetSection {
	workflows: WorkflowJson[];
	credentials: CredentialJson[];
	run(n8n: N8nInstance): Promise<FleetResults>;
}

export function fleetVariantLabels(options: Pick<FleetOptions, 'bucket'>, defaultInFlight: number): Record<FleetVariant, string> {
	const refill = options.bucket.refillPerSecond;
	return {
		smartcar: `Smartcar node, Requests in Flight ${defaultInFlight} (default)`,
		smartcarQuota: `Smartcar node, default, credential's Max Requests per Second ${refill}`,
		smartcarOne: 'Smartcar node, Requests in Flight 1',
		httpBatched: `HTTP Request, Smartcar API credential, batches of ${refill} every 1 s`,
		httpUnbatched: 'HTTP Request, Smartcar API credential, no batching',
	};
}

/** max(N × latency ÷ in-flight, (N − capacity) ÷ refill), in ms. */
export function fleetBoundMs(options: FleetOptions, inFlight: number): number {
	const latencyBound = (options.vehicles * options.latencyMs) / inFlight;
	const bucketBound = (Math.max(0, options.vehicles - options.bucket.capacity) / options.bucket.refillPerSecond) * 1000;
	return Math.max(latencyBound, bucketBound);
}

interface ItemCounts {
	items: number;
	failedItems: number;
	workflow429s: number;
}

/** Counts the answer's items, those with an error, and those whose error is a 429 (Smartcar's rate limit). */
export function countItems(body: string): ItemCounts {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return { items: 0, failedItems: 0, workflow429s: 0 };
	}
	const items = Array.isArray(parsed) ? parsed : [parsed];
	const failed = items.filter((item) => typeof item === 'object' && item !== null && 'error' in item);
	const rateLimited = failed.filter((item) => /\b429\b|rate.?limit/i.test(JSON.stringify(item)));
	return { items: items.length, failedItems: failed.length, workflow429s: rateLimited.length };
}

function variantNode(variant: FleetVariant, sim: Simulator, credentials: { plain: CredentialRef; quota: CredentialRef }, options: FleetOptions): WorkflowNodeJson {
	switch (variant) {
		case 'smartcar':
			return smartcarSignalsGet(credentials.plain, {});
		case 'smartcarQuota':
			return smartcarSignalsGet(credentials.quota, {});
		case 'smartcarOne':
			return smartcarSignalsGet(credentials.plain, { requestsInFlight: 1 });
		case 'httpBatched':
			return httpSignalsGet(sim, credentials.plain, { batchSize: options.bucket.refillPerSecond, batchIntervalMs: 1000 });
		case 'httpUnbatched':
			return httpSignalsGet(sim, credentials.plain, undefined);
	}
}

function inFlightOf(variant: FleetVariant, options: FleetOptions, defaultInFlight: number): number {
	if (variant === 'smartcarOne') return 1;
	if (variant === 'httpBatched') return options.bucket.refillPerSecond;
	if (variant === 'httpUnbatched') return options.vehicles;
	return defaultInFlight;
}

export async function prepareFleetSection(options: FleetOptions, defaultInFlight: number, cleanup: Cleanup): Promise<FleetSection> {
	const usersCount = Math.ceil(options.vehicles / 10);
	const sim: Simulator = await startSimulator({
		latencyMs: options.latencyMs,
		latencyJitterMs: options.jitterMs,
		applicationRateLimit: options.bucket,
		fleet: createFleet({ seed: 'bench-fleet', users: Array.from({ length: usersCount }, () => ({ vehicles: 10 })) }),
		requestLogLimit: 100_000,
	});
	cleanup.add(`simulator ${sim.url}`, async () => await sim.close());
	const plain = smartcarCredential(sim, 'Bench fleet smartcar');
	const quota = smartcarCredential(sim, 'Bench fleet smartcar with quota');
	quota.data.maxRequestsPerSecond = options.bucket.refillPerSecond;
	const refs = { plain: refOf(plain), quota: refOf(quota) };
	const rows = rowsFor(sim, options.vehicles);
	const settings = { saveDataSuccessExecution: 'none' };
	const workflows = Object.fromEntries(
		FLEET_VARIANTS.map((variant) => [
			variant,
			linearWorkflow(`bench fleet ${variant}`, [webhookTrigger(`bench-fleet-${variant}`, { responseMode: 'lastNode', allEntries: true }), ...rowNodes(rows), variantNode(variant, sim, refs, options)], settings),
		]),
	) as Record<FleetVariant, WorkflowJson>;

	const once = async (n8n: N8nInstance, variant: FleetVariant, rep: number): Promise<FleetRun> => {
		await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
		// A full bucket and no pause left over from the previous run (the package's pauses last a few seconds).
		await sleep(3_000);
		sim.setOptions({ applicationRateLimit: { ...options.bucket } });
		sim.resetStats();
		const answer = await postOnce(n8n.webhookUrl(pathOf(workflows[variant])), 900_000);
		const counts = countItems(answer.body);
		const inFlight = inFlightOf(variant, options, defaultInFlight);
		const ok = answer.ok && counts.items === options.vehicles;
		if (!ok) progress('fleet', `${variant} r${rep}: unexpected answer ${answer.status} with ${counts.items} items: ${answer.body.slice(0, 300)}`);
		return {
			variant,
			rep,
			inFlight,
			wallMs: answer.elapsedMs,
			boundMs: fleetBoundMs(options, inFlight),
			apiRequests: sim.stats.apiRequests,
			smartcar429s: sim.stats.rateLimited.application + sim.stats.rateLimited.vehicle,
			...counts,
			ok,
		};
	};

	return {
		workflows: Object.values(workflows),
		credentials: [plain, quota],
		async run(n8n: N8nInstance): Promise<FleetResults> {
			const runs: FleetRun[] = [];
			for (let rep = 1; rep <= options.reps; rep++) {
				const variants = FLEET_VARIANTS.filter((variant) => rep === 1 || !ONCE.includes(variant));
				const order = variants.map((_, i) => variants[(i + rep - 1) % variants.length]);
				for (const variant of order) {
					const result = await once(n8n, variant, rep);
					runs.push(result);
					progress(
						'fleet',
						`r${rep} ${variant}: wall ${(result.wallMs / 1000).toFixed(1)} s (bound ${(result.boundMs / 1000).toFixed(1)} s), ${result.apiRequests} requests, ` +
							`${result.smartcar429s} 429s at Smartcar, ${result.failedItems} failed items (${result.workflow429s} 429s)${result.ok ? '' : ' (UNEXPECTED)'}`,
					);
				}
			}
			return { ...options, defaultInFlight, runs };
		},
	};
}
