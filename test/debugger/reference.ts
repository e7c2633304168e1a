// A reference timeline for the debugger's tests: boot and stepTick straight
// through, no debugger, recording at every tick what the debugger must
// reproduce when it travels there (state hash, events seen so far, refcounts).

import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {stateHash} from '../../source/kernel/dump.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import type {Config} from '../../source/kernel/program.js';
import type {Scenario} from '../../source/scenario/ast.js';
import {formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseScenario} from '../../source/scenario/parser.js';

export type Reference = {
	/** stateHash at tick t, for t in 0 … last. */
	hashes: string[];
	/** Number of events of ticks 0 … t. */
	visible: number[];
	/** Every event, in order. */
	events: KernelEvent[];
	/** PFN → the ticks at which its refcount differs from the tick before. */
	refcountChanges: Map<number, number[]>;
	/** The last tick recorded: the end of the run, or the cap. */
	last: number;
	/** Whether the run ended by itself within the cap. */
	ended: boolean;
};

export function parse(source: string, file = 'inline.scn'): Scenario {
	const r = parseScenario(source, file);
	if (!r.ok) throw new Error(`scenario does not parse:\n${formatDiagnostics(r.errors)}`);
	return r.scenario;
}

export function reference(scenario: Scenario, config: Config = scenario.config, cap = Number.MAX_SAFE_INTEGER): Reference {
	const k = boot(scenario, config);
	const events = [...k.events];
	const hashes = [stateHash(k)];
	const visible = [events.length];
	const refcountChanges = new Map<number, number[]>();
	let before = k.frames.refcount.slice();
	while (k.ended === null && k.tick < cap) {
		events.push(...stepTick(k));
		hashes.push(stateHash(k));
		visible.push(events.length);
		const now = k.frames.refcount;
		for (let pfn = 0; pfn < now.length; pfn++) {
			if (now[pfn] === before[pfn]) continue;
			const ticks = refcountChanges.get(pfn) ?? [];
			ticks.push(k.tick);
			refcountChanges.set(pfn, ticks);
		}
		before = now.slice();
	}
	return {hashes, visible, events, refcountChanges, last: k.tick, ended: k.ended !== null};
}

/** Ticks whose events include one that `match` accepts, in order. */
export function eventTicks(ref: Reference, match: (e: KernelEvent) => boolean): number[] {
	const ticks: number[] = [];
	for (const e of ref.events) if (e.tick > 0 && match(e) && ticks.at(-1) !== e.tick) ticks.push(e.tick);
	return ticks;
}

/** Ticks at which frame `pfn`'s refcount differs from the tick before. */
export function refcountTicks(ref: Reference, pfn: number): number[] {
	return ref.refcountChanges.get(pfn) ?? [];
}

/** The frame (other than the zero page) whose refcount changes most often, or null. */
export function busiestFrame(ref: Reference): number | null {
	let best: number | null = null;
	let most = 0;
	for (const [pfn, ticks] of [...ref.refcountChanges].sort((a, b) => a[0] - b[0])) {
		const n = ticks.length;
		if (pfn > 0 && n > most) {
			most = n;
			best = pfn;
		}
	}
	return best;
}

/** mulberry32: a small seeded PRNG, so a shuffled order is the same on every run. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
	const random = prng(seed);
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/** Every scenarios/*.scn, read now (the folder grows while the project does). */
export function scenarioFiles(): {name: string; source: string}[] {
	const dir = 'scenarios';
	return readdirSync(dir)
		.filter((f) => f.endsWith('.scn'))
		.sort()
		.map((f) => ({name: join(dir, f), source: readFileSync(join(dir, f), 'utf8')}));
}

/** Small scenarios written for the debugger's tests: long runs, several tasks, no-MMU. */
export const inlineScenarios: {name: string; source: string}[] = [
	{
		// ~2,400 ticks: crosses two snapshot intervals (1,024 ticks).
		name: 'inline:long-loop',
		source: `config mmu=on frames=32 quantum=3
program init
  map heap 2 rw-
  set r0 0
loop:
  add r0 1
  write heap[0] r0
  if r0 < 800 goto loop
  write heap[1] 1
  exit 0
end
`,
	},
	{
		name: 'inline:fork-vfork-exec-shared',
		source: `config mmu=on frames=48 quantum=2
program init
  map heap 1 rw-
  map shm 1 rw- shared
  write heap[0] 7
  write shm[0] 1
  fork
  if ret == 0 goto child
  write shm[0] 3
  wait
  vfork
  if ret == 0 goto vchild
  wait
  write heap[0] 9
  exit 0
child:
  read shm[0]
  write heap[0] 8
  exit 0
vchild:
  exec other
end
program other
  map data 1 rw-
  write data[0] 5
  exit 0
end
`,
	},
	{
		name: 'inline:nommu-vfork',
		source: `config mmu=off frames=64
program init
  map heap 1 rw-
  write heap[0] 1
  vfork
  if ret == 0 goto child
  expect heap[0] == 2
  wait
  exit 0
child:
  write heap[0] 2
  exit 0
end
`,
	},
];
