// mmap's placement: `at ADDR` never replaces a mapping (MAP_FIXED_NOREPLACE).

import {describe, expect, it} from 'vitest';
import {endOf, ofType, prog, run} from '../helpers/run.js';

describe('mmap … at ADDR', () => {
	it('over an existing mapping returns -EEXIST and maps nothing, as MAP_FIXED_NOREPLACE does', () => {
		const r = run(
			prog(
				'mmap more 1 rw- at 0x600000\nexpect ret == -EEXIST\nmmap part 2 rw- at 0x5ff000\nexpect ret == -EEXIST\nmmap free 1 rw- at 0x700000\nexpect ret == 0x700000\nexit 0',
				'map heap 1 rw-',
			),
		);
		expect(ofType(r.events, 'syscall').map((e) => e.ret)).toEqual([-17, -17, 0x700000]);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0});
	});
});
