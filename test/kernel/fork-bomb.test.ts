// A fork bomb ends cleanly (issue 16 item 1, SPEC §1.1, §1.5): every task
// holds THREAD_SIZE of kstack frames (dup_task_struct), and copy_process
// refuses a task past max_threads = frames / (8 × THREAD_SIZE) with -EAGAIN
// (fork_init, "if (nr_threads >= max_threads)"), or -ENOMEM when no stack
// can be allocated. Each task forks until its fork fails, then reaps its
// children and exits; the run ends with init, everything freed.
// The big run (65,536 tasks at frames=1048576) is fork-bomb.long.test.ts, run
// by npm run test:long.

import {describe, expect, it} from 'vitest';
import {maxThreads} from '../../source/kernel/fork.js';
import {boot} from '../../source/kernel/kernel.js';
import {bomb, runBomb} from '../helpers/fork-bomb.js';
import {parse} from '../helpers/run.js';

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
