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
	const lines = [
		'| ÷ Webhook node (header auth) | v2, de-duplication on (default) | v2, de-duplication off | v1 (saved before v2) | Goal (default) |',
		'|---|---|---|---|---|',
	];
	for (const [label, get, met, target] of rows) {
		const cells = TRIGGERS.map((variant) => times(get(variant)));
		lines.push(`| ${label} | ${cells.join(' | ')} | ${target ? `${target}: ${goal(met(get('smartcar')))}` : ''} |`);
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
	'Why version 2 (n8n 2.41.1 `webhook-helpers.js` `parseRequestBody`): for a webhook node of typeVersion 1, n8n evaluates `$parameter["options"]["binaryData"]` with its expression engine on every request ' +
	'(an option of its own Webhook node v1), before it parses the body; from typeVersion 2 on it skips that. The Smartcar Trigger has no such option, so version 2 changes nothing else. ' +
	'The trigger answers inside `webhook()`, before n8n creates the execution, while the Webhook node\'s "on received" answer waits until n8n has created and started it: ' +
	'under load the trigger answers sooner and its executions queue up behind the burst (*busy after*), which the sender does not see.';

export function webhookSection(webhook: WebhookResults, reps: number, timeCapMs: number): string[] {
	const lines = [
		'## 3. Webhook throughput and latency',
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
	lines.push(...sequentialTable(webhook), WHY, '');
	const checks = MEASURED.map(
		(variant) => `${WEBHOOK_VARIANT_LABELS[variant]}: ${webhook.executionsByVariant[variant] ?? 'n/a'} executions for ${webhook.expectedExecutions[variant] ?? 'n/a'} accepted deliveries`,
	);
	lines.push(`Check (database, at the end, warm-up included): ${checks.join('; ')}. The repeated deliveries started no execution.`, '');
	return lines;
}
