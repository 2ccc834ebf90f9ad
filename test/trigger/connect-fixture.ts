/**
 * Connect Redirect triggers for the Connect-link specs: each host is one published workflow whose only node is the
 * real SmartcarTrigger in Connect Redirect mode, with its own workflow ID and webhook ID (so two hosts are two
 * different triggers, as two workflows in one n8n are), the credential given, and optionally another copy of the
 * trigger class (a restarted process) and stored static data. Links come from the real Smartcar node's Connect →
 * Get Authorization URL, run in-process with the same credential.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import { SmartcarApi } from '../../credentials/SmartcarApi.credentials';
import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { CredentialStore, startWebhookHost, type WebhookHost } from '../harness';
import { outputJson, runSmartcar } from '../nodes/smartcar-fixture';
import { TRIGGER_NAME, TRIGGER_TYPE, request, settle, triggerNode, type HttpResult } from './trigger-fixture';

type TriggerModule = typeof import('../../nodes/SmartcarTrigger/SmartcarTrigger.node');

export interface RedirectHostOptions {
	/** The workflow's ID; also the default for the trigger's webhook ID. */
	workflowId: string;
	webhookId?: string;
	credential: ICredentialDataDecryptedObject;
	/** Check State and the Options collection; default Signed with no options. */
	parameters?: IDataObject;
	/** Another copy of the trigger class: a process with empty memory (see freshTriggerClass). */
	triggerClass?: new () => INodeType;
	/** The workflow row's static data when the host starts (e.g. what another host saved). */
	staticData?: IDataObject;
}

/** A published workflow with one Connect Redirect trigger on `/webhook/<webhookId>/webhook`. */
export async function startRedirectHost(options: RedirectHostOptions): Promise<WebhookHost> {
	const node = { ...triggerNode({ trigger: 'connectRedirect', redirectOptions: {}, ...(options.parameters ?? {}) }), webhookId: options.webhookId ?? options.workflowId };
	const trigger = options.triggerClass ? new options.triggerClass() : new SmartcarTrigger();
	return await startWebhookHost({
		workflow: { id: options.workflowId, name: `Connect redirect ${options.workflowId}`, nodes: [node], connections: {} },
		nodeTypes: { [TRIGGER_TYPE]: trigger },
		credentialTypes: { smartcarApi: new SmartcarApi() },
		credentials: new CredentialStore({ smartcarApi: options.credential }),
		staticData: options.staticData,
	});
}

/** The trigger class from a fresh module registry: a new process's empty in-process memory. */
export function freshTriggerClass(): TriggerModule['SmartcarTrigger'] {
	let loaded: TriggerModule | undefined;
	jest.isolateModules(() => {
		loaded = require('../../nodes/SmartcarTrigger/SmartcarTrigger.node') as TriggerModule;
	});
	if (loaded === undefined) throw new Error('could not load the trigger module');
	return loaded.SmartcarTrigger;
}

/** Connect → Get Authorization URL, one item per state, with `redirectUri`: the signed `state` of each link. */
export async function signedStates(store: CredentialStore, redirectUri: string, states: string[], options: INodeParameters = {}): Promise<string[]> {
	const result = await runSmartcar(
		{ resource: 'connect', operation: 'getAuthorizationUrl', redirectUri, state: '={{ $json.state }}', options },
		{ store, items: states.map((state) => ({ state })) },
	);
	expect(result.error).toBeUndefined();
	return outputJson(result).map((link) => String(new URL(String(link.url)).searchParams.get('state')));
}

/** The driver's browser coming back to `url` with this query. */
export async function redirectTo(url: string, query: Record<string, string>): Promise<HttpResult> {
	return await request(`${url}?${new URLSearchParams(query).toString()}`, { method: 'GET' });
}

/** The items of every execution the host finished (after letting pending ones finish). */
export async function runItems(host: WebhookHost): Promise<IDataObject[]> {
	await settle(host);
	return host.executions.map((execution) => execution.items[0][0].json);
}

/** The trigger node's name in these workflows (for node static data). */
export const REDIRECT_NODE = TRIGGER_NAME;
