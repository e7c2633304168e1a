// The one key table of the TUI. The reducer (state.ts) resolves keys through
// it, the help overlay lists it, and the key bar picks from it the five keys
// that matter now. Habits: gdb (s, n, c; capitals go backwards), htop (a key
// bar, state letters), lazygit (Tab and 1–5 between panes, j/k, /, ?, q).

import type {Pane} from './panes.js';

/** A key press as Ink reports it, reduced to what the table looks at. */
export type KeyEvent = {
	/** The character typed ('' for special keys). */
	input: string;
	name?: SpecialKey;
	ctrl?: boolean;
	shift?: boolean;
};

export type SpecialKey = 'return' | 'escape' | 'tab' | 'backspace' | 'delete' | 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end';

export type Mode = 'normal' | 'running' | 'prompt' | 'help' | 'breakpoints' | 'replay' | 'compare' | 'registers';

/** The full-screen views in which the run keys (s, r, c, n, R, g) still work, so their picture can be watched changing. */
const views: readonly Mode[] = ['compare', 'registers'];

export type Command =
	| 'step'
	| 'next'
	| 'continue'
	| 'pause'
	| 'reverse-step'
	| 'reverse-continue'
	| 'goto'
	| 'restart'
	| 'focus'
	| 'count'
	| 'break-add'
	| 'break-list'
	| 'filter'
	| 'levels'
	| 'select'
	| 'focus-next'
	| 'focus-prev'
	| 'up'
	| 'down'
	| 'page-up'
	| 'page-down'
	| 'top'
	| 'bottom'
	| 'left'
	| 'right'
	| 'escape'
	| 'help'
	| 'quit'
	| 'bp-toggle'
	| 'bp-delete'
	| 'close'
	| 'accept'
	| 'cancel'
	| 'erase'
	| 'erase-line'
	| 'type'
	| 'take-over'
	| 'picture'
	| 'compare'
	| 'registers'
	| 'other-next'
	| 'other-prev'
	| 'close-view'
	| 'kstep-into'
	| 'kstep-over'
	| 'kstep-out'
	| 'kstep-back'
	| 'kstep-leave';

type Match = {ch?: string; name?: SpecialKey; ctrl?: boolean; shift?: boolean; anyText?: boolean; anyKey?: boolean};

/** What the key bar looks at to rank the keys. */
export type BarContext = {
	mode: Mode;
	focus: Pane;
	ended: boolean;
	atStart: boolean;
	atHit: boolean;
	hasBreakpoints: boolean;
	countPending: boolean;
	filtered: boolean;
	/** No page tables to show indexes of. */
	nommu: boolean;
	/** Inside a tick (the Kernel view): the kernel step keys come first. */
	inside?: boolean;
};

export type KeyDef = {
	cmd: Command;
	modes: readonly Mode[];
	keys: readonly Match[];
	/** How the help overlay shows the keys. */
	label: string;
	/** The help overlay's sentence. */
	help: string;
	/** The key bar's word, and the rank it has now (null: not shown). */
	bar?: {label: string; rank: (c: BarContext) => number | null};
	group: string;
};

const ch = (c: string): Match => ({ch: c});
const named = (name: SpecialKey, shift = false): Match => ({name, shift});
const digits = (from: number, to: number): Match[] => Array.from({length: to - from + 1}, (_, i) => ch(String(from + i)));

const when = (cond: (c: BarContext) => boolean, rank: number) => (c: BarContext) => (cond(c) ? rank : null);

export const keyTable: readonly KeyDef[] = [
	// Stepping (gdb)
	{
		cmd: 'step',
		modes: ['normal', ...views],
		keys: [ch('s')],
		label: 's',
		help: 'step one tick; a count first steps that many (7s, 64s)',
		bar: {label: 'step', rank: (c) => (c.ended ? null : c.countPending ? 20 : 10)},
		group: 'Run',
	},
	{
		cmd: 'next',
		modes: ['normal', ...views],
		keys: [ch('n')],
		label: 'n',
		help: 'run to the next event of the selected process',
		bar: {label: 'next', rank: when((c) => !c.ended && !c.countPending, 5)},
		group: 'Run',
	},
	{
		cmd: 'continue',
		modes: ['normal', ...views],
		keys: [ch('c')],
		label: 'c',
		help: 'continue to the next breakpoint hit or the end (space pauses)',
		bar: {label: 'continue', rank: (c) => (c.ended || c.countPending ? null : c.atHit ? 11 : 9)},
		group: 'Run',
	},
	{
		cmd: 'pause',
		modes: ['running'],
		keys: [ch(' '), named('escape')],
		label: 'space',
		help: 'while an action runs: pause a run forward (c, or a long s or n), cancel any other where it got to (g, r, R…)',
		bar: {label: 'pause', rank: () => 10},
		group: 'Run',
	},
	{
		cmd: 'reverse-step',
		modes: ['normal', ...views],
		keys: [ch('r')],
		label: 'r',
		help: 'reverse-step one tick; a count first goes back that many (8r, 60r)',
		bar: {label: 'back', rank: (c) => (c.atStart ? null : c.countPending ? 19 : c.ended ? 10 : 8)},
		group: 'Time travel',
	},
	{
		cmd: 'reverse-continue',
		modes: ['normal', ...views],
		keys: [ch('R')],
		label: 'R',
		help: 'reverse-continue to the previous breakpoint hit (or tick 0)',
		bar: {label: 'rev-cont', rank: when((c) => !c.atStart && c.hasBreakpoints && !c.countPending && (c.ended || c.atHit), 8.5)},
		group: 'Time travel',
	},
	{
		cmd: 'goto',
		modes: ['normal', ...views],
		keys: [ch('g')],
		label: 'g',
		help: 'go to tick N (typed; +N and -N are relative)',
		bar: {label: 'goto', rank: when((c) => c.ended && !c.countPending, 7)},
		group: 'Time travel',
	},
	{
		cmd: 'restart',
		modes: ['normal'],
		keys: [ch('0')],
		label: '0',
		help: "restart: back to tick 0 (vi's 0 = start of line; inside a count, 0 is a digit of it)",
		bar: {label: 'restart', rank: when((c) => c.ended && !c.countPending, 6.5)},
		group: 'Time travel',
	},
	{
		cmd: 'count',
		modes: ['normal'],
		keys: digits(0, 9),
		label: '0-9',
		help: 'count prefix for s and r, starting with 6-9 (7s, 64r; the key bar shows it); Esc drops it',
		group: 'Time travel',
	},
	// Kernel steps (gdb's step, next, finish, reverse-step; docs/debugger.md)
	{
		cmd: 'kstep-into',
		modes: ['normal', ...views],
		keys: [ch('e')],
		label: 'e',
		help: 'enter the kernel: into the next tick at its first kernel step, or inside one, into the next step (gdb step)',
		bar: {label: 'into', rank: when((c) => c.inside === true && !c.countPending, 14)},
		group: 'Kernel steps',
	},
	{
		cmd: 'kstep-over',
		modes: ['normal', ...views],
		keys: [ch('o')],
		label: 'o',
		help: 'inside a tick: step over the function this step enters, to the next step at this depth (gdb next)',
		bar: {label: 'over', rank: when((c) => c.inside === true && !c.countPending, 13.5)},
		group: 'Kernel steps',
	},
	{
		cmd: 'kstep-out',
		modes: ['normal', ...views],
		keys: [ch('f')],
		label: 'f',
		help: 'inside a tick: finish the current kernel function, to the step that returns from it (gdb finish)',
		bar: {label: 'out', rank: when((c) => c.inside === true && !c.countPending, 13)},
		group: 'Kernel steps',
	},
	{
		cmd: 'kstep-back',
		modes: ['normal', ...views],
		keys: [ch('E')],
		label: 'E',
		help: 'back one kernel step (from the first: before the tick; between ticks: into the last tick at its last step)',
		bar: {label: 'back', rank: when((c) => c.inside === true && !c.countPending, 12.5)},
		group: 'Kernel steps',
	},
	{
		cmd: 'kstep-leave',
		modes: ['normal', ...views],
		keys: [ch('L')],
		label: 'L',
		help: 'leave the tick: run it to its end and close the Kernel view (Esc too, when no count or filter is up)',
		bar: {label: 'leave', rank: when((c) => c.inside === true && !c.countPending, 12)},
		group: 'Kernel steps',
	},
	// Breakpoints
	{
		cmd: 'break-add',
		modes: ['normal', 'breakpoints'],
		keys: [ch('b')],
		label: 'b',
		help: 'add a breakpoint: cow, fault:kind=anon, syscall:name=fork, tick=N, watch=heap[0], …',
		bar: {label: 'break', rank: (c) => (c.mode === 'breakpoints' ? 7 : c.ended || c.countPending ? null : 7)},
		group: 'Breakpoints',
	},
	{
		cmd: 'break-list',
		modes: ['normal'],
		keys: [ch('B')],
		label: 'B',
		help: 'list breakpoints: toggle, delete, add',
		bar: {label: 'breakpoints', rank: when((c) => c.hasBreakpoints && c.atHit && !c.countPending, 7.5)},
		group: 'Breakpoints',
	},
	{
		cmd: 'bp-toggle',
		modes: ['breakpoints'],
		keys: [ch(' '), named('return')],
		label: 'space/Enter',
		help: 'in the list (B): enable or disable the breakpoint under the cursor',
		bar: {label: 'toggle', rank: () => 10},
		group: 'Breakpoints',
	},
	{
		cmd: 'bp-delete',
		modes: ['breakpoints'],
		keys: [ch('d'), ch('x'), named('delete')],
		label: 'd/x',
		help: 'in the list (B): delete the breakpoint under the cursor',
		bar: {label: 'delete', rank: () => 9},
		group: 'Breakpoints',
	},
	// Panes (lazygit)
	{
		cmd: 'focus-next',
		modes: ['normal'],
		keys: [{name: 'tab', shift: false}],
		label: 'Tab',
		help: 'focus the next pane',
		bar: {label: 'pane', rank: () => 3},
		group: 'Panes',
	},
	{
		cmd: 'focus-prev',
		modes: ['normal'],
		keys: [named('tab', true)],
		label: 'S-Tab',
		help: 'focus the previous pane',
		group: 'Panes',
	},
	{
		cmd: 'focus',
		modes: ['normal'],
		keys: digits(1, 5),
		label: '1-5',
		help: 'focus Processes, Memory, Frames, Log, Program (always: a count starts with 6-9)',
		group: 'Panes',
	},
	{
		cmd: 'select',
		modes: ['normal'],
		keys: [named('return')],
		label: 'Enter',
		help: 'Processes: select the process under the cursor (Memory, Program and n follow it)',
		bar: {label: 'select', rank: when((c) => c.focus === 'processes', 8.7)},
		group: 'Panes',
	},
	{
		cmd: 'down',
		modes: ['normal', 'help', 'breakpoints', ...views],
		keys: [ch('j'), named('down')],
		label: 'j/↓',
		help: 'move down / scroll the focused pane (the help, the breakpoint list and the compare and registers views too)',
		group: 'Move',
	},
	{
		cmd: 'up',
		modes: ['normal', 'help', 'breakpoints', ...views],
		keys: [ch('k'), named('up')],
		label: 'k/↑',
		help: 'move up / scroll the focused pane',
		group: 'Move',
	},
	{
		cmd: 'page-down',
		modes: ['normal', 'help', 'breakpoints', ...views],
		keys: [named('pagedown'), {ch: 'd', ctrl: true}],
		label: 'PgDn/^d',
		help: 'scroll a page down',
		group: 'Move',
	},
	{
		cmd: 'page-up',
		modes: ['normal', 'help', 'breakpoints', ...views],
		keys: [named('pageup'), {ch: 'u', ctrl: true}],
		label: 'PgUp/^u',
		help: 'scroll a page up',
		group: 'Move',
	},
	{
		cmd: 'top',
		modes: ['normal', 'help', 'breakpoints', ...views],
		keys: [named('home'), ch('<')],
		label: 'Home/<',
		help: 'to the top (g is go-to-tick)',
		group: 'Move',
	},
	{
		cmd: 'bottom',
		modes: ['normal', 'help', 'breakpoints', ...views],
		keys: [named('end'), ch('>')],
		label: 'End/>',
		help: 'to the bottom (the Log: back to following the newest event)',
		group: 'Move',
	},
	{cmd: 'left', modes: ['normal'], keys: [ch('h'), named('left')], label: 'h/←', help: 'Log: scroll left', group: 'Move'},
	{cmd: 'right', modes: ['normal'], keys: [ch('l'), named('right')], label: 'l/→', help: 'Log: scroll right (long call paths)', group: 'Move'},
	{
		cmd: 'filter',
		modes: ['normal'],
		keys: [ch('/')],
		label: '/',
		help: 'filter the Log: words match the text, type:fault the event type, pid:2 the process',
		bar: {label: 'filter', rank: when((c) => c.focus === 'log', 8.7)},
		group: 'Panes',
	},
	{
		cmd: 'picture',
		modes: ['normal'],
		keys: [ch('P')],
		label: 'P',
		help: 'write a picture of memory at this stop (SVG, for a slide) to the current directory',
		group: 'Panes',
	},
	{
		cmd: 'compare',
		modes: ['normal', ...views],
		keys: [ch('C')],
		label: 'C',
		help: "compare: the selected process's page table beside another's (parent and child after a fork), row by row by VA: the frames, = for the same frame, COW marks, refcount/mapcount, the words; no-MMU: regions and frame ranges. C again closes",
		bar: {label: 'compare', rank: (c) => (c.mode === 'registers' ? 7 : null)},
		group: 'Views',
	},
	{
		cmd: 'registers',
		modes: ['normal', ...views],
		keys: [ch('x')],
		label: 'x',
		help: "registers and words (gdb's x): the selected process's ret, status, signal, core, r0-r7 and the words in its memory by region, each beside what the other process reads there. x again closes",
		bar: {label: 'regs', rank: (c) => (c.mode === 'compare' ? 7 : null)},
		group: 'Views',
	},
	{
		cmd: 'other-next',
		modes: views,
		keys: [{name: 'tab', shift: false}],
		label: 'Tab',
		help: 'in the compare and registers views: set the next process beside the selected one',
		bar: {label: 'other', rank: () => 8.8},
		group: 'Views',
	},
	{
		cmd: 'other-prev',
		modes: views,
		keys: [named('tab', true)],
		label: 'S-Tab',
		help: 'in the compare and registers views: set the previous process beside the selected one',
		group: 'Views',
	},
	{
		cmd: 'close-view',
		modes: views,
		keys: [named('escape'), ch('q')],
		label: 'Esc/q',
		help: 'close the compare or registers view',
		bar: {label: 'close', rank: () => 8.6},
		group: 'Views',
	},
	{
		cmd: 'levels',
		modes: ['normal'],
		keys: [ch('i')],
		label: 'i',
		help: 'Memory: show the 4 page-table level indexes of each PTE (pgd pud pmd pte)',
		bar: {label: 'indexes', rank: when((c) => c.focus === 'memory' && !c.nommu, 8.7)},
		group: 'Panes',
	},
	{
		cmd: 'escape',
		modes: ['normal'],
		keys: [named('escape')],
		label: 'Esc',
		help: 'drop a count prefix, else clear the Log filter, else leave the tick the Kernel view is in',
		bar: {label: 'clear', rank: (c) => (c.countPending ? 15 : c.filtered ? 4 : null)},
		group: 'General',
	},
	// Prompts
	{cmd: 'accept', modes: ['prompt'], keys: [named('return')], label: 'Enter', help: 'accept the prompt', bar: {label: 'ok', rank: () => 10}, group: 'Prompt'},
	{
		cmd: 'cancel',
		modes: ['prompt'],
		keys: [named('escape')],
		label: 'Esc',
		help: 'cancel the prompt',
		bar: {label: 'cancel', rank: () => 9},
		group: 'Prompt',
	},
	{
		cmd: 'erase',
		modes: ['prompt'],
		keys: [named('backspace'), named('delete')],
		label: 'Backspace',
		help: 'delete the last character',
		group: 'Prompt',
	},
	{cmd: 'erase-line', modes: ['prompt'], keys: [{ch: 'u', ctrl: true}], label: '^u', help: 'clear the prompt', group: 'Prompt'},
	{cmd: 'type', modes: ['prompt'], keys: [{anyText: true}], label: 'text', help: 'type the tick, spec or filter', group: 'Prompt'},
	// Overlays
	{
		cmd: 'close',
		modes: ['help', 'breakpoints'],
		keys: [named('escape'), ch('q'), ch('?'), ch('B')],
		label: 'Esc/q',
		help: 'close the help or the breakpoint list (? and B close what they opened)',
		bar: {label: 'close', rank: () => 8},
		group: 'General',
	},
	{
		cmd: 'help',
		modes: ['normal'],
		keys: [ch('?')],
		label: '?',
		help: 'this help',
		bar: {label: 'help', rank: (c) => (c.countPending ? null : 6)},
		group: 'General',
	},
	{
		cmd: 'take-over',
		modes: ['replay'],
		keys: [{anyKey: true}],
		label: 'any key',
		help: 'replay: stop the playback and take over; the key then acts as usual',
		bar: {label: 'take over', rank: () => 10},
		group: 'General',
	},
	{
		cmd: 'quit',
		modes: ['normal', 'running', 'replay'],
		keys: [ch('q'), {ch: 'c', ctrl: true}],
		label: 'q/^c',
		help: 'quit (Ctrl-C quits from anywhere)',
		bar: {label: 'quit', rank: (c) => (c.mode === 'running' ? 9 : c.mode === 'replay' ? 8 : c.countPending ? null : 1)},
		group: 'General',
	},
];

function matches(m: Match, k: KeyEvent): boolean {
	if (m.anyKey === true) return true;
	if (m.anyText === true) return k.name === undefined && k.ctrl !== true && k.input.length > 0;
	if (m.name !== undefined) return k.name === m.name && (m.shift === true) === (k.shift === true);
	if (m.ch !== undefined) return k.name === undefined && k.input === m.ch && (m.ctrl === true) === (k.ctrl === true);
	return false;
}

/** The table entry a key runs in a mode, or undefined. Ctrl-C quits in every mode. */
export function resolveKey(mode: Mode, key: KeyEvent): KeyDef | undefined {
	if (key.ctrl === true && key.input === 'c') return keyTable.find((d) => d.cmd === 'quit');
	for (const def of keyTable) {
		if (!def.modes.includes(mode)) continue;
		if (def.keys.some((m) => matches(m, key))) return def;
	}
	return undefined;
}

/** The (at most) five keys the bar shows now, best first. */
export function barKeys(c: BarContext, max = 5): {label: string; word: string}[] {
	const ranked: {def: KeyDef; rank: number}[] = [];
	for (const def of keyTable) {
		if (def.bar === undefined || !def.modes.includes(c.mode)) continue;
		const rank = def.bar.rank(c);
		if (rank !== null) ranked.push({def, rank});
	}
	ranked.sort((a, b) => b.rank - a.rank);
	return ranked.slice(0, max).map(({def}) => ({label: barLabel(def), word: def.bar!.label}));
}

function barLabel(def: KeyDef): string {
	if (def.cmd === 'quit') return 'q';
	if (def.cmd === 'close' || def.cmd === 'close-view') return 'Esc';
	if (def.cmd === 'bp-toggle' || def.cmd === 'pause') return 'space';
	return def.label;
}
