/**
 * 3. Webhook throughput and latency. A bounded burst of signed VEHICLE_STATE deliveries (unique eventIds, so
 * de-duplication never short-circuits) at a fixed concurrency, to
 *   - the Smartcar Trigger (signature check, eventId de-duplication on: the default),
 *   - the Smartcar Trigger with "Ignore Repeated Deliveries" off (what the de-duplication costs),
 *   - the Smartcar Trigger at version 1 (workflows saved before version 2: n8n evaluates an expression per request),
 *   - n8n's Webhook node with header auth (httpHeaderAuth),
 *   - both again answering only when the run finished: the Smartcar Trigger with Respond: When the Workflow Finishes
 *     and the Webhook node with Respond: When Last Node Finishes,
 * on the same n8n, with the same bodies and headers (SC-Signature and the auth header go to both), each
 * workflow being the trigger alone (every accepted delivery starts an execution). Then the de-duplication hit
 * path: the Smartcar Trigger's burst sent again, byte for byte (answered 200 "duplicate", no execution).
 * Between bursts the bench waits until n8n is idle (all executions finished). Before the bursts, each
 * repetition also sends a few deliveries one at a time to each workflow: CPU per delivery without any backlog.
 */
import { randomUUID } from 'node:crypto';

import type { CredentialJson, N8nInstance, WorkflowJson } from '../../tooling/n8n/n8n-instance';
import { createFleet, signBody, vehicleStatePayload, type Fleet } from '../../tooling/simulator';
import { groupCpuMs, waitForIdle } from '../lib/cpu';
import { runLoad, type LoadRequest, type LoadResult } from '../lib/load';
import { percentile } from '../lib/stats';
import { progress } from '../lib/util';
import { entityId, HEADER_AUTH, headerAuthCredential, linearWorkflow, pathOf, refOf, smartcarTrigger, webhookTrigger } from '../lib/workflows';
import { smartcarCredential as smartcarCredentialFor } from '../../tooling/n8n/smartcar-workflows';

/** n8n's setting that creates an expression isolate only when an expression is evaluated (default: for every request). */
export const LAZY_ISOLATE_ENV = 'N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE';

export const WEBHOOK_VARIANTS = ['smartcar', 'webhook', 'smartcarNoDedupe', 'smartcarV1', 'smartcarLastNode', 'webhookLastNode', 'dedupeHit'] as const;
export type WebhookVariant = (typeof WEBHOOK_VARIANTS)[number];

export const WEBHOOK_VARIANT_LABELS: Record<WebhookVariant, string> = {
	smartcar: 'Smartcar Trigger v2 (signature + de-duplication)',
	webhook: 'Webhook node, header auth',
	smartcarNoDedupe: 'Smartcar Trigger v2, de-duplication off',
	smartcarV1: 'Smartcar Trigger v1 (signature + de-duplication)',
	smartcarLastNode: 'Smartcar Trigger v2, Respond: When the Workflow Finishes',
	webhookLastNode: 'Webhook node, header auth, Respond: When Last Node Finishes',
	dedupeHit: 'Smartcar Trigger, repeated deliveries (duplicate hits)',
};

export interface WebhookRun {
	variant: WebhookVariant;
	rep: number;
	sent: number;
	ok: number;
	statuses: Record<string, number>;
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
	elapsedMs: number;
	capped: boolean;
	/** Time after the burst until n8n was idle again (executions still running or being saved). */
	drainMs: number;
	/** Accepted deliveries per second counting until their executions were done: ok / (elapsed + drain). */
	sustainedPerSecond: number;
	/** CPU time of the n8n process group from the burst's start until idle, per delivery sent. */
	cpuPerDeliveryMs: number;
}

/** One delivery at a time: the cost of a delivery without any backlog. */
export interface SequentialRun {
	variant: Exclude<WebhookVariant, 'dedupeHit'>;
	rep: number;
	deliveries: number;
	p50Ms: number;
	cpuPerDeliveryMs: number;
}

export interface WebhookResults {
	deliveries: number;
	sequentialDeliveries: number;
	sequential: SequentialRun[];
	concurrency: number;
	bodyBytes: number;
	runs: WebhookRun[];
	/** Executions each workflow had at the end, from the database (check: one per accepted unique delivery). */
	executionsByVariant: Partial<Record<WebhookVariant, number>>;
	expectedExecutions: Partial<Record<WebhookVariant, number>>;
}

export interface WebhookSection {
	workflows: WorkflowJson[];
	credentials: CredentialJson[];
	run(n8n: N8nInstance): Promise<WebhookResults>;
}

const MANAGEMENT_TOKEN = 'bench-management-token-0123456789abcdef';

/** `count` signed deliveries of one VEHICLE_STATE event shape, each with its own eventId and deliveryId. */
function deliveries(fleet: Fleet, count: number): LoadRequest[] {
	const vehicle = fleet.vehicles[0];
	const template = JSON.stringify(vehicleStatePayload(fleet, vehicle.id, { form: 'real', eventId: '__EVENT__', deliveryId: '__DELIVERY__', deliveredAt: Date.now() }));
	return Array.from({ length: count }, () => {
		const body = Buffer.from(template.replace('__EVENT__', randomUUID()).replace('__DELIVERY__', randomUUID()), 'utf8');
		return {
			body,
			headers: {
				'content-type': 'application/json',
				'user-agent': 'Smartcar/4.0 (bench)',
				'sc-signature': signBody(body, MANAGEMENT_TOKEN),
				[HEADER_AUTH.name.toLowerCase()]: HEADER_AUTH.value,
			},
		};
	});
}

interface WebhookOptions {
	reps: number;
	deliveries: number;
	sequentialDeliveries: number;
	concurrency: number;
	timeCapMs: number;
}

export type MeasuredVariant = Exclude<WebhookVariant, 'dedupeHit'>;
export const MEASURED: readonly MeasuredVariant[] = ['smartcar', 'webhook', 'smartcarNoDedupe', 'smartcarV1', 'smartcarLastNode', 'webhookLastNode'];

/** What every measurement of the section shares: the fleet the bodies describe, the workflows, the options. */
interface WebhookBench {
	fleet: Fleet;
	workflows: Record<MeasuredVariant, WorkflowJson>;
	options: WebhookOptions;
}

function urlOf(bench: WebhookBench, n8n: N8nInstance, variant: WebhookVariant): string {
	return n8n.webhookUrl(pathOf(bench.workflows[variant === 'dedupeHit' ? 'smartcar' : variant]));
}

function describeBurst(run: WebhookRun, sample: string): string {
	return (
		`r${run.rep} ${run.variant}: ${run.ok}/${run.sent} ok in ${(run.elapsedMs / 1000).toFixed(1)} s${run.capped ? ' (time cap)' : ''}, ${run.perSecond.toFixed(1)} answers/s, ` +
		`p50 ${run.p50Ms.toFixed(0)} ms, p99 ${run.p99Ms.toFixed(0)} ms; busy ${(run.drainMs / 1000).toFixed(1)} s after, ${run.sustainedPerSecond.toFixed(1)}/s sustained, ` +
		`${run.cpuPerDeliveryMs.toFixed(1)} ms CPU per delivery; e.g. ${sample}`
	);
}

/** One burst at the section's concurrency, measured until n8n is idle again. */
async function burst(bench: WebhookBench, n8n: N8nInstance, variant: WebhookVariant, rep: number, requests: LoadRequest[]): Promise<WebhookRun> {
	let sample = '';
	const cpuBefore = groupCpuMs(n8n.pid);
	const load: LoadResult = await runLoad({
		url: urlOf(bench, n8n, variant),
		requests,
		concurrency: bench.options.concurrency,
		timeCapMs: bench.options.timeCapMs,
		timeoutMs: 30_000,
		onResponse: (index, status, body) => {
			if (index === 0 || ((status < 200 || status > 299) && sample === '')) sample = `${status} ${body.slice(0, 160)}`;
		},
	});
	const drainMs = await waitForIdle([n8n.pid], { timeoutMs: 120_000 });
	const cpuMs = groupCpuMs(n8n.pid) - cpuBefore;
	const run: WebhookRun = {
		variant,
		rep,
		sent: load.sent,
		ok: load.ok,
		statuses: load.statuses,
		perSecond: load.perSecond,
		p50Ms: percentile(load.latenciesMs, 50),
		p99Ms: percentile(load.latenciesMs, 99),
		elapsedMs: load.elapsedMs,
		capped: load.capped,
		drainMs,
		sustainedPerSecond: (load.ok * 1000) / (load.elapsedMs + drainMs),
		cpuPerDeliveryMs: load.sent > 0 ? cpuMs / load.sent : Number.NaN,
	};
	progress('webhook', describeBurst(run, sample));
	return run;
}

/** A few deliveries one at a time: the cost of a delivery without any backlog. */
async function oneAtATime(bench: WebhookBench, n8n: N8nInstance, variant: MeasuredVariant, rep: number): Promise<{ run: SequentialRun; ok: number }> {
	await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
	const cpuBefore = groupCpuMs(n8n.pid);
	const load = await runLoad({
		url: urlOf(bench, n8n, variant),
		requests: deliveries(bench.fleet, bench.options.sequentialDeliveries),
		concurrency: 1,
		timeCapMs: bench.options.timeCapMs,
	});
	await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
	const cpuPerDeliveryMs = (groupCpuMs(n8n.pid) - cpuBefore) / Math.max(1, load.sent);
	const run: SequentialRun = { variant, rep, deliveries: load.sent, p50Ms: percentile(load.latenciesMs, 50), cpuPerDeliveryMs };
	progress('webhook', `r${rep} ${variant}, one at a time: ${load.ok}/${load.sent} ok, p50 ${run.p50Ms.toFixed(0)} ms, ${run.cpuPerDeliveryMs.toFixed(1)} ms CPU per delivery`);
	return { run, ok: load.ok };
}

/** Executions each workflow had at the end, from n8n's database (empty when the database cannot be read). */
async function countExecutions(bench: WebhookBench, n8n: N8nInstance): Promise<Partial<Record<WebhookVariant, number>>> {
	const counts: Partial<Record<WebhookVariant, number>> = {};
	try {
		const rows = await n8n.dbQuery('SELECT workflowId AS id, COUNT(*) AS n FROM execution_entity GROUP BY workflowId');
		for (const variant of MEASURED) counts[variant] = Number(rows.find((row) => row.id === bench.workflows[variant].id)?.n ?? 0);
	} catch (error) {
		progress('webhook', `could not count executions: ${error instanceof Error ? error.message : String(error)}`);
	}
	return counts;
}

/** Every repetition: each variant one at a time, then a burst to each, then the Smartcar burst again (duplicates). */
async function runWebhookSection(bench: WebhookBench, n8n: N8nInstance, bodyBytes: number): Promise<WebhookResults> {
	const warmUp = 20;
	for (const variant of MEASURED) {
		await runLoad({ url: urlOf(bench, n8n, variant), requests: deliveries(bench.fleet, warmUp), concurrency: 4, timeCapMs: 30_000 });
	}
	await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
	const runs: WebhookRun[] = [];
	const sequential: SequentialRun[] = [];
	const accepted: Partial<Record<WebhookVariant, number>> = Object.fromEntries(MEASURED.map((variant) => [variant, warmUp]));
	const count = (variant: WebhookVariant, ok: number) => (accepted[variant] = (accepted[variant] ?? 0) + ok);
	for (let rep = 1; rep <= bench.options.reps; rep++) {
		const order = MEASURED.map((_, i) => MEASURED[(i + rep - 1) % MEASURED.length]);
		for (const variant of order) {
			const { run, ok } = await oneAtATime(bench, n8n, variant, rep);
			sequential.push(run);
			count(variant, ok);
		}
		let smartcarRequests: LoadRequest[] = [];
		for (const variant of order) {
			const requests = deliveries(bench.fleet, bench.options.deliveries);
			const run = await burst(bench, n8n, variant, rep, requests);
			// Only what the burst sent before its time cap: the repeat must carry no new event ID.
			if (variant === 'smartcar') smartcarRequests = requests.slice(0, run.sent);
			runs.push(run);
			count(variant, run.ok);
		}
		runs.push(await burst(bench, n8n, 'dedupeHit', rep, smartcarRequests));
	}
	const { deliveries: perBurst, sequentialDeliveries, concurrency } = bench.options;
	const executionsByVariant = await countExecutions(bench, n8n);
	return { deliveries: perBurst, sequentialDeliveries, sequential, concurrency, bodyBytes, runs, executionsByVariant, expectedExecutions: accepted };
}

export function prepareWebhookSection(options: WebhookOptions): WebhookSection {
	const fleet = createFleet({ seed: 'bench-webhook', users: [{ vehicles: 2, powertrain: 'BEV' }] });
	// Only the management token matters to the trigger; the endpoints are never called.
	const smartcar = smartcarCredentialFor(
		{ id: entityId(), name: 'Bench webhook smartcar' },
		{
			clientId: 'bench-client',
			clientSecret: 'bench-secret',
			managementToken: MANAGEMENT_TOKEN,
			tokenUrl: 'http://127.0.0.1:9/oauth2/token',
			apiBaseUrl: 'http://127.0.0.1:9/v3',
			connectUrl: 'http://127.0.0.1:9/oauth/authorize',
		},
	);
	const header = headerAuthCredential('Bench webhook header auth');
	const workflows: Record<MeasuredVariant, WorkflowJson> = {
		smartcar: linearWorkflow('bench webhook smartcar', [smartcarTrigger(refOf(smartcar), { deduplicate: true }).node]),
		smartcarNoDedupe: linearWorkflow('bench webhook smartcar no dedupe', [smartcarTrigger(refOf(smartcar), { deduplicate: false }).node]),
		smartcarV1: linearWorkflow('bench webhook smartcar v1', [smartcarTrigger(refOf(smartcar), { deduplicate: true, typeVersion: 1 }).node]),
		webhook: linearWorkflow('bench webhook n8n', [webhookTrigger('bench-webhook-n8n', { responseMode: 'onReceived', headerAuth: refOf(header) })]),
		smartcarLastNode: linearWorkflow('bench webhook smartcar last node', [smartcarTrigger(refOf(smartcar), { deduplicate: true, respond: 'lastNode' }).node]),
		webhookLastNode: linearWorkflow('bench webhook n8n last node', [
			webhookTrigger('bench-webhook-n8n-last-node', { responseMode: 'lastNode', headerAuth: refOf(header) }),
		]),
	};
	const bench: WebhookBench = { fleet, workflows, options };
	const bodyBytes = deliveries(fleet, 1)[0].body.length;
	return {
		workflows: Object.values(workflows),
		credentials: [smartcar, header],
		run: async (n8n: N8nInstance) => await runWebhookSection(bench, n8n, bodyBytes),
	};
}
