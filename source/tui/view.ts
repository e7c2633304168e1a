// From (debugger, UI state, terminal size) to the lines of every pane: the
// view the components render as they are. Only the rows that will be on the
// screen are computed; the kernel facts behind them come from
// debugger/views.ts, and the walks that do not depend on the scroll position
// are kept per tick in a ViewCache.

import type {Debugger} from '../debugger/debugger.js';
import {describeEvent} from '../debugger/format.js';
import {
	frameMap,
	frameUsers,
	frameWindow,
	leafTables,
	liveTasks,
	mmSummary,
	processRow,
	pteCount,
	pteWindow,
	schedInfo,
	usedFrameCount,
	vmaRow,
	type FrameCell,
	type Leaf,
	type VmaRow,
} from '../debugger/views.js';
import type {KernelEvent} from '../kernel/events.js';
import {FRAME_FREE, FRAME_ZERO, type KernelState, type MmStruct, type Task} from '../kernel/types.js';
import type {LogQuery} from '../debugger/log.js';
import {filterLogQuery, parseFilter} from './filter.js';
import {barKeys, keyTable, type BarContext} from './keys.js';
import {layoutBands} from './layout.js';
import {paneTitles, panes, type Pane} from './panes.js';
import {modeOf, type UiContext, type UiState} from './state.js';
import {fitLine, lineWidth, mergeSegs, padEnd, padStart, restyle, seg, wrap, type Line, type Style} from './text.js';

export type FrameSnapshot = {kind: Uint8Array; refcount: Int32Array; mapcount: Int32Array};

export type ReplayInfo = {index: number; total: number; speed: number; state: 'playing' | 'done' | 'taken-over'};

export type SessionInfo = {
	file: string;
	/** Where the session is recorded, or null. */
	recording: string | null;
	/** Why recording was asked for but is not happening, or null. */
	recordingNote: string | null;
	replay: ReplayInfo | null;
	/** The tick a running continue started from (for its progress), or null. */
	runningFrom: number | null;
};

/** Everything a frame is drawn from. */
export type Model = {
	dbg: Debugger;
	ui: UiState;
	session: SessionInfo;
	/** The frame table before the last debug action (for "changed since the last step"), or null. */
	before: FrameSnapshot | null;
	cache: ViewCache;
};

export type PaneView = {pane: Pane; width: number; height: number; focused: boolean; title: Line; lines: Line[]};

export type View = {
	width: number;
	height: number;
	status: Line;
	/** The panes by band, or a full-body list (help, breakpoints). */
	bands: PaneView[][] | null;
	overlay: {title: Line; lines: Line[]} | null;
	bodyHeight: number;
	bottom: Line[];
};

/** Walks kept per tick (the state at a tick is always the same). */
export class ViewCache {
	private users = {key: '', value: new Map<number, number[]>()};
	private map = {key: '', value: {perCell: 1, cells: [] as FrameCell[]}};
	private ptes = {key: '', value: 0};
	private leafCache = {key: '', value: [] as Leaf[]};
	private vmas = {key: '', value: [] as VmaRow[]};
	private changed = {key: '', before: null as FrameSnapshot | null, value: {count: 0, firstRank: -1}};
	private filtered = {text: '', dbg: null as Debugger | null, query: null as LogQuery | null};

	frameUsers(k: KernelState, pfns: number[]): Map<number, number[]> {
		const key = `${k.tick}:${pfns.join(',')}`;
		if (this.users.key !== key) this.users = {key, value: frameUsers(k, pfns)};
		return this.users.value;
	}

	frameMap(k: KernelState, cells: number): {perCell: number; cells: FrameCell[]} {
		const key = `${k.tick}:${cells}`;
		if (this.map.key !== key) this.map = {key, value: frameMap(k, cells)};
		return this.map.value;
	}

	/** The leaf tables of the mm shown, walked once a tick. */
	leaves(k: KernelState, mm: MmStruct): Leaf[] {
		const key = `${k.tick}:${mm.id}`;
		if (this.leafCache.key !== key) this.leafCache = {key, value: leafTables(k, mm)};
		return this.leafCache.value;
	}

	pteCount(k: KernelState, mm: MmStruct): number {
		const key = `${k.tick}:${mm.id}`;
		if (this.ptes.key !== key) this.ptes = {key, value: pteCount(k, mm, this.leaves(k, mm))};
		return this.ptes.value;
	}

	vmaRows(k: KernelState, mm: MmStruct): VmaRow[] {
		const key = `${k.tick}:${mm.id}`;
		if (this.vmas.key !== key) this.vmas = {key, value: mm.vmas.map((v) => vmaRow(k, mm, v, this.leaves(k, mm)))};
		return this.vmas.value;
	}

	/** Frames whose kind, refcount or mapcount differ from `before`, and the rank (among used frames) of the first. */
	changes(k: KernelState, before: FrameSnapshot | null): {count: number; firstRank: number} {
		if (before === null) return {count: 0, firstRank: -1};
		const key = `${k.tick}`;
		if (this.changed.key !== key || this.changed.before !== before) {
			const t = k.frames;
			let count = 0;
			let firstRank = -1;
			let used = 0;
			const len = Math.min(t.kind.length, before.kind.length);
			for (let pfn = 0; pfn < len; pfn++) {
				if (t.kind[pfn] !== before.kind[pfn] || t.refcount[pfn] !== before.refcount[pfn] || t.mapcount[pfn] !== before.mapcount[pfn]) {
					if (count === 0) firstRank = used;
					count++;
				}
				if (t.kind[pfn] !== FRAME_FREE) used++;
			}
			this.changed = {key, before, value: {count, firstRank}};
		}
		return this.changed.value;
	}

	/** The events the filter keeps, over the whole run (its counts kept chunk by chunk), or null for no filter. */
	filterQuery(dbg: Debugger, text: string): LogQuery | null {
		if (text.trim() === '') return null;
		if (this.filtered.text !== text || this.filtered.dbg !== dbg) {
			const r = parseFilter(text);
			this.filtered = {text, dbg, query: r.ok && r.filter !== null ? filterLogQuery(dbg, r.filter) : null};
		}
		return this.filtered.query;
	}
}

export function createModel(dbg: Debugger, ui: UiState, session: Partial<SessionInfo> = {}): Model {
	return {
		dbg,
		ui,
		session: {file: dbg.scenario.file, recording: null, recordingNote: null, replay: null, runningFrom: null, ...session},
		before: null,
		cache: new ViewCache(),
	};
}

const hex = (n: number): string => '0x' + n.toString(16);

const stateColor: Record<string, string> = {R: 'green', S: 'blue', D: 'magenta', Z: 'gray', X: 'gray'};

const kindLetter: Record<string, string> = {free: '.', zero: '0', anon: 'a', file: 'f', shmem: 's', pgtable: 'p', kstack: 'k'};
const kindColor: Record<string, string> = {free: 'gray', zero: 'white', anon: 'green', file: 'blue', shmem: 'cyan', pgtable: 'yellow', kstack: 'magenta'};

function eventStyle(e: KernelEvent): Style {
	switch (e.type) {
		case 'fault':
			if (e.kind.startsWith('cow')) return {color: 'magenta'};
			if (e.kind.startsWith('segv') || e.kind === 'oom') return {color: 'red'};
			return {color: 'yellow'};
		case 'completion':
			return {color: 'cyan'};
		case 'syscall':
			return {color: 'blue'};
		case 'exec':
			return {color: 'green'};
		case 'exit':
		case 'signal':
		case 'unprotected':
		case 'oom':
			return {color: 'red'};
		case 'state':
		case 'sched':
		case 'reparent':
		case 'reap':
			return {color: 'gray'};
		case 'expect':
			return e.ok ? {color: 'green'} : {color: 'red', bold: true};
		case 'print':
			return {bold: true};
		case 'panic':
			return {color: 'red', bold: true, inverse: true};
		case 'end':
			return {bold: true};
		case 'kstep':
			return {color: 'gray'};
	}
}

type PaneContent = {info: string; lines: Line[]; rows: number; autoTop?: number};

function selectedTask(k: KernelState, pid: number): Task | undefined {
	const t = k.tasks.get(pid);
	return t === undefined || t.state === 'X' ? undefined : t;
}

function goneText(k: KernelState, pid: number): string {
	const t = k.tasks.get(pid);
	if (t !== undefined || pid < k.nextPid) return `pid ${pid} has exited and been reaped`;
	return `pid ${pid} does not exist yet at this tick`;
}

// ---- Processes -------------------------------------------------------------

function processesPane(m: Model, width: number, rows: number, focused: boolean, pids: number[]): PaneContent {
	const k = m.dbg.kernel;
	const ui = m.ui;
	const sched = schedInfo(k);
	const q = sched.runQueue.length === 0 ? 'empty' : sched.runQueue.join(' ');
	const info =
		sched.current === null ? `cpu idle · runq ${q}` : `cpu ${sched.current} (${sched.quantumLeft}/${sched.quantum} left) · runq ${q}`;
	const wide = width >= 60;
	const header: Line = [
		seg(`  ${padStart('PID', 4)}${wide ? ' ' + padStart('PPID', 4) : ''} S ${padEnd('COMM', 8)} ${padEnd('MM/US', 5)} INSTRUCTION`, {dim: true}),
	];
	const lines: Line[] = [header];
	const view = Math.max(0, rows - 1);
	const top = Math.min(ui.scroll.processes, Math.max(0, pids.length - view));
	for (let i = top; i < Math.min(pids.length, top + view); i++) {
		const task = k.tasks.get(pids[i]!)!;
		const r = processRow(k, task);
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

// ---- Memory ----------------------------------------------------------------

function vmaLine(v: VmaRow, nommu: boolean, width: number): Line {
	const flags = [v.dontcopy ? 'dontcopy' : '', v.locked ? 'locked' : '', v.account ? 'account' : ''].filter((f) => f !== '');
	const compact = width < 70;
	const out: Line = [
		seg(padEnd(v.region, compact ? 6 : 8) + ' ', {bold: true}),
		seg(v.prot + ' ', {color: 'cyan'}),
		seg(compact ? (v.shared ? 's ' : 'p ') : (v.shared ? 'shared ' : 'private') + ' '),
		seg(padEnd(v.backing, 5) + ' '),
		seg(compact ? `${v.rss}/${v.pages} ` : `rss ${v.rss}/${v.pages} `, {color: 'green'}),
	];
	if (nommu) out.push(seg(v.frames === null ? 'no frames ' : `pfn ${v.frames[0]}-${v.frames[1]} `, {color: 'yellow'}));
	out.push(seg(compact ? hex(v.start) : `${hex(v.start)}-${hex(v.end)}`, {dim: true}));
	if (flags.length > 0) out.push(seg(' ' + (compact ? flags.map((f) => f[0]!.toUpperCase()).join('') : flags.join(',')), {color: 'magenta'}));
	return out;
}

function memoryPane(m: Model, width: number, rows: number): PaneContent {
	const k = m.dbg.kernel;
	const pid = m.ui.selectedPid;
	const task = selectedTask(k, pid);
	const nommu = k.config.mmu === 'off';
	if (task === undefined) return {info: `pid ${pid}`, lines: [[seg(goneText(k, pid), {dim: true})]], rows: 1};
	const mm = task.mm === null ? undefined : k.mms.get(task.mm);
	if (mm === undefined) return {info: `pid ${pid}`, lines: [[seg(`pid ${pid} has no mm (${task.state === 'Z' ? 'zombie' : 'released'})`, {dim: true})]], rows: 1};
	const s = mmSummary(mm);
	const info = `pid ${pid} · mm ${s.id} users ${s.users}`;
	const vmas = m.cache.vmaRows(k, mm);
	const ptes = nommu ? 0 : m.cache.pteCount(k, mm);
	// Rows: the summary (VMA header), the VMAs, the page-table header, the PTEs.
	const total = 1 + vmas.length + 1 + ptes;
	const top = Math.min(m.ui.scroll.memory, Math.max(0, total - rows));
	const lines: Line[] = [];
	const levels = m.ui.levels;
	const pteFirstRow = 2 + vmas.length;
	for (let r = top; r < Math.min(total, top + rows) && r < pteFirstRow; r++) {
		if (r === 0) {
			lines.push([
				seg(`${s.mapCount} VMA${s.mapCount === 1 ? '' : 's'}`, {bold: true, underline: true}),
				seg(` rss ${s.rss} (max ${s.hiwaterRss}) total_vm ${s.totalVm} locked_vm ${s.lockedVm}` + (nommu ? ' · no-MMU: address = physical' : ` pgtables ${s.pgtables}`), {dim: true}),
			]);
		} else if (r < 1 + vmas.length) {
			lines.push(vmaLine(vmas[r - 1]!, nommu, width));
		} else {
			lines.push([
				nommu
					? seg('no page table: nothing translates, nothing faults', {dim: true})
					: seg(`page table: ${ptes} PTE${ptes === 1 ? '' : 's'}${width < 60 ? '' : '  VA -> PFN  W D A'}${levels ? '  [pgd pud pmd pte]' : ''}`, {bold: true, underline: true}),
			]);
		}
	}
	const firstPte = Math.max(0, top - pteFirstRow);
	const want = Math.min(total, top + rows) - Math.max(top, pteFirstRow);
	if (want > 0) {
		const window = pteWindow(k, mm, firstPte, want, m.cache.leaves(k, mm));
		// Columns as wide as this window needs; on a narrow pane the bits close up.
		const compact = width < 60;
		const vaWidth = Math.max(0, ...window.map((p) => hex(p.va).length));
		const pfnWidth = Math.max(0, ...window.map((p) => String(p.pfn).length));
		const gap = compact ? '' : ' ';
		for (const p of window) {
			const line: Line = [
				seg(padStart(hex(p.va), vaWidth), {}),
				seg(compact ? ' ' : ' -> '),
				seg(padStart(String(p.pfn), pfnWidth) + ' ', {color: p.pfn === 0 ? 'white' : 'green'}),
				seg(p.writable ? 'W' : '-', {color: p.writable ? 'green' : 'gray'}),
				seg(gap),
				seg(p.dirty ? 'D' : '-', {color: p.dirty ? 'yellow' : 'gray'}),
				seg(gap),
				seg(p.accessed ? 'A' : '-', {color: p.accessed ? 'cyan' : 'gray'}),
				seg(p.cow ? ' COW' : '    ', {color: 'magenta', bold: true}),
			];
			if (levels) line.push(seg(` [${p.levels.map((n) => (compact ? String(n) : padStart(String(n), 3))).join(' ')}]`, {dim: true}));
			line.push(seg(' ' + (p.region ?? '?'), {dim: true}));
			lines.push(line);
		}
	}
	return {info, lines, rows: total};
}

// ---- Frames ----------------------------------------------------------------

function framesPane(m: Model, width: number, rows: number): PaneContent {
	const k = m.dbg.kernel;
	const t = k.frames;
	const used = usedFrameCount(k);
	const {count: changed, firstRank} = m.cache.changes(k, m.before);
	const lines: Line[] = [];
	// The map: one cell a frame when that takes at most half the rows, else a third of the rows.
	const needed = Math.ceil(t.kind.length / width);
	const mapRows = Math.max(1, needed <= Math.floor(rows / 2) ? needed : Math.floor(rows / 3));
	const map = m.cache.frameMap(k, mapRows * width);
	const info = `${used}/${t.kind.length} used${changed > 0 ? ` · ${changed} changed` : ''}${map.perCell > 1 ? ` · map 1:${map.perCell}` : ''}`;
	const before = m.before;
	for (let r = 0; r < mapRows; r++) {
		const cells = map.cells.slice(r * width, (r + 1) * width);
		const line: Line = [];
		for (let i = 0; i < cells.length; i++) {
			const c = cells[i]!;
			const pfn = (r * width + i) * map.perCell;
			const letter = c.shared ? kindLetter[c.kind]!.toUpperCase() : kindLetter[c.kind]!;
			const isChanged =
				before !== null &&
				map.perCell === 1 &&
				pfn < before.kind.length &&
				(before.kind[pfn] !== t.kind[pfn] || before.refcount[pfn] !== t.refcount[pfn] || before.mapcount[pfn] !== t.mapcount[pfn]);
			line.push(seg(letter, {color: kindColor[c.kind], bold: c.shared, inverse: isChanged}));
		}
		lines.push(mergeSegs(line));
	}
	const legendRow = rows - mapRows >= 6;
	if (legendRow) {
		lines.push([
			seg('a', {color: 'green'}),
			seg('non ', {dim: true}),
			seg('f', {color: 'blue'}),
			seg('ile ', {dim: true}),
			seg('s', {color: 'cyan'}),
			seg('hmem ', {dim: true}),
			seg('p', {color: 'yellow'}),
			seg('gtable ', {dim: true}),
			seg('k', {color: 'magenta'}),
			seg('stack ', {dim: true}),
			seg('0', {}),
			seg(' zero ', {dim: true}),
			seg('CAPS', {bold: true}),
			seg(' shared', {dim: true}),
		]);
	}
	lines.push([seg(`${padStart('PFN', 6)} ${padEnd('kind', 7)} ${padStart('ref', 4)} ${padStart('map', 4)}  used by`, {dim: true})]);
	const listRows = Math.max(0, rows - lines.length);
	// Following: the first frame the last step changed, one row below the top.
	const autoTop = Math.max(0, Math.min(firstRank - 1, used - listRows));
	const top = m.ui.scroll.frames < 0 ? autoTop : Math.min(m.ui.scroll.frames, Math.max(0, used - listRows));
	const window = frameWindow(k, top, listRows);
	const users = m.cache.frameUsers(
		k,
		window.map((f) => f.pfn),
	);
	for (const f of window) {
		const isChanged =
			before !== null &&
			f.pfn < before.kind.length &&
			(before.kind[f.pfn] !== t.kind[f.pfn] || before.refcount[f.pfn] !== f.refcount || before.mapcount[f.pfn] !== f.mapcount);
		const pids = users.get(f.pfn) ?? [];
		const who = pids.length > 0 ? `pid ${pids.join(' ')}` : f.kind === 'file' || f.kind === 'shmem' ? '(cache only)' : '';
		const display = t.kind[f.pfn] === FRAME_ZERO;
		let line: Line = [
			seg(isChanged ? '*' : ' ', {color: 'yellow', bold: true}),
			seg(padStart(String(f.pfn), 5) + ' '),
			seg(padEnd(f.kind, 7) + ' ', {color: kindColor[f.kind]}),
			seg(padStart(String(f.refcount), 4) + ' '),
			seg(padStart((display ? '~' : '') + String(f.mapcount), 4), {bold: f.mapcount > 1}),
			seg('  ' + (display ? '~ display count ' : '') + who, {dim: !isChanged}),
		];
		if (isChanged) line = restyle(line, {color: 'yellow', bold: true});
		lines.push(line);
	}
	const headRows = lines.length - window.length;
	return {info, lines, rows: used + headRows, autoTop};
}

// ---- Log -------------------------------------------------------------------

function logPane(m: Model, width: number, rows: number): PaneContent {
	const dbg = m.dbg;
	const visible = dbg.visibleEvents();
	const query = m.cache.filterQuery(dbg, m.ui.filter);
	const matches = query;
	const total = query === null ? visible : query.count(visible);
	const stop = dbg.lastStop;
	const hitIndex = stop.tick === dbg.tick && stop.hit !== null ? stop.hit.eventIndex : null;
	const back = Math.min(m.ui.scroll.log, Math.max(0, total - rows));
	let top = Math.max(0, total - rows - back);
	if (back === 0 && hitIndex !== null && hitIndex < visible) {
		// Following the newest: keep the event that hit in view (its row: the matches before it).
		const hitRow = query === null ? hitIndex : query.matches(dbg.event(hitIndex)) ? query.count(hitIndex) : -1;
		if (hitRow >= 0 && hitRow < top) top = hitRow;
	}
	const end = Math.min(total, top + rows);
	const indexes = query === null ? Array.from({length: Math.max(0, end - top)}, (_, r) => top + r) : query.window(top, end, visible);
	const shownEvents = query === null ? dbg.events(top, end) : indexes.map((i) => dbg.event(i));
	const tickWidth = Math.max(3, String(dbg.tick).length);
	const left = m.ui.logLeft;
	const lines: Line[] = [];
	for (let r = 0; r < indexes.length; r++) {
		const i = indexes[r]!;
		const e = shownEvents[r]!;
		const text = describeEvent(e);
		const shown = left > 0 ? '…' + text.slice(left) : text;
		let line: Line = [seg(i === hitIndex ? '▶' : ' '), seg(padStart(String(e.tick), tickWidth) + ' ', {dim: true}), seg(shown, eventStyle(e))];
		if (i === hitIndex) line = restyle(fitLine(line, width, true), {bg: 'yellow', color: 'black', bold: true, dim: false, inverse: false});
		lines.push(line);
	}
	if (total === 0) lines.push([seg(matches === null ? 'no events yet' : `no event matches '${m.ui.filter}' (Esc clears)`, {dim: true})]);
	const info = [
		matches === null ? `${visible} events` : `${total}/${visible} match /${m.ui.filter}`,
		back > 0 ? `${back} back (End follows)` : '',
		left > 0 ? `col ${left}` : '',
	]
		.filter((s) => s !== '')
		.join(' · ');
	return {info, lines, rows: total};
}

// ---- Program ---------------------------------------------------------------

function programPane(m: Model, width: number, rows: number): PaneContent {
	const k = m.dbg.kernel;
	const pid = m.ui.selectedPid;
	const task = selectedTask(k, pid);
	if (task === undefined) return {info: `pid ${pid}`, lines: [[seg(goneText(k, pid), {dim: true})]], rows: 1};
	const program = k.programs[task.program];
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
	const pcRow = all.findIndex((r) => r.index === task.pc);
	const autoTop = Math.max(0, Math.min((pcRow < 0 ? all.length : pcRow) - Math.floor(rows / 3), all.length - rows));
	const top = m.ui.scroll.program < 0 ? autoTop : Math.min(m.ui.scroll.program, Math.max(0, all.length - rows));
	const lines: Line[] = [];
	const digits = String(program.code.length).length;
	const running = task.state === 'R' || task.state === 'S' || task.state === 'D';
	for (let r = top; r < Math.min(all.length, top + rows); r++) {
		const row = all[r]!;
		if (row.label !== undefined) {
			lines.push([seg(row.label + ':', {color: 'yellow'})]);
			continue;
		}
		const ins = program.code[row.index!]!;
		const atPc = row.index === task.pc && running;
		let line: Line = [seg(atPc ? '▶ ' : '  ', {color: 'green', bold: true}), seg(padStart(String(row.index), digits) + '  ', {dim: true}), seg(ins.text)];
		if (atPc) line = restyle(fitLine(line, width, true), {bold: true, color: 'green'});
		lines.push(line);
	}
	if (task.pc >= program.code.length && running) lines.push([seg('▶ (past the end)', {color: 'green'})]);
	const state = task.state === 'Z' ? ' · exited' : '';
	return {info: `pid ${pid} · ${program.name} · pc ${task.pc}${state}`, lines, rows: all.length, autoTop};
}

// ---- Status, key bar, prompt, overlays -------------------------------------

function statusLine(m: Model, width: number): Line {
	const dbg = m.dbg;
	const k = dbg.kernel;
	const ui = m.ui;
	const out: Line = [seg(' cowdbg ', {inverse: true, bold: true}), seg(' '), seg(`tick ${dbg.tick}`, {bold: true})];
	if (dbg.endTick !== null) out.push(seg(`/${dbg.endTick}`, {dim: true}));
	out.push(seg(' '), seg(k.config.mmu === 'on' ? ' MMU ' : ' no-MMU ', {inverse: true, color: k.config.mmu === 'on' ? 'cyan' : 'magenta'}), seg(' '));
	const stop = dbg.lastStop;
	if (ui.running) {
		const from = m.session.runningFrom;
		out.push(seg('running…', {color: 'green', bold: true}), seg(from === null ? '' : ` +${dbg.tick - from} ticks`, {}), seg(' (space pauses)', {dim: true}));
	} else if (dbg.ended) {
		out.push(seg(`ended (${k.ended})`, {color: 'red', bold: true}));
		if (k.expectsFailed > 0) out.push(seg(` ${k.expectsFailed} expect(s) failed`, {color: 'red'}));
	} else {
		out.push(seg('paused', {color: 'yellow', bold: true}));
	}
	if (!ui.running && stop.tick === dbg.tick) {
		if (stop.reason === 'break' && stop.hit !== null) out.push(seg(' · '), seg(`hit #${stop.hit.breakpointId} ${stop.hit.spec} at tick ${stop.hit.tick}`, {color: 'black', bg: 'yellow', bold: true}));
		else if (stop.reason === 'paused') out.push(seg(' · paused by you', {dim: true}));
		else if (stop.reason === 'event') out.push(seg(` · next event of pid ${ui.selectedPid}`, {dim: true}));
		else if (stop.reason === 'goto') out.push(seg(' · went to tick', {dim: true}));
		else if (stop.reason === 'start') out.push(seg(' · at the start', {dim: true}));
	}
	if (ui.count !== '') out.push(seg(` · count ${ui.count}`, {color: 'cyan', bold: true}));
	const r = m.session.replay;
	if (r !== null) {
		const speed = `×${r.speed}`;
		const text = r.state === 'playing' ? `▶ replay ${r.index}/${r.total} ${speed}` : r.state === 'done' ? `replay done ${r.index}/${r.total}` : `replay stopped ${r.index}/${r.total}: yours now`;
		out.push(seg(' '), seg(` ${text} `, {inverse: true, color: 'green'}));
	}
	if (m.session.recording !== null) {
		const name = m.session.recording.split('/').at(-1) ?? '';
		out.push(seg(' '), seg(' ● REC ', {inverse: true, color: 'red'}));
		if (lineWidth(out) + name.length + 1 <= width) out.push(seg(' ' + name, {color: 'red'}));
	}
	else if (m.session.recordingNote !== null) out.push(seg(' '), seg(m.session.recordingNote, {color: 'red'}));
	// The scenario's name goes after the badge when there is room for it.
	const file = m.session.file.split('/').at(-1) ?? m.session.file;
	if (lineWidth(out) + file.length + 1 <= width) out.splice(1, 1, seg(` ${file} `));
	return out;
}

export function barContext(m: Model): BarContext {
	const dbg = m.dbg;
	const stop = dbg.lastStop;
	return {
		mode: modeOf(m.ui),
		focus: m.ui.focus,
		ended: dbg.ended,
		atStart: dbg.tick === 0,
		atHit: stop.reason === 'break' && stop.tick === dbg.tick,
		hasBreakpoints: dbg.breakpoints.length > 0,
		countPending: m.ui.count !== '',
		filtered: m.ui.filter !== '',
		nommu: dbg.kernel.config.mmu === 'off',
	};
}

function keyBar(m: Model): Line {
	const out: Line = [];
	for (const {label, word} of barKeys(barContext(m))) {
		out.push(seg(` ${label} `, {inverse: true, bold: true}), seg(` ${word}  `));
	}
	return out;
}

const promptLabels = {goto: 'go to tick: ', break: 'break: ', filter: 'filter log /'};

function promptLines(m: Model, width: number): Line[] {
	const p = m.ui.prompt!;
	const label = promptLabels[p.kind];
	// Keep the end of a long input in view.
	const room = Math.max(1, width - label.length - 1);
	const shift = Math.max(0, p.text.length - room);
	const lines: Line[] = [[seg(label, {bold: true, color: 'cyan'}), seg(p.text.slice(shift)), seg(' ', {inverse: true})]];
	if (p.error !== null) {
		const at = Math.max(0, Math.min(width - 1, label.length + p.error.col - 1 - shift));
		lines.push([seg(' '.repeat(at)), seg('^', {color: 'red', bold: true})]);
		lines.push([seg(p.error.message, {color: 'red'})]);
	}
	return lines;
}

const legends: string[][] = [
	['States', 'R running or runnable · S sleeping (wait, sleep) · D uninterruptible (vfork parent in wait_for_completion) · Z zombie'],
	['Processes', '* the selected process (Memory, Program and n follow it) · > the task on the CPU · MM/US = mm id / mm_users'],
	['Memory', 'VMA: prot, private (p) or shared (s), anon/file/shmem, rss/pages, start; flags D dontcopy (madvise), L locked (mlock), A account. PTE: W writable · D dirty · A accessed · COW: read-only in a writable private VMA, the next write goes to do_wp_page'],
	['Frames', 'map 1:N: one cell stands for N frames (the most telling kind among them) · ~ on the zero page: a display count (Linux keeps none) · used by: the processes whose page table maps the frame (for a pgtable frame: whose page table it is; no-MMU: whose region it backs) · a anon · f file (page cache) · s shmem · p pgtable · 0 the zero page · . free · CAPITAL: mapped more than once · * / highlight: changed by the last step'],
	['Log filter', '/fork finds text · /type:fault or /type:fault,completion by type · /pid:2 by process; Esc clears'],
];

/** The help overlay: every entry of the key table by group, then the legend. */
export function helpLines(width: number): Line[] {
	const lines: Line[] = [];
	const labelWidth = 12;
	const groups: string[] = [];
	for (const def of keyTable) if (!groups.includes(def.group)) groups.push(def.group);
	for (const group of groups) {
		lines.push([seg(group, {bold: true, underline: true})]);
		for (const def of keyTable) {
			if (def.group !== group) continue;
			const text = wrap(def.help, Math.max(10, width - labelWidth - 3));
			text.forEach((t, i) => lines.push([seg('  ' + padEnd(i === 0 ? def.label : '', labelWidth) + ' ', {bold: true, color: 'cyan'}), seg(t)]));
		}
	}
	lines.push([seg('Legend', {bold: true, underline: true})]);
	for (const [title, text] of legends) {
		const w = wrap(text!, Math.max(10, width - labelWidth - 3));
		w.forEach((t, i) => lines.push([seg('  ' + padEnd(i === 0 ? title! : '', labelWidth) + ' ', {bold: true}), seg(t)]));
	}
	return lines;
}

function breakpointLines(m: Model): Line[] {
	const bps = m.dbg.breakpoints;
	if (bps.length === 0) return [[seg('No breakpoints. b adds one (cow, fault:kind=anon, syscall:name=fork, tick=40, watch=heap[0], …).', {dim: true})]];
	return bps.map((b, i) => {
		const cursor = i === m.ui.bpCursor;
		const line: Line = [
			seg(cursor ? '▶ ' : '  ', {bold: true}),
			seg(`#${padEnd(String(b.id), 3)} `, {dim: true}),
			seg(b.enabled ? '[x] ' : '[ ] ', {color: b.enabled ? 'green' : 'gray', bold: true}),
			seg(padEnd(b.breakpoint.spec, 30) + ' ', b.enabled ? {bold: true} : {dim: true}),
			seg(`${b.hits} hit${b.hits === 1 ? '' : 's'}`, {dim: true}),
		];
		return cursor ? restyle(line, {inverse: true}) : line;
	});
}

function titleLine(pane: Pane, focused: boolean, info: string, width: number): Line {
	const n = panes.indexOf(pane) + 1;
	const bar: Style = focused ? {bg: 'cyan', color: 'black', bold: true} : {inverse: true};
	return fitLine([seg(` ${n} ${paneTitles[pane]} `, {...bar, bold: true}), seg(` ${info}`, bar)], width, true);
}

/** The view of a model at a size, and the facts the reducer needs about it. */
export function buildView(m: Model, width: number, height: number): {view: View; ctx: UiContext} {
	width = Math.max(20, width);
	height = Math.max(8, height);
	const ui = m.ui;
	const k = m.dbg.kernel;
	const status = fitLine(statusLine(m, width), width);
	const bottom: Line[] = [];
	if (ui.notice !== null) bottom.push(fitLine([seg(ui.notice, {color: 'yellow'})], width));
	if (ui.prompt !== null) for (const l of promptLines(m, width)) bottom.push(fitLine(l, width));
	else bottom.push(fitLine(keyBar(m), width));
	const bodyHeight = height - 1 - bottom.length;
	const pids = liveTasks(k).map((t) => t.pid);
	const ctx: UiContext = {
		pids,
		breakpointIds: m.dbg.breakpoints.map((b) => b.id),
		rows: {processes: 0, memory: 0, frames: 0, log: 0, program: 0},
		view: {processes: 0, memory: 0, frames: 0, log: 0, program: 0},
		programTop: 0,
		framesTop: 0,
		helpRows: 0,
		helpView: Math.max(1, bodyHeight - 1),
	};
	let bands: PaneView[][] | null = null;
	let overlay: View['overlay'] = null;
	if (ui.overlay === 'help') {
		const all = helpLines(width);
		ctx.helpRows = all.length;
		const top = Math.min(ui.helpScroll, Math.max(0, all.length - ctx.helpView));
		overlay = {
			title: fitLine(
				[seg(' Keys ', {inverse: true, bold: true, color: 'cyan'}), seg(` ${top + 1}-${Math.min(all.length, top + ctx.helpView)} of ${all.length} · j/k scroll · Esc closes `, {dim: true})],
				width,
			),
			lines: all.slice(top, top + ctx.helpView).map((l) => fitLine(l, width)),
		};
	}
	if (ui.overlay === 'breakpoints') {
		overlay = {
			title: fitLine([seg(' Breakpoints ', {inverse: true, bold: true, color: 'cyan'}), seg(' space toggles · d deletes · b adds · Esc closes', {dim: true})], width),
			lines: breakpointLines(m)
				.slice(0, Math.max(0, bodyHeight - 1))
				.map((l) => fitLine(l, width)),
		};
	}
	// The panes are laid out (and their row counts known) even under an overlay, for the reducer.
	const sel = selectedTask(k, ui.selectedPid);
	const program = sel === undefined ? undefined : k.programs[sel.program];
	const programRows = program === undefined ? 0 : program.code.length + Object.keys(program.labels).length + 1;
	const layout = layoutBands(width, bodyHeight, ui.focus, Math.max(pids.length + 2, Math.min(programRows, 14)));
	const built: PaneView[][] = [];
	for (const band of layout) {
		const row: PaneView[] = [];
		for (const box of band.panes) {
			const focused = ui.focus === box.pane;
			const rows = Math.max(0, box.height - 1);
			let c: PaneContent;
			if (overlay !== null) {
				c = {info: '', lines: [], rows: 0};
			} else {
				switch (box.pane) {
					case 'processes':
						c = processesPane(m, box.width, rows, focused, pids);
						break;
					case 'memory':
						c = memoryPane(m, box.width, rows);
						break;
					case 'frames':
						c = framesPane(m, box.width, rows);
						break;
					case 'log':
						c = logPane(m, box.width, rows);
						break;
					case 'program':
						c = programPane(m, box.width, rows);
						break;
				}
			}
			ctx.rows[box.pane] = c.rows;
			ctx.view[box.pane] = box.pane === 'processes' ? Math.max(1, rows - 1) : rows;
			if (box.pane === 'processes') ctx.rows.processes = pids.length;
			if (c.autoTop !== undefined && box.pane === 'program') ctx.programTop = c.autoTop;
			if (c.autoTop !== undefined && box.pane === 'frames') ctx.framesTop = c.autoTop;
			row.push({
				pane: box.pane,
				width: box.width,
				height: box.height,
				focused,
				title: titleLine(box.pane, focused, c.info, box.width),
				lines: c.lines.slice(0, rows).map((l) => mergeSegs(fitLine(l, box.width))),
			});
		}
		built.push(row);
	}
	if (overlay === null) bands = built;
	return {view: {width, height, status, bands, overlay, bodyHeight, bottom}, ctx};
}
