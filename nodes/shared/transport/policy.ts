import type { IHttpRequestMethods } from 'n8n-workflow';

import { tokenFailureOf } from '../http-failure';
import type { Attempt, Failed } from './attempt';

/**
 * Which failed attempts are sent again, and how often: 429 after Smartcar's `retry-after`, 5xx and dropped
 * connections for reads. Anything that changes state is sent at most once unless it never left this machine.
 */
export const RETRY_POLICY = {
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

/** Statuses after which the outcome of a request is unknown: Smartcar (or the automaker) may have carried it out. */
const OUTCOME_UNKNOWN_STATUSES = new Set([500, 502, 503, 504]);
/** Network failures after the request may have reached Smartcar: reads retry them, state changes must not. */
const AFTER_SENDING_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
/** Network failures before the request left this machine: safe to retry for every request. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

/** The one rule for "is this a read": everything but GET may change state (a command, a deletion). */
export function changesState(method: IHttpRequestMethods): boolean {
	return method !== 'GET';
}

/** Whether an attempt failed before its request left this machine (its send slot can be given back). */
export function neverSent(attempt: Attempt): boolean {
	if (attempt.kind !== 'network') return false;
	return tokenFailureOf(attempt.error) !== undefined || (attempt.code !== undefined && NEVER_SENT_CODES.has(attempt.code));
}

/** Whether a request's `acceptStatuses` makes this status an answer: only client errors, and never a 429. */
export function isAccepted(status: number, accepted: readonly number[] | undefined): boolean {
	return accepted !== undefined && status >= 400 && status < 500 && status !== 429 && accepted.includes(status);
}

/**
 * Whether an attempt that failed may be sent again. Reads: 5xx and dropped connections. Anything that changes
 * state only when the request never left this machine: after a 5xx, a reset or a timeout it may have run, and
 * sending it twice could unlock a car twice.
 */
function mayRetry(attempt: Failed, stateChange: boolean): boolean {
	if (attempt.kind === 'http') return !stateChange && OUTCOME_UNKNOWN_STATUSES.has(attempt.response.status);
	if (attempt.stopped || attempt.deadline || attempt.code === undefined) return false;
	if (NEVER_SENT_CODES.has(attempt.code)) return true;
	return !stateChange && AFTER_SENDING_CODES.has(attempt.code);
}

/** Whether a failed attempt's outcome is unknown: a state change that may have been carried out. */
export function outcomeIsUnknown(attempt: Failed, stateChange: boolean): boolean {
	if (!stateChange) return false;
	if (attempt.kind === 'http') return OUTCOME_UNKNOWN_STATUSES.has(attempt.response.status);
	return attempt.deadline || (attempt.code !== undefined && AFTER_SENDING_CODES.has(attempt.code));
}

/** The retries one request has used so far. */
export interface RetryCount {
	rateLimitRetries: number;
	rateLimitAnswers: number;
	serverRetries: number;
}

/**
 * After a 429: the seconds to wait before sending again, or undefined when no retry is left. `given` is Smartcar's
 * `retry-after`; `counts` says whether this 429 counts against `maxRateLimitRetries`.
 */
export function rateLimitWait(count: RetryCount, given: number | undefined, counts: boolean, stateChange: boolean): number | undefined {
	if (counts && count.rateLimitRetries >= RETRY_POLICY.maxRateLimitRetries) return undefined;
	count.rateLimitAnswers += 1;
	if (count.rateLimitAnswers >= RETRY_POLICY.maxRateLimitAnswers) return undefined;
	const wait = given ?? (stateChange ? undefined : RETRY_POLICY.defaultRateLimitWaitSeconds);
	if (wait === undefined || wait > RETRY_POLICY.maxRateLimitWaitSeconds) return undefined;
	if (counts) count.rateLimitRetries += 1;
	return wait;
}

/** After any other failure: the milliseconds to back off before sending again, or undefined when it is not retried. */
export function serverBackoff(count: RetryCount, attempt: Failed, stateChange: boolean): number | undefined {
	if (!mayRetry(attempt, stateChange) || count.serverRetries >= RETRY_POLICY.maxServerRetries) return undefined;
	const ms = RETRY_POLICY.serverBackoffMs * 2 ** count.serverRetries;
	count.serverRetries += 1;
	return ms;
}
