// `cowdbg run`: headless, to the end or the first breakpoint hit.

import {writeFileSync} from 'node:fs';
import {Debugger} from '../debugger/debugger.js';
import {eventJson, formatEvent} from '../debugger/format.js';
import {stateDump} from '../kernel/dump.js';
import type {KernelEvent} from '../kernel/events.js';
import {UsageError, loadScenario} from './load.js';

export type RunOptions = {breaks: string[]; overrides: string[]; json: boolean; state: string | undefined};

/** Returns the exit status. Output goes through `write` in large chunks. */
export function runCommand(file: string, options: RunOptions, write: (text: string) => void): number {
	const loaded = loadScenario(file, options.overrides, options.breaks);
	const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
	const format = options.json ? eventJson : formatEvent;
	let printed = 0;
	let buffer: string[] = [];
	const flush = (): void => {
		if (buffer.length > 0) write(buffer.join('\n') + '\n');
		buffer = [];
	};
	const emit = (e: KernelEvent): void => {
		buffer.push(format(e));
		if (buffer.length >= 4096) flush();
	};
	const drain = (): void => {
		const log = dbg.log;
		const upTo = dbg.visibleEvents();
		for (; printed < upTo; printed++) emit(log[printed]!);
	};
	let stop = null;
	while (stop === null) {
		stop = dbg.continue(65_536);
		drain();
	}
	if (stop.reason === 'break' && stop.hit !== null) {
		const k = dbg.kernel;
		emit({tick: k.tick, type: 'break', spec: stop.hit.spec});
		emit({tick: k.tick, type: 'end', reason: 'break', frames_total: k.frames.kind.length, frames_free: k.frames.free, expects_failed: k.expectsFailed});
	}
	flush();
	if (options.state !== undefined) {
		const dump = JSON.stringify(stateDump(dbg.kernel));
		if (options.state === '-') write(dump + '\n');
		else {
			try {
				writeFileSync(options.state, dump + '\n');
			} catch (error) {
				throw new UsageError(`cowdbg: --state '${options.state}': ${(error as Error).message}`);
			}
		}
	}
	return dbg.kernel.expectsFailed > 0 ? 1 : 0;
}
