import type { IDataObject } from 'n8n-workflow';

import { asRecord, asString, toYear } from './values';

/**
 * The vehicle summary Smartcar sends in several places (a vehicle's attributes, a connection's `vehicle`, a
 * webhook's `data.vehicle`), read the same way everywhere.
 */

/** What every vehicle summary names: make, model and model year; null where Smartcar did not say. */
export interface VehicleSummary extends IDataObject {
	make: string | null;
	model: string | null;
	year: number | null;
}

/** A vehicle's attributes (`GET /vehicles/{id}`, a connection's vehicle): the summary, the mode and the powertrain. */
export interface VehicleAttributes extends VehicleSummary {
	mode: string | null;
	powertrainType: string | null;
}

/** Make, model and year (a year sent as text becomes a number). */
export function readVehicleSummary(raw: unknown): VehicleSummary {
	const vehicle = asRecord(raw);
	return {
		make: asString(vehicle.make) ?? null,
		model: asString(vehicle.model) ?? null,
		year: toYear(vehicle.year),
	};
}

/** The summary plus `mode` (live, simulated) and `powertrainType` (ICE, BEV, PHEV, HEV). */
export function readVehicleAttributes(raw: unknown): VehicleAttributes {
	const vehicle = asRecord(raw);
	return {
		...readVehicleSummary(vehicle),
		mode: asString(vehicle.mode) ?? null,
		powertrainType: asString(vehicle.powertrainType) ?? null,
	};
}

/** "2020 TESLA Model 3": the parts Smartcar sent, in that order; '' when it sent none. */
export function vehicleLabel({ year, make, model }: VehicleSummary): string {
	return [year, make, model].filter((part) => part !== null).join(' ');
}
