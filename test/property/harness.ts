// Shared helpers of the property tests: run a scenario with the invariants
// checked after every tick, count runs for the default and the long mode, and
// write a failing case out as a .scn file under test/failures/.

import {mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseScenario} from '../../source/scenario/parser.js';
import type {Scenario} from '../../source/scenario/ast.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import type {KernelState} from '../../source/kernel/types.js';

export const LONG = process.env['COWDBG_LONG'] === '1';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FAILURES_DIR = join(root, 'test', 'failures');

/** `short` runs normally, `long` under COWDBG_LONG=1. */
export function runs(short: number, long: number): number {
	return LONG ? long : short;
}

export function parseOrThrow(source: string, file = 'generated.scn'): Scenario {
	const r = parseScenario(source, file);
	if (!r.ok) throw new Error(`the generator made a scenario that does not parse:\n${formatDiagnostics(r.errors)}\n--- source ---\n${source}`);
	return r.scenario;
}

export class InvariantError extends Error {}

type Before = {states: Map<number, string>; lastRan: number | null; ended: boolean};

function before(k: KernelState): Before {
	const states = new Map<number, string>();
	for (const t of k.tasks.values()) states.set(t.pid, t.state);
	return {states, lastRan: k.lastRan, ended: k.ended !== null};
}

/**
 * The log of a tick tells the truth about it: events carry the tick, every
 * state change of a task has its chain of `state` events (and only real
 * changes do), `sched` names who ran, and `end` comes once, last.
 */
export function eventProblems(k: KernelState, b: Before, events: KernelEvent[]): string[] {
	const out: string[] = [];
	const chain = new Map<number, string>();
	for (const [i, e] of events.entries()) {
		if (e.tick !== k.tick) out.push(`event ${i} (${e.type}) has tick ${e.tick}, not ${k.tick}`);
		if (e.type === 'state') {
			const from = chain.get(e.pid) ?? b.states.get(e.pid) ?? 'R'; // a new child starts R
			if (e.from !== from) out.push(`pid ${e.pid}: state event ${e.from}→${e.to}, but it was ${from}`);
			if (e.from === e.to) out.push(`pid ${e.pid}: state event ${e.from}→${e.to} changes nothing`);
			chain.set(e.pid, e.to);
		}
		if (e.type === 'sched') {
			if (e.from !== b.lastRan) out.push(`sched from ${e.from}, but ${b.lastRan} ran the tick before`);
			if (e.to !== k.lastRan) out.push(`sched to ${e.to}, but ${k.lastRan} ran`);
		}
		if (e.type === 'end' && i !== events.length - 1) out.push(`end is not the last event of its tick`);
	}
	if (!events.some((e) => e.type === 'sched') && k.lastRan !== b.lastRan && !b.ended) {
		out.push(`${k.lastRan} ran after ${b.lastRan} without a sched event`);
	}
	const ends = events.filter((e) => e.type === 'end').length;
	if (ends !== (k.ended !== null && !b.ended ? 1 : 0)) out.push(`${ends} end events, the run ${k.ended === null ? 'goes on' : `ended ${k.ended}`}`);
	for (const [pid, was] of b.states) {
		const now = k.tasks.get(pid)?.state ?? 'X';
		const logged = chain.get(pid) ?? was;
		if (logged !== now) out.push(`pid ${pid}: ${was} → ${now}, but the log says ${logged}`);
	}
	for (const t of k.tasks.values()) {
		if (!b.states.has(t.pid) && (chain.get(t.pid) ?? 'R') !== t.state)
			out.push(`new pid ${t.pid} is ${t.state}, but the log says ${chain.get(t.pid) ?? 'R'}`);
	}
	return out;
}

export type CheckedRun = {k: KernelState; events: KernelEvent[][]};

/**
 * Boots and runs to the end, checking the invariants after the boot and after
 * every tick; throws an InvariantError naming the tick and the broken rules.
 */
export function runChecked(scenario: Scenario, options: {fast?: boolean; every?: number} = {}): CheckedRun {
	const k = boot(scenario);
	const events: KernelEvent[][] = [k.events];
	const every = options.every ?? 1;
	const check = (): void => {
		const broken = checkInvariants(k, {fast: options.fast});
		if (broken.length > 0) {
			const last = events[events.length - 1]!.map((e) => JSON.stringify(e)).join('\n  ');
			throw new InvariantError(`invariants broken at tick ${k.tick}:\n- ${broken.join('\n- ')}\nevents of tick ${k.tick}:\n  ${last}`);
		}
	};
	check();
	while (k.ended === null) {
		const b = before(k);
		const tick = stepTick(k);
		events.push(tick);
		const wrong = eventProblems(k, b, tick);
		if (wrong.length > 0) {
			throw new InvariantError(
				`the log of tick ${k.tick} is wrong:\n- ${wrong.join('\n- ')}\nevents:\n  ${tick.map((e) => JSON.stringify(e)).join('\n  ')}`,
			);
		}
		if (k.tick % every === 0 || k.ended !== null) check();
	}
	return {k, events};
}

/** Writes a counterexample to test/failures/NAME-SEED.scn; returns its path relative to the project. */
export function writeFailure(name: string, source: string, seed: number | string, message: string): string {
	mkdirSync(FAILURES_DIR, {recursive: true});
	const file = join(FAILURES_DIR, `${name}-seed${seed}.scn`);
	const header = message
		.split('\n')
		.slice(0, 40)
		.map((l) => `# ${l}`)
		.join('\n');
	writeFileSync(file, `${header}\n${source}`);
	return relative(root, file);
}

/**
 * fc.check a property over scenario sources; on failure write the shrunk
 * counterexample out and throw with its path.
 */
export function checkScenarioProperty(name: string, arb: fc.Arbitrary<string>, predicate: (source: string) => void, params: fc.Parameters<[string]>): void {
	const details = fc.check(fc.property(arb, predicate), params);
	if (!details.failed) return;
	const source = details.counterexample?.[0] ?? '(no counterexample)';
	const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
	const path = writeFailure(name, source, details.seed, error);
	throw new Error(
		`property '${name}' failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}"); ` +
			`shrunk counterexample written to ${path}\n${error}\n--- ${path} ---\n${source}`,
	);
}
