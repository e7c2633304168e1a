// Where the panes go: three bands (Processes | Program, Memory | Frames,
// Log), sized to the terminal. The top band takes what the process list
// needs (it is short in most scenarios); on a short terminal the band holding
// the focused pane grows (lazygit's accordion), so the pane you read is never
// three rows high.

import type {Pane} from './panes.js';

export type PaneBox = {pane: Pane; width: number; height: number};
export type Band = {height: number; panes: PaneBox[]};

const bandPanes: readonly (readonly Pane[])[] = [['processes', 'program'], ['memory', 'frames'], ['log']];
/** Share of the width the left pane of a band gets. */
const leftShare = [0.56, 0.5];
const MIN = 2;

/** `topWants`: the rows the top band would like (title, header, one row a process). */
export function layoutBands(width: number, height: number, focus: Pane, topWants = 7): Band[] {
	const focused = bandPanes.findIndex((ps) => ps.includes(focus));
	const tall = height >= 40;
	const want = Math.max(5, topWants);
	let top: number;
	if (focused === 0) top = Math.max(Math.min(want, Math.floor(height * (tall ? 0.5 : 0.42))), Math.floor(height * (tall ? 0.3 : 0.34)));
	else top = Math.min(want, Math.floor(height * (tall ? 0.3 : 0.25)));
	top = Math.max(MIN, top);
	const rest = height - top;
	const memoryShare = focused === 1 ? (tall ? 0.6 : 0.64) : focused === 2 ? (tall ? 0.5 : 0.38) : 0.56;
	let middle = Math.max(MIN, Math.round(rest * memoryShare));
	let bottom = rest - middle;
	if (bottom < MIN) {
		middle -= MIN - bottom;
		bottom = MIN;
	}
	const heights = [top, middle, bottom];
	return bandPanes.map((ps, i) => {
		const h = heights[i]!;
		if (ps.length === 1) return {height: h, panes: [{pane: ps[0]!, width, height: h}]};
		const left = Math.floor((width - 1) * leftShare[i]!);
		return {
			height: h,
			panes: [
				{pane: ps[0]!, width: left, height: h},
				{pane: ps[1]!, width: width - 1 - left, height: h},
			],
		};
	});
}
