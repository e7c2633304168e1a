// The instructions of the scenario language, one table: for each, the usage
// that errors quote and docs/scenario-language.md lists (a test keeps the two
// equal), how many operands it takes, and the function that parses them into
// the kernel's Instruction (kernel/program.ts). The table has a row for every
// op of Instruction, and nothing else knows an instruction's operands.

import {kernelVersion, type Instruction} from '../kernel/program.js';
import type {SignalName} from '../kernel/uapi.js';
import {fail, show, suggestion} from './diagnostics.js';
import type {Token} from './lexer.js';
import {
	addressOperand,
	checkName,
	cloneFlagsOperand,
	compareOperand,
	compareOps,
	destinationRegisters,
	isRegister,
	killSignals,
	mapOptions,
	newRegionName,
	pagesOperand,
	protOperand,
	regionOperand,
	ticksOperand,
	valueOperand,
	type OperandScope,
} from './operands.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An instruction without its place in the file: what an instruction's parse returns. */
export type Body = DistributiveOmit<Instruction, 'pos' | 'text'>;
export type Op = Instruction['op'];

/** What an instruction's operands tell the program around them. */
export type InstructionScope = OperandScope & {
	/** A label named at this column (goto, if), resolved when the program closes. */
	referLabel(name: string, col: number): void;
	/** A region this line mmaps: later lines may name it. */
	mmapped(region: string): void;
};

type InstructionSpec<K extends Op> = {
	usage: string;
	/** The fewest and the most operands. */
	arity: readonly [number, number];
	/** It takes a string (print); every other instruction refuses one. */
	string?: true;
	/** It compares (if, expect): a wrong count may be an OP written without spaces. */
	compares?: true;
	/** Its operands, counted already, into its Instruction (without pos and text). */
	parse(args: Token[], scope: InstructionScope, usage: string): Extract<Body, {op: K}>;
};

const addressOnly = <K extends 'read' | 'pin'>(op: K, usage: string): InstructionSpec<K> => ({
	usage,
	arity: [1, 1],
	parse: (args, scope) => ({op, addr: addressOperand(args[0]!, scope)}) as Extract<Body, {op: K}>,
});

const regionOnly = <K extends 'munmap' | 'mlock' | 'munlock'>(op: K, usage: string): InstructionSpec<K> => ({
	usage,
	arity: [1, 1],
	parse: (args, scope) => ({op, region: regionOperand(args[0]!, scope)}) as Extract<Body, {op: K}>,
});

const bare = <K extends 'fork' | 'vfork' | 'abort' | 'yield' | 'getpid' | 'getppid'>(op: K): InstructionSpec<K> => ({
	usage: op,
	arity: [0, 0],
	parse: () => ({op}) as Extract<Body, {op: K}>,
});

const ticks = <K extends 'sleep' | 'compute'>(op: K): InstructionSpec<K> => ({
	usage: `${op} N`,
	arity: [1, 1],
	parse: (args) => ({op, ticks: ticksOperand(args[0]!)}) as Extract<Body, {op: K}>,
});

const register = <K extends 'set' | 'add'>(op: K): InstructionSpec<K> => ({
	usage: `${op} REG VALUE`,
	arity: [2, 2],
	parse(args, scope) {
		const r = args[0]!.text;
		if (!(destinationRegisters as readonly string[]).includes(r)) {
			const why = isRegister(r) ? ` ('${r}' is written by the kernel)` : suggestion(r, destinationRegisters);
			fail(args[0]!.col, `${op} writes a register r0…r7, not '${show(r)}'${why}`);
		}
		return {op, reg: r, value: valueOperand(args[1]!, true, 'VALUE', scope)} as Extract<Body, {op: K}>;
	},
});

function labelOperand(tok: Token, scope: InstructionScope): string {
	checkName(tok, 'label');
	scope.referLabel(tok.text, tok.col);
	return tok.text;
}

const madviseAdvices = ['dontfork', 'dofork', 'wipeonfork', 'keeponfork'] as const;

/** Every instruction, in the order suggestions consider them. */
export const instructions: {readonly [K in Op]: InstructionSpec<K>} = {
	read: addressOnly('read', 'read ADDR'),
	write: {
		usage: 'write ADDR VALUE',
		arity: [2, 2],
		parse: (args, scope) => ({op: 'write', addr: addressOperand(args[0]!, scope), value: valueOperand(args[1]!, false, 'VALUE', scope)}),
	},
	touch: {
		usage: 'touch REGION read|write [VALUE]',
		arity: [2, 3],
		parse(args, scope) {
			const region = regionOperand(args[0]!, scope);
			const access = args[1]!.text;
			if (access !== 'read' && access !== 'write') {
				fail(args[1]!.col, `touch accesses read or write, not '${show(access)}'${suggestion(access, ['read', 'write'])}`);
			}
			if (args[2] !== undefined && access === 'read') {
				fail(args[2].col, "'touch REGION read' takes no VALUE: only a write stores one");
			}
			const value = args[2] === undefined ? null : valueOperand(args[2], false, 'VALUE', scope);
			return {op: 'touch', region, access, value};
		},
	},
	mmap: {
		usage: 'mmap REGION PAGES PROT [shared] [at ADDR]',
		arity: [3, 6],
		parse(args, scope, usage) {
			const region = newRegionName(args[0]!, false);
			const pages = pagesOperand(args[1]!);
			const prot = protOperand(args[2]!);
			const o = mapOptions(args, 3, ['shared', 'at'], usage);
			scope.mmapped(region);
			return {op: 'mmap', region, pages, prot, shared: o.shared, at: o.at};
		},
	},
	munmap: regionOnly('munmap', 'munmap REGION'),
	mprotect: {
		usage: 'mprotect REGION PROT',
		arity: [2, 2],
		parse: (args, scope) => ({op: 'mprotect', region: regionOperand(args[0]!, scope), prot: protOperand(args[1]!)}),
	},
	madvise: {
		usage: `madvise REGION ${madviseAdvices.join('|')}`,
		arity: [2, 2],
		parse(args, scope) {
			const region = regionOperand(args[0]!, scope);
			const advice = args[1]!.text;
			if (!(madviseAdvices as readonly string[]).includes(advice)) {
				fail(args[1]!.col, `madvise takes ${madviseAdvices.join(', ')}, not '${show(advice)}'${suggestion(advice, madviseAdvices)}`);
			}
			return {op: 'madvise', region, advice: advice as (typeof madviseAdvices)[number]};
		},
	},
	mlock: regionOnly('mlock', 'mlock REGION'),
	munlock: regionOnly('munlock', 'munlock REGION'),
	fork: bare('fork'),
	vfork: bare('vfork'),
	clone: {usage: 'clone FLAGS (FLAGS like vm|vfork|sigchld)', arity: [1, 1], parse: (args) => ({op: 'clone', flags: cloneFlagsOperand(args[0]!)})},
	exec: {
		usage: 'exec PROGRAM',
		arity: [1, 1],
		parse(args) {
			checkName(args[0]!, 'program');
			return {op: 'exec', program: args[0]!.text};
		},
	},
	exit: {usage: 'exit CODE', arity: [1, 1], parse: (args, scope) => ({op: 'exit', code: valueOperand(args[0]!, true, 'CODE', scope)})},
	abort: bare('abort'),
	kill: {
		usage: 'kill TARGET SIGNAL',
		arity: [2, 2],
		parse(args, scope) {
			const target = valueOperand(args[0]!, false, 'TARGET', scope);
			const s = args[1]!.text;
			if (!(killSignals as readonly string[]).includes(s)) {
				fail(args[1]!.col, `unknown signal '${show(s)}'${suggestion(s, killSignals)}: kill sends SIGKILL, SIGTERM, SIGSEGV or SIGABRT`);
			}
			return {op: 'kill', target, signal: s as SignalName};
		},
	},
	wait: {
		usage: 'wait [PID] [clone|all]',
		arity: [0, 2],
		parse(args, scope, usage) {
			// wait [PID] [clone|all]: the option may stand alone or follow the PID
			let rest = args;
			let options: 'none' | 'clone' | 'all' = 'none';
			const last = args[args.length - 1];
			if (last !== undefined && (last.text === 'clone' || last.text === 'all')) {
				options = last.text;
				rest = args.slice(0, -1);
			}
			if (rest.length > 1) fail(rest[1]!.col, `usage: ${usage}${suggestion(rest[1]!.text, ['clone', 'all'])}`);
			return {op: 'wait', pid: rest[0] === undefined ? null : valueOperand(rest[0], false, 'PID', scope), options};
		},
	},
	sleep: ticks('sleep'),
	compute: ticks('compute'),
	yield: bare('yield'),
	getpid: bare('getpid'),
	getppid: bare('getppid'),
	sigaltstack: {
		usage: 'sigaltstack on|off',
		arity: [1, 1],
		parse(args) {
			const s = args[0]!.text;
			if (s !== 'on' && s !== 'off') fail(args[0]!.col, `sigaltstack takes on or off, not '${show(s)}'`);
			return {op: 'sigaltstack', on: s === 'on'};
		},
	},
	set: register('set'),
	add: register('add'),
	goto: {usage: 'goto LABEL', arity: [1, 1], parse: (args, scope) => ({op: 'goto', label: labelOperand(args[0]!, scope), target: -1})},
	if: {
		usage: 'if A OP B goto LABEL',
		arity: [5, 5],
		compares: true,
		parse(args, scope, usage) {
			const a = valueOperand(args[0]!, true, 'A', scope);
			const cmp = compareOperand(args[1]!);
			const b = valueOperand(args[2]!, true, 'B', scope);
			if (args[3]!.text !== 'goto') fail(args[3]!.col, `usage: ${usage}`);
			return {op: 'if', a, cmp, b, label: labelOperand(args[4]!, scope), target: -1};
		},
	},
	expect: {
		usage: 'expect A OP B [on 2.6.32|6.18]',
		arity: [3, 5],
		compares: true,
		parse(args, scope, usage) {
			if (args.length !== 3 && (args.length !== 5 || args[3]!.text !== 'on')) fail(args[3]!.col, `usage: ${usage}`);
			const a = valueOperand(args[0]!, true, 'A', scope);
			const cmp = compareOperand(args[1]!);
			const b = valueOperand(args[2]!, true, 'B', scope);
			let era: number | null = null;
			if (args[4] !== undefined) {
				const v = valueOperand(args[4], false, 'ERA', scope);
				if (v.kind !== 'int' || (v.value !== kernelVersion(2, 6, 32) && v.value !== kernelVersion(6, 18))) {
					fail(args[4].col, `expect … on ERA: ERA is 2.6.32 or 6.18, not '${show(args[4].text)}'`);
				}
				era = v.value;
			}
			return {op: 'expect', a, cmp, b, era};
		},
	},
	print: {
		usage: 'print "TEXT"',
		arity: [1, 1],
		string: true,
		parse(args, _scope, usage) {
			if (!args[0]!.quoted) fail(args[0]!.col, `usage: ${usage} (the text in double quotes)`);
			return {op: 'print', message: args[0]!.value};
		},
	},
	pin: addressOnly('pin', 'pin ADDR'),
	unpin: {usage: 'unpin P', arity: [1, 1], parse: (args, scope) => ({op: 'unpin', id: valueOperand(args[0]!, false, 'P', scope)})},
};

export const instructionNames = Object.keys(instructions) as Op[];

export function isInstruction(word: string): word is Op {
	return Object.hasOwn(instructions, word);
}

/** A program's map lines, which come before its instructions. */
export const mapUsage = 'map REGION PAGES PROT [shared] [at ADDR] [dontfork] [locked]';

/** Refuses a quoted string among the tokens of a line. */
export function noStrings(tokens: Token[], usage: string): void {
	for (const t of tokens) if (t.quoted) fail(t.col, `unexpected string: usage: ${usage}`);
}

/**
 * One instruction line's operands (after the instruction's name `first`):
 * no strings unless it takes one, as many operands as it takes, each parsed.
 */
export function parseInstruction(op: Op, first: Token, args: Token[], scope: InstructionScope): Body {
	const spec = instructions[op] as InstructionSpec<Op>;
	const {usage, arity} = spec;
	if (spec.string !== true) noStrings(args, usage);
	const [min, max] = arity;
	if (args.length < min || args.length > max) {
		const glued = spec.compares === true && args.some((a) => /[=<>!]/.test(a.text) && !(compareOps as readonly string[]).includes(a.text));
		const hint = glued ? ' (with spaces around OP)' : '';
		fail(args.length > max ? args[max]!.col : first.col, `usage: ${usage}${hint}`);
	}
	return spec.parse(args, scope, usage);
}
