// Breakpoint specs (SPEC §6): KIND[:KEY=VALUE,…], plus tick=N, frame=PFN and
// watch=ADDR. Validated once here; matching works on the kernel's events.

import type {Address} from '../kernel/program.js';
import {closest} from '../scenario/diagnostics.js';
import {eventPid, faultKinds, syscallNames, type EventType, type FaultKind, type KernelEvent} from '../kernel/events.js';
import {PAGE_SIZE} from '../kernel/types.js';

export const breakpointKinds = [
	'cow',
	'fault',
	'segv',
	'syscall',
	'fork',
	'vfork',
	'exec',
	'exit',
	'completion',
	'signal',
	'expect-fail',
	'tick',
	'frame',
	'watch',
] as const;
export type BreakpointKind = (typeof breakpointKinds)[number];

export type Breakpoint = {
	/** The spec as written (normalised of surrounding blanks). */
	spec: string;
	kind: BreakpointKind;
	pid: number | null;
	region: string | null;
	/** Matches an event address in the same page. */
	addr: number | null;
	/** fault: kind= */
	faultKind: FaultKind | null;
	/** syscall: name= */
	name: string | null;
	/** tick=N, frame=PFN */
	value: number | null;
	/** watch=ADDR */
	watch: Address | null;
};

export type SpecResult = {ok: true; breakpoint: Breakpoint} | {ok: false; message: string; col: number};

const valueKinds = new Set<BreakpointKind>(['tick', 'frame', 'watch']);

function parseInteger(text: string): number | null {
	if (/^0x[0-9a-f]+$/i.test(text) || /^[0-9]+$/.test(text)) {
		const n = Number(text);
		return Number.isSafeInteger(n) ? n : null;
	}
	return null;
}

function parseWatchAddress(text: string): Address | null {
	const abs = parseInteger(text);
	if (abs !== null) return abs % 8 === 0 ? {kind: 'absolute', value: abs} : null;
	const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([0-9]+)\])?(?:\+(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(text);
	if (m === null) return null;
	const page = m[2] === undefined ? 0 : Number(m[2]);
	const offset = m[3] === undefined ? 0 : Number(m[3]);
	if (!Number.isSafeInteger(page) || !Number.isSafeInteger(offset) || offset % 8 !== 0) return null;
	return {kind: 'region', region: m[1]!, page, offset};
}

const allowedKeys: Record<BreakpointKind, readonly string[]> = {
	cow: ['pid', 'region', 'addr'],
	fault: ['kind', 'pid', 'region', 'addr'],
	segv: ['pid', 'region', 'addr'],
	syscall: ['name', 'pid'],
	fork: ['pid'],
	vfork: ['pid'],
	exec: ['pid'],
	exit: ['pid'],
	completion: ['pid'],
	signal: ['pid'],
	'expect-fail': ['pid'],
	tick: [],
	frame: [],
	watch: ['pid'],
};

/** Parse a breakpoint spec. Columns in errors are 1-based within the spec. */
/** The longest breakpoint spec (a session file holds what the debugger accepted). */
export const MAX_SPEC_LENGTH = 1000;

export function parseBreakpoint(input: string): SpecResult {
	const spec = input.trim();
	const lead = input.length - input.trimStart().length;
	const fail = (message: string, at: number): SpecResult => ({ok: false, message, col: lead + at + 1});
	if (spec.length > MAX_SPEC_LENGTH) return fail(`a breakpoint spec is at most ${MAX_SPEC_LENGTH} characters (this one has ${spec.length})`, MAX_SPEC_LENGTH);
	if (spec === '') return fail('empty breakpoint spec: expected KIND[:KEY=VALUE,…], e.g. cow or fault:kind=anon', 0);
	if (/\s/.test(spec)) return fail('a breakpoint spec has no blanks', spec.search(/\s/));
	const colon = spec.indexOf(':');
	const head = colon < 0 ? spec : spec.slice(0, colon);
	const eq = head.indexOf('=');
	const kindText = eq < 0 ? head : head.slice(0, eq);
	if (!(breakpointKinds as readonly string[]).includes(kindText)) {
		const near = closest(kindText, breakpointKinds);
		return fail(
			`unknown breakpoint kind '${kindText}'` +
				(near === null ? `; kinds: ${breakpointKinds.join(', ')}` : ` (did you mean '${near}'?)`),
			0,
		);
	}
	const kind = kindText as BreakpointKind;
	const bp: Breakpoint = {spec, kind, pid: null, region: null, addr: null, faultKind: null, name: null, value: null, watch: null};
	if (valueKinds.has(kind)) {
		if (eq < 0) return fail(`'${kind}' needs a value: ${kind}=${kind === 'watch' ? 'ADDR' : kind === 'tick' ? 'N' : 'PFN'}`, kindText.length);
		const text = head.slice(eq + 1);
		if (kind === 'watch') {
			const addr = parseWatchAddress(text);
			if (addr === null) return fail(`bad watch address '${text}': expected 0x… or REGION[K]+OFFSET, 8-byte aligned`, eq + 1);
			bp.watch = addr;
		} else {
			const n = parseInteger(text);
			if (n === null) return fail(`bad ${kind === 'tick' ? 'tick number' : 'PFN'} '${text}'`, eq + 1);
			bp.value = n;
		}
	} else if (eq >= 0) {
		return fail(`'${kind}' takes no value; keys go after a colon: ${kind}:pid=2`, eq);
	}
	if (colon >= 0) {
		let offset = colon + 1;
		const rest = spec.slice(colon + 1);
		if (rest === '') return fail('expected KEY=VALUE after the colon', offset);
		const seen = new Set<string>();
		for (const pair of rest.split(',')) {
			const at = offset;
			offset += pair.length + 1;
			const e = pair.indexOf('=');
			if (e <= 0) return fail(`expected KEY=VALUE, got '${pair}'`, at);
			const key = pair.slice(0, e);
			const value = pair.slice(e + 1);
			const keys = allowedKeys[kind];
			if (!keys.includes(key) && (key === 'region' || key === 'addr') && (allowedKeys.fault as readonly string[]).includes(key)) {
				return fail(`'${kind}' events have no address: ${key}= applies to cow, fault and segv breakpoints`, at);
			}
			if (!keys.includes(key)) {
				const near = closest(key, keys);
				return fail(
					`'${kind}' has no key '${key}'` +
						(keys.length === 0 ? '' : near === null ? `; keys: ${keys.join(', ')}` : ` (did you mean '${near}'?)`),
					at,
				);
			}
			if (seen.has(key)) return fail(`'${key}' is given twice`, at);
			seen.add(key);
			if (value === '') return fail(`'${key}' needs a value`, at + e + 1);
			const vat = at + e + 1;
			switch (key) {
				case 'pid': {
					const n = parseInteger(value);
					if (n === null || n < 1) return fail(`bad pid '${value}'`, vat);
					bp.pid = n;
					break;
				}
				case 'addr': {
					const n = parseInteger(value);
					if (n === null) return fail(`bad address '${value}': expected 0x… or a number`, vat);
					bp.addr = n;
					break;
				}
				case 'region':
					if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return fail(`bad region name '${value}'`, vat);
					bp.region = value;
					break;
				case 'kind': {
					if (!(faultKinds as readonly string[]).includes(value)) {
						const near = closest(value, faultKinds);
						return fail(`unknown fault kind '${value}'` + (near === null ? `; kinds: ${faultKinds.join(', ')}` : ` (did you mean '${near}'?)`), vat);
					}
					bp.faultKind = value as FaultKind;
					break;
				}
				case 'name': {
					if (!(syscallNames as readonly string[]).includes(value)) {
						const near = closest(value, syscallNames);
						return fail(`unknown system call '${value}'` + (near === null ? '' : ` (did you mean '${near}'?)`), vat);
					}
					bp.name = value;
					break;
				}
			}
		}
	}
	return {ok: true, breakpoint: bp};
}


function samePage(a: number, b: number): boolean {
	return Math.floor(a / PAGE_SIZE) === Math.floor(b / PAGE_SIZE);
}

/** Whether one event satisfies an event breakpoint (not tick, frame or watch). */
export function matchesEvent(bp: Breakpoint, e: KernelEvent): boolean {
	if (bp.pid !== null && eventPid(e) !== bp.pid) return false;
	if (bp.region !== null && (e.type !== 'fault' || e.region !== bp.region)) return false;
	if (bp.addr !== null) {
		if (e.type !== 'fault' && e.type !== 'unprotected') return false;
		if (!samePage(Number(e.addr), bp.addr)) return false;
	}
	switch (bp.kind) {
		case 'cow':
			return e.type === 'fault' && (e.kind === 'cow-copy' || e.kind === 'cow-reuse' || e.kind === 'cow-zero');
		case 'fault':
			return e.type === 'fault' && (bp.faultKind === null || e.kind === bp.faultKind);
		case 'segv':
			return e.type === 'fault' && (e.kind === 'segv-maperr' || e.kind === 'segv-accerr');
		case 'syscall':
			return e.type === 'syscall' && e.child_return !== true && (bp.name === null || e.name === bp.name);
		case 'fork':
			// the parent's return from fork (or from a clone that shares nothing)
			return e.type === 'syscall' && e.child_return !== true && e.child !== undefined && e.name !== 'vfork';
		case 'vfork':
			// do_fork with CLONE_VFORK: init_completion on the parent's stack
			return e.type === 'completion' && e.action === 'init';
		case 'exec':
			return e.type === 'exec';
		case 'exit':
			return e.type === 'exit';
		case 'completion':
			return e.type === 'completion';
		case 'signal':
			return e.type === 'signal' && e.signal !== 'SIGCHLD';
		case 'expect-fail':
			return e.type === 'expect' && !e.ok;
		case 'tick':
		case 'frame':
		case 'watch':
			return false;
	}
}

/**
 * The event types `matchesEvent` can accept for this breakpoint, or null when
 * it is not an event breakpoint or not listed here. The debugger skips the
 * parts of the run whose index holds none of them (reverse-continue).
 */
export function breakpointEventTypes(bp: Breakpoint): readonly EventType[] | null {
	switch (bp.kind) {
		case 'cow':
		case 'fault':
		case 'segv':
			return ['fault'];
		case 'syscall':
		case 'fork':
			return ['syscall'];
		case 'vfork':
		case 'completion':
			return ['completion'];
		case 'exec':
			return ['exec'];
		case 'exit':
			return ['exit'];
		case 'signal':
			return ['signal'];
		case 'expect-fail':
			return ['expect'];
		default:
			return null;
	}
}

export function isEventBreakpoint(bp: Breakpoint): boolean {
	return bp.kind !== 'tick' && bp.kind !== 'frame' && bp.kind !== 'watch';
}
