// Entry of the interactive form. Until the Ink TUI lands, it runs the
// scenario headless, as `cowdbg run` would.

import {UsageError} from '../cli/load.js';
import {runCommand} from '../cli/run.js';

export type TuiOptions = {file: string; breaks: string[]; overrides: string[]; record: string | undefined; force: boolean};

export async function startTui(options: TuiOptions): Promise<number> {
	if (options.record !== undefined) throw new UsageError('cowdbg: --record needs the TUI, which is not built yet');
	return runCommand(options.file, {breaks: options.breaks, overrides: options.overrides, json: false, state: undefined}, (t) => {
		process.stdout.write(t);
	});
}
