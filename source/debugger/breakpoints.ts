// Breakpoint specs (docs/debugger.md): KIND[:KEY=VALUE,…], plus tick=N,
// frame=PFN, watch=ADDR and func=NAME. Validated once here; matching works on
// the kernel's events, and func= on its kernel steps.

import type {Address} from '../kernel/program.js';
import {closest, levenshtein} from '../scenario/diagnostics.js';
import {IDENT, parseAddress, parseUnsigned} from '../scenario/operands.js';
import {eventPid, faultKinds, syscallNames, type EventType, type FaultKind, type KernelEvent} from '../kernel/events.js';
import {PAGE_SIZE} from '../kernel/types.js';
import {functionsWithAddr, functionsWithVma, tracedFunctions, type KStep} from '../kernel/trace.js';

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
	'func',
] as const;
export type BreakpointKind = (typeof breakpointKinds)[number];

/** The keys every event breakpoint may filter on (those its events can carry). */
type Filters = {
	/** The spec as written (normalised of surrounding blanks). */
	spec: string;
	pid: number | null;
	region: string | null;
	/** Matches an event address in the same page. */
	addr: number | null;
};

/** A checked breakpoint: each kind with the fields it has. */
export type Breakpoint =
	| (Filters & {kind: 'cow' | 'segv' | 'fork' | 'vfork' | 'exec' | 'exit' | 'completion' | 'signal' | 'expect-fail'})
	| (Filters & {kind: 'fault'; faultKind: FaultKind | null})
	| (Filters & {kind: 'syscall'; name: string | null})
	| {spec: string; kind: 'tick'; tick: number}
	| {spec: string; kind: 'frame'; pfn: number}
	| {spec: string; kind: 'watch'; pid: number | null; watch: Address}
	/** func=NAME: the entry of a kernel function, inside a tick (docs/debugger.md, kernel steps). */
	| {spec: string; kind: 'func'; fn: string; pid: number | null; region: string | null; addr: number | null};

export type EventBreakpoint = Exclude<Breakpoint, {kind: 'tick' | 'frame' | 'watch' | 'func'}>;

export type SpecResult = {ok: true; breakpoint: Breakpoint} | {ok: false; message: string; col: number};

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
	func: ['pid', 'region', 'addr'],
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
		return fail(`unknown breakpoint kind '${kindText}'` + (near === null ? `; kinds: ${breakpointKinds.join(', ')}` : ` (did you mean '${near}'?)`), 0);
	}
	const kind = kindText as BreakpointKind;
	// What the keys and the value set, checked and assembled below.
	const got: {pid: number | null; region: string | null; addr: number | null; faultKind: FaultKind | null; name: string | null} = {
		pid: null,
		region: null,
		addr: null,
		faultKind: null,
		name: null,
	};
	let value: number | Address | null = null;
	let fn = '';
	if (kind === 'tick' || kind === 'frame' || kind === 'watch' || kind === 'func') {
		if (eq < 0)
			return fail(
				`'${kind}' needs a value: ${kind}=${kind === 'watch' ? 'ADDR' : kind === 'tick' ? 'N' : kind === 'func' ? 'NAME (a kernel function, e.g. copy_one_pte)' : 'PFN'}`,
				kindText.length,
			);
		const text = head.slice(eq + 1);
		if (kind === 'func') {
			if (!(tracedFunctions as readonly string[]).includes(text)) {
				const near = closestNames(text, tracedFunctions);
				return fail(
					`the kernel has no function '${text}'` +
						(near.length === 0 ? `; functions: ${tracedFunctions.join(', ')}` : ` (closest: ${near.join(', ')})`),
					eq + 1,
				);
			}
			fn = text;
		} else if (kind === 'watch') {
			// The scenario's own address syntax (docs/scenario-language.md), with its messages.
			const r = parseAddress(text);
			if (!r.ok) {
				const message = r.message.startsWith('bad address')
					? r.message.replace('bad address', 'bad watch address')
					: `bad watch address '${text}': ${r.message}`;
				return fail(message, eq + 1 + r.col);
			}
			value = r.addr;
		} else {
			const n = parseUnsigned(text);
			if (n === null) return fail(`bad ${kind === 'tick' ? 'tick number' : 'PFN'} '${text}'`, eq + 1);
			value = n;
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
					`'${kind}' has no key '${key}'` + (keys.length === 0 ? '' : near === null ? `; keys: ${keys.join(', ')}` : ` (did you mean '${near}'?)`),
					at,
				);
			}
			if (kind === 'func' && ((key === 'region' && !functionsWithVma.has(fn)) || (key === 'addr' && !functionsWithAddr.has(fn)))) {
				return fail(`${fn} has no ${key === 'region' ? 'VMA' : 'address'} argument: ${key}= cannot apply to it`, at);
			}
			if (seen.has(key)) return fail(`'${key}' is given twice`, at);
			seen.add(key);
			if (value === '') return fail(`'${key}' needs a value`, at + e + 1);
			const vat = at + e + 1;
			switch (key) {
				case 'pid': {
					const n = parseUnsigned(value);
					if (n === null || n < 1) return fail(`bad pid '${value}'`, vat);
					got.pid = n;
					break;
				}
				case 'addr': {
					const n = parseUnsigned(value);
					if (n === null) return fail(`bad address '${value}': expected 0x… or a number`, vat);
					got.addr = n;
					break;
				}
				case 'region':
					if (!IDENT.test(value)) return fail(`bad region name '${value}'`, vat);
					got.region = value;
					break;
				case 'kind': {
					if (!(faultKinds as readonly string[]).includes(value)) {
						// `cow` names a family (cow-copy, cow-reuse, cow-zero): list it, not the nearest spelling.
						const family = faultKinds.filter((f) => f.startsWith(`${value}-`));
						if (family.length > 1) {
							const list = `${family.slice(0, -1).join(', ')} or ${family.at(-1)!}`;
							const whole = (breakpointKinds as readonly string[]).includes(value) ? `; the breakpoint '${value}' stops at any of them` : '';
							return fail(`unknown fault kind '${value}' (did you mean ${list}?${whole})`, vat);
						}
						const near = closest(value, faultKinds);
						return fail(
							`unknown fault kind '${value}'` + (near === null ? `; kinds: ${faultKinds.join(', ')}` : ` (did you mean '${near}'?)`),
							vat,
						);
					}
					got.faultKind = value as FaultKind;
					break;
				}
				case 'name': {
					if (!(syscallNames as readonly string[]).includes(value)) {
						const near = closest(value, syscallNames);
						return fail(`unknown system call '${value}'` + (near === null ? '' : ` (did you mean '${near}'?)`), vat);
					}
					got.name = value;
					break;
				}
			}
		}
	}
	if (got.faultKind === 'segv-maperr' && got.region !== null) {
		return fail('a segv-maperr fault has no region (no VMA contains its address): use addr= instead of region=', spec.indexOf('region='));
	}
	const {pid, region, addr} = got;
	switch (kind) {
		case 'tick':
			return {ok: true, breakpoint: {spec, kind, tick: value as number}};
		case 'frame':
			return {ok: true, breakpoint: {spec, kind, pfn: value as number}};
		case 'watch':
			return {ok: true, breakpoint: {spec, kind, pid, watch: value as Address}};
		case 'func':
			return {ok: true, breakpoint: {spec, kind, fn, pid, region, addr}};
		case 'fault':
			return {ok: true, breakpoint: {spec, kind, pid, region, addr, faultKind: got.faultKind}};
		case 'syscall':
			return {ok: true, breakpoint: {spec, kind, pid, region, addr, name: got.name}};
		default:
			return {ok: true, breakpoint: {spec, kind, pid, region, addr}};
	}
}

function samePage(a: number, b: number): boolean {
	return Math.floor(a / PAGE_SIZE) === Math.floor(b / PAGE_SIZE);
}

/** Whether one event satisfies an event breakpoint (not tick, frame or watch). */
export function matchesEvent(bp: EventBreakpoint, e: KernelEvent): boolean {
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
			// A child's own return from fork/vfork/clone is its event: it hits
			// only a breakpoint that names that child (pid=, checked above).
			return e.type === 'syscall' && (e.child_return !== true || bp.pid !== null) && (bp.name === null || e.name === bp.name);
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

export function isEventBreakpoint(bp: Breakpoint): bp is EventBreakpoint {
	return bp.kind !== 'tick' && bp.kind !== 'frame' && bp.kind !== 'watch' && bp.kind !== 'func';
}

/** Up to three names nearest to `word` (edit distance), nearest first. */
function closestNames(word: string, candidates: readonly string[]): string[] {
	if (word.length === 0 || word.length > 64) return [];
	const lower = word.toLowerCase();
	const limit = Math.max(3, Math.ceil(word.length / 2));
	return candidates
		.map((c) => ({c, d: c.includes(lower) || lower.includes(c) ? 0 : levenshtein(lower, c)}))
		.filter((x) => x.d <= limit)
		.sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
		.slice(0, 3)
		.map((x) => x.c);
}

/**
 * Whether a kernel step is the entry of a `func=` breakpoint's function, with
 * its keys: pid= the task running the tick, region= the step's VMA, addr= in
 * the step's page or range.
 */
export function matchesKStep(bp: Extract<Breakpoint, {kind: 'func'}>, step: KStep, pid: number | null): boolean {
	if (step.phase !== 'enter' || step.fn !== bp.fn) return false;
	if (bp.pid !== null && pid !== bp.pid) return false;
	if (bp.region !== null && step.args.vma !== bp.region) return false;
	if (bp.addr !== null) {
		const at = step.args.addr ?? step.args.start;
		if (typeof at !== 'string') return false;
		const from = Number(at);
		const end = step.args.end;
		if (typeof end === 'string') {
			if (bp.addr < from || bp.addr >= Number(end)) return false;
		} else if (!samePage(from, bp.addr)) return false;
	}
	return true;
}
