import { createHmac, timingSafeEqual } from 'crypto';

/** Hex HMAC-SHA256, Smartcar's scheme for both the VERIFY challenge and `SC-Signature`. */
export function hmacHex(key: string, message: Buffer | string): string {
	return createHmac('sha256', key).update(message).digest('hex');
}

/** Constant-time comparison of a received hex signature with the expected one (case-insensitive hex). */
export function signatureMatches(expectedHex: string, received: string | undefined): boolean {
	if (typeof received !== 'string') return false;
	const given = Buffer.from(received.trim().toLowerCase(), 'utf8');
	const expected = Buffer.from(expectedHex.toLowerCase(), 'utf8');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Challenges Smartcar sends are opaque tokens. Answering any string would make the trigger an HMAC oracle: a caller
 * could have a JSON body signed as a "challenge" and replay it as a delivery. A JSON body always contains `{`, `"`
 * or whitespace, none of which an accepted challenge may hold.
 */
export function isPlausibleChallenge(challenge: unknown): challenge is string {
	return typeof challenge === 'string' && /^[A-Za-z0-9._~+/=-]{1,512}$/.test(challenge);
}
