/** Steps shared by regular and queue-mode start-up: temp folders, package installs, CLI imports and publishing. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { installPackageInto } from './community-package';
import { createLogger, seconds } from './logger';
import { majorOf, type N8nInstallation } from './n8n-install';
import { runN8nCli } from './n8n-process';
import type { CredentialJson, WorkflowJson } from './n8n-types';
import type { RunResult } from './process-utils';

const log = createLogger('n8n');

/** Whether user folders the harness created are kept after stop (N8N_SMARTCAR_E2E_KEEP=1), for debugging. */
export function keepUserFolders(): boolean {
	return process.env.N8N_SMARTCAR_E2E_KEEP === '1';
}

export function makeTempFolder(prefix: string): string {
	return mkdtempSync(join(tmpdir(), prefix));
}

/** Installs the given tarballs into a user folder, timing it. */
export async function installPackages(userFolder: string, packageTgz: string | string[] | undefined, env: NodeJS.ProcessEnv): Promise<void> {
	const tarballs = packageTgz === undefined ? [] : Array.isArray(packageTgz) ? packageTgz : [packageTgz];
	for (const tgz of tarballs) await installPackageInto(userFolder, tgz, { env });
}

/**
 * Imports credentials and workflows and publishes workflows through n8n's CLI, against the database that `env`
 * points at, with no server running on it. Returns how long each step took.
 */
export async function importAndPublish(
	installation: N8nInstallation,
	env: NodeJS.ProcessEnv,
	options: { credentials?: CredentialJson[]; workflows?: WorkflowJson[]; publish?: string[] },
): Promise<Record<string, number>> {
	const userFolder = env.N8N_USER_FOLDER;
	if (!userFolder) throw new Error('env has no N8N_USER_FOLDER');
	const dir = join(userFolder, 'e2e-import');
	mkdirSync(dir, { recursive: true });
	const timings: Record<string, number> = {};
	const time = async (label: string, body: () => Promise<RunResult>): Promise<void> => {
		const started = Date.now();
		await body();
		timings[label] = Date.now() - started;
		log.info(`${label}: ${seconds(timings[label])}`);
	};
	if (options.credentials && options.credentials.length > 0) {
		const file = join(dir, 'credentials.json');
		writeFileSync(file, JSON.stringify(options.credentials, null, 2));
		await time(`import:credentials (${options.credentials.length})`, () => runN8nCli(installation, env, ['import:credentials', `--input=${file}`]));
	}
	if (options.workflows && options.workflows.length > 0) {
		const file = join(dir, 'workflows.json');
		writeFileSync(file, JSON.stringify(options.workflows, null, 2));
		await time(`import:workflow (${options.workflows.length})`, () => runN8nCli(installation, env, ['import:workflow', `--input=${file}`]));
	}
	for (const id of options.publish ?? []) {
		// n8n 1.x has no publish:workflow; update:workflow --active=true activates (and exits 0 even when it fails).
		const args = majorOf(installation.version) === 1 ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`];
		await time(`${args[0]} ${id}`, () => runN8nCli(installation, env, args));
	}
	return timings;
}
