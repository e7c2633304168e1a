// The parsed form of a scenario file (SPEC §2). The parser produces it, the
// kernel executes it; every value in it has already been validated.

export type Position = {line: number; col: number};

export type Prot = {r: boolean; w: boolean; x: boolean};

export type MmuMode = 'on' | 'off';
export type Overcommit = 'heuristic' | 'always' | 'never';

export type Config = {
	mmu: MmuMode;
	frames: number;
	quantum: number;
	child_runs_first: boolean;
	overcommit: Overcommit;
	/** Pages; null means "equal to frames". */
	commit_limit: number | null;
	max_ticks: number;
};

export const defaultConfig: Readonly<Config> = Object.freeze({
	mmu: 'on',
	frames: 1024,
	quantum: 3,
	child_runs_first: false,
	overcommit: 'heuristic',
	commit_limit: null,
	max_ticks: 1_000_000,
});

export type ConfigKey = keyof Config;

export type Register =
	| 'ret'
	| 'status'
	| 'signal'
	| 'core'
	| 'r0'
	| 'r1'
	| 'r2'
	| 'r3'
	| 'r4'
	| 'r5'
	| 'r6'
	| 'r7';

export const registers: readonly Register[] = [
	'ret',
	'status',
	'signal',
	'core',
	'r0',
	'r1',
	'r2',
	'r3',
	'r4',
	'r5',
	'r6',
	'r7',
];

/** An address: a region of the running process (its start, or its page K), plus an offset; or absolute. */
export type Address =
	| {kind: 'region'; region: string; page: number; offset: number}
	| {kind: 'absolute'; value: number};

/**
 * A value operand. Integers include errno and signal names (already resolved to
 * their numbers). A memory operand reads the 64-bit word at the address through
 * the MMU, like any access.
 */
export type Operand =
	| {kind: 'int'; value: number}
	| {kind: 'reg'; reg: Register}
	| {kind: 'mem'; addr: Address};

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type SignalName = 'SIGKILL' | 'SIGTERM' | 'SIGSEGV' | 'SIGABRT';

export const signalNumbers: Readonly<Record<SignalName | 'SIGCHLD', number>> = Object.freeze({
	SIGABRT: 6,
	SIGKILL: 9,
	SIGSEGV: 11,
	SIGTERM: 15,
	SIGCHLD: 17,
});

export const errnoNumbers: Readonly<Record<string, number>> = Object.freeze({
	ENOENT: 2,
	ECHILD: 10,
	ENOMEM: 12,
	EINVAL: 22,
});

/** clone(2) flags as in include/linux/sched.h (2.6). */
export const CLONE_VM = 0x0000_0100;
export const CLONE_SIGHAND = 0x0000_0800;
export const CLONE_VFORK = 0x0000_4000;
export const CLONE_THREAD = 0x0001_0000;
export const SIGCHLD_FLAG = 17; // the exit signal lives in the low byte of the flags

export type MapSpec = {
	region: string;
	pages: number;
	prot: Prot;
	shared: boolean;
	/** Fixed address, or null to place it upward from 0x600000. */
	at: number | null;
	dontfork: boolean;
	locked: boolean;
	pos: Position;
};

export type Instruction = {pos: Position; text: string} & (
	| {op: 'read'; addr: Address}
	| {op: 'write'; addr: Address; value: Operand}
	| {op: 'touch'; region: string; access: 'read' | 'write'; value: Operand | null}
	| {op: 'mmap'; region: string; pages: number; prot: Prot; shared: boolean; at: number | null}
	| {op: 'munmap'; region: string}
	| {op: 'mprotect'; region: string; prot: Prot}
	| {op: 'madvise'; region: string; advice: 'dontfork' | 'dofork'}
	| {op: 'mlock'; region: string}
	| {op: 'munlock'; region: string}
	| {op: 'fork'}
	| {op: 'vfork'}
	/** Flags as the kernel sees them: CLONE_* bits, SIGCHLD in the low byte. */
	| {op: 'clone'; flags: number}
	/** Program name as written; an unknown one makes exec return -ENOENT. */
	| {op: 'exec'; program: string}
	| {op: 'exit'; code: Operand}
	| {op: 'abort'}
	| {op: 'kill'; target: Operand; signal: SignalName}
	| {op: 'wait'; pid: Operand | null}
	| {op: 'sleep'; ticks: number}
	| {op: 'compute'; ticks: number}
	| {op: 'yield'}
	| {op: 'getpid'}
	| {op: 'getppid'}
	| {op: 'sigaltstack'; on: boolean}
	| {op: 'set'; reg: Register; value: Operand}
	| {op: 'add'; reg: Register; value: Operand}
	/** target: index of the instruction the label points at (may equal the program length: falls off the end). */
	| {op: 'goto'; label: string; target: number}
	| {op: 'if'; a: Operand; cmp: CompareOp; b: Operand; label: string; target: number}
	| {op: 'expect'; a: Operand; cmp: CompareOp; b: Operand}
	| {op: 'print'; message: string}
);

export type Op = Instruction['op'];

export type Program = {
	name: string;
	pos: Position;
	maps: MapSpec[];
	code: Instruction[];
	/** label name → instruction index */
	labels: Record<string, number>;
};

export type BreakLine = {spec: string; pos: Position};

export type Scenario = {
	/** The path the file was read from (for messages), or a name given by the caller. */
	file: string;
	/** The whole source text, kept so a session file can embed it. */
	source: string;
	title: string | null;
	config: Config;
	breaks: BreakLine[];
	programs: Program[];
	/** The program pid 1 runs. */
	init: string;
};

export type Diagnostic = {
	file: string;
	line: number;
	col: number;
	message: string;
	/** The offending source line, for the caret display. */
	sourceLine: string;
};

export type ParseResult = {ok: true; scenario: Scenario} | {ok: false; errors: Diagnostic[]};
