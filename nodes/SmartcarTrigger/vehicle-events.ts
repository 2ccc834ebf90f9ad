import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { eventToSignalItems, parseWebhookEvent } from '../shared/webhook-events';
import { asRecord, asString, isRecord } from '../shared/values';
import { memoryScope, RecentEvents, rememberInStaticData } from './recent-events';
import { bodyHashKey, hmacHex, isPlausibleChallenge, signatureMatches } from './signature';
import { triggerCredentialText } from './trigger-credential';

interface VehicleEventOptions {
	output?: 'perEvent' | 'perSignal';
	deduplicate?: boolean;
	verifySignature?: boolean;
}

const recentEvents = new RecentEvents();

/**
 * The largest unsigned body that is parsed at all (to see whether it is Smartcar's VERIFY, which is not signed). A
 * VERIFY is a few hundred bytes; anything unsigned and larger is refused unread.
 */
const UNSIGNED_BODY_LIMIT = 4 * 1024;

const MISSING_TOKEN =
	'The Smartcar API credential of this trigger has no Application Management Token. Add it (Smartcar Dashboard → your application → Configuration) so Smartcar\'s webhook can be verified.';
const NOT_JSON = 'The request body is not a JSON object. Smartcar sends JSON webhooks.';
const UNAUTHORIZED = 'Missing or invalid SC-Signature.';

function reply(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

async function managementToken(context: IWebhookFunctions): Promise<string | undefined> {
	return await triggerCredentialText(context, 'applicationManagementToken');
}

async function rawBodyOf(context: IWebhookFunctions): Promise<Buffer | undefined> {
	const request = context.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function') await request.readRawBody();
	return Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
}

/**
 * The delivery as Smartcar sent it: the raw bytes parsed as a JSON object, never n8n's own parse of the body. A
 * form-encoded body that n8n turned into `{eventType: …}` must not pass for an event (its bytes could have been
 * signed through a VERIFY challenge).
 */
function payloadOf(raw: Buffer | undefined): IDataObject | undefined {
	if (!raw || raw.length === 0) return undefined;
	try {
		const value = JSON.parse(raw.toString('utf8')) as unknown;
		return isRecord(value) ? (value as IDataObject) : undefined;
	} catch {
		return undefined;
	}
}

/** Whether SC-Signature is the HMAC of exactly these bytes, keyed with the management token (nothing is parsed). */
function hasValidSignature(context: IWebhookFunctions, token: string, raw: Buffer | undefined): boolean {
	const signature = context.getHeaderData()['sc-signature'];
	return raw !== undefined && signatureMatches(hmacHex(token, raw), typeof signature === 'string' ? signature : undefined);
}

/** Smartcar's VERIFY: answered with the HMAC of a plausible challenge, never run. */
function answerVerify(context: IWebhookFunctions, token: string | undefined, payload: IDataObject): IWebhookResponseData {
	if (!token) return reply(context, 500, { error: MISSING_TOKEN });
	const challenge = asRecord(payload.data).challenge;
	if (!isPlausibleChallenge(challenge)) {
		return reply(context, 400, { error: 'The VERIFY event carries no usable challenge.' });
	}
	return { webhookResponse: { challenge: hmacHex(token, challenge) } };
}

/**
 * A request without a valid SC-Signature can only be Smartcar's VERIFY (which Smartcar does not sign): a small
 * body is parsed to answer a VERIFY; anything else, and every larger body, is 401 without being parsed.
 */
function answerUnsigned(context: IWebhookFunctions, token: string, raw: Buffer | undefined): IWebhookResponseData {
	if (raw !== undefined && raw.length <= UNSIGNED_BODY_LIMIT) {
		const payload = payloadOf(raw);
		if (payload && asString(payload.eventType) === 'VERIFY') return answerVerify(context, token, payload);
	}
	return reply(context, 401, { error: UNAUTHORIZED });
}

/**
 * Whether this delivery was seen before: by `eventId`, or, for a delivery without one, by the SHA-256 of its bytes.
 * Checked and recorded in process memory and in the workflow's static data.
 */
function isRepeat(context: IWebhookFunctions, eventId: string | null, raw: Buffer): boolean {
	const key = eventId ?? bodyHashKey(raw);
	const scope = memoryScope(context);
	const seenInProcess = recentEvents.checkAndRecord(`${scope}${key}`);
	const seenByWorkflow = rememberInStaticData(context.getWorkflowStaticData('node'), key, recentEvents.idsWithPrefix(scope));
	return seenInProcess || seenByWorkflow;
}

/** An authentic (or, with Verify Signature off, accepted) delivery: event filter, de-duplication, then the run. */
function handleEvent(
	context: IWebhookFunctions,
	options: VehicleEventOptions,
	payload: IDataObject,
	raw: Buffer,
): IWebhookResponseData {
	const eventType = asString(payload.eventType);
	const events = context.getNodeParameter('events', ['VEHICLE_STATE', 'VEHICLE_ERROR']) as string[];
	if (!eventType || !events.includes(eventType)) {
		return reply(context, 200, { status: 'ignored', reason: `event type ${eventType ?? '(none)'} is not selected` });
	}
	const event = parseWebhookEvent(payload);
	if (options.deduplicate !== false && isRepeat(context, event.eventId, raw)) {
		return reply(context, 200, { status: 'duplicate', eventId: event.eventId });
	}
	const items = options.output === 'perSignal' ? eventToSignalItems(event) : [event];
	// Answering here (not through n8n's onReceived answer) makes n8n save the static data before the run starts.
	context.getResponseObject().status(200).json({ status: 'received', eventId: event.eventId });
	return { noWebhookResponse: true, workflowData: [context.helpers.returnJsonArray(items)] };
}

/** Verify Signature off (documented as insecure): every JSON object is handled; VERIFY still needs the token. */
async function receiveUnverified(
	context: IWebhookFunctions,
	options: VehicleEventOptions,
	raw: Buffer | undefined,
): Promise<IWebhookResponseData> {
	const payload = payloadOf(raw);
	if (!payload || !raw) return reply(context, 400, { error: NOT_JSON });
	if (asString(payload.eventType) === 'VERIFY') return answerVerify(context, await managementToken(context), payload);
	return handleEvent(context, options, payload, raw);
}

/**
 * POST from Smartcar. With Verify Signature on (the default), SC-Signature is checked over the raw bytes first:
 * only a validly signed body is parsed and handled as an event; an unsigned one may only be a small VERIFY. Then
 * VERIFY is answered, event types the user did not pick are acknowledged, repeats (same `eventId`, or same bytes
 * without one) are acknowledged as duplicates, and the workflow starts with user and vehicle.
 */
export async function receiveVehicleEvent(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const raw = await rawBodyOf(this);
	const options = this.getNodeParameter('options', {}) as VehicleEventOptions;
	if (options.verifySignature === false) return await receiveUnverified(this, options, raw);

	const token = await managementToken(this);
	if (!token) return reply(this, 500, { error: MISSING_TOKEN });
	if (!raw || !hasValidSignature(this, token, raw)) return answerUnsigned(this, token, raw);

	const payload = payloadOf(raw);
	if (!payload) return reply(this, 400, { error: NOT_JSON });
	if (asString(payload.eventType) === 'VERIFY') return answerVerify(this, token, payload);
	return handleEvent(this, options, payload, raw);
}
