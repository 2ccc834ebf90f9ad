/**
 * What a delivery becomes: the documented item for VEHICLE_STATE (docs form and real-traffic form alike) and
 * VEHICLE_ERROR, one item per signal, the Events filter, and an answer that does not wait for the workflow.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

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
import { createFunctionNode, shutdownHarness, type WebhookHost } from '../harness';
import { postSigned, settle, startTriggerHost } from './trigger-fixture';

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

afterAll(() => shutdownHarness());

describe('VEHICLE_STATE item', () => {
	let host: WebhookHost;

	beforeEach(async () => {
		host = await startTriggerHost();
	});

	afterEach(async () => {
		await host.close();
	});

	async function deliver(payload: JsonObject | string): Promise<IDataObject[]> {
		const before = host.executions.length;
		const response = await postSigned(host.url(), typeof payload === 'string' ? payload : JSON.stringify(payload));
		expect(response.status).toBe(200);
		const executions = await host.waitForExecutions(before + 1);
		const execution = executions[before];
		expect(execution.error).toBeUndefined();
		expect(execution.output('Smartcar Trigger').map((item) => item.json)).toEqual(execution.items[0].map((i) => i.json));
		return execution.items[0].map((item) => item.json);
	}

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
		const items = await deliver(docs);
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
		const items = await deliver(statePayload('evt-docs', { triggerSignals: [CODES.soc, CODES.isLocked] }));
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
		const items = await deliver(statePayload('evt-real', { form: 'real', mode: 'TEST' }));
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
		const [docs] = await deliver(statePayload('same-docs'));
		const [real] = await deliver(statePayload('same-real', { form: 'real' }));
		const [epoch] = await deliver(
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
		const items = await deliver(
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
		const [item] = await deliver(statePayload(`first-${form}`, { form, trigger: 'FIRST_DELIVERY' }));
		expect(item.triggers).toEqual(['FIRST_DELIVERY']);
		expect(item.signals).toEqual(expectedSignals(form === 'docs' ? 'absent' : 'present'));
	});

	it('bodies with values plus other fields keep them all (charge limits, tires), as the README documents', async () => {
		const tires = signal(CODES.tires);
		const limits = signal(CODES.chargeLimits);
		const [item] = await deliver(statePayload('bodies', { form: 'real', signals: [CODES.chargeLimits, CODES.tires] }));
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
		const [item] = await deliver(payload);
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
	let host: WebhookHost;

	beforeEach(async () => {
		host = await startTriggerHost();
	});

	afterEach(async () => {
		await host.close();
	});

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
		const response = await postSigned(host.url(), JSON.stringify(payload));
		expect(response.status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0].map((item) => item.json)).toEqual([
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
		await postSigned(host.url(), JSON.stringify(payload));
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0][0].json.errors).toEqual([
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
	let host: WebhookHost;

	beforeEach(async () => {
		host = await startTriggerHost({ parameters: { options: { output: 'perSignal' } } });
	});

	afterEach(async () => {
		await host.close();
	});

	it('one item per signal, each with event, user, vehicle and whether it triggered the delivery', async () => {
		const payload = statePayload('per-signal', { form: 'real', triggerSignals: [CODES.location] });
		await postSigned(host.url(), JSON.stringify(payload));
		const [execution] = await host.waitForExecutions(1);
		const items = execution.items[0].map((item) => item.json);
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
		await postSigned(host.url(), JSON.stringify(payload));
		const [execution] = await host.waitForExecutions(1);
		const items = execution.items[0].map((item) => item.json);
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
	it('only VEHICLE_STATE selected: a signed VEHICLE_ERROR gets 200 "ignored" and starts nothing', async () => {
		const host = await startTriggerHost({ parameters: { events: ['VEHICLE_STATE'] } });
		try {
			const error = vehicleErrorPayload(fleet, vehicle.id, { eventId: 'filtered-error' });
			const response = await postSigned(host.url(), JSON.stringify(error));
			expect(response.status).toBe(200);
			expect(response.json).toEqual({ status: 'ignored', reason: 'event type VEHICLE_ERROR is not selected' });
			await settle(host);
			expect(host.executions).toHaveLength(0);
			// The selected type still runs.
			await postSigned(host.url(), JSON.stringify(statePayload('selected')));
			const [execution] = await host.waitForExecutions(1);
			expect(execution.items[0][0].json.eventId).toBe('selected');
		} finally {
			await host.close();
		}
	});

	it('only VEHICLE_ERROR selected: a VEHICLE_STATE is ignored', async () => {
		const host = await startTriggerHost({ parameters: { events: ['VEHICLE_ERROR'] } });
		try {
			const response = await postSigned(host.url(), JSON.stringify(statePayload('not-selected')));
			expect(response.json).toEqual({ status: 'ignored', reason: 'event type VEHICLE_STATE is not selected' });
			await settle(host);
			expect(host.executions).toHaveLength(0);
		} finally {
			await host.close();
		}
	});

	it.each([
		['an unknown event type', { eventId: 'u1', eventType: 'CONNECTION_STATUS', data: {} }, 'CONNECTION_STATUS'],
		['no event type', { eventId: 'u2', data: {} }, '(none)'],
		['an event type of the wrong case', { eventId: 'u3', eventType: 'vehicle_state', data: {} }, 'vehicle_state'],
	])('%s (signed) → 200 "ignored", no execution', async (_what, payload, named) => {
		const host = await startTriggerHost();
		try {
			const response = await postSigned(host.url(), JSON.stringify(payload));
			expect(response.status).toBe(200);
			expect(response.json).toEqual({ status: 'ignored', reason: `event type ${named} is not selected` });
			await settle(host);
			expect(host.executions).toHaveLength(0);
		} finally {
			await host.close();
		}
	});
});

describe('responds at once (onReceived)', () => {
	it('answers the delivery while a slow downstream node is still running', async () => {
		let release: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => {
			release = resolve;
		});
		let started = 0;
		let finished = 0;
		const slow = createFunctionNode(
			async function (this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				started += 1;
				await gate;
				finished += 1;
				return [this.getInputData().map((item) => ({ json: { seen: item.json.eventId } }))];
			},
			{ name: 'slow' },
		);
		const host = await startTriggerHost({ downstream: [{ name: 'Slow', type: 'test.slow', node: slow }] });
		try {
			const t0 = Date.now();
			const response = await postSigned(host.url(), JSON.stringify(statePayload('slow-run')));
			expect(response.status).toBe(200);
			expect(response.json).toEqual({ status: 'received', eventId: 'slow-run' });
			expect(Date.now() - t0).toBeLessThan(2_000);
			// Answered, yet the workflow has not finished: the downstream node is still waiting.
			await new Promise<void>((resolve) => setTimeout(resolve, 50));
			expect(started).toBe(1);
			expect(finished).toBe(0);
			expect(host.executions).toHaveLength(0);
			release();
			const [execution] = await host.waitForExecutions(1);
			expect(finished).toBe(1);
			expect(execution.output('Slow').map((item) => item.json)).toEqual([{ seen: 'slow-run' }]);
		} finally {
			release();
			await host.close();
		}
	});
});

describe('node versions (version 2 only spares n8n an expression per delivery)', () => {
	async function itemsAt(typeVersion: number, body: string, contentType?: string): Promise<{ status: number; items: IDataObject[] }> {
		// De-duplication off: both versions receive the same event.
		const host = await startTriggerHost({ typeVersion, parameters: { options: { deduplicate: false } } });
		try {
			const response = await postSigned(host.url(), body, { contentType });
			if (response.status !== 200) return { status: response.status, items: [] };
			const [execution] = await host.waitForExecutions(1);
			expect(execution.error).toBeUndefined();
			return { status: response.status, items: execution.items[0].map((item) => item.json) };
		} finally {
			await host.close();
		}
	}

	it('version 1 (workflows saved before version 2) and version 2 make the same item of the same delivery', async () => {
		const body = JSON.stringify(statePayload('evt-versions'));
		const v1 = await itemsAt(1, body);
		const v2 = await itemsAt(2, body);
		expect(v1.status).toBe(200);
		expect(v2.items).toHaveLength(1);
		expect(v2.items).toEqual(v1.items);
		expect(v2.items[0]).toEqual(expect.objectContaining({ eventId: 'evt-versions', userId: owner?.id, vehicleId: vehicle.id }));
	});

	it('version 2: a signed delivery with a content type n8n leaves unread (octet-stream) is read from its raw bytes', async () => {
		const body = JSON.stringify(statePayload('evt-octet'));
		const { status, items } = await itemsAt(2, body, 'application/octet-stream');
		expect(status).toBe(200);
		expect(items).toEqual([expect.objectContaining({ eventId: 'evt-octet', eventType: 'VEHICLE_STATE', vehicleId: vehicle.id })]);
	});
});
