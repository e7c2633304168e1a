// The screen as text: a View composed into exactly `height` rows of at most
// `width` columns, styled with SGR escapes. This one function is what the
// terminal shows, what Ink renders in tests and what the benchmark times.
// (Ink's own renderer costs about a microsecond a cell; a 200×60 screen of
// Boxes and Texts went well past the 16 ms budget, so the panes are composed
// here, row by row, from lines that are already cut to their widths.)

import {lineWidth, toAnsi, type Line} from './text.js';
import type {View} from './view.js';

const SEPARATOR = toAnsi([{text: '│', color: 'gray'}]);

function padded(line: Line | undefined, width: number): string {
	if (line === undefined) return ' '.repeat(width);
	const w = lineWidth(line);
	return toAnsi(line) + (w < width ? ' '.repeat(width - w) : '');
}

/** The rows of the screen, top to bottom. */
export function frameLines(view: View): string[] {
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

export function frameText(view: View): string {
	return frameLines(view).join('\n');
}
