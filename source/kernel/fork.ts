// kernel/fork.c: do_fork → copy_process → copy_mm → dup_mm → dup_mmap, and
// mm/memory.c: copy_page_range → copy_pud_range → copy_pmd_range →
// copy_pte_range → copy_one_pte.

import {complete, initCompletion, waitForCompletion} from './completion.js';
import {hex, type CompletionVia, type ForkCost} from './events.js';
import {isCowMapping} from './memory.js';
import {exitMmap, flagsToProt, vmaLink, mmAlloc, vmaOwner, vmaPages, vmEnoughMemory} from './mmap.js';
import {shmemGet} from './filemap.js';
import {allocPage, allocPgtable, allocThreadStack, copyPage, freeThreadStack} from './page-alloc.js';
import {mkPte, ptePfn} from './pgtable.js';
import {sleepOn, wakeUpNewTask} from './sched.js';
import type {KernelTracer} from './trace.js';
import {
	FRAME_ANON,
	PAGE_SIZE,
	PTE_ACCESSED,
	PTE_DIRTY,
	PTE_NX,
	PTE_PRESENT,
	PTE_RW,
	PTE_USER,
	PTRS_PER_TABLE,
	VM_ACCOUNT,
	VM_DONTCOPY,
	VM_LOCKED,
	VM_SHARED,
	VM_WIPEONFORK,
	VM_WRITE,
	type FrameTable,
	type KernelState,
	type MmStruct,
	threadPages,
	type Task,
	type Vma,
} from './types.js';
import {CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM, EAGAIN, EINVAL, ENOMEM, SIGCHLD_FLAG, signalNumbers} from './uapi.js';

/** The exit signal's byte of the clone flags (CSIGNAL). */
const CSIGNAL = 0xff;

/** A task as copy_process leaves it: runnable, nothing pending, no children. */
export function newTask(t: Pick<Task, 'pid' | 'ppid' | 'comm' | 'program' | 'mm' | 'pc' | 'regs'> & Partial<Task>): Task {
	return {
		tgid: t.pid,
		state: 'R',
		killable: false,
		vforkDone: null,
		sigaltstack: false,
		pending: [],
		children: [],
		exitCode: 0,
		exitSignal: signalNumbers.SIGCHLD,
		killSignal: 0,
		coreDumped: false,
		kstack: [],
		pins: [],
		threads: 0,
		groupExit: null,
		memdie: false,
		exiting: null,
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

/** clone_flags as the kernel source spells them, for kernel steps. */
export function cloneFlagNames(flags: number): string {
	const names: string[] = [];
	if ((flags & CLONE_VFORK) !== 0) names.push('CLONE_VFORK');
	if ((flags & CLONE_VM) !== 0) names.push('CLONE_VM');
	if ((flags & CLONE_SIGHAND) !== 0) names.push('CLONE_SIGHAND');
	if ((flags & CLONE_THREAD) !== 0) names.push('CLONE_THREAD');
	if ((flags & 0xff) === SIGCHLD_FLAG) names.push('SIGCHLD');
	return names.length === 0 ? '0' : names.join('|');
}

/**
 * do_fork(). `name` is the system call (fork, vfork, clone) for the log.
 * Returns the parent's return value, or blocked when it sleeps on vfork.
 */
export function doFork(k: KernelState, parent: Task, cloneFlags: number, name: string): ForkResult {
	const tr = k.trace;
	if (name === 'fork' && k.config.mmu === 'off') {
		// arch/arm/kernel/sys_arm.c sys_fork(): "can not support in nommu mode"
		if (tr !== null) tr.note('sys_fork: no MMU, fork cannot be supported: -EINVAL (do_fork is not called)', {pid: parent.pid});
		syscallEvent(k, parent, name, EINVAL);
		return {ret: EINVAL, blocked: false};
	}
	if (tr !== null) tr.enter('do_fork', {pid: parent.pid, clone_flags: cloneFlagNames(cloneFlags)});
	const cost: ForkCost = {vmas: 0, ptes: 0, pgtables: 0};
	const child = copyProcess(k, parent, cloneFlags, name, cost);
	if (typeof child === 'number') {
		syscallEvent(k, parent, name, child);
		if (tr !== null) tr.exit('do_fork', {ret: child});
		return {ret: child, blocked: false};
	}
	if ((cloneFlags & CLONE_VFORK) !== 0) {
		child.vforkDone = initCompletion(k, parent);
		if (tr !== null) tr.note(`CLONE_VFORK: p->vfork_done = &vfork (completion ${child.vforkDone} on pid ${parent.pid}'s kernel stack)`, {pid: child.pid});
	}
	wakeUpNewTask(k, parent, child);
	if ((cloneFlags & CLONE_VFORK) !== 0) {
		const id = child.vforkDone!;
		sleepOn(k, parent, 'D', 'vfork', {kind: 'completion', id, child: child.pid, name, cost});
		// 6.18 wait_for_vfork_done(): wait_for_completion_killable, TASK_KILLABLE (2.6.32: TASK_UNINTERRUPTIBLE)
		parent.killable = k.config.kernel === '6.18';
		waitForCompletion(k, parent, id);
		if (tr !== null) tr.exit('do_fork', {ret: 'asleep'});
		return {ret: child.pid, blocked: true};
	}
	syscallEvent(k, parent, name, child.pid, child.pid, cost);
	if (tr !== null) tr.exit('do_fork', {ret: child.pid});
	return {ret: child.pid, blocked: false};
}

/** fork_init(): max_threads = totalram_pages / (8 * THREAD_SIZE / PAGE_SIZE), at least 20. */
export function maxThreads(k: KernelState): number {
	return Math.max(20, Math.floor(k.config.frames / (8 * threadPages(k.config.kernel))));
}

/** copy_process(): a new task, or -errno. */
function copyProcess(k: KernelState, parent: Task, flags: number, name: string, cost: ForkCost): Task | number {
	const tr = k.trace;
	if (tr !== null) tr.enter('copy_process', {clone_flags: cloneFlagNames(flags)});
	const fail = (err: number, why: string | null): number => {
		if (tr !== null) {
			if (why !== null) tr.note(why);
			tr.exit('copy_process', {ret: err});
		}
		return err;
	};
	if ((flags & CLONE_THREAD) !== 0 && (flags & CLONE_SIGHAND) === 0) {
		return fail(EINVAL, 'CLONE_THREAD without CLONE_SIGHAND: a thread group shares its signal handlers: -EINVAL');
	}
	if ((flags & CLONE_SIGHAND) !== 0 && (flags & CLONE_VM) === 0) {
		return fail(EINVAL, 'CLONE_SIGHAND without CLONE_VM: shared signal handlers need a shared VM: -EINVAL');
	}
	// dup_task_struct(): the task and its kernel stack (alloc_thread_info)
	if (tr !== null) tr.enter('dup_task_struct', {pid: parent.pid});
	const stack = allocThreadStack(k.frames, k.config.kernel);
	if (tr !== null) {
		tr.note(
			stack === null
				? 'no frames for the kernel stack (THREAD_SIZE): -ENOMEM'
				: `the kernel stack is pfn ${stack.join(',')} (THREAD_SIZE ${stack.length} pages)`,
		);
		tr.exit('dup_task_struct', {ret: stack === null ? ENOMEM : 0});
	}
	if (stack === null) return fail(ENOMEM, null);
	// "if (nr_threads >= max_threads) goto bad_fork_cleanup_count": every task not yet released counts
	if (k.tasks.size >= maxThreads(k)) {
		freeThreadStack(k.frames, stack); // bad_fork_free → free_task
		return fail(EAGAIN, `nr_threads ${k.tasks.size} >= max_threads ${maxThreads(k)}: -EAGAIN (the stack is freed)`);
	}
	const mm = copyMm(k, parent, flags, cost);
	if (mm < 0) {
		freeThreadStack(k.frames, stack);
		return fail(mm, null);
	}
	const pid = k.nextPid++;
	// sigaltstack should be cleared when sharing the same VM
	const clearAltstack = (flags & (CLONE_VM | CLONE_VFORK)) === CLONE_VM;
	const thread = (flags & CLONE_THREAD) !== 0;
	// CLONE_THREAD (and CLONE_PARENT): the creator's real parent is the child's; a
	// thread's exit_signal is -1, any other child's the low byte of the flags.
	const ppid = thread ? parent.ppid : parent.pid;
	const child = newTask({
		pid,
		tgid: thread ? parent.tgid : pid,
		ppid,
		comm: parent.comm,
		program: parent.program,
		mm,
		pc: parent.pc + 1, // returns from the call to the next instruction
		regs: {...parent.regs, ret: 0},
		sigaltstack: clearAltstack ? false : parent.sigaltstack,
		childReturn: name,
		exitSignal: thread ? -1 : flags & CSIGNAL,
		kstack: stack,
	});
	k.tasks.set(pid, child);
	if (thread) {
		const leader = k.tasks.get(child.tgid);
		if (leader !== undefined) leader.threads++;
	}
	// list_add_tail(&p->sibling, &p->real_parent->children); init's threads have no parent task
	k.tasks.get(ppid)?.children.push(pid);
	if (tr !== null) {
		if (clearAltstack && parent.sigaltstack)
			tr.note("CLONE_VM without CLONE_VFORK: the child's sigaltstack is cleared (it would share the parent's stack)");
		if (thread) tr.note(`CLONE_THREAD: pid ${pid} joins thread group ${child.tgid}; its parent is pid ${ppid}, its exit_signal -1`, {pid});
		tr.note(`pid ${pid}: a copy of pid ${parent.pid} on mm ${mm}; it will return 0 from ${name}`, {pid});
		tr.exit('copy_process', {ret: pid});
	}
	return child;
}

/** copy_mm(): share the mm with CLONE_VM, else dup_mm. Returns the mm id (>= 1) or -errno. */
function copyMm(k: KernelState, parent: Task, flags: number, cost: ForkCost): number {
	const tr = k.trace;
	const oldmm = k.mms.get(parent.mm!)!;
	if (tr !== null) tr.enter('copy_mm', {clone_flags: cloneFlagNames(flags), oldmm: oldmm.id});
	if ((flags & CLONE_VM) !== 0) {
		oldmm.users++;
		if (tr !== null) {
			tr.note(`CLONE_VM: the child shares mm ${oldmm.id}: mm_users ${oldmm.users - 1}→${oldmm.users}, dup_mm skipped`, {
				mm: oldmm.id,
				mm_users: oldmm.users,
			});
			tr.exit('copy_mm', {ret: oldmm.id});
		}
		return oldmm.id;
	}
	if (tr !== null) tr.note('no CLONE_VM: dup_mm copies the address space');
	const mm = dupMm(k, oldmm, cost);
	const ret = typeof mm === 'number' ? mm : mm.id;
	if (tr !== null) tr.exit('copy_mm', {ret});
	return ret;
}

/** dup_mm(): a new mm_struct whose mappings are the parent's, via dup_mmap. */
export function dupMm(k: KernelState, oldmm: MmStruct, cost: ForkCost): MmStruct | number {
	const tr = k.trace;
	if (tr !== null) tr.enter('dup_mm', {oldmm: oldmm.id});
	const mm = mmAlloc(k);
	if (k.config.mmu === 'on') {
		const pgd = allocPgtable(k.frames); // mm_init() → mm_alloc_pgd()
		if (pgd < 0) {
			k.mms.delete(mm.id);
			if (tr !== null) {
				tr.note('mm_alloc_pgd: no free frame for the PGD: -ENOMEM');
				tr.exit('dup_mm', {ret: ENOMEM});
			}
			return ENOMEM;
		}
		mm.pgd = pgd;
		mm.pgtables = 1;
	}
	mm.names = new Map(oldmm.names);
	mm.mmapBase = oldmm.mmapBase;
	if (tr !== null)
		tr.note(k.config.mmu === 'on' ? `mm ${mm.id} allocated, its PGD is pfn ${mm.pgd} (mm_init → mm_alloc_pgd)` : `mm ${mm.id} allocated`, {
			mm: mm.id,
			pgd: mm.pgd,
		});
	if (k.config.mmu === 'off') dupMmNommuList(k, mm, oldmm);
	const err = dupMmap(k, mm, oldmm, cost);
	cost.pgtables = mm.pgtables;
	if (err !== 0) {
		// free_pt: mmput() tears the half-built mm down
		if (tr !== null) tr.note(`dup_mmap failed (${err}): free_pt, mmput tears mm ${mm.id} down`);
		mmput(k, mm);
		if (tr !== null) tr.exit('dup_mm', {ret: err});
		return err;
	}
	mm.hiwaterRss = mm.rss;
	mm.hiwaterVm = mm.totalVm;
	if (tr !== null) tr.exit('dup_mm', {ret: mm.id});
	return mm;
}

/**
 * No-MMU dup_mm(): what the child's mm lists. 2.6.32 kernel/fork.c:
 * "memcpy(mm, oldmm, sizeof(*mm))", then mm_init() resets the users, the
 * core state and the rss counters but not mm->mmap, map_count or total_vm,
 * and dup_mmap is "(0)": the child lists the parent's VMAs (and those its
 * parent borrowed), owning none of them. 6.18's mm_init() starts an empty
 * VMA tree (mt_init_flags), and dup_mmap is not built: the child's mm is empty.
 */
function dupMmNommuList(k: KernelState, mm: MmStruct, oldmm: MmStruct): void {
	const tr = k.trace;
	if (k.config.kernel !== '2.6.32' || oldmm.vmas.length === 0) {
		if (tr !== null) tr.note(`mm_init: mm ${mm.id} starts with an empty VMA tree`, {mm: mm.id});
		return;
	}
	mm.vmas = oldmm.vmas.map((v) => ({...v}));
	mm.borrowed = oldmm.vmas.map((v) => ({start: v.start, owner: vmaOwner(oldmm, v)}));
	mm.totalVm = oldmm.totalVm;
	mm.lockedVm = oldmm.lockedVm;
	mm.hiwaterVm = oldmm.hiwaterVm;
	if (tr !== null)
		tr.note(
			`memcpy(mm, oldmm): mm ${mm.id}'s mm->mmap is mm ${oldmm.id}'s list (${mm.vmas.map((v) => v.region).join(', ')}); no vm_region's vm_usage is raised, and mm_init zeroes the rss`,
			{mm: mm.id, oldmm: oldmm.id, vmas: mm.vmas.length},
		);
}

function vmaName(vma: Vma): string {
	return `${vma.region} [${hex(vma.start)}-${hex(vma.end)}) ${flagsToProt(vma.flags)}`;
}

/**
 * dup_mmap(): walk the parent's VMAs in order. No-MMU has none to copy
 * (kernel/fork.c defines dup_mmap as 0 without CONFIG_MMU).
 */
function dupMmap(k: KernelState, mm: MmStruct, oldmm: MmStruct, cost: ForkCost): number {
	const tr = k.trace;
	if (tr !== null) tr.enter('dup_mmap', {mm: mm.id, oldmm: oldmm.id});
	if (k.config.mmu === 'off') {
		if (tr !== null) {
			tr.note(k.config.kernel === '2.6.32' ? 'no MMU: dup_mmap is "(0)", nothing is copied' : 'no MMU: dup_mmap is not built, nothing is copied');
			tr.exit('dup_mmap', {ret: 0});
		}
		return 0;
	}
	for (const mpnt of oldmm.vmas) {
		cost.vmas++;
		if ((mpnt.flags & VM_DONTCOPY) !== 0) {
			// mm->total_vm -= pages: the child never had it
			if (tr !== null)
				tr.note(`vma ${vmaName(mpnt)} has VM_DONTCOPY (madvise dontfork): not copied, the child's total_vm -= ${vmaPages(mpnt)}`, {vma: mpnt.region});
			continue;
		}
		if ((mpnt.flags & VM_ACCOUNT) !== 0) {
			const before = k.committed;
			if (!vmEnoughMemory(k, vmaPages(mpnt))) {
				if (tr !== null) {
					tr.note(
						`vma ${mpnt.region} is VM_ACCOUNT: security_vm_enough_memory(${vmaPages(mpnt)}) refuses (committed ${before}, overcommit ${k.config.overcommit}, limit ${k.config.commit_limit}): -ENOMEM`,
						{vma: mpnt.region, charge: vmaPages(mpnt)},
					);
					tr.exit('dup_mmap', {ret: ENOMEM});
				}
				return ENOMEM;
			}
			if (tr !== null)
				tr.note(`vma ${mpnt.region} is VM_ACCOUNT: ${plural(vmaPages(mpnt), 'page')} charged, committed ${before}→${k.committed}`, {
					vma: mpnt.region,
					charge: vmaPages(mpnt),
				});
		}
		// 6.x: "VM_WIPEONFORK gets a clean slate in the child": no anon_vma, copy_page_range skipped
		const wipe = (mpnt.flags & VM_WIPEONFORK) !== 0 && k.config.kernel === '6.18';
		const tmp: Vma = {...mpnt, flags: mpnt.flags & ~VM_LOCKED, anonVma: wipe ? false : mpnt.anonVma};
		if (tmp.shmem !== null) shmemGet(k, tmp.shmem);
		vmaLink(mm, tmp);
		if (tr !== null) {
			const locked = (mpnt.flags & VM_LOCKED) !== 0 ? ', VM_LOCKED cleared (locks are not inherited)' : '';
			tr.note(`vma ${vmaName(mpnt)} copied into mm ${mm.id}${locked}${wipe ? ', VM_WIPEONFORK: empty in the child, its pages are not copied' : ''}`, {
				vma: mpnt.region,
			});
		}
		const err = wipe ? 0 : copyPageRange(k, mm, oldmm, mpnt, cost);
		if (err !== 0) {
			if (tr !== null) tr.exit('dup_mmap', {ret: err});
			return err;
		}
	}
	if (tr !== null) tr.exit('dup_mmap', {ret: 0});
	return 0;
}

const PAGES_PER_PMD = PTRS_PER_TABLE; // 2 MiB
const PAGES_PER_PUD = PTRS_PER_TABLE * PAGES_PER_PMD; // 1 GiB
const PAGES_PER_PGD = PTRS_PER_TABLE * PAGES_PER_PUD; // 512 GiB

/** One copy_page_range() call: the VMA, both mm's and what copy_one_pte does to each PTE. */
type CopyRange = {
	k: KernelState;
	t: FrameTable;
	dst: MmStruct;
	vma: Vma;
	cost: ForkCost;
	tr: KernelTracer | null;
	cow: boolean;
	/** Bits the child's copy loses: RW of a COW mapping, accessed, dirty of a shared one. */
	clear: number;
	/** The parent's PTE after pte_wrprotect (all ones outside COW mappings). */
	wrprotect: number;
};

/**
 * __pud_alloc/__pmd_alloc/__pte_alloc: the child's table under `table[index]`,
 * allocated when missing. Returns undefined when no frame is free.
 */
function tableAlloc(c: CopyRange, table: Int32Array, index: number, level: string): Int32Array | undefined {
	let entry = table[index]!;
	if (entry === 0) {
		const pfn = allocPgtable(c.t);
		if (pfn < 0) {
			if (c.tr !== null) c.tr.note(`${level}: no free frame for the child's table: -ENOMEM`);
			return undefined;
		}
		c.dst.pgtables++;
		entry = pfn + 1;
		table[index] = entry;
		if (c.tr !== null) c.tr.note(`${level}: the child's table is pfn ${pfn} (mm ${c.dst.id} has ${c.dst.pgtables} page-table pages)`, {pfn});
	}
	return c.t.tables.get(entry - 1)!;
}

/**
 * copy_page_range(): nothing to do for a VMA without anon pages (its pages
 * fault back from their cache); else the source's tables level by level.
 */
function copyPageRange(k: KernelState, dst: MmStruct, src: MmStruct, vma: Vma, cost: ForkCost): number {
	const tr = k.trace;
	if (tr !== null) tr.enter('copy_page_range', {vma: vma.region, start: hex(vma.start), end: hex(vma.end)});
	if (!vma.anonVma) {
		if (tr !== null) {
			const why =
				vma.file !== null
					? 'its pages fault back in from the page cache'
					: vma.shmem !== null
						? 'its pages fault back in from the shmem object'
						: 'nothing was ever written';
			tr.note(`vma ${vma.region} has no anon_vma: copy_page_range skipped (${why})`, {vma: vma.region});
			tr.exit('copy_page_range', {ret: 0});
		}
		return 0;
	}
	const cow = isCowMapping(vma.flags);
	const shared = (vma.flags & VM_SHARED) !== 0;
	const c: CopyRange = {
		k,
		t: k.frames,
		dst,
		vma,
		cost,
		tr,
		cow,
		// copy_one_pte(): the child's copy is old (and clean if shared)
		clear: (cow ? PTE_RW : 0) | PTE_ACCESSED | (shared ? PTE_DIRTY : 0),
		wrprotect: cow ? ~PTE_RW : ~0,
	};
	if (tr !== null) {
		tr.note(
			cow
				? `is_cow_mapping(vma ${vma.region}): private and may write: writable PTEs are write-protected in parent and child`
				: `vma ${vma.region} is ${shared ? 'shared' : 'never writable'}: not a COW mapping, PTEs are copied as they are`,
			{vma: vma.region, cow},
		);
	}
	const srcPgd = c.t.tables.get(src.pgd)!;
	const dstPgd = c.t.tables.get(dst.pgd)!;
	const end = vma.end / PAGE_SIZE;
	let err = 0;
	for (let vpn = vma.start / PAGE_SIZE; vpn < end && err === 0;) {
		const next = Math.min(end, (Math.floor(vpn / PAGES_PER_PGD) + 1) * PAGES_PER_PGD);
		const index = Math.floor(vpn / PAGES_PER_PGD) % PTRS_PER_TABLE;
		const entry = srcPgd[index]!;
		if (entry !== 0) err = copyPudRange(c, dstPgd, index, c.t.tables.get(entry - 1)!, vpn, next);
		vpn = next;
	}
	if (tr !== null) tr.exit('copy_page_range', {ret: err});
	return err;
}

/** copy_pud_range(): pud_alloc in the child, then each populated PUD entry of [vpn, end). */
function copyPudRange(c: CopyRange, dstPgd: Int32Array, pgdIndex: number, srcPud: Int32Array, vpn: number, end: number): number {
	const tr = c.tr;
	if (tr !== null) tr.enter('copy_pud_range', {addr: hex(vpn * PAGE_SIZE), end: hex(end * PAGE_SIZE)});
	const dstPud = tableAlloc(c, dstPgd, pgdIndex, 'pud_alloc');
	let err = dstPud === undefined ? ENOMEM : 0;
	while (vpn < end && err === 0) {
		const next = Math.min(end, (Math.floor(vpn / PAGES_PER_PUD) + 1) * PAGES_PER_PUD);
		const index = Math.floor(vpn / PAGES_PER_PUD) % PTRS_PER_TABLE;
		const entry = srcPud[index]!;
		if (entry !== 0) err = copyPmdRange(c, dstPud!, index, c.t.tables.get(entry - 1)!, vpn, next);
		vpn = next;
	}
	if (tr !== null) tr.exit('copy_pud_range', {ret: err});
	return err;
}

/** copy_pmd_range(): pmd_alloc in the child, then each populated PMD entry of [vpn, end). */
function copyPmdRange(c: CopyRange, dstPud: Int32Array, pudIndex: number, srcPmd: Int32Array, vpn: number, end: number): number {
	const tr = c.tr;
	if (tr !== null) tr.enter('copy_pmd_range', {addr: hex(vpn * PAGE_SIZE), end: hex(end * PAGE_SIZE)});
	const dstPmd = tableAlloc(c, dstPud, pudIndex, 'pmd_alloc');
	let err = dstPmd === undefined ? ENOMEM : 0;
	while (vpn < end && err === 0) {
		const next = Math.min(end, (Math.floor(vpn / PAGES_PER_PMD) + 1) * PAGES_PER_PMD);
		const index = Math.floor(vpn / PAGES_PER_PMD) % PTRS_PER_TABLE;
		const entry = srcPmd[index]!;
		if (entry !== 0) err = copyPteRange(c, dstPmd!, index, c.t.tables.get(entry - 1)!, vpn, next);
		vpn = next;
	}
	if (tr !== null) tr.exit('copy_pmd_range', {ret: err});
	return err;
}

/**
 * copy_pte_range(): the child's leaf table (allocated whenever the source has
 * one), then copy_one_pte for each present PTE of [vpn, end). The child's rss
 * is added once at the end (add_mm_rss), as the kernel does.
 */
function copyPteRange(c: CopyRange, dstPmd: Int32Array, pmdIndex: number, src: Int32Array, vpn: number, end: number): number {
	const tr = c.tr;
	if (tr !== null) tr.enter('copy_pte_range', {addr: hex(vpn * PAGE_SIZE), end: hex(end * PAGE_SIZE)});
	const dst = tableAlloc(c, dstPmd, pmdIndex, 'pte_alloc_map');
	if (dst === undefined) {
		if (tr !== null) tr.exit('copy_pte_range', {ret: ENOMEM});
		return ENOMEM;
	}
	const t = c.t;
	const refcount = t.refcount;
	const mapcount = t.mapcount;
	const exclusive = t.exclusive;
	// 6.18 copy_present_pte(): an exclusive anon page that may be pinned is copied for the child
	const pinned = c.k.config.kernel === '6.18' && t.pins.size > 0 ? t.pins : null;
	const clear = c.clear;
	const wrprotect = c.wrprotect;
	const base = vpn - (vpn % PTRS_PER_TABLE);
	let copied = 0;
	let rss = 0;
	let err = 0;
	for (let i = vpn - base, to = end - base; i < to; i++) {
		const pte = src[i]!;
		if ((pte & PTE_PRESENT) === 0) continue;
		// copy_one_pte()
		const pfn = ptePfn(pte);
		if (tr !== null) copyOnePteEnter(c, tr, base + i, pte, pfn);
		if (pinned !== null && exclusive[pfn] === 1 && pinned.has(pfn)) {
			err = copyPresentPage(c, dst, i, base + i, pte, pfn);
			if (err !== 0) break;
			rss++;
			copied++;
			continue;
		}
		exclusive[pfn] = 0; // page_try_dup_anon_rmap(): the page is shared now, no longer exclusive
		src[i] = pte & wrprotect; // ptep_set_wrprotect() in the parent
		if (tr !== null) copyOnePteWrprotect(c, tr, base + i, pte);
		mapcount[pfn]!++; // page_dup_rmap(); the zero page's is a display count
		if (pfn !== 0) {
			refcount[pfn]!++; // get_page()
			rss++;
		}
		if (tr !== null) copyOnePteGet(c, tr, pfn);
		dst[i] = pte & ~clear; // set_pte_at() in the child
		if (tr !== null) copyOnePteExit(tr, base + i, pte & ~clear);
		copied++;
	}
	c.cost.ptes += copied;
	const d = c.dst;
	d.rss += rss;
	if (d.rss > d.hiwaterRss) d.hiwaterRss = d.rss;
	if (tr !== null) {
		tr.note(`add_mm_rss: mm ${d.id} rss ${d.rss - rss}→${d.rss} (${plural(copied, 'PTE')} copied here)`, {rss: d.rss, copied});
		tr.exit('copy_pte_range', {ret: err});
	}
	return err;
}

/**
 * copy_present_page() (6.18 mm/memory.c): "the page may be pinned, we have to
 * copy": the child gets a new page with the same words, mapped writable and
 * dirty; the parent keeps its exclusive page, its PTE untouched (still writable).
 */
function copyPresentPage(c: CopyRange, dst: Int32Array, index: number, vpn: number, pte: number, pfn: number): number {
	const tr = c.tr;
	const np = allocPage(c.t, FRAME_ANON);
	if (np < 0) {
		if (tr !== null) {
			tr.note(`pfn ${pfn} is pinned and exclusive: copy_present_page finds no free frame: -ENOMEM`);
			tr.exit('copy_one_pte');
		}
		return ENOMEM;
	}
	copyPage(c.t, pfn, np);
	c.t.mapcount[np] = 1;
	const rw = (c.vma.flags & VM_WRITE) !== 0 ? PTE_RW : 0; // maybe_mkwrite(pte_mkdirty(pte))
	dst[index] = mkPte(np, (pte & (PTE_USER | PTE_NX)) | PTE_PRESENT | PTE_DIRTY | rw);
	if (tr !== null) {
		const addr = hex(vpn * PAGE_SIZE);
		tr.note(
			`pfn ${pfn} is exclusive and pinned (folio_maybe_dma_pinned): copy_present_page gives the child pfn ${np}, a copy; the parent's pte ${addr} stays as it is`,
			{pfn, copy: np},
		);
		tr.exit('copy_one_pte');
	}
	return 0;
}

function plural(n: number, what: string): string {
	return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function ptePerm(pte: number): string {
	return (pte & PTE_RW) !== 0 ? 'rw' : 'ro';
}

// The kernel steps of copy_one_pte, out of the copy loop so that it stays short.

function copyOnePteEnter(c: CopyRange, tr: KernelTracer, vpn: number, pte: number, pfn: number): void {
	tr.enter('copy_one_pte', {addr: hex(vpn * PAGE_SIZE), pfn, pte: ptePerm(pte), vma: c.vma.region});
}

function copyOnePteWrprotect(c: CopyRange, tr: KernelTracer, vpn: number, pte: number): void {
	const addr = hex(vpn * PAGE_SIZE);
	if (c.cow && (pte & PTE_RW) !== 0)
		tr.note(`pte ${addr} writable in a COW mapping: write-protect in parent and child (ptep_set_wrprotect)`, {addr, cow: true});
	else if (c.cow) tr.note(`pte ${addr} already read-only: the child gets it read-only too`, {addr, cow: true});
	else
		tr.note(`pte ${addr} in a ${(c.vma.flags & VM_SHARED) !== 0 ? 'shared' : 'read-only'} mapping: copied ${ptePerm(pte)}, not write-protected`, {
			addr,
			cow: false,
		});
}

function copyOnePteGet(c: CopyRange, tr: KernelTracer, pfn: number): void {
	if (pfn === 0) {
		tr.note('pfn 0 is the zero page: vm_normal_page() is NULL, no reference taken (display map count +1)', {pfn});
		return;
	}
	// the counts were raised just before this step
	const ref = c.t.refcount[pfn]!;
	const map = c.t.mapcount[pfn]!;
	tr.note(`get_page + page_dup_rmap: pfn ${pfn} ref ${ref - 1}→${ref}, map ${map - 1}→${map}`, {pfn, refcount: ref, mapcount: map});
}

function copyOnePteExit(tr: KernelTracer, vpn: number, childPte: number): void {
	const addr = hex(vpn * PAGE_SIZE);
	tr.note(`set_pte_at: the child's pte ${addr} → pfn ${ptePfn(childPte)} ${ptePerm(childPte)}`, {
		addr,
		pfn: ptePfn(childPte),
		writable: (childPte & PTE_RW) !== 0,
	});
	tr.exit('copy_one_pte');
}

/** mmput() (kernel/fork.c): drop a user; the last one tears the address space down. */
export function mmput(k: KernelState, mm: MmStruct): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('mmput', {mm: mm.id});
	if (--mm.users > 0) {
		if (tr !== null) {
			tr.note(`mm_users ${mm.users + 1}→${mm.users}: mm ${mm.id} still has users, nothing is freed`, {mm: mm.id, mm_users: mm.users});
			tr.exit('mmput');
		}
		return;
	}
	if (tr !== null) tr.note(`mm_users 1→0: the last user is gone, exit_mmap tears mm ${mm.id} down`, {mm: mm.id, mm_users: 0});
	exitMmap(k, mm);
	k.mms.delete(mm.id);
	if (tr !== null) {
		tr.note(`mm ${mm.id} freed (mmdrop)`, {mm: mm.id});
		tr.exit('mmput');
	}
}

/**
 * mm_release() (kernel/fork.c): notify a parent sleeping on vfork. Called by
 * exit_mm and exec_mmap; coredump_wait does the same for a dying task.
 */
export function mmRelease(k: KernelState, task: Task, via: CompletionVia): void {
	const tr = k.trace;
	const vforkDone = task.vforkDone;
	if (tr !== null) tr.enter('mm_release', {pid: task.pid, vfork_done: vforkDone});
	if (vforkDone === null) {
		if (tr !== null) {
			tr.note('vfork_done is NULL: no vfork parent waits on this mm');
			tr.exit('mm_release');
		}
		return;
	}
	task.vforkDone = null;
	if (tr !== null) tr.note(`vfork_done = completion ${vforkDone}: cleared, then complete() wakes the vfork parent`, {x: vforkDone});
	complete(k, vforkDone, task, via);
	if (tr !== null) tr.exit('mm_release');
}
