// Kernel steps (docs/debugger.md): for each traced function, the steps of a tick
// that calls it, exactly; and over every bundled scenario, steps that are
// numbered, nested and balanced, and a tracer that changes nothing.

import {readdirSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {stateHash} from '../../source/kernel/dump.js';
import {callOf, stepsText, traceRun} from '../helpers/ksteps.js';
import {run} from '../helpers/run.js';
import {functionsWithAddr, functionsWithVma, tracedFunctions} from '../../source/kernel/trace.js';

const scenarioDir = new URL('../../scenarios/', import.meta.url);
const bundled = readdirSync(scenarioDir)
	.filter((f) => f.endsWith('.scn'))
	.sort();
const source = (name: string): string => readFileSync(new URL(name, scenarioDir), 'utf8');

/** Expected text: the template's common indentation removed. */
function text(t: string): string {
	const lines = t
		.replace(/^\n/, '')
		.replace(/\n\s*$/, '')
		.split('\n');
	const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^\t*/.exec(l)![0].length));
	return lines.map((l) => l.slice(indent).replace(/\t/g, '  ')).join('\n');
}

function call(src: string, fn: string, n = 0): string {
	return stepsText(callOf(traceRun(src).ticks, fn, n).steps);
}

const forkAll = `
config frames=64
program init
  map heap 2 rw-
  map sh 1 rw- shared
  map nocopy 1 rw- dontfork
  map quiet 1 rw-
  map pinned 1 rw- locked
  write heap[0] 1
  read heap[1]
  write sh 5
  write nocopy 7
  fork
  if ret == 0 goto child
  wait
  exit 0
child:
  exit 0
end
`;

describe('the steps of each kernel function', () => {
	it('do_fork → copy_process → copy_mm → dup_mm → dup_mmap → copy_page_range … copy_one_pte, wake_up_new_task', () => {
		expect(call(forkAll, 'do_fork')).toBe(
			text(`
			do_fork(pid=1, clone_flags=SIGCHLD) {
				copy_process(clone_flags=SIGCHLD) {
					dup_task_struct(pid=1) {
						/* the kernel stack is pfn 14,15 (THREAD_SIZE 2 pages) */
					} dup_task_struct = 0
					copy_mm(clone_flags=SIGCHLD, oldmm=1) {
						/* no CLONE_VM: dup_mm copies the address space */
						dup_mm(oldmm=1) {
							/* mm 2 allocated, its PGD is pfn 13 (mm_init → mm_alloc_pgd) */
							dup_mmap(mm=2, oldmm=1) {
								/* vma text [0x400000-0x401000) r-x copied into mm 2 */
								copy_page_range(vma=text, start=0x400000, end=0x401000) {
									/* vma text has no anon_vma: copy_page_range skipped (its pages fault back in from the page cache) */
								} copy_page_range = 0
								/* vma heap is VM_ACCOUNT: 2 pages charged, committed 8→10 */
								/* vma heap [0x600000-0x602000) rw- copied into mm 2 */
								copy_page_range(vma=heap, start=0x600000, end=0x602000) {
									/* is_cow_mapping(vma heap): private and may write: writable PTEs are write-protected in parent and child */
									copy_pud_range(addr=0x600000, end=0x602000) {
										/* pud_alloc: the child's table is pfn 16 (mm 2 has 2 page-table pages) */
										copy_pmd_range(addr=0x600000, end=0x602000) {
											/* pmd_alloc: the child's table is pfn 17 (mm 2 has 3 page-table pages) */
											copy_pte_range(addr=0x600000, end=0x602000) {
												/* pte_alloc_map: the child's table is pfn 18 (mm 2 has 4 page-table pages) */
												copy_one_pte(addr=0x600000, pfn=10, pte=rw, vma=heap) {
													/* pte 0x600000 writable in a COW mapping: write-protect in parent and child (ptep_set_wrprotect) */
													/* get_page + page_dup_rmap: pfn 10 ref 1→2, map 1→2 */
													/* set_pte_at: the child's pte 0x600000 → pfn 10 ro */
												} copy_one_pte
												copy_one_pte(addr=0x601000, pfn=0, pte=ro, vma=heap) {
													/* pte 0x601000 already read-only: the child gets it read-only too */
													/* pfn 0 is the zero page: vm_normal_page() is NULL, no reference taken (display map count +1) */
													/* set_pte_at: the child's pte 0x601000 → pfn 0 ro */
												} copy_one_pte
												/* add_mm_rss: mm 2 rss 0→1 (2 PTEs copied here) */
											} copy_pte_range = 0
										} copy_pmd_range = 0
									} copy_pud_range = 0
								} copy_page_range = 0
								/* vma sh [0x603000-0x604000) rw- copied into mm 2 */
								copy_page_range(vma=sh, start=0x603000, end=0x604000) {
									/* vma sh has no anon_vma: copy_page_range skipped (its pages fault back in from the shmem object) */
								} copy_page_range = 0
								/* vma nocopy [0x605000-0x606000) rw- has VM_DONTCOPY (madvise dontfork): not copied, the child's total_vm -= 1 */
								/* vma quiet is VM_ACCOUNT: 1 page charged, committed 10→11 */
								/* vma quiet [0x607000-0x608000) rw- copied into mm 2 */
								copy_page_range(vma=quiet, start=0x607000, end=0x608000) {
									/* vma quiet has no anon_vma: copy_page_range skipped (nothing was ever written) */
								} copy_page_range = 0
								/* vma pinned is VM_ACCOUNT: 1 page charged, committed 11→12 */
								/* vma pinned [0x609000-0x60a000) rw- copied into mm 2, VM_LOCKED cleared (locks are not inherited) */
								copy_page_range(vma=pinned, start=0x609000, end=0x60a000) {
									/* is_cow_mapping(vma pinned): private and may write: writable PTEs are write-protected in parent and child */
									copy_pud_range(addr=0x609000, end=0x60a000) {
										copy_pmd_range(addr=0x609000, end=0x60a000) {
											copy_pte_range(addr=0x609000, end=0x60a000) {
												copy_one_pte(addr=0x609000, pfn=7, pte=rw, vma=pinned) {
													/* pte 0x609000 writable in a COW mapping: write-protect in parent and child (ptep_set_wrprotect) */
													/* get_page + page_dup_rmap: pfn 7 ref 1→2, map 1→2 */
													/* set_pte_at: the child's pte 0x609000 → pfn 7 ro */
												} copy_one_pte
												/* add_mm_rss: mm 2 rss 1→2 (1 PTE copied here) */
											} copy_pte_range = 0
										} copy_pmd_range = 0
									} copy_pud_range = 0
								} copy_page_range = 0
								/* vma stack is VM_ACCOUNT: 2 pages charged, committed 12→14 */
								/* vma stack [0x7fffffffd000-0x7ffffffff000) rw- copied into mm 2 */
								copy_page_range(vma=stack, start=0x7fffffffd000, end=0x7ffffffff000) {
									/* vma stack has no anon_vma: copy_page_range skipped (nothing was ever written) */
								} copy_page_range = 0
							} dup_mmap = 0
						} dup_mm = 2
					} copy_mm = 2
					/* pid 2: a copy of pid 1 on mm 2; it will return 0 from fork */
				} copy_process = 2
				wake_up_new_task(pid=2) {
					/* pid 2 joins the tail of the run queue; pid 1 keeps the CPU */
				} wake_up_new_task
			} do_fork = 2
		`),
		);
	});

	it('vfork: copy_mm shares the mm, init_completion, wait_for_completion sleeps; the parent resumes later', () => {
		const {ticks} = traceRun(source('vfork-completion.scn'));
		expect(stepsText(callOf(ticks, 'do_fork').steps)).toBe(
			text(`
			do_fork(pid=1, clone_flags=CLONE_VFORK|CLONE_VM|SIGCHLD) {
				copy_process(clone_flags=CLONE_VFORK|CLONE_VM|SIGCHLD) {
					dup_task_struct(pid=1) {
						/* the kernel stack is pfn 10,11 (THREAD_SIZE 2 pages) */
					} dup_task_struct = 0
					copy_mm(clone_flags=CLONE_VFORK|CLONE_VM|SIGCHLD, oldmm=1) {
						/* CLONE_VM: the child shares mm 1: mm_users 1→2, dup_mm skipped */
					} copy_mm = 1
					/* pid 2: a copy of pid 1 on mm 1; it will return 0 from vfork */
				} copy_process = 2
				init_completion(x=1, owner=1) {
					/* completion 1 on pid 1's kernel stack: done = 0 */
				} init_completion
				/* CLONE_VFORK: p->vfork_done = &vfork (completion 1 on pid 1's kernel stack) */
				wake_up_new_task(pid=2) {
					/* pid 2 joins the tail of the run queue; pid 1 keeps the CPU */
				} wake_up_new_task
				wait_for_completion(x=1, pid=1) {
					/* done = 0: pid 1 sleeps in TASK_UNINTERRUPTIBLE (D) until complete(); schedule() */
				} wait_for_completion = asleep
			} do_fork = asleep
		`),
		);
		const exit = callOf(ticks, 'exit_mm');
		expect(stepsText(exit.steps)).toBe(
			text(`
			exit_mm(pid=2, mm=1) {
				mm_release(pid=2, vfork_done=1) {
					/* vfork_done = completion 1: cleared, then complete() wakes the vfork parent */
					complete(x=1, by=2) {
						/* done 0→1 */
						/* pid 1 was waiting: woken (D→R), back on the run queue */
					} complete
				} mm_release
				/* pid 2 leaves mm 1 (tsk->mm = NULL) */
				mmput(mm=1) {
					/* mm_users 2→1: mm 1 still has users, nothing is freed */
				} mmput
			} exit_mm
		`),
		);
		const resumed = callOf(ticks, 'wait_for_completion', 1);
		expect(resumed.tick).toBeGreaterThan(exit.tick);
		expect(stepsText(resumed.steps)).toBe(
			text(`
			wait_for_completion(x=1, pid=1, resumed=true) {
				/* back from schedule(): done 1→0, the count is taken; do_fork returns and completion 1 leaves the stack */
			} wait_for_completion
		`),
		);
	});

	it('exec_mmap → mm_release → complete, then mmput of the old mm', () => {
		expect(call(source('vfork-exec.scn'), 'exec_mmap')).toBe(
			text(`
			exec_mmap(pid=2, mm=2, old_mm=1) {
				mm_release(pid=2, vfork_done=1) {
					/* vfork_done = completion 1: cleared, then complete() wakes the vfork parent */
					complete(x=1, by=2) {
						/* done 0→1 */
						/* pid 1 was waiting: woken (D→R), back on the run queue */
					} complete
				} mm_release
				/* pid 2 switches to mm 2; the old mm 1 is put */
				mmput(mm=1) {
					/* mm_users 2→1: mm 1 still has users, nothing is freed */
				} mmput
			} exec_mmap
		`),
		);
	});

	it('do_wp_page: copy, reuse, zero page', () => {
		expect(call(source('fault-cow-copy.scn'), 'do_wp_page')).toBe(
			text(`
			do_wp_page(vma=heap, addr=0x600000, pfn=9, refcount=2, mapcount=2) {
				/* page_mapcount(pfn 9) = 2: cannot reuse, copy */
				/* alloc_page_vma: pfn 17; cow_user_page copies pfn 9 into it (ref 1, map 1) */
				/* set_pte_at: pte 0x600000 → pfn 17 rw (was pfn 9 ro) */
				/* page_remove_rmap + page_cache_release: pfn 9 ref 2→1, map 2→1: its other mapper will reuse it */
			} do_wp_page = ok
		`),
		);
		expect(call(source('fault-cow-reuse.scn'), 'do_wp_page')).toBe(
			text(`
			do_wp_page(vma=heap, addr=0x600000, pfn=9, refcount=1, mapcount=1) {
				/* page_mapcount(pfn 9) = 1: reuse (reuse_swap_page): pte 0x600000 made writable in place, no copy */
			} do_wp_page = ok
		`),
		);
		expect(call(source('fault-cow-zero.scn'), 'do_wp_page')).toBe(
			text(`
			do_wp_page(vma=heap, addr=0x600000, pfn=0, refcount=1, mapcount=1) {
				/* pfn 0 is the zero page: a zeroed page replaces it (cow-zero) */
				/* alloc_zeroed_user_highpage: pfn 9 (ref 1, map 1) */
				/* set_pte_at: pte 0x600000 → pfn 9 rw (was pfn 0 ro) */
			} do_wp_page = ok
		`),
		);
	});

	it('do_page_fault → handle_mm_fault → handle_pte_fault → do_anonymous_page (write, then read: the zero page)', () => {
		const {ticks} = traceRun(forkAll);
		expect(stepsText(callOf(ticks, 'do_page_fault', 1).steps)).toBe(
			text(`
			do_page_fault(pid=1, addr=0x600000, access=write) {
				/* vma heap (rw-) allows the write: handle_mm_fault */
				handle_mm_fault(mm=1, vma=heap, addr=0x600000, access=write) {
					handle_pte_fault(vma=heap, addr=0x600000, pte=none, access=write) {
						/* pte 0x600000 not present: first touch of an anonymous mapping: do_anonymous_page */
						do_anonymous_page(vma=heap, addr=0x600000, access=write) {
							/* a write: alloc_zeroed_user_highpage gives pfn 10 (ref 1, map 1); anon_vma_prepare: vma heap now has anon pages (fork will copy its PTEs) */
							/* set_pte_at: pte 0x600000 → pfn 10 rw, dirty; mm 1 rss 3 */
						} do_anonymous_page = ok
					} handle_pte_fault = ok
				} handle_mm_fault = ok
			} do_page_fault = ok
		`),
		);
		expect(stepsText(callOf(ticks, 'do_anonymous_page', 1).steps)).toBe(
			text(`
			do_anonymous_page(vma=heap, addr=0x601000, access=read) {
				/* a read: map the zero page (pfn 0) read-only at 0x601000; a later write copies it (cow-zero) */
			} do_anonymous_page = ok
		`),
		);
	});

	it('__do_fault: a page-cache page mapped for an exec', () => {
		expect(call(forkAll, 'do_linear_fault')).toBe(
			text(`
			do_linear_fault(vma=text, addr=0x400000, access=exec, pgoff=0) {
				__do_fault(vma=text, pgoff=0) {
					/* filemap_fault: page 0 of 'init' is page-cache pfn 9 */
					/* an exec: the cache page itself is mapped read-only (ref 1→2, map 0→1) */
				} __do_fault = ok
			} do_linear_fault = ok
		`),
		);
	});

	it('exit_mmap → zap_pte_range (each PTE, each count) → free_pgtables', () => {
		expect(call(source('fork-cow.scn'), 'exit_mmap')).toBe(
			text(`
			exit_mmap(mm=2, vmas=3) {
				zap_pte_range(mm=2, vma=text, start=0x400000, end=0x401000) {
					/* pte 0x400000 cleared: page_remove_rmap + put_page on pfn 7: ref 3→2, map 2→1 */
				} zap_pte_range
				zap_pte_range(mm=2, vma=heap, start=0x600000, end=0x602000) {
					/* pte 0x600000 cleared: page_remove_rmap + put_page on pfn 18: ref 1→0, map 1→0, freed */
					/* pte 0x601000 cleared: page_remove_rmap + put_page on pfn 10: ref 2→1, map 2→1 */
				} zap_pte_range
				/* vma heap was VM_ACCOUNT: vm_unacct_memory(2), committed 8→6 */
				zap_pte_range(mm=2, vma=stack, start=0x7fffffffd000, end=0x7ffffffff000) {
				} zap_pte_range
				/* vma stack was VM_ACCOUNT: vm_unacct_memory(2), committed 6→4 */
				free_pgtables(mm=2, pgtables=5) {
					/* 5 page-table pages freed (pfn 17, 16, 15, 14, 11) */
				} free_pgtables
			} exit_mmap
		`),
		);
	});

	it('dup_mmap refuses a VM_ACCOUNT charge: -ENOMEM, and mmput tears the half-built mm down', () => {
		const steps = call(source('overcommit-never-fork-enomem.scn'), 'dup_mm');
		expect(steps).toContain(
			'/* vma big is VM_ACCOUNT: security_vm_enough_memory(8) refuses (committed 18, overcommit never, limit 24): -ENOMEM */\n  } dup_mmap = -12',
		);
		expect(steps).toContain(
			text(`
			  /* dup_mmap failed (-12): free_pt, mmput tears mm 2 down */
			  mmput(mm=2) {
			    /* mm_users 1→0: the last user is gone, exit_mmap tears mm 2 down */
			    exit_mmap(mm=2, vmas=2) {`),
		);
		expect(steps.endsWith('    /* mm 2 freed (mmdrop) */\n  } mmput\n} dup_mm = -12')).toBe(true);
	});

	it('a core dump (2.6.32): get_signal_to_deliver → do_coredump → coredump_wait: zap_threads, vfork_done completed, the dumper waits for the zapped parent', () => {
		expect(call(source('vfork-coredump.scn'), 'get_signal_to_deliver')).toBe(
			text(`
			get_signal_to_deliver(pid=3, signal=SIGSEGV) {
				/* SIGSEGV: default action is to dump core (sig_kernel_coredump): do_coredump, then do_exit */
				do_coredump(pid=3, signal=SIGSEGV) {
					coredump_wait(pid=3, vfork_done=1) {
						init_completion(x=2, owner=3) {
							/* completion 2 on pid 3's kernel stack: done = 0 */
						} init_completion
						zap_threads(pid=3, mm=2) {
							/* SIGKILL to pid 2 (every process on mm 2) */
						} zap_threads = 1
						/* vfork_done = completion 1: cleared and completed here, or the vfork parent and the dump would wait on each other */
						mm_release(pid=3, vfork_done=1) {
							/* vfork_done = completion 1: cleared, then complete() wakes the vfork parent */
							complete(x=1, by=3) {
								/* done 0→1 */
								/* pid 2 was waiting: woken (D→R), back on the run queue */
							} complete
						} mm_release
						wait_for_completion(x=2, pid=3) {
							/* done = 0: pid 3 sleeps in TASK_UNINTERRUPTIBLE (D) until complete(); schedule() */
						} wait_for_completion = asleep
						/* 1 core waiter(s): the dumper sleeps in D on core_state->startup until they reach exit_mm */
					} coredump_wait = 1
				} do_coredump
			} get_signal_to_deliver
		`),
		);
	});

	it('out_of_memory, copy_process -EINVAL, no-MMU fork', () => {
		expect(call(source('fault-oom.scn'), 'out_of_memory')).toBe(
			text(`
			out_of_memory(pid=2, addr=0x601000) {
				/* no free frame for the write at 0x601000 (0 free): VM_FAULT_OOM */
			} out_of_memory = oom
		`),
		);
		expect(call(source('clone-einval.scn'), 'copy_process')).toBe(
			text(`
			copy_process(clone_flags=CLONE_SIGHAND|SIGCHLD) {
				/* CLONE_SIGHAND without CLONE_VM: shared signal handlers need a shared VM: -EINVAL */
			} copy_process = -22
		`),
		);
		const nommu = traceRun(source('nommu-fork-einval.scn')).ticks.flatMap((t) => t.steps);
		expect(nommu.some((s) => s.text === 'sys_fork: no MMU, fork cannot be supported: -EINVAL (do_fork is not called)')).toBe(true);
		expect(nommu.some((s) => s.fn === 'do_fork' && s.phase === 'enter' && s.args.clone_flags === 'SIGCHLD')).toBe(false);
	});

	it('do_munmap → zap_pte_range, and an unmapped name is no error', () => {
		const src = `
config frames=64
program init
  map heap 1 rw-
  write heap[0] 1
  munmap heap
  munmap heap
  exit 0
end
`;
		const {ticks} = traceRun(src);
		expect(stepsText(callOf(ticks, 'do_munmap').steps)).toBe(
			text(`
			do_munmap(mm=1, region=heap) {
				zap_pte_range(mm=1, vma=heap, start=0x600000, end=0x601000) {
					/* pte 0x600000 cleared: page_remove_rmap + put_page on pfn 9: ref 1→0, map 1→0, freed */
				} zap_pte_range
				/* vma heap was VM_ACCOUNT: vm_unacct_memory(1), committed 3→2 */
			} do_munmap = 0
		`),
		);
		expect(stepsText(callOf(ticks, 'do_munmap', 1).steps)).toBe(
			text(`
			do_munmap(mm=1, region=heap) {
				/* no VMA named heap: nothing to unmap, not an error */
			} do_munmap = 0
		`),
		);
	});
});

describe('over every bundled scenario', () => {
	it.each(bundled)('%s: steps numbered from 0, enters and exits balanced, depths consistent; tracing changes nothing', (name) => {
		const src = source(name);
		const traced = traceRun(src);
		const plain = run(src);
		expect(stateHash(traced.k)).toBe(stateHash(plain.k));
		const known = new Set<string>(tracedFunctions);
		for (const {tick, steps} of traced.ticks) {
			const stack: string[] = [];
			steps.forEach((s, i) => {
				expect(s.seq, `tick ${tick}`).toBe(i);
				if (s.phase === 'enter') {
					expect(known.has(s.fn), `${s.fn} is in tracedFunctions`).toBe(true);
					expect(s.depth).toBe(stack.length);
					stack.push(s.fn);
				} else if (s.phase === 'exit') {
					expect(stack.pop()).toBe(s.fn);
					expect(s.depth).toBe(stack.length);
				} else {
					expect(s.depth).toBe(stack.length);
					expect(s.text).not.toBe('');
				}
			});
			expect(stack, `tick ${tick} ends with every call closed`).toEqual([]);
		}
	});

	it('every traced function is entered by some bundled scenario', () => {
		const entered = new Set<string>();
		for (const name of bundled) for (const t of traceRun(source(name)).ticks) for (const s of t.steps) if (s.phase === 'enter') entered.add(s.fn);
		for (const t of traceRun(forkAll).ticks) for (const s of t.steps) if (s.phase === 'enter') entered.add(s.fn);
		expect([...tracedFunctions].filter((f) => !entered.has(f))).toEqual([]);
	});

	it('a function is listed with a VMA or an address exactly when its steps carry one (func= takes region= and addr= by these lists)', () => {
		const withVma = new Set<string>();
		const withAddr = new Set<string>();
		for (const src of [...bundled.map(source), forkAll]) {
			for (const t of traceRun(src).ticks) {
				for (const s of t.steps) {
					if (s.phase !== 'enter') continue;
					if (typeof s.args.vma === 'string') withVma.add(s.fn);
					if (typeof (s.args.addr ?? s.args.start) === 'string') withAddr.add(s.fn);
				}
			}
		}
		expect([...functionsWithVma].sort()).toEqual([...withVma].sort());
		expect([...functionsWithAddr].sort()).toEqual([...withAddr].sort());
	});
});
