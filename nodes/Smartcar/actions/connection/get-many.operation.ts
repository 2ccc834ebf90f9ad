import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { readOptionsCollection, returnAllFields } from '../common.descriptions';
import { userIdFields, vehicleFilterFields } from '../id-fields';
import { optionalId, resultLimit } from '../validation';
import { defineOperation } from '../operation';

const properties: INodeProperties[] = [
	...userIdFields(false),
	...vehicleFilterFields('Only the connections of this vehicle. Leave empty for all.'),
	...returnAllFields(),
	readOptionsCollection(),
];

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const concurrent = true;

export const description = updateDisplayOptions({ show: { resource: ['connection'], operation: ['getMany'] } }, properties);

interface GetManyConnectionsParams {
	userId?: string;
	vehicleId?: string;
	/** undefined: Return All. */
	limit?: number;
}

/** The optional user and vehicle filters (valid IDs when given) and Return All / Limit. */
export function validate(this: IExecuteFunctions, itemIndex: number): GetManyConnectionsParams {
	return {
		userId: optionalId.call(this, 'userId', 'User ID', itemIndex),
		vehicleId: optionalId.call(this, 'vehicleId', 'Vehicle ID', itemIndex),
		limit: resultLimit.call(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	params: GetManyConnectionsParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	return await client.listConnections(params, itemIndex);
}

export const operation = defineOperation({ description, concurrent, validate, execute });
