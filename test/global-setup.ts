// Builds dist/ once before the suite, so the CLI and end-to-end tests run the
// real binary exactly as `npm start` and the bin entry do.

import {execFileSync} from 'node:child_process';
import {chmodSync} from 'node:fs';
import {createRequire} from 'node:module';

export default function setup(): void {
	const require = createRequire(import.meta.url);
	const tsc = require.resolve('typescript/bin/tsc');
	execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {stdio: 'inherit'});
	chmodSync('dist/cli.js', 0o755);
}
