import {describe, expect, it} from 'vitest';
import {barKeys, keyTable, resolveKey, type BarContext, type Mode} from '../../source/tui/keys.js';
import {panes} from '../../source/tui/panes.js';

const modes: Mode[] = ['normal', 'running', 'prompt', 'help', 'breakpoints', 'replay', 'compare', 'registers'];

describe('the key table', () => {
	it('gives each key at most one command per mode (the first match wins, so no shadowed entries)', () => {
		for (const mode of modes) {
			const seen = new Map<string, string>();
			for (const def of keyTable) {
				if (!def.modes.includes(mode)) continue;
				for (const k of def.keys) {
					if (k.anyKey === true || k.anyText === true) continue;
					const id = `${k.ch ?? ''}|${k.name ?? ''}|${k.ctrl === true}|${k.shift === true}`;
					const digitsShareOneHandler = ['count', 'focus', 'restart'];
					if (seen.has(id) && !(digitsShareOneHandler.includes(seen.get(id)!) && digitsShareOneHandler.includes(def.cmd))) {
						throw new Error(`${mode}: ${id} is bound to ${seen.get(id)} and ${def.cmd}`);
					}
					seen.set(id, def.cmd);
				}
			}
		}
	});

	it('resolves the gdb, htop and lazygit habits', () => {
		const cmd = (mode: Mode, input: string, extra = {}) => resolveKey(mode, {input, ...extra})?.cmd;
		expect(cmd('normal', 's')).toBe('step');
		expect(cmd('normal', 'c')).toBe('continue');
		expect(cmd('normal', 'r')).toBe('reverse-step');
		expect(cmd('normal', 'R')).toBe('reverse-continue');
		expect(cmd('normal', 'g')).toBe('goto');
		expect(cmd('normal', '/')).toBe('filter');
		expect(cmd('normal', '?')).toBe('help');
		expect(cmd('normal', 'q')).toBe('quit');
		expect(cmd('prompt', 'q')).toBe('type');
		expect(cmd('prompt', 'c', {ctrl: true})).toBe('quit');
		expect(cmd('running', ' ')).toBe('pause');
		expect(cmd('running', 's')).toBeUndefined();
		expect(cmd('replay', 'x')).toBe('take-over');
		expect(cmd('normal', '', {name: 'tab', shift: true})).toBe('focus-prev');
	});

	it('the key bar never shows more than five keys, in any mode, focus or situation', () => {
		for (const mode of modes) {
			for (const focus of panes) {
				for (let bits = 0; bits < 64; bits++) {
					const c: BarContext = {
						mode,
						focus,
						ended: (bits & 1) !== 0,
						atStart: (bits & 2) !== 0,
						atHit: (bits & 4) !== 0,
						hasBreakpoints: (bits & 8) !== 0,
						countPending: (bits & 16) !== 0,
						filtered: (bits & 32) !== 0,
						nommu: (bits & 1) !== 0,
					};
					const bar = barKeys(c);
					expect(bar.length).toBeGreaterThan(0);
					expect(bar.length).toBeLessThanOrEqual(5);
				}
			}
		}
	});

	it('shows step and continue first when paused, back and restart when the run has ended', () => {
		const base: BarContext = {
			mode: 'normal',
			focus: 'processes',
			ended: false,
			atStart: true,
			atHit: false,
			hasBreakpoints: false,
			countPending: false,
			filtered: false,
			nommu: false,
		};
		expect(
			barKeys(base)
				.map((k) => k.label)
				.slice(0, 2),
		).toEqual(['s', 'c']);
		const ended = barKeys({...base, ended: true, atStart: false}).map((k) => k.label);
		expect(ended).toContain('r');
		expect(ended).toContain('0');
		expect(ended).not.toContain('s');
		expect(barKeys({...base, mode: 'running'}).map((k) => k.word)).toEqual(['pause', 'quit']);
	});
});
