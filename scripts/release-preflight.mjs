// Before `npm publish` in release.yml: checks that this npm and Node can publish with npm trusted publishing (npm >=
// 11.5.1, Node >= 22.14: https://docs.npmjs.com/trusted-publishers; an older npm fails with a misleading E404), and
// asks the registry whether package.json's version is published already. Writes `published=true|false` to
// $GITHUB_OUTPUT, so a rerun after a failed GitHub-release step skips the publish and still makes the release.
// Exits 1 with what to do when the package is not on npm at all (trusted publishing cannot create a package: see
// RELEASING.md, One-time bootstrap) or the registry does not answer.
// Usage: node scripts/release-preflight.mjs --npm "$(npm --version)" [--node "$(node --version)"]
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

export const MINIMUM = { npm: '11.5.1', node: '22.14.0' };

/** True when `version` (1.2.3, v1.2.3) is at least `minimum`. */
export function atLeast(version, minimum) {
	const parts = (text) => text.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
	const [have, need] = [parts(version), parts(minimum)];
	for (let i = 0; i < 3; i += 1) if (have[i] !== need[i]) return have[i] > need[i];
	return true;
}

/** The registry's answer for one version: 'published', 'unpublished' (the package exists, not this version) or 'no-package'. */
export async function registryState(registry, name, version) {
	const url = new URL(name.replace('/', '%2f'), registry.endsWith('/') ? registry : `${registry}/`);
	const response = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json' } });
	if (response.status === 404) return 'no-package';
	if (!response.ok) throw new Error(`${url} answered ${response.status}`);
	const { versions = {} } = await response.json();
	return Object.hasOwn(versions, version) ? 'published' : 'unpublished';
}

function fail(message) {
	process.stderr.write(`::error::${message}\n`);
	process.exit(1);
}

async function main() {
	const { values } = parseArgs({ options: { npm: { type: 'string' }, node: { type: 'string', default: process.version } } });
	if (!values.npm || !atLeast(values.npm, MINIMUM.npm)) fail(`npm ${values.npm ?? '(unknown)'} cannot publish with trusted publishing: it needs npm >= ${MINIMUM.npm} (Node 24 ships it)`);
	if (!atLeast(values.node, MINIMUM.node)) fail(`Node ${values.node} cannot publish with trusted publishing: it needs Node >= ${MINIMUM.node}`);
	const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
	const { name, version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
	const registry = process.env.npm_config_registry || process.env.NPM_CONFIG_REGISTRY || 'https://registry.npmjs.org/';
	const state = await registryState(registry, name, version).catch((error) => fail(`cannot ask ${registry} about ${name}: ${error.message}`));
	if (state === 'no-package') fail(`${name} is not on ${registry} yet. Trusted publishing cannot create a package: a maintainer publishes the first version (RELEASING.md, One-time bootstrap), then this workflow publishes the next ones`);
	const published = state === 'published';
	process.stdout.write(published ? `${name}@${version} is on ${registry} already: npm publish is skipped\n` : `${name}@${version} is not on ${registry} yet: publishing\n`);
	if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `published=${published}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
