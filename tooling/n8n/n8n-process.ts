/**
 * One n8n process (`n8n start`, `n8n worker` or `n8n webhook`) run from the cached n8n install under Node 24,
 * in its own process group, with its own user folder and a log file in it; plus the environment every n8n
 * process and CLI command of a test gets, and `runN8nCli`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { createLogger, seconds, type ProgressLogger } from './logger';
import { cleanBaseEnv, majorOf, type N8nInstallation } from './n8n-install';
import {
	CommandError,
	isAlive,
	PollAbortError,
	pollUntil,
	runCommand,
	signalGroup,
	spawnDetached,
	stopProcessGroup,
	type RunResult,
	type SpawnedProcess,
} from './process-utils';

import axios from 'axios';

/** Shared by every process and CLI command of a test (the CLI and the server must agree on it). */
export const E2E_ENCRYPTION_KEY = 'n8n-nodes-smartcar-e2e-fixed-encryption-key';

export type N8nRole = 'main' | 'worker' | 'webhook';

/** An axios instance for loopback calls: never a proxy, never throws on a status, bounded. */
export const http = axios.create({ proxy: false, timeout: 30_000, validateStatus: () => true, maxRedirects: 0 });

export interface N8nEnvParams {
	installation: N8nInstallation;
	userFolder: string;
	/** N8N_PORT: the HTTP port of `start` and `webhook` (unused by a worker, but set to a free one anyway). */
	port: number;
	/** N8N_RUNNERS_BROKER_PORT: the task-runner broker of `start` and `worker` (defaults to 5679: one per process). */
	brokerPort: number;
	/** N8N_WEBHOOK_URL, e.g. `http://127.0.0.1:<port>/`. */
	webhookUrl: string;
	extraEnv?: Record<string, string>;
}

/**
 * The environment of an n8n process: nothing inherited from the caller's npm/jest/N8N_* settings, Node 24 first
 * on PATH, loopback only, offline (no telemetry, version checks, templates, banners, community-node registry
 * lookups, MCP registry refresh, license renewal), logs as plain text on stdout.
 */
export function n8nEnv(params: N8nEnvParams): NodeJS.ProcessEnv {
	const env = cleanBaseEnv(dirname(params.installation.nodeBin));
	Object.assign(env, {
		NODE_ENV: 'production',
		N8N_USER_FOLDER: params.userFolder,
		N8N_PORT: String(params.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		// 2.41.1 deprecates WEBHOOK_URL for N8N_WEBHOOK_URL (base URL of test and production webhooks).
		N8N_WEBHOOK_URL: params.webhookUrl,
		N8N_ENCRYPTION_KEY: E2E_ENCRYPTION_KEY,
		N8N_RUNNERS_BROKER_PORT: String(params.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		// Community packages stay enabled (that is what is under test), but never ask n8n's registry about them.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		// The MCP registry module refreshes a server list from api.n8n.io at start-up: offline here.
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'text',
		NO_COLOR: '1',
		GENERIC_TIMEZONE: 'UTC',
		EXECUTIONS_MODE: 'regular',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		DB_TYPE: 'sqlite',
	});
	if (majorOf(params.installation.version) === 1) {
		// n8n 1.x reads WEBHOOK_URL and knows no mcp-registry module (naming an unknown module is an error there).
		env.WEBHOOK_URL = params.webhookUrl;
		delete env.N8N_DISABLED_MODULES;
	}
	Object.assign(env, params.extraEnv ?? {});
	return env;
}

/**
 * Runs `n8n <args>` (a CLI command such as import:workflow) against a user folder with the given environment,
 * the server for that folder being stopped. Throws with the output when it exits non-zero or prints one of
 * n8n's error lines (several CLI commands log an error and still exit 0).
 */
export async function runN8nCli(installation: N8nInstallation, env: NodeJS.ProcessEnv, args: string[], timeoutMs = 180_000): Promise<RunResult> {
	const userFolder = env.N8N_USER_FOLDER ?? process.cwd();
	const result = await runCommand(installation.nodeBin, [installation.n8nBin, ...args], {
		cwd: userFolder,
		env,
		timeoutMs,
		logFile: join(userFolder, 'n8n-cli.log'),
	});
	const output = `${result.stdout}\n${result.stderr}`;
	const errorLine = /An error occurred|Error updating database|There was an error|Error: /.exec(output);
	if (result.code !== 0 || errorLine) {
		const tail = output
			.split('\n')
			.filter((line) => line.trim() !== '' && !/^\s+at /.test(line) && !/^(Starting|Finished) migration /.test(line))
			.slice(-20)
			.join('\n');
		throw new CommandError(`n8n ${args.join(' ')} failed (exit ${result.code ?? result.signal ?? '?'}; full output in ${join(userFolder, 'n8n-cli.log')}):\n${tail}`, result);
	}
	return result;
}

export interface N8nProcessOptions {
	name: string;
	role: N8nRole;
	installation: N8nInstallation;
	userFolder: string;
	env: NodeJS.ProcessEnv;
	/** Extra CLI flags, e.g. `--concurrency=5` for a worker. */
	args?: string[];
	/** The port its HTTP server listens on: N8N_PORT for main/webhook, QUEUE_HEALTH_CHECK_PORT for a worker. */
	httpPort: number;
}

const live = new Set<N8nProcess>();
let exitHookInstalled = false;

/** If the test process exits without stopping its n8n processes, their process groups are killed with it. */
function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const proc of live) proc.killNow();
	});
}

/** A running n8n process of a test. */
export class N8nProcess {
	readonly name: string;
	readonly role: N8nRole;
	readonly userFolder: string;
	readonly httpPort: number;
	readonly logFile: string;
	readonly env: NodeJS.ProcessEnv;
	private readonly installation: N8nInstallation;
	private readonly args: string[];
	private spawned: SpawnedProcess | undefined;
	private readonly log: ProgressLogger;

	constructor(options: N8nProcessOptions) {
		this.name = options.name;
		this.role = options.role;
		this.userFolder = options.userFolder;
		this.httpPort = options.httpPort;
		this.env = options.env;
		this.installation = options.installation;
		this.args = options.args ?? [];
		this.logFile = join(options.userFolder, `n8n-${options.name}.log`);
		this.log = createLogger(`n8n:${options.name}`);
	}

	/** PID of the n8n process (it also leads its process group, which holds its task runner). */
	get pid(): number {
		if (!this.spawned) throw new Error(`${this.name} is not started`);
		return this.spawned.pid;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.httpPort}`;
	}

	/** `/healthz/readiness` answers 200 only once the database is migrated and the process is fully started. */
	get readinessUrl(): string {
		return `${this.baseUrl}/healthz/readiness`;
	}

	isRunning(): boolean {
		return this.spawned !== undefined && isAlive(this.spawned.child);
	}

	/** The whole log so far (stdout and stderr of every start of this process). */
	logs(): string {
		return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
	}

	logTail(lines = 40): string {
		return this.logs().trim().split('\n').slice(-lines).join('\n');
	}

	/** Spawns the process; call waitUntilReady() next. */
	start(): void {
		if (this.isRunning()) throw new Error(`${this.name} is already running (PID ${this.pid})`);
		const command = this.role === 'main' ? 'start' : this.role;
		this.spawned = spawnDetached(this.installation.nodeBin, [this.installation.n8nBin, command, ...this.args], {
			cwd: this.userFolder,
			env: this.env,
			logFile: this.logFile,
		});
		live.add(this);
		installExitHook();
		this.log.info(`started \`n8n ${command}\` as PID ${this.spawned.pid} (port ${this.httpPort}, log ${this.logFile})`);
	}

	/** Waits until the readiness endpoint answers 200; fails at once, with the log's tail, if the process exits. */
	async waitUntilReady(timeoutMs: number): Promise<number> {
		const started = Date.now();
		await pollUntil(
			`${this.name} (PID ${this.pid}) to be ready at ${this.readinessUrl}`,
			timeoutMs,
			500,
			async () => {
				if (!this.isRunning()) throw new ProcessExitedError(`${this.name} exited during start-up`, this.logTail());
				const response = await http.get(this.readinessUrl, { timeout: 2_000 });
				return response.status === 200 ? true : undefined;
			},
			() => `last lines of ${this.logFile}:\n${this.logTail()}`,
		);
		const took = Date.now() - started;
		this.log.info(`ready after ${seconds(took)}`);
		return took;
	}

	/** SIGTERM to its PID, SIGKILL to its process group after graceMs; never signals anything else. */
	async stop(graceMs = 20_000): Promise<void> {
		const spawned = this.spawned;
		if (!spawned) return;
		const result = await stopProcessGroup(spawned, graceMs);
		live.delete(this);
		this.log.info(`stopped PID ${spawned.pid} in ${seconds(result.durationMs)}${result.graceful ? '' : ' (SIGKILL after the grace period)'}`);
	}

	/** Synchronous last resort (process exit): SIGKILL to its process group. */
	killNow(): void {
		if (this.spawned) signalGroup(this.spawned.pid, 'SIGKILL');
		live.delete(this);
	}
}

export class ProcessExitedError extends PollAbortError {
	constructor(message: string, logTail: string) {
		super(`${message}; last log lines:\n${logTail}`);
		this.name = 'ProcessExitedError';
	}
}
