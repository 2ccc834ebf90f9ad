import type { IDataObject } from 'n8n-workflow';

import { asArray, asRecord, asString, isRecord, toIsoTimestamp, toYear } from './values';

/**
 * Smartcar documents two shapes for `GET /connections` (see the API contract §2.1):
 * A — `{connections: [{id, userId, vehicleId, connectedAt}], paging: {cursor}}`, next page with `cursor=…`;
 * B — JSON:API `{data: [{id, attributes: {vehicle, user, permissions}, relationships, meta}], links: {next}}`.
 * Both become the same flat item.
 */

export interface ConnectionVehicle extends IDataObject {
	make: string | null;
	model: string | null;
	year: number | null;
	mode: string | null;
	powertrainType: string | null;
}

export interface NormalizedConnection extends IDataObject {
	id: string;
	userId: string | null;
	vehicleId: string | null;
	connectedAt: string | null;
	vehicle: ConnectionVehicle;
	/** Granted permissions; null when the response shape does not say (shape A). */
	permissions: string[] | null;
}

export type NextPage = { cursor: string } | { link: string } | null;

export interface ConnectionsPage {
	connections: NormalizedConnection[];
	next: NextPage;
}

function relationshipId(resource: IDataObject, name: string): string | undefined {
	const relationship = asRecord(asRecord(resource.relationships)[name]);
	return asString(asRecord(relationship.data).id);
}

export function normalizeVehicleAttributes(raw: unknown): ConnectionVehicle {
	const vehicle = asRecord(raw);
	return {
		make: asString(vehicle.make) ?? null,
		model: asString(vehicle.model) ?? null,
		year: toYear(vehicle.year),
		mode: asString(vehicle.mode) ?? null,
		powertrainType: asString(vehicle.powertrainType) ?? null,
	};
}

export function normalizeConnection(raw: unknown): NormalizedConnection {
	const resource = asRecord(raw) as IDataObject;
	const attributes = asRecord(resource.attributes);
	const meta = asRecord(resource.meta);
	const vehicle = asRecord(attributes.vehicle);
	const permissions = attributes.permissions ?? resource.permissions;
	return {
		id: asString(resource.id) ?? '',
		userId:
			asString(resource.userId) ??
			asString(resource.user_id) ??
			asString(asRecord(attributes.user).id) ??
			relationshipId(resource, 'user') ??
			null,
		vehicleId:
			asString(resource.vehicleId) ??
			asString(resource.vehicle_id) ??
			relationshipId(resource, 'vehicle') ??
			asString(vehicle.id) ??
			null,
		connectedAt: toIsoTimestamp(resource.connectedAt ?? attributes.connectedAt ?? meta.createdAt),
		vehicle: normalizeVehicleAttributes(vehicle),
		permissions: Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === 'string') : null,
	};
}

/** The connection inside a `GET /connections/{id}` response (wrapped in `data` or not). */
export function unwrapConnectionResponse(body: unknown): unknown {
	const record = asRecord(body);
	return isRecord(record.data) ? record.data : body;
}

export function parseConnectionsPage(body: unknown): ConnectionsPage {
	const record = asRecord(body);
	if (Array.isArray(record.connections)) {
		const cursor = asString(asRecord(record.paging).cursor);
		return {
			connections: record.connections.map(normalizeConnection),
			next: cursor ? { cursor } : null,
		};
	}
	const link = asString(asRecord(record.links).next);
	return {
		connections: asArray(record.data).map(normalizeConnection),
		next: link ? { link } : null,
	};
}
