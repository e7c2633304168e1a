// Tick 0, the boot, is pid 1's exec (kernel_init → do_execve): its kernel steps
// can be stepped into as any tick's, as gdb steps into a kernel it started
// itself; func= breakpoints given at the start are set before the boot.

import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {stateHash} from '../../source/kernel/dump.js';
import {boot, bootStart, stepTick} from '../../source/kernel/kernel.js';
import {parse, prog} from '../helpers/run.js';

const SRC = prog('write heap 1\nexit 0', 'map heap 1 rw-', 'frames=64');
const fns = (dbg: Debugger) => dbg.kstepDump()!.stack.map((f) => f.fn);

describe('the boot (tick 0) has kernel steps', () => {
	it('bootStart is the machine before tick 0; stepTick on it is the boot', () => {
		const s = parse(SRC);
		const k = bootStart(s);
		expect([k.tick, k.tasks.get(1)!.mm, k.mms.size]).toEqual([-1, null, 0]);
		const events = stepTick(k);
		expect(events.map((e) => e.type)).toEqual(['exec']);
		expect(stateHash(k)).toBe(stateHash(boot(s)));
	});

	it('go to step j of tick 0: do_execve, exec_mmap, mm_release, with the state after each', () => {
		const dbg = new Debugger(parse(SRC));
		const after = stateHash(dbg.kernel);
		dbg.gotoKStep(0, 0);
		expect(dbg.inside).toMatchObject({tick: 0, seq: 0});
		expect(fns(dbg)).toEqual(['do_execve']);
		// the new mm is built before exec_mmap switches pid 1 to it
		dbg.gotoKStep(0, 2);
		expect(fns(dbg)).toEqual(['do_execve', 'exec_mmap']);
		expect(dbg.kernel.tasks.get(1)!.mm).toBeNull();
		expect(dbg.kernel.mms.size).toBe(1);
		dbg.kstep('into');
		expect(fns(dbg)).toEqual(['do_execve', 'exec_mmap', 'mm_release']);
		// leaving the tick is the booted machine, exactly
		dbg.kstep('leave');
		expect(dbg.inside).toBeNull();
		expect(stateHash(dbg.kernel)).toBe(after);
		expect(dbg.visibleEvents()).toBe(dbg.eventsOf(0).length);
	});

	it('back from tick 0 goes into the boot at its last step; back at its first step stays there', () => {
		const dbg = new Debugger(parse(SRC));
		dbg.kstep('back');
		expect(dbg.inside).toMatchObject({tick: 0, seq: dbg.kstepCount() - 1});
		dbg.gotoKStep(0, 0);
		const first = stateHash(dbg.kernel);
		expect(dbg.kstep('back').reason).toBe('kstep');
		expect(dbg.inside).toMatchObject({tick: 0, seq: 0});
		expect(stateHash(dbg.kernel)).toBe(first);
		// and forward out of the boot into tick 1
		dbg.kstep('leave');
		dbg.step();
		expect(dbg.tick).toBe(1);
	});

	it('a func= breakpoint given at the start stops inside the boot, counts one hit, and continue goes on from there', () => {
		const src = prog('vfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nexec other', '', 'frames=64') + 'program other\nexit 0\nend\n';
		const dbg = new Debugger(parse(src), undefined, ['func=exec_mmap']);
		expect(dbg.lastStop).toMatchObject({reason: 'break', tick: 0, hit: {spec: 'func=exec_mmap', kstep: 2}});
		expect(dbg.inside).toMatchObject({tick: 0, seq: 2});
		expect(dbg.breakpoints[0]!.hits).toBe(1);
		// the next exec_mmap is the vfork child's exec
		const next = dbg.continue();
		expect(next).toMatchObject({reason: 'break', hit: {spec: 'func=exec_mmap'}});
		expect(dbg.tick).toBeGreaterThan(0);
		expect(dbg.kstepDump()!.stack.at(-1)!.args).toMatchObject({pid: 2});
	});

	it('reverse-continue finds a func= entry of the boot: from a later tick, and from inside the boot before a later entry', () => {
		// exec_mmap is entered in the boot only: SRC forks nothing and execs nothing after it
		const dbg = new Debugger(parse(SRC), undefined, ['func=exec_mmap']);
		const atStart = structuredClone(dbg.lastStop);
		expect(atStart).toMatchObject({reason: 'break', tick: 0});
		const seq = dbg.inside!.seq;
		const there = stateHash(dbg.kernel);
		dbg.kstep('leave');
		dbg.step(2);
		const back = dbg.reverseContinue();
		expect(back).toMatchObject({reason: 'break', tick: 0, hit: {spec: 'func=exec_mmap', kstep: seq}});
		expect(dbg.inside).toMatchObject({tick: 0, seq});
		expect(fns(dbg)).toEqual(['do_execve', 'exec_mmap']);
		expect(stateHash(dbg.kernel)).toBe(there);
		expect(dbg.breakpoints[0]!.hits).toBe(2);
		// before that entry there is none: back to the start, no hit counted
		expect(dbg.reverseContinue().reason).toBe('start');
		expect(dbg.breakpoints[0]!.hits).toBe(2);
		// from inside the boot after the entry (mm_release, one step into exec_mmap's work), R goes to it
		dbg.gotoKStep(0, seq + 1);
		expect(dbg.reverseContinue()).toMatchObject({reason: 'break', tick: 0, hit: {kstep: seq}});
		expect(dbg.inside).toMatchObject({tick: 0, seq});
	});

	it('pid=1 narrows a func= breakpoint to the boot too; other breakpoints do not hit in it', () => {
		const dbg = new Debugger(parse(SRC), undefined, ['exec', 'func=do_execve:pid=1']);
		expect(dbg.lastStop).toMatchObject({reason: 'break', tick: 0, hit: {spec: 'func=do_execve:pid=1'}});
		expect(dbg.breakpoints.map((b) => b.hits)).toEqual([0, 1]);
		expect(new Debugger(parse(SRC), undefined, ['func=do_execve:pid=2']).lastStop.reason).toBe('start');
	});
});

describe('cowdbg run and the boot', () => {
	const bin = join(process.cwd(), 'dist', 'cli.js');
	const cowdbg = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', input: ''});

	it('run --break func=do_execve --state - stops at tick 0 inside do_execve, the log not repeated', () => {
		const r = cowdbg('run', 'fork-cow', '--break', 'func=do_execve', '--state', '-');
		expect(r.status).toBe(0);
		expect(r.stderr).toMatch(/^ +0 {2}breakpoint hit: func=do_execve\n +0 {2}end: break, 61\/64 frames free, 0 expect\(s\) failed\n$/);
		const dump = JSON.parse(r.stdout) as {tick: number; kstep: {seq: number; stack: {fn: string}[]}; mms: unknown[]};
		expect([dump.tick, dump.kstep.seq, dump.kstep.stack.map((f) => f.fn), dump.mms]).toEqual([0, 0, ['do_execve'], []]);
	});

	it('--ftrace prints the boot as pid 1 calling do_execve', () => {
		const lines = cowdbg('run', 'fork-cow', '--ftrace').stdout.split('\n');
		expect(lines[4]).toBe('      0)     1  |  do_execve(pid=1, program=init) {');
		expect(lines).toContain('      0)     1  |    exec_mmap(pid=1, mm=1, old_mm=null) {');
	});
});
