// The layers of docs/architecture.md, checked on the import graph of source/:
// scenario → kernel → debugger → tui/cli, no cycles, and the TUI reads the
// kernel only through the debugger's views.

import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../source');

function sourceFiles(dir: string): string[] {
	const out: string[] = [];
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...sourceFiles(path));
		else if (/\.tsx?$/.test(entry.name)) out.push(path);
	}
	return out;
}

/** Relative imports of a module (type-only ones included), as paths under source/. */
function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const out: string[] = [];
	const re = /^\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm;
	let m: RegExpExecArray | null;
	while ((m = re.exec(text)) !== null) {
		const spec = (m[1] ?? m[2])!;
		const target = resolve(dirname(file), spec).replace(/\.js$/, '');
		out.push(relative(root, target));
	}
	return out;
}

const graph = new Map<string, string[]>();
for (const file of sourceFiles(root)) {
	const key = relative(root, file).replace(/\.tsx?$/, '');
	graph.set(key, importsOf(file));
}

/** Every cycle's modules, each found once (Tarjan's strongly connected components, iterative). */
function cycles(g: Map<string, string[]>): string[][] {
	let next = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const onStack = new Set<string>();
	const stack: string[] = [];
	const out: string[][] = [];
	for (const start of g.keys()) {
		if (index.has(start)) continue;
		const work: {node: string; edge: number}[] = [{node: start, edge: 0}];
		index.set(start, next);
		low.set(start, next++);
		stack.push(start);
		onStack.add(start);
		while (work.length > 0) {
			const top = work[work.length - 1]!;
			const edges = (g.get(top.node) ?? []).filter((n) => g.has(n));
			if (top.edge < edges.length) {
				const to = edges[top.edge++]!;
				if (!index.has(to)) {
					index.set(to, next);
					low.set(to, next++);
					stack.push(to);
					onStack.add(to);
					work.push({node: to, edge: 0});
				} else if (onStack.has(to)) {
					low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
				}
				continue;
			}
			work.pop();
			if (work.length > 0) {
				const parent = work[work.length - 1]!.node;
				low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
			}
			if (low.get(top.node) === index.get(top.node)) {
				const component: string[] = [];
				let n: string;
				do {
					n = stack.pop()!;
					onStack.delete(n);
					component.push(n);
				} while (n !== top.node);
				if (component.length > 1 || (g.get(top.node) ?? []).includes(top.node)) out.push(component.sort());
			}
		}
	}
	return out;
}

const layerOf = (module: string): string => (module.includes('/') ? module.slice(0, module.indexOf('/')) : module);

/** What each directory may import from, besides itself. */
const allowed: Record<string, readonly string[]> = {
	kernel: [],
	scenario: ['kernel'],
	debugger: ['kernel', 'scenario'],
	tui: ['debugger', 'scenario', 'export'],
	cli: ['debugger', 'scenario', 'kernel', 'tui', 'export'],
	bench: ['debugger', 'scenario', 'kernel', 'tui', 'cli'],
	export: ['debugger', 'kernel'],
	cli_entry: ['cli', 'debugger', 'tui'],
};

describe('the import graph of source/', () => {
	it('finds the modules (the walk itself works)', () => {
		expect(graph.get('kernel/kernel')).toContain('kernel/fork');
		expect(graph.size).toBeGreaterThan(40);
	});

	it('has no import cycles', () => {
		expect(cycles(graph)).toEqual([]);
	});

	it('detects a cycle when there is one', () => {
		const g = new Map([
			['a', ['b']],
			['b', ['c']],
			['c', ['a']],
			['d', ['a']],
		]);
		expect(cycles(g)).toEqual([['a', 'b', 'c']]);
	});

	it('points one way: scenario → kernel → debugger → tui/cli', () => {
		const violations: string[] = [];
		for (const [from, targets] of graph) {
			const layer = from === 'cli' ? 'cli_entry' : layerOf(from);
			const ok = allowed[layer];
			if (ok === undefined) {
				violations.push(`${from}: not in a known layer`);
				continue;
			}
			for (const to of targets) {
				const target = layerOf(to);
				if (target !== layer && !ok.includes(target)) violations.push(`${from} imports ${to}`);
			}
		}
		expect(violations).toEqual([]);
	});
});
