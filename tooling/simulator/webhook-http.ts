/**
 * Sending a Smartcar webhook over HTTP as Smartcar does: SC-Signature (hex HMAC-SHA256 of the exact bytes, keyed with
 * the Application Management Token), a fresh delivery ID and time per delivery, Smartcar's 15 s timeout; and the
 * VERIFY answer a receiver must give.
 */
import { createHmac, randomUUID } from 'crypto';
import http from 'http';
import https from 'https';

import { isJsonObject, tryParseJson, type JsonObject } from './json';

export const WEBHOOK_TIMEOUT_MS = 15_000;

export interface SendWebhookOptions {
	managementToken: string;
	/** Send JSON.stringify(payload, null, 2) instead of compact JSON. */
	pretty?: boolean;
	/** Send this SC-Signature instead of the computed one (e.g. a forged one). */
	signature?: string;
	/** Default: true for VERIFY (Smartcar does not sign it), false otherwise. */
	omitSignature?: boolean;
	headers?: Record<string, string>;
	/** Keep meta.deliveryId/deliveredAt as built instead of stamping a new delivery. */
	keepDeliveryId?: boolean;
	timeoutMs?: number;
}

export interface WebhookResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
	json?: unknown;
	/** The exact text that was POSTed. */
	sentBody: string;
	/** The SC-Signature header that was sent, if any. */
	signature?: string;
	deliveryId?: string;
}

// ---------------------------------------------------------------------------------------------
// Signing

/** Hex HMAC-SHA256 of the raw body, keyed with the Application Management Token. */
export function signBody(rawBody: string | Buffer, managementToken: string): string {
	return createHmac('sha256', managementToken).update(rawBody).digest('hex');
}

/** What a receiver must answer to VERIFY: `{"challenge": challengeAnswer(...)}`. */
export function challengeAnswer(challenge: string, managementToken: string): string {
	return signBody(challenge, managementToken);
}

export function isValidVerifyAnswer(response: Pick<WebhookResponse, 'status' | 'json'>, challenge: string, managementToken: string): boolean {
	if (response.status !== 200 || !isJsonObject(response.json)) return false;
	return response.json.challenge === challengeAnswer(challenge, managementToken);
}

// ---------------------------------------------------------------------------------------------
// Delivery

/** A new delivery of the same event: same eventId, fresh deliveryId and deliveredAt (same type as before). */
export function newDelivery(payload: JsonObject): JsonObject {
	if (!isJsonObject(payload.meta)) return payload;
	const deliveredAt = typeof payload.meta.deliveredAt === 'string' ? new Date().toISOString() : Date.now();
	return { ...payload, meta: { ...payload.meta, deliveryId: randomUUID(), deliveredAt } };
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return flat;
}

interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
}

function post(url: URL, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<RawResponse> {
	const transport = url.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		const request = transport.request(url, { method: 'POST', headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('error', reject);
			response.on('end', () =>
				resolve({
					status: response.statusCode ?? 0,
					headers: flattenHeaders(response.headers),
					body: Buffer.concat(chunks).toString('utf8'),
				}),
			);
		});
		request.setTimeout(timeoutMs, () => request.destroy(new Error(`Webhook delivery timed out after ${timeoutMs} ms`)));
		request.on('error', reject);
		request.end(body);
	});
}

function payloadText(payload: JsonObject | string, pretty: boolean): string {
	if (typeof payload === 'string') return payload;
	return pretty ? JSON.stringify(payload, null, 2) : JSON.stringify(payload);
}

/**
 * POSTs a payload like Smartcar does. The SC-Signature is computed over the exact bytes sent.
 * A string payload is sent verbatim (and signed as such). This is the raw sender: it sends whatever it is given to
 * any URL and knows nothing of subscriptions; `deliverVehicleState` (delivery.ts) sends only what Smartcar would.
 */
export async function sendWebhook(url: string, payload: JsonObject | string, options: SendWebhookOptions): Promise<WebhookResponse> {
	const delivered = typeof payload === 'string' || options.keepDeliveryId ? payload : newDelivery(payload);
	const sentBody = payloadText(delivered, options.pretty === true);
	const bytes = Buffer.from(sentBody, 'utf8');
	const isVerify = typeof delivered !== 'string' && delivered.eventType === 'VERIFY';
	const omit = options.omitSignature ?? (isVerify && options.signature === undefined);
	const signature = omit ? undefined : (options.signature ?? signBody(bytes, options.managementToken));
	const headers: Record<string, string> = {
		'Content-Type': 'application/json',
		'Content-Length': String(bytes.length),
		'User-Agent': 'Smartcar/4.0 (simulator)',
		...(signature === undefined ? {} : { 'SC-Signature': signature }),
		...(options.headers ?? {}),
	};
	const response = await post(new URL(url), bytes, headers, options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
	const json = tryParseJson(response.body);
	const meta = typeof delivered === 'string' ? undefined : delivered.meta;
	const deliveryId = isJsonObject(meta) && typeof meta.deliveryId === 'string' ? meta.deliveryId : undefined;
	return { ...response, ...(json === undefined ? {} : { json }), sentBody, signature, deliveryId };
}
