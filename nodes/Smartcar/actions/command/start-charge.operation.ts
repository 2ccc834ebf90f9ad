import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { runCommand, validateCommandTarget, type CommandTarget } from './run-command';

/** Start Charge: only the vehicle and user fields every command shares. */
export const description: INodeProperties[] = [];

export function validate(this: IExecuteFunctions, itemIndex: number): CommandTarget {
	return validateCommandTarget.call(this, itemIndex);
}

export async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	params: CommandTarget,
	itemIndex: number,
): Promise<IDataObject> {
	return await runCommand(
		client,
		params,
		{ command: 'startCharge', path: 'charge/start', verifyHint: 'Read the signal charge-ischarging to see whether the vehicle is charging.' },
		itemIndex,
	);
}
