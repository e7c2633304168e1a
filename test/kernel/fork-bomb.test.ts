// A fork bomb ends cleanly (issue 16 item 1, SPEC §1.1, §1.5): every task
// holds THREAD_SIZE of kstack frames (dup_task_struct), and copy_process
// refuses a task past max_threads = frames / (8 × THREAD_SIZE) with -EAGAIN
// (fork_init, "if (nr_threads >= max_threads)"), or -ENOMEM when no stack
// can be allocated. Each task forks until its fork fails, then reaps its
// children and exits; the run ends with init, everything freed.
// The big run (65,536 tasks at frames=1048576) is in npm run test:long.

import {describe, expect, it} from 'vitest';
import type {KernelEvent} from '../../source/kernel/events.js';
import {maxThreads} from '../../source/kernel/fork.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {parse} from '../helpers/run.js';

const LONG = process.env['COWDBG_LONG'] === '1';

const bomb = (config: string) => `
config ${config}
program init
again:
  fork
  if ret == 0 goto again
  if ret < 0 goto full
  goto again
full:
  set r2 ret
reap:
  wait
  if ret > 0 goto reap
  exit 0
end
`;

type Tally = {eagain: number; enomem: number; other: number; peak: number; end: KernelEvent | undefined; ticks: number};

function runBomb(config: string, checkEvery: number): Tally {
	const s = parse(bomb(config));
	const k = boot(s, s.config);
	const t: Tally = {eagain: 0, enomem: 0, other: 0, peak: 0, end: undefined, ticks: 0};
	while (k.ended === null) {
		for (const e of stepTick(k)) {
			if (e.type === 'syscall' && e.name === 'fork' && e.child_return !== true && e.ret < 0) {
				if (e.ret === -11) t.eagain++;
				else if (e.ret === -12) t.enomem++;
				else t.other++;
			}
			if (e.type === 'end') t.end = e;
		}
		if (k.tasks.size > t.peak) t.peak = k.tasks.size;
		if (checkEvery > 0 && k.tick % checkEvery === 0) {
			const broken = checkInvariants(k, {fast: true});
			if (broken.length > 0) throw new Error(`tick ${k.tick}: ${broken.join('; ')}`);
		}
	}
	t.ticks = k.tick;
	expect(checkInvariants(k)).toEqual([]);
	return t;
}

describe('a fork bomb', () => {
	it('2.6.32, frames=1024: max_threads is 64; forks past it fail with -EAGAIN, and the run ends exited with every frame back', () => {
		const s = parse(bomb('frames=1024'));
		expect(maxThreads(boot(s, s.config))).toBe(64);
		const t = runBomb('frames=1024', 1);
		expect(t.peak).toBe(64);
		expect(t.eagain).toBeGreaterThan(0);
		expect([t.enomem, t.other]).toEqual([0, 0]);
		// only the zero page and init's text page are left
		expect(t.end).toMatchObject({type: 'end', reason: 'exited', frames_free: 1022, frames_total: 1024});
	});

	it('6.18, frames=1024: THREAD_SIZE is 4 frames, max_threads 32', () => {
		const t = runBomb('frames=1024 kernel=6.18', 1);
		expect(t.peak).toBe(32);
		expect(t.eagain).toBeGreaterThan(0);
		expect(t.end).toMatchObject({reason: 'exited', frames_free: 1022});
	});

	it('with too few frames for the stacks, fork fails with -ENOMEM instead (dup_task_struct), and still ends', () => {
		// max_threads is at least 20, but 64 frames hold fewer stacks than that
		const t = runBomb('frames=64', 1);
		expect(t.peak).toBeLessThan(20);
		expect(t.enomem).toBeGreaterThan(0);
		expect(t.eagain).toBe(0);
		expect(t.end).toMatchObject({reason: 'exited', frames_free: 62});
	});
});

describe.runIf(LONG)('a big fork bomb', () => {
	it('2.6.32, frames=1048576: 65,536 tasks, then -EAGAIN; ends exited with every frame back', () => {
		const t = runBomb('frames=1048576 max_ticks=100000000', 0);
		expect(t.peak).toBe(65_536);
		expect(t.eagain).toBeGreaterThan(0);
		expect(t.enomem).toBe(0);
		expect(t.end).toMatchObject({reason: 'exited', frames_free: 1_048_574});
	}, 600_000);
});
