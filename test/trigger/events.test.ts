/**
 * What a delivery becomes: the documented item for VEHICLE_STATE (docs form and real-traffic form alike) and
 * VEHICLE_ERROR, one item per signal, and the Events filter — the trigger's webhook() with a mocked n8n context. That a
 * real n8n starts the workflow with these items (both node versions) and answers before the run finishes:
 * test/e2e/smartcar.e2e.test.ts and crash.e2e.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';

import {
	DEFAULT_WEBHOOK_ID,
	DEFAULT_WEBHOOK_NAME,
	CODES,
	demoFleet,
	findSignal,
	ownerOf,
	vehicleErrorPayload,
	vehicleStatePayload,
	type JsonObject,
	type SimSignal,
	type VehicleStateOptions,
} from '../../tooling/simulator';
import type { Webhook } from './trigger-fixture';
import { answerOf, deliver, type MockRequest, type MockTriggerSetup, type TriggerCall } from './webhook-context';

/** Deliveries carry a current meta.deliveredAt: the trigger refuses ones far from its clock as replays. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const fleet = demoFleet(NOW);
const vehicle = fleet.vehicles[0]; // TESLA Model 3 2022, BEV
const owner = ownerOf(fleet, vehicle.id);
const iso = (ms: number) => new Date(ms).toISOString();

function signal(code: string): SimSignal {
	const found = findSignal(vehicle, code);
	if (!found) throw new Error(`fixture vehicle has no ${code}`);
	return found;
}

const soc = signal(CODES.soc);
const location = signal(CODES.location);
const odometer = signal(CODES.odometer);
const locked = signal(CODES.isLocked);
const cabin = signal(CODES.cabinTemperature); // ERROR (vehicle unreachable)
const service = signal(CODES.serviceRecords); // UNAVAILABLE
const SIGNALS = [soc, location, odometer, locked, cabin, service].map((s) => s.code);

/** The normalized signals of the subset above, written out field by field from the fleet's state. */
function expectedSignals(timestampsOfFailed: 'absent' | 'present'): IDataObject[] {
	const base = (s: SimSignal) => ({ vehicleId: vehicle.id, code: s.code, name: s.name, group: s.group });
	const stamps = (s: SimSignal) => ({ retrievedAt: iso(s.retrievedAt), oemUpdatedAt: iso(s.oemUpdatedAt) });
	const failedStamps = (s: SimSignal) =>
		timestampsOfFailed === 'present' ? stamps(s) : { retrievedAt: null, oemUpdatedAt: null };
	return [
		{ ...base(soc), value: soc.body?.value, unit: 'percent', status: 'SUCCESS', ...stamps(soc) },
		{
			...base(location),
			value: {
				latitude: location.body?.latitude,
				longitude: location.body?.longitude,
				heading: location.body?.heading,
				direction: location.body?.direction,
				locationType: 'LAST_PARKED',
			},
			unit: null,
			status: 'SUCCESS',
			...stamps(location),
		},
		{ ...base(odometer), value: odometer.body?.value, unit: 'km', status: 'SUCCESS', ...stamps(odometer) },
		{ ...base(locked), value: true, unit: null, status: 'SUCCESS', ...stamps(locked) },
		{
			...base(cabin),
			value: null,
			unit: null,
			status: 'ERROR',
			error: { type: 'VEHICLE_STATE', code: 'UNREACHABLE', title: null, detail: null, resolution: null },
			...failedStamps(cabin),
		},
		{ ...base(service), value: null, unit: null, status: 'UNAVAILABLE', ...failedStamps(service) },
	];
}

const VEHICLE = { id: vehicle.id, make: 'TESLA', model: 'Model 3', year: 2022 };

function statePayload(eventId: string, options: Partial<VehicleStateOptions> = {}): JsonObject {
	return vehicleStatePayload(fleet, vehicle.id, {
		form: 'docs',
		eventId,
		signals: SIGNALS,
		deliveryId: `delivery-${eventId}`,
		deliveredAt: NOW,
		...options,
	});
}

const webhook = new SmartcarTrigger().webhook as Webhook;

let workflows = 0;
/** One signed delivery to a trigger of its own (a workflow of its own, so no spec sees another's events). */
async function send(payload: JsonObject | string, setup: MockTriggerSetup = {}, request: MockRequest = {}): Promise<TriggerCall> {
	const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
	return await deliver(webhook, { workflowId: `wf-events-${++workflows}`, ...setup }, { body, ...request });
}

/** The items of the run a signed delivery starts (answered 200 "received"). */
async function itemsOf(payload: JsonObject | string, setup: MockTriggerSetup = {}, request: MockRequest = {}): Promise<IDataObject[]> {
	const call = await send(payload, setup, request);
	expect(answerOf(call)).toMatchObject({ status: 200, body: { status: 'received' } });
	expect(call.items).toBeDefined();
	return call.items ?? [];
}

describe('VEHICLE_STATE item', () => {
	const deliverItems = async (payload: JsonObject | string) => await itemsOf(payload);

	it('Smartcar\'s documented VEHICLE_STATE example gives the README\'s documented item', async () => {
		// The VEHICLE_STATE example of Smartcar's webhook documentation (payload version 4.0), verbatim.
		const documented =
			'{"eventId":"550e…","eventType":"VEHICLE_STATE","vehicleId":"9af1…",' +
			'"data":{"user":{"id":"93b3…"},"vehicle":{"id":"9af1…","make":"TESLA","model":"Model 3","year":2020},' +
			'"triggers":[{"code":"tractionbattery-stateofcharge","name":"StateOfCharge","group":"TractionBattery"}],' +
			'"signals":[{"code":"tractionbattery-stateofcharge","name":"StateOfCharge","group":"TractionBattery",' +
			'"body":{"unit":"percent","value":78},"meta":{"oemUpdatedAt":1731940328000,"fetchedAt":1731940330000}}]},' +
			'"meta":{"version":"4.0","deliveryId":"48b2…","deliveredAt":1731940328000,"webhookId":"abde…","webhookName":"Battery Monitoring","signalCount":3,"mode":"LIVE"}}';
		// Delivered now: a delivery older than the replay window is refused.
		const docs = documented.replace('"deliveredAt":1731940328000', `"deliveredAt":${NOW}`);
		const items = await deliverItems(docs);
		// README "Smartcar Trigger → Vehicle Events", verbatim.
		expect(items).toEqual([
			{
				eventId: '550e…',
				eventType: 'VEHICLE_STATE',
				userId: '93b3…',
				vehicleId: '9af1…',
				vehicle: { id: '9af1…', make: 'TESLA', model: 'Model 3', year: 2020 },
				signals: [
					{
						vehicleId: '9af1…',
						code: 'tractionbattery-stateofcharge',
						name: 'StateOfCharge',
						group: 'TractionBattery',
						value: 78,
						unit: 'percent',
						status: 'SUCCESS',
						retrievedAt: '2024-11-18T14:32:10.000Z',
						oemUpdatedAt: '2024-11-18T14:32:08.000Z',
					},
				],
				triggers: ['tractionbattery-stateofcharge'],
				errors: [],
				mode: 'LIVE',
				webhookId: 'abde…',
				webhookName: 'Battery Monitoring',
				deliveryId: '48b2…',
				deliveredAt: new Date(NOW).toISOString(), // the README shows the documented 2024-11-18T14:32:08.000Z
			},
		]);
	});

	it('docs form: the full item', async () => {
		const items = await deliverItems(statePayload('evt-docs', { triggerSignals: [CODES.soc, CODES.isLocked] }));
		expect(items).toEqual([
			{
				eventId: 'evt-docs',
				eventType: 'VEHICLE_STATE',
				userId: owner?.id,
				vehicleId: vehicle.id,
				vehicle: VEHICLE,
				signals: expectedSignals('absent'),
				triggers: [CODES.soc, CODES.isLocked],
				errors: [],
				mode: 'LIVE',
				webhookId: DEFAULT_WEBHOOK_ID,
				webhookName: DEFAULT_WEBHOOK_NAME,
				deliveryId: 'delivery-evt-docs',
				deliveredAt: iso(NOW),
			},
		]);
		expect(typeof owner?.id).toBe('string');
	});

	it('real form (top-level triggers, retrievedAt, signal status): the full item', async () => {
		const items = await deliverItems(statePayload('evt-real', { form: 'real', mode: 'TEST' }));
		expect(items).toEqual([
			{
				eventId: 'evt-real',
				eventType: 'VEHICLE_STATE',
				userId: owner?.id,
				vehicleId: vehicle.id,
				vehicle: VEHICLE,
				signals: expectedSignals('present'),
				triggers: [CODES.soc],
				errors: [],
				mode: 'TEST',
				webhookId: DEFAULT_WEBHOOK_ID,
				webhookName: DEFAULT_WEBHOOK_NAME,
				deliveryId: 'delivery-evt-real',
				deliveredAt: iso(NOW),
			},
		]);
	});

	it('docs form and real form of the same event give the same user, vehicle and signal values', async () => {
		const [docs] = await deliverItems(statePayload('same-docs'));
		const [real] = await deliverItems(statePayload('same-real', { form: 'real' }));
		const [epoch] = await deliverItems(
			statePayload('same-epoch', { form: 'real', triggerStyle: 'string', signalTimestamps: 'epoch' }),
		);
		const values = (item: IDataObject) => ({
			userId: item.userId,
			vehicleId: item.vehicleId,
			vehicle: item.vehicle,
			triggers: item.triggers,
			signals: (item.signals as IDataObject[]).map(({ code, name, group, value, unit, status, error }) => ({
				code,
				name,
				group,
				value,
				unit,
				status,
				error,
			})),
		});
		expect(values(real)).toEqual(values(docs));
		expect(values(epoch)).toEqual(values(docs));
		// Timestamps of successful signals agree too (fetchedAt / retrievedAt, epoch / ISO).
		const success = (item: IDataObject) => (item.signals as IDataObject[]).filter((s) => s.status === 'SUCCESS');
		expect(success(real)).toEqual(success(docs));
		expect(epoch.signals).toEqual(real.signals);
	});

	it('real form with the older "Group.Name" trigger strings and epoch signal timestamps', async () => {
		const items = await deliverItems(
			statePayload('evt-string', {
				form: 'real',
				triggerStyle: 'string',
				signalTimestamps: 'epoch',
				triggerSignals: [CODES.soc, CODES.location],
			}),
		);
		expect(items).toHaveLength(1);
		expect(items[0].triggers).toEqual([CODES.soc, CODES.location]);
		expect(items[0].signals).toEqual(expectedSignals('present'));
	});

	it.each(['docs', 'real'] as const)('FIRST_DELIVERY trigger (%s form) is listed as "FIRST_DELIVERY"', async (form) => {
		const [item] = await deliverItems(statePayload(`first-${form}`, { form, trigger: 'FIRST_DELIVERY' }));
		expect(item.triggers).toEqual(['FIRST_DELIVERY']);
		expect(item.signals).toEqual(expectedSignals(form === 'docs' ? 'absent' : 'present'));
	});

	it('bodies with values plus other fields keep them all (charge limits, tires), as the README documents', async () => {
		const tires = signal(CODES.tires);
		const limits = signal(CODES.chargeLimits);
		const [item] = await deliverItems(statePayload('bodies', { form: 'real', signals: [CODES.chargeLimits, CODES.tires] }));
		const values = (item.signals as IDataObject[]).map(({ code, value, unit }) => ({ code, value, unit }));
		expect(values).toEqual([
			{ code: CODES.chargeLimits, value: { activeLimit: 80, values: [{ type: 'GLOBAL', limit: 80, condition: null }] }, unit: null },
			{ code: CODES.tires, value: { values: tires.body?.values, rowCount: 2, columnCount: 2 }, unit: 'kilopascals' },
		]);
		expect(limits.body?.activeLimit).toBe(80);
	});

	it('an ERROR signal that still carries a body: value null, the reading kept as staleValue', async () => {
		const payload = statePayload('stale', { form: 'real', signals: [CODES.cabinTemperature] });
		const data = payload.data as JsonObject;
		const [raw] = data.signals as JsonObject[];
		raw.body = { value: 21.5, unit: 'degrees-celsius' };
		raw.status = {
			value: 'ERROR',
			error: { type: 'VEHICLE_STATE', code: 'ASLEEP', title: 'Asleep', detail: 'The vehicle is asleep.', resolution: { type: 'RETRY_LATER' } },
		};
		const [item] = await deliverItems(payload);
		expect(item.signals).toEqual([
			{
				vehicleId: vehicle.id,
				code: CODES.cabinTemperature,
				name: 'InternalTemperature',
				group: 'Climate',
				value: null,
				staleValue: 21.5,
				unit: 'degrees-celsius',
				status: 'ERROR',
				error: { type: 'VEHICLE_STATE', code: 'ASLEEP', title: 'Asleep', detail: 'The vehicle is asleep.', resolution: 'RETRY_LATER' },
				retrievedAt: iso(cabin.retrievedAt),
				oemUpdatedAt: iso(cabin.oemUpdatedAt),
			},
		]);
	});
});

describe('VEHICLE_ERROR item', () => {
	it.each([
		['object', 'ERROR'],
		['string', 'RESOLVED'],
	] as const)('vehicle-state error, signal refs as %s, state %s', async (signalRefs, state) => {
		const payload = vehicleErrorPayload(fleet, vehicle.id, {
			eventId: `err-${signalRefs}`,
			deliveryId: 'err-delivery',
			deliveredAt: NOW,
			kind: 'vehicle-state',
			state,
			signalRefs,
			signals: [CODES.cabinTemperature, CODES.location],
		});
		expect(await itemsOf(payload)).toEqual([
			{
				eventId: `err-${signalRefs}`,
				eventType: 'VEHICLE_ERROR',
				userId: owner?.id,
				vehicleId: vehicle.id,
				vehicle: VEHICLE,
				signals: [],
				triggers: [],
				errors: [
					{
						type: 'VEHICLE_STATE',
						code: 'UNREACHABLE',
						state,
						description: 'The vehicle was unreachable when Smartcar tried to retrieve these signals.',
						suggestedUserMessage: 'Your car is temporarily unreachable. Please make sure it has cellular reception.',
						docsUrl: 'https://smartcar.com/docs/errors/api-errors/vehicle-state-errors#unreachable',
						resolution: 'RETRY_LATER',
						signals: [CODES.cabinTemperature, CODES.location],
					},
				],
				mode: 'LIVE',
				webhookId: DEFAULT_WEBHOOK_ID,
				webhookName: DEFAULT_WEBHOOK_NAME,
				deliveryId: 'err-delivery',
				deliveredAt: iso(NOW),
			},
		]);
	});

	it('permission error with code null, signal refs as "Group.Name" strings', async () => {
		const payload = vehicleErrorPayload(fleet, vehicle.id, { eventId: 'perm', kind: 'permission', signalRefs: 'string' });
		expect(JSON.stringify(payload)).toContain('"signals":["VehicleIdentification.VIN"]');
		const [item] = await itemsOf(payload);
		expect(item.errors).toEqual([
			{
				type: 'PERMISSION',
				code: null,
				state: 'ERROR',
				description: 'The user has not granted the permission required to read these signals.',
				suggestedUserMessage: 'Please reconnect your car and grant the requested permissions.',
				docsUrl: 'https://smartcar.com/docs/errors/api-errors/permission-errors',
				resolution: 'REAUTHENTICATE',
				signals: [CODES.vin],
			},
		]);
	});
});

describe('option Output: One Item per Signal', () => {
	const perSignal = { parameters: { options: { output: 'perSignal' } } };

	it('one item per signal, each with event, user, vehicle and whether it triggered the delivery', async () => {
		const payload = statePayload('per-signal', { form: 'real', triggerSignals: [CODES.location] });
		const items = await itemsOf(payload, perSignal);
		expect(items).toHaveLength(SIGNALS.length);
		const signals = expectedSignals('present');
		items.forEach((item, index) => {
			expect(item).toEqual({
				...signals[index],
				triggered: signals[index].code === CODES.location,
				eventId: 'per-signal',
				eventType: 'VEHICLE_STATE',
				userId: owner?.id,
				vehicle: VEHICLE,
				mode: 'LIVE',
				deliveryId: 'delivery-per-signal',
				deliveredAt: iso(NOW),
			});
			expect(item.vehicleId).toBe(vehicle.id);
		});
		expect(items.filter((item) => item.triggered).map((item) => item.code)).toEqual([CODES.location]);
	});

	it('a VEHICLE_ERROR without signals still yields one item', async () => {
		const payload = vehicleErrorPayload(fleet, vehicle.id, { eventId: 'err-per-signal', kind: 'compatibility' });
		const items = await itemsOf(payload, perSignal);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			eventId: 'err-per-signal',
			eventType: 'VEHICLE_ERROR',
			userId: owner?.id,
			vehicleId: vehicle.id,
			vehicle: VEHICLE,
			signals: [],
		});
		expect(items[0].errors).toEqual([expect.objectContaining({ type: 'COMPATIBILITY', signals: [CODES.location] })]);
	});
});

describe('Events filter', () => {
	/** The answer and whether a run started. */
	async function outcome(payload: JsonObject, setup: MockTriggerSetup = {}) {
		const call = await send(payload, setup);
		return { ...answerOf(call), runs: call.items !== undefined };
	}

	it('only VEHICLE_STATE selected: a signed VEHICLE_ERROR gets 200 "ignored" and starts nothing', async () => {
		const onlyState = { parameters: { events: ['VEHICLE_STATE'] } };
		const error = vehicleErrorPayload(fleet, vehicle.id, { eventId: 'filtered-error' });
		expect(await outcome(error, onlyState)).toMatchObject({ status: 200, body: { status: 'ignored', reason: 'event type VEHICLE_ERROR is not selected' }, runs: false });
		// The selected type still runs.
		const [item] = await itemsOf(statePayload('selected'), onlyState);
		expect(item.eventId).toBe('selected');
	});

	it('only VEHICLE_ERROR selected: a VEHICLE_STATE is ignored', async () => {
		const answer = await outcome(statePayload('not-selected'), { parameters: { events: ['VEHICLE_ERROR'] } });
		expect(answer).toMatchObject({ body: { status: 'ignored', reason: 'event type VEHICLE_STATE is not selected' }, runs: false });
	});

	it.each([
		['empty (null)', null],
		['a number', 7],
		['a list holding something other than text', ['VEHICLE_STATE', 3]],
	])('Events mapped to a value that is no list of event types (%s): the default types run, nothing is dropped as "ignored"', async (_what, events) => {
		const [item] = await itemsOf(statePayload(`events-${JSON.stringify(events)}`), { parameters: { events } });
		expect(item.eventType).toBe('VEHICLE_STATE');
	});

	it.each([
		['an unknown event type', { eventId: 'u1', eventType: 'CONNECTION_STATUS', data: {} }, 'CONNECTION_STATUS'],
		['no event type', { eventId: 'u2', data: {} }, '(none)'],
		['an event type of the wrong case', { eventId: 'u3', eventType: 'vehicle_state', data: {} }, 'vehicle_state'],
	])('%s (signed) → 200 "ignored", no run', async (_what, payload, named) => {
		expect(await outcome(payload)).toEqual({ status: 200, body: { status: 'ignored', reason: `event type ${named} is not selected` }, headers: {}, runs: false });
	});
});

describe('the body as n8n hands it over', () => {
	it('a signed delivery n8n left unread (version 2, a content type it does not parse) is read through readRawBody', async () => {
		// That n8n 2.41.1 leaves an application/octet-stream body unread for version 2: test/e2e/smartcar.e2e.test.ts.
		const items = await itemsOf(statePayload('evt-octet'), {}, { headers: { 'content-type': 'application/octet-stream' }, unread: true });
		expect(items).toEqual([expect.objectContaining({ eventId: 'evt-octet', eventType: 'VEHICLE_STATE', vehicleId: vehicle.id })]);
	});
});
