// The debugger's own events, beside the kernel's (docs/events.md): `break`
// when a breakpoint stops `cowdbg run`, and the `end` that follows it.

import {eventTypes, type KernelEvent} from '../kernel/events.js';

export type BreakEvent = {tick: number; type: 'break'; spec: string};

/** The end of a run stopped by a breakpoint. */
export type BreakEndEvent = Omit<Extract<KernelEvent, {type: 'end'}>, 'reason'> & {reason: 'break'};

export type DebugEvent = KernelEvent | BreakEvent | BreakEndEvent;

const panicAt = eventTypes.indexOf('panic');

/** Every event type a log can hold, in the order docs/events.md lists them. */
export const debugEventTypes: readonly DebugEvent['type'][] = [...eventTypes.slice(0, panicAt), 'break', ...eventTypes.slice(panicAt)];
