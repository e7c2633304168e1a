// Times a TUI frame (state → rendered string) on a big machine: 100
// processes sharing 100,000 present PTEs, at 200×60 (SPEC §8: ≤ 16 ms).
//   node dist/tui/frame-bench.js [--width 200] [--height 60]

import {Debugger} from '../debugger/debugger.js';
import {parseScenario} from '../scenario/parser.js';
import {renderFrame} from './render.js';
import {initialState} from './state.js';
import {createModel, type Model} from './view.js';

/** init maps 1000 pages, writes them all, then forks 99 children that all sleep: 100 mm's × 1,001 PTEs. */
export function bigScenarioSource(children = 99, pages = 1000): string {
	return `scenario "frame benchmark: ${children + 1} processes, ${(children + 1) * pages} PTEs"
config mmu=on frames=${pages * 2 + (children + 1) * 8 + 64} quantum=3
program init
  map heap ${pages} rw-
  touch heap write
  set r0 0
loop:
  fork
  if ret == 0 goto child
  add r0 1
  if r0 < ${children} goto loop
  sleep 900000
  exit 0
child:
  sleep 900000
  exit 0
end
`;
}

export function bigModel(): Model {
	const parsed = parseScenario(bigScenarioSource(), 'bench.scn');
	if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
	const dbg = new Debugger(parsed.scenario, parsed.scenario.config, []);
	// Run until every child sleeps.
	while (!dbg.ended) {
		dbg.step(50);
		const tasks = [...dbg.kernel.tasks.values()];
		if (tasks.length >= 100 && tasks.every((t) => t.state === 'S')) break;
	}
	return createModel(dbg, initialState(1));
}

function stats(samples: number[]): string {
	const s = [...samples].sort((a, b) => a - b);
	const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
	return `median ${q(0.5).toFixed(2)} ms · p95 ${q(0.95).toFixed(2)} ms · max ${s.at(-1)!.toFixed(2)} ms (${s.length} frames)`;
}

function main(): void {
	const arg = (name: string, def: number): number => {
		const i = process.argv.indexOf(name);
		return i < 0 ? def : Number(process.argv[i + 1]);
	};
	const width = arg('--width', 200);
	const height = arg('--height', 60);
	const t0 = performance.now();
	const m = bigModel();
	const k = m.dbg.kernel;
	let ptes = 0;
	for (const mm of k.mms.values()) ptes += mm.rss;
	console.log(`state: tick ${k.tick}, ${k.tasks.size} processes, ${ptes} present PTEs, ${k.frames.kind.length - k.frames.free} frames used (built in ${(performance.now() - t0).toFixed(0)} ms)`);
	// Memory focused in the middle of pid 50's page table, Frames and Log scrolled.
	m.ui = {...m.ui, focus: 'memory', selectedPid: 50, procCursor: 49, scroll: {processes: 40, memory: 500, frames: 300, log: 200, program: -1}};
	for (let i = 0; i < 20; i++) renderFrame(m, width, height); // warm up the JIT
	const warm: number[] = [];
	for (let i = 0; i < 100; i++) {
		const t = performance.now();
		renderFrame(m, width, height);
		warm.push(performance.now() - t);
	}
	console.log(`${width}×${height}, same state (per-tick caches warm): ${stats(warm)}`);
	// A new tick each frame: every per-tick walk is redone.
	const cold: number[] = [];
	for (let i = 0; i < 50; i++) {
		m.dbg.step(1);
		const t = performance.now();
		renderFrame(m, width, height);
		cold.push(performance.now() - t);
	}
	console.log(`${width}×${height}, after a step (caches cold):       ${stats(cold)}`);
	const worst = Math.max(...cold, ...warm);
	console.log(worst <= 16 ? 'ok: every frame ≤ 16 ms' : `SLOW: a frame took ${worst.toFixed(1)} ms (target 16 ms)`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').at(-1)!)) main();
