// A frame as a string: the state of a debugger, drawn at a size, without a
// terminal. The benchmark times it; the terminal shows exactly this.

import {frameText} from './frame.js';
import {buildView, type Model} from './view.js';

export function renderFrame(model: Model, width: number, height: number): string {
	return frameText(buildView(model, width, height).view);
}
