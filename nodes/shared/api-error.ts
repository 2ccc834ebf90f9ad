import type { IDataObject } from 'n8n-workflow';

import { readErrorObject } from './error-object';
import { errorObjectOf } from './json-api';
import { permissionForPath, permissionName } from './permissions';
import { asString, compact, headerValue } from './values';

/**
 * A Smartcar API error answer — its status, headers and body, the error object in either of Smartcar's forms (see
 * error-object.ts) — read into one record, then described as a message that says what happened and what to do.
 */

/** Smartcar's overview of its errors, quoted when an error names no page of its own. */
const ERRORS_DOCS_URL = 'https://smartcar.com/docs/errors/overview';

export interface SmartcarErrorInfo extends IDataObject {
	status: number;
	type?: string;
	code?: string;
	title?: string;
	detail?: string;
	docsUrl?: string;
	requestId?: string;
	resolution?: string;
	suggestedUserMessage?: string;
	retryAfterSeconds?: number;
}

const STATUS_TYPES: Record<number, string> = {
	400: 'VALIDATION',
	401: 'AUTHENTICATION',
	403: 'PERMISSION',
	404: 'RESOURCE_NOT_FOUND',
	409: 'VEHICLE_STATE',
	429: 'RATE_LIMIT',
	430: 'BILLING',
	500: 'SERVER',
	501: 'COMPATIBILITY',
	502: 'UPSTREAM',
};

const ADVICE: Record<string, string> = {
	VALIDATION: 'Check the values of the node\'s fields.',
	AUTHENTICATION:
		'Smartcar rejected the application token even after it was renewed. Check the Client ID and Client Secret of the Smartcar API credential.',
	PERMISSION:
		'The driver did not grant the permission this operation needs. Send them a new Connect URL that asks for it (Connect → Get Authorization URL).',
	ACCESS_DENIED:
		'The driver did not grant the permission this operation needs. Send them a new Connect URL that asks for it (Connect → Get Authorization URL).',
	RESOURCE_NOT_FOUND:
		'Check the IDs: the vehicle, connection or user may not exist, or the user may have disconnected the vehicle. Connection → Get Many lists what is connected.',
	VEHICLE_STATE:
		'The vehicle is in a state that prevents this right now (for example asleep, unreachable or not plugged in). Try again later.',
	RATE_LIMIT: 'Smartcar\'s rate limit was reached and the retries ran out. Space the requests out or retry later.',
	BILLING:
		'The monthly call allowance for this vehicle or application is used up. It is not retried: wait for the next billing period or change the plan in the Smartcar Dashboard.',
	SERVER: 'Smartcar had an internal problem and the retries ran out. Try again later.',
	COMPATIBILITY: 'This vehicle does not support this operation.',
	UPSTREAM: 'The automaker\'s servers did not answer Smartcar and the retries ran out. Try again later.',
	CONNECTED_SERVICES_ACCOUNT:
		'The driver\'s account with the automaker needs attention (for example a subscription or terms to accept) in the automaker\'s app.',
};

/** `retry-after` in seconds (a number of seconds or an HTTP date); undefined when absent or unreadable. */
function retryAfterSeconds(headers: IDataObject | undefined, now: number = Date.now()): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return body.trim() === '' ? undefined : { detail: body.slice(0, 500) };
	}
}

/**
 * The error answer as one record. The OAuth2 fields `error` and `error_description` (a token endpoint, a proxy) stand
 * in for a missing title and detail; `type` falls back to the one Smartcar documents for the status.
 */
export function parseSmartcarError(status: number, rawBody: unknown, headers?: IDataObject): SmartcarErrorInfo {
	const source = errorObjectOf(parseBody(rawBody));
	const error = readErrorObject(source);
	return compact<SmartcarErrorInfo>({
		status,
		type: (error.type ?? STATUS_TYPES[status])?.toUpperCase(),
		code: error.code,
		title: error.title ?? asString(source.error),
		detail: error.detail ?? error.description ?? asString(source.error_description),
		docsUrl: error.docsUrl,
		requestId: headerValue(headers, 'sc-request-id') ?? asString(source.requestId),
		resolution: error.resolution,
		suggestedUserMessage: error.suggestedUserMessage,
		retryAfterSeconds: retryAfterSeconds(headers),
	});
}

/** How to get a permission the user did not grant: a new Connect link that asks for it. */
function grantAdvice(permission: string, what: string): string {
	const name = `${permissionName(permission)} (${permission})`;
	return (
		`${what} needs the permission ${name}, which this user did not grant when connecting the vehicle. ` +
		`To get it, send the driver a new Connect link that asks for it: Smartcar node → Connect → Get Authorization URL with ${permissionName(permission)} ticked in Permissions ` +
		'(also in Options → Required Permissions, so the driver cannot untick it). Once they approve, the connection has it; Connection → Get Many lists each connection\'s permissions.'
	);
}

/**
 * For a 403 from the Vehicle API: the permission the request needed (read from its path, see permissions.ts), named in
 * the headline, and how to get it; undefined when the path names no permission.
 */
function permissionError(info: SmartcarErrorInfo, path: string | undefined): { missing?: string; advice: string } | undefined {
	if (info.status !== 403 || path === undefined) return undefined;
	const needed = permissionForPath(path);
	if (needed === undefined) return undefined;
	if ('allSignals' in needed) {
		return {
			advice:
				'Signal → Get Many reads every signal the user granted: each signal needs its own permission (e.g. Read Battery for the tractionbattery-… signals, Read Location for location-…). ' +
				'Send the driver a new Connect link that asks for the permissions you need: Smartcar node → Connect → Get Authorization URL → Permissions.',
		};
	}
	const signal = /\/signals\/([^/]+)$/.exec(path)?.[1];
	const what = signal !== undefined ? `The signal ${decodeURIComponent(signal)}` : /\/commands\//.test(path) ? 'This command' : 'Vehicle → Get';
	return { missing: needed.permission, advice: grantAdvice(needed.permission, what) };
}

/**
 * A message for the error's headline and a description that says what to do: `advice` when given (an API whose
 * resources differ from the Vehicle API's), else the advice for the error's type. With the request's `path`, a 403
 * names the permission the request needed and how to get it.
 */
export function describeSmartcarError(info: SmartcarErrorInfo, advice?: string, path?: string): { message: string; description: string } {
	const kind = [info.type, info.code].filter((part) => part !== undefined && part !== '').join(':');
	const headline = info.title ?? info.detail ?? 'Request failed';
	const permission = advice === undefined ? permissionError(info, path) : undefined;
	const missing = permission?.missing ? `: the user did not grant the permission ${permissionName(permission.missing)} (${permission.missing})` : '';
	const message = `Smartcar: ${headline} (HTTP ${info.status}${kind ? ` ${kind}` : ''})${missing}`;

	const typeAdvice = permission?.advice ?? (info.type && ADVICE[info.type]) ?? (info.status >= 500 ? ADVICE.SERVER : ADVICE.VALIDATION);
	const parts = [
		info.detail && info.detail !== headline ? info.detail : undefined,
		info.status === 429 && info.retryAfterSeconds !== undefined
			? `Smartcar asks to wait ${info.retryAfterSeconds} s before the next request.`
			: undefined,
		advice ?? typeAdvice,
		info.suggestedUserMessage ? `Message for the driver: ${info.suggestedUserMessage}` : undefined,
		info.resolution ? `Resolution: ${info.resolution}.` : undefined,
		info.requestId ? `Smartcar request ID: ${info.requestId}.` : undefined,
		`Docs: ${info.docsUrl ?? ERRORS_DOCS_URL}`,
	];
	return { message, description: parts.filter((part) => part !== undefined).join(' ') };
}
