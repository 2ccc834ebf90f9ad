import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { resources } from './actions/resources';
import { router } from './actions/router';
import { searchVehicles } from './methods/list-search';

export class Smartcar implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Smartcar',
		name: 'smartcar',
		icon: { light: 'file:../../icons/smartcar.svg', dark: 'file:../../icons/smartcar.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Read connected-car data and send commands with Smartcar',
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
					{ name: 'User', value: 'user', description: 'Smartcar users of the application' },
					{ name: 'Vehicle', value: 'vehicle', description: 'Make, model, year and powertrain' },
				],
				default: 'signal',
			},
			...resources.command.description,
			...resources.connect.description,
			...resources.connection.description,
			...resources.signal.description,
			...resources.user.description,
			...resources.vehicle.description,
		],
	};

	methods = { listSearch: { searchVehicles } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
