import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { displayUrl, redact, redactDeep, redirectTarget, secretsOf } from '../../credentials/redact';
import {
	CREDENTIAL_NAME,
	credentialText,
	maxRequestsPerSecond,
	resolveEndpoints,
	tokenPartsOf,
	type SmartcarEndpoints,
} from '../../credentials/smartcar-credential';
import { cachedTokens, isExpiring, noteRefusal, tokenCacheKey } from '../../credentials/smartcar-token';
import { errorCodeOf, errorMessageOf, errorResponseOf, tokenFailureOf, type ErrorResponse } from './http-failure';
import { describeSmartcarError, parseSmartcarError, type SmartcarErrorInfo } from './api-error';
import { connectStateKey } from './connect-state';
import { MAX_PAGE_SIZE, parseConnectionsPage, type NormalizedConnection } from './connections';
import { QUOTA_ADVICE, rateLimiterFor, rateLimiterKey, slotRefusal, type Clearance, type PauseRef, type RateLimiter, type SlotRef } from './rate-limiter';
import { pathRefusal, resolvePagingLink } from './request-target';
import { headerValue } from './values';

/**
 * The one way this package talks to Smartcar: the Vehicle API and the Management API. Authentication (application
 * token, renewed by n8n once on a 401) comes from the `smartcarApi` credential through
 * `httpRequestWithAuthentication`; this layer adds the base URL, the `sc-user-id` header, bounded retries for 429 and
 * 5xx (state changes at most once), no redirects, deadlines, and errors that say what to do. Every request passes the
 * credential's rate limiter first (rate-limiter.ts): the pauses Smartcar asked for and Max Requests per Second.
 */

/** Where a client runs: a node execution, an editor list search, or a trigger's publish hooks (webhookMethods). */
type SmartcarContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions;

/** Which Smartcar API a request goes to: the Vehicle API (default) or the Management API (webhooks, subscriptions). */
export type SmartcarApiName = 'vehicle' | 'management';

interface SmartcarRequest {
	method: IHttpRequestMethods;
	/** Path below the API's base URL, e.g. `/vehicles/{id}/signals`. */
	path: string;
	/** Default `vehicle`. Both take the same application token; only the base URL differs. */
	api?: SmartcarApiName;
	/** Sent as `sc-user-id`: whose vehicles are meant. */
	userId?: string;
	qs?: IDataObject;
	body?: IDataObject;
	/**
	 * For a request that changes state (anything but GET): what the user can read to learn whether it ran, quoted
	 * when the outcome is unknown (e.g. "Read the signal closure-islocked to see whether the doors locked.").
	 */
	verifyHint?: string;
	/**
	 * Client-error statuses (400–499, never 429) that are an answer here rather than an error, e.g. 409 "already
	 * subscribed" or 404 on a DELETE of something already gone: returned like a success, with Smartcar's body.
	 */
	acceptStatuses?: readonly number[];
}

interface SmartcarResponse {
	status: number;
	body: unknown;
	headers: IDataObject;
	requestId?: string;
}

/** Told with a 401/403 from the Management API: which token went there, and where to look. */
const MANAGEMENT_AUTH_ADVICE =
	'The Management API was called with the application token of this credential (its Client ID and Client Secret, client-credentials grant), not with the Application Management Token. ' +
	'Check in the Smartcar Dashboard that this client ID belongs to the application that owns the webhooks, and that the application may use the Management API.';

/** Told with a 404 from the Management API, instead of the Vehicle API's advice. */
const MANAGEMENT_NOT_FOUND_ADVICE =
	'Check the IDs: the webhook or subscription may not exist, or the vehicle may not be connected by that user. ' +
	'Webhook → Get Many, Subscription → Get Many and Connection → Get Many list what exists.';

const RETRY_POLICY = {
	/**
	 * 429: retries after Smartcar's `retry-after`, as long as it asks for no more than `maxRateLimitWaitSeconds`. The
	 * wait is the credential's: every request of the application (RATE_LIMIT:SMARTCAR_API) or of the vehicle
	 * (RATE_LIMIT:VEHICLE) waits too, and fails at once when the pause is longer than that bound.
	 */
	maxRateLimitRetries: 3,
	/**
	 * A 429 answered right after waiting for a pause another request was given does not count against
	 * `maxRateLimitRetries` (many requests waited for the same pause; Smartcar lets only some through), but a request
	 * takes at most this many 429s in all.
	 */
	maxRateLimitAnswers: 20,
	maxRateLimitWaitSeconds: 60,
	defaultRateLimitWaitSeconds: 2,
	/** 500/502/503/504 and dropped connections (reads only): exponential back-off from `serverBackoffMs`. */
	maxServerRetries: 3,
	serverBackoffMs: 500,
} as const;

/**
 * Time limits of one request. `idleTimeoutMs` ends a request whose connection goes quiet; `deadlineMs` ends it
 * however it is going (a server trickling bytes never goes quiet). Specs shorten them; nothing else changes them.
 */
export const REQUEST_LIMITS = { idleTimeoutMs: 60_000, deadlineMs: 120_000 };

/** Statuses after which the outcome of a request is unknown: Smartcar (or the automaker) may have carried it out. */
const OUTCOME_UNKNOWN_STATUSES = new Set([500, 502, 503, 504]);
/** Network failures after the request may have reached Smartcar: reads retry them, state changes must not. */
const AFTER_SENDING_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
/** Network failures before the request left this machine: safe to retry for every request. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
/** The vehicle a request is for, from its path `…/vehicles/{id}…`; undefined for requests about no one vehicle. */
function vehicleIdOf(url: string): string | undefined {
	const match = /\/vehicles\/([^/?#]+)/.exec(new URL(url).pathname);
	if (!match) return undefined;
	try {
		return decodeURIComponent(match[1]);
	} catch {
		return match[1];
	}
}

/** A guard against a server whose `next` never ends: 1,000 pages of 100 is far above any real fleet. */
const MAX_PAGES = 1000;

/** What one attempt came to: an answer, an HTTP error answer, or no answer at all (and why). */
type Attempt =
	| { kind: 'ok'; response: SmartcarResponse }
	| { kind: 'http'; response: ErrorResponse; info: SmartcarErrorInfo }
	| { kind: 'network'; error: unknown; code?: string; stopped: boolean; deadline: boolean };

/** The execution's cancel signal (a user stopped it), where the context has one. */
function cancelSignalOf(context: SmartcarContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

/**
 * The context the HTTP helper runs with, answering `getExecutionCancelSignal` with `signal`: n8n 2.x replaces a
 * request's `abortSignal` with the execution's cancel signal, so this is how a request gets its total deadline
 * (the signal given aborts on the deadline and on a stop). Every other member is the real context's.
 */
function withAbortSignal(context: SmartcarContext, signal: AbortSignal): SmartcarContext {
	return new Proxy(context, {
		get(target, property) {
			if (property === 'getExecutionCancelSignal') return () => signal;
			const value: unknown = Reflect.get(target, property, target);
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}

/**
 * The options of every request: the answer read whatever its status, never a redirect followed, an idle timeout, and
 * `signal` for the total deadline and a stop. A 401 goes straight to n8n (which renews the token and repeats the
 * request) only with `passUnauthorized`, when the token is known to be expiring; otherwise it comes back here first.
 */
function requestOptions(url: string, request: Omit<SmartcarRequest, 'path'>, signal: AbortSignal, passUnauthorized: boolean): IHttpRequestOptions {
	const headers: IDataObject = { Accept: 'application/json' };
	if (request.userId) headers['sc-user-id'] = request.userId;
	const options: IHttpRequestOptions = {
		method: request.method,
		url,
		headers,
		qs: request.qs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: passUnauthorized ? { ignore: true, except: [401] } : true,
		timeout: REQUEST_LIMITS.idleTimeoutMs,
		json: true,
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		abortSignal: signal,
	};
	if (request.body !== undefined) options.body = request.body;
	return options;
}

/** An answer as an attempt: 2xx is done; any other status is Smartcar's error answer (or a redirect). */
function attemptOf(response: IN8nHttpFullResponse): Attempt {
	const headers: IDataObject = (response.headers as IDataObject | undefined) ?? {};
	const status = response.statusCode;
	if (status >= 200 && status < 300) {
		return { kind: 'ok', response: { status, body: response.body, headers, requestId: headerValue(headers, 'sc-request-id') } };
	}
	return { kind: 'http', response: { status, body: response.body, headers }, info: parseSmartcarError(status, response.body, headers) };
}

/** Whether an attempt failed before its request left this machine (its send slot can be given back). */
function neverSent(attempt: Attempt): boolean {
	if (attempt.kind !== 'network') return false;
	return tokenFailureOf(attempt.error) !== undefined || (attempt.code !== undefined && NEVER_SENT_CODES.has(attempt.code));
}

/** Whether a request's `acceptStatuses` makes this status an answer: only client errors, and never a 429. */
function isAccepted(status: number, accepted: readonly number[] | undefined): boolean {
	return accepted !== undefined && status >= 400 && status < 500 && status !== 429 && accepted.includes(status);
}

interface ListConnectionsOptions {
	userId?: string;
	vehicleId?: string;
	/** Stop after this many connections; undefined = all. */
	limit?: number;
}

export class SmartcarClient {
	/** The credential's limiter, shared with every other client of the same credential in this process. */
	private readonly limiter: RateLimiter;
	/** The credential's key in the token cache: where a 401 is noted. */
	private readonly tokenKey: string;
	/** When this client (one node run) started: a pause Smartcar asked for before it is not refused to it. */
	private readonly startedAt = Date.now();

	private constructor(
		private readonly context: SmartcarContext,
		private readonly credentials: ICredentialDataDecryptedObject,
		readonly endpoints: SmartcarEndpoints,
	) {
		this.tokenKey = tokenCacheKey(tokenPartsOf(credentials));
		// The credential's own limiter, by its n8n ID: another credential (even of the same client ID) never shares it.
		const credential = context.getNode().credentials?.[CREDENTIAL_NAME]?.id ?? this.tokenKey;
		this.limiter = rateLimiterFor(rateLimiterKey({ ...endpoints, credential, clientId: credentialText(credentials, 'clientId') }));
	}

	/** Reads the credential once per node run: its endpoints, and its secrets so no message can carry them. */
	static async create(context: SmartcarContext): Promise<SmartcarClient> {
		const credentials = await context.getCredentials(CREDENTIAL_NAME);
		return new SmartcarClient(context, credentials, resolveEndpoints(credentials));
	}

	get clientId(): string {
		return credentialText(this.credentials, 'clientId');
	}

	/** The key that signs and checks Connect states for this credential (derived from its client secret). */
	get connectStateKey(): Buffer {
		return connectStateKey(credentialText(this.credentials, 'clientSecret'));
	}

	async request(request: SmartcarRequest, itemIndex = 0): Promise<SmartcarResponse> {
		const refused = pathRefusal(request.path);
		if (refused) throw await this.safeError({ path: request.path }, refused, itemIndex);
		return await this.send(`${this.base(request).url}${request.path}`, request, itemIndex);
	}

	/** The base URL a request goes to, and the credential field that sets it (named in errors). */
	private base(request: Pick<SmartcarRequest, 'api'>): { url: string; field: string } {
		return request.api === 'management'
			? { url: this.endpoints.managementApiUrl, field: 'Management API Base URL' }
			: { url: this.endpoints.apiBaseUrl, field: 'API Base URL' };
	}

	/**
	 * Follows a paging link Smartcar returned (absolute, or relative to the API's base URL). The bearer token is only
	 * ever sent under the credential's base URL of that API (request-target.ts says what is refused).
	 */
	async follow(link: string, request: Omit<SmartcarRequest, 'path'>, itemIndex = 0): Promise<SmartcarResponse> {
		const { url: baseUrl, field } = this.base(request);
		const resolved = resolvePagingLink(link, new URL(`${baseUrl}/`), field);
		if ('refused' in resolved) throw await this.safeError({ link: resolved.shownLink }, resolved.refused, itemIndex);
		return await this.send(resolved.url.toString(), { ...request, qs: undefined }, itemIndex);
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
		const changesState = request.method !== 'GET';
		const vehicleId = vehicleIdOf(url);
		let rateLimitRetries = 0;
		let rateLimitAnswers = 0;
		let serverRetries = 0;
		let ownPause: PauseRef | undefined;
		for (;;) {
			const { slot, waitedFor } = await this.clearance(vehicleId, itemIndex);
			const attempt = await this.attempt(url, request);
			if (attempt.kind === 'ok') return attempt.response;
			if (neverSent(attempt)) this.limiter.release(slot);
			if (attempt.kind === 'http' && isAccepted(attempt.response.status, request.acceptStatuses)) {
				const headers = attempt.response.headers ?? {};
				return { status: attempt.response.status, body: attempt.response.body, headers, requestId: headerValue(headers, 'sc-request-id') };
			}
			if (attempt.kind === 'http' && attempt.response.status === 429) {
				const shared = this.sharePause(attempt.info, vehicleId);
				const counts = waitedFor === undefined || waitedFor === ownPause;
				ownPause = shared;
				const given = attempt.info.retryAfterSeconds;
				const wait = given ?? (changesState ? undefined : RETRY_POLICY.defaultRateLimitWaitSeconds);
				const retriesLeft = (!counts || rateLimitRetries < RETRY_POLICY.maxRateLimitRetries) && ++rateLimitAnswers < RETRY_POLICY.maxRateLimitAnswers;
				if (retriesLeft && wait !== undefined && wait <= RETRY_POLICY.maxRateLimitWaitSeconds) {
					if (counts) rateLimitRetries++;
					// A shared pause is waited for by the clearance before the next attempt.
					if (!shared) await this.pause(wait * 1000, itemIndex);
					continue;
				}
			}
			if (this.mayRetry(attempt, changesState) && serverRetries < RETRY_POLICY.maxServerRetries) {
				await this.pause(RETRY_POLICY.serverBackoffMs * 2 ** serverRetries++, itemIndex);
				continue;
			}
			throw await this.errorFor(attempt, url, request, itemIndex);
		}
	}

	/**
	 * Tells the credential's limiter about a 429 with `retry-after`, so every request it concerns waits: the
	 * vehicle's for RATE_LIMIT:VEHICLE, the application's for any other 429. Whether it did (a 429 without
	 * `retry-after`, or a vehicle limit on a request for no one vehicle, is this request's alone): the pause now in
	 * force, or undefined when none was shared.
	 */
	private sharePause(info: SmartcarErrorInfo, vehicleId: string | undefined): PauseRef | undefined {
		const seconds = info.retryAfterSeconds;
		if (seconds === undefined) return undefined;
		if (info.code !== 'VEHICLE') return this.limiter.pause(undefined, seconds, Date.now());
		return vehicleId === undefined ? undefined : this.limiter.pause(vehicleId, seconds, Date.now());
	}

	/**
	 * Waits until the credential's limiter lets a request (for `vehicleId`, if any) go: the pauses Smartcar asked
	 * for, then a slot under Max Requests per Second. A pause or a slot further away than the bound fails at once,
	 * without sending; a slot waited for is given back when the wait is stopped or a pause comes first. Returns the
	 * slot taken and the last pause waited for, if any.
	 */
	private async clearance(vehicleId: string | undefined, itemIndex: number): Promise<{ slot: SlotRef; waitedFor?: PauseRef }> {
		const maxWaitMs = RETRY_POLICY.maxRateLimitWaitSeconds * 1000;
		const quota = maxRequestsPerSecond(this.credentials);
		if ('problem' in quota) {
			throw new NodeOperationError(this.context.getNode(), quota.problem, { itemIndex, description: QUOTA_ADVICE });
		}
		let waitedFor: PauseRef | undefined;
		for (;;) {
			const clearance = this.limiter.clearance(vehicleId, Date.now(), this.startedAt, maxWaitMs);
			if (clearance.kind === 'refused') throw await this.pausedError(clearance, itemIndex);
			if (clearance.kind === 'wait') {
				waitedFor = clearance.pause;
				await this.pause(clearance.ms, itemIndex);
				continue;
			}
			const taken = this.limiter.reserveSlot(Date.now(), quota.perSecond, maxWaitMs);
			if (taken.kind === 'refused') {
				const { message, description } = slotRefusal(quota.perSecond, taken.seconds, RETRY_POLICY.maxRateLimitWaitSeconds);
				throw new NodeOperationError(this.context.getNode(), message, { itemIndex, description });
			}
			if (taken.ms > 0) await this.pause(taken.ms, itemIndex).catch((error: unknown) => this.releaseAndThrow(taken.slot, error));
			// Smartcar may have asked for a pause while this request waited for its slot.
			if (taken.ms <= 0 || this.limiter.clearance(vehicleId, Date.now(), this.startedAt, maxWaitMs).kind === 'go') return { slot: taken.slot, waitedFor };
			this.limiter.release(taken.slot);
		}
	}

	private releaseAndThrow(slot: SlotRef, error: unknown): never {
		this.limiter.release(slot);
		throw error;
	}

	/** A request not sent because Smartcar asked this application or vehicle to wait longer than the bound. */
	private async pausedError(clearance: Extract<Clearance, { kind: 'refused' }>, itemIndex: number): Promise<NodeApiError> {
		const { vehicleId, seconds } = clearance;
		const code = vehicleId === undefined ? 'SMARTCAR_API' : 'VEHICLE';
		const whose = vehicleId === undefined ? 'this application' : `vehicle ${vehicleId}`;
		return await this.safeError(
			{ status: 429, type: 'RATE_LIMIT', code, retryAfterSeconds: seconds },
			{
				message: `Smartcar's rate limit pauses ${whose} for another ${seconds} s, longer than the ${RETRY_POLICY.maxRateLimitWaitSeconds} s this node waits; the request was not sent`,
				description:
					`An earlier request got HTTP 429 RATE_LIMIT:${code} from Smartcar, asking to wait. This request was not sent, so nothing was carried out. ` +
					'Run it again after that time. Max Requests per Second in the Smartcar API credential keeps requests under a known quota so that Smartcar need not pause them.',
				httpCode: '429',
			},
			itemIndex,
		);
	}

	/**
	 * Whether an attempt that failed may be sent again. Reads: 5xx and dropped connections. Anything that changes
	 * state (a command, a deletion) only when the request never left this machine: after a 5xx, a reset or a
	 * timeout it may have run, and sending it twice could unlock a car twice.
	 */
	private mayRetry(attempt: Exclude<Attempt, { kind: 'ok' }>, changesState: boolean): boolean {
		if (attempt.kind === 'http') return !changesState && OUTCOME_UNKNOWN_STATUSES.has(attempt.response.status);
		if (attempt.stopped || attempt.deadline || attempt.code === undefined) return false;
		if (NEVER_SENT_CODES.has(attempt.code)) return true;
		return !changesState && AFTER_SENDING_CODES.has(attempt.code);
	}

	/** One request through n8n's HTTP helper with the credential: never follows a redirect, bounded in time. */
	private async attempt(url: string, request: Omit<SmartcarRequest, 'path'>): Promise<Attempt> {
		const stop = cancelSignalOf(this.context);
		const deadline = AbortSignal.timeout(REQUEST_LIMITS.deadlineMs);
		const signal = stop ? AbortSignal.any([stop, deadline]) : deadline;
		const options = requestOptions(url, request, signal, isExpiring(this.tokenKey));
		try {
			let response = await this.call(options, signal);
			// A 401 means nothing was carried out. Noting it tells the credential that the token this request carried was
			// refused, so it is not sent again (smartcar-token.ts); asking again without ignoring the status makes n8n send
			// the request with a placeholder, get the 401, renew the token and repeat the request once.
			if (response.statusCode === 401) {
				noteRefusal(options);
				response = await this.call({ ...options, ignoreHttpStatusErrors: false }, signal);
			}
			return attemptOf(response);
		} catch (error) {
			const response = errorResponseOf(error);
			if (response) return { kind: 'http', response, info: parseSmartcarError(response.status, response.body, response.headers) };
			return { kind: 'network', error, code: errorCodeOf(error), stopped: stop?.aborted === true, deadline: deadline.aborted };
		}
	}

	/** One request through n8n's HTTP helper with the credential, bounded by `signal`. */
	private async call(options: IHttpRequestOptions, signal: AbortSignal): Promise<IN8nHttpFullResponse> {
		return (await this.context.helpers.httpRequestWithAuthentication.call(withAbortSignal(this.context, signal), CREDENTIAL_NAME, options)) as IN8nHttpFullResponse;
	}

	/** Waits (before a retry, between polls); a stopped execution stops waiting at once. */
	async pause(ms: number, itemIndex: number): Promise<void> {
		const stop = cancelSignalOf(this.context);
		if (!stop) return await sleep(ms);
		if (stop.aborted) throw this.stoppedError(itemIndex);
		await new Promise<void>((resolve, reject) => {
			const onStop = () => reject(this.stoppedError(itemIndex));
			stop.addEventListener('abort', onStop, { once: true });
			void sleep(ms).then(() => {
				stop.removeEventListener('abort', onStop);
				resolve();
			});
		});
	}

	private stoppedError(itemIndex: number): NodeOperationError {
		return new NodeOperationError(this.context.getNode(), 'The execution was stopped while waiting for Smartcar', { itemIndex });
	}

	/** The error for a failed attempt that is not retried. */
	private async errorFor(
		attempt: Exclude<Attempt, { kind: 'ok' }>,
		url: string,
		request: Omit<SmartcarRequest, 'path'>,
		itemIndex: number,
	): Promise<NodeApiError | NodeOperationError> {
		const changesState = request.method !== 'GET';
		if (attempt.kind === 'network' && attempt.stopped) return this.stoppedError(itemIndex);
		if (attempt.kind === 'http') {
			const { status, headers } = attempt.response;
			if (status >= 300 && status < 400) return await this.redirectError(status, headerValue(headers, 'location'), url, request, itemIndex);
			if (changesState && OUTCOME_UNKNOWN_STATUSES.has(status)) return await this.outcomeUnknown(attempt, request, itemIndex);
			return await this.apiError(attempt.info, itemIndex, request.api, url);
		}
		if (changesState && (attempt.deadline || (attempt.code !== undefined && AFTER_SENDING_CODES.has(attempt.code)))) {
			return await this.outcomeUnknown(attempt, request, itemIndex);
		}
		return await this.failure(attempt, request, itemIndex);
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

	/** A NodeApiError with every field (message, description, the error response, the context) redacted. */
	private async safeError(
		errorResponse: JsonObject,
		fields: { message: string; description: string; httpCode?: string },
		itemIndex: number,
	): Promise<NodeApiError> {
		const secrets = await this.secrets();
		const error = new NodeApiError(this.context.getNode(), redactDeep(errorResponse, secrets), {
			message: redact(fields.message, secrets),
			description: redact(fields.description, secrets),
			httpCode: fields.httpCode,
			itemIndex,
		});
		error.context = redactDeep(error.context, secrets);
		return error;
	}

	/**
	 * A Smartcar error answer as a NodeApiError built from the parsed body only (never the HTTP client's error). A 401
	 * or 403 from the Management API says which token was sent there and where to look; a 404 there, which IDs to check.
	 * A 403 from the Vehicle API names the permission the request at `url` needed and how to get it.
	 */
	async apiError(info: SmartcarErrorInfo, itemIndex: number, api: SmartcarApiName = 'vehicle', url?: string): Promise<NodeApiError> {
		const path = api === 'vehicle' && url !== undefined ? new URL(url).pathname : undefined;
		const described = describeSmartcarError(info, api === 'management' && info.status === 404 ? MANAGEMENT_NOT_FOUND_ADVICE : undefined, path);
		const description =
			api === 'management' && (info.status === 401 || info.status === 403) ? `${MANAGEMENT_AUTH_ADVICE} ${described.description}` : described.description;
		return await this.safeError(info as JsonObject, { message: described.message, description, httpCode: String(info.status) }, itemIndex);
	}

	/** A 3xx: never followed, so no credential reaches another host; only the status and the target's origin are named. */
	private async redirectError(
		status: number,
		location: string | undefined,
		url: string,
		request: Pick<SmartcarRequest, 'api'>,
		itemIndex: number,
	): Promise<NodeApiError> {
		const target = redirectTarget(location, url);
		const base = this.base(request);
		return await this.safeError(
			{ status, redirectedTo: target },
			{
				message: `Smartcar answered with a redirect (HTTP ${status}) to ${target}; it was not followed`,
				description:
					`This package never follows redirects, so the application token is only ever sent to the ${base.field} (${displayUrl(base.url)}). ` +
					`Check the ${base.field} of the Smartcar API credential: a proxy in front of Smartcar must answer requests itself.`,
				httpCode: String(status),
			},
			itemIndex,
		);
	}

	/**
	 * A command or deletion whose outcome is unknown (5xx, a reset after sending, no answer in time): it is not
	 * sent again, and the error says so and what to read to find out.
	 */
	private async outcomeUnknown(
		attempt: Exclude<Attempt, { kind: 'ok' }>,
		request: Omit<SmartcarRequest, 'path'>,
		itemIndex: number,
	): Promise<NodeApiError> {
		const what =
			attempt.kind === 'http'
				? `HTTP ${attempt.response.status}${attempt.info.type ? ` ${attempt.info.type}` : ''}`
				: attempt.deadline
					? `no answer within ${Math.round(REQUEST_LIMITS.deadlineMs / 1000)} s`
					: 'the connection was lost after the request was sent';
		const info = attempt.kind === 'http' ? attempt.info : undefined;
		const smartcarSaid = info ? describeSmartcarError(info).message : undefined;
		const description = [
			'It was not sent again: a command or deletion is sent at most once, because sending it twice could repeat it.',
			request.verifyHint,
			// Network codes go here, not into the message: n8n replaces a message naming ECONNRESET with generic text.
			attempt.kind === 'network' && attempt.code ? `Reason: ${attempt.code}.` : undefined,
			smartcarSaid ? `Smartcar said: ${smartcarSaid}.` : undefined,
			info?.requestId ? `Smartcar request ID: ${info.requestId}.` : undefined,
		]
			.filter((part) => part !== undefined)
			.join(' ');
		return await this.safeError(
			// Not `code`: n8n swaps the message of an error response whose `code` is a network code for generic text.
			(info ?? { reason: attempt.kind === 'network' ? (attempt.code ?? null) : null }) as JsonObject,
			{
				message: `Smartcar did not confirm the request; it may or may not have been carried out (${what})`,
				description,
				httpCode: info ? String(info.status) : undefined,
			},
			itemIndex,
		);
	}

	/**
	 * No HTTP answer: the token exchange failed (its message is already safe) or the network did. Reasons such as
	 * ECONNREFUSED go into the description: n8n replaces a message naming them with its own generic text.
	 */
	private async failure(
		attempt: Extract<Attempt, { kind: 'network' }>,
		request: Pick<SmartcarRequest, 'api'>,
		itemIndex: number,
	): Promise<NodeApiError> {
		const { error } = attempt;
		const base = this.base(request);
		const tokenFailure = tokenFailureOf(error);
		let message: string;
		let description: string;
		if (tokenFailure) {
			({ message, description } = tokenFailure);
		} else if (attempt.deadline) {
			message = `Smartcar at ${displayUrl(base.url)} did not answer within ${Math.round(REQUEST_LIMITS.deadlineMs / 1000)} s`;
			description = `The request was stopped so the workflow does not wait forever. Try again later; if it persists, check the ${base.field} of the Smartcar API credential.`;
		} else {
			message = `Could not reach Smartcar at ${displayUrl(base.url)}`;
			description = `Reason: ${attempt.code ?? errorMessageOf(error)}. Check the network and, for a custom environment, the ${base.field} of the Smartcar API credential.`;
		}
		return await this.safeError({ message }, { message, description }, itemIndex);
	}
}
