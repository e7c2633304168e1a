// Which `expect` instructions have run (docs/cli.md: `check` names the ones left
// unreached, and the `end` event counts them). Each expect of the scenario's
// programs gets a slot, in program and instruction order; the state holds one
// byte per slot, set the first time that expect is evaluated.

import type {Instruction, Program} from './program.js';

type Slots = {slot: Map<Instruction, number>; list: Instruction[]};

// The programs are immutable and shared by every copy of the state.
const cache = new WeakMap<Record<string, Program>, Slots>();

function slots(programs: Record<string, Program>): Slots {
	let s = cache.get(programs);
	if (s === undefined) {
		s = {slot: new Map(), list: []};
		for (const name of Object.keys(programs)) {
			for (const ins of programs[name]!.code) {
				if (ins.op !== 'expect') continue;
				s.slot.set(ins, s.list.length);
				s.list.push(ins);
			}
		}
		cache.set(programs, s);
	}
	return s;
}

/** A zeroed reached-map for these programs (at boot). */
export function newExpectsReached(programs: Record<string, Program>): Uint8Array {
	return new Uint8Array(slots(programs).list.length);
}

/** Mark `ins` (an expect of these programs) as reached. */
export function markExpectReached(programs: Record<string, Program>, reached: Uint8Array, ins: Instruction): void {
	const i = slots(programs).slot.get(ins);
	if (i !== undefined) reached[i] = 1;
}

/** The expects not evaluated yet, in line order. */
export function unreachedExpects(programs: Record<string, Program>, reached: Uint8Array): Instruction[] {
	return slots(programs)
		.list.filter((_, i) => reached[i] === 0)
		.sort((a, b) => a.pos.line - b.pos.line);
}

export function countUnreached(reached: Uint8Array): number {
	let n = 0;
	for (const b of reached) if (b === 0) n++;
	return n;
}
