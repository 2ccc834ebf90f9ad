import type { IDataObject } from 'n8n-workflow';

/** Small readers for the untyped JSON Smartcar sends: each returns a typed value or a neutral default. */

export type JsonRecord = Record<string, unknown>;

/** Any value an n8n item's JSON may hold. */
export type JsonValue = IDataObject[string];

export function isRecord(value: unknown): value is JsonRecord {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function asRecord(value: unknown): JsonRecord {
	return isRecord(value) ? value : {};
}

export function asString(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

export function asArray(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

/** Removes keys whose value is `undefined`, so output items carry no empty placeholders. */
export function compact<T extends JsonRecord>(record: T): T {
	for (const key of Object.keys(record)) {
		if (record[key] === undefined) delete record[key];
	}
	return record;
}

/** A model year as a number (Smartcar sends numbers, some payloads strings); null when absent or not a number. */
export function toYear(value: unknown): number | null {
	if (value === undefined || value === null || value === '') return null;
	const year = Number(value);
	return Number.isNaN(year) ? null : year;
}

/**
 * Smartcar sends ISO strings in real traffic and epoch numbers (milliseconds, sometimes seconds) in some docs
 * examples: both become ISO strings. Anything unparseable is passed through unchanged; absent becomes null.
 */
export function toIsoTimestamp(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	let date: Date | undefined;
	if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
		const n = Number(value);
		date = new Date(n < 1e11 ? n * 1000 : n);
	} else if (typeof value === 'string') {
		date = new Date(value);
	}
	if (date && !Number.isNaN(date.getTime())) return date.toISOString();
	return typeof value === 'string' ? value : null;
}
