/**
 * `npm start`: a working Smartcar playground. Builds the package, starts the Smartcar simulator with a demo fleet,
 * starts a real n8n 2.41.1 with this package installed as a community package, a demo credential and the example
 * workflows (published), creates the owner, and sends the simulator's signed webhooks to the low-battery workflow.
 * Ctrl-C stops everything it started. The n8n install and the user folder are kept in the cache for the next run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { E2E_OWNER, cacheRoot, freePort, packPackage, startN8n, type N8nInstance } from '../tooling/n8n/n8n-instance';
import { runSimulatorCli, type CliHandle } from '../tooling/simulator';
import { demoCredential, loadExamples, triggerPath, webhookEndpoints } from './examples';

const REPO = join(__dirname, '..');
const DEMO = { clientId: 'demo-client-id', clientSecret: 'demo-client-secret', managementToken: 'demo-management-token' };

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
	const lowBattery = workflows.find((workflow) => workflow.id === 'exLowBatteryAlert');
	const path = lowBattery ? triggerPath(lowBattery, 'n8n-nodes-smartcar.smartcarTrigger') : undefined;
	const webhookUrl = path ? `${n8n.baseUrl}/webhook/${path}` : undefined;

	say('▶ Starting the Smartcar simulator…');
	simulator = await runSimulatorCli(
		[
			'--port', String(simulatorPort),
			'--client-id', DEMO.clientId,
			'--client-secret', DEMO.clientSecret,
			'--management-token', DEMO.managementToken,
			'--tick', '5',
			'--webhook-interval', '20',
			...(webhookUrl ? ['--webhook-url', webhookUrl] : []),
		],
		{ handleSignals: false },
	);

	say('');
	say('✔ Smartcar playground is ready');
	say(`  n8n editor:   ${n8n.baseUrl}`);
	say(`  login:        ${E2E_OWNER.email} / ${E2E_OWNER.password}`);
	say(`  credential:   "Smartcar (demo)" → simulator at ${simulatorUrl}`);
	say(`  workflows:    ${workflows.map((workflow) => workflow.name).join(', ')}`);
	if (webhookUrl) say(`  webhooks:     the simulator posts signed events to ${webhookUrl} every 20 s`);
	say(`  fleet report: curl -X POST ${n8n.baseUrl}/webhook/smartcar-fleet-report`);
	say(`  onboarding:   curl ${n8n.baseUrl}/webhook/smartcar-onboard → open its "url" and approve (each link works once, for 7 days)`);
	say('  Ctrl-C stops n8n and the simulator.');
}

main().catch((error: unknown) => {
	process.stderr.write(`✖ ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});
