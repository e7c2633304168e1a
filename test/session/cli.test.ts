// `cowdbg replay SESSION [--speed X] [--headless]` through the built binary
// (dist/ is built by test/global-setup.ts): exit 0 when every checkpoint
// matches, 1 naming the first tick that differs, 2 for bad files and usage.

import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {DebugAction} from '../../source/debugger/actions.js';
import {everyAction, loadInline, record, tempDir} from './record.js';

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, ['dist/cli.js', ...args], {encoding: 'utf8', timeout: 20_000});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

function session(actions: readonly DebugAction[] = everyAction): string {
	const file = join(tempDir(), 'ok.session.json');
	record(loadInline(), actions, file);
	return file;
}

describe('cowdbg replay --headless', () => {
	it('exit 0 and a line per checkpoint when every state matches', () => {
		const file = session();
		const r = cowdbg('replay', file, '--headless');
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const lines = r.stdout.trimEnd().split('\n');
		expect(lines[0]).toBe(`replay ${file}: inline/fork-cow.scn, ${everyAction.length} actions over 0:25, 4 checkpoints`);
		expect(lines.slice(1, 5).every((l) => /^\s+\d\/4 {2}(start|after action \d+)\s+tick\s+\d+ {2}ok [0-9a-f]{16}$/.test(l))).toBe(true);
		expect(lines.at(-1)).toMatch(/^ok: every checkpoint matches \(25 actions, ticks 0…\d+ replayed\)$/);
	});

	it('exit 1 naming the first tick whose state differs', () => {
		const file = session();
		const o = JSON.parse(readFileSync(file, 'utf8'));
		const [, tick, hash] = o.checkpoints[1] as [number, number, string];
		o.checkpoints[1][2] = hash.replace(/^./, (c) => (c === 'f' ? 'e' : 'f'));
		writeFileSync(file, JSON.stringify(o));
		const r = cowdbg('replay', file, '--headless');
		expect(r.status).toBe(1);
		expect(r.stdout).toContain(`DIFFERS: recorded ${o.checkpoints[1][2]}, replayed ${hash}`);
		expect(r.stdout).toMatch(new RegExp(`\\ndiverged at tick ${tick}: the state at tick ${tick} differs from the recording`));
	});

	it.each([
		['not a session', '{"a": 1}', 'is not a cowdbg session (it has no "format" field)'],
		['another version', '{"format":"cowdbg-session","version":2}', 'was written by session format version 2; this cowdbg reads version 1'],
		['truncated', null, 'is truncated'],
	])('exit 2 for a file that is %s, with the message and no stack trace', (_, text, words) => {
		const file = join(tempDir(), 'bad.json');
		writeFileSync(file, text ?? readFileSync(session([{a: 'step', n: 1}]), 'utf8').slice(0, 300));
		const r = cowdbg('replay', file, '--headless');
		expect(r.status).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(`cowdbg: '${file}' `);
		expect(r.stderr).toContain(words);
		expect(r.stderr).not.toMatch(/\n\s+at /);
	});

	it('exit 2 for a missing file', () => {
		const r = cowdbg('replay', join(tempDir(), 'none.json'), '--headless');
		expect(r.status).toBe(2);
		expect(r.stderr).toContain('cannot read session');
	});
});

describe('cowdbg replay usage', () => {
	it.each([
		[['replay'], 'replay needs a SESSION'],
		[['replay', 'a', 'b'], 'replay takes one SESSION, got 2'],
		[['replay', 'S', '--speed', '0'], '--speed must be a positive number'],
		[['replay', 'S', '--speed', '-2'], '--speed must be a positive number'],
		[['replay', 'S', '--speed', 'fast'], '--speed must be a positive number'],
		[['replay', 'S', '--headless', '--break', 'cow'], '--break does not apply to cowdbg replay'],
		[['replay', 'S', '--set', 'frames=32'], '--set does not apply to cowdbg replay'],
		[['replay', 'S', '--record', 'x.json'], '--record does not apply to cowdbg replay; it is for the TUI'],
	])('%j → exit 2', (args, words) => {
		const file = session([]);
		const r = cowdbg(...args.map((a) => (a === 'S' ? file : a)));
		expect(r.status).toBe(2);
		expect(r.stderr).toContain(words);
	});

	it('--speed is checked before the session is read, headless or not', () => {
		const r = cowdbg('replay', 'does-not-exist.json', '--speed', '0');
		expect(r.status).toBe(2);
		expect(r.stderr).toContain('--speed');
	});
});

describe('replay --speed given without a number', () => {
	it('is refused with exit 2, not taken as 1', () => {
		const bin = join(process.cwd(), 'dist', 'cli.js');
		const fixture = join(process.cwd(), 'test', 'fixtures', 'sessions', 'fork-cow.session.json');
		const r = spawnSync(process.execPath, [bin, 'replay', fixture, '--headless', '--speed'], {encoding: 'utf8'});
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/--speed needs a value/);
	});
});
