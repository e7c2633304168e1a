import {describe, expect, it} from 'vitest';
import type {ActionSink, DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {Controller, type ControllerOptions} from '../../source/tui/controller.js';

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
