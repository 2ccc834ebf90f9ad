/**
 * The vehicle summary (nodes/shared/vehicle.ts), read the same way from a vehicle's attributes, a connection's
 * `vehicle` and a webhook's `data.vehicle`.
 */
import { readConnectionsPage } from '../../nodes/shared/connections';
import { readVehicleAttributes, readVehicleSummary, vehicleLabel } from '../../nodes/shared/vehicle';
import { parseWebhookEvent } from '../../nodes/shared/webhook-events';

describe('readVehicleSummary and readVehicleAttributes', () => {
	test.each([
		[
			'v3 attributes',
			{ make: 'TESLA', model: 'Model S', year: 2014, mode: 'live', powertrainType: 'BEV' },
			{ make: 'TESLA', model: 'Model S', year: 2014 },
			{ mode: 'live', powertrainType: 'BEV' },
		],
		['a year sent as text', { make: 'FORD', model: 'F-150', year: '2022' }, { make: 'FORD', model: 'F-150', year: 2022 }, { mode: null, powertrainType: null }],
		['nothing known', {}, { make: null, model: null, year: null }, { mode: null, powertrainType: null }],
		['not an object', 'TESLA', { make: null, model: null, year: null }, { mode: null, powertrainType: null }],
		['a year that is no number', { year: 'new' }, { make: null, model: null, year: null }, { mode: null, powertrainType: null }],
	])('%s', (_case, raw, summary, more) => {
		expect(readVehicleSummary(raw)).toEqual(summary);
		expect(readVehicleAttributes(raw)).toEqual({ ...summary, ...more });
	});
});

describe('vehicleLabel (the Vehicle picker)', () => {
	test.each([
		[{ year: 2020, make: 'TESLA', model: 'Model 3' }, '2020 TESLA Model 3'],
		[{ year: null, make: 'TESLA', model: null }, 'TESLA'],
		[{ year: null, make: null, model: null }, ''],
	])('%p → %p', (summary, expected) => {
		expect(vehicleLabel(summary)).toBe(expected);
	});
});

describe('where the summary appears', () => {
	test('a connection (shape B) carries the vehicle attributes', () => {
		const page = readConnectionsPage({
			data: [{ id: 'c1', attributes: { vehicle: { make: 'TESLA', model: 'Model S', year: '2014', mode: 'live', powertrainType: 'BEV' } } }],
		});
		expect(page.items[0].vehicle).toEqual({ make: 'TESLA', model: 'Model S', year: 2014, mode: 'live', powertrainType: 'BEV' });
	});

	test.each([
		[
			'the docs form: id, summary',
			{ vehicleId: '9af1', data: { vehicle: { id: '9af1', make: 'TESLA', model: 'Model 3', year: 2020 } } },
			{ id: '9af1', make: 'TESLA', model: 'Model 3', year: 2020 },
		],
		[
			'other fields are kept, copied safely',
			{ data: { vehicle: { id: '9af1', make: 'TESLA', vin: '5YJ3E1EA7KF000001', mode: 'live', options: { color: 'red' } } } },
			{ id: '9af1', make: 'TESLA', model: null, year: null, vin: '5YJ3E1EA7KF000001', mode: 'live', options: { color: 'red' } },
		],
		['no vehicle object: the event\'s vehicleId', { vehicleId: '9af1', data: {} }, { id: '9af1', make: null, model: null, year: null }],
		[
			'keys named like Object.prototype members are vehicle fields too',
			{ data: { vehicle: { id: 'v', toString: 'x', hasOwnProperty: 'y' } } },
			{ id: 'v', make: null, model: null, year: null, toString: 'x', hasOwnProperty: 'y' },
		],
	])('a webhook: %s', (_case, payload, expected) => {
		expect(parseWebhookEvent(payload).vehicle).toEqual(expected);
	});

	test('a webhook vehicle\'s __proto__ key never becomes a prototype', () => {
		const vehicle = parseWebhookEvent(JSON.parse('{"data":{"vehicle":{"id":"v","__proto__":{"polluted":true}}}}')).vehicle;
		expect(Object.getPrototypeOf(vehicle)).toBe(Object.prototype);
		expect(Object.keys(vehicle)).toEqual(['id', 'make', 'model', 'year']);
	});
});
