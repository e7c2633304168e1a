// The breakpoints overlay: one row a breakpoint (its id, enabled or not, the
// spec, its hits), the cursor's inverted.

import {fitLine, padEnd, restyle, seg, type Line} from '../text.js';
import type {Model} from './model.js';

export function breakpointLines(m: Model): Line[] {
	const bps = m.dbg.breakpoints;
	if (bps.length === 0) return [[seg('No breakpoints. b adds one (cow, fault:kind=anon, syscall:name=fork, tick=40, watch=heap[0], …).', {dim: true})]];
	return bps.map((b, i) => {
		const cursor = i === m.ui.bpCursor;
		const line: Line = [
			seg(cursor ? '▶ ' : '  ', {bold: true}),
			seg(`#${padEnd(String(b.id), 3)} `, {dim: true}),
			seg(b.enabled ? '[x] ' : '[ ] ', {color: b.enabled ? 'green' : 'gray', bold: true}),
			seg(padEnd(b.breakpoint.spec, 30) + ' ', b.enabled ? {bold: true} : {dim: true}),
			seg(`${b.hits} hit${b.hits === 1 ? '' : 's'}`, {dim: true}),
		];
		return cursor ? restyle(line, {inverse: true}) : line;
	});
}

/**
 * The overlay in `height` rows: its title, then the breakpoints that fit,
 * the cursor's row kept in view (in the middle once the list is longer).
 */
export function breakpointsOverlay(m: Model, width: number, height: number): {title: Line; lines: Line[]} {
	const all = breakpointLines(m);
	const view = Math.max(0, height - 1);
	const top = Math.max(0, Math.min(m.ui.bpCursor - Math.floor(view / 2), all.length - view));
	const where = all.length > view ? ` ${top + 1}-${Math.min(all.length, top + view)} of ${all.length} ·` : '';
	return {
		title: fitLine(
			[seg(' Breakpoints ', {inverse: true, bold: true, color: 'cyan'}), seg(`${where} space toggles · d deletes · b adds · Esc closes`, {dim: true})],
			width,
		),
		lines: all.slice(top, top + view).map((l) => fitLine(l, width)),
	};
}
