// Events the kernel returns as data (docs/events.md). Field order here is the
// order they are serialised in, so the JSON output is stable byte for byte.
// The lists below are the one source of the event types, fault kinds and
// system-call names: the breakpoint parser and the log filter derive theirs
// from them.

import type {KArgs, KStepPhase} from './trace.js';

/** How handle_mm_fault resolved a fault (the `kind` of a fault event). */
export const faultKinds = ['segv-maperr', 'segv-accerr', 'zero', 'anon', 'file', 'file-cow', 'shmem', 'cow-zero', 'cow-reuse', 'cow-copy', 'oom'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** The names syscall events carry. */
export const syscallNames = [
	'mmap',
	'munmap',
	'mprotect',
	'madvise',
	'mlock',
	'munlock',
	'fork',
	'vfork',
	'clone',
	'exec',
	'kill',
	'wait',
	'sleep',
	'yield',
	'getpid',
	'getppid',
	'sigaltstack',
	'pin',
	'unpin',
] as const;
export type SyscallName = (typeof syscallNames)[number];

export type Access = 'read' | 'write' | 'exec';

export type ForkCost = {vmas: number; ptes: number; pgtables: number};

export type CompletionAction = 'init' | 'wait' | 'complete' | 'wake';
export type CompletionVia = 'exit_mm' | 'exec_mmap' | 'coredump_wait' | null;

export type KernelEvent =
	| {tick: number; type: 'exec'; pid: number; program: string}
	| {
			tick: number;
			type: 'syscall';
			pid: number;
			name: string;
			ret: number;
			child?: number;
			cost?: ForkCost;
			child_return?: true;
	  }
	| {
			tick: number;
			type: 'fault';
			pid: number;
			kind: FaultKind;
			access: Access;
			addr: string;
			region: string | null;
			frame: number | null;
			from: number | null;
			path: string[];
	  }
	| {
			tick: number;
			type: 'completion';
			action: CompletionAction;
			id: number;
			owner: number;
			by: number;
			via: CompletionVia;
			done: number;
	  }
	| {tick: number; type: 'state'; pid: number; from: string; to: string; why: string}
	| {tick: number; type: 'sched'; from: number | null; to: number | null}
	| {tick: number; type: 'signal'; pid: number; signal: string; action: 'send' | 'deliver' | 'core'}
	| {tick: number; type: 'exit'; pid: number; code: number; signal: string | null; core: boolean}
	| {tick: number; type: 'reap'; pid: number; child: number; status: number}
	| {tick: number; type: 'reparent'; pid: number; from: number; to: number}
	| {tick: number; type: 'unprotected'; pid: number; access: Access; addr: string; frame: number | null}
	| {tick: number; type: 'expect'; pid: number; ok: boolean; line: number; text: string; actual: number}
	| {tick: number; type: 'print'; pid: number; text: string}
	| {tick: number; type: 'panic'; text: string}
	| {tick: number; type: 'oom'; pid: number; victim: number | null; rss: number}
	| {tick: number; type: 'pin'; pid: number; action: 'pin' | 'unpin'; id: number; frame: number}
	| {
			tick: number;
			type: 'kstep';
			seq: number;
			depth: number;
			fn: string;
			phase: KStepPhase;
			args: KArgs;
			text: string | null;
	  }
	| {
			tick: number;
			type: 'end';
			reason: EndReason;
			frames_total: number;
			frames_free: number;
			expects_failed: number;
			/** Expect instructions never evaluated in the run. */
			expects_unreached: number;
	  };

export type EventType = KernelEvent['type'];

/**
 * The kernel's event types, in the order docs/events.md lists them. The
 * object below must name every type of KernelEvent and nothing else.
 */
export const eventTypes = Object.keys({
	exec: true,
	syscall: true,
	fault: true,
	completion: true,
	state: true,
	sched: true,
	signal: true,
	exit: true,
	reap: true,
	reparent: true,
	unprotected: true,
	expect: true,
	print: true,
	pin: true,
	panic: true,
	kstep: true,
	oom: true,
	end: true,
} satisfies Record<EventType, true>) as readonly EventType[];

export type EndReason = 'exited' | 'max-ticks' | 'panic';

export function hex(n: number): string {
	return '0x' + n.toString(16);
}

/** The process an event is about (the acting one for completions; the incoming one for sched). */
export function eventPid(e: KernelEvent): number | null {
	switch (e.type) {
		case 'completion':
			return e.by;
		case 'sched':
			return e.to;
		case 'panic':
		case 'end':
		case 'kstep':
			return null;
		default:
			return e.pid;
	}
}
