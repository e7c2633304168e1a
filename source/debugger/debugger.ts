// The debugger: a cursor over the run's timeline. The kernel takes no input
// once booted, so the run is one fixed sequence of ticks; going back restores
// the nearest snapshot and re-executes forward (rr's checkpoints). The log is
// not kept: an index per chunk of ticks (log.ts) says where each chunk's
// events start and what they are about, and a chunk's events are regenerated
// from the nearest snapshot when asked for, so memory does not grow with the
// length of the run.

import type {Config} from '../kernel/program.js';
import type {Scenario} from '../scenario/ast.js';
import {cloneKernel, type KStepDump} from '../kernel/dump.js';
import {eventPid, type KernelEvent} from '../kernel/events.js';
import {resolveAddress} from '../kernel/cpu.js';
import {bootStart, stepTick} from '../kernel/kernel.js';
import {peekUserWord} from '../kernel/memory.js';
import type {KernelState} from '../kernel/types.js';
import {breakpointEventTypes, isEventBreakpoint, matchesEvent, matchesKStep, parseBreakpoint, type Breakpoint} from './breakpoints.js';
import {CHUNK, LogIndex, type ChunkEvents} from './log.js';
import {kstepEventTracer} from './kstep.js';
import {KernelTracer, KSTEP_STOP, type KFrame, type KStep} from '../kernel/trace.js';

export type BreakpointEntry = {id: number; breakpoint: Breakpoint; enabled: boolean; hits: number};

/** One breakpoint that matched the stopping tick. */
export type HitBy = {
	breakpointId: number;
	spec: string;
	/** Index in the run's log (dbg.event(i)) of the event that matched, or null (tick, frame, watch, func). */
	eventIndex: number | null;
	/** func=: the kernel step of the entry that matched, inside the hit's tick. */
	kstep?: number;
};

/**
 * A stop at a breakpoint: the first breakpoint (in list order) that matched
 * the tick, and in `all` every one that did, each counting a hit (docs/debugger.md).
 */
export type Hit = HitBy & {tick: number; all: HitBy[]};

/** Every breakpoint of a hit, as the user numbered them: `#1 cow, #2 watch=heap[0]`. */
export function hitNames(hit: Hit): string {
	return hit.all.map((h) => `#${h.breakpointId} ${h.spec}`).join(', ');
}

/** `kstep`: stopped inside a tick, after one of its kernel steps (docs/debugger.md, kernel steps). */
export type StopReason = 'step' | 'break' | 'end' | 'event' | 'start' | 'goto' | 'paused' | 'kstep';

/**
 * Where the debugger stands inside a tick: the kernel is the partial state
 * right after step `seq` of tick `tick` (its tick counter already reads
 * `tick`), with the call stack as it is after that step.
 */
export type Inside = {tick: number; seq: number; step: KStep; stack: KFrame[]};

/** The ways to move by kernel steps: gdb's step, next, finish, reverse-step, and out of the tick. */
export const kstepOps = ['into', 'over', 'out', 'back', 'leave'] as const;
export type KStepOp = (typeof kstepOps)[number];

/** The stack depth after a step: an enter opens a frame. */
function depthAfter(s: KStep): number {
	return s.phase === 'enter' ? s.depth + 1 : s.depth;
}

export type Stop = {reason: StopReason; tick: number; hit: Hit | null};

/** run(): without `breakpoints` none stops it; `until` stops it after a tick whose events it accepts. */
export type RunOptions = {breakpoints?: boolean; until?: (events: KernelEvent[]) => boolean};

/** Per enabled frame or watch breakpoint: a refcount, or pid → watched word. */
type Probe = (number | Map<number, number>)[];

/** Snapshots kept at most, and the memory they may take together. */
const MAX_SNAPSHOT_BYTES = 96 * 1024 * 1024;

/**
 * The first spacing of snapshots, in chunks: re-executing 8 chunks (8,192
 * ticks) takes a few milliseconds, and a clone of the machine costs about as
 * much as a few thousand ticks, so copying stays a small part of a run.
 */
const FIRST_INTERVAL_CHUNKS = 8;

/**
 * Ticks a long operation executes between two yields: a few hundred
 * microseconds on a small machine, so whoever drives it (the TUI) can stop
 * after any slice of time it likes.
 */
const WORK_TICKS = 64;

/** How far a long operation is: `done` of `total` ticks (null: not known ahead, as for a continue). */
export type Progress = {done: number; total: number | null};

/**
 * A long operation (docs/debugger.md, long operations): a generator that
 * yields its progress between bounded pieces of work, always with the
 * debugger between ticks at a state it could stop at, and returns its
 * result. Dropping it at a yield leaves the debugger where the work got to.
 */
export type Work<T> = Generator<Progress, T, void>;

/** `work` as a part of a longer operation: its yields report `progress()` instead of its own. */
function* within<T>(work: Work<T>, progress: () => Progress): Work<T> {
	for (;;) {
		const r = work.next();
		if (r.done === true) return r.value;
		yield progress();
	}
}

/** Run a long operation to its end (the one-shot form: the CLI, replay --headless, tests). */
export function complete<T>(work: Work<T>): T {
	for (;;) {
		const r = work.next();
		if (r.done === true) return r.value;
	}
}

export class Debugger {
	readonly scenario: Scenario;
	readonly config: Config;
	kernel: KernelState;
	/** Where each chunk's events are in the run's log, and the events of a few chunks. */
	readonly index: LogIndex;
	/** Events through the kernel's current tick. */
	private cursor: number;
	/** The machine chunkEvents re-executes on (the debugger's own kernel is never disturbed). */
	private scratch: KernelState | null = null;
	/** The chunk being kept as the kernel runs through it from its start, or null. */
	private live: ChunkEvents | null = null;
	/** The furthest tick executed so far. */
	frontier = 0;
	/** The tick the run ended at, once known. */
	endTick: number | null = null;
	breakpoints: BreakpointEntry[] = [];
	private nextBreakpointId = 1;
	private snapshots = new Map<number, KernelState>();
	/** Ticks between snapshots: a power of two times the chunk, so a snapshot is always the tick before a chunk. */
	private interval: number;
	private readonly chunkTicks: number;
	private snapshotBytes = 0;
	lastStop: Stop;
	/** Called with the events of each tick executed for the first time (streaming output). */
	onEvents: ((events: readonly KernelEvent[]) => void) | null = null;
	/** False for a run that only goes forward once (`cowdbg run`): no snapshots past tick 0. */
	private readonly keepSnapshots: boolean;

	/** With `ksteps`, every tick's kernel steps are `kstep` events in the log (run --ksteps, --ftrace). */
	private readonly kstepLog: KernelTracer | null;
	/** Set while stopped inside a tick (docs/debugger.md, kernel steps); null between ticks. */
	inside: Inside | null = null;
	/** The state before the tick `inside` is in (never run on: clone it), or null until needed. */
	private base: KernelState | null = null;
	/**
	 * The state one tick before where a long seek ended, kept on the way there
	 * for stateBeforeTick (which would re-execute as much again), or null. The
	 * kernel is deterministic: whenever the debugger is between ticks one
	 * after it, this is the state before the current tick.
	 */
	private prior: KernelState | null = null;

	/**
	 * Options: `snapshots: false` for a run that only goes forward once;
	 * `chunkTicks` (a power of two, CHUNK by default) sets the ticks of a
	 * chunk of the log index and the first spacing of snapshots; `ksteps`
	 * adds each tick's kernel steps to its events.
	 */
	constructor(
		scenario: Scenario,
		config: Config = scenario.config,
		breakpoints: readonly string[] = [],
		options: {snapshots?: boolean; chunkTicks?: number; ksteps?: boolean} = {},
	) {
		this.keepSnapshots = options.snapshots !== false;
		this.chunkTicks = options.chunkTicks ?? CHUNK;
		this.interval = this.chunkTicks * FIRST_INTERVAL_CHUNKS;
		this.kstepLog = options.ksteps === true ? kstepEventTracer(() => this.kernel) : null;
		this.scenario = scenario;
		this.config = config;
		// Tick 0 is the boot (pid 1's exec): with kernel steps on, its steps are in the log too.
		this.kernel = bootStart(scenario, config);
		if (this.kstepLog !== null) {
			this.kstepLog.reset();
			this.kernel.trace = this.kstepLog;
		}
		try {
			stepTick(this.kernel);
		} finally {
			this.kernel.trace = null;
		}
		this.index = new LogIndex(this.kernel.events, this.chunkTicks);
		this.cursor = this.index.total;
		if (this.kernel.ended !== null) this.endTick = 0;
		this.snapshots.set(0, cloneKernel(this.kernel));
		this.snapshotBytes = estimateBytes(this.kernel);
		for (const spec of breakpoints) this.addBreakpoint(spec);
		this.lastStop = {reason: 'start', tick: 0, hit: null};
		this.breakInBoot();
	}

	/**
	 * Breakpoints given at the start are set before the boot, as gdb's are
	 * before `run`: a func= one that matches a step of tick 0 (pid 1's exec:
	 * do_execve, exec_mmap, mm_release…) stops the debugger inside it.
	 */
	private breakInBoot(): void {
		const funcs: {entry: BreakpointEntry; bp: Extract<Breakpoint, {kind: 'func'}>}[] = [];
		for (const entry of this.breakpoints) if (entry.enabled && entry.breakpoint.kind === 'func') funcs.push({entry, bp: entry.breakpoint});
		if (funcs.length === 0) return;
		const base = bootStart(this.scenario, this.config);
		this.kernel = cloneKernel(base);
		this.cursor = 0;
		let matched: BreakpointEntry[] = [];
		const r = this.traceTick((s, pid) => {
			matched = funcs.filter((f) => matchesKStep(f.bp, s, pid)).map((f) => f.entry);
			return matched.length > 0;
		});
		if (!('stopped' in r)) return; // the boot ran to its end again, as it did above
		const all: HitBy[] = matched.map((entry) => {
			entry.hits++;
			return {breakpointId: entry.id, spec: entry.breakpoint.spec, eventIndex: null, kstep: r.stopped.seq};
		});
		this.base = base;
		this.lastStop = {reason: 'break', tick: 0, hit: {...all[0]!, tick: 0, all}};
	}

	get tick(): number {
		return this.kernel.tick;
	}

	get ended(): boolean {
		return this.kernel.ended !== null;
	}

	/** Number of log events through `tick` (default: the current tick). */
	visibleEvents(tick = this.tick): number {
		if (tick === this.tick) return this.cursor;
		if (tick >= this.frontier) return this.index.total;
		if (tick <= 0) return this.index.boot.length;
		const c = this.index.chunkOf(tick);
		return this.index.firstOf(c) + this.chunkEvents(c, tick).starts[tick - c * this.chunkTicks]!;
	}

	/** The events of one tick (it must have been executed). */
	eventsOf(tick: number): KernelEvent[] {
		if (tick > this.frontier || tick < 0) return [];
		if (tick === 0) return [...this.index.boot];
		const c = this.index.chunkOf(tick);
		const entry = this.chunkEvents(c, tick);
		const j = tick - c * this.chunkTicks - 1;
		return entry.events.slice(entry.starts[j], entry.starts[j + 1]);
	}

	/** The log's events from index `from` to `to` (excluded), regenerated where needed. */
	events(from: number, to: number): KernelEvent[] {
		const out: KernelEvent[] = [];
		const boot = this.index.boot;
		let i = Math.max(0, from);
		const end = Math.min(to, this.index.total);
		for (; i < end && i < boot.length; i++) out.push(boot[i]!);
		while (i < end) {
			const c = this.index.chunkOfEvent(i);
			const entry = this.chunkEvents(c);
			const base = this.index.firstOf(c);
			const stop = Math.min(end, base + entry.events.length);
			if (stop <= i) break;
			for (; i < stop; i++) out.push(entry.events[i - base]!);
		}
		return out;
	}

	/** The log's event at index i (it must exist: i < visibleEvents(frontier)). */
	event(i: number): KernelEvent {
		const e = this.events(i, i + 1)[0];
		if (e === undefined) throw new RangeError(`no event ${i} in a log of ${this.index.total}`);
		return e;
	}

	/**
	 * The events of chunk c through tick `through` (default: the chunk's end or
	 * the frontier): kept ones, or re-executed from the nearest state before
	 * the chunk (the current one, if it is nearer than any snapshot).
	 */
	chunkEvents(c: number, through = Math.min((c + 1) * this.chunkTicks, this.frontier)): ChunkEvents {
		const live = this.live;
		if (live !== null && live.chunk === c && live.lastTick >= through) return live;
		const have = this.index.cached(c);
		if (have !== undefined && have.lastTick >= through) return have;
		const start = c * this.chunkTicks;
		let base = 0;
		for (const t of this.snapshots.keys()) if (t <= start && t > base) base = t;
		// Reading chunk after chunk (a filter, a search) goes on from where the last one ended.
		const scratch = this.scratch;
		let k: KernelState;
		const own = this.inside === null && this.kernel.tick <= start ? this.kernel.tick : -1;
		const mine = scratch !== null && scratch.tick <= start ? scratch.tick : -1;
		if (mine >= base && mine >= own) k = scratch!;
		else k = cloneKernel(own > base ? this.kernel : this.snapshots.get(base)!);
		this.scratch = k;
		while (k.tick < start && k.ended === null) stepTick(k);
		const entry: ChunkEvents = {chunk: c, events: [], starts: [0], lastTick: start};
		const end = Math.min((c + 1) * this.chunkTicks, this.frontier);
		while (k.tick < end && k.ended === null) {
			const events = stepTick(k);
			for (let i = 0; i < events.length; i++) entry.events.push(events[i]!);
			entry.starts.push(entry.events.length);
			entry.lastTick = k.tick;
		}
		this.index.keep(entry);
		return entry;
	}

	addBreakpoint(spec: string): {ok: true; id: number} | {ok: false; message: string; col: number} {
		const r = parseBreakpoint(spec);
		if (!r.ok) return r;
		const id = this.nextBreakpointId++;
		this.breakpoints.push({id, breakpoint: r.breakpoint, enabled: true, hits: 0});
		return {ok: true, id};
	}

	removeBreakpoint(id: number): boolean {
		const i = this.breakpoints.findIndex((b) => b.id === id);
		if (i < 0) return false;
		this.breakpoints.splice(i, 1);
		return true;
	}

	toggleBreakpoint(id: number): boolean {
		const b = this.breakpoints.find((b) => b.id === id);
		if (b === undefined) return false;
		b.enabled = !b.enabled;
		return true;
	}

	/** Execute one tick forward; returns its events. Extends the index at the frontier. */
	private forward(trace: KernelTracer | null = this.kstepLog): KernelEvent[] {
		const k = this.kernel;
		const before = k.tick;
		if (trace !== null) {
			trace.reset();
			k.trace = trace;
		}
		let events: KernelEvent[];
		try {
			events = stepTick(k);
		} finally {
			// Not state: the tracer leaves the kernel whether the tick ended or was stopped.
			k.trace = null;
		}
		if (k.tick === before) return events;
		this.cursor += events.length;
		// The current chunk's events stay readable even without snapshots (a stop's event, `run --svg`).
		this.keepChunk(k.tick, events);
		if (k.tick > this.frontier) {
			this.frontier = k.tick;
			this.index.extend(k.tick, events);
			if (k.ended !== null) this.endTick = k.tick;
			if (k.tick % this.interval === 0 && this.keepSnapshots) this.takeSnapshot();
			if (this.onEvents !== null) this.onEvents(events);
		}
		return events;
	}

	/** Keep the events of the chunk the kernel is running through, when it entered it at its start. */
	private keepChunk(tick: number, events: readonly KernelEvent[]): void {
		const c = this.index.chunkOf(tick);
		const live = this.live;
		if (live !== null && live.chunk === c && live.lastTick === tick - 1) {
			this.index.append(live, tick, events);
		} else if (tick === c * this.chunkTicks + 1) {
			this.live = {chunk: c, events: [...events], starts: [0, events.length], lastTick: tick};
			// A forward-only run keeps the chunk it is in and no other.
			if (this.keepSnapshots) this.index.keep(this.live);
		} else {
			this.live = null;
		}
	}

	private takeSnapshot(): void {
		const size = estimateBytes(this.kernel);
		// A large machine is snapshotted less often, so copying it stays a small
		// part of the time spent executing ticks (a clone costs about as much as
		// a few hundred ticks per 64 KiB of state).
		const wanted = Math.max(this.chunkTicks * FIRST_INTERVAL_CHUNKS, 2 ** Math.ceil(Math.log2(Math.max(1, size / 256))));
		if (wanted > this.interval) {
			this.interval = wanted;
			if (this.kernel.tick % this.interval !== 0) return;
		}
		while (this.snapshotBytes + size > MAX_SNAPSHOT_BYTES && this.snapshots.size > 2) this.thinSnapshots();
		this.snapshots.set(this.kernel.tick, cloneKernel(this.kernel));
		this.snapshotBytes += size;
		if (this.snapshots.size > 512) this.thinSnapshots();
	}

	/** Keep every other snapshot and double the interval (tick 0 always stays). */
	private thinSnapshots(): void {
		this.interval *= 2;
		let bytes = 0;
		for (const [tick, snap] of this.snapshots) {
			if (tick % this.interval !== 0) this.snapshots.delete(tick);
			else bytes += estimateBytes(snap);
		}
		this.snapshotBytes = bytes;
	}

	/** Put the kernel at `tick` exactly (clamped to the run's end): a yield every WORK_TICKS ticks re-executed. */
	private *seekWork(tick: number): Work<void> {
		yield* this.leaveInsideWork();
		if (tick < 0) tick = 0;
		if (this.endTick !== null && tick > this.endTick) tick = this.endTick;
		if (tick === this.tick) return;
		if (tick < this.tick || tick - this.tick > this.interval) {
			let best = 0;
			for (const t of this.snapshots.keys()) if (t <= tick && t > best) best = t;
			if (tick < this.tick || best > this.tick) {
				this.kernel = cloneKernel(this.snapshots.get(best)!);
				this.cursor = this.index.firstOf(best / this.chunkTicks);
				this.live = null;
			}
		}
		const from = this.tick;
		this.prior = null;
		// Cheaper to copy the state on the way than to re-execute as much again for the stop's explanation.
		const keepPrior = tick - from > this.chunkTicks * FIRST_INTERVAL_CHUNKS;
		while (this.tick < tick && !this.ended) {
			if (keepPrior && this.tick === tick - 1) this.prior = cloneKernel(this.kernel);
			this.forward();
			if ((this.tick - from) % WORK_TICKS === 0) yield {done: this.tick - from, total: tick - from};
		}
	}

	/**
	 * What the frame and watch breakpoints look at, one entry per enabled one
	 * in list order: a frame's refcount, or the watched word of each process
	 * that has it (pid → value).
	 */
	private probe(): Probe {
		const out: Probe = [];
		for (const entry of this.breakpoints) {
			const bp = entry.breakpoint;
			if (!entry.enabled) continue;
			if (bp.kind === 'frame') out.push(bp.pfn < this.kernel.frames.refcount.length ? this.kernel.frames.refcount[bp.pfn]! : 0);
			else if (bp.kind === 'watch') out.push(watchedWords(this.kernel, bp));
		}
		return out;
	}

	/**
	 * Breakpoint hit by the tick just executed, given its events and the probe
	 * before it. A watched word changes when a process that has it before and
	 * after the tick sees another value: a process appearing (fork) or losing
	 * it (exit, munmap, exec to an image without that region) is no change.
	 */
	private check(events: KernelEvent[], before: Probe, firstIndex: number): Hit | null {
		const after = before.length > 0 ? this.probe() : before;
		const all: HitBy[] = [];
		const hit = (entry: BreakpointEntry, eventIndex: number | null): void => {
			entry.hits++;
			all.push({breakpointId: entry.id, spec: entry.breakpoint.spec, eventIndex});
		};
		let p = 0;
		for (const entry of this.breakpoints) {
			if (!entry.enabled) continue;
			const bp = entry.breakpoint;
			if (isEventBreakpoint(bp)) {
				for (let i = 0; i < events.length; i++) {
					if (matchesEvent(bp, events[i]!)) {
						hit(entry, firstIndex + i);
						break;
					}
				}
				continue;
			}
			if (bp.kind === 'tick') {
				if (this.tick === bp.tick) hit(entry, null);
				continue;
			}
			if (bp.kind === 'func') continue; // hit inside the tick, by the tracer
			const a = before[p]!;
			const b = after[p]!;
			p++;
			if (typeof a === 'number' || typeof b === 'number' ? a !== b : wordChanged(a, b)) hit(entry, null);
		}
		return all.length === 0 ? null : {...all[0]!, tick: this.tick, all};
	}

	/**
	 * Execute one tick and check the enabled breakpoints against it. A func=
	 * breakpoint stops the tick at the entry it matches (from step `fromSeq`
	 * on): the debugger is then inside the tick, and every func= breakpoint
	 * matching that entry counts a hit.
	 */
	private forwardChecked(fromSeq = 0): {events: KernelEvent[]; hit: Hit | null} {
		const before = this.probe();
		const funcs: {entry: BreakpointEntry; bp: Extract<Breakpoint, {kind: 'func'}>}[] = [];
		for (const entry of this.breakpoints) if (entry.enabled && entry.breakpoint.kind === 'func') funcs.push({entry, bp: entry.breakpoint});
		if (funcs.length === 0) {
			const events = this.forward();
			return {events, hit: this.check(events, before, this.cursor - events.length)};
		}
		let matched: BreakpointEntry[] = [];
		const r = this.traceTick((s, pid) => {
			if (s.seq < fromSeq) return false;
			matched = funcs.filter((f) => matchesKStep(f.bp, s, pid)).map((f) => f.entry);
			return matched.length > 0;
		});
		if ('stopped' in r) {
			const all: HitBy[] = matched.map((entry) => {
				entry.hits++;
				return {breakpointId: entry.id, spec: entry.breakpoint.spec, eventIndex: null, kstep: r.stopped.seq};
			});
			return {events: this.kernel.events, hit: {...all[0]!, tick: this.tick, all}};
		}
		return {events: r.events, hit: this.check(r.events, before, this.cursor - r.events.length)};
	}

	/**
	 * Execute the next tick with a tracer that stops it at the first kernel
	 * step `stopAt` accepts (given the pid of the task running the tick): the
	 * debugger is then inside the tick, at that step. Without one the tick
	 * ends as forward() ends it.
	 */
	private traceTick(stopAt: (s: KStep, pid: number | null) => boolean): {events: KernelEvent[]} | {stopped: KStep} {
		const k = this.kernel;
		const log = this.kstepLog !== null;
		let pid: number | null = null;
		let stopped: Inside | null = null;
		const tracer = new KernelTracer((s, stack) => {
			if (s.seq === 0) pid = k.tick === 0 ? 1 : k.current; // the boot is pid 1's exec (kernel_init)
			if (log) k.events.push({tick: k.tick, type: 'kstep', seq: s.seq, depth: s.depth, fn: s.fn, phase: s.phase, args: s.args, text: s.text});
			if (!stopAt(s, pid)) return false;
			stopped = {tick: k.tick, seq: s.seq, step: s, stack: stack.map((f) => ({fn: f.fn, args: f.args}))};
			return true;
		});
		try {
			return {events: this.forward(tracer)};
		} catch (error) {
			if (error !== KSTEP_STOP || stopped === null) throw error;
			// The kernel is left as the step left it: nothing on the way out repairs it.
			this.inside = stopped;
			return {stopped: (stopped as Inside).step};
		}
	}

	/** A copy of the state at `tick`, from the nearest snapshot; the debugger's own kernel is not touched. */
	private *stateAtWork(tick: number): Work<KernelState> {
		// before tick 0: the machine about to boot (the base of tick 0's kernel steps)
		if (tick < 0) return bootStart(this.scenario, this.config);
		let best = 0;
		for (const t of this.snapshots.keys()) if (t <= tick && t > best) best = t;
		const k = cloneKernel(this.snapshots.get(best)!);
		while (k.tick < tick && k.ended === null) {
			stepTick(k);
			if ((k.tick - best) % WORK_TICKS === 0) yield {done: k.tick - best, total: tick - best};
		}
		return k;
	}

	/**
	 * A copy of the state before the current tick (inside a tick: before the
	 * tick it is inside), to see what that tick did; null at tick 0.
	 */
	stateBeforeTick(): KernelState | null {
		return complete(this.stateBeforeTickWork());
	}

	/** stateBeforeTick() as a long operation: on a big machine it re-executes up to a snapshot interval. */
	*stateBeforeTickWork(): Work<KernelState | null> {
		if (this.inside !== null) return cloneKernel(yield* this.baseStateWork());
		const prior = this.prior;
		if (prior !== null && prior.tick === this.tick - 1) {
			// Handed over: the caller may run on it.
			this.prior = null;
			return prior;
		}
		return this.tick === 0 ? null : yield* this.stateAtWork(this.tick - 1);
	}

	/** The state before the tick the debugger is inside (kept for the next step in the same tick). */
	private baseState(): KernelState {
		return complete(this.baseStateWork());
	}

	/** baseState() as a long operation; dropped before its end, the debugger is still inside the tick. */
	private *baseStateWork(): Work<KernelState> {
		this.base ??= yield* this.stateAtWork(this.inside!.tick - 1);
		return this.base;
	}

	/** Back to the state before the tick the debugger is inside, if it is inside one. */
	private leaveInside(): void {
		complete(this.leaveInsideWork());
	}

	private *leaveInsideWork(): Work<void> {
		if (this.inside === null) return;
		this.kernel = cloneKernel(yield* this.baseStateWork());
		if (this.kernel.tick < 0) this.cursor = 0; // inside the boot: before it, no event yet
		this.inside = null;
		this.base = null;
		this.live = null;
	}

	/**
	 * Re-execute the tick the debugger is inside (or, between ticks, the next
	 * one, from `this.base`) and stop at the first kernel step `stopAt`
	 * accepts; when none does, the tick runs to its end.
	 */
	private retrace(stopAt: (s: KStep) => boolean): Stop {
		const base = this.inside !== null ? this.baseState() : this.base!;
		this.inside = null;
		this.kernel = cloneKernel(base);
		if (base.tick < 0) this.cursor = 0;
		this.live = null;
		const r = this.traceTick((s) => stopAt(s));
		if ('stopped' in r) {
			this.base = base;
			return this.stop('kstep', null);
		}
		this.base = null;
		return this.stop('step', null);
	}

	/**
	 * Move by kernel steps (docs/debugger.md, kernel steps), as gdb moves by lines: `into` the next
	 * step (between ticks: the first step of the next tick), `over` to the next
	 * step that is not inside a function entered now, `out` of the current
	 * function, `back` one step (from the first: before the tick; between
	 * ticks: the last step of the tick just executed), `leave` to the end of
	 * the tick. A tick without kernel steps is simply executed.
	 */
	kstep(op: KStepOp): Stop {
		return complete(this.kstepWork(op));
	}

	/**
	 * kstep() as a long operation: what may take long is finding the state
	 * before the tick (re-executed from a snapshot); the tick itself is one piece.
	 */
	*kstepWork(op: KStepOp): Work<Stop> {
		const inside = this.inside;
		if (inside === null) {
			if (op === 'back') return yield* this.kstepBackIntoWork();
			if (op !== 'into') return this.lastStop;
			if (this.ended) return this.stop('end', null);
			this.base = cloneKernel(this.kernel);
			return this.retrace(() => true);
		}
		yield* this.baseStateWork();
		const j = inside.seq;
		const d = depthAfter(inside.step);
		switch (op) {
			case 'into':
				return this.retrace((s) => s.seq > j);
			case 'over':
				return this.retrace((s) => s.seq > j && depthAfter(s) <= d);
			case 'out':
				return this.retrace((s) => s.seq > j && depthAfter(s) < d);
			case 'leave':
				return this.retrace(() => false);
			case 'back':
				if (j === 0) {
					// nothing runs before the boot's first step: stay there, as gdb at the start of its history
					if (inside.tick === 0) return this.stop('kstep', null);
					this.leaveInside();
					return this.stop('step', null);
				}
				return this.retrace((s) => s.seq === j - 1);
		}
	}

	/** `back` between ticks: into the tick just executed, at its last kernel step. */
	private *kstepBackIntoWork(): Work<Stop> {
		const t = this.tick;
		if (t === 0) {
			// into the boot, at its last step
			this.base = bootStart(this.scenario, this.config);
			const last = this.countSteps(this.base) - 1;
			if (last < 0) return this.stop('start', null);
			return this.retrace((s) => s.seq === last);
		}
		yield* this.seekWork(t - 1);
		const last = this.countSteps(this.kernel) - 1;
		if (last < 0) return this.stop('step', null);
		this.base = cloneKernel(this.kernel);
		return this.retrace((s) => s.seq === last);
	}

	/** The number of kernel steps of the tick after state `k` (on a copy). */
	private countSteps(k: KernelState): number {
		const copy = cloneKernel(k);
		let n = 0;
		copy.trace = new KernelTracer(() => {
			n++;
			return false;
		});
		stepTick(copy);
		return n;
	}

	/** To kernel step `seq` of tick `tick` (past the tick's last step: its end). */
	gotoKStep(tick: number, seq: number): Stop {
		if (tick < 0) return this.goto(0);
		if (tick === 0) {
			// the boot: from the machine before it
			complete(this.seekWork(0));
			this.base = bootStart(this.scenario, this.config);
			return this.retrace((s) => s.seq === seq);
		}
		this.goto(tick - 1);
		if (this.tick !== tick - 1 || this.ended) return this.lastStop;
		this.base = cloneKernel(this.kernel);
		return this.retrace((s) => s.seq === seq);
	}

	/** The dump's `kstep` (docs/events.md): the step and call stack when inside a tick, else null. */
	kstepDump(): KStepDump | null {
		const inside = this.inside;
		return inside === null ? null : {seq: inside.seq, stack: inside.stack.map((f) => ({fn: f.fn, args: f.args}))};
	}

	/** The number of kernel steps of the tick the debugger is inside (0 between ticks). */
	kstepCount(): number {
		return this.inside === null ? 0 : this.countSteps(this.baseState());
	}

	/** Steps `from` … `to` - 1 of the tick the debugger is inside (a window for the Kernel view). */
	kstepsOf(from: number, to: number): KStep[] {
		if (this.inside === null) return [];
		const copy = cloneKernel(this.baseState());
		const out: KStep[] = [];
		copy.trace = new KernelTracer((s) => {
			if (s.seq >= from) out.push(s);
			return s.seq >= to - 1;
		});
		try {
			stepTick(copy);
		} catch (error) {
			if (error !== KSTEP_STOP) throw error;
		}
		return out;
	}

	/**
	 * Run forward up to `maxTicks` ticks, stopping after a tick that hits a
	 * breakpoint (unless `breakpoints` is false), that `until` accepts, or at the end.
	 * Returns the stop, or null when the budget ran out first.
	 */
	run(maxTicks: number, options: RunOptions = {}): Stop | null {
		return complete(this.runWork(maxTicks, options));
	}

	/** run() as a long operation: a yield every WORK_TICKS ticks, between two of them. */
	*runWork(maxTicks: number, options: RunOptions = {}): Work<Stop | null> {
		const useBreakpoints = options.breakpoints !== false && this.breakpoints.some((b) => b.enabled);
		// Inside a tick, the rest of it comes first: its func= hits after the current step.
		let fromSeq = 0;
		let base: KernelState | null = null;
		if (this.inside !== null) {
			fromSeq = this.inside.seq + 1;
			base = yield* this.baseStateWork();
			this.leaveInside();
		}
		const total = maxTicks === Number.MAX_SAFE_INTEGER ? null : maxTicks;
		for (let n = 0; n < maxTicks; n++) {
			if (n > 0 && n % WORK_TICKS === 0) yield {done: n, total};
			if (this.ended) return this.stop('end', null);
			let events: KernelEvent[];
			if (useBreakpoints) {
				const r = this.forwardChecked(fromSeq);
				if (r.hit !== null && this.inside !== null) {
					// A func= hit: inside this tick now; the state before it is known when it is the same tick.
					if (fromSeq > 0) this.base = base;
					return this.stop('break', r.hit);
				}
				fromSeq = 0;
				if (r.hit !== null) return this.stop('break', r.hit);
				events = r.events;
			} else {
				events = this.forward();
			}
			if (options.until !== undefined && options.until(events)) return this.stop('event', null);
			if (this.ended) return this.stop('end', null);
		}
		return null;
	}

	private stop(reason: StopReason, hit: Hit | null): Stop {
		this.lastStop = {reason, tick: this.tick, hit};
		return this.lastStop;
	}

	/** `s`: one tick (or n), stopping early at a breakpoint hit. */
	step(n = 1): Stop {
		return complete(this.stepWork(n));
	}

	*stepWork(n = 1): Work<Stop> {
		return (yield* this.runWork(n)) ?? this.stop('step', null);
	}

	/** `n`: to the next tick with an event of process `pid`. */
	nextEvent(pid: number, maxTicks = Number.MAX_SAFE_INTEGER): Stop | null {
		return complete(this.nextEventWork(pid, maxTicks));
	}

	nextEventWork(pid: number, maxTicks = Number.MAX_SAFE_INTEGER): Work<Stop | null> {
		return this.runWork(maxTicks, {until: (events) => events.some((e) => eventPid(e) === pid)});
	}

	/** `c`: to the next breakpoint hit or the end; null while the budget runs out (call again). */
	continue(maxTicks = Number.MAX_SAFE_INTEGER): Stop | null {
		return this.run(maxTicks);
	}

	/** `r`: back one tick. */
	reverseStep(n = 1): Stop {
		return complete(this.reverseStepWork(n));
	}

	*reverseStepWork(n = 1): Work<Stop> {
		yield* this.seekWork(Math.max(0, this.tick - n));
		return this.stop('step', null);
	}

	/** `g`: to tick N exactly (clamped to the run's end, when it is known). */
	goto(tick: number): Stop {
		return complete(this.gotoWork(tick));
	}

	/** goto() as a long operation; dropped before its end, the debugger is at the tick the way there reached. */
	*gotoWork(tick: number): Work<Stop> {
		yield* this.seekWork(tick);
		return this.stop('goto', null);
	}

	restart(): Stop {
		return complete(this.restartWork());
	}

	*restartWork(): Work<Stop> {
		yield* this.seekWork(0);
		for (const b of this.breakpoints) b.hits = 0;
		return this.stop('start', null);
	}

	/**
	 * `R`: back to the latest earlier position at which an enabled breakpoint
	 * hits, or tick 0. A position is the end of a tick (event, tick, frame and
	 * watch breakpoints) or a kernel step inside one (func=: the entry it
	 * matches); inside tick t, its steps come before its end. Checking tick t
	 * needs the state at t-1, so the ticks are re-executed window by window,
	 * from the newest snapshot below the current tick back to tick 0: (s, end]
	 * for a snapshot s, then (s', s]... The scan does not count as hits; the
	 * stop it finds counts once.
	 */
	reverseContinue(): Stop {
		return complete(this.reverseContinueWork());
	}

	/**
	 * reverseContinue() as a long operation. Dropped before its end, the
	 * debugger is at the tick the search had reached, and no hit is counted.
	 */
	*reverseContinueWork(): Work<Stop> {
		// Where we are: inside tick t after step j, or at the end of tick t.
		const target = this.inside?.tick ?? this.tick;
		const beforeSeq = this.inside?.seq ?? Number.POSITIVE_INFINITY;
		yield* this.leaveInsideWork();
		const hasFunc = this.breakpoints.some((b) => b.enabled && b.breakpoint.kind === 'func');
		if (!this.breakpoints.some((b) => b.enabled) || (target === 0 && !hasFunc)) {
			yield* this.seekWork(0);
			return this.stop('start', null);
		}
		const counts = this.breakpoints.map((b) => b.hits);
		const restoreCounts = (): void => {
			this.breakpoints.forEach((b, i) => (b.hits = counts[i]!));
		};
		let counted = false;
		try {
			const stop = yield* this.reverseSearch(target, beforeSeq);
			restoreCounts();
			for (const h of stop.hit?.all ?? []) this.breakpoints.find((b) => b.id === h.breakpointId)!.hits++;
			counted = true;
			return stop;
		} finally {
			// The scan's hits do not count; dropped before the end, neither does the one found.
			if (!counted) restoreCounts();
		}
	}

	/**
	 * The windows of reverseContinue, newest first, from tick `target` (inside
	 * it, before step `beforeSeq`); ends at the hit found (not counted yet), or tick 0.
	 */
	private *reverseSearch(target: number, beforeSeq: number): Work<Stop> {
		const hasFunc = this.breakpoints.some((b) => b.enabled && b.breakpoint.kind === 'func');
		// The event types any enabled breakpoint can hit; null when one is not an
		// event breakpoint (tick, frame, watch, func): then no chunk can be skipped.
		let mask: number | null = 0;
		for (const b of this.breakpoints) {
			if (!b.enabled) continue;
			const types = breakpointEventTypes(b.breakpoint);
			if (types === null) {
				mask = null;
				break;
			}
			mask |= this.index.typeMask(types);
		}
		// The last tick of the window to check: the current one too when a func= entry before this position can hit in it.
		let end = hasFunc ? target : target - 1;
		while (end > 0) {
			yield {done: target - end, total: target};
			let from = 0;
			for (const t of this.snapshots.keys()) if (t < end && t > from) from = t;
			// Only as far as the last chunk of the window whose index may hold a hit.
			let c = this.index.chunkOf(end);
			while (mask !== null && c >= from / this.chunkTicks && !this.index.mayHold(c, mask)) c--;
			if (c < from / this.chunkTicks) {
				end = from;
				continue;
			}
			const last = Math.min(end, (c + 1) * this.chunkTicks);
			const done = target - end;
			yield* within(this.seekWork(from), () => ({done, total: target}));
			let found: Hit | null = null;
			while (this.tick < last) {
				const t = this.tick + 1;
				const r = this.scanTick(t === target ? beforeSeq : Number.POSITIVE_INFINITY);
				if (r.func !== null) found = r.func;
				// The end of the current tick is where we are, not before it.
				if (r.end !== null && t < target) found = r.end;
				if ((this.tick - from) % WORK_TICKS === 0) yield {done: done + (this.tick - from), total: target};
			}
			if (found !== null) {
				const hit = found;
				const there = (): Progress => ({done: target - from, total: target});
				if (hit.kstep === undefined) {
					yield* within(this.seekWork(hit.tick), there);
				} else {
					yield* within(this.seekWork(hit.tick - 1), there);
					this.base = cloneKernel(this.kernel);
					const seq = hit.kstep;
					this.retrace((s) => s.seq === seq);
				}
				return this.stop('break', hit);
			}
			end = from;
		}
		yield* within(this.seekWork(0), () => ({done: target, total: target}));
		// The boot (tick 0, pid 1's exec) has kernel steps too: a func= entry there is a hit, as going forward from the start.
		const boot = hasFunc ? this.bootFuncHit(target === 0 ? beforeSeq : Number.POSITIVE_INFINITY) : null;
		if (boot !== null) {
			this.base = bootStart(this.scenario, this.config);
			const seq = boot.kstep;
			this.retrace((s) => s.seq === seq);
			return this.stop('break', boot);
		}
		return this.stop('start', null);
	}

	/** The last func= entry of the boot before its step `beforeSeq` (every func= breakpoint that matches it), or null; on a copy. */
	private bootFuncHit(beforeSeq: number): Hit | null {
		const funcs: BreakpointEntry[] = [];
		for (const entry of this.breakpoints) if (entry.enabled && entry.breakpoint.kind === 'func') funcs.push(entry);
		const k = bootStart(this.scenario, this.config);
		let found: Hit | null = null;
		k.trace = new KernelTracer((s) => {
			if (s.seq >= beforeSeq) return false;
			const all: HitBy[] = [];
			for (const entry of funcs) {
				const bp = entry.breakpoint;
				if (bp.kind === 'func' && matchesKStep(bp, s, 1)) all.push({breakpointId: entry.id, spec: bp.spec, eventIndex: null, kstep: s.seq});
			}
			if (all.length > 0) found = {...all[0]!, tick: 0, all};
			return false;
		});
		try {
			stepTick(k);
		} finally {
			k.trace = null;
		}
		return found;
	}

	/**
	 * Execute the next tick to its end for reverseContinue's scan: the last
	 * func= entry in it before step `beforeSeq` (every func= breakpoint that
	 * matches that entry), and the hit at its end, each or null.
	 */
	private scanTick(beforeSeq: number): {func: Hit | null; end: Hit | null} {
		const before = this.probe();
		const funcs: BreakpointEntry[] = [];
		for (const entry of this.breakpoints) if (entry.enabled && entry.breakpoint.kind === 'func') funcs.push(entry);
		let func: Hit | null = null;
		let events: KernelEvent[];
		if (funcs.length === 0) {
			events = this.forward();
		} else {
			const k = this.kernel;
			const log = this.kstepLog !== null;
			let pid: number | null = null;
			const tracer = new KernelTracer((s) => {
				if (s.seq === 0) pid = k.tick === 0 ? 1 : k.current; // the boot is pid 1's exec (kernel_init)
				if (log) k.events.push({tick: k.tick, type: 'kstep', seq: s.seq, depth: s.depth, fn: s.fn, phase: s.phase, args: s.args, text: s.text});
				if (s.seq >= beforeSeq) return false;
				const all: HitBy[] = [];
				for (const entry of funcs) {
					const bp = entry.breakpoint;
					if (bp.kind === 'func' && matchesKStep(bp, s, pid)) all.push({breakpointId: entry.id, spec: bp.spec, eventIndex: null, kstep: s.seq});
				}
				if (all.length > 0) func = {...all[0]!, tick: k.tick, all};
				return false;
			});
			events = this.forward(tracer);
		}
		return {func, end: this.check(events, before, this.cursor - events.length)};
	}

	/** Pending for the TUI's "pause" of a running continue. */
	pause(): Stop {
		return this.stop('paused', null);
	}
}

/** The watched word of each process that has it: pid → value. */
function watchedWords(k: KernelState, bp: Extract<Breakpoint, {kind: 'watch'}>): Map<number, number> {
	const values = new Map<number, number>();
	const add = (pid: number, mmId: number | null): void => {
		const mm = mmId === null ? undefined : k.mms.get(mmId);
		if (mm === undefined) return;
		const value = peekUserWord(k, mm, resolveAddress(mm, bp.watch));
		if (value !== null) values.set(pid, value);
	};
	if (bp.pid !== null) {
		const task = k.tasks.get(bp.pid);
		if (task !== undefined) add(task.pid, task.mm);
	} else {
		for (const task of k.tasks.values()) add(task.pid, task.mm);
	}
	return values;
}

/** Whether a process that had the word before and has it after sees another value. */
function wordChanged(before: Map<number, number>, after: Map<number, number>): boolean {
	for (const [pid, value] of after) {
		const old = before.get(pid);
		if (old !== undefined && old !== value) return true;
	}
	return false;
}

/** A rough size of a snapshot of this state, for the snapshot budget. */
function estimateBytes(k: KernelState): number {
	const frames = k.frames.kind.length;
	// kind 1 + refcount 4 + mapcount 4 + wordIdx 2 + wordVal 8 bytes a frame, 2 KiB a page table
	return frames * 19 + k.frames.tables.size * 2200 + k.frames.moreWords.size * 200 + k.tasks.size * 400 + 4096;
}
