// The live app: keys from Ink go to the controller, the terminal's size is
// followed, and each new view goes to `paint`, which puts it on the screen
// (the terminal's painter; in tests, the same painter into a terminal
// emulator). Ink renders nothing: it runs the input and the lifecycle.

import {useApp, useInput, useStdout, type Key} from 'ink';
import {useEffect, useLayoutEffect, useSyncExternalStore} from 'react';
import type {Controller} from '../controller.js';
import type {KeyEvent, SpecialKey} from '../keys.js';
import type {View} from '../render/model.js';

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
	/** Put each frame on the screen. */
	paint: (view: View) => void;
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
		paint(view);
	}, [paint, view]);

	useInput((input, key) => {
		controller.key(toKeyEvent(input, key));
	});

	return null;
}
