// The app through Ink: keys in (one per write, a tick between writes),
// frames out through the production painter into a terminal emulator, at 80×24.

import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import type {ActionSink, DebugAction, ReplayScript} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {App} from '../../source/tui/components/App.js';
import {Controller} from '../../source/tui/controller.js';
import {keyTable} from '../../source/tui/keys.js';
import {TestTerminal} from './terminal.js';

const COW = 'test/fixtures/tui/cow.scn';
const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

const keys = {enter: '\r', escape: '\u001B', tab: '\t', up: '\u001B[A', down: '\u001B[B', pageDown: '\u001B[6~', backspace: '\u007F'};

class MemorySink implements ActionSink {
	actions: DebugAction[] = [];
	closed = false;
	record(action: DebugAction): void {
		this.actions.push(action);
	}
	close(): void {
		this.closed = true;
	}
}

type Started = ReturnType<typeof render> & {
	controller: Controller;
	dbg: Debugger;
	terminal: TestTerminal;
	frame: () => string;
	press: (...k: string[]) => Promise<void>;
};

let current: Started | null = null;
afterEach(() => {
	current?.unmount();
	current?.terminal.dispose();
	current = null;
});

function start(
	file = COW,
	options: {breaks?: string[]; sink?: ActionSink; replay?: {script: ReplayScript; speed: number}; width?: number; height?: number} = {},
): Started {
	const loaded = loadScenario(file, [], options.breaks ?? []);
	const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
	const controller = new Controller(dbg, {sink: options.sink, replay: options.replay});
	controller.setSize(options.width ?? 80, options.height ?? 24);
	const terminal = new TestTerminal(options.width ?? 80, options.height ?? 24);
	const r = render(<App controller={controller} paint={terminal.paint} />);
	const frame = (): string => terminal.text();
	const press = async (...ks: string[]): Promise<void> => {
		for (const k of ks) {
			r.stdin.write(k);
			await tick(5);
		}
	};
	current = {...r, controller, dbg, terminal, frame, press};
	return current;
}

function statusOf(frame: string): string {
	return frame.split('\n')[0]!;
}

function expectFits(frame: string, width = 80, height = 24): void {
	const lines = frame.split('\n');
	expect(lines.length).toBe(height);
	for (const line of lines) expect(line.length, `too wide: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end) throw new Error('timed out');
		await tick(10);
	}
}

describe('the TUI at 80×24', () => {
	it('opens at tick 0 with the five panes, the status line and a key bar', async () => {
		const t = start();
		await tick();
		const f = t.frame();
		expectFits(f);
		expect(statusOf(f)).toMatch(/cowdbg\s+cow\.scn\s+tick 0\s+MMU\s+paused/);
		for (const title of ['1 Processes', '2 Memory', '3 Frames', '4 Log', '5 Program']) expect(f).toContain(title);
		expect(f.split('\n').at(-1)).toMatch(/s\s+step.*c\s+continue/);
		expect(f).toMatch(/\*>?\s+1\s+R init/);
	});

	it('s steps one tick', async () => {
		const t = start();
		await t.press('s');
		expect(statusOf(t.frame())).toContain('tick 1');
		expect(t.frame()).toContain('fault anon write 0x600000');
	});

	it('a count prefix steps that many ticks (7s)', async () => {
		const t = start();
		await t.press('7', 's');
		expect(statusOf(t.frame())).toContain('tick 7');
	});

	it('a pending count shows in the key bar; a pane digit makes none', async () => {
		const t = start();
		await t.press('3');
		expect(t.frame().split('\n').at(-1)).not.toContain('count');
		await t.press('6', '1');
		expect(t.frame().split('\n').at(-1)).toContain('count 61');
		await t.press(keys.escape, '3', 's');
		expect(statusOf(t.frame())).toContain('tick 1');
	});

	it('c continues to a cow hit: the event is highlighted and its process selected', async () => {
		const sink = new MemorySink();
		const t = start(COW, {breaks: ['cow'], sink});
		await t.press('c');
		await until(() => statusOf(t.frame()).includes('hit'));
		const f = t.frame();
		expect(statusOf(f)).toContain('hit #1 cow at tick 5');
		expect(f).toMatch(/▶\s+5 pid 2 fault cow-copy write 0x600000/);
		// pid 2 is selected (*), and Memory and Program show pid 2
		expect(f).toMatch(/\*>?\s+2\s+R init/);
		expect(f).toContain('2 Memory  pid 2');
		expect(sink.actions).toEqual([{a: 'continue'}]);
		expectFits(f);
	});

	it('r reverse-steps; a pane digit before it is no count (2r goes back one)', async () => {
		const t = start(COW, {breaks: ['cow']});
		await t.press('c');
		await until(() => statusOf(t.frame()).includes('tick 5'));
		await t.press('r');
		expect(statusOf(t.frame())).toContain('tick 4');
		expect(t.frame()).not.toContain('cow-copy');
		await t.press('2', 'r');
		expect(statusOf(t.frame())).toContain('tick 3');
	});

	it('n runs to the next event of the selected process; R goes back to the previous hit; 0 restarts', async () => {
		const t = start(COW, {breaks: ['cow']});
		await t.press('c');
		await until(() => statusOf(t.frame()).includes('tick 5'));
		await t.press('c');
		await until(() => statusOf(t.frame()).includes('tick 9'));
		expect(statusOf(t.frame())).toContain('hit #1 cow at tick 9');
		await t.press('R');
		expect(statusOf(t.frame())).toContain('hit #1 cow at tick 5');
		await t.press('0');
		expect(statusOf(t.frame())).toMatch(/tick 0\b.*at the start/);
		// the hit selected pid 2, and it stays selected: its next event is its birth at tick 4
		expect(t.frame()).toContain('pid 2 does not exist yet at this tick');
		await t.press('n');
		expect(statusOf(t.frame())).toMatch(/tick 4\b.*next event of pid 2/);
		expect(t.frame()).toContain('pid 2 fork() = 0 in the child');
	});

	it('g goes to a typed tick; a bad one is explained under the prompt', async () => {
		const t = start();
		await t.press('g', '8');
		expect(t.frame()).toMatch(/go to tick: 8/);
		await t.press(keys.enter);
		expect(statusOf(t.frame())).toContain('tick 8');
		await t.press('g', '1', 'x', keys.enter);
		const lines = t.frame().split('\n');
		const caret = lines.findIndex((l) => l.trim() === '^');
		expect(caret).toBeGreaterThan(0);
		expect(lines[caret]!.indexOf('^')).toBe('go to tick: '.length + 1);
		expect(lines[caret + 1]).toMatch(/a tick is a number/);
		expectFits(t.frame());
		await t.press(keys.escape);
		expect(t.frame()).not.toContain('go to tick');
	});

	it('b with a bad spec shows the reason and a caret under its column; a good one is added', async () => {
		const t = start();
		await t.press('b', ...'fault:kind=cwo', keys.enter);
		const lines = t.frame().split('\n');
		const caret = lines.findIndex((l) => l.trim() === '^');
		expect(caret).toBeGreaterThan(0);
		expect(lines[caret - 1]).toContain('break: fault:kind=cwo');
		expect(lines[caret]!.indexOf('^')).toBe('break: '.length + 'fault:kind='.length);
		expect(lines[caret + 1]).toMatch(/cwo/);
		expectFits(t.frame());
		for (let i = 0; i < 3; i++) await t.press(keys.backspace);
		await t.press(...'cow-copy', keys.enter);
		expect(t.frame()).toContain('breakpoint #1 set: fault:kind=cow-copy');
		expect(t.dbg.breakpoints.map((b) => b.breakpoint.spec)).toEqual(['fault:kind=cow-copy']);
	});

	it('B lists the breakpoints: space disables, d deletes', async () => {
		const t = start(COW, {breaks: ['cow', 'exit']});
		await t.press('B');
		expect(t.frame()).toMatch(/#1\s+\[x\] cow/);
		await t.press(' ');
		expect(t.frame()).toMatch(/#1\s+\[ \] cow/);
		expect(t.dbg.breakpoints[0]!.enabled).toBe(false);
		await t.press('j', 'd');
		expect(t.dbg.breakpoints.map((b) => b.id)).toEqual([1]);
		await t.press(keys.escape);
		expect(t.frame()).toContain('1 Processes');
	});

	it('? lists every key of the table (scrolling through the help)', async () => {
		const t = start();
		await t.press('?');
		const seen = new Set<string>();
		for (let page = 0; page < 12; page++) {
			const f = t.frame();
			expectFits(f);
			for (const line of f.split('\n')) seen.add(line);
			await t.press(keys.pageDown);
		}
		const text = [...seen].join('\n');
		for (const def of keyTable) expect(text, `help lacks ${def.label}`).toContain(`  ${def.label} `);
		await t.press(keys.escape);
		expect(t.frame()).toContain('1 Processes');
	});

	it('no line is wider than 80 in any pane, focus, prompt or overlay', async () => {
		const t = start(COW, {breaks: ['cow']});
		await t.press('c');
		await until(() => statusOf(t.frame()).includes('hit'));
		for (const k of ['1', '2', 'i', '3', '4', 'l', '5', keys.tab, '/', 'x', keys.escape, 'B', keys.escape, '?', keys.escape, 'g']) {
			await t.press(k);
			expectFits(t.frame());
		}
	});

	it('Enter in Processes selects a process; Memory and Program follow it', async () => {
		const t = start();
		await t.press('s', 's', 's', 's', 's'); // five steps: fork done, pid 2 exists
		await t.press('1', 'j', keys.enter);
		const f = t.frame();
		expect(f).toContain('2 Memory  pid 2');
		expect(f).toContain('5 Program  pid 2');
	});

	it('/ filters the Log by type', async () => {
		const t = start();
		await t.press('9', 's', '/', ...'type:fault', keys.enter);
		const lines = t.frame().split('\n');
		const log = lines.slice(lines.findIndex((l) => l.includes('4 Log')) + 1, -1);
		expect(log.length).toBeGreaterThan(0);
		for (const l of log) expect(l).toMatch(/fault/);
		expect(t.frame()).toMatch(/4 Log\s+\d+\/\d+ match \/type:fault/);
	});

	it('q quits and closes the recording', async () => {
		const sink = new MemorySink();
		const t = start(COW, {sink});
		await t.press('s', 'q');
		expect(sink.actions).toEqual([{a: 'step', n: 1}]);
		expect(sink.closed).toBe(true);
	});
});

describe('a long continue', () => {
	it('shows progress and pauses on space; the pause is recorded by its tick', async () => {
		const sink = new MemorySink();
		const t = start('test/fixtures/tui/spin.scn', {sink});
		await t.press('c');
		await until(() => statusOf(t.frame()).includes('running'));
		expect(t.frame()).toMatch(/space\s+pause/);
		await t.press(' ');
		await until(() => !statusOf(t.frame()).includes('running'));
		expect(statusOf(t.frame())).toContain('paused by you');
		expect(sink.actions).toHaveLength(1);
		const a = sink.actions[0]!;
		expect(a).toEqual({a: 'continue', to: t.dbg.tick});
		expect(t.dbg.tick).toBeGreaterThan(0);
	});
});

describe('replay', () => {
	it('plays the script, shows its progress, and any key takes over', async () => {
		const script: ReplayScript = {
			actions: [
				{at: 0, action: {a: 'step', n: 2}},
				{at: 10, action: {a: 'step', n: 1}},
				{at: 60_000, action: {a: 'step', n: 5}},
			],
		};
		const t = start(COW, {replay: {script, speed: 2}});
		await until(() => t.dbg.tick === 3);
		expect(statusOf(t.frame())).toContain('replay 2/3 ×2');
		await t.press('s');
		// the playback stopped, and the key acted
		expect(statusOf(t.frame())).toContain('tick 4');
		expect(statusOf(t.frame())).toContain('replay stopped 2/3');
	});
});
