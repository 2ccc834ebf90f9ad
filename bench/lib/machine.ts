/** The machine and software a run measured: CPU, cores, memory, OS, load, and the versions involved. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';

import type { N8nInstallation } from '../../tooling/n8n/n8n-instance';

export interface MachineInfo {
	cpuModel: string;
	cores: number;
	memoryGiB: number;
	os: string;
	kernel: string;
}

export interface Versions {
	benchNode: string;
	n8nNode: string;
	n8n: string;
	n8nWorkflow: string;
	packageName: string;
	packageVersion: string;
	gitCommit: string;
	gitDirty: boolean;
}

function osName(): string {
	try {
		const text = readFileSync('/etc/os-release', 'utf8');
		const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text);
		if (pretty) return pretty[1];
	} catch {
		// not Linux, or no os-release
	}
	return type();
}

export function machineInfo(): MachineInfo {
	const list = cpus();
	return {
		cpuModel: list[0]?.model.trim() ?? 'unknown',
		cores: list.length,
		memoryGiB: totalmem() / 1024 ** 3,
		os: osName(),
		kernel: `${type()} ${release()}`,
	};
}

/** 1-minute load average. */
export function load1(): number {
	return loadavg()[0];
}

function readJson(file: string): Record<string, unknown> {
	const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
	return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function git(repo: string, args: string[]): string {
	try {
		return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return '';
	}
}

export function versions(repo: string, installation: N8nInstallation | undefined): Versions {
	const pkg = readJson(join(repo, 'package.json'));
	let n8nNode = 'n/a';
	let n8nWorkflow = 'n/a';
	if (installation) {
		try {
			n8nNode = execFileSync(installation.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
		} catch {
			n8nNode = 'unknown';
		}
		for (const candidate of [
			join(installation.n8nDir, 'node_modules', 'n8n', 'node_modules', 'n8n-workflow', 'package.json'),
			join(installation.n8nDir, 'node_modules', 'n8n-workflow', 'package.json'),
		]) {
			if (existsSync(candidate)) {
				n8nWorkflow = String(readJson(candidate).version);
				break;
			}
		}
	}
	return {
		benchNode: process.version,
		n8nNode,
		n8n: installation?.version ?? 'n/a',
		n8nWorkflow,
		packageName: String(pkg.name),
		packageVersion: String(pkg.version),
		gitCommit: git(repo, ['rev-parse', '--short', 'HEAD']) || 'unknown',
		gitDirty: git(repo, ['status', '--porcelain', '--untracked-files=no']) !== '',
	};
}

/**
 * CPU time the whole machine spent busy (all processes) since boot, in ms, from /proc/stat: sampled before and
 * after a run to say how much of the machine other work used meanwhile.
 */
export function machineBusyMs(): number {
	try {
		const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
		const fields = line.trim().split(/\s+/).slice(1).map(Number);
		// user nice system idle iowait irq softirq steal
		const busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] ?? 0);
		return (busy * 1000) / 100;
	} catch {
		return Number.NaN;
	}
}
