// Helpers for the session tests: record a scripted list of actions through
// createRecorder with a fake clock, as the TUI would (record after applying).

import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {loadSource, type Loaded} from '../../source/debugger/load.js';
import {applyAction, type DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {createRecorder, type Recorder} from '../../source/debugger/recorder.js';
import {stateHash} from '../../source/kernel/dump.js';

export function tempDir(): string {
	return mkdtempSync(join(tmpdir(), 'cowdbg-session-'));
}

export const forkCow = `scenario "fork, then both write"
config mmu=on frames=64 quantum=3
break cow
program init
  map heap 2 rw-
  write heap[0] 1
  write heap[1] 10
  fork
  if ret == 0 goto child
  wait
  expect heap[0] == 1
  write heap[0] 3
  expect heap[1] == 10
  exit 0
child:
  expect heap[1] == 10
  write heap[0] 2
  expect heap[0] == 2
  exit 0
end
`;

export function loadInline(source = forkCow, overrides: string[] = [], file = 'inline/fork-cow.scn'): Loaded {
	return loadSource(source, file, overrides, []);
}

/** Every kind of action, in an order that makes each of them do something on forkCow. */
export const everyAction: DebugAction[] = [
	{a: 'step', n: 1},
	{a: 'step', n: 1},
	{a: 'select', pid: 1},
	{a: 'continue'},
	{a: 'select', pid: 2},
	{a: 'next', pid: 2},
	{a: 'step', n: 3},
	{a: 'reverse-step', n: 1},
	{a: 'reverse-step', n: 2},
	{a: 'reverse-continue'},
	{a: 'continue'},
	{a: 'break-add', spec: 'exit'},
	{a: 'break-add', spec: 'not-a-kind'},
	{a: 'continue'},
	{a: 'goto', tick: 4},
	{a: 'break-toggle', id: 1},
	{a: 'continue'},
	{a: 'break-toggle', id: 1},
	{a: 'restart'},
	{a: 'break-remove', id: 2},
	{a: 'continue', to: 6},
	{a: 'continue'},
	{a: 'goto', tick: 1_000_000},
	{a: 'reverse-continue'},
	{a: 'next', pid: 1},
];

export type Recording = {
	file: string;
	recorder: Recorder;
	dbg: Debugger;
	/** [tick, stateHash] after each action, as the recording saw it. */
	after: [number, string][];
};

/** Record `actions` on `loaded` to `file`, one every `stepMs` of fake time; closes the recorder. */
export function record(
	loaded: Loaded,
	actions: readonly DebugAction[],
	file: string,
	options: {stepMs?: number | ((i: number) => number); force?: boolean; close?: boolean} = {},
): Recording {
	let clock = 5000;
	const recorder = createRecorder({file, force: options.force ?? false, loaded, breakpoints: loaded.breakpoints, now: () => clock, saveEveryMs: 0});
	const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
	const after: [number, string][] = [];
	actions.forEach((action, i) => {
		const step = options.stepMs ?? 1000;
		clock += typeof step === 'number' ? step : step(i);
		applyAction(dbg, action);
		recorder.record(action, dbg);
		after.push([dbg.tick, stateHash(dbg.kernel)]);
	});
	if (options.close !== false) recorder.close(dbg);
	return {file, recorder, dbg, after};
}
