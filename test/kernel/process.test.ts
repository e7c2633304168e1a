// exec, exit, wait, signals, reparenting, the end of a run (docs/kernel.md),
// and determinism.

import {describe, expect, it} from 'vitest';
import {stateHash} from '../../source/kernel/dump.js';
import {endOf, faultKinds, framesByKind, jsonLines, mmOf, ofType, prog, run, runUntil} from '../helpers/run.js';

describe('exec', () => {
	it('an unknown program: -ENOENT, nothing changes', () => {
		const r = run(prog('exec nosuch\nexpect ret == -ENOENT\nexit 0'));
		expect(ofType(r.events, 'syscall')[0]).toMatchObject({pid: 1, name: 'exec', ret: -2});
		expect(ofType(r.events, 'exec')).toHaveLength(1);
		expect(endOf(r.events).expects_failed).toBe(0);
	});

	it('builds a new mm from the image and restarts at its first instruction; the old mm is put', () => {
		const src = prog('write heap 1\nexec other', 'map heap 1 rw-') + 'program other\nmap data 2 rw-\nsleep 2\nexit 3\nend\n';
		const before = runUntil(src, (e) => e.type === 'fault' && e.region === 'heap');
		const oldMm = mmOf(before.k, 1).id;
		const r = runUntil(src, (e) => e.type === 'exec' && e.program === 'other');
		const mm = mmOf(r.k, 1);
		expect(mm.id).not.toBe(oldMm);
		expect(r.k.mms.has(oldMm)).toBe(false);
		expect(mm.vmas.map((v) => v.region)).toEqual(['text', 'data', 'stack']);
		expect(r.k.tasks.get(1)).toMatchObject({pc: 0, comm: 'other', program: 'other'});
		// The old heap frame is free again: zero page, two page caches' frames, pgtables.
		expect(framesByKind(r.k).anon ?? 0).toBe(0);
	});
});

describe('exit and wait', () => {
	it('wait reaps a zombie child: ret pid, status code, signal 0, core 0; then -ECHILD', () => {
		const r = run(
			prog('fork\nif ret == 0 goto child\nwait\nset r0 ret\nset r1 status\nset r2 signal\nset r3 core\nwait\nset r4 ret\nexit 0\nchild:\nexit 300'),
		);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1, regs.r2, regs.r3, regs.r4]).toEqual([2, 300 % 256, 0, 0, -10]);
		expect(ofType(r.events, 'reap')).toEqual([expect.objectContaining({pid: 1, child: 2, status: 44})]);
		expect(ofType(r.events, 'exit').map((e) => [e.pid, e.code, e.signal, e.core])).toEqual([
			[2, 44, null, false],
			[1, 0, null, false],
		]);
	});

	it('a waiting parent sleeps in S and is woken by the child exit', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nwait\nexit 0\nchild:\ncompute 5\nexit 0'));
		const states = ofType(r.events, 'state')
			.filter((e) => e.pid === 1)
			.map((e) => `${e.from}>${e.to}:${e.why}`);
		expect(states).toEqual(['R>S:wait', 'S>R:child-exit', 'R>Z:exit']);
	});

	it('wait PID waits for that child only', () => {
		const r = run(
			prog('fork\nif ret == 0 goto a\nfork\nif ret == 0 goto b\nwait 3\nset r0 ret\nwait\nset r1 ret\nexit 0\na:\nexit 1\nb:\nsleep 5\nexit 2'),
		);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1]).toEqual([3, 2]);
	});

	it('SIGSEGV dumps core: signal 11, core 1', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nwait\nset r0 signal\nset r1 core\nexit 0\nchild:\nwrite 0x10 1\nexit 0'));
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1]).toEqual([11, 1]);
		expect(ofType(r.events, 'exit')[0]).toMatchObject({pid: 2, code: 0, signal: 'SIGSEGV', core: true});
	});

	it('SIGTERM and SIGKILL kill without a core; abort dumps one with SIGABRT', () => {
		const r = run(
			prog(
				'fork\nif ret == 0 goto s\nkill ret SIGTERM\nwait\nset r0 signal\nset r1 core\nfork\nif ret == 0 goto s\nkill ret SIGKILL\nwait\nset r2 signal\nfork\nif ret == 0 goto a\nwait\nset r3 signal\nset r4 core\nexit 0\ns:\nsleep 50\nexit 0\na:\nabort',
			),
		);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1, regs.r2, regs.r3, regs.r4]).toEqual([15, 0, 9, 6, 1]);
	});

	it('kill of a zombie succeeds and does nothing; of a reaped or unknown pid, -ESRCH', () => {
		const r = run(
			prog(
				'fork\nif ret == 0 goto child\nsleep 3\nkill 2 SIGKILL\nset r0 ret\nwait\nkill 2 SIGKILL\nset r1 ret\nkill 99 SIGTERM\nset r2 ret\nset r3 signal\nexit 0\nchild:\nexit 0',
			),
		);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1, regs.r2, regs.r3]).toEqual([0, -3, -3, 0]);
		expect(ofType(r.events, 'signal').filter((e) => e.signal !== 'SIGCHLD')).toEqual([]);
	});

	it('a sleeping task is woken by a fatal signal; kill of a dead pid is -ESRCH', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nyield\nkill 2 SIGTERM\nwait\nkill 2 SIGTERM\nset r0 ret\nexit 0\nchild:\nsleep 100'));
		expect(
			ofType(r.events, 'state')
				.filter((e) => e.pid === 2)
				.map((e) => `${e.from}>${e.to}:${e.why}`),
		).toEqual(['R>S:sleep', 'S>R:signal', 'R>Z:SIGTERM', 'Z>X:reaped']);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(-3);
		expect(endOf(r.events).tick).toBeLessThan(50);
	});
});

describe('reparenting and the end of the run', () => {
	it('orphans are reparented to pid 1, which can reap them', () => {
		const r = run(
			prog(
				'fork\nif ret == 0 goto mid\nwait\nwait\nset r0 ret\nexit 0\nmid:\nfork\nif ret == 0 goto orphan\nexit 0\norphan:\nsleep 10\ngetppid\nexit ret',
			),
		);
		expect(ofType(r.events, 'reparent')).toEqual([expect.objectContaining({pid: 3, from: 2, to: 1})]);
		expect(ofType(r.events, 'reap').map((e) => [e.pid, e.child, e.status])).toEqual([
			[1, 2, 0],
			[1, 3, 1],
		]);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(3);
		expect(endOf(r.events).reason).toBe('exited');
	});

	it('pid 1 exiting while others live panics: "Attempted to kill init!"', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nexit 0\nchild:\nsleep 100\nexit 0'));
		expect(ofType(r.events, 'panic')).toEqual([expect.objectContaining({text: 'Attempted to kill init!'})]);
		expect(endOf(r.events)).toMatchObject({reason: 'panic'});
		expect(r.k.ended).toBe('panic');
	});

	it('pid 1 exiting with only zombie children ends the run normally', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nsleep 5\nexit 0\nchild:\nexit 0'));
		expect(endOf(r.events)).toMatchObject({reason: 'exited'});
	});

	it('max_ticks ends the run at that tick', () => {
		const r = run(prog('loop:\ngoto loop'), {max_ticks: 25});
		expect(endOf(r.events)).toMatchObject({tick: 25, reason: 'max-ticks'});
		expect(r.k.tick).toBe(25);
	});

	it('the end event counts failed expects and free frames', () => {
		const r = run(prog('expect 1 == 2\nexpect 1 == 1\nexit 0'), {frames: 32});
		expect(endOf(r.events)).toMatchObject({reason: 'exited', frames_total: 32, frames_free: 30, expects_failed: 1});
		expect(ofType(r.events, 'expect').map((e) => [e.ok, e.actual, e.line])).toEqual([
			[false, 1, 3],
			[true, 1, 4],
		]);
	});
});

describe('scheduling', () => {
	it('round robin with the quantum; the parent keeps the CPU after fork', () => {
		const r = run(prog('fork\ncompute 6\nexit 0'), {quantum: 2, max_ticks: 9});
		const sched = ofType(r.events, 'sched').map((e) => [e.tick, e.from, e.to]);
		expect(sched).toEqual([
			[1, null, 1],
			[3, 1, 2],
			[5, 2, 1],
			[7, 1, 2],
			[9, 2, 1],
		]);
	});

	it('a tick with nothing runnable is idle', () => {
		const r = run(prog('sleep 3\nexit 0'));
		expect(ofType(r.events, 'sched').map((e) => [e.tick, e.from, e.to])).toEqual([
			[1, null, 1],
			[2, 1, null],
			[5, null, 1],
		]);
		expect(ofType(r.events, 'state').map((e) => [e.tick, e.to, e.why])).toEqual([
			[1, 'S', 'sleep'],
			[5, 'R', 'timer'],
			[5, 'Z', 'exit'],
		]);
	});

	it('child_runs_first=yes: the child runs at the next tick', () => {
		const r = run(prog('fork\ncompute 3\nexit 0'), {child_runs_first: true, max_ticks: 3});
		expect(ofType(r.events, 'sched').map((e) => [e.tick, e.to])).toEqual([
			[1, 1],
			[2, 2],
		]);
	});
});

describe('determinism', () => {
	const src =
		prog(
			'touch heap write\nfork\nif ret == 0 goto child\nvfork\nif ret == 0 goto v\nwait\nwait\nexit 0\nchild:\ntouch heap write\nwrite sh 3\nexit 1\nv:\nwrite heap 9\nexec other',
			'map heap 3 rw-\nmap sh 1 rw- shared',
		) + 'program other\nmap x 1 rw-\nwrite x 1\nexit 2\nend\n';

	it('the same scenario twice: identical events (JSON) and state hash', () => {
		const a = run(src);
		const b = run(src);
		expect(jsonLines(a.events)).toBe(jsonLines(b.events));
		expect(stateHash(a.k)).toBe(stateHash(b.k));
		expect(faultKinds(a.events).length).toBeGreaterThan(5);
	});

	it('the hash differs between different states', () => {
		const a = runUntil(src, (e) => e.type === 'fault' && e.kind === 'anon');
		const hash = stateHash(a.k);
		const b = run(src);
		expect(stateHash(b.k)).not.toBe(hash);
	});
});

describe('exec of names that an object would inherit', () => {
	it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('exec %s is -ENOENT', (name) => {
		const r = run(prog(`exec ${name}\nexpect ret == -ENOENT\nexit 0`));
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
	});
});
