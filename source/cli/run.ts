// `cowdbg run`: headless, to the end or the first breakpoint hit. The log is
// written as the run goes (never held), and the run waits while the reader
// is behind.

import {closeSync, openSync, writeSync} from 'node:fs';
import {dirname} from 'node:path';
import {Debugger} from '../debugger/debugger.js';
import type {DebugEvent} from '../debugger/events.js';
import {eventFormatter, eventJson, tickColumnWidth} from '../debugger/format.js';
import {stopSvg} from '../export/svg.js';
import {FtraceFormatter, ftraceHeader} from '../debugger/ftrace.js';
import {TraceWriter} from '../export/trace.js';
import {stateDump} from '../kernel/dump.js';
import {countUnreached} from '../kernel/expects.js';
import {visibleJson} from '../scenario/visible.js';
import {UsageError, loadScenario, showName, unexpectedPanic} from '../debugger/load.js';
import type {Output} from './output.js';

export type RunOptions = {
	breaks: string[];
	overrides: string[];
	json: boolean;
	state: string | undefined;
	trace?: string | undefined;
	svg?: string | undefined;
	/** kstep events in the log (docs/debugger.md) */
	ksteps?: boolean;
	/** the kernel steps in ftrace's function_graph form */
	ftrace?: boolean;
	/** Where the log goes when not to `output` (`--state -` keeps stdout for the dump alone). */
	log?: Output;
};

/** Opens an output file named by a flag for writing, or a UsageError naming the flag. */
export function openOutput(flag: string, file: string): number {
	try {
		return openSync(file, 'w');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const why =
			code === 'ENOENT'
				? `cannot create it: no directory '${showName(dirname(file))}'`
				: code === 'EACCES'
					? 'cannot create it: permission denied'
					: code === 'EISDIR'
						? 'it is a directory'
						: showName((error as Error).message);
		throw new UsageError(`cowdbg: ${flag} '${showName(file)}': ${why}`);
	}
}

/** Ticks executed between two looks at the output (backpressure, a reader gone). */
const BATCH = 16_384;

/** Returns the exit status (meaningless once `output.closed`: the reader went away). */
export async function runCommand(file: string, options: RunOptions, output: Output): Promise<number> {
	const loaded = loadScenario(file, options.overrides, options.breaks);
	if (options.ftrace === true && options.json)
		throw new UsageError('cowdbg: --ftrace prints text; it cannot be combined with --json (use --ksteps --json for kstep events)');
	const ksteps = options.ksteps === true || options.ftrace === true;
	// The output files are opened before the run, so a bad path is refused before anything runs.
	const traceFd = options.trace === undefined ? -1 : openOutput('--trace', options.trace);
	let svgFd = -1;
	let stateFd = -1;
	try {
		if (options.svg !== undefined) svgFd = openOutput('--svg', options.svg);
		if (options.state !== undefined && options.state !== '-') stateFd = openOutput('--state', options.state);
	} catch (error) {
		if (traceFd >= 0) closeSync(traceFd);
		if (svgFd >= 0) closeSync(svgFd);
		throw error;
	}
	const log = options.log ?? output;
	const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints, {snapshots: false, ksteps});
	const format = options.json ? eventJson : eventFormatter(tickColumnWidth(loaded.config.max_ticks));
	let text = '';
	const ftrace = options.ftrace === true ? new FtraceFormatter((line) => (text += line + '\n')) : null;
	if (ftrace !== null) log.write(ftraceHeader.join('\n') + '\n');
	const emit = (events: readonly DebugEvent[]): void => {
		if (ftrace !== null) {
			for (let i = 0; i < events.length; i++) ftrace.event(events[i]!);
			ftrace.flush();
		} else {
			for (let i = 0; i < events.length; i++) text += format(events[i]!) + '\n';
		}
		if (text !== '') log.write(text);
		text = '';
	};
	// A func= breakpoint may stop inside the boot (tick 0): its events so far come with the stop.
	const atBoot = dbg.lastStop.reason === 'break' ? dbg.lastStop : null;
	if (atBoot === null) emit(dbg.eventsOf(0));
	dbg.onEvents = emit;
	let trace: TraceWriter | null = null;
	if (traceFd >= 0) {
		const writer = new TraceWriter((chunk) => writeSync(traceFd, chunk), {scenario: loaded.scenario.title ?? file, file});
		if (atBoot === null) writer.tick(dbg.kernel, dbg.eventsOf(0));
		dbg.onEvents = (events) => {
			emit(events);
			writer.tick(dbg.kernel, events);
		};
		trace = writer;
	}
	const extra: DebugEvent[] = [];
	try {
		let stop = atBoot;
		let batches = 0;
		while (stop === null && !log.closed) {
			stop = dbg.continue(BATCH);
			// Let the stream report a closed pipe now and then, and wait while it is full.
			if (log.behind) await log.drained();
			else if (++batches % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
		}
		if (log.closed) {
			if (stateFd >= 0) closeSync(stateFd);
			return 0;
		}
		dbg.onEvents = null;
		if (stop !== null && stop.reason === 'break' && stop.hit !== null) {
			const k = dbg.kernel;
			// A func= stop is inside its tick: the events (and kernel steps) that tick has had so far come first.
			if (dbg.inside !== null) extra.push(...k.events);
			for (const h of stop.hit.all) extra.push({tick: k.tick, type: 'break', spec: h.spec});
			extra.push({
				tick: k.tick,
				type: 'end',
				reason: 'break',
				frames_total: k.frames.kind.length,
				frames_free: k.frames.free,
				expects_failed: k.expectsFailed,
				expects_unreached: countUnreached(k.expectsReached),
			});
			emit(extra);
		}
	} finally {
		// The trace is closed at the last tick reached, even when the reader of the log went away.
		if (trace !== null) {
			trace.finish(extra);
			closeSync(traceFd);
		}
		if (svgFd >= 0) {
			writeSync(svgFd, stopSvg(dbg, file));
			closeSync(svgFd);
		}
	}
	if (options.state !== undefined) {
		const dump = visibleJson(JSON.stringify(stateDump(dbg.kernel, dbg.kstepDump())));
		if (options.state === '-') {
			log.flush();
			output.write(dump + '\n');
		} else {
			log.flush();
			try {
				writeSync(stateFd, dump + '\n');
			} catch (error) {
				throw new UsageError(`cowdbg: --state '${showName(options.state)}': ${showName((error as Error).message)}`);
			} finally {
				closeSync(stateFd);
			}
		}
	}
	return dbg.kernel.expectsFailed > 0 || unexpectedPanic(loaded.config, dbg.kernel.ended) ? 1 : 0;
}
