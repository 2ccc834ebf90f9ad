/**
 * Webhook hardening (issue #11, point 5), the trigger's webhook() with a mocked n8n context:
 *  - SC-Signature is checked over the raw bytes before the body is parsed; an unsigned body is parsed only when it is
 *    small enough to be Smartcar's (unsigned) VERIFY, and only a VERIFY is answered;
 *  - a signed delivery without an eventId is acknowledged and runs once (de-duplicated on the SHA-256 of its bytes,
 *    in process memory and in the workflow's static data);
 *  - keys like `__proto__` in a payload never become prototypes or inherited properties of output items.
 */
import type { IDataObject } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { demoFleet, vehicleStatePayload, verifyPayload, type JsonObject } from '../../tooling/simulator';
import { prototypeProblems } from '../support/prototype-problems';
import { MANAGEMENT_TOKEN, hmac, isRecord, type Webhook } from './trigger-fixture';
import { send, type MockRequest, type MockTriggerSetup, type Outcome } from './webhook-context';

/** Deliveries carry a current meta.deliveredAt: the trigger refuses ones far from its clock as replays. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const fleet = demoFleet(NOW);
const vehicle = fleet.vehicles[0];
const UNAUTHORIZED = { error: 'Missing or invalid SC-Signature.' };
const LIMIT = 4 * 1024;

function stateEvent(eventId: string): string {
	const payload: JsonObject = vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId, deliveryId: `d-${eventId}`, deliveredAt: NOW });
	return JSON.stringify(payload);
}

/** A VERIFY body of exactly `bytes` bytes (padded in meta). */
function verifyOfSize(challenge: string, bytes: number): string {
	const payload = verifyPayload(challenge, { eventId: 'verify-sized', deliveredAt: NOW });
	const meta = isRecord(payload.meta) ? payload.meta : {};
	const bare = JSON.stringify({ ...payload, meta: { ...meta, padding: '' } });
	const body = JSON.stringify({ ...payload, meta: { ...meta, padding: 'x'.repeat(bytes - Buffer.byteLength(bare)) } });
	expect(Buffer.byteLength(body)).toBe(bytes);
	return body;
}

const webhook = new SmartcarTrigger().webhook as Webhook;
let workflows = 0;

/** A trigger in a workflow of its own (nothing remembered yet), with one workflow row (its static data). */
function trigger(setup: MockTriggerSetup = {}) {
	const staticData: IDataObject = {};
	const workflowId = `wf-hardening-${++workflows}`;
	return {
		staticData,
		post: async (body: string, request: Omit<MockRequest, 'body'> = {}): Promise<Outcome> => await send(webhook, { staticData, workflowId, ...setup }, { body, ...request }),
	};
}

afterEach(() => jest.restoreAllMocks());

describe('SC-Signature before parsing (Verify Signature on)', () => {
	it('an unsigned or wrongly signed body is answered 401 without being parsed; a signed one is parsed', async () => {
		const { post } = trigger({ parameters: { options: { deduplicate: false } } });
		const parse = jest.spyOn(JSON, 'parse');
		const parsed = (text: string) => parse.mock.calls.some(([argument]) => argument === text);

		const unsigned = stateEvent('unsigned');
		const forged = stateEvent('forged');
		const bigVerify = verifyOfSize('abc123', LIMIT + 1);
		const answers = [
			await post(unsigned, { signature: null }),
			await post(forged, { signature: hmac('not-the-token', forged) }),
			await post(bigVerify, { signature: null }),
		];
		expect([parsed(unsigned), parsed(forged), parsed(bigVerify)]).toEqual([false, false, false]);
		expect(answers.map((a) => [a.status, a.body, a.items])).toEqual([
			[401, UNAUTHORIZED, undefined],
			[401, UNAUTHORIZED, undefined],
			[401, UNAUTHORIZED, undefined],
		]);

		// Control: the spy does see the node parse a signed body.
		const signed = stateEvent('signed');
		const outcome = await post(signed);
		expect([outcome.status, outcome.items?.[0].eventId]).toEqual([200, 'signed']);
		expect(parsed(signed)).toBe(true);
	});

	it.each([
		['text that is not JSON', 'hello smartcar', 'text/plain'],
		['a JSON array', '[{"eventId":"in-array","eventType":"VEHICLE_STATE"}]', 'application/json'],
		['bytes', '\u0000\u0001binary', 'application/octet-stream'],
		['an empty body', '', 'application/json'],
	])('unsigned %s → 401 (a signed one stays 400)', async (_what, body, contentType) => {
		const { post } = trigger();
		const headers = { 'content-type': contentType };
		const unsigned = await post(body, { headers, signature: null });
		expect([unsigned.status, unsigned.body]).toEqual([401, UNAUTHORIZED]);
		const signed = await post(body, { headers });
		expect([signed.status, signed.items]).toEqual([400, undefined]);
	});

	it(`an unsigned VERIFY of ${LIMIT} bytes is answered; one byte more is 401 and not answered`, async () => {
		const { post } = trigger();
		const challenge = 'f3a9c1e0b7d24c6a';
		const atLimit = await post(verifyOfSize(challenge, LIMIT), { signature: null });
		expect([atLimit.status, atLimit.body, atLimit.items]).toEqual([200, { challenge: hmac(MANAGEMENT_TOKEN, challenge) }, undefined]);
		const over = await post(verifyOfSize(challenge, LIMIT + 1), { signature: null });
		expect([over.status, over.body]).toEqual([401, UNAUTHORIZED]);
		expect(JSON.stringify(over.body)).not.toContain(hmac(MANAGEMENT_TOKEN, challenge));
	});

	it('an unsigned event of another type is 401, not "ignored" (nothing unsigned is looked at)', async () => {
		const body = JSON.stringify({ eventId: 'other', eventType: 'CONNECTION_STATUS', data: {} });
		const response = await trigger().post(body, { signature: null });
		expect([response.status, response.body]).toEqual([401, UNAUTHORIZED]);
	});
});

describe('option Verify Signature off: as before', () => {
	it('an unsigned body that is not JSON is 400, a large unsigned VERIFY is answered, an unsigned event runs', async () => {
		const { post } = trigger({ parameters: { options: { verifySignature: false } } });
		expect((await post('hello smartcar', { headers: { 'content-type': 'text/plain' }, signature: null })).status).toBe(400);
		const challenge = 'large-verify-0123';
		const verify = await post(verifyOfSize(challenge, LIMIT * 2), { signature: null });
		expect([verify.status, verify.body]).toEqual([200, { challenge: hmac(MANAGEMENT_TOKEN, challenge) }]);
		const event = await post(stateEvent('unverified'), { signature: null });
		expect([event.status, event.items?.[0].eventId]).toEqual([200, 'unverified']);
	});
});

describe('signed deliveries without an eventId', () => {
	const idless = JSON.stringify({ eventType: 'VEHICLE_STATE', vehicleId: vehicle.id, data: { note: 'no id' } });

	it('the same bytes again are acknowledged as a duplicate and run once; keyed by the bytes', async () => {
		// The key, and the same bytes after a restart (static data): test/trigger/lose-no-event.test.ts.
		const { post } = trigger();
		const first = await post(idless);
		const again = await post(idless);
		expect([first.status, first.body, first.items?.length]).toEqual([200, { status: 'received', eventId: null }, 1]);
		expect([again.status, again.body, again.items]).toEqual([200, { status: 'duplicate', eventId: null }, undefined]);
	});

	it('five concurrent copies start one run; the others are answered "in progress" (409), so Smartcar retries them', async () => {
		// Each request loads the workflow row on its own, as n8n does: only the process's memory can tell them apart.
		const answers = await Promise.all(Array.from({ length: 5 }, async () => await send(webhook, { staticData: {}, workflowId: 'wf-concurrent' }, { body: idless })));
		expect(answers.filter((answer) => answer.items !== undefined)).toHaveLength(1);
		expect(answers.map((answer) => `${answer.status} ${(answer.body as IDataObject).status}`).sort()).toEqual(['200 received', '409 inProgress', '409 inProgress', '409 inProgress', '409 inProgress']);
	});

	it('with Ignore Repeated Deliveries off, every copy runs', async () => {
		const { post, staticData } = trigger({ parameters: { options: { deduplicate: false } } });
		expect([(await post(idless)).items?.length, (await post(idless)).items?.length]).toEqual([1, 1]);
		expect(staticData).toEqual({});
	});
});

/**
 * A VEHICLE_STATE whose every level carries `__proto__`, `constructor` and `prototype` keys (as JSON text: a JS
 * object literal would set a prototype instead), and signals whose codes are `__proto__` and `constructor`.
 */
const HOSTILE = `{
	"__proto__": {"polluted": true}, "constructor": {"polluted": true}, "prototype": {"polluted": true},
	"eventId": "proto-event", "eventType": "VEHICLE_STATE", "vehicleId": "v-proto",
	"data": {
		"__proto__": {"polluted": true},
		"user": {"id": "u-proto", "__proto__": {"polluted": true}},
		"vehicle": {
			"id": "v-proto", "make": "Make", "__proto__": {"polluted": true}, "constructor": {"polluted": true},
			"prototype": {"polluted": true}, "paint": {"__proto__": {"polluted": true}, "name": "red"}
		},
		"signals": [
			{"code": "__proto__", "name": "Proto", "group": "X", "body": {"value": {"__proto__": {"polluted": true}, "reading": 1}}},
			{"code": "constructor", "name": "Ctor", "group": "X", "body": {"value": 5}},
			{"code": "location-preciselocation", "name": "PreciseLocation", "group": "Location",
				"body": {"latitude": 1, "longitude": 2, "__proto__": {"polluted": true}, "constructor": {"polluted": true}}},
			{"code": "charge-chargelimits", "name": "ChargeLimits", "group": "Charge",
				"body": {"values": [{"__proto__": {"polluted": true}, "limit": 80}], "activeLimit": 80}},
			{"code": "odometer-traveleddistance", "name": "TraveledDistance", "group": "Odometer",
				"body": {"value": [{"__proto__": {"polluted": true}}], "unit": "km"}, "meta": {"__proto__": {"polluted": true}}}
		],
		"triggers": [{"type": "SIGNAL_UPDATED", "signal": {"code": "__proto__", "__proto__": {"polluted": true}}}],
		"errors": [{"__proto__": {"polluted": true}, "type": "X", "signals": ["__proto__"]}]
	},
	"meta": {"__proto__": {"polluted": true}, "deliveryId": "d-proto"}
}`;

describe('keys like __proto__ in a delivery', () => {
	it.each(['perEvent', 'perSignal'])('output %s: plain items, nothing "polluted" anywhere, Object.prototype untouched', async (output) => {
		const outcome = await trigger({ parameters: { options: { output } } }).post(HOSTILE);
		expect(outcome.status).toBe(200);
		const items = outcome.items ?? [];
		expect(items.length).toBe(output === 'perEvent' ? 1 : 5);
		for (const item of items) expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
		expect(prototypeProblems(items)).toEqual([]);
		expect(JSON.stringify(items)).not.toContain('polluted');
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		// The data around the hostile keys is kept.
		const event = items[0];
		if (output === 'perEvent') {
			expect(event).toMatchObject({ eventId: 'proto-event', userId: 'u-proto', deliveryId: 'd-proto' });
			expect(event.vehicle).toEqual({ id: 'v-proto', make: 'Make', model: null, year: null, paint: { name: 'red' } });
			expect(event.triggers).toEqual(['__proto__']);
		} else {
			expect(items.map((item) => [item.code, item.value])).toEqual([
				['__proto__', { reading: 1 }],
				['constructor', 5],
				['location-preciselocation', { latitude: 1, longitude: 2 }],
				['charge-chargelimits', { values: [{ limit: 80 }], activeLimit: 80 }],
				['odometer-traveleddistance', [{}]],
			]);
		}
	});
});
