import type { IHookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { listResources } from '../shared/paged-list';
import { SmartcarClient } from '../shared/transport';
import { readWebhook, type SmartcarWebhook } from '../shared/webhooks';
import { asRecord } from '../shared/values';

/**
 * Check Smartcar Webhook on Publish: when a workflow with Vehicle Events is published, ask the Management API for
 * the Smartcar webhook whose callback URI is this trigger's Production URL, and refuse to activate the trigger when
 * there is none or it is disabled. How n8n 2.41.1 shows the error: with its default publication service, the publish
 * request is accepted, the trigger's activation is tried 5 times (1, 2, 4, 8 s apart), then fails and the editor shows
 * "failed to activate" with the error's message only (so the message says what to fix); with
 * N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false, the publish request itself fails with the message and the description.
 */

/** The most webhooks whose callback URI contains the Production URL that are read (Smartcar filters by part). */
const MAX_CANDIDATES = 1000;

/**
 * Whether this activation is a publish to check: the user publishes (or republishes) the workflow. Not the Test URL
 * ("Listen for test event"), and not n8n starting or a new leader taking over: a Smartcar outage then must not take a
 * published trigger offline (n8n would unregister its webhook until a later retry succeeds).
 */
function isPublish(context: IHookFunctions): boolean {
	const activation = context.getActivationMode();
	return context.getMode() !== 'manual' && (activation === 'activate' || activation === 'update' || activation === 'create');
}

function checkEnabled(context: IHookFunctions): boolean {
	if (context.getNodeParameter('trigger', 'vehicleEvents') !== 'vehicleEvents') return false;
	return asRecord(context.getNodeParameter('options', {})).checkWebhookOnPublish === true;
}

function publishError(context: IHookFunctions, callbackUri: string, message: string, description: string): NodeApiError {
	return new NodeApiError(context.getNode(), { callbackUri } as JsonObject, { message, description });
}

/** The failure for a Production URL no Smartcar webhook has exactly, naming near misses (a partial match). */
function noWebhookError(context: IHookFunctions, callbackUri: string, nearMisses: SmartcarWebhook[]): NodeApiError {
	const near = nearMisses
		.slice(0, 3)
		.map((webhook) => `"${webhook.name ?? webhook.id}" (${webhook.callbackUri ?? 'no callback URI'})`)
		.join(', ');
	return publishError(
		context,
		callbackUri,
		`No Smartcar webhook has this trigger's Production URL ${callbackUri} as its callback URI: add one in the Smartcar Dashboard → Webhooks, then publish again`,
		'Create a webhook in the Smartcar Dashboard → Webhooks with exactly this callback URI (it must be public HTTPS; if n8n runs behind a proxy, set WEBHOOK_URL so n8n shows the public address), then publish again. ' +
			(near ? `Webhooks with a similar callback URI: ${near}. ` : '') +
			'To publish without this check, turn off Options → Check Smartcar Webhook on Publish.',
	);
}

/** Runs the check when it applies (see isPublish); throws a NodeApiError to fail the publish. */
export async function checkWebhookOnPublish(this: IHookFunctions): Promise<void> {
	if (!checkEnabled(this) || !isPublish(this)) return;
	const callbackUri = this.getNodeWebhookUrl('default');
	if (callbackUri === undefined) return;
	const client = await SmartcarClient.create(this);
	const candidates = await listResources(client, {
		api: 'management',
		path: '/webhooks',
		filters: { 'filter[callbackUri]': callbackUri },
		limit: MAX_CANDIDATES,
	});
	const webhooks = candidates.map(readWebhook);
	const exact = webhooks.filter((webhook) => webhook.callbackUri === callbackUri);
	if (exact.length === 0) throw noWebhookError(this, callbackUri, webhooks);
	if (exact.some((webhook) => webhook.isEnabled === true)) return;
	const names = exact.map((webhook) => `"${webhook.name ?? webhook.id}"`).join(', ');
	throw publishError(
		this,
		callbackUri,
		`The Smartcar webhook ${names} for this trigger's Production URL is disabled: enable it in the Smartcar Dashboard → Webhooks, then publish again`,
		'Smartcar sends no events to a disabled webhook. Enable it in the Smartcar Dashboard → Webhooks (Smartcar verifies the URL while this workflow is published), then publish again. ' +
			'To publish without this check, turn off Options → Check Smartcar Webhook on Publish.',
	);
}
