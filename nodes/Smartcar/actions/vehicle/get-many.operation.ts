import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listConnections } from '../../../shared/connections';
import type { SmartcarClient } from '../../../shared/transport';
import { readOptionsCollection, returnAllFields } from '../common.descriptions';
import { userIdFields } from '../id-fields';
import { requiredId, resultLimit } from '../validation';
import { defineOperation } from '../operation';
import { fetchVehicle } from './fetch-vehicle';

const properties: INodeProperties[] = [...userIdFields(true), ...returnAllFields(), readOptionsCollection()];

const description = updateDisplayOptions({ show: { resource: ['vehicle'], operation: ['getMany'] } }, properties);

interface GetManyVehiclesParams {
	userId: string;
	/** undefined: Return All. */
	limit?: number;
}

function validate(this: IExecuteFunctions, itemIndex: number): GetManyVehiclesParams {
	return { userId: requiredId.call(this, 'userId', 'User ID', itemIndex), limit: resultLimit.call(this, itemIndex) };
}

/**
 * Smartcar v3 has no vehicle list: a user's vehicles are their connections. The JSON:API connection shape already
 * carries make, model and year; only the older shape without them costs one `GET /vehicles/{id}` per vehicle.
 */
async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, limit }: GetManyVehiclesParams,
	itemIndex: number,
): Promise<IDataObject[]> {
	const connections = await listConnections(client, { userId, limit }, itemIndex);

	const vehicles: IDataObject[] = [];
	const seen = new Set<string>();
	for (const connection of connections) {
		const vehicleId = connection.vehicleId;
		if (!vehicleId || seen.has(vehicleId)) continue;
		seen.add(vehicleId);
		const attributes =
			connection.vehicle.make === null && connection.vehicle.model === null
				? await fetchVehicle(client, vehicleId, userId, itemIndex)
				: { id: vehicleId, userId, ...connection.vehicle };
		vehicles.push({
			...attributes,
			connectionId: connection.id,
			connectedAt: connection.connectedAt,
			permissions: connection.permissions,
		});
	}
	return vehicles;
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
