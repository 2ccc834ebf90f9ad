/**
 * Direct database access for assertions the public API does not cover (e.g. `workflow_entity.staticData`): a
 * small script run under Node 24 with the n8n install's own `sqlite3` and `pg` modules, so the harness needs no
 * database client of its own. Prefer the public API where it has the data. Execution data in
 * `execution_data.data` is `flatted` JSON.
 */
import { join } from 'node:path';

import type { N8nInstallation } from './n8n-install';
import { runCommand, type RunResult } from './process-utils';

export type DbRow = Record<string, unknown>;

/** Runs `script` with `node -e` in the n8n install folder (its node_modules on the require path); input as JSON in E2E_INPUT. */
export async function runWithN8nModules(installation: N8nInstallation, script: string, input: unknown, timeoutMs = 30_000): Promise<RunResult> {
	const result = await runCommand(installation.nodeBin, ['-e', script], {
		cwd: installation.n8nDir,
		env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', E2E_INPUT: JSON.stringify(input) },
		timeoutMs,
	});
	if (result.code !== 0) throw new Error(`helper script failed (exit ${result.code ?? result.signal ?? '?'}): ${result.stderr.trim() || result.stdout.trim()}`);
	return result;
}

const SQLITE_QUERY_SCRIPT = `
const sqlite3 = require('sqlite3');
const input = JSON.parse(process.env.E2E_INPUT);
const db = new sqlite3.Database(input.file, sqlite3.OPEN_READONLY, (error) => {
	if (error) { process.stderr.write(error.message); process.exit(1); }
	db.all(input.sql, input.params, (queryError, rows) => {
		if (queryError) { process.stderr.write(queryError.message); process.exit(1); }
		process.stdout.write(JSON.stringify(rows));
		db.close();
	});
});
`;

const PG_QUERY_SCRIPT = `
const { Client } = require('pg');
const input = JSON.parse(process.env.E2E_INPUT);
(async () => {
	const client = new Client({ ...input.target, connectionTimeoutMillis: 5000 });
	await client.connect();
	try {
		const result = await client.query(input.sql, input.params);
		process.stdout.write(JSON.stringify(result.rows ?? []));
	} finally { await client.end(); }
})().catch((error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });
`;

/**
 * Runs one read query against the database an n8n environment points at (SQLite in its user folder, or
 * PostgreSQL from its DB_POSTGRESDB_* settings). Parameters: `?` for SQLite, `$1…` for PostgreSQL.
 */
export async function queryN8nDatabase(installation: N8nInstallation, env: NodeJS.ProcessEnv, sql: string, params: unknown[] = []): Promise<DbRow[]> {
	let result: RunResult;
	if (env.DB_TYPE === 'postgresdb') {
		const target = {
			host: env.DB_POSTGRESDB_HOST,
			port: Number(env.DB_POSTGRESDB_PORT ?? 5432),
			user: env.DB_POSTGRESDB_USER,
			password: env.DB_POSTGRESDB_PASSWORD ?? '',
			database: env.DB_POSTGRESDB_DATABASE,
		};
		result = await runWithN8nModules(installation, PG_QUERY_SCRIPT, { target, sql, params });
	} else {
		const userFolder = env.N8N_USER_FOLDER;
		if (!userFolder) throw new Error('env has no N8N_USER_FOLDER');
		const file = env.DB_SQLITE_DATABASE ?? join(userFolder, '.n8n', 'database.sqlite');
		result = await runWithN8nModules(installation, SQLITE_QUERY_SCRIPT, { file, sql, params });
	}
	const rows: unknown = JSON.parse(result.stdout || '[]');
	if (!Array.isArray(rows)) throw new Error(`query returned no rows array: ${result.stdout.slice(0, 200)}`);
	return rows as DbRow[];
}
