// The prompt that replaces the key bar while a tick, a breakpoint or a
// filter is typed: the input (its end kept in view) and, under it, a caret at
// the error's column and the message.

import {seg, type Line} from '../text.js';
import type {Model} from './model.js';

const promptLabels = {goto: 'go to tick: ', break: 'break: ', filter: 'filter log /'};

export function promptLines(m: Model, width: number): Line[] {
	const p = m.ui.prompt!;
	const label = promptLabels[p.kind];
	// Keep the end of a long input in view.
	const room = Math.max(1, width - label.length - 1);
	const shift = Math.max(0, p.text.length - room);
	const lines: Line[] = [[seg(label, {bold: true, color: 'cyan'}), seg(p.text.slice(shift)), seg(' ', {inverse: true})]];
	if (p.error !== null) {
		// The way out stays in sight while the prompt holds a mistake.
		lines[0]!.push(seg('   fix it, or Esc cancels · ^U clears', {dim: true}));
		const at = Math.max(0, Math.min(width - 1, label.length + p.error.col - 1 - shift));
		lines.push([seg(' '.repeat(at)), seg('^', {color: 'red', bold: true})]);
		lines.push([seg(p.error.message, {color: 'red'})]);
	}
	return lines;
}
