import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { connectionsList } from '../../../shared/connections';
import { listPages, type SmartcarClient } from '../../../shared/transport';
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

const description = updateDisplayOptions({ show: { resource: ['connection'], operation: ['getMany'] } }, properties);

interface GetManyConnectionsParams {
	userId?: string;
	vehicleId?: string;
	/** undefined: Return All. */
	limit?: number;
}

/** The optional user and vehicle filters (valid IDs when given) and Return All / Limit. */
function validate(this: IExecuteFunctions, itemIndex: number): GetManyConnectionsParams {
	return {
		userId: optionalId.call(this, 'userId', 'User ID', itemIndex),
		vehicleId: optionalId.call(this, 'vehicleId', 'Vehicle ID', itemIndex),
		limit: resultLimit.call(this, itemIndex),
	};
}

/**
 * `GET /connections` page after page (by cursor, page number or `links.next`, whichever Smartcar answers with), each
 * connection in either of its shapes as one flat item; the user and vehicle filters are also checked on each one.
 */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, vehicleId, limit }: GetManyConnectionsParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	return await listPages(client, connectionsList({ userId, vehicleId, limit }), itemIndex);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
