/**
 * The Connect round trip as a driver makes it: the real Smartcar node's Connect → Get Authorization URL builds a link
 * (credential A), the driver opens it on the simulator's stand-in Connect page, picks "approve" or "deny", and the
 * browser is sent to the Smartcar Trigger (Connect Redirect, Check State Signed, the same credential A; its webhook()
 * with a mocked n8n context). The same round trip in a real n8n: test/e2e (2.41.1 and 1.123.81).
 */
import type { IDataObject } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { startSimulator, type Simulator } from '../../tooling/simulator';
import { credentialData, credentialStore, outputJson, resetBetweenTests, runSmartcar } from '../nodes/smartcar-fixture';
import { redirectTrigger as connectRedirect, type RedirectTrigger } from './connect-fixture';

let sim: Simulator;
let workflows = 0;

beforeAll(async () => {
	sim = await startSimulator();
});

beforeEach(() => resetBetweenTests(sim));

afterEach(() => jest.restoreAllMocks());

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

function redirectTrigger(): RedirectTrigger {
	return connectRedirect({ workflowId: `wf-round-trip-${++workflows}`, credential: credentialData(sim) });
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
	const page = await fetch(String(link.url), { redirect: 'manual' });
	expect(page.status).toBe(200);
	const hrefs = [...(await page.text()).matchAll(/href="([^"]+)"/g)].map((match) =>
		match[1].replace(/&(amp|lt|gt|quot|#39);/g, (_m, entity: string) => ENTITIES[entity] ?? ''),
	);
	const approve = hrefs.find((href) => new URL(href).searchParams.get('user_id') === userId);
	const deny = hrefs.find((href) => new URL(href).searchParams.get('error') === 'access_denied');
	if (!approve || !deny) throw new Error(`the Connect page lacks the approve or deny link: ${hrefs.join(' ')}`);
	return { approve, deny };
}

describe('Connect round trip (Get Authorization URL → Connect → Smartcar Trigger, one credential)', () => {
	it('approving outputs the builder\'s State; following the same link again starts nothing', async () => {
		const trigger = redirectTrigger();
		const link = await connectLink(trigger.url, 'customer-42');
		expect(link.state).toBe('customer-42');
		const driver = sim.fleet.users[1];
		const { approve } = await connectPage(link, driver.id);
		expect(new URL(approve).searchParams.get('state')).toBe(new URL(String(link.url)).searchParams.get('state'));

		const back = await trigger.follow(approve);
		expect(back.status).toBe(200);
		expect(back.body).toContain('Vehicle connected');
		expect(back.items).toEqual([{ userId: driver.id, state: 'customer-42' }]);

		const replay = await trigger.follow(approve);
		expect([replay.status, replay.items]).toEqual([409, undefined]);
		expect(replay.body).toContain('Link already used');
		expect(trigger.runs).toHaveLength(1);
	});

	it('a random State (State left empty) survives the round trip too', async () => {
		const trigger = redirectTrigger();
		const link = await connectLink(trigger.url, '');
		expect(link.state).toMatch(/^[A-Za-z0-9]{24}$/);
		const driver = sim.fleet.users[0];
		const back = await trigger.follow((await connectPage(link, driver.id)).approve);
		expect([back.status, back.items]).toEqual([200, [{ userId: driver.id, state: link.state }]]);
	});

	it('denying first does not use the link up: the driver can come back and approve, once', async () => {
		const trigger = redirectTrigger();
		const link = await connectLink(trigger.url, 'retry-7');
		const driver = sim.fleet.users[0];
		const { approve, deny } = await connectPage(link, driver.id);

		expect((await trigger.follow(deny)).status).toBe(200);
		expect((await trigger.follow(approve)).status).toBe(200);
		expect((await trigger.follow(deny)).status).toBe(409);
		expect((await trigger.follow(approve)).status).toBe(409);
		expect(trigger.runs).toEqual([
			{ userId: null, state: 'retry-7', error: 'access_denied', errorDescription: 'User denied access to application.' },
			{ userId: driver.id, state: 'retry-7' },
		]);
	});

	it('a link made with another credential (another client secret) is refused: 400, nothing runs', async () => {
		const trigger = redirectTrigger();
		const link = await connectLink(trigger.url, 'customer-42', 'another-apps-secret');
		const response = await trigger.follow((await connectPage(link, sim.fleet.users[0].id)).approve);
		expect([response.status, response.items]).toEqual([400, undefined]);
		expect(response.body).toContain('Link not valid');
	});

	it('the same link after its 7 days is refused: 410, nothing runs', async () => {
		const trigger = redirectTrigger();
		const link = await connectLink(trigger.url, 'late');
		const { approve } = await connectPage(link, sim.fleet.users[0].id);
		const expiresAt = new Date(String(link.expiresAt)).getTime();
		expect(expiresAt - Date.now()).toBeGreaterThan(167 * 3600 * 1000);

		jest.spyOn(Date, 'now').mockReturnValue(expiresAt);
		const response = await trigger.follow(approve);
		expect([response.status, response.items]).toEqual([410, undefined]);
		expect(response.body).toContain('Link expired');
	});

	it('the old way in — the trigger URL called with any user_id, and a Connect link\'s state swapped for a plain one — starts nothing', async () => {
		const trigger = redirectTrigger();
		expect((await trigger.open({ user_id: sim.fleet.users[2].id })).status).toBe(400);
		const link = await connectLink(trigger.url, 'customer-42');
		const approve = new URL((await connectPage(link, sim.fleet.users[2].id)).approve);
		approve.searchParams.set('state', 'customer-42');
		expect((await trigger.follow(approve.toString())).status).toBe(400);
		expect(trigger.runs).toEqual([]);
	});
});
