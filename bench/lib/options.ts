/**
 * Command-line options of `npm run bench` (also readable from the environment, for `npm run bench` where extra
 * arguments need `--`):
 *
 *   npm run bench                                  full run, writes bench/RESULTS.md
 *   npm run bench -- --quick                       small N, 1 repetition (development), writes bench/RESULTS.partial.md
 *   npm run bench -- --only token,overhead --reps 3
 *   BENCH_ONLY=webhook BENCH_REPS=2 npm run bench
 *
 * --only <sections>     token, overhead, webhook, webhook-lazy, footprint, queue, fleet (comma-separated; default all)
 * --reps <n>            repetitions per measurement (default 3; --quick 1)
 * --items <n>           items per execution in the per-item overhead run (default 1000; --quick 100)
 * --deliveries <n>      webhook deliveries per variant and repetition (default 2000; --quick 200)
 * --concurrency <n>     concurrent webhook deliveries (default 16)
 * --burst-seconds <n>   time cap of one delivery burst (default 15; --quick 8); the burst ends at the count or the cap
 * --latency <ms>        simulator latency for the overhead run (default 2)
 * --executions <n>      executions per batch in the token-economy run (default 10; --quick 4)
 * --token-items <n>     items per execution in the token-economy run (default 10; --quick 3)
 * --starts <n>          n8n starts per variant in the footprint run (default 3; --quick 1)
 * --vehicles <n>        vehicles swept in the fleet run (default 1000; --quick 100)
 * --fleet-latency <ms>  simulator latency for the fleet run (default 250, ± a fifth of it, at most 50 ms, jitter)
 * --render <json>       only re-render the report from a run's raw numbers (e.g. bench/RESULTS.json) into the .md beside it
 * --out <file>          where to write the report (default bench/RESULTS.md for a full run, else bench/RESULTS.partial.md)
 */
import { join } from 'node:path';

export const SECTIONS = ['token', 'overhead', 'webhook', 'webhook-lazy', 'footprint', 'queue', 'fleet'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
	quick: boolean;
	sections: Section[];
	reps: number;
	overheadItems: number;
	overheadLatencyMs: number;
	deliveries: number;
	concurrency: number;
	/** Upper bound on one variant's delivery burst. */
	deliveryTimeCapMs: number;
	tokenExecutions: number;
	tokenItems: number;
	tokenConcurrency: number;
	queueExecutions: number;
	starts: number;
	fleetVehicles: number;
	fleetLatencyMs: number;
	fleetJitterMs: number;
	/** The simulator's application bucket in the fleet run. */
	fleetBucket: { capacity: number; refillPerSecond: number };
	out: string;
	/** Whether this run covers every section at full size (only such a run writes RESULTS.md by default). */
	full: boolean;
}

const BENCH_DIR = join(__dirname, '..');

function readFlag(args: string[], name: string): string | undefined {
	const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
	if (index < 0) return undefined;
	const arg = args[index];
	if (arg.includes('=')) return arg.slice(arg.indexOf('=') + 1);
	const next = args[index + 1];
	return next === undefined || next.startsWith('--') ? 'true' : next;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	const parsed = Number(value);
	if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive whole number, got "${value}"`);
	return parsed;
}

function nonNegative(value: string | undefined, name: string, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	const parsed = Number(value);
	if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be 0 or more, got "${value}"`);
	return parsed;
}

export function parseOptions(args: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
	const known = new Set(['quick', 'only', 'reps', 'items', 'deliveries', 'concurrency', 'burst-seconds', 'latency', 'executions', 'token-items', 'starts', 'vehicles', 'fleet-latency', 'out', 'render', 'help']);
	for (const arg of args) {
		if (!arg.startsWith('--')) continue;
		const name = arg.slice(2).split('=')[0];
		if (!known.has(name)) throw new Error(`unknown option --${name} (known: ${[...known].map((k) => `--${k}`).join(', ')})`);
	}
	const get = (flag: string, envName: string): string | undefined => readFlag(args, flag) ?? env[envName];
	const quickValue = get('quick', 'BENCH_QUICK');
	const quick = quickValue !== undefined && quickValue !== '0' && quickValue !== 'false';
	const onlyValue = get('only', 'BENCH_ONLY');
	let sections: Section[] = [...SECTIONS];
	if (onlyValue && onlyValue !== 'true') {
		const wanted = onlyValue.split(',').map((part) => part.trim()).filter(Boolean);
		const unknown = wanted.filter((part) => !(SECTIONS as readonly string[]).includes(part));
		if (unknown.length > 0) throw new Error(`--only: unknown section(s) ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
		sections = SECTIONS.filter((section) => wanted.includes(section));
	}
	const reps = positiveInt(get('reps', 'BENCH_REPS'), 'reps', quick ? 1 : 3);
	const options: BenchOptions = {
		quick,
		sections,
		reps,
		overheadItems: positiveInt(get('items', 'BENCH_ITEMS'), 'items', quick ? 100 : 1000),
		overheadLatencyMs: nonNegative(get('latency', 'BENCH_LATENCY_MS'), 'latency', 2),
		deliveries: positiveInt(get('deliveries', 'BENCH_DELIVERIES'), 'deliveries', quick ? 200 : 2000),
		concurrency: positiveInt(get('concurrency', 'BENCH_CONCURRENCY'), 'concurrency', 16),
		deliveryTimeCapMs: positiveInt(get('burst-seconds', 'BENCH_BURST_SECONDS'), 'burst-seconds', quick ? 8 : 15) * 1000,
		tokenExecutions: positiveInt(get('executions', 'BENCH_EXECUTIONS'), 'executions', quick ? 4 : 10),
		tokenItems: positiveInt(get('token-items', 'BENCH_TOKEN_ITEMS'), 'token-items', quick ? 3 : 10),
		tokenConcurrency: 5,
		queueExecutions: 20,
		starts: positiveInt(get('starts', 'BENCH_STARTS'), 'starts', quick ? 1 : 3),
		fleetVehicles: positiveInt(get('vehicles', 'BENCH_VEHICLES'), 'vehicles', quick ? 100 : 1000),
		fleetLatencyMs: nonNegative(get('fleet-latency', 'BENCH_FLEET_LATENCY_MS'), 'fleet-latency', 250),
		fleetJitterMs: 0,
		fleetBucket: { capacity: quick ? 30 : 100, refillPerSecond: 20 },
		out: '',
		full: false,
	};
	options.fleetJitterMs = Math.min(50, options.fleetLatencyMs / 5);
	options.full = !quick && sections.length === SECTIONS.length;
	const out = get('out', 'BENCH_OUT');
	options.out = out && out !== 'true' ? out : join(BENCH_DIR, options.full ? 'RESULTS.md' : 'RESULTS.partial.md');
	return options;
}

/** `--render <file.json>`: the raw results to re-render, if given. */
export function renderSource(args: string[] = process.argv.slice(2)): string | undefined {
	const value = readFlag(args, 'render');
	return value && value !== 'true' ? value : undefined;
}

export function wantsHelp(args: string[] = process.argv.slice(2)): boolean {
	return args.includes('--help') || args.includes('-h');
}
