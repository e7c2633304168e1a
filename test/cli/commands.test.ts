// The command line's grammar: every flag checked against its command, from the tables.

import {describe, expect, it} from 'vitest';
import {COMMANDS, FLAGS, helpText, parseCommandLine, type CommandName, type FlagName} from '../../source/cli/commands.js';
import {configKeys, configTable} from '../../source/scenario/config.js';
import {UsageError} from '../../source/debugger/load.js';

function refused(argv: string[]): string {
	try {
		parseCommandLine(argv);
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}
	throw new Error(`accepted: ${argv.join(' ')}`);
}

const commands = Object.keys(COMMANDS) as CommandName[];
const flags = Object.keys(FLAGS) as FlagName[];

/** argv for COMMAND with enough arguments to be valid. */
function base(command: CommandName): string[] {
	const args = Array.from({length: COMMANDS[command].args.min}, () => 'x.scn');
	return command === 'tui' ? args : [command, ...args];
}

function withFlag(name: FlagName): string[] {
	return FLAGS[name].type === 'boolean' ? [`--${name}`] : [`--${name}`, 'v'];
}

describe('parseCommandLine', () => {
	it('takes the first word as the command and the rest as its arguments, flags anywhere', () => {
		expect(parseCommandLine(['run', 'a.scn', '--json', '-b', 'cow', '--break=fork'])).toEqual({
			command: 'run',
			args: ['a.scn'],
			flags: {json: true, break: ['cow', 'fork']},
		});
		expect(parseCommandLine(['--set', 'frames=64', 'check', 'a', 'b'])).toEqual({command: 'check', args: ['a', 'b'], flags: {set: ['frames=64']}});
		expect(parseCommandLine([])).toEqual({command: 'tui', args: [], flags: {}});
		expect(parseCommandLine(['a.scn', '--record', 's.json'])).toEqual({command: 'tui', args: ['a.scn'], flags: {record: 's.json'}});
		expect(parseCommandLine(['run', 'a', '--state', '-'])).toMatchObject({flags: {state: '-'}});
		expect(parseCommandLine(['run', '--', '--odd.scn'])).toMatchObject({command: 'run', args: ['--odd.scn']});
	});

	it('accepts every flag with each command it names, and refuses it with every other, naming it', () => {
		for (const name of flags) {
			for (const command of commands) {
				const argv = [...base(command), ...withFlag(name)];
				if ((FLAGS[name].commands as readonly string[]).includes(command)) {
					expect(() => parseCommandLine(argv), argv.join(' ')).not.toThrow();
				} else {
					const message = refused(argv);
					expect(message).toMatch(new RegExp(`^cowdbg: --${name} does not apply to `));
					expect(message).toMatch(/it is for /);
				}
			}
		}
	});

	it('refuses a string flag without its value, naming it, wherever it stands', () => {
		for (const name of flags.filter((n) => FLAGS[n].type === 'string')) {
			const command = FLAGS[name].commands[0]!;
			expect(refused([...base(command), `--${name}`])).toMatch(new RegExp(`^cowdbg: --${name} needs a value`));
			expect(refused([...base(command), `--${name}`, '--help'])).toMatch(new RegExp(`--${name} needs a value`));
			expect(refused([...base(command), `--${name}=`])).toMatch(new RegExp(`--${name} needs a value`));
		}
		expect(refused(['run', 'x', '-b'])).toMatch(/-b needs a value: -b SPEC/);
	});

	it('refuses the issue’s examples: a flag of another command is not silently ignored', () => {
		expect(refused(['run', 'x', '--break'])).toMatch(/--break needs a value/);
		expect(refused(['run', 'x', '--record', 'f'])).toMatch(/--record does not apply to cowdbg run; it is for the TUI/);
		expect(refused(['run', '--speed', '2'])).toMatch(/--speed does not apply to cowdbg run; it is for cowdbg replay/);
		expect(refused(['run', '--headless'])).toMatch(/--headless does not apply to cowdbg run/);
		expect(refused(['check', 'x', '--break', 'cow', '--json'])).toMatch(/--break does not apply to cowdbg check/);
		expect(refused(['run', 'x', '--json=yes'])).toMatch(/--json takes no value \(got 'yes'\)/);
		expect(refused(['run', 'x', '--state', 'a', '--state', 'b'])).toMatch(/--state is given twice/);
	});

	it('names an unknown flag, with the closest one', () => {
		expect(refused(['run', 'x', '--brake', 'cow'])).toMatch(/unknown flag --brake \(did you mean --break\?\)/);
		expect(refused(['-z'])).toMatch(/unknown flag -z/);
	});

	it('takes -h and -v as --help and --version, and help as a command, not a scenario', () => {
		expect(parseCommandLine(['-h']).flags).toEqual({help: true});
		expect(parseCommandLine(['-v']).flags).toEqual({version: true});
		expect(parseCommandLine(['run', '-h'])).toEqual({command: 'run', args: [], flags: {help: true}});
		expect(parseCommandLine(['help'])).toEqual({command: 'help', args: [], flags: {}});
		expect(parseCommandLine(['help', 'run'])).toEqual({command: 'help', args: ['run'], flags: {}});
		expect(refused(['help', 'nope'])).toMatch(/no command 'nope'/);
	});

	it('checks the number of arguments of each command', () => {
		expect(refused(['run'])).toMatch(/run needs a SCENARIO/);
		expect(refused(['run', 'a', 'b'])).toMatch(/run takes one SCENARIO, got 2/);
		expect(refused(['check'])).toMatch(/check needs a SCENARIO/);
		expect(refused(['replay'])).toMatch(/replay needs a SESSION/);
		expect(refused(['list', 'x'])).toMatch(/list takes no arguments/);
		expect(refused(['a.scn', 'b.scn'])).toMatch(/unknown command 'a.scn'/);
	});
});

describe('helpText', () => {
	it('lists each command once, and for a command exactly its flags', () => {
		const all = helpText();
		for (const c of commands.filter((c) => c !== 'tui')) expect(all).toContain(`$ cowdbg ${c}`);
		expect(all.match(/A debugger for a simulated Linux kernel/g)).toHaveLength(1);
		for (const command of commands.filter((c) => c !== 'help')) {
			const text = helpText(command);
			for (const name of flags) {
				const listed = new RegExp(`^ {4}--${name}\\b`, 'm').test(text);
				expect(listed, `${command} --${name}`).toBe((FLAGS[name].commands as readonly string[]).includes(command));
			}
		}
	});

	it('lists every config key --set takes, with its values', () => {
		const text = helpText('run');
		for (const key of configKeys) expect(text).toMatch(new RegExp(`^ {4}${key} +${configTable[key].usage.replace(/[|.+]/g, '\\$&')}$`, 'm'));
		expect(text).toMatch(/^ {4}kernel +2\.6\.32\|6\.18$/m);
	});
});
