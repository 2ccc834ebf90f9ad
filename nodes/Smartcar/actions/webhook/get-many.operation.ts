import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listResources, type ListParams } from '../../../shared/paged-list';
import type { SmartcarClient } from '../../../shared/transport';
import { readWebhook } from '../../../shared/webhooks';
import { readOptionsCollection, returnAllFields } from '../common.descriptions';
import { checkBoolean, checkText, collection, resultLimit } from '../validation';

const properties: INodeProperties[] = [
	...returnAllFields(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			{
				displayName: 'Auto-Subscribe',
				name: 'autoSubscribe',
				type: 'boolean',
				default: true,
				description:
					'Whether to list only webhooks that subscribe every connected vehicle by themselves (on) or only those whose vehicles are subscribed one by one (off)',
			},
			{
				displayName: 'Callback URI',
				name: 'callbackUri',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://n8n.example.com/webhook/',
				description: 'Only webhooks whose callback URI matches this text (Smartcar compares it)',
			},
			{
				displayName: 'Enabled',
				name: 'isEnabled',
				type: 'boolean',
				default: true,
				description: 'Whether to list only enabled webhooks (on) or only disabled ones (off)',
			},
			{
				displayName: 'Name',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Only webhooks whose name matches this text (Smartcar compares it)',
			},
		],
	},
	readOptionsCollection(),
];

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const concurrent = true;

export const description = updateDisplayOptions({ show: { resource: ['webhook'], operation: ['getMany'] } }, properties);

/** Return All / Limit and the filters, each checked; a yes/no filter is sent as the text true or false. */
export function validate(this: IExecuteFunctions, itemIndex: number): ListParams {
	const given = collection.call(this, 'filters', 'Filters', itemIndex);
	const filters: IDataObject = {};
	const name = checkText(this, given.name, 'Filters → Name', itemIndex);
	if (name !== undefined) filters['filter[name]'] = name;
	const callbackUri = checkText(this, given.callbackUri, 'Filters → Callback URI', itemIndex);
	if (callbackUri !== undefined) filters['filter[callbackUri]'] = callbackUri;
	if (given.isEnabled !== undefined) {
		filters['filter[isEnabled]'] = String(checkBoolean(this, given.isEnabled, { label: 'Filters → Enabled', fallback: true }, itemIndex));
	}
	if (given.autoSubscribe !== undefined) {
		filters['filter[autoSubscribe]'] = String(
			checkBoolean(this, given.autoSubscribe, { label: 'Filters → Auto-Subscribe', fallback: true }, itemIndex),
		);
	}
	return { filters, limit: resultLimit.call(this, itemIndex) };
}

/** `GET /webhooks` (Management API), page after page until the last or the limit. */
export async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ filters, limit }: ListParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	const resources = await listResources(client, { api: 'management', path: '/webhooks', filters, limit }, itemIndex);
	return resources.map(readWebhook);
}
