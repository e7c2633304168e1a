// VMAs and the mmap family (mm/mmap.c, mm/mprotect.c, mm/madvise.c,
// mm/mlock.c, mm/nommu.c), and commit accounting (mm/mmap.c
// __vm_enough_memory).

import type {Prot} from './program.js';
import {handleMmFault, vmaPteBits, type FaultResult} from './memory.js';
import {shmemCreate, shmemPut} from './filemap.js';
import {allocContiguous, freePage, freePageSeries, putPage} from './page-alloc.js';
import {collectTables, forEachLeaf, mkPte, ptePfn} from './pgtable.js';
import {hex} from './events.js';
import type {KernelTracer} from './trace.js';
import {
	FRAME_ANON,
	FRAME_FILE,
	FRAME_FREE,
	MAP_BASE,
	PAGE_SIZE,
	PTE_ACCESSED,
	PTE_DIRTY,
	PTE_PRESENT,
	PTE_RW,
	TASK_SIZE,
	VM_ACCOUNT,
	VM_DONTCOPY,
	VM_EXEC,
	VM_LOCKED,
	VM_MAYEXEC,
	VM_MAYREAD,
	VM_MAYWRITE,
	VM_READ,
	VM_SHARED,
	VM_WIPEONFORK,
	VM_WRITE,
	type FrameTable,
	type KernelState,
	type MmStruct,
	type Task,
	type Vma,
} from './types.js';
import {EEXIST, EINVAL, ENOMEM} from './uapi.js';

export function vmaPages(vma: Vma): number {
	return (vma.end - vma.start) / PAGE_SIZE;
}

/** calc_vm_prot_bits() | calc_vm_flag_bits(), with the VM_MAY* bits mmap adds. */
export function protToFlags(prot: Prot, shared: boolean): number {
	let flags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (prot.r) flags |= VM_READ;
	if (prot.w) flags |= VM_WRITE;
	if (prot.x) flags |= VM_EXEC;
	if (shared) flags |= VM_SHARED;
	// accountable_mapping(): private and writable
	else if (prot.w) flags |= VM_ACCOUNT;
	return flags;
}

export function flagsToProt(flags: number): string {
	return ((flags & VM_READ) !== 0 ? 'r' : '-') + ((flags & VM_WRITE) !== 0 ? 'w' : '-') + ((flags & VM_EXEC) !== 0 ? 'x' : '-');
}

export function commitLimit(k: KernelState): number {
	return k.config.commit_limit;
}

/** security_vm_enough_memory() → __vm_enough_memory(): charge `pages`, or refuse. */
export function vmEnoughMemory(k: KernelState, pages: number): boolean {
	const mode = k.config.overcommit;
	if (mode === 'heuristic' && pages > k.config.frames) return false;
	if (mode === 'never' && k.committed + pages > commitLimit(k)) return false;
	k.committed += pages;
	return true;
}

/** vm_unacct_memory() */
export function vmUnacctMemory(k: KernelState, pages: number): void {
	k.committed -= pages;
}

/** mm_alloc() (kernel/fork.c): an empty address space with one user. */
export function mmAlloc(k: KernelState): MmStruct {
	const mm: MmStruct = {
		id: k.nextMm++,
		users: 1,
		vmas: [],
		pgd: -1,
		pgtables: 0,
		totalVm: 0,
		lockedVm: 0,
		rss: 0,
		hiwaterRss: 0,
		hiwaterVm: 0,
		committed: 0,
		names: new Map(),
		mmapBase: MAP_BASE,
		coreState: null,
		borrowed: [],
	};
	k.mms.set(mm.id, mm);
	return mm;
}

/**
 * The index of the first VMA that ends above `addr` (mm.vmas is sorted by
 * address and its VMAs do not overlap, so their ends are sorted too): the
 * lookup of find_vma(), by bisection as the kernel's rbtree / maple tree
 * walk takes logarithmic time. mm.vmas.length when there is none.
 */
function vmaIndexAbove(mm: MmStruct, addr: number): number {
	const vmas = mm.vmas;
	let lo = 0;
	let hi = vmas.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (vmas[mid]!.end <= addr) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** vma_link() with the counters of mm/mmap.c (map_count, total_vm, locked_vm); the place is found by bisection. */
export function vmaLink(mm: MmStruct, vma: Vma): void {
	const vmas = mm.vmas;
	let i: number;
	if (vmas.length === 0 || vmas[vmas.length - 1]!.start <= vma.start) i = vmas.length;
	else {
		let lo = 0;
		let hi = vmas.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (vmas[mid]!.start <= vma.start) lo = mid + 1;
			else hi = mid;
		}
		i = lo;
	}
	vmas.splice(i, 0, vma);
	const pages = vmaPages(vma);
	mm.totalVm += pages;
	if (mm.totalVm > mm.hiwaterVm) mm.hiwaterVm = mm.totalVm;
	if ((vma.flags & VM_LOCKED) !== 0) mm.lockedVm += pages;
	if ((vma.flags & VM_ACCOUNT) !== 0) mm.committed += pages;
	mm.names.set(vma.region, vma.start);
}

/** find_vma_intersection(): whether [start, end) meets a VMA (the first one ending above start decides). */
function overlaps(mm: MmStruct, start: number, end: number): boolean {
	const vma = mm.vmas[vmaIndexAbove(mm, start)];
	return vma !== undefined && vma.start < end;
}

/** get_unmapped_area(), bottom-up above the highest mapping below the stack. */
function getUnmappedArea(mm: MmStruct, pages: number): number {
	let base = MAP_BASE;
	// The highest-ending VMA other than the stack is the last of them in address order.
	for (let i = mm.vmas.length - 1; i >= 0; i--) {
		const vma = mm.vmas[i]!;
		if (vma.region === 'stack') continue;
		if (vma.end + PAGE_SIZE > base) base = vma.end + PAGE_SIZE;
		break;
	}
	const end = base + pages * PAGE_SIZE;
	if (end > TASK_SIZE || overlaps(mm, base, end)) return ENOMEM;
	return base;
}

export type MapRequest = {
	region: string;
	pages: number;
	prot: Prot;
	shared: boolean;
	at: number | null;
	dontfork?: boolean;
	locked?: boolean;
	file?: string | null;
};

/**
 * do_mmap_pgoff() → mmap_region(): a new VMA. Returns its start, or -errno.
 * With MMU nothing is backed until it faults; no-MMU backs it now with
 * contiguous frames (mm/nommu.c do_mmap_private).
 */
export function doMmap(k: KernelState, mm: MmStruct, req: MapRequest): number {
	if (req.pages <= 0) return EINVAL;
	if (findRegion(mm, req.region) !== undefined) return EINVAL;
	let flags = protToFlags(req.prot, req.shared);
	if (req.dontfork) flags |= VM_DONTCOPY;
	if (req.locked) flags |= VM_LOCKED;
	const nommu = k.config.mmu === 'off';
	let start: number;
	let pfn: number | null = null;
	if (nommu) {
		if (req.pages > k.frames.kind.length) return ENOMEM;
		start = 0;
	} else if (req.at !== null) {
		start = req.at;
		const end = start + req.pages * PAGE_SIZE;
		if (start % PAGE_SIZE !== 0 || end > TASK_SIZE) return EINVAL;
		// `at` never replaces a mapping: do_mmap()'s MAP_FIXED_NOREPLACE check
		// (find_vma_intersection) refuses an occupied range with -EEXIST.
		if (overlaps(mm, start, end)) return EEXIST;
	} else {
		start = getUnmappedArea(mm, req.pages);
		if (start < 0) return start;
	}
	if ((flags & VM_ACCOUNT) !== 0 && !vmEnoughMemory(k, req.pages)) return ENOMEM;
	// shmem_zero_setup() → shmem_file_setup() → shmem_acct_size(): a shared anonymous
	// object is charged once, for its whole size, when it is created.
	const shmem = req.shared && !nommu;
	if (shmem && !vmEnoughMemory(k, req.pages)) return ENOMEM;
	if (nommu) {
		pfn = allocContiguous(k.frames, req.pages, FRAME_ANON);
		if (pfn < 0) {
			if ((flags & VM_ACCOUNT) !== 0) vmUnacctMemory(k, req.pages);
			return ENOMEM;
		}
		for (let p = pfn; p < pfn + req.pages; p++) k.frames.mapcount[p] = 1;
		start = pfn * PAGE_SIZE;
		mm.rss += req.pages;
		if (mm.rss > mm.hiwaterRss) mm.hiwaterRss = mm.rss;
	}
	const vma: Vma = {
		start,
		end: start + req.pages * PAGE_SIZE,
		region: req.region,
		flags,
		file: req.file ?? null,
		shmem: shmem ? shmemCreate(k, req.pages) : null,
		anonVma: false,
		pfn,
	};
	vmaLink(mm, vma);
	return start;
}

/** The live VMA a region name refers to in this mm. */
export function findRegion(mm: MmStruct, region: string): Vma | undefined {
	// mm.names holds where each region was linked (it may be stale after an unmap): look there.
	const start = mm.names.get(region);
	if (start === undefined) return undefined;
	const vma = mm.vmas[vmaIndexAbove(mm, start)];
	return vma !== undefined && vma.start === start && vma.region === region ? vma : undefined;
}

/** zap_pte_range() over one VMA: every present PTE goes, with its frame's counts. */
export function zapVmaPtes(k: KernelState, mm: MmStruct, vma: Vma): void {
	if (mm.pgd < 0) return;
	const t = k.frames;
	const tr = k.trace;
	if (tr !== null) tr.enter('zap_pte_range', {mm: mm.id, vma: vma.region, start: hex(vma.start), end: hex(vma.end)});
	const startVpn = vma.start / PAGE_SIZE;
	forEachLeaf(t, mm.pgd, startVpn, vma.end / PAGE_SIZE, (leaf, from, to, base) => {
		for (let i = from; i < to; i++) {
			const pte = leaf[i]!;
			if ((pte & PTE_PRESENT) === 0) continue;
			leaf[i] = 0;
			const pfn = ptePfn(pte);
			t.mapcount[pfn]!--;
			if (pfn !== 0) {
				mm.rss--;
				putPage(t, pfn);
			}
			if (tr !== null) zapNote(t, tr, base + i, pfn);
		}
	});
	if (tr !== null) tr.exit('zap_pte_range');
}

function zapNote(t: FrameTable, tr: KernelTracer, vpn: number, pfn: number): void {
	const addr = hex(vpn * PAGE_SIZE);
	if (pfn === 0) {
		tr.note(`pte ${addr} cleared: the zero page (no reference to drop)`, {addr, pfn});
		return;
	}
	const ref = t.refcount[pfn]!;
	const map = t.mapcount[pfn]!;
	const freed = t.kind[pfn] === FRAME_FREE;
	tr.note(
		`pte ${addr} cleared: page_remove_rmap + put_page on pfn ${pfn}: ` +
			(freed ? `ref 1→0, map 1→0, freed` : `ref ${ref + 1}→${ref}, map ${map + 1}→${map}`),
		{addr, pfn, refcount: ref, mapcount: map, freed},
	);
}

/** unmap_region() + remove_vma(): the VMA and everything it maps leave the mm. */
export function removeVma(k: KernelState, mm: MmStruct, vma: Vma, unlink = true): void {
	const pages = vmaPages(vma);
	if (vma.pfn !== null) {
		// no-MMU: delete_vma → put_nommu_region → free_page_series on the mapping's own frames
		freePageSeries(k.frames, vma.pfn, pages);
		mm.rss -= pages;
		if (k.trace !== null) nommuFreeNote(k, mm, vma);
		if (k.config.kernel === '2.6.32') forgetBorrowed(k, mm, vma);
	} else {
		zapVmaPtes(k, mm, vma);
	}
	if (vma.shmem !== null) vmUnacctMemory(k, shmemPut(k, vma.shmem));
	if ((vma.flags & VM_ACCOUNT) !== 0) {
		vmUnacctMemory(k, pages);
		mm.committed -= pages;
		if (k.trace !== null)
			k.trace.note(`vma ${vma.region} was VM_ACCOUNT: vm_unacct_memory(${pages}), committed ${k.committed + pages}→${k.committed}`, {
				vma: vma.region,
				charge: -pages,
			});
	}
	mm.totalVm -= pages;
	if ((vma.flags & VM_LOCKED) !== 0) mm.lockedVm -= pages;
	if (unlink) {
		const i = vmaIndexAbove(mm, vma.start);
		mm.vmas.splice(mm.vmas[i] === vma ? i : mm.vmas.indexOf(vma), 1);
	}
}

/** do_munmap(): unmapping a region that is not mapped is not an error. */
export function doMunmap(k: KernelState, mm: MmStruct, region: string): number {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_munmap', {mm: mm.id, region});
	const vma = findRegion(mm, region);
	if (vma === undefined) {
		if (tr !== null) tr.note(`no VMA named ${region}: nothing to unmap, not an error`);
	} else if (mm.borrowed.length > 0 && vmaOwner(mm, vma) !== mm.id) {
		// 2.6.32 no-MMU do_munmap(): delete_vma_from_mm(vma) works on vma->vm_mm, the owner (forgetBorrowed unlinks it here)
		deleteOwnersVma(k, vma, vmaOwner(mm, vma));
	} else removeVma(k, mm, vma);
	if (tr !== null) tr.exit('do_munmap', {ret: 0});
	return 0;
}

/** mprotect_fixup() → change_protection(). */
export function doMprotect(k: KernelState, mm: MmStruct, region: string, prot: Prot): number {
	const vma = findRegion(mm, region);
	if (vma === undefined) return ENOMEM;
	const shared = (vma.flags & VM_SHARED) !== 0;
	let flags = (vma.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | protToFlags(prot, shared);
	flags &= ~VM_ACCOUNT;
	flags |= vma.flags & VM_ACCOUNT;
	const pages = vmaPages(vma);
	if (!shared && prot.w && (vma.flags & VM_ACCOUNT) === 0) {
		// A private mapping becoming writable is charged now.
		if (!vmEnoughMemory(k, pages)) return ENOMEM;
		flags |= VM_ACCOUNT;
		mm.committed += pages;
	}
	vma.flags = flags;
	if (k.config.mmu === 'off' || mm.pgd < 0) return 0; // no-MMU records the prot, nothing more
	const bits = vmaPteBits(vma);
	const t = k.frames;
	forEachLeaf(t, mm.pgd, vma.start / PAGE_SIZE, vma.end / PAGE_SIZE, (leaf, from, to) => {
		for (let i = from; i < to; i++) {
			const pte = leaf[i]!;
			if ((pte & PTE_PRESENT) === 0) continue;
			// pte_modify() with the VMA's new vm_page_prot: PAGE_SHARED (writable) for a
			// shared writable mapping, PAGE_COPY (read-only) for any private one, so the
			// next write to a private page goes through do_wp_page again.
			const rw = shared && prot.w ? PTE_RW : 0;
			leaf[i] = mkPte(ptePfn(pte), bits | rw | (pte & (PTE_ACCESSED | PTE_DIRTY)));
		}
	});
	return 0;
}

/** madvise(MADV_DONTFORK / MADV_DOFORK) */
export function doMadvise(k: KernelState, mm: MmStruct, region: string, advice: 'dontfork' | 'dofork' | 'wipeonfork' | 'keeponfork'): number {
	// madvise_behavior_valid(): 2.6.32 has no MADV_WIPEONFORK / MADV_KEEPONFORK (4.14): unknown advice
	if ((advice === 'wipeonfork' || advice === 'keeponfork') && k.config.kernel === '2.6.32') return EINVAL;
	const vma = findRegion(mm, region);
	if (vma === undefined) return ENOMEM;
	switch (advice) {
		case 'dontfork':
			vma.flags |= VM_DONTCOPY;
			break;
		case 'dofork':
			vma.flags &= ~VM_DONTCOPY;
			break;
		case 'wipeonfork':
			// "MADV_WIPEONFORK is only supported on anonymous memory"
			if (vma.file !== null || (vma.flags & VM_SHARED) !== 0) return EINVAL;
			vma.flags |= VM_WIPEONFORK;
			break;
		case 'keeponfork':
			vma.flags &= ~VM_WIPEONFORK;
			break;
	}
	return 0;
}

/**
 * mlock_fixup() → __mlock_vma_pages_range(): VM_LOCKED, and every page faulted
 * in now (written if the mapping is private and writable).
 */
export function doMlock(k: KernelState, task: Task, mm: MmStruct, region: string): number | FaultResult {
	const vma = findRegion(mm, region);
	if (vma === undefined) return ENOMEM;
	if ((vma.flags & VM_LOCKED) === 0) {
		vma.flags |= VM_LOCKED;
		mm.lockedVm += vmaPages(vma);
	}
	return populateVma(k, task, mm, vma, ['sys_mlock', '__mlock_vma_pages_range', '__get_user_pages']);
}

export function populateVma(k: KernelState, task: Task, mm: MmStruct, vma: Vma, prefix: string[]): number | FaultResult {
	if (k.config.mmu === 'off') return 0;
	const write = (vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
	if ((vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return 0;
	const t = k.frames;
	const tr = k.trace;
	if (tr !== null) tr.enter('__get_user_pages', {mm: mm.id, vma: vma.region, start: hex(vma.start), end: hex(vma.end), write});
	for (let va = vma.start; va < vma.end; va += PAGE_SIZE) {
		const vpn = va / PAGE_SIZE;
		let pte = 0;
		forEachLeaf(t, mm.pgd, vpn, vpn + 1, (leaf, from) => {
			pte = leaf[from]!;
		});
		const present = (pte & PTE_PRESENT) !== 0;
		if (present && (!write || (pte & PTE_RW) !== 0)) continue;
		const result = handleMmFault(
			k,
			task,
			mm,
			vma,
			va,
			write ? 'write' : (vma.flags & VM_READ) !== 0 || (vma.flags & VM_WRITE) !== 0 ? 'read' : 'exec',
			prefix,
		);
		if (result !== 'ok') {
			if (tr !== null) tr.exit('__get_user_pages', {ret: result});
			return result;
		}
	}
	if (tr !== null) tr.exit('__get_user_pages', {ret: 0});
	return 0;
}

export function doMunlock(mm: MmStruct, region: string): number {
	const vma = findRegion(mm, region);
	if (vma === undefined) return ENOMEM;
	if ((vma.flags & VM_LOCKED) !== 0) {
		vma.flags &= ~VM_LOCKED;
		mm.lockedVm -= vmaPages(vma);
	}
	return 0;
}

/** exit_mmap(): unmap every VMA (zapping its PTEs), then free the page tables. */
export function exitMmap(k: KernelState, mm: MmStruct): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('exit_mmap', {mm: mm.id, vmas: mm.vmas.length});
	// Every VMA torn down in address order, then the list emptied at once (not one splice each).
	if (mm.borrowed.length > 0) exitMmapBorrowed(k, mm);
	else for (const vma of mm.vmas) removeVma(k, mm, vma, false);
	mm.vmas.length = 0;
	if (mm.pgd >= 0) {
		if (tr !== null) tr.enter('free_pgtables', {mm: mm.id, pgtables: mm.pgtables});
		const tables = collectTables(k.frames, mm.pgd);
		for (const pfn of tables) freePage(k.frames, pfn);
		mm.pgd = -1;
		mm.pgtables = 0;
		if (tr !== null) {
			tr.note(`${tables.length} page-table pages freed (pfn ${tables.join(', ')})`, {freed: tables.length});
			tr.exit('free_pgtables');
		}
	}
	if (tr !== null) tr.exit('exit_mmap');
}

// 2.6.32 no-MMU clone without CLONE_VM (kernel/fork.c dup_mm, mm/nommu.c).
// dup_mm() memcpy's the parent's mm_struct, mm->mmap included, and without
// CONFIG_MMU "#define dup_mmap(mm, oldmm) (0)" leaves it so: the child's mm
// lists the parent's VMAs, but their vm_region->vm_usage was never raised.
// mm.borrowed names those VMAs; the checker counts them in no frame's
// mapcount and requires their owner to list them still (invariants.ts).

/** The mm a VMA of `mm`'s list belongs to (vma->vm_mm). */
export function vmaOwner(mm: MmStruct, vma: Vma): number {
	for (const b of mm.borrowed) if (b.start === vma.start) return b.owner;
	return mm.id;
}

/**
 * 2.6.32 mm/nommu.c exit_mmap(): "while ((vma = mm->mmap)) { mm->mmap =
 * vma->vm_next; delete_vma_from_mm(vma); delete_vma(mm, vma); }". A VMA the
 * list borrowed is its owner's: delete_vma_from_mm unlinks it from
 * vma->vm_mm (the owner, still running on it), and delete_vma's
 * put_nommu_region drops the region's only vm_usage: free_page_series frees
 * the owner's frames.
 */
function exitMmapBorrowed(k: KernelState, mm: MmStruct): void {
	const tr = k.trace;
	const borrowed = new Map(mm.borrowed.map((b) => [b.start, b.owner]));
	mm.borrowed = [];
	for (const vma of mm.vmas) {
		const owner = borrowed.get(vma.start);
		if (owner === undefined) {
			removeVma(k, mm, vma, false);
			continue;
		}
		mm.totalVm -= vmaPages(vma);
		if ((vma.flags & VM_LOCKED) !== 0) mm.lockedVm -= vmaPages(vma);
		deleteOwnersVma(k, vma, owner);
	}
	if (tr !== null && borrowed.size > 0) tr.note(`mm ${mm.id}'s list is empty: total_vm = 0`, {mm: mm.id});
}

/**
 * delete_vma_from_mm(vma) + delete_vma() on a VMA whose vm_mm is `owner`,
 * reached through another mm's list: it leaves the owner's list, and its
 * region, which only the owner counted, is freed under the owner.
 */
function deleteOwnersVma(k: KernelState, vma: Vma, owner: number): void {
	const om = k.mms.get(owner);
	const ovma = om === undefined ? undefined : om.vmas[vmaIndexAbove(om, vma.start)];
	if (om === undefined || ovma === undefined || ovma.start !== vma.start) return; // forgetBorrowed keeps this from happening
	const tr = k.trace;
	if (tr !== null) {
		const users = [...k.tasks.values()].filter((t) => t.mm === om.id && t.state !== 'Z' && t.state !== 'X').map((t) => t.pid);
		tr.note(
			`vma ${vma.region} [${hex(vma.start)}-${hex(vma.end)}) is mm ${om.id}'s (dup_mm copied mm->mmap): delete_vma_from_mm unlinks it from mm ${om.id}` +
				(users.length > 0 ? `, which pid ${users.join(', ')} still run${users.length === 1 ? 's' : ''} on` : ''),
			{vma: vma.region, owner: om.id},
		);
	}
	removeVma(k, om, ovma);
}

/** Every other mm that borrowed `vma` from `mm` loses it from its list too (it pointed at the VMA just freed). */
function forgetBorrowed(k: KernelState, mm: MmStruct, vma: Vma): void {
	if (k.config.mmu !== 'off') return;
	for (const other of k.mms.values()) {
		const i = other.borrowed.findIndex((b) => b.start === vma.start && b.owner === mm.id);
		if (i < 0) continue;
		other.borrowed.splice(i, 1);
		const j = vmaIndexAbove(other, vma.start);
		const stale = other.vmas[j];
		if (stale === undefined || stale.start !== vma.start) continue;
		other.vmas.splice(j, 1);
		other.totalVm -= vmaPages(stale);
		if ((stale.flags & VM_LOCKED) !== 0) other.lockedVm -= vmaPages(stale);
		if (k.trace !== null)
			k.trace.note(`mm ${other.id}'s list pointed at this VMA too (2.6.32 dup_mm): it is gone from there as well`, {vma: vma.region, mm: other.id});
	}
}

function nommuFreeNote(k: KernelState, mm: MmStruct, vma: Vma): void {
	const pfn = vma.pfn!;
	const last = pfn + vmaPages(vma) - 1;
	const range = last === pfn ? `pfn ${pfn}` : `pfn ${pfn}-${last}`;
	const freed = k.frames.kind[pfn] === FRAME_FREE;
	k.trace!.note(
		`delete_vma(${vma.region}): put_nommu_region on ${range}: ` +
			(freed
				? 'the last user is gone, free_page_series frees it (its words stay until the next allocation)'
				: k.frames.kind[pfn] === FRAME_FILE
					? "the program's text stays in the page cache"
					: "still used by other mm's, not freed"),
		{vma: vma.region, mm: mm.id, pfn, freed},
	);
}
