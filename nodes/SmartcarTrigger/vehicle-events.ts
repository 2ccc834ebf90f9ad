import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../shared/constants';
import { eventToSignalItems, parseWebhookEvent } from '../shared/webhook-events';
import { asRecord, asString, isRecord } from '../shared/values';
import { RecentEvents, rememberInStaticData } from './recent-events';
import { hmacHex, isPlausibleChallenge, signatureMatches } from './signature';

interface VehicleEventOptions {
	output?: 'perEvent' | 'perSignal';
	deduplicate?: boolean;
	verifySignature?: boolean;
}

const recentEvents = new RecentEvents();

const MISSING_TOKEN =
	'The Smartcar API credential of this trigger has no Application Management Token. Add it (Smartcar Dashboard → your application → Configuration) so Smartcar\'s webhook can be verified.';

function reply(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

async function managementToken(context: IWebhookFunctions): Promise<string | undefined> {
	try {
		const credentials = await context.getCredentials(CREDENTIAL_NAME);
		const token = credentials.applicationManagementToken;
		return typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
	} catch {
		return undefined;
	}
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
 * POST from Smartcar: answers VERIFY, rejects anything not signed with the Application Management Token, drops
 * repeats of an `eventId` and event types the user did not pick, and starts the workflow with user and vehicle.
 */
export async function receiveVehicleEvent(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const raw = await rawBodyOf(this);
	const payload = payloadOf(raw);
	if (!payload) {
		return reply(this, 400, { error: 'The request body is not a JSON object. Smartcar sends JSON webhooks.' });
	}
	const token = await managementToken(this);
	const eventType = asString(payload.eventType);

	if (eventType === 'VERIFY') {
		if (!token) return reply(this, 500, { error: MISSING_TOKEN });
		const challenge = asRecord(payload.data).challenge;
		if (!isPlausibleChallenge(challenge)) {
			return reply(this, 400, { error: 'The VERIFY event carries no usable challenge.' });
		}
		return { webhookResponse: { challenge: hmacHex(token, challenge) } };
	}

	const options = this.getNodeParameter('options', {}) as VehicleEventOptions;
	if (options.verifySignature !== false) {
		if (!token) return reply(this, 500, { error: MISSING_TOKEN });
		const signature = this.getHeaderData()['sc-signature'];
		if (!raw || !signatureMatches(hmacHex(token, raw), typeof signature === 'string' ? signature : undefined)) {
			return reply(this, 401, { error: 'Missing or invalid SC-Signature.' });
		}
	}

	const events = this.getNodeParameter('events', ['VEHICLE_STATE', 'VEHICLE_ERROR']) as string[];
	if (!eventType || !events.includes(eventType)) {
		return reply(this, 200, { status: 'ignored', reason: `event type ${eventType ?? '(none)'} is not selected` });
	}

	const event = parseWebhookEvent(payload);
	if (options.deduplicate !== false && event.eventId) {
		const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:`;
		const seenInProcess = recentEvents.checkAndRecord(`${scope}${event.eventId}`);
		const seenByWorkflow = rememberInStaticData(
			this.getWorkflowStaticData('node'),
			event.eventId,
			recentEvents.idsWithPrefix(scope),
		);
		if (seenInProcess || seenByWorkflow) {
			return reply(this, 200, { status: 'duplicate', eventId: event.eventId });
		}
	}

	const items = options.output === 'perSignal' ? eventToSignalItems(event) : [event];
	// Answering here (not through n8n's onReceived answer) makes n8n save the static data before the run starts.
	this.getResponseObject().status(200).json({ status: 'received', eventId: event.eventId });
	return { noWebhookResponse: true, workflowData: [this.helpers.returnJsonArray(items)] };
}
