/**
 * Trigger On = Connect Redirect: as Smartcar documents Connect, the driver's browser comes back with
 * `?user_id=…&state=…` or `?error=…&error_description=…&state=…`; the workflow gets who connected or why not, the
 * browser a page or a redirect.
 *
 * Check State "Signed" (the default) accepts only a state signed with the trigger credential's key, made for this
 * trigger, unexpired and not used before. Signed states are built from the documented format with node:crypto
 * (test/support/signed-state.ts), never with the package's signer. More on links (another trigger, restarts, the
 * error bound): connect-links.test.ts. The trigger's webhook() with a mocked n8n context; that n8n routes only GET to it
 * (a POST is n8n's 404) and saves what it remembers: test/e2e/smartcar.e2e.test.ts.
 */
import { NodeHelpers, type ICredentialDataDecryptedObject, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { signedState } from '../support/signed-state';
import { redirectTrigger, type RedirectTrigger } from './connect-fixture';
import { CLIENT_SECRET, TRIGGER_PATH, WEBHOOK_ID, freshWebhook, triggerNode, type Webhook } from './trigger-fixture';
import type { Outcome } from './webhook-context';

const USER_ID = '725146a3-4b8e-4c1f-9a2d-0e6f7b8c9d01';
const HOUR = 3600;

/** The headers every answer of the Connect Redirect trigger carries. */
const SECURITY_HEADERS = {
	'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'cache-control': 'no-store',
};

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

interface StateOptions {
	secret?: string;
	expiresAt?: number;
	nonce?: Buffer;
	/** The Redirect URI's path the link was made for (default: this trigger's Production URL). */
	path?: string;
	version?: 'v1' | 'v2';
}

/** A state as Get Authorization URL signs it, made independently (test/support/signed-state.ts). */
function signState(value: string, options: StateOptions = {}): string {
	return signedState(value, { ...options, secret: options.secret ?? CLIENT_SECRET, path: options.path ?? TRIGGER_PATH });
}

interface TriggerSetup {
	stateCheck?: 'signed' | 'expectedValue' | 'none';
	redirectOptions?: Record<string, string>;
	/** Default: the trigger fixture's credential; null → none. */
	credential?: ICredentialDataDecryptedObject | null;
	webhook?: Webhook;
	staticData?: IDataObject;
}

let workflows = 0;

/** A Connect Redirect trigger on this file's webhook path, in a workflow of its own. */
function trigger(setup: TriggerSetup = {}): RedirectTrigger {
	const parameters = { ...(setup.stateCheck ? { stateCheck: setup.stateCheck } : {}), redirectOptions: setup.redirectOptions ?? {} };
	const { credential, webhook, staticData } = setup;
	return redirectTrigger({ workflowId: `wf-redirect-${++workflows}`, webhookId: WEBHOOK_ID, parameters, credential, webhook, staticData });
}

/** The one item of the run an answer started. */
function onlyItem(outcome: Outcome): IDataObject {
	expect(outcome.items).toHaveLength(1);
	return outcome.items?.[0] ?? {};
}

describe('Connect redirect: results', () => {
	it('success: item {userId, state: the builder\'s value} and a 200 HTML confirmation page with the security headers', async () => {
		const response = await trigger().open({ user_id: USER_ID, state: signState('0facda3319') });
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toMatch(/^text\/html/);
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(response.body).toContain('<h1>Vehicle connected</h1>');
		expect(response.body).toContain('Thank you. You can close this window.');
		expect(onlyItem(response)).toEqual({ userId: USER_ID, state: '0facda3319' });
	});

	it('a code, when sent, is passed through', async () => {
		const response = await trigger().open({ user_id: USER_ID, code: 'auth-code-123', state: signState('s0') });
		expect(onlyItem(response)).toEqual({ userId: USER_ID, state: 's0', code: 'auth-code-123' });
	});

	it('success with a Success Redirect URL: 302 to it, with the security headers', async () => {
		const redirecting = trigger({
			redirectOptions: { successRedirectUrl: 'https://example.com/connected?from=smartcar', failureRedirectUrl: 'https://example.com/failed' },
		});
		const response = await redirecting.open({ user_id: USER_ID, state: signState('s1') });
		expect(response.status).toBe(302);
		expect(response.headers.location).toBe('https://example.com/connected?from=smartcar');
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(onlyItem(response)).toEqual({ userId: USER_ID, state: 's1' });
	});

	it('error: item with error and errorDescription, and a page that says so, with the security headers', async () => {
		const response = await trigger().open({
			error: 'access_denied',
			error_description: 'The user denied access to your application.',
			state: signState('s2'),
		});
		expect(response.status).toBe(200);
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(response.body).toContain('<h1>Vehicle not connected</h1>');
		expect(response.body).toContain('The user denied access to your application.');
		expect(onlyItem(response)).toEqual({
			userId: null,
			state: 's2',
			error: 'access_denied',
			errorDescription: 'The user denied access to your application.',
		});
	});

	it('error with a Failure Redirect URL: 302 to it (not to the success URL)', async () => {
		const redirecting = trigger({
			redirectOptions: { successRedirectUrl: 'https://example.com/connected', failureRedirectUrl: 'https://example.com/failed' },
		});
		const response = await redirecting.open({ error: 'no_vehicles', error_description: 'No vehicles.', state: signState('s3') });
		expect(response.status).toBe(302);
		expect(response.headers.location).toBe('https://example.com/failed');
		expect(onlyItem(response)).toEqual({ userId: null, state: 's3', error: 'no_vehicles', errorDescription: 'No vehicles.' });
	});

	it('vehicle_incompatible carries vin, make, model and year (a number)', async () => {
		const response = await trigger().open({
			error: 'vehicle_incompatible',
			error_description: 'The vehicle is not compatible.',
			vin: '5YJ3E1EA7JF000000',
			make: 'TESLA',
			model: 'Model 3',
			year: '2018',
			state: signState('s4'),
		});
		expect(onlyItem(response)).toEqual({
			userId: null,
			state: 's4',
			error: 'vehicle_incompatible',
			errorDescription: 'The vehicle is not compatible.',
			vin: '5YJ3E1EA7JF000000',
			make: 'TESLA',
			model: 'Model 3',
			year: 2018,
		});
	});

	it.each([
		['no parameters', {}],
		['only a state', { state: 'abc' }],
		['an empty user_id', { user_id: '', state: 'abc' }],
	])('neither user_id nor error (%s) → 400 with the security headers, no run', async (_what, query) => {
		const response = await trigger().open(query);
		expect([response.status, response.items]).toEqual([400, undefined]);
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(response.body).toContain('Nothing to do');
	});

	it('escapes HTML: a <script> in error_description never reaches the page unescaped', async () => {
		const attack = '<script>alert("x")</script><img src=x onerror=alert(1)> & \'quoted\'';
		const response = await trigger().open({ error: 'access_denied', error_description: attack, state: signState('s5') });
		expect(response.status).toBe(200);
		expect(response.body).not.toContain('<script>');
		expect(response.body).not.toContain('<img');
		expect(response.body).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62; &#38; &#39;quoted&#39;');
		// The workflow gets the text as sent.
		expect(onlyItem(response).errorDescription).toBe(attack);
	});

	it('a redirect URL that is not http(s) is not followed: the page is shown instead', async () => {
		const response = await trigger({ redirectOptions: { successRedirectUrl: 'javascript:alert(1)' } }).open({ user_id: USER_ID, state: signState('s6') });
		expect(response.status).toBe(200);
		expect(response.headers.location).toBeUndefined();
		expect(response.body).toContain('Vehicle connected');
		expect(onlyItem(response)).toEqual({ userId: USER_ID, state: 's6' });
	});

	it.each([
		['a slash', `${USER_ID}/../other`],
		['a space', `${USER_ID} x`],
		['a control character', `${USER_ID}\u0001`],
		['non-ASCII', `${USER_ID}é`],
		['too many characters', 'a'.repeat(129)],
	])('a user_id with %s → 400, no run, and the link is not used up', async (_what, userId) => {
		const redirect = trigger();
		const state = signState('s7');
		const response = await redirect.open({ user_id: userId, state });
		expect([response.status, response.items]).toEqual([400, undefined]);
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(response.body).toContain('Link not valid');

		const valid = await redirect.open({ user_id: USER_ID, state });
		expect(valid.status).toBe(200);
		expect(onlyItem(valid)).toEqual({ userId: USER_ID, state: 's7' });
	});
});

describe('Connect redirect: Check State = Signed (default) refuses what it cannot prove', () => {
	const expired = () => signState('customer-42', { expiresAt: nowSeconds() - 1 });
	const tampered = () => {
		const parts = signState('customer-42').split('.');
		parts[1] = Buffer.from('customer-43').toString('base64url');
		return parts.join('.');
	};
	const laterExpiry = () => {
		const parts = signState('customer-42').split('.');
		parts[3] = (nowSeconds() + 10_000 * HOUR).toString(36);
		return parts.join('.');
	};

	it.each<[string, number, string, () => Record<string, string>]>([
		['a forged redirect without state', 400, 'Link not valid', () => ({ user_id: USER_ID })],
		['an empty state', 400, 'Link not valid', () => ({ user_id: USER_ID, state: '' })],
		['a plain state', 400, 'Link not valid', () => ({ user_id: USER_ID, state: 'state-from-workflow-42' })],
		['a tampered value', 400, 'Link not valid', () => ({ user_id: USER_ID, state: tampered() })],
		['a tampered expiry', 400, 'Link not valid', () => ({ user_id: USER_ID, state: laterExpiry() })],
		['a state signed with another credential', 400, 'Link not valid', () => ({ user_id: USER_ID, state: signState('customer-42', { secret: 'other-secret' }) })],
		['an expired state', 410, 'Link expired', () => ({ user_id: USER_ID, state: expired() })],
		['a state made for another trigger', 400, 'Link not valid', () => ({ user_id: USER_ID, state: signState('customer-42', { path: '/webhook/another-hook/webhook' }) })],
		['a state made for this trigger\'s Test URL', 400, 'Link not valid', () => ({ user_id: USER_ID, state: signState('customer-42', { path: `/webhook-test/${WEBHOOK_ID}/webhook` }) })],
		['a v1 state (a development build before targets)', 410, 'Link no longer valid', () => ({ user_id: USER_ID, state: signState('customer-42', { version: 'v1' }) })],
		['a v1 state signed with another credential', 400, 'Link not valid', () => ({ user_id: USER_ID, state: signState('customer-42', { version: 'v1', secret: 'other' }) })],
		['an error redirect without state', 400, 'Link not valid', () => ({ error: 'access_denied' })],
		['an error redirect with a plain state', 400, 'Link not valid', () => ({ error: 'access_denied', state: 'nope' })],
		['an error redirect with an expired state', 410, 'Link expired', () => ({ error: 'access_denied', state: expired() })],
		['an error redirect with a state for another trigger', 400, 'Link not valid', () => ({ error: 'access_denied', state: signState('x', { path: '/webhook/another-hook/webhook' }) })],
	])('%s → %i "%s" page, no run', async (_what, status, title, query) => {
		const response = await trigger().open(query());
		expect([response.status, response.items]).toEqual([status, undefined]);
		expect(response.headers['content-type']).toMatch(/^text\/html/);
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(response.body).toContain(`<h1>${title}</h1>`);
	});

	it('a replayed success redirect → 409 "Link already used", no second run', async () => {
		const redirect = trigger();
		const query = { user_id: USER_ID, state: signState('once') };
		expect(onlyItem(await redirect.open(query))).toEqual({ userId: USER_ID, state: 'once' });

		const replay = await redirect.open(query);
		expect([replay.status, replay.items]).toEqual([409, undefined]);
		expect(replay.headers).toMatchObject(SECURITY_HEADERS);
		expect(replay.body).toContain('<h1>Link already used</h1>');
		const otherUser = await redirect.open({ ...query, user_id: 'ffffffff-4b8e-4c1f-9a2d-0e6f7b8c9d01' });
		expect(otherUser.status).toBe(409);
		expect(redirect.runs).toHaveLength(1);
	});

	it('redirects with one link arriving together: exactly one runs', async () => {
		const redirect = trigger();
		const state = signState('together');
		const responses = await Promise.all(Array.from({ length: 5 }, () => redirect.open({ user_id: USER_ID, state })));
		expect(responses.map((response) => response.status).sort()).toEqual([200, 409, 409, 409, 409]);
		expect(redirect.runs).toHaveLength(1);
	});

	it('an error redirect does not use the link up (the driver can retry); once used, the link refuses errors too', async () => {
		const redirect = trigger();
		const state = signState('retry-me');
		expect((await redirect.open({ error: 'access_denied', state })).status).toBe(200);
		expect((await redirect.open({ error: 'access_denied', state })).status).toBe(200);
		expect((await redirect.open({ user_id: USER_ID, state })).status).toBe(200);
		expect((await redirect.open({ error: 'access_denied', state })).status).toBe(409);
		expect((await redirect.open({ user_id: USER_ID, state })).status).toBe(409);
		expect(redirect.runs).toEqual([
			{ userId: null, state: 'retry-me', error: 'access_denied' },
			{ userId: null, state: 'retry-me', error: 'access_denied' },
			{ userId: USER_ID, state: 'retry-me' },
		]);
	});

	it('a redirect with both user_id and error uses the link up (it carries a user ID)', async () => {
		const redirect = trigger();
		const state = signState('both');
		expect((await redirect.open({ user_id: USER_ID, error: 'server_error', state })).status).toBe(200);
		expect((await redirect.open({ user_id: USER_ID, error: 'server_error', state })).status).toBe(409);
		expect(redirect.runs).toHaveLength(1);
	});

	it('a used link stays refused after a restart: it is remembered in the workflow\'s global static data', async () => {
		const state = signState('survives');
		const first = trigger({ webhook: freshWebhook() });
		expect((await first.open({ user_id: USER_ID, state })).status).toBe(200);
		expect(Object.keys(first.staticData())).toEqual(['smartcarConnectLinks']);

		const restarted = trigger({ webhook: freshWebhook(), staticData: first.staticData() });
		expect(await restarted.open({ user_id: USER_ID, state })).toMatchObject({ status: 409, items: undefined });
	});

	it('without a credential it cannot check anything: 500 "Not set up", no run', async () => {
		const response = await trigger({ credential: null }).open({ user_id: USER_ID, state: signState('x') });
		expect([response.status, response.items]).toEqual([500, undefined]);
		expect(response.headers).toMatchObject(SECURITY_HEADERS);
		expect(response.body).toContain('<h1>Not set up</h1>');
	});

	it('Expected State is compared with the signed value; a plain state equal to it is still refused', async () => {
		const redirect = trigger({ redirectOptions: { expectedState: 'campaign-7' } });
		expect((await redirect.open({ user_id: USER_ID, state: signState('campaign-8') })).status).toBe(400);
		expect((await redirect.open({ user_id: USER_ID, state: 'campaign-7' })).status).toBe(400);
		expect(redirect.runs).toEqual([]);
		expect(onlyItem(await redirect.open({ user_id: USER_ID, state: signState('campaign-7') }))).toEqual({ userId: USER_ID, state: 'campaign-7' });
	});
});

describe('Connect redirect: Check State = Expected Value Only', () => {
	it('compares only Expected State (plain or inside a signed state); no credential needed; replays are accepted', async () => {
		const redirect = trigger({ stateCheck: 'expectedValue', credential: null, redirectOptions: { expectedState: 'state-issued-by-us' } });
		const wrong = await redirect.open({ user_id: USER_ID, state: 'state-from-someone-else' });
		expect(wrong.status).toBe(400);
		expect(wrong.headers).toMatchObject(SECURITY_HEADERS);
		expect(wrong.body).toContain('Link not valid');
		expect((await redirect.open({ user_id: USER_ID })).status).toBe(400);
		expect((await redirect.open({ error: 'access_denied', state: 'nope' })).status).toBe(400);
		expect(redirect.runs).toEqual([]);

		const right = { user_id: USER_ID, state: 'state-issued-by-us' };
		expect((await redirect.open(right)).status).toBe(200);
		expect((await redirect.open(right)).status).toBe(200);
		expect((await redirect.open({ user_id: USER_ID, state: signState('state-issued-by-us', { secret: 'any' }) })).status).toBe(200);
		expect(redirect.runs).toEqual([
			{ userId: USER_ID, state: 'state-issued-by-us' },
			{ userId: USER_ID, state: 'state-issued-by-us' },
			{ userId: USER_ID, state: 'state-issued-by-us' },
		]);
	});

	it('without an Expected State it refuses everything: 500 "Not set up"', async () => {
		const response = await trigger({ stateCheck: 'expectedValue', credential: null }).open({ user_id: USER_ID, state: 'anything' });
		expect([response.status, response.items]).toEqual([500, undefined]);
		expect(response.body).toContain('<h1>Not set up</h1>');
	});
});

describe('Connect redirect: Check State = None', () => {
	it('accepts anyone calling the URL with any user_id (what the option warns about)', async () => {
		const redirect = trigger({ stateCheck: 'none', credential: null });
		expect((await redirect.open({ user_id: USER_ID })).status).toBe(200);
		expect((await redirect.open({ user_id: USER_ID, state: 'plain' })).status).toBe(200);
		expect((await redirect.open({ user_id: USER_ID, state: signState('signed-value') })).status).toBe(200);
		expect(redirect.runs).toEqual([
			{ userId: USER_ID, state: null },
			{ userId: USER_ID, state: 'plain' },
			{ userId: USER_ID, state: 'signed-value' },
		]);
	});

	it('still refuses a malformed user_id', async () => {
		expect(await trigger({ stateCheck: 'none', credential: null }).open({ user_id: '../x' })).toMatchObject({ status: 400, items: undefined });
	});
});

describe('Connect redirect: the credential', () => {
	const description = new SmartcarTrigger().description;

	/**
	 * Whether n8n shows (and, being required, demands) the credential for these stored parameters: n8n first resolves
	 * the parameters (defaults added, parameters that are not displayed dropped), as `new Workflow()` does, then
	 * checks the credential's display options (n8n-core node-execution-context `_getCredentials`).
	 */
	function credentialShown(stored: INodeParameters): boolean {
		const node = triggerNode(stored);
		const resolved = NodeHelpers.getNodeParameters(description.properties, stored, true, false, node, description) ?? {};
		const [credential] = description.credentials ?? [];
		expect(credential).toMatchObject({ name: 'smartcarApi', required: true });
		return NodeHelpers.displayParameter(resolved, credential, node, description, resolved);
	}

	it.each<[string, boolean, INodeParameters]>([
		['Vehicle Events (stored explicitly)', true, { trigger: 'vehicleEvents' }],
		['Vehicle Events (the default, nothing stored)', true, {}],
		['Vehicle Events with a Check State left over from Connect Redirect', true, { trigger: 'vehicleEvents', stateCheck: 'none' }],
		['Connect Redirect, Check State not stored (default Signed)', true, { trigger: 'connectRedirect' }],
		['Connect Redirect, Signed', true, { trigger: 'connectRedirect', stateCheck: 'signed' }],
		['Connect Redirect, Expected Value Only', false, { trigger: 'connectRedirect', stateCheck: 'expectedValue' }],
		['Connect Redirect, None', false, { trigger: 'connectRedirect', stateCheck: 'none' }],
	])('%s → credential shown (and required): %s', (_what, shown, stored) => {
		expect(credentialShown(stored)).toBe(shown);
	});

	it('Check State is a Connect Redirect parameter only, default Signed, with the three documented values', () => {
		const stateCheck = description.properties.find((property) => property.name === 'stateCheck');
		expect(stateCheck).toMatchObject({ type: 'options', default: 'signed', displayOptions: { show: { trigger: ['connectRedirect'] } } });
		expect(stateCheck?.options?.map((option) => ('value' in option ? option.value : undefined))).toEqual(['signed', 'expectedValue', 'none']);
	});
});
