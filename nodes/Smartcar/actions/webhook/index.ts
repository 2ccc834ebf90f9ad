import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as get from './get.operation';
import * as getMany from './get-many.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['webhook'] } },
	options: [
		{ name: 'Get', value: 'get', action: 'Get webhook', description: 'Get one of the application\'s webhooks' },
		{
			name: 'Get Many',
			value: 'getMany',
			action: 'Get many webhooks',
			description: 'List the application\'s webhooks, optionally by name, callback URI, enabled or auto-subscribe',
		},
	],
	default: 'getMany',
};

/** The application's webhooks, as set up in the Smartcar Dashboard (Management API; read only). */
export const webhook = {
	description: [operation, ...get.operation.description, ...getMany.operation.description],
	operations: { get: get.operation, getMany: getMany.operation },
} satisfies SmartcarResource;
