import type { ICredentialDataDecryptedObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { displayUrl, redact, redactDeep, redirectTarget, secretsOf } from '../../../credentials/redact';
import { CREDENTIAL_NAME } from '../../../credentials/smartcar-credential';
import { cachedTokens } from '../../../credentials/smartcar-token';
import { describeSmartcarError, type SmartcarErrorInfo } from '../api-error';
import { errorMessageOf, tokenFailureOf } from '../http-failure';
import { headerValue } from '../values';
import type { Failed } from './attempt';
import { changesState, outcomeIsUnknown } from './policy';
import { baseOf, REQUEST_LIMITS, type SentRequest, type Session, type SmartcarApiName, type SmartcarContext } from './request';

/** Told with a 401/403 from the Management API: which token went there, and where to look. */
const MANAGEMENT_AUTH_ADVICE =
	'The Management API was called with the application token of this credential (its Client ID and Client Secret, client-credentials grant), not with the Application Management Token. ' +
	'Check in the Smartcar Dashboard that this client ID belongs to the application that owns the webhooks, and that the application may use the Management API.';

/** Told with a 404 from the Management API, instead of the Vehicle API's advice. */
const MANAGEMENT_NOT_FOUND_ADVICE =
	'Check the IDs: the webhook or subscription may not exist, or the vehicle may not be connected by that user. ' +
	'Webhook → Get Many, Subscription → Get Many and Connection → Get Many list what exists.';

/**
 * Every secret that could show up in error text: the credential as read at the start, as stored now (a token
 * obtained or renewed during this run), and the tokens this process holds.
 */
async function secrets(session: Session): Promise<string[]> {
	let current: ICredentialDataDecryptedObject | undefined;
	try {
		current = await session.context.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_NAME);
	} catch {
		current = undefined;
	}
	return secretsOf([session.credentials, current], cachedTokens());
}

/** A NodeApiError with every field (message, description, the error response, the context) redacted. */
export async function safeError(
	session: Session,
	errorResponse: JsonObject,
	fields: { message: string; description: string; httpCode?: string },
	itemIndex: number,
): Promise<NodeApiError> {
	const known = await secrets(session);
	const error = new NodeApiError(session.context.getNode(), redactDeep(errorResponse, known), {
		message: redact(fields.message, known),
		description: redact(fields.description, known),
		httpCode: fields.httpCode,
		itemIndex,
	});
	error.context = redactDeep(error.context, known);
	return error;
}

export function stoppedError(context: SmartcarContext, itemIndex: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The execution was stopped while waiting for Smartcar', { itemIndex });
}

/**
 * A Smartcar error answer as a NodeApiError built from the parsed body only (never the HTTP client's error). A 401
 * or 403 from the Management API says which token was sent there and where to look; a 404 there, which IDs to check.
 * A 403 from the Vehicle API names the permission the request at `url` needed and how to get it.
 */
async function apiError(session: Session, info: SmartcarErrorInfo, itemIndex: number, api: SmartcarApiName = 'vehicle', url?: string): Promise<NodeApiError> {
	const path = api === 'vehicle' && url !== undefined ? new URL(url).pathname : undefined;
	const described = describeSmartcarError(info, api === 'management' && info.status === 404 ? MANAGEMENT_NOT_FOUND_ADVICE : undefined, path);
	const description =
		api === 'management' && (info.status === 401 || info.status === 403) ? `${MANAGEMENT_AUTH_ADVICE} ${described.description}` : described.description;
	return await safeError(session, info as JsonObject, { message: described.message, description, httpCode: String(info.status) }, itemIndex);
}

/** A 3xx: never followed, so no credential reaches another host; only the status and the target's origin are named. */
async function redirectError(session: Session, status: number, location: string | undefined, url: string, request: SentRequest, itemIndex: number): Promise<NodeApiError> {
	const target = redirectTarget(location, url);
	const base = baseOf(session.endpoints, request.api);
	return await safeError(
		session,
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
async function outcomeUnknown(session: Session, attempt: Failed, request: SentRequest, itemIndex: number): Promise<NodeApiError> {
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
	return await safeError(
		session,
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
async function failure(session: Session, attempt: Extract<Failed, { kind: 'network' }>, request: SentRequest, itemIndex: number): Promise<NodeApiError> {
	const { error } = attempt;
	const base = baseOf(session.endpoints, request.api);
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
	return await safeError(session, { message }, { message, description }, itemIndex);
}

/** The error for a failed attempt that is not retried. */
export async function errorFor(session: Session, attempt: Failed, url: string, request: SentRequest, itemIndex: number): Promise<NodeApiError | NodeOperationError> {
	if (attempt.kind === 'network' && attempt.stopped) return stoppedError(session.context, itemIndex);
	if (attempt.kind === 'http' && attempt.response.status >= 300 && attempt.response.status < 400) {
		return await redirectError(session, attempt.response.status, headerValue(attempt.response.headers, 'location'), url, request, itemIndex);
	}
	if (outcomeIsUnknown(attempt, changesState(request.method))) return await outcomeUnknown(session, attempt, request, itemIndex);
	if (attempt.kind === 'http') return await apiError(session, attempt.info, itemIndex, request.api, url);
	return await failure(session, attempt, request, itemIndex);
}
