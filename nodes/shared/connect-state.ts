import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

/**
 * Signed Smartcar Connect `state` values: Connect → Get Authorization URL puts one into every Connect link, and the
 * Smartcar Trigger (Connect Redirect, same credential) accepts a redirect only with one it can verify.
 *
 * Format (compact and URL-safe: only `A-Z a-z 0-9 - _ .`):
 *
 *     v1.<base64url(value)>.<base64url(16-byte nonce)>.<expiry, epoch seconds in base36>.<base64url(HMAC-SHA256)>
 *
 * The HMAC covers everything before its own dot (`v1.` included) and is keyed with `connectStateKey(clientSecret)`.
 * The value is the builder's own State (e.g. a correlation ID), readable but not changeable; the nonce makes every
 * link single-use (the trigger remembers used nonces); the expiry bounds how long a link works.
 */

const VERSION = 'v1';
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
/** The longest a Connect link may stay valid (Get Authorization URL's "Link Valid For (Hours)" maximum): 30 days. */
export const MAX_LINK_VALIDITY_HOURS = 720;
/** Longest State value a builder may sign (characters): keeps Connect links well under common URL limits. */
export const MAX_STATE_VALUE_LENGTH = 512;
/** Longest state the trigger looks at: a signed MAX_STATE_VALUE_LENGTH value is at most ~2,130 characters. */
export const MAX_SIGNED_STATE_LENGTH = 4096;

const B64URL = '[A-Za-z0-9_-]';
const FORMAT = new RegExp(
	`^${VERSION}\\.(${B64URL}*)\\.(${B64URL}{22})\\.([0-9a-z]{1,10})\\.(${B64URL}{43})$`,
);

/**
 * The key that signs Connect `state` values: derived from the credential's client secret, so only this credential
 * can produce a state its Smartcar Trigger accepts, and the secret itself never signs anything directly.
 */
export function connectStateKey(clientSecret: string): Buffer {
	return createHmac('sha256', clientSecret).update('n8n-nodes-smartcar/connect-state/v1').digest();
}

interface SignedConnectState {
	/** The text that goes into the Connect URL as `state`. */
	state: string;
	/** The nonce (base64url), unique per link. */
	nonce: string;
	expiresAt: Date;
}

interface VerifiedConnectState {
	ok: true;
	/** The builder's original State value. */
	value: string;
	nonce: string;
	expiresAt: Date;
}

export type ConnectStateRejection = 'missing' | 'plain' | 'tampered' | 'expired';

interface RejectedConnectState {
	ok: false;
	reason: ConnectStateRejection;
}

function mac(key: Buffer, signed: string): Buffer {
	return createHmac('sha256', key).update(signed).digest();
}

/** Whether `segment` is the canonical base64url form of some bytes (what Buffer's encoder would produce). */
function canonicalBase64Url(segment: string): Buffer | undefined {
	const bytes = Buffer.from(segment, 'base64url');
	return bytes.toString('base64url') === segment ? bytes : undefined;
}

/**
 * Signs `value` for a Connect link valid for `validForSeconds` from `nowMs` (the expiry is rounded up to a whole
 * second). A fresh random nonce makes each call's state different, even for the same value.
 */
export function signConnectState(value: string, key: Buffer, validForSeconds: number, nowMs: number = Date.now()): SignedConnectState {
	const nonce = randomBytes(NONCE_BYTES).toString('base64url');
	const expirySeconds = Math.ceil(nowMs / 1000) + Math.max(1, Math.floor(validForSeconds));
	const signed = `${VERSION}.${Buffer.from(value, 'utf8').toString('base64url')}.${nonce}.${expirySeconds.toString(36)}`;
	return { state: `${signed}.${mac(key, signed).toString('base64url')}`, nonce, expiresAt: new Date(expirySeconds * 1000) };
}

/**
 * Checks a `state` that came back on a Connect redirect. In this order: absent or empty → `missing`; not in the
 * signed format → `plain`; wrong MAC (changed, or signed with another credential's key) → `tampered`; expiry at or
 * before `nowMs` → `expired`. The MAC is compared in constant time. It does not know whether the nonce was used.
 */
export function verifyConnectState(
	state: string | undefined | null,
	key: Buffer,
	nowMs: number = Date.now(),
): VerifiedConnectState | RejectedConnectState {
	if (state === undefined || state === null || state === '') return { ok: false, reason: 'missing' };
	const parts = state.length <= MAX_SIGNED_STATE_LENGTH ? FORMAT.exec(state) : null;
	if (!parts) return { ok: false, reason: 'plain' };
	const [, valuePart, nonce, expiryPart, macPart] = parts;
	const given = canonicalBase64Url(macPart);
	const expected = mac(key, state.slice(0, state.length - macPart.length - 1));
	if (!given || given.length !== MAC_BYTES || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
	// Only this credential's key signs, and it signs canonical segments: a mismatch here means a forged key or a bug.
	const valueBytes = canonicalBase64Url(valuePart);
	if (!valueBytes || !canonicalBase64Url(nonce)) return { ok: false, reason: 'tampered' };

	const expiresAt = new Date(parseInt(expiryPart, 36) * 1000);
	if (expiresAt.getTime() <= nowMs) return { ok: false, reason: 'expired' };
	return { ok: true, value: valueBytes.toString('utf8'), nonce, expiresAt };
}

/**
 * The value a state carries when it is in the signed format, WITHOUT checking the signature (for the trigger's
 * "Expected Value Only" and "None" modes, which have no key); undefined for any other text.
 */
export function unverifiedConnectStateValue(state: string): string | undefined {
	const parts = state.length <= MAX_SIGNED_STATE_LENGTH ? FORMAT.exec(state) : null;
	const bytes = parts ? canonicalBase64Url(parts[1]) : undefined;
	return bytes?.toString('utf8');
}
