import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { normalizeVehicleAttributes } from '../../../shared/connections';
import type { SmartcarClient } from '../../../shared/transport';
import { asRecord, asString, isRecord } from '../../../shared/values';
import { userIdField, vehicleIdField } from '../common.descriptions';
import { requiredId } from '../validation';

const properties: INodeProperties[] = [userIdField(true), vehicleIdField];

export const description = updateDisplayOptions({ show: { resource: ['vehicle'], operation: ['get'] } }, properties);

/** `GET /vehicles/{id}`: make, model, year, powertrain and mode. */
export async function fetchVehicle(
	client: SmartcarClient,
	vehicleId: string,
	userId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await client.request(
		{ method: 'GET', path: `/vehicles/${encodeURIComponent(vehicleId)}`, userId },
		itemIndex,
	);
	const body = asRecord(response.body);
	const resource = isRecord(body.data) ? body.data : body;
	const attributes = isRecord(resource.attributes) ? resource.attributes : resource;
	return {
		id: asString(resource.id) ?? vehicleId,
		userId,
		...normalizeVehicleAttributes(attributes),
	};
}

interface GetVehicleParams {
	userId: string;
	vehicleId: string;
}

export function validate(this: IExecuteFunctions, itemIndex: number): GetVehicleParams {
	return {
		userId: requiredId.call(this, 'userId', 'User ID', itemIndex),
		vehicleId: requiredId.call(this, 'vehicleId', 'Vehicle ID', itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, vehicleId }: GetVehicleParams,
	itemIndex: number,
): Promise<IDataObject> {
	return await fetchVehicle(client, vehicleId, userId, itemIndex);
}
