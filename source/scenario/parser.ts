// The scenario parser (docs/scenario-language.md): a hand-written, line-oriented parser that turns a
// `*.scn` file into the IR of ast.ts, or into every error the file holds, each at
// its line and column. It never throws: whatever the input, it returns a
// ParseResult.
//
// Operands. An ADDRESS position (the first operand of read and write, and the
// ADDR of `map … at ADDR` / `mmap … at ADDR`) takes:
//   REGION            the start of the region
//   REGION[K]         the start of its page K
//   REGION+OFF        either of the above plus OFF bytes (decimal or 0x hex,
//   REGION[K]+OFF     no spaces)
//   N                 a bare number (decimal or 0x hex) is an absolute address
// (`at` takes only the absolute, page-aligned form.)
// A VALUE position (write's VALUE, set/add, exit, if/expect, …) takes an integer
// (decimal, optionally negative, or 0x hex), a register (ret status signal core
// r0…r7), an errno name (-EINVAL = -22 …, or EINVAL = +22) or a signal name
// (SIGSEGV = 11 …). There a bare number is an integer, so a memory operand — the
// word at an address — is written in a region form (`heap`, `heap[0]`,
// `heap[2]+8`) or, for an absolute address, with a leading `*` (`*0x600000`).
// Words are 8 bytes: every address must be 8-byte aligned.

import {
	defaultConfig,
	kernelVersion,
	registers,
	type Address,
	type CompareOp,
	type Config,
	type ConfigKey,
	type Instruction,
	type MapSpec,
	type Operand,
	type Position,
	type Program,
	type Prot,
	type Register,
} from '../kernel/program.js';
import {
	CLONE_SIGHAND,
	CLONE_THREAD,
	CLONE_VFORK,
	CLONE_VM,
	SIGCHLD_FLAG,
	errnoNumbers,
	signalNumbers,
	type ErrnoName,
	type SignalName,
} from '../kernel/uapi.js';
import type {BreakLine, Diagnostic, ParseResult, Scenario} from './ast.js';
import {suggestion} from './diagnostics.js';
import {lexLine, splitLines, type Token} from './lexer.js';

const PAGE_SIZE = 4096;
const WORD_SIZE = 8;
/** The top of user space (TASK_SIZE on x86-64, rounded): `at` addresses stay below it. */
const USER_TOP = 0x8000_0000_0000;
/** Where exec puts a program's text, its maps without `at`, and its stack (kernel/types.ts, docs/scenario-language.md). */
const TEXT_START = 0x40_0000;
const MAP_BASE = 0x60_0000;
const STACK_TOP = 0x7fff_ffff_f000;
const STACK_PAGES = 2;
const MAX_PAGES = 16_777_216;
const MAX_OPERAND_TICKS = 1_000_000_000;
const TOO_LARGE = 'number too large: cowdbg keeps words exact up to 2^53-1';
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// ---------------------------------------------------------------------------
// Small helpers

/** A word as quoted in a message: control characters made visible, long words cut. */
function show(text: string): string {
	const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
	return clean.length > 40 ? `${clean.slice(0, 37)}…` : clean;
}

/** An error of the current line, caught by the line loop. */
class LineError {
	constructor(
		readonly col: number,
		readonly message: string,
	) {}
}

function fail(col: number, message: string): never {
	throw new LineError(col, message);
}

export type NumberResult = {ok: true; value: number} | {ok: false; message: string};

/**
 * An integer: decimal with an optional leading `-`, or `0x` hex. Refuses anything
 * beyond ±Number.MAX_SAFE_INTEGER, where a double stops being exact.
 */
export function parseNumber(text: string): NumberResult {
	let negative = false;
	let body = text;
	if (body.startsWith('-')) {
		if (/^-0[xX]/.test(body)) {
			return {ok: false, message: `bad number '${show(text)}': negative numbers are written in decimal`};
		}
		negative = true;
		body = body.slice(1);
	}
	let digits: string;
	let hex: boolean;
	if (/^0[xX][0-9a-fA-F]+$/.test(body)) {
		hex = true;
		digits = body.slice(2);
	} else if (/^[0-9]+$/.test(body)) {
		hex = false;
		digits = body;
	} else {
		return {ok: false, message: `bad number '${show(text)}': expected a decimal or 0x hex integer`};
	}
	digits = digits.replace(/^0+(?=.)/, '');
	if (digits.length > 20) return {ok: false, message: TOO_LARGE};
	const big = BigInt(hex ? `0x${digits}` : digits);
	if (big > BigInt(Number.MAX_SAFE_INTEGER)) return {ok: false, message: TOO_LARGE};
	const value = Number(big);
	return {ok: true, value: negative && value !== 0 ? -value : value};
}

function numberAt(tok: Token): number {
	const r = parseNumber(tok.text);
	if (!r.ok) fail(tok.col, r.message);
	return r.value;
}

function hex(n: number): string {
	return `0x${n.toString(16)}`;
}

function isLabelToken(tok: Token): boolean {
	return !tok.quoted && tok.text.length > 1 && tok.text.endsWith(':');
}

const reg = (r: string): r is Register => (registers as readonly string[]).includes(r);
const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

const destinationRegisters: readonly Register[] = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];
const killSignals: readonly SignalName[] = ['SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT'];
const compareOps: readonly CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const errnoNames = Object.keys(errnoNumbers);
const signalNames = Object.keys(signalNumbers);
/** Names a value operand understands by itself: they cannot name a region. */
const valueNames: readonly string[] = [...registers, 'era', ...errnoNames, ...errnoNames.map((e) => `-${e}`), ...signalNames];

const cloneFlagValues: Readonly<Record<string, number>> = Object.freeze({
	vm: CLONE_VM,
	vfork: CLONE_VFORK,
	sighand: CLONE_SIGHAND,
	thread: CLONE_THREAD,
	sigchld: SIGCHLD_FLAG,
});
const cloneFlagNames = Object.keys(cloneFlagValues);

// ---------------------------------------------------------------------------
// config (docs/scenario-language.md)

export const configKeys: readonly ConfigKey[] = ['mmu', 'frames', 'quantum', 'child_runs_first', 'overcommit', 'commit_limit', 'max_ticks', 'end', 'kernel'];

export type ConfigAssignment = {ok: true; key: ConfigKey; value: Config[ConfigKey]} | {ok: false; message: string};

function integerIn(key: string, value: string, min: number, max: number, unit = ''): ConfigAssignment | number {
	const range = (max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`) + unit;
	const r = parseNumber(value);
	if (!r.ok) {
		if (r.message === TOO_LARGE) return {ok: false, message: `${key}: ${TOO_LARGE}`};
		return {ok: false, message: `${key} must be ${range}, not '${show(value)}'`};
	}
	if (r.value < min || r.value > max) return {ok: false, message: `${key} must be ${range}, not ${value}`};
	return r.value;
}

function choice(key: string, value: string, options: readonly string[]): ConfigAssignment | string {
	if (options.includes(value)) return value;
	return {ok: false, message: `${key} must be ${options.join(' or ')}, not '${show(value)}'${suggestion(value, options)}`};
}

/** One `KEY=VALUE` of a `config` line or of `--set` on the command line. */
export function parseConfigAssignment(key: string, value: string): ConfigAssignment {
	const ok = (k: ConfigKey, v: Config[ConfigKey]): ConfigAssignment => ({ok: true, key: k, value: v});
	switch (key) {
		case 'mmu': {
			const v = choice(key, value, ['on', 'off']);
			return typeof v === 'string' ? ok(key, v as Config['mmu']) : v;
		}
		case 'frames':
		case 'quantum':
		case 'commit_limit':
		case 'max_ticks': {
			const [min, max, unit] =
				key === 'frames'
					? [16, 16_777_216, '']
					: key === 'quantum'
						? [1, 1_000_000, ' (ticks)']
						: key === 'commit_limit'
							? [0, Number.MAX_SAFE_INTEGER, ' (pages)']
							: [1, 1_000_000_000, ''];
			const v = integerIn(key, value, min, max, unit);
			return typeof v === 'number' ? ok(key, v) : v;
		}
		case 'child_runs_first': {
			const v = choice(key, value, ['yes', 'no']);
			return typeof v === 'string' ? ok(key, v === 'yes') : v;
		}
		case 'overcommit': {
			const v = choice(key, value, ['heuristic', 'always', 'never']);
			return typeof v === 'string' ? ok(key, v as Config['overcommit']) : v;
		}
		case 'end': {
			const v = choice(key, value, ['exited', 'panic', 'max-ticks', 'any']);
			return typeof v === 'string' ? ok(key, v as Config['end']) : v;
		}
		case 'kernel': {
			const v = choice(key, value, ['2.6.32', '6.18']);
			return typeof v === 'string' ? ok(key, v as Config['kernel']) : v;
		}
		default:
			return {ok: false, message: `unknown config key '${show(key)}'${suggestion(key, configKeys)}`};
	}
}

/** Stores a value returned by parseConfigAssignment. */
export function setConfigValue(config: Config, key: ConfigKey, value: Config[ConfigKey]): void {
	(config as Record<ConfigKey, Config[ConfigKey]>)[key] = value;
}

// ---------------------------------------------------------------------------
// The parser

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Body = DistributiveOmit<Instruction, 'pos' | 'text'>;

type RegionRef = {name: string; pos: Position; /** a bare name in a value position */ bareValue: boolean};
type LabelRef = {name: string; pos: Position};
/** A goto or if, whose target is set when its program closes. */
type Jump = Instruction & {target: number};

type ProgramState = {
	name: string;
	pos: Position;
	maps: MapSpec[];
	mapped: Map<string, number>; // region → line of its map
	mmapped: Set<string>;
	code: Instruction[];
	labels: Map<string, {index: number; line: number}>;
	regionRefs: RegionRef[];
	labelRefs: (LabelRef & {instr: Jump})[];
	/** An instruction or a label has been seen: no more maps. */
	started: boolean;
	/** region → column of the ADDR of its `map … at ADDR`. */
	atCols: Map<string, number>;
};

const topKeywords = ['scenario', 'config', 'break', 'program', 'init'] as const;

const usages: Readonly<Record<string, string>> = Object.freeze({
	read: 'read ADDR',
	write: 'write ADDR VALUE',
	touch: 'touch REGION read|write [VALUE]',
	mmap: 'mmap REGION PAGES PROT [shared] [at ADDR]',
	munmap: 'munmap REGION',
	mprotect: 'mprotect REGION PROT',
	madvise: 'madvise REGION dontfork|dofork|wipeonfork|keeponfork',
	mlock: 'mlock REGION',
	munlock: 'munlock REGION',
	fork: 'fork',
	vfork: 'vfork',
	clone: 'clone FLAGS (FLAGS like vm|vfork|sigchld)',
	exec: 'exec PROGRAM',
	exit: 'exit CODE',
	abort: 'abort',
	kill: 'kill TARGET SIGNAL',
	wait: 'wait [PID] [clone|all]',
	sleep: 'sleep N',
	compute: 'compute N',
	yield: 'yield',
	getpid: 'getpid',
	getppid: 'getppid',
	sigaltstack: 'sigaltstack on|off',
	set: 'set REG VALUE',
	add: 'add REG VALUE',
	goto: 'goto LABEL',
	if: 'if A OP B goto LABEL',
	expect: 'expect A OP B [on 2.6.32|6.18]',
	print: 'print "TEXT"',
	pin: 'pin ADDR',
	unpin: 'unpin P',
});
const instructionNames = Object.keys(usages);
const MAP_USAGE = 'map REGION PAGES PROT [shared] [at ADDR] [dontfork] [locked]';

export function parseScenario(source: string, file: string): ParseResult {
	const text = typeof source === 'string' ? source : String(source);
	const lines = splitLines(text);
	const errors: Diagnostic[] = [];
	try {
		const scenario = new ScenarioParser(text, file, lines, errors).parse();
		errors.sort((a, b) => a.line - b.line || a.col - b.col);
		if (errors.length > 0 || scenario === null) return {ok: false, errors};
		return {ok: true, scenario};
	} catch (e) {
		// A bug of the parser, never a property of the input: still no throw.
		errors.push({
			file,
			line: 1,
			col: 1,
			message: `internal parser error: ${e instanceof Error ? e.message : String(e)}`,
			sourceLine: lines[0] ?? '',
		});
		errors.sort((a, b) => a.line - b.line || a.col - b.col);
		return {ok: false, errors};
	}
}

/**
 * An address written `REGION`, `REGION[K]`, either plus `+OFFSET`, or a
 * number (absolute). `col` is the column of `text`. Returns null when the text
 * is not in an address form at all.
 */
function addressForm(text: string, col: number): {addr: Address; bare: boolean} | null {
	if (/^-?[0-9]/.test(text)) {
		const r = parseNumber(text);
		if (!r.ok) fail(col, r.message);
		if (r.value < 0) fail(col, 'an address cannot be negative');
		if (r.value % WORD_SIZE !== 0) fail(col, `address not 8-byte aligned: ${text} is not a multiple of 8`);
		return {addr: {kind: 'absolute', value: r.value}, bare: false};
	}
	const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?(?:\+(.*))?$/.exec(text);
	if (m === null) return null;
	const name = m[1]!;
	let page = 0;
	let offset = 0;
	if (m[2] !== undefined) {
		const kCol = col + name.length + 1;
		if (m[2] === '') fail(kCol, `missing page number in '${show(text)}'`);
		const r = parseNumber(m[2]);
		if (!r.ok) fail(kCol, r.message);
		if (r.value < 0) fail(kCol, 'a page number cannot be negative');
		page = r.value;
	}
	if (m[3] !== undefined) {
		const plus = text.indexOf('+');
		const oCol = col + plus + 1;
		if (m[3] === '') fail(oCol, `missing offset after '+' in '${show(text)}'`);
		const r = parseNumber(m[3]);
		if (!r.ok) fail(oCol, r.message);
		if (r.value < 0) fail(oCol, "an offset cannot be negative: write '+N'");
		offset = r.value;
	}
	const total = page * PAGE_SIZE + offset;
	if (!Number.isSafeInteger(total)) fail(col, TOO_LARGE);
	if (total % WORD_SIZE !== 0) {
		fail(col, `address not 8-byte aligned: '${show(text)}' is ${total} bytes into ${name}, not a multiple of 8`);
	}
	const bare = m[2] === undefined && m[3] === undefined;
	return {addr: {kind: 'region', region: name, page, offset}, bare};
}

/**
 * An address as `watch=ADDR` takes it, in the scenario's own syntax. `col`
 * in an error is 0-based within `text`.
 */
export function parseAddress(text: string): {ok: true; addr: Address} | {ok: false; message: string; col: number} {
	try {
		const a = addressForm(text, 0);
		if (a !== null) return {ok: true, addr: a.addr};
	} catch (error) {
		if (error instanceof LineError) return {ok: false, message: error.message, col: error.col};
		throw error;
	}
	return {ok: false, message: `bad address '${show(text)}': expected REGION, REGION[K], REGION[K]+OFFSET or a number`, col: 0};
}

class ScenarioParser {
	private title: string | null = null;
	private titleLine = 0;
	private readonly config: Config = {...defaultConfig};
	private readonly breaks: BreakLine[] = [];
	private readonly programs: Program[] = [];
	private readonly programLines = new Map<string, number>();
	private init: {name: string; pos: Position} | null = null;
	private current: ProgramState | null = null;
	private programsSeen = 0;

	// The line being parsed.
	private lineNo = 0;
	private code = '';
	private pendingRegions: RegionRef[] = [];
	private pendingLabels: LabelRef[] = [];

	constructor(
		private readonly source: string,
		private readonly file: string,
		private readonly lines: string[],
		private readonly errors: Diagnostic[],
	) {}

	private report(line: number, col: number, message: string): void {
		this.errors.push({file: this.file, line, col, message, sourceLine: this.lines[line - 1] ?? ''});
	}

	private pos(tok: Token): Position {
		return {line: this.lineNo, col: tok.col};
	}

	parse(): Scenario | null {
		for (let i = 0; i < this.lines.length; i++) {
			this.lineNo = i + 1;
			const lexed = lexLine(this.lines[i]!);
			if (lexed.error) {
				this.report(this.lineNo, lexed.error.col, lexed.error.message);
				continue;
			}
			if (lexed.tokens.length === 0) continue;
			this.code = lexed.code;
			this.pendingRegions = [];
			this.pendingLabels = [];
			try {
				this.line(lexed.tokens);
			} catch (e) {
				if (!(e instanceof LineError)) throw e;
				this.report(this.lineNo, e.col, e.message);
			}
		}
		if (this.current !== null) {
			const p = this.current;
			this.report(p.pos.line, p.pos.col, `program '${p.name}' has no 'end'`);
			this.closeProgram();
		}
		if (this.programsSeen === 0) {
			this.report(1, 1, "no program: a scenario needs at least one 'program NAME' … 'end'");
		}
		let init = this.programs[0]?.name ?? '';
		if (this.init !== null) {
			const names = this.programs.map((p) => p.name);
			if (names.includes(this.init.name)) init = this.init.name;
			else if (this.programsSeen > 0) {
				this.report(this.init.pos.line, this.init.pos.col, `unknown program '${show(this.init.name)}'${suggestion(this.init.name, names)}`);
			}
		}
		if (this.errors.length > 0) return null;
		return {
			file: this.file,
			source: this.source,
			title: this.title,
			config: this.config,
			breaks: this.breaks,
			programs: this.programs,
			init,
		};
	}

	private line(tokens: Token[]): void {
		const first = tokens[0]!;
		if (first.quoted) fail(first.col, 'a line starts with a keyword or an instruction, not a string');
		if (this.current === null) this.topLevel(tokens);
		else this.inProgram(this.current, tokens);
	}

	// --- top level -----------------------------------------------------------

	private topLevel(tokens: Token[]): void {
		const first = tokens[0]!;
		const word = first.text;
		switch (word) {
			case 'scenario':
				return this.scenarioLine(tokens);
			case 'config':
				return this.configLine(tokens);
			case 'break':
				return this.breakLine(tokens);
			case 'program':
				return this.startProgram(tokens);
			case 'init':
				return this.initLine(tokens);
			case 'end':
				fail(first.col, "'end' without a 'program'");
			case 'map':
				fail(first.col, "'map' outside a program: maps come right after 'program NAME'");
		}
		if (isLabelToken(first)) fail(first.col, `label '${show(word.slice(0, -1))}' outside a program`);
		if (has(usages, word)) {
			fail(first.col, `instruction '${word}' outside a program (a program starts with 'program NAME' and ends with 'end')`);
		}
		fail(first.col, `unknown line '${show(word)}'${suggestion(word, topKeywords)}: expected scenario, config, break, program or init`);
	}

	private scenarioLine(tokens: Token[]): void {
		const first = tokens[0]!;
		if (this.title !== null) fail(first.col, `a second 'scenario' line (the first is at line ${this.titleLine})`);
		if (tokens.length !== 2 || !tokens[1]!.quoted) fail((tokens[1] ?? first).col, 'usage: scenario "TITLE"');
		this.title = tokens[1]!.value;
		this.titleLine = this.lineNo;
	}

	private configLine(tokens: Token[]): void {
		if (tokens.length < 2) fail(tokens[0]!.col, 'usage: config KEY=VALUE …');
		for (let i = 1; i < tokens.length; i++) {
			const tok = tokens[i]!;
			const next = tokens[i + 1];
			const eq = tok.text.indexOf('=');
			const spaced = "write KEY=VALUE as one word, without spaces around '='";
			if (tok.quoted) {
				this.report(this.lineNo, tok.col, 'expected KEY=VALUE, not a string');
				continue;
			}
			if (eq < 0) {
				if (next !== undefined && next.text.startsWith('=')) {
					this.report(this.lineNo, next.col, spaced);
					return;
				}
				this.report(this.lineNo, tok.col, `expected KEY=VALUE, not '${show(tok.text)}'${suggestion(tok.text, configKeys)}`);
				continue;
			}
			if (eq === 0) {
				this.report(this.lineNo, tok.col, "missing KEY before '='");
				continue;
			}
			const key = tok.text.slice(0, eq);
			const value = tok.text.slice(eq + 1);
			if (value === '' && next !== undefined && !next.text.includes('=')) {
				this.report(this.lineNo, tok.col + eq, spaced);
				return;
			}
			const r = parseConfigAssignment(key, value);
			if (!r.ok) {
				const known = (configKeys as readonly string[]).includes(key);
				this.report(this.lineNo, known ? tok.col + eq + 1 : tok.col, r.message);
				continue;
			}
			setConfigValue(this.config, r.key, r.value);
		}
	}

	private breakLine(tokens: Token[]): void {
		const first = tokens[0]!;
		const spec = this.code.slice(first.end).trim();
		if (tokens.length < 2 || spec === '') fail(first.col, 'usage: break SPEC');
		this.breaks.push({spec, pos: this.pos(tokens[1]!)});
	}

	private initLine(tokens: Token[]): void {
		const first = tokens[0]!;
		if (this.init !== null) fail(first.col, `a second 'init' line (the first is at line ${this.init.pos.line})`);
		if (tokens.length !== 2) fail((tokens[2] ?? first).col, 'usage: init PROGRAM');
		const name = tokens[1]!;
		this.checkName(name, 'program');
		this.init = {name: name.text, pos: this.pos(name)};
	}

	private checkName(tok: Token, what: string): void {
		if (tok.quoted) fail(tok.col, `a ${what} name is a word, not a string`);
		if (!IDENT.test(tok.text)) {
			fail(tok.col, `bad ${what} name '${show(tok.text)}': a name is a letter or _ followed by letters, digits or _`);
		}
	}

	private startProgram(tokens: Token[]): void {
		const first = tokens[0]!;
		const nameTok = tokens[1];
		// Open the program before checking its line, so that a bad name does not
		// turn every line of its body into an error too.
		this.programsSeen++;
		this.current = {
			name: nameTok?.text ?? '',
			pos: this.pos(first),
			maps: [],
			mapped: new Map(),
			mmapped: new Set(),
			code: [],
			labels: new Map(),
			regionRefs: [],
			labelRefs: [],
			started: false,
			atCols: new Map(),
		};
		if (nameTok === undefined || tokens.length !== 2) fail((tokens[2] ?? first).col, 'usage: program NAME');
		this.checkName(nameTok, 'program');
		const previous = this.programLines.get(nameTok.text);
		if (previous !== undefined) fail(nameTok.col, `duplicate program '${nameTok.text}' (the first is at line ${previous})`);
		this.programLines.set(nameTok.text, this.lineNo);
	}

	private closeProgram(): void {
		const p = this.current!;
		this.current = null;
		const known = ['text', 'stack', ...p.mapped.keys(), ...p.mmapped];
		const knownSet = new Set(known);
		for (const ref of p.regionRefs) {
			if (knownSet.has(ref.name)) continue;
			if (ref.bareValue) {
				this.report(
					ref.pos.line,
					ref.pos.col,
					`unknown name '${show(ref.name)}': not a register, an errno or signal name, or a region of program '${p.name}'${suggestion(ref.name, [...known, ...valueNames])}`,
				);
			} else {
				this.report(ref.pos.line, ref.pos.col, `unknown region '${show(ref.name)}'${suggestion(ref.name, known)}`);
			}
		}
		this.checkLayout(p);
		const labels: Record<string, number> = {};
		for (const [name, {index}] of p.labels) {
			// defineProperty: a label may be called __proto__.
			Object.defineProperty(labels, name, {value: index, enumerable: true, writable: true, configurable: true});
		}
		for (const ref of p.labelRefs) {
			const label = p.labels.get(ref.name);
			if (label === undefined) {
				this.report(ref.pos.line, ref.pos.col, `unknown label '${show(ref.name)}'${suggestion(ref.name, [...p.labels.keys()])}`);
			} else {
				ref.instr.target = label.index;
			}
		}
		this.programs.push({name: p.name, pos: p.pos, maps: p.maps, code: p.code, labels});
	}

	/**
	 * Lay the program's address space out as exec does (text at 0x400000, the
	 * maps in order, then the stack below 0x7ffffffff000: load_elf_binary →
	 * do_mmap → get_unmapped_area), and refuse a map that exec could not place
	 * (past the top of user space, over the text, another map or the stack):
	 * pid 1 would fail its exec and the kernel panic before anything runs.
	 */
	private checkLayout(p: ProgramState): void {
		type Range = {name: string; start: number; end: number; map: MapSpec | null; order: number};
		const textEnd = TEXT_START + Math.max(1, Math.ceil((p.code.length * 4) / PAGE_SIZE)) * PAGE_SIZE;
		const ranges: Range[] = [{name: "the program's text", start: TEXT_START, end: textEnd, map: null, order: -1}];
		let highest = textEnd;
		p.maps.forEach((m, order) => {
			const start = m.at ?? Math.max(MAP_BASE, highest + PAGE_SIZE);
			const end = start + m.pages * PAGE_SIZE;
			if (end > USER_TOP) {
				this.report(
					m.pos.line,
					this.mapCol(p, m),
					`map ${m.region} (${this.mapRange(m, start, end)}) ends past the top of user space (0x800000000000)`,
				);
				return;
			}
			ranges.push({name: `region ${m.region}`, start, end, map: m, order});
			if (end > highest) highest = end;
		});
		// The stack is mapped last, after them all.
		ranges.push({name: "the program's stack", start: STACK_TOP - STACK_PAGES * PAGE_SIZE, end: STACK_TOP, map: null, order: p.maps.length});
		// Sorted by start, an overlapping pair is the one that ends furthest so far and the next.
		const sorted = [...ranges].sort((x, y) => x.start - y.start || x.order - y.order);
		let reach: Range | null = null;
		for (const r of sorted) {
			if (reach !== null && r.start < reach.end) {
				const [early, late] = reach.order < r.order ? [reach, r] : [r, reach];
				const m = late.map ?? early.map!;
				const other = late.map === null ? late : early;
				this.report(
					m.pos.line,
					this.mapCol(p, m),
					`map ${m.region} (${this.mapRange(m, m === late.map ? late.start : early.start, m === late.map ? late.end : early.end)}) overlaps ${other.name} (${hex(other.start)}…${hex(other.end)})`,
				);
			}
			if (reach === null || r.end > reach.end) reach = r;
		}
	}

	private mapCol(p: ProgramState, m: MapSpec): number {
		return m.at === null ? m.pos.col : (p.atCols.get(m.region) ?? m.pos.col);
	}

	private mapRange(m: MapSpec, start: number, end: number): string {
		return `${m.at === null ? 'placed after the maps before it, ' : ''}${hex(start)}…${hex(end)}`;
	}

	// --- inside a program ----------------------------------------------------

	private inProgram(p: ProgramState, tokens: Token[]): void {
		const first = tokens[0]!;
		const word = first.text;
		switch (word) {
			case 'end':
				this.closeProgram();
				if (tokens.length > 1) fail(tokens[1]!.col, "nothing may follow 'end' on its line");
				return;
			case 'program':
				// Close the open program so that the rest of the file still parses.
				this.closeProgram();
				this.report(this.lineNo, first.col, `'program' inside program '${p.name}' (missing 'end'?)`);
				return this.startProgram(tokens);
			case 'map':
				return this.mapLine(p, tokens);
		}
		if ((topKeywords as readonly string[]).includes(word)) {
			fail(first.col, `'${word}' is a top-level line: close program '${p.name}' with 'end' first`);
		}
		if (isLabelToken(first)) return this.labelLine(p, tokens);
		if (tokens[1]?.text === ':' && IDENT.test(word)) fail(tokens[1].col, `a label is written '${word}:', without a space`);
		if (!has(usages, word)) {
			fail(first.col, `unknown instruction '${show(word)}'${suggestion(word, [...instructionNames, 'map', 'end'])}`);
		}
		const body = this.instruction(p, word, first, tokens.slice(1));
		const instr = {pos: this.pos(first), text: this.code.trim(), ...body} as Instruction;
		p.regionRefs.push(...this.pendingRegions);
		for (const ref of this.pendingLabels) p.labelRefs.push({...ref, instr: instr as Jump});
		p.code.push(instr);
		p.started = true;
	}

	private labelLine(p: ProgramState, tokens: Token[]): void {
		const first = tokens[0]!;
		const name = first.text.slice(0, -1);
		if (tokens.length > 1) {
			fail(tokens[1]!.col, `a label stands alone on its line: put '${show(this.code.slice(tokens[1]!.col - 1).trim())}' on the next line`);
		}
		if (!IDENT.test(name)) {
			fail(first.col, `bad label name '${show(name)}': a name is a letter or _ followed by letters, digits or _`);
		}
		const previous = p.labels.get(name);
		if (previous !== undefined) fail(first.col, `duplicate label '${name}' (the first is at line ${previous.line})`);
		p.labels.set(name, {index: p.code.length, line: this.lineNo});
		p.started = true;
	}

	private newRegionName(tok: Token, inMap: boolean): string {
		this.checkName(tok, 'region');
		const name = tok.text;
		if (inMap && (name === 'text' || name === 'stack')) {
			fail(tok.col, `'${name}' is reserved: every program has a text and a stack region`);
		}
		if (valueNames.includes(name)) {
			fail(tok.col, `'${name}' cannot name a region: it is a ${reg(name) ? 'register' : has(signalNumbers, name) ? 'signal' : 'errno'} name`);
		}
		return name;
	}

	private mapLine(p: ProgramState, tokens: Token[]): void {
		const first = tokens[0]!;
		this.noStrings(tokens, MAP_USAGE);
		if (tokens.length < 4) fail(first.col, `usage: ${MAP_USAGE}`);
		const region = this.newRegionName(tokens[1]!, true);
		const previous = p.mapped.get(region);
		if (previous !== undefined) fail(tokens[1]!.col, `duplicate region '${region}' (first mapped at line ${previous})`);
		const pages = this.pages(tokens[2]!);
		const prot = this.prot(tokens[3]!);
		const o = this.options(tokens, 4, ['shared', 'at', 'dontfork', 'locked'], MAP_USAGE);
		p.mapped.set(region, this.lineNo);
		if (p.started) fail(first.col, 'map after an instruction: maps come first');
		const atIndex = tokens.findIndex((t, i) => i >= 4 && t.text === 'at');
		if (o.at !== null && atIndex >= 0) p.atCols.set(region, tokens[atIndex + 1]!.col);
		p.maps.push({
			region,
			pages,
			prot,
			shared: o.shared,
			at: o.at,
			dontfork: o.dontfork,
			locked: o.locked,
			pos: this.pos(first),
		});
	}

	private noStrings(tokens: Token[], usage: string): void {
		for (const t of tokens) if (t.quoted) fail(t.col, `unexpected string: usage: ${usage}`);
	}

	private options(tokens: Token[], start: number, allowed: readonly string[], usage: string) {
		const o = {shared: false, at: null as number | null, dontfork: false, locked: false};
		const seen = new Set<string>();
		for (let i = start; i < tokens.length; i++) {
			const t = tokens[i]!;
			if (!allowed.includes(t.text)) {
				fail(t.col, `unknown option '${show(t.text)}'${suggestion(t.text, allowed)}: usage: ${usage}`);
			}
			if (seen.has(t.text)) fail(t.col, `'${t.text}' given twice`);
			seen.add(t.text);
			switch (t.text) {
				case 'shared':
					o.shared = true;
					break;
				case 'dontfork':
					o.dontfork = true;
					break;
				case 'locked':
					o.locked = true;
					break;
				case 'at': {
					const a = tokens[i + 1];
					if (a === undefined) fail(t.col, `'at' needs an address: usage: ${usage}`);
					o.at = this.fixedAddress(a);
					i++;
					break;
				}
			}
		}
		return o;
	}

	/** The ADDR of `at ADDR`: absolute, page-aligned, in user space. */
	private fixedAddress(tok: Token): number {
		if (IDENT.test(tok.text) || /^[A-Za-z_].*[[+]/.test(tok.text)) {
			fail(tok.col, `'at' takes an absolute address like 0x700000, not '${show(tok.text)}'`);
		}
		const value = numberAt(tok);
		if (value < 0) fail(tok.col, 'an address cannot be negative');
		if (value % PAGE_SIZE !== 0) fail(tok.col, `address ${hex(value)} is not page-aligned (a multiple of 4096 = 0x1000)`);
		if (value >= USER_TOP) fail(tok.col, `address ${hex(value)} is beyond user space (it must be below 0x800000000000)`);
		return value;
	}

	private pages(tok: Token): number {
		const value = numberAt(tok);
		if (value < 1 || value > MAX_PAGES) fail(tok.col, `PAGES must be from 1 to ${MAX_PAGES}, not ${tok.text}`);
		return value;
	}

	private prot(tok: Token): Prot {
		const m = /^([r-])([w-])([x-])$/.exec(tok.text);
		if (m === null) fail(tok.col, `bad protection '${show(tok.text)}': PROT is 3 characters like rw-, r--, r-x or ---`);
		return {r: m[1] === 'r', w: m[2] === 'w', x: m[3] === 'x'};
	}

	private ticks(tok: Token): number {
		const value = numberAt(tok);
		if (value < 1 || value > MAX_OPERAND_TICKS) fail(tok.col, `N must be from 1 to ${MAX_OPERAND_TICKS}, not ${tok.text}`);
		return value;
	}

	private regionRef(tok: Token): string {
		this.checkName(tok, 'region');
		this.pendingRegions.push({name: tok.text, pos: this.pos(tok), bareValue: false});
		return tok.text;
	}

	private labelRef(tok: Token): string {
		this.checkName(tok, 'label');
		this.pendingLabels.push({name: tok.text, pos: this.pos(tok)});
		return tok.text;
	}

	/** An ADDRESS position: a bare number is an absolute address. */
	private addressOperand(tok: Token): Address {
		const text = tok.text.startsWith('*') ? tok.text.slice(1) : tok.text;
		const col = tok.text.startsWith('*') ? tok.col + 1 : tok.col;
		const a = addressForm(text, col);
		if (a === null) {
			fail(tok.col, `bad address '${show(tok.text)}': expected REGION, REGION[K], REGION[K]+OFFSET or a number`);
		}
		if (a.addr.kind === 'region') this.pendingRegions.push({name: a.addr.region, pos: {line: this.lineNo, col}, bareValue: false});
		return a.addr;
	}

	/**
	 * A VALUE position: integer, register, errno or signal name, or (when `mem`)
	 * a memory operand in a region form or `*ADDRESS`. `role` names the operand
	 * in messages.
	 */
	private value(tok: Token, mem: boolean, role: string): Operand {
		const text = tok.text;
		const noMem = (): never => fail(tok.col, `${role} is an integer or a register, not a memory operand (read it first: its value lands in ret)`);
		if (text.startsWith('*')) {
			if (text === '*') fail(tok.col, "'*' needs an address after it, like *0x600000");
			if (!mem) noMem();
			const a = addressForm(text.slice(1), tok.col + 1);
			if (a === null) fail(tok.col, `bad address '${show(text)}': expected *0x…, *REGION, *REGION[K] or *REGION[K]+OFFSET`);
			if (a.addr.kind === 'region') {
				this.pendingRegions.push({name: a.addr.region, pos: {line: this.lineNo, col: tok.col + 1}, bareValue: false});
			}
			return {kind: 'mem', addr: a.addr};
		}
		const version = /^([0-9]{1,3})\.([0-9]{1,3})(?:\.([0-9]{1,3}))?$/.exec(text);
		if (version !== null) {
			// KERNEL_VERSION(a, b, c), comparable with `era` (LINUX_VERSION_CODE of the run's kernel)
			const [a, b, c] = [Number(version[1]), Number(version[2]), Number(version[3] ?? 0)];
			if (a > 255 || b > 255 || c > 255) fail(tok.col, `bad kernel version '${show(text)}': each part is 0…255`);
			return {kind: 'int', value: kernelVersion(a, b, c)};
		}
		if (/^-?[0-9]/.test(text)) return {kind: 'int', value: numberAt(tok)};
		if (reg(text)) return {kind: 'reg', reg: text};
		if (text === 'era') return {kind: 'era'};
		const pin = /^pin\[([^\]]*)\](?:\+(.*))?$/.exec(text);
		const p = this.current;
		if (pin !== null && !(p !== null && (p.mapped.has('pin') || p.mmapped.has('pin')))) {
			// pin[P]+OFFSET: the word in pinned frame P (a region named pin keeps its own meaning)
			if (!mem) noMem();
			const idText = pin[1]!;
			let id: Operand;
			if (reg(idText)) id = {kind: 'reg', reg: idText};
			else {
				const r = parseNumber(idText);
				if (!r.ok || r.value < 1) fail(tok.col + 4, `pin[P]: P is a pin id (1, 2, …) or a register, not '${show(idText)}'`);
				id = {kind: 'int', value: r.value};
			}
			let offset = 0;
			if (pin[2] !== undefined) {
				const r = parseNumber(pin[2]);
				if (!r.ok || r.value >= PAGE_SIZE || r.value % WORD_SIZE !== 0) {
					fail(tok.col, `pin[P]+OFFSET: OFFSET is a multiple of 8 below 4096, not '${show(pin[2])}'`);
				}
				offset = r.value;
			}
			return {kind: 'pin', id, offset};
		}
		if (text.startsWith('-')) {
			const name = text.slice(1);
			if (has(errnoNumbers, name)) return {kind: 'int', value: -errnoNumbers[name as ErrnoName]};
			const errnos = errnoNames.map((e) => `-${e}`);
			if (/^-E[A-Z0-9]*$/.test(text)) fail(tok.col, `unknown errno name '${show(text)}'${suggestion(text, errnos)}: known are ${errnos.join(' ')}`);
			fail(tok.col, `bad ${role} '${show(text)}'${suggestion(text, errnos)}`);
		}
		if (has(errnoNumbers, text)) return {kind: 'int', value: errnoNumbers[text as ErrnoName]};
		if (has(signalNumbers, text)) return {kind: 'int', value: signalNumbers[text as SignalName]};
		const a = addressForm(text, tok.col);
		if (a === null) {
			fail(
				tok.col,
				`bad ${role} '${show(text)}': expected an integer, a register, an errno or signal name${mem ? ', or a memory operand like heap[0]' : ''}`,
			);
		}
		if (!mem) {
			const p = this.current!;
			const isRegion = text === 'text' || text === 'stack' || p.mapped.has(text) || p.mmapped.has(text);
			if (a.bare && !isRegion) {
				fail(tok.col, `unknown name '${show(text)}': ${role} is an integer, a register, or an errno or signal name${suggestion(text, valueNames)}`);
			}
			noMem();
		}
		if (a.addr.kind === 'region') this.pendingRegions.push({name: a.addr.region, pos: this.pos(tok), bareValue: a.bare});
		return {kind: 'mem', addr: a.addr};
	}

	private compare(tok: Token): CompareOp {
		if ((compareOps as readonly string[]).includes(tok.text)) return tok.text as CompareOp;
		fail(tok.col, `bad comparison '${show(tok.text)}'${suggestion(tok.text, compareOps)}: OP is one of == != < <= > >=`);
	}

	private instruction(p: ProgramState, op: string, first: Token, args: Token[]): Body {
		const usage = usages[op]!;
		if (op !== 'print') this.noStrings(args, usage);
		const arity = (min: number, max: number): void => {
			if (args.length >= min && args.length <= max) return;
			const glued = (op === 'if' || op === 'expect') && args.some((a) => /[=<>!]/.test(a.text) && !compareOps.includes(a.text as CompareOp));
			const hint = glued ? ' (with spaces around OP)' : '';
			fail(args.length > max ? args[max]!.col : first.col, `usage: ${usage}${hint}`);
		};
		switch (op) {
			case 'read':
				arity(1, 1);
				return {op, addr: this.addressOperand(args[0]!)};
			case 'pin':
				arity(1, 1);
				return {op, addr: this.addressOperand(args[0]!)};
			case 'unpin':
				arity(1, 1);
				return {op, id: this.value(args[0]!, false, 'P')};
			case 'write': {
				arity(2, 2);
				const addr = this.addressOperand(args[0]!);
				return {op, addr, value: this.value(args[1]!, false, 'VALUE')};
			}
			case 'touch': {
				arity(2, 3);
				const region = this.regionRef(args[0]!);
				const access = args[1]!.text;
				if (access !== 'read' && access !== 'write') {
					fail(args[1]!.col, `touch accesses read or write, not '${show(access)}'${suggestion(access, ['read', 'write'])}`);
				}
				if (args[2] !== undefined && access === 'read') {
					fail(args[2].col, "'touch REGION read' takes no VALUE: only a write stores one");
				}
				const value = args[2] === undefined ? null : this.value(args[2], false, 'VALUE');
				return {op, region, access, value};
			}
			case 'mmap': {
				arity(3, 6);
				const region = this.newRegionName(args[0]!, false);
				const pages = this.pages(args[1]!);
				const prot = this.prot(args[2]!);
				const o = this.options(args, 3, ['shared', 'at'], usage);
				p.mmapped.add(region);
				return {op, region, pages, prot, shared: o.shared, at: o.at};
			}
			case 'munmap':
			case 'mlock':
			case 'munlock':
				arity(1, 1);
				return {op, region: this.regionRef(args[0]!)};
			case 'mprotect': {
				arity(2, 2);
				const region = this.regionRef(args[0]!);
				return {op, region, prot: this.prot(args[1]!)};
			}
			case 'madvise': {
				arity(2, 2);
				const region = this.regionRef(args[0]!);
				const advice = args[1]!.text;
				const advices = ['dontfork', 'dofork', 'wipeonfork', 'keeponfork'] as const;
				if (!(advices as readonly string[]).includes(advice)) {
					fail(args[1]!.col, `madvise takes ${advices.join(', ')}, not '${show(advice)}'${suggestion(advice, advices)}`);
				}
				return {op, region, advice: advice as (typeof advices)[number]};
			}
			case 'fork':
			case 'vfork':
			case 'abort':
			case 'yield':
			case 'getpid':
			case 'getppid':
				arity(0, 0);
				return {op};
			case 'clone':
				arity(1, 1);
				return {op, flags: this.cloneFlags(args[0]!)};
			case 'exec':
				arity(1, 1);
				this.checkName(args[0]!, 'program');
				return {op, program: args[0]!.text};
			case 'exit':
				arity(1, 1);
				return {op, code: this.value(args[0]!, true, 'CODE')};
			case 'kill': {
				arity(2, 2);
				const target = this.value(args[0]!, false, 'TARGET');
				const s = args[1]!.text;
				if (!(killSignals as readonly string[]).includes(s)) {
					fail(args[1]!.col, `unknown signal '${show(s)}'${suggestion(s, killSignals)}: kill sends SIGKILL, SIGTERM, SIGSEGV or SIGABRT`);
				}
				return {op, target, signal: s as SignalName};
			}
			case 'wait': {
				arity(0, 2);
				// wait [PID] [clone|all]: the option may stand alone or follow the PID
				let rest = args;
				let options: 'none' | 'clone' | 'all' = 'none';
				const last = args[args.length - 1];
				if (last !== undefined && (last.text === 'clone' || last.text === 'all')) {
					options = last.text;
					rest = args.slice(0, -1);
				}
				if (rest.length > 1) fail(rest[1]!.col, `usage: ${usage}${suggestion(rest[1]!.text, ['clone', 'all'])}`);
				return {op, pid: rest[0] === undefined ? null : this.value(rest[0], false, 'PID'), options};
			}
			case 'sleep':
			case 'compute':
				arity(1, 1);
				return {op, ticks: this.ticks(args[0]!)};
			case 'sigaltstack': {
				arity(1, 1);
				const s = args[0]!.text;
				if (s !== 'on' && s !== 'off') fail(args[0]!.col, `sigaltstack takes on or off, not '${show(s)}'`);
				return {op, on: s === 'on'};
			}
			case 'set':
			case 'add': {
				arity(2, 2);
				const r = args[0]!.text;
				if (!(destinationRegisters as readonly string[]).includes(r)) {
					const why = reg(r) ? ` ('${r}' is written by the kernel)` : suggestion(r, destinationRegisters);
					fail(args[0]!.col, `${op} writes a register r0…r7, not '${show(r)}'${why}`);
				}
				return {op, reg: r as Register, value: this.value(args[1]!, true, 'VALUE')};
			}
			case 'goto': {
				arity(1, 1);
				return {op, label: this.labelRef(args[0]!), target: -1};
			}
			case 'if': {
				arity(5, 5);
				const a = this.value(args[0]!, true, 'A');
				const cmp = this.compare(args[1]!);
				const b = this.value(args[2]!, true, 'B');
				if (args[3]!.text !== 'goto') fail(args[3]!.col, `usage: ${usage}`);
				return {op, a, cmp, b, label: this.labelRef(args[4]!), target: -1};
			}
			case 'expect': {
				arity(3, 5);
				if (args.length !== 3 && (args.length !== 5 || args[3]!.text !== 'on')) fail(args[3]!.col, `usage: ${usage}`);
				const a = this.value(args[0]!, true, 'A');
				const cmp = this.compare(args[1]!);
				const b = this.value(args[2]!, true, 'B');
				let era: number | null = null;
				if (args[4] !== undefined) {
					const v = this.value(args[4], false, 'ERA');
					if (v.kind !== 'int' || (v.value !== kernelVersion(2, 6, 32) && v.value !== kernelVersion(6, 18))) {
						fail(args[4].col, `expect … on ERA: ERA is 2.6.32 or 6.18, not '${show(args[4].text)}'`);
					}
					era = v.value;
				}
				return {op, a, cmp, b, era};
			}
			case 'print':
				arity(1, 1);
				if (!args[0]!.quoted) fail(args[0]!.col, `usage: ${usage} (the text in double quotes)`);
				return {op, message: args[0]!.value};
		}
		fail(first.col, `unknown instruction '${show(op)}'`);
	}

	private cloneFlags(tok: Token): number {
		let flags = 0;
		let offset = 0;
		for (const part of tok.text.split('|')) {
			const col = tok.col + offset;
			offset += part.length + 1;
			if (part === '') fail(col, `empty flag in '${show(tok.text)}': FLAGS are vm, vfork, sighand, thread, sigchld joined by |`);
			if (!has(cloneFlagValues, part)) {
				fail(col, `unknown clone flag '${show(part)}'${suggestion(part, cloneFlagNames)}: FLAGS are vm, vfork, sighand, thread, sigchld joined by |`);
			}
			flags |= cloneFlagValues[part]!;
		}
		return flags;
	}
}
