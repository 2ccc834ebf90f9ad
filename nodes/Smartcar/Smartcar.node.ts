import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resources } from './actions/resources';
import { router } from './actions/router';
import { searchVehicles } from './methods/list-search';
import { searchConnections } from './methods/search-connections';
import { searchSubscriptions } from './methods/search-subscriptions';
import { searchUsers } from './methods/search-users';
import { searchWebhooks } from './methods/search-webhooks';

export class Smartcar implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Smartcar',
		name: 'smartcar',
		icon: { light: 'file:../../icons/smartcar.svg', dark: 'file:../../icons/smartcar.dark.svg' },
		group: ['transform'],
		// Version 2 (new nodes) turns the ID fields into pickers, the webhook filters into Any / Yes / No and widens
		// Connect's default Permissions; workflows saved with version 1 keep its fields and behave as before
		// (actions/versions.ts).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Read connected-car data, send commands and subscribe vehicles to webhooks with Smartcar',
		defaults: { name: 'Smartcar' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'smartcarApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Command', value: 'command', description: 'Lock, unlock, and control charging' },
					{ name: 'Connect', value: 'connect', description: 'Build the link drivers use to connect vehicles' },
					{ name: 'Connection', value: 'connection', description: 'Vehicles users have connected to the application' },
					{ name: 'Signal', value: 'signal', description: 'Battery, charge, location, odometer and other readings' },
					{
						name: 'Subscription',
						value: 'subscription',
						description: 'Which vehicles a webhook sends events for (and keeps fresh signals of)',
					},
					{ name: 'User', value: 'user', description: 'Smartcar users of the application' },
					{ name: 'Vehicle', value: 'vehicle', description: 'Make, model, year and powertrain' },
					{ name: 'Webhook', value: 'webhook', description: 'The application\'s webhooks, as set up in the Smartcar Dashboard' },
				],
				default: 'signal',
			},
			...resources.command.description,
			...resources.connect.description,
			...resources.connection.description,
			...resources.signal.description,
			...resources.subscription.description,
			...resources.user.description,
			...resources.vehicle.description,
			...resources.webhook.description,
		],
	};

	methods = { listSearch: { searchConnections, searchSubscriptions, searchUsers, searchVehicles, searchWebhooks } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
