/**
 * Shared setup for the Smartcar Trigger specs: a webhook host (n8n 2.41.1 semantics) serving one workflow whose
 * trigger is the real SmartcarTrigger, plain HTTP helpers, and an HMAC computed here with node:crypto (never through
 * the package's or the simulator's signing helpers).
 */
import { createHmac } from 'node:crypto';
import * as http from 'node:http';

import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeType, IConnections } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { SmartcarApi } from '../../credentials/SmartcarApi.credentials';
import { SmartcarTrigger } from '../../nodes/SmartcarTrigger/SmartcarTrigger.node';
import { CredentialStore, startWebhookHost, type WebhookHost } from '../harness';

export const TRIGGER_TYPE = 'n8n-nodes-smartcar.smartcarTrigger';
export const TRIGGER_NAME = 'Smartcar Trigger';
export const TRIGGER_NODE_ID = 'b6f3c8a2-trigger-node';
export const WEBHOOK_ID = 'c0ffee00-smartcar-hook';
export const WORKFLOW_ID = 'wf-smartcar-trigger';
/** The key under which the host stores the trigger's node static data. */
export const STATIC_KEY = `node:${TRIGGER_NAME}`;

export const MANAGEMENT_TOKEN = 'amt_4f9c2e7d1b3a5c6e8f0a2b4c6d8e0f1a';
export const CLIENT_SECRET = 'sc-secret-7e1f0c9b';

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

/** The trigger node at the version new nodes get (2) unless `typeVersion` says otherwise. */
export function triggerNode(parameters: INode['parameters'] = {}, typeVersion = 2): INode {
	return {
		id: TRIGGER_NODE_ID,
		name: TRIGGER_NAME,
		type: TRIGGER_TYPE,
		typeVersion,
		position: [0, 0],
		parameters,
		webhookId: WEBHOOK_ID,
	};
}

export interface TriggerHostOptions {
	/** The trigger node's parameters. */
	parameters?: INode['parameters'];
	/** The trigger node's version (default 2, what a new node gets). */
	typeVersion?: number;
	/** Credential fields; `null` → no credential at all. */
	credential?: ICredentialDataDecryptedObject | null;
	/** Extra nodes after the trigger (connected in a chain). */
	downstream?: Array<{ name: string; type: string; node: INodeType; parameters?: INode['parameters'] }>;
	/** Another SmartcarTrigger class (e.g. a freshly loaded module, to simulate a restarted process). */
	triggerClass?: new () => INodeType;
	staticData?: IDataObject;
}

export async function startTriggerHost(options: TriggerHostOptions = {}): Promise<WebhookHost> {
	const nodes: INode[] = [triggerNode(options.parameters, options.typeVersion)];
	const nodeTypes: Record<string, INodeType> = {
		[TRIGGER_TYPE]: options.triggerClass ? new options.triggerClass() : new SmartcarTrigger(),
	};
	const connections: IConnections = {};
	let previous = TRIGGER_NAME;
	for (const [index, extra] of (options.downstream ?? []).entries()) {
		nodes.push({
			id: `downstream-${index}`,
			name: extra.name,
			type: extra.type,
			typeVersion: 1,
			position: [200 * (index + 1), 0],
			parameters: extra.parameters ?? {},
		});
		nodeTypes[extra.type] = extra.node;
		connections[previous] = { main: [[{ node: extra.name, type: NodeConnectionTypes.Main, index: 0 }]] };
		previous = extra.name;
	}
	const credential = options.credential === undefined ? credentialData() : options.credential;
	return await startWebhookHost({
		workflow: { id: WORKFLOW_ID, name: 'Smartcar trigger spec', nodes, connections },
		nodeTypes,
		credentialTypes: { smartcarApi: new SmartcarApi() },
		credentials: new CredentialStore(credential === null ? {} : { smartcarApi: credential }),
		staticData: options.staticData,
	});
}

export interface HttpResult {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	/** The body parsed as JSON, or undefined. */
	json: unknown;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/** One HTTP request with exactly these bytes and headers (no redirects followed, no headers added but Host and Content-Length). */
export function request(
	url: string,
	options: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
	const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
	const headers: Record<string, string> = { ...(options.headers ?? {}) };
	if (body !== undefined) headers['content-length'] = String(body.length);
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
			});
		});
		req.setTimeout(10_000, () => req.destroy(new Error(`${url}: no answer within 10 s`)));
		req.on('error', reject);
		req.end(body);
	});
}

/** POST of a JSON text signed (by default) with the management token over its exact bytes. */
export async function postSigned(
	url: string,
	body: string | Buffer,
	options: { key?: string; signature?: string | null; contentType?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
	const signature = options.signature === null ? undefined : (options.signature ?? hmac(options.key ?? MANAGEMENT_TOKEN, body));
	return await request(url, {
		body,
		headers: {
			'content-type': options.contentType ?? 'application/json',
			...(signature === undefined ? {} : { 'sc-signature': signature }),
			...(options.headers ?? {}),
		},
	});
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON object of a response (fails the test when it is not one). */
export function jsonObject(result: HttpResult): Record<string, unknown> {
	if (!isRecord(result.json)) throw new Error(`Expected a JSON object, got ${result.status} ${result.text.slice(0, 200)}`);
	return result.json;
}

/** Waits until the event loop has handled pending I/O (a response is out, an execution may have been started). */
export async function settle(host: WebhookHost): Promise<void> {
	await new Promise<void>((resolve) => setTimeout(resolve, 20));
	await host.idle();
}
