/**
 * Smartcar's operational rate limits: a token bucket for the whole application (429 RATE_LIMIT:SMARTCAR_API) and
 * one per vehicle (429 RATE_LIMIT:VEHICLE), both with a `retry-after` header in seconds. Time comes from a clock the
 * caller passes in, so specs move time forward without sleeping.
 */
import { errorResponse, errorSpecs, type ErrorForm } from './errors';
import type { Reply } from './http-utils';

/** A token bucket: `capacity` requests at once, refilled at `refillPerSecond` (Smartcar's default: 120 and 2/60). */
export interface RateLimit {
	capacity: number;
	refillPerSecond: number;
}

export type RateLimitKind = 'application' | 'vehicle';

export interface RateLimited {
	kind: RateLimitKind;
	retryAfterSeconds: number;
}

/** Float slack so that a bucket refilled to exactly one token (e.g. 30 s at 2/min) counts as holding it. */
const EPSILON = 1e-9;
/** Past this many vehicle buckets, full ones (indistinguishable from new ones) are dropped. */
const MAX_IDLE_VEHICLE_BUCKETS = 10_000;

/** Throws unless the limit is off (null) or a whole capacity of at least 1 and a positive, finite refill rate. */
export function validateRateLimit(name: string, limit: RateLimit | null): void {
	if (limit === null) return;
	if (!(Number.isInteger(limit.capacity) && limit.capacity >= 1)) throw new Error(`${name}.capacity must be a whole number >= 1`);
	const refill = limit.refillPerSecond;
	if (!(Number.isFinite(refill) && refill > 0)) throw new Error(`${name}.refillPerSecond must be a positive number`);
}

/** One bucket. It starts full and refills lazily from the clock readings it is given (milliseconds). */
export class TokenBucket {
	private tokens: number;
	private at: number;

	constructor(
		private readonly limit: RateLimit,
		now: number,
	) {
		this.tokens = limit.capacity;
		this.at = now;
	}

	/** Tokens in the bucket at `now` (fractional while refilling). A clock that goes back refills nothing. */
	level(now: number): number {
		if (now > this.at) {
			this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.at) * this.limit.refillPerSecond) / 1000);
			this.at = now;
		}
		return this.tokens;
	}

	/** 0 when a token is there; otherwise the whole seconds until one is back (rounded up, at least 1). */
	retryAfterSeconds(now: number): number {
		const missing = 1 - this.level(now);
		if (missing <= EPSILON) return 0;
		return Math.max(1, Math.ceil(missing / this.limit.refillPerSecond - EPSILON));
	}

	take(now: number): void {
		this.tokens = this.level(now) - 1;
	}

	isFull(now: number): boolean {
		return this.level(now) >= this.limit.capacity - EPSILON;
	}
}

/**
 * The application bucket and the vehicle buckets. A request takes a token from each bucket that applies only when
 * every one of them has one, so a request refused by one limit costs nothing from the other.
 */
export class RateLimiter {
	private application: TokenBucket | undefined;
	private readonly vehicles = new Map<string, TokenBucket>();
	private vehicleLimit: RateLimit | null = null;

	/** Turns the application limit on (a full bucket), or off with null. */
	setApplicationLimit(limit: RateLimit | null, now: number): void {
		this.application = limit ? new TokenBucket({ ...limit }, now) : undefined;
	}

	/** Turns the per-vehicle limit on, or off with null; every vehicle starts with a full bucket. */
	setVehicleLimit(limit: RateLimit | null): void {
		this.vehicleLimit = limit ? { ...limit } : null;
		this.vehicles.clear();
	}

	/** Takes the tokens this request needs, or says which limit refuses it (the application's is checked first). */
	admit(vehicleId: string | undefined, now: number): RateLimited | undefined {
		const applicationWait = this.application?.retryAfterSeconds(now) ?? 0;
		if (applicationWait > 0) return { kind: 'application', retryAfterSeconds: applicationWait };
		const vehicle = vehicleId === undefined ? undefined : this.vehicleBucket(vehicleId, now);
		const vehicleWait = vehicle?.retryAfterSeconds(now) ?? 0;
		if (vehicleWait > 0) return { kind: 'vehicle', retryAfterSeconds: vehicleWait };
		this.application?.take(now);
		vehicle?.take(now);
		return undefined;
	}

	/** Tokens in the application bucket, or in this vehicle's; undefined when that limit is off. */
	level(now: number, vehicleId?: string): number | undefined {
		if (vehicleId === undefined) return this.application?.level(now);
		if (!this.vehicleLimit) return undefined;
		return this.vehicles.get(vehicleId)?.level(now) ?? this.vehicleLimit.capacity;
	}

	private vehicleBucket(vehicleId: string, now: number): TokenBucket | undefined {
		if (!this.vehicleLimit) return undefined;
		let bucket = this.vehicles.get(vehicleId);
		if (!bucket) {
			if (this.vehicles.size >= MAX_IDLE_VEHICLE_BUCKETS) this.dropFullBuckets(now);
			bucket = new TokenBucket(this.vehicleLimit, now);
			this.vehicles.set(vehicleId, bucket);
		}
		return bucket;
	}

	private dropFullBuckets(now: number): void {
		for (const [id, bucket] of this.vehicles) if (bucket.isFull(now)) this.vehicles.delete(id);
	}
}

const VEHICLE_PATH = /^\/v3\/vehicles\/([^/]+)(?:\/|$)/;

/** The vehicle a Vehicle API path is about (`/v3/vehicles/{id}/…`), URL-decoded. */
export function vehicleIdOf(path: string): string | undefined {
	const match = VEHICLE_PATH.exec(path);
	if (!match) return undefined;
	try {
		return decodeURIComponent(match[1]);
	} catch {
		return match[1];
	}
}

/** Smartcar's 429 for a refused request, with `retry-after`. */
export function rateLimitReply(limited: RateLimited, form: ErrorForm, requestId: string): Reply {
	const spec =
		limited.kind === 'application'
			? errorSpecs.applicationRateLimit(limited.retryAfterSeconds)
			: errorSpecs.rateLimit(limited.retryAfterSeconds);
	return errorResponse(spec, form, requestId);
}

/** Human-readable, e.g. "bucket of 120, refills 0.0333/s (one request every 30 s)". */
export function describeRateLimit(limit: RateLimit): string {
	const every = 1 / limit.refillPerSecond;
	const interval = every >= 1 ? `${Number(every.toFixed(2))} s` : `${Number((every * 1000).toFixed(1))} ms`;
	return `bucket of ${limit.capacity}, refills ${Number(limit.refillPerSecond.toPrecision(3))}/s (one request every ${interval})`;
}
