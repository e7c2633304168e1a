// The registers and words view (x, as gdb's examine): the selected process's
// registers (ret, status, signal, core, r0-r7) and the words in its memory by
// region, each beside the other process's (the one the compare view shows),
// so after a COW copy the parent's and the child's values of one address read
// side by side. The registers stay at the top; the words scroll.

import {absentText, registerRows, taskOf, wordsTable, type Task, type WordRow, hex} from '../../debugger/views.js';
import {cells, cut, fitLine, padEnd, seg, type Line} from '../text.js';
import {otherOf, trimEnd, type ViewOverlay} from './compare.js';
import type {Model} from './model.js';

const value = (v: number | null): string => (v === null ? '-' : String(v));

function who(t: Task): string {
	return `pid ${t.pid} ${t.comm} ${t.state} pc ${t.pc}`;
}

/** A word's name in `width` cells: a long region name is cut, its `[K]+OFFSET` kept. */
function wordName(w: WordRow, width: number): string {
	if (w.region === '' || cells(w.name) <= width) return w.name;
	const suffix = w.name.slice(w.region.length);
	return cut(w.region, Math.max(1, width - cells(suffix))) + suffix;
}

/** The registers in columns, top to bottom then left to right; each cell: the name, the selected's value, the other's (yellow where they differ). */
function registerLines(task: Task, other: Task | undefined, width: number): Line[] {
	const mine = registerRows(task);
	const theirs = other === undefined ? undefined : registerRows(other);
	const valueWidth = width >= 120 ? 16 : 12;
	const cellWidth = 7 + valueWidth + (theirs === undefined ? 0 : valueWidth) + 2;
	const cols = Math.max(1, Math.min(4, Math.floor(width / cellWidth)));
	const rows = Math.ceil(mine.length / cols);
	const lines: Line[] = [];
	const header: Line = [];
	for (let c = 0; c < cols; c++) {
		header.push(seg(' '.repeat(7)), seg(padEnd(`pid ${task.pid} *`, valueWidth), {bold: true, color: 'yellow'}));
		if (other !== undefined) header.push(seg(padEnd(`pid ${other.pid}`, valueWidth), {bold: true}));
		header.push(seg('  '));
	}
	lines.push(fitLine(header, width));
	for (let r = 0; r < rows; r++) {
		const line: Line = [];
		for (let c = 0; c < cols; c++) {
			const i = c * rows + r;
			const reg = mine[i];
			if (reg === undefined) break;
			const [name, v] = reg;
			const o = theirs?.[i]?.[1];
			const differ = o !== undefined && o !== v;
			line.push(seg(padEnd(name, 7), {bold: true, color: 'cyan'}), seg(padEnd(String(v), valueWidth), differ ? {color: 'yellow', bold: true} : {}));
			if (theirs !== undefined) line.push(seg(padEnd(String(o), valueWidth), differ ? {color: 'yellow'} : {dim: true}));
			line.push(seg('  '));
		}
		lines.push(fitLine(line, width));
	}
	return lines;
}

/** The registers and words view in `height` rows (its title included). */
export function registersOverlay(m: Model, width: number, height: number): ViewOverlay {
	const k = m.dbg.kernel;
	const selected = m.ui.selectedPid;
	const otherPid = otherOf(k, selected, m.ui.otherPid);
	const task = taskOf(k, selected);
	const other = otherPid === null ? undefined : taskOf(k, otherPid);
	const title = (info: string): Line =>
		fitLine([seg(' Registers and words ', {inverse: true, bold: true, color: 'cyan'}), seg(` ${info} · Esc closes`, {dim: true})], width);
	if (task === undefined) {
		return {
			overlay: {title: title(`pid ${selected}`), lines: [fitLine([seg(absentText(k, selected), {dim: true})], width)]},
			rows: 0,
			view: 1,
			top: 0,
			other: otherPid,
		};
	}
	const lines: Line[] = [];
	const valueWidth = width >= 120 ? 16 : 12;
	lines.push(fitLine([seg(`${who(task)} (selected)${other === undefined ? '' : ` beside ${who(other)}`}`, {dim: true})], width));
	lines.push(...registerLines(task, other, width));
	lines.push([]);
	const nameWidth = width >= 120 ? 20 : 14;
	const vaWidth = width >= 120 ? 18 : 15;
	lines.push(
		fitLine(
			[
				seg(padEnd('word', nameWidth) + ' ' + padEnd('VA', vaWidth) + ' ', {bold: true}),
				seg(padEnd(`pid ${task.pid} *`, valueWidth) + ' ', {bold: true, color: 'yellow'}),
				seg(other === undefined ? '' : padEnd(`pid ${other.pid}`, valueWidth), {bold: true}),
			],
			width,
		),
	);
	const head = wordsTable(k, selected, other?.pid ?? null, 0, 0)!;
	const total = head.total;
	const view = Math.max(1, height - 1 - lines.length);
	const top = Math.max(0, Math.min(m.ui.viewScroll, total - view));
	const words = wordsTable(k, selected, other?.pid ?? null, top, view)!;
	for (const w of words.rows) {
		const differ = other !== undefined && w.value !== w.other;
		lines.push(
			fitLine(
				[
					seg(padEnd(wordName(w, nameWidth), nameWidth) + ' ', {bold: true}),
					seg(padEnd(hex(w.va), vaWidth) + ' ', {dim: true}),
					seg(padEnd(value(w.value), valueWidth) + ' ', differ ? {color: 'yellow', bold: true} : {}),
					seg(other === undefined ? '' : padEnd(value(w.other), valueWidth), differ ? {color: 'yellow'} : {dim: true}),
					seg(differ ? ' differs' : '', {color: 'yellow'}),
				],
				width,
			),
		);
	}
	if (total === 0) lines.push(fitLine([seg('No word written in its memory yet (an unwritten word reads as 0).', {dim: true})], width));
	const range = total === 0 ? 'no words' : `words ${top + 1}-${top + words.rows.length} of ${total}`;
	const info = `pid ${task.pid} ${task.comm}${other === undefined ? '' : ` beside pid ${other.pid} ${other.comm}`} · ${range}`;
	return {overlay: {title: title(info), lines: lines.slice(0, Math.max(0, height - 1)).map(trimEnd)}, rows: total, view, top, other: otherPid};
}
