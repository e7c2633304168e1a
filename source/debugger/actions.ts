// Debugger actions as data: what the TUI dispatches, what a session file
// records and what replay applies. Applying one is deterministic, so a
// recorded list of actions reproduces the session exactly.

import {stateHash} from '../kernel/dump.js';
import {complete, type Debugger, type KStepOp, type Stop, type Work} from './debugger.js';

export type DebugAction =
	/** `s` (with a count prefix: n ticks) */
	| {a: 'step'; n: number}
	/** `n`: to the next event of process pid */
	| {a: 'next'; pid: number}
	/**
	 * `c`: to the next breakpoint hit or the end. `to` is the tick where it
	 * stopped when the user paused it (a continue's end depends on timing
	 * only then); absent when it ran to a hit or the end.
	 */
	| {a: 'continue'; to?: number}
	/** `r` */
	| {a: 'reverse-step'; n: number}
	/** `R` */
	| {a: 'reverse-continue'}
	/** `g` */
	| {a: 'goto'; tick: number}
	| {a: 'restart'}
	| {a: 'break-add'; spec: string}
	| {a: 'break-remove'; id: number}
	| {a: 'break-toggle'; id: number}
	/** The selected process (it decides what `n` follows and what the Memory pane shows). */
	| {a: 'select'; pid: number}
	/** Kernel steps inside a tick (docs/debugger.md, kernel steps): into, over, out, back, leave. */
	| {a: 'kstep'; op: KStepOp};

export type ActionName = DebugAction['a'];

/** Apply an action to completion (a continue runs to its stop in one call). */
export function applyAction(dbg: Debugger, action: DebugAction): Stop | null {
	return complete(actionWork(dbg, action));
}

/**
 * An action as a long operation (docs/debugger.md, long operations): the TUI
 * advances it a slice of time at a time, applyAction at once. Either way it
 * is the same code, so both end in the same state.
 */
export function* actionWork(dbg: Debugger, action: DebugAction): Work<Stop | null> {
	switch (action.a) {
		case 'step':
			return yield* dbg.stepWork(action.n);
		case 'next':
			return (yield* dbg.nextEventWork(action.pid)) ?? dbg.lastStop;
		case 'continue':
			if (action.to !== undefined) {
				const stop = yield* dbg.runWork(Math.max(0, action.to - dbg.tick));
				return stop ?? dbg.pause();
			}
			return yield* dbg.runWork(Number.MAX_SAFE_INTEGER);
		case 'reverse-step':
			return yield* dbg.reverseStepWork(action.n);
		case 'reverse-continue':
			return yield* dbg.reverseContinueWork();
		case 'goto':
			return yield* dbg.gotoWork(action.tick);
		case 'restart':
			return yield* dbg.restartWork();
		case 'break-add':
			dbg.addBreakpoint(action.spec);
			return null;
		case 'break-remove':
			dbg.removeBreakpoint(action.id);
			return null;
		case 'break-toggle':
			dbg.toggleBreakpoint(action.id);
			return null;
		case 'select':
			return null;
		case 'kstep':
			return yield* dbg.kstepWork(action.op);
	}
}

/**
 * What a cancelled action is recorded as, so that a replay ends where it
 * did: a run forward (step, next, continue) as a continue to the tick it
 * reached, as when the user pauses a continue (no tick before it hit
 * anything); any other as a go-to that tick. Null when it changed nothing
 * (still inside the tick it started in: only the state before that tick
 * was being found).
 */
export function cancelledAs(dbg: Debugger, action: DebugAction): DebugAction | null {
	if (dbg.inside !== null) return null;
	return runsForward(action) ? {a: 'continue', to: dbg.tick} : {a: 'goto', tick: dbg.tick};
}

/** A run forward from here (step, next, continue): cancelled, it is paused as a continue is. */
export function runsForward(action: DebugAction): boolean {
	return action.a === 'step' || action.a === 'next' || action.a === 'continue';
}

/** Where a TUI session sends each action it applied (the recorder). */
export interface ActionSink {
	record(action: DebugAction, dbg: Debugger): void;
	/** Flush and finish (on quit, Ctrl-C included). */
	close(dbg: Debugger): void;
	/** Be told at once when saving fails (a message) and when it works again (null). */
	onStatus?(listener: (problem: string | null) => void): void;
}

/** A state hash recorded after `actions` actions, at `tick` (a session's checkpoint). */
export type ReplayCheckpoint = {actions: number; tick: number; hash: string};

/**
 * A recorded session to play back: each action with its time offset in ms
 * from the start, and the checkpoints to verify on the way (in action order).
 */
export type ReplayScript = {actions: {at: number; action: DebugAction}[]; checkpoints?: readonly ReplayCheckpoint[]};

/**
 * Whether the debugger, after the checkpoint's actions, is where the recording
 * was: null when it is, else what differs, in words.
 */
export function checkpointDiffers(dbg: Debugger, cp: ReplayCheckpoint): string | null {
	if (dbg.tick !== cp.tick) return `the recording was at tick ${cp.tick} after ${cp.actions} actions, the replay is at tick ${dbg.tick}`;
	const hash = stateHash(dbg.kernel);
	return hash === cp.hash ? null : `the state at tick ${cp.tick} differs (recorded ${cp.hash}, replayed ${hash})`;
}

/** The slowest replay (`--speed`): one recorded second takes 1,000. */
export const MIN_REPLAY_SPEED = 0.001;
