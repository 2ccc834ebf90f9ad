/**
 * Issue #20, point 1: at most once through n8n's HTTP Request node, whatever the timing. n8n-core's legacy
 * `requestWithAuthentication` asks the credential to renew after ANY failed request and sends the request again when
 * a token comes back, so a request that reached Smartcar with a token it accepts must never get a token back. Each
 * spec answers an unlock with 502 (only when Smartcar accepts the token, as Smartcar authenticates first) and counts
 * the POSTs Smartcar accepted, with the clock (Date only; timers stay real) set at each boundary: the last minute of
 * the token, a refusal the Smartcar node saw, a token stored by 0.1.0, and a token another worker saved.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestHelper } from 'n8n-workflow';

import { SmartcarApi } from '../../credentials/SmartcarApi.credentials';
import { clearTokenCache } from '../../credentials/smartcar-token';
import { shutdownHarness, type CredentialStore } from '../harness';
import { createFleet, smartcarErrors, startSimulator, type Simulator } from '../../tooling/simulator';
import { apiRequests, byId, credentialStore, fault, resetBetweenTests, runSmartcar } from '../nodes/smartcar-fixture';
import { sendLegacy } from './legacy-request';

const HOUR = 3_600_000;
const MARGIN = 60_000;
const REAL_TIMERS = [
	'hrtime',
	'nextTick',
	'performance',
	'queueMicrotask',
	'setImmediate',
	'clearImmediate',
	'setInterval',
	'clearInterval',
	'setTimeout',
	'clearTimeout',
] as const;
const T0 = Date.now();

let sim: Simulator;
let userId: string;
let vehicleId: string;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'legacy-renewal-spec', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	vehicleId = sim.fleet.vehicles[0].id;
});

beforeEach(() => {
	jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: T0 });
	resetBetweenTests(sim);
});

afterEach(() => jest.useRealTimers());

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

const lockPath = () => `/vehicles/${vehicleId}/commands/security/lock`;

/** A credential whose token was obtained at T0 by a first request (expiring at T0 + 1 h, in the row and in memory). */
async function warmStore(): Promise<CredentialStore> {
	const store = credentialStore(sim);
	expect(await sendLegacy(store, { method: 'GET', path: `/vehicles/${vehicleId}`, userId })).toEqual(expect.objectContaining({ ok: true }));
	expect(store.get('smartcarApi')?.accessTokenExpiresAt).toBe(T0 + HOUR);
	sim.resetStats();
	return store;
}

/** The credential as n8n gives it, whose preAuthentication first moves the clock: time passing during the request. */
function clockMovesDuringRequest(to: number): ICredentialType {
	const real = new SmartcarApi();
	const moving = Object.create(real) as SmartcarApi;
	moving.preAuthentication = async function (this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		jest.setSystemTime(to);
		return await real.preAuthentication.call(this, credentials);
	};
	return moving;
}

/** An unlock through the legacy helper, answered 502 whenever Smartcar accepts its token; the statuses Smartcar gave. */
async function unlockAnswered502(store: CredentialStore, credentialType?: ICredentialType): Promise<number[]> {
	sim.failNext(fault(`/v3${lockPath()}`, smartcarErrors.upstream(), { method: 'POST', times: 5, authenticated: true }));
	expect(await sendLegacy(store, { method: 'POST', path: lockPath(), userId }, { credentialType })).toEqual({ error: true, status: '502' });
	return apiRequests(sim)
		.filter((request) => request.method === 'POST')
		.map((request) => request.status);
}

describe('the last minute of the token', () => {
	test.each([
		// [clock when the unlock starts, clock when it has failed, what Smartcar answered, token exchanges]
		['more than a minute left: sent, and the 502 is reported', HOUR - MARGIN - 1, undefined, [502], 0],
		['more than a minute left when sent, less when the 502 came: not sent again', HOUR - MARGIN - 1, HOUR - 30_000, [502], 0],
		['exactly a minute left: not sent; the 401 renews it and the unlock reaches Smartcar once', HOUR - MARGIN, undefined, [401, 502], 1],
		['a millisecond left: not sent; renewed, then sent once', HOUR - 1, undefined, [401, 502], 1],
	])('%s', async (_name, startsAt, failsAt, statuses, exchanges) => {
		const store = await warmStore();
		jest.setSystemTime(T0 + startsAt);
		const credentialType = failsAt === undefined ? undefined : clockMovesDuringRequest(T0 + failsAt);
		expect(await unlockAnswered502(store, credentialType)).toEqual(statuses);
		expect(sim.stats.tokenExchanges).toBe(exchanges);
	});
});

describe('a 401 the Smartcar node saw, whose retry then succeeded', () => {
	test.each([
		['a second later', 1_000],
		['ten minutes later', 600_000],
	])('an unlock through HTTP Request %s, answered 502, reaches Smartcar once', async (_name, later) => {
		const store = await warmStore();
		sim.failNext(fault(`/v3/vehicles/${vehicleId}`, smartcarErrors.unauthorized()));
		const read = await runSmartcar({ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(vehicleId) }, { store });
		expect(read.error).toBeUndefined();
		sim.resetStats();
		jest.setSystemTime(T0 + later);
		expect(await unlockAnswered502(store)).toEqual([502]);
		expect(sim.stats.tokenExchanges).toBe(0);
	});
});

describe('a token stored by 0.1.0 (no expiry, no fingerprint), after a restart', () => {
	test('is not sent: the 401 renews it and the unlock reaches Smartcar once', async () => {
		const store = await warmStore();
		const { accessTokenExpiresAt: _expiry, accessTokenIssuedFor: _issuedFor, ...stored } = store.get('smartcarApi') ?? {};
		store.set('smartcarApi', stored);
		clearTokenCache();
		expect(await unlockAnswered502(store)).toEqual([401, 502]);
		expect(sim.stats.tokenExchanges).toBe(1);
	});
});

describe("a token another worker saved in the credential", () => {
	/** This process holds its own token and saw a 401 at T0 (the Smartcar node renewed); then another worker saves its token. */
	async function savedByAnotherWorker(expiresAt: number): Promise<CredentialStore> {
		const store = await warmStore();
		sim.failNext(fault(`/v3/vehicles/${vehicleId}`, smartcarErrors.unauthorized()));
		expect((await runSmartcar({ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(vehicleId) }, { store })).error).toBeUndefined();
		store.set('smartcarApi', { ...store.get('smartcarApi'), accessToken: sim.issueToken(), accessTokenExpiresAt: expiresAt });
		sim.resetStats();
		return store;
	}

	test.each([
		['50 s after this process saw a 401', 50_000],
		['70 s after', 70_000],
	])('is sent, and a 502 %s is not renewed', async (_name, later) => {
		const store = await savedByAnotherWorker(T0 + HOUR);
		jest.setSystemTime(T0 + later);
		expect(await unlockAnswered502(store)).toEqual([502]);
		expect(sim.stats.tokenExchanges).toBe(0);
	});

	test('in its last minute: not sent; renewed, then the unlock reaches Smartcar once', async () => {
		const store = await savedByAnotherWorker(T0 + 30_000);
		expect(await unlockAnswered502(store)).toEqual([401, 502]);
		expect(sim.stats.tokenExchanges).toBe(1);
	});
});
