/**
 * The simulator's data model: users, vehicles, connections and per-vehicle signals.
 * Ids are derived from a seed, so the same spec always produces the same fleet.
 */
import { createHash } from 'crypto';

import { seedSignals, type SimSignal } from './signals';

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
