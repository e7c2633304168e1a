// The kernel's invariants (docs/kernel.md), checked by the tests after every tick.
// Pure and read-only: it walks the state and returns one line per broken rule,
// naming the rule and the object ("pfn 7 (anon): refcount 2 != mapcount 1").
// An empty list means every rule holds.
//
// The full check also scans the whole frame table (bitmap, free count, every
// used frame reachable). `fast` skips that scan, and the scan of stored words,
// so its cost is proportional to the live structures (tasks, VMAs, page
// tables, caches) rather than to `frames`.

import {isCowMapping, vmaPteBits} from './memory.js';
import {vmaPages} from './mmap.js';
import {ptePfn, walkPageTables} from './pgtable.js';
import {eligibleChild, waitCandidates} from './exit.js';
import {maxThreads} from './fork.js';
import {
	FRAME_ANON,
	FRAME_FILE,
	FRAME_FREE,
	FRAME_KSTACK,
	FRAME_PGTABLE,
	FRAME_SHMEM,
	FRAME_ZERO,
	PAGE_SIZE,
	PTE_NX,
	PTE_PRESENT,
	PTE_RW,
	PTE_USER,
	PTRS_PER_TABLE,
	TASK_SIZE,
	VM_ACCOUNT,
	VM_LOCKED,
	VM_SHARED,
	VM_WRITE,
	frameKindNames,
	threadPages,
	type KernelState,
	type MmStruct,
	type Task,
	type Vma,
} from './types.js';

export type InvariantOptions = {
	/** Skip the O(frames) scans (bitmap, free frames, reachability of every used frame, stored words). */
	fast?: boolean;
	/** Stop after this many violations (default 50): one broken count tends to break many. */
	limit?: number;
};

/** Why a frame is in use, as found by walking the structures that hold it. */
const HELD_PTE = 1;
const HELD_CACHE = 2;
const HELD_SHMEM = 4;
const HELD_TABLE = 8;
const HELD_NOMMU = 16;
const HELD_KSTACK = 32;
const HELD_PIN = 64;

class Checker {
	readonly out: string[] = [];
	/** pfn → expected mapcount (PTEs, or no-MMU mm's covering it). */
	readonly mapped = new Map<number, number>();
	/** pfn → HELD_* bits. */
	readonly held = new Map<number, number>();
	/** anon pfn → the vpn its PTEs sit at (all mappers of an anon page share its linear index). */
	readonly anonVpn = new Map<number, number>();
	/** page-table pfn → the mm that owns it. */
	readonly tableOwner = new Map<number, number>();

	constructor(
		readonly k: KernelState,
		readonly limit: number,
	) {}

	get full(): boolean {
		return this.out.length >= this.limit;
	}

	fail(message: string): void {
		if (this.out.length < this.limit) this.out.push(message);
	}

	frameName(pfn: number): string {
		const kind = this.k.frames.kind[pfn];
		return `pfn ${pfn} (${kind === undefined ? 'out of range' : (frameKindNames[kind] ?? `kind ${kind}`)})`;
	}

	hold(pfn: number, why: number): void {
		this.held.set(pfn, (this.held.get(pfn) ?? 0) | why);
	}

	map(pfn: number): void {
		this.mapped.set(pfn, (this.mapped.get(pfn) ?? 0) + 1);
	}

	inRange(pfn: number): boolean {
		return Number.isInteger(pfn) && pfn >= 0 && pfn < this.k.frames.kind.length;
	}
}

function liveState(t: Task): boolean {
	return t.state !== 'Z' && t.state !== 'X';
}

export function checkInvariants(k: KernelState, options: InvariantOptions = {}): string[] {
	const c = new Checker(k, options.limit ?? 50);
	const mmu = k.config.mmu === 'on';
	const shmemRefs = new Map<number, number>();
	let committed = 0;
	for (const [id, mm] of k.mms) {
		if (mm.id !== id) c.fail(`mm ${id}: stored under id ${id} but its id is ${mm.id}`);
		committed += checkMm(c, mm, mmu, shmemRefs);
		if (c.full) return c.out;
	}
	// shmem_acct_size(): each shared anonymous object is charged for its whole size
	let shmemCharged = 0;
	for (const o of k.shmem.values()) shmemCharged += o.size;
	if (k.committed !== committed + shmemCharged) {
		c.fail(`committed ${k.committed} != ${committed} pages of VM_ACCOUNT VMAs over all mm's + ${shmemCharged} of shmem objects`);
	}
	checkKstacks(c);
	checkCaches(c, mmu, shmemRefs);
	checkFrames(c, mmu, options.fast === true);
	checkTasks(c);
	checkCompletions(c);
	checkScheduler(c);
	return c.out;
}

// ---------------------------------------------------------------------------
// mm_structs, VMAs, page tables

/** Checks one mm; returns its VM_ACCOUNT pages (for the global commit count). */
function checkMm(c: Checker, mm: MmStruct, mmu: boolean, shmemRefs: Map<number, number>): number {
	const k = c.k;
	const name = `mm ${mm.id}`;
	let users = 0;
	for (const t of k.tasks.values()) if (t.mm === mm.id && liveState(t)) users++;
	if (mm.users !== users) c.fail(`${name}: users ${mm.users} != ${users} live tasks using it`);
	if (mm.users < 1) c.fail(`${name}: users ${mm.users} but still in the mm list (leaked)`);

	let totalVm = 0;
	let lockedVm = 0;
	let account = 0;
	let ownPages = 0;
	const regions = new Set<string>();
	let prevEnd = -1;
	// 2.6.32 no-MMU clone (dup_mm's memcpy of mm->mmap) breaks "mapcount = the mm's using a
	// frame" on purpose: the child lists its parent's VMAs without a reference of its own.
	// Those borrowed VMAs count in no frame and no commit; their owner must list them still.
	const borrowed = new Map<number, number>();
	for (const b of mm.borrowed) borrowed.set(b.start, b.owner);
	if (borrowed.size > 0 && (mmu || k.config.kernel !== '2.6.32')) c.fail(`${name}: borrows VMAs, which only 2.6.32 no-MMU clone does`);
	if (borrowed.size !== mm.borrowed.length) c.fail(`${name}: a VMA borrowed twice`);
	for (const [start, owner] of borrowed) {
		if (!mm.vmas.some((v) => v.start === start)) c.fail(`${name}: borrows a VMA at ${start} it does not list`);
		if (owner === mm.id) c.fail(`${name}: borrows the VMA at ${start} from itself`);
	}
	for (const vma of mm.vmas) {
		const v = `${name} vma '${vma.region}'`;
		const pages = vmaPages(vma);
		const owner = borrowed.get(vma.start);
		if (owner !== undefined) {
			totalVm += pages;
			if ((vma.flags & VM_LOCKED) !== 0) lockedVm += pages;
			const om = k.mms.get(owner);
			const ov = om?.vmas.find((o) => o.start === vma.start);
			if (
				ov === undefined ||
				ov.end !== vma.end ||
				ov.region !== vma.region ||
				ov.pfn !== vma.pfn ||
				(om?.borrowed.some((b) => b.start === vma.start) ?? false)
			) {
				c.fail(`${v}: borrowed from mm ${owner}, which does not own it (a freed VMA still listed)`);
			}
			prevEnd = vma.end;
			regions.add(vma.region);
			continue;
		}
		ownPages += pages;
		if (vma.start % PAGE_SIZE !== 0 || vma.end % PAGE_SIZE !== 0) c.fail(`${v}: not page-aligned`);
		if (!(vma.end > vma.start)) c.fail(`${v}: end ${vma.end} <= start ${vma.start}`);
		if (vma.start < prevEnd) c.fail(`${v}: overlaps or is out of order with the VMA before it`);
		prevEnd = vma.end;
		if (regions.has(vma.region)) c.fail(`${v}: a second VMA with the same region name`);
		regions.add(vma.region);
		// Addresses by region name resolve through mm->names: a live region must resolve to itself.
		if (mm.names.get(vma.region) !== vma.start) c.fail(`${v}: its name resolves to ${mm.names.get(vma.region) ?? 'nothing'}, not its start ${vma.start}`);
		totalVm += pages;
		if ((vma.flags & VM_LOCKED) !== 0) lockedVm += pages;
		if ((vma.flags & VM_ACCOUNT) !== 0) {
			account += pages;
			if ((vma.flags & VM_SHARED) !== 0) c.fail(`${v}: VM_ACCOUNT on a shared mapping`);
		}
		if (vma.shmem !== null) {
			shmemRefs.set(vma.shmem, (shmemRefs.get(vma.shmem) ?? 0) + 1);
			if (!k.shmem.has(vma.shmem)) c.fail(`${v}: shmem object ${vma.shmem} does not exist`);
			if ((vma.flags & VM_SHARED) === 0) c.fail(`${v}: shmem object on a private mapping`);
		}
		if (mmu) {
			if (vma.pfn !== null) c.fail(`${v}: no-MMU backing pfn ${vma.pfn} in MMU mode`);
			if (vma.end > TASK_SIZE) c.fail(`${v}: ends beyond user space`);
			if ((vma.flags & VM_SHARED) !== 0 && vma.file === null && vma.shmem === null) {
				c.fail(`${v}: shared anonymous mapping without a shmem object`);
			}
		} else {
			if (vma.pfn === null) c.fail(`${v}: no backing frames in no-MMU mode`);
			else {
				if (vma.start !== vma.pfn * PAGE_SIZE) c.fail(`${v}: start ${vma.start} is not its frames' address (pfn ${vma.pfn})`);
				for (let p = vma.pfn; p < vma.pfn + pages; p++) {
					if (!c.inRange(p)) {
						c.fail(`${v}: backing pfn ${p} out of range`);
						break;
					}
					c.map(p);
					c.hold(p, HELD_NOMMU);
				}
			}
		}
	}
	if (mm.totalVm !== totalVm) c.fail(`${name}: total_vm ${mm.totalVm} != ${totalVm} pages of its VMAs`);
	if (mm.lockedVm !== lockedVm) c.fail(`${name}: locked_vm ${mm.lockedVm} != ${lockedVm} pages of its VM_LOCKED VMAs`);
	if (mm.committed !== account) c.fail(`${name}: committed ${mm.committed} != ${account} pages of its VM_ACCOUNT VMAs`);
	if (mm.hiwaterVm < mm.totalVm) c.fail(`${name}: hiwater_vm ${mm.hiwaterVm} < total_vm ${mm.totalVm}`);
	if (mm.hiwaterRss < mm.rss) c.fail(`${name}: hiwater_rss ${mm.hiwaterRss} < rss ${mm.rss}`);
	const core = mm.coreState;
	if (core !== null) {
		const dumper = k.tasks.get(core.dumper);
		if (dumper === undefined || dumper.mm !== mm.id) c.fail(`${name}: core dump by pid ${core.dumper}, which does not use it`);
		for (const pid of [...core.pending, ...core.joined]) {
			const t = k.tasks.get(pid);
			if (t === undefined || t.mm !== mm.id || !liveState(t)) c.fail(`${name}: pid ${pid} in its core dump does not use it`);
		}
		for (const pid of core.pending) if (k.tasks.get(pid)?.groupExit === null) c.fail(`${name}: pid ${pid} waited for by the dump but not zapped`);
	}

	if (mmu) {
		checkPageTables(c, mm);
	} else {
		if (mm.pgd !== -1 || mm.pgtables !== 0) c.fail(`${name}: page tables (pgd ${mm.pgd}, ${mm.pgtables}) in no-MMU mode`);
		if (mm.rss !== ownPages)
			c.fail(`${name}: rss ${mm.rss} != ${ownPages} pages of its VMAs (no-MMU${borrowed.size > 0 ? ', borrowed ones excluded' : ''})`);
	}
	return account;
}

/** Walks an mm's 4-level tree: table ownership, pgtables, rss, and every present PTE against its VMA. */
function checkPageTables(c: Checker, mm: MmStruct): void {
	const k = c.k;
	const t = k.frames;
	const name = `mm ${mm.id}`;
	if (!c.inRange(mm.pgd) || t.kind[mm.pgd] !== FRAME_PGTABLE || !t.tables.has(mm.pgd)) {
		c.fail(`${name}: pgd ${mm.pgd} is not a page-table frame`);
		return;
	}
	let tables = 0;
	let rss = 0;
	const vmas = mm.vmas;
	let vi = 0;
	const claim = (pfn: number, where: string): boolean => {
		const owner = c.tableOwner.get(pfn);
		if (owner !== undefined) {
			c.fail(`${name}: page table pfn ${pfn} (${where}) already belongs to mm ${owner}`);
			return false;
		}
		c.tableOwner.set(pfn, mm.id);
		c.hold(pfn, HELD_TABLE);
		tables++;
		return true;
	};
	const leaf = (table: Int32Array, baseVpn: number): void => {
		for (let i = 0; i < PTRS_PER_TABLE; i++) {
			const pte = table[i]!;
			if (pte === 0) continue;
			const vpn = baseVpn + i;
			const va = vpn * PAGE_SIZE;
			if ((pte & PTE_PRESENT) === 0) {
				c.fail(`${name}: PTE at 0x${va.toString(16)} is not present but not none (${pte})`);
				continue;
			}
			while (vi < vmas.length && vmas[vi]!.end <= va) vi++;
			const vma = vmas[vi] !== undefined && vmas[vi]!.start <= va ? vmas[vi] : undefined;
			checkPte(c, mm, vma, vpn, pte);
			if (ptePfn(pte) !== 0) rss++;
		}
	};
	const enter = (child: number, level: number, baseVpn: number, index: number): boolean => {
		if (!c.inRange(child) || t.kind[child] !== FRAME_PGTABLE || !t.tables.has(child)) {
			c.fail(`${name}: table entry ${level - 1}/${index} points to ${c.inRange(child) ? c.frameName(child) : `pfn ${child}`}, not a page table`);
			return false;
		}
		return claim(child, `level ${level} under 0x${(baseVpn * PAGE_SIZE).toString(16)}`);
	};
	if (claim(mm.pgd, 'pgd')) walkPageTables(t, mm.pgd, leaf, enter);
	if (mm.pgtables !== tables) c.fail(`${name}: pgtables ${mm.pgtables} != ${tables} table frames reachable from its pgd`);
	if (mm.rss !== rss) c.fail(`${name}: rss ${mm.rss} != ${rss} present PTEs (zero page excluded)`);
}

function checkPte(c: Checker, mm: MmStruct, vma: Vma | undefined, vpn: number, pte: number): void {
	const k = c.k;
	const t = k.frames;
	const va = vpn * PAGE_SIZE;
	const at = `mm ${mm.id} PTE 0x${va.toString(16)}`;
	const pfn = ptePfn(pte);
	if (!c.inRange(pfn)) {
		c.fail(`${at}: maps pfn ${pfn}, out of range`);
		return;
	}
	c.map(pfn);
	c.hold(pfn, HELD_PTE);
	const kind = t.kind[pfn]!;
	const frame = c.frameName(pfn);
	if (kind === FRAME_FREE || kind === FRAME_PGTABLE) {
		c.fail(`${at}: maps ${frame}`);
		return;
	}
	if (vma === undefined) {
		c.fail(`${at}: maps ${frame} outside every VMA`);
		return;
	}
	const region = `'${vma.region}'`;
	const expect = vmaPteBits(vma);
	if ((pte & (PTE_USER | PTE_NX)) !== (expect & (PTE_USER | PTE_NX))) {
		c.fail(`${at}: user/NX bits do not match the prot of ${region}`);
	}
	const writable = (pte & PTE_RW) !== 0;
	if (writable && (vma.flags & VM_WRITE) === 0) c.fail(`${at}: writable in read-only VMA ${region}`);
	const index = vpn - vma.start / PAGE_SIZE;
	const shared = (vma.flags & VM_SHARED) !== 0;
	if (shared && vma.shmem !== null) {
		const page = k.shmem.get(vma.shmem)?.pages.get(index);
		if (page !== pfn) c.fail(`${at}: maps ${frame}, but page ${index} of shmem object ${vma.shmem} is ${page ?? 'absent'}`);
		return;
	}
	if (kind === FRAME_SHMEM) {
		c.fail(`${at}: maps ${frame} in private VMA ${region}`);
		return;
	}
	if (kind === FRAME_FILE) {
		const page = vma.file === null ? undefined : k.pageCache.get(vma.file)?.get(index);
		if (page !== pfn) c.fail(`${at}: maps ${frame}, not page ${index} of ${vma.file === null ? `anon VMA ${region}` : `'${vma.file}'`}`);
	}
	if (kind === FRAME_ANON) {
		if (!vma.anonVma) c.fail(`${at}: maps ${frame} but VMA ${region} has no anon_vma (fork would skip it)`);
		const other = c.anonVpn.get(pfn);
		if (other === undefined) c.anonVpn.set(pfn, vpn);
		else if (other !== vpn) c.fail(`${at}: maps ${frame}, also mapped at 0x${(other * PAGE_SIZE).toString(16)}`);
	}
	if (kind === FRAME_ZERO && vma.file !== null) c.fail(`${at}: maps the zero page in file VMA ${region}`);
	// A writable PTE of a COW mapping must map a page nobody else maps: else a write leaks into the other.
	if (writable && isCowMapping(vma.flags) && (kind !== FRAME_ANON || t.mapcount[pfn] !== 1)) {
		c.fail(`${at}: writable PTE of private VMA ${region} maps ${frame} with mapcount ${t.mapcount[pfn]} (COW broken)`);
	}
	// 6.18: a writable PTE of a COW mapping maps a PageAnonExclusive page (wp_page_reuse, copy_present_page)
	if (writable && isCowMapping(vma.flags) && k.config.kernel === '6.18' && kind === FRAME_ANON && t.exclusive[pfn] !== 1) {
		c.fail(`${at}: writable PTE of private VMA ${region} maps ${frame}, which is not PageAnonExclusive`);
	}
}

// ---------------------------------------------------------------------------
// Kernel stacks, page cache, shmem objects, frames

/** Each task not yet released holds THREAD_SIZE of kstack frames of its own (dup_task_struct). */
function checkKstacks(c: Checker): void {
	const k = c.k;
	// FOLL_PIN references: the frame's count is the sum of the tasks' pins on it
	const pins = new Map<number, number>();
	for (const t of k.tasks.values()) {
		for (const p of t.pins) {
			pins.set(p.pfn, (pins.get(p.pfn) ?? 0) + 1);
			if (p.id < 1 || p.id >= k.nextPin) c.fail(`pid ${t.pid}: pin id ${p.id} never given out`);
			if (c.inRange(p.pfn)) c.hold(p.pfn, HELD_PIN);
		}
	}
	for (const [pfn, n] of k.frames.pins) if (pins.get(pfn) !== n) c.fail(`pfn ${pfn}: ${n} pins counted, ${pins.get(pfn) ?? 0} held by tasks`);
	for (const [pfn, n] of pins) if (k.frames.pins.get(pfn) !== n) c.fail(`pfn ${pfn}: ${n} pins held by tasks, ${k.frames.pins.get(pfn) ?? 0} counted`);
	const pages = threadPages(k.config.kernel);
	for (const [pid, t] of k.tasks) {
		if (t.kstack.length !== pages && !(k.ended !== null && t.kstack.length === 0)) {
			c.fail(`pid ${pid}: kernel stack of ${t.kstack.length} frames, THREAD_SIZE is ${pages}`);
		}
		for (const pfn of t.kstack) {
			if (!c.inRange(pfn)) {
				c.fail(`pid ${pid}: kernel stack pfn ${pfn} out of range`);
				continue;
			}
			if (((c.held.get(pfn) ?? 0) & HELD_KSTACK) !== 0) c.fail(`pid ${pid}: kernel stack ${c.frameName(pfn)} is another task's too`);
			c.hold(pfn, HELD_KSTACK);
		}
		if (k.config.kernel === '2.6.32' && t.kstack.length === 2 && (t.kstack[0]! % 2 !== 0 || t.kstack[1] !== t.kstack[0]! + 1)) {
			c.fail(`pid ${pid}: kernel stack ${t.kstack.join(',')} is not one order-1 block`);
		}
	}
	if (k.tasks.size > maxThreads(k)) c.fail(`${k.tasks.size} tasks, more than max_threads ${maxThreads(k)}`);
}

function checkCaches(c: Checker, mmu: boolean, shmemRefs: Map<number, number>): void {
	const k = c.k;
	const t = k.frames;
	for (const [program, cache] of k.pageCache) {
		if (k.programs[program] === undefined) c.fail(`page cache of unknown program '${program}'`);
		for (const [index, pfn] of cache) {
			const where = `page cache '${program}' page ${index}`;
			if (!c.inRange(pfn)) {
				c.fail(`${where}: pfn ${pfn} out of range`);
				continue;
			}
			if ((c.held.get(pfn)! & HELD_CACHE) !== 0) c.fail(`${where}: ${c.frameName(pfn)} is cached twice`);
			c.hold(pfn, HELD_CACHE);
			if (t.kind[pfn] !== FRAME_FILE) c.fail(`${where}: ${c.frameName(pfn)} is not a file frame`);
		}
	}
	if (!mmu) {
		for (const [program, pfn] of k.textFrames) {
			if (k.pageCache.get(program)?.get(0) !== pfn) c.fail(`no-MMU text of '${program}' at pfn ${pfn} is not its page cache`);
		}
	} else if (k.textFrames.size > 0) {
		c.fail(`no-MMU text frames in MMU mode`);
	}
	for (const [id, object] of k.shmem) {
		const where = `shmem object ${id}`;
		if (object.id !== id) c.fail(`${where}: its id is ${object.id}`);
		const refs = shmemRefs.get(id) ?? 0;
		if (object.refs !== refs) c.fail(`${where}: refs ${object.refs} != ${refs} VMAs using it`);
		if (!mmu) c.fail(`${where}: shmem objects do not exist in no-MMU mode`);
		for (const [index, pfn] of object.pages) {
			if (!c.inRange(pfn)) {
				c.fail(`${where} page ${index}: pfn ${pfn} out of range`);
				continue;
			}
			if ((c.held.get(pfn)! & (HELD_SHMEM | HELD_CACHE)) !== 0) c.fail(`${where} page ${index}: ${c.frameName(pfn)} is cached twice`);
			c.hold(pfn, HELD_SHMEM);
			if (t.kind[pfn] !== FRAME_SHMEM) c.fail(`${where} page ${index}: ${c.frameName(pfn)} is not a shmem frame`);
		}
	}
}

/** The per-kind count rules of docs/kernel.md for one frame, and its mapcount against what maps it. */
function checkFrame(c: Checker, pfn: number, mmu: boolean): void {
	const t = c.k.frames;
	const kind = t.kind[pfn]!;
	const ref = t.refcount[pfn]!;
	const map = t.mapcount[pfn]!;
	const f = c.frameName(pfn);
	const held = c.held.get(pfn) ?? 0;
	const expected = c.mapped.get(pfn) ?? 0;
	const pins = t.pins.get(pfn) ?? 0;
	if (kind !== FRAME_ANON && t.exclusive[pfn] === 1) c.fail(`${f}: PageAnonExclusive on a ${frameKindNames[kind] ?? kind} frame`);
	if (kind !== FRAME_PGTABLE && kind !== FRAME_KSTACK && map !== expected) {
		c.fail(`${f}: mapcount ${map} != ${expected} ${mmu ? 'present PTEs mapping it' : "mm's using it"}`);
	}
	switch (kind) {
		case FRAME_FREE:
			if (ref !== 0 || map !== 0) c.fail(`${f}: free with refcount ${ref}, mapcount ${map}`);
			if (held !== 0) c.fail(`${f}: free but still ${heldName(held)}`);
			return;
		case FRAME_ZERO:
			if (pfn !== 0) c.fail(`${f}: only pfn 0 is the zero page`);
			if (ref !== 1) c.fail(`${f}: refcount ${ref} != 1 (reserved)`);
			return;
		case FRAME_ANON:
			if (ref !== map + pins) c.fail(`${f}: refcount ${ref} != mapcount ${map}${pins > 0 ? ` + ${pins} pins` : ''}`);
			if ((held & (HELD_PTE | HELD_NOMMU | HELD_PIN)) === 0) c.fail(`${f}: in use but not mapped (leaked)`);
			if (t.exclusive[pfn] === 1 && map > 1) c.fail(`${f}: PageAnonExclusive but mapped ${map} times`);
			if ((held & (HELD_CACHE | HELD_SHMEM | HELD_TABLE | HELD_KSTACK)) !== 0) c.fail(`${f}: ${heldName(held)}`);
			return;
		case FRAME_FILE:
		case FRAME_SHMEM: {
			const cached = kind === FRAME_FILE ? HELD_CACHE : HELD_SHMEM;
			if ((held & cached) === 0) c.fail(`${f}: not in its cache`);
			else if (ref !== map + 1 + pins) c.fail(`${f}: refcount ${ref} != mapcount ${map} + 1 (cached)${pins > 0 ? ` + ${pins} pins` : ''}`);
			if ((held & (HELD_TABLE | HELD_KSTACK)) !== 0) c.fail(`${f}: also ${heldName(held & (HELD_TABLE | HELD_KSTACK))}`);
			return;
		}
		case FRAME_KSTACK:
			if (ref !== 1 || map !== 0) c.fail(`${f}: refcount ${ref}, mapcount ${map}; a kernel stack has 1 and 0`);
			if (held !== HELD_KSTACK) c.fail(`${f}: ${held === 0 ? 'not the stack of any task (leaked)' : heldName(held)}`);
			return;
		case FRAME_PGTABLE:
			if (ref !== 1 || map !== 0) c.fail(`${f}: refcount ${ref}, mapcount ${map}; a page table has 1 and 0`);
			if (held !== HELD_TABLE) c.fail(`${f}: ${held === 0 ? 'not a table of any live mm (leaked)' : heldName(held)}`);
			if (!t.tables.has(pfn)) c.fail(`${f}: no entries stored`);
			return;
		default:
			c.fail(`${f}: unknown kind ${kind}`);
	}
}

function heldName(held: number): string {
	const parts: string[] = [];
	if ((held & HELD_PTE) !== 0) parts.push('mapped by a PTE');
	if ((held & HELD_NOMMU) !== 0) parts.push('backing a no-MMU VMA');
	if ((held & HELD_CACHE) !== 0) parts.push('in the page cache');
	if ((held & HELD_SHMEM) !== 0) parts.push('a shmem page');
	if ((held & HELD_TABLE) !== 0) parts.push('a page table');
	if ((held & HELD_KSTACK) !== 0) parts.push('a kernel stack');
	if ((held & HELD_PIN) !== 0) parts.push('pinned');
	return parts.join(', ');
}

function checkFrames(c: Checker, mmu: boolean, fast: boolean): void {
	const t = c.k.frames;
	const n = t.kind.length;
	if (t.kind[0] !== FRAME_ZERO) c.fail(`pfn 0: kind ${frameKindNames[t.kind[0]!] ?? t.kind[0]} is not the zero page`);
	// The frames something points at (and the zero page), whatever their kind.
	const seen = new Set<number>([0]);
	for (const pfn of c.held.keys()) seen.add(pfn);
	for (const pfn of c.mapped.keys()) seen.add(pfn);
	for (const pfn of seen) if (c.inRange(pfn)) checkFrame(c, pfn, mmu);
	if (t.free < 0 || t.free > n) c.fail(`free count ${t.free} out of range`);
	if (fast || c.full) return;
	// Then every other frame: used ones nothing points at are leaks.
	let used = 0;
	for (let pfn = 0; pfn < n; pfn++) {
		const kind = t.kind[pfn]!;
		const bit = (t.used[pfn >>> 5]! >>> (pfn & 31)) & 1;
		if (bit === 1) used++;
		if ((bit === 1) !== (kind !== FRAME_FREE)) c.fail(`${c.frameName(pfn)}: used bit ${bit} disagrees with its kind`);
		if (kind === FRAME_FREE) {
			if ((t.refcount[pfn] !== 0 || t.mapcount[pfn] !== 0) && !seen.has(pfn)) checkFrame(c, pfn, mmu);
		} else if (!seen.has(pfn)) {
			checkFrame(c, pfn, mmu);
		}
		if (c.full) return;
	}
	if (t.free !== n - used) c.fail(`free count ${t.free} != ${n - used} clear bits in the used bitmap`);
	const tail = n % 32;
	if (tail !== 0 && (t.used[t.used.length - 1]! | ((1 << tail) - 1)) >>> 0 !== 0xffff_ffff) {
		c.fail(`used bitmap: bits past the last frame are not all set`);
	}
	if (t.used.length !== Math.ceil(n / 32)) c.fail(`used bitmap has ${t.used.length} words for ${n} frames`);
	for (let i = 0; i < t.freeHint && i < t.used.length; i++) {
		if (t.used[i] !== 0xffff_ffff) {
			c.fail(`free hint ${t.freeHint} is past a free frame in word ${i}: lowest-PFN-first allocation would skip it`);
			break;
		}
	}
	for (const pfn of t.tables.keys()) {
		if (!c.inRange(pfn) || t.kind[pfn] !== FRAME_PGTABLE) c.fail(`table entries stored for ${c.inRange(pfn) ? c.frameName(pfn) : `pfn ${pfn}`}`);
	}
	// Sparse contents: an inline word per frame, further ones in moreWords; zero words are never stored.
	for (let pfn = 0; pfn < n; pfn++) {
		const index = t.wordIdx[pfn]!;
		if (index === -1) continue;
		const kind = t.kind[pfn]!;
		// No-MMU stray writes may land in a free frame (or the zero page); with an MMU nothing writes one.
		if (kind === FRAME_PGTABLE || (mmu && (kind === FRAME_FREE || kind === FRAME_ZERO))) {
			c.fail(`${c.frameName(pfn)}: holds stored words`);
		}
		if (index < 0 || index >= PAGE_SIZE / 8) c.fail(`${c.frameName(pfn)}: inline word index ${index} out of the page`);
		if (t.wordVal[pfn] === 0) c.fail(`${c.frameName(pfn)}: stores a zero word inline at ${index}`);
		if (c.full) return;
	}
	for (const [pfn, more] of t.moreWords) {
		const f = c.inRange(pfn) ? c.frameName(pfn) : `pfn ${pfn}`;
		if (!c.inRange(pfn) || t.wordIdx[pfn] === -1) c.fail(`${f}: further words stored with no inline word`);
		if (more.size === 0) c.fail(`${f}: an empty set of further words is kept`);
		for (const [index, value] of more) {
			if (!Number.isInteger(index) || index < 0 || index >= PAGE_SIZE / 8) c.fail(`${f}: word index ${index} out of the page`);
			if (index === t.wordIdx[pfn]) c.fail(`${f}: word ${index} stored both inline and further`);
			if (value === 0) c.fail(`${f}: stores a zero word at ${index}`);
		}
	}
}

// ---------------------------------------------------------------------------
// Tasks, completions, the scheduler

function checkTasks(c: Checker): void {
	const k = c.k;
	const panicked = k.ended === 'panic';
	for (const [pid, t] of k.tasks) {
		const name = `pid ${pid} (${t.state})`;
		if (t.pid !== pid) c.fail(`${name}: stored under pid ${pid} but its pid is ${t.pid}`);
		if (t.state === 'X') c.fail(`${name}: reaped but still in the task list`);
		if (!['R', 'S', 'D', 'Z', 'X'].includes(t.state)) c.fail(`${name}: unknown state`);
		if (k.programs[t.program] === undefined) c.fail(`${name}: runs unknown program '${t.program}'`);
		if (liveState(t)) {
			// init that panicked has already given up its mm
			if (t.mm === null) {
				if (!(panicked && pid === 1)) c.fail(`${name}: live without an mm`);
			} else if (!k.mms.has(t.mm)) c.fail(`${name}: its mm ${t.mm} does not exist`);
		} else {
			if (t.mm !== null) c.fail(`${name}: a zombie still holds mm ${t.mm}`);
			if (t.vforkDone !== null) c.fail(`${name}: a zombie still holds vfork_done ${t.vforkDone}`);
		}
		// the family: children lists and ppid agree (a thread of init has no parent task)
		if (pid !== 1 && !(t.ppid === 0 && t.tgid === 1 && t.tgid !== pid)) {
			const parent = k.tasks.get(t.ppid);
			if (parent === undefined) c.fail(`${name}: parent ${t.ppid} does not exist`);
			else if (!parent.children.includes(pid)) c.fail(`${name}: not in the children of its parent ${t.ppid}`);
		}
		// thread groups: a thread's exit signal is -1, its leader exists and counts it
		if ((t.tgid !== pid) !== (t.exitSignal === -1)) c.fail(`${name}: tgid ${t.tgid} with exit_signal ${t.exitSignal}`);
		if (t.tgid !== pid) {
			const leader = k.tasks.get(t.tgid);
			if (leader === undefined || leader.tgid !== leader.pid) c.fail(`${name}: thread of group ${t.tgid}, whose leader is gone`);
			if (t.threads !== 0) c.fail(`${name}: a thread counting ${t.threads} threads of its own`);
		} else {
			let threads = 0;
			for (const o of k.tasks.values()) if (o.tgid === pid && o !== t) threads++;
			if (t.threads !== threads) c.fail(`${name}: leader counts ${t.threads} threads, ${threads} exist`);
		}
		if (t.killable && t.state !== 'D') c.fail(`${name}: killable but not in D`);
		const kids = new Set<number>();
		for (const child of t.children) {
			if (kids.has(child)) c.fail(`${name}: child ${child} listed twice`);
			kids.add(child);
			const ct = k.tasks.get(child);
			if (ct === undefined) c.fail(`${name}: child ${child} does not exist`);
			else if (ct.ppid !== pid) c.fail(`${name}: child ${child} has ppid ${ct.ppid}`);
		}
		// why it sleeps
		const w = t.wait;
		if (t.state === 'S') {
			if (w.kind === 'child') {
				const candidates = waitCandidates(k, t, w.pid, w.options);
				if (candidates.length === 0) c.fail(`${name}: waits for ${w.pid === null ? 'a child' : `child ${w.pid}`} but has none (should be -ECHILD)`);
				for (const ch of candidates) {
					if (ch.state === 'Z' && ch.threads === 0 && eligibleChild(ch, w.options))
						c.fail(`${name}: still waits though child ${ch.pid} is a zombie (lost wake-up)`);
				}
			} else if (w.kind === 'timer') {
				if (!k.timers.some((tm) => tm.pid === pid && tm.until === w.until)) c.fail(`${name}: sleeps until tick ${w.until} with no timer`);
				if (w.until <= k.tick) c.fail(`${name}: timer for tick ${w.until} has passed (now ${k.tick})`);
			} else {
				c.fail(`${name}: sleeps with no reason (wait ${w.kind})`);
			}
		} else if (t.state === 'D') {
			if (w.kind === 'core-finish') {
				const core = k.mms.get(w.mm)?.coreState;
				if (core === undefined || core === null || !core.joined.includes(pid))
					c.fail(`${name}: sleeps in exit_mm for a core dump of mm ${w.mm} it has not joined`);
				if (t.exiting === null) c.fail(`${name}: sleeps in exit_mm but is not exiting`);
			} else if (w.kind !== 'completion' && w.kind !== 'core-startup') c.fail(`${name}: uninterruptible without a completion (wait ${w.kind})`);
			else {
				const comp = k.completions.get(w.id);
				if (comp === undefined) c.fail(`${name}: waits on completion ${w.id}, which does not exist`);
				else if (!comp.waiters.includes(pid)) c.fail(`${name}: waits on completion ${w.id} but is not among its waiters`);
			}
		} else if (t.state === 'R' && (w.kind === 'completion' || w.kind === 'core-startup')) {
			// woken by complete(), not yet back in do_fork: the count is still up
			const comp = k.completions.get(w.id);
			if (comp === undefined) c.fail(`${name}: returning from completion ${w.id}, which does not exist`);
			else if (comp.done < 1 && !(t.pending.length > 0 && comp.waiters.length === 0))
				c.fail(`${name}: woken from completion ${w.id} whose done is ${comp.done}`);
		} else if (t.state === 'R' && w.kind !== 'none') {
			c.fail(`${name}: runnable but still waiting (${w.kind})`);
		}
		if (t.vforkDone !== null) {
			const comp = k.completions.get(t.vforkDone);
			if (comp === undefined) c.fail(`${name}: vfork_done ${t.vforkDone} does not exist`);
			else {
				// the creator's completion (for CLONE_THREAD|CLONE_VFORK the creator is not the parent)
				const owner = k.tasks.get(comp.owner);
				if (owner?.wait.kind !== 'completion' || owner.wait.child !== pid)
					c.fail(`${name}: vfork_done ${t.vforkDone} belongs to pid ${comp.owner}, which is not waiting for it`);
				if (comp.done !== 0) c.fail(`${name}: vfork_done ${t.vforkDone} already completed (done ${comp.done}) but not cleared`);
			}
		}
		if (t.progress < 0) c.fail(`${name}: negative progress ${t.progress}`);
		if (c.full) return;
	}
	for (const timer of k.timers) {
		const t = k.tasks.get(timer.pid);
		if (t === undefined || t.state !== 'S' || t.wait.kind !== 'timer' || t.wait.until !== timer.until) {
			c.fail(`timer of pid ${timer.pid} for tick ${timer.until}: the task does not sleep on it`);
		}
	}
	if (k.ended === 'exited') {
		for (const t of k.tasks.values()) if (liveState(t)) c.fail(`pid ${t.pid} (${t.state}): live after the run ended 'exited'`);
	}
}

function checkCompletions(c: Checker): void {
	const k = c.k;
	for (const [id, comp] of k.completions) {
		const name = `completion ${id}`;
		if (comp.id !== id) c.fail(`${name}: its id is ${comp.id}`);
		if (comp.done < 0 || comp.done > 1) c.fail(`${name}: done ${comp.done} (a vfork completion is 0 or 1)`);
		const owner = k.tasks.get(comp.owner);
		// a vfork completion (do_fork) or core_state->startup (coredump_wait), both on the owner's stack
		const core = owner !== undefined && owner.wait.kind === 'core-startup';
		if (owner === undefined) c.fail(`${name}: owner ${comp.owner} does not exist`);
		else if ((owner.wait.kind !== 'completion' && owner.wait.kind !== 'core-startup') || owner.wait.id !== id) {
			c.fail(`${name}: owner ${comp.owner} (${owner.state}) is not waiting on it (it lives on the owner's stack)`);
		} else if (core) {
			const mm = owner.mm === null ? undefined : k.mms.get(owner.mm);
			if (mm?.coreState?.startup !== id || mm.coreState.dumper !== owner.pid)
				c.fail(`${name}: the startup of a core dump its owner's mm does not record`);
			else if ((comp.done === 0) !== mm.coreState.pending.length > 0)
				c.fail(`${name}: done ${comp.done} with ${mm.coreState.pending.length} zapped tasks still to join`);
		}
		const seen = new Set<number>();
		for (const pid of comp.waiters) {
			if (seen.has(pid)) c.fail(`${name}: waiter ${pid} listed twice`);
			seen.add(pid);
			const t = k.tasks.get(pid);
			if (t === undefined) c.fail(`${name}: waiter ${pid} does not exist`);
			else if (t.state !== 'D' || (t.wait.kind !== 'completion' && t.wait.kind !== 'core-startup') || t.wait.id !== id) {
				c.fail(`${name}: waiter ${pid} (${t.state}) is not in D waiting on it`);
			}
		}
		if (comp.done > 0 && comp.waiters.length > 0) c.fail(`${name}: done ${comp.done} but still has waiters ${comp.waiters.join(',')}`);
		let holders = 0;
		for (const t of k.tasks.values()) if (t.vforkDone === id) holders++;
		if (core) {
			if (holders !== 0) c.fail(`${name}: core_state->startup held as vfork_done by ${holders} tasks`);
			continue;
		}
		if (comp.done === 0 && holders !== 1) c.fail(`${name}: not done, and ${holders} tasks hold it as vfork_done (1 expected)`);
		if (comp.done > 0 && holders !== 0) c.fail(`${name}: done, but ${holders} tasks still hold it as vfork_done`);
	}
}

function checkScheduler(c: Checker): void {
	const k = c.k;
	const queued = new Set<number>();
	for (const pid of k.runQueue) {
		if (queued.has(pid)) c.fail(`run queue: pid ${pid} queued twice`);
		queued.add(pid);
		const t = k.tasks.get(pid);
		if (t === undefined) c.fail(`run queue: pid ${pid} does not exist`);
		else if (t.state !== 'R') c.fail(`run queue: pid ${pid} is ${t.state}, not runnable`);
		if (pid === k.current) c.fail(`run queue: pid ${pid} is queued while it is the current task`);
	}
	if (k.current !== null && !k.tasks.has(k.current)) c.fail(`current pid ${k.current} does not exist`);
	for (const t of k.tasks.values()) {
		if (t.state === 'R' && t.pid !== k.current && !queued.has(t.pid)) c.fail(`pid ${t.pid} (R): runnable but neither current nor queued`);
	}
}
