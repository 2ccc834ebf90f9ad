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

/** Text Smartcar sends either as itself or wrapped as `{[key]: text}`, e.g. a status `{value: "SUCCESS"}`. */
export function textIn(value: unknown, key: string): string | undefined {
	return isRecord(value) ? asString(value[key]) : asString(value);
}

/** A response header's value (n8n gives lowercase names; a repeated header's first value); undefined when absent. */
export function headerValue(headers: JsonRecord | undefined, name: string): string | undefined {
	const value = headers?.[name];
	return Array.isArray(value) ? asString(value[0]) : asString(value);
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

/**
 * Keys that must never be copied from untrusted JSON onto an object: assigning `__proto__` replaces the target's
 * prototype, and `constructor`/`prototype` shadow what code expects there. The same set n8n's own deepCopy drops.
 */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether `key` may be used as a property name for data from Smartcar (`obj[key] = …`). */
export function isSafeKey(key: string): boolean {
	return !UNSAFE_KEYS.has(key);
}

type Container = JsonRecord | unknown[];

/**
 * A copy of parsed JSON whose objects are plain (prototype `Object.prototype`) and carry none of the unsafe keys, so
 * a payload's `"__proto__"` never becomes a prototype or an inherited property anywhere downstream. Copies
 * iteratively (a payload nested thousands deep does not overflow the stack). Meant for JSON data (no cycles);
 * non-array objects are copied by their own enumerable keys.
 */
export function toSafeJson(value: unknown): JsonValue {
	if (value === null || typeof value !== 'object') return value as JsonValue;
	const emptyLike = (source: object): Container => (Array.isArray(source) ? [] : {});
	const root = emptyLike(value);
	const pending: Array<[object, Container]> = [[value, root]];
	for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
		const [source, target] = next;
		const entries: Array<[string | number, unknown]> = Array.isArray(source)
			? source.map((child, index): [number, unknown] => [index, child])
			: Object.entries(source).filter(([key]) => isSafeKey(key));
		for (const [key, child] of entries) {
			const copy = child !== null && typeof child === 'object' ? emptyLike(child) : child;
			if (Array.isArray(target)) target.push(copy);
			else target[key] = copy;
			if (copy !== child) pending.push([child as object, copy as Container]);
		}
	}
	return root as JsonValue;
}
