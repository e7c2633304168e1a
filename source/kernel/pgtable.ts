// Four-level page tables, x86-64 split (include/asm-generic/pgtable.h,
// mm/memory.c: pgd_offset, pud_alloc, pmd_alloc, pte_alloc_map). Each table is
// a pgtable frame; upper entries hold the child table's PFN + 1, a leaf entry
// (a PTE) is (pfn << PTE_PFN_SHIFT) | bits, 0 is "none". Only this file knows
// that encoding: everything else goes through the functions below.

import {allocPgtable} from './page-alloc.js';
import {PTE_PRESENT, PTRS_PER_TABLE, type FrameTable, type MmStruct} from './types.js';

const PTE_PFN_SHIFT = 6;

const PAGES_PER_PMD = PTRS_PER_TABLE; // 2 MiB
const PAGES_PER_PUD = PTRS_PER_TABLE * PAGES_PER_PMD; // 1 GiB
const PAGES_PER_PGD = PTRS_PER_TABLE * PAGES_PER_PUD; // 512 GiB
/** One past the last user page (48-bit VA). */
export const MAX_VPN = PTRS_PER_TABLE * PAGES_PER_PGD;

export function ptePfn(pte: number): number {
	return pte >>> PTE_PFN_SHIFT;
}

export function mkPte(pfn: number, bits: number): number {
	return (pfn << PTE_PFN_SHIFT) | bits;
}

/** Level indexes of a virtual page number: [pgd, pud, pmd, pte]. */
export function levelIndexes(vpn: number): [number, number, number, number] {
	return [
		Math.floor(vpn / PAGES_PER_PGD) % PTRS_PER_TABLE,
		Math.floor(vpn / PAGES_PER_PUD) % PTRS_PER_TABLE,
		Math.floor(vpn / PAGES_PER_PMD) % PTRS_PER_TABLE,
		vpn % PTRS_PER_TABLE,
	];
}

/** The leaf table covering vpn, or undefined (follow_page's walk: allocates nothing). */
export function pteTable(t: FrameTable, pgd: number, vpn: number): Int32Array | undefined {
	let table = t.tables.get(pgd);
	if (table === undefined) return undefined;
	let entry = table[Math.floor(vpn / PAGES_PER_PGD) % PTRS_PER_TABLE]!;
	if (entry === 0) return undefined;
	table = t.tables.get(entry - 1)!;
	entry = table[Math.floor(vpn / PAGES_PER_PUD) % PTRS_PER_TABLE]!;
	if (entry === 0) return undefined;
	table = t.tables.get(entry - 1)!;
	entry = table[Math.floor(vpn / PAGES_PER_PMD) % PTRS_PER_TABLE]!;
	if (entry === 0) return undefined;
	return t.tables.get(entry - 1);
}

/** The PTE value for vpn (0 when none). */
export function lookupPte(t: FrameTable, pgd: number, vpn: number): number {
	const leaf = pteTable(t, pgd, vpn);
	return leaf === undefined ? 0 : leaf[vpn % PTRS_PER_TABLE]!;
}

/**
 * pud_alloc → pmd_alloc → pte_alloc_map: the leaf table for vpn, allocating
 * missing levels. Returns undefined when a table page cannot be allocated.
 */
export function pteAlloc(t: FrameTable, mm: MmStruct, vpn: number): Int32Array | undefined {
	let table = t.tables.get(mm.pgd)!;
	const shifts = [PAGES_PER_PGD, PAGES_PER_PUD, PAGES_PER_PMD];
	for (const span of shifts) {
		const index = Math.floor(vpn / span) % PTRS_PER_TABLE;
		let entry = table[index]!;
		if (entry === 0) {
			const pfn = allocPgtable(t);
			if (pfn < 0) return undefined;
			mm.pgtables++;
			entry = pfn + 1;
			table[index] = entry;
		}
		table = t.tables.get(entry - 1)!;
	}
	return table;
}

/**
 * Calls fn for every leaf table that may hold entries in [startVpn, endVpn):
 * fn(leaf, firstIndex, endIndex, vpnOfIndex0). Tables that do not exist are skipped whole.
 */
export function forEachLeaf(
	t: FrameTable,
	pgd: number,
	startVpn: number,
	endVpn: number,
	fn: (leaf: Int32Array, from: number, to: number, baseVpn: number) => void,
): void {
	let vpn = startVpn;
	if (endVpn > MAX_VPN) endVpn = MAX_VPN;
	while (vpn < endVpn) {
		const leafBase = vpn - (vpn % PTRS_PER_TABLE);
		const leafEnd = leafBase + PTRS_PER_TABLE;
		const leaf = pteTable(t, pgd, vpn);
		if (leaf === undefined) {
			// Skip to the next table boundary at the level that is missing.
			vpn = nextPopulated(t, pgd, vpn);
			continue;
		}
		const to = Math.min(endVpn, leafEnd);
		fn(leaf, vpn - leafBase, to - leafBase, leafBase);
		vpn = to;
	}
}

function nextPopulated(t: FrameTable, pgd: number, vpn: number): number {
	const pgdTable = t.tables.get(pgd);
	if (pgdTable === undefined) return Number.MAX_SAFE_INTEGER;
	const pgdEntry = pgdTable[Math.floor(vpn / PAGES_PER_PGD) % PTRS_PER_TABLE]!;
	if (pgdEntry === 0) return (Math.floor(vpn / PAGES_PER_PGD) + 1) * PAGES_PER_PGD;
	const pud = t.tables.get(pgdEntry - 1)!;
	const pudEntry = pud[Math.floor(vpn / PAGES_PER_PUD) % PTRS_PER_TABLE]!;
	if (pudEntry === 0) return (Math.floor(vpn / PAGES_PER_PUD) + 1) * PAGES_PER_PUD;
	return (Math.floor(vpn / PAGES_PER_PMD) + 1) * PAGES_PER_PMD;
}

/** A leaf table and the vpn of its entry 0. */
export type Leaf = {base: number; leaf: Int32Array};

/**
 * The page-table walker: every leaf table under `pgd`, in VA order, to
 * `leaf(table, baseVpn)`. `enter(pfn, level, baseVpn, index)`, when given, is
 * asked first about each table below the pgd (level 1 pud, 2 pmd, 3 leaf;
 * `index` its entry in the table above); false skips it and what it holds.
 * A table an entry names that does not exist is skipped.
 */
export function walkPageTables(
	t: FrameTable,
	pgd: number,
	leaf: (table: Int32Array, baseVpn: number) => void,
	enter?: (pfn: number, level: number, baseVpn: number, index: number) => boolean,
): void {
	const tables = t.tables;
	const top = tables.get(pgd);
	if (top === undefined) return;
	const n = PTRS_PER_TABLE;
	for (let a = 0; a < n; a++) {
		const e1 = top[a]!;
		if (e1 === 0) continue;
		const pudBase = a * PAGES_PER_PGD;
		if (enter !== undefined && !enter(e1 - 1, 1, pudBase, a)) continue;
		const pud = tables.get(e1 - 1);
		if (pud === undefined) continue;
		for (let b = 0; b < n; b++) {
			const e2 = pud[b]!;
			if (e2 === 0) continue;
			const pmdBase = pudBase + b * PAGES_PER_PUD;
			if (enter !== undefined && !enter(e2 - 1, 2, pmdBase, b)) continue;
			const pmd = tables.get(e2 - 1);
			if (pmd === undefined) continue;
			for (let c = 0; c < n; c++) {
				const e3 = pmd[c]!;
				if (e3 === 0) continue;
				const base = pmdBase + c * PAGES_PER_PMD;
				if (enter !== undefined && !enter(e3 - 1, 3, base, c)) continue;
				const table = tables.get(e3 - 1);
				if (table !== undefined) leaf(table, base);
			}
		}
	}
}

/** The leaf tables of an mm in VA order (none without an MMU). */
export function leafTables(t: FrameTable, mm: MmStruct): Leaf[] {
	const out: Leaf[] = [];
	if (mm.pgd >= 0) walkPageTables(t, mm.pgd, (leaf, base) => out.push({base, leaf}));
	return out;
}

/** Present PTEs of an mm in VA order: [vpn, pte] pairs via callback. */
export function forEachPresentPte(t: FrameTable, mm: MmStruct, startVpn: number, endVpn: number, fn: (vpn: number, pte: number) => void): void {
	if (mm.pgd < 0) return;
	forEachLeaf(t, mm.pgd, startVpn, endVpn, (leaf, from, to, base) => {
		for (let i = from; i < to; i++) {
			const pte = leaf[i]!;
			if ((pte & PTE_PRESENT) !== 0) fn(base + i, pte);
		}
	});
}

/** Every page-table frame of an mm, leaves first (free_pgtables order). */
export function collectTables(t: FrameTable, pgd: number): number[] {
	const out: number[] = [];
	const walk = (pfn: number, level: number): void => {
		if (level < 3) {
			const table = t.tables.get(pfn)!;
			for (let i = 0; i < PTRS_PER_TABLE; i++) {
				const entry = table[i]!;
				if (entry !== 0) walk(entry - 1, level + 1);
			}
		}
		out.push(pfn);
	};
	walk(pgd, 0);
	return out;
}
