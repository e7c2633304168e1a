// 2.6.32's rules for tasks (docs/kernel.md): thread groups and exit signals
// (kernel/fork.c copy_process, kernel/exit.c eligible_child, reparent_leader),
// init unkillable (sig_task_ignored, force_sig_info), the OOM killer
// (mm/oom_kill.c select_bad_process), shmem accounting (shmem_acct_size), the
// child's page tables (copy_pud_range … copy_pte_range), kernel stacks and
// max_threads (dup_task_struct, fork_init). Each with its exact events.

import {describe, expect, it} from 'vitest';
import type {KernelEvent} from '../../source/kernel/events.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {stateDump} from '../../source/kernel/dump.js';
import {endOf, framesByKind, mmOf, ofType, parse, prog, run, runUntil} from '../helpers/run.js';

/** The events of a run, without sched and faults, as `tick pid what` lines. */
const story = (events: KernelEvent[], types: KernelEvent['type'][]) =>
	events
		.filter((e) => types.includes(e.type))
		.map((e) => {
			switch (e.type) {
				case 'syscall':
					return `${e.tick} ${e.pid} ${e.name}=${e.ret}${e.child_return === true ? ' child' : ''}`;
				case 'exit':
					return `${e.tick} ${e.pid} exit ${e.code}${e.signal === null ? '' : ` ${e.signal}`}`;
				case 'state':
					return `${e.tick} ${e.pid} ${e.from}>${e.to} ${e.why}`;
				case 'signal':
					return `${e.tick} ${e.pid} ${e.signal} ${e.action}`;
				case 'reap':
					return `${e.tick} ${e.pid} reaps ${e.child}`;
				case 'reparent':
					return `${e.tick} ${e.pid} reparent ${e.from}>${e.to}`;
				case 'oom':
					return `${e.tick} ${e.pid} oom victim ${e.victim} rss ${e.rss}`;
				default:
					return `${e.tick} ${e.type}`;
			}
		});

/** Run with the invariants checked after every tick. */
function runChecked(source: string, config: Record<string, unknown> = {}) {
	const s = parse(source);
	const k = boot(s, {...s.config, ...config});
	const events: KernelEvent[] = [...k.events];
	while (k.ended === null) {
		events.push(...stepTick(k));
		const broken = checkInvariants(k);
		if (broken.length > 0) throw new Error(`tick ${k.tick}: ${broken.join('; ')}`);
	}
	return {k, events};
}

describe('CLONE_THREAD (copy_process): one thread group', () => {
	const src = prog(
		[
			'fork',
			'if ret == 0 goto mid',
			'wait',
			'set r0 ret',
			'wait',
			'set r1 ret',
			'exit 0',
			'mid:',
			'clone vm|sighand|thread',
			'if ret == 0 goto thr',
			'sleep 6',
			'wait all',
			'set r2 ret',
			'exit 0',
			'thr:',
			'getpid',
			'set r3 ret',
			'getppid',
			'set r4 ret',
			'exit 9',
		].join('\n'),
	);

	it("the thread gets the tgid from getpid and its creator's parent from getppid; it is released at exit, no signal, never waited for", () => {
		const r = runChecked(src);
		expect(story(r.events, ['syscall', 'exit', 'signal', 'reap']).filter((l) => !l.includes('child'))).toEqual([
			'1 1 fork=2',
			'5 2 clone=3',
			'8 3 getpid=2', // the tgid, not 3
			'10 2 sleep=0',
			'11 3 getppid=1', // current->real_parent->tgid: the creator's parent
			'13 3 exit 9', // exit_signal -1: no SIGCHLD to anybody, released at once
			'17 2 wait=-10', // wait … all sees no thread
			'19 2 exit 0',
			'19 1 SIGCHLD send',
			'20 1 reaps 2',
			'20 1 wait=2',
			'22 1 wait=-10',
			'24 1 exit 0',
		]);
		expect(
			ofType(r.events, 'state')
				.filter((e) => e.pid === 3)
				.map((e) => `${e.from}>${e.to}`),
		).toEqual(['R>X']);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
	});

	it("while it lives: tgid, ppid and exit_signal -1 in the dump; it is on its creator's parent's children; its kernel stack is its own", () => {
		const r = runUntil(src, (e) => e.type === 'syscall' && e.pid === 3 && e.name === 'getpid');
		const d = stateDump(r.k);
		expect(d.tasks.map((t) => [t.pid, t.tgid, t.ppid, t.exit_signal, t.mm])).toEqual([
			[1, 1, 0, 17, 1],
			[2, 2, 1, 17, 2],
			[3, 2, 1, -1, 2],
		]);
		expect(r.k.tasks.get(1)!.children).toEqual([2, 3]);
		expect(r.k.tasks.get(2)!.threads).toBe(1);
		expect(mmOf(r.k, 3).users).toBe(2);
		expect(framesByKind(r.k).kstack).toBe(6); // three tasks, THREAD_SIZE 2 frames each
	});

	it('a leader that exits first stays a zombie its parent cannot reap until the thread is released (delay_group_leader)', () => {
		const r = runChecked(
			prog('fork\nif ret == 0 goto mid\nwait\nset r0 ret\nexit 0\nmid:\nclone vm|sighand|thread\nif ret == 0 goto thr\nexit 4\nthr:\nsleep 10\nexit 1'),
		);
		// the leader (pid 2) is a zombie from tick 9; its parent hears of it when pid 3 is released
		expect(story(r.events, ['exit', 'signal', 'reap', 'state']).filter((l) => !l.includes('S>R') && !l.includes('>S '))).toEqual([
			'9 2 R>Z exit',
			'9 2 exit 4',
			'19 3 exit 1',
			'19 3 R>X exit',
			'19 1 SIGCHLD send', // release_task → do_notify_parent(leader)
			'20 2 Z>X reaped',
			'20 1 reaps 2',
			'22 1 R>Z exit',
			'22 1 exit 0',
		]);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(2);
	});
});

describe('exit signals and wait options (eligible_child: __WCLONE, __WALL)', () => {
	const src = prog(
		[
			'clone vm',
			'if ret == 0 goto kid',
			'wait',
			'set r0 ret',
			'wait clone',
			'set r1 ret',
			'set r2 status',
			'wait all',
			'set r3 ret',
			'exit 0',
			'kid:',
			'compute 4',
			'exit 5',
		].join('\n'),
	);

	it('a clone without sigchld sends no signal at exit; a plain wait ignores it, wait clone reaps it', () => {
		const r = runChecked(src);
		expect(story(r.events, ['syscall', 'exit', 'signal', 'reap', 'state'])).toEqual([
			'1 1 clone=2',
			'3 1 wait=-10', // a plain wait: only children whose exit signal is SIGCHLD
			'4 2 clone=0 child',
			'8 1 R>S wait', // wait clone: the clone child is eligible, not yet a zombie
			'11 2 R>Z exit',
			'11 2 exit 5', // exit_signal 0: no signal to the parent
			'11 1 S>R child-exit', // __wake_up_parent all the same
			'12 2 Z>X reaped',
			'12 1 reaps 2',
			'12 1 wait=2',
			'15 1 wait=-10',
			'17 1 R>Z exit',
			'17 1 exit 0',
		]);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1, regs.r2, regs.r3]).toEqual([-10, 2, 5, -10]);
	});

	it('wait all sees both kinds; the dump shows exit_signal 0 for the clone child', () => {
		const r = runChecked(
			prog('clone vm\nif ret == 0 goto kid\nfork\nif ret == 0 goto kid\nwait all\nset r0 ret\nwait all\nset r1 ret\nexit 0\nkid:\nexit 0'),
		);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1].sort()).toEqual([2, 3]);
		const atClone = runUntil(prog('clone vm\nsleep 3\nexit 0'), (e) => e.type === 'syscall' && e.name === 'clone');
		expect(stateDump(atClone.k).tasks[1]).toMatchObject({pid: 2, exit_signal: 0});
	});

	it("a reparented orphan's exit signal becomes SIGCHLD (reparent_leader), so init's plain wait reaps it", () => {
		const r = runChecked(
			prog(
				'fork\nif ret == 0 goto mid\nwait\nwait\nset r0 ret\nwait\nset r1 ret\nexit 0\nmid:\nclone vm\nif ret == 0 goto kid\nexit 0\nkid:\nsleep 8\nexit 3',
			),
		);
		expect(ofType(r.events, 'reparent')).toMatchObject([{pid: 3, from: 2, to: 1}]);
		expect(
			ofType(r.events, 'signal')
				.filter((e) => e.pid === 1)
				.map((e) => e.signal),
		).toEqual(['SIGCHLD', 'SIGCHLD']);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1]).toEqual([3, -10]);
	});
});

describe('init is unkillable (SIGNAL_UNKILLABLE)', () => {
	it('kill 1 SIGKILL and SIGTERM return 0 and nothing happens', () => {
		const r = runChecked(prog('fork\nif ret == 0 goto kid\nwait\nexit 0\nkid:\nkill 1 SIGKILL\nexpect ret == 0\nkill 1 SIGTERM\nkill 1 SIGSEGV\nexit 0'));
		expect(
			ofType(r.events, 'signal')
				.filter((e) => e.pid === 1)
				.map((e) => e.signal),
		).toEqual(['SIGCHLD']);
		expect(
			ofType(r.events, 'syscall')
				.filter((e) => e.name === 'kill')
				.map((e) => e.ret),
		).toEqual([0, 0, 0]);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
	});

	it('a SIGSEGV the kernel forces on it (force_sig_info) kills it, and the kernel panics', () => {
		const r = run(prog('read 0x10\nexit 0'));
		expect(story(r.events, ['signal', 'panic', 'end'])).toEqual(['1 1 SIGSEGV send', '1 1 SIGSEGV deliver', '1 1 SIGSEGV core', '1 panic', '1 end']);
		expect(ofType(r.events, 'panic')[0]!.text).toBe('Attempted to kill init!');
	});
});

describe('the OOM killer (out_of_memory → select_bad_process)', () => {
	it('kills the task with the largest rss, not the one that faulted; while the victim has not exited nobody else is chosen', () => {
		const src = prog(
			[
				'fork',
				'if ret == 0 goto big',
				'fork',
				'if ret == 0 goto small',
				'wait',
				'wait',
				'exit 0',
				'big:',
				'touch heap write',
				'sleep 200',
				'exit 0',
				'small:',
				'sleep 30',
				'mmap more 8 rw-',
				'touch more write',
				'exit 7',
			].join('\n'),
			'map heap 18 rw-',
			'frames=40',
		);
		const r = runChecked(src);
		expect(story(r.events, ['oom', 'exit', 'signal']).filter((l) => !l.includes('SIGCHLD'))).toEqual([
			'40 3 oom victim 2 rss 19', // pid 3 faulted; pid 2 (text + 18 heap pages) is the largest
			'40 2 SIGKILL send',
			'41 3 oom victim 2 rss 19', // the retry: the victim (TIF_MEMDIE) has not exited, nobody else dies
			'42 2 SIGKILL deliver',
			'42 2 exit 0 SIGKILL',
			'53 3 exit 7', // the faulting task got its page once the victim's were freed
			'55 1 exit 0',
		]);
		expect(
			ofType(r.events, 'fault')
				.filter((e) => e.kind === 'oom')
				.map((e) => [e.tick, e.pid, e.region, e.path.at(-1)]),
		).toEqual([
			[40, 3, 'more', 'out_of_memory'],
			[41, 3, 'more', 'out_of_memory'],
		]);
		expect(endOf(r.events).reason).toBe('exited');
	});

	it('ties go to the highest pid; init is never chosen: with nobody else left, the kernel panics', () => {
		const src = prog(
			'fork\nif ret == 0 goto kid\nfork\nif ret == 0 goto kid\nmmap big 20 rw-\ntouch big write\nwait\nwait\nexit 0\nkid:\nsleep 30\nexit 0',
			'',
			'frames=24',
		);
		const r = runChecked(src);
		expect(story(r.events, ['oom', 'panic'])).toEqual([
			'13 1 oom victim 3 rss 1', // pids 2 and 3 both map one text page: the higher pid goes
			'19 1 oom victim 2 rss 1',
			'20 1 oom victim 2 rss 1',
			'26 1 oom victim null rss 0', // only init is left
			'26 panic',
		]);
		expect(ofType(r.events, 'panic')[0]!.text).toBe('Out of memory and no killable processes...');
	});
});

describe('shmem accounting (shmem_acct_size)', () => {
	it('a shared anonymous mapping is charged once, at mmap, for its whole size; fork charges nothing for it; freed with the object', () => {
		const src = prog(
			'mmap sh 8 rw- shared\nfork\nif ret == 0 goto kid\nwait\nmunmap sh\nsleep 1\nexit 0\nkid:\nexit 0',
			'',
			'overcommit=never commit_limit=12',
		);
		const atMmap = runUntil(src, (e) => e.type === 'syscall' && e.name === 'mmap');
		expect(atMmap.k.committed).toBe(8 + 2); // the object, and the stack (private writable)
		const atFork = runUntil(src, (e) => e.type === 'syscall' && e.name === 'fork' && e.child_return === undefined);
		expect(atFork.k.committed).toBe(10 + 2); // the child's stack; the object is not charged again
		expect(ofType(atFork.events, 'syscall').find((e) => e.name === 'fork')!.ret).toBe(2);
		const r = runChecked(src);
		expect(r.k.committed).toBe(0);
	});

	it('under overcommit=never a shared mapping larger than what is left fails with -ENOMEM', () => {
		const r = runChecked(
			prog('mmap sh 9 rw- shared\nexpect ret == -ENOMEM\nmmap sh 8 rw- shared\nexpect ret != -ENOMEM\nexit 0', '', 'overcommit=never commit_limit=10'),
		);
		expect(
			ofType(r.events, 'syscall')
				.filter((e) => e.name === 'mmap')
				.map((e) => e.ret),
		).toEqual([-12, 0x600000]);
		expect(endOf(r.events).expects_failed).toBe(0);
	});
});

describe("the child's page tables (copy_pud_range, copy_pmd_range, copy_pte_range)", () => {
	it("copy_pte_range allocates the child's leaf for every leaf the source has in the VMA, even one without a present PTE there", () => {
		// x spans two leaf tables (2 MiB each): 0x500000… shares the text's leaf, 0x600000… is written.
		// The text's leaf holds no PTE of x, but copy_pmd_range sees a populated PMD entry and
		// copy_pte_range allocates the child's table before it looks at any PTE.
		const src = prog('write x[256] 1\nfork\nif ret == 0 goto kid\nwait\nexit 0\nkid:\nexit 0', 'map x 512 rw- at 0x500000');
		const r = runUntil(src, (e) => e.type === 'syscall' && e.name === 'fork' && e.child_return === undefined);
		const fork = ofType(r.events, 'syscall').find((e) => e.name === 'fork')!;
		// pgd, pud, pmd, and two leaves (the copy of one PTE needs only one)
		expect(fork.cost).toEqual({vmas: 3, ptes: 1, pgtables: 5});
		expect(mmOf(r.k, 2).pgtables).toBe(5);
		expect(checkInvariants(r.k)).toEqual([]);
	});
});
