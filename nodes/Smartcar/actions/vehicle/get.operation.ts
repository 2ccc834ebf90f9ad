import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { attributesOf, resourceOf } from '../../../shared/json-api';
import type { SmartcarClient } from '../../../shared/transport';
import { asString } from '../../../shared/values';
import { readVehicleAttributes } from '../../../shared/vehicle';
import { readOptionsCollection } from '../common.descriptions';
import { userIdFields, vehicleIdField } from '../id-fields';
import { requiredVehicleTarget, type VehicleTarget } from '../validation';

const properties: INodeProperties[] = [...userIdFields(true), vehicleIdField, readOptionsCollection()];

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const concurrent = true;

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
	const resource = resourceOf(response.body);
	return { id: asString(resource.id) ?? vehicleId, userId, ...readVehicleAttributes(attributesOf(resource)) };
}

export const validate = requiredVehicleTarget;

export async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, vehicleId }: VehicleTarget,
	itemIndex: number,
): Promise<IDataObject> {
	return await fetchVehicle(client, vehicleId, userId, itemIndex);
}
