/**
 * Issue #8: concurrent executions on one credential (one n8n DB row) share one token exchange, and one renewal
 * after the token expires. n8n itself has no lock around preAuthentication; the credential's single-flight does it.
 */
import type { RunWorkflowResult } from '../harness';
import { shutdownHarness } from '../harness';
import { CODES, createFleet, numberValue, startSimulator, type Simulator } from '../../tooling/simulator';
import {
	CLIENT_SECRET,
	apiRequests,
	byId,
	credentialStore,
	outputJson,
	resetBetweenTests,
	runSmartcar,
} from './smartcar-fixture';

const CONCURRENT_RUNS = 20;
const SECOND_SECRET = 'concurrency-second-secret';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'concurrency-spec', users: [{ vehicles: CONCURRENT_RUNS, powertrain: 'BEV' }] }),
	});
});

// Latency on every answer (the token endpoint included) keeps all twenty executions in flight together.
beforeEach(() => resetBetweenTests(sim, { latencyMs: 40 }));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

/** Run n reads the state of charge of vehicle n. */
async function concurrentRuns(store: ReturnType<typeof credentialStore>): Promise<RunWorkflowResult[]> {
	const userId = sim.fleet.users[0].id;
	return await Promise.all(
		sim.fleet.vehicles.map(
			async (vehicle) =>
				await runSmartcar(
					{ resource: 'signal', operation: 'get', userId, vehicleId: byId(vehicle.id), signalCode: CODES.soc },
					{ store },
				),
		),
	);
}

function expectEveryRunRead(runs: RunWorkflowResult[]): void {
	expect(runs.map((run) => run.error?.message)).toEqual(runs.map(() => undefined));
	expect(runs.map((run) => outputJson(run)[0].value)).toEqual(sim.fleet.vehicles.map((vehicle) => numberValue(vehicle, CODES.soc)));
}

test('20 concurrent executions on a fresh credential make exactly one token exchange', async () => {
	const store = credentialStore(sim);

	const runs = await concurrentRuns(store);

	expectEveryRunRead(runs);
	expect(sim.stats.tokenExchanges).toBe(1);
	const token = store.get('smartcarApi')?.accessToken;
	const requests = apiRequests(sim);
	expect(requests).toHaveLength(CONCURRENT_RUNS);
	expect(requests.every((request) => request.status === 200 && request.token === token)).toBe(true);
	// The executions really overlapped: several of them ran preAuthentication (each persists what it got).
	expect(store.writes.length).toBeGreaterThan(1);
	expect(new Set(store.writes.map((write) => write.data.accessToken))).toEqual(new Set([token]));
});

test('after Smartcar revokes the token, 20 concurrent executions renew it exactly once', async () => {
	const store = credentialStore(sim);
	expectEveryRunRead(await concurrentRuns(store));
	const oldToken = store.get('smartcarApi')?.accessToken;

	sim.expireTokens();
	sim.resetStats();
	const writesBefore = store.writes.length;
	const runs = await concurrentRuns(store);

	expectEveryRunRead(runs);
	expect(sim.stats.tokenExchanges).toBe(1);
	const newToken = store.get('smartcarApi')?.accessToken;
	expect(newToken).not.toBe(oldToken);
	const requests = apiRequests(sim);
	const rejected = requests.filter((request) => request.status === 401);
	const accepted = requests.filter((request) => request.status === 200);
	// Each request's first 401 comes back to the node, which notes the refused token and asks again through n8n; a
	// request asked again before the renewal is stored sends a placeholder instead of the refused token, and on that
	// second 401 n8n hands it the renewed token.
	const refusalsPerPath = new Map<string, number>();
	for (const request of rejected) refusalsPerPath.set(request.path, (refusalsPerPath.get(request.path) ?? 0) + 1);
	expect(refusalsPerPath.size).toBe(CONCURRENT_RUNS);
	expect([...refusalsPerPath.values()].every((count) => count <= 2)).toBe(true);
	expect(rejected.every((request) => request.token === oldToken || request.token === 'withheld-renew-first')).toBe(true);
	expect(accepted).toHaveLength(CONCURRENT_RUNS);
	expect(accepted.every((request) => request.token === newToken)).toBe(true);
	expect(store.writes.length - writesBefore).toBeGreaterThan(1);
});

test('two credentials with different secrets, run concurrently, get one exchange each and their own tokens', async () => {
	sim.setOptions({ clientSecrets: [CLIENT_SECRET, SECOND_SECRET] });
	const first = credentialStore(sim);
	const second = credentialStore(sim, { clientSecret: SECOND_SECRET });

	const [firstRuns, secondRuns] = await Promise.all([concurrentRuns(first), concurrentRuns(second)]);

	expectEveryRunRead(firstRuns);
	expectEveryRunRead(secondRuns);
	expect(sim.stats.tokenExchanges).toBe(2);
	const firstToken = first.get('smartcarApi')?.accessToken;
	const secondToken = second.get('smartcarApi')?.accessToken;
	expect(firstToken).not.toBe(secondToken);
	const tokens = apiRequests(sim).map((request) => request.token);
	expect(tokens.filter((token) => token === firstToken)).toHaveLength(CONCURRENT_RUNS);
	expect(tokens.filter((token) => token === secondToken)).toHaveLength(CONCURRENT_RUNS);
});

test('20 concurrent executions with a wrong secret each fail plainly and nothing is cached', async () => {
	const store = credentialStore(sim, { clientSecret: 'concurrency-wrong-secret' });

	const runs = await concurrentRuns(store);

	for (const run of runs) expect(run.error?.message).toContain('Smartcar rejected the client ID or secret');
	expect(sim.stats.tokenExchanges).toBe(0);
	expect(sim.stats.failedTokenExchanges).toBeGreaterThanOrEqual(1);
	expect(apiRequests(sim)).toHaveLength(0);

	store.set('smartcarApi', { ...store.get('smartcarApi'), clientSecret: CLIENT_SECRET });
	expectEveryRunRead(await concurrentRuns(store));
	expect(sim.stats.tokenExchanges).toBe(1);
});
