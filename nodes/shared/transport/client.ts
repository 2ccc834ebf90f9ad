import type { ICredentialDataDecryptedObject, JsonObject, NodeApiError } from 'n8n-workflow';

import { CREDENTIAL_NAME, credentialText, resolveEndpoints, tokenPartsOf, type SmartcarEndpoints } from '../../../credentials/smartcar-credential';
import { tokenCacheKey } from '../../../credentials/smartcar-token';
import { connectStateKey } from '../connect-state';
import { rateLimiterFor, rateLimiterKey, type PauseRef } from '../rate-limiter';
import { pathRefusal, resolvePagingLink } from '../request-target';
import { acceptedResponse, attempt } from './attempt';
import { errorFor, safeError } from './errors';
import { changesState, isAccepted, neverSent, rateLimitWait, serverBackoff, type RetryCount } from './policy';
import { baseOf, type SentRequest, type Session, type SmartcarContext, type SmartcarRequest, type SmartcarResponse } from './request';
import { clearance, pause, sharePause, type LimiterSeat } from './waits';

/**
 * The one way this package talks to Smartcar: the Vehicle API and the Management API. Authentication (application
 * token, renewed by n8n once on a 401) comes from the `smartcarApi` credential through
 * `httpRequestWithAuthentication`; this layer adds the base URL, the `sc-user-id` header, bounded retries for 429 and
 * 5xx (state changes at most once, policy.ts), no redirects, deadlines, and errors that say what to do (errors.ts).
 * Every request passes the credential's rate limiter first (waits.ts): the pauses Smartcar asked for and Max
 * Requests per Second.
 */

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

export class SmartcarClient {
	private readonly session: Session;
	/** The credential's key in the token cache: where a 401 is noted. */
	private readonly tokenKey: string;
	/** The credential's limiter, shared with every other client of the same credential in this process. */
	private readonly seat: LimiterSeat;

	private constructor(
		context: SmartcarContext,
		private readonly credentials: ICredentialDataDecryptedObject,
		readonly endpoints: SmartcarEndpoints,
	) {
		this.session = { context, credentials, endpoints };
		this.tokenKey = tokenCacheKey(tokenPartsOf(credentials));
		// The credential's own limiter, by its n8n ID: another credential (even of the same client ID) never shares it.
		const credential = context.getNode().credentials?.[CREDENTIAL_NAME]?.id ?? this.tokenKey;
		const limiter = rateLimiterFor(rateLimiterKey({ ...endpoints, credential, clientId: credentialText(credentials, 'clientId') }));
		// When this client (one node run) started: a pause Smartcar asked for before it is not refused to it.
		this.seat = { limiter, startedAt: Date.now() };
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
		if (refused) throw await safeError(this.session, { path: request.path }, refused, itemIndex);
		return await this.send(`${baseOf(this.endpoints, request.api).url}${request.path}`, request, itemIndex);
	}

	/**
	 * Follows a paging link Smartcar returned (absolute, or relative to the API's base URL). The bearer token is only
	 * ever sent under the credential's base URL of that API (request-target.ts says what is refused).
	 */
	async follow(link: string, request: SentRequest, itemIndex = 0): Promise<SmartcarResponse> {
		const { url: baseUrl, field } = baseOf(this.endpoints, request.api);
		const resolved = resolvePagingLink(link, new URL(`${baseUrl}/`), field);
		if ('refused' in resolved) throw await safeError(this.session, { link: resolved.shownLink }, resolved.refused, itemIndex);
		return await this.send(resolved.url.toString(), { ...request, qs: undefined }, itemIndex);
	}

	/**
	 * An error about a Smartcar answer that an operation or the trigger judged itself (a subscription that does not
	 * exist, no webhook with the trigger's URL), redacted like every other error of this client.
	 */
	async judgedError(errorResponse: JsonObject, fields: { message: string; description: string; httpCode?: string }, itemIndex = 0): Promise<NodeApiError> {
		return await safeError(this.session, errorResponse, fields, itemIndex);
	}

	/** Waits (before a retry, between polls); a stopped execution stops waiting at once. */
	async pause(ms: number, itemIndex: number): Promise<void> {
		await pause(this.session.context, ms, itemIndex);
	}

	/** Sends until an answer, a retry the policy refuses, or a stop: every attempt cleared by the limiter first. */
	private async send(url: string, request: SentRequest, itemIndex: number): Promise<SmartcarResponse> {
		const stateChange = changesState(request.method);
		const vehicleId = vehicleIdOf(url);
		const count: RetryCount = { rateLimitRetries: 0, rateLimitAnswers: 0, serverRetries: 0 };
		let ownPause: PauseRef | undefined;
		for (;;) {
			const { slot, waitedFor } = await clearance(this.session, this.seat, vehicleId, itemIndex);
			const tried = await attempt(this.session.context, this.tokenKey, url, request);
			if (tried.kind === 'ok') return tried.response;
			if (neverSent(tried)) this.seat.limiter.release(slot);
			if (tried.kind === 'http' && isAccepted(tried.response.status, request.acceptStatuses)) return acceptedResponse(tried.response);
			if (tried.kind === 'http' && tried.response.status === 429) {
				const shared = sharePause(this.seat.limiter, tried.info, vehicleId);
				const counts = waitedFor === undefined || waitedFor === ownPause;
				ownPause = shared;
				const wait = rateLimitWait(count, tried.info.retryAfterSeconds, counts, stateChange);
				// A shared pause is waited for by the clearance before the next attempt.
				if (wait !== undefined && !shared) await this.pause(wait * 1000, itemIndex);
				if (wait !== undefined) continue;
			}
			const backoff = serverBackoff(count, tried, stateChange);
			if (backoff === undefined) throw await errorFor(this.session, tried, url, request, itemIndex);
			await this.pause(backoff, itemIndex);
		}
	}
}
