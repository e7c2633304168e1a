// `cowdbg replay SESSION --asciicast FILE [--size WxH]` through the built
// binary: an asciicast v2 file whose output events, fed to a real terminal
// emulator (@xterm/headless) of that size, leave on the screen what the TUI
// shows at the session's last state; each event's time is its action's.

import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import xterm from '@xterm/headless';
import {describe, expect, it} from 'vitest';
import type {DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadSession} from '../../source/debugger/recorder.js';
import {replayScript} from '../../source/debugger/session.js';
import {Controller} from '../../source/tui/controller.js';
import {frameLines} from '../../source/tui/render/frame.js';
import {everyAction, loadInline, record, tempDir} from '../session/record.js';

const {Terminal} = xterm;

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, ['dist/cli.js', ...args], {encoding: 'utf8', timeout: 30_000});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

type Cast = {header: {version: number; width: number; height: number; title?: string; env?: Record<string, string>}; events: [number, string, string][]};

function readCast(file: string): Cast {
	const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
	const header = JSON.parse(lines[0]!) as Cast['header'];
	const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
	return {header, events};
}

/** Feed text to a headless xterm and read its screen, row by row (trailing blanks dropped). */
async function screenOf(term: InstanceType<typeof Terminal>, text: string): Promise<string[]> {
	await new Promise<void>((resolve) => term.write(text, resolve));
	const buffer = term.buffer.active;
	const rows: string[] = [];
	for (let y = 0; y < term.rows; y++) rows.push(buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '');
	return rows;
}

const plain = (row: string): string => row.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').trimEnd();

/** What the TUI shows before the first action, after each one, and once the replay is done. */
function tuiScreens(sessionFile: string, width: number, height: number, speed = 1): string[][] {
	const session = loadSession(sessionFile);
	const l = session.loaded;
	const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints), {
		replay: {script: replayScript(session), speed},
		session: {file: session.scenario.file, recording: null, recordingNote: null},
	});
	c.setSize(width, height);
	const screens = [frameLines(c.view()).map(plain)];
	while (c.replayNext()) screens.push(frameLines(c.view()).map(plain));
	screens.push(frameLines(c.view()).map(plain));
	return screens;
}

function recordSession(actions: readonly DebugAction[], stepMs: (i: number) => number): string {
	const file = join(tempDir(), 'cast.session.json');
	record(loadInline(), actions, file, {stepMs});
	return file;
}

describe('replay --asciicast', () => {
	it('writes asciicast v2 at the recorded pace; xterm ends on the screen the TUI shows at the last state', async () => {
		// Uneven pauses between the actions, as a person leaves them.
		const pauses = (i: number): number => 300 + ((i * 7919) % 2500);
		const sessionFile = recordSession(everyAction, pauses);
		const out = join(tempDir(), 'out.cast');
		const r = cowdbg('replay', sessionFile, '--asciicast', out, '--size', '100x30');
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/^asciicast .*out\.cast: 25 actions over [\d.]+ s at 100x30\n$/);
		const cast = readCast(out);
		expect(cast.header).toMatchObject({version: 2, width: 100, height: 30, env: {TERM: 'xterm-256color'}});
		for (const e of cast.events) expect(e[1]).toBe('o');
		const times = cast.events.map((e) => e[0]);
		for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
		// Each action's frame goes out at its recorded offset from the first action's time base.
		const session = loadSession(sessionFile);
		const offsets = new Set(session.actions.map((a) => Math.round(a.at) / 1000));
		for (const t of times.slice(1)) expect(offsets.has(t), `no action at ${t} s`).toBe(true);
		expect(times.at(-1)).toBe(Math.round(session.actions.at(-1)!.at) / 1000);

		const term = new Terminal({cols: 100, rows: 30, allowProposedApi: true});
		const screen = await screenOf(term, cast.events.map((e) => e[2]).join(''));
		const expected = tuiScreens(sessionFile, 100, 30).at(-1)!;
		expect(screen.map((row) => row.trimEnd())).toEqual(expected);
		expect(expected[0]).toMatch(/replay done 25\/25/);
		term.dispose();
	});

	it("every frame on the way is the TUI's too (the painter only rewrites changed rows), at the default 120x40", async () => {
		const actions: DebugAction[] = [
			{a: 'step', n: 1},
			{a: 'continue'},
			{a: 'select', pid: 2},
			{a: 'step', n: 2},
			{a: 'reverse-step', n: 3},
			{a: 'goto', tick: 1_000},
		];
		const sessionFile = recordSession(actions, () => 1000);
		const out = join(tempDir(), 'default.cast');
		expect(cowdbg('replay', sessionFile, '--asciicast', out, '--speed', '2').status).toBe(0);
		const cast = readCast(out);
		expect([cast.header.width, cast.header.height]).toEqual([120, 40]);
		// --speed 2 halves the times: the session's actions are a second apart.
		expect(cast.events.map((e) => e[0]).slice(1, 4)).toEqual([0.5, 1, 1.5]);
		const expected = tuiScreens(sessionFile, 120, 40, 2);
		const term = new Terminal({cols: 120, rows: 40, allowProposedApi: true});
		// Event 0: the first frame; then one per action; the last also ends the replay.
		expect(cast.events).toHaveLength(actions.length + 1);
		for (let i = 0; i < cast.events.length; i++) {
			const screen = await screenOf(term, cast.events[i]![2]);
			const want = i === cast.events.length - 1 ? expected.at(-1)! : expected[i]!;
			expect(
				screen.map((row) => row.trimEnd()),
				`frame ${i}`,
			).toEqual(want);
		}
		term.dispose();
	});

	it('refuses a bad --size, --size without --asciicast, and an unwritable file (exit 2, naming the flag)', () => {
		const sessionFile = recordSession([{a: 'step', n: 1}], () => 100);
		const bad = cowdbg('replay', sessionFile, '--asciicast', join(tempDir(), 'x.cast'), '--size', '120by40');
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/--size must be COLUMNSxROWS.*got '120by40'/);
		const alone = cowdbg('replay', sessionFile, '--size', '120x40');
		expect(alone.status).toBe(2);
		expect(alone.stderr).toMatch(/--size is the size of the --asciicast recording/);
		const nowhere = cowdbg('replay', sessionFile, '--asciicast', join(tempDir(), 'missing', 'x.cast'));
		expect(nowhere.status).toBe(2);
		expect(nowhere.stderr).toMatch(/^cowdbg: --asciicast '.*x\.cast': /);
		const run = cowdbg('run', 'fork-cow', '--asciicast', 'x.cast');
		expect(run.status).toBe(2);
		expect(run.stderr).toMatch(/--asciicast does not apply to cowdbg run/);
	});
});
