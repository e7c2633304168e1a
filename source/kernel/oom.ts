// mm/oom_kill.c: out_of_memory → select_bad_process → oom_kill_process.

import type {KernelState, Task} from './types.js';
import {endRun} from './exit.js';
import {isLive} from './sched.js';
import {sendSignal} from './signal.js';
import {signalNumbers} from './uapi.js';

/**
 * out_of_memory() for a fault `task` could not satisfy. select_bad_process()
 * picks the task with the largest rss (ties: the highest pid), never init nor
 * a task without an mm; while an earlier victim has not exited yet
 * (TIF_MEMDIE) nobody else is chosen. The victim gets SIGKILL; its memory is
 * freed when it exits. With no task to choose the kernel panics.
 */
export function outOfMemory(k: KernelState, task: Task): void {
	const tr = k.trace;
	if (tr !== null) tr.enter('select_bad_process', {pid: task.pid});
	let chosen: Task | undefined;
	let points = -1;
	for (const p of k.tasks.values()) {
		if (p.pid === 1 || !isLive(p) || p.mm === null) continue;
		if (p.memdie) {
			// "This task already has access to memory reserves and is being killed."
			const rss = k.mms.get(p.mm)?.rss ?? 0;
			k.events.push({tick: k.tick, type: 'oom', pid: task.pid, victim: p.pid, rss});
			if (tr !== null) {
				tr.note(`pid ${p.pid} is already dying of the OOM killer (TIF_MEMDIE): wait for it, kill nobody else`, {pid: p.pid});
				tr.exit('select_bad_process', {ret: p.pid});
			}
			return;
		}
		const rss = k.mms.get(p.mm)?.rss ?? 0;
		if (rss > points || (rss === points && chosen !== undefined && p.pid > chosen.pid)) {
			chosen = p;
			points = rss;
		}
	}
	if (chosen === undefined) {
		k.events.push({tick: k.tick, type: 'oom', pid: task.pid, victim: null, rss: 0});
		k.events.push({tick: k.tick, type: 'panic', text: 'Out of memory and no killable processes...'});
		endRun(k, 'panic');
		if (tr !== null) {
			tr.note('no task but init to kill: panic');
			tr.exit('select_bad_process', {ret: null});
		}
		return;
	}
	k.events.push({tick: k.tick, type: 'oom', pid: task.pid, victim: chosen.pid, rss: points});
	if (tr !== null) tr.note(`pid ${chosen.pid} has the largest rss (${points}): oom_kill_task sends it SIGKILL`, {pid: chosen.pid, rss: points});
	// oom_kill_task(): TIF_MEMDIE, then force_sig(SIGKILL)
	chosen.memdie = true;
	sendSignal(k, chosen, signalNumbers.SIGKILL);
	if (tr !== null) tr.exit('select_bad_process', {ret: chosen.pid});
}
