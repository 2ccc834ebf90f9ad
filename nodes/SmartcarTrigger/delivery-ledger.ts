/**
 * What this process knows about the Smartcar events one trigger received: which are being handed to n8n right now
 * (in flight) and which were acknowledged to Smartcar with a 2xx (done). An event counts as done only once its
 * acknowledgement went out: until then a crash, a failed run or a refused answer leaves it to Smartcar's retries, so
 * de-duplication can never drop an event that did not run.
 *
 * Check-and-record is synchronous, so two deliveries of one event arriving together in this process cannot both
 * pass. Bounded in count (least recently used first) and in age.
 */

export type DeliveryState = 'new' | 'inFlight' | 'done';

interface Entry {
	state: 'inFlight' | 'done';
	at: number;
	/** The event's stored form (see acknowledged-events.ts), computed once. */
	hash: string;
}

/** An acknowledged event and when it was acknowledged. */
export interface AcknowledgedEvent {
	hash: string;
	at: number;
}

/**
 * An in-flight entry older than this is taken as abandoned (its response was not seen to finish or close). Smartcar
 * waits 15 s for an answer and retries after 25 s at the earliest, so a minute never holds back a genuine retry.
 */
const IN_FLIGHT_STALE_MS = 60 * 1000;

export class DeliveryLedger {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly maxEntries = 10_000,
		private readonly maxAgeMs = 24 * 60 * 60 * 1000,
	) {}

	/**
	 * Where the event `key` stands, recording it as in flight when it is new (or its earlier record is too old to
	 * count): `done` (acknowledged before), `inFlight` (another delivery of it is being handled), or `new`.
	 */
	begin(key: string, hash: string, now: number = Date.now()): DeliveryState {
		const entry = this.entries.get(key);
		if (entry?.state === 'done' && now - entry.at < this.maxAgeMs) return 'done';
		if (entry?.state === 'inFlight' && now - entry.at < IN_FLIGHT_STALE_MS) return 'inFlight';
		this.set(key, { state: 'inFlight', at: now, hash });
		return 'new';
	}

	/** Smartcar got a 2xx for `key` (or the workflow's stored record says so): from now on it is a repeat. */
	acknowledge(key: string, hash: string, now: number = Date.now()): void {
		this.set(key, { state: 'done', at: now, hash });
	}

	/** The delivery of `key` ended without a 2xx: a later delivery of it is handled as new. */
	release(key: string): void {
		if (this.entries.get(key)?.state === 'inFlight') this.entries.delete(key);
	}

	/** The newest acknowledged events (at most `max`) acknowledged at or after `since`, newest first. */
	acknowledgedSince(since: number, max: number): AcknowledgedEvent[] {
		const done: AcknowledgedEvent[] = [];
		const newestFirst = [...this.entries.values()].reverse();
		for (const entry of newestFirst) {
			if (done.length >= max || entry.at < since) break;
			if (entry.state === 'done') done.push({ hash: entry.hash, at: entry.at });
		}
		return done;
	}

	private set(key: string, entry: Entry): void {
		this.entries.delete(key);
		this.entries.set(key, entry);
		for (const [oldest, { at }] of this.entries) {
			if (this.entries.size <= this.maxEntries && entry.at - at < this.maxAgeMs) break;
			this.entries.delete(oldest);
		}
	}
}

/** One ledger per trigger (workflow and node) in this process, the least recently used dropped beyond `max`. */
export class DeliveryLedgers {
	private readonly ledgers = new Map<string, DeliveryLedger>();

	constructor(private readonly max = 1000) {}

	for(scope: string): DeliveryLedger {
		let ledger = this.ledgers.get(scope);
		if (ledger) this.ledgers.delete(scope);
		else ledger = new DeliveryLedger();
		this.ledgers.set(scope, ledger);
		if (this.ledgers.size > this.max) {
			const oldest = this.ledgers.keys().next().value;
			if (oldest !== undefined) this.ledgers.delete(oldest);
		}
		return ledger;
	}
}
