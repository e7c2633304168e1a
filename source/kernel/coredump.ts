// The core dump's rendezvous: coredump_wait → zap_threads … coredump_finish
// (2.6.32 fs/exec.c, 6.18 fs/coredump.c). do_coredump and the exit that
// follows it are in exit.ts.

import {initCompletion, waitForCompletion} from './completion.js';
import {mmRelease} from './fork.js';
import {isLive, sleepOn, wakeUpProcess} from './sched.js';
import type {KernelState, Task} from './types.js';
import {signalNumbers} from './uapi.js';

/**
 * coredump_wait(). zap_threads() SIGKILLs the other users of the dump:
 * 2.6.32 (fs/exec.c) every process with a thread on the dumper's mm, the
 * vfork parent included; 6.18 (fs/coredump.c) only the dumper's own thread
 * group. Then 2.6.32 completes vfork_done: "make sure nobody is waiting for
 * us to release the VM, otherwise we can deadlock when we wait on each
 * other" (6.18 no longer does: its vfork parent waits killable, and is
 * completed by exit_mm). If anybody was zapped, the dumper sleeps in D on
 * core_state->startup until each has reached exit_mm.
 */
export function coredumpWait(k: KernelState, task: Task, sig: number): boolean {
	const tr = k.trace;
	if (tr !== null) tr.enter('coredump_wait', {pid: task.pid, vfork_done: task.vforkDone});
	const mm = task.mm === null ? undefined : k.mms.get(task.mm);
	const old = k.config.kernel === '2.6.32';
	const zapped: Task[] = [];
	let startup = 0;
	if (mm !== undefined && mm.coreState === null) {
		for (const t of k.tasks.values()) {
			if (t === task || !isLive(t) || t.mm !== mm.id || t.exiting !== null) continue;
			if (old || t.tgid === task.tgid) zapped.push(t);
		}
		// init_completion(&core_state->startup) comes first (shown only when somebody will complete it)
		if (zapped.length > 0) startup = initCompletion(k, task);
		if (tr !== null) tr.enter('zap_threads', {pid: task.pid, mm: mm.id});
		for (const t of zapped) zapProcess(k, t, old ? 0 : sig);
		if (tr !== null) {
			const who = old ? `every process on mm ${mm.id}` : `the thread group ${task.tgid}`;
			tr.note(zapped.length === 0 ? `nobody else in ${who}: nothing to zap` : `SIGKILL to ${zapped.map((t) => `pid ${t.pid}`).join(', ')} (${who})`, {
				nr: zapped.length,
			});
			tr.exit('zap_threads', {ret: zapped.length});
		}
	}
	if (old) {
		if (tr !== null && task.vforkDone !== null)
			tr.note(`vfork_done = completion ${task.vforkDone}: cleared and completed here, or the vfork parent and the dump would wait on each other`, {
				x: task.vforkDone,
			});
		mmRelease(k, task, 'coredump_wait');
	} else if (tr !== null && task.vforkDone !== null) {
		tr.note(`vfork_done = completion ${task.vforkDone} is left alone: the vfork parent waits killable, and exit_mm completes it`, {x: task.vforkDone});
	}
	if (mm === undefined || zapped.length === 0) {
		if (tr !== null) tr.exit('coredump_wait', {ret: 0});
		return true;
	}
	mm.coreState = {dumper: task.pid, startup, pending: zapped.map((t) => t.pid), joined: [], signal: sig};
	sleepOn(k, task, 'D', 'coredump', {kind: 'core-startup', id: startup});
	waitForCompletion(k, task, startup);
	if (tr !== null) {
		tr.note(`${zapped.length} core waiter(s): the dumper sleeps in D on core_state->startup until they reach exit_mm`);
		tr.exit('coredump_wait', {ret: zapped.length});
	}
	return false;
}

/**
 * zap_process(): SIGNAL_GROUP_EXIT with group_exit_code (never set for
 * another process in 2.6.32, so it exits with 0), SIGKILL added straight to
 * the pending set (no SIGNAL_UNKILLABLE check: init is zapped too) and
 * signal_wake_up(t, 1).
 */
function zapProcess(k: KernelState, t: Task, signal: number): void {
	t.groupExit = {code: 0, signal};
	k.events.push({tick: k.tick, type: 'signal', pid: t.pid, signal: 'SIGKILL', action: 'send'});
	t.pending.push(signalNumbers.SIGKILL);
	if (t.state === 'S' || (t.state === 'D' && t.killable)) wakeUpProcess(k, t, 'signal');
}

/**
 * The dumper back from wait_for_completion(&core_state->startup): the count
 * is taken back, the core written, and coredump_finish() wakes every task
 * that joined in exit_mm ("curr->task = NULL; wake_up_process(task)").
 * Returns the dumping signal.
 */
export function coredumpFinish(k: KernelState, task: Task, id: number): number {
	const tr = k.trace;
	const c = k.completions.get(id)!;
	c.done--;
	k.events.push({tick: k.tick, type: 'completion', action: 'wake', id, owner: c.owner, by: task.pid, via: null, done: c.done});
	k.completions.delete(id);
	task.wait = {kind: 'none'};
	const mm = k.mms.get(task.mm!)!;
	const core = mm.coreState!;
	if (tr !== null) {
		tr.note(`every zapped task reached exit_mm: the core of pid ${task.pid} is written`);
		tr.enter('coredump_finish', {mm: mm.id});
	}
	mm.coreState = null;
	for (const pid of core.joined) {
		const t = k.tasks.get(pid);
		if (t !== undefined && t.state === 'D' && t.wait.kind === 'core-finish') wakeUpProcess(k, t, 'coredump_finish');
	}
	if (tr !== null) {
		tr.note(`wakes ${core.joined.map((p) => `pid ${p}`).join(', ')} in exit_mm; mm->core_state = NULL`);
		tr.exit('coredump_finish');
	}
	return core.signal;
}
