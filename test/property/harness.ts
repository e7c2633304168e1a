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
		events.push(stepTick(k));
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
export function checkScenarioProperty(
	name: string,
	arb: fc.Arbitrary<string>,
	predicate: (source: string) => void,
	params: fc.Parameters<[string]>,
): void {
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
