// `run --ftrace`: kernel steps as ftrace's function_graph tracer prints them,
// with the tick and the pid running it in the margin, nested calls indented,
// a call with nothing inside on one line (`func();`), notes and the tick's
// other events as comments.

import type {DebugEvent} from './events.js';
import {describeEvent, kstepArgs} from './format.js';

type KStepEvent = Extract<DebugEvent, {type: 'kstep'}>;

export const ftraceHeader = ['# tracer: function_graph', '#', '#  TICK)   PID  |   FUNCTION CALLS', '#     |     |   |   |   |   |   |'];

/** Streams events in, lines out; `flush` at the end writes an open call that had no step after it. */
export class FtraceFormatter {
	/** The task running the ticks: follows the sched events (the boot, tick 0, is pid 1's exec). */
	private pid: number | null = 1;
	/** An enter not printed yet: it becomes `fn();` when its exit comes next. */
	private pending: KStepEvent | null = null;
	private readonly out: (line: string) => void;

	constructor(out: (line: string) => void) {
		this.out = out;
	}

	private margin(tick: number): string {
		return `${String(tick).padStart(7)}) ${(this.pid === null ? '-' : String(this.pid)).padStart(5)}  |  `;
	}

	private flushPending(): void {
		const e = this.pending;
		if (e === null) return;
		this.pending = null;
		this.out(`${this.margin(e.tick)}${'  '.repeat(e.depth)}${e.fn}(${kstepArgs(e.args)}) {`);
	}

	event(e: DebugEvent): void {
		if (e.tick !== this.tick) {
			this.flushPending();
			this.tick = e.tick;
			this.depthHint = 0;
		}
		if (e.type === 'sched') this.pid = e.to;
		if (e.type !== 'kstep') {
			this.flushPending();
			if (e.type !== 'sched' && e.type !== 'end') this.out(`${this.margin(e.tick)}${'  '.repeat(this.depthHint)}/* ${describeEvent(e)} */`);
			return;
		}
		if (e.phase === 'exit' && this.pending !== null && this.pending.fn === e.fn && this.pending.depth === e.depth) {
			const p = this.pending;
			this.pending = null;
			const ret = 'ret' in e.args ? ` = ${String(e.args.ret)}` : '';
			this.out(`${this.margin(e.tick)}${'  '.repeat(e.depth)}${p.fn}(${kstepArgs(p.args)});${ret === '' ? '' : ` /*${ret} */`}`);
			this.depthHint = e.depth;
			return;
		}
		this.flushPending();
		const indent = '  '.repeat(e.depth);
		switch (e.phase) {
			case 'enter':
				this.pending = e;
				this.depthHint = e.depth + 1;
				return;
			case 'exit':
				this.out(`${this.margin(e.tick)}${indent}}${'ret' in e.args ? ` /* ${e.fn} = ${String(e.args.ret)} */` : ` /* ${e.fn} */`}`);
				this.depthHint = e.depth;
				return;
			case 'note':
				this.out(`${this.margin(e.tick)}${indent}/* ${e.text ?? ''} */`);
				this.depthHint = e.depth;
				return;
		}
	}

	/** Indentation for an event's comment: where the last step left the stack. */
	private depthHint = 0;
	private tick = -1;

	flush(): void {
		this.flushPending();
	}
}
