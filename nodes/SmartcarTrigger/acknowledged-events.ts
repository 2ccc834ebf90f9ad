import { createHash } from 'crypto';

import type { AcknowledgedEvent } from './delivery-ledger';

/**
 * The workflow's own record of acknowledged Smartcar events (node static data, saved by n8n), so that a restarted
 * process or another process on the same database still knows them. Compact: each event is the first 8 bytes of the
 * SHA-256 of its key, in base64url (11 characters), and events are grouped by the minute they were acknowledged:
 *
 *     acknowledgedEvents: { "<minutes since the epoch, base 36>": "<11 chars><11 chars>…" }
 *
 * A false match needs two of at most MAX_STORED events to share 64 bits (about 1 in 10^11 per delivery). Only
 * acknowledged events are written, never one that is still being handed to n8n: a crash before the acknowledgement
 * leaves the event to Smartcar's retry, which then runs it. Entries older than RETENTION_MS are dropped.
 *
 * Written from the webhook handler, and n8n decides when to save it; n8n's static data is saved whole per delivery,
 * so each write carries everything this process knows, which also restores what an overlapping save dropped.
 */

export const STATIC_KEY = 'acknowledgedEvents';
/** The list stored by 0.1.0 (IDs recorded on receipt, before the run): not trusted, dropped at the next write. */
const LEGACY_KEY = 'recentEventIds';

const HASH_LENGTH = 11;
/** How long an acknowledged event is kept: longer than a delivery is accepted at all (see REPLAY_WINDOW_MS). */
export const RETENTION_MS = 30 * 60 * 1000;
/** At most this many events are kept (about 22 KB); beyond it the oldest minutes go first. */
export const MAX_STORED = 2000;

type Buckets = Record<string, string>;

/**
 * The de-duplication key of a delivery that carries no `eventId`: `sha256:` and the hex SHA-256 of its exact bytes.
 * The same bytes again (a replayed capture, or a resend with nothing changed) have the same key; a resend whose bytes
 * differ (e.g. a new `meta.deliveryId`) does not.
 */
export function bodyHashKey(raw: Buffer): string {
	return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** The stored form of an event key. */
export function eventHash(key: string): string {
	return createHash('sha256').update(key, 'utf8').digest().subarray(0, 8).toString('base64url');
}

function minuteOf(ms: number): string {
	return Math.floor(ms / 60_000).toString(36);
}

function bucketsOf(staticData: Record<string, unknown>): Buckets {
	const stored = staticData[STATIC_KEY];
	if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return {};
	const buckets: Buckets = {};
	for (const [minute, hashes] of Object.entries(stored)) {
		if (/^[0-9a-z]{1,10}$/.test(minute) && typeof hashes === 'string') buckets[minute] = hashes;
	}
	return buckets;
}

function hashesIn(bucket: string): string[] {
	const hashes: string[] = [];
	for (let at = 0; at + HASH_LENGTH <= bucket.length; at += HASH_LENGTH) hashes.push(bucket.slice(at, at + HASH_LENGTH));
	return hashes;
}

/** Whether the event with this hash (see eventHash) is recorded as acknowledged. Writes nothing. */
export function isAcknowledged(staticData: Record<string, unknown>, hash: string): boolean {
	return Object.values(bucketsOf(staticData)).some((bucket) => hashesIn(bucket).includes(hash));
}

/**
 * Adds acknowledged events and drops expired minutes and the legacy list. Touches static data only when something
 * changes, so n8n saves nothing for a delivery that adds no news.
 */
export function recordAcknowledged(staticData: Record<string, unknown>, events: AcknowledgedEvent[], now: number = Date.now()): void {
	const buckets = bucketsOf(staticData);
	const oldest = minuteOf(now - RETENTION_MS);
	const known = new Set<string>();
	const kept: Buckets = {};
	for (const [minute, bucket] of Object.entries(buckets)) {
		if (parseInt(minute, 36) < parseInt(oldest, 36)) continue;
		kept[minute] = bucket;
		for (const hash of hashesIn(bucket)) known.add(hash);
	}
	let changed = Object.keys(kept).length !== Object.keys(buckets).length || LEGACY_KEY in staticData;
	for (const { hash, at } of events) {
		if (known.has(hash) || at < now - RETENTION_MS) continue;
		known.add(hash);
		const minute = minuteOf(at);
		kept[minute] = (kept[minute] ?? '') + hash;
		changed = true;
	}
	if (!changed) return;
	staticData[STATIC_KEY] = newestWithin(kept, MAX_STORED);
	delete staticData[LEGACY_KEY];
}

/** The newest minutes holding at most `max` events in all (a minute that does not fit whole keeps its newest). */
function newestWithin(buckets: Buckets, max: number): Buckets {
	const minutes = Object.keys(buckets).sort((a, b) => parseInt(b, 36) - parseInt(a, 36));
	const result: Buckets = {};
	let room = max * HASH_LENGTH;
	for (const minute of minutes) {
		if (room <= 0) break;
		const bucket = buckets[minute];
		result[minute] = bucket.length <= room ? bucket : bucket.slice(bucket.length - room);
		room -= result[minute].length;
	}
	return result;
}
