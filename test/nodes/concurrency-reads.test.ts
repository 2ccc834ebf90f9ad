/**
 * Options → Requests in Flight (issue #14): read operations run several items at once, never two for the same
 * vehicle, with the output in input order and each item paired with its input; Continue On Fail per item; without it
 * the first failing item in input order fails the node once everything started has settled; commands stay one at a
 * time. Concurrency is observed with a counting pass-through in front of the simulator (in-flight-probe.ts), never
 * with wall time.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';


import { shutdownHarness } from '../harness';
import { createFleet, smartcarErrors, startSimulator, type Simulator } from '../../tooling/simulator';
import { startInFlightProbe, type InFlightProbe } from './in-flight-probe';
import { apiRequests, byId, credentialStore, errorOf, fault, fromItem, outputJson, resetBetweenTests, runSmartcar } from './smartcar-fixture';

let sim: Simulator;
let probe: InFlightProbe;
let userId: string;
let vehicleIds: string[];

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'concurrency-reads', users: [{ vehicles: 60, powertrain: 'BEV' }] }) });
	probe = await startInFlightProbe(sim.url);
	userId = sim.fleet.users[0].id;
	vehicleIds = sim.fleet.vehicles.map((vehicle) => vehicle.id);
});

beforeEach(() => {
	resetBetweenTests(sim);
	probe.reset();
});

afterAll(async () => {
	await probe.close();
	await sim.close();
	shutdownHarness();
});

const signalsPath = (vehicleId: string): string => `/v3/vehicles/${vehicleId}/signals`;

/** Signal → Get Many, one item per vehicle given as `{ vehicleId }` input items. */
function readSignals(options: IDataObject = {}): INodeParameters {
	return { resource: 'signal', operation: 'getAll', userId, vehicleId: byId(fromItem('vehicleId') as string), options: { output: 'perVehicle', ...options } };
}

async function run(parameters: INodeParameters, vehicles: string[], onError?: 'continueRegularOutput') {
	const store = credentialStore(sim, { apiBaseUrl: probe.apiBaseUrl });
	return await runSmartcar(parameters, { store, items: vehicles.map((vehicleId) => ({ vehicleId })), onError });
}

/** The vehicles, in the order the simulator answered their signals requests (its records are kept as answered). */
function answeredOrder(): string[] {
	return apiRequests(sim).map((request) => request.path.split('/')[3]);
}

describe('order and pairing', () => {
	test('50 items answered out of order come out in input order, each paired with its input', async () => {
		sim.setOptions({ latencyMs: 30, latencyJitterMs: 25 });
		const vehicles = vehicleIds.slice(0, 50);

		const result = await run(readSignals({ requestsInFlight: 8 }), vehicles);

		expect(result.error).toBeUndefined();
		// The answers really came back in another order: the output's order is the router's doing.
		expect(answeredOrder()).not.toEqual(vehicles);
		expect([...answeredOrder()].sort()).toEqual([...vehicles].sort());
		const items = result.items('Smartcar');
		expect(items.map((item) => item.json.vehicleId)).toEqual(vehicles);
		expect(items.map((item) => item.pairedItem)).toEqual(vehicles.map((_, item) => ({ item })));
		expect(probe.maxInFlight).toBe(8);
	});

	test('Requests in Flight 1 is one at a time, in input order (the behaviour before the option)', async () => {
		sim.setOptions({ latencyMs: 5, latencyJitterMs: 5 });
		const vehicles = vehicleIds.slice(0, 12);

		const result = await run(readSignals({ requestsInFlight: 1 }), vehicles);

		expect(outputJson(result).map((item) => item.vehicleId)).toEqual(vehicles);
		expect(answeredOrder()).toEqual(vehicles);
		expect(probe.maxInFlight).toBe(1);
	});

	test('without the option, reads run 8 at a time (the default)', async () => {
		sim.setOptions({ latencyMs: 30 });
		const vehicles = vehicleIds.slice(0, 24);

		const result = await run(readSignals(), vehicles);

		expect(outputJson(result).map((item) => item.vehicleId)).toEqual(vehicles);
		expect(probe.maxInFlight).toBe(8);
		expect(probe.forwarded).toBe(24);
	});
});

describe('one vehicle, one request at a time', () => {
	test('items for the same vehicle never overlap, while different vehicles do', async () => {
		sim.setOptions({ latencyMs: 20, latencyJitterMs: 15 });
		const three = vehicleIds.slice(0, 3);
		const vehicles = Array.from({ length: 30 }, (_, index) => three[index % 3]);

		const result = await run(readSignals({ requestsInFlight: 16 }), vehicles);

		expect(outputJson(result).map((item) => item.vehicleId)).toEqual(vehicles);
		expect(probe.maxPerVehicle).toBe(1);
		expect(probe.maxInFlight).toBe(3);
	});

	test('Vehicle → Get for one vehicle in every item runs them one after the other', async () => {
		sim.setOptions({ latencyMs: 10 });
		const vehicles = Array.from({ length: 6 }, () => vehicleIds[0]);

		const result = await run({ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(fromItem('vehicleId') as string) }, vehicles);

		expect(outputJson(result)).toHaveLength(6);
		expect(probe.maxInFlight).toBe(1);
	});
});

describe('failures', () => {
	test('Continue On Fail: invalid and failed items are error items in their place, the others read', async () => {
		sim.setOptions({ latencyMs: 20, latencyJitterMs: 15 });
		const vehicles = vehicleIds.slice(0, 10);
		vehicles[2] = 'not a vehicle id';
		sim.failNext(fault(signalsPath(vehicles[5]), smartcarErrors.notFound()));
		sim.failNext(fault(signalsPath(vehicles[8]), smartcarErrors.notFound()));

		const result = await run(readSignals({ requestsInFlight: 4 }), vehicles, 'continueRegularOutput');

		const items = result.items('Smartcar');
		expect(items.map((item) => item.pairedItem)).toEqual(vehicles.map((_, item) => ({ item })));
		const failed = items.flatMap((item, index) => (item.json.error === undefined ? [] : [index]));
		expect(failed).toEqual([2, 5, 8]);
		expect(items[2].json.error).toContain('item 2');
		expect(items[5].json.httpCode).toBe('404');
		items.forEach((item, index) => {
			if (!failed.includes(index)) expect(item.json.vehicleId).toBe(vehicles[index]);
		});
		expect(probe.maxInFlight).toBe(4);
	});

	test('without Continue On Fail the first failing item in input order fails the node, even when a later one failed first', async () => {
		sim.setOptions({ latencyMs: 40 });
		const vehicles = vehicleIds.slice(0, 40);
		// Item 3 is asked to wait 1 s (429) before its 404; item 7's 404 comes at once.
		sim.failNext(fault(signalsPath(vehicles[3]), smartcarErrors.rateLimit(1)));
		sim.failNext(fault(signalsPath(vehicles[3]), smartcarErrors.notFound()));
		sim.failNext(fault(signalsPath(vehicles[7]), smartcarErrors.notFound()));

		const result = await run(readSignals({ requestsInFlight: 8 }), vehicles);

		const error = errorOf(result);
		expect(error.context).toEqual({ itemIndex: 3 });
		expect(error.httpCode).toBe('404');
		// Once item 7 failed, no item after it was started: the first wave and the few that began as it finished.
		expect(probe.forwarded).toBeLessThan(20);
	});

	test('without Continue On Fail the node waits for every item it started before it fails', async () => {
		sim.setOptions({ latencyMs: 40 });
		const vehicles = vehicleIds.slice(0, 4);
		// Item 0 fails at once; item 1 is still waiting out a 1 s retry-after when that happens.
		sim.failNext(fault(signalsPath(vehicles[0]), smartcarErrors.notFound()));
		sim.failNext(fault(signalsPath(vehicles[1]), smartcarErrors.rateLimit(1)));

		const result = await run(readSignals({ requestsInFlight: 4 }), vehicles);
		const openWhenDone = probe.open;

		expect(errorOf(result).context).toEqual({ itemIndex: 0 });
		expect(apiRequests(sim).filter((request) => request.path === signalsPath(vehicles[1]))).toHaveLength(2);
		expect(openWhenDone).toBe(0);
	});

	test('an item with an invalid field and an invalid Requests in Flight is failed for its field first', async () => {
		const result = await run(readSignals({ requestsInFlight: 17 }), ['not a vehicle id', vehicleIds[0]]);

		expect(errorOf(result).message).toMatch(/^Vehicle ID in item 0 is not a valid Smartcar ID/);
		expect(sim.stats.requests).toHaveLength(0);
	});

	test('an invalid Requests in Flight fails before any request, naming the item', async () => {
		const result = await run(readSignals({ requestsInFlight: 17 }), vehicleIds.slice(0, 2));

		const error = errorOf(result);
		expect(error.message).toBe('Options → Requests in Flight must be a whole number from 1 to 16; item 0 has 17');
		expect(error.context).toEqual({ itemIndex: 0 });
		expect(sim.stats.requests).toHaveLength(0);
	});

	test('Requests in Flight is read once per run, from the first read item: later items\' values are not read', async () => {
		sim.setOptions({ latencyMs: 30 });
		const vehicles = vehicleIds.slice(0, 8);
		const store = credentialStore(sim, { apiBaseUrl: probe.apiBaseUrl });
		const parameters = readSignals({ requestsInFlight: fromItem('inFlight') });

		const result = await runSmartcar(parameters, { store, items: vehicles.map((vehicleId, index) => ({ vehicleId, inFlight: index === 0 ? 2 : 17 })) });

		expect(result.error).toBeUndefined();
		expect(outputJson(result).map((item) => item.vehicleId)).toEqual(vehicles);
		expect(probe.maxInFlight).toBe(2);
	});
});

describe('state changes and stops', () => {
	test('commands stay one at a time, in input order', async () => {
		sim.setOptions({ latencyMs: 20, latencyJitterMs: 15 });
		const vehicles = vehicleIds.slice(0, 6);
		const store = credentialStore(sim, { apiBaseUrl: probe.apiBaseUrl });

		const result = await runSmartcar(
			{ resource: 'command', operation: 'lock', userId, vehicleId: byId(fromItem('vehicleId') as string) },
			{ store, items: vehicles.map((vehicleId) => ({ vehicleId })) },
		);

		expect(result.error).toBeUndefined();
		expect(result.items('Smartcar').map((item) => item.pairedItem)).toEqual(vehicles.map((_, item) => ({ item })));
		expect(answeredOrder()).toEqual(vehicles);
		expect(probe.maxInFlight).toBe(1);
	});

	test('a stopped execution starts no new item; with Continue On Fail the items it never started say so', async () => {
		sim.setOptions({ latencyMs: 100 });
		const store = credentialStore(sim, { apiBaseUrl: probe.apiBaseUrl });
		const items = vehicleIds.slice(0, 60).map((vehicleId) => ({ vehicleId }));

		let arrivedAtStop = Number.NaN;
		const snapshot = setTimeout(() => (arrivedAtStop = probe.forwarded), 250);
		const result = await runSmartcar(readSignals({ requestsInFlight: 4 }), { store, items, cancelAfterMs: 250, onError: 'continueRegularOutput' });
		clearTimeout(snapshot);
		// A request written just before the stop can reach the probe after the run ended on a loaded machine (CI saw
		// one arrive late): wait, then count what arrived.
		await new Promise((resolve) => setTimeout(resolve, 400));

		expect(result.run.status).toBe('canceled');
		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const neverStarted = output.filter((item, index) => item.json.error === `The execution was stopped before item ${index} ran`);
		const started = items.length - neverStarted.length;
		expect(started).toBeLessThanOrEqual(16);
		// Every request comes from an item started before the stop: at most one per started item, and at most the four
		// that were in flight at the stop arrive after it.
		expect(probe.forwarded).toBeLessThanOrEqual(started);
		expect(probe.forwarded).toBeLessThanOrEqual(arrivedAtStop + 4);
	});
});
