/**
 * Issue #20, point 4: every ID that goes into a request path is checked, whether typed into the node (refused before
 * any request, see input-validation) or taken from Smartcar's answer (here); and a paging link is followed only
 * under the API's base path, on its origin, without user info (which would replace the Bearer header).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { createFleet, DEFAULT_WEBHOOK_ID, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
import { byId, connectionsOf, credentialStore, errorOf, outputJson, resetBetweenTests, runSmartcar, vehicleById } from './smartcar-fixture';
import { MANAGEMENT_PATH, managementRequests, simulatorPage } from './management-fixture';

let sim: Simulator;
let userId: string;
let vehicle: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'request-paths-spec', users: [{ vehicles: 3, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	vehicle = vehicleById(sim, connectionsOf(sim, userId)[0].vehicleId);
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function run(parameters: INodeParameters) {
	return await runSmartcar(parameters, { store: credentialStore(sim) });
}

/** The simulator's own JSON answer to a Vehicle API GET (recorded in its stats: reset them after). */
async function vehicleApiPage(pathAndQuery: string): Promise<IDataObject> {
	const response = await fetch(`${sim.apiBaseUrl}${pathAndQuery}`, { headers: { Authorization: `Bearer ${sim.issueToken()}`, 'sc-user-id': userId } });
	return (await response.json()) as IDataObject;
}

const BAD_IDS = ['.', '..', '%2e%2e', 'a/../b', 'x?y'];

describe('an ID from Smartcar\'s answer that is not a Smartcar ID never goes into a path', () => {
	test.each(BAD_IDS)('Unsubscribe by webhook and vehicle, listed subscription ID %j: no DELETE, an error', async (badId) => {
		const existing = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, userId);
		const page = await simulatorPage(sim, `/subscriptions?filter[webhookId]=${DEFAULT_WEBHOOK_ID}&filter[vehicleId]=${vehicle.id}`);
		const listed = JSON.parse(JSON.stringify(page).replaceAll(existing.id, badId.replaceAll('"', ''))) as IDataObject;
		sim.failNext({ path: `${MANAGEMENT_PATH}/subscriptions`, method: 'GET', status: 200, body: listed });
		sim.resetStats();

		const result = await run({
			resource: 'subscription',
			operation: 'unsubscribe',
			unsubscribeBy: 'webhookAndVehicle',
			webhookId: byId(DEFAULT_WEBHOOK_ID),
			vehicleId: byId(vehicle.id),
			options: { ignoreMissing: true },
		});

		expect(errorOf(result).message).toMatch(/^The request was not sent: .* is not a Smartcar ID/);
		expect(String(errorOf(result).description)).toContain('came from an earlier answer');
		expect(managementRequests(sim).map((request) => request.method)).toEqual(['GET']);
		expect(sim.subscriptions.map((subscription) => subscription.id)).toEqual([existing.id]);
	});

	test.each(BAD_IDS)('Vehicle → Get Many, a connection listing vehicle ID %j: no GET for it, an error', async (badId) => {
		sim.failNext({
			path: '/v3/connections',
			status: 200,
			body: { connections: [{ id: 'connection-1', userId, vehicleId: badId, connectedAt: '2026-01-01T00:00:00Z' }], paging: { cursor: null } },
		});

		const result = await run({ resource: 'vehicle', operation: 'getMany', userId, returnAll: true });

		expect(errorOf(result).message).toMatch(/^The request was not sent: .* is not a Smartcar ID/);
		expect(sim.stats.requests.map((request) => request.path)).toEqual(['/oauth2/token', '/v3/connections']);
	});
});

describe('a paging link is followed only under the base path of its API, without user info', () => {
	const outside = (): Array<[string, string]> => [
		['the token endpoint on the same origin', '/oauth2/token?page[number]=2'],
		['a relative link that climbs out', '../../outside?page[number]=2'],
		['dot segments written as %2e', '/v3/%2e%2e/oauth2/token'],
		['another API of the same origin', `${sim.managementApiUrl}/webhooks?page[number]=2`],
		['a segment hiding a slash', '/v3/connections/..%2f..%2foauth2'],
	];

	test('connections: each link outside /v3 is refused, and nothing but the first page is requested', async () => {
		for (const [name, link] of outside()) {
			const page = await vehicleApiPage('/connections?page[size]=2');
			(page.links as IDataObject).next = link;
			sim.resetStats();
			sim.failNext({ path: '/v3/connections', status: 200, body: page });

			const result = await run({ resource: 'connection', operation: 'getMany', userId, returnAll: true });

			expect({ name, message: errorOf(result).message }).toEqual({ name, message: expect.stringMatching(/^Smartcar returned a paging link .*; it was not followed$/) });
			expect({ name, paths: sim.stats.requests.map((request) => request.path) }).toEqual({ name, paths: ['/oauth2/token', '/v3/connections'] });
			resetBetweenTests(sim);
		}
	});

	test('a link with user:password@ is refused (it would replace the Bearer token), and the user info is not shown', async () => {
		const page = await vehicleApiPage('/connections?page[size]=2');
		const base = new URL(sim.apiBaseUrl);
		(page.links as IDataObject).next = `${base.protocol}//scuser:scpass@${base.host}/v3/connections?page[number]=2&page[size]=2`;
		sim.resetStats();
		sim.failNext({ path: '/v3/connections', status: 200, body: page });

		const result = await run({ resource: 'connection', operation: 'getMany', userId, returnAll: true });

		expect(errorOf(result).message).toBe('Smartcar returned a paging link with a user name or password in it; it was not followed');
		expect(JSON.stringify(errorOf(result))).not.toMatch(/scuser|scpass/);
		expect(sim.stats.requests.map((request) => request.path)).toEqual(['/oauth2/token', '/v3/connections']);
	});

	test('signals of a vehicle: a next link to the token endpoint is refused', async () => {
		const page = await vehicleApiPage(`/vehicles/${vehicle.id}/signals`);
		page.links = { next: '/oauth2/token' };
		sim.resetStats();
		sim.failNext({ path: `/v3/vehicles/${vehicle.id}/signals`, status: 200, body: page });

		const result = await run({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(vehicle.id) });

		expect(errorOf(result).message).toMatch(/^Smartcar returned a paging link outside the API Base URL .*; it was not followed$/);
		expect(sim.stats.requests.map((request) => request.path)).toEqual(['/oauth2/token', `/v3/vehicles/${vehicle.id}/signals`]);
	});

	test('webhooks (Management API): a link into the Vehicle API of the same origin is refused', async () => {
		const page = await simulatorPage(sim, '/webhooks?page[number]=1&page[size]=100');
		page.links = { next: `${sim.apiBaseUrl}/connections?page[number]=2` };
		sim.failNext({ path: `${MANAGEMENT_PATH}/webhooks`, status: 200, body: page });
		sim.resetStats();

		const result = await run({ resource: 'webhook', operation: 'getMany', returnAll: true });

		expect(errorOf(result).message).toMatch(/^Smartcar returned a paging link outside the Management API Base URL .*; it was not followed$/);
		expect(sim.stats.requests.map((request) => request.path)).toEqual(['/oauth2/token', `${MANAGEMENT_PATH}/webhooks`]);
	});

	test('links under the base path, absolute or relative, are still followed', async () => {
		sim.setOptions({ connectionsNextLink: 'absolute' });
		const result = await run({ resource: 'connection', operation: 'getMany', userId, returnAll: true, options: {} });
		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toHaveLength(3);
	});
});
