// Run in a fresh process by the benchmark: one long run in one of the three
// ways a user runs it, writing to stdout (a pipe the benchmark drains), then
// the process's peak resident set on fd 3 as JSON.
//   node peak.js run-json|check|debugger SCENARIO

import {writeSync} from 'node:fs';
import {checkCommand} from '../cli/check.js';
import {Output} from '../cli/output.js';
import {runCommand} from '../cli/run.js';
import {Debugger} from '../debugger/debugger.js';
import {loadScenario} from '../debugger/load.js';
import {renderFrame} from '../tui/render/frame.js';
import {initialState} from '../tui/state.js';
import {createModel} from '../tui/render/model.js';

const [mode, file] = process.argv.slice(2);
const output = new Output(process.stdout);
let ticks = 0;
if (mode === 'run-json') {
	await runCommand(file!, {breaks: [], overrides: [], json: true, state: undefined}, output);
} else if (mode === 'check') {
	await checkCommand([file!], [], output, (text) => process.stderr.write(text));
} else if (mode === 'debugger') {
	// The TUI's data path without a terminal: `c` to the end in the slices the
	// TUI uses, a frame (its Log pane reads the last events), a go to the middle.
	const l = loadScenario(file!, []);
	const dbg = new Debugger(l.scenario, l.config, l.breakpoints);
	while (dbg.continue(20_000) === null) {
		// to the end
	}
	const m = createModel(dbg, {...initialState(1), focus: 'log'});
	output.write(renderFrame(m, 120, 40).length + '\n');
	dbg.goto(Math.floor(dbg.tick / 2));
	output.write(renderFrame(m, 120, 40).length + '\n');
	ticks = dbg.frontier;
} else {
	throw new Error(`peak: unknown mode ${mode}`);
}
await output.end();
writeSync(3, JSON.stringify({maxRssKb: process.resourceUsage().maxRSS, ticks}) + '\n');
