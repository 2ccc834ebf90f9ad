/** The webhook section of bench/RESULTS.md: the Smartcar Trigger (versions 2 and 1) beside n8n's Webhook node. */
import { MEASURED, WEBHOOK_VARIANT_LABELS, WEBHOOK_VARIANTS, type WebhookResults, type WebhookRun, type WebhookVariant } from '../sections/webhook';
import { bytes, duration, fixed, goal, pairedRatio, spread, times, whole } from './stats';

const TRIGGERS = ['smartcar', 'smartcarNoDedupe', 'smartcarV1'] as const;

function burstRow(variant: WebhookVariant, runs: WebhookRun[]): string {
	return (
		`| ${WEBHOOK_VARIANT_LABELS[variant]} | ${spread(runs.map((r) => r.sent), whole)} | ${runs.reduce((sum, r) => sum + r.ok, 0)} / ${runs.reduce((sum, r) => sum + r.sent, 0)} | ${spread(runs.map((r) => r.perSecond), (v) => fixed(v, 1))} | ` +
		`${spread(runs.map((r) => r.p50Ms), duration)} | ${spread(runs.map((r) => r.p99Ms), duration)} | ${spread(runs.map((r) => r.drainMs), duration)} | ` +
		`${spread(runs.map((r) => r.sustainedPerSecond), (v) => fixed(v, 1))} | ${spread(runs.map((r) => r.cpuPerDeliveryMs), duration)} |`
	);
}

/** Each trigger variant ÷ the Webhook node, per measure, with the goal checked on the default (v2, de-duplication on). */
function ratioTable(webhook: WebhookResults): string[] {
	const paired = (variant: WebhookVariant, get: (run: WebhookRun) => number): number =>
		pairedRatio(webhook.runs, (run) => run.variant === variant, (run) => run.variant === 'webhook', get);
	const sequentialCpu = (variant: WebhookVariant): number =>
		pairedRatio(webhook.sequential, (run) => run.variant === variant, (run) => run.variant === 'webhook', (run) => run.cpuPerDeliveryMs);
	const rows: Array<[string, (variant: WebhookVariant) => number, (value: number) => boolean, string]> = [
		['Answers per second', (v) => paired(v, (run) => run.perSecond), (x) => x >= 0.95, '≥ 0.95'],
		['p99 latency', (v) => paired(v, (run) => run.p99Ms), (x) => x <= 1.1, '≤ 1.1'],
		['p50 latency', (v) => paired(v, (run) => run.p50Ms), () => true, ''],
		['Sustained deliveries per second', (v) => paired(v, (run) => run.sustainedPerSecond), (x) => x >= 0.95, '≥ 0.95'],
		['CPU per delivery, bursts', (v) => paired(v, (run) => run.cpuPerDeliveryMs), (x) => x <= 1.1, '≤ 1.1'],
		['CPU per delivery, one at a time', sequentialCpu, (x) => x <= 1.1, '≤ 1.1'],
	];
	const lastNode = (get: (run: WebhookRun) => number) =>
		pairedRatio(webhook.runs, (run) => run.variant === 'smartcarLastNode', (run) => run.variant === 'webhookLastNode', get);
	const lastNodeCells: Record<string, number> = {
		'Answers per second': lastNode((run) => run.perSecond),
		'p99 latency': lastNode((run) => run.p99Ms),
		'p50 latency': lastNode((run) => run.p50Ms),
		'Sustained deliveries per second': lastNode((run) => run.sustainedPerSecond),
		'CPU per delivery, bursts': lastNode((run) => run.cpuPerDeliveryMs),
		'CPU per delivery, one at a time': pairedRatio(
			webhook.sequential,
			(run) => run.variant === 'smartcarLastNode',
			(run) => run.variant === 'webhookLastNode',
			(run) => run.cpuPerDeliveryMs,
		),
	};
	const lines = [
		'| ÷ Webhook node (header auth), same Respond | v2, de-duplication on (default) | v2, de-duplication off | v1 (saved before v2) | v2, When the Workflow Finishes ÷ Webhook node, When Last Node Finishes | Goal (default) |',
		'|---|---|---|---|---|---|',
	];
	for (const [label, get, met, target] of rows) {
		const cells = TRIGGERS.map((variant) => times(get(variant)));
		lines.push(`| ${label} | ${cells.join(' | ')} | ${times(lastNodeCells[label])} | ${target ? `${target}: ${goal(met(get('smartcar')))}` : ''} |`);
	}
	return lines;
}

function sequentialTable(webhook: WebhookResults): string[] {
	if (webhook.sequential.length === 0) return [];
	const lines = [
		`One delivery at a time (${webhook.sequentialDeliveries} per variant and repetition, so no executions pile up):`,
		'',
		'| Variant | p50 latency | CPU per delivery | CPU ÷ Webhook node (paired) |',
		'|---|---|---|---|',
	];
	for (const variant of MEASURED) {
		const runs = webhook.sequential.filter((run) => run.variant === variant);
		if (runs.length === 0) continue;
		const cpuRatio = pairedRatio(webhook.sequential, (run) => run.variant === variant, (run) => run.variant === 'webhook', (run) => run.cpuPerDeliveryMs);
		lines.push(`| ${WEBHOOK_VARIANT_LABELS[variant]} | ${spread(runs.map((r) => r.p50Ms), duration)} | ${spread(runs.map((r) => r.cpuPerDeliveryMs), duration)} | ${times(cpuRatio)} |`);
	}
	return [...lines, ''];
}

const WHY =
	'Why the trigger costs more CPU than the Webhook node here (n8n 2.41.1, read from its source and measured): n8n\'s default expression engine (`vm`) gives every expression an isolate, ' +
	'and `live-webhooks.js` `webhookPhaseNeedsIsolate` acquires one for **every webhook request to any trigger except n8n\'s own Webhook node** (its `allowWebhookIsolateSkip`), before the node runs; ' +
	'an acquired isolate is disposed and replaced on release, so each such request builds a new one. The Smartcar Trigger\'s `webhook()` evaluates no expression, but n8n cannot tell, ' +
	'so a delivery costs it two isolates (the webhook phase and the execution) where the Webhook node costs one; a repeated delivery, which starts no execution, still costs one. ' +
	'No setting of the node avoids it. Section 3b measures the same on an n8n with `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`, which builds an isolate only when an expression is evaluated. ' +
	'Version 2 matters there: for a version-1 webhook node, n8n evaluates `$parameter["options"]["binaryData"]` on every request (`webhook-helpers.js` `parseRequestBody`), which builds an isolate; for version 2 it does not. ' +
	'Both answer at the same point: on receipt, n8n 2.x sends the 200 once it has stored the execution (the trigger leaves its answer to n8n), and with Respond: When the Workflow Finishes / When Last Node Finishes after the run.';

const HEADINGS = {
	default: '## 3. Webhook throughput and latency',
	lazy: '## 3b. Webhook throughput and latency, n8n with `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`',
} as const;

/**
 * Whether the repeated deliveries started executions. Runs before the repeat was cut to what the first burst sent
 * also re-sent deliveries that burst never sent: new event IDs, each rightly executed once.
 */
function repeatCheck(webhook: WebhookResults): string {
	let beyond = 0;
	for (const repeat of webhook.runs.filter((run) => run.variant === 'dedupeHit')) {
		const first = webhook.runs.find((run) => run.variant === 'smartcar' && run.rep === repeat.rep);
		beyond += Math.max(0, repeat.sent - (first?.sent ?? 0));
	}
	const extra = (webhook.executionsByVariant.smartcar ?? Number.NaN) - (webhook.expectedExecutions.smartcar ?? Number.NaN);
	if (extra === 0) return 'The repeated deliveries started no execution.';
	if (extra === beyond) {
		return `The ${beyond} extra executions of the first variant are the repeat bursts' deliveries beyond what the first bursts had sent (new event IDs, each run once; the bench now repeats only what was sent): the repeated deliveries themselves started no execution.`;
	}
	return `**${extra} executions of the first variant are not accounted for** (${beyond} of the repeat bursts' deliveries were new event IDs).`;
}

export function webhookSection(webhook: WebhookResults, reps: number, timeCapMs: number, engine: keyof typeof HEADINGS): string[] {
	const lines = [
		HEADINGS[engine],
		'',
		`Bursts of signed VEHICLE_STATE deliveries (${bytes(webhook.bodyBytes)} body, a unique eventId each), ${webhook.concurrency} in flight, keep-alive, loopback; a burst ends after ${webhook.deliveries} deliveries or ${duration(timeCapMs)}, whichever comes first. ` +
			'Each workflow is the trigger alone; every accepted delivery starts an execution (saved, as by default). Same bodies and headers for every variant. ' +
			'*Answers/s* and latency (sent → answer) are what the sender sees; *busy after* is how long n8n kept working once the burst ended (executions still running and being saved); ' +
			'*sustained* counts a delivery only once its execution is done (accepted ÷ (burst + busy after)); *CPU per delivery* is the n8n process group\'s CPU time from the burst\'s start until idle. ' +
			`Median of ${reps} repetition(s) (min–max); the order of the variants rotates, and each burst starts when n8n is idle.`,
		'',
		'| Variant | Sent per burst | 2xx / sent, all bursts | Answers/s | p50 | p99 | Busy after | Sustained/s | CPU per delivery |',
		'|---|---|---|---|---|---|---|---|---|',
	];
	for (const variant of WEBHOOK_VARIANTS) {
		const runs = webhook.runs.filter((run) => run.variant === variant);
		if (runs.length > 0) lines.push(burstRow(variant, runs));
	}
	lines.push('', 'Ratios are medians of the per-repetition ratios (each pair measured back to back).', '', ...ratioTable(webhook), '');
	lines.push(...sequentialTable(webhook));
	if (engine === 'default') lines.push(WHY, '');
	else lines.push('The same workflows, deliveries and method as section 3, on a second n8n started with `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true` (an isolate is built only when an expression is evaluated).', '');
	const checks = MEASURED.map(
		(variant) => `${WEBHOOK_VARIANT_LABELS[variant]}: ${webhook.executionsByVariant[variant] ?? 'n/a'} executions for ${webhook.expectedExecutions[variant] ?? 'n/a'} accepted deliveries`,
	);
	lines.push(`Check (database, at the end, warm-up included): ${checks.join('; ')}. ${repeatCheck(webhook)}`, '');
	return lines;
}
