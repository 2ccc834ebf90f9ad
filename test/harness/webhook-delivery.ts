/**
 * One webhook delivery to a registered webhook, as n8n 2.41.1's webhook-helpers.js executeWebhook handles it for
 * responseMode 'onReceived':
 *  - the node's IWebhookFunctions is n8n-core's WebhookContext over the real req/res and a Workflow loaded with
 *    the stored static data (test URL: a copy that is never saved);
 *  - `webhook()` throwing → 500 "Workflow Webhook Error: Workflow could not be started!" and an execution that
 *    carries the error; `noWebhookResponse` → the host writes nothing; no `workflowData` → `webhookResponse`
 *    (or `{ message: 'Webhook call received' }`) and no execution; `workflowData` → an execution starts and the
 *    host answers right away (webhook-response.ts onReceivedBody);
 *  - static data changed by webhook() is saved when the answer is sent (live-webhooks.js responseCallback).
 *    n8n 2.41.1 loses that change when webhook() returns workflowData without answering itself and the row
 *    already has static data; this is reproduced (see startExecution). `{ webhookResponse }` and
 *    `{ noWebhookResponse: true, workflowData }` deliveries are saved.
 * Not emulated: the lastNode / responseNode / streaming / formPage response modes, response headers from the
 * description, binary data.
 */
import type { Request, Response } from 'express';
import { WebhookContext } from 'n8n-core';
import {
	isNodeClassInstance,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HostedWorkflow } from './hosted-workflow';
import { readWebhookBody } from './webhook-body';
import type { ExecutionTracker } from './webhook-executions';
import { descriptionField, webhookData, type DescriptionScope, type RegisteredWebhook } from './webhook-registration';
import type { WebhookRequestRecord } from './webhook-routing';
import { ResponseError, onReceivedBody, sendErrorResponse, sendLegacy, sendStatic } from './webhook-response';

/** What a delivery needs from its host. */
export interface DeliveryHost {
	hosted: HostedWorkflow;
	executions: ExecutionTracker;
	additionalData(): IWorkflowExecuteAdditionalData;
	/** A delivery to the test URL that starts an execution ends "Listen for test event". */
	stopTestListener(): void;
}

interface WebhookOutcome {
	result: IWebhookResponseData;
	/** Run data of a webhook() that threw, merged into the execution it starts. */
	failure?: IDataObject;
}

export class Delivery {
	private answered = false;

	private readonly mode: WorkflowExecuteMode;

	private readonly loadedStaticData: IDataObject | null;

	private readonly workflow: Workflow;

	private readonly startNode: INode;

	constructor(
		private readonly host: DeliveryHost,
		private readonly req: Request,
		private readonly res: Response,
		private readonly webhook: RegisteredWebhook,
		private readonly record: WebhookRequestRecord,
	) {
		this.mode = record.test ? 'manual' : 'webhook';
		this.loadedStaticData = host.hosted.loadStaticData();
		this.workflow = host.hosted.instantiate(this.loadedStaticData);
		this.startNode = this.workflow.getNode(host.hosted.triggerNode.name) as INode;
	}

	/** Reads the body, calls the node's webhook(), starts the execution and answers; never rejects. */
	async run(): Promise<void> {
		try {
			const responseMode = String(this.field('responseMode', 'onReceived'));
			if (responseMode !== 'onReceived') {
				this.fail(new Error(`The response mode '${responseMode}' is not supported by the test harness`));
				return;
			}
			const responseCode = Number(this.field('responseCode', 200));
			const responseData = this.field('responseData', 'firstEntryJson', true);
			await readWebhookBody(this.req, this.startNode.typeVersion);
			const { result, failure } = await this.callWebhook();
			if (result.noWebhookResponse === true) this.answer(() => {});
			if (result.workflowData === undefined) {
				const data: unknown = result.webhookResponse ?? { message: 'Webhook call received' };
				this.answer(() => sendLegacy(this.res, data, responseCode));
				return;
			}
			this.startExecution(result.workflowData, failure);
			this.answer(() => sendStatic(this.res, onReceivedBody(responseData, result), responseCode));
		} catch (error) {
			// webhook-helpers.js: ResponseErrors < 500 (e.g. 422 unparsable body) are sent as they are.
			if (error instanceof ResponseError && error.httpStatusCode < 500) this.fail(error);
			else this.fail(new Error('There was a problem executing the workflow'));
		}
	}

	/** A webhook description field evaluated for this delivery (webhook-execution-context.js). */
	private field(property: string, defaultValue: string | number, complex = false): unknown {
		const scope: DescriptionScope = {
			workflow: this.workflow,
			node: this.startNode,
			description: this.webhook.description,
			mode: this.mode,
			additionalKeys: { $executionId: undefined },
		};
		return descriptionField(scope, property, defaultValue, complex);
	}

	/** The node's webhook() with n8n's WebhookContext; a throw answers 500 and becomes a failed execution. */
	private async callWebhook(): Promise<WebhookOutcome> {
		const additionalData = this.host.additionalData();
		additionalData.httpRequest = this.req;
		additionalData.httpResponse = this.res;
		const data = webhookData(this.host.hosted, this.webhook, additionalData, this.record.test);
		const closeFunctions: Array<() => Promise<void>> = [];
		this.record.webhookCalled = true;
		try {
			const context = new WebhookContext(this.workflow, this.startNode, additionalData, this.mode, data, closeFunctions, null);
			return { result: await invokeWebhook(this.host.hosted.triggerType, context) };
		} catch (caught) {
			const error = caught as Error;
			this.fail(new Error('Workflow Webhook Error: Workflow could not be started!'));
			const failure = {
				resultData: {
					runData: {},
					lastNodeExecuted: this.startNode.name,
					error: { ...error, message: error.message, stack: error.stack },
				},
			};
			return { result: { noWebhookResponse: true, workflowData: [[{ json: {} }]] }, failure };
		} finally {
			await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
		}
	}

	private startExecution(items: INodeExecutionData[][], failure: IDataObject | undefined): void {
		this.record.startedExecution = true;
		if (this.record.test) this.host.stopTestListener();
		// n8n 2.41.1: workflow-runner.js run() → establishContextForPersistence builds a Workflow over the very
		// static-data object this delivery's Workflow wraps; ObservableObject.create redefines its __dataChanged as
		// false, so a webhook() change not yet saved (the node did not answer itself) is lost. When the row was
		// NULL the two objects differ and the change is kept. Verified against a running n8n 2.41.1.
		this.host.hosted.instantiate(this.loadedStaticData);
		this.host.executions.start({
			mode: this.mode,
			path: this.webhook.path,
			method: this.req.method,
			items,
			runExecutionDataMerge: failure ?? {},
			saveStaticData: !this.record.test,
		});
	}

	/** The responseCallback live-webhooks.js gives executeWebhook: saves the static data, then sends (once). */
	private answer(send: () => void): void {
		if (this.answered) return;
		this.answered = true;
		if (!this.record.test) this.host.hosted.saveStaticData(this.workflow);
		send();
	}

	private fail(error: unknown): void {
		if (this.answered) return;
		this.answered = true;
		sendErrorResponse(this.res, error);
	}
}

/** Calls the node's webhook() with the context as `this` (or as the argument for class-style nodes). */
async function invokeWebhook(nodeType: INodeType, context: WebhookContext): Promise<IWebhookResponseData> {
	const webhookFn = nodeType.webhook;
	if (webhookFn === undefined) throw new Error('Node does not have any webhooks defined');
	return isNodeClassInstance(nodeType)
		? await (webhookFn as unknown as (context: WebhookContext) => Promise<IWebhookResponseData>)(context)
		: await webhookFn.call(context);
}
