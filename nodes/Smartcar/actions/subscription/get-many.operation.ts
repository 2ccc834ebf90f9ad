import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listResources, type ListParams } from '../../../shared/paged-list';
import { readSubscription } from '../../../shared/subscriptions';
import type { SmartcarClient } from '../../../shared/transport';
import { readOptionsCollection, returnAllFields, webhookIdField } from '../common.descriptions';
import { userIdFields, vehicleIdField } from '../id-fields';
import { collection, oneOf, optionalId, resultLimit } from '../validation';
import { defineOperation } from '../operation';

const VEHICLE_MODES = ['live', 'simulated'] as const;

const properties: INodeProperties[] = [
	webhookIdField(false),
	...userIdFields(false, 'Only the subscriptions of this user\'s vehicles. Leave empty for every user of the application.'),
	{
		...vehicleIdField,
		required: false,
		description: 'Only this vehicle\'s subscriptions. Leave empty for every vehicle.',
	},
	...returnAllFields(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			{
				displayName: 'Vehicle Mode',
				name: 'vehicleMode',
				type: 'options',
				default: 'live',
				options: [
					{ name: 'Live', value: 'live', description: 'Real vehicles' },
					{ name: 'Simulated', value: 'simulated', description: 'Vehicles of the Smartcar vehicle simulator' },
				],
				description: 'Only subscriptions of real or of simulated vehicles',
			},
		],
	},
	readOptionsCollection(),
];

const description = updateDisplayOptions({ show: { resource: ['subscription'], operation: ['getMany'] } }, properties);

/** The optional webhook, user and vehicle (valid IDs when given), the vehicle mode, and Return All / Limit. */
function validate(this: IExecuteFunctions, itemIndex: number): ListParams {
	const filters: IDataObject = {};
	const webhookId = optionalId.call(this, 'webhookId', 'Webhook', itemIndex);
	if (webhookId !== undefined) filters['filter[webhookId]'] = webhookId;
	const userId = optionalId.call(this, 'userId', 'User ID', itemIndex);
	if (userId !== undefined) filters['filter[userId]'] = userId;
	const vehicleId = optionalId.call(this, 'vehicleId', 'Vehicle ID', itemIndex);
	if (vehicleId !== undefined) filters['filter[vehicleId]'] = vehicleId;
	const given = collection.call(this, 'filters', 'Filters', itemIndex);
	if (given.vehicleMode !== undefined) {
		filters['filter[vehicle.mode]'] = oneOf(
			this,
			given.vehicleMode,
			{ label: 'Filters → Vehicle Mode', allowed: VEHICLE_MODES, fallback: 'live' },
			itemIndex,
		);
	}
	return { filters, limit: resultLimit.call(this, itemIndex) };
}

/** `GET /subscriptions` (Management API), page after page until the last or the limit. */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ filters, limit }: ListParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	const resources = await listResources(client, { api: 'management', path: '/subscriptions', filters, limit }, itemIndex);
	return resources.map(readSubscription);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
