// Hostile input at the command line: devices, FIFOs, crafted sessions, byte
// order marks, control characters, scenarios that would panic. Each must end
// in a clear message and its exit status, never a stack trace (exit 70), a
// hang or bytes the terminal would act on.

import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseSession, sha256, verifySession} from '../../source/debugger/session.js';
import {verifyReport} from '../../source/cli/replay.js';
import {stateHash} from '../../source/kernel/dump.js';
import {boot} from '../../source/kernel/kernel.js';

const bin = join(process.cwd(), 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'cowdbg-hostile-'));

type Result = {status: number | null; stdout: string; stderr: string};

function cowdbg(...args: string[]): Result {
	const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', input: '', timeout: 60_000, maxBuffer: 64 * 1024 * 1024});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

function file(name: string, text: string | Buffer): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

const ESC = '\u001b';
const BEL = '\u0007';
const noControl = (text: string): void => {
	// Newlines end lines; nothing else below 0x20 (nor DEL or C1) may reach the terminal.
	expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
};
const noTrace = (r: Result): void => {
	expect(r.status).not.toBe(70);
	expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
};

const minimal = 'program init\n  exit 0\nend\n';

function session(scenario = minimal, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		format: 'cowdbg-session',
		version: 1,
		scenario: {file: 's.scn', sha256: sha256(scenario), source: scenario},
		overrides: [],
		breakpoints: [],
		actions: [],
		checkpoints: [],
		...extra,
	};
}

describe('device files and huge inputs', () => {
	for (const device of ['/dev/zero', '/dev/urandom']) {
		it.skipIf(!existsSync(device))(`${device} as a scenario or a session: a clear error, exit 2`, () => {
			for (const args of [
				['run', device],
				['check', device],
				['replay', '--headless', device],
			]) {
				const r = cowdbg(...args);
				expect(r.status, args.join(' ')).toBe(2);
				expect(r.stderr).toMatch(/too large for a (scenario|session) \(more than \d+ bytes, and it is not a regular file/);
				noTrace(r);
			}
		});
	}

	it('a scenario larger than 16 MiB is refused before it is parsed', () => {
		const big = file('big.scn', Buffer.alloc(16 * 1024 * 1024 + 1, 0x23));
		const r = cowdbg('run', big);
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/too large for a scenario .*16 MiB/);
	});

	it.skipIf(process.platform === 'win32')('a FIFO is read to its end, as cat reads it', async () => {
		const fifo = join(dir, 'pipe.scn');
		expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
		const child = spawn(process.execPath, [bin, 'run', fifo], {stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		// The writer comes after the reader has opened the FIFO (it blocks until then).
		writeFileSync(fifo, 'program init\n  print "through a pipe"\n  exit 0\nend\n');
		const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
		expect(status).toBe(0);
		expect(stdout).toContain('through a pipe');
	});
});

describe('crafted session files', () => {
	it('a field nested 100,000 deep: damaged, exit 2, not a stack overflow', () => {
		const depth = 100_000;
		const text = `{"format":${'['.repeat(depth)}${']'.repeat(depth)}}`;
		const r = cowdbg('replay', '--headless', file('deep.json', text));
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/not a cowdbg session \(its format is \[\[\[.*\.\.\., not "cowdbg-session"\)/);
		noTrace(r);
		const inside = JSON.stringify(session()).replace('"actions":[]', `"actions":[${'['.repeat(depth)}${']'.repeat(depth)}]`);
		const r2 = cowdbg('replay', '--headless', file('deep-action.json', inside));
		expect(r2.status).toBe(2);
		expect(r2.stderr).toMatch(/is damaged: actions\[0\] \[\[\[/);
		noTrace(r2);
	});

	it('130,000 checkpoints (past what Math.min(...list) takes): a verdict, never a crash', () => {
		const s = session();
		// Every checkpoint wrong: the report names the first.
		const checkpoints = Array.from({length: 130_000}, (_, i) => [0, i % 3, '0123456789abcdef']);
		const r = cowdbg('replay', '--headless', file('many.json', JSON.stringify({...s, checkpoints})));
		expect(r.status).toBe(1);
		expect(r.stdout).toMatch(/diverged at tick 0/);
		noTrace(r);
		// The boot state's real hash, 130,000 times: every one verified.
		const loaded = parseSession(JSON.stringify(s), 'one.json');
		const hash = stateHash(boot(loaded.loaded.scenario, loaded.loaded.config));
		const good = parseSession(JSON.stringify({...s, checkpoints: Array.from({length: 130_000}, () => [0, 0, hash])}), 'good.json');
		const v = verifySession(good);
		expect(v.ok).toBe(true);
		expect(verifyReport(good, v)).toMatch(/ok: every checkpoint matches/);
	});

	it('a list of 300,000 actions is read and refused at the first bad one', () => {
		const actions = Array.from({length: 300_000}, () => [0, 'q']);
		const r = cowdbg('replay', '--headless', file('acts.json', JSON.stringify(session(minimal, {actions}))));
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/actions\[0\] \[0,"q"\]: unknown action code "q"/);
		noTrace(r);
	});

	it('control characters in the file name and the embedded name are shown escaped', () => {
		const evil = `${ESC}]2;TITLE${BEL}${ESC}[2J`;
		const s = session(minimal);
		(s.scenario as {file: string}).file = `x${evil}.scn`;
		const name = file(`s${ESC}[2J.json`, JSON.stringify(s));
		const r = cowdbg('replay', '--headless', name);
		expect(r.status).toBe(0);
		noControl(r.stdout);
		expect(r.stdout).toContain('x\\x1b]2;TITLE\\x07\\x1b[2J.scn');
		expect(r.stdout).toContain('s\\x1b[2J.json');
		const bad = cowdbg('replay', '--headless', file(`bad${ESC}[2J.json`, '{"format":"cowdbg-session","version":"1\\u001b[31m"}'));
		expect(bad.status).toBe(2);
		noControl(bad.stderr);
		expect(bad.stderr).toContain('bad\\x1b[2J.json');
		expect(bad.stderr).toContain('"1\\u001b[31m"');
	});
});

describe('the byte order mark', () => {
	it('a scenario and a session that start with a UTF-8 BOM are read', () => {
		const scn = file('bom.scn', '\ufeff' + 'program init\n  print "bom"\n  exit 0\nend\n');
		const r = cowdbg('run', scn);
		expect(r.status).toBe(0);
		expect(r.stdout).toContain('| bom');
		expect(cowdbg('check', scn).status).toBe(0);
		const ses = file('bom.json', '\ufeff' + JSON.stringify(session()));
		expect(cowdbg('replay', '--headless', ses).status).toBe(0);
		// A session recorded from a scenario with a BOM embeds it; it replays.
		const withBom = '\ufeff' + minimal;
		expect(cowdbg('replay', '--headless', file('bom-inside.json', JSON.stringify(session(withBom)))).status).toBe(0);
	});
});

describe('terminal injection from a scenario', () => {
	const evil = `${ESC}]2;TITLE${BEL}${ESC}[2J`;
	const scn = file('evil.scn', `scenario "t${ESC}[2J"\nprogram init\n  print "${evil}\u009b31m"\n  expect 1 == 2\n  exit 0\nend\n`);

	it('run prints the print text escaped, never the raw bytes', () => {
		const r = cowdbg('run', scn);
		expect(r.status).toBe(1);
		noControl(r.stdout);
		expect(r.stdout).toContain('| \\x1b]2;TITLE\\x07\\x1b[2J\\x9b31m');
	});

	it('run --json keeps the value (JSON escapes) and no raw control byte', () => {
		const r = cowdbg('run', scn, '--json');
		noControl(r.stdout);
		const print = r.stdout
			.trim()
			.split('\n')
			.map((l) => JSON.parse(l) as {type: string; text?: string})
			.find((e) => e.type === 'print');
		expect(print?.text).toBe(`${evil}\u009b31m`);
	});

	it('check and error messages quoting a file name escape it', () => {
		const named = file(`n${ESC}[2J.scn`, 'program init\n  expect 1 == 2\n  exit 0\nend\n');
		const r = cowdbg('check', named);
		expect(r.status).toBe(1);
		noControl(r.stdout);
		expect(r.stdout).toContain('n\\x1b[2J.scn');
		const missing = cowdbg('run', join(dir, `missing${ESC}[2J.scn`));
		expect(missing.status).toBe(2);
		noControl(missing.stderr);
		expect(missing.stderr).toContain('missing\\x1b[2J.scn');
		const broken = cowdbg('run', file(`broken${ESC}[2J.scn`, 'program init\n  bogus\nend\n'));
		expect(broken.status).toBe(2);
		noControl(broken.stderr.replace(/\t/g, ' '));
		expect(broken.stderr).toContain('broken\\x1b[2J.scn:2:3: error');
	});
});

describe('maps exec cannot place, and panics', () => {
	it('map past the top of user space or over the stack is refused at parse time with FILE:LINE:COL', () => {
		const top = file('top.scn', 'program init\n  map top 2 rw- at 0x7ffffffff000\n  exit 0\nend\n');
		const r = cowdbg('run', top);
		expect(r.status).toBe(2);
		expect(r.stderr).toContain(`${top}:2:20: error: map top (0x7ffffffff000…0x800000001000) ends past the top of user space`);
		const stack = file('stack.scn', 'program init\n  map s 1 rw- at 0x7fffffffd000\n  exit 0\nend\n');
		const r2 = cowdbg('check', stack);
		expect(r2.status).toBe(2);
		expect(r2.stderr).toContain(`${stack}:2:18: error: map s (0x7fffffffd000…0x7fffffffe000) overlaps the program's stack`);
	});

	it('a panic is never exit 0 from run or check unless config end= says so', () => {
		// No frames for init's locked map: exec fails, "No working init found".
		const panic = file('panic.scn', 'config frames=16\nprogram init\n  map a 20 rw- locked\n  exit 0\nend\n');
		const r = cowdbg('run', panic);
		expect(r.stdout).toContain('Kernel panic - not syncing: No working init found.');
		expect(r.status).toBe(1);
		const c = cowdbg('check', panic);
		expect(c.status).toBe(1);
		expect(c.stdout).toMatch(
			/FAIL .*: 0\/0 expects, ended panic at tick 0, but the run must end exited.*\n.*the kernel panicked at tick 0: No working init found\./,
		);
		// Unless the scenario says it must end so.
		const wanted = file('wanted.scn', 'config frames=16 end=panic\nprogram init\n  map a 20 rw- locked\n  exit 0\nend\n');
		expect(cowdbg('run', wanted).status).toBe(0);
		expect(cowdbg('check', wanted).status).toBe(0);
	});
});

describe('replay --speed', () => {
	it('a speed too slow for a timer is refused with the slowest, exit 2', () => {
		const s = file('speed.json', JSON.stringify(session()));
		const r = cowdbg('replay', s, '--speed', '0.000001');
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/--speed 0\.000001 is too slow: the slowest is 0\.001/);
		expect(r.stderr).not.toContain('TimeoutOverflowWarning');
	});
});
