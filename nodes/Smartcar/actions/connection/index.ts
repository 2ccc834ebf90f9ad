import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as get from './get.operation';
import * as getMany from './get-many.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['connection'] } },
	options: [
		{ name: 'Get', value: 'get', action: 'Get connection', description: 'Get one connection by its ID' },
		{
			name: 'Get Many',
			value: 'getMany',
			action: 'Get many connections',
			description: 'List the vehicles users have connected to the application, optionally for one user or vehicle',
		},
	],
	default: 'getMany',
};

export const connection = {
	description: [operation, ...get.operation.description, ...getMany.operation.description],
	operations: { get: get.operation, getMany: getMany.operation },
} satisfies SmartcarResource;
