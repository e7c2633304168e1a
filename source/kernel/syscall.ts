// The system-call table (arch/x86/kernel/syscall_table_32.S in 2.6.32): one
// entry per system call a program makes, each calling the kernel function
// that implements it. The CPU (cpu.ts) has already loaded the call's operand,
// as it would into a register: exit's code, kill's pid, wait's pid (null for
// "any child"); a read of that operand that faulted never reaches the table.

import type {SyscallName} from './events.js';
import {doExecve} from './exec.js';
import {doExit, doWait} from './exit.js';
import {doFork} from './fork.js';
import {doMadvise, doMlock, doMmap, doMprotect, doMunlock, doMunmap} from './mmap.js';
import type {Instruction, Operand} from './program.js';
import {isLive, sleepOn} from './sched.js';
import {sendSignal} from './signal.js';
import type {KernelState, MmStruct, Task} from './types.js';
import {CLONE_VFORK, CLONE_VM, EFAULT, ENOMEM, ENOSYS, ESRCH, SIGCHLD_FLAG, signalNumbers} from './uapi.js';
import {pinUserPage, unpinUserPage} from './gup.js';

/** The instructions that are system calls. */
export type SyscallOp = Extract<Instruction['op'], SyscallName | 'exit'>;
export type SyscallInstruction = Extract<Instruction, {op: SyscallOp}>;

type Entry<Op extends SyscallOp> = (k: KernelState, task: Task, mm: MmStruct | undefined, ins: Extract<Instruction, {op: Op}>, arg: number | null) => void;

/** The return to user space of a call that completed: the value in ret, and the event. */
function sysret(k: KernelState, task: Task, name: SyscallName, ret: number): void {
	task.regs.ret = ret;
	task.pc++;
	k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name, ret});
}

const FORK_FLAGS = SIGCHLD_FLAG;
const VFORK_FLAGS = CLONE_VFORK | CLONE_VM | SIGCHLD_FLAG;

/** sys_fork, sys_vfork and sys_clone: do_fork with their flags. */
function forkEntry(k: KernelState, task: Task, ins: Extract<Instruction, {op: 'fork' | 'vfork' | 'clone'}>): void {
	const flags = ins.op === 'fork' ? FORK_FLAGS : ins.op === 'vfork' ? VFORK_FLAGS : ins.flags;
	const r = doFork(k, task, flags, ins.op);
	if (r.blocked) return; // the pc moves when do_fork returns, after the completion
	task.regs.ret = r.ret;
	task.pc++;
}

const table: {[Op in SyscallOp]: Entry<Op>} = {
	mmap: (k, task, mm, ins) =>
		sysret(
			k,
			task,
			'mmap',
			mm === undefined ? ENOMEM : doMmap(k, mm, {region: ins.region, pages: ins.pages, prot: ins.prot, shared: ins.shared, at: ins.at}),
		),
	munmap: (k, task, mm, ins) => sysret(k, task, 'munmap', mm === undefined ? 0 : doMunmap(k, mm, ins.region)),
	// mm/Makefile builds mprotect.o, mlock.o and madvise.o only with CONFIG_MMU (2.6.32 and 6.18 alike):
	// without an MMU these calls are sys_ni_syscall, -ENOSYS.
	mprotect: (k, task, mm, ins) =>
		sysret(k, task, 'mprotect', k.config.mmu === 'off' ? ENOSYS : mm === undefined ? ENOMEM : doMprotect(k, mm, ins.region, ins.prot)),
	madvise: (k, task, mm, ins) =>
		sysret(k, task, 'madvise', k.config.mmu === 'off' ? ENOSYS : mm === undefined ? ENOMEM : doMadvise(k, mm, ins.region, ins.advice)),
	mlock: (k, task, mm, ins) => {
		const r = k.config.mmu === 'off' ? ENOSYS : mm === undefined ? ENOMEM : doMlock(k, task, mm, ins.region);
		sysret(k, task, 'mlock', typeof r === 'number' ? r : ENOMEM);
	},
	munlock: (k, task, mm, ins) => sysret(k, task, 'munlock', k.config.mmu === 'off' ? ENOSYS : mm === undefined ? ENOMEM : doMunlock(mm, ins.region)),
	fork: (k, task, _mm, ins) => forkEntry(k, task, ins),
	vfork: (k, task, _mm, ins) => forkEntry(k, task, ins),
	clone: (k, task, _mm, ins) => forkEntry(k, task, ins),
	exec: (k, task, _mm, ins) => {
		const r = doExecve(k, task, ins.program);
		if (r < 0) sysret(k, task, 'exec', r);
	},
	exit: (k, task, _mm, _ins, code) => doExit(k, task, ((code! % 256) + 256) % 256, 0, false),
	kill: (k, task, _mm, ins, pid) => {
		const target = k.tasks.get(pid!);
		if (target === undefined || target.state === 'X') {
			sysret(k, task, 'kill', ESRCH);
			return;
		}
		sysret(k, task, 'kill', 0);
		// prepare_signal(): a zombie (not yet reaped) still exists, so kill() succeeds,
		// but "the process is in the middle of dying, nothing to do".
		// sig_task_ignored(): init (SIGNAL_UNKILLABLE) ignores every signal sent to it with the default action.
		if (isLive(target) && target.pid !== 1) sendSignal(k, target, signalNumbers[ins.signal]);
	},
	wait: (k, task, _mm, ins, pid) => {
		const r = doWait(k, task, pid, ins.options);
		if (r === null) return; // asleep until a child exits; wait runs again then
		sysret(k, task, 'wait', r);
	},
	sleep: (k, task, _mm, ins) => {
		sysret(k, task, 'sleep', 0);
		k.timers.push({pid: task.pid, until: k.tick + ins.ticks + 1});
		sleepOn(k, task, 'S', 'sleep', {kind: 'timer', until: k.tick + ins.ticks + 1});
	},
	yield: (k, task) => {
		sysret(k, task, 'yield', 0);
		k.ran = k.config.quantum; // sched_yield(): to the tail of the run queue
	},
	// sys_getpid(): the thread group id
	getpid: (k, task) => sysret(k, task, 'getpid', task.tgid),
	// sys_getppid(): current->real_parent->tgid
	getppid: (k, task) => sysret(k, task, 'getppid', k.tasks.get(task.ppid)?.tgid ?? task.ppid),
	pin: (k, task, mm, _ins, va) => sysret(k, task, 'pin', mm === undefined ? EFAULT : pinUserPage(k, task, mm, va!)),
	unpin: (k, task, _mm, _ins, id) => sysret(k, task, 'unpin', unpinUserPage(k, task, id!)),
	sigaltstack: (k, task, _mm, ins) => {
		task.sigaltstack = ins.on;
		sysret(k, task, 'sigaltstack', 0);
	},
};

/** The system call's entry, or undefined for an instruction that runs in user space. */
export function syscallEntry(ins: Instruction): Entry<SyscallOp> | undefined {
	return Object.hasOwn(table, ins.op) ? (table[ins.op as SyscallOp] as Entry<SyscallOp>) : undefined;
}

/** The operand the CPU loads before the call, or null for a call that takes none. */
export function syscallOperand(ins: Instruction): Operand | null {
	switch (ins.op) {
		case 'exit':
			return ins.code;
		case 'kill':
			return ins.target;
		case 'wait':
			return ins.pid;
		case 'unpin':
			return ins.id;
		default:
			return null;
	}
}
