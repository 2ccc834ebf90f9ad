import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { userIdFields, vehicleIdField } from '../id-fields';
import type { SmartcarResource } from '../operation';
import * as lock from './lock.operation';
import * as setChargeLimit from './set-charge-limit.operation';
import * as startCharge from './start-charge.operation';
import * as stopCharge from './stop-charge.operation';
import * as unlock from './unlock.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['command'] } },
	options: [
		{ name: 'Lock', value: 'lock', action: 'Lock vehicle', description: 'Lock the doors' },
		{
			name: 'Set Charge Limit',
			value: 'setChargeLimit',
			action: 'Set charge limit',
			description: 'Set the state of charge at which charging stops',
		},
		{ name: 'Start Charge', value: 'startCharge', action: 'Start charging', description: 'Start charging a plugged-in vehicle' },
		{ name: 'Stop Charge', value: 'stopCharge', action: 'Stop charging', description: 'Stop charging' },
		{ name: 'Unlock', value: 'unlock', action: 'Unlock vehicle', description: 'Unlock the doors' },
	],
	default: 'lock',
};

const shared = updateDisplayOptions({ show: { resource: ['command'] } }, [...userIdFields(true), vehicleIdField]);

export const command = {
	description: [operation, ...shared, ...setChargeLimit.operation.description],
	operations: { lock: lock.operation, unlock: unlock.operation, startCharge: startCharge.operation, stopCharge: stopCharge.operation, setChargeLimit: setChargeLimit.operation },
} satisfies SmartcarResource;
