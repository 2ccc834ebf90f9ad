/**
 * One rate limiter per credential per process, shared by every execution and item that uses it: the pauses Smartcar
 * asked for (429 with `retry-after`) for the whole application or for one vehicle, and the spacing the credential's
 * Max Requests per Second sets. It only keeps state and does arithmetic on times given to it; the transport waits.
 */

/** What the limiter of a credential is keyed by: the Smartcar application and where its requests go (no secret). */
export interface RateLimiterKeyParts {
	tokenUrl: string;
	clientId: string;
	apiBaseUrl: string;
	managementApiUrl: string;
}

/** A pause Smartcar asked for, as an identity: who asked for it can tell its own pause from another request's. */
export type PauseRef = object;

/** Whether a request may be sent now, must wait (for which pause), or must not be sent (a pause longer than the bound). */
export type Clearance =
	| { kind: 'go' }
	| { kind: 'wait'; ms: number; pause: PauseRef }
	| { kind: 'refused'; vehicleId?: string; seconds: number };

interface Pause {
	/** Until when (ms since the epoch) nothing in this scope is sent. */
	until: number;
	/** When Smartcar last asked for it. */
	since: number;
}

const MAX_LIMITERS = 200;
const MAX_VEHICLE_PAUSES = 1000;

export class RateLimiter {
	private application: Pause | undefined;
	private readonly vehicles = new Map<string, Pause>();
	/** The earliest time the next request may be sent under the credential's Max Requests per Second. */
	private nextSlot = 0;

	/**
	 * Smartcar asked to wait `seconds` from `now`: for the whole application, or only for `vehicleId`. A pause never
	 * shortens one already in force. Returns the pause now in force: the caller's own when it set or extended it.
	 */
	pause(vehicleId: string | undefined, seconds: number, now: number): PauseRef {
		const until = now + Math.max(0, seconds) * 1000;
		if (vehicleId === undefined) {
			this.application = extended(this.application, until, now);
			return this.application;
		}
		if (this.vehicles.size >= MAX_VEHICLE_PAUSES) this.forgetEnded(now);
		const pause = extended(this.vehicles.get(vehicleId), until, now);
		this.vehicles.set(vehicleId, pause);
		return pause;
	}

	/**
	 * Whether a request (for `vehicleId`, if any) may be sent at `now`. A pause that ends within `maxWaitMs` is waited
	 * for. A longer one refuses the requests of callers that were already running when Smartcar asked for it
	 * (`startedAt` not after it); a caller that started later is let through once to ask Smartcar itself, since the
	 * limit may have been lifted meanwhile.
	 */
	clearance(vehicleId: string | undefined, now: number, startedAt: number, maxWaitMs: number): Clearance {
		let longest: { ms: number; pause: PauseRef } | undefined;
		const scopes: Array<[Pause | undefined, string | undefined]> = [[this.application, undefined]];
		if (vehicleId !== undefined) scopes.push([this.vehicles.get(vehicleId), vehicleId]);
		for (const [pause, scope] of scopes) {
			if (!pause || pause.until <= now) continue;
			const remaining = pause.until - now;
			if (remaining > maxWaitMs) {
				if (startedAt <= pause.since) return { kind: 'refused', vehicleId: scope, seconds: Math.ceil(remaining / 1000) };
				continue;
			}
			if (!longest || remaining > longest.ms) longest = { ms: remaining, pause };
		}
		return longest ? { kind: 'wait', ...longest } : { kind: 'go' };
	}

	/**
	 * Takes the next send slot under `perSecond` requests per second (0 or less: no spacing): how many ms from `now`
	 * the request must wait before it is sent. Slots are handed out in order, one every 1000 ÷ `perSecond` ms.
	 */
	reserveSlot(now: number, perSecond: number): number {
		if (!(perSecond > 0) || !Number.isFinite(perSecond)) return 0;
		const slot = Math.max(this.nextSlot, now);
		this.nextSlot = slot + 1000 / perSecond;
		return slot - now;
	}

	private forgetEnded(now: number): void {
		for (const [vehicleId, pause] of this.vehicles) if (pause.until <= now) this.vehicles.delete(vehicleId);
	}
}

function extended(current: Pause | undefined, until: number, now: number): Pause {
	if (current && current.until >= until) return current;
	return { until, since: now };
}

const limiters = new Map<string, RateLimiter>();

/** The key of a credential's limiter: its token URL, client ID and API base URLs (never the client secret). */
export function rateLimiterKey({ tokenUrl, clientId, apiBaseUrl, managementApiUrl }: RateLimiterKeyParts): string {
	return `${tokenUrl}\n${clientId}\n${apiBaseUrl}\n${managementApiUrl}`;
}

/** The limiter of the credential with this key, shared by everything in this process that uses it. */
export function rateLimiterFor(key: string): RateLimiter {
	let limiter = limiters.get(key);
	if (!limiter) {
		if (limiters.size >= MAX_LIMITERS) {
			const oldest = limiters.keys().next().value;
			if (oldest !== undefined) limiters.delete(oldest);
		}
		limiter = new RateLimiter();
		limiters.set(key, limiter);
	}
	return limiter;
}

/** Forgets every limiter (specs start each test from no pause). */
export function clearRateLimiters(): void {
	limiters.clear();
}
