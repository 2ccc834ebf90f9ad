/**
 * Signal catalog and initial signal values for simulated vehicles.
 * Codes, names and groups follow Smartcar's v3 signal schema.
 */
import type { JsonObject } from './json';

export type SignalStatusValue = 'SUCCESS' | 'ERROR' | 'UNAVAILABLE';

export interface SignalError {
	type: string;
	code: string;
	title: string;
	detail: string;
	/** Deprecated by Smartcar ("Deprecated. Use detail") but still sent. */
	description: string;
	resolution: { type: string | null };
}

export interface SignalStatus {
	value: SignalStatusValue;
	error?: SignalError;
}

export interface SimSignal {
	code: string;
	name: string;
	group: string;
	status: SignalStatus;
	/** Absent for UNAVAILABLE signals; stale (but present) for ERROR signals. */
	body?: JsonObject;
	/** Epoch milliseconds; rendered as ISO or epoch depending on the vehicle. */
	retrievedAt: number;
	/** Epoch milliseconds. */
	oemUpdatedAt: number;
}

export interface SignalDefinition {
	code: string;
	name: string;
	group: string;
}

export const CODES = {
	soc: 'tractionbattery-stateofcharge',
	evRange: 'tractionbattery-range',
	isCharging: 'charge-ischarging',
	chargeLimits: 'charge-chargelimits',
	chargingStatus: 'charge-detailedchargingstatus',
	odometer: 'odometer-traveleddistance',
	location: 'location-preciselocation',
	isLocked: 'closure-islocked',
	tires: 'wheel-tires',
	vin: 'vehicleidentification-vin',
	isOnline: 'connectivitystatus-isonline',
	lowVoltageSoc: 'lowvoltagebattery-stateofcharge',
	gear: 'transmission-gearstate',
	cabinTemperature: 'climate-internaltemperature',
	serviceRecords: 'service-records',
	fuelLevel: 'internalcombustionengine-fuellevel',
	fuelRange: 'internalcombustionengine-range',
	fuelAmount: 'internalcombustionengine-amountremaining',
} as const;

const DEFINITIONS: readonly SignalDefinition[] = [
	{ code: CODES.soc, name: 'StateOfCharge', group: 'TractionBattery' },
	{ code: CODES.evRange, name: 'Range', group: 'TractionBattery' },
	{ code: CODES.isCharging, name: 'IsCharging', group: 'Charge' },
	{ code: CODES.chargeLimits, name: 'ChargeLimits', group: 'Charge' },
	{ code: CODES.chargingStatus, name: 'DetailedChargingStatus', group: 'Charge' },
	{ code: CODES.odometer, name: 'TraveledDistance', group: 'Odometer' },
	{ code: CODES.location, name: 'PreciseLocation', group: 'Location' },
	{ code: CODES.isLocked, name: 'IsLocked', group: 'Closure' },
	{ code: CODES.tires, name: 'Tires', group: 'Wheel' },
	{ code: CODES.vin, name: 'VIN', group: 'VehicleIdentification' },
	{ code: CODES.isOnline, name: 'IsOnline', group: 'ConnectivityStatus' },
	{ code: CODES.lowVoltageSoc, name: 'StateOfCharge', group: 'LowVoltageBattery' },
	{ code: CODES.gear, name: 'GearState', group: 'Transmission' },
	{ code: CODES.cabinTemperature, name: 'InternalTemperature', group: 'Climate' },
	{ code: CODES.serviceRecords, name: 'Records', group: 'Service' },
	{ code: CODES.fuelLevel, name: 'FuelLevel', group: 'InternalCombustionEngine' },
	{ code: CODES.fuelRange, name: 'Range', group: 'InternalCombustionEngine' },
	{ code: CODES.fuelAmount, name: 'AmountRemaining', group: 'InternalCombustionEngine' },
];

const BY_CODE = new Map(DEFINITIONS.map((definition) => [definition.code, definition]));

export function signalDefinition(code: string): SignalDefinition {
	const definition = BY_CODE.get(code);
	if (!definition) throw new Error(`Unknown signal code in simulator catalog: ${code}`);
	return definition;
}

/** "Group.Name", the legacy string form used in some webhook payloads. */
export function dottedSignalName(signal: SignalDefinition): string {
	return `${signal.group}.${signal.name}`;
}

/** Seeded values that decide a vehicle's initial state. */
export interface SignalSeed {
	vin: string;
	electric: boolean;
	fuel: boolean;
	/** Kilometres of range per percent of battery. */
	kmPerPercent: number;
	now: number;
	/** Deterministic pseudo-random number in [0, 1). */
	random: () => number;
	home: { latitude: number; longitude: number };
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const UNREACHABLE_ERROR: SignalError = {
	type: 'VEHICLE_STATE',
	code: 'UNREACHABLE',
	title: 'Vehicle Unreachable',
	detail: 'The vehicle was unreachable when this signal was last requested.',
	description: 'Deprecated. Use detail',
	resolution: { type: 'RETRY_LATER' },
};

export function round(value: number, decimals = 1): number {
	const factor = 10 ** decimals;
	return Math.round(value * factor) / factor;
}

export function headingToDirection(heading: number): string {
	const directions = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'];
	const index = Math.round((((heading % 360) + 360) % 360) / 45) % directions.length;
	return directions[index];
}

function ok(code: string, body: JsonObject, seed: SignalSeed): SimSignal {
	const definition = signalDefinition(code);
	return {
		...definition,
		status: { value: 'SUCCESS' },
		body,
		retrievedAt: seed.now - Math.floor(seed.random() * 30_000),
		oemUpdatedAt: seed.now - MINUTE - Math.floor(seed.random() * 10 * MINUTE),
	};
}

function failed(code: string, staleBody: JsonObject, seed: SignalSeed): SimSignal {
	return {
		...signalDefinition(code),
		status: { value: 'ERROR', error: { ...UNREACHABLE_ERROR, resolution: { ...UNREACHABLE_ERROR.resolution } } },
		body: staleBody,
		retrievedAt: seed.now - 2 * DAY,
		oemUpdatedAt: seed.now - 2 * DAY - 5 * MINUTE,
	};
}

function unavailable(code: string, seed: SignalSeed): SimSignal {
	return { ...signalDefinition(code), status: { value: 'UNAVAILABLE' }, retrievedAt: seed.now, oemUpdatedAt: seed.now };
}

export function locationBody(latitude: number, longitude: number, heading: number, moving: boolean): JsonObject {
	return {
		latitude: round(latitude, 6),
		longitude: round(longitude, 6),
		heading: Math.round(heading),
		direction: headingToDirection(heading),
		locationType: moving ? 'CURRENT' : 'LAST_PARKED',
	};
}

export function chargeLimitsBody(limit: number): JsonObject {
	return { activeLimit: limit, values: [{ type: 'GLOBAL', limit, condition: null }] };
}

function tiresBody(seed: SignalSeed): JsonObject {
	const positions = [
		[0, 0],
		[0, 1],
		[1, 0],
		[1, 1],
	];
	const values = positions.map(([row, column]) => ({
		row,
		column,
		tirePressure: 230 + Math.round(seed.random() * 25),
	}));
	return { values, rowCount: 2, columnCount: 2, unit: 'kilopascals' };
}

function commonSignals(seed: SignalSeed): SimSignal[] {
	const heading = Math.round(seed.random() * 359);
	return [
		ok(CODES.vin, { value: seed.vin }, seed),
		ok(CODES.odometer, { value: round(5_000 + seed.random() * 75_000), unit: 'km' }, seed),
		ok(CODES.location, locationBody(seed.home.latitude, seed.home.longitude, heading, false), seed),
		ok(CODES.isLocked, { value: true }, seed),
		ok(CODES.tires, tiresBody(seed), seed),
		ok(CODES.isOnline, { value: true }, seed),
		ok(CODES.lowVoltageSoc, { value: 80 + Math.round(seed.random() * 15), unit: 'percent' }, seed),
		ok(CODES.gear, { value: 'PARK' }, seed),
		failed(CODES.cabinTemperature, { value: round(18 + seed.random() * 6), unit: 'degrees-celsius' }, seed),
		unavailable(CODES.serviceRecords, seed),
	];
}

function electricSignals(seed: SignalSeed): SimSignal[] {
	const soc = 40 + Math.round(seed.random() * 50);
	return [
		ok(CODES.soc, { value: soc, unit: 'percent' }, seed),
		ok(CODES.evRange, { value: round(soc * seed.kmPerPercent), unit: 'km' }, seed),
		ok(CODES.isCharging, { value: false }, seed),
		ok(CODES.chargeLimits, chargeLimitsBody(80), seed),
		ok(CODES.chargingStatus, { value: 'NOT_CHARGING' }, seed),
	];
}

function fuelSignals(seed: SignalSeed): SimSignal[] {
	const level = 30 + Math.round(seed.random() * 60);
	return [
		ok(CODES.fuelLevel, { value: level, unit: 'percent' }, seed),
		ok(CODES.fuelRange, { value: round(level * 6.5), unit: 'km' }, seed),
		ok(CODES.fuelAmount, { value: round(level * 0.5), unit: 'liters' }, seed),
	];
}

/** Electric signals first (most interesting), then fuel, then the common ones. */
export function seedSignals(seed: SignalSeed): SimSignal[] {
	return [
		...(seed.electric ? electricSignals(seed) : []),
		...(seed.fuel ? fuelSignals(seed) : []),
		...commonSignals(seed),
	];
}
