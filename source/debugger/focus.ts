// What a stop is about (SPEC §7, "the stop explains itself"): the event that
// stopped the run (a breakpoint's event, else the most telling event of the
// tick the debugger stands at, or the kernel step it stands inside), the
// process, the page and the frames it touched, the frames' counts before
// that tick, and the decision the kernel took for it (the note of 6.1). The
// front ends bring these into view; they are computed once a stop.

import type {Debugger} from './debugger.js';
import {stepTick} from '../kernel/kernel.js';
import {KernelTracer, type KArgs, type KStep} from '../kernel/trace.js';
import {PAGE_SIZE} from '../kernel/types.js';
import {eventPid, frameChanges, snapshotFrames, type FrameSnapshot, type KernelEvent, type KernelState} from './views.js';

export type StopFocus = {
	/** The tick the stop is at. */
	tick: number;
	/** The log index of the stopping event, or null (inside a tick, or a tick without events). */
	eventIndex: number | null;
	/** The process the event is about (Memory and Program show it), or null. */
	pid: number | null;
	/** The virtual page the event touched (its PTE), or null. */
	vpn: number | null;
	/** The frames the event touched first, then the others its tick changed, at most MAX_FRAMES. */
	pfns: number[];
	/** The decision the kernel took for the event: what it decided and why, or null. */
	note: string | null;
	/** The frames before the tick (for `ref 2→1`, `map 2→1`). */
	before: FrameSnapshot;
};

/** Frames a focus names at most (a fork changes a few; an exit may free hundreds). */
const MAX_FRAMES = 64;

/**
 * How telling an event is, when none hit a breakpoint: the higher the better.
 * A fault says most about memory; a scheduler switch least.
 */
const weight: Record<KernelEvent['type'], number> = {
	panic: 10,
	fault: 9,
	oom: 9,
	unprotected: 9,
	pin: 8,
	syscall: 7,
	exec: 7,
	exit: 6,
	signal: 6,
	reap: 5,
	completion: 5,
	reparent: 4,
	expect: 3,
	print: 2,
	state: 1,
	sched: 0,
	kstep: 0,
	end: 0,
};

function parseAddr(a: unknown): number | null {
	if (typeof a !== 'string' || !/^0x[0-9a-f]+$/i.test(a)) return null;
	const n = Number.parseInt(a.slice(2), 16);
	return Number.isSafeInteger(n) ? n : null;
}

/** The page and the frames an event names. */
function touched(e: KernelEvent): {vpn: number | null; pfns: number[]} {
	switch (e.type) {
		case 'fault': {
			const va = parseAddr(e.addr);
			const pfns = [e.frame, e.from].filter((p): p is number => p !== null);
			return {vpn: va === null ? null : Math.floor(va / PAGE_SIZE), pfns};
		}
		case 'unprotected': {
			const va = parseAddr(e.addr);
			return {vpn: va === null ? null : Math.floor(va / PAGE_SIZE), pfns: e.frame === null ? [] : [e.frame]};
		}
		case 'pin':
			return {vpn: null, pfns: [e.frame]};
		default:
			return {vpn: null, pfns: []};
	}
}

/** The page and frames a kernel step's arguments name (addr=, pfn=, from=). */
function touchedByStep(args: KArgs): {vpn: number | null; pfns: number[]} {
	const va = parseAddr(args.addr);
	const pfns = [args.pfn, args.from].filter((p): p is number => typeof p === 'number' && Number.isSafeInteger(p) && p >= 0);
	return {vpn: va === null ? null : Math.floor(va / PAGE_SIZE), pfns};
}

type Traced = {step: KStep; events: number};

/**
 * The decision note of event `j` of a tick: among the notes taken inside the
 * innermost kernel function open when the event was emitted (from its entry
 * up to the event), the first of the shallowest ones: do_wp_page's
 * "page_mapcount(pfn 9) = 2: cannot reuse, copy", copy_process's "pid 2: a
 * copy of pid 1 on mm 2". An event emitted outside any function has none.
 */
function decisionNote(steps: readonly Traced[], j: number): string | null {
	const open: number[] = [];
	let last = -1;
	for (let i = 0; i < steps.length && steps[i]!.events <= j; i++) {
		const s = steps[i]!.step;
		if (s.phase === 'enter') open.push(i);
		else if (s.phase === 'exit') open.pop();
		last = i;
	}
	const from = open.at(-1);
	if (from === undefined) return null;
	let best: KStep | null = null;
	for (let i = from + 1; i <= last; i++) {
		const s = steps[i]!.step;
		if (s.phase === 'note' && s.text !== null && (best === null || s.depth < best.depth)) best = s;
	}
	return best?.text ?? null;
}

/** The index (in `events`) of the most telling event, preferring process `prefer`'s. */
function mostTelling(events: readonly KernelEvent[], prefer: number | null): number {
	let best = -1;
	let bestScore = -1;
	events.forEach((e, i) => {
		const score = weight[e.type] * 2 + (prefer !== null && eventPid(e) === prefer ? 1 : 0);
		if (score > bestScore) {
			best = i;
			bestScore = score;
		}
	});
	return best;
}

/** Order the event's own frames first, then the others the tick changed, in PFN order. */
function framesOf(own: readonly number[], changed: Uint8Array): number[] {
	const out = own.filter((p, i) => own.indexOf(p) === i && p < changed.length);
	for (let pfn = 0; pfn < changed.length && out.length < MAX_FRAMES; pfn++) if (changed[pfn] === 1 && !out.includes(pfn)) out.push(pfn);
	return out.slice(0, MAX_FRAMES);
}

/**
 * What the stop the debugger stands at is about, or null at tick 0. `prefer`:
 * the process whose event wins a tie (the one `n` followed). Re-executes the
 * stopping tick once on a copy (from the nearest snapshot), with a tracer to
 * read its decisions; the debugger's own state is not touched. `copy` is the
 * state before the tick (dbg.stateBeforeTick(), which the TUI finds in slices).
 */
export function stopFocus(dbg: Debugger, prefer: number | null = null, copy: KernelState | null = dbg.stateBeforeTick()): StopFocus | null {
	const k = dbg.kernel;
	if (copy === null) return null;
	const before = snapshotFrames(copy, null);
	const changed = frameChanges(k, before).changed;
	const inside = dbg.inside;
	if (inside !== null) {
		const t = touchedByStep(inside.step.args);
		return {
			tick: inside.tick,
			eventIndex: null,
			pid: k.current,
			vpn: t.vpn,
			pfns: framesOf(t.pfns, changed),
			note: inside.step.text,
			before,
		};
	}
	const steps: Traced[] = [];
	copy.trace = new KernelTracer((step) => {
		steps.push({step, events: copy.events.length});
		return false;
	});
	const events = stepTick(copy);
	copy.trace = null;
	const first = dbg.visibleEvents() - events.length;
	const stop = dbg.lastStop;
	const hit = stop.tick === dbg.tick && stop.hit !== null ? stop.hit.eventIndex : null;
	const j = hit !== null && hit >= first ? hit - first : mostTelling(events, prefer);
	const e = events[j];
	if (e === undefined) return {tick: dbg.tick, eventIndex: null, pid: null, vpn: null, pfns: framesOf([], changed), note: null, before};
	const t = touched(e);
	return {tick: dbg.tick, eventIndex: first + j, pid: eventPid(e), vpn: t.vpn, pfns: framesOf(t.pfns, changed), note: decisionNote(steps, j), before};
}
