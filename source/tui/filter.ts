// The Log filter typed after `/`: blank-separated terms that must all match.
// `type:fault` (or `type:fault,completion`) keeps events of those types,
// `pid:2` those of a process, any other word is a case-insensitive substring
// of the event's line.

import type {Debugger} from '../debugger/debugger.js';
import {LogQuery} from '../debugger/log.js';
import {describeEvent} from '../debugger/format.js';
import {debugEventTypes} from '../debugger/events.js';
import {eventPid, type KernelEvent} from '../debugger/views.js';

export type Filter = {types: Set<string> | null; pid: number | null; words: string[]};

export type FilterResult = {ok: true; filter: Filter | null} | {ok: false; message: string; col: number};

/** Parse the filter text; columns in errors are 1-based. An empty text is no filter. */
export function parseFilter(text: string): FilterResult {
	const filter: Filter = {types: null, pid: null, words: []};
	const re = /\S+/g;
	let m: RegExpExecArray | null;
	let any = false;
	while ((m = re.exec(text)) !== null) {
		any = true;
		const term = m[0];
		const col = m.index + 1;
		const lower = term.toLowerCase();
		if (lower.startsWith('type:')) {
			const names = lower.slice(5).split(',');
			for (const name of names) {
				if (!(debugEventTypes as readonly string[]).includes(name)) {
					return {ok: false, message: `unknown event type '${name}'; types: ${debugEventTypes.join(', ')}`, col: col + 5};
				}
			}
			filter.types = new Set(names);
		} else if (lower.startsWith('pid:')) {
			const n = Number(lower.slice(4));
			if (!/^[0-9]+$/.test(lower.slice(4)) || !Number.isSafeInteger(n)) return {ok: false, message: 'pid: wants a number, e.g. pid:2', col: col + 4};
			filter.pid = n;
		} else {
			filter.words.push(lower);
		}
	}
	return {ok: true, filter: any ? filter : null};
}

export function matchesFilter(f: Filter, e: KernelEvent): boolean {
	if (f.types !== null && !f.types.has(e.type)) return false;
	if (f.pid !== null && eventPid(e) !== f.pid && !(e.type === 'completion' && e.owner === f.pid)) return false;
	if (f.words.length === 0) return true;
	const line = `${e.type} ${describeEvent(e)}`.toLowerCase();
	return f.words.every((w) => line.includes(w));
}

/** The filter over the whole run: chunks whose index holds none of its types, or not its pid, are skipped. */
export function filterLogQuery(dbg: Debugger, f: Filter): LogQuery {
	const types = f.types === null ? -1 : dbg.index.typeMask(f.types);
	return new LogQuery(
		dbg,
		(e) => matchesFilter(f, e),
		(c) => dbg.index.mayHold(c, types, f.pid),
	);
}
