// Helpers for kernel-step tests: every tick's steps, and a call's subtree as text.

import {boot, bootStart, stepTick} from '../../source/kernel/kernel.js';
import {KernelTracer, type KStep} from '../../source/kernel/trace.js';
import type {KernelState} from '../../source/kernel/types.js';
import type {Config} from '../../source/kernel/program.js';
import {describeKStep} from '../../source/debugger/format.js';
import {parse} from './run.js';

export type TracedTick = {tick: number; steps: KStep[]};

/**
 * Run a scenario to the end with a tracer on every tick; the steps of each
 * tick that has some. With `withBoot`, tick 0 (the boot, pid 1's exec) too.
 */
export function traceRun(source: string, config?: Partial<Config>, withBoot = false): {k: KernelState; ticks: TracedTick[]} {
	const s = parse(source);
	const cfg = config === undefined ? s.config : {...s.config, ...config};
	const k = withBoot ? bootStart(s, cfg) : boot(s, cfg);
	const ticks: TracedTick[] = [];
	let steps: KStep[] = [];
	const tracer = new KernelTracer((step) => {
		steps.push(step);
		return false;
	});
	while (k.ended === null) {
		tracer.reset();
		steps = [];
		k.trace = tracer;
		stepTick(k);
		k.trace = null;
		if (steps.length > 0) ticks.push({tick: k.tick, steps});
	}
	return {k, ticks};
}

/** The steps as indented text, one per line (enter `fn(args) {`, note `/* … *\/`, exit `} fn = ret`). */
export function stepsText(steps: readonly KStep[]): string {
	if (steps.length === 0) return '';
	const base = steps[0]!.depth;
	return steps.map((s) => `${'  '.repeat(s.depth - base)}${describeKStep(s)}`).join('\n');
}

/** The n-th call (from 0) of fn over the run: its enter, everything inside, its exit. */
export function callOf(ticks: readonly TracedTick[], fn: string, n = 0): {tick: number; steps: KStep[]} {
	let seen = 0;
	for (const t of ticks) {
		for (let i = 0; i < t.steps.length; i++) {
			const s = t.steps[i]!;
			if (s.phase !== 'enter' || s.fn !== fn) continue;
			if (seen++ < n) continue;
			let j = i + 1;
			while (!(t.steps[j]!.phase === 'exit' && t.steps[j]!.depth === s.depth)) j++;
			return {tick: t.tick, steps: t.steps.slice(i, j + 1)};
		}
	}
	throw new Error(`no call ${n} of ${fn}`);
}
