import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { webhookOf } from '../../../shared/webhooks';
import { readOptionsCollection, webhookIdField } from '../common.descriptions';
import { requiredId } from '../validation';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [webhookIdField(true), readOptionsCollection()];

const description = updateDisplayOptions({ show: { resource: ['webhook'], operation: ['get'] } }, properties);

interface GetWebhookParams {
	webhookId: string;
}

function validate(this: IExecuteFunctions, itemIndex: number): GetWebhookParams {
	return { webhookId: requiredId.call(this, 'webhookId', 'Webhook', itemIndex) };
}

/** `GET /webhooks/{id}` (Management API). */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ webhookId }: GetWebhookParams,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await client.request(
		{ api: 'management', method: 'GET', path: `/webhooks/${encodeURIComponent(webhookId)}` },
		itemIndex,
	);
	return webhookOf(response.body);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
