// Long operations (docs/debugger.md): each one the TUI runs in slices is a
// generator that yields between bounded pieces of work. Driven yield by
// yield it must end exactly where the one-shot form ends; dropped at any
// yield it must leave the debugger at a state of the run (the one a plain
// forward run has at that tick), and what the TUI records for it must
// reproduce that state.

import {describe, expect, it} from 'vitest';
import {actionWork, applyAction, cancelledAs, type DebugAction} from '../../source/debugger/actions.js';
import {complete, Debugger, type Progress, type Stop, type Work} from '../../source/debugger/debugger.js';
import {stateHash} from '../../source/kernel/dump.js';
import {parse, reference, type Reference} from './reference.js';

// A parent that forks a child per round; the child's write copies the heap
// page (a cow fault) and exits. About 10,000 ticks: with 64-tick chunks
// there are many snapshots, thinned as the run grows.
const source = `config mmu=on frames=256 quantum=3
program init
  map heap 2 rw-
  set r1 0
loop:
  add r1 1
  write heap[0] r1
  fork
  if ret == 0 goto child
  wait
  if r1 < 1200 goto loop
  exit 0
child:
  write heap[0] 7
  exit 0
end
`;
const scenario = parse(source, 'rounds.scn');
const ref: Reference = reference(scenario);
const end = ref.hashes.length - 1;

/** A debugger at `tick`; unless `fresh`, it has been through the whole run (going back has snapshots to start from). */
function debuggerAt(tick: number, breakpoints: string[] = [], fresh = false): Debugger {
	const dbg = new Debugger(scenario, scenario.config, breakpoints, {chunkTicks: 64});
	if (!fresh) dbg.goto(end);
	dbg.goto(tick);
	return dbg;
}

/** Everything the debugger shows of where it is. */
function where(dbg: Debugger): unknown {
	return {
		tick: dbg.tick,
		hash: stateHash(dbg.kernel),
		stop: dbg.lastStop,
		hits: dbg.breakpoints.map((b) => b.hits),
		events: dbg.visibleEvents(),
		inside: dbg.inside === null ? null : {tick: dbg.inside.tick, seq: dbg.inside.seq},
	};
}

/** Drive a long operation yield by yield, checking at each that the debugger stands at a state of the run. */
function drive<T>(dbg: Debugger, work: Work<T>): {value: T; progress: Progress[]} {
	const progress: Progress[] = [];
	for (;;) {
		const r = work.next();
		if (r.done === true) return {value: r.value, progress};
		progress.push(r.value);
		expect(dbg.inside).toBeNull();
		if (progress.length % 7 === 1) expect(stateHash(dbg.kernel)).toBe(ref.hashes[dbg.tick]);
	}
}

const ops: {name: string; from: number; fresh?: boolean; breakpoints?: string[]; action: DebugAction; minYields: number}[] = [
	{name: 'goto forward, far, past where the run has been', from: 0, fresh: true, action: {a: 'goto', tick: end - 3}, minYields: 100},
	{name: 'goto forward, far, where the run has been', from: 0, action: {a: 'goto', tick: end - 3}, minYields: 0},
	{name: 'goto back, far', from: end, action: {a: 'goto', tick: 5_000}, minYields: 1},
	{name: 'reverse-step by many', from: end - 100, action: {a: 'reverse-step', n: 7_777}, minYields: 1},
	{name: 'reverse-continue to the previous cow', from: end - 10, breakpoints: ['cow'], action: {a: 'reverse-continue'}, minYields: 1},
	{
		name: 'reverse-continue to the previous func= entry, inside its tick',
		from: end - 10,
		breakpoints: ['func=copy_one_pte'],
		action: {a: 'reverse-continue'},
		minYields: 1,
	},
	{name: 'reverse-continue to a tick breakpoint', from: end, breakpoints: ['tick=300'], action: {a: 'reverse-continue'}, minYields: 20},
	{name: 'reverse-continue with nothing to find', from: end, breakpoints: ['segv'], action: {a: 'reverse-continue'}, minYields: 2},
	{name: 'a counted step', from: 100, action: {a: 'step', n: 8_000}, minYields: 100},
	{name: 'continue to the end', from: 100, action: {a: 'continue'}, minYields: 100},
	{name: 'continue to a breakpoint', from: 100, breakpoints: ['tick=8000'], action: {a: 'continue'}, minYields: 100},
	{name: 'next event of a process that never has one', from: 100, action: {a: 'next', pid: 99_999}, minYields: 100},
	{name: 'restart', from: end, action: {a: 'restart'}, minYields: 0},
	{name: 'kernel step back into the tick before', from: 8_345, action: {a: 'kstep', op: 'back'}, minYields: 0},
];

describe('long operations: sliced as one-shot', () => {
	it('the scenario runs long enough to matter', () => {
		expect(end).toBeGreaterThan(9_000);
	});

	it.each(ops)('$name: the same state, stop, hits and log as at once', ({from, fresh, breakpoints = [], action, minYields}) => {
		const once = debuggerAt(from, breakpoints, fresh);
		const sliced = debuggerAt(from, breakpoints, fresh);
		const a = applyAction(once, action);
		const b = drive(sliced, actionWork(sliced, action));
		expect(b.value).toEqual(a);
		expect(where(sliced)).toEqual(where(once));
		expect(b.progress.length).toBeGreaterThanOrEqual(minYields);
		// The progress is a share of work known ahead (or ticks so far), and never goes back.
		for (let i = 0; i < b.progress.length; i++) {
			const p = b.progress[i]!;
			if (p.total !== null) expect(p.done).toBeLessThanOrEqual(p.total);
			if (i > 0) expect(p.done).toBeGreaterThanOrEqual(b.progress[i - 1]!.done);
		}
	});

	it('a slice of a goto or a run is at most 64 ticks of work', () => {
		for (const action of [{a: 'goto', tick: end} as const, {a: 'goto', tick: 100} as const, {a: 'step', n: 9_000} as const]) {
			const dbg = action.a === 'goto' && action.tick === 100 ? debuggerAt(end) : debuggerAt(0, [], true);
			const {progress} = drive(dbg, actionWork(dbg, action));
			expect(progress.length).toBeGreaterThan(0);
			for (let i = 1; i < progress.length; i++) expect(progress[i]!.done - progress[i - 1]!.done).toBeLessThanOrEqual(64);
		}
	});

	it('the one-shot and the generator are one code: complete(gotoWork) is goto', () => {
		const a = debuggerAt(end);
		const b = debuggerAt(end);
		a.goto(4321);
		complete(b.gotoWork(4321));
		expect(where(b)).toEqual(where(a));
	});
});

describe('long operations: cancelled', () => {
	it.each(ops.filter((o) => o.minYields > 0))(
		'$name, dropped at each of a few yields: a state of the run, reproduced by what is recorded',
		({from, fresh, breakpoints = [], action}) => {
			const first = debuggerAt(from, breakpoints, fresh);
			const total = drive(first, actionWork(first, action)).progress.length;
			for (const at of [1, Math.ceil(total / 2)]) {
				const dbg = debuggerAt(from, breakpoints, fresh);
				const hitsBefore = dbg.breakpoints.map((b) => b.hits);
				const work = actionWork(dbg, action);
				for (let i = 0; i < at; i++) expect(work.next().done).toBe(false);
				work.return(null);
				const stop: Stop = dbg.pause();
				expect(stop.tick).toBe(dbg.tick);
				expect(dbg.inside).toBeNull();
				expect(stateHash(dbg.kernel)).toBe(ref.hashes[dbg.tick]);
				// Nothing it scanned counts a hit: a run forward stops at the first, a search backwards counts none.
				expect(dbg.breakpoints.map((b) => b.hits)).toEqual(hitsBefore);
				// Replayed, the recorded action ends at the same state.
				const recorded = cancelledAs(dbg, action);
				expect(recorded).not.toBeNull();
				const again = debuggerAt(from, breakpoints, fresh);
				applyAction(again, recorded!);
				expect(again.tick).toBe(dbg.tick);
				expect(stateHash(again.kernel)).toBe(stateHash(dbg.kernel));
				expect(again.breakpoints.map((b) => b.hits)).toEqual(dbg.breakpoints.map((b) => b.hits));
				// And the debugger goes on from there as from any state.
				dbg.goto(end);
				expect(stateHash(dbg.kernel)).toBe(ref.hashes[end]);
			}
		},
	);

	it('a kernel step dropped while the state before the tick is being found leaves the debugger inside the tick, and records nothing', () => {
		const dbg = new Debugger(scenario, scenario.config, ['func=copy_one_pte'], {chunkTicks: 64});
		dbg.goto(end);
		dbg.goto(7_000);
		const stop = dbg.continue();
		expect(stop?.reason).toBe('break');
		const inside = dbg.inside!;
		expect(inside).not.toBeNull();
		const hash = stateHash(dbg.kernel);
		// The state before this tick is re-executed from a snapshot: that is the long part.
		const work = actionWork(dbg, {a: 'kstep', op: 'into'});
		const first = work.next();
		expect(first.done).toBe(false);
		work.return(null);
		expect(dbg.inside).toEqual(inside);
		expect(stateHash(dbg.kernel)).toBe(hash);
		expect(cancelledAs(dbg, {a: 'kstep', op: 'into'})).toBeNull();
		// Finished, it is one step further, as at once.
		const once = new Debugger(scenario, scenario.config, ['func=copy_one_pte'], {chunkTicks: 64});
		once.goto(end);
		once.goto(7_000);
		once.continue();
		once.kstep('into');
		dbg.kstep('into');
		expect(where(dbg)).toEqual(where(once));
	});
});

describe('the state before the tick, for the stop to explain itself', () => {
	it('after a far go-to it is the state a plain run has one tick before, kept on the way (found again when asked twice)', () => {
		for (const target of [9_500, 4_000, end]) {
			const dbg = debuggerAt(target === end ? 0 : end, [], target === end);
			dbg.goto(target);
			const first = dbg.stateBeforeTick()!;
			expect(first.tick).toBe(target - 1);
			expect(stateHash(first)).toBe(ref.hashes[target - 1]);
			const again = drive(dbg, dbg.stateBeforeTickWork()).value!;
			expect(stateHash(again)).toBe(ref.hashes[target - 1]);
			// Never the debugger's own state.
			expect(again).not.toBe(dbg.kernel);
			expect(stateHash(dbg.kernel)).toBe(ref.hashes[target]);
		}
	});
});
