// The page cache of program images (mm/filemap.c) and shared anonymous
// objects (mm/shmem.c). Each cached frame holds one reference of the cache's
// own, so refcount == mapcount + 1 while it is cached.

import {allocPage, putPage} from './page-alloc.js';
import {FRAME_FILE, FRAME_SHMEM, type KernelState} from './types.js';

/** find_or_create_page() on a program image: the cache frame of its page `index`, or -1. */
export function filemapPage(k: KernelState, program: string, index: number): number {
	let cache = k.pageCache.get(program);
	if (cache === undefined) {
		cache = new Map();
		k.pageCache.set(program, cache);
	}
	const cached = cache.get(index);
	if (cached !== undefined) return cached;
	const pfn = allocPage(k.frames, FRAME_FILE);
	if (pfn >= 0) cache.set(index, pfn);
	return pfn;
}

/** shmem_getpage(): the frame of page `index` of a shared object, allocated on first touch, or -1. */
export function shmemPage(k: KernelState, id: number, index: number): number {
	const object = k.shmem.get(id)!;
	const cached = object.pages.get(index);
	if (cached !== undefined) return cached;
	const pfn = allocPage(k.frames, FRAME_SHMEM);
	if (pfn >= 0) object.pages.set(index, pfn);
	return pfn;
}

/** shmem_file_setup() for a MAP_SHARED|MAP_ANONYMOUS mapping of `size` pages (already charged). */
export function shmemCreate(k: KernelState, size: number): number {
	const id = k.nextShmem++;
	k.shmem.set(id, {id, size, pages: new Map(), refs: 1});
	return id;
}

export function shmemGet(k: KernelState, id: number): void {
	k.shmem.get(id)!.refs++;
}

/**
 * Drop a mapping of a shared object; with the last one its pages leave the
 * cache. Returns the pages to uncharge then (shmem_delete_inode →
 * shmem_unacct_size), else 0.
 */
export function shmemPut(k: KernelState, id: number): number {
	const object = k.shmem.get(id)!;
	if (--object.refs > 0) return 0;
	for (const pfn of object.pages.values()) putPage(k.frames, pfn);
	k.shmem.delete(id);
	return object.size;
}
