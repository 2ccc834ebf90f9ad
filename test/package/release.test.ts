/**
 * What a release needs from the repository: a CHANGELOG section for the version in package.json (the GitHub release
 * notes come from it) and an Unreleased section to collect the next one; the script release.yml runs to extract it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
