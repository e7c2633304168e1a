// `cowdbg check`: run each scenario to its end (breakpoints ignored) and
// report its expects.

import {boot, stepTick} from '../kernel/kernel.js';
import type {KernelEvent} from '../kernel/events.js';
import {UsageError, loadScenario} from './load.js';

export type CheckResult = {file: string; ok: boolean; lines: string[]; status: number};

export function checkOne(file: string, overrides: string[]): CheckResult {
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
	while (k.ended === null) look(stepTick(k));
	const ok = failures.length === 0;
	const head = `${ok ? 'PASS' : 'FAIL'} ${file}: ${expects - failures.length}/${expects} expects, ended ${k.ended} at tick ${k.tick}`;
	return {file, ok, lines: [head, ...failures], status: ok ? 0 : 1};
}

export function checkCommand(files: string[], overrides: string[], write: (text: string) => void, writeErr: (text: string) => void): number {
	let status = 0;
	let passed = 0;
	for (const file of files) {
		const r = checkOne(file, overrides);
		if (r.status === 2) writeErr(r.lines.join('\n') + '\n');
		else write(r.lines.join('\n') + '\n');
		if (r.ok) passed++;
		status = Math.max(status, r.status);
	}
	write(`${passed} of ${files.length} scenario${files.length === 1 ? '' : 's'} passed\n`);
	return status;
}
