/**
 * User → Delete (purges the user's connections at Smartcar) and Connect → Get Authorization URL (Smartcar's
 * Connect parameters exactly, a state signed with the credential's key, no API call, only safe redirect URIs).
 */
import { createHmac } from 'node:crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { targetOf } from '../support/signed-state';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import {
	CLIENT_ID,
	CLIENT_SECRET,
	apiRequests,
	credentialStore,
	errorOf,
	fromItem,
	outputJson,
	resetBetweenTests,
	runSmartcar,
} from './smartcar-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'user-connect-spec', users: [{ vehicles: 2 }, { vehicles: 1 }, { vehicles: 1 }] }),
	});
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

describe('User → Delete', () => {
	test('deletes the user: 204, the documented item, and their connections are gone', async () => {
		const [doomed, kept] = sim.fleet.users;
		const keptConnections = sim.fleet.connections.filter((connection) => connection.userId === kept.id);
		const store = credentialStore(sim);

		const result = await runSmartcar({ resource: 'user', operation: 'delete', userId: doomed.id }, { store });

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual([{ userId: doomed.id, deleted: true, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
		expect(apiRequests(sim).map((request) => [request.method, request.path, request.status])).toEqual([
			['DELETE', `/v3/users/${doomed.id}`, 204],
		]);
		expect(sim.fleet.connections.filter((connection) => connection.userId === doomed.id)).toEqual([]);

		const afterwards = await runSmartcar({ resource: 'connection', operation: 'getMany', userId: doomed.id, returnAll: true }, { store });
		expect(outputJson(afterwards)).toEqual([]);
		const others = await runSmartcar({ resource: 'connection', operation: 'getMany', userId: kept.id, returnAll: true }, { store });
		expect(outputJson(others).map((item) => item.id)).toEqual(keptConnections.map((connection) => connection.id));
	});

	test('deleting an unknown user is a clear 404', async () => {
		const result = await runSmartcar(
			{ resource: 'user', operation: 'delete', userId: '99999999-0000-4000-8000-000000000000' },
			{ store: credentialStore(sim) },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(error.description).toContain('User 99999999-0000-4000-8000-000000000000 was not found.');
	});

	test('a user ID with a slash is refused before any request (it would change the URL)', async () => {
		const target = sim.fleet.users[sim.fleet.users.length - 1].id;

		const result = await runSmartcar(
			{ resource: 'user', operation: 'delete', userId: fromItem('userId') },
			{ store: credentialStore(sim), items: [{ userId: `${target}/../x` }] },
		);

		expect(errorOf(result).message).toBe('User ID in item 0 is not a valid Smartcar ID: it contains a slash');
		expect(sim.stats.requests).toHaveLength(0);
		expect(sim.fleet.users.some((user) => user.id === target)).toBe(true);
	});
});

const HOUR_MS = 3600 * 1000;

/**
 * Reads a signed Connect state the way its documented format says, checking its MAC with a key derived here from the
 * client secret (never with the package's verifier): the builder's value, the expiry (ms) and the target.
 */
function openSignedState(state: string, secret = CLIENT_SECRET): { value: string; expiresAtMs: number; target: string } {
	const match = /^v2\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})\.([0-9a-z]+)\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(state);
	if (!match) throw new Error(`not a signed state: ${state}`);
	const key = createHmac('sha256', secret).update('n8n-nodes-smartcar/connect-state/v1').digest();
	const mac = createHmac('sha256', key).update(state.slice(0, state.lastIndexOf('.'))).digest('base64url');
	if (mac !== match[5]) throw new Error(`the state's MAC is not this credential's: ${state}`);
	return { value: Buffer.from(match[1], 'base64url').toString('utf8'), expiresAtMs: parseInt(match[3], 36) * 1000, target: match[4] };
}

describe('Connect → Get Authorization URL', () => {
	async function authorizationUrl(parameters: INodeParameters, items?: IDataObject[]) {
		return await runSmartcar({ resource: 'connect', operation: 'getAuthorizationUrl', ...parameters }, { store: credentialStore(sim), items });
	}

	function parametersOf(url: string): Array<[string, string]> {
		return [...new URL(url).searchParams.entries()];
	}

	/** The URL's parameters with the signed state replaced by the value it carries (its MAC checked). */
	function parametersWithStateValue(url: string): Array<[string, string]> {
		return parametersOf(url).map(([name, value]) => (name === 'state' ? [name, `signed:${openSignedState(value).value}`] : [name, value]));
	}

	test('every option becomes Smartcar\'s Connect parameter, and no API call is made', async () => {
		const redirectUri = 'https://n8n.example.com/webhook/0f4c/webhook';
		const result = await authorizationUrl({
			redirectUri,
			scopes: ['read_battery', 'read_charge', 'control_charge'],
			mode: 'simulated',
			state: 'state-from-workflow-42',
			options: {
				approvalPrompt: 'force',
				flags: 'country:DE tesla_auth:true',
				make: 'TESLA',
				requiredScopes: ['control_charge', 'read_location'],
				singleSelect: true,
				singleSelectVin: '5YJ3E1EA7KF317000',
				user: 'driver-42',
			},
		});

		expect(result.error).toBeUndefined();
		const [item] = outputJson(result);
		const url = String(item.url);
		expect(url.startsWith(`${sim.connectUrl}?`)).toBe(true);
		expect(parametersWithStateValue(url)).toEqual([
			['response_type', 'code'],
			['client_id', CLIENT_ID],
			['redirect_uri', redirectUri],
			['scope', 'read_battery read_charge required:control_charge required:read_location'],
			['state', 'signed:state-from-workflow-42'],
			['mode', 'simulated'],
			['approval_prompt', 'force'],
			['make', 'TESLA'],
			['single_select', 'true'],
			['single_select_vin', '5YJ3E1EA7KF317000'],
			['flags', 'country:DE tesla_auth:true'],
			['user', 'driver-42'],
		]);
		expect(url).toContain('scope=read_battery+read_charge+required%3Acontrol_charge+required%3Aread_location');
		expect(item).toEqual({
			url,
			state: 'state-from-workflow-42',
			expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
			redirectUri,
			scopes: ['read_battery', 'read_charge', 'required:control_charge', 'required:read_location'],
			mode: 'simulated',
		});
		expect(sim.stats.requests).toHaveLength(0);
	});

	test('the defaults: read_vehicle_info, live mode, a random state per item, nothing else', async () => {
		const redirectUri = 'https://n8n.example.com/webhook/connect';
		const result = await authorizationUrl({ redirectUri }, [{}, {}]);

		const items = outputJson(result);
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(item.state).toMatch(/^[A-Za-z0-9]{24}$/);
			expect(parametersWithStateValue(String(item.url))).toEqual([
				['response_type', 'code'],
				['client_id', CLIENT_ID],
				['redirect_uri', redirectUri],
				['scope', 'read_vehicle_info'],
				['state', `signed:${String(item.state)}`],
				['mode', 'live'],
			]);
			expect(item.scopes).toEqual(['read_vehicle_info']);
		}
		expect(items[0].state).not.toBe(items[1].state);
		expect(result.items('Smartcar').map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(sim.stats.requests).toHaveLength(0);
	});

	test('no permissions: no scope parameter (the Dashboard\'s settings apply)', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', scopes: [], state: 's1' });

		const [item] = outputJson(result);
		expect(new URL(String(item.url)).searchParams.has('scope')).toBe(false);
		expect(item.scopes).toEqual([]);
	});

	test.each([
		['https://n8n.example.com/webhook/abc/webhook'],
		['https://n8n.example.com:8443/cb?source=n8n'],
		['http://localhost:5678/webhook/abc/webhook'],
		['http://127.0.0.1:5678/cb'],
		[`sc${CLIENT_ID}://exchange`],
	])('the redirect URI %s is accepted as given', async (redirectUri) => {
		const result = await authorizationUrl({ redirectUri, state: 'fixed' });

		expect(result.error).toBeUndefined();
		const [item] = outputJson(result);
		expect(new URL(String(item.url)).searchParams.get('redirect_uri')).toBe(redirectUri);
		expect(item.redirectUri).toBe(redirectUri);
	});

	test.each([
		['a Production URL', 'https://n8n.example.com/webhook/abc/webhook', ['webhook', 'abc', 'webhook']],
		['the same behind a proxy prefix, another host', 'http://127.0.0.1:5678/automation/webhook/abc/webhook?x=1', ['webhook', 'abc', 'webhook']],
		['a Test URL', 'https://n8n.example.com/webhook-test/abc/webhook/', ['webhook-test', 'abc', 'webhook']],
		['percent-escapes decoded', 'https://n8n.example.com/webhook/%61bc/webhook', ['webhook', 'abc', 'webhook']],
		['a short path', 'https://n8n.example.com/cb', ['cb']],
	])('the state names the trigger by the last three segments of the redirect URI\'s path: %s', async (_what, redirectUri, segments) => {
		const result = await authorizationUrl({ redirectUri, state: 'fixed' });
		const state = String(new URL(String(outputJson(result)[0].url)).searchParams.get('state'));
		expect(openSignedState(state).target).toBe(targetOf(`/${segments.join('/')}`));
	});

	test.each([
		['javascript:alert(document.cookie)', 'the scheme "javascript:" is not allowed'],
		['http://example.com/callback', 'plain http is only allowed for localhost'],
		['http://localhost.attacker.example/cb', 'plain http is only allowed for localhost'],
		['https://user:pass@n8n.example.com/cb', 'it contains a user name or password'],
		['https://n8n.example.com/cb#done', 'it contains a "#" fragment, which Smartcar cannot append parameters to'],
		['n8n.example.com/callback', 'it is not an absolute URL'],
		['not a url', 'it is not an absolute URL'],
		['scother-client://exchange', 'the scheme "scother-client:" is not allowed'],
		['ftp://n8n.example.com/cb', 'the scheme "ftp:" is not allowed'],
	])('the unsafe redirect URI %j is refused before anything else', async (redirectUri, reason) => {
		const result = await authorizationUrl({ redirectUri: fromItem('redirectUri') }, [{ redirectUri }]);

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(`Redirect URI in item 0 is not usable: ${reason}`);
		expect(error.context).toEqual({ itemIndex: 0 });
		expect(sim.stats.requests).toHaveLength(0);
	});

	test.each([
		[{ mode: fromItem('mode') }, { mode: 'sandbox' }, 'Mode in item 0 must be one of "live", "simulated"'],
		[{ options: { approvalPrompt: fromItem('prompt') } }, { prompt: 'always' }, 'Options → Approval Prompt in item 0 must be one of "auto", "force"'],
		[{ options: { singleSelect: fromItem('single') } }, { single: 'yes' }, 'Options → Single Vehicle in item 0 must be true or false'],
		[{ scopes: fromItem('scopes') }, { scopes: { read: true } }, 'Permissions in item 0 must be a list of values'],
	])('a value its field does not offer (%j = %j) is refused, naming the field and the item', async (parameters, item, message) => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', ...parameters }, [item]);

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(message);
		expect(error.context).toEqual({ itemIndex: 0 });
		expect(result.items('Smartcar')).toEqual([]);
	});

	test('permissions mapped as a list with spaces around its entries are sent without them', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: 's', scopes: fromItem('scopes') }, [
			{ scopes: ['read_vehicle_info', ' read_odometer'] },
		]);

		expect(outputJson(result)[0].scopes).toEqual(['read_vehicle_info', 'read_odometer']);
		expect(new URL(outputJson(result)[0].url as string).searchParams.get('scope')).toBe('read_vehicle_info read_odometer');
	});

	test('permissions mapped as text are split at spaces and commas', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: 's', scopes: fromItem('scopes') }, [
			{ scopes: 'read_battery, read_charge' },
		]);

		expect(outputJson(result)[0].scopes).toEqual(['read_battery', 'read_charge']);
	});

	test('a redirect URI, State and Make pasted with a space or line break around them are used without it', async () => {
		const result = await authorizationUrl(
			{ redirectUri: fromItem('redirectUri'), state: fromItem('state'), options: { make: fromItem('make') } },
			[{ redirectUri: 'https://n8n.example.com/cb\n', state: ' order-7 ', make: 'TESLA ' }],
		);

		const link = new URL(outputJson(result)[0].url as string);
		expect(link.searchParams.get('redirect_uri')).toBe('https://n8n.example.com/cb');
		expect(link.searchParams.get('make')).toBe('TESLA');
		expect(outputJson(result)[0].state).toBe('order-7');
	});

	test('an empty redirect URI is refused as empty', async () => {
		const result = await authorizationUrl({ redirectUri: fromItem('redirectUri') }, [{ redirectUri: '' }]);

		expect(errorOf(result).message).toBe('Redirect URI in item 0 is not usable: it is empty');
	});

	/*
	 * An expression that resolves to nothing must not become the text "undefined" (which would be refused as "not an
	 * absolute URL"): it is empty.
	 */
	test('a redirect URI mapped from an item that has none is refused as empty', async () => {
		const result = await authorizationUrl({ redirectUri: fromItem('redirectUri') }, [{}]);

		expect(errorOf(result).message).toBe('Redirect URI in item 0 is not usable: it is empty');
	});

	/*
	 * A State mapped from an item that has none resolves to undefined or null: such a link gets a random State, never
	 * the guessable text "undefined" or "null".
	 */
	test('a state mapped from an item that has none gets a random state, never "undefined"', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: fromItem('state') }, [{}, { state: null }]);

		const items = outputJson(result);
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(item.state).toMatch(/^[A-Za-z0-9]{24}$/);
			expect(openSignedState(String(new URL(String(item.url)).searchParams.get('state'))).value).toBe(item.state);
		}
	});

	/*
	 * Options mapped by expression may be numbers, e.g. a numeric customer ID as User: they go into the link as text.
	 */
	test('a numeric customer ID mapped into the User option is sent as text', async () => {
		const result = await authorizationUrl(
			{ redirectUri: 'https://n8n.example.com/cb', state: 'fixed', options: { user: fromItem('customerId') } },
			[{ customerId: 1042 }],
		);

		expect(result.error).toBeUndefined();
		expect(new URL(String(outputJson(result)[0].url)).searchParams.get('user')).toBe('1042');
	});

	test('a state mapped from the item is used as given', async () => {
		const result = await authorizationUrl(
			{ redirectUri: 'https://n8n.example.com/cb', state: fromItem('state') },
			[{ state: 'csrf-a1' }, { state: 'csrf-b2' }],
		);

		const items = outputJson(result);
		expect(items.map((item) => item.state)).toEqual(['csrf-a1', 'csrf-b2']);
		expect(items.map((item) => openSignedState(String(new URL(String(item.url)).searchParams.get('state'))).value)).toEqual([
			'csrf-a1',
			'csrf-b2',
		]);
	});

	test('the state in the URL is signed with the credential\'s client secret: another secret does not verify it', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: 'customer-7' });

		const state = String(new URL(String(outputJson(result)[0].url)).searchParams.get('state'));
		expect(openSignedState(state).value).toBe('customer-7');
		expect(() => openSignedState(state, 'another-client-secret')).toThrow('not this credential');
		expect(state).not.toContain(CLIENT_SECRET);
		expect(Buffer.from(state.split('.')[1], 'base64url').toString('utf8')).toBe('customer-7');
	});

	test('every link gets a fresh nonce: the same State twice gives two different signed states', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: 'same' }, [{}, {}]);

		const states = outputJson(result).map((item) => new URL(String(item.url)).searchParams.get('state'));
		expect(states[0]).not.toBe(states[1]);
		expect(states.map((state) => openSignedState(String(state)).value)).toEqual(['same', 'same']);
	});

	test('a link is valid for 7 days by default; expiresAt is the signed expiry', async () => {
		const before = Date.now();
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: 's' });
		const after = Date.now();

		const [item] = outputJson(result);
		const { expiresAtMs } = openSignedState(String(new URL(String(item.url)).searchParams.get('state')));
		expect(new Date(String(item.expiresAt)).getTime()).toBe(expiresAtMs);
		expect(expiresAtMs).toBeGreaterThanOrEqual(before + 168 * HOUR_MS);
		expect(expiresAtMs).toBeLessThanOrEqual(after + 168 * HOUR_MS + 1000);
	});

	test.each([
		[1, 1],
		[720, 720],
		['24', 24],
	])('Link Valid For (Hours) %j makes the link valid for %i hour(s)', async (hours, expected) => {
		const before = Date.now();
		const result = await authorizationUrl(
			{ redirectUri: 'https://n8n.example.com/cb', state: 's', options: { linkExpiryHours: fromItem('hours') } },
			[{ hours }],
		);

		expect(result.error).toBeUndefined();
		const expiresAt = new Date(String(outputJson(result)[0].expiresAt)).getTime();
		expect(expiresAt).toBeGreaterThanOrEqual(before + expected * HOUR_MS);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + expected * HOUR_MS + 1000);
	});

	test.each([
		[0, '0'],
		[721, '721'],
		[1.5, '1.5'],
		[-24, '-24'],
		['a week', '"a week"'],
		[true, 'true'],
	])('Link Valid For (Hours) %j is refused, naming the item and the field', async (hours, shown) => {
		const result = await authorizationUrl(
			{ redirectUri: 'https://n8n.example.com/cb', state: 's', options: { linkExpiryHours: fromItem('hours') } },
			[{ hours: 24 }, { hours }],
		);

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(`Link Valid For (Hours) must be a whole number from 1 to 720; item 1 has ${shown}`);
		expect(error.context).toEqual({ itemIndex: 1 });
		expect(result.items('Smartcar')).toEqual([]);
	});

	test('a State longer than 512 characters is refused (it travels in the link); 512 is accepted', async () => {
		const result = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: fromItem('state') }, [
			{ state: 'x'.repeat(512) },
			{ state: 'x'.repeat(513) },
		]);

		expect(errorOf(result).message).toBe('State in item 1 is longer than 512 characters');

		const ok = await authorizationUrl({ redirectUri: 'https://n8n.example.com/cb', state: 'x'.repeat(512) });
		expect(ok.error).toBeUndefined();
		expect(outputJson(ok)[0].state).toBe('x'.repeat(512));
	});
});
