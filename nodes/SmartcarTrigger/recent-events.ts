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
 * The workflow's own memory of event IDs (node static data), saved by n8n: it survives restarts and is shared by
 * processes on one database. n8n saves a delivery's static data whole, so deliveries that overlap overwrite each
 * other's writes; writing what this process remembers (`alsoKnown`) along with the new ID restores the IDs an
 * overlapping delivery's save dropped.
 *
 * Returns whether `eventId` was already in the stored list.
 */
export const STATIC_DATA_MAX_IDS = 500;

export function rememberInStaticData(
	staticData: { recentEventIds?: unknown },
	eventId: string,
	alsoKnown: string[] = [],
): boolean {
	const loaded = Array.isArray(staticData.recentEventIds)
		? staticData.recentEventIds.filter((id): id is string => typeof id === 'string')
		: [];
	const seen = loaded.includes(eventId);
	const merged = new Set(loaded);
	for (const id of [...alsoKnown, eventId]) merged.add(id);
	staticData.recentEventIds = [...merged].slice(-STATIC_DATA_MAX_IDS);
	return seen;
}
