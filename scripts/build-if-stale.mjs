#!/usr/bin/env node
// `npm start` builds only when a source changed: a look at modification times
// (a few milliseconds) instead of starting the compiler, then an incremental
// `tsc -b` (it rebuilds only what changed) when something is newer than the
// last build.

import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, readdirSync, statSync, utimesSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.tsbuildinfo');

/** The newest modification time under a directory (no symlinks followed). */
function newest(dir) {
	let max = 0;
	const stack = [dir];
	while (stack.length > 0) {
		const d = stack.pop();
		for (const entry of readdirSync(d, {withFileTypes: true})) {
			const path = join(d, entry.name);
			if (entry.isDirectory()) stack.push(path);
			else if (entry.isFile()) max = Math.max(max, statSync(path).mtimeMs);
		}
	}
	return max;
}

function stale() {
	if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli.js'))) return true;
	const built = statSync(stamp).mtimeMs;
	const inputs = Math.max(
		newest(join(root, 'source')),
		...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => statSync(join(root, f)).mtimeMs),
	);
	return inputs > built;
}

if (stale()) {
	const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
	execFileSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], {stdio: 'inherit', cwd: root});
	chmodSync(join(root, 'dist', 'cli.js'), 0o755);
	// tsc leaves the stamp alone when no output changed (a touched file): mark the check done.
	const now = new Date();
	utimesSync(stamp, now, now);
}
