// The TUI's production paint path into a terminal emulator, in-process: the
// View goes through frameLines and the TerminalPainter, whose escape
// sequences an @xterm/headless terminal interprets; the tests read back the
// screen a person would see.

import {EventEmitter} from 'node:events';
import xterm from '@xterm/headless';
import {frameLines} from '../../source/tui/render/frame.js';
import type {View} from '../../source/tui/render/model.js';
import {TerminalPainter} from '../../source/tui/screen.js';

type Core = {_writeBuffer: {writeSync(data: string): void}};

export class TestTerminal {
	readonly term: xterm.Terminal;
	private readonly events = new EventEmitter();
	private readonly painter: TerminalPainter;
	/** Everything the painter wrote, for tests of the sequences themselves. */
	written = '';

	constructor(width: number, height: number) {
		this.term = new xterm.Terminal({cols: width, rows: height, allowProposedApi: true});
		const target = {
			write: (data: string): boolean => {
				this.written += data;
				// Synchronously, so a test reads the screen right after the frame was painted.
				(this.term as unknown as {_core: Core})._core._writeBuffer.writeSync(data);
				return true;
			},
			on: (event: 'resize', fn: () => void) => this.events.on(event, fn),
			off: (event: 'resize', fn: () => void) => this.events.off(event, fn),
		};
		this.painter = new TerminalPainter(target);
	}

	/** The App's `paint`: the production path. */
	paint = (view: View): void => {
		this.painter.paint(frameLines(view));
	};

	/** The terminal changes size (the painter repaints everything next time). */
	resize(width: number, height: number): void {
		this.term.resize(width, height);
		this.events.emit('resize');
	}

	/** The screen as text: every row, trailing blanks trimmed. */
	text(): string {
		const b = this.term.buffer.active;
		const rows: string[] = [];
		for (let i = 0; i < this.term.rows; i++) rows.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? '');
		return rows.join('\n');
	}

	dispose(): void {
		this.painter.dispose();
		this.term.dispose();
	}
}
