/**
 * Smartcar's VERIFY handshake, as its webhook documentation describes it: the answer is hex HMAC-SHA256(key =
 * Application Management Token, message = challenge), it never starts an execution, and it cannot be abused as a
 * signing oracle.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { demoFleet, vehicleStatePayload, verifyPayload } from '../../tooling/simulator';
import { shutdownHarness, type WebhookHost } from '../harness';
import {
	MANAGEMENT_TOKEN,
	credentialData,
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

function verifyBody(challenge: string): string {
	return JSON.stringify(verifyPayload(challenge, { eventId: 'verify-event-1', deliveredAt: NOW }));
}

/** VERIFY is sent unsigned, as Smartcar does. */
async function sendVerify(url: string, challenge: string) {
	return await request(url, { body: verifyBody(challenge), headers: { 'content-type': 'application/json' } });
}

function withoutToken(): ICredentialDataDecryptedObject {
	const credential = credentialData();
	delete credential.applicationManagementToken;
	return credential;
}

afterAll(() => shutdownHarness());

describe('VERIFY', () => {
	let host: WebhookHost;

	beforeEach(async () => {
		host = await startTriggerHost();
	});

	afterEach(async () => {
		await host.close();
	});

	it('answers 200 {"challenge": HMAC-SHA256(management token, challenge)} on the production URL, without an execution', async () => {
		const challenge = 'a3f1c9e07b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d';
		const response = await sendVerify(host.url(), challenge);
		expect(response.status).toBe(200);
		expect(response.json).toEqual({ challenge: hmac(MANAGEMENT_TOKEN, challenge) });
		// A fixed vector, so the test does not only agree with itself.
		expect(hmac('key', 'The quick brown fox jumps over the lazy dog')).toBe(
			'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
		);
		await settle(host);
		expect(host.executions).toHaveLength(0);
		expect(host.requests).toEqual([expect.objectContaining({ status: 200, webhookCalled: true, startedExecution: false })]);
	});

	it('answers on the test URL too, keeps the test listener open, and a signed event then runs in manual mode', async () => {
		host.listenForTestEvent();
		const testUrl = host.url(undefined, { test: true });
		expect(testUrl).toMatch(/\/webhook-test\/c0ffee00-smartcar-hook\/webhook$/);
		const challenge = 'Zm9vYmFy-challenge_0123456789';
		const response = await sendVerify(testUrl, challenge);
		expect(response.status).toBe(200);
		expect(response.json).toEqual({ challenge: hmac(MANAGEMENT_TOKEN, challenge) });
		await settle(host);
		expect(host.executions).toHaveLength(0);

		const event = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'docs', eventId: 'after-verify' }));
		const delivery = await postSigned(testUrl, event);
		expect(delivery.status).toBe(200);
		const [execution] = await host.waitForExecutions(1);
		expect(execution.mode).toBe('manual');
		expect(execution.items[0][0].json.eventId).toBe('after-verify');
	});

	it('answers each challenge with its own HMAC (different challenges, different answers)', async () => {
		const challenges = ['c1', 'c2', 'AAAA', '0'.repeat(64), 'x'.repeat(512)];
		for (const challenge of challenges) {
			const response = await sendVerify(host.url(), challenge);
			expect(response.status).toBe(200);
			expect(response.json).toEqual({ challenge: hmac(MANAGEMENT_TOKEN, challenge) });
		}
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it.each([
		['a JSON object', '{"eventType":"VEHICLE_STATE"}'],
		['quotes', 'abc"def'],
		['a space', 'abc def'],
		['a newline', 'abc\ndef'],
		['an empty string', ''],
		['more than 512 characters', 'a'.repeat(513)],
	])('refuses a challenge containing %s (400, no answer, no execution)', async (_what, challenge) => {
		const response = await sendVerify(host.url(), challenge);
		expect(response.status).toBe(400);
		expect(jsonObject(response)).not.toHaveProperty('challenge');
		expect(response.text).not.toContain(hmac(MANAGEMENT_TOKEN, challenge));
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it.each([
		['a number', 12345],
		['an object', { value: 'abc' }],
		['null', null],
	])('refuses a challenge that is %s', async (_what, challenge) => {
		const body = JSON.stringify({ eventId: 'v', eventType: 'VERIFY', data: { challenge }, meta: {} });
		const response = await request(host.url(), { body, headers: { 'content-type': 'application/json' } });
		expect(response.status).toBe(400);
		expect(jsonObject(response)).not.toHaveProperty('challenge');
		await settle(host);
		expect(host.executions).toHaveLength(0);
	});

	it('is not a signing oracle: a VEHICLE_STATE body asked for as a "challenge" and replayed gets 401, no execution', async () => {
		const crafted = JSON.stringify(
			vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId: 'forged-by-oracle', deliveredAt: NOW }),
		);
		const oracle = await sendVerify(host.url(), crafted);
		// A whole event as the "challenge" makes the unsigned VERIFY larger than the 4 KiB an unsigned body may have:
		// refused unread (401). A small JSON-like challenge is refused as implausible (400, table above).
		expect(Buffer.byteLength(verifyBody(crafted))).toBeGreaterThan(4 * 1024);
		expect(oracle.status).toBe(401);
		expect(oracle.text).not.toContain(hmac(MANAGEMENT_TOKEN, crafted));
		const answered = jsonObject(oracle).challenge;
		// Whatever came back (nothing, here) is replayed as the attacker would.
		const replay = await postSigned(host.url(), crafted, {
			signature: typeof answered === 'string' ? answered : hmac('guess', crafted),
		});
		expect(replay.status).toBe(401);
		expect(replay.json).toEqual({ error: 'Missing or invalid SC-Signature.' });
		await settle(host);
		expect(host.executions).toHaveLength(0);
		expect(host.requests.every((r) => !r.startedExecution)).toBe(true);
	});

	// A challenge may contain "=", so VERIFY answers the HMAC of "eventType=VEHICLE_STATE". Replayed as a form body,
	// it must still start nothing: a delivery is its raw bytes parsed as JSON, never n8n's parse of a form body.
	it('is not a signing oracle for a form-encoded body either (replay of "eventType=VEHICLE_STATE" starts nothing)', async () => {
		const crafted = 'eventType=VEHICLE_STATE';
		const oracle = await sendVerify(host.url(), crafted);
		const answered = oracle.status === 200 ? jsonObject(oracle).challenge : undefined;
		const replay = await postSigned(host.url(), crafted, {
			signature: typeof answered === 'string' ? answered : hmac('guess', crafted),
			contentType: 'application/x-www-form-urlencoded',
		});
		await settle(host);
		expect(host.executions.map((execution) => execution.items[0].map((item) => item.json))).toEqual([]);
		expect([400, 401]).toContain(replay.status);
	});
});

describe('VERIFY without an Application Management Token', () => {
	it.each([
		['no credential on the node', null],
		['no token field', withoutToken()],
		['an empty token', credentialData({ applicationManagementToken: '' })],
		['a blank token', credentialData({ applicationManagementToken: '   ' })],
	])('answers an error naming the missing "Application Management Token" (%s), no execution', async (_what, credential) => {
		const host = await startTriggerHost({ credential });
		try {
			const response = await sendVerify(host.url(), 'abc123');
			expect(response.status).toBe(500);
			const body = jsonObject(response);
			expect(body).not.toHaveProperty('challenge');
			expect(body.error).toEqual(expect.stringContaining('Application Management Token'));
			// A signed delivery cannot be checked either: same error, nothing runs.
			const event = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'docs', eventId: 'no-token' }));
			const delivery = await postSigned(host.url(), event);
			expect(delivery.status).toBe(500);
			expect(jsonObject(delivery).error).toEqual(expect.stringContaining('Application Management Token'));
			await settle(host);
			expect(host.executions).toHaveLength(0);
			expect(host.requests.map((r) => r.startedExecution)).toEqual([false, false]);
		} finally {
			await host.close();
		}
	});
});
