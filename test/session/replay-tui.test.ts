// `cowdbg replay SESSION` without --headless hands the session to the TUI:
// the scenario as recorded (its own breakpoints and overrides), the actions
// with their times, and the speed.

import {join} from 'node:path';
import {describe, expect, it, vi} from 'vitest';
import {replayCommand} from '../../source/cli/replay.js';
import {loadSession} from '../../source/debugger/recorder.js';
import {replayScript} from '../../source/debugger/session.js';
import {everyAction, loadInline, record, tempDir} from './record.js';

const startTui = vi.fn(async (_options: unknown) => 0);
vi.mock('../../source/tui/main.js', () => ({startTui}));

describe('replay in the TUI', () => {
	it('starts the TUI with the session scenario, breakpoints, overrides, script and speed', async () => {
		const file = join(tempDir(), 's.json');
		record(loadInline(undefined, ['quantum=2']), everyAction, file);
		const status = await replayCommand([file], {speed: 2.5, headless: false, breaks: [], overrides: [], record: undefined}, () => {
			throw new Error('nothing is printed');
		});
		expect(status).toBe(0);
		expect(startTui).toHaveBeenCalledTimes(1);
		const options = startTui.mock.calls[0]![0] as Record<string, any>;
		const session = loadSession(file);
		expect(options).toMatchObject({file: 'inline/fork-cow.scn', breaks: [], overrides: ['quantum=2']});
		expect(options.replay).toEqual({script: replayScript(session), speed: 2.5});
		expect(options.replay.script.actions.map((a: {action: unknown}) => a.action)).toEqual(everyAction);
		expect(options.loaded.breakpoints).toEqual(['cow']);
		expect(options.loaded.config.quantum).toBe(2);
		expect(options.loaded.scenario.source).toBe(session.scenario.source);
	});
});
