/**
 * Proves the queue-mode harness: PostgreSQL + Redis, one main, two workers and one webhook processor, each
 * with the fixture community package installed in its own user folder. Webhook calls delivered to the webhook
 * processor are run by the workers, which the execution data (the fixture node's `pid`) and the workers' logs
 * both show. Skipped, saying why, when PostgreSQL or Redis is not reachable.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

import { writeFixturePackage } from '../../tooling/n8n/fixture-package';
import { webhookWorkflow } from '../../tooling/n8n/workflows';
import { createLogger } from '../../tooling/n8n/logger';
import { ensureN8n, http, nodeOutput, packPackage, queueModeUnavailableReasonSync, startQueueCluster, type QueueCluster } from '../../tooling/n8n/n8n-instance';

const log = createLogger('queue-smoke');
const unavailable = queueModeUnavailableReasonSync();
if (unavailable) log.warn(`SKIPPING the queue-mode smoke test: ${unavailable} (start them, see the machine notes)`);
const describeQueue = unavailable ? describe.skip : describe;

jest.setTimeout(15 * 60_000);

describeQueue('real n8n harness (queue mode)', () => {
	const path = `e2e-queue-smoke-${Date.now()}`;
	const workflow = webhookWorkflow({ path, withFixtureNode: true });
	let fixtureDir: string | undefined;
	let tgz: string | undefined;
	let cluster: QueueCluster | undefined;

	beforeAll(async () => {
		await ensureN8n();
		fixtureDir = writeFixturePackage();
		tgz = await packPackage(fixtureDir);
		cluster = await startQueueCluster({ packageTgz: tgz, workflows: [workflow], publish: [workflow.id], waitForWebhooks: [path] });
		log.info(`timings: ${JSON.stringify(cluster.timings)}`);
		log.info(`processes: ${JSON.stringify(cluster.describe())}`);
	}, 25 * 60_000);

	afterAll(async () => {
		await cluster?.stop();
		if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
		if (tgz) rmSync(dirname(tgz), { recursive: true, force: true });
	}, 120_000);

	it('has distinct processes, ports and user folders', () => {
		const info = (cluster as QueueCluster).describe();
		expect(info.map((entry) => entry.role)).toEqual(['main', 'worker', 'worker', 'webhook']);
		expect(new Set(info.map((entry) => entry.pid)).size).toBe(4);
		expect(new Set(info.flatMap((entry) => [entry.port, entry.brokerPort])).size).toBe(8);
		expect(new Set(info.map((entry) => entry.userFolder)).size).toBe(4);
	});

	it('runs webhook calls received by the webhook processor on the workers', async () => {
		const c = cluster as QueueCluster;
		expect(c.webhookUrl(path).startsWith(c.webhook.baseUrl)).toBe(true);
		const calls = 4;
		for (let i = 0; i < calls; i++) {
			const response = await http.post(c.webhookUrl(path), { message: `queued ${i}` });
			expect(response.status).toBe(200);
		}
		const executions = await c.waitForExecutions(workflow.id, calls, 120_000);
		const workerPids = new Map(c.workers.map((worker) => [worker.pid, worker.name]));
		const ranOn: string[] = [];
		for (const execution of executions) {
			expect(execution.status).toBe('success');
			expect(execution.mode).toBe('webhook');
			const [result] = nodeOutput(execution, 'Result');
			expect(String(result.received)).toMatch(/^queued \d$/);
			const pid = (result.e2eEcho as { pid: number }).pid;
			// The node ran in a worker process, not in the main or the webhook processor.
			expect(workerPids.has(pid)).toBe(true);
			const fromLog = await c.waitForWorkerThatRan(execution.id);
			expect(fromLog.pid).toBe(pid);
			ranOn.push(`${execution.id}:${fromLog.name}`);
		}
		expect(new Set(executions.map((execution) => String((nodeOutput(execution, 'Result')[0].received)))).size).toBe(calls);
		log.info(`executions ran on: ${ranOn.join(', ')}`);
		const rows = await c.dbQuery('SELECT COUNT(*)::int AS n FROM execution_entity WHERE "workflowId" = $1', [workflow.id]);
		expect(rows[0].n).toBe(calls);
	});
});
