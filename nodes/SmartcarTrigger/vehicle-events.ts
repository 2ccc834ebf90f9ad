import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { eventToSignalItems, parseWebhookEvent, type SmartcarEventItem } from '../shared/webhook-events';
import { asRecord, asString, isRecord } from '../shared/values';
import { bodyHashKey, eventHash, isAcknowledged, MAX_STORED, recordAcknowledged, RETENTION_MS } from './acknowledged-events';
import { DeliveryLedgers, type DeliveryLedger } from './delivery-ledger';
import { hmacHex, isPlausibleChallenge, signatureMatches } from './signature';
import { triggerCredentialText } from './trigger-credential';
import { selectedEvents, vehicleEventOptions, type VehicleEventOptions } from './trigger-parameters';

/** The management tokens a delivery may be signed with: the current one, and during a rotation the previous one. */
interface SigningTokens {
	current?: string;
	previous?: string;
}

const ledgers = new DeliveryLedgers();

/**
 * The largest unsigned body that is parsed at all (to see whether it is Smartcar's VERIFY, which is not signed). A
 * VERIFY is a few hundred bytes; anything unsigned and larger is refused unread.
 */
const UNSIGNED_BODY_LIMIT = 4 * 1024;

/**
 * A signed delivery whose `meta.deliveredAt` is further than this from this server's clock is refused: Smartcar
 * retries a delivery after 25, 50 and 100 s, so a genuine one is minutes old at most, while a captured delivery
 * replayed later is not accepted. Ten minutes also absorbs a clock a few minutes off.
 */
export const REPLAY_WINDOW_MS = 10 * 60 * 1000;

const MISSING_TOKEN =
	'The Smartcar API credential of this trigger has no Application Management Token. Add it (Smartcar Dashboard → your application → Configuration) so Smartcar\'s webhook can be verified.';
const NOT_JSON = 'The request body is not a JSON object. Smartcar sends JSON webhooks.';
const UNAUTHORIZED = 'Missing or invalid SC-Signature.';

function reply(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

async function signingTokens(context: IWebhookFunctions): Promise<SigningTokens> {
	return {
		current: await triggerCredentialText(context, 'applicationManagementToken'),
		previous: await triggerCredentialText(context, 'previousApplicationManagementToken'),
	};
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

/**
 * Whether SC-Signature is the HMAC of exactly these bytes keyed with the current or the previous management token
 * (nothing is parsed). Both are always computed and compared, so the time taken does not tell which one matched.
 */
function hasValidSignature(context: IWebhookFunctions, tokens: SigningTokens, raw: Buffer | undefined): boolean {
	const header = context.getHeaderData()['sc-signature'];
	const signature = typeof header === 'string' ? header : undefined;
	if (raw === undefined) return false;
	const matches = [tokens.current, tokens.previous].map((token) => token !== undefined && signatureMatches(hmacHex(token, raw), signature));
	return matches.includes(true);
}

/** Smartcar's VERIFY: answered with the HMAC of a plausible challenge (keyed with the current token), never run. */
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

/** Why a signed delivery is too old (or too far ahead) to be a genuine one, or undefined when it is not. */
function staleness(event: SmartcarEventItem, now: number): string | undefined {
	const deliveredAt = event.deliveredAt === null ? NaN : Date.parse(event.deliveredAt);
	if (Number.isNaN(deliveredAt) || Math.abs(now - deliveredAt) <= REPLAY_WINDOW_MS) return undefined;
	const minutes = Math.round((now - deliveredAt) / 60_000);
	const offBy = minutes >= 0 ? `${minutes} minutes old` : `${-minutes} minutes in the future`;
	return `meta.deliveredAt (${event.deliveredAt}) is ${offBy} by this server's clock; deliveries more than ${REPLAY_WINDOW_MS / 60_000} minutes off are refused as replays. If Smartcar sent it just now, check this server's clock.`;
}

/** The trigger's memory: one ledger per workflow and trigger node. */
function ledgerOf(context: IWebhookFunctions): DeliveryLedger {
	return ledgers.for(`${context.getWorkflow().id ?? ''}:${context.getNode().id}`);
}

/**
 * Writes what this process knows was acknowledged into the workflow's static data, never the delivery being
 * handled (it is written by a later delivery, once its own 2xx went out). n8n saves it with the delivery's static
 * data: n8n 1.x for every delivery; n8n 2.x only when the trigger answers a delivery itself (a duplicate, an event
 * type not selected, a refusal): for a delivery that starts a run, n8n 2.x resets its "static data changed" flag
 * while it builds the execution (workflow-runner.js establishContextForPersistence and WorkflowPreExecute construct
 * new Workflows over the same object) and so saves nothing.
 */
function persistAcknowledged(context: IWebhookFunctions): DeliveryLedger {
	const ledger = ledgerOf(context);
	const now = Date.now();
	recordAcknowledged(context.getWorkflowStaticData('node'), ledger.acknowledgedSince(now - RETENTION_MS, MAX_STORED), now);
	return ledger;
}

/**
 * Marks the event acknowledged once its delivery got a 2xx (whoever wrote it: n8n after storing the execution, or
 * after the run with Respond: When the Workflow Finishes), and releases it when the answer was anything else or the
 * connection closed first (even before this trigger ran), so that Smartcar's retry is handled as new. The static
 * data learns it with the next delivery (persistAcknowledged): n8n saves a delivery's static data before the answer
 * goes out, never after.
 */
function settleWhenAnswered(context: IWebhookFunctions, ledger: DeliveryLedger, key: string, hash: string): void {
	const response = context.getResponseObject();
	let settled = false;
	const settle = () => {
		if (settled) return;
		settled = true;
		if (response.writableFinished && response.statusCode >= 200 && response.statusCode < 300) ledger.acknowledge(key, hash);
		else ledger.release(key);
	};
	// Smartcar may have given up before n8n got to this trigger (a slow n8n): Node then emits no further 'close'.
	if (response.destroyed) return settle();
	response.once('finish', settle);
	response.once('close', settle);
}

/**
 * De-duplication of one delivery: an event acknowledged before (in this process, or in the workflow's static data)
 * is answered as a duplicate, one whose other delivery is being handled right now is answered 409 so that Smartcar
 * tries again later, and a new one is handed to n8n. Undefined means: start the run.
 */
function answerRepeat(context: IWebhookFunctions, ledger: DeliveryLedger, event: SmartcarEventItem, raw: Buffer): IWebhookResponseData | undefined {
	const key = event.eventId ?? bodyHashKey(raw);
	const hash = eventHash(key);
	if (isAcknowledged(context.getWorkflowStaticData('node'), hash)) ledger.acknowledge(key, hash);
	const state = ledger.begin(key, hash);
	if (state === 'done') return reply(context, 200, { status: 'duplicate', eventId: event.eventId });
	if (state === 'inFlight') {
		return reply(context, 409, { status: 'inProgress', eventId: event.eventId, error: 'Another delivery of this event is being handled; try again later.' });
	}
	settleWhenAnswered(context, ledger, key, hash);
	return undefined;
}

/**
 * An authentic (or, with Verify Signature off, accepted) delivery: event filter, replay window, de-duplication, then
 * the run. The run's items go to n8n without an answer: n8n answers once it has stored the execution (n8n 2.x,
 * Respond: Immediately) or once the run finished (Respond: When the Workflow Finishes), so a delivery is never
 * acknowledged before n8n holds it.
 */
function handleEvent(
	context: IWebhookFunctions,
	options: VehicleEventOptions,
	payload: IDataObject,
	raw: Buffer,
	checkAge: boolean,
): IWebhookResponseData {
	const ledger = options.deduplicate ? persistAcknowledged(context) : undefined;
	const eventType = asString(payload.eventType);
	const events = selectedEvents(context);
	if (!eventType || !events.includes(eventType)) {
		return reply(context, 200, { status: 'ignored', reason: `event type ${eventType ?? '(none)'} is not selected` });
	}
	const event = parseWebhookEvent(payload);
	const stale = checkAge ? staleness(event, Date.now()) : undefined;
	if (stale) return reply(context, 400, { status: 'stale', eventId: event.eventId, error: stale });
	const repeat = ledger ? answerRepeat(context, ledger, event, raw) : undefined;
	if (repeat) return repeat;
	const items = options.output === 'perSignal' ? eventToSignalItems(event) : [event];
	return { workflowData: [context.helpers.returnJsonArray(items)], webhookResponse: { status: 'received', eventId: event.eventId } };
}

/** Verify Signature off (documented as insecure): every JSON object is handled; VERIFY still needs the token. */
async function receiveUnverified(
	context: IWebhookFunctions,
	options: VehicleEventOptions,
	raw: Buffer | undefined,
): Promise<IWebhookResponseData> {
	const payload = payloadOf(raw);
	if (!payload || !raw) return reply(context, 400, { error: NOT_JSON });
	if (asString(payload.eventType) === 'VERIFY') return answerVerify(context, (await signingTokens(context)).current, payload);
	return handleEvent(context, options, payload, raw, false);
}

/**
 * POST from Smartcar. With Verify Signature on (the default), SC-Signature is checked over the raw bytes first
 * (with the current or, during a rotation, the previous Application Management Token): only a validly signed body is
 * parsed and handled as an event; an unsigned one may only be a small VERIFY. Then VERIFY is answered, event types
 * the user did not pick are acknowledged, deliveries older than the replay window are refused, repeats are answered
 * as duplicates, and the workflow starts with user and vehicle.
 */
export async function receiveVehicleEvent(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const raw = await rawBodyOf(this);
	const options = vehicleEventOptions(this);
	if (!options.verifySignature) return await receiveUnverified(this, options, raw);

	const tokens = await signingTokens(this);
	if (!tokens.current) return reply(this, 500, { error: MISSING_TOKEN });
	if (!raw || !hasValidSignature(this, tokens, raw)) return answerUnsigned(this, tokens.current, raw);

	const payload = payloadOf(raw);
	if (!payload) return reply(this, 400, { error: NOT_JSON });
	if (asString(payload.eventType) === 'VERIFY') return answerVerify(this, tokens.current, payload);
	return handleEvent(this, options, payload, raw, true);
}
