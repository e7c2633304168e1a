// The stop explains itself (SPEC §7): after a stop, Memory shows the PTE the
// stopping event touched, Frames the frames it changed with their counts
// before → after, Log the event with the kernel's decision; with no key
// pressed. Painted by the production painter into a terminal emulator.

import {afterEach, describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {Controller} from '../../source/tui/controller.js';
import {TestTerminal} from './terminal.js';

let terminal: TestTerminal | null = null;
afterEach(() => {
	terminal?.dispose();
	terminal = null;
});

function open(file: string, width: number, height: number, breaks: string[] = []): {c: Controller; screen: () => string} {
	const l = loadScenario(file, [], breaks);
	const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints));
	c.setSize(width, height);
	const t = new TestTerminal(width, height);
	terminal = t;
	return {
		c,
		screen: () => {
			t.paint(c.view());
			return t.text();
		},
	};
}

/** The part of each row that lies in the columns [from, to). */
const columns = (screen: string, from: number, to: number): string[] => screen.split('\n').map((row) => row.slice(from, to));

describe('the stop explains itself', () => {
	for (const [width, height] of [
		[80, 24],
		[120, 40], // where the copy was below the visible rows of Frames (issue 12, item 9)
		[160, 50],
	] as const) {
		it(`at ${width}×${height}, at the cow stop of fork-cow: the faulting PTE, both frames with before → after, the event and its decision`, () => {
			const {c, screen} = open('scenarios/fork-cow.scn', width, height);
			c.perform({a: 'continue'}, 'replay');
			const s = screen();
			expect(s.split('\n')[0]).toMatch(/hit #1 cow at tick 14/);
			// Memory: the child's page table, the faulting PTE marked, now on the copy
			expect(s).toMatch(/2 Memory\s+pid 2/);
			expect(s).toMatch(/▶0x600000 (-> )?18 W ?D ?A/);
			// Frames: the new frame and the old one, each with its counts before → after the fault
			expect(s).toMatch(/▶\s+18 anon\s+0→1\s+0→1\s+pid 2/);
			expect(s).toMatch(/▶\s+9 anon\s+2→1\s+2→1\s+pid 1/);
			// Log: the event, and under it why do_wp_page copied
			expect(s).toMatch(/▶\s*14 pid 2 fault cow-copy write 0x600000/);
			expect(s).toMatch(/↳ page_mapcount\(pfn 9\) = 2: cannot reuse, copy/);
			for (const row of s.split('\n')) expect(row.length).toBeLessThanOrEqual(width);
		});
	}

	it('a plain step selects the process of the tick’s event and follows it; the user’s scrolling holds until the next stop', () => {
		const {c, screen} = open('scenarios/fork-cow.scn', 80, 24);
		c.dbg.breakpoints.length = 0;
		c.perform({a: 'goto', tick: 13}, 'replay');
		c.perform({a: 'step', n: 1}, 'replay');
		let s = screen();
		expect(c.ui.selectedPid).toBe(2);
		expect(s).toMatch(/▶\s+18 anon\s+0→1/);
		// Frames focused, scrolled to its top: the pinned rows go, the list starts at pfn 0
		c.key({input: '3'});
		c.key({input: '<'});
		s = screen();
		const frames = columns(s, 40, 80).join('\n');
		expect(frames).not.toMatch(/▶\s+18 anon/);
		expect(frames).toMatch(/^\s+0 zero/m);
		// and Memory scrolled to its top shows the VMAs again, the PTE row still marked when in view
		c.key({input: '2'});
		c.key({input: '<'});
		expect(screen()).toMatch(/3 VMAs rss 3/);
		// the next stop follows again
		c.perform({a: 'reverse-step', n: 1}, 'replay');
		c.perform({a: 'step', n: 1}, 'replay');
		s = screen();
		expect(s).toMatch(/▶\s+18 anon\s+0→1/);
		expect(s).toMatch(/▶0x600000/);
	});

	it('a func= stop inside a tick follows the kernel step: copy_one_pte’s page and frame', () => {
		const {c, screen} = open('scenarios/fork-cow.scn', 80, 24, ['func=copy_one_pte']);
		c.dbg.removeBreakpoint(1); // the scenario's cow
		c.perform({a: 'continue'}, 'replay');
		expect(c.dbg.inside).not.toBeNull();
		const s = screen();
		expect(s).toMatch(/▶\s+9 anon\s+1\s+1\s+pid 1/);
		expect(s).toMatch(/2 Memory\s+pid 1/);
	});
});
