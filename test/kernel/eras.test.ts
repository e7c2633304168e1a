// SPEC §1.9: each row where 2.6.32 and 6.18 differ, pinned under both eras
// with its exact events, on the bundled scenario that shows it. The
// invariants hold after every tick under both eras.

import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {KernelEvent} from '../../source/kernel/events.js';
import {stateDump} from '../../source/kernel/dump.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {ofType, parse, prog} from '../helpers/run.js';

const ERAS = ['2.6.32', '6.18'] as const;
type Era = (typeof ERAS)[number];

function runEra(source: string, kernel: Era) {
	const s = parse(source);
	const k = boot(s, {...s.config, kernel});
	const events: KernelEvent[] = [...k.events];
	while (k.ended === null) {
		events.push(...stepTick(k));
		const broken = checkInvariants(k);
		if (broken.length > 0) throw new Error(`${kernel} tick ${k.tick}: ${broken.join('; ')}`);
	}
	return {k, events};
}

const scenario = (name: string) => readFileSync(new URL(`../../scenarios/${name}.scn`, import.meta.url), 'utf8');

/** `tick pid kind from→frame` of the faults of one kind family. */
const wp = (events: KernelEvent[]) =>
	ofType(events, 'fault')
		.filter((e) => e.kind.startsWith('cow'))
		.map((e) => `${e.tick} ${e.pid} ${e.kind}`);

const expectsOf = (events: KernelEvent[]) => ofType(events, 'expect').map((e) => `${e.line}:${e.ok ? 'ok' : 'FAILED'}`);

describe.each(ERAS)('kernel %s', (era) => {
	it('every bundled era scenario ends exited with every expect held and none unreached', () => {
		for (const name of [
			'vmsplice-pin',
			'era-pin-before-fork',
			'era-vfork-killable',
			'vfork-coredump',
			'vfork-abort',
			'era-fault-around',
			'era-wipeonfork',
			'era-nommu-clone',
		]) {
			const r = runEra(scenario(name), era);
			const end = ofType(r.events, 'end')[0]!;
			expect([name, end.reason, end.expects_failed, end.expects_unreached]).toEqual([name, 'exited', 0, 0]);
		}
	});
});

describe('do_wp_page reuse (vmsplice-pin.scn): mapcount (2.6.32) against exclusive/refcount (6.18)', () => {
	it("2.6.32 reuses the pinned page: the pin sees the parent's write", () => {
		const r = runEra(scenario('vmsplice-pin'), '2.6.32');
		expect(wp(r.events)).toEqual(['21 1 cow-reuse']);
		expect(ofType(r.events, 'pin').map((e) => `${e.tick} ${e.pid} ${e.action} #${e.id} ${e.frame}`)).toEqual(['11 2 pin #1 9', '31 2 unpin #1 9']);
		expect(expectsOf(r.events)).toContain('30:ok'); // pin[r1] == 2
	});

	it('6.18 copies: refcount 2 (the pin), not exclusive; the pin keeps the old data', () => {
		const r = runEra(scenario('vmsplice-pin'), '6.18');
		expect(wp(r.events)).toEqual(['21 1 cow-copy']);
		const copy = ofType(r.events, 'fault').find((e) => e.kind === 'cow-copy')!;
		expect(copy.from).toBe(ofType(r.events, 'pin')[0]!.frame);
		expect(expectsOf(r.events)).toContain('31:ok'); // pin[r1] == 1
	});

	it("without pins the rules agree: a child's write copies, the survivor's write reuses", () => {
		const src = prog('write heap 1\nfork\nif ret == 0 goto child\nsleep 4\nwait\nwrite heap 3\nexit 0\nchild:\nwrite heap 2\nexit 0', 'map heap 1 rw-');
		expect(wp(runEra(src, '2.6.32').events)).toEqual(wp(runEra(src, '6.18').events));
		expect(wp(runEra(src, '6.18').events).map((l) => l.split(' ')[2])).toEqual(['cow-copy', 'cow-reuse']);
	});
});

describe('a page pinned before fork (era-pin-before-fork.scn)', () => {
	it("2.6.32 shares it: the fork copies its PTE write-protected, the parent's write copies away from the pin", () => {
		const r = runEra(scenario('era-pin-before-fork'), '2.6.32');
		expect(ofType(r.events, 'syscall').find((e) => e.name === 'fork' && e.child_return === undefined)?.cost).toEqual({vmas: 3, ptes: 1, pgtables: 4});
		expect(wp(r.events)).toEqual(['14 1 cow-copy']);
	});

	it("6.18 copy_present_page: the child gets a copy at fork; the parent's PTE stays writable, its write faults not", () => {
		const r = runEra(scenario('era-pin-before-fork'), '6.18');
		expect(wp(r.events)).toEqual([]);
		// the child's read of buf finds its own page: a frame no fault gave it
		const pinned = ofType(r.events, 'pin')[0]!.frame;
		expect(
			ofType(r.events, 'fault')
				.filter((e) => e.region === 'buf')
				.map((e) => [e.pid, e.kind, e.frame]),
		).toEqual([[1, 'anon', pinned]]);
	});
});

describe("the vfork parent's wait (era-vfork-killable.scn)", () => {
	const story = (events: KernelEvent[]) =>
		events
			.filter(
				(e) =>
					(e.type === 'state' || e.type === 'signal' || e.type === 'exit' || e.type === 'completion') &&
					(e.type === 'completion' ? e.owner === 2 : e.pid === 2),
			)
			.map((e) => {
				switch (e.type) {
					case 'state':
						return `${e.tick} ${e.from}>${e.to} ${e.why}`;
					case 'signal':
						return `${e.tick} ${e.signal} ${e.action}`;
					case 'exit':
						return `${e.tick} exit ${e.signal}`;
					case 'completion':
						return `${e.tick} completion ${e.action} by ${e.by} done=${e.done}`;
					default:
						return '';
				}
			});

	it('2.6.32: TASK_UNINTERRUPTIBLE: the SIGKILL waits until the child exits and completes', () => {
		const r = runEra(scenario('era-vfork-killable'), '2.6.32');
		const s = story(r.events);
		expect(s.slice(0, 4)).toEqual(['8 completion init by 2 done=0', '8 R>D vfork', '8 completion wait by 2 done=0', '23 SIGKILL send']);
		expect(s).not.toContain('23 D>R signal');
		const complete = s.find((l) => l.includes('complete by 3'))!;
		expect(complete).toMatch(/^\d+ completion complete by 3 done=1$/);
		// it dies only after the child's exit completed it
		expect(Number(s.find((l) => l.includes('exit SIGKILL'))!.split(' ')[0])).toBeGreaterThan(Number(complete.split(' ')[0]));
	});

	it("6.18: TASK_KILLABLE: the SIGKILL wakes it at once, the child's vfork_done is cleared, it dies", () => {
		const r = runEra(scenario('era-vfork-killable'), '6.18');
		expect(story(r.events)).toEqual([
			'8 completion init by 2 done=0',
			'8 R>D vfork',
			'8 completion wait by 2 done=0',
			'23 SIGKILL send',
			'23 D>R signal', // wait_for_completion_killable
			'28 completion wake by 2 done=0', // killed, not completed
			'28 SIGKILL deliver',
			'28 R>Z SIGKILL',
			'28 exit SIGKILL',
			'32 Z>X reaped',
		]);
		expect(ofType(r.events, 'completion').filter((e) => e.action === 'complete')).toEqual([]);
	});
});

describe('a vfork child that dumps core (vfork-coredump.scn)', () => {
	it('2.6.32 zaps the parent (exit status 0), completes via coredump_wait; 6.18 zaps nobody, completes via exit_mm', () => {
		const old = runEra(scenario('vfork-coredump'), '2.6.32');
		const now = runEra(scenario('vfork-coredump'), '6.18');
		const vias = (events: KernelEvent[]) =>
			ofType(events, 'completion')
				.filter((e) => e.action === 'complete')
				.map((e) => `${e.id} by ${e.by} via ${e.via}`);
		expect(vias(old.events)).toEqual(['1 by 3 via coredump_wait', '2 by 2 via exit_mm']);
		expect(vias(now.events)).toEqual(['1 by 3 via exit_mm']);
		const exits = (events: KernelEvent[]) => ofType(events, 'exit').map((e) => `${e.pid} ${e.code} ${e.signal}`);
		expect(exits(old.events)).toEqual(['3 0 SIGSEGV', '2 0 null', '1 0 null']);
		expect(exits(now.events)).toEqual(['3 0 SIGSEGV', '2 0 null', '1 0 null']);
		expect(
			ofType(old.events, 'signal')
				.filter((e) => e.signal === 'SIGKILL')
				.map((e) => `${e.pid} ${e.action}`),
		).toEqual(['2 send', '2 deliver']);
		expect(ofType(now.events, 'signal').filter((e) => e.signal === 'SIGKILL')).toEqual([]);
		// 6.18: the parent stays in D (killable) through the dump
		expect(
			ofType(now.events, 'state')
				.filter((e) => e.pid === 2)
				.map((e) => `${e.from}>${e.to}:${e.why}`)
				.slice(0, 2),
		).toEqual(['R>D:vfork', 'D>R:complete']);
	});
});

describe('read faults on file and shmem mappings (era-fault-around.scn)', () => {
	it('2.6.32 maps one page a fault (32), 6.18 maps the cached block around each (2)', () => {
		const count = (era: Era) => ofType(runEra(scenario('era-fault-around'), era).events, 'fault').filter((e) => e.pid === 2 && e.region === 'sh').length;
		expect(count('2.6.32')).toBe(32);
		expect(count('6.18')).toBe(2);
	});
});

describe('madvise wipeonfork (era-wipeonfork.scn)', () => {
	it("2.6.32: -EINVAL and the child gets a copy; 6.18: 0, and the child's read maps the zero page", () => {
		const old = runEra(scenario('era-wipeonfork'), '2.6.32');
		const now = runEra(scenario('era-wipeonfork'), '6.18');
		const madvise = (events: KernelEvent[]) => ofType(events, 'syscall').find((e) => e.name === 'madvise')!.ret;
		expect([madvise(old.events), madvise(now.events)]).toEqual([-22, 0]);
		const childSecret = (events: KernelEvent[]) =>
			ofType(events, 'fault')
				.filter((e) => e.pid === 2 && e.region === 'secret')
				.map((e) => e.kind);
		expect(childSecret(old.events)).toEqual([]); // its PTE was copied: no fault
		expect(childSecret(now.events)).toEqual(['zero']);
		const fork = (events: KernelEvent[]) => ofType(events, 'syscall').find((e) => e.name === 'fork' && e.child_return === undefined)!.cost;
		expect([fork(old.events)!.ptes, fork(now.events)!.ptes]).toEqual([1, 0]);
	});
});

describe('no-MMU mprotect, mlock, madvise', () => {
	it('-ENOSYS under both eras (mm/Makefile builds them only with CONFIG_MMU)', () => {
		for (const era of ERAS) {
			const r = runEra(prog('mprotect heap r--\nmlock heap\nmadvise heap dofork\nexit 0', 'map heap 1 rw-', 'mmu=off'), era);
			expect(ofType(r.events, 'syscall').map((e) => e.ret)).toEqual([-38, -38, -38]);
		}
	});
});

describe('no-MMU clone without vm (era-nommu-clone.scn)', () => {
	const unprotected = (events: KernelEvent[]) => ofType(events, 'unprotected').map((e) => `${e.tick} ${e.pid} ${e.access} ${e.addr} pfn ${e.frame}`);

	it("2.6.32: the child's mm lists the parent's VMAs; its exit frees them under the running parent", () => {
		const s = parse(scenario('era-nommu-clone'));
		const k = boot(s, {...s.config, kernel: '2.6.32'});
		const events: KernelEvent[] = [...k.events];
		let atClone: ReturnType<typeof stateDump> | null = null;
		let afterExit: ReturnType<typeof stateDump> | null = null;
		while (k.ended === null) {
			const tick = stepTick(k);
			events.push(...tick);
			expect(checkInvariants(k), `tick ${k.tick}`).toEqual([]);
			if (tick.some((e) => e.type === 'syscall' && e.name === 'clone' && e.child !== undefined)) atClone = stateDump(k);
			if (tick.some((e) => e.type === 'exit' && e.pid === 2)) afterExit = stateDump(k);
		}
		// dup_mm's memcpy: the child lists text, heap, stack (the parent's), with no rss and no reference of its own
		const [parent, child] = atClone!.mms;
		expect(child!.vmas).toEqual(parent!.vmas);
		expect([child!.rss, child!.total_vm, child!.map_count]).toEqual([0, parent!.total_vm, 3]);
		const heap = parent!.vmas.find((v) => v.region === 'heap')!;
		const heapPfn = Number(heap.start) / 4096;
		expect(atClone!.frames.find((f) => f.pfn === heapPfn)).toMatchObject({kind: 'anon', refcount: 1, mapcount: 1});
		// its exit_mmap deleted them from the parent's list and freed heap and stack; text stays in the page cache
		expect(afterExit!.mms.map((m) => [m.id, m.vmas.map((v) => v.region)])).toEqual([[1, []]]);
		expect(afterExit!.frames.find((f) => f.pfn === heapPfn)).toBeUndefined();
		// the child's accesses were inside its list; the parent's read after the exit is to a free frame
		expect(unprotected(events)).toEqual([`18 1 read ${heap.start} pfn ${heapPfn}`]);
		// and the next mapping takes that frame: the parent's heap shows the new data
		expect(ofType(events, 'syscall').find((e) => e.name === 'mmap')!.ret).toBe(Number(heap.start));
		expect(expectsOf(events)).toEqual(['27:ok', '13:ok', '17:ok', '22:ok']);
	});

	it('6.18: mm_init gives the child an empty mm; its accesses are the unprotected ones and the parent keeps its memory', () => {
		const r = runEra(scenario('era-nommu-clone'), '6.18');
		// the heap is pfn 6 here (6.18's kernel stacks are 4 pages): the child's read and write of it
		expect(unprotected(r.events)).toEqual(['9 2 read 0x6000 pfn 6', '11 2 write 0x6000 pfn 6']);
		expect(ofType(r.events, 'syscall').find((e) => e.name === 'mmap')!.ret).not.toBe(0x6000);
		expect(expectsOf(r.events)).toEqual(['27:ok', '13:ok', '17:ok', '23:ok']);
	});

	it("2.6.32: the child's munmap of a borrowed region unmaps it from the parent (delete_vma_from_mm works on vma->vm_mm)", () => {
		const src = prog(
			'write heap 5\nclone sigchld\nif ret == 0 goto child\nwait\nread heap\nexit 0\nchild:\nmunmap heap\nexit 0',
			'map heap 1 rw-\nmap keep 1 rw-',
			'mmu=off frames=64',
		);
		const old = runEra(src, '2.6.32');
		const now = runEra(src, '6.18');
		// 2.6.32: the parent's read is unprotected (its heap VMA is gone) but the word is still there
		expect(ofType(old.events, 'unprotected').map((e) => `${e.pid} ${e.access}`)).toEqual(['1 read']);
		expect(old.k.tasks.get(1)!.regs.ret).toBe(5);
		// 6.18: the child has no heap to unmap; the parent's read is its own
		expect(ofType(now.events, 'unprotected')).toEqual([]);
	});

	it('a clone of a clone borrows from the owner; the middle one exiting takes the VMAs out of every list', () => {
		const src = prog(
			'clone sigchld\nif ret == 0 goto mid\nwait\nwait\nexit 0\nmid:\nclone sigchld\nif ret == 0 goto child\nexit 0\nchild:\nsleep 3\nwrite heap 1\nexit 0',
			'map heap 1 rw-',
			'mmu=off frames=64',
		);
		const s = parse(src);
		const k = boot(s, s.config);
		while (k.ended === null && k.tick < 5) stepTick(k);
		// pid 3's list is pid 2's, which is pid 1's: every VMA belongs to mm 1
		expect(k.mms.get(3)!.borrowed.map((b) => b.owner)).toEqual([1, 1, 1]);
		const r = runEra(src, '2.6.32'); // the invariants run after every tick
		expect(unprotected(r.events)).toEqual(['12 3 write 0x4000 pfn 4']);
		expect(ofType(r.events, 'end')[0]).toMatchObject({reason: 'exited', frames_free: 62});
		expect(unprotected(runEra(src, '6.18').events).map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['3 write']);
	});
});

describe('cowdbg compare era-nommu-clone (the built binary)', () => {
	it("parts at the child's first access (in its list under 2.6.32, unprotected under 6.18), and names the expects that differ; exit 1", () => {
		const bin = join(process.cwd(), 'dist', 'cli.js');
		const r = spawnSync(process.execPath, [bin, 'compare', 'era-nommu-clone', '--json'], {encoding: 'utf8', input: ''});
		expect(r.status).toBe(1);
		const out = JSON.parse(r.stdout) as {
			first_difference: {tick: number; a: KernelEvent; b: KernelEvent};
			expects: {line: number; a: string; b: string}[];
		};
		expect(out.first_difference).toMatchObject({tick: 9, a: {type: 'expect', pid: 2, line: 27}, b: {type: 'unprotected', pid: 2, access: 'read'}});
		expect(out.expects.map((e) => `${e.line} ${e.a}/${e.b}`)).toEqual(['22 ok/not run', '23 not run/ok']);
	});
});
