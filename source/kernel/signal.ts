// kernel/signal.c: send_signal. Every signal cowdbg knows is fatal but
// SIGCHLD, whose default action is to ignore it; delivering one is a way to
// exit, so get_signal_to_deliver lives with do_exit in exit.ts.

import {wakeUpProcess} from './sched.js';
import type {KernelState, Task} from './types.js';
import {signalName, signalNumbers} from './uapi.js';

/** send_signal(): queue it; a fatal one wakes an interruptible sleeper (signal_wake_up). */
export function sendSignal(k: KernelState, target: Task, sig: number): void {
	k.events.push({tick: k.tick, type: 'signal', pid: target.pid, signal: signalName(sig), action: 'send'});
	if (sig === signalNumbers.SIGCHLD) return; // SIG_DFL: ignored, nothing queued
	target.pending.push(sig);
	if (target.state === 'S' || (target.state === 'D' && target.killable)) {
		// signal_wake_up(): TASK_INTERRUPTIBLE; complete_signal() makes every fatal signal (all but
		// SIGCHLD here) a SIGKILL for the group, which wakes TASK_KILLABLE too
		wakeUpProcess(k, target, 'signal');
	}
}

/**
 * force_sig_info(): a signal the kernel raises for a fault. It clears
 * SIGNAL_UNKILLABLE, so even init takes it.
 */
export function forceSig(k: KernelState, target: Task, sig: number): void {
	sendSignal(k, target, sig);
}
