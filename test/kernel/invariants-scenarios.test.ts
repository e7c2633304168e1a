// Every scenario of the library (scenarios/*.scn, read when the tests run) with
// checkInvariants after every tick. The full check scans the whole frame
// table, so a scenario with many frames is checked in fast mode at each tick
// and in full every FULL_EVERY ticks and at the end.

import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {checkInvariants} from '../../source/kernel/invariants.js';
import {formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseScenario} from '../../source/scenario/parser.js';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = existsSync(dir)
	? readdirSync(dir)
			.filter((f) => f.endsWith('.scn'))
			.sort()
	: [];

/** Above this many frames, the per-tick check is the fast one. */
const FULL_FRAMES = 8192;
const FULL_EVERY = 1000;

describe('scenarios/*.scn keep every invariant at every tick', () => {
	it('the library is there', () => {
		expect(files.length).toBeGreaterThan(0);
	});

	it.each(files)('%s', (file) => {
		const r = parseScenario(readFileSync(dir + file, 'utf8'), file);
		if (!r.ok) throw new Error(`${file} does not parse:\n${formatDiagnostics(r.errors)}`);
		const k = boot(r.scenario);
		const big = k.frames.kind.length > FULL_FRAMES;
		const check = (full: boolean): void => {
			const broken = checkInvariants(k, {fast: !full});
			if (broken.length > 0) {
				const events = k.events.map((e) => `  ${JSON.stringify(e)}`).join('\n');
				throw new Error(`${file}: invariants broken at tick ${k.tick}:\n- ${broken.join('\n- ')}\nevents of that tick:\n${events}`);
			}
		};
		check(true);
		while (k.ended === null) {
			stepTick(k);
			check(!big || k.tick % FULL_EVERY === 0 || k.ended !== null);
		}
	});
});
