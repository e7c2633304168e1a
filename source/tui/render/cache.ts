// The walks a frame needs that do not depend on the scroll position, kept
// per state (the state at a tick is always the same; inside a tick each kernel
// step leaves another on a new copy of the machine), so scrolling and
// redrawing cost only the rows on the screen.

import type {Debugger} from '../../debugger/debugger.js';
import type {LogQuery} from '../../debugger/log.js';
import {
	frameChanges,
	frameMap,
	frameUsers,
	kernelStepCount,
	kernelSteps,
	leafTables,
	pteCount,
	vmaRow,
	type FrameCell,
	type FrameChanges,
	type FrameSnapshot,
	type KernelState,
	type KernelStepRow,
	type Leaf,
	type MmStruct,
	type VmaRow,
} from '../../debugger/views.js';
import {filterLogQuery, parseFilter} from '../filter.js';

/** Walks kept per state (the state at a tick is always the same). */
export class ViewCache {
	/**
	 * Which state a machine holds: its tick, and which copy it is. Between
	 * ticks the debugger runs one machine forward; inside a tick every kernel
	 * step is a new copy at the same tick, so the tick alone would not tell
	 * them apart.
	 */
	private ids = new WeakMap<KernelState, number>();
	private nextId = 1;
	private at(k: KernelState): string {
		let id = this.ids.get(k);
		if (id === undefined) {
			id = this.nextId++;
			this.ids.set(k, id);
		}
		return `${id}.${k.tick}`;
	}
	private stepCount = {key: '', value: 0};
	private stepWindow = {tick: -1, from: 0, to: 0, value: [] as KernelStepRow[]};
	private users = {key: '', value: new Map<number, number[]>()};
	private map = {key: '', value: {perCell: 1, cells: [] as FrameCell[]}};
	private ptes = {key: '', value: 0};
	private leafCache = {key: '', value: [] as Leaf[]};
	private vmas = {key: '', value: [] as VmaRow[]};
	private changed = {key: '', before: null as FrameSnapshot | null, value: null as FrameChanges | null};
	private filtered = {text: '', dbg: null as Debugger | null, query: null as LogQuery | null};

	frameUsers(k: KernelState, pfns: number[]): Map<number, number[]> {
		const key = `${this.at(k)}:${pfns.join(',')}`;
		if (this.users.key !== key) this.users = {key, value: frameUsers(k, pfns)};
		return this.users.value;
	}

	frameMap(k: KernelState, cells: number): {perCell: number; cells: FrameCell[]} {
		const key = `${this.at(k)}:${cells}`;
		if (this.map.key !== key) this.map = {key, value: frameMap(k, cells)};
		return this.map.value;
	}

	/** The leaf tables of the mm shown, walked once a tick. */
	leaves(k: KernelState, mm: MmStruct): Leaf[] {
		const key = `${this.at(k)}:${mm.id}`;
		if (this.leafCache.key !== key) this.leafCache = {key, value: leafTables(k, mm)};
		return this.leafCache.value;
	}

	pteCount(k: KernelState, mm: MmStruct): number {
		const key = `${this.at(k)}:${mm.id}`;
		if (this.ptes.key !== key) this.ptes = {key, value: pteCount(k, mm, this.leaves(k, mm))};
		return this.ptes.value;
	}

	vmaRows(k: KernelState, mm: MmStruct): VmaRow[] {
		const key = `${this.at(k)}:${mm.id}`;
		if (this.vmas.key !== key) this.vmas = {key, value: mm.vmas.map((v) => vmaRow(k, mm, v, this.leaves(k, mm)))};
		return this.vmas.value;
	}

	/** The frames the last step changed (null before any step), computed once a tick and baseline. */
	changes(k: KernelState, before: FrameSnapshot | null): FrameChanges | null {
		if (before === null) return null;
		const key = this.at(k);
		if (this.changed.key !== key || this.changed.before !== before) this.changed = {key, before, value: frameChanges(k, before)};
		return this.changed.value;
	}

	/** The kernel steps of the tick the debugger is inside (re-executed once per tick entered). */
	kernelStepCount(dbg: Debugger): number {
		const inside = dbg.inside;
		if (inside === null) return 0;
		const key = `${inside.tick}`;
		if (this.stepCount.key !== key) this.stepCount = {key, value: kernelStepCount(dbg)};
		return this.stepCount.value;
	}

	/**
	 * Steps `from` … `to` - 1 of the tick the debugger is inside. A tick's steps
	 * are the same whichever step the debugger stands at, so a window a page
	 * wider each way is kept: stepping through the tick re-executes it to list
	 * them once a page, not once a step.
	 */
	kernelSteps(dbg: Debugger, from: number, to: number): KernelStepRow[] {
		const tick = dbg.inside?.tick ?? -1;
		const w = this.stepWindow;
		if (w.tick !== tick || from < w.from || to > w.to) {
			const page = Math.max(1, to - from);
			const start = Math.max(0, from - page);
			this.stepWindow = {tick, from: start, to: to + page, value: tick < 0 ? [] : kernelSteps(dbg, start, to + page)};
		}
		const kept = this.stepWindow;
		return kept.value.slice(from - kept.from, to - kept.from);
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
