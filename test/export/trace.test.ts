// `run --trace FILE` through the built binary: the file is Chrome trace-event
// JSON as Perfetto and chrome://tracing read it (every slice closed, flows
// paired and bound to slices, timestamps monotone per track), and it tells the
// same run as `run --json`.

import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {MEMORY_PID, TraceWriter} from '../../source/export/trace.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {spinScenario} from '../../source/bench/scenarios.js';
import {parse} from '../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'cowdbg-trace-'));

/** fork-cow without its `break cow`: runs to the end. */
const forkCow = join(dir, 'fork.scn');
writeFileSync(
	forkCow,
	`config frames=64
program init
  map heap 4 rw-
  write heap[0] 1
  write heap[1] 1
  fork
  if ret == 0 goto child
  wait
  exit 0
child:
  write heap[0] 2
  exit 0
end
`,
);

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, ['dist/cli.js', ...args], {encoding: 'utf8', timeout: 30_000});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

type TraceEvent = {
	ph: string;
	name?: string;
	cat?: string;
	pid: number;
	tid: number;
	ts?: number;
	id?: number;
	s?: string;
	bp?: string;
	args?: Record<string, unknown>;
};
type Trace = {traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: Record<string, unknown>};

function traceOf(scenario: string, ...flags: string[]): {trace: Trace; events: KernelEvent[]} {
	const file = join(dir, `${scenario.replace(/\W/g, '_')}-${flags.join('_').replace(/\W/g, '_')}.json`);
	const r = cowdbg('run', scenario, '--json', '--trace', file, ...flags);
	expect(r.stderr).toBe('');
	expect(r.status === 0 || r.status === 1).toBe(true);
	const events = r.stdout
		.trimEnd()
		.split('\n')
		.map((l) => JSON.parse(l) as KernelEvent);
	return {trace: JSON.parse(readFileSync(file, 'utf8')) as Trace, events};
}

type Slice = {name: string; start: number; end: number};

/**
 * Checks the trace-event rules a viewer relies on and returns the slices per
 * track: every B closed by an E of the same name on the same track (kernel
 * functions, with --ksteps, nested in a running slice), slices and
 * instants in time order per track, counters in time order per series.
 */
function wellFormed(trace: Trace, kernel: Slice[] = []): Map<number, Slice[]> {
	const slices = new Map<number, Slice[]>();
	const open = new Map<number, {name: string; cat: string; start: number}[]>();
	const lastTs = new Map<string, number>();
	for (const e of trace.traceEvents) {
		expect(typeof e.ph).toBe('string');
		expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
		if (e.ph === 'M') continue;
		expect(typeof e.ts === 'number' && e.ts >= 0 && Number.isFinite(e.ts)).toBe(true);
		const ts = e.ts!;
		if (e.ph === 's' || e.ph === 'f') continue; // written once both ends are known; checked below
		const key = e.ph === 'C' ? `C ${e.pid} ${e.name}` : `${e.pid}/${e.tid}`;
		expect(ts, `${key} goes back in time at ${JSON.stringify(e)}`).toBeGreaterThanOrEqual(lastTs.get(key) ?? 0);
		lastTs.set(key, ts);
		if (e.ph === 'B') {
			const stack = open.get(e.tid) ?? [];
			if (e.cat === 'kernel') {
				// --ksteps: kernel functions nest inside their task's running slice.
				expect(stack[0]?.name, `${e.name} outside a running slice`).toBe('running');
			} else {
				expect(e.cat).toBe('state');
				expect(e.name).toMatch(/^(running|runnable|S \(sleeping\)|D \(uninterruptible\)|Z \(zombie\))$/);
				expect(stack, `a state slice opens inside another on pid ${e.tid}`).toEqual([]);
			}
			stack.push({name: e.name ?? '', cat: e.cat!, start: ts});
			open.set(e.tid, stack);
		} else if (e.ph === 'E') {
			const top = open.get(e.tid)?.pop();
			expect(top, `E without B on pid ${e.tid}`).toBeDefined();
			if (e.name !== undefined) expect(e.name).toBe(top!.name);
			if (top!.cat === 'kernel') {
				expect(ts).toBeGreaterThanOrEqual(top!.start);
				expect(Math.floor(ts), 'a kernel function closes within its tick').toBe(Math.floor(top!.start));
				kernel.push({name: top!.name, start: top!.start, end: ts});
				continue;
			}
			expect(ts).toBeGreaterThan(top!.start);
			const list = slices.get(e.tid) ?? [];
			list.push({name: top!.name, start: top!.start, end: ts});
			slices.set(e.tid, list);
		} else if (e.ph === 'i') {
			expect(['t', 'g']).toContain(e.s);
		} else if (e.ph === 'C') {
			expect(Object.values(e.args ?? {}).every((v) => typeof v === 'number')).toBe(true);
		} else {
			throw new Error(`unexpected phase ${e.ph}`);
		}
	}
	for (const [pid, stack] of open) expect(stack, `pid ${pid} has a slice left open`).toEqual([]);
	return slices;
}

function flows(trace: Trace, slices: Map<number, Slice[]>): {name: string; from: number; to: number; fromTs: number; toTs: number}[] {
	const byId = new Map<number, TraceEvent[]>();
	for (const e of trace.traceEvents) {
		if (e.ph !== 's' && e.ph !== 'f') continue;
		const list = byId.get(e.id!) ?? [];
		list.push(e);
		byId.set(e.id!, list);
	}
	const inside = (e: TraceEvent): boolean => (slices.get(e.tid) ?? []).some((s) => s.start <= e.ts! && e.ts! < s.end);
	const out = [];
	for (const [id, list] of byId) {
		expect(
			list.map((e) => e.ph),
			`flow ${id}`,
		).toEqual(['s', 'f']);
		const [s, f] = list as [TraceEvent, TraceEvent];
		expect(f.bp).toBe('e');
		expect(s.name).toBe(f.name);
		expect(f.ts!).toBeGreaterThanOrEqual(s.ts!);
		expect(inside(s), `flow ${id} starts outside a slice`).toBe(true);
		expect(inside(f), `flow ${id} ends outside a slice`).toBe(true);
		out.push({name: s.name ?? '', from: s.tid, to: f.tid, fromTs: s.ts!, toTs: f.ts!});
	}
	return out;
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
	return out;
}

const bundled = ['vfork-completion', 'vfork-coredump', 'exec-exit-wait', 'fault-oom', 'reparent-to-init', 'nommu-vfork', 'signals-exit-status'];

describe('run --trace', () => {
	for (const file of [forkCow, ...bundled.map((name) => `scenarios/${name}.scn`)]) {
		it(`${file === forkCow ? 'fork' : file}: well-formed, flows paired, the same faults as run --json`, () => {
			const {trace, events} = traceOf(file);
			expect(trace.displayTimeUnit).toBe('ms');
			const slices = wellFormed(trace);
			const fl = flows(trace, slices);
			const faults = events.filter((e) => e.type === 'fault');
			const traced = trace.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'fault');
			expect(countBy(traced, (e) => String(e.args!['kind']))).toEqual(countBy(faults, (e) => e.kind));
			for (const t of traced) expect(Object.keys(t.args!)).toEqual(expect.arrayContaining(['kind', 'addr', 'region', 'frame', 'from', 'path']));
			// A track per task, named `pid N (comm)`; one flow from each fork to the child's first run.
			const names = new Map(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args!['name'])]));
			const pids = new Set(events.flatMap((e) => ('pid' in e && typeof e.pid === 'number' ? [e.pid] : [])));
			for (const pid of pids) expect(names.get(pid)).toMatch(new RegExp(`^pid ${pid} \\(\\w+\\)$`));
			const children = events.flatMap((e) => (e.type === 'syscall' && e.child_return === true ? [e.pid] : []));
			expect(
				fl
					.filter((f) => f.name === 'fork → first run')
					.map((f) => f.to)
					.sort(),
			).toEqual(children.sort());
			const completes = events.filter((e) => e.type === 'completion' && e.action === 'complete');
			expect(fl.filter((f) => f.name.includes('wait → complete'))).toHaveLength(completes.length);
			// One CPU: running slices never overlap.
			const running = [...slices.values()]
				.flat()
				.filter((s) => s.name === 'running')
				.sort((a, b) => a.start - b.start);
			for (let i = 1; i < running.length; i++) expect(running[i]!.start).toBeGreaterThanOrEqual(running[i - 1]!.end);
			// The run's last tick closes the trace.
			const end = events.at(-1)!;
			expect(Math.max(...[...slices.values()].flat().map((s) => s.end))).toBe(end.tick + 1);
		});
	}

	it('vfork: the parent sleeps in D while the child runs, and the completion flow goes from its wait to the complete', () => {
		const {trace, events} = traceOf('scenarios/vfork-completion.scn');
		const slices = wellFormed(trace);
		const d = slices.get(1)!.find((s) => s.name === 'D (uninterruptible)')!;
		expect(d).toBeDefined();
		const child = slices.get(2)!.find((s) => s.name === 'running')!;
		expect(child.start).toBeGreaterThanOrEqual(d.start);
		expect(child.end).toBeLessThanOrEqual(d.end);
		const [flow] = flows(trace, slices).filter((f) => f.name.includes('wait → complete'));
		const wait = events.find((e) => e.type === 'completion' && e.action === 'wait')!;
		const complete = events.find((e) => e.type === 'completion' && e.action === 'complete')!;
		expect(flow).toMatchObject({from: 1, to: 2});
		expect(Math.floor(flow!.fromTs)).toBe(wait.tick);
		expect(Math.floor(flow!.toTs)).toBe(complete.tick);
	});

	it("counters: free frames and each mm's rss, at the end of the tick that changed them", () => {
		const {trace, events} = traceOf(forkCow);
		const counters = trace.traceEvents.filter((e) => e.ph === 'C');
		expect(counters.every((c) => c.pid === MEMORY_PID)).toBe(true);
		const free = counters.filter((c) => c.name === 'free frames');
		const end = events.at(-1)!;
		if (end.type !== 'end') throw new Error('no end event');
		expect(free.at(-1)!.args!['frames']).toBe(end.frames_free);
		// A cow-copy takes a frame: free frames drop by one at the end of its tick.
		const copy = events.find((e) => e.type === 'fault' && e.kind === 'cow-copy')!;
		const at = free.findIndex((c) => c.ts === copy.tick + 1);
		expect(at).toBeGreaterThan(0);
		expect(free[at]!.args!['frames']).toBe((free[at - 1]!.args!['frames'] as number) - 1);
		// The child's mm (2) is born with the fork's copied PTEs and torn down at its exit.
		const fork = events.find((e) => e.type === 'syscall' && e.name === 'fork' && e.child !== undefined)!;
		const rss2 = counters.filter((c) => c.name === 'rss mm 2');
		expect(rss2[0]).toMatchObject({ts: fork.tick + 1, args: {pages: fork.type === 'syscall' ? fork.cost!.ptes : -1}});
		expect(rss2.at(-1)!.args!['pages']).toBe(0);
	});

	it('a breakpoint stop ends the trace at the stop, with the hit as an instant', () => {
		const {trace, events} = traceOf('scenarios/fork-cow.scn', '--break', 'cow');
		const slices = wellFormed(trace);
		const stop = events.at(-1)!;
		expect(stop).toMatchObject({type: 'end', reason: 'break'});
		expect(Math.max(...[...slices.values()].flat().map((s) => s.end))).toBe(stop.tick + 1);
		expect(trace.traceEvents.some((e) => e.ph === 'i' && e.name === 'break' && e.args!['spec'] === 'cow')).toBe(true);
	});

	it("--ksteps: each kernel function a slice inside its task's running slice, each decision an instant", () => {
		const {trace, events} = traceOf('scenarios/vfork-completion.scn', '--ksteps');
		const kernel: Slice[] = [];
		wellFormed(trace, kernel);
		const enters = events.filter((e) => e.type === 'kstep' && e.phase === 'enter');
		expect(enters.length).toBeGreaterThan(10);
		expect(kernel.map((s) => s.name).sort()).toEqual(enters.map((e) => (e.type === 'kstep' ? e.fn : '')).sort());
		expect(kernel.map((s) => s.name)).toContain('wait_for_completion');
		const notes = events.filter((e) => e.type === 'kstep' && e.phase === 'note');
		expect(trace.traceEvents.filter((e) => e.ph === 'i' && e.cat === 'kernel')).toHaveLength(notes.length);
	});

	it('refuses a file it cannot create, naming the flag (exit 2)', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--trace', join(dir, 'no', 'such', 'dir', 't.json'));
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/^cowdbg: --trace '.*t\.json': /);
	});

	it('streams: the writer hands the file over in bounded chunks as the run goes', () => {
		const dbg = new Debugger(parse(spinScenario(8, 200_000)));
		const chunks: number[] = [];
		let tickAtFirstChunk = -1;
		const writer = new TraceWriter(
			(chunk) => {
				if (chunks.length === 0) tickAtFirstChunk = dbg.tick;
				chunks.push(chunk.length);
			},
			{scenario: 'spin', file: 'spin.scn'},
		);
		writer.tick(dbg.kernel, dbg.eventsOf(0));
		dbg.onEvents = (events) => writer.tick(dbg.kernel, events);
		while (dbg.continue(65_536) === null) {
			// run to the end
		}
		writer.finish();
		expect(chunks.length).toBeGreaterThan(2);
		expect(tickAtFirstChunk).toBeLessThan(200_000);
		expect(Math.max(...chunks)).toBeLessThan(2 * 1024 * 1024);
	});
});
