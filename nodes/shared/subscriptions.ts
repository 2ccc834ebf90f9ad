import type { IDataObject } from 'n8n-workflow';

import { attributesOf, relationshipId, resourceOf } from './json-api';
import { asRecord, asString, toIsoTimestamp } from './values';
import { readVehicleAttributes, type VehicleAttributes } from './vehicle';

/**
 * A subscription of a vehicle to a webhook, as the Management API describes it (`GET /subscriptions`,
 * `GET /subscriptions/{id}`): JSON:API `{id, type: 'subscription', attributes: {vehicle}, meta: {createdAt,
 * updatedAt}, relationships: {webhook, user, vehicle}}`. The webhook, user and vehicle IDs are only in
 * `relationships`; the flat item carries them at the top.
 */

export interface SmartcarSubscription extends IDataObject {
	id: string;
	webhookId: string | null;
	userId: string | null;
	vehicleId: string | null;
	vehicle: VehicleAttributes;
	createdAt: string | null;
	updatedAt: string | null;
}

/** The ID `relationships.<name>` points at, else a flat `<name>Id` attribute; null when neither is there. */
function linkedId(resource: Record<string, unknown>, attributes: Record<string, unknown>, name: string): string | null {
	return relationshipId(resource, name) ?? asString(attributes[`${name}Id`]) ?? null;
}

/** One subscription resource (JSON:API, or flat) as the flat item; what Smartcar did not send is null. */
export function readSubscription(raw: unknown): SmartcarSubscription {
	const resource = asRecord(raw);
	const attributes = attributesOf(resource);
	const meta = asRecord(resource.meta);
	return {
		id: asString(resource.id) ?? '',
		webhookId: linkedId(resource, attributes, 'webhook'),
		userId: linkedId(resource, attributes, 'user'),
		vehicleId: linkedId(resource, attributes, 'vehicle'),
		vehicle: readVehicleAttributes(attributes.vehicle),
		createdAt: toIsoTimestamp(meta.createdAt ?? attributes.createdAt),
		updatedAt: toIsoTimestamp(meta.updatedAt ?? attributes.updatedAt),
	};
}

/** The subscription of a `GET /subscriptions/{id}` answer (wrapped in `data` or not). */
export function subscriptionOf(body: unknown): SmartcarSubscription {
	return readSubscription(resourceOf(body));
}
