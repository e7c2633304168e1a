import {describe, expect, it} from 'vitest';
import type {KeyEvent} from '../../source/tui/keys.js';
import {countValue, initialState, modeOf, update, type Effect, type UiContext, type UiState} from '../../source/tui/state.js';

const ctx: UiContext = {
	pids: [1, 2, 3],
	breakpointIds: [4, 7],
	rows: {processes: 3, memory: 40, frames: 30, log: 100, program: 20},
	view: {processes: 5, memory: 10, frames: 10, log: 10, program: 8},
	programTop: 6,
	framesTop: 4,
	memoryTop: 0,
	logLeftMax: 50,
	helpRows: 50,
	helpView: 20,
};

function key(input: string, extra: Partial<KeyEvent> = {}): KeyEvent {
	return {input, ...extra};
}
const special = (name: KeyEvent['name'], shift = false): KeyEvent => ({input: '', name, shift});

/** Feed keys one by one; collect every effect. */
function press(s: UiState, ...keys: (string | KeyEvent)[]): {state: UiState; effects: Effect[]} {
	const effects: Effect[] = [];
	for (const k of keys) {
		const r = update(s, {t: 'key', key: typeof k === 'string' ? key(k) : k}, ctx, 50);
		s = r.state;
		effects.push(...r.effects);
	}
	return {state: s, effects};
}

const actions = (effects: Effect[]) => effects.flatMap((e) => (e.t === 'debug' ? [e.action] : []));

describe('focus', () => {
	it('Tab and Shift-Tab cycle the five panes', () => {
		let s = initialState();
		expect(s.focus).toBe('processes');
		const seen: string[] = [];
		for (let i = 0; i < 5; i++) {
			s = press(s, special('tab')).state;
			seen.push(s.focus);
		}
		expect(seen).toEqual(['memory', 'frames', 'log', 'program', 'processes']);
		expect(press(s, special('tab', true)).state.focus).toBe('program');
	});

	it('a digit 1–5 focuses that pane', () => {
		const r = press(initialState(), '3');
		expect(r.state.focus).toBe('frames');
		expect(r.effects).toEqual([]);
		// another key keeps the focus and drops the pending count
		const r2 = press(r.state, 'j');
		expect(r2.state.focus).toBe('frames');
		expect(r2.state.count).toBe('');
	});
});

describe('count prefix', () => {
	it('1 then 0 focuses Processes and restarts: 1-5 are pane keys, never a count', () => {
		const s0 = {...initialState(), focus: 'log' as const};
		const r = press(s0, '1', '0');
		expect(actions(r.effects)).toEqual([{a: 'restart'}]);
		expect(r.state.focus).toBe('processes');
		expect(r.state.count).toBe('');
	});

	it('3 then s focuses Frames and steps one tick; 5 then r focuses Program and goes back one', () => {
		const r3 = press(initialState(), '3', 's');
		expect(actions(r3.effects)).toEqual([{a: 'step', n: 1}]);
		expect(r3.state.focus).toBe('frames');
		const r5 = press(initialState(), '5', 'r');
		expect(actions(r5.effects)).toEqual([{a: 'reverse-step', n: 1}]);
		expect(r5.state.focus).toBe('program');
	});

	it('a count starts with 6-9 and then takes any digit: 7s steps 7, 64r goes back 64', () => {
		expect(actions(press(initialState(), 's').effects)).toEqual([{a: 'step', n: 1}]);
		expect(actions(press(initialState(), '7', 's').effects)).toEqual([{a: 'step', n: 7}]);
		const r = press(initialState(), '6', '4', 'r');
		expect(actions(r.effects)).toEqual([{a: 'reverse-step', n: 64}]);
		expect(r.state.focus).toBe('processes');
		expect(countValue(press(initialState(), '6', '0', '3').state)).toBe(603);
	});

	it('0 alone restarts; inside a count it is a digit', () => {
		expect(actions(press(initialState(), '0').effects)).toEqual([{a: 'restart'}]);
		expect(press(initialState(), '8', '0').state.count).toBe('80');
	});

	it('Esc drops the count and keeps the focus', () => {
		const r = press({...initialState(), focus: 'log' as const}, '9', special('escape'));
		expect(r.state.count).toBe('');
		expect(r.state.focus).toBe('log');
		expect(r.effects).toEqual([]);
	});
});

describe('stepping keys', () => {
	it('n follows the selected process, c continues, R reverse-continues', () => {
		const s = {...initialState(), selectedPid: 2};
		expect(actions(press(s, 'n', 'c', 'R').effects)).toEqual([{a: 'next', pid: 2}, {a: 'continue'}, {a: 'reverse-continue'}]);
	});

	it('a debug action makes the Log follow the newest event and Program the pc again', () => {
		const s = {...initialState(), scroll: {...initialState().scroll, log: 7, program: 3}};
		const r = press(s, 's');
		expect(r.state.scroll.log).toBe(0);
		expect(r.state.scroll.program).toBe(-1);
	});

	it('q quits; Ctrl-C quits even from a prompt', () => {
		expect(press(initialState(), 'q').effects).toEqual([{t: 'quit'}]);
		const inPrompt = press(initialState(), 'g').state;
		expect(press(inPrompt, key('c', {ctrl: true})).effects).toEqual([{t: 'quit'}]);
	});
});

describe('go-to prompt', () => {
	it('g opens it, digits type, Enter goes there', () => {
		const r = press(initialState(), 'g', '1', '2');
		expect(modeOf(r.state)).toBe('prompt');
		expect(r.state.prompt).toMatchObject({kind: 'goto', text: '12'});
		const done = press(r.state, special('return'));
		expect(actions(done.effects)).toEqual([{a: 'goto', tick: 12}]);
		expect(done.state.prompt).toBeNull();
	});

	it('+N and -N are relative to the current tick', () => {
		expect(actions(press(initialState(), 'g', '+', '5', special('return')).effects)).toEqual([{a: 'goto', tick: 55}]);
		expect(actions(press(initialState(), 'g', '-', '9', '9', special('return')).effects)).toEqual([{a: 'goto', tick: 0}]);
	});

	it('a bad tick keeps the prompt open with the column of the mistake', () => {
		const r = press(initialState(), 'g', '1', 'x', special('return'));
		expect(r.effects).toEqual([]);
		expect(r.state.prompt?.error).toEqual({message: expect.stringMatching(/number/), col: 2});
		// typing clears the error; backspace erases
		const fixed = press(r.state, special('backspace'));
		expect(fixed.state.prompt).toMatchObject({text: '1', error: null});
	});

	it('Esc cancels; keys typed in a prompt are text, not commands', () => {
		const r = press(initialState(), 'g', 's', 'q');
		expect(r.effects).toEqual([]);
		expect(r.state.prompt?.text).toBe('sq');
		expect(press(r.state, special('escape')).state.prompt).toBeNull();
	});
});

describe('breakpoint prompt', () => {
	it('a bad spec is explained with its column; a good one is added', () => {
		const r = press(initialState(), 'b', ...'cwo');
		const bad = press(r.state, special('return'));
		expect(bad.effects).toEqual([]);
		expect(bad.state.prompt?.error?.message).toMatch(/unknown breakpoint kind 'cwo'.*cow/);
		expect(bad.state.prompt?.error?.col).toBe(1);
		const bad2 = press(initialState(), 'b', ...'fault:kind=nope', special('return'));
		expect(bad2.state.prompt?.error?.col).toBeGreaterThan(6);
		const good = press(bad.state, key('', {ctrl: true, input: 'u'}), ...'cow:pid=2', special('return'));
		expect(actions(good.effects)).toEqual([{a: 'break-add', spec: 'cow:pid=2'}]);
		expect(good.state.prompt).toBeNull();
	});
});

describe('log filter', () => {
	it('/ sets it on Enter, checks type: names, Esc clears it', () => {
		const r = press(initialState(), '/', ...'type:fault', special('return'));
		expect(r.state.filter).toBe('type:fault');
		const bad = press(initialState(), '/', ...'type:nope', special('return'));
		expect(bad.state.prompt?.error?.message).toMatch(/unknown event type 'nope'/);
		expect(bad.state.prompt?.error?.col).toBe(6);
		expect(press(r.state, special('escape')).state.filter).toBe('');
	});
});

describe('overlays', () => {
	it('B lists breakpoints: j/k move, space toggles, d deletes, Esc closes', () => {
		const r = press(initialState(), 'B');
		expect(modeOf(r.state)).toBe('breakpoints');
		expect(actions(press(r.state, ' ').effects)).toEqual([{a: 'break-toggle', id: 4}]);
		const down = press(r.state, 'j');
		expect(down.state.bpCursor).toBe(1);
		expect(actions(press(down.state, 'd').effects)).toEqual([{a: 'break-remove', id: 7}]);
		expect(press(down.state, 'j').state.bpCursor).toBe(1); // clamped
		expect(modeOf(press(r.state, special('escape')).state)).toBe('normal');
	});

	it('? opens the help, j scrolls it, ? closes it', () => {
		const r = press(initialState(), '?', 'j', 'j');
		expect(modeOf(r.state)).toBe('help');
		expect(r.state.helpScroll).toBe(2);
		expect(press(r.state, special('end')).state.helpScroll).toBe(30);
		expect(modeOf(press(r.state, '?').state)).toBe('normal');
	});
});

describe('selection and scrolling', () => {
	it('j/k move the Processes cursor; Enter selects the process under it', () => {
		const r = press(initialState(), 'j', 'j', 'j');
		expect(r.state.procCursor).toBe(2); // clamped to the last process
		const sel = press(r.state, special('return'));
		expect(sel.state.selectedPid).toBe(3);
		expect(actions(sel.effects)).toEqual([{a: 'select', pid: 3}]);
	});

	it('a replayed select shows the process and puts the cursor on its row, with no effect to run', () => {
		const s = {...initialState(), scroll: {...initialState().scroll, memory: 7, program: 3}};
		const r = update(s, {t: 'select', pid: 3}, ctx);
		expect(r.state).toMatchObject({selectedPid: 3, procCursor: 2, scroll: {memory: -1, program: -1}}); // -1: following
		expect(r.effects).toEqual([]);
		// a pid not on the screen keeps the cursor where it was
		expect(update(s, {t: 'select', pid: 9}, ctx).state).toMatchObject({selectedPid: 9, procCursor: 0});
	});

	it('Enter outside Processes selects nothing', () => {
		const s = {...initialState(), focus: 'memory' as const};
		expect(press(s, special('return')).effects).toEqual([]);
	});

	it('the Log scrolls back from the newest and End follows it again', () => {
		const s = {...initialState(), focus: 'log' as const};
		const up = press(s, 'k', 'k', special('pageup'));
		expect(up.state.scroll.log).toBe(2 + 9);
		expect(press(up.state, 'j').state.scroll.log).toBe(10);
		expect(press(up.state, special('home')).state.scroll.log).toBe(90);
		expect(press(up.state, '>').state.scroll.log).toBe(0);
	});

	it('Program leaves the pc when scrolled, from where it was', () => {
		const s = {...initialState(), focus: 'program' as const};
		expect(press(s, 'j').state.scroll.program).toBe(7);
		expect(press(s, '<').state.scroll.program).toBe(0);
	});

	it('Memory scroll is clamped to its rows', () => {
		const s = {...initialState(), focus: 'memory' as const};
		expect(press(s, special('end')).state.scroll.memory).toBe(30);
		expect(press(s, 'k').state.scroll.memory).toBe(0);
	});

	it('i toggles the level indexes; h/l scroll the Log sideways only', () => {
		expect(press(initialState(), 'i').state.levels).toBe(true);
		const log = {...initialState(), focus: 'log' as const};
		expect(press(log, 'l', 'l', 'h').state.logLeft).toBe(20);
		expect(press(log, 'l', 'l', 'l', 'l').state.logLeft).toBe(50); // no further than the longest line needs
		expect(press(initialState(), 'l').state.logLeft).toBe(0);
	});
});

describe('messages from the host', () => {
	it('a stop at a hit selects the process of the event and puts the cursor on it', () => {
		const r = update(initialState(), {t: 'stopped', hitPid: 3}, ctx);
		expect(r.state.selectedPid).toBe(3);
		expect(r.state.procCursor).toBe(2);
	});

	it('while a continue runs only space, Esc and q do something', () => {
		const s = update(initialState(), {t: 'running', on: true}, ctx).state;
		expect(modeOf(s)).toBe('running');
		expect(press(s, 's', 'c', 'g').effects).toEqual([]);
		expect(press(s, ' ').effects).toEqual([{t: 'pause'}]);
		// Esc cancels a long go-to or reverse operation (the host stops it where it got to).
		expect(press(s, {input: '', name: 'escape'}).effects).toEqual([{t: 'pause'}]);
		expect(press(s, 'q').effects).toEqual([{t: 'quit'}]);
		expect(press(s, {input: 'c', ctrl: true}).effects).toEqual([{t: 'quit'}]);
	});

	it('during a replay any key takes over', () => {
		const s = update(initialState(), {t: 'replaying', on: true}, ctx).state;
		const r = press(s, 'j');
		expect(r.effects).toEqual([{t: 'take-over'}]);
		expect(modeOf(r.state)).toBe('normal');
	});

	it('a notice goes away with the next key', () => {
		const s = update(initialState(), {t: 'notice', text: 'hello'}, ctx).state;
		expect(s.notice).toBe('hello');
		expect(press(s, 'j').state.notice).toBeNull();
	});
});

describe('the compare and registers views', () => {
	const inView = (ui: Partial<UiState>): UiState => ({...initialState(), ...ui});
	const withCtx = (s: UiState, c: Partial<UiContext>, ...keys: (string | KeyEvent)[]) => {
		const effects: Effect[] = [];
		for (const k of keys) {
			const r = update(s, {t: 'key', key: typeof k === 'string' ? key(k) : k}, {...ctx, ...c}, 50);
			s = r.state;
			effects.push(...r.effects);
		}
		return {state: s, effects};
	};

	it('C opens the compare view and closes it; x the registers view; each key switches from the other view', () => {
		let s = press(initialState(), 'C').state;
		expect([s.overlay, modeOf(s)]).toEqual(['compare', 'compare']);
		s = press(s, 'x').state;
		expect([s.overlay, modeOf(s)]).toEqual(['registers', 'registers']);
		s = press(s, 'C').state;
		expect(s.overlay).toBe('compare');
		expect(press(s, 'C').state.overlay).toBe('none');
		expect(press(press(initialState(), 'x').state, 'x').state.overlay).toBe('none');
	});

	it('Esc and q close a view without quitting; Ctrl-C still quits', () => {
		const open = inView({overlay: 'compare'});
		expect(press(open, special('escape'))).toEqual({state: {...open, overlay: 'none'}, effects: []});
		expect(press(open, 'q')).toEqual({state: {...open, overlay: 'none'}, effects: []});
		expect(press(open, key('c', {ctrl: true})).effects).toEqual([{t: 'quit'}]);
	});

	it('the run keys work under a view, which stays open', () => {
		const open = inView({overlay: 'registers'});
		const r = press(open, 's', 'r', 'c', 'n', 'R');
		expect(actions(r.effects)).toEqual([{a: 'step', n: 1}, {a: 'reverse-step', n: 1}, {a: 'continue'}, {a: 'next', pid: 1}, {a: 'reverse-continue'}]);
		expect(r.state.overlay).toBe('registers');
		const g = press(open, 'g', '1', '2', special('return'));
		expect(actions(g.effects)).toEqual([{a: 'goto', tick: 12}]);
		expect(g.state.overlay).toBe('registers');
		// the kernel step keys too: into the next tick, and inside one over, out, back and leave
		expect(actions(press(open, 'e').effects)).toEqual([{a: 'kstep', op: 'into'}]);
		const inside = update(open, {t: 'key', key: key('o')}, {...ctx, inside: true}, 50);
		expect(actions(inside.effects)).toEqual([{a: 'kstep', op: 'over'}]);
		expect(inside.state.overlay).toBe('registers');
		// the pane keys do not act under a view
		expect(press(open, '3', 'i', '/').state).toEqual(open);
	});

	it('Tab sets the next other process, skipping the selected one and wrapping; S-Tab goes back', () => {
		const open = inView({overlay: 'compare', selectedPid: 2});
		// the view shows pid 1 beside pid 2 (its default partner): the next is 3, then 1 again
		let s = withCtx(open, {other: 1}, special('tab')).state;
		expect(s.otherPid).toBe(3);
		s = withCtx(s, {other: 3}, special('tab')).state;
		expect(s.otherPid).toBe(1);
		expect(withCtx(open, {other: 1}, special('tab', true)).state.otherPid).toBe(3);
		expect(withCtx(open, {other: 3}, special('tab', true)).state.otherPid).toBe(1);
		// alone: nothing to cycle to
		expect(withCtx(open, {pids: [2], other: null}, special('tab')).state).toEqual(open);
		// the pane focus does not move under a view
		expect(s.focus).toBe('processes');
	});

	it('j, k, PgDn, End and Home scroll the view within its rows', () => {
		const open = inView({overlay: 'compare'});
		const c = {viewRows: 30, viewView: 10};
		expect(withCtx(open, c, 'j', 'j', 'k').state.viewScroll).toBe(1);
		expect(withCtx(open, c, special('pagedown')).state.viewScroll).toBe(9);
		expect(withCtx(open, c, special('end')).state.viewScroll).toBe(20);
		expect(withCtx(open, c, special('end'), 'j', 'j').state.viewScroll).toBe(20);
		expect(withCtx(open, c, special('end'), special('home')).state.viewScroll).toBe(0);
		expect(withCtx(open, {viewRows: 3, viewView: 10}, 'j').state.viewScroll).toBe(0);
		// while it follows the stop (-1), a key scrolls from the top the view uses (viewTop)
		expect(withCtx(open, {...c, viewTop: 12}, 'j').state.viewScroll).toBe(13);
		expect(press(withCtx(open, c, 'j').state, 's').state.viewScroll).toBe(-1);
		// reopening follows the stop again
		const scrolled = withCtx(open, c, special('end')).state;
		expect(press(press(scrolled, 'C').state, 'C').state.viewScroll).toBe(-1);
	});
});
