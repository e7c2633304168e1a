// The recorder on hostile ground: planted symlinks, devices and FIFOs at the
// target, a full disk, a recording killed outright, and files only a long
// recording makes (long specs, a large scenario). What it writes, replay reads.

import {spawnSync} from 'node:child_process';
import {existsSync, lstatSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/debugger/load.js';
import {applyAction, type DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {MAX_SPEC_LENGTH} from '../../source/debugger/breakpoints.js';
import {createRecorder, loadSession} from '../../source/debugger/recorder.js';
import {verifySession} from '../../source/debugger/session.js';
import {everyAction, loadInline, record, tempDir} from './record.js';

function usageError(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		if (error instanceof UsageError) return error.message;
		throw error;
	}
	throw new Error('no error');
}

const noTemporaries = (dir: string): void => expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

describe('the target', () => {
	it('a symlink planted at the old temporary name is never followed', () => {
		const dir = tempDir();
		const victim = join(dir, 'victim.txt');
		writeFileSync(victim, 'precious');
		const file = join(dir, 's.json');
		// The name the recorder once used, predictable from the pid.
		symlinkSync(victim, join(dir, `.s.json.${process.pid}.tmp`));
		record(loadInline(), [{a: 'step', n: 1}], file);
		record(loadInline(), [{a: 'step', n: 2}], file, {force: true});
		expect(readFileSync(victim, 'utf8')).toBe('precious');
		expect(loadSession(file).actions).toHaveLength(1);
	});

	it('a symlink, a device or a FIFO at the target is refused, even with --force, and left alone', () => {
		const dir = tempDir();
		const victim = join(dir, 'victim.txt');
		writeFileSync(victim, 'precious');
		const link = join(dir, 'link.json');
		symlinkSync(victim, link);
		for (const force of [false, true]) {
			expect(usageError(() => createRecorder({file: link, force, loaded: loadInline(), breakpoints: []}))).toMatch(
				/it is a symbolic link, not a regular file/,
			);
		}
		expect(readFileSync(victim, 'utf8')).toBe('precious');
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		if (existsSync('/dev/null')) {
			expect(usageError(() => createRecorder({file: '/dev/null', force: true, loaded: loadInline(), breakpoints: []}))).toMatch(
				/it is a character device, not a regular file; .* \(even with --force\)/,
			);
			expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
		}
		const fifo = join(dir, 'fifo.json');
		if (spawnSync('mkfifo', [fifo]).status === 0) {
			expect(usageError(() => createRecorder({file: fifo, force: true, loaded: loadInline(), breakpoints: []}))).toMatch(/it is a FIFO/);
		}
		noTemporaries(dir);
	});
});

describe('a failed save', () => {
	it('is on the status listener at once, keeps the last good file, and clears when saving works again', () => {
		const dir = tempDir();
		const file = join(dir, 'full.json');
		let full = false;
		const writes: string[] = [];
		const loaded = loadInline();
		const rec = createRecorder({
			file,
			force: false,
			loaded,
			breakpoints: loaded.breakpoints,
			saveEveryMs: 0,
			writeFile: (f, text, replace) => {
				if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'});
				writes.push(text);
				writeFileSync(f, text, {flag: replace ? 'w' : 'wx'});
			},
		});
		const seen: (string | null)[] = [];
		rec.onStatus!((p) => seen.push(p));
		const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
		const act = (action: DebugAction): void => {
			applyAction(dbg, action);
			rec.record(action, dbg);
		};
		act({a: 'step', n: 2});
		rec.save();
		const good = readFileSync(file, 'utf8');
		full = true;
		act({a: 'step', n: 1});
		expect(() => rec.save()).toThrow(/ENOSPC/);
		expect(seen).toEqual(['save failed: no space left on the device; the last good file is kept']);
		expect(rec.problem).toMatch(/no space left/);
		expect(readFileSync(file, 'utf8')).toBe(good);
		full = false;
		rec.save();
		expect(seen.at(-1)).toBeNull();
		expect(loadSession(file).actions).toHaveLength(2);
		full = true;
		act({a: 'step', n: 1});
		expect(usageError(() => rec.close(dbg))).toMatch(/the session could not be saved: no space left on the device \(the last good save is kept\)/);
		expect(loadSession(file).actions).toHaveLength(2);
	});

	it('a real write failure leaves no temporary file and the last good file in place', () => {
		const dir = tempDir();
		const file = join(dir, 'gone', 's.json');
		expect(usageError(() => createRecorder({file, force: false, loaded: loadInline(), breakpoints: []}))).toMatch(/cannot write it: no such directory/);
		noTemporaries(dir);
	});

	it('a session past what replay reads is not written: the status says so and the last good file stays', () => {
		const dir = tempDir();
		const file = join(dir, 'big.json');
		const loaded = loadInline();
		const first = createRecorder({file, force: false, loaded, breakpoints: [], saveEveryMs: 0});
		const size = readFileSync(file).length;
		first.close(new Debugger(loaded.scenario, loaded.config));
		const rec = createRecorder({file, force: true, loaded, breakpoints: [], saveEveryMs: 0, maxBytes: size + 200});
		const dbg = new Debugger(loaded.scenario, loaded.config);
		for (let i = 0; i < 50; i++) {
			applyAction(dbg, {a: 'goto', tick: i % 7});
			rec.record({a: 'goto', tick: i % 7}, dbg);
		}
		expect(() => rec.save()).toThrow(/more than replay reads/);
		expect(rec.problem).toMatch(/more than replay reads/);
		expect(loadSession(file).actions.length).toBe(0);
		noTemporaries(dir);
	});
});

describe('a recording killed outright', () => {
	it('verifies up to its last autosave: each save adds a checkpoint after the last action', () => {
		const dir = tempDir();
		const file = join(dir, 'killed.json');
		// Three actions, then a save (what the autosave timer does), then nothing: SIGKILL.
		const r = record(loadInline(), [{a: 'step', n: 1}, {a: 'step', n: 3}, {a: 'continue'}], file, {close: false});
		r.recorder.save();
		const session = loadSession(file);
		expect(session.checkpoints.map((c) => [c.actions, c.tick])).toEqual([
			[0, 0],
			[3, r.dbg.tick],
		]);
		const v = verifySession(session);
		expect(v.ok).toBe(true);
		expect(v.checks.at(-1)!.tick).toBe(r.dbg.tick);
		expect(v.checks.at(-1)!.tick).toBeGreaterThan(0);
	});
});

describe('what the recorder writes, replay reads', () => {
	it('a breakpoint spec of the longest length', () => {
		const dir = tempDir();
		const spec = 'cow:region=' + 'a'.repeat(MAX_SPEC_LENGTH - 'cow:region='.length);
		const r = record(loadInline(), [{a: 'break-add', spec}, ...everyAction.slice(0, 4)], join(dir, 'long.json'));
		const session = loadSession(r.file);
		expect(session.actions[0]!.action).toEqual({a: 'break-add', spec});
		expect(verifySession(session).ok).toBe(true);
	});

	it('a scenario whose JSON escaping makes the session larger than 16 MiB', () => {
		const dir = tempDir();
		// 3 MiB of control characters in a comment: six bytes each once escaped.
		const source = `# ${'\u0001'.repeat(3 * 1024 * 1024)}\nprogram init\n  exit 0\nend\n`;
		const r = record(loadInline(source, [], 'ctl.scn'), [{a: 'step', n: 1}], join(dir, 'ctl.json'));
		expect(readFileSync(r.file).length).toBeGreaterThan(16 * 1024 * 1024);
		expect(verifySession(loadSession(r.file)).ok).toBe(true);
	});
});
