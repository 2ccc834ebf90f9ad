/**
 * What `npm run build` ships in dist/: for every source file, exactly what tsc emits with tsconfig.build.json (no
 * comments, no source maps, no declaration files), indented with tabs instead of tsc's four spaces (gulpfile.js) and
 * changed in nothing else. `npm test` builds before it runs this.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import * as ts from 'typescript';

const repo = join(__dirname, '..', '..');
const { indentWithTabs } = require(join(repo, 'gulpfile.js')) as { indentWithTabs: (code: string) => string };

function buildConfig(): ts.ParsedCommandLine {
	const host = {
		...ts.sys,
		onUnRecoverableConfigFileDiagnostic: (diagnostic: ts.Diagnostic) => {
			throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
		},
	};
	return ts.getParsedCommandLineOfConfigFile(join(repo, 'tsconfig.build.json'), {}, host) as ts.ParsedCommandLine;
}

/** tsc's emit of one source file with the build's options (outDir and rootDir only place files; transpile drops them). */
function emitted(sourceFile: string, options: ts.CompilerOptions): string {
	const { outDir: _outDir, rootDir: _rootDir, ...compilerOptions } = options;
	return ts.transpileModule(readFileSync(sourceFile, 'utf8'), { compilerOptions, fileName: sourceFile }).outputText;
}

describe('the build', () => {
	const config = buildConfig();
	const sources = config.fileNames.filter((file) => !file.endsWith('.d.ts'));

	test('ships no comments, source maps or declaration files', () => {
		expect(config.options).toMatchObject({ removeComments: true, sourceMap: false, declaration: false });
		expect(config.options.importHelpers).toBeFalsy();
	});

	test('every shipped file is tsc’s emit of its source, with tabs for its indentation and nothing else changed', () => {
		expect(sources.length).toBeGreaterThan(50);
		const different = sources.filter((source) => {
			const shipped = join(repo, 'dist', relative(repo, source)).replace(/\.ts$/, '.js');
			if (!existsSync(shipped)) return true;
			const untabbed = readFileSync(shipped, 'utf8').replace(/^\t+/gm, (tabs) => '    '.repeat(tabs.length));
			return untabbed !== emitted(source, config.options);
		});
		expect(different).toEqual([]);
	});

	test('indentation becomes tabs, but a line inside a string, template or regular expression keeps its spaces', () => {
		const code = [
			'function page() {',
			'    const html = `<p>',
			'        kept</p>`;',
			"    const joined = 'a\\",
			"        b';",
			'    if (html) {',
			'        return /    x/.test(html) ? `${joined}',
			'    kept too` : joined;',
			'    }',
			'}',
		].join('\n');
		expect(indentWithTabs(code).split('\n')).toEqual([
			'function page() {',
			'\tconst html = `<p>',
			'        kept</p>`;',
			"\tconst joined = 'a\\",
			"        b';",
			'\tif (html) {',
			'\t\treturn /    x/.test(html) ? `${joined}',
			'    kept too` : joined;',
			'\t}',
			'}',
		]);
	});
});
