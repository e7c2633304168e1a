// `cowdbg replay SESSION [--speed X] [--headless]`: play a recorded session
// back in the TUI (the user may take over at any moment), or with --headless
// only verify it: exit 0 when every checkpoint matches, 1 naming the first
// tick whose state differs, 2 for a bad file or usage. With --asciicast FILE
// the TUI's replay is recorded as asciicast v2 instead (no terminal needed).

import {loadSession} from '../debugger/recorder.js';
import {replayScript, verifySession, type Session, type VerifyResult} from '../debugger/session.js';
import {closeSync, writeSync} from 'node:fs';
import {Debugger} from '../debugger/debugger.js';
import {UsageError} from '../debugger/load.js';
import {openOutput} from './run.js';
import {visible} from '../scenario/visible.js';
import {MIN_REPLAY_SPEED} from '../debugger/actions.js';

export type ReplayOptions = {
	speed: number;
	headless: boolean;
	/** Refused: the session holds its own breakpoints, overrides and is not re-recorded. */
	breaks: string[];
	overrides: string[];
	record: string | undefined;
	asciicast?: string | undefined;
	/** WIDTHxHEIGHT of the asciicast's terminal (default 120x40). */
	size?: string | undefined;
};

/** `--size WxH`: columns and rows of the recorded terminal. */
export function parseSize(text: string): {width: number; height: number} {
	const m = /^(\d{1,4})x(\d{1,4})$/.exec(text);
	const width = m === null ? NaN : Number(m[1]);
	const height = m === null ? NaN : Number(m[2]);
	if (!(width >= 20 && width <= 1000 && height >= 5 && height <= 500)) {
		usage(`--size must be COLUMNSxROWS, from 20x5 to 1000x500 (the TUI needs 80x24), e.g. --size 120x40; got '${text}'`);
	}
	return {width, height};
}

function usage(message: string): never {
	throw new UsageError(`cowdbg: ${message}\nRun 'cowdbg --help' for the usage.`);
}

export async function replayCommand(args: string[], options: ReplayOptions, write: (text: string) => void): Promise<number> {
	if (args.length !== 1) usage(args.length === 0 ? 'replay needs a SESSION file' : `replay takes one SESSION, got ${args.length}`);
	if (options.breaks.length > 0 || options.overrides.length > 0) {
		usage('replay takes no --break or --set: the session holds its own breakpoints and overrides');
	}
	if (options.record !== undefined) usage('replay does not record; --record is for the TUI form (cowdbg SCENARIO --record FILE)');
	const speed = options.speed;
	if (!Number.isFinite(speed) || speed <= 0) {
		usage(
			`--speed must be a positive number, e.g. --speed 2 (twice as fast) or --speed 0.5; got ${Number.isNaN(speed) ? 'something else' : String(speed)}`,
		);
	}
	if (speed < MIN_REPLAY_SPEED) usage(`--speed ${speed} is too slow: the slowest is ${MIN_REPLAY_SPEED} (a recorded second takes ${1 / MIN_REPLAY_SPEED} s)`);
	if (options.size !== undefined && options.asciicast === undefined) usage('--size is the size of the --asciicast recording; give --asciicast FILE too');
	if (options.asciicast !== undefined && options.headless)
		usage('--asciicast and --headless do not go together: --headless only verifies, --asciicast records the replay');
	const size = parseSize(options.size ?? '120x40');
	const session = loadSession(args[0]!);
	if (options.asciicast !== undefined) {
		const fd = openOutput('--asciicast', options.asciicast);
		try {
			const {writeAsciicast} = await import('../tui/asciicast.js');
			const loaded = session.loaded;
			const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
			const file = session.scenario.file;
			const seconds = writeAsciicast(dbg, replayScript(session), {...size, speed, file, title: `cowdbg replay ${file}`}, (line) => writeSync(fd, line));
			write(`asciicast ${options.asciicast}: ${session.actions.length} actions over ${seconds.toFixed(1)} s at ${size.width}x${size.height}\n`);
		} finally {
			closeSync(fd);
		}
		return 0;
	}
	if (options.headless) {
		const result = verifySession(session);
		write(verifyReport(session, result));
		return result.ok ? 0 : 1;
	}
	const {startTui} = await import('../tui/main.js');
	const tuiOptions = {
		file: session.scenario.file,
		breaks: [],
		overrides: session.overrides,
		record: undefined,
		force: false,
		loaded: session.loaded,
		replay: {script: replayScript(session), speed},
	};
	return startTui(tuiOptions);
}

function duration(ms: number): string {
	const s = Math.round(ms / 1000);
	return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A line per checkpoint, then the verdict. */
export function verifyReport(session: Session, result: VerifyResult): string {
	const n = session.checkpoints.length;
	const lines = [
		`replay ${visible(session.file)}: ${visible(session.scenario.file)}, ${session.actions.length} actions over ${duration(session.actions.at(-1)?.at ?? 0)}, ${n} checkpoints`,
	];
	let maxTick = 0;
	for (const c of session.checkpoints) if (c.tick > maxTick) maxTick = c.tick;
	const width = String(maxTick).length;
	result.checks.forEach((c, i) => {
		const where = c.actions === 0 ? 'start' : `after action ${c.actions}`;
		const head = `  ${String(i + 1).padStart(String(n).length)}/${n}  ${where.padEnd(18)} tick ${String(c.tick).padStart(width)}`;
		let verdict: string;
		if (!c.ok) verdict = c.actual === null ? `MISSING (the replayed run ends before this tick)` : `DIFFERS: recorded ${c.hash}, replayed ${c.actual}`;
		else if (c.replayTick !== c.tick) verdict = `ok ${c.hash}, but the replay stopped at tick ${c.replayTick}`;
		else verdict = `ok ${c.hash}`;
		lines.push(`${head}  ${verdict}`);
	});
	if (result.ok) lines.push(`ok: every checkpoint matches (${session.actions.length} actions, ticks 0…${result.ticks} replayed)`);
	else lines.push(`diverged at tick ${result.firstBadTick}: ${result.message}`);
	return lines.join('\n') + '\n';
}
