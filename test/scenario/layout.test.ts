// exec's layout checked at parse time: a map exec could not place would make
// pid 1's exec fail and the kernel panic ("No working init found").

import {describe, expect, it} from 'vitest';
import {parseScenario} from '../../source/scenario/parser.js';
import {boot} from '../../source/kernel/kernel.js';

const scenario = (maps: string, code = '  exit 0\n'): string => `program init\n${maps}${code}end\n`;

function errors(source: string): string[] {
	const r = parseScenario(source, 'l.scn');
	return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`);
}

describe('map layout at parse time', () => {
	it('refuses a map past the top of user space, over the stack, the text or another map', () => {
		expect(errors(scenario('  map top 2 rw- at 0x7ffffffff000\n'))).toEqual([
			'2:20: map top (0x7ffffffff000…0x800000001000) ends past the top of user space (0x800000000000)',
		]);
		expect(errors(scenario('  map s 3 rw- at 0x7fffffffc000\n'))).toEqual([
			"2:18: map s (0x7fffffffc000…0x7ffffffff000) overlaps the program's stack (0x7fffffffd000…0x7ffffffff000)",
		]);
		expect(errors(scenario('  map t 1 rw- at 0x400000\n'))).toEqual(["2:18: map t (0x400000…0x401000) overlaps the program's text (0x400000…0x401000)"]);
		expect(errors(scenario('  map a 4 rw- at 0x700000\n  map b 1 rw- at 0x703000\n'))).toEqual([
			'3:18: map b (0x703000…0x704000) overlaps region a (0x700000…0x704000)',
		]);
		// Placed without `at` after a high one: the next lands on the stack.
		expect(errors(scenario('  map hi 1 rw- at 0x7fffffff0000\n  map next 16 rw-\n'))).toEqual([
			'3:3: map next (placed after the maps before it, 0x7fffffff2000…0x800000002000) ends past the top of user space (0x800000000000)',
		]);
	});

	it('accepts what exec places, and such a scenario boots without a panic', () => {
		for (const maps of [
			'  map a 4 rw-\n  map b 2 rw- at 0x700000\n  map c 1 rw-\n',
			'  map top 1 rw- at 0x7fffffffc000\n',
			'  map a 1 rw- at 0x401000\n',
		]) {
			const r = parseScenario(scenario(maps), 'l.scn');
			expect(r.ok, maps).toBe(true);
			if (r.ok) expect(boot(r.scenario, r.scenario.config).ended, maps).toBeNull();
		}
	});

	it('checks 20,000 maps in one program without quadratic work', () => {
		const maps = Array.from({length: 20_000}, (_, i) => `  map m${i} 1 rw-\n`).join('') + '  map bad 1 rw- at 0x600000\n';
		const r = errors(scenario(maps));
		expect(r).toEqual(['20002:20: map bad (0x600000…0x601000) overlaps region m0 (0x600000…0x601000)']);
	});
});
