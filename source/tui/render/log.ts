// The Log pane: the events up to the current tick (or those the filter keeps),
// newest at the bottom unless scrolled back, the one that hit a breakpoint
// marked and kept in view.

import {describeEvent} from '../../debugger/format.js';
import type {DebugEvent} from '../../debugger/events.js';
import {fitLine, padStart, restyle, seg, type Line, type Style} from '../text.js';
import type {Model, PaneContent} from './model.js';

function eventStyle(e: DebugEvent): Style {
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
		case 'pin':
			return {color: 'cyan'};
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
		case 'break':
		case 'end':
			return {bold: true};
		case 'kstep':
			return {color: 'gray'};
	}
}

export function logPane(m: Model, width: number, rows: number): PaneContent {
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
