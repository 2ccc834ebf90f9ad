import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SmartcarClient } from '../../../shared/transport';
import { readOptionsCollection } from '../common.descriptions';
import { userIdFields, vehicleIdField } from '../id-fields';
import { requiredVehicleTarget, type VehicleTarget } from '../validation';
import { defineOperation } from '../operation';
import { fetchVehicle } from './fetch-vehicle';

const properties: INodeProperties[] = [...userIdFields(true), vehicleIdField, readOptionsCollection()];

const description = updateDisplayOptions({ show: { resource: ['vehicle'], operation: ['get'] } }, properties);

const validate = requiredVehicleTarget;

async function execute(
	this: IExecuteFunctions,
	client: SmartcarClient,
	{ userId, vehicleId }: VehicleTarget,
	itemIndex: number,
): Promise<IDataObject> {
	return await fetchVehicle(client, vehicleId, userId, itemIndex);
}

/** A read: the router may run several items of it at once (Options → Requests in Flight). */
export const operation = defineOperation({ description, concurrent: true, validate, execute });
