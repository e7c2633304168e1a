// The Kernel view, while the debugger is inside a tick (docs/debugger.md,
// kernel steps): where it stands as a path of kernel functions, the step just
// executed with its note in full, and the call stack with its arguments,
// innermost first as gdb's `bt` lists it. On a wide terminal, the tick's
// steps around this one too, as `run --ksteps` prints them. It takes the
// Log's place (the Log shows the ticks before this one meanwhile).

import {kernelView, type KernelFrameRow, type KernelStepRow, type KernelView} from '../../debugger/views.js';
import {cells, cut, fitLine, padEnd, padStart, restyle, seg, wrap, type Line} from '../text.js';
import type {Model, PaneContent} from './model.js';

const SEP = ' › ';
const CURRENT = {bg: 'yellow', color: 'black', bold: true, dim: false, inverse: false} as const;

/** The width from which the steps around the current one are listed beside the stack. */
export const KERNEL_WIDE = 120;

/**
 * The stack as one path, outermost first, cut in the middle when it does not
 * fit: the two outermost functions, `…`, and as many of the innermost as fit
 * (`do_fork › copy_process › … › copy_pte_range › copy_one_pte`).
 */
export function stackPath(stack: readonly KernelFrameRow[], width: number): string {
	const names = stack.map((f) => f.fn);
	if (names.length === 0) return '(no kernel function open: the tick runs in its own code)';
	const all = names.join(SEP);
	if (cells(all) <= width) return all;
	const head = names.slice(0, Math.min(2, names.length - 1));
	for (let keep = names.length - head.length - 1; keep >= 1; keep--) {
		const path = [...head, '…', ...names.slice(names.length - keep)].join(SEP);
		if (cells(path) <= width) return path;
	}
	return cut(['…', names.at(-1)!].join(SEP), width);
}

/** A frame of the stack as gdb's bt shows it: `#0  copy_one_pte(addr=0x600000, pfn=9, …)`. */
function frameLine(f: KernelFrameRow, n: number, digits: number, width: number): Line {
	return fitLine([seg(`#${padEnd(String(n), digits)} `, {dim: true}), seg(f.fn, {bold: true, color: 'cyan'}), seg(`(${f.args})`)], width);
}

/** The left column: the path, the current step and its note, the stack. */
function stackColumn(v: KernelView, count: number, width: number, rows: number): Line[] {
	const lines: Line[] = [fitLine([seg('in ', {dim: true}), seg(stackPath(v.stack, Math.max(1, width - 3)), {bold: true})], width)];
	// The current step, highlighted, and its note in full: it explains the stop.
	const what = v.step.phase === 'note' ? `note in ${v.step.fn === '' ? 'the tick' : v.step.fn}:` : v.note;
	const head = wrap(`kstep ${v.seq}/${count} · ${what}`, Math.max(1, width - 2));
	const body = v.step.phase === 'note' ? wrap(v.note, Math.max(1, width - 2)) : [];
	// The step keeps the rows it needs, up to all but the path's; a note cut short ends in …
	const room = Math.max(1, rows - lines.length);
	const text = [...head.map((t) => ({t, head: true})), ...body.map((t) => ({t, head: false}))];
	const shown =
		text.length <= room
			? text
			: [
					...text.slice(0, room - 1),
					{
						t: cut(
							text
								.slice(room - 1)
								.map((x) => x.t)
								.join(' '),
							width - 2,
						),
						head: false,
					},
				];
	shown.forEach((x, i) => {
		if (x.head) lines.push(restyle(fitLine([seg(i === 0 ? '▶ ' : '  '), seg(x.t)], width, true), CURRENT));
		else lines.push([seg('  '), seg(x.t, {color: 'yellow', bold: true})]);
	});
	// The stack, innermost first; what does not fit is the path's outer part.
	const frames = [...v.stack].reverse();
	const digits = String(Math.max(0, frames.length - 1)).length;
	const left = rows - lines.length;
	if (left <= 0 || frames.length === 0) return lines;
	// With one row left, #0 and its arguments (the path names the others); else the outer frames that do not fit on the last row.
	const fits = frames.length <= left ? frames.length : Math.max(1, left - 1);
	for (let i = 0; i < fits; i++) lines.push(frameLine(frames[i]!, i, digits, width));
	if (fits < frames.length && fits < left) {
		const rest = frames.slice(fits).map((f) => f.fn);
		lines.push(fitLine([seg(`#${fits}-#${frames.length - 1} `, {dim: true}), seg(rest.join(' ‹ '), {dim: true})], width));
	}
	return lines;
}

/** The right column: the tick's steps around the current one, indented by depth, the current highlighted. */
function stepsColumn(m: Model, v: KernelView, count: number, width: number, rows: number): Line[] {
	const before = Math.floor((rows - 1) / 2);
	const from = Math.max(0, Math.min(v.seq - before, count - rows));
	const steps: KernelStepRow[] = m.cache.kernelSteps(m.dbg, from, from + rows);
	const digits = String(Math.max(0, count - 1)).length;
	return steps.map((s) => {
		const line: Line = [
			seg(s.seq === v.seq ? '▶' : ' '),
			seg(padStart(String(s.seq), digits) + ' ', {dim: true}),
			seg('  '.repeat(s.depth) + s.text, s.phase === 'note' ? {color: 'gray'} : {}),
		];
		return s.seq === v.seq ? restyle(fitLine(line, width, true), CURRENT) : fitLine(line, width);
	});
}

export type KernelPane = PaneContent & {view: KernelView};

/** The Kernel view at a size, or null between ticks. */
export function kernelPane(m: Model, width: number, rows: number): KernelPane | null {
	const v = kernelView(m.dbg);
	if (v === null) return null;
	const count = m.cache.kernelStepCount(m.dbg);
	const info = `tick ${v.tick} · kstep ${v.seq}/${count} · depth ${v.stack.length}`;
	if (width < KERNEL_WIDE) return {info, lines: stackColumn(v, count, width, rows), rows, view: v};
	const leftWidth = Math.floor((width - 3) * 0.55);
	const rightWidth = width - 3 - leftWidth;
	const left = stackColumn(v, count, leftWidth, rows);
	const right = stepsColumn(m, v, count, rightWidth, rows);
	const lines: Line[] = [];
	for (let r = 0; r < rows; r++) {
		const l = left[r] ?? [];
		lines.push([...fitLine(l, leftWidth, true), seg(' │ ', {color: 'gray'}), ...(right[r] ?? [])]);
	}
	return {info, lines, rows, view: v};
}
