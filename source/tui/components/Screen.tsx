// The whole screen: the status line, the panes (or an overlay) and the bottom
// lines, as composed by frameLines: exactly `height` rows of at most `width`
// columns. It renders the View it is given and computes nothing.

import {Box, Text} from 'ink';
import {frameText} from '../frame.js';
import type {View} from '../view.js';

export function Screen({view}: {view: View}) {
	return (
		<Box width={view.width} height={view.height}>
			<Text>{frameText(view)}</Text>
		</Box>
	);
}
