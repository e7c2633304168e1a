// The Kernel view (source/tui/render/kernel.ts) and the kernel step keys:
// the reducer's effects, the key bar inside a tick, the screen through the
// production painter at 80×24 and 160×50, and a session with kernel steps
// recorded in the TUI and replayed to the same states.

import {join} from 'node:path';
import {describe, expect, it, vi} from 'vitest';
import type {ActionSink, DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {createRecorder, loadSession} from '../../source/debugger/recorder.js';
import {replayScript} from '../../source/debugger/session.js';
import {stateHash} from '../../source/kernel/dump.js';
import {Controller, type ControllerOptions} from '../../source/tui/controller.js';
import {barKeys, resolveKey, type BarContext} from '../../source/tui/keys.js';
import {stackPath} from '../../source/tui/render/kernel.js';
import {initialState, update, type Effect, type UiContext, type UiState} from '../../source/tui/state.js';
import {tempDir} from '../session/record.js';
import {TestTerminal} from './terminal.js';

const FORK_COW = 'scenarios/fork-cow.scn';

const ctx = (inside: boolean): UiContext => ({
	pids: [1, 2],
	breakpointIds: [],
	rows: {processes: 2, memory: 10, frames: 10, log: 10, program: 10},
	view: {processes: 5, memory: 5, frames: 5, log: 5, program: 5},
	programTop: 0,
	framesTop: 0,
	memoryTop: 0,
	logLeftMax: 0,
	helpRows: 10,
	helpView: 10,
	inside,
});

function press(s: UiState, inside: boolean, ...keys: string[]): {state: UiState; effects: Effect[]} {
	const effects: Effect[] = [];
	for (const k of keys) {
		const r = update(s, {t: 'key', key: k === 'Esc' ? {input: '', name: 'escape'} : {input: k}}, ctx(inside), 5);
		s = r.state;
		effects.push(...r.effects);
	}
	return {state: s, effects};
}
const actions = (effects: Effect[]): DebugAction[] => effects.flatMap((e) => (e.t === 'debug' ? [e.action] : []));

describe('the kernel step keys', () => {
	it('e, o, f, E and L are gdb’s step, next, finish, reverse-step and a way out of the tick', () => {
		const cmd = (input: string): string | undefined => resolveKey('normal', {input})?.cmd;
		expect(['e', 'o', 'f', 'E', 'L'].map(cmd)).toEqual(['kstep-into', 'kstep-over', 'kstep-out', 'kstep-back', 'kstep-leave']);
		// the keys they might have clashed with keep their meaning
		expect(['s', 'n', 'r', 'R', 'i', 'c'].map(cmd)).toEqual(['step', 'next', 'reverse-step', 'reverse-continue', 'levels', 'continue']);
	});

	it('inside a tick each key is its kernel step action', () => {
		const r = press(initialState(), true, 'e', 'o', 'f', 'E', 'L');
		expect(actions(r.effects)).toEqual([
			{a: 'kstep', op: 'into'},
			{a: 'kstep', op: 'over'},
			{a: 'kstep', op: 'out'},
			{a: 'kstep', op: 'back'},
			{a: 'kstep', op: 'leave'},
		]);
	});

	it('between ticks e enters the next tick and E the last one; o, f and L only say why they do nothing', () => {
		expect(actions(press(initialState(), false, 'e').effects)).toEqual([{a: 'kstep', op: 'into'}]);
		expect(actions(press(initialState(), false, 'E').effects)).toEqual([{a: 'kstep', op: 'back'}]);
		for (const k of ['o', 'f', 'L']) {
			const r = press(initialState(), false, k);
			expect(r.effects).toEqual([]);
			expect(r.state.notice).toMatch(/not inside a tick/);
		}
	});

	it('Esc drops a count, then clears the filter, and only then leaves the tick', () => {
		const s: UiState = {...initialState(), count: '7', filter: 'type:fault'};
		const once = press(s, true, 'Esc');
		expect(once.effects).toEqual([]);
		expect(once.state.count).toBe('');
		const twice = press(once.state, true, 'Esc');
		expect(twice.effects).toEqual([]);
		expect(twice.state.filter).toBe('');
		expect(actions(press(twice.state, true, 'Esc').effects)).toEqual([{a: 'kstep', op: 'leave'}]);
		expect(press(twice.state, false, 'Esc').effects).toEqual([]);
	});

	it('the key bar shows the five kernel step keys inside a tick, and none of them between ticks', () => {
		const c: BarContext = {
			mode: 'normal',
			focus: 'processes',
			ended: false,
			atStart: false,
			atHit: true,
			hasBreakpoints: true,
			countPending: false,
			filtered: true,
			nommu: false,
		};
		expect(barKeys({...c, inside: true}).map((k) => `${k.label} ${k.word}`)).toEqual(['e into', 'o over', 'f out', 'E back', 'L leave']);
		for (const bar of [barKeys({...c, inside: false}), barKeys(c)]) for (const k of bar) expect(['e', 'o', 'f', 'E', 'L']).not.toContain(k.label);
	});
});

describe('the stack as one path', () => {
	const stack = ['do_fork', 'copy_process', 'copy_mm', 'dup_mm', 'dup_mmap', 'copy_page_range', 'copy_pte_range', 'copy_one_pte'].map((fn) => ({
		fn,
		args: '',
	}));
	it('is cut in the middle: the two outermost, …, as many innermost as fit', () => {
		expect(stackPath(stack, 200)).toBe(stack.map((f) => f.fn).join(' › '));
		expect(stackPath(stack, 60)).toBe('do_fork › copy_process › … › copy_pte_range › copy_one_pte');
		expect(stackPath(stack, 45)).toBe('do_fork › copy_process › … › copy_one_pte');
		expect(stackPath(stack, 20)).toBe('… › copy_one_pte');
		expect(stackPath(stack, 10)).toBe('… › copy_…');
		expect(stackPath([], 40)).toMatch(/no kernel function open/);
	});
});

/** A controller at a size whose runs end in one slice (no timing: the clock stands still). */
function open(
	width: number,
	height: number,
	options: ControllerOptions = {},
	breaks: string[] = [],
): {c: Controller; term: TestTerminal; screen: () => string} {
	const l = loadScenario(FORK_COW, [], breaks);
	const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints), {now: () => 0, ...options});
	c.setSize(width, height);
	const term = new TestTerminal(width, height);
	const screen = (): string => {
		term.paint(c.view());
		return term.text();
	};
	return {c, term, screen};
}
const keys = (c: Controller, ...ks: string[]): void => {
	for (const k of ks) c.key(k === '\r' ? {input: '', name: 'return'} : k === 'Esc' ? {input: '', name: 'escape'} : {input: k});
};
/** The stack path, with as many inner functions between copy_process and copy_one_pte as fit. */
const PATH = /in do_fork › copy_process › …( › \w+)* › copy_one_pte\b/;
const kernelBand = (screen: string): string => screen.slice(screen.indexOf(' 4 Kernel '));

describe.each([
	[80, 24],
	[160, 50],
])('the Kernel view at %i×%i', (width, height) => {
	it('b func=copy_one_pte, c: the Kernel view is up at once; o walks copy_one_pte PTE by PTE; f and L come back out', () => {
		const {c, term, screen} = open(width, height);
		keys(c, 'b', ...'func=copy_one_pte', '\r', 'c');
		let s = screen();
		const rows = s.split('\n');
		expect(rows).toHaveLength(height);
		for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(width);
		expect(rows[0]).toMatch(/tick 5 .*kstep 24\/53 in copy_one_pte/);
		expect(rows.at(-1)).toMatch(/e\s+into\s+o\s+over\s+f\s+out\s+E\s+back\s+L\s+leave/);
		let k = kernelBand(s);
		expect(k).toMatch(/ 4 Kernel {2}tick 5 · kstep 24\/53 · depth 10/);
		expect(k).toMatch(PATH);
		expect(k).toMatch(/#0 copy_one_pte\(addr=0x600000, pfn=9, pte=rw, vma=heap\)/);
		expect(k).toMatch(/#1 copy_pte_range\(addr=0x600000, end=0x602000\)/);
		// The Log gives its band to the Kernel view
		expect(s).not.toMatch(/ 4 Log /);

		// the panes show the partial state of each step: the parent's PTE is write-protected by the next one
		const pte = (): string | undefined => screen().match(/0x600000 -> +9 [^│]*/)?.[0];
		if (height >= 50) expect(pte()).toMatch(/9 W D A +heap/);

		// into: the decision, in full
		keys(c, 'e');
		if (height >= 50) expect(pte()).toMatch(/9 - D A COW heap/);
		k = kernelBand(screen());
		expect(k).toMatch(/kstep 25\/53 · note in copy_one_pte:/);
		expect(k).toContain('pte 0x600000 writable in a COW mapping: write-protect in parent and child');
		expect(k).toMatch(/^ {2}\(ptep_set_wrprotect\)/m);

		// over the next step (a note of the same function)
		keys(c, 'o');
		expect(screen().split('\n')[0]).toMatch(/kstep 26\/53 in copy_one_pte/);
		// finish this PTE's copy_one_pte, then into the next PTE's
		keys(c, 'f');
		expect(screen().split('\n')[0]).toMatch(/kstep 28\/53 in copy_pte_range/);
		expect(kernelBand(screen())).toMatch(/return from copy_one_pte/);
		keys(c, 'e');
		k = kernelBand(screen());
		expect(k).toMatch(PATH);
		expect(k).toMatch(/#0 copy_one_pte\(addr=0x601000, pfn=10, pte=rw, vma=heap\)/);
		expect(k).not.toMatch(/#\d+ copy_one_pte\(addr=0x600000/);

		// back one step: the first PTE's return again
		keys(c, 'E');
		expect(screen().split('\n')[0]).toMatch(/kstep 28\/53 in copy_pte_range/);

		// over the second PTE's copy_one_pte at once, then out of copy_pte_range: its caller is copy_pmd_range
		keys(c, 'o');
		expect(screen().split('\n')[0]).toMatch(/kstep 33\/53 in copy_pte_range/);
		keys(c, 'f');
		expect(screen().split('\n')[0]).toMatch(/in copy_pmd_range/);

		// leave: the tick's end, the Log and the usual key bar back
		keys(c, 'L');
		s = screen();
		expect(c.dbg.inside).toBeNull();
		expect(c.dbg.tick).toBe(5);
		expect(s).not.toMatch(/ 4 Kernel /);
		expect(s).toMatch(/ 4 Log /);
		expect(s.split('\n')[0]).not.toMatch(/kstep/);
		expect(s.split('\n').at(-1)).toMatch(/s\s+step.*c\s+continue/);
		term.dispose();
	});
});

describe('the Kernel view on the screen', () => {
	it('keeps every row inside 80×24 at every kernel step of the fork tick, in every focus', () => {
		const {c, term, screen} = open(80, 24);
		keys(c, '4', 's', 's', 's', 's', 'e');
		expect(c.dbg.inside).toMatchObject({tick: 5, seq: 0});
		for (let i = 0; c.dbg.inside !== null; i++) {
			for (const focus of ['1', '2', '3', '4', '5']) {
				keys(c, focus);
				const rows = screen().split('\n');
				expect(rows).toHaveLength(24);
				for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(80);
				expect(rows.join('\n')).toMatch(/ 4 Kernel /);
			}
			keys(c, 'e');
			expect(i).toBeLessThan(60);
		}
		expect(c.dbg.tick).toBe(5);
		term.dispose();
	});

	it('with one row left for the stack, it is #0 with its arguments', () => {
		const {c, term, screen} = open(80, 24, {}, ['func=copy_one_pte']);
		keys(c, 'c', 'e', '2');
		const k = kernelBand(screen()).split('\n');
		expect(k.at(-2)).toBe('#0 copy_one_pte(addr=0x600000, pfn=9, pte=rw, vma=heap)');
		term.dispose();
	});

	it('R from inside a tick goes back to the previous func= entry in it', () => {
		const {c, term, screen} = open(80, 24, {}, ['func=copy_one_pte']);
		keys(c, 'c', 'c');
		expect(screen()).toMatch(/#0 copy_one_pte\(addr=0x601000/);
		keys(c, 'R');
		expect(screen()).toMatch(/#0 copy_one_pte\(addr=0x600000/);
		expect(c.dbg.inside?.seq).toBe(24);
		term.dispose();
	});
});

describe('the steps beside the stack (from 120 columns)', () => {
	it('are the tick’s steps around the current one, re-executed once a page, not once a step', () => {
		const {c, term, screen} = open(160, 50);
		keys(c, 's', 's', 's', 's', 'e');
		const listed = vi.spyOn(c.dbg, 'kstepsOf');
		const rows = (): string[] =>
			kernelBand(screen())
				.split('\n')
				.map((r) => r.split(' │ ')[1] ?? '')
				.filter((r) => /^[ ▶]\s*\d+ /.test(r));
		for (let seq = 0; seq < 12; seq++) {
			const shown = rows();
			// the current step highlighted in the list, its neighbours around it, numbered in order
			expect(shown.find((r) => r.startsWith('▶'))).toMatch(new RegExp(`^▶\\s*${seq} `));
			const numbers = shown.map((r) => Number(/\d+/.exec(r)![0]));
			expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
			keys(c, 'e');
		}
		expect(listed.mock.calls.length).toBeLessThanOrEqual(2);
		term.dispose();
	});
});

describe('a kernel step that ends outside a tick', () => {
	it('says why the Kernel view is not up, or no longer', () => {
		const {c, term, screen} = open(80, 24);
		keys(c, 's', 's', 's', 'e');
		expect(c.dbg.tick).toBe(4);
		expect(c.dbg.inside).toBeNull();
		expect(screen()).toMatch(/tick 4 calls no kernel function to step into: e executed it whole/);
		keys(c, 'E');
		expect(c.dbg.tick).toBe(3);
		expect(screen()).toMatch(/tick 4 calls no kernel function to step back into: E went to the state before it/);
		keys(c, 's');
		keys(c, 'e', 'f');
		expect(c.dbg.inside).toMatchObject({tick: 5, step: {fn: 'do_fork', phase: 'exit'}});
		expect(c.ui.notice).toBeNull();
		keys(c, 'e');
		expect(c.dbg.inside).toBeNull();
		expect(screen()).toMatch(/tick 5 ran to its end: no kernel step was left \(E goes back into it\)/);
		keys(c, 'E');
		expect(c.dbg.inside).toMatchObject({tick: 5, step: {fn: 'do_fork', phase: 'exit'}});
		expect(c.ui.notice).toBeNull();
		keys(c, 'L');
		expect(c.ui.notice).toBeNull();
		keys(c, 'g', ...'999', '\r', 'e');
		expect(c.dbg.ended).toBe(true);
		expect(screen()).toMatch(/the run ended at tick \d+/);
		keys(c, '0', 'E');
		expect(screen()).toMatch(/at tick 0: nothing before it/);
		term.dispose();
	});
});

describe('a session with kernel steps', () => {
	it('recorded in the TUI, replays to the same state after every action', () => {
		const file = join(tempDir(), 'kview.json');
		const l = loadScenario(FORK_COW, [], []);
		let clock = 0;
		const recorder = createRecorder({file, force: false, loaded: l, breakpoints: l.breakpoints, now: () => (clock += 100), saveEveryMs: 0});
		const after: string[] = [];
		const where = (dbg: Debugger): string => `${dbg.tick}/${dbg.inside?.seq ?? '-'}/${stateHash(dbg.kernel)}`;
		const sink: ActionSink = {
			record: (action, dbg) => {
				recorder.record(action, dbg);
				after.push(where(dbg));
			},
			close: (dbg) => recorder.close(dbg),
		};
		const {c} = open(80, 24, {sink});
		keys(c, 's', 's', 's', 's', 'e', 'e', 'o', 'o', 'f', 'E', 'E', 'L', 'E', 'E', 'Esc', 'b', ...'func=copy_one_pte', '\r', 'R', 'o');
		keys(c, 'q');
		const recorded = loadSession(file);
		const script = replayScript(recorded);
		expect(script.actions.filter((a) => a.action.a === 'kstep').map((a) => (a.action as {op: string}).op)).toEqual([
			'into',
			'into',
			'over',
			'over',
			'out',
			'back',
			'back',
			'leave',
			'back',
			'back',
			'leave',
			'over',
		]);
		// the replay, action by action, is where the recording was
		const again = open(80, 24, {replay: {script, speed: 1}, setTimeout: () => 0, clearTimeout: () => undefined});
		const replayed: string[] = [];
		while (again.c.replayNext()) replayed.push(where(again.c.dbg));
		replayed.push(where(again.c.dbg));
		expect(replayed).toEqual(after);
		expect(again.c.session.replay?.state).toBe('done');
		expect(again.c.dbg.inside).not.toBeNull();
	});
});
