/**
 * Smartcar webhook payloads (version 4.0, as in Smartcar's webhook docs): VERIFY, VEHICLE_STATE (the docs' form and
 * real traffic's) and VEHICLE_ERROR, built from the fleet. Signing and sending them: webhook-http.ts.
 */
import { randomBytes, randomUUID } from 'crypto';

import type { Fleet, SimUser, SimVehicle } from './fleet';
import { findSignal, findUser, findVehicle, ownerOf } from './fleet-state';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import { DEFAULT_WEBHOOK_ID, DEFAULT_WEBHOOK_NAME } from './management-store';
import { renderStatus } from './render';
import { dottedSignalName, signalDefinition, type SignalDefinition, type SimSignal } from './signals';

export type WebhookForm = 'docs' | 'real';
export type WebhookMode = 'LIVE' | 'TEST';
export type TriggerType = 'SIGNAL_UPDATED' | 'FIRST_DELIVERY';
export type VehicleErrorKind = 'vehicle-state' | 'compatibility' | 'permission';

export { DEFAULT_WEBHOOK_ID, DEFAULT_WEBHOOK_NAME };

export interface WebhookMetaOptions {
	/** Stable across redeliveries (default: new uuid per built payload). */
	eventId?: string;
	deliveryId?: string;
	webhookId?: string;
	webhookName?: string;
	mode?: WebhookMode;
	/** Epoch ms (default: now). */
	deliveredAt?: number;
}

export interface VehicleStateOptions extends WebhookMetaOptions {
	/** docs: triggers inside data, meta.fetchedAt epoch; real: top-level triggers, meta.retrievedAt, status on signals. */
	form: WebhookForm;
	/** Signal codes to include (default: every signal of the vehicle). */
	signals?: string[];
	trigger?: TriggerType;
	/** Codes that changed (default: the first included SUCCESS signal). */
	triggerSignals?: string[];
	/** Real form only: trigger `signal` as an object (default) or the older "Group.Name" string. */
	triggerStyle?: 'object' | 'string';
	/** Real form only: signal meta timestamps as ISO strings (default) or epoch ms (as in a captured payload). */
	signalTimestamps?: 'iso' | 'epoch';
	/** Default: the vehicle's first connected user. */
	userId?: string;
}

export interface VehicleErrorOptions extends WebhookMetaOptions {
	state?: 'ERROR' | 'RESOLVED';
	kind?: VehicleErrorKind;
	/** Affected signal codes (default depends on kind: the vehicle's ERROR signals for vehicle-state). */
	signals?: string[];
	/** Signals as `{code,name,group}` (default) or as "Group.Name" strings. */
	signalRefs?: 'object' | 'string';
	userId?: string;
}

// ---------------------------------------------------------------------------------------------
// Builders

function webhookMeta(options: WebhookMetaOptions, extra: JsonObject = {}): JsonObject {
	return {
		version: '4.0',
		deliveryId: options.deliveryId ?? randomUUID(),
		deliveredAt: options.deliveredAt ?? Date.now(),
		webhookId: options.webhookId ?? DEFAULT_WEBHOOK_ID,
		webhookName: options.webhookName ?? DEFAULT_WEBHOOK_NAME,
		...extra,
		mode: options.mode ?? 'LIVE',
	};
}

export function verifyPayload(challenge: string = randomBytes(24).toString('hex'), options: WebhookMetaOptions = {}): JsonObject {
	const meta = webhookMeta(options);
	// The docs' VERIFY example carries deliveredAt as an ISO string.
	meta.deliveredAt = new Date(options.deliveredAt ?? Date.now()).toISOString();
	return { eventId: options.eventId ?? randomUUID(), eventType: 'VERIFY', data: { challenge }, meta };
}

interface EventSubject {
	vehicle: SimVehicle;
	user: SimUser;
}

function eventSubject(fleet: Fleet, vehicleId: string, userId: string | undefined): EventSubject {
	const vehicle = findVehicle(fleet, vehicleId);
	if (!vehicle) throw new Error(`Unknown vehicle: ${vehicleId}`);
	const user = userId ? findUser(fleet, userId) : ownerOf(fleet, vehicleId);
	if (!user) throw new Error(`No user for vehicle ${vehicleId}`);
	return { vehicle, user };
}

function subjectData(subject: EventSubject): JsonObject {
	const { vehicle } = subject;
	return {
		user: { id: subject.user.id },
		vehicle: { id: vehicle.id, make: vehicle.make, model: vehicle.model, year: vehicle.year },
	};
}

function pickSignals(vehicle: SimVehicle, codes: string[] | undefined): SimSignal[] {
	if (!codes) return [...vehicle.signals];
	return codes.map((code) => {
		const signal = findSignal(vehicle, code);
		if (!signal) throw new Error(`Vehicle ${vehicle.id} has no signal ${code}`);
		return signal;
	});
}

function reference(signal: SignalDefinition): JsonObject {
	return { code: signal.code, name: signal.name, group: signal.group };
}

function docsSignal(signal: SimSignal): JsonObject {
	if (signal.status.value !== 'SUCCESS' || !signal.body) {
		const { error } = signal.status;
		const status: JsonObject = error
			? { error: { code: error.code, type: error.type }, value: signal.status.value }
			: { value: signal.status.value };
		return { ...reference(signal), status };
	}
	return {
		...reference(signal),
		body: signal.body,
		meta: { oemUpdatedAt: signal.oemUpdatedAt, fetchedAt: signal.retrievedAt },
	};
}

function realSignal(signal: SimSignal, timestamps: 'iso' | 'epoch'): JsonObject {
	const stamp = (ms: number): JsonValue => (timestamps === 'epoch' ? ms : new Date(ms).toISOString());
	const item: JsonObject = { ...reference(signal) };
	const failed = signal.status.value !== 'SUCCESS';
	if (!failed && signal.body) item.body = signal.body;
	item.meta = { oemUpdatedAt: stamp(signal.oemUpdatedAt), retrievedAt: stamp(signal.retrievedAt) };
	const status = renderStatus(signal.status);
	if (isJsonObject(status.error)) status.error = { type: status.error.type, code: status.error.code };
	item.status = status;
	return item;
}

function triggerSignals(signals: SimSignal[], vehicle: SimVehicle, codes: string[] | undefined): SimSignal[] {
	if (codes) return pickSignals(vehicle, codes);
	const first = signals.find((signal) => signal.status.value === 'SUCCESS') ?? signals[0];
	return first ? [first] : [];
}

function docsTriggers(trigger: TriggerType, changed: SimSignal[]): JsonValue[] {
	if (trigger === 'FIRST_DELIVERY') return [{ code: 'FIRST_DELIVERY' }];
	return changed.map(reference);
}

function realTriggers(trigger: TriggerType, changed: SimSignal[], style: 'object' | 'string'): JsonValue[] {
	if (trigger === 'FIRST_DELIVERY') return [{ type: 'FIRST_DELIVERY' }];
	return changed.map((signal) => ({
		type: 'SIGNAL_UPDATED',
		signal: style === 'string' ? dottedSignalName(signal) : { name: signal.name, code: signal.code, group: signal.group },
	}));
}

/** VEHICLE_STATE in the documented form or the form seen in real traffic (Smartcar's webhook docs). */
export function vehicleStatePayload(fleet: Fleet, vehicleId: string, options: VehicleStateOptions): JsonObject {
	const subject = eventSubject(fleet, vehicleId, options.userId);
	const signals = pickSignals(subject.vehicle, options.signals);
	const changed = triggerSignals(signals, subject.vehicle, options.triggerSignals);
	const trigger = options.trigger ?? 'SIGNAL_UPDATED';
	const meta = webhookMeta(options, { signalCount: signals.length });
	const head: JsonObject = { eventId: options.eventId ?? randomUUID(), eventType: 'VEHICLE_STATE', vehicleId };
	if (options.form === 'docs') {
		const data = { ...subjectData(subject), triggers: docsTriggers(trigger, changed), signals: signals.map(docsSignal) };
		return { ...head, data, meta };
	}
	const timestamps = options.signalTimestamps ?? 'iso';
	return {
		...head,
		triggers: realTriggers(trigger, changed, options.triggerStyle ?? 'object'),
		data: { ...subjectData(subject), signals: signals.map((signal) => realSignal(signal, timestamps)) },
		meta,
	};
}

interface ErrorTemplate {
	type: string;
	code: string | null;
	description: string;
	suggestedUserMessage: string;
	docURL: string;
	resolution: string | null;
	defaultSignals: (vehicle: SimVehicle) => string[];
}

const ERROR_TEMPLATES: Record<VehicleErrorKind, ErrorTemplate> = {
	'vehicle-state': {
		type: 'VEHICLE_STATE',
		code: 'UNREACHABLE',
		description: 'The vehicle was unreachable when Smartcar tried to retrieve these signals.',
		suggestedUserMessage: 'Your car is temporarily unreachable. Please make sure it has cellular reception.',
		docURL: 'https://smartcar.com/docs/errors/api-errors/vehicle-state-errors#unreachable',
		resolution: 'RETRY_LATER',
		defaultSignals: (vehicle) => vehicle.signals.filter((s) => s.status.value === 'ERROR').map((s) => s.code),
	},
	compatibility: {
		type: 'COMPATIBILITY',
		code: 'VEHICLE_NOT_CAPABLE',
		description: 'The vehicle is incapable of performing your request.',
		suggestedUserMessage: 'Your car is unable to perform this request.',
		docURL: 'https://smartcar.com/docs/errors/api-errors/compatibility-errors#vehicle-not-capable',
		resolution: 'CONTACT_SUPPORT',
		defaultSignals: () => ['location-preciselocation'],
	},
	permission: {
		type: 'PERMISSION',
		code: null,
		description: 'The user has not granted the permission required to read these signals.',
		suggestedUserMessage: 'Please reconnect your car and grant the requested permissions.',
		docURL: 'https://smartcar.com/docs/errors/api-errors/permission-errors',
		resolution: 'REAUTHENTICATE',
		defaultSignals: () => ['vehicleidentification-vin'],
	},
};

/** VEHICLE_ERROR: `data.errors[]` plus `data.user` and `data.vehicle` (Smartcar's webhook docs). */
export function vehicleErrorPayload(fleet: Fleet, vehicleId: string, options: VehicleErrorOptions = {}): JsonObject {
	const subject = eventSubject(fleet, vehicleId, options.userId);
	const template = ERROR_TEMPLATES[options.kind ?? 'vehicle-state'];
	const codes = options.signals ?? template.defaultSignals(subject.vehicle);
	const definitions = codes.map(signalDefinition);
	const signals: JsonValue[] = definitions.map((definition) =>
		options.signalRefs === 'string' ? dottedSignalName(definition) : reference(definition),
	);
	const error: JsonObject = {
		type: template.type,
		code: template.code,
		state: options.state ?? 'ERROR',
		description: template.description,
		suggestedUserMessage: template.suggestedUserMessage,
		docURL: template.docURL,
		resolution: { type: template.resolution },
		signals,
	};
	return {
		eventId: options.eventId ?? randomUUID(),
		eventType: 'VEHICLE_ERROR',
		vehicleId,
		data: { ...subjectData(subject), errors: [error] },
		meta: webhookMeta(options, { signalCount: signals.length }),
	};
}
