// struct completion (kernel/sched.c): init_completion, wait_for_completion,
// complete. The vfork parent keeps one on its kernel stack.

import type {CompletionVia} from './events.js';
import {wakeUpProcess} from './sched.js';
import type {KernelState, Task} from './types.js';

/** init_completion(): done = 0, owned by the task whose stack holds it. */
export function initCompletion(k: KernelState, owner: Task): number {
	const tr = k.trace;
	const id = k.nextCompletion++;
	if (tr !== null) tr.enter('init_completion', {x: id, owner: owner.pid});
	k.completions.set(id, {id, owner: owner.pid, done: 0, waiters: []});
	k.events.push({tick: k.tick, type: 'completion', action: 'init', id, owner: owner.pid, by: owner.pid, via: null, done: 0});
	if (tr !== null) {
		tr.note(`completion ${id} on pid ${owner.pid}'s kernel stack: done = 0`, {x: id, done: 0});
		tr.exit('init_completion');
	}
	return id;
}

/** wait_for_completion(): sleep in TASK_UNINTERRUPTIBLE until done != 0. */
export function waitForCompletion(k: KernelState, task: Task, id: number): void {
	const tr = k.trace;
	const c = k.completions.get(id)!;
	if (tr !== null) tr.enter('wait_for_completion', {x: id, pid: task.pid});
	k.events.push({tick: k.tick, type: 'completion', action: 'wait', id, owner: c.owner, by: task.pid, via: null, done: c.done});
	if (c.done > 0) {
		if (tr !== null) {
			tr.note(`done = ${c.done}: already completed, no sleep`, {x: id, done: c.done});
			tr.exit('wait_for_completion');
		}
		return;
	}
	c.waiters.push(task.pid);
	if (tr !== null) {
		tr.note(`done = 0: pid ${task.pid} sleeps in TASK_UNINTERRUPTIBLE (D) until complete(); schedule()`, {x: id, done: 0});
		tr.exit('wait_for_completion', {ret: 'asleep'});
	}
}

/** complete(): done++, and the waiters wake. */
export function complete(k: KernelState, id: number, by: Task, via: CompletionVia): void {
	const tr = k.trace;
	const c = k.completions.get(id);
	if (tr !== null) tr.enter('complete', {x: id, by: by.pid});
	if (c === undefined) {
		if (tr !== null) {
			tr.note(`completion ${id} is gone (its owner's stack frame returned): nothing to do`);
			tr.exit('complete');
		}
		return;
	}
	c.done++;
	k.events.push({tick: k.tick, type: 'completion', action: 'complete', id, owner: c.owner, by: by.pid, via, done: c.done});
	if (tr !== null) tr.note(`done ${c.done - 1}→${c.done}`, {x: id, done: c.done});
	const waiters = c.waiters;
	c.waiters = [];
	for (const pid of waiters) {
		const waiter = k.tasks.get(pid);
		if (waiter !== undefined && waiter.state === 'D') {
			wakeUpProcess(k, waiter, 'complete');
			if (tr !== null) tr.note(`pid ${pid} was waiting: woken (D→R), back on the run queue`, {pid});
		}
	}
	if (tr !== null) tr.exit('complete');
}

/** The waiter, running again, leaves wait_for_completion's loop: it takes the count back (done--). */
export function finishWait(k: KernelState, task: Task, id: number): void {
	const tr = k.trace;
	const c = k.completions.get(id)!;
	if (tr !== null) tr.enter('wait_for_completion', {x: id, pid: task.pid, resumed: true});
	if (c.done === 0) {
		// 6.18 wait_for_vfork_done(): woken by a fatal signal, not by complete(): "child->vfork_done = NULL"
		c.waiters = c.waiters.filter((p) => p !== task.pid);
		for (const t of k.tasks.values()) if (t.vforkDone === id) t.vforkDone = null;
		k.events.push({tick: k.tick, type: 'completion', action: 'wake', id, owner: c.owner, by: task.pid, via: null, done: 0});
		k.completions.delete(id);
		if (tr !== null) {
			tr.note(`killed while waiting (TASK_KILLABLE): the child's vfork_done is cleared; do_fork returns and completion ${id} leaves the stack`, {
				x: id,
				done: 0,
			});
			tr.exit('wait_for_completion');
		}
		return;
	}
	c.done--;
	k.events.push({tick: k.tick, type: 'completion', action: 'wake', id, owner: c.owner, by: task.pid, via: null, done: c.done});
	// The completion lived on the parent's kernel stack: do_fork returns and it is gone.
	k.completions.delete(id);
	if (tr !== null) {
		tr.note(`back from schedule(): done ${c.done + 1}→${c.done}, the count is taken; do_fork returns and completion ${id} leaves the stack`, {
			x: id,
			done: c.done,
		});
		tr.exit('wait_for_completion');
	}
}
