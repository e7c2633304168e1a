// A frame as a string: the state of a debugger, drawn at a size, without a
// terminal. The benchmark times it; tests read it.

import {renderToString} from 'ink';
import {Screen} from './components/Screen.js';
import {buildView, type Model} from './view.js';

export function renderFrame(model: Model, width: number, height: number): string {
	const {view} = buildView(model, width, height);
	return renderToString(<Screen view={view} />, {columns: view.width});
}
