// The scenario parser (docs/scenario-language.md): a hand-written, line-oriented parser that turns a
// `*.scn` file into the IR of ast.ts, or into every error the file holds, each at
// its line and column. It never throws: whatever the input, it returns a
// ParseResult.
//
// It reads the file's structure: the top-level lines, programs, their maps
// and labels, and checks what spans lines (regions, labels, the layout exec
// makes). What a line's words mean is elsewhere: config.ts has the config
// keys, instructions.ts the table of instructions, operands.ts the operands
// they share (and share with the `watch=` breakpoint).

import {hex} from '../kernel/events.js';
import {defaultConfig, type Config, type Instruction, type MapSpec, type Position, type Program} from '../kernel/program.js';
// Where exec puts a program's text, its maps without `at`, and its stack (docs/scenario-language.md).
import {MAP_BASE, PAGE_SIZE, STACK_PAGES, STACK_TOP, TASK_SIZE, TEXT_START} from '../kernel/types.js';
import type {BreakLine, Diagnostic, ParseResult, Scenario} from './ast.js';
import {configKeys, parseConfigAssignment, setConfigValue} from './config.js';
import {fail, LineError, show, suggestion} from './diagnostics.js';
import {instructionNames, isInstruction, mapUsage, noStrings, parseInstruction, type InstructionScope} from './instructions.js';
import {lexLine, splitLines, type Token} from './lexer.js';
import {checkName, IDENT, mapOptions, newRegionName, pagesOperand, protOperand, valueNames} from './operands.js';

function isLabelToken(tok: Token): boolean {
	return !tok.quoted && tok.text.length > 1 && tok.text.endsWith(':');
}

// ---------------------------------------------------------------------------
// The parser

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

/** The lines outside a program, with the usage their errors quote (docs/scenario-language.md lists them). */
export const topLevelUsages = {
	scenario: 'scenario "TITLE"',
	config: 'config KEY=VALUE …',
	break: 'break SPEC',
	program: 'program NAME',
	init: 'init PROGRAM',
} as const;
const topKeywords = Object.keys(topLevelUsages) as (keyof typeof topLevelUsages)[];

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
		if (isInstruction(word)) {
			fail(first.col, `instruction '${word}' outside a program (a program starts with 'program NAME' and ends with 'end')`);
		}
		fail(
			first.col,
			`unknown line '${show(word)}'${suggestion(word, topKeywords)}: expected ${topKeywords.slice(0, -1).join(', ')} or ${topKeywords.at(-1)!}`,
		);
	}

	private scenarioLine(tokens: Token[]): void {
		const first = tokens[0]!;
		if (this.title !== null) fail(first.col, `a second 'scenario' line (the first is at line ${this.titleLine})`);
		if (tokens.length !== 2 || !tokens[1]!.quoted) fail((tokens[1] ?? first).col, `usage: ${topLevelUsages.scenario}`);
		this.title = tokens[1]!.value;
		this.titleLine = this.lineNo;
	}

	private configLine(tokens: Token[]): void {
		if (tokens.length < 2) fail(tokens[0]!.col, `usage: ${topLevelUsages.config}`);
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
		if (tokens.length < 2 || spec === '') fail(first.col, `usage: ${topLevelUsages.break}`);
		this.breaks.push({spec, pos: this.pos(tokens[1]!)});
	}

	private initLine(tokens: Token[]): void {
		const first = tokens[0]!;
		if (this.init !== null) fail(first.col, `a second 'init' line (the first is at line ${this.init.pos.line})`);
		if (tokens.length !== 2) fail((tokens[2] ?? first).col, `usage: ${topLevelUsages.init}`);
		const name = tokens[1]!;
		checkName(name, 'program');
		this.init = {name: name.text, pos: this.pos(name)};
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
		if (nameTok === undefined || tokens.length !== 2) fail((tokens[2] ?? first).col, `usage: ${topLevelUsages.program}`);
		checkName(nameTok, 'program');
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
			if (end > TASK_SIZE) {
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
		if (!isInstruction(word)) {
			fail(first.col, `unknown instruction '${show(word)}'${suggestion(word, [...instructionNames, 'map', 'end'])}`);
		}
		const scope: InstructionScope = {
			declares: (name) => p.mapped.has(name) || p.mmapped.has(name),
			referRegion: (name, col, bareValue) => this.pendingRegions.push({name, pos: {line: this.lineNo, col}, bareValue}),
			referLabel: (name, col) => this.pendingLabels.push({name, pos: {line: this.lineNo, col}}),
			mmapped: (region) => p.mmapped.add(region),
		};
		const body = parseInstruction(word, first, tokens.slice(1), scope);
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

	private mapLine(p: ProgramState, tokens: Token[]): void {
		const first = tokens[0]!;
		noStrings(tokens, mapUsage);
		if (tokens.length < 4) fail(first.col, `usage: ${mapUsage}`);
		const region = newRegionName(tokens[1]!, true);
		const previous = p.mapped.get(region);
		if (previous !== undefined) fail(tokens[1]!.col, `duplicate region '${region}' (first mapped at line ${previous})`);
		const pages = pagesOperand(tokens[2]!);
		const prot = protOperand(tokens[3]!);
		const o = mapOptions(tokens, 4, ['shared', 'at', 'dontfork', 'locked'], mapUsage);
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
}
