/**
 * Packing the built package and installing the tarball into an n8n user folder exactly the way n8n 2.41.1's
 * community-packages service does it (n8n/dist/modules/community-packages/community-packages.service.js,
 * `downloadPackage`): unpack into `<userFolder>/.n8n/nodes/node_modules/<name>` with `--strip-components=1`, drop
 * devDependencies/peerDependencies/optionalDependencies from its package.json, run
 * `npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true
 * --package-lock=false` inside it, and record `<name>: <version>` in `<userFolder>/.n8n/nodes/package.json`.
 * n8n then finds it at start-up by scanning `nodes/node_modules/n8n-nodes-*` (community-packages.module.js).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import { createLogger, seconds } from './logger';
import { cleanBaseEnv } from './n8n-install';
import { runChecked } from './process-utils';

const log = createLogger('package');

interface PackageJson {
	name?: unknown;
	version?: unknown;
	n8n?: { nodes?: unknown; credentials?: unknown };
	[key: string]: unknown;
}

export interface InstalledPackage {
	packageName: string;
	version: string;
	/** `<userFolder>/.n8n/nodes/node_modules/<packageName>` */
	packageDir: string;
	/** `<userFolder>/.n8n/nodes` (n8n's nodesDownloadDir) */
	nodesDir: string;
}

function readPackageJson(file: string): PackageJson {
	const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file} is not a JSON object`);
	return parsed as PackageJson;
}

function stringList(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

/**
 * `npm pack` of the package in repoDir (the caller builds it first) into a fresh temp folder; returns the
 * tarball's absolute path. Fails clearly when dist/ or a file the package.json `n8n` section names is missing.
 */
export async function packPackage(repoDir: string): Promise<string> {
	const dir = resolve(repoDir);
	const packageJson = readPackageJson(join(dir, 'package.json'));
	if (!existsSync(join(dir, 'dist'))) {
		throw new Error(`${dir}/dist does not exist: build the package first (npm run build) before packing it for a real n8n`);
	}
	const declared = [...stringList(packageJson.n8n?.nodes), ...stringList(packageJson.n8n?.credentials)];
	const missing = declared.filter((file) => !existsSync(join(dir, file)));
	if (missing.length > 0) {
		throw new Error(`the build in ${dir} is incomplete: package.json's n8n section names files that do not exist: ${missing.join(', ')}`);
	}
	const destination = mkdtempSync(join(tmpdir(), 'n8n-smartcar-pack-'));
	const started = Date.now();
	const result = await runChecked('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
		cwd: dir,
		env: cleanBaseEnv(),
		timeoutMs: 120_000,
	});
	const parsed: unknown = JSON.parse(result.stdout);
	const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
	const filename = typeof first === 'object' && first !== null && 'filename' in first ? (first as { filename: unknown }).filename : undefined;
	if (typeof filename !== 'string') throw new Error(`npm pack in ${dir} printed no filename:\n${result.stdout}`);
	const tgz = isAbsolute(filename) ? filename : join(destination, filename.replace(/^@/, '').replace(/\//g, '-'));
	if (!existsSync(tgz)) throw new Error(`npm pack reported ${filename} but ${tgz} does not exist`);
	log.info(`packed ${String(packageJson.name)}@${String(packageJson.version)} -> ${tgz} (${seconds(Date.now() - started)})`);
	return tgz;
}

/** The nodes/package.json ledger n8n keeps (community-packages.service.js `ensurePackageJson`). */
function ensureLedger(nodesDir: string): string {
	mkdirSync(nodesDir, { recursive: true });
	const ledger = join(nodesDir, 'package.json');
	let usable = false;
	try {
		const current = readPackageJson(ledger);
		usable = typeof current.dependencies === 'object' && current.dependencies !== null;
	} catch {
		usable = false;
	}
	if (!usable) writeFileSync(ledger, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2), 'utf-8');
	return ledger;
}

/**
 * Installs a packed tarball into an n8n user folder the way n8n's community-packages service does (see the
 * file comment). `env` is the environment npm runs in (n8n runs it from its own process: Node 24 on PATH).
 */
export async function installPackageInto(userFolder: string, tgz: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<InstalledPackage> {
	const started = Date.now();
	const env = options.env ?? cleanBaseEnv();
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const ledger = ensureLedger(nodesDir);
	// Read the package's name from the tarball, as n8n knows it from the install request.
	const staging = mkdtempSync(join(tmpdir(), 'n8n-smartcar-unpack-'));
	let packageName: string;
	try {
		await runChecked('tar', ['-xzf', resolve(tgz), '-C', staging, '--strip-components=1', 'package/package.json'], { cwd: staging, env, timeoutMs: 60_000 });
		const name = readPackageJson(join(staging, 'package.json')).name;
		if (typeof name !== 'string' || !/^(@[a-z0-9][a-z0-9\-._]*\/)?n8n-nodes-[a-z0-9\-._]*$/.test(name)) {
			throw new Error(`${tgz} holds package "${String(name)}"; n8n only loads packages named n8n-nodes-* or @scope/n8n-nodes-*`);
		}
		packageName = name;
	} finally {
		rmSync(staging, { recursive: true, force: true });
	}
	const packageDir = join(nodesDir, 'node_modules', packageName);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	await runChecked('tar', ['-xzf', resolve(tgz), '-C', packageDir, '--strip-components=1'], { cwd: nodesDir, env, timeoutMs: 60_000 });
	const packageJsonPath = join(packageDir, 'package.json');
	const { devDependencies: _dev, peerDependencies: _peer, optionalDependencies: _optional, ...packageJson } = readPackageJson(packageJsonPath);
	void _dev;
	void _peer;
	void _optional;
	writeFileSync(packageJsonPath, JSON.stringify(packageJson, null, 2), 'utf-8');
	await runChecked(
		'npm',
		['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
		{ cwd: packageDir, env, timeoutMs: 5 * 60_000 },
	);
	const version = typeof packageJson.version === 'string' ? packageJson.version : '0.0.0';
	const ledgerJson = readPackageJson(ledger);
	const dependencies = (ledgerJson.dependencies ?? {}) as Record<string, string>;
	dependencies[packageName] = version;
	writeFileSync(ledger, JSON.stringify({ ...ledgerJson, dependencies }, null, 2), 'utf-8');
	log.info(`installed ${packageName}@${version} into ${nodesDir} (${seconds(Date.now() - started)})`);
	return { packageName, version, packageDir, nodesDir };
}
