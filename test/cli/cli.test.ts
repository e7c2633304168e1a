// The command line as a user meets it: the built binary, its output and exit statuses.

import {spawnSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

const bin = join(process.cwd(), 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'cowdbg-cli-'));

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	return cowdbgIn(process.cwd(), ...args);
}

function cowdbgIn(cwd: string, ...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', input: '', cwd});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

function scenario(name: string, text: string): string {
	const file = join(dir, name);
	writeFileSync(file, text);
	return file;
}

const forkCow = scenario(
	'fork.scn',
	`scenario "fork"
config frames=64
program init
  map heap 4 rw-
  write heap[0] 1
  fork
  if ret == 0 goto child
  wait
  expect heap[0] == 1
  write heap[0] 3
  exit 0
child:
  write heap[0] 2
  expect heap[0] == 2
  exit 0
end
`,
);

const failing = scenario(
	'failing.scn',
	`program init
  write stack 5
  expect stack == 6
  exit 0
end
`,
);

describe('cowdbg run', () => {
	it('prints the log as text and exits 0', () => {
		const r = cowdbg('run', forkCow);
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/fault cow-copy write 0x600000 \(heap\) → pfn \d+ from pfn \d+ {2}\[handle_mm_fault > handle_pte_fault > do_wp_page\]/);
		expect(r.stdout).toMatch(/fault cow-reuse/);
		expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/end: exited/);
	});

	it('keeps the tick column one width when ticks reach 7 digits and more (as wide as max_ticks)', () => {
		const file = scenario(
			'long-sleep.scn',
			`scenario "a print before and after a long sleep"
config max_ticks=20000000
program init
  print "before"
  sleep 1200000
  print "after"
  exit 0
end
`,
		);
		const r = cowdbg('run', file);
		expect(r.status).toBe(0);
		const lines = r.stdout.trimEnd().split('\n');
		expect(lines.some((l) => /^\s*\d{7,}  /.test(l))).toBe(true);
		// every event starts in the same column: the tick takes 8 columns (20,000,000), then two spaces
		for (const line of lines) expect(line, line).toMatch(/^[ 0-9]{8}  \S/);
		expect(lines.find((l) => l.includes('after'))).toMatch(/^ 1200\d{3}  pid 1 \| after$/);
	});

	it('prints JSON Lines with --json, every line an event with tick and type', () => {
		const r = cowdbg('run', forkCow, '--json');
		expect(r.status).toBe(0);
		const events = r.stdout
			.trimEnd()
			.split('\n')
			.map((l) => JSON.parse(l) as {tick: number; type: string});
		for (const e of events) {
			expect(typeof e.tick).toBe('number');
			expect(typeof e.type).toBe('string');
		}
		const fork = events.find((e) => e.type === 'syscall' && (e as unknown as {name: string}).name === 'fork');
		expect(fork).toMatchObject({pid: 1, ret: 2, child: 2, cost: {vmas: 3, ptes: 1}});
		expect(events.at(-1)).toMatchObject({type: 'end', reason: 'exited', expects_failed: 0});
	});

	it('stops at the end of the tick that hit a breakpoint and dumps the state there', () => {
		const r = cowdbg('run', forkCow, '--json', '--break', 'cow', '--state', '-');
		expect(r.status).toBe(0);
		// stdout is the dump alone, clean JSON; the log went to stderr
		const dump = JSON.parse(r.stdout) as Record<string, unknown>;
		const lines = r.stderr
			.trimEnd()
			.split('\n')
			.map((l) => JSON.parse(l) as Record<string, unknown>);
		const end = lines.at(-1)!;
		const brk = lines.at(-2)!;
		expect(brk).toMatchObject({type: 'break', spec: 'cow'});
		expect(end).toMatchObject({type: 'end', reason: 'break'});
		const hitTick = brk['tick'];
		const cow = lines.find((e) => e['type'] === 'fault' && e['kind'] === 'cow-copy')!;
		expect(cow['tick']).toBe(hitTick);
		expect(dump['tick']).toBe(hitTick);
		expect(lines.filter((e) => typeof e['tick'] === 'number' && (e['tick'] as number) > (hitTick as number))).toHaveLength(0);
		const tasks = dump['tasks'] as {pid: number}[];
		expect(tasks.map((t) => t.pid)).toEqual([1, 2]);
	});

	it('--state - keeps stdout for the dump also with the text log', () => {
		const r = cowdbg('run', forkCow, '--state', '-');
		expect(r.status).toBe(0);
		expect(JSON.parse(r.stdout)).toMatchObject({tick: expect.any(Number), tasks: expect.any(Array)});
		expect(r.stderr).toMatch(/end: exited/);
	});

	it('refuses a --state path it cannot write before running anything', () => {
		const r = cowdbg('run', forkCow, '--state', join(dir, 'no-such-dir', 's.json'));
		expect(r.status).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toBe(`cowdbg: --state '${join(dir, 'no-such-dir', 's.json')}': cannot create it: no directory '${join(dir, 'no-such-dir')}'\n`);
		const isDir = cowdbg('run', forkCow, '--state', dir);
		expect(isDir.status).toBe(2);
		expect(isDir.stdout).toBe('');
		expect(isDir.stderr).toMatch(/it is a directory/);
	});

	it('names every breakpoint that hit the stopping tick', () => {
		const r = cowdbg('run', forkCow, '--json', '--break', 'cow', '--break', 'watch=heap[0]:pid=2');
		expect(r.status).toBe(0);
		const lines = r.stdout
			.trimEnd()
			.split('\n')
			.map((l) => JSON.parse(l) as Record<string, unknown>);
		const breaks = lines.filter((e) => e['type'] === 'break');
		expect(breaks.map((e) => e['spec'])).toEqual(['cow', 'watch=heap[0]:pid=2']);
		expect(breaks[0]!['tick']).toBe(breaks[1]!['tick']);
		expect(lines.at(-1)).toMatchObject({type: 'end', reason: 'break', expects_unreached: 2});
	});

	it('writes the state dump to a file with the fields of docs/events.md', () => {
		const out = join(dir, 'state.json');
		const r = cowdbg('run', forkCow, '--state', out, '--break', 'fork');
		expect(r.status).toBe(0);
		const dump = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
		expect(Object.keys(dump)).toEqual(['tick', 'config', 'tasks', 'kernel', 'kstep', 'mms', 'frames', 'frames_total', 'frames_free', 'completions']);
		expect(dump['kernel']).toBe('2.6.32');
		const tasks = dump['tasks'] as Record<string, unknown>[];
		expect(Object.keys(tasks[0]!)).toEqual([
			'pid',
			'tgid',
			'ppid',
			'comm',
			'state',
			'killable',
			'exit_signal',
			'mm',
			'pc',
			'ret',
			'regs',
			'pins',
			'vfork_done',
			'exit_code',
			'sigaltstack',
		]);
		expect(tasks.map((t) => [t['pid'], t['tgid'], t['exit_signal'], t['killable']])).toEqual([
			[1, 1, 17, false],
			[2, 2, 17, false],
		]);
		const frames = dump['frames'] as {pfn: number; kind: string}[];
		// the kernel stacks: init's (pfns 2-3, at boot) and the child's, from dup_task_struct
		expect(frames.filter((f) => f.kind === 'kstack').map((f) => f.pfn)).toEqual([2, 3, 10, 11]); // 2.6.32 takes an order-1 block: two frames, aligned
		const mms = dump['mms'] as {ptes: {va: string; writable: boolean}[]; vmas: {region: string}[]}[];
		// After fork both mm's map heap[0] read-only (copy_one_pte's pte_wrprotect).
		for (const mm of mms) {
			const heap = mm.ptes.find((p) => p.va === '0x600000')!;
			expect(heap.writable).toBe(false);
		}
	});

	it('gives the same bytes every time', () => {
		const a = cowdbg('run', forkCow, '--json');
		const b = cowdbg('run', forkCow, '--json');
		expect(a.stdout).toBe(b.stdout);
	});

	it('exits 1 when an expect fails', () => {
		const r = cowdbg('run', failing);
		expect(r.status).toBe(1);
		expect(r.stdout).toMatch(/expect FAILED line 3: expect stack == 6 \(actual 5\)/);
	});

	it('applies --set overrides and refuses bad ones with exit 2', () => {
		const r = cowdbg('run', forkCow, '--json', '--set', 'frames=16', '--state', '-');
		expect(r.status).toBe(0);
		const dump = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!) as {frames_total: number};
		expect(dump.frames_total).toBe(16);
		const bad = cowdbg('run', forkCow, '--set', 'frames=3');
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/--set 'frames=3': frames must be an integer from 16 to 16777216/);
		const unknown = cowdbg('run', forkCow, '--set', 'frame=64');
		expect(unknown.stderr).toMatch(/did you mean 'frames'/);
		expect(cowdbg('run', forkCow, '--set', 'frames').status).toBe(2);
	});

	it('refuses a bad breakpoint spec with the reason and exit 2', () => {
		const r = cowdbg('run', forkCow, '--break', 'fault:kind=cow');
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/--break 'fault:kind=cow': unknown fault kind 'cow'/);
	});

	it('reports every error of a malformed scenario with its place and a caret, exit 2', () => {
		const bad = scenario('bad.scn', 'program init\n  wirte heap 1\n  goto nowhere\nend\n');
		const r = cowdbg('run', bad);
		expect(r.status).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toContain(`${bad}:2:3: error: unknown instruction 'wirte' (did you mean 'write'?)`);
		expect(r.stderr).toContain('  wirte heap 1\n  ^');
		expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: error: .*nowhere`));
		expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // never a stack trace
	});

	it('refuses a bad break line in the scenario with its position', () => {
		const bad = scenario('badbreak.scn', 'break cow:pid=x\nprogram init\n  exit 0\nend\n');
		const r = cowdbg('run', bad);
		expect(r.status).toBe(2);
		expect(r.stderr).toContain(`${bad}:1:15: error: bad pid 'x'`);
	});

	it('says so for a missing file, a directory and a binary file', () => {
		const missing = cowdbg('run', join(dir, 'nope.scn'));
		expect(missing.status).toBe(2);
		expect(missing.stderr).toMatch(/cannot read scenario .*nope\.scn': no such file/);
		const sub = join(dir, 'adir');
		mkdirSync(sub, {recursive: true});
		const directory = cowdbg('run', sub);
		expect(directory.status).toBe(2);
		expect(directory.stderr).toMatch(/is a directory/);
		const binary = join(dir, 'binary.scn');
		writeFileSync(binary, Buffer.from([0, 1, 2, 255, 254, 10, 0x7f, 0x45, 0x4c, 0x46]));
		const r = cowdbg('run', binary);
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/error:/);
	});

	it('refuses usage errors with exit 2', () => {
		expect(cowdbg('run').status).toBe(2);
		expect(cowdbg('run', forkCow, forkCow).status).toBe(2);
		const unknown = cowdbg('--frobnicate');
		expect(unknown.status).toBe(2);
		expect(unknown.stderr).toMatch(/^cowdbg: unknown flag --frobnicate\n/);
	});
});

describe('cowdbg check', () => {
	it('reports each scenario and exits by the worst', () => {
		const ok = cowdbg('check', forkCow);
		expect(ok.status).toBe(0);
		expect(ok.stdout).toMatch(/^PASS .*fork\.scn: 2\/2 expects, ended exited/m);
		const r = cowdbg('check', forkCow, failing);
		expect(r.status).toBe(1);
		expect(r.stdout).toMatch(/^FAIL .*failing\.scn: 0\/1 expects/m);
		expect(r.stdout).toMatch(/failing\.scn:3: tick \d+, pid 1: expect stack == 6 \(actual 5\)/);
		expect(r.stdout).toMatch(/1 of 2 scenarios passed/);
		const bad = scenario('bad2.scn', 'program\n');
		expect(cowdbg('check', forkCow, bad).status).toBe(2);
	});
});

describe('help and version', () => {
	it('prints help and version and exits 0', () => {
		const help = cowdbg('--help');
		expect(help.status).toBe(0);
		expect(help.stdout).toMatch(/cowdbg run SCENARIO/);
		const version = cowdbg('--version');
		expect(version.status).toBe(0);
		expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
	});

	it('prints the description once, takes -h and -v, and has a help per command', () => {
		for (const flag of ['--help', '-h']) {
			const help = cowdbg(flag);
			expect(help.status).toBe(0);
			expect(help.stdout.match(/A debugger for a simulated Linux kernel/g)).toHaveLength(1);
			expect(help.stdout.match(/terminal debugger/g)).toBeNull(); // package.json's description is not added
		}
		expect(cowdbg('-v').stdout).toBe(cowdbg('--version').stdout);
		const run = cowdbg('run', '--help');
		expect(run.status).toBe(0);
		expect(run.stdout).toMatch(/--state FILE\|-/);
		expect(run.stdout).not.toMatch(/--record|--speed/);
		expect(cowdbg('help', 'run').stdout).toBe(run.stdout);
		const replay = cowdbg('help', 'replay');
		expect(replay.stdout).toMatch(/--headless/);
		expect(replay.stdout).not.toMatch(/--break/);
	});

	it('help is a command, not a scenario called "help"', () => {
		const r = cowdbg('help');
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/Usage/);
		expect(r.stderr).toBe('');
	});

	it('refuses a flag that does not apply to its command, or lacks its value, naming it (exit 2)', () => {
		const cases: [string[], RegExp][] = [
			[['run', forkCow, '--break'], /^cowdbg: --break needs a value/],
			[['run', forkCow, '--record', join(dir, 'f')], /^cowdbg: --record does not apply to cowdbg run/],
			[['run', '--speed', '2'], /^cowdbg: --speed does not apply to cowdbg run/],
			[['run', '--headless'], /^cowdbg: --headless does not apply to cowdbg run/],
			[['check', forkCow, '--break', 'cow', '--json'], /^cowdbg: --break does not apply to cowdbg check/],
			[['replay', join(dir, 's.json'), '--set', 'frames=64'], /^cowdbg: --set does not apply to cowdbg replay/],
		];
		for (const [args, message] of cases) {
			const r = cowdbg(...args);
			expect(r.status, args.join(' ')).toBe(2);
			expect(r.stderr).toMatch(message);
			expect(r.stdout).toBe('');
		}
		expect(cowdbg('run', forkCow, '--record', join(dir, 'f')).stderr).toMatch(/Run 'cowdbg help run'/);
	});

	it('the TUI form without a terminal says so and suggests run', () => {
		const r = cowdbg(forkCow);
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/needs a terminal.*cowdbg run/);
	});
});

describe('bundled scenarios', () => {
	const elsewhere = mkdtempSync(join(tmpdir(), 'cowdbg-elsewhere-'));

	it('list prints every bundled scenario with its title', () => {
		const r = cowdbgIn(elsewhere, 'list');
		expect(r.status).toBe(0);
		const lines = r.stdout.trimEnd().split('\n');
		expect(lines.length).toBeGreaterThan(10);
		expect(r.stdout).toMatch(/^fork-cow +fork, then both write/m);
		expect(r.stdout).toMatch(/^vfork-completion +\S/m);
		const names = lines.map((l) => l.split(' ')[0]!);
		expect(names).toEqual([...names].sort());
	});

	it('opens one by name from any directory: run, check and the TUI form', () => {
		const run = cowdbgIn(elsewhere, 'run', 'fork-cow', '--break', 'cow');
		expect(run.status).toBe(0);
		expect(run.stdout).toMatch(/fault cow-copy/);
		expect(cowdbgIn(elsewhere, 'run', 'fork-cow.scn', '--break', 'cow').stdout).toBe(run.stdout);
		expect(cowdbgIn(elsewhere, 'check', 'vfork-completion').stdout).toMatch(/^PASS /m);
		// The TUI form finds its default scenario, then says it needs a terminal.
		const tui = cowdbgIn(elsewhere);
		expect(tui.status).toBe(2);
		expect(tui.stderr).toMatch(/^cowdbg: the TUI needs a terminal; for a headless run use: cowdbg run fork-cow\n/);
	});

	it('a file in the working directory wins over a bundled name; an unknown name says what it tried', () => {
		writeFileSync(join(elsewhere, 'fork-cow'), 'program init\n  print "mine"\n  exit 0\nend\n');
		expect(cowdbgIn(elsewhere, 'run', 'fork-cow').stdout).toMatch(/mine/);
		const r = cowdbgIn(elsewhere, 'run', 'no-such-scenario');
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/cannot read scenario 'no-such-scenario': no such file \(and no bundled scenario has that name: cowdbg list\)/);
		expect(cowdbgIn(elsewhere, 'nonexistent').stderr).toMatch(/cannot read scenario 'nonexistent'/);
	});
});
