// Session-file fuzzing: a real session file, mutated (byte flips,
// truncations, cut and repeated ranges, swapped and replaced fields, an edited
// scenario with its hash fixed) 1,000 times, or 100,000 with COWDBG_LONG=1.
// Loading must either succeed or throw a UsageError: never anything else.

import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/debugger/load.js';
import {loadSession} from '../../source/debugger/recorder.js';
import {parseSession, sha256} from '../../source/debugger/session.js';
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

const odd: unknown[] = [
	null,
	true,
	0,
	-1,
	1.5,
	2 ** 53,
	-(2 ** 60),
	1e308,
	'',
	's',
	'R',
	'\u0000',
	'\ud800',
	[],
	{},
	[[]],
	[1],
	['s'],
	{format: 'cowdbg-session'},
	'x'.repeat(5000),
];
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

// Hostile values for a field: nested deep, long lists, control characters.
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const small = [
	nested(300),
	'{"a":'.repeat(300) + '0' + '}'.repeat(300),
	`[${'0,'.repeat(2000)}0]`,
	JSON.stringify('\u001b]2;TITLE\u0007\u001b[2J\u009b31m\u202e'),
	JSON.stringify(['\u001b[2J']),
	JSON.stringify([0, '\u001b[2J']),
];
// Past what recursion (100,000 deep) or a spread (Math.min(...list) of 125,000) takes.
const DEPTH = 100_000;
const large = [
	nested(DEPTH),
	'{"a":'.repeat(DEPTH) + '0' + '}'.repeat(DEPTH),
	`[${'0,'.repeat(200_000)}0]`,
	`[${'[0,0,"0000000000000000"],'.repeat(130_000)}[0,0,"0000000000000000"]]`,
];
const fields: (string | number)[][] = [
	['format'],
	['version'],
	['scenario', 'file'],
	['scenario'],
	['overrides'],
	['breakpoints'],
	['actions'],
	['checkpoints'],
	['actions', 0],
	['checkpoints', 0],
	['actions', 0, 1],
	['checkpoints', 0, 2],
	['overrides', 0],
	['breakpoints', 0],
];

/** The session text with the field at `path` replaced by the JSON text `value` (null when the path is not there). */
function withField(input: string, path: (string | number)[], value: string): string | null {
	const o = JSON.parse(input);
	let parent = o;
	for (const key of path.slice(0, -1)) parent = parent?.[key];
	if (parent === null || typeof parent !== 'object') return null;
	const marker = '\u0000HOSTILE\u0000';
	parent[path.at(-1)!] = marker;
	return JSON.stringify(o).replace(JSON.stringify(marker), value);
}

function mutate(random: Random, input: string): string {
	let s = input;
	const rounds = 1 + int(random, 3);
	for (let r = 0; r < rounds; r++) {
		switch (int(random, 9)) {
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
					const edit = pick(random, [
						'',
						'x',
						'\n',
						'config frames=1\n',
						'map heap 0 rw-\n',
						'goto nowhere\n',
						'end\n',
						'program init\n',
						' 0x',
						'break cwo\n',
						'"',
					]);
					o.scenario.source = src.slice(0, p) + edit + src.slice(p + int(random, 20));
					o.scenario.sha256 = sha256(o.scenario.source);
					s = JSON.stringify(o);
				} catch {
					// not JSON any more: leave it
				}
				break;
			}
			case 7: {
				// a field made hostile (small values here; the large ones each once, below)
				try {
					s = withField(s, pick(random, fields), pick(random, small)) ?? s;
				} catch {
					// not JSON any more: leave it
				}
				break;
			}
			case 8: // an editor's byte order mark
				s = '\ufeff' + s;
				break;
		}
	}
	return s;
}

/** Load it: a session, or a UsageError whose message starts with cowdbg: and holds no control character. */
function loadOrRefuse(input: string, name = 'fuzz.json'): 'loaded' | string {
	try {
		parseSession(input, name);
		return 'loaded';
	} catch (error) {
		if (!(error instanceof UsageError))
			throw new Error(`threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\ninput:\n${input.slice(0, 2000)}`);
		expect(error.message.startsWith('cowdbg: ')).toBe(true);
		// Nothing from the file reaches the terminal as a control sequence (tabs only in a quoted scenario line).
		expect(error.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
		return error.message;
	}
}

describe('hostile fields', () => {
	it('every field nested 100,000 deep or a list of 200,000: loaded or refused, never a crash', () => {
		let tried = 0;
		for (const path of fields) {
			for (const value of large) {
				const input = withField(text, path, value);
				if (input === null) continue;
				tried++;
				loadOrRefuse(input);
			}
		}
		expect(tried).toBeGreaterThan(40);
	});

	it('control characters anywhere in a field never reach the message raw', () => {
		for (const path of fields) {
			for (const value of small) {
				const input = withField(text, path, value);
				if (input !== null) loadOrRefuse(input, 'n\u001b[2J.json');
			}
		}
	});
});

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
				// Nothing from the file reaches the terminal as a control sequence (tabs only in a quoted scenario line).
				expect(error.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
			}
		}
		// the mutations reach every kind of refusal, and some still load
		expect(outcomes.loaded).toBeGreaterThan(0);
		for (const kind of ['is not a cowdbg session', 'is truncated', 'is damaged', 'does not load']) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
		expect(kinds.get('other') ?? 0).toBe(0);
	});
});
