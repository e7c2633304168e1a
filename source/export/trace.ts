// `run --trace FILE`: the run as Chrome trace-event JSON (the JSON Object
// Format, {"traceEvents": [...]}), which ui.perfetto.dev and chrome://tracing
// both open. One tick is one microsecond. The file is written as the run goes:
// the writer holds one open slice per live task, the last value of each
// counter and the flows whose end has not happened yet, never the run.
//
// Layout: every task is a process of its own with one thread track named
// `pid N (comm)`. A task keeps its pid for life, while its mm changes at exec
// and is shared by a vfork child only until the child's exec or exit, so a
// process per mm would cut one task's timeline in two. The memory counters
// (free frames, the rss of each mm) live together in one "memory" process,
// where a fork's copies and a teardown's frees read side by side.
//
// Within tick t (the interval [t, t+1) µs): each task's state is a slice
// (`running` if it ran in tick t, else what it was at the start of the tick:
// `runnable`, `S`, `D`, `Z`); the tick's events are instants spread inside it
// in log order; counters take their value at the end of the tick (t+1).

import type {DebugEvent} from '../debugger/events.js';
import type {KernelState, TaskState} from '../kernel/types.js';
import {waitText} from '../debugger/views.js';

/** The pid of the process that holds the memory counters: PID_MAX_LIMIT, never a task's pid in Linux. */
export const MEMORY_PID = 4_194_304;

/** Bytes of JSON gathered before they are handed to the sink. */
const CHUNK = 1 << 20;

type Open = {name: string; start: number};

type PendingFlow = {id: number; name: string; pid: number; ts: number};

const stateSlice: Record<TaskState, string> = {
	R: 'runnable',
	S: 'S (sleeping)',
	D: 'D (uninterruptible)',
	Z: 'Z (zombie)',
	X: 'X (dead)',
};

/** µs with nanosecond precision, as the trace-event format's `ts` wants it. */
function ts(t: number): number {
	return Math.round(t * 1000) / 1000;
}

export type TraceMeta = {scenario: string; file: string};

export class TraceWriter {
	private readonly sink: (chunk: string) => void;
	/** JSON not yet handed to the sink (a rope: appending is cheap, the sink flattens it). */
	private buffer = '';
	private first = true;
	/** pid → the state slice open on its track. */
	private readonly open = new Map<number, Open>();
	/** pid → its state at the end of the previous tick (what it shows in the next one unless it runs). */
	private readonly prevState = new Map<number, TaskState>();
	private readonly comm = new Map<number, string>();
	/** Tasks that have run at least once (for the fork → first-run flow). */
	private readonly hasRun = new Set<number>();
	/** child pid → the flow from its fork, until it first runs. */
	private readonly forkFlows = new Map<number, PendingFlow>();
	/** completion id → the flow from its wait, until its complete. */
	private readonly waitFlows = new Map<number, PendingFlow>();
	private nextFlow = 1;
	private lastFree = -1;
	/** mm id → last rss written. */
	private readonly rss = new Map<number, number>();
	private nextPid = 1;
	/** Tasks whose state changed in the last tick, and the task that ran in it. */
	private changed: number[] = [];
	private ranBefore: number | null = null;
	/** Kernel functions entered and not yet left in this tick (--ksteps). */
	private kstack: {pid: number; fn: string}[] = [];
	private lastTick = 0;
	private finished = false;

	constructor(sink: (chunk: string) => void, meta: TraceMeta) {
		this.sink = sink;
		const otherData = {generator: 'cowdbg', scenario: meta.scenario, file: meta.file, clock: '1 tick = 1 µs'};
		this.raw(`{"displayTimeUnit":"ms","otherData":${JSON.stringify(otherData)},"traceEvents":[\n`);
		this.emit({ph: 'M', name: 'process_name', pid: MEMORY_PID, tid: MEMORY_PID, args: {name: 'memory'}});
		this.emit({ph: 'M', name: 'process_sort_index', pid: MEMORY_PID, tid: MEMORY_PID, args: {sort_index: -1}});
	}

	private raw(text: string): void {
		this.buffer += text;
		if (this.buffer.length >= CHUNK) this.flush();
	}

	private emit(event: Record<string, unknown>): void {
		this.raw((this.first ? '' : ',\n') + JSON.stringify(event));
		this.first = false;
	}

	private flush(): void {
		if (this.buffer === '') return;
		this.sink(this.buffer);
		this.buffer = '';
	}

	private name(pid: number, comm: string): void {
		if (this.comm.get(pid) === comm) return;
		const isNew = !this.comm.has(pid);
		this.comm.set(pid, comm);
		this.emit({ph: 'M', name: 'process_name', pid, tid: pid, args: {name: comm}});
		this.emit({ph: 'M', name: 'thread_name', pid, tid: pid, args: {name: `pid ${pid} (${comm})`}});
		if (isNew) this.emit({ph: 'M', name: 'process_sort_index', pid, tid: pid, args: {sort_index: pid}});
	}

	/** Hand-formatted: state slices are most of a long run's file. */
	private begin(pid: number, name: string, t: number, mm: number | null, waits: string): void {
		this.open.set(pid, {name, start: t});
		const args = waits === '' ? `{"mm":${mm}}` : `{"mm":${mm},"waits":${JSON.stringify(waits)}}`;
		this.raw(`${this.first ? '' : ',\n'}{"ph":"B","name":"${name}","cat":"state","pid":${pid},"tid":${pid},"ts":${ts(t)},"args":${args}}`);
		this.first = false;
	}

	private end(pid: number, t: number): void {
		const o = this.open.get(pid);
		if (o === undefined) return;
		this.open.delete(pid);
		// An E closes the slice open on its track: it needs no name.
		this.raw(`,\n{"ph":"E","pid":${pid},"tid":${pid},"ts":${ts(t)}}`);
	}

	/** One flow arrow, written once both of its ends are known. */
	private flow(from: PendingFlow, toPid: number, toTs: number): void {
		this.emit({ph: 's', name: from.name, cat: 'flow', id: from.id, pid: from.pid, tid: from.pid, ts: ts(from.ts)});
		this.emit({ph: 'f', bp: 'e', name: from.name, cat: 'flow', id: from.id, pid: toPid, tid: toPid, ts: ts(toTs)});
	}

	/**
	 * Record tick `k.tick`, given its events; call it for tick 0 (the boot)
	 * and then after every tick, in order.
	 */
	tick(k: KernelState, events: readonly DebugEvent[]): void {
		const t = k.tick;
		this.lastTick = t;
		// The boot is pid 1's exec: it counts as pid 1 running in tick 0.
		const ran = t === 0 ? (k.tasks.has(1) ? 1 : null) : k.lastRan;
		// New tasks: name their tracks; a fork's flow starts on the parent's track.
		const created = this.nextPid < k.nextPid;
		for (; this.nextPid < k.nextPid; this.nextPid++) {
			const task = k.tasks.get(this.nextPid);
			if (task === undefined) continue;
			this.name(task.pid, task.comm);
			if (t > 0 && this.comm.has(task.ppid)) {
				this.forkFlows.set(task.pid, {id: this.nextFlow++, name: 'fork → first run', pid: task.ppid, ts: t + 0.5});
			}
		}
		// State slices for [t, t+1): only a task that ran in this tick or the
		// last one, or whose state changed in the last one, can show another.
		for (const pid of this.changed) this.showState(k, pid, ran, t);
		if (this.ranBefore !== null) this.showState(k, this.ranBefore, ran, t);
		if (ran !== null) {
			this.show(k, ran, 'running', t);
			if (!this.hasRun.has(ran)) {
				this.hasRun.add(ran);
				const f = this.forkFlows.get(ran);
				if (f !== undefined) {
					this.forkFlows.delete(ran);
					this.flow(f, ran, t + 0.5);
				}
			}
		}
		this.ranBefore = ran;
		// The tick's events as instants, spread over (t, t+1) in log order.
		const n = events.length;
		let changes = created || this.prevState.size !== k.tasks.size;
		for (let i = 0; i < n; i++) {
			const e = events[i]!;
			if (e.type === 'state' || e.type === 'exec') changes = true;
			if (e.type === 'kstep') this.kstep(e, ran, t + (i + 1) / (n + 1));
			else this.instant(k, e, t + (i + 1) / (n + 1));
		}
		// A kernel function still open at the end of the tick (its task blocked in it) closes with the tick.
		while (this.kstack.length > 0) this.kend(t + (n + 0.5) / (n + 1));
		// States at the end of the tick (a state changes only with a `state` event).
		this.changed = [];
		if (changes) {
			for (const task of k.tasks.values()) {
				if (task.state === 'X') continue;
				if (this.prevState.get(task.pid) !== task.state) {
					this.prevState.set(task.pid, task.state);
					this.changed.push(task.pid);
				}
				if (task.comm !== this.comm.get(task.pid)) this.name(task.pid, task.comm);
			}
			for (const pid of this.prevState.keys()) {
				const task = k.tasks.get(pid);
				if (task === undefined || task.state === 'X') {
					this.prevState.delete(pid);
					this.end(pid, t + 1);
				}
			}
		}
		// Memory changes only with an event (a fault, a system call, an exit).
		if (n > 0) this.counters(k, t + 1);
	}

	private showState(k: KernelState, pid: number, ran: number | null, t: number): void {
		if (pid === ran) return;
		const state = this.prevState.get(pid);
		if (state !== undefined) this.show(k, pid, stateSlice[state], t);
	}

	private show(k: KernelState, pid: number, name: string, t: number): void {
		const o = this.open.get(pid);
		if (o !== undefined && o.name === name) return;
		this.end(pid, t);
		const task = k.tasks.get(pid);
		const waits = task !== undefined && name !== 'running' && name !== 'runnable' ? waitText(k, task) : '';
		this.begin(pid, name, t, task?.mm ?? null, waits);
	}

	/**
	 * `--ksteps`: the kernel functions of the tick as slices nested in its
	 * task's running slice (a flame graph of each tick), decisions as instants.
	 */
	private kstep(e: Extract<DebugEvent, {type: 'kstep'}>, ran: number | null, at: number): void {
		if (ran === null) return; // no task in the tick: nowhere to draw it
		if (e.phase === 'enter') {
			this.kstack.push({pid: ran, fn: e.fn});
			this.emit({ph: 'B', name: e.fn, cat: 'kernel', pid: ran, tid: ran, ts: ts(at), args: e.args});
		} else if (e.phase === 'exit') {
			const i = this.kstack.findLastIndex((f) => f.fn === e.fn);
			if (i < 0) return; // entered in an earlier tick, already closed there
			while (this.kstack.length > i) this.kend(at);
		} else {
			this.emit({ph: 'i', s: 't', name: e.text ?? e.fn, cat: 'kernel', pid: ran, tid: ran, ts: ts(at), args: {fn: e.fn, ...e.args}});
		}
	}

	private kend(at: number): void {
		const f = this.kstack.pop()!;
		this.raw(`,\n{"ph":"E","pid":${f.pid},"tid":${f.pid},"ts":${ts(at)}}`);
	}

	private instant(k: KernelState, e: DebugEvent, at: number): void {
		switch (e.type) {
			case 'state':
			case 'sched':
				return; // shown as the slices themselves
			case 'kstep':
				return; // kernel steps are the --ksteps log's, not the trace's
			case 'break':
			case 'panic':
			case 'end': {
				const {tick: _t, type: _y, ...args} = e;
				this.emit({
					ph: 'i',
					s: 'g',
					name: e.type === 'end' ? `end: ${e.reason}` : e.type,
					cat: e.type,
					pid: MEMORY_PID,
					tid: MEMORY_PID,
					ts: ts(at),
					args,
				});
				return;
			}
			default:
				break;
		}
		const pid = e.type === 'completion' ? e.by : e.pid;
		if (!this.comm.has(pid)) {
			const task = k.tasks.get(pid);
			if (task === undefined) return;
			this.name(pid, task.comm);
		}
		const {tick: _t, type: _y, ...args} = e;
		this.emit({ph: 'i', s: 't', name: instantName(e), cat: e.type, pid, tid: pid, ts: ts(at), args});
		if (e.type === 'completion') {
			if (e.action === 'wait') this.waitFlows.set(e.id, {id: this.nextFlow++, name: `completion #${e.id}: wait → complete`, pid, ts: at});
			else if (e.action === 'complete') {
				const f = this.waitFlows.get(e.id);
				if (f !== undefined) {
					this.waitFlows.delete(e.id);
					this.flow(f, pid, at);
				}
			}
		}
	}

	private counters(k: KernelState, at: number): void {
		const free = k.frames.free;
		if (free !== this.lastFree) {
			this.lastFree = free;
			this.emit({ph: 'C', name: 'free frames', pid: MEMORY_PID, tid: MEMORY_PID, ts: ts(at), args: {frames: free}});
		}
		for (const mm of k.mms.values()) {
			if (this.rss.get(mm.id) === mm.rss) continue;
			this.rss.set(mm.id, mm.rss);
			this.emit({ph: 'C', name: `rss mm ${mm.id}`, pid: MEMORY_PID, tid: MEMORY_PID, ts: ts(at), args: {pages: mm.rss}});
		}
		for (const id of this.rss.keys()) {
			if (k.mms.has(id)) continue;
			this.rss.delete(id);
			this.emit({ph: 'C', name: `rss mm ${id}`, pid: MEMORY_PID, tid: MEMORY_PID, ts: ts(at), args: {pages: 0}});
		}
	}

	/**
	 * Close every open slice at the end of the last tick and the JSON; flush.
	 * `extra` are events of the stop that the kernel did not emit (a
	 * breakpoint hit and its end), shown as global instants there.
	 */
	finish(extra: readonly DebugEvent[] = []): void {
		if (this.finished) return;
		this.finished = true;
		const end = this.lastTick + 1;
		for (const e of extra) {
			const {tick: _t, type: _y, ...args} = e;
			this.emit({ph: 'i', s: 'g', name: e.type === 'end' ? `end: ${e.reason}` : e.type, cat: e.type, pid: MEMORY_PID, tid: MEMORY_PID, ts: end, args});
		}
		for (const pid of [...this.open.keys()].sort((a, b) => a - b)) this.end(pid, end);
		this.raw('\n]}\n');
		this.flush();
	}
}

function instantName(e: DebugEvent): string {
	switch (e.type) {
		case 'fault':
			return `fault ${e.kind}`;
		case 'syscall':
			return e.child_return === true ? `${e.name}() = 0 (child)` : `${e.name}()`;
		case 'completion':
			return `completion ${e.action}`;
		case 'signal':
			return `${e.signal} ${e.action}`;
		case 'expect':
			return e.ok ? 'expect ok' : 'expect FAILED';
		default:
			return e.type;
	}
}
