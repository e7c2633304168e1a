// fs/exec.c: do_execve → … → flush_old_exec → exec_mmap, with the program
// image laid out as binfmt would: text at 0x400000, the maps, the stack.

import {mmput, mmRelease} from './fork.js';
import {doMmap, exitMmap, vmaLink, mmAlloc, populateVma, protToFlags} from './mmap.js';
import {allocContiguous, allocPgtable} from './page-alloc.js';
import {FRAME_FILE, PAGE_SIZE, STACK_PAGES, STACK_TOP, TEXT_START, VM_LOCKED, type KernelState, type MmStruct, type Task} from './types.js';
import type {Program} from './program.js';
import {ENOENT, ENOMEM} from './uapi.js';

export function textPages(program: Program): number {
	return Math.max(1, Math.ceil((program.code.length * 4) / PAGE_SIZE));
}

const textProt = {r: true, w: false, x: true};
const stackProt = {r: true, w: true, x: false};

/**
 * do_execve(): a new mm from the program's image, then exec_mmap. Returns 0,
 * or -errno with nothing changed.
 */
export function doExecve(k: KernelState, task: Task, name: string): number {
	const tr = k.trace;
	if (tr !== null) tr.enter('do_execve', {pid: task.pid, program: name});
	const program = k.programs[name];
	if (program === undefined) {
		if (tr !== null) {
			tr.note(`no program '${name}': -ENOENT, the old image is untouched`);
			tr.exit('do_execve', {ret: ENOENT});
		}
		return ENOENT;
	}
	const mm = buildMm(k, program);
	if (typeof mm === 'number') {
		if (tr !== null) {
			tr.note(`the new image does not fit: ${mm}, the old image is untouched`);
			tr.exit('do_execve', {ret: mm});
		}
		return mm;
	}
	if (tr !== null) tr.note(`mm ${mm.id} built from '${program.name}': ${mm.vmas.map((v) => v.region).join(', ')}; flush_old_exec → exec_mmap`, {mm: mm.id});
	execMmap(k, task, mm);
	task.comm = program.name;
	task.program = program.name;
	task.pc = 0;
	task.progress = 0;
	task.regs = {ret: 0, status: 0, signal: 0, core: 0, r0: 0, r1: 0, r2: 0, r3: 0, r4: 0, r5: 0, r6: 0, r7: 0};
	task.sigaltstack = false;
	k.events.push({tick: k.tick, type: 'exec', pid: task.pid, program: program.name});
	// MAP_LOCKED mappings are populated as mmap_region() → make_pages_present() would.
	for (const vma of mm.vmas) {
		if ((vma.flags & VM_LOCKED) === 0) continue;
		const result = populateVma(k, task, mm, vma, ['mmap_region', 'make_pages_present', '__get_user_pages']);
		if (result !== 0) break; // mmap_region() ignores make_pages_present()'s error: the pages fault in later
	}
	if (tr !== null) tr.exit('do_execve', {ret: 0});
	return 0;
}

/** exec_mmap(): the task switches to the new mm; the old one is released (mm_release) and put. */
function execMmap(k: KernelState, task: Task, mm: MmStruct): void {
	const tr = k.trace;
	const old = task.mm === null ? undefined : k.mms.get(task.mm);
	if (tr !== null) tr.enter('exec_mmap', {pid: task.pid, mm: mm.id, old_mm: old?.id ?? null});
	mmRelease(k, task, 'exec_mmap');
	task.mm = mm.id;
	if (tr !== null) tr.note(`pid ${task.pid} switches to mm ${mm.id}` + (old === undefined ? '' : `; the old mm ${old.id} is put`), {mm: mm.id});
	if (old !== undefined) mmput(k, old);
	if (tr !== null) tr.exit('exec_mmap');
}

function buildMm(k: KernelState, program: Program): MmStruct | number {
	const mm = mmAlloc(k);
	const fail = (): number => {
		exitMmap(k, mm);
		k.mms.delete(mm.id);
		return ENOMEM;
	};
	const nommu = k.config.mmu === 'off';
	if (!nommu) {
		const pgd = allocPgtable(k.frames);
		if (pgd < 0) return fail();
		mm.pgd = pgd;
		mm.pgtables = 1;
	}
	// text: the program image, shared through its page cache
	const pages = textPages(program);
	if (nommu) {
		let pfn = k.textFrames.get(program.name);
		if (pfn === undefined) {
			pfn = allocContiguous(k.frames, pages, FRAME_FILE);
			if (pfn < 0) return fail();
			k.textFrames.set(program.name, pfn);
			const cache = new Map<number, number>();
			for (let i = 0; i < pages; i++) cache.set(i, pfn + i);
			k.pageCache.set(program.name, cache);
		}
		for (let p = pfn; p < pfn + pages; p++) {
			k.frames.refcount[p]!++;
			k.frames.mapcount[p]!++;
		}
		vmaLink(mm, textVma(pfn * PAGE_SIZE, pages, program.name, pfn));
		mm.rss += pages;
		mm.hiwaterRss = mm.rss;
	} else {
		vmaLink(mm, textVma(TEXT_START, pages, program.name, null));
	}
	for (const map of program.maps) {
		const r = doMmap(k, mm, {
			region: map.region,
			pages: map.pages,
			prot: map.prot,
			shared: map.shared,
			at: map.at,
			dontfork: map.dontfork,
			locked: map.locked,
		});
		if (r < 0) return fail();
	}
	const stackStart = STACK_TOP - STACK_PAGES * PAGE_SIZE;
	const r = doMmap(k, mm, {region: 'stack', pages: STACK_PAGES, prot: stackProt, shared: false, at: nommu ? null : stackStart});
	if (r < 0) return fail();
	return mm;
}

function textVma(start: number, pages: number, file: string, pfn: number | null) {
	return {
		start,
		end: start + pages * PAGE_SIZE,
		region: 'text',
		flags: protToFlags(textProt, false),
		file,
		shmem: null,
		anonVma: false,
		pfn,
	};
}
