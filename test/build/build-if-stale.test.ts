// `npm start` builds only when a source changed (scripts/build-if-stale.mjs):
// checked on a tiny project of its own, so the repository's dist/ is left alone.

import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

describe('scripts/build-if-stale.mjs', () => {
	it('builds a missing dist, skips the compiler when nothing changed, rebuilds after a change', () => {
		const root = mkdtempSync(join(tmpdir(), 'cowdbg-stale-'));
		mkdirSync(join(root, 'scripts'));
		mkdirSync(join(root, 'source'));
		copyFileSync('scripts/build-if-stale.mjs', join(root, 'scripts', 'build-if-stale.mjs'));
		symlinkSync(join(process.cwd(), 'node_modules'), join(root, 'node_modules'));
		writeFileSync(join(root, 'package-lock.json'), '{}\n');
		writeFileSync(
			join(root, 'tsconfig.json'),
			JSON.stringify({
				compilerOptions: {target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: []},
				include: ['source'],
			}),
		);
		writeFileSync(
			join(root, 'tsconfig.build.json'),
			JSON.stringify({
				extends: './tsconfig.json',
				compilerOptions: {rootDir: 'source', outDir: 'dist', incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo'},
				include: ['source'],
			}),
		);
		writeFileSync(join(root, 'source', 'cli.ts'), 'export const version: number = 1;\n');
		const build = (): number | null => spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.mjs')], {stdio: 'inherit'}).status;

		expect(build()).toBe(0);
		const out = join(root, 'dist', 'cli.js');
		expect(readFileSync(out, 'utf8')).toContain('version = 1');
		expect(statSync(out).mode & 0o111).not.toBe(0);

		// nothing changed: no compiler run, nothing written
		const past = new Date(Date.now() - 60_000);
		utimesSync(out, past, past);
		expect(build()).toBe(0);
		expect(Math.abs(statSync(out).mtimeMs - past.getTime())).toBeLessThan(1);

		// a source newer than the build: rebuilt
		writeFileSync(join(root, 'source', 'cli.ts'), 'export const version: number = 2;\n');
		const future = new Date(Date.now() + 5_000);
		utimesSync(join(root, 'source', 'cli.ts'), future, future);
		expect(build()).toBe(0);
		expect(readFileSync(out, 'utf8')).toContain('version = 2');
	}, 120_000);
});
