// No-MMU mode (docs/kernel.md): no page tables, no faults, VA == PA, fork refused,
// vfork shared and blocking, clone without vm an empty mm (6.18) or the parent's VMA list
// (2.6.32, test/kernel/eras.test.ts), and unprotected accesses.

import {describe, expect, it} from 'vitest';
import {stateDump} from '../../source/kernel/dump.js';
import {PAGE_SIZE} from '../../source/kernel/types.js';
import {endOf, faults, frameOf, framesByKind, mmOf, ofType, prog, run, runUntil} from '../helpers/run.js';

const NOMMU = 'mmu=off frames=64';

describe('no-MMU', () => {
	it('fork returns -EINVAL and creates nothing', () => {
		const r = run(prog('fork\nset r0 ret\nwait\nset r1 ret\nexit 0', '', NOMMU));
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1]).toEqual([-22, -10]);
		expect(ofType(r.events, 'syscall')[0]).toEqual({tick: 1, type: 'syscall', pid: 1, name: 'fork', ret: -22});
	});

	it('has no page tables and no faults of any kind, whatever the program does', () => {
		const r = run(
			prog(
				'write heap 1\nread heap[1]\nvfork\nif ret == 0 goto child\nmprotect heap r--\nwrite heap 3\nmlock heap\nwait\nexit 0\nchild:\nwrite heap 2\nread 0x10\nexit 0',
				'map heap 2 rw-',
				NOMMU,
			),
		);
		expect(faults(r.events)).toEqual([]);
		expect(framesByKind(r.k).pgtable).toBeUndefined();
		expect(ofType(r.events, 'signal').filter((e) => e.signal !== 'SIGCHLD')).toEqual([]);
		expect(endOf(r.events).reason).toBe('exited');
	});

	it('each mapping is contiguous frames at exec, and its virtual address is its physical address', () => {
		const r = runUntil(prog('mmap extra 3 rw-\nsleep 2\nexit 0', 'map heap 2 rw-', NOMMU), (e) => e.type === 'syscall' && e.name === 'mmap');
		const mm = mmOf(r.k, 1);
		expect(mm.pgd).toBe(-1);
		for (const vma of mm.vmas) {
			expect(vma.pfn).not.toBeNull();
			expect(vma.start).toBe(vma.pfn! * PAGE_SIZE);
		}
		const extra = mm.vmas.find((v) => v.region === 'extra')!;
		expect(ofType(r.events, 'syscall').find((e) => e.name === 'mmap')!.ret).toBe(extra.start);
		for (let p = extra.pfn!; p < extra.pfn! + 3; p++) expect(frameOf(r.k, p)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
		expect(stateDump(r.k).mms[0]!.ptes).toEqual([]);
	});

	it('vfork shares the mm and blocks the parent until the child exits', () => {
		const r = run(
			prog('write heap 1\nvfork\nif ret == 0 goto child\nset r0 heap\nwait\nexit 0\nchild:\nwrite heap 2\ncompute 3\nexit 0', 'map heap 1 rw-', NOMMU),
		);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(2);
		expect(ofType(r.events, 'completion').map((e) => [e.action, e.via])).toEqual([
			['init', null],
			['wait', null],
			['complete', 'exit_mm'],
			['wake', null],
		]);
		expect(
			ofType(r.events, 'state')
				.filter((e) => e.pid === 1)
				.map((e) => e.to),
		).toEqual(['D', 'R', 'Z']);
		expect(ofType(r.events, 'unprotected')).toEqual([]);
	});

	it('vfork then exec: the parent wakes via exec_mmap', () => {
		const r = run(prog('vfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nexec other', '', NOMMU) + 'program other\nexit 0\nend\n');
		expect(ofType(r.events, 'completion').find((e) => e.action === 'complete')).toMatchObject({by: 2, via: 'exec_mmap'});
	});

	it('clone without vm (6.18): an empty mm, and the child goes on in the parent memory through unprotected accesses', () => {
		const src = prog(
			'write heap 1\nclone sigchld\nif ret == 0 goto child\nwait\nset r0 heap\nexit 0\nchild:\nset r1 heap\nwrite heap r1\nadd r1 1\nwrite heap r1\nexit 0',
			'map heap 1 rw-',
			NOMMU + ' kernel=6.18',
		);
		const atClone = runUntil(src, (e) => e.type === 'syscall' && e.name === 'clone');
		expect(mmOf(atClone.k, 2).vmas).toEqual([]);
		expect(mmOf(atClone.k, 2).id).not.toBe(mmOf(atClone.k, 1).id);
		expect(ofType(atClone.events, 'syscall').find((e) => e.name === 'clone')).toMatchObject({ret: 2, cost: {vmas: 0, ptes: 0, pgtables: 0}});
		// Not blocked.
		expect(atClone.k.tasks.get(1)!.state).toBe('R');
		const r = run(src);
		const heap = mmOf(atClone.k, 1).vmas.find((v) => v.region === 'heap')!;
		expect(ofType(r.events, 'unprotected')).toEqual([
			expect.objectContaining({pid: 2, access: 'read', addr: '0x' + heap.start.toString(16), frame: heap.pfn}),
			expect.objectContaining({pid: 2, access: 'write', frame: heap.pfn}),
			expect.objectContaining({pid: 2, access: 'write', frame: heap.pfn}),
		]);
		expect(r.k.tasks.get(1)!.regs.r0).toBe(2);
		expect(faults(r.events)).toEqual([]);
	});

	it('an access outside every mapping reads or writes the physical word there', () => {
		const r = run(prog('write 0x3f000 7\nread 0x3f000\nset r0 ret\nread 0x1000000\nset r1 ret\nexit 0', '', NOMMU));
		expect(ofType(r.events, 'unprotected').map((e) => [e.access, e.addr, e.frame])).toEqual([
			['write', '0x3f000', 63],
			['read', '0x3f000', 63],
			['read', '0x1000000', null],
		]);
		const regs = r.k.tasks.get(1)!.regs;
		expect([regs.r0, regs.r1]).toEqual([7, 0]);
	});

	it('text frames are shared by every process running the program', () => {
		const src =
			prog('vfork\nif ret == 0 goto run\nvfork\nif ret == 0 goto run\nwait\nwait\nexit 0\nrun:\nexec worker', '', NOMMU) +
			'program worker\nsleep 6\nexit 0\nend\n';
		const r = runUntil(src, (e) => e.type === 'exec' && e.pid === 3);
		const t2 = mmOf(r.k, 2).vmas.find((v) => v.region === 'text')!;
		const t3 = mmOf(r.k, 3).vmas.find((v) => v.region === 'text')!;
		expect(t3.pfn).toBe(t2.pfn);
		expect(t2.start).toBe(t2.pfn! * PAGE_SIZE);
		// Two mm's use it, plus the cache's own reference.
		expect(frameOf(r.k, t2.pfn!)).toEqual({kind: 'file', refcount: 3, mapcount: 2});
		const end = run(src);
		expect(frameOf(end.k, t2.pfn!)).toEqual({kind: 'file', refcount: 1, mapcount: 0});
		expect(framesByKind(end.k)).toEqual({zero: 1, file: 2});
	});

	it('mprotect, mlock, munlock and madvise are not built without an MMU (-ENOSYS, both eras); a write to the region lands anyway', () => {
		for (const kernel of ['2.6.32', '6.18'] as const) {
			const r = run(
				prog(
					'write heap 1\nmprotect heap r--\nset r0 ret\nwrite heap 2\nset r1 heap\nmlock heap\nset r2 ret\nmunlock heap\nset r3 ret\nmadvise heap dontfork\nset r4 ret\nexit 0',
					'map heap 1 rw-',
					NOMMU,
				),
				{kernel},
			);
			const regs = r.k.tasks.get(1)!.regs;
			expect([regs.r0, regs.r1, regs.r2, regs.r3, regs.r4]).toEqual([-38, 2, -38, -38, -38]);
		}
	});
});
