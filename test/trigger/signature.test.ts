/**
 * SC-Signature, as Smartcar's webhook documentation defines it: hex HMAC-SHA256 of the exact request bytes, keyed
 * with the Application Management Token. Anything else is 401 and starts nothing; bodies that are not a JSON object
 * are refused.
 */
import { demoFleet, vehicleStatePayload, type JsonObject } from '../../tooling/simulator';
import { shutdownHarness, type WebhookHost } from '../harness';
import {
	CLIENT_SECRET,
	MANAGEMENT_TOKEN,
	hmac,
	jsonObject,
	postSigned,
	request,
	settle,
	startTriggerHost,
} from './trigger-fixture';

/** Deliveries carry a current meta.deliveredAt: the trigger refuses ones far from its clock as replays. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const fleet = demoFleet(NOW);
const vehicle = fleet.vehicles[0];

function event(eventId: string, deliveryId = `delivery-${eventId}`): JsonObject {
	return vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId, deliveryId, deliveredAt: NOW });
}

const UNAUTHORIZED = { error: 'Missing or invalid SC-Signature.' };

afterAll(() => shutdownHarness());

describe('SC-Signature over the raw bytes', () => {
	let host: WebhookHost;

	beforeEach(async () => {
		host = await startTriggerHost({ parameters: { options: { deduplicate: false } } });
	});

	afterEach(async () => {
		await host.close();
	});

	async function expectNothingRan(): Promise<void> {
		await settle(host);
		expect(host.executions).toHaveLength(0);
		expect(host.requests.filter((r) => r.startedExecution)).toEqual([]);
	}

	it('accepts a pretty-printed and a compact body of the same event, each signed over its own bytes', async () => {
		const payload = event('same-event');
		const compact = JSON.stringify(payload);
		const pretty = JSON.stringify(payload, null, 2);
		expect(pretty).not.toBe(compact);
		expect(hmac(MANAGEMENT_TOKEN, pretty)).not.toBe(hmac(MANAGEMENT_TOKEN, compact));

		const first = await postSigned(host.url(), pretty);
		const second = await postSigned(host.url(), compact);
		expect([first.status, second.status]).toEqual([200, 200]);
		expect(first.json).toEqual({ status: 'received', eventId: 'same-event' });
		const executions = await host.waitForExecutions(2);
		const [a, b] = executions.map((execution) => execution.items[0][0].json);
		expect(a).toEqual(b);
		expect(a.eventId).toBe('same-event');
	});

	it('accepts a body with non-ASCII text and escapes, signed over its UTF-8 bytes', async () => {
		const payload = event('unicode-event');
		const text = JSON.stringify(payload).replace('"Simulator Webhook"', '"Flotte Grüße ✓ \\u00e9"');
		const response = await postSigned(host.url(), Buffer.from(text, 'utf8'), {
			contentType: 'application/json; charset=utf-8',
		});
		expect(response.status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0][0].json.webhookName).toBe('Flotte Grüße ✓ é');
	});

	it('accepts an uppercase hex signature', async () => {
		const body = JSON.stringify(event('upper'));
		const response = await postSigned(host.url(), body, { signature: hmac(MANAGEMENT_TOKEN, body).toUpperCase() });
		expect(response.status).toBe(200);
		await host.waitForExecutions(1);
	});

	it('rejects a forged signature with 401, no execution', async () => {
		const body = JSON.stringify(event('forged'));
		const forged = hmac(MANAGEMENT_TOKEN, body).replace(/^./, (c) => (c === '0' ? '1' : '0'));
		const response = await postSigned(host.url(), body, { signature: forged });
		expect(response.status).toBe(401);
		expect(response.json).toEqual(UNAUTHORIZED);
		await expectNothingRan();
	});

	it.each([
		['missing', null],
		['empty', ''],
		['not hex', 'not-a-signature'],
		['truncated', 'TRUNCATED'],
		['sha256= prefixed', 'PREFIXED'],
	])('rejects a %s SC-Signature header with 401, no execution', async (_what, signature) => {
		const body = JSON.stringify(event('bad-header'));
		const valid = hmac(MANAGEMENT_TOKEN, body);
		const sent = signature === 'TRUNCATED' ? valid.slice(0, 63) : signature === 'PREFIXED' ? `sha256=${valid}` : signature;
		const response = await postSigned(host.url(), body, { signature: sent });
		expect(response.status).toBe(401);
		expect(response.json).toEqual(UNAUTHORIZED);
		await expectNothingRan();
	});

	it('rejects a stale copy: an older delivery\'s valid signature on the new delivery\'s body → 401', async () => {
		const older = JSON.stringify(event('resent', 'delivery-1'));
		const newer = JSON.stringify(event('resent', 'delivery-2'));
		expect(newer).not.toBe(older);
		const response = await postSigned(host.url(), newer, { signature: hmac(MANAGEMENT_TOKEN, older) });
		expect(response.status).toBe(401);
		await expectNothingRan();
	});

	it('rejects the compact body sent with the pretty body\'s signature (same JSON, different bytes) → 401', async () => {
		const payload = event('bytes-matter');
		const response = await postSigned(host.url(), JSON.stringify(payload), {
			signature: hmac(MANAGEMENT_TOKEN, JSON.stringify(payload, null, 2)),
		});
		expect(response.status).toBe(401);
		await expectNothingRan();
	});

	it('rejects a body with one more trailing newline than was signed → 401', async () => {
		const body = JSON.stringify(event('trailing'));
		const response = await postSigned(host.url(), `${body}\n`, { signature: hmac(MANAGEMENT_TOKEN, body) });
		expect(response.status).toBe(401);
		await expectNothingRan();
	});

	it('rejects a signature made with the client secret instead of the management token → 401', async () => {
		const body = JSON.stringify(event('client-secret'));
		const response = await postSigned(host.url(), body, { key: CLIENT_SECRET });
		expect(response.status).toBe(401);
		expect(response.json).toEqual(UNAUTHORIZED);
		await expectNothingRan();
	});

	it('rejects an unknown event type that is not signed with 401 (the signature is checked first)', async () => {
		const body = JSON.stringify({ eventId: 'x', eventType: 'CONNECTION_STATUS', data: {} });
		const response = await postSigned(host.url(), body, { signature: null });
		expect(response.status).toBe(401);
		await expectNothingRan();
	});
});

describe('bodies that are not a JSON object', () => {
	let host: WebhookHost;

	beforeEach(async () => {
		host = await startTriggerHost();
	});

	afterEach(async () => {
		await host.close();
	});

	it('invalid JSON sent as application/json → n8n\'s 422 "Failed to parse request body", the node is not called', async () => {
		const body = '{"eventId":"broken","eventType":"VEHICLE_STATE",';
		const response = await postSigned(host.url(), body);
		expect(response.status).toBe(422);
		expect(jsonObject(response)).toMatchObject({ code: 422, message: 'Failed to parse request body' });
		await settle(host);
		expect(host.executions).toHaveLength(0);
		expect(host.requests).toEqual([expect.objectContaining({ status: 422, webhookCalled: false, startedExecution: false })]);
	});

	it.each([
		['text that is not JSON, as text/plain', 'hello smartcar', 'text/plain'],
		['a JSON array', '[{"eventId":"in-array","eventType":"VEHICLE_STATE"}]', 'application/json'],
		['a JSON string', '"VEHICLE_STATE"', 'application/json'],
		['a JSON number', '42', 'application/json'],
		['an empty body', '', 'application/json'],
		['bytes as application/octet-stream', '\u0000\u0001binary', 'application/octet-stream'],
	])('%s (validly signed) → 400, no execution', async (_what, body, contentType) => {
		const response = await postSigned(host.url(), body, { contentType });
		expect(response.status).toBe(400);
		expect(response.json).toEqual({ error: 'The request body is not a JSON object. Smartcar sends JSON webhooks.' });
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it('a JSON object sent as text/plain is still read from the raw bytes and verified', async () => {
		const body = JSON.stringify(event('as-text'));
		const unsigned = await postSigned(host.url(), body, { contentType: 'text/plain', signature: hmac('wrong', body) });
		expect(unsigned.status).toBe(401);
		const signed = await postSigned(host.url(), body, { contentType: 'text/plain' });
		expect(signed.status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		expect(execution.items[0][0].json.eventId).toBe('as-text');
	});
});

describe('option Verify Signature off (documented as insecure)', () => {
	it('accepts an unsigned delivery and a wrongly signed one', async () => {
		const host = await startTriggerHost({ parameters: { options: { verifySignature: false } } });
		try {
			const unsigned = await postSigned(host.url(), JSON.stringify(event('unsigned-1')), { signature: null });
			const wrong = await postSigned(host.url(), JSON.stringify(event('unsigned-2')), { signature: 'deadbeef' });
			expect([unsigned.status, wrong.status]).toEqual([200, 200]);
			const executions = await host.waitForExecutions(2);
			expect(executions.map((e) => e.items[0][0].json.eventId).sort()).toEqual(['unsigned-1', 'unsigned-2']);
		} finally {
			await host.close();
		}
	});

	it('works without a management token, and VERIFY still needs one', async () => {
		const host = await startTriggerHost({
			parameters: { options: { verifySignature: false } },
			credential: { clientId: 'id', clientSecret: CLIENT_SECRET, environment: 'production', accessToken: '' },
		});
		try {
			const delivery = await postSigned(host.url(), JSON.stringify(event('no-token-needed')), { signature: null });
			expect(delivery.status).toBe(200);
			await host.waitForExecutions(1);
			const verify = await request(host.url(), {
				body: JSON.stringify({ eventId: 'v', eventType: 'VERIFY', data: { challenge: 'abc' }, meta: {} }),
				headers: { 'content-type': 'application/json' },
			});
			expect(verify.status).toBe(500);
			expect(jsonObject(verify).error).toEqual(expect.stringContaining('Application Management Token'));
			await settle(host);
			expect(host.executions).toHaveLength(1);
		} finally {
			await host.close();
		}
	});
});

describe('payload size', () => {
	it('a 50 KB VEHICLE_STATE (many signals) verifies and runs with every signal', async () => {
		const host = await startTriggerHost();
		try {
			const codes = vehicle.signals.map((signal) => signal.code);
			let count = codes.length;
			let body = '';
			// Grow to just under Smartcar's 50 KB limit.
			for (;;) {
				const signals = Array.from({ length: count + 1 }, (_, i) => codes[i % codes.length]);
				const next = JSON.stringify(
					vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId: 'big', signals, deliveredAt: NOW, deliveryId: 'd' }),
				);
				if (Buffer.byteLength(next) > 50 * 1024) break;
				body = next;
				count += 1;
			}
			expect(Buffer.byteLength(body)).toBeGreaterThan(49 * 1024);
			const response = await postSigned(host.url(), body);
			expect(response.status).toBe(200);
			const [execution] = await host.waitForExecutions(1);
			const item = execution.items[0][0].json;
			expect(item.eventId).toBe('big');
			expect(Array.isArray(item.signals) && item.signals.length).toBe(count);
		} finally {
			await host.close();
		}
	});

	it('a trigger nested 12 000 deep (over 130 KB) does not overflow the stack', async () => {
		const host = await startTriggerHost();
		try {
			const trigger = `${'{"signal":'.repeat(12_000)}"Odometer.TraveledDistance"${'}'.repeat(12_000)}`;
			const body = `{"eventId":"deeper","eventType":"VEHICLE_STATE","triggers":[${trigger}]}`;
			expect((await postSigned(host.url(), body)).status).toBe(200);
			const [execution] = await host.waitForExecutions(1);
			await host.idle();
			expect(execution.error).toBeUndefined();
			expect(execution.items[0][0].json).toMatchObject({ eventId: 'deeper', triggers: [] });
		} finally {
			await host.close();
		}
	});

	it('a signed body of up to 50 KB of nested garbage (trigger nested 4 600 deep, vehicle 8 000 deep) runs without error', async () => {
		const host = await startTriggerHost();
		try {
			const trigger = `${'{"signal":'.repeat(4_600)}"Odometer.TraveledDistance"${'}'.repeat(4_600)}`;
			const vehicleJunk = `${'{"a":'.repeat(8_000)}1${'}'.repeat(8_000)}`;
			const triggers = `{"eventId":"deep-1","eventType":"VEHICLE_STATE","triggers":[${trigger}]}`;
			const vehicleBody = `{"eventId":"deep-2","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v","junk":${vehicleJunk}}}}`;
			for (const body of [triggers, vehicleBody]) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(50 * 1024);
			expect((await postSigned(host.url(), triggers)).status).toBe(200);
			expect((await postSigned(host.url(), vehicleBody)).status).toBe(200);
			const executions = await host.waitForExecutions(2);
			await host.idle();
			expect(executions.map((e) => e.error)).toEqual([undefined, undefined]);
			const byId = new Map(executions.map((e) => [e.items[0][0].json.eventId, e.items[0][0].json]));
			// A trigger nests its signal once ({type, signal}); deeper nesting is not Smartcar's and is not followed.
			expect(byId.get('deep-1')?.triggers).toEqual([]);
			expect(byId.get('deep-2')?.vehicle).toMatchObject({ id: 'v', make: null, model: null, year: null });
		} finally {
			await host.close();
		}
	});
});
