// Recorded sessions (docs/debugger.md, "Sessions"): the session file's
// format, its validation at the edge, and headless verification.
//
// A session file is one JSON object, written one action per line:
//
//   {"format":"cowdbg-session","version":1,
//   "scenario":{"file":"scenarios/fork-cow.scn","sha256":"<64 hex>","source":"<the .scn text>"},
//   "overrides":["frames=128"],
//   "breakpoints":["cow"],
//   "actions":[
//   [1200,"s"],
//   [650,"s",5],
//   [2100,"c"],
//   [900,"R"]
//   ],
//   "checkpoints":[
//   [0,0,"<16 hex>"],
//   [4,9,"<16 hex>"]
//   ]}
//
// Each action is [ms since the previous one, code, argument?]; the codes are
// the TUI's keys where there is one (see `codes`). A checkpoint
// [n, tick, hash] is stateHash after the first n actions, when the cursor was
// at that tick: one at the start, one every CHECKPOINT_ACTIONS actions or
// when the cursor moved CHECKPOINT_TICKS ticks or more, one at each autosave
// (so a recording killed outright still verifies up to it), and one at the end.
// The breakpoints are those set when recording began (the file's `break`
// lines included); later ones are actions.
//
// This module does no I/O: it encodes, decodes, validates and verifies.
// recorder.ts reads session files and writes them while recording.

import {createHash} from 'node:crypto';
import {UsageError, loadSource, type Loaded} from './load.js';
import {visible} from '../scenario/visible.js';
import {stateHash} from '../kernel/dump.js';
import {applyAction, type DebugAction, type ReplayScript} from './actions.js';
import {MAX_SPEC_LENGTH, parseBreakpoint} from './breakpoints.js';
import {Debugger, kstepOps, type KStepOp} from './debugger.js';

export const SESSION_FORMAT = 'cowdbg-session';
export const SESSION_VERSION = 1;
/** A checkpoint after this many actions since the last one… */
export const CHECKPOINT_ACTIONS = 10;
/** …or when the cursor is this many ticks away from the last checkpoint's tick. */
export const CHECKPOINT_TICKS = 1000;
/**
 * The largest session file read. A session embeds a scenario of up to 16 MiB,
 * which JSON escaping may make six times longer, and its actions: the
 * recorder refuses to write more than this (what it writes, replay reads).
 */
export const MAX_SESSION_BYTES = 256 * 1024 * 1024;

export type Checkpoint = {
	/** Number of actions applied (0: the start). */
	actions: number;
	tick: number;
	/** stateHash at that point. */
	hash: string;
};

export type SessionData = {
	scenario: {file: string; source: string; sha256: string};
	overrides: string[];
	/** Breakpoint specs set when the recording began. */
	breakpoints: string[];
	/** Each action with its time in ms from the start of the recording. */
	actions: {at: number; action: DebugAction}[];
	checkpoints: Checkpoint[];
};

/** A loaded session: the data, and its scenario parsed with the session's overrides and breakpoints. */
export type Session = SessionData & {file: string; loaded: Loaded};

// ---- the compact action encoding ------------------------------------------

/** action name → code in the file. */
const codes = {
	step: 's',
	next: 'n',
	continue: 'c',
	'reverse-step': 'r',
	'reverse-continue': 'R',
	goto: 'g',
	restart: 'z',
	'break-add': 'b',
	'break-remove': 'd',
	'break-toggle': 't',
	select: 'p',
	kstep: 'k',
} as const satisfies Record<DebugAction['a'], string>;

type Code = (typeof codes)[keyof typeof codes];
const names = new Map<string, DebugAction['a']>(Object.entries(codes).map(([name, code]) => [code, name as DebugAction['a']]));

/** The code and argument of an action, without the time. */
export function encodeAction(action: DebugAction): [Code] | [Code, number | string] {
	switch (action.a) {
		case 'step':
		case 'reverse-step':
			return action.n === 1 ? [codes[action.a]] : [codes[action.a], action.n];
		case 'continue':
			return action.to === undefined ? ['c'] : ['c', action.to];
		case 'reverse-continue':
		case 'restart':
			return [codes[action.a]];
		case 'next':
		case 'select':
			return [codes[action.a], action.pid];
		case 'goto':
			return ['g', action.tick];
		case 'break-add':
			return ['b', action.spec];
		case 'kstep':
			return ['k', action.op];
		case 'break-remove':
		case 'break-toggle':
			return [codes[action.a], action.id];
	}
}

const MAX_MS = 1_000_000_000;
/** A breakpoint spec or an override, at most. */
const MAX_SPEC = MAX_SPEC_LENGTH;

/** Decode [dt, code, arg?] or say what is wrong with it. */
function decodeAction(entry: unknown): {dt: number; action: DebugAction} | string {
	if (!Array.isArray(entry)) return 'not a list [ms, code, argument?]';
	const [dt, code, arg] = entry as unknown[];
	if (!isInteger(dt, 0, MAX_MS)) return `the time ${show(dt)} is not a whole number of milliseconds`;
	if (typeof code !== 'string') return `the action code ${show(code)} is not a string`;
	const name = names.get(code);
	if (name === undefined) return `unknown action code ${show(code)} (codes: ${[...names.keys()].join(' ')})`;
	const takes = name === 'reverse-continue' || name === 'restart' ? 0 : 1;
	if (entry.length > 2 + takes) return `'${code}' (${name}) takes ${takes === 0 ? 'no argument' : 'one argument'}, got ${entry.length - 2}`;
	const has = entry.length === 3;
	const count = (what: string, min: number): number | string =>
		isInteger(arg, min) ? (arg as number) : `'${code}' (${name}) needs ${what}, got ${show(arg)}`;
	const wrap = (action: DebugAction | string): {dt: number; action: DebugAction} | string =>
		typeof action === 'string' ? action : {dt: dt as number, action};
	switch (name) {
		case 'step':
		case 'reverse-step': {
			const n = has ? count('a tick count ≥ 1', 1) : 1;
			return typeof n === 'string' ? n : wrap({a: name, n});
		}
		case 'continue': {
			if (!has) return wrap({a: 'continue'});
			const to = count('the tick it was paused at', 0);
			return typeof to === 'string' ? to : wrap({a: 'continue', to});
		}
		case 'reverse-continue':
		case 'restart':
			return wrap({a: name});
		case 'goto':
		case 'next':
		case 'select':
		case 'break-remove':
		case 'break-toggle': {
			if (!has) return `'${code}' (${name}) needs an argument`;
			const v = count(name === 'goto' ? 'a tick' : name === 'next' || name === 'select' ? 'a pid' : 'a breakpoint id', name === 'goto' ? 0 : 1);
			if (typeof v === 'string') return v;
			if (name === 'goto') return wrap({a: 'goto', tick: v});
			if (name === 'next' || name === 'select') return wrap({a: name, pid: v});
			return wrap({a: name, id: v});
		}
		case 'break-add':
			if (typeof arg !== 'string' || arg.length > MAX_SPEC) return `'b' (break-add) needs a breakpoint spec string, got ${show(arg)}`;
			return wrap({a: 'break-add', spec: arg});
		case 'kstep':
			if (typeof arg !== 'string' || !(kstepOps as readonly string[]).includes(arg))
				return `'k' (kstep) needs one of ${kstepOps.join(', ')}, got ${show(arg)}`;
			return wrap({a: 'kstep', op: arg as KStepOp});
	}
}

function isInteger(v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
	return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

/**
 * A value in a message: short, and JSON so that types show ("3" vs 3). The
 * value comes from a hostile file, so it is written without recursion (a list
 * nested 100,000 deep) and only as far as the message shows (a list of
 * millions), and its control characters are made visible.
 */
export function show(v: unknown, width = 40): string {
	if (v === undefined) return 'nothing';
	const budget = width + 1;
	const MAX_ITEMS = 8;
	let text = '';
	const todo: ({lit: string} | {val: unknown})[] = [{val: v}];
	while (todo.length > 0 && text.length < budget) {
		const item = todo.pop()!;
		if ('lit' in item) {
			text += item.lit;
			continue;
		}
		const x = item.val;
		if (Array.isArray(x)) {
			const n = Math.min(x.length, MAX_ITEMS);
			todo.push({lit: x.length > n ? ',…]' : ']'});
			for (let i = n - 1; i >= 0; i--) todo.push({val: x[i]}, {lit: i > 0 ? ',' : ''});
			text += '[';
		} else if (x !== null && typeof x === 'object') {
			const keys: string[] = [];
			for (const key in x) {
				if (keys.length > MAX_ITEMS) break;
				keys.push(key);
			}
			const n = Math.min(keys.length, MAX_ITEMS);
			todo.push({lit: keys.length > n ? ',…}' : '}'});
			for (let i = n - 1; i >= 0; i--) {
				todo.push({val: (x as Record<string, unknown>)[keys[i]!]}, {lit: `${i > 0 ? ',' : ''}${JSON.stringify(keys[i]!.slice(0, budget))}:`});
			}
			text += '{';
		} else if (typeof x === 'string') text += JSON.stringify(x.slice(0, budget));
		else text += JSON.stringify(x) ?? String(x);
	}
	if (todo.length > 0 || text.length > width) text = text.slice(0, width - 3) + '...';
	return visible(text);
}

export function sha256(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

// ---- the file: encode and decode ------------------------------------------

/** The session as file text: a header line, then one line per action and per checkpoint. */
export function encodeSession(s: SessionData): string {
	const head = `{"format":${JSON.stringify(SESSION_FORMAT)},"version":${SESSION_VERSION},\n`;
	const scenario = `"scenario":${JSON.stringify({file: s.scenario.file, sha256: s.scenario.sha256, source: s.scenario.source})},\n`;
	const lists = `"overrides":${JSON.stringify(s.overrides)},\n"breakpoints":${JSON.stringify(s.breakpoints)},\n`;
	let prev = 0;
	const actions = s.actions.map(({at, action}) => {
		const dt = Math.max(0, at - prev);
		prev = Math.max(prev, at);
		return JSON.stringify([dt, ...encodeAction(action)]);
	});
	const checkpoints = s.checkpoints.map((c) => JSON.stringify([c.actions, c.tick, c.hash]));
	const list = (items: string[]): string => (items.length === 0 ? '[]' : `[\n${items.join(',\n')}\n]`);
	return `${head}${scenario}${lists}"actions":${list(actions)},\n"checkpoints":${list(checkpoints)}}\n`;
}

/**
 * Whether unparseable text is a JSON document cut short: the text ends inside
 * a string or with brackets still open (what an interrupted write leaves).
 */
function looksTruncated(text: string): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			if (--depth < 0) return false;
		}
	}
	return inString || depth > 0;
}

/**
 * Parse and validate a session file's text. `name` is the file, for messages.
 * Every problem is a UsageError that says what kind it is: not a session,
 * another version, truncated, or damaged (with the field).
 */
export function decodeSession(text: string, name: string): SessionData {
	const who = `cowdbg: '${visible(name)}'`;
	// `why` may quote the file (a spec's own error message does): its control characters are shown escaped.
	const notSession = (why: string): UsageError => new UsageError(`${who} is not a cowdbg session (${visible(why)})`);
	const damaged = (why: string): UsageError => new UsageError(`${who} is damaged: ${visible(why)}`);
	// A byte order mark (an editor's) is not part of the JSON.
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	const marked = /^\s*\{\s*"format"\s*:\s*"cowdbg-session"/.test(text);
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		if (text.trim() === '') throw notSession('the file is empty');
		if (marked && looksTruncated(text)) {
			throw new UsageError(
				`${who} is truncated: the JSON ends after ${text.length} characters, before the session does (was cowdbg stopped while writing it?)`,
			);
		}
		const why = visible(error instanceof Error ? error.message : String(error));
		if (marked) throw damaged(`not valid JSON: ${why}`);
		throw notSession(`not JSON: ${why}`);
	}
	if (json === null || typeof json !== 'object' || Array.isArray(json))
		throw notSession(`a JSON ${json === null ? 'null' : Array.isArray(json) ? 'list' : typeof json}, not an object`);
	const o = json as Record<string, unknown>;
	if (!('format' in o)) throw notSession('it has no "format" field');
	if (o.format !== SESSION_FORMAT) throw notSession(`its format is ${show(o.format)}, not "${SESSION_FORMAT}"`);
	if (!isInteger(o.version, 0)) throw damaged(`"version" is ${show(o.version)}, not a whole number`);
	const version = o.version as number;
	if (version !== SESSION_VERSION) {
		throw new UsageError(
			`${who} was written by session format version ${version}; this cowdbg reads version ${SESSION_VERSION}` +
				(version > SESSION_VERSION ? ' (it comes from a newer cowdbg: upgrade to replay it)' : ' (it comes from an older cowdbg)'),
		);
	}

	// scenario
	const sc = o.scenario;
	if (sc === null || typeof sc !== 'object' || Array.isArray(sc)) throw damaged(`"scenario" is ${show(sc)}, not an object`);
	const {file, source, sha256: sum} = sc as Record<string, unknown>;
	if (typeof file !== 'string' || file.length === 0 || file.length > 4096) throw damaged(`"scenario.file" is ${show(file)}, not a file name`);
	if (typeof source !== 'string') throw damaged(`"scenario.source" is ${show(source)}, not the scenario's text`);
	if (typeof sum !== 'string' || !/^[0-9a-f]{64}$/.test(sum)) throw damaged(`"scenario.sha256" is ${show(sum)}, not 64 hex digits`);
	if (sha256(source) !== sum) throw damaged(`the embedded scenario does not match its sha256 (its source was changed after recording)`);

	// overrides and breakpoints
	const strings = (key: 'overrides' | 'breakpoints'): string[] => {
		const v = o[key];
		if (!Array.isArray(v)) throw damaged(`"${key}" is ${show(v)}, not a list`);
		v.forEach((s, i) => {
			if (typeof s !== 'string' || s.length > MAX_SPEC) throw damaged(`${key}[${i}] is ${show(s)}, not a string`);
		});
		return v as string[];
	};
	const overrides = strings('overrides');
	const breakpoints = strings('breakpoints');
	breakpoints.forEach((spec, i) => {
		const r = parseBreakpoint(spec);
		if (!r.ok) throw damaged(`breakpoints[${i}] ${show(spec)}: ${r.message}`);
	});

	// actions
	if (!Array.isArray(o.actions)) throw damaged(`"actions" is ${show(o.actions)}, not a list`);
	const actions: SessionData['actions'] = [];
	let at = 0;
	o.actions.forEach((entry, i) => {
		const r = decodeAction(entry);
		if (typeof r === 'string') throw damaged(`actions[${i}] ${show(entry)}: ${r}`);
		at += r.dt;
		actions.push({at, action: r.action});
	});

	// checkpoints
	if (!Array.isArray(o.checkpoints)) throw damaged(`"checkpoints" is ${show(o.checkpoints)}, not a list`);
	const checkpoints: Checkpoint[] = [];
	o.checkpoints.forEach((entry, i) => {
		const bad = (why: string): UsageError => damaged(`checkpoints[${i}] ${show(entry)}: ${why}`);
		if (!Array.isArray(entry) || entry.length !== 3) throw bad('not a list [actions, tick, hash]');
		const [n, tick, hash] = entry as unknown[];
		if (!isInteger(n, 0, actions.length)) throw bad(`the action count ${show(n)} is not a whole number from 0 to ${actions.length}`);
		if (!isInteger(tick, 0)) throw bad(`the tick ${show(tick)} is not a whole number ≥ 0`);
		if (typeof hash !== 'string' || !/^[0-9a-f]{16}$/.test(hash)) throw bad(`the hash ${show(hash)} is not 16 hex digits`);
		const last = checkpoints.at(-1);
		if (last !== undefined && (n as number) < last.actions) throw bad('checkpoints are out of order');
		checkpoints.push({actions: n as number, tick: tick as number, hash});
	});

	return {scenario: {file, source, sha256: sum}, overrides, breakpoints, actions, checkpoints};
}

/** Decode a session and load its embedded scenario (with its overrides and breakpoints). */
export function parseSession(text: string, name: string): Session {
	const data = decodeSession(text, name);
	let loaded: Loaded;
	try {
		loaded = loadSource(data.scenario.source, data.scenario.file, data.overrides, []);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		throw new UsageError(`cowdbg: '${visible(name)}': its embedded scenario does not load:\n${error.message}`);
	}
	// The breakpoints are the session's: the file's `break` lines were among them when it was recorded.
	return {...data, file: name, loaded: {...loaded, breakpoints: [...data.breakpoints]}};
}

/** The actions to play back, for the TUI. */
export function replayScript(session: SessionData): ReplayScript {
	return {actions: session.actions.map(({at, action}) => ({at, action})), checkpoints: session.checkpoints};
}

// ---- verification ----------------------------------------------------------

export type CheckpointCheck = Checkpoint & {
	/** stateHash of the replayed run at the recorded tick, or null when the replayed run ends before it. */
	actual: string | null;
	/** Where the replay's cursor was after the same actions. */
	replayTick: number;
	/** The state at the recorded tick matches. */
	ok: boolean;
};

export type VerifyResult =
	| {ok: true; ticks: number; checks: CheckpointCheck[]}
	| {
			ok: false;
			/**
			 * The earliest recorded tick whose state differs. The session has hashes
			 * only at checkpoints, so the first tick that differs lies in
			 * (lastGoodTick, firstBadTick]; `message` says so.
			 */
			firstBadTick: number;
			expected: string;
			actual: string | null;
			/** Number of actions applied when that checkpoint was taken. */
			actionIndex: number;
			/** The latest earlier tick whose state matched, or null. */
			lastGoodTick: number | null;
			/** 'state': the kernel's state differs; 'position': the states match but the cursor stopped elsewhere. */
			reason: 'state' | 'position';
			message: string;
			checks: CheckpointCheck[];
	  };

/**
 * Replay every action on a fresh Debugger and compare each checkpoint.
 * The kernel takes no input, so the state at tick t depends on t only: each
 * checkpoint's hash is compared with the replayed run's state at the recorded
 * tick (and, separately, where the replay's cursor is).
 */
export function verifySession(session: Session): VerifyResult {
	const {scenario, config} = session.loaded;
	const dbg = new Debugger(scenario, config, session.breakpoints);
	let other = null as Debugger | null;
	// The state at a tick depends on the tick only: hash each tick once (a file may hold a million checkpoints).
	const hashes = new Map<number, string | null>();
	const stateAt = (tick: number): string | null => {
		const known = hashes.get(tick);
		if (known !== undefined) return known;
		let hash: string | null;
		if (dbg.tick === tick) hash = stateHash(dbg.kernel);
		else {
			other ??= new Debugger(scenario, config);
			other.goto(tick);
			hash = other.tick === tick ? stateHash(other.kernel) : null;
		}
		hashes.set(tick, hash);
		return hash;
	};
	const checks: CheckpointCheck[] = [];
	let next = 0;
	const checkpointsAfter = (n: number): void => {
		const cps = session.checkpoints;
		for (; next < cps.length && cps[next]!.actions === n; next++) {
			const cp = cps[next]!;
			const actual = stateAt(cp.tick);
			checks.push({...cp, actual, replayTick: dbg.tick, ok: actual === cp.hash});
		}
	};
	checkpointsAfter(0);
	session.actions.forEach(({action}, i) => {
		applyAction(dbg, action);
		checkpointsAfter(i + 1);
	});
	const ticks = Math.max(dbg.frontier, other?.frontier ?? 0);

	const bad = checks.filter((c) => !c.ok);
	if (bad.length > 0) {
		// Loops, not Math.min(...list): a session may hold millions of checkpoints.
		let first = bad[0]!;
		for (const c of bad) if (c.tick < first.tick) first = c;
		const firstBadTick = first.tick;
		let lastGoodTick: number | null = null;
		for (const c of checks) if (c.ok && c.tick < firstBadTick && (lastGoodTick === null || c.tick > lastGoodTick)) lastGoodTick = c.tick;
		return {
			ok: false,
			firstBadTick,
			expected: first.hash,
			actual: first.actual,
			actionIndex: first.actions,
			lastGoodTick,
			reason: 'state',
			message: stateMessage(first, lastGoodTick),
			checks,
		};
	}
	const moved = checks.find((c) => c.replayTick !== c.tick);
	if (moved !== undefined) {
		return {
			ok: false,
			firstBadTick: moved.tick,
			expected: moved.hash,
			actual: stateAt(moved.replayTick),
			actionIndex: moved.actions,
			lastGoodTick: null,
			reason: 'position',
			message:
				`after ${actionsText(moved.actions)} the replay is at tick ${moved.replayTick}, the recording was at tick ${moved.tick} ` +
				`(the states at the recorded ticks all match: the debugger stopped elsewhere, e.g. a breakpoint hits differently)`,
			checks,
		};
	}
	return {ok: true, ticks, checks};
}

function actionsText(n: number): string {
	return n === 0 ? 'no action (at the start)' : n === 1 ? 'action 1' : `action ${n}`;
}

function stateMessage(c: CheckpointCheck, lastGood: number | null): string {
	const what =
		c.actual === null
			? `the replayed run ends before tick ${c.tick}, which the recording reached`
			: `the state at tick ${c.tick} differs from the recording (recorded ${c.hash}, replayed ${c.actual})`;
	const where = `checkpoint after ${actionsText(c.actions)}`;
	let first: string;
	if (c.tick === 0) first = 'the boot state itself differs';
	else if (lastGood === c.tick - 1) first = `tick ${c.tick - 1} matched, so tick ${c.tick} is the first that differs`;
	else if (lastGood === null) {
		first = `no earlier tick has a hash in the session, so the first difference is somewhere in ticks 0…${c.tick}`;
	} else {
		first = `tick ${lastGood} matched, so the first difference is somewhere in ticks ${lastGood + 1}…${c.tick} (the session holds no hashes in between)`;
	}
	return `${what}; ${where}; ${first}`;
}
