import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as get from './get.operation';
import * as getMany from './get-many.operation';
import * as subscribe from './subscribe.operation';
import * as unsubscribe from './unsubscribe.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['subscription'] } },
	options: [
		{ name: 'Get', value: 'get', action: 'Get subscription', description: 'Get one subscription by its ID' },
		{
			name: 'Get Many',
			value: 'getMany',
			action: 'Get many subscriptions',
			description: 'List which vehicles are subscribed to which webhooks, optionally for one webhook, user or vehicle',
		},
		{
			name: 'Subscribe',
			value: 'subscribe',
			action: 'Subscribe vehicle to webhook',
			description: 'Have Smartcar keep a vehicle\'s signals fresh and send its events to a webhook',
		},
		{
			name: 'Unsubscribe',
			value: 'unsubscribe',
			action: 'Unsubscribe vehicle from webhook',
			description: 'Stop a vehicle\'s events to a webhook, by subscription ID or by webhook and vehicle',
		},
	],
	default: 'subscribe',
};

/** Which vehicles a webhook receives events for (Management API). */
export const subscription = {
	description: [operation, ...get.operation.description, ...getMany.operation.description, ...subscribe.operation.description, ...unsubscribe.operation.description],
	operations: { get: get.operation, getMany: getMany.operation, subscribe: subscribe.operation, unsubscribe: unsubscribe.operation },
} satisfies SmartcarResource;
