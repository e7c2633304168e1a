// Every row of every pane can be reached (issue 12, item 9): on a scenario
// with more rows than any pane shows, End/>, PgDn from the top and j from
// the top each bring the last row of Processes, Memory, Frames, Log,
// Program, the help and the breakpoint list onto the screen, at 80×24 and
// at 120×40.

import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {describeEvent} from '../../source/debugger/format.js';
import {loadScenario} from '../../source/debugger/load.js';
import {frameWindow, liveTasks, mmOf, pteCount, pteWindow, taskOf, usedFrameCount} from '../../source/debugger/views.js';
import {Controller} from '../../source/tui/controller.js';
import type {KeyEvent} from '../../source/tui/keys.js';
import {frameLines} from '../../source/tui/render/frame.js';
import {helpLines} from '../../source/tui/render/help.js';

const ROWS = 'test/fixtures/tui/rows.scn';
const strip = (s: string): string => s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');

/** At tick 240 init has forked its 20 children; breakpoints fill the list. */
function open(width: number, height: number): Controller {
	const l = loadScenario(ROWS, [], []);
	const c = new Controller(new Debugger(l.scenario, l.config, []));
	c.setSize(width, height);
	c.perform({a: 'goto', tick: 240}, 'replay');
	for (let i = 0; i < 40; i++) c.dbg.addBreakpoint(`tick=${2000 + i}`);
	return c;
}

const screen = (c: Controller): string => frameLines(c.view()).map(strip).join('\n');
const key = (c: Controller, k: KeyEvent): void => c.key(k);
/** Press `k` until the position stops changing (at most `limit` times): as far as it goes. */
const pressOn = (c: Controller, k: KeyEvent, limit = 2000): void => {
	const where = (): string => JSON.stringify([c.ui.scroll, c.ui.procCursor, c.ui.helpScroll, c.ui.bpCursor]);
	for (let i = 0; i < limit; i++) {
		const before = where();
		c.key(k);
		if (where() === before) return;
	}
	throw new Error(`still moving after ${limit} presses`);
};
const ch = (input: string): KeyEvent => ({input});
const END = ch('>');
const HOME = ch('<');
const PGDN: KeyEvent = {input: '', name: 'pagedown'};
const DOWN = ch('j');

/** What the last row of each pane looks like on the screen. */
function lastRows(c: Controller, width: number): Record<string, RegExp> {
	const k = c.dbg.kernel;
	const init = taskOf(k, 1)!;
	const mm = mmOf(k, init)!;
	const lastPte = pteWindow(k, mm, pteCount(k, mm) - 1, 1)[0]!;
	const lastFrame = frameWindow(k, usedFrameCount(k) - 1, 1)[0]!;
	const lastPid = liveTasks(k).at(-1)!.pid;
	const events = c.dbg.visibleEvents();
	const newest = c.dbg.event(events - 1);
	const code = c.dbg.scenario.programs.find((p) => p.name === init.program)!.code;
	const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return {
		processes: new RegExp(`^[* ][> ]\\s+${lastPid} `, 'm'),
		memory: new RegExp(`${lastPte.va.toString(16)} (-> )?\\s*${lastPte.pfn} `),
		frames: new RegExp(`│[▶* ]\\s+${lastFrame.pfn} ${lastFrame.kind}`),
		log: new RegExp(`${newest.tick} ${esc(describeEvent(newest).slice(0, 12))}`),
		program: new RegExp(`[▶ ]\\s*${code.length - 1}\\s+${esc(code.at(-1)!.text)}`),
		help: new RegExp(
			esc(
				strip(
					helpLines(width)
						.at(-1)!
						.map((s) => s.text)
						.join(''),
				)
					.trim()
					.slice(0, 30),
			),
		),
		breakpoints: /tick=2039/,
	};
}

/** End, then PgDn from the top, then j from the top: each shows the row `last` matches. */
function reachesLast(c: Controller, last: RegExp): void {
	key(c, END);
	expect(screen(c)).toMatch(last);
	key(c, HOME);
	pressOn(c, PGDN);
	expect(screen(c)).toMatch(last);
	key(c, HOME);
	pressOn(c, DOWN);
	expect(screen(c)).toMatch(last);
}

describe('every row of every pane is reachable', () => {
	for (const [width, height] of [
		[80, 24],
		[120, 40],
	] as const) {
		describe(`${width}×${height}`, () => {
			const panes = [
				['processes', '1'],
				['memory', '2'],
				['frames', '3'],
				['log', '4'],
				['program', '5'],
			] as const;
			for (const [pane, digit] of panes) {
				it(`${pane}: End, PgDn from the top and j from the top each show its last row`, () => {
					const c = open(width, height);
					const last = lastRows(c, width)[pane]!;
					key(c, ch(digit));
					key(c, HOME);
					expect(screen(c)).not.toMatch(last); // the fixture has more rows than the pane shows
					reachesLast(c, last);
				});
			}

			it('help: End, PgDn and j each show its last row', () => {
				const c = open(width, height);
				const last = lastRows(c, width).help!;
				key(c, ch('?'));
				expect(screen(c)).not.toMatch(last);
				reachesLast(c, last);
			});

			it('the breakpoint list: End, PgDn and j each bring the cursor and the last breakpoint into view', () => {
				const c = open(width, height);
				const last = lastRows(c, width).breakpoints!;
				key(c, ch('B'));
				expect(screen(c)).not.toMatch(last);
				key(c, END);
				expect(screen(c)).toMatch(last);
				expect(screen(c)).toMatch(/▶ #40 /);
				key(c, HOME);
				expect(screen(c)).toMatch(/▶ #1 /);
				pressOn(c, PGDN);
				expect(screen(c)).toMatch(last);
				key(c, HOME);
				pressOn(c, DOWN);
				expect(screen(c)).toMatch(last);
			});
		});
	}
});

describe('Program: a pc past the last instruction', () => {
	it('shows the end row when following and at its bottom, on a program longer than the pane', () => {
		const dir = mkdtempSync(join(tmpdir(), 'cowdbg-rows-'));
		const file = join(dir, 'falls-off.scn');
		const body = Array.from({length: 30}, (_, i) => `  set r0 ${i}`).join('\n');
		writeFileSync(file, `scenario "falls off the end"\nconfig quantum=100\nprogram init\n${body}\nend\n`);
		const l = loadScenario(file, [], []);
		const c = new Controller(new Debugger(l.scenario, l.config, []));
		c.setSize(80, 24);
		c.perform({a: 'goto', tick: 30}, 'replay');
		expect(screen(c)).toMatch(/pc 30\b/);
		expect(screen(c)).toMatch(/▶ \(past the end\)/);
		key(c, ch('5'));
		key(c, HOME);
		expect(screen(c)).not.toMatch(/past the end/);
		key(c, END);
		expect(screen(c)).toMatch(/▶ \(past the end\)/);
	});
});
