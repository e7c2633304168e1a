// Time travel (docs/debugger.md): going back shows exactly the state that was there.
// For every scenarios/*.scn (read now: the folder grows) and a few inline
// scenarios, the Debugger's goto, reverseStep, reverseContinue and restart are
// compared with a reference run that never goes back (reference.ts).

import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {stateHash} from '../../source/kernel/dump.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {busiestFrame, eventTicks, inlineScenarios, parse, prng, reference, refcountTicks, scenarioFiles, shuffled, type Reference} from './reference.js';

/**
 * Ticks checked one by one per scenario (a longer run is checked up to
 * there): 5,000, fewer for a machine with very many frames, whose every
 * tick costs more to hash and compare.
 */
function cap(frames: number): number {
	return Math.min(5000, Math.max(50, Math.floor(20_000_000 / frames)));
}

const all = [...scenarioFiles(), ...inlineScenarios];

function range(from: number, to: number): number[] {
	return Array.from({length: to - from + 1}, (_, i) => from + i);
}

/** The last earlier hit, as reverseContinue must find it. */
function previous(hits: number[], tick: number): number | null {
	let best: number | null = null;
	for (const h of hits) if (h < tick) best = h;
	return best;
}

function isCow(e: KernelEvent): boolean {
	return e.type === 'fault' && (e.kind === 'cow-copy' || e.kind === 'cow-reuse' || e.kind === 'cow-zero');
}

/** A word some process writes: the first written fault address, or a heap. */
function watchSpec(ref: Reference, source: string): string | null {
	for (const e of ref.events) {
		if ((e.type === 'fault' || e.type === 'unprotected') && e.access === 'write') {
			return `watch=0x${(Math.floor(Number(e.addr) / 8) * 8).toString(16)}`;
		}
	}
	return /^\s*map heap /m.test(source) ? 'watch=heap' : null;
}

/** Every tick at which spec stops a continue, up to `last`. */
function forwardHits(dbg: Debugger, last: number): number[] {
	const ticks: number[] = [];
	dbg.restart();
	while (dbg.tick < last && !dbg.ended) {
		const stop = dbg.run(last - dbg.tick);
		if (stop?.reason === 'break') ticks.push(stop.tick);
	}
	return ticks;
}

describe.each(all)('$name', ({name, source}) => {
	const scenario = parse(source, name);
	let cached: Reference | undefined;
	const ref = (): Reference => (cached ??= reference(scenario, scenario.config, cap(scenario.config.frames)));

	it('goto every tick, in a shuffled order, shows the forward run state and log', () => {
		const r = ref();
		const dbg = new Debugger(scenario);
		for (const t of shuffled(range(0, r.last), 0xc0ffee)) {
			dbg.goto(t);
			if (dbg.tick !== t || stateHash(dbg.kernel) !== r.hashes[t] || dbg.visibleEvents() !== r.visible[t]) {
				expect({tick: dbg.tick, hash: stateHash(dbg.kernel), visible: dbg.visibleEvents()}).toEqual({
					tick: t,
					hash: r.hashes[t],
					visible: r.visible[t],
				});
			}
		}
		expect(dbg.frontier).toBe(r.last);
		expect(JSON.stringify(dbg.events(0, r.visible[r.last]!))).toBe(JSON.stringify(r.events));
		expect(dbg.endTick).toBe(r.ended ? r.last : null);
	});

	it('reverseStep from the end, tick by tick, and after a step from anywhere', () => {
		const r = ref();
		const dbg = new Debugger(scenario);
		dbg.goto(r.last);
		for (let t = r.last; t > 0; t--) {
			const stop = dbg.reverseStep();
			if (stop.tick !== t - 1 || stateHash(dbg.kernel) !== r.hashes[t - 1] || dbg.visibleEvents() !== r.visible[t - 1]) {
				expect({tick: stop.tick, hash: stateHash(dbg.kernel), visible: dbg.visibleEvents()}).toEqual({
					tick: t - 1,
					hash: r.hashes[t - 1],
					visible: r.visible[t - 1],
				});
			}
		}
		expect(dbg.reverseStep().tick).toBe(0);
		expect(stateHash(dbg.kernel)).toBe(r.hashes[0]);
		// step one forward then back, at a sample of ticks in a shuffled order
		for (const t of shuffled(range(0, r.last - 1), 7).slice(0, 300)) {
			dbg.goto(t);
			dbg.step();
			expect(stateHash(dbg.kernel)).toBe(r.hashes[t + 1]);
			dbg.reverseStep();
			expect(dbg.tick).toBe(t);
			expect(stateHash(dbg.kernel)).toBe(r.hashes[t]);
		}
		// reverseStep(n) by several ticks at once, clamped at 0
		const random = prng(11);
		for (let i = 0; i < 50; i++) {
			const t = Math.floor(random() * (r.last + 1));
			const n = 1 + Math.floor(random() * 40);
			dbg.goto(t);
			dbg.reverseStep(n);
			expect(dbg.tick).toBe(Math.max(0, t - n));
			expect(stateHash(dbg.kernel)).toBe(r.hashes[Math.max(0, t - n)]);
		}
	});

	it('restart is tick 0, with the log cut back to its events and the hit counts cleared', () => {
		const r = ref();
		const dbg = new Debugger(scenario, scenario.config, ['tick=1']);
		dbg.goto(r.last);
		dbg.goto(1);
		dbg.continue(Math.min(r.last, 100));
		const stop = dbg.restart();
		expect(stop).toEqual({reason: 'start', tick: 0, hit: null});
		expect(stateHash(dbg.kernel)).toBe(r.hashes[0]);
		expect(dbg.visibleEvents()).toBe(r.visible[0]);
		expect(dbg.breakpoints[0]!.hits).toBe(0);
		// and the run from there is the same again
		dbg.goto(r.last);
		expect(stateHash(dbg.kernel)).toBe(r.hashes[r.last]);
	});

	it('reverseContinue lands on the previous hit of cow, frame=PFN and watch=ADDR, as a forward scan finds them', () => {
		const r = ref();
		const cases: {spec: string; expected: number[] | null}[] = [{spec: 'cow', expected: eventTicks(r, isCow)}];
		const pfn = busiestFrame(r);
		if (pfn !== null) cases.push({spec: `frame=${pfn}`, expected: refcountTicks(r, pfn)});
		const watch = watchSpec(r, source);
		if (watch !== null) cases.push({spec: watch, expected: null});
		for (const {spec, expected} of cases) {
			const dbg = new Debugger(scenario, scenario.config, [spec]);
			const forward = forwardHits(dbg, r.last);
			if (expected !== null) expect(forward, spec).toEqual(expected);
			// from the end, back through every earlier hit, then to the start
			dbg.goto(r.last);
			const backward: number[] = [];
			for (;;) {
				const stop = dbg.reverseContinue();
				if (stop.reason !== 'break') {
					expect(stop.tick).toBe(0);
					break;
				}
				expect(stop.hit?.tick).toBe(stop.tick);
				expect(stateHash(dbg.kernel)).toBe(r.hashes[stop.tick]);
				backward.push(stop.tick);
			}
			// (a hit at the last tick itself is not an earlier one)
			expect(backward.reverse(), spec).toEqual(forward.filter((t) => t < r.last));
			// from a sample of ticks
			for (const t of shuffled(range(0, r.last), 99).slice(0, 40)) {
				dbg.goto(t);
				const stop = dbg.reverseContinue();
				const want = previous(forward, t);
				expect({spec, from: t, tick: stop.tick, reason: stop.reason}).toEqual({
					spec,
					from: t,
					tick: want ?? 0,
					reason: want === null ? 'start' : 'break',
				});
				expect(stateHash(dbg.kernel)).toBe(r.hashes[stop.tick]);
				expect(dbg.visibleEvents()).toBe(r.visible[stop.tick]);
			}
		}
	});

	it('going back keeps the log: every event up to the furthest tick reached can still be read', () => {
		const r = ref();
		const dbg = new Debugger(scenario);
		dbg.goto(r.last);
		const total = dbg.visibleEvents();
		dbg.goto(Math.floor(r.last / 2));
		expect(dbg.visibleEvents(dbg.frontier)).toBe(total);
		expect(JSON.stringify(dbg.events(0, total))).toBe(JSON.stringify(r.events));
		expect(dbg.visibleEvents()).toBe(r.visible[Math.floor(r.last / 2)]);
		expect(dbg.eventsOf(r.last)).toEqual(r.events.filter((e) => e.tick === r.last));
	});
});

describe('long runs: snapshots thinned, reverseContinue across many snapshot intervals', () => {
	// 3 instructions per iteration: about 600,000 ticks, past the 512 snapshots
	// at 1,024-tick intervals the debugger keeps before it thins them out.
	const scenario = parse(`config mmu=on frames=32 max_ticks=2000000
program init
  map heap 1 rw-
  write heap[0] 1
loop:
  add r0 1
  add r1 2
  if r0 < 200000 goto loop
  write heap[0] 2
  exit 0
end
`);

	it('goto to a sample of ticks matches the forward run, and reverseContinue finds a hit 600,000 ticks back', () => {
		const samples = shuffled(range(0, 600_100), 5).slice(0, 40);
		// the reference: boot and stepTick straight through, hashing at the samples
		const want = new Map<number, string>();
		const wanted = new Set(samples);
		const k = boot(scenario, scenario.config);
		while (k.ended === null) {
			stepTick(k);
			if (wanted.has(k.tick)) want.set(k.tick, stateHash(k));
		}
		const dbg = new Debugger(scenario, scenario.config, ['fault:kind=anon']);
		const end = dbg.goto(Number.MAX_SAFE_INTEGER);
		expect(dbg.ended).toBe(true);
		expect(end.tick).toBeGreaterThan(600_000);
		for (const t of samples) {
			dbg.goto(t);
			expect(dbg.tick).toBe(Math.min(t, end.tick));
			if (t <= end.tick) expect(stateHash(dbg.kernel)).toBe(want.get(t));
		}
		dbg.goto(end.tick);
		const stop = dbg.reverseContinue();
		expect(stop).toMatchObject({reason: 'break', tick: 1});
		expect(dbg.reverseContinue()).toMatchObject({reason: 'start', tick: 0});
	});
});
