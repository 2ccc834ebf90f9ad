/**
 * Connection → Get Many / Get: both of Smartcar's list shapes (A: cursor, B: JSON:API with page numbers and
 * relative or absolute `links.next`) become the same flat item; Return All follows every page, a limit stops
 * paging as soon as it is reached.
 */
import type { IDataObject } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import {
	apiRequests,
	connectionsOf,
	credentialStore,
	errorOf,
	expectedConnection,
	outputJson,
	resetBetweenTests,
	runSmartcar,
} from './smartcar-fixture';

let sim: Simulator;
let bigUser: string;
let smallUser: string;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'connection-spec', users: [{ vehicles: 250 }, { vehicles: 3 }] }),
	});
	bigUser = sim.fleet.users[0].id;
	smallUser = sim.fleet.users[1].id;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function listConnections(parameters: IDataObject) {
	return await runSmartcar({ resource: 'connection', operation: 'getMany', ...parameters }, { store: credentialStore(sim) });
}

/** Shape A carries no vehicle attributes and no permissions: those are null. */
function shapeAItem(expected: IDataObject): IDataObject {
	return {
		...expected,
		vehicle: { make: null, model: null, year: null, mode: null, powertrainType: null },
		permissions: null,
	};
}

function connectionRequests() {
	return apiRequests(sim).filter((request) => request.path === '/v3/connections');
}

describe('shape B (JSON:API, page numbers, links.next)', () => {
	test.each(['relative', 'absolute'] as const)(
		'Return All pages through 250 connections with %s next links: 250 unique items, documented shape, 3 requests',
		async (connectionsNextLink) => {
			sim.setOptions({ connectionsShape: 'B', connectionsNextLink });

			const result = await listConnections({ userId: bigUser, returnAll: true });

			expect(result.error).toBeUndefined();
			const items = outputJson(result);
			expect(items).toHaveLength(250);
			expect(new Set(items.map((item) => item.id)).size).toBe(250);
			expect(items).toEqual(connectionsOf(sim, bigUser).map((connection) => expectedConnection(sim, connection)));
			expect(Object.keys(items[0])).toEqual(['id', 'userId', 'vehicleId', 'connectedAt', 'vehicle', 'permissions']);

			const requests = connectionRequests();
			expect(requests.map((request) => [request.query['page[number]'], request.query['page[size]'], request.userId])).toEqual([
				['1', '100', bigUser],
				['2', '100', bigUser],
				['3', '100', bigUser],
			]);
		},
	);

	test('a limit of 120 returns exactly the first 120 and fetches only 2 pages', async () => {
		const result = await listConnections({ userId: bigUser, returnAll: false, limit: 120 });

		const items = outputJson(result);
		expect(items).toHaveLength(120);
		expect(items).toEqual(
			connectionsOf(sim, bigUser)
				.slice(0, 120)
				.map((connection) => expectedConnection(sim, connection)),
		);
		expect(connectionRequests()).toHaveLength(2);
	});

	test('a limit of 100 is one page; a limit of 7 asks for a page of 7', async () => {
		expect(outputJson(await listConnections({ userId: bigUser, returnAll: false, limit: 100 }))).toHaveLength(100);
		expect(connectionRequests()).toHaveLength(1);

		sim.resetStats();
		const seven = outputJson(await listConnections({ userId: bigUser, returnAll: false, limit: 7 }));
		expect(seven.map((item) => item.id)).toEqual(connectionsOf(sim, bigUser).slice(0, 7).map((connection) => connection.id));
		expect(connectionRequests().map((request) => request.query)).toEqual([{ 'page[number]': '1', 'page[size]': '7' }]);
	});

	test('the default limit is 50', async () => {
		const result = await listConnections({ userId: bigUser });
		expect(outputJson(result)).toHaveLength(50);
	});

	test('without a user, every user\'s connections are listed', async () => {
		const result = await listConnections({ returnAll: true });

		const items = outputJson(result);
		expect(items).toHaveLength(253);
		expect(new Set(items.map((item) => item.userId))).toEqual(new Set([bigUser, smallUser]));
		expect(connectionRequests()).toHaveLength(3);
	});

	test('the vehicle filter returns that vehicle\'s connection only', async () => {
		const target = connectionsOf(sim, bigUser)[137];

		const result = await listConnections({ userId: bigUser, vehicleId: target.vehicleId, returnAll: true });

		expect(outputJson(result)).toEqual([expectedConnection(sim, target)]);
		expect(connectionRequests().map((request) => request.query['filter[vehicleId]'])).toEqual([target.vehicleId]);
	});

	test('a user without connections gives no items', async () => {
		const result = await listConnections({ userId: '11111111-2222-4333-8444-555555555555', returnAll: true });

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual([]);
	});

	test('a next link to another host is not followed (the token stays with the API)', async () => {
		// A real page from the simulator, whose next link is changed to point elsewhere.
		const response = await fetch(`${sim.apiBaseUrl}/connections?page[size]=2`, {
			headers: { Authorization: `Bearer ${sim.issueToken()}`, 'sc-user-id': smallUser },
		});
		const page = (await response.json()) as { links: IDataObject };
		page.links.next = 'https://attacker.example/v3/connections?page[number]=2';
		sim.resetStats();
		sim.failNext({ path: '/v3/connections', status: 200, body: page });

		const result = await listConnections({ userId: smallUser, returnAll: true });

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar returned a paging link to another host; it was not followed');
		expect(error.description).toContain('https://attacker.example');
		expect(connectionRequests()).toHaveLength(1);
	});
});

describe('shape A (cursor)', () => {
	beforeEach(() => sim.setOptions({ connectionsShape: 'A' }));

	test('Return All follows the cursor through 250 connections: 250 unique items, 3 requests', async () => {
		const result = await listConnections({ userId: bigUser, returnAll: true });

		expect(result.error).toBeUndefined();
		const items = outputJson(result);
		expect(items).toHaveLength(250);
		expect(new Set(items.map((item) => item.id)).size).toBe(250);
		expect(items).toEqual(connectionsOf(sim, bigUser).map((connection) => shapeAItem(expectedConnection(sim, connection))));

		const requests = connectionRequests();
		expect(requests).toHaveLength(3);
		expect(requests[0].query.cursor).toBeUndefined();
		expect(requests.slice(1).every((request) => typeof request.query.cursor === 'string' && request.query.cursor !== '')).toBe(true);
		expect(requests.every((request) => request.userId === bigUser)).toBe(true);
	});

	test('with smaller pages, a limit of 120 fetches only the pages it needs', async () => {
		sim.setOptions({ cursorPageSize: 50 });

		const result = await listConnections({ userId: bigUser, returnAll: false, limit: 120 });

		expect(outputJson(result).map((item) => item.id)).toEqual(
			connectionsOf(sim, bigUser)
				.slice(0, 120)
				.map((connection) => connection.id),
		);
		expect(connectionRequests()).toHaveLength(3);
	});

	test('the vehicle filter works with the cursor shape too', async () => {
		const target = connectionsOf(sim, smallUser)[1];

		const result = await listConnections({ userId: smallUser, vehicleId: target.vehicleId, returnAll: true });

		expect(outputJson(result)).toEqual([shapeAItem(expectedConnection(sim, target))]);
	});
});

describe('Connection → Get', () => {
	test('returns the connection in the same flat shape as the list', async () => {
		const target = connectionsOf(sim, smallUser)[2];

		const result = await runSmartcar({ resource: 'connection', operation: 'get', connectionId: target.id }, { store: credentialStore(sim) });

		expect(outputJson(result)).toEqual([expectedConnection(sim, target)]);
		expect(apiRequests(sim).map((request) => [request.method, request.path, request.status])).toEqual([
			['GET', `/v3/connections/${target.id}`, 200],
		]);
	});

	test('an unknown connection is a clear 404', async () => {
		const result = await runSmartcar(
			{ resource: 'connection', operation: 'get', connectionId: 'no-such-connection' },
			{ store: credentialStore(sim) },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(error.description).toContain('Connection no-such-connection was not found.');
		expect(error.httpCode).toBe('404');
	});

	test('an empty connection ID fails before any request', async () => {
		const result = await runSmartcar({ resource: 'connection', operation: 'get', connectionId: '  ' }, { store: credentialStore(sim) });

		const error = errorOf(result);
		expect(error.message).toBe('Connection ID is empty in item 0');
		expect(error.name).toBe('NodeOperationError');
		expect(sim.stats.requests).toHaveLength(0);
	});
});
