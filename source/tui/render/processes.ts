// The Processes pane: the scheduler's line (the CPU, the run queue) and one row
// a live process, the selected one marked, the cursor's inverted when focused.

import {processRow, schedInfo, taskOf} from '../../debugger/views.js';
import {fitLine, padEnd, padStart, restyle, seg, type Line} from '../text.js';
import type {Model, PaneContent} from './model.js';

const stateColor: Record<string, string> = {R: 'green', S: 'blue', D: 'magenta', Z: 'gray', X: 'gray'};

export function processesPane(m: Model, width: number, rows: number, focused: boolean, pids: number[]): PaneContent {
	const k = m.dbg.kernel;
	const ui = m.ui;
	const sched = schedInfo(k);
	const q = sched.runQueue.length === 0 ? 'empty' : sched.runQueue.join(' ');
	const info = sched.current === null ? `cpu idle · runq ${q}` : `cpu ${sched.current} (${sched.quantumLeft}/${sched.quantum} left) · runq ${q}`;
	const wide = width >= 60;
	const header: Line = [
		seg(`  ${padStart('PID', 4)}${wide ? ' ' + padStart('PPID', 4) : ''} S ${padEnd('COMM', 8)} ${padEnd('MM/US', 5)} INSTRUCTION`, {dim: true}),
	];
	const lines: Line[] = [header];
	const view = Math.max(0, rows - 1);
	const top = Math.min(ui.scroll.processes, Math.max(0, pids.length - view));
	for (let i = top; i < Math.min(pids.length, top + view); i++) {
		const r = processRow(k, taskOf(k, pids[i]!)!);
		const mark = r.pid === ui.selectedPid ? '*' : ' ';
		const cpu = r.current ? '>' : ' ';
		const mm = r.mm === null ? '-' : `${r.mm}/${r.mmUsers ?? '?'}`;
		let line: Line = [
			seg(mark + cpu, {bold: true, color: 'yellow'}),
			seg(padStart(String(r.pid), 4), r.current ? {bold: true} : {}),
			seg(wide ? ' ' + padStart(String(r.ppid), 4) : ''),
			seg(' '),
			seg(r.state, {color: stateColor[r.state], bold: true}),
			seg(' ' + padEnd(r.comm, 8) + ' '),
			seg(padEnd(mm, 5) + ' ', {color: 'cyan'}),
			seg(r.instruction, {}),
			seg(r.waits === '' ? '' : `  <- ${r.waits}`, {color: 'magenta'}),
		];
		line = fitLine(line, width, focused && i === ui.procCursor);
		if (focused && i === ui.procCursor) line = restyle(line, {inverse: true});
		lines.push(line);
	}
	if (pids.length === 0) lines.push([seg('no live process', {dim: true})]);
	return {info, lines, rows: pids.length + 1};
}
