import type { IDataObject, IExecuteFunctions, INodeProperties, NodeApiError } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { webhookIdField } from '../common.descriptions';
import { subscriptionIdFields, userIdFields, vehicleIdField } from '../id-fields';
import { checkBoolean, collection, oneOf, optionalId, requiredId } from '../validation';
import { findSubscriptions, type SubscriptionTarget } from './find';
import { defineOperation } from '../operation';

const BY_VALUES = ['id', 'webhookAndVehicle'] as const;
const byWebhookAndVehicle = { show: { unsubscribeBy: ['webhookAndVehicle'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Unsubscribe By',
		name: 'unsubscribeBy',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Subscription ID', value: 'id', description: 'The subscription\'s own ID' },
			{
				name: 'Webhook and Vehicle',
				value: 'webhookAndVehicle',
				description: 'The subscription of this vehicle to this webhook, looked up first',
			},
		],
		default: 'id',
	},
	...updateDisplayOptions({ show: { unsubscribeBy: ['id'] } }, subscriptionIdFields()),
	{ ...webhookIdField(true), displayOptions: byWebhookAndVehicle },
	...updateDisplayOptions(
		byWebhookAndVehicle,
		userIdFields(
			false,
			'Only the subscription made for this user\'s connection. Needed only when several users connected the same vehicle; leave empty otherwise.',
		),
	),
	{ ...vehicleIdField, displayOptions: byWebhookAndVehicle },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Ignore Missing',
				name: 'ignoreMissing',
				type: 'boolean',
				default: false,
				description:
					'Whether to output status "notSubscribed" instead of failing when there is no such subscription (for example it was removed already)',
			},
		],
	},
];

const description = updateDisplayOptions({ show: { resource: ['subscription'], operation: ['unsubscribe'] } }, properties);

type UnsubscribeParams = { ignoreMissing: boolean } & ({ by: 'id'; subscriptionId: string } | ({ by: 'webhookAndVehicle' } & SubscriptionTarget));

function validate(this: IExecuteFunctions, itemIndex: number): UnsubscribeParams {
	const options = collection.call(this, 'options', 'Options', itemIndex);
	const ignoreMissing = checkBoolean(this, options.ignoreMissing, { label: 'Options → Ignore Missing', fallback: false }, itemIndex);
	const by = oneOf(this, this.getNodeParameter('unsubscribeBy', itemIndex, 'id'), { label: 'Unsubscribe By', allowed: BY_VALUES, fallback: 'id' }, itemIndex);
	if (by === 'id') return { by, ignoreMissing, subscriptionId: requiredId.call(this, 'subscriptionId', 'Subscription ID', itemIndex) };
	return {
		by,
		ignoreMissing,
		webhookId: requiredId.call(this, 'webhookId', 'Webhook', itemIndex),
		userId: optionalId.call(this, 'userId', 'User ID', itemIndex),
		vehicleId: requiredId.call(this, 'vehicleId', 'Vehicle ID', itemIndex),
	};
}

/** `DELETE /subscriptions/{id}`, sent at most once: true when it ran, false when Smartcar knows no such subscription. */
async function deleteSubscription(client: SmartcarClient, subscriptionId: string, itemIndex: number): Promise<boolean> {
	const response = await client.request(
		{
			api: 'management',
			method: 'DELETE',
			path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
			verifyHint: `Run Subscription → Get with the ID ${subscriptionId} (or Get Many for the webhook and vehicle) to see whether the subscription still exists.`,
			acceptStatuses: [404],
		},
		itemIndex,
	);
	return response.status !== 404;
}

/** The error for a subscription that does not exist (HTTP 404), pointing at Ignore Missing (redacted like every error). */
async function notFound(client: SmartcarClient, what: string, itemIndex: number): Promise<NodeApiError> {
	return await client.judgedError(
		{ status: 404 },
		{
			message: `${what} does not exist`,
			description:
				'It may have been removed already, or the IDs are wrong: Subscription → Get Many lists the subscriptions. ' +
				'Turn on Options → Ignore Missing to output status "notSubscribed" instead of failing.',
			httpCode: '404',
		},
		itemIndex,
	);
}

/**
 * By ID: one DELETE. By webhook and vehicle: a lookup, then one DELETE of the subscription found; several found (one
 * vehicle connected by several users) is an error asking for the User ID, and nothing is deleted.
 */
async function execute(this: IExecuteFunctions, client: SmartcarClient, params: UnsubscribeParams, itemIndex: number): Promise<IDataObject> {
	if (params.by === 'id') {
		const deleted = await deleteSubscription(client, params.subscriptionId, itemIndex);
		if (!deleted && !params.ignoreMissing) throw await notFound(client, `Subscription ${params.subscriptionId}`, itemIndex);
		return { subscriptionId: params.subscriptionId, status: deleted ? 'unsubscribed' : 'notSubscribed' };
	}
	const { webhookId, vehicleId } = params;
	const what = `A subscription of vehicle ${vehicleId} to webhook ${webhookId}${params.userId ? ` for user ${params.userId}` : ''}`;
	const found = await findSubscriptions(client, params, itemIndex);
	if (found.length > 1) {
		throw new NodeOperationError(this.getNode(), `Vehicle ${vehicleId} has ${found.length} subscriptions to webhook ${webhookId}, one per user who connected it; none was removed`, {
			description: `Enter the User ID to pick one, or unsubscribe by Subscription ID (${found.map((s) => s.id).join(', ')}).`,
			itemIndex,
		});
	}
	const [subscription] = found;
	const deleted = subscription !== undefined && (await deleteSubscription(client, subscription.id, itemIndex));
	if (!deleted && !params.ignoreMissing) throw await notFound(client, what, itemIndex);
	return {
		subscriptionId: subscription?.id ?? null,
		webhookId,
		vehicleId,
		userId: subscription?.userId ?? params.userId ?? null,
		status: deleted ? 'unsubscribed' : 'notSubscribed',
	};
}

export const operation = defineOperation({ description, validate, execute });
