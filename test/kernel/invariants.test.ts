// checkInvariants: clean states pass, and each rule fires on a state broken on
// purpose, naming the object. Plus the regressions of the kernel bugs it found.

import {describe, expect, it} from 'vitest';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {cloneKernel} from '../../source/kernel/dump.js';
import {lookupPte, mkPte, pteTable, ptePfn} from '../../source/kernel/pgtable.js';
import {allocPage} from '../../source/kernel/page-alloc.js';
import {FRAME_ANON, PAGE_SIZE, PTE_RW, PTRS_PER_TABLE, type KernelState} from '../../source/kernel/types.js';
import {formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseScenario} from '../../source/scenario/parser.js';

function parse(source: string) {
	const r = parseScenario(source, 'inline.scn');
	if (!r.ok) throw new Error(formatDiagnostics(r.errors));
	return r.scenario;
}

/** Boot and step until `until` holds (or the run ends), checking every tick on the way. */
function runUntil(source: string, until: (k: KernelState) => boolean = () => false): KernelState {
	const k = boot(parse(source));
	expect(checkInvariants(k)).toEqual([]);
	while (k.ended === null && !until(k)) {
		stepTick(k);
		expect(checkInvariants(k), `tick ${k.tick}`).toEqual([]);
		expect(checkInvariants(k, {fast: true}), `tick ${k.tick} (fast)`).toEqual([]);
	}
	return k;
}

const FORKED = `
config frames=64
program init
  map heap 2 rw-
  map sh 1 rw- shared
  write heap[0] 1
  write heap[1] 2
  write sh 3
  read heap[1]
  fork
  if ret == 0 goto child
  vfork
  if ret == 0 goto vchild
  sleep 2
  wait
  wait
  exit 0
child:
  sleep 5
  exit 0
vchild:
  compute 3
  exit 0
end
`;

/** The state with pid 1 in D on the vfork, pid 2 asleep on a timer and pid 3 (the vfork child) running. */
function forked(): KernelState {
	return runUntil(FORKED, (k) => k.tasks.get(1)?.state === 'D' && k.tasks.get(3)?.state === 'R' && k.current === 3);
}

function pteOf(k: KernelState, mmId: number, va: number): number {
	return lookupPte(k.frames, k.mms.get(mmId)!.pgd, va / PAGE_SIZE);
}

function setPteRaw(k: KernelState, mmId: number, va: number, pte: number): void {
	const leaf = pteTable(k.frames, k.mms.get(mmId)!.pgd, va / PAGE_SIZE)!;
	leaf[(va / PAGE_SIZE) % PTRS_PER_TABLE] = pte;
}

/** The rules broken after `mutate`, in full and in fast mode. */
function broken(mutate: (k: KernelState) => void, base: () => KernelState = forked): {full: string[]; fast: string[]} {
	const k = cloneKernel(base());
	expect(checkInvariants(k)).toEqual([]);
	mutate(k);
	return {full: checkInvariants(k), fast: checkInvariants(k, {fast: true})};
}

function expectRule(r: {full: string[]; fast: string[]}, pattern: RegExp, alsoFast = true): void {
	expect(
		r.full.some((m) => pattern.test(m)),
		`full: ${JSON.stringify(r.full)}`,
	).toBe(true);
	if (alsoFast)
		expect(
			r.fast.some((m) => pattern.test(m)),
			`fast: ${JSON.stringify(r.fast)}`,
		).toBe(true);
}

describe('checkInvariants on clean states', () => {
	it('holds at every tick of fork, vfork, shared memory, sleep and wait', () => {
		const k = runUntil(FORKED);
		expect(k.ended).toBe('exited');
	});

	it('holds at every tick of a no-MMU vfork and clone', () => {
		const k = runUntil(`
config mmu=off frames=64
program init
  map heap 2 rw-
  write heap[0] 1
  clone sigchld
  if ret == 0 goto child
  vfork
  if ret == 0 goto vchild
  wait
  wait
  exit 0
child:
  write heap[1] 7
  exec other
vchild:
  exec other
end
program other
  map buf 2 rw-
  touch buf write
  exit 0
end
`);
		expect(k.ended).toBe('exited');
	});

	it('holds through OOM, segfaults, core dumps and a panic', () => {
		const k = runUntil(`
config frames=20
program init
  map big 12 rw-
  fork
  if ret == 0 goto child
  touch big write
  wait
  exit 0
child:
  vfork
  if ret == 0 goto vchild
  read 0x10
  exit 0
vchild:
  abort
end
`);
		expect(k.ended).not.toBeNull();
	});
});

describe('each rule fires', () => {
	it('anon refcount == mapcount', () => {
		const r = broken((k) => {
			const pfn = ptePfn(pteOf(k, 1, 0x600000));
			k.frames.refcount[pfn]!++;
		});
		expectRule(r, /^pfn \d+ \(anon\): refcount 3 != mapcount 2$/);
	});

	it('mapcount == the PTEs mapping the frame', () => {
		const r = broken((k) => {
			const pfn = ptePfn(pteOf(k, 1, 0x600000));
			k.frames.mapcount[pfn]!--;
			k.frames.refcount[pfn]!--;
		});
		expectRule(r, /^pfn \d+ \(anon\): mapcount 1 != 2 present PTEs mapping it$/);
	});

	it('file and shmem: refcount == mapcount + 1', () => {
		expectRule(
			broken((k) => {
				const pfn = ptePfn(pteOf(k, 1, 0x400000));
				k.frames.refcount[pfn]!--;
			}),
			/\(file\): refcount \d+ != mapcount \d+ \+ 1 \(cached\)/,
		);
		expectRule(
			broken((k) => {
				const pfn = k.shmem.get(1)!.pages.get(0)!;
				k.frames.refcount[pfn]!++;
			}),
			/\(shmem\): refcount \d+ != mapcount \d+ \+ 1/,
		);
	});

	it('pgtable refcount 1 mapcount 0; zero page refcount 1', () => {
		expectRule(
			broken((k) => {
				k.frames.refcount[k.mms.get(1)!.pgd]!++;
			}),
			/\(pgtable\): refcount 2, mapcount 0/,
		);
		expectRule(
			broken((k) => {
				k.frames.refcount[0] = 2;
			}),
			/^pfn 0 \(zero\): refcount 2 != 1/,
		);
		expectRule(
			broken((k) => {
				k.frames.mapcount[0]!++;
			}),
			/^pfn 0 \(zero\): mapcount \d+ != \d+ present PTEs/,
		);
	});

	it('a used frame nothing holds is leaked; a free frame something maps is caught', () => {
		const leak = broken((k) => {
			allocPage(k.frames, FRAME_ANON);
		});
		expectRule(leak, /\(anon\): in use but not mapped \(leaked\)/, false);
		const table = broken((k) => {
			allocPage(k.frames, 5);
		});
		expectRule(table, /\(pgtable\): .*not a table of any live mm \(leaked\)/, false);
		const dangling = broken((k) => {
			const pfn = k.frames.kind.length - 1;
			setPteRaw(k, 1, 0x601000, mkPte(pfn, pteOf(k, 1, 0x601000) & 63));
		});
		expectRule(dangling, /PTE 0x601000: maps pfn \d+ \(free\)/);
	});

	it('the free count and the used bitmap agree', () => {
		expectRule(
			broken((k) => {
				k.frames.free++;
			}),
			/free count \d+ != \d+ clear bits/,
			false,
		);
		expectRule(
			broken((k) => {
				const pfn = ptePfn(pteOf(k, 1, 0x600000));
				k.frames.used[pfn >>> 5]! &= ~(1 << (pfn & 31));
			}),
			/used bit 0 disagrees with its kind/,
			false,
		);
	});

	it('rss, map_count, total_vm, locked_vm, pgtables, hiwater', () => {
		expectRule(
			broken((k) => void k.mms.get(1)!.rss++),
			/^mm 1: rss \d+ != \d+ present PTEs/,
		);
		expectRule(
			broken((k) => void k.mms.get(1)!.totalVm--),
			/^mm 1: total_vm \d+ != \d+ pages of its VMAs/,
		);
		expectRule(
			broken((k) => void k.mms.get(1)!.lockedVm++),
			/^mm 1: locked_vm 1 != 0/,
		);
		expectRule(
			broken((k) => void k.mms.get(1)!.pgtables++),
			/^mm 1: pgtables \d+ != \d+ table frames/,
		);
		expectRule(
			broken((k) => void (k.mms.get(2)!.hiwaterRss = 0)),
			/^mm 2: hiwater_rss 0 < rss/,
		);
		expectRule(
			broken((k) => {
				const mm = k.mms.get(1)!;
				mm.vmas.push({...mm.vmas[0]!});
			}),
			/overlaps or is out of order/,
		);
	});

	it("2.6.32 no-MMU clone: borrowed VMAs count in no frame, but must still be their owner's", () => {
		const cloned = (): KernelState =>
			runUntil(
				'config mmu=off frames=64\nprogram init\n  map heap 1 rw-\n  clone sigchld\n  if ret == 0 goto child\n  wait\n  exit 0\nchild:\n  sleep 2\n  exit 0\nend\n',
				(k) => k.mms.has(2),
			);
		// clean: the child lists the parent's three VMAs, the frames' mapcount stays 1
		expect(cloned().mms.get(2)!.borrowed).toHaveLength(3);
		// the owner lost the VMA but the child still lists it: a freed VMA (and its free frames) still listed
		expectRule(
			broken((k) => {
				const owner = k.mms.get(1)!;
				const heap = owner.vmas.find((v) => v.region === 'heap')!;
				owner.vmas.splice(owner.vmas.indexOf(heap), 1);
				owner.totalVm -= 1;
			}, cloned),
			/^mm 2 vma 'heap': borrowed from mm 1, which does not own it/,
		);
		// a borrowed VMA counted as the child's own would raise the frames' mapcount: caught as an unheld count
		expectRule(
			broken((k) => void (k.mms.get(2)!.borrowed = []), cloned),
			/mapcount 1 != 2 mm's using it|rss 0 != \d+ pages of its VMAs/,
		);
		// only 2.6.32 no-MMU borrows
		expectRule(
			broken((k) => void (k.config = {...k.config, kernel: '6.18'}), cloned),
			/^mm 2: borrows VMAs, which only 2.6.32 no-MMU clone does$/,
		);
	});

	it('mm users == live tasks using it', () => {
		expectRule(
			broken((k) => void k.mms.get(1)!.users++),
			/^mm 1: users 3 != 2 live tasks using it$/,
		);
	});

	it('global and per-mm committed match the VM_ACCOUNT VMAs', () => {
		expectRule(
			broken((k) => void k.committed++),
			/^committed \d+ != \d+ pages of VM_ACCOUNT VMAs/,
		);
		expectRule(
			broken((k) => void k.mms.get(2)!.committed--),
			/^mm 2: committed \d+ != \d+ pages of its VM_ACCOUNT VMAs/,
		);
	});

	it('copy-on-write: a writable private PTE maps an exclusive anon page', () => {
		const r = broken((k) => {
			setPteRaw(k, 1, 0x600000, pteOf(k, 1, 0x600000) | PTE_RW);
		});
		expectRule(r, /PTE 0x600000: writable PTE of private VMA 'heap' maps pfn \d+ \(anon\) with mapcount 2 \(COW broken\)/);
		const noAnonVma = broken((k) => {
			k.mms.get(2)!.vmas.find((v) => v.region === 'heap')!.anonVma = false;
		});
		expectRule(noAnonVma, /has no anon_vma/);
	});

	it('completions: waiters in D, D tasks on a completion, vfork_done existing', () => {
		expectRule(
			broken((k) => {
				k.completions.get(1)!.waiters = [];
			}),
			/^pid 1 \(D\): waits on completion 1 but is not among its waiters/,
		);
		expectRule(
			broken((k) => {
				k.tasks.get(1)!.wait = {kind: 'none'};
			}),
			/^pid 1 \(D\): uninterruptible without a completion/,
		);
		expectRule(
			broken((k) => {
				k.tasks.get(3)!.vforkDone = 9;
			}),
			/^pid 3 \(R\): vfork_done 9 does not exist/,
		);
		expectRule(
			broken((k) => {
				k.completions.get(1)!.waiters.push(2);
			}),
			/^completion 1: waiter 2 \(S\) is not in D waiting on it/,
		);
	});

	it('sleepers have a reason: a child to wait for, or a timer', () => {
		expectRule(
			broken((k) => {
				k.timers = [];
			}),
			/^pid 2 \(S\): sleeps until tick \d+ with no timer/,
		);
		expectRule(
			broken((k) => {
				k.tasks.get(2)!.wait = {kind: 'child', pid: null, options: 'none'};
				k.timers = [];
			}),
			/^pid 2 \(S\): waits for a child but has none/,
		);
		expectRule(
			broken((k) => {
				k.timers.push({pid: 3, until: k.tick + 4});
			}),
			/^timer of pid 3 .*does not sleep on it/,
		);
	});

	it('the run queue holds exactly the runnable tasks but the current one', () => {
		const base = () =>
			runUntil(
				`
program init
  fork
  fork
  compute 5
  exit 0
end
`,
				(k) => k.runQueue.length >= 2,
			);
		expectRule(
			broken((k) => {
				k.runQueue.push(k.runQueue[0]!);
			}, base),
			/^run queue: pid \d+ queued twice/,
		);
		expectRule(
			broken((k) => {
				k.runQueue.shift();
			}, base),
			/runnable but neither current nor queued/,
		);
		expectRule(
			broken((k) => {
				k.runQueue.push(k.current!);
			}, base),
			/queued while it is the current task/,
		);
	});
});

describe('kernel bugs found by the invariants (regressions)', () => {
	it('init exiting with an unreaped zombie child ends the run instead of looping in exitNotify', () => {
		const k = runUntil(`
config frames=32 max_ticks=200
program init
  fork
  if ret == 0 goto child
  sleep 5
  exit 0
child:
  exit 3
end
`);
		expect(k.ended).toBe('exited');
		expect(k.tasks.get(2)?.state).toBe('Z');
		expect(k.tasks.get(1)!.children).toEqual([2]);
	});

	it('a sleeper killed before its timer fires leaves no timer behind', () => {
		const k = runUntil(
			`
config quantum=1
program init
  fork
  if ret == 0 goto child
  yield
  kill 2 SIGKILL
  wait
  exit 0
child:
  sleep 10
  exit 0
end
`,
			(k) => k.tasks.get(2)?.state === 'R' && k.tasks.get(2)!.pending.length > 0,
		);
		expect(k.timers).toEqual([]);
	});
});

describe('wait with pid -1 or 0 (sys_wait4)', () => {
	it('reaps any child, as waitpid(-1) and waitpid(0) do', () => {
		const k = runUntil(`
program init
  fork
  if ret == 0 goto child
  wait -1
  set r0 ret
  fork
  if ret == 0 goto child
  wait 0
  set r1 ret
  wait -1
  set r2 ret
  exit 0
child:
  sleep 2
  exit 0
end
`);
		const init = k.tasks.get(1)!;
		expect([init.regs.r0, init.regs.r1, init.regs.r2]).toEqual([2, 3, -10]);
	});
});
