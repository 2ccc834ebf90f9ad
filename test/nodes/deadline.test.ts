/**
 * Bounded time: every request has a total deadline (a server that trickles bytes never trips an idle timeout),
 * and a stopped execution stops waiting for an answer and for a retry at once.
 */
import { shutdownHarness } from '../harness';
import { REQUEST_LIMITS } from '../../nodes/shared/transport';
import { createFleet, smartcarErrors, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
import { apiRequests, byId, credentialStore, errorOf, fault, resetBetweenTests, runSmartcar, timed } from './smartcar-fixture';

jest.setTimeout(30_000);

let sim: Simulator;
let userId: string;
let ev: SimVehicle;
let signalsPath: string;
const defaultLimits = { ...REQUEST_LIMITS };

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'deadline', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	ev = sim.fleet.vehicles[0];
	signalsPath = `/v3/vehicles/${ev.id}/signals`;
});

beforeEach(() => resetBetweenTests(sim));

afterEach(() => Object.assign(REQUEST_LIMITS, defaultLimits));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function readSignals(cancelAfterMs?: number) {
	return await runSmartcar(
		{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) },
		{ store: credentialStore(sim), cancelAfterMs },
	);
}

test('a read that trickles past the total deadline fails with a clear message instead of hanging', async () => {
	REQUEST_LIMITS.deadlineMs = 1000;
	sim.failNext({ path: signalsPath, status: 200, mode: 'trickle', trickleIntervalMs: 100, times: 5 });

	const { value: result, ms } = await timed(async () => await readSignals());

	expect(errorOf(result).message).toBe(`Smartcar at ${sim.apiBaseUrl} did not answer within 1 s`);
	expect(apiRequests(sim).filter((request) => request.path === signalsPath)).toHaveLength(1);
	expect(ms).toBeLessThan(5000);
});

test('a stopped execution stops waiting for an answer that never comes', async () => {
	sim.failNext({ path: signalsPath, status: 200, mode: 'trickle', trickleIntervalMs: 100, times: 5 });

	const { ms } = await timed(async () => await readSignals(500));

	expect(ms).toBeLessThan(4000);
	expect(apiRequests(sim).filter((request) => request.path === signalsPath)).toHaveLength(1);
});

test('a stopped execution stops waiting for a retry (429 asking for 30 s) and sends nothing more', async () => {
	sim.failNext(fault(signalsPath, smartcarErrors.rateLimit(30), { times: 5 }));

	const { ms } = await timed(async () => await readSignals(500));

	expect(ms).toBeLessThan(4000);
	expect(apiRequests(sim).filter((request) => request.path === signalsPath)).toHaveLength(1);
});
