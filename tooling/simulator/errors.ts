/**
 * Smartcar error bodies, in the v3 JSON:API form (`{errors:[…]}`) and the v2-style flat form (Smartcar's error reference).
 */
import { randomUUID } from 'crypto';

import type { JsonObject } from './json';

export type ErrorForm = 'v3' | 'flat';

/** A canned HTTP answer: what failNext() serves and what smartcarErrors.* return. */
export interface SimulatedResponse {
	status: number;
	body?: unknown;
	headers: Record<string, string>;
}

export interface ErrorSpec {
	status: number;
	type: string;
	code: string | null;
	title: string;
	detail: string;
	/** Path under https://smartcar.com/docs/errors/api-errors/ (may include a #fragment). */
	docPath: string;
	resolution: string | null;
	suggestedUserMessage: string;
	headers?: Record<string, string>;
}

const DOCS_BASE = 'https://smartcar.com/docs/errors/api-errors/';

export function docUrl(spec: Pick<ErrorSpec, 'docPath'>): string {
	return `${DOCS_BASE}${spec.docPath}`;
}

export function v3ErrorBody(spec: ErrorSpec): JsonObject {
	return {
		errors: [
			{
				status: String(spec.status),
				type: spec.type,
				code: spec.code,
				title: spec.title,
				detail: spec.detail,
				links: { about: docUrl(spec) },
			},
		],
	};
}

export function flatErrorBody(spec: ErrorSpec, requestId: string = randomUUID()): JsonObject {
	return {
		type: spec.type,
		code: spec.code,
		description: spec.detail,
		docURL: docUrl(spec),
		statusCode: spec.status,
		requestId,
		resolution: { type: spec.resolution },
		suggestedUserMessage: spec.suggestedUserMessage,
	};
}

export function errorResponse(spec: ErrorSpec, form: ErrorForm = 'v3', requestId?: string): SimulatedResponse {
	const body = form === 'flat' ? flatErrorBody(spec, requestId) : v3ErrorBody(spec);
	return { status: spec.status, body, headers: { ...(spec.headers ?? {}) } };
}

// ---------------------------------------------------------------------------------------------
// Specs

export const errorSpecs = {
	unauthorized: (): ErrorSpec => ({
		status: 401,
		type: 'AUTHENTICATION',
		code: 'UNAUTHORIZED',
		title: 'Unauthorized',
		detail: 'The access token is invalid or expired.',
		docPath: 'v3/authentication-errors#unauthorized',
		resolution: 'REAUTHENTICATE',
		suggestedUserMessage: 'Please reconnect your application.',
	}),
	/** A vehicle's own limit (RATE_LIMIT:VEHICLE). */
	rateLimit: (retryAfterSeconds: number): ErrorSpec => ({
		status: 429,
		type: 'RATE_LIMIT',
		code: 'VEHICLE',
		title: 'Vehicle Rate Limit',
		detail:
			'You have reached the throttling rate limit for this vehicle. Please see the retry-after header (seconds) for when to retry the request.',
		docPath: 'v3/rate-limit-errors#vehicle',
		resolution: 'RETRY_LATER',
		suggestedUserMessage: 'Your vehicle is temporarily unable to process this request. Please try again later.',
		headers: { 'retry-after': String(retryAfterSeconds) },
	}),
	/** The application's bucket is empty (RATE_LIMIT:SMARTCAR_API); `retry-after` is when a request is allowed again. */
	applicationRateLimit: (retryAfterSeconds: number): ErrorSpec => ({
		status: 429,
		type: 'RATE_LIMIT',
		code: 'SMARTCAR_API',
		title: 'Smartcar API Rate Limit',
		detail:
			'Your application has exceeded its rate limit. Please see the retry-after header (seconds) for when to retry the request.',
		docPath: 'v3/rate-limit-errors#smartcar-api',
		resolution: 'RETRY_LATER',
		suggestedUserMessage:
			'Your car is temporarily unable to connect to this application. Please be patient while we are working to resolve this issue.',
		headers: { 'retry-after': String(retryAfterSeconds) },
	}),
	billing: (): ErrorSpec => ({
		status: 430,
		type: 'BILLING',
		code: 'VEHICLE_REQUEST_LIMIT',
		title: 'Vehicle Request Limit',
		detail: 'You have reached the monthly request limit for this vehicle under your current plan.',
		docPath: 'v3/billing-errors#vehicle-request-limit',
		resolution: 'CONTACT_SUPPORT',
		suggestedUserMessage: 'Your vehicle has reached its request limit for this month.',
	}),
	vehicleState: (code: string): ErrorSpec => ({
		status: 409,
		type: 'VEHICLE_STATE',
		code,
		title: vehicleStateTitle(code),
		detail: `The vehicle is unable to perform your request in its current state (${code}).`,
		docPath: `v3/vehicle-state-errors#${code.toLowerCase().replace(/_/g, '-')}`,
		resolution: 'RETRY_LATER',
		suggestedUserMessage: 'Your vehicle is unable to perform this request right now. Please try again later.',
	}),
	notFound: (detail = 'The requested resource does not exist.', code = 'NOT_FOUND'): ErrorSpec => ({
		status: 404,
		type: 'RESOURCE_NOT_FOUND',
		code,
		title: 'Resource Not Found',
		detail,
		docPath: 'v3/resource-not-found-errors',
		resolution: null,
		suggestedUserMessage: 'The requested resource could not be found.',
	}),
	server: (): ErrorSpec => ({
		status: 500,
		type: 'SERVER',
		code: 'INTERNAL',
		title: 'Internal Server Error',
		detail: 'An internal error occurred. Please try again later.',
		docPath: 'v3/server-errors#internal',
		resolution: 'RETRY_LATER',
		suggestedUserMessage: 'Something went wrong. Please try again later.',
	}),
	upstream: (): ErrorSpec => ({
		status: 502,
		type: 'UPSTREAM',
		code: 'UNKNOWN_ISSUE',
		title: 'Upstream Error',
		detail: 'The vehicle manufacturer returned an unexpected error.',
		docPath: 'v3/upstream-errors#unknown-issue',
		resolution: 'RETRY_LATER',
		suggestedUserMessage: 'Your vehicle brand is having issues. Please try again later.',
	}),
	permission: (): ErrorSpec => ({
		status: 403,
		type: 'PERMISSION',
		code: 'ACCESS_DENIED',
		title: 'Access Denied',
		detail: 'The given token does not provide access to the requested resource.',
		docPath: 'v3/permission-errors#access-denied',
		resolution: 'REAUTHENTICATE',
		suggestedUserMessage: 'Please grant the required permissions and try again.',
	}),
	validation: (detail = 'The request could not be understood by the server due to malformed syntax.'): ErrorSpec => ({
		status: 400,
		type: 'VALIDATION',
		code: 'BAD_REQUEST',
		title: 'Bad Request',
		detail,
		docPath: 'v3/validation-errors',
		resolution: null,
		suggestedUserMessage: 'The request was invalid.',
	}),
	/** A state conflict on the Management API, e.g. a vehicle already subscribed to a webhook. */
	conflict: (detail: string, code = 'CONFLICT'): ErrorSpec => ({
		status: 409,
		type: 'CONFLICT',
		code,
		title: 'Conflict',
		detail,
		docPath: 'v3/conflict-errors',
		resolution: null,
		suggestedUserMessage: 'The request conflicts with the current state.',
	}),
	compatibility: (): ErrorSpec => ({
		status: 501,
		type: 'COMPATIBILITY',
		code: 'VEHICLE_NOT_CAPABLE',
		title: 'Vehicle Not Capable',
		detail: 'The vehicle is incapable of performing your request.',
		docPath: 'v3/compatibility-errors#vehicle-not-capable',
		resolution: 'CONTACT_SUPPORT',
		suggestedUserMessage: 'Your car is unable to perform this request.',
	}),
};

const VEHICLE_STATE_TITLES: Record<string, string> = {
	ASLEEP: 'Vehicle Asleep',
	UNREACHABLE: 'Vehicle Unreachable',
	NOT_CHARGING: 'Not Charging',
	DOOR_OPEN: 'Door Open',
	CHARGING_IN_PROGRESS: 'Charging In Progress',
	FULLY_CHARGED: 'Fully Charged',
};

function vehicleStateTitle(code: string): string {
	const known = VEHICLE_STATE_TITLES[code];
	if (known) return known;
	return code
		.toLowerCase()
		.split('_')
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1))
		.join(' ');
}

/** Ready-made Smartcar errors for failNext(). Each defaults to the v3 form; pass 'flat' for v2 style. */
export const smartcarErrors = {
	unauthorized: (form: ErrorForm = 'v3') => errorResponse(errorSpecs.unauthorized(), form),
	/** The per-vehicle form, RATE_LIMIT:VEHICLE (applicationRateLimit is the per-application one). */
	rateLimit: (retryAfterSeconds = 30, form: ErrorForm = 'v3') =>
		errorResponse(errorSpecs.rateLimit(retryAfterSeconds), form),
	applicationRateLimit: (retryAfterSeconds = 30, form: ErrorForm = 'v3') =>
		errorResponse(errorSpecs.applicationRateLimit(retryAfterSeconds), form),
	billing: (form: ErrorForm = 'v3') => errorResponse(errorSpecs.billing(), form),
	vehicleState: (code = 'ASLEEP', form: ErrorForm = 'v3') => errorResponse(errorSpecs.vehicleState(code), form),
	notFound: (detail?: string, form: ErrorForm = 'v3') => errorResponse(errorSpecs.notFound(detail), form),
	server: (form: ErrorForm = 'v3') => errorResponse(errorSpecs.server(), form),
	upstream: (form: ErrorForm = 'v3') => errorResponse(errorSpecs.upstream(), form),
	permission: (form: ErrorForm = 'v3') => errorResponse(errorSpecs.permission(), form),
	validation: (detail?: string, form: ErrorForm = 'v3') => errorResponse(errorSpecs.validation(detail), form),
	compatibility: (form: ErrorForm = 'v3') => errorResponse(errorSpecs.compatibility(), form),
};
