// The JSON Lines serializer (`run --json`) writes each event byte for byte as
// JSON.stringify does (control characters it leaves raw written as \u escapes): over every bundled scenario, random scenarios, and
// strings that need escaping.

import {readdirSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {describeEvent, eventJson} from '../../source/debugger/format.js';
import {visibleJson} from '../../source/scenario/visible.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {checkScenarioProperty, parseOrThrow, runs} from '../property/harness.js';
import {scenarioArb} from '../property/scenario-arb.js';
import {parse} from '../helpers/run.js';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The first event whose serialisation differs, or null. */
function firstMismatch(source: string, file: string): string | null {
	const s = file.endsWith('generated.scn') ? parseOrThrow(source) : parse(source, file);
	const k = boot(s);
	let events: KernelEvent[] = k.events;
	for (;;) {
		for (const e of events) {
			const mine = eventJson(e);
			const theirs = visibleJson(JSON.stringify(e));
			if (mine !== theirs) return `${mine}\n!==\n${theirs}`;
		}
		if (k.ended !== null) return null;
		events = stepTick(k);
	}
}

describe('eventJson', () => {
	it('equals JSON.stringify for every event of every bundled scenario', () => {
		const files = readdirSync(dir).filter((f) => f.endsWith('.scn'));
		expect(files.length).toBeGreaterThan(10);
		for (const f of files) expect(firstMismatch(readFileSync(dir + f, 'utf8'), f), f).toBe(null);
	});

	it('equals JSON.stringify for every event of random scenarios', () => {
		checkScenarioProperty(
			'json-serializer',
			scenarioArb(),
			(source) => {
				const m = firstMismatch(source, 'generated.scn');
				if (m !== null) throw new Error(m);
			},
			{numRuns: runs(100, 2000)},
		);
	});

	it('escapes what JSON escapes: quotes, backslashes, control characters, lone surrogates', () => {
		const odd = ['a"b', 'c\\d', 'e\x1b]2;T\x07', 'tab\there', 'é 漢字 🙂', '\ud800', '', '\u2028', '\u009b31m', '\u202e'];
		for (const s of odd) {
			const events: KernelEvent[] = [
				{tick: 1, type: 'state', pid: 2, from: s, to: 'R', why: s},
				{tick: 1, type: 'syscall', pid: 2, name: s, ret: -1},
				{tick: 1, type: 'fault', pid: 2, kind: 'anon', access: 'write', addr: '0x1000', region: s, frame: 3, from: null, path: [s, 'x']},
				{tick: 1, type: 'print', pid: 2, text: s},
			];
			for (const e of events) {
				// JSON.stringify's bytes, with the control characters it leaves raw (U+2028) as \u escapes: the same value.
				expect(eventJson(e)).toBe(visibleJson(JSON.stringify(e)));
				expect(JSON.parse(eventJson(e))).toEqual(e);
				expect(eventJson(e)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
			}
		}
	});

	it('writes the optional fields of a syscall only when present, in the kernel order', () => {
		const events: KernelEvent[] = [
			{tick: 4, type: 'syscall', pid: 1, name: 'fork', ret: 2, child: 2, cost: {vmas: 3, ptes: 10, pgtables: 2}},
			{tick: 5, type: 'syscall', pid: 2, name: 'fork', ret: 0, child_return: true},
			{tick: 6, type: 'sched', from: null, to: 1},
			{tick: 7, type: 'completion', action: 'complete', id: 1, owner: 1, by: 2, via: 'exit_mm', done: 1},
		];
		for (const e of events) expect(eventJson(e)).toBe(JSON.stringify(e));
	});
});

describe('describeEvent', () => {
	it('names an error return and keeps its number (docs/scenario-language.md); other returns stay numbers', () => {
		const call = (name: string, ret: number): KernelEvent => ({tick: 1, type: 'syscall', pid: 1, name, ret});
		expect(describeEvent(call('fork', -22))).toBe('pid 1 fork() = -EINVAL (-22)');
		expect(describeEvent(call('mmap', -17))).toBe('pid 1 mmap() = -EEXIST (-17)');
		expect(describeEvent(call('wait', -10))).toBe('pid 1 wait() = -ECHILD (-10)');
		expect(describeEvent(call('mmap', 0x600000))).toBe(`pid 1 mmap() = ${0x600000}`);
		expect(describeEvent(call('getpid', 1))).toBe('pid 1 getpid() = 1');
		expect(describeEvent(call('kill', -99))).toBe('pid 1 kill() = -99');
	});
});
