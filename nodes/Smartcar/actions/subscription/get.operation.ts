import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { subscriptionOf } from '../../../shared/subscriptions';
import type { SmartcarClient } from '../../../shared/transport';
import { readOptionsCollection } from '../common.descriptions';
import { subscriptionIdFields } from '../id-fields';
import { requiredId } from '../validation';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [...subscriptionIdFields(), readOptionsCollection()];

const description = updateDisplayOptions({ show: { resource: ['subscription'], operation: ['get'] } }, properties);

interface GetSubscriptionParams {
	subscriptionId: string;
}

function validate(this: IExecuteFunctions, itemIndex: number): GetSubscriptionParams {
	return { subscriptionId: requiredId.call(this, 'subscriptionId', 'Subscription ID', itemIndex) };
}

/** `GET /subscriptions/{id}` (Management API). */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ subscriptionId }: GetSubscriptionParams,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await client.request(
		{ api: 'management', method: 'GET', path: `/subscriptions/${encodeURIComponent(subscriptionId)}` },
		itemIndex,
	);
	return subscriptionOf(response.body);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
