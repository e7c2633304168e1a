// Stepping into the kernel in a real terminal: tmux at 80×24 and at 160×50,
// the real binary on fork-cow.scn. Step to the fork, into it, step by step
// until copy_one_pte is entered, walk it PTE by PTE (the call stack on the
// screen, the addr argument moving from one PTE to the next), step out, leave
// the tick, and find the usual key bar again. dist/ is built by
// test/global-setup.ts.

import {afterAll, describe, expect, it} from 'vitest';
import {hasTmux, Tmux} from './tmux.js';

const servers: Tmux[] = [];
afterAll(() => {
	if (hasTmux) for (const t of servers) t.kill();
});

/** The stack path the Kernel view shows at copy_one_pte, cut in the middle as far as the width needs. */
const PATH = /in do_fork › copy_process › …( › \w+)* › copy_one_pte\b/;
const NORMAL_BAR = /s\s+step.*c\s+continue/;
const KERNEL_BAR = /e\s+into\s+o\s+over\s+f\s+out\s+E\s+back\s+L\s+leave/;

const status = (screen: string): string => screen.split('\n')[0]!;
const kstep = (screen: string): number | null => {
	const m = /kstep (\d+)\/\d+/.exec(status(screen));
	return m === null ? null : Number(m[1]);
};

describe.skipIf(!hasTmux).each([
	[80, 24],
	[160, 50],
])('the Kernel view in tmux (%i×%i)', (width, height) => {
	it('steps into the fork, walks copy_one_pte PTE by PTE, steps out and leaves the tick', async () => {
		const t = new Tmux(`kernel-${width}`);
		servers.push(t);
		t.open(width, height, 'node dist/cli.js scenarios/fork-cow.scn; echo "EXIT=$?"; sleep 120');
		/** The screen once every pattern is on it (a frame may be caught half painted on a loaded machine). */
		const all = async (...what: RegExp[]): Promise<string> => (await t.settle((rows) => what.every((re) => re.test(rows.join('\n'))))).join('\n');
		const fits = (s: string): void => {
			const rows = s.split('\n');
			for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(width);
		};
		await t.waitFor(/tick 0\b.*paused/);

		// to the fork: tick 4 is the print before it
		t.send('s', 's', 's', 's');
		await t.waitFor(/tick 4\b.*paused/);
		let s = t.screen();
		expect(s).toMatch(NORMAL_BAR);
		expect(s).not.toMatch(/ 4 Kernel /);

		// into the fork tick, at its first kernel step
		t.send('e');
		s = await all(/tick 5\b.*kstep 0\/\d+ in do_fork/, KERNEL_BAR, / 4 Kernel /, /#0 do_fork\(pid=1, clone_flags=SIGCHLD\)/);

		// step by step until copy_one_pte is entered
		for (let n = 0; !/in copy_one_pte/.test(status(s)); n++) {
			expect(n, 'copy_one_pte never entered').toBeLessThan(60);
			const at = kstep(s)!;
			t.send('e');
			s = await t.waitFor(new RegExp(`kstep ${at + 1}/`));
		}
		s = await all(
			PATH,
			/#0 copy_one_pte\(addr=0x600000, pfn=9, pte=rw, vma=heap\)/,
			/#1 copy_pte_range\(addr=0x600000, end=0x602000\)/,
			/kstep \d+\/\d+ · enter copy_one_pte\(addr=0x600000/,
		);
		fits(s);

		// its first decision, in full
		t.send('e');
		s = await all(/note in copy_one_pte:/, /pte 0x600000 writable in a COW mapping: write-protect in parent and/);

		// finish this PTE, enter the next: the addr argument moves on by a page
		t.send('f');
		s = await all(/in copy_pte_range/, /return from copy_one_pte/);
		t.send('e');
		s = await all(/#0 copy_one_pte\(addr=0x601000, pfn=10, pte=rw, vma=heap\)/, PATH, /enter copy_one_pte\(addr=0x601000/);
		fits(s);
		expect(s).not.toMatch(/#0 copy_one_pte\(addr=0x600000/);

		// and back one step: the first PTE's return again
		const next = kstep(s)!;
		t.send('E');
		s = await all(new RegExp(`kstep ${next - 1}/\\d+ in copy_pte_range`), /#0 copy_pte_range\(addr=0x600000, end=0x602000\)/);

		// out: over the second copy_one_pte, then out of copy_pte_range into copy_pmd_range
		t.send('o');
		s = await t.waitFor(new RegExp(`kstep ${next + 4}/\\d+ in copy_pte_range`));
		t.send('f');
		s = await all(/kstep \d+\/\d+ in copy_pmd_range/, /return from copy_pte_range/);

		// leave the tick: the Log and the usual key bar are back, at the end of tick 5
		t.send('L');
		const rows = await t.settle((ls) => NORMAL_BAR.test(ls.at(-1)!) && / 4 Log /.test(ls.join('\n')) && !/kstep/.test(ls[0]!));
		expect(rows[0]).toMatch(/tick 5\b/);
		expect(rows[0]).not.toMatch(/kstep/);
		expect(rows.join('\n')).not.toMatch(/ 4 Kernel /);
		fits(rows.join('\n'));

		t.send('q');
		await t.waitFor(/EXIT=0/);
	}, 60_000);
});
