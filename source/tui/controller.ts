// The TUI's host: it owns the Debugger and the UI state, feeds keys to the
// reducer, runs the effects it returns (every debugger operation as a
// DebugAction, recorded to the sink once it is done), runs each of them in
// slices of time so the screen shows progress and Esc, q and signals act
// within a slice (docs/debugger.md, long operations), and plays a replay
// script back. React only subscribes to it and renders its view.

import {
	actionWork,
	applyAction,
	cancelledAs,
	checkpointDiffers,
	MIN_REPLAY_SPEED,
	runsForward,
	type ActionSink,
	type DebugAction,
	type ReplayScript,
} from '../debugger/actions.js';
import {hitNames, type Debugger, type Progress, type Stop, type Work} from '../debugger/debugger.js';
import type {LogQuery} from '../debugger/log.js';
import {stopFocus, type StopFocus} from '../debugger/focus.js';
import {firstPid, machineInfo, snapshotFrames, type FrameSnapshot, type KernelState} from '../debugger/views.js';
import {resolveKey, type KeyEvent} from './keys.js';
import {initialState, modeOf, update, type Effect, type UiContext, type UiMessage, type UiState} from './state.js';
import {ViewCache} from './render/cache.js';
import {FILTER_CHUNKS_AT_ONCE} from './render/log.js';
import type {Model, SessionInfo, View} from './render/model.js';
import {buildView} from './render/view.js';
import {MIN_HEIGHT, MIN_WIDTH} from './render/frame.js';

/** The time a slice of a long operation may take before the screen updates and input is read. */
const SLICE_MS = 25;

/** The longest timer Node keeps (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type ControllerOptions = {
	sink?: ActionSink;
	replay?: {script: ReplayScript; speed: number};
	session?: Partial<SessionInfo>;
	/** Timers (tests may pass their own). */
	setImmediate?: (fn: () => void) => unknown;
	setTimeout?: (fn: () => void, ms: number) => unknown;
	clearTimeout?: (handle: unknown) => void;
	now?: () => number;
	/** Writes the picture of memory at the current stop (the P key); returns the file's name. */
	picture?: (dbg: Debugger) => string;
};

/** What the work of a running action has done. */
type Done = {
	/** The action's result, once it is done. */
	result: {stop: Stop | null} | null;
	/** The state before the stop's tick, once found (undefined: not found, the stop goes unexplained). */
	before: KernelState | null | undefined;
};

/** An action under way in slices. */
type Running = {
	action: DebugAction;
	/** The action, then the state before the tick it stopped at (what the stop explains itself with). */
	work: Work<void>;
	done: Done;
	/** The tick it started from. */
	from: number;
	/** It started inside a tick (a kernel step's stop says why it ends outside one). */
	wasInside: boolean;
	/** Stop it (pause a run forward, cancel anything else) at the next slice. */
	cancel: boolean;
	quitAfter: boolean;
	/** Told when it is over, and whether it ran to its end (a replayed action: the replay goes on). */
	after: ((completed: boolean) => void) | null;
};

export class Controller {
	readonly dbg: Debugger;
	ui: UiState;
	session: SessionInfo;
	before: FrameSnapshot | null = null;
	/** What the last stop is about, for the panes to bring into view (SPEC §7). */
	focus: StopFocus | null = null;
	readonly cache = new ViewCache();
	width = 80;
	height = 24;
	private ctx: UiContext | null = null;
	private cachedView: {key: string; view: View} | null = null;
	private version = 0;
	private listeners = new Set<() => void>();
	private running: Running | null = null;
	private closed = false;
	private readonly sink: ActionSink | undefined;
	private readonly replay: {script: ReplayScript; speed: number} | undefined;
	private replayIndex = 0;
	private replayTimer: unknown = null;
	private replayStart = 0;
	private readonly options: ControllerOptions;
	/** Called once when the user quits (after the sink is closed). */
	onQuit: (() => void) | undefined;
	/** Ctrl-Z: give the terminal back and stop the process (job control), until SIGCONT. */
	onSuspend: (() => void) | undefined;

	constructor(dbg: Debugger, options: ControllerOptions = {}) {
		this.dbg = dbg;
		this.options = options;
		this.sink = options.sink;
		this.replay = options.replay;
		this.ui = initialState(firstPid(dbg.kernel));
		this.session = {file: dbg.scenario.file, recording: null, recordingNote: null, replay: null, runningFrom: null, ...options.session};
		if (this.replay !== undefined) {
			const checkpoints = this.replay.script.checkpoints?.length ?? 0;
			this.session.replay = {index: 0, total: this.replay.script.actions.length, speed: this.replay.speed, state: 'playing', verified: 0, checkpoints};
			this.apply({t: 'replaying', on: true});
			this.verifyCheckpoints();
		}
		// A failed save (a full disk) shows on the status line at once, and goes when a save works again.
		this.sink?.onStatus?.((problem) => {
			this.session = {...this.session, recordingNote: problem};
			this.changed();
		});
	}

	/** The replay reached a checkpoint whose state differs (the exit status is 1 then). */
	get replayDiverged(): boolean {
		return this.session.replay?.state === 'diverged';
	}

	/**
	 * Verify the checkpoints recorded after the actions replayed so far, as the
	 * replay passes them (SPEC §7); at the first that differs, stop the replay
	 * and say so at once.
	 */
	private verifyCheckpoints(): void {
		const cps = this.replay?.script.checkpoints;
		const r = this.session.replay;
		if (cps === undefined || r === null || r.state !== 'playing') return;
		let verified = r.verified ?? 0;
		for (; verified < cps.length && cps[verified]!.actions <= this.replayIndex; verified++) {
			const cp = cps[verified]!;
			if (cp.actions < this.replayIndex) continue; // taken before: not this position
			const differs = checkpointDiffers(this.dbg, cp);
			if (differs !== null) {
				this.session = {...this.session, replay: {...r, index: this.replayIndex, verified, state: 'diverged', divergence: differs}};
				this.stopReplay('diverged');
				this.apply({t: 'notice', text: `replay differs from the recording: ${differs}`});
				return;
			}
		}
		this.session = {...this.session, replay: {...r, verified}};
	}

	// ---- what React reads --------------------------------------------------

	subscribe = (fn: () => void): (() => void) => {
		this.listeners.add(fn);
		return () => this.listeners.delete(fn);
	};

	getVersion = (): number => this.version;

	model(): Model {
		return {dbg: this.dbg, ui: this.ui, session: this.session, before: this.before, focus: this.focus, cache: this.cache};
	}

	view(): View {
		const key = `${this.version}:${this.width}x${this.height}`;
		if (this.cachedView?.key !== key) {
			const {view, ctx} = buildView(this.model(), this.width, this.height);
			this.ctx = ctx;
			this.cachedView = {key, view};
		}
		return this.cachedView.view;
	}

	/** `force`: draw again even at the same size (after a resize the terminal may have reflowed the screen). */
	setSize(width: number, height: number, force = false): void {
		if (width === this.width && height === this.height && !force) return;
		this.width = width;
		this.height = height;
		this.changed();
	}

	private changed(): void {
		this.version++;
		this.scanFilter();
		for (const fn of this.listeners) fn();
	}

	/** The Log filter's count over the run, under way in slices, or null. */
	private filterScan: {query: LogQuery; work: Generator<Progress, void, void>} | null = null;

	/**
	 * Count the Log filter's matches over a long run in slices, when more
	 * chunks are left to count than the Log counts while drawing (a new
	 * filter, or a run that went far since): keys and signals act between
	 * them, the Log says how far it is, and shows the matches once it is done.
	 */
	private scanFilter(): void {
		if (this.closed) return;
		const query = this.cache.filterQuery(this.dbg, this.ui.filter);
		if (query === null) {
			this.filterScan = null;
			if (this.session.filtering != null) this.session = {...this.session, filtering: null};
			return;
		}
		if (this.filterScan?.query === query || query.pending(this.dbg.visibleEvents()) <= FILTER_CHUNKS_AT_ONCE) return;
		const scan = {query, work: query.countWork(this.dbg.visibleEvents())};
		this.filterScan = scan;
		const next = (): void => {
			if (this.filterScan !== scan || this.closed) return;
			const {over, progress} = this.runSlice(scan.work);
			if (over) this.filterScan = null;
			this.session = {...this.session, filtering: over ? null : progress};
			this.changed();
			if (!over) this.later(next);
		};
		this.later(next);
	}

	private context(): UiContext {
		this.view();
		return this.ctx!;
	}

	// ---- input -------------------------------------------------------------

	/**
	 * A key from the terminal. Characters that arrive together (typed fast,
	 * pasted, sent by tmux) act one by one, so "g120⏎" opens the prompt, types
	 * 120 and accepts it.
	 */
	key(ev: KeyEvent): void {
		if (this.closed) return;
		if (ev.name === undefined && ev.ctrl !== true && ev.input.length > 1) {
			for (const ch of ev.input) this.key(charKey(ch));
			return;
		}
		// Ctrl-Z: in raw mode the terminal sends the character, not SIGTSTP; suspend as the shell expects.
		if (ev.ctrl === true && ev.input === 'z' && this.onSuspend !== undefined) {
			this.onSuspend();
			return;
		}
		// Behind the "terminal too small" message nothing is seen, so nothing acts but quitting.
		if (this.tooSmall() && resolveKey(modeOf(this.ui), ev)?.cmd !== 'quit') return;
		this.dispatch({t: 'key', key: ev});
	}

	tooSmall(): boolean {
		return this.width < MIN_WIDTH || this.height < MIN_HEIGHT;
	}

	dispatch(msg: UiMessage): void {
		const before = this.ui;
		const effects = this.apply(msg);
		for (const effect of effects) this.run(effect, msg);
		if (this.ui !== before || effects.length > 0) this.changed();
	}

	/** Every change of the UI state goes through the reducer, here. Returns the effects for the caller to run. */
	private apply(msg: UiMessage): Effect[] {
		const r = update(this.ui, msg, this.context(), this.dbg.tick);
		if (r.state !== this.ui) this.cachedView = null; // drawn from the old state
		this.ui = r.state;
		return r.effects;
	}

	private run(effect: Effect, msg: UiMessage): void {
		switch (effect.t) {
			case 'quit':
				this.quit();
				return;
			case 'pause':
				this.cancelRunning();
				return;
			case 'take-over':
				this.stopReplay('taken-over');
				// The key that took over now acts as usual.
				if (msg.t === 'key') this.dispatch(msg);
				return;
			case 'debug':
				this.perform(effect.action, 'user');
				return;
			case 'picture': {
				const write = this.options.picture;
				let notice: string;
				if (write === undefined) notice = 'no picture here (cowdbg run SCENARIO --svg FILE writes one)';
				else {
					try {
						notice = `picture of tick ${this.dbg.tick} written to ${write(this.dbg)}`;
					} catch (error) {
						notice = `picture not written: ${error instanceof Error ? error.message : String(error)}`;
					}
				}
				this.apply({t: 'notice', text: notice});
				return;
			}
		}
	}

	// ---- debugger actions --------------------------------------------------

	private snapshotFrames(): void {
		// A new object each time, so the view's "changed" memo sees the new baseline.
		this.before = snapshotFrames(this.dbg.kernel, this.before);
	}

	private record(action: DebugAction): void {
		if (this.sink === undefined || this.closed) return;
		this.sink.record(action, this.dbg);
	}

	/**
	 * Apply one action: the user's in slices (a long one shows its progress
	 * and can be cancelled); a replayed one at once (replayNext: the
	 * asciicast writer and tests), unless the replay's timer plays it.
	 */
	perform(action: DebugAction, source: 'user' | 'replay'): void {
		this.begin(action, source, source === 'user' ? 'sliced' : 'at-once', null);
	}

	private begin(action: DebugAction, source: 'user' | 'replay', how: 'sliced' | 'at-once', after: ((completed: boolean) => void) | null): void {
		if (this.running !== null) return;
		switch (action.a) {
			case 'select': {
				this.record(action);
				if (source === 'replay') this.apply({t: 'select', pid: action.pid});
				after?.(true);
				return;
			}
			case 'break-add': {
				const r = this.dbg.addBreakpoint(action.spec);
				this.record(action);
				this.apply({t: 'notice', text: r.ok ? `breakpoint #${r.id} set: ${action.spec}` : `breakpoint refused: ${r.message}`});
				after?.(true);
				return;
			}
			case 'break-toggle':
			case 'break-remove': {
				const bp = this.dbg.breakpoints.find((b) => b.id === action.id);
				applyAction(this.dbg, action);
				this.record(action);
				if (bp !== undefined) {
					const what = action.a === 'break-remove' ? 'deleted' : bp.enabled ? 'enabled' : 'disabled';
					this.apply({t: 'notice', text: `breakpoint #${bp.id} ${what}: ${bp.breakpoint.spec}`});
				}
				after?.(true);
				return;
			}
			default:
				break;
		}
		const from = this.dbg.tick;
		const wasInside = this.dbg.inside !== null;
		this.snapshotFrames();
		if (how === 'at-once') {
			const stop = applyAction(this.dbg, action);
			this.record(action);
			this.stopped(stop, from, action, wasInside, this.dbg.stateBeforeTick());
			after?.(true);
			return;
		}
		const done: Done = {result: null, before: undefined};
		const r: Running = {action, work: this.actionThenBefore(action, done), done, from, wasInside, cancel: false, quitAfter: false, after};
		this.running = r;
		this.session = {...this.session, runningFrom: from, working: {label: workLabel(action, from), progress: null, forward: runsForward(action)}};
		// Most actions end within the first slice: then nothing shows "running".
		if (this.slice()) return;
		this.apply({t: 'running', on: true});
		const next = (): void => {
			if (this.running !== r) return;
			const over = this.slice();
			this.changed();
			if (!over) this.later(next);
		};
		this.later(next);
	}

	private later(fn: () => void): void {
		(this.options.setImmediate ?? setImmediate)(fn);
	}

	private now(): number {
		return (this.options.now ?? performance.now.bind(performance))();
	}

	/**
	 * The running action's work: the action, then the state before the tick
	 * it stopped at, which the stop explains itself with (on a big machine
	 * finding it re-executes as much as going back does). Its progress shows
	 * as the action's last.
	 */
	private *actionThenBefore(a: DebugAction, done: Done): Work<void> {
		const action = actionWork(this.dbg, a);
		let last: Progress = {done: 0, total: null};
		for (;;) {
			const n = action.next();
			if (n.done === true) {
				done.result = {stop: n.value};
				break;
			}
			last = n.value;
			yield last;
		}
		const before = this.dbg.stateBeforeTickWork();
		for (;;) {
			const n = before.next();
			if (n.done === true) {
				done.before = n.value;
				return;
			}
			yield last;
		}
	}

	/** Run `work` for one slice of time, or until `stop` says so: whether it ended, and the last progress it reported. */
	private runSlice(work: Iterator<Progress | null, unknown>, stop: () => boolean = () => false): {over: boolean; progress: Progress | null} {
		const deadline = this.now() + SLICE_MS;
		let progress: Progress | null = null;
		while (!stop()) {
			const n = work.next();
			if (n.done === true) return {over: true, progress};
			progress = n.value;
			if (this.now() >= deadline) break;
		}
		return {over: false, progress};
	}

	/**
	 * Advance the running action for one slice of time, or stop it there when
	 * it was asked to. True when it is over (done or cancelled), recorded as
	 * what it did (cancelledAs).
	 */
	private slice(): boolean {
		const r = this.running!;
		const {over, progress} = this.runSlice(r.work, () => r.cancel);
		if (!over && !r.cancel) {
			const w = this.session.working;
			if (progress !== null && w !== undefined && w !== null) this.session = {...this.session, working: {...w, progress}};
			return false;
		}
		this.running = null;
		this.apply({t: 'running', on: false});
		this.session = {...this.session, runningFrom: null, working: null};
		const dbg = this.dbg;
		// Dropped where it got to (its finally blocks run: a reverse-continue's scan counts no hit).
		if (!over) r.work.return();
		// Done once the action is: a cancel while the stop's explanation is found leaves the stop unexplained.
		const {result, before} = r.done;
		const completed = result !== null;
		let stop: Stop | null;
		if (result !== null) {
			stop = result.stop;
			this.record(r.action);
		} else {
			stop = dbg.pause();
			const recorded = cancelledAs(dbg, r.action);
			if (recorded !== null) this.record(recorded);
		}
		this.stopped(stop, r.from, r.action, r.wasInside, before);
		if (!completed && !runsForward(r.action)) this.apply({t: 'notice', text: `${workLabel(r.action, r.from)}: cancelled at tick ${dbg.tick}`});
		r.after?.(completed);
		if (r.quitAfter) this.quit();
		return true;
	}

	/** Stop the running action where it is (Esc, space, q, a signal), at once. */
	private cancelRunning(): void {
		const r = this.running;
		if (r === null) return;
		r.cancel = true;
		this.slice();
	}

	/**
	 * `wasInside`: the debugger was inside a tick before the action; `before`:
	 * the state before the stop's tick (stateBeforeTick), or undefined to leave the stop unexplained.
	 */
	private stopped(stop: Stop | null, fromTick: number, action: DebugAction, wasInside: boolean, before: KernelState | null | undefined): void {
		const dbg = this.dbg;
		// The stop explains itself: the panes bring its event into view, and show its process.
		this.focus = before === undefined ? null : stopFocus(dbg, action.a === 'next' ? action.pid : this.ui.selectedPid, before);
		this.apply({t: 'stopped', hitPid: this.focus?.pid ?? null});
		let notice: string | null = null;
		if (stop !== null && dbg.tick === fromTick) {
			if (dbg.ended && (action.a === 'step' || action.a === 'next' || action.a === 'continue' || (action.a === 'kstep' && !wasInside))) {
				notice = `the run ended at tick ${dbg.tick} (${machineInfo(dbg.kernel).ended}): r steps back, R reverse-continues, 0 restarts, g goes to a tick`;
			} else if (dbg.tick === 0 && (action.a === 'reverse-step' || action.a === 'reverse-continue' || action.a === 'kstep')) {
				notice = 'at tick 0: nothing before it';
			}
		}
		if (action.a === 'goto' && dbg.tick !== action.tick) {
			// Clamped: say where it went and why.
			const ended = machineInfo(dbg.kernel).ended;
			notice =
				ended !== null && dbg.tick < action.tick
					? `went to tick ${dbg.tick}: the run ended (${ended})`
					: `went to tick ${dbg.tick}, not ${action.tick}`;
		}
		// A kernel step that ends outside a tick says why the Kernel view is not (or no longer) up.
		if (action.a === 'kstep' && dbg.inside === null && notice === null && stop !== null) {
			if (wasInside && action.op !== 'leave' && action.op !== 'back')
				notice = `tick ${dbg.tick} ran to its end: no kernel step was left (E goes back into it)`;
			else if (!wasInside && action.op === 'into' && dbg.tick > fromTick)
				notice = `tick ${dbg.tick} calls no kernel function to step into: e executed it whole`;
			else if (!wasInside && action.op === 'back' && dbg.tick < fromTick)
				notice = `tick ${fromTick} calls no kernel function to step back into: E went to the state before it`;
		}
		if (stop !== null && stop.reason === 'break' && stop.hit !== null && stop.hit.eventIndex === null) {
			notice = `breakpoint ${hitNames(stop.hit)} hit at tick ${stop.hit.tick}`;
		}
		if (notice !== null) this.apply({t: 'notice', text: notice});
	}

	// ---- replay ------------------------------------------------------------

	/** Start playing the replay script (when there is one). */
	startReplay(): void {
		if (this.replay === undefined || this.session.replay?.state !== 'playing') return;
		this.replayStart = this.now();
		this.scheduleReplay();
	}

	private scheduleReplay(): void {
		const script = this.replay!.script;
		if (this.replayIndex >= script.actions.length) {
			this.stopReplay('done');
			return;
		}
		const step = script.actions[this.replayIndex]!;
		const due = this.replayStart + step.at / Math.max(MIN_REPLAY_SPEED, this.replay!.speed);
		const wait = Math.max(0, due - this.now());
		// A timer longer than 2^31-1 ms fires at once (Node warns and takes 1 ms): wait in parts.
		const part = Math.min(wait, MAX_TIMER_MS);
		this.replayTimer = (this.options.setTimeout ?? setTimeout)(() => {
			this.replayTimer = null;
			if (this.session.replay?.state !== 'playing' || this.closed) return;
			if (part < wait) {
				this.scheduleReplay();
				return;
			}
			// In slices like the user's actions: a long one shows its progress, and q or a signal stops it.
			this.begin(step.action, 'replay', 'sliced', (completed) => {
				if (!completed) return;
				this.replayed();
				if (this.session.replay?.state === 'playing' && !this.closed) this.scheduleReplay();
			});
		}, part);
	}

	/** One more action replayed: count it and verify the checkpoints it reaches. */
	private replayed(): void {
		const r = this.session.replay;
		if (r === null) return;
		this.replayIndex++;
		this.session = {...this.session, replay: {...r, index: this.replayIndex}};
		this.verifyCheckpoints();
		this.changed();
	}

	/**
	 * Apply the replay's next action now (the timer calls it at the action's
	 * time; the asciicast writer keeps the time itself). After the last one the
	 * replay is done. True while actions remain.
	 */
	replayNext(): boolean {
		const script = this.replay?.script;
		if (script === undefined || this.session.replay?.state !== 'playing' || this.closed) return false;
		if (this.replayIndex < script.actions.length) {
			this.perform(script.actions[this.replayIndex]!.action, 'replay');
			this.replayed();
			if (this.replayDiverged) return false;
		}
		if (this.replayIndex < script.actions.length) return true;
		this.stopReplay('done');
		return false;
	}

	private stopReplay(state: 'done' | 'taken-over' | 'diverged'): void {
		if (this.replayTimer !== null) {
			(this.options.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout)))(this.replayTimer);
			this.replayTimer = null;
		}
		if (this.session.replay !== null && this.session.replay.state === 'playing') {
			this.session = {...this.session, replay: {...this.session.replay, state}};
		}
		this.apply({t: 'replaying', on: false});
		this.changed();
	}

	// ---- the end -----------------------------------------------------------

	quit(): void {
		if (this.closed) return;
		if (this.running !== null) {
			// Stop the action where it is (recorded), then quit.
			this.running.quitAfter = true;
			this.cancelRunning();
			return;
		}
		this.close();
		this.onQuit?.();
	}

	/** What closing the sink threw (a session file that could not be written), for after the screen is given back. */
	closeError: unknown = null;

	/** Close the sink once (quit, Ctrl-C, a signal, an error). */
	close(): void {
		if (this.closed) return;
		// A signal during a long action: what it did so far is recorded first.
		this.cancelRunning();
		this.closed = true;
		if (this.replayTimer !== null) {
			(this.options.clearTimeout ?? ((h: unknown) => clearTimeout(h as NodeJS.Timeout)))(this.replayTimer);
			this.replayTimer = null;
		}
		try {
			this.sink?.close(this.dbg);
		} catch (error) {
			this.closeError = error;
		}
	}

	get isClosed(): boolean {
		return this.closed;
	}
}

/** What the status line says while an action runs. */
function workLabel(action: DebugAction, from: number): string {
	switch (action.a) {
		case 'step':
			return action.n === 1 ? 'stepping' : `stepping ${action.n} ticks`;
		case 'next':
			return `running to the next event of pid ${action.pid}`;
		case 'continue':
			return action.to === undefined ? 'running' : `running to tick ${action.to}`;
		case 'reverse-step':
			return `going back to tick ${Math.max(0, from - action.n)}`;
		case 'reverse-continue':
			return 'reverse-continuing';
		case 'goto':
			return `going to tick ${action.tick}`;
		case 'restart':
			return 'restarting';
		case 'kstep':
			return `kernel step ${action.op}`;
		default:
			return action.a;
	}
}

/** One character of a multi-character input as the key it stands for. */
function charKey(ch: string): KeyEvent {
	if (ch === '\r' || ch === '\n') return {input: '', name: 'return'};
	if (ch === '\t') return {input: '', name: 'tab'};
	if (ch === '\u007F' || ch === '\b') return {input: '', name: 'backspace'};
	const code = ch.charCodeAt(0);
	if (code > 0 && code < 0x20) return {input: String.fromCharCode(code + 96), ctrl: true};
	return {input: ch};
}
