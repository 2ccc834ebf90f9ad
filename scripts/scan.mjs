// n8n's community-package scanner over this package, as n8n's verification runs it: its static analysis
// (@n8n/scan-community-package's analyzePackage: the community-node ESLint rules) over the packed tarball as npm
// would publish it, and over the source (package.json, nodes/, credentials/). Exits 1 on any finding.
// Usage: npm run scan (after npm run build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Packs the package (npm pack, as it would be published) and unpacks it; returns the unpacked folder. */
function packAndUnpack(workDir) {
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], { cwd: repo, encoding: 'utf8' }));
	execFileSync('tar', ['-xzf', join(workDir, packed.filename), '-C', workDir]);
	return { dir: join(workDir, 'package'), files: packed.files.length, name: `${packed.name}@${packed.version}` };
}

function report(label, result) {
	if (result.passed) {
		process.stdout.write(`scan: ${label}: no findings${result.message ? ` (${result.message})` : ''}\n`);
		return true;
	}
	process.stdout.write(`scan: ${label}: ${result.message}\n${result.details ?? ''}\n`);
	return false;
}

const workDir = mkdtempSync(join(tmpdir(), 'n8n-nodes-smartcar-scan-'));
try {
	const tarball = packAndUnpack(workDir);
	const packedOk = report(`packed tarball ${tarball.name} (${tarball.files} files)`, await analyzePackage(tarball.dir, ['**/*.js', '**/*.json']));
	const sourceOk = report('source (package.json, nodes/, credentials/)', await analyzePackage(repo, SOURCE_FILE_PATTERNS));
	process.exitCode = packedOk && sourceOk ? 0 : 1;
} finally {
	rmSync(workDir, { recursive: true, force: true });
}
