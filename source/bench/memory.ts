// Run in a fresh process by the benchmark: hold a machine with N frames in
// use under the debugger (as the TUI would), then report the resident set.

import {Debugger} from '../debugger/debugger.js';
import {load} from './bench.js';
import {bigForkScenario} from './scenarios.js';

const pages = Number(process.argv[2] ?? '1048576');
const dbg = new Debugger(load(bigForkScenario(pages, 'fork')));
const init = dbg.kernel.tasks.get(1)!;
while (init.pc < 1 && !dbg.ended) dbg.step(4096);
const used = dbg.kernel.frames.kind.length - dbg.kernel.frames.free;
(globalThis as {gc?: () => void}).gc?.();
process.stdout.write(JSON.stringify({rss: process.memoryUsage().rss, used}));
