// The Memory pane of the selected process: its mm's counters, one row a VMA,
// then its page table, one row a present PTE (VA → PFN, W D A, COW, and the
// four level indexes on request), scrolled as one list. At a stop it follows
// the PTE the stop's event touched (marked ▶): when the whole list does not
// fit, the VMAs close up into one line so the page table around that PTE does.

import {absentText, machineInfo, mmOf, mmSummary, pteRank, pteWindow, taskOf, type PteRow, type VmaRow, hex} from '../../debugger/views.js';
import {padEnd, padStart, restyle, seg, type Line} from '../text.js';
import type {Model, PaneContent} from './model.js';

function vmaLine(v: VmaRow, nommu: boolean, width: number): Line {
	const flags = [v.dontcopy ? 'dontcopy' : '', v.locked ? 'locked' : '', v.account ? 'account' : ''].filter((f) => f !== '');
	const compact = width < 70;
	const out: Line = [
		seg(padEnd(v.region, compact ? 6 : 8) + ' ', {bold: true}),
		seg(v.prot + ' ', {color: 'cyan'}),
		seg(compact ? (v.shared ? 's ' : 'p ') : (v.shared ? 'shared ' : 'private') + ' '),
		seg(padEnd(v.backing, 5) + ' '),
		seg(compact ? `${v.rss}/${v.pages} ` : `rss ${v.rss}/${v.pages} `, {color: 'green'}),
	];
	if (nommu) out.push(seg(v.frames === null ? 'no frames ' : `pfn ${v.frames[0]}-${v.frames[1]} `, {color: 'yellow'}));
	out.push(seg(compact ? hex(v.start) : `${hex(v.start)}-${hex(v.end)}`, {dim: true}));
	if (flags.length > 0) out.push(seg(' ' + (compact ? flags.map((f) => f[0]!.toUpperCase()).join('') : flags.join(',')), {color: 'magenta'}));
	return out;
}

/** All the VMAs on one line, each as its region, prot and flags (the line is cut with … where it ends). */
function vmaSummaryLine(vmas: readonly VmaRow[], focusRegion: string | null): Line {
	const out: Line = [seg(`${vmas.length} VMA${vmas.length === 1 ? '' : 's'}:`, {bold: true, underline: true})];
	for (const v of vmas) {
		const flags = (v.dontcopy ? 'D' : '') + (v.locked ? 'L' : '') + (v.account ? 'A' : '');
		out.push(seg(' ' + v.region, {bold: true, underline: v.region === focusRegion}), seg(' ' + v.prot, {color: 'cyan'}));
		if (flags !== '') out.push(seg(' ' + flags, {color: 'magenta'}));
	}
	return out;
}

function pteLine(p: PteRow, vaWidth: number, pfnWidth: number, compact: boolean, levels: boolean, focused: boolean): Line {
	const gap = compact ? '' : ' ';
	const line: Line = [
		seg(focused ? '▶' : ' ', {bold: true}),
		seg(padStart(hex(p.va), vaWidth), {}),
		seg(compact ? ' ' : ' -> '),
		seg(padStart(String(p.pfn), pfnWidth) + ' ', {color: p.pfn === 0 ? 'white' : 'green'}),
		seg(p.writable ? 'W' : '-', {color: p.writable ? 'green' : 'gray'}),
		seg(gap),
		seg(p.dirty ? 'D' : '-', {color: p.dirty ? 'yellow' : 'gray'}),
		seg(gap),
		seg(p.accessed ? 'A' : '-', {color: p.accessed ? 'cyan' : 'gray'}),
		seg(p.cow ? ' COW' : '    ', {color: 'magenta', bold: true}),
	];
	if (levels) line.push(seg(` [${p.levels.map((n) => (compact ? String(n) : padStart(String(n), 3))).join(' ')}]`, {dim: true}));
	line.push(seg(' ' + (p.region ?? '?'), {dim: true}));
	return focused ? restyle(line, {bg: 'yellow', color: 'black', bold: true, dim: false}) : line;
}

export function memoryPane(m: Model, width: number, rows: number): PaneContent {
	const k = m.dbg.kernel;
	const pid = m.ui.selectedPid;
	const task = taskOf(k, pid);
	const nommu = !machineInfo(k).mmu;
	if (task === undefined) return {info: `pid ${pid}`, lines: [[seg(absentText(k, pid), {dim: true})]], rows: 1};
	const mm = mmOf(k, task);
	if (mm === undefined)
		return {info: `pid ${pid}`, lines: [[seg(`pid ${pid} has no mm (${task.state === 'Z' ? 'zombie' : 'released'})`, {dim: true})]], rows: 1};
	const s = mmSummary(mm);
	const info = `pid ${pid} · mm ${s.id} users ${s.users}`;
	const vmas = m.cache.vmaRows(k, mm);
	const ptes = nommu ? 0 : m.cache.pteCount(k, mm);
	const leaves = nommu ? [] : m.cache.leaves(k, mm);
	// Rows: the summary (VMA header), the VMAs, the page-table header, the PTEs.
	const total = 1 + vmas.length + 1 + ptes;
	const levels = m.ui.levels;
	const pteFirstRow = 2 + vmas.length;
	// The PTE the stop's event touched, when it is this process's and present.
	const focus = m.focus;
	const rank = focus !== null && focus.pid === pid && focus.vpn !== null && !nommu ? pteRank(focus.vpn, leaves) : -1;
	const following = m.ui.scroll.memory < 0;
	const pteHeader = (): Line => [
		nommu
			? seg('no page table: nothing translates, nothing faults', {dim: true})
			: seg(`page table: ${ptes} PTE${ptes === 1 ? '' : 's'}${width < 60 ? '' : '  VA -> PFN  W D A'}${levels ? '  [pgd pud pmd pte]' : ''}`, {
					bold: true,
					underline: true,
				}),
	];
	const compact = width < 60;
	const pteLines = (first: number, count: number): Line[] => {
		const window = pteWindow(k, mm, first, count, leaves);
		// Columns as wide as this window needs; on a narrow pane the bits close up.
		const vaWidth = Math.max(0, ...window.map((p) => hex(p.va).length));
		const pfnWidth = Math.max(0, ...window.map((p) => String(p.pfn).length));
		return window.map((p, i) => pteLine(p, vaWidth, pfnWidth, compact, levels, first + i === rank));
	};
	// Following a PTE that the whole list cannot show from its top: the VMAs on one line, the page table around it.
	if (following && rank >= 0 && pteFirstRow + rank >= rows && rows >= 3) {
		const view = rows - 2;
		const first = Math.max(0, Math.min(rank - Math.floor((view - 1) / 3), ptes - view));
		const focusVma = pteWindow(k, mm, rank, 1, leaves)[0]?.region ?? null;
		const lines: Line[] = [vmaSummaryLine(vmas, focusVma), pteHeader(), ...pteLines(first, view)];
		return {info, lines, rows: total, autoTop: Math.min(Math.max(0, pteFirstRow + rank - Math.floor(rows / 3)), Math.max(0, total - rows))};
	}
	const top = following ? 0 : Math.min(m.ui.scroll.memory, Math.max(0, total - rows));
	const lines: Line[] = [];
	for (let r = top; r < Math.min(total, top + rows) && r < pteFirstRow; r++) {
		if (r === 0) {
			lines.push([
				seg(`${s.mapCount} VMA${s.mapCount === 1 ? '' : 's'}`, {bold: true, underline: true}),
				seg(
					` rss ${s.rss} (max ${s.hiwaterRss}) total_vm ${s.totalVm} locked_vm ${s.lockedVm}` +
						(nommu ? ' · no-MMU: address = physical' : ` pgtables ${s.pgtables}`),
					{dim: true},
				),
			]);
		} else if (r < 1 + vmas.length) {
			lines.push(vmaLine(vmas[r - 1]!, nommu, width));
		} else {
			lines.push(pteHeader());
		}
	}
	const firstPte = Math.max(0, top - pteFirstRow);
	const want = Math.min(total, top + rows) - Math.max(top, pteFirstRow);
	if (want > 0) lines.push(...pteLines(firstPte, want));
	return {info, lines, rows: total, autoTop: top};
}
