/**
 * The GitHub Actions workflows, read as data. release.yml publishes with npm trusted publishing: a job with
 * `id-token: write` on Node 24 (npm 11), no dependency cache, no token anywhere near `npm publish`, and a guard that
 * skips the publish of a version already on npm while still making the GitHub release. ci.yml runs the unit specs on
 * every Node of the engines range, the real-n8n specs once, and fails on a lockfile out of step. Every action is
 * pinned to a commit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

interface Step {
	id?: string;
	name?: string;
	uses?: string;
	run?: string;
	if?: string;
	with?: Record<string, unknown>;
	env?: Record<string, unknown>;
}

interface Job {
	'runs-on'?: string;
	uses?: string;
	needs?: string | string[];
	permissions?: Record<string, string>;
	strategy?: { matrix?: Record<string, unknown> };
	env?: Record<string, unknown>;
	steps?: Step[];
}

interface Workflow {
	on: Record<string, unknown>;
	env?: Record<string, unknown>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const repo = join(__dirname, '..', '..');
const workflowText = (file: string): string => readFileSync(join(repo, '.github', 'workflows', file), 'utf8');
const release = parse(workflowText('release.yml')) as Workflow;
const ci = parse(workflowText('ci.yml')) as Workflow;

/** The job of release.yml that runs `npm publish`. */
function publishJob(): Job {
	const found = Object.values(release.jobs).filter((job) => job.steps?.some((step) => /\bnpm publish\b/.test(step.run ?? '')));
	expect(found).toHaveLength(1);
	return found[0];
}

const stepsUsing = (job: Job, action: string): Step[] => (job.steps ?? []).filter((step) => step.uses?.startsWith(`${action}@`));
const setupNode = (job: Job): Step => {
	const steps = stepsUsing(job, 'actions/setup-node');
	expect(steps).toHaveLength(1);
	return steps[0];
};
const majorOf = (nodeVersion: unknown): number => Number(String(nodeVersion).split('.')[0]);

describe('release.yml: trusted publishing', () => {
	const job = publishJob();
	const publishStep = (job.steps ?? []).find((step) => /\bnpm publish\b/.test(step.run ?? '')) as Step;

	test('the publish job may mint an OIDC token (id-token: write) and writes only the GitHub release', () => {
		expect(job.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
		expect(release.permissions).toEqual({ contents: 'read' });
	});

	test('it publishes on Node 24 or newer (npm 11, which trusted publishing needs)', () => {
		expect(majorOf(setupNode(job).with?.['node-version'])).toBeGreaterThanOrEqual(24);
	});

	test('it restores no dependency cache', () => {
		expect(stepsUsing(job, 'actions/cache')).toEqual([]);
		const setup = setupNode(job).with ?? {};
		expect(setup.cache).toBeUndefined();
		expect(setup['package-manager-cache']).toBe(false);
	});

	test('no token reaches npm publish: no secret, no NODE_AUTH_TOKEN or NPM_TOKEN, no registry-url auth line', () => {
		expect(publishStep.run?.trim()).toBe('npm publish --provenance --access public');
		const scopes = [release.env, job.env, publishStep.env, ...(job.steps ?? []).map((step) => step.env)];
		const names = scopes.flatMap((env) => Object.keys(env ?? {}));
		expect(names.filter((name) => /TOKEN|NPM|AUTH/i.test(name) && name !== 'GH_TOKEN')).toEqual([]);
		expect(JSON.stringify(publishStep)).not.toMatch(/secrets\.|_authToken/);
		expect(setupNode(job).with?.['registry-url']).toBeUndefined();
		expect(workflowText('release.yml')).not.toMatch(/secrets\.NPM|NPM_TOKEN|NODE_AUTH_TOKEN/);
	});

	test('a version already on npm is not published again, and the GitHub release is still made', () => {
		const steps = job.steps ?? [];
		const guard = steps.find((step) => /scripts\/release-preflight\.mjs/.test(step.run ?? '')) as Step;
		expect(guard?.id).toBeDefined();
		expect(steps.indexOf(guard)).toBeLessThan(steps.indexOf(publishStep));
		expect(publishStep.if).toBe(`steps.${guard.id}.outputs.published == 'false'`);
		const githubRelease = steps.find((step) => /gh release create/.test(step.run ?? '')) as Step;
		expect(steps.indexOf(githubRelease)).toBeGreaterThan(steps.indexOf(publishStep));
		expect(githubRelease.if).toBeUndefined();
		expect(githubRelease.run).toMatch(/gh release view/);
	});

	test('every check of CI runs before the publish', () => {
		const checks = Object.entries(release.jobs).find(([, other]) => other.uses === './.github/workflows/ci.yml');
		expect(checks).toBeDefined();
		expect([job.needs].flat()).toContain(checks?.[0]);
		expect(Object.keys(ci.on)).toContain('workflow_call');
	});
});

describe('ci.yml: where the package runs', () => {
	const runs = (job: Job): string => (job.steps ?? []).map((step) => step.run ?? '').join('\n');
	const jobsRunning = (pattern: RegExp): Job[] => Object.values(ci.jobs).filter((job) => pattern.test(runs(job)));

	test('the unit specs run on Node 20.19, 22 and 24: the engines range, from its floor up', () => {
		const [unit] = jobsRunning(/--selectProjects[= ]unit/);
		expect(unit.strategy?.matrix?.node).toEqual(['20.19', '22', '24']);
		expect(setupNode(unit).with?.['node-version']).toBe('${{ matrix.node }}');
	});

	test('the real-n8n specs (regular and queue mode) run once, on Node 24, with PostgreSQL and Redis', () => {
		const e2e = jobsRunning(/--selectProjects[= ]e2e/);
		expect(e2e).toHaveLength(1);
		expect(runs(e2e[0])).toMatch(/--selectProjects[= ]queue/);
		expect(e2e[0].strategy).toBeUndefined();
		expect(majorOf(setupNode(e2e[0]).with?.['node-version'])).toBe(24);
		expect(Object.keys((e2e[0] as { services?: object }).services ?? {}).sort()).toEqual(['postgres', 'redis']);
	});

	test('build, lint (with actionlint), typecheck and the scanner run, and a lockfile out of step fails', () => {
		const all = Object.values(ci.jobs).map(runs).join('\n');
		for (const command of ['npm run build', 'npm run lint', 'npm run typecheck', 'npm run scan']) expect(all).toContain(command);
		expect(all).toMatch(/npm install --package-lock-only[^\n]*\n[^\n]*git diff --exit-code -- package-lock\.json/);
		expect(readFileSync(join(repo, '.ci', 'run'), 'utf8')).toMatch(/npm install --package-lock-only[^\n]*\ngit diff --exit-code -- package-lock\.json/);
	});

	test('installs keep install scripts off (.npmrc): n8n-core’s isolated-vm cannot build on Node 20', () => {
		expect(readFileSync(join(repo, '.npmrc'), 'utf8')).toMatch(/^ignore-scripts=true$/m);
		const installs = Object.values(ci.jobs).flatMap((job) => runs(job).split('\n')).filter((line) => /\bnpm (ci|install)\b/.test(line));
		expect(installs.length).toBeGreaterThan(0);
		expect(installs.filter((line) => /ignore-scripts=false|--foreground-scripts|npm rebuild/.test(line))).toEqual([]);
	});
});

test.each(['ci.yml', 'release.yml'])('%s: every action is pinned to a full commit SHA, its release named beside it', (file) => {
	const uses = [...workflowText(file).matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].filter(([, target]) => !target.startsWith('./'));
	expect(uses.length).toBeGreaterThan(0);
	for (const [line, target, comment] of uses) {
		expect({ line: line.trim(), pinned: /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(target) && /#\s*v\d+\.\d+\.\d+/.test(comment) }).toEqual({
			line: line.trim(),
			pinned: true,
		});
	}
});
