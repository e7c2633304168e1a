// The property harness itself: a failing property writes its shrunk
// counterexample to test/failures/ and names the file in its message; the
// generator's scenarios all parse.

import {existsSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseScenario} from '../../source/scenario/parser.js';
import {FAILURES_DIR, checkScenarioProperty} from './harness.js';
import {scenarioArb} from './scenario-arb.js';

describe('property harness', () => {
	it('generates scenarios that parse', () => {
		for (const source of fc.sample(scenarioArb(), {numRuns: 200, seed: 5})) {
			const r = parseScenario(source, 'generated.scn');
			expect(r.ok, r.ok ? '' : `${r.errors[0]!.line}:${r.errors[0]!.col} ${r.errors[0]!.message}\n${source}`).toBe(true);
		}
	});

	it('writes a failing case, shrunk, to test/failures/ and names it in the message', () => {
		let message = '';
		try {
			checkScenarioProperty(
				'harness-selftest',
				scenarioArb(),
				(source) => {
					if (source.includes('vfork')) throw new Error('found a vfork');
				},
				{numRuns: 200, seed: 42},
			);
		} catch (e) {
			message = (e as Error).message;
		}
		const m = /written to (test\/failures\/harness-selftest-seed42\.scn)/.exec(message);
		expect(m, message).not.toBeNull();
		const file = join(FAILURES_DIR, 'harness-selftest-seed42.scn');
		try {
			expect(existsSync(file)).toBe(true);
			const text = readFileSync(file, 'utf8');
			expect(text).toContain('# found a vfork');
			expect(message).toContain('found a vfork');
			// Shrunk: little is left beyond the vfork itself.
			const code = text.split('\n').filter((l) => !l.startsWith('#') && l.trim() !== '');
			expect(code.length).toBeLessThan(12);
			expect(parseScenario(text, file).ok).toBe(true);
		} finally {
			rmSync(file, {force: true});
		}
	});
});
