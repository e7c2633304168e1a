// The composition of a frame: from (debugger, UI state, terminal size) to a
// View: the status line, the panes laid out in bands (or an overlay), and the
// bottom lines (a notice, the prompt or the key bar). Each piece is built by
// its own file; this one only lays them out, and collects the facts the
// reducer needs about what is on the screen (the UiContext).

import {liveTasks, programOf, taskOf} from '../../debugger/views.js';
import {layoutBands} from '../layout.js';
import type {Pane} from '../panes.js';
import type {UiContext} from '../state.js';
import {fitLine, mergeSegs, seg, type Line} from '../text.js';
import {breakpointsOverlay} from './breakpoints.js';
import {compareOverlay} from './compare.js';
import {framesPane} from './frames.js';
import {helpOverlay} from './help.js';
import {kernelPane} from './kernel.js';
import {keyBar} from './keybar.js';
import {logPane} from './log.js';
import {memoryPane} from './memory.js';
import type {Model, PaneContent, PaneView, View} from './model.js';
import {processesPane} from './processes.js';
import {programPane} from './program.js';
import {promptLines} from './prompt.js';
import {registersOverlay} from './registers.js';
import {statusLine} from './status.js';
import {titleLine} from './title.js';

type PaneBuilder = (m: Model, width: number, rows: number, focused: boolean, pids: number[]) => PaneContent;

const paneBuilders: Record<Pane, PaneBuilder> = {
	processes: processesPane,
	memory: memoryPane,
	frames: framesPane,
	log: logPane,
	program: programPane,
};

function bottomLines(m: Model, width: number): Line[] {
	const bottom: Line[] = [];
	if (m.ui.notice !== null) bottom.push(fitLine([seg(m.ui.notice, {color: 'yellow'})], width));
	if (m.ui.prompt !== null) for (const l of promptLines(m, width)) bottom.push(fitLine(l, width));
	else bottom.push(fitLine(keyBar(m), width));
	return bottom;
}

/** The view of a model at a size, and the facts the reducer needs about it. */
export function buildView(m: Model, width: number, height: number): {view: View; ctx: UiContext} {
	width = Math.max(20, width);
	height = Math.max(8, height);
	const ui = m.ui;
	const k = m.dbg.kernel;
	const status = fitLine(statusLine(m, width), width);
	const bottom = bottomLines(m, width);
	const bodyHeight = height - 1 - bottom.length;
	const pids = liveTasks(k).map((t) => t.pid);
	const ctx: UiContext = {
		pids,
		breakpointIds: m.dbg.breakpoints.map((b) => b.id),
		rows: {processes: 0, memory: 0, frames: 0, log: 0, program: 0},
		view: {processes: 0, memory: 0, frames: 0, log: 0, program: 0},
		programTop: 0,
		framesTop: 0,
		memoryTop: 0,
		logLeftMax: 0,
		helpRows: 0,
		helpView: Math.max(1, bodyHeight - 1),
		inside: false,
	};
	let overlay: View['overlay'] = null;
	if (ui.overlay === 'help') {
		const help = helpOverlay(ui.helpScroll, width, ctx.helpView);
		ctx.helpRows = help.rows;
		overlay = help.overlay;
	}
	if (ui.overlay === 'breakpoints') overlay = breakpointsOverlay(m, width, bodyHeight);
	if (ui.overlay === 'compare' || ui.overlay === 'registers') {
		const v = (ui.overlay === 'compare' ? compareOverlay : registersOverlay)(m, width, bodyHeight);
		ctx.other = v.other;
		ctx.viewRows = v.rows;
		ctx.viewView = v.view;
		ctx.viewTop = v.top;
		overlay = v.overlay;
	}
	// The panes are laid out (and their row counts known) even under an overlay, for the reducer.
	const sel = taskOf(k, ui.selectedPid);
	const program = sel === undefined ? undefined : programOf(k, sel);
	const programRows = program === undefined ? 0 : program.code.length + Object.keys(program.labels).length + 1;
	// Inside a tick the Kernel view takes the Log's band, which gets the room the focused band would (unless Memory or Frames is focused).
	const inside = m.dbg.inside !== null;
	ctx.inside = inside;
	const layoutFocus = inside && (ui.focus === 'processes' || ui.focus === 'program') ? 'log' : ui.focus;
	const layout = layoutBands(width, bodyHeight, layoutFocus, Math.max(pids.length + 2, Math.min(programRows, 14)));
	const bands: PaneView[][] = [];
	for (const band of layout) {
		const row: PaneView[] = [];
		for (const box of band.panes) {
			const focused = ui.focus === box.pane;
			const rows = Math.max(0, box.height - 1);
			const kernel = inside && box.pane === 'log' && overlay === null ? kernelPane(m, box.width, rows) : null;
			const c: PaneContent = overlay !== null ? {info: '', lines: [], rows: 0} : (kernel ?? paneBuilders[box.pane](m, box.width, rows, focused, pids));
			ctx.rows[box.pane] = box.pane === 'processes' ? pids.length : c.rows;
			ctx.view[box.pane] = box.pane === 'processes' ? Math.max(1, rows - 1) : rows;
			if (c.autoTop !== undefined && box.pane === 'program') ctx.programTop = c.autoTop;
			if (c.autoTop !== undefined && box.pane === 'frames') ctx.framesTop = c.autoTop;
			if (c.autoTop !== undefined && box.pane === 'memory') ctx.memoryTop = c.autoTop;
			if (c.leftMax !== undefined && box.pane === 'log') ctx.logLeftMax = c.leftMax;
			row.push({
				pane: box.pane,
				width: box.width,
				height: box.height,
				focused,
				title: kernel === null ? titleLine(box.pane, focused, c.info, box.width) : titleLine(box.pane, focused, c.info, box.width, 'Kernel'),
				lines: c.lines.slice(0, rows).map((l) => mergeSegs(fitLine(l, box.width))),
			});
		}
		bands.push(row);
	}
	return {view: {width, height, status, bands: overlay === null ? bands : null, overlay, bodyHeight, bottom}, ctx};
}
