// SPEC §1.9: each row where 2.6.32 and 6.18 differ, pinned under both eras
// with its exact events, on the bundled scenario that shows it. The
// invariants hold after every tick under both eras.

import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {KernelEvent} from '../../source/kernel/events.js';
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
