// Fuzzing breakpoint specs: mutants of valid specs. parseBreakpoint never
// throws; each input is accepted, or refused with a reason and a column inside
// the spec. An accepted one is set on a debugger that then runs. A sample also
// goes through the real binary: refused ones exit 2 with the flag named.
// 2,000 inputs by default, 100,000 under COWDBG_LONG=1.

import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {breakpointKinds, parseBreakpoint} from '../../source/debugger/breakpoints.js';
import {faultKinds, syscallNames} from '../../source/kernel/events.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {parseScenario} from '../../source/scenario/parser.js';
import {LONG} from '../property/harness.js';
import {fuzzInputs} from './mutate.js';

const INPUTS = LONG ? 100_000 : 2_000;
const SEED = Number(process.env['COWDBG_FUZZ_SEED'] ?? 0xb7ea);

const corpus = [
	'cow',
	'fault:kind=anon',
	'fault:kind=cow-copy,pid=2,region=heap,addr=0x600000',
	'segv:pid=1',
	'syscall:name=fork',
	'fork',
	'vfork:pid=3',
	'exec',
	'exit:pid=2',
	'completion',
	'signal',
	'expect-fail',
	'tick=10',
	'tick=0x20',
	'frame=7',
	'watch=heap[1]+8:pid=2',
	'watch=0x600000',
];
const dictionary = [
	...breakpointKinds,
	...faultKinds,
	...syscallNames,
	'pid',
	'region',
	'addr',
	'kind',
	'name',
	'=',
	':',
	',',
	'[',
	']',
	'+',
	'0x',
	'heap',
	'stack',
];

const source = `program init
  map heap 2 rw-
  write heap 1
  fork
  if ret == 0 goto child
  wait
  exit 0
child:
  write heap[1]+8 2
  exit 0
end
`;
const parsed = parseScenario(source, 'fuzz.scn');
if (!parsed.ok) throw new Error('fixture does not parse');
const scenario = parsed.scenario;

describe('breakpoint spec fuzzing', () => {
	it(`${INPUTS.toLocaleString('en')} mutated specs are accepted or refused with a positioned reason`, () => {
		let accepted = 0;
		for (const {input, index} of fuzzInputs(corpus, INPUTS, SEED, {dictionary, maxStack: 3})) {
			let r;
			try {
				r = parseBreakpoint(input);
			} catch (error) {
				throw new Error(`input #${index} ${JSON.stringify(input)} threw: ${String(error)}`);
			}
			if (r.ok) {
				accepted++;
				if (accepted % 25 === 0) {
					const dbg = new Debugger(scenario, scenario.config, [input]);
					dbg.continue(100);
				}
				continue;
			}
			expect(r.message.length, JSON.stringify(input)).toBeGreaterThan(0);
			expect(r.col, JSON.stringify(input)).toBeGreaterThanOrEqual(1);
			expect(r.col, JSON.stringify(input)).toBeLessThanOrEqual(input.length + 1);
		}
		expect(accepted).toBeGreaterThan(0);
	});

	it('the binary refuses a sample of bad specs with exit 2, naming --break', () => {
		const bin = join(process.cwd(), 'dist', 'cli.js');
		const file = join(process.cwd(), 'scenarios', 'fork-cow.scn');
		let tried = 0;
		for (const {input} of fuzzInputs(corpus, 400, SEED + 1, {dictionary, maxStack: 3})) {
			if (parseBreakpoint(input).ok || input.includes('\0') || input.startsWith('-')) continue;
			const r = spawnSync(process.execPath, [bin, 'run', file, '--break', input], {encoding: 'utf8'});
			expect(r.status, JSON.stringify(input)).toBe(2);
			expect(r.stderr).toContain('--break');
			expect(r.stderr).not.toMatch(/\n\s+at /);
			if (++tried === 8) break;
		}
		expect(tried).toBe(8);
	});
});
