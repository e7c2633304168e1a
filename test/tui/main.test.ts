import {describe, expect, it, vi} from 'vitest';
import {startTui} from '../../source/tui/main.js';

describe('startTui without a terminal', () => {
	it('says the TUI needs one, suggests run, and returns 2', async () => {
		const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
		const wasTTY = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
		Object.defineProperty(process.stdin, 'isTTY', {value: undefined, configurable: true});
		try {
			const status = await startTui({file: 'scenarios/fork-cow.scn', breaks: [], overrides: []});
			expect(status).toBe(2);
			expect(err).toHaveBeenCalledWith('cowdbg: the TUI needs a terminal; for a headless run use: cowdbg run scenarios/fork-cow.scn\n');
		} finally {
			if (wasTTY === undefined) delete (process.stdin as {isTTY?: boolean}).isTTY;
			else Object.defineProperty(process.stdin, 'isTTY', wasTTY);
			err.mockRestore();
		}
	});
});
