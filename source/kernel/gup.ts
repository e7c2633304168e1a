// get_user_pages with FOLL_PIN (mm/gup.c pin_user_pages, unpin_user_page), as
// vmsplice() takes its references on the pages it puts in a pipe: the page is
// faulted in for a read if needed, and a reference is kept on the frame, not
// on the mapping. The frame stays whatever maps it later (or nothing does).

import {hex} from './events.js';
import {findVma, handleMmFault} from './memory.js';
import {putPage} from './page-alloc.js';
import {lookupPte, ptePfn} from './pgtable.js';
import {PAGE_SIZE, PTE_PRESENT, TASK_SIZE, PTE_USER, VM_EXEC, VM_READ, VM_WRITE, type KernelState, type MmStruct, type Task} from './types.js';
import {EFAULT, EINVAL, ENOMEM} from './uapi.js';

/**
 * pin_user_pages(va, 1, FOLL_PIN): the pin id, or -EFAULT (no VMA, or one
 * that cannot be read), -ENOMEM (the fault found no frame).
 */
export function pinUserPage(k: KernelState, task: Task, mm: MmStruct, va: number): number {
	const tr = k.trace;
	if (tr !== null) tr.enter('__get_user_pages', {pid: task.pid, addr: hex(va), flags: 'FOLL_PIN'});
	const done = (ret: number, why: string): number => {
		if (tr !== null) {
			tr.note(why);
			tr.exit('__get_user_pages', {ret});
		}
		return ret;
	};
	const vma = va >= 0 && va < TASK_SIZE ? findVma(mm, va) : undefined;
	if (vma === undefined || (vma.flags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return done(EFAULT, `no readable VMA at ${hex(va)}: -EFAULT`);
	const vpn = Math.floor(va / PAGE_SIZE);
	let pfn: number;
	if (mm.pgd < 0) {
		// no-MMU __get_user_pages (mm/nommu.c): the address is the page's physical address
		pfn = vpn;
	} else {
		let pte = lookupPte(k.frames, mm.pgd, vpn);
		if ((pte & (PTE_PRESENT | PTE_USER)) !== (PTE_PRESENT | PTE_USER)) {
			// follow_page found nothing: faultin_page() for a read
			const r = handleMmFault(k, task, mm, vma, va, 'read', ['sys_vmsplice', '__get_user_pages']);
			if (r !== 'ok') return done(r === 'oom' ? ENOMEM : EFAULT, `the read fault failed (${r})`);
			pte = lookupPte(k.frames, mm.pgd, vpn);
		}
		pfn = ptePfn(pte);
	}
	const t = k.frames;
	// try_grab_folio(FOLL_PIN): the zero page is not counted
	if (pfn !== 0) t.refcount[pfn]!++;
	t.pins.set(pfn, (t.pins.get(pfn) ?? 0) + 1);
	const id = k.nextPin++;
	task.pins.push({id, pfn});
	k.events.push({tick: k.tick, type: 'pin', pid: task.pid, action: 'pin', id, frame: pfn});
	return done(id, `pfn ${pfn} pinned (pin ${id}): refcount ${t.refcount[pfn]}, mapcount ${t.mapcount[pfn]}`);
}

/** unpin_user_page(): drop pin `id` of the task; -EINVAL when it holds none such. */
export function unpinUserPage(k: KernelState, task: Task, id: number): number {
	const i = task.pins.findIndex((p) => p.id === id);
	if (i < 0) return EINVAL;
	const [{pfn}] = task.pins.splice(i, 1) as [{id: number; pfn: number}];
	dropPin(k, task, id, pfn);
	return 0;
}

/** At exit the task's pins go (the pipe holding them is closed). */
export function unpinAll(k: KernelState, task: Task): void {
	const pins = task.pins;
	task.pins = [];
	for (const {id, pfn} of pins) dropPin(k, task, id, pfn);
}

function dropPin(k: KernelState, task: Task, id: number, pfn: number): void {
	const t = k.frames;
	const n = t.pins.get(pfn)! - 1;
	if (n === 0) t.pins.delete(pfn);
	else t.pins.set(pfn, n);
	k.events.push({tick: k.tick, type: 'pin', pid: task.pid, action: 'unpin', id, frame: pfn});
	if (pfn !== 0) putPage(t, pfn); // the last reference frees a page nobody maps any more
}

/** The frame pin `id` holds, whoever maps it now; null when no task holds that pin. */
export function pinnedFrame(k: KernelState, id: number): number | null {
	for (const task of k.tasks.values()) {
		for (const p of task.pins) if (p.id === id) return p.pfn;
	}
	return null;
}
