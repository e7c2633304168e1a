// Kernel steps seen from the debugger (docs/debugger.md): tracers that turn steps
// into `kstep` events, or stop a tick at a given step.

import {KernelTracer} from '../kernel/trace.js';
import type {KernelState} from '../kernel/types.js';

/** A tracer that appends each step to the running tick's events, as a `kstep` event. */
export function kstepEventTracer(kernel: () => KernelState): KernelTracer {
	return new KernelTracer((s) => {
		const k = kernel();
		k.events.push({tick: k.tick, type: 'kstep', seq: s.seq, depth: s.depth, fn: s.fn, phase: s.phase, args: s.args, text: s.text});
		return false;
	});
}
