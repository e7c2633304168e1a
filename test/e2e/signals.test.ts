// The TUI under signals, in tmux: recording while the terminal is closed
// (SIGHUP, the pty gone), hung up with the terminal still there, killed
// outright (SIGKILL), suspended with Ctrl-Z and kill -TSTP and brought back
// with fg. Each time the session file and the terminal are checked after.

import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `cowdbg-signals-${process.pid}-${Date.now()}`;
const dir = mkdtempSync(join(tmpdir(), 'cowdbg-signals-'));
const bin = join(process.cwd(), 'dist', 'cli.js');

// Runs cowdbg on the terminal it is given, outlives the hangup itself, and writes how cowdbg ended.
const wrapper = join(dir, 'wrap.mjs');
writeFileSync(
	wrapper,
	`import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
const [out, ...args] = process.argv.slice(2);
process.on('SIGHUP', () => {});
const child = spawn(process.execPath, args, {stdio: 'inherit'});
writeFileSync(out + '.pid', String(child.pid));
child.on('exit', (code, signal) => writeFileSync(out, JSON.stringify({code, signal})));
`,
);

/** As test/e2e/tmux.ts: a new session keeps the server up when its last session is killed. */
function tmux(...args: string[]): string {
	const more = args[0] === 'new-session' ? [';', 'set-option', '-s', 'exit-empty', 'off'] : [];
	return execFileSync('tmux', ['-L', socket, ...args, ...more], {encoding: 'utf8'});
}
const screen = (s: string): string => tmux('capture-pane', '-p', '-t', s);
const flag = (s: string, name: string): string => tmux('display-message', '-p', '-t', s, `#{${name}}`).trim();
const send = (s: string, ...keys: string[]): void => void tmux('send-keys', '-t', s, ...keys);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, get: () => T | null | undefined | false, ms = 20_000): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = get();
		if (v !== null && v !== undefined && v !== false) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}
const waitScreen = (s: string, re: RegExp): Promise<string> => until(`${re} on ${s}`, () => (re.test(screen(s)) ? screen(s) : null));
const readIf = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);

function replayHeadless(file: string): {status: number | null; stdout: string} {
	const r = spawnSync(process.execPath, [bin, 'replay', '--headless', file], {encoding: 'utf8'});
	return {status: r.status, stdout: r.stdout};
}

/** Start cowdbg recording to `rec` in a new tmux session (through the wrapper); resolves when it is drawn. */
async function start(name: string, rec: string, shell = false): Promise<string> {
	const status = join(dir, `${name}.status`);
	const cmd = `node ${wrapper} ${status} ${bin} scenarios/fork-cow.scn --record ${rec}; stty -a > ${join(dir, `${name}.stty`)}; sleep 60`;
	tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', shell ? 'bash --norc --noprofile -i' : cmd);
	if (shell) send(name, `cd ${process.cwd()}`, 'Enter');
	await waitScreen(name, /tick 0\b.*paused/);
	return status;
}

afterAll(() => {
	if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
});

describe.skipIf(!hasTmux)('the TUI under signals (tmux)', () => {
	it('closing the terminal (SIGHUP, the pty gone) saves the recording and exits cleanly, no abort', async () => {
		const rec = join(dir, 'hup-closed.json');
		const status = await start('hupclosed', rec);
		send('hupclosed', 's', 's', 'c');
		await waitScreen('hupclosed', /hit #\d+ cow at tick \d+/);
		tmux('kill-session', '-t', 'hupclosed');
		const ended = JSON.parse(await until('cowdbg to end', () => readIf(status))) as {code: number | null; signal: string | null};
		// Not SIGABRT (Node 20's ResetStdio on a hung-up tty), not a crash: the hangup's status, or 0
		// when the app ended through its closed input before the signal was handled.
		expect(ended.signal).toBeNull();
		expect([0, 129]).toContain(ended.code);
		const r = replayHeadless(rec);
		expect(r.stdout).toMatch(/3 actions/);
		expect(r.stdout).toMatch(/ok: every checkpoint matches/);
		expect(r.status).toBe(0);
	}, 60_000);

	it('kill -HUP with the terminal still there: saved, and the terminal given back cooked, main screen, cursor shown', async () => {
		const rec = join(dir, 'hup.json');
		const status = await start('hup', rec);
		send('hup', 's', 's');
		await waitScreen('hup', /tick 2\b/);
		process.kill(Number(readFileSync(`${status}.pid`, 'utf8')), 'SIGHUP');
		expect(JSON.parse(await until('cowdbg to end', () => readIf(status)))).toEqual({code: 129, signal: null});
		const stty = await until('stty', () => readIf(join(dir, 'hup.stty')));
		expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
		expect(stty).toMatch(/(^|\s)echo(\s|$)/);
		expect(flag('hup', 'alternate_on')).toBe('0');
		expect(flag('hup', 'cursor_flag')).toBe('1');
		expect(replayHeadless(rec).stdout).toMatch(/2 actions.*[\s\S]*ok: every checkpoint matches/);
	}, 60_000);

	it('SIGKILL while recording: the file verifies up to its last autosave', async () => {
		const rec = join(dir, 'kill.json');
		const status = await start('kill', rec);
		send('kill', 's', 's', 's');
		await waitScreen('kill', /tick 3\b/);
		// The recorder saves every 5 s while something changed.
		await sleep(6500);
		process.kill(Number(readFileSync(`${status}.pid`, 'utf8')), 'SIGKILL');
		expect(JSON.parse(await until('cowdbg to end', () => readIf(status)))).toEqual({code: null, signal: 'SIGKILL'});
		const r = replayHeadless(rec);
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/after action 3\s+tick 3\s+ok/);
	}, 60_000);

	it('Ctrl-Z and kill -TSTP suspend with the terminal given back; fg takes it again in raw mode', async () => {
		tmux('new-session', '-d', '-s', 'tstp', '-x', '100', '-y', '30', 'bash --norc --noprofile -i');
		send('tstp', `cd ${process.cwd()} && PS1='$ ' && node ${bin} scenarios/fork-cow.scn`, 'Enter');
		await waitScreen('tstp', /tick 0\b.*paused/);
		expect(flag('tstp', 'alternate_on')).toBe('1');
		for (const how of ['key', 'signal']) {
			if (how === 'key') send('tstp', 'C-z');
			else {
				// cowdbg is the shell's child in that pane.
				const pid = spawnSync('pgrep', ['-P', flag('tstp', 'pane_pid')], {encoding: 'utf8'})
					.stdout.trim()
					.split('\n')[0]!;
				process.kill(Number(pid), 'SIGTSTP');
			}
			await waitScreen('tstp', how === 'key' ? /Stopped/ : /Stopped[\s\S]*Stopped|^\[1\]\+\s+Stopped/m);
			expect(flag('tstp', 'alternate_on')).toBe('0');
			expect(flag('tstp', 'cursor_flag')).toBe('1');
			send('tstp', 'clear; fg', 'Enter');
			await until('the alternate screen again', () => flag('tstp', 'alternate_on') === '1');
			// Raw mode again: a single key acts at once.
			const before = /tick (\d+)/.exec(await waitScreen('tstp', /tick \d+/))![1]!;
			send('tstp', 's');
			await waitScreen('tstp', new RegExp(`tick ${Number(before) + 1}\\b`));
		}
		send('tstp', 'q');
		await until('the shell prompt', () => flag('tstp', 'alternate_on') === '0' && /^\$\s*$/m.test(screen('tstp')));
		expect(flag('tstp', 'cursor_flag')).toBe('1');
	}, 90_000);
});
