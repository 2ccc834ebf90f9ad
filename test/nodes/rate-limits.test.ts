/**
 * Issue #14: one rate limiter per credential per process. A 429 RATE_LIMIT:SMARTCAR_API pauses every request of the
 * credential (other executions too), a 429 RATE_LIMIT:VEHICLE only that vehicle's, Max Requests per Second keeps a
 * burst under the application's bucket, a pause beyond the bound fails fast, and a stopped execution stops waiting.
 * Over real HTTP against the simulator; executions run in parallel in-process with one credential row.
 */
import type { IDataObject } from 'n8n-workflow';

import { clearRateLimiters } from '../../nodes/shared/rate-limiter';
import type { RunWorkflowResult } from '../harness';
import { shutdownHarness } from '../harness';
import { CODES, createFleet, smartcarErrors, startSimulator, type Simulator } from '../../tooling/simulator';
import {
	apiRequests,
	byId,
	credentialStore,
	fault,
	fromItem,
	outputJson,
	resetBetweenTests,
	runSmartcar,
	timed,
	type RunSmartcarOptions,
} from './smartcar-fixture';

jest.setTimeout(30_000);

let sim: Simulator;
let userId: string;
let vehicleIds: string[];

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'rate-limits-spec', users: [{ vehicles: 6, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	vehicleIds = sim.fleet.vehicles.map((vehicle) => vehicle.id);
});

beforeEach(() => {
	clearRateLimiters();
	resetBetweenTests(sim, { applicationRateLimit: null, vehicleRateLimit: null, latencyJitterMs: 0 });
});

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

function signalsPath(vehicleId: string): string {
	return `/v3/vehicles/${vehicleId}/signals/${CODES.soc}`;
}

/** Signal → Get of the state of charge, one item per vehicle ID given. */
async function readCharge(vehicles: string[], options: Omit<RunSmartcarOptions, 'items'>): Promise<RunWorkflowResult> {
	return await runSmartcar(
		{ resource: 'signal', operation: 'get', userId, vehicleId: byId(fromItem('vehicleId') as string), signalCode: CODES.soc },
		{ ...options, items: vehicles.map((vehicleId) => ({ vehicleId })) },
	);
}

/** When (ms after `start`) each API request the simulator answered was seen, in the simulator's order. */
function watchRequests(start: number): { times: number[]; stop: () => void } {
	const times: number[] = [];
	const poll = () => {
		const now = Date.now() - start;
		while (times.length < apiRequests(sim).length) times.push(now);
	};
	const timer = setInterval(poll, 5);
	return {
		times,
		stop: () => {
			clearInterval(timer);
			poll();
		},
	};
}

function requestsTo(vehicleId: string): number[] {
	return apiRequests(sim)
		.filter((request) => request.path === signalsPath(vehicleId))
		.map((request) => request.status);
}

function expectAllRead(result: RunWorkflowResult, count: number): void {
	expect(result.error).toBeUndefined();
	const items = outputJson(result);
	expect(items).toHaveLength(count);
	expect(items.filter((item) => item.error !== undefined)).toEqual([]);
}

function repeat<T>(values: T[], times: number): T[] {
	return Array.from({ length: times }, () => values).flat();
}

describe('a 429 for the application (RATE_LIMIT:SMARTCAR_API)', () => {
	test('pauses every request of the credential for retry-after, another execution running at the same time too', async () => {
		const store = credentialStore(sim);
		const [limited, ...others] = vehicleIds;
		sim.failNext(fault(signalsPath(limited), smartcarErrors.applicationRateLimit(2)));
		const start = Date.now();
		const watch = watchRequests(start);

		const [first, second] = await Promise.all([
			timed(async () => await readCharge([limited], { store })),
			timed(async () => await readCharge(repeat(others, 8), { store })),
		]).finally(watch.stop);

		expectAllRead(first.value, 1);
		expectAllRead(second.value, 40);
		expect(requestsTo(limited)).toEqual([429, 200]);
		const at429 = watch.times[apiRequests(sim).findIndex((request) => request.status === 429)];
		// Nothing reached Smartcar while the application was paused, except what was already on its way.
		const duringPause = watch.times.filter((time) => time > at429 + 150 && time < at429 + 1800);
		expect(duringPause).toEqual([]);
		expect(second.ms).toBeGreaterThanOrEqual(1900);
		expect(apiRequests(sim).filter((request) => request.status === 429)).toHaveLength(1);
	});

	test('an empty bucket and many requests at once: every item is read, in as many rounds as the bucket needs', async () => {
		// Up to 16 requests in flight (two executions); the bucket lets 4 through, then 4 a second.
		sim.setOptions({ applicationRateLimit: { capacity: 4, refillPerSecond: 4 } });
		const store = credentialStore(sim);

		const runs = await Promise.all([readCharge(repeat(vehicleIds, 2), { store }), readCharge(repeat(vehicleIds, 2), { store })]);

		for (const run of runs) expectAllRead(run, 12);
		expect(sim.stats.rateLimited.application).toBeGreaterThan(0);
		expect(apiRequests(sim).filter((request) => request.status === 200)).toHaveLength(24);
	});

	test('a command waiting for that pause is sent once, after it', async () => {
		const store = credentialStore(sim);
		const [limited, commanded] = vehicleIds;
		sim.failNext(fault(signalsPath(limited), smartcarErrors.applicationRateLimit(1)));
		const read = readCharge([limited], { store });
		await new Promise((resolve) => setTimeout(resolve, 200));

		const { value: lock, ms } = await timed(
			async () => await runSmartcar({ resource: 'command', operation: 'lock', userId, vehicleId: byId(commanded) }, { store }),
		);

		expect((await read).error).toBeUndefined();
		expect(lock.error).toBeUndefined();
		expect(ms).toBeGreaterThanOrEqual(600);
		const commands = apiRequests(sim).filter((request) => request.method === 'POST');
		expect(commands.map((request) => request.status)).toEqual([200]);
	});
});

describe('a 429 for one vehicle (RATE_LIMIT:VEHICLE)', () => {
	test("pauses that vehicle's requests only: another vehicle's reads go on meanwhile", async () => {
		sim.setOptions({ latencyMs: 50 });
		const store = credentialStore(sim);
		const [limited, ...others] = vehicleIds;
		sim.failNext(fault(signalsPath(limited), smartcarErrors.rateLimit(2)));
		const start = Date.now();
		const watch = watchRequests(start);

		// A third execution reads the limited vehicle once the 429 is in.
		const later = (async () => {
			while (!apiRequests(sim).some((request) => request.status === 429)) await new Promise((resolve) => setTimeout(resolve, 5));
			await new Promise((resolve) => setTimeout(resolve, 100));
			return await timed(async () => await readCharge([limited], { store }));
		})();
		const [first, second, third] = await Promise.all([
			timed(async () => await readCharge([limited], { store })),
			timed(async () => await readCharge(repeat(others, 8), { store })),
			later,
		]).finally(watch.stop);

		expectAllRead(first.value, 1);
		expectAllRead(second.value, 40);
		expectAllRead(third.value, 1);
		// The other vehicles were read while the limited one waited; its second reader waited too, without a 429.
		expect(first.ms).toBeGreaterThanOrEqual(1900);
		expect(third.ms).toBeGreaterThanOrEqual(1500);
		expect(requestsTo(limited)).toEqual([429, 200, 200]);
		const at429 = watch.times[apiRequests(sim).findIndex((request) => request.status === 429)];
		const duringPause = watch.times.filter((time) => time > at429 + 150 && time < at429 + 1800);
		expect(duringPause.length).toBeGreaterThan(0);
		const limitedTimes = apiRequests(sim).flatMap((request, index) => (request.path === signalsPath(limited) ? [watch.times[index]] : []));
		expect(limitedTimes.slice(1).every((time) => time >= at429 + 1800)).toBe(true);
	});
});

describe('Max Requests per Second', () => {
	const bucket = { capacity: 2, refillPerSecond: 10 };

	test('without it, a burst of two executions empties a bucket of 2 refilling 10 per second (Smartcar answers 429)', async () => {
		sim.setOptions({ applicationRateLimit: bucket });
		const store = credentialStore(sim);

		// Stopped once the 429s are in: waiting them out is not what this control is about.
		await Promise.all([
			readCharge(repeat(vehicleIds, 2), { store, cancelAfterMs: 300 }),
			readCharge(repeat(vehicleIds, 2), { store, cancelAfterMs: 300 }),
		]);

		expect(sim.stats.rateLimited.application).toBeGreaterThan(0);
	});

	test('set to 10, the same burst stays under the bucket: no 429 at all, every item read', async () => {
		sim.setOptions({ applicationRateLimit: bucket });
		const store = credentialStore(sim, { maxRequestsPerSecond: 10 });

		const { value: runs, ms } = await timed(
			async () => await Promise.all([readCharge(repeat(vehicleIds, 2), { store }), readCharge(repeat(vehicleIds, 2), { store })]),
		);

		for (const run of runs) expectAllRead(run, 12);
		expect(sim.stats.rateLimited).toEqual({ application: 0, vehicle: 0 });
		expect(apiRequests(sim)).toHaveLength(24);
		// 24 requests, one every 100 ms.
		expect(ms).toBeGreaterThanOrEqual(2200);
		expect(ms).toBeLessThan(6000);
	});
});

describe('a pause beyond the bound (60 s)', () => {
	test('fails fast with the time in the message: the requests that got the 429 and every other request waiting for it', async () => {
		// One request, then Smartcar asks to wait 120 s (a bucket of 1 refilling one request every 120 s).
		sim.setOptions({ applicationRateLimit: { capacity: 1, refillPerSecond: 1 / 120 } });
		const store = credentialStore(sim);

		const { value: runs, ms } = await timed(
			async () =>
				await Promise.all([
					readCharge(repeat(vehicleIds, 2), { store, onError: 'continueRegularOutput' }),
					readCharge(repeat(vehicleIds, 4), { store, onError: 'continueRegularOutput' }),
				]),
		);

		expect(ms).toBeLessThan(2000);
		const items: IDataObject[] = runs.flatMap((run) => outputJson(run));
		expect(items).toHaveLength(36);
		const read = items.filter((item) => item.error === undefined);
		const answered429 = items.filter((item) => String(item.error).includes('(HTTP 429 RATE_LIMIT:SMARTCAR_API)'));
		const notSent = items.filter((item) => String(item.error).startsWith("Smartcar's rate limit pauses"));
		expect(read).toHaveLength(1);
		expect(read.length + answered429.length + notSent.length).toBe(36);
		for (const item of answered429) expect(item.description).toMatch(/Smartcar asks to wait 1[12]\d s before the next request\./);
		for (const item of notSent) {
			expect(item.error).toMatch(/^Smartcar's rate limit pauses this application for another 1[12]\d s, longer than the 60 s this node waits; the request was not sent$/);
			expect(item.httpCode).toBe('429');
		}
		// Only what was already on its way when the first 429 came back reached Smartcar; the rest was never sent.
		expect(notSent.length).toBeGreaterThanOrEqual(36 - 1 - 2 * 8);
		expect(apiRequests(sim)).toHaveLength(read.length + answered429.length);
		expect(sim.stats.rateLimited.application).toBe(answered429.length);
	});

	test('an execution that starts afterwards asks Smartcar once itself (the limit may have been lifted)', async () => {
		const store = credentialStore(sim);
		const [limited, other] = vehicleIds;
		sim.failNext(fault(signalsPath(limited), smartcarErrors.applicationRateLimit(120)));
		const refused = await readCharge([limited], { store });
		expect(refused.error?.message).toContain('HTTP 429');

		const later = await readCharge([other], { store });

		expectAllRead(later, 1);
		expect(apiRequests(sim).map((request) => request.status)).toEqual([429, 200]);
	});
});

describe('a stopped execution', () => {
	test('stops waiting for a pause at once and sends nothing more, in every execution that waits for it', async () => {
		const store = credentialStore(sim);
		const [limited, ...others] = vehicleIds;
		sim.failNext(fault(signalsPath(limited), smartcarErrors.applicationRateLimit(30)));

		const { value: runs, ms } = await timed(
			async () =>
				await Promise.all([
					readCharge([limited], { store, cancelAfterMs: 600 }),
					readCharge(repeat(others, 20), { store, cancelAfterMs: 600 }),
				]),
		);

		expect(ms).toBeLessThan(2000);
		const sent = apiRequests(sim).length;
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(apiRequests(sim)).toHaveLength(sent);
		expect(requestsTo(limited)).toEqual([429]);
		// The other execution's 100 reads stopped at the pause: only what was already on its way was sent.
		expect(sent).toBeLessThan(30);
		expect(runs.map((run) => run.error?.message)).toEqual([expect.any(String), expect.any(String)]);
	});
});
