/**
 * Webhook hardening (issue #11, point 5), over HTTP through the webhook host:
 *  - SC-Signature is checked over the raw bytes before the body is parsed; an unsigned body is parsed only when it is
 *    small enough to be Smartcar's (unsigned) VERIFY, and only a VERIFY is answered;
 *  - a signed delivery without an eventId is acknowledged and runs once (de-duplicated on the SHA-256 of its bytes,
 *    in process memory and in the workflow's static data);
 *  - keys like `__proto__` in a payload never become prototypes or inherited properties of output items.
 */

import { demoFleet, vehicleStatePayload, verifyPayload, type JsonObject } from '../../tooling/simulator';
import { shutdownHarness, type WebhookHost } from '../harness';
import {
	MANAGEMENT_TOKEN,
	STATIC_KEY,
	hmac,
	isRecord,
	jsonObject,
	postSigned,
	request,
	settle,
	startTriggerHost,
	type TriggerHostOptions,
} from './trigger-fixture';
import { prototypeProblems } from '../support/prototype-problems';

type TriggerModule = typeof import('../../nodes/SmartcarTrigger/SmartcarTrigger.node');

/** The node class from a fresh module registry: a new process's empty in-process memory. */
function freshTriggerClass(): TriggerModule['SmartcarTrigger'] {
	let loaded: TriggerModule | undefined;
	jest.isolateModules(() => {
		loaded = require('../../nodes/SmartcarTrigger/SmartcarTrigger.node') as TriggerModule;
	});
	if (loaded === undefined) throw new Error('could not load the trigger module');
	return loaded.SmartcarTrigger;
}

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

const hosts: WebhookHost[] = [];
async function start(options: TriggerHostOptions = {}): Promise<WebhookHost> {
	const host = await startTriggerHost({ triggerClass: freshTriggerClass(), ...options });
	hosts.push(host);
	return host;
}

afterEach(async () => {
	jest.restoreAllMocks();
	for (const host of hosts.splice(0)) await host.close();
});

afterAll(() => shutdownHarness());

describe('SC-Signature before parsing (Verify Signature on)', () => {
	it('an unsigned or wrongly signed body is answered 401 without being parsed; a signed one is parsed', async () => {
		const host = await start({ parameters: { options: { deduplicate: false } } });
		const parse = jest.spyOn(JSON, 'parse');
		const parsed = (text: string) => parse.mock.calls.some(([argument]) => argument === text);

		// text/plain: n8n leaves the body alone, so any parse of these exact texts would be the node's.
		const unsigned = stateEvent('unsigned');
		const forged = stateEvent('forged');
		const bigVerify = verifyOfSize('abc123', LIMIT + 1);
		const answers = [
			await postSigned(host.url(), unsigned, { contentType: 'text/plain', signature: null }),
			await postSigned(host.url(), forged, { contentType: 'text/plain', signature: hmac('not-the-token', forged) }),
			await postSigned(host.url(), bigVerify, { contentType: 'text/plain', signature: null }),
		];
		expect([parsed(unsigned), parsed(forged), parsed(bigVerify)]).toEqual([false, false, false]);
		expect(answers.map((a) => [a.status, a.json])).toEqual([
			[401, UNAUTHORIZED],
			[401, UNAUTHORIZED],
			[401, UNAUTHORIZED],
		]);

		// Control: the spy does see the node parse a signed body.
		const signed = stateEvent('signed');
		expect((await postSigned(host.url(), signed, { contentType: 'text/plain' })).status).toBe(200);
		expect(parsed(signed)).toBe(true);
		await settle(host);
		expect(host.executions.map((e) => e.items[0][0].json.eventId)).toEqual(['signed']);
	});

	it.each([
		['text that is not JSON', 'hello smartcar', 'text/plain'],
		['a JSON array', '[{"eventId":"in-array","eventType":"VEHICLE_STATE"}]', 'application/json'],
		['bytes', '\u0000\u0001binary', 'application/octet-stream'],
		['an empty body', '', 'application/json'],
	])('unsigned %s → 401 (a signed one stays 400)', async (_what, body, contentType) => {
		const host = await start();
		const unsigned = await postSigned(host.url(), body, { contentType, signature: null });
		expect([unsigned.status, unsigned.json]).toEqual([401, UNAUTHORIZED]);
		const signed = await postSigned(host.url(), body, { contentType });
		expect(signed.status).toBe(400);
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it(`an unsigned VERIFY of ${LIMIT} bytes is answered; one byte more is 401 and not answered`, async () => {
		const host = await start();
		const challenge = 'f3a9c1e0b7d24c6a';
		const atLimit = await request(host.url(), { body: verifyOfSize(challenge, LIMIT), headers: { 'content-type': 'application/json' } });
		expect([atLimit.status, atLimit.json]).toEqual([200, { challenge: hmac(MANAGEMENT_TOKEN, challenge) }]);
		const over = await request(host.url(), { body: verifyOfSize(challenge, LIMIT + 1), headers: { 'content-type': 'application/json' } });
		expect([over.status, over.json]).toEqual([401, UNAUTHORIZED]);
		expect(over.text).not.toContain(hmac(MANAGEMENT_TOKEN, challenge));
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it('an unsigned event of another type is 401, not "ignored" (nothing unsigned is looked at)', async () => {
		const host = await start();
		const body = JSON.stringify({ eventId: 'other', eventType: 'CONNECTION_STATUS', data: {} });
		const response = await postSigned(host.url(), body, { signature: null });
		expect([response.status, response.json]).toEqual([401, UNAUTHORIZED]);
	});
});

describe('option Verify Signature off: as before', () => {
	it('an unsigned body that is not JSON is 400, a large unsigned VERIFY is answered, an unsigned event runs', async () => {
		const host = await start({ parameters: { options: { verifySignature: false } } });
		const text = await postSigned(host.url(), 'hello smartcar', { contentType: 'text/plain', signature: null });
		expect(text.status).toBe(400);
		const challenge = 'large-verify-0123';
		const verify = await request(host.url(), { body: verifyOfSize(challenge, LIMIT * 2), headers: { 'content-type': 'application/json' } });
		expect([verify.status, verify.json]).toEqual([200, { challenge: hmac(MANAGEMENT_TOKEN, challenge) }]);
		const event = await postSigned(host.url(), stateEvent('unverified'), { signature: null });
		expect(event.status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0][0].json.eventId).toBe('unverified');
	});
});

describe('signed deliveries without an eventId', () => {
	const idless = JSON.stringify({ eventType: 'VEHICLE_STATE', vehicleId: vehicle.id, data: { note: 'no id' } });

	it('the same bytes again are acknowledged as a duplicate and run once; keyed by the bytes', async () => {
		// The key, and the same bytes after a restart (static data): test/trigger/lose-no-event.test.ts.
		const host = await start();
		const first = await postSigned(host.url(), idless);
		const again = await postSigned(host.url(), idless);
		expect([first.status, first.json]).toEqual([200, { status: 'received', eventId: null }]);
		expect([again.status, again.json]).toEqual([200, { status: 'duplicate', eventId: null }]);
		await settle(host);
		expect(host.executions).toHaveLength(1);
	});

	it('five concurrent copies start one execution', async () => {
		const host = await start();
		const answers = await Promise.all(Array.from({ length: 5 }, () => postSigned(host.url(), idless)));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		expect(answers.map((a) => jsonObject(a).status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'received']);
		await settle(host);
		expect(host.executions).toHaveLength(1);
	});

	it('with Ignore Repeated Deliveries off, every copy runs', async () => {
		const host = await start({ parameters: { options: { deduplicate: false } } });
		await postSigned(host.url(), idless);
		await postSigned(host.url(), idless);
		await settle(host);
		expect(host.executions).toHaveLength(2);
		expect(host.staticData()[STATIC_KEY]).toBeUndefined();
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
		const host = await start({ parameters: { options: { output } } });
		expect((await postSigned(host.url(), HOSTILE)).status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		const items = execution.items[0].map((item) => item.json);
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
