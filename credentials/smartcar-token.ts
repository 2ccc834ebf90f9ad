import { createHash } from 'crypto';
import type { IHttpRequestOptions } from 'n8n-workflow';

import { displayUrl, redact } from '../nodes/shared/redact';

/**
 * One in-flight client-credentials exchange per credential per process.
 *
 * n8n calls a credential's `preAuthentication` whenever the stored token is empty or a request just got a 401, with
 * no lock of its own: twenty concurrent executions on a fresh or expired token would each exchange. This module
 * makes them share one exchange, and lets a caller whose (older) token was just rejected take the newer token
 * another caller already obtained instead of exchanging again.
 *
 * The key holds a hash of the client secret, so a changed secret never receives a token made with the old one.
 * A failed exchange is never cached.
 */

export interface ApplicationToken {
	accessToken: string;
	/** Epoch milliseconds after which the token is no longer offered to other callers. */
	expiresAt: number;
}

export interface TokenKeyParts {
	tokenUrl: string;
	clientId: string;
	clientSecret: string;
	/** Where the token is sent: a token is bound to it, so an edited API Base URL never receives an older token. */
	apiBaseUrl: string;
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
	pending?: Promise<ApplicationToken>;
}

/** A token this close to its expiry is renewed rather than handed to another caller. */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_REMEMBERED_TOKENS = 20;
const MAX_ENTRIES = 200;

const entries = new Map<string, Entry>();

export function tokenCacheKey({ tokenUrl, clientId, clientSecret, apiBaseUrl }: TokenKeyParts): string {
	const secretHash = createHash('sha256').update(clientSecret).digest('hex');
	return `${tokenUrl}\n${clientId}\n${secretHash}\n${apiBaseUrl}`;
}

/**
 * What a token was issued for and may be sent to (token URL, client ID, secret, API base URL), as a hash that
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
		entry = { older: [], answered: new Map() };
		entries.set(key, entry);
	}
	return entry;
}

/** Whether the cached token may be handed to a caller presenting `presented` (empty, or just rejected). */
function canHandOut(entry: Entry, presented: string, now: number): boolean {
	const cached = entry.token;
	if (!cached || cached.accessToken === presented || cached.expiresAt - EXPIRY_MARGIN_MS <= now) return false;
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

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/** A failed exchange, described without any secret; `description` says what to do. */
export class TokenExchangeError extends Error {
	constructor(
		message: string,
		readonly description = 'The application token could not be obtained with the Smartcar API credential.',
	) {
		super(message);
		this.name = 'TokenExchangeError';
	}
}

interface FullResponse {
	statusCode?: number;
	body?: unknown;
	headers?: Record<string, unknown>;
}

/** A redirect from the token endpoint: not followed (it would carry the secret); names the status and origin only. */
function redirectRefused(status: number, headers: Record<string, unknown> | undefined, tokenUrl: string): TokenExchangeError {
	const location = headers?.location;
	let target = 'an address it did not name';
	if (typeof location === 'string') {
		try {
			target = new URL(location, tokenUrl).origin;
		} catch {
			target = 'an address that could not be read';
		}
	}
	return new TokenExchangeError(
		`Smartcar's token endpoint answered with a redirect (HTTP ${status}) to ${target}; it was not followed`,
		'The client secret is only ever sent to the Token URL of the credential itself. Check the Token URL (a proxy must answer the token request itself).',
	);
}

const DEFAULT_LIFETIME_SECONDS = 3600;
/** Idle timeout, and the total deadline of one exchange (a server trickling bytes never goes idle). */
const TOKEN_TIMEOUT_MS = 30_000;
const TOKEN_DEADLINE_MS = 60_000;

function field(body: unknown, name: string): unknown {
	return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

function describeTokenFailure(status: number, body: unknown): string {
	const code = field(body, 'error');
	const detail = field(body, 'error_description');
	const said = [typeof code === 'string' ? code : '', typeof detail === 'string' ? detail : '']
		.filter((part) => part !== '')
		.join(': ');
	const smartcarSaid = said ? ` (${said})` : '';
	if (status === 401 || code === 'invalid_client') {
		return (
			`Smartcar rejected the client ID or secret${smartcarSaid}. Copy both again from the Smartcar Dashboard → ` +
			'your application → API Credentials (a secret is shown only once; create a new one if it is lost) and save the credential.'
		);
	}
	if (status === 400) {
		return `Smartcar's token endpoint refused the request${smartcarSaid}. Check the Client ID and the Token URL of the credential.`;
	}
	return `Smartcar's token endpoint answered HTTP ${status}${smartcarSaid}. Try again in a moment; if it persists, check the Token URL of the credential.`;
}

/**
 * Exchanges client ID and secret for an application token (OAuth 2.0 client credentials, form body as Smartcar
 * documents it). Every failure is re-thrown as a fresh Error whose message names no secret: the HTTP client's own
 * error would carry the request body, and with it the client secret.
 */
export async function exchangeClientCredentials(
	httpRequest: HttpRequest,
	{ tokenUrl, clientId, clientSecret }: Omit<TokenKeyParts, 'apiBaseUrl'>,
	now: () => number = Date.now,
): Promise<ApplicationToken> {
	const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
	let response: FullResponse | undefined;
	let networkFailure = 'network error';
	try {
		response = (await httpRequest({
			method: 'POST',
			url: tokenUrl,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: form.toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: TOKEN_TIMEOUT_MS,
			abortSignal: AbortSignal.timeout(TOKEN_DEADLINE_MS),
			// A redirect would re-post the client secret to wherever it points: never follow one.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		})) as FullResponse;
	} catch (error) {
		const code = field(error, 'code');
		if (typeof code === 'string') networkFailure = code;
	}
	if (response === undefined) {
		// The reason goes into the description: n8n replaces any message naming ECONNREFUSED and the like with
		// its own generic text, which would hide the URL.
		throw new TokenExchangeError(
			`Could not reach Smartcar's token endpoint at ${displayUrl(tokenUrl)}`,
			`Reason: ${networkFailure}. Check the network and the Token URL of the credential.`,
		);
	}
	const status = response.statusCode ?? 0;
	if (status >= 300 && status < 400) throw redirectRefused(status, response.headers, tokenUrl);
	let body = response.body;
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body) as unknown;
		} catch {
			// A non-JSON body is described by its status alone.
		}
	}
	if (status < 200 || status >= 300) {
		throw new TokenExchangeError(redact(describeTokenFailure(status, body), [clientSecret]));
	}
	const accessToken = field(body, 'access_token');
	if (typeof accessToken !== 'string' || accessToken === '') {
		throw new TokenExchangeError(
			`Smartcar's token endpoint at ${displayUrl(tokenUrl)} answered without an access token. Check the Token URL of the credential.`,
		);
	}
	const expiresIn = Number(field(body, 'expires_in'));
	const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_SECONDS;
	return { accessToken, expiresAt: now() + lifetime * 1000 };
}
