// A pane's title bar: its number and name, then what it shows (its info);
// the focused pane's in the accent colour. Without colours (NO_COLOR) the
// focused one is the one in inverse video, the others are underlined: the
// marked bar is always the focused one.

import {paneTitles, panes, type Pane} from '../panes.js';
import {fitLine, seg, useColor, type Line, type Style} from '../text.js';

/** `name`: what the pane shows when another view takes its place (the Kernel view in the Log's). */
export function titleLine(pane: Pane, focused: boolean, info: string, width: number, name = paneTitles[pane], color = useColor): Line {
	const n = panes.indexOf(pane) + 1;
	const bar: Style = color
		? focused
			? {bg: 'cyan', color: 'black', bold: true}
			: {inverse: true}
		: focused
			? {inverse: true, bold: true}
			: {underline: true};
	return fitLine([seg(` ${n} ${name} `, {...bar, bold: true}), seg(` ${info}`, bar)], width, true);
}
