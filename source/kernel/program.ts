// What the kernel runs: the configuration it boots with and the programs it
// executes, instruction by instruction. The scenario parser produces these
// (docs/scenario-language.md); every value in them has already been validated.

import type {SignalName} from './uapi.js';

export type Position = {line: number; col: number};

export type Prot = {r: boolean; w: boolean; x: boolean};

export type MmuMode = 'on' | 'off';
export type Overcommit = 'heuristic' | 'always' | 'never';
/** How the run must end for `check` to pass it (docs/cli.md). */
export type ExpectedEnd = 'exited' | 'panic' | 'max-ticks' | 'any';

export type Config = {
	mmu: MmuMode;
	frames: number;
	quantum: number;
	child_runs_first: boolean;
	overcommit: Overcommit;
	/** Pages; null means "equal to frames". */
	commit_limit: number | null;
	max_ticks: number;
	end: ExpectedEnd;
	/** The kernel era whose semantics the run follows (docs/kernel.md). */
	kernel: '2.6.32' | '6.18';
};

export const defaultConfig: Readonly<Config> = Object.freeze({
	mmu: 'on',
	frames: 1024,
	quantum: 3,
	child_runs_first: false,
	overcommit: 'heuristic',
	commit_limit: null,
	max_ticks: 1_000_000,
	end: 'exited',
	kernel: '2.6.32',
});

export type ConfigKey = keyof Config;

export type Register = 'ret' | 'status' | 'signal' | 'core' | 'r0' | 'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6' | 'r7';

export const registers: readonly Register[] = ['ret', 'status', 'signal', 'core', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

/** An address: a region of the running process (its start, or its page K), plus an offset; or absolute. */
export type Address = {kind: 'region'; region: string; page: number; offset: number} | {kind: 'absolute'; value: number};

/**
 * A value operand. Integers include errno and signal names (already resolved to
 * their numbers). A memory operand reads the 64-bit word at the address through
 * the MMU, like any access.
 */
export type Operand =
	| {kind: 'int'; value: number}
	| {kind: 'reg'; reg: Register}
	/** LINUX_VERSION_CODE of the run's kernel era: compare it with a version like 6.18 (KERNEL_VERSION). */
	| {kind: 'era'}
	| {kind: 'mem'; addr: Address}
	/** `pin[P]+OFFSET`: the word at OFFSET in the frame pin P holds (P an integer or a register). */
	| {kind: 'pin'; id: Operand; offset: number};

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

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
	| {op: 'madvise'; region: string; advice: 'dontfork' | 'dofork' | 'wipeonfork' | 'keeponfork'}
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
	/** `clone` and `all` are __WCLONE and __WALL. */
	| {op: 'wait'; pid: Operand | null; options: 'none' | 'clone' | 'all'}
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
	/** `era`: held only under that kernel (its KERNEL_VERSION); elsewhere the expect is skipped, not counted. */
	| {op: 'expect'; a: Operand; cmp: CompareOp; b: Operand; era: number | null}
	| {op: 'print'; message: string}
	/** get_user_pages(FOLL_PIN) on the page at ADDR, as vmsplice does: ret = the pin id. */
	| {op: 'pin'; addr: Address}
	| {op: 'unpin'; id: Operand}
);

export type Program = {
	name: string;
	pos: Position;
	maps: MapSpec[];
	code: Instruction[];
	/** label name → instruction index */
	labels: Record<string, number>;
};

/** What boot() needs: the programs, the one pid 1 runs, and the configuration. */
export type BootImage = {
	config: Config;
	programs: readonly Program[];
	/** The program pid 1 runs. */
	init: string;
};

/** KERNEL_VERSION(a, b, c) of include/linux/version.h: 2.6.32 is 132640, 6.18 is 397824. */
export function kernelVersion(a: number, b: number, c = 0): number {
	return a * 65536 + b * 256 + Math.min(c, 255);
}

/** LINUX_VERSION_CODE of a kernel era: what the `era` operand reads. */
export function eraVersion(kernel: Config['kernel']): number {
	return kernel === '2.6.32' ? kernelVersion(2, 6, 32) : kernelVersion(6, 18);
}
