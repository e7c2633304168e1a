// Faults and user accesses (mm/memory.c, arch/x86/mm/fault.c): the only way a
// mapping gets a frame.

import {hex, type Access, type FaultKind} from './events.js';
import {allocPage, copyPage, putPage, readWord, writeWord} from './page-alloc.js';
import {lookupPte, mkPte, pteAlloc, pteTable, ptePfn} from './pgtable.js';
import {shmemPage, filemapPage} from './filemap.js';
import {forceSig} from './signal.js';
import {signalNumbers} from './uapi.js';
import {
	FRAME_ANON,
	FRAME_FILE,
	PAGE_SIZE,
	PTE_ACCESSED,
	PTE_DIRTY,
	PTE_NX,
	PTE_PRESENT,
	PTE_RW,
	PTE_USER,
	PTRS_PER_TABLE,
	TASK_SIZE,
	VM_EXEC,
	VM_MAYWRITE,
	VM_READ,
	VM_SHARED,
	VM_WRITE,
	type KernelState,
	type MmStruct,
	type Task,
	type Vma,
} from './types.js';

/** find_vma(): the VMA containing va, or undefined. */
export function findVma(mm: MmStruct, va: number): Vma | undefined {
	const vmas = mm.vmas;
	let lo = 0;
	let hi = vmas.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		const vma = vmas[mid]!;
		if (va < vma.start) hi = mid - 1;
		else if (va >= vma.end) lo = mid + 1;
		else return vma;
	}
	return undefined;
}

/** The hardware bits a PTE gets in a VMA (vm_get_page_prot), before write-protection. */
export function vmaPteBits(vma: Vma): number {
	const f = vma.flags;
	let bits = PTE_PRESENT;
	if ((f & (VM_READ | VM_WRITE | VM_EXEC)) !== 0) bits |= PTE_USER; // PROT_NONE pages are not user-accessible
	if ((f & VM_EXEC) === 0) bits |= PTE_NX;
	return bits;
}

/** is_cow_mapping(): private and may be written. */
export function isCowMapping(flags: number): boolean {
	return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

export type FaultResult = 'ok' | 'segv' | 'oom';

const PATH_FAULT = ['handle_mm_fault', 'handle_pte_fault'];

const paths = new Map<string, readonly string[]>();

/**
 * A call path, shared by every event that has it: a million faults of one
 * kind hold one array, not a million copies.
 */
function callPath(prefix: readonly string[], ...names: string[]): string[] {
	const key = prefix.length === 0 ? names.join('>') : `${prefix.join('>')}>${names.join('>')}`;
	let path = paths.get(key);
	if (path === undefined) {
		path = Object.freeze([...prefix, ...names]);
		paths.set(key, path);
	}
	return path as string[];
}

/**
 * The fault being handled, as struct vm_fault carries it down the fault path
 * (include/linux/mm.h): the task and mm, the VMA, the address and its page,
 * the access, and the callers above handle_mm_fault when it is not a user
 * access (get_user_pages for mlock and MAP_LOCKED).
 */
export type VmFault = {
	task: Task;
	mm: MmStruct;
	vma: Vma;
	va: number;
	vpn: number;
	/** The page's index in its VMA (vmf->pgoff, from the mapping's start). */
	pgoff: number;
	access: Access;
	prefix: readonly string[];
};

function emitFault(
	k: KernelState,
	f: {task: Task; access: Access; va: number; vma: Vma | undefined},
	kind: FaultKind,
	frame: number | null,
	from: number | null,
	path: string[],
): void {
	k.events.push({
		tick: k.tick,
		type: 'fault',
		pid: f.task.pid,
		kind,
		access: f.access,
		addr: hex(f.va),
		region: f.vma?.region ?? null,
		frame,
		from,
		path,
	});
}

function accessAllowed(vma: Vma, access: Access): boolean {
	// arch/x86/mm/fault.c access_error()
	if (access === 'write') return (vma.flags & VM_WRITE) !== 0;
	if (access === 'exec') return (vma.flags & VM_EXEC) !== 0;
	return (vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) !== 0;
}

function setPte(k: KernelState, mm: MmStruct, vpn: number, pte: number, oldPte: number): void {
	const leaf = pteTable(k.frames, mm.pgd, vpn)!;
	leaf[vpn % PTRS_PER_TABLE] = pte;
	const wasCounted = (oldPte & PTE_PRESENT) !== 0 && ptePfn(oldPte) !== 0;
	const isCounted = (pte & PTE_PRESENT) !== 0 && ptePfn(pte) !== 0;
	if (isCounted && !wasCounted) {
		mm.rss++;
		if (mm.rss > mm.hiwaterRss) mm.hiwaterRss = mm.rss;
	} else if (!isCounted && wasCounted) {
		mm.rss--;
	}
}

/**
 * do_page_fault() (arch/x86/mm/fault.c): a user access the MMU refused. No
 * VMA, or one that forbids the access, is SIGSEGV (bad_area); otherwise
 * handle_mm_fault resolves it. Running out of memory is returned ('oom'): the
 * caller runs the OOM killer (pagefault_out_of_memory), and the access is
 * retried when the task next runs.
 */
export function doPageFault(k: KernelState, task: Task, mm: MmStruct, va: number, access: Access): FaultResult {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_page_fault', {pid: task.pid, addr: hex(va), access});
	const vma = findVma(mm, va);
	let result: FaultResult;
	if (vma === undefined) {
		emitFault(k, {task, access, va, vma}, 'segv-maperr', null, null, callPath([], 'do_page_fault', 'bad_area'));
		if (tr !== null) tr.note(`no VMA contains ${hex(va)}: bad_area, SIGSEGV (SEGV_MAPERR)`);
		result = 'segv';
	} else if (!accessAllowed(vma, access)) {
		emitFault(k, {task, access, va, vma}, 'segv-accerr', null, null, callPath([], 'do_page_fault', 'bad_area_access_error'));
		if (tr !== null)
			tr.note(`vma ${vma.region} is ${protText(vma)}: a ${access} is not allowed: bad_area_access_error, SIGSEGV (SEGV_ACCERR)`, {vma: vma.region});
		result = 'segv';
	} else {
		if (tr !== null) tr.note(`vma ${vma.region} (${protText(vma)}) allows the ${access}: handle_mm_fault`, {vma: vma.region});
		result = handleMmFault(k, task, mm, vma, va, access);
	}
	if (result === 'segv') forceSig(k, task, signalNumbers.SIGSEGV);
	else if (result === 'oom' && tr !== null) tr.note(`out of memory: pagefault_out_of_memory calls the OOM killer`);
	if (tr !== null) tr.exit('do_page_fault', {ret: result});
	return result;
}

function protText(vma: Vma): string {
	return ((vma.flags & VM_READ) !== 0 ? 'r' : '-') + ((vma.flags & VM_WRITE) !== 0 ? 'w' : '-') + ((vma.flags & VM_EXEC) !== 0 ? 'x' : '-');
}

function pteText(pte: number): string {
	if ((pte & PTE_PRESENT) === 0) return 'none';
	return `pfn ${ptePfn(pte)} ${(pte & PTE_RW) !== 0 ? 'rw' : 'ro'}`;
}

/**
 * handle_mm_fault(): allocate the page-table levels down to the PTE, then
 * handle_pte_fault. `prefix` names the callers above it when it is not a user
 * access (get_user_pages for mlock and MAP_LOCKED): they get the result back,
 * and nobody is signalled.
 */
export function handleMmFault(k: KernelState, task: Task, mm: MmStruct, vma: Vma, va: number, access: Access, prefix: readonly string[] = []): FaultResult {
	const tr = k.trace;
	if (tr !== null) tr.enter('handle_mm_fault', {mm: mm.id, vma: vma.region, addr: hex(va), access});
	const vpn = Math.floor(va / PAGE_SIZE);
	const vmf: VmFault = {task, mm, vma, va, vpn, pgoff: vpn - Math.floor(vma.start / PAGE_SIZE), access, prefix};
	const tables = mm.pgtables;
	const leaf = pteAlloc(k.frames, mm, vpn);
	if (tr !== null && mm.pgtables !== tables)
		tr.note(`pud_alloc/pmd_alloc/pte_alloc_map: ${mm.pgtables - tables} page-table page(s) allocated down to the PTE`, {pgtables: mm.pgtables});
	const result = leaf === undefined ? oom(k, vmf, callPath(prefix, 'handle_mm_fault', 'pte_alloc_map')) : handlePteFault(k, vmf, leaf);
	if (tr !== null) tr.exit('handle_mm_fault', {ret: result});
	return result;
}

/**
 * handle_pte_fault(): a missing PTE is a first touch (do_linear_fault for file
 * and shmem pages, else do_anonymous_page); a write to a present read-only
 * one is do_wp_page.
 */
function handlePteFault(k: KernelState, vmf: VmFault, leaf: Int32Array): FaultResult {
	const tr = k.trace;
	const index = vmf.vpn % PTRS_PER_TABLE;
	const old = leaf[index]!;
	if (tr !== null) tr.enter('handle_pte_fault', {vma: vmf.vma.region, addr: hex(vmf.va), pte: pteText(old), access: vmf.access});
	const page = hex(vmf.vpn * PAGE_SIZE);
	let result: FaultResult;
	if ((old & PTE_PRESENT) === 0) {
		if (vmf.vma.shmem !== null || vmf.vma.file !== null) {
			if (tr !== null) tr.note(`pte ${page} not present: first touch of a ${vmf.vma.shmem !== null ? 'shared anon' : 'file'} mapping: do_linear_fault`);
			result = doLinearFault(k, vmf);
		} else {
			if (tr !== null) tr.note(`pte ${page} not present: first touch of an anonymous mapping: do_anonymous_page`);
			result = doAnonymousPage(k, vmf);
		}
	} else if (vmf.access === 'write' && (old & PTE_RW) === 0) {
		if (tr !== null) tr.note(`pte ${page} present but read-only, and this is a write: do_wp_page`);
		result = doWpPage(k, vmf, old);
	} else {
		// Spurious fault (the PTE already allows it): only the accessed/dirty bits change.
		leaf[index] = old | PTE_ACCESSED | (vmf.access === 'write' ? PTE_DIRTY : 0);
		if (tr !== null)
			tr.note(`pte ${page} already allows the ${vmf.access}: only the accessed${vmf.access === 'write' ? ' and dirty bits are' : ' bit is'} set`);
		result = 'ok';
	}
	if (tr !== null) tr.exit('handle_pte_fault', {ret: result});
	return result;
}

function oom(k: KernelState, vmf: VmFault, path: string[]): FaultResult {
	const tr = k.trace;
	if (tr !== null) tr.enter('out_of_memory', {pid: vmf.task.pid, addr: hex(vmf.va)});
	emitFault(k, vmf, 'oom', null, null, callPath(path, 'out_of_memory'));
	if (tr !== null) {
		tr.note(`no free frame for the ${vmf.access} at ${hex(vmf.va)} (${k.frames.free} free): VM_FAULT_OOM`, {free: k.frames.free});
		tr.exit('out_of_memory', {ret: 'oom'});
	}
	return 'oom';
}

/** do_linear_fault() → __do_fault(): the page from the shmem object (shmem_fault) or the page cache (filemap_fault). */
function doLinearFault(k: KernelState, vmf: VmFault): FaultResult {
	const tr = k.trace;
	const t = k.frames;
	const {mm, vma, vpn, access} = vmf;
	const bits = vmaPteBits(vma) | PTE_ACCESSED;
	if (tr !== null) {
		tr.enter('do_linear_fault', {vma: vma.region, addr: hex(vmf.va), access, pgoff: vmf.pgoff});
		tr.enter('__do_fault', {vma: vma.region, pgoff: vmf.pgoff});
	}
	const done = (r: FaultResult): FaultResult => {
		if (tr !== null) {
			tr.exit('__do_fault', {ret: r});
			tr.exit('do_linear_fault', {ret: r});
		}
		return r;
	};
	const page = hex(vpn * PAGE_SIZE);
	if (vma.shmem !== null) {
		const path = callPath(vmf.prefix, ...PATH_FAULT, 'do_linear_fault', '__do_fault', 'shmem_fault');
		const pfn = shmemPage(k, vma.shmem, vmf.pgoff);
		if (pfn < 0) return done(oom(k, vmf, path));
		t.refcount[pfn]!++;
		t.mapcount[pfn]!++;
		if (tr !== null)
			tr.note(
				`shmem_fault: page ${vmf.pgoff} of shmem object ${vma.shmem} is pfn ${pfn}; ref ${t.refcount[pfn]! - 1}→${t.refcount[pfn]}, map ${t.mapcount[pfn]! - 1}→${t.mapcount[pfn]}`,
				{pfn},
			);
		const writable = (vma.flags & VM_WRITE) !== 0 ? PTE_RW : 0;
		setPte(k, mm, vpn, mkPte(pfn, bits | writable | (access === 'write' ? PTE_DIRTY : 0)), 0);
		emitFault(k, vmf, 'shmem', pfn, null, path);
		if (tr !== null) tr.note(`shared mapping: set_pte_at pte ${page} → pfn ${pfn} ${writable !== 0 ? 'rw' : 'ro'}, every sharer sees the same page`, {pfn});
		if (access !== 'write' && k.config.kernel === '6.18') doFaultAround(k, vmf, bits | writable);
		return done('ok');
	}
	const path = callPath(vmf.prefix, ...PATH_FAULT, 'do_linear_fault', '__do_fault', 'filemap_fault');
	const cache = filemapPage(k, vma.file!, vmf.pgoff);
	if (cache < 0) return done(oom(k, vmf, path));
	if (tr !== null) tr.note(`filemap_fault: page ${vmf.pgoff} of '${vma.file}' is page-cache pfn ${cache}`, {pfn: cache});
	if (access !== 'write') {
		t.refcount[cache]!++;
		t.mapcount[cache]!++;
		setPte(k, mm, vpn, mkPte(cache, bits), 0);
		emitFault(k, vmf, 'file', cache, null, path);
		if (tr !== null)
			tr.note(
				`${access === 'read' ? 'a read' : 'an exec'}: the cache page itself is mapped read-only (ref ${t.refcount[cache]! - 1}→${t.refcount[cache]}, map ${t.mapcount[cache]! - 1}→${t.mapcount[cache]})`,
				{pfn: cache},
			);
		if (k.config.kernel === '6.18') doFaultAround(k, vmf, bits);
		return done('ok');
	}
	// A write to a private file mapping: __do_fault copies into an anon page.
	const pfn = allocPage(t, FRAME_ANON);
	if (pfn < 0) return done(oom(k, vmf, path));
	copyPage(t, cache, pfn);
	t.mapcount[pfn] = 1;
	vma.anonVma = true;
	if (tr !== null)
		tr.note(`a write to a private file mapping: the cache page pfn ${cache} is copied into a new anon page pfn ${pfn} (the file stays unchanged)`, {
			pfn,
			from: cache,
		});
	setPte(k, mm, vpn, mkPte(pfn, bits | PTE_RW | PTE_DIRTY), 0);
	emitFault(k, vmf, 'file-cow', pfn, cache, path);
	if (tr !== null) tr.note(`set_pte_at: pte ${page} → pfn ${pfn} rw`, {pfn});
	return done('ok');
}

/** fault_around_bytes (64 KiB): the block do_fault_around maps around a read fault. */
const FAULT_AROUND_PAGES = 16;

/**
 * do_fault_around() → filemap_map_pages() (6.18 mm/memory.c, mm/filemap.c):
 * after a read fault on a file or shmem mapping, the other pages of the same
 * 16-page aligned block (within the VMA and its page table) that are already
 * in the page cache are mapped too, with no fault of their own. Nothing is
 * read in or allocated for them.
 */
function doFaultAround(k: KernelState, vmf: VmFault, bits: number): void {
	const t = k.frames;
	const {mm, vma, vpn} = vmf;
	const first = Math.max(vpn - (vpn % FAULT_AROUND_PAGES), vma.start / PAGE_SIZE, vpn - (vpn % PTRS_PER_TABLE));
	const end = Math.min(vpn - (vpn % FAULT_AROUND_PAGES) + FAULT_AROUND_PAGES, vma.end / PAGE_SIZE, vpn - (vpn % PTRS_PER_TABLE) + PTRS_PER_TABLE);
	const leaf = pteTable(t, mm.pgd, vpn)!;
	const vmaPage = vma.start / PAGE_SIZE;
	const cache = vma.shmem !== null ? k.shmem.get(vma.shmem)!.pages : k.pageCache.get(vma.file!);
	const mapped: number[] = [];
	for (let v = first; v < end; v++) {
		if (v === vpn || leaf[v % PTRS_PER_TABLE] !== 0) continue;
		const pfn = cache?.get(v - vmaPage);
		if (pfn === undefined) continue;
		t.refcount[pfn]!++;
		t.mapcount[pfn]!++;
		setPte(k, mm, v, mkPte(pfn, bits), 0); // do_set_pte: young on x86 (arch_wants_old_prefaulted_pte is false)
		mapped.push(v);
	}
	const tr = k.trace;
	if (tr !== null) {
		const block = `[${hex(first * PAGE_SIZE)}-${hex(end * PAGE_SIZE)})`;
		tr.note(
			mapped.length === 0
				? `do_fault_around ${block}: no other page of the block is in the page cache`
				: `do_fault_around ${block}: filemap_map_pages maps ${mapped.length} more cached page(s) without a fault`,
			{mapped: mapped.length},
		);
	}
}

/** do_anonymous_page(): a read maps the zero page, a write a new zeroed page. */
function doAnonymousPage(k: KernelState, vmf: VmFault): FaultResult {
	const tr = k.trace;
	const t = k.frames;
	const {mm, vma, vpn} = vmf;
	const bits = vmaPteBits(vma) | PTE_ACCESSED;
	const path = callPath(vmf.prefix, ...PATH_FAULT, 'do_anonymous_page');
	if (tr !== null) tr.enter('do_anonymous_page', {vma: vma.region, addr: hex(vmf.va), access: vmf.access});
	const page = hex(vpn * PAGE_SIZE);
	if (vmf.access !== 'write') {
		t.mapcount[0]!++; // display count: Linux keeps none for the zero page
		setPte(k, mm, vpn, mkPte(0, bits), 0);
		emitFault(k, vmf, 'zero', 0, null, path);
		if (tr !== null) {
			tr.note(`${vmf.access === 'read' ? 'a read' : 'an exec'}: map the zero page (pfn 0) read-only at ${page}; a later write copies it (cow-zero)`, {
				pfn: 0,
			});
			tr.exit('do_anonymous_page', {ret: 'ok'});
		}
		return 'ok';
	}
	const pfn = allocPage(t, FRAME_ANON);
	if (pfn < 0) {
		if (tr !== null) tr.note('alloc_zeroed_user_highpage: no free frame');
		const r = oom(k, vmf, path);
		if (tr !== null) tr.exit('do_anonymous_page', {ret: r});
		return r;
	}
	t.mapcount[pfn] = 1;
	const firstAnon = !vma.anonVma;
	vma.anonVma = true; // anon_vma_prepare()
	if (tr !== null) {
		tr.note(
			`a write: alloc_zeroed_user_highpage gives pfn ${pfn} (ref 1, map 1)` +
				(firstAnon ? `; anon_vma_prepare: vma ${vma.region} now has anon pages (fork will copy its PTEs)` : ''),
			{pfn},
		);
	}
	setPte(k, mm, vpn, mkPte(pfn, bits | PTE_RW | PTE_DIRTY), 0);
	emitFault(k, vmf, 'anon', pfn, null, path);
	if (tr !== null) {
		tr.note(`set_pte_at: pte ${page} → pfn ${pfn} rw, dirty; mm ${mm.id} rss ${mm.rss}`, {addr: page, pfn});
		tr.exit('do_anonymous_page', {ret: 'ok'});
	}
	return 'ok';
}

/** do_wp_page(): a write to a present, write-protected PTE in a writable VMA. */
function doWpPage(k: KernelState, vmf: VmFault, old: number): FaultResult {
	const tr = k.trace;
	const t = k.frames;
	const {mm, vma, vpn} = vmf;
	const path = callPath(vmf.prefix, ...PATH_FAULT, 'do_wp_page');
	const oldPfn = ptePfn(old);
	const addr = hex(vpn * PAGE_SIZE);
	if (tr !== null) tr.enter('do_wp_page', {vma: vma.region, addr: hex(vmf.va), pfn: oldPfn, refcount: t.refcount[oldPfn]!, mapcount: t.mapcount[oldPfn]!});
	const keep = old & (PTE_USER | PTE_NX);
	if ((vma.flags & VM_SHARED) !== 0) {
		// Shared writable mapping: the page is made writable where it is.
		setPte(k, mm, vpn, old | PTE_RW | PTE_DIRTY | PTE_ACCESSED, old);
		emitFault(k, vmf, 'shmem', oldPfn, null, path);
		if (tr !== null) {
			tr.note(`vma ${vma.region} is shared: no copy, pte ${addr} made writable on pfn ${oldPfn} in place`, {pfn: oldPfn});
			tr.exit('do_wp_page', {ret: 'ok'});
		}
		return 'ok';
	}
	const era2632 = k.config.kernel === '2.6.32';
	const anon = oldPfn !== 0 && t.kind[oldPfn] === FRAME_ANON;
	// 2.6.32 reuse_swap_page(): the mapcount decides, extra references (pins) do not count.
	// 6.18: PageAnonExclusive, else wp_can_reuse_anon_folio(): only a refcount of 1.
	if (anon && (era2632 ? t.mapcount[oldPfn] === 1 : t.exclusive[oldPfn] === 1 || t.refcount[oldPfn] === 1)) {
		const wasExclusive = t.exclusive[oldPfn] === 1;
		if (!era2632) t.exclusive[oldPfn] = 1; // folio_move_anon_rmap + SetPageAnonExclusive
		setPte(k, mm, vpn, old | PTE_RW | PTE_DIRTY | PTE_ACCESSED, old);
		emitFault(k, vmf, 'cow-reuse', oldPfn, null, path);
		if (tr !== null) {
			tr.note(
				era2632
					? `page_mapcount(pfn ${oldPfn}) = 1: reuse (reuse_swap_page): pte ${addr} made writable in place, no copy`
					: wasExclusive
						? `PageAnonExclusive(pfn ${oldPfn}): reuse: pte ${addr} made writable in place, no copy`
						: `folio_ref_count(pfn ${oldPfn}) = 1: reuse (wp_can_reuse_anon_folio), now exclusive: pte ${addr} made writable in place`,
				{pfn: oldPfn, mapcount: t.mapcount[oldPfn]!, refcount: t.refcount[oldPfn]!},
			);
			tr.exit('do_wp_page', {ret: 'ok'});
		}
		return 'ok';
	}
	if (tr !== null) {
		tr.note(
			oldPfn === 0
				? 'pfn 0 is the zero page: a zeroed page replaces it (cow-zero)'
				: t.kind[oldPfn] === FRAME_FILE
					? `pfn ${oldPfn} is a page-cache page of '${vma.file}': cannot reuse, copy (file-cow)`
					: era2632
						? `page_mapcount(pfn ${oldPfn}) = ${t.mapcount[oldPfn]}: cannot reuse, copy`
						: `pfn ${oldPfn} is not exclusive and folio_ref_count = ${t.refcount[oldPfn]}: cannot reuse (wp_can_reuse_anon_folio), copy`,
			{pfn: oldPfn, mapcount: t.mapcount[oldPfn]!},
		);
	}
	const pfn = allocPage(t, FRAME_ANON);
	if (pfn < 0) {
		const r = oom(k, vmf, path);
		if (tr !== null) tr.exit('do_wp_page', {ret: r});
		return r;
	}
	vma.anonVma = true; // anon_vma_prepare()
	if (oldPfn !== 0) copyPage(t, oldPfn, pfn); // cow_user_page(); the zero page copies as zeros
	t.mapcount[pfn] = 1;
	if (tr !== null)
		tr.note(
			oldPfn === 0
				? `alloc_zeroed_user_highpage: pfn ${pfn} (ref 1, map 1)`
				: `alloc_page_vma: pfn ${pfn}; cow_user_page copies pfn ${oldPfn} into it (ref 1, map 1)`,
			{pfn, from: oldPfn},
		);
	setPte(k, mm, vpn, mkPte(pfn, keep | PTE_PRESENT | PTE_RW | PTE_DIRTY | PTE_ACCESSED), old);
	if (tr !== null) tr.note(`set_pte_at: pte ${addr} → pfn ${pfn} rw (was pfn ${oldPfn} ro)`, {addr, pfn});
	let kind: FaultKind;
	if (oldPfn === 0) {
		t.mapcount[0]!--;
		kind = 'cow-zero';
	} else {
		// page_remove_rmap() + page_cache_release() of the old page
		t.mapcount[oldPfn]!--;
		kind = t.kind[oldPfn] === FRAME_FILE ? 'file-cow' : 'cow-copy';
		putPage(t, oldPfn);
	}
	emitFault(k, vmf, kind, pfn, oldPfn, path);
	if (tr !== null) {
		if (oldPfn !== 0) {
			const ref = t.refcount[oldPfn]!;
			const map = t.mapcount[oldPfn]!;
			tr.note(
				`page_remove_rmap + page_cache_release: pfn ${oldPfn} ref ${ref + 1}→${ref}, map ${map + 1}→${map}` +
					(map === 1 && kind === 'cow-copy' ? ': its other mapper will reuse it' : ''),
				{pfn: oldPfn, refcount: ref, mapcount: map},
			);
		}
		tr.exit('do_wp_page', {ret: 'ok'});
	}
	return 'ok';
}

export type AccessResult = {ok: true; value: number} | {ok: false; fault: FaultResult};

/**
 * A user access through the MMU: the hardware checks the PTE; anything it does
 * not allow goes to handle_mm_fault, and the access is retried once.
 */
export function userAccess(k: KernelState, task: Task, mm: MmStruct, va: number, access: Access, value: number): AccessResult {
	const t = k.frames;
	const vpn = Math.floor(va / PAGE_SIZE);
	for (let attempt = 0; attempt < 2; attempt++) {
		const leaf = va >= 0 && va < TASK_SIZE ? pteTable(t, mm.pgd, vpn) : undefined;
		const index = vpn % PTRS_PER_TABLE;
		const pte = leaf === undefined ? 0 : leaf[index]!;
		if (hardwareAllows(pte, access)) {
			const pfn = ptePfn(pte);
			const word = Math.floor((va % PAGE_SIZE) / 8);
			if (access === 'write') {
				leaf![index] = pte | PTE_ACCESSED | PTE_DIRTY;
				writeWord(t, pfn, word, value);
				return {ok: true, value};
			}
			leaf![index] = pte | PTE_ACCESSED;
			return {ok: true, value: access === 'exec' ? 0 : readWord(t, pfn, word)};
		}
		if (attempt === 1) break;
		const result = doPageFault(k, task, mm, va, access);
		if (result !== 'ok') return {ok: false, fault: result};
	}
	// A fault that resolved without making the access possible is a kernel bug.
	throw new Error(`fault at ${hex(va)} resolved but the access still fails`);
}

function hardwareAllows(pte: number, access: Access): boolean {
	if ((pte & (PTE_PRESENT | PTE_USER)) !== (PTE_PRESENT | PTE_USER)) return false;
	if (access === 'write') return (pte & PTE_RW) !== 0;
	if (access === 'exec') return (pte & PTE_NX) === 0;
	return true;
}

/** The word a task would read at va, without faulting (for watchpoints and the debugger). */
export function peekWord(k: KernelState, mm: MmStruct, va: number): number | null {
	if (k.config.mmu === 'off') {
		const pfn = Math.floor(va / PAGE_SIZE);
		if (va < 0 || pfn >= k.frames.kind.length) return null;
		return readWord(k.frames, pfn, Math.floor((va % PAGE_SIZE) / 8));
	}
	if (va < 0 || va >= TASK_SIZE) return null;
	const pte = lookupPte(k.frames, mm.pgd, Math.floor(va / PAGE_SIZE));
	if ((pte & PTE_PRESENT) === 0) return null;
	return readWord(k.frames, ptePfn(pte), Math.floor((va % PAGE_SIZE) / 8));
}

/**
 * What PTRACE_PEEKDATA would read (access_process_vm), minus the
 * get_user_pages() that faults the page in: the word a read at `va` would
 * return, or null when no VMA covers it. A page not yet present reads as what
 * its fault would map: zeros for private anon (do_anonymous_page or the zero
 * page), the object's or page cache's page for shared anon and file mappings.
 */
export function peekUserWord(k: KernelState, mm: MmStruct, va: number): number | null {
	const present = peekWord(k, mm, va);
	if (present !== null || k.config.mmu === 'off') return present;
	const vma = findVma(mm, va);
	if (vma === undefined) return null;
	const index = Math.floor(va / PAGE_SIZE) - Math.floor(vma.start / PAGE_SIZE);
	const pfn = vma.shmem !== null ? k.shmem.get(vma.shmem)?.pages.get(index) : vma.file !== null ? k.pageCache.get(vma.file)?.get(index) : undefined;
	return pfn === undefined ? 0 : readWord(k.frames, pfn, Math.floor((va % PAGE_SIZE) / 8));
}
