// A pane: its title bar and its rows.

import {Box} from 'ink';
import type {PaneView} from '../view.js';
import {Lines} from './Row.js';

export function Pane({pane}: {pane: PaneView}) {
	return (
		<Box flexDirection="column" width={pane.width} height={pane.height}>
			<Lines lines={[pane.title, ...pane.lines]} />
		</Box>
	);
}
