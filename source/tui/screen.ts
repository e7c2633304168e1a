// The terminal side: the alternate screen, its restoration on every way out,
// and the painter that puts frames on it without flicker: it rewrites only
// the rows that changed (each erased to its end), inside a synchronized
// update, and never clears the screen except after a resize.

import {EventEmitter} from 'node:events';
import {writeSync} from 'node:fs';

const ENTER_ALT = '\u001B[?1049h';
const LEAVE_ALT = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
const HIDE_CURSOR = '\u001B[?25l';
const BEGIN_SYNC = '\u001B[?2026h';
const END_SYNC = '\u001B[?2026l';

/** Where the painter writes: the terminal's stdout, or a terminal emulator in the tests. */
export type PaintTarget = {write(data: string): unknown; on(event: 'resize', fn: () => void): unknown; off(event: 'resize', fn: () => void): unknown};

export class TerminalPainter {
	private previous: string[] = [];
	private full = true;

	constructor(private readonly out: PaintTarget) {
		out.on('resize', this.onResize);
	}

	private onResize = (): void => {
		// The terminal reflowed what it had: repaint everything.
		this.full = true;
	};

	/** The escape sequences that turn the screen into `rows` (exported for tests). */
	diff(rows: readonly string[]): string {
		const full = this.full;
		let out = full ? '\u001B[H\u001B[2J' : '';
		for (let i = 0; i < rows.length; i++) {
			if (!full && this.previous[i] === rows[i]) continue;
			out += `\u001B[${i + 1};1H${rows[i]}\u001B[0m\u001B[K`;
		}
		// Rows the last frame had below this one (only without a full repaint: after a
		// resize the screen was cleared, and those rows may be past its bottom, where
		// the cursor would clamp to the last row and erase it).
		if (!full) for (let i = rows.length; i < this.previous.length; i++) out += `\u001B[${i + 1};1H\u001B[K`;
		this.previous = [...rows];
		this.full = false;
		return out;
	}

	paint(rows: readonly string[]): void {
		const out = this.diff(rows);
		if (out !== '') this.out.write(BEGIN_SYNC + out + END_SYNC);
	}

	/** The next frame is drawn whole (the screen was given away and taken back). */
	repaintAll(): void {
		this.full = true;
	}

	dispose(): void {
		this.out.off('resize', this.onResize);
	}
}

/**
 * The stdout Ink is given in the terminal: it has the terminal's size and
 * resize events, and whatever Ink writes to it goes nowhere (the painter
 * draws the screen). Ink still reads the keys, runs raw mode and the app.
 */
export class InkOutput extends EventEmitter {
	readonly isTTY = false;

	constructor(private readonly out: NodeJS.WriteStream) {
		super();
		out.on('resize', this.onResize);
	}

	private onResize = (): void => {
		this.emit('resize');
	};

	get columns(): number {
		return this.out.columns || 80;
	}

	get rows(): number {
		return this.out.rows || 24;
	}

	write(_data: unknown, callback?: () => void): boolean {
		if (typeof callback === 'function') queueMicrotask(callback);
		return true;
	}

	dispose(): void {
		this.out.off('resize', this.onResize);
	}
}

/** What taking the screen writes: the alternate screen, the cursor hidden, the screen cleared. */
export const ENTER_SCREEN = ENTER_ALT + HIDE_CURSOR + '\u001B[H\u001B[2J';

/** What giving the screen back writes: attributes reset, the cursor shown, the main screen. */
export const LEAVE_SCREEN = '\u001B[0m' + SHOW_CURSOR + LEAVE_ALT;

/** Enter the alternate screen; the returned function leaves it (once, synchronously, safe in 'exit'). */
export function enterAlternateScreen(fd = 1): () => void {
	writeSync(fd, ENTER_SCREEN);
	let left = false;
	return () => {
		if (left) return;
		left = true;
		try {
			writeSync(fd, LEAVE_SCREEN);
		} catch {
			// the terminal is gone
		}
	};
}
