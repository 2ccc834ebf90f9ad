/**
 * Connections (nodes/shared/connections.ts): Smartcar's two documented list shapes and paging schemes, and a single
 * connection wrapped or flat, all become the same flat item.
 */
import { connectionOf, readConnectionsPage } from '../../nodes/shared/connections';

const noVehicle = { make: null, model: null, year: null, mode: null, powertrainType: null };

const shapeB = {
	id: '553c',
	type: 'connection',
	attributes: {
		permissions: ['read_battery', 'control_charge'],
		vehicle: { make: 'TESLA', model: 'Model S', year: 2014, mode: 'live', powertrainType: 'BEV' },
		user: { id: '218e' },
	},
	relationships: { vehicle: { data: { id: '36ab', type: 'vehicle' } }, user: { data: { id: '218e', type: 'user' } } },
	meta: { createdAt: '2025-05-03T02:45:45.349Z', updatedAt: '2026-06-21T02:56:21.130Z' },
};
const itemB = {
	id: '553c',
	userId: '218e',
	vehicleId: '36ab',
	connectedAt: '2025-05-03T02:45:45.349Z',
	vehicle: { make: 'TESLA', model: 'Model S', year: 2014, mode: 'live', powertrainType: 'BEV' },
	permissions: ['read_battery', 'control_charge'],
};

describe('readConnectionsPage', () => {
	test.each([
		[
			'shape A (setup guide), with a cursor',
			{ connections: [{ id: 'c1', userId: 'u1', vehicleId: 'v1', connectedAt: '2025-01-15T10:30:00Z' }], paging: { cursor: 'next-1' } },
			[{ id: 'c1', userId: 'u1', vehicleId: 'v1', connectedAt: '2025-01-15T10:30:00.000Z', vehicle: noVehicle, permissions: null }],
			{ cursor: 'next-1' },
		],
		[
			'shape A, last page, snake_case IDs and an epoch time',
			{ connections: [{ id: 'c1', user_id: 'u1', vehicle_id: 'v1', connectedAt: 1736937000000 }], paging: { cursor: null } },
			[{ id: 'c1', userId: 'u1', vehicleId: 'v1', connectedAt: '2025-01-15T10:30:00.000Z', vehicle: noVehicle, permissions: null }],
			null,
		],
		['shape B (v3, JSON:API), with links.next', { data: [shapeB], links: { self: '/v3/connections', next: '/v3/connections?page[number]=2' } }, [itemB], { link: '/v3/connections?page[number]=2' }],
		['shape B, last page', { data: [shapeB], links: { next: null } }, [itemB], null],
		['neither shape', { items: [shapeB] }, [], null],
		['an empty page is the last, whatever its cursor', { connections: [], paging: { cursor: 'next-1' } }, [], null],
		['an empty page is the last, whatever its links.next', { data: [], links: { next: '/v3/connections?page[number]=2' } }, [], null],
	])('%s', (_case, body, items, next) => {
		expect(readConnectionsPage(body)).toEqual({ items, next });
	});
});

describe('connectionOf: one connection (GET /connections/{id})', () => {
	test.each([
		['wrapped in data', { data: shapeB }, itemB],
		['flat', shapeB, itemB],
		[
			'IDs only in the relationships, the user only in attributes',
			{ data: { id: 'c2', attributes: { user: { id: 'u2' } }, relationships: { vehicle: { data: { id: 'v2' } } } } },
			{ id: 'c2', userId: 'u2', vehicleId: 'v2', connectedAt: null, vehicle: noVehicle, permissions: null },
		],
		['nothing readable', 'not found', { id: '', userId: null, vehicleId: null, connectedAt: null, vehicle: noVehicle, permissions: null }],
	])('%s', (_case, body, expected) => {
		expect(connectionOf(body)).toEqual(expected);
	});
});
