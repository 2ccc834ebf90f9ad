/**
 * The Connect round trip as a driver makes it: the real Smartcar node's Connect → Get Authorization URL builds a link
 * (credential A), the driver opens it on the simulator's stand-in Connect page, picks "approve" or "deny", and the
 * browser is sent to the Smartcar Trigger (Connect Redirect, Check State Signed, the same credential A).
 */
import type { IDataObject } from 'n8n-workflow';

import { shutdownHarness, type WebhookHost } from '../harness';
import { startSimulator, type Simulator } from '../../tooling/simulator';
import { credentialData, credentialStore, outputJson, resetBetweenTests, runSmartcar } from '../nodes/smartcar-fixture';
import { request, settle, startTriggerHost, type HttpResult } from './trigger-fixture';

let sim: Simulator;
const hosts: WebhookHost[] = [];

beforeAll(async () => {
	sim = await startSimulator();
});

beforeEach(() => resetBetweenTests(sim));

afterEach(async () => {
	jest.restoreAllMocks();
	for (const host of hosts.splice(0)) await host.close();
});

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function redirectTrigger(clientSecret?: string): Promise<WebhookHost> {
	const host = await startTriggerHost({
		parameters: { trigger: 'connectRedirect', redirectOptions: {} },
		credential: credentialData(sim, clientSecret === undefined ? {} : { clientSecret }),
	});
	hosts.push(host);
	return host;
}

/** Runs Get Authorization URL with the simulator credential (optionally another client secret). */
async function connectLink(redirectUri: string, state: string, clientSecret?: string): Promise<IDataObject> {
	const store = credentialStore(sim, clientSecret === undefined ? {} : { clientSecret });
	const result = await runSmartcar({ resource: 'connect', operation: 'getAuthorizationUrl', redirectUri, state }, { store });
	expect(result.error).toBeUndefined();
	const [link] = outputJson(result);
	return link;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** The simulator's Connect page for the link, and its approve link for `userId` and its deny link. */
async function connectPage(link: IDataObject, userId: string): Promise<{ approve: string; deny: string }> {
	const page = await request(String(link.url), { method: 'GET' });
	expect(page.status).toBe(200);
	const hrefs = [...page.text.matchAll(/href="([^"]+)"/g)].map((match) =>
		match[1].replace(/&(amp|lt|gt|quot|#39);/g, (_m, entity: string) => ENTITIES[entity] ?? ''),
	);
	const approve = hrefs.find((href) => new URL(href).searchParams.get('user_id') === userId);
	const deny = hrefs.find((href) => new URL(href).searchParams.get('error') === 'access_denied');
	if (!approve || !deny) throw new Error(`the Connect page lacks the approve or deny link: ${hrefs.join(' ')}`);
	return { approve, deny };
}

async function follow(url: string): Promise<HttpResult> {
	return await request(url, { method: 'GET' });
}

describe('Connect round trip (Get Authorization URL → Connect → Smartcar Trigger, one credential)', () => {
	it('approving outputs the builder\'s State; following the same link again starts nothing', async () => {
		const host = await redirectTrigger();
		const link = await connectLink(host.url(), 'customer-42');
		expect(link.state).toBe('customer-42');
		const driver = sim.fleet.users[1];
		const { approve } = await connectPage(link, driver.id);
		expect(new URL(approve).searchParams.get('state')).toBe(new URL(String(link.url)).searchParams.get('state'));

		const back = await follow(approve);
		expect(back.status).toBe(200);
		expect(back.text).toContain('Vehicle connected');
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0].map((item) => item.json)).toEqual([{ userId: driver.id, state: 'customer-42' }]);

		const replay = await follow(approve);
		expect(replay.status).toBe(409);
		expect(replay.text).toContain('Link already used');
		await settle(host);
		expect(host.executions).toHaveLength(1);
	});

	it('a random State (State left empty) survives the round trip too', async () => {
		const host = await redirectTrigger();
		const link = await connectLink(host.url(), '');
		expect(link.state).toMatch(/^[A-Za-z0-9]{24}$/);
		const driver = sim.fleet.users[0];
		expect((await follow((await connectPage(link, driver.id)).approve)).status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0][0].json).toEqual({ userId: driver.id, state: link.state });
	});

	it('denying first does not use the link up: the driver can come back and approve, once', async () => {
		const host = await redirectTrigger();
		const link = await connectLink(host.url(), 'retry-7');
		const driver = sim.fleet.users[0];
		const { approve, deny } = await connectPage(link, driver.id);

		expect((await follow(deny)).status).toBe(200);
		await host.waitForExecutions(1);
		expect((await follow(approve)).status).toBe(200);
		await host.waitForExecutions(2);
		expect((await follow(deny)).status).toBe(409);
		expect((await follow(approve)).status).toBe(409);
		await settle(host);
		expect(host.executions.map((execution) => execution.items[0][0].json)).toEqual([
			{ userId: null, state: 'retry-7', error: 'access_denied', errorDescription: 'User denied access to application.' },
			{ userId: driver.id, state: 'retry-7' },
		]);
	});

	it('a link made with another credential (another client secret) is refused: 400, nothing runs', async () => {
		const host = await redirectTrigger();
		const link = await connectLink(host.url(), 'customer-42', 'another-apps-secret');
		const response = await follow((await connectPage(link, sim.fleet.users[0].id)).approve);
		expect(response.status).toBe(400);
		expect(response.text).toContain('Link not valid');
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it('the same link after its 7 days is refused: 410, nothing runs', async () => {
		const host = await redirectTrigger();
		const link = await connectLink(host.url(), 'late');
		const { approve } = await connectPage(link, sim.fleet.users[0].id);
		const expiresAt = new Date(String(link.expiresAt)).getTime();
		expect(expiresAt - Date.now()).toBeGreaterThan(167 * 3600 * 1000);

		jest.spyOn(Date, 'now').mockReturnValue(expiresAt);
		const response = await follow(approve);
		expect(response.status).toBe(410);
		expect(response.text).toContain('Link expired');
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it('the old way in — the trigger URL called with any user_id, and a Connect link\'s state swapped for a plain one — starts nothing', async () => {
		const host = await redirectTrigger();
		const forged = await follow(`${host.url()}?user_id=${sim.fleet.users[2].id}`);
		expect(forged.status).toBe(400);
		const link = await connectLink(host.url(), 'customer-42');
		const approve = new URL((await connectPage(link, sim.fleet.users[2].id)).approve);
		approve.searchParams.set('state', 'customer-42');
		expect((await follow(approve.toString())).status).toBe(400);
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});
});
