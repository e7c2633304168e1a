// The benchmark's front-end figures: one TUI frame on a big machine, the
// first frame on screen after launch, and session-file bytes per minute.

import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {applyAction, type DebugAction} from '../debugger/actions.js';
import {Debugger} from '../debugger/debugger.js';
import {createRecorder} from '../debugger/recorder.js';
import {loadSource} from '../debugger/load.js';
import {renderFrame} from '../tui/render/frame.js';
import {initialState} from '../tui/state.js';
import {createModel} from '../tui/render/model.js';
import {parseScenario} from '../scenario/parser.js';
import {median, type Row} from './table.js';
import {frameScenario} from './scenarios.js';

/** state → rendered string at 200×60, 100 processes sharing 100,000 present PTEs. */
export function measureFrame(small: boolean): Row {
	const children = small ? 19 : 99;
	const pages = small ? 200 : 1000;
	const parsed = parseScenario(frameScenario(children, pages), 'frame.scn');
	if (!parsed.ok) throw new Error('frame scenario does not parse');
	const dbg = new Debugger(parsed.scenario, parsed.scenario.config, []);
	while (!dbg.ended) {
		dbg.step(50);
		const tasks = [...dbg.kernel.tasks.values()];
		if (tasks.length > children && tasks.every((t) => t.state === 'S')) break;
	}
	let ptes = 0;
	for (const mm of dbg.kernel.mms.values()) ptes += mm.rss;
	const model = createModel(dbg, initialState(1));
	const times: number[] = [];
	for (let i = 0; i < 40; i++) {
		const t0 = performance.now();
		renderFrame(model, 200, 60);
		times.push(performance.now() - t0);
		if (i % 10 === 9) dbg.step(1); // a step between some frames, as a user would
	}
	const worst = Math.max(...times.slice(1));
	return {
		measure: `TUI frame at 200×60, ${dbg.kernel.tasks.size} processes, ${ptes.toLocaleString('en')} mapped PTEs`,
		result: `median ${median(times).toFixed(2)} ms, worst ${worst.toFixed(2)} ms (first ${times[0]!.toFixed(1)} ms)`,
		target: '≤ 16 ms',
		ok: small ? null : worst <= 16,
	};
}

/** Launch `cowdbg scenarios/fork-cow.scn` on a pseudo-terminal (script(1)) and time the first frame. */
export async function measureFirstFrame(small: boolean): Promise<Row> {
	const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
	const times: number[] = [];
	try {
		for (let run = 0; run < 5; run++) times.push(await firstFrame(cli));
	} catch (error) {
		// No pty here (script(1) missing) or no frame in time: say so in the table.
		const reason = error instanceof Error ? error.message : String(error);
		return {measure: 'first frame on screen after launch (pty)', result: `not measured: ${reason}`, target: '≤ 250 ms', ok: small ? null : false};
	}
	const m = median(times);
	return {
		measure: 'first frame on screen after launch (pty, 5 launches)',
		result: `median ${m.toFixed(0)} ms`,
		target: '≤ 250 ms (first version: 400)',
		ok: small ? null : m <= 250,
	};
}

function firstFrame(cli: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${process.execPath} ${cli} scenarios/fork-cow.scn`, '/dev/null'], {
			stdio: ['pipe', 'pipe', 'ignore'],
			env: {...process.env, TERM: 'xterm-256color'},
		});
		let seen = '';
		let done = false;
		const timer = setTimeout(() => finish(new Error('no frame within 10 s')), 10_000);
		function finish(result: number | Error): void {
			if (done) return;
			done = true;
			clearTimeout(timer);
			child.stdin.write('q');
			setTimeout(() => child.kill('SIGKILL'), 500).unref();
			if (typeof result === 'number') resolve(result);
			else reject(result);
		}
		child.stdout.on('data', (chunk: Buffer) => {
			seen += chunk.toString('utf8');
			if (seen.includes('Processes')) finish(performance.now() - t0);
		});
		child.on('error', (error) => finish(error));
	});
}

/** Bytes a recorded session grows by per minute of scripted use (one action a second). */
export function measureSession(minutes: number): Row {
	const dir = mkdtempSync(join(tmpdir(), 'cowdbg-bench-'));
	try {
		const source = readFileSync('scenarios/fork-cow.scn', 'utf8');
		const loaded = loadSource(source, 'scenarios/fork-cow.scn', [], []);
		const empty = join(dir, 'empty.session');
		let clock = 0;
		createRecorder({file: empty, force: false, loaded, breakpoints: loaded.breakpoints, now: () => clock, saveEveryMs: 0}).close(
			new Debugger(loaded.scenario, loaded.config, loaded.breakpoints),
		);
		const file = join(dir, 'used.session');
		clock = 0;
		const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
		const recorder = createRecorder({file, force: false, loaded, breakpoints: loaded.breakpoints, now: () => clock, saveEveryMs: 0});
		const pattern: DebugAction[] = [
			{a: 'step', n: 1},
			{a: 'step', n: 1},
			{a: 'step', n: 10},
			{a: 'select', pid: 2},
			{a: 'next', pid: 2},
			{a: 'reverse-step', n: 1},
			{a: 'continue'},
			{a: 'reverse-continue'},
			{a: 'goto', tick: 5},
			{a: 'break-add', spec: 'fault:kind=anon'},
			{a: 'restart'},
			{a: 'break-toggle', id: 2},
		];
		for (let i = 0; i < minutes * 60; i++) {
			clock += 1000;
			const action = pattern[i % pattern.length]!;
			applyAction(dbg, action);
			recorder.record(action, dbg);
		}
		recorder.close(dbg);
		const perMinute = (statSync(file).size - statSync(empty).size) / minutes;
		return {
			measure: `session file, ${minutes} min of scripted use (60 actions/min)`,
			result: `${perMinute.toFixed(0)} B/min (+ ${statSync(empty).size} B of embedded scenario)`,
			target: '≤ 2 KiB/min',
			ok: perMinute <= 2048,
		};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

export async function measureUi(small: boolean): Promise<Row[]> {
	return [measureFrame(small), await measureFirstFrame(small), measureSession(small ? 1 : 5)];
}
