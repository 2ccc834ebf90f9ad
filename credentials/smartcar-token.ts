import { createHash } from 'crypto';

import type { ApplicationToken, ClientCredentials } from './token-exchange';

export type { ApplicationToken } from './token-exchange';

/**
 * The application token's life in this process: which token a request carries, when n8n gets a new one, and one
 * in-flight client-credentials exchange per credential.
 *
 * n8n calls `preAuthentication` when the stored token is empty and, to renew it, after a failed request: its modern
 * helper (the Smartcar node) after a 401 only, the legacy one (the HTTP Request node) after ANY failure, and both send
 * the request again whenever a token comes back. A renewal can therefore only be safe when the request that failed
 * cannot have run, and a 401 is the only answer that proves it. The rule, decided once per request in
 * `authenticate` and read back by `preAuthentication` for that same request (n8n passes both the same credential
 * object):
 *
 * | Stored token                                                   | `authenticate` sends | `preAuthentication` after a failure  |
 * |----------------------------------------------------------------|----------------------|--------------------------------------|
 * | none                                                           | (n8n exchanges first) | exchange                            |
 * | issued for other credential values (client ID, secret, URLs)   | a placeholder        | renew: the request got a 401, nothing ran |
 * | without a stored expiry (saved by 0.1.0): age unknown          | a placeholder        | renew                                |
 * | in its last minute, or past its expiry                         | a placeholder        | renew                                |
 * | refused by Smartcar with a 401 this process saw                | a placeholder        | renew                                |
 * | any other (also one another worker saved, with its expiry)     | the token            | never: the request may have run      |
 *
 * So a request that reached Smartcar with a token it accepts is never sent again, whatever the clock says when it
 * fails: the one that decides is the clock when it was sent. The placeholder costs one 401 round trip, once per token.
 * A request `authenticate` did not see (n8n's credential test) is judged by the table at the moment asked.
 *
 * Exchanges are shared: concurrent callers wait for one exchange, a caller whose older token was withheld takes the
 * newer token another caller already obtained, and a failed exchange is never cached. The key holds a hash of the
 * client secret, so a changed secret never receives a token made with the old one.
 */

export interface TokenKeyParts extends ClientCredentials {
	/** Where the token is sent: a token is bound to both, so an edited base URL never receives an older token. */
	apiBaseUrl: string;
	managementApiUrl: string;
}

interface Entry {
	token?: ApplicationToken;
	/** Tokens this process obtained before `token`, newest last: a caller holding one of them holds an older token. */
	older: string[];
	/**
	 * Rejected tokens this process did not obtain (another process saved them in the credential row) → the token
	 * exchanged in answer to them. Only a caller presenting such a token again gets that answer without exchanging:
	 * a token obtained before the rejection may have been revoked with it.
	 */
	answered: Map<string, string>;
	/** Tokens Smartcar answered with a 401 (oldest first): never sent again by this process. */
	refused: Set<string>;
	pending?: Promise<ApplicationToken>;
}

/** What n8n holds for a credential, as `authenticate` and `preAuthentication` get it. */
export interface StoredToken {
	/** `tokenCacheKey` of the credential's current values. */
	key: string;
	/** '' when there is none. */
	accessToken: string;
	/** Whether the token was issued for the credential's current values (its stored fingerprint matches them). */
	issuedForCurrent: boolean;
	/** The expiry stored beside it; undefined for a token stored by 0.1.0. */
	expiresAt?: number;
}

/** Why `authenticate` does not send the stored token (see the table above). */
export type WithheldBecause = 'none' | 'issued-for-other-values' | 'unknown-age' | 'expiring' | 'refused';

/** A token this close to its expiry is not sent, nor handed to another caller. */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_REMEMBERED_TOKENS = 20;
const MAX_ENTRIES = 200;

const entries = new Map<string, Entry>();
/** The tokens `authenticate` sent with each credential object n8n gave it (n8n reads one object per request). */
const sentWithCredentials = new WeakMap<object, Set<string>>();
/** The token `authenticate` sent for each request's options object, so a 401 can be put down to it. */
const sentForRequest = new WeakMap<object, { key: string; token: string }>();

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
		entry = { older: [], answered: new Map(), refused: new Set() };
		entries.set(key, entry);
	}
	return entry;
}

/** Adds `value` as the newest of `values`, keeping at most MAX_REMEMBERED_TOKENS. */
function rememberBounded(values: Set<string> | Map<string, string>, add: () => void): void {
	add();
	while (values.size > MAX_REMEMBERED_TOKENS) {
		const oldest = values.keys().next().value;
		if (oldest === undefined) break;
		values.delete(oldest);
	}
}

/** Why the stored token is not sent at `now`, or undefined when it is (the table above). */
export function withheldBecause(stored: StoredToken, now: number = Date.now()): WithheldBecause | undefined {
	if (stored.accessToken === '') return 'none';
	if (!stored.issuedForCurrent) return 'issued-for-other-values';
	if (stored.expiresAt === undefined) return 'unknown-age';
	if (isNearExpiry(stored.expiresAt, now)) return 'expiring';
	if (entries.get(stored.key)?.refused.has(stored.accessToken) === true) return 'refused';
	return undefined;
}

/**
 * `authenticate`: the token to send for the request with these options and credential object, or undefined when it
 * is withheld (a placeholder goes out instead). Remembers what was sent, for `mayRenew` and `noteRefusal`.
 */
export function tokenToSend(stored: StoredToken, credentials: object, request: object): string | undefined {
	const sent = sentWithCredentials.get(credentials) ?? new Set<string>();
	sentWithCredentials.set(credentials, sent);
	if (withheldBecause(stored) !== undefined) return undefined;
	sent.add(stored.accessToken);
	sentForRequest.set(request, { key: stored.key, token: stored.accessToken });
	return stored.accessToken;
}

/**
 * `preAuthentication`: whether the request made with this credential object may get a new token, which makes n8n
 * send it again. Only when the token was never sent with it (it was withheld, so Smartcar answered 401 and ran
 * nothing); a request `authenticate` did not see is judged by the table now.
 */
export function mayRenew(stored: StoredToken, credentials: object): boolean {
	if (stored.accessToken === '') return true;
	const sent = sentWithCredentials.get(credentials);
	if (sent !== undefined) return !sent.has(stored.accessToken);
	return withheldBecause(stored) !== undefined;
}

/** Smartcar answered 401 to the request with these options: the token it carried is never sent again. */
export function noteRefusal(request: object): void {
	const sent = sentForRequest.get(request);
	if (sent === undefined) return;
	const { refused } = entryFor(sent.key);
	rememberBounded(refused, () => refused.add(sent.token));
}

/** Whether the cached token may be handed to a caller presenting `presented` (empty, or withheld). */
function canHandOut(entry: Entry, presented: string, now: number): boolean {
	const cached = entry.token;
	if (!cached || cached.accessToken === presented || isNearExpiry(cached.expiresAt, now) || entry.refused.has(cached.accessToken)) return false;
	return presented === '' || entry.older.includes(presented) || entry.answered.get(presented) === cached.accessToken;
}

function remember(entry: Entry, presented: string, token: ApplicationToken): void {
	if (presented === '' || entry.older.includes(presented)) return;
	entry.answered.delete(presented);
	rememberBounded(entry.answered, () => entry.answered.set(presented, token.accessToken));
}

/**
 * Returns a usable token for `key`, given the token the caller holds (`presentedToken`: empty, or withheld):
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
