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
 * Which worker ran an execution: a worker logs `Worker started execution <id> (job <job>)` and
 * `Worker finished execution <id> (job <job>)` at info level (scaling/job-processor.js); see workerThatRan().
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger, seconds } from './logger';
import { queryN8nDatabase, runWithN8nModules, type DbRow } from './n8n-db';
import { apiKeyFor, N8nApiClient } from './n8n-api';
import { DEFAULT_N8N_VERSION, ensureN8n, type N8nInstallation } from './n8n-install';
import { importAndPublish, installPackages, keepUserFolders, makeTempFolder } from './n8n-setup';
import { N8nProcess, n8nEnv, runN8nCli, type N8nRole } from './n8n-process';
import type { CredentialJson, WorkflowJson } from './n8n-types';
import { freePorts, pollUntil, tcpReachable, type RunResult } from './process-utils';

const log = createLogger('n8n-queue');

export interface PostgresTarget {
	host: string;
	port: number;
	user: string;
	password: string;
}

export interface RedisTarget {
	host: string;
	port: number;
}

export const DEFAULT_POSTGRES: PostgresTarget = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' };
export const DEFAULT_REDIS: RedisTarget = { host: '127.0.0.1', port: 6379 };

/** True when PostgreSQL accepts a TCP connection (tests skip queue mode with a clear message otherwise). */
export async function pgAvailable(target: PostgresTarget = DEFAULT_POSTGRES): Promise<boolean> {
	return await tcpReachable(target.host, target.port, 1_000);
}

/** True when Redis accepts a TCP connection. */
export async function redisAvailable(target: RedisTarget = DEFAULT_REDIS): Promise<boolean> {
	return await tcpReachable(target.host, target.port, 1_000);
}

/** Why queue mode cannot run here, or undefined when PostgreSQL and Redis are both reachable. */
export async function queueModeUnavailableReason(pg: PostgresTarget = DEFAULT_POSTGRES, redis: RedisTarget = DEFAULT_REDIS): Promise<string | undefined> {
	const [pgUp, redisUp] = await Promise.all([pgAvailable(pg), redisAvailable(redis)]);
	const missing = [pgUp ? '' : `PostgreSQL at ${pg.host}:${pg.port}`, redisUp ? '' : `Redis at ${redis.host}:${redis.port}`].filter(Boolean);
	return missing.length > 0 ? `not reachable: ${missing.join(' and ')}` : undefined;
}

const TCP_PROBE_SCRIPT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const socket = net.connect(Number(port), host);
socket.setTimeout(1000);
socket.on('connect', () => process.exit(0));
socket.on('timeout', () => process.exit(1));
socket.on('error', () => process.exit(1));
`;

function tcpReachableSync(host: string, port: number): boolean {
	const result = spawnSync(process.execPath, ['-e', TCP_PROBE_SCRIPT, host, String(port)], { timeout: 5_000, stdio: 'ignore' });
	return result.status === 0;
}

/**
 * Synchronous variant of queueModeUnavailableReason(), for choosing `describe` or `describe.skip` when a spec
 * file loads (jest has no asynchronous skip).
 */
export function queueModeUnavailableReasonSync(pg: PostgresTarget = DEFAULT_POSTGRES, redis: RedisTarget = DEFAULT_REDIS): string | undefined {
	const missing = [
		tcpReachableSync(pg.host, pg.port) ? '' : `PostgreSQL at ${pg.host}:${pg.port}`,
		tcpReachableSync(redis.host, redis.port) ? '' : `Redis at ${redis.host}:${redis.port}`,
	].filter(Boolean);
	return missing.length > 0 ? `not reachable: ${missing.join(' and ')}` : undefined;
}

const PG_SCRIPT = `
const { Client } = require('pg');
const input = JSON.parse(process.env.E2E_INPUT);
(async () => {
	const client = new Client({ ...input.target, database: 'postgres', connectionTimeoutMillis: 5000 });
	await client.connect();
	try { for (const sql of input.statements) await client.query(sql); } finally { await client.end(); }
})().catch((error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });
`;

const REDIS_CLEANUP_SCRIPT = `
const Redis = require('ioredis');
const input = JSON.parse(process.env.E2E_INPUT);
(async () => {
	const redis = new Redis({ host: input.target.host, port: input.target.port, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
	await redis.connect();
	let deleted = 0;
	try {
		for (const pattern of input.patterns) {
			let cursor = '0';
			do {
				const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
				cursor = next;
				if (keys.length > 0) deleted += await redis.del(...keys);
			} while (cursor !== '0');
		}
	} finally { redis.disconnect(); }
	process.stdout.write(String(deleted));
})().catch((error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });
`;

function quoteIdentifier(name: string): string {
	if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
	return `"${name}"`;
}

export async function createDatabase(installation: N8nInstallation, target: PostgresTarget, name: string): Promise<void> {
	await runWithN8nModules(installation, PG_SCRIPT, { target, statements: [`CREATE DATABASE ${quoteIdentifier(name)}`] });
}

export async function dropDatabase(installation: N8nInstallation, target: PostgresTarget, name: string): Promise<void> {
	await runWithN8nModules(installation, PG_SCRIPT, { target, statements: [`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`] });
}

/** Deletes every Redis key that contains `token` (all of a cluster's prefixes contain its unique token). */
export async function deleteRedisKeys(installation: N8nInstallation, target: RedisTarget, token: string): Promise<number> {
	const result = await runWithN8nModules(installation, REDIS_CLEANUP_SCRIPT, { target, patterns: [`*${token}*`] });
	return Number(result.stdout.trim() || '0');
}

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

function uniqueToken(): string {
	return `n8n_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Where a cluster's processes live: names, ports, the shared queue-mode environment. */
interface ClusterLayout {
	/** The unique token in the bull prefix, the Redis key prefix and the database name. */
	token: string;
	rootFolder: string;
	names: string[];
	/** Per process: N8N_PORT, or the worker's health port. */
	httpPorts: Map<string, number>;
	/** Per process: the task-runner broker port. */
	brokerPorts: Map<string, number>;
	/** WEBHOOK_URL: the first webhook processor (or the main when there is none). */
	webhookUrl: string;
	sharedEnv: Record<string, string>;
}

/** Names the processes (main, worker-N, webhook-N), picks their ports and builds the shared environment. */
async function planCluster(options: QueueClusterOptions, postgres: PostgresTarget, redis: RedisTarget): Promise<ClusterLayout> {
	const token = uniqueToken();
	const workerCount = options.workers ?? 2;
	const webhookCount = options.webhookProcessors ?? 1;
	const names = [
		'main',
		...Array.from({ length: workerCount }, (_, i) => `worker-${i + 1}`),
		...Array.from({ length: webhookCount }, (_, i) => `webhook-${i + 1}`),
	];
	const ports = await freePorts(names.length * 2);
	const httpPorts = new Map(names.map((name, i) => [name, ports[i * 2]]));
	const brokerPorts = new Map(names.map((name, i) => [name, ports[i * 2 + 1]]));
	const webhookPort = httpPorts.get(webhookCount > 0 ? 'webhook-1' : 'main') as number;
	return {
		token,
		rootFolder: makeTempFolder('n8n-smartcar-queue-'),
		names,
		httpPorts,
		brokerPorts,
		webhookUrl: `http://127.0.0.1:${webhookPort}/`,
		sharedEnv: queueEnv(token, postgres, redis, options),
	};
}

/** The queue-mode environment every process (and the CLI) shares. */
function queueEnv(token: string, postgres: PostgresTarget, redis: RedisTarget, options: QueueClusterOptions): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		DB_POSTGRESDB_DATABASE: token,
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_PREFIX: `${token}_bull`,
		N8N_REDIS_KEY_PREFIX: token,
		N8N_CACHE_REDIS_KEY_PREFIX: `${token}_cache`,
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: String(options.offloadManualExecutions ?? true),
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: String(options.disableMainWebhooks ?? false),
	};
}

/** One process of the cluster (not started): its user folder, environment and arguments. */
function makeQueueProcess(
	layout: ClusterLayout,
	installation: N8nInstallation,
	options: QueueClusterOptions,
	name: string,
	role: N8nRole,
): N8nProcess {
	const userFolder = join(layout.rootFolder, name);
	mkdirSync(userFolder, { recursive: true });
	const httpPort = layout.httpPorts.get(name) as number;
	const roleEnv: Record<string, string> =
		role === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(httpPort) } : {};
	const env = n8nEnv({
		installation,
		userFolder,
		port: httpPort,
		brokerPort: layout.brokerPorts.get(name) as number,
		webhookUrl: layout.webhookUrl,
		extraEnv: { ...layout.sharedEnv, ...roleEnv, ...options.extraEnv, ...options.roleEnv?.[role] },
	});
	const args = role === 'worker' ? [`--concurrency=${options.workerConcurrency ?? 10}`] : [];
	return new N8nProcess({ name, role, installation, userFolder, env, httpPort, args });
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
