// The debugger inside a tick (docs/debugger.md, kernel steps): every kernel step of every bundled
// scenario as a partial state that dumps and hashes the same each time, that
// going back one step reaches exactly, and that keeps the invariants a step
// cannot break; into/over/out/back/leave; func= breakpoints, their hits
// counted against the kernel steps, and sessions that record kernel steps.

import {readdirSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {applyAction} from '../../source/debugger/actions.js';
import {parseBreakpoint} from '../../source/debugger/breakpoints.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {cloneKernel, stateDump, stateHash} from '../../source/kernel/dump.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {bootStart, stepTick} from '../../source/kernel/kernel.js';
import {KernelTracer, KSTEP_STOP, type KFrame, type KStep} from '../../source/kernel/trace.js';
import type {KernelState} from '../../source/kernel/types.js';
import {traceRun} from '../helpers/ksteps.js';
import {parse} from '../helpers/run.js';

const scenarioDir = new URL('../../scenarios/', import.meta.url);
const bundled = readdirSync(scenarioDir)
	.filter((f) => f.endsWith('.scn'))
	.sort();
const source = (name: string): string => readFileSync(new URL(name, scenarioDir), 'utf8');

/**
 * What a kernel step may leave half done until a later step of the same
 * tick, as the kernel itself does:
 * - a page's counts are raised before set_pte_at installs the PTE that
 *   accounts for them (copy_one_pte, do_anonymous_page, __do_fault), and the
 *   old page's are dropped after the new PTE is set (do_wp_page): mapcount
 *   against PTEs, a new page not mapped yet;
 * - copy_pte_range adds the child's rss once, at its end (add_mm_rss);
 * - exit_mm clears tsk->mm before mmput drops mm_users, and exit_mmap tears
 *   the mm down (PTEs, accounting, shmem references, tables, no-MMU frames)
 *   before its VMA list and mmput remove it;
 * - dup_task_struct allocates the kernel stack before copy_process makes
 *   the task that owns it, and copy_process makes the task before
 *   wake_up_new_task queues it;
 * - the vfork completion is made before vfork_done points at it and before
 *   the parent waits on it, completed before its waiters are woken, and gone
 *   from the stack before the woken parent's wait ends;
 * - exit_notify makes the zombie before it signals and wakes the parent.
 * Everything else holds after every step: VMAs, PTE bits against their VMA,
 * no writable PTE on a shared COW page, refcount == mapcount of anon pages,
 * page tables owned by one mm, caches, free frames.
 */
const inFlight = [
	/mapcount -?\d+ != \d+ (present PTEs mapping it|mm's using it)/,
	/in use but not mapped \(leaked\)/,
	/rss \d+ != \d+ (present PTEs|pages of its VMAs)/,
	/users \d+ != \d+ live tasks using it/,
	/live without an mm/,
	/users 0 but still in the mm list/,
	/committed \d+ != \d+ pages of/,
	/(total|locked)_vm \d+ != \d+ pages of its/,
	/shmem object \d+: refs \d+ != \d+ VMAs using it/,
	/vma '\w+': shmem object \d+ does not exist/,
	/pgd -1 is not a page-table frame/,
	/runnable but neither current nor queued/,
	/\(kstack\): not the stack of any task \(leaked\)/,
	/^completion \d+: /,
	/waits on completion \d+ but is not among its waiters/,
	/returning from completion \d+, which does not exist/,
	/free but still backing a no-MMU VMA/,
	/vfork_done \d+ belongs to pid \d+, which is not waiting for it/,
	/still waits though child \d+ is a zombie \(lost wake-up\)/,
];

/** The state after step j of the tick after `base` (a copy), with the stack then. */
function partial(base: KernelState, j: number): {k: KernelState; stack: KFrame[]; step: KStep} | null {
	const k = cloneKernel(base);
	let at: {stack: KFrame[]; step: KStep} | null = null;
	k.trace = new KernelTracer((s, stack) => {
		if (s.seq !== j) return false;
		at = {stack: stack.map((f) => ({...f})), step: s};
		return true;
	});
	try {
		stepTick(k);
	} catch (error) {
		if (error !== KSTEP_STOP) throw error;
		k.trace = null;
		return {k, ...at!};
	}
	return null;
}

/**
 * The steps looked at in a tick of n: all of them up to 48; in a longer tick
 * (a fork of many pages, a teardown) the first 16, the last 16 and 16 pairs
 * spread between. Of those, the test checks pairs spread over the run (about
 * 120 steps a scenario: every step of the smallest), so that the suite's
 * time stays within its budget; `back` is checked at the second of each pair.
 */
function sample(n: number): number[] {
	if (n <= 48) return Array.from({length: n}, (_, i) => i);
	const out = new Set<number>();
	for (let i = 0; i < 16; i++) {
		out.add(i);
		out.add(n - 1 - i);
		const at = 16 + Math.floor(((n - 34) * i) / 16);
		out.add(at);
		out.add(at + 1);
	}
	return [...out].sort((a, b) => a - b);
}

function stepsOfTick(base: KernelState): number {
	const k = cloneKernel(base);
	let n = 0;
	k.trace = new KernelTracer(() => (n++, false));
	stepTick(k);
	return n;
}

describe('every kernel step of every bundled scenario', () => {
	it.each(bundled)('%s', (name) => {
		const scenario = parse(source(name), name);
		// from the machine before the boot: tick 0 (pid 1's exec) has kernel steps too
		const k = bootStart(scenario);
		const dbg = new Debugger(scenario);
		// About 120 steps a scenario, in pairs (a step and the one after it) spread over the run.
		const total = traceRun(source(name), undefined, true).ticks.reduce((n, t) => n + t.steps.length, 0);
		const stride = Math.max(2, 2 * Math.ceil(total / 120));
		let index = 0;
		let steps = 0;
		while (k.ended === null) {
			const base = cloneKernel(k);
			const n = stepsOfTick(base);
			const t = k.tick + 1;
			let previous: {seq: number; hash: string} | null = null;
			const checked = sample(n).filter(() => index++ % stride < 2);
			for (const j of checked) {
				// forward from the tick's start
				const a = partial(base, j)!;
				const hash = stateHash(a.k);
				const dump = JSON.stringify(stateDump(a.k, {seq: j, stack: a.stack}));
				expect(a.k.tick).toBe(t);
				// the invariants a step cannot break
				const broken = checkInvariants(a.k).filter((m) => !inFlight.some((re) => re.test(m)));
				expect(broken, `${name} tick ${t} step ${j} (${a.step.phase} ${a.step.fn}${a.step.text === null ? '' : ': ' + a.step.text})`).toEqual([]);
				// the debugger reaches the same state: going to the step, or into it from the step before
				if (previous !== null && previous.seq === j - 1) dbg.kstep('into');
				else dbg.gotoKStep(t, j);
				// (a second execution of the tick, by other code: the same hash, the same dump)
				expect(dbg.inside).toMatchObject({tick: t, seq: j});
				expect(stateHash(dbg.kernel)).toBe(hash);
				expect(JSON.stringify(stateDump(dbg.kernel, dbg.kstepDump()))).toBe(dump);
				// and one step back from here is the state of the step before, exactly
				if (previous !== null && previous.seq === j - 1) {
					dbg.kstep('back');
					expect(dbg.inside).toMatchObject({tick: t, seq: j - 1});
					expect(stateHash(dbg.kernel)).toBe(previous.hash);
					dbg.kstep('into');
				}
				previous = {seq: j, hash};
				steps++;
			}
			stepTick(k);
			// leaving the tick lands on the state at its end
			if (checked.length > 0) dbg.kstep('leave');
			else dbg.goto(t);
			expect(dbg.inside).toBeNull();
			expect(dbg.tick).toBe(t);
			if (checked.length > 0) expect(stateHash(dbg.kernel)).toBe(stateHash(k));
		}
		expect(steps).toBeGreaterThan(0);
	});
});

describe('moving by kernel steps', () => {
	const forkCow = parse(source('fork-cow.scn'), 'fork-cow.scn');

	it('into the fork, over copy_one_pte PTE by PTE, out, and back out of the tick', () => {
		const dbg = new Debugger(forkCow, forkCow.config, ['func=copy_pte_range']);
		const stop = dbg.continue();
		expect(stop).toMatchObject({reason: 'break', hit: {spec: 'func=copy_pte_range', kstep: dbg.inside!.seq}});
		const tick = dbg.tick;
		expect(dbg.inside!.stack.map((f) => f.fn)).toEqual([
			'do_fork',
			'copy_process',
			'copy_mm',
			'dup_mm',
			'dup_mmap',
			'copy_page_range',
			'copy_pud_range',
			'copy_pmd_range',
			'copy_pte_range',
		]);
		const childMm = (): number[] =>
			stateDump(dbg.kernel)
				.mms.find((m) => m.id === 2)!
				.ptes.map((p) => p.pfn);
		dbg.kstep('over'); // pte_alloc_map's note
		expect(dbg.inside!.step.text).toMatch(/^pte_alloc_map: the child's table is pfn \d+/);
		expect(childMm()).toEqual([]);
		dbg.kstep('over'); // the whole first copy_one_pte
		expect(dbg.inside!.step).toMatchObject({fn: 'copy_one_pte', phase: 'exit'});
		expect(childMm()).toHaveLength(1);
		dbg.kstep('over');
		expect(dbg.inside!.step).toMatchObject({fn: 'copy_one_pte', phase: 'exit'});
		expect(childMm()).toHaveLength(2);
		dbg.kstep('back');
		expect(dbg.inside!.step.text).toMatch(/^set_pte_at: the child's pte 0x601000/);
		dbg.kstep('back');
		expect(dbg.inside!.step.text).toMatch(/^get_page \+ page_dup_rmap: pfn \d+ ref 1→2, map 1→2$/);
		// the refcount is raised, the child's PTE not set yet
		expect(childMm()).toHaveLength(1);
		dbg.kstep('out'); // out of copy_one_pte
		expect(dbg.inside!.step).toMatchObject({fn: 'copy_one_pte', phase: 'exit'});
		dbg.kstep('out'); // out of copy_pte_range
		expect(dbg.inside!.step).toMatchObject({fn: 'copy_pte_range', phase: 'exit'});
		dbg.kstep('leave');
		expect(dbg.inside).toBeNull();
		expect(dbg.tick).toBe(tick);
		expect(childMm()).toHaveLength(2);
		// between ticks, back goes into the tick just executed, at its last step
		dbg.kstep('back');
		expect(dbg.inside).toMatchObject({tick, step: {fn: 'do_fork', phase: 'exit', depth: 0}});
		dbg.kstep('out');
		expect(dbg.inside).toBeNull();
		expect(dbg.tick).toBe(tick);
	});

	it('back from the first step is the state before the tick; into a tick without kernel steps executes it', () => {
		const dbg = new Debugger(forkCow);
		dbg.step(3);
		// tick 4 prints (no kernel function): into executes it
		dbg.kstep('into');
		expect(dbg.inside).toBeNull();
		expect(dbg.tick).toBe(4);
		const before = stateHash(dbg.kernel);
		dbg.kstep('into');
		expect(dbg.inside).toMatchObject({tick: 5, seq: 0, step: {fn: 'do_fork', phase: 'enter'}});
		dbg.kstep('back');
		expect(dbg.inside).toBeNull();
		expect(dbg.tick).toBe(4);
		expect(stateHash(dbg.kernel)).toBe(before);
	});

	it('a tick step, goto and reverse-step from inside a tick leave it first', () => {
		const dbg = new Debugger(forkCow);
		dbg.gotoKStep(5, 10);
		expect(dbg.inside).toMatchObject({tick: 5, seq: 10});
		dbg.step();
		expect(dbg.inside).toBeNull();
		expect(dbg.tick).toBe(5);
		const at5 = stateHash(dbg.kernel);
		dbg.gotoKStep(5, 10);
		dbg.reverseStep();
		expect(dbg.inside).toBeNull();
		expect(dbg.tick).toBe(4);
		dbg.gotoKStep(5, 10);
		dbg.goto(5);
		expect(stateHash(dbg.kernel)).toBe(at5);
		// the log through tick 4 is what it was, read while inside tick 5
		dbg.gotoKStep(5, 3);
		expect(dbg.visibleEvents()).toBe(new Debugger(forkCow).goto(4) && dbgEvents(forkCow, 4));
	});
});

function dbgEvents(scenario: ReturnType<typeof parse>, tick: number): number {
	const d = new Debugger(scenario);
	d.goto(tick);
	return d.visibleEvents();
}

describe('func= breakpoints', () => {
	it('parses a kernel function with the keys it has; refuses an unknown name with the closest ones', () => {
		const ok = parseBreakpoint('func=copy_one_pte:pid=1,region=heap,addr=0x600000');
		expect(ok).toMatchObject({ok: true, breakpoint: {kind: 'func', fn: 'copy_one_pte', pid: 1, region: 'heap', addr: 0x600000}});
		const bad = parseBreakpoint('func=copy_one_ptes');
		expect(bad.ok).toBe(false);
		expect(!bad.ok && bad.message).toBe("the kernel has no function 'copy_one_ptes' (closest: copy_one_pte, copy_process, copy_pte_range)");
		const wp = parseBreakpoint('func=do_wp_pag');
		expect(!wp.ok && wp.message).toMatch(/closest: do_wp_page/);
		const region = parseBreakpoint('func=complete:region=heap');
		expect(!region.ok && region.message).toBe('complete has no VMA argument: region= cannot apply to it');
		const addr = parseBreakpoint('func=mm_release:addr=0x600000');
		expect(!addr.ok && addr.message).toBe('mm_release has no address argument: addr= cannot apply to it');
		expect(parseBreakpoint('func').ok).toBe(false);
	});

	const cases: [string, string][] = [
		['fork-cow.scn', 'copy_one_pte'],
		['fork-cow.scn', 'do_wp_page'],
		['vfork-completion.scn', 'mm_release'],
		['vfork-coredump.scn', 'coredump_wait'],
		['fork-vs-vfork-cost.scn', 'copy_pte_range'],
		['madvise-dontfork.scn', 'copy_page_range'],
		['exec-exit-wait.scn', 'zap_pte_range'],
	];
	it.each(cases)('%s: the hits of func=%s are the entries in the kernel steps', (name, fn) => {
		const scenario = parse(source(name), name);
		const entries = traceRun(source(name), undefined, true)
			.ticks.flatMap((t) => t.steps.map((s) => ({tick: t.tick, s})))
			.filter((x) => x.s.phase === 'enter' && x.s.fn === fn);
		expect(entries.length).toBeGreaterThan(0);
		const dbg = new Debugger(scenario, scenario.config, [`func=${fn}`]);
		const stops: {tick: number; seq: number}[] = [];
		// a hit in the boot (tick 0) is where the debugger starts
		if (dbg.lastStop.reason === 'break') stops.push({tick: 0, seq: dbg.lastStop.hit!.kstep!});
		for (;;) {
			const stop = dbg.continue();
			if (stop === null || stop.reason !== 'break') break;
			stops.push({tick: stop.tick, seq: stop.hit!.kstep!});
			expect(dbg.inside!.step).toMatchObject({fn, phase: 'enter'});
		}
		expect(stops).toEqual(entries.map((x) => ({tick: x.tick, seq: x.s.seq})));
		expect(dbg.breakpoints[0]!.hits).toBe(entries.length);
	});

	it('pid=, region= and addr= narrow the hits', () => {
		const scenario = parse(source('fork-cow.scn'), 'fork-cow.scn');
		const count = (spec: string): number => {
			const dbg = new Debugger(scenario, scenario.config, [spec]);
			let n = 0;
			while (dbg.continue()?.reason === 'break') n++;
			return n;
		};
		expect(count('func=do_page_fault')).toBeGreaterThan(count('func=do_page_fault:pid=2'));
		expect(count('func=do_page_fault:pid=2')).toBeGreaterThan(0);
		expect(count('func=copy_one_pte:addr=0x601000')).toBe(1);
		expect(count('func=copy_pte_range:addr=0x601000')).toBe(1);
		expect(count('func=copy_page_range:region=heap')).toBe(1);
		expect(count('func=handle_mm_fault:region=nothere')).toBe(0);
	});

	it('reverse-continue stops at the previous func= entry, inside its tick, as a forward continue stops', () => {
		const scenario = parse(source('fork-cow.scn'), 'fork-cow.scn');
		for (const specs of [['func=copy_one_pte'], ['func=copy_one_pte', 'cow'], ['func=do_page_fault:pid=2', 'tick=5']]) {
			const dbg = new Debugger(scenario, scenario.config, specs);
			const where = (): string => `${dbg.tick}/${dbg.inside?.seq ?? 'end'}/${stateHash(dbg.kernel)}`;
			const forward: string[] = [];
			for (;;) {
				const stop = dbg.continue();
				if (stop === null || stop.reason !== 'break') break;
				forward.push(where());
			}
			expect(forward.length, specs.join(' ')).toBeGreaterThan(1);
			const counts = dbg.breakpoints.map((b) => b.hits);
			const backward: string[] = [];
			for (;;) {
				const stop = dbg.reverseContinue();
				if (stop.reason !== 'break') {
					expect(stop.tick).toBe(0);
					expect(dbg.inside).toBeNull();
					break;
				}
				expect(stop.hit!.tick).toBe(dbg.tick);
				if (dbg.inside !== null) {
					expect(stop.hit!.kstep).toBe(dbg.inside.seq);
					expect(dbg.inside.step.phase).toBe('enter');
				}
				backward.push(where());
			}
			expect(backward.reverse(), specs.join(' ')).toEqual(forward);
			// each stop counted one hit more, on the breakpoints that matched it
			expect(dbg.breakpoints.reduce((n, b) => n + b.hits, 0)).toBeGreaterThanOrEqual(counts.reduce((n, c) => n + c, 0) + forward.length);
		}
	});

	it('a session records kernel steps and replays them to the same states', () => {
		const scenario = parse(source('fork-cow.scn'), 'fork-cow.scn');
		const dbg = new Debugger(scenario, scenario.config, ['func=copy_one_pte']);
		const script = [
			{a: 'continue'},
			{a: 'kstep', op: 'into'},
			{a: 'kstep', op: 'into'},
			{a: 'kstep', op: 'back'},
			{a: 'kstep', op: 'out'},
			{a: 'kstep', op: 'over'},
		] as const;
		const hashes = script.map((action) => (applyAction(dbg, action), `${dbg.tick}/${dbg.inside?.seq ?? '-'}/${stateHash(dbg.kernel)}`));
		const again = new Debugger(scenario, scenario.config, ['func=copy_one_pte']);
		expect(script.map((action) => (applyAction(again, action), `${again.tick}/${again.inside?.seq ?? '-'}/${stateHash(again.kernel)}`))).toEqual(hashes);
		// into, into, back: the state after the first into again
		expect(hashes[3]).toBe(hashes[1]);
		expect(new Set(hashes).size).toBe(hashes.length - 1);
	});
});
