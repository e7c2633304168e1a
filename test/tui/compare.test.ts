// The compare view (C) and the registers and words view (x), drawn through
// the production painter into a terminal emulator (terminal.ts): what a
// person sees at 80×24 and 160×50, with the keys that open, step under,
// scroll and close them.

import {afterEach, describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {Controller} from '../../source/tui/controller.js';
import type {KeyEvent} from '../../source/tui/keys.js';
import {TestTerminal} from './terminal.js';

const COW = 'test/fixtures/tui/cow.scn';
const MANY = 'test/fixtures/tui/many.scn';

let terminals: TestTerminal[] = [];
afterEach(() => {
	for (const t of terminals) t.dispose();
	terminals = [];
});

type Screen = {c: Controller; press: (...keys: (string | KeyEvent)[]) => string; screen: () => string};

function open(file: string, width: number, height: number, breaks: string[] = []): Screen {
	const l = loadScenario(file, [], breaks);
	const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints));
	c.setSize(width, height);
	const term = new TestTerminal(width, height);
	terminals.push(term);
	const screen = (): string => {
		term.paint(c.view());
		const text = term.text();
		const lines = text.split('\n');
		expect(lines).toHaveLength(height);
		for (const line of lines) expect(line.length, JSON.stringify(line)).toBeLessThanOrEqual(width);
		return text;
	};
	const press = (...keys: (string | KeyEvent)[]): string => {
		for (const k of keys) c.key(typeof k === 'string' ? {input: k} : k);
		return screen();
	};
	return {c, press, screen};
}

const esc: KeyEvent = {input: '', name: 'escape'};
const tab: KeyEvent = {input: '', name: 'tab'};
const end: KeyEvent = {input: '', name: 'end'};
const home: KeyEvent = {input: '', name: 'home'};
const row = (screen: string, page: string): string => screen.split('\n').find((l) => l.includes(` ${page} `)) ?? '';

describe('the compare view at 80×24', () => {
	it("at the cow stop: parent and child by VA, the copied page's two frames and words, the shared page's one frame", () => {
		const t = open(COW, 80, 24);
		t.press('g5\r');
		t.c.dispatch({t: 'select', pid: 2});
		const s = t.press('C');
		// the parent on the left, * on the selected child
		expect(s.split('\n')[1]).toMatch(/Compare\s+pid 1 init beside pid 2 init \*/);
		expect(s).toMatch(/VA\s+page\s+pid 1 init\s+\| pid 2 init \*/);
		// heap[0]: the parent keeps pfn 9, read-only (COW), holding 1; the child has its own writable copy holding 2
		// (▶: the page of the stop's fault)
		expect(row(s, 'heap[0]')).toMatch(/^▶ 0x600000\s+heap\[0\]\s+9 -DA COW 1\/1\s+\+0=1\s+\|\s+(\d+) WDA\s+1\/1\s+\+0=2$/);
		// heap[1]: still one frame, mapped by both (=), refcount and mapcount 2
		expect(row(s, 'heap[1]')).toMatch(/^ {2}0x601000\s+heap\[1\]\s+10 -DA COW 2\/2\s+\+0=10\s+=\s+10 -D- COW 2\/2\s+\+0=10$/);
		// under the table, what the stop is about: the event, the kernel's decision, the frames it changed before → after
		expect(s).toMatch(/^▶ pid 2 fault cow-copy write 0x600000 \(heap\) → pfn (\d+) from pfn 9$/m);
		expect(s).toMatch(/^ {2}page_mapcount\(pfn 9\) = 2: cannot reuse, copy$/m);
		expect(s).toMatch(/^ {2}pfn \d+ anon ref 0→1 map 0→1 · pfn 9 anon ref 2→1 map 2→1$/m);
		expect(s).toContain('= the same frame on both sides');
		expect(s.split('\n').at(-1)).toMatch(/Tab\s+other.*Esc\s+close/);
	});

	it('r and s work under it: one tick back both processes map pfn 9 for heap[0]; C closes it', () => {
		const t = open(COW, 80, 24);
		t.press('g5\r', 'C');
		const before = t.press('r');
		expect(before.split('\n')[0]).toContain('tick 4');
		expect(row(before, 'heap[0]')).toMatch(/9 -DA COW 2\/2\s+\+0=1\s+=\s+9 -D- COW 2\/2\s+\+0=1$/);
		expect(row(t.press('s'), 'heap[0]')).toMatch(/\|\s+\d+ WDA/);
		expect(t.press('C')).toContain('1 Processes');
		t.press('C');
		expect(t.press(esc)).toContain('1 Processes');
		t.press('C');
		expect(t.press('q')).toContain('1 Processes');
		// q closed the view, not the debugger: the next key still steps
		expect(t.press('s').split('\n')[0]).toContain('tick 6');
	});

	it("inside the fork's tick: the child's mm beside the parent, filled PTE by PTE by copy_one_pte; e, E and o work under the view", () => {
		const t = open(COW, 80, 24);
		t.press('g2\r', 'C');
		let s = t.screen();
		for (let i = 0; i < 80 && !s.includes("set_pte_at: the child's pte 0x600000"); i++) s = t.press('e');
		expect(s.split('\n')[0]).toMatch(/tick 3\s+MMU\s+paused · kstep \d+\/\d+ in copy_one_pte/);
		expect(s).toMatch(/Compare\s+pid 1 init \* beside mm 2 \(dup_mmap fills it\)/);
		// heap[0] is copied: one frame, read-only on both sides, counted twice; heap[1] not yet
		expect(row(s, 'heap[0]')).toMatch(/^▶ 0x600000\s+heap\[0\]\s+(\d+) -DA COW 2\/2\s+\+0=1\s+=\s+\1 -D- COW 2\/2\s+\+0=1$/);
		expect(row(s, 'heap[1]')).toMatch(/^ {2}0x601000\s+heap\[1\]\s+\d+ WDA\s+1\/1\s+\+0=10\s+\|\s+\(no PTE\)$/);
		expect(s).toMatch(/^▶ in do_fork › copy_process › … › copy_pmd_range › copy_pte_range › copy_one_pte$/m);
		expect(s).toMatch(/^ {2}kstep \d+ · set_pte_at: the child.s pte 0x600000 → pfn \d+ ro$/m);
		// one kernel step back: the parent's PTE is write-protected and counted, the child's not set yet
		s = t.press('E');
		expect(row(s, 'heap[0]')).toMatch(/-DA COW 2\/2\s+\+0=1\s+\|\s+\(no PTE\)$/);
		// over the rest of copy_pte_range: heap[1] is copied too
		for (let i = 0; i < 80 && row(s, 'heap[1]').includes('(no PTE)') && s.includes('kstep'); i++) s = t.press('o');
		expect(row(s, 'heap[1]')).toMatch(/-DA COW 2\/2\s+\+0=10\s+=\s+\d+ -D- COW 2\/2\s+\+0=10$/);
	});

	it('alone before the fork: says there is nothing to set beside it', () => {
		const t = open(COW, 80, 24);
		expect(t.press('C')).toContain('pid 1 is the only process: nothing to set beside it yet');
	});

	it('cuts a long region name and a row of many words with …, and scrolls through 30 pages', () => {
		const t = open(MANY, 80, 24, ['cow']);
		t.press('c'); // 48 ticks: done in the controller's first slice of 20,000
		// the child's write faulted on the last page: the view follows the stop down to its row
		const s = t.press('C');
		expect(s).toMatch(/rows \d+-31 of 31/); // the text page and the 30 of the region
		expect(s).toMatch(/^▶ 0x61d000\s+a_re…\[29\]\s+\d+ -DA COW 1\/1\s+\+0=29\s+\|\s+\d+ WDA\s+1\/1\s+\+0=99$/m);
		expect(s).not.toContain('0x600000 ');
		const top = t.press(home);
		expect(top).toMatch(/rows 1-\d+ of 31/);
		const first = top.split('\n').find((l) => l.startsWith('  0x600000 '))!;
		expect(first).toMatch(/^ {2}0x600000\s+a_reg…\[0\] /);
		// each side's words are cut at the side's width, the cut marked
		expect(first).toMatch(/\+0=1…\s=/);
		expect(t.press('j')).toMatch(/rows 2-\d+ of 31/);
		expect(t.press(end)).toMatch(/rows \d+-31 of 31/);
	});

	it('no-MMU: the regions and their frame ranges; vfork shares the mm, and the view says so', () => {
		const t = open('test/fixtures/tui/nommu.scn', 80, 24);
		t.press('g3\r');
		t.c.dispatch({t: 'select', pid: 1});
		const s = t.press('C');
		expect(s).toMatch(/start\s+region\s+pid 1 init \*\s+\| pid 2 init/);
		expect(row(s, 'heap')).toMatch(/0x[0-9a-f]+\s+heap\s+(\d+)-(\d+) 1\/1\s+\+0=1\s+=\s+\d+-\d+ 1\/1\s+\+0=1/);
		expect(s).toContain('share mm 1 (vfork, clone vm, a thread): every row is the same');
		expect(s).toContain('no-MMU: no page tables, no COW');
	});
});

describe('the compare view at 160×50', () => {
	it('adds each frame kind and spelled-out counts, with the legend', () => {
		const t = open(COW, 160, 50);
		t.press('g5\r');
		const s = t.press('C');
		expect(row(s, 'heap[0]')).toMatch(/9 anon\s+-DA COW ref 1 map 1\s+\+0=1\s+\|\s+\d+ anon\s+WDA\s+ref 1 map 1\s+\+0=2/);
		expect(row(s, 'text[0]')).toMatch(/7 file\s+--A\s+ref 3 map 2\s+=\s+7 file/);
		expect(s).toContain('COW: read-only in a writable private VMA, the next write goes to do_wp_page');
	});
});

describe('the registers and words view', () => {
	it('x: the registers of both, then the words: heap[0] differs after the copy, heap[1] does not', () => {
		const t = open(COW, 80, 24);
		t.press('g5\r');
		t.c.dispatch({t: 'select', pid: 1});
		const s = t.press('x');
		expect(s.split('\n')[1]).toMatch(/Registers and words\s+pid 1 init beside pid 2 init/);
		expect(s).toMatch(/^ret\s+2\s+0\s+r2\s+0\s+0/m); // fork returned the child's pid in the parent, 0 in the child
		expect(s).toMatch(/^r1\s+0\s+0\s+r7\s+0\s+0/m);
		expect(s).toMatch(/^heap\[0\]\s+0x600000\s+1\s+2\s+differs$/m);
		expect(s).toMatch(/^heap\[1\]\s+0x601000\s+10\s+10$/m);
		// C goes from one view to the other; x closes its own
		expect(t.press('C')).toContain(' Compare ');
		expect(t.press('x')).toContain(' Registers and words ');
		expect(t.press('x')).toContain('1 Processes');
	});

	it('Tab with one other process keeps it; the words scroll', () => {
		const t = open(MANY, 160, 50, ['cow']);
		t.press('c'); // 48 ticks: done in the controller's first slice of 20,000
		const s = t.press('x', tab);
		expect(s).toMatch(/words 1-\d+ of 41/);
		expect(s).toMatch(/^a_region_with_a_…\[0\]\s+0x600000\s+1000\s+1000$/m);
		expect(s).toMatch(/^a_region_with_a_…\+16\s+0x600010\s+1002\s+1002$/m);
		// pid 2, selected at its stop, wrote 99 over the 29 pid 1 still reads
		expect(t.press(end)).toMatch(/^a_region_with_a…\[29\]\s+0x61d000\s+99\s+29\s+differs$/m);
	});
});
