/**
 * Renders fleet objects as Smartcar v3 JSON:API resources, as in Smartcar's Vehicle API v3 reference.
 */
import type { Fleet, SimConnection, SimVehicle, TimestampForm } from './fleet';
import { findVehicle } from './fleet-state';
import type { JsonObject, JsonValue } from './json';
import type { SignalStatus, SimSignal } from './signals';

export function renderTimestamp(epochMs: number, form: TimestampForm): JsonValue {
	return form === 'epoch' ? epochMs : new Date(epochMs).toISOString();
}

export function vehicleAttributes(vehicle: SimVehicle): JsonObject {
	return {
		make: vehicle.make,
		model: vehicle.model,
		year: vehicle.year,
		powertrainType: vehicle.powertrainType,
		mode: vehicle.mode,
	};
}

export function vehicleDocument(vehicle: SimVehicle, apiBaseUrl: string): JsonObject {
	return {
		data: {
			id: vehicle.id,
			type: 'vehicle',
			attributes: vehicleAttributes(vehicle),
			links: { self: `${apiBaseUrl}/vehicles/${vehicle.id}` },
		},
	};
}

export function includedVehicle(vehicle: SimVehicle): JsonObject {
	return { vehicle: { id: vehicle.id, type: 'vehicle', attributes: vehicleAttributes(vehicle) } };
}

export function renderStatus(status: SignalStatus): JsonObject {
	if (!status.error) return { value: status.value };
	const { error } = status;
	return {
		value: status.value,
		error: {
			type: error.type,
			code: error.code,
			title: error.title,
			detail: error.detail,
			description: error.description,
			resolution: { type: error.resolution.type },
		},
	};
}

export function signalResource(vehicle: SimVehicle, signal: SimSignal, apiBaseUrl: string): JsonObject {
	const attributes: JsonObject = {
		code: signal.code,
		name: signal.name,
		group: signal.group,
		status: renderStatus(signal.status),
	};
	if (signal.body) attributes.body = signal.body;
	return {
		id: signal.code,
		type: 'signal',
		attributes,
		meta: {
			retrievedAt: renderTimestamp(signal.retrievedAt, vehicle.timestampForm),
			oemUpdatedAt: renderTimestamp(signal.oemUpdatedAt, vehicle.timestampForm),
		},
		links: { self: `${apiBaseUrl}/vehicles/${vehicle.id}/signals/${signal.code}` },
	};
}

/** Shape A item (API Authentication setup guide). */
export function connectionItemShapeA(connection: SimConnection): JsonObject {
	return {
		id: connection.id,
		userId: connection.userId,
		vehicleId: connection.vehicleId,
		connectedAt: connection.connectedAt,
	};
}

/** Shape B item (v3 reference and real traffic). */
export function connectionResource(fleet: Fleet, connection: SimConnection, apiBaseUrl: string): JsonObject {
	const vehicle = findVehicle(fleet, connection.vehicleId);
	const vehicleInfo: JsonObject = vehicle
		? {
				make: vehicle.make,
				model: vehicle.model,
				year: vehicle.year,
				mode: vehicle.mode,
				powertrainType: vehicle.powertrainType,
			}
		: {};
	return {
		id: connection.id,
		type: 'connection',
		attributes: {
			permissions: [...connection.permissions],
			vehicle: vehicleInfo,
			user: { id: connection.userId },
		},
		relationships: {
			vehicle: {
				data: { id: connection.vehicleId, type: 'vehicle' },
				links: { related: `${apiBaseUrl}/vehicles/${connection.vehicleId}` },
			},
			user: { data: { id: connection.userId, type: 'user' } },
		},
		meta: { createdAt: connection.connectedAt, updatedAt: connection.updatedAt },
		links: { self: `${apiBaseUrl}/connections/${connection.id}` },
	};
}
