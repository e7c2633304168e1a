// Each fault kind of docs/kernel.md: when it happens, what it maps, and the call
// path the log shows for it.

import {describe, expect, it} from 'vitest';
import {endOf, faultKinds, faults, frameOf, ofType, pteOf, prog, run} from '../helpers/run.js';

const HMF = ['handle_mm_fault', 'handle_pte_fault'];
const HEAP = 0x60_0000;

/** pid 1 forks a child that runs `child` (then exits 0); pid 1 waits and exits. */
function forked(child: string, maps = '', config = ''): string {
	return prog(`fork\nif ret == 0 goto child\nwait\nexit 0\nchild:\n${child}\nexit 0`, maps, config);
}

describe('fault kinds and their paths', () => {
	it('the first instruction fetch is a file fault on the text page', () => {
		const r = run(prog('exit 0'));
		expect(faults(r.events)).toEqual([
			{
				tick: 1,
				type: 'fault',
				pid: 1,
				kind: 'file',
				access: 'exec',
				addr: '0x400000',
				region: 'text',
				frame: 7,
				from: null,
				path: [...HMF, 'do_linear_fault', '__do_fault', 'filemap_fault'],
			},
		]);
		// The page-cache frame stays cached after the run: refcount 1 (the cache's own), mapcount 0.
		expect(frameOf(r.k, 7)).toEqual({kind: 'file', refcount: 1, mapcount: 0});
	});

	it('segv-maperr: no VMA at the address; SIGSEGV with a core dump', () => {
		const r = run(forked('read 0x100000'));
		const f = faults(r.events, 2).filter((e) => e.kind.startsWith('segv'));
		expect(f).toEqual([
			expect.objectContaining({
				kind: 'segv-maperr',
				access: 'read',
				addr: '0x100000',
				region: null,
				frame: null,
				from: null,
				path: ['do_page_fault', 'bad_area'],
			}),
		]);
		expect(
			ofType(r.events, 'signal')
				.filter((e) => e.pid === 2)
				.map((e) => `${e.signal}:${e.action}`),
		).toEqual(['SIGSEGV:send', 'SIGSEGV:deliver', 'SIGSEGV:core']);
		expect(ofType(r.events, 'exit').find((e) => e.pid === 2)).toMatchObject({code: 0, signal: 'SIGSEGV', core: true});
	});

	it('segv-accerr: the VMA forbids the access (a write to r--)', () => {
		const w = run(forked('write ro 1', 'map ro 1 r--'));
		expect(faults(w.events, 2).at(-1)).toMatchObject({
			kind: 'segv-accerr',
			access: 'write',
			addr: '0x600000',
			region: 'ro',
			frame: null,
			path: ['do_page_fault', 'bad_area_access_error'],
		});
		// A read of the same region is allowed: the zero page.
		const rd = run(prog('read ro\nexit 0', 'map ro 1 r--'));
		expect(faultKinds(rd.events)).toEqual(['file@text', 'zero@ro']);
	});

	it('zero: a read of untouched anon memory maps PFN 0 read-only and allocates nothing', () => {
		const r = run(prog('read heap[0]\nread heap[1]\nread heap[1]+8\nexit 0', 'map heap 2 rw-'));
		expect(faults(r.events).slice(1)).toEqual([
			expect.objectContaining({
				kind: 'zero',
				access: 'read',
				addr: '0x600000',
				region: 'heap',
				frame: 0,
				from: null,
				path: [...HMF, 'do_anonymous_page'],
			}),
			expect.objectContaining({kind: 'zero', access: 'read', addr: '0x601000', frame: 0}),
		]);
	});

	it('zero: the PTEs map PFN 0 read-only; the zero page shows their number as its mapcount', () => {
		const src = prog('read heap[0]\nread heap[1]\nsleep 5\nexit 0', 'map heap 2 rw-');
		const r = run(src, {max_ticks: 4});
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({pfn: 0, writable: false});
		expect(pteOf(r.k, 1, HEAP + 0x1000)).toMatchObject({pfn: 0, writable: false});
		expect(frameOf(r.k, 0)).toEqual({kind: 'zero', refcount: 1, mapcount: 2});
	});

	it('anon: a write to an untouched page allocates a zeroed frame, mapped writable and dirty', () => {
		const r = run(prog('write heap[0]+8 42\nsleep 3\nexit 0', 'map heap 2 rw-'), {max_ticks: 3});
		const f = faults(r.events)[1]!;
		expect(f).toMatchObject({kind: 'anon', access: 'write', addr: '0x600008', region: 'heap', from: null, path: [...HMF, 'do_anonymous_page']});
		expect(pteOf(r.k, 1, HEAP)).toEqual({pfn: f.frame, writable: true, dirty: true, accessed: true});
		expect(frameOf(r.k, f.frame!)).toEqual({kind: 'anon', refcount: 1, mapcount: 1});
	});

	it('file: a read of a text page not yet fetched maps its page-cache frame read-only', () => {
		const filler = Array.from({length: 1100}, () => 'yield').join('\n');
		const r = run(prog(`read text[1]+8\nsleep 2\nexit 0\n${filler}`), {max_ticks: 2});
		const f = faults(r.events)[1]!;
		expect(f).toMatchObject({
			kind: 'file',
			access: 'read',
			addr: '0x401008',
			region: 'text',
			from: null,
			path: [...HMF, 'do_linear_fault', '__do_fault', 'filemap_fault'],
		});
		expect(f.frame).not.toBe(5);
		expect(pteOf(r.k, 1, 0x40_1000)).toMatchObject({pfn: f.frame, writable: false});
		// One PTE and the cache's own reference.
		expect(frameOf(r.k, f.frame!)).toEqual({kind: 'file', refcount: 2, mapcount: 1});
	});

	it('file-cow through __do_fault: a write to a not-present private file page copies the cache page', () => {
		// A program of more than 1024 instructions has two text pages; page 1 is never fetched.
		const filler = Array.from({length: 1100}, () => 'yield').join('\n');
		const r = run(prog(`mprotect text rwx\nwrite text[1]+16 5\nexpect text[1]+16 == 5\nexit 0\n${filler}`));
		const f = faults(r.events).find((e) => e.kind === 'file-cow')!;
		expect(f).toMatchObject({access: 'write', addr: '0x401010', region: 'text', path: [...HMF, 'do_linear_fault', '__do_fault', 'filemap_fault']});
		expect(f.from).not.toBeNull();
		expect(f.frame).not.toBe(f.from);
		expect(endOf(r.events).expects_failed).toBe(0);
		// The page-cache page is left as it was: cached, unmapped.
		expect(frameOf(r.k, f.from!)).toEqual({kind: 'file', refcount: 1, mapcount: 0});
	});

	it('file-cow through do_wp_page: a write to a present page-cache PTE made writable by mprotect', () => {
		const r = run(prog('mprotect text rwx\nwrite text[0]+8 5\nexpect text[0]+8 == 5\nexit 0'));
		expect(faults(r.events).map((e) => [e.kind, e.frame, e.from, e.path.at(-1)])).toEqual([
			['file', 7, null, 'filemap_fault'],
			['file-cow', 8, 7, 'do_wp_page'],
		]);
		expect(endOf(r.events).expects_failed).toBe(0);
	});

	it('shmem: the first touch of a shared anon page allocates the object frame, mapped writable even on a read', () => {
		const r = run(prog('read sh\nsleep 3\nexit 0', 'map sh 1 rw- shared'), {max_ticks: 3});
		const f = faults(r.events)[1]!;
		expect(f).toMatchObject({kind: 'shmem', access: 'read', region: 'sh', from: null, path: [...HMF, 'do_linear_fault', '__do_fault', 'shmem_fault']});
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({pfn: f.frame, writable: true});
		// One PTE, plus the object's own reference.
		expect(frameOf(r.k, f.frame!)).toEqual({kind: 'shmem', refcount: 2, mapcount: 1});
	});

	it('cow-zero: a write to a zero-page PTE allocates a zeroed frame', () => {
		const r = run(prog('read heap\nwrite heap 7\nexpect heap == 7\nexit 0', 'map heap 1 rw-'));
		expect(
			faults(r.events)
				.slice(1)
				.map((e) => [e.kind, e.access, e.frame, e.from, e.path]),
		).toEqual([
			['zero', 'read', 0, null, [...HMF, 'do_anonymous_page']],
			['cow-zero', 'write', 9, 0, [...HMF, 'do_wp_page']],
		]);
	});

	it('cow-copy and cow-reuse: the first writer copies, the last mapper reuses', () => {
		const r = run(prog('write heap 1\nfork\nif ret == 0 goto child\nwrite heap 2\nwait\nexit 0\nchild:\nsleep 5\nwrite heap 3\nexit 0', 'map heap 1 rw-'));
		const wp = faults(r.events).filter((e) => e.kind.startsWith('cow'));
		expect(wp).toEqual([
			expect.objectContaining({pid: 1, kind: 'cow-copy', access: 'write', from: 9, path: [...HMF, 'do_wp_page']}),
			expect.objectContaining({pid: 2, kind: 'cow-reuse', access: 'write', frame: 9, from: null, path: [...HMF, 'do_wp_page']}),
		]);
	});

	it('oom: no frame left; the faulting task is killed with SIGKILL and its frames are freed', () => {
		const r = run(forked('mmap big 10 rw-\ntouch big write', '', 'frames=16'));
		const f = faults(r.events, 2);
		expect(f.at(-1)).toMatchObject({
			kind: 'oom',
			access: 'write',
			region: 'big',
			frame: null,
			from: null,
			path: [...HMF, 'do_anonymous_page', 'out_of_memory'],
		});
		expect(f.filter((e) => e.kind === 'oom')).toHaveLength(1);
		expect(ofType(r.events, 'exit').find((e) => e.pid === 2)).toMatchObject({signal: 'SIGKILL', core: false});
		expect(endOf(r.events)).toMatchObject({reason: 'exited', frames_free: 14});
	});

	it('mlock faults the pages in through get_user_pages', () => {
		const r = run(prog('mlock buf\nexpect ret == 0\nexit 0', 'map buf 2 rw-'));
		const f = faults(r.events).slice(1);
		expect(f.map((e) => e.kind)).toEqual(['anon', 'anon']);
		expect(f[0]!.path).toEqual(['sys_mlock', '__mlock_vma_pages_range', '__get_user_pages', ...HMF, 'do_anonymous_page']);
	});
});
