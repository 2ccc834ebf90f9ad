/**
 * How the router's checked items run: consecutive reads form a group that runs up to `limit` items at once, never two
 * items with the same key (vehicle) at once, starting items in input order as far as those two rules allow; any
 * other operation (a command, a subscribe…) is a group of its own, so state changes run one at a time in input order.
 * No timers: it only waits for the items it started.
 */

/** What one item's run gave: its value, or what it threw. `undefined` in the result: the item never started. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface InFlightPlan {
	/** Items 0 … count − 1. */
	count: number;
	/** How many items may run at once (1: one after the other, in order). */
	limit: number;
	/** Items with the same key never run at the same time and run in their order; undefined: no such rule. */
	keyOf(position: number): string | undefined;
	/**
	 * true (no Continue On Fail): once an item fails, only items before it are still started, so the first failure in
	 * input order is the same one a one-at-a-time run would have met.
	 */
	stopAfterFailure: boolean;
	/** Asked before each start: true when the execution was stopped (nothing more is started). */
	stopped(): boolean;
}

/** Picks and removes the first pending position that may start now, if any. */
function takeNext(pending: number[], keys: Array<string | undefined>, busy: Set<string>, cutoff: number): number | undefined {
	for (let p = 0; p < pending.length; p++) {
		const position = pending[p];
		if (position >= cutoff) return undefined;
		const key = keys[position];
		if (key === undefined || !busy.has(key)) {
			pending.splice(p, 1);
			return position;
		}
	}
	return undefined;
}

/**
 * Runs `run` for the plan's items and resolves once every started item has settled (nothing is left running
 * unobserved, even after a failure or a stop). The outcomes are in item order, whatever order they finished in.
 */
async function runInFlight<T>(plan: InFlightPlan, run: (position: number) => Promise<T>): Promise<Array<Outcome<T> | undefined>> {
	const outcomes: Array<Outcome<T> | undefined> = new Array<Outcome<T> | undefined>(plan.count).fill(undefined);
	const keys = Array.from({ length: plan.count }, (_, position) => plan.keyOf(position));
	const pending = Array.from({ length: plan.count }, (_, position) => position);
	const busy = new Set<string>();
	const running = new Set<Promise<void>>();
	const limit = Math.max(1, Math.floor(plan.limit));
	let cutoff = plan.count;

	const settle = async (position: number): Promise<void> => {
		try {
			outcomes[position] = { ok: true, value: await run(position) };
		} catch (error) {
			outcomes[position] = { ok: false, error };
			if (plan.stopAfterFailure) cutoff = Math.min(cutoff, position);
		}
	};
	const start = (position: number): void => {
		const key = keys[position];
		if (key !== undefined) busy.add(key);
		const task: Promise<void> = settle(position).then(() => {
			if (key !== undefined) busy.delete(key);
			running.delete(task);
		});
		running.add(task);
	};

	for (;;) {
		while (running.size < limit && !plan.stopped()) {
			const next = takeNext(pending, keys, busy, cutoff);
			if (next === undefined) break;
			start(next);
		}
		if (running.size === 0) break;
		await Promise.race(running);
	}
	return outcomes;
}

/** What scheduling needs to know of one item: whether it may run beside others, and the vehicle it reads. */
export interface ScheduledItem {
	/** true for reads (and for invalid items, kept as errors in the group of reads around them). */
	concurrent: boolean;
	key?: string;
}

/**
 * The items in the groups a run goes through, in input order: each run of consecutive concurrent items is one group;
 * any other item is a group of its own.
 */
function groupsOf(items: ScheduledItem[]): number[][] {
	const groups: number[][] = [];
	let reads: number[] = [];
	items.forEach((item, itemIndex) => {
		if (item.concurrent) {
			reads.push(itemIndex);
			return;
		}
		if (reads.length > 0) groups.push(reads);
		reads = [];
		groups.push([itemIndex]);
	});
	if (reads.length > 0) groups.push(reads);
	return groups;
}

export interface RunPlan {
	/** Requests in Flight: how many reads of a group may run at once. */
	limit: number;
	/** See InFlightPlan.stopAfterFailure; also: no later group is started once an item failed. */
	stopAfterFailure: boolean;
	stopped(): boolean;
}

/**
 * Runs every item, group after group (see groupsOf), and resolves once every started item has settled, with the
 * outcomes in item order (`undefined`: never started, after a stop or after a failure with stopAfterFailure).
 */
export async function runGroups<T>(
	items: ScheduledItem[],
	plan: RunPlan,
	run: (itemIndex: number) => Promise<T>,
): Promise<Array<Outcome<T> | undefined>> {
	const outcomes: Array<Outcome<T> | undefined> = new Array<Outcome<T> | undefined>(items.length).fill(undefined);
	for (const group of groupsOf(items)) {
		const groupOutcomes = await runInFlight(
			{
				count: group.length,
				limit: plan.limit,
				keyOf: (position) => items[group[position]].key,
				stopAfterFailure: plan.stopAfterFailure,
				stopped: plan.stopped,
			},
			async (position) => await run(group[position]),
		);
		groupOutcomes.forEach((outcome, position) => (outcomes[group[position]] = outcome));
		if (plan.stopAfterFailure && groupOutcomes.some((outcome) => outcome !== undefined && !outcome.ok)) break;
	}
	return outcomes;
}
