// One line of text per event, for `cowdbg run` and the TUI's log pane. The
// JSON form is the event itself (docs/events.md).

import type {KArgs, KStep} from '../kernel/trace.js';
import {returnText} from '../kernel/uapi.js';
import type {DebugEvent} from './events.js';
import {visible, visibleJson} from '../scenario/visible.js';

function pidText(pid: number | null): string {
	return pid === null ? 'idle' : `pid ${pid}`;
}

/**
 * The event without its tick, as a short sentence. Text from the scenario
 * (print, expect) has its control characters made visible.
 */
export function describeEvent(e: DebugEvent): string {
	return visible(describe(e));
}

function describe(e: DebugEvent): string {
	switch (e.type) {
		case 'exec':
			return `${pidText(e.pid)} exec ${e.program}`;
		case 'syscall': {
			if (e.child_return === true) return `${pidText(e.pid)} ${e.name}() = 0 in the child`;
			let s = `${pidText(e.pid)} ${e.name}() = ${returnText(e.ret)}`;
			if (e.cost !== undefined) s += `  cost: ${e.cost.vmas} vmas, ${e.cost.ptes} ptes, ${e.cost.pgtables} pgtables`;
			return s;
		}
		case 'fault': {
			let s = `${pidText(e.pid)} fault ${e.kind} ${e.access} ${e.addr}`;
			if (e.region !== null) s += ` (${e.region})`;
			if (e.frame !== null) s += ` → pfn ${e.frame}`;
			if (e.from !== null) s += ` from pfn ${e.from}`;
			return `${s}  [${e.path.join(' > ')}]`;
		}
		case 'completion': {
			let s = `completion #${e.id} ${e.action} (owner ${e.owner}, by ${e.by}`;
			if (e.via !== null) s += `, via ${e.via}`;
			return `${s}) done=${e.done}`;
		}
		case 'state':
			return `${pidText(e.pid)} ${e.from} → ${e.to} (${e.why})`;
		case 'sched':
			return `sched ${e.from === null ? 'idle' : e.from} → ${e.to === null ? 'idle' : e.to}`;
		case 'signal':
			return `${pidText(e.pid)} ${e.signal} ${e.action}`;
		case 'exit':
			return `${pidText(e.pid)} exit code ${e.code}${e.signal === null ? '' : ` by ${e.signal}`}${e.core ? ' (core dumped)' : ''}`;
		case 'reap':
			return `${pidText(e.pid)} reaps ${e.child} (status ${e.status})`;
		case 'reparent':
			return `${pidText(e.pid)} reparented ${e.from} → ${e.to}`;
		case 'unprotected':
			return `${pidText(e.pid)} unprotected ${e.access} ${e.addr}${e.frame === null ? ' (no RAM)' : ` in pfn ${e.frame}`}`;
		case 'expect':
			return `${pidText(e.pid)} expect ${e.ok ? 'ok' : 'FAILED'} line ${e.line}: ${e.text}${e.ok ? '' : ` (actual ${e.actual})`}`;
		case 'print':
			return `${pidText(e.pid)} | ${e.text}`;
		case 'break':
			return `breakpoint hit: ${e.spec}`;
		case 'panic':
			return `Kernel panic - not syncing: ${e.text}`;
		case 'pin':
			return `${pidText(e.pid)} ${e.action} #${e.id} pfn ${e.frame}`;
		case 'oom':
			return `${pidText(e.pid)} out_of_memory: ${e.victim === null ? 'no killable process' : `kill pid ${e.victim} (rss ${e.rss})`}`;
		case 'end':
			return `end: ${e.reason}, ${e.frames_free}/${e.frames_total} frames free, ${e.expects_failed} expect(s) failed${e.expects_unreached > 0 && e.reason !== 'break' ? `, ${e.expects_unreached} never reached` : ''}`;
		case 'kstep':
			return `${'  '.repeat(e.depth)}${describeKStep(e)}`;
	}
}

/** A kernel step's arguments as `name=value, …`. */
export function kstepArgs(args: KArgs): string {
	const parts: string[] = [];
	for (const name of Object.keys(args)) parts.push(`${name}=${String(args[name])}`);
	return parts.join(', ');
}

/** A kernel step without indentation: `fn(args) {`, `} fn = ret`, or the note. */
export function describeKStep(s: Pick<KStep, 'fn' | 'phase' | 'args' | 'text'>): string {
	switch (s.phase) {
		case 'enter':
			return `${s.fn}(${kstepArgs(s.args)}) {`;
		case 'exit':
			return 'ret' in s.args ? `} ${s.fn} = ${String(s.args.ret)}` : `} ${s.fn}`;
		case 'note':
			return `/* ${s.text ?? ''} */`;
	}
}

/**
 * The columns the tick takes in a run's text log: as many as the largest
 * tick the run can reach (max_ticks), at least 6, so a log whose ticks
 * reach 7 digits or more stays one column.
 */
export function tickColumnWidth(maxTicks: number): number {
	return Math.max(6, String(Math.max(0, Math.floor(maxTicks))).length);
}

/** The text log's line maker for a run: the tick right-aligned in `tickWidth` columns, then the event. */
export function eventFormatter(tickWidth: number): (e: DebugEvent) => string {
	return (e) => `${String(e.tick).padStart(tickWidth)}  ${describeEvent(e)}`;
}

/** One line of the text log, the tick in 6 columns (a run to max_ticks 999,999). */
export const formatEvent = eventFormatter(6);

/** A string as JSON.stringify writes it; plain ASCII (the usual case) without the call. */
function str(s: string): string {
	return PLAIN.test(s) ? '"' + s + '"' : visibleJson(JSON.stringify(s));
}
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function pidOrNull(n: number | null): string {
	return n === null ? 'null' : String(n);
}

/**
 * The event as one line of JSON, byte for byte what JSON.stringify(e) gives
 * (a test holds them equal over every scenario), except that control
 * characters JSON leaves raw (C1, bidi) are \\u escapes (the same value). The frequent types have a
 * serializer of their own, several times faster than the generic one; the
 * rare ones go through JSON.stringify.
 */
export function eventJson(e: DebugEvent): string {
	switch (e.type) {
		case 'sched':
			return `{"tick":${e.tick},"type":"sched","from":${pidOrNull(e.from)},"to":${pidOrNull(e.to)}}`;
		case 'state':
			return `{"tick":${e.tick},"type":"state","pid":${e.pid},"from":${str(e.from)},"to":${str(e.to)},"why":${str(e.why)}}`;
		case 'fault': {
			let path = '';
			for (let i = 0; i < e.path.length; i++) path += (i === 0 ? '' : ',') + str(e.path[i]!);
			return `{"tick":${e.tick},"type":"fault","pid":${e.pid},"kind":"${e.kind}","access":"${e.access}","addr":${str(e.addr)},"region":${e.region === null ? 'null' : str(e.region)},"frame":${pidOrNull(e.frame)},"from":${pidOrNull(e.from)},"path":[${path}]}`;
		}
		case 'completion':
			return `{"tick":${e.tick},"type":"completion","action":"${e.action}","id":${e.id},"owner":${e.owner},"by":${e.by},"via":${e.via === null ? 'null' : `"${e.via}"`},"done":${e.done}}`;
		case 'syscall': {
			let s = `{"tick":${e.tick},"type":"syscall","pid":${e.pid},"name":${str(e.name)},"ret":${e.ret}`;
			if (e.child !== undefined) s += `,"child":${e.child}`;
			if (e.cost !== undefined) s += `,"cost":{"vmas":${e.cost.vmas},"ptes":${e.cost.ptes},"pgtables":${e.cost.pgtables}}`;
			if (e.child_return !== undefined) s += `,"child_return":true`;
			return s + '}';
		}
		default:
			return visibleJson(JSON.stringify(e));
	}
}
