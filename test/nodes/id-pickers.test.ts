/**
 * The User, Connection and Subscription pickers (version 2 of the Smartcar node), run the way the editor runs them.
 * Users come from the application's connections (Smartcar has no user list), each named by its ID and vehicles;
 * connections are named by vehicle and user; subscriptions by vehicle, webhook name and user. The search text keeps
 * the entries that contain it.
 */
import { shutdownHarness } from '../harness';
import { createFleet, DEFAULT_WEBHOOK_ID, startSimulator, type Simulator } from '../../tooling/simulator';
import { managementRequests } from './management-fixture';
import { openPicker, picked } from './picker-fixture';
import { apiRequests, connectionsOf, resetBetweenTests, vehicleById } from './smartcar-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'id-pickers-spec', users: [{ vehicles: 3 }, { vehicles: 1 }] }) });
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

const label = (vehicleId: string) => {
	const vehicle = vehicleById(sim, vehicleId);
	return `${vehicle.year} ${vehicle.make} ${vehicle.model}`;
};

describe('User', () => {
	const open = (filter?: string) =>
		openPicker(sim, { method: 'searchUsers', field: 'userId', parameters: { resource: 'signal', operation: 'get', userId: picked('') }, filter });

	test('every user who connected a vehicle, once, named by ID and (up to two) vehicles; one list of connections, no sc-user-id', async () => {
		const [many, one] = sim.fleet.users;

		const { results } = await open();

		const manyLabels = connectionsOf(sim, many.id).map((connection) => label(connection.vehicleId));
		expect(results).toEqual(
			expect.arrayContaining([
				{ name: `${many.id} (${manyLabels.slice(0, 2).join(', ')}, +1 more)`, value: many.id },
				{ name: `${one.id} (${label(connectionsOf(sim, one.id)[0].vehicleId)})`, value: one.id },
			]),
		);
		expect(results).toHaveLength(2);
		expect(apiRequests(sim).map((request) => [request.path, request.userId])).toEqual([['/v3/connections', undefined]]);
	});

	test('the search text matches the ID or a vehicle', async () => {
		const [many, one] = sim.fleet.users;
		const oneVehicle = vehicleById(sim, connectionsOf(sim, one.id)[0].vehicleId);

		expect((await open(many.id.slice(0, 6))).results.map((result) => result.value)).toEqual([many.id]);
		expect((await open(oneVehicle.model.toLowerCase())).results.map((result) => result.value)).toContain(one.id);
		expect((await open('no such user')).results).toEqual([]);
	});
});

describe('Connection (Connection → Get)', () => {
	test('every connection, named by its vehicle and user', async () => {
		const { results } = await openPicker(sim, {
			method: 'searchConnections',
			field: 'connectionId',
			parameters: { resource: 'connection', operation: 'get', connectionId: picked('') },
		});

		expect(results).toHaveLength(sim.fleet.connections.length);
		for (const connection of sim.fleet.connections) {
			expect(results).toContainEqual({ name: `${label(connection.vehicleId)} of user ${connection.userId} (${connection.id})`, value: connection.id });
		}
	});
});

describe('Subscription (Subscription → Get, Unsubscribe)', () => {
	const open = (filter?: string) =>
		openPicker(sim, {
			method: 'searchSubscriptions',
			field: 'subscriptionId',
			parameters: { resource: 'subscription', operation: 'unsubscribe', unsubscribeBy: 'id', subscriptionId: picked('') },
			filter,
		});

	test('every subscription, named by vehicle, webhook name and user; subscriptions and webhooks read once each', async () => {
		const other = sim.addWebhook({ name: 'Fleet alerts' });
		const [a, b] = sim.fleet.connections;
		const first = sim.subscribe(DEFAULT_WEBHOOK_ID, a.vehicleId, a.userId);
		const second = sim.subscribe(other.id, b.vehicleId, b.userId);

		const { results } = await open();

		expect(results).toEqual([
			{ name: `${label(a.vehicleId)} → Simulator Webhook (${first.id}, user ${a.userId})`, value: first.id },
			{ name: `${label(b.vehicleId)} → Fleet alerts (${second.id}, user ${b.userId})`, value: second.id },
		]);
		expect(managementRequests(sim, 'GET').map((request) => request.path)).toEqual(['/management/v3/subscriptions', '/management/v3/webhooks']);
	});

	test('the search text matches a webhook name; no subscriptions: an empty list', async () => {
		const other = sim.addWebhook({ name: 'Fleet alerts' });
		const [a, b] = sim.fleet.connections;
		sim.subscribe(DEFAULT_WEBHOOK_ID, a.vehicleId, a.userId);
		const second = sim.subscribe(other.id, b.vehicleId, b.userId);

		expect((await open('fleet')).results.map((result) => result.value)).toEqual([second.id]);
		sim.resetManagement();
		expect((await open()).results).toEqual([]);
	});
});
