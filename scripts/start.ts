/**
 * `npm start`: a working Smartcar playground. Builds the package, starts a real n8n 2.41.1 with this package installed
 * as a community package, a demo credential and the example workflows (published), creates the owner, then starts the
 * Smartcar simulator with a demo fleet. The simulator's webhook has the low battery alert's Production URL as its
 * callback URI and, like Smartcar, sends events only for the vehicles subscribed to it: none at first. Onboarding a
 * driver (the driver-onboarding workflow: Connect → Subscribe with Wait Until Active, which a 2 s subscription delay
 * makes visible) subscribes their vehicles, and from then on their events reach the low battery alert.
 * Ctrl-C stops everything it started. The n8n install and the user folder are kept in the cache for the next run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { E2E_OWNER, cacheRoot, freePort, packPackage, startN8n, type N8nInstance } from '../tooling/n8n/n8n-instance';
import { runSimulatorCli, type CliHandle } from '../tooling/simulator';
import type { WorkflowJson } from '../tooling/n8n/n8n-types';
import { demoCredential, loadExamples, lowBatteryTriggerUrl, webhookEndpoints } from './examples';

const REPO = join(__dirname, '..');
const DEMO = { clientId: 'demo-client-id', clientSecret: 'demo-client-secret', managementToken: 'demo-management-token' };
/** Seconds between the simulator's events (per turn, one subscribed vehicle). */
const EVENT_INTERVAL_SECONDS = 20;
/** How long a new subscription stays "in progress" in the simulator, so Subscribe → Wait Until Active visibly waits. */
const SUBSCRIPTION_DELAY_MS = 2_000;

function say(line: string): void {
	process.stdout.write(`${line}\n`);
}

async function portOr(preferred: number): Promise<number> {
	const { createServer } = await import('node:net');
	return await new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(freePort()));
		server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
	});
}

/**
 * n8n 2.x publishes through an outbox. On the kept user folder, the example workflows were just imported again (a new
 * version each), but at start-up n8n first serves the version it published last time, and switches to the imported
 * one at its next reconciliation (every 10 s). Until then the webhooks run the OLD workflows, so "ready" waits until
 * each workflow's published version is its active (imported) one and nothing is left in the outbox.
 */
async function waitForImportedVersions(n8n: N8nInstance, workflowIds: string[], timeoutMs = 60_000): Promise<void> {
	const placeholders = workflowIds.map(() => '?').join(', ');
	const sql = `SELECT w.id AS id FROM workflow_entity w LEFT JOIN workflow_published_version pv ON pv.workflowId = w.id
		WHERE w.id IN (${placeholders}) AND (w.activeVersionId IS NULL OR pv.publishedVersionId IS NULL
			OR pv.publishedVersionId <> w.activeVersionId
			OR EXISTS (SELECT 1 FROM workflow_publication_outbox o WHERE o.workflowId = w.id AND o.status IN ('pending', 'in_progress')))`;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		let behind: string[];
		try {
			behind = (await n8n.dbQuery(sql, workflowIds)).map((row) => String(row.id));
		} catch (error: unknown) {
			if (/no such table/.test(String(error))) return; // an n8n without the publication outbox serves what it published
			throw error;
		}
		if (behind.length === 0) return;
		if (Date.now() > deadline) throw new Error(`n8n still serves an older version of ${behind.join(', ')} after ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 1_000));
	}
}

/** What the playground runs, and the truth about events: they flow only for subscribed vehicles. */
function printReady(n8nUrl: string, simulatorUrl: string, workflows: WorkflowJson[], webhookUrl: string | undefined): void {
	say('');
	say('✔ Smartcar playground is ready');
	say(`  n8n editor:   ${n8nUrl}`);
	say(`  login:        ${E2E_OWNER.email} / ${E2E_OWNER.password}`);
	say(`  credential:   "Smartcar (demo)" → simulator at ${simulatorUrl}`);
	say(`  workflows:    ${workflows.map((workflow) => workflow.name).join(', ')}`);
	say(`  fleet report: curl -X POST ${n8nUrl}/webhook/smartcar-fleet-report`);
	say(`  onboarding:   curl ${n8nUrl}/webhook/smartcar-onboard → open its "url" and approve as a driver (each link works once, for 7 days)`);
	say(`                → the workflow subscribes the driver's vehicles to the simulator's webhook (Wait Until Active: ~${SUBSCRIPTION_DELAY_MS / 1000} s each)`);
	if (webhookUrl) {
		say(`  events:       the simulator's webhook delivers signed events to ${webhookUrl} (low battery alert),`);
		say('                like Smartcar only for SUBSCRIBED vehicles: none until you onboard a driver; then each newly');
		say(`                subscribed vehicle's first event at once, and one event every ${EVENT_INTERVAL_SECONDS} s, the subscribed vehicles taking turns`);
		say('                (the [webhook] lines say what was sent; the alert fires for a state of charge below 20 %)');
	}
	say('  Ctrl-C stops n8n and the simulator.');
}

async function main(): Promise<void> {
	say('▶ Building the package…');
	const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
	if (build.status !== 0) throw new Error('npm run build failed');
	const tgz = await packPackage(REPO);

	const simulatorPort = await portOr(7070);
	const n8nPort = await portOr(5678);
	const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
	const endpoints = {
		tokenUrl: `${simulatorUrl}/oauth2/token`,
		apiBaseUrl: `${simulatorUrl}/v3`,
		connectUrl: `${simulatorUrl}/oauth/authorize`,
	};
	const workflows = loadExamples(`http://127.0.0.1:${n8nPort}`);
	const userFolder = join(cacheRoot(), 'playground');
	mkdirSync(userFolder, { recursive: true });

	let simulator: CliHandle | undefined;
	let n8n: N8nInstance | undefined;
	const stop = async (): Promise<void> => {
		say('\n▶ Stopping…');
		await simulator?.stop();
		await n8n?.stop({ keepUserFolder: true });
		process.exit(0);
	};
	process.once('SIGINT', () => void stop());
	process.once('SIGTERM', () => void stop());

	say('▶ Starting n8n (the first run installs n8n 2.41.1 and Node 24 into the cache: a few minutes)…');
	n8n = await startN8n({
		userFolder,
		port: n8nPort,
		packageTgz: tgz,
		credentials: [demoCredential(endpoints, DEMO)],
		workflows,
		publish: workflows.map((workflow) => workflow.id),
	});
	// n8n is "ready" before it has registered the published workflows' webhooks: wait, so the URLs below answer.
	for (const { path, method } of webhookEndpoints(workflows)) await n8n.waitForWebhook(path, { method });
	await waitForImportedVersions(n8n, workflows.map((workflow) => workflow.id));
	const webhookUrl = lowBatteryTriggerUrl(workflows, n8n.baseUrl);

	say('▶ Starting the Smartcar simulator…');
	simulator = await runSimulatorCli(
		[
			'--port', String(simulatorPort),
			'--client-id', DEMO.clientId,
			'--client-secret', DEMO.clientSecret,
			'--management-token', DEMO.managementToken,
			'--tick', '5',
			'--webhook-interval', String(EVENT_INTERVAL_SECONDS),
			'--subscription-delay', String(SUBSCRIPTION_DELAY_MS),
			...(webhookUrl ? ['--webhook-url', webhookUrl] : []),
		],
		{ handleSignals: false },
	);

	printReady(n8n.baseUrl, simulatorUrl, workflows, webhookUrl);
}

main().catch((error: unknown) => {
	process.stderr.write(`✖ ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
