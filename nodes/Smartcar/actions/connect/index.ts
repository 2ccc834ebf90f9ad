import type { INodeProperties } from 'n8n-workflow';

import type { SmartcarResource } from '../operation';
import * as getAuthorizationUrl from './get-authorization-url.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['connect'] } },
	options: [
		{
			name: 'Get Authorization URL',
			value: 'getAuthorizationUrl',
			action: 'Get authorization URL',
			description: 'Build the Smartcar Connect link a driver opens to connect their vehicle',
		},
	],
	default: 'getAuthorizationUrl',
};

export const connect = {
	description: [operation, ...getAuthorizationUrl.operation.description],
	operations: { getAuthorizationUrl: getAuthorizationUrl.operation },
} satisfies SmartcarResource;
