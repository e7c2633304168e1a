// fork and copy-on-write (docs/kernel.md): what fork shares, what it
// write-protects, what it skips, what it costs, and who copies or reuses.

import {describe, expect, it} from 'vitest';
import {continueUntil, endOf, faultKinds, faults, frameOf, framesByKind, mmOf, ofType, pteOf, prog, run, runUntil} from '../helpers/run.js';
import type {KernelEvent} from '../../source/kernel/events.js';

const HEAP = 0x60_0000;
const isFork = (e: KernelEvent): boolean => e.type === 'syscall' && e.name === 'fork' && e.child !== undefined;

describe('fork shares every anon page write-protected', () => {
	const src = prog('write heap[0] 1\nwrite heap[1] 2\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nexit 0', 'map heap 2 rw-');

	it('right after fork, parent and child map the same frames read-only; mapcount 2, refcount 2', () => {
		const r = runUntil(src, isFork);
		for (const va of [HEAP, HEAP + 0x1000]) {
			const p = pteOf(r.k, 1, va)!;
			const c = pteOf(r.k, 2, va)!;
			expect(c.pfn).toBe(p.pfn);
			expect(p.writable).toBe(false);
			expect(c.writable).toBe(false);
			expect(frameOf(r.k, p.pfn)).toEqual({kind: 'anon', refcount: 2, mapcount: 2});
		}
		// The child's copy is old (accessed cleared); the dirty bit of a private page is kept.
		expect(pteOf(r.k, 2, HEAP)).toMatchObject({accessed: false, dirty: true});
		// The text VMA has no anon pages: copy_page_range skipped it.
		expect(pteOf(r.k, 1, 0x40_0000)).not.toBeNull();
		expect(pteOf(r.k, 2, 0x40_0000)).toBeNull();
		expect(mmOf(r.k, 2).rss).toBe(2);
		expect(mmOf(r.k, 2).id).not.toBe(mmOf(r.k, 1).id);
	});

	it('reports the cost: VMAs walked, PTEs copied, page-table pages allocated', () => {
		const r = runUntil(src, isFork);
		const fork = ofType(r.events, 'syscall').find(isFork)!;
		// text, heap, stack walked; 2 heap PTEs; PGD + PUD + PMD + one PTE page.
		expect(fork).toMatchObject({pid: 1, name: 'fork', ret: 2, child: 2, cost: {vmas: 3, ptes: 2, pgtables: 4}});
		expect(mmOf(r.k, 2).pgtables).toBe(4);
	});

	it('the cost grows with the VMAs and with the page tables the PTEs need', () => {
		const maps = 'map a 8 rw-\nmap b 8 rw-\nmap c 1 r--\nmap far 2 rw- at 0x40000000';
		const r = runUntil(prog('touch a write\ntouch b write\nread c\ntouch far write\nfork\nexit 0', maps), isFork);
		const fork = ofType(r.events, 'syscall').find(isFork)!;
		// 6 VMAs (text a b c far stack); 8 + 8 + 2 PTEs (c only maps the zero page and has no anon_vma);
		// far is 1 GiB up: a second PUD entry, so its own PMD and PTE pages.
		expect(fork.cost).toEqual({vmas: 6, ptes: 18, pgtables: 6});
	});
});

describe('the first write after fork', () => {
	it('is exactly one fault per process and page; later writes and all reads do not fault', () => {
		const r = run(
			prog(
				[
					'write heap 1',
					'fork',
					'if ret == 0 goto child',
					'read heap',
					'write heap 2',
					'write heap+8 3',
					'read heap',
					'wait',
					'read heap',
					'write heap 4',
					'exit 0',
					'child:',
					'read heap',
					'read heap+8',
					'write heap 5',
					'write heap 6',
					'read heap',
					'exit 0',
				].join('\n'),
				'map heap 1 rw-',
			),
		);
		expect(faultKinds(r.events, 1)).toEqual(['file@text', 'anon@heap', 'cow-copy@heap']);
		expect(faultKinds(r.events, 2)).toEqual(['file@text', 'cow-reuse@heap']);
	});

	it('copies while the other side still maps the page, and the last mapper reuses it', () => {
		const r = run(
			prog(
				'write heap 1\nfork\nif ret == 0 goto child\nwait\nwrite heap 3\nexpect heap == 3\nexit 0\nchild:\nwrite heap 2\nexpect heap == 2\nexit 0',
				'map heap 1 rw-',
			),
		);
		const wp = faults(r.events).filter((e) => e.kind.startsWith('cow'));
		expect(wp.map((e) => [e.pid, e.kind, e.frame, e.from])).toEqual([
			[2, 'cow-copy', wp[0]!.frame, 9],
			[1, 'cow-reuse', 9, null],
		]);
		expect(wp[0]!.frame).not.toBe(9);
		expect(endOf(r.events).expects_failed).toBe(0);
	});

	it('after the child was reaped the parent PTE is still read-only, until its write reuses the frame', () => {
		const src = prog('write heap 1\nfork\nif ret == 0 goto child\nwait\nread heap\nwrite heap 3\nexit 0\nchild:\nexit 0', 'map heap 1 rw-');
		const r = runUntil(src, (e) => e.type === 'reap');
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({pfn: 9, writable: false});
		expect(frameOf(r.k, 9)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
		continueUntil(r, (e) => e.type === 'fault' && e.pid === 1 && e.region === 'heap');
		expect(faults(r.events, 1).at(-1)).toMatchObject({kind: 'cow-reuse', frame: 9, from: null});
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({pfn: 9, writable: true, dirty: true});
		// The read before it did not fault.
		expect(faultKinds(r.events, 1)).toEqual(['file@text', 'anon@heap', 'cow-reuse@heap']);
	});

	it('cow-copy moves one reference: the old frame drops to 1, the new one has 1', () => {
		const src = prog('write heap 1\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nwrite heap 2\nsleep 3\nexit 0', 'map heap 1 rw-');
		const r = runUntil(src, (e) => e.type === 'fault' && e.kind === 'cow-copy');
		const f = faults(r.events).at(-1)!;
		expect(frameOf(r.k, 9)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
		expect(frameOf(r.k, f.frame!)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
		expect(pteOf(r.k, 2, HEAP)).toMatchObject({pfn: f.frame, writable: true});
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({pfn: 9, writable: false});
	});
});

describe('the zero page and anon_vma at fork', () => {
	it('a VMA only read has no anon_vma: fork copies none of its PTEs, the child writes fresh anon pages', () => {
		const src = prog('touch ro read\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\ntouch ro write\nexit 0', 'map ro 2 rw-');
		const atFork = runUntil(src, isFork);
		expect(pteOf(atFork.k, 1, HEAP)).toMatchObject({pfn: 0});
		expect(pteOf(atFork.k, 2, HEAP)).toBeNull();
		expect(ofType(atFork.events, 'syscall').find(isFork)!.cost!.ptes).toBe(0);
		const r = run(src);
		expect(faultKinds(r.events, 2)).toEqual(['file@text', 'anon@ro', 'anon@ro']);
	});

	it('once the VMA has an anon page, fork copies its zero-page PTEs too, and the child writes there are cow-zero', () => {
		const src = prog(
			'touch mixed read\nwrite mixed[2] 1\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nwrite mixed[0] 5\nwrite mixed[1] 5\nexit 0',
			'map mixed 3 rw-',
		);
		const atFork = runUntil(src, isFork);
		expect(pteOf(atFork.k, 2, HEAP)).toMatchObject({pfn: 0, writable: false});
		expect(ofType(atFork.events, 'syscall').find(isFork)!.cost!.ptes).toBe(3);
		// The zero page's display count: two PTEs in each process.
		expect(frameOf(atFork.k, 0).mapcount).toBe(4);
		const r = run(src);
		expect(
			faults(r.events, 2)
				.slice(1)
				.map((e) => [e.kind, e.from]),
		).toEqual([
			['cow-zero', 0],
			['cow-zero', 0],
		]);
	});

	it('text pages are not copied: the child faults them back from the page cache, same frame', () => {
		const r = run(prog('fork\nif ret == 0 goto child\nwait\nexit 0\nchild:\nexit 0'));
		const text = faults(r.events).filter((e) => e.region === 'text');
		expect(text.map((e) => [e.pid, e.kind, e.frame])).toEqual([
			[1, 'file', 7],
			[2, 'file', 7],
		]);
	});

	it('a shared mapping is not write-protected at fork: the parent writes without a fault', () => {
		const src = prog('write sh 1\nfork\nif ret == 0 goto child\nwrite sh 2\nwait\nexit 0\nchild:\nsleep 5\nexpect sh == 2\nexit 0', 'map sh 1 rw- shared');
		const atFork = runUntil(src, isFork);
		expect(pteOf(atFork.k, 1, HEAP)).toMatchObject({writable: true});
		const r = run(src);
		expect(faultKinds(r.events, 1)).toEqual(['file@text', 'shmem@sh']);
		expect(faultKinds(r.events, 2)).toEqual(['file@text', 'shmem@sh']);
		expect(endOf(r.events).expects_failed).toBe(0);
	});
});

describe('teardown', () => {
	it('after the run only the zero page and page-cache frames remain', () => {
		const r = run(
			prog(
				'touch a write\ntouch b read\nwrite sh 1\nfork\nif ret == 0 goto child\nwait\nexit 0\nchild:\ntouch a write\nwrite b 1\nexec other',
				'map a 4 rw-\nmap b 2 rw-\nmap sh 2 rw- shared',
			) + 'program other\nmap x 3 rw-\ntouch x write\nexit 0\nend\n',
		);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
		expect(framesByKind(r.k)).toEqual({zero: 1, file: 2});
		expect(frameOf(r.k, 0)).toEqual({kind: 'zero', refcount: 1, mapcount: 0});
		expect(r.k.mms.size).toBe(0);
		expect(r.k.committed).toBe(0);
		expect(r.k.shmem.size).toBe(0);
	});

	it("exit_mmap of one side leaves the other side's pages mapped with the right counts", () => {
		const src = prog('touch a write\nfork\nif ret == 0 goto child\nwait\nsleep 2\nexit 0\nchild:\nexit 0', 'map a 3 rw-');
		const r = runUntil(src, (e) => e.type === 'exit' && e.pid === 2);
		for (let i = 0; i < 3; i++) {
			const p = pteOf(r.k, 1, HEAP + i * 0x1000)!;
			expect(p.writable).toBe(false);
			expect(frameOf(r.k, p.pfn)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
		}
		expect(framesByKind(r.k)).toEqual({zero: 1, file: 1, anon: 3, pgtable: 5, kstack: 4});
	});
});
