// Queries the debugger's front ends ask of a kernel state: the facts behind
// each row of the TUI's panes (a process and what it waits on, a VMA and its
// rss, a window of the page table, a window of the used frames and who maps
// them, the frame map). All pure reads; each one walks only what its caller
// will show, so a frame of the TUI stays cheap on a large machine.

import {flagsToProt} from '../kernel/mmap.js';
import {findVma, isCowMapping, peekUserWord} from '../kernel/memory.js';
import {frameWordCount, frameWords} from '../kernel/page-alloc.js';
import {leafTables as kernelLeafTables, levelIndexes, ptePfn, walkPageTables, type Leaf} from '../kernel/pgtable.js';

import {eventPid, hex, type EndReason, type KernelEvent} from '../kernel/events.js';
import {registers, type Program} from '../kernel/program.js';
import type {KStep, KStepPhase} from '../kernel/trace.js';
import type {Debugger} from './debugger.js';
import {describeKStep, kstepArgs} from './format.js';

/** The kernel types and helpers the front ends name, so they need not import the kernel. */
export type {FrameKind, KernelEvent, KernelState, Leaf, MmStruct, Task};
export {eventPid, hex};
import {
	FRAME_FREE,
	PAGE_SIZE,
	PTE_ACCESSED,
	PTE_DIRTY,
	PTE_PRESENT,
	PTE_RW,
	PTRS_PER_TABLE,
	VM_ACCOUNT,
	VM_DONTCOPY,
	VM_LOCKED,
	VM_SHARED,
	VM_WRITE,
	frameKindNames,
	type FrameKind,
	type KernelState,
	type MmStruct,
	type Task,
	type TaskState,
	type Vma,
} from '../kernel/types.js';

export type ProcessRow = {
	pid: number;
	ppid: number;
	comm: string;
	state: TaskState;
	pc: number;
	/** The source text of the instruction at pc, or '' past the end. */
	instruction: string;
	mm: number | null;
	mmUsers: number | null;
	/** What a sleeping task waits on ('' when it does not sleep). */
	waits: string;
	/** Running on the CPU now. */
	current: boolean;
	/** Position in the run queue (0 = head), or null. */
	queued: number | null;
};

/** Live tasks (zombies included, reaped ones not) in pid order. */
export function liveTasks(k: KernelState): Task[] {
	const out: Task[] = [];
	for (const t of k.tasks.values()) if (t.state !== 'X') out.push(t);
	return out.sort((a, b) => a.pid - b.pid);
}

export function instructionText(k: KernelState, task: Task): string {
	const code = k.programs[task.program]?.code;
	if (code === undefined) return '';
	return code[task.pc]?.text ?? '';
}

/** What a sleeping task waits for (wait_for_completion, do_wait, a timer). */
export function waitText(k: KernelState, task: Task): string {
	if (task.state !== 'S' && task.state !== 'D') return '';
	const w = task.wait;
	switch (w.kind) {
		case 'completion': {
			const c = k.completions.get(w.id);
			const stack = task.kstack.length > 0 ? ` on its kernel stack, pfn ${task.kstack.join(',')}` : '';
			return `completion #${w.id} (vfork child ${w.child}${c === undefined ? '' : `, done=${c.done}`})${stack}`;
		}
		case 'core-startup':
			return `completion #${w.id} (core_state->startup: the zapped tasks)`;
		case 'core-finish':
			return `coredump_finish of pid ${w.dumper}`;
		case 'child':
			return (w.pid === null ? 'any child' : `child ${w.pid}`) + (w.options === 'none' ? '' : ` (${w.options})`);
		case 'timer':
			return `timer until tick ${w.until}`;
		case 'none':
			return '';
	}
}

export function processRow(k: KernelState, task: Task): ProcessRow {
	const mm = task.mm === null ? undefined : k.mms.get(task.mm);
	const q = k.runQueue.indexOf(task.pid);
	return {
		pid: task.pid,
		ppid: task.ppid,
		comm: task.comm,
		state: task.state,
		pc: task.pc,
		instruction: instructionText(k, task),
		mm: task.mm,
		mmUsers: mm?.users ?? null,
		waits: waitText(k, task),
		current: k.current === task.pid,
		queued: q < 0 ? null : q,
	};
}

export type SchedInfo = {
	current: number | null;
	runQueue: readonly number[];
	/** Ticks left in the current task's quantum (0 when idle). */
	quantumLeft: number;
	quantum: number;
};

export function schedInfo(k: KernelState): SchedInfo {
	return {
		current: k.current,
		runQueue: k.runQueue,
		quantumLeft: k.current === null ? 0 : Math.max(0, k.config.quantum - k.ran),
		quantum: k.config.quantum,
	};
}

export type MmSummary = {
	id: number;
	users: number;
	mapCount: number;
	totalVm: number;
	lockedVm: number;
	rss: number;
	hiwaterRss: number;
	pgtables: number;
};

export function mmSummary(mm: MmStruct): MmSummary {
	return {
		id: mm.id,
		users: mm.users,
		mapCount: mm.vmas.length,
		totalVm: mm.totalVm,
		lockedVm: mm.lockedVm,
		rss: mm.rss,
		hiwaterRss: mm.hiwaterRss,
		pgtables: mm.pgtables,
	};
}

export type VmaRow = {
	region: string;
	start: number;
	end: number;
	pages: number;
	prot: string;
	shared: boolean;
	backing: 'anon' | 'file' | 'shmem';
	dontcopy: boolean;
	locked: boolean;
	account: boolean;
	/** Present PTEs in the VMA (MMU), or its backing pages (no-MMU). */
	rss: number;
	/** No-MMU: the contiguous frames backing it, [first, last]; null with an MMU. */
	frames: [number, number] | null;
};

/** The leaf page tables of an mm in VA order. The functions below take them as an argument so a caller showing one state walks the upper levels once. */
export function leafTables(k: KernelState, mm: MmStruct): Leaf[] {
	return kernelLeafTables(k.frames, mm);
}

/** Pages of the VMA with a PTE to a real frame (the zero page is not counted in rss). */
function presentIn(leaves: readonly Leaf[], vma: Vma): number {
	let n = 0;
	const startVpn = vma.start / PAGE_SIZE;
	const endVpn = vma.end / PAGE_SIZE;
	for (const {base, leaf} of leaves) {
		if (base + PTRS_PER_TABLE <= startVpn || base >= endVpn) continue;
		const from = Math.max(0, startVpn - base);
		const to = Math.min(PTRS_PER_TABLE, endVpn - base);
		for (let i = from; i < to; i++) {
			const pte = leaf[i]!;
			if ((pte & PTE_PRESENT) !== 0 && ptePfn(pte) !== 0) n++;
		}
	}
	return n;
}

export function vmaRow(k: KernelState, mm: MmStruct, vma: Vma, leaves: readonly Leaf[] = leafTables(k, mm)): VmaRow {
	const pages = (vma.end - vma.start) / PAGE_SIZE;
	const nommu = k.config.mmu === 'off' || mm.pgd < 0;
	return {
		region: vma.region,
		start: vma.start,
		end: vma.end,
		pages,
		prot: flagsToProt(vma.flags),
		shared: (vma.flags & VM_SHARED) !== 0,
		backing: vma.file !== null ? 'file' : vma.shmem !== null ? 'shmem' : 'anon',
		dontcopy: (vma.flags & VM_DONTCOPY) !== 0,
		locked: (vma.flags & VM_LOCKED) !== 0,
		account: (vma.flags & VM_ACCOUNT) !== 0,
		rss: nommu ? (vma.pfn === null ? 0 : pages) : presentIn(leaves, vma),
		frames: nommu && vma.pfn !== null ? [vma.pfn, vma.pfn + pages - 1] : null,
	};
}

export type PteRow = {
	vpn: number;
	va: number;
	pfn: number;
	writable: boolean;
	dirty: boolean;
	accessed: boolean;
	/** Read-only in a writable private (COW) VMA: the next write goes to do_wp_page. */
	cow: boolean;
	/** [pgd, pud, pmd, pte] indexes. */
	levels: [number, number, number, number];
	region: string | null;
};

function countPresent(leaf: Int32Array, from: number, to: number): number {
	let n = 0;
	for (let i = from; i < to; i++) if ((leaf[i]! & PTE_PRESENT) !== 0) n++;
	return n;
}

/** Number of present PTEs of an mm (walks the leaf tables, not the VA space). */
export function pteCount(k: KernelState, mm: MmStruct, leaves: readonly Leaf[] = leafTables(k, mm)): number {
	let n = 0;
	for (const {leaf} of leaves) n += countPresent(leaf, 0, PTRS_PER_TABLE);
	return n;
}

/**
 * Present PTEs number first … first+count-1 (in VA order) of an mm. Whole leaf
 * tables before the window are skipped by counting, so the cost is the
 * number of populated leaf slots up to the window, not the VA space.
 */
export function pteWindow(k: KernelState, mm: MmStruct, first: number, count: number, leaves: readonly Leaf[] = leafTables(k, mm)): PteRow[] {
	const out: PteRow[] = [];
	if (count <= 0) return out;
	let seen = 0;
	let vmaIndex = 0;
	const vmas = mm.vmas;
	for (const {base, leaf} of leaves) {
		if (seen + PTRS_PER_TABLE <= first) {
			const n = countPresent(leaf, 0, PTRS_PER_TABLE);
			if (seen + n <= first) {
				seen += n;
				continue;
			}
		}
		for (let i = 0; i < PTRS_PER_TABLE; i++) {
			const pte = leaf[i]!;
			if ((pte & PTE_PRESENT) === 0) continue;
			if (seen++ < first) continue;
			const vpn = base + i;
			const va = vpn * PAGE_SIZE;
			while (vmaIndex < vmas.length && vmas[vmaIndex]!.end <= va) vmaIndex++;
			const vma = vmaIndex < vmas.length && vmas[vmaIndex]!.start <= va ? vmas[vmaIndex] : undefined;
			const writable = (pte & PTE_RW) !== 0;
			out.push({
				vpn,
				va,
				pfn: ptePfn(pte),
				writable,
				dirty: (pte & PTE_DIRTY) !== 0,
				accessed: (pte & PTE_ACCESSED) !== 0,
				cow: !writable && vma !== undefined && (vma.flags & VM_WRITE) !== 0 && isCowMapping(vma.flags),
				levels: levelIndexes(vpn),
				region: vma?.region ?? null,
			});
			if (out.length >= count) return out;
		}
	}
	return out;
}

/**
 * The rank of virtual page `vpn` among the present PTEs of an mm's leaf tables (in VA
 * order, as pteWindow numbers them), or -1 when it has no present PTE.
 */
export function pteRank(vpn: number, leaves: readonly Leaf[]): number {
	let seen = 0;
	for (const {base, leaf} of leaves) {
		if (vpn >= base + PTRS_PER_TABLE) {
			seen += countPresent(leaf, 0, PTRS_PER_TABLE);
			continue;
		}
		if (vpn < base) return -1;
		const i = vpn - base;
		return (leaf[i]! & PTE_PRESENT) === 0 ? -1 : seen + countPresent(leaf, 0, i);
	}
	return -1;
}

export type FrameRow = {pfn: number; kind: FrameKind; refcount: number; mapcount: number};

/** Frames in use (not free). */
export function usedFrameCount(k: KernelState): number {
	return k.frames.kind.length - k.frames.free;
}

/** One frame's kind and counts. */
export function frameRow(k: KernelState, pfn: number): FrameRow {
	const t = k.frames;
	return {pfn, kind: frameKindNames[t.kind[pfn]!]!, refcount: t.refcount[pfn]!, mapcount: t.mapcount[pfn]!};
}

/** Used frames number first … first+count-1, in PFN order. */
export function frameWindow(k: KernelState, first: number, count: number): FrameRow[] {
	const t = k.frames;
	const out: FrameRow[] = [];
	let seen = 0;
	for (let pfn = 0; pfn < t.kind.length && out.length < count; pfn++) {
		const kind = t.kind[pfn]!;
		if (kind === FRAME_FREE) continue;
		if (seen++ < first) continue;
		out.push({pfn, kind: frameKindNames[kind]!, refcount: t.refcount[pfn]!, mapcount: t.mapcount[pfn]!});
	}
	return out;
}

/**
 * Who uses each of the given frames: the pids whose page table maps it (MMU:
 * a PTE, or a page-table page of their mm; no-MMU: a VMA backed by it), in pid
 * order. One walk over every mm, recording only the frames asked about.
 */
export function frameUsers(k: KernelState, pfns: readonly number[]): Map<number, number[]> {
	const want = new Set(pfns);
	let lo = Number.POSITIVE_INFINITY;
	let hi = -1;
	for (const pfn of pfns) {
		if (pfn < lo) lo = pfn;
		if (pfn > hi) hi = pfn;
	}
	const byMm = new Map<number, Set<number>>(); // mm id → pfns it maps
	const note = (mm: number, pfn: number): void => {
		let s = byMm.get(mm);
		if (s === undefined) byMm.set(mm, (s = new Set()));
		s.add(pfn);
	};
	if (want.size > 0) {
		for (const mm of k.mms.values()) {
			if (mm.pgd >= 0) {
				// This walk sees every PTE of the machine: one callback a table, plain loops over the entries.
				if (want.has(mm.pgd)) note(mm.id, mm.pgd);
				walkPageTables(
					k.frames,
					mm.pgd,
					(leaf) => {
						for (let d = 0; d < PTRS_PER_TABLE; d++) {
							const pte = leaf[d]!;
							if ((pte & PTE_PRESENT) === 0) continue;
							const pfn = ptePfn(pte);
							if (pfn >= lo && pfn <= hi && want.has(pfn)) note(mm.id, pfn);
						}
					},
					(pfn) => {
						if (want.has(pfn)) note(mm.id, pfn);
						return true;
					},
				);
			} else {
				for (const vma of mm.vmas) {
					if (vma.pfn === null) continue;
					const pages = (vma.end - vma.start) / PAGE_SIZE;
					for (const pfn of want) if (pfn >= vma.pfn && pfn < vma.pfn + pages) note(mm.id, pfn);
				}
			}
		}
	}
	const out = new Map<number, number[]>();
	for (const pfn of pfns) out.set(pfn, []);
	for (const task of k.tasks.values()) {
		// dup_task_struct(): a task's kernel stack is its own until release_task
		for (const pfn of task.kstack) if (want.has(pfn)) out.get(pfn)!.push(task.pid);
	}
	for (const task of liveTasks(k)) {
		if (task.mm === null) continue;
		const s = byMm.get(task.mm);
		if (s === undefined) continue;
		for (const pfn of s) out.get(pfn)!.push(task.pid);
	}
	return out;
}

/** A cell of the frame map: the kind that stands for its frames, and whether one of them is shared. */
export type FrameCell = {kind: FrameKind; shared: boolean; frames: number};

const kindRank: Record<FrameKind, number> = {free: 0, zero: 1, kstack: 2, pgtable: 3, file: 4, shmem: 5, anon: 6};
const rankOfCode = frameKindNames.map((name) => kindRank[name]);

/**
 * The frame map in `cells` cells: one frame a cell when they fit, else
 * ceil(frames / cells) frames a cell, each cell showing its most telling
 * kind (anon > shmem > file > pgtable > kstack > zero > free) and whether any of its
 * frames is mapped more than once.
 */
export function frameMap(k: KernelState, cells: number): {perCell: number; cells: FrameCell[]} {
	const t = k.frames;
	const total = t.kind.length;
	const perCell = cells <= 0 ? total : Math.max(1, Math.ceil(total / cells));
	const out: FrameCell[] = [];
	for (let start = 0; start < total; start += perCell) {
		let best = 0;
		let shared = false;
		const end = Math.min(total, start + perCell);
		for (let pfn = start; pfn < end; pfn++) {
			const kind = t.kind[pfn]!;
			if (rankOfCode[kind]! > rankOfCode[best]!) best = kind;
			if (kind !== FRAME_FREE && t.mapcount[pfn]! > 1) shared = true;
		}
		out.push({kind: frameKindNames[best]!, shared, frames: end - start});
	}
	return {perCell, cells: out};
}

// ---- the selected process --------------------------------------------------

/** The task `pid` while it exists (zombies included), or undefined once reaped or before it is born. */
export function taskOf(k: KernelState, pid: number): Task | undefined {
	const t = k.tasks.get(pid);
	return t === undefined || t.state === 'X' ? undefined : t;
}

/** Why there is no task `pid` to show. */
export function absentText(k: KernelState, pid: number): string {
	const t = k.tasks.get(pid);
	if (t !== undefined || pid < k.nextPid) return `pid ${pid} has exited and been reaped`;
	return `pid ${pid} does not exist yet at this tick`;
}

/** The task's address space, or undefined once released. */
export function mmOf(k: KernelState, task: Task): MmStruct | undefined {
	return task.mm === null ? undefined : k.mms.get(task.mm);
}

/** The program the task runs. */
export function programOf(k: KernelState, task: Task): Program | undefined {
	return k.programs[task.program];
}

/** The lowest pid of a live task (1 at boot). */
export function firstPid(k: KernelState): number {
	return liveTasks(k)[0]?.pid ?? 1;
}

// ---- the machine -------------------------------------------------------------

export type MachineInfo = {
	mmu: boolean;
	framesTotal: number;
	ended: EndReason | null;
	expectsFailed: number;
};

export function machineInfo(k: KernelState): MachineInfo {
	return {mmu: k.config.mmu === 'on', framesTotal: k.frames.kind.length, ended: k.ended, expectsFailed: k.expectsFailed};
}

// ---- what the last step changed ------------------------------------------------

/** The frame table's kinds and counts at one moment, to compare a later state with. */
export type FrameSnapshot = {kind: Uint8Array; refcount: Int32Array; mapcount: Int32Array};

/** A snapshot of the frames now, reusing the arrays of `reuse` when they fit (a new object either way). */
export function snapshotFrames(k: KernelState, reuse: FrameSnapshot | null): FrameSnapshot {
	const t = k.frames;
	if (reuse !== null && reuse.kind.length === t.kind.length) {
		reuse.kind.set(t.kind);
		reuse.refcount.set(t.refcount);
		reuse.mapcount.set(t.mapcount);
		return {kind: reuse.kind, refcount: reuse.refcount, mapcount: reuse.mapcount};
	}
	return {kind: t.kind.slice(), refcount: t.refcount.slice(), mapcount: t.mapcount.slice()};
}

export type FrameChanges = {
	/** 1 for each PFN whose kind, refcount or mapcount differs from the snapshot. */
	changed: Uint8Array;
	count: number;
	/** The rank among used frames of the first changed one, or -1. */
	firstRank: number;
};

/** The frames that differ from `before`: computed once, read by the map, the list and the count. */
export function frameChanges(k: KernelState, before: FrameSnapshot): FrameChanges {
	const t = k.frames;
	const len = Math.min(t.kind.length, before.kind.length);
	const changed = new Uint8Array(t.kind.length);
	let count = 0;
	let firstRank = -1;
	let used = 0;
	for (let pfn = 0; pfn < len; pfn++) {
		if (t.kind[pfn] !== before.kind[pfn] || t.refcount[pfn] !== before.refcount[pfn] || t.mapcount[pfn] !== before.mapcount[pfn]) {
			if (count === 0) firstRank = used;
			count++;
			changed[pfn] = 1;
		}
		if (t.kind[pfn] !== FRAME_FREE) used++;
	}
	return {changed, count, firstRank};
}

// ---- two address spaces side by side, registers and words ----------------------

/**
 * The process the compare view sets beside `pid` when the user has not picked
 * one: its most recent live child, else its parent while it lives, else the
 * next live process; null when it is alone.
 */
export function comparePartner(k: KernelState, pid: number): number | null {
	const live = liveTasks(k);
	let child: Task | undefined;
	for (const t of live) if (t.ppid === pid && t.pid !== pid && (child === undefined || t.pid > child.pid)) child = t;
	if (child !== undefined) return child.pid;
	const self = taskOf(k, pid);
	if (self !== undefined && self.ppid !== pid && taskOf(k, self.ppid) !== undefined) return self.ppid;
	const others = live.filter((t) => t.pid !== pid);
	return (others.find((t) => t.pid > pid) ?? others[0])?.pid ?? null;
}

/** One process of a comparison: who it is and its address space (null once released). */
export type CompareProcess = {pid: number | null; comm: string; state: TaskState | null; mm: number | null};

/** A side of a comparison: a process (its pid), or an address space no task uses yet (the child's mm while dup_mmap fills it). */
export type CompareSubject = number | {mm: number};

/** One side of a compare row: the PTE (no-MMU: the region's backing) and its frame's counts. */
export type CompareSide = {
	/** The frame (no-MMU: the first frame of the region's range). */
	pfn: number;
	/** No-MMU: the last frame of the range; with an MMU, equal to pfn. */
	lastPfn: number;
	kind: FrameKind;
	refcount: number;
	mapcount: number;
	writable: boolean;
	dirty: boolean;
	accessed: boolean;
	/** Read-only in a writable private VMA: the next write goes to do_wp_page. */
	cow: boolean;
	/** The written words of the page (no-MMU: of the region), [byte offset in it, value], at most MAX_ROW_WORDS. */
	words: [number, number][];
	/** Written words beyond those. */
	moreWords: number;
};

export type CompareRow = {
	/** The page's address (no-MMU: the region's start). */
	va: number;
	region: string | null;
	/** The page's index in its region (the K of `REGION[K]`), or null outside a VMA and without an MMU. */
	page: number | null;
	left: CompareSide | null;
	right: CompareSide | null;
	/** Both sides map the same frame (no-MMU: the same range). */
	shared: boolean;
	/** Byte offsets (as in `words`) whose values differ between the sides. */
	differ: number[];
};

export type CompareTable = {
	mmu: boolean;
	left: CompareProcess;
	right: CompareProcess;
	/** Both use one mm (vfork, clone vm, threads): every row is the same frame. */
	sameMm: boolean;
	/** Rows in all (MMU: pages present on either side; no-MMU: regions of either side). */
	total: number;
	/** Rows first … first+count-1. */
	rows: CompareRow[];
	/** The index of the row holding the page asked for (`atVpn`), or -1. */
	atRow: number;
};

/** The most words a compare row carries; the registers view lists them all. */
export const MAX_ROW_WORDS = 8;

function compareSubject(k: KernelState, who: CompareSubject): {p: CompareProcess; mm: MmStruct | undefined} | undefined {
	if (typeof who !== 'number') {
		const mm = k.mms.get(who.mm);
		return mm === undefined ? undefined : {p: {pid: null, comm: '', state: null, mm: mm.id}, mm};
	}
	const task = taskOf(k, who);
	if (task === undefined) return undefined;
	return {p: {pid: task.pid, comm: task.comm, state: task.state, mm: task.mm}, mm: mmOf(k, task)};
}

/**
 * The address space dup_mmap is filling while the debugger stands inside a
 * fork's tick (docs/debugger.md, kernel steps): its id and the one it copies,
 * from dup_mmap's arguments on the kernel stack; null anywhere else.
 */
export function mmUnderCopy(dbg: Debugger): {mm: number; oldmm: number} | null {
	const frame = dbg.inside?.stack.find((f) => f.fn === 'dup_mmap');
	if (frame === undefined) return null;
	const {mm, oldmm} = frame.args;
	return typeof mm === 'number' && typeof oldmm === 'number' && dbg.kernel.mms.has(mm) ? {mm, oldmm} : null;
}

/**
 * The present PTEs of two mm's merged by VA, one walk over their leaf tables:
 * fn(vpn, pteA, pteB), 0 for a side without one. Cheap enough for every
 * frame of the TUI on a machine of 100,000 pages: no maps, no sorting.
 */
function forEachPtePair(k: KernelState, a: MmStruct | undefined, b: MmStruct | undefined, fn: (vpn: number, pteA: number, pteB: number) => void): void {
	const la = a === undefined || a.pgd < 0 ? [] : leafTables(k, a);
	const lb = b === undefined || b.pgd < 0 ? [] : leafTables(k, b);
	let i = 0;
	let j = 0;
	while (i < la.length || j < lb.length) {
		const baseA = i < la.length ? la[i]!.base : Number.POSITIVE_INFINITY;
		const baseB = j < lb.length ? lb[j]!.base : Number.POSITIVE_INFINITY;
		const base = Math.min(baseA, baseB);
		const leafA = baseA === base ? la[i++]!.leaf : null;
		const leafB = baseB === base ? lb[j++]!.leaf : null;
		for (let d = 0; d < PTRS_PER_TABLE; d++) {
			const pa = leafA === null || (leafA[d]! & PTE_PRESENT) === 0 ? 0 : leafA[d]!;
			const pb = leafB === null || (leafB[d]! & PTE_PRESENT) === 0 ? 0 : leafB[d]!;
			if (pa !== 0 || pb !== 0) fn(base + d, pa, pb);
		}
	}
}

function regionWords(k: KernelState, pfns: readonly number[]): {words: [number, number][]; more: number} {
	const words: [number, number][] = [];
	let more = 0;
	pfns.forEach((pfn, page) => {
		for (const [i, v] of frameWords(k.frames, pfn)) {
			if (words.length < MAX_ROW_WORDS) words.push([page * PAGE_SIZE + i * 8, v]);
			else more++;
		}
	});
	return {words, more};
}

function pteSide(k: KernelState, mm: MmStruct, vpn: number, pte: number): CompareSide {
	const va = vpn * PAGE_SIZE;
	const vma = findVma(mm, va);
	const pfn = ptePfn(pte);
	const writable = (pte & PTE_RW) !== 0;
	const f = frameRow(k, pfn);
	const w = regionWords(k, [pfn]);
	return {
		pfn,
		lastPfn: pfn,
		kind: f.kind,
		refcount: f.refcount,
		mapcount: f.mapcount,
		writable,
		dirty: (pte & PTE_DIRTY) !== 0,
		accessed: (pte & PTE_ACCESSED) !== 0,
		cow: !writable && vma !== undefined && (vma.flags & VM_WRITE) !== 0 && isCowMapping(vma.flags),
		words: w.words,
		moreWords: w.more,
	};
}

function regionSide(k: KernelState, vma: Vma): CompareSide | null {
	if (vma.pfn === null) return null;
	const pages = (vma.end - vma.start) / PAGE_SIZE;
	const pfns = Array.from({length: pages}, (_, i) => vma.pfn! + i);
	const f = frameRow(k, vma.pfn);
	const w = regionWords(k, pfns);
	const writable = (vma.flags & VM_WRITE) !== 0;
	return {
		pfn: vma.pfn,
		lastPfn: vma.pfn + pages - 1,
		kind: f.kind,
		refcount: f.refcount,
		mapcount: f.mapcount,
		writable,
		dirty: false,
		accessed: false,
		cow: false,
		words: w.words,
		moreWords: w.more,
	};
}

function differingWords(a: CompareSide | null, b: CompareSide | null): number[] {
	if (a === null || b === null) return [];
	const va = new Map(a.words);
	const vb = new Map(b.words);
	const out: number[] = [];
	for (const i of new Set([...va.keys(), ...vb.keys()])) if ((va.get(i) ?? 0) !== (vb.get(i) ?? 0)) out.push(i);
	return out.sort((x, y) => x - y);
}

/**
 * Two processes' page tables in one table, row by row by VA: the frame each
 * maps there, whether it is the same frame, the COW marks, each frame's
 * refcount and mapcount, and the words written in it. Without an MMU, one row
 * a region with its frame range. Rows first … first+count-1, and the index
 * of the row holding virtual page `atVpn` (say, the page of the stop's fault);
 * undefined when either process is gone.
 */
export function compareTable(
	k: KernelState,
	leftWho: CompareSubject,
	rightWho: CompareSubject,
	first = 0,
	count = Number.MAX_SAFE_INTEGER,
	atVpn: number | null = null,
): CompareTable | undefined {
	const at = atVpn === null ? null : atVpn * PAGE_SIZE;
	const a = compareSubject(k, leftWho);
	const b = compareSubject(k, rightWho);
	if (a === undefined || b === undefined) return undefined;
	const mmA = a.mm;
	const mmB = b.mm;
	const mmu = k.config.mmu === 'on';
	const head = {mmu, left: a.p, right: b.p, sameMm: mmA !== undefined && mmA === mmB};
	const rows: CompareRow[] = [];
	if (!mmu) {
		const starts = [...new Set([...(mmA?.vmas ?? []), ...(mmB?.vmas ?? [])].map((v) => v.start))].sort((x, y) => x - y);
		for (const start of starts.slice(Math.max(0, first), Math.max(0, first) + Math.max(0, count))) {
			const va = mmA?.vmas.find((v) => v.start === start);
			const vb = mmB?.vmas.find((v) => v.start === start);
			const left = va === undefined ? null : regionSide(k, va);
			const right = vb === undefined ? null : regionSide(k, vb);
			const shared = left !== null && right !== null && left.pfn === right.pfn && left.lastPfn === right.lastPfn;
			rows.push({va: start, region: (va ?? vb)!.region, page: null, left, right, shared, differ: differingWords(left, right)});
		}
		const atRow =
			at === null ? -1 : starts.findLastIndex((start) => start <= at && [mmA, mmB].some((mm) => mm?.vmas.some((v) => v.start === start && at < v.end)));
		return {...head, total: starts.length, rows, atRow};
	}
	let total = 0;
	let atRow = -1;
	const lo = Math.max(0, first);
	const hi = lo + Math.max(0, count);
	forEachPtePair(k, mmA, mmB, (vpn, pa, pb) => {
		const r = total++;
		if (vpn === atVpn) atRow = r;
		if (r < lo || r >= hi) return;
		const left = pa === 0 ? null : pteSide(k, mmA!, vpn, pa);
		const right = pb === 0 ? null : pteSide(k, mmB!, vpn, pb);
		const va = vpn * PAGE_SIZE;
		const vma = (mmA === undefined ? undefined : findVma(mmA, va)) ?? (mmB === undefined ? undefined : findVma(mmB, va));
		const region = vma?.region ?? null;
		const page = vma === undefined ? null : (va - vma.start) / PAGE_SIZE;
		rows.push({va, region, page, left, right, shared: left !== null && right !== null && left.pfn === right.pfn, differ: differingWords(left, right)});
	});
	return {...head, total, rows, atRow};
}

/** A task's registers in the order the registers view shows them: the kernel's order (kernel/program.ts). */
export function registerRows(task: Task): [name: string, value: number][] {
	const r = task.regs;
	return registers.map((name) => [name, r[name]]);
}

/**
 * A written word of a process: where it is (its name in the scenario's own
 * syntax, `heap[1]+8`; its region, page and offset; its VA), its value, and
 * what the second process reads there.
 */
export type WordRow = {name: string; region: string; page: number; offset: number; va: number; value: number | null; other: number | null};

/** An address in the scenario's syntax: `REGION[K]+OFFSET`, the parts left out when 0. */
export function addressName(region: string, page: number, offset: number): string {
	return region + (page === 0 && offset !== 0 ? '' : `[${page}]`) + (offset === 0 ? '' : `+${offset}`);
}

/** No-MMU: the written words of an mm's regions, VA → value (the regions are its frames). */
function regionWrittenWords(k: KernelState, mm: MmStruct | undefined): Map<number, number> {
	const out = new Map<number, number>();
	if (mm === undefined) return out;
	for (const vma of mm.vmas) {
		if (vma.pfn === null) continue;
		const pages = (vma.end - vma.start) / PAGE_SIZE;
		for (let p = 0; p < pages; p++) for (const [i, v] of frameWords(k.frames, vma.pfn + p)) out.set(vma.start + p * PAGE_SIZE + i * 8, v);
	}
	return out;
}

/**
 * The VAs of the written words of two mm's in VA order, those number
 * first … first+count-1 passed to `fn`; returns how many there are in all.
 * With an MMU one walk over both page tables that only counts the words of a
 * page outside the window (a frame both map is counted once).
 */
function writtenWordVas(k: KernelState, a: MmStruct | undefined, b: MmStruct | undefined, first: number, count: number, fn: (va: number) => void): number {
	const lo = Math.max(0, first);
	const hi = lo + Math.max(0, count);
	let total = 0;
	if (k.config.mmu === 'off') {
		const mine = regionWrittenWords(k, a);
		const theirs = b === undefined ? new Map<number, number>() : regionWrittenWords(k, b);
		const vas = [...new Set([...mine.keys(), ...theirs.keys()])].sort((x, y) => x - y);
		for (const va of vas.slice(lo, hi)) fn(va);
		return vas.length;
	}
	const t = k.frames;
	forEachPtePair(k, a, b, (vpn, pa, pb) => {
		const fa = pa === 0 ? -1 : ptePfn(pa);
		const fb = pb === 0 ? -1 : ptePfn(pb);
		const base = vpn * PAGE_SIZE;
		if (fa === fb || fa < 0 || fb < 0) {
			const pfn = fa >= 0 ? fa : fb;
			const n = frameWordCount(t, pfn);
			if (total + n <= lo || total >= hi) {
				total += n;
				return;
			}
			for (const [i] of frameWords(t, pfn)) if (total++ >= lo && total <= hi) fn(base + i * 8);
			return;
		}
		// Two frames (a COW copy): the words either has.
		const idx = [...new Set([...frameWords(t, fa), ...frameWords(t, fb)].map(([i]) => i))].sort((x, y) => x - y);
		for (const i of idx) if (total++ >= lo && total <= hi) fn(base + i * 8);
	});
	return total;
}

/**
 * The words process `pid` has in memory (written words: an unwritten word
 * reads as 0), per region in VA order, with what process `otherPid` reads at
 * the same address (peekUserWord: null where it has no VMA) so that after a
 * COW copy the two values sit side by side. Words the other process has and
 * this one does not are listed too (value: what this one reads there, null
 * where it has no VMA).
 * Rows first … first+count-1 of `total`.
 */
export function wordsTable(
	k: KernelState,
	pid: number,
	otherPid: number | null,
	first = 0,
	count = Number.MAX_SAFE_INTEGER,
): {total: number; rows: WordRow[]} | undefined {
	const task = taskOf(k, pid);
	if (task === undefined) return undefined;
	const mm = mmOf(k, task);
	const other = otherPid === null ? undefined : taskOf(k, otherPid);
	const otherMm = other === undefined ? undefined : mmOf(k, other);
	const rows: WordRow[] = [];
	const total = writtenWordVas(k, mm, otherMm === mm ? undefined : otherMm, first, count, (va) => {
		const vma = mm === undefined ? undefined : findVma(mm, va);
		const otherVma = otherMm === undefined ? undefined : findVma(otherMm, va);
		const region = vma ?? otherVma;
		const into = region === undefined ? va : va - region.start;
		const page = Math.floor(into / PAGE_SIZE);
		const offset = into % PAGE_SIZE;
		const name = region === undefined ? '0x' + va.toString(16) : addressName(region.region, page, offset);
		rows.push({
			name,
			region: region?.region ?? '',
			page,
			offset,
			va,
			// what a read there returns: the written word, or what the page's fault would map
			value: mm === undefined ? null : peekUserWord(k, mm, va),
			other: otherMm === undefined ? null : peekUserWord(k, otherMm, va),
		});
	});
	return {total, rows};
}

// ---- inside a tick: the kernel view ---------------------------------------------

/** A frame of the kernel call stack: `copy_one_pte` and `addr=0x600000, pfn=9, …`. */
export type KernelFrameRow = {fn: string; args: string};

/** A kernel step as the Kernel view lists it: `text` is what `run --ksteps` prints for it (without indentation). */
export type KernelStepRow = {seq: number; depth: number; phase: KStepPhase; fn: string; text: string};

/** Where the debugger stands inside a tick (docs/debugger.md, kernel steps), for the Kernel view and the status line. */
export type KernelView = {
	tick: number;
	seq: number;
	/** The call stack after the step, outermost first (gdb's bt reversed). */
	stack: KernelFrameRow[];
	/** The step just executed. */
	step: KernelStepRow;
	/** The step in words, in full: the decision a note records, the call an enter makes, the return an exit makes. */
	note: string;
};

function stepRow(s: KStep): KernelStepRow {
	return {seq: s.seq, depth: s.depth, phase: s.phase, fn: s.fn, text: describeKStep(s)};
}

/** The Kernel view while the debugger is inside a tick, else null. */
export function kernelView(dbg: Debugger): KernelView | null {
	const inside = dbg.inside;
	if (inside === null) return null;
	const s = inside.step;
	const stack = inside.stack.map((f) => ({fn: f.fn, args: kstepArgs(f.args)}));
	let note: string;
	switch (s.phase) {
		case 'note':
			note = s.text ?? '';
			break;
		case 'enter':
			note = `enter ${s.fn}(${kstepArgs(s.args)})`;
			break;
		case 'exit':
			note = `return from ${s.fn}${'ret' in s.args ? ` = ${String(s.args.ret)}` : ''}`;
			break;
	}
	return {tick: inside.tick, seq: inside.seq, stack, step: stepRow(s), note};
}

/** The number of kernel steps of the tick the debugger is inside (0 between ticks): re-executes the tick. */
export function kernelStepCount(dbg: Debugger): number {
	return dbg.kstepCount();
}

/** Steps `from` … `to` - 1 of the tick the debugger is inside, as the Kernel view lists them: re-executes the tick up to `to`. */
export function kernelSteps(dbg: Debugger, from: number, to: number): KernelStepRow[] {
	return dbg.kstepsOf(Math.max(0, from), to).map(stepRow);
}
