// The live app: keys from Ink go to the controller, the controller's view is
// rendered, the terminal's size is followed. In the terminal, `paint` puts
// each frame on the screen (and Ink renders nothing); in tests, Ink renders
// the same frame through <Screen>.

import {useApp, useInput, useStdout, type Key} from 'ink';
import {useEffect, useLayoutEffect, useSyncExternalStore} from 'react';
import type {Controller} from '../controller.js';
import type {KeyEvent, SpecialKey} from '../keys.js';
import type {View} from '../view.js';
import {Screen} from './Screen.js';

export function toKeyEvent(input: string, key: Key): KeyEvent {
	let name: SpecialKey | undefined;
	if (key.upArrow) name = 'up';
	else if (key.downArrow) name = 'down';
	else if (key.leftArrow) name = 'left';
	else if (key.rightArrow) name = 'right';
	else if (key.pageUp) name = 'pageup';
	else if (key.pageDown) name = 'pagedown';
	else if (key.home) name = 'home';
	else if (key.end) name = 'end';
	else if (key.return) name = 'return';
	else if (key.escape) name = 'escape';
	else if (key.tab) name = 'tab';
	else if (key.backspace) name = 'backspace';
	else if (key.delete) name = 'delete';
	return {input: name === undefined ? input : '', name, ctrl: key.ctrl, shift: key.shift};
}

type Props = {
	controller: Controller;
	/** Take the size from stdout and follow its resizes (the terminal; tests give a fixed size). */
	followTerminal?: boolean;
	/** Draw each frame yourself (the terminal); without it Ink renders the frame. */
	paint?: (view: View) => void;
};

export function App({controller, followTerminal = false, paint}: Props) {
	const {stdout} = useStdout();
	const {exit} = useApp();
	useSyncExternalStore(controller.subscribe, controller.getVersion);
	const view = controller.view();

	useEffect(() => {
		controller.onQuit = () => exit();
		return () => {
			controller.onQuit = undefined;
		};
	}, [controller, exit]);

	useEffect(() => {
		if (!followTerminal) return;
		const onResize = (): void => controller.setSize(stdout.columns || 80, stdout.rows || 24, true);
		controller.setSize(stdout.columns || 80, stdout.rows || 24);
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [controller, stdout, followTerminal]);

	useEffect(() => {
		controller.startReplay();
	}, [controller]);

	useLayoutEffect(() => {
		paint?.(view);
	}, [paint, view]);

	useInput((input, key) => {
		controller.key(toKeyEvent(input, key));
	});

	return paint === undefined ? <Screen view={view} /> : null;
}
