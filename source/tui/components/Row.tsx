// One line of coloured segments (already cut to its width).

import {Text} from 'ink';
import {toAnsi, type Line} from '../text.js';

export function Row({line}: {line: Line}) {
	return <Text>{line.length === 0 ? ' ' : toAnsi(line)}</Text>;
}

/** Several lines as one text block (one Ink node for a whole pane). */
export function Lines({lines}: {lines: Line[]}) {
	return <Text>{lines.map(toAnsi).join('\n')}</Text>;
}
