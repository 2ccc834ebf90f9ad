/**
 * 4. Footprint. The packed package (`npm pack --dry-run --json`: tarball size, unpacked size, file count); the
 * time n8n takes to load it, measured two ways:
 *   - n8n's own loader in a fresh Node 24 process (n8n-core's LazyPackageDirectoryLoader over the installed
 *     package, as n8n runs it at start-up; n8n-core and n8n-workflow required beforehand, as n8n has them),
 *     with the heap it adds (after GC);
 *   - `n8n start` until ready, with and without the package installed (two user folders, same everything else,
 *     restarts alternating between them; the first start of each folder, which migrates the database, is not
 *     counted).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cleanBaseEnv, installPackageInto, startN8n, type N8nInstallation, type N8nInstance } from '../../tooling/n8n/n8n-instance';
import { median } from '../lib/stats';
import { errorText, progress, type Cleanup } from '../lib/util';

export interface PackInfo {
	filename: string;
	sizeBytes: number;
	unpackedBytes: number;
	files: number;
}

export interface LoaderRun {
	ms: number;
	heapBytes: number;
	nodes: string[];
	credentials: string[];
	lazy: boolean;
}

export interface FootprintResults {
	pack: PackInfo;
	loader: LoaderRun[];
	startsWith: number[];
	startsWithout: number[];
	rssWithMiB: number[];
	rssWithoutMiB: number[];
	loadedTypesWith: string[];
}

export function packInfo(repo: string): PackInfo {
	const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, env: cleanBaseEnv(), encoding: 'utf8', timeout: 120_000 });
	if (result.status !== 0) throw new Error(`npm pack --dry-run failed: ${result.stderr}`);
	const parsed: unknown = JSON.parse(result.stdout);
	const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
	if (typeof first !== 'object' || first === null) throw new Error(`npm pack printed no package: ${result.stdout.slice(0, 200)}`);
	const entry = first as { filename?: unknown; size?: unknown; unpackedSize?: unknown; entryCount?: unknown };
	return {
		filename: String(entry.filename),
		sizeBytes: Number(entry.size),
		unpackedBytes: Number(entry.unpackedSize),
		files: Number(entry.entryCount),
	};
}

const LOADER_SCRIPT = `
const input = JSON.parse(process.env.BENCH_INPUT);
process.env.NODE_PATH = input.nodePath;
require('module')._initPaths();
require('n8n-workflow');
const { LazyPackageDirectoryLoader } = require('n8n-core');
(async () => {
	global.gc(); global.gc();
	const heapBefore = process.memoryUsage().heapUsed;
	const started = process.hrtime.bigint();
	const loader = new LazyPackageDirectoryLoader(input.dir);
	await loader.loadAll();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	global.gc(); global.gc();
	const heapBytes = process.memoryUsage().heapUsed - heapBefore;
	process.stdout.write(JSON.stringify({ ms, heapBytes, nodes: Object.keys(loader.nodeTypes), credentials: Object.keys(loader.credentialTypes), lazy: loader.isLazyLoaded === true }));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

function runLoader(installation: N8nInstallation, dir: string): LoaderRun {
	const nodePath = [join(installation.n8nDir, 'node_modules', 'n8n', 'node_modules'), join(installation.n8nDir, 'node_modules')].join(':');
	const result = spawnSync(installation.nodeBin, ['--expose-gc', '-e', LOADER_SCRIPT], {
		cwd: installation.n8nDir,
		env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', N8N_LOG_LEVEL: 'warn', BENCH_INPUT: JSON.stringify({ dir, nodePath }) },
		encoding: 'utf8',
		timeout: 60_000,
	});
	if (result.status !== 0) throw new Error(`loader script failed: ${(result.stderr || result.stdout).slice(0, 1000)}`);
	return JSON.parse(result.stdout) as LoaderRun;
}

function rssMiB(pid: number): number {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const match = /VmRSS:\s+(\d+) kB/.exec(status);
		return match ? Number(match[1]) / 1024 : Number.NaN;
	} catch {
		return Number.NaN;
	}
}

export async function runFootprint(options: { repo: string; tgz: string; installation: N8nInstallation; starts: number; loaderRuns: number }, cleanup: Cleanup): Promise<FootprintResults> {
	const pack = packInfo(options.repo);
	progress('footprint', `packed ${pack.filename}: ${pack.sizeBytes} B, unpacked ${pack.unpackedBytes} B, ${pack.files} files`);

	const folder = mkdtempSync(join(tmpdir(), 'n8n-smartcar-bench-load-'));
	const removeFolder = cleanup.add(`temp folder ${folder}`, async () => rmSync(folder, { recursive: true, force: true }));
	const installed = await installPackageInto(folder, options.tgz);
	const loader: LoaderRun[] = [];
	for (let i = 0; i < options.loaderRuns; i++) loader.push(runLoader(options.installation, installed.packageDir));
	await removeFolder();
	progress('footprint', `n8n's loader: median ${median(loader.map((run) => run.ms)).toFixed(1)} ms, heap +${(median(loader.map((run) => run.heapBytes)) / 1024).toFixed(0)} KiB (${loader[0]?.nodes.join(', ')})`);

	const startsWith: number[] = [];
	const startsWithout: number[] = [];
	const rssWithMiB: number[] = [];
	const rssWithoutMiB: number[] = [];
	let withPackage: N8nInstance | undefined;
	let withoutPackage: N8nInstance | undefined;
	const stopWith = cleanup.add('n8n (footprint, with package)', async () => await withPackage?.stop());
	const stopWithout = cleanup.add('n8n (footprint, without package)', async () => await withoutPackage?.stop());
	try {
		progress('footprint', 'starting n8n with and without the package (first starts migrate the database and are not counted)');
		withPackage = await startN8n({ packageTgz: options.tgz });
		withoutPackage = await startN8n({});
		const loadedTypesWith = withPackage.loadedTypes().nodes.filter((name) => name.startsWith('n8n-nodes-smartcar.'));
		for (let i = 0; i < options.starts; i++) {
			// Alternate which goes first, so drift in the machine's load does not favour one.
			const pair: Array<[N8nInstance, number[], number[]]> = [
				[withPackage, startsWith, rssWithMiB],
				[withoutPackage, startsWithout, rssWithoutMiB],
			];
			if (i % 2 === 1) pair.reverse();
			for (const [instance, starts, rss] of pair) {
				await instance.restart();
				starts.push(instance.timings.startup);
				rss.push(rssMiB(instance.pid));
			}
			progress('footprint', `start ${i + 1}/${options.starts}: with ${startsWith[startsWith.length - 1]} ms, without ${startsWithout[startsWithout.length - 1]} ms`);
		}
		return { pack, loader, startsWith, startsWithout, rssWithMiB, rssWithoutMiB, loadedTypesWith };
	} catch (error) {
		progress('footprint', `failed: ${errorText(error)}`);
		throw error;
	} finally {
		await stopWith();
		await stopWithout();
	}
}
