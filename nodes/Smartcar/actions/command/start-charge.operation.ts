import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { runCommand } from './run-command';

/** Start Charge: only the vehicle and user fields every command shares. */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, client: SmartcarClient, itemIndex: number): Promise<IDataObject> {
	return await runCommand.call(this, client, itemIndex, { command: 'startCharge', path: 'charge/start' });
}
