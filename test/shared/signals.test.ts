/**
 * The signal (nodes/shared/signals.ts): every form Smartcar sends one in — a v3 resource (list item, flat single
 * signal, wrapped in `data`), a webhook signal with or without `status` — becomes the same flat item, with ISO
 * timestamps whether Smartcar sent ISO text or epoch numbers.
 */
import { resourceOf } from '../../nodes/shared/json-api';
import { normalizeSignal, signalReference, signalsOf, toSignalCode, toVehicleSignalMap } from '../../nodes/shared/signals';

const RETRIEVED = '2026-06-29T03:57:53.614Z';
const OEM = '2026-06-29T03:55:47.000Z';
const attributes = { code: 'tractionbattery-stateofcharge', name: 'StateOfCharge', group: 'TractionBattery' };
const soc = {
	vehicleId: 'v1',
	...attributes,
	value: 78,
	unit: 'percent',
	status: 'SUCCESS',
	retrievedAt: RETRIEVED,
	oemUpdatedAt: OEM,
};

describe('normalizeSignal: one item, whatever the form', () => {
	const resource = {
		id: 'tractionbattery-stateofcharge',
		type: 'signal',
		attributes: { ...attributes, status: { value: 'SUCCESS' }, body: { value: 78, unit: 'percent' } },
		meta: { retrievedAt: RETRIEVED, oemUpdatedAt: OEM },
	};
	test.each([
		['a v3 list item', resource],
		['a single signal wrapped in data (real traffic)', resourceOf({ data: resource, included: { vehicle: {} } })],
		['a flat single signal (docs)', resourceOf(resource)],
		['a webhook signal, docs form (epoch ms, fetchedAt)', { ...attributes, body: { unit: 'percent', value: 78 }, meta: { oemUpdatedAt: Date.parse(OEM), fetchedAt: Date.parse(RETRIEVED) } }],
		['a webhook signal, real traffic (status, retrievedAt)', { ...attributes, status: { value: 'SUCCESS' }, body: { value: 78, unit: 'percent' }, meta: { retrievedAt: RETRIEVED, oemUpdatedAt: OEM } }],
		['epoch seconds', { ...attributes, body: { value: 78, unit: 'percent' }, meta: { retrievedAt: 1782705473.614, oemUpdatedAt: 1782705347 } }],
		['a plain-text status', { ...attributes, status: 'success', body: { value: 78, unit: 'percent' }, meta: { retrievedAt: RETRIEVED, oemUpdatedAt: OEM } }],
		['only an id, no code', { id: attributes.code, attributes: { name: 'StateOfCharge', group: 'TractionBattery', body: { value: 78, unit: 'percent' } }, meta: { retrievedAt: RETRIEVED, oemUpdatedAt: OEM } }],
	])('%s', (_case, raw) => {
		expect(normalizeSignal(raw, 'v1')).toEqual(soc);
	});
});

describe('normalizeSignal: bodies and statuses', () => {
	const base = { code: 'x-y', name: 'Y', group: 'X', meta: {} };
	const item = { vehicleId: 'v1', code: 'x-y', name: 'Y', group: 'X', retrievedAt: null, oemUpdatedAt: null };
	test.each([
		['{value} without a unit', { body: { value: true } }, { value: true, unit: null, status: 'SUCCESS' }],
		['{values, unit} (tires)', { body: { values: [{ pressure: 2.4 }], unit: 'bar' } }, { value: [{ pressure: 2.4 }], unit: 'bar', status: 'SUCCESS' }],
		[
			'an object body (location)',
			{ body: { latitude: 52.5, longitude: 13.4, heading: 90 } },
			{ value: { latitude: 52.5, longitude: 13.4, heading: 90 }, unit: null, status: 'SUCCESS' },
		],
		[
			'an object body with a unit (charge limits)',
			{ body: { values: [80], activeLimit: 80, unit: 'percent' } },
			{ value: { values: [80], activeLimit: 80 }, unit: 'percent', status: 'SUCCESS' },
		],
		['a scalar body', { body: 12 }, { value: 12, unit: null, status: 'SUCCESS' }],
		['no body, no status: unavailable', {}, { value: null, unit: null, status: 'UNAVAILABLE' }],
		[
			'an error with a stale value: never presented as current',
			{ status: { value: 'ERROR', error: { type: 'VEHICLE', code: 'ASLEEP' } }, body: { value: 55, unit: 'percent' } },
			{ value: null, unit: 'percent', status: 'ERROR', staleValue: 55, error: { type: 'VEHICLE', code: 'ASLEEP', title: null, detail: null, resolution: null } },
		],
		['unavailable with a stale value', { status: { value: 'UNAVAILABLE' }, body: { value: 1 } }, { value: null, unit: null, status: 'UNAVAILABLE', staleValue: 1 }],
	])('%s', (_case, raw, expected) => {
		expect(normalizeSignal({ ...base, ...raw }, 'v1')).toEqual({ ...item, ...expected });
	});

	test('a body\'s __proto__ key never reaches the item', () => {
		const signal = normalizeSignal(JSON.parse('{"code":"x-y","body":{"__proto__":{"polluted":true},"a":1,"b":2}}'), null);
		expect(signal.value).toEqual({ a: 1, b: 2 });
		expect(Object.getPrototypeOf(signal.value)).toBe(Object.prototype);
	});
});

describe('toSignalCode', () => {
	test.each([
		['tractionbattery-stateofcharge', 'tractionbattery-stateofcharge'],
		['  TractionBattery-StateOfCharge ', 'tractionbattery-stateofcharge'],
		['TractionBattery.StateOfCharge', 'tractionbattery-stateofcharge'],
		['charge', undefined],
		['charge-', undefined],
		['a/b-c', undefined],
		['', undefined],
	])('%p → %p', (input, expected) => {
		expect(toSignalCode(input)).toBe(expected);
	});
});

describe('signalReference: a signal named in a trigger or an error', () => {
	test.each([
		['{code, name, group}', { code: 'odometer-traveleddistance', name: 'TraveledDistance', group: 'Odometer' }, { code: 'odometer-traveleddistance', name: 'TraveledDistance', group: 'Odometer' }],
		['"Group.Name"', 'Odometer.TraveledDistance', { code: 'odometer-traveleddistance', name: 'TraveledDistance', group: 'Odometer' }],
		['a code as text', 'odometer-traveleddistance', { code: 'odometer-traveleddistance', name: null, group: null }],
		['other text stays as it is', 'FIRST_DELIVERY', { code: 'FIRST_DELIVERY', name: null, group: null }],
		['wrapped once (real-traffic trigger)', { type: 'SIGNAL_UPDATED', signal: { code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' } }, { code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' }],
		['wrapped, as text', { type: 'SIGNAL_UPDATED', signal: 'Charge.IsCharging' }, { code: 'charge-ischarging', name: 'IsCharging', group: 'Charge' }],
		['nested deeper than Smartcar does: not followed', { signal: { signal: { signal: { code: 'a-b' } } } }, { code: null, name: null, group: null }],
	])('%s', (_case, raw, expected) => {
		expect(signalReference(raw)).toEqual(expected);
	});
});

describe('signalsOf: the signals of a page', () => {
	test.each([
		['data (v3)', { data: [1, 2], links: {} }, [1, 2]],
		['a signals list', { signals: [3] }, [3]],
		['a bare list', [4], [4]],
		['nothing', { meta: {} }, []],
	])('%s', (_case, body, expected) => {
		expect(signalsOf(body)).toEqual(expected);
	});
});

test('toVehicleSignalMap: code → value, unit and problem; the newest retrievedAt', () => {
	const signals = [
		normalizeSignal({ code: 'a-b', body: { value: 1, unit: 'km' }, meta: { retrievedAt: '2026-01-01T00:00:00.000Z' } }, 'v1'),
		normalizeSignal({ code: 'c-d', status: { value: 'UNAVAILABLE' }, meta: { retrievedAt: '2026-01-02T00:00:00.000Z' } }, 'v1'),
		normalizeSignal({ code: '__proto__', body: { value: 'x' } }, 'v1'),
	];
	expect(toVehicleSignalMap('v1', 'u1', signals)).toEqual({
		vehicleId: 'v1',
		userId: 'u1',
		retrievedAt: '2026-01-02T00:00:00.000Z',
		signals: { 'a-b': 1, 'c-d': null },
		units: { 'a-b': 'km' },
		errors: { 'c-d': { status: 'UNAVAILABLE' } },
	});
});
