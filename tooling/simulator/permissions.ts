/**
 * Smartcar's permissions, as the simulator enforces them (its own table, not the package's): each connection holds
 * the permissions its user granted; a signal, a vehicle's attributes or a command the connection lacks the permission
 * for answers 403 PERMISSION, and the list of every signal marks those signals as PERMISSION errors.
 */
import { errorSpecs, type ErrorSpec } from './errors';
import type { Fleet, SimConnection } from './fleet';
import type { SignalError, SimSignal } from './signals';

/** Signal group (or exact code) → permission; signals whose permission Smartcar does not document are not checked. */
const BY_CODE: Record<string, string> = {
	'internalcombustionengine-fuellevel': 'read_fuel',
	'internalcombustionengine-range': 'read_fuel',
	'internalcombustionengine-amountremaining': 'read_fuel',
	'internalcombustionengine-oillife': 'read_engine_oil',
	'climate-internaltemperature': 'read_thermometer',
	'climate-externaltemperature': 'read_thermometer',
	'vehicleidentification-vin': 'read_vin',
};
const BY_GROUP: Record<string, string> = {
	tractionbattery: 'read_battery',
	charge: 'read_charge',
	location: 'read_location',
	odometer: 'read_odometer',
	closure: 'read_security',
	wheel: 'read_tires',
	hvac: 'read_climate',
	motion: 'read_speedometer',
	service: 'read_service_history',
	diagnostics: 'read_diagnostics',
};
const BY_COMMAND: Record<string, string> = {
	'security/lock': 'control_security',
	'security/unlock': 'control_security',
	'charge/start': 'control_charge',
	'charge/stop': 'control_charge',
	'charge/set-limit': 'control_charge',
};

export const VEHICLE_INFO_PERMISSION = 'read_vehicle_info';

export function signalPermission(code: string): string | undefined {
	return BY_CODE[code] ?? BY_GROUP[code.split('-')[0]];
}

export function commandPermission(command: string): string | undefined {
	return BY_COMMAND[command];
}

/** The connection a request reads through: the user's (sc-user-id), else the vehicle's oldest. */
function connectionOf(fleet: Fleet, userId: string | undefined, vehicleId: string): SimConnection | undefined {
	return fleet.connections.find((c) => c.vehicleId === vehicleId && (userId === undefined || c.userId === userId));
}

/** Whether the connection lacks `permission` (undefined: nothing to check, never lacking). */
export function lacksPermission(fleet: Fleet, userId: string | undefined, vehicleId: string, permission: string | undefined): boolean {
	if (permission === undefined) return false;
	const connection = connectionOf(fleet, userId, vehicleId);
	return connection !== undefined && !connection.permissions.includes(permission);
}

/** The 403 Smartcar answers for a request the connection has no permission for. */
export function permissionDenied(): ErrorSpec {
	return errorSpecs.permission();
}

const PERMISSION_SIGNAL_ERROR: SignalError = {
	type: 'PERMISSION',
	code: 'ACCESS_DENIED',
	title: 'Access Denied',
	detail: 'The user has not granted the permission required to read this signal.',
	description: 'Deprecated. Use detail',
	resolution: { type: 'REAUTHENTICATE' },
};

/** The signal as the list of every signal shows it to a connection without its permission: an error, no value. */
export function withoutPermission(signal: SimSignal): SimSignal {
	return { ...signal, status: { value: 'ERROR', error: { ...PERMISSION_SIGNAL_ERROR, resolution: { ...PERMISSION_SIGNAL_ERROR.resolution } } }, body: undefined };
}

/** Sets what a user granted for a vehicle (e.g. a driver who approved only some permissions); false when not connected. */
export function setPermissions(fleet: Fleet, userId: string, vehicleId: string, permissions: readonly string[]): boolean {
	const connection = fleet.connections.find((c) => c.userId === userId && c.vehicleId === vehicleId);
	if (!connection) return false;
	connection.permissions = [...permissions];
	return true;
}
