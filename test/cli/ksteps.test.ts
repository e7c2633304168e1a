// `run --ksteps` and `run --ftrace` (docs/cli.md, docs/events.md): the kernel steps from the
// built binary, as kstep events and as ftrace's function_graph text.

import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

const bin = join(process.cwd(), 'dist', 'cli.js');

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', input: ''});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

describe('cowdbg run --ksteps', () => {
	it('--json: kstep events with seq, depth, fn, phase, args, text, interleaved with the tick’s events', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--ksteps', '--json');
		expect(r.status).toBe(0);
		const events = r.stdout
			.trim()
			.split('\n')
			.map((l) => JSON.parse(l) as Record<string, unknown>);
		const ksteps = events.filter((e) => e.type === 'kstep');
		expect(ksteps.length).toBeGreaterThan(50);
		expect(Object.keys(ksteps[0]!)).toEqual(['tick', 'type', 'seq', 'depth', 'fn', 'phase', 'args', 'text']);
		// in the fork's tick, the syscall event comes out inside do_fork, before its exit
		const forkTick = events.find((e) => e.type === 'syscall' && e.name === 'fork')!.tick;
		const tick = events.filter((e) => e.tick === forkTick);
		const sys = tick.findIndex((e) => e.type === 'syscall');
		const exit = tick.findIndex((e) => e.type === 'kstep' && e.fn === 'do_fork' && e.phase === 'exit');
		expect(sys).toBeGreaterThan(0);
		expect(exit).toBeGreaterThan(sys);
		expect(tick[0]).toMatchObject({type: 'kstep', seq: 0, depth: 0, fn: 'do_fork', phase: 'enter', args: {pid: 1, clone_flags: 'SIGCHLD'}, text: null});
		const wrprotect = tick.find((e) => e.type === 'kstep' && e.phase === 'note' && String(e.text).startsWith('pte 0x600000 writable in a COW mapping'));
		expect(wrprotect).toMatchObject({fn: 'copy_one_pte', depth: 10});
		// numbered from 0 within each tick
		const seqs = tick.filter((e) => e.type === 'kstep').map((e) => e.seq);
		expect(seqs).toEqual(seqs.map((_, i) => i));
	});

	it('without --ksteps, no kstep event', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--json');
		expect(r.stdout).not.toContain('"kstep"');
	});

	it('text: each step indented by its depth', () => {
		const r = cowdbg('run', 'scenarios/vfork-completion.scn', '--ksteps');
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/^ +\d+ {2}do_fork\(pid=1, clone_flags=CLONE_VFORK\|CLONE_VM\|SIGCHLD\) \{$/m);
		expect(r.stdout).toMatch(/^ +\d+ {8}\/\* CLONE_VM: the child shares mm 1: mm_users 1→2, dup_mm skipped \*\/$/m);
	});
});

describe('cowdbg run --ftrace', () => {
	it('prints function_graph lines with the tick and pid in the margin', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--ftrace');
		expect(r.status).toBe(0);
		const lines = r.stdout.split('\n');
		expect(lines[0]).toBe('# tracer: function_graph');
		const open = lines.findIndex((l) => /^ +5\) +1 {2}\| {2}do_fork\(pid=1, clone_flags=SIGCHLD\) \{$/.test(l));
		expect(open).toBeGreaterThan(0);
		expect(lines[open + 1]).toMatch(/^ +5\) +1 {2}\| {4}copy_process\(clone_flags=SIGCHLD\) \{$/);
		expect(r.stdout).toMatch(/^ +5\) +1 {2}\| {2}\} \/\* do_fork = 2 \*\/$/m);
		// the child's first fault runs as pid 2
		expect(r.stdout).toMatch(/^ +\d+\) +2 {2}\| {2}do_page_fault\(pid=2, /m);
	});

	it('is refused with --json', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--ftrace', '--json');
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/--ftrace.*--json/);
	});
});

describe('cowdbg run --break func=NAME', () => {
	it('stops at the entry of copy_one_pte and dumps the partial state with kstep set', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--break', 'func=copy_one_pte', '--state', '-', '--json');
		expect(r.status).toBe(0);
		// with --state -, stdout is the dump's and the log goes to stderr
		const lines = r.stderr
			.trim()
			.split('\n')
			.map((l) => JSON.parse(l) as Record<string, unknown>);
		const dump = JSON.parse(r.stdout) as {
			tick: number;
			kstep: {seq: number; stack: {fn: string; args: Record<string, unknown>}[]};
			mms: {id: number; ptes: unknown[]}[];
			frames: {pfn: number; refcount: number; mapcount: number}[];
		};
		expect(lines.at(-2)).toMatchObject({type: 'break', spec: 'func=copy_one_pte'});
		expect(lines.at(-1)).toMatchObject({type: 'end', reason: 'break'});
		// the tick's events so far: the fork has not returned yet
		const tick = lines.filter((e) => e.tick === dump.tick && e.type !== 'break' && e.type !== 'end');
		expect(tick.some((e) => e.type === 'syscall')).toBe(false);
		expect(dump.kstep.stack.map((f) => f.fn)).toEqual([
			'do_fork',
			'copy_process',
			'copy_mm',
			'dup_mm',
			'dup_mmap',
			'copy_page_range',
			'copy_pud_range',
			'copy_pmd_range',
			'copy_pte_range',
			'copy_one_pte',
		]);
		const pfn = dump.kstep.stack.at(-1)!.args.pfn as number;
		expect(dump.kstep.stack.at(-1)!.args).toEqual({addr: '0x600000', pfn, pte: 'rw', vma: 'heap'});
		// the child's mm exists, its page table still empty; the parent's page not yet shared
		expect(dump.mms.find((m) => m.id === 2)!.ptes).toEqual([]);
		expect(dump.mms.find((m) => m.id === 1)!.ptes).toContainEqual(expect.objectContaining({va: '0x600000', pfn, writable: true}));
		expect(dump.frames.find((f) => f.pfn === pfn)).toMatchObject({refcount: 1, mapcount: 1});
	});

	it('refuses an unknown function with the closest names (exit 2)', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--break', 'func=copy_onepte');
		expect(r.status).toBe(2);
		expect(r.stderr).toContain("the kernel has no function 'copy_onepte' (closest: copy_one_pte");
	});
});
