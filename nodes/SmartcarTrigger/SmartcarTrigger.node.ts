import type {
	IHookFunctions,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { fromFunction, NodeConnectionTypes, webhookDescriptionFields } from 'n8n-workflow';

import { receiveConnectRedirect } from './connect-redirect';
import { receiveVehicleEvent } from './vehicle-events';
import { credentialShown, triggerProperties } from './trigger-description';
import { triggerOn } from './trigger-parameters';
import { checkWebhookOnPublish } from './webhook-check';

/** GET for the Connect redirect (a browser), POST for Smartcar's webhooks. Self-contained: n8n inlines its source. */
function httpMethodFor(parameters: INodeParameters): string {
	return parameters.trigger === 'connectRedirect' ? 'GET' : 'POST';
}

/**
 * When n8n answers a vehicle event: `onReceived` once it has stored the execution (n8n 2.x; n8n 1.x answers just
 * before), `lastNode` once the run finished (a failed run is answered 500, so Smartcar retries it). Connect
 * redirects are answered by the node itself. Self-contained: n8n inlines its source.
 */
function responseModeFor(parameters: INodeParameters): string {
	const options = parameters.options;
	const respond = options !== null && typeof options === 'object' && !Array.isArray(options) && 'respond' in options ? options.respond : undefined;
	return parameters.trigger !== 'connectRedirect' && respond === 'lastNode' ? 'lastNode' : 'onReceived';
}

/**
 * The body of n8n's answer: none after the run (a workflow's own data never goes back to Smartcar, and a last node
 * without items is not an error), the node's `{ status: 'received', eventId }` when answering on receipt.
 * Self-contained: n8n inlines its source.
 */
function responseDataFor(parameters: INodeParameters): string {
	const options = parameters.options;
	const respond = options !== null && typeof options === 'object' && !Array.isArray(options) && 'respond' in options ? options.respond : undefined;
	return parameters.trigger !== 'connectRedirect' && respond === 'lastNode' ? 'noData' : '';
}

type WebhookFields = Pick<IWebhookDescription, 'httpMethod' | 'responseMode' | 'responseData'>;

const LAST_NODE = '$parameter["trigger"] !== "connectRedirect" && ($parameter["options"] || {})["respond"] === "lastNode"';

/** The same fields as expressions, for n8n versions without `webhookDescriptionFields` (n8n 1.x). */
export const WEBHOOK_FIELD_EXPRESSIONS: WebhookFields = {
	httpMethod: '={{ $parameter["trigger"] === "connectRedirect" ? "GET" : "POST" }}',
	responseMode: `={{ ${LAST_NODE} ? "lastNode" : "onReceived" }}`,
	responseData: `={{ ${LAST_NODE} ? "noData" : "" }}`,
};

/**
 * The webhook's method and response depend on parameters. n8n 2.x resolves fields declared with
 * `webhookDescriptionFields` natively on every request instead of evaluating an expression; older n8n (no such
 * helper) gets the expressions.
 */
function webhookFields(): WebhookFields {
	if (typeof webhookDescriptionFields === 'function' && typeof fromFunction === 'function') {
		return webhookDescriptionFields({
			httpMethod: fromFunction(httpMethodFor),
			responseMode: fromFunction(responseModeFor),
			responseData: fromFunction(responseDataFor),
		}) as WebhookFields;
	}
	return WEBHOOK_FIELD_EXPRESSIONS;
}

export class SmartcarTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Smartcar Trigger',
		name: 'smartcarTrigger',
		icon: { light: 'file:../../icons/smartcar.svg', dark: 'file:../../icons/smartcar.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves exactly like version 1. n8n evaluates `$parameter.options.binaryData` with its expression
		// engine for every request to a version-1 trigger (n8n's Webhook node v1 had that option); from version 2 on it
		// does not, which costs less CPU per delivery. Workflows saved with version 1 keep it; new nodes get version 2.
		// Version 3 shows Connect Redirect's Expected State as a field right under Check State (versions 1 and 2 keep it
		// in Options, where saved workflows have it).
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: '={{ $parameter["trigger"] === "connectRedirect" ? "Connect redirect" : "Vehicle events" }}',
		description: 'Starts the workflow on Smartcar webhooks (vehicle state and errors) or when a driver returns from Smartcar Connect',
		defaults: { name: 'Smartcar Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'smartcarApi', required: true, displayOptions: credentialShown }],
		webhooks: [{ name: 'default', path: 'webhook', ...webhookFields() }],
		properties: triggerProperties,
	};

	/**
	 * Smartcar has no API to register a webhook: the user creates it in the Smartcar Dashboard with this trigger's
	 * URL, so there is nothing to create or delete when the workflow is published or unpublished. `checkExists` runs
	 * the optional publish check (Options → Check Smartcar Webhook on Publish; it never blocks the first publish) and then
	 * answers true, which tells n8n not to call `create`. All three exist because n8n's community-node lint
	 * (webhook-lifecycle-complete) requires them on a trigger with webhooks.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				await checkWebhookOnPublish.call(this);
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (triggerOn(this) === 'connectRedirect') return await receiveConnectRedirect.call(this);
		return await receiveVehicleEvent.call(this);
	}
}
