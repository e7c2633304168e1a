// The page allocator (mm/page_alloc.c): lowest free PFN first, so runs are
// deterministic. PFN 0 is the zero page, reserved at boot.

import {
	FRAME_FREE,
	FRAME_PGTABLE,
	FRAME_ZERO,
	PTRS_PER_TABLE,
	type FrameTable,
} from './types.js';

export function createFrameTable(frames: number): FrameTable {
	const table: FrameTable = {
		kind: new Uint8Array(frames),
		refcount: new Int32Array(frames),
		mapcount: new Int32Array(frames),
		used: new Uint32Array(Math.ceil(frames / 32)),
		freeHint: 0,
		free: frames,
		words: new Map(),
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
	t.used[pfn >>> 5] |= 1 << (pfn & 31);
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
		t.words.delete(pfn); // no-MMU stray writes may have landed in a free frame
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
					t.words.delete(p);
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

/** __free_page(): the frame returns to the free pool. */
export function freePage(t: FrameTable, pfn: number): void {
	t.used[pfn >>> 5] &= ~(1 << (pfn & 31));
	t.free++;
	t.kind[pfn] = FRAME_FREE;
	t.refcount[pfn] = 0;
	t.mapcount[pfn] = 0;
	t.words.delete(pfn);
	t.tables.delete(pfn);
	const word = pfn >>> 5;
	if (word < t.freeHint) t.freeHint = word;
}

/** put_page(): drop one reference; the frame is freed at zero. The zero page is never freed. */
export function putPage(t: FrameTable, pfn: number): void {
	if (pfn === 0) return;
	if (--t.refcount[pfn]! <= 0) freePage(t, pfn);
}

export function allocPgtable(t: FrameTable): number {
	const pfn = allocPage(t, FRAME_PGTABLE);
	if (pfn >= 0) t.tables.set(pfn, new Int32Array(PTRS_PER_TABLE));
	return pfn;
}

export function readWord(t: FrameTable, pfn: number, index: number): number {
	return t.words.get(pfn)?.get(index) ?? 0;
}

export function writeWord(t: FrameTable, pfn: number, index: number, value: number): void {
	let page = t.words.get(pfn);
	if (page === undefined) {
		if (value === 0) return; // a zero word is what an unwritten word reads as
		page = new Map();
		t.words.set(pfn, page);
	}
	if (value === 0) page.delete(index);
	else page.set(index, value);
}

/** copy_user_highpage(): the words of one frame into another. */
export function copyPage(t: FrameTable, from: number, to: number): void {
	const src = t.words.get(from);
	if (src === undefined || src.size === 0) {
		t.words.delete(to);
		return;
	}
	t.words.set(to, new Map(src));
}
