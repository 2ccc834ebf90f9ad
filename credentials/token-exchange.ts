import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { displayUrl, redact, redirectTarget } from './redact';

/**
 * The client-credentials exchange: client ID and secret for an application token at the credential's Token URL
 * (OAuth 2.0 client credentials, form body as Smartcar documents it), with every failure described without a secret.
 */

export interface ClientCredentials {
	tokenUrl: string;
	clientId: string;
	clientSecret: string;
}

export interface ApplicationToken {
	accessToken: string;
	/** Epoch milliseconds after which the token is no longer offered to other callers. */
	expiresAt: number;
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

const DEFAULT_LIFETIME_SECONDS = 3600;
/** Idle timeout, and the total deadline of one exchange (a server trickling bytes never goes idle). */
const TOKEN_TIMEOUT_MS = 30_000;
const TOKEN_DEADLINE_MS = 60_000;

function field(body: unknown, name: string): unknown {
	return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/** A redirect from the token endpoint: not followed (it would carry the secret); names the status and origin only. */
function redirectRefused(status: number, location: unknown, tokenUrl: string): TokenExchangeError {
	const target = redirectTarget(typeof location === 'string' ? location : undefined, tokenUrl);
	return new TokenExchangeError(
		`Smartcar's token endpoint answered with a redirect (HTTP ${status}) to ${target}; it was not followed`,
		'The client secret is only ever sent to the Token URL of the credential itself. Check the Token URL (a proxy must answer the token request itself).',
	);
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
 * Posts the form to the Token URL, following no redirect (it would re-post the client secret to wherever it
 * points). A request that got no answer fails with the network reason in the description: n8n replaces any message
 * naming ECONNREFUSED and the like with its own generic text, which would hide the URL.
 */
async function postForm(httpRequest: HttpRequest, tokenUrl: string, form: URLSearchParams): Promise<IN8nHttpFullResponse> {
	let networkFailure = 'network error';
	try {
		return (await httpRequest({
			method: 'POST',
			url: tokenUrl,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			body: form.toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: TOKEN_TIMEOUT_MS,
			abortSignal: AbortSignal.timeout(TOKEN_DEADLINE_MS),
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		const code = field(error, 'code');
		if (typeof code === 'string') networkFailure = code;
	}
	throw new TokenExchangeError(
		`Could not reach Smartcar's token endpoint at ${displayUrl(tokenUrl)}`,
		`Reason: ${networkFailure}. Check the network and the Token URL of the credential.`,
	);
}

/** The answer's body, parsed when it is JSON text; a non-JSON body is described by its status alone. */
function bodyOf(response: IN8nHttpFullResponse): unknown {
	const body: unknown = response.body;
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return body;
	}
}

/**
 * Exchanges client ID and secret for an application token. Every failure is thrown as a fresh TokenExchangeError
 * whose message names no secret: the HTTP client's own error would carry the request body, and with it the secret.
 */
export async function exchangeClientCredentials(
	httpRequest: HttpRequest,
	{ tokenUrl, clientId, clientSecret }: ClientCredentials,
	now: () => number = Date.now,
): Promise<ApplicationToken> {
	const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
	const response = await postForm(httpRequest, tokenUrl, form);
	const status = response.statusCode;
	if (status >= 300 && status < 400) throw redirectRefused(status, response.headers?.location, tokenUrl);
	const body = bodyOf(response);
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
