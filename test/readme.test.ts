// The README's scenario example does what its title says.

import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {endOf, faults, run} from './helpers/run.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
	it('the tour example, "one copy, one reuse", makes exactly one copy and one reuse, and its expects hold', () => {
		const block = /```\n(scenario "fork, then both write: one copy, one reuse"\n[\s\S]*?)```/.exec(readme);
		expect(block).not.toBeNull();
		const r = run(block![1]!);
		const cow = faults(r.events).filter((e) => e.kind.startsWith('cow-'));
		expect(cow.map((e) => `${e.kind} pid ${e.pid}`)).toEqual(['cow-copy pid 2', 'cow-reuse pid 1']);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0, expects_unreached: 0});
	});
});
