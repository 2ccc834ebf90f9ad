/**
 * A real n8n in queue mode: PostgreSQL (a database of its own, dropped on stop) and Redis (a unique bull queue
 * prefix and pub/sub + cache key prefix, its keys deleted on stop), one main (`n8n start`, EXECUTIONS_MODE=queue),
 * workers (`n8n worker`) and webhook processors (`n8n webhook`). Every process has its own user folder with
 * the packed package installed into it (as n8n does per process), its own ports, log and PID, and the same
 * N8N_ENCRYPTION_KEY.
 *
 * n8n 2.41.1 names (from @n8n/config): DB_TYPE=postgresdb, DB_POSTGRESDB_HOST/PORT/USER/PASSWORD/DATABASE;
 * QUEUE_BULL_REDIS_HOST/PORT, QUEUE_BULL_PREFIX (bull queue keys), N8N_REDIS_KEY_PREFIX (pub/sub channels
 * `<prefix>:n8n.commands`… and, with N8N_CACHE_REDIS_KEY_PREFIX, cache keys); a worker's HTTP server (health)
 * is QUEUE_HEALTH_CHECK_ACTIVE=true on QUEUE_HEALTH_CHECK_PORT (default 5678!) at N8N_WORKER_SERVER_ADDRESS;
 * `start` and `worker` each run a task-runner broker on N8N_RUNNERS_BROKER_PORT (default 5679: one per process);
 * OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true (read from process.env) sends manual runs to workers too.
 *
 * PostgreSQL and Redis themselves: queue-services.ts.
 *
 * Which worker ran an execution: a worker logs `Worker started execution <id> (job <job>)` and
 * `Worker finished execution <id> (job <job>)` at info level (scaling/job-processor.js); see workerThatRan().
 */
import { rmSync } from 'node:fs';

import { createLogger, seconds } from './logger';
import { queryN8nDatabase, type DbRow } from './n8n-db';
import { apiKeyFor, N8nApiClient } from './n8n-api';
import { DEFAULT_N8N_VERSION, ensureN8n, type N8nInstallation } from './n8n-install';
import { importAndPublish, installPackages, keepUserFolders } from './n8n-setup';
import { N8nProcess, runN8nCli, type N8nRole } from './n8n-process';
import type { CredentialJson, WorkflowJson } from './n8n-types';
import { pollUntil, type RunResult } from './process-utils';
import { makeQueueProcess, planCluster } from './queue-layout';
import {
	createDatabase,
	DEFAULT_POSTGRES,
	DEFAULT_REDIS,
	deleteRedisKeys,
	dropDatabase,
	queueModeUnavailableReason,
	type PostgresTarget,
	type RedisTarget,
} from './queue-services';

const log = createLogger('n8n-queue');

export interface QueueClusterOptions {
	/** Tarball(s) from packPackage(), installed into every process's user folder. */
	packageTgz?: string | string[];
	credentials?: CredentialJson[];
	workflows?: WorkflowJson[];
	/** Workflow ids to publish (CLI, before the main starts). */
	publish?: string[];
	/** Default 2. */
	workers?: number;
	/** `n8n worker --concurrency`; default 10. */
	workerConcurrency?: number;
	/** Default 1. */
	webhookProcessors?: number;
	/** Environment for every process (and the CLI). */
	extraEnv?: Record<string, string>;
	/** Environment for one role only (wins over extraEnv). */
	roleEnv?: Partial<Record<N8nRole, Record<string, string>>>;
	/** OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS; default true. */
	offloadManualExecutions?: boolean;
	/** N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true: the main answers no production webhooks; default false. */
	disableMainWebhooks?: boolean;
	postgres?: PostgresTarget;
	redis?: RedisTarget;
	n8nVersion?: string;
	/** Bound on each process reaching readiness; default 240 s. */
	startupTimeoutMs?: number;
	/** Webhook paths to wait for on every webhook processor before startQueueCluster returns. */
	waitForWebhooks?: string[];
}

export interface ProcessInfo {
	name: string;
	role: N8nRole;
	pid: number;
	/** HTTP port: N8N_PORT for main/webhook, the health port for a worker. */
	port: number;
	brokerPort: number;
	userFolder: string;
	logFile: string;
}

/** A running queue-mode cluster. Its public API is the main's; webhookUrl() points at the first webhook processor. */
export class QueueCluster extends N8nApiClient {
	readonly installation: N8nInstallation;
	readonly rootFolder: string;
	readonly database: string;
	/** The unique token in the bull prefix, the Redis key prefix and the database name. */
	readonly token: string;
	readonly main: N8nProcess;
	readonly workers: N8nProcess[];
	readonly webhooks: N8nProcess[];
	readonly timings: Record<string, number> = {};
	private readonly brokerPorts: Map<string, number>;
	private readonly postgres: PostgresTarget;
	private readonly redis: RedisTarget;
	private databaseCreated = false;
	private stopped = false;

	constructor(params: {
		installation: N8nInstallation;
		rootFolder: string;
		token: string;
		main: N8nProcess;
		workers: N8nProcess[];
		webhooks: N8nProcess[];
		brokerPorts: Map<string, number>;
		private: { postgres: PostgresTarget; redis: RedisTarget };
	}) {
		super(params.main.baseUrl, params.webhooks[0]?.baseUrl ?? params.main.baseUrl);
		this.installation = params.installation;
		this.rootFolder = params.rootFolder;
		this.token = params.token;
		this.database = params.token;
		this.main = params.main;
		this.workers = params.workers;
		this.webhooks = params.webhooks;
		this.brokerPorts = params.brokerPorts;
		this.postgres = params.private.postgres;
		this.redis = params.private.redis;
	}

	/** The first webhook processor. */
	get webhook(): N8nProcess {
		const first = this.webhooks[0];
		if (!first) throw new Error('this cluster has no webhook processor');
		return first;
	}

	get processes(): N8nProcess[] {
		return [this.main, ...this.workers, ...this.webhooks];
	}

	/** Port, PID, log and user folder of every process. */
	describe(): ProcessInfo[] {
		return this.processes.map((proc) => ({
			name: proc.name,
			role: proc.role,
			pid: proc.isRunning() ? proc.pid : -1,
			port: proc.httpPort,
			brokerPort: this.brokerPorts.get(proc.name) ?? -1,
			userFolder: proc.userFolder,
			logFile: proc.logFile,
		}));
	}

	/** The main's public-API key. */
	get publicApiKey(): string {
		return this.apiKey;
	}

	/** `/webhook/<path>` on the main instead of the webhook processor. */
	mainWebhookUrl(path: string): string {
		return `${this.main.baseUrl}/webhook/${path.replace(/^\/+/, '')}`;
	}

	/** Runs `n8n <args>` with the main's environment (same database; e.g. export:workflow). */
	async runCli(args: string[], timeoutMs?: number): Promise<RunResult> {
		return await runN8nCli(this.installation, this.main.env, args, timeoutMs);
	}

	/** A read query against the cluster's PostgreSQL database (`$1…` parameters); prefer the public API. */
	async dbQuery(sql: string, params: unknown[] = []): Promise<DbRow[]> {
		return await queryN8nDatabase(this.installation, this.main.env, sql, params);
	}

	/** The worker whose log says it started this execution, if any has yet. */
	workerThatRan(executionId: string): N8nProcess | undefined {
		const line = new RegExp(`Worker started execution ${executionId.replace(/[^0-9A-Za-z_-]/g, '')} \\(job `);
		return this.workers.find((worker) => line.test(worker.logs()));
	}

	/** Waits (bounded) for a worker to log that it started the execution; it logs that before the run is saved. */
	async waitForWorkerThatRan(executionId: string, timeoutMs = 10_000): Promise<N8nProcess> {
		return await pollUntil(`a worker log line for execution ${executionId}`, timeoutMs, 250, async () => this.workerThatRan(executionId));
	}

	/** For setup: records that the database exists (so stop() drops it) and sets the API key. */
	markDatabaseCreated(): void {
		this.databaseCreated = true;
	}

	setApiKey(apiKey: string): void {
		this.apiKey = apiKey;
	}

	/** Stops every process (by PID, workers and webhook processors first), drops the database, deletes its Redis keys. */
	async stop(options: { keepUserFolders?: boolean } = {}): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		const started = Date.now();
		await Promise.all([...this.webhooks, ...this.workers].map(async (proc) => await proc.stop()));
		await this.main.stop();
		if (this.databaseCreated) {
			await dropDatabase(this.installation, this.postgres, this.database).catch((error: unknown) => {
				log.warn(`could not drop database ${this.database}: ${error instanceof Error ? error.message : String(error)}`);
			});
		}
		const deleted = await deleteRedisKeys(this.installation, this.redis, this.token).catch((error: unknown) => {
			log.warn(`could not delete Redis keys of ${this.token}: ${error instanceof Error ? error.message : String(error)}`);
			return 0;
		});
		if (!options.keepUserFolders && !keepUserFolders()) rmSync(this.rootFolder, { recursive: true, force: true });
		else log.info(`user folders kept under ${this.rootFolder}`);
		log.info(`cluster ${this.token} stopped in ${seconds(Date.now() - started)} (database dropped, ${deleted} Redis keys deleted)`);
	}
}

/**
 * Starts a queue-mode cluster: database, user folders and package installs, CLI imports/publishing against the
 * new database, the main (waits for readiness, sets up the owner and API key), then workers and webhook
 * processors together (each waited for). On any failure everything started so far is stopped.
 */
export async function startQueueCluster(options: QueueClusterOptions = {}): Promise<QueueCluster> {
	const startedAt = Date.now();
	const postgres = options.postgres ?? DEFAULT_POSTGRES;
	const redis = options.redis ?? DEFAULT_REDIS;
	const unavailable = await queueModeUnavailableReason(postgres, redis);
	if (unavailable) throw new Error(`queue mode needs PostgreSQL and Redis: ${unavailable}`);
	const installation = await ensureN8n(options.n8nVersion ?? DEFAULT_N8N_VERSION);
	const layout = await planCluster(options, postgres, redis);
	const make = (name: string, role: N8nRole) => makeQueueProcess(layout, installation, options, name, role);
	const named = (prefix: string) => layout.names.filter((name) => name.startsWith(prefix));
	const cluster = new QueueCluster({
		installation,
		rootFolder: layout.rootFolder,
		token: layout.token,
		main: make('main', 'main'),
		workers: named('worker-').map((name) => make(name, 'worker')),
		webhooks: named('webhook-').map((name) => make(name, 'webhook')),
		brokerPorts: layout.brokerPorts,
		private: { postgres, redis },
	});
	try {
		await bootCluster(cluster, options, { postgres, redis });
		cluster.timings.total = Date.now() - startedAt;
		const summary = cluster
			.describe()
			.map((info) => `${info.name} PID ${info.pid} port ${info.port}`)
			.join(', ');
		log.info(`queue cluster up in ${seconds(cluster.timings.total)}: ${summary}`);
		return cluster;
	} catch (error) {
		log.warn(`queue cluster start-up failed; stopping it and keeping ${layout.rootFolder} for inspection`);
		await cluster.stop({ keepUserFolders: true });
		throw error;
	}
}

/** The start-up steps, each timed into `cluster.timings`; the caller stops the cluster if one throws. */
async function bootCluster(
	cluster: QueueCluster,
	options: QueueClusterOptions,
	targets: { postgres: PostgresTarget; redis: RedisTarget },
): Promise<void> {
	const { installation, main, workers, webhooks, token } = cluster;
	const { postgres, redis } = targets;
	let started = Date.now();
	await createDatabase(installation, postgres, token);
	cluster.markDatabaseCreated();
	log.info(`created database ${token} on ${postgres.host}:${postgres.port}; bull prefix ${token}_bull on redis ${redis.host}:${redis.port}`);
	for (const proc of cluster.processes) await installPackages(proc.userFolder, options.packageTgz, proc.env);
	cluster.timings.installPackages = Date.now() - started;
	started = Date.now();
	Object.assign(cluster.timings, await importAndPublish(installation, main.env, options));
	cluster.timings.cli = Date.now() - started;
	const startupTimeoutMs = options.startupTimeoutMs ?? 240_000;
	started = Date.now();
	main.start();
	await main.waitUntilReady(startupTimeoutMs);
	cluster.timings.mainStartup = Date.now() - started;
	cluster.setApiKey(await apiKeyFor(main.baseUrl, main.userFolder));
	started = Date.now();
	const others = [...workers, ...webhooks];
	for (const proc of others) proc.start();
	await Promise.all(others.map(async (proc) => await proc.waitUntilReady(startupTimeoutMs)));
	cluster.timings.workersAndWebhooksStartup = Date.now() - started;
	for (const path of options.waitForWebhooks ?? []) {
		for (const proc of webhooks) await cluster.waitForWebhook(path, { baseUrl: proc.baseUrl });
	}
}
