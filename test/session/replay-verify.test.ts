// The TUI replay verifies each checkpoint as it passes it (SPEC §7): a session
// whose recorded state was changed stops the replay at that checkpoint, says
// so on the status line at once, and the TUI's exit status becomes 1.

import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {loadSession} from '../../source/debugger/recorder.js';
import {replayScript, type Session} from '../../source/debugger/session.js';
import {Controller} from '../../source/tui/controller.js';
import {frameLines} from '../../source/tui/render/frame.js';
import {everyAction, loadInline, record, tempDir} from './record.js';

function recorded(): Session {
	const file = join(tempDir(), 's.json');
	record(loadInline(), everyAction, file);
	return loadSession(file);
}

/** Replay `session` in a Controller, action by action, as the timer would. */
function replay(session: Session): {c: Controller; screen: () => string} {
	const {scenario, config} = session.loaded;
	const c = new Controller(new Debugger(scenario, config, session.breakpoints), {replay: {script: replayScript(session), speed: 1}});
	c.setSize(120, 30);
	return {c, screen: () => frameLines(c.view()).join('\n')};
}

describe('TUI replay verification', () => {
	it('an untouched session: every checkpoint verified, replay done, no divergence', () => {
		const session = recorded();
		expect(session.checkpoints.length).toBeGreaterThan(3);
		const {c, screen} = replay(session);
		while (c.replayNext());
		expect(c.replayDiverged).toBe(false);
		expect(c.session.replay).toMatchObject({state: 'done', verified: session.checkpoints.length, checkpoints: session.checkpoints.length});
		expect(screen()).toMatch(/replay done \d+\/\d+ ✓\d+\/\d+/);
	});

	it('a changed checkpoint hash: the replay stops there and the status line says so', () => {
		const session = recorded();
		const bad = Math.floor(session.checkpoints.length / 2);
		const cp = session.checkpoints[bad]!;
		const tampered: Session = {
			...session,
			checkpoints: session.checkpoints.map((c, i) => (i === bad ? {...c, hash: (c.hash[0] === '0' ? '1' : '0') + c.hash.slice(1)} : c)),
		};
		const {c, screen} = replay(tampered);
		let steps = 0;
		while (c.replayNext()) steps++;
		expect(c.replayDiverged).toBe(true);
		expect(c.session.replay).toMatchObject({state: 'diverged', index: cp.actions});
		// it stopped at once: no action after the checkpoint's was applied
		expect(steps).toBeLessThan(cp.actions);
		expect(c.dbg.tick).toBe(cp.tick);
		expect(screen()).toMatch(new RegExp(`replay DIFFERS after action ${cp.actions}/${session.actions.length}: the state at tick ${cp.tick} differs`));
		// a key does not restart it
		c.key({input: 's'});
		expect(c.replayDiverged).toBe(true);
	});

	it('a changed action: the replay ends up elsewhere and the next checkpoint says so', () => {
		const session = recorded();
		// `restart` (back to tick 0) becomes `goto 3`; the checkpoint after it was taken at tick 0
		const i = session.actions.findIndex((a) => a.action.a === 'restart');
		const next = session.checkpoints.find((cp) => cp.actions > i)!;
		expect(next.tick).toBe(0);
		const actions = session.actions.map((a, j) => (j === i ? {...a, action: {a: 'goto' as const, tick: 3}} : a));
		const {c} = replay({...session, actions});
		while (c.replayNext());
		expect(c.replayDiverged).toBe(true);
		expect(c.session.replay?.index).toBe(next.actions);
		expect(c.session.replay?.divergence).toBe(`the recording was at tick 0 after ${next.actions} actions, the replay is at tick 3`);
	});
});
