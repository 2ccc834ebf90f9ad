/**
 * Secrets never leak in any form: the client secret, the management token and the application token are
 * redacted from every field of an error also when an answer echoes them JSON-escaped, URL- or form-encoded, or in
 * base64 (also inside a longer base64 text such as a Basic header); and no message prints a URL's user info or query.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { displayUrl, redact, redactDeep, secretForms } from '../../credentials/redact';
import { createFleet, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
import { CLIENT_ID, MANAGEMENT_TOKEN, byId, credentialStore, errorOf, outputJson, resetBetweenTests, runSmartcar, visibleText } from './smartcar-fixture';

const SECRET = 'sec "ret"/+&=ü-0123456789';

function everyForm(secret: string): Record<string, string> {
	return {
		raw: secret,
		json: JSON.stringify(secret).slice(1, -1),
		'json twice': JSON.stringify(JSON.stringify(secret)).slice(2, -2),
		url: encodeURIComponent(secret),
		form: new URLSearchParams({ s: secret }).toString().slice(2),
		base64: Buffer.from(secret).toString('base64'),
		base64url: Buffer.from(secret).toString('base64url'),
		'base64 after 1 byte': Buffer.from(`x${secret}`).toString('base64'),
		'base64 after 2 bytes': Buffer.from(`xy${secret}`).toString('base64'),
		'basic header': Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64'),
	};
}

describe('redact()', () => {
	test.each(Object.entries(everyForm(SECRET)))('removes the secret in its %s form', (_form, text) => {
		const redacted = redact(`before ${text} after`, [SECRET]);
		expect(redacted).toContain('[redacted]');
		expect(redacted.startsWith('before ')).toBe(true);
		for (const form of secretForms(SECRET)) expect(redacted).not.toContain(form);
	});

	test('leaves text without secrets unchanged', () => {
		expect(redact('nothing to see: demo-client-id', [SECRET])).toBe('nothing to see: demo-client-id');
	});

	test('redactDeep reaches every string and key of an object, and keeps own keys like __proto__ as data', () => {
		const value = JSON.parse(`{"a":["${encodeURIComponent(SECRET)}"],"b":{"__proto__":{"x":1}},"${Buffer.from(SECRET).toString('base64')}":2}`) as object;
		const redacted = redactDeep(value, [SECRET]);
		expect(JSON.stringify(redacted)).not.toContain(encodeURIComponent(SECRET));
		expect(JSON.stringify(redacted)).not.toContain(Buffer.from(SECRET).toString('base64'));
		expect(Object.getPrototypeOf((redacted as { b: object }).b)).toBe(Object.prototype);
	});
});

describe('displayUrl()', () => {
	test.each([
		['https://user:pass@api.example.com/v3?token=abc#x', 'https://api.example.com/v3'],
		['http://127.0.0.1:4000/oauth2/token?client_secret=s', 'http://127.0.0.1:4000/oauth2/token'],
		['https://vehicle.api.smartcar.com/', 'https://vehicle.api.smartcar.com'],
		['not a url', '(a URL that could not be read)'],
	])('%s → %s', (url, shown) => {
		expect(displayUrl(url)).toBe(shown);
	});
});

describe('through the Smartcar node', () => {
	let sim: Simulator;
	let ev: SimVehicle;
	let userId: string;

	beforeAll(async () => {
		sim = await startSimulator({ fleet: createFleet({ seed: 'redaction', users: [{ vehicles: 1, powertrain: 'BEV' }] }) });
		ev = sim.fleet.vehicles[0];
		userId = sim.fleet.users[0].id;
	});

	beforeEach(() => resetBetweenTests(sim, { clientSecrets: [SECRET] }));

	afterAll(async () => {
		await sim.close();
		shutdownHarness();
	});

	test('an error answer echoing the secret, the management token and the token in every form leaks none of them', async () => {
		const token = sim.issueToken();
		const echoed = [SECRET, MANAGEMENT_TOKEN, token].flatMap((secret) => Object.values(everyForm(secret)));
		const store = credentialStore(sim, { clientSecret: SECRET, accessToken: token });

		for (const onError of [undefined, 'continueRegularOutput'] as const) {
			sim.failNext({
				path: `/v3/vehicles/${ev.id}/signals`,
				status: 400,
				body: { errors: [{ status: '400', type: 'VALIDATION', title: `Bad ${echoed[1]}`, detail: echoed.join(' | ') }], echoed },
				headers: { 'sc-request-id': encodeURIComponent(SECRET) },
			});
			const result = await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store, onError });
			const seen = visibleText(result);
			if (onError) expect(outputJson(result)[0].error).toBeDefined();
			else expect(errorOf(result).message).toBeDefined();
			for (const secret of [SECRET, MANAGEMENT_TOKEN, token]) {
				for (const form of secretForms(secret)) expect(seen).not.toContain(form);
			}
		}
	});

	test('an error the node judges itself (no such subscription) is redacted like an error answer', async () => {
		const result = await runSmartcar(
			{ resource: 'subscription', operation: 'unsubscribe', subscriptionId: MANAGEMENT_TOKEN },
			{ store: credentialStore(sim, { clientSecret: SECRET }) },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Subscription [redacted] does not exist');
		expect(error.httpCode).toBe('404');
		// The node's parameters (shown with the error) hold what was typed; the error's own fields hold none of it.
		const { node: _typed, ...fields } = error;
		for (const form of secretForms(MANAGEMENT_TOKEN)) expect(JSON.stringify(fields)).not.toContain(form);
	});

	// Issue #20: the token endpoint's error_description is free text; whatever escape it uses, or if it echoes only
	// the start of the secret, the message carries none of it.
	test.each([
		['the start of the secret', `${SECRET.slice(0, 12)}…`, '[redacted]…'],
		['JSON escapes with \\/', JSON.stringify(SECRET).slice(1, -1).replaceAll('/', '\\/'), '[redacted]'],
		['lower-case percent-encoding', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), '[redacted]'],
		['HTML entities', SECRET.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('/', '&#x2F;'), '[redacted]'],
	])('a token endpoint echoing %s in error_description: the message says [redacted]', async (_name, echoed, shown) => {
		sim.failNext({ path: '/oauth2/token', status: 401, body: { error: 'invalid_client', error_description: `client_secret ${echoed} was revoked` } });

		const result = await runSmartcar({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) }, { store: credentialStore(sim, { clientSecret: SECRET }) });

		expect(String(errorOf(result).message)).toContain(`(invalid_client: client_secret ${shown} was revoked)`);
	});

	test('an unreachable API and token URL are named without their user info or query string', async () => {
		const closed = await startSimulator();
		const base = closed.url.replace('http://', 'http://someone:hunter22@');
		await closed.close();

		const edits: ICredentialDataDecryptedObject[] = [
			{ apiBaseUrl: `${base}/v3?api_key=k3y-in-query` },
			{ tokenUrl: `${base}/oauth2/token?api_key=k3y-in-query` },
		];
		for (const overrides of edits) {
			const result = await runSmartcar(
				{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(ev.id) },
				{ store: credentialStore(sim, { clientSecret: SECRET, ...overrides }) },
			);
			const error = errorOf(result);
			expect(String(error.message)).toContain(closed.url);
			const seen = visibleText(result);
			expect(seen).not.toContain('hunter22');
			expect(seen).not.toContain('k3y-in-query');
		}
	});
});
