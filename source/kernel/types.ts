// Kernel state: plain data only (numbers, arrays, typed arrays, Maps, plain
// objects), so that cloneKernel (dump.ts) can copy it for a snapshot and
// stateHash can hash it.

import type {Config, Program} from './program.js';
import type {EndReason, ForkCost, KernelEvent} from './events.js';
import type {KernelTracer} from './trace.js';

export const PAGE_SIZE = 4096;
export const WORDS_PER_PAGE = PAGE_SIZE / 8;
export const PTRS_PER_TABLE = 512;

export const TEXT_START = 0x40_0000;
export const MAP_BASE = 0x60_0000;
export const STACK_TOP = 0x7fff_ffff_f000;
export const STACK_PAGES = 2;
export const TASK_SIZE = 0x8000_0000_0000;

/** Frame kinds (docs/kernel.md); index into frameKindNames. */
export const FRAME_FREE = 0;
export const FRAME_ZERO = 1;
export const FRAME_ANON = 2;
export const FRAME_FILE = 3;
export const FRAME_SHMEM = 4;
export const FRAME_PGTABLE = 5;
export const FRAME_KSTACK = 6;
export type FrameKind = 'free' | 'zero' | 'anon' | 'file' | 'shmem' | 'pgtable' | 'kstack';
export const frameKindNames: readonly FrameKind[] = ['free', 'zero', 'anon', 'file', 'shmem', 'pgtable', 'kstack'];

/** The kernel eras cowdbg simulates (config kernel=). */
export type KernelEra = '2.6.32' | '6.18';

/** THREAD_SIZE in pages: 8 KiB on 2.6.32 x86-64, 16 KiB (KASAN off) on 6.18. */
export function threadPages(era: KernelEra): number {
	return era === '2.6.32' ? 2 : 4;
}

/** PTE bits (a PTE's frame number is encoded by pgtable.ts, above these). */
export const PTE_PRESENT = 1;
export const PTE_RW = 2;
export const PTE_USER = 4;
export const PTE_ACCESSED = 8;
export const PTE_DIRTY = 16;
export const PTE_NX = 32;

/** vm_flags bits, named after include/linux/mm.h. */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_LOCKED = 0x2000;
export const VM_DONTCOPY = 0x2_0000;
export const VM_ACCOUNT = 0x10_0000;
/** 6.x: the child gets the mapping empty (MADV_WIPEONFORK). */
export const VM_WIPEONFORK = 0x200_0000;

export type FrameTable = {
	/** Frame kind per PFN (FRAME_*). */
	kind: Uint8Array;
	/** page->_count */
	refcount: Int32Array;
	/** PTEs mapping the frame (no-MMU: mm's using it). For the zero page, a display count. */
	mapcount: Int32Array;
	/** Bit set per used frame, for "lowest free PFN first". */
	used: Uint32Array;
	/** Lowest index of `used` that may have a clear bit. */
	freeHint: number;
	free: number;
	/**
	 * Sparse word contents. Most frames hold at most one written word, kept
	 * inline: `wordIdx` (-1 when none) and `wordVal`. A frame's further words go
	 * to `moreWords` (PFN → word index → value), which is empty for a frame
	 * whose inline slot is. Unwritten words read as 0. Page-table frames keep
	 * their entries in `tables` instead.
	 */
	wordIdx: Int16Array;
	wordVal: Float64Array;
	moreWords: Map<number, Map<number, number>>;
	/** PageAnonExclusive per PFN: an anon page only one mm maps, not shared by a fork since (6.18's reuse rule). */
	exclusive: Uint8Array;
	/** FOLL_PIN references per PFN (get_user_pages with FOLL_PIN, as vmsplice takes them); absent when 0. */
	pins: Map<number, number>;
	/** Page-table pages: PFN → 512 entries. Upper levels hold child PFN + 1 (0 = none); leaves hold PTEs. */
	tables: Map<number, Int32Array>;
};

export type Vma = {
	start: number;
	end: number;
	region: string;
	flags: number;
	/** Program image backing this VMA (text), or null for anon. */
	file: string | null;
	/** Shared-anon object id (MAP_SHARED|MAP_ANONYMOUS), or null. */
	shmem: number | null;
	/** Has anon pages (vma->anon_vma != NULL). */
	anonVma: boolean;
	/** No-MMU only: first PFN of the contiguous backing. */
	pfn: number | null;
};

export type MmStruct = {
	id: number;
	users: number;
	/** Sorted by start. */
	vmas: Vma[];
	/** PFN of the PGD page, or -1 (no-MMU). */
	pgd: number;
	pgtables: number;
	totalVm: number;
	lockedVm: number;
	rss: number;
	hiwaterRss: number;
	hiwaterVm: number;
	/** Accounted (committed) pages of this mm's VM_ACCOUNT VMAs. */
	committed: number;
	/** Region name → address last given to it, kept after munmap (a stale pointer). */
	names: Map<string, number>;
	/** Address of the next runtime mmap without `at`. */
	mmapBase: number;
	/** mm->core_state while a task using this mm dumps core (coredump_wait … coredump_finish), or null. */
	coreState: CoreState | null;
	/**
	 * 2.6.32 no-MMU only, else empty: the VMAs of this mm's list that belong to
	 * another mm (vma->vm_mm), by start. dup_mm's memcpy copied mm->mmap and
	 * no-MMU dup_mmap is (0), so a clone child without CLONE_VM lists its
	 * parent's VMAs without holding a reference on their regions.
	 */
	borrowed: BorrowedVma[];
};

/** A VMA an mm lists but does not own (2.6.32 no-MMU clone): its start and its owner's mm id. */
export type BorrowedVma = {start: number; owner: number};

/** struct core_state (fs/exec.c): the dumper, the startup completion on its stack, the tasks that joined. */
export type CoreState = {
	dumper: number;
	/** Completion id of core_state->startup. */
	startup: number;
	/** Zapped tasks still to reach exit_mm (core_state->nr_threads counts them). */
	pending: number[];
	/** The dumping signal. */
	signal: number;
	/** Tasks sleeping in exit_mm until coredump_finish, in the order they joined. */
	joined: number[];
};

export type TaskState = 'R' | 'S' | 'D' | 'Z' | 'X';

export type Registers = {
	ret: number;
	status: number;
	signal: number;
	core: number;
	r0: number;
	r1: number;
	r2: number;
	r3: number;
	r4: number;
	r5: number;
	r6: number;
	r7: number;
};

/** Why a task sleeps, for the debugger's "waits on" column. */
export type WaitReason =
	| {kind: 'none'}
	| {kind: 'child'; pid: number | null; options: 'none' | 'clone' | 'all'}
	| {kind: 'timer'; until: number}
	| {kind: 'completion'; id: number; child: number; name: string; cost: ForkCost}
	/** The dumper in coredump_wait, waiting on core_state->startup (completion `id`) for the zapped tasks. */
	| {kind: 'core-startup'; id: number}
	/** A zapped task in exit_mm (2.6.32) that joined the dump of mm `mm`, until coredump_finish. */
	| {kind: 'core-finish'; mm: number; dumper: number};

export type Task = {
	pid: number;
	/** Thread group id: its own pid, or its creator's tgid for CLONE_THREAD. */
	tgid: number;
	/** The real parent. A thread's is its creator's real parent (0 for a thread of init). */
	ppid: number;
	comm: string;
	state: TaskState;
	/** In D as TASK_KILLABLE (6.18's vfork wait): SIGKILL wakes it. */
	killable: boolean;
	/** mm id, or null once released. */
	mm: number | null;
	pc: number;
	regs: Registers;
	/** Completion id the task must complete at mm_release, or null. */
	vforkDone: number | null;
	sigaltstack: boolean;
	/** Pending signal numbers, in arrival order. */
	pending: number[];
	children: number[];
	exitCode: number;
	/** The signal sent to the parent at exit: SIGCHLD, 0 (a clone without sigchld) or -1 (a thread). */
	exitSignal: number;
	/** The signal that killed the task, or 0. */
	killSignal: number;
	coreDumped: boolean;
	/** PFNs of the kernel stack (THREAD_SIZE), allocated by dup_task_struct. */
	kstack: number[];
	/** Pages this task pinned (`pin`), in pin order; dropped by `unpin` or at exit. */
	pins: {id: number; pfn: number}[];
	/** On a thread-group leader: its other threads not yet released (else 0). */
	threads: number;
	/** Set when another task's core dump zapped this one (SIGNAL_GROUP_EXIT): the exit it will take. */
	groupExit: {code: number; signal: number} | null;
	/** Chosen by the OOM killer and not yet exited (TIF_MEMDIE). */
	memdie: boolean;
	/** do_exit has run up to exit_mm and sleeps there (2.6.32 core dump); the rest of do_exit is pending. */
	exiting: {code: number; signal: number; core: boolean} | null;
	wait: WaitReason;
	/** Ticks left of a multi-tick instruction (compute, touch progress), or 0. */
	progress: number;
	/** A new child that has not yet run returns 0 from fork when it first runs. */
	childReturn: string | null;
	/** The program the task runs. */
	program: string;
};

export type Completion = {
	id: number;
	owner: number;
	done: number;
	waiters: number[];
};

export type ShmemObject = {
	id: number;
	/** Size in pages, charged at mmap (shmem_acct_size) and uncharged when the object is freed. */
	size: number;
	/** Page index → PFN of the cache frame. */
	pages: Map<number, number>;
	/** VMAs referring to it. */
	refs: number;
};

export type KernelState = {
	config: Config & {commit_limit: number};
	programs: Record<string, Program>;
	tick: number;
	frames: FrameTable;
	/** Program name → page-cache frames of its image (page index → PFN). */
	pageCache: Map<string, Map<number, number>>;
	/** No-MMU: program name → first PFN of its shared text. */
	textFrames: Map<string, number>;
	shmem: Map<number, ShmemObject>;
	nextShmem: number;
	mms: Map<number, MmStruct>;
	nextMm: number;
	tasks: Map<number, Task>;
	nextPid: number;
	completions: Map<number, Completion>;
	nextCompletion: number;
	/** The next pin id. */
	nextPin: number;
	runQueue: number[];
	current: number | null;
	/** The task that ran the previous tick (for the `sched` event's from). */
	lastRan: number | null;
	/** Sleepers woken at the start of tick `until`, in the order they slept. */
	timers: {pid: number; until: number}[];
	/** Ticks the current task has run in its quantum. */
	ran: number;
	/** Global commit count (vm_committed_as). */
	committed: number;
	ended: EndReason | null;
	expectsFailed: number;
	/** One byte per expect instruction of the programs: 1 once it has been evaluated (kernel/expects.ts). */
	expectsReached: Uint8Array;
	/** Events of the tick being executed. */
	events: KernelEvent[];
	/** Who watches the kernel steps (docs/debugger.md); null on the fast path. Not state: never cloned or hashed. */
	trace: KernelTracer | null;
};
