/**
 * Webhook → Get Many / Get against the simulator's Management API: flat items, filters sent as Smartcar's
 * `filter[…]`, Return All and Limit over `page[number]`/`page[size]` (following `links.next`, or page numbers when
 * an answer has no links), Smartcar's errors, and bad input refused before any request.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { shutdownHarness } from '../harness';
import { createFleet, DEFAULT_WEBHOOK_ID, smartcarErrors, startSimulator, type SimWebhook, type Simulator } from '../../tooling/simulator';
import { byId, credentialStore, errorOf, fault, fromItem, outputJson, resetBetweenTests, runSmartcar } from './smartcar-fixture';
import { MANAGEMENT_PATH, expectedWebhook, managementRequests, simulatorPage } from './management-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'webhook-spec', users: [{ vehicles: 1 }] }) });
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function getMany(parameters: INodeParameters = {}) {
	return await runSmartcar({ resource: 'webhook', operation: 'getMany', ...parameters }, { store: credentialStore(sim) });
}

/** `count` more webhooks, named so their order is known. */
function addWebhooks(count: number, partial: Partial<SimWebhook> = {}): SimWebhook[] {
	return Array.from({ length: count }, (_, index) => sim.addWebhook({ name: `Fleet ${String(index).padStart(3, '0')}`, ...partial }));
}

function pageQueries() {
	return managementRequests(sim, 'GET', '/webhooks').map((request) => [request.query['page[number]'], request.query['page[size]']]);
}

describe('Get Many', () => {
	test('the seeded webhook as the documented flat item', async () => {
		const result = await getMany({ returnAll: true });

		expect(result.error).toBeUndefined();
		const items = outputJson(result);
		expect(items).toEqual([expectedWebhook(sim.webhooks[0])]);
		expect(Object.keys(items[0])).toEqual(['id', 'name', 'callbackUri', 'isEnabled', 'autoSubscribe', 'triggers', 'signals', 'errorCallbackUri', 'createdAt']);
		expect(items[0].id).toBe(DEFAULT_WEBHOOK_ID);
		expect(managementRequests(sim).map((request) => request.method)).toEqual(['GET']);
	});

	test('Return All follows links.next through 231 webhooks: 3 pages of 100, every webhook once, in order', async () => {
		addWebhooks(230);

		const items = outputJson(await getMany({ returnAll: true }));

		expect(items).toEqual(sim.webhooks.map(expectedWebhook));
		expect(new Set(items.map((item) => item.id)).size).toBe(231);
		expect(pageQueries()).toEqual([
			['1', '100'],
			['2', '100'],
			['3', '100'],
		]);
	});

	test('a limit of 120 returns the first 120 from 2 pages; a limit of 7 asks for one page of 7', async () => {
		addWebhooks(230);

		expect(outputJson(await getMany({ returnAll: false, limit: 120 }))).toEqual(sim.webhooks.slice(0, 120).map(expectedWebhook));
		expect(pageQueries()).toEqual([
			['1', '100'],
			['2', '100'],
		]);

		sim.resetStats();
		expect(outputJson(await getMany({ returnAll: false, limit: 7 })).map((item) => item.id)).toEqual(sim.webhooks.slice(0, 7).map((w) => w.id));
		expect(pageQueries()).toEqual([['1', '7']]);
	});

	test('the default limit is 50', async () => {
		addWebhooks(80);
		expect(outputJson(await getMany())).toHaveLength(50);
	});

	test('an answer without links pages by number, using meta.totalCount, and stops after the last page', async () => {
		addWebhooks(149);
		const firstPage = await simulatorPage(sim, '/webhooks?page[number]=1&page[size]=100');
		delete firstPage.links;
		sim.failNext({ path: `${MANAGEMENT_PATH}/webhooks`, status: 200, body: firstPage });
		sim.resetStats();

		const items = outputJson(await getMany({ returnAll: true }));

		expect(items).toEqual(sim.webhooks.map(expectedWebhook));
		expect(pageQueries()).toEqual([
			['1', '100'],
			['2', '100'],
		]);
	});

	test('filters go to Smartcar as filter[…], yes/no as true/false, and what it answers is output', async () => {
		const [disabled] = addWebhooks(1, { name: 'Fleet alerts', isEnabled: false, autoSubscribe: true, callbackUri: 'https://hooks.example.org/fleet' });
		addWebhooks(2);

		const result = await getMany({
			returnAll: true,
			filters: { name: 'fleet al', callbackUri: 'HOOKS.example.org', isEnabled: false, autoSubscribe: true },
		});

		expect(outputJson(result)).toEqual([expectedWebhook(disabled)]);
		const [request] = managementRequests(sim, 'GET', '/webhooks');
		expect(request.query).toEqual({
			'filter[name]': 'fleet al',
			'filter[callbackUri]': 'HOOKS.example.org',
			'filter[isEnabled]': 'false',
			'filter[autoSubscribe]': 'true',
			'page[number]': '1',
			'page[size]': '100',
		});
	});

	test('filters mapped from the input item: text "true" counts as yes, an empty text is no filter', async () => {
		const result = await runSmartcar(
			{ resource: 'webhook', operation: 'getMany', returnAll: true, filters: { name: fromItem('name'), isEnabled: fromItem('enabled') } },
			{ store: credentialStore(sim), items: [{ name: '', enabled: 'true' }] },
		);

		expect(result.error).toBeUndefined();
		expect(managementRequests(sim, 'GET', '/webhooks')[0].query).toEqual({ 'filter[isEnabled]': 'true', 'page[number]': '1', 'page[size]': '100' });
	});

	describe('version 2: Enabled and Auto-Subscribe are Any / Yes / No', () => {
		const v2 = async (filters: INodeParameters) =>
			await runSmartcar({ resource: 'webhook', operation: 'getMany', returnAll: true, filters }, { store: credentialStore(sim), typeVersion: 2 });
		const sentFilters = () =>
			Object.fromEntries(Object.entries(managementRequests(sim, 'GET', '/webhooks')[0].query).filter(([name]) => name.startsWith('filter[')));

		test.each([
			['Any, Any', { isEnabled: 'any', autoSubscribe: 'any' }, {}],
			['Yes, No', { isEnabled: 'true', autoSubscribe: 'false' }, { 'filter[isEnabled]': 'true', 'filter[autoSubscribe]': 'false' }],
			['No, Yes', { isEnabled: 'false', autoSubscribe: 'true' }, { 'filter[isEnabled]': 'false', 'filter[autoSubscribe]': 'true' }],
		])('%s: sent as Smartcar\'s filters (Any: not sent)', async (_case, filters, sent) => {
			const result = await v2(filters);

			expect(result.error).toBeUndefined();
			expect(sentFilters()).toEqual(sent);
		});

		test('a filter added and left at its default is Any: every webhook, disabled ones too', async () => {
			const [disabled] = addWebhooks(1, { isEnabled: false });
			const field = new Smartcar().description.properties.find(
				(property) => property.name === 'filters' && JSON.stringify(property.displayOptions).includes('_cnd') && JSON.stringify(property.displayOptions).includes('webhook'),
			);
			const enabled = (field?.options as Array<{ name: string; default: string }> | undefined)?.find((option) => option.name === 'isEnabled');
			expect(enabled?.default).toBe('any');

			const items = outputJson(await v2({ isEnabled: enabled?.default ?? 'missing' }));

			expect(items.map((item) => item.id)).toEqual([DEFAULT_WEBHOOK_ID, disabled.id]);
			expect(sentFilters()).toEqual({});
		});

		test('version 1 keeps its yes/no switches: off still means "only disabled"', async () => {
			await getMany({ returnAll: true, filters: { isEnabled: false } });

			expect(sentFilters()).toEqual({ 'filter[isEnabled]': 'false' });
		});
	});

	test('a paging link to another host is not followed', async () => {
		const firstPage = await simulatorPage(sim, '/webhooks?page[number]=1&page[size]=100');
		firstPage.links = { next: 'https://other.example.com/management/v3/webhooks?page[number]=2' };
		sim.failNext({ path: `${MANAGEMENT_PATH}/webhooks`, status: 200, body: firstPage });
		sim.resetStats();

		const result = await getMany({ returnAll: true });

		expect(errorOf(result).message).toBe('Smartcar returned a paging link to another host; it was not followed');
		expect(String(errorOf(result).description)).toContain('Management API Base URL');
		expect(managementRequests(sim)).toHaveLength(1);
	});

	test.each([
		['Return All that is not a yes/no', { returnAll: 'all' }, 'Return All in item 0 must be true or false'],
		['a limit of 0', { returnAll: false, limit: 0 }, 'Limit must be a whole number from 1 to 10,000; item 0 has 0'],
		['a name filter that is not text', { filters: { name: 42 } }, 'Filters → Name in item 0 must be text'],
		['an Enabled filter that is not a yes/no', { filters: { isEnabled: 'yes' } }, 'Filters → Enabled in item 0 must be true or false'],
	])('bad input (%s) is refused before any request', async (_case, parameters, message) => {
		const result = await getMany(parameters);

		expect(errorOf(result).message).toBe(message);
		expect(sim.stats.requests).toEqual([]);
	});

	test('a Smartcar error is reported with Smartcar\'s text', async () => {
		sim.failNext(fault(`${MANAGEMENT_PATH}/webhooks`, smartcarErrors.validation('page[size] must be an integer between 1 and 100.')));

		const error = errorOf(await getMany({ returnAll: true }));

		expect(error.message).toBe('Smartcar: Bad Request (HTTP 400 VALIDATION:BAD_REQUEST)');
		expect(String(error.description)).toContain('page[size] must be an integer between 1 and 100.');
	});
});

describe('Get', () => {
	async function get(webhookId: INodeParameters, options: { onError?: 'continueRegularOutput'; items?: IDataObject[] } = {}) {
		return await runSmartcar({ resource: 'webhook', operation: 'get', webhookId }, { store: credentialStore(sim), ...options });
	}

	test.each([
		['picked from the list', { __rl: true, mode: 'list', value: DEFAULT_WEBHOOK_ID, cachedResultName: 'Simulator Webhook' }],
		['by ID', byId(DEFAULT_WEBHOOK_ID)],
	])('a webhook %s: GET /webhooks/{id}, the flat item', async (_case, webhookId) => {
		const result = await get(webhookId);

		expect(outputJson(result)).toEqual([expectedWebhook(sim.webhooks[0])]);
		expect(managementRequests(sim).map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${MANAGEMENT_PATH}/webhooks/${DEFAULT_WEBHOOK_ID}`]);
	});

	test('one webhook per input item, the ID mapped from each item', async () => {
		const other = sim.addWebhook({ name: 'Second' });

		const result = await get(byId(fromItem('id') as string), { items: [{ id: DEFAULT_WEBHOOK_ID }, { id: other.id }] });

		expect(outputJson(result).map((item) => item.name)).toEqual(['Simulator Webhook', 'Second']);
		expect(result.items('Smartcar').map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('an unknown webhook: Smartcar\'s 404 with its text and what to check', async () => {
		const error = errorOf(await get(byId('5a8e9b3c-0000-4000-8000-000000000000')));

		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(String(error.description)).toContain('Webhook 5a8e9b3c-0000-4000-8000-000000000000 was not found.');
		expect(String(error.description)).toContain('Webhook → Get Many');
	});

	test('with Continue On Fail, a failing item becomes an error item in its place', async () => {
		const result = await get(byId(fromItem('id') as string), {
			onError: 'continueRegularOutput',
			items: [{ id: 'missing-webhook' }, { id: DEFAULT_WEBHOOK_ID }],
		});

		const [failed, found] = outputJson(result);
		expect(failed).toMatchObject({ error: 'Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)', httpCode: '404' });
		expect(found).toEqual(expectedWebhook(sim.webhooks[0]));
	});

	test('a webhook ID mapped from an item that has none is refused before any request', async () => {
		const result = await get(byId(fromItem('id') as string), { items: [{ id: '' }] });

		expect(errorOf(result).message).toBe('Webhook is empty in item 0');
		expect(sim.stats.requests).toEqual([]);
	});

	test.each([
		['a slash', 'a/b', 'Webhook in item 0 is not a valid Smartcar ID: it contains a slash'],
		['a trailing space', `${DEFAULT_WEBHOOK_ID} `, 'Webhook in item 0 is not a valid Smartcar ID: it contains a space'],
	])('a webhook ID that is %s is refused before any request', async (_case, value, message) => {
		const result = await get(byId(value));

		expect(errorOf(result).message).toBe(message);
		expect(sim.stats.requests).toEqual([]);
	});
});
