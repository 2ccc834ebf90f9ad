import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { CREDENTIAL_NAME, MAX_PAGE_SIZE } from './constants';
import { connectStateKey } from './connect-state';
import { parseConnectionsPage, type NormalizedConnection } from './connections';
import { resolveEndpoints, type SmartcarEndpoints } from './endpoints';
import { describeSmartcarError, parseSmartcarError, type SmartcarErrorInfo } from './errors';
import { cachedTokens, TokenExchangeError } from '../../credentials/smartcar-token';
import { redact, secretsOf } from './redact';
import { asRecord, asString, isRecord } from './values';

/**
 * The one way this package talks to the Smartcar Vehicle API. Authentication (application token, renewed by n8n
 * once on a 401) comes from the `smartcarApi` credential through `httpRequestWithAuthentication`; this layer adds the
 * base URL, the `sc-user-id` header, bounded retries for 429 and 5xx, and errors that say what to do.
 */

export type SmartcarContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface SmartcarRequest {
	method: IHttpRequestMethods;
	/** Path below the API base URL, e.g. `/vehicles/{id}/signals`. */
	path: string;
	/** Sent as `sc-user-id`: whose vehicles are meant. */
	userId?: string;
	qs?: IDataObject;
	body?: IDataObject;
	/**
	 * For a request that changes state (anything but GET): what the user can read to learn whether it ran, quoted
	 * when the outcome is unknown (e.g. "Read the signal closure-islocked to see whether the doors locked.").
	 */
	verifyHint?: string;
}

export interface SmartcarResponse {
	status: number;
	body: unknown;
	headers: IDataObject;
	requestId?: string;
}

export const RETRY_POLICY = {
	/** 429: retries after Smartcar's `retry-after`, as long as it asks for no more than `maxRateLimitWaitSeconds`. */
	maxRateLimitRetries: 3,
	maxRateLimitWaitSeconds: 60,
	defaultRateLimitWaitSeconds: 2,
	/** 500/502/503/504 and dropped connections: exponential back-off from `serverBackoffMs`. */
	maxServerRetries: 3,
	serverBackoffMs: 500,
} as const;

const RETRYABLE_STATUSES = new Set([500, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED']);
const REQUEST_TIMEOUT_MS = 60_000;
/** A guard against a server whose `next` never ends: 1,000 pages of 100 is far above any real fleet. */
const MAX_PAGES = 1000;

interface FullResponse {
	body: unknown;
	headers?: IDataObject;
	statusCode: number;
}

interface ErrorResponse {
	status: number;
	body: unknown;
	headers?: IDataObject;
}

function errorResponseOf(error: unknown): ErrorResponse | undefined {
	const candidates = [asRecord(error).cause, error];
	for (const candidate of candidates) {
		const response = asRecord(candidate).response;
		if (isRecord(response) && typeof response.status === 'number') {
			return { status: response.status, body: response.data ?? response.body, headers: asRecord(response.headers) as IDataObject };
		}
	}
	return undefined;
}

function errorCodeOf(error: unknown): string | undefined {
	return asString(asRecord(asRecord(error).cause).code) ?? asString(asRecord(error).code);
}

function errorMessageOf(error: unknown): string {
	const cause = asRecord(error).cause;
	const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
	return message;
}

export interface ListConnectionsOptions {
	userId?: string;
	vehicleId?: string;
	/** Stop after this many connections; undefined = all. */
	limit?: number;
}

export class SmartcarClient {
	private constructor(
		private readonly context: SmartcarContext,
		private readonly credentials: ICredentialDataDecryptedObject,
		readonly endpoints: SmartcarEndpoints,
	) {}

	/** Reads the credential once per node run: its endpoints, and its secrets so no message can carry them. */
	static async create(context: SmartcarContext): Promise<SmartcarClient> {
		const credentials = await context.getCredentials(CREDENTIAL_NAME);
		return new SmartcarClient(context, credentials, resolveEndpoints(credentials));
	}

	get clientId(): string {
		return typeof this.credentials.clientId === 'string' ? this.credentials.clientId.trim() : '';
	}

	/** The key that signs and checks Connect states for this credential (derived from its client secret). */
	get connectStateKey(): Buffer {
		const secret = typeof this.credentials.clientSecret === 'string' ? this.credentials.clientSecret.trim() : '';
		return connectStateKey(secret);
	}

	async request(request: SmartcarRequest, itemIndex = 0): Promise<SmartcarResponse> {
		return await this.send(`${this.endpoints.apiBaseUrl}${request.path}`, request, itemIndex);
	}

	/**
	 * Follows a paging link Smartcar returned (absolute, or relative to the API's origin). The bearer token is only
	 * ever sent to the credential's own API origin.
	 */
	async follow(link: string, request: Omit<SmartcarRequest, 'path'>, itemIndex = 0): Promise<SmartcarResponse> {
		const base = new URL(`${this.endpoints.apiBaseUrl}/`);
		const url = new URL(link, base);
		if (url.origin !== base.origin) {
			throw new NodeApiError(this.context.getNode(), { link } as JsonObject, {
				message: 'Smartcar returned a paging link to another host; it was not followed',
				description: `The next-page link points at ${url.origin}, not at the API base URL ${base.origin} of the credential.`,
				itemIndex,
			});
		}
		return await this.send(url.toString(), { ...request, qs: undefined }, itemIndex);
	}

	/** Every connection (or the first `limit`), whichever of Smartcar's two list shapes and paging schemes answers. */
	async listConnections(options: ListConnectionsOptions, itemIndex = 0): Promise<NormalizedConnection[]> {
		const pageSize = Math.min(MAX_PAGE_SIZE, options.limit ?? MAX_PAGE_SIZE);
		const filters: IDataObject = {};
		if (options.vehicleId) filters['filter[vehicleId]'] = options.vehicleId;
		const base = { method: 'GET' as const, userId: options.userId };
		const results: NormalizedConnection[] = [];
		const seenCursors = new Set<string>();

		let response = await this.request(
			{ ...base, path: '/connections', qs: { ...filters, 'page[number]': 1, 'page[size]': pageSize } },
			itemIndex,
		);
		for (let page = 1; page <= MAX_PAGES; page++) {
			const { connections, next } = parseConnectionsPage(response.body);
			for (const connection of connections) {
				if (options.userId && connection.userId && connection.userId !== options.userId) continue;
				if (options.vehicleId && connection.vehicleId !== options.vehicleId) continue;
				results.push(connection);
				if (options.limit !== undefined && results.length >= options.limit) return results;
			}
			if (next === null || connections.length === 0) return results;
			if ('cursor' in next) {
				if (seenCursors.has(next.cursor)) return results;
				seenCursors.add(next.cursor);
				response = await this.request(
					{ ...base, path: '/connections', qs: { ...filters, cursor: next.cursor, 'page[size]': pageSize } },
					itemIndex,
				);
			} else {
				if (seenCursors.has(next.link)) return results;
				seenCursors.add(next.link);
				response = await this.follow(next.link, base, itemIndex);
			}
		}
		return results;
	}

	private async send(url: string, request: Omit<SmartcarRequest, 'path'>, itemIndex: number): Promise<SmartcarResponse> {
		const headers: IDataObject = { Accept: 'application/json' };
		if (request.userId) headers['sc-user-id'] = request.userId;
		const options: IHttpRequestOptions = {
			method: request.method,
			url,
			headers,
			qs: request.qs,
			returnFullResponse: true,
			timeout: REQUEST_TIMEOUT_MS,
			json: true,
		};
		if (request.body !== undefined) options.body = request.body;

		let rateLimitRetries = 0;
		let serverRetries = 0;
		for (;;) {
			try {
				const response = (await this.context.helpers.httpRequestWithAuthentication.call(
					this.context,
					CREDENTIAL_NAME,
					{ ...options, headers: { ...headers } },
				)) as FullResponse;
				const responseHeaders = response.headers ?? {};
				return {
					status: response.statusCode,
					body: response.body,
					headers: responseHeaders,
					requestId: asString(responseHeaders['sc-request-id']),
				};
			} catch (error) {
				const response = errorResponseOf(error);
				if (!response) {
					const code = errorCodeOf(error);
					if (code && RETRYABLE_NETWORK_CODES.has(code) && serverRetries < RETRY_POLICY.maxServerRetries) {
						await sleep(RETRY_POLICY.serverBackoffMs * 2 ** serverRetries++);
						continue;
					}
					throw await this.failure(error, itemIndex);
				}
				const info = parseSmartcarError(response.status, response.body, response.headers);
				if (response.status === 429 && rateLimitRetries < RETRY_POLICY.maxRateLimitRetries) {
					const wait = info.retryAfterSeconds ?? RETRY_POLICY.defaultRateLimitWaitSeconds;
					if (wait <= RETRY_POLICY.maxRateLimitWaitSeconds) {
						rateLimitRetries++;
						await sleep(wait * 1000);
						continue;
					}
				}
				if (RETRYABLE_STATUSES.has(response.status) && serverRetries < RETRY_POLICY.maxServerRetries) {
					await sleep(RETRY_POLICY.serverBackoffMs * 2 ** serverRetries++);
					continue;
				}
				throw await this.apiError(info, itemIndex);
			}
		}
	}

	/**
	 * Every secret that could show up in error text: the credential as read at the start, as stored now (a token
	 * obtained or renewed during this run), and the tokens this process holds.
	 */
	private async secrets(): Promise<string[]> {
		let current: ICredentialDataDecryptedObject | undefined;
		try {
			current = await this.context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_NAME);
		} catch {
			current = undefined;
		}
		return secretsOf([this.credentials, current], cachedTokens());
	}

	/** A Smartcar error answer as a NodeApiError built from the parsed body only (never the HTTP client's error). */
	async apiError(info: SmartcarErrorInfo, itemIndex: number): Promise<NodeApiError> {
		const secrets = await this.secrets();
		const { message, description } = describeSmartcarError(info);
		const safeInfo = JSON.parse(redact(JSON.stringify(info), secrets)) as JsonObject;
		return new NodeApiError(this.context.getNode(), safeInfo, {
			message: redact(message, secrets),
			description: redact(description, secrets),
			httpCode: String(info.status),
			itemIndex,
		});
	}

	/**
	 * No HTTP answer: the token exchange failed (its message is already safe) or the network did. Reasons such as
	 * ECONNREFUSED go into the description: n8n replaces a message naming them with its own generic text.
	 */
	private async failure(error: unknown, itemIndex: number): Promise<NodeApiError> {
		const tokenError = [error, asRecord(error).cause].find((candidate) => candidate instanceof TokenExchangeError);
		let message: string;
		let description: string;
		if (tokenError instanceof TokenExchangeError) {
			message = tokenError.message;
			description = tokenError.description;
		} else {
			const code = errorCodeOf(error);
			message = `Could not reach Smartcar at ${this.endpoints.apiBaseUrl}`;
			description = `Reason: ${code ?? errorMessageOf(error)}. Check the network and, for a custom environment, the API Base URL of the Smartcar API credential.`;
		}
		const secrets = await this.secrets();
		const safeMessage = redact(message, secrets);
		return new NodeApiError(this.context.getNode(), { message: safeMessage } as JsonObject, {
			message: safeMessage,
			description: redact(description, secrets),
			itemIndex,
		});
	}
}
