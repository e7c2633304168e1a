// What a stop is about (SPEC §7, "the stop explains itself"): the event, the
// page and frames it touched, their counts before it, and the kernel's
// decision for it.

import {describe, expect, it} from 'vitest';
import {loadScenario} from '../../source/debugger/load.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {stopFocus} from '../../source/debugger/focus.js';
import {describeEvent} from '../../source/debugger/format.js';

function debuggerOf(file: string, breaks: string[] = []): Debugger {
	const l = loadScenario(file, [], breaks);
	return new Debugger(l.scenario, l.config, l.breakpoints);
}

describe('stopFocus', () => {
	it('at the cow stop of fork-cow: the child, the faulting page, the old and new frames with their counts before, the decision', () => {
		const dbg = debuggerOf('scenarios/fork-cow.scn');
		const stop = dbg.continue();
		expect(stop?.reason).toBe('break');
		const f = stopFocus(dbg)!;
		expect(f.tick).toBe(dbg.tick);
		expect(f.eventIndex).toBe(stop!.hit!.eventIndex);
		expect(describeEvent(dbg.event(f.eventIndex!))).toMatch(/fault cow-copy write 0x600000/);
		expect(f.pid).toBe(2);
		expect(f.vpn).toBe(0x600000 / 4096);
		expect(f.pfns.slice(0, 2)).toEqual([18, 9]); // the new frame, then the one it was copied from
		expect([f.before.refcount[9], f.before.mapcount[9]]).toEqual([2, 2]);
		expect([dbg.kernel.frames.refcount[9], dbg.kernel.frames.mapcount[9]]).toEqual([1, 1]);
		expect([f.before.refcount[18], f.before.mapcount[18]]).toEqual([0, 0]);
		expect(f.note).toBe('page_mapcount(pfn 9) = 2: cannot reuse, copy');
	});

	it('after a plain step: the most telling event of the tick (the fork, not the scheduler), with copy_process as its decision', () => {
		const dbg = debuggerOf('scenarios/fork-cow.scn', []);
		dbg.breakpoints.length = 0;
		dbg.goto(5);
		const f = stopFocus(dbg)!;
		expect(describeEvent(dbg.event(f.eventIndex!))).toMatch(/fork\(\) = 2/);
		expect(f.pid).toBe(1);
		expect(f.note).toBe('pid 2: a copy of pid 1 on mm 2; it will return 0 from fork');
		// the heap frames it shared: ref 1→2
		expect(f.pfns).toContain(9);
		expect(f.before.refcount[9]).toBe(1);
		expect(dbg.kernel.frames.refcount[9]).toBe(2);
	});

	it('leaves the debugger where it was, and is null at tick 0', () => {
		const dbg = debuggerOf('scenarios/fork-cow.scn');
		expect(stopFocus(dbg)).toBeNull();
		dbg.continue();
		const tick = dbg.tick;
		const events = dbg.visibleEvents();
		stopFocus(dbg);
		expect([dbg.tick, dbg.visibleEvents()]).toEqual([tick, events]);
	});

	it('inside a tick: the kernel step, its page and frame', () => {
		const dbg = debuggerOf('scenarios/fork-cow.scn', ['func=copy_one_pte']);
		dbg.breakpoints = dbg.breakpoints.filter((b) => b.breakpoint.spec.startsWith('func='));
		const stop = dbg.continue();
		expect(stop?.reason).toBe('break');
		expect(dbg.inside).not.toBeNull();
		const f = stopFocus(dbg)!;
		expect(f.eventIndex).toBeNull();
		expect(f.vpn).toBe(0x600000 / 4096);
		expect(f.pfns[0]).toBe(9);
	});
});
