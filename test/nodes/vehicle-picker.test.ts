/**
 * The Vehicle picker (listSearch `searchVehicles`) run the way the editor runs it. It lists the vehicles of the user in
 * the User field (text in version 1, a picker from version 2 on), sent as `sc-user-id`, so a vehicle of another user
 * cannot be picked. That user is checked like every other ID: a bad one is refused before any request. An empty
 * required User or an expression is an error that says what to do; where the User is only a filter, an empty one
 * lists every user's vehicles, each naming its user.
 */
import type { INodeParameters } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { shutdownHarness } from '../harness';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { openPicker, picked } from './picker-fixture';
import { apiRequests, connectionsOf, resetBetweenTests, vehicleById } from './smartcar-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'vehicle-picker-spec', users: [{ vehicles: 2 }, { vehicles: 1 }] }) });
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

const signalGet: INodeParameters = { resource: 'signal', operation: 'get', vehicleId: picked('') };

async function vehicles(userId: unknown, typeVersion: number, parameters: INodeParameters = signalGet, filter?: string) {
	return await openPicker(sim, { method: 'searchVehicles', field: 'vehicleId', parameters: { ...parameters, userId: userId as INodeParameters }, typeVersion, filter });
}

const userVehicleIds = (userId: string) => connectionsOf(sim, userId).map((connection) => connection.vehicleId).sort();

test.each([
	['version 1, User ID typed', 1, (id: string) => id],
	['version 2, User picked from the list', 2, (id: string) => picked(id)],
	['version 2, User by ID', 2, (id: string) => picked(id, 'id')],
])('%s: the list is that user\'s vehicles, asked for with the user\'s sc-user-id', async (_case, typeVersion, userValue) => {
	const userId = sim.fleet.users[0].id;

	const { results } = await vehicles(userValue(userId), typeVersion);

	expect(results.map((result) => result.value).sort()).toEqual(userVehicleIds(userId));
	const vehicle = vehicleById(sim, String(results[0].value));
	expect(results[0].name).toBe(`${vehicle.year} ${vehicle.make} ${vehicle.model} (${vehicle.id})`);
	expect(apiRequests(sim).map((request) => request.userId)).toEqual([userId]);
});

test('the search text keeps the entries that contain it', async () => {
	const userId = sim.fleet.users[0].id;
	const [first] = connectionsOf(sim, userId).map((connection) => vehicleById(sim, connection.vehicleId));

	const { results } = await vehicles(picked(userId), 2, signalGet, first.id.slice(0, 8).toUpperCase());

	expect(results.map((result) => result.value)).toEqual([first.id]);
});

test.each([
	['a control character', 'u\u0001x', 'it contains a control character'],
	['a trailing space', `${'a'.repeat(8)} `, 'it contains a space'],
	['a slash', 'u/x', 'it contains a slash'],
	['a non-ASCII letter', 'uüx', 'it contains a non-ASCII character'],
])('a User ID with %s is refused before any request (both versions)', async (_label, userId, reason) => {
	await expect(vehicles(userId, 1)).rejects.toThrow(`User ID is not a valid Smartcar ID: ${reason}`);
	await expect(vehicles(picked(userId, 'id'), 2)).rejects.toThrow(`User ID is not a valid Smartcar ID: ${reason}`);
	expect(sim.stats.requests).toEqual([]);
});

test.each([
	['version 1, empty', 1, ''],
	['version 1, only spaces', 1, '   '],
	['version 2, nothing picked', 2, picked('')],
])('%s User where the operation needs one: "Choose the User first", and no request', async (_case, typeVersion, userId) => {
	await expect(vehicles(userId, typeVersion)).rejects.toThrow('Choose the User first: the list shows that user\'s vehicles');
	expect(sim.stats.requests).toEqual([]);
});

test.each([
	['version 1', 1, '={{ $json.userId }}'],
	['version 2', 2, picked('={{ $json.userId }}', 'id')],
])('%s, a User expression the editor could not resolve: an error that says to map the vehicle too, and no request', async (_case, typeVersion, userId) => {
	const failure = vehicles(userId, typeVersion);

	await expect(failure).rejects.toThrow('The list shows the chosen user\'s vehicles, and the User is an expression');
	await failure.catch((error: { description?: string }) => expect(error.description).toContain('Choose Vehicle → By ID and map it too'));
	expect(sim.stats.requests).toEqual([]);
});

test('where the User is only a filter (Connection → Get Many) and empty: every user\'s vehicles, each naming its user', async () => {
	const { results } = await vehicles(picked(''), 2, { resource: 'connection', operation: 'getMany', vehicleId: picked('') });

	expect(results).toHaveLength(sim.fleet.vehicles.length);
	for (const connection of sim.fleet.connections) {
		expect(results.find((result) => result.value === connection.vehicleId)?.name).toContain(`user ${connection.userId}`);
	}
	expect(apiRequests(sim).every((request) => request.userId === undefined)).toBe(true);
});

test('the field declares that its list depends on the User (reloaded when it changes)', () => {
	const fields = new Smartcar().description.properties.filter((property) => property.name === 'vehicleId' && property.type === 'resourceLocator');
	expect(fields.length).toBeGreaterThan(0);
	for (const field of fields) expect(field.typeOptions?.loadOptionsDependsOn).toEqual(['userId', 'userId.value']);
});
