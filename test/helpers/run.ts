// Helpers for kernel tests: run a scenario given as source text.

import type {KernelEvent} from '../../source/kernel/events.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {forEachPresentPte, lookupPte, ptePfn} from '../../source/kernel/pgtable.js';
import {PAGE_SIZE, PTE_ACCESSED, PTE_DIRTY, PTE_PRESENT, PTE_RW, frameKindNames, type KernelState, type MmStruct} from '../../source/kernel/types.js';
import {formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseScenario} from '../../source/scenario/parser.js';
import type {Config} from '../../source/kernel/program.js';
import type {Scenario} from '../../source/scenario/ast.js';

export type Run = {k: KernelState; events: KernelEvent[]};

/** Parse a scenario source, or throw with its diagnostics. */
export function parse(source: string, file = 'inline.scn'): Scenario {
	const r = parseScenario(source, file);
	if (!r.ok) throw new Error(`scenario does not parse:\n${formatDiagnostics(r.errors)}`);
	return r.scenario;
}

function start(source: string, config?: Partial<Config>): Run {
	const s = parse(source);
	const k = boot(s, config === undefined ? s.config : {...s.config, ...config});
	return {k, events: [...k.events]};
}

/** Boot and run to the end: every event (tick 0's included) and the final state. */
export function run(source: string, config?: Partial<Config>): Run {
	const r = start(source, config);
	while (r.k.ended === null) r.events.push(...stepTick(r.k));
	return r;
}

/** Boot and run up to and including tick `tick` (or the end, if sooner). */
export function runTo(source: string, tick: number, config?: Partial<Config>): Run {
	const r = start(source, config);
	while (r.k.ended === null && r.k.tick < tick) r.events.push(...stepTick(r.k));
	return r;
}

type Of<T extends KernelEvent['type']> = Extract<KernelEvent, {type: T}>;

/** The events of one type. */
export function ofType<T extends KernelEvent['type']>(events: KernelEvent[], type: T): Of<T>[] {
	return events.filter((e): e is Of<T> => e.type === type);
}

export function faults(events: KernelEvent[], pid?: number): Of<'fault'>[] {
	return ofType(events, 'fault').filter((e) => pid === undefined || e.pid === pid);
}

/** `kind@region` of each fault, in order: a compact form to compare against. */
export function faultKinds(events: KernelEvent[], pid?: number): string[] {
	return faults(events, pid).map((e) => `${e.kind}@${e.region ?? '-'}`);
}

export function endOf(events: KernelEvent[]): Of<'end'> {
	const end = ofType(events, 'end');
	if (end.length !== 1) throw new Error(`expected one end event, got ${end.length}`);
	return end[0]!;
}

/** A one-program scenario: `program init`, the map lines, the body, `end`. */
export function prog(body: string, maps = '', config = ''): string {
	return `${config === '' ? '' : `config ${config}\n`}program init\n${maps}\n${body}\nend\n`;
}

/**
 * The frame-count rules of docs/kernel.md, checked against the page tables: each
 * frame's mapcount is the number of PTEs mapping it (with MMU), anon frames
 * have refcount == mapcount, file and shmem frames one more (the cache's own),
 * page-table and kernel-stack frames refcount 1; a pin adds to the refcount
 * only. Returns one line per broken rule.
 */
export function frameCountErrors(k: KernelState): string[] {
	const t = k.frames;
	const n = t.kind.length;
	const errors: string[] = [];
	const ptes = new Int32Array(n);
	if (k.config.mmu === 'on') {
		for (const mm of k.mms.values()) {
			forEachPresentPte(t, mm, 0, Number.MAX_SAFE_INTEGER, (_vpn, pte) => {
				ptes[ptePfn(pte)]!++;
			});
		}
	}
	for (let pfn = 0; pfn < n; pfn++) {
		const kind = frameKindNames[t.kind[pfn]!]!;
		const ref = t.refcount[pfn]!;
		const map = t.mapcount[pfn]!;
		const say = (rule: string): void => {
			errors.push(`tick ${k.tick}: pfn ${pfn} (${kind}) refcount ${ref} mapcount ${map} ptes ${ptes[pfn]}: ${rule}`);
		};
		if (kind === 'free') {
			if (ref !== 0 || map !== 0 || ptes[pfn] !== 0) say('a free frame is unused');
			continue;
		}
		if (k.config.mmu === 'on' && kind !== 'pgtable' && map !== ptes[pfn]) say('mapcount == PTEs mapping it');
		const pins = t.pins.get(pfn) ?? 0; // FOLL_PIN references (pin) count in the refcount only
		if (kind === 'anon' && ref !== map + pins) say('anon: refcount == mapcount (+ pins)');
		if ((kind === 'file' || kind === 'shmem') && ref !== map + 1 + pins) say('file/shmem: refcount == mapcount + 1 (+ pins)');
		if ((kind === 'pgtable' || kind === 'kstack') && (ref !== 1 || map !== 0)) say(`${kind}: refcount 1, mapcount 0`);
		if (kind === 'zero' && ref !== 1) say('zero page: refcount 1');
		if (ref <= 0) say('a used frame has a reference');
	}
	return errors;
}

/** Run to the end, checking frameCountErrors after every tick; returns the run and the first errors. */
export function runChecked(source: string, config?: Partial<Config>): Run & {errors: string[]} {
	const r = start(source, config);
	const errors = frameCountErrors(r.k);
	while (r.k.ended === null) {
		r.events.push(...stepTick(r.k));
		if (errors.length < 10) errors.push(...frameCountErrors(r.k));
	}
	return {...r, errors};
}

/** Boot and step until a tick whose events include one matching `pred` (that tick included), or the end. */
export function runUntil(source: string, pred: (e: KernelEvent) => boolean, config?: Partial<Config>): Run {
	const r = start(source, config);
	if (r.events.some(pred)) return r;
	while (r.k.ended === null) {
		const events = stepTick(r.k);
		r.events.push(...events);
		if (events.some(pred)) break;
	}
	return r;
}

/** Keep stepping an existing run until `pred` matches an event of a tick (or the end). */
export function continueUntil(r: Run, pred: (e: KernelEvent) => boolean): Run {
	while (r.k.ended === null) {
		const events = stepTick(r.k);
		r.events.push(...events);
		if (events.some(pred)) break;
	}
	return r;
}

export type PteView = {pfn: number; writable: boolean; dirty: boolean; accessed: boolean};

/** The present PTE of task `pid` at `va`, or null. */
export function pteOf(k: KernelState, pid: number, va: number): PteView | null {
	const mm = mmOf(k, pid);
	if (mm.pgd < 0) return null;
	const pte = lookupPte(k.frames, mm.pgd, Math.floor(va / PAGE_SIZE));
	if ((pte & PTE_PRESENT) === 0) return null;
	return {pfn: ptePfn(pte), writable: (pte & PTE_RW) !== 0, dirty: (pte & PTE_DIRTY) !== 0, accessed: (pte & PTE_ACCESSED) !== 0};
}

export function mmOf(k: KernelState, pid: number): MmStruct {
	const task = k.tasks.get(pid);
	if (task === undefined || task.mm === null) throw new Error(`pid ${pid} has no mm`);
	return k.mms.get(task.mm)!;
}

/** A frame's kind and counts. */
export function frameOf(k: KernelState, pfn: number): {kind: string; refcount: number; mapcount: number} {
	return {kind: frameKindNames[k.frames.kind[pfn]!]!, refcount: k.frames.refcount[pfn]!, mapcount: k.frames.mapcount[pfn]!};
}

/** Frames in use by kind. */
export function framesByKind(k: KernelState): Record<string, number> {
	const out: Record<string, number> = {};
	for (let pfn = 0; pfn < k.frames.kind.length; pfn++) {
		const kind = frameKindNames[k.frames.kind[pfn]!]!;
		if (kind !== 'free') out[kind] = (out[kind] ?? 0) + 1;
	}
	return out;
}

/** The event JSON lines of a run, as `run --json` would print them. */
export function jsonLines(events: KernelEvent[]): string {
	return events.map((e) => JSON.stringify(e)).join('\n');
}
