// `run --svg FILE` and the TUI's picture key: memory at a stop, drawn as a
// teacher draws copy-on-write on the board. Each live mm is a box of page-table
// rows (VA, region, W/D/A, COW marks); the frames they map stand in a column
// between the boxes (parent on the left, child on the right after a fork),
// labelled with kind, refcount and mapcount; an arrow goes from each PTE to its
// frame. What the stop's event touched (its PTE, the frame now mapped and the
// frame it was copied from) is drawn in orange. Sizes suit a projector: 18 px
// text on a white page. Every fact comes from the debugger's views.

import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describeEvent} from '../debugger/format.js';
import type {Debugger} from '../debugger/debugger.js';
import {frameRow, leafTables, liveTasks, mmSummary, pteCount, pteWindow, vmaRow, type FrameRow} from '../debugger/views.js';
import {hex, type KernelEvent} from '../kernel/events.js';
import {PAGE_SIZE, type FrameKind, type KernelState, type MmStruct, type Task} from '../kernel/types.js';

/** PTE rows drawn per mm, and mm boxes drawn at most; the rest is counted. */
export const MAX_ROWS = 32;
export const MAX_MMS = 8;

const FONT = 18;
const CHAR = 10.9; // DejaVu Sans Mono's advance at 18 px
const ROW = 34;
const MARGIN = 32;
const MM_WIDTH = 400;
const MM_HEAD = 66;
const FRAMES_WIDTH = 330;
const GAP = 170;
const TOP = 150;
const BACKGROUND = '#ffffff';
const HIGHLIGHT = '#e65100';

export const kindFill: Record<FrameKind, string> = {
	free: '#ffffff',
	zero: '#e0e0e0',
	anon: '#c8e6c9',
	file: '#bbdefb',
	shmem: '#b2ebf2',
	pgtable: '#fff59d',
	kstack: '#e1bee7',
};

/** What the picture is of: the stop, and the event whose frames it highlights. */
export type PictureStop = {
	title: string;
	/** The stop's event, as the log shows it. */
	subtitle: string;
	/** The scenario's title or file. */
	scenario: string;
	/** The event that explains the stop (the breakpoint's, or the tick's last that touched a frame), or null. */
	event: KernelEvent | null;
};

export type Box = {x: number; y: number; w: number; h: number};

export type Picture = {
	svg: string;
	width: number;
	height: number;
	/** Where each frame (or no-MMU frame range, keyed by its first PFN) is drawn. */
	frames: Map<number, Box & {highlighted: boolean}>;
	/** Where each mm's box is drawn. */
	mms: Map<number, Box>;
};

/** Text for an SVG text node: control characters shown escaped, markup characters as entities. */
export function xmlText(s: string): string {
	return s
		.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

function cut(s: string, chars: number): string {
	return s.length <= chars ? s : s.slice(0, Math.max(0, chars - 1)) + '…';
}

/** The frames an event touched: the frame now mapped and the one it was copied from. */
function eventFrames(e: KernelEvent | null): {now: number | null; from: number | null} {
	if (e === null) return {now: null, from: null};
	if (e.type === 'fault') return {now: e.frame, from: e.from};
	if (e.type === 'unprotected') return {now: e.frame, from: null};
	return {now: null, from: null};
}

type Row = {text: string; cow: boolean; writable: boolean; pfn: number | null; highlighted: boolean};

type MmBlock = {mm: MmStruct; tasks: Task[]; rows: Row[]; more: number; side: 'left' | 'right'; box: Box};

/**
 * The picture of `k` at a stop. Bounded work on a large machine: at most
 * MAX_MMS boxes of MAX_ROWS PTEs each, and the frames those rows map.
 */
export function memoryPicture(k: KernelState, stop: PictureStop): Picture {
	const nommu = k.config.mmu === 'off';
	const touched = eventFrames(stop.event);
	const eventPid = stop.event !== null && 'pid' in stop.event && typeof stop.event.pid === 'number' ? stop.event.pid : null;
	const eventVa =
		stop.event !== null && (stop.event.type === 'fault' || stop.event.type === 'unprotected')
			? Math.floor(Number(stop.event.addr) / PAGE_SIZE) * PAGE_SIZE
			: null;

	// Live mm's in the order of their first task, with the tasks that use them.
	const byMm = new Map<number, Task[]>();
	for (const t of liveTasks(k)) {
		if (t.mm === null) continue;
		const list = byMm.get(t.mm);
		if (list === undefined) byMm.set(t.mm, [t]);
		else list.push(t);
	}
	const mmIds = [...byMm.keys()];
	const shownIds = mmIds.slice(0, MAX_MMS);
	const blocks: MmBlock[] = [];
	shownIds.forEach((id, i) => {
		const mm = k.mms.get(id)!;
		const tasks = byMm.get(id)!;
		const mine = eventPid !== null && tasks.some((t) => t.pid === eventPid);
		const rows: Row[] = [];
		let total: number;
		if (nommu || mm.pgd < 0) {
			total = mm.vmas.length;
			for (const vma of mm.vmas.slice(0, MAX_ROWS)) {
				const r = vmaRow(k, mm, vma);
				const pages = `${r.pages} page${r.pages === 1 ? '' : 's'}`;
				const hit = mine && eventVa !== null && eventVa >= r.start && eventVa < r.end;
				rows.push({
					text: `${hex(r.start).padEnd(14)} ${cut(r.region, 10).padEnd(10)} ${pages}`,
					cow: false,
					writable: r.prot[1] === 'w',
					pfn: r.frames === null ? null : r.frames[0],
					highlighted: hit,
				});
			}
		} else {
			const leaves = leafTables(k, mm);
			total = pteCount(k, mm, leaves);
			for (const p of pteWindow(k, mm, 0, MAX_ROWS, leaves)) {
				const bits = `${p.writable ? 'W' : '-'}${p.dirty ? 'D' : '-'}${p.accessed ? 'A' : '-'}`;
				rows.push({
					text: `${hex(p.va).padEnd(14)} ${cut(p.region ?? '?', 10).padEnd(10)} ${bits}`,
					cow: p.cow,
					writable: p.writable,
					pfn: p.pfn,
					highlighted: mine && eventVa === p.va,
				});
			}
		}
		blocks.push({mm, tasks, rows, more: total - rows.length, side: i % 2 === 0 ? 'left' : 'right', box: {x: 0, y: 0, w: MM_WIDTH, h: 0}});
	});

	// The frames the rows map, in PFN order (a no-MMU range is keyed by its first PFN).
	const frameKeys = new Set<number>();
	for (const b of blocks) for (const r of b.rows) if (r.pfn !== null) frameKeys.add(r.pfn);
	for (const pfn of [touched.now, touched.from]) if (pfn !== null && pfn < k.frames.kind.length) frameKeys.add(pfn);
	const framesShown = [...frameKeys].sort((a, b) => a - b).map((pfn) => frameRow(k, pfn));
	const rangeEnd = new Map<number, number>();
	if (nommu) {
		for (const b of blocks) {
			for (const vma of b.mm.vmas) {
				if (vma.pfn !== null) rangeEnd.set(vma.pfn, vma.pfn + (vma.end - vma.start) / PAGE_SIZE - 1);
			}
		}
	}

	// Columns: left mm's, the frames, right mm's (one mm: no right column).
	const hasRight = blocks.some((b) => b.side === 'right');
	const framesX = MARGIN + MM_WIDTH + GAP;
	const rightX = framesX + FRAMES_WIDTH + GAP;
	const width = Math.max(hasRight ? rightX + MM_WIDTH + MARGIN : framesX + FRAMES_WIDTH + MARGIN, 1000);
	const stackY = {left: TOP, right: TOP};
	for (const b of blocks) {
		const rows = b.rows.length + (b.more > 0 ? 1 : 0);
		b.box = {x: b.side === 'left' ? MARGIN : rightX, y: stackY[b.side], w: MM_WIDTH, h: MM_HEAD + Math.max(1, rows) * ROW + 10};
		stackY[b.side] += b.box.h + 28;
	}
	const frames = new Map<number, Box & {highlighted: boolean}>();
	let fy = TOP + 44;
	for (const f of framesShown) {
		frames.set(f.pfn, {x: framesX, y: fy, w: FRAMES_WIDTH, h: ROW - 6, highlighted: f.pfn === touched.now || f.pfn === touched.from});
		fy += ROW;
	}
	const legendY = Math.max(stackY.left, stackY.right, fy + 20, TOP + 80);
	const height = legendY + 150;

	const out: string[] = [];
	out.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="${FONT}">`,
		`<title>${xmlText(stop.title)}</title>`,
		`<rect x="0" y="0" width="${width}" height="${height}" fill="${BACKGROUND}"/>`,
		`<text x="${MARGIN}" y="48" font-size="27" font-weight="bold" fill="#212121">${xmlText(cut(stop.title, Math.floor((width - 2 * MARGIN) / 16)))}</text>`,
		`<text x="${MARGIN}" y="84" fill="#212121">${xmlText(cut(stop.subtitle, Math.floor((width - 2 * MARGIN) / CHAR)))}</text>`,
		`<text x="${MARGIN}" y="112" font-size="16" fill="#616161">${xmlText(cut(stop.scenario, Math.floor((width - 2 * MARGIN) / 9.7)))}</text>`,
	);
	if (blocks.length === 0) out.push(`<text x="${MARGIN}" y="${TOP + 40}" fill="#616161">no live address space</text>`);
	if (framesShown.length > 0)
		out.push(`<text x="${framesX}" y="${TOP + 18}" font-weight="bold" fill="#212121">${nommu ? 'frames (no MMU)' : 'physical frames'}</text>`);

	// Arrows first, so boxes and labels lie on top of their ends.
	for (const b of blocks) {
		b.rows.forEach((r, i) => {
			if (r.pfn === null) return;
			const f = frames.get(r.pfn);
			if (f === undefined) return;
			const y1 = b.box.y + MM_HEAD + i * ROW + ROW / 2 - 4;
			const x1 = b.side === 'left' ? b.box.x + b.box.w : b.box.x;
			const x2 = b.side === 'left' ? f.x : f.x + f.w;
			const y2 = f.y + f.h / 2;
			// The head is a polygon of its own (markers render differently from one viewer to another).
			const dir = b.side === 'left' ? 1 : -1;
			const head = r.highlighted ? 16 : 12;
			const xb = x2 - dir * head;
			const dx = (xb - x1) / 2;
			const color = r.highlighted ? HIGHLIGHT : r.cow ? '#c62828' : '#546e7a';
			const dash = r.writable || r.highlighted ? '' : ' stroke-dasharray="7 5"';
			out.push(
				`<path d="M${x1},${y1} C${x1 + dx},${y1} ${xb - dx},${y2} ${xb},${y2}" fill="none" stroke="${color}" stroke-width="${r.highlighted ? 4 : 2}"${dash}/>`,
				`<path d="M${x2},${y2} L${xb},${y2 - head / 2} L${xb},${y2 + head / 2} z" fill="${color}"/>`,
			);
		});
	}

	for (const b of blocks) {
		const {x, y, w, h} = b.box;
		const s = mmSummary(b.mm);
		const who = b.tasks.map((t) => `pid ${t.pid} (${t.comm})`).join(', ');
		out.push(
			`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" fill="#fafafa" stroke="#37474f" stroke-width="2"/>`,
			`<text x="${x + 12}" y="${y + 26}" font-weight="bold" fill="#212121">${xmlText(cut(`mm ${s.id} · ${who}`, Math.floor((w - 24) / CHAR)))}</text>`,
			`<text x="${x + 12}" y="${y + 52}" font-size="15" fill="#616161">${xmlText(nommu ? `regions · users ${s.users} · rss ${s.rss}` : `page table · users ${s.users} · rss ${s.rss} · ${s.pgtables} pgtables`)}</text>`,
		);
		b.rows.forEach((r, i) => {
			const ry = y + MM_HEAD + i * ROW;
			if (r.highlighted)
				out.push(
					`<rect x="${x + 4}" y="${ry - 2}" width="${w - 8}" height="${ROW - 4}" rx="4" fill="#ffe0b2" stroke="${HIGHLIGHT}" stroke-width="3"/>`,
				);
			out.push(`<text x="${x + 12}" y="${ry + 20}" fill="#212121" xml:space="preserve">${xmlText(r.text)}</text>`);
			if (r.cow) {
				const cx = x + w - 62;
				out.push(
					`<rect x="${cx}" y="${ry + 2}" width="50" height="24" rx="4" fill="#c62828"/>`,
					`<text x="${cx + 25}" y="${ry + 20}" font-size="15" font-weight="bold" fill="#ffffff" text-anchor="middle">COW</text>`,
				);
			}
		});
		if (b.more > 0)
			out.push(`<text x="${x + 12}" y="${y + MM_HEAD + b.rows.length * ROW + 20}" fill="#757575">… ${b.more} more ${nommu ? 'regions' : 'PTEs'}</text>`);
	}
	if (mmIds.length > shownIds.length)
		out.push(`<text x="${MARGIN}" y="${legendY - 4}" fill="#757575">… and ${mmIds.length - shownIds.length} more address spaces</text>`);

	for (const f of framesShown) frameBox(out, f, frames.get(f.pfn)!, touched, rangeEnd.get(f.pfn));

	legend(out, legendY);
	out.push('</svg>');
	return {svg: out.join('\n') + '\n', width, height, frames, mms: new Map(blocks.map((b) => [b.mm.id, b.box]))};
}

function frameBox(
	out: string[],
	f: FrameRow,
	box: Box & {highlighted: boolean},
	touched: {now: number | null; from: number | null},
	last: number | undefined,
): void {
	const {x, y, w, h} = box;
	const stroke = box.highlighted ? `stroke="${HIGHLIGHT}" stroke-width="5"` : 'stroke="#37474f" stroke-width="1.5"';
	const pfns = last === undefined || last === f.pfn ? `pfn ${f.pfn}` : `pfn ${f.pfn}–${last}`;
	const counts = f.kind === 'zero' ? `ref ${f.refcount} map ${f.mapcount}*` : `ref ${f.refcount} map ${f.mapcount}`;
	out.push(
		`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="${kindFill[f.kind]}" ${stroke}/>`,
		`<text x="${x + 10}" y="${y + h / 2 + 6}" fill="#212121" xml:space="preserve"><tspan font-weight="bold">${xmlText(pfns)}</tspan> ${xmlText(f.kind)}</text>`,
		`<text x="${x + w - 10}" y="${y + h / 2 + 6}" fill="#212121" text-anchor="end">${xmlText(counts)}</text>`,
	);
	const tag = f.pfn === touched.now ? 'new' : f.pfn === touched.from ? 'old' : null;
	if (tag !== null) {
		const tx = x + w / 2 - 22;
		out.push(
			`<rect x="${tx}" y="${y - 12}" width="44" height="20" rx="4" fill="${HIGHLIGHT}"/>`,
			`<text x="${tx + 22}" y="${y + 3}" font-size="14" font-weight="bold" fill="#ffffff" text-anchor="middle">${tag}</text>`,
		);
	}
}

function legend(out: string[], y: number): void {
	let x = MARGIN;
	const sy = y + 8;
	for (const kind of ['zero', 'anon', 'file', 'shmem'] as const) {
		out.push(
			`<rect x="${x}" y="${sy}" width="26" height="20" rx="3" fill="${kindFill[kind]}" stroke="#37474f"/>`,
			`<text x="${x + 34}" y="${sy + 16}" font-size="16" fill="#212121">${kind}</text>`,
		);
		x += 34 + kind.length * 10 + 30;
	}
	const line = (n: number, text: string): string => `<text x="${MARGIN}" y="${sy + 16 + n * 26}" font-size="16" fill="#212121">${text}</text>`;
	out.push(
		`<rect x="${MARGIN}" y="${sy + 26}" width="50" height="20" rx="4" fill="#c62828"/>`,
		`<text x="${MARGIN + 25}" y="${sy + 41}" font-size="14" font-weight="bold" fill="#ffffff" text-anchor="middle">COW</text>`,
		`<text x="${MARGIN + 60}" y="${sy + 42}" font-size="16" fill="#212121">read-only PTE in a writable private mapping: the next write goes to do_wp_page</text>`,
		line(
			2,
			`<tspan fill="${HIGHLIGHT}" font-weight="bold">orange</tspan>: the stop's event: its PTE, the frame it maps now (new), the frame copied from (old)`,
		),
		line(3, 'dashed: a read-only PTE · W D A: writable, dirty, accessed · ref: page-&gt;_count'),
		line(4, "map: mapcount, the PTEs mapping it (* the zero page's is a display count)"),
	);
}

/** The event that explains the debugger's stop: the breakpoint's, else the tick's last that touched a frame. */
export function stopEvent(dbg: Debugger): KernelEvent | null {
	const stop = dbg.lastStop;
	if (stop.tick === dbg.tick && stop.hit !== null && stop.hit.eventIndex !== null) {
		const e = dbg.events(stop.hit.eventIndex, stop.hit.eventIndex + 1)[0];
		if (e !== undefined) return e;
	}
	const events = dbg.eventsOf(dbg.tick);
	for (let i = events.length - 1; i >= 0; i--) {
		const e = events[i]!;
		if (e.type === 'fault' || e.type === 'unprotected') return e;
	}
	return null;
}

/** Title and subtitle of the picture of the debugger's current stop. */
export function describeStop(dbg: Debugger, file: string): PictureStop {
	const k = dbg.kernel;
	const stop = dbg.lastStop;
	const event = stopEvent(dbg);
	let why: string;
	if (stop.tick === dbg.tick && stop.reason === 'break' && stop.hit !== null) why = `breakpoint ${stop.hit.all.map((h) => h.spec).join(', ')}`;
	else if (k.ended !== null) why = `ended: ${k.ended}`;
	else if (stop.tick === dbg.tick && stop.reason === 'start') why = 'the start';
	else why = 'paused';
	const title = `tick ${dbg.tick} · ${why}`;
	const scenario = dbg.scenario.title ?? file;
	return {title, subtitle: event === null ? '' : describeEvent(event), scenario, event};
}

/** The SVG of the debugger's current stop. */
export function stopSvg(dbg: Debugger, file: string): string {
	return memoryPicture(dbg.kernel, describeStop(dbg, file)).svg;
}

/**
 * Write the picture of the current stop into `dir` as a new file
 * (`cowdbg-SCENARIO-tick-N.svg`, then `…-2.svg` and so on: an existing file is
 * never overwritten). Returns the path written.
 */
export function writeStopSvg(dbg: Debugger, file: string, dir: string): string {
	const base =
		(file.split(/[\\/]/).at(-1) ?? 'scenario')
			.replace(/\.scn$/, '')
			.replace(/[^A-Za-z0-9._-]/g, '_')
			.slice(0, 64) || 'scenario';
	const svg = stopSvg(dbg, file);
	for (let n = 1; n <= 100; n++) {
		const path = join(dir, `cowdbg-${base}-tick-${dbg.tick}${n === 1 ? '' : `-${n}`}.svg`);
		try {
			writeFileSync(path, svg, {flag: 'wx'});
			return path;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
	}
	throw new Error(`100 pictures of tick ${dbg.tick} are already in ${dir}`);
}
