import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { resourceOf } from '../../../shared/json-api';
import { readSubscription, type SmartcarSubscription } from '../../../shared/subscriptions';
import type { SmartcarClient } from '../../../shared/transport';
import { asString } from '../../../shared/values';
import { webhookIdField } from '../common.descriptions';
import { userIdFields, vehicleIdField } from '../id-fields';
import { checkBoolean, collection, requiredId } from '../validation';
import { findSubscriptions } from './find';
import { waitUntilListed } from './wait-until-active';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [
	{
		displayName:
			'Smartcar keeps a vehicle\'s signals fresh (what Signal → Get reads) and sends its events to the Smartcar Trigger only while it is subscribed to an enabled webhook; otherwise its signals refresh about once a day. ' +
			'A webhook with <b>Auto-Subscribe</b> on (Smartcar Dashboard → Webhooks) subscribes every connected vehicle by itself; for any other webhook, subscribe each vehicle here, e.g. right after the Connect redirect.',
		name: 'subscribeNotice',
		type: 'notice',
		default: '',
	},
	webhookIdField(true),
	...userIdFields(true, 'The Smartcar user who connected the vehicle; the subscription is made for this user\'s connection'),
	vehicleIdField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Wait Until Active',
				name: 'waitUntilActive',
				type: 'boolean',
				default: false,
				description:
					'Whether to wait until Smartcar lists the new subscription (it creates subscriptions in the background), up to about a minute, and output it with its ID and status "active". Off: output status "pending" at once.',
			},
		],
	},
];

const description = updateDisplayOptions({ show: { resource: ['subscription'], operation: ['subscribe'] } }, properties);

interface SubscribeParams {
	webhookId: string;
	userId: string;
	vehicleId: string;
	waitUntilActive: boolean;
}

function validate(this: IExecuteFunctions, itemIndex: number): SubscribeParams {
	const options = collection.call(this, 'options', 'Options', itemIndex);
	return {
		webhookId: requiredId.call(this, 'webhookId', 'Webhook', itemIndex),
		userId: requiredId.call(this, 'userId', 'User ID', itemIndex),
		vehicleId: requiredId.call(this, 'vehicleId', 'Vehicle ID', itemIndex),
		waitUntilActive: checkBoolean(this, options.waitUntilActive, { label: 'Options → Wait Until Active', fallback: false }, itemIndex),
	};
}

/** What Subscribe outputs: the request, its status, and the subscription's own fields once it is known. */
function subscribeItem(params: SubscribeParams, status: string, subscription?: SmartcarSubscription): IDataObject {
	const item: IDataObject = { webhookId: params.webhookId, vehicleId: params.vehicleId, userId: params.userId, status };
	if (subscription === undefined) return item;
	const { id, vehicle, createdAt, updatedAt } = subscription;
	return { ...item, id, vehicle, createdAt, updatedAt };
}

/**
 * `POST /subscriptions`, sent once. Smartcar answers 202 (created in the background, no ID) or 409 (already
 * subscribed, or a subscription is in progress): both are success. With Wait Until Active, a 202 is followed by
 * lookups until the subscription is listed, and a 409 by one lookup that adds its fields when it is listed.
 */
async function execute(this: IExecuteFunctions, client: SmartcarClient, params: SubscribeParams, itemIndex: number): Promise<IDataObject> {
	const { webhookId, userId, vehicleId } = params;
	const response = await client.request(
		{
			api: 'management',
			method: 'POST',
			path: '/subscriptions',
			body: { data: { attributes: { webhookId, userId, vehicleId } } },
			verifyHint:
				'Run Subscription → Get Many with this Webhook and Vehicle to see whether the subscription exists; subscribing again is safe (Smartcar answers that it already exists).',
			acceptStatuses: [409],
		},
		itemIndex,
	);
	if (response.status === 409) {
		if (!params.waitUntilActive) return subscribeItem(params, 'alreadySubscribed');
		const [listed] = await findSubscriptions(client, { webhookId, vehicleId, userId }, itemIndex);
		return subscribeItem(params, 'alreadySubscribed', listed);
	}
	const created = resourceOf(response.body);
	if (asString(created.id) !== undefined && created.type === 'subscription') {
		return subscribeItem(params, 'active', readSubscription(created));
	}
	if (!params.waitUntilActive) return subscribeItem(params, 'pending');
	return subscribeItem(params, 'active', await waitUntilListed.call(this, client, { webhookId, vehicleId, userId }, itemIndex));
}

export const operation = defineOperation({ description, validate, execute });
