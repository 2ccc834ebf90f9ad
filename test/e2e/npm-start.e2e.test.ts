/**
 * `npm start` smoke test: runs `ts-node --transpile-only scripts/start.ts` exactly as `npm start` does (same cache,
 * so the same kept user folder `<cache>/playground` and ports 5678/7070 when free), waits for "playground is ready",
 * asks the fleet report URL it printed for a report, checks that no event is sent while no vehicle is subscribed,
 * onboards a driver as the banner says (the onboarding URL's Connect link, approved on the simulator's Connect page),
 * sees the onboarding workflow subscribe every vehicle of the driver (n8n's public API, with the API key kept in the
 * playground user folder) and the simulator then send a vehicle of that driver its first event, which starts the
 * low battery alert; then walks the README's quick start, steps 5 to 8, as a builder does in the editor
 * (test/e2e/fixtures/quick-start.ts: a Connect Redirect trigger published, a Connect link in Simulated mode approved as
 * the simulated-mode driver, Signal → Get, Subscription → Subscribe until the vehicle's first event), then presses Ctrl-C
 * (SIGINT to its process group, as a terminal does) and checks that n8n (its process group, task runner included)
 * and the simulator are gone.
 *
 * Skipped (with a warning) when another `scripts/start.ts` is running: both would use the same user folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger, seconds } from '../../tooling/n8n/logger';
import { apiKeyFor } from '../../tooling/n8n/n8n-api';
import { N8nApiClient, cacheRoot, http, nodeOutput, tcpReachable, type ExecutionDetail } from '../../tooling/n8n/n8n-instance';
import { demoFleet, vehiclesOf } from '../../tooling/simulator';
import { walkQuickStart } from './fixtures/quick-start';

const log = createLogger('npm-start');
const REPO = join(__dirname, '..', '..');
const READY_TIMEOUT_MS = 8 * 60_000;
const STOP_TIMEOUT_MS = 60_000;

jest.setTimeout(15 * 60_000);

/** PIDs of other running `scripts/start.ts` processes (read from /proc; nothing is signalled). */
function otherPlaygrounds(): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			const cmdline = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0');
			if (cmdline.some((arg) => arg.endsWith('scripts/start.ts')) && cmdline.some((arg) => arg.includes('ts-node'))) pids.push(Number(entry));
		} catch {
			// the process ended while we looked
		}
	}
	return pids;
}

function alive(pid: number, group = false): boolean {
	try {
		process.kill(group ? -pid : pid, 0);
		return true;
	} catch {
		return false;
	}
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | string | null> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve('timeout'), timeoutMs);
		child.once('exit', (code, signal) => {
			clearTimeout(timer);
			resolve(code ?? signal);
		});
	});
}

async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${seconds(timeoutMs)} waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

function childEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined || key.startsWith('JEST_') || key === 'NODE_ENV') continue;
		env[key] = value;
	}
	return env;
}

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decodeHtml(text: string): string {
	return text.replace(/&(amp|lt|gt|quot|#39);/g, (_match, entity: string) => HTML_ENTITIES[entity] ?? '');
}

/**
 * What the banner tells a user to do: ask the onboarding URL for a Connect link, open it (the simulator's Connect
 * page) and approve as the first driver listed. Returns that driver's user ID.
 */
async function onboardFirstDriver(onboardingUrl: string): Promise<string> {
	const link = (await http.get(onboardingUrl, { timeout: 60_000 })).data as { url?: unknown };
	if (typeof link.url !== 'string') throw new Error(`no Connect link from ${onboardingUrl}: ${JSON.stringify(link)}`);
	const page = await http.get(link.url);
	const approve = [...String(page.data).matchAll(/href="([^"]+)"/g)]
		.map((match) => decodeHtml(match[1]))
		.find((href) => new URL(href).searchParams.has('user_id'));
	if (!approve) throw new Error('the Connect page has no approve link');
	const back = await http.get(approve, { timeout: 30_000 });
	expect({ status: back.status, page: String(back.data).includes('Vehicle connected') }).toEqual({ status: 200, page: true });
	return new URL(approve).searchParams.get('user_id') as string;
}

/** The playground n8n's public API, with the API key start.ts's launcher keeps in the playground user folder. */
async function playgroundApi(editorUrl: string): Promise<N8nApiClient> {
	return new N8nApiClient(editorUrl, editorUrl, await apiKeyFor(editorUrl, join(cacheRoot(), 'playground')));
}

/** The id of the workflow's newest finished execution (0 if none): later ones are this test's. */
async function newestExecutionId(api: N8nApiClient, workflowId: string): Promise<number> {
	const [newest] = await api.listExecutions(workflowId, { limit: 1 });
	return newest ? Number(newest.id) : 0;
}

/** The first finished execution of the workflow after `afterId` that ran `node`, with its data. */
async function executionAfter(api: N8nApiClient, workflowId: string, afterId: number, node: string): Promise<ExecutionDetail> {
	let found: ExecutionDetail | undefined;
	await waitUntil(`an execution of ${workflowId} that ran "${node}"`, 90_000, async () => {
		const executions = await api.listExecutions(workflowId, { limit: 10, includeData: true });
		found = executions
			.filter((execution) => Number(execution.id) > afterId && execution.data?.resultData.runData[node] !== undefined)
			.sort((a, b) => Number(a.id) - Number(b.id))[0];
		return found !== undefined;
	});
	return found as ExecutionDetail;
}

/**
 * The banner tells the truth about events: the simulator sends none while no vehicle is subscribed; onboarding a
 * driver runs the onboarding workflow to the end (Subscribe, Wait Until Active: every vehicle of the driver
 * `active`), then the simulator sends a vehicle of that driver its first event, n8n answers 200 and the low battery
 * alert runs with it.
 */
async function expectEventsOnlyAfterOnboarding(out: () => string, editorUrl: string): Promise<void> {
	expect(out()).toMatch(/events: .*\n.*only for SUBSCRIBED vehicles/);
	await waitUntil('the simulator to report that no vehicle is subscribed', 30_000, () => out().includes('[webhook] no vehicle is subscribed'));
	expect(out()).not.toMatch(/\[webhook\] VEHICLE_/);

	const api = await playgroundApi(editorUrl);
	const marks = { onboarding: await newestExecutionId(api, 'exDriverOnboarding'), lowBattery: await newestExecutionId(api, 'exLowBatteryAlert') };
	const onboardingUrl = /onboarding:\s+curl (\S+)/.exec(out())?.[1];
	expect(onboardingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/smartcar-onboard$/);
	const approved = Date.now();
	const userId = await onboardFirstDriver(String(onboardingUrl));
	const driverVehicles = vehiclesOf(demoFleet(), userId).map((vehicle) => vehicle.id).sort();

	const onboarding = await executionAfter(api, 'exDriverOnboarding', marks.onboarding, 'Driver connected');
	log.info(`onboarding execution ${onboarding.id} ${onboarding.status} ${seconds(Date.now() - approved)} after the approval`);
	const subscribed = nodeOutput(onboarding, 'Subscribe').map(({ vehicleId, status }) => ({ vehicleId, status }));
	expect({ status: onboarding.status, subscribed: subscribed.sort((a, b) => String(a.vehicleId).localeCompare(String(b.vehicleId))) }).toEqual({
		status: 'success',
		subscribed: driverVehicles.map((vehicleId) => ({ vehicleId, status: 'active' })),
	});

	const firstEvent = /\[webhook\] VEHICLE_STATE FIRST_DELIVERY .*\(([0-9a-f-]{36})\) → (\d+)/;
	await waitUntil('the first event of an onboarded vehicle', 30_000, () => firstEvent.test(out()));
	const [, vehicleId, status] = firstEvent.exec(out()) ?? [];
	expect({ ofTheDriver: driverVehicles.includes(vehicleId), status }).toEqual({ ofTheDriver: true, status: '200' });
	const alert = await executionAfter(api, 'exLowBatteryAlert', marks.lowBattery, 'Smartcar Trigger');
	expect(nodeOutput(alert, 'Smartcar Trigger').every((item) => item.userId === userId && driverVehicles.includes(String(item.vehicleId)))).toBe(true);
}

/**
 * The README's quick start, steps 5 to 8, against the playground: the simulated-mode driver connects through a
 * Connect Redirect trigger of the builder's own, their electric car's state of charge is read, and subscribing it to
 * the simulator's webhook makes its first event start the low battery alert.
 */
async function expectQuickStartWorks(out: () => string, editorUrl: string): Promise<void> {
	const started = Date.now();
	const carol = demoFleet().users.find((user) => user.name === 'Carol (simulated mode)');
	const api = await playgroundApi(editorUrl);
	const walked = await walkQuickStart({ editorUrl, api, output: out, driverName: 'Carol (simulated mode)', waitUntil });
	log.info(`quick start walked in ${seconds(Date.now() - started)}: state of charge ${String(walked.stateOfCharge.value)} %`);
	expect(walked.userId).toBe(carol?.id);
	expect(walked.stateOfCharge).toEqual(expect.objectContaining({ code: 'tractionbattery-stateofcharge', unit: 'percent', status: 'SUCCESS', value: expect.any(Number) }));
	expect(walked.subscribed).toEqual(expect.objectContaining({ status: 'active', vehicleId: walked.vehicleId, userId: carol?.id }));
	expect(walked.event.length).toBeGreaterThan(0);
	expect(walked.event.every((item) => item.userId === carol?.id && item.vehicleId === walked.vehicleId)).toBe(true);
}

const busy = otherPlaygrounds();
if (busy.length > 0) log.warn(`another scripts/start.ts is running (PID ${busy.join(', ')}); skipping the npm start smoke test`);
const describeUnlessBusy = busy.length > 0 ? describe.skip : describe;

describeUnlessBusy('npm start (scripts/start.ts)', () => {
	let child: ChildProcess | undefined;
	let output = '';
	let n8nPid: number | undefined;

	afterAll(async () => {
		// Only if a step failed: stop what this test started (its own process group, then the n8n it printed).
		if (child?.pid !== undefined && alive(child.pid, true)) {
			process.kill(-child.pid, 'SIGINT');
			if ((await waitForExit(child, STOP_TIMEOUT_MS)) === 'timeout') process.kill(-child.pid, 'SIGKILL');
		}
		if (n8nPid !== undefined && alive(n8nPid, true)) process.kill(-n8nPid, 'SIGKILL');
	}, 2 * STOP_TIMEOUT_MS);

	it('starts the playground, serves the fleet report, onboards a driver, walks the README\'s quick start, and Ctrl-C stops n8n and the simulator', async () => {
		const started = Date.now();
		child = spawn('npx', ['ts-node', '--transpile-only', 'scripts/start.ts'], { cwd: REPO, env: childEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		const spawned = child;
		spawned.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
		spawned.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

		await waitUntil('"playground is ready"', READY_TIMEOUT_MS, () => {
			if (spawned.exitCode !== null) throw new Error(`scripts/start.ts exited ${spawned.exitCode}:\n${output.slice(-3000)}`);
			return output.includes('playground is ready') && /fleet report: .*\n/.test(output);
		});
		log.info(`playground ready after ${seconds(Date.now() - started)}`);

		const reportUrl = /fleet report:\s+curl -X POST (\S+)/.exec(output)?.[1];
		const editorUrl = /n8n editor:\s+(\S+)/.exec(output)?.[1];
		const simulatorUrl = /simulator at (\S+)/.exec(output)?.[1];
		n8nPid = Number(/started `n8n start` as PID (\d+)/.exec(output)?.[1]);
		expect({ reportUrl, editorUrl, simulatorUrl, n8nPid: Number.isInteger(n8nPid) }).toEqual({
			reportUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/smartcar-fleet-report$/),
			editorUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
			simulatorUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
			n8nPid: true,
		});

		// The simulator sends Smartcar's VERIFY to the low-battery trigger as soon as it starts.
		await waitUntil('the simulator to report its VERIFY', 30_000, () => /\[webhook\] VERIFY .*\n/.test(output));
		const verify = /\[webhook\] VERIFY .*/.exec(output)?.[0] ?? '';
		log.info(`simulator: ${verify.slice(0, 160)}`);

		const response = await http.post(String(reportUrl), {}, { timeout: 120_000 });
		log.info(`fleet report right after "ready": HTTP ${response.status}`);
		expect(response.status).toBe(200);
		const report = response.data as { vehicles?: unknown; rows?: unknown; lowBattery?: unknown };
		expect(report.vehicles).toBe(8); // the demo fleet
		expect(Array.isArray(report.rows) ? report.rows.length : -1).toBe(8);
		expect(typeof report.lowBattery).toBe('number');
		expect(verify).toMatch(/VERIFY → 200, challenge answer correct/);


		await expectEventsOnlyAfterOnboarding(() => output, String(editorUrl));
		await expectQuickStartWorks(() => output, String(editorUrl));

		// Ctrl-C: SIGINT to the foreground process group (npx, ts-node and start.ts).
		const pid = spawned.pid as number;
		const stopping = Date.now();
		process.kill(-pid, 'SIGINT');
		expect(await waitForExit(spawned, STOP_TIMEOUT_MS)).not.toBe('timeout');
		await waitUntil('the start.ts process group to end', 30_000, () => !alive(pid, true));
		await waitUntil('the n8n process group to end', 30_000, () => !alive(n8nPid as number, true));
		log.info(`everything stopped ${seconds(Date.now() - stopping)} after Ctrl-C`);
		// start.ts itself stopped them (its own lines), not something else.
		await waitUntil('the last output of start.ts', 10_000, () => output.includes(`stopped PID ${n8nPid}`));
		expect(output).toContain('Stopping…');
		expect(output).toContain('Smartcar simulator stopped');

		const n8nPort = Number(new URL(String(editorUrl)).port);
		const simulatorPort = Number(new URL(String(simulatorUrl)).port);
		expect(await tcpReachable('127.0.0.1', n8nPort)).toBe(false);
		expect(await tcpReachable('127.0.0.1', simulatorPort)).toBe(false);
	});
});
