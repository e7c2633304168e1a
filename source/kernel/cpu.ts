// The CPU side of a task: fetch the next instruction from the text page, load
// its operands, and run it: in user space (the accesses, arithmetic and control
// flow below), or through the system-call table (syscall.ts). The instructions
// are those of docs/scenario-language.md.

import type {Access} from './events.js';
import {doExit} from './exit.js';
import {markExpectReached} from './expects.js';
import {userAccess} from './memory.js';
import {findRegion, vmaPages} from './mmap.js';
import {nommuAccess} from './nommu.js';
import {eraVersion, type Address, type CompareOp, type Instruction, type Operand} from './program.js';
import {outOfMemory} from './oom.js';
import {pinnedFrame} from './gup.js';
import {readWord} from './page-alloc.js';
import {sendSignal} from './signal.js';
import {syscallEntry, syscallOperand, type SyscallOp} from './syscall.js';
import {PAGE_SIZE, TEXT_START, type KernelState, type MmStruct, type Task} from './types.js';
import {signalNumbers} from './uapi.js';

type UserInstruction = Exclude<Instruction, {op: SyscallOp}>;

/** A user access: through the MMU, or without one straight to memory. The value, or null when the access faulted. */
function memAccess(k: KernelState, task: Task, mm: MmStruct | undefined, va: number, access: Access, value: number): number | null {
	if (k.config.mmu === 'off') return nommuAccess(k, task, mm, va, access, value);
	if (mm === undefined) return null;
	const r = userAccess(k, task, mm, va, access, value);
	if (r.ok) return r.value;
	if (r.fault === 'oom') outOfMemory(k, task); // do_page_fault → pagefault_out_of_memory()
	return null;
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
		case 'era':
			return eraVersion(k.config.kernel);
		case 'pin': {
			const id = evalOperand(k, task, mm, op.id);
			if (id === null) return null;
			// the pinned frame's word, whatever maps it now (a pin nobody holds reads 0)
			const pfn = pinnedFrame(k, id);
			return pfn === null ? 0 : readWord(k.frames, pfn, Math.floor((op.offset % PAGE_SIZE) / 8));
		}
		case 'mem':
			return memAccess(k, task, mm, resolveAddress(mm, op.addr), 'read', 0);
	}
}

function compare(a: number, op: CompareOp, b: number): boolean {
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

/** Run the task's next instruction. */
export function execute(k: KernelState, task: Task): void {
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
	const entry = syscallEntry(ins);
	if (entry === undefined) {
		userInstruction(k, task, mm, ins as UserInstruction);
		return;
	}
	const operand = syscallOperand(ins);
	let arg: number | null = null;
	if (ins.op === 'pin') {
		arg = resolveAddress(mm, ins.addr); // the address itself, as vmsplice's iovec holds it
	} else if (operand !== null) {
		arg = evalOperand(k, task, mm, operand);
		if (arg === null) return;
	}
	entry(k, task, mm, ins as Extract<Instruction, {op: SyscallOp}>, arg);
}

function userInstruction(k: KernelState, task: Task, mm: MmStruct | undefined, ins: UserInstruction): void {
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
		case 'abort':
			// abort(3): raise(SIGABRT)
			task.pc++;
			sendSignal(k, task, signalNumbers.SIGABRT);
			return;
		case 'compute':
			if (++task.progress >= ins.ticks) {
				task.progress = 0;
				task.pc++;
			}
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
			if (ins.era !== null && ins.era !== eraVersion(k.config.kernel)) {
				task.pc++; // an expect for the other kernel era: skipped (and not counted unreached)
				return;
			}
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
