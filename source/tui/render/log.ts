// The Log pane: the events up to the current tick (or those the filter keeps),
// newest at the bottom unless scrolled back. The stop's event (the one that
// hit a breakpoint, else the tick's most telling one) is marked and kept in
// view, with the kernel's decision for it on the row under it.

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

/** Chunks the Log counts for its filter while drawing; with more to count it waits for the host's slices. */
export const FILTER_CHUNKS_AT_ONCE = 8;

function filtering(m: Model, width: number, visible: number): PaneContent {
	const p = m.session.filtering ?? null;
	const share = p !== null && p.total !== null && p.total > 0 ? ` ${Math.min(99, Math.floor((100 * p.done) / p.total))}%` : '';
	return {
		info: `filtering /${m.ui.filter}`,
		lines: [fitLine([seg(`filtering the log of ${visible} events…${share}`, {dim: true})], width, true)],
		rows: 1,
	};
}

export function logPane(m: Model, width: number, rows: number): PaneContent {
	const dbg = m.dbg;
	const visible = dbg.visibleEvents();
	const query = m.cache.filterQuery(dbg, m.ui.filter);
	// Over a long run the filter's first count regenerates every chunk: the host runs it in slices, meanwhile this says how far it is.
	if (query !== null && query.pending(visible) > FILTER_CHUNKS_AT_ONCE) return filtering(m, width, visible);
	const matches = query;
	const total = query === null ? visible : query.count(visible);
	const stop = dbg.lastStop;
	const focus = m.focus !== null && m.focus.tick === dbg.tick ? m.focus : null;
	const hitIndex = focus !== null && focus.eventIndex !== null ? focus.eventIndex : stop.tick === dbg.tick && stop.hit !== null ? stop.hit.eventIndex : null;
	const note = focus !== null && focus.eventIndex === hitIndex ? focus.note : null;
	const back = Math.min(m.ui.scroll.log, Math.max(0, total - rows));
	// The stop event's row among the rows the filter keeps (-1: not kept).
	const hitRow = hitIndex === null || hitIndex >= visible ? -1 : query === null ? hitIndex : query.matches(dbg.event(hitIndex)) ? query.count(hitIndex) : -1;
	/** The first row shown when `n` rows show events: following the newest keeps the stop's event in view. */
	const topFor = (n: number): number => {
		let t = Math.max(0, total - n - back);
		if (back === 0 && hitRow >= 0 && hitRow < t) t = hitRow;
		return t;
	};
	// The decision takes the row under the event, when the event is shown.
	let eventRows = note !== null ? Math.max(1, rows - 1) : rows;
	let top = topFor(eventRows);
	if (note !== null && !(hitRow >= top && hitRow < top + eventRows)) {
		eventRows = rows;
		top = topFor(rows);
	}
	const end = Math.min(total, top + eventRows);
	const indexes = query === null ? Array.from({length: Math.max(0, end - top)}, (_, r) => top + r) : query.window(top, end, visible);
	const shownEvents = query === null ? dbg.events(top, end) : indexes.map((i) => dbg.event(i));
	const tickWidth = Math.max(3, String(dbg.tick).length);
	const texts = shownEvents.map((e) => describeEvent(e));
	// Scrolled right, a line shows … and its text from `left` on: it scrolls until the longest one ends at the edge.
	const room = width - tickWidth - 2;
	const longest = Math.max(0, ...texts.map((t) => t.length));
	const leftMax = longest > room ? longest + 1 - room : 0;
	const left = Math.min(m.ui.logLeft, leftMax);
	const lines: Line[] = [];
	for (let r = 0; r < indexes.length; r++) {
		const i = indexes[r]!;
		const e = shownEvents[r]!;
		const text = texts[r]!;
		const shown = left > 0 ? '…' + text.slice(left) : text;
		let line: Line = [seg(i === hitIndex ? '▶' : ' '), seg(padStart(String(e.tick), tickWidth) + ' ', {dim: true}), seg(shown, eventStyle(e))];
		if (i === hitIndex) line = restyle(fitLine(line, width, true), {bg: 'yellow', color: 'black', bold: true, dim: false, inverse: false});
		lines.push(line);
		if (i === hitIndex && note !== null) lines.push([seg(' '.repeat(tickWidth + 2) + '↳ ' + note, {color: 'yellow'})]);
	}
	if (total === 0) lines.push([seg(matches === null ? 'no events yet' : `no event matches '${m.ui.filter}' (Esc clears)`, {dim: true})]);
	const info = [
		matches === null ? `${visible} events` : `${total}/${visible} match /${m.ui.filter}`,
		back > 0 ? `${back} back (End follows)` : '',
		left > 0 ? `col ${left}` : '',
	]
		.filter((s) => s !== '')
		.join(' · ');
	return {info, lines, rows: total, leftMax};
}
