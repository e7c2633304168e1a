// A pane's title bar: its number and name, then what it shows (its info);
// the focused pane's in the accent colour.

import {paneTitles, panes, type Pane} from '../panes.js';
import {fitLine, seg, type Line, type Style} from '../text.js';

/** `name`: what the pane shows when another view takes its place (the Kernel view in the Log's). */
export function titleLine(pane: Pane, focused: boolean, info: string, width: number, name = paneTitles[pane]): Line {
	const n = panes.indexOf(pane) + 1;
	const bar: Style = focused ? {bg: 'cyan', color: 'black', bold: true} : {inverse: true};
	return fitLine([seg(` ${n} ${name} `, {...bar, bold: true}), seg(` ${info}`, bar)], width, true);
}
