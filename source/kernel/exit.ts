// kernel/exit.c: do_exit → exit_mm (→ mmput in fork.ts); exit_notify and
// forget_original_parent; do_wait. And the delivery of a signal
// (get_signal_to_deliver, do_coredump), since every one cowdbg delivers kills.

import {countUnreached} from './expects.js';
import {complete} from './completion.js';
import {mmput, mmRelease} from './fork.js';
import {removeFromRunQueue, setState, sleepOn, wakeUpProcess} from './sched.js';
import {sendSignal} from './signal.js';
import type {KernelState, Task} from './types.js';
import {ECHILD, signalName, signalNumbers} from './uapi.js';

/** exit_mm(): mm_release (which may complete a vfork), then mmput. */
export function exitMm(k: KernelState, task: Task): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('exit_mm', {pid: task.pid, mm: task.mm});
	mmRelease(k, task, 'exit_mm');
	if (task.mm === null) {
		if (tr !== null) {
			tr.note('no mm: nothing to put');
			tr.exit('exit_mm');
		}
		return;
	}
	const mm = k.mms.get(task.mm)!;
	task.mm = null;
	if (tr !== null) tr.note(`pid ${task.pid} leaves mm ${mm.id} (tsk->mm = NULL)`, {mm: mm.id});
	mmput(k, mm);
	if (tr !== null) tr.exit('exit_mm');
}

export function isLive(task: Task): boolean {
	return task.state !== 'Z' && task.state !== 'X';
}

/**
 * do_exit(). `code` is the exit code (already & 0xff); `signal` the killing
 * signal or 0; `core` whether a core was dumped.
 */
export function doExit(k: KernelState, task: Task, code: number, signal: number, core: boolean): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_exit', {pid: task.pid, code, signal: signal === 0 ? null : signalName(signal)});
	exitMm(k, task);
	if (task.pid === 1) {
		let others = false;
		for (const t of k.tasks.values()) if (t !== task && isLive(t)) others = true;
		if (others) {
			// forget_original_parent() → find_new_reaper()
			k.events.push({tick: k.tick, type: 'panic', text: 'Attempted to kill init!'});
			endRun(k, 'panic');
			if (tr !== null) {
				tr.note('find_new_reaper: init exits while other tasks live: panic("Attempted to kill init!")');
				tr.exit('do_exit');
			}
			return;
		}
	}
	task.exitCode = code;
	task.exitSignal = signal;
	task.coreDumped = core;
	task.pending = [];
	removeFromRunQueue(k, task.pid);
	if (k.current === task.pid) k.current = null;
	exitNotify(k, task);
	setState(k, task, 'Z', signal === 0 ? 'exit' : signalName(signal));
	k.events.push({tick: k.tick, type: 'exit', pid: task.pid, code, signal: signal === 0 ? null : signalName(signal), core});
	const parent = k.tasks.get(task.ppid);
	if (parent !== undefined && isLive(parent)) {
		sendSignal(k, parent, signalNumbers.SIGCHLD);
		wakeWaiter(k, parent, task.pid);
	}
	if (tr !== null) {
		tr.note(`exit_notify: pid ${task.pid} is a zombie (Z); SIGCHLD to its parent ${task.ppid}`, {pid: task.pid});
		tr.exit('do_exit');
	}
	if (task.pid === 1) endRun(k, 'exited');
}

function wakeWaiter(k: KernelState, parent: Task, child: number): void {
	if (parent.state !== 'S' || parent.wait.kind !== 'child') return;
	if (parent.wait.pid === null || parent.wait.pid === child) wakeUpProcess(k, parent, 'child-exit');
}

/** forget_original_parent(): the children go to init. */
function exitNotify(k: KernelState, task: Task): void {
	// find_new_reaper(): init has no reaper to hand its children to. It only gets
	// here as the last live task, so they are all zombies: they stay its own
	// (reparenting them to itself would loop over the list it appends to).
	if (task.children.length === 0 || task.pid === 1) return;
	const init = k.tasks.get(1);
	for (const pid of task.children) {
		const child = k.tasks.get(pid)!;
		child.ppid = 1;
		k.events.push({tick: k.tick, type: 'reparent', pid, from: task.pid, to: 1});
		if (init !== undefined) {
			init.children.push(pid);
			if (child.state === 'Z') wakeWaiter(k, init, pid);
		}
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
 * do_wait(): reap a zombie child (any, or `pid`). Returns the reaped pid or
 * -ECHILD, or null when the caller must sleep until a child exits.
 */
export function doWait(k: KernelState, task: Task, pid: number | null): number | null {
	// sys_wait4(): -1 means any child, and so does 0 (our own process group, which is everyone's).
	if (pid === -1 || pid === 0) pid = null;
	const candidates = task.children.filter((c) => pid === null || c === pid);
	if (candidates.length === 0) return ECHILD;
	for (const c of candidates) {
		const child = k.tasks.get(c)!;
		if (child.state !== 'Z') continue;
		// wait_task_zombie(): release_task
		task.children.splice(task.children.indexOf(c), 1);
		task.regs.ret = c;
		task.regs.status = child.exitCode;
		task.regs.signal = child.exitSignal;
		task.regs.core = child.coreDumped ? 1 : 0;
		setState(k, child, 'X', 'reaped');
		k.events.push({tick: k.tick, type: 'reap', pid: task.pid, child: c, status: child.exitCode});
		k.tasks.delete(c);
		return c;
	}
	sleepOn(k, task, 'S', 'wait', {kind: 'child', pid});
	return null;
}

function dumpsCore(sig: number): boolean {
	return sig === signalNumbers.SIGSEGV || sig === signalNumbers.SIGABRT;
}

/**
 * get_signal_to_deliver() (kernel/signal.c): take the first pending signal and act on it. Returns
 * true when the task died.
 */
export function deliverSignal(k: KernelState, task: Task): boolean {
	const sig = task.pending.shift();
	if (sig === undefined) return false;
	const tr = k.trace;
	if (tr !== null) tr.enter('get_signal_to_deliver', {pid: task.pid, signal: signalName(sig)});
	k.events.push({tick: k.tick, type: 'signal', pid: task.pid, signal: signalName(sig), action: 'deliver'});
	if (dumpsCore(sig)) {
		if (tr !== null) tr.note(`${signalName(sig)}: default action is to dump core (sig_kernel_coredump): do_coredump, then do_exit`);
		doCoredump(k, task, sig);
		doExit(k, task, 0, sig, true);
	} else {
		if (tr !== null) tr.note(`${signalName(sig)}: default action is to terminate: do_group_exit → do_exit`);
		doExit(k, task, 0, sig, false);
	}
	if (tr !== null) tr.exit('get_signal_to_deliver');
	return true;
}

/** do_coredump() (fs/exec.c): the dump starts with coredump_wait(). */
function doCoredump(k: KernelState, task: Task, sig: number): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_coredump', {pid: task.pid, signal: signalName(sig)});
	k.events.push({tick: k.tick, type: 'signal', pid: task.pid, signal: signalName(sig), action: 'core'});
	coredumpWait(k, task);
	if (tr !== null) tr.exit('do_coredump');
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
	const tr = k.trace;
	if (tr !== null) tr.enter('coredump_wait', {pid: task.pid, vfork_done: task.vforkDone});
	const vforkDone = task.vforkDone;
	if (vforkDone === null) {
		if (tr !== null) tr.note('vfork_done is NULL: nobody waits for this mm to be released');
	} else {
		// if (vfork_done) { tsk->vfork_done = NULL; complete(vfork_done); }
		task.vforkDone = null;
		if (tr !== null) tr.note(`vfork_done = completion ${vforkDone}: cleared and completed here, or the vfork parent and the dump would wait on each other`, {x: vforkDone});
		complete(k, vforkDone, task, 'coredump_wait');
	}
	if (tr !== null) tr.exit('coredump_wait');
}
