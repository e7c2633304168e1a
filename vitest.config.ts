import {defineConfig} from 'vitest/config';

// *.long.test.ts files run only under npm run test:long (COWDBG_LONG=1), so
// npm test reports no skipped tests.
const long = process.env['COWDBG_LONG'] === '1';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
		exclude: long ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/**/*.long.test.ts'],
		globalSetup: ['test/global-setup.ts'],
		testTimeout: 30_000,
		hookTimeout: 120_000,
		pool: 'forks',
	},
});
