// Session files (docs/debugger.md, record and replay): the round trip through
// createRecorder, loadSession and verifySession; every kind of bad file; the
// size budget; --force; saving while recording.

import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {UsageError} from '../../source/debugger/load.js';
import {applyAction, type DebugAction} from '../../source/debugger/actions.js';
import {Debugger} from '../../source/debugger/debugger.js';
import {
	CHECKPOINT_ACTIONS,
	decodeSession,
	encodeAction,
	encodeSession,
	parseSession,
	replayScript,
	sha256,
	verifySession,
	type SessionData,
} from '../../source/debugger/session.js';
import {createRecorder, loadSession} from '../../source/debugger/recorder.js';
import {stateHash} from '../../source/kernel/dump.js';
import {boot, stepTick} from '../../source/kernel/kernel.js';
import {everyAction, forkCow, loadInline, record, tempDir} from './record.js';

/** The UsageError message of `fn`, failing the test if it throws anything else or nothing. */
function usageError(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}
	throw new Error('expected a UsageError, nothing was thrown');
}

function recorded(actions: readonly DebugAction[] = everyAction): {text: string; file: string; dir: string} {
	const dir = tempDir();
	const file = join(dir, 'a.session.json');
	record(loadInline(), actions, file);
	return {text: readFileSync(file, 'utf8'), file, dir};
}

/** The session's JSON, changed by `edit`, as file text. */
function edited(text: string, edit: (o: Record<string, any>) => void): string {
	const o = JSON.parse(text) as Record<string, any>;
	edit(o);
	return JSON.stringify(o);
}

describe('record, then replay', () => {
	it('a scripted session of every kind of action replays to identical states, action by action', () => {
		const dir = tempDir();
		const file = join(dir, 's.json');
		const loaded = loadInline();
		const rec = record(loaded, everyAction, file, {stepMs: (i) => 300 + 37 * i});
		const session = loadSession(file);
		expect(session.actions.map((a) => a.action)).toEqual(everyAction);
		expect(session.actions.map((a) => a.at)).toEqual(
			everyAction.map((_, i) => Array.from({length: i + 1}, (_, j) => 300 + 37 * j).reduce((x, y) => x + y)),
		);
		expect(session.breakpoints).toEqual(['cow']);
		expect(session.scenario).toEqual({file: 'inline/fork-cow.scn', source: forkCow, sha256: sha256(forkCow)});
		expect(session.loaded.breakpoints).toEqual(['cow']);

		const result = verifySession(session);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.checks.every((c) => c.ok && c.replayTick === c.tick)).toBe(true);
		// a start checkpoint, one every CHECKPOINT_ACTIONS, one at the end
		expect(session.checkpoints.map((c) => c.actions)).toEqual([0, 10, 20, everyAction.length]);

		// the states, action by action, are the recording's
		const dbg = new Debugger(session.loaded.scenario, session.loaded.config, session.breakpoints);
		replayScript(session).actions.forEach(({action}, i) => {
			applyAction(dbg, action);
			expect([dbg.tick, stateHash(dbg.kernel)], `after action ${i + 1} ${JSON.stringify(action)}`).toEqual(rec.after[i]);
		});
		expect(dbg.breakpoints).toEqual(rec.dbg.breakpoints);
		expect(dbg.frontier).toBe(rec.dbg.frontier);
		expect(dbg.events(0, dbg.visibleEvents(dbg.frontier))).toEqual(rec.dbg.events(0, rec.dbg.visibleEvents(rec.dbg.frontier)));
	});

	it('the overrides are kept and applied on replay', () => {
		const dir = tempDir();
		const file = join(dir, 's.json');
		const loaded = loadInline(forkCow, ['frames=32', 'quantum=1']);
		record(loaded, [{a: 'continue'}, {a: 'continue'}], file);
		const session = loadSession(file);
		expect(session.overrides).toEqual(['frames=32', 'quantum=1']);
		expect(session.loaded.config).toMatchObject({frames: 32, quantum: 1});
		expect(verifySession(session).ok).toBe(true);
	});

	it('an empty session (quit at once) is valid: one checkpoint at the start', () => {
		const {text, file} = recorded([]);
		const s = loadSession(file);
		expect(s.actions).toEqual([]);
		expect(s.checkpoints).toHaveLength(1);
		expect(verifySession(s)).toMatchObject({ok: true, ticks: 0});
		expect(text).toContain('"actions":[]');
	});

	it('every action survives encode and decode', () => {
		const data: SessionData = {
			scenario: {file: 'x.scn', source: forkCow, sha256: sha256(forkCow)},
			overrides: [],
			breakpoints: [],
			actions: everyAction.map((action, i) => ({at: i * 250, action})),
			checkpoints: [{actions: 0, tick: 0, hash: '0123456789abcdef'}],
		};
		expect(decodeSession(encodeSession(data), 'x')).toEqual(data);
	});

	it('actions are a few bytes each', () => {
		expect(JSON.stringify([1200, ...encodeAction({a: 'step', n: 1})])).toBe('[1200,"s"]');
		expect(JSON.stringify([450, ...encodeAction({a: 'reverse-continue'})])).toBe('[450,"R"]');
		expect(JSON.stringify([800, ...encodeAction({a: 'goto', tick: 120})])).toBe('[800,"g",120]');
		expect(JSON.stringify([90, ...encodeAction({a: 'break-add', spec: 'cow'})])).toBe('[90,"b","cow"]');
	});

	it('the recorder refuses to record after close, and close is idempotent', () => {
		const {file} = recorded();
		const before = readFileSync(file, 'utf8');
		const dir = tempDir();
		const f2 = join(dir, 'b.json');
		const rec = record(loadInline(), [{a: 'step', n: 1}], f2);
		rec.recorder.record({a: 'step', n: 1}, rec.dbg);
		rec.recorder.close(rec.dbg);
		expect(loadSession(f2).actions).toHaveLength(1);
		expect(readFileSync(file, 'utf8')).toBe(before);
	});

	it('quitting during a run (the cursor moved after the last action) takes no checkpoint at a tick no action reached', () => {
		const dir = tempDir();
		const file = join(dir, 's.json');
		const rec = record(
			loadInline(),
			[
				{a: 'step', n: 1},
				{a: 'step', n: 1},
			],
			file,
			{close: false},
		);
		rec.dbg.step(3); // a run in progress, never recorded as an action
		rec.recorder.close(rec.dbg);
		const s = loadSession(file);
		expect(s.checkpoints.map((c) => c.actions)).toEqual([0]);
		expect(verifySession(s).ok).toBe(true);
	});
});

describe('the 2 KiB per minute budget (README.md (Performance))', () => {
	// A minute of someone stepping through a scenario: 60 keys, one a second on
	// average, mostly s, some c, r, R, g, breakpoints and selections.
	const minute: DebugAction[] = [];
	const pattern: DebugAction[] = [
		{a: 'step', n: 1},
		{a: 'step', n: 1},
		{a: 'step', n: 1},
		{a: 'select', pid: 2},
		{a: 'step', n: 5},
		{a: 'continue'},
		{a: 'reverse-step', n: 1},
		{a: 'reverse-continue'},
		{a: 'goto', tick: 12},
		{a: 'break-add', spec: 'fault:kind=cow-copy'},
		{a: 'step', n: 1},
		{a: 'restart'},
	];
	for (let i = 0; i < 60; i++) minute.push(pattern[i % pattern.length]!);

	it('60 typical actions in a minute add under 2,048 bytes to the file', () => {
		const loaded = loadInline();
		const dir = tempDir();
		const empty = record(loaded, [], join(dir, 'empty.json'));
		const full = record(loaded, minute, join(dir, 'minute.json'), {stepMs: (i) => 400 + ((i * 7919) % 1300)});
		const header = readFileSync(empty.file).length;
		const total = readFileSync(full.file).length;
		const perMinute = total - header;
		expect(full.recorder.data.actions.at(-1)!.at).toBeLessThanOrEqual(60_000 + 5000);
		expect(perMinute).toBeLessThan(2048);
		// the file, scenario included, for this small scenario
		expect(total).toBeLessThan(2048 + header);
		// checkpoints: the start, every 10 actions (the end is the 60th)
		expect(full.recorder.data.checkpoints.map((c) => c.actions)).toEqual([0, 10, 20, 30, 40, 50, 60]);
		expect(perMinute / 60).toBeLessThan(30); // bytes per action, checkpoints included
	});

	it('a jump far away adds a checkpoint before the tenth action', () => {
		const loaded = loadInline(`config max_ticks=5000
program init
loop:
  add r0 1
  if r0 < 2000 goto loop
  exit 0
end
`);
		const dir = tempDir();
		const rec = record(
			loaded,
			[
				{a: 'step', n: 1},
				{a: 'goto', tick: 3000},
				{a: 'step', n: 1},
				{a: 'goto', tick: 10},
			],
			join(dir, 'j.json'),
		);
		expect(rec.recorder.data.checkpoints.map((c) => [c.actions, c.tick])).toEqual([
			[0, 0],
			[2, 3000],
			[4, 10],
		]);
		expect(CHECKPOINT_ACTIONS).toBe(10);
	});
});

describe('--record refuses to overwrite without --force', () => {
	it('an existing file is refused at creation, naming it and --force, and left as it was', () => {
		const dir = tempDir();
		const file = join(dir, 'keep.json');
		writeFileSync(file, 'precious');
		const message = usageError(() => createRecorder({file, force: false, loaded: loadInline(), breakpoints: []}));
		expect(message).toContain(file);
		expect(message).toContain('--force');
		expect(readFileSync(file, 'utf8')).toBe('precious');
	});

	it('with force it is overwritten by the session', () => {
		const dir = tempDir();
		const file = join(dir, 'old.json');
		writeFileSync(file, 'old');
		record(loadInline(), [{a: 'step', n: 1}], file, {force: true});
		expect(loadSession(file).actions).toHaveLength(1);
		expect(readdirSync(dir)).toEqual(['old.json']); // no temporary file left behind
	});

	it('the file exists from the start, so a second recorder to it is refused', () => {
		const dir = tempDir();
		const file = join(dir, 'new.json');
		const rec = createRecorder({file, force: false, loaded: loadInline(), breakpoints: [], saveEveryMs: 0});
		expect(loadSession(file).actions).toEqual([]);
		expect(usageError(() => createRecorder({file, force: false, loaded: loadInline(), breakpoints: []}))).toContain('exists');
		rec.close(new Debugger(loadInline().scenario));
	});

	it('a directory, or a path in a missing directory, is refused with the reason', () => {
		const dir = tempDir();
		mkdirSync(join(dir, 'd'));
		expect(usageError(() => createRecorder({file: join(dir, 'd'), force: true, loaded: loadInline(), breakpoints: []}))).toContain('is a directory');
		expect(usageError(() => createRecorder({file: join(dir, 'no', 'x.json'), force: false, loaded: loadInline(), breakpoints: []}))).toContain(
			'cannot write it: no such directory',
		);
	});
});

describe('saving while recording', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	it('saves every few seconds without close, atomically, so a crash loses little', () => {
		vi.useFakeTimers();
		const dir = tempDir();
		const file = join(dir, 'live.json');
		const loaded = loadInline();
		const dbg = new Debugger(loaded.scenario, loaded.config, loaded.breakpoints);
		let clock = 0;
		const rec = createRecorder({file, force: false, loaded, breakpoints: loaded.breakpoints, now: () => clock, saveEveryMs: 5000});
		for (let i = 0; i < 3; i++) {
			clock += 1000;
			dbg.step();
			rec.record({a: 'step', n: 1}, dbg);
		}
		expect(loadSession(file).actions).toHaveLength(0);
		vi.advanceTimersByTime(5000);
		const saved = loadSession(file);
		expect(saved.actions).toHaveLength(3);
		expect(verifySession(saved).ok).toBe(true);
		expect(readdirSync(dir)).toEqual(['live.json']);
		rec.close(dbg);
		expect(loadSession(file).checkpoints.at(-1)).toMatchObject({actions: 3, tick: 3});
		expect(vi.getTimerCount()).toBe(0);
	});
});

describe('bad session files are refused with a clear UsageError', () => {
	const write = (text: string): string => {
		const file = join(tempDir(), 'bad.json');
		writeFileSync(file, text);
		return file;
	};

	it.each([
		['not JSON', 'hello, world', 'is not a cowdbg session (not JSON'],
		['empty', '', 'is not a cowdbg session (the file is empty)'],
		['a list', '[1, 2]', 'is not a cowdbg session (a JSON list, not an object)'],
		['JSON without a format field', '{"name": "cowdbg", "version": "0.1.0"}', 'is not a cowdbg session (it has no "format" field)'],
		['another format', '{"format": "asciinema", "version": 2}', 'is not a cowdbg session (its format is "asciinema", not "cowdbg-session")'],
		[
			'a newer version',
			'{"format": "cowdbg-session", "version": 3}',
			'was written by session format version 3; this cowdbg reads version 1 (it comes from a newer cowdbg',
		],
		[
			'an older version',
			'{"format": "cowdbg-session", "version": 0}',
			'was written by session format version 0; this cowdbg reads version 1 (it comes from an older cowdbg)',
		],
		['a version that is not a number', '{"format": "cowdbg-session", "version": "1"}', 'is damaged: "version" is "1", not a whole number'],
	])('%s', (_, text, words) => {
		const file = write(text);
		const message = usageError(() => loadSession(file));
		expect(message).toContain(`cowdbg: '${file}' `);
		expect(message).toContain(words);
	});

	it('a file cut short anywhere after its header is truncated', () => {
		const {text} = recorded();
		for (const cut of [60, 200, Math.floor(text.length / 2), text.length - 40, text.length - 3]) {
			expect(usageError(() => decodeSession(text.slice(0, cut), 's.json'))).toContain("cowdbg: 's.json' is truncated");
		}
		// only the final newline missing is still a whole session
		expect(() => decodeSession(text.slice(0, -1), 's.json')).not.toThrow();
	});

	it.each<[string, (o: Record<string, any>) => void, string]>([
		['an unknown action', (o) => (o.actions[4] = [100, 'q']), 'is damaged: actions[4] [100,"q"]: unknown action code "q"'],
		['a negative time', (o) => (o.actions[0] = [-5, 's']), 'actions[0] [-5,"s"]: the time -5 is not a whole number of milliseconds'],
		['a step of 0 ticks', (o) => (o.actions[1] = [5, 's', 0]), 'actions[1] [5,"s",0]: \'s\' (step) needs a tick count ≥ 1, got 0'],
		['an extra argument', (o) => (o.actions[2] = [5, 'R', 1]), "'R' (reverse-continue) takes no argument, got 1"],
		['a goto without a tick', (o) => (o.actions[2] = [5, 'g']), "'g' (goto) needs an argument"],
		['a breakpoint spec that is not a string', (o) => (o.actions[2] = [5, 'b', 3]), "'b' (break-add) needs a breakpoint spec string, got 3"],
		['an action that is not a list', (o) => (o.actions[3] = {a: 'step'}), 'actions[3] {"a":"step"}: not a list'],
		['actions not a list', (o) => (o.actions = 'sss'), '"actions" is "sss", not a list'],
		['a negative checkpoint tick', (o) => (o.checkpoints[1][1] = -4), 'is damaged: checkpoints[1]'],
		['a checkpoint hash of the wrong shape', (o) => (o.checkpoints[0][2] = 'xyz'), 'the hash "xyz" is not 16 hex digits'],
		['a checkpoint past the last action', (o) => (o.checkpoints[1][0] = 999), 'the action count 999 is not a whole number from 0 to'],
		['checkpoints out of order', (o) => o.checkpoints.reverse(), 'checkpoints are out of order'],
		['no scenario', (o) => delete o.scenario, '"scenario" is nothing, not an object'],
		['a scenario without its source', (o) => delete o.scenario.source, '"scenario.source" is nothing'],
		['a bad sha256', (o) => (o.scenario.sha256 = 'abc'), '"scenario.sha256" is "abc", not 64 hex digits'],
		[
			'a tampered source',
			(o) => (o.scenario.source = o.scenario.source.replace('write heap[0] 3', 'write heap[0] 4')),
			'the embedded scenario does not match its sha256',
		],
		['overrides not strings', (o) => (o.overrides = [1]), 'overrides[0] is 1, not a string'],
		['a bad breakpoint', (o) => (o.breakpoints = ['cwo']), "breakpoints[0] \"cwo\": unknown breakpoint kind 'cwo' (did you mean 'cow'?)"],
	])('damaged: %s', (_, edit, words) => {
		const {text} = recorded();
		const message = usageError(() => parseSession(edited(text, edit), 'd.json'));
		expect(message).toContain("cowdbg: 'd.json' ");
		expect(message).toContain(words);
	});

	it('an embedded scenario that does not load is reported with its own diagnostics', () => {
		const {text} = recorded();
		const source = forkCow.replace('wait', 'wiat');
		const message = usageError(() =>
			parseSession(
				edited(text, (o) => {
					o.scenario.source = source;
					o.scenario.sha256 = sha256(source);
				}),
				'd.json',
			),
		);
		expect(message).toContain("cowdbg: 'd.json': its embedded scenario does not load:");
		expect(message).toMatch(/inline\/fork-cow\.scn:10:3: error: unknown instruction 'wiat'/);
	});

	it('a bad override in the session is reported as the scenario does not load', () => {
		const {text} = recorded();
		expect(
			usageError(() =>
				parseSession(
					edited(text, (o) => (o.overrides = ['frames=3'])),
					'd.json',
				),
			),
		).toContain("its embedded scenario does not load:\ncowdbg: --set 'frames=3'");
	});

	it('a missing file or a directory', () => {
		const dir = tempDir();
		expect(usageError(() => loadSession(join(dir, 'none.json')))).toContain('cannot read session');
		expect(usageError(() => loadSession(dir))).toContain('is a directory, not a session file');
	});

	it('unknown extra fields are ignored (a later 1.x may add some)', () => {
		const {text} = recorded();
		expect(() =>
			parseSession(
				edited(text, (o) => (o.comment = 'hello')),
				'd.json',
			),
		).not.toThrow();
	});

	it('the example session in test/fixtures loads and replays to the state it recorded', () => {
		const s = loadSession('test/fixtures/sessions/fork-cow.session.json');
		expect(s.scenario.file).toBe('scenarios/fork-cow.scn');
		expect(s.actions.length).toBeGreaterThan(10);
		const r = verifySession(s);
		if (!r.ok) throw new Error(r.message);
		expect(r.ticks).toBeGreaterThan(0);
	});
});

describe('verifySession reports where the replay differs', () => {
	it('a tampered checkpoint hash: that tick, bounded by the last earlier tick that matched', () => {
		const {text} = recorded();
		const good = parseSession(text, 's.json');
		const cp = good.checkpoints[2]!;
		const tampered = parseSession(
			edited(text, (o) => {
				const h = o.checkpoints[2][2] as string;
				o.checkpoints[2][2] = (h[0] === '0' ? '1' : '0') + h.slice(1);
			}),
			's.json',
		);
		const r = verifySession(tampered);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r).toMatchObject({firstBadTick: cp.tick, actual: cp.hash, actionIndex: cp.actions, reason: 'state'});
		expect(r.expected).not.toBe(cp.hash);
		const earlier = good.checkpoints.filter((c) => c.tick < cp.tick).map((c) => c.tick);
		expect(r.lastGoodTick).toBe(earlier.length === 0 ? null : Math.max(...earlier));
		expect(r.message).toContain(`the state at tick ${cp.tick} differs from the recording`);
		expect(r.checks.filter((c) => !c.ok)).toHaveLength(1);
	});

	it('a kernel that behaves differently: the first differing tick lies between the reported bounds', () => {
		// Record on one scenario, then replay the same actions on a variant whose
		// child writes another value: the states differ from that write on (and
		// for good from its failed expect: a difference in memory alone would go
		// when the frames are freed, between two checkpoints).
		const dir = tempDir();
		const file = join(dir, 's.json');
		const actions: DebugAction[] = Array.from({length: 30}, () => ({a: 'step', n: 1}) as DebugAction);
		record(loadInline(forkCow, [], 'v.scn'), actions, file);
		const variant = forkCow.replace('write heap[0] 2', 'write heap[0] 5');
		const text = edited(readFileSync(file, 'utf8'), (o) => {
			o.scenario.source = variant;
			o.scenario.sha256 = sha256(variant);
		});
		const r = verifySession(parseSession(text, 's.json'));
		expect(r.ok).toBe(false);
		if (r.ok) return;
		// the true first tick, from two straight runs
		const a = boot(loadInline(forkCow).scenario);
		const b = boot(loadInline(variant).scenario);
		let first = 0;
		while (stateHash(a) === stateHash(b)) {
			stepTick(a);
			stepTick(b);
			first = a.tick;
		}
		expect(r.lastGoodTick).not.toBeNull();
		expect(r.lastGoodTick!).toBeLessThan(first);
		expect(r.firstBadTick).toBeGreaterThanOrEqual(first);
		expect(r.message).toMatch(
			/tick \d+ matched, so the first difference is somewhere in ticks \d+…\d+ \(the session holds no hashes in between\)|is the first that differs/,
		);
	});

	it('a run that ends before a recorded tick', () => {
		const {text} = recorded();
		const r = verifySession(
			parseSession(
				edited(text, (o) => (o.checkpoints.at(-1)[1] = 5000)),
				's.json',
			),
		);
		expect(r).toMatchObject({ok: false, firstBadTick: 5000, actual: null, reason: 'state'});
		if (!r.ok) expect(r.message).toContain('the replayed run ends before tick 5000');
	});

	it('the cursor stopping elsewhere, every state matching, is a divergence of position', () => {
		const dir = tempDir();
		const file = join(dir, 's.json');
		record(loadInline(), [{a: 'continue'}], file); // stops at the first cow fault
		const text = edited(readFileSync(file, 'utf8'), (o) => (o.breakpoints = ['exit']));
		const session = parseSession(text, 's.json');
		const r = verifySession(session);
		expect(r).toMatchObject({ok: false, reason: 'position', actionIndex: 1});
		if (!r.ok) expect(r.message).toMatch(/after action 1 the replay is at tick \d+, the recording was at tick \d+/);
	});
});
