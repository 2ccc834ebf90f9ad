/**
 * The repository's shape, as CONTRIBUTING.md describes it: folders depend one way (no two folders import each other,
 * directly or around a loop), and no function in shipped code or test tooling is longer than 80 lines.
 */
import { folderImports, importCycles, longFunctions, sourceFiles } from './structure';

const MAX_FUNCTION_LINES = 80;

describe('folders depend one way', () => {
	const edges = folderImports(sourceFiles());

	test('no import cycle between folders', () => {
		expect(importCycles(edges)).toEqual([]);
	});

	test.each([
		['credentials', 'nodes/shared'],
		['nodes/shared', 'nodes/Smartcar'],
		['nodes/shared', 'nodes/SmartcarTrigger'],
		['tooling/simulator', 'test/nodes'],
		['tooling/n8n', 'test/e2e'],
		['scripts', 'test/e2e'],
	])('%s does not import %s', (from, to) => {
		expect([...(edges.get(from) ?? [])]).not.toContain(to);
	});

	test('the check sees real edges (the action node imports the shared code)', () => {
		expect([...(edges.get('nodes/Smartcar') ?? [])]).toContain('nodes/shared');
	});
});

describe('functions are short enough to read on one screen', () => {
	const shipped = [...sourceFiles('nodes'), ...sourceFiles('credentials')];
	const tooling = ['test', 'tooling', 'bench', 'scripts'].flatMap((folder) => sourceFiles(folder)).filter((file) => !file.endsWith('.test.ts'));

	test.each([
		['shipped code (nodes/, credentials/)', shipped],
		['test tooling (test/ helpers, tooling/, bench/, scripts/)', tooling],
	])('%s: none over 80 lines', (_what, files) => {
		expect(files.length).toBeGreaterThan(5);
		expect(longFunctions(files, MAX_FUNCTION_LINES)).toEqual([]);
	});

	test('the check finds a long function when there is one', () => {
		expect(longFunctions(['test/structure/structure.ts'], 5).length).toBeGreaterThan(0);
	});
});
