// kernel/signal.c: send_signal and get_signal_to_deliver; fs/exec.c:
// do_coredump → coredump_wait. Every signal cowdbg knows is fatal but SIGCHLD,
// whose default action is to ignore it.

import {signalNumbers} from '../scenario/ast.js';
import {mmRelease} from './completion.js';
import {doExit, isLive} from './exit.js';
import {wakeUpProcess} from './sched.js';
import type {KernelState, Task} from './types.js';

const names = new Map<number, string>(Object.entries(signalNumbers).map(([name, n]) => [n, name]));

export function signalName(n: number): string {
	return names.get(n) ?? `SIG${n}`;
}

function dumpsCore(sig: number): boolean {
	return sig === signalNumbers.SIGSEGV || sig === signalNumbers.SIGABRT;
}

/** send_signal(): queue it; a fatal one wakes an interruptible sleeper (signal_wake_up). */
export function sendSignal(k: KernelState, target: Task, sig: number): void {
	k.events.push({tick: k.tick, type: 'signal', pid: target.pid, signal: signalName(sig), action: 'send'});
	if (sig === signalNumbers.SIGCHLD) return; // SIG_DFL: ignored, nothing queued
	target.pending.push(sig);
	if (target.state === 'S') wakeUpProcess(k, target, 'signal');
}

/**
 * get_signal_to_deliver(): take the first pending signal and act on it. Returns
 * true when the task died.
 */
export function deliverSignal(k: KernelState, task: Task): boolean {
	const sig = task.pending.shift();
	if (sig === undefined) return false;
	k.events.push({tick: k.tick, type: 'signal', pid: task.pid, signal: signalName(sig), action: 'deliver'});
	if (dumpsCore(sig)) {
		doCoredump(k, task, sig);
		doExit(k, task, 0, sig, true);
	} else {
		doExit(k, task, 0, sig, false);
	}
	return true;
}

/** do_coredump(): the dump starts with coredump_wait(). */
function doCoredump(k: KernelState, task: Task, sig: number): void {
	k.events.push({tick: k.tick, type: 'signal', pid: task.pid, signal: signalName(sig), action: 'core'});
	coredumpWait(k, task);
}

/**
 * coredump_wait() (fs/exec.c, 2.6.3x): zap_threads() kills every other task
 * using the dumper's mm (which includes a vfork parent), then "make sure nobody
 * is waiting for us to release the VM, otherwise we can deadlock when we wait
 * on each other": vfork_done is completed here, before do_exit runs, so the
 * parent can wake and die. (Linux 5.18 limited the zap to one thread group.)
 */
function coredumpWait(k: KernelState, task: Task): void {
	zapThreads(k, task);
	mmRelease(k, task, 'coredump_wait');
}

/** zap_threads(): SIGKILL to every other live task whose mm is the dumper's. */
function zapThreads(k: KernelState, task: Task): void {
	const id = task.mm;
	if (id === null || k.mms.get(id)!.users === 1) return; // mm_users == nr + 1: nobody else
	for (const t of k.tasks.values()) {
		if (t !== task && t.mm === id && isLive(t)) sendSignal(k, t, signalNumbers.SIGKILL);
	}
}
