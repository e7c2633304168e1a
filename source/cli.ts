#!/usr/bin/env node
// The command line (docs/cli.md): it parses flags and dispatches; the work is in
// source/cli/, source/debugger/ and source/tui/.

import meow from 'meow';
import {checkCommand} from './cli/check.js';
import {compareCommand} from './cli/compare.js';
import {helpText, parseCommandLine, type CommandName} from './cli/commands.js';
import {UsageError, bundledScenarios, defaultScenario, loadScenario, showName as visible} from './debugger/load.js';
import {Output, exitOnBrokenPipe} from './cli/output.js';
import {replayCommand} from './cli/replay.js';
import {runCommand} from './cli/run.js';

const output = new Output(process.stdout);
const out = (text: string): void => {
	output.write(text);
};
const err = (text: string): void => {
	process.stderr.write(text);
};

/** meow prints the help (of one command) and the version; cli/commands.ts checks the flags. */
function meowFor(command: CommandName | undefined) {
	return meow(helpText(command), {importMeta: import.meta, argv: [], description: false, autoHelp: false, autoVersion: false});
}

async function main(): Promise<number> {
	const {command, args, flags} = parseCommandLine(process.argv.slice(2));
	if (flags.version === true) {
		meowFor(undefined).showVersion();
		return 0;
	}
	if (flags.help === true || command === 'help') {
		const topic = command === 'help' ? (args[0] as CommandName | undefined) : command === 'tui' ? undefined : command;
		out(meowFor(topic).help);
		return 0;
	}
	const breaks = flags.break ?? [];
	const kernels = flags.kernel ?? [];
	if (command === 'compare') return compareCommand(args[0]!, kernels, flags.set ?? [], flags.json === true, output);
	if (kernels.length > 1) throw new UsageError('cowdbg: --kernel: give one era (2.6.32 or 6.18); only compare takes two');
	// --kernel ERA is --set kernel=ERA (checked there like any config value)
	const overrides = [...(flags.set ?? []), ...kernels.map((k) => `kernel=${k}`)];
	switch (command) {
		case 'run': {
			// `--state -`: stdout is the dump alone (clean JSON), the log goes to stderr.
			const log = flags.state === '-' ? new Output(process.stderr) : undefined;
			try {
				return await runCommand(
					args[0]!,
					{
						breaks,
						overrides,
						json: flags.json === true,
						state: flags.state,
						trace: flags.trace,
						svg: flags.svg,
						ksteps: flags.ksteps === true,
						ftrace: flags.ftrace === true,
						log,
					},
					output,
				);
			} finally {
				await log?.end();
			}
		}
		case 'check':
			return checkCommand(args, overrides, output, err);
		case 'replay':
			return replayCommand(
				args,
				{
					speed: flags.speed === undefined ? 1 : flags.speed.trim() === '' ? Number.NaN : Number(flags.speed),
					headless: flags.headless === true,
					breaks,
					overrides,
					record: undefined,
					asciicast: flags.asciicast,
					size: flags.size,
				},
				out,
			);
		case 'list': {
			const all = bundledScenarios();
			const width = Math.max(...all.map((s) => s.name.length));
			out(all.map((s) => `${s.name.padEnd(width)}  ${visible(s.title ?? '')}`.trimEnd()).join('\n') + '\n');
			return 0;
		}
		case 'tui': {
			const file = args[0] ?? defaultScenario;
			// Refuse a missing or malformed scenario first, then a missing terminal.
			const loaded = loadScenario(file, overrides, breaks);
			if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
				throw new UsageError(`cowdbg: the TUI needs a terminal; for a headless run use: cowdbg run ${visible(file)}`);
			}
			const {startTui} = await import('./tui/main.js');
			return startTui({file, breaks, overrides, record: flags.record, force: flags.force === true, loaded});
		}
	}
}

main().then(
	async (status) => {
		await output.end();
		// A reader that went away (`cowdbg run X | head -1`): end as a Unix tool does.
		if (output.error !== null) {
			err(`cowdbg: cannot write the output: ${output.error.message}\n`);
			process.exitCode = 74; // EX_IOERR
		} else if (output.closed) exitOnBrokenPipe();
		else process.exitCode = status;
	},
	async (error: unknown) => {
		await output.end();
		if (error instanceof UsageError) {
			err(error.message + '\n');
			process.exitCode = 2;
			return;
		}
		err(`cowdbg: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exitCode = 70;
	},
);
