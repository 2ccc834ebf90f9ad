/**
 * Bad input is refused before any request with a NodeOperationError naming the field and the item: every item is
 * checked before the first request, so without Continue On Fail one bad item means nothing is sent at all. With
 * Continue On Fail (`onError: 'continueRegularOutput'`) a failed item becomes `{error, description?, httpCode?}`
 * paired with its input item while the other items go on.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { CODES, createFleet, numberValue, smartcarErrors, startSimulator, type Simulator, type SimVehicle } from '../../tooling/simulator';
import {
	apiRequests,
	byId,
	credentialStore,
	errorOf,
	fault,
	fromItem,
	resetBetweenTests,
	runSmartcar,
} from './smartcar-fixture';

let sim: Simulator;
let userId: string;
let first: SimVehicle;
let second: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'input-spec', users: [{ vehicles: 2, powertrain: 'BEV' }] }) });
	userId = sim.fleet.users[0].id;
	[first, second] = sim.fleet.vehicles;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

/** Signal → Get of the state of charge, user and vehicle mapped from each input item. */
const mappedSoc: INodeParameters = {
	resource: 'signal',
	operation: 'get',
	userId: fromItem('userId'),
	vehicleId: byId(fromItem('vehicleId') as string),
	signalCode: CODES.soc,
};

const NOT_ID_CHARACTERS = 'it contains characters a Smartcar ID never has (only letters, digits, "-", "_", and "." or ":" inside)';
const ID_RULE_DESCRIPTION =
	'A Smartcar ID has only letters, digits, "-" and "_" (with "." or ":" allowed inside) and at most 128 characters. ' +
	'Check the value mapped into the Vehicle ID field; nothing was sent to Smartcar.';

function noRequestWasSent(): void {
	expect(sim.stats.requests).toHaveLength(0);
}

describe('IDs are checked before any request', () => {
	test.each([
		['vehicle ID', { userId: 'u1', vehicleId: '' }, 'Vehicle ID is empty in item 0'],
		['vehicle ID', { userId: 'u1', vehicleId: '   ' }, 'Vehicle ID is empty in item 0'],
		['vehicle ID', { userId: 'u1' }, 'Vehicle ID is empty in item 0'],
		['user ID', { vehicleId: 'v1' }, 'User ID is empty in item 0'],
		['user ID', { userId: '', vehicleId: 'v1' }, 'User ID is empty in item 0'],
	])('an empty %s (%j) is refused', async (_label, item, message) => {
		const result = await runSmartcar(mappedSoc, { store: credentialStore(sim), items: [item] });

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(message);
		expect(error.context).toEqual({ itemIndex: 0 });
		expect(String(error.description)).toContain('map it from an earlier node');
		noRequestWasSent();
	});

	test.each([
		['36ab/../users/x', 'it contains a slash'],
		['abc def', 'it contains a space'],
		['abc?x=1', NOT_ID_CHARACTERS],
		['abc#x', NOT_ID_CHARACTERS],
		['%2e%2e', NOT_ID_CHARACTERS],
		['..', 'it contains ".."'],
		['.', NOT_ID_CHARACTERS],
		['a\\b', 'it contains a slash'],
	])(
		'the vehicle ID %j is refused as not a valid ID',
		async (vehicleId, reason) => {
			const result = await runSmartcar(mappedSoc, { store: credentialStore(sim), items: [{ userId, vehicleId }] });

			const error = errorOf(result);
			expect(error.name).toBe('NodeOperationError');
			expect(error.message).toBe(`Vehicle ID in item 0 is not a valid Smartcar ID: ${reason}`);
			expect(error.context).toEqual({ itemIndex: 0 });
			noRequestWasSent();
		},
	);

	test('a user ID with a slash is refused on every user-scoped operation', async () => {
		const userIdWithSlash = `${userId}/x`;
		const operations: INodeParameters[] = [
			{ resource: 'signal', operation: 'getAll', vehicleId: byId(first.id) },
			{ resource: 'command', operation: 'unlock', vehicleId: byId(first.id) },
			{ resource: 'vehicle', operation: 'get', vehicleId: byId(first.id) },
			{ resource: 'vehicle', operation: 'getMany', returnAll: true },
			{ resource: 'connection', operation: 'getMany', returnAll: true },
			{ resource: 'user', operation: 'delete' },
		];
		for (const parameters of operations) {
			const result = await runSmartcar({ ...parameters, userId: fromItem('userId') }, { store: credentialStore(sim), items: [{ userId: userIdWithSlash }] });
			expect(errorOf(result).message).toBe('User ID in item 0 is not a valid Smartcar ID: it contains a slash');
		}
		noRequestWasSent();
	});

	test('the failing item is named: item 2 of 3, and the first two were not read either', async () => {
		const items = [
			{ userId, vehicleId: first.id },
			{ userId, vehicleId: second.id },
			{ userId, vehicleId: 'x/y' },
		];

		const result = await runSmartcar(mappedSoc, { store: credentialStore(sim), items });

		const error = errorOf(result);
		expect(error.message).toBe('Vehicle ID in item 2 is not a valid Smartcar ID: it contains a slash');
		expect(error.context).toEqual({ itemIndex: 2 });
		noRequestWasSent();
	});

	test('an ID given as a number by expression is used as text', async () => {
		const result = await runSmartcar(
			{ resource: 'connection', operation: 'get', connectionId: fromItem('connectionId') },
			{ store: credentialStore(sim), items: [{ connectionId: 12345 }] },
		);

		expect(errorOf(result).message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)');
		expect(apiRequests(sim).map((request) => request.path)).toEqual(['/v3/connections/12345']);
	});
});

describe('unknown operation values', () => {
	// Keys every object inherits (`toString`, `constructor`, `__proto__`) are not operations either.
	test.each([
		['command', 'fly'],
		['command', 'toString'],
		['command', 'constructor'],
		['signal', '__proto__'],
	])('resource %j with operation %j is refused by name before any request', async (resource, operation) => {
		const result = await runSmartcar({ resource, operation, userId, vehicleId: byId(first.id) }, { store: credentialStore(sim), items: [{}] });

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(`The operation "${operation}" is not known for "${resource}"`);
		expect(error.context).toEqual({ itemIndex: 0 });
		noRequestWasSent();
	});
});

describe('Continue On Fail', () => {
	const items: IDataObject[] = [];

	beforeAll(() => {
		items.push(
			{ userId, vehicleId: first.id },
			{ userId, vehicleId: 'bad/id' },
			{ userId, vehicleId: '6a1e0b55-0000-4000-8000-000000000000' },
			{ userId, vehicleId: second.id },
			{ vehicleId: first.id },
			{ userId, vehicleId: first.id },
		);
	});

	test('failed items become error items paired with their input; the others succeed', async () => {
		const result = await runSmartcar(mappedSoc, { store: credentialStore(sim), items, onError: 'continueRegularOutput' });

		expect(result.error).toBeUndefined();
		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
		const json = output.map((item) => item.json);
		expect(json[0]).toMatchObject({ vehicleId: first.id, code: CODES.soc, value: numberValue(first, CODES.soc) });
		expect(json[1]).toEqual({
			error: 'Vehicle ID in item 1 is not a valid Smartcar ID: it contains a slash',
			description: ID_RULE_DESCRIPTION,
		});
		expect(json[2]).toEqual({
			error: 'Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:NOT_FOUND)',
			description: expect.stringContaining('Vehicle 6a1e0b55-0000-4000-8000-000000000000 was not found.'),
			httpCode: '404',
		});
		expect(json[3]).toMatchObject({ vehicleId: second.id, code: CODES.soc, value: numberValue(second, CODES.soc) });
		expect(json[4]).toEqual({
			error: 'User ID is empty in item 4',
			description: 'Enter the User ID or map it from an earlier node, e.g. {{ $json.userId }}.',
		});
		expect(json[5]).toMatchObject({ vehicleId: first.id, value: numberValue(first, CODES.soc) });
		// Items 1 and 4 sent nothing.
		expect(apiRequests(sim).map((request) => request.path)).toEqual([
			`/v3/vehicles/${first.id}/signals/${CODES.soc}`,
			`/v3/vehicles/6a1e0b55-0000-4000-8000-000000000000/signals/${CODES.soc}`,
			`/v3/vehicles/${second.id}/signals/${CODES.soc}`,
			`/v3/vehicles/${first.id}/signals/${CODES.soc}`,
		]);
	});

	test('a Smartcar error on one item carries its HTTP code and the item after it still runs', async () => {
		sim.failNext(fault(`/v3/vehicles/${second.id}/signals/${CODES.soc}`, smartcarErrors.vehicleState('ASLEEP'), {
			headers: { 'sc-request-id': 'req-cof-1' },
		}));
		const batch = [
			{ userId, vehicleId: first.id },
			{ userId, vehicleId: second.id },
			{ userId, vehicleId: second.id },
		];

		const result = await runSmartcar(mappedSoc, { store: credentialStore(sim), items: batch, onError: 'continueRegularOutput' });

		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json).toEqual({
			error: 'Smartcar: Vehicle Asleep (HTTP 409 VEHICLE_STATE:ASLEEP)',
			description: expect.stringContaining('Smartcar request ID: req-cof-1.'),
			httpCode: '409',
		});
		expect(output[2].json).toMatchObject({ vehicleId: second.id, value: numberValue(second, CODES.soc) });
	});

	test('an operation with many output items per input pairs every item with its input', async () => {
		const batch = [
			{ userId, vehicleId: first.id },
			{ userId, vehicleId: 'no/good' },
			{ userId, vehicleId: second.id },
		];

		const result = await runSmartcar(
			{ resource: 'signal', operation: 'getAll', userId: fromItem('userId'), vehicleId: byId(fromItem('vehicleId') as string) },
			{ store: credentialStore(sim), items: batch, onError: 'continueRegularOutput' },
		);

		const output = result.items('Smartcar');
		expect(output.map((item) => item.pairedItem)).toEqual([
			...first.signals.map(() => ({ item: 0 })),
			{ item: 1 },
			...second.signals.map(() => ({ item: 2 })),
		]);
		expect(output[first.signals.length].json).toEqual({
			error: 'Vehicle ID in item 1 is not a valid Smartcar ID: it contains a slash',
			description: ID_RULE_DESCRIPTION,
		});
	});

	test('without Continue On Fail the same batch fails on its first bad item before any request', async () => {
		const result = await runSmartcar(mappedSoc, { store: credentialStore(sim), items });

		const error = errorOf(result);
		expect(error.message).toBe('Vehicle ID in item 1 is not a valid Smartcar ID: it contains a slash');
		expect(error.context).toEqual({ itemIndex: 1 });
		noRequestWasSent();
	});
});
