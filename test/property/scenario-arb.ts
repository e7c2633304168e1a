// A fast-check arbitrary of random VALID scenarios (docs/scenario-language.md), as source text.
//
// The value fast-check generates (and shrinks) is a small tree: the config,
// then programs made of instructions, bounded loops and fork/vfork/clone
// branches. `renderScenario` turns it into a .scn file. Region and program
// names in the tree are drawn from fixed pools; the renderer maps a name the
// program does not declare to `stack`, so every rendering parses, however the
// tree was shrunk.

import fc from 'fast-check';

export type Ref = {region: string; page: number | null; offset: number};
export type Addr = {abs: number} | Ref;
/** A value operand: int, register or name as text, or a memory reference. */
export type Val = {text: string} | {mem: Addr};

export type Ins =
	| {op: 'read'; addr: Addr}
	| {op: 'write'; addr: Addr; value: Val}
	| {op: 'touch'; region: string; access: 'read' | 'write'; value: Val | null}
	| {op: 'mmap'; region: string; pages: number; prot: string; shared: boolean; at: number | null}
	| {op: 'munmap' | 'mlock' | 'munlock'; region: string}
	| {op: 'mprotect'; region: string; prot: string}
	| {op: 'madvise'; region: string; advice: 'dontfork' | 'dofork' | 'wipeonfork' | 'keeponfork'}
	| {op: 'call'; call: string}
	| {op: 'exec'; program: string}
	| {op: 'exit'; code: Val}
	| {op: 'kill'; target: Val; signal: string}
	/** getppid, then kill its ret: a child signalling its (often sleeping) parent. */
	| {op: 'killParent'; signal: string}
	| {op: 'wait'; pid: Val | null}
	| {op: 'sleep' | 'compute'; ticks: number}
	| {op: 'plain'; text: string}
	| {op: 'set' | 'add'; reg: string; value: Val}
	| {op: 'expect'; a: Val; cmp: string; b: Val}
	| {op: 'print'; text: string};

export type Item =
	| {t: 'ins'; ins: Ins}
	| {t: 'loop'; n: number; body: Item[]}
	| {
			t: 'branch';
			call: string;
			/** The child first sleeps this long; the parent first sends it this signal (a sleeper woken by a signal). */
			childSleep: number | null;
			killChild: string | null;
			child: Item[];
			childExit: number | null;
			parent: Item[];
	  }
	/** `if A OP B goto` past the body: a conditional skip, on registers or memory. */
	| {t: 'cond'; a: Val; cmp: string; b: Val; body: Item[]};

export type MapDecl = {region: string; pages: number; prot: string; shared: boolean; at: number | null; dontfork: boolean; locked: boolean};

export type ProgramGen = {maps: MapDecl[]; body: Item[]; reap: boolean};

export type ScenarioGen = {
	config: {
		mmu: 'on' | 'off';
		frames: number;
		quantum: number;
		childRunsFirst: boolean;
		overcommit: 'heuristic' | 'always' | 'never';
		commitLimit: number | null;
		maxTicks: number;
		/** The kernel era (SPEC §1.9): the invariants hold under both. */
		kernel: '2.6.32' | '6.18';
	};
	programs: ProgramGen[];
};

export type ScenarioArbOptions = {
	/** Programs besides init (default 0…2). */
	maxExtraPrograms?: number;
	/** Items per block (default 8). */
	maxItems?: number;
	/** Nesting of loops and branches (default 2). */
	maxDepth?: number;
	/** max_ticks range (default 60…400). */
	maxTicks?: [number, number];
};

const MAP_NAMES = ['a', 'b', 'c'];
const MMAP_NAMES = ['m', 'n'];
const PROGRAMS = ['p0', 'p1', 'p2', 'ghost'];
const PROTS = ['rw-', 'r--', 'rwx', 'r-x', '---', '-w-'];
/** `at` addresses of runtime mmaps: free ones, and some that collide with text, the maps or the stack. */
const FIXED = [0x70_0000, 0x71_0000, 0x72_0000, 0x73_0000, 0x40_0000, 0x60_0000, 0x7fff_ffff_f000];
/** Page counts: small mostly, now and then more than a small machine has (overcommit refusals, no-MMU -ENOMEM). */
const pageCount = (max: number): fc.Arbitrary<number> =>
	fc.oneof({weight: 12, arbitrary: fc.integer({min: 1, max})}, {weight: 1, arbitrary: fc.integer({min: 12, max: 200})});
/**
 * `at` addresses of map lines, one per map name: clear of everything, whatever the page counts
 * (1 MiB apart; the parser refuses a map that exec could not place).
 */
const MAP_FIXED = [0x70_0000, 0x80_0000, 0x90_0000];
const CLONE_FLAGS = ['vm', 'vfork', 'sighand', 'thread', 'sigchld'];

const region = fc.oneof(
	{weight: 9, arbitrary: fc.constantFrom(...MAP_NAMES)},
	{weight: 4, arbitrary: fc.constantFrom(...MMAP_NAMES)},
	{weight: 2, arbitrary: fc.constant('stack')},
	{weight: 1, arbitrary: fc.constant('text')},
);
const regionRef: fc.Arbitrary<Ref> = fc.record({
	region,
	// Mostly inside the region (maps have 1…5 pages); now and then past its end.
	page: fc.oneof(
		{weight: 4, arbitrary: fc.constant(null)},
		{weight: 6, arbitrary: fc.integer({min: 0, max: 1})},
		{weight: 1, arbitrary: fc.integer({min: 2, max: 6})},
	),
	// Several words per page, so that a COW copy that loses words shows.
	offset: fc.oneof(
		{weight: 5, arbitrary: fc.constant(0)},
		{weight: 4, arbitrary: fc.constantFrom(8, 16, 24, 4088)},
		{weight: 1, arbitrary: fc.constant(4096)},
	),
});
const addr: fc.Arbitrary<Addr> = fc.oneof(
	{weight: 15, arbitrary: regionRef},
	{weight: 1, arbitrary: fc.record({abs: fc.constantFrom(0, 8, 0x1000, 0x3008, 0x40_0000, 0x60_0000, 0x60_1008, 0x7fff_ffff_eff8, 0x7fff_ffff_f000)})},
);
const intText = fc.oneof(
	{weight: 6, arbitrary: fc.integer({min: -3, max: 300}).map(String)},
	{weight: 1, arbitrary: fc.constantFrom('9007199254740991', '-9007199254740991', '0x7fffffff', '0')},
);
const nameText = fc.constantFrom('ret', 'status', 'signal', 'core', 'r0', 'r1', 'r2', 'r3', '-ENOMEM', '-ECHILD', 'EINVAL', 'SIGKILL');
/** A VALUE where memory operands are not allowed (write, touch, kill, wait). */
const plainVal: fc.Arbitrary<Val> = fc.oneof({weight: 3, arbitrary: intText}, {weight: 2, arbitrary: nameText}).map((text) => ({text}));
/** A VALUE where they are (set, add, exit, expect); pin[P] reads a pinned frame. */
const memVal: fc.Arbitrary<Val> = fc.oneof(
	{weight: 4, arbitrary: plainVal},
	{weight: 1, arbitrary: addr.map((a) => ({mem: a}))},
	{weight: 1, arbitrary: fc.constantFrom({text: 'pin[1]'}, {text: 'pin[r0]+8'}, {text: 'era'})},
);
const cloneFlags = fc.shuffledSubarray(CLONE_FLAGS, {minLength: 1}).map((flags) => `clone ${flags.join('|')}`);
const forkCall = fc.oneof({weight: 3, arbitrary: fc.constant('fork')}, {weight: 2, arbitrary: fc.constant('vfork')}, {weight: 2, arbitrary: cloneFlags});

const ins: fc.Arbitrary<Ins> = fc.oneof(
	{weight: 8, arbitrary: fc.record({op: fc.constant('read' as const), addr})},
	{weight: 10, arbitrary: fc.record({op: fc.constant('write' as const), addr, value: plainVal})},
	{
		weight: 6,
		arbitrary: fc.record({
			op: fc.constant('touch' as const),
			region,
			access: fc.constantFrom('read' as const, 'write' as const),
			value: fc.option(plainVal, {nil: null}),
		}),
	},
	{
		weight: 4,
		arbitrary: fc.record({
			op: fc.constant('mmap' as const),
			region: fc.constantFrom(...MMAP_NAMES),
			pages: pageCount(6),
			prot: fc.constantFrom(...PROTS),
			shared: fc.boolean(),
			at: fc.option(fc.constantFrom(...FIXED), {nil: null, freq: 4}),
		}),
	},
	{weight: 4, arbitrary: fc.record({op: fc.constantFrom('munmap' as const, 'mlock' as const, 'munlock' as const), region})},
	{weight: 3, arbitrary: fc.record({op: fc.constant('mprotect' as const), region, prot: fc.constantFrom(...PROTS)})},
	{
		weight: 2,
		arbitrary: fc.record({
			op: fc.constant('madvise' as const),
			region,
			advice: fc.constantFrom('dontfork' as const, 'dofork' as const, 'wipeonfork' as const, 'keeponfork' as const),
		}),
	},
	{weight: 4, arbitrary: fc.record({op: fc.constant('call' as const), call: forkCall})},
	{weight: 3, arbitrary: fc.record({op: fc.constant('exec' as const), program: fc.constantFrom(...PROGRAMS)})},
	{weight: 1, arbitrary: fc.record({op: fc.constant('exit' as const), code: memVal})},
	{
		weight: 2,
		arbitrary: fc.record({
			op: fc.constant('kill' as const),
			// ret right after a fork is the child's pid
			target: fc.oneof(
				{weight: 3, arbitrary: fc.integer({min: 0, max: 8}).map((n) => ({text: String(n)}))},
				{weight: 2, arbitrary: fc.constantFrom({text: 'ret'}, {text: 'r0'})},
			),
			signal: fc.constantFrom('SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT'),
		}),
	},
	{weight: 1, arbitrary: fc.record({op: fc.constant('killParent' as const), signal: fc.constantFrom('SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT')})},
	{
		weight: 4,
		arbitrary: fc.record({
			op: fc.constant('wait' as const),
			pid: fc.option(
				fc.oneof(
					fc.integer({min: -1, max: 6}).map((n) => ({text: String(n)})),
					fc.constant({text: 'ret'}),
				),
				{nil: null, freq: 3},
			),
		}),
	},
	{weight: 5, arbitrary: fc.record({op: fc.constantFrom('sleep' as const, 'compute' as const), ticks: fc.integer({min: 1, max: 6})})},
	{
		weight: 4,
		arbitrary: fc.record({
			op: fc.constant('plain' as const),
			text: fc.constantFrom(
				'abort',
				'yield',
				'getpid',
				'getppid',
				'sigaltstack on',
				'sigaltstack off',
				// pins (get_user_pages FOLL_PIN) and the wait options of clone children and threads
				'pin stack',
				'pin stack[1]+8',
				'pin 0x600000',
				'unpin 1',
				'unpin ret',
				'wait clone',
				'wait all',
				'wait ret all',
				'clone vm|sighand|thread',
				'clone vm',
			),
		}),
	},
	{
		weight: 4,
		arbitrary: fc.record({op: fc.constantFrom('set' as const, 'add' as const), reg: fc.constantFrom('r0', 'r1', 'r2', 'r3'), value: memVal}),
	},
	{
		weight: 2,
		arbitrary: fc.record({op: fc.constant('expect' as const), a: memVal, cmp: fc.constantFrom('==', '!=', '<', '<=', '>', '>='), b: memVal}),
	},
	{weight: 1, arbitrary: fc.record({op: fc.constant('print' as const), text: fc.constantFrom('hello', 'a "quoted" word', '#not a comment')})},
);

function branch(depth: number, maxItems: number): fc.Arbitrary<Item> {
	const sub = block(depth - 1, Math.max(1, maxItems >> 1));
	return fc.record({
		t: fc.constant('branch' as const),
		call: forkCall,
		childSleep: fc.option(fc.integer({min: 1, max: 8}), {nil: null, freq: 4}),
		killChild: fc.option(fc.constantFrom('SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT'), {nil: null, freq: 5}),
		child: sub,
		childExit: fc.option(fc.integer({min: 0, max: 3}), {nil: null, freq: 4}),
		parent: sub,
	});
}

function block(depth: number, maxItems: number): fc.Arbitrary<Item[]> {
	const item: fc.Arbitrary<Item> =
		depth <= 0
			? ins.map((i): Item => ({t: 'ins', ins: i}))
			: fc.oneof(
					{weight: 6, arbitrary: ins.map((i): Item => ({t: 'ins', ins: i}))},
					{
						weight: 1,
						arbitrary: fc.record({
							t: fc.constant('loop' as const),
							n: fc.integer({min: 1, max: 4}),
							body: block(depth - 1, Math.max(1, maxItems >> 1)),
						}),
					},
					{weight: 3, arbitrary: branch(depth, maxItems)},
					{
						weight: 1,
						arbitrary: fc.record({
							t: fc.constant('cond' as const),
							a: memVal,
							cmp: fc.constantFrom('==', '!=', '<', '<=', '>', '>='),
							b: memVal,
							body: block(depth - 1, Math.max(1, maxItems >> 1)),
						}),
					},
				);
	return fc.array(item, {minLength: 0, maxLength: maxItems});
}

const mapDecl = (name: string): fc.Arbitrary<MapDecl> =>
	fc.record({
		region: fc.constant(name),
		pages: pageCount(5),
		prot: fc.constantFrom('rw-', 'rw-', 'rw-', 'rw-', 'r--', 'rwx', '---'),
		shared: fc.boolean(),
		at: fc.option(fc.constant(MAP_FIXED[MAP_NAMES.indexOf(name)]!), {nil: null, freq: 8}),
		dontfork: fc.boolean(),
		locked: fc.option(fc.constant(true), {nil: false, freq: 4}),
	});

export function scenarioGenArb(options: ScenarioArbOptions = {}): fc.Arbitrary<ScenarioGen> {
	const maxItems = options.maxItems ?? 8;
	const maxDepth = options.maxDepth ?? 2;
	const [minTicks, maxTicks] = options.maxTicks ?? [60, 400];
	const program = fc.record({
		maps: fc.subarray(MAP_NAMES).chain((names) => fc.tuple(...names.map(mapDecl))),
		// Most programs start by forking, so that most runs have several processes.
		body: fc
			.tuple(fc.option(branch(maxDepth, maxItems), {nil: null, freq: 4}), block(maxDepth, maxItems))
			.map(([lead, rest]) => (lead === null ? rest : [lead, ...rest])),
		// (cross-shrinking to the first arbitrary: a counterexample loses its reap loop)
		reap: fc.oneof({withCrossShrink: true}, {weight: 1, arbitrary: fc.constant(false)}, {weight: 3, arbitrary: fc.constant(true)}),
	});
	return fc.record({
		config: fc.record({
			mmu: fc.constantFrom('on' as const, 'on' as const, 'on' as const, 'off' as const),
			frames: fc.constantFrom(16, 20, 24, 32, 48, 64, 128),
			quantum: fc.integer({min: 1, max: 4}),
			childRunsFirst: fc.boolean(),
			overcommit: fc.constantFrom('heuristic' as const, 'always' as const, 'never' as const),
			commitLimit: fc.option(fc.integer({min: 0, max: 80}), {nil: null, freq: 3}),
			maxTicks: fc.integer({min: minTicks, max: maxTicks}),
			kernel: fc.constantFrom('2.6.32' as const, '6.18' as const),
		}),
		programs: fc.array(program, {minLength: 1, maxLength: 1 + (options.maxExtraPrograms ?? 2)}),
	});
}

/** Random valid scenario sources. */
export function scenarioArb(options: ScenarioArbOptions = {}): fc.Arbitrary<string> {
	return scenarioGenArb(options).map(renderScenario);
}

// ---------------------------------------------------------------------------
// Rendering

function hexAddr(n: number): string {
	return `0x${n.toString(16)}`;
}

export function renderScenario(s: ScenarioGen): string {
	const c = s.config;
	const lines: string[] = [];
	lines.push('scenario "generated"');
	const config = [
		`mmu=${c.mmu}`,
		`frames=${c.frames}`,
		`quantum=${c.quantum}`,
		`child_runs_first=${c.childRunsFirst ? 'yes' : 'no'}`,
		`overcommit=${c.overcommit}`,
		...(c.commitLimit === null ? [] : [`commit_limit=${c.commitLimit}`]),
		`max_ticks=${c.maxTicks}`,
		`kernel=${c.kernel}`,
	];
	lines.push(`config ${config.join(' ')}`);
	const names = s.programs.map((_, i) => `p${i}`);
	s.programs.forEach((p, i) => lines.push(...renderProgram(p, names[i]!, names)));
	lines.push('init p0');
	return lines.join('\n') + '\n';
}

function collectMmaps(items: Item[], out: Set<string>): void {
	for (const item of items) {
		if (item.t === 'ins' && item.ins.op === 'mmap') out.add(item.ins.region);
		else if (item.t === 'loop' || item.t === 'cond') collectMmaps(item.body, out);
		else if (item.t === 'branch') {
			collectMmaps(item.child, out);
			collectMmaps(item.parent, out);
		}
	}
}

function renderProgram(p: ProgramGen, name: string, programs: string[]): string[] {
	const known = new Set<string>(['text', 'stack']);
	for (const m of p.maps) known.add(m.region);
	collectMmaps(p.body, known);
	const fallback = p.maps[0]?.region ?? 'stack';
	const reg = (r: string): string => (known.has(r) ? r : fallback);
	const addr = (a: Addr): string => {
		if ('abs' in a) return hexAddr(a.abs);
		const r = reg(a.region);
		// The stack has 2 pages: keep the usual in-range indexes in range.
		const page = r === 'stack' && a.page !== null && a.page <= 2 ? a.page % 2 : a.page;
		return `${r}${page === null ? '' : `[${page}]`}${a.offset === 0 ? '' : `+${a.offset}`}`;
	};
	const val = (v: Val): string => {
		if ('text' in v) return v.text;
		return 'abs' in v.mem ? `*${hexAddr(v.mem.abs)}` : addr(v.mem);
	};
	const out: string[] = [`program ${name}`];
	for (const m of p.maps) {
		const opts = [m.shared ? 'shared' : '', m.at === null ? '' : `at ${hexAddr(m.at)}`, m.dontfork ? 'dontfork' : '', m.locked ? 'locked' : ''];
		out.push(`\tmap ${m.region} ${m.pages} ${m.prot} ${opts.filter((o) => o !== '').join(' ')}`.trimEnd());
	}
	let labels = 0;
	const emit = (items: Item[], depth: number): void => {
		for (const item of items) {
			if (item.t === 'ins') {
				out.push(`\t${renderIns(item.ins)}`);
			} else if (item.t === 'loop') {
				// A loop bounded by a register of its own depth (r4…r7; generated set/add use r0…r3).
				const r = `r${4 + Math.min(depth, 3)}`;
				const label = `loop${++labels}`;
				out.push(`\tset ${r} 0`, `${label}:`);
				emit(item.body, depth + 1);
				out.push(`\tadd ${r} 1`, `\tif ${r} < ${item.n} goto ${label}`);
			} else if (item.t === 'cond') {
				const label = `skip${++labels}`;
				out.push(`\tif ${val(item.a)} ${item.cmp} ${val(item.b)} goto ${label}`);
				emit(item.body, depth + 1);
				out.push(`${label}:`);
			} else {
				const label = `parent${++labels}`;
				out.push(`\t${item.call}`, `\tif ret != 0 goto ${label}`);
				if (item.childSleep !== null) out.push(`\tsleep ${item.childSleep}`);
				emit(item.child, depth + 1);
				if (item.childExit !== null) out.push(`\texit ${item.childExit}`);
				out.push(`${label}:`);
				if (item.killChild !== null) out.push(`\tkill ret ${item.killChild}`);
				emit(item.parent, depth + 1);
			}
		}
	};
	const renderIns = (i: Ins): string => {
		switch (i.op) {
			case 'read':
				return `read ${addr(i.addr)}`;
			case 'write':
				return `write ${addr(i.addr)} ${val(i.value)}`;
			case 'touch':
				return `touch ${reg(i.region)} ${i.access}${i.access === 'write' && i.value !== null ? ` ${val(i.value)}` : ''}`;
			case 'mmap':
				return `mmap ${i.region} ${i.pages} ${i.prot}${i.shared ? ' shared' : ''}${i.at === null ? '' : ` at ${hexAddr(i.at)}`}`;
			case 'munmap':
			case 'mlock':
			case 'munlock':
				return `${i.op} ${reg(i.region)}`;
			case 'mprotect':
				return `mprotect ${reg(i.region)} ${i.prot}`;
			case 'madvise':
				return `madvise ${reg(i.region)} ${i.advice}`;
			case 'call':
				return i.call;
			case 'exec':
				return `exec ${programs.includes(i.program) ? i.program : 'ghost'}`;
			case 'exit':
				return `exit ${val(i.code)}`;
			case 'kill':
				return `kill ${val(i.target)} ${i.signal}`;
			case 'killParent':
				return `getppid\n\tkill ret ${i.signal}`;
			case 'wait':
				return i.pid === null ? 'wait' : `wait ${val(i.pid)}`;
			case 'sleep':
			case 'compute':
				return `${i.op} ${i.ticks}`;
			case 'plain':
				return i.text;
			case 'set':
			case 'add':
				return `${i.op} ${i.reg} ${val(i.value)}`;
			case 'expect':
				return `expect ${val(i.a)} ${i.cmp} ${val(i.b)}`;
			case 'print':
				return `print "${i.text.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
		}
	};
	emit(p.body, 0);
	if (p.reap) {
		// Reap every child, then exit: runs of such an init can end 'exited'.
		const label = `reap${++labels}`;
		out.push(`${label}:`, '\twait', `\tif ret > 0 goto ${label}`, '\texit 0');
	}
	out.push('end');
	return out;
}
