/**
 * The documentation's links hold together: every relative link in the README, docs/ and the other top-level guides
 * names a file of the repository and, with a `#fragment`, a heading of it (GitHub's anchors: lower case, punctuation
 * dropped, spaces as hyphens, a repeated heading numbered). The README is also npm's page and the target of the
 * nodes' and the credential's documentation links (release.test.ts checks those).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const repo = join(__dirname, '..', '..');

const PAGES = [
	'README.md',
	'CONTRIBUTING.md',
	'SECURITY.md',
	'RELEASING.md',
	'examples/README.md',
	...readdirSync(join(repo, 'docs'))
		.filter((file) => file.endsWith('.md'))
		.map((file) => `docs/${file}`),
];

/** GitHub's heading anchors of a Markdown file (code blocks skipped). */
export function anchorsOf(markdown: string): Set<string> {
	const seen = new Map<string, number>();
	const anchors = new Set<string>();
	let inCode = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		const heading = inCode ? null : /^#{1,6} (.+)$/.exec(line);
		if (!heading) continue;
		const base = heading[1]
			.trim()
			.toLowerCase()
			.replace(/[^\p{L}\p{N} _-]/gu, '')
			.replace(/ /g, '-');
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	return anchors;
}

/** `[text](target)` links outside code blocks and inline code. */
function linksOf(markdown: string): string[] {
	const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
	return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

function problems(page: string): string[] {
	const found: string[] = [];
	for (const link of linksOf(readFileSync(join(repo, page), 'utf8'))) {
		if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
		const [path, fragment] = link.split('#');
		const target = path === '' ? page : normalize(join(dirname(page), path));
		if (relative(repo, join(repo, target)).startsWith('..') || !existsSync(join(repo, target))) {
			found.push(`${page}: ${link} (no such file)`);
			continue;
		}
		if (fragment === undefined) continue;
		if (statSync(join(repo, target)).isDirectory() || !target.endsWith('.md')) {
			found.push(`${page}: ${link} (an anchor in something that is not a Markdown page)`);
		} else if (!anchorsOf(readFileSync(join(repo, target), 'utf8')).has(fragment)) {
			found.push(`${page}: ${link} (no heading #${fragment} in ${target})`);
		}
	}
	return found;
}

test('every relative link of the README, docs/ and the guides names a file and a heading that exist', () => {
	expect(PAGES.length).toBeGreaterThan(6);
	expect(PAGES.flatMap(problems)).toEqual([]);
});

test('the check finds a broken anchor and a missing file', () => {
	expect(anchorsOf('# Credential: Smartcar API\n## Errors and what to do\n## Errors and what to do')).toEqual(
		new Set(['credential-smartcar-api', 'errors-and-what-to-do', 'errors-and-what-to-do-1']),
	);
	expect(linksOf('see [a](docs/nothing.md#x) and `[b](c.md)`')).toEqual(['docs/nothing.md#x']);
});

test('the README stays a builder\'s page: the quick start first, no contributor commands, about 250 lines', () => {
	const readme = readFileSync(join(repo, 'README.md'), 'utf8');
	const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
	expect(headings[0]).toBe('Quick start');
	expect(readme).not.toMatch(/^npm (test|run test:unit|run bench)/m);
	expect(readme.split('\n').length).toBeLessThan(300);
});
