/**
 * CPU time of an n8n process and everything in its process group (its task runner), read from /proc:
 * utime + stime of every live member, plus cutime + cstime (children already reaped).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

import { sleep } from './util';

let clockTicks: number | undefined;

function ticksPerSecond(): number {
	if (clockTicks === undefined) {
		try {
			clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
		} catch {
			clockTicks = 100;
		}
	}
	return clockTicks;
}

interface ProcStat {
	pid: number;
	ppid: number;
	pgrp: number;
	/** utime + stime + cutime + cstime */
	ticks: number;
	/** utime + stime only */
	ownTicks: number;
}

function readStat(pid: string): ProcStat | undefined {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined; // exited meanwhile
	}
	// The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state): field n is fields[n - 3].
	const field = (n: number): number => Number(fields[n - 3]);
	const ownTicks = field(14) + field(15);
	return { pid: Number(pid), ppid: field(4), pgrp: field(5), ticks: ownTicks + field(16) + field(17), ownTicks };
}

/** CPU milliseconds used so far by the process group led by `pgid` (an n8n process started detached). */
export function groupCpuMs(pgid: number): number {
	let ticks = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = readStat(entry);
		if (stat && stat.pgrp === pgid) ticks += stat.ticks;
	}
	return (ticks * 1000) / ticksPerSecond();
}

/** Number of live processes in the group (n8n and its task runner). */
export function groupSize(pgid: number): number {
	let count = 0;
	for (const entry of readdirSync('/proc')) {
		if (/^\d+$/.test(entry) && readStat(entry)?.pgrp === pgid) count++;
	}
	return count;
}

/**
 * Waits until the groups are (nearly) idle: less than `idleCpuMs` of CPU in each of two consecutive windows of
 * `windowMs`, or `timeoutMs`. Used after a burst so work n8n does after answering (running and saving
 * executions) is counted and does not leak into the next measurement. Returns how long they stayed busy: the
 * time until the first of the two quiet windows began (the whole wait when it timed out).
 */
export async function waitForIdle(pgids: number[], options: { windowMs?: number; idleCpuMs?: number; timeoutMs?: number } = {}): Promise<number> {
	const windowMs = options.windowMs ?? 500;
	const idleCpuMs = options.idleCpuMs ?? windowMs * 0.06;
	const timeoutMs = options.timeoutMs ?? 60_000;
	const started = Date.now();
	const total = (): number => pgids.reduce((sum, pgid) => sum + groupCpuMs(pgid), 0);
	let quietSince: number | undefined;
	let quietWindows = 0;
	let last = total();
	while (Date.now() - started < timeoutMs) {
		const windowStart = Date.now();
		await sleep(windowMs);
		const now = total();
		if (now - last < idleCpuMs) {
			quietWindows++;
			quietSince ??= windowStart;
		} else {
			quietWindows = 0;
			quietSince = undefined;
		}
		last = now;
		if (quietWindows >= 2 && quietSince !== undefined) return quietSince - started;
	}
	return Date.now() - started;
}

/**
 * Samples every process's CPU time every `intervalMs` and splits the machine's CPU use into this process and its
 * descendants (the bench, its simulators, the n8n processes it started and their task runners) and everything
 * else (other people's work on the machine). Processes that live less than one interval are missed.
 */
export class CpuSampler {
	private readonly last = new Map<number, number>();
	private timer: NodeJS.Timeout | undefined;
	oursMs = 0;
	othersMs = 0;

	start(intervalMs = 2_000): void {
		this.sample(true);
		this.timer = setInterval(() => this.sample(false), intervalMs);
		this.timer.unref();
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		this.sample(false);
	}

	private sample(initial: boolean): void {
		const stats: ProcStat[] = [];
		for (const entry of readdirSync('/proc')) {
			if (!/^\d+$/.test(entry)) continue;
			const stat = readStat(entry);
			if (stat) stats.push(stat);
		}
		const parent = new Map(stats.map((stat) => [stat.pid, stat.ppid]));
		const isOurs = (pid: number): boolean => {
			for (let current = pid, depth = 0; current > 1 && depth < 50; depth++) {
				if (current === process.pid) return true;
				const next = parent.get(current);
				if (next === undefined) return false;
				current = next;
			}
			return false;
		};
		const msPerTick = 1000 / ticksPerSecond();
		for (const stat of stats) {
			const previous = this.last.get(stat.pid);
			this.last.set(stat.pid, stat.ownTicks);
			if (initial) continue;
			const delta = (stat.ownTicks - (previous ?? 0)) * msPerTick; // new since the last sample: all of it
			if (isOurs(stat.pid)) this.oursMs += delta;
			else this.othersMs += delta;
		}
		const alive = new Set(stats.map((stat) => stat.pid));
		for (const pid of this.last.keys()) if (!alive.has(pid)) this.last.delete(pid);
	}
}
