/**
 * The Webhook picker (listSearch `searchWebhooks`) run the way the editor runs it: n8n-core's LoadOptionsContext.
 * What is typed in the search box goes to Smartcar as `filter[name]`; each entry names the webhook (and says when it
 * is disabled or auto-subscribes) and shows its callback URI.
 */
import type { INodeParameters } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { shutdownHarness } from '../harness';
import { createFleet, DEFAULT_WEBHOOK_ID, startSimulator, type Simulator } from '../../tooling/simulator';
import { resetBetweenTests } from './smartcar-fixture';
import { openPicker } from './picker-fixture';
import { managementRequests } from './management-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'webhook-picker-spec', users: [{ vehicles: 1 }] }) });
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

/** What the editor does when the Webhook list opens (or its search box changes): a version-1 Subscribe. */
async function openWebhookPicker(filter?: string) {
	const parameters: INodeParameters = { resource: 'subscription', operation: 'subscribe', webhookId: { __rl: true, mode: 'list', value: '' } };
	return await openPicker(sim, { method: 'searchWebhooks', field: 'webhookId', parameters, typeVersion: 1, filter });
}

test('the node registers the picker under the name the Webhook field uses', () => {
	const field = new Smartcar().description.properties.find((property) => property.name === 'webhookId');
	const listMode = field?.modes?.find((mode) => mode.name === 'list');
	expect(listMode?.typeOptions).toEqual({ searchListMethod: 'searchWebhooks', searchable: true });
});

test('lists every webhook by name, with its callback URI; disabled and auto-subscribe ones say so', async () => {
	const disabled = sim.addWebhook({ name: 'Old endpoint', isEnabled: false });
	const auto = sim.addWebhook({ name: 'Everything', autoSubscribe: true });

	const { results } = await openWebhookPicker();

	expect(results).toEqual([
		{ name: 'Simulator Webhook', value: DEFAULT_WEBHOOK_ID, description: sim.webhooks[0].callbackUri },
		{ name: 'Old endpoint (disabled)', value: disabled.id, description: disabled.callbackUri },
		{ name: 'Everything (auto-subscribe)', value: auto.id, description: auto.callbackUri },
	]);
	expect(managementRequests(sim, 'GET', '/webhooks').map((request) => request.query)).toEqual([{ 'page[number]': '1', 'page[size]': '100' }]);
});

test('the search text is sent as filter[name], as typed', async () => {
	const match = sim.addWebhook({ name: 'Fleet Alerts' });
	sim.addWebhook({ name: 'Billing' });

	const { results } = await openWebhookPicker('fleet ');

	expect(managementRequests(sim, 'GET', '/webhooks')[0].query['filter[name]']).toBe('fleet ');
	expect(results.map((result) => result.value)).toEqual([match.id]);

	sim.resetStats();
	expect((await openWebhookPicker('alerts ')).results).toEqual([]);
	expect(managementRequests(sim, 'GET', '/webhooks')[0].query['filter[name]']).toBe('alerts ');
});

test('an application without webhooks: an empty list', async () => {
	sim.clearWebhooks();
	expect((await openWebhookPicker()).results).toEqual([]);
});
