import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {cells, cut, cutCells, fitLine, lineWidth, padEnd, padStart, seg, wrap} from '../../source/tui/text.js';

const wide = 'コピーオンライト🐄は書き込みまで';

describe('text measured in terminal cells', () => {
	it('counts CJK characters and emoji as two cells', () => {
		expect(cells('abc')).toBe(3);
		expect(cells('日本')).toBe(4);
		expect(cells('🐄')).toBe(2);
		expect(lineWidth([seg('ab'), seg('日本')])).toBe(6);
	});

	it('cuts to at most the width, marking the cut with …, never splitting a wide character', () => {
		for (let w = 1; w <= 40; w++) {
			const c = cutCells(wide, w);
			expect(stringWidth(c)).toBeLessThanOrEqual(w);
			if (stringWidth(wide) > w) {
				expect(c.endsWith('…')).toBe(true);
				expect(stringWidth(c)).toBe(w);
			} else expect(c).toBe(wide);
		}
		expect(cut('abcdef', 4)).toBe('abc…');
		expect(cut('abc', 4)).toBe('abc');
	});

	it('fits a line of segments to the width in cells, the cut marked', () => {
		const line = [seg('pid 1 '), seg(wide, {bold: true}), seg(' tail')];
		for (let w = 1; w <= 50; w++) {
			const out = fitLine(line, w, true);
			expect(lineWidth(out)).toBe(w);
			if (lineWidth(line) > w)
				expect(
					out
						.map((s) => s.text)
						.join('')
						.trimEnd()
						.endsWith('…'),
				).toBe(true);
		}
		// a line that fits exactly is not marked
		expect(
			fitLine([seg('abcd')], 4)
				.map((s) => s.text)
				.join(''),
		).toBe('abcd');
		// a cut at a segment boundary is marked too
		expect(
			fitLine([seg('abcd'), seg('ef')], 4)
				.map((s) => s.text)
				.join(''),
		).toBe('abc…');
	});

	it('pads and wraps by cells', () => {
		expect(stringWidth(padEnd('日本', 6))).toBe(6);
		expect(stringWidth(padStart('🐄', 5))).toBe(5);
		for (const line of wrap(`${wide} ${wide}${wide} short`, 10)) expect(stringWidth(line)).toBeLessThanOrEqual(10);
		expect(wrap(`${wide} ${wide}${wide} short`, 10).join('').replaceAll(' ', '')).toBe(`${wide}${wide}${wide}short`);
	});
});
