/**
 * 3. Webhook throughput and latency. A bounded burst of signed VEHICLE_STATE deliveries (unique eventIds, so
 * de-duplication never short-circuits) at a fixed concurrency, to
 *   - the Smartcar Trigger (signature check, eventId de-duplication on: the default),
 *   - the Smartcar Trigger with "Ignore Repeated Deliveries" off (what the de-duplication costs),
 *   - n8n's Webhook node with header auth (httpHeaderAuth),
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

export const WEBHOOK_VARIANTS = ['smartcar', 'webhook', 'smartcarNoDedupe', 'dedupeHit'] as const;
export type WebhookVariant = (typeof WEBHOOK_VARIANTS)[number];

export const WEBHOOK_VARIANT_LABELS: Record<WebhookVariant, string> = {
	smartcar: 'Smartcar Trigger (signature + de-duplication)',
	webhook: 'Webhook node, header auth',
	smartcarNoDedupe: 'Smartcar Trigger, de-duplication off',
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

export function prepareWebhookSection(options: { reps: number; deliveries: number; sequentialDeliveries: number; concurrency: number; timeCapMs: number }): WebhookSection {
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
	const withDedupe = smartcarTrigger(refOf(smartcar), { deduplicate: true });
	const withoutDedupe = smartcarTrigger(refOf(smartcar), { deduplicate: false });
	const workflows: Record<Exclude<WebhookVariant, 'dedupeHit'>, WorkflowJson> = {
		smartcar: linearWorkflow('bench webhook smartcar', [withDedupe.node]),
		smartcarNoDedupe: linearWorkflow('bench webhook smartcar no dedupe', [withoutDedupe.node]),
		webhook: linearWorkflow('bench webhook n8n', [webhookTrigger('bench-webhook-n8n', { responseMode: 'onReceived', headerAuth: refOf(header) })]),
	};
	const bodyBytes = deliveries(fleet, 1)[0].body.length;

	const burst = async (n8n: N8nInstance, variant: WebhookVariant, rep: number, requests: LoadRequest[]): Promise<WebhookRun> => {
		const workflow = workflows[variant === 'dedupeHit' ? 'smartcar' : variant];
		let sample = '';
		const cpuBefore = groupCpuMs(n8n.pid);
		const load: LoadResult = await runLoad({
			url: n8n.webhookUrl(pathOf(workflow)),
			requests,
			concurrency: options.concurrency,
			timeCapMs: options.timeCapMs,
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
		progress(
			'webhook',
			`r${rep} ${variant}: ${load.ok}/${load.sent} ok in ${(load.elapsedMs / 1000).toFixed(1)} s${load.capped ? ' (time cap)' : ''}, ${load.perSecond.toFixed(1)} answers/s, ` +
				`p50 ${run.p50Ms.toFixed(0)} ms, p99 ${run.p99Ms.toFixed(0)} ms; busy ${(drainMs / 1000).toFixed(1)} s after, ${run.sustainedPerSecond.toFixed(1)}/s sustained, ` +
				`${run.cpuPerDeliveryMs.toFixed(1)} ms CPU per delivery; e.g. ${sample}`,
		);
		return run;
	};

	return {
		workflows: Object.values(workflows),
		credentials: [smartcar, header],
		async run(n8n: N8nInstance): Promise<WebhookResults> {
			// Warm-up: a few deliveries to each, then idle.
			for (const variant of ['smartcar', 'webhook', 'smartcarNoDedupe'] as const) {
				await runLoad({ url: n8n.webhookUrl(pathOf(workflows[variant])), requests: deliveries(fleet, 20), concurrency: 4, timeCapMs: 30_000 });
			}
			await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
			const runs: WebhookRun[] = [];
			const sequential: SequentialRun[] = [];
			const measured = ['smartcar', 'webhook', 'smartcarNoDedupe'] as const;
			const accepted: Partial<Record<WebhookVariant, number>> = { smartcar: 20, webhook: 20, smartcarNoDedupe: 20 };
			for (let rep = 1; rep <= options.reps; rep++) {
				const order = measured.map((_, i) => measured[(i + rep - 1) % measured.length]);
				for (const variant of order) {
					await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
					const cpuBefore = groupCpuMs(n8n.pid);
					const load = await runLoad({ url: n8n.webhookUrl(pathOf(workflows[variant])), requests: deliveries(fleet, options.sequentialDeliveries), concurrency: 1, timeCapMs: options.timeCapMs });
					await waitForIdle([n8n.pid], { timeoutMs: 60_000 });
					const run: SequentialRun = { variant, rep, deliveries: load.sent, p50Ms: percentile(load.latenciesMs, 50), cpuPerDeliveryMs: (groupCpuMs(n8n.pid) - cpuBefore) / Math.max(1, load.sent) };
					sequential.push(run);
					accepted[variant] = (accepted[variant] ?? 0) + load.ok;
					progress('webhook', `r${rep} ${variant}, one at a time: ${load.ok}/${load.sent} ok, p50 ${run.p50Ms.toFixed(0)} ms, ${run.cpuPerDeliveryMs.toFixed(1)} ms CPU per delivery`);
				}
				let smartcarRequests: LoadRequest[] = [];
				for (const variant of order) {
					const requests = deliveries(fleet, options.deliveries);
					if (variant === 'smartcar') smartcarRequests = requests;
					const run = await burst(n8n, variant, rep, requests);
					runs.push(run);
					accepted[variant] = (accepted[variant] ?? 0) + run.ok;
				}
				runs.push(await burst(n8n, 'dedupeHit', rep, smartcarRequests));
			}
			const executionsByVariant: Partial<Record<WebhookVariant, number>> = {};
			try {
				const rows = await n8n.dbQuery('SELECT workflowId AS id, COUNT(*) AS n FROM execution_entity GROUP BY workflowId');
				for (const variant of measured) {
					const row = rows.find((candidate) => candidate.id === workflows[variant].id);
					executionsByVariant[variant] = Number(row?.n ?? 0);
				}
			} catch (error) {
				progress('webhook', `could not count executions: ${error instanceof Error ? error.message : String(error)}`);
			}
			return { deliveries: options.deliveries, sequentialDeliveries: options.sequentialDeliveries, sequential, concurrency: options.concurrency, bodyBytes, runs, executionsByVariant, expectedExecutions: accepted };
		},
	};
}
