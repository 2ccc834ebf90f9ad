/**
 * The repository's shape, as CONTRIBUTING.md describes it: folders depend one way (no two folders import each other,
 * directly or around a loop), no function in shipped code or test tooling is longer than 80 lines, and no file of
 * them longer than 300.
 */
import { folderImports, importCycles, longFiles, longFunctions, sourceFiles } from './structure';

const MAX_FUNCTION_LINES = 80;
const MAX_FILE_LINES = 300;

/**
 * Files over MAX_FILE_LINES today, each waiting for its split (issue #21). Remove a line when its file is split;
 * the spec below fails while a listed file is already short enough, so the list only shrinks.
 */
const LONG_FILES_TO_SPLIT: string[] = [
];

const shipped = [...sourceFiles('nodes'), ...sourceFiles('credentials')];
const tooling = ['test', 'tooling', 'bench', 'scripts'].flatMap((folder) => sourceFiles(folder)).filter((file) => !file.endsWith('.test.ts'));

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

describe('files are short enough to take in at once', () => {
	test.each([
		['shipped code (nodes/, credentials/)', shipped],
		['test tooling (test/ helpers, tooling/, bench/, scripts/)', tooling],
	])('%s: none over 300 lines but the ones listed for a split', (_what, files) => {
		expect(files.length).toBeGreaterThan(5);
		const listed = new Set(LONG_FILES_TO_SPLIT);
		expect(longFiles(files, MAX_FILE_LINES).filter((found) => !listed.has(found.split(' ')[0]))).toEqual([]);
	});

	test('every file listed for a split is still over the bound (remove it from the list once split)', () => {
		expect(longFiles(LONG_FILES_TO_SPLIT, MAX_FILE_LINES).map((found) => found.split(' ')[0])).toEqual(LONG_FILES_TO_SPLIT);
	});

	test('the check finds a long file when there is one', () => {
		expect(longFiles(['test/structure/structure.ts'], 20)).toEqual([expect.stringMatching(/^test\/structure\/structure\.ts \d+ lines$/)]);
	});
});
