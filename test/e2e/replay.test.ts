// The TUI replay in a real terminal (tmux, 100×30): a session whose checkpoint
// was changed is caught as the replay passes it, said on screen at once, and
// the process exits 1; an untouched one plays to the end and exits 0.

import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {everyAction, loadInline, record, tempDir} from '../session/record.js';
import {hasTmux, Tmux} from './tmux.js';

const t = new Tmux('replay');
const {session} = t;
const tmux = t.run.bind(t);
const waitFor = (what: RegExp): Promise<string> => t.waitFor(what, 20_000);

afterAll(() => {
	if (hasTmux) t.kill();
});

function sessionFile(tamper: boolean): string {
	const file = join(tempDir(), tamper ? 'tampered.json' : 'good.json');
	record(loadInline(), everyAction, file, {stepMs: 50});
	if (tamper) {
		const o = JSON.parse(readFileSync(file, 'utf8')) as {checkpoints: [number, number, string][]};
		const cp = o.checkpoints[1]!;
		cp[2] = (cp[2][0] === '0' ? '1' : '0') + cp[2].slice(1);
		writeFileSync(file, JSON.stringify(o));
	}
	return file;
}

describe.skipIf(!hasTmux)('cowdbg replay in tmux', () => {
	it('a tampered checkpoint: "replay DIFFERS" on screen as it passes it, exit status 1', async () => {
		const file = sessionFile(true);
		t.open(100, 30, `node dist/cli.js replay ${file} --speed 4; echo "EXIT=$?"; sleep 120`);
		const s = await waitFor(/replay DIFFERS after action \d+\/\d+/);
		for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
		tmux('send-keys', '-t', session, 'q');
		await waitFor(/EXIT=1/);
		tmux('kill-session', '-t', session);
	});

	it('an untouched session plays to the end, every checkpoint verified, exit status 0', async () => {
		const file = sessionFile(false);
		t.open(100, 30, `node dist/cli.js replay ${file} --speed 4; echo "EXIT=$?"; sleep 120`);
		await waitFor(/replay done \d+\/\d+ ✓4\/4/);
		tmux('send-keys', '-t', session, 'q');
		await waitFor(/EXIT=0/);
		tmux('kill-session', '-t', session);
	});
});
