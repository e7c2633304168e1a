// Each breakpoint kind of docs/debugger.md hits at the right tick, and bad specs are
// refused with a reason and a column. The expected ticks below were read off
// the scenario's event log (printed in the comment) and checked by hand.

import {describe, expect, it} from 'vitest';
import {parseBreakpoint} from '../../source/debugger/breakpoints.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {parse, reference, refcountTicks} from './reference.js';

// tick  events (sched left out)
//  1    pid1 file fault (text), anon fault heap 0x600000 → frame 7
//  2    pid1 shmem fault shm 0x603000 → frame 8
//  3    pid1 fork → 2
//  5    pid2 fork child_return, file fault (text)
//  6    pid2 shmem fault (read) shm
//  7    pid1 anon fault heap[1] 0x601000
//  8    pid1 S (wait)
//  9    pid2 cow-copy heap 0x600000 → frame 15 from 7
// 10    pid2 mmap
// 11    pid2 segv-maperr at 0x10, SIGSEGV send/deliver/core, exit; SIGCHLD to 1
// 12    pid1 reaps 2, wait returns
// 13    pid1 expect ok
// 14    completion init + wait (pid1 vforks pid 3, D)
// 15    pid3 vfork child_return
// 16    completion complete via exec_mmap; pid3 execs other
// 17    completion wake; pid1 vfork returns 3
// 19    pid3 file fault, anon fault data 0x600000
// 20    pid3 exit
// 21    pid1 reaps 3
// 22    pid1 cow-reuse heap 0x600000 (frame 7)
// 23    pid1 expect fails
// 24    pid1 exit, end
const source = `config mmu=on frames=48 quantum=2
program init
  map heap 2 rw-
  map shm 1 rw- shared
  write heap[0] 7
  write shm[0] 1
  fork
  if ret == 0 goto child
  write heap[1] 3
  wait
  expect ret == 2
  vfork
  if ret == 0 goto vchild
  wait
  write heap[0] 9
  expect heap[0] == 1
  exit 0
child:
  read shm[0]
  write heap[0] 8
  mmap extra 1 rw-
  read 0x10
  exit 0
vchild:
  exec other
end
program other
  map data 1 rw-
  write data[0] 5
  exit 0
end
`;

const scenario = parse(source, 'breakpoints.scn');

/** Every tick at which `spec` stops a continue, from the start to the end. */
function hits(spec: string): number[] {
	const dbg = new Debugger(scenario, scenario.config, [spec]);
	expect(dbg.breakpoints).toHaveLength(1);
	const ticks: number[] = [];
	for (;;) {
		const stop = dbg.continue();
		if (stop === null || stop.reason !== 'break') break;
		expect(stop.hit?.spec).toBe(spec);
		ticks.push(stop.tick);
	}
	expect(dbg.ended).toBe(true);
	return ticks;
}

describe('each breakpoint kind hits at the end of the tick whose events match', () => {
	it.each([
		['tick=5', [5]],
		['tick=0', []],
		['tick=999', []],
		['cow', [9, 22]],
		['fault', [1, 2, 5, 6, 7, 9, 11, 19, 22]],
		['fault:kind=shmem', [2, 6]],
		['fault:kind=cow-copy', [9]],
		['fault:kind=cow-reuse', [22]],
		['fault:kind=segv-maperr', [11]],
		['fault:kind=oom', []],
		['segv', [11]],
		['syscall', [3, 10, 12, 17, 21]],
		['syscall:name=fork', [3]],
		['syscall:name=vfork', [17]],
		['syscall:name=wait', [12, 21]],
		['syscall:name=mmap', [10]],
		['fork', [3]],
		['vfork', [14]],
		['exec', [16]],
		['exit', [11, 20, 24]],
		['completion', [14, 16, 17]],
		['signal', [11]],
		['expect-fail', [23]],
	])('%s', (spec, expected) => {
		expect(hits(spec)).toEqual(expected);
	});
});

describe('pid=, region= and addr= filters', () => {
	it.each([
		['cow:pid=1', [22]],
		['cow:pid=2', [9]],
		['fault:pid=2', [5, 6, 9, 11]],
		['fault:kind=anon,pid=3', [19]],
		// pid= of a child: its own return from fork/vfork (child_return) hits too (docs/debugger.md)
		['syscall:pid=2', [5, 10]],
		['syscall:name=fork,pid=2', [5]],
		['syscall:name=vfork,pid=3', [15]],
		['syscall:name=vfork,pid=1', [17]],
		['exit:pid=3', [20]],
		['completion:pid=3', [16]],
		['fault:region=shm', [2, 6]],
		['fault:region=data', [19]],
		['cow:region=heap', [9, 22]],
		['cow:region=shm', []],
		// addr= matches any address in the same page
		['fault:addr=0x601000', [7]],
		['fault:addr=0x600ff8', [1, 9, 19, 22]],
		['fault:addr=0x600000,pid=3', [19]],
		['segv:addr=0x10', [11]],
	])('%s', (spec, expected) => {
		expect(hits(spec)).toEqual(expected);
	});
});

describe('frame=PFN hits when the frame refcount changes', () => {
	const ref = reference(scenario);
	it.each([7, 8, 15, 16])('frame=%i', (pfn) => {
		const expected = refcountTicks(ref, pfn);
		expect(expected.length).toBeGreaterThan(1);
		expect(hits(`frame=${pfn}`)).toEqual(expected);
	});

	it("frame 9 (the heap page; pfns 1-2 are init's kernel stack) by hand: allocated at 1, shared by fork at 3, left by the cow-copy at 9, freed at exit", () => {
		// the cow-reuse at 22 maps it writable again without touching its count
		expect(hits('frame=9')).toEqual([1, 3, 9, 24]);
	});

	it('a frame beyond the machine never hits', () => {
		expect(hits('frame=100000')).toEqual([]);
	});
});

describe('watch=ADDR hits when the word changes in a process that has it before and after', () => {
	it.each([
		// pid 1 writes 7 (the page read as zeros before), pid 2 writes 8 in its
		// copy, pid 1 writes 9. A fork (pid 2 appears), an exit (it disappears)
		// and exec (pid 3 has no heap any more) are not changes of the word.
		['watch=heap[0]', [1, 9, 22]],
		['watch=heap[0]:pid=2', [9]],
		['watch=heap[0]:pid=1', [1, 22]],
		['watch=heap+8', []],
		['watch=heap[1]', [7]],
		// shared memory: written by pid 1 at 2; pid 2's read maps it (no change)
		['watch=shm[0]', [2]],
		// an absolute address: pid 3's exec replaces the word 7 it saw through
		// its parent's mm with its own data page (0), then it writes 5
		['watch=0x600000', [1, 9, 16, 19, 22]],
		['watch=0x600000:pid=3', [16, 19]],
	])('%s', (spec, expected) => {
		expect(hits(spec)).toEqual(expected);
	});
});

describe('a stop', () => {
	it('shows the state at the end of the hit tick, with the matching event', () => {
		const dbg = new Debugger(scenario, scenario.config, ['cow']);
		const stop = dbg.continue()!;
		expect(stop).toMatchObject({reason: 'break', tick: 9, hit: {spec: 'cow', tick: 9}});
		const event = dbg.event(stop.hit!.eventIndex!);
		expect(event).toMatchObject({tick: 9, type: 'fault', kind: 'cow-copy', pid: 2});
		expect(dbg.visibleEvents()).toBeGreaterThan(stop.hit!.eventIndex!);
		expect(dbg.breakpoints[0]!.hits).toBe(1);
	});

	it('the first of several breakpoints that hit in one tick is reported', () => {
		const dbg = new Debugger(scenario, scenario.config, ['exit', 'segv']);
		expect(dbg.continue()).toMatchObject({reason: 'break', tick: 11, hit: {spec: 'exit'}});
	});

	it('disabled and removed breakpoints do not stop', () => {
		const dbg = new Debugger(scenario, scenario.config, ['cow', 'tick=10']);
		dbg.toggleBreakpoint(1);
		expect(dbg.continue()).toMatchObject({tick: 10, hit: {spec: 'tick=10'}});
		dbg.removeBreakpoint(2);
		dbg.toggleBreakpoint(1);
		expect(dbg.continue()).toMatchObject({tick: 22, hit: {spec: 'cow'}});
		expect(dbg.continue()).toMatchObject({reason: 'end', tick: 24, hit: null});
	});
});

describe('parseBreakpoint refuses bad specs with a reason and a column', () => {
	it.each([
		['', 1, 'empty breakpoint spec'],
		['   ', 4, 'empty breakpoint spec'],
		['cwo', 1, "unknown breakpoint kind 'cwo' (did you mean 'cow'?)"],
		['zzzzzz', 1, 'kinds: cow, fault'],
		['cow pid=1', 4, 'no blanks'],
		['tick', 5, "'tick' needs a value: tick=N"],
		['frame', 6, 'frame=PFN'],
		['watch', 6, 'watch=ADDR'],
		['tick=abc', 6, "bad tick number 'abc'"],
		['frame=-1', 7, "bad PFN '-1'"],
		['watch=0x600004', 7, '8-byte aligned'],
		['watch=heap+3', 7, '8-byte aligned'],
		['watch=heap[', 7, "bad watch address 'heap['"],
		['cow=3', 4, "'cow' takes no value"],
		['cow:', 5, 'expected KEY=VALUE after the colon'],
		['cow:pid', 5, "expected KEY=VALUE, got 'pid'"],
		['cow:pid=1,', 11, "expected KEY=VALUE, got ''"],
		['cow:pdi=1', 5, "'cow' has no key 'pdi' (did you mean 'pid'?)"],
		['cow:pid=', 9, "'pid' needs a value"],
		['cow:pid=0', 9, "bad pid '0'"],
		['cow:pid=x', 9, "bad pid 'x'"],
		['fault:kind=cow', 12, "unknown fault kind 'cow' (did you mean cow-zero, cow-reuse or cow-copy?; the breakpoint 'cow' stops at any of them)"],
		['fault:kind=segv', 12, "(did you mean segv-maperr or segv-accerr?; the breakpoint 'segv' stops at any of them)"],
		['fault:kind=anno', 12, "(did you mean 'anon'?)"],
		['syscall:name=frok', 14, "unknown system call 'frok' (did you mean 'fork'?)"],
		['fault:addr=zz', 12, "bad address 'zz'"],
		['fault:region=1x', 14, "bad region name '1x'"],
		['tick=3:pid=1', 8, "'tick' has no key 'pid'"],
		// keys no event of that kind can carry
		['exit:region=heap', 6, "'exit' events have no address: region= applies to cow, fault and segv"],
		['syscall:addr=0x600000', 9, "'syscall' events have no address"],
		['fault:kind=segv-maperr,region=heap', 24, 'a segv-maperr fault has no region'],
		// watch= takes the scenario's address syntax and its messages
		['watch=heap[x]', 12, "bad number 'x'"],
		['watch=heap[1]+4', 7, "address not 8-byte aligned: 'heap[1]+4' is 4100 bytes into heap"],
		['exec:kind=file', 6, "'exec' has no key 'kind'"],
		['cow:pid=1,pid=2', 11, "'pid' is given twice"],
		['  cwo', 3, "unknown breakpoint kind 'cwo'"],
	])('%j → col %i: %s', (spec, col, words) => {
		const r = parseBreakpoint(spec);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.message).toContain(words);
		expect(r.col).toBe(col);
	});

	it.each([
		'cow',
		' cow ',
		'fault:kind=anon,pid=2,region=heap,addr=0x600000',
		'tick=0x10',
		'watch=heap[1]+8:pid=2',
		'watch=0x600000',
		'frame=3',
		'watch=heap[0x1]+0x10',
		'fault:kind=segv-maperr,addr=0x10',
	])('accepts %j', (spec) => {
		expect(parseBreakpoint(spec).ok).toBe(true);
	});

	it('keeps the spec as written, trimmed', () => {
		const r = parseBreakpoint('  fault:kind=anon  ');
		expect(r.ok && r.breakpoint).toMatchObject({spec: 'fault:kind=anon', kind: 'fault', faultKind: 'anon'});
	});

	it('the debugger refuses the same specs, adding nothing', () => {
		const dbg = new Debugger(scenario);
		expect(dbg.addBreakpoint('cwo')).toMatchObject({ok: false, col: 1});
		expect(dbg.breakpoints).toEqual([]);
		expect(dbg.addBreakpoint('cow')).toEqual({ok: true, id: 1});
	});
});

describe('several breakpoints hitting the same tick', () => {
	it('each counts a hit, and the stop names them all in list order', () => {
		// tick 9: pid 2's cow-copy of heap[0] is also the change of its watched word
		const dbg = new Debugger(scenario, scenario.config, ['fault:kind=shmem', 'cow', 'watch=heap[0]:pid=2']);
		expect(dbg.continue()).toMatchObject({reason: 'break', tick: 2});
		expect(dbg.continue()!.hit!.all.map((h) => h.spec)).toEqual(['fault:kind=shmem']);
		const nine = dbg.continue();
		expect(nine).toMatchObject({reason: 'break', tick: 9});
		expect(nine!.hit!.all.map((h) => h.spec)).toEqual(['cow', 'watch=heap[0]:pid=2']);
		expect(nine!.hit).toMatchObject({breakpointId: 2, spec: 'cow'});
		expect(nine!.hit!.all[1]!.eventIndex).toBeNull();
		expect(dbg.breakpoints.map((b) => b.hits)).toEqual([2, 1, 1]);
	});

	it('reverse-continue back to that tick counts both again, once', () => {
		const dbg = new Debugger(scenario, scenario.config, ['cow', 'watch=heap[0]:pid=2']);
		expect(dbg.continue()).toMatchObject({tick: 9});
		expect(dbg.continue()).toMatchObject({tick: 22});
		expect(dbg.breakpoints.map((b) => b.hits)).toEqual([2, 1]);
		const back = dbg.reverseContinue();
		expect(back).toMatchObject({reason: 'break', tick: 9});
		expect(back.hit!.all.map((h) => h.spec)).toEqual(['cow', 'watch=heap[0]:pid=2']);
		expect(dbg.breakpoints.map((b) => b.hits)).toEqual([3, 2]);
	});
});
