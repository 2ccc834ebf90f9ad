/**
 * A real n8n for end-to-end tests (regular mode, SQLite), and the entry point of the harness: it re-exports the
 * install, packaging, queue-mode and API helpers.
 *
 *   const n8n = await startN8n({ packageTgz, credentials, workflows, publish: [workflow.id] });
 *   await n8n.waitForWebhook('my-path');
 *   await http.post(n8n.webhookUrl('my-path'), { ... });
 *   const [execution] = await n8n.waitForExecutions(workflow.id, 1);
 *   await n8n.stop();
 *
 * start-up: a temp user folder; the packed package(s) installed into it as n8n's community-packages service does;
 * `n8n import:credentials`, `n8n import:workflow`, `n8n publish:workflow --id=…` with the server stopped; then
 * `n8n start` detached in its own process group, ready when `/healthz/readiness` answers 200; then the owner and
 * an API key for the public API.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger, seconds } from './logger';
import { apiKeyFor, N8nApiClient } from './n8n-api';
import { queryN8nDatabase, type DbRow } from './n8n-db';
import { DEFAULT_N8N_VERSION, ensureN8n, type N8nInstallation } from './n8n-install';
import { N8nProcess, n8nEnv, runN8nCli } from './n8n-process';
import { importAndPublish, installPackages, keepUserFolders, makeTempFolder } from './n8n-setup';
import type { CredentialJson, WorkflowJson } from './n8n-types';
import { freePorts, type RunResult } from './process-utils';

export { cacheRoot, cleanBaseEnv, DEFAULT_N8N_VERSION, ensureN8n, ensureNode24, NODE24_VERSION } from './n8n-install';
export type { N8nInstallation } from './n8n-install';
export { installPackageInto, packPackage } from './community-package';
export type { InstalledPackage } from './community-package';
export { createOwnerAndApiKey, E2E_OWNER, editorSession, N8nApiClient, N8nApiError } from './n8n-api';
export type { ListExecutionsOptions } from './n8n-api';
export { E2E_ENCRYPTION_KEY, http, N8nProcess, n8nEnv, runN8nCli } from './n8n-process';
export type { N8nRole } from './n8n-process';
export { nodeOutput, FINISHED_STATUSES } from './n8n-types';
export type { CredentialJson, ExecutionDetail, ExecutionStatus, ExecutionSummary, WorkflowJson, WorkflowNodeJson } from './n8n-types';
export { freePort, freePorts, tcpReachable } from './process-utils';
export { queryN8nDatabase, runWithN8nModules } from './n8n-db';
export type { DbRow } from './n8n-db';
export { importAndPublish, installPackages, keepUserFolders, makeTempFolder } from './n8n-setup';
export { QueueCluster, startQueueCluster } from './n8n-queue';
export type { ProcessInfo, QueueClusterOptions } from './n8n-queue';
export {
	createDatabase,
	DEFAULT_POSTGRES,
	DEFAULT_REDIS,
	deleteRedisKeys,
	dropDatabase,
	pgAvailable,
	queueModeUnavailableReason,
	queueModeUnavailableReasonSync,
	redisAvailable,
	type PostgresTarget,
	type RedisTarget,
} from './queue-services';

const log = createLogger('n8n');

export interface StartN8nOptions {
	/** Use this user folder (kept after stop) instead of a fresh temp one (removed after stop). */
	userFolder?: string;
	/** N8N_PORT; a free port is picked when omitted. */
	port?: number;
	/** Extra environment for the server and the CLI commands (wins over the harness's settings). */
	extraEnv?: Record<string, string>;
	/** Tarball(s) from packPackage() to install as community packages; omit to run with n8n's own nodes only. */
	packageTgz?: string | string[];
	/** Imported with `n8n import:credentials` (plaintext `data`; n8n encrypts it). */
	credentials?: CredentialJson[];
	/** Imported with `n8n import:workflow`. */
	workflows?: WorkflowJson[];
	/** Workflow ids to publish with `n8n publish:workflow` before the server starts. */
	publish?: string[];
	/**
	 * Workflow ids to publish through the public API once the server is up (validated like the editor's Publish;
	 * one HTTP call each instead of one CLI start each).
	 */
	publishViaApi?: string[];
	mode?: 'regular';
	n8nVersion?: string;
	/** Bound on `n8n start` reaching readiness; default 180 s. */
	startupTimeoutMs?: number;
	/** Webhook paths to wait for (registered) before startN8n returns. */
	waitForWebhooks?: string[];
}

/** A running n8n in regular mode (SQLite in its user folder). */
export class N8nInstance extends N8nApiClient {
	readonly installation: N8nInstallation;
	readonly userFolder: string;
	readonly port: number;
	readonly env: NodeJS.ProcessEnv;
	readonly process: N8nProcess;
	/** Milliseconds per step of the start-up, for reports. */
	readonly timings: Record<string, number> = {};
	private readonly ownsUserFolder: boolean;
	private readonly startupTimeoutMs: number;

	constructor(params: { installation: N8nInstallation; userFolder: string; ownsUserFolder: boolean; port: number; brokerPort: number; extraEnv?: Record<string, string>; startupTimeoutMs: number }) {
		const baseUrl = `http://127.0.0.1:${params.port}`;
		super(baseUrl, baseUrl);
		this.installation = params.installation;
		this.userFolder = params.userFolder;
		this.ownsUserFolder = params.ownsUserFolder;
		this.port = params.port;
		this.startupTimeoutMs = params.startupTimeoutMs;
		this.env = n8nEnv({
			installation: params.installation,
			userFolder: params.userFolder,
			port: params.port,
			brokerPort: params.brokerPort,
			webhookUrl: `${baseUrl}/`,
			extraEnv: { EXECUTIONS_MODE: 'regular', ...params.extraEnv },
		});
		this.process = new N8nProcess({ name: 'main', role: 'main', installation: params.installation, userFolder: params.userFolder, env: this.env, httpPort: params.port });
	}

	get baseUrl(): string {
		return this.apiBaseUrl;
	}

	get pid(): number {
		return this.process.pid;
	}

	get logFile(): string {
		return this.process.logFile;
	}

	/** The server's log so far. */
	logs(): string {
		return this.process.logs();
	}

	/** The API key for `/api/v1` (header X-N8N-API-KEY). */
	get publicApiKey(): string {
		return this.apiKey;
	}

	/** Runs `n8n <args>` against this instance's user folder and environment (stop the server first for imports). */
	async runCli(args: string[], timeoutMs?: number): Promise<RunResult> {
		return await runN8nCli(this.installation, this.env, args, timeoutMs);
	}

	/**
	 * Node types (e.g. `n8n-nodes-smartcar.smartcar`) and credential types the server loaded: the main writes
	 * them to `<userFolder>/.cache/n8n/public/types/{nodes,credentials}.json` at start-up (served to the editor
	 * at /types/*.json, behind a login).
	 */
	loadedTypes(): { nodes: string[]; credentials: string[] } {
		const read = (file: string): string[] => {
			const path = join(this.userFolder, '.cache', 'n8n', 'public', 'types', file);
			if (!existsSync(path)) return [];
			const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
			if (!Array.isArray(parsed)) return [];
			return parsed.flatMap((entry: unknown) =>
				typeof entry === 'object' && entry !== null && 'name' in entry && typeof entry.name === 'string' ? [entry.name] : [],
			);
		};
		return { nodes: [...new Set(read('nodes.json'))], credentials: [...new Set(read('credentials.json'))] };
	}

	/** A read query against this instance's SQLite database (`?` parameters); prefer the public API. */
	async dbQuery(sql: string, params: unknown[] = []): Promise<DbRow[]> {
		return await queryN8nDatabase(this.installation, this.env, sql, params);
	}

	/** Starts `n8n start`, waits for readiness, and sets up the owner and API key (reused on a restart). */
	async startServer(): Promise<void> {
		let started = Date.now();
		this.process.start();
		await this.process.waitUntilReady(this.startupTimeoutMs);
		this.timings.startup = Date.now() - started;
		started = Date.now();
		this.apiKey = await apiKeyFor(this.baseUrl, this.userFolder);
		this.timings.apiKey = Date.now() - started;
	}

	/** Stops the server and starts it again on the same user folder and port (e.g. after CLI imports). */
	async restart(): Promise<void> {
		await this.process.stop();
		await this.startServer();
	}

	/** Stops the server (SIGTERM, SIGKILL after 20 s, its own process group only) and removes a temp user folder. */
	async stop(options: { keepUserFolder?: boolean } = {}): Promise<void> {
		await this.process.stop();
		if (this.ownsUserFolder && !options.keepUserFolder && !keepUserFolders()) {
			rmSync(this.userFolder, { recursive: true, force: true });
		} else {
			log.info(`user folder kept: ${this.userFolder}`);
		}
	}
}

/** Starts a real n8n (see the file comment); everything it started is stopped again if a step fails. */
export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	const total = Date.now();
	let started = Date.now();
	const installation = await ensureN8n(options.n8nVersion ?? DEFAULT_N8N_VERSION);
	const installMs = Date.now() - started;
	const userFolder = options.userFolder ?? makeTempFolder('n8n-smartcar-e2e-');
	mkdirSync(userFolder, { recursive: true });
	const [pickedPort, brokerPort] = await freePorts(2);
	const instance = new N8nInstance({
		installation,
		userFolder,
		ownsUserFolder: options.userFolder === undefined,
		port: options.port ?? pickedPort,
		brokerPort,
		extraEnv: options.extraEnv,
		startupTimeoutMs: options.startupTimeoutMs ?? 180_000,
	});
	instance.timings.ensureN8n = installMs;
	try {
		started = Date.now();
		await installPackages(userFolder, options.packageTgz, instance.env);
		instance.timings.installPackages = Date.now() - started;
		started = Date.now();
		Object.assign(instance.timings, await importAndPublish(installation, instance.env, options));
		instance.timings.cli = Date.now() - started;
		await instance.startServer();
		started = Date.now();
		for (const id of options.publishViaApi ?? []) await instance.publishWorkflow(id);
		if (options.publishViaApi?.length) instance.timings.publishViaApi = Date.now() - started;
		for (const path of options.waitForWebhooks ?? []) await instance.waitForWebhook(path);
		instance.timings.total = Date.now() - total;
		log.info(`n8n ${installation.version} up at ${instance.baseUrl} (PID ${instance.pid}, user folder ${userFolder}) in ${seconds(instance.timings.total)}`);
		return instance;
	} catch (error) {
		log.warn(`start-up failed; stopping n8n and keeping ${userFolder} for inspection`);
		await instance.stop({ keepUserFolder: true });
		throw error;
	}
}
