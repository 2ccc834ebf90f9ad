/**
 * A real HTTP server (express 5, as n8n uses) hosting the webhook trigger node of one published workflow at
 * `/webhook/<path>`, and at `/webhook-test/<path>` after listenForTestEvent(), with n8n 2.41.1's request
 * handling for what a trigger node can observe. The pieces, one concern each:
 *  - hosted-workflow.ts: the workflow row and its static data;  webhook-registration.ts: the registered paths;
 *  - webhook-routing.ts: URL → webhook, 404s, request records;  webhook-body.ts: raw body and parsing;
 *  - webhook-delivery.ts: calling webhook() and answering;  webhook-response.ts: n8n's response bodies;
 *  - webhook-executions.ts: the executions deliveries start.
 * What it does not mirror is listed in each file; the real-n8n e2e (test/e2e) covers publishing, CORS and the
 * other response modes against n8n itself.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import type { Express } from 'express';
import type { ICredentialType, IDataObject } from 'n8n-workflow';

import { CredentialStore } from './credential-store';
import { HarnessCredentialsHelper } from './credentials-helper';
import { HostedWorkflow } from './hosted-workflow';
import { HarnessNodeTypes, createAdditionalData, type NodeTypeClasses } from './n8n-environment';
import type { WorkflowJson } from './workflow-json';
import { harnessNodeTypes } from './test-nodes';
import { Delivery, type DeliveryHost } from './webhook-delivery';
import { ExecutionTracker, type WebhookExecution } from './webhook-executions';
import { registerWebhooks, type RegisteredWebhook } from './webhook-registration';
import { matchWebhook, recordRequest, webhookApp, type WebhookRequestRecord } from './webhook-routing';

export type { WebhookExecution } from './webhook-executions';
export type { WebhookRequestRecord } from './webhook-routing';

export interface WebhookHostOptions {
	workflow: WorkflowJson;
	/** Node classes keyed by full type name; the harness.* test nodes are added. */
	nodeTypes?: NodeTypeClasses;
	credentialTypes?: Record<string, ICredentialType>;
	credentials?: CredentialStore;
	/** The webhook node (typeVersion 1). Default: the first enabled node whose type has webhook(). */
	triggerNode?: string;
	/** Initial stored workflow static data (default: the workflow JSON's, else none). */
	staticData?: IDataObject;
	/** See RunWorkflowOptions.attachCredentials. Default true. */
	attachCredentials?: boolean;
	host?: string;
	port?: number;
}

export interface WebhookHost {
	/** `http://127.0.0.1:<port>/` */
	baseUrl: string;
	/** Production URL of the trigger's webhook (`/webhook/<path>`), or of another path; `{ test: true }` → `/webhook-test/`. */
	url(path?: string, options?: { test?: boolean }): string;
	/** Finished executions, in the order they finished. */
	executions: WebhookExecution[];
	requests: WebhookRequestRecord[];
	/** A copy of the stored workflow static data. */
	staticData(): IDataObject;
	/** "Listen for test event": the test URL answers until one delivery starts an execution. */
	listenForTestEvent(): void;
	/** Resolves once `count` executions have finished (or rejects after timeoutMs). */
	waitForExecutions(count: number, timeoutMs?: number): Promise<WebhookExecution[]>;
	/** Resolves when no execution is running. */
	idle(): Promise<void>;
	/** Waits for running executions, then closes the server. */
	close(): Promise<void>;
}

/** Starts the server on a free loopback port with the workflow published (its webhooks registered). */
export async function startWebhookHost(options: WebhookHostOptions): Promise<WebhookHost> {
	const { hosted, credentialsHelper } = hostedWorkflowOf(options);
	const webhooks = registerWebhooks(hosted);
	const address = { baseUrl: '' };
	const additionalData = (executionId?: string) =>
		createAdditionalData({ credentialsHelper, baseUrl: address.baseUrl, executionId, workflowId: hosted.id });
	const executions = new ExecutionTracker(hosted, additionalData);
	const requests: WebhookRequestRecord[] = [];
	const testUrl = { listening: false };
	const deliveryHost: DeliveryHost = {
		hosted,
		executions,
		additionalData,
		stopTestListener: () => {
			testUrl.listening = false;
		},
	};
	const app = webhookApp(async (req, res, test) => {
		const record = recordRequest(requests, req, res, test);
		const webhook = matchWebhook(req, res, webhooks, !test || testUrl.listening);
		if (webhook !== undefined) await new Delivery(deliveryHost, req, res, webhook, record).run();
	});
	const host = options.host ?? '127.0.0.1';
	const server = await listen(app, host, options.port ?? 0);
	address.baseUrl = `http://${host}:${(server.address() as AddressInfo).port}/`;
	return hostHandle({ baseUrl: address.baseUrl, webhooks, hosted, executions, requests, testUrl, server });
}

/** The hosted workflow over the node and credential classes, and the credentials helper its executions use. */
function hostedWorkflowOf(options: WebhookHostOptions) {
	const classes: NodeTypeClasses = { ...harnessNodeTypes(), ...(options.nodeTypes ?? {}) };
	const store = options.credentials ?? new CredentialStore();
	const credentialsHelper = new HarnessCredentialsHelper(store, options.credentialTypes ?? {}, classes);
	const hosted = new HostedWorkflow({
		workflow: options.workflow,
		nodeTypes: new HarnessNodeTypes(classes),
		store,
		attachCredentials: options.attachCredentials !== false,
		staticData: options.staticData,
		triggerNode: options.triggerNode,
	});
	return { hosted, credentialsHelper };
}

interface HostParts {
	baseUrl: string;
	webhooks: RegisteredWebhook[];
	hosted: HostedWorkflow;
	executions: ExecutionTracker;
	requests: WebhookRequestRecord[];
	testUrl: { listening: boolean };
	server: Server;
}

/** The WebhookHost a spec gets. */
function hostHandle(parts: HostParts): WebhookHost {
	const { baseUrl, executions } = parts;
	return {
		baseUrl,
		url: (path, options = {}) => `${baseUrl}${options.test ? 'webhook-test' : 'webhook'}/${path ?? parts.webhooks[0].path}`,
		executions: executions.executions,
		requests: parts.requests,
		staticData: () => parts.hosted.loadStaticData() ?? {},
		listenForTestEvent: () => {
			parts.testUrl.listening = true;
		},
		waitForExecutions: async (count, timeoutMs = 5000) => await executions.waitFor(count, timeoutMs),
		idle: async () => await executions.idle(),
		close: async () => {
			await executions.idle();
			await new Promise<void>((resolve) => {
				parts.server.close(() => resolve());
				parts.server.closeAllConnections();
			});
		},
	};
}

async function listen(app: Express, host: string, port: number): Promise<Server> {
	return await new Promise<Server>((resolve, reject) => {
		const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
	});
}
