/**
 * The signed Connect state (nodes/shared/connect-state.ts): format, target, round trip and every way a state is refused.
 * Expected states are built here with node:crypto from the documented format, never with the package's signer.
 */
import { createHash, createHmac } from 'node:crypto';

import {
	MAX_SIGNED_STATE_LENGTH,
	connectStateKey,
	connectTarget,
	signConnectState,
	unverifiedConnectStateValue,
	verifyConnectState,
	type ConnectStateRejection,
} from '../../nodes/shared/connect-state';

const SECRET = 'demo-client-secret';
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const HOUR = 3600;

/** The key as documented: HMAC-SHA256(client secret, "n8n-nodes-smartcar/connect-state/v1"). */
function independentKey(secret: string): Buffer {
	return createHmac('sha256', secret).update('n8n-nodes-smartcar/connect-state/v1').digest();
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The documented target: 12 bytes (base64url) of SHA-256("n8n-nodes-smartcar/connect-target\n" + JSON of segments). */
function independentTarget(segments: string[]): string {
	return createHash('sha256').update(`n8n-nodes-smartcar/connect-target\n${JSON.stringify(segments)}`).digest().subarray(0, 12).toString('base64url');
}

/** The trigger these specs verify for: a Production URL's path ends with `webhook/<webhook ID>/webhook`. */
const TARGET = independentTarget(['webhook', '0b6f3c8a-2d1e-4f5a-9b7c-1d2e3f4a5b6c', 'webhook']);
const OTHER_TARGET = independentTarget(['webhook', 'another-trigger', 'webhook']);

interface HandMadeOptions {
	secret?: string;
	nonce?: Buffer;
	target?: string;
	/** `v1`: the format of development builds before targets (no target part). */
	version?: 'v1' | 'v2';
}

/** A state built by hand: v2.<b64url value>.<b64url nonce>.<expiry base36>.<target>.<b64url HMAC of all before>. */
function handMade(value: string, expirySeconds: number, options: HandMadeOptions = {}): string {
	const nonce = options.nonce ?? Buffer.alloc(16, 7);
	const parts = [options.version ?? 'v2', b64(value), b64(nonce), expirySeconds.toString(36)];
	if (options.version !== 'v1') parts.push(options.target ?? TARGET);
	const signed = parts.join('.');
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
		const signed = signConnectState('customer-42', key, 7 * 24 * HOUR, TARGET, NOW);
		expect(signed.state).toMatch(/^v2\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
		expect(encodeURIComponent(signed.state)).toBe(signed.state);
		const [, value, nonce, expiry, target, mac] = signed.state.split('.');
		expect(target).toBe(TARGET);
		expect(Buffer.from(value, 'base64url').toString('utf8')).toBe('customer-42');
		expect(nonce).toBe(signed.nonce);
		expect(parseInt(expiry, 36)).toBe(NOW / 1000 + 7 * 24 * HOUR);
		expect(signed.expiresAt.toISOString()).toBe('2026-06-08T12:00:00.000Z');
		const body = signed.state.slice(0, signed.state.lastIndexOf('.'));
		expect(mac).toBe(createHmac('sha256', independentKey(SECRET)).update(body).digest('base64url'));
		expect(verifyConnectState(signed.state, key, TARGET, NOW)).toEqual({
			ok: true,
			value: 'customer-42',
			nonce: signed.nonce,
			expiresAt: signed.expiresAt,
		});
	});

	it('gives every call a fresh nonce, so the same value never yields the same state', () => {
		const states = new Set(Array.from({ length: 50 }, () => signConnectState('same', key, HOUR, TARGET, NOW).state));
		expect(states.size).toBe(50);
	});

	it.each([
		['text with spaces, dots and slashes', 'order 17 / step.2'],
		['non-ASCII', 'Fahrer Jürgen 🚗'],
		['a JSON text', '{"customer":42,"plan":"fleet"}'],
		['the longest value the operation allows', 'x'.repeat(512)],
		['a value made of multi-byte characters only', '€'.repeat(512)],
	])('round-trips %s unchanged', (_what, value) => {
		const { state } = signConnectState(value, key, HOUR, TARGET, NOW);
		expect(state.length).toBeLessThanOrEqual(MAX_SIGNED_STATE_LENGTH);
		const verified = verifyConnectState(state, key, TARGET, NOW);
		expect(verified.ok && verified.value).toBe(value);
	});
});

describe('verifyConnectState', () => {
	const good = handMade('customer-42', inOneDay);
	const [version, value, nonce, expiry, target, mac] = good.split('.');
	const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

	it('accepts a hand-made state and returns the value, nonce and expiry', () => {
		expect(verifyConnectState(good, key, TARGET, NOW)).toEqual({
			ok: true,
			value: 'customer-42',
			nonce,
			expiresAt: new Date(inOneDay * 1000),
		});
	});

	it.each<[string, ConnectStateRejection, string | undefined | null]>([
		['undefined', 'missing', undefined],
		['null', 'missing', null],
		['empty', 'missing', ''],
		['a plain builder state', 'plain', 'state-from-workflow-42'],
		['a random 24-character state (the old default)', 'plain', 'aB3dE5gH7jK9mN1pQ3sT5vW7'],
		['another version', 'plain', ['v3', value, nonce, expiry, target, mac].join('.')],
		['a missing part', 'plain', [version, value, nonce, target, mac].join('.')],
		['an extra part', 'plain', `${good}.x`],
		['a short nonce', 'plain', [version, value, nonce.slice(0, 20), expiry, target, mac].join('.')],
		['a short target', 'plain', [version, value, nonce, expiry, target.slice(0, 15), mac].join('.')],
		['a short MAC', 'plain', [version, value, nonce, expiry, target, mac.slice(0, 42)].join('.')],
		['standard base64 characters', 'plain', good.replace(/[-_]/g, '+').replace(/^v2\.[^.]*/, 'v2.a+b/c=')],
		['a state longer than the bound', 'plain', ['v2', 'A'.repeat(MAX_SIGNED_STATE_LENGTH), nonce, expiry, target, mac].join('.')],
		['a changed value', 'tampered', [version, b64('customer-43'), nonce, expiry, target, mac].join('.')],
		['a changed nonce', 'tampered', [version, value, flip(nonce, 3), expiry, target, mac].join('.')],
		['a later expiry', 'tampered', [version, value, nonce, (inOneDay + 365 * 24 * HOUR).toString(36), target, mac].join('.')],
		['a target swapped for this trigger\'s', 'tampered', handMade('customer-42', inOneDay, { target: OTHER_TARGET }).replace(OTHER_TARGET, TARGET)],
		['a changed MAC', 'tampered', [version, value, nonce, expiry, target, flip(mac, 10)].join('.')],
		['a changed last MAC character', 'tampered', [version, value, nonce, expiry, target, `${mac.slice(0, 42)}${mac[42] === 'A' ? 'E' : 'A'}`].join('.')],
		['a state signed with another client secret', 'tampered', handMade('customer-42', inOneDay, { secret: 'someone-else' })],
		['a v1 state signed with another client secret', 'tampered', handMade('customer-42', inOneDay, { version: 'v1', secret: 'someone-else' })],
		['a v1 state this credential signed (no target)', 'outdated', handMade('customer-42', inOneDay, { version: 'v1' })],
		['a state made for another trigger', 'elsewhere', handMade('customer-42', inOneDay, { target: OTHER_TARGET })],
		['an expired state', 'expired', handMade('customer-42', Math.floor(NOW / 1000) - 1)],
		['a state expiring right now', 'expired', handMade('customer-42', NOW / 1000)],
	])('refuses %s as "%s"', (_what, reason, state) => {
		expect(verifyConnectState(state, key, TARGET, NOW)).toEqual({ ok: false, reason });
	});

	it('a state is valid until its expiry second and refused from then on', () => {
		const expiresAt = NOW / 1000 + 60;
		const state = handMade('v', expiresAt);
		expect(verifyConnectState(state, key, TARGET, expiresAt * 1000 - 1).ok).toBe(true);
		expect(verifyConnectState(state, key, TARGET, expiresAt * 1000)).toEqual({ ok: false, reason: 'expired' });
	});

	it('a tampered expired state is reported as tampered (the MAC is checked first)', () => {
		const old = handMade('customer-42', Math.floor(NOW / 1000) - 10);
		const parts = old.split('.');
		parts[1] = b64('customer-43');
		expect(verifyConnectState(parts.join('.'), key, TARGET, NOW)).toEqual({ ok: false, reason: 'tampered' });
	});

	it('an expired state made for another trigger is reported as made elsewhere (it was never valid here)', () => {
		const old = handMade('customer-42', Math.floor(NOW / 1000) - 10, { target: OTHER_TARGET });
		expect(verifyConnectState(old, key, TARGET, NOW)).toEqual({ ok: false, reason: 'elsewhere' });
	});
});

describe('connectTarget', () => {
	it.each<[string, string, string[]]>([
		['a Production URL path', '/webhook/0b6f3c8a-2d1e-4f5a-9b7c-1d2e3f4a5b6c/webhook', ['webhook', '0b6f3c8a-2d1e-4f5a-9b7c-1d2e3f4a5b6c', 'webhook']],
		['the same behind a proxy prefix', '/automation/n8n/webhook/0b6f3c8a-2d1e-4f5a-9b7c-1d2e3f4a5b6c/webhook', ['webhook', '0b6f3c8a-2d1e-4f5a-9b7c-1d2e3f4a5b6c', 'webhook']],
		['a trailing slash', '/webhook/abc/webhook/', ['webhook', 'abc', 'webhook']],
		['percent-escapes', '/webhook/%61bc/webhook', ['webhook', 'abc', 'webhook']],
		['an invalid escape, kept as it is', '/webhook/%zz/webhook', ['webhook', '%zz', 'webhook']],
		['an escaped slash stays inside its segment', '/webhook/abc%2Fwebhook', ['webhook', 'abc/webhook']],
		['a Test URL path', '/webhook-test/abc/webhook', ['webhook-test', 'abc', 'webhook']],
		['a short path', '/cb', ['cb']],
		['no path', '', []],
	])('%s → the documented hash of its last three segments', (_what, path, segments) => {
		expect(connectTarget(path)).toBe(independentTarget(segments));
	});

	it('differs between triggers and between the Production and the Test URL of one trigger', () => {
		const targets = ['/webhook/a/webhook', '/webhook/b/webhook', '/webhook-test/a/webhook', '/webhook/a/webhook/x'].map(connectTarget);
		expect(new Set(targets).size).toBe(4);
	});
});

describe('unverifiedConnectStateValue', () => {
	it('reads the value of a signed state without a key, and nothing from other text', () => {
		expect(unverifiedConnectStateValue(handMade('customer-42', inOneDay, { secret: 'any' }))).toBe('customer-42');
		expect(unverifiedConnectStateValue(handMade('customer-7', inOneDay, { version: 'v1' }))).toBe('customer-7');
		expect(unverifiedConnectStateValue('customer-42')).toBeUndefined();
		expect(unverifiedConnectStateValue('')).toBeUndefined();
	});
});
