import type { IDataObject } from 'n8n-workflow';

import { readErrorObject } from './error-object';
import { normalizeSignal, signalReference, type NormalizedSignal } from './signals';
import { asArray, asRecord, asString, isSafeKey, toIsoTimestamp, toSafeJson } from './values';
import { readVehicleSummary, type VehicleSummary } from './vehicle';

/**
 * Smartcar webhook payloads (version 4.0) as items: the documented form and the form seen in real traffic (triggers
 * at the top level as `{type, signal}`, signal meta `retrievedAt`, signals with `status`) give the same item.
 */

interface WebhookVehicle extends VehicleSummary {
	id: string | null;
}

interface VehicleErrorItem extends IDataObject {
	type: string | null;
	code: string | null;
	state: string | null;
	description: string | null;
	suggestedUserMessage: string | null;
	docsUrl: string | null;
	resolution: string | null;
	signals: string[];
}

export interface SmartcarEventItem extends IDataObject {
	eventId: string | null;
	eventType: string | null;
	userId: string | null;
	vehicleId: string | null;
	vehicle: WebhookVehicle;
	signals: NormalizedSignal[];
	triggers: string[];
	errors: VehicleErrorItem[];
	mode: string | null;
	webhookId: string | null;
	webhookName: string | null;
	deliveryId: string | null;
	deliveredAt: string | null;
}

/** The vehicle's known fields, plus any other field Smartcar sent (copied safely: no `__proto__` and the like). */
function vehicleOf(data: IDataObject, vehicleId: string | null): WebhookVehicle {
	const vehicle = asRecord(data.vehicle);
	const summary = readVehicleSummary(vehicle);
	const extra: IDataObject = {};
	for (const [key, value] of Object.entries(vehicle)) {
		if (key !== 'id' && !Object.hasOwn(summary, key) && isSafeKey(key)) extra[key] = toSafeJson(value);
	}
	return { id: asString(vehicle.id) ?? vehicleId, ...summary, ...extra };
}

/** Trigger codes; a trigger that names no signal (e.g. FIRST_DELIVERY) is listed by its type. */
function triggersOf(body: IDataObject, data: IDataObject): string[] {
	const raw = [...asArray(body.triggers), ...asArray(data.triggers)];
	const codes: string[] = [];
	for (const trigger of raw) {
		const record = asRecord(trigger);
		const hasSignal = typeof trigger === 'string' || record.signal !== undefined || record.code !== undefined;
		const code = hasSignal ? signalReference(trigger).code : asString(record.type);
		if (code && !codes.includes(code)) codes.push(code);
	}
	return codes;
}

/** One of a VEHICLE_ERROR's `data.errors`, with the signals it concerns as codes. */
function errorOf(raw: unknown): VehicleErrorItem {
	const error = readErrorObject(raw);
	return {
		type: error.type ?? null,
		code: error.code ?? null,
		state: error.state ?? null,
		description: error.description ?? error.detail ?? null,
		suggestedUserMessage: error.suggestedUserMessage ?? null,
		docsUrl: error.docsUrl ?? null,
		resolution: error.resolution ?? null,
		signals: asArray(asRecord(raw).signals)
			.map((signal) => signalReference(signal).code)
			.filter((code): code is string => code !== null),
	};
}

export function parseWebhookEvent(payload: unknown): SmartcarEventItem {
	const body = asRecord(payload) as IDataObject;
	const data = asRecord(body.data) as IDataObject;
	const meta = asRecord(body.meta);
	const vehicleId = asString(body.vehicleId) ?? asString(asRecord(data.vehicle).id) ?? null;
	return {
		eventId: asString(body.eventId) ?? null,
		eventType: asString(body.eventType) ?? null,
		userId: asString(asRecord(data.user).id) ?? asString(body.userId) ?? null,
		vehicleId,
		vehicle: vehicleOf(data, vehicleId),
		signals: asArray(data.signals).map((signal) => normalizeSignal(signal, vehicleId)),
		triggers: triggersOf(body, data),
		errors: asArray(data.errors).map(errorOf),
		mode: asString(meta.mode) ?? null,
		webhookId: asString(meta.webhookId) ?? null,
		webhookName: asString(meta.webhookName) ?? null,
		deliveryId: asString(meta.deliveryId) ?? null,
		deliveredAt: toIsoTimestamp(meta.deliveredAt),
	};
}

/** One item per signal, each still naming the event, the user and the vehicle; an event without signals stays whole. */
export function eventToSignalItems(event: SmartcarEventItem): IDataObject[] {
	if (event.signals.length === 0) return [event];
	const { signals, ...context } = event;
	return signals.map((signal) => ({
		...signal,
		triggered: event.triggers.includes(signal.code),
		eventId: context.eventId,
		eventType: context.eventType,
		userId: context.userId,
		vehicle: context.vehicle,
		mode: context.mode,
		deliveryId: context.deliveryId,
		deliveredAt: context.deliveredAt,
	}));
}
