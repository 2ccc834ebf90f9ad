/**
 * The simulator's data model: users, vehicles, connections and per-vehicle signals.
 * Ids are derived from a seed, so the same spec always produces the same fleet.
 */
import { createHash } from 'crypto';

import type { JsonObject } from './json';
import {
	CODES,
	chargeLimitsBody,
	locationBody,
	round,
	seedSignals,
	type SimSignal,
} from './signals';

export type PowertrainType = 'ICE' | 'BEV' | 'PHEV' | 'HEV';
export type VehicleMode = 'live' | 'simulated';
/** How a vehicle's signal meta timestamps are rendered: ISO strings (real traffic) or epoch ms (docs). */
export type TimestampForm = 'iso' | 'epoch';

export interface SimUser {
	id: string;
	name: string;
}

export interface SimVehicle {
	id: string;
	make: string;
	model: string;
	year: number;
	powertrainType: PowertrainType;
	mode: VehicleMode;
	vin: string;
	timestampForm: TimestampForm;
	signals: SimSignal[];
}

export interface SimConnection {
	id: string;
	userId: string;
	vehicleId: string;
	/** ISO timestamp. */
	connectedAt: string;
	/** ISO timestamp. */
	updatedAt: string;
	permissions: string[];
}

export interface Fleet {
	seed: string;
	users: SimUser[];
	vehicles: SimVehicle[];
	connections: SimConnection[];
	/** Number of tick() calls so far. */
	ticks: number;
}

export interface FleetUserSpec {
	id?: string;
	name?: string;
	vehicles: number;
	/** One powertrain for all of this user's vehicles, or a list used round-robin. */
	powertrain?: PowertrainType | PowertrainType[];
	mode?: VehicleMode;
}

export interface FleetSpec {
	/** Seed for ids and values (default "smartcar-simulator"). */
	seed?: string;
	users: FleetUserSpec[];
	/** Clock used for signal timestamps (default Date.now()). */
	now?: number;
	/** Which vehicles render meta timestamps as epoch ms: none, every third vehicle (default), or all. */
	epochTimestamps?: 'none' | 'some' | 'all';
}

export const MAX_FLEET_VEHICLES = 10_000;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIRST_CONNECTED_AT = Date.UTC(2025, 0, 15, 10, 30, 0);
const DEFAULT_POWERTRAINS: readonly PowertrainType[] = ['BEV', 'ICE', 'PHEV', 'BEV', 'HEV'];

interface ModelInfo {
	make: string;
	model: string;
	year: number;
}

const MODELS: Record<PowertrainType, readonly ModelInfo[]> = {
	BEV: [
		{ make: 'TESLA', model: 'Model 3', year: 2022 },
		{ make: 'POLESTAR', model: 'Polestar 2', year: 2024 },
		{ make: 'FORD', model: 'Mustang Mach-E', year: 2023 },
		{ make: 'HYUNDAI', model: 'Ioniq 5', year: 2023 },
	],
	ICE: [
		{ make: 'TOYOTA', model: 'Camry', year: 2020 },
		{ make: 'FORD', model: 'F-150', year: 2021 },
		{ make: 'HONDA', model: 'Civic', year: 2019 },
	],
	PHEV: [
		{ make: 'TOYOTA', model: 'RAV4 Prime', year: 2023 },
		{ make: 'VOLVO', model: 'XC60 Recharge', year: 2022 },
	],
	HEV: [{ make: 'TOYOTA', model: 'Prius', year: 2022 }],
};

const HOMES = [
	{ latitude: 37.7749, longitude: -122.4194 },
	{ latitude: 52.52, longitude: 13.405 },
	{ latitude: 43.6532, longitude: -79.3832 },
	{ latitude: 52.3676, longitude: 4.9041 },
];

const BASE_PERMISSIONS = [
	'read_vehicle_info',
	'read_vin',
	'read_location',
	'read_odometer',
	'read_security',
	'control_security',
	'read_tires',
	// The seeded cabin temperature and service records (signals.ts) need these; the simulator enforces permissions.
	'read_thermometer',
	'read_service_history',
];

/** A uuid-v4-shaped id derived from the given parts. */
export function seededUuid(...parts: Array<string | number>): string {
	const hex = createHash('sha256').update(parts.join(':')).digest('hex');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** mulberry32: a small deterministic PRNG, numbers in [0, 1) derived from the given parts. */
export function seededRandom(...parts: Array<string | number>): () => number {
	let state = parseInt(createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 8), 16);
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

function seededVin(...parts: Array<string | number>): string {
	const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
	const bytes = createHash('sha256').update(parts.join(':')).digest();
	return Array.from(bytes.subarray(0, 17), (byte) => alphabet[byte % alphabet.length]).join('');
}

export function isElectric(vehicle: Pick<SimVehicle, 'powertrainType'>): boolean {
	return vehicle.powertrainType === 'BEV' || vehicle.powertrainType === 'PHEV';
}

export function hasFuel(vehicle: Pick<SimVehicle, 'powertrainType'>): boolean {
	return vehicle.powertrainType !== 'BEV';
}

function permissionsFor(powertrainType: PowertrainType): string[] {
	const electric = isElectric({ powertrainType }) ? ['read_battery', 'read_charge', 'control_charge'] : [];
	const fuel = hasFuel({ powertrainType }) ? ['read_fuel'] : [];
	return [...BASE_PERMISSIONS, ...electric, ...fuel];
}

function pickPowertrain(spec: FleetUserSpec, indexInUser: number, globalIndex: number): PowertrainType {
	if (Array.isArray(spec.powertrain) && spec.powertrain.length > 0) {
		return spec.powertrain[indexInUser % spec.powertrain.length];
	}
	if (typeof spec.powertrain === 'string') return spec.powertrain;
	return DEFAULT_POWERTRAINS[globalIndex % DEFAULT_POWERTRAINS.length];
}

function timestampFormFor(globalIndex: number, setting: FleetSpec['epochTimestamps']): TimestampForm {
	if (setting === 'all') return 'epoch';
	if (setting === 'none') return 'iso';
	return globalIndex % 3 === 2 ? 'epoch' : 'iso';
}

interface VehicleContext {
	seed: string;
	globalIndex: number;
	/** How many vehicles with this powertrain came before (picks the model). */
	modelIndex: number;
	powertrainType: PowertrainType;
	mode: VehicleMode;
	timestampForm: TimestampForm;
	now: number;
}

function createVehicle(context: VehicleContext): SimVehicle {
	const { seed, globalIndex, powertrainType, now } = context;
	const models = MODELS[powertrainType];
	const model = models[context.modelIndex % models.length];
	const vin = seededVin(seed, 'vin', globalIndex);
	const random = seededRandom(seed, 'signals', globalIndex);
	const home = HOMES[globalIndex % HOMES.length];
	const signals = seedSignals({
		vin,
		electric: isElectric({ powertrainType }),
		fuel: hasFuel({ powertrainType }),
		kmPerPercent: powertrainType === 'BEV' ? 4.5 : 0.6,
		now,
		random,
		home: {
			latitude: home.latitude + (random() - 0.5) * 0.05,
			longitude: home.longitude + (random() - 0.5) * 0.05,
		},
	});
	return {
		id: seededUuid(seed, 'vehicle', globalIndex),
		...model,
		powertrainType,
		mode: context.mode,
		vin,
		timestampForm: context.timestampForm,
		signals,
	};
}

function createConnection(seed: string, globalIndex: number, user: SimUser, vehicle: SimVehicle): SimConnection {
	const connectedAt = FIRST_CONNECTED_AT + globalIndex * HOUR;
	return {
		id: seededUuid(seed, 'connection', globalIndex),
		userId: user.id,
		vehicleId: vehicle.id,
		connectedAt: new Date(connectedAt).toISOString(),
		updatedAt: new Date(connectedAt + 30 * DAY).toISOString(),
		permissions: permissionsFor(vehicle.powertrainType),
	};
}

/** Builds a deterministic fleet: each user gets `vehicles` new vehicles, each with one connection. */
export function createFleet(spec: FleetSpec): Fleet {
	const seed = spec.seed ?? 'smartcar-simulator';
	const now = spec.now ?? Date.now();
	const total = spec.users.reduce((sum, user) => sum + user.vehicles, 0);
	if (total > MAX_FLEET_VEHICLES) throw new Error(`A simulated fleet is limited to ${MAX_FLEET_VEHICLES} vehicles`);
	const fleet: Fleet = { seed, users: [], vehicles: [], connections: [], ticks: 0 };
	const modelCounts: Record<PowertrainType, number> = { ICE: 0, BEV: 0, PHEV: 0, HEV: 0 };
	spec.users.forEach((userSpec, userIndex) => {
		const user: SimUser = {
			id: userSpec.id ?? seededUuid(seed, 'user', userIndex),
			name: userSpec.name ?? `User ${userIndex + 1}`,
		};
		fleet.users.push(user);
		for (let indexInUser = 0; indexInUser < userSpec.vehicles; indexInUser += 1) {
			const globalIndex = fleet.vehicles.length;
			const powertrainType = pickPowertrain(userSpec, indexInUser, globalIndex);
			const vehicle = createVehicle({
				seed,
				globalIndex,
				modelIndex: modelCounts[powertrainType]++,
				powertrainType,
				mode: userSpec.mode ?? 'live',
				timestampForm: timestampFormFor(globalIndex, spec.epochTimestamps),
				now,
			});
			fleet.vehicles.push(vehicle);
			fleet.connections.push(createConnection(seed, globalIndex, user, vehicle));
		}
	});
	return fleet;
}

/** Four users, eight vehicles (five with a traction battery, four with fuel), one user in simulated mode. */
export function demoFleet(now?: number): Fleet {
	return createFleet({
		seed: 'demo',
		now,
		users: [
			{ name: 'Alice (two EVs)', vehicles: 2, powertrain: 'BEV' },
			{ name: 'Bob (mixed household)', vehicles: 3, powertrain: ['ICE', 'PHEV', 'BEV'] },
			{ name: 'Carol (simulated mode)', vehicles: 2, powertrain: ['HEV', 'BEV'], mode: 'simulated' },
			{ name: 'Dan (fuel only)', vehicles: 1, powertrain: 'ICE' },
		],
	});
}

// ---------------------------------------------------------------------------------------------
// Lookups

export function findUser(fleet: Fleet, userId: string): SimUser | undefined {
	return fleet.users.find((user) => user.id === userId);
}

export function findVehicle(fleet: Fleet, vehicleId: string): SimVehicle | undefined {
	return fleet.vehicles.find((vehicle) => vehicle.id === vehicleId);
}

export function findConnection(fleet: Fleet, connectionId: string): SimConnection | undefined {
	return fleet.connections.find((connection) => connection.id === connectionId);
}

export function findSignal(vehicle: SimVehicle, code: string): SimSignal | undefined {
	return vehicle.signals.find((signal) => signal.code === code);
}

export function isConnected(fleet: Fleet, userId: string, vehicleId: string): boolean {
	return fleet.connections.some((c) => c.userId === userId && c.vehicleId === vehicleId);
}

/** The user of the vehicle's oldest connection, if any. */
export function ownerOf(fleet: Fleet, vehicleId: string): SimUser | undefined {
	const connection = fleet.connections.find((c) => c.vehicleId === vehicleId);
	return connection ? findUser(fleet, connection.userId) : undefined;
}

export function vehiclesOf(fleet: Fleet, userId: string): SimVehicle[] {
	const ids = new Set(fleet.connections.filter((c) => c.userId === userId).map((c) => c.vehicleId));
	return fleet.vehicles.filter((vehicle) => ids.has(vehicle.id));
}

/** Removes a user and all of that user's connections. Returns false when the user does not exist. */
export function deleteUser(fleet: Fleet, userId: string): boolean {
	if (!findUser(fleet, userId)) return false;
	fleet.users = fleet.users.filter((user) => user.id !== userId);
	fleet.connections = fleet.connections.filter((connection) => connection.userId !== userId);
	return true;
}

// ---------------------------------------------------------------------------------------------
// State changes (commands and tick)

/** Replaces a SUCCESS signal's body and marks it fresh. ERROR/UNAVAILABLE signals stay stale. */
export function updateSignal(vehicle: SimVehicle, code: string, body: JsonObject, now = Date.now()): void {
	const signal = findSignal(vehicle, code);
	if (!signal || signal.status.value !== 'SUCCESS') return;
	signal.body = body;
	signal.retrievedAt = now;
	signal.oemUpdatedAt = now - 2_000;
}

export function numberValue(vehicle: SimVehicle, code: string): number | undefined {
	const value = findSignal(vehicle, code)?.body?.value;
	return typeof value === 'number' ? value : undefined;
}

export function booleanValue(vehicle: SimVehicle, code: string): boolean | undefined {
	const value = findSignal(vehicle, code)?.body?.value;
	return typeof value === 'boolean' ? value : undefined;
}

export function chargeLimit(vehicle: SimVehicle): number {
	const limit = findSignal(vehicle, CODES.chargeLimits)?.body?.activeLimit;
	return typeof limit === 'number' ? limit : 100;
}

export function setLocked(vehicle: SimVehicle, locked: boolean, now = Date.now()): void {
	updateSignal(vehicle, CODES.isLocked, { value: locked }, now);
}

export function setCharging(vehicle: SimVehicle, charging: boolean, now = Date.now()): void {
	updateSignal(vehicle, CODES.isCharging, { value: charging }, now);
	updateSignal(vehicle, CODES.chargingStatus, { value: charging ? 'CHARGING' : 'NOT_CHARGING' }, now);
	if (charging) updateSignal(vehicle, CODES.gear, { value: 'PARK' }, now);
}

export function setChargeLimit(vehicle: SimVehicle, percent: number, now = Date.now()): void {
	updateSignal(vehicle, CODES.chargeLimits, chargeLimitsBody(percent), now);
}

function setStateOfCharge(vehicle: SimVehicle, soc: number, now: number): void {
	const kmPerPercent = vehicle.powertrainType === 'BEV' ? 4.5 : 0.6;
	updateSignal(vehicle, CODES.soc, { value: soc, unit: 'percent' }, now);
	updateSignal(vehicle, CODES.evRange, { value: round(soc * kmPerPercent), unit: 'km' }, now);
}

function tickBattery(vehicle: SimVehicle, charging: boolean, now: number): void {
	const soc = numberValue(vehicle, CODES.soc);
	if (soc === undefined) return;
	if (charging) {
		const limit = chargeLimit(vehicle);
		const next = Math.min(limit, soc + 3);
		setStateOfCharge(vehicle, next, now);
		if (next >= limit) {
			setCharging(vehicle, false, now);
			updateSignal(vehicle, CODES.chargingStatus, { value: 'FULLY_CHARGED' }, now);
		}
		return;
	}
	const next = Math.max(0, soc - 1);
	setStateOfCharge(vehicle, next, now);
	if (next <= 20) setCharging(vehicle, true, now);
}

function tickFuel(vehicle: SimVehicle, now: number): void {
	const level = numberValue(vehicle, CODES.fuelLevel);
	if (level === undefined) return;
	const next = level - 0.5 < 10 ? 95 : round(level - 0.5);
	updateSignal(vehicle, CODES.fuelLevel, { value: next, unit: 'percent' }, now);
	updateSignal(vehicle, CODES.fuelRange, { value: round(next * 6.5), unit: 'km' }, now);
	updateSignal(vehicle, CODES.fuelAmount, { value: round(next * 0.5), unit: 'liters' }, now);
}

function drive(vehicle: SimVehicle, now: number): void {
	const distanceKm = 3;
	const odometer = numberValue(vehicle, CODES.odometer) ?? 0;
	updateSignal(vehicle, CODES.odometer, { value: round(odometer + distanceKm), unit: 'km' }, now);
	updateSignal(vehicle, CODES.gear, { value: 'DRIVE' }, now);
	const location = findSignal(vehicle, CODES.location)?.body;
	const latitude = typeof location?.latitude === 'number' ? location.latitude : 0;
	const longitude = typeof location?.longitude === 'number' ? location.longitude : 0;
	const heading = ((typeof location?.heading === 'number' ? location.heading : 0) + 20) % 360;
	const radians = (heading * Math.PI) / 180;
	const nextLatitude = latitude + (distanceKm / 111) * Math.cos(radians);
	const nextLongitude = longitude + (distanceKm / (111 * Math.cos((latitude * Math.PI) / 180))) * Math.sin(radians);
	updateSignal(vehicle, CODES.location, locationBody(nextLatitude, nextLongitude, heading, true), now);
}

function tickVehicle(vehicle: SimVehicle, now: number): void {
	const charging = booleanValue(vehicle, CODES.isCharging) === true;
	if (isElectric(vehicle)) tickBattery(vehicle, charging, now);
	if (charging) return;
	if (hasFuel(vehicle)) tickFuel(vehicle, now);
	drive(vehicle, now);
}

/** Evolves every vehicle one step: EVs drain or charge, fuel drains, odometers grow, cars move. */
export function tick(fleet: Fleet, now = Date.now()): void {
	fleet.ticks += 1;
	for (const vehicle of fleet.vehicles) tickVehicle(vehicle, now);
}
