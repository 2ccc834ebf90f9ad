/**
 * Issue #11 point 3: every item is checked before the first request. Without Continue On Fail a batch with one bad
 * item fails naming the item and the field, and the simulator receives nothing at all (not even a token request);
 * with Continue On Fail the bad items become error items and the good ones run, in input order, each paired with
 * its input. IDs are checked against an allow-list with a length bound and are never cleaned or trimmed; Limit is a
 * whole number from 1 to 10,000.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import {
	CODES,
	booleanValue,
	createFleet,
	findUser,
	numberValue,
	setLocked,
	startSimulator,
	type Simulator,
	type SimVehicle,
} from '../../tooling/simulator';
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
} from './smartcar-fixture';

let sim: Simulator;
let userId: string;
let otherUserId: string;
let first: SimVehicle;
let second: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'validate-first-spec', users: [{ vehicles: 2, powertrain: 'BEV' }, { vehicles: 1 }] }),
	});
	[userId, otherUserId] = sim.fleet.users.map((user) => user.id);
	[first, second] = connectionsOf(sim, userId).map((connection) => sim.fleet.vehicles.find((vehicle) => vehicle.id === connection.vehicleId) as SimVehicle);
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

const COF = 'continueRegularOutput' as const;

/** Command → Unlock, user and vehicle mapped from each input item. */
const mappedUnlock: INodeParameters = {
	resource: 'command',
	operation: 'unlock',
	userId: fromItem('userId'),
	vehicleId: byId(fromItem('vehicleId') as string),
};

const mappedDelete: INodeParameters = { resource: 'user', operation: 'delete', userId: fromItem('userId') };

/** Connection → Get Many of the first user, the Limit mapped from each input item. */
function mappedConnections(): INodeParameters {
	return { resource: 'connection', operation: 'getMany', userId, returnAll: false, limit: fromItem('limit') };
}

function nothingWasSent(): void {
	expect(sim.stats.requests).toEqual([]);
	expect(sim.stats.tokenExchanges).toBe(0);
}

describe('one bad item, no Continue On Fail: the run fails before any request', () => {
	test('Unlock [valid, "../x"]: the first car is not unlocked', async () => {
		setLocked(first, true);

		const result = await runSmartcar(mappedUnlock, {
			store: credentialStore(sim),
			items: [
				{ userId, vehicleId: first.id },
				{ userId, vehicleId: '../x' },
			],
		});

		nothingWasSent();
		expect(booleanValue(first, CODES.isLocked)).toBe(true);
		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('Vehicle ID in item 1 is not a valid Smartcar ID: it contains a slash');
		expect(error.context).toEqual({ itemIndex: 1 });
		expect(String(error.description)).toContain('nothing was sent to Smartcar');
	});

	test('Delete User [valid, "u\\u0001x"]: the valid user is not deleted', async () => {
		const result = await runSmartcar(mappedDelete, {
			store: credentialStore(sim),
			items: [{ userId: otherUserId }, { userId: 'u\u0001x' }],
		});

		nothingWasSent();
		expect(findUser(sim.fleet, otherUserId)).toBeDefined();
		const error = errorOf(result);
		expect(error.message).toBe('User ID in item 1 is not a valid Smartcar ID: it contains a control character');
		expect(error.context).toEqual({ itemIndex: 1 });
	});

	test('Signal Get [valid, valid, bad code]: none of the three is read', async () => {
		const result = await runSmartcar(
			{ resource: 'signal', operation: 'get', userId, vehicleId: byId(fromItem('vehicleId') as string), signalCode: fromItem('code') },
			{
				store: credentialStore(sim),
				items: [
					{ vehicleId: first.id, code: CODES.soc },
					{ vehicleId: second.id, code: CODES.soc },
					{ vehicleId: second.id, code: 'state of charge' },
				],
			},
		);

		nothingWasSent();
		const error = errorOf(result);
		expect(error.message).toBe('Signal "state of charge" in item 2 is not a Smartcar signal code');
		expect(error.context).toEqual({ itemIndex: 2 });
	});

	test('Signal Get All with an Output option that is not one of its values is refused', async () => {
		const result = await runSmartcar(
			{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(first.id), options: { output: fromItem('output') } },
			{ store: credentialStore(sim), items: [{ output: 'perVehicle' }, { output: 'flat' }] },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Output in item 1 must be one of "perSignal", "perVehicle", "raw"');
		expect(error.context).toEqual({ itemIndex: 1 });
		nothingWasSent();
	});

	test.each<[string | number, string]>([
		[0, '0'],
		[1.5, '1.5'],
		[10001, '10001'],
		['abc', '"abc"'],
		[-3, '-3'],
		['', '""'],
	])('Connection Get Many with the Limit %j in item 1 is refused', async (limit, shown) => {
		const result = await runSmartcar(mappedConnections(), { store: credentialStore(sim), items: [{ limit: 5 }, { limit }] });

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(`Limit must be a whole number from 1 to 10,000; item 1 has ${shown}`);
		expect(error.context).toEqual({ itemIndex: 1 });
		expect(String(error.description)).toContain('turn on Return All');
		nothingWasSent();
	});

	test('a Limit typed into the node (no expression) is checked the same way, on Vehicle Get Many too', async () => {
		for (const resource of ['connection', 'vehicle']) {
			const result = await runSmartcar(
				{ resource, operation: 'getMany', userId, returnAll: false, limit: 10001 },
				{ store: credentialStore(sim) },
			);
			expect(errorOf(result).message).toBe('Limit must be a whole number from 1 to 10,000; item 0 has 10001');
		}
		nothingWasSent();
	});

	test('the bounds themselves are accepted: Limit 1, 10,000 and "2" given as text', async () => {
		const result = await runSmartcar(mappedConnections(), {
			store: credentialStore(sim),
			items: [{ limit: 1 }, { limit: 10000 }, { limit: '2' }],
		});

		expect(result.error).toBeUndefined();
		expect(result.items('Smartcar').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
			{ item: 2 },
			{ item: 2 },
		]);
	});
});

describe('Continue On Fail: bad items become error items, good items run in input order', () => {
	test('Unlock [valid, bad user, valid]: both cars unlocked, in order, the middle item an error', async () => {
		setLocked(first, true);
		setLocked(second, true);

		const result = await runSmartcar(mappedUnlock, {
			store: credentialStore(sim),
			onError: COF,
			items: [
				{ userId, vehicleId: first.id },
				{ userId: 'u\u0001x', vehicleId: first.id },
				{ userId, vehicleId: second.id },
			],
		});

		expect(result.error).toBeUndefined();
		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json).toMatchObject({ command: 'unlock', vehicleId: first.id, userId, status: 'SUCCESS' });
		expect(output[1].json).toEqual({
			error: 'User ID in item 1 is not a valid Smartcar ID: it contains a control character',
			description: expect.stringContaining('nothing was sent to Smartcar'),
		});
		expect(output[2].json).toMatchObject({ command: 'unlock', vehicleId: second.id, userId, status: 'SUCCESS' });
		expect(apiRequests(sim).map((request) => [request.method, request.path, request.userId])).toEqual([
			['POST', `/v3/vehicles/${first.id}/commands/security/unlock`, userId],
			['POST', `/v3/vehicles/${second.id}/commands/security/unlock`, userId],
		]);
		expect([booleanValue(first, CODES.isLocked), booleanValue(second, CODES.isLocked)]).toEqual([false, false]);
	});

	test('Connection Get Many [limit 2, limit 0, limit 1]: outputs 2, an error, 1, each paired with its input', async () => {
		const result = await runSmartcar(mappedConnections(), {
			store: credentialStore(sim),
			onError: COF,
			items: [{ limit: 2 }, { limit: 0 }, { limit: 1 }],
		});

		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 2 }]);
		const ids = connectionsOf(sim, userId).map((connection) => connection.id);
		expect(outputJson(result).map((item) => item.id ?? item.error)).toEqual([
			ids[0],
			ids[1],
			'Limit must be a whole number from 1 to 10,000; item 1 has 0',
			ids[0],
		]);
		expect(apiRequests(sim)).toHaveLength(2);
	});

	test('Signal Get [bad vehicle, valid, bad code, valid]: only the valid items are read, in order', async () => {
		const items: IDataObject[] = [
			{ vehicleId: 'ü', code: CODES.soc },
			{ vehicleId: first.id, code: CODES.soc },
			{ vehicleId: first.id, code: 'nope' },
			{ vehicleId: second.id, code: CODES.soc },
		];

		const result = await runSmartcar(
			{ resource: 'signal', operation: 'get', userId, vehicleId: byId(fromItem('vehicleId') as string), signalCode: fromItem('code') },
			{ store: credentialStore(sim), onError: COF, items },
		);

		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(output.map((item) => item.json.error ?? item.json.value)).toEqual([
			'Vehicle ID in item 0 is not a valid Smartcar ID: it contains a non-ASCII character',
			numberValue(first, CODES.soc),
			'Signal "nope" in item 2 is not a Smartcar signal code',
			numberValue(second, CODES.soc),
		]);
		expect(apiRequests(sim).map((request) => request.path)).toEqual([
			`/v3/vehicles/${first.id}/signals/${CODES.soc}`,
			`/v3/vehicles/${second.id}/signals/${CODES.soc}`,
		]);
	});
});

const BAD_IDS: Array<[string, string, RegExp]> = [
	['a control character', 'u\u0001x', /: it contains a control character$/],
	['a tab', 'u\tx', /: it contains a control character$/],
	['a space', 'u x', /: it contains a space$/],
	['a leading space (not trimmed away)', ' abc', /: it contains a space$/],
	['a slash', 'u/x', /: it contains a slash$/],
	['a backslash', 'u\\x', /: it contains a slash$/],
	['a non-ASCII letter', 'uüx', /: it contains a non-ASCII character$/],
	['".."', '..', /: it contains /],
	['129 characters', 'a'.repeat(129), /: it is longer than 128 characters$/],
];

describe.each<[string, () => INodeParameters, string]>([
	['User ID', () => mappedDelete, 'userId'],
	['Vehicle ID', () => ({ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(fromItem('id') as string) }), 'id'],
	['Connection ID', () => ({ resource: 'connection', operation: 'get', connectionId: fromItem('id') }), 'id'],
])('every class of bad %s is refused, never cleaned and sent', (label, parameters, field) => {
	test.each(BAD_IDS)('%s', async (_class, value, reason) => {
		const result = await runSmartcar(parameters(), { store: credentialStore(sim), items: [{ [field]: value }] });

		nothingWasSent();
		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(String(error.message).startsWith(`${label} in item 0 is not a valid Smartcar ID: `)).toBe(true);
		expect(error.message).toMatch(reason);
		expect(error.context).toEqual({ itemIndex: 0 });
		nothingWasSent();
	});
});

describe('user IDs the HTTP stack would silently change', () => {
	test('"<user>\\u0001" is refused: the unlock is not sent for <user>', async () => {
		setLocked(first, true);

		const result = await runSmartcar(mappedUnlock, {
			store: credentialStore(sim),
			items: [{ userId: `${userId}\u0001`, vehicleId: first.id }],
		});

		// Checked first: before this fix the header went out as the real user's ID and the car was unlocked.
		nothingWasSent();
		expect(booleanValue(first, CODES.isLocked)).toBe(true);
		expect(errorOf(result).message).toBe('User ID in item 0 is not a valid Smartcar ID: it contains a control character');
	});

	test('an ID of exactly 128 allowed characters is sent as given', async () => {
		const id = `c-${'0'.repeat(124)}.9`;

		const result = await runSmartcar(
			{ resource: 'connection', operation: 'get', connectionId: fromItem('id') },
			{ store: credentialStore(sim), items: [{ id }] },
		);

		expect(errorOf(result).message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(apiRequests(sim).map((request) => request.path)).toEqual([`/v3/connections/${id}`]);
	});
});
