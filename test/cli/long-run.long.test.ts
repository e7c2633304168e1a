// npm run test:long only (vitest.config.ts takes *.long.test.ts files when
// COWDBG_LONG=1): a run of 100,000,000 ticks of 8
// processes, past the length at which a per-tick array used to abort V8
// (about 112.8M entries for the debugger's log index; the heap at 54.6M
// ticks for run --json), ends cleanly: every event streamed, the end event
// last, exit 0, and the resident set small throughout.

import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {spinScenario} from '../../source/bench/scenarios.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {parse} from '../helpers/run.js';

const TICKS = 100_000_000;
const bin = join(process.cwd(), 'dist', 'cli.js');

describe('a 100M-tick run', () => {
	it('run --json streams every event and ends with the end event, exit 0, in little memory', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'cowdbg-long-'));
		const file = join(dir, 'spin.scn');
		writeFileSync(file, spinScenario(8, TICKS));
		const child = spawn(process.execPath, [bin, 'run', file, '--json'], {stdio: ['ignore', 'pipe', 'pipe', 'pipe']});
		let lines = 0;
		let tail = '';
		let stderr = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
			tail = (tail + chunk.toString('utf8')).slice(-400);
		});
		child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		let peakKb = 0;
		const poll = setInterval(() => {
			try {
				const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
				peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
			} catch {
				// gone
			}
		}, 500);
		const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
		clearInterval(poll);
		expect(stderr).toBe('');
		expect(status).toBe(0);
		const last = JSON.parse(tail.trimEnd().split('\n').at(-1)!) as {type: string; reason: string; tick: number};
		expect(last).toMatchObject({type: 'end', reason: 'max-ticks', tick: TICKS});
		expect(lines).toBeGreaterThan(TICKS / 3);
		if (process.platform === 'linux') expect(peakKb).toBeLessThan(300 * 1024);
	}, 3_600_000);

	it('the debugger goes through it and back, and reads the log at both ends', () => {
		const s = parse(spinScenario(8, TICKS), 'spin.scn');
		const dbg = new Debugger(s);
		while (dbg.continue(1 << 20) === null) {
			// to the end
		}
		expect(dbg.tick).toBe(TICKS);
		const total = dbg.visibleEvents();
		expect(total).toBeGreaterThan(TICKS / 3);
		expect(dbg.event(total - 1)).toMatchObject({type: 'end', tick: TICKS});
		dbg.goto(TICKS / 2);
		expect(dbg.tick).toBe(TICKS / 2);
		expect(dbg.eventsOf(TICKS / 2).length).toBeGreaterThanOrEqual(0);
		expect(dbg.event(0)).toMatchObject({type: 'exec', tick: 0});
	}, 3_600_000);
});
