/**
 * Reads the repository's own TypeScript to answer two questions about its shape: which folders import which (and
 * whether any of them import each other in a loop), and which functions are longer than a limit.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export const REPO = resolve(__dirname, '..', '..');

const SKIPPED = new Set(['node_modules', 'dist', '.git', '.cache']);

/** Every .ts file below `folder` (relative to the repository), declaration files excluded. */
export function sourceFiles(folder = '.'): string[] {
	const found: string[] = [];
	const walk = (dir: string): void => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (SKIPPED.has(entry.name)) continue;
			const path = join(dir, entry.name);
			if (entry.isDirectory()) walk(path);
			else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(relative(REPO, path));
		}
	};
	walk(join(REPO, folder));
	return found.sort();
}

/** The folder a file belongs to for the cycle rule: `nodes/<X>`, `test/<X>`, `tooling/<X>`, or the top folder. */
export function areaOf(file: string): string | undefined {
	const parts = file.split(sep);
	if (parts.length === 1) return undefined;
	if (['nodes', 'test', 'tooling'].includes(parts[0]) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
	return parts[0];
}

function resolveImport(fromFile: string, specifier: string): string {
	const target = resolve(REPO, dirname(fromFile), specifier);
	const asDirectory = existsSync(target) && statSync(target).isDirectory();
	return relative(REPO, asDirectory ? join(target, 'index.ts') : `${target}.ts`);
}

/** Folder → the other folders its files import (relative imports only). */
export function folderImports(files: string[]): Map<string, Set<string>> {
	const edges = new Map<string, Set<string>>();
	for (const file of files) {
		const from = areaOf(file);
		if (from === undefined) continue;
		const text = readFileSync(join(REPO, file), 'utf8');
		for (const match of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
			const to = areaOf(resolveImport(file, match[1]));
			if (to === undefined || to === from) continue;
			if (!edges.has(from)) edges.set(from, new Set());
			edges.get(from)?.add(to);
		}
	}
	return edges;
}

/** Groups of folders that import each other, directly or around a loop (Tarjan's strongly connected components). */
export function importCycles(edges: Map<string, Set<string>>): string[][] {
	let next = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const cycles: string[][] = [];
	const visit = (node: string): void => {
		index.set(node, next);
		low.set(node, next++);
		stack.push(node);
		for (const target of edges.get(node) ?? []) {
			if (!index.has(target)) {
				visit(target);
				low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
			} else if (stack.includes(target)) low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
		}
		if (low.get(node) !== index.get(node)) return;
		const group: string[] = [];
		for (let member = stack.pop(); member !== undefined; member = member === node ? undefined : stack.pop()) group.push(member);
		if (group.length > 1) cycles.push(group.sort());
	};
	const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((targets) => [...targets])]);
	for (const node of nodes) if (!index.has(node)) visit(node);
	return cycles;
}

/** `file:line name N lines` for every function (declaration, method, arrow, expression) longer than `limit` lines. */
export function longFunctions(files: string[], limit: number): string[] {
	const found: string[] = [];
	for (const file of files) {
		const source = ts.createSourceFile(file, readFileSync(join(REPO, file), 'utf8'), ts.ScriptTarget.Latest, true);
		const visit = (node: ts.Node): void => {
			if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
				const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
				const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1;
				const named = node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
				if (lines > limit) found.push(`${file}:${first + 1} ${named} ${lines} lines`);
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	return found;
}

/** `file N lines` for every file longer than `limit` lines. */
export function longFiles(files: string[], limit: number): string[] {
	return files
		.map((file) => [file, readFileSync(join(REPO, file), 'utf8').split('\n').length - 1] as const)
		.filter(([, lines]) => lines > limit)
		.map(([file, lines]) => `${file} ${lines} lines`);
}
