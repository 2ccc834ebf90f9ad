/**
 * Trigger On = Connect Redirect (contract §5): the driver's browser comes back with `?user_id=…&state=…` or
 * `?error=…&error_description=…&state=…`; the workflow gets who connected or why not, the browser a page or a redirect.
 */
import type { IDataObject } from 'n8n-workflow';

import { shutdownHarness, type WebhookHost } from '../harness';
import { request, settle, startTriggerHost, type HttpResult } from './trigger-fixture';

const USER_ID = '725146a3-4b8e-4c1f-9a2d-0e6f7b8c9d01';

async function redirectHost(redirectOptions: Record<string, string> = {}): Promise<WebhookHost> {
	return await startTriggerHost({ parameters: { trigger: 'connectRedirect', redirectOptions }, credential: null });
}

async function open(host: WebhookHost, query: Record<string, string>): Promise<HttpResult> {
	return await request(`${host.url()}?${new URLSearchParams(query).toString()}`, { method: 'GET' });
}

async function onlyItem(host: WebhookHost): Promise<IDataObject> {
	const [execution] = await host.waitForExecutions(1);
	await settle(host);
	expect(host.executions).toHaveLength(1);
	expect(execution.method).toBe('GET');
	expect(execution.items[0]).toHaveLength(1);
	return execution.items[0][0].json;
}

afterAll(() => shutdownHarness());

describe('Connect redirect', () => {
	let host: WebhookHost | undefined;

	afterEach(async () => {
		await host?.close();
		host = undefined;
	});

	it('listens for GET only (POST → 404 naming GET)', async () => {
		host = await redirectHost();
		const post = await request(host.url(), { body: '{}', headers: { 'content-type': 'application/json' } });
		expect(post.status).toBe(404);
		expect(post.text).toContain('Did you mean to make a GET request?');
	});

	it('success: item {userId, state} and a 200 HTML confirmation page', async () => {
		host = await redirectHost();
		const response = await open(host, { user_id: USER_ID, state: '0facda3319' });
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toMatch(/^text\/html/);
		expect(response.text).toContain('<h1>Vehicle connected</h1>');
		expect(response.text).toContain('Thank you. You can close this window.');
		expect(await onlyItem(host)).toEqual({ userId: USER_ID, state: '0facda3319' });
	});

	it('success without state: state null; a code, when sent, is passed through', async () => {
		host = await redirectHost();
		const response = await open(host, { user_id: USER_ID, code: 'auth-code-123' });
		expect(response.status).toBe(200);
		expect(await onlyItem(host)).toEqual({ userId: USER_ID, state: null, code: 'auth-code-123' });
	});

	it('success with a Success Redirect URL: 302 to it', async () => {
		host = await redirectHost({
			successRedirectUrl: 'https://example.com/connected?from=smartcar',
			failureRedirectUrl: 'https://example.com/failed',
		});
		const response = await open(host, { user_id: USER_ID, state: 's1' });
		expect(response.status).toBe(302);
		expect(response.headers.location).toBe('https://example.com/connected?from=smartcar');
		expect(await onlyItem(host)).toEqual({ userId: USER_ID, state: 's1' });
	});

	it('error: item with error and errorDescription, and a page that says so', async () => {
		host = await redirectHost();
		const response = await open(host, {
			error: 'access_denied',
			error_description: 'The user denied access to your application.',
			state: 's2',
		});
		expect(response.status).toBe(200);
		expect(response.text).toContain('<h1>Vehicle not connected</h1>');
		expect(response.text).toContain('The user denied access to your application.');
		expect(await onlyItem(host)).toEqual({
			userId: null,
			state: 's2',
			error: 'access_denied',
			errorDescription: 'The user denied access to your application.',
		});
	});

	it('error with a Failure Redirect URL: 302 to it (not to the success URL)', async () => {
		host = await redirectHost({
			successRedirectUrl: 'https://example.com/connected',
			failureRedirectUrl: 'https://example.com/failed',
		});
		const response = await open(host, { error: 'no_vehicles', error_description: 'No vehicles.', state: 's3' });
		expect(response.status).toBe(302);
		expect(response.headers.location).toBe('https://example.com/failed');
		expect(await onlyItem(host)).toEqual({ userId: null, state: 's3', error: 'no_vehicles', errorDescription: 'No vehicles.' });
	});

	it('vehicle_incompatible carries vin, make, model and year (a number)', async () => {
		host = await redirectHost();
		await open(host, {
			error: 'vehicle_incompatible',
			error_description: 'The vehicle is not compatible.',
			vin: '5YJ3E1EA7JF000000',
			make: 'TESLA',
			model: 'Model 3',
			year: '2018',
			state: 's4',
		});
		expect(await onlyItem(host)).toEqual({
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

	it('Expected State: the matching state runs, another state → 400 and no execution', async () => {
		host = await redirectHost({ expectedState: 'state-issued-by-us' });
		const wrong = await open(host, { user_id: USER_ID, state: 'state-from-someone-else' });
		expect(wrong.status).toBe(400);
		expect(wrong.text).toContain('Link not valid');
		const missing = await open(host, { user_id: USER_ID });
		expect(missing.status).toBe(400);
		const wrongError = await open(host, { error: 'access_denied', state: 'nope' });
		expect(wrongError.status).toBe(400);
		await settle(host);
		expect(host.executions).toHaveLength(0);

		const right = await open(host, { user_id: USER_ID, state: 'state-issued-by-us' });
		expect(right.status).toBe(200);
		expect(await onlyItem(host)).toEqual({ userId: USER_ID, state: 'state-issued-by-us' });
	});

	it.each([
		['no parameters', {}],
		['only a state', { state: 'abc' }],
		['an empty user_id', { user_id: '', state: 'abc' }],
	])('neither user_id nor error (%s) → 400, no execution', async (_what, query) => {
		host = await redirectHost();
		const response = await open(host, query);
		expect(response.status).toBe(400);
		expect(response.text).toContain('Nothing to do');
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it('escapes HTML: a <script> in error_description never reaches the page unescaped', async () => {
		host = await redirectHost();
		const attack = '<script>alert("x")</script><img src=x onerror=alert(1)> & \'quoted\'';
		const response = await open(host, { error: 'access_denied', error_description: attack, state: 's5' });
		expect(response.status).toBe(200);
		expect(response.text).not.toContain('<script>');
		expect(response.text).not.toContain('<img');
		expect(response.text).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62; &#38; &#39;quoted&#39;');
		// The workflow gets the text as sent.
		expect((await onlyItem(host)).errorDescription).toBe(attack);
	});

	it('a redirect URL that is not http(s) is not followed: the page is shown instead', async () => {
		host = await redirectHost({ successRedirectUrl: 'javascript:alert(1)' });
		const response = await open(host, { user_id: USER_ID, state: 's6' });
		expect(response.status).toBe(200);
		expect(response.headers.location).toBeUndefined();
		expect(response.text).toContain('Vehicle connected');
		expect(await onlyItem(host)).toEqual({ userId: USER_ID, state: 's6' });
	});
});
