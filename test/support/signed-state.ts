/**
 * Signed Connect states built from their documented format with node:crypto, never with the package's signer, for
 * the specs that play a redirect without running Get Authorization URL:
 *
 *     v2.<b64url value>.<b64url 16-byte nonce>.<expiry s, base36>.<target>.<b64url HMAC-SHA256 of all before>
 *
 * keyed with HMAC-SHA256(client secret, "n8n-nodes-smartcar/connect-state/v1"); the target is the first 12 bytes
 * (base64url) of SHA-256("n8n-nodes-smartcar/connect-target\n" + JSON of the path's last three non-empty segments).
 * `v1` states (development builds before targets) have no target part.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** The documented target of a URL path. */
export function targetOf(path: string): string {
	const segments = path
		.split('/')
		.filter(Boolean)
		.slice(-3)
		.map((segment) => decodeURIComponent(segment));
	return createHash('sha256').update(`n8n-nodes-smartcar/connect-target\n${JSON.stringify(segments)}`).digest().subarray(0, 12).toString('base64url');
}

export interface SignedStateOptions {
	secret: string;
	/** The Redirect URI's path the link was made for. */
	path: string;
	/** Epoch seconds; default an hour from now. */
	expiresAt?: number;
	nonce?: Buffer;
	version?: 'v1' | 'v2';
}

/** A state as Get Authorization URL signs it. */
export function signedState(value: string, options: SignedStateOptions): string {
	const key = createHmac('sha256', options.secret).update('n8n-nodes-smartcar/connect-state/v1').digest();
	const expiry = options.expiresAt ?? Math.floor(Date.now() / 1000) + 3600;
	const nonce = (options.nonce ?? randomBytes(16)).toString('base64url');
	const parts = [options.version ?? 'v2', Buffer.from(value).toString('base64url'), nonce, expiry.toString(36)];
	if (options.version !== 'v1') parts.push(targetOf(options.path));
	const signed = parts.join('.');
	return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}
