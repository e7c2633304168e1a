// struct completion (kernel/sched.c): init_completion, wait_for_completion,
// complete. The vfork parent keeps one on its kernel stack.

import type {CompletionVia} from './events.js';
import {wakeUpProcess} from './sched.js';
import type {KernelState, Task} from './types.js';

/** init_completion(): done = 0, owned by the task whose stack holds it. */
export function initCompletion(k: KernelState, owner: Task): number {
	const id = k.nextCompletion++;
	k.completions.set(id, {id, owner: owner.pid, done: 0, waiters: []});
	k.events.push({tick: k.tick, type: 'completion', action: 'init', id, owner: owner.pid, by: owner.pid, via: null, done: 0});
	return id;
}

/** wait_for_completion(): sleep in TASK_UNINTERRUPTIBLE until done != 0. */
export function waitForCompletion(k: KernelState, task: Task, id: number): void {
	const c = k.completions.get(id)!;
	k.events.push({tick: k.tick, type: 'completion', action: 'wait', id, owner: c.owner, by: task.pid, via: null, done: c.done});
	if (c.done > 0) return;
	c.waiters.push(task.pid);
}

/** complete(): done++, and the waiters wake. */
export function complete(k: KernelState, id: number, by: Task, via: CompletionVia): void {
	const c = k.completions.get(id);
	if (c === undefined) return;
	c.done++;
	k.events.push({tick: k.tick, type: 'completion', action: 'complete', id, owner: c.owner, by: by.pid, via, done: c.done});
	const waiters = c.waiters;
	c.waiters = [];
	for (const pid of waiters) {
		const waiter = k.tasks.get(pid);
		if (waiter !== undefined && waiter.state === 'D') wakeUpProcess(k, waiter, 'complete');
	}
}

/** The waiter, running again, leaves wait_for_completion's loop: it takes the count back (done--). */
export function finishWait(k: KernelState, task: Task, id: number): void {
	const c = k.completions.get(id)!;
	c.done--;
	k.events.push({tick: k.tick, type: 'completion', action: 'wake', id, owner: c.owner, by: task.pid, via: null, done: c.done});
	// The completion lived on the parent's kernel stack: do_fork returns and it is gone.
	k.completions.delete(id);
}
