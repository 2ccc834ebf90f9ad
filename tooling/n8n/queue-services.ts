/**
 * The services a queue-mode n8n needs, on this machine: PostgreSQL and Redis targets, whether they are reachable
 * (queue-mode specs skip with a clear message otherwise), a database of a cluster's own, and deleting a cluster's
 * Redis keys. The SQL and Redis clients are n8n's own (`pg`, `ioredis` in its install), run in a child process.
 */
import { spawnSync } from 'node:child_process';

import { runWithN8nModules } from './n8n-db';
import type { N8nInstallation } from './n8n-install';
import { tcpReachable } from './process-utils';

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
