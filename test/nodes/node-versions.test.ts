/**
 * The Smartcar node's versions. Version 1 (workflows saved before version 2) keeps its fields and defaults; version 2
 * (new nodes) has pickers for IDs, Any / Yes / No webhook filters and a wider default for Connect's Permissions, under
 * the same parameter names. For every operation of both versions, each parameter is shown once, and the same code
 * reads both forms.
 */
import type { INodeParameters, INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { Smartcar } from '../../nodes/Smartcar/Smartcar.node';
import { DEFAULT_PERMISSIONS } from '../../nodes/shared/permissions';
import { shutdownHarness } from '../harness';
import { createFleet, DEFAULT_WEBHOOK_ID, startSimulator, type Simulator } from '../../tooling/simulator';
import { picked } from './picker-fixture';
import { connectionsOf, credentialStore, outputJson, resetBetweenTests, runSmartcar, vehicleOf } from './smartcar-fixture';

const description = new Smartcar().description;

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'node-versions-spec', users: [{ vehicles: 2, powertrain: 'BEV' }] }) });
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

/** Every resource/operation pair the node offers. */
function operations(): Array<[string, string]> {
	const resources = description.properties.find((property) => property.name === 'resource')?.options as Array<{ value: string }>;
	return resources.flatMap(({ value: resource }) => {
		const field = description.properties.find((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource));
		return (field?.options as Array<{ value: string }>).map(({ value }): [string, string] => [resource, value]);
	});
}

/** The fields n8n shows for this operation in this version (with the parameters' defaults). */
function shown(typeVersion: number, resource: string, operation: string): INodeProperties[] {
	const node = { typeVersion };
	const values = NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, node, description) ?? {};
	return description.properties.filter((property) => NodeHelpers.displayParameter(values, property, node, description));
}

test('version 1 and 2 are offered; new nodes get version 2', () => {
	expect(description.version).toEqual([1, 2]);
	expect(description.defaultVersion).toBe(2);
});

test.each([1, 2])('version %i: every operation shows each parameter once', (typeVersion) => {
	for (const [resource, operation] of operations()) {
		const names = shown(typeVersion, resource, operation).map((property) => property.name);
		expect({ resource, operation, duplicates: names.filter((name, index) => names.indexOf(name) !== index) }).toEqual({ resource, operation, duplicates: [] });
	}
});

test.each([
	['signal', 'get', 'userId'],
	['connection', 'getMany', 'userId'],
	['connection', 'getMany', 'vehicleId'],
	['connection', 'get', 'connectionId'],
	['subscription', 'get', 'subscriptionId'],
	['user', 'delete', 'userId'],
])('%s → %s: %s is text in version 1 and a picker in version 2', (resource, operation, name) => {
	const typeIn = (typeVersion: number) => shown(typeVersion, resource, operation).find((property) => property.name === name)?.type;
	expect([typeIn(1), typeIn(2)]).toEqual(['string', 'resourceLocator']);
});

describe('runs', () => {
	const userId = () => sim.fleet.users[0].id;

	test('version 2 with everything picked from lists: Signal → Get, Connection → Get, Connection → Get Many', async () => {
		const vehicle = vehicleOf(sim, userId());
		const [connection] = connectionsOf(sim, userId());
		const run = async (parameters: INodeParameters) => outputJson(await runSmartcar(parameters, { store: credentialStore(sim), typeVersion: 2 }));

		const [signal] = await run({ resource: 'signal', operation: 'get', userId: picked(userId()), vehicleId: picked(vehicle.id), signalCode: 'odometer-traveleddistance' });
		const [got] = await run({ resource: 'connection', operation: 'get', connectionId: picked(connection.id) });
		const many = await run({ resource: 'connection', operation: 'getMany', userId: picked(userId()), vehicleId: picked(connection.vehicleId), returnAll: true });

		expect(signal).toMatchObject({ vehicleId: vehicle.id, userId: userId(), code: 'odometer-traveleddistance', status: 'SUCCESS' });
		expect(got.id).toBe(connection.id);
		expect(many.map((item) => item.id)).toEqual([connection.id]);
	});

	test('version 2 Subscription → Get with the subscription picked from the list', async () => {
		const vehicle = vehicleOf(sim, userId());
		const subscription = sim.subscribe(DEFAULT_WEBHOOK_ID, vehicle.id, userId());

		const result = await runSmartcar({ resource: 'subscription', operation: 'get', subscriptionId: picked(subscription.id) }, { store: credentialStore(sim), typeVersion: 2 });

		expect(outputJson(result)[0]).toMatchObject({ id: subscription.id, vehicleId: vehicle.id });
	});

	test('version 1 with its text fields, as saved before version 2, runs as before', async () => {
		const [connection] = connectionsOf(sim, userId());

		const result = await runSmartcar({ resource: 'connection', operation: 'getMany', userId: userId(), vehicleId: connection.vehicleId, returnAll: true }, { store: credentialStore(sim) });

		expect(outputJson(result).map((item) => item.id)).toEqual([connection.id]);
	});

	test.each([
		[1, ['read_vehicle_info']],
		[2, [...DEFAULT_PERMISSIONS]],
	])('Connect → Get Authorization URL without Permissions set: version %i asks for %j', async (typeVersion, scopes) => {
		const result = await runSmartcar({ resource: 'connect', operation: 'getAuthorizationUrl', redirectUri: 'https://n8n.example.com/cb' }, { store: credentialStore(sim), typeVersion });

		expect(outputJson(result)[0].scopes).toEqual(scopes);
	});
});
