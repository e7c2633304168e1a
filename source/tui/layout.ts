// Where the panes go: three bands (Processes | Program, Memory | Frames,
// Log), sized to the terminal. On a short terminal the band holding the
// focused pane grows (lazygit's accordion), so the pane you read is never
// three rows high.

import type {Pane} from './panes.js';

export type PaneBox = {pane: Pane; width: number; height: number};
export type Band = {height: number; panes: PaneBox[]};

const bandPanes: readonly (readonly Pane[])[] = [['processes', 'program'], ['memory', 'frames'], ['log']];
/** Share of the width the left pane of a band gets. */
const leftShare = [0.56, 0.5];

export function layoutBands(width: number, height: number, focus: Pane): Band[] {
	const tall = height >= 40;
	const weights = bandPanes.map((ps, i) => (i === 1 ? 1.2 : 1) + (!tall && ps.includes(focus) ? 1 : 0));
	const total = weights.reduce((a, b) => a + b, 0);
	const min = 2;
	const heights = weights.map((w) => Math.max(min, Math.floor((height * w) / total)));
	// Give the rounding remainder to the focused band (or take the excess from the largest).
	let diff = height - heights.reduce((a, b) => a + b, 0);
	const focused = bandPanes.findIndex((ps) => ps.includes(focus));
	while (diff !== 0) {
		if (diff > 0) {
			heights[focused]!++;
			diff--;
		} else {
			const largest = heights.indexOf(Math.max(...heights));
			if (heights[largest]! <= min) break;
			heights[largest]!--;
			diff++;
		}
	}
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
