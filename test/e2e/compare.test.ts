// The compare view and the registers and words view in the real binary, in
// tmux at 80×24 and 160×50: stop at `cow` in fork-cow.scn, open the compare
// view (C) and read parent and child row by row: the page both still map (one
// frame, =), the page the child's write copied (two frames), and their
// different words; then the registers and words view (x). dist/ is built by
// test/global-setup.ts.

import {afterAll, describe, expect, it} from 'vitest';
import {hasTmux, Tmux} from './tmux.js';

const servers: Tmux[] = [];
afterAll(() => {
	if (hasTmux) for (const t of servers) t.kill();
});

const row = (screen: string, name: string): string => screen.split('\n').find((l) => l.includes(` ${name} `)) ?? '';

describe.skipIf(!hasTmux)('compare and registers views in tmux', () => {
	it("at 80×24, inside the fork: the child's mm beside the parent, copy_one_pte filling it PTE by PTE", async () => {
		const t = new Tmux('compare-inside');
		servers.push(t);
		t.open(80, 24, `node dist/cli.js scenarios/fork-cow.scn; echo "EXIT=$?"; sleep 120`);
		await t.waitFor(/tick 0\b.*paused/);
		t.send('b', 'func=copy_one_pte', 'Enter');
		await t.waitFor(/breakpoint #\d+ set: func=copy_one_pte/);
		t.send('c');
		await t.waitFor(/kstep \d+\/\d+ in copy_one_pte/);
		t.send('C');
		let s = await t.waitFor(/Compare\s+pid 1 init \* beside mm 2 \(dup_mmap fills it\)/);
		s = await t.waitFor(/kstep \d+ · enter copy_one_pte\(addr=0x600000/);
		expect(row(s, 'heap[0]')).toMatch(/^▶ 0x600000\s+heap\[0\]\s+(\d+) WDA\s+1\/1\s+\+0=1\s+\|\s+\(no PTE\)$/);
		// kernel step by kernel step (e), until set_pte_at puts the child's PTE beside the parent's
		for (let i = 0; i < 12 && !s.includes("set_pte_at: the child's pte 0x600000"); i++) {
			const seq = Number(/kstep (\d+)\//.exec(s)![1]);
			t.send('e');
			s = await t.waitFor(new RegExp(`kstep ${seq + 1}/`));
			s = await t.waitFor(new RegExp(`kstep ${seq + 1} · `));
		}
		for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		expect(row(s, 'heap[0]')).toMatch(/^▶ 0x600000\s+heap\[0\]\s+(\d+) -DA COW 2\/2\s+\+0=1\s+=\s+\1 -D- COW 2\/2\s+\+0=1$/);
		expect(row(s, 'heap[1]')).toMatch(/\|\s+\(no PTE\)$/);
		t.send('q');
		await t.waitFor(/1 Processes/);
		t.send('q');
		await t.waitFor(/EXIT=0/);
	}, 60_000);

	for (const [width, height] of [
		[80, 24],
		[160, 50],
	] as const) {
		it(`at ${width}×${height}: parent and child side by side at the cow stop`, async () => {
			const t = new Tmux(`compare${width}`);
			servers.push(t);
			t.open(width, height, `node dist/cli.js scenarios/fork-cow.scn; echo "EXIT=$?"; sleep 120`);
			await t.waitFor(/tick 0\b.*paused/);
			t.send('c');
			await t.waitFor(/hit #\d+ cow at tick \d+/);

			t.send('C');
			let s = await t.waitFor(/Compare\s+pid 1 init beside pid 2 init \*/);
			s = await t.waitFor(/heap\[1\]/);
			for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
			expect(s).toMatch(/pid 1 init\s+\| pid 2 init \*/);
			// heap[1]: one frame, mapped read-only by both, refcount and mapcount 2
			const shared = /^ {2}0x601000\s+heap\[1\]\s+(\d+) (?:anon\s+)?-D[-A] COW (?:2\/2|ref 2 map 2)\s+\+0=10\s+=\s+(\d+) /.exec(row(s, 'heap[1]'));
			expect(shared, row(s, 'heap[1]')).not.toBeNull();
			expect(shared![1]).toBe(shared![2]);
			// heap[0], the page of the fault (▶): the parent's frame, still read-only, holds 1; the child's new writable copy holds 2
			const copied =
				/^▶ 0x600000\s+heap\[0\]\s+(\d+) (?:anon\s+)?-DA COW (?:1\/1|ref 1 map 1)\s+\+0=1\s+\|\s+(\d+) (?:anon\s+)?WDA\s+(?:1\/1|ref 1 map 1)\s+\+0=2$/.exec(
					row(s, 'heap[0]'),
				);
			expect(copied, row(s, 'heap[0]')).not.toBeNull();
			expect(copied![1]).not.toBe(copied![2]);
			// under the table: the event, do_wp_page's decision, the two frames' counts before → after
			expect(s).toContain(`▶ pid 2 fault cow-copy write 0x600000 (heap) → pfn ${copied![2]} from pfn ${copied![1]}`);
			expect(s).toContain(`page_mapcount(pfn ${copied![1]}) = 2: cannot reuse, copy`);
			expect(s).toContain(`pfn ${copied![2]} anon ref 0→1 map 0→1 · pfn ${copied![1]} anon ref 2→1 map 2→1`);

			t.send('x');
			s = await t.waitFor(/Registers and words\s+pid 2 init beside pid 1 init/);
			s = await t.waitFor(/heap\[1\]\s+0x601000/);
			for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
			expect(s).toMatch(/^ret\s+0\s+2\b/m);
			expect(s).toMatch(/^heap\[0\]\s+0x600000\s+2\s+1\s+differs$/m);
			expect(s).toMatch(/^heap\[1\]\s+0x601000\s+10\s+10$/m);

			t.send('Escape');
			await t.waitFor(/1 Processes/);
			t.send('q');
			await t.waitFor(/EXIT=0/);
		}, 60_000);
	}
});
