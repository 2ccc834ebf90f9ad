/**
 * The Smartcar API credential in other nodes. n8n's HTTP Request node sends through n8n-core's legacy
 * `requestWithAuthentication`, which asks the credential to renew after ANY failed request (not only a 401) and
 * sends the request again when a token comes back. A node here does exactly that, through the real n8n-core helper,
 * against the simulator: a failure that is not about the token must not be sent twice nor cost an exchange.
 */
import type { IDataObject, IHttpRequestMethods } from 'n8n-workflow';

import { shutdownHarness, type CredentialStore } from '../harness';
import { createFleet, smartcarErrors, startSimulator, type Simulator } from '../../tooling/simulator';
import { apiRequests, credentialStore, fault, resetBetweenTests } from '../nodes/smartcar-fixture';
import { sendLegacy } from './legacy-request';

let sim: Simulator;
let userId: string;
let vehicleId: string;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'legacy-helper-spec', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	vehicleId = sim.fleet.vehicles[0].id;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function send(store: CredentialStore, method: IHttpRequestMethods, path: string): Promise<IDataObject> {
	return await sendLegacy(store, { method, path, userId });
}

/** A credential whose token was obtained by a first, successful request. */
async function warmStore(): Promise<CredentialStore> {
	const store = credentialStore(sim);
	expect(await send(store, 'GET', `/vehicles/${vehicleId}`)).toEqual(expect.objectContaining({ ok: true }));
	expect(sim.stats.tokenExchanges).toBe(1);
	sim.resetStats();
	return store;
}

const lockPath = () => `/vehicles/${vehicleId}/commands/security/lock`;

test('a command answered 502 is sent once and costs no token exchange', async () => {
	const store = await warmStore();
	sim.failNext(fault(`/v3${lockPath()}`, smartcarErrors.upstream(), { method: 'POST', times: 5 }));
	expect(await send(store, 'POST', lockPath())).toEqual({ error: true, status: '502' });
	expect(apiRequests(sim).map((request) => [request.method, request.status])).toEqual([['POST', 502]]);
	expect(sim.stats.tokenExchanges).toBe(0);
});

test('a read answered 429 (or 404) is sent once and costs no token exchange', async () => {
	const store = await warmStore();
	sim.failNext(fault(`/v3/vehicles/${vehicleId}`, smartcarErrors.applicationRateLimit(1)));
	expect(await send(store, 'GET', `/vehicles/${vehicleId}`)).toEqual({ error: true, status: '429' });
	expect(await send(store, 'GET', '/vehicles/not-a-vehicle')).toEqual({ error: true, status: '404' });
	expect(apiRequests(sim).map((request) => request.status)).toEqual([429, 404]);
	expect(sim.stats.tokenExchanges).toBe(0);
});

test('a token past its stored expiry is renewed on the 401 and the request sent again once', async () => {
	const store = await warmStore();
	// As after an n8n restart: the stored token, nothing cached in this process, and an hour gone by.
	resetBetweenTests(sim);
	store.set('smartcarApi', { ...(store.get('smartcarApi') ?? {}), accessTokenExpiresAt: Date.now() - 1_000 });
	sim.expireTokens();
	expect(await send(store, 'GET', `/vehicles/${vehicleId}`)).toEqual(expect.objectContaining({ ok: true }));
	expect(apiRequests(sim).map((request) => request.status)).toEqual([401, 200]);
	expect(sim.stats.tokenExchanges).toBe(1);
});

test('a token stored without an expiry (by an earlier version) is renewed on a 401 as before', async () => {
	const store = await warmStore();
	resetBetweenTests(sim);
	const { accessTokenExpiresAt: _dropped, ...older } = store.get('smartcarApi') ?? {};
	store.set('smartcarApi', older);
	sim.expireTokens();
	expect(await send(store, 'GET', `/vehicles/${vehicleId}`)).toEqual(expect.objectContaining({ ok: true }));
	expect(apiRequests(sim).map((request) => request.status)).toEqual([401, 200]);
	expect(sim.stats.tokenExchanges).toBe(1);
});

test('a token Smartcar revokes before its expiry: this path fails with the 401 (no exchange) until a Smartcar node or the expiry renews it', async () => {
	const store = await warmStore();
	sim.expireTokens();
	expect(await send(store, 'GET', `/vehicles/${vehicleId}`)).toEqual({ error: true, status: '401' });
	expect(sim.stats.tokenExchanges).toBe(0);
});
