// Long operations in a real terminal (tmux, 80×24; docs/debugger.md): a go-to
// that takes seconds, far ahead and far back, shows its progress on the
// status line as it goes; Esc cancels it where it got to, q quits in the
// middle of one, and SIGTERM stops one and saves the recording, which replays
// to where it stopped. The assertions are on the order of the screens, not on
// how long anything takes (the machine is shared).

import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {decodeSession} from '../../source/debugger/session.js';
import {tempDir} from '../session/record.js';
import {hasTmux, Tmux} from './tmux.js';

const t = new Tmux('long');
const {session} = t;
const tmux = t.run.bind(t);
const waitFor = (what: RegExp): Promise<string> => t.waitFor(what, 60_000);

afterAll(() => {
	if (hasTmux) t.kill();
});

/**
 * A machine large enough that a clone of it is costly, so the debugger keeps
 * few snapshots far apart: going back re-executes millions of ticks.
 */
const big = '--set frames=2097152';

/** Start cowdbg on the spinning fixture; `pidFile` gets the pid of node itself. */
async function start(args: string, pidFile: string): Promise<void> {
	const cmd = `sh -c 'echo $$ > ${pidFile}; exec node dist/cli.js test/fixtures/tui/spin.scn ${args}'; echo "EXIT=$?"; sleep 120`;
	// A test that failed may have left its session behind.
	spawnSync('tmux', ['-L', session, 'kill-session', '-t', session]);
	t.open(80, 24, cmd);
	await waitFor(/tick 0\b.*paused/);
}

/** The share shown on the status line for a go-to, once it is more than `above`. */
async function progressAbove(target: number, above: number): Promise<number> {
	const re = new RegExp(`going to tick ${target}… (\\d+)% \\(Esc cancels\\)`);
	const s = await t.settle((lines) => {
		const m = re.exec(lines[0] ?? '');
		return m !== null && Number(m[1]) > above;
	}, 60_000);
	return Number(re.exec(s[0]!)![1]);
}

describe.skipIf(!hasTmux)('long operations in tmux (80×24)', () => {
	it('g far ahead and far back show their progress as they go; Esc cancels one where it got to; q quits in the middle of one', async () => {
		const dir = tempDir();
		await start(big, join(dir, 'pid'));
		tmux('send-keys', '-t', session, 'g', '30000000', 'Enter');
		const first = await progressAbove(30000000, -1);
		// The screen keeps changing while it runs: the share grows, to two fifths
		// at least, so that going back re-executes millions of ticks (several
		// slices however fast the machine is).
		await progressAbove(30000000, Math.max(first, 40));
		tmux('send-keys', '-t', session, 'Escape');
		const cancelled = await waitFor(/going to tick 30000000: cancelled at tick (\d+)/);
		const at = Number(/cancelled at tick (\d+)/.exec(cancelled)![1]);
		expect(at).toBeGreaterThan(0);
		expect(at).toBeLessThan(30000000);
		expect(cancelled).toMatch(new RegExp(`tick ${at}\\b.*paused by you`));
		// Back far, just below where the run got: from a snapshot far below, re-executed.
		const back = at - 1;
		tmux('send-keys', '-t', session, 'g', String(back), 'Enter');
		await progressAbove(back, -1);
		tmux('send-keys', '-t', session, 'q');
		const end = await waitFor(/EXIT=\d+/);
		expect(end).toMatch(/EXIT=0/);
		expect(t.flag('alternate_on')).toBe('0');
		tmux('kill-session', '-t', session);
	}, 180_000);

	it('SIGTERM in the middle of a long go-to exits and saves the recording, which replays to where it stopped', async () => {
		const dir = tempDir();
		const rec = join(dir, 'term.json');
		const pidFile = join(dir, 'pid');
		await start(`--record ${rec}`, pidFile);
		tmux('send-keys', '-t', session, 's');
		await waitFor(/tick 1\b/);
		tmux('send-keys', '-t', session, 'g', '90000000', 'Enter');
		await progressAbove(90000000, 0);
		process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
		await waitFor(/EXIT=143/);
		const data = decodeSession(readFileSync(rec, 'utf8'), rec);
		const actions = data.actions.map((a) => a.action);
		expect(actions[0]).toEqual({a: 'step', n: 1});
		expect(actions).toHaveLength(2);
		const last = actions[1]!;
		expect(last.a).toBe('goto');
		const tick = (last as {tick: number}).tick;
		expect(tick).toBeGreaterThan(1);
		expect(tick).toBeLessThan(90000000);
		expect(data.checkpoints.at(-1)).toMatchObject({actions: 2, tick});
		const r = spawnSync(process.execPath, ['dist/cli.js', 'replay', '--headless', rec], {encoding: 'utf8'});
		expect(r.stdout).toMatch(/ok: every checkpoint matches/);
		expect(r.status).toBe(0);
		tmux('kill-session', '-t', session);
	}, 180_000);
});
