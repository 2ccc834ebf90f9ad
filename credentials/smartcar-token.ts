import { createHash } from 'crypto';

import type { ApplicationToken, ClientCredentials } from './token-exchange';

export type { ApplicationToken } from './token-exchange';

/**
 * One in-flight client-credentials exchange per credential per process.
 *
 * n8n calls a credential's `preAuthentication` whenever the stored token is empty or a request failed (its modern
 * helper after a 401, the legacy one after any failure), with no lock of its own: twenty concurrent executions on a
 * fresh or expired token would each exchange. This module makes them share one exchange, lets a caller whose (older)
 * token was just rejected take the newer token another caller already obtained instead of exchanging again, and
 * tells a failure that is not about the token (`needsRenewal`) from one that is, so that n8n does not send it again.
 *
 * The key holds a hash of the client secret, so a changed secret never receives a token made with the old one.
 * A failed exchange is never cached.
 */

export interface TokenKeyParts extends ClientCredentials {
	/** Where the token is sent: a token is bound to both, so an edited base URL never receives an older token. */
	apiBaseUrl: string;
	managementApiUrl: string;
}

interface Entry {
	token?: ApplicationToken;
	/** When this process obtained `token` (ms since the epoch). */
	obtainedAt: number;
	/**
	 * When the package's node last got a 401 from Smartcar (0: never): a token obtained before it may be the one
	 * refused.
	 */
	refusedAt: number;
	/** Tokens this process obtained before `token`, newest last: a caller holding one of them holds an older token. */
	older: string[];
	/**
	 * Rejected tokens this process did not obtain (another process saved them in the credential row) → the token
	 * exchanged in answer to them. Only a caller presenting such a token again gets that answer without exchanging:
	 * a token obtained before the rejection may have been revoked with it.
	 */
	answered: Map<string, string>;
	pending?: Promise<ApplicationToken>;
}

/** A token this close to its expiry is renewed rather than handed to another caller. */
const EXPIRY_MARGIN_MS = 60_000;
/** A token this process did not obtain counts as possibly refused for this long after a 401 the node saw. */
const RECENT_REFUSAL_MS = 60_000;
const MAX_REMEMBERED_TOKENS = 20;
const MAX_ENTRIES = 200;

const entries = new Map<string, Entry>();

/** Whether a token expiring at `expiresAt` is within the margin of its expiry at `now`. */
function isNearExpiry(expiresAt: number, now: number): boolean {
	return expiresAt - EXPIRY_MARGIN_MS <= now;
}

export function tokenCacheKey({ tokenUrl, clientId, clientSecret, apiBaseUrl, managementApiUrl }: TokenKeyParts): string {
	const secretHash = createHash('sha256').update(clientSecret).digest('hex');
	return `${tokenUrl}\n${clientId}\n${secretHash}\n${apiBaseUrl}\n${managementApiUrl}`;
}

/**
 * What a token was issued for and may be sent to (token URL, client ID, secret, API and Management API base URLs), as a hash that
 * reveals none of them. Stored beside the token, it lets the credential notice an edited secret or URL: n8n keeps
 * the stored token when a credential is saved.
 */
export function tokenFingerprint(parts: TokenKeyParts): string {
	return createHash('sha256').update(tokenCacheKey(parts)).digest('hex');
}

function entryFor(key: string): Entry {
	let entry = entries.get(key);
	if (!entry) {
		if (entries.size >= MAX_ENTRIES) {
			const oldest = entries.keys().next().value;
			if (oldest !== undefined) entries.delete(oldest);
		}
		entry = { older: [], answered: new Map(), obtainedAt: 0, refusedAt: 0 };
		entries.set(key, entry);
	}
	return entry;
}

/** Whether the cached token may be handed to a caller presenting `presented` (empty, or just rejected). */
function canHandOut(entry: Entry, presented: string, now: number): boolean {
	const cached = entry.token;
	if (!cached || cached.accessToken === presented || isNearExpiry(cached.expiresAt, now)) return false;
	return presented === '' || entry.older.includes(presented) || entry.answered.get(presented) === cached.accessToken;
}

function remember(entry: Entry, presented: string, token: ApplicationToken): void {
	if (presented === '' || entry.older.includes(presented)) return;
	entry.answered.delete(presented);
	entry.answered.set(presented, token.accessToken);
	while (entry.answered.size > MAX_REMEMBERED_TOKENS) {
		const oldest = entry.answered.keys().next().value;
		if (oldest === undefined) break;
		entry.answered.delete(oldest);
	}
}

/**
 * Returns a usable token for `key`, given the token the caller holds (`presentedToken`: empty, or just rejected):
 * this process's newer token, the result of an exchange already under way, or the result of a new `exchange()`.
 */
export async function obtainToken(
	key: string,
	presentedToken: string,
	exchange: () => Promise<ApplicationToken>,
	clock: () => number = Date.now,
): Promise<ApplicationToken> {
	const entry = entryFor(key);
	if (entry.token && canHandOut(entry, presentedToken, clock())) return entry.token;

	let pending = entry.pending;
	if (!pending) {
		pending = exchange().then((token) => {
			if (entry.token) entry.older = [...entry.older, entry.token.accessToken].slice(-MAX_REMEMBERED_TOKENS);
			entry.token = token;
			entry.obtainedAt = clock();
			return token;
		});
		entry.pending = pending;
		const started = pending;
		void started.then(
			() => (entry.pending === started ? (entry.pending = undefined) : undefined),
			() => (entry.pending === started ? (entry.pending = undefined) : undefined),
		);
	}
	const token = await pending;
	remember(entry, presentedToken, token);
	return token;
}

/** The package's node got a 401 from Smartcar at `at`. */
export function noteRefusal(key: string, at: number): void {
	const entry = entryFor(key);
	entry.refusedAt = Math.max(entry.refusedAt, at);
}

/**
 * Whether n8n, asking to renew a token it holds (`presented`, not empty), should get a new one, which makes it send
 * the failed request again. n8n asks after a 401 from its modern helper, but after ANY failure (a 429, a 5xx, a
 * timeout) from the legacy one that the HTTP Request node uses, so the request alone says nothing: only a token
 * that has expired, that this process has replaced, or that may be the one Smartcar refused (a 401 the package's
 * node saw) is renewed. `storedExpiresAt` is the expiry n8n stored beside the token (undefined: stored by an older
 * version of the package, expiry unknown).
 */
export function needsRenewal(key: string, presented: string, storedExpiresAt: number | undefined, now: number = Date.now()): boolean {
	const entry = entryFor(key);
	const cached = entry.token;
	if (cached && cached.accessToken === presented) return isNearExpiry(cached.expiresAt, now) || entry.refusedAt >= entry.obtainedAt;
	if (entry.older.includes(presented) || entry.answered.has(presented)) return true;
	// Another process's token, or one stored before n8n restarted.
	if (storedExpiresAt === undefined || isNearExpiry(storedExpiresAt, now)) return true;
	return entry.refusedAt > 0 && entry.refusedAt >= now - RECENT_REFUSAL_MS;
}

/** Whether the token this process holds for `key` is about to expire (a 401 then needs no noting to be renewed). */
export function isExpiring(key: string, now: number = Date.now()): boolean {
	const cached = entries.get(key)?.token;
	return cached !== undefined && isNearExpiry(cached.expiresAt, now);
}

/** Tokens this process currently holds, so error text that echoes one can be redacted. */
export function cachedTokens(): string[] {
	const tokens: string[] = [];
	for (const entry of entries.values()) if (entry.token) tokens.push(entry.token.accessToken);
	return tokens;
}

/** Forgets every cached token (tests, and a process that wants a clean start). */
export function clearTokenCache(): void {
	entries.clear();
}
