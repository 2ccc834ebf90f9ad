/**
 * What a fleet is asked and what changes it: lookups (users, vehicles, connections, signals), signal values, the
 * effects of commands (lock, charge, charge limit), deleting a user, and the clock step that evolves every vehicle.
 */
import type { JsonObject } from './json';
import { hasFuel, isElectric, type Fleet, type SimConnection, type SimUser, type SimVehicle } from './fleet';
import { CODES, chargeLimitsBody, locationBody, round, type SimSignal } from './signals';

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
