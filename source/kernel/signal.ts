// kernel/signal.c: send_signal and get_signal_to_deliver; fs/exec.c:
// do_coredump → coredump_wait. Every signal cowdbg knows is fatal but SIGCHLD,
// whose default action is to ignore it.

import {signalNumbers} from '../scenario/ast.js';
import {mmRelease} from './completion.js';
import {doExit} from './exit.js';
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
 * coredump_wait() (fs/exec.c): "make sure nobody is waiting for us to release
 * the VM, otherwise we can deadlock when we wait on each other": vfork_done is
 * completed here, before do_exit runs. The vfork parent then resumes and lives
 * on, as measured on current Linux: 2.6's zap_threads() also sent SIGKILL to
 * every other process using the dumper's mm (the vfork parent included) until
 * Linux 5.18 limited the zap to the dumper's thread group. cowdbg follows the
 * measured behaviour; it has no multi-task thread groups to zap.
 */
function coredumpWait(k: KernelState, task: Task): void {
	mmRelease(k, task, 'coredump_wait');
}
