/**
 * Issue #20, point 3: a fair limiter. Spacing and pauses are the credential's own (its n8n ID), so another credential
 * with the same public client ID, any secret and a tiny quota cannot stall it; no request waits beyond the 60 s bound
 * for a slot (it fails without sending); a slot comes back when its execution stops or its request fails before it
 * is sent; a quota below 0.01/s is refused. Over real HTTP against the simulator, executions in parallel in-process.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { CredentialStore, shutdownHarness, type RunWorkflowResult } from '../harness';
import { CODES, createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { apiRequests, byId, credentialData, errorOf, fromItem, outputJson, resetBetweenTests, runSmartcar, timed, type RunSmartcarOptions } from './smartcar-fixture';

jest.setTimeout(30_000);

let sim: Simulator;
let userId: string;
let vehicleIds: string[];

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'fair-limiter-spec', users: [{ vehicles: 8, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	vehicleIds = sim.fleet.vehicles.map((vehicle) => vehicle.id);
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

/** A saved credential with its own n8n ID, pointing at the simulator. */
function credential(id: string, overrides: ICredentialDataDecryptedObject = {}): CredentialStore {
	const store = new CredentialStore();
	store.set('smartcarApi', credentialData(sim, overrides), { id, name: id });
	return store;
}

/** Signal → Get of the state of charge, one item per vehicle ID given. */
async function readCharge(vehicles: string[], options: Omit<RunSmartcarOptions, 'items'>): Promise<RunWorkflowResult> {
	return await runSmartcar(
		{ resource: 'signal', operation: 'get', userId, vehicleId: byId(fromItem('vehicleId') as string), signalCode: CODES.soc },
		{ ...options, items: vehicles.map((vehicleId) => ({ vehicleId })) },
	);
}

async function unlock(store: CredentialStore, cancelAfterMs: number): Promise<RunWorkflowResult> {
	return await runSmartcar({ resource: 'command', operation: 'unlock', userId, vehicleId: byId(vehicleIds[0]) }, { store, cancelAfterMs });
}

describe('another credential never slows this one', () => {
	test('same client ID, a wrong secret and 0.02/s, 16 reads stopped after 300 ms: this credential\'s unlock goes at once', async () => {
		const mine = credential('cred-mine', { maxRequestsPerSecond: 5 });
		const theirs = credential('cred-theirs', { clientSecret: 'any-secret-at-all', maxRequestsPerSecond: 0.02 });

		await readCharge([...vehicleIds, ...vehicleIds], { store: theirs, cancelAfterMs: 300 });
		const { value: result, ms } = await timed(async () => await unlock(mine, 5_000));

		expect(result.error).toBeUndefined();
		expect(ms).toBeLessThan(2_000);
		expect(apiRequests(sim).map((request) => `${request.method} ${request.status}`)).toEqual(['POST 200']);
	});
});

describe('Max Requests per Second below 0.01 (or not a number of requests)', () => {
	test.each([0.001, 0.0099, -1, 'fast'])('%p is refused with a clear error, before any request', async (quota) => {
		const result = await readCharge(vehicleIds.slice(0, 2), { store: credential('cred-slow', { maxRequestsPerSecond: quota }), cancelAfterMs: 5_000 });

		expect(errorOf(result).message).toBe(
			`Max Requests per Second of the Smartcar API credential is ${String(quota)}: use 0 for no limit, or at least 0.01 (one request every 100 s)`,
		);
		expect(sim.stats.requests).toEqual([]);
	});
});

describe('no wait beyond the 60 s bound', () => {
	test('at 0.01/s the second request would wait 100 s: it fails at once, without being sent', async () => {
		const store = credential('cred-bound', { maxRequestsPerSecond: 0.01 });

		const { value: result, ms } = await timed(async () => await readCharge(vehicleIds.slice(0, 2), { store, onError: 'continueRegularOutput', cancelAfterMs: 5_000 }));

		expect(ms).toBeLessThan(3_000);
		const [first, second] = outputJson(result);
		expect(first.error).toBeUndefined();
		expect(second.error).toMatch(/^Max Requests per Second \(0\.01\) of the Smartcar API credential lets the next request go in 10\d s, longer than the 60 s this node waits; the request was not sent$/);
		expect(apiRequests(sim)).toHaveLength(1);
	});
});

describe('a reserved slot comes back', () => {
	test('when its execution stops: the next execution of the credential is not spaced after slots nobody uses', async () => {
		const store = credential('cred-stop', { maxRequestsPerSecond: 2 });
		// 8 vehicles at once: slots at 0, 0.5, …, 3.5 s; stopped at 200 ms, after the first was sent.
		await readCharge(vehicleIds, { store, cancelAfterMs: 200 });
		expect(apiRequests(sim)).toHaveLength(1);

		const { value: result, ms } = await timed(async () => await readCharge([vehicleIds[0]], { store, cancelAfterMs: 5_000 }));

		expect(result.error).toBeUndefined();
		expect(ms).toBeLessThan(1_500);
	});

	test('when its request fails before it is sent (the token exchange failed)', async () => {
		const store = credential('cred-fix', { maxRequestsPerSecond: 0.5, clientSecret: 'a-mistyped-secret' });
		expect(errorOf(await readCharge([vehicleIds[0]], { store })).message).toContain('Smartcar rejected the client ID or secret');

		store.set('smartcarApi', credentialData(sim, { maxRequestsPerSecond: 0.5 }));
		const { value: result, ms } = await timed(async () => await readCharge([vehicleIds[0]], { store, cancelAfterMs: 5_000 }));

		expect(result.error).toBeUndefined();
		expect(ms).toBeLessThan(1_000);
	});
});
