/**
 * What a release needs from the repository: a CHANGELOG section for the version in package.json (the GitHub release
 * notes come from it) and an Unreleased section to collect the next one; the script release.yml runs to extract it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DEFAULT_N8N_VERSION, N8N_1X_VERSION } from '../../tooling/n8n/n8n-install';

const repo = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
const script = join(repo, 'scripts', 'changelog-section.mjs');

test('the CHANGELOG has a section for the version in package.json, which the release script prints', () => {
	const notes = execFileSync('node', [script, pkg.version], { encoding: 'utf8' });
	expect(notes).toContain('### Added');
	expect(notes).not.toContain(`## [${pkg.version}]`);
	expect(notes).not.toContain('## [Unreleased]');
});

test('the CHANGELOG collects the next release under Unreleased', () => {
	expect(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')).toMatch(/^## \[Unreleased\]$/m);
});

test('a version without a section fails the release instead of publishing empty notes', () => {
	const result = spawnSync('node', [script, '99.99.99'], { encoding: 'utf8' });
	expect(result.status).toBe(1);
	expect(result.stderr).toContain('no section "## [99.99.99]"');
});

describe('what the package promises about n8n versions and docs', () => {
	const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { engines: Record<string, string>; homepage: string };
	const readme = readFileSync(join(repo, 'README.md'), 'utf8');
	const anchors = new Set(
		[...readme.matchAll(/^#{1,6} (.+)$/gm)].map(([, title]) =>
			title
				.toLowerCase()
				.replace(/[^\p{L}\p{N} -]/gu, '')
				.replace(/ /g, '-'),
		),
	);

	test('engines.n8n is the range the real-n8n specs run (the last 1.x and the pinned 2.x)', () => {
		expect(manifest.engines.n8n).toBe(`>=${N8N_1X_VERSION} <3`);
		expect(Number(DEFAULT_N8N_VERSION.split('.')[0])).toBe(2);
		expect(manifest.engines.node).toBe('>=20.19');
	});

	test.each(['nodes/Smartcar/Smartcar.node.json', 'nodes/SmartcarTrigger/SmartcarTrigger.node.json'])(
		'%s: every documentation link is a section of the public README',
		(codexFile) => {
			const codex = JSON.parse(readFileSync(join(repo, codexFile), 'utf8')) as { resources: Record<string, Array<{ url: string }>> };
			const urls = Object.values(codex.resources).flat().map((resource) => resource.url);
			expect(urls.length).toBeGreaterThanOrEqual(2);
			for (const url of urls) {
				const [page, anchor] = url.split('#');
				expect(page).toBe(manifest.homepage.split('#')[0]);
				expect(anchors).toContain(anchor);
			}
		},
	);
});
