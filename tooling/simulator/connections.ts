/**
 * GET /v3/connections in both documented shapes (Smartcar's API Authentication guide and its v3 reference differ):
 * - Shape A: `{connections:[…], paging:{cursor}}` with cursor paging.
 * - Shape B: JSON:API with `page[number]` / `page[size]`, `meta` and `links.next`.
 */
import { errorSpecs, type ErrorSpec } from './errors';
import type { Fleet, SimConnection, VehicleMode } from './fleet';
import { findVehicle } from './fleet-state';
import type { JsonObject } from './json';
import { connectionItemShapeA, connectionResource } from './render';

export type ConnectionsShape = 'A' | 'B';
export type NextLinkForm = 'relative' | 'absolute';

export interface ConnectionsSettings {
	shape: ConnectionsShape;
	nextLink: NextLinkForm;
	/** Shape A page size (default 100). */
	cursorPageSize: number;
	/** Server origin, e.g. http://127.0.0.1:7070. */
	url: string;
	/** `${url}/v3`. */
	apiBaseUrl: string;
}

export type ListResult = { ok: true; body: JsonObject } | { ok: false; error: ErrorSpec };

interface Filters {
	userIds: string[];
	vehicleIds: string[];
	mode?: VehicleMode;
}

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 10;
const PAGE_PARAMS = new Set(['page[number]', 'page[size]', 'cursor']);
const CONNECTIONS_PATH = '/v3/connections';

function present(...values: Array<string | null | undefined>): string[] {
	return values.filter((value): value is string => typeof value === 'string' && value.length > 0);
}

function readFilters(params: URLSearchParams, headerUserId: string | undefined): Filters | ErrorSpec {
	const mode = params.get('filter[vehicle.mode]') ?? undefined;
	if (mode !== undefined && mode !== 'live' && mode !== 'simulated') {
		return errorSpecs.validation('filter[vehicle.mode] must be "live" or "simulated".');
	}
	return {
		userIds: present(headerUserId, params.get('filter[userId]'), params.get('filter[user_id]')),
		vehicleIds: present(params.get('filter[vehicleId]'), params.get('filter[vehicle_id]')),
		mode,
	};
}

function isErrorSpec(value: Filters | ErrorSpec | number): value is ErrorSpec {
	return typeof value === 'object' && 'status' in value;
}

function matches(fleet: Fleet, connection: SimConnection, filters: Filters): boolean {
	if (filters.userIds.some((id) => id !== connection.userId)) return false;
	if (filters.vehicleIds.some((id) => id !== connection.vehicleId)) return false;
	if (filters.mode && findVehicle(fleet, connection.vehicleId)?.mode !== filters.mode) return false;
	return true;
}

/** Newest first, like Smartcar (`orderBy: createdAt`, `orderDirection: DESC`). */
function filteredConnections(fleet: Fleet, filters: Filters): SimConnection[] {
	return fleet.connections
		.filter((connection) => matches(fleet, connection, filters))
		.sort((a, b) => b.connectedAt.localeCompare(a.connectedAt) || a.id.localeCompare(b.id));
}

function parseIntParam(value: string | null, name: string, min: number, max: number, fallback: number): number | ErrorSpec {
	if (value === null) return fallback;
	const parsed = Number(value);
	if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
		return errorSpecs.validation(`${name} must be an integer between ${min} and ${max}.`);
	}
	return parsed;
}

// ---------------------------------------------------------------------------------------------
// Shape A (cursor)

function encodeCursor(offset: number): string {
	return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | null): number | ErrorSpec {
	if (cursor === null || cursor === '') return 0;
	const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
	return match ? Number(match[1]) : errorSpecs.validation('The cursor is invalid.');
}

function listShapeA(connections: SimConnection[], params: URLSearchParams, settings: ConnectionsSettings): ListResult {
	const offset = decodeCursor(params.get('cursor'));
	if (isErrorSpec(offset)) return { ok: false, error: offset };
	const size = parseIntParam(params.get('limit'), 'limit', 1, MAX_PAGE_SIZE, settings.cursorPageSize);
	if (isErrorSpec(size)) return { ok: false, error: size };
	const page = connections.slice(offset, offset + size);
	const nextOffset = offset + page.length;
	const cursor = nextOffset < connections.length ? encodeCursor(nextOffset) : null;
	return { ok: true, body: { connections: page.map(connectionItemShapeA), paging: { cursor } } };
}

// ---------------------------------------------------------------------------------------------
// Shape B (page number)

function filterParams(params: URLSearchParams): Array<[string, string]> {
	return [...params.entries()].filter(([key]) => !PAGE_PARAMS.has(key));
}

/** Relative links keep brackets readable (docs); absolute links percent-encode them (real traffic). */
function pageLink(page: number, size: number, params: URLSearchParams, settings: ConnectionsSettings): string {
	const entries: Array<[string, string]> = [
		['page[number]', String(page)],
		['page[size]', String(size)],
		...filterParams(params),
	];
	if (settings.nextLink === 'absolute') {
		return `${settings.url}${CONNECTIONS_PATH}?${new URLSearchParams(entries).toString()}`;
	}
	const query = entries.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
	return `${CONNECTIONS_PATH}?${query}`;
}

function listShapeB(
	fleet: Fleet,
	connections: SimConnection[],
	params: URLSearchParams,
	settings: ConnectionsSettings,
): ListResult {
	const pageNumber = parseIntParam(params.get('page[number]'), 'page[number]', 1, Number.MAX_SAFE_INTEGER, 1);
	if (isErrorSpec(pageNumber)) return { ok: false, error: pageNumber };
	const pageSize = parseIntParam(params.get('page[size]'), 'page[size]', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
	if (isErrorSpec(pageSize)) return { ok: false, error: pageSize };
	const start = (pageNumber - 1) * pageSize;
	const page = connections.slice(start, start + pageSize);
	const lastPage = Math.max(1, Math.ceil(connections.length / pageSize));
	const link = (n: number) => pageLink(n, pageSize, params, settings);
	return {
		ok: true,
		body: {
			data: page.map((connection) => connectionResource(fleet, connection, settings.apiBaseUrl)),
			meta: {
				pageNumber,
				pageSize,
				totalCount: connections.length,
				orderBy: 'createdAt',
				orderDirection: 'DESC',
			},
			links: {
				self: link(pageNumber),
				first: link(1),
				last: link(lastPage),
				next: pageNumber < lastPage ? link(pageNumber + 1) : null,
				prev: pageNumber > 1 ? link(Math.min(pageNumber - 1, lastPage)) : null,
			},
		},
	};
}

export function listConnections(
	fleet: Fleet,
	params: URLSearchParams,
	headerUserId: string | undefined,
	settings: ConnectionsSettings,
): ListResult {
	const filters = readFilters(params, headerUserId);
	if (isErrorSpec(filters)) return { ok: false, error: filters };
	const connections = filteredConnections(fleet, filters);
	return settings.shape === 'A'
		? listShapeA(connections, params, settings)
		: listShapeB(fleet, connections, params, settings);
}
