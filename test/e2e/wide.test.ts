// Wide text in a real terminal: a scenario whose title, prints and log lines
// are Japanese and emoji, at 100×30 in tmux. No row may be wider than the
// terminal (the terminal would wrap it and push the layout down), and every
// cut is marked with …. dist/ is built by test/global-setup.ts.

import stringWidth from 'string-width';
import {afterAll, describe, expect, it} from 'vitest';
import {hasTmux, Tmux} from './tmux.js';

const t = new Tmux('wide');
const {session} = t;
const tmux = t.run.bind(t);
const settle = t.settle.bind(t);

/** The whole screen in place: status on the first row, the key bar on the last, nothing wrapped. */
function laidOut(lines: string[], tick: RegExp): boolean {
	return lines.length === 30 && tick.test(lines[0]!) && /\?\s+help|s\s+step|q\s+quit/.test(lines.at(-1)!);
}

function expectFits(lines: string[]): void {
	for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(100);
	const borderCols = (line: string): number[] => {
		const cols: number[] = [];
		let col = 0;
		for (const ch of line) {
			if (ch === '│') cols.push(col);
			col += stringWidth(ch);
		}
		return cols;
	};
	// each band of panes keeps its border in one column: the border columns change
	// once, from the top band to the bottom one; a row that ran past its pane would
	// make a run of its own
	const runs: string[] = [];
	for (const line of lines) {
		const cols = borderCols(line).join(',');
		if (cols !== '' && runs.at(-1) !== cols) runs.push(cols);
	}
	const bands = runs.length;
	expect(bands, lines.join('\n')).toBeLessThanOrEqual(2);
	expect(bands).toBeGreaterThan(0);
}

afterAll(() => {
	if (hasTmux) t.kill();
});

describe.skipIf(!hasTmux)('wide text in tmux (100×30)', () => {
	it('no line is wider than the terminal, and cut text ends in …', async () => {
		t.open(100, 30, `node dist/cli.js test/fixtures/tui/wide.scn; echo "EXIT=$?"; sleep 120`);
		let lines = await settle((ls) => laidOut(ls, /tick 0\b/));
		expectFits(lines);
		tmux('send-keys', '-t', session, 's', 's', 's', 's');
		lines = await settle((ls) => laidOut(ls, /tick 4\b/));
		expectFits(lines);
		expect(lines.join('\n')).toContain('…');
		expect(lines.join('\n')).toContain('子プロセス'); // the child's program: at tick 4 its fault is the stop's event, so it is selected
		tmux('send-keys', '-t', session, 'c');
		lines = await settle((ls) => laidOut(ls, /ended|exited/));
		expectFits(lines);
		tmux('send-keys', '-t', session, 'q');
		await settle((ls) => ls.some((l) => l.includes('EXIT=0')));
	}, 60_000);
});
