// The status line: the scenario, the tick, MMU or not, whether it runs, is
// paused or ended and why it stopped, the count prefix, replay and recording.

import {hitNames} from '../../debugger/debugger.js';
import {kernelView, machineInfo} from '../../debugger/views.js';
import {cells, lineWidth, seg, type Line} from '../text.js';
import type {Model} from './model.js';

export function statusLine(m: Model, width: number): Line {
	const dbg = m.dbg;
	const machine = machineInfo(dbg.kernel);
	const ui = m.ui;
	const out: Line = [seg(' cowdbg ', {inverse: true, bold: true}), seg(' '), seg(`tick ${dbg.tick}`, {bold: true})];
	if (dbg.endTick !== null) out.push(seg(`/${dbg.endTick}`, {dim: true}));
	out.push(seg(' '), seg(machine.mmu ? ' MMU ' : ' no-MMU ', {inverse: true, color: machine.mmu ? 'cyan' : 'magenta'}), seg(' '));
	const stop = dbg.lastStop;
	if (ui.running) {
		// What runs, and how far: a share when the work is known ahead, else the ticks run so far.
		const w = m.session.working ?? {label: 'running', progress: null, forward: true};
		const from = m.session.runningFrom;
		const p = w.progress;
		let far = '';
		if (p !== null && p.total !== null && p.total > 0) far = ` ${Math.min(99, Math.floor((100 * p.done) / p.total))}%`;
		else if (w.forward && from !== null) far = ` +${dbg.tick - from} ticks`;
		out.push(seg(`${w.label}…`, {color: 'green', bold: true}), seg(far, {}), seg(w.forward ? ' (space pauses)' : ' (Esc cancels)', {dim: true}));
	} else if (dbg.ended) {
		out.push(seg(`ended (${machine.ended})`, {color: 'red', bold: true}));
		if (machine.expectsFailed > 0) out.push(seg(` ${machine.expectsFailed} expect(s) failed`, {color: 'red'}));
	} else {
		out.push(seg('paused', {color: 'yellow', bold: true}));
	}
	// Inside a tick: which kernel step of how many, in which function (docs/debugger.md, kernel steps).
	const inside = ui.running ? null : kernelView(dbg);
	if (inside !== null) {
		const fn = inside.stack.at(-1)?.fn;
		out.push(seg(' · '), seg(`kstep ${inside.seq}/${m.cache.kernelStepCount(dbg)}${fn === undefined ? '' : ` in ${fn}`}`, {color: 'cyan', bold: true}));
	}
	if (!ui.running && stop.tick === dbg.tick) {
		if (stop.reason === 'break' && stop.hit !== null)
			out.push(seg(' · '), seg(`hit ${hitNames(stop.hit)} at tick ${stop.hit.tick}`, {color: 'black', bg: 'yellow', bold: true}));
		else if (stop.reason === 'paused') out.push(seg(' · paused by you', {dim: true}));
		else if (stop.reason === 'event') out.push(seg(` · next event of pid ${ui.selectedPid}`, {dim: true}));
		else if (stop.reason === 'goto') out.push(seg(` · went to tick ${stop.tick}`, {dim: true}));
		else if (stop.reason === 'start') out.push(seg(' · at the start', {dim: true}));
	}
	if (ui.count !== '') out.push(seg(` · count ${ui.count}`, {color: 'cyan', bold: true}));
	const r = m.session.replay;
	if (r !== null) {
		const speed = `×${r.speed}`;
		if (r.state === 'diverged') {
			out.push(seg(' '), seg(` replay DIFFERS after action ${r.index}/${r.total}: ${r.divergence ?? ''} `, {inverse: true, color: 'red', bold: true}));
		} else {
			const text =
				r.state === 'playing'
					? `▶ replay ${r.index}/${r.total} ${speed}`
					: r.state === 'done'
						? `replay done ${r.index}/${r.total}`
						: `replay stopped ${r.index}/${r.total}: yours now`;
			const checked = r.checkpoints !== undefined && r.checkpoints > 0 ? ` ✓${r.verified ?? 0}/${r.checkpoints}` : '';
			out.push(seg(' '), seg(` ${text}${checked} `, {inverse: true, color: 'green'}));
		}
	}
	if (m.session.recording !== null) {
		const name = m.session.recording.split('/').at(-1) ?? '';
		out.push(seg(' '), seg(' ● REC ', {inverse: true, color: 'red'}));
		// A save that failed says so before anything else.
		if (m.session.recordingNote !== null) out.push(seg(' ' + m.session.recordingNote, {color: 'red', bold: true}));
		else if (lineWidth(out) + cells(name) + 1 <= width) out.push(seg(' ' + name, {color: 'red'}));
	} else if (m.session.recordingNote !== null) out.push(seg(' '), seg(m.session.recordingNote, {color: 'red'}));
	// The scenario's name goes after the badge when there is room for it.
	const file = m.session.file.split('/').at(-1) ?? m.session.file;
	if (lineWidth(out) + cells(file) + 1 <= width) out.splice(1, 1, seg(` ${file} `));
	return out;
}
