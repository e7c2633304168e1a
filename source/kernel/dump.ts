// The state dump of docs/events.md, a hash of the whole state, and a snapshot copy.

import {hex} from './events.js';
import type {KArgs} from './trace.js';
import {flagsToProt} from './mmap.js';
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
	VM_WIPEONFORK,
	frameKindNames,
	type KernelState,
	type MmStruct,
	type Registers,
} from './types.js';

export type StateDump = {
	tick: number;
	config: Record<string, unknown>;
	tasks: {
		pid: number;
		tgid: number;
		ppid: number;
		comm: string;
		state: string;
		killable: boolean;
		exit_signal: number;
		mm: number | null;
		pc: number;
		ret: number;
		regs: Omit<Registers, 'ret'>;
		pins: {id: number; pfn: number}[];
		vfork_done: number | null;
		exit_code: number;
		sigaltstack: boolean;
	}[];
	kernel: string;
	/** Set when stopped inside a tick (docs/debugger.md, kernel steps). */
	kstep: KStepDump | null;
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
			anon_vma: boolean;
			wipeonfork: boolean;
		}[];
		ptes: {va: string; pfn: number; writable: boolean; dirty: boolean; accessed: boolean}[];
	}[];
	frames: {pfn: number; kind: string; refcount: number; mapcount: number; pins: number}[];
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
		kernel: c.kernel,
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
			anon_vma: v.anonVma,
			wipeonfork: (v.flags & VM_WIPEONFORK) !== 0,
		})),
		ptes,
	};
}

/** Where a stop inside a tick is (docs/events.md, `kstep`): the step's number and the call stack with its arguments. */
export type KStepDump = {seq: number; stack: {fn: string; args: KArgs}[]};

export function stateDump(k: KernelState, kstep: KStepDump | null = null): StateDump {
	const tasks = [...k.tasks.values()]
		.filter((t) => t.state !== 'X')
		.sort((a, b) => a.pid - b.pid)
		.map((t) => {
			const {ret, ...regs} = t.regs;
			return {
				pid: t.pid,
				tgid: t.tgid,
				ppid: t.ppid,
				comm: t.comm,
				state: t.state,
				killable: t.killable,
				exit_signal: t.exitSignal,
				mm: t.mm,
				pc: t.pc,
				ret,
				regs,
				pins: t.pins.map((p) => ({id: p.id, pfn: p.pfn})),
				vfork_done: t.vforkDone,
				exit_code: t.exitCode,
				sigaltstack: t.sigaltstack,
			};
		});
	const mms = [...k.mms.values()].sort((a, b) => a.id - b.id).map((mm) => mmDump(k, mm));
	const frames: StateDump['frames'] = [];
	const t = k.frames;
	for (let pfn = 0; pfn < t.kind.length; pfn++) {
		if (t.kind[pfn] === FRAME_FREE) continue;
		frames.push({pfn, kind: frameKindNames[t.kind[pfn]!]!, refcount: t.refcount[pfn]!, mapcount: t.mapcount[pfn]!, pins: t.pins.get(pfn) ?? 0});
	}
	const completions = [...k.completions.values()].sort((a, b) => a.id - b.id).map((c) => ({id: c.id, owner: c.owner, done: c.done, waiters: [...c.waiters]}));
	return {
		tick: k.tick,
		config: configDump(k),
		tasks,
		kernel: k.config.kernel,
		kstep,
		mms,
		frames,
		frames_total: t.kind.length,
		frames_free: t.free,
		completions,
	};
}

/**
 * A 64-bit hash (16 hex digits) of everything that decides the rest of the
 * run: frames and their words, page tables, mm's, tasks with their registers,
 * queues, timers and counters. It reads the typed arrays directly (a machine
 * with 1M frames hashes in milliseconds).
 */
export function stateHash(k: KernelState): string {
	let h1 = 0x811c9dc5 | 0;
	let h2 = 0x2545f491 | 0;
	const num = (n: number): void => {
		const lo = n | 0;
		const hi = Math.floor(n / 4_294_967_296) | 0;
		h1 = Math.imul(h1 ^ lo, 0x01000193);
		h1 ^= h1 >>> 15;
		h2 = Math.imul(h2 ^ lo ^ Math.imul(hi, 0x27d4eb2d), 0x5bd1e995);
		h2 ^= h2 >>> 13;
	};
	const str = (s: string | null): void => {
		if (s === null) {
			num(-1);
			return;
		}
		num(s.length);
		for (let i = 0; i < s.length; i++) num(s.charCodeAt(i));
	};
	const ints = (a: Int32Array | Uint8Array | Int16Array | Uint32Array): void => {
		num(a.length);
		for (let i = 0; i < a.length; i++) {
			h1 = Math.imul(h1 ^ a[i]!, 0x01000193);
			h2 = Math.imul(h2 ^ a[i]! ^ i, 0x5bd1e995);
			h2 ^= h2 >>> 13;
		}
	};
	const sorted = <V>(m: Map<number, V>): [number, V][] => [...m.entries()].sort((a, b) => a[0] - b[0]);
	str(JSON.stringify(configDump(k)));
	num(k.tick);
	const f = k.frames;
	ints(f.kind);
	ints(f.refcount);
	ints(f.mapcount);
	ints(f.wordIdx);
	ints(f.exclusive);
	for (const [pfn, n] of sorted(f.pins)) {
		num(pfn);
		num(n);
	}
	num(f.free);
	for (let pfn = 0; pfn < f.wordIdx.length; pfn++) if (f.wordIdx[pfn] !== -1) num(f.wordVal[pfn]!);
	for (const [pfn, words] of sorted(f.moreWords)) {
		num(pfn);
		for (const [i, v] of sorted(words)) {
			num(i);
			num(v);
		}
	}
	for (const [pfn, table] of sorted(f.tables)) {
		num(pfn);
		ints(table);
	}
	for (const [name, cache] of [...k.pageCache.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
		str(name);
		for (const [i, pfn] of sorted(cache)) {
			num(i);
			num(pfn);
		}
		num(k.textFrames.get(name) ?? -1);
	}
	for (const [id, o] of sorted(k.shmem)) {
		num(id);
		num(o.refs);
		num(o.size);
		for (const [i, pfn] of sorted(o.pages)) {
			num(i);
			num(pfn);
		}
	}
	for (const [id, mm] of sorted(k.mms)) {
		num(id);
		for (const n of [mm.users, mm.pgd, mm.pgtables, mm.totalVm, mm.lockedVm, mm.rss, mm.hiwaterRss, mm.hiwaterVm, mm.committed, mm.mmapBase]) num(n);
		str(JSON.stringify(mm.coreState));
		// only 2.6.32 no-MMU clone children borrow: other runs hash as they always did
		for (const b of mm.borrowed) {
			num(b.start);
			num(b.owner);
		}
		for (const v of mm.vmas) {
			num(v.start);
			num(v.end);
			num(v.flags);
			str(v.region);
			str(v.file);
			num(v.shmem ?? -1);
			num(v.anonVma ? 1 : 0);
			num(v.pfn ?? -1);
		}
		for (const [name, addr] of [...mm.names.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
			str(name);
			num(addr);
		}
	}
	for (const [pid, t] of sorted(k.tasks)) {
		num(pid);
		str(t.state);
		str(t.comm);
		str(t.program);
		for (const n of [
			t.tgid,
			t.ppid,
			t.mm ?? -1,
			t.pc,
			t.vforkDone ?? -1,
			t.sigaltstack ? 1 : 0,
			t.exitCode,
			t.exitSignal,
			t.killSignal,
			t.coreDumped ? 1 : 0,
			t.progress,
			t.threads,
			t.killable ? 1 : 0,
			t.memdie ? 1 : 0,
		])
			num(n);
		num(t.kstack.length);
		for (const p of t.kstack) num(p);
		num(t.pins.length);
		for (const p of t.pins) {
			num(p.id);
			num(p.pfn);
		}
		str(JSON.stringify([t.groupExit, t.exiting]));
		for (const r of Object.values(t.regs)) num(r);
		num(t.pending.length);
		for (const p of t.pending) num(p);
		num(t.children.length);
		for (const c of t.children) num(c);
		str(JSON.stringify(t.wait));
		str(t.childReturn);
	}
	for (const [id, c] of sorted(k.completions)) {
		num(id);
		num(c.owner);
		num(c.done);
		for (const w of c.waiters) num(w);
	}
	str(JSON.stringify([k.runQueue, k.current, k.lastRan, k.ran, k.timers, k.committed, k.ended, k.expectsFailed]));
	for (const b of k.expectsReached) num(b);
	for (const n of [k.nextPid, k.nextMm, k.nextShmem, k.nextCompletion, k.nextPin]) num(n);
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
		const core = mm.coreState === null ? null : {...mm.coreState, pending: [...mm.coreState.pending], joined: [...mm.coreState.joined]};
		mms.set(id, {...mm, vmas: mm.vmas.map((v) => ({...v})), names: new Map(mm.names), coreState: core, borrowed: mm.borrowed.map((b) => ({...b}))});
	}
	const tasks = new Map<number, KernelState['tasks'] extends Map<number, infer T> ? T : never>();
	for (const [pid, t] of k.tasks) {
		// A vfork parent's wait holds the fork's cost: its own copy too, not the original's object.
		const wait = t.wait.kind === 'completion' ? {...t.wait, cost: {...t.wait.cost}} : {...t.wait};
		tasks.set(pid, {
			...t,
			regs: {...t.regs},
			pending: [...t.pending],
			pins: t.pins.map((p) => ({...p})),
			children: [...t.children],
			wait,
			kstack: [...t.kstack],
			groupExit: t.groupExit === null ? null : {...t.groupExit},
			exiting: t.exiting === null ? null : {...t.exiting},
		});
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
			exclusive: f.exclusive.slice(),
			pins: new Map(f.pins),
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
		expectsReached: k.expectsReached.slice(),
		events: [],
		trace: null,
	};
}
