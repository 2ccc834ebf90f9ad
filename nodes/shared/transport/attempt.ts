import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../../../credentials/smartcar-credential';
import { isExpiring, noteRefusal } from '../../../credentials/smartcar-token';
import { parseSmartcarError, type SmartcarErrorInfo } from '../api-error';
import { errorCodeOf, errorResponseOf, type ErrorResponse } from '../http-failure';
import { headerValue } from '../values';
import { cancelSignalOf, REQUEST_LIMITS, type SentRequest, type SmartcarContext, type SmartcarResponse } from './request';

/** What one attempt came to: an answer, an HTTP error answer, or no answer at all (and why). */
export type Attempt =
	| { kind: 'ok'; response: SmartcarResponse }
	| { kind: 'http'; response: ErrorResponse; info: SmartcarErrorInfo }
	| { kind: 'network'; error: unknown; code?: string; stopped: boolean; deadline: boolean };

/** An attempt that failed: an HTTP error answer or no answer. */
export type Failed = Exclude<Attempt, { kind: 'ok' }>;

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
function requestOptions(url: string, request: SentRequest, signal: AbortSignal, passUnauthorized: boolean): IHttpRequestOptions {
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

/** One request through n8n's HTTP helper with the credential, bounded by `signal`. */
async function call(context: SmartcarContext, options: IHttpRequestOptions, signal: AbortSignal): Promise<IN8nHttpFullResponse> {
	return (await context.helpers.httpRequestWithAuthentication.call(withAbortSignal(context, signal), CREDENTIAL_NAME, options)) as IN8nHttpFullResponse;
}

/**
 * One request through n8n's HTTP helper with the credential (`tokenKey`: its key in the token cache): never follows
 * a redirect, bounded in time.
 */
export async function attempt(context: SmartcarContext, tokenKey: string, url: string, request: SentRequest): Promise<Attempt> {
	const stop = cancelSignalOf(context);
	const deadline = AbortSignal.timeout(REQUEST_LIMITS.deadlineMs);
	const signal = stop ? AbortSignal.any([stop, deadline]) : deadline;
	const options = requestOptions(url, request, signal, isExpiring(tokenKey));
	try {
		let response = await call(context, options, signal);
		// A 401 means nothing was carried out. Noting it tells the credential that the token this request carried was
		// refused, so it is not sent again (smartcar-token.ts); asking again without ignoring the status makes n8n send
		// the request with a placeholder, get the 401, renew the token and repeat the request once.
		if (response.statusCode === 401) {
			noteRefusal(options);
			response = await call(context, { ...options, ignoreHttpStatusErrors: false }, signal);
		}
		return attemptOf(response);
	} catch (error) {
		const response = errorResponseOf(error);
		if (response) return { kind: 'http', response, info: parseSmartcarError(response.status, response.body, response.headers) };
		return { kind: 'network', error, code: errorCodeOf(error), stopped: stop?.aborted === true, deadline: deadline.aborted };
	}
}

/** An answer the request's `acceptStatuses` make a success, as the response it returns. */
export function acceptedResponse(response: ErrorResponse): SmartcarResponse {
	const headers = response.headers ?? {};
	return { status: response.status, body: response.body, headers, requestId: headerValue(headers, 'sc-request-id') };
}
