// kernel/exit.c: do_exit → exit_mm (→ mmput in fork.ts); exit_notify and
// forget_original_parent; do_wait; release_task. And the delivery of a signal
// (get_signal_to_deliver, do_coredump), since every one cowdbg delivers kills.

import {countUnreached} from './expects.js';
import {unpinAll} from './gup.js';
import {complete} from './completion.js';
import {coredumpFinish, coredumpWait} from './coredump.js';
import {mmput, mmRelease} from './fork.js';
import {freeThreadStack} from './page-alloc.js';
import {isLive, removeFromRunQueue, setState, sleepOn, wakeUpProcess} from './sched.js';
import {sendSignal} from './signal.js';
import type {KernelState, Task} from './types.js';
import {ECHILD, signalName, signalNumbers} from './uapi.js';

const SIGCHLD = signalNumbers.SIGCHLD;

export type WaitOptions = 'none' | 'clone' | 'all';

/**
 * exit_mm(): mm_release (which may complete a vfork), then mmput. A task
 * zapped by another's core dump joins it here (2.6.32 fs/exec.c zap_threads,
 * kernel/exit.c exit_mm: "if (core_state) … complete(&core_state->startup)"),
 * and sleeps in D until coredump_finish: returns false then, with the mm still held.
 */
export function exitMm(k: KernelState, task: Task): boolean {
	const tr = k.trace;
	if (tr !== null) tr.enter('exit_mm', {pid: task.pid, mm: task.mm});
	mmRelease(k, task, 'exit_mm');
	if (task.mm === null) {
		if (tr !== null) {
			tr.note('no mm: nothing to put');
			tr.exit('exit_mm');
		}
		return true;
	}
	const mm = k.mms.get(task.mm)!;
	const core = mm.coreState;
	if (core !== null && core.pending.includes(task.pid)) {
		core.pending.splice(core.pending.indexOf(task.pid), 1);
		core.joined.push(task.pid);
		if (tr !== null)
			tr.note(`mm ${mm.id} has a core_state: pid ${task.pid} joins the dump of pid ${core.dumper} and sleeps until coredump_finish`, {mm: mm.id});
		// atomic_dec_and_test(&core_state->nr_threads): the last one wakes the dumper
		if (core.pending.length === 0) complete(k, core.startup, task, 'exit_mm');
		sleepOn(k, task, 'D', 'coredump', {kind: 'core-finish', mm: mm.id, dumper: core.dumper});
		if (tr !== null) tr.exit('exit_mm');
		return false;
	}
	task.mm = null;
	if (tr !== null) tr.note(`pid ${task.pid} leaves mm ${mm.id} (tsk->mm = NULL)`, {mm: mm.id});
	mmput(k, mm);
	if (tr !== null) tr.exit('exit_mm');
	return true;
}

/**
 * do_exit(). `code` is the exit code (already & 0xff); `signal` the killing
 * signal or 0; `core` whether a core was dumped. It may stop in exit_mm (a
 * core dump in progress); finishExit runs the rest when the task is woken.
 */
export function doExit(k: KernelState, task: Task, code: number, signal: number, core: boolean): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_exit', {pid: task.pid, code, signal: signal === 0 ? null : signalName(signal)});
	task.exiting = {code, signal, core};
	if (task.pins.length > 0) unpinAll(k, task);
	if (exitMm(k, task)) exitNotifyAndAfter(k, task);
	if (tr !== null) tr.exit('do_exit');
}

/** do_exit after exit_mm, for a task woken in exit_mm by coredump_finish: mmput, then the rest. */
export function finishExit(k: KernelState, task: Task): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_exit', {pid: task.pid});
	if (task.mm !== null) {
		const mm = k.mms.get(task.mm)!;
		task.mm = null;
		if (tr !== null) tr.note(`back from coredump_finish in exit_mm: pid ${task.pid} leaves mm ${mm.id}`, {mm: mm.id});
		mmput(k, mm);
	}
	exitNotifyAndAfter(k, task);
	if (tr !== null) tr.exit('do_exit');
}

/** The rest of do_exit after exit_mm: exit_notify, the zombie (or release), init's end. */
function exitNotifyAndAfter(k: KernelState, task: Task): void {
	const tr = k.trace;
	const {code, signal, core} = task.exiting!;
	task.exiting = null;
	if (task.pid === 1) {
		let others = false;
		for (const t of k.tasks.values()) if (t !== task && isLive(t)) others = true;
		// find_new_reaper(): init has nobody to hand its children to. A killed init
		// (a signal the kernel forced on it, or a core-dump zap) always panics.
		if (others || signal !== 0 || task.memdie || task.groupExit !== null) {
			k.events.push({tick: k.tick, type: 'panic', text: 'Attempted to kill init!'});
			endRun(k, 'panic');
			if (tr !== null) tr.note('find_new_reaper: init is killed, or exits while other tasks live: panic("Attempted to kill init!")');
			return;
		}
	}
	task.exitCode = code;
	task.killSignal = signal;
	task.coreDumped = core;
	task.pending = [];
	task.memdie = false;
	removeFromRunQueue(k, task.pid);
	if (k.current === task.pid) k.current = null;
	exitNotify(k, task);
	const why = signal === 0 ? 'exit' : signalName(signal);
	if (task.exitSignal === -1) {
		// tracehook_notify_death(): a detached thread is released at once (EXIT_DEAD), no signal
		k.events.push({tick: k.tick, type: 'exit', pid: task.pid, code, signal: signal === 0 ? null : signalName(signal), core});
		if (tr !== null) tr.note(`exit_notify: pid ${task.pid} is a thread (exit_signal -1): released at once, no signal`, {pid: task.pid});
		setState(k, task, 'X', why);
		releaseTask(k, task);
		return;
	}
	setState(k, task, 'Z', why);
	k.events.push({tick: k.tick, type: 'exit', pid: task.pid, code, signal: signal === 0 ? null : signalName(signal), core});
	if (tr !== null) {
		const what = task.exitSignal === SIGCHLD ? 'SIGCHLD' : task.exitSignal > 0 ? signalName(task.exitSignal) : 'no signal (exit_signal 0)';
		tr.note(`exit_notify: pid ${task.pid} is a zombie (Z); ${what} to its parent ${task.ppid}`, {pid: task.pid});
	}
	// DEATH_DELAYED_GROUP_LEADER: a leader whose threads live on tells its parent when the last one goes
	if (!delayGroupLeader(k, task)) doNotifyParent(k, task);
	if (task.pid === 1) {
		// The run ends with init, the last live task: nobody is left to reap it or
		// the zombies it leaves, so their stacks are released with it and every
		// frame but the caches is free (docs/kernel.md).
		for (const t of k.tasks.values()) {
			freeThreadStack(k.frames, t.kstack);
			t.kstack = [];
		}
		endRun(k, 'exited');
	}
}

/** delay_group_leader(): a thread-group leader with threads not yet released. */
function delayGroupLeader(k: KernelState, task: Task): boolean {
	return task.tgid === task.pid && task.threads > 0;
}

/** The tasks of a thread group, leader first (while_each_thread), or [] when the leader is gone. */
export function threadGroup(k: KernelState, tgid: number): Task[] {
	const leader = k.tasks.get(tgid);
	if (leader === undefined) return [];
	if (leader.threads === 0) return [leader];
	const out = [leader];
	for (const t of k.tasks.values()) if (t.tgid === tgid && t !== leader) out.push(t);
	return out;
}

/**
 * do_notify_parent(): the exit signal to the parent (none for a clone
 * without sigchld), and __wake_up_parent: a thread of the parent's group
 * sleeping in a wait this child satisfies wakes up.
 */
function doNotifyParent(k: KernelState, task: Task): void {
	const parent = k.tasks.get(task.ppid);
	if (parent === undefined || !isLive(parent)) return;
	if (task.exitSignal > 0) sendSignal(k, parent, task.exitSignal);
	wakeWaiter(k, parent, task);
}

/** __wake_up_parent(): wake_up the group's wait_chldexit queue, for the waiters this child is eligible to. */
function wakeWaiter(k: KernelState, parent: Task, child: Task): void {
	const group = parent.tgid === parent.pid ? threadGroup(k, parent.tgid) : [...threadGroup(k, parent.tgid), parent];
	for (const t of group) {
		if (t.state !== 'S' || t.wait.kind !== 'child') continue;
		const w = t.wait;
		if ((w.pid === null || w.pid === child.pid) && eligibleChild(child, w.options)) wakeUpProcess(k, t, 'child-exit');
	}
}

/**
 * eligible_child(): __WALL sees every child; otherwise __WCLONE sees only
 * "clone" children (exit signal other than SIGCHLD) and a plain wait only the
 * others. A thread (exit signal -1) is never waited for: it releases itself.
 */
export function eligibleChild(child: Task, options: WaitOptions): boolean {
	if (child.exitSignal === -1) return false;
	if (options === 'all') return true;
	return (child.exitSignal !== SIGCHLD) === (options === 'clone');
}

/**
 * forget_original_parent(): the children go to another live thread of the
 * group (find_new_reaper), else to init; reparent_leader() makes a reparented
 * child's exit signal SIGCHLD (threads keep -1) unless it stays in the thread
 * group, and notifies the new parent of a zombie.
 */
function exitNotify(k: KernelState, task: Task): void {
	// find_new_reaper(): init has no reaper to hand its children to. It only gets
	// here as the last live task, so they are all zombies: they stay its own
	// (reparenting them to itself would loop over the list it appends to).
	if (task.children.length === 0 || task.pid === 1) return;
	let reaper: Task | undefined;
	for (const t of threadGroup(k, task.tgid)) {
		if (t !== task && isLive(t) && t.exiting === null) {
			reaper = t;
			break;
		}
	}
	const sameGroup = reaper !== undefined;
	reaper ??= k.tasks.get(1);
	const to = reaper?.pid ?? 1;
	for (const pid of task.children) {
		const child = k.tasks.get(pid)!;
		child.ppid = to;
		k.events.push({tick: k.tick, type: 'reparent', pid, from: task.pid, to});
		if (reaper === undefined) continue;
		reaper.children.push(pid);
		if (child.exitSignal === -1 || sameGroup) continue;
		child.exitSignal = SIGCHLD; // "We don't want people slaying init."
		if (child.state === 'Z' && !delayGroupLeader(k, child)) doNotifyParent(k, child);
	}
	task.children = [];
}

export function endRun(k: KernelState, reason: 'exited' | 'max-ticks' | 'panic'): void {
	if (k.ended !== null) return;
	k.ended = reason;
	k.events.push({
		tick: k.tick,
		type: 'end',
		reason,
		frames_total: k.frames.kind.length,
		frames_free: k.frames.free,
		expects_failed: k.expectsFailed,
		expects_unreached: countUnreached(k.expectsReached),
	});
}

/**
 * release_task(): the task leaves the task list and its parent's children,
 * its kernel stack is freed (free_task → free_thread_info), and a zombie
 * leader whose last thread this was is reported to its parent.
 */
function releaseTask(k: KernelState, task: Task): void {
	const parent = k.tasks.get(task.ppid);
	if (parent !== undefined) {
		const i = parent.children.indexOf(task.pid);
		if (i >= 0) parent.children.splice(i, 1);
	}
	freeThreadStack(k.frames, task.kstack);
	task.kstack = [];
	k.tasks.delete(task.pid);
	if (task.tgid !== task.pid) {
		const leader = k.tasks.get(task.tgid);
		if (leader !== undefined) {
			leader.threads--;
			if (leader.state === 'Z' && !delayGroupLeader(k, leader)) doNotifyParent(k, leader);
		}
	}
}

/**
 * do_wait(): reap a zombie child (any, or `pid`) of any thread of the
 * caller's group that `options` makes eligible. Returns the reaped pid or
 * -ECHILD, or null when the caller must sleep until a child exits.
 */
export function doWait(k: KernelState, task: Task, pid: number | null, options: WaitOptions = 'none'): number | null {
	// sys_wait4(): -1 means any child, and so does 0 (our own process group, which is everyone's).
	if (pid === -1 || pid === 0) pid = null;
	const candidates = waitCandidates(k, task, pid, options);
	if (candidates.length === 0) return ECHILD;
	for (const child of candidates) {
		// wait_consider_task(): "We don't reap group leaders with subthreads."
		if (child.state !== 'Z' || delayGroupLeader(k, child)) continue;
		// wait_task_zombie(): release_task
		task.regs.ret = child.pid;
		task.regs.status = child.exitCode;
		task.regs.signal = child.killSignal;
		task.regs.core = child.coreDumped ? 1 : 0;
		setState(k, child, 'X', 'reaped');
		k.events.push({tick: k.tick, type: 'reap', pid: task.pid, child: child.pid, status: child.exitCode});
		releaseTask(k, child);
		return child.pid;
	}
	sleepOn(k, task, 'S', 'wait', {kind: 'child', pid, options});
	return null;
}

/** do_wait_thread() over every thread of the group: the children a wait can see. */
export function waitCandidates(k: KernelState, task: Task, pid: number | null, options: WaitOptions): Task[] {
	const out: Task[] = [];
	const group = threadGroup(k, task.tgid);
	if (!group.includes(task)) group.push(task); // a thread whose leader was released
	for (const t of group) {
		for (const c of t.children) {
			const child = k.tasks.get(c);
			if (child !== undefined && (pid === null || c === pid) && eligibleChild(child, options)) out.push(child);
		}
	}
	return out;
}

function dumpsCore(sig: number): boolean {
	return sig === signalNumbers.SIGSEGV || sig === signalNumbers.SIGABRT;
}

/**
 * get_signal_to_deliver() (kernel/signal.c): take the first pending signal and act on it. Returns
 * true when the task died (or sleeps on its way out).
 */
export function deliverSignal(k: KernelState, task: Task): boolean {
	const sig = task.pending.shift();
	if (sig === undefined) return false;
	const tr = k.trace;
	if (tr !== null) tr.enter('get_signal_to_deliver', {pid: task.pid, signal: signalName(sig)});
	k.events.push({tick: k.tick, type: 'signal', pid: task.pid, signal: signalName(sig), action: 'deliver'});
	if (task.groupExit !== null) {
		// do_group_exit(): signal_group_exit() is set, so the exit code is group_exit_code
		const g = task.groupExit;
		if (tr !== null) tr.note(`SIGNAL_GROUP_EXIT (zapped by a core dump): do_group_exit with group_exit_code ${g.code}`);
		doExit(k, task, g.code, g.signal, false);
	} else if (dumpsCore(sig)) {
		if (tr !== null) tr.note(`${signalName(sig)}: default action is to dump core (sig_kernel_coredump): do_coredump, then do_exit`);
		if (doCoredump(k, task, sig)) doExit(k, task, 0, sig, true);
	} else {
		if (tr !== null) tr.note(`${signalName(sig)}: default action is to terminate: do_group_exit → do_exit`);
		doExit(k, task, 0, sig, false);
	}
	if (tr !== null) tr.exit('get_signal_to_deliver');
	return true;
}

/** do_coredump(): the dump starts with coredump_wait(). Returns false when the dumper sleeps in it. */
function doCoredump(k: KernelState, task: Task, sig: number): boolean {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_coredump', {pid: task.pid, signal: signalName(sig)});
	k.events.push({tick: k.tick, type: 'signal', pid: task.pid, signal: signalName(sig), action: 'core'});
	const done = coredumpWait(k, task, sig);
	if (tr !== null) tr.exit('do_coredump');
	return done;
}

/**
 * The dumper back from wait_for_completion(&core_state->startup): it writes
 * the core, coredump_finish() wakes every task that joined in exit_mm, and
 * do_group_exit runs.
 */
export function coredumpResume(k: KernelState, task: Task, id: number): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_coredump', {pid: task.pid});
	const signal = coredumpFinish(k, task, id);
	if (tr !== null) tr.exit('do_coredump');
	doExit(k, task, 0, signal, true);
}
