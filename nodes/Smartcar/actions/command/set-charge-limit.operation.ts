import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { runCommand } from './run-command';

const properties: INodeProperties[] = [
	{
		displayName: 'Charge Limit (%)',
		name: 'percent',
		type: 'number',
		default: 80,
		required: true,
		typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 0 },
		description: 'The state of charge, in whole percent, at which the vehicle stops charging',
		hint: 'Automakers accept a narrower range (often 50–100); Smartcar answers with an error otherwise',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['command'], operation: ['setChargeLimit'] } }, properties);

export async function execute(this: IExecuteFunctions, client: SmartcarClient, itemIndex: number): Promise<IDataObject> {
	const raw = this.getNodeParameter('percent', itemIndex) as unknown;
	const percent = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
		throw new NodeOperationError(
			this.getNode(),
			`Charge Limit (%) must be a whole number from 0 to 100; item ${itemIndex} has ${JSON.stringify(raw)}`,
			{ itemIndex, description: 'Enter a whole percentage such as 80.' },
		);
	}
	return await runCommand.call(this, client, itemIndex, {
		command: 'setChargeLimit',
		path: 'charge/set-limit',
		body: { data: { attributes: { percent } } },
	});
}
