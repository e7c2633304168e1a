// The debugger keeps no log: any window of it is regenerated from snapshots.
// What it regenerates equals, byte for byte, what a plain forward run prints,
// across chunk and snapshot boundaries (tiny chunks put boundaries
// everywhere), for every bundled scenario and random ones; the TUI's Log pane
// at the end of a long run shows the run's last lines; the filter works over
// the whole run.

import {readdirSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {spinScenario} from '../../source/bench/scenarios.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {describeEvent, eventJson, formatEvent} from '../../source/debugger/format.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import type {Scenario} from '../../source/scenario/ast.js';
import {renderFrame} from '../../source/tui/render/frame.js';
import {initialState} from '../../source/tui/state.js';
import {createModel} from '../../source/tui/render/model.js';
import {parse} from '../helpers/run.js';
import {checkScenarioProperty, parseOrThrow, runs} from '../property/harness.js';
import {scenarioArb} from '../property/scenario-arb.js';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const bundled = readdirSync(dir)
	.filter((f) => f.endsWith('.scn'))
	.sort()
	.map((f) => ({name: f, scenario: parse(readFileSync(dir + f, 'utf8'), f)}));

/** What `run` prints, event by event: text and JSON, with the tick of each. */
function forwardRun(s: Scenario, maxTicks = Number.MAX_SAFE_INTEGER): {lines: string[]; json: string[]; ticks: number[]; last: number} {
	const k = boot(s);
	const all: KernelEvent[] = [...k.events];
	while (k.ended === null && k.tick < maxTicks) all.push(...stepTick(k));
	return {lines: all.map(formatEvent), json: all.map(eventJson), ticks: all.map((e) => e.tick), last: k.tick};
}

function random(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
		return s / 2 ** 32;
	};
}

/**
 * Regenerate windows of the log at random, with the kept chunks dropped in
 * between, and the kernel left at random ticks; returns the first difference.
 */
function windowsDiffer(s: Scenario, chunkTicks: number, seed: number, windows = 30): string | null {
	const ref = forwardRun(s);
	const dbg = new Debugger(s, s.config, [], {chunkTicks});
	dbg.goto(ref.last);
	if (dbg.visibleEvents() !== ref.lines.length) return `${dbg.visibleEvents()} events, the run has ${ref.lines.length}`;
	const rnd = random(seed);
	const n = ref.lines.length;
	for (let w = 0; w < windows; w++) {
		if (rnd() < 0.5) dbg.index.forget();
		if (rnd() < 0.3) dbg.goto(Math.floor(rnd() * (ref.last + 1)));
		const from = Math.floor(rnd() * n);
		const to = Math.min(n, from + 1 + Math.floor(rnd() * 3 * chunkTicks * 4));
		const got = dbg.events(from, to);
		for (let i = from; i < to; i++) {
			const e = got[i - from];
			if (e === undefined || formatEvent(e) !== ref.lines[i] || eventJson(e) !== ref.json[i]) {
				return `event ${i} (window ${from}…${to}, chunks of ${chunkTicks}): ${e === undefined ? 'missing' : eventJson(e)} !== ${ref.json[i]}`;
			}
		}
	}
	// every tick's own events, and the count through it
	dbg.index.forget();
	let first = 0;
	for (let t = 0; t <= ref.last; t++) {
		let end = first;
		while (end < n && ref.ticks[end] === t) end++;
		const got = dbg.eventsOf(t).map(eventJson);
		if (got.join('\n') !== ref.json.slice(first, end).join('\n')) return `eventsOf(${t}) differs`;
		if (dbg.visibleEvents(t) !== end) return `visibleEvents(${t}) = ${dbg.visibleEvents(t)}, not ${end}`;
		first = end;
	}
	return null;
}

describe('the log regenerated from snapshots', () => {
	describe.each(bundled)('$name', ({scenario}) => {
		it.each([1, 8])('equals the forward run byte for byte (chunks of %i ticks)', (chunkTicks) => {
			expect(windowsDiffer(scenario, chunkTicks, 7)).toBe(null);
		});
	});

	it('equals the forward run for random scenarios', () => {
		checkScenarioProperty(
			'log-regenerated',
			scenarioArb(),
			(source) => {
				const s = parseOrThrow(source);
				for (const chunkTicks of [1, 4]) {
					const d = windowsDiffer(s, chunkTicks, source.length);
					if (d !== null) throw new Error(d);
				}
			},
			{numRuns: runs(30, 1000)},
		);
	});

	it('a hit names its event by its index in the whole log, after reverse-continue too', () => {
		const s = bundled.find((b) => b.name === 'fork-cow.scn')!.scenario;
		const ref = forwardRun(s);
		const dbg = new Debugger(s, s.config, ['fault'], {chunkTicks: 2});
		const hits: number[] = [];
		for (let stop = dbg.continue(); stop !== null && stop.reason === 'break'; stop = dbg.continue()) {
			hits.push(stop.hit!.eventIndex!);
			dbg.index.forget();
			expect(eventJson(dbg.event(stop.hit!.eventIndex!))).toBe(ref.json[stop.hit!.eventIndex!]);
		}
		expect(hits.length).toBeGreaterThan(1);
		// back through every hit, newest first
		for (const i of [...hits].reverse()) {
			const stop = dbg.reverseContinue();
			expect(stop.reason).toBe('break');
			expect(stop.hit!.eventIndex).toBe(i);
		}
	});
});

describe('reverse-continue skips the chunks whose index holds no event a breakpoint can match', () => {
	/** The ticks reverse-continue stops at, from the end back to tick 0. */
	function backwards(s: Scenario, specs: string[], chunkTicks: number): number[] {
		const dbg = new Debugger(s, s.config, specs, {chunkTicks});
		while (dbg.run(Number.MAX_SAFE_INTEGER, {breakpoints: false}) === null) {
			// to the end
		}
		const ticks: number[] = [];
		for (let stop = dbg.reverseContinue(); stop.reason === 'break'; stop = dbg.reverseContinue()) ticks.push(stop.tick);
		return ticks;
	}

	it.each(bundled)('$name: the same stops as a scan of every tick', ({scenario}) => {
		// a tick breakpoint that never hits makes reverse-continue scan every tick
		const never = 'tick=999999999';
		for (const spec of ['cow', 'exit', 'completion', 'syscall:name=wait', 'signal']) {
			expect(backwards(scenario, [spec], 2), spec).toEqual(backwards(scenario, [spec, never], 2));
		}
	});
});

describe('a long run', () => {
	const ticks = 60_000;
	const s = parse(spinScenario(8, ticks), 'spin.scn');

	it('the Log pane at the end shows the last lines `run` prints', () => {
		const ref = forwardRun(s);
		const dbg = new Debugger(s);
		while (dbg.continue(10_000) === null) {
			// to the end
		}
		expect(dbg.tick).toBe(ticks);
		dbg.index.forget();
		const m = createModel(dbg, {...initialState(1), focus: 'log'});
		const frame = renderFrame(m, 200, 60).replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
		// the pane's rows: "▶"/" ", the tick, the event's sentence
		const shown = frame
			.split('\n')
			.map((l) => /^\W*\s(\d+) (.*?)\s*│?\s*$/u.exec(l.replace(/^[│ ]+/u, ' ')))
			.filter((x): x is RegExpExecArray => x !== null);
		const tail = ref.lines.slice(-8).map((l) => l.trim().replace(/^(\d+)\s+/, '$1 '));
		const shownText = shown.map((x) => `${x[1]} ${x[2]}`);
		for (const line of tail) expect(shownText).toContain(line);
	});

	it('the filter counts and shows matches over the whole run, in order', () => {
		const ref = forwardRun(s);
		const dbg = new Debugger(s, s.config, [], {chunkTicks: 256});
		dbg.goto(ticks);
		const all = dbg.events(0, dbg.visibleEvents());
		expect(all.length).toBe(ref.lines.length);
		const wanted = all.map((e, i) => ({e, i})).filter(({e}) => e.type === 'sched' && e.to === 3);
		const m = createModel(dbg, initialState(1));
		const query = m.cache.filterQuery(dbg, 'type:sched pid:3');
		expect(query).not.toBe(null);
		expect(query!.count(dbg.visibleEvents())).toBe(wanted.length);
		dbg.index.forget();
		expect(query!.window(100, 110, dbg.visibleEvents())).toEqual(wanted.slice(100, 110).map((w) => w.i));
		expect(query!.window(wanted.length - 5, wanted.length, dbg.visibleEvents())).toEqual(wanted.slice(-5).map((w) => w.i));
		// a type that never occurs: every chunk is skipped
		const none = m.cache.filterQuery(dbg, 'type:panic');
		expect(none!.count(dbg.visibleEvents())).toBe(0);
		expect(describeEvent(dbg.event(wanted[0]!.i))).toBe('sched 2 → 3');
	});

	it('keeps the events of a few chunks only, however many the run has', () => {
		const long = parse(spinScenario(8, 300_000).replace('quantum=3', 'quantum=1'), 'spin1.scn');
		const dbg = new Debugger(long);
		dbg.goto(300_000);
		expect(dbg.visibleEvents()).toBeGreaterThan(300_000);
		expect(dbg.index.chunks).toBe(Math.ceil(300_000 / 1024));
		expect(dbg.index.keptEvents).toBeLessThanOrEqual(32_768 + 1024 * 4);
	});
});
