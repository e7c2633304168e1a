// Every scenario of the library parses, runs to a normal end (pid 1 exits
// last) with no failed expect, and keeps the frame counts right at every tick.

import {readdirSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {frameKindNames} from '../source/kernel/types.js';
import {endOf, ofType, parse, runChecked} from './helpers/run.js';

const dir = fileURLToPath(new URL('../scenarios/', import.meta.url));
const files = readdirSync(dir)
	.filter((f) => f.endsWith('.scn'))
	.sort();

describe('scenarios/', () => {
	it('has the default scenario and one per fault kind', () => {
		expect(files).toContain('fork-cow.scn');
		for (const kind of ['segv-maperr', 'segv-accerr', 'zero', 'anon', 'file', 'file-cow', 'shmem', 'cow-zero', 'cow-reuse', 'cow-copy', 'oom']) {
			expect(files).toContain(`fault-${kind}.scn`);
		}
	});

	for (const file of files) {
		describe(file, () => {
			const source = readFileSync(dir + file, 'utf8');

			it('parses, opens with a title and teaching notes, and proves itself with expects', () => {
				const s = parse(source, file);
				expect(s.title).not.toBeNull();
				expect(source.trimStart().startsWith('scenario "')).toBe(true);
				const code = s.programs.flatMap((p) => p.code);
				expect(code.some((i) => i.op === 'print')).toBe(true);
				expect(code.some((i) => i.op === 'expect')).toBe(true);
			});

			it('ends exited, with no failed expect and the frame counts right at every tick', () => {
				const r = runChecked(source);
				const failed = ofType(r.events, 'expect').filter((e) => !e.ok);
				expect(failed).toEqual([]);
				const end = endOf(r.events);
				expect(end.reason).toBe('exited');
				expect(end.expects_failed).toBe(0);
				expect(r.errors).toEqual([]);
				// pid 1 exits last, by its own exit, having reaped every child.
				const exits = ofType(r.events, 'exit');
				expect(exits.at(-1)).toMatchObject({pid: 1, signal: null});
				expect(r.k.tasks.get(1)!.children).toEqual([]);
				expect(ofType(r.events, 'expect').length).toBeGreaterThan(0);
				// Everything torn down: only the zero page and page-cache frames remain.
				const kinds = new Set<string>();
				for (let pfn = 0; pfn < r.k.frames.kind.length; pfn++) if (r.k.frames.refcount[pfn]! > 0) kinds.add(frameKindNames[r.k.frames.kind[pfn]!]!);
				for (const kind of kinds) expect(['zero', 'file']).toContain(kind);
				expect(r.k.mms.size).toBe(0);
				let cached = 0;
				for (const cache of r.k.pageCache.values()) cached += cache.size;
				expect(end.frames_free).toBe(end.frames_total - 1 - cached);
			});
		});
	}
});
