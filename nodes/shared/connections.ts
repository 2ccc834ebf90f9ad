import type { IDataObject } from 'n8n-workflow';

import { nextLink, relationshipId, resourceList, resourceOf } from './json-api';
import { asRecord, asString, toIsoTimestamp } from './values';
import { readVehicleAttributes, type VehicleAttributes } from './vehicle';

/**
 * Smartcar documents two shapes for `GET /connections`, and both become the same flat item:
 * A (the API Authentication setup guide) — `{connections: [{id, userId, vehicleId, connectedAt}], paging: {cursor}}`,
 * next page with `cursor=…`;
 * B (the v3 API reference, and real traffic) — JSON:API `{data: [{id, attributes: {vehicle, user, permissions},
 * relationships, meta}], links: {next}}`, next page at `links.next`.
 */

/** Smartcar's documented page-size ceiling for `GET /connections`. */
export const MAX_PAGE_SIZE = 100;

export interface NormalizedConnection extends IDataObject {
	id: string;
	userId: string | null;
	vehicleId: string | null;
	connectedAt: string | null;
	vehicle: VehicleAttributes;
	/** Granted permissions; null when the response shape does not say (shape A). */
	permissions: string[] | null;
}

type NextPage = { cursor: string } | { link: string } | null;

interface ConnectionsPage {
	connections: NormalizedConnection[];
	next: NextPage;
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

/** One page of `GET /connections`, in either shape, and where the next page is. */
export function parseConnectionsPage(body: unknown): ConnectionsPage {
	const record = asRecord(body);
	if (Array.isArray(record.connections)) {
		const cursor = asString(asRecord(record.paging).cursor);
		return {
			connections: record.connections.map(normalizeConnection),
			next: cursor ? { cursor } : null,
		};
	}
	const link = nextLink(body);
	return {
		connections: (resourceList(body) ?? []).map(normalizeConnection),
		next: link ? { link } : null,
	};
}
