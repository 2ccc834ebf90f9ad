/**
 * The step release.yml runs before `npm publish` (scripts/release-preflight.mjs), against a loopback server that
 * plays the npm registry: it refuses an npm or Node too old for trusted publishing, skips the publish of a version the
 * registry has (so a rerun still makes the GitHub release), publishes one it lacks, and stops with the bootstrap
 * advice when the package is not on the registry at all.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(__dirname, '..', '..');
const script = join(repo, 'scripts', 'release-preflight.mjs');
const { name, version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; version: string };

interface Run {
	code: number;
	stdout: string;
	stderr: string;
	output: string;
}

/** The registry's answer to GET /<name>: a status and the versions it lists. */
let answer: { status: number; versions?: string[] } = { status: 200, versions: [] };
const requested: string[] = [];
let server: Server;
let registry: string;
let workDir: string;

beforeAll(async () => {
	server = createServer((request, response) => {
		requested.push(`${request.url} ${request.headers.accept ?? ''}`);
		response.writeHead(answer.status, { 'content-type': 'application/json' });
		const versions = Object.fromEntries((answer.versions ?? []).map((v) => [v, { name, version: v }]));
		response.end(JSON.stringify(answer.status === 200 ? { name, versions } : { error: 'Not found' }));
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	workDir = mkdtempSync(join(tmpdir(), 'release-preflight-'));
});

afterAll(async () => {
	await new Promise((done) => server.close(done));
	rmSync(workDir, { recursive: true, force: true });
});

function preflight(args: string[]): Promise<Run> {
	const outputFile = join(workDir, `output-${requested.length}-${Date.now()}`);
	writeFileSync(outputFile, '');
	const env = { ...process.env, npm_config_registry: registry, NPM_CONFIG_REGISTRY: registry, GITHUB_OUTPUT: outputFile };
	return new Promise((done) => {
		execFile('node', [script, ...args], { cwd: repo, env }, (error, stdout, stderr) => {
			done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, output: readFileSync(outputFile, 'utf8') });
		});
	});
}

const able = ['--npm', '11.6.2', '--node', 'v24.11.1'];

test('a version the registry has: publish is skipped, the workflow goes on to the GitHub release', async () => {
	answer = { status: 200, versions: ['0.0.1', version] };
	const run = await preflight(able);
	expect(run).toMatchObject({ code: 0, output: 'published=true\n' });
	expect(run.stdout).toContain('npm publish is skipped');
	expect(requested.at(-1)).toBe(`/${name} application/vnd.npm.install-v1+json`);
});

test('a version the registry lacks: published=false, so the workflow publishes it', async () => {
	answer = { status: 200, versions: ['0.0.1', `${version}-rc.1`] };
	expect(await preflight(able)).toMatchObject({ code: 0, output: 'published=false\n' });
});

test('a package the registry does not have: stop with the one-time bootstrap, since trusted publishing cannot create it', async () => {
	answer = { status: 404 };
	const run = await preflight(able);
	expect(run).toMatchObject({ code: 1, output: '' });
	expect(run.stderr).toContain('RELEASING.md, One-time bootstrap');
});

test('a registry that fails: stop rather than guess', async () => {
	answer = { status: 503 };
	const run = await preflight(able);
	expect(run).toMatchObject({ code: 1, output: '' });
	expect(run.stderr).toContain('answered 503');
});

test.each([
	[['--npm', '10.9.2', '--node', 'v24.11.1'], 'needs npm >= 11.5.1'],
	[['--npm', '11.5.0', '--node', 'v24.11.1'], 'needs npm >= 11.5.1'],
	[['--node', 'v24.11.1'], 'needs npm >= 11.5.1'],
	[['--npm', '11.6.2', '--node', 'v22.13.1'], 'needs Node >= 22.14.0'],
])('%j cannot publish with trusted publishing: refused before asking the registry', async (args, message) => {
	answer = { status: 200, versions: [] };
	const before = requested.length;
	const run = await preflight(args);
	expect(run).toMatchObject({ code: 1, output: '' });
	expect(run.stderr).toContain(message);
	expect(requested.length).toBe(before);
});

test('the oldest npm and Node that can (11.5.1, 22.14.0) pass', async () => {
	answer = { status: 200, versions: [] };
	expect(await preflight(['--npm', '11.5.1', '--node', 'v22.14.0'])).toMatchObject({ code: 0, output: 'published=false\n' });
});
