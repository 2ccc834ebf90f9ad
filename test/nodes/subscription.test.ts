/**
 * Subscription → Subscribe / Get Many / Get / Unsubscribe against the simulator's Management API: 202 and 409 are
 * both success, Wait Until Active polls (bounded) until Smartcar lists the subscription, lists page both ways,
 * Unsubscribe deletes by ID or looks the ID up first, a state change is sent at most once, and bad input is refused
 * before any request.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { SUBSCRIBE_WAIT } from '../../nodes/Smartcar/actions/subscription/wait-until-active';
import { shutdownHarness } from '../harness';
import {
	createFleet,
	DEFAULT_WEBHOOK_ID,
	smartcarErrors,
	startSimulator,
	type SimSubscription,
	type SimVehicle,
	type Simulator,
} from '../../tooling/simulator';
import {
	byId,
	connectionsOf,
	credentialStore,
	errorOf,
	fault,
	fromItem,
	outputJson,
	resetBetweenTests,
	runSmartcar,
	timed,
	vehicleById,
} from './smartcar-fixture';
import { MANAGEMENT_PATH, expectedSubscription, managementRequests, simulatorPage } from './management-fixture';

jest.setTimeout(30_000);

let sim: Simulator;
/** 130 live vehicles. */
let bigUser: string;
/** 2 simulated vehicles. */
let simUser: string;
/** 2 live vehicles. */
let smallUser: string;
let vehicle: SimVehicle;
const defaultWait = { ...SUBSCRIBE_WAIT };

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'subscription-spec', users: [{ vehicles: 130 }, { vehicles: 2, mode: 'simulated' }, { vehicles: 2 }] }),
	});
	[bigUser, simUser, smallUser] = sim.fleet.users.map((user) => user.id);
	vehicle = vehicleById(sim, connectionsOf(sim, smallUser)[0].vehicleId);
});

beforeEach(() => resetBetweenTests(sim));

afterEach(() => Object.assign(SUBSCRIBE_WAIT, defaultWait));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

type RunOptions = { onError?: 'continueRegularOutput'; items?: IDataObject[] };

async function run(operation: string, parameters: INodeParameters, options: RunOptions = {}) {
	return await runSmartcar({ resource: 'subscription', operation, ...parameters }, { store: credentialStore(sim), ...options });
}

async function subscribe(options: INodeParameters = {}, target: INodeParameters = {}, runOptions: RunOptions = {}) {
	return await run('subscribe', { webhookId: byId(DEFAULT_WEBHOOK_ID), userId: smallUser, vehicleId: byId(vehicle.id), options, ...target }, runOptions);
}

function posts() {
	return managementRequests(sim, 'POST', '/subscriptions');
}

function lookups() {
	return managementRequests(sim, 'GET', '/subscriptions');
}

const request = { webhookId: DEFAULT_WEBHOOK_ID, vehicleId: '', userId: '' };
function requested(): IDataObject {
	return { ...request, vehicleId: vehicle.id, userId: smallUser };
}

describe('Subscribe', () => {
	test('202: status pending at once, one POST; Smartcar then lists the subscription for that user', async () => {
		const result = await subscribe();

		expect(outputJson(result)).toEqual([{ ...requested(), status: 'pending' }]);
		expect(Object.keys(outputJson(result)[0])).toEqual(['webhookId', 'vehicleId', 'userId', 'status']);
		expect(managementRequests(sim).map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${MANAGEMENT_PATH}/subscriptions`]);
		expect(sim.subscriptions.map(({ webhookId, vehicleId, userId }) => ({ webhookId, vehicleId, userId }))).toEqual([requested()]);
	});

	test('409 (already subscribed): status alreadySubscribed, one POST, no lookup', async () => {
		sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);

		const result = await subscribe();

		expect(outputJson(result)).toEqual([{ ...requested(), status: 'alreadySubscribed' }]);
		expect(managementRequests(sim).map((r) => r.method)).toEqual(['POST']);
	});

	test('409 with Wait Until Active: one lookup adds the subscription\'s ID, vehicle and timestamps', async () => {
		const existing = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);

		const result = await subscribe({ waitUntilActive: true });

		const { id, vehicle: summary, createdAt, updatedAt } = expectedSubscription(sim, existing);
		expect(outputJson(result)).toEqual([{ ...requested(), status: 'alreadySubscribed', id, vehicle: summary, createdAt, updatedAt }]);
		expect(posts()).toHaveLength(1);
		expect(lookups()).toHaveLength(1);
	});

	test('an auto-subscribe webhook has subscribed the vehicle already: alreadySubscribed', async () => {
		const auto = sim.addWebhook({ name: 'Everything', autoSubscribe: true });

		const result = await subscribe({}, { webhookId: byId(auto.id) });

		expect(outputJson(result)).toEqual([{ ...requested(), webhookId: auto.id, status: 'alreadySubscribed' }]);
	});

	test('Wait Until Active: polls with growing pauses until Smartcar lists it, then outputs it with status active', async () => {
		Object.assign(SUBSCRIBE_WAIT, { firstPauseMs: 100, maxPauseMs: 200, maxWaitMs: 5_000 });
		sim.setOptions({ subscriptionDelayMs: 500 });

		const result = await subscribe({ waitUntilActive: true });

		expect(result.error).toBeUndefined();
		const [subscription] = sim.subscriptions;
		const { id, vehicle: summary, createdAt, updatedAt } = expectedSubscription(sim, subscription);
		expect(outputJson(result)).toEqual([{ ...requested(), status: 'active', id, vehicle: summary, createdAt, updatedAt }]);
		expect(posts()).toHaveLength(1);
		// 0, 100, 300, 500 ms: listed at the fourth lookup (or the fifth on a slow machine).
		expect(lookups().length).toBeGreaterThanOrEqual(4);
		expect(lookups().length).toBeLessThanOrEqual(5);
		for (const lookup of lookups()) {
			expect(lookup.query).toMatchObject({ 'filter[webhookId]': DEFAULT_WEBHOOK_ID, 'filter[vehicleId]': vehicle.id, 'filter[userId]': smallUser });
		}
	});

	test('Wait Until Active past its bound: an error that says it may still appear and how to check; nothing sent again', async () => {
		Object.assign(SUBSCRIBE_WAIT, { firstPauseMs: 50, maxPauseMs: 100, maxWaitMs: 300 });
		sim.setOptions({ subscriptionDelayMs: 60_000 });

		const error = errorOf(await subscribe({ waitUntilActive: true }));

		expect(error.message).toBe(
			`Smartcar accepted the subscription of vehicle ${vehicle.id} to webhook ${DEFAULT_WEBHOOK_ID}, but did not list it within 0.3 s`,
		);
		expect(String(error.description)).toContain('it may still appear');
		expect(String(error.description)).toContain('Subscription → Get Many');
		expect(posts()).toHaveLength(1);
		// Pauses 50 + 100 + 100 ms (the next would pass 300 ms): 4 lookups.
		expect(lookups()).toHaveLength(4);
	});

	test('Wait Until Active past its bound with Continue On Fail: an error item in the item\'s place', async () => {
		Object.assign(SUBSCRIBE_WAIT, { firstPauseMs: 10, maxPauseMs: 10, maxWaitMs: 10 });
		sim.setOptions({ subscriptionDelayMs: 60_000 });

		const result = await subscribe({ waitUntilActive: true }, {}, { onError: 'continueRegularOutput' });

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual([
			expect.objectContaining({ error: expect.stringContaining('but did not list it within 0 s') as unknown, description: expect.stringContaining('may still appear') as unknown }),
		]);
		expect(result.items('Smartcar')[0].pairedItem).toEqual({ item: 0 });
	});

	test('a stopped execution stops waiting at once and looks up nothing more', async () => {
		Object.assign(SUBSCRIBE_WAIT, { firstPauseMs: 10_000, maxPauseMs: 10_000, maxWaitMs: 60_000 });
		sim.setOptions({ subscriptionDelayMs: 60_000 });

		const { ms } = await timed(
			async () => await runSmartcar(
				{ resource: 'subscription', operation: 'subscribe', webhookId: byId(DEFAULT_WEBHOOK_ID), userId: smallUser, vehicleId: byId(vehicle.id), options: { waitUntilActive: true } },
				{ store: credentialStore(sim), cancelAfterMs: 500 },
			),
		);

		expect(ms).toBeLessThan(4000);
		expect(posts()).toHaveLength(1);
		expect(lookups()).toHaveLength(1);
	});

	test('a 429 on a lookup is waited out as Smartcar asks, and the wait goes on', async () => {
		Object.assign(SUBSCRIBE_WAIT, { firstPauseMs: 50, maxPauseMs: 50, maxWaitMs: 2_000 });
		sim.setOptions({ subscriptionDelayMs: 200 });
		sim.failNext(fault(`${MANAGEMENT_PATH}/subscriptions`, smartcarErrors.rateLimit(0), { method: 'GET', times: 2 }));

		const result = await subscribe({ waitUntilActive: true });

		expect(outputJson(result)[0].status).toBe('active');
		expect(lookups().filter((lookup) => lookup.status === 429)).toHaveLength(2);
		expect(posts()).toHaveLength(1);
	});

	test.each([
		['500', smartcarErrors.server()],
		['502', smartcarErrors.upstream()],
	])('a %s on the POST: sent exactly once, and the error says how to check', async (_status, response) => {
		sim.failNext(fault(`${MANAGEMENT_PATH}/subscriptions`, response, { method: 'POST', times: 5 }));

		const error = errorOf(await subscribe({ waitUntilActive: true }));

		expect(posts()).toHaveLength(1);
		expect(lookups()).toHaveLength(0);
		expect(error.message).toMatch(/it may or may not have been carried out/);
		expect(String(error.description)).toContain('Run Subscription → Get Many with this Webhook and Vehicle');
	});

	test('a vehicle the user has not connected: Smartcar\'s 404 with its text', async () => {
		const error = errorOf(await subscribe({}, { userId: bigUser }));

		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(String(error.description)).toContain(`Vehicle ${vehicle.id} is not connected to user ${bigUser}.`);
		expect(String(error.description)).toContain('may not be connected by that user');
		expect(posts()).toHaveLength(1);
	});

	test.each([
		['a webhook ID with a slash', { webhookId: byId('a/b') }, {}, 'Webhook in item 0 is not a valid Smartcar ID: it contains a slash'],
		['an empty user ID', { userId: fromItem('userId') }, {}, 'User ID is empty in item 0'],
		['a vehicle ID with a space', { vehicleId: byId('v 1') }, {}, 'Vehicle ID in item 0 is not a valid Smartcar ID: it contains a space'],
		['Wait Until Active that is not a yes/no', {}, { waitUntilActive: 'soon' }, 'Options → Wait Until Active in item 0 must be true or false'],
	])('bad input (%s) is refused before any request', async (_case, target, options, message) => {
		const result = await subscribe(options, target as INodeParameters, { items: [{ userId: '' }] });

		expect(errorOf(result).message).toBe(message);
		expect(sim.stats.requests).toEqual([]);
	});

	test('every item is checked before the first request: a bad second item means no POST at all', async () => {
		const result = await subscribe({}, { userId: fromItem('userId') }, { items: [{ userId: smallUser }, { userId: 'bad/user' }] });

		expect(errorOf(result).message).toBe('User ID in item 1 is not a valid Smartcar ID: it contains a slash');
		expect(sim.stats.requests).toEqual([]);
	});
});

describe('Get Many', () => {
	function subscribeAll(): SimSubscription[] {
		return sim.fleet.connections.map((connection) => sim.subscribe(DEFAULT_WEBHOOK_ID, connection.vehicleId, connection.userId));
	}

	function pageQueries() {
		return lookups().map((lookup) => [lookup.query['page[number]'], lookup.query['page[size]']]);
	}

	test('Return All follows links.next through 134 subscriptions: 2 pages of 100, the documented items in order', async () => {
		subscribeAll();

		const items = outputJson(await run('getMany', { returnAll: true }));

		expect(items).toEqual(sim.subscriptions.map((subscription) => expectedSubscription(sim, subscription)));
		expect(items).toHaveLength(134);
		expect(Object.keys(items[0])).toEqual(['id', 'webhookId', 'userId', 'vehicleId', 'vehicle', 'createdAt', 'updatedAt']);
		expect(pageQueries()).toEqual([
			['1', '100'],
			['2', '100'],
		]);
	});

	test('an answer without links pages by number (meta.totalCount)', async () => {
		subscribeAll();
		const firstPage = await simulatorPage(sim, '/subscriptions?page[number]=1&page[size]=100');
		delete firstPage.links;
		sim.failNext({ path: `${MANAGEMENT_PATH}/subscriptions`, status: 200, body: firstPage });
		sim.resetStats();

		const items = outputJson(await run('getMany', { returnAll: true }));

		expect(items.map((item) => item.id)).toEqual(sim.subscriptions.map((subscription) => subscription.id));
		expect(pageQueries()).toEqual([
			['1', '100'],
			['2', '100'],
		]);
	});

	test('a limit of 101 reads 2 pages; a limit of 5 asks for one page of 5; the default is 50', async () => {
		const all = subscribeAll();

		expect(outputJson(await run('getMany', { returnAll: false, limit: 101 })).map((item) => item.id)).toEqual(all.slice(0, 101).map((s) => s.id));
		expect(pageQueries()).toEqual([
			['1', '100'],
			['2', '100'],
		]);
		sim.resetStats();
		expect(outputJson(await run('getMany', { returnAll: false, limit: 5 }))).toHaveLength(5);
		expect(pageQueries()).toEqual([['1', '5']]);
		expect(outputJson(await run('getMany', {}))).toHaveLength(50);
	});

	test('webhook, user, vehicle and vehicle mode go to Smartcar as filter[…]', async () => {
		subscribeAll();
		const simulated = connectionsOf(sim, simUser)[1];

		const result = await run('getMany', {
			returnAll: true,
			webhookId: { __rl: true, mode: 'list', value: DEFAULT_WEBHOOK_ID },
			userId: simUser,
			vehicleId: byId(simulated.vehicleId),
			filters: { vehicleMode: 'simulated' },
		});

		const [only] = sim.subscriptions.filter((subscription) => subscription.vehicleId === simulated.vehicleId);
		expect(outputJson(result)).toEqual([expectedSubscription(sim, only)]);
		expect(lookups()[0].query).toEqual({
			'filter[webhookId]': DEFAULT_WEBHOOK_ID,
			'filter[userId]': simUser,
			'filter[vehicleId]': simulated.vehicleId,
			'filter[vehicle.mode]': 'simulated',
			'page[number]': '1',
			'page[size]': '100',
		});
	});

	test('the vehicle mode filter alone: only simulated vehicles\' subscriptions', async () => {
		subscribeAll();

		const items = outputJson(await run('getMany', { returnAll: true, filters: { vehicleMode: 'simulated' } }));

		expect(items.map((item) => item.userId)).toEqual([simUser, simUser]);
		expect(items.every((item) => (item.vehicle as IDataObject).mode === 'simulated')).toBe(true);
	});

	test.each([
		['a vehicle mode Smartcar does not have', { filters: { vehicleMode: 'parked' } }, 'Filters → Vehicle Mode in item 0 must be one of "live", "simulated"'],
		['a user ID with a control character', { userId: 'u\u0001x' }, 'User ID in item 0 is not a valid Smartcar ID: it contains a control character'],
		['a webhook ID with ".."', { webhookId: byId('a..b') }, 'Webhook in item 0 is not a valid Smartcar ID: it contains ".."'],
	])('bad input (%s) is refused before any request', async (_case, parameters, message) => {
		expect(errorOf(await run('getMany', parameters as INodeParameters)).message).toBe(message);
		expect(sim.stats.requests).toEqual([]);
	});
});

describe('Get', () => {
	test('by ID: GET /subscriptions/{id}, the flat item', async () => {
		const existing = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);

		const result = await run('get', { subscriptionId: existing.id });

		expect(outputJson(result)).toEqual([expectedSubscription(sim, existing)]);
		expect(managementRequests(sim).map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${MANAGEMENT_PATH}/subscriptions/${existing.id}`]);
	});

	test('an unknown ID: Smartcar\'s 404 with its text', async () => {
		const error = errorOf(await run('get', { subscriptionId: 'no-such-subscription' }));

		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(String(error.description)).toContain('Subscription no-such-subscription was not found.');
	});

	test('an ID with a slash is refused before any request', async () => {
		expect(errorOf(await run('get', { subscriptionId: '../webhooks' })).message).toBe(
			'Subscription ID in item 0 is not a valid Smartcar ID: it contains a slash',
		);
		expect(sim.stats.requests).toEqual([]);
	});
});

describe('Unsubscribe', () => {
	function deletes() {
		return managementRequests(sim, 'DELETE');
	}

	async function byWebhookAndVehicle(extra: INodeParameters = {}, runOptions: RunOptions = {}) {
		return await run(
			'unsubscribe',
			{ unsubscribeBy: 'webhookAndVehicle', webhookId: byId(DEFAULT_WEBHOOK_ID), vehicleId: byId(vehicle.id), ...extra },
			runOptions,
		);
	}

	test('by ID: one DELETE, status unsubscribed, and Smartcar no longer lists it', async () => {
		const existing = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);

		const result = await run('unsubscribe', { unsubscribeBy: 'id', subscriptionId: existing.id });

		expect(outputJson(result)).toEqual([{ subscriptionId: existing.id, status: 'unsubscribed' }]);
		expect(managementRequests(sim).map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE ${MANAGEMENT_PATH}/subscriptions/${existing.id}`]);
		expect(sim.subscriptions).toEqual([]);
	});

	test('by an unknown ID: a 404 error that points at Ignore Missing; with Ignore Missing, status notSubscribed', async () => {
		const error = errorOf(await run('unsubscribe', { subscriptionId: 'gone-already' }));
		expect(error.message).toBe('Subscription gone-already does not exist');
		expect(String(error.description)).toContain('Ignore Missing');
		expect(error.httpCode).toBe('404');

		const result = await run('unsubscribe', { subscriptionId: 'gone-already', options: { ignoreMissing: true } });
		expect(outputJson(result)).toEqual([{ subscriptionId: 'gone-already', status: 'notSubscribed' }]);
		expect(deletes()).toHaveLength(2);
	});

	test('by webhook and vehicle: looks the ID up, then one DELETE of exactly that subscription', async () => {
		const other = sim.subscribe(DEFAULT_WEBHOOK_ID, connectionsOf(sim, smallUser)[1].vehicleId, smallUser);
		const existing = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);

		const result = await byWebhookAndVehicle();

		expect(outputJson(result)).toEqual([
			{ subscriptionId: existing.id, webhookId: DEFAULT_WEBHOOK_ID, vehicleId: vehicle.id, userId: smallUser, status: 'unsubscribed' },
		]);
		expect(managementRequests(sim).map((r) => `${r.method} ${r.path}`)).toEqual([
			`GET ${MANAGEMENT_PATH}/subscriptions`,
			`DELETE ${MANAGEMENT_PATH}/subscriptions/${existing.id}`,
		]);
		expect(lookups()[0].query).toMatchObject({ 'filter[webhookId]': DEFAULT_WEBHOOK_ID, 'filter[vehicleId]': vehicle.id });
		expect(sim.subscriptions.map((s) => s.id)).toEqual([other.id]);
	});

	test('by webhook and vehicle with a User ID: the lookup filters by that user too', async () => {
		sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);

		const result = await byWebhookAndVehicle({ userId: bigUser }, { onError: 'continueRegularOutput' });

		expect(lookups()[0].query['filter[userId]']).toBe(bigUser);
		expect(outputJson(result)[0].error).toBe(`A subscription of vehicle ${vehicle.id} to webhook ${DEFAULT_WEBHOOK_ID} for user ${bigUser} does not exist`);
		expect(deletes()).toHaveLength(0);
		expect(sim.subscriptions).toHaveLength(1);
	});

	test('by webhook and vehicle, not subscribed: a 404 error and no DELETE; with Ignore Missing, status notSubscribed', async () => {
		const error = errorOf(await byWebhookAndVehicle());
		expect(error.message).toBe(`A subscription of vehicle ${vehicle.id} to webhook ${DEFAULT_WEBHOOK_ID} does not exist`);
		expect(error.httpCode).toBe('404');

		const result = await byWebhookAndVehicle({ options: { ignoreMissing: true } });
		expect(outputJson(result)).toEqual([
			{ subscriptionId: null, webhookId: DEFAULT_WEBHOOK_ID, vehicleId: vehicle.id, userId: null, status: 'notSubscribed' },
		]);
		expect(deletes()).toHaveLength(0);
	});

	test('by webhook and vehicle, two users\' subscriptions listed: an error naming both, and nothing deleted', async () => {
		const existing = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser);
		const page = await simulatorPage(sim, `/subscriptions?filter[webhookId]=${DEFAULT_WEBHOOK_ID}&filter[vehicleId]=${vehicle.id}`);
		const [resource] = page.data as IDataObject[];
		const secondUser = JSON.parse(JSON.stringify(resource).replaceAll(existing.id, 'second-subscription').replaceAll(smallUser, 'second-user')) as IDataObject;
		sim.failNext({ path: `${MANAGEMENT_PATH}/subscriptions`, method: 'GET', status: 200, body: { ...page, data: [resource, secondUser] } });
		sim.resetStats();

		const error = errorOf(await byWebhookAndVehicle());

		expect(error.message).toBe(`Vehicle ${vehicle.id} has 2 subscriptions to webhook ${DEFAULT_WEBHOOK_ID}, one per user who connected it; none was removed`);
		expect(String(error.description)).toContain(`${existing.id}, second-subscription`);
		expect(deletes()).toHaveLength(0);
	});

	test('a listed subscription of another vehicle (a filter Smartcar ignored) is never deleted', async () => {
		const otherVehicle = connectionsOf(sim, smallUser)[1].vehicleId;
		sim.subscribe(DEFAULT_WEBHOOK_ID, otherVehicle, smallUser);
		const page = await simulatorPage(sim, '/subscriptions');
		sim.failNext({ path: `${MANAGEMENT_PATH}/subscriptions`, method: 'GET', status: 200, body: page });
		sim.resetStats();

		const result = await byWebhookAndVehicle({ options: { ignoreMissing: true } });

		expect(outputJson(result)[0].status).toBe('notSubscribed');
		expect(deletes()).toHaveLength(0);
		expect(sim.subscriptions).toHaveLength(1);
	});

	test.each([
		['by ID', () => ({ unsubscribeBy: 'id', subscriptionId: sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser).id })],
		['by webhook and vehicle', () => (sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, smallUser), { unsubscribeBy: 'webhookAndVehicle', webhookId: byId(DEFAULT_WEBHOOK_ID), vehicleId: byId(vehicle.id) })],
	])('%s, a 500 on the DELETE: sent exactly once, and the error says how to check', async (_case, parameters) => {
		const target = parameters() as INodeParameters;
		sim.failNext(fault(/\/management\/v3\/subscriptions\/.+/, smartcarErrors.server(), { method: 'DELETE', times: 5 }));

		const error = errorOf(await run('unsubscribe', target));

		expect(deletes()).toHaveLength(1);
		expect(error.message).toMatch(/it may or may not have been carried out/);
		expect(String(error.description)).toContain('to see whether the subscription still exists');
		expect(sim.subscriptions).toHaveLength(1);
	});

	test.each([
		['a subscription ID that is empty', { unsubscribeBy: 'id', subscriptionId: fromItem('id') }, 'Subscription ID is empty in item 0'],
		['a vehicle ID with a slash', { unsubscribeBy: 'webhookAndVehicle', webhookId: byId(DEFAULT_WEBHOOK_ID), vehicleId: byId('x/y') }, 'Vehicle ID in item 0 is not a valid Smartcar ID: it contains a slash'],
		['Ignore Missing that is not a yes/no', { subscriptionId: 'abc', options: { ignoreMissing: 'sometimes' } }, 'Options → Ignore Missing in item 0 must be true or false'],
	])('bad input (%s) is refused before any request', async (_case, parameters, message) => {
		expect(errorOf(await run('unsubscribe', parameters as INodeParameters, { items: [{ id: '' }] })).message).toBe(message);
		expect(sim.stats.requests).toEqual([]);
	});
});
