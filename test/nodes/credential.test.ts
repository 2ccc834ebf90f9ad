/**
 * The Smartcar API credential: client-credentials exchange in preAuthentication, persisted by n8n in the
 * credential, renewed once on a 401, never leaking the secret, the token or the management token.
 * Real workflows through the in-process n8n harness against the Smartcar simulator over HTTP.
 */
import { shutdownHarness, testCredential, type CredentialStore } from '../harness';
import { CODES, createFleet, numberValue, smartcarErrors, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
import {
	CLIENT_SECRET,
	MANAGEMENT_TOKEN,
	apiRequests,
	byId,
	credentialData,
	credentialStore,
	credentialTypes,
	errorOf,
	fault,
	outputJson,
	resetBetweenTests,
	runSmartcar,
	visibleText,
} from './smartcar-fixture';

const SECOND_SECRET = 'second-client-secret-4d1e';
const WRONG_SECRET = 'wrong-client-secret-77aa19';
const REJECTED = 'Smartcar rejected the client ID or secret';

let sim: Simulator;
let userId: string;
let vehicle: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'credential-spec', users: [{ vehicles: 2, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	vehicle = sim.fleet.vehicles[0];
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

function socParameters() {
	return {
		resource: 'signal',
		operation: 'get',
		userId,
		vehicleId: byId(vehicle.id),
		signalCode: 'tractionbattery-stateofcharge',
	};
}

async function readSoc(store: CredentialStore, count = 1) {
	return await runSmartcar(socParameters(), { store, items: Array.from({ length: count }, (_, n) => ({ n })) });
}

function storedToken(store: CredentialStore): string {
	const token = store.get('smartcarApi')?.accessToken;
	if (typeof token !== 'string') throw new Error('no stored token');
	return token;
}

describe('token exchange and persistence', () => {
	test('5 runs making 1,000 API requests cause exactly one token exchange, persisted in the credential like n8n', async () => {
		const store = credentialStore(sim);
		const soc = numberValue(vehicle, CODES.soc);
		expect(typeof soc).toBe('number');

		for (let run = 0; run < 5; run++) {
			const result = await readSoc(store, 200);
			expect(result.error).toBeUndefined();
			const items = outputJson(result);
			expect(items).toHaveLength(200);
			expect(items.map((item) => item.value)).toEqual(Array.from({ length: 200 }, () => soc));
		}

		expect(sim.stats.tokenExchanges).toBe(1);
		expect(sim.stats.failedTokenExchanges).toBe(0);
		const requests = apiRequests(sim);
		expect(requests).toHaveLength(1000);
		const token = storedToken(store);
		expect(token).toMatch(/^sim_/);
		expect(requests.every((request) => request.status === 200 && request.token === token)).toBe(true);

		// n8n writes the whole stored row plus the preAuthentication output, once.
		expect(store.writes).toHaveLength(1);
		expect(store.writes[0]).toMatchObject({ type: 'smartcarApi', source: 'updateCredentials' });
		expect(store.get('smartcarApi')).toEqual({
			...credentialData(sim),
			accessToken: token,
			accessTokenIssuedFor: expect.stringMatching(/^[0-9a-f]{64}$/),
			accessTokenExpiresAt: expect.any(Number),
		});
		// Smartcar's expires_in (an hour), as the epoch milliseconds n8n stored.
		expect(store.get('smartcarApi')?.accessTokenExpiresAt).toBeGreaterThan(Date.now() + 59 * 60_000);
		// 1,000 real HTTP requests: a few seconds, over jest's 5 s default on a loaded 2-core machine (the count, not the
		// time, is what this spec is about).
	}, 60_000);

	test('whitespace pasted around the client ID and secret is trimmed before the exchange', async () => {
		const result = await readSoc(credentialStore(sim, { clientId: '  demo-client-id ', clientSecret: ` ${CLIENT_SECRET}\n` }));
		// The simulator only accepts the exact values.
		expect(result.error).toBeUndefined();
		expect(sim.stats.tokenExchanges).toBe(1);
		const exchange = sim.stats.requests.find((request) => request.path === '/oauth2/token');
		expect(exchange).toMatchObject({ method: 'POST', status: 200, query: {} });
	});

	test('after Smartcar revokes the token the next request gets 401, the token is renewed exactly once and the run succeeds', async () => {
		const store = credentialStore(sim);
		expect((await readSoc(store)).error).toBeUndefined();
		const oldToken = storedToken(store);

		sim.expireTokens();
		sim.resetStats();
		const result = await readSoc(store, 3);

		expect(result.error).toBeUndefined();
		expect(outputJson(result).map((item) => item.value)).toEqual([
			numberValue(vehicle, CODES.soc),
			numberValue(vehicle, CODES.soc),
			numberValue(vehicle, CODES.soc),
		]);
		expect(sim.stats.tokenExchanges).toBe(1);
		const newToken = storedToken(store);
		expect(newToken).not.toBe(oldToken);
		// The first 401 comes back to the node, which notes that this token was refused and asks again through n8n:
		// the refused token is not sent again (a placeholder is), and n8n renews on that 401 (the token was still good
		// by the clock, so nothing else would tell).
		expect(apiRequests(sim).map((request) => [request.status, request.token])).toEqual([
			[401, oldToken],
			[401, 'withheld-renew-first'],
			[200, newToken],
			[200, newToken],
			[200, newToken],
		]);
		expect(store.writes).toHaveLength(2);
	});

	test('a token rejected again right after renewal fails the item with an authentication error (no loop)', async () => {
		const store = credentialStore(sim);
		const path = `/v3/vehicles/${vehicle.id}/signals/tractionbattery-stateofcharge`;
		sim.failNext(fault(path, smartcarErrors.unauthorized(), { times: 3 }));

		const result = await readSoc(store);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Unauthorized (HTTP 401 AUTHENTICATION:UNAUTHORIZED)');
		expect(error.description).toContain('Check the Client ID and Client Secret of the Smartcar API credential.');
		expect(error.httpCode).toBe('401');
		// 401 (noted), 401 (n8n renews), 401 with the renewed token: an error, not another renewal.
		expect(apiRequests(sim).map((request) => request.status)).toEqual([401, 401, 401]);
		// One exchange for the empty token, one renewal after the first 401; none after the second.
		expect(sim.stats.tokenExchanges).toBe(2);
	});
});

describe('wrong or changed secrets', () => {
	test('a wrong secret fails with a plain message, and the secret appears nowhere in the run', async () => {
		const store = credentialStore(sim, { clientSecret: WRONG_SECRET });
		const result = await readSoc(store);

		const error = errorOf(result);
		expect(error.message).toContain(REJECTED);
		expect(error.message).toContain('invalid_client');
		expect(visibleText(result)).not.toContain(WRONG_SECRET);
		expect(sim.stats.tokenExchanges).toBe(0);
		expect(sim.stats.failedTokenExchanges).toBe(1);
		expect(apiRequests(sim)).toHaveLength(0);
		expect(store.writes).toHaveLength(0);
	});

	test('with Continue On Fail every item carries the plain message, and still no secret', async () => {
		const store = credentialStore(sim, { clientSecret: WRONG_SECRET });
		const result = await runSmartcar(socParameters(), { store, items: [{ n: 0 }, { n: 1 }], onError: 'continueRegularOutput' });

		expect(result.error).toBeUndefined();
		const items = result.items('Smartcar');
		expect(items).toHaveLength(2);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		for (const item of items) {
			expect(String(item.json.error)).toContain(REJECTED);
			expect(item.json.description).toBe('The application token could not be obtained with the Smartcar API credential.');
		}
		expect(visibleText(result)).not.toContain(WRONG_SECRET);
		expect(apiRequests(sim)).toHaveLength(0);
	});

	test('a token endpoint that echoes the secret in its error still yields a message without it', async () => {
		sim.failNext({
			path: '/oauth2/token',
			status: 401,
			body: { error: 'invalid_client', error_description: `client_secret ${CLIENT_SECRET} was revoked` },
		});
		const result = await readSoc(credentialStore(sim));

		const error = errorOf(result);
		expect(error.message).toContain(REJECTED);
		expect(error.message).toContain('client_secret [redacted] was revoked');
		expect(visibleText(result)).not.toContain(CLIENT_SECRET);
	});

	test('a failed exchange is not cached: once Smartcar accepts the secret the next run succeeds', async () => {
		const store = credentialStore(sim, { clientSecret: SECOND_SECRET });
		expect(errorOf(await readSoc(store)).message).toContain(REJECTED);

		// The secret was just created in the Dashboard: the same credential works on the next run.
		sim.setOptions({ clientSecrets: [CLIENT_SECRET, SECOND_SECRET] });
		const result = await readSoc(store);

		expect(result.error).toBeUndefined();
		expect(outputJson(result)[0].value).toBe(numberValue(vehicle, CODES.soc));
		expect(sim.stats.failedTokenExchanges).toBe(1);
		expect(sim.stats.tokenExchanges).toBe(1);
	});

	test('fixing the secret of a failing credential makes the next run succeed', async () => {
		const store = credentialStore(sim, { clientSecret: WRONG_SECRET });
		expect(errorOf(await readSoc(store)).message).toContain(REJECTED);

		store.set('smartcarApi', credentialData(sim));
		const result = await readSoc(store);

		expect(result.error).toBeUndefined();
		expect(sim.stats.tokenExchanges).toBe(1);
	});

	test('a token endpoint failure during renewal is reported plainly and not cached', async () => {
		const store = credentialStore(sim);
		expect((await readSoc(store)).error).toBeUndefined();
		sim.expireTokens();
		sim.failNext({ path: '/oauth2/token', status: 503, body: 'Service Unavailable' });

		const failed = await readSoc(store);
		expect(errorOf(failed).message).toContain("Smartcar's token endpoint answered HTTP 503");

		const retried = await readSoc(store);
		expect(retried.error).toBeUndefined();
		expect(sim.stats.tokenExchanges).toBe(2);
	});

	test('an unreachable token endpoint is named in the message', async () => {
		const closed = await startSimulator();
		const tokenUrl = closed.tokenUrl;
		await closed.close();

		const result = await readSoc(credentialStore(sim, { tokenUrl }));

		// n8n's NodeApiError replaces any message containing "ECONNREFUSED" (and ETIMEDOUT, ECONNRESET, ENOTFOUND,
		// EAI_AGAIN…) by its generic "The service refused the connection - perhaps it is offline": the message names
		// the endpoint and the network reason goes into the description.
		const error = errorOf(result);
		expect(error.message).toContain(`Could not reach Smartcar's token endpoint at ${tokenUrl}`);
		expect(`${String(error.message)} ${String(error.description)}`).toContain('ECONNREFUSED');
		expect(apiRequests(sim)).toHaveLength(0);
	});

	test('a credential with another valid secret does not reuse the token made with the old one', async () => {
		sim.setOptions({ clientSecrets: [CLIENT_SECRET, SECOND_SECRET] });
		const first = credentialStore(sim);
		expect((await readSoc(first)).error).toBeUndefined();
		const firstToken = storedToken(first);

		const second = credentialStore(sim, { clientSecret: SECOND_SECRET });
		const result = await readSoc(second);

		expect(result.error).toBeUndefined();
		expect(sim.stats.tokenExchanges).toBe(2);
		const secondToken = storedToken(second);
		expect(secondToken).not.toBe(firstToken);
		expect(apiRequests(sim).map((request) => request.token)).toEqual([firstToken, secondToken]);

		// Rotation finished: the old secret is deleted at Smartcar, so its token stops working; the new one goes on.
		sim.setOptions({ clientSecrets: [SECOND_SECRET] });
		expect((await readSoc(second)).error).toBeUndefined();
		expect(errorOf(await readSoc(first)).message).toContain(REJECTED);
	});

	/*
	 * n8n keeps a saved credential's hidden `accessToken` when the user edits another field: the editor sends it back
	 * redacted and CredentialsService.unredact restores the stored value (n8n 2.41.1 credentials.service.js
	 * prepareUpdateData/unredact), so preAuthentication does not run. The credential stores beside each token what it
	 * was issued for (`accessTokenIssuedFor`) and does not send a token issued for another secret: Smartcar's 401 makes
	 * n8n exchange again with the edited values, and a wrong new secret fails at once, in the Test button too.
	 */
	test('editing the secret of a saved credential takes effect at once (n8n keeps the stored token)', async () => {
		const store = credentialStore(sim);
		expect((await readSoc(store)).error).toBeUndefined();

		// What saving the edited credential in n8n stores: the new secret, the previous hidden accessToken.
		const edited = { ...store.get('smartcarApi'), clientSecret: WRONG_SECRET };
		store.set('smartcarApi', edited);

		const tested = await testCredential(credentialTypes.smartcarApi, store, { data: edited });
		expect(tested.status).toBe('Error');
		const result = await readSoc(store);
		expect(errorOf(result).message).toContain(REJECTED);
	});
});

describe('credential test (the editor\'s Test button)', () => {
	test('passes with good credentials: one exchange, one API call, the token saved', async () => {
		const store = credentialStore(sim);
		const result = await testCredential(credentialTypes.smartcarApi, store);

		expect(result.status).toBe('OK');
		expect(result.message).toBe('Connection successful!');
		expect(sim.stats.tokenExchanges).toBe(1);
		const requests = apiRequests(sim);
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({ method: 'GET', path: '/v3/connections', query: { 'page[size]': '1' }, status: 200 });
		expect(result.writes).toHaveLength(1);
		expect(result.writes[0].data.accessToken).toBe(requests[0].token);
	});

	test('fails clearly with a wrong secret, without the secret in the message', async () => {
		const store = credentialStore(sim, { clientSecret: WRONG_SECRET });
		const result = await testCredential(credentialTypes.smartcarApi, store);

		expect(result.status).toBe('Error');
		expect(result.message).toContain(REJECTED);
		expect(result.message).not.toContain(WRONG_SECRET);
		expect(result.writes).toHaveLength(0);
		expect(apiRequests(sim)).toHaveLength(0);
	});

	test('fails clearly with an unknown client ID', async () => {
		const result = await testCredential(credentialTypes.smartcarApi, credentialStore(sim, { clientId: 'not-my-client' }));

		expect(result.status).toBe('Error');
		expect(result.message).toContain(REJECTED);
		expect(result.message).not.toContain(CLIENT_SECRET);
	});

	test('an empty client secret is reported before any request', async () => {
		const result = await testCredential(credentialTypes.smartcarApi, credentialStore(sim, { clientSecret: '' }));

		expect(result.status).toBe('Error');
		expect(result.message).toContain('needs a Client ID and a Client Secret');
		expect(sim.stats.requests).toHaveLength(0);
	});
});

describe('tokens and the management token never reach output or errors', () => {
	function secretsSeen(store: CredentialStore): string[] {
		const tokens = new Set(sim.stats.requests.map((request) => request.token).filter((token): token is string => !!token));
		tokens.add(storedToken(store));
		return [...tokens, CLIENT_SECRET, MANAGEMENT_TOKEN];
	}

	test('across successes, raw output, Smartcar errors and a rejected renewed token', async () => {
		const store = credentialStore(sim);
		const runs = [
			await runSmartcar(
				{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(vehicle.id), options: { output: 'raw' } },
				{ store },
			),
			await runSmartcar({ resource: 'command', operation: 'lock', userId, vehicleId: byId(vehicle.id) }, { store }),
		];
		sim.failNext(fault(`/v3/vehicles/${vehicle.id}`, smartcarErrors.vehicleState('ASLEEP')));
		runs.push(
			await runSmartcar(
				{ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(vehicle.id) },
				{ store, onError: 'continueRegularOutput' },
			),
		);
		sim.failNext(fault(`/v3/vehicles/${vehicle.id}/signals/tractionbattery-stateofcharge`, smartcarErrors.unauthorized(), { times: 3 }));
		runs.push(await readSoc(store));

		expect(runs.map((run) => run.error?.message)).toEqual([
			undefined,
			undefined,
			undefined,
			'Smartcar: Unauthorized (HTTP 401 AUTHENTICATION:UNAUTHORIZED)',
		]);
		expect(outputJson(runs[2])[0].error).toBe('Smartcar: Vehicle Asleep (HTTP 409 VEHICLE_STATE:ASLEEP)');
		const secrets = secretsSeen(store);
		expect(secrets.length).toBeGreaterThanOrEqual(4);
		for (const run of runs) {
			const text = visibleText(run);
			for (const secret of secrets) expect(text).not.toContain(secret);
		}
	});

	test('an error body that echoes the stored token is redacted', async () => {
		const store = credentialStore(sim);
		expect((await readSoc(store)).error).toBeUndefined();
		const token = storedToken(store);
		sim.failNext({
			path: `/v3/vehicles/${vehicle.id}/signals/tractionbattery-stateofcharge`,
			status: 400,
			body: { errors: [{ status: '400', type: 'VALIDATION', code: 'BAD_REQUEST', title: 'Bad Request', detail: `Token ${token} is not allowed here` }] },
		});

		const result = await readSoc(store);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Bad Request (HTTP 400 VALIDATION:BAD_REQUEST)');
		expect(error.description).toContain('Token [redacted] is not allowed here');
		expect(visibleText(result)).not.toContain(token);
	});

	/*
	 * A token obtained during the same run (first run of a fresh credential, or a renewal after a 401) is not in the
	 * credential the node read when it started: the transport redacts with the credential as stored now and the
	 * tokens this process holds as well.
	 */
	test('an error body that echoes a token obtained during the same run is redacted', async () => {
		// Warm the per-process token cache with a known token, then start from a credential without a token.
		const warm = credentialStore(sim);
		expect((await readSoc(warm)).error).toBeUndefined();
		const token = storedToken(warm);
		sim.failNext({
			path: `/v3/vehicles/${vehicle.id}/signals/tractionbattery-stateofcharge`,
			status: 400,
			body: { errors: [{ status: '400', type: 'VALIDATION', code: 'BAD_REQUEST', title: 'Bad Request', detail: `Token ${token} is not allowed here` }] },
		});

		const fresh = credentialStore(sim);
		const result = await readSoc(fresh);

		expect(storedToken(fresh)).toBe(token);
		expect(errorOf(result).message).toBe('Smartcar: Bad Request (HTTP 400 VALIDATION:BAD_REQUEST)');
		expect(visibleText(result)).not.toContain(token);
	});
});
