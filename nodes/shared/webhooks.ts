import type { IDataObject } from 'n8n-workflow';

import { attributesOf, resourceOf } from './json-api';
import { asArray, asRecord, asString, isRecord, toIsoTimestamp } from './values';

/**
 * A Smartcar webhook as the Management API describes it (`GET /webhooks`, `GET /webhooks/{id}`): JSON:API
 * `{id, type: 'webhook', attributes: {name, callbackUri, isEnabled, autoSubscribe, triggers, data,
 * errorCallbackUri}, meta: {createdAt}}`, read into one flat item. Not to be confused with webhook-events.ts: the
 * deliveries a webhook sends to the Smartcar Trigger.
 */

export interface SmartcarWebhook extends IDataObject {
	id: string;
	name: string | null;
	callbackUri: string | null;
	isEnabled: boolean | null;
	autoSubscribe: boolean | null;
	/** The codes of the signals whose change sends an event, e.g. `closure-islocked`. */
	triggers: string[];
	/** The codes of the signals every event carries (Smartcar's `attributes.data`). */
	signals: string[];
	errorCallbackUri: string | null;
	createdAt: string | null;
}

/** Signal codes of a `triggers` or `data` list: each entry `{group, name, code}` gives its code; a plain text is one. */
export function signalCodes(raw: unknown): string[] {
	const codes: string[] = [];
	for (const entry of asArray(raw)) {
		const code = isRecord(entry) ? asString(entry.code) : asString(entry);
		if (code !== undefined && code !== '') codes.push(code);
	}
	return codes;
}

function booleanOrNull(value: unknown): boolean | null {
	return typeof value === 'boolean' ? value : null;
}

/** One webhook resource (JSON:API, or flat) as the flat item; what Smartcar did not send is null (lists: empty). */
export function readWebhook(raw: unknown): SmartcarWebhook {
	const resource = asRecord(raw);
	const attributes = attributesOf(resource);
	return {
		id: asString(resource.id) ?? '',
		name: asString(attributes.name) ?? null,
		callbackUri: asString(attributes.callbackUri) ?? null,
		isEnabled: booleanOrNull(attributes.isEnabled),
		autoSubscribe: booleanOrNull(attributes.autoSubscribe),
		triggers: signalCodes(attributes.triggers),
		signals: signalCodes(attributes.data),
		errorCallbackUri: asString(attributes.errorCallbackUri) ?? null,
		createdAt: toIsoTimestamp(asRecord(resource.meta).createdAt ?? attributes.createdAt),
	};
}

/** The webhook of a `GET /webhooks/{id}` answer (wrapped in `data` or not). */
export function webhookOf(body: unknown): SmartcarWebhook {
	return readWebhook(resourceOf(body));
}
