// kernel/fork.c: do_fork → copy_process → copy_mm → dup_mm → dup_mmap, and
// mm/memory.c: copy_page_range → copy_one_pte.

import {complete, initCompletion, waitForCompletion} from './completion.js';
import type {CompletionVia, ForkCost} from './events.js';
import {isCowMapping} from './memory.js';
import {exitMmap, vmaLink, mmAlloc, vmaPages, vmEnoughMemory} from './mmap.js';
import {shmemGet} from './filemap.js';
import {allocPgtable} from './page-alloc.js';
import {forEachLeaf, pteAlloc, ptePfn} from './pgtable.js';
import {sleepOn, wakeUpNewTask} from './sched.js';
import {
	PAGE_SIZE,
	PTE_ACCESSED,
	PTE_DIRTY,
	PTE_PRESENT,
	PTE_RW,
	VM_ACCOUNT,
	VM_DONTCOPY,
	VM_LOCKED,
	VM_SHARED,
	type KernelState,
	type MmStruct,
	type Task,
	type Vma,
} from './types.js';
import {CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM, EINVAL, ENOMEM} from './uapi.js';

/** A task as copy_process leaves it: runnable, nothing pending, no children. */
export function newTask(t: Pick<Task, 'pid' | 'ppid' | 'comm' | 'program' | 'mm' | 'pc' | 'regs'> & Partial<Task>): Task {
	return {
		state: 'R',
		vforkDone: null,
		sigaltstack: false,
		pending: [],
		children: [],
		exitCode: 0,
		exitSignal: 0,
		coreDumped: false,
		wait: {kind: 'none'},
		progress: 0,
		childReturn: null,
		...t,
	};
}

export type ForkResult = {ret: number; blocked: boolean};

function syscallEvent(k: KernelState, task: Task, name: string, ret: number, child?: number, cost?: ForkCost): void {
	if (child === undefined) k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name, ret});
	else k.events.push({tick: k.tick, type: 'syscall', pid: task.pid, name, ret, child, cost});
}

/**
 * do_fork(). `name` is the system call (fork, vfork, clone) for the log.
 * Returns the parent's return value, or blocked when it sleeps on vfork.
 */
export function doFork(k: KernelState, parent: Task, cloneFlags: number, name: string): ForkResult {
	if (name === 'fork' && k.config.mmu === 'off') {
		// arch/arm/kernel/sys_arm.c sys_fork(): "can not support in nommu mode"
		syscallEvent(k, parent, name, EINVAL);
		return {ret: EINVAL, blocked: false};
	}
	const cost: ForkCost = {vmas: 0, ptes: 0, pgtables: 0};
	const child = copyProcess(k, parent, cloneFlags, name, cost);
	if (typeof child === 'number') {
		syscallEvent(k, parent, name, child);
		return {ret: child, blocked: false};
	}
	if ((cloneFlags & CLONE_VFORK) !== 0) {
		child.vforkDone = initCompletion(k, parent);
	}
	wakeUpNewTask(k, parent, child);
	if ((cloneFlags & CLONE_VFORK) !== 0) {
		const id = child.vforkDone!;
		sleepOn(k, parent, 'D', 'vfork', {kind: 'completion', id, child: child.pid, name, cost});
		waitForCompletion(k, parent, id);
		return {ret: child.pid, blocked: true};
	}
	syscallEvent(k, parent, name, child.pid, child.pid, cost);
	return {ret: child.pid, blocked: false};
}

/** copy_process(): a new task, or -errno. */
function copyProcess(k: KernelState, parent: Task, flags: number, name: string, cost: ForkCost): Task | number {
	if ((flags & CLONE_SIGHAND) !== 0 && (flags & CLONE_VM) === 0) return EINVAL;
	if ((flags & CLONE_THREAD) !== 0 && (flags & CLONE_SIGHAND) === 0) return EINVAL;
	const mm = copyMm(k, parent, flags, cost);
	if (mm < 0) return mm;
	const pid = k.nextPid++;
	const child = newTask({
		pid,
		ppid: parent.pid,
		comm: parent.comm,
		program: parent.program,
		mm,
		pc: parent.pc + 1, // returns from the call to the next instruction
		regs: {...parent.regs, ret: 0},
		// sigaltstack should be cleared when sharing the same VM
		sigaltstack: (flags & (CLONE_VM | CLONE_VFORK)) === CLONE_VM ? false : parent.sigaltstack,
		childReturn: name,
	});
	k.tasks.set(pid, child);
	parent.children.push(pid);
	return child;
}

/** copy_mm(): share the mm with CLONE_VM, else dup_mm. Returns the mm id (>= 1) or -errno. */
function copyMm(k: KernelState, parent: Task, flags: number, cost: ForkCost): number {
	const oldmm = k.mms.get(parent.mm!)!;
	if ((flags & CLONE_VM) !== 0) {
		oldmm.users++;
		return oldmm.id;
	}
	const mm = dupMm(k, oldmm, cost);
	return typeof mm === 'number' ? mm : mm.id;
}

/** dup_mm(): a new mm_struct whose mappings are the parent's, via dup_mmap. */
export function dupMm(k: KernelState, oldmm: MmStruct, cost: ForkCost): MmStruct | number {
	const mm = mmAlloc(k);
	if (k.config.mmu === 'on') {
		const pgd = allocPgtable(k.frames); // mm_init() → mm_alloc_pgd()
		if (pgd < 0) {
			k.mms.delete(mm.id);
			return ENOMEM;
		}
		mm.pgd = pgd;
		mm.pgtables = 1;
	}
	mm.names = new Map(oldmm.names);
	mm.mmapBase = oldmm.mmapBase;
	const err = dupMmap(k, mm, oldmm, cost);
	cost.pgtables = mm.pgtables;
	if (err !== 0) {
		// free_pt: mmput() tears the half-built mm down
		mmput(k, mm);
		return err;
	}
	mm.hiwaterRss = mm.rss;
	mm.hiwaterVm = mm.totalVm;
	return mm;
}

/**
 * dup_mmap(): walk the parent's VMAs in order. No-MMU has none to copy
 * (kernel/fork.c defines dup_mmap as 0 without CONFIG_MMU).
 */
function dupMmap(k: KernelState, mm: MmStruct, oldmm: MmStruct, cost: ForkCost): number {
	if (k.config.mmu === 'off') return 0;
	for (const mpnt of oldmm.vmas) {
		cost.vmas++;
		if ((mpnt.flags & VM_DONTCOPY) !== 0) continue; // mm->total_vm -= pages
		if ((mpnt.flags & VM_ACCOUNT) !== 0 && !vmEnoughMemory(k, vmaPages(mpnt))) return ENOMEM;
		const tmp: Vma = {...mpnt, flags: mpnt.flags & ~VM_LOCKED};
		if (tmp.shmem !== null) shmemGet(k, tmp.shmem);
		vmaLink(mm, tmp);
		const err = copyPageRange(k, mm, oldmm, mpnt, cost);
		if (err !== 0) return err;
	}
	return 0;
}

/**
 * copy_page_range(): nothing to do for a VMA without anon pages (its pages
 * fault back from their cache); else every present PTE through copy_one_pte.
 */
function copyPageRange(k: KernelState, dst: MmStruct, src: MmStruct, vma: Vma, cost: ForkCost): number {
	if (!vma.anonVma) return 0;
	const t = k.frames;
	const refcount = t.refcount;
	const mapcount = t.mapcount;
	const cow = isCowMapping(vma.flags);
	const shared = (vma.flags & VM_SHARED) !== 0;
	// copy_one_pte(): write-protect both sides of a COW mapping; the child's copy is old (and clean if shared).
	const clear = (cow ? PTE_RW : 0) | PTE_ACCESSED | (shared ? PTE_DIRTY : 0);
	const wrprotect = cow ? ~PTE_RW : ~0;
	let failed = false;
	let copied = 0;
	let rss = 0;
	forEachLeaf(t, src.pgd, vma.start / PAGE_SIZE, vma.end / PAGE_SIZE, (leaf, from, to, base) => {
		if (failed) return;
		let dstLeaf: Int32Array | undefined;
		for (let i = from; i < to; i++) {
			const pte = leaf[i]!;
			if ((pte & PTE_PRESENT) === 0) continue;
			if (dstLeaf === undefined) {
				dstLeaf = pteAlloc(t, dst, base + i);
				if (dstLeaf === undefined) {
					failed = true;
					return;
				}
			}
			leaf[i] = pte & wrprotect; // pte_wrprotect() in the parent
			dstLeaf[i] = pte & ~clear;
			const pfn = ptePfn(pte);
			mapcount[pfn]++; // page_dup_rmap(); the zero page's is a display count
			if (pfn !== 0) {
				refcount[pfn]++; // get_page()
				rss++;
			}
			copied++;
		}
	});
	cost.ptes += copied;
	dst.rss += rss;
	if (dst.rss > dst.hiwaterRss) dst.hiwaterRss = dst.rss;
	return failed ? ENOMEM : 0;
}

/** mmput() (kernel/fork.c): drop a user; the last one tears the address space down. */
export function mmput(k: KernelState, mm: MmStruct): void {
	if (--mm.users > 0) return;
	exitMmap(k, mm);
	k.mms.delete(mm.id);
}

/**
 * mm_release() (kernel/fork.c): notify a parent sleeping on vfork. Called by
 * exit_mm and exec_mmap; coredump_wait does the same for a dying task.
 */
export function mmRelease(k: KernelState, task: Task, via: CompletionVia): void {
	const vforkDone = task.vforkDone;
	if (vforkDone === null) return;
	task.vforkDone = null;
	complete(k, vforkDone, task, via);
}
