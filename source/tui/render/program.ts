// The Program pane: the selected process's program with its labels, the pc
// marked, following the pc until it is scrolled.

import {absentText, programOf, taskOf} from '../../debugger/views.js';
import {fitLine, padStart, restyle, seg, type Line} from '../text.js';
import type {Model, PaneContent} from './model.js';

export function programPane(m: Model, width: number, rows: number): PaneContent {
	const k = m.dbg.kernel;
	const pid = m.ui.selectedPid;
	const task = taskOf(k, pid);
	if (task === undefined) return {info: `pid ${pid}`, lines: [[seg(absentText(k, pid), {dim: true})]], rows: 1};
	const program = programOf(k, task);
	if (program === undefined) return {info: task.program, lines: [], rows: 0};
	const labelsAt = new Map<number, string[]>();
	for (const [name, at] of Object.entries(program.labels)) {
		const list = labelsAt.get(at) ?? [];
		list.push(name);
		labelsAt.set(at, list);
	}
	// Rows: labels before their instruction; an "end" row when the pc is past the last one.
	type Row = {label?: string; index?: number};
	const all: Row[] = [];
	for (let i = 0; i <= program.code.length; i++) {
		for (const l of labelsAt.get(i) ?? []) all.push({label: l});
		if (i < program.code.length) all.push({index: i});
	}
	const running = task.state === 'R' || task.state === 'S' || task.state === 'D';
	// The end row is a row like the others, so scrolling reaches it.
	const pastEnd = task.pc >= program.code.length && running;
	if (pastEnd) all.push({});
	const pcRow = pastEnd ? all.length - 1 : all.findIndex((r) => r.index === task.pc);
	const autoTop = Math.max(0, Math.min((pcRow < 0 ? all.length : pcRow) - Math.floor(rows / 3), all.length - rows));
	const top = m.ui.scroll.program < 0 ? autoTop : Math.min(m.ui.scroll.program, Math.max(0, all.length - rows));
	const lines: Line[] = [];
	const digits = String(program.code.length).length;
	for (let r = top; r < Math.min(all.length, top + rows); r++) {
		const row = all[r]!;
		if (row.label !== undefined) {
			lines.push([seg(row.label + ':', {color: 'yellow'})]);
			continue;
		}
		if (row.index === undefined) {
			lines.push([seg('▶ (past the end)', {color: 'green'})]);
			continue;
		}
		const ins = program.code[row.index!]!;
		const atPc = row.index === task.pc && running;
		let line: Line = [seg(atPc ? '▶ ' : '  ', {color: 'green', bold: true}), seg(padStart(String(row.index), digits) + '  ', {dim: true}), seg(ins.text)];
		if (atPc) line = restyle(fitLine(line, width, true), {bold: true, color: 'green'});
		lines.push(line);
	}
	const state = task.state === 'Z' ? ' · exited' : '';
	return {info: `pid ${pid} · ${program.name} · pc ${task.pc}${state}`, lines, rows: all.length, autoTop};
}
