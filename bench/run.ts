/**
 * `npm run bench`: the package measured side by side with what n8n offers without it, against the Smartcar
 * simulator and a real n8n (the e2e harness), in one run; writes bench/RESULTS.md (and the raw numbers as JSON).
 *
 *   1. token     token exchanges and failed requests: Smartcar node vs HTTP Request + generic OAuth2 vs a
 *                hand-wired token request, fresh and across an expiry
 *   2. overhead  per-item wall and CPU time: Smartcar node vs HTTP Request with the predefined credential
 *   3. webhook   throughput and latency: Smartcar Trigger vs Webhook node with header auth (+ de-duplication)
 *   4. footprint packed size, files, load time, n8n start-up with and without the package
 *   5. queue     queue mode: exchanges per token lifetime over 2 workers (skipped without PostgreSQL/Redis)
 *   3b. webhook-lazy  the webhook section on an n8n with N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true
 *   6. fleet     a 1,000-vehicle Signal → Get Many sweep at Smartcar-like latency under an application rate limit:
 *                Smartcar node (default, 1 in flight, with the quota field) vs HTTP Request (batched, unbatched)
 *
 * Options: see bench/lib/options.ts (`--quick`, `--only token,overhead`, `--reps 3`, …). Everything started is
 * stopped again (n8n by PID, simulators closed, temp folders removed), also on failure and on Ctrl-C.
 * Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { ensureN8n, packPackage, startN8n, type CredentialJson, type N8nInstance, type WorkflowJson } from '../tooling/n8n/n8n-instance';
import { CpuSampler } from './lib/cpu';
import { load1, machineBusyMs, machineInfo, versions } from './lib/machine';
import { parseOptions, renderSource, wantsHelp, type BenchOptions, type Section } from './lib/options';
import { renderReport, type Background, type BenchResults } from './lib/report';
import { Cleanup, elapsedMs, errorText, progress, sleep } from './lib/util';
import { pathOf } from './lib/workflows';
import { DEFAULT_REQUESTS_IN_FLIGHT } from '../nodes/Smartcar/actions/common.descriptions';
import { runFootprint } from './sections/footprint';
import { prepareFleetSection } from './sections/fleet';
import { prepareOverheadSection } from './sections/overhead';
import { runQueueSection } from './sections/queue';
import { prepareTokenSection } from './sections/token';
import { LAZY_ISOLATE_ENV, prepareWebhookSection } from './sections/webhook';

const REPO = join(__dirname, '..');

/**
 * Packs the package and checks the tarball holds every file its package.json `n8n` section names, retrying a
 * few times: on a shared checkout another build may be rewriting dist/ at that moment.
 */
async function verifiedPack(): Promise<string> {
	const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { n8n?: { nodes?: string[]; credentials?: string[] } };
	const declared = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
	for (let attempt = 1; ; attempt++) {
		let tgz: string | undefined;
		try {
			tgz = await packPackage(REPO);
			const listed = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n');
			const missing = declared.filter((file) => !listed.includes(`package/${file}`));
			if (missing.length === 0) return tgz;
			throw new Error(`the packed tarball lacks ${missing.join(', ')}`);
		} catch (error) {
			if (tgz) rmSync(dirname(tgz), { recursive: true, force: true });
			if (attempt >= 3) throw error;
			progress('bench', `packing failed (${errorText(error)}); dist/ may be being rebuilt, retrying in 10 s`);
			await sleep(10_000);
		}
	}
}

/** Share of the machine (all cores) busy over `ms`. */
async function busyShare(ms: number, cores: number): Promise<number> {
	const before = machineBusyMs();
	const started = Date.now();
	await sleep(ms);
	return (machineBusyMs() - before) / ((Date.now() - started) * cores);
}

async function timed<T>(results: BenchResults, section: string, body: () => Promise<T>): Promise<T | undefined> {
	const started = Date.now();
	progress(section, 'starting');
	try {
		return await body();
	} catch (error) {
		results.errors[section] = errorText(error);
		progress(section, `FAILED: ${errorText(error)}`);
		return undefined;
	} finally {
		results.sectionMs[section] = Date.now() - started;
		progress(section, `done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}
}

/** Starts a regular-mode n8n with the package and these workflows (published), runs `body`, stops it again. */
async function withN8n(
	setup: { tgz: string; workflows: WorkflowJson[]; credentials: CredentialJson[]; extraEnv?: Record<string, string>; label: string },
	results: BenchResults,
	cleanup: Cleanup,
	body: (n8n: N8nInstance) => Promise<void>,
): Promise<void> {
	let n8n: N8nInstance | undefined;
	const stopN8n = cleanup.add(`n8n (${setup.label})`, async () => await n8n?.stop());
	try {
		const started = Date.now();
		progress('n8n', `starting n8n (${setup.label}) with the package, ${setup.credentials.length} credentials and ${setup.workflows.length} published workflows`);
		n8n = await startN8n({
			packageTgz: setup.tgz,
			credentials: setup.credentials,
			workflows: setup.workflows,
			publish: setup.workflows.map((workflow) => workflow.id),
			waitForWebhooks: setup.workflows.map(pathOf),
			extraEnv: setup.extraEnv,
		});
		results.sectionMs[`n8n start-up (${setup.label})`] = Date.now() - started;
		progress('n8n', `up (PID ${n8n.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		await body(n8n);
	} finally {
		await stopN8n();
	}
}

function webhookOptions(options: BenchOptions) {
	return { reps: options.reps, deliveries: options.deliveries, sequentialDeliveries: options.quick ? 15 : 40, concurrency: options.concurrency, timeCapMs: options.deliveryTimeCapMs };
}

/** Token, overhead, webhook and fleet sections share one regular-mode n8n holding all their workflows. */
async function runRegularSections(options: BenchOptions, tgz: string, results: BenchResults, cleanup: Cleanup): Promise<void> {
	const wanted = (section: Section): boolean => options.sections.includes(section);
	if (!wanted('token') && !wanted('overhead') && !wanted('webhook') && !wanted('fleet')) return;
	const token = wanted('token')
		? await prepareTokenSection({ reps: options.reps, executions: options.tokenExecutions, items: options.tokenItems, concurrency: options.tokenConcurrency }, cleanup)
		: undefined;
	const overhead = wanted('overhead') ? await prepareOverheadSection({ reps: options.reps, items: options.overheadItems, latencyMs: options.overheadLatencyMs }, cleanup) : undefined;
	const webhook = wanted('webhook') ? prepareWebhookSection(webhookOptions(options)) : undefined;
	const fleetOptions = { reps: options.reps, vehicles: options.fleetVehicles, latencyMs: options.fleetLatencyMs, jitterMs: options.fleetJitterMs, bucket: options.fleetBucket };
	const fleet = wanted('fleet') ? await prepareFleetSection(fleetOptions, DEFAULT_REQUESTS_IN_FLIGHT, cleanup) : undefined;
	const prepared = [token, overhead, webhook, fleet];
	const workflows: WorkflowJson[] = prepared.flatMap((section) => section?.workflows ?? []);
	const credentials: CredentialJson[] = prepared.flatMap((section) => section?.credentials ?? []);
	await withN8n({ tgz, workflows, credentials, label: 'regular mode' }, results, cleanup, async (n8n) => {
		if (token) results.token = await timed(results, 'token', async () => await token.run(n8n));
		if (overhead) results.overhead = await timed(results, 'overhead', async () => await overhead.run(n8n));
		if (webhook) results.webhook = await timed(results, 'webhook', async () => await webhook.run(n8n));
		if (fleet) results.fleet = await timed(results, 'fleet', async () => await fleet.run(n8n));
	});
}

/**
 * The webhook section again on an n8n that creates an expression isolate only when an expression is evaluated
 * (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE): n8n otherwise creates one for every webhook request to any trigger but its
 * own Webhook node, before the node runs.
 */
async function runLazyWebhookSection(options: BenchOptions, tgz: string, results: BenchResults, cleanup: Cleanup): Promise<void> {
	if (!options.sections.includes('webhook-lazy')) return;
	const webhook = prepareWebhookSection(webhookOptions(options));
	const setup = { tgz, workflows: webhook.workflows, credentials: webhook.credentials, extraEnv: { [LAZY_ISOLATE_ENV]: 'true' }, label: 'lazy isolates' };
	await withN8n(setup, results, cleanup, async (n8n) => {
		results.webhookLazy = await timed(results, 'webhook-lazy', async () => await webhook.run(n8n));
	});
}

/** `--help` and `--render`: answered without running anything. Returns whether one of them was handled. */
function answeredWithoutRunning(): boolean {
	if (wantsHelp()) {
		process.stdout.write('Usage: npm run bench -- [--quick] [--only token,overhead,webhook,webhook-lazy,footprint,queue,fleet] [--reps N] [--items N] [--deliveries N]\n' +
			'       [--concurrency N] [--burst-seconds N] [--latency MS] [--executions N] [--token-items N] [--starts N] [--vehicles N] [--fleet-latency MS]\n' +
			'       [--out FILE] [--render RESULTS.json]\nSee bench/lib/options.ts.\n');
		return true;
	}
	const source = renderSource();
	if (!source) return false;
	const saved = JSON.parse(readFileSync(source, 'utf8')) as BenchResults;
	const target = source.replace(/\.json$/, '') + '.md';
	writeFileSync(target, renderReport(saved));
	progress('bench', `re-rendered ${target} from ${source}`);
	return true;
}

/** Ctrl-C or SIGTERM: stop everything this run started, then exit. */
function stopOnSignal(cleanup: Cleanup): void {
	let stopping = false;
	const onSignal = (signal: NodeJS.Signals): void => {
		if (stopping) return;
		stopping = true;
		progress('bench', `${signal}: stopping everything this run started…`);
		void cleanup.closeAll().finally(() => process.exit(130));
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
}

/** Installs n8n, packs the package and runs every chosen section; a failure is recorded, not thrown. */
async function runSections(options: BenchOptions, results: BenchResults, cleanup: Cleanup): Promise<void> {
	try {
		const installation = await ensureN8n();
		results.versions = versions(REPO, installation);
		const tgz = await verifiedPack();
		cleanup.add(`packed tarball ${tgz}`, async () => rmSync(dirname(tgz), { recursive: true, force: true }));

		await runRegularSections(options, tgz, results, cleanup);
		await runLazyWebhookSection(options, tgz, results, cleanup);
		if (options.sections.includes('footprint')) {
			const footprint = { repo: REPO, tgz, installation, starts: options.starts, loaderRuns: options.quick ? 3 : 5 };
			results.footprint = await timed(results, 'footprint', async () => await runFootprint(footprint, cleanup));
		}
		if (options.sections.includes('queue')) {
			const queue = { reps: options.reps, executions: options.queueExecutions, tgz };
			results.queue = await timed(results, 'queue', async () => await runQueueSection(queue, cleanup));
		}
	} catch (error) {
		results.errors.bench = errorText(error);
		progress('bench', `FAILED: ${errorText(error)}`);
	} finally {
		await cleanup.closeAll();
	}
}

async function main(): Promise<void> {
	if (answeredWithoutRunning()) return;
	const options = parseOptions();
	const machine = machineInfo();
	const cleanup = new Cleanup();
	stopOnSignal(cleanup);

	progress('bench', `sections: ${options.sections.join(', ')}; ${options.reps} repetition(s)${options.quick ? ', quick' : ''}; report → ${options.out}`);
	const background: Background = { busyBefore: await busyShare(3_000, machine.cores), busyAfter: Number.NaN, load1Before: load1(), load1After: Number.NaN, busyDuringRun: Number.NaN };
	progress('bench', `machine busy before the run: ${Math.round(background.busyBefore * 100)} % of ${machine.cores} cores (load ${background.load1Before.toFixed(2)})`);
	const sampler = new CpuSampler();
	sampler.start();
	const runStarted = Date.now();
	const busyAtStart = machineBusyMs();

	const results: BenchResults = {
		startedAt: new Date().toISOString(),
		durationMs: 0,
		command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
		options,
		machine,
		versions: versions(REPO, undefined),
		background,
		sectionMs: {},
		errors: {},
	};
	await runSections(options, results, cleanup);
	sampler.stop();
	results.durationMs = Date.now() - runStarted;
	background.busyDuringRun = (machineBusyMs() - busyAtStart) / (results.durationMs * machine.cores);
	const sampled = sampler.oursMs + sampler.othersMs;
	background.othersShare = sampled > 0 ? sampler.othersMs / sampled : undefined;
	background.busyAfter = await busyShare(3_000, machine.cores);
	background.load1After = load1();

	results.options = { ...options, out: relative(REPO, options.out) };
	const report = renderReport(results);
	writeFileSync(options.out, report);
	writeFileSync(options.out.replace(/\.md$/, '') + '.json', `${JSON.stringify(results, null, 2)}\n`);
	process.stdout.write(`\n${report}\n`);
	progress('bench', `wrote ${options.out} in ${(elapsedMs() / 1000).toFixed(0)} s total`);
	if (Object.keys(results.errors).length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
	process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
