import {describe, expect, it} from 'vitest';
import type {ActionSink, DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {Controller, type ControllerOptions} from '../../source/tui/controller.js';
import {renderFrame} from '../../source/tui/render/frame.js';

class MemorySink implements ActionSink {
	actions: DebugAction[] = [];
	ticks: number[] = [];
	closed = 0;
	record(action: DebugAction, dbg: Debugger): void {
		this.actions.push(action);
		this.ticks.push(dbg.tick);
	}
	close(): void {
		this.closed++;
	}
}

function controller(file = 'test/fixtures/tui/cow.scn', breaks: string[] = [], options: ControllerOptions = {}): Controller {
	const l = loadScenario(file, [], breaks);
	const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints), options);
	c.setSize(80, 24);
	return c;
}

describe('Controller', () => {
	it('acts on characters that arrive together one by one, Enter included', () => {
		const c = controller();
		c.key({input: 'g7\r'});
		expect(c.dbg.tick).toBe(7);
		c.key({input: '2r'}); // 2 focuses Memory (a pane key, never a count), r goes back one
		expect(c.dbg.tick).toBe(6);
		c.key({input: '6r'}); // a count starts with 6-9
		expect(c.dbg.tick).toBe(0);
		c.key({input: 'b'});
		c.key({input: 'cow\r'});
		expect(c.dbg.breakpoints.map((b) => b.breakpoint.spec)).toEqual(['cow']);
	});

	it('keys do nothing while the terminal is too small, but q still quits', () => {
		const sink = new MemorySink();
		const c = controller('test/fixtures/tui/cow.scn', [], {sink});
		c.setSize(70, 20);
		for (const k of ['7', 's', 'c', 'g']) c.key({input: k});
		expect(c.dbg.tick).toBe(0);
		c.setSize(80, 24);
		c.key({input: 's'});
		expect(c.dbg.tick).toBe(1);
		c.setSize(60, 10);
		c.key({input: 'q'});
		expect(sink.closed).toBe(1);
	});

	it('records every debugger action after applying it, selection and breakpoints included', () => {
		const sink = new MemorySink();
		const c = controller('test/fixtures/tui/cow.scn', [], {sink});
		for (const k of ['s', 's', 's', 'b', 'c', 'o', 'w', '\r', 'c']) c.key(k === '\r' ? {input: '', name: 'return'} : {input: k});
		c.key({input: 'j'});
		c.key({input: '', name: 'return'});
		c.key({input: 'B'});
		c.key({input: ' '});
		c.key({input: 'd'});
		c.key({input: 'q'}); // closes the list
		expect(sink.closed).toBe(0);
		c.key({input: 'q'}); // quits
		expect(sink.actions).toEqual([
			{a: 'step', n: 1},
			{a: 'step', n: 1},
			{a: 'step', n: 1},
			{a: 'break-add', spec: 'cow'},
			{a: 'continue'},
			{a: 'select', pid: 2},
			{a: 'break-toggle', id: 1},
			{a: 'break-remove', id: 1},
		]);
		expect(sink.ticks.slice(0, 5)).toEqual([1, 2, 3, 3, 5]);
		expect(sink.closed).toBe(1);
	});

	it('quitting during a long continue records where it stopped, then closes once', () => {
		const sink = new MemorySink();
		const queue: (() => void)[] = [];
		let quit = 0;
		const c = controller('test/fixtures/tui/spin.scn', [], {sink, setImmediate: (fn) => queue.push(fn)});
		c.onQuit = () => quit++;
		c.key({input: 'c'});
		expect(c.ui.running).toBe(true);
		c.key({input: 'q'});
		expect(c.ui.running).toBe(false);
		expect(sink.actions).toEqual([{a: 'continue', to: c.dbg.tick}]);
		expect(sink.closed).toBe(1);
		expect(quit).toBe(1);
		for (const fn of queue) fn(); // a slice still queued does nothing
		expect(sink.actions).toHaveLength(1);
	});

	it('a replayed select moves the selection like the user would', () => {
		const c = controller();
		c.perform({a: 'goto', tick: 5}, 'replay');
		c.perform({a: 'select', pid: 2}, 'replay');
		expect(c.ui.selectedPid).toBe(2);
		expect(c.ui.procCursor).toBe(1);
	});

	it('keeps the frame table from before each action, for the changed-frames highlight', () => {
		const c = controller();
		c.perform({a: 'goto', tick: 4}, 'user');
		c.perform({a: 'step', n: 1}, 'user');
		const t = c.dbg.kernel.frames;
		const changed = [...t.refcount.keys()].filter((pfn) => c.before!.refcount[pfn] !== t.refcount[pfn] || c.before!.kind[pfn] !== t.kind[pfn]);
		expect(changed).toContain(18); // the copy
		expect(changed).toContain(9); // the frame it was copied from
	});

	it('says so when a step is asked of an ended run', () => {
		const c = controller();
		c.perform({a: 'goto', tick: 100}, 'user');
		c.key({input: 's'});
		expect(c.ui.notice).toMatch(/the run ended at tick 10 \(exited\)/);
	});
});

/**
 * A controller whose slices run when the test says (`run()` runs what is
 * queued, once) and whose clock moves 10 ms at each reading, so a slice is a
 * few pieces of work however busy the machine is.
 */
function sliced(file: string, options: ControllerOptions = {}, dbg?: Debugger) {
	const queue: (() => void)[] = [];
	let clock = 0;
	const l = loadScenario(file, [], []);
	const c = new Controller(dbg ?? new Debugger(l.scenario, l.config, l.breakpoints), {
		setImmediate: (fn) => queue.push(fn),
		now: () => (clock += 10),
		...options,
	});
	c.setSize(100, 30);
	const run = (): void => {
		for (const fn of queue.splice(0)) fn();
	};
	const status = (): string =>
		renderFrame(c.model(), 100, 30)
			.split('\n')[0]!
			.replace(/\u001B\[[0-9;]*m/g, '');
	return {c, run, status, queue};
}

const enter = {input: '', name: 'return'} as const;
const esc = {input: '', name: 'escape'} as const;

describe('Controller: long operations in slices (docs/debugger.md)', () => {
	it('g far ahead runs in slices with its progress on the status line; Esc cancels it where it got to, recorded as a go-to there', () => {
		const sink = new MemorySink();
		const {c, run, status} = sliced('test/fixtures/tui/spin.scn', {sink});
		c.key({input: 'g20000'});
		c.key(enter);
		expect(c.ui.running).toBe(true);
		const shares: number[] = [];
		let ticks = c.dbg.tick;
		for (let i = 0; i < 5; i++) {
			run();
			const m = /going to tick 20000… (\d+)% \(Esc cancels\)/.exec(status());
			expect(m).not.toBeNull();
			shares.push(Number(m![1]));
			expect(c.dbg.tick).toBeGreaterThan(ticks);
			ticks = c.dbg.tick;
		}
		expect(shares[4]).toBeGreaterThan(shares[0]!);
		// Keys other than the running ones do nothing meanwhile.
		c.key({input: 's'});
		expect(c.ui.running).toBe(true);
		c.key(esc);
		expect(c.ui.running).toBe(false);
		expect(c.dbg.tick).toBe(ticks);
		expect(c.dbg.tick).toBeLessThan(20000);
		expect(sink.actions).toEqual([{a: 'goto', tick: ticks}]);
		expect(c.ui.notice).toBe(`going to tick 20000: cancelled at tick ${ticks}`);
		expect(status()).toMatch(new RegExp(`tick ${ticks}\\b.*paused by you`));
		run(); // a slice still queued does nothing
		expect(c.dbg.tick).toBe(ticks);
	});

	it('g far back restores a snapshot and re-executes in slices too, then ends exactly at the tick', () => {
		const l = loadScenario('test/fixtures/tui/spin.scn', [], []);
		const dbg = new Debugger(l.scenario, l.config, [], {chunkTicks: 64});
		dbg.goto(300_000);
		const sink = new MemorySink();
		const {c, run, status} = sliced('test/fixtures/tui/spin.scn', {sink}, dbg);
		// Just below a snapshot: the most re-execution there is from the one before.
		c.key({input: 'g262143'});
		c.key(enter);
		expect(c.ui.running).toBe(true);
		expect(c.dbg.tick).toBeLessThan(262143);
		run();
		expect(status()).toMatch(/going to tick 262143… \d+% \(Esc cancels\)/);
		for (let i = 0; i < 1000 && c.ui.running; i++) run();
		expect(c.ui.running).toBe(false);
		expect(c.dbg.tick).toBe(262143);
		expect(sink.actions).toEqual([{a: 'goto', tick: 262143}]);
		expect(status()).toMatch(/went to tick/);
		// The stop explains itself from the state before its tick, kept on the way there.
		expect(c.focus).not.toBeNull();
		expect(c.focus!.tick).toBe(262143);
		// One step on, that state is re-executed from a snapshot: in slices too, after the step is done.
		c.key({input: 's'});
		let there = 0;
		for (let i = 0; i < 1000 && c.ui.running; i++) {
			if (c.dbg.tick === 262144) there++;
			run();
		}
		expect(there).toBeGreaterThan(1);
		expect(c.focus!.tick).toBe(262144);
		expect(sink.actions).toEqual([
			{a: 'goto', tick: 262143},
			{a: 'step', n: 1},
		]);
	});

	it('q while the stop of a step is being explained: the step is done and recorded whole, the stop left unexplained', () => {
		const l = loadScenario('test/fixtures/tui/spin.scn', [], []);
		const dbg = new Debugger(l.scenario, l.config, [], {chunkTicks: 64});
		dbg.goto(300_000);
		const sink = new MemorySink();
		const {c, run} = sliced('test/fixtures/tui/spin.scn', {sink}, dbg);
		c.key({input: 'g262143'});
		c.key(enter);
		for (let i = 0; i < 1000 && c.ui.running; i++) run();
		expect(c.focus).not.toBeNull();
		c.key({input: 's'});
		expect(c.dbg.tick).toBe(262144);
		expect(c.ui.running).toBe(true);
		c.key({input: 'q'});
		expect(sink.actions).toEqual([
			{a: 'goto', tick: 262143},
			{a: 'step', n: 1},
		]);
		expect(sink.closed).toBe(1);
		expect(c.focus).toBeNull();
	});

	it('q while a long go-to runs quits at once: the go-to is recorded as far as it got, the sink closed once', () => {
		const sink = new MemorySink();
		let quit = 0;
		const {c, run} = sliced('test/fixtures/tui/spin.scn', {sink});
		c.onQuit = () => quit++;
		c.key({input: 'g5000000'});
		c.key(enter);
		run();
		expect(c.ui.running).toBe(true);
		c.key({input: 'q'});
		expect(quit).toBe(1);
		expect(sink.closed).toBe(1);
		expect(sink.actions).toEqual([{a: 'goto', tick: c.dbg.tick}]);
		expect(c.dbg.tick).toBeGreaterThan(0);
		run();
		expect(sink.actions).toHaveLength(1);
	});

	it('closing (what a signal does) during a long action records it as far as it got before the sink closes', () => {
		const sink = new MemorySink();
		const {c, run} = sliced('test/fixtures/tui/spin.scn', {sink});
		c.key({input: '9999s'});
		run();
		expect(c.ui.running).toBe(true);
		c.close();
		expect(sink.actions).toEqual([{a: 'continue', to: c.dbg.tick}]);
		expect(sink.ticks).toEqual([c.dbg.tick]);
		expect(sink.closed).toBe(1);
	});

	it('a long replayed action runs in slices with its progress shown; the replay goes on only when it is done, and q quits in the middle', () => {
		const timers: (() => void)[] = [];
		const script = {
			actions: [
				{at: 0, action: {a: 'goto', tick: 150_000} as const},
				{at: 0, action: {a: 'step', n: 1} as const},
				{at: 0, action: {a: 'goto', tick: 3_000_000} as const},
			],
		};
		let quit = 0;
		const {c, run, status} = sliced('test/fixtures/tui/spin.scn', {
			replay: {script, speed: 1},
			setTimeout: (fn) => timers.push(fn),
			clearTimeout: () => {},
		});
		c.onQuit = () => quit++;
		c.startReplay();
		timers.shift()!();
		expect(c.ui.running).toBe(true);
		run();
		expect(status()).toMatch(/going to tick 150000… \d+% \(Esc cancels\).*replay 0\/3/);
		expect(timers).toHaveLength(0);
		for (let i = 0; i < 1000 && c.ui.running; i++) run();
		expect(c.dbg.tick).toBe(150_000);
		expect(c.session.replay?.index).toBe(1);
		timers.shift()!(); // the step
		for (let i = 0; i < 1000 && c.ui.running; i++) run();
		expect(c.dbg.tick).toBe(150_001);
		expect(c.session.replay?.index).toBe(2);
		timers.shift()!();
		run();
		expect(status()).toMatch(/going to tick 3000000… \d+%.*replay 2\/3/);
		c.key({input: 'q'});
		expect(quit).toBe(1);
		expect(c.isClosed).toBe(true);
		const at = c.dbg.tick;
		expect(at).toBeGreaterThan(150_001);
		expect(at).toBeLessThan(3_000_000);
		run();
		expect(c.dbg.tick).toBe(at);
		expect(timers).toHaveLength(0);
	});
});

describe('Controller: the Log filter over a long run', () => {
	it('counts its matches in slices (the Log says how far it is, keys act meanwhile), then shows them, as many as counted at once', () => {
		const l = loadScenario('test/fixtures/tui/rounds.scn', [], []);
		const dbg = new Debugger(l.scenario, l.config, [], {chunkTicks: 64});
		dbg.goto(9_000);
		const {c, run} = sliced('test/fixtures/tui/rounds.scn', {}, dbg);
		const screen = (): string => renderFrame(c.model(), 100, 30);
		c.key({input: '/'});
		c.key({input: 'type:fault'});
		c.key(enter);
		expect(c.ui.filter).toBe('type:fault');
		expect(screen()).toMatch(/filtering the log of \d+ events…/);
		run();
		expect(screen()).toMatch(/filtering the log of \d+ events… \d+%/);
		const at = c.dbg.tick;
		expect(at).toBeGreaterThan(8_000);
		c.key({input: 'r'});
		for (let i = 0; i < 1000 && c.ui.running; i++) run();
		expect(c.dbg.tick).toBe(at - 1);
		expect(screen()).toMatch(/filtering the log of \d+ events…/);
		for (let i = 0; i < 1000 && /filtering the log/.test(screen()); i++) run();
		expect(screen()).not.toMatch(/filtering the log/);
		const visible = c.dbg.visibleEvents();
		const matches = new Debugger(l.scenario, l.config, []);
		matches.goto(at - 1);
		let n = 0;
		for (const e of matches.events(0, visible)) if (e.type === 'fault') n++;
		expect(n).toBeGreaterThan(1000);
		expect(screen()).toContain(`${n}/${visible} match /type:fault`);
	});
});
