// Smaller points of the TUI a new user hit (issue 12, item 8): the Log's
// horizontal scroll stops at its longest line, a go-to says where it went
// (and why, when the run ended first), the filter prompt pre-fills the old
// filter with a blank after it and shows the way out of a mistake, and
// without colours the focused pane's title is the marked one.

import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadScenario} from '../../source/debugger/load.js';
import {Controller} from '../../source/tui/controller.js';
import type {KeyEvent} from '../../source/tui/keys.js';
import {titleLine} from '../../source/tui/render/title.js';
import {frameLines} from '../../source/tui/render/frame.js';

const COW = 'test/fixtures/tui/cow.scn';
const strip = (s: string): string => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

function open(file = COW, width = 80, height = 24): Controller {
	const l = loadScenario(file, [], []);
	const c = new Controller(new Debugger(l.scenario, l.config, []));
	c.setSize(width, height);
	return c;
}

const screen = (c: Controller): string[] => frameLines(c.view()).map(strip);
const type = (c: Controller, text: string): void => {
	for (const ch of text) c.key({input: ch});
};
const enter: KeyEvent = {input: '', name: 'return'};

describe('the Log scrolls right only as far as its longest line', () => {
	it('l stops where the longest line shown ends at the pane’s edge; h comes back', () => {
		const c = open();
		c.perform({a: 'goto', tick: 5}, 'replay'); // the child's cow-copy: a long call path
		c.key({input: '4'});
		for (let i = 0; i < 40; i++) c.key({input: 'l'});
		const max = c.ui.logLeft;
		expect(max).toBeGreaterThan(0);
		c.key({input: 'l'});
		expect(c.ui.logLeft).toBe(max); // no further
		const rows = screen(c);
		// the longest line (a file fault's call path) ends exactly at the edge, and no row runs past it
		expect(rows.some((r) => r.length === 80 && r.endsWith('filemap_fault]'))).toBe(true);
		for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
		c.key({input: 'h'});
		expect(c.ui.logLeft).toBe(Math.max(0, max - 20));
	});
});

describe('go to a tick says where it went', () => {
	it('past the end of the run: the tick it stopped at, and that the run ended', () => {
		const c = open();
		c.key({input: 'g'});
		type(c, '9999');
		c.key(enter);
		const end = c.dbg.tick;
		expect(end).toBeLessThan(9999);
		expect(c.ui.notice).toBe(`went to tick ${end}: the run ended (exited)`);
		expect(screen(c)[0]).toContain(`went to tick ${end}`);
	});

	it('the status line names the tick', () => {
		const c = open();
		c.key({input: 'g'});
		type(c, '3');
		c.key(enter);
		expect(c.dbg.tick).toBe(3);
		expect(screen(c)[0]).toMatch(/went to tick 3\b/);
		expect(c.ui.notice).toBeNull();
	});
});

describe('the filter prompt', () => {
	it('opens with the filter in force and a blank after it: what is typed adds a term', () => {
		const c = open();
		c.perform({a: 'goto', tick: 6}, 'replay');
		c.key({input: '/'});
		type(c, 'fault');
		c.key(enter);
		expect(c.ui.filter).toBe('fault');
		c.key({input: '/'});
		expect(c.ui.prompt?.text).toBe('fault ');
		type(c, 'pid:2');
		c.key(enter);
		expect(c.ui.filter).toBe('fault pid:2');
		expect(c.ui.prompt).toBeNull();
	});

	it('a mistake keeps the prompt with the caret, says how to get out, and Esc gets out', () => {
		const c = open();
		c.key({input: '/'});
		type(c, 'type:bogus');
		c.key(enter);
		expect(c.ui.prompt?.error?.message).toMatch(/unknown event type 'bogus'/);
		const rows = screen(c);
		expect(rows.at(-3)).toMatch(/^filter log \/type:bogus +fix it, or Esc cancels · \^U clears/);
		expect(rows.at(-2)).toMatch(/^\s+\^$/);
		c.key({input: '', name: 'escape'});
		expect(c.ui.prompt).toBeNull();
		expect(c.ui.filter).toBe('');
		expect(screen(c).at(-1)).toMatch(/s\s+step/); // the key bar is back
	});
});

describe('without colours (NO_COLOR)', () => {
	const sgr = (line: ReturnType<typeof titleLine>): boolean[] => line.map((s) => s.inverse === true);
	it('the focused pane’s title is the one in inverse video, the others are not', () => {
		const focused = titleLine('memory', true, 'pid 1', 40, undefined, false);
		const other = titleLine('frames', false, '19/64 used', 40, undefined, false);
		expect(sgr(focused).every(Boolean)).toBe(true);
		expect(sgr(other).some(Boolean)).toBe(false);
		expect(other.every((s) => s.underline === true)).toBe(true);
	});

	it('with colours the focused one has the accent colour and the others inverse video, as before', () => {
		expect(titleLine('memory', true, 'x', 40, undefined, true)[0]).toMatchObject({bg: 'cyan', color: 'black'});
		expect(titleLine('frames', false, 'x', 40, undefined, true)[0]).toMatchObject({inverse: true});
	});
});
