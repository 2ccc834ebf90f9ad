import type { IDataObject } from 'n8n-workflow';

import { attributesOf, resourceOf } from '../../../shared/json-api';
import type { SmartcarClient } from '../../../shared/transport';
import { asString } from '../../../shared/values';
import { readVehicleAttributes } from '../../../shared/vehicle';

/** `GET /vehicles/{id}`: make, model, year, powertrain and mode (Vehicle → Get, and each vehicle of Get Many). */
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
