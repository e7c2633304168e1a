// The VMA list at scale: 100,000 mappings are linked, looked up and torn down
// with bisection (find_vma, vma_link, get_unmapped_area), not a scan each.

import {describe, expect, it} from 'vitest';
import {findVma} from '../../source/kernel/memory.js';
import {findRegion} from '../../source/kernel/mmap.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {parse} from '../helpers/run.js';

// 100,000 with COWDBG_LONG=1 (npm run test:long).
const N = process.env.COWDBG_LONG === '1' ? 100_000 : 20_000;

describe('the VMA list', () => {
	it(`links ${N} maps at exec, finds each by name and address, and tears them down`, () => {
		const maps = Array.from({length: N}, (_, i) =>
			i % 1000 === 7 ? `  map m${i} 1 rw- at ${'0x' + (0x100_0000_0000 + i * 0x2000).toString(16)}\n` : `  map m${i} 1 rw-\n`,
		).join('');
		const s = parse(
			`config frames=1048576 overcommit=always\nprogram init\n${maps}  mmap extra 2 rw-\n  write m${N - 1} 5\n  expect m${N - 1} == 5\n  exit 0\nend\n`,
		);
		const k = boot(s, s.config);
		expect(k.ended).toBeNull();
		const mm = [...k.mms.values()][0]!;
		expect(mm.vmas.length).toBe(N + 2);
		for (let i = 1; i < mm.vmas.length; i++) expect(mm.vmas[i - 1]!.end <= mm.vmas[i]!.start).toBe(true);
		for (const i of [0, 7, 1007, N >> 1, N - 1]) {
			const vma = findRegion(mm, `m${i}`)!;
			expect(vma.region).toBe(`m${i}`);
			expect(findVma(mm, vma.start + 100)).toBe(vma);
		}
		expect(findRegion(mm, 'nothing')).toBeUndefined();
		while (k.ended === null) stepTick(k);
		expect(k.ended).toBe('exited');
		expect(k.expectsFailed).toBe(0);
		expect(mm.vmas.length).toBe(0);
	}, 120_000);
});
