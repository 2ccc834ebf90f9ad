/**
 * Vehicle → Get (GET /vehicles/{id}) and Vehicle → Get Many (the user's connections; shape B already carries the
 * attributes, shape A costs one GET /vehicles/{id} per vehicle).
 */
import type { IDataObject } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { createFleet, startSimulator, type SimConnection, type Simulator } from '../../tooling/simulator';
import {
	apiRequests,
	byId,
	connectionsOf,
	credentialStore,
	errorOf,
	fromItem,
	outputJson,
	resetBetweenTests,
	runSmartcar,
	vehicleById,
} from './smartcar-fixture';

let sim: Simulator;
let userId: string;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({
			seed: 'vehicle-spec',
			users: [
				{ vehicles: 4, powertrain: ['BEV', 'ICE', 'PHEV', 'HEV'] },
				{ vehicles: 1, powertrain: 'BEV', mode: 'simulated' },
				{ vehicles: 0 },
			],
		}),
	});
	userId = sim.fleet.users[0].id;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

function vehicleItem(vehicleId: string, owner: string): IDataObject {
	const vehicle = vehicleById(sim, vehicleId);
	return {
		id: vehicle.id,
		userId: owner,
		make: vehicle.make,
		model: vehicle.model,
		year: vehicle.year,
		mode: vehicle.mode,
		powertrainType: vehicle.powertrainType,
	};
}

function getManyItem(connection: SimConnection, permissions: string[] | null): IDataObject {
	return {
		...vehicleItem(connection.vehicleId, connection.userId),
		connectionId: connection.id,
		connectedAt: connection.connectedAt,
		permissions,
	};
}

describe('Vehicle → Get', () => {
	test('returns make, model, year, mode and powertrain of each input item\'s vehicle', async () => {
		const vehicles = connectionsOf(sim, userId).map((connection) => connection.vehicleId);

		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(fromItem('vehicleId') as string) },
			{ store: credentialStore(sim), items: vehicles.map((vehicleId) => ({ vehicleId })) },
		);

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual(vehicles.map((vehicleId) => vehicleItem(vehicleId, userId)));
		expect(result.items('Smartcar').map((item) => item.pairedItem)).toEqual(vehicles.map((_, item) => ({ item })));
		expect(apiRequests(sim).map((request) => [request.method, request.path, request.userId])).toEqual(
			vehicles.map((vehicleId) => ['GET', `/v3/vehicles/${vehicleId}`, userId]),
		);
	});

	test('a simulated-mode vehicle says so', async () => {
		const owner = sim.fleet.users[1].id;
		const [connection] = connectionsOf(sim, owner);

		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'get', userId: owner, vehicleId: byId(connection.vehicleId) },
			{ store: credentialStore(sim) },
		);

		expect(outputJson(result)).toEqual([{ ...vehicleItem(connection.vehicleId, owner), mode: 'simulated' }]);
	});

	test('an unknown vehicle is a clear 404', async () => {
		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'get', userId, vehicleId: byId('36ab27d0-fd9d-4455-823a-ce30af709ffc') },
			{ store: credentialStore(sim) },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(error.description).toContain('Vehicle 36ab27d0-fd9d-4455-823a-ce30af709ffc was not found.');
	});
});

describe('Vehicle → Get Many', () => {
	test('shape B: one item per vehicle from the connections alone, no per-vehicle calls', async () => {
		sim.setOptions({ connectionsShape: 'B' });

		const result = await runSmartcar({ resource: 'vehicle', operation: 'getMany', userId, returnAll: true }, { store: credentialStore(sim) });

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual(
			connectionsOf(sim, userId).map((connection) => getManyItem(connection, [...connection.permissions])),
		);
		expect(apiRequests(sim).map((request) => [request.path, request.userId])).toEqual([['/v3/connections', userId]]);
	});

	test('shape A: the same vehicles, enriched with one GET /vehicles/{id} each (sc-user-id sent)', async () => {
		sim.setOptions({ connectionsShape: 'A' });
		const connections = connectionsOf(sim, userId);

		const result = await runSmartcar({ resource: 'vehicle', operation: 'getMany', userId, returnAll: true }, { store: credentialStore(sim) });

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual(connections.map((connection) => getManyItem(connection, null)));
		expect(apiRequests(sim).map((request) => [request.path, request.userId])).toEqual([
			['/v3/connections', userId],
			...connections.map((connection) => [`/v3/vehicles/${connection.vehicleId}`, userId]),
		]);
	});

	test('a limit returns only that many vehicles', async () => {
		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'getMany', userId, returnAll: false, limit: 2 },
			{ store: credentialStore(sim) },
		);

		expect(outputJson(result)).toEqual(
			connectionsOf(sim, userId)
				.slice(0, 2)
				.map((connection) => getManyItem(connection, [...connection.permissions])),
		);
	});

	test('a user without vehicles gives no items', async () => {
		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'getMany', userId: sim.fleet.users[2].id, returnAll: true },
			{ store: credentialStore(sim) },
		);

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual([]);
	});

	test('a user ID mapped from an item that has none fails before any request', async () => {
		const result = await runSmartcar(
			{ resource: 'vehicle', operation: 'getMany', userId: fromItem('userId'), returnAll: true },
			{ store: credentialStore(sim), items: [{ name: 'no user here' }] },
		);

		expect(errorOf(result).message).toBe('User ID is empty in item 0');
		expect(sim.stats.requests).toHaveLength(0);
	});
});
