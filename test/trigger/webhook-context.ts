/**
 * A mocked IWebhookFunctions for the Smartcar Trigger's own logic, as n8n's node tests mock their context (e.g.
 * CalTriggerV2.node.test.ts): parameters, credential and static data are plain values; the response is a real
 * EventEmitter with Express's status/json and Node's finish/close events, so a spec decides when and how n8n
 * answers. What n8n's server does around it (routing, body parsing, executions, when static data is saved) is
 * proven in the real-n8n e2e, not here.
 */
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

export const MANAGEMENT_TOKEN = 'amt_4f9c2e7d1b3a5c6e8f0a2b4c6d8e0f1a';

export function hmac(key: string, message: string | Buffer): string {
	return createHmac('sha256', key).update(message).digest('hex');
}

/** What n8n's Express response does for the trigger: a status, a JSON body, then finish (or close without it). */
export class MockResponse extends EventEmitter {
	statusCode = 200;
	body: unknown;
	writableFinished = false;
	/** Node sets it once the connection is gone; a 'close' listener added after that never fires. */
	destroyed = false;

	status(code: number): this {
		this.statusCode = code;
		return this;
	}

	json(body: unknown): this {
		this.body = body;
		this.finish();
		return this;
	}

	/** The answer went out completely (n8n wrote it, or the node did). */
	finish(status?: number): void {
		if (status !== undefined) this.statusCode = status;
		if (this.writableFinished) return;
		this.writableFinished = true;
		this.emit('finish');
		this.emit('close');
	}

	/** The connection closed before an answer went out (e.g. Smartcar gave up waiting). */
	abort(): void {
		this.destroyed = true;
		this.emit('close');
	}
}

export interface TriggerCall {
	result: IWebhookResponseData;
	response: MockResponse;
	/** The items of the run it starts, or undefined when it starts none. */
	items?: IDataObject[];
}

export interface MockTriggerSetup {
	parameters?: IDataObject;
	credential?: ICredentialDataDecryptedObject | null;
	/** The workflow's node static data (shared by every call given the same object, as one workflow row). */
	staticData?: IDataObject;
	workflowId?: string;
	nodeId?: string;
}

export interface Delivery {
	body: string | Buffer;
	/** SC-Signature; default: the HMAC of the body with MANAGEMENT_TOKEN; null: none. */
	signature?: string | null;
	headers?: Record<string, string>;
	/** Smartcar gave up waiting before n8n got to the trigger (a slow n8n): the connection is already closed. */
	closedBeforeHandled?: boolean;
}

function parameterOf(parameters: IDataObject, name: string, fallback: unknown): unknown {
	return name in parameters ? parameters[name] : fallback;
}

/** One call of the trigger's webhook() with a mocked context; the response stays open unless the node answered. */
export async function callWebhook(
	webhook: (this: IWebhookFunctions) => Promise<IWebhookResponseData>,
	setup: MockTriggerSetup,
	delivery: Delivery,
): Promise<TriggerCall> {
	const raw = Buffer.isBuffer(delivery.body) ? delivery.body : Buffer.from(delivery.body, 'utf8');
	const signature = delivery.signature === undefined ? hmac(MANAGEMENT_TOKEN, raw) : delivery.signature;
	const headers: Record<string, string> = { 'content-type': 'application/json', ...(delivery.headers ?? {}) };
	if (signature !== null) headers['sc-signature'] = signature;
	const response = new MockResponse();
	if (delivery.closedBeforeHandled) response.abort();
	const staticData = setup.staticData ?? {};
	const credential = setup.credential === undefined ? { applicationManagementToken: MANAGEMENT_TOKEN } : setup.credential;
	const context = {
		getNodeParameter: (name: string, fallback?: unknown) => parameterOf(setup.parameters ?? {}, name, fallback),
		getCredentials: async () => {
			if (credential === null) throw new Error('Node does not have any credentials set');
			return credential;
		},
		getRequestObject: () => ({ rawBody: raw, headers }),
		getHeaderData: () => headers,
		getResponseObject: () => response,
		getWorkflowStaticData: () => staticData,
		getWorkflow: () => ({ id: setup.workflowId ?? 'wf-1', name: 'Smartcar trigger spec', active: true }),
		getNode: () => ({ id: setup.nodeId ?? 'node-1', name: 'Smartcar Trigger', type: 'n8n-nodes-smartcar.smartcarTrigger', typeVersion: 2, position: [0, 0], parameters: {} }),
		helpers: { returnJsonArray: (items: IDataObject[]): INodeExecutionData[] => items.map((json) => ({ json })) },
	} as unknown as IWebhookFunctions;
	const result = await webhook.call(context);
	const items = result.workflowData?.[0]?.map((item) => item.json);
	return { result, response, items };
}
