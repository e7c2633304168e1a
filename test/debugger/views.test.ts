// The compare view's and the registers view's rows (debugger/views.ts): two
// processes' page tables by VA with the frames and their counts, and the
// words each one has, side by side.

import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {comparePartner, compareTable, mmUnderCopy, registerRows, taskOf, wordsTable, type CompareRow} from '../../source/debugger/views.js';
import {stepTick} from '../../source/kernel/kernel.js';
import {runTo} from '../helpers/run.js';

function at(file: string, breaks: string[] = []): Debugger {
	const l = loadScenario(file, [], breaks);
	return new Debugger(l.scenario, l.config, l.breakpoints);
}

const HEAP = 0x600000;

describe('comparePartner', () => {
	it('after a fork: the parent is set beside its child and the child beside its parent', () => {
		const dbg = at('scenarios/fork-cow.scn', ['cow']);
		dbg.continue();
		expect(comparePartner(dbg.kernel, 1)).toBe(2);
		expect(comparePartner(dbg.kernel, 2)).toBe(1);
	});

	it('alone: no partner; an unknown pid gets the first live process', () => {
		const dbg = at('scenarios/fork-cow.scn');
		expect(comparePartner(dbg.kernel, 1)).toBeNull();
		expect(comparePartner(dbg.kernel, 99)).toBe(1);
	});
});

describe('compareTable', () => {
	it('right after fork every anon page is the same frame on both sides, read-only: COW, mapcount 2', () => {
		const dbg = at('scenarios/fork-cow.scn', ['syscall:name=fork']);
		dbg.continue();
		dbg.step(1);
		const t = compareTable(dbg.kernel, 1, 2)!;
		const heap = t.rows.filter((r) => r.region === 'heap');
		expect(heap.map((r) => r.va)).toEqual([HEAP, HEAP + 0x1000]);
		for (const r of heap) {
			expect(r.shared).toBe(true);
			expect(r.left!.pfn).toBe(r.right!.pfn);
			expect([r.left!.cow, r.right!.cow]).toEqual([true, true]);
			expect([r.left!.refcount, r.left!.mapcount]).toEqual([2, 2]);
			expect(r.differ).toEqual([]);
		}
		expect(heap[0]!.left!.words).toEqual([[0, 1]]);
		expect(heap[1]!.left!.words).toEqual([[0, 10]]);
		expect(heap.map((r) => r.page)).toEqual([0, 1]);
	});

	it('at the cow stop the child has its own writable copy with its own word; the other page is still shared', () => {
		const dbg = at('scenarios/fork-cow.scn', ['cow']);
		dbg.continue();
		const t = compareTable(dbg.kernel, 1, 2)!;
		expect([t.left.pid, t.right.pid, t.sameMm, t.mmu]).toEqual([1, 2, false, true]);
		const page0 = t.rows.find((r) => r.va === HEAP)!;
		expect(page0.shared).toBe(false);
		expect(page0.left!.pfn).not.toBe(page0.right!.pfn);
		expect(page0.left).toMatchObject({cow: true, writable: false, refcount: 1, mapcount: 1, words: [[0, 1]]});
		expect(page0.right).toMatchObject({cow: false, writable: true, refcount: 1, mapcount: 1, words: [[0, 2]]});
		expect(page0.differ).toEqual([0]);
		const page1 = t.rows.find((r) => r.va === HEAP + 0x1000)!;
		expect(page1.shared).toBe(true);
		expect(page1.left).toMatchObject({refcount: 2, mapcount: 2, cow: true});
		const text = t.rows.find((r) => r.region === 'text')!;
		expect(text.shared).toBe(true);
		expect(text.left!.kind).toBe('file');
		expect(text.left!.cow).toBe(false);
	});

	it('windows the rows and counts them all; undefined once a side is gone', () => {
		const dbg = at('scenarios/fork-cow.scn', ['cow']);
		dbg.continue();
		const all = compareTable(dbg.kernel, 1, 2)!;
		const window = compareTable(dbg.kernel, 1, 2, 1, 1)!;
		expect(window.total).toBe(all.total);
		expect(window.rows).toEqual([all.rows[1]]);
		expect(compareTable(dbg.kernel, 1, 2, -5, 1)!.rows).toEqual([all.rows[0]]);
		expect(compareTable(dbg.kernel, 1, 2, all.total + 3, 10)!.rows).toEqual([]);
		expect(compareTable(dbg.kernel, 1, 77)).toBeUndefined();
		// the row of a page, found without drawing the rows
		expect(compareTable(dbg.kernel, 1, 2, 0, 0, (HEAP + 0x1000) / 4096)!.atRow).toBe(all.rows.findIndex((r) => r.va === HEAP + 0x1000));
		expect(compareTable(dbg.kernel, 1, 2, 0, 0, 0x12345)!.atRow).toBe(-1);
	});

	it('a page only one side has mapped is a row with the other side empty', () => {
		const src = [
			'config mmu=on frames=64 quantum=3',
			'program init',
			'  map heap 2 rw-',
			'  write heap[0] 1',
			'  fork',
			'  if ret == 0 goto child',
			'  wait',
			'  exit 0',
			'child:',
			'  write heap[1] 7',
			'  compute 5',
			'  exit 0',
			'end',
		].join('\n');
		const {k} = runTo(src, 0);
		let row: CompareRow | undefined;
		while (k.ended === null && row === undefined) {
			stepTick(k);
			row = taskOf(k, 2) === undefined ? undefined : compareTable(k, 1, 2)!.rows.find((r) => r.va === HEAP + 0x1000);
		}
		expect(row).toMatchObject({region: 'heap', page: 1, left: null, shared: false, differ: []});
		expect(row!.right).toMatchObject({writable: true, cow: false, refcount: 1, mapcount: 1, words: [[0, 7]]});
		expect(wordsTable(k, 1, 2)!.rows.find((r) => r.name === 'heap[1]')).toMatchObject({value: 0, other: 7});
	});

	it('no-MMU: one row a region with its frame range; vfork shares the mm, so the rows are the same frames', () => {
		const {k} = runTo(readFileSync('test/fixtures/tui/nommu.scn', 'utf8'), 0);
		while (k.ended === null && taskOf(k, 2) === undefined) stepTick(k);
		expect(taskOf(k, 2)).toBeDefined();
		const t = compareTable(k, 1, 2)!;
		expect(t.mmu).toBe(false);
		expect(t.sameMm).toBe(true);
		const heap = t.rows.find((r) => r.region === 'heap')!;
		expect(heap.left!.lastPfn - heap.left!.pfn).toBe(1);
		expect(heap.shared).toBe(true);
		expect(heap.left!.words).toEqual([[0, 1]]);
		// a page inside a region finds the region's row
		expect(compareTable(k, 1, 2, 0, 0, heap.va / 4096 + 1)!.atRow).toBe(t.rows.indexOf(heap));
	});
});

describe('windows', () => {
	it('every window of the compare rows and of the words is that slice of the whole list, with the same total', () => {
		const dbg = at('test/fixtures/tui/many.scn', ['cow']);
		dbg.continue();
		const k = dbg.kernel;
		const rows = compareTable(k, 1, 2)!;
		const words = wordsTable(k, 2, 1)!;
		expect([rows.total, rows.rows.length]).toEqual([31, 31]);
		// 12 words on page 0, one on each of the 29 others
		expect([words.total, words.rows.length]).toEqual([41, 41]);
		expect(words.rows.map((w) => w.va)).toEqual([...words.rows.map((w) => w.va)].sort((a, b) => a - b));
		for (let first = 0; first <= 42; first += 3) {
			for (const count of [1, 2, 5, 13]) {
				expect(compareTable(k, 1, 2, first, count)).toEqual({...rows, rows: rows.rows.slice(first, first + count)});
				expect(wordsTable(k, 2, 1, first, count)).toEqual({total: words.total, rows: words.rows.slice(first, first + count)});
			}
		}
	});
});

describe('mmUnderCopy', () => {
	it("inside the fork's dup_mmap: the child's mm (no task uses it yet) and the parent's; null between ticks", () => {
		const dbg = at('scenarios/fork-cow.scn', ['func=copy_one_pte']);
		expect(mmUnderCopy(dbg)).toBeNull();
		dbg.continue();
		expect(dbg.inside).not.toBeNull();
		const copy = mmUnderCopy(dbg)!;
		expect(copy).toEqual({mm: 2, oldmm: 1});
		expect([...dbg.kernel.tasks.values()].some((t) => t.mm === copy.mm)).toBe(false);
		const t = compareTable(dbg.kernel, 1, {mm: copy.mm})!;
		expect(t.right).toEqual({pid: null, comm: '', state: null, mm: 2});
		// copy_one_pte has been entered for heap[0]: nothing is in the child's table yet
		expect(t.rows.map((r) => r.right)).toEqual([null, null, null]);
		expect(compareTable(dbg.kernel, 1, {mm: 99})).toBeUndefined();
	});
});

describe('registers and words', () => {
	it('the registers in order: ret, status, signal, core, r0 … r7', () => {
		const dbg = at('scenarios/fork-cow.scn', ['cow']);
		dbg.continue();
		const rows = registerRows(taskOf(dbg.kernel, 1)!);
		expect(rows.map(([n]) => n)).toEqual(['ret', 'status', 'signal', 'core', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
		expect(rows[0]).toEqual(['ret', 2]); // fork returned the child's pid to the parent
		expect(registerRows(taskOf(dbg.kernel, 2)!)[0]).toEqual(['ret', 0]);
	});

	it("after the COW copy the parent's and the child's values of heap[0] differ, heap[1] does not", () => {
		const dbg = at('scenarios/fork-cow.scn', ['cow']);
		dbg.continue();
		const child = wordsTable(dbg.kernel, 2, 1)!;
		expect(child.rows).toEqual([
			{name: 'heap[0]', region: 'heap', page: 0, offset: 0, va: HEAP, value: 2, other: 1},
			{name: 'heap[1]', region: 'heap', page: 1, offset: 0, va: HEAP + 0x1000, value: 10, other: 10},
		]);
		expect(child.total).toBe(2);
		const parent = wordsTable(dbg.kernel, 1, 2, 1, 5)!;
		expect(parent).toEqual({total: 2, rows: [{name: 'heap[1]', region: 'heap', page: 1, offset: 0, va: HEAP + 0x1000, value: 10, other: 10}]});
		expect(wordsTable(dbg.kernel, 1, null)!.rows.map((r) => r.other)).toEqual([null, null]);
		expect(wordsTable(dbg.kernel, 42, 1)).toBeUndefined();
	});
});
