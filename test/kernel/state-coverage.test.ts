// Field by field, over the whole KernelState of a busy moment: stateHash sees
// every field that determines the future (change it, the hash changes), and
// cloneKernel copies every field (change it in the copy, the original stays).
// The walk is generic, so a field added to the state later is covered too.

import {describe, expect, it} from 'vitest';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {cloneKernel, stateHash} from '../../source/kernel/dump.js';
import type {KernelState} from '../../source/kernel/types.js';
import {formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseScenario} from '../../source/scenario/parser.js';

type Step = {map: unknown} | {key: string | number};
type Leaf = {path: Step[]; name: string};

/** Fields that do not determine the future, or are immutable input shared by every copy. */
const NOT_STATE = new Set(['events', 'trace', 'programs', 'config', 'frames.freeHint']);

function busyState(): KernelState {
	const r = parseScenario(
		`
config frames=64 quantum=2
program init
  map heap 2 rw-
  map sh 1 rw- shared
  map pin 1 rw- locked
  write heap[0] 1
  expect heap[0] == 1
  write heap[0]+8 2
  write sh 3
  read heap[1]
  sigaltstack on
  fork
  if ret == 0 goto child
  vfork
  if ret == 0 goto vchild
  sleep 2
  wait
  wait
  exit 0
child:
  set r3 7
  sleep 5
  exit 0
vchild:
  compute 3
  exit 0
end
`,
		'busy.scn',
	);
	if (!r.ok) throw new Error(formatDiagnostics(r.errors));
	const k = boot(r.scenario);
	while (!(k.tasks.get(1)?.state === 'D' && k.tasks.get(2)?.state === 'S' && k.current === 3)) stepTick(k);
	return k;
}

/**
 * Fields the hash need not see, as they follow from others: the used bitmap
 * (from the frame kinds), the inline word of a frame that holds none, and ids
 * repeated from their map keys.
 */
function derived(k: KernelState, name: string): boolean {
	if (/^frames\.used\[/.test(name)) return true;
	const word = /^frames\.wordVal\[(\d+)\]$/.exec(name);
	if (word !== null) return k.frames.wordIdx[Number(word[1])] === -1;
	return /^(mms|shmem|completions)\[\d+\]\.id$/.test(name) || /^tasks\[\d+\]\.pid$/.test(name);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !ArrayBuffer.isView(v);
}

/** Every leaf of the state: numbers, strings, booleans, nulls, typed-array slots (a few per array). */
function leaves(value: unknown, path: Step[] = [], name = ''): Leaf[] {
	if (NOT_STATE.has(name)) return [];
	if (value instanceof Map) {
		const out: Leaf[] = [];
		for (const [key, v] of value) out.push(...leaves(v, [...path, {map: key}], `${name}[${String(key)}]`));
		return out;
	}
	if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, {key: i}], `${name}[${i}]`));
	if (ArrayBuffer.isView(value)) {
		const a = value as unknown as ArrayLike<number>;
		// The first slot, the last, and the first that is not zero.
		const picks = new Set([0, a.length - 1]);
		for (let i = 0; i < a.length; i++)
			if (a[i] !== 0 && a[i] !== -1) {
				picks.add(i);
				break;
			}
		return [...picks].filter((i) => i >= 0 && i < a.length).map((i) => ({path: [...path, {key: i}], name: `${name}[${i}]`}));
	}
	if (isPlainObject(value)) {
		return Object.entries(value).flatMap(([key, v]) => leaves(v, [...path, {key}], name === '' ? key : `${name}.${key}`));
	}
	return [{path, name}];
}

function get(root: unknown, step: Step): unknown {
	if ('map' in step) return (root as Map<unknown, unknown>).get(step.map);
	return (root as Record<string | number, unknown>)[step.key];
}

function set(root: unknown, step: Step, value: unknown): void {
	if ('map' in step) (root as Map<unknown, unknown>).set(step.map, value);
	else (root as Record<string | number, unknown>)[step.key] = value;
}

/** Changes the leaf at `path` in `root` to a different value of a fitting type. */
function perturb(root: unknown, path: Step[]): void {
	let parent = root;
	for (const step of path.slice(0, -1)) parent = get(parent, step);
	const last = path[path.length - 1]!;
	const v = get(parent, last);
	if (typeof v === 'number') set(parent, last, ArrayBuffer.isView(parent) ? (v === 1 ? 2 : 1) : v + 1);
	else if (typeof v === 'boolean') set(parent, last, !v);
	else if (typeof v === 'string') set(parent, last, `${v}x`);
	else if (v === null) set(parent, last, 4242);
	else throw new Error(`cannot perturb ${typeof v}`);
}

describe('the whole state', () => {
	const base = busyState();
	const all = leaves(base);

	it('is walked down to many leaves', () => {
		expect(all.length).toBeGreaterThan(200);
		for (const part of ['tasks', 'mms', 'frames.kind', 'frames.tables', 'completions', 'shmem', 'pageCache', 'timers']) {
			expect(
				all.some((l) => l.name.startsWith(part)),
				part,
			).toBe(true);
		}
	});

	it('stateHash changes when any field changes', () => {
		const hash = stateHash(base);
		const missed: string[] = [];
		for (const leaf of all) {
			if (derived(base, leaf.name)) continue;
			const copy = structuredClone(base);
			perturb(copy, leaf.path);
			if (stateHash(copy) === hash) missed.push(leaf.name);
		}
		expect(missed, 'fields stateHash does not see').toEqual([]);
	});

	it('cloneKernel copies every field: changing the copy leaves the original alone', () => {
		const hash = stateHash(base);
		const snapshot = structuredClone(base);
		const shared: string[] = [];
		for (const leaf of all) {
			const copy = cloneKernel(base);
			perturb(copy, leaf.path);
			if (stateHash(base) !== hash) {
				shared.push(leaf.name);
				// Restore the original for the next field.
				Object.assign(base, structuredClone(snapshot));
			}
		}
		expect(shared, 'fields the clone shares with the original').toEqual([]);
	});
});
