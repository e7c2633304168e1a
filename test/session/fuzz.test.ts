// Session-file fuzzing: a real session file, mutated (byte flips,
// truncations, cut and repeated ranges, swapped and replaced fields, an edited
// scenario with its hash fixed) 1,000 times, or 100,000 with COWDBG_LONG=1.
// Loading must either succeed or throw a UsageError: never anything else.

import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/debugger/load.js';
import {loadSession, parseSession, sha256} from '../../source/debugger/session.js';
import {prng} from '../debugger/reference.js';
import {everyAction, loadInline, record, tempDir} from './record.js';

const RUNS = process.env.COWDBG_LONG === '1' ? 100_000 : 1000;

const dir = tempDir();
const base = join(dir, 'base.json');
record(loadInline(), everyAction, base);
const text = readFileSync(base, 'utf8');

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, n: number): number => Math.floor(random() * n);

const odd: unknown[] = [null, true, 0, -1, 1.5, 2 ** 53, -(2 ** 60), 1e308, '', 's', 'R', '\u0000', '\ud800', [], {}, [[]], [1], ['s'], {format: 'cowdbg-session'}, 'x'.repeat(5000)];
const chars = ['"', '\\', '{', '}', '[', ']', ',', ':', '0', '9', '-', 'e', '.', ' ', '\n', 'a', 'é', '\u0000', '\ud83d'];

function mutateJson(random: Random, o: any): void {
	const paths: (string | number)[][] = [];
	const walk = (v: unknown, path: (string | number)[], depth: number): void => {
		paths.push(path);
		if (depth > 3 || v === null || typeof v !== 'object') return;
		for (const [k, child] of Object.entries(v)) walk(child, [...path, Array.isArray(v) ? Number(k) : k], depth + 1);
	};
	walk(o, [], 0);
	const at = (path: (string | number)[]): [any, string | number] | null => {
		if (path.length === 0) return null;
		let parent = o;
		for (const key of path.slice(0, -1)) parent = parent[key];
		return [parent, path.at(-1)!];
	};
	const a = at(pick(random, paths));
	const b = at(pick(random, paths));
	if (a === null) return;
	switch (int(random, 4)) {
		case 0: // swap two fields
			if (b !== null) [a[0][a[1]], b[0][b[1]]] = [b[0][b[1]], a[0][a[1]]];
			break;
		case 1: // replace with an odd value
			a[0][a[1]] = structuredClone(pick(random, odd));
			break;
		case 2: // delete
			if (Array.isArray(a[0])) a[0].splice(Number(a[1]), 1);
			else delete a[0][a[1]];
			break;
		case 3: // a number nudged
			if (typeof a[0][a[1]] === 'number') a[0][a[1]] += pick(random, [-1, 1, 1000, -1000, 0.5]);
			else a[0][a[1]] = structuredClone(pick(random, odd));
			break;
	}
}

function mutate(random: Random, input: string): string {
	let s = input;
	const rounds = 1 + int(random, 3);
	for (let r = 0; r < rounds; r++) {
		switch (int(random, 7)) {
			case 0: {
				// byte flips
				const n = 1 + int(random, 4);
				for (let i = 0; i < n && s.length > 0; i++) {
					const p = int(random, s.length);
					s = s.slice(0, p) + pick(random, chars) + s.slice(p + 1);
				}
				break;
			}
			case 1: // truncation
				s = s.slice(0, int(random, s.length + 1));
				break;
			case 2: {
				// a range cut out
				const p = int(random, s.length + 1);
				s = s.slice(0, p) + s.slice(p + int(random, 200));
				break;
			}
			case 3: {
				// a range repeated
				const p = int(random, s.length + 1);
				const q = Math.min(s.length, p + int(random, 100));
				s = s.slice(0, q) + s.slice(p, q) + s.slice(q);
				break;
			}
			case 4:
			case 5: {
				// structure-aware: swap, replace, delete fields
				try {
					const o = JSON.parse(s);
					mutateJson(random, o);
					s = JSON.stringify(o) ?? '';
				} catch {
					s = s.slice(0, int(random, s.length + 1));
				}
				break;
			}
			case 6: {
				// the scenario edited and its hash fixed, so the scenario loader sees it
				try {
					const o = JSON.parse(s);
					const src = typeof o?.scenario?.source === 'string' ? (o.scenario.source as string) : '';
					const p = int(random, src.length + 1);
					const edit = pick(random, ['', 'x', '\n', 'config frames=1\n', 'map heap 0 rw-\n', 'goto nowhere\n', 'end\n', 'program init\n', ' 0x', 'break cwo\n', '"']);
					o.scenario.source = src.slice(0, p) + edit + src.slice(p + int(random, 20));
					o.scenario.sha256 = sha256(o.scenario.source);
					s = JSON.stringify(o);
				} catch {
					// not JSON any more: leave it
				}
				break;
			}
		}
	}
	return s;
}

describe(`session-file fuzzing (${RUNS} mutations)`, () => {
	it('loadSession either succeeds or throws a UsageError', () => {
		const random = prng(0x5e55);
		const outcomes = {loaded: 0, refused: 0};
		const kinds = new Map<string, number>();
		for (let i = 0; i < RUNS; i++) {
			const mutated = mutate(random, text);
			try {
				// through the file every 50th time, as the CLI reads it
				if (i % 50 === 0) {
					const file = join(dir, 'fuzz.json');
					writeFileSync(file, mutated);
					loadSession(file);
				} else {
					parseSession(mutated, 'fuzz.json');
				}
				outcomes.loaded++;
			} catch (error) {
				if (!(error instanceof UsageError)) {
					throw new Error(`mutation ${i} threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\ninput:\n${mutated}`);
				}
				outcomes.refused++;
				const kind = /is not a cowdbg session|was written by|is truncated|is damaged|does not load|cannot read/.exec(error.message)?.[0] ?? 'other';
				kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
				expect(error.message.startsWith('cowdbg: ')).toBe(true);
			}
		}
		// the mutations reach every kind of refusal, and some still load
		expect(outcomes.loaded).toBeGreaterThan(0);
		for (const kind of ['is not a cowdbg session', 'is truncated', 'is damaged', 'does not load']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
		expect(kinds.get('other') ?? 0).toBe(0);
	});
});
