// `cowdbg check`: run each scenario to its end (breakpoints ignored) and
// report its expects.

import {boot, stepTick} from '../kernel/kernel.js';
import type {KernelEvent} from '../kernel/events.js';
import {UsageError, loadScenario} from '../debugger/load.js';
import type {Output} from './output.js';

export type CheckResult = {file: string; ok: boolean; lines: string[]; status: number};

/** Ticks run between two turns of the event loop (a reader gone, a signal). */
const BATCH = 262_144;

/** Runs the scenario; gives up (null) when `abandon` says so between batches of ticks. */
export async function checkOne(file: string, overrides: string[], abandon: () => boolean = () => false): Promise<CheckResult | null> {
	let loaded;
	try {
		loaded = loadScenario(file, overrides);
	} catch (error) {
		if (error instanceof UsageError) return {file, ok: false, lines: [error.message], status: 2};
		throw error;
	}
	const k = boot(loaded.scenario, loaded.config);
	const failures: string[] = [];
	let expects = 0;
	const look = (events: KernelEvent[]): void => {
		for (const e of events) {
			if (e.type !== 'expect') continue;
			expects++;
			if (!e.ok) failures.push(`  ${file}:${e.line}: tick ${e.tick}, pid ${e.pid}: ${e.text} (actual ${e.actual})`);
		}
	};
	look(k.events);
	while (k.ended === null) {
		for (let n = 0; n < BATCH && k.ended === null; n++) look(stepTick(k));
		if (k.ended !== null) break;
		await new Promise((resolve) => setImmediate(resolve));
		if (abandon()) return null;
	}
	const ok = failures.length === 0;
	const head = `${ok ? 'PASS' : 'FAIL'} ${file}: ${expects - failures.length}/${expects} expects, ended ${k.ended} at tick ${k.tick}`;
	return {file, ok, lines: [head, ...failures], status: ok ? 0 : 1};
}

/** Each scenario's report is written as soon as it has run (streamed, with backpressure). */
export async function checkCommand(files: string[], overrides: string[], output: Output, writeErr: (text: string) => void): Promise<number> {
	let status = 0;
	let passed = 0;
	for (const file of files) {
		if (output.closed) return status;
		const r = await checkOne(file, overrides, () => output.closed);
		if (r === null) return status;
		if (r.status === 2) writeErr(r.lines.join('\n') + '\n');
		else output.write(r.lines.join('\n') + '\n');
		output.flush();
		if (output.behind) await output.drained();
		else await new Promise((resolve) => setImmediate(resolve));
		if (r.ok) passed++;
		status = Math.max(status, r.status);
	}
	output.write(`${passed} of ${files.length} scenario${files.length === 1 ? '' : 's'} passed\n`);
	return status;
}
