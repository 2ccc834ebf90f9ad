/**
 * Smartcar's Connect permissions (the `scope` of a Connect link): what each allows, which of this package's operations
 * and which signals need it, and which permission a Vehicle API request needs. Signal codes map by their group
 * (`<group>-<name>`), following Smartcar's permission list: a group whose permission Smartcar does not document is
 * left out, so no error ever names a permission it is not sure of.
 */

export interface SmartcarPermission {
	/** The scope value sent to Connect, e.g. `read_battery`. */
	value: string;
	/** Title case, as the editor shows it. */
	name: string;
	/** What the driver allows, and which operations or signals need it. */
	description: string;
}

/** Every permission Connect → Get Authorization URL offers, in the editor's (alphabetical) order. */
export const PERMISSIONS: readonly SmartcarPermission[] = [
	{
		value: 'control_charge',
		name: 'Control Charge',
		description: 'Start and stop charging and set the charge limit. Needed by Command → Start Charge, Stop Charge and Set Charge Limit.',
	},
	{ value: 'control_climate', name: 'Control Climate', description: 'Change the cabin climate settings. No operation of this node needs it.' },
	{
		value: 'control_navigation',
		name: 'Control Navigation',
		description: 'Send a destination to the vehicle\'s navigation. No operation of this node needs it.',
	},
	{ value: 'control_security', name: 'Control Security', description: 'Lock and unlock the doors. Needed by Command → Lock and Unlock.' },
	{ value: 'control_trunk', name: 'Control Trunk', description: 'Open and close the trunk. No operation of this node needs it.' },
	{ value: 'read_alerts', name: 'Read Alerts', description: 'Alerts the vehicle raises. No operation of this node needs it.' },
	{
		value: 'read_battery',
		name: 'Read Battery',
		description: 'EV battery level, range and capacity: the tractionbattery-… signals (State of Charge, Range, Nominal Capacity)',
	},
	{
		value: 'read_charge',
		name: 'Read Charge',
		description: 'Charging state, limits and rate: the charge-… signals (Is Charging, Charge Limits, Detailed Charging Status…)',
	},
	{ value: 'read_charge_events', name: 'Read Charge Events', description: 'Charging sessions and events. No operation of this node needs it.' },
	{ value: 'read_climate', name: 'Read Climate', description: 'Climate control (HVAC) state and settings: the hvac-… signals' },
	{ value: 'read_compass', name: 'Read Compass', description: 'The direction the vehicle is heading' },
	{ value: 'read_diagnostics', name: 'Read Diagnostics', description: 'Diagnostic trouble codes and system status: the diagnostics-… signals' },
	{ value: 'read_engine_oil', name: 'Read Engine Oil', description: 'Engine oil life: the signal internalcombustionengine-oillife' },
	{
		value: 'read_extended_vehicle_info',
		name: 'Read Extended Vehicle Info',
		description: 'Vehicle details beyond make, model and year',
	},
	{
		value: 'read_fuel',
		name: 'Read Fuel',
		description:
			'Fuel level and range: the signals internalcombustionengine-fuellevel, internalcombustionengine-range and internalcombustionengine-amountremaining',
	},
	{ value: 'read_location', name: 'Read Location', description: 'Where the vehicle is: the location-… signals (Precise Location)' },
	{ value: 'read_odometer', name: 'Read Odometer', description: 'Distance traveled: the signal odometer-traveleddistance' },
	{
		value: 'read_security',
		name: 'Read Security',
		description: 'Whether doors, windows and trunks are locked or open: the closure-… signals (Is Locked, Doors, Windows)',
	},
	{ value: 'read_service_history', name: 'Read Service History', description: 'Service records: the service-… signals' },
	{ value: 'read_speedometer', name: 'Read Speedometer', description: 'The vehicle\'s speed: the motion-… signals' },
	{
		value: 'read_thermometer',
		name: 'Read Thermometer',
		description: 'Inside and outside temperature: the signals climate-internaltemperature and climate-externaltemperature',
	},
	{ value: 'read_tires', name: 'Read Tires', description: 'Tire pressure: the signal wheel-tires' },
	{ value: 'read_user_profile', name: 'Read User Profile', description: 'The driver\'s profile with the automaker. No operation of this node needs it.' },
	{ value: 'read_vehicle_info', name: 'Read Vehicle Info', description: 'Make, model and year. Needed by Vehicle → Get.' },
	{ value: 'read_vin', name: 'Read VIN', description: 'The vehicle identification number: the signal vehicleidentification-vin' },
];

/**
 * The permissions a new Connect link asks for (node version 2 on): every read the example workflows make — the
 * vehicle's make and model, battery, charge, fuel, location, odometer and lock state. Commands need their control_…
 * permission on top.
 */
export const DEFAULT_PERMISSIONS: readonly string[] = [
	'read_vehicle_info',
	'read_battery',
	'read_charge',
	'read_fuel',
	'read_location',
	'read_odometer',
	'read_security',
];

/** Signal code → permission: exact codes first, then the code's group (the part before the first "-"). */
const SIGNAL_CODES: Readonly<Record<string, string>> = {
	'internalcombustionengine-fuellevel': 'read_fuel',
	'internalcombustionengine-range': 'read_fuel',
	'internalcombustionengine-amountremaining': 'read_fuel',
	'internalcombustionengine-oillife': 'read_engine_oil',
	'climate-internaltemperature': 'read_thermometer',
	'climate-externaltemperature': 'read_thermometer',
	'vehicleidentification-vin': 'read_vin',
};

const SIGNAL_GROUPS: Readonly<Record<string, string>> = {
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

/** The permission a signal (lowercase code, e.g. `tractionbattery-stateofcharge`) needs; undefined when not known. */
export function permissionForSignal(code: string): string | undefined {
	const exact = SIGNAL_CODES[code];
	if (exact !== undefined) return exact;
	const group = code.split('-')[0];
	return Object.prototype.hasOwnProperty.call(SIGNAL_GROUPS, group) ? SIGNAL_GROUPS[group] : undefined;
}

const COMMANDS: Readonly<Record<string, string>> = {
	'security/lock': 'control_security',
	'security/unlock': 'control_security',
	'charge/start': 'control_charge',
	'charge/stop': 'control_charge',
	'charge/set-limit': 'control_charge',
};

/**
 * What a Vehicle API request needs, read from its path below the API's base URL: one permission (`permission`), or,
 * for the list of every signal, none in particular (`allSignals`). undefined for requests no permission governs
 * (connections, users) or that are not known.
 */
export function permissionForPath(path: string): { permission: string } | { allSignals: true } | undefined {
	const match = /\/vehicles\/[^/]+(?:\/(signals|commands)(?:\/(.+))?)?$/.exec(path);
	if (!match) return undefined;
	const [, kind, rest] = match;
	if (kind === undefined) return { permission: 'read_vehicle_info' };
	if (kind === 'signals' && rest === undefined) return { allSignals: true };
	const permission = kind === 'signals' ? permissionForSignal(decodeURIComponent(rest ?? '')) : COMMANDS[rest ?? ''];
	return permission === undefined ? undefined : { permission };
}

/** The editor's name of a permission ("Read Battery"), or the value itself when it is not listed. */
export function permissionName(value: string): string {
	return PERMISSIONS.find((permission) => permission.value === value)?.name ?? value;
}
