// The key bar on the last row: the keys that do something in the current
// mode and focus, from the key table.

import {machineInfo} from '../../debugger/views.js';
import {barKeys, type BarContext} from '../keys.js';
import {countValue, modeOf} from '../state.js';
import {seg, type Line} from '../text.js';
import type {Model} from './model.js';

export function barContext(m: Model): BarContext {
	const dbg = m.dbg;
	const stop = dbg.lastStop;
	return {
		mode: modeOf(m.ui),
		focus: m.ui.focus,
		ended: dbg.ended,
		atStart: dbg.tick === 0,
		atHit: stop.reason === 'break' && stop.tick === dbg.tick,
		hasBreakpoints: dbg.breakpoints.length > 0,
		countPending: countValue(m.ui) !== null,
		filtered: m.ui.filter !== '',
		nommu: !machineInfo(dbg.kernel).mmu,
		inside: dbg.inside !== null,
	};
}

export function keyBar(m: Model): Line {
	const out: Line = [];
	const count = countValue(m.ui);
	if (count !== null) out.push(seg(` count ${count} `, {inverse: true, bold: true}), seg(' s/r use it  '));
	for (const {label, word} of barKeys(barContext(m))) {
		out.push(seg(` ${label} `, {inverse: true, bold: true}), seg(` ${word}  `));
	}
	return out;
}
