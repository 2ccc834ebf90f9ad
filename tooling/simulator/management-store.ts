/**
 * The Management API's state: the application's webhooks and which vehicles are subscribed to them.
 *
 * A subscription request becomes an active subscription after a delay (Smartcar answers 202 and creates it
 * asynchronously). Pending requests are promoted lazily, whenever the state is read, so no timers are involved.
 * An enabled auto-subscribe webhook subscribes every connected vehicle once (existing and new connections alike);
 * a subscription ends when its webhook is removed or its vehicle is no longer connected to its user.
 */
import { randomUUID } from 'crypto';

import { errorSpecs, type ErrorSpec } from './errors';
import type { Fleet } from './fleet';
import { seededUuid } from './fleet';
import { CODES, signalDefinition } from './signals';

export const DEFAULT_WEBHOOK_ID = seededUuid('smartcar-simulator', 'webhook');
export const DEFAULT_WEBHOOK_NAME = 'Simulator Webhook';
/** A placeholder: `npm run simulator -- --webhook-url …` (and specs) point the default webhook at a real receiver. */
export const DEFAULT_CALLBACK_URI = 'https://n8n.example.com/webhook/smartcar-simulator/webhook';

export interface SimWebhook {
	id: string;
	name: string;
	callbackUri: string;
	isEnabled: boolean;
	autoSubscribe: boolean;
	/** Signal codes whose change triggers a delivery. */
	triggers: string[];
	/** Signal codes delivered with each event (Smartcar's `attributes.data`). */
	signals: string[];
	errorCallbackUri: string | null;
	/** ISO timestamp. */
	createdAt: string;
}

/** An active subscription: this vehicle's events (read with this user's connection) go to this webhook. */
export interface SimSubscription {
	id: string;
	webhookId: string;
	userId: string;
	vehicleId: string;
	/** ISO timestamp: when it became active. */
	createdAt: string;
	/** ISO timestamp. */
	updatedAt: string;
}

export interface SubscriptionRequest {
	webhookId: string;
	userId: string;
	vehicleId: string;
}

interface PendingSubscription extends SubscriptionRequest {
	/** Epoch ms at which it becomes active. */
	activeAt: number;
}

const DEFAULT_CREATED_AT = '2025-01-02T09:00:00.000Z';

function defaultWebhook(): SimWebhook {
	return {
		id: DEFAULT_WEBHOOK_ID,
		name: DEFAULT_WEBHOOK_NAME,
		callbackUri: DEFAULT_CALLBACK_URI,
		isEnabled: true,
		autoSubscribe: false,
		triggers: [CODES.soc, CODES.isCharging, CODES.isLocked],
		signals: [CODES.soc, CODES.evRange, CODES.isCharging, CODES.chargingStatus, CODES.odometer, CODES.location, CODES.isLocked],
		errorCallbackUri: null,
		createdAt: DEFAULT_CREATED_AT,
	};
}

const pairKey = (webhookId: string, vehicleId: string): string => `${webhookId} ${vehicleId}`;

export class ManagementStore {
	/** The application's webhooks, oldest first. Specs may change their fields in place. */
	webhooks: SimWebhook[] = [];
	private active: SimSubscription[] = [];
	private pending: PendingSubscription[] = [];
	/** Webhook/vehicle pairs an auto-subscribe webhook has already subscribed (an unsubscribe sticks). */
	private readonly autoSubscribed = new Set<string>();

	constructor(private readonly fleet: Fleet) {
		this.reset();
	}

	/** Back to the seeded default webhook and no subscriptions, active or pending. */
	reset(): void {
		this.webhooks = [defaultWebhook()];
		this.clearSubscriptions();
	}

	/** Adds a webhook (defaults: a new id, enabled, not auto-subscribe, the default webhook's signals). */
	addWebhook(partial: Partial<SimWebhook> = {}): SimWebhook {
		const id = partial.id ?? randomUUID();
		if (this.findWebhook(id)) throw new Error(`A webhook with id ${id} exists already`);
		const webhook: SimWebhook = { ...defaultWebhook(), name: `Webhook ${this.webhooks.length + 1}`, ...partial, id };
		webhook.createdAt = partial.createdAt ?? new Date().toISOString();
		webhook.callbackUri = partial.callbackUri ?? `https://n8n.example.com/webhook/${id}/webhook`;
		webhook.triggers = [...webhook.triggers];
		webhook.signals = [...webhook.signals];
		[...webhook.triggers, ...webhook.signals].forEach((code) => signalDefinition(code));
		this.webhooks.push(webhook);
		return webhook;
	}

	/** Removes every webhook (the default one too), and with them every subscription. */
	clearWebhooks(): void {
		this.webhooks = [];
		this.clearSubscriptions();
	}

	clearSubscriptions(): void {
		this.active = [];
		this.pending = [];
		this.autoSubscribed.clear();
	}

	findWebhook(id: string): SimWebhook | undefined {
		return this.webhooks.find((webhook) => webhook.id === id);
	}

	/** The active subscriptions, oldest first (settled first: due requests promoted, stale ones dropped). */
	subscriptions(now = Date.now()): SimSubscription[] {
		this.settle(now);
		return this.active;
	}

	findSubscription(id: string, now = Date.now()): SimSubscription | undefined {
		return this.subscriptions(now).find((subscription) => subscription.id === id);
	}

	isSubscribed(webhookId: string, vehicleId: string, now = Date.now()): boolean {
		return this.subscriptions(now).some((s) => s.webhookId === webhookId && s.vehicleId === vehicleId);
	}

	/** Removes an active subscription; false when there is none with this id. */
	removeSubscription(id: string, now = Date.now()): boolean {
		const before = this.subscriptions(now).length;
		this.active = this.active.filter((subscription) => subscription.id !== id);
		return this.active.length < before;
	}

	/**
	 * What `POST /subscriptions` does: checks the request (404 unknown webhook, 404 vehicle not connected to that
	 * user, 409 already subscribed or in progress), then queues it to become active after `delayMs`.
	 */
	requestSubscription(request: SubscriptionRequest, delayMs: number, now = Date.now()): ErrorSpec | undefined {
		const refusal = this.refusal(request, now);
		if (refusal) return refusal;
		this.pending.push({ ...request, activeAt: now + delayMs });
		this.settle(now);
		return undefined;
	}

	/** Subscribes at once, without a request (spec setup). Throws where the API would refuse. */
	subscribe(webhookId: string, vehicleId: string, userId?: string): SimSubscription {
		const owner = userId ?? this.fleet.connections.find((connection) => connection.vehicleId === vehicleId)?.userId;
		const refusal = this.refusal({ webhookId, vehicleId, userId: owner ?? '' }, Date.now());
		if (refusal) throw new Error(refusal.detail);
		return this.activate({ webhookId, vehicleId, userId: owner ?? '' }, Date.now());
	}

	// -------------------------------------------------------------------------------------------

	private refusal(request: SubscriptionRequest, now: number): ErrorSpec | undefined {
		const { webhookId, userId, vehicleId } = request;
		if (!this.findWebhook(webhookId)) return errorSpecs.notFound(`Webhook ${webhookId} was not found.`);
		if (!this.connectedPairs().has(`${userId} ${vehicleId}`)) {
			return errorSpecs.notFound(`Vehicle ${vehicleId} is not connected to user ${userId}.`);
		}
		const inProgress = this.pending.some((p) => p.webhookId === webhookId && p.vehicleId === vehicleId);
		if (inProgress || this.isSubscribed(webhookId, vehicleId, now)) {
			const detail = `Vehicle ${vehicleId} is already subscribed to webhook ${webhookId}.`;
			return errorSpecs.conflict(detail, 'ALREADY_SUBSCRIBED');
		}
		return undefined;
	}

	private activate(request: SubscriptionRequest, at: number): SimSubscription {
		const stamp = new Date(at).toISOString();
		const { webhookId, userId, vehicleId } = request;
		const subscription: SimSubscription = { id: randomUUID(), webhookId, userId, vehicleId, createdAt: stamp, updatedAt: stamp };
		this.active.push(subscription);
		return subscription;
	}

	private connectedPairs(): Set<string> {
		return new Set(this.fleet.connections.map((connection) => `${connection.userId} ${connection.vehicleId}`));
	}

	private settle(now: number): void {
		const due = this.pending.filter((request) => request.activeAt <= now);
		this.pending = this.pending.filter((request) => request.activeAt > now);
		for (const request of due) this.activate(request, request.activeAt);
		const webhookIds = new Set(this.webhooks.map((webhook) => webhook.id));
		const connected = this.connectedPairs();
		const seen = new Set<string>();
		this.active = this.active.filter((s) => {
			const key = pairKey(s.webhookId, s.vehicleId);
			const keep = webhookIds.has(s.webhookId) && connected.has(`${s.userId} ${s.vehicleId}`) && !seen.has(key);
			seen.add(key);
			return keep;
		});
		this.autoSubscribe(seen, now);
	}

	/** Enabled auto-subscribe webhooks subscribe each connected vehicle once (its oldest connection's user). */
	private autoSubscribe(subscribed: Set<string>, now: number): void {
		for (const webhook of this.webhooks) {
			if (!webhook.isEnabled || !webhook.autoSubscribe) continue;
			for (const connection of this.fleet.connections) {
				const key = pairKey(webhook.id, connection.vehicleId);
				if (this.autoSubscribed.has(key)) continue;
				this.autoSubscribed.add(key);
				if (subscribed.has(key)) continue;
				subscribed.add(key);
				this.activate({ webhookId: webhook.id, userId: connection.userId, vehicleId: connection.vehicleId }, now);
			}
		}
	}
}
