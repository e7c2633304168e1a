// The page allocator (mm/page_alloc.c): lowest free PFN first, so runs are
// deterministic. PFN 0 is the zero page, reserved at boot.

import {FRAME_ANON, FRAME_FREE, FRAME_KSTACK, FRAME_PGTABLE, FRAME_ZERO, PTRS_PER_TABLE, threadPages, type FrameTable, type KernelEra} from './types.js';

export function createFrameTable(frames: number): FrameTable {
	const table: FrameTable = {
		kind: new Uint8Array(frames),
		refcount: new Int32Array(frames),
		mapcount: new Int32Array(frames),
		used: new Uint32Array(Math.ceil(frames / 32)),
		freeHint: 0,
		free: frames,
		wordIdx: new Int16Array(frames).fill(-1),
		wordVal: new Float64Array(frames),
		moreWords: new Map(),
		exclusive: new Uint8Array(frames),
		pins: new Map(),
		tables: new Map(),
	};
	// Bits past the last frame are marked used so the search never returns them.
	const tail = frames % 32;
	if (tail !== 0) table.used[table.used.length - 1] = ~((1 << tail) - 1) >>> 0;
	markUsed(table, 0);
	table.kind[0] = FRAME_ZERO;
	table.refcount[0] = 1; // reserved: never freed
	return table;
}

function markUsed(t: FrameTable, pfn: number): void {
	t.used[pfn >>> 5]! |= 1 << (pfn & 31);
	t.free--;
}

/** alloc_page(): the lowest free PFN, or -1 when memory is exhausted. */
export function allocPage(t: FrameTable, kind: number): number {
	const used = t.used;
	for (let i = t.freeHint; i < used.length; i++) {
		const word = used[i]!;
		if (word === 0xffff_ffff) continue;
		t.freeHint = i;
		const bit = 31 - Math.clz32(~word & (word + 1));
		const pfn = i * 32 + bit;
		markUsed(t, pfn);
		t.kind[pfn] = kind;
		t.refcount[pfn] = 1;
		t.mapcount[pfn] = 0;
		// a new anon page belongs to the mm that faults it in: SetPageAnonExclusive (6.x __folio_set_anon)
		if (kind === FRAME_ANON) t.exclusive[pfn] = 1;
		if (t.wordIdx[pfn] !== -1) clearWords(t, pfn); // no-MMU stray writes may have landed in a free frame
		return pfn;
	}
	t.freeHint = used.length;
	return -1;
}

/** Lowest run of `count` free frames (no-MMU's contiguous backing), or -1. */
export function allocContiguous(t: FrameTable, count: number, kind: number): number {
	const frames = t.kind.length;
	let runStart = -1;
	let run = 0;
	for (let pfn = t.freeHint * 32; pfn < frames; pfn++) {
		if (isFree(t, pfn)) {
			if (run === 0) runStart = pfn;
			run++;
			if (run === count) {
				for (let p = runStart; p < runStart + count; p++) {
					markUsed(t, p);
					t.kind[p] = kind;
					t.refcount[p] = 1;
					t.mapcount[p] = 0;
					if (t.wordIdx[p] !== -1) clearWords(t, p);
				}
				return runStart;
			}
		} else {
			run = 0;
		}
	}
	return -1;
}

export function isFree(t: FrameTable, pfn: number): boolean {
	return (t.used[pfn >>> 5]! & (1 << (pfn & 31))) === 0;
}

/**
 * __free_page(): the frame returns to the free pool. Its words are dropped
 * unless `keepWords` (no-MMU, where a task can still read a free frame).
 */
export function freePage(t: FrameTable, pfn: number, keepWords = false): void {
	t.used[pfn >>> 5]! &= ~(1 << (pfn & 31));
	t.free++;
	t.kind[pfn] = FRAME_FREE;
	t.refcount[pfn] = 0;
	t.mapcount[pfn] = 0;
	t.exclusive[pfn] = 0;
	if (t.wordIdx[pfn] !== -1 && !keepWords) clearWords(t, pfn);
	t.tables.delete(pfn);
	const word = pfn >>> 5;
	if (word < t.freeHint) t.freeHint = word;
}

/** put_page(): drop one reference; the frame is freed at zero. The zero page is never freed. */
export function putPage(t: FrameTable, pfn: number): void {
	if (pfn === 0) return;
	if (--t.refcount[pfn]! <= 0) freePage(t, pfn);
}

/**
 * free_page_series() (mm/nommu.c, from __put_nommu_region): one mm fewer uses
 * each frame of a no-MMU region, and put_page drops its reference. Nothing
 * clears freed memory, and without an MMU nothing stops a task reading it: a
 * frame freed here keeps its words until the next allocation takes it.
 */
export function freePageSeries(t: FrameTable, pfn: number, count: number): void {
	for (let p = pfn; p < pfn + count; p++) {
		t.mapcount[p]!--;
		if (--t.refcount[p]! <= 0) freePage(t, p, true);
	}
}

export function allocPgtable(t: FrameTable): number {
	const pfn = allocPage(t, FRAME_PGTABLE);
	if (pfn >= 0) t.tables.set(pfn, new Int32Array(PTRS_PER_TABLE));
	return pfn;
}

function clearWords(t: FrameTable, pfn: number): void {
	t.wordIdx[pfn] = -1;
	t.wordVal[pfn] = 0;
	t.moreWords.delete(pfn);
}

export function readWord(t: FrameTable, pfn: number, index: number): number {
	if (t.wordIdx[pfn] === index) return t.wordVal[pfn]!;
	if (t.wordIdx[pfn] === -1) return 0;
	return t.moreWords.get(pfn)?.get(index) ?? 0;
}

export function writeWord(t: FrameTable, pfn: number, index: number, value: number): void {
	const inline = t.wordIdx[pfn]!;
	if (inline === index) {
		if (value !== 0) {
			t.wordVal[pfn] = value;
			return;
		}
		// A zero word is what an unwritten word reads as: drop it, and move a further word inline.
		const more = t.moreWords.get(pfn);
		if (more === undefined) {
			clearWords(t, pfn);
			return;
		}
		const [nextIndex, nextValue] = more.entries().next().value as [number, number];
		more.delete(nextIndex);
		if (more.size === 0) t.moreWords.delete(pfn);
		t.wordIdx[pfn] = nextIndex;
		t.wordVal[pfn] = nextValue;
		return;
	}
	if (inline === -1) {
		if (value === 0) return;
		t.wordIdx[pfn] = index;
		t.wordVal[pfn] = value;
		return;
	}
	let more = t.moreWords.get(pfn);
	if (value === 0) {
		if (more !== undefined && more.delete(index) && more.size === 0) t.moreWords.delete(pfn);
		return;
	}
	if (more === undefined) {
		more = new Map();
		t.moreWords.set(pfn, more);
	}
	more.set(index, value);
}

/** How many words of a frame are written (for the debugger, without listing them). */
export function frameWordCount(t: FrameTable, pfn: number): number {
	return t.wordIdx[pfn] === -1 ? 0 : 1 + (t.moreWords.get(pfn)?.size ?? 0);
}

/** The written words of a frame, by index (for the debugger and the state hash). */
export function frameWords(t: FrameTable, pfn: number): [number, number][] {
	const inline = t.wordIdx[pfn]!;
	if (inline === -1) return [];
	const out: [number, number][] = [[inline, t.wordVal[pfn]!]];
	const more = t.moreWords.get(pfn);
	if (more !== undefined) for (const entry of more) out.push(entry);
	return out.sort((a, b) => a[0] - b[0]);
}

/** copy_user_highpage(): the words of one frame into another. */
export function copyPage(t: FrameTable, from: number, to: number): void {
	t.wordIdx[to] = t.wordIdx[from]!;
	t.wordVal[to] = t.wordVal[from]!;
	const more = t.moreWords.get(from);
	if (more === undefined) t.moreWords.delete(to);
	else t.moreWords.set(to, new Map(more));
}

/**
 * alloc_thread_stack_node(): a task's kernel stack, or null when memory is
 * exhausted. 2.6.32 takes THREAD_SIZE as one order-1 block from the buddy
 * allocator (alloc_pages(THREADINFO_GFP, THREAD_ORDER)): the lowest free pair
 * aligned to two frames. 6.18 vmallocs it (CONFIG_VMAP_STACK): four pages,
 * each the lowest free one. (6.18's per-CPU cache of two freed stacks,
 * cached_stacks, is not modelled: a released stack's frames are freed.)
 */
export function allocThreadStack(t: FrameTable, era: KernelEra): number[] | null {
	const pages = threadPages(era);
	if (era === '2.6.32') {
		const frames = t.kind.length;
		for (let pfn = (t.freeHint * 32) & ~1; pfn + 1 < frames; pfn += 2) {
			if (!isFree(t, pfn) || !isFree(t, pfn + 1)) continue;
			for (const p of [pfn, pfn + 1]) {
				markUsed(t, p);
				t.kind[p] = FRAME_KSTACK;
				t.refcount[p] = 1;
				t.mapcount[p] = 0;
				if (t.wordIdx[p] !== -1) clearWords(t, p);
			}
			return [pfn, pfn + 1];
		}
		return null;
	}
	if (t.free < pages) return null;
	const stack: number[] = [];
	for (let i = 0; i < pages; i++) stack.push(allocPage(t, FRAME_KSTACK));
	return stack;
}

/** free_thread_stack(): the stack's frames return to the free pool. */
export function freeThreadStack(t: FrameTable, stack: readonly number[]): void {
	for (const pfn of stack) freePage(t, pfn);
}
