// The TUI's own state (focus, selection, scroll, prompt, filter, count
// prefix, overlays) as a pure reducer: update(state, message, context) returns
// the next state and the effects to run, and runs none of them. The effects
// that touch the debugger are DebugActions, so the host can record them.
// `context` carries the few facts of the current view the reducer needs
// (the process list, the breakpoint ids, how many rows each pane has and shows).

import type {DebugAction} from '../debugger/actions.js';
import {parseBreakpoint} from '../debugger/breakpoints.js';
import {resolveKey, type KeyEvent, type Mode} from './keys.js';
import {parseFilter} from './filter.js';
import {panes, type Pane} from './panes.js';

export type PromptKind = 'goto' | 'break' | 'filter';

/**
 * `overflow`: more was typed than the prompt holds (MAX_PROMPT_TEXT); it
 * cannot be accepted until cleared, so a long spec is never cut into another.
 */
export type Prompt = {kind: PromptKind; text: string; error: {message: string; col: number} | null; overflow?: boolean};

/** The most a prompt holds (a breakpoint spec is at most 1,000 characters). */
export const MAX_PROMPT_TEXT = 4096;
const overflowError = {message: `too long: the prompt holds at most ${MAX_PROMPT_TEXT} characters (Ctrl-U clears it)`, col: MAX_PROMPT_TEXT + 1};

/** `compare`: two page tables side by side; `registers`: registers and words. Both full-screen, the run keys still work under them. */
export type Overlay = 'none' | 'help' | 'breakpoints' | 'compare' | 'registers';

export type UiState = {
	focus: Pane;
	/** The process Memory and Program show and `n` follows. */
	selectedPid: number;
	/** Cursor row in Processes (index into context.pids). */
	procCursor: number;
	/**
	 * Top row shown, per pane. Log: rows back from the newest (0 follows the
	 * newest event, and keeps the stop's event in view). Program: -1 follows
	 * the pc. Frames: -1 follows the frames the stop's event changed.
	 * Memory: -1 follows the PTE the stop's event touched. A stop sets
	 * them back to following; the user's scrolling holds until then.
	 */
	scroll: Record<Pane, number>;
	/** Log: columns scrolled to the right. */
	logLeft: number;
	/** Memory: show the 4 level indexes of each PTE. */
	levels: boolean;
	/** The Log filter as typed ('' = none). */
	filter: string;
	/** Digits typed before s or r. */
	count: string;
	prompt: Prompt | null;
	overlay: Overlay;
	bpCursor: number;
	helpScroll: number;
	/** The compare and registers views: the process set beside the selected one (null: its default partner, comparePartner). */
	otherPid: number | null;
	/** The compare and registers views: their top row; -1 follows the stop (the compare view keeps the row of its event in view). */
	viewScroll: number;
	/** A continue (or a long step / next) is running in slices. */
	running: boolean;
	/** A replay is playing (any key takes over). */
	replaying: boolean;
	/** One line of feedback under the panes, cleared by the next key. */
	notice: string | null;
};

export type UiContext = {
	/** Processes in display order. */
	pids: readonly number[];
	breakpointIds: readonly number[];
	/** Rows each pane has in all, and shows. */
	rows: Record<Pane, number>;
	view: Record<Pane, number>;
	/** The top row Program uses while it follows the pc. */
	programTop: number;
	/** The top row Frames uses while it follows the changes. */
	framesTop: number;
	/** The top row Memory's full list would have while it follows the stop's PTE. */
	memoryTop: number;
	/** Log: the most it scrolls right (its longest line shown then ends at the pane's edge). */
	logLeftMax: number;
	helpRows: number;
	helpView: number;
	/** The compare or registers view when one is open: the process it sets beside the selected one, its rows in all, and the rows it shows. */
	other?: number | null;
	viewRows?: number;
	viewView?: number;
	/** The top row the view uses while it follows the stop. */
	viewTop?: number;
	/** The debugger is inside a tick (the Kernel view is up; the kernel step keys move in it). */
	inside?: boolean;
};

export type Effect = {t: 'debug'; action: DebugAction} | {t: 'pause'} | {t: 'quit'} | {t: 'take-over'} | {t: 'picture'};

export type UiMessage =
	| {t: 'key'; key: KeyEvent}
	/** A debug action finished; hitPid is the process of the stop's event (SPEC §7: the stop explains itself), or null. */
	| {t: 'stopped'; hitPid: number | null}
	/** A replayed `select`: the process is shown, the cursor goes to its row. */
	| {t: 'select'; pid: number}
	| {t: 'running'; on: boolean}
	| {t: 'replaying'; on: boolean}
	| {t: 'notice'; text: string | null};

export type Update = {state: UiState; effects: Effect[]};

export function initialState(selectedPid = 1): UiState {
	return {
		focus: 'processes',
		selectedPid,
		procCursor: 0,
		scroll: {processes: 0, memory: -1, frames: -1, log: 0, program: -1},
		logLeft: 0,
		levels: false,
		filter: '',
		count: '',
		prompt: null,
		overlay: 'none',
		bpCursor: 0,
		helpScroll: 0,
		otherPid: null,
		viewScroll: -1,
		running: false,
		replaying: false,
		notice: null,
	};
}

export function modeOf(s: UiState): Mode {
	if (s.replaying) return 'replay';
	if (s.running) return 'running';
	if (s.prompt !== null) return 'prompt';
	if (s.overlay === 'help') return 'help';
	if (s.overlay === 'breakpoints') return 'breakpoints';
	if (s.overlay === 'compare') return 'compare';
	if (s.overlay === 'registers') return 'registers';
	return 'normal';
}

const clamp = (n: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, n));

function maxTop(ctx: UiContext, pane: Pane): number {
	return Math.max(0, ctx.rows[pane] - ctx.view[pane]);
}

/** Keep the Processes cursor on a row and its row in view. */
function placeCursor(s: UiState, ctx: UiContext, cursor: number): UiState {
	const n = ctx.pids.length;
	const c = clamp(cursor, 0, Math.max(0, n - 1));
	let top = s.scroll.processes;
	const view = Math.max(1, ctx.view.processes);
	if (c < top) top = c;
	if (c >= top + view) top = c - view + 1;
	return {...s, procCursor: c, scroll: {...s.scroll, processes: clamp(top, 0, maxTop(ctx, 'processes'))}};
}

/** The debug action `a`, after which the panes follow the new state again. */
function debug(s: UiState, action: DebugAction): Update {
	return {state: {...s, scroll: {...s.scroll, log: 0, program: -1, frames: -1, memory: -1}, logLeft: 0, viewScroll: -1}, effects: [{t: 'debug', action}]};
}

/**
 * The digits 1–5 are pane keys and nothing else; a count starts with 6–9 and
 * then takes any digit (`7s`, `64r`), and the key bar shows it while it is
 * typed. So `3` then `s` focuses Frames and steps one tick, and `1` then `0`
 * focuses Processes and restarts: no pane key is ever eaten by a count.
 */
export function countValue(s: UiState): number | null {
	return s.count === '' ? null : Math.max(1, Number(s.count));
}

function takeCount(s: UiState): {s: UiState; n: number} {
	return {s: {...s, count: ''}, n: countValue(s) ?? 1};
}

/** Scroll the focused pane by `delta` rows (down is positive), or to an end. */
function scroll(s: UiState, ctx: UiContext, delta: number | 'top' | 'bottom'): UiState {
	const pane = s.focus;
	if (pane === 'processes') {
		const to = delta === 'top' ? 0 : delta === 'bottom' ? ctx.pids.length - 1 : s.procCursor + delta;
		return placeCursor(s, ctx, to);
	}
	if (pane === 'log') {
		// Rows back from the newest: down goes towards the newest.
		const max = maxTop(ctx, 'log');
		const back = delta === 'top' ? max : delta === 'bottom' ? 0 : clamp(s.scroll.log - delta, 0, max);
		return {...s, scroll: {...s.scroll, log: back}};
	}
	const from = s.scroll[pane] >= 0 ? s.scroll[pane] : pane === 'program' ? ctx.programTop : pane === 'frames' ? ctx.framesTop : ctx.memoryTop;
	const max = maxTop(ctx, pane);
	const top = delta === 'top' ? 0 : delta === 'bottom' ? max : clamp(from + delta, 0, max);
	return {...s, scroll: {...s.scroll, [pane]: top}};
}

function digit(s: UiState, d: number): Update {
	if (s.count !== '') {
		const count = s.count.length >= 9 ? s.count : s.count + String(d);
		return {state: {...s, count}, effects: []};
	}
	if (d === 0) return debug({...s, notice: null}, {a: 'restart'});
	if (d <= panes.length) return {state: {...s, focus: panes[d - 1]!}, effects: []};
	return {state: {...s, count: String(d)}, effects: []};
}

function parseTick(text: string, ctxTick: number): {tick: number} | {message: string; col: number} {
	const t = text.trim();
	const lead = text.length - text.trimStart().length;
	const m = /^([+-]?)([0-9]+)$/.exec(t);
	if (m === null) {
		const bad = t.search(/[^0-9+-]/);
		return {message: 'a tick is a number, or +N / -N from here', col: lead + (bad < 0 ? 0 : bad) + 1};
	}
	const n = Number(m[2]);
	if (!Number.isSafeInteger(n)) return {message: 'that tick is too large', col: lead + 1};
	const tick = m[1] === '+' ? ctxTick + n : m[1] === '-' ? ctxTick - n : n;
	return {tick: Math.max(0, tick)};
}

function accept(s: UiState, tick: number): Update {
	const p = s.prompt!;
	if (p.overflow === true) return {state: {...s, prompt: {...p, error: overflowError}}, effects: []};
	switch (p.kind) {
		case 'goto': {
			if (p.text.trim() === '') return {state: {...s, prompt: null}, effects: []};
			const r = parseTick(p.text, tick);
			if ('message' in r) return {state: {...s, prompt: {...p, error: r}}, effects: []};
			return debug({...s, prompt: null}, {a: 'goto', tick: r.tick});
		}
		case 'break': {
			if (p.text.trim() === '') return {state: {...s, prompt: null}, effects: []};
			const r = parseBreakpoint(p.text);
			if (!r.ok) return {state: {...s, prompt: {...p, error: {message: r.message, col: r.col}}}, effects: []};
			return {state: {...s, prompt: null}, effects: [{t: 'debug', action: {a: 'break-add', spec: r.breakpoint.spec}}]};
		}
		case 'filter': {
			const r = parseFilter(p.text);
			if (!r.ok) return {state: {...s, prompt: {...p, error: {message: r.message, col: r.col}}}, effects: []};
			return {state: {...s, prompt: null, filter: p.text.trim(), scroll: {...s.scroll, log: 0}}, effects: []};
		}
	}
}

/** The next (or previous) live process after the one the view shows, skipping the selected one. */
function cycleOther(s: UiState, ctx: UiContext, dir: 1 | -1): UiState {
	const others = ctx.pids.filter((p) => p !== s.selectedPid);
	if (others.length === 0) return s;
	const now = ctx.other ?? s.otherPid;
	const i = now === null ? -1 : others.indexOf(now);
	const next = i < 0 ? (dir === 1 ? others[0]! : others[others.length - 1]!) : others[(i + dir + others.length) % others.length]!;
	return {...s, otherPid: next, viewScroll: -1};
}

const promptOpen = (s: UiState, kind: PromptKind, text = ''): Update => ({state: {...s, prompt: {kind, text, error: null}}, effects: []});

/** The reducer. `tick` is the debugger's tick, for relative go-to. */
export function update(s0: UiState, msg: UiMessage, ctx: UiContext, tick = 0): Update {
	switch (msg.t) {
		case 'stopped': {
			let s: UiState = {...s0, scroll: {...s0.scroll, log: 0, program: -1, frames: -1, memory: -1}, viewScroll: -1};
			// The process of the stop's event is shown, when it is still alive.
			const i = msg.hitPid === null ? -1 : ctx.pids.indexOf(msg.hitPid);
			if (i >= 0) s = placeCursor({...s, selectedPid: msg.hitPid!}, ctx, i);
			return {state: s, effects: []};
		}
		case 'select': {
			const s: UiState = {...s0, selectedPid: msg.pid, scroll: {...s0.scroll, memory: -1, program: -1}};
			const i = ctx.pids.indexOf(msg.pid);
			return {state: i >= 0 ? {...s, procCursor: i} : s, effects: []};
		}
		case 'running':
			return {state: {...s0, running: msg.on}, effects: []};
		case 'replaying':
			return {state: {...s0, replaying: msg.on}, effects: []};
		case 'notice':
			return {state: {...s0, notice: msg.text}, effects: []};
		case 'key':
			break;
	}
	const key = msg.key;
	const mode = modeOf(s0);
	const def = resolveKey(mode, key);
	if (def === undefined) return {state: s0, effects: []};
	const cmd = def.cmd;
	// Any key clears the last notice; any command but a digit drops the count.
	let s: UiState = s0.notice === null ? s0 : {...s0, notice: null};
	const isDigit = cmd === 'count' || cmd === 'focus' || cmd === 'restart';
	if (!isDigit && cmd !== 'step' && cmd !== 'reverse-step' && s.count !== '') s = {...s, count: ''};

	switch (cmd) {
		case 'take-over':
			return {state: {...s, replaying: false}, effects: [{t: 'take-over'}]};
		case 'quit':
			return {state: s, effects: [{t: 'quit'}]};
		case 'pause':
			return {state: s, effects: [{t: 'pause'}]};
		case 'count':
		case 'focus':
		case 'restart':
			return digit(s, Number(key.input));
		case 'step': {
			const c = takeCount(s);
			return debug(c.s, {a: 'step', n: c.n});
		}
		case 'reverse-step': {
			const c = takeCount(s);
			return debug(c.s, {a: 'reverse-step', n: c.n});
		}
		case 'next':
			return debug(s, {a: 'next', pid: s.selectedPid});
		case 'continue':
			return debug(s, {a: 'continue'});
		case 'reverse-continue':
			return debug(s, {a: 'reverse-continue'});
		case 'goto':
			return promptOpen(s, 'goto');
		case 'break-add':
			return promptOpen(s, 'break');
		case 'filter':
			// The filter in force, then a blank: what is typed adds a term (terms must all match); ^U starts afresh.
			return promptOpen(s, 'filter', s.filter === '' ? '' : s.filter + ' ');
		case 'break-list':
			return {state: {...s, overlay: 'breakpoints', bpCursor: clamp(s.bpCursor, 0, Math.max(0, ctx.breakpointIds.length - 1))}, effects: []};
		case 'help':
			return {state: {...s, overlay: 'help', helpScroll: 0}, effects: []};
		case 'close':
			return {state: {...s, overlay: 'none'}, effects: []};
		case 'levels':
			return {state: {...s, levels: !s.levels}, effects: []};
		case 'compare':
		case 'registers':
			// The key opens its view, and closes it when it is the one open.
			return {state: {...s, overlay: s.overlay === cmd ? 'none' : cmd, viewScroll: -1}, effects: []};
		case 'close-view':
			return {state: {...s, overlay: 'none'}, effects: []};
		case 'other-next':
		case 'other-prev':
			return {state: cycleOther(s, ctx, cmd === 'other-next' ? 1 : -1), effects: []};
		case 'picture':
			return {state: s, effects: [{t: 'picture'}]};
		case 'kstep-into':
		case 'kstep-back':
			return debug(s, {a: 'kstep', op: cmd === 'kstep-into' ? 'into' : 'back'});
		case 'kstep-over':
		case 'kstep-out':
		case 'kstep-leave':
			// Over, out and leave move inside a tick; between ticks there is nothing to leave.
			if (ctx.inside !== true) return {state: {...s, notice: 'not inside a tick: e steps into the next one, E into the last one'}, effects: []};
			return debug(s, {a: 'kstep', op: cmd === 'kstep-over' ? 'over' : cmd === 'kstep-out' ? 'out' : 'leave'});
		case 'escape':
			if (s0.count !== '') return {state: {...s, count: ''}, effects: []};
			if (s.filter !== '') return {state: {...s, filter: '', scroll: {...s.scroll, log: 0}}, effects: []};
			if (ctx.inside === true) return debug(s, {a: 'kstep', op: 'leave'});
			return {state: s, effects: []};
		case 'focus-next':
		case 'focus-prev': {
			const i = panes.indexOf(s.focus);
			const n = panes.length;
			return {state: {...s, focus: panes[(i + (cmd === 'focus-next' ? 1 : n - 1)) % n]!}, effects: []};
		}
		case 'select': {
			if (s.focus !== 'processes') return {state: s, effects: []};
			const pid = ctx.pids[s.procCursor];
			if (pid === undefined) return {state: s, effects: []};
			return {
				state: {...s, selectedPid: pid, scroll: {...s.scroll, memory: -1, program: -1}},
				effects: [{t: 'debug', action: {a: 'select', pid}}],
			};
		}
		case 'bp-toggle':
		case 'bp-delete': {
			const id = ctx.breakpointIds[s.bpCursor];
			if (id === undefined) return {state: s, effects: []};
			const action: DebugAction = cmd === 'bp-toggle' ? {a: 'break-toggle', id} : {a: 'break-remove', id};
			const cursor = cmd === 'bp-delete' ? clamp(s.bpCursor, 0, Math.max(0, ctx.breakpointIds.length - 2)) : s.bpCursor;
			return {state: {...s, bpCursor: cursor}, effects: [{t: 'debug', action}]};
		}
		case 'up':
		case 'down':
		case 'page-up':
		case 'page-down':
		case 'top':
		case 'bottom': {
			const page = (n: number): number => Math.max(1, n - 1);
			if (mode === 'help') {
				const max = Math.max(0, ctx.helpRows - ctx.helpView);
				const d = cmd === 'up' ? -1 : cmd === 'down' ? 1 : cmd === 'page-up' ? -page(ctx.helpView) : cmd === 'page-down' ? page(ctx.helpView) : 0;
				const to = cmd === 'top' ? 0 : cmd === 'bottom' ? max : clamp(s.helpScroll + d, 0, max);
				return {state: {...s, helpScroll: to}, effects: []};
			}
			if (mode === 'compare' || mode === 'registers') {
				const v = Math.max(1, ctx.viewView ?? 1);
				const max = Math.max(0, (ctx.viewRows ?? 0) - v);
				const d = cmd === 'up' ? -1 : cmd === 'down' ? 1 : cmd === 'page-up' ? -page(v) : cmd === 'page-down' ? page(v) : 0;
				const from = s.viewScroll >= 0 ? s.viewScroll : (ctx.viewTop ?? 0);
				const to = cmd === 'top' ? 0 : cmd === 'bottom' ? max : clamp(from + d, 0, max);
				return {state: {...s, viewScroll: to}, effects: []};
			}
			if (mode === 'breakpoints') {
				const last = Math.max(0, ctx.breakpointIds.length - 1);
				const d = cmd === 'up' || cmd === 'page-up' ? -1 : 1;
				const to = cmd === 'top' ? 0 : cmd === 'bottom' ? last : clamp(s.bpCursor + d, 0, last);
				return {state: {...s, bpCursor: to}, effects: []};
			}
			const v = ctx.view[s.focus];
			const d = cmd === 'up' ? -1 : cmd === 'down' ? 1 : cmd === 'page-up' ? -page(v) : cmd === 'page-down' ? page(v) : cmd;
			return {state: scroll(s, ctx, d), effects: []};
		}
		case 'left':
		case 'right': {
			if (s.focus !== 'log') return {state: s, effects: []};
			// Right stops where the longest line shown ends.
			return {state: {...s, logLeft: clamp(s.logLeft + (cmd === 'left' ? -20 : 20), 0, Math.max(0, ctx.logLeftMax))}, effects: []};
		}
		case 'accept':
			return accept(s, tick);
		case 'cancel':
			return {state: {...s, prompt: null}, effects: []};
		case 'erase': {
			const p = s.prompt!;
			return {state: {...s, prompt: {...p, text: p.text.slice(0, -1), error: p.overflow === true ? overflowError : null}}, effects: []};
		}
		case 'erase-line':
			return {state: {...s, prompt: {...s.prompt!, text: '', error: null, overflow: false}}, effects: []};
		case 'type': {
			const add = key.input.replace(/[\r\n\t]/g, '');
			if (add === '') return {state: s, effects: []};
			const text = s.prompt!.text + add;
			if (text.length > MAX_PROMPT_TEXT) return {state: {...s, prompt: {...s.prompt!, error: overflowError, overflow: true}}, effects: []};
			return {state: {...s, prompt: {...s.prompt!, text, error: null}}, effects: []};
		}
	}
}
