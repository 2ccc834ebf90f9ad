import type { IHookFunctions, NodeApiError } from 'n8n-workflow';

import { listResources } from '../shared/paged-list';
import { SmartcarClient } from '../shared/transport';
import { readWebhook, type SmartcarWebhook } from '../shared/webhooks';
import { PUBLIC_URL_VARIABLE } from './setup-texts';
import { triggerOn, vehicleEventOptions } from './trigger-parameters';

/**
 * Check Smartcar Webhook on Publish: when a workflow with Vehicle Events is published, ask the Management API for
 * the Smartcar webhook whose callback URI is this trigger's Production URL.
 *
 * The order that works is publish first, then add the webhook in the Smartcar Dashboard (Smartcar sends VERIFY the
 * moment it is saved, and the Production URL answers only once the workflow is published). An error thrown here fails
 * the trigger's activation: n8n removes its webhook (2.41.1 webhook-trigger-registrar / active-workflow-manager
 * addWebhooks: clearWebhooks, then rethrow), so the URL answers 404 and Smartcar's VERIFY cannot succeed. Hence:
 * - publishing a workflow that is not published (activation "activate": n8n 2.x Publish, the first time or after
 *   Unpublish; n8n 1.x switching Active on) is never blocked: a missing or disabled webhook, or a Smartcar that cannot
 *   be asked, is a warning in n8n's log that says the next step, and the trigger goes live;
 * - publishing again (activation "update": n8n 2.x publishes a changed trigger again, an unchanged one is not
 *   re-registered; n8n 1.x re-registers on every save of an active workflow) checks, and fails with what to fix.
 * How n8n shows that failure: 2.41.1 (publication service, the default) retries the activation 5 times (1, 2, 4, 8 s
 * apart), then the editor shows "failed to activate" with the error's message only; 1.123.81 answers the save with
 * the NodeApiError's description and leaves the workflow inactive. So message and description each say what to fix.
 */

/** The most webhooks whose callback URI contains the Production URL that are read (Smartcar filters by part). */
const MAX_CANDIDATES = 1000;

/**
 * What this activation is: the first publish of the workflow (`activate`: checked, never blocked), a publish again
 * (`update`, `create`: checked, blocked on a finding), or anything else (not checked): the Test URL ("Listen for test
 * event"), n8n starting or a new leader taking over, where a Smartcar outage must not take a published trigger offline.
 */
function publishKind(context: IHookFunctions): 'first' | 'again' | undefined {
	if (context.getMode() === 'manual') return undefined;
	const activation = context.getActivationMode();
	if (activation === 'activate') return 'first';
	return activation === 'update' || activation === 'create' ? 'again' : undefined;
}

function checkEnabled(context: IHookFunctions): boolean {
	return triggerOn(context) === 'vehicleEvents' && vehicleEventOptions(context).checkWebhookOnPublish;
}

/** A finding that fails a publish again, redacted like every error (n8n 1.x shows a NodeApiError's description). */
async function publishError(client: SmartcarClient, callbackUri: string, message: string, description: string): Promise<NodeApiError> {
	return await client.judgedError({ callbackUri }, { message, description });
}

/** The failure for a Production URL no Smartcar webhook has exactly, naming near misses (a partial match). */
async function noWebhookError(client: SmartcarClient, callbackUri: string, nearMisses: SmartcarWebhook[]): Promise<NodeApiError> {
	const near = nearMisses
		.slice(0, 3)
		.map((webhook) => `"${webhook.name ?? webhook.id}" (${webhook.callbackUri ?? 'no callback URI'})`)
		.join(', ');
	return await publishError(
		client,
		callbackUri,
		`No Smartcar webhook has this trigger's Production URL ${callbackUri} as its callback URI: add one in the Smartcar Dashboard → Webhooks, then publish again`,
		`Create a webhook in the Smartcar Dashboard → Webhooks with exactly this callback URI (it must be public HTTPS; if n8n runs behind a proxy, set ${PUBLIC_URL_VARIABLE} so n8n shows the public address). ` +
			(near ? `Webhooks with a similar callback URI: ${near}. ` : '') +
			'Smartcar verifies the webhook the moment it is saved, and this trigger can answer only while the workflow is published: if the trigger is not live now, turn off Options → Check Smartcar Webhook on Publish, publish, add the webhook, then turn the check on again.',
	);
}

/** The webhooks Smartcar has for this callback URI (and near misses), or the finding that fails a publish again. */
async function findProblem(context: IHookFunctions, callbackUri: string): Promise<NodeApiError | undefined> {
	const client = await SmartcarClient.create(context);
	const candidates = await listResources(client, {
		api: 'management',
		path: '/webhooks',
		filters: { 'filter[callbackUri]': callbackUri },
		limit: MAX_CANDIDATES,
	});
	const webhooks = candidates.map(readWebhook);
	const exact = webhooks.filter((webhook) => webhook.callbackUri === callbackUri);
	if (exact.length === 0) return await noWebhookError(client, callbackUri, webhooks);
	if (exact.some((webhook) => webhook.isEnabled === true)) return undefined;
	const names = exact.map((webhook) => `"${webhook.name ?? webhook.id}"`).join(', ');
	return await publishError(
		client,
		callbackUri,
		`The Smartcar webhook ${names} for this trigger's Production URL is disabled: enable it in the Smartcar Dashboard → Webhooks, then publish again`,
		'Smartcar sends no events to a disabled webhook. Enable it in the Smartcar Dashboard → Webhooks (Smartcar verifies the URL while this workflow is published), then publish again. ' +
			'To publish without this check, turn off Options → Check Smartcar Webhook on Publish.',
	);
}

/**
 * The first publish is never blocked: the trigger goes live, and n8n's log gets a warning with the next step — add
 * (or enable) the webhook now, or, when Smartcar could not be asked (`failure`), what went wrong.
 */
function warnFirstPublish(context: IHookFunctions, callbackUri: string, failure?: string): void {
	const name = context.getNode().name;
	const message =
		failure === undefined
			? `Smartcar Trigger "${name}" is published, but Smartcar has no enabled webhook with its Production URL ${callbackUri} yet: add (or enable) it in the Smartcar Dashboard → Webhooks now. Smartcar verifies it the moment it is saved, and the trigger answers.`
			: `Smartcar Trigger "${name}" is published, but Check Smartcar Webhook on Publish could not ask Smartcar for its webhooks: ${failure}`;
	context.logger.warn(message, { workflowId: context.getWorkflow().id, node: name });
}

/**
 * Runs the check when it applies (see publishKind). On the first publish it never throws: a finding, or an error
 * asking Smartcar, is logged as a warning. Publishing again, it throws a NodeApiError that fails the publish.
 */
export async function checkWebhookOnPublish(this: IHookFunctions): Promise<void> {
	const kind = publishKind(this);
	if (!checkEnabled(this) || kind === undefined) return;
	const callbackUri = this.getNodeWebhookUrl('default');
	if (callbackUri === undefined) return;
	if (kind === 'again') {
		const problem = await findProblem(this, callbackUri);
		if (problem) throw problem;
		return;
	}
	try {
		if (await findProblem(this, callbackUri)) warnFirstPublish(this, callbackUri);
	} catch (error) {
		warnFirstPublish(this, callbackUri, error instanceof Error ? error.message : String(error));
	}
}
