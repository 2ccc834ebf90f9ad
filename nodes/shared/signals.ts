import type { IDataObject } from 'n8n-workflow';

import { readErrorObject } from './error-object';
import { attributesOf, nextLink, resourceList } from './json-api';
import type { Page } from './transport';
import { asArray, asRecord, asString, compact, isRecord, isSafeKey, textIn, toIsoTimestamp, toSafeJson, type JsonValue } from './values';

/**
 * Smartcar signals, whatever form they come in — a v3 API resource (list item, flat single signal or wrapped in
 * `data`), or a webhook signal (`{code, name, group, body, meta}`, with or without `status`) — become one flat item.
 * Both the Smartcar node and the Smartcar Trigger use this module.
 */

interface SignalError extends IDataObject {
	type: string | null;
	code: string | null;
	title: string | null;
	detail: string | null;
	resolution: string | null;
}

export interface NormalizedSignal extends IDataObject {
	vehicleId: string | null;
	code: string;
	name: string | null;
	group: string | null;
	value: JsonValue;
	unit: string | null;
	status: string;
	error?: SignalError;
	/** On an ERROR signal, the last value Smartcar still sent: kept, but never presented as current. */
	staleValue?: JsonValue;
	retrievedAt: string | null;
	oemUpdatedAt: string | null;
}

const CODE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;
const DOTTED_PATTERN = /^([A-Za-z0-9]+)\.([A-Za-z0-9]+)$/;

/**
 * Accepts a signal code (`tractionbattery-stateofcharge`) or Smartcar's dotted name (`TractionBattery.StateOfCharge`)
 * and returns the code, or `undefined` when the input is neither.
 */
export function toSignalCode(input: string): string | undefined {
	const trimmed = input.trim();
	const candidate = dottedName(trimmed)?.code ?? trimmed.toLowerCase();
	return CODE_PATTERN.test(candidate) ? candidate : undefined;
}

interface SignalReference {
	code: string | null;
	name: string | null;
	group: string | null;
}

/** Smartcar's dotted name (`TractionBattery.StateOfCharge`) as code, name and group; undefined for other text. */
function dottedName(text: string): SignalReference | undefined {
	const dotted = DOTTED_PATTERN.exec(text.trim());
	return dotted ? { code: `${dotted[1]}-${dotted[2]}`.toLowerCase(), name: dotted[2], group: dotted[1] } : undefined;
}

/**
 * A signal named as `{code, name, group}`, as `"Group.Name"`, or wrapped once as `{type, signal: …}` (webhook
 * triggers and error lists). Deeper nesting is not Smartcar's and is not followed.
 */
export function signalReference(raw: unknown, depth = 0): SignalReference {
	if (typeof raw === 'string') return dottedName(raw) ?? { code: toSignalCode(raw) ?? raw, name: null, group: null };
	const ref = asRecord(raw);
	const nested =
		depth < 2 && (isRecord(ref.signal) || typeof ref.signal === 'string')
			? signalReference(ref.signal, depth + 1)
			: undefined;
	if (nested) return nested;
	return {
		code: asString(ref.code) ?? null,
		name: asString(ref.name) ?? null,
		group: asString(ref.group) ?? null,
	};
}

/**
 * `{value, unit}` → the value; `{values, unit}` → the list; any other body (location, charge limits with
 * `activeLimit` beside `values`, …) → an object with all its fields but the unit, so nothing Smartcar sent is lost.
 * Values are copied with `toSafeJson`: keys like `__proto__` in a body never reach an output item.
 */
function splitBody(body: unknown): { value: JsonValue; unit: string | null } {
	if (body === undefined || body === null) return { value: null, unit: null };
	if (!isRecord(body)) return { value: toSafeJson(body), unit: null };
	const unit = asString(body.unit) ?? null;
	const fields: IDataObject = {};
	for (const [key, value] of Object.entries(body)) {
		if (key !== 'unit' && isSafeKey(key)) fields[key] = toSafeJson(value);
	}
	const keys = Object.keys(fields);
	if (keys.length === 1 && keys[0] === 'value') return { value: fields.value, unit };
	if (keys.length === 1 && keys[0] === 'values') return { value: fields.values, unit };
	return { value: fields, unit };
}

/** The `status.error` of a signal that failed, as the item's `error`. */
function signalError(status: unknown): SignalError {
	const error = readErrorObject(asRecord(status).error);
	return {
		type: error.type ?? null,
		code: error.code ?? null,
		title: error.title ?? null,
		detail: error.detail ?? error.description ?? null,
		resolution: error.resolution ?? null,
	};
}

/**
 * A signal as one flat item. Its status is `status.value` (or a plain `status`), else SUCCESS when it has a body and
 * UNAVAILABLE when not; only a SUCCESS signal has a `value`.
 */
export function normalizeSignal(raw: unknown, vehicleId: string | null): NormalizedSignal {
	const resource = asRecord(raw);
	const attributes = attributesOf(resource);
	const meta = asRecord(resource.meta ?? attributes.meta);
	const { value, unit } = splitBody(attributes.body);
	const hasBody = attributes.body !== undefined && attributes.body !== null;
	const status = (textIn(attributes.status, 'value') ?? (hasBody ? 'SUCCESS' : 'UNAVAILABLE')).toUpperCase();
	const code = asString(attributes.code) ?? asString(resource.id) ?? '';

	const signal: NormalizedSignal = {
		vehicleId,
		code,
		name: asString(attributes.name) ?? null,
		group: asString(attributes.group) ?? null,
		value: status === 'SUCCESS' ? value : null,
		unit,
		status,
		retrievedAt: toIsoTimestamp(meta.retrievedAt ?? meta.fetchedAt),
		oemUpdatedAt: toIsoTimestamp(meta.oemUpdatedAt),
	};
	if (status === 'ERROR') signal.error = signalError(attributes.status);
	if (status !== 'SUCCESS' && hasBody) signal.staleValue = value;
	return compact(signal);
}

/** The signals of a `GET /vehicles/{id}/signals` page: its `data`, else a `signals` list, else the body as a list. */
export function signalsOf(body: unknown): unknown[] {
	const signals = asRecord(body).signals;
	return resourceList(body) ?? (Array.isArray(signals) ? signals : asArray(body));
}

/** Smartcar answers `GET /vehicles/{id}/signals` on one page; a `links.next` is followed for at most this many pages. */
export const MAX_SIGNAL_PAGES = 20;

/** One page of `GET /vehicles/{id}/signals`: its signals, and its `links.next` if Smartcar pages them. */
export function readSignalsPage(body: unknown): Page<unknown> {
	const link = nextLink(body);
	return { items: signalsOf(body), next: link ? { link } : null };
}

interface VehicleSignalMap extends IDataObject {
	vehicleId: string | null;
	userId: string | null;
	retrievedAt: string | null;
	signals: IDataObject;
	units: IDataObject;
	errors: IDataObject;
}

/**
 * One item per vehicle: code → value, code → unit, and code → problem for signals that are not SUCCESS. A signal
 * whose code is not a safe property name (`__proto__`, `constructor`, `prototype`) is left out of the maps: it is no
 * Smartcar signal, and as a key it would replace a map's prototype.
 */
export function toVehicleSignalMap(
	vehicleId: string | null,
	userId: string | null,
	signals: NormalizedSignal[],
): VehicleSignalMap {
	const map: VehicleSignalMap = { vehicleId, userId, retrievedAt: null, signals: {}, units: {}, errors: {} };
	for (const signal of signals) {
		if (!isSafeKey(signal.code)) continue;
		map.signals[signal.code] = signal.value;
		if (signal.unit !== null) map.units[signal.code] = signal.unit;
		if (signal.status !== 'SUCCESS') map.errors[signal.code] = signal.error ?? { status: signal.status };
		if (signal.retrievedAt && (!map.retrievedAt || signal.retrievedAt > map.retrievedAt)) {
			map.retrievedAt = signal.retrievedAt;
		}
	}
	return map;
}
