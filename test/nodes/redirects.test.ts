/**
 * One origin per credential: no request of the package follows a redirect. A hostile or misconfigured server that
 * answers `302`/`307 Location: <another origin>` gets an error naming the status and that origin; the other origin
 * receives nothing (no application token, no client secret), and its answer is never output as Smartcar's.
 */
import { shutdownHarness, testCredential } from '../harness';
import { createFleet, startOtherOrigin, startSimulator, type OtherOrigin, type Simulator, type SimVehicle } from '../../tooling/simulator';
import {
	CLIENT_SECRET,
	apiRequests,
	byId,
	credentialStore,
	credentialTypes,
	errorOf,
	outputJson,
	resetBetweenTests,
	runSmartcar,
	visibleText,
} from './smartcar-fixture';

let sim: Simulator;
let other: OtherOrigin;
let userId: string;
let ev: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'redirect-spec', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
	other = await startOtherOrigin();
	userId = sim.fleet.users[0].id;
	ev = sim.fleet.vehicles[0];
});

beforeEach(() => {
	resetBetweenTests(sim);
	other.received.length = 0;
});

afterAll(async () => {
	await sim.close();
	await other.close();
	shutdownHarness();
});

function redirectTo(path: string, status: number, method?: string) {
	sim.failNext({ method, path, status, headers: { location: `${other.origin}/stolen${path}?keep=1` } });
}

async function readSignals() {
	return await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store: credentialStore(sim) });
}

describe('an API answer that redirects to another origin', () => {
	test.each([301, 302, 303, 307, 308])('HTTP %i: not followed, nothing reaches the other origin, a clear error', async (status) => {
		redirectTo(`/v3/vehicles/${ev.id}/signals`, status);

		const result = await readSignals();

		expect(other.received).toHaveLength(0);
		const error = errorOf(result);
		expect(error.message).toBe(`Smartcar answered with a redirect (HTTP ${status}) to ${other.origin}; it was not followed`);
		expect(String(error.description)).toContain('never follows redirects');
		expect(visibleText(result)).not.toContain('/stolen');
		expect(visibleText(result)).not.toContain('token-from-the-other-origin');
		expect(apiRequests(sim).map((request) => request.status)).toEqual([status]);
	});

	test('a redirected command is sent once and its body never reaches the other origin', async () => {
		redirectTo(`/v3/vehicles/${ev.id}/commands/security/unlock`, 307, 'POST');

		const result = await runSmartcar(
			{ resource: 'command', operation: 'unlock', userId, vehicleId: byId(ev.id) },
			{ store: credentialStore(sim) },
		);

		expect(errorOf(result).message).toContain('redirect (HTTP 307)');
		expect(other.received).toHaveLength(0);
		expect(apiRequests(sim).filter((request) => request.method === 'POST')).toHaveLength(1);
	});

	test('with Continue On Fail the item is an error item, not the other origin\'s data', async () => {
		redirectTo(`/v3/vehicles/${ev.id}/signals`, 302);

		const result = await runSmartcar(
			{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) },
			{ store: credentialStore(sim), onError: 'continueRegularOutput' },
		);

		const items = outputJson(result);
		expect(items).toHaveLength(1);
		expect(items[0].error).toContain('redirect (HTTP 302)');
		expect(other.received).toHaveLength(0);
	});
});

describe('the token endpoint redirecting to another origin', () => {
	test('307 (which would re-post the form): the client secret never reaches the other origin', async () => {
		redirectTo('/oauth2/token', 307, 'POST');

		const result = await readSignals();

		expect(other.received).toHaveLength(0);
		expect(other.everythingReceived()).not.toContain(CLIENT_SECRET);
		const error = errorOf(result);
		expect(error.message).toBe(`Smartcar's token endpoint answered with a redirect (HTTP 307) to ${other.origin}; it was not followed`);
		expect(apiRequests(sim)).toHaveLength(0);
		expect(visibleText(result)).not.toContain(CLIENT_SECRET);
	});

	test('302: no token is exchanged anywhere and nothing is stored', async () => {
		redirectTo('/oauth2/token', 302, 'POST');
		const store = credentialStore(sim);

		const result = await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store });

		expect(errorOf(result).message).toContain('redirect (HTTP 302)');
		expect(other.received).toHaveLength(0);
		expect(store.writes).toHaveLength(0);
	});
});

describe('the credential test (the editor\'s Test button)', () => {
	test('a redirecting API fails the test and the token does not leave its origin', async () => {
		redirectTo('/v3/connections', 302);

		const result = await testCredential(credentialTypes.smartcarApi, credentialStore(sim));

		expect(result.status).toBe('Error');
		expect(other.received).toHaveLength(0);
	});

	test('a redirecting token URL fails the test and the secret does not leave its origin', async () => {
		redirectTo('/oauth2/token', 307, 'POST');

		const result = await testCredential(credentialTypes.smartcarApi, credentialStore(sim));

		expect(result.status).toBe('Error');
		expect(result.message).toContain('redirect (HTTP 307)');
		expect(other.received).toHaveLength(0);
	});
});

describe('the stored token is bound to the API Base URL it was issued for', () => {
	test('after the API Base URL is edited, the stored token is not sent to the new address', async () => {
		const store = credentialStore(sim);
		const first = await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store });
		expect(first.error).toBeUndefined();
		const token = String(store.get('smartcarApi')?.accessToken);
		expect(token.length).toBeGreaterThan(8);

		// What saving the edited credential in n8n stores: the new URL, the previous hidden accessToken.
		store.set('smartcarApi', { ...store.get('smartcarApi'), apiBaseUrl: `${other.origin}/v3` });
		await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store });

		expect(other.received.length).toBeGreaterThan(0);
		expect(other.everythingReceived()).not.toContain(token);
	});
});
