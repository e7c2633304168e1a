// The fork bomb of test/kernel/fork-bomb*.test.ts: each task forks until its
// fork fails, then reaps its children and exits.

import {expect} from 'vitest';
import type {KernelEvent} from '../../source/kernel/events.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {parse} from './run.js';

export const bomb = (config: string) => `
config ${config}
program init
again:
  fork
  if ret == 0 goto again
  if ret < 0 goto full
  goto again
full:
  set r2 ret
reap:
  wait
  if ret > 0 goto reap
  exit 0
end
`;

export type Tally = {eagain: number; enomem: number; other: number; peak: number; end: KernelEvent | undefined; ticks: number};

export function runBomb(config: string, checkEvery: number): Tally {
	const s = parse(bomb(config));
	const k = boot(s, s.config);
	const t: Tally = {eagain: 0, enomem: 0, other: 0, peak: 0, end: undefined, ticks: 0};
	while (k.ended === null) {
		for (const e of stepTick(k)) {
			if (e.type === 'syscall' && e.name === 'fork' && e.child_return !== true && e.ret < 0) {
				if (e.ret === -11) t.eagain++;
				else if (e.ret === -12) t.enomem++;
				else t.other++;
			}
			if (e.type === 'end') t.end = e;
		}
		if (k.tasks.size > t.peak) t.peak = k.tasks.size;
		if (checkEvery > 0 && k.tick % checkEvery === 0) {
			const broken = checkInvariants(k, {fast: true});
			if (broken.length > 0) throw new Error(`tick ${k.tick}: ${broken.join('; ')}`);
		}
	}
	t.ticks = k.tick;
	expect(checkInvariants(k)).toEqual([]);
	return t;
}
