/**
 * The rate limiter's arithmetic (nodes/shared/rate-limiter.ts), on given times: pauses per application and per
 * vehicle, the bound beyond which a pause or a slot refuses instead of waiting, spacing under Max Requests per Second
 * with slots given back, bounded state, and one limiter per credential, never keyed by the secret.
 */
import { clearRateLimiters, MAX_VEHICLE_PAUSES, RateLimiter, rateLimiterFor, rateLimiterKey, type SlotClearance } from '../../nodes/shared/rate-limiter';

const T0 = 1_000_000;
const BOUND_MS = 60_000;

describe('pauses', () => {
	test('an application pause holds every request; a vehicle pause only that vehicle', () => {
		const limiter = new RateLimiter();
		limiter.pause('car-1', 2, T0);
		expect(limiter.clearance('car-1', T0 + 500, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait', ms: 1500 });
		expect(limiter.clearance('car-2', T0 + 500, T0 - 1, BOUND_MS)).toEqual({ kind: 'go' });
		expect(limiter.clearance(undefined, T0 + 500, T0 - 1, BOUND_MS)).toEqual({ kind: 'go' });
		limiter.pause(undefined, 3, T0 + 1000);
		expect(limiter.clearance('car-2', T0 + 1000, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait', ms: 3000 });
		expect(limiter.clearance(undefined, T0 + 4000, T0 - 1, BOUND_MS)).toEqual({ kind: 'go' });
	});

	test('a shorter pause never shortens a longer one', () => {
		const limiter = new RateLimiter();
		limiter.pause(undefined, 10, T0);
		limiter.pause(undefined, 1, T0 + 1000);
		expect(limiter.clearance(undefined, T0 + 2000, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait', ms: 8000 });
	});

	test('beyond the bound: refused, with the seconds left, to callers running when it was asked for; later ones ask once', () => {
		const limiter = new RateLimiter();
		limiter.pause(undefined, 120, T0);
		expect(limiter.clearance('car-1', T0 + 400, T0 - 5, BOUND_MS)).toEqual({ kind: 'refused', vehicleId: undefined, seconds: 120 });
		expect(limiter.clearance('car-1', T0 + 400, T0 + 100, BOUND_MS)).toEqual({ kind: 'go' });
		limiter.pause('car-1', 90, T0 + 1000);
		expect(limiter.clearance('car-1', T0 + 1000, T0 + 100, BOUND_MS)).toEqual({ kind: 'refused', vehicleId: 'car-1', seconds: 90 });
		// Once the rest of the pause is within the bound, everyone waits for it.
		expect(limiter.clearance(undefined, T0 + 70_000, T0 + 100, BOUND_MS)).toMatchObject({ kind: 'wait', ms: 50_000 });
	});
	test("a wait names the pause waited for: the caller's own when it set or extended it, else another's", () => {
		const limiter = new RateLimiter();
		const mine = limiter.pause(undefined, 2, T0);
		expect(limiter.clearance(undefined, T0, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait', pause: mine });
		expect(limiter.pause(undefined, 1, T0 + 10)).toBe(mine);
		const theirs = limiter.pause(undefined, 3, T0 + 20);
		expect(theirs).not.toBe(mine);
		expect(limiter.clearance('car-1', T0 + 30, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait', pause: theirs });
	});
});

describe('vehicle pauses are bounded, the least recently used forgotten first', () => {
	test(`20,000 vehicles paused at once: at most ${MAX_VEHICLE_PAUSES} kept, the newest and the recently used among them`, () => {
		const limiter = new RateLimiter();
		limiter.pause('car-kept', 30, T0);
		for (let n = 0; n < 20_000; n++) {
			limiter.pause(`car-${n}`, 30, T0);
			// car-kept is read now and then, so it stays among the recently used.
			if (n % 500 === 0) limiter.clearance('car-kept', T0, T0 - 1, BOUND_MS);
		}
		expect(limiter.vehicleCount).toBe(MAX_VEHICLE_PAUSES);
		expect(limiter.clearance('car-19999', T0, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait' });
		expect(limiter.clearance('car-kept', T0, T0 - 1, BOUND_MS)).toMatchObject({ kind: 'wait' });
		expect(limiter.clearance('car-0', T0, T0 - 1, BOUND_MS)).toEqual({ kind: 'go' });
	});

	test('a pause that has ended is forgotten when next asked about', () => {
		const limiter = new RateLimiter();
		limiter.pause('car-1', 1, T0);
		expect(limiter.clearance('car-1', T0 + 2000, T0, BOUND_MS)).toEqual({ kind: 'go' });
		expect(limiter.vehicleCount).toBe(0);
	});
});

describe('Max Requests per Second', () => {
	const msOf = (taken: SlotClearance) => (taken.kind === 'slot' ? taken.ms : `refused ${taken.seconds} s`);

	test('hands out one slot every 1000 ÷ N ms, in order; 0 means no spacing', () => {
		const limiter = new RateLimiter();
		expect([0, 0, 0, 0].map(() => msOf(limiter.reserveSlot(T0, 4, BOUND_MS)))).toEqual([0, 250, 500, 750]);
		expect(msOf(limiter.reserveSlot(T0 + 2000, 4, BOUND_MS))).toBe(0);
		expect(msOf(limiter.reserveSlot(T0 + 2100, 0.5, BOUND_MS))).toBe(1900);
		expect(msOf(limiter.reserveSlot(T0 + 2100, 0, BOUND_MS))).toBe(0);
	});

	test('a slot further away than the bound is refused, and nothing is taken', () => {
		const limiter = new RateLimiter();
		expect(msOf(limiter.reserveSlot(T0, 0.02, BOUND_MS))).toBe(0);
		expect(msOf(limiter.reserveSlot(T0, 0.02, BOUND_MS))).toBe(50_000);
		expect(msOf(limiter.reserveSlot(T0, 0.02, BOUND_MS))).toBe('refused 100 s');
		expect(msOf(limiter.reserveSlot(T0, 0.02, BOUND_MS))).toBe('refused 100 s');
	});

	test('a slot given back is taken by the next request; the slots before and after it stay', () => {
		const limiter = new RateLimiter();
		const taken = [0, 1, 2, 3].map(() => limiter.reserveSlot(T0, 2, BOUND_MS));
		for (const slot of taken.slice(1)) if (slot.kind === 'slot') limiter.release(slot.slot);
		expect(msOf(limiter.reserveSlot(T0 + 100, 2, BOUND_MS))).toBe(400);
		const [, second] = [limiter.reserveSlot(T0 + 100, 2, BOUND_MS), limiter.reserveSlot(T0 + 100, 2, BOUND_MS)];
		if (second.kind === 'slot') limiter.release(second.slot);
		expect(msOf(limiter.reserveSlot(T0 + 100, 2, BOUND_MS))).toBe(1400);
	});
});

describe('one limiter per credential', () => {
	const parts = { credential: 'cred-1', tokenUrl: 'https://t.example/token', clientId: 'client', apiBaseUrl: 'https://a.example/v3', managementApiUrl: 'https://m.example/v3' };

	beforeEach(() => clearRateLimiters());

	test('the same key gives the same limiter; another credential, client ID or URL another one', () => {
		const limiter = rateLimiterFor(rateLimiterKey(parts));
		expect(rateLimiterFor(rateLimiterKey({ ...parts }))).toBe(limiter);
		expect(rateLimiterFor(rateLimiterKey({ ...parts, credential: 'cred-2' }))).not.toBe(limiter);
		expect(rateLimiterFor(rateLimiterKey({ ...parts, clientId: 'other' }))).not.toBe(limiter);
		expect(rateLimiterFor(rateLimiterKey({ ...parts, apiBaseUrl: 'https://b.example/v3' }))).not.toBe(limiter);
		clearRateLimiters();
		expect(rateLimiterFor(rateLimiterKey(parts))).not.toBe(limiter);
	});

	test('the key holds no secret: it is built from the credential, the URLs and the client ID only', () => {
		const key = rateLimiterKey({ ...parts, clientSecret: 'top-secret-value' } as typeof parts);
		expect(key).not.toContain('top-secret-value');
		expect(key).toBe(rateLimiterKey(parts));
	});
});
