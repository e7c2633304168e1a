// The whole screen: the status line, the panes (or an overlay) and the bottom
// lines (notice, prompt or key bar). It renders the View it is given, exactly
// `height` rows of at most `width` columns, and computes nothing.

import {Box, Text} from 'ink';
import type {View} from '../view.js';
import {Pane} from './Pane.js';
import {Lines} from './Row.js';

export function Screen({view}: {view: View}) {
	return (
		<Box flexDirection="column" width={view.width} height={view.height}>
			<Lines lines={[view.status]} />
			<Box flexDirection="column" height={view.bodyHeight}>
				{view.overlay !== null ? (
					<Lines lines={[view.overlay.title, ...view.overlay.lines]} />
				) : (
					view.bands!.map((band, b) => (
						<Box key={b} flexDirection="row" height={band[0]!.height}>
							{band.map((pane, i) => (
								<Box key={pane.pane} flexDirection="row">
									{i > 0 ? <Separator height={pane.height} /> : null}
									<Pane pane={pane} />
								</Box>
							))}
						</Box>
					))
				)}
			</Box>
			<Lines lines={view.bottom} />
		</Box>
	);
}

function Separator({height}: {height: number}) {
	return (
		<Box width={1} height={height}>
			<Text color="gray">{Array.from({length: height}, () => '│').join('\n')}</Text>
		</Box>
	);
}
