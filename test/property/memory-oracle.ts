// A memory oracle for the MMU mode: what each process sees in its memory must
// change only by its own stores (and, through a shared mapping, by the stores
// of those who share it). Faults, COW copies and reuses, fork, mlock's
// populate, OOM and teardown of other processes must never change a word a
// process can read; a fork child starts with exactly its parent's memory (less
// the dontfork VMAs).
//
// The view of an mm is every non-zero word its VMAs would read, page by page:
// through the PTE when present, else from where a fault would take the page
// (the shmem object or the page cache; zeros for private anon).

import {resolveAddress} from '../../source/kernel/cpu.js';
import {frameWords} from '../../source/kernel/page-alloc.js';
import {lookupPte, ptePfn} from '../../source/kernel/pgtable.js';
import {PAGE_SIZE, PTE_PRESENT, VM_DONTCOPY, VM_WIPEONFORK, type KernelState, type MmStruct, type Vma} from '../../source/kernel/types.js';

/** mm id → (va of a word → value), with the set of VMA pages (vpn) that exist. */
export type MemoryView = Map<number, {words: Map<number, number>; pages: Map<number, Vma>}>;

function pageFrame(k: KernelState, mm: MmStruct, vma: Vma, vpn: number): number | null {
	const pte = lookupPte(k.frames, mm.pgd, vpn);
	if ((pte & PTE_PRESENT) !== 0) return ptePfn(pte);
	const index = vpn - vma.start / PAGE_SIZE;
	if (vma.shmem !== null) return k.shmem.get(vma.shmem)?.pages.get(index) ?? null;
	if (vma.file !== null) return k.pageCache.get(vma.file)?.get(index) ?? null;
	return null;
}

export function memoryView(k: KernelState): MemoryView {
	const view: MemoryView = new Map();
	for (const mm of k.mms.values()) {
		const words = new Map<number, number>();
		const pages = new Map<number, Vma>();
		for (const vma of mm.vmas) {
			for (let vpn = vma.start / PAGE_SIZE; vpn < vma.end / PAGE_SIZE; vpn++) {
				pages.set(vpn, vma);
				const pfn = pageFrame(k, mm, vma, vpn);
				if (pfn === null || pfn === 0) continue;
				for (const [index, value] of frameWords(k.frames, pfn)) words.set(vpn * PAGE_SIZE + index * 8, value);
			}
		}
		view.set(mm.id, {words, pages});
	}
	return view;
}

/** What a task was about to do before a tick: enough to know what it stores if its instruction runs. */
export type TaskBefore = {pid: number; mm: number | null; pc: number; progress: number; regs: Record<string, number>; program: string};

export function tasksBefore(k: KernelState): Map<number, TaskBefore> {
	const out = new Map<number, TaskBefore>();
	for (const t of k.tasks.values()) {
		out.set(t.pid, {pid: t.pid, mm: t.mm, pc: t.pc, progress: t.progress, regs: {...t.regs}, program: t.program});
	}
	return out;
}

type Store = {mm: number; va: number; value: number};

/**
 * The store the task that ran this tick made, if its instruction was a write
 * (or a touch write) and completed: its pc (or touch progress) moved on.
 */
function storeOfTick(k: KernelState, before: Map<number, TaskBefore>): Store | null {
	const pid = k.lastRan;
	if (pid === null) return null;
	const b = before.get(pid);
	const task = k.tasks.get(pid);
	if (b === undefined || task === undefined || b.mm === null) return null;
	if (task.program !== b.program || task.mm !== b.mm) return null; // exec'd, or gone
	const ins = k.programs[b.program]!.code[b.pc];
	if (ins === undefined) return null;
	const mm = k.mms.get(b.mm);
	if (mm === undefined) return null;
	const value = (op: {kind: 'int'; value: number} | {kind: 'reg'; reg: string} | {kind: 'mem'}): number | null =>
		op.kind === 'int' ? op.value : op.kind === 'reg' ? b.regs[op.reg]! : null;
	if (ins.op === 'write') {
		if (task.pc !== b.pc + 1) return null;
		const v = value(ins.value as Parameters<typeof value>[0]);
		if (v === null) return null;
		return {mm: b.mm, va: resolveAddress(mm, ins.addr), value: v};
	}
	if (ins.op === 'touch' && ins.access === 'write') {
		const done = task.pc === b.pc + 1 || (task.pc === b.pc && task.progress === b.progress + 1);
		if (!done) return null;
		const base = mm.names.get(ins.region) ?? 0;
		const v = ins.value === null ? b.progress : value(ins.value as Parameters<typeof value>[0]);
		if (v === null) return null;
		return {mm: b.mm, va: base + b.progress * PAGE_SIZE, value: v};
	}
	return null;
}

/**
 * Compares the views before and after a tick; returns what changed that no
 * store explains. MMU mode only (no-MMU accesses are not translated).
 */
export function memoryProblems(k: KernelState, before: MemoryView, tasks: Map<number, TaskBefore>, after: MemoryView = memoryView(k)): string[] {
	const out: string[] = [];
	const store = storeOfTick(k, tasks);
	// The words each mm should now read, for the pages it had and still has.
	const expected = new Map<number, Map<number, number>>();
	for (const [id, view] of before) expected.set(id, new Map(view.words));
	if (store !== null) {
		const writer = before.get(store.mm);
		const vma = writer?.pages.get(Math.floor(store.va / PAGE_SIZE));
		const apply = (mmId: number, va: number): void => {
			const words = expected.get(mmId);
			if (words === undefined) return;
			if (store.value === 0) words.delete(va);
			else words.set(va, store.value);
		};
		if (vma !== undefined) {
			apply(store.mm, store.va);
			if (vma.shmem !== null) {
				// Everyone mapping the same shmem page sees it.
				const offset = store.va - vma.start;
				for (const [id, view] of before) {
					for (const v of new Set(view.pages.values())) if (v.shmem === vma.shmem && (id !== store.mm || v !== vma)) apply(id, v.start + offset);
				}
			}
		}
	}
	for (const [id, now] of after) {
		const was = before.get(id);
		const want = expected.get(id);
		if (was === undefined || want === undefined) continue; // created this tick: checked as a fork child below
		const seen = new Set<number>();
		for (const [va, value] of now.words) {
			const vpn = Math.floor(va / PAGE_SIZE);
			if (!was.pages.has(vpn)) {
				out.push(`mm ${id}: new mapping reads ${value} at 0x${va.toString(16)} (should be zero)`);
				continue;
			}
			seen.add(va);
			const w = want.get(va) ?? 0;
			if (w !== value) out.push(`mm ${id}: word at 0x${va.toString(16)} is ${value}, expected ${w}${store === null ? ' (no store this tick)' : ''}`);
		}
		for (const [va, value] of want) {
			if (seen.has(va) || !now.pages.has(Math.floor(va / PAGE_SIZE))) continue;
			out.push(`mm ${id}: word at 0x${va.toString(16)} lost its value ${value} (reads 0)`);
		}
		if (out.length > 20) return out;
	}
	// A new mm made by fork (dup_mm) holds its parent's memory, less the dontfork VMAs (and, on 6.18, empty wipeonfork ones).
	for (const [id, now] of after) {
		if (before.has(id)) continue;
		const task = [...k.tasks.values()].find((t) => t.mm === id);
		const parentTask = task === undefined ? undefined : tasks.get(task.ppid);
		if (task === undefined || parentTask === undefined || tasks.has(task.pid)) continue; // an exec'd mm, not a child's
		const parent = parentTask.mm === null ? undefined : before.get(parentTask.mm);
		if (parent === undefined) continue;
		for (const [va, value] of parent.words) {
			const vma = parent.pages.get(Math.floor(va / PAGE_SIZE))!;
			if ((vma.flags & VM_DONTCOPY) !== 0) continue;
			// 6.x MADV_WIPEONFORK: the child's copy of the VMA starts empty (dup_mmap)
			const wiped = (vma.flags & VM_WIPEONFORK) !== 0 && k.config.kernel === '6.18';
			const got = now.words.get(va) ?? 0;
			if (wiped) {
				if (got !== 0) out.push(`fork child mm ${id}: word at 0x${va.toString(16)} is ${got} in a wipeonfork VMA`);
				continue;
			}
			if (got !== value) out.push(`fork child mm ${id}: word at 0x${va.toString(16)} is ${got}, its parent's is ${value}`);
		}
		for (const [va, value] of now.words) {
			if (!parent.words.has(va)) out.push(`fork child mm ${id}: word at 0x${va.toString(16)} is ${value}, its parent had none`);
		}
	}
	return out;
}
