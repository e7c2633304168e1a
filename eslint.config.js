// ESLint 9 flat config: typescript-eslint's recommended rules (type checking
// itself is tsc's: npm run typecheck), and the layers
// of docs/architecture.md as import boundaries (no-restricted-imports per
// directory). test/architecture/imports.test.ts checks the same layers and
// the absence of cycles on the whole import graph.

import tseslint from 'typescript-eslint';

/** An import of a module under one of `dirs` (relative, from any depth). */
const into = (dirs) => dirs.map((dir) => ({group: [`**/${dir}/*`, `**/${dir}/**`], message: `this layer does not import from ${dir}/ (docs/architecture.md)`}));

const layer = (files, forbidden) => ({
	files,
	rules: {'no-restricted-imports': ['error', {patterns: into(forbidden)}]},
});

export default tseslint.config(
	{ignores: ['dist/', 'node_modules/', 'coverage/', 'test/failures/']},
	...tseslint.configs.recommended,
	{
		languageOptions: {ecmaVersion: 2022, sourceType: 'module'},
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
		},
	},
	// Tests build damaged and hostile data on purpose.
	{files: ['test/**'], rules: {'@typescript-eslint/no-explicit-any': 'off'}},
	// scenario → kernel → debugger → tui/cli: each layer imports only from the ones before it.
	layer(['source/kernel/**'], ['scenario', 'debugger', 'tui', 'cli', 'export', 'bench']),
	layer(['source/scenario/**'], ['debugger', 'tui', 'cli', 'export', 'bench']),
	layer(['source/debugger/**'], ['tui', 'cli', 'export', 'bench']),
	layer(['source/tui/**'], ['kernel', 'cli', 'bench']),
	layer(['source/export/**'], ['tui', 'cli', 'bench']),
	layer(['source/cli/**'], ['bench']),
);
