/**
 * One rate limiter per credential per process, shared by every execution and item that uses it: the pauses Smartcar
 * asked for (429 with `retry-after`) for the whole application or for one vehicle, and the spacing the credential's
 * Max Requests per Second sets. A limiter is the credential's own (keyed by its n8n ID), so no other credential can
 * hold it up. It only keeps state and does arithmetic on times given to it; the transport waits. Its state is
 * bounded: at most MAX_VEHICLE_PAUSES vehicles (the least recently used forgotten first), send slots only within the
 * wait bound, at most MAX_LIMITERS credentials.
 */

/** What the limiter of a credential is keyed by: the credential and where its requests go (no secret). */
export interface RateLimiterKeyParts {
	/** The credential's n8n ID (or, when n8n gives none, another value that tells it from other credentials). */
	credential: string;
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

/** A send slot under Max Requests per Second, as an identity: give it back with `release` if it goes unused. */
export type SlotRef = object;

/** A slot taken `ms` from now, or none because the next free one is further away than the bound. */
export type SlotClearance = { kind: 'slot'; ms: number; slot: SlotRef } | { kind: 'refused'; seconds: number };

interface Pause {
	/** Until when (ms since the epoch) nothing in this scope is sent. */
	until: number;
	/** When Smartcar last asked for it. */
	since: number;
}

interface Slot {
	at: number;
}

/** Told with a Max Requests per Second that cannot be used or that makes a request wait too long. */
export const QUOTA_ADVICE =
	'Max Requests per Second in the Smartcar API credential spaces its requests across every workflow in this n8n process: 0 means no limit, 0.01 is one request every 100 s.';

/** What a request refused a slot (the next free one is `seconds` away, beyond `maxWaitSeconds`) is told. */
export function slotRefusal(perSecond: number, seconds: number, maxWaitSeconds: number): { message: string; description: string } {
	return {
		message: `Max Requests per Second (${perSecond}) of the Smartcar API credential lets the next request go in ${seconds} s, longer than the ${maxWaitSeconds} s this node waits; the request was not sent`,
		description: `Earlier requests of this credential hold the slots before it. Nothing was sent; run it again later. ${QUOTA_ADVICE}`,
	};
}

const MAX_LIMITERS = 200;
export const MAX_VEHICLE_PAUSES = 1000;

export class RateLimiter {
	private application: Pause | undefined;
	/** Vehicle pauses, least recently used first. */
	private readonly vehicles = new Map<string, Pause>();
	/** Send slots taken and not given back, in time order, each at least one spacing from the next. */
	private slots: Slot[] = [];

	/** How many vehicles the limiter holds a pause for (never more than MAX_VEHICLE_PAUSES). */
	get vehicleCount(): number {
		return this.vehicles.size;
	}

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
		const pause = extended(this.vehicles.get(vehicleId), until, now);
		this.vehicles.delete(vehicleId);
		this.vehicles.set(vehicleId, pause);
		if (this.vehicles.size > MAX_VEHICLE_PAUSES) this.vehicles.delete(this.vehicles.keys().next().value as string);
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
		if (vehicleId !== undefined) scopes.push([this.vehiclePause(vehicleId, now), vehicleId]);
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
	 * Takes the earliest send slot from `now` that is one spacing (1000 ÷ `perSecond` ms) from every slot taken, a
	 * gap left by a slot given back included; or refuses, taking nothing, when it is more than `maxWaitMs` away.
	 * `perSecond` 0 means no spacing.
	 */
	reserveSlot(now: number, perSecond: number, maxWaitMs: number): SlotClearance {
		if (!(perSecond > 0)) return { kind: 'slot', ms: 0, slot: {} };
		const spacing = 1000 / perSecond;
		this.slots = this.slots.filter((slot) => slot.at > now - spacing);
		let at = now;
		let index = 0;
		for (; index < this.slots.length; index++) {
			const taken = this.slots[index].at;
			if (at + spacing <= taken) break;
			at = Math.max(at, taken + spacing);
		}
		if (at - now > maxWaitMs) return { kind: 'refused', seconds: Math.ceil((at - now) / 1000) };
		const slot: Slot = { at };
		this.slots.splice(index, 0, slot);
		return { kind: 'slot', ms: at - now, slot };
	}

	/** Gives back a slot whose request was not sent (its execution stopped, or it failed before sending). */
	release(slot: SlotRef): void {
		this.slots = this.slots.filter((taken) => taken !== slot);
	}

	/** The vehicle's pause, marked as just used; a pause that has ended is forgotten. */
	private vehiclePause(vehicleId: string, now: number): Pause | undefined {
		const pause = this.vehicles.get(vehicleId);
		if (pause === undefined) return undefined;
		this.vehicles.delete(vehicleId);
		if (pause.until > now) this.vehicles.set(vehicleId, pause);
		return pause;
	}
}

function extended(current: Pause | undefined, until: number, now: number): Pause {
	if (current && current.until >= until) return current;
	return { until, since: now };
}

/** Limiters by key, least recently used first. */
const limiters = new Map<string, RateLimiter>();

/** The key of a credential's limiter: the credential, its token URL, client ID and API base URLs (never a secret). */
export function rateLimiterKey({ credential, tokenUrl, clientId, apiBaseUrl, managementApiUrl }: RateLimiterKeyParts): string {
	return `${credential}\n${tokenUrl}\n${clientId}\n${apiBaseUrl}\n${managementApiUrl}`;
}

/** The limiter of the credential with this key, shared by everything in this process that uses it. */
export function rateLimiterFor(key: string): RateLimiter {
	const limiter = limiters.get(key) ?? new RateLimiter();
	limiters.delete(key);
	limiters.set(key, limiter);
	if (limiters.size > MAX_LIMITERS) limiters.delete(limiters.keys().next().value as string);
	return limiter;
}

/** Forgets every limiter (specs start each test from no pause). */
export function clearRateLimiters(): void {
	limiters.clear();
}
