// Frames as strings (renderFrame), without a terminal: what each pane shows,
// and that every frame has exactly the terminal's height and no line wider
// than it.

import {describe, expect, it} from 'vitest';
import {loadScenario} from '../../source/debugger/load.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {Controller} from '../../source/tui/controller.js';
import {panes} from '../../source/tui/panes.js';
import {renderFrame} from '../../source/tui/render/frame.js';
import {initialState, type UiState} from '../../source/tui/state.js';
import {createModel, type Model} from '../../source/tui/render/model.js';

const strip = (s: string): string => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

function model(file: string, breaks: string[] = []): Model {
	const l = loadScenario(file, [], breaks);
	return createModel(new Debugger(l.scenario, l.config, l.breakpoints), initialState(1));
}

function frame(m: Model, width = 80, height = 24, ui: Partial<UiState> = {}): string {
	return strip(renderFrame({...m, ui: {...m.ui, ...ui}}, width, height));
}

function expectFits(f: string, width: number, height: number): void {
	const lines = f.split('\n');
	expect(lines).toHaveLength(height);
	for (const line of lines) expect(line.length, JSON.stringify(line)).toBeLessThanOrEqual(width);
}

describe('sizes', () => {
	const sizes: [number, number][] = [
		[80, 24],
		[81, 25],
		[100, 30],
		[120, 40],
		[160, 50],
		[200, 60],
	];
	it('every size, focus, overlay and prompt fits exactly', () => {
		const m = model('test/fixtures/tui/cow.scn', ['cow']);
		m.dbg.continue();
		const uis: Partial<UiState>[] = [
			...panes.map((focus) => ({focus})),
			{overlay: 'help'},
			{overlay: 'breakpoints'},
			{prompt: {kind: 'break', text: 'fault:kind=nope', error: {message: 'x'.repeat(300), col: 12}}},
			{notice: 'n'.repeat(500), filter: 'type:fault'},
			{levels: true, focus: 'memory'},
			{running: true},
		];
		for (const [w, h] of sizes) for (const ui of uis) expectFits(frame(m, w, h, ui), w, h);
	});
});

describe('Processes', () => {
	it('shows pid, ppid, state, comm, mm/users, the instruction and what a sleeper waits on', () => {
		const m = model('test/fixtures/tui/vfork.scn');
		m.dbg.goto(3);
		const f = frame(m, 200, 30);
		expect(f).toMatch(/\s1\s+0 D init\s+1\/2\s+vfork\s+<- completion #1 \(vfork child 2, done=0\)/);
		expect(f).toMatch(/>\s+2\s+1 R init\s+1\/2\s+compute 4/);
		expect(f).toMatch(/cpu 2 \(\d\/3 left\) · runq empty/);
	});

	it('a parent in wait waits for any child; a sleeper for its timer', () => {
		const m = model('test/fixtures/tui/wait.scn');
		m.dbg.goto(6);
		const f = frame(m, 200, 30);
		expect(f).toMatch(/\s1\s+0 S init\s+1\/1\s+wait\s+<- any child/);
		expect(f).toMatch(/\s2\s+1 S init\s+2\/1\s+compute 6\s+<- timer until tick 8/);
	});
});

describe('Memory', () => {
	it('after fork both heap PTEs are read-only in a writable private VMA: COW', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(3);
		const f = frame(m, 160, 50);
		expect(f).toMatch(/heap\s+rw- private anon\s+rss 2\/2 0x600000-0x602000 account/);
		expect(f).toMatch(/0x600000 ->\s+9 - D A COW heap/);
		expect(f).toMatch(/0x601000 ->\s+10 - D A COW heap/);
		expect(f).toMatch(/0x400000 ->\s+7 - - A\s+text/); // read-only text is not COW
	});

	it('after the child copies, its PTE is writable and maps the new frame', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(5);
		const f = frame(m, 160, 50, {selectedPid: 2});
		expect(f).toContain('2 Memory  pid 2 · mm 2 users 1');
		expect(f).toMatch(/0x600000 ->\s+18 W D A\s+heap/);
	});

	it('i shows the four level indexes of each PTE', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(3);
		const f = frame(m, 160, 50, {levels: true});
		expect(f).toContain('[pgd pud pmd pte]');
		expect(f).toMatch(/0x600000 .*\[\s+0\s+0\s+3\s+0\]/);
		expect(f).toMatch(/0x601000 .*\[\s+0\s+0\s+3\s+1\]/);
	});

	it('no-MMU: regions with their frame ranges, and no page table', () => {
		const m = model('test/fixtures/tui/nommu.scn');
		m.dbg.goto(1);
		const f = frame(m, 160, 50);
		expect(f).toContain(' no-MMU ');
		expect(f).toMatch(/heap\s+rw- private anon\s+rss 2\/2 pfn \d+-\d+ /);
		expect(f).toContain('no page table');
	});

	it('a reaped process says so', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(9);
		expect(frame(m, 160, 50, {selectedPid: 2})).toContain('pid 2 has exited and been reaped');
		expect(frame(m, 160, 50, {selectedPid: 7})).toContain('pid 7 does not exist yet at this tick');
	});
});

describe('Frames', () => {
	it('lists used frames with kind, counts and the pids using them; marks what the last step changed', () => {
		const l = loadScenario('test/fixtures/tui/cow.scn');
		const c = new Controller(new Debugger(l.scenario, l.config, []));
		c.perform({a: 'goto', tick: 4}, 'user');
		c.perform({a: 'step', n: 1}, 'replay'); // tick 5: the child's cow-copy
		const f = strip(renderFrame(c.model(), 160, 50));
		expect(f).toMatch(/19\/64 used · \d+ changed/);
		// the frames the fault touched come first, with their counts before → after it
		expect(f).toMatch(/▶\s+18 anon\s+0→1\s+0→1\s+pid 2\n/); // the copy
		expect(f).toMatch(/▶\s+9 anon\s+2→1\s+2→1\s+pid 1\n/); // the old frame lost a mapping
		expect(f).toMatch(/\s10 anon\s+2\s+2\s+pid 1 2/); // still shared, unchanged
		expect(f).toMatch(/\s7 file\s+3\s+2\s+pid 1 2/);
		// the map: one cell a frame, capitals for frames mapped more than once
		expect(f).toMatch(/0pkkpppFpaApkkppppa\.+/); // k: a kernel stack
	});

	it('on a big machine the map shows several frames a cell', () => {
		const m = model('test/fixtures/tui/cow.scn');
		const big = createModel(new Debugger(m.dbg.scenario, {...m.dbg.config, frames: 100_000}, []), initialState(1));
		expect(frame(big, 160, 50)).toMatch(/4\/100000 used · map 1:\d+/);
	});
});

describe('Log', () => {
	it('filters by type and by pid; shows call paths', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(9);
		const f = frame(m, 200, 60, {filter: 'type:fault'});
		expect(f).toMatch(/5 pid 2 fault cow-copy write 0x600000 \(heap\) → pfn 18 from pfn 9 {2}\[handle_mm_fault > handle_pte_fault > do_wp_page\]/);
		expect(f).not.toMatch(/sched \d/);
		expect(f).toMatch(/6\/\d+ match \/type:fault/);
		const byPid = frame(m, 200, 60, {filter: 'pid:2'});
		expect(byPid).not.toMatch(/pid 1 fault/);
		expect(byPid).toMatch(/pid 2 fault cow-copy/);
	});

	it('shows only the events up to the current tick, newest last', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(9);
		m.dbg.goto(2);
		const f = frame(m, 200, 60);
		expect(f).toContain('fault anon write 0x601000');
		expect(f).not.toContain('fork()');
	});
});

describe('Program', () => {
	it('marks the pc of the selected process, with labels', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.dbg.goto(4);
		const f = frame(m, 160, 50, {selectedPid: 2});
		expect(f).toContain('child:');
		expect(f).toMatch(/▶ 7 {2}write heap\[0\] 2/);
	});
});

describe('status line', () => {
	it('says MMU or no-MMU, paused or ended, and why it stopped', () => {
		const m = model('test/fixtures/tui/cow.scn', ['cow']);
		m.dbg.continue();
		expect(frame(m).split('\n')[0]).toMatch(/tick 5\s+MMU\s+paused · hit #1 cow at tick 5/);
		m.dbg.goto(100);
		expect(frame(m).split('\n')[0]).toMatch(/tick 10\/10\s+MMU\s+ended \(exited\)/);
	});

	it('shows recording and replay', () => {
		const m = model('test/fixtures/tui/cow.scn');
		m.session.recording = 'x.json';
		expect(frame(m).split('\n')[0]).toContain('● REC');
		m.session.replay = {index: 3, total: 40, speed: 2, state: 'playing'};
		expect(frame(m, 120).split('\n')[0]).toContain('replay 3/40 ×2');
	});
});
