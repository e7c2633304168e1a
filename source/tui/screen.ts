// The terminal side: the alternate screen, its restoration on every way out,
// and a stdout wrapper that repaints without flicker.
//
// When a frame is as tall as the terminal, Ink (6.8) redraws it by clearing
// the whole screen and writing it again. Inside a synchronized update most
// terminals show no flash, but some do not support those. FrameWriter turns
// that clear-and-rewrite into "rewrite the rows that changed, each erased to
// its end", which looks the same and never blanks the screen.

import {EventEmitter} from 'node:events';
import {writeSync} from 'node:fs';

const CLEAR_TERMINAL = '\u001B[2J\u001B[3J\u001B[H';
const ENTER_ALT = '\u001B[?1049h';
const LEAVE_ALT = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
const HIDE_CURSOR = '\u001B[?25l';

/** A write that only toggles a terminal mode (cursor, synchronized output): it does not touch the screen. */
const modeOnly = /^(?:\u001B\[\?[0-9;]+[hl])*$/;

export class FrameWriter extends EventEmitter {
	private previous: string[] = [];
	private full = true;
	readonly isTTY = true;

	constructor(private readonly out: NodeJS.WriteStream) {
		super();
		out.on('resize', this.onResize);
	}

	private onResize = (): void => {
		this.full = true;
		this.emit('resize');
	};

	get columns(): number {
		return this.out.columns || 80;
	}

	get rows(): number {
		return this.out.rows || 24;
	}

	get writable(): boolean {
		return this.out.writable;
	}

	get destroyed(): boolean {
		return this.out.destroyed;
	}

	get writableEnded(): boolean {
		return this.out.writableEnded;
	}

	get writableLength(): number {
		return this.out.writableLength;
	}

	write(data: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
		const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
		if (text.startsWith(CLEAR_TERMINAL)) return this.out.write(this.repaint(text.slice(CLEAR_TERMINAL.length)), callback);
		if (!modeOnly.test(text)) this.full = true;
		return this.out.write(text, callback);
	}

	/** The escape sequences that turn the screen into `frame`, touching only changed rows. */
	repaint(frame: string): string {
		const lines = frame.split('\n');
		if (lines.at(-1) === '') lines.pop();
		let out = this.full ? '\u001B[H\u001B[2J' : '';
		for (let i = 0; i < lines.length; i++) {
			if (!this.full && this.previous[i] === lines[i]) continue;
			out += `\u001B[${i + 1};1H${lines[i]}\u001B[0m\u001B[K`;
		}
		for (let i = lines.length; i < this.previous.length; i++) out += `\u001B[${i + 1};1H\u001B[K`;
		// Leave the cursor where Ink's own writer expects it: on the last row.
		out += `\u001B[${Math.max(1, lines.length)};1H`;
		this.previous = lines;
		this.full = false;
		return out;
	}

	dispose(): void {
		this.out.off('resize', this.onResize);
	}
}

/** Enter the alternate screen; the returned function leaves it (once, synchronously, safe in 'exit'). */
export function enterAlternateScreen(fd = 1): () => void {
	writeSync(fd, ENTER_ALT + HIDE_CURSOR + '\u001B[H\u001B[2J');
	let left = false;
	return () => {
		if (left) return;
		left = true;
		try {
			writeSync(fd, '\u001B[0m' + SHOW_CURSOR + LEAVE_ALT);
		} catch {
			// the terminal is gone
		}
	};
}
