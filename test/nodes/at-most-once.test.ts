/**
 * Anything that changes a car or an account (commands, Delete User) is sent at most once: it is sent again only
 * when Smartcar says it did not carry it out (429 with retry-after) or when the request never left this machine
 * (connection refused). After a 5xx, a connection reset after sending or a timeout, the error says the request may
 * or may not have run, what to read to find out, and Smartcar's request ID. Reads keep their retries.
 */
import { shutdownHarness } from '../harness';
import { REQUEST_LIMITS } from '../../nodes/shared/transport';
import { createFleet, smartcarErrors, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
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

jest.setTimeout(30_000);

let sim: Simulator;
let userId: string;
let ev: SimVehicle;
let unlockPath: string;
const defaultLimits = { ...REQUEST_LIMITS };

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'at-most-once', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	ev = sim.fleet.vehicles[0];
	unlockPath = `/v3/vehicles/${ev.id}/commands/security/unlock`;
});

beforeEach(() => resetBetweenTests(sim));

afterEach(() => Object.assign(REQUEST_LIMITS, defaultLimits));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function unlock() {
	return await runSmartcar({ resource: 'command', operation: 'unlock', userId, vehicleId: byId(ev.id) }, { store: credentialStore(sim) });
}

function requestsTo(path: string, method = 'POST') {
	return apiRequests(sim).filter((request) => request.path === path && request.method === method);
}

describe('a command whose outcome is unknown is not sent again', () => {
	test.each([
		['500 SERVER', smartcarErrors.server()],
		['502 UPSTREAM', smartcarErrors.upstream()],
	])('%s: one POST, and the error says it may have run, what to read and the request ID', async (_name, response) => {
		sim.failNext(fault(unlockPath, { ...response, headers: { ...response.headers } }, { times: 5 }));

		const result = await unlock();

		expect(requestsTo(unlockPath)).toHaveLength(1);
		const error = errorOf(result);
		expect(error.message).toMatch(/^Smartcar did not confirm the request; it may or may not have been carried out \(HTTP 50\d /);
		expect(String(error.description)).toContain('It was not sent again');
		expect(String(error.description)).toContain('closure-islocked');
		expect(String(error.description)).toMatch(/Smartcar request ID: [0-9a-f-]{36}\./);
	});

	test('a connection reset after the request was read: one POST, outcome unknown', async () => {
		sim.failNext({ path: unlockPath, status: 200, mode: 'drop', times: 5 });

		const result = await unlock();

		expect(requestsTo(unlockPath)).toHaveLength(1);
		expect(errorOf(result).message).toContain('may or may not have been carried out (the connection was lost after the request was sent)');
		expect(String(errorOf(result).description)).toContain('Reason: ECONNRESET.');
	});

	test('no answer before the deadline (a server trickling bytes): one POST, outcome unknown', async () => {
		REQUEST_LIMITS.deadlineMs = 1500;
		sim.failNext({ path: unlockPath, status: 200, mode: 'trickle', trickleIntervalMs: 100, times: 5 });

		const { value: result, ms } = await timed(unlock);

		expect(requestsTo(unlockPath)).toHaveLength(1);
		expect(errorOf(result).message).toContain('may or may not have been carried out (no answer within 2 s)');
		expect(ms).toBeLessThan(6000);
	});

	test('Delete User on a 502: one DELETE, and the error says how to check', async () => {
		const path = `/v3/users/${userId}`;
		sim.failNext(fault(path, smartcarErrors.upstream(), { times: 5 }));

		const result = await runSmartcar({ resource: 'user', operation: 'delete', userId }, { store: credentialStore(sim) });

		expect(requestsTo(path, 'DELETE')).toHaveLength(1);
		expect(errorOf(result).message).toContain('may or may not have been carried out (HTTP 502');
		expect(String(errorOf(result).description)).toContain('Connection → Get Many');
	});
});

describe('a command Smartcar says it did not run is sent again', () => {
	test('429 with retry-after: two POSTs, the second succeeds', async () => {
		sim.failNext(fault(unlockPath, smartcarErrors.rateLimit(1)));

		const result = await unlock();

		expect(result.error).toBeUndefined();
		expect(requestsTo(unlockPath).map((request) => request.status)).toEqual([429, 200]);
		expect(outputJson(result)[0]).toMatchObject({ command: 'unlock', status: 'SUCCESS' });
	});

	test('429 without retry-after: not retried (Smartcar did not say when it is safe)', async () => {
		const limited = smartcarErrors.rateLimit(1);
		sim.failNext(fault(unlockPath, { ...limited, headers: {} }));

		const result = await unlock();

		expect(requestsTo(unlockPath)).toHaveLength(1);
		expect(errorOf(result).message).toContain('HTTP 429');
	});

	test('connection refused (the request never left): retried, then a clear error', async () => {
		const closed = await startSimulator();
		const apiBaseUrl = closed.apiBaseUrl;
		await closed.close();

		const { value: result, ms } = await timed(
			async () =>
				await runSmartcar(
					{ resource: 'command', operation: 'unlock', userId, vehicleId: byId(ev.id) },
					{ store: credentialStore(sim, { apiBaseUrl }) },
				),
		);

		expect(errorOf(result).message).toContain('Could not reach Smartcar at');
		expect(String(errorOf(result).description)).toContain('ECONNREFUSED');
		// 0.5 + 1 + 2 s of back-off: three retries.
		expect(ms).toBeGreaterThanOrEqual(3400);
	});
});

describe('reads keep their retries', () => {
	test('a read after a reset is retried and succeeds', async () => {
		const path = `/v3/vehicles/${ev.id}/signals`;
		sim.failNext({ path, status: 200, mode: 'drop' });

		const result = await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store: credentialStore(sim) });

		expect(result.error).toBeUndefined();
		expect(apiRequests(sim).filter((request) => request.path === path).map((request) => request.status)).toEqual([0, 200]);
	});
});
