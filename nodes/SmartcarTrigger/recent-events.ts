import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * The prefix under which one trigger node of one workflow keeps its keys in a process-wide RecentEvents, so two
 * triggers (or two workflows) never share a memory.
 */
export function memoryScope(context: IWebhookFunctions): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}:`;
}

/**
 * Event IDs this process has accepted recently, for de-duplicating Smartcar's at-least-once deliveries (same
 * `eventId` on every retry; retries come after 25, 50 and 100 s). Check-and-record is synchronous, so two deliveries
 * of one event arriving together in this process cannot both pass. Bounded in count and age.
 */
export class RecentEvents {
	private readonly seen = new Map<string, number>();

	constructor(
		private readonly maxEntries = 10_000,
		private readonly maxAgeMs = 24 * 60 * 60 * 1000,
	) {}

	/** True when `key` was recorded before (and is still remembered); records it otherwise. */
	checkAndRecord(key: string, now: number = Date.now()): boolean {
		const recordedAt = this.seen.get(key);
		if (recordedAt !== undefined && now - recordedAt < this.maxAgeMs) return true;
		this.seen.delete(key);
		this.seen.set(key, now);
		this.evict(now);
		return false;
	}

	/** The remembered keys that start with `prefix`, without it, oldest first. */
	idsWithPrefix(prefix: string, now: number = Date.now()): string[] {
		const ids: string[] = [];
		for (const [key, recordedAt] of this.seen) {
			if (key.startsWith(prefix) && now - recordedAt < this.maxAgeMs) ids.push(key.slice(prefix.length));
		}
		return ids;
	}

	/** True when `key` was recorded (and is still remembered); unlike checkAndRecord, records nothing. */
	has(key: string, now: number = Date.now()): boolean {
		const recordedAt = this.seen.get(key);
		return recordedAt !== undefined && now - recordedAt < this.maxAgeMs;
	}

	/** Forgets `key`, so a delivery that could not be handed to n8n can be accepted when Smartcar retries it. */
	forget(key: string): void {
		this.seen.delete(key);
	}

	private evict(now: number): void {
		for (const [key, recordedAt] of this.seen) {
			if (this.seen.size <= this.maxEntries && now - recordedAt < this.maxAgeMs) break;
			this.seen.delete(key);
		}
	}
}

/**
 * The workflow's own memory of IDs (node static data), saved by n8n: it survives restarts and is shared by
 * processes on one database. n8n saves a delivery's static data whole, so deliveries that overlap overwrite each
 * other's writes; writing what this process remembers (`alsoKnown`) along with the new ID restores the IDs an
 * overlapping delivery's save dropped.
 *
 * One list per purpose, under its own static-data key: Smartcar event IDs (`recentEventIds`, the default) and the
 * nonces of used Connect links (`usedStateNonces`, see redirect-state.ts).
 */
export interface StaticIdList {
	/** The node static-data key holding the list. */
	key: string;
	/** The newest this many IDs are kept. */
	max: number;
	/** IDs for which this is false are dropped when the list is written (e.g. nonces of expired links). */
	keep?: (id: string) => boolean;
}

/** How many event IDs the workflow's static data keeps. */
export const STATIC_DATA_MAX_IDS = 500;

const RECENT_EVENT_IDS: StaticIdList = { key: 'recentEventIds', max: STATIC_DATA_MAX_IDS };

function storedIds(staticData: Record<string, unknown>, list: StaticIdList): string[] {
	const stored = staticData[list.key];
	return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
}

/** Whether `id` is in the stored list; writes nothing. */
export function isInStaticData(staticData: Record<string, unknown>, id: string, list: StaticIdList = RECENT_EVENT_IDS): boolean {
	return storedIds(staticData, list).includes(id);
}

/**
 * Adds `id` (and `alsoKnown`) to the stored list, keeping the newest `list.max` entries that `list.keep` accepts
 * (`id` itself is always written). Returns whether `id` was already in the stored list.
 */
export function rememberInStaticData(
	staticData: Record<string, unknown>,
	id: string,
	alsoKnown: string[] = [],
	list: StaticIdList = RECENT_EVENT_IDS,
): boolean {
	const loaded = storedIds(staticData, list);
	const seen = loaded.includes(id);
	const merged = new Set(list.keep ? loaded.filter(list.keep) : loaded);
	for (const known of [...(list.keep ? alsoKnown.filter(list.keep) : alsoKnown), id]) merged.add(known);
	staticData[list.key] = [...merged].slice(-list.max);
	return seen;
}
