// `cowdbg check`: run each scenario to its end (breakpoints ignored) and
// report its expects. A scenario passes only when every expect held, none was
// left unreached, and the run ended as its `config end=` says (docs/cli.md).

import {unreachedExpects} from '../kernel/expects.js';
import {boot, stepTick} from '../kernel/kernel.js';
import type {KernelEvent} from '../kernel/events.js';
import {visible} from '../scenario/visible.js';
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
	// FILE:LINE names the file read (a bundled scenario's path, not its name); control characters escaped.
	const where = visible(loaded.scenario.file);
	const failures: string[] = [];
	let expects = 0;
	const look = (events: KernelEvent[]): void => {
		for (const e of events) {
			if (e.type !== 'expect') continue;
			expects++;
			if (!e.ok) failures.push(`  ${where}:${e.line}: tick ${e.tick}, pid ${e.pid}: ${visible(e.text)} (actual ${e.actual})`);
		}
	};
	look(k.events);
	while (k.ended === null) {
		for (let n = 0; n < BATCH && k.ended === null; n++) look(stepTick(k));
		if (k.ended !== null) break;
		await new Promise((resolve) => setImmediate(resolve));
		if (abandon()) return null;
	}
	const unreached = unreachedExpects(k.programs, k.expectsReached);
	const want = loaded.config.end;
	const endOk = want === 'any' || k.ended === want;
	const ok = failures.length === 0 && unreached.length === 0 && endOk;
	const counts = `${expects - failures.length}/${expects} expects` + (unreached.length > 0 ? ` (${unreached.length} never reached)` : '');
	const ending =
		`ended ${k.ended} at tick ${k.tick}` +
		(endOk ? '' : `, but the run must end ${want} (${want === 'exited' ? 'the default; config end= says otherwise' : `config end=${want}`})`);
	const lines = [`${ok ? 'PASS' : 'FAIL'} ${visible(file)}: ${counts}, ${ending}`, ...failures];
	if (!endOk && k.ended === 'panic') {
		const panic = k.events.findLast((e) => e.type === 'panic');
		if (panic?.type === 'panic') lines.push(`  the kernel panicked at tick ${k.tick}: ${visible(panic.text)}`);
	}
	for (const ins of unreached) lines.push(`  ${where}:${ins.pos.line}: ${visible(ins.text)}: never reached`);
	return {file, ok, lines, status: ok ? 0 : 1};
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
