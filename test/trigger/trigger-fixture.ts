/**
 * What the Smartcar Trigger specs share: the trigger's identity in a workflow, its credential, an HMAC computed here
 * with node:crypto (never through the package's or the simulator's signing helpers), and the trigger from a fresh
 * module registry (a new process, with an empty in-process memory).
 */
import { createHmac } from 'node:crypto';

import type { ICredentialDataDecryptedObject, INode, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

export const TRIGGER_TYPE = 'n8n-nodes-smartcar.smartcarTrigger';
export const TRIGGER_NAME = 'Smartcar Trigger';
export const TRIGGER_NODE_ID = 'b6f3c8a2-trigger-node';
export const WEBHOOK_ID = 'c0ffee00-smartcar-hook';
export const WORKFLOW_ID = 'wf-smartcar-trigger';
/** The trigger's Production URL path, as n8n routes it (`/webhook/<webhookId>/<path>`). */
export const TRIGGER_PATH = `/webhook/${WEBHOOK_ID}/webhook`;

export const MANAGEMENT_TOKEN = 'amt_4f9c2e7d1b3a5c6e8f0a2b4c6d8e0f1a';
export const CLIENT_SECRET = 'sc-secret-7e1f0c9b';

export type Webhook = (this: IWebhookFunctions) => Promise<IWebhookResponseData>;

/** HMAC-SHA256 hex, computed independently of the package and the simulator. */
export function hmac(key: string, message: string | Buffer): string {
	return createHmac('sha256', key).update(message).digest('hex');
}

export function credentialData(overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		clientId: 'client-id-1234',
		clientSecret: CLIENT_SECRET,
		applicationManagementToken: MANAGEMENT_TOKEN,
		environment: 'production',
		accessToken: '',
		...overrides,
	};
}

/** The trigger node as a workflow stores it, at the version new nodes get (2) unless `typeVersion` says otherwise. */
export function triggerNode(parameters: INode['parameters'] = {}, typeVersion = 2): INode {
	return { id: TRIGGER_NODE_ID, name: TRIGGER_NAME, type: TRIGGER_TYPE, typeVersion, position: [0, 0], parameters, webhookId: WEBHOOK_ID };
}

type TriggerModule = typeof import('../../nodes/SmartcarTrigger/SmartcarTrigger.node');

/** The trigger's webhook() from a fresh module registry: a new process, whose in-process memory is empty. */
export function freshWebhook(): Webhook {
	let loaded: TriggerModule | undefined;
	jest.isolateModules(() => {
		loaded = require('../../nodes/SmartcarTrigger/SmartcarTrigger.node') as TriggerModule;
	});
	if (loaded === undefined) throw new Error('could not load the trigger module');
	return new loaded.SmartcarTrigger().webhook as Webhook;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
