/**
 * Specs for the simulator's Management API v3 (webhooks, subscriptions) over real HTTP, and for its webhook sender,
 * which, like Smartcar, sends a vehicle's events only to an enabled webhook the vehicle is subscribed to.
 */
import { createHmac } from 'crypto';

import {
	DEFAULT_CALLBACK_URI,
	DEFAULT_WEBHOOK_ID,
	DEFAULT_WEBHOOK_NAME,
	NotDeliverableError,
	CODES,
	deliverableVehicleIds,
	deliverVehicleError,
	deliverVehicleState,
	runSimulatorCli,
	smartcarErrors,
	startSimulator,
	undeliverableReason,
	type CliHandle,
	type Simulator,
	type SimVehicle,
} from '../../tooling/simulator';
import { startReceiver, type Receiver } from './receiver';

// ---------------------------------------------------------------------------------------------
// Shapes and helpers

interface Ref {
	group: string;
	name: string;
	code: string;
}
interface WebhookResource {
	id: string;
	type: string;
	attributes: {
		name: string;
		callbackUri: string;
		isEnabled: boolean;
		autoSubscribe: boolean;
		triggers: Ref[];
		data: Ref[];
		errorCallbackUri: string | null;
	};
	links: { self: string };
	meta: { createdAt: string };
}
interface Relationship {
	data: { type: string; id: string };
}
interface SubscriptionResource {
	type: string;
	id: string;
	attributes: Record<string, unknown> & { vehicle: Record<string, unknown> };
	meta: { createdAt: string; updatedAt: string };
	relationships: { webhook: Relationship; user: Relationship; vehicle: Relationship };
	links: { self: string };
}
interface Paged<T> {
	data: T[];
	meta: { pageNumber: number; pageSize: number; totalCount: number };
	links: { self: string; first: string; last: string; next: string | null; prev: string | null };
}
interface V3Error {
	status: string;
	type: string;
	code: string | null;
	title: string;
	detail: string;
}
interface Result<T = unknown> {
	status: number;
	text: string;
	json: T;
}

const AMT = 'demo-management-token';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sim: Simulator;
let token: string;

/** A request to the Management API: `path` below /management/v3, or a link as the API gave it (path or URL). */
async function mgmt<T = unknown>(path: string, options: { method?: string; body?: unknown; token?: string | null } = {}): Promise<Result<T>> {
	const url = path.startsWith('http') ? path : path.startsWith('/management/') ? `${sim.url}${path}` : `${sim.managementApiUrl}${path}`;
	const headers: Record<string, string> = {};
	const bearer = options.token === undefined ? token : options.token;
	if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
	if (options.body !== undefined) headers['content-type'] = 'application/json';
	const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const response = await fetch(url, { method: options.method ?? 'GET', headers, body });
	const text = await response.text();
	return { status: response.status, text, json: (text ? JSON.parse(text) : undefined) as T };
}

function subscribeBody(webhookId: string, userId: string, vehicleId: string): unknown {
	return { data: { attributes: { webhookId, userId, vehicleId } } };
}

async function requestSubscription(webhookId: string, vehicle: SimVehicle): Promise<Result<{ meta: { message: string } }>> {
	return await mgmt('/subscriptions', { method: 'POST', body: subscribeBody(webhookId, ownerOf(vehicle), vehicle.id) });
}

function firstError(result: Result): V3Error {
	return (result.json as { errors: V3Error[] }).errors[0];
}

function ownerOf(vehicle: SimVehicle): string {
	const connection = sim.fleet.connections.find((candidate) => candidate.vehicleId === vehicle.id);
	if (!connection) throw new Error(`no connection for ${vehicle.id}`);
	return connection.userId;
}

function vehicle(index: number): SimVehicle {
	return sim.fleet.vehicles[index];
}

/** Follows `next` (or `prev`) links from `start` to the end; returns every page in the order visited. */
async function walk<T>(start: string, direction: 'next' | 'prev'): Promise<Array<Paged<T>>> {
	const pages: Array<Paged<T>> = [];
	let link: string | null = start;
	while (link !== null && pages.length < 50) {
		const result: Result<Paged<T>> = await mgmt<Paged<T>>(link);
		expect(result.status).toBe(200);
		pages.push(result.json);
		link = result.json.links[direction];
	}
	return pages;
}

beforeAll(async () => {
	sim = await startSimulator();
	token = sim.issueToken();
});

afterEach(() => {
	sim.resetManagement();
	sim.setOptions({ subscriptionDelayMs: 0 });
	sim.clearFaults();
	sim.resetStats();
});

afterAll(async () => {
	await sim.close();
});

// ---------------------------------------------------------------------------------------------

describe('Management API: access', () => {
	it('lives at /management/v3 beside the Vehicle API and is announced at /', async () => {
		expect(sim.managementApiUrl).toBe(`${sim.url}/management/v3`);
		const root = (await (await fetch(`${sim.url}/`)).json()) as Record<string, string>;
		expect(root.managementApiUrl).toBe(sim.managementApiUrl);
	});

	it('takes the same application token as the Vehicle API and answers 401 in the v3 form without one', async () => {
		const missing = await mgmt('/webhooks', { token: null });
		const wrong = await mgmt('/webhooks', { token: 'not-a-token' });
		for (const result of [missing, wrong]) {
			expect(result.status).toBe(401);
			expect(firstError(result)).toMatchObject({ status: '401', type: 'AUTHENTICATION', code: 'UNAUTHORIZED' });
		}
		const form = await fetch(sim.tokenUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials&client_id=demo-client-id&client_secret=demo-client-secret',
		});
		const exchanged = ((await form.json()) as { access_token: string }).access_token;
		expect((await mgmt('/webhooks', { token: exchanged })).status).toBe(200);
	});

	it('records requests like the others, serves failNext faults, and answers unknown routes with 404', async () => {
		sim.failNext({ path: '/management/v3/webhooks', ...smartcarErrors.server() });
		expect((await mgmt('/webhooks?filter[name]=x')).status).toBe(500);
		expect((await mgmt('/webhooks')).status).toBe(200);
		const unknown = await mgmt('/applications');
		expect(unknown.status).toBe(404);
		expect(firstError(unknown).type).toBe('RESOURCE_NOT_FOUND');
		expect((await mgmt('/webhooks', { method: 'POST', body: {} })).status).toBe(404);
		expect(sim.stats.requests.map((r) => [r.method, r.path, r.status])).toEqual([
			['GET', '/management/v3/webhooks', 500],
			['GET', '/management/v3/webhooks', 200],
			['GET', '/management/v3/applications', 404],
			['POST', '/management/v3/webhooks', 404],
		]);
		expect(sim.stats.requests[0].query).toEqual({ 'filter[name]': 'x' });
		expect(sim.stats.requests[1].token).toBe(token);
	});
});

describe('Management API: webhooks', () => {
	it('seeds one default webhook and renders it as Smartcar documents (signals under attributes.data)', async () => {
		const result = await mgmt<{ data: WebhookResource }>(`/webhooks/${DEFAULT_WEBHOOK_ID}`);
		expect(result.status).toBe(200);
		const { data } = result.json;
		expect(data).toEqual({
			id: DEFAULT_WEBHOOK_ID,
			type: 'webhook',
			attributes: {
				name: DEFAULT_WEBHOOK_NAME,
				callbackUri: DEFAULT_CALLBACK_URI,
				isEnabled: true,
				autoSubscribe: false,
				triggers: expect.arrayContaining([{ group: 'TractionBattery', name: 'StateOfCharge', code: CODES.soc }]),
				data: expect.arrayContaining([{ group: 'Location', name: 'PreciseLocation', code: CODES.location }]),
				errorCallbackUri: null,
			},
			links: { self: `${sim.managementApiUrl}/webhooks/${DEFAULT_WEBHOOK_ID}` },
			meta: { createdAt: sim.webhooks[0].createdAt },
		});
		expect(data.attributes.triggers.map((ref) => ref.code)).toEqual(sim.webhooks[0].triggers);
		expect(data.attributes.data.map((ref) => ref.code)).toEqual(sim.webhooks[0].signals);
		expect(sim.webhooks).toHaveLength(1);
	});

	it('answers an unknown webhook with a 404 in the v3 form', async () => {
		const result = await mgmt('/webhooks/00000000-0000-4000-8000-000000000000');
		expect(result.status).toBe(404);
		expect(firstError(result)).toMatchObject({ status: '404', type: 'RESOURCE_NOT_FOUND', title: 'Resource Not Found' });
		expect(firstError(result).detail).toContain('00000000-0000-4000-8000-000000000000');
	});

	it('adds webhooks with defaults and refuses unknown signal codes or a duplicate id', async () => {
		const added = sim.addWebhook({ name: 'Charging', autoSubscribe: true, errorCallbackUri: 'https://x.example/errors' });
		expect(added.id).toMatch(UUID);
		expect(added).toMatchObject({ name: 'Charging', isEnabled: true, autoSubscribe: true, errorCallbackUri: 'https://x.example/errors' });
		expect(added.callbackUri).toContain(added.id);
		const listed = await mgmt<{ data: WebhookResource }>(`/webhooks/${added.id}`);
		expect(listed.json.data.attributes).toMatchObject({ name: 'Charging', autoSubscribe: true, errorCallbackUri: 'https://x.example/errors' });
		expect(() => sim.addWebhook({ signals: ['no-such-signal'] })).toThrow(/no-such-signal/);
		expect(() => sim.addWebhook({ id: added.id })).toThrow(/exists/);
		sim.clearWebhooks();
		expect((await mgmt<Paged<WebhookResource>>('/webhooks')).json.data).toEqual([]);
		sim.resetManagement();
		expect(sim.webhooks.map((webhook) => webhook.id)).toEqual([DEFAULT_WEBHOOK_ID]);
	});

	it('filters by name and callback URI (partial, case-insensitive), enabled and auto-subscribe', async () => {
		sim.addWebhook({ name: 'Charging alerts', callbackUri: 'https://N8N.example.com/webhook/abc/webhook', isEnabled: false });
		sim.addWebhook({ name: 'Fleet CHARGING report', callbackUri: 'https://other.example/hook', autoSubscribe: true });
		const names = async (query: string) =>
			(await mgmt<Paged<WebhookResource>>(`/webhooks?${query}`)).json.data.map((w) => w.attributes.name);
		expect(await names('filter[name]=charging')).toEqual(['Charging alerts', 'Fleet CHARGING report']);
		expect(await names(`filter[callbackUri]=${encodeURIComponent('n8n.EXAMPLE.com/webhook/abc')}`)).toEqual(['Charging alerts']);
		expect(await names('filter[isEnabled]=false')).toEqual(['Charging alerts']);
		expect(await names('filter[isEnabled]=true')).toEqual([DEFAULT_WEBHOOK_NAME, 'Fleet CHARGING report']);
		expect(await names('filter[autoSubscribe]=true')).toEqual(['Fleet CHARGING report']);
		expect(await names('filter[autoSubscribe]=false&filter[name]=alerts')).toEqual(['Charging alerts']);
		expect(await names('filter[name]=nothing-like-this')).toEqual([]);
		const bad = await mgmt('/webhooks?filter[isEnabled]=yes');
		expect(bad.status).toBe(400);
		expect(firstError(bad)).toMatchObject({ type: 'VALIDATION', detail: expect.stringContaining('filter[isEnabled]') });
	});

	it('pages with page[number]/page[size], forwards through next and backwards through prev, filters kept', async () => {
		for (let i = 1; i <= 6; i += 1) sim.addWebhook({ name: `Paged ${i}` });
		const all = sim.webhooks.map((webhook) => webhook.id);
		const first = await mgmt<Paged<WebhookResource>>('/webhooks?page[size]=3');
		expect(first.json.meta).toEqual({ pageNumber: 1, pageSize: 3, totalCount: 7 });
		expect(first.json.links.prev).toBeNull();
		expect(first.json.links.next).toBe('/management/v3/webhooks?page[number]=2&page[size]=3');
		const forward = await walk<WebhookResource>(first.json.links.self, 'next');
		expect(forward.map((page) => page.data.length)).toEqual([3, 3, 1]);
		expect(forward.flatMap((page) => page.data.map((w) => w.id))).toEqual(all);
		const backward = await walk<WebhookResource>(first.json.links.last, 'prev');
		expect(backward.map((page) => page.meta.pageNumber)).toEqual([3, 2, 1]);
		expect(backward.reverse().flatMap((page) => page.data.map((w) => w.id))).toEqual(all);
		const filtered = await mgmt<Paged<WebhookResource>>('/webhooks?filter[name]=paged&page[size]=4');
		expect(filtered.json.meta.totalCount).toBe(6);
		expect(filtered.json.links.next).toBe('/management/v3/webhooks?page[number]=2&page[size]=4&filter[name]=paged');
		const beyond = await mgmt<Paged<WebhookResource>>('/webhooks?page[number]=9&page[size]=3');
		expect(beyond.json.data).toEqual([]);
		expect(beyond.json.links.next).toBeNull();
	});

	it('defaults page[size] to 50 and refuses sizes outside 1–100 and bad page numbers with a 400', async () => {
		for (let i = 0; i < 55; i += 1) sim.addWebhook();
		const page = await mgmt<Paged<WebhookResource>>('/webhooks');
		expect(page.json.data).toHaveLength(50);
		expect(page.json.meta).toEqual({ pageNumber: 1, pageSize: 50, totalCount: 56 });
		expect((await mgmt<Paged<WebhookResource>>('/webhooks?page[size]=100')).json.data).toHaveLength(56);
		for (const query of ['page[size]=0', 'page[size]=101', 'page[size]=abc', 'page[number]=0', 'page[number]=-1', 'page[number]=1.5']) {
			const result = await mgmt(`/webhooks?${query}`);
			expect([query, result.status]).toEqual([query, 400]);
			expect(firstError(result)).toMatchObject({ status: '400', type: 'VALIDATION' });
		}
	});
});

describe('Management API: subscriptions', () => {
	it('answers 202 without an id, and the subscription is listed with its ids in relationships', async () => {
		const bev = vehicle(0);
		const created = await requestSubscription(DEFAULT_WEBHOOK_ID, bev);
		expect(created.status).toBe(202);
		expect(created.json).toEqual({ meta: { message: 'subscription creation in progress' } });
		const list = await mgmt<Paged<SubscriptionResource>>('/subscriptions');
		expect(list.json.meta).toEqual({ pageNumber: 1, pageSize: 25, totalCount: 1 });
		const [resource] = list.json.data;
		expect(resource).toEqual({
			type: 'subscription',
			id: expect.stringMatching(UUID),
			attributes: { vehicle: { make: bev.make, model: bev.model, year: bev.year, mode: bev.mode, powertrainType: bev.powertrainType } },
			meta: { createdAt: expect.any(String), updatedAt: expect.any(String) },
			relationships: {
				webhook: { data: { type: 'webhook', id: DEFAULT_WEBHOOK_ID } },
				user: { data: { type: 'user', id: ownerOf(bev) } },
				vehicle: { data: { type: 'vehicle', id: bev.id } },
			},
			links: { self: `${sim.managementApiUrl}/subscriptions/${resource.id}` },
		});
		expect(Object.keys(resource.attributes)).toEqual(['vehicle']);
		const single = await mgmt<{ data: SubscriptionResource }>(`/subscriptions/${resource.id}`);
		expect(single.status).toBe(200);
		expect(single.json.data).toEqual(resource);
		expect(sim.subscriptions).toEqual([
			{ id: resource.id, webhookId: DEFAULT_WEBHOOK_ID, userId: ownerOf(bev), vehicleId: bev.id, createdAt: resource.meta.createdAt, updatedAt: resource.meta.updatedAt },
		]);
		expect(sim.isSubscribed(DEFAULT_WEBHOOK_ID, bev.id)).toBe(true);
		expect(sim.isSubscribed(DEFAULT_WEBHOOK_ID, vehicle(1).id)).toBe(false);
	});

	it('shows a 202 subscription only after subscriptionDelayMs; while it is in progress a second request is a 409', async () => {
		sim.setOptions({ subscriptionDelayMs: 400 });
		const bev = vehicle(0);
		const requestedAt = Date.now();
		expect((await requestSubscription(DEFAULT_WEBHOOK_ID, bev)).status).toBe(202);
		expect((await mgmt<Paged<SubscriptionResource>>('/subscriptions')).json.data).toEqual([]);
		expect(sim.isSubscribed(DEFAULT_WEBHOOK_ID, bev.id)).toBe(false);
		const again = await requestSubscription(DEFAULT_WEBHOOK_ID, bev);
		expect(again.status).toBe(409);
		expect(firstError(again)).toMatchObject({ status: '409', code: 'ALREADY_SUBSCRIBED' });
		await sleep(450);
		const list = await mgmt<Paged<SubscriptionResource>>(`/subscriptions?filter[vehicleId]=${bev.id}&filter[webhookId]=${DEFAULT_WEBHOOK_ID}`);
		expect(list.json.data).toHaveLength(1);
		expect(Date.parse(list.json.data[0].meta.createdAt)).toBeGreaterThanOrEqual(requestedAt + 400);
		expect(sim.isSubscribed(DEFAULT_WEBHOOK_ID, bev.id)).toBe(true);
	});

	it('answers a duplicate with a 409 in the v3 form and keeps one subscription', async () => {
		const bev = vehicle(0);
		await requestSubscription(DEFAULT_WEBHOOK_ID, bev);
		const duplicate = await requestSubscription(DEFAULT_WEBHOOK_ID, bev);
		expect(duplicate.status).toBe(409);
		expect(firstError(duplicate)).toMatchObject({ status: '409', type: 'CONFLICT', code: 'ALREADY_SUBSCRIBED', title: 'Conflict' });
		expect(firstError(duplicate).detail).toContain(bev.id);
		expect(sim.subscriptions).toHaveLength(1);
		const other = sim.addWebhook();
		expect((await requestSubscription(other.id, bev)).status).toBe(202);
		expect(sim.subscriptions).toHaveLength(2);
	});

	it('refuses a malformed body with a 400 naming what is missing', async () => {
		const bev = vehicle(0);
		const cases: Array<[unknown, RegExp]> = [
			['not json', /data: \{ attributes/],
			[{}, /data: \{ attributes/],
			[{ data: { attributes: 'x' } }, /data: \{ attributes/],
			[{ data: { attributes: { userId: ownerOf(bev), vehicleId: bev.id } } }, /data\.attributes\.webhookId/],
			[{ data: { attributes: { webhookId: DEFAULT_WEBHOOK_ID, userId: '', vehicleId: bev.id } } }, /data\.attributes\.userId/],
			[{ data: { attributes: { webhookId: DEFAULT_WEBHOOK_ID, userId: ownerOf(bev), vehicleId: 7 } } }, /data\.attributes\.vehicleId/],
		];
		for (const [body, detail] of cases) {
			const result = await mgmt('/subscriptions', { method: 'POST', body });
			expect(result.status).toBe(400);
			expect(firstError(result)).toMatchObject({ status: '400', type: 'VALIDATION', detail: expect.stringMatching(detail) });
		}
		expect(sim.subscriptions).toEqual([]);
	});

	it('answers 404 for an unknown webhook, and for a vehicle that is not connected to that user', async () => {
		const bev = vehicle(0);
		const unknownWebhook = await mgmt('/subscriptions', { method: 'POST', body: subscribeBody('no-such-webhook', ownerOf(bev), bev.id) });
		expect(unknownWebhook.status).toBe(404);
		expect(firstError(unknownWebhook).detail).toContain('no-such-webhook');
		const someoneElse = sim.fleet.users.find((user) => user.id !== ownerOf(bev));
		const notTheirs = await mgmt('/subscriptions', { method: 'POST', body: subscribeBody(DEFAULT_WEBHOOK_ID, someoneElse?.id ?? '', bev.id) });
		expect(notTheirs.status).toBe(404);
		expect(firstError(notTheirs)).toMatchObject({ type: 'RESOURCE_NOT_FOUND', detail: expect.stringContaining('not connected') });
		const unknownVehicle = await mgmt('/subscriptions', { method: 'POST', body: subscribeBody(DEFAULT_WEBHOOK_ID, ownerOf(bev), 'no-such-vehicle') });
		expect(unknownVehicle.status).toBe(404);
		expect(sim.subscriptions).toEqual([]);
	});

	it('filters the list by user, webhook, vehicle and vehicle mode', async () => {
		const second = sim.addWebhook({ name: 'Second' });
		for (const v of sim.fleet.vehicles) sim.subscribe(DEFAULT_WEBHOOK_ID, v.id);
		sim.subscribe(second.id, vehicle(0).id);
		const ids = async (query: string) =>
			(await mgmt<Paged<SubscriptionResource>>(`/subscriptions?${query}`)).json.data.map((s) => [s.relationships.webhook.data.id, s.relationships.vehicle.data.id]);
		const alice = ownerOf(vehicle(0));
		const aliceVehicles = sim.fleet.connections.filter((c) => c.userId === alice).map((c) => c.vehicleId);
		expect(await ids(`filter[userId]=${alice}&filter[webhookId]=${DEFAULT_WEBHOOK_ID}`)).toEqual(aliceVehicles.map((id) => [DEFAULT_WEBHOOK_ID, id]));
		expect(await ids(`filter[webhookId]=${second.id}`)).toEqual([[second.id, vehicle(0).id]]);
		expect(await ids(`filter[vehicleId]=${vehicle(0).id}`)).toEqual([
			[DEFAULT_WEBHOOK_ID, vehicle(0).id],
			[second.id, vehicle(0).id],
		]);
		const simulated = sim.fleet.vehicles.filter((v) => v.mode === 'simulated').map((v) => [DEFAULT_WEBHOOK_ID, v.id]);
		expect(simulated.length).toBeGreaterThan(0);
		expect(await ids('filter[vehicle.mode]=simulated')).toEqual(simulated);
		expect((await ids('filter[vehicle.mode]=live')).length).toBe(sim.fleet.vehicles.length + 1 - simulated.length);
		const bad = await mgmt('/subscriptions?filter[vehicle.mode]=test');
		expect(bad.status).toBe(400);
		expect(firstError(bad).detail).toContain('filter[vehicle.mode]');
	});

	it('pages the list both ways and refuses a page size above 100', async () => {
		for (const v of sim.fleet.vehicles) sim.subscribe(DEFAULT_WEBHOOK_ID, v.id);
		const all = sim.subscriptions.map((s) => s.id);
		expect(all).toHaveLength(8);
		const first = await mgmt<Paged<SubscriptionResource>>(`/subscriptions?page[size]=3&filter[webhookId]=${DEFAULT_WEBHOOK_ID}`);
		expect(first.json.links.next).toBe(`/management/v3/subscriptions?page[number]=2&page[size]=3&filter[webhookId]=${DEFAULT_WEBHOOK_ID}`);
		const forward = await walk<SubscriptionResource>(first.json.links.self, 'next');
		expect(forward.flatMap((page) => page.data.map((s) => s.id))).toEqual(all);
		const backward = await walk<SubscriptionResource>(first.json.links.last, 'prev');
		expect(backward.map((page) => page.meta.pageNumber)).toEqual([3, 2, 1]);
		expect(backward.reverse().flatMap((page) => page.data.map((s) => s.id))).toEqual(all);
		expect((await mgmt('/subscriptions?page[size]=101')).status).toBe(400);
		expect((await mgmt('/subscriptions?page[number]=0')).status).toBe(400);
	});

	it('deletes with a 204; afterwards get and delete answer 404 and the vehicle is no longer subscribed', async () => {
		const bev = vehicle(0);
		const { id } = sim.subscribe(DEFAULT_WEBHOOK_ID, bev.id);
		const removed = await mgmt(`/subscriptions/${id}`, { method: 'DELETE' });
		expect(removed.status).toBe(204);
		expect(removed.text).toBe('');
		expect(sim.isSubscribed(DEFAULT_WEBHOOK_ID, bev.id)).toBe(false);
		for (const method of ['GET', 'DELETE']) {
			const result = await mgmt(`/subscriptions/${id}`, { method });
			expect(result.status).toBe(404);
			expect(firstError(result)).toMatchObject({ type: 'RESOURCE_NOT_FOUND', detail: expect.stringContaining(id) });
		}
		expect((await requestSubscription(DEFAULT_WEBHOOK_ID, bev)).status).toBe(202);
	});

	it('auto-subscribes every connected vehicle to an enabled auto-subscribe webhook, once (an unsubscribe sticks)', async () => {
		const disabled = sim.addWebhook({ autoSubscribe: true, isEnabled: false });
		const auto = sim.addWebhook({ autoSubscribe: true });
		const vehicleIds = [...new Set(sim.fleet.connections.map((c) => c.vehicleId))];
		const listed = await mgmt<Paged<SubscriptionResource>>(`/subscriptions?filter[webhookId]=${auto.id}`);
		expect(listed.json.data.map((s) => s.relationships.vehicle.data.id).sort()).toEqual([...vehicleIds].sort());
		expect(vehicleIds.every((id) => sim.isSubscribed(auto.id, id))).toBe(true);
		expect(vehicleIds.some((id) => sim.isSubscribed(disabled.id, id))).toBe(false);
		expect((await requestSubscription(auto.id, vehicle(0))).status).toBe(409);
		await mgmt(`/subscriptions/${listed.json.data[0].id}`, { method: 'DELETE' });
		expect(sim.isSubscribed(auto.id, listed.json.data[0].relationships.vehicle.data.id)).toBe(false);
	});

	it('ends subscriptions when the vehicle is disconnected or the webhook goes away', async () => {
		const own = await startSimulator();
		try {
			const [bev, , ice] = own.fleet.vehicles;
			const bevOwner = own.fleet.connections.find((c) => c.vehicleId === bev.id)?.userId ?? '';
			own.subscribe(DEFAULT_WEBHOOK_ID, bev.id);
			own.subscribe(DEFAULT_WEBHOOK_ID, ice.id);
			const headers = { authorization: `Bearer ${own.issueToken()}` };
			expect((await fetch(`${own.apiBaseUrl}/users/${bevOwner}`, { method: 'DELETE', headers })).status).toBe(204);
			expect(own.isSubscribed(DEFAULT_WEBHOOK_ID, bev.id)).toBe(false);
			expect(own.isSubscribed(DEFAULT_WEBHOOK_ID, ice.id)).toBe(true);
			own.clearWebhooks();
			expect(own.subscriptions).toEqual([]);
		} finally {
			await own.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------

describe('webhook sender: only subscribed vehicles, only enabled webhooks', () => {
	let receiver: Receiver;

	beforeEach(async () => {
		receiver = await startReceiver(AMT);
		sim.webhooks[0].callbackUri = receiver.url;
	});

	afterEach(async () => {
		await receiver.close();
	});

	it('sends nothing for an unsubscribed vehicle and says why', async () => {
		const bev = vehicle(0);
		expect(undeliverableReason(sim, DEFAULT_WEBHOOK_ID, bev.id)).toMatch(/not subscribed/);
		await expect(deliverVehicleState(sim, bev.id, { form: 'real' })).rejects.toThrow(NotDeliverableError);
		await expect(deliverVehicleError(sim, bev.id)).rejects.toThrow(/not subscribed.*Smartcar would not send/);
		expect(deliverableVehicleIds(sim)).toEqual([]);
		expect(receiver.received).toEqual([]);
	});

	it('sends a subscribed vehicle’s events to the webhook’s callback URI, signed, with its id, name and the subscription’s user', async () => {
		const bev = vehicle(0);
		expect((await requestSubscription(DEFAULT_WEBHOOK_ID, bev)).status).toBe(202);
		expect(deliverableVehicleIds(sim)).toEqual([bev.id]);
		const state = await deliverVehicleState(sim, bev.id, { form: 'real' });
		const error = await deliverVehicleError(sim, bev.id, { kind: 'compatibility' });
		expect([state.status, error.status]).toEqual([200, 200]);
		expect(receiver.received).toHaveLength(2);
		for (const delivery of receiver.received) {
			expect(delivery.headers['sc-signature']).toBe(createHmac('sha256', AMT).update(delivery.raw).digest('hex'));
			const body = JSON.parse(delivery.raw.toString()) as { vehicleId: string; data: { user: { id: string } }; meta: Record<string, unknown> };
			expect(body.vehicleId).toBe(bev.id);
			expect(body.data.user.id).toBe(ownerOf(bev));
			expect(body.meta).toMatchObject({ webhookId: DEFAULT_WEBHOOK_ID, webhookName: DEFAULT_WEBHOOK_NAME });
		}
		expect(JSON.parse(receiver.received[0].raw.toString()).eventType).toBe('VEHICLE_STATE');
		expect(JSON.parse(receiver.received[1].raw.toString()).eventType).toBe('VEHICLE_ERROR');
	});

	it('stops for a disabled webhook, an unknown webhook, and after unsubscribing', async () => {
		const bev = vehicle(0);
		const { id } = sim.subscribe(DEFAULT_WEBHOOK_ID, bev.id);
		sim.webhooks[0].isEnabled = false;
		expect(deliverableVehicleIds(sim)).toEqual([]);
		await expect(deliverVehicleState(sim, bev.id, { form: 'docs' })).rejects.toThrow(/disabled/);
		await expect(deliverVehicleState(sim, bev.id, { form: 'docs' }, { webhookId: 'nope' })).rejects.toThrow(/does not exist/);
		sim.webhooks[0].isEnabled = true;
		expect((await mgmt(`/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
		await expect(deliverVehicleState(sim, bev.id, { form: 'docs' })).rejects.toThrow(/not subscribed/);
		expect(receiver.received).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------

describe('npm run simulator: the webhook pump follows subscriptions', () => {
	let receiver: Receiver;
	let handle: CliHandle | undefined;
	let lines: string[];

	const events = () => receiver.received.map((r) => JSON.parse(r.raw.toString()) as { eventType: string; vehicleId?: string; triggers?: Array<{ type: string }> });
	const waitFor = async (check: () => boolean, ms: number) => {
		const deadline = Date.now() + ms;
		while (!check() && Date.now() < deadline) await sleep(50);
	};
	const start = async (extra: string[] = []) => {
		lines = [];
		const args = ['--port', '0', '--tick', '0', '--webhook-url', receiver.url, '--webhook-interval', '1', ...extra];
		handle = await runSimulatorCli(args, { log: (line) => lines.push(line), handleSignals: false });
		return handle.simulator;
	};

	beforeEach(async () => {
		receiver = await startReceiver(AMT);
	});

	afterEach(async () => {
		await handle?.stop();
		handle = undefined;
		await receiver.close();
	});

	it('prints the Management API URL, points the seeded webhook at --webhook-url, and sends only VERIFY until a vehicle is subscribed', async () => {
		const cli = await start();
		expect(lines).toContain(`  Management API    ${cli.managementApiUrl}`);
		expect(cli.webhooks[0]).toMatchObject({ id: DEFAULT_WEBHOOK_ID, callbackUri: receiver.url, autoSubscribe: false });
		await sleep(2_300);
		expect(events().map((e) => e.eventType)).toEqual(['VERIFY']);
		expect(lines.some((line) => line.includes('no vehicle is subscribed'))).toBe(true);
	});

	it('after a subscription through the Management API, sends that vehicle’s FIRST_DELIVERY and then only its events; stops on unsubscribe', async () => {
		const cli = await start();
		const chosen = cli.fleet.vehicles[3];
		const userId = cli.fleet.connections.find((c) => c.vehicleId === chosen.id)?.userId ?? '';
		const cliToken = cli.issueToken();
		const post = await fetch(`${cli.managementApiUrl}/subscriptions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${cliToken}`, 'content-type': 'application/json' },
			body: JSON.stringify(subscribeBody(DEFAULT_WEBHOOK_ID, userId, chosen.id)),
		});
		expect(post.status).toBe(202);
		await waitFor(() => events().filter((e) => e.eventType !== 'VERIFY').length >= 2, 4_000);
		const delivered = events().filter((e) => e.eventType !== 'VERIFY');
		expect(delivered.length).toBeGreaterThanOrEqual(2);
		expect(delivered[0]).toMatchObject({ eventType: 'VEHICLE_STATE', vehicleId: chosen.id, triggers: [{ type: 'FIRST_DELIVERY' }] });
		expect(delivered.every((e) => e.vehicleId === chosen.id)).toBe(true);
		const [subscription] = cli.subscriptions;
		await fetch(`${cli.managementApiUrl}/subscriptions/${subscription.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${cliToken}` } });
		await sleep(300);
		const countAfterDelete = receiver.received.length;
		await sleep(1_500);
		expect(receiver.received.length).toBe(countAfterDelete);
	});

	it('with --auto-subscribe, every connected vehicle’s events flow without a request', async () => {
		const cli = await start(['--auto-subscribe']);
		expect(cli.webhooks[0].autoSubscribe).toBe(true);
		await waitFor(() => events().filter((e) => e.eventType === 'VEHICLE_STATE').length >= 2, 4_000);
		const vehicles = new Set(events().filter((e) => e.eventType === 'VEHICLE_STATE').map((e) => e.vehicleId));
		expect(vehicles.size).toBeGreaterThanOrEqual(2);
	});
});
