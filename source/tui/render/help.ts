// The help overlay: every entry of the key table by group, then the legend of
// the panes' letters and marks.

import {keyTable} from '../keys.js';
import {fitLine, padEnd, seg, wrap, type Line} from '../text.js';

const legends: string[][] = [
	['States', 'R running or runnable · S sleeping (wait, sleep) · D uninterruptible (vfork parent in wait_for_completion) · Z zombie'],
	['Processes', '* the selected process (Memory, Program and n follow it) · > the task on the CPU · MM/US = mm id / mm_users'],
	[
		'Memory',
		'VMA: prot, private (p) or shared (s), anon/file/shmem, rss/pages, start; flags D dontcopy (madvise), L locked (mlock), A account. PTE: W writable · D dirty · A accessed · COW: read-only in a writable private VMA, the next write goes to do_wp_page',
	],
	[
		'Frames',
		'map 1:N: one cell stands for N frames (the most telling kind among them) · ~ on the zero page: a display count (Linux keeps none) · used by: the processes whose page table maps the frame (for a pgtable frame: whose page table it is; no-MMU: whose region it backs) · a anon · f file (page cache) · s shmem · p pgtable · 0 the zero page · . free · CAPITAL: mapped more than once · * / highlight: changed by the last step',
	],
	[
		'Kernel',
		'inside a tick (e, or a func= breakpoint): the call path, the step just executed with its note, the stack innermost first (#0) with its arguments; kstep N/M: step N (from 0) of the M of the tick',
	],
	['Log filter', '/fork finds text · /type:fault or /type:fault,completion by type · /pid:2 by process; Esc clears'],
];

/** The help overlay: every entry of the key table by group, then the legend. */
export function helpLines(width: number): Line[] {
	const lines: Line[] = [];
	const labelWidth = 12;
	const groups: string[] = [];
	for (const def of keyTable) if (!groups.includes(def.group)) groups.push(def.group);
	for (const group of groups) {
		lines.push([seg(group, {bold: true, underline: true})]);
		for (const def of keyTable) {
			if (def.group !== group) continue;
			const text = wrap(def.help, Math.max(10, width - labelWidth - 3));
			text.forEach((t, i) => lines.push([seg('  ' + padEnd(i === 0 ? def.label : '', labelWidth) + ' ', {bold: true, color: 'cyan'}), seg(t)]));
		}
	}
	lines.push([seg('Legend', {bold: true, underline: true})]);
	for (const [title, text] of legends) {
		const w = wrap(text!, Math.max(10, width - labelWidth - 3));
		w.forEach((t, i) => lines.push([seg('  ' + padEnd(i === 0 ? title! : '', labelWidth) + ' ', {bold: true}), seg(t)]));
	}
	return lines;
}

/** The overlay at the body's height: the lines from `scroll` on, with a title that says where they are. */
export function helpOverlay(scroll: number, width: number, view: number): {overlay: {title: Line; lines: Line[]}; rows: number} {
	const all = helpLines(width);
	const top = Math.min(scroll, Math.max(0, all.length - view));
	return {
		rows: all.length,
		overlay: {
			title: fitLine(
				[
					seg(' Keys ', {inverse: true, bold: true, color: 'cyan'}),
					seg(` ${top + 1}-${Math.min(all.length, top + view)} of ${all.length} · j/k scroll · Esc closes `, {dim: true}),
				],
				width,
			),
			lines: all.slice(top, top + view).map((l) => fitLine(l, width)),
		},
	};
}
