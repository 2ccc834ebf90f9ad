/**
 * Signal → Get Many (`getAll`: every signal in ONE call per vehicle, three output forms) and Signal → Get (one
 * signal; wrapped or flat answers, dotted names), with ERROR/UNAVAILABLE signals, object and list bodies and
 * epoch timestamps normalized as the README documents.
 */
import type { IDataObject } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import {
	CODES,
	createFleet,
	findSignal,
	setChargeLimit,
	startSimulator,
	type Simulator,
	type SimSignal,
	type SimVehicle,
} from '../../tooling/simulator';
import {
	apiRequests,
	byId,
	credentialStore,
	errorOf,
	fromItem,
	outputJson,
	resetBetweenTests,
	runSmartcar,
} from './smartcar-fixture';

let sim: Simulator;
let userId: string;
let bev: SimVehicle;
let ice: SimVehicle;
/** Renders its signal timestamps as epoch milliseconds (the docs' form). */
let epochVehicle: SimVehicle;

beforeAll(async () => {
	sim = await startSimulator({
		fleet: createFleet({
			seed: 'signal-spec',
			users: [{ vehicles: 3, powertrain: ['BEV', 'ICE', 'PHEV'] }],
			epochTimestamps: 'some',
		}),
	});
	userId = sim.fleet.users[0].id;
	[bev, ice, epochVehicle] = sim.fleet.vehicles;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

function iso(epochMs: number): string {
	return new Date(epochMs).toISOString();
}

function simSignal(vehicle: SimVehicle, code: string): SimSignal {
	const signal = findSignal(vehicle, code);
	if (!signal) throw new Error(`${vehicle.id} has no ${code}`);
	return signal;
}

function bodyOf(signal: SimSignal): IDataObject {
	if (!signal.body) throw new Error(`${signal.code} has no body`);
	return signal.body as IDataObject;
}

/** The documented item for a SUCCESS signal with a `{value, unit?}` body. */
function scalarItem(vehicle: SimVehicle, code: string): IDataObject {
	const signal = simSignal(vehicle, code);
	const body = bodyOf(signal);
	return {
		vehicleId: vehicle.id,
		userId,
		code,
		name: signal.name,
		group: signal.group,
		value: body.value,
		unit: body.unit ?? null,
		status: 'SUCCESS',
		retrievedAt: iso(signal.retrievedAt),
		oemUpdatedAt: iso(signal.oemUpdatedAt),
	};
}

async function getAll(vehicle: SimVehicle, output?: string) {
	return await runSmartcar(
		{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(vehicle.id), options: output ? { output } : {} },
		{ store: credentialStore(sim) },
	);
}

async function getOne(vehicle: SimVehicle, signalCode: string) {
	return await runSmartcar(
		{ resource: 'signal', operation: 'get', userId, vehicleId: byId(vehicle.id), signalCode },
		{ store: credentialStore(sim) },
	);
}

function itemFor(items: IDataObject[], code: string): IDataObject {
	const item = items.find((candidate) => candidate.code === code);
	if (!item) throw new Error(`no item for ${code}`);
	return item;
}

describe('Signal → Get Many (getAll)', () => {
	test('reads every signal of each vehicle with exactly one API call per vehicle', async () => {
		const vehicles = [bev, ice, epochVehicle];

		const result = await runSmartcar(
			{ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(fromItem('vehicleId') as string) },
			{ store: credentialStore(sim), items: vehicles.map((vehicle) => ({ vehicleId: vehicle.id })) },
		);

		expect(result.error).toBeUndefined();
		expect(apiRequests(sim).map((request) => [request.method, request.path, request.userId])).toEqual(
			vehicles.map((vehicle) => ['GET', `/v3/vehicles/${vehicle.id}/signals`, userId]),
		);
		const items = result.items('Smartcar');
		const expectedCodes = vehicles.flatMap((vehicle) => vehicle.signals.map((signal) => [vehicle.id, signal.code]));
		expect(items.map((item) => [item.json.vehicleId, item.json.code])).toEqual(expectedCodes);
		expect(items.map((item) => item.pairedItem)).toEqual(
			vehicles.flatMap((vehicle, index) => vehicle.signals.map(() => ({ item: index }))),
		);
	});

	test('a SUCCESS signal is the documented flat item', async () => {
		const items = outputJson(await getAll(bev));

		expect(itemFor(items, CODES.soc)).toEqual(scalarItem(bev, CODES.soc));
		expect(itemFor(items, CODES.isLocked)).toEqual(scalarItem(bev, CODES.isLocked));
		expect(itemFor(items, CODES.vin)).toEqual({ ...scalarItem(bev, CODES.vin), value: bev.vin, unit: null });
	});

	test('an ERROR signal has value null, the error, and the last value as staleValue', async () => {
		const signal = simSignal(bev, CODES.cabinTemperature);
		const stale = bodyOf(signal);

		const item = itemFor(outputJson(await getAll(bev)), CODES.cabinTemperature);

		expect(item).toEqual({
			vehicleId: bev.id,
			userId,
			code: CODES.cabinTemperature,
			name: 'InternalTemperature',
			group: 'Climate',
			value: null,
			unit: 'degrees-celsius',
			status: 'ERROR',
			error: {
				type: 'VEHICLE_STATE',
				code: 'UNREACHABLE',
				title: 'Vehicle Unreachable',
				detail: 'The vehicle was unreachable when this signal was last requested.',
				resolution: 'RETRY_LATER',
			},
			staleValue: stale.value,
			retrievedAt: iso(signal.retrievedAt),
			oemUpdatedAt: iso(signal.oemUpdatedAt),
		});
		expect(typeof stale.value).toBe('number');
	});

	test('an UNAVAILABLE signal has value null and no error or stale value', async () => {
		const signal = simSignal(bev, CODES.serviceRecords);

		const item = itemFor(outputJson(await getAll(bev)), CODES.serviceRecords);

		expect(item).toEqual({
			vehicleId: bev.id,
			userId,
			code: CODES.serviceRecords,
			name: 'Records',
			group: 'Service',
			value: null,
			unit: null,
			status: 'UNAVAILABLE',
			retrievedAt: iso(signal.retrievedAt),
			oemUpdatedAt: iso(signal.oemUpdatedAt),
		});
	});

	test('an object body (location) keeps all its fields in value', async () => {
		const body = bodyOf(simSignal(bev, CODES.location));

		const item = itemFor(outputJson(await getAll(bev)), CODES.location);

		expect(item.value).toEqual({
			latitude: body.latitude,
			longitude: body.longitude,
			heading: body.heading,
			direction: body.direction,
			locationType: 'LAST_PARKED',
		});
		expect(typeof body.latitude).toBe('number');
		expect(item.unit).toBeNull();
		expect(item.status).toBe('SUCCESS');
	});

	test('a list body with more fields (tires) keeps them all, the unit apart', async () => {
		const body = bodyOf(simSignal(bev, CODES.tires));

		const item = itemFor(outputJson(await getAll(bev)), CODES.tires);

		const { unit, ...fields } = body;
		expect(item.value).toEqual(fields);
		expect((item.value as { values: unknown[] }).values).toHaveLength(4);
		expect(item.unit).toBe(unit);
		expect(item.unit).toBe('kilopascals');
	});

	test('a list body keeps its other fields (charge limits keep activeLimit)', async () => {
		setChargeLimit(bev, 65);

		const item = itemFor(outputJson(await getAll(bev)), CODES.chargeLimits);

		expect(JSON.stringify(item)).toContain('"activeLimit":65');
	});

	test('epoch timestamps become ISO strings', async () => {
		expect(epochVehicle.timestampForm).toBe('epoch');
		const raw = outputJson(await getAll(epochVehicle, 'raw'))[0];
		const rawSignal = (raw.data as IDataObject[]).find((signal) => signal.id === CODES.odometer);
		const signal = simSignal(epochVehicle, CODES.odometer);
		expect(rawSignal?.meta).toEqual({ retrievedAt: signal.retrievedAt, oemUpdatedAt: signal.oemUpdatedAt });

		const item = itemFor(outputJson(await getAll(epochVehicle)), CODES.odometer);

		expect(item).toEqual(scalarItem(epochVehicle, CODES.odometer));
		expect(item.retrievedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
	});

	test('One Item per Vehicle: code → value, code → unit and code → error maps in one item', async () => {
		const perSignal = outputJson(await getAll(bev));
		sim.resetStats();

		const result = await getAll(bev, 'perVehicle');

		expect(apiRequests(sim)).toHaveLength(1);
		const items = outputJson(result);
		expect(items).toHaveLength(1);
		const latest = bev.signals.map((signal) => signal.retrievedAt).reduce((a, b) => Math.max(a, b));
		expect(items[0]).toEqual({
			vehicleId: bev.id,
			userId,
			retrievedAt: iso(latest),
			signals: Object.fromEntries(perSignal.map((item) => [item.code, item.value])),
			units: Object.fromEntries(perSignal.filter((item) => item.unit !== null).map((item) => [item.code, item.unit])),
			errors: {
				[CODES.cabinTemperature]: itemFor(perSignal, CODES.cabinTemperature).error,
				[CODES.serviceRecords]: { status: 'UNAVAILABLE' },
			},
		});
		const signals = items[0].signals as IDataObject;
		expect(Object.keys(signals)).toHaveLength(bev.signals.length);
		expect(signals[CODES.soc]).toBe(bodyOf(simSignal(bev, CODES.soc)).value);
		expect(signals[CODES.cabinTemperature]).toBeNull();
		expect((items[0].units as IDataObject)[CODES.soc]).toBe('percent');
	});

	test('Raw Smartcar Response: the body exactly as Smartcar sent it', async () => {
		const result = await getAll(ice, 'raw');

		const response = await fetch(`${sim.apiBaseUrl}/vehicles/${ice.id}/signals`, {
			headers: { Authorization: `Bearer ${sim.issueToken()}`, 'sc-user-id': userId },
		});
		expect(outputJson(result)).toEqual([await response.json()]);
		expect(apiRequests(sim).filter((request) => request.path.endsWith('/signals'))).toHaveLength(2);
	});
});

describe('Signal → Get', () => {
	test('the wrapped (real traffic) and flat (docs) answers give the same item as Get Many', async () => {
		const fromList = itemFor(outputJson(await getAll(bev)), CODES.evRange);

		sim.setOptions({ singleSignalForm: 'wrapped' });
		const wrapped = outputJson(await getOne(bev, CODES.evRange));
		sim.setOptions({ singleSignalForm: 'flat' });
		const flat = outputJson(await getOne(bev, CODES.evRange));

		expect(wrapped).toEqual([scalarItem(bev, CODES.evRange)]);
		expect(flat).toEqual(wrapped);
		expect(wrapped[0]).toEqual(fromList);
		expect(apiRequests(sim).slice(1).map((request) => [request.path, request.userId])).toEqual([
			[`/v3/vehicles/${bev.id}/signals/${CODES.evRange}`, userId],
			[`/v3/vehicles/${bev.id}/signals/${CODES.evRange}`, userId],
		]);
	});

	test('an ERROR signal read alone is normalized the same way in both forms', async () => {
		sim.setOptions({ singleSignalForm: 'flat' });
		const flat = outputJson(await getOne(bev, CODES.cabinTemperature));
		sim.setOptions({ singleSignalForm: 'wrapped' });
		const wrapped = outputJson(await getOne(bev, CODES.cabinTemperature));

		expect(flat).toEqual(wrapped);
		expect(flat[0]).toMatchObject({ status: 'ERROR', value: null, staleValue: bodyOf(simSignal(bev, CODES.cabinTemperature)).value });
	});

	test('the dotted name TractionBattery.StateOfCharge works', async () => {
		const result = await getOne(bev, 'TractionBattery.StateOfCharge');

		expect(outputJson(result)).toEqual([scalarItem(bev, CODES.soc)]);
		expect(apiRequests(sim).map((request) => request.path)).toEqual([`/v3/vehicles/${bev.id}/signals/${CODES.soc}`]);
	});

	test('a code given by expression, in any case and with spaces around, works', async () => {
		const result = await runSmartcar(
			{ resource: 'signal', operation: 'get', userId, vehicleId: byId(ice.id), signalCode: fromItem('code') },
			{ store: credentialStore(sim), items: [{ code: ' InternalCombustionEngine-FuelLevel ' }] },
		);

		expect(outputJson(result)).toEqual([scalarItem(ice, CODES.fuelLevel)]);
	});

	test.each(['battery level', 'tractionbattery_stateofcharge', 'TractionBattery', '../signals', 'Traction.Battery.SOC', '-soc'])(
		'the malformed code %j fails naming the field and the item, before any request',
		async (code) => {
			const result = await runSmartcar(
				{ resource: 'signal', operation: 'get', userId, vehicleId: byId(bev.id), signalCode: fromItem('code') },
				{ store: credentialStore(sim), items: [{ code }] },
			);

			const error = errorOf(result);
			expect(error.name).toBe('NodeOperationError');
			expect(error.message).toBe(`Signal "${code}" in item 0 is not a Smartcar signal code`);
			expect(error.description).toContain('"tractionbattery-stateofcharge"');
			expect(error.context).toEqual({ itemIndex: 0 });
			expect(sim.stats.requests).toHaveLength(0);
		},
	);

	test('a malformed code in the second item names item 1; nothing was requested, not even the first item', async () => {
		const result = await runSmartcar(
			{ resource: 'signal', operation: 'get', userId, vehicleId: byId(bev.id), signalCode: fromItem('code') },
			{ store: credentialStore(sim), items: [{ code: CODES.soc }, { code: 'state of charge' }] },
		);

		const error = errorOf(result);
		expect(error.message).toBe('Signal "state of charge" in item 1 is not a Smartcar signal code');
		expect(error.context).toEqual({ itemIndex: 1 });
		expect(sim.stats.requests).toHaveLength(0);
	});

	test('a well-formed code the vehicle does not have is a clear 404', async () => {
		const result = await getOne(ice, CODES.soc);

		const error = errorOf(result);
		expect(error.message).toBe('Smartcar: Resource Not Found (HTTP 404 RESOURCE_NOT_FOUND:SIGNAL_NOT_FOUND)');
		expect(error.description).toContain(`Signal ${CODES.soc} is not available for vehicle ${ice.id}.`);
	});
});
