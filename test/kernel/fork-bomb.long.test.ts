// npm run test:long only (vitest.config.ts takes *.long.test.ts files when
// COWDBG_LONG=1): the fork bomb of fork-bomb.test.ts at frames=1048576.

import {describe, expect, it} from 'vitest';
import {runBomb} from '../helpers/fork-bomb.js';

describe('a big fork bomb', () => {
	it('2.6.32, frames=1048576: 65,536 tasks, then -EAGAIN; ends exited with every frame back', () => {
		const t = runBomb('frames=1048576 max_ticks=100000000', 0);
		expect(t.peak).toBe(65_536);
		expect(t.eagain).toBeGreaterThan(0);
		expect(t.enomem).toBe(0);
		expect(t.end).toMatchObject({reason: 'exited', frames_free: 1_048_574});
	}, 600_000);
});
