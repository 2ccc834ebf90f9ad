/**
 * `npm start` smoke test: runs `ts-node --transpile-only scripts/start.ts` exactly as `npm start` does (same cache,
 * so the same kept user folder `<cache>/playground` and ports 5678/7070 when free), waits for "playground is ready",
 * asks the fleet report URL it printed for a report, then presses Ctrl-C (SIGINT to its process group, as a
 * terminal does) and checks that n8n (its process group, task runner included) and the simulator are gone.
 *
 * Skipped (with a warning) when another `scripts/start.ts` is running: both would use the same user folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger, seconds } from '../../tooling/n8n/logger';
import { http, tcpReachable } from '../../tooling/n8n/n8n-instance';

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

	it('starts the playground, serves the fleet report, and Ctrl-C stops n8n and the simulator', async () => {
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
