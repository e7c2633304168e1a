// The machine: boot, one tick at a time, and the instructions a task executes
// (the system calls and user accesses of SPEC §2.3). Pure: the state goes in,
// events come out as data.

import type {Address, BootImage, CompareOp, Config, Instruction, Operand} from './program.js';
import {finishWait} from './completion.js';
import type {Access, KernelEvent} from './events.js';
import {doExecve} from './exec.js';
import {deliverSignal, doExit, doWait, endRun, isLive} from './exit.js';
import {markExpectReached, newExpectsReached} from './expects.js';
import {doFork, newTask} from './fork.js';
import {userAccess} from './memory.js';
import {
	doMadvise,
	doMlock,
	doMmap,
	doMprotect,
	doMunlock,
	doMunmap,
	findRegion,
	vmaPages,
} from './mmap.js';
import {nommuAccess} from './nommu.js';
import {createFrameTable} from './page-alloc.js';
import {schedule, sleepOn, wakeUpProcess} from './sched.js';
import {sendSignal} from './signal.js';
import {PAGE_SIZE, TEXT_START, type KernelState, type MmStruct, type Registers, type Task} from './types.js';
import {CLONE_VFORK, CLONE_VM, ENOMEM, ESRCH, SIGCHLD_FLAG, signalNumbers} from './uapi.js';

/** The effective configuration: commit_limit defaults to the number of frames. */
export function effectiveConfig(config: Config): KernelState['config'] {
	return {...config, commit_limit: config.commit_limit ?? config.frames};
}

/** Boot: pid 1 execs the init program at tick 0. Its events are in k.events. */
export function boot(scenario: BootImage, config: Config = scenario.config): KernelState {
	const cfg = effectiveConfig(config);
	// No prototype: `exec constructor` must find no program, not Object's constructor.
	const programs: KernelState['programs'] = Object.create(null) as KernelState['programs'];
	for (const p of scenario.programs) programs[p.name] = p;
	const k: KernelState = {
		config: cfg,
		programs,
		tick: 0,
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
		runQueue: [],
		current: null,
		lastRan: null,
		ran: 0,
		timers: [],
		committed: 0,
		ended: null,
		expectsFailed: 0,
		expectsReached: newExpectsReached(programs),
		events: [],
	};
	const init = newTask({pid: 1, ppid: 0, comm: scenario.init, program: scenario.init, mm: null, pc: 0, regs: zeroRegs()});
	k.tasks.set(1, init);
	k.runQueue.push(1);
	const r = doExecve(k, init, scenario.init);
	if (r < 0) {
		k.events.push({tick: 0, type: 'panic', text: 'No working init found.'});
		endRun(k, 'panic');
	}
	return k;
}

export function zeroRegs(): Registers {
	return {ret: 0, status: 0, signal: 0, core: 0, r0: 0, r1: 0, r2: 0, r3: 0, r4: 0, r5: 0, r6: 0, r7: 0};
}

/** Execute the next tick. Returns its events (also left in k.events). */
export function stepTick(k: KernelState): KernelEvent[] {
	const events: KernelEvent[] = [];
	k.events = events;
	if (k.ended !== null) return events;
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

function runTask(k: KernelState, task: Task): void {
	if (task.childReturn !== null) {
		// ret_from_fork: the child's side of the call returns 0
		k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name: task.childReturn, ret: 0, child_return: true});
		task.childReturn = null;
	}
	const wait = task.wait;
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

function memAccess(k: KernelState, task: Task, mm: MmStruct | undefined, va: number, access: Access, value: number): number | null {
	if (k.config.mmu === 'off') return nommuAccess(k, task, mm, va, access, value);
	if (mm === undefined) return null;
	const r = userAccess(k, task, mm, va, access, value);
	return r.ok ? r.value : null;
}

export function resolveAddress(mm: MmStruct | undefined, addr: Address): number {
	if (addr.kind === 'absolute') return addr.value;
	const base = mm?.names.get(addr.region) ?? 0;
	return base + addr.page * PAGE_SIZE + addr.offset;
}

function evalOperand(k: KernelState, task: Task, mm: MmStruct | undefined, op: Operand): number | null {
	switch (op.kind) {
		case 'int':
			return op.value;
		case 'reg':
			return task.regs[op.reg];
		case 'mem':
			return memAccess(k, task, mm, resolveAddress(mm, op.addr), 'read', 0);
	}
}

export function compare(a: number, op: CompareOp, b: number): boolean {
	switch (op) {
		case '==':
			return a === b;
		case '!=':
			return a !== b;
		case '<':
			return a < b;
		case '<=':
			return a <= b;
		case '>':
			return a > b;
		case '>=':
			return a >= b;
	}
}

/** 64-bit wrap-around for register arithmetic; exact while the result is a safe integer. */
function wrap64(n: number): number {
	if (Number.isSafeInteger(n)) return n;
	return Number(BigInt.asIntN(64, BigInt(Math.trunc(n))));
}

function syscall(k: KernelState, task: Task, name: string, ret: number): void {
	task.regs.ret = ret;
	k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name, ret});
}

const FORK_FLAGS = SIGCHLD_FLAG;
const VFORK_FLAGS = CLONE_VFORK | CLONE_VM | SIGCHLD_FLAG;

function execute(k: KernelState, task: Task): void {
	const code = k.programs[task.program]!.code;
	if (task.pc >= code.length) {
		// Falling off the end of the program returns from main: exit(0).
		doExit(k, task, 0, 0, false);
		return;
	}
	const mm = task.mm === null ? undefined : k.mms.get(task.mm);
	if (k.config.mmu === 'on') {
		// Instruction fetch: the text page must be mapped executable.
		if (memAccess(k, task, mm, TEXT_START + task.pc * 4, 'exec', 0) === null) return;
	}
	const ins = code[task.pc]!;
	executeInstruction(k, task, mm, ins);
}

function executeInstruction(k: KernelState, task: Task, mm: MmStruct | undefined, ins: Instruction): void {
	switch (ins.op) {
		case 'read': {
			const v = memAccess(k, task, mm, resolveAddress(mm, ins.addr), 'read', 0);
			if (v === null) return;
			task.regs.ret = v;
			task.pc++;
			return;
		}
		case 'write': {
			const value = evalOperand(k, task, mm, ins.value);
			if (value === null) return;
			if (memAccess(k, task, mm, resolveAddress(mm, ins.addr), 'write', value) === null) return;
			task.pc++;
			return;
		}
		case 'touch': {
			const vma = mm === undefined ? undefined : findRegion(mm, ins.region);
			const pages = vma === undefined ? 1 : vmaPages(vma);
			const base = mm?.names.get(ins.region) ?? 0;
			const va = base + task.progress * PAGE_SIZE;
			let value = task.progress;
			if (ins.value !== null) {
				const v = evalOperand(k, task, mm, ins.value);
				if (v === null) return;
				value = v;
			}
			if (memAccess(k, task, mm, va, ins.access, value) === null) return;
			if (++task.progress >= pages) {
				task.progress = 0;
				task.pc++;
			}
			return;
		}
		case 'mmap': {
			const r = mm === undefined ? ENOMEM : doMmap(k, mm, {region: ins.region, pages: ins.pages, prot: ins.prot, shared: ins.shared, at: ins.at});
			syscall(k, task, 'mmap', r);
			task.pc++;
			return;
		}
		case 'munmap':
			syscall(k, task, 'munmap', mm === undefined ? 0 : doMunmap(k, mm, ins.region));
			task.pc++;
			return;
		case 'mprotect':
			syscall(k, task, 'mprotect', mm === undefined ? ENOMEM : doMprotect(k, mm, ins.region, ins.prot));
			task.pc++;
			return;
		case 'madvise':
			syscall(k, task, 'madvise', mm === undefined ? ENOMEM : doMadvise(mm, ins.region, ins.advice));
			task.pc++;
			return;
		case 'mlock': {
			const r = mm === undefined ? ENOMEM : doMlock(k, task, mm, ins.region);
			syscall(k, task, 'mlock', typeof r === 'number' ? r : ENOMEM);
			task.pc++;
			return;
		}
		case 'munlock':
			syscall(k, task, 'munlock', mm === undefined ? ENOMEM : doMunlock(mm, ins.region));
			task.pc++;
			return;
		case 'fork':
		case 'vfork':
		case 'clone': {
			const flags = ins.op === 'fork' ? FORK_FLAGS : ins.op === 'vfork' ? VFORK_FLAGS : ins.flags;
			const r = doFork(k, task, flags, ins.op);
			if (r.blocked) return; // the pc moves when do_fork returns, after the completion
			task.regs.ret = r.ret;
			task.pc++;
			return;
		}
		case 'exec': {
			const r = doExecve(k, task, ins.program);
			if (r < 0) {
				syscall(k, task, 'exec', r);
				task.pc++;
			}
			return;
		}
		case 'exit': {
			const code = evalOperand(k, task, mm, ins.code);
			if (code === null) return;
			doExit(k, task, ((code % 256) + 256) % 256, 0, false);
			return;
		}
		case 'abort':
			// abort(3): raise(SIGABRT)
			task.pc++;
			sendSignal(k, task, signalNumbers.SIGABRT);
			return;
		case 'kill': {
			const pid = evalOperand(k, task, mm, ins.target);
			if (pid === null) return;
			const target = k.tasks.get(pid);
			task.pc++;
			if (target === undefined || target.state === 'X') {
				syscall(k, task, 'kill', ESRCH);
				return;
			}
			syscall(k, task, 'kill', 0);
			// prepare_signal(): a zombie (not yet reaped) still exists, so kill() succeeds,
			// but "the process is in the middle of dying, nothing to do".
			if (isLive(target)) sendSignal(k, target, signalNumbers[ins.signal]);
			return;
		}
		case 'wait': {
			let pid: number | null = null;
			if (ins.pid !== null) {
				pid = evalOperand(k, task, mm, ins.pid);
				if (pid === null) return;
			}
			const r = doWait(k, task, pid);
			if (r === null) return; // asleep until a child exits; wait runs again then
			syscall(k, task, 'wait', r);
			task.pc++;
			return;
		}
		case 'sleep':
			syscall(k, task, 'sleep', 0);
			task.pc++;
			k.timers.push({pid: task.pid, until: k.tick + ins.ticks + 1});
			sleepOn(k, task, 'S', 'sleep', {kind: 'timer', until: k.tick + ins.ticks + 1});
			return;
		case 'compute':
			if (++task.progress >= ins.ticks) {
				task.progress = 0;
				task.pc++;
			}
			return;
		case 'yield':
			syscall(k, task, 'yield', 0);
			task.pc++;
			k.ran = k.config.quantum; // sched_yield(): to the tail of the run queue
			return;
		case 'getpid':
			syscall(k, task, 'getpid', task.pid);
			task.pc++;
			return;
		case 'getppid':
			syscall(k, task, 'getppid', task.ppid);
			task.pc++;
			return;
		case 'sigaltstack':
			task.sigaltstack = ins.on;
			syscall(k, task, 'sigaltstack', 0);
			task.pc++;
			return;
		case 'set': {
			const v = evalOperand(k, task, mm, ins.value);
			if (v === null) return;
			task.regs[ins.reg] = v;
			task.pc++;
			return;
		}
		case 'add': {
			const v = evalOperand(k, task, mm, ins.value);
			if (v === null) return;
			task.regs[ins.reg] = wrap64(task.regs[ins.reg] + v);
			task.pc++;
			return;
		}
		case 'goto':
			task.pc = ins.target;
			return;
		case 'if': {
			const a = evalOperand(k, task, mm, ins.a);
			if (a === null) return;
			const b = evalOperand(k, task, mm, ins.b);
			if (b === null) return;
			task.pc = compare(a, ins.cmp, b) ? ins.target : task.pc + 1;
			return;
		}
		case 'expect': {
			const a = evalOperand(k, task, mm, ins.a);
			if (a === null) return;
			const b = evalOperand(k, task, mm, ins.b);
			if (b === null) return;
			const ok = compare(a, ins.cmp, b);
			if (!ok) k.expectsFailed++;
			markExpectReached(k.programs, k.expectsReached, ins);
			k.events.push({tick: k.tick, type: 'expect', pid: task.pid, ok, line: ins.pos.line, text: ins.text, actual: a});
			task.pc++;
			return;
		}
		case 'print':
			k.events.push({tick: k.tick, type: 'print', pid: task.pid, text: ins.message});
			task.pc++;
			return;
	}
}

/** Run to the end (or `limit` ticks), calling onEvents with each tick's events. */
export function runToEnd(k: KernelState, onEvents?: (events: KernelEvent[]) => void): void {
	if (onEvents !== undefined && k.tick === 0) onEvents(k.events);
	while (k.ended === null) {
		const events = stepTick(k);
		if (onEvents !== undefined && events.length > 0) onEvents(events);
	}
}
