// Property-based tests of the kernel over random valid scenarios
// (scenario-arb.ts): the invariants hold after every tick, everything is freed
// when everyone has exited, runs are deterministic, and a cloned state runs on
// exactly like the original. COWDBG_LONG=1 runs 10,000 cases of each.

import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {cloneKernel, stateHash} from '../../source/kernel/dump.js';
import {FRAME_FILE, FRAME_FREE, FRAME_ZERO, frameKindNames} from '../../source/kernel/types.js';
import type {KernelState} from '../../source/kernel/types.js';
import {scenarioArb, scenarioGenArb, renderScenario} from './scenario-arb.js';
import {checkScenarioProperty, parseOrThrow, runChecked, runs} from './harness.js';
import {memoryProblems, memoryView, tasksBefore} from './memory-oracle.js';

const TIMEOUT = 600_000;

/** What is left once every task has exited: the zero page and the page cache. */
function leftovers(k: KernelState): string[] {
	const out: string[] = [];
	const t = k.frames;
	const cached = new Set<number>();
	for (const cache of k.pageCache.values()) for (const pfn of cache.values()) cached.add(pfn);
	for (let pfn = 0; pfn < t.kind.length; pfn++) {
		const kind = t.kind[pfn]!;
		if (kind === FRAME_FREE || kind === FRAME_ZERO) continue;
		if (kind === FRAME_FILE && cached.has(pfn)) continue;
		out.push(`pfn ${pfn} (${frameKindNames[kind]}) refcount ${t.refcount[pfn]} still used after everyone exited`);
	}
	if (t.mapcount[0] !== 0) out.push(`zero page mapcount ${t.mapcount[0]} after everyone exited`);
	if (k.mms.size > 0) out.push(`mm's ${[...k.mms.keys()].join(',')} still exist`);
	if (k.shmem.size > 0) out.push(`shmem objects ${[...k.shmem.keys()].join(',')} still exist`);
	if (k.committed !== 0) out.push(`committed ${k.committed} != 0`);
	if (k.completions.size > 0) out.push(`completions ${[...k.completions.keys()].join(',')} still exist`);
	return out;
}

function eventsJson(events: unknown[][]): string {
	return events.map((e) => JSON.stringify(e)).join('\n');
}

function firstDifference(a: unknown[][], b: unknown[][], offset = 0): string {
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const x = JSON.stringify(a[i] ?? null);
		const y = JSON.stringify(b[i] ?? null);
		if (x !== y) return `tick ${i + offset}:\n  first:  ${x}\n  second: ${y}`;
	}
	return 'no difference';
}

describe('kernel properties over random scenarios', () => {
	it(
		'every invariant holds after every tick, and an exited run leaves only the zero page and the page cache',
		() => {
			let exited = 0;
			checkScenarioProperty(
				'invariants',
				scenarioArb(),
				(source) => {
					const {k} = runChecked(parseOrThrow(source));
					if (k.ended === 'exited') {
						exited++;
						const left = leftovers(k);
						if (left.length > 0) throw new Error(`after the run ended 'exited' at tick ${k.tick}:\n- ${left.join('\n- ')}`);
					}
				},
				{numRuns: runs(400, 10_000)},
			);
			// The generator must keep producing runs that end with everyone gone.
			expect(exited).toBeGreaterThan(0);
		},
		TIMEOUT,
	);

	it(
		'the same scenario run twice gives the same events and state hash',
		() => {
			checkScenarioProperty(
				'determinism',
				scenarioArb(),
				(source) => {
					const scenario = parseOrThrow(source);
					const run = (): {events: unknown[][]; hash: string} => {
						const k = boot(scenario);
						const events: unknown[][] = [k.events];
						while (k.ended === null) events.push(stepTick(k));
						return {events, hash: stateHash(k)};
					};
					const a = run();
					const b = run();
					if (eventsJson(a.events) !== eventsJson(b.events)) throw new Error(`events differ at ${firstDifference(a.events, b.events)}`);
					if (a.hash !== b.hash) throw new Error(`state hashes differ: ${a.hash} vs ${b.hash}`);
				},
				{numRuns: runs(100, 10_000)},
			);
		},
		TIMEOUT,
	);

	it(
		'a clone taken at any tick runs on exactly like the original',
		() => {
			checkScenarioProperty(
				'clone',
				fc
					.tuple(scenarioGenArb(), fc.integer({min: 0, max: 400}))
					.map(([gen, at]) => `# clone at tick ${Math.min(at, gen.config.maxTicks)}\n${renderScenario(gen)}`),
				(source) => {
					const at = Number(/^# clone at tick (\d+)/.exec(source)![1]);
					const scenario = parseOrThrow(source);
					const k = boot(scenario);
					while (k.ended === null && k.tick < at) stepTick(k);
					const copy = cloneKernel(k);
					const h0 = stateHash(k);
					const h1 = stateHash(copy);
					if (h0 !== h1) throw new Error(`the clone's hash ${h1} differs from the original's ${h0} at tick ${k.tick}`);
					const from = k.tick;
					const a: unknown[][] = [];
					const b: unknown[][] = [];
					while (k.ended === null) a.push(stepTick(k));
					// The original ran on: the copy must not have been touched by it.
					if (stateHash(copy) !== h1) throw new Error(`stepping the original changed the clone taken at tick ${from}`);
					while (copy.ended === null) b.push(stepTick(copy));
					if (eventsJson(a) !== eventsJson(b)) throw new Error(`after cloning at tick ${from}, events differ at ${firstDifference(a, b, from + 1)}`);
					const ha = stateHash(k);
					const hb = stateHash(copy);
					if (ha !== hb) throw new Error(`after cloning at tick ${from}, final hashes differ: ${ha} vs ${hb}`);
				},
				{numRuns: runs(100, 10_000)},
			);
		},
		TIMEOUT,
	);

	it('the memory oracle knows that a 6.18 wipeonfork VMA starts empty in the child (a found counterexample)', () => {
		const source = [
			'scenario "generated"',
			'config mmu=on frames=20 quantum=1 child_runs_first=no overcommit=heuristic max_ticks=60 kernel=6.18',
			'program p0',
			'\twrite stack 1',
			'\tclone vfork|vm|thread|sighand',
			'\tif ret != 0 goto parent1',
			'parent1:',
			'\tfork',
			'\tif ret != 0 goto parent2',
			'parent2:',
			'\tmadvise stack wipeonfork',
			'end',
			'init p0',
		].join('\n');
		for (const era of ['2.6.32', '6.18']) {
			const k = boot(parseOrThrow(source.replace('kernel=6.18', `kernel=${era}`)));
			while (k.ended === null) {
				const view = memoryView(k);
				const tasks = tasksBefore(k);
				stepTick(k);
				expect(memoryProblems(k, view, tasks)).toEqual([]);
			}
		}
	});

	it(
		"what a process reads changes only by its own stores, or a sharer's (MMU)",
		() => {
			checkScenarioProperty(
				'memory',
				scenarioGenArb()
					.filter((g) => g.config.mmu === 'on')
					.map(renderScenario),
				(source) => {
					const k = boot(parseOrThrow(source));
					while (k.ended === null) {
						const view = memoryView(k);
						const tasks = tasksBefore(k);
						const events = stepTick(k);
						const problems = memoryProblems(k, view, tasks);
						if (problems.length > 0) {
							throw new Error(
								`memory changed unexplained at tick ${k.tick}:\n- ${problems.join('\n- ')}\nevents:\n  ${events.map((e) => JSON.stringify(e)).join('\n  ')}`,
							);
						}
					}
				},
				{numRuns: runs(200, 10_000)},
			);
		},
		TIMEOUT,
	);
});
