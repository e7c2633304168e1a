// `cowdbg compare SCENARIO [--kernel A --kernel B] [--json]` (SPEC §3): the
// same scenario under two kernel eras, side by side from the first event
// where the runs part (with a few events of context), then a table of what
// differs in total: fault kinds by count, expects, end reason, exit statuses.
// Exit 0 when the runs are the same, 1 when they differ, 2 for bad input.

import {describeEvent} from '../debugger/format.js';
import {UsageError, loadScenario} from '../debugger/load.js';
import type {KernelEvent} from '../kernel/events.js';
import {boot, stepTick} from '../kernel/kernel.js';
import type {Config} from '../kernel/program.js';
import {cut, padEnd} from '../tui/text.js';
import {visible} from '../scenario/visible.js';
import type {Output} from './output.js';

export const ERAS = ['2.6.32', '6.18'] as const;
type Era = Config['kernel'];

/** Events shown before the first difference, and from it on. */
const BEFORE = 3;
const AFTER = 12;
/** A run longer than this is cut (compare is for teaching scenarios, not 100M-tick runs). */
const MAX_EVENTS = 2_000_000;

type Run = {kernel: Era; events: KernelEvent[]; end: string; cut: boolean};

function runUnder(file: string, overrides: string[], kernel: Era): Run {
	const loaded = loadScenario(file, [...overrides, `kernel=${kernel}`]);
	const k = boot(loaded.scenario, loaded.config);
	const events: KernelEvent[] = [...k.events];
	let cut = false;
	while (k.ended === null) {
		events.push(...stepTick(k));
		if (events.length > MAX_EVENTS) {
			cut = true;
			break;
		}
	}
	return {kernel, events, end: k.ended ?? 'cut', cut};
}

type Side = {kernel: Era; faults: Record<string, number>; expects: {passed: number; failed: number}; end: string; exits: Record<string, string>};

function summarize(r: Run): Side {
	const faults: Record<string, number> = {};
	const exits: Record<string, string> = {};
	let passed = 0;
	let failed = 0;
	for (const e of r.events) {
		if (e.type === 'fault') faults[e.kind] = (faults[e.kind] ?? 0) + 1;
		else if (e.type === 'expect') {
			if (e.ok) passed++;
			else failed++;
		} else if (e.type === 'exit') exits[`pid ${e.pid}`] = e.signal === null ? `code ${e.code}` : `${e.signal}${e.core ? ' (core)' : ''}`;
	}
	return {kernel: r.kernel, faults, expects: {passed, failed}, end: r.end, exits};
}

/** The expects whose result differs: `line: A → B` (ok, FAILED, or not run). */
function expectDifferences(a: Run, b: Run): {line: number; text: string; a: string; b: string}[] {
	const result = (r: Run): Map<number, {text: string; ok: boolean[]}> => {
		const m = new Map<number, {text: string; ok: boolean[]}>();
		for (const e of r.events) {
			if (e.type !== 'expect') continue;
			const x = m.get(e.line) ?? {text: e.text, ok: []};
			x.ok.push(e.ok);
			m.set(e.line, x);
		}
		return m;
	};
	const ra = result(a);
	const rb = result(b);
	const lines = [...new Set([...ra.keys(), ...rb.keys()])].sort((x, y) => x - y);
	const show = (x: {ok: boolean[]} | undefined): string =>
		x === undefined ? 'not run' : x.ok.every((o) => o) ? `ok${x.ok.length > 1 ? ` ×${x.ok.length}` : ''}` : 'FAILED';
	const out: {line: number; text: string; a: string; b: string}[] = [];
	for (const line of lines) {
		const sa = show(ra.get(line));
		const sb = show(rb.get(line));
		if (sa !== sb) out.push({line, text: (ra.get(line) ?? rb.get(line))!.text, a: sa, b: sb});
	}
	return out;
}

/**
 * Each event as text with its frame numbers renamed by first appearance in
 * its run: the eras' kernel stacks (THREAD_SIZE 2 or 4 frames) shift every
 * PFN, which is no difference in what the kernel did.
 */
function canonical(events: KernelEvent[]): string[] {
	const names = new Map<number, number>();
	const name = (pfn: number | null): number | null => {
		if (pfn === null) return null;
		let n = names.get(pfn);
		if (n === undefined) names.set(pfn, (n = names.size));
		return n;
	};
	return events.map((e) => {
		switch (e.type) {
			case 'fault':
				return JSON.stringify({...e, frame: name(e.frame), from: name(e.from)});
			case 'unprotected':
			case 'pin':
				return JSON.stringify({...e, frame: name(e.frame)});
			default:
				return JSON.stringify(e);
		}
	});
}

export function compareCommand(file: string, kernels: string[], overrides: string[], json: boolean, output: Output): number {
	if (kernels.length !== 0 && kernels.length !== 2)
		throw new UsageError('cowdbg: --kernel: compare takes two eras (--kernel A --kernel B), or none for 2.6.32 and 6.18');
	for (const k of kernels) {
		if (!(ERAS as readonly string[]).includes(k)) throw new UsageError(`cowdbg: --kernel: '${visible(k)}' is not a kernel era: 2.6.32 or 6.18`);
	}
	const [ka, kb] = (kernels.length === 2 ? kernels : [...ERAS]) as [Era, Era];
	const a = runUnder(file, overrides, ka);
	const b = runUnder(file, overrides, kb);
	const ca = canonical(a.events);
	const cb = canonical(b.events);
	const same = (i: number): boolean => ca[i] !== undefined && ca[i] === cb[i];
	let first = -1;
	const n = Math.max(a.events.length, b.events.length);
	for (let i = 0; i < n; i++) {
		if (!same(i)) {
			first = i;
			break;
		}
	}
	const sa = summarize(a);
	const sb = summarize(b);
	const expects = expectDifferences(a, b);
	const differ = first >= 0;
	if (json) {
		output.write(
			JSON.stringify({
				file,
				kernels: [ka, kb],
				same: !differ,
				first_difference: differ
					? {index: first, tick: (a.events[first] ?? b.events[first])!.tick, a: a.events[first] ?? null, b: b.events[first] ?? null}
					: null,
				summary: [sa, sb],
				expects,
			}) + '\n',
		);
		return differ ? 1 : 0;
	}
	const lines: string[] = [];
	lines.push(`${visible(file)}: kernel ${ka} and kernel ${kb}`);
	if (!differ) {
		lines.push(`the same run: ${a.events.length} events, identical under both kernels (frame numbers aside: their kernel stacks differ in size)`);
	} else {
		const w = 58;
		const cell = (e: KernelEvent | undefined): string => cut(e === undefined ? '' : `${String(e.tick).padStart(5)} ${visible(describeEvent(e))}`, w);
		const pad = (s: string): string => padEnd(s, w);
		lines.push(`they part at event ${first} (tick ${(a.events[first] ?? b.events[first])!.tick}):`);
		lines.push('');
		lines.push(`  ${pad(`kernel ${ka}`)} │ kernel ${kb}`);
		lines.push(`  ${'─'.repeat(w)}─┼─${'─'.repeat(w)}`);
		for (let i = Math.max(0, first - BEFORE); i < Math.min(n, first + AFTER); i++) {
			const mark = same(i) ? ' ' : '≠';
			lines.push(`${mark} ${pad(cell(a.events[i]))} │ ${cell(b.events[i])}`);
		}
		if (first + AFTER < n) lines.push(`  … ${n - first - AFTER} more events`);
	}
	lines.push('');
	lines.push(...table(sa, sb, expects));
	if (a.cut || b.cut) lines.push(`(a run was cut after ${MAX_EVENTS} events)`);
	output.write(lines.join('\n') + '\n');
	return differ ? 1 : 0;
}

function table(a: Side, b: Side, expects: {line: number; text: string; a: string; b: string}[]): string[] {
	const rows: [string, string, string][] = [];
	const kinds = [...new Set([...Object.keys(a.faults), ...Object.keys(b.faults)])].sort();
	for (const kind of kinds) rows.push([`fault ${kind}`, String(a.faults[kind] ?? 0), String(b.faults[kind] ?? 0)]);
	rows.push(['expects ok/failed', `${a.expects.passed}/${a.expects.failed}`, `${b.expects.passed}/${b.expects.failed}`]);
	rows.push(['end', a.end, b.end]);
	const pids = [...new Set([...Object.keys(a.exits), ...Object.keys(b.exits)])].sort((x, y) => Number(x.slice(4)) - Number(y.slice(4)));
	for (const pid of pids) rows.push([`exit ${pid}`, a.exits[pid] ?? '-', b.exits[pid] ?? '-']);
	for (const e of expects) rows.push([`expect line ${e.line}`, e.a, e.b]);
	const w0 = Math.max(...rows.map((r) => r[0].length), 'what'.length);
	const w1 = Math.max(...rows.map((r) => r[1].length), a.kernel.length);
	const w2 = Math.max(...rows.map((r) => r[2].length), b.kernel.length);
	const out = [`  ${'what'.padEnd(w0)}  ${a.kernel.padStart(w1)}  ${b.kernel.padStart(w2)}`];
	for (const [what, x, y] of rows) out.push(`${x === y ? ' ' : '≠'} ${what.padEnd(w0)}  ${x.padStart(w1)}  ${y.padStart(w2)}`);
	for (const e of expects) out.push(`  line ${e.line}: ${visible(e.text)}`);
	return out;
}
