// The machine: boot, and one tick at a time (the timer interrupt, schedule(),
// the task's instruction, the signals taken on the way back to user mode).
// The instruction itself runs in cpu.ts, system calls through syscall.ts.
// Pure: the state goes in, events come out as data.

import {finishWait} from './completion.js';
import {execute} from './cpu.js';
import type {KernelEvent} from './events.js';
import {doExecve} from './exec.js';
import {coredumpResume, deliverSignal, endRun, finishExit} from './exit.js';
import {markExpectReached, newExpectsReached} from './expects.js';
import {newTask} from './fork.js';
import {allocThreadStack, createFrameTable} from './page-alloc.js';
import {eraVersion, type BootImage, type Config} from './program.js';
import {schedule, wakeUpProcess} from './sched.js';
import type {KernelState, Registers, Task} from './types.js';
import {ENOMEM} from './uapi.js';

/** The effective configuration: commit_limit defaults to the number of frames. */
export function effectiveConfig(config: Config): KernelState['config'] {
	return {...config, commit_limit: config.commit_limit ?? config.frames};
}

/** Boot: pid 1 execs the init program at tick 0. Its events are in k.events. */
export function boot(scenario: BootImage, config: Config = scenario.config): KernelState {
	const k = bootStart(scenario, config);
	stepTick(k);
	return k;
}

/**
 * The machine before tick 0 (its tick is -1): pid 1, kernel_init, forked from
 * pid 0 (rest_init → kernel_thread) with the kernel stack dup_task_struct
 * gave it, not yet running its program. stepTick on it runs tick 0, the boot
 * (bootTick), so a debugger can step into the boot as into any tick.
 */
export function bootStart(scenario: BootImage, config: Config = scenario.config): KernelState {
	const cfg = effectiveConfig(config);
	// No prototype: `exec constructor` must find no program, not Object's constructor.
	const programs: KernelState['programs'] = Object.create(null) as KernelState['programs'];
	for (const p of scenario.programs) programs[p.name] = p;
	const k: KernelState = {
		config: cfg,
		programs,
		tick: -1,
		frames: createFrameTable(cfg.frames),
		pageCache: new Map(),
		textFrames: new Map(),
		shmem: new Map(),
		nextShmem: 1,
		mms: new Map(),
		nextMm: 1,
		tasks: new Map(),
		nextPid: 2,
		completions: new Map(),
		nextCompletion: 1,
		nextPin: 1,
		runQueue: [],
		current: null,
		lastRan: null,
		ran: 0,
		timers: [],
		committed: 0,
		ended: null,
		expectsFailed: 0,
		expectsReached: eraExpectsReached(programs, cfg),
		events: [],
		trace: null,
	};
	const init = newTask({pid: 1, ppid: 0, comm: scenario.init, program: scenario.init, mm: null, pc: 0, regs: zeroRegs()});
	k.tasks.set(1, init);
	k.runQueue.push(1);
	// kernel_init is forked from pid 0 (rest_init → kernel_thread): dup_task_struct gives it a stack.
	const stack = allocThreadStack(k.frames, cfg.kernel);
	if (stack !== null) init.kstack = stack;
	return k;
}

/** Tick 0: kernel_init → init_post → run_init_process → do_execve of the init program ("No working init found." without one). */
function bootTick(k: KernelState): KernelEvent[] {
	const events: KernelEvent[] = [];
	k.events = events;
	k.tick = 0;
	const init = k.tasks.get(1)!;
	const r = init.kstack.length === 0 ? ENOMEM : doExecve(k, init, init.program);
	if (r < 0) {
		k.events.push({tick: 0, type: 'panic', text: 'No working init found.'});
		endRun(k, 'panic');
	}
	return events;
}

/** The reached-map at boot: an `expect … on ERA` for the other era counts as reached, never as unreached. */
function eraExpectsReached(programs: KernelState['programs'], cfg: Config): Uint8Array {
	const reached = newExpectsReached(programs);
	const era = eraVersion(cfg.kernel);
	for (const name of Object.keys(programs)) {
		for (const ins of programs[name]!.code) if (ins.op === 'expect' && ins.era !== null && ins.era !== era) markExpectReached(programs, reached, ins);
	}
	return reached;
}

export function zeroRegs(): Registers {
	return {ret: 0, status: 0, signal: 0, core: 0, r0: 0, r1: 0, r2: 0, r3: 0, r4: 0, r5: 0, r6: 0, r7: 0};
}

/** Execute the next tick. Returns its events (also left in k.events). */
export function stepTick(k: KernelState): KernelEvent[] {
	const events: KernelEvent[] = [];
	k.events = events;
	if (k.ended !== null) return events;
	if (k.tick < 0) return bootTick(k);
	k.tick++;
	if (k.timers.length > 0) wakeTimers(k);
	const task = schedule(k, k.lastRan);
	if (task !== null) {
		k.ran++;
		runTask(k, task);
	}
	k.lastRan = task === null ? null : task.pid;
	if (k.ended === null && k.tick >= k.config.max_ticks) endRun(k, 'max-ticks');
	return events;
}

function wakeTimers(k: KernelState): void {
	const due = k.timers.filter((t) => t.until <= k.tick);
	if (due.length === 0) return;
	k.timers = k.timers.filter((t) => t.until > k.tick);
	for (const {pid} of due) {
		const task = k.tasks.get(pid);
		if (task !== undefined && task.state === 'S' && task.wait.kind === 'timer') wakeUpProcess(k, task, 'timer');
	}
}

/** The task's tick: back from a vfork wait, a pending signal, or its next instruction. */
export function runTask(k: KernelState, task: Task): void {
	if (task.childReturn !== null) {
		// ret_from_fork: the child's side of the call returns 0
		k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name: task.childReturn, ret: 0, child_return: true});
		task.childReturn = null;
	}
	if (task.exiting !== null) {
		// woken by coredump_finish in exit_mm: do_exit goes on
		finishExit(k, task);
		return;
	}
	const wait = task.wait;
	if (wait.kind === 'core-startup') {
		coredumpResume(k, task, wait.id);
		return;
	}
	if (wait.kind === 'completion') {
		// Back from wait_for_completion(): do_fork returns the child's pid.
		finishWait(k, task, wait.id);
		task.wait = {kind: 'none'};
		task.regs.ret = wait.child;
		task.pc++;
		k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name: wait.name, ret: wait.child, child: wait.child, cost: wait.cost});
	} else if (task.pending.length > 0) {
		deliverSignal(k, task);
		return;
	} else {
		execute(k, task);
	}
	// Signals are taken on the way back to user mode.
	if (task.pending.length > 0 && task.state === 'R' && k.ended === null) deliverSignal(k, task);
}
