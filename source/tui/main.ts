// Entry of the interactive form (`cowdbg [SCENARIO]`, and `cowdbg replay`):
// load the scenario, set up recording, take over the terminal (alternate
// screen, raw keys), run the Ink app until the user quits, and give the
// terminal back exactly as it was — on quit, Ctrl-C, a signal or a crash.

import type {ActionSink, ReplayScript} from '../debugger/actions.js';
import {Debugger} from '../debugger/debugger.js';
import {loadScenario, type Loaded} from '../debugger/load.js';
import {writeStopSvg} from '../export/svg.js';
import {Controller} from './controller.js';
import {closeSync, writeSync} from 'node:fs';
import {frameLines} from './render/frame.js';
import {ENTER_SCREEN, LEAVE_SCREEN, enterAlternateScreen, InkOutput, TerminalPainter} from './screen.js';
import type {View} from './render/model.js';
import {visible} from '../scenario/visible.js';

export type TuiOptions = {
	file: string;
	breaks: string[];
	overrides: string[];
	record?: string;
	force?: boolean;
	sink?: ActionSink;
	replay?: {script: ReplayScript; speed: number};
	loaded?: Loaded;
};

/** The session recorder (debugger/recorder.ts); null with the reason when this build has none. */
async function recorder(options: TuiOptions, loaded: Loaded): Promise<{sink: ActionSink} | {note: string}> {
	let mod: {createRecorder?: unknown};
	try {
		mod = await import('../debugger/recorder.js');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return {note: 'recording unavailable (no session module in this build)'};
		throw error;
	}
	if (typeof mod.createRecorder !== 'function') return {note: 'recording unavailable (no createRecorder)'};
	const create = mod.createRecorder as (o: {
		file: string;
		force: boolean;
		loaded: Loaded;
		breakpoints: readonly string[];
	}) => ActionSink | Promise<ActionSink>;
	const sink = await create({file: options.record!, force: options.force ?? false, loaded, breakpoints: loaded.breakpoints});
	return {sink};
}

const signals = {SIGINT: 2, SIGTERM: 15, SIGHUP: 1} as const;

/**
 * When the terminal was closed under us (its hangup may end the app through
 * its input before SIGHUP is handled), close the standard descriptors at
 * exit: Node's own exit restores the terminal's modes with tcsetattr, which
 * fails with EIO on a hung-up tty and makes Node 20 abort in ResetStdio; it
 * skips a descriptor that is closed.
 */
function closeStdioIfHungUp(): void {
	if (!terminalGone()) return;
	for (const fd of [0, 1, 2]) {
		try {
			closeSync(fd);
		} catch {
			// already closed
		}
	}
}
let exitGuard = false;

/** Whether the terminal was hung up: a write to it fails (EIO) once it is closed. */
function terminalGone(): boolean {
	try {
		writeSync(1, '\u001B[0m');
		return false;
	} catch {
		return true;
	}
}

export async function startTui(options: TuiOptions): Promise<number> {
	if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
		process.stderr.write(`cowdbg: the TUI needs a terminal; for a headless run use: cowdbg run ${visible(options.file)}\n`);
		return 2;
	}
	const loaded = options.loaded ?? loadScenario(options.file, options.overrides, options.breaks);
	let sink = options.sink;
	let recordingNote: string | null = null;
	if (sink === undefined && options.record !== undefined) {
		const r = await recorder(options, loaded);
		if ('sink' in r) sink = r.sink;
		else recordingNote = r.note;
	}
	const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
	const controller = new Controller(dbg, {
		sink,
		replay: options.replay,
		picture: (d) => writeStopSvg(d, options.file, '.'),
		session: {
			file: options.file,
			recording: sink !== undefined && options.record !== undefined ? options.record : sink !== undefined ? '(sink)' : null,
			recordingNote,
		},
	});

	const stdout = process.stdout;
	const stdin = process.stdin;
	controller.setSize(stdout.columns || 80, stdout.rows || 24);
	const painter = new TerminalPainter(stdout);
	const inkOutput = new InkOutput(stdout);
	const paint = (view: View): void => painter.paint(frameLines(view));

	// Whatever prints while the screen is ours (it should be nothing) is shown after.
	const held: string[] = [];
	const saved = {log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug};
	const hold = (...args: unknown[]): void => {
		held.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : JSON.stringify(a))).join(' '));
	};
	console.log = console.info = console.warn = console.error = console.debug = hold;

	let instance: {unmount: () => void; waitUntilExit: () => Promise<unknown>} | null = null;
	const leave = enterAlternateScreen();
	const restore = (): void => {
		Object.assign(console, saved);
		leave();
		painter.dispose();
		inkOutput.dispose();
		try {
			if (stdin.isRaw) stdin.setRawMode(false);
		} catch {
			// not a terminal any more
		}
		if (held.length > 0) process.stderr.write(held.join('\n') + '\n');
		held.length = 0;
	};
	const down = (): void => {
		try {
			controller.close();
			instance?.unmount();
		} catch {
			// already down
		}
	};
	const crash = (error: unknown): void => {
		down();
		restore();
		process.stderr.write(`cowdbg: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(70);
	};
	const onSignal = (signal: keyof typeof signals): void => {
		down();
		// The terminal closed: the recording is saved (down), nothing is written to it (see closeStdioIfHungUp).
		if (signal === 'SIGHUP' && terminalGone()) process.exit(128 + signals[signal]);
		restore();
		process.exit(128 + signals[signal]);
	};
	const handlers = Object.keys(signals).map((s) => {
		const sig = s as keyof typeof signals;
		const fn = (): void => onSignal(sig);
		process.on(sig, fn);
		return [sig, fn] as const;
	});
	if (!exitGuard) {
		exitGuard = true;
		process.on('exit', closeStdioIfHungUp);
	}
	// Whatever ends the process, the terminal is left cooked and on its main screen.
	const onExit = (): void => {
		leave();
		try {
			if (stdin.isRaw) stdin.setRawMode(false);
		} catch {
			// not a terminal any more
		}
	};
	// Ctrl-Z (the key in raw mode, or kill -TSTP): give the terminal back and
	// stop as job control expects; on SIGCONT (fg) take it again and repaint.
	let suspended = false;
	const suspend = (): void => {
		if (suspended) return;
		suspended = true;
		try {
			writeSync(1, LEAVE_SCREEN);
			if (stdin.isRaw) stdin.setRawMode(false);
		} catch {
			// the terminal is gone
		}
		process.kill(process.pid, 'SIGSTOP');
	};
	const resume = (): void => {
		if (!suspended) return;
		suspended = false;
		try {
			writeSync(1, ENTER_SCREEN);
			stdin.setRawMode(true);
		} catch {
			// the terminal is gone
		}
		painter.repaintAll();
		controller.setSize(stdout.columns || 80, stdout.rows || 24, true);
		paint(controller.view());
	};
	controller.onSuspend = suspend;
	process.on('SIGTSTP', suspend);
	process.on('SIGCONT', resume);
	process.on('uncaughtException', crash);
	process.on('unhandledRejection', crash);
	process.on('exit', onExit);

	// The first frame goes up before Ink and React are loaded (that takes a
	// few hundred milliseconds); keys typed meanwhile wait in raw mode, unechoed.
	stdin.setRawMode(true);
	paint(controller.view());
	// React's development build is several times slower; the TUI runs the production one.
	process.env['NODE_ENV'] ??= 'production';
	const [{createElement}, {render}, {App}] = await Promise.all([import('react'), import('ink'), import('./components/App.js')]);
	instance = render(createElement(App, {controller, followTerminal: true, paint}), {
		stdout: inkOutput as unknown as NodeJS.WriteStream,
		exitOnCtrlC: false,
		patchConsole: false,
	});

	try {
		await instance.waitUntilExit();
	} finally {
		controller.close();
		for (const [sig, fn] of handlers) process.off(sig, fn);
		process.off('uncaughtException', crash);
		process.off('unhandledRejection', crash);
		process.off('SIGTSTP', suspend);
		process.off('SIGCONT', resume);
		process.off('exit', onExit);
		restore();
	}
	if (controller.closeError !== null) throw controller.closeError;
	// A replay that differed from its recording (said on screen at once) ends with status 1.
	return controller.replayDiverged ? 1 : 0;
}
