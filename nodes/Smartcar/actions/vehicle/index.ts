import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as get from './get.operation';
import * as getMany from './get-many.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['vehicle'] } },
	options: [
		{ name: 'Get', value: 'get', action: 'Get vehicle', description: 'Get make, model, year, powertrain and mode' },
		{ name: 'Get Many', value: 'getMany', action: 'Get many vehicles', description: 'List a user\'s connected vehicles' },
	],
	default: 'get',
};

export const vehicle = {
	description: [operation, ...get.operation.description, ...getMany.operation.description],
	operations: { get: get.operation, getMany: getMany.operation },
} satisfies SmartcarResource;
