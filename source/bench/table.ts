// The table `npm run bench` prints: one row a measure, its result, the target
// and whether it was met (blank for reduced sizes, which are not the targets).

export type Row = {measure: string; result: string; target: string; ok: boolean | null};

export function formatTable(rows: Row[]): string {
	const header = ['measure', 'result', 'target', 'met'];
	const cells = rows.map((r) => [r.measure, r.result, r.target, r.ok === null ? '' : r.ok ? 'yes' : 'NO']);
	const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
	const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
	return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}
