/**
 * What a spec holds of a running simulator: its URLs, the fleet and Management API state it serves, the statistics
 * of what it received, and the levers (settings, faults, token expiry, the fleet's clock). server.ts implements it.
 */
import type http from 'http';

import type { FaultRule } from './faults';
import type { Fleet } from './fleet';
import type { SimSubscription, SimWebhook } from './management-store';
import { bearerToken, headerValue } from './http-utils';
import type { SimulatorSettings } from './settings';

export interface RequestRecord {
	method: string;
	path: string;
	query: Record<string, string>;
	userId?: string;
	status: number;
	token?: string;
	/** How long the answer was held (latencyMs ± jitter); 0 for drop and trickle faults. */
	delayMs: number;
}

export interface SimulatorStats {
	/** Successful token exchanges. */
	tokenExchanges: number;
	/** Token requests answered with anything but 200. */
	failedTokenExchanges: number;
	/** Requests to /v3/…, whatever their outcome. */
	apiRequests: number;
	/** Every request, oldest first, capped at requestLogLimit. */
	requests: RequestRecord[];
	/**
	 * Requests the rate limits refused with a 429 (counted when refused; the answer then waits out the latency like any
	 * other): RATE_LIMIT:SMARTCAR_API (application) and RATE_LIMIT:VEHICLE (vehicle).
	 */
	rateLimited: { application: number; vehicle: number };
}

export interface Simulator {
	readonly url: string;
	readonly apiBaseUrl: string;
	readonly tokenUrl: string;
	readonly connectUrl: string;
	/** `${url}/management/v3`: the Management API (same tokens as the Vehicle API). */
	readonly managementApiUrl: string;
	readonly fleet: Fleet;
	readonly stats: SimulatorStats;
	readonly settings: Readonly<SimulatorSettings>;
	/** The application's webhooks, oldest first; one is seeded (DEFAULT_WEBHOOK_ID). Fields may be changed in place. */
	readonly webhooks: SimWebhook[];
	/** The active subscriptions, oldest first (a 202 request shows up here after `subscriptionDelayMs`). */
	readonly subscriptions: SimSubscription[];
	/** Adds a webhook (defaults: new id, enabled, not auto-subscribe). Throws on an unknown signal code. */
	addWebhook(partial?: Partial<SimWebhook>): SimWebhook;
	/** Removes every webhook, the seeded one too, and so every subscription. */
	clearWebhooks(): void;
	/** Subscribes a vehicle at once, without a request (spec setup); the user defaults to the vehicle's owner. */
	subscribe(webhookId: string, vehicleId: string, userId?: string): SimSubscription;
	/** Removes every subscription, active or in progress. */
	clearSubscriptions(): void;
	/** Back to the seeded default webhook and no subscriptions (subscriptionDelayMs is a setting: setOptions). */
	resetManagement(): void;
	/**
	 * Whether events of this vehicle go to this webhook: an active subscription (an enabled auto-subscribe webhook
	 * subscribes every connected vehicle). Whether the webhook is enabled is not part of it.
	 */
	isSubscribed(webhookId: string, vehicleId: string): boolean;
	resetStats(): void;
	/**
	 * Tokens in the application bucket now (without a vehicle ID) or in that vehicle's bucket (full for a vehicle not
	 * seen yet), fractional while refilling; undefined when that limit is off. Reads the `now` setting's clock.
	 */
	rateLimitLevel(vehicleId?: string): number | undefined;
	/** Every token issued so far becomes invalid (401). */
	expireTokens(): void;
	setOptions(partial: Partial<SimulatorSettings>): void;
	/** Back to the settings the simulator started with (rate limit buckets full, jitter restarted). */
	resetOptions(): void;
	/** Serve this answer instead of the normal one (checked before authentication). */
	failNext(rule: FaultRule): void;
	clearFaults(): void;
	/** A valid token without an HTTP exchange (not counted in stats). */
	issueToken(): string;
	/** Evolves the fleet one step. */
	tick(): void;
	close(): Promise<void>;
}

export function emptyStats(): SimulatorStats {
	return { tokenExchanges: 0, failedTokenExchanges: 0, apiRequests: 0, requests: [], rateLimited: { application: 0, vehicle: 0 } };
}

/** Counts a request the simulator answered (or misbehaved on: status 0) and logs it, keeping the newest `limit`. */
export function recordRequest(stats: SimulatorStats, request: http.IncomingMessage, answer: { status: number; delayMs: number; limit: number }): void {
	const url = new URL(request.url ?? '/', 'http://simulator.invalid');
	const method = (request.method ?? 'GET').toUpperCase();
	const { status, delayMs } = answer;
	if (method === 'POST' && url.pathname === '/oauth2/token') {
		if (status === 200) stats.tokenExchanges += 1;
		else stats.failedTokenExchanges += 1;
	}
	if (url.pathname === '/v3' || url.pathname.startsWith('/v3/')) stats.apiRequests += 1;
	const query = Object.fromEntries(url.searchParams);
	stats.requests.push({ method, path: url.pathname, query, userId: headerValue(request.headers, 'sc-user-id'), status, token: bearerToken(request.headers), delayMs });
	const overflow = stats.requests.length - answer.limit;
	if (overflow > 0) stats.requests.splice(0, overflow);
}
