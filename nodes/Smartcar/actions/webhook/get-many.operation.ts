import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listResources, type ListParams } from '../../../shared/paged-list';
import type { SmartcarClient } from '../../../shared/transport';
import { readWebhook } from '../../../shared/webhooks';
import { readOptionsCollection, returnAllFields } from '../common.descriptions';
import { checkBoolean, checkText, collection, resultLimit } from '../validation';
import { versioned } from '../versions';
import { defineOperation } from '../operation';

/** The text filters, the same in every version. */
const textFilters: INodeProperties[] = [
	{
		displayName: 'Callback URI',
		name: 'callbackUri',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/',
		description: 'Only webhooks whose callback URI matches this text (Smartcar compares it)',
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		description: 'Only webhooks whose name matches this text (Smartcar compares it)',
	},
];

/** Version 2 on: Any / Yes / No, so no setting of a filter reads as "only the opposite" by accident. */
function anyYesNo(displayName: string, name: string, yes: string, no: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		default: 'any',
		options: [
			{ name: 'Any', value: 'any', description: 'Do not filter on this' },
			{ name: 'No', value: 'false', description: no },
			{ name: 'Yes', value: 'true', description: yes },
		],
	};
}

/**
 * Filters: version 1 has yes/no switches (a switch turned off lists only the opposite); version 2 on, Any / Yes / No.
 * Both store the same names; version 2 stores 'any', 'true' or 'false'.
 */
const filtersFields = versioned(
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
			textFilters[0],
			{
				displayName: 'Enabled',
				name: 'isEnabled',
				type: 'boolean',
				default: true,
				description: 'Whether to list only enabled webhooks (on) or only disabled ones (off)',
			},
			textFilters[1],
		],
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			anyYesNo(
				'Auto-Subscribe',
				'autoSubscribe',
				'Only webhooks that subscribe every connected vehicle by themselves',
				'Only webhooks whose vehicles are subscribed one by one',
			),
			textFilters[0],
			anyYesNo('Enabled', 'isEnabled', 'Only enabled webhooks', 'Only disabled webhooks'),
			textFilters[1],
		],
	},
);

const properties: INodeProperties[] = [...returnAllFields(), ...filtersFields, readOptionsCollection()];

const description = updateDisplayOptions({ show: { resource: ['webhook'], operation: ['getMany'] } }, properties);

/** Version 2's "Any" for a yes/no filter: not sent. */
const ANY = 'any';

/**
 * Return All / Limit and the filters, each checked. A yes/no filter (version 1: true or false; version 2: 'any', 'true'
 * or 'false') is sent as the text true or false, and not at all for Any.
 */
function validate(this: IExecuteFunctions, itemIndex: number): ListParams {
	const given = collection.call(this, 'filters', 'Filters', itemIndex);
	const filters: IDataObject = {};
	const name = checkText(this, given.name, 'Filters → Name', itemIndex);
	if (name !== undefined) filters['filter[name]'] = name;
	const callbackUri = checkText(this, given.callbackUri, 'Filters → Callback URI', itemIndex);
	if (callbackUri !== undefined) filters['filter[callbackUri]'] = callbackUri;
	if (given.isEnabled !== undefined && given.isEnabled !== ANY) {
		filters['filter[isEnabled]'] = String(checkBoolean(this, given.isEnabled, { label: 'Filters → Enabled', fallback: true }, itemIndex));
	}
	if (given.autoSubscribe !== undefined && given.autoSubscribe !== ANY) {
		filters['filter[autoSubscribe]'] = String(
			checkBoolean(this, given.autoSubscribe, { label: 'Filters → Auto-Subscribe', fallback: true }, itemIndex),
		);
	}
	return { filters, limit: resultLimit.call(this, itemIndex) };
}

/** `GET /webhooks` (Management API), page after page until the last or the limit. */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ filters, limit }: ListParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	const resources = await listResources(client, { api: 'management', path: '/webhooks', filters, limit }, itemIndex);
	return resources.map(readWebhook);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
