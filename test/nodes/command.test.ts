/**
 * Command → Lock, Unlock, Start Charge, Stop Charge, Set Charge Limit: the v3 command requests, their effect on the
 * (simulated) vehicle, the documented command item (200 done, 202 pending), and charge limits checked before any
 * request.
 */
import type { IDataObject, INodeParameters, NodeParameterValue } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import {
	CODES,
	booleanValue,
	chargeLimit,
	createFleet,
	findSignal,
	setCharging,
	setLocked,
	smartcarErrors,
	startSimulator,
	type Simulator,
	type SimVehicle,
} from '../../tooling/simulator';
import {
	apiRequests,
	byId,
	credentialStore,
	errorOf,
	fault,
	fromItem,
	outputJson,
	resetBetweenTests,
	runSmartcar,
} from './smartcar-fixture';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let sim: Simulator;
let userId: string;
let bev: SimVehicle;
let ice: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({ seed: 'command-spec', users: [{ vehicles: 2, powertrain: ['BEV', 'ICE'] }] }),
	});
	userId = sim.fleet.users[0].id;
	[bev, ice] = sim.fleet.vehicles;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function command(operation: string, vehicle: SimVehicle, extra: INodeParameters = {}) {
	return await runSmartcar(
		{ resource: 'command', operation, userId, vehicleId: byId(vehicle.id), ...extra },
		{ store: credentialStore(sim) },
	);
}

/** The documented item of a command Smartcar completed synchronously (200). */
function doneItem(name: string, commandType: string, parameters: IDataObject = {}): IDataObject {
	return {
		vehicleId: bev.id,
		userId,
		command: name,
		id: expect.stringMatching(UUID),
		commandType,
		status: 'SUCCESS',
		pending: false,
		executionMode: 'sync',
		parameters,
		executedAt: expect.stringMatching(ISO),
		completedAt: expect.stringMatching(ISO),
		durationInSeconds: 2,
		requestId: expect.stringMatching(UUID),
	};
}

function commandRequests() {
	return apiRequests(sim).map((request) => [request.method, request.path, request.userId, request.status]);
}

describe('lock and unlock', () => {
	test('Unlock unlocks the vehicle and returns the command item', async () => {
		setLocked(bev, true);

		const result = await command('unlock', bev);

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual([doneItem('unlock', 'security-unlock')]);
		expect(booleanValue(bev, CODES.isLocked)).toBe(false);
		expect(commandRequests()).toEqual([['POST', `/v3/vehicles/${bev.id}/commands/security/unlock`, userId, 200]]);
	});

	test('Lock locks it again, and a signal read afterwards shows it', async () => {
		setLocked(bev, false);

		const result = await command('lock', bev);

		expect(outputJson(result)).toEqual([doneItem('lock', 'security-lock')]);
		expect(booleanValue(bev, CODES.isLocked)).toBe(true);
		expect(commandRequests()).toEqual([['POST', `/v3/vehicles/${bev.id}/commands/security/lock`, userId, 200]]);

		const read = await runSmartcar(
			{ resource: 'signal', operation: 'get', userId, vehicleId: byId(bev.id), signalCode: CODES.isLocked },
			{ store: credentialStore(sim) },
		);
		expect(outputJson(read)[0].value).toBe(true);
	});
});

describe('charging', () => {
	test('Start Charge and Stop Charge change the charging state', async () => {
		setCharging(bev, false);

		const started = await command('startCharge', bev);
		expect(outputJson(started)).toEqual([doneItem('startCharge', 'charge-start')]);
		expect(booleanValue(bev, CODES.isCharging)).toBe(true);
		expect(findSignal(bev, CODES.chargingStatus)?.body?.value).toBe('CHARGING');

		const stopped = await command('stopCharge', bev);
		expect(outputJson(stopped)).toEqual([doneItem('stopCharge', 'charge-stop')]);
		expect(booleanValue(bev, CODES.isCharging)).toBe(false);

		expect(commandRequests()).toEqual([
			['POST', `/v3/vehicles/${bev.id}/commands/charge/start`, userId, 200],
			['POST', `/v3/vehicles/${bev.id}/commands/charge/stop`, userId, 200],
		]);
	});

	test.each([65, 0, 100])('Set Charge Limit %i sends the percent and the vehicle takes it', async (percent) => {
		const result = await command('setChargeLimit', bev, { percent });

		expect(result.error).toBeUndefined();
		expect(outputJson(result)).toEqual([doneItem('setChargeLimit', 'charge-set-limit', { percent })]);
		expect(chargeLimit(bev)).toBe(percent);
		expect(commandRequests()).toEqual([['POST', `/v3/vehicles/${bev.id}/commands/charge/set-limit`, userId, 200]]);
	});

	test('a charge limit mapped from the input as text ("72") is accepted as 72', async () => {
		const result = await runSmartcar(
			{ resource: 'command', operation: 'setChargeLimit', userId, vehicleId: byId(bev.id), percent: fromItem('limit') },
			{ store: credentialStore(sim), items: [{ limit: '72' }] },
		);

		expect(outputJson(result)).toEqual([doneItem('setChargeLimit', 'charge-set-limit', { percent: 72 })]);
		expect(chargeLimit(bev)).toBe(72);
	});

	test.each<[NodeParameterValue, string]>([
		[101, '101'],
		[-1, '-1'],
		[80.5, '80.5'],
		['abc', '"abc"'],
		['', '""'],
	])('the charge limit %j is refused before any request', async (limit, shown) => {
		const before = chargeLimit(bev);

		const result = await runSmartcar(
			{ resource: 'command', operation: 'setChargeLimit', userId, vehicleId: byId(bev.id), percent: fromItem('limit') },
			{ store: credentialStore(sim), items: [{ limit }] },
		);

		const error = errorOf(result);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(`Charge Limit (%) must be a whole number from 0 to 100; item 0 has ${shown}`);
		expect(error.context).toEqual({ itemIndex: 0 });
		expect(sim.stats.requests).toHaveLength(0);
		expect(chargeLimit(bev)).toBe(before);
	});

	test('a literal out-of-range charge limit in the node is refused too', async () => {
		const result = await command('setChargeLimit', bev, { percent: 101 });

		expect(errorOf(result).message).toBe('Charge Limit (%) must be a whole number from 0 to 100; item 0 has 101');
		expect(sim.stats.requests).toHaveLength(0);
	});

	test('a vehicle that cannot charge answers 501 once (not retried) with a clear message', async () => {
		const result = await command('startCharge', ice);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Vehicle Not Capable (HTTP 501 COMPATIBILITY:VEHICLE_NOT_CAPABLE)');
		expect(error.description).toContain('This vehicle does not support this operation.');
		expect(commandRequests()).toEqual([['POST', `/v3/vehicles/${ice.id}/commands/charge/start`, userId, 501]]);
	});
});

describe('asynchronous commands (202)', () => {
	test('a command Smartcar accepted but has not finished is pending', async () => {
		sim.setOptions({ commandMode: 'async' });

		const result = await command('setChargeLimit', bev, { percent: 55 });

		expect(outputJson(result)).toEqual([
			{
				vehicleId: bev.id,
				userId,
				command: 'setChargeLimit',
				id: expect.stringMatching(UUID),
				commandType: 'charge-set-limit',
				status: 'PENDING',
				pending: true,
				executionMode: 'async',
				parameters: { percent: 55 },
				executedAt: expect.stringMatching(ISO),
				completedAt: null,
				durationInSeconds: null,
				requestId: expect.stringMatching(UUID),
			},
		]);
		expect(commandRequests()).toEqual([['POST', `/v3/vehicles/${bev.id}/commands/charge/set-limit`, userId, 202]]);
	});

	test('Lock answered 202 is pending too', async () => {
		sim.setOptions({ commandMode: 'async' });

		const result = await command('lock', bev);

		expect(outputJson(result)[0]).toMatchObject({ command: 'lock', commandType: 'security-lock', status: 'PENDING', pending: true });
	});
});

describe('vehicle state', () => {
	test('a door open (409) fails the command with a clear message, not retried', async () => {
		const path = `/v3/vehicles/${bev.id}/commands/security/lock`;
		sim.failNext(fault(path, smartcarErrors.vehicleState('DOOR_OPEN'), { times: 3 }));

		const result = await command('lock', bev);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Door Open (HTTP 409 VEHICLE_STATE:DOOR_OPEN)');
		expect(error.httpCode).toBe('409');
		expect(commandRequests()).toEqual([['POST', path, userId, 409]]);
	});
});
