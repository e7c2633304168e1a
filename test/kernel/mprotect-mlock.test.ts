// mprotect's change_protection and mlock's get_user_pages, as 2.6 does them.

import {describe, expect, it} from 'vitest';
import {endOf, faultKinds, ofType, pteOf, prog, run, runUntil} from '../helpers/run.js';

const HEAP = 0x60_0000;

describe('mprotect (change_protection)', () => {
	it('write-protects the PTEs of a private mapping even when it stays writable (PAGE_COPY)', () => {
		const r = runUntil(
			prog('write heap 1\nmprotect heap rw-\nwrite heap 2\nexit 0', 'map heap 1 rw-'),
			(e) => e.type === 'syscall' && e.name === 'mprotect',
		);
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({writable: false, dirty: true});
		const all = run(prog('write heap 1\nmprotect heap rw-\nwrite heap 2\nexpect heap == 2\nexit 0', 'map heap 1 rw-'));
		// the next write goes through do_wp_page, which reuses the exclusive page in place
		expect(faultKinds(all.events, 1).filter((k) => !k.startsWith('file'))).toEqual(['anon@heap', 'cow-reuse@heap']);
		expect(endOf(all.events).expects_failed).toBe(0);
	});

	it('keeps a shared writable mapping writable (PAGE_SHARED)', () => {
		const r = runUntil(prog('write shm 1\nmprotect shm rw-\nexit 0', 'map shm 1 rw- shared'), (e) => e.type === 'syscall' && e.name === 'mprotect');
		expect(pteOf(r.k, 1, HEAP)).toMatchObject({writable: true});
	});

	it('a write after mprotect r-- is segv-accerr', () => {
		const r = run(prog('write heap 1\nmprotect heap r--\nwrite heap 2\nexit 0', 'map heap 1 rw-'));
		expect(faultKinds(r.events, 1)).toContain('segv-accerr@heap');
		// force_sig_info() clears SIGNAL_UNKILLABLE: init takes the SIGSEGV, dumps core, and the kernel panics.
		expect(ofType(r.events, 'signal').map((e) => `${e.signal}:${e.action}`)).toEqual(['SIGSEGV:send', 'SIGSEGV:deliver', 'SIGSEGV:core']);
		expect(ofType(r.events, 'panic')).toMatchObject([{text: 'Attempted to kill init!'}]);
	});
});

describe('mlock (__mlock_vma_pages_range → __get_user_pages)', () => {
	it('faults every page in, writing a private writable mapping', () => {
		const r = run(prog('mlock heap\nset r0 ret\nexpect r0 == 0\nexit 0', 'map heap 3 rw-'));
		const mlockFaults = ofType(r.events, 'fault').filter((f) => f.path[0] === 'sys_mlock');
		expect(mlockFaults.map((f) => f.kind)).toEqual(['anon', 'anon', 'anon']);
		expect(mlockFaults[0]!.path).toEqual([
			'sys_mlock',
			'__mlock_vma_pages_range',
			'__get_user_pages',
			'handle_mm_fault',
			'handle_pte_fault',
			'do_anonymous_page',
		]);
	});

	it('out of memory returns -ENOMEM to the caller and kills nobody', () => {
		const r = run(prog('mlock big\nset r0 ret\nexpect r0 == -ENOMEM\nexit 0', 'map big 64 rw-', 'frames=32 overcommit=always'));
		expect(ofType(r.events, 'fault').some((f) => f.kind === 'oom')).toBe(true);
		expect(ofType(r.events, 'signal').filter((s) => s.signal === 'SIGKILL')).toEqual([]);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
	});
});
