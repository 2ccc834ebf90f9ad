import type { INodeProperties } from 'n8n-workflow';

import { MAX_LIMIT } from './validation';

/** Fields several operations share: Return All / Limit, the webhook picker and Requests in Flight (IDs: id-fields.ts). */

export function returnAllFields(): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_LIMIT, numberPrecision: 0 },
			default: 50,
			description: 'Max number of results to return',
			hint: `A whole number from 1 to ${MAX_LIMIT.toLocaleString('en-US')}; turn on Return All to get more`,
			displayOptions: { show: { returnAll: [false] } },
		},
	];
}

/** The Smartcar webhook (Management API): picked by name from the application's webhooks, or given by its ID. */
export function webhookIdField(required: boolean): INodeProperties {
	return {
		displayName: 'Webhook',
		name: 'webhookId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required,
		description: required
			? 'The Smartcar webhook, picked by name from the application\'s webhooks or given by its ID'
			: 'Only this webhook\'s subscriptions. Leave empty for every webhook of the application.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a webhook…',
				typeOptions: { searchListMethod: 'searchWebhooks', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 5a8e9b3c-2f4d-4c1e-9a7b-6d0e1f2a3b4c',
			},
		],
	};
}

/** The most items a read operation runs at once (Options → Requests in Flight). */
export const MAX_REQUESTS_IN_FLIGHT = 16;

/** Requests in Flight when the option is not set (docs/scaling.md and docs/performance.md give the measurement). */
export const DEFAULT_REQUESTS_IN_FLIGHT = 8;

/** Options → Requests in Flight, in every read operation's Options collection. */
export const requestsInFlightOption: INodeProperties = {
	displayName: 'Requests in Flight',
	name: 'requestsInFlight',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_REQUESTS_IN_FLIGHT, numberPrecision: 0 },
	default: DEFAULT_REQUESTS_IN_FLIGHT,
	description:
		'How many items are read at the same time. 1 reads one item at a time, in order. Items for the same vehicle are always read one after the other, and the output keeps the input order.',
	hint: `A whole number from 1 to ${MAX_REQUESTS_IN_FLIGHT}. The first read item's value applies to every read of the run; commands and other changes always run one at a time, in input order`,
};

/** The Options collection of a read operation that has no other option: only Requests in Flight. */
export function readOptionsCollection(): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [requestsInFlightOption],
	};
}
