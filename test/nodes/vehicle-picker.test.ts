/**
 * The Vehicle picker (listSearch `searchVehicles`) run the way the editor runs it: n8n-core's LoadOptionsContext
 * over the node's current parameters. The User ID typed in the node becomes the `sc-user-id` header, so it is
 * checked like every other ID: a bad one is refused before any request, never cleaned and sent for someone else.
 */
import { LoadOptionsContext } from 'n8n-core';
import type { INode, INodeParameters } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { searchVehicles } from '../../nodes/Smartcar/methods/list-search';
import { createAdditionalData, HarnessCredentialsHelper, HarnessNodeTypes, shutdownHarness } from '../harness';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { SMARTCAR_TYPE, apiRequests, connectionsOf, credentialStore, credentialTypes, nodeTypes, resetBetweenTests } from './smartcar-fixture';

let sim: Simulator;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'vehicle-picker-spec', users: [{ vehicles: 2 }, { vehicles: 1 }] }) });
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

/** What the editor does when the Vehicle list opens: a load-options context over the node's current parameters. */
async function openPicker(parameters: INodeParameters) {
	const store = credentialStore(sim);
	const types = new HarnessNodeTypes(nodeTypes);
	const node: INode = {
		id: '2',
		name: 'Smartcar',
		type: SMARTCAR_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { smartcarApi: store.details('smartcarApi') as { id: string; name: string } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: types });
	const additionalData = createAdditionalData({ credentialsHelper: new HarnessCredentialsHelper(store, credentialTypes, nodeTypes) });
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'vehicleId');
	return await searchVehicles.call(context);
}

const base: INodeParameters = { resource: 'signal', operation: 'get', vehicleId: { __rl: true, mode: 'list', value: '' } };

test('a valid User ID lists that user\'s vehicles, sent as given', async () => {
	const userId = sim.fleet.users[0].id;

	const { results } = await openPicker({ ...base, userId });

	expect(results.map((result) => result.value).sort()).toEqual(connectionsOf(sim, userId).map((c) => c.vehicleId).sort());
	expect(apiRequests(sim).map((request) => request.userId)).toEqual([userId]);
});

test.each([
	['a control character', 'u\u0001x', 'it contains a control character'],
	['a trailing space', `${'a'.repeat(8)} `, 'it contains a space'],
	['a slash', 'u/x', 'it contains a slash'],
	['a non-ASCII letter', 'uüx', 'it contains a non-ASCII character'],
])('a User ID with %s is refused before any request', async (_label, userId, reason) => {
	await expect(openPicker({ ...base, userId })).rejects.toThrow(`User ID is not a valid Smartcar ID: ${reason}`);
	expect(sim.stats.requests).toEqual([]);
});

test('an empty User ID or an expression lists every user\'s vehicles', async () => {
	for (const userId of ['', '   ', '={{ $json.userId }}']) {
		const { results } = await openPicker({ ...base, userId });
		expect(results).toHaveLength(sim.fleet.vehicles.length);
	}
	expect(apiRequests(sim).every((request) => request.userId === undefined)).toBe(true);
});
