/**
 * Smartcar's VERIFY handshake, as its webhook documentation describes it: the answer is hex HMAC-SHA256(key =
 * Application Management Token, message = challenge), it never starts a run, and it cannot be abused as a signing
 * oracle. The trigger's webhook() with a mocked n8n context; a real n8n answering VERIFY on the Production URL (both
 * node versions, 2.41.1 and 1.123.81) and on the Test URL: test/e2e.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { demoFleet, vehicleStatePayload, verifyPayload } from '../../tooling/simulator';
import { MANAGEMENT_TOKEN, WEBHOOK_ID, credentialData, hmac, type Webhook } from './trigger-fixture';
import { callWebhook, send, type MockRequest, type MockTriggerSetup, type Outcome } from './webhook-context';

/** Deliveries carry a current meta.deliveredAt: the trigger refuses ones far from its clock as replays. */
const NOW = Math.floor(Date.now() / 1000) * 1000;
const fleet = demoFleet(NOW);
const vehicle = fleet.vehicles[0];
const webhook = new SmartcarTrigger().webhook as Webhook;

function verifyBody(challenge: string): string {
	return JSON.stringify(verifyPayload(challenge, { eventId: 'verify-event-1', deliveredAt: NOW }));
}

/** VERIFY is sent unsigned, as Smartcar does. */
async function sendVerify(challenge: string, setup: MockTriggerSetup = {}, request: MockRequest = {}): Promise<Outcome> {
	return await send(webhook, setup, { body: verifyBody(challenge), signature: null, ...request });
}

function withoutToken(): ICredentialDataDecryptedObject {
	const credential = credentialData();
	delete credential.applicationManagementToken;
	return credential;
}

describe('VERIFY', () => {
	it('answers 200 {"challenge": HMAC-SHA256(management token, challenge)}, without a run', async () => {
		const challenge = 'a3f1c9e07b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d';
		const call = await callWebhook(webhook, {}, { body: verifyBody(challenge), signature: null });
		// Answered by n8n with the node's webhookResponse, and no workflowData: nothing runs.
		expect(call.result).toEqual({ webhookResponse: { challenge: hmac(MANAGEMENT_TOKEN, challenge) } });
		expect(call.response.writableFinished).toBe(false);
		// A fixed vector, so the test does not only agree with itself.
		expect(hmac('key', 'The quick brown fox jumps over the lazy dog')).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
	});

	it('answers on the Test URL the same way (n8n keeps listening: a signed event then runs)', async () => {
		const testPath = { path: `/webhook-test/${WEBHOOK_ID}/webhook` };
		const challenge = 'Zm9vYmFy-challenge_0123456789';
		expect(await sendVerify(challenge, {}, testPath)).toMatchObject({ status: 200, body: { challenge: hmac(MANAGEMENT_TOKEN, challenge) }, items: undefined });
		const event = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'docs', eventId: 'after-verify', deliveredAt: NOW }));
		const delivery = await send(webhook, {}, { body: event, ...testPath });
		expect([delivery.status, delivery.items?.[0].eventId]).toEqual([200, 'after-verify']);
	});

	it('answers each challenge with its own HMAC (different challenges, different answers)', async () => {
		for (const challenge of ['c1', 'c2', 'AAAA', '0'.repeat(64), 'x'.repeat(512)]) {
			expect(await sendVerify(challenge)).toMatchObject({ status: 200, body: { challenge: hmac(MANAGEMENT_TOKEN, challenge) }, items: undefined });
		}
	});

	it.each([
		['a JSON object', '{"eventType":"VEHICLE_STATE"}'],
		['quotes', 'abc"def'],
		['a space', 'abc def'],
		['a newline', 'abc\ndef'],
		['an empty string', ''],
		['more than 512 characters', 'a'.repeat(513)],
	])('refuses a challenge containing %s (400, no answer, no run)', async (_what, challenge) => {
		const outcome = await sendVerify(challenge);
		expect(outcome).toMatchObject({ status: 400, items: undefined });
		expect(outcome.body).not.toHaveProperty('challenge');
		expect(JSON.stringify(outcome.body)).not.toContain(hmac(MANAGEMENT_TOKEN, challenge));
	});

	it.each([
		['a number', 12345],
		['an object', { value: 'abc' }],
		['null', null],
	])('refuses a challenge that is %s', async (_what, challenge) => {
		const body = JSON.stringify({ eventId: 'v', eventType: 'VERIFY', data: { challenge }, meta: {} });
		const outcome = await send(webhook, {}, { body, signature: null });
		expect(outcome).toMatchObject({ status: 400, items: undefined });
		expect(outcome.body).not.toHaveProperty('challenge');
	});

	it('is not a signing oracle: a VEHICLE_STATE body asked for as a "challenge" and replayed gets 401, no run', async () => {
		const crafted = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId: 'forged-by-oracle', deliveredAt: NOW }));
		const oracle = await sendVerify(crafted);
		// A whole event as the "challenge" makes the unsigned VERIFY larger than the 4 KiB an unsigned body may have:
		// refused unread (401). A small JSON-like challenge is refused as implausible (400, table above).
		expect(Buffer.byteLength(verifyBody(crafted))).toBeGreaterThan(4 * 1024);
		expect(oracle.status).toBe(401);
		expect(JSON.stringify(oracle.body)).not.toContain(hmac(MANAGEMENT_TOKEN, crafted));
		const answered = (oracle.body as { challenge?: unknown }).challenge;
		// Whatever came back (nothing, here) is replayed as the attacker would.
		const replay = await send(webhook, {}, { body: crafted, signature: typeof answered === 'string' ? answered : hmac('guess', crafted) });
		expect(replay).toMatchObject({ status: 401, body: { error: 'Missing or invalid SC-Signature.' }, items: undefined });
	});

	// A challenge may contain "=", so VERIFY answers the HMAC of "eventType=VEHICLE_STATE". Replayed as a form body,
	// it must still start nothing: a delivery is its raw bytes parsed as JSON, never n8n's parse of a form body (n8n
	// parses it, and still hands over the raw bytes: test/e2e/smartcar.e2e.test.ts).
	it('is not a signing oracle for a form-encoded body either (replay of "eventType=VEHICLE_STATE" starts nothing)', async () => {
		const crafted = 'eventType=VEHICLE_STATE';
		const oracle = await sendVerify(crafted);
		const answered = oracle.status === 200 ? (oracle.body as { challenge?: unknown }).challenge : undefined;
		const replay = await send(webhook, {}, {
			body: crafted,
			signature: typeof answered === 'string' ? answered : hmac('guess', crafted),
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
		});
		expect(replay.items).toBeUndefined();
		expect([400, 401]).toContain(replay.status);
	});
});

describe('VERIFY without an Application Management Token', () => {
	it.each([
		['no credential on the node', null],
		['no token field', withoutToken()],
		['an empty token', credentialData({ applicationManagementToken: '' })],
		['a blank token', credentialData({ applicationManagementToken: '   ' })],
	])('answers an error naming the missing "Application Management Token" (%s), no run', async (_what, credential) => {
		const verify = await sendVerify('abc123', { credential });
		expect(verify).toMatchObject({ status: 500, body: { error: expect.stringContaining('Application Management Token') }, items: undefined });
		expect(verify.body).not.toHaveProperty('challenge');
		// A signed delivery cannot be checked either: same error, nothing runs.
		const event = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'docs', eventId: 'no-token', deliveredAt: NOW }));
		const delivery = await send(webhook, { credential }, { body: event });
		expect(delivery).toMatchObject({ status: 500, body: { error: expect.stringContaining('Application Management Token') }, items: undefined });
	});
});
