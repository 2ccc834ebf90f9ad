/** The fleet section of bench/RESULTS.md: each variant's sweep beside the physical bound. */
import { fleetVariantLabels, FLEET_VARIANTS, type FleetResults, type FleetRun } from '../sections/fleet';
import { duration, goal, median, spread, times, whole } from './stats';

function row(label: string, runs: FleetRun[]): string {
	const cells = [
		spread(runs.map((run) => run.wallMs), duration),
		duration(median(runs.map((run) => run.boundMs))),
		spread(runs.map((run) => run.wallMs / run.boundMs), (value) => times(value)),
		spread(runs.map((run) => run.apiRequests), whole),
		spread(runs.map((run) => run.smartcar429s), whole),
		spread(runs.map((run) => run.workflow429s), whole),
		spread(runs.map((run) => run.failedItems), whole),
	];
	return `| ${label} | ${runs[0].inFlight} | ${cells.join(' | ')} |`;
}

/** The target, checked on the default variant's every repetition. */
function targetLine(fleet: FleetResults): string {
	const runs = fleet.runs.filter((run) => run.variant === 'smartcar');
	const worst = Math.max(...runs.map((run) => run.wallMs / run.boundMs));
	const clean = runs.every((run) => run.ok && run.failedItems === 0 && run.workflow429s === 0 && run.apiRequests === fleet.vehicles + run.smartcar429s);
	return (
		`Target for the Smartcar node at its default (every repetition): within 1.1× of the bound (worst ${times(worst)}: ${goal(worst <= 1.1)}); ` +
		`0 failed items, 0 429s seen by the workflow, and one request per vehicle plus one per 429 Smartcar answered: ${goal(clean)}.`
	);
}

/** The quota variant spaces requests from the first one, so its own bound is N ÷ quota, not the bucket's. */
function quotaNote(fleet: FleetResults): string[] {
	const runs = fleet.runs.filter((run) => run.variant === 'smartcarQuota');
	if (runs.length === 0) return [];
	const boundMs = (fleet.vehicles / fleet.bucket.refillPerSecond) * 1000;
	return [
		`With Max Requests per Second = ${fleet.bucket.refillPerSecond}, requests are spaced 1 ÷ ${fleet.bucket.refillPerSecond} s apart from the first one, so the bucket's initial ${fleet.bucket.capacity} are not used: ` +
			`that variant's own bound is N ÷ quota = ${duration(boundMs)}, and it took ${spread(runs.map((run) => run.wallMs / boundMs), (value) => times(value))} of it, without a single 429.`,
		'',
	];
}

export function fleetSection(fleet: FleetResults, reps: number): string[] {
	const labels = fleetVariantLabels(fleet, fleet.defaultInFlight);
	const lines = [
		'## 6. Fleet sweep',
		'',
		`One execution sweeps ${fleet.vehicles} vehicles (Set node with the rows → Split Out → Signal → Get Many, one item per vehicle; the HTTP Request node calls the same \`GET /vehicles/{id}/signals\`), ` +
			`simulator latency ${fleet.latencyMs} ms ± ${fleet.jitterMs} ms, an application bucket of ${fleet.bucket.capacity} requests refilled at ${fleet.bucket.refillPerSecond} per second ` +
			'(then 429 RATE_LIMIT:SMARTCAR_API with `retry-after`, full at the start of each run). Every variant continues on fail, so a failed item is an output item carrying an error. ' +
			'Wall time: webhook call until the answer with every item. Bound: max(N × latency ÷ in-flight, (N − capacity) ÷ refill). ' +
			`Requests and 429s counted at the simulator. Median of ${reps} repetition(s) (min–max); Requests in Flight 1 once.`,
		'',
		'| Variant | In flight | Wall time | Bound | Wall ÷ bound | Requests | 429s at Smartcar | 429s seen by the workflow | Failed items |',
		'|---|---|---|---|---|---|---|---|---|',
	];
	for (const variant of FLEET_VARIANTS) {
		const runs = fleet.runs.filter((run) => run.variant === variant);
		if (runs.length > 0) lines.push(row(labels[variant], runs));
	}
	lines.push('', targetLine(fleet), '', ...quotaNote(fleet));
	return lines;
}
