// The Frames pane: a map of physical memory (a cell a frame, or a few frames
// when it is large), a legend when there is room, and the used frames one a
// row with their counts and users. What the last step changed is marked.
// At a stop the list follows the stop's event: the frames it touched come
// first (marked ▶), with their counts before → after the stopping tick
// (`2→1`), until the list is scrolled.

import {frameRow, frameWindow, machineInfo, usedFrameCount, type FrameRow} from '../../debugger/views.js';
import {mergeSegs, padEnd, padStart, restyle, seg, type Line} from '../text.js';
import type {Model, PaneContent} from './model.js';

const kindLetter: Record<string, string> = {free: '.', zero: '0', anon: 'a', file: 'f', shmem: 's', pgtable: 'p', kstack: 'k'};
const kindColor: Record<string, string> = {free: 'gray', zero: 'white', anon: 'green', file: 'blue', shmem: 'cyan', pgtable: 'yellow', kstack: 'magenta'};

export function framesPane(m: Model, width: number, rows: number): PaneContent {
	const k = m.dbg.kernel;
	const total = machineInfo(k).framesTotal;
	const used = usedFrameCount(k);
	const changes = m.cache.changes(k, m.before);
	const changed = changes === null ? 0 : changes.count;
	const firstRank = changes === null ? -1 : changes.firstRank;
	const lines: Line[] = [];
	// The map: one cell a frame when that takes at most half the rows, else a third of the rows.
	const needed = Math.ceil(total / width);
	const mapRows = Math.max(1, needed <= Math.floor(rows / 2) ? needed : Math.floor(rows / 3));
	const map = m.cache.frameMap(k, mapRows * width);
	const info = `${used}/${total} used${changed > 0 ? ` · ${changed} changed` : ''}${map.perCell > 1 ? ` · map 1:${map.perCell}` : ''}`;
	for (let r = 0; r < mapRows; r++) {
		const cells = map.cells.slice(r * width, (r + 1) * width);
		const line: Line = [];
		for (let i = 0; i < cells.length; i++) {
			const c = cells[i]!;
			const pfn = (r * width + i) * map.perCell;
			const letter = c.shared ? kindLetter[c.kind]!.toUpperCase() : kindLetter[c.kind]!;
			const isChanged = changes !== null && map.perCell === 1 && changes.changed[pfn] === 1;
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
	const listRows = Math.max(0, rows - lines.length - 1);
	// Following: the frames the stop's event touched, then the list from the first frame the last step changed.
	const focus = m.focus !== null && m.focus.tick === k.tick ? m.focus : null;
	const following = m.ui.scroll.frames < 0;
	const pinned: FrameRow[] = following && focus !== null ? focus.pfns.slice(0, listRows).map((pfn) => frameRow(k, pfn)) : [];
	const autoTop = Math.max(0, Math.min(firstRank - 1, used - listRows));
	const top = following ? autoTop : Math.min(m.ui.scroll.frames, Math.max(0, used - listRows));
	const window = [...pinned, ...frameWindow(k, top, listRows).filter((f) => !pinned.some((p) => p.pfn === f.pfn))].slice(0, listRows);
	const users = m.cache.frameUsers(
		k,
		window.map((f) => f.pfn),
	);
	// A count the stopping tick changed reads before→after.
	const count = (f: FrameRow, field: 'refcount' | 'mapcount', display: boolean): string => {
		const now = (display ? '~' : '') + String(f[field]);
		if (focus === null || !focus.pfns.includes(f.pfn)) return now;
		const was = focus.before[field][f.pfn];
		return was === undefined || was === f[field] ? now : `${was}→${now}`;
	};
	const texts = window.map((f) => ({ref: count(f, 'refcount', false), map: count(f, 'mapcount', f.kind === 'zero')}));
	const refWidth = Math.max(4, ...texts.map((t) => t.ref.length));
	const mapWidth = Math.max(4, ...texts.map((t) => t.map.length));
	lines.push([seg(`${padStart('PFN', 6)} ${padEnd('kind', 7)} ${padStart('ref', refWidth)} ${padStart('map', mapWidth)}  used by`, {dim: true})]);
	window.forEach((f, i) => {
		const isChanged = changes !== null && changes.changed[f.pfn] === 1;
		const isFocus = i < pinned.length;
		const pids = users.get(f.pfn) ?? [];
		const who = pids.length > 0 ? `pid ${pids.join(' ')}` : f.kind === 'file' || f.kind === 'shmem' ? '(cache only)' : '';
		const display = f.kind === 'zero';
		let line: Line = [
			seg(isFocus ? '▶' : isChanged ? '*' : ' ', {color: 'yellow', bold: true}),
			seg(padStart(String(f.pfn), 5) + ' '),
			seg(padEnd(f.kind, 7) + ' ', {color: kindColor[f.kind]}),
			seg(padStart(texts[i]!.ref, refWidth) + ' '),
			seg(padStart(texts[i]!.map, mapWidth), {bold: f.mapcount > 1}),
			seg('  ' + (display ? '~ display count ' : '') + who, {dim: !isChanged && !isFocus}),
		];
		if (isFocus) line = restyle(line, {bg: 'yellow', color: 'black', bold: true, dim: false});
		else if (isChanged) line = restyle(line, {color: 'yellow', bold: true});
		lines.push(line);
	});
	const headRows = lines.length - window.length;
	return {info, lines, rows: used + headRows, autoTop};
}
