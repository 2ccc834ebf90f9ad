/**
 * The signed Connect state (nodes/shared/connect-state.ts): format, round trip and every way a state is refused.
 * Expected states are built here with node:crypto from the documented format, never with the package's signer.
 */
import { createHmac } from 'node:crypto';

import {
	MAX_SIGNED_STATE_LENGTH,
	connectStateKey,
	signConnectState,
	unverifiedConnectStateValue,
	verifyConnectState,
} from '../../nodes/shared/connect-state';

const SECRET = 'demo-client-secret';
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const HOUR = 3600;

/** The key as documented: HMAC-SHA256(client secret, "n8n-nodes-smartcar/connect-state/v1"). */
function independentKey(secret: string): Buffer {
	return createHmac('sha256', secret).update('n8n-nodes-smartcar/connect-state/v1').digest();
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A state built by hand: v1.<b64url value>.<b64url nonce>.<expiry base36>.<b64url HMAC of all before>. */
function handMade(value: string, expirySeconds: number, options: { secret?: string; nonce?: Buffer } = {}): string {
	const nonce = options.nonce ?? Buffer.alloc(16, 7);
	const signed = `v1.${b64(value)}.${b64(nonce)}.${expirySeconds.toString(36)}`;
	return `${signed}.${createHmac('sha256', independentKey(options.secret ?? SECRET)).update(signed).digest('base64url')}`;
}

const key = connectStateKey(SECRET);
const inOneDay = Math.floor(NOW / 1000) + 24 * HOUR;

describe('connectStateKey', () => {
	it('is HMAC-SHA256 of the purpose label keyed with the client secret, not the secret itself', () => {
		expect(key.equals(independentKey(SECRET))).toBe(true);
		expect(key.toString('utf8')).not.toContain(SECRET);
		expect(connectStateKey('another-secret').equals(key)).toBe(false);
	});
});

describe('signConnectState', () => {
	it('produces the documented format, URL-safe, that verifies with the same key', () => {
		const signed = signConnectState('customer-42', key, 7 * 24 * HOUR, NOW);
		expect(signed.state).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
		expect(encodeURIComponent(signed.state)).toBe(signed.state);
		const [, value, nonce, expiry, mac] = signed.state.split('.');
		expect(Buffer.from(value, 'base64url').toString('utf8')).toBe('customer-42');
		expect(nonce).toBe(signed.nonce);
		expect(parseInt(expiry, 36)).toBe(NOW / 1000 + 7 * 24 * HOUR);
		expect(signed.expiresAt.toISOString()).toBe('2026-06-08T12:00:00.000Z');
		const body = signed.state.slice(0, signed.state.lastIndexOf('.'));
		expect(mac).toBe(createHmac('sha256', independentKey(SECRET)).update(body).digest('base64url'));
		expect(verifyConnectState(signed.state, key, NOW)).toEqual({
			ok: true,
			value: 'customer-42',
			nonce: signed.nonce,
			expiresAt: signed.expiresAt,
		});
	});

	it('gives every call a fresh nonce, so the same value never yields the same state', () => {
		const states = new Set(Array.from({ length: 50 }, () => signConnectState('same', key, HOUR, NOW).state));
		expect(states.size).toBe(50);
	});

	it.each([
		['text with spaces, dots and slashes', 'order 17 / step.2'],
		['non-ASCII', 'Fahrer Jürgen 🚗'],
		['a JSON text', '{"customer":42,"plan":"fleet"}'],
		['the longest value the operation allows', 'x'.repeat(512)],
		['a value made of multi-byte characters only', '€'.repeat(512)],
	])('round-trips %s unchanged', (_what, value) => {
		const { state } = signConnectState(value, key, HOUR, NOW);
		expect(state.length).toBeLessThanOrEqual(MAX_SIGNED_STATE_LENGTH);
		const verified = verifyConnectState(state, key, NOW);
		expect(verified.ok && verified.value).toBe(value);
	});
});

describe('verifyConnectState', () => {
	const good = handMade('customer-42', inOneDay);
	const [version, value, nonce, expiry, mac] = good.split('.');
	const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

	it('accepts a hand-made state and returns the value, nonce and expiry', () => {
		expect(verifyConnectState(good, key, NOW)).toEqual({
			ok: true,
			value: 'customer-42',
			nonce,
			expiresAt: new Date(inOneDay * 1000),
		});
	});

	it.each<[string, 'missing' | 'plain' | 'tampered' | 'expired', string | undefined | null]>([
		['undefined', 'missing', undefined],
		['null', 'missing', null],
		['empty', 'missing', ''],
		['a plain builder state', 'plain', 'state-from-workflow-42'],
		['a random 24-character state (the old default)', 'plain', 'aB3dE5gH7jK9mN1pQ3sT5vW7'],
		['another version', 'plain', ['v2', value, nonce, expiry, mac].join('.')],
		['a missing part', 'plain', [version, value, nonce, mac].join('.')],
		['an extra part', 'plain', `${good}.x`],
		['a short nonce', 'plain', [version, value, nonce.slice(0, 20), expiry, mac].join('.')],
		['a short MAC', 'plain', [version, value, nonce, expiry, mac.slice(0, 42)].join('.')],
		['standard base64 characters', 'plain', good.replace(/[-_]/g, '+').replace(/^v1\.[^.]*/, 'v1.a+b/c=')],
		['a state longer than the bound', 'plain', ['v1', 'A'.repeat(MAX_SIGNED_STATE_LENGTH), nonce, expiry, mac].join('.')],
		['a changed value', 'tampered', [version, b64('customer-43'), nonce, expiry, mac].join('.')],
		['a changed nonce', 'tampered', [version, value, flip(nonce, 3), expiry, mac].join('.')],
		['a later expiry', 'tampered', [version, value, nonce, (inOneDay + 365 * 24 * HOUR).toString(36), mac].join('.')],
		['a changed MAC', 'tampered', [version, value, nonce, expiry, flip(mac, 10)].join('.')],
		['a changed last MAC character', 'tampered', [version, value, nonce, expiry, `${mac.slice(0, 42)}${mac[42] === 'A' ? 'E' : 'A'}`].join('.')],
		['a state signed with another client secret', 'tampered', handMade('customer-42', inOneDay, { secret: 'someone-else' })],
		['an expired state', 'expired', handMade('customer-42', Math.floor(NOW / 1000) - 1)],
		['a state expiring right now', 'expired', handMade('customer-42', NOW / 1000)],
	])('refuses %s as "%s"', (_what, reason, state) => {
		expect(verifyConnectState(state, key, NOW)).toEqual({ ok: false, reason });
	});

	it('a state is valid until its expiry second and refused from then on', () => {
		const expiresAt = NOW / 1000 + 60;
		const state = handMade('v', expiresAt);
		expect(verifyConnectState(state, key, expiresAt * 1000 - 1).ok).toBe(true);
		expect(verifyConnectState(state, key, expiresAt * 1000)).toEqual({ ok: false, reason: 'expired' });
	});

	it('a tampered expired state is reported as tampered (the MAC is checked first)', () => {
		const old = handMade('customer-42', Math.floor(NOW / 1000) - 10);
		const parts = old.split('.');
		parts[1] = b64('customer-43');
		expect(verifyConnectState(parts.join('.'), key, NOW)).toEqual({ ok: false, reason: 'tampered' });
	});
});

describe('unverifiedConnectStateValue', () => {
	it('reads the value of a signed state without a key, and nothing from other text', () => {
		expect(unverifiedConnectStateValue(handMade('customer-42', inOneDay, { secret: 'any' }))).toBe('customer-42');
		expect(unverifiedConnectStateValue('customer-42')).toBeUndefined();
		expect(unverifiedConnectStateValue('')).toBeUndefined();
	});
});
