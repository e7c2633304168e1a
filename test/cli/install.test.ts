// The package as a user gets it: `npm pack`, a global install into a temporary
// prefix, and the installed binary run from another directory. dist/ is built
// by the global setup, so the pack runs no scripts. The install is offline when
// npm's cache already holds the dependencies' metadata (after one run it does);
// otherwise it prefers the cache and asks the registry only for what is missing.

import {spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'cowdbg-install-'));
const prefix = join(work, 'prefix');
const elsewhere = mkdtempSync(join(tmpdir(), 'cowdbg-user-'));
const bin = join(prefix, 'bin', 'cowdbg');

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
	return spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {cwd, encoding: 'utf8', timeout: 240_000});
}

let files: string[] = [];

beforeAll(() => {
	const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
	expect(pack.status, pack.stderr).toBe(0);
	const [info] = JSON.parse(pack.stdout) as [{filename: string; files: {path: string}[]}];
	files = info.files.map((f) => f.path);
	const tarball = join(work, info.filename);
	let install = npm(['install', '--global', '--prefix', prefix, '--offline', tarball], elsewhere);
	if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
		install = npm(['install', '--global', '--prefix', prefix, '--prefer-offline', tarball], elsewhere);
	}
	expect(install.status, install.stderr).toBe(0);
}, 300_000);

afterAll(() => {
	rmSync(work, {recursive: true, force: true});
	rmSync(elsewhere, {recursive: true, force: true});
});

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(bin, args, {cwd: elsewhere, encoding: 'utf8', input: ''});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

describe('npm pack + npm install --global', () => {
	it('ships the binary and the scenarios, not the benchmarks or the tests', () => {
		expect(files).toContain('dist/cli.js');
		expect(files).toContain('scenarios/fork-cow.scn');
		expect(files.filter((f) => f.startsWith('dist/bench/') || f.startsWith('test/') || f.startsWith('source/'))).toEqual([]);
		expect(existsSync(join(prefix, 'lib', 'node_modules', 'cowdbg', 'dist', 'bench'))).toBe(false);
	});

	it('opens the default scenario and others by name from another directory', () => {
		expect(readdirSync(elsewhere)).toEqual([]);
		const run = cowdbg('run', 'fork-cow', '--break', 'cow');
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		expect(run.stdout).toMatch(/fault cow-copy/);
		expect(run.stdout).toMatch(/breakpoint hit: cow/);
		// The TUI form: it found its default scenario, and says there is no terminal.
		const tui = cowdbg();
		expect(tui.status).toBe(2);
		expect(tui.stderr).toBe('cowdbg: the TUI needs a terminal; for a headless run use: cowdbg run fork-cow\n');
		expect(cowdbg('list').stdout).toMatch(/^vfork-completion +\S/m);
		expect(cowdbg('check', 'vfork-completion').status).toBe(0);
	});
});
