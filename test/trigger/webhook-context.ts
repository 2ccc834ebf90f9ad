/**
 * A mocked IWebhookFunctions for the Smartcar Trigger's own logic, as n8n's node tests mock their context (e.g.
 * CalTriggerV2.node.test.ts): parameters, credential, static data and the request are plain values; the response is
 * a MockResponse, so a spec decides when and how n8n answers. What n8n's server does around webhook() — routing and
 * registration, body parsing per node version (422 for malformed JSON), executions, when static data is saved — is
 * proven against a real n8n in test/e2e, not here.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { MockResponse } from './mock-response';
import { MANAGEMENT_TOKEN, TRIGGER_NAME, TRIGGER_NODE_ID, TRIGGER_PATH, TRIGGER_TYPE, WORKFLOW_ID, hmac, type Webhook } from './trigger-fixture';

export { MANAGEMENT_TOKEN, hmac } from './trigger-fixture';

export interface MockTriggerSetup {
	parameters?: IDataObject;
	/** Default: a credential with MANAGEMENT_TOKEN; null: the node has none. */
	credential?: ICredentialDataDecryptedObject | null;
	/** The workflow's node static data (pass the same object to share one workflow row between calls). */
	staticData?: IDataObject;
	/** The workflow's global static data (where Connect links are remembered). */
	globalStaticData?: IDataObject;
	workflowId?: string;
	nodeId?: string;
}

export interface MockRequest {
	/** Default POST. */
	method?: 'GET' | 'POST';
	/** The exact bytes sent. */
	body?: string | Buffer;
	/** SC-Signature; default: the HMAC of the body with MANAGEMENT_TOKEN (none without a body); null: none. */
	signature?: string | null;
	headers?: Record<string, string>;
	query?: IDataObject;
	/** The path n8n routed the request by (default: the Production URL's). */
	path?: string;
	/** n8n left the body unread (version 2, a content type it does not parse): only `readRawBody()` gives the bytes. */
	unread?: boolean;
	/** Smartcar gave up waiting before n8n got to the trigger (a slow n8n): the connection is already closed. */
	closedBeforeHandled?: boolean;
}

export interface TriggerCall {
	result: IWebhookResponseData;
	response: MockResponse;
	/** The items of the run it starts, or undefined when it starts none. */
	items?: IDataObject[];
}

/** The request object n8n gives the node: the raw bytes (or a reader), headers, method, path with query. */
function requestObject(request: MockRequest, headers: Record<string, string>) {
	const raw = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
	const query = new URLSearchParams(request.query as Record<string, string>).toString();
	const url = `${request.path ?? TRIGGER_PATH}${query ? `?${query}` : ''}`;
	const object: IDataObject = { method: request.method ?? 'POST', headers, query: request.query ?? {}, originalUrl: url, url };
	if (request.unread) object.readRawBody = async () => void (object.rawBody = raw);
	else object.rawBody = raw;
	return { object, raw };
}

function contextFor(setup: MockTriggerSetup, request: MockRequest, response: MockResponse): IWebhookFunctions {
	const headers: Record<string, string> = { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...(request.headers ?? {}) };
	const { object, raw } = requestObject(request, headers);
	const signature = request.signature === undefined && raw !== undefined ? hmac(MANAGEMENT_TOKEN, raw) : request.signature;
	if (typeof signature === 'string') headers['sc-signature'] = signature;
	const staticData = { node: setup.staticData ?? {}, global: setup.globalStaticData ?? {} };
	const credential = setup.credential === undefined ? { applicationManagementToken: MANAGEMENT_TOKEN } : setup.credential;
	const parameters = setup.parameters ?? {};
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
		getCredentials: async () => {
			if (credential === null) throw new Error('Node does not have any credentials set');
			return credential;
		},
		getRequestObject: () => object,
		getHeaderData: () => headers,
		getQueryData: () => request.query ?? {},
		getResponseObject: () => response,
		getWorkflowStaticData: (type: string) => (type === 'global' ? staticData.global : staticData.node),
		getWorkflow: () => ({ id: setup.workflowId ?? WORKFLOW_ID, name: 'Smartcar trigger spec', active: true }),
		getNode: () => ({ id: setup.nodeId ?? TRIGGER_NODE_ID, name: TRIGGER_NAME, type: TRIGGER_TYPE, typeVersion: 2, position: [0, 0], parameters }),
		helpers: { returnJsonArray: (items: IDataObject[]): INodeExecutionData[] => items.map((json) => ({ json })) },
	} as unknown as IWebhookFunctions;
}

/** One call of the trigger's webhook() with a mocked context; the response stays open unless the node answered. */
export async function callWebhook(webhook: Webhook, setup: MockTriggerSetup, request: MockRequest): Promise<TriggerCall> {
	const response = new MockResponse();
	if (request.closedBeforeHandled) response.abort();
	const result = await webhook.call(contextFor(setup, request, response));
	const items = result.workflowData?.[0]?.map((item) => item.json);
	return { result, response, items };
}

/** The browser opening `url` (a GET with its path and query): the Connect redirect. */
export function openUrl(url: string): MockRequest {
	const parsed = new URL(url);
	return { method: 'GET', path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) };
}

/**
 * A delivery as n8n answers it when the trigger leaves the answer to n8n (Respond: Immediately): the trigger's
 * `webhookResponse` with status 200, once n8n holds the run (test/e2e/smartcar.e2e.test.ts shows the VERIFY answer
 * and `{ status: 'received' }` coming back so from a real n8n; crash.e2e.test.ts when).
 */
export async function deliver(webhook: Webhook, setup: MockTriggerSetup, request: MockRequest): Promise<TriggerCall> {
	const call = await callWebhook(webhook, setup, request);
	if (!call.response.writableFinished) call.response.status(200).json(call.result.webhookResponse);
	return call;
}

export interface Answer {
	status: number;
	/** The JSON answer, or the page's text. */
	body: unknown;
	headers: Record<string, string>;
}

/** The answer that went out: the trigger's own, or n8n's (deliver()). */
export function answerOf(call: TriggerCall): Answer {
	const { response } = call;
	if (!response.writableFinished) throw new Error('No answer went out: use deliver(), or finish the response as n8n would');
	return { status: response.statusCode, body: response.body ?? response.text, headers: response.headers };
}

export interface Outcome extends Answer {
	/** The items of the run the delivery starts, or undefined when it starts none. */
	items?: IDataObject[];
}

/** deliver(), summed up: the answer that went out and the run it started, if any. */
export async function send(webhook: Webhook, setup: MockTriggerSetup, request: MockRequest): Promise<Outcome> {
	const call = await deliver(webhook, setup, request);
	return { ...answerOf(call), items: call.items };
}
