#!/usr/bin/env node
// The command line (SPEC §3): it parses flags and dispatches; the work is in
// source/cli/, source/debugger/ and source/tui/.

import meow from 'meow';
import {checkCommand} from './cli/check.js';
import {UsageError} from './cli/load.js';
import {Output, exitOnBrokenPipe} from './cli/output.js';
import {replayCommand} from './cli/replay.js';
import {runCommand} from './cli/run.js';

const help = `
  A debugger for a simulated Linux kernel: fork, copy-on-write, vfork, exec, exit, no-MMU.

  Usage
    $ cowdbg [SCENARIO] [--break SPEC]… [--record FILE] [--set KEY=VALUE]…
        opens the TUI (default scenario: scenarios/fork-cow.scn)
    $ cowdbg run SCENARIO [--break SPEC]… [--json] [--state FILE|-] [--set KEY=VALUE]…
        runs headless to the end or the first breakpoint hit, printing the log
    $ cowdbg check SCENARIO…
        runs each scenario and reports its expects
    $ cowdbg replay SESSION [--speed X] [--headless]
        plays a recorded session back (--headless only verifies it)

  Options
    --break, -b SPEC     stop when SPEC hits: cow, fault[:kind=K], segv, syscall[:name=N],
                         fork, vfork, exec, exit, completion, signal, expect-fail,
                         tick=N, frame=PFN, watch=ADDR; keys pid=, region=, addr=
    --set KEY=VALUE      override a config key (mmu, frames, quantum, child_runs_first,
                         overcommit, commit_limit, max_ticks)
    --json               run: events as JSON Lines
    --state FILE|-       run: write the state dump at the stop to FILE (- for stdout)
    --record FILE        TUI: record the session to FILE (--force to overwrite)
    --speed X            replay: playback speed factor (default 1)
    --headless           replay: verify the session without a terminal
    --help, --version

  Exit status: 0 ok, 1 an expect failed (or a replay diverged), 2 bad input or usage.

  Examples
    $ cowdbg scenarios/vfork-completion.scn --break completion
    $ cowdbg run scenarios/fork-cow.scn --break cow --state -
    $ cowdbg check scenarios/*.scn
`;

// `--state -` means stdout; the flag parser would take a lone `-` for an argument.
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length - 1; i++) {
	if (argv[i] === '--state' && argv[i + 1] === '-') argv.splice(i, 2, '--state=-');
}

const cli = meow(help, {
	importMeta: import.meta,
	argv,
	allowUnknownFlags: false,
	flags: {
		break: {type: 'string', shortFlag: 'b', isMultiple: true},
		set: {type: 'string', isMultiple: true},
		json: {type: 'boolean', default: false},
		state: {type: 'string'},
		record: {type: 'string'},
		force: {type: 'boolean', default: false},
		speed: {type: 'string'},
		headless: {type: 'boolean', default: false},
	},
});

const output = new Output(process.stdout);
const out = (text: string): void => {
	output.write(text);
};
const err = (text: string): void => {
	process.stderr.write(text);
};

function usage(message: string): never {
	throw new UsageError(`cowdbg: ${message}\nRun 'cowdbg --help' for the usage.`);
}

async function main(): Promise<number> {
	const [command, ...rest] = cli.input;
	const flags = cli.flags;
	const breaks = flags.break ?? [];
	const overrides = flags.set ?? [];
	switch (command) {
		case 'run': {
			if (rest.length !== 1) usage(rest.length === 0 ? 'run needs a SCENARIO file' : `run takes one SCENARIO, got ${rest.length}`);
			return runCommand(rest[0]!, {breaks, overrides, json: flags.json, state: flags.state}, output);
		}
		case 'check': {
			if (rest.length === 0) usage('check needs at least one SCENARIO file');
			return checkCommand(rest, overrides, output, err);
		}
		case 'replay':
			return replayCommand(rest, {speed: flags.speed === undefined ? 1 : flags.speed.trim() === '' ? Number.NaN : Number(flags.speed), headless: flags.headless, breaks, overrides, record: flags.record}, out);
		default: {
			if (cli.input.length > 1) usage(`unknown command '${command}'; commands: run, check, replay, or a SCENARIO for the TUI`);
			const file = command ?? 'scenarios/fork-cow.scn';
			if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
				throw new UsageError(`cowdbg: the TUI needs a terminal; for a headless run use: cowdbg run ${file}`);
			}
			const {startTui} = await import('./tui/main.js');
			return startTui({file, breaks, overrides, record: flags.record, force: flags.force});
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
