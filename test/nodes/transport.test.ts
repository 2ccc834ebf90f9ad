/**
 * The transport (SmartcarClient) seen through the Smartcar node: bounded retries for 429 and 5xx, no retry for
 * 430 and other 4xx, Smartcar errors (v3 and flat v2 form) turned into messages that say what to do, and the
 * sc-user-id header on every user-scoped request.
 */
import { shutdownHarness } from '../harness';
import { CODES, createFleet, numberValue, smartcarErrors, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
import {
	apiRequests,
	byId,
	credentialStore,
	errorOf,
	fault,
	outputJson,
	resetBetweenTests,
	runSmartcar,
	timed,
} from './smartcar-fixture';

jest.setTimeout(20_000);

let sim: Simulator;
let userId: string;
let ev: SimVehicle;
let signalsPath: string;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'transport-spec', users: [{ vehicles: 2, powertrain: ['BEV', 'ICE'] }, { vehicles: 1 }] }),
	});
	userId = sim.fleet.users[0].id;
	ev = sim.fleet.vehicles[0];
	signalsPath = `/v3/vehicles/${ev.id}/signals`;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function readAllSignals() {
	return await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store: credentialStore(sim) });
}

function statusesOf(path: string): number[] {
	return apiRequests(sim)
		.filter((request) => request.path === path)
		.map((request) => request.status);
}

function expectSignalsRead(result: Awaited<ReturnType<typeof readAllSignals>>): void {
	expect(result.error).toBeUndefined();
	const items = outputJson(result);
	expect(items).toHaveLength(ev.signals.length);
	expect(items.find((item) => item.code === CODES.soc)?.value).toBe(numberValue(ev, CODES.soc));
}

describe('429 rate limit', () => {
	test('retry-after 1 s: waits about a second, retries once and succeeds', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.rateLimit(1)));

		const { value: result, ms } = await timed(readAllSignals);

		expectSignalsRead(result);
		expect(statusesOf(signalsPath)).toEqual([429, 200]);
		expect(ms).toBeGreaterThanOrEqual(950);
		expect(ms).toBeLessThan(2500);
	});

	test('a rate limit that persists is retried 3 times, then fails with a rate-limit message', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.rateLimit(1), { times: 10 }));

		const { value: result, ms } = await timed(readAllSignals);

		expect(statusesOf(signalsPath)).toEqual([429, 429, 429, 429]);
		expect(ms).toBeGreaterThanOrEqual(2900);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Vehicle Rate Limit (HTTP 429 RATE_LIMIT:VEHICLE)');
		expect(error.description).toContain('Smartcar asks to wait 1 s before the next request.');
		expect(error.description).toContain('the retries ran out');
		expect(error.httpCode).toBe('429');
	});

	test('retry-after 3600 s: fails at once and says how long Smartcar asked to wait', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.rateLimit(3600)));

		const { value: result, ms } = await timed(readAllSignals);

		expect(statusesOf(signalsPath)).toEqual([429]);
		expect(ms).toBeLessThan(1000);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Vehicle Rate Limit (HTTP 429 RATE_LIMIT:VEHICLE)');
		expect(error.description).toContain('Smartcar asks to wait 3600 s before the next request.');
		expect(error.httpCode).toBe('429');
	});
});

describe('430 and other client errors are not retried', () => {
	test('430 billing: exactly one request and a clear BILLING message', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.billing(), { times: 5 }));

		const result = await readAllSignals();

		expect(statusesOf(signalsPath)).toEqual([430]);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Vehicle Request Limit (HTTP 430 BILLING:VEHICLE_REQUEST_LIMIT)');
		expect(error.description).toContain('You have reached the monthly request limit for this vehicle under your current plan.');
		expect(error.description).toContain('The monthly call allowance for this vehicle or application is used up. It is not retried');
		expect(error.description).toContain('Docs: https://smartcar.com/docs/errors/api-errors/v3/billing-errors#vehicle-request-limit');
		expect(error.httpCode).toBe('430');
	});

	test('409 vehicle state: one request, a clear message quoting the sc-request-id', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.vehicleState('ASLEEP'), { headers: { 'sc-request-id': 'req-asleep-0001' } }));

		const result = await readAllSignals();

		expect(statusesOf(signalsPath)).toEqual([409]);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Vehicle Asleep (HTTP 409 VEHICLE_STATE:ASLEEP)');
		expect(error.description).toContain('The vehicle is unable to perform your request in its current state (ASLEEP).');
		expect(error.description).toContain('asleep, unreachable or not plugged in');
		expect(error.description).toContain('Smartcar request ID: req-asleep-0001.');
		expect(error.httpCode).toBe('409');
	});

	test('404 from Smartcar: the message and the detail name what was not found', async () => {
		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'get', userId, vehicleId: byId('0000-no-such-vehicle') },
			{ store: credentialStore(sim) },
		);

		expect(statusesOf('/v3/vehicles/0000-no-such-vehicle')).toEqual([404]);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(error.description).toContain('Vehicle 0000-no-such-vehicle was not found.');
		expect(error.description).toContain('Check the IDs');
		expect(error.httpCode).toBe('404');
	});

	test('a vehicle of another user is a 404 too (sc-user-id scopes the request)', async () => {
		const otherUser = sim.fleet.users[1].id;
		const result = await runSmartcar(
			{ resource: 'signal', operation: 'getAll', userId: otherUser, vehicleId: byId(ev.id) },
			{ store: credentialStore(sim) },
		);

		expect(errorOf(result).message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(apiRequests(sim)).toEqual([expect.objectContaining({ path: signalsPath, userId: otherUser, status: 404 })]);
	});

	test('a non-JSON error body (a proxy page) still gives a readable message', async () => {
		sim.failNext({ path: signalsPath, status: 403, body: 'Forbidden by gateway policy', headers: { 'content-type': 'text/plain' } });

		const result = await readAllSignals();

		expect(statusesOf(signalsPath)).toEqual([403]);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Forbidden by gateway policy (HTTP 403 PERMISSION)');
		expect(error.httpCode).toBe('403');
	});
});

describe('5xx: retried after 0.5, 1 and 2 s', () => {
	test('one 500 is retried and the read succeeds', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.server()));

		const { value: result, ms } = await timed(readAllSignals);

		expectSignalsRead(result);
		expect(statusesOf(signalsPath)).toEqual([500, 200]);
		expect(ms).toBeGreaterThanOrEqual(450);
	});

	test('two 502s are retried and the read succeeds', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.upstream(), { times: 2 }));

		const { value: result, ms } = await timed(readAllSignals);

		expectSignalsRead(result);
		expect(statusesOf(signalsPath)).toEqual([502, 502, 200]);
		expect(ms).toBeGreaterThanOrEqual(1450);
	});

	test('a 502 that persists fails after 3 retries (4 requests) with an UPSTREAM message', async () => {
		sim.failNext(fault(signalsPath, smartcarErrors.upstream(), { times: 10 }));

		const { value: result, ms } = await timed(readAllSignals);

		expect(statusesOf(signalsPath)).toEqual([502, 502, 502, 502]);
		expect(ms).toBeGreaterThanOrEqual(3400);
		expect(ms).toBeLessThan(8000);
		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Upstream Error (HTTP 502 UPSTREAM:UNKNOWN_ISSUE)');
		expect(error.description).toContain("The automaker's servers did not answer Smartcar and the retries ran out.");
		expect(error.httpCode).toBe('502');
	});
});

describe('network failures', () => {
	test('a dropped connection is retried and the read succeeds', async () => {
		// A header value the simulator cannot write makes it destroy the socket: the client sees ECONNRESET.
		sim.failNext({ path: signalsPath, status: 200, body: {}, headers: { 'x-broken': 'line\nbreak' } });

		const { value: result, ms } = await timed(readAllSignals);

		expectSignalsRead(result);
		// The dropped request never got an answer, so only the retry is in the simulator's log.
		expect(statusesOf(signalsPath)).toEqual([200]);
		expect(ms).toBeGreaterThanOrEqual(450);
	});

	test('an unreachable API names the API base URL', async () => {
		const closed = await startSimulator();
		const apiBaseUrl = closed.apiBaseUrl;
		await closed.close();

		const result = await runSmartcar(
			{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) },
			{ store: credentialStore(sim, { apiBaseUrl }) },
		);

		// n8n's NodeApiError replaces any message containing "ECONNREFUSED" by its generic "The service refused the
		// connection - perhaps it is offline": the message names the API base URL, the description the reason.
		const error = errorOf(result);
		expect(error.message).toContain(`Could not reach Smartcar at ${apiBaseUrl}`);
		expect(`${String(error.message)} ${String(error.description)}`).toContain('ECONNREFUSED');
		expect(apiRequests(sim)).toHaveLength(0);
	});
});

describe('the flat v2 error form', () => {
	test('errors in the flat form give a message from their description and quote the request id', async () => {
		sim.setOptions({ errorForm: 'flat' });

		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'get', userId, vehicleId: byId('0000-no-such-vehicle') },
			{ store: credentialStore(sim) },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Vehicle 0000-no-such-vehicle was not found. (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(error.description).toMatch(/Smartcar request ID: [0-9a-f-]{36}\./);
		expect(error.description).toContain('Message for the driver: The requested resource could not be found.');
		expect(error.description).toContain('Docs: https://smartcar.com/docs/errors/api-errors/v3/resource-not-found-errors');
		expect(error.httpCode).toBe('404');
	});

	test('a flat vehicle-state error carries the resolution and the message for the driver', async () => {
		sim.failNext(
			fault(signalsPath, smartcarErrors.vehicleState('UNREACHABLE', 'flat'), { headers: { 'sc-request-id': 'req-flat-0002' } }),
		);

		const result = await readAllSignals();

		const error = errorOf(result);
		expect(error.message).toBe(
			'Smartcar: The vehicle is unable to perform your request in its current state (UNREACHABLE). (HTTP 409 VEHICLE_STATE:UNREACHABLE)',
		);
		expect(error.description).toContain('Resolution: RETRY_LATER.');
		expect(error.description).toContain(
			'Message for the driver: Your vehicle is unable to perform this request right now. Please try again later.',
		);
		expect(error.description).toContain('Smartcar request ID: req-flat-0002.');
	});
});

describe('sc-user-id', () => {
	test('is sent with the user\'s ID on signals, commands, vehicles and the user\'s connections', async () => {
		const store = credentialStore(sim);
		const vehicleId = byId(ev.id);
		const operations = [
			{ resource: 'signal', operation: 'getAll', userId, vehicleId },
			{ resource: 'signal', operation: 'get', userId, vehicleId, signalCode: CODES.odometer },
			{ resource: 'command', operation: 'lock', userId, vehicleId },
			{ resource: 'vehicle', operation: 'get', userId, vehicleId },
			{ resource: 'vehicle', operation: 'getMany', userId, returnAll: true },
			{ resource: 'connection', operation: 'getMany', userId, returnAll: true },
		];
		for (const parameters of operations) expect((await runSmartcar(parameters, { store })).error).toBeUndefined();

		expect(apiRequests(sim).map((request) => [request.method, request.path, request.userId])).toEqual([
			['GET', signalsPath, userId],
			['GET', `${signalsPath}/${CODES.odometer}`, userId],
			['POST', `/v3/vehicles/${ev.id}/commands/security/lock`, userId],
			['GET', `/v3/vehicles/${ev.id}`, userId],
			['GET', '/v3/connections', userId],
			['GET', '/v3/connections', userId],
		]);
	});

	test('is not sent when Connection → Get Many has no user (every user\'s connections)', async () => {
		const result = await runSmartcar({ resource: 'connection', operation: 'getMany', returnAll: true }, { store: credentialStore(sim) });

		expect(outputJson(result)).toHaveLength(sim.fleet.connections.length);
		expect(apiRequests(sim).map((request) => request.userId)).toEqual([undefined]);
	});
});
