// The second version's rows of `npm run bench` (README.md, "Performance"): memory that does not
// grow with the run (peak resident set of a long run in `run --json`, `check`
// and the debugger), `run --json` events per second into a pipe, fork + exit +
// teardown per page for the whole process, and the real kernel's fork per page
// measured on this machine in the same run.

import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {spinScenario} from './scenarios.js';
import {median, type Row} from './table.js';

const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
const peakScript = fileURLToPath(new URL('./peak.js', import.meta.url));

type Child = {ms: number; stdoutBytes: number; lines: number; fd3: string; status: number | null; stderr: string; tail: string};

/** Run node with these arguments, draining stdout (counting lines) and reading fd 3. */
function runNode(args: string[]): Promise<Child> {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe', 'pipe']});
		let bytes = 0;
		let lines = 0;
		let fd3 = '';
		let stderr = '';
		let tail = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			bytes += chunk.length;
			tail = (tail + chunk.subarray(Math.max(0, chunk.length - 2000)).toString('utf8')).slice(-2000);
			for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
		});
		child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		(child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
		(child.stdio[3] as NodeJS.ReadableStream).on('data', (d: string) => (fd3 += d));
		child.on('error', reject);
		child.on('close', (status) => resolve({ms: performance.now() - t0, stdoutBytes: bytes, lines, fd3, status, stderr, tail}));
	});
}

function mb(kb: number): string {
	return `${(kb / 1024).toFixed(0)} MB`;
}

/** Peak resident set of a run of `ticks` ticks of 8 spinning processes, in each mode. */
export async function measurePeakRss(ticks: number, full: boolean, modes: readonly string[] = ['run-json', 'check', 'debugger']): Promise<Row[]> {
	const dir = mkdtempSync(join(tmpdir(), 'cowdbg-bench-'));
	try {
		const scenario = join(dir, 'spin.scn');
		writeFileSync(scenario, spinScenario(8, ticks));
		const rows: Row[] = [];
		const label = ticks.toLocaleString('en');
		const names: Record<string, string> = {
			'run-json': 'run --json (into a pipe)',
			check: 'check',
			debugger: "the debugger's data path (c to the end, a frame, a go back)",
		};
		for (const mode of modes) {
			const r = await runNode(['--max-old-space-size=4096', peakScript, mode, scenario]);
			if (r.status !== 0 || r.fd3 === '') throw new Error(`peak ${mode}: exit ${r.status}: ${r.stderr.slice(0, 500)}`);
			const {maxRssKb} = JSON.parse(r.fd3) as {maxRssKb: number};
			rows.push({
				measure: `peak resident set, ${label}-tick run of 8 processes: ${names[mode]}`,
				result: `${mb(maxRssKb)} (${(r.ms / 1000).toFixed(1)} s)`,
				target: '≤ 300 MB',
				ok: full ? maxRssKb / 1024 <= 300 : null,
			});
		}
		return rows;
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** `cowdbg run --json` into a pipe: events per second, whole process (launch included). */
export async function measureJsonRate(ticks: number, full: boolean): Promise<Row> {
	const dir = mkdtempSync(join(tmpdir(), 'cowdbg-bench-'));
	try {
		const scenario = join(dir, 'spin1.scn');
		// quantum=1: a sched event every tick
		writeFileSync(scenario, spinScenario(8, ticks).replace('quantum=3', 'quantum=1'));
		const r = await runNode([cli, 'run', scenario, '--json']);
		if (r.status !== 0) throw new Error(`run --json: exit ${r.status}: ${r.stderr.slice(0, 500)}`);
		const rate = r.lines / (r.ms / 1000);
		return {
			measure: `run --json into a pipe (${r.lines.toLocaleString('en')} events, ${(r.stdoutBytes / 1024 / 1024).toFixed(0)} MB, whole process)`,
			result: `${Math.round(rate).toLocaleString('en')} events/s`,
			target: '≥ 1,000,000 events/s',
			ok: full ? rate >= 1_000_000 : null,
		};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** pid 1 writes `pages` pages (a tick each), then forks `forks` children one after the other; each exits at once and is reaped. */
export function forkLoopScenario(pages: number, forks: number): string {
	return `scenario "${forks} forks of ${pages} written pages"
config frames=${pages + 8192} max_ticks=${pages + forks * 16 + 1000}
program init
  map big ${pages} rw-
  touch big write
  set r0 0
again:
  if r0 >= ${forks} goto done
  add r0 1
  fork
  if ret == 0 goto child
  wait
  goto again
done:
  exit 0
child:
  exit 0
end
`;
}

/**
 * Fork + exit + teardown of a process with `pages` written pages, per page,
 * whole process: the wall time of `cowdbg run` with `forks` forks minus the
 * same run without them (median of `runs` pairs), over forks × pages.
 */
export async function measureForkLoop(pages: number, forks: number, runs: number, full: boolean): Promise<Row> {
	const dir = mkdtempSync(join(tmpdir(), 'cowdbg-bench-'));
	try {
		const withForks = join(dir, 'forks.scn');
		const without = join(dir, 'none.scn');
		writeFileSync(withForks, forkLoopScenario(pages, forks));
		writeFileSync(without, forkLoopScenario(pages, 0));
		const diffs: number[] = [];
		for (let i = 0; i < runs; i++) {
			const a = await runNode([cli, 'run', withForks, '--json']);
			const b = await runNode([cli, 'run', without, '--json']);
			if (a.status !== 0 || b.status !== 0)
				throw new Error(`fork loop: exit ${a.status}/${b.status}: ${a.stderr.slice(0, 300)}${b.stderr.slice(0, 300)}`);
			// Both runs must have gone to the end, every fork done (a fork refused or a run cut short measures nothing).
			for (const [r, n] of [
				[a, forks],
				[b, 0],
			] as const) {
				const end = JSON.parse(r.tail.trimEnd().split('\n').at(-1)!) as {type: string; reason: string};
				if (end.type !== 'end' || end.reason !== 'exited') throw new Error(`fork loop: the run with ${n} forks ended ${JSON.stringify(end)}`);
			}
			diffs.push(a.ms - b.ms);
		}
		const ns = (median(diffs) * 1e6) / (forks * pages);
		return {
			measure: `fork + exit + teardown, ${pages.toLocaleString('en')} written pages × ${forks} forks, whole process (difference of two runs)`,
			result: `${ns.toFixed(1)} ns/page`,
			target: '≤ 30 ns/page (Linux here: 110–133)',
			ok: full ? ns <= 30 : null,
		};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** The same measure on the real kernel: a C program compiled with cc, if there is one. */
export function measureRealFork(pages: number, forks: number): Row {
	const measure = `the real kernel: fork + exit + teardown, ${pages.toLocaleString('en')} written pages × ${forks} forks (C, cc -O2)`;
	const source = fileURLToPath(new URL('../../source/bench/fork.c', import.meta.url));
	let cc: string | null = null;
	for (const name of ['cc', 'gcc', 'clang']) {
		try {
			execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'});
			cc = name;
			break;
		} catch {
			// not this one
		}
	}
	if (cc === null) return {measure, result: 'skipped: no C compiler (cc) on this machine', target: '—', ok: null};
	if (!existsSync(source)) return {measure, result: 'skipped: source/bench/fork.c is not here (an installed package)', target: '—', ok: null};
	const dir = mkdtempSync(join(tmpdir(), 'cowdbg-bench-'));
	try {
		const bin = join(dir, 'fork');
		execFileSync(cc, ['-O2', '-o', bin, source], {stdio: 'ignore'});
		const out = execFileSync(bin, [String(pages), String(forks)], {encoding: 'utf8'});
		const {ns} = JSON.parse(out) as {ns: number};
		return {measure, result: `${ns.toFixed(1)} ns/page`, target: '—', ok: null};
	} catch (error) {
		return {measure, result: `skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, target: '—', ok: null};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** What `npm start` adds before launching when nothing changed: the staleness check (scripts/build-if-stale.mjs). */
export function measureStaleCheck(): Row {
	const script = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url));
	const measure = 'npm start when nothing changed: the build check before launch (median of 5)';
	if (!existsSync(script)) return {measure, result: 'skipped: not in a source checkout', target: '—', ok: null};
	execFileSync(process.execPath, [script], {stdio: 'ignore'});
	const times: number[] = [];
	for (let i = 0; i < 5; i++) {
		const t0 = performance.now();
		execFileSync(process.execPath, [script], {stdio: 'ignore'});
		times.push(performance.now() - t0);
	}
	return {measure, result: `${median(times).toFixed(0)} ms (then the first frame)`, target: '≤ 1 s to the first frame', ok: null};
}
