// Fuzzing the scenario parser: mutants of the real scenarios and of generated
// valid ones (byte flips, token and line edits, odd unicode, NUL, huge numbers,
// very long lines, CRLF…). parseScenario must never throw, and each input
// either parses or gets at least one diagnostic, every one of them positioned
// inside the source. A mutant that parses is booted and run a little, with the
// invariants checked: the kernel must take whatever the parser accepts.
// 2,000 inputs by default, 100,000 under COWDBG_LONG=1.

import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {formatDiagnostic} from '../../source/scenario/diagnostics.js';
import {splitLines} from '../../source/scenario/lexer.js';
import {configKeys} from '../../source/scenario/config.js';
import {parseScenario} from '../../source/scenario/parser.js';
import {registers} from '../../source/kernel/program.js';
import {errnoNumbers, signalNumbers} from '../../source/kernel/uapi.js';
import type {ParseResult} from '../../source/scenario/ast.js';
import {LONG, writeFailure} from '../property/harness.js';
import {scenarioArb} from '../property/scenario-arb.js';
import {fuzzInputs, mutators, Rng, mutate} from './mutate.js';

const INPUTS = LONG ? 100_000 : 2_000;
/** Fixed by default (the same 2,000 inputs every run); a fresh one each long run. Set COWDBG_FUZZ_SEED to replay. */
const SEED = Number(process.env['COWDBG_FUZZ_SEED'] ?? (LONG ? Math.floor(Math.random() * 2 ** 31) : 0x5eed));
/** A mutant that parses runs this many ticks at most, on at most this many frames. */
const RUN_TICKS = 200;
const RUN_FRAMES = 4096;

function readScenarios(relative: string): string[] {
	const dir = fileURLToPath(new URL(relative, import.meta.url));
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.scn'))
		.sort()
		.map((f) => readFileSync(dir + f, 'utf8'));
}

const DICTIONARY: readonly string[] = [
	...['scenario', 'config', 'break', 'program', 'end', 'init', 'map', 'shared', 'at', 'dontfork', 'locked'],
	...['read', 'write', 'touch', 'mmap', 'munmap', 'mprotect', 'madvise', 'mlock', 'munlock', 'fork', 'vfork', 'clone'],
	...['exec', 'exit', 'abort', 'kill', 'wait', 'sleep', 'compute', 'yield', 'getpid', 'getppid', 'sigaltstack'],
	...['set', 'add', 'goto', 'if', 'expect', 'print', 'on', 'off', 'dofork', 'rw-', 'r--', 'r-x', '---', 'rwx'],
	...['vm|vfork|sigchld', 'sighand', 'thread', 'vm||', '|', '==', '!=', '<', '<=', '>', '>=', 'label:', ':', 'heap[0]+8'],
	...['heap[', 'heap[]', '*', '*0x600000', '"', '""', '"\\"', '#', 'text', 'stack', '__proto__', 'constructor'],
	...configKeys.map((k) => `${k}=`),
	...configKeys.map((k) => `${k}=1`),
	...registers,
	...Object.keys(errnoNumbers).flatMap((e) => [e, `-${e}`]),
	...Object.keys(signalNumbers),
];

/** Every diagnostic inside the source: 1 ≤ line ≤ #lines, 1 ≤ col ≤ line length + 1, quoting its line. */
function diagnosticProblems(source: string, result: ParseResult, file: string): string[] {
	if (result.ok) return [];
	const lines = splitLines(source);
	const out: string[] = [];
	if (result.errors.length === 0) out.push('refused with no diagnostic');
	for (const [i, d] of result.errors.entries()) {
		const where = `${d.line}:${d.col} ${JSON.stringify(d.message.slice(0, 200))}`;
		if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length) out.push(`${where}: line outside 1…${lines.length}`);
		else {
			const text = lines[d.line - 1]!;
			if (!Number.isInteger(d.col) || d.col < 1 || d.col > text.length + 1) out.push(`${where}: column outside 1…${text.length + 1}`);
			if (d.sourceLine !== text) out.push(`${where}: sourceLine is not line ${d.line}`);
		}
		if (d.file !== file) out.push(`${where}: file ${d.file}`);
		if (typeof d.message !== 'string' || d.message.length === 0) out.push(`${where}: empty message`);
		if (d.message.startsWith('internal parser error')) out.push(`${where}: the parser threw inside`);
		// Formatting copies the whole line: the first few are enough (a long line can carry thousands of errors).
		if (i < 5) {
			try {
				formatDiagnostic(d);
			} catch (e) {
				out.push(`${where}: formatDiagnostic threw ${String(e)}`);
			}
		}
	}
	return out;
}

/** Boot a parsed mutant on a capped machine and run it a little, checking the invariants. */
function runProblems(result: ParseResult): string[] {
	if (!result.ok) return [];
	const s = result.scenario;
	const config = {...s.config, frames: Math.min(s.config.frames, RUN_FRAMES), max_ticks: Math.min(s.config.max_ticks, RUN_TICKS)};
	if (config.commit_limit !== null) config.commit_limit = Math.min(config.commit_limit, config.frames);
	try {
		const k = boot(s, config);
		// Fast checks at each tick, the full one (every frame) at the end.
		let broken = checkInvariants(k);
		while (k.ended === null && broken.length === 0) {
			stepTick(k);
			broken = checkInvariants(k, {fast: k.ended === null});
		}
		return broken.map((b) => `tick ${k.tick}: ${b}`);
	} catch (e) {
		return [`the kernel threw on a scenario the parser accepted: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`];
	}
}

describe('parser fuzzing', () => {
	const real = [...readScenarios('../../scenarios/'), ...readScenarios('../fixtures/parser/')];
	const generated = fc.sample(scenarioArb({maxTicks: [20, 200]}), {numRuns: 40, seed: SEED});
	const corpus = [...real, ...generated];

	it('has a corpus of real and generated scenarios that parse', () => {
		expect(real.length).toBeGreaterThan(0);
		for (const source of corpus) expect(parseScenario(source, 'seed.scn').ok).toBe(true);
	});

	it(`never throws, and positions every diagnostic inside the source (${INPUTS} inputs, seed ${SEED})`, () => {
		let parsed = 0;
		let refused = 0;
		for (const {input, index} of fuzzInputs(corpus, INPUTS, SEED, {dictionary: DICTIONARY})) {
			const file = `fuzz-${index}.scn`;
			let problems: string[];
			let result: ParseResult | undefined;
			try {
				result = parseScenario(input, file);
				problems = [...diagnosticProblems(input, result, file), ...runProblems(result)];
			} catch (e) {
				problems = [`parseScenario threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`];
			}
			if (problems.length > 0) {
				const path = writeFailure('fuzz-parser', input, `${SEED}-${index}`, problems.join('\n'));
				throw new Error(`fuzz input ${index} (seed ${SEED}), written to ${path}:\n- ${problems.slice(0, 10).join('\n- ')}`);
			}
			if (result?.ok) parsed++;
			else refused++;
		}
		// The mutants must reach both sides: some still parse, most are refused.
		expect(parsed).toBeGreaterThan(INPUTS / 100);
		expect(refused).toBeGreaterThan(INPUTS / 2);
	}, 600_000);

	it('every mutator keeps its output a string, deterministically for a seed', () => {
		const source = corpus[0]!;
		const ctx = {dictionary: DICTIONARY, corpus};
		for (const [name, m] of Object.entries(mutators)) {
			const a = m(source, new Rng(7), ctx);
			const b = m(source, new Rng(7), ctx);
			expect(typeof a, name).toBe('string');
			expect(a, name).toBe(b);
		}
		expect(mutate(source, new Rng(1), ctx)).toBe(mutate(source, new Rng(1), ctx));
	});
});
