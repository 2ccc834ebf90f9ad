/**
 * A Connect link works once, and only at the trigger it names (issue #20): links made by the real Connect → Get
 * Authorization URL for one Connect Redirect trigger, opened at that trigger, at another trigger of the same
 * credential (another workflow), after a restart (another copy of the trigger module over the static data the first
 * one saved), and as error redirects again and again. The trigger's webhook() with a mocked n8n context; the same in a
 * real n8n, with its database and a restart: test/e2e/smartcar.e2e.test.ts and connect-links.queue.test.ts.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { CredentialStore, shutdownHarness } from '../harness';
import { N8N_URL, redirectTrigger, signedStates, type RedirectTrigger, type RedirectTriggerOptions } from './connect-fixture';
import { credentialData, freshWebhook } from './trigger-fixture';

const USER_ID = '725146a3-4b8e-4c1f-9a2d-0e6f7b8c9d01';
const OTHER_USER_ID = 'ffffffff-4b8e-4c1f-9a2d-0e6f7b8c9d01';

const store = () => new CredentialStore({ smartcarApi: credentialData() });

function trigger(workflowId: string, options: Partial<RedirectTriggerOptions> = {}): RedirectTrigger {
	return redirectTrigger({ workflowId, webhookId: `${workflowId}-hook`, ...options });
}

let workflows = 0;
/** Two workflows of their own, A and B, in this process. */
function pair(): [RedirectTrigger, RedirectTrigger] {
	workflows++;
	return [trigger(`wf-connect-a${workflows}`), trigger(`wf-connect-b${workflows}`)];
}

/** One link (its signed state) made for `redirectUri`. */
async function linkFor(redirectUri: string, state = 'customer-42', options: INodeParameters = {}): Promise<string> {
	const [signed] = await signedStates(store(), redirectUri, [state], options);
	return signed;
}

afterEach(() => jest.restoreAllMocks());

afterAll(() => shutdownHarness());

describe('a Connect link works only at the trigger it names', () => {
	it('a link used at trigger A is refused at trigger B (same credential, another workflow), with any user_id; B starts nothing', async () => {
		const [a, b] = pair();
		const state = await linkFor(a.url);
		expect((await a.open({ user_id: USER_ID, state })).status).toBe(200);
		expect(a.runs).toEqual([{ userId: USER_ID, state: 'customer-42' }]);

		for (const userId of [USER_ID, OTHER_USER_ID]) {
			const replay = await b.open({ user_id: userId, state });
			expect(replay.status).toBe(400);
			expect(replay.body).toContain('<h1>Link not valid</h1>');
		}
		expect((await b.open({ error: 'access_denied', state })).status).toBe(400);
		expect(b.runs).toEqual([]);
	});

	it('an unused link made for trigger A is refused at trigger B and still works, once, at A', async () => {
		const [a, b] = pair();
		const state = await linkFor(a.url);
		expect((await b.open({ user_id: USER_ID, state })).status).toBe(400);
		expect(b.runs).toEqual([]);
		expect((await a.open({ user_id: USER_ID, state })).status).toBe(200);
		expect((await a.open({ user_id: USER_ID, state })).status).toBe(409);
		expect(a.runs).toEqual([{ userId: USER_ID, state: 'customer-42' }]);
	});

	it('compares the webhook path, not the host or a prefix a reverse proxy adds: the public URL works', async () => {
		const [a] = pair();
		const state = await linkFor(`https://n8n.example.com/automation${new URL(a.url).pathname}`);
		expect((await a.open({ user_id: USER_ID, state })).status).toBe(200);
		expect(a.runs).toEqual([{ userId: USER_ID, state: 'customer-42' }]);
	});

	it('a link made for the Test URL works at the Test URL only, and one made for the Production URL at production only', async () => {
		const [a] = pair();
		const forTest = await linkFor(a.testUrl, 'made-for-test');
		const forProduction = await linkFor(a.url, 'made-for-production');
		expect((await a.open({ user_id: USER_ID, state: forTest })).status).toBe(400);
		expect((await a.open({ user_id: USER_ID, state: forProduction }, a.testUrl)).status).toBe(400);
		expect((await a.open({ user_id: USER_ID, state: forTest }, a.testUrl)).status).toBe(200);
		expect(a.runs).toEqual([{ userId: USER_ID, state: 'made-for-test' }]);
	});

	it('a link made for a redirect URI that is not this trigger (another page, another trigger\'s path) is refused', async () => {
		const [a] = pair();
		const elsewhere = ['https://app.example.com/connected', `${N8N_URL}/webhook/another-trigger/webhook`, `${a.url}/extra`];
		for (const redirectUri of elsewhere) {
			const state = await linkFor(redirectUri);
			expect({ redirectUri, status: (await a.open({ user_id: USER_ID, state })).status }).toEqual({ redirectUri, status: 400 });
		}
		expect(a.runs).toEqual([]);
	});
});

describe('a used Connect link stays used', () => {
	it('link 1 of 1,001 used links is still refused after a restart (static data round trip)', async () => {
		const first = trigger('wf-connect-many', { webhook: freshWebhook() });
		const states = await signedStates(store(), first.url, Array.from({ length: 1001 }, (_, index) => `customer-${index}`));
		for (let at = 0; at < states.length; at += 50) {
			const answers = await Promise.all(states.slice(at, at + 50).map((state) => first.open({ user_id: USER_ID, state })));
			expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
		}
		expect(first.runs).toHaveLength(1001);
		const saved = first.staticData();

		const restarted = trigger('wf-connect-many', { webhook: freshWebhook(), staticData: saved });
		for (const state of [states[0], states[500], states[1000]]) {
			expect((await restarted.open({ user_id: OTHER_USER_ID, state })).status).toBe(409);
		}
		expect(restarted.runs).toEqual([]);
		// All 1,001 although their saves overlapped (50 at a time), compactly: 13 characters per used link.
		const stored = saved.smartcarConnectLinks as IDataObject;
		expect(Object.values(stored).join('')).toHaveLength(1001 * 13);
		expect(JSON.stringify(saved).length).toBeLessThan(1001 * 13 + 100);
	}, 120_000);

	it('a used entry is forgotten an hour after its link expired (clock margin); the link itself is refused as expired', async () => {
		const first = trigger('wf-connect-expiry', { webhook: freshWebhook() });
		const state = await linkFor(first.url, 'short', { linkExpiryHours: 1 });
		expect((await first.open({ user_id: USER_ID, state })).status).toBe(200);
		const saved = first.staticData();
		const later = await linkFor(first.url, 'later');
		// Expiry (1 h, rounded up to the hour) plus the hour of margin for clocks that run behind.
		const threeHoursOn = Date.now() + 3 * 3600 * 1000 + 1000;
		jest.spyOn(Date, 'now').mockReturnValue(threeHoursOn);

		const restarted = trigger('wf-connect-expiry', { webhook: freshWebhook(), staticData: saved });
		expect((await restarted.open({ user_id: USER_ID, state })).status).toBe(410);
		expect((await restarted.open({ user_id: USER_ID, state: later })).status).toBe(200);
		// One entry again: the expired link's was dropped when the new one was written.
		expect(JSON.stringify(restarted.staticData()).length).toBeLessThanOrEqual(JSON.stringify(saved).length);
	});
});

describe('error redirects of an unused link are bounded', () => {
	it('at most 5 error runs per link; the 6th error page starts nothing; the driver can still connect, once', async () => {
		const [a] = pair();
		const state = await linkFor(a.url, 'retrying');
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 8; attempt++) statuses.push((await a.open({ error: 'access_denied', state })).status);
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
		expect((await a.open({ user_id: USER_ID, state })).status).toBe(200);
		expect((await a.open({ user_id: USER_ID, state })).status).toBe(409);
		expect(a.runs).toHaveLength(6);
		expect(a.runs[5]).toEqual({ userId: USER_ID, state: 'retrying' });
	});

	it('the count survives a restart', async () => {
		const first = trigger('wf-connect-count', { webhook: freshWebhook() });
		const state = await linkFor(first.url, 'retrying');
		for (let attempt = 0; attempt < 3; attempt++) expect((await first.open({ error: 'no_vehicles', state })).status).toBe(200);
		const restarted = trigger('wf-connect-count', { webhook: freshWebhook(), staticData: first.staticData() });
		const statuses: number[] = [];
		for (let attempt = 0; attempt < 4; attempt++) statuses.push((await restarted.open({ error: 'no_vehicles', state })).status);
		expect(statuses).toEqual([200, 200, 429, 429]);
		expect(restarted.runs).toHaveLength(2);
	});

	it('error redirects with one link arriving together: at most 5 run', async () => {
		const [a] = pair();
		const state = await linkFor(a.url, 'together');
		const responses = await Promise.all(Array.from({ length: 12 }, () => a.open({ error: 'access_denied', state })));
		expect(responses.filter((response) => response.status === 200)).toHaveLength(5);
		expect(a.runs).toHaveLength(5);
	});
});
