// The walk-through scenarios (scenarios/README.md, "Stepping into the kernel"):
// each opens with a func= breakpoint, and `run NAME --state -` stops inside
// that function with the partial state of its entry in the dump (kstep set).

import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import type {StateDump} from '../../source/kernel/dump.js';

const bin = join(process.cwd(), 'dist', 'cli.js');

function stop(name: string): {status: number | null; dump: StateDump; log: string} {
	const r = spawnSync(process.execPath, [bin, 'run', name, '--state', '-'], {encoding: 'utf8', input: ''});
	return {status: r.status, dump: JSON.parse(r.stdout) as StateDump, log: r.stderr};
}

const stack = (d: StateDump) => d.kstep!.stack.map((f) => f.fn);
const mm = (d: StateDump, id: number) => d.mms.find((m) => m.id === id)!;

describe('walk-through scenarios stop inside their function', () => {
	it('walk-dup-mmap: at the entry of dup_mmap the child mm has its PGD and no VMA; no parent PTE is write-protected yet', () => {
		const {status, dump, log} = stop('walk-dup-mmap');
		expect(status).toBe(0);
		expect(log).toMatch(/breakpoint hit: func=dup_mmap\n/);
		expect(stack(dump)).toEqual(['do_fork', 'copy_process', 'copy_mm', 'dup_mm', 'dup_mmap']);
		expect(dump.kstep!.stack.at(-1)!.args).toEqual({mm: 2, oldmm: 1});
		expect(mm(dump, 2)).toMatchObject({users: 1, map_count: 0, total_vm: 0, rss: 0, pgtables: 1, vmas: [], ptes: []});
		expect(
			mm(dump, 1)
				.ptes.filter((p) => p.va !== '0x400000')
				.map((p) => p.writable),
		).toEqual([true, true, true]);
		// copy_process makes the task after copy_mm: pid 2 does not exist yet
		expect(dump.tasks.map((t) => t.pid)).toEqual([1]);
	});

	it('walk-do-wp-page: at the entry of do_wp_page the child write-faults on a read-only PTE of a frame mapped twice', () => {
		const {status, dump} = stop('walk-do-wp-page');
		expect(status).toBe(0);
		expect(stack(dump)).toEqual(['do_page_fault', 'handle_mm_fault', 'handle_pte_fault', 'do_wp_page']);
		expect(dump.kstep!.stack[0]!.args).toMatchObject({pid: 2, addr: '0x600000', access: 'write'});
		const heap = (id: number) => mm(dump, id).ptes.find((p) => p.va === '0x600000')!;
		expect([heap(1), heap(2)].map((p) => [p.pfn, p.writable])).toEqual([
			[heap(1).pfn, false],
			[heap(1).pfn, false],
		]);
		expect(dump.frames.find((f) => f.pfn === heap(1).pfn)).toMatchObject({kind: 'anon', refcount: 2, mapcount: 2});
	});

	it('walk-mm-release: at the entry of mm_release in the vfork child, the parent sleeps in D on a completion still at 0', () => {
		const {status, dump, log} = stop('walk-mm-release');
		expect(status).toBe(0);
		expect(log).toMatch(/breakpoint hit: func=mm_release:pid=2\n/);
		expect(stack(dump)).toEqual(['do_exit', 'exit_mm', 'mm_release']);
		expect(dump.kstep!.stack.at(-1)!.args).toEqual({pid: 2, vfork_done: 1});
		expect(dump.tasks.map((t) => [t.pid, t.state, t.vfork_done])).toEqual([
			[1, 'D', null],
			[2, 'R', 1],
		]);
		expect(dump.completions).toEqual([{id: 1, owner: 1, done: 0, waiters: [1]}]);
		expect(mm(dump, 1).users).toBe(2);
	});
});
