// Kernel steps (docs/debugger.md): the functions of the call paths report entering
// and leaving, with their arguments, and each decision they take, to a tracer
// when somebody looks (KernelState.trace). Nobody looks on the fast path:
// trace is null there and each report costs one comparison.
//
// A tracer may stop the tick after any step by throwing KSTEP_STOP: the kernel
// mutates its state in place and has no cleanup on the way out, so the state
// left behind is the state right after that step.

export type KArg = number | string | boolean | null;
export type KArgs = {readonly [name: string]: KArg};
export type KStepPhase = 'enter' | 'exit' | 'note';

/**
 * One kernel step. `depth` is the number of functions open around it: an
 * enter and its exit share the depth of their caller's body, a note sits one
 * deeper than the function that takes it.
 */
export type KStep = {seq: number; depth: number; fn: string; phase: KStepPhase; args: KArgs; text: string | null};

/** A frame of the kernel call stack: the function and the arguments it was entered with. */
export type KFrame = {fn: string; args: KArgs};

/** Thrown by a tracer to stop the tick right after a step; nothing else throws it. */
export class KStepStop {
	readonly reason = 'kernel step budget spent';
}
export const KSTEP_STOP = new KStepStop();

const NO_ARGS: KArgs = Object.freeze({});

/**
 * Numbers the steps of one tick and keeps the call stack; `observe` sees each
 * step (with the stack after it) and returns true to stop the tick there.
 */
export class KernelTracer {
	seq = 0;
	readonly stack: KFrame[] = [];
	private readonly observe: (step: KStep, stack: readonly KFrame[]) => boolean;

	constructor(observe: (step: KStep, stack: readonly KFrame[]) => boolean) {
		this.observe = observe;
	}

	/** A new tick: numbering restarts at 0 and the stack is empty. */
	reset(): void {
		this.seq = 0;
		this.stack.length = 0;
	}

	enter(fn: string, args: KArgs = NO_ARGS): void {
		const depth = this.stack.length;
		this.stack.push({fn, args});
		this.report({seq: this.seq++, depth, fn, phase: 'enter', args, text: null});
	}

	/** Leaving fn; `args` carries what it returns (ret) when that matters. */
	exit(fn: string, args: KArgs = NO_ARGS): void {
		const top = this.stack.pop();
		if (top === undefined || top.fn !== fn) {
			throw new Error(`kernel step: exit from ${fn} but the stack's top is ${top?.fn ?? 'empty'}`);
		}
		this.report({seq: this.seq++, depth: this.stack.length, fn, phase: 'exit', args, text: null});
	}

	/** A decision of the function on top of the stack: what it decided and why. */
	note(text: string, args: KArgs = NO_ARGS): void {
		const depth = this.stack.length;
		const fn = depth === 0 ? '' : this.stack[depth - 1]!.fn;
		this.report({seq: this.seq++, depth, fn, phase: 'note', args, text});
	}

	private report(step: KStep): void {
		if (this.observe(step, this.stack)) throw KSTEP_STOP;
	}
}

/**
 * The kernel functions that report steps (those of docs/debugger.md, "Kernel steps",
 * and the functions on the call paths the log prints), for `func=` breakpoints and their
 * did-you-mean; and for each, whether its steps name a VMA (`vma=`, for a
 * breakpoint's region=) or an address (`addr=`, or a range from `addr`/`start`
 * to `end`, for addr=).
 */
const traced = {
	do_fork: {},
	copy_process: {},
	copy_mm: {},
	dup_mm: {},
	dup_mmap: {},
	copy_page_range: {vma: true, addr: true},
	copy_pud_range: {addr: true},
	copy_pmd_range: {addr: true},
	copy_pte_range: {addr: true},
	copy_one_pte: {vma: true, addr: true},
	wake_up_new_task: {},
	init_completion: {},
	wait_for_completion: {},
	complete: {},
	do_page_fault: {addr: true},
	handle_mm_fault: {vma: true, addr: true},
	handle_pte_fault: {vma: true, addr: true},
	do_anonymous_page: {vma: true, addr: true},
	do_wp_page: {vma: true, addr: true},
	do_linear_fault: {vma: true, addr: true},
	__do_fault: {vma: true},
	out_of_memory: {addr: true},
	__get_user_pages: {vma: true, addr: true},
	do_execve: {},
	exec_mmap: {},
	mm_release: {},
	do_exit: {},
	exit_mm: {},
	mmput: {},
	exit_mmap: {},
	zap_pte_range: {vma: true, addr: true},
	free_pgtables: {},
	do_munmap: {},
	get_signal_to_deliver: {},
	do_coredump: {},
	coredump_wait: {},
	zap_threads: {},
	coredump_finish: {},
	select_bad_process: {},
	dup_task_struct: {},
} as const satisfies Record<string, {vma?: true; addr?: true}>;
export type TracedFunction = keyof typeof traced;
export const tracedFunctions = Object.keys(traced) as readonly TracedFunction[];
export const functionsWithVma: ReadonlySet<string> = new Set(tracedFunctions.filter((fn) => 'vma' in traced[fn]));
export const functionsWithAddr: ReadonlySet<string> = new Set(tracedFunctions.filter((fn) => 'addr' in traced[fn]));
