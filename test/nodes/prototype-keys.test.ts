/**
 * Keys like `__proto__`, `constructor` and `prototype` in Smartcar API answers (issue #11, point 5) never become
 * prototypes or inherited properties of the Smartcar node's output items. The answers come from the real loopback
 * simulator (fault injection serving a 200 with a hostile body, as JSON text: a JS object literal would set a
 * prototype instead of carrying the key), parsed by n8n's HTTP helper as for Smartcar.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import { createFleet, startSimulator, type Simulator } from '../../tooling/simulator';
import { prototypeProblems } from '../support/prototype-problems';
import { byId, credentialStore, outputJson, resetBetweenTests, runSmartcar } from './smartcar-fixture';

const P = '{"polluted": true}';

/** `GET /vehicles/{id}/signals`: JSON:API signals with hostile keys at every level, and codes `__proto__` etc. */
const SIGNALS = `{
	"__proto__": ${P}, "constructor": ${P},
	"data": [
		{"id": "__proto__", "type": "signal", "__proto__": ${P},
			"attributes": {"code": "__proto__", "name": "Proto", "group": "X", "__proto__": ${P},
				"body": {"value": {"__proto__": ${P}, "reading": 1}}, "status": {"value": "SUCCESS"}},
			"meta": {"__proto__": ${P}, "retrievedAt": "2026-03-01T12:00:00.000Z"}},
		{"id": "constructor", "type": "signal", "attributes": {"code": "constructor", "body": {"value": 5, "unit": "km"}}},
		{"id": "prototype", "type": "signal",
			"attributes": {"code": "prototype", "status": {"value": "ERROR", "error": {"__proto__": ${P}, "type": "T"}}}},
		{"id": "location-preciselocation", "type": "signal",
			"attributes": {"code": "location-preciselocation", "name": "PreciseLocation", "group": "Location",
				"body": {"latitude": 1, "longitude": 2, "__proto__": ${P}, "constructor": ${P}}}},
		{"id": "charge-chargelimits", "type": "signal",
			"attributes": {"code": "charge-chargelimits", "body": {"values": [{"__proto__": ${P}, "limit": 80}], "activeLimit": 80}}}
	],
	"links": {"__proto__": ${P}}
}`;

const SINGLE_SIGNAL = `{
	"__proto__": ${P},
	"data": {"__proto__": ${P}, "id": "tractionbattery-stateofcharge", "type": "signal",
		"attributes": {"__proto__": ${P}, "code": "tractionbattery-stateofcharge", "name": "StateOfCharge", "group": "TractionBattery",
			"body": {"value": {"__proto__": ${P}, "percent": 80}, "unit": "percent"}}}
}`;

function connectionResource(vehicleId: string, userId: string): string {
	return `{"__proto__": ${P}, "constructor": ${P}, "id": "c-proto", "type": "connection",
		"attributes": {"__proto__": ${P}, "connectedAt": "2026-03-01T12:00:00.000Z", "permissions": ["read_vehicle_info"],
			"vehicle": {"__proto__": ${P}, "id": "${vehicleId}", "make": "Make", "model": "Model", "year": 2024, "constructor": ${P}},
			"user": {"__proto__": ${P}, "id": "${userId}"}},
		"meta": {"__proto__": ${P}}}`;
}

let sim: Simulator;
let userId: string;
let vehicleId: string;

beforeAll(async () => {
	sim = await startSimulator({ fleet: createFleet({ seed: 'prototype-keys-spec', users: [{ vehicles: 1 }] }) });
	userId = sim.fleet.users[0].id;
	vehicleId = sim.fleet.vehicles[0].id;
});

beforeEach(() => resetBetweenTests(sim));

afterAll(async () => {
	await sim.close();
	shutdownHarness();
});

async function run(parameters: INodeParameters, path: string, body: string): Promise<IDataObject[]> {
	sim.failNext({ path, status: 200, body });
	const result = await runSmartcar(parameters, { store: credentialStore(sim) });
	expect(result.error).toBeUndefined();
	return outputJson(result);
}

function expectPlain(items: IDataObject[]): void {
	expect(items.length).toBeGreaterThan(0);
	for (const item of items) expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
	expect(prototypeProblems(items)).toEqual([]);
	expect(JSON.stringify(items)).not.toContain('polluted');
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('Signal → Get Many', () => {
	const getAll = (output: string) => ({ resource: 'signal', operation: 'getAll', userId, vehicleId: byId(vehicleId), options: { output } });

	it('One Item per Signal: plain items; the data beside the hostile keys is kept', async () => {
		const items = await run(getAll('perSignal'), `/v3/vehicles/${vehicleId}/signals`, SIGNALS);
		expectPlain(items);
		expect(items.map((item) => [item.code, item.value ?? null])).toEqual([
			['__proto__', { reading: 1 }],
			['constructor', 5],
			['prototype', null],
			['location-preciselocation', { latitude: 1, longitude: 2 }],
			['charge-chargelimits', { values: [{ limit: 80 }], activeLimit: 80 }],
		]);
	});

	it('One Item per Vehicle: signal codes `__proto__`, `constructor`, `prototype` do not become map keys', async () => {
		const items = await run(getAll('perVehicle'), `/v3/vehicles/${vehicleId}/signals`, SIGNALS);
		expectPlain(items);
		const [map] = items;
		expect(map.signals).toEqual({
			'location-preciselocation': { latitude: 1, longitude: 2 },
			'charge-chargelimits': { values: [{ limit: 80 }], activeLimit: 80 },
		});
		expect(map.units).toEqual({});
		expect(map.errors).toEqual({});
	});
});

it('Signal → Get: a plain item, the value without the hostile key', async () => {
	const items = await run(
		{ resource: 'signal', operation: 'get', userId, vehicleId: byId(vehicleId), signalCode: 'tractionbattery-stateofcharge' },
		`/v3/vehicles/${vehicleId}/signals/tractionbattery-stateofcharge`,
		SINGLE_SIGNAL,
	);
	expectPlain(items);
	expect(items[0]).toMatchObject({ code: 'tractionbattery-stateofcharge', value: { percent: 80 }, unit: 'percent' });
});

describe('connections and vehicles (fixed fields only: guards against a future copy of the raw answer)', () => {
	it('Connection → Get Many', async () => {
		const body = `{"__proto__": ${P}, "data": [${connectionResource(vehicleId, userId)}], "links": {"__proto__": ${P}}, "meta": {"__proto__": ${P}}}`;
		const items = await run({ resource: 'connection', operation: 'getMany', returnAll: true }, '/v3/connections', body);
		expectPlain(items);
		expect(items[0]).toMatchObject({ id: 'c-proto', userId, vehicleId, vehicle: { make: 'Make', model: 'Model', year: 2024 } });
	});

	it('Connection → Get', async () => {
		const body = `{"__proto__": ${P}, "data": ${connectionResource(vehicleId, userId)}}`;
		const items = await run({ resource: 'connection', operation: 'get', connectionId: 'c-proto' }, '/v3/connections/c-proto', body);
		expectPlain(items);
		expect(items[0]).toMatchObject({ id: 'c-proto', userId, vehicleId });
	});

	it('Vehicle → Get', async () => {
		const body = `{"__proto__": ${P}, "constructor": ${P}, "prototype": ${P}, "id": "${vehicleId}", "make": "Make", "model": "Model", "year": 2024}`;
		const items = await run({ resource: 'vehicle', operation: 'get', userId, vehicleId: byId(vehicleId) }, `/v3/vehicles/${vehicleId}`, body);
		expectPlain(items);
		expect(items[0]).toMatchObject({ id: vehicleId, userId, make: 'Make', model: 'Model', year: 2024 });
	});
});

describe('answers passed through as Smartcar sent them', () => {
	it('Signal → Get Many with Raw Smartcar Response: hostile keys are dropped, the rest is kept', async () => {
		const parameters = { resource: 'signal', operation: 'getAll', userId, vehicleId: byId(vehicleId), options: { output: 'raw' } };
		const items = await run(parameters, `/v3/vehicles/${vehicleId}/signals`, SIGNALS);
		expectPlain(items);
		expect((items[0].data as IDataObject[]).map((signal) => signal.id)).toEqual([
			'__proto__',
			'constructor',
			'prototype',
			'location-preciselocation',
			'charge-chargelimits',
		]);
	});

	it('a command\'s parameters echoed by Smartcar: hostile keys are dropped', async () => {
		const body = `{"data": {"id": "cmd-1", "type": "command-execution", "attributes": {"commandType": "charge-set-limit",
			"status": {"value": "SUCCESS"}, "parameters": {"__proto__": ${P}, "constructor": ${P}, "percent": 80}}}}`;
		const items = await run(
			{ resource: 'command', operation: 'setChargeLimit', userId, vehicleId: byId(vehicleId), percent: 80 },
			`/v3/vehicles/${vehicleId}/commands/charge/set-limit`,
			body,
		);
		expectPlain(items);
		expect(items[0].parameters).toEqual({ percent: 80 });
	});
});
