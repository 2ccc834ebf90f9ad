// Prints the CHANGELOG.md section of one version (the lines under `## [x.y.z]` up to the next `## `), for the GitHub
// release notes. Exits 1 when the version has no section or the section is empty.
// Usage: node scripts/changelog-section.mjs 1.2.3
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function changelogSection(changelog, version) {
	const lines = changelog.split('\n');
	const start = lines.findIndex((line) => line.startsWith(`## [${version}]`));
	if (start === -1) return undefined;
	const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
	const body = lines.slice(start + 1, end === -1 ? undefined : end).join('\n').trim();
	return body === '' ? undefined : body;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const version = process.argv[2];
	const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
	const section = version ? changelogSection(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8'), version) : undefined;
	if (section === undefined) {
		process.stderr.write(`CHANGELOG.md has no section "## [${version ?? '?'}]" with content\n`);
		process.exit(1);
	}
	process.stdout.write(`${section}\n`);
}
