// The screen as rows: a View composed into exactly `height` rows of at most
// `width` columns, styled with SGR escapes. Ink runs the input and the app's
// lifecycle; cowdbg paints: these rows are what the painter (../screen.ts)
// puts on the terminal, what the tests read back from a terminal emulator,
// and what the benchmark times.

import {lineWidth, toAnsi, type Line} from '../text.js';
import {buildView} from './view.js';
import type {Model, View} from './model.js';

const SEPARATOR = toAnsi([{text: '│', color: 'gray'}]);

function padded(line: Line | undefined, width: number): string {
	if (line === undefined) return ' '.repeat(width);
	const w = lineWidth(line);
	return toAnsi(line) + (w < width ? ' '.repeat(width - w) : '');
}

/** The smallest terminal the panes are laid out for (docs/debugger.md). */
export const MIN_WIDTH = 80;
export const MIN_HEIGHT = 24;

/** What a terminal below 80×24 shows instead of the panes: the keys still work. */
function tooSmall(width: number, height: number): string[] {
	const words = [
		'cowdbg needs a terminal of at least',
		`${MIN_WIDTH}×${MIN_HEIGHT}; this one is ${width}×${height}.`,
		'Enlarge it (the screen follows),',
		'or press q to quit.',
	];
	const rows: string[] = [];
	for (let r = 0; r < height; r++) rows.push('');
	const top = Math.max(0, Math.floor((height - words.length) / 2));
	words.forEach((w, i) => {
		if (top + i < height) rows[top + i] = w.slice(0, Math.max(0, width));
	});
	return rows;
}

/** The rows of the screen, top to bottom. */
export function frameLines(view: View): string[] {
	if (view.width < MIN_WIDTH || view.height < MIN_HEIGHT) return tooSmall(view.width, view.height);
	const rows: string[] = [toAnsi(view.status)];
	if (view.overlay !== null) {
		const body = [view.overlay.title, ...view.overlay.lines];
		for (let r = 0; r < view.bodyHeight; r++) rows.push(r < body.length ? toAnsi(body[r]!) : '');
	} else {
		for (const band of view.bands!) {
			const height = band[0]!.height;
			for (let r = 0; r < height; r++) {
				let row = '';
				band.forEach((pane, i) => {
					const line = r === 0 ? pane.title : pane.lines[r - 1];
					const last = i === band.length - 1;
					if (i > 0) row += SEPARATOR;
					row += last ? (line === undefined ? '' : toAnsi(line)) : padded(line, pane.width);
				});
				rows.push(row);
			}
		}
	}
	for (const line of view.bottom) rows.push(toAnsi(line));
	return rows;
}

/** A model drawn at a size, as text: the benchmark's measure of a frame. */
export function renderFrame(model: Model, width: number, height: number): string {
	return frameLines(buildView(model, width, height).view).join('\n');
}
