// The compare view (C): the selected process's page table beside another's,
// one row a page by VA, the picture drawn on the board for copy-on-write:
// each side's frame, `=` between them when it is the same frame, the COW
// marks, the frame's refcount/mapcount and the words written in it. Without
// an MMU, one row a region with its frame range. Full screen, the run keys
// still work under it, so the picture can be watched changing.

import {describeEvent} from '../../debugger/format.js';
import {
	absentText,
	compareTable,
	comparePartner,
	frameRow,
	kernelView,
	mmUnderCopy,
	taskOf,
	type CompareProcess,
	type CompareSubject,
	type CompareRow,
	type CompareSide,
	hex,
} from '../../debugger/views.js';
import type {KernelState} from '../../debugger/views.js';
import {cut, fitLine, padEnd, padStart, seg, wrap, type Line, type Style} from '../text.js';
import {stackPath} from './kernel.js';
import type {Model} from './model.js';

/** The process a view sets beside the selected one: the one picked with Tab while it lives, else the default partner. */
export function otherOf(k: KernelState, selected: number, picked: number | null): number | null {
	if (picked !== null && picked !== selected && taskOf(k, picked) !== undefined) return picked;
	return comparePartner(k, selected);
}

/** A line without the blanks at its end (the columns' padding), so a row ends where its text does. */
export function trimEnd(line: Line): Line {
	const out = [...line];
	while (out.length > 0) {
		const last = out[out.length - 1]!;
		const text = last.text.replace(/ +$/, '');
		if (text !== '') {
			out[out.length - 1] = {...last, text};
			break;
		}
		out.pop();
	}
	return out;
}

const shortLabel = (p: CompareProcess): string => (p.pid === null ? `mm ${p.mm}` : `pid ${p.pid}`);

export function processLabel(p: CompareProcess, selected: boolean): string {
	if (p.pid === null) return `mm ${p.mm} (dup_mmap fills it)`;
	return `pid ${p.pid} ${p.comm}${selected ? ' *' : ''}`;
}

/** The words of a side as `+OFFSET=VALUE`, the ones that differ from the other side highlighted. */
function wordSegs(side: CompareSide, differ: readonly number[]): Line {
	const out: Line = [];
	for (const [off, v] of side.words) out.push(seg(` +${off}=${v}`, differ.includes(off) ? {color: 'yellow', bold: true} : {}));
	if (side.moreWords > 0) out.push(seg(` +${side.moreWords} more`, {dim: true}));
	return out;
}

function sideLine(side: CompareSide | null, row: CompareRow, mmu: boolean, wide: boolean, width: number): Line {
	if (side === null) return fitLine([seg(mmu ? '  (no PTE)' : '  (no region)', {dim: true})], width, true);
	const frame = side.lastPfn === side.pfn ? String(side.pfn) : `${side.pfn}-${side.lastPfn}`;
	const out: Line = [seg(padStart(frame, mmu ? 5 : 7), {bold: true, color: row.shared ? 'green' : 'white'}), seg(' ')];
	if (wide) out.push(seg(padEnd(side.kind, 7), {dim: true}));
	if (mmu) {
		out.push(seg(`${side.writable ? 'W' : '-'}${side.dirty ? 'D' : '-'}${side.accessed ? 'A' : '-'} `, {color: 'cyan'}));
		out.push(seg(side.cow ? 'COW ' : '    ', {color: 'magenta', bold: true}));
	}
	out.push(seg(padEnd(wide ? `ref ${side.refcount} map ${side.mapcount}` : `${side.refcount}/${side.mapcount}`, wide ? 13 : 5), {color: 'green'}));
	out.push(...wordSegs(side, row.differ));
	return fitLine(out, width, true);
}

/** A full-screen view: its title and lines, its rows in all, the rows it shows, its top row, and the process it sets beside the selected one. */
export type ViewOverlay = {overlay: {title: Line; lines: Line[]}; rows: number; view: number; top: number; other: number | null};

const legendText = (mmu: boolean): string =>
	mmu
		? "= the same frame on both sides · COW: read-only in a writable private VMA, the next write goes to do_wp_page · W D A: writable dirty accessed · r/m: the frame's refcount/mapcount · +8=5: the word at that offset holds 5 (yellow: the sides differ)"
		: "= the same frames on both sides · r/m: the first frame's refcount/mapcount (mapcount: the mm's using it) · +8=5: the word at that offset of the region holds 5 (yellow: the sides differ)";

/** The compare view in `height` rows (its title included). */
export function compareOverlay(m: Model, width: number, height: number): ViewOverlay {
	const k = m.dbg.kernel;
	const selected = m.ui.selectedPid;
	const other = otherOf(k, selected, m.ui.otherPid);
	const title = (info: string): Line =>
		fitLine([seg(' Compare ', {inverse: true, bold: true, color: 'cyan'}), seg(` ${info} · Esc closes`, {dim: true})], width);
	const alone = (text: string): ViewOverlay => ({
		overlay: {title: title(`pid ${selected}`), lines: [fitLine([seg(text, {dim: true})], width)]},
		rows: 0,
		view: 1,
		top: 0,
		other,
	});
	if (taskOf(k, selected) === undefined) return alone(absentText(k, selected));
	// Inside a fork's dup_mmap, the child's mm has no task yet: it is set beside its parent, to watch copy_one_pte fill it.
	const copying = mmUnderCopy(m.dbg);
	const filling = copying !== null && m.ui.otherPid === null && taskOf(k, selected)!.mm === copying.oldmm ? {mm: copying.mm} : null;
	if (other === null && filling === null) {
		return alone(`pid ${selected} is the only process: nothing to set beside it yet (after a fork, C shows parent and child).`);
	}
	// The parent on the left, as on the board; * marks the selected process.
	const [left, right]: [CompareSubject, CompareSubject] =
		filling !== null ? [selected, filling] : taskOf(k, selected)!.ppid === other ? [other!, selected] : [selected, other!];
	const stop = stopLines(m, width);
	// The page of the stop's event, when it is about one of the two: its row is marked, and kept in view while the view follows.
	const at = stop.vpn !== null && (stop.pid === left || stop.pid === right) ? stop.vpn : null;
	// One walk counts the rows and finds the stop's; a second draws the window.
	const head = compareTable(k, left, right, 0, 0, at)!;
	const atRow = head.atRow;
	const mmu = head.mmu;
	const wide = width >= 120;
	// Columns: a row's VA and page name, then the two sides with a gutter between them.
	const markWidth = 2;
	const vaWidth = wide ? 16 : 14;
	const nameWidth = wide ? 12 : 9;
	const gutter = 3;
	const sideWidth = Math.max(8, Math.floor((width - markWidth - vaWidth - nameWidth - 2 - gutter) / 2));
	const lines: Line[] = [];
	const sides = [processLabel(head.left, left === selected), processLabel(head.right, right === selected)];
	lines.push(
		fitLine(
			[
				seg(' '.repeat(markWidth) + padEnd(mmu ? 'VA' : 'start', vaWidth + 1) + padEnd(mmu ? 'page' : 'region', nameWidth + 1), {bold: true}),
				seg(padEnd(sides[0]!, sideWidth), {bold: true, color: left === selected ? 'yellow' : undefined}),
				seg(' | ', {dim: true}),
				seg(sides[1]!, {bold: true, color: right === selected ? 'yellow' : undefined}),
			],
			width,
		),
	);
	// The header of a side, on the widths sideLine uses.
	const columns =
		padStart(mmu ? 'pfn' : 'frames', mmu ? 5 : 7) +
		' ' +
		(wide ? 'kind   ' : '') +
		(mmu ? 'WDA COW ' : '') +
		padEnd(wide ? 'counts' : 'r/m', wide ? 13 : 5) +
		' words';
	lines.push(
		fitLine(
			[
				seg(' '.repeat(markWidth + vaWidth + 1 + nameWidth + 1)),
				seg(padEnd(columns, sideWidth), {dim: true}),
				seg(' | ', {dim: true}),
				seg(columns, {dim: true}),
			],
			width,
		),
	);
	const notes: Line[] = [];
	const note = (text: string, style: Style): void => {
		for (const l of wrap(text, width)) notes.push([seg(l, style)]);
	};
	if (head.sameMm)
		note(`${shortLabel(head.left)} and ${shortLabel(head.right)} share mm ${head.left.mm} (vfork, clone vm, a thread): every row is the same frame.`, {
			color: 'yellow',
		});
	if (!mmu) note('no-MMU: no page tables, no COW; one row a region, the frames that back it (address = physical).', {dim: true});
	for (const p of [head.left, head.right]) if (p.mm === null) note(`pid ${p.pid} has no mm (${p.state === 'Z' ? 'zombie' : 'released'}).`, {dim: true});
	// The legend when every row fits with it; the rows come first.
	const total = head.total;
	const room = height - 1 - lines.length - notes.length - (stop.lines.length > 0 ? 1 + stop.lines.length : 0);
	const legendLines = wrap(legendText(mmu), width);
	const legend = room - legendLines.length >= Math.max(1, total) ? legendLines.map((l) => [seg(l, {dim: true})]) : [];
	const view = Math.max(1, room - legend.length);
	const followTop = atRow < view ? 0 : Math.min(atRow - Math.floor(view / 3), total - view);
	const top = Math.max(0, Math.min(m.ui.viewScroll >= 0 ? m.ui.viewScroll : followTop, total - view));
	const t = compareTable(k, left, right, top, view)!;
	for (const [i, r] of t.rows.entries()) {
		// A long region name is cut, the page index kept.
		const page = r.page === null ? '' : `[${r.page}]`;
		const name = r.region === null ? '?' : cut(r.region, Math.max(1, nameWidth - page.length)) + page;
		const mark = r.shared ? seg(' = ', {bold: true, color: 'green'}) : seg(' | ', {dim: true});
		lines.push(
			fitLine(
				[
					top + i === atRow ? seg('▶ ', {bold: true, color: 'yellow'}) : seg('  '),
					seg(padEnd(hex(r.va), vaWidth) + ' ', {dim: true}),
					seg(padEnd(name, nameWidth) + ' ', {bold: true}),
					...sideLine(r.left, r, mmu, wide, sideWidth),
					mark,
					...sideLine(r.right, r, mmu, wide, sideWidth),
				],
				width,
			),
		);
	}
	if (t.rows.length === 0) lines.push([seg(mmu ? 'Neither has a present PTE.' : 'Neither has a region.', {dim: true})]);
	for (const n of notes) lines.push(fitLine(n, width));
	if (stop.lines.length > 0) lines.push([]);
	for (const l of stop.lines) lines.push(fitLine(l, width));
	for (const l of legend) lines.push(fitLine(l, width));
	const range = total === 0 ? '0 rows' : `rows ${top + 1}-${top + t.rows.length} of ${total}`;
	return {
		overlay: {title: title(`${sides[0]} beside ${sides[1]} · ${range}`), lines: lines.slice(0, Math.max(0, height - 1)).map(trimEnd)},
		rows: total,
		view,
		top,
		other,
	};
}

/** Frames the stop block names at most. */
const STOP_FRAMES = 6;

/**
 * What the stop is about, under the table: its event, the kernel's decision,
 * and the frames it changed with their counts before → after (as the Frames
 * pane shows them); inside a tick, where the kernel stands and its step.
 * Nothing when the run is not standing at its stop.
 */
function stopLines(m: Model, width: number): {lines: Line[]; pid: number | null; vpn: number | null} {
	const k = m.dbg.kernel;
	const kv = kernelView(m.dbg);
	const f = m.focus !== null && (kv !== null ? m.focus.tick === kv.tick && m.focus.eventIndex === null : m.focus.tick === k.tick) ? m.focus : null;
	const lines: Line[] = [];
	const mark = (l: string, i: number, style = {}): Line => [seg(i === 0 ? '▶ ' : '  ', {bold: true, color: 'yellow'}), seg(l, style)];
	if (kv !== null) {
		lines.push(mark('in ' + stackPath(kv.stack, Math.max(1, width - 5)), 0, {bold: true}));
		wrap(`kstep ${kv.seq} · ${kv.note}`, width - 2).forEach((l) => lines.push(mark(l, 1, {color: 'yellow'})));
	} else if (f !== null && f.eventIndex !== null) {
		wrap(describeEvent(m.dbg.event(f.eventIndex)), width - 2).forEach((l, i) => lines.push(mark(l, i, {bold: i === 0})));
		if (f.note !== null) for (const l of wrap(f.note, width - 2)) lines.push(mark(l, 1, {color: 'yellow'}));
	} else return {lines: [], pid: null, vpn: null};
	if (f !== null && f.pfns.length > 0) {
		// Inside a tick, the step's own frames come first: two say what it did, the rest of the tick's is in the Frames pane.
		const limit = kv !== null ? 2 : STOP_FRAMES;
		const parts = f.pfns.slice(0, limit).map((pfn) => {
			const now = frameRow(k, pfn);
			const count = (name: string, was: number | undefined, is: number): string =>
				was === undefined || was === is ? `${name} ${is}` : `${name} ${was}→${is}`;
			return `pfn ${pfn} ${now.kind} ${count('ref', f.before.refcount[pfn], now.refcount)} ${count('map', f.before.mapcount[pfn], now.mapcount)}`;
		});
		const more = f.pfns.length > limit ? ` · +${f.pfns.length - limit} more` : '';
		for (const l of wrap(parts.join(' · ') + more, width - 2)) lines.push(mark(l, 1, {color: 'green'}));
	}
	return {lines, pid: f?.pid ?? null, vpn: f?.vpn ?? null};
}
