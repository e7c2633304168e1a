// dup_mmap's per-VMA rules (docs/kernel.md): VM_DONTCOPY, VM_LOCKED,
// VM_ACCOUNT and -ENOMEM, shared anonymous mappings.

import {describe, expect, it} from 'vitest';
import {stateDump} from '../../source/kernel/dump.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {endOf, faultKinds, faults, frameOf, framesByKind, mmOf, ofType, pteOf, prog, run, runUntil} from '../helpers/run.js';

const HEAP = 0x60_0000;
const forked = (e: KernelEvent): boolean => e.type === 'syscall' && e.name === 'fork' && e.pid === 1;

describe('MADV_DONTFORK (VM_DONTCOPY)', () => {
	const src = (how: 'map' | 'madvise') =>
		prog(
			`write heap 1\nwrite secret 2\n${how === 'madvise' ? 'madvise secret dontfork\n' : ''}fork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nsleep 2\nread secret\nexit 0`,
			`map heap 1 rw-\nmap secret 3 rw-${how === 'map' ? ' dontfork' : ''}`,
		);

	for (const how of ['map', 'madvise'] as const) {
		it(`(${how}) the region is absent in the child, total_vm and map_count reduced; touching it is segv-maperr`, () => {
			const r = runUntil(src(how), forked);
			const parent = mmOf(r.k, 1);
			const child = mmOf(r.k, 2);
			expect(parent.vmas.map((v) => v.region)).toEqual(['text', 'heap', 'secret', 'stack']);
			expect(child.vmas.map((v) => v.region)).toEqual(['text', 'heap', 'stack']);
			expect(child.totalVm).toBe(parent.totalVm - 3);
			expect(stateDump(r.k).mms[1]!.map_count).toBe(3);
			// Still walked: the cost counts it.
			expect(ofType(r.events, 'syscall').find(forked)!.cost).toEqual({vmas: 4, ptes: 1, pgtables: 4});
			expect(pteOf(r.k, 2, HEAP + 0x2000)).toBeNull();
			const all = run(src(how));
			expect(faults(all.events, 2).at(-1)).toMatchObject({kind: 'segv-maperr', addr: '0x602000', region: null});
			expect(ofType(all.events, 'exit').find((e) => e.pid === 2)).toMatchObject({signal: 'SIGSEGV', core: true});
		});
	}

	it('MADV_DOFORK clears it again', () => {
		const r = run(
			prog('madvise heap dontfork\nmadvise heap dofork\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nwrite heap 1\nexit 0', 'map heap 1 rw-'),
		);
		expect(faultKinds(r.events, 2)).toEqual(['file@text', 'anon@heap']);
		expect(
			ofType(r.events, 'syscall')
				.filter((e) => e.name === 'madvise')
				.map((e) => e.ret),
		).toEqual([0, 0]);
	});

	it('madvise of an unknown region: -ENOMEM', () => {
		const r = run(prog('mmap x 1 rw-\nmunmap x\nmadvise x dontfork\nexit 0'));
		expect(ofType(r.events, 'syscall').find((e) => e.name === 'madvise')!.ret).toBe(-12);
	});
});

describe('VM_LOCKED is not inherited', () => {
	const src = prog('mlock buf\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nsleep 2\nwrite pin 5\nexit 0', 'map pin 2 rw- locked\nmap buf 1 rw-');

	it('the parent has locked_vm 3 and locked VMAs; the child locked_vm 0, nothing locked, pages still copied', () => {
		const r = runUntil(src, forked);
		const dump = stateDump(r.k);
		const [p, c] = dump.mms;
		expect(p!.locked_vm).toBe(3);
		expect(p!.vmas.filter((v) => v.locked).map((v) => v.region)).toEqual(['pin', 'buf']);
		expect(c!.locked_vm).toBe(0);
		expect(c!.vmas.filter((v) => v.locked)).toEqual([]);
		expect(ofType(r.events, 'syscall').find(forked)!.cost!.ptes).toBe(3);
		expect(pteOf(r.k, 2, HEAP)).toMatchObject({writable: false});
	});

	it('locked pages were faulted in at exec (map ... locked) and at mlock', () => {
		const r = runUntil(src, forked);
		const f = faults(r.events, 1);
		expect(f.filter((e) => e.tick === 0).map((e) => [e.kind, e.region, e.path[0]])).toEqual([
			['anon', 'pin', 'mmap_region'],
			['anon', 'pin', 'mmap_region'],
		]);
		expect(f.find((e) => e.region === 'buf')).toMatchObject({kind: 'anon', path: expect.arrayContaining(['sys_mlock'])});
	});

	it('munlock clears the flag and returns locked_vm', () => {
		const r = runUntil(prog('munlock pin\nsleep 3\nexit 0', 'map pin 2 rw- locked'), (e) => e.type === 'syscall' && e.name === 'munlock');
		expect(mmOf(r.k, 1).lockedVm).toBe(0);
	});
});

describe('VM_ACCOUNT and overcommit=never', () => {
	const src = prog(
		'write heap 1\nwrite heap[1] 2\nfork\nset r0 ret\nmunmap big\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nexit 0',
		'map heap 2 rw-\nmap big 8 rw-\nmap ro 4 r--',
		'overcommit=never commit_limit=20 frames=64',
	);

	it('fork fails with -ENOMEM when a VMA cannot be charged, without leaking a frame or a charge', () => {
		const before = runUntil(src, (e) => e.type === 'fault' && e.addr === '0x601000');
		const free = before.k.frames.free;
		const committed = before.k.committed;
		const byKind = framesByKind(before.k);
		// heap 2 + big 8 + stack 2 charged; ro is not writable, text not either.
		expect(committed).toBe(12);
		const r = runUntil(src, forked);
		expect(ofType(r.events, 'syscall').find(forked)).toEqual({tick: r.k.tick, type: 'syscall', pid: 1, name: 'fork', ret: -12});
		expect(r.k.frames.free).toBe(free);
		expect(r.k.committed).toBe(committed);
		expect(framesByKind(r.k)).toEqual(byKind);
		expect(r.k.mms.size).toBe(1);
		expect(r.k.tasks.size).toBe(1);
		// heap was copied for the child before big failed: the teardown of the half-built mm
		// brought the counts back to 1. The parent's pte_wrprotect is not undone (nor is it in
		// the kernel): its next write there is a cow-reuse.
		for (const va of [HEAP, HEAP + 0x1000]) {
			const p = pteOf(r.k, 1, va)!;
			expect(p.writable).toBe(false);
			expect(frameOf(r.k, p.pfn)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
		}
	});

	it('after munmap returns the charge the fork succeeds, and the failed fork used no pid', () => {
		const r = run(src);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(-12);
		expect(
			ofType(r.events, 'syscall')
				.filter((e) => e.name === 'fork' && e.pid === 1)
				.map((e) => e.ret),
		).toEqual([-12, 2]);
		expect(endOf(r.events)).toMatchObject({reason: 'exited'});
		expect(r.k.committed).toBe(0);
	});

	it('heuristic refuses only a single request larger than all frames; always never refuses', () => {
		const h = run(prog('mmap a 64 rw-\nset r0 ret\nmmap b 65 rw-\nset r1 ret\nexit 0', '', 'frames=64'));
		expect(h.k.tasks.get(1)!.regs.r0).toBeGreaterThan(0);
		expect(h.k.tasks.get(1)!.regs.r1).toBe(-12);
		const a = run(prog('mmap b 65 rw-\nset r0 ret\nexit 0', '', 'frames=64 overcommit=always'));
		expect(a.k.tasks.get(1)!.regs.r0).toBeGreaterThan(0);
		const n = run(
			prog('mmap a 20 rw-\nset r0 ret\nmmap b 10 rw-\nset r1 ret\nmmap c 10 r--\nset r2 ret\nexit 0', '', 'frames=64 overcommit=never commit_limit=30'),
		);
		const regs = n.k.tasks.get(1)!.regs;
		expect(regs.r0).toBeGreaterThan(0);
		expect(regs.r1).toBe(-12); // stack 2 + 20 + 10 > 30
		expect(regs.r2).toBeGreaterThan(0); // read-only: not accounted
	});
});

describe('a shared anonymous mapping', () => {
	const src = prog('write sh 1\nfork\nif ret == 0 goto child\nwait\nset r0 sh\nexit 0\nchild:\nread sh\nadd r1 1\nwrite sh 2\nexit 0', 'map sh 1 rw- shared');

	it('is one frame seen by both: the child starts with no PTE for it and refaults the same frame (shmem)', () => {
		const atFork = runUntil(src, forked);
		const frame = pteOf(atFork.k, 1, HEAP)!.pfn;
		expect(pteOf(atFork.k, 2, HEAP)).toBeNull();
		expect(frameOf(atFork.k, frame)).toEqual({kind: 'shmem', refcount: 2, mapcount: 1});
		const r = run(src);
		expect(
			faults(r.events, 2)
				.filter((e) => e.region === 'sh')
				.map((e) => [e.kind, e.access, e.frame]),
		).toEqual([['shmem', 'read', frame]]);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(2);
	});

	it('while both map it: mapcount 2, refcount 3 (the object holds one)', () => {
		const r = runUntil(src, (e) => e.type === 'fault' && e.pid === 2 && e.region === 'sh');
		const frame = pteOf(r.k, 2, HEAP)!.pfn;
		expect(pteOf(r.k, 1, HEAP)!.pfn).toBe(frame);
		expect(frameOf(r.k, frame)).toEqual({kind: 'shmem', refcount: 3, mapcount: 2});
	});

	it('the object is freed with its last mapping', () => {
		const r = run(src);
		expect(framesByKind(r.k)).toEqual({zero: 1, file: 1});
	});
});
