// The stop explains itself, in a real terminal (SPEC §7): at the cow stop of
// fork-cow.scn, with no key pressed but `c`, the faulting PTE, the old and
// the new frame with their counts before → after, and the fault with the
// kernel's decision are all on the screen, at 80×24, 120×40 and 160×50.
// Under NO_COLOR the focused pane's title is the marked one.

import {afterAll, describe, expect, it} from 'vitest';
import {hasTmux, Tmux} from './tmux.js';

const sessions: Tmux[] = [];
afterAll(() => {
	for (const t of sessions) t.kill();
});

describe.skipIf(!hasTmux)('the cow stop explains itself in tmux', () => {
	for (const [width, height] of [
		[80, 24],
		[120, 40], // where the copy was below the visible rows of Frames (issue 12, item 9)
		[160, 50],
	] as const) {
		it(`${width}×${height}: c, then the PTE, both frames and the decision are visible`, async () => {
			const t = new Tmux(`follow${width}`);
			sessions.push(t);
			t.open(width, height, 'node dist/cli.js scenarios/fork-cow.scn; sleep 120');
			await t.waitFor(/tick 0\b.*paused/);
			t.send('c');
			const lines = await t.settle((ls) => /hit #1 cow at tick 14/.test(ls[0] ?? '') && ls.some((l) => l.includes('↳')));
			const s = lines.join('\n');
			expect(s).toMatch(/2 Memory\s+pid 2/);
			expect(s).toMatch(/▶0x600000 (-> )?18 W ?D ?A/); // the faulting PTE, now on the copy
			expect(s).toMatch(/▶\s+18 anon\s+0→1\s+0→1\s+pid 2/); // the new frame
			expect(s).toMatch(/▶\s+9 anon\s+2→1\s+2→1\s+pid 1/); // the old one
			expect(s).toMatch(/▶\s*14 pid 2 fault cow-copy write 0x600000/);
			expect(s).toMatch(/↳ page_mapcount\(pfn 9\) = 2: cannot reuse, copy/);
			expect(lines).toHaveLength(height);
			for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
			t.send('q');
		}, 60_000);
	}

	it('NO_COLOR: the focused pane’s title is the one in inverse video', async () => {
		const t = new Tmux('nocolor');
		sessions.push(t);
		t.open(80, 24, 'NO_COLOR=1 node dist/cli.js scenarios/fork-cow.scn; sleep 120');
		await t.waitFor(/tick 0\b.*paused/);
		t.send('2'); // focus Memory
		const withEscapes = async (): Promise<string> => {
			const end = Date.now() + 15_000;
			let s = '';
			while (Date.now() < end) {
				s = t.run('capture-pane', '-e', '-p', '-t', t.session);
				if (/\u001B\[[0-9;]*7m 2 Memory /.test(s)) return s;
				await new Promise((r) => setTimeout(r, 50));
			}
			return s;
		};
		const s = await withEscapes();
		/** The SGR parameters in force where `title` starts. */
		const before = (title: string): string => {
			const at = s.indexOf(title);
			const sgr = [...s.slice(0, at).matchAll(/\u001B\[([0-9;]*)m/g)].at(-1);
			return sgr?.[1] ?? '';
		};
		expect(before(' 2 Memory ').split(';')).toContain('7');
		for (const other of [' 1 Processes ', ' 3 Frames ', ' 4 Log ', ' 5 Program ']) expect(before(other).split(';'), other).not.toContain('7');
		expect(s).not.toMatch(/\u001B\[[0-9;]*(3[0-7]|4[0-7]|9[0-7])m/); // no colour at all
		t.send('q');
	}, 60_000);
});
