import type { IDataObject } from 'n8n-workflow';

import { nextLink, relationshipId, resourceList, resourceOf } from './json-api';
import { listPages, type Page, type PagedList, type SmartcarClient } from './transport';
import { asRecord, asString, toIsoTimestamp } from './values';
import { readVehicleAttributes, type VehicleAttributes } from './vehicle';

/**
 * Smartcar documents two shapes for `GET /connections`, and both become the same flat item:
 * A (the API Authentication setup guide) — `{connections: [{id, userId, vehicleId, connectedAt}], paging: {cursor}}`,
 * next page with `cursor=…`;
 * B (the v3 API reference, and real traffic) — JSON:API `{data: [{id, attributes: {vehicle, user, permissions},
 * relationships, meta}], links: {next}}`, next page at `links.next`.
 */

export interface NormalizedConnection extends IDataObject {
	id: string;
	userId: string | null;
	vehicleId: string | null;
	connectedAt: string | null;
	vehicle: VehicleAttributes;
	/** Granted permissions; null when the response shape does not say (shape A). */
	permissions: string[] | null;
}

/** A connection in either shape as the flat item. */
function normalizeConnection(raw: unknown): NormalizedConnection {
	const resource = asRecord(raw);
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
		vehicle: readVehicleAttributes(vehicle),
		permissions: Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === 'string') : null,
	};
}

/** The connection of a `GET /connections/{id}` answer (wrapped in `data` or not). */
export function connectionOf(body: unknown): NormalizedConnection {
	return normalizeConnection(resourceOf(body));
}

/** One page of `GET /connections`, in either shape, and where the next page is (an empty page is the last). */
export function readConnectionsPage(body: unknown): Page<NormalizedConnection> {
	const record = asRecord(body);
	const shapeA: unknown[] | undefined = Array.isArray(record.connections) ? record.connections : undefined;
	const items = (shapeA ?? resourceList(body) ?? []).map(normalizeConnection);
	if (items.length === 0) return { items, next: null };
	if (shapeA) {
		const cursor = asString(asRecord(record.paging).cursor);
		return { items, next: cursor ? { cursor } : null };
	}
	const link = nextLink(body);
	return { items, next: link ? { link } : null };
}

/** Which connections to list: a user's, a vehicle's (both filters also checked on each connection), the first `limit`. */
export interface ConnectionFilters {
	userId?: string;
	vehicleId?: string;
	/** undefined: all. */
	limit?: number;
}

/** `GET /connections` as a list for the pager: its filters, its reader (either shape), and the connections kept. */
export function connectionsList({ userId, vehicleId, limit }: ConnectionFilters): PagedList<NormalizedConnection> {
	return {
		path: '/connections',
		userId,
		filters: vehicleId ? { 'filter[vehicleId]': vehicleId } : {},
		limit,
		read: readConnectionsPage,
		keep: (connection) => !(userId && connection.userId && connection.userId !== userId) && !(vehicleId && connection.vehicleId !== vehicleId),
	};
}

/** Every connection matching `filters` (or the first `limit`), whichever of Smartcar's list shapes answers. */
export async function listConnections(client: SmartcarClient, filters: ConnectionFilters, itemIndex = 0): Promise<NormalizedConnection[]> {
	return await listPages(client, connectionsList(filters), itemIndex);
}
