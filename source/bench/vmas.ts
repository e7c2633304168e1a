// Many VMAs in one mm: `n` runtime mmaps, then their munmaps oldest first.
// mm.vmas is an array sorted by address: find_vma is a bisection, vma_link
// and the unlink of remove_vma a splice, which moves the VMAs after the
// place. Mapping at falling addresses links every VMA at the front, the worst
// case; at rising ones every VMA is appended (as get_unmapped_area does).

import {boot, stepTick} from '../kernel/kernel.js';
import {parseScenario} from '../scenario/parser.js';
import type {Row} from './table.js';

function vmaScenario(n: number, falling: boolean): string {
	const lines: string[] = [];
	for (let i = 0; i < n; i++) {
		const addr = falling ? 0x100_0000_0000 - i * 0x2000 : 0x100_0000_0000 + i * 0x2000;
		lines.push(`  mmap m${i} 1 rw- at 0x${addr.toString(16)}`);
	}
	for (let i = 0; i < n; i++) lines.push(`  munmap m${i}`);
	return `config frames=1048576 overcommit=always max_ticks=100000000 quantum=1000000\nprogram init\n${lines.join('\n')}\n  exit 0\nend\n`;
}

export function measureVmas(n: number): Row[] {
	const rows: Row[] = [];
	for (const falling of [true, false]) {
		const r = parseScenario(vmaScenario(n, falling), 'vmas.scn');
		if (!r.ok) throw new Error(`bench scenario does not parse: ${r.errors.map((e) => e.message).join('; ')}`);
		const k = boot(r.scenario, r.scenario.config);
		const t0 = performance.now();
		while (k.ended === null) stepTick(k);
		const ms = performance.now() - t0;
		if (k.ended !== 'exited' || k.expectsFailed > 0) throw new Error(`the VMA bench ended ${k.ended}`);
		rows.push({
			measure: `${n.toLocaleString('en')} mmaps at ${falling ? 'falling' : 'rising'} addresses, then their munmaps oldest first`,
			result: `${Math.round(ms).toLocaleString('en')} ms (${((ms * 1000) / (2 * n)).toFixed(1)} µs a call)`,
			target: '—',
			ok: null,
		});
	}
	return rows;
}
