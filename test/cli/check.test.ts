// `check` passes a scenario only when every expect held, none was left
// unreached, and the run ended as `config end=` says (docs/cli.md).

import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkOne} from '../../source/cli/check.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {parseScenario} from '../../source/scenario/parser.js';

const dir = mkdtempSync(join(tmpdir(), 'cowdbg-check-'));

function file(name: string, text: string): string {
	const path = join(dir, name);
	writeFileSync(path, text);
	return path;
}

async function check(path: string, overrides: string[] = []): Promise<{ok: boolean; status: number; text: string}> {
	const r = await checkOne(path, overrides);
	if (r === null) throw new Error('abandoned');
	return {ok: r.ok, status: r.status, text: r.lines.join('\n')};
}

const endless = `program init
  expect 1 == 1
loop:
  goto loop
  expect 2 == 2
  exit 0
end
`;

const vforkSleeper = `program init
  vfork
  if ret == 0 goto child
  expect ret > 0
  exit 0
child:
  sleep 1000000
  exit 0
end
`;

const five = `program init
  expect 1 == 1
  expect 2 == 2
  expect 3 == 3
  expect 4 == 4
  expect 5 == 5
  exit 0
end
`;

describe('check', () => {
	it('fails an endless loop: it ended max-ticks, and names the expect it never reached', async () => {
		const path = file('endless.scn', endless);
		const r = await check(path, ['max_ticks=100']);
		expect(r.ok).toBe(false);
		expect(r.status).toBe(1);
		expect(r.text).toMatch(/^FAIL .*endless\.scn: 1\/1 expects \(1 never reached\), ended max-ticks at tick 100, but the run must end exited/);
		expect(r.text).toContain(`\n  ${path}:5: expect 2 == 2: never reached`);
	});

	it('fails a vfork parent left blocked by a child that never finishes', async () => {
		const r = await check(file('sleeper.scn', vforkSleeper), ['max_ticks=200']);
		expect(r.ok).toBe(false);
		expect(r.text).toMatch(/0\/0 expects \(1 never reached\), ended max-ticks/);
		expect(r.text).toMatch(/sleeper\.scn:4: expect ret > 0: never reached/);
	});

	it('fails --set max_ticks=5 on five expects (not "PASS 0/0"), listing each by FILE:LINE', async () => {
		const path = file('five.scn', five);
		expect((await check(path)).ok).toBe(true);
		// Tick 0 is the boot; ticks 1…3 evaluate the first three expects.
		const r = await check(path, ['max_ticks=3']);
		expect(r.ok).toBe(false);
		expect(r.text).toMatch(/^FAIL .*: 3\/3 expects \(2 never reached\), ended max-ticks at tick 3, but the run must end exited \(the default/);
		for (const line of [5, 6]) expect(r.text).toContain(`${path}:${line}: expect ${line - 1} == ${line - 1}: never reached`);
		expect(r.text).not.toContain(`${path}:4:`);
	});

	it('takes config end=: max-ticks and any pass a run that was meant to run out', async () => {
		const loop = file('loop-end.scn', endless.replace('program init', 'config end=max-ticks max_ticks=50\nprogram init').replace('  expect 2 == 2\n', ''));
		expect((await check(loop)).ok).toBe(true);
		expect((await check(loop, ['end=any'])).ok).toBe(true);
		const r = await check(loop, ['end=exited']);
		expect(r.ok).toBe(false);
		expect(r.text).toMatch(/ended max-ticks at tick 50, but the run must end exited/);
		// A run that exits fails a scenario that says it must panic.
		const wantsPanic = await check(file('panic.scn', `config end=panic\n${five}`));
		expect(wantsPanic.ok).toBe(false);
		expect(wantsPanic.text).toMatch(/ended exited at tick \d+, but the run must end panic \(config end=panic\)/);
	});

	it('refuses a bad end= with the choices', async () => {
		const r = await check(file('bad-end.scn', `config end=finished\n${five}`));
		expect(r.status).toBe(2);
		expect(r.text).toMatch(/bad-end\.scn:1:\d+: error: end must be exited or panic or max-ticks or any, not 'finished'/);
	});
});

describe('the end event', () => {
	function end(text: string, maxTicks?: number): Extract<KernelEvent, {type: 'end'}> {
		const r = parseScenario(text, 'x.scn');
		if (!r.ok) throw new Error('parse');
		const k = boot(r.scenario, maxTicks === undefined ? r.scenario.config : {...r.scenario.config, max_ticks: maxTicks});
		let last: KernelEvent | undefined;
		last = k.events.at(-1);
		while (k.ended === null) last = stepTick(k).at(-1) ?? last;
		expect(last?.type).toBe('end');
		return last as Extract<KernelEvent, {type: 'end'}>;
	}

	it('counts the expects never reached', () => {
		expect(end(five)).toMatchObject({reason: 'exited', expects_unreached: 0});
		expect(end(five, 3)).toMatchObject({reason: 'max-ticks', expects_unreached: 2});
		// An expect in a loop counts once; one in a program nobody runs counts as unreached.
		expect(
			end(
				`program init\n  set r0 0\nagain:\n  expect r0 < 10\n  add r0 1\n  if r0 < 5 goto again\n  exit 0\nend\nprogram other\n  expect 1 == 2\n  exit 0\nend\n`,
			),
		).toMatchObject({expects_failed: 0, expects_unreached: 1});
	});
});
