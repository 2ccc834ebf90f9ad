import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as deleteUser from './delete.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['user'] } },
	options: [
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete user',
			description: 'Disconnect all of a user\'s vehicles and purge their data',
		},
	],
	default: 'delete',
};

export const user = {
	description: [operation, ...deleteUser.operation.description],
	operations: { delete: deleteUser.operation },
} satisfies SmartcarResource;
