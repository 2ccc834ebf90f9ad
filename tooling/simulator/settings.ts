/**
 * The simulator's settings: what each one does, its default, and the check that refuses a value Smartcar could not
 * have. startSimulator() starts from DEFAULT_SETTINGS; setOptions() changes some; resetOptions() goes back to the start.
 */
import type { CommandMode, SingleSignalForm } from './api-routes';
import { MAX_CLIENT_SECRETS } from './auth';
import type { ConnectionsShape, NextLinkForm } from './connections';
import type { ErrorForm } from './errors';
import type { Fleet } from './fleet';
import { validateRateLimit, type RateLimit } from './rate-limits';

export interface SimulatorSettings {
	clientId: string;
	/** Up to 3 valid at once (Smartcar's rotation). Removing a secret invalidates its tokens at once. */
	clientSecrets: string[];
	managementToken: string;
	tokenLifetimeSeconds: number;
	/** Delay before every response. */
	latencyMs: number;
	/** Each delay is latencyMs moved uniformly by up to ± this many ms, never below 0 (default 0: none). */
	latencyJitterMs: number;
	/** Seed of the jitter's random numbers (same seed, same order of requests: same delays). Setting it restarts them. */
	latencySeed: number;
	/**
	 * Smartcar's application limit over Vehicle API and Management API requests (not the token endpoint, not requests
	 * refused with 401): a token bucket answering 429 RATE_LIMIT:SMARTCAR_API with `retry-after`. null (default): off.
	 * Setting it, even to the same value, starts the bucket full.
	 */
	applicationRateLimit: RateLimit | null;
	/**
	 * A token bucket per vehicle ID for `/v3/vehicles/{id}/…`, answering 429 RATE_LIMIT:VEHICLE with `retry-after`.
	 * null (default): off. Setting it, even to the same value, starts every vehicle's bucket full.
	 */
	vehicleRateLimit: RateLimit | null;
	/**
	 * The clock the rate limits read, in ms (default Date.now). Specs pass a fake one to move time without sleeping;
	 * setting it starts every bucket full. Latency still waits in real time.
	 */
	now: () => number;
	connectionsShape: ConnectionsShape;
	connectionsNextLink: NextLinkForm;
	/** Shape A page size. */
	cursorPageSize: number;
	singleSignalForm: SingleSignalForm;
	errorForm: ErrorForm;
	/** async: commands answer 202 with status PENDING. */
	commandMode: CommandMode;
	/** Cap of stats.requests. */
	requestLogLimit: number;
	/** How long a subscription answered with 202 stays in progress before it is active and listed (default 0). */
	subscriptionDelayMs: number;
}

export interface SimulatorOptions extends Partial<SimulatorSettings> {
	/** Default 0: a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** Default demoFleet(). */
	fleet?: Fleet;
}

export const DEFAULT_SETTINGS: Readonly<SimulatorSettings> = {
	clientId: 'demo-client-id',
	clientSecrets: ['demo-client-secret'],
	managementToken: 'demo-management-token',
	tokenLifetimeSeconds: 3600,
	latencyMs: 0,
	latencyJitterMs: 0,
	latencySeed: 1,
	applicationRateLimit: null,
	vehicleRateLimit: null,
	now: () => Date.now(),
	connectionsShape: 'B',
	connectionsNextLink: 'relative',
	cursorPageSize: 100,
	singleSignalForm: 'wrapped',
	errorForm: 'v3',
	commandMode: 'sync',
	requestLogLimit: 10_000,
	subscriptionDelayMs: 0,
};

export function validateSettings(settings: SimulatorSettings): void {
	const secrets = settings.clientSecrets;
	if (secrets.length < 1 || secrets.length > MAX_CLIENT_SECRETS) {
		throw new Error(`clientSecrets must hold 1 to ${MAX_CLIENT_SECRETS} secrets`);
	}
	if (!(settings.tokenLifetimeSeconds > 0)) throw new Error('tokenLifetimeSeconds must be positive');
	if (!(settings.latencyMs >= 0)) throw new Error('latencyMs must be 0 or more');
	if (!(settings.cursorPageSize >= 1 && settings.cursorPageSize <= 100)) throw new Error('cursorPageSize must be 1..100');
	if (!(settings.requestLogLimit >= 1)) throw new Error('requestLogLimit must be at least 1');
	if (!(settings.subscriptionDelayMs >= 0)) throw new Error('subscriptionDelayMs must be 0 or more');
	if (!(Number.isFinite(settings.latencyJitterMs) && settings.latencyJitterMs >= 0)) throw new Error('latencyJitterMs must be 0 or more');
	if (!Number.isFinite(settings.latencySeed)) throw new Error('latencySeed must be a number');
	if (typeof settings.now !== 'function') throw new Error('now must be a function returning milliseconds');
	validateRateLimit('applicationRateLimit', settings.applicationRateLimit);
	validateRateLimit('vehicleRateLimit', settings.vehicleRateLimit);
}

/** Drops keys set to undefined so they do not override defaults. */
export function definedOnly<T extends object>(partial: Partial<T>): Partial<T> {
	return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
