/**
 * Which (method, path) pairs the trigger node registers (webhook.service.js getNodeWebhooks), how n8n evaluates
 * a webhook description's fields, and the IWebhookData a webhook context gets.
 * Not emulated: dynamic (`:param`) paths, restart webhooks; the node's webhookMethods (checkExists/create/delete
 * run by publishing) are not called: the real-n8n e2e publishes workflows.
 */
import {
	NodeHelpers,
	resolveWebhookDescriptionField,
	type IHttpRequestMethods,
	type INode,
	type IWebhookData,
	type IWebhookDescription,
	type IWorkflowDataProxyAdditionalKeys,
	type IWorkflowExecuteAdditionalData,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HostedWorkflow } from './hosted-workflow';

export interface RegisteredWebhook {
	httpMethod: string;
	path: string;
	description: IWebhookDescription;
}

export interface DescriptionScope {
	workflow: Workflow;
	node: INode;
	description: IWebhookDescription;
	mode: WorkflowExecuteMode;
	additionalKeys?: IWorkflowDataProxyAdditionalKeys;
}

/** A webhook description field: the node's own value when n8n can read it directly, else the evaluated expression. */
export function descriptionField(
	scope: DescriptionScope,
	property: string,
	defaultValue?: boolean | string | number,
	complex = false,
): unknown {
	const native = resolveWebhookDescriptionField(scope.node, scope.description, property);
	if (native.resolved) return native.value;
	const value = scope.description[property] as string | undefined;
	const { expression } = scope.workflow;
	const keys = scope.additionalKeys ?? {};
	return complex
		? expression.getComplexParameterValue(scope.node, value, scope.mode, keys, undefined, defaultValue as string)
		: expression.getSimpleParameterValue(scope.node, value, scope.mode, keys, undefined, defaultValue);
}

/** The webhooks the trigger node registers when the workflow is published; throws when there are none. */
export function registerWebhooks(hosted: HostedWorkflow): RegisteredWebhook[] {
	const workflow = hosted.instantiate(hosted.loadStaticData());
	// The workflow's copy of the node has the parameter defaults applied.
	const node = workflow.getNode(hosted.triggerNode.name) ?? hosted.triggerNode;
	const result: RegisteredWebhook[] = [];
	for (const description of hosted.triggerType.description.webhooks ?? []) {
		if (node.disabled === true || description.restartWebhook === true) continue;
		const scope: DescriptionScope = { workflow, node, description, mode: 'internal' };
		const path = webhookPath(scope, hosted.id);
		if (path === undefined) continue;
		for (const method of String(descriptionField(scope, 'httpMethod', 'GET')).split(',')) {
			if (method.trim()) result.push({ httpMethod: method.trim(), path, description });
		}
	}
	if (result.length === 0) throw new Error(`Node "${hosted.triggerNode.name}" has no webhooks`);
	return result;
}

/** The registered path: the description's path without surrounding slashes, prefixed by n8n's rules. */
function webhookPath(scope: DescriptionScope, workflowId: string): string | undefined {
	const raw = descriptionField(scope, 'path');
	if (raw === undefined || raw === null) return undefined;
	const path = String(raw).trim().replace(/^\//, '').replace(/\/$/, '');
	const isFullPath = descriptionField(scope, 'isFullPath', false) === true;
	return NodeHelpers.getNodeWebhookPath(workflowId, scope.node, path, isFullPath, false);
}

/** The IWebhookData n8n builds for a registered webhook. */
export function webhookData(
	hosted: HostedWorkflow,
	webhook: RegisteredWebhook,
	additionalData: IWorkflowExecuteAdditionalData,
	isTest: boolean,
): IWebhookData {
	return {
		httpMethod: webhook.httpMethod as IHttpRequestMethods,
		node: hosted.triggerNode.name,
		path: webhook.path,
		webhookDescription: webhook.description,
		workflowId: hosted.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: hosted.triggerNode.webhookId,
		isTest,
	};
}
