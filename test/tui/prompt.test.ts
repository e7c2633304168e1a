// The prompts never cut what was typed into something else, and a replay at
// the slowest speed waits in timer-sized parts instead of overflowing.

import {describe, expect, it} from 'vitest';
import {loadScenario} from '../../source/debugger/load.js';
import {MIN_REPLAY_SPEED} from '../../source/debugger/actions.js';
import {MAX_SPEC_LENGTH, parseBreakpoint} from '../../source/debugger/breakpoints.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {Controller} from '../../source/tui/controller.js';
import {MAX_PROMPT_TEXT} from '../../source/tui/state.js';

function controller(options: ConstructorParameters<typeof Controller>[1] = {}): Controller {
	const l = loadScenario('test/fixtures/tui/cow.scn');
	const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints), options);
	c.setSize(80, 24);
	return c;
}

describe('the breakpoint prompt', () => {
	it('takes a spec longer than 200 characters whole, never cut into another valid one', () => {
		const c = controller();
		// Every prefix of 12+ characters is itself a valid spec, for another region.
		const long = 'cow:region=' + 'a'.repeat(289);
		c.key({input: 'b'});
		for (const ch of long) c.key({input: ch});
		c.key({input: '', name: 'return'});
		expect(c.dbg.breakpoints.map((b) => b.breakpoint.spec)).toEqual([long]);
	});

	it('refuses a spec over the limit in every form, so a recorded one always replays', () => {
		const r = parseBreakpoint('cow:' + 'pid=1,'.repeat(200) + 'pid=1');
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.message).toMatch(new RegExp(`at most ${MAX_SPEC_LENGTH} characters`));
	});

	it('past the most it holds, the prompt refuses to accept until cleared', () => {
		const c = controller();
		c.key({input: 'b'});
		const spec = 'cow';
		for (const ch of spec) c.key({input: ch});
		for (let i = 0; i < MAX_PROMPT_TEXT; i++) c.key({input: ' '});
		c.key({input: '', name: 'return'});
		expect(c.dbg.breakpoints).toEqual([]);
		expect(JSON.stringify(c.view())).toContain(`at most ${MAX_PROMPT_TEXT} characters`);
		// Erasing does not make the cut text acceptable; Ctrl-U clears it.
		c.key({input: '', name: 'backspace'});
		c.key({input: '', name: 'return'});
		expect(c.dbg.breakpoints).toEqual([]);
		c.key({input: 'u', ctrl: true});
		for (const ch of spec) c.key({input: ch});
		c.key({input: '', name: 'return'});
		expect(c.dbg.breakpoints.map((b) => b.breakpoint.spec)).toEqual(['cow']);
	});
});

describe('replay timers', () => {
	it('a wait longer than a timer holds is split into parts, none over 2^31-1 ms', () => {
		const waits: number[] = [];
		let pending: (() => void) | null = null;
		let clock = 0;
		const c = controller({
			replay: {script: {actions: [{at: 10_000_000, action: {a: 'step', n: 1}}]}, speed: MIN_REPLAY_SPEED},
			now: () => clock,
			setTimeout: (fn, ms) => {
				waits.push(ms);
				pending = fn;
				return waits.length;
			},
			clearTimeout: () => {},
		});
		c.startReplay();
		// 10,000 s at 0.001: 10^10 ms, five parts of at most 2^31-1 ms.
		while (pending !== null && c.dbg.tick === 0) {
			const fn: () => void = pending;
			pending = null;
			clock += waits.at(-1)!;
			fn();
		}
		expect(c.dbg.tick).toBe(1);
		expect(waits.length).toBe(Math.ceil(1e10 / (2 ** 31 - 1)));
		for (const w of waits) expect(w).toBeLessThanOrEqual(2 ** 31 - 1);
	});
});
