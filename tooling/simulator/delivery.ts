/**
 * Delivering events the way Smartcar does: a vehicle's VEHICLE_STATE / VEHICLE_ERROR goes to a webhook only when the
 * webhook is enabled and the vehicle is subscribed to it, to the webhook's callback URI, signed with the simulator's
 * management token, with the webhook's id and name in `meta`. `sendWebhook` (webhook-http.ts) is the raw HTTP POST under
 * it, for specs that act as Smartcar's sender directly (forged signatures, replays).
 */
import type { SimWebhook } from './management-store';
import { DEFAULT_WEBHOOK_ID } from './management-store';
import type { Simulator } from './server';
import { sendWebhook, type SendWebhookOptions, type WebhookResponse } from './webhook-http';
import {
	vehicleErrorPayload,
	vehicleStatePayload,
	type VehicleErrorOptions,
	type VehicleStateOptions,
} from './webhooks';
import type { JsonObject } from './json';

export interface DeliveryOptions {
	/** Default DEFAULT_WEBHOOK_ID. */
	webhookId?: string;
	/** Default: the webhook's callbackUri. */
	url?: string;
	/** Passed to sendWebhook (the management token is the simulator's). */
	send?: Omit<SendWebhookOptions, 'managementToken'>;
}

/** The payload's webhook id and name come from the webhook it is delivered to. */
type PayloadMeta = 'webhookId' | 'webhookName';
export type DeliveredStateOptions = Omit<VehicleStateOptions, PayloadMeta>;
export type DeliveredErrorOptions = Omit<VehicleErrorOptions, PayloadMeta>;

/** Thrown instead of sending when Smartcar would not deliver: unknown or disabled webhook, vehicle not subscribed. */
export class NotDeliverableError extends Error {}

/** Why Smartcar would not deliver this vehicle's events to this webhook, or undefined when it would. */
export function undeliverableReason(sim: Simulator, webhookId: string, vehicleId: string): string | undefined {
	const webhook = sim.webhooks.find((candidate) => candidate.id === webhookId);
	if (!webhook) return `Webhook ${webhookId} does not exist`;
	if (!webhook.isEnabled) return `Webhook "${webhook.name}" (${webhookId}) is disabled`;
	if (!sim.isSubscribed(webhookId, vehicleId)) {
		return `Vehicle ${vehicleId} is not subscribed to webhook "${webhook.name}" (${webhookId})`;
	}
	return undefined;
}

/** The vehicles whose events this webhook receives now (none when the webhook is missing or disabled). */
export function deliverableVehicleIds(sim: Simulator, webhookId: string = DEFAULT_WEBHOOK_ID): string[] {
	const webhook = sim.webhooks.find((candidate) => candidate.id === webhookId);
	if (!webhook?.isEnabled) return [];
	const ids = sim.subscriptions.filter((s) => s.webhookId === webhookId).map((s) => s.vehicleId);
	return [...new Set(ids)];
}

/** The webhook and the subscription's user, or NotDeliverableError. */
function target(sim: Simulator, vehicleId: string, options: DeliveryOptions): { webhook: SimWebhook; userId: string } {
	const webhookId = options.webhookId ?? DEFAULT_WEBHOOK_ID;
	const reason = undeliverableReason(sim, webhookId, vehicleId);
	const webhook = sim.webhooks.find((candidate) => candidate.id === webhookId);
	const subscription = sim.subscriptions.find((s) => s.webhookId === webhookId && s.vehicleId === vehicleId);
	if (reason !== undefined || !webhook || !subscription) {
		throw new NotDeliverableError(`${reason ?? 'Not deliverable'}: Smartcar would not send this event.`);
	}
	return { webhook, userId: subscription.userId };
}

async function send(sim: Simulator, webhook: SimWebhook, payload: JsonObject, options: DeliveryOptions): Promise<WebhookResponse> {
	const url = options.url ?? webhook.callbackUri;
	return await sendWebhook(url, payload, { ...(options.send ?? {}), managementToken: sim.settings.managementToken });
}

/**
 * Sends a signed VEHICLE_STATE for a subscribed vehicle (the user defaults to the subscription's); throws
 * NotDeliverableError, sending nothing, when Smartcar would not deliver it.
 */
export async function deliverVehicleState(
	sim: Simulator,
	vehicleId: string,
	options: DeliveredStateOptions,
	delivery: DeliveryOptions = {},
): Promise<WebhookResponse> {
	const { webhook, userId } = target(sim, vehicleId, delivery);
	const meta = { webhookId: webhook.id, webhookName: webhook.name };
	const payload = vehicleStatePayload(sim.fleet, vehicleId, { userId, ...options, ...meta });
	return await send(sim, webhook, payload, delivery);
}

/** Sends a signed VEHICLE_ERROR for a subscribed vehicle; throws NotDeliverableError when Smartcar would not. */
export async function deliverVehicleError(
	sim: Simulator,
	vehicleId: string,
	options: DeliveredErrorOptions = {},
	delivery: DeliveryOptions = {},
): Promise<WebhookResponse> {
	const { webhook, userId } = target(sim, vehicleId, delivery);
	const meta = { webhookId: webhook.id, webhookName: webhook.name };
	const payload = vehicleErrorPayload(sim.fleet, vehicleId, { userId, ...options, ...meta });
	return await send(sim, webhook, payload, delivery);
}
