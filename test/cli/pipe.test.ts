// The headless commands writing into a pipe: a reader that closes early ends
// them quietly, as it ends a Unix tool (`cowdbg run X | head -1`), and a
// reader that stops reading makes them wait instead of queueing the run.

import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {spinScenario} from '../../source/bench/scenarios.js';

const bin = join(process.cwd(), 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'cowdbg-pipe-'));
/** Long enough that it cannot finish before the reader closes: 50M ticks, one event each. */
const long = join(dir, 'long.scn');
writeFileSync(long, spinScenario(8, 50_000_000).replace('quantum=3', 'quantum=1'));

type Ended = {status: number | null; signal: NodeJS.Signals | null; stderr: string; first: string};

/** Spawn cowdbg, read its first line, then close the pipe and wait for the end. */
function firstLineThenClose(args: string[]): Promise<Ended> {
	const child = spawn(process.execPath, [bin, ...args], {stdio: ['ignore', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
	return new Promise((resolve) => {
		let got = '';
		let first = '';
		child.stdout!.setEncoding('utf8').on('data', (d: string) => {
			got += d;
			const nl = got.indexOf('\n');
			if (nl >= 0 && first === '') {
				first = got.slice(0, nl);
				child.stdout!.destroy();
			}
		});
		child.on('close', (status, signal) => resolve({status, signal, stderr, first}));
	});
}

/** A shell reports a process killed by SIGPIPE as 141; either form is the Unix one. */
function brokenPipe(r: Ended): boolean {
	return r.signal === 'SIGPIPE' || r.status === 141;
}

describe('a reader that closes early', () => {
	it('run: no stack trace, ended as by SIGPIPE, long before the run would end', async () => {
		const r = await firstLineThenClose(['run', long]);
		expect(r.first).toBe('       0  pid 1 exec init'); // the tick column as wide as max_ticks (50,000,000)
		expect(r.stderr).toBe('');
		expect(brokenPipe(r)).toBe(true);
	});

	it('run --json: the same', async () => {
		const r = await firstLineThenClose(['run', long, '--json']);
		expect(JSON.parse(r.first)).toEqual({tick: 0, type: 'exec', pid: 1, program: 'init'});
		expect(r.stderr).toBe('');
		expect(brokenPipe(r)).toBe(true);
	});

	it('check: the same, after the first report', async () => {
		const scenarios = ['fork-cow', 'vfork-completion', 'exec-exit-wait'].map((n) => join('scenarios', `${n}.scn`));
		const many = Array.from({length: 40}, (_, i) => scenarios[i % scenarios.length]!);
		const r = await firstLineThenClose(['check', ...many, long]);
		expect(r.first).toMatch(/^PASS scenarios\/fork-cow\.scn/);
		expect(r.stderr).toBe('');
		expect(brokenPipe(r)).toBe(true);
	});
});

/** The process's resident set and CPU time so far (Linux /proc). */
function usage(child: ChildProcess): {rssKb: number; cpuTicks: number} {
	const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
	const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return {rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)![1]), cpuTicks: Number(fields[11]) + Number(fields[12])};
}

describe.runIf(process.platform === 'linux')('a reader that stops reading', () => {
	it('run --json waits for it (its CPU time stops growing) with a small resident set', async () => {
		// stdout is a pipe nobody reads: once it and the stream's queue are full, cowdbg must wait.
		const child = spawn(process.execPath, [bin, 'run', long, '--json'], {stdio: ['ignore', 'pipe', 'inherit']});
		child.stdout!.pause();
		try {
			let last = -1;
			let still = 0;
			let u = {rssKb: 0, cpuTicks: 0};
			// Poll until the CPU time has not moved for a second (it waits), or give up.
			for (let i = 0; i < 200 && still < 5; i++) {
				await new Promise((resolve) => setTimeout(resolve, 200));
				u = usage(child);
				still = u.cpuTicks === last ? still + 1 : 0;
				last = u.cpuTicks;
			}
			expect(still).toBe(5);
			expect(u.rssKb).toBeLessThan(200 * 1024);
			expect(child.exitCode).toBe(null);
		} finally {
			child.kill('SIGKILL');
		}
	}, 60_000);
});
