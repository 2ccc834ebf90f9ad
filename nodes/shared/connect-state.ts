import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';

/**
 * Signed Smartcar Connect `state` values: Connect → Get Authorization URL puts one into every Connect link, and the
 * Smartcar Trigger (Connect Redirect, same credential) accepts a redirect only with one it can verify, and only when
 * the link names that trigger.
 *
 * Format (compact and URL-safe: only `A-Z a-z 0-9 - _ .`):
 *
 *     v2.<base64url(value)>.<base64url(16-byte nonce)>.<expiry, epoch seconds in base36>.<target>.<base64url(HMAC-SHA256)>
 *
 * The HMAC covers everything before its own dot (`v2.` included) and is keyed with `connectStateKey(clientSecret)`.
 * The value is the builder's own State (e.g. a correlation ID), readable but not changeable; the nonce makes every
 * link single-use (the trigger remembers used links until they expire); the expiry bounds how long a link works; the
 * target (`connectTarget`) names the one trigger the link is for: its webhook path as the link's Redirect URI has it.
 *
 * `v1.` states (no target; made by development builds before targets, never by a release) are recognised only to be
 * refused as `outdated`: a v1 link names no trigger, so accepting it would keep open what v2 closes.
 */

const VERSION = 'v2';
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
const TARGET_BYTES = 12;
/** How many path segments name a trigger: `<webhook endpoint>/<webhook ID>/webhook`. */
const TARGET_SEGMENTS = 3;
/** The longest a Connect link may stay valid (Get Authorization URL's "Link Valid For (Hours)" maximum): 30 days. */
export const MAX_LINK_VALIDITY_HOURS = 720;
/** Longest State value a builder may sign (characters): keeps Connect links well under common URL limits. */
export const MAX_STATE_VALUE_LENGTH = 512;
/** Longest state the trigger looks at: a signed MAX_STATE_VALUE_LENGTH value is at most ~2,150 characters. */
export const MAX_SIGNED_STATE_LENGTH = 4096;

const B64URL = '[A-Za-z0-9_-]';
const FORMAT = new RegExp(
	`^${VERSION}\\.(${B64URL}*)\\.(${B64URL}{22})\\.([0-9a-z]{1,10})\\.(${B64URL}{16})\\.(${B64URL}{43})$`,
);
const FORMAT_V1 = new RegExp(`^v1\\.(${B64URL}*)\\.(${B64URL}{22})\\.([0-9a-z]{1,10})\\.(${B64URL}{43})$`);

/**
 * The key that signs Connect `state` values: derived from the credential's client secret, so only this credential
 * can produce a state its Smartcar Trigger accepts, and the secret itself never signs anything directly.
 */
export function connectStateKey(clientSecret: string): Buffer {
	return createHmac('sha256', clientSecret).update('n8n-nodes-smartcar/connect-state/v1').digest();
}

/** A path segment as text: percent-escapes decoded where they are valid, so `%41` and `A` name the same trigger. */
function decodedSegment(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/**
 * The target of a URL path: which trigger it names, as 16 base64url characters (12 bytes of SHA-256 over its last
 * three non-empty segments, decoded). A Smartcar Trigger's URL ends with `<webhook endpoint>/<webhook ID>/webhook`
 * (`webhook/…` for its Production URL, `webhook-test/…` for its Test URL); those three segments survive a reverse
 * proxy, whatever host or path prefix the public URL has, and differ between any two triggers of one n8n.
 */
export function connectTarget(path: string): string {
	const segments = path.split('/').filter((segment) => segment !== '').slice(-TARGET_SEGMENTS).map(decodedSegment);
	return createHash('sha256')
		.update(`n8n-nodes-smartcar/connect-target\n${JSON.stringify(segments)}`)
		.digest()
		.subarray(0, TARGET_BYTES)
		.toString('base64url');
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

/**
 * Why a state is refused: absent; not a signed state; changed or signed by another credential; signed by the
 * version before targets (`v1.`); made for another trigger; past its expiry.
 */
export type ConnectStateRejection = 'missing' | 'plain' | 'tampered' | 'outdated' | 'elsewhere' | 'expired';

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

/** Whether the last dot-separated part of `state` is the canonical HMAC of everything before it, in constant time. */
function macMatches(state: string, macPart: string, key: Buffer): boolean {
	const given = canonicalBase64Url(macPart);
	const expected = mac(key, state.slice(0, state.length - macPart.length - 1));
	return given !== undefined && given.length === MAC_BYTES && timingSafeEqual(given, expected);
}

/**
 * Signs `value` for a Connect link to `target` (see `connectTarget`), valid for `validForSeconds` from `nowMs` (the
 * expiry is rounded up to a whole second). A fresh random nonce makes each call's state different.
 */
export function signConnectState(
	value: string,
	key: Buffer,
	validForSeconds: number,
	target: string,
	nowMs: number = Date.now(),
): SignedConnectState {
	const nonce = randomBytes(NONCE_BYTES).toString('base64url');
	const expirySeconds = Math.ceil(nowMs / 1000) + Math.max(1, Math.floor(validForSeconds));
	const signed = `${VERSION}.${Buffer.from(value, 'utf8').toString('base64url')}.${nonce}.${expirySeconds.toString(36)}.${target}`;
	return { state: `${signed}.${mac(key, signed).toString('base64url')}`, nonce, expiresAt: new Date(expirySeconds * 1000) };
}

/** A v1 state that this credential signed is `outdated`; any other text in the v1 shape is `tampered`. */
function rejectV1(state: string, key: Buffer): RejectedConnectState | undefined {
	const parts = FORMAT_V1.exec(state);
	if (!parts) return undefined;
	return { ok: false, reason: macMatches(state, parts[4], key) ? 'outdated' : 'tampered' };
}

/**
 * Checks a `state` that came back on a Connect redirect to the trigger whose own target is `target`. In this order:
 * absent or empty → `missing`; a v1 state → `outdated` (or `tampered`); not in the signed format → `plain`; wrong MAC
 * (changed, or signed with another credential's key) → `tampered`; made for another target → `elsewhere`; expiry at
 * or before `nowMs` → `expired`. The MAC is compared in constant time. It does not know whether the link was used.
 */
export function verifyConnectState(
	state: string | undefined | null,
	key: Buffer,
	target: string,
	nowMs: number = Date.now(),
): VerifiedConnectState | RejectedConnectState {
	if (state === undefined || state === null || state === '') return { ok: false, reason: 'missing' };
	if (state.length > MAX_SIGNED_STATE_LENGTH) return { ok: false, reason: 'plain' };
	const v1 = rejectV1(state, key);
	if (v1) return v1;
	const parts = FORMAT.exec(state);
	if (!parts) return { ok: false, reason: 'plain' };
	const [, valuePart, nonce, expiryPart, targetPart, macPart] = parts;
	if (!macMatches(state, macPart, key)) return { ok: false, reason: 'tampered' };
	// Only this credential's key signs, and it signs canonical segments: a mismatch here means a forged key or a bug.
	const valueBytes = canonicalBase64Url(valuePart);
	if (!valueBytes || !canonicalBase64Url(nonce) || !canonicalBase64Url(targetPart)) return { ok: false, reason: 'tampered' };
	if (targetPart !== target) return { ok: false, reason: 'elsewhere' };

	const expiresAt = new Date(parseInt(expiryPart, 36) * 1000);
	if (expiresAt.getTime() <= nowMs) return { ok: false, reason: 'expired' };
	return { ok: true, value: valueBytes.toString('utf8'), nonce, expiresAt };
}

/**
 * The value a state carries when it is in the signed format (v2, or v1 from earlier versions), WITHOUT checking the
 * signature (for the trigger's "Expected Value Only" and "None" modes, which have no key); undefined for any other text.
 */
export function unverifiedConnectStateValue(state: string): string | undefined {
	if (state.length > MAX_SIGNED_STATE_LENGTH) return undefined;
	const parts = FORMAT.exec(state) ?? FORMAT_V1.exec(state);
	const bytes = parts ? canonicalBase64Url(parts[1]) : undefined;
	return bytes?.toString('utf8');
}
