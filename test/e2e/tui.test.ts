// The real binary in a real terminal: tmux at 80×24. Open, step, continue to
// the cow breakpoint, help, quit; the terminal is given back (alternate
// screen left, cursor shown). dist/ is built by test/global-setup.ts.

import {afterAll, describe, expect, it} from 'vitest';
import {hasTmux, Tmux} from './tmux.js';

const t = new Tmux('e2e');
const {session} = t;
const tmux = t.run.bind(t);
const flag = t.flag.bind(t);
const waitFor = t.waitFor.bind(t);
const settle = t.settle.bind(t);
const send = t.send.bind(t);

afterAll(() => {
	if (hasTmux) t.kill();
});

describe.skipIf(!hasTmux)('cowdbg in tmux (80×24)', () => {
	it('opens, steps, continues to cow, shows help, quits and restores the terminal', async () => {
		t.open(80, 24, `node dist/cli.js scenarios/fork-cow.scn; echo "EXIT=$?"; sleep 120`);
		let s = await waitFor(/tick 0\b.*paused/);
		expect(flag('alternate_on')).toBe('1');
		expect(s).toMatch(/1 Processes/);
		for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

		send('s');
		s = await waitFor(/tick 1\b/);

		send('c');
		await waitFor(/hit #\d+ cow at tick \d+/);
		// the status line may be drawn before the Log pane on a loaded machine: wait for both
		s = await waitFor(/▶\s*\d+ pid \d+ fault cow-/);
		expect(s).toMatch(/hit #\d+ cow at tick \d+/);
		for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

		send('?');
		s = await waitFor(/Keys .*Esc closes/);
		expect(s).toMatch(/step one tick/);
		send('Escape');
		await waitFor(/1 Processes/);

		// follows resizes: larger, below 80×24 (a message instead of the panes), then back;
		// the key bar stays on the last row
		tmux('resize-window', '-t', session, '-x', '100', '-y', '30');
		let lines = await settle((ls) => ls.length === 30 && /\?\s+help|s\s+step/.test(ls.at(-1)!));
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
		tmux('resize-window', '-t', session, '-x', '70', '-y', '20');
		s = await waitFor(/needs a terminal of at least/);
		expect(s).toMatch(/80×24; this one is 70×20/);
		// keys do nothing behind the message: the run has not moved when the panes come back
		const tickBefore = /tick (\d+)/.exec(lines.join('\n'))![1];
		send('7', 's', 'r', 'c');
		tmux('resize-window', '-t', session, '-x', '80', '-y', '24');
		lines = await settle((ls) => ls.length === 24 && /\?\s+help|s\s+step/.test(ls.at(-1)!));
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
		expect(lines[0]).toContain(`tick ${tickBefore} `);
		expect(lines.at(-1)).not.toContain('count');
		// a pane digit is never eaten by a count: 3 focuses Frames, s steps one tick; 6 1 is a count, shown
		send('3', 's');
		s = await waitFor(new RegExp(`tick ${Number(tickBefore) + 1}\\b`));
		expect(s).toMatch(/3 Frames/);
		send('6', '1');
		s = await waitFor(/count 61/);
		send('Escape');

		send('q');
		s = await waitFor(/EXIT=0/);
		expect(flag('alternate_on')).toBe('0');
		expect(flag('cursor_flag')).toBe('1');
		expect(s).not.toMatch(/1 Processes/);
	}, 60_000);
});
