import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { requiredVehicleTarget, wholeNumber, type VehicleTarget } from '../validation';
import { runCommand } from './run-command';
import { defineOperation } from '../operation';

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

const description = updateDisplayOptions({ show: { resource: ['command'], operation: ['setChargeLimit'] } }, properties);

interface SetChargeLimitParams extends VehicleTarget {
	percent: number;
}

/** User, vehicle and a whole percentage from 0 to 100 (a number, or its text from an expression). */
function validate(this: IExecuteFunctions, itemIndex: number): SetChargeLimitParams {
	const target = requiredVehicleTarget.call(this, itemIndex);
	const percent = wholeNumber.call(
		this,
		'percent',
		{ label: 'Charge Limit (%)', min: 0, max: 100, description: 'Enter a whole percentage such as 80.' },
		itemIndex,
	);
	return { ...target, percent };
}

async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	params: SetChargeLimitParams,
	itemIndex: number,
): Promise<IDataObject> {
	const { percent, ...target } = params;
	return await runCommand(
		client,
		target,
		{
			command: 'setChargeLimit',
			path: 'charge/set-limit',
			body: { data: { attributes: { percent } } },
			verifyHint: 'Read the signal charge-chargelimits to see which charge limit the vehicle has.',
		},
		itemIndex,
	);
}

export const operation = defineOperation({ description, validate, execute });
