/**
 * Small, bounded process and network helpers for the real-n8n harness: run a command with a time limit, spawn a
 * long-running process in its own process group, stop exactly that process group, pick free loopback ports and
 * probe TCP services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, openSync, closeSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

import type { ProgressLogger } from './logger';
import { seconds } from './logger';

export interface RunOptions {
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** Hard limit; the process group is killed when it is reached. */
	timeoutMs: number;
	/** Also append stdout and stderr to this file. */
	logFile?: string;
	/** Print a progress line this often while the command runs (cold installs take minutes). */
	heartbeat?: { logger: ProgressLogger; everyMs: number; label: string; detail?: () => string };
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export class CommandError extends Error {
	constructor(
		message: string,
		readonly result: RunResult,
	) {
		super(message);
		this.name = 'CommandError';
	}
}

const MAX_CAPTURE = 4 * 1024 * 1024;

function appendCapped(current: string, chunk: string): string {
	const next = current + chunk;
	return next.length > MAX_CAPTURE ? next.slice(next.length - MAX_CAPTURE) : next;
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

/** Sends a signal to one process; false when it no longer exists. */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(pid, signal);
		return true;
	} catch {
		return false;
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a command to completion in its own process group, capturing its output. Never throws for a non-zero
 * exit (callers decide); rejects only when the command cannot be started. On timeout the process group gets
 * SIGTERM, then SIGKILL 5 s later, and the result has `signal` set.
 */
export function runCommand(command: string, args: string[], options: RunOptions): Promise<RunResult> {
	const started = Date.now();
	return new Promise<RunResult>((resolve, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
		log?.write(`\n$ ${command} ${args.join(' ')}   (cwd ${options.cwd})\n`);
		let stdout = '';
		let stderr = '';
		child.stdout?.setEncoding('utf8');
		child.stderr?.setEncoding('utf8');
		child.stdout?.on('data', (chunk: string) => {
			stdout = appendCapped(stdout, chunk);
			log?.write(chunk);
		});
		child.stderr?.on('data', (chunk: string) => {
			stderr = appendCapped(stderr, chunk);
			log?.write(chunk);
		});
		let killTimer: NodeJS.Timeout | undefined;
		let timedOut = false;
		const timeout = setTimeout(() => {
			if (child.pid === undefined) return;
			timedOut = true;
			signalGroup(child.pid, 'SIGTERM');
			killTimer = setTimeout(() => {
				if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
			}, 5_000);
		}, options.timeoutMs);
		const heartbeat = options.heartbeat;
		const beat = heartbeat
			? setInterval(() => {
					const detail = heartbeat.detail ? `, ${heartbeat.detail()}` : '';
					heartbeat.logger.info(`${heartbeat.label}: still running after ${seconds(Date.now() - started)}${detail}`);
				}, heartbeat.everyMs)
			: undefined;
		const finish = (): void => {
			clearTimeout(timeout);
			if (beat) clearInterval(beat);
		};
		child.on('error', (error) => {
			finish();
			if (killTimer) clearTimeout(killTimer);
			log?.end();
			reject(error);
		});
		child.on('close', (code, signal) => {
			finish();
			if (killTimer) clearTimeout(killTimer);
			// After a time-out, whatever the command left behind in its own group is ended too.
			if (timedOut && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
			const result: RunResult = { code, signal, stdout, stderr, durationMs: Date.now() - started };
			log?.end(`\n[exit ${code ?? signal ?? '?'} after ${seconds(result.durationMs)}]\n`);
			resolve(result);
		});
	});
}

/** Like runCommand, but throws a CommandError with the output's tail unless the command exits 0. */
export async function runChecked(command: string, args: string[], options: RunOptions): Promise<RunResult> {
	const result = await runCommand(command, args, options);
	if (result.code !== 0) {
		const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
		const how = result.signal ? `was stopped by ${result.signal} (time limit ${seconds(options.timeoutMs)}?)` : `exited ${result.code}`;
		throw new CommandError(`\`${command} ${args.join(' ')}\` ${how}${options.logFile ? `; log: ${options.logFile}` : ''}\n${tail}`, result);
	}
	return result;
}

export interface SpawnedProcess {
	child: ChildProcess;
	pid: number;
	logFile: string;
}

/**
 * Starts a long-running process detached in its own process group (it leads it, so its children — n8n's task
 * runner — are in it too), with stdout and stderr appended to logFile.
 */
export function spawnDetached(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): SpawnedProcess {
	const fd = openSync(options.logFile, 'a');
	try {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env,
			detached: true,
			stdio: ['ignore', fd, fd],
		});
		if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
		// Keep the harness process free to exit even if a test forgets stop(); stop() still works by PID.
		child.unref();
		return { child, pid: child.pid, logFile: options.logFile };
	} finally {
		closeSync(fd);
	}
}

export function isAlive(child: ChildProcess): boolean {
	return child.exitCode === null && child.signalCode === null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
	if (!isAlive(child)) return Promise.resolve(true);
	return new Promise<boolean>((resolve) => {
		const timer = setTimeout(() => {
			child.removeListener('exit', onExit);
			resolve(false);
		}, timeoutMs);
		const onExit = (): void => {
			clearTimeout(timer);
			resolve(true);
		};
		child.once('exit', onExit);
	});
}

/**
 * Stops a process started by spawnDetached: SIGTERM to its PID (n8n shuts down gracefully and stops its own
 * task runner), SIGKILL to its process group after graceMs, and a final SIGKILL to whatever is left in the
 * group. Only this process group is ever signalled.
 */
export async function stopProcessGroup(proc: SpawnedProcess, graceMs: number): Promise<{ graceful: boolean; durationMs: number }> {
	const started = Date.now();
	let graceful = true;
	if (isAlive(proc.child)) {
		signalProcess(proc.pid, 'SIGTERM');
		const exited = await waitForExit(proc.child, graceMs);
		if (!exited) {
			graceful = false;
			signalGroup(proc.pid, 'SIGKILL');
			await waitForExit(proc.child, 5_000);
		}
	}
	// The task runner and anything else the process started: give them a moment to follow, then end them.
	for (let i = 0; i < 20 && signalGroup(proc.pid, 0); i++) await sleep(100);
	if (signalGroup(proc.pid, 0)) signalGroup(proc.pid, 'SIGKILL');
	return { graceful, durationMs: Date.now() - started };
}

/** A free TCP port on 127.0.0.1, optionally distinct from the ones given. */
export async function freePort(exclude: ReadonlySet<number> = new Set()): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = createServer();
			server.unref();
			server.on('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				const chosen = typeof address === 'object' && address !== null ? address.port : 0;
				server.close(() => resolve(chosen));
			});
		});
		if (port !== 0 && !exclude.has(port)) return port;
	}
	throw new Error('could not find a free port on 127.0.0.1');
}

/** Several distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
	const taken = new Set<number>();
	for (let i = 0; i < count; i++) taken.add(await freePort(taken));
	return [...taken];
}

/** True when a TCP connection to host:port succeeds within timeoutMs. */
export function tcpReachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
	return new Promise<boolean>((resolve) => {
		const socket = new Socket();
		const done = (ok: boolean): void => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(timeoutMs);
		socket.once('connect', () => done(true));
		socket.once('timeout', () => done(false));
		socket.once('error', () => done(false));
		socket.connect(port, host);
	});
}

/** Thrown from a pollUntil check to stop polling at once (e.g. the process being waited for has exited). */
export class PollAbortError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PollAbortError';
	}
}

/** Polls check() every intervalMs until it returns a value other than undefined, or throws after timeoutMs. */
export async function pollUntil<T>(
	what: string,
	timeoutMs: number,
	intervalMs: number,
	check: () => Promise<T | undefined>,
	onTimeout?: () => string,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch (error) {
			if (error instanceof PollAbortError) throw error;
			lastError = error;
		}
		if (Date.now() >= deadline) {
			const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
			const extra = onTimeout ? `\n${onTimeout()}` : '';
			throw new Error(`timed out after ${seconds(timeoutMs)} waiting for ${what}${cause}${extra}`);
		}
		await sleep(intervalMs);
	}
}
