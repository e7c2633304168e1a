// The state dump of SPEC §5, a hash of the whole state, and a snapshot copy.

import {hex} from './events.js';
import {flagsToProt} from './mmap.js';
import {frameWords} from './page-alloc.js';
import {forEachPresentPte, ptePfn} from './pgtable.js';
import {
	FRAME_FREE,
	PAGE_SIZE,
	PTE_ACCESSED,
	PTE_DIRTY,
	PTE_RW,
	VM_ACCOUNT,
	VM_DONTCOPY,
	VM_LOCKED,
	VM_SHARED,
	frameKindNames,
	type KernelState,
	type MmStruct,
} from './types.js';

export type StateDump = {
	tick: number;
	config: Record<string, unknown>;
	tasks: {
		pid: number;
		ppid: number;
		comm: string;
		state: string;
		mm: number | null;
		pc: number;
		ret: number;
		vfork_done: number | null;
		exit_code: number;
		sigaltstack: boolean;
	}[];
	mms: {
		id: number;
		users: number;
		map_count: number;
		total_vm: number;
		locked_vm: number;
		rss: number;
		hiwater_rss: number;
		hiwater_vm: number;
		pgtables: number;
		vmas: {
			region: string;
			start: string;
			end: string;
			prot: string;
			shared: boolean;
			file: boolean;
			dontcopy: boolean;
			locked: boolean;
			account: boolean;
		}[];
		ptes: {va: string; pfn: number; writable: boolean; dirty: boolean; accessed: boolean}[];
	}[];
	frames: {pfn: number; kind: string; refcount: number; mapcount: number}[];
	frames_total: number;
	frames_free: number;
	completions: {id: number; owner: number; done: number; waiters: number[]}[];
};

export function configDump(k: KernelState): Record<string, unknown> {
	const c = k.config;
	return {
		mmu: c.mmu,
		frames: c.frames,
		quantum: c.quantum,
		child_runs_first: c.child_runs_first ? 'yes' : 'no',
		overcommit: c.overcommit,
		commit_limit: c.commit_limit,
		max_ticks: c.max_ticks,
	};
}

export function mmDump(k: KernelState, mm: MmStruct): StateDump['mms'][number] {
	const ptes: StateDump['mms'][number]['ptes'] = [];
	forEachPresentPte(k.frames, mm, 0, Number.MAX_SAFE_INTEGER, (vpn, pte) => {
		ptes.push({
			va: hex(vpn * PAGE_SIZE),
			pfn: ptePfn(pte),
			writable: (pte & PTE_RW) !== 0,
			dirty: (pte & PTE_DIRTY) !== 0,
			accessed: (pte & PTE_ACCESSED) !== 0,
		});
	});
	return {
		id: mm.id,
		users: mm.users,
		map_count: mm.vmas.length,
		total_vm: mm.totalVm,
		locked_vm: mm.lockedVm,
		rss: mm.rss,
		hiwater_rss: mm.hiwaterRss,
		hiwater_vm: mm.hiwaterVm,
		pgtables: mm.pgtables,
		vmas: mm.vmas.map((v) => ({
			region: v.region,
			start: hex(v.start),
			end: hex(v.end),
			prot: flagsToProt(v.flags),
			shared: (v.flags & VM_SHARED) !== 0,
			file: v.file !== null,
			dontcopy: (v.flags & VM_DONTCOPY) !== 0,
			locked: (v.flags & VM_LOCKED) !== 0,
			account: (v.flags & VM_ACCOUNT) !== 0,
		})),
		ptes,
	};
}

export function stateDump(k: KernelState): StateDump {
	const tasks = [...k.tasks.values()]
		.filter((t) => t.state !== 'X')
		.sort((a, b) => a.pid - b.pid)
		.map((t) => ({
			pid: t.pid,
			ppid: t.ppid,
			comm: t.comm,
			state: t.state,
			mm: t.mm,
			pc: t.pc,
			ret: t.regs.ret,
			vfork_done: t.vforkDone,
			exit_code: t.exitCode,
			sigaltstack: t.sigaltstack,
		}));
	const mms = [...k.mms.values()].sort((a, b) => a.id - b.id).map((mm) => mmDump(k, mm));
	const frames: StateDump['frames'] = [];
	const t = k.frames;
	for (let pfn = 0; pfn < t.kind.length; pfn++) {
		if (t.kind[pfn] === FRAME_FREE) continue;
		frames.push({pfn, kind: frameKindNames[t.kind[pfn]!]!, refcount: t.refcount[pfn]!, mapcount: t.mapcount[pfn]!});
	}
	const completions = [...k.completions.values()]
		.sort((a, b) => a.id - b.id)
		.map((c) => ({id: c.id, owner: c.owner, done: c.done, waiters: [...c.waiters]}));
	return {
		tick: k.tick,
		config: configDump(k),
		tasks,
		mms,
		frames,
		frames_total: t.kind.length,
		frames_free: t.free,
		completions,
	};
}

/**
 * A 64-bit FNV-1a hash (as 16 hex digits) of everything that determines the
 * future of the run: the dump plus registers, memory words, queues and timers.
 */
export function stateHash(k: KernelState): string {
	let h1 = 0x811c9dc5;
	let h2 = 0x01000193 ^ 0x5bd1e995;
	const mix = (s: string): void => {
		for (let i = 0; i < s.length; i++) {
			const c = s.charCodeAt(i);
			h1 = Math.imul(h1 ^ c, 0x01000193);
			h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
		}
	};
	mix(JSON.stringify(stateDump(k)));
	for (const task of [...k.tasks.values()].sort((a, b) => a.pid - b.pid)) {
		mix(JSON.stringify([task.pid, task.regs, task.pending, task.children, task.wait, task.progress, task.childReturn, task.program]));
	}
	const f = k.frames;
	for (let pfn = 0; pfn < f.wordIdx.length; pfn++) {
		if (f.wordIdx[pfn] !== -1) mix(`${pfn}:${JSON.stringify(frameWords(f, pfn))}`);
	}
	mix(JSON.stringify([k.runQueue, k.current, k.lastRan, k.ran, k.timers, k.committed, k.ended, k.expectsFailed]));
	return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** A deep copy of the state; programs and config are immutable and shared. */
export function cloneKernel(k: KernelState): KernelState {
	const f = k.frames;
	const moreWords = new Map<number, Map<number, number>>();
	for (const [pfn, page] of f.moreWords) moreWords.set(pfn, new Map(page));
	const tables = new Map<number, Int32Array>();
	for (const [pfn, table] of f.tables) tables.set(pfn, table.slice());
	const mms = new Map<number, MmStruct>();
	for (const [id, mm] of k.mms) {
		mms.set(id, {...mm, vmas: mm.vmas.map((v) => ({...v})), names: new Map(mm.names)});
	}
	const tasks = new Map<number, KernelState['tasks'] extends Map<number, infer T> ? T : never>();
	for (const [pid, t] of k.tasks) {
		tasks.set(pid, {...t, regs: {...t.regs}, pending: [...t.pending], children: [...t.children], wait: {...t.wait}});
	}
	const shmem = new Map<number, KernelState['shmem'] extends Map<number, infer T> ? T : never>();
	for (const [id, o] of k.shmem) shmem.set(id, {...o, pages: new Map(o.pages)});
	const pageCache = new Map<string, Map<number, number>>();
	for (const [name, cache] of k.pageCache) pageCache.set(name, new Map(cache));
	const completions = new Map<number, KernelState['completions'] extends Map<number, infer T> ? T : never>();
	for (const [id, c] of k.completions) completions.set(id, {...c, waiters: [...c.waiters]});
	return {
		...k,
		frames: {
			kind: f.kind.slice(),
			refcount: f.refcount.slice(),
			mapcount: f.mapcount.slice(),
			used: f.used.slice(),
			freeHint: f.freeHint,
			free: f.free,
			wordIdx: f.wordIdx.slice(),
			wordVal: f.wordVal.slice(),
			moreWords,
			tables,
		},
		pageCache,
		textFrames: new Map(k.textFrames),
		shmem,
		mms,
		tasks,
		completions,
		runQueue: [...k.runQueue],
		timers: k.timers.map((t) => ({...t})),
		events: [],
	};
}
