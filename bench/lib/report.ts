/** Renders a run's results as bench/RESULTS.md (medians of the repetitions, with min–max where useful). */
import type { FleetResults } from '../sections/fleet';
import type { FootprintResults } from '../sections/footprint';
import { OVERHEAD_VARIANT_LABELS, OVERHEAD_VARIANTS, type OverheadResults, type OverheadVariant } from '../sections/overhead';
import { QUEUE_VARIANT_LABELS, QUEUE_VARIANTS, type QueueResults } from '../sections/queue';
import { TOKEN_VARIANT_LABELS, TOKEN_VARIANTS, type BatchResult, type TokenResults } from '../sections/token';
import type { BenchOptions } from './options';
import type { WebhookResults } from '../sections/webhook';
import { fleetSection } from './report-fleet';
import { webhookSection } from './report-webhook';
import type { MachineInfo, Versions } from './machine';
import { bytes, duration, fixed, goal, median, pairedRatio, ratio, spread, times, whole } from './stats';

export interface Background {
	/** Share of the whole machine (all cores) busy in a few seconds sampled before the run / after cleanup. */
	busyBefore: number;
	busyAfter: number;
	load1Before: number;
	load1After: number;
	/** Share of the machine busy over the whole run (this run included). */
	busyDuringRun: number;
	/** Of the machine's busy CPU time during the run, how much was neither this bench nor the n8n processes it started (estimate). */
	othersShare?: number;
}

export interface BenchResults {
	startedAt: string;
	durationMs: number;
	command: string;
	options: BenchOptions;
	machine: MachineInfo;
	versions: Versions;
	background: Background;
	sectionMs: Record<string, number>;
	errors: Record<string, string>;
	token?: TokenResults;
	overhead?: OverheadResults;
	webhook?: WebhookResults;
	footprint?: FootprintResults;
	queue?: QueueResults;
	fleet?: FleetResults;
	/** The webhook section on an n8n with lazy expression isolates. */
	webhookLazy?: WebhookResults;
}

const pct = (share: number): string => (Number.isFinite(share) ? `${Math.round(share * 100)} %` : 'n/a');
const medianOf = <T>(rows: readonly T[], get: (row: T) => number): number => median(rows.map(get));

function batchCells(batches: BatchResult[]): string[] {
	return [
		spread(batches.map((b) => b.exchanges), whole),
		spread(batches.map((b) => b.failedRequests), whole),
		spread(batches.map((b) => b.executionsFailed), whole),
	];
}

/** One line per batch that had failed executions, with the error n8n recorded. */
function failureNotes(entries: Array<{ label: string; batches: BatchResult[] }>): string[] {
	const notes: string[] = [];
	for (const entry of entries) {
		entry.batches.forEach((batch, index) => {
			if (batch.executionsFailed > 0) {
				notes.push(`- ${entry.label}, ${index === 0 ? 'fresh' : 'after expiry'}: ${batch.executionsFailed} failed run(s): ${batch.failure ?? 'no detail'}`);
			}
		});
	}
	return notes.length > 0 ? ['Failed executions:', '', ...notes, ''] : [];
}

function tokenSection(token: TokenResults, reps: number): string[] {
	const lines = [
		'## 1. Token economy',
		'',
		`${token.executions} executions × ${token.items} items per batch (${token.concurrency} executions at a time, each started by a published Webhook workflow that answers when the run ends). ` +
			'Batch 1 on a fresh credential; then the simulator expires every token (`sim.expireTokens()`); batch 2 across the expiry. ' +
			`Token exchanges and non-2xx answers counted at the simulator; a failed execution is a webhook call not answered 2xx. Median of ${reps} repetition(s) (min–max).`,
		'',
		'| Variant | Exchanges, fresh | Non-2xx, fresh | Failed runs, fresh | Exchanges, after expiry | Non-2xx, after expiry | Failed runs, after expiry | Goal (≤ 1 exchange per lifetime, no failed run) |',
		'|---|---|---|---|---|---|---|---|',
	];
	for (const variant of TOKEN_VARIANTS) {
		const runs = token.runs.filter((run) => run.variant === variant);
		if (runs.length === 0) continue;
		const fresh = runs.map((run) => run.fresh);
		const after = runs.map((run) => run.afterExpiry);
		const met = runs.every((run) => run.fresh.exchanges <= 1 && run.afterExpiry.exchanges <= 1 && run.fresh.executionsFailed === 0 && run.afterExpiry.executionsFailed === 0);
		lines.push(`| ${TOKEN_VARIANT_LABELS[variant]} | ${[...batchCells(fresh), ...batchCells(after)].join(' | ')} | ${goal(met)} |`);
	}
	lines.push(
		'',
		'Non-2xx answers after the expiry are the API\'s 401s that make n8n renew the token and retry (not seen by the workflow unless the run failed). ' +
			'How each variant gets there (n8n 2.41.1): (a) n8n calls the credential\'s preAuthentication when the stored token is empty or was refused, and the package lets concurrent callers in one process share one exchange; ' +
			'(b) the HTTP Request node sends an execution\'s items at once and, on an empty credential, each request fetches its own token (no lock), while the renewal after a 401 is single-flighted by n8n; ' +
			'(c) exchanges once per execution by construction.',
		'',
	);
	lines.push(...failureNotes(token.runs.map((run) => ({ label: `${TOKEN_VARIANT_LABELS[run.variant]}, repetition ${run.rep}`, batches: [run.fresh, run.afterExpiry] }))));
	return lines;
}

function overheadSection(overhead: OverheadResults, reps: number): string[] {
	const byVariant = (variant: OverheadVariant) => overhead.runs.filter((run) => run.variant === variant);
	const wall = (variant: OverheadVariant): number => medianOf(byVariant(variant), (run) => run.wallMs);
	const cpu = (variant: OverheadVariant): number => medianOf(byVariant(variant), (run) => run.cpuMs);
	const lines = [
		'## 2. Per-item overhead',
		'',
		`One execution of ${overhead.items} items (Set node with the rows → Split Out → the call), simulator latency ${overhead.latencyMs} ms. ` +
			'Wall time: webhook call until the last node\'s answer. CPU time: the n8n process group (n8n + task runner, /proc utime + stime) from just before the call until n8n is idle again. ' +
			`Execution data not saved on success. Median of ${reps} repetition(s) (min–max), after one warm-up run each.`,
		'',
		'| Variant | Wall time | CPU time | CPU per item | API requests | Failed runs |',
		'|---|---|---|---|---|---|',
	];
	for (const variant of OVERHEAD_VARIANTS) {
		const runs = byVariant(variant);
		if (runs.length === 0) continue;
		lines.push(
			`| ${OVERHEAD_VARIANT_LABELS[variant]} | ${spread(runs.map((r) => r.wallMs), duration)} | ${spread(runs.map((r) => r.cpuMs), duration)} | ` +
				`${fixed(cpu(variant) / overhead.items, 2)} ms | ${whole(medianOf(runs, (r) => r.apiRequests))} | ${runs.filter((r) => !r.ok).length} |`,
		);
	}
	const paired = (get: (run: OverheadResults['runs'][number]) => number): number =>
		pairedRatio(overhead.runs, (run) => run.variant === 'smartcar', (run) => run.variant === 'http', get);
	const wallRatio = paired((run) => run.wallMs);
	const cpuRatio = paired((run) => run.cpuMs);
	const baselineCpu = (rep: number): number => overhead.runs.find((run) => run.variant === 'baseline' && run.rep === rep)?.cpuMs ?? Number.NaN;
	const nodeCpuRatio = paired((run) => run.cpuMs - baselineCpu(run.rep));
	lines.push(
		'',
		'Ratios are medians of the per-repetition ratios (each pair measured back to back).',
		'',
		'| Smartcar node ÷ HTTP Request | Value | Goal |',
		'|---|---|---|',
		`| CPU time | ${times(cpuRatio)} | ≤ 1.0: ${goal(cpuRatio <= 1.0)} |`,
		`| CPU time of the call node alone (each minus the baseline of the same repetition) | ${times(nodeCpuRatio)} | ≤ 1.0: ${goal(nodeCpuRatio <= 1.0)} |`,
		`| Wall time | ${times(wallRatio)} | ≤ 1.05: ${goal(wallRatio <= 1.05)} |`,
		'',
		`Ratio of the medians instead: CPU ${times(ratio(cpu('smartcar'), cpu('http')))}, wall ${times(ratio(wall('smartcar'), wall('http')))}. ` +
			'The Smartcar node runs up to Requests in Flight items at once (its default); the HTTP Request node sends all items\' requests at once unless batching is set.',
		'',
	);
	return lines;
}

function footprintSection(footprint: FootprintResults): string[] {
	const withMs = median(footprint.startsWith);
	const withoutMs = median(footprint.startsWithout);
	const all = [...footprint.startsWith, ...footprint.startsWithout];
	const startSpread = all.length > 0 ? Math.max(...all) - Math.min(...all) : Number.NaN;
	return [
		'## 4. Footprint',
		'',
		'| Measure | Value |',
		'|---|---|',
		`| Packed size (\`npm pack\`) | ${bytes(footprint.pack.sizeBytes)} (${footprint.pack.sizeBytes} B) |`,
		`| Unpacked size | ${bytes(footprint.pack.unpackedBytes)} (${footprint.pack.unpackedBytes} B) |`,
		`| Files | ${footprint.pack.files} |`,
		`| Load by n8n's loader (LazyPackageDirectoryLoader, fresh Node 24 process, median of ${footprint.loader.length}) | ${spread(footprint.loader.map((run) => run.ms), duration)} |`,
		`| Heap added by loading it (after GC) | ${bytes(median(footprint.loader.map((run) => run.heapBytes)))} |`,
		`| \`n8n start\` until ready, with the package (median of ${footprint.startsWith.length}) | ${spread(footprint.startsWith, duration)} |`,
		`| \`n8n start\` until ready, without it (median of ${footprint.startsWithout.length}) | ${spread(footprint.startsWithout, duration)} |`,
		`| Difference of the medians | ${duration(withMs - withoutMs)} |`,
		`| RSS of the n8n process right after start, with / without | ${fixed(median(footprint.rssWithMiB), 0)} / ${fixed(median(footprint.rssWithoutMiB), 0)} MiB |`,
		'',
		`Loaded types: ${footprint.loadedTypesWith.join(', ') || 'n/a'} (nodes; plus the credential). ` +
			`n8n loads the package ${footprint.loader.every((run) => run.lazy) ? 'lazily (from its dist/known metadata)' : 'eagerly (it ships no dist/known metadata, so n8n requires every node and credential file at start-up)'}. ` +
			(Math.abs(withMs - withoutMs) < startSpread
				? `The start-up difference (${duration(withMs - withoutMs)}) is smaller than the spread between starts (${duration(startSpread)}): noise on this machine; the loader time is the package's own cost.`
				: `The start-up difference (${duration(withMs - withoutMs)}) exceeds the spread between starts (${duration(startSpread)}).`),
		'',
	];
}

function queueSection(queue: QueueResults, reps: number): string[] {
	const lines = ['## 5. Queue mode (issue #8)', ''];
	if (queue.skipped) {
		lines.push(`Skipped: ${queue.skipped}.`, '');
		return lines;
	}
	lines.push(
		`PostgreSQL + Redis; main, ${queue.workers} workers (concurrency 10), 1 webhook processor. ${queue.executions} concurrent executions (webhook, answered when the run ends) of one signal read, ` +
			`simulator latency ${queue.latencyMs} ms; on a fresh credential, then after \`sim.expireTokens()\`. Median of ${reps} repetition(s) (min–max).` +
			(queue.startupMs !== undefined ? ` Cluster start-up: ${duration(queue.startupMs)}.` : ''),
		'',
		'| Variant | Exchanges, fresh | Non-2xx, fresh | Failed runs, fresh | Exchanges, after expiry | Non-2xx, after expiry | Failed runs, after expiry | Executions per worker |',
		'|---|---|---|---|---|---|---|---|',
	);
	for (const variant of QUEUE_VARIANTS) {
		const runs = queue.runs.filter((run) => run.variant === variant);
		if (runs.length === 0) continue;
		const perWorker = runs.map((run) => Object.values(run.perWorker).join('/')).join(', ');
		lines.push(`| ${QUEUE_VARIANT_LABELS[variant]} | ${[...batchCells(runs.map((r) => r.fresh)), ...batchCells(runs.map((r) => r.afterExpiry))].join(' | ')} | ${perWorker} |`);
	}
	lines.push(...failureNotes(queue.runs.map((run) => ({ label: `${QUEUE_VARIANT_LABELS[run.variant]}, repetition ${run.rep}`, batches: [run.fresh, run.afterExpiry] }))));
	lines.push(
		'',
		'Target across processes: at most one exchange per process (here: per worker) per token lifetime. n8n runs a credential\'s preAuthentication (the Smartcar credential\'s exchange) ' +
			'without any lock, so the package single-flights per process only. n8n\'s generic OAuth2 takes a cross-process lease (Redis in queue mode) when it renews after a 401, but not for the first token of an empty credential.',
		'',
	);
	return lines;
}

export function renderReport(results: BenchResults): string {
	const { machine, versions, background, options } = results;
	const others = background.othersShare;
	const busy = background.busyBefore > 0.25 || (others ?? 0) > 0.1;
	const otherCores = others !== undefined ? others * background.busyDuringRun * machine.cores : Number.NaN;
	const lines = [
		'# Benchmarks',
		'',
		`Written by \`${results.command}\` on ${results.startedAt} (took ${duration(results.durationMs)}). Everything runs on loopback against the Smartcar simulator ` +
			'(`tooling/simulator`) and a real n8n started by the n8n launcher (`tooling/n8n/n8n-instance.ts`), the package installed as a community package.',
		'',
		'## Machine and versions',
		'',
		'| | |',
		'|---|---|',
		`| CPU | ${machine.cpuModel}, ${machine.cores} cores |`,
		`| Memory | ${fixed(machine.memoryGiB, 1)} GiB |`,
		`| OS | ${machine.os} (${machine.kernel}) |`,
		`| n8n | ${versions.n8n} (n8n-workflow ${versions.n8nWorkflow}) on Node ${versions.n8nNode} |`,
		`| Package | ${versions.packageName} ${versions.packageVersion} (commit ${versions.gitCommit}${versions.gitDirty ? ', with uncommitted changes' : ''}) |`,
		`| Bench runner | Node ${versions.benchNode} |`,
		`| Repetitions | ${options.reps}${options.quick ? ' (quick mode: small sizes)' : ''} |`,
		`| Load | machine ${pct(background.busyDuringRun)} busy during the run (this run included); other processes used ${pct(others ?? Number.NaN)} of that CPU time (≈ ${fixed(otherCores, 2)} of ${machine.cores} cores on average); load average ${fixed(background.load1Before, 2)} before, ${fixed(background.load1After, 2)} after |`,
		'',
		busy
			? '**The machine was shared with other work during this run** (other engineers\' test suites). Absolute times are pessimistic and noisy, ' +
				'and the spread (min–max) is wide; the side-by-side ratios (same n8n, variants alternating, medians of per-repetition pairs) are the meaningful figures.'
			: 'The machine was otherwise quiet during this run.',
		'',
	];
	if (results.token) lines.push(...tokenSection(results.token, options.reps));
	if (results.overhead) lines.push(...overheadSection(results.overhead, options.reps));
	if (results.webhook) lines.push(...webhookSection(results.webhook, options.reps, options.deliveryTimeCapMs, 'default'));
	if (results.webhookLazy) lines.push(...webhookSection(results.webhookLazy, options.reps, options.deliveryTimeCapMs, 'lazy'));
	if (results.footprint) lines.push(...footprintSection(results.footprint));
	if (results.queue) lines.push(...queueSection(results.queue, options.reps));
	if (results.fleet) lines.push(...fleetSection(results.fleet, options.reps));
	const failed = Object.entries(results.errors);
	if (failed.length > 0) {
		lines.push('## Sections that failed', '');
		for (const [section, message] of failed) lines.push(`- **${section}**: ${message.split('\n')[0]}`);
		lines.push('');
	}
	lines.push(
		'## Reproduce',
		'',
		'```bash',
		`npm run bench                                   # everything (${options.full ? `${Math.ceil(results.durationMs / 60_000)} min here` : '~11 min on 2 shared cores'}), writes bench/RESULTS.md`,
		'npm run bench -- --quick                        # small sizes, 1 repetition, writes bench/RESULTS.partial.md',
		'npm run bench -- --only token,overhead --reps 5 # some sections (token, overhead, webhook, webhook-lazy, footprint, queue, fleet)',
		'```',
		'',
		`Section times: ${Object.entries(results.sectionMs).map(([name, ms]) => `${name} ${duration(ms)}`).join(', ')}. Raw numbers of every repetition: \`${options.out.replace(/.*\//, '').replace(/\.md$/, '.json')}\`.`,
		'',
	);
	return lines.join('\n');
}
