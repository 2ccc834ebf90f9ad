/**
 * A real HTTP server (express 5, as n8n uses) hosting the webhook trigger node of one workflow at
 * `/webhook/<path>` (production, mode 'webhook') and `/webhook-test/<path>` (after listenForTestEvent(), mode
 * 'manual'), following the n8n 2.41.1 CLI:
 *  - webhooks/webhook-request-handler.js: allowed methods, CORS headers and OPTIONS → 204, error bodies
 *    (response-helper.js sendErrorResponse: `{ code, message, hint? }`), legacy vs static responses;
 *  - middlewares/body-parser.js: the raw body is read into `req.rawBody` (a Buffer of the exact bytes, gunzipped /
 *    inflated by Content-Encoding) and parsed by content type (JSON with n8n's jsonParse, urlencoded, text/plain);
 *    a body n8n cannot parse → 422 `Failed to parse request body`; with typeVersion > 1 and a content type n8n does
 *    not parse, the body is not read at all (as in webhook-helpers.js parseRequestBody);
 *  - webhooks/webhook-helpers.js executeWebhook: the node's IWebhookFunctions is n8n-core's WebhookContext over the
 *    real req/res; `webhook()` throwing → 500 "Workflow Webhook Error: Workflow could not be started!" (and an
 *    execution with that error); `noWebhookResponse` → nothing is written by the host; no `workflowData` →
 *    `webhookResponse` (or `{ message: 'Webhook call received' }`) and no execution; `workflowData` → the workflow
 *    runs through WorkflowExecute from the trigger node; responseMode onReceived answers right after the start
 *    (`{ message: 'Workflow was started' }` or the webhookResponse), lastNode answers after the execution;
 *  - webhooks/live-webhooks.js + workflow-runner.js + execution-lifecycle-hooks.js for static data: each delivery
 *    loads the stored static data (NULL until first saved) into a fresh Workflow; the webhook phase's data is saved
 *    (if `__dataChanged`) when its response is sent; an execution loads its own copy when it starts and saves it at
 *    its end only if the execution changed it. n8n 2.41.1 loses webhook() changes when the delivery starts an
 *    execution and the row already has static data (establishContextForPersistence resets `__dataChanged` on the
 *    shared object; verified against a running n8n 2.41.1); `{ webhookResponse }` and
 *    `{ noWebhookResponse: true, workflowData }` deliveries are saved. Test-URL deliveries never save static data.
 *  - active-workflow-manager.js: start() runs the node's webhookMethods checkExists → create (mode 'trigger',
 *    activation 'activate'), close() runs delete (mode 'internal', activation 'update'), both with HookContext.
 * Not mirrored: multipart/form-data and XML bodies, binary-data webhooks, dynamic (`:param`) paths,
 * responseNode/streaming/formPage modes, response headers from the description, compression, cookie stripping.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parse as parseQueryString } from 'node:querystring';

import express, { type Request, type Response } from 'express';
import {
	ExecutionLifecycleHooks,
	HookContext,
	WebhookContext,
	WorkflowExecute,
	getHtmlSandboxCSP,
	isWebhookHtmlSandboxingDisabled,
} from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	isNodeClassInstance,
	jsonParse,
	resolveWebhookDescriptionField,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestMethods,
	type INode,
	type INodeExecutionData,
	type IRun,
	type IRunData,
	type IWebhookData,
	type IWebhookDescription,
	type IWebhookResponseData,
	type IWorkflowDataProxyAdditionalKeys,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
	type ExecutionError,
} from 'n8n-workflow';

import { CredentialStore, HarnessCredentialsHelper } from './credentials-helper';
import {
	HarnessNodeTypes,
	createAdditionalData,
	requireFromCore,
	type NodeTypeClasses,
} from './n8n-environment';
import {
	attachStoreCredentials,
	jsonCopy,
	makeItemsAccessor,
	nextExecutionId,
	toWorkflowBase,
	type WorkflowJson,
} from './run-workflow';
import { harnessNodeTypes } from './test-nodes';

type BackendNetworkModule = typeof import('@n8n/backend-network');

const WEBHOOK_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];
const SUPPORTED_RESPONSE_MODES = new Set(['onReceived', 'lastNode']);
/** N8N_PAYLOAD_SIZE_MAX default (MiB). */
const PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;

export interface WebhookHostOptions {
	workflow: WorkflowJson;
	/** Node classes keyed by full type name; the harness.* test nodes are added. */
	nodeTypes?: NodeTypeClasses;
	credentialTypes?: Record<string, ICredentialType>;
	credentials?: CredentialStore;
	/** The webhook node. Default: the first enabled node whose type has webhook(). */
	triggerNode?: string;
	/** Initial stored workflow static data. */
	staticData?: IDataObject;
	/** Run webhookMethods checkExists/create on start and delete on close, as publishing does. Default true. */
	activate?: boolean;
	/** See RunWorkflowOptions.attachCredentials. Default true. */
	attachCredentials?: boolean;
	/**
	 * 'n8n' (default): static data is saved exactly as n8n 2.41.1 does it, including its loss of webhook() changes
	 * when the delivery starts an execution and the workflow already has static data (see below). 'always-save':
	 * the webhook phase's changes are always saved (what the code intends), to test node logic in isolation.
	 */
	staticDataMode?: 'n8n' | 'always-save';
	host?: string;
	port?: number;
}

export interface WebhookExecution {
	executionId: string;
	mode: WorkflowExecuteMode;
	path: string;
	method: string;
	/** The workflowData the trigger returned (what the execution started with). */
	items: INodeExecutionData[][];
	run: IRun;
	runData: IRunData;
	error?: ExecutionError;
	/** Output items of a node in this execution. */
	output(nodeName: string, output?: number, runIndex?: number): INodeExecutionData[];
}

export interface WebhookRequestRecord {
	method: string;
	url: string;
	test: boolean;
	status?: number;
	/** Whether the node's webhook() was called. */
	webhookCalled: boolean;
	/** Whether the delivery started a workflow execution. */
	startedExecution: boolean;
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
	/** Runs the delete webhook method (when activated), waits for running executions, closes the server. */
	close(): Promise<void>;
}

interface RegisteredWebhook {
	httpMethod: string;
	path: string;
	description: IWebhookDescription;
}

class ResponseError extends Error {
	constructor(
		message: string,
		readonly httpStatusCode: number,
		readonly hint?: string,
	) {
		super(message);
	}
}

/** response-helper.js sendErrorResponse (serializeInternalRestError). */
function sendErrorResponse(res: Response, error: unknown): void {
	if (res.headersSent) return;
	if (error instanceof ResponseError) {
		const body: IDataObject = { code: error.httpStatusCode, message: error.message };
		if (error.hint) body.hint = error.hint;
		res.status(error.httpStatusCode).json(body);
		return;
	}
	const message = error instanceof Error ? error.message : String(error);
	res.status(500).json({ code: 0, message });
}

/** errors/response-errors/webhook-not-found.error.js */
function webhookNotFound(path: string, httpMethod: string, webhookMethods: string[], test: boolean): ResponseError {
	if (webhookMethods.length && httpMethod) {
		const methods =
			webhookMethods.length === 1
				? webhookMethods[0]
				: `${webhookMethods.slice(0, -1).join(', ')} or ${webhookMethods[webhookMethods.length - 1]}`;
		return new ResponseError(
			`This webhook is not registered for ${httpMethod} requests. Did you mean to make a ${methods} request?`,
			404,
		);
	}
	const hint = test
		? "Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)"
		: "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)";
	return new ResponseError(`The requested webhook "${httpMethod} ${path}" is not registered.`, 404, hint);
}

/** middlewares/body-parser.js rawBodyReader + readRawBody, without raw-body's dependency. */
async function readRawBody(req: Request): Promise<void> {
	if (req.rawBody) return;
	let stream: Readable = req;
	const encoding = req.headers['content-encoding'];
	if (encoding === 'gzip') stream = req.pipe(createGunzip());
	else if (encoding === 'deflate') stream = req.pipe(createInflate());
	if (req.destroyed || !stream.readable) {
		throw new ResponseError('Request body stream was aborted or is not readable', 400);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		size += buffer.length;
		if (size > PAYLOAD_SIZE_MAX) throw new ResponseError('request entity too large', 413);
		chunks.push(buffer);
	}
	req.rawBody = Buffer.concat(chunks);
	req._body = true;
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** middlewares/body-parser.js parseBody (XML is not parsed here). */
async function parseBody(req: Request): Promise<void> {
	if (req.contentType?.startsWith('multipart/')) return;
	await readRawBody(req);
	const { rawBody, contentType, encoding } = req;
	if (rawBody?.length) {
		try {
			if (contentType === 'application/json') {
				req.body = jsonParse(stripBom(rawBody.toString(encoding)));
			} else if (contentType === 'application/x-www-form-urlencoded') {
				req.body = parseQueryString(stripBom(rawBody.toString(encoding)), undefined, undefined, { maxKeys: 1000 });
			} else if (contentType === 'text/plain') {
				req.body = rawBody.toString(encoding);
			}
		} catch (error) {
			throw new ResponseError('Failed to parse request body', 422, (error as Error).message);
		}
	}
}

function isParsableContentType(contentType: string | undefined): boolean {
	if (!contentType) return false;
	return (
		contentType.startsWith('application/json') ||
		contentType.startsWith('text/plain') ||
		contentType.startsWith('application/x-www-form-urlencoded') ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml')
	);
}

export async function startWebhookHost(options: WebhookHostOptions): Promise<WebhookHost> {
	const { parseIncomingMessage } = requireFromCore<BackendNetworkModule>('@n8n/backend-network');
	const classes: NodeTypeClasses = { ...harnessNodeTypes(), ...(options.nodeTypes ?? {}) };
	const nodeTypes = new HarnessNodeTypes(classes);
	const store = options.credentials ?? new CredentialStore();
	const credentialsHelper = new HarnessCredentialsHelper(store, options.credentialTypes ?? {}, classes);
	const workflowId = options.workflow.id ?? 'harness-webhook-workflow';
	const json: WorkflowJson = jsonCopy(options.workflow);
	if (options.attachCredentials !== false) json.nodes = attachStoreCredentials(json.nodes, nodeTypes, store);
	const workflowBase = toWorkflowBase(json, workflowId);
	workflowBase.active = true;

	const staticDataMode = options.staticDataMode ?? 'n8n';
	/** The workflow row's staticData column (NULL until something is saved). */
	let storedStaticData: IDataObject | null = jsonCopy(options.staticData ?? json.staticData ?? null);
	/** What loading the workflow row gives: a fresh object per load, or null. */
	const loadStaticData = (): IDataObject | null => (storedStaticData === null ? null : jsonCopy(storedStaticData));

	/** `new Workflow({ staticData })`: with null/undefined the Workflow makes its own `{}`. */
	const newWorkflow = (staticData: IDataObject | null) =>
		new Workflow({
			id: workflowId,
			name: workflowBase.name,
			nodes: jsonCopy(json.nodes),
			connections: json.connections,
			active: true,
			nodeTypes,
			staticData: staticData ?? undefined,
			settings: { executionOrder: 'v1', ...(json.settings ?? {}) },
		});

	/** workflow-static-data.service.js saveStaticData */
	const saveStaticData = (workflow: Workflow) => {
		if (workflow.staticData.__dataChanged === true) {
			storedStaticData = jsonCopy(workflow.staticData);
			workflow.staticData.__dataChanged = false;
		}
	};

	const triggerNode = (() => {
		if (options.triggerNode !== undefined) {
			const node = json.nodes.find((n) => n.name === options.triggerNode);
			if (node === undefined) throw new Error(`Trigger node "${options.triggerNode}" is not in the workflow`);
			return node;
		}
		const node = json.nodes.find(
			(n) => n.disabled !== true && nodeTypes.getByNameAndVersion(n.type, n.typeVersion).webhook !== undefined,
		);
		if (node === undefined) throw new Error('The workflow has no webhook node');
		return node;
	})();
	const triggerType = nodeTypes.getByNameAndVersion(triggerNode.type, triggerNode.typeVersion);

	let server: Server | undefined;
	let baseUrl = '';
	const additionalDataBase = (executionId?: string) =>
		createAdditionalData({ credentialsHelper, baseUrl, executionId, workflowId });

	/** webhook.service.js getNodeWebhooks */
	const getNodeWebhooks = (workflow: Workflow, jsonNode: INode): RegisteredWebhook[] => {
		// The workflow's copy of the node has the parameter defaults applied.
		const node = workflow.getNode(jsonNode.name) ?? jsonNode;
		if (node.disabled === true) return [];
		const evaluate = (description: IWebhookDescription, property: string, defaultValue?: boolean | string) => {
			const native = resolveWebhookDescriptionField(node, description, property);
			if (native.resolved) return native.value;
			return workflow.expression.getSimpleParameterValue(
				node,
				description[property] as string | boolean | undefined,
				'internal',
				{},
				undefined,
				defaultValue,
			);
		};
		const result: RegisteredWebhook[] = [];
		for (const description of triggerType.description.webhooks ?? []) {
			if (description.restartWebhook === true) continue;
			let nodeWebhookPath = evaluate(description, 'path');
			if (nodeWebhookPath === undefined || nodeWebhookPath === null) continue;
			nodeWebhookPath = String(nodeWebhookPath).trim();
			if (nodeWebhookPath.startsWith('/')) nodeWebhookPath = nodeWebhookPath.slice(1);
			if (nodeWebhookPath.endsWith('/')) nodeWebhookPath = nodeWebhookPath.slice(0, -1);
			const isFullPath = evaluate(description, 'isFullPath', false) === true;
			const path = NodeHelpers.getNodeWebhookPath(workflowId, node, nodeWebhookPath, isFullPath, false);
			const methods = evaluate(description, 'httpMethod', 'GET');
			for (const method of String(methods).split(',')) {
				if (method.trim()) result.push({ httpMethod: method.trim(), path, description });
			}
		}
		return result;
	};

	const registrationWorkflow = newWorkflow(loadStaticData());
	const webhooks = getNodeWebhooks(registrationWorkflow, triggerNode);
	if (webhooks.length === 0) throw new Error(`Node "${triggerNode.name}" has no webhooks`);

	const toWebhookData = (
		webhook: RegisteredWebhook,
		additionalData: IWorkflowExecuteAdditionalData,
		isTest: boolean,
	): IWebhookData => ({
		httpMethod: webhook.httpMethod as IHttpRequestMethods,
		node: triggerNode.name,
		path: webhook.path,
		webhookDescription: webhook.description,
		workflowId,
		workflowExecuteAdditionalData: additionalData,
		webhookId: triggerNode.webhookId,
		isTest,
	});

	/** webhook.service.js runWebhookMethod */
	const runWebhookMethod = async (
		method: 'checkExists' | 'create' | 'delete',
		mode: WorkflowExecuteMode,
		activation: WorkflowActivateMode,
		workflow: Workflow,
		webhook: RegisteredWebhook,
	): Promise<boolean | undefined> => {
		const fn = triggerType.webhookMethods?.[webhook.description.name]?.[method];
		if (fn === undefined) return undefined;
		const additionalData = additionalDataBase();
		const node = workflow.getNode(triggerNode.name) as INode;
		const context = new HookContext(workflow, node, additionalData, mode, activation, toWebhookData(webhook, additionalData, false));
		return await fn.call(context);
	};

	const executions: WebhookExecution[] = [];
	const requests: WebhookRequestRecord[] = [];
	const running = new Set<Promise<void>>();
	const executionWaiters: Array<() => void> = [];
	let testListening = false;

	const runExecution = (
		mode: WorkflowExecuteMode,
		webhook: RegisteredWebhook,
		method: string,
		webhookResultData: IWebhookResponseData,
		runExecutionDataMerge: IDataObject,
		saveStatic: boolean,
	): Promise<IRun> => {
		// workflow-runner.js prepareNewExecution: getStaticDataById → a fresh copy of the stored data ({} if NULL).
		const executionWorkflow = newWorkflow(loadStaticData() ?? {});
		const startNode = executionWorkflow.getNode(triggerNode.name) as INode;
		const items = webhookResultData.workflowData ?? [];
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: startNode, data: { main: items }, source: null }] },
		});
		Object.assign(runExecutionData, runExecutionDataMerge);
		const executionId = nextExecutionId();
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowBase);
		hooks.addHandler('workflowExecuteAfter', (_run, newStaticData) => {
			// execution-lifecycle-hooks.js hookFunctionsSave: saved when not manual and the execution changed it.
			if (saveStatic && mode !== 'manual' && newStaticData) storedStaticData = jsonCopy(newStaticData);
		});
		const additionalData = additionalDataBase(executionId);
		additionalData.hooks = hooks;
		const done = new WorkflowExecute(additionalData, mode, runExecutionData)
			.processRunExecutionData(executionWorkflow)
			.then((run) => {
				const runData = run.data.resultData.runData;
				executions.push({
					executionId,
					mode,
					path: webhook.path,
					method,
					items,
					run,
					runData,
					error: run.data.resultData.error,
					output: makeItemsAccessor(runData),
				});
				for (const waiter of executionWaiters.splice(0)) waiter();
				return run;
			});
		const tracked = done.then(
			() => undefined,
			() => undefined,
		);
		running.add(tracked);
		void tracked.finally(() => running.delete(tracked));
		return done;
	};

	const handle = async (req: Request, res: Response, test: boolean) => {
		const record: WebhookRequestRecord = {
			method: req.method,
			url: req.originalUrl,
			test,
			webhookCalled: false,
			startedExecution: false,
		};
		requests.push(record);
		res.on('finish', () => {
			record.status = res.statusCode;
		});
		const httpMethod = req.method;
		if (httpMethod !== 'OPTIONS' && !WEBHOOK_METHODS.includes(httpMethod)) {
			sendErrorResponse(res, new Error(`The method ${httpMethod} is not supported.`));
			return;
		}
		const rawPath = req.params.path as unknown;
		let path = Array.isArray(rawPath) ? rawPath.join('/') : String(rawPath ?? '');
		if (path.endsWith('/')) path = path.slice(0, -1);
		const registered = test && !testListening ? [] : webhooks.filter((w) => w.path === path);
		// webhook.service.js getWebhookMethods reads them from the webhook table (sorted by path, method).
		const methods = registered.map((w) => w.httpMethod).sort();
		if ('origin' in req.headers) {
			res.header('Access-Control-Allow-Methods', ['OPTIONS', ...methods].join(', '));
			const requested =
				httpMethod === 'OPTIONS' ? req.headers['access-control-request-method'] : httpMethod;
			if (requested) {
				res.header('Access-Control-Allow-Origin', req.headers.origin);
				if (httpMethod === 'OPTIONS') {
					res.header('Access-Control-Max-Age', '300');
					const requestedHeaders = req.headers['access-control-request-headers'];
					if (requestedHeaders?.length) res.header('Access-Control-Allow-Headers', requestedHeaders);
				}
			}
		}
		if (httpMethod === 'OPTIONS') {
			res.status(204).json({});
			return;
		}
		const webhook = registered.find((w) => w.httpMethod === httpMethod);
		if (webhook === undefined) {
			sendErrorResponse(res, webhookNotFound(path, httpMethod, methods, test));
			return;
		}
		req.params = {};

		const mode: WorkflowExecuteMode = test ? 'manual' : 'webhook';
		// live-webhooks.js: the workflow with the stored static data (test-webhooks.js: a test copy, never saved).
		const loadedStaticData = loadStaticData();
		const workflow = newWorkflow(loadedStaticData);
		const startNode = workflow.getNode(triggerNode.name) as INode;
		const additionalKeys: IWorkflowDataProxyAdditionalKeys = { $executionId: undefined };
		// webhook-execution-context.js
		const evaluateSimple = (property: string, defaultValue?: string | number) => {
			const native = resolveWebhookDescriptionField(startNode, webhook.description, property);
			if (native.resolved) return native.value;
			return workflow.expression.getSimpleParameterValue(
				startNode,
				webhook.description[property] as string | undefined,
				mode,
				additionalKeys,
				undefined,
				defaultValue,
			);
		};
		const evaluateComplex = (property: string, defaultValue?: string) => {
			const native = resolveWebhookDescriptionField(startNode, webhook.description, property);
			if (native.resolved) return native.value;
			return workflow.expression.getComplexParameterValue(
				startNode,
				webhook.description[property] as string | undefined,
				mode,
				additionalKeys,
				undefined,
				defaultValue,
			);
		};
		let didSendResponse = false;
		/** The responseCallback given to executeWebhook by live-webhooks.js: success saves static data first. */
		const respond = (send: () => void) => {
			if (didSendResponse) return;
			didSendResponse = true;
			if (!test) saveStaticData(workflow);
			send();
		};
		const respondWithError = (error: unknown) => {
			if (didSendResponse) return;
			didSendResponse = true;
			sendErrorResponse(res, error);
		};
		/** webhook-request-handler.js sendStaticResponse */
		const sendStatic = (body: unknown, code: number) => {
			res.status(code);
			if (!isWebhookHtmlSandboxingDisabled()) res.setHeader('Content-Security-Policy', getHtmlSandboxCSP());
			if (typeof body === 'string') res.send(body);
			else res.json(body);
		};
		/** webhook-request-handler.js sendLegacyResponse (raw) */
		const sendLegacy = (data: unknown, code: number) => {
			res.status(code);
			if (typeof data === 'string') res.send(data);
			else res.json(data);
		};

		try {
			const responseMode = String(evaluateSimple('responseMode', 'onReceived'));
			const responseCode = Number(evaluateSimple('responseCode', 200));
			const responseData = evaluateComplex('responseData', 'firstEntryJson');
			if (!SUPPORTED_RESPONSE_MODES.has(responseMode)) {
				respondWithError(new Error(`The response mode '${responseMode}' is not supported by the test harness`));
				return;
			}
			const additionalData = additionalDataBase();
			additionalData.httpRequest = req;
			additionalData.httpResponse = res;

			// webhook-helpers.js parseRequestBody
			parseIncomingMessage(req);
			let binaryData: unknown;
			if (startNode.typeVersion === 1) {
				binaryData = workflow.expression.getSimpleParameterValue(
					startNode,
					'={{$parameter["options"]["binaryData"]}}',
					mode,
					additionalKeys,
					undefined,
					false,
				);
			}
			if (!binaryData && (startNode.typeVersion === 1 || isParsableContentType(req.contentType))) {
				await parseBody(req);
			}

			let webhookResultData: IWebhookResponseData;
			let runExecutionDataMerge: IDataObject = {};
			record.webhookCalled = true;
			const closeFunctions: Array<() => Promise<void>> = [];
			const webhookData = toWebhookData(webhook, additionalData, test);
			try {
				const context = new WebhookContext(workflow, startNode, additionalData, mode, webhookData, closeFunctions, null);
				const webhookFn = triggerType.webhook;
				if (webhookFn === undefined) throw new Error('Node does not have any webhooks defined');
				webhookResultData = isNodeClassInstance(triggerType)
					? await (webhookFn as unknown as (context: WebhookContext) => Promise<IWebhookResponseData>)(context)
					: await webhookFn.call(context);
			} catch (err) {
				const error = err as Error;
				respondWithError(new Error('Workflow Webhook Error: Workflow could not be started!'));
				runExecutionDataMerge = {
					resultData: {
						runData: {},
						lastNodeExecuted: startNode.name,
						error: { ...error, message: error.message, stack: error.stack },
					},
				};
				webhookResultData = { noWebhookResponse: true, workflowData: [[{ json: {} }]] };
			} finally {
				await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
			}

			if (webhookResultData.noWebhookResponse === true) respond(() => {});

			if (webhookResultData.workflowData === undefined) {
				const data: unknown = webhookResultData.webhookResponse ?? { message: 'Webhook call received' };
				respond(() => sendLegacy(data, responseCode));
				return;
			}

			record.startedExecution = true;
			if (test) testListening = false;
			if (staticDataMode === 'n8n') {
				// workflow-runner.js run() → establishContextForPersistence builds a Workflow over
				// activeWorkflowData.staticData, the very object the webhook phase's Workflow wraps. ObservableObject.create
				// redefines its __dataChanged as false, so a change webhook() made is not saved when the response goes out
				// afterwards (onReceived, lastNode). Only when the row's staticData was NULL the two objects differ.
				// Verified against n8n 2.41.1: `{ workflowData }` → lost; `{ webhookResponse }` and
				// `{ noWebhookResponse: true, workflowData }` (the node answers itself) → saved.
				newWorkflow(loadedStaticData);
			}
			const execution = runExecution(mode, webhook, httpMethod, webhookResultData, runExecutionDataMerge, !test);

			if (responseMode === 'onReceived') {
				// webhook-on-received-response-extractor.js. n8n evaluates responseData with the default
				// 'firstEntryJson', so a webhook description without responseData answers that literal string.
				let body: unknown;
				if (responseData === 'noData') body = undefined;
				else if (responseData) body = responseData;
				else if (webhookResultData.webhookResponse !== undefined) body = webhookResultData.webhookResponse;
				else body = { message: 'Workflow was started' };
				respond(() => sendStatic(body, responseCode));
				return;
			}

			if (!didSendResponse) {
				const run = await execution;
				const { runData, lastNodeExecuted, error } = run.data.resultData;
				const lastTask = lastNodeExecuted ? runData[lastNodeExecuted]?.at(-1) : undefined;
				if (error || lastTask?.error !== undefined) {
					respond(() => sendLegacy({ message: 'Error in workflow' }, 500));
				} else if (lastTask === undefined) {
					respond(() =>
						sendLegacy(
							{ message: 'Workflow executed successfully but the last node did not return any data' },
							responseCode,
						),
					);
				} else if (responseData === 'noData') {
					respond(() => sendStatic(undefined, responseCode));
				} else if (responseData === 'firstEntryJson') {
					const firstItem = lastTask.data?.main?.[0]?.[0];
					if (firstItem === undefined) respondWithError(new Error('No item to return was found'));
					else respond(() => sendStatic(firstItem.json, responseCode));
				} else {
					respond(() => sendStatic((lastTask.data?.main?.[0] ?? []).map((item) => item.json), responseCode));
				}
			}
		} catch (error) {
			// webhook-helpers.js: ResponseErrors < 500 (e.g. 422 unparsable body) are sent as they are.
			if (error instanceof ResponseError && error.httpStatusCode < 500) respondWithError(error);
			else respondWithError(new Error('There was a problem executing the workflow'));
		}
	};

	const app = express();
	app.disable('x-powered-by');
	app.set('query parser', 'extended');
	app.all('/webhook/*path', (req, res) => {
		void handle(req, res, false);
	});
	app.all('/webhook-test/*path', (req, res) => {
		void handle(req, res, true);
	});

	await new Promise<void>((resolve, reject) => {
		server = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (error?: Error) =>
			error ? reject(error) : resolve(),
		);
	});
	const address = (server as Server).address() as AddressInfo;
	baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}/`;

	const activate = options.activate !== false;
	if (activate) {
		// active-workflow-manager.js addWebhooks → createWebhookIfNotExists, then saveStaticData.
		const workflow = newWorkflow(loadStaticData());
		for (const webhook of getNodeWebhooks(workflow, triggerNode)) {
			const exists = await runWebhookMethod('checkExists', 'trigger', 'activate', workflow, webhook);
			if (!exists) await runWebhookMethod('create', 'trigger', 'activate', workflow, webhook);
		}
		saveStaticData(workflow);
	}

	const idle = async () => {
		while (running.size > 0) await Promise.all([...running]);
	};

	return {
		baseUrl,
		url(path?: string, urlOptions: { test?: boolean } = {}) {
			return `${baseUrl}${urlOptions.test ? 'webhook-test' : 'webhook'}/${path ?? webhooks[0].path}`;
		},
		executions,
		requests,
		staticData: () => loadStaticData() ?? {},
		listenForTestEvent() {
			testListening = true;
		},
		async waitForExecutions(count: number, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs;
			while (executions.length < count) {
				const remaining = deadline - Date.now();
				if (remaining <= 0) {
					throw new Error(`Expected ${count} executions, got ${executions.length} within ${timeoutMs} ms`);
				}
				await new Promise<void>((resolve) => {
					const timer = setTimeout(resolve, remaining);
					executionWaiters.push(() => {
						clearTimeout(timer);
						resolve();
					});
				});
			}
			return executions.slice(0, count);
		},
		idle,
		async close() {
			if (activate) {
				const workflow = newWorkflow(loadStaticData());
				for (const webhook of getNodeWebhooks(workflow, triggerNode)) {
					await runWebhookMethod('delete', 'internal', 'update', workflow, webhook);
				}
				saveStaticData(workflow);
			}
			await idle();
			await new Promise<void>((resolve) => {
				if (server === undefined) return resolve();
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
