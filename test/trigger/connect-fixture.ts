/**
 * Connect Redirect triggers for the Connect specs: the trigger's webhook() with a mocked n8n context, one per
 * workflow (its own workflow ID, webhook path and static data, as two workflows in one n8n are), and a browser that
 * opens its URL. Each request gets its own copy of the workflow's static data, saved whole once answered (the last
 * save wins), as n8n loads and saves the workflow row per request; that a real n8n saves it, also across a restart,
 * is proven in test/e2e/smartcar.e2e.test.ts. Links come from the real Smartcar node's Connect → Get Authorization
 * URL, run in-process with n8n-core.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import type { CredentialStore } from '../harness';
import { outputJson, runSmartcar } from '../nodes/smartcar-fixture';
import { credentialData, type Webhook } from './trigger-fixture';
import { openUrl, send, type Outcome } from './webhook-context';

/** The n8n these triggers pretend to run in (only the path of a URL reaches the trigger). */
export const N8N_URL = 'http://127.0.0.1:5678';

export interface RedirectTriggerOptions {
	workflowId: string;
	/** Default: the workflow ID. */
	webhookId?: string;
	/** Default: the trigger fixture's credential; null: none. */
	credential?: ICredentialDataDecryptedObject | null;
	/** Check State and the Options collection; default Signed with no options. */
	parameters?: IDataObject;
	/** Another process's trigger (freshWebhook()); default one shared by the spec file. */
	webhook?: Webhook;
	/** The workflow row's global static data when the trigger starts (e.g. what another process saved). */
	staticData?: IDataObject;
}

export interface RedirectTrigger {
	/** The Production URL, and the Test URL. */
	url: string;
	testUrl: string;
	/** The workflow row's global static data, as last saved. */
	staticData(): IDataObject;
	/** The items of every run this trigger started, in order. */
	runs: IDataObject[];
	/** The driver's browser coming back to `url` (default: the Production URL) with this query. */
	open(query: Record<string, string>, url?: string): Promise<Outcome>;
	/** The browser following a whole URL (a Connect page's link). */
	follow(url: string): Promise<Outcome>;
}

const shared = new SmartcarTrigger().webhook as Webhook;

/** A published workflow with one Connect Redirect trigger on `/webhook/<webhookId>/webhook`. */
export function redirectTrigger(options: RedirectTriggerOptions): RedirectTrigger {
	const webhookId = options.webhookId ?? options.workflowId;
	const parameters = { trigger: 'connectRedirect', redirectOptions: {}, ...(options.parameters ?? {}) };
	const credential = options.credential === undefined ? credentialData() : options.credential;
	let row: IDataObject = structuredClone(options.staticData ?? {});
	const runs: IDataObject[] = [];
	const follow = async (url: string): Promise<Outcome> => {
		const loaded = structuredClone(row);
		const setup = { parameters, credential, workflowId: options.workflowId, globalStaticData: loaded };
		const outcome = await send(options.webhook ?? shared, setup, openUrl(url));
		row = loaded;
		runs.push(...(outcome.items ?? []));
		return outcome;
	};
	const url = `${N8N_URL}/webhook/${webhookId}/webhook`;
	return {
		url,
		testUrl: `${N8N_URL}/webhook-test/${webhookId}/webhook`,
		staticData: () => structuredClone(row),
		runs,
		open: async (query, at = url) => await follow(`${at}?${new URLSearchParams(query).toString()}`),
		follow,
	};
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
