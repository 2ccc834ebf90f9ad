import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { returnAllFields, userIdField } from '../common.descriptions';
import { optionalId } from '../validation';

const properties: INodeProperties[] = [
	userIdField(false),
	{
		displayName: 'Vehicle ID',
		name: 'vehicleId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 36ab27d0-fd9d-4455-823a-ce30af709ffc',
		description: 'Only the connections of this vehicle. Leave empty for all.',
	},
	...returnAllFields(),
];

export const description = updateDisplayOptions({ show: { resource: ['connection'], operation: ['getMany'] } }, properties);

export async function execute(this: IExecuteFunctions, client: SmartcarClient, itemIndex: number): Promise<IDataObject[]> {
	const userId = optionalId.call(this, 'userId', 'User ID', itemIndex);
	const vehicleId = optionalId.call(this, 'vehicleId', 'Vehicle ID', itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	return await client.listConnections({ userId, vehicleId, limit }, itemIndex);
}
