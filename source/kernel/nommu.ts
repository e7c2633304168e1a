// No-MMU (uClinux) accesses: nothing translates or checks an address. The
// virtual address is the physical one; an access outside the task's own
// mappings still reads or writes whatever word is there, and is logged.

import {hex, type Access} from './events.js';
import {findVma} from './memory.js';
import {readWord, writeWord} from './page-alloc.js';
import {PAGE_SIZE, type KernelState, type MmStruct, type Task} from './types.js';

export function nommuAccess(k: KernelState, task: Task, mm: MmStruct | undefined, pa: number, access: Access, value: number): number {
	const pfn = Math.floor(pa / PAGE_SIZE);
	const inMemory = pa >= 0 && pfn < k.frames.kind.length;
	if (mm === undefined || findVma(mm, pa) === undefined) {
		k.events.push({tick: k.tick, type: 'unprotected', pid: task.pid, access, addr: hex(pa), frame: inMemory ? pfn : null});
	}
	if (!inMemory) return 0; // no RAM there: reads float to 0, writes are lost
	const word = Math.floor((pa % PAGE_SIZE) / 8);
	if (access === 'write') {
		writeWord(k.frames, pfn, word, value);
		return value;
	}
	return readWord(k.frames, pfn, word);
}
