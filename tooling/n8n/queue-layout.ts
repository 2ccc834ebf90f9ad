/**
 * How a queue-mode cluster is laid out before it starts: its processes (main, worker-N, webhook-N), their ports and
 * user folders, and the queue-mode environment they share (database, bull prefix and Redis key prefixes, all named
 * after one unique token).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nInstallation } from './n8n-install';
import { N8nProcess, n8nEnv, type N8nRole } from './n8n-process';
import type { QueueClusterOptions } from './n8n-queue';
import { makeTempFolder } from './n8n-setup';
import { freePorts } from './process-utils';
import type { PostgresTarget, RedisTarget } from './queue-services';

function uniqueToken(): string {
	return `n8n_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Where a cluster's processes live: names, ports, the shared queue-mode environment. */
export interface ClusterLayout {
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
export async function planCluster(options: QueueClusterOptions, postgres: PostgresTarget, redis: RedisTarget): Promise<ClusterLayout> {
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
export function makeQueueProcess(
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
