/** Small numeric helpers for the benchmarks: medians, percentiles and formatting. */

export function median(values: readonly number[]): number {
	const finite = values.filter((value) => Number.isFinite(value));
	if (finite.length === 0) return Number.NaN;
	const sorted = [...finite].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted list. */
export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
	return sorted[rank - 1];
}

export function ratio(numerator: number, denominator: number): number {
	return denominator > 0 && Number.isFinite(numerator) ? numerator / denominator : Number.NaN;
}

/** A number with `digits` decimals, or "n/a". */
export function fixed(value: number, digits = 1): string {
	return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** A ratio as `1.02×`. */
export function times(value: number, digits = 2): string {
	return Number.isFinite(value) ? `${value.toFixed(digits)}×` : 'n/a';
}

/** Milliseconds as `12.3 s` (≥ 10 s), `1.23 s` or `45 ms`. */
export function duration(ms: number): string {
	if (!Number.isFinite(ms)) return 'n/a';
	if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
	if (ms >= 1_000) return `${(ms / 1000).toFixed(2)} s`;
	return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

export function bytes(count: number): string {
	if (!Number.isFinite(count)) return 'n/a';
	if (count >= 1024 * 1024) return `${(count / 1024 / 1024).toFixed(2)} MiB`;
	if (count >= 1024) return `${(count / 1024).toFixed(1)} KiB`;
	return `${count} B`;
}

/** The values of one key of several repetitions, e.g. `pick(reps, (r) => r.wallMs)`. */
export function pick<T>(rows: readonly T[], get: (row: T) => number): number[] {
	return rows.map(get);
}

/** `median (min–max)` of several repetitions, for tables that show the spread. */
export function spread(values: readonly number[], format: (value: number) => string): string {
	const finite = values.filter((value) => Number.isFinite(value));
	if (finite.length === 0) return 'n/a';
	if (finite.length === 1) return format(finite[0]);
	return `${format(median(finite))} (${format(Math.min(...finite))}–${format(Math.max(...finite))})`;
}

export const whole = (value: number): string => fixed(value, 0);

export const goal = (met: boolean): string => (met ? 'met' : '**missed**');

/** Median over repetitions of the per-repetition ratio a ÷ b (paired: both measured in the same repetition). */
export function pairedRatio<T extends { rep: number }>(rows: readonly T[], isA: (row: T) => boolean, isB: (row: T) => boolean, get: (row: T) => number): number {
	const ratios: number[] = [];
	for (const a of rows.filter(isA)) {
		const b = rows.find((row) => isB(row) && row.rep === a.rep);
		if (b) ratios.push(ratio(get(a), get(b)));
	}
	return median(ratios);
}
