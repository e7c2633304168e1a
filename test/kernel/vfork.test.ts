// vfork and clone (docs/kernel.md, issue 3): the flags, the completion, who wakes
// the parent and how, and what clone's flags share.

import {describe, expect, it} from 'vitest';
import type {KernelEvent} from '../../source/kernel/events.js';
import {stateDump} from '../../source/kernel/dump.js';
import {continueUntil, endOf, faultKinds, mmOf, ofType, prog, run, runUntil} from '../helpers/run.js';

const completions = (events: KernelEvent[]) => ofType(events, 'completion').map(({tick: _t, type: _y, ...rest}) => rest);

const states = (events: KernelEvent[], pid: number) =>
	ofType(events, 'state')
		.filter((e) => e.pid === pid)
		.map((e) => `${e.from}>${e.to}:${e.why}`);

describe('vfork is clone(CLONE_VM | CLONE_VFORK | SIGCHLD)', () => {
	const body = (call: string) => prog(`write heap 1\n${call}\nif ret == 0 goto child\nwait\nexit 0\nchild:\nwrite heap 2\nexit 3`, 'map heap 1 rw-');

	it('produces the same events, apart from the system call name', () => {
		const a = run(body('vfork'));
		const b = run(body('clone vm|vfork|sigchld'));
		const rename = (events: KernelEvent[]) => JSON.stringify(events.map((e) => (e.type === 'syscall' && e.name === 'clone' ? {...e, name: 'vfork'} : e)));
		expect(rename(b.events)).toBe(JSON.stringify(a.events));
		expect(ofType(b.events, 'syscall').filter((e) => e.name === 'clone')).toHaveLength(2);
	});

	it('clone vm|vfork|sigchld in any order of the flags is the same call', () => {
		const a = run(body('clone sigchld|vfork|vm'));
		const b = run(body('clone vm|vfork|sigchld'));
		expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
	});
});

describe('the vfork completion', () => {
	const src = prog('vfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\ncompute 3\nexit 4');

	it('init, wait, complete (via exit_mm), wake: owner, by, via and done', () => {
		const r = run(src);
		expect(completions(r.events)).toEqual([
			{action: 'init', id: 1, owner: 1, by: 1, via: null, done: 0},
			{action: 'wait', id: 1, owner: 1, by: 1, via: null, done: 0},
			{action: 'complete', id: 1, owner: 1, by: 2, via: 'exit_mm', done: 1},
			{action: 'wake', id: 1, owner: 1, by: 1, via: null, done: 0},
		]);
	});

	it('the parent sleeps in D from the vfork until the complete; vfork returns the pid when it runs again', () => {
		const r = run(src);
		// The child is a zombie by the time the parent waits: no sleep there.
		expect(states(r.events, 1)).toEqual(['R>D:vfork', 'D>R:complete', 'R>Z:exit']);
		const init = ofType(r.events, 'completion')[0]!;
		const complete = ofType(r.events, 'completion').find((e) => e.action === 'complete')!;
		const wake = ofType(r.events, 'completion').find((e) => e.action === 'wake')!;
		const ret = ofType(r.events, 'syscall').find((e) => e.pid === 1 && e.name === 'vfork')!;
		expect(ret).toMatchObject({ret: 2, child: 2, cost: {vmas: 0, ptes: 0, pgtables: 0}});
		expect(ret.tick).toBe(wake.tick);
		expect(complete.tick).toBeGreaterThan(init.tick);
		expect(wake.tick).toBeGreaterThan(complete.tick);
		// The child's own return, at its first tick.
		expect(ofType(r.events, 'syscall').find((e) => e.pid === 2)).toMatchObject({name: 'vfork', ret: 0, child_return: true});
	});

	it('while the parent waits: state D, the completion in the dump with done 0 and its waiter; vfork_done set', () => {
		const r = runUntil(src, (e) => e.type === 'syscall' && e.pid === 2);
		const dump = stateDump(r.k);
		expect(dump.tasks.find((t) => t.pid === 1)).toMatchObject({state: 'D'});
		expect(dump.tasks.find((t) => t.pid === 2)).toMatchObject({state: 'R', vfork_done: 1});
		expect(dump.completions).toEqual([{id: 1, owner: 1, done: 0, waiters: [1]}]);
		expect(mmOf(r.k, 2)).toBe(mmOf(r.k, 1));
		expect(mmOf(r.k, 1).users).toBe(2);
		// After the wake the completion is gone (it lived on the parent's stack).
		continueUntil(r, (e) => e.type === 'completion' && e.action === 'wake');
		expect(stateDump(r.k).completions).toEqual([]);
	});

	it("the child runs on the parent mm: no fault for pages the parent mapped, its writes are the parent's", () => {
		const r = run(prog('write heap 1\nvfork\nif ret == 0 goto child\nset r0 heap\nwait\nexit 0\nchild:\nwrite heap 2\nexit 0', 'map heap 1 rw-'));
		expect(faultKinds(r.events, 2)).toEqual([]);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(2);
	});

	it('resumes at the child exec: via exec_mmap; mmput only drops mm_users, the mm lives on', () => {
		const src2 =
			prog('write heap 1\nvfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nexec other', 'map heap 1 rw-') + 'program other\ncompute 5\nexit 0\nend\n';
		const r = runUntil(src2, (e) => e.type === 'exec' && e.pid === 2);
		expect(completions(r.events).map((c) => [c.action, c.by, c.via])).toEqual([
			['init', 1, null],
			['wait', 1, null],
			['complete', 2, 'exec_mmap'],
		]);
		expect(mmOf(r.k, 1).users).toBe(1);
		expect(mmOf(r.k, 2).id).not.toBe(mmOf(r.k, 1).id);
		expect(r.k.tasks.get(1)!.state).toBe('R');
		expect(r.k.tasks.get(2)!.vforkDone).toBeNull();
		// The child keeps running its new program; the exit later completes nothing.
		continueUntil(r, (e) => e.type === 'end');
		expect(ofType(r.events, 'completion').filter((e) => e.action === 'complete')).toHaveLength(1);
	});

	it('2.6.32: a vfork child that dumps core zaps its parent, completes it via coredump_wait, and the parent joins the dump in exit_mm', () => {
		const r = run(
			prog(
				'fork\nif ret == 0 goto parent\nwait\nset r0 ret\nset r1 status\nset r2 signal\nwait\nset r3 ret\nset r4 signal\nset r5 core\nexit 0\nparent:\nvfork\nif ret == 0 goto child\nexit 7\nchild:\nabort',
			),
		);
		expect(completions(r.events).map((c) => [c.action, c.id, c.owner, c.by, c.via, c.done])).toEqual([
			['init', 1, 2, 2, null, 0], // the vfork completion on pid 2's stack
			['wait', 1, 2, 2, null, 0],
			['init', 2, 3, 3, null, 0], // coredump_wait: core_state->startup on the dumper's stack
			['complete', 1, 2, 3, 'coredump_wait', 1], // "make sure nobody is waiting for us to release the VM"
			['wait', 2, 3, 3, null, 0], // the dumper waits for the zapped parent
			['wake', 1, 2, 2, null, 0],
			['complete', 2, 3, 2, 'exit_mm', 1], // the parent, dying of the zap, joins the dump
			['wake', 2, 3, 3, null, 0],
		]);
		const signals = (pid: number) =>
			ofType(r.events, 'signal')
				.filter((e) => e.pid === pid)
				.map((e) => `${e.signal}:${e.action}`);
		expect(signals(3)).toEqual(['SIGABRT:send', 'SIGABRT:deliver', 'SIGABRT:core']);
		expect(signals(2)).toEqual(['SIGKILL:send', 'SIGKILL:deliver', 'SIGCHLD:send']);
		// zap_threads → D until the complete; exit_mm → D until coredump_finish
		expect(states(r.events, 2)).toEqual(['R>D:vfork', 'D>R:complete', 'R>D:coredump', 'D>R:coredump_finish', 'R>Z:exit', 'Z>X:reaped']);
		expect(states(r.events, 3)).toEqual(['R>D:coredump', 'D>R:complete', 'R>Z:SIGABRT', 'Z>X:reaped']);
		// The zapped parent's group_exit_code was never set: it exits with 0, not by a signal.
		expect(ofType(r.events, 'exit').find((e) => e.pid === 2)).toMatchObject({code: 0, signal: null, core: false});
		expect(ofType(r.events, 'exit').find((e) => e.pid === 3)).toMatchObject({signal: 'SIGABRT', core: true});
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1, regs.r2, regs.r3, regs.r4, regs.r5]).toEqual([2, 0, 0, 3, 6, 1]);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
	});

	it('2.6.32: init as the vfork parent is zapped too, and the kernel panics once the dump is done', () => {
		const r = run(prog('vfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nread 0x10\nexit 1'));
		expect(
			ofType(r.events, 'signal')
				.filter((e) => e.pid === 1)
				.map((e) => `${e.signal}:${e.action}`),
		).toEqual(['SIGKILL:send', 'SIGKILL:deliver', 'SIGCHLD:send']);
		expect(completions(r.events).find((c) => c.action === 'complete')).toMatchObject({by: 2, via: 'coredump_wait', done: 1});
		expect(ofType(r.events, 'exit').map((e) => [e.pid, e.signal, e.core])).toEqual([[2, 'SIGSEGV', true]]);
		expect(ofType(r.events, 'panic')).toMatchObject([{tick: 6, text: 'Attempted to kill init!'}]);
		expect(endOf(r.events).reason).toBe('panic');
	});

	it('a core dump by a child with its own mm zaps nobody', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nabort'));
		expect(ofType(r.events, 'signal').filter((e) => e.signal === 'SIGKILL')).toEqual([]);
	});

	it('resumes at the child death by SIGKILL from another process: via exit_mm', () => {
		const r = run(
			prog(
				'fork\nif ret == 0 goto parent\nfork\nif ret == 0 goto killer\nwait\nwait\nwait\nexit 0\nparent:\nvfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\ncompute 50\nexit 0\nkiller:\nsleep 8\nkill 4 SIGKILL\nexit 0',
			),
		);
		expect(completions(r.events).filter((c) => c.action === 'complete')).toEqual([{action: 'complete', id: 1, owner: 2, by: 4, via: 'exit_mm', done: 1}]);
		expect(ofType(r.events, 'exit').find((e) => e.pid === 4)).toMatchObject({signal: 'SIGKILL', core: false});
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
		expect(endOf(r.events).tick).toBeLessThan(40);
	});

	it('a signal to the parent in D stays pending until the completion wakes it', () => {
		const src2 = prog(
			'fork\nif ret == 0 goto parent\nsleep 2\nkill 2 SIGTERM\nwait\nwait\nexit 0\nparent:\nvfork\nif ret == 0 goto child\nexit 0\nchild:\ncompute 10\nexit 0',
		);
		const r = runUntil(src2, (e) => e.type === 'signal' && e.signal === 'SIGTERM');
		expect(r.k.tasks.get(2)).toMatchObject({state: 'D', pending: [15]});
		continueUntil(r, (e) => e.type === 'signal' && e.signal === 'SIGTERM' && e.action === 'deliver');
		const wake = ofType(r.events, 'completion').find((e) => e.action === 'wake')!;
		const deliver = ofType(r.events, 'signal').find((e) => e.action === 'deliver')!;
		expect(deliver.tick).toBe(wake.tick);
		expect(ofType(r.events, 'syscall').find((e) => e.pid === 2 && e.name === 'vfork' && e.child_return === undefined)).toMatchObject({
			tick: wake.tick,
			ret: 3,
		});
		expect(states(r.events, 2)).toEqual(['R>D:vfork', 'D>R:complete', 'R>Z:SIGTERM']);
	});
});

describe('clone flags', () => {
	it('clone vfork|sigchld blocks the parent but gives the child its own copy (dup_mm)', () => {
		const src = prog(
			'write heap 1\nclone vfork|sigchld\nif ret == 0 goto child\nset r0 heap\nwait\nexit 0\nchild:\nwrite heap 2\nexit 0',
			'map heap 1 rw-',
		);
		const atChild = runUntil(src, (e) => e.type === 'syscall' && e.pid === 2);
		expect(atChild.k.tasks.get(1)!.state).toBe('D');
		expect(mmOf(atChild.k, 2).id).not.toBe(mmOf(atChild.k, 1).id);
		const r = run(src);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(1);
		expect(faultKinds(r.events, 2)).toContain('cow-copy@heap');
		expect(completions(r.events).map((c) => c.action)).toEqual(['init', 'wait', 'complete', 'wake']);
		expect(ofType(r.events, 'syscall').find((e) => e.pid === 1 && e.name === 'clone')!.cost).toEqual({vmas: 3, ptes: 1, pgtables: 4});
	});

	it('clone vm|sigchld shares the mm without blocking', () => {
		const src = prog('write heap 1\nclone vm|sigchld\nif ret == 0 goto child\nwait\nset r0 heap\nexit 0\nchild:\nwrite heap 2\nexit 0', 'map heap 1 rw-');
		const atClone = runUntil(src, (e) => e.type === 'syscall' && e.name === 'clone');
		expect(atClone.k.tasks.get(1)!.state).toBe('R');
		expect(mmOf(atClone.k, 2)).toBe(mmOf(atClone.k, 1));
		expect(mmOf(atClone.k, 1).users).toBe(2);
		const r = run(src);
		expect(ofType(r.events, 'completion')).toEqual([]);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(2);
		const ret = ofType(r.events, 'syscall').find((e) => e.pid === 1 && e.name === 'clone')!;
		expect(ret).toMatchObject({ret: 2, child: 2, cost: {vmas: 0, ptes: 0, pgtables: 0}});
	});

	it('-EINVAL: sighand without vm, thread without sighand; no task is created', () => {
		const r = run(
			prog('clone sighand|sigchld\nset r0 ret\nclone vm|thread|sigchld\nset r1 ret\nclone thread|sigchld\nset r2 ret\nwait\nset r3 ret\nexit 0'),
		);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1, regs.r2, regs.r3]).toEqual([-22, -22, -22, -10]);
		expect(
			ofType(r.events, 'syscall')
				.filter((e) => e.name === 'clone')
				.map((e) => e.ret),
		).toEqual([-22, -22, -22]);
		expect(r.k.nextPid).toBe(2);
	});

	it('the sigaltstack is cleared for CLONE_VM without CLONE_VFORK, kept for vfork and fork', () => {
		const src = prog(
			'sigaltstack on\nclone vm|sighand|sigchld\nif ret == 0 goto kid\nvfork\nif ret == 0 goto vkid\nfork\nif ret == 0 goto kid\nwait\nwait\nwait\nexit 0\nkid:\nsleep 20\nexit 0\nvkid:\nexit 0',
		);
		const alt = (r: ReturnType<typeof run>) => Object.fromEntries(stateDump(r.k).tasks.map((t) => [t.pid, t.sigaltstack]));
		expect(alt(runUntil(src, (e) => e.type === 'syscall' && e.pid === 3))).toEqual({1: true, 2: false, 3: true});
		expect(alt(runUntil(src, (e) => e.type === 'syscall' && e.pid === 1 && e.name === 'fork'))).toMatchObject({1: true, 2: false, 4: true});
		// exec gives the new image no alternate stack.
		const e = runUntil(prog('sigaltstack on\nexec other') + 'program other\nsleep 2\nexit 0\nend\n', (ev) => ev.type === 'exec' && ev.program === 'other');
		expect(e.k.tasks.get(1)!.sigaltstack).toBe(false);
	});
});
