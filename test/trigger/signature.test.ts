/**
 * SC-Signature, as Smartcar's webhook documentation defines it: hex HMAC-SHA256 of the exact request bytes, keyed
 * with the Application Management Token. Anything else is 401 and starts nothing; bodies that are not a JSON object
 * are refused. The trigger's webhook() with a mocked n8n context; that n8n itself answers a body it cannot parse as
 * JSON (422, before the trigger runs) and hands over text/plain bodies whole: test/e2e/smartcar.e2e.test.ts.
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { demoFleet, vehicleStatePayload, type JsonObject } from '../../tooling/simulator';
import { CLIENT_SECRET, MANAGEMENT_TOKEN, hmac, type Webhook } from './trigger-fixture';
import { send, type MockRequest, type Outcome } from './webhook-context';

/** Deliveries carry a current meta.deliveredAt: the trigger refuses ones far from its clock as replays. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const fleet = demoFleet(NOW);
const vehicle = fleet.vehicles[0];
const webhook = new SmartcarTrigger().webhook as Webhook;

function event(eventId: string, deliveryId = `delivery-${eventId}`): JsonObject {
	return vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId, deliveryId, deliveredAt: NOW });
}

const UNAUTHORIZED = { error: 'Missing or invalid SC-Signature.' };

interface PostOptions extends Omit<MockRequest, 'body'> {
	/** Sign with this key instead of the management token. */
	key?: string;
	parameters?: IDataObject;
	credential?: ICredentialDataDecryptedObject;
}

/** A POST of these exact bytes, signed (by default) with the management token over them. */
async function post(body: string | Buffer, { key, parameters, credential, ...request }: PostOptions = {}): Promise<Outcome> {
	const signature = request.signature !== undefined || key === undefined ? request.signature : hmac(key, body);
	return await send(webhook, { parameters: parameters ?? { options: { deduplicate: false } }, credential }, { ...request, body, signature });
}

describe('SC-Signature over the raw bytes', () => {
	it('accepts a pretty-printed and a compact body of the same event, each signed over its own bytes', async () => {
		const payload = event('same-event');
		const compact = JSON.stringify(payload);
		const pretty = JSON.stringify(payload, null, 2);
		expect(pretty).not.toBe(compact);
		expect(hmac(MANAGEMENT_TOKEN, pretty)).not.toBe(hmac(MANAGEMENT_TOKEN, compact));

		const first = await post(pretty);
		const second = await post(compact);
		expect([first.status, second.status]).toEqual([200, 200]);
		expect(first.body).toEqual({ status: 'received', eventId: 'same-event' });
		expect(first.items).toEqual(second.items);
		expect(first.items?.[0].eventId).toBe('same-event');
	});

	it('accepts a body with non-ASCII text and escapes, signed over its UTF-8 bytes', async () => {
		const payload = event('unicode-event');
		const text = JSON.stringify(payload).replace('"Simulator Webhook"', '"Flotte Grüße ✓ \\u00e9"');
		const outcome = await post(Buffer.from(text, 'utf8'), { headers: { 'content-type': 'application/json; charset=utf-8' } });
		expect(outcome.status).toBe(200);
		expect(outcome.items?.[0].webhookName).toBe('Flotte Grüße ✓ é');
	});

	it('accepts an uppercase hex signature', async () => {
		const body = JSON.stringify(event('upper'));
		const outcome = await post(body, { signature: hmac(MANAGEMENT_TOKEN, body).toUpperCase() });
		expect([outcome.status, outcome.items?.length]).toEqual([200, 1]);
	});

	it('rejects a forged signature with 401, no run', async () => {
		const body = JSON.stringify(event('forged'));
		const forged = hmac(MANAGEMENT_TOKEN, body).replace(/^./, (c) => (c === '0' ? '1' : '0'));
		expect(await post(body, { signature: forged })).toEqual({ status: 401, body: UNAUTHORIZED, headers: {}, items: undefined });
	});

	it.each([
		['missing', null],
		['empty', ''],
		['not hex', 'not-a-signature'],
		['truncated', 'TRUNCATED'],
		['sha256= prefixed', 'PREFIXED'],
	])('rejects a %s SC-Signature header with 401, no run', async (_what, signature) => {
		const body = JSON.stringify(event('bad-header'));
		const valid = hmac(MANAGEMENT_TOKEN, body);
		const sent = signature === 'TRUNCATED' ? valid.slice(0, 63) : signature === 'PREFIXED' ? `sha256=${valid}` : signature;
		expect(await post(body, { signature: sent })).toMatchObject({ status: 401, body: UNAUTHORIZED, items: undefined });
	});

	it('rejects a stale copy: an older delivery\'s valid signature on the new delivery\'s body → 401', async () => {
		const older = JSON.stringify(event('resent', 'delivery-1'));
		const newer = JSON.stringify(event('resent', 'delivery-2'));
		expect(newer).not.toBe(older);
		expect(await post(newer, { signature: hmac(MANAGEMENT_TOKEN, older) })).toMatchObject({ status: 401, items: undefined });
	});

	it('rejects the compact body sent with the pretty body\'s signature (same JSON, different bytes) → 401', async () => {
		const payload = event('bytes-matter');
		const outcome = await post(JSON.stringify(payload), { signature: hmac(MANAGEMENT_TOKEN, JSON.stringify(payload, null, 2)) });
		expect(outcome).toMatchObject({ status: 401, items: undefined });
	});

	it('rejects a body with one more trailing newline than was signed → 401', async () => {
		const body = JSON.stringify(event('trailing'));
		expect(await post(`${body}\n`, { signature: hmac(MANAGEMENT_TOKEN, body) })).toMatchObject({ status: 401, items: undefined });
	});

	it('rejects a signature made with the client secret instead of the management token → 401', async () => {
		const outcome = await post(JSON.stringify(event('client-secret')), { key: CLIENT_SECRET });
		expect(outcome).toMatchObject({ status: 401, body: UNAUTHORIZED, items: undefined });
	});

	it('rejects an unknown event type that is not signed with 401 (the signature is checked first)', async () => {
		const body = JSON.stringify({ eventId: 'x', eventType: 'CONNECTION_STATUS', data: {} });
		expect(await post(body, { signature: null })).toMatchObject({ status: 401, items: undefined });
	});
});

describe('bodies that are not a JSON object', () => {
	// A body n8n cannot parse as the JSON its content type claims never reaches the trigger: n8n answers 422
	// (test/e2e/smartcar.e2e.test.ts). Whatever it hands over, the trigger reads the raw bytes.
	it.each([
		['text that is not JSON, as text/plain', 'hello smartcar', 'text/plain'],
		['JSON that does not parse', '{"eventId":"broken","eventType":"VEHICLE_STATE",', 'application/json'],
		['a JSON array', '[{"eventId":"in-array","eventType":"VEHICLE_STATE"}]', 'application/json'],
		['a JSON string', '"VEHICLE_STATE"', 'application/json'],
		['a JSON number', '42', 'application/json'],
		['an empty body', '', 'application/json'],
		['bytes as application/octet-stream', '\u0000\u0001binary', 'application/octet-stream'],
	])('%s (validly signed) → 400, no run', async (_what, body, contentType) => {
		expect(await post(body, { parameters: {}, headers: { 'content-type': contentType } })).toMatchObject({
			status: 400,
			body: { error: 'The request body is not a JSON object. Smartcar sends JSON webhooks.' },
			items: undefined,
		});
	});

	it('a JSON object sent as text/plain is still read from the raw bytes and verified', async () => {
		const body = JSON.stringify(event('as-text'));
		const asText = { parameters: {}, headers: { 'content-type': 'text/plain' } };
		expect((await post(body, { ...asText, signature: hmac('wrong', body) })).status).toBe(401);
		const signed = await post(body, asText);
		expect([signed.status, signed.items?.[0].eventId]).toEqual([200, 'as-text']);
	});
});

describe('option Verify Signature off (documented as insecure)', () => {
	const unverified = { parameters: { options: { verifySignature: false } } };

	it('accepts an unsigned delivery and a wrongly signed one', async () => {
		const unsigned = await post(JSON.stringify(event('unsigned-1')), { ...unverified, signature: null });
		const wrong = await post(JSON.stringify(event('unsigned-2')), { ...unverified, signature: 'deadbeef' });
		expect([unsigned.status, wrong.status]).toEqual([200, 200]);
		expect([unsigned.items?.[0].eventId, wrong.items?.[0].eventId]).toEqual(['unsigned-1', 'unsigned-2']);
	});

	it('works without a management token, and VERIFY still needs one', async () => {
		const noToken = { ...unverified, credential: { clientId: 'id', clientSecret: CLIENT_SECRET, environment: 'production', accessToken: '' } };
		const delivery = await post(JSON.stringify(event('no-token-needed')), { ...noToken, signature: null });
		expect([delivery.status, delivery.items?.length]).toEqual([200, 1]);
		const verify = JSON.stringify({ eventId: 'v', eventType: 'VERIFY', data: { challenge: 'abc' }, meta: {} });
		const answer = await post(verify, { ...noToken, signature: null });
		expect(answer).toMatchObject({ status: 500, body: { error: expect.stringContaining('Application Management Token') }, items: undefined });
	});
});

describe('payload size', () => {
	it('a 50 KB VEHICLE_STATE (many signals) verifies and runs with every signal', async () => {
		const codes = vehicle.signals.map((signal) => signal.code);
		let count = codes.length;
		let body = '';
		// Grow to just under Smartcar's 50 KB limit.
		for (;;) {
			const signals = Array.from({ length: count + 1 }, (_, i) => codes[i % codes.length]);
			const next = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId: 'big', signals, deliveredAt: NOW, deliveryId: 'd' }));
			if (Buffer.byteLength(next) > 50 * 1024) break;
			body = next;
			count += 1;
		}
		expect(Buffer.byteLength(body)).toBeGreaterThan(49 * 1024);
		const outcome = await post(body);
		expect(outcome.status).toBe(200);
		const item = outcome.items?.[0] ?? {};
		expect(item.eventId).toBe('big');
		expect(Array.isArray(item.signals) && item.signals.length).toBe(count);
	});

	it('a trigger nested 12 000 deep (over 130 KB) does not overflow the stack', async () => {
		const trigger = `${'{"signal":'.repeat(12_000)}"Odometer.TraveledDistance"${'}'.repeat(12_000)}`;
		const outcome = await post(`{"eventId":"deeper","eventType":"VEHICLE_STATE","triggers":[${trigger}]}`);
		expect(outcome.status).toBe(200);
		expect(outcome.items?.[0]).toMatchObject({ eventId: 'deeper', triggers: [] });
	});

	it('a signed body of up to 50 KB of nested garbage (trigger nested 4 600 deep, vehicle 8 000 deep) runs without error', async () => {
		const trigger = `${'{"signal":'.repeat(4_600)}"Odometer.TraveledDistance"${'}'.repeat(4_600)}`;
		const vehicleJunk = `${'{"a":'.repeat(8_000)}1${'}'.repeat(8_000)}`;
		const triggers = `{"eventId":"deep-1","eventType":"VEHICLE_STATE","triggers":[${trigger}]}`;
		const vehicleBody = `{"eventId":"deep-2","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v","junk":${vehicleJunk}}}}`;
		for (const body of [triggers, vehicleBody]) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(50 * 1024);
		const [first, second] = [await post(triggers), await post(vehicleBody)];
		expect([first.status, second.status]).toEqual([200, 200]);
		// A trigger nests its signal once ({type, signal}); deeper nesting is not Smartcar's and is not followed.
		expect(first.items?.[0].triggers).toEqual([]);
		expect(second.items?.[0].vehicle).toMatchObject({ id: 'v', make: null, model: null, year: null });
	});
});
