import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as get from './get.operation';
import * as getMany from './get-many.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['signal'] } },
	options: [
		{ name: 'Get', value: 'get', action: 'Get signal', description: 'Read one signal of a vehicle' },
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many signals',
			description: 'Read every signal of a vehicle in one API call (billed once)',
		},
	],
	default: 'getAll',
};

export const signal = {
	description: [operation, ...get.operation.description, ...getMany.operation.description],
	// The stored operation value stays `getAll` (saved workflows use it); the file follows the other resources' names.
	operations: { get: get.operation, getAll: getMany.operation },
} satisfies SmartcarResource;
