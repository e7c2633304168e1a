// The scheduler: one CPU, a round-robin run queue with a quantum
// (kernel/sched.c: wake_up_process, wake_up_new_task, schedule).

import type {KernelState, Task, TaskState, WaitReason} from './types.js';

/** Not yet a zombie (nor reaped). */
export function isLive(task: Task): boolean {
	return task.state !== 'Z' && task.state !== 'X';
}

export function setState(k: KernelState, task: Task, to: TaskState, why: string): void {
	if (task.state === to) return;
	k.events.push({tick: k.tick, type: 'state', pid: task.pid, from: task.state, to, why});
	task.state = to;
}

/** try_to_wake_up(): a sleeper becomes runnable at the tail of the run queue. */
export function wakeUpProcess(k: KernelState, task: Task, why: string): void {
	if (task.state !== 'S' && task.state !== 'D') return;
	if (task.wait.kind === 'timer') {
		// schedule_timeout(): a sleeper woken early (by a signal) deletes its timer (del_singleshot_timer_sync)
		const pid = task.pid;
		k.timers = k.timers.filter((t) => t.pid !== pid);
	}
	if (task.state === 'D' && why !== 'complete' && (task.wait.kind === 'completion' || task.wait.kind === 'core-startup')) {
		// woken by a fatal signal (TASK_KILLABLE): the waiter leaves the completion's queue
		const c = k.completions.get(task.wait.id);
		if (c !== undefined) c.waiters = c.waiters.filter((p) => p !== task.pid);
	}
	// a completion's waiter finds its way back through the wait (do_fork, coredump_wait)
	if (task.wait.kind !== 'completion' && task.wait.kind !== 'core-startup') task.wait = {kind: 'none'};
	task.killable = false;
	setState(k, task, 'R', why);
	k.runQueue.push(task.pid);
}

/** wake_up_new_task(): the child joins the run queue; the parent keeps the CPU unless the child runs first. */
export function wakeUpNewTask(k: KernelState, parent: Task, child: Task): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('wake_up_new_task', {pid: child.pid});
	if (k.config.child_runs_first) {
		k.runQueue.unshift(child.pid);
		// The parent gives up the rest of its quantum (sched_child_runs_first).
		if (k.current === parent.pid) k.ran = k.config.quantum;
		if (tr !== null) tr.note(`child_runs_first: pid ${child.pid} goes to the head of the run queue, pid ${parent.pid} gives up its quantum`);
	} else {
		k.runQueue.push(child.pid);
		if (tr !== null) tr.note(`pid ${child.pid} joins the tail of the run queue; pid ${parent.pid} keeps the CPU`);
	}
	if (tr !== null) tr.exit('wake_up_new_task');
}

/** The current task blocks: it leaves the CPU and the run queue until woken. */
export function sleepOn(k: KernelState, task: Task, state: 'S' | 'D', why: string, wait: WaitReason): void {
	task.wait = wait;
	setState(k, task, state, why);
	removeFromRunQueue(k, task.pid);
	// schedule(): the CPU is given up at once; the next task runs from the next tick.
	if (k.current === task.pid) k.current = null;
}

export function removeFromRunQueue(k: KernelState, pid: number): void {
	const i = k.runQueue.indexOf(pid);
	if (i >= 0) k.runQueue.splice(i, 1);
}

/**
 * schedule(): keep the current task while it is runnable and has quantum left,
 * else rotate it to the tail and take the head. Returns the task to run, or null (idle).
 */
export function schedule(k: KernelState, lastRan: number | null): Task | null {
	const quantum = k.config.quantum;
	let current = k.current === null ? undefined : k.tasks.get(k.current);
	if (current !== undefined && current.state !== 'R') current = undefined;
	if (current !== undefined && k.ran >= quantum) {
		if (k.runQueue.length > 0) {
			k.runQueue.push(current.pid);
			current = undefined;
		} else {
			k.ran = 0;
		}
	}
	if (current === undefined) {
		const next = k.runQueue.shift();
		current = next === undefined ? undefined : k.tasks.get(next);
		k.ran = 0;
	}
	const to = current === undefined ? null : current.pid;
	if (to !== lastRan) k.events.push({tick: k.tick, type: 'sched', from: lastRan, to});
	k.current = to;
	return current ?? null;
}
