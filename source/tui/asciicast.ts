// `cowdbg replay SESSION --asciicast FILE [--size WxH]`: the TUI replaying a
// session, recorded as asciicast v2 (asciinema's format: a JSON header line,
// then one `[time, "o", text]` line per write to the terminal). The frames are
// the TUI's own: the same controller applies the session's actions, and the
// same painter turns each frame into the escape sequences a terminal gets, at
// the recorded time of each action (divided by --speed). Lines are handed to
// `write` as they are made, so a long session is never held whole.

import type {Debugger} from '../debugger/debugger.js';
import type {ReplayScript} from '../debugger/actions.js';
import {Controller} from './controller.js';
import {frameLines} from './render/frame.js';
import {ENTER_SCREEN, TerminalPainter} from './screen.js';

export type CastOptions = {
	width: number;
	height: number;
	/** Playback speed factor: times are divided by it. */
	speed: number;
	/** The file shown in the status line, and the recording's title. */
	file: string;
	title: string;
};

/** A terminal stream for the painter: it keeps what is written until taken. */
class Capture {
	columns: number;
	rows: number;
	private text = '';
	constructor(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
	}
	write(data: string): boolean {
		this.text += data;
		return true;
	}
	take(): string {
		const t = this.text;
		this.text = '';
		return t;
	}
	on(): this {
		return this;
	}
	off(): this {
		return this;
	}
}

/** Seconds with microsecond precision, as asciinema writes them. */
function seconds(ms: number): number {
	return Math.round(ms * 1000) / 1e6;
}

/**
 * Replay `script` on `dbg` (a fresh debugger of the session's scenario) as
 * the TUI would, writing the asciicast line by line. Returns the duration in seconds.
 */
export function writeAsciicast(dbg: Debugger, script: ReplayScript, options: CastOptions, write: (line: string) => void): number {
	const {width, height, speed} = options;
	const controller = new Controller(dbg, {
		replay: {script, speed},
		session: {file: options.file, recording: null, recordingNote: null},
	});
	controller.setSize(width, height);
	const screen = new Capture(width, height);
	const painter = new TerminalPainter(screen as unknown as NodeJS.WriteStream);
	const header = {version: 2, width, height, title: options.title, env: {TERM: 'xterm-256color', SHELL: '/bin/sh'}};
	write(JSON.stringify(header) + '\n');
	let last = 0;
	const out = (ms: number, text: string): void => {
		if (text === '') return;
		// Times never go back (actions recorded in one millisecond keep their order).
		last = Math.max(last, seconds(ms));
		write(JSON.stringify([last, 'o', text]) + '\n');
	};
	screen.write(ENTER_SCREEN);
	painter.paint(frameLines(controller.view()));
	out(0, screen.take());
	const actions = script.actions;
	for (let i = 0; i < actions.length; i++) {
		controller.replayNext();
		painter.paint(frameLines(controller.view()));
		out(actions[i]!.at / speed, screen.take());
	}
	if (actions.length === 0) controller.replayNext();
	painter.paint(frameLines(controller.view()));
	out(last * 1000, screen.take());
	controller.close();
	painter.dispose();
	return last;
}
