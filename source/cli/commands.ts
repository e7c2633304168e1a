// The command line's grammar (docs/cli.md): one table of flags, one of commands.
// A flag names the commands it applies to; a command names its arguments. The
// help of each command and of the whole program is generated from the tables,
// and `parseCommandLine` checks every flag against the command it is given to.
//
// meow (cli.ts) still prints the help and the version, but it does not do the
// checking: it has no subcommands, so it can only accept or refuse a flag for
// every command at once, and it cannot tell an absent flag from one given
// without its value (`--break` at the end of the line parses as no breakpoint,
// `--state` as an empty string, a boolean is false either way). The scan below
// walks argv once with the tables and says exactly what is wrong.

import {UsageError} from '../debugger/load.js';
import {configKeys, configTable} from '../scenario/config.js';

export type CommandName = 'tui' | 'run' | 'check' | 'replay' | 'compare' | 'list' | 'help';

type FlagSpec = {
	readonly type: 'string' | 'boolean';
	/** May be given more than once (values collected in order). */
	readonly multiple?: boolean;
	readonly short?: string;
	/** The value's placeholder in the help (string flags). */
	readonly value?: string;
	readonly commands: readonly CommandName[];
	readonly help: string;
};

/** Every flag: adding one is a line here (and reading it where its command runs). */
export const FLAGS = {
	break: {type: 'string', multiple: true, short: 'b', value: 'SPEC', commands: ['tui', 'run'], help: 'stop when SPEC hits (see below)'},
	set: {type: 'string', multiple: true, value: 'KEY=VALUE', commands: ['tui', 'run', 'check', 'compare'], help: 'override a config key'},
	kernel: {
		type: 'string',
		multiple: true,
		value: '2.6.32|6.18',
		commands: ['tui', 'run', 'check', 'replay', 'compare'],
		help: 'the kernel era (the same as --set kernel=…; compare takes two)',
	},
	record: {type: 'string', value: 'FILE', commands: ['tui'], help: 'record the session to FILE'},
	force: {type: 'boolean', commands: ['tui'], help: 'let --record overwrite an existing FILE'},
	json: {type: 'boolean', commands: ['run', 'compare'], help: 'print the events as JSON Lines (compare: one JSON object)'},
	state: {type: 'string', value: 'FILE|-', commands: ['run'], help: 'write the state dump at the stop to FILE (- for stdout)'},
	trace: {type: 'string', value: 'FILE', commands: ['run'], help: 'write the run as a Chrome trace-event file (Perfetto, chrome://tracing)'},
	svg: {type: 'string', value: 'FILE', commands: ['run'], help: 'write a picture of memory at the stop to FILE (SVG)'},
	ksteps: {type: 'boolean', commands: ['run'], help: 'add the kernel steps of each tick to the log (kstep events)'},
	ftrace: {type: 'boolean', commands: ['run'], help: "print the kernel steps as ftrace's function_graph tracer does"},
	speed: {type: 'string', value: 'X', commands: ['replay'], help: 'playback speed factor (default 1)'},
	asciicast: {type: 'string', value: 'FILE', commands: ['replay'], help: 'record the replay as an asciicast v2 file (asciinema play FILE)'},
	size: {type: 'string', value: 'WxH', commands: ['replay'], help: 'the --asciicast terminal size (default 120x40)'},
	headless: {type: 'boolean', commands: ['replay'], help: 'only verify the session, without a terminal'},
	help: {type: 'boolean', short: 'h', commands: ['tui', 'run', 'check', 'replay', 'compare', 'list', 'help'], help: 'print this help'},
	version: {type: 'boolean', short: 'v', commands: ['tui', 'run', 'check', 'replay', 'compare', 'list', 'help'], help: 'print the version'},
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean' ? boolean : F extends {multiple: true} ? string[] : string;

/** The flags given on the line: absent ones are undefined, multiple ones arrays. */
export type Flags = {-readonly [K in FlagName]?: FlagValue<(typeof FLAGS)[K]>};

type CommandSpec = {
	/** The usage line after `cowdbg`. */
	readonly usage: string;
	readonly summary: string;
	/** What the positional arguments are called, and how many there may be. */
	readonly args: {readonly name: string; readonly min: number; readonly max: number};
};

/** Every command: adding one is an entry here and a case in cli.ts. */
export const COMMANDS = {
	tui: {usage: '[SCENARIO]', summary: 'open the TUI (default scenario: fork-cow)', args: {name: 'SCENARIO', min: 0, max: 1}},
	run: {usage: 'run SCENARIO', summary: 'run headless to the end or the first breakpoint hit, printing the log', args: {name: 'SCENARIO', min: 1, max: 1}},
	check: {usage: 'check SCENARIO…', summary: 'run each scenario and report its expects and how it ended', args: {name: 'SCENARIO', min: 1, max: Infinity}},
	replay: {usage: 'replay SESSION', summary: 'play a recorded session back (--headless only verifies it)', args: {name: 'SESSION', min: 1, max: 1}},
	compare: {
		usage: 'compare SCENARIO',
		summary: 'the same run under two kernel eras, side by side from where they part, and what differs',
		args: {name: 'SCENARIO', min: 1, max: 1},
	},
	list: {usage: 'list', summary: 'list the bundled scenarios, by name and title', args: {name: '', min: 0, max: 0}},
	help: {usage: 'help [COMMAND]', summary: 'print the help of cowdbg or of one command', args: {name: 'COMMAND', min: 0, max: 1}},
} as const satisfies Record<CommandName, CommandSpec>;

const SUBCOMMANDS = (Object.keys(COMMANDS) as CommandName[]).filter((c) => c !== 'tui');

export function isCommandName(word: string): word is Exclude<CommandName, 'tui'> {
	return (SUBCOMMANDS as string[]).includes(word);
}

export type CommandLine = {command: CommandName; args: string[]; flags: Flags};

function usage(message: string, command?: CommandName): never {
	const more = command === undefined || command === 'tui' ? "'cowdbg --help'" : `'cowdbg help ${command}'`;
	throw new UsageError(`cowdbg: ${message}\nRun ${more} for the usage.`);
}

const byShort = new Map<string, FlagName>();
for (const [name, spec] of Object.entries(FLAGS) as [FlagName, FlagSpec][]) if (spec.short !== undefined) byShort.set(spec.short, name);

function lookup(token: string): {name: FlagName; inline: string | undefined; shown: string} | {unknown: string} {
	if (token.startsWith('--')) {
		const eq = token.indexOf('=');
		const raw = eq < 0 ? token.slice(2) : token.slice(2, eq);
		const inline = eq < 0 ? undefined : token.slice(eq + 1);
		if (Object.hasOwn(FLAGS, raw)) return {name: raw as FlagName, inline, shown: `--${raw}`};
		return {unknown: `--${raw}`};
	}
	const short = token.slice(1, 2);
	const name = byShort.get(short);
	if (name === undefined) return {unknown: token.length > 2 ? token : `-${short}`};
	const rest = token.slice(2);
	return {name, inline: rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest, shown: `-${short}`};
}

function closest(word: string): string | null {
	let best: string | null = null;
	let bestDistance = 3;
	for (const name of Object.keys(FLAGS)) {
		const d = distance(word, name);
		if (d < bestDistance) {
			bestDistance = d;
			best = name;
		}
	}
	return best;
}

function distance(a: string, b: string): number {
	const row = Array.from({length: b.length + 1}, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		let previous = row[0]!;
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const saved = row[j]!;
			row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
			previous = saved;
		}
	}
	return row[b.length]!;
}

function describeCommand(c: CommandName): string {
	return c === 'tui' ? 'the TUI (cowdbg SCENARIO)' : `cowdbg ${c}`;
}

/** A token that is a flag (a lone `-` is a value, stdout for --state; so is a negative number). */
function isFlag(token: string): boolean {
	return token.length > 1 && token.startsWith('-') && !/^-\d/.test(token);
}

/**
 * Scan argv against the tables: the command is the first word that is not a
 * flag or a flag's value. Throws a UsageError naming the flag for one that does
 * not apply to the command, lacks its value, is given a value it does not take,
 * or is repeated when it may not be.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
	type Given = {name: FlagName; shown: string; value: string | undefined};
	const given: Given[] = [];
	const words: string[] = [];
	// The first problem, reported once the command is known (its help is named).
	let problem: string | null = null;
	const refuse = (message: string): void => {
		problem ??= message;
	};
	for (let i = 0; i < argv.length; i++) {
		const token = argv[i]!;
		if (token === '--') {
			words.push(...argv.slice(i + 1));
			break;
		}
		if (!isFlag(token)) {
			words.push(token);
			continue;
		}
		const found = lookup(token);
		if ('unknown' in found) {
			const bare = found.unknown.replace(/^-+/, '');
			const guess = found.unknown.startsWith('--') ? closest(bare) : null;
			refuse(`unknown flag ${found.unknown}${guess === null ? '' : ` (did you mean --${guess}?)`}`);
			continue;
		}
		const spec: FlagSpec = FLAGS[found.name];
		if (spec.type === 'boolean') {
			if (found.inline !== undefined) refuse(`${found.shown} takes no value (got '${found.inline}')`);
			given.push({name: found.name, shown: found.shown, value: undefined});
			continue;
		}
		let value = found.inline;
		if (value === undefined) {
			const next = argv[i + 1];
			if (next !== undefined && !isFlag(next)) {
				value = next;
				i++;
			}
		}
		if (value === undefined || value === '') {
			refuse(`${found.shown} needs a value: ${found.shown} ${spec.value ?? 'VALUE'}`);
			continue;
		}
		given.push({name: found.name, shown: found.shown, value});
	}

	const first = words[0];
	const command: CommandName = first !== undefined && isCommandName(first) ? first : 'tui';
	const args = command === 'tui' ? words : words.slice(1);
	if (problem !== null) usage(problem, command);
	const flags: Flags = {};
	const loose = flags as Record<string, boolean | string | string[] | undefined>;
	const help = given.some((g) => g.name === 'help' || g.name === 'version');
	for (const g of given) {
		const spec: FlagSpec = FLAGS[g.name];
		if (!(spec.commands as readonly string[]).includes(command)) {
			const names = spec.commands.map(describeCommand);
			const where = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
			usage(`${g.shown} does not apply to ${describeCommand(command)}; it is for ${where}`, command);
		}
		if (spec.type === 'boolean') loose[g.name] = true;
		else if (spec.multiple === true) ((loose[g.name] ??= []) as string[]).push(g.value!);
		else if (loose[g.name] !== undefined) usage(`${g.shown} is given twice ('${String(loose[g.name])}' and '${g.value}'); it takes one`, command);
		else loose[g.name] = g.value;
	}
	if (!help) {
		const spec: CommandSpec = COMMANDS[command];
		const {name, min, max} = spec.args;
		if (command === 'tui' && args.length > 1) {
			usage(`unknown command '${args[0]}'; commands: ${SUBCOMMANDS.join(', ')}, or a SCENARIO for the TUI`);
		}
		if (args.length < min) {
			const what = name === 'SCENARIO' ? 'a SCENARIO (a file, or the name of a bundled scenario: cowdbg list)' : `a ${name}`;
			usage(`${command} needs ${what}`, command);
		}
		if (args.length > max)
			usage(max === 0 ? `${command} takes no arguments, got '${args[0]}'` : `${command} takes one ${name}, got ${args.length}`, command);
		if (command === 'help' && args[0] !== undefined && !isCommandName(args[0])) usage(`no command '${args[0]}'; commands: ${SUBCOMMANDS.join(', ')}`);
	}
	return {command, args, flags};
}

function flagLine(name: FlagName, width: number): string {
	const spec: FlagSpec = FLAGS[name];
	const head = `--${name}${spec.short === undefined ? '' : `, -${spec.short}`}${spec.value === undefined ? '' : ` ${spec.value}`}${spec.multiple === true ? '…' : ''}`;
	return `    ${head.padEnd(width)}  ${spec.help}`;
}

const BREAK_SPECS = `  Breakpoint SPEC
    cow, fault[:kind=K], segv, syscall[:name=N], fork, vfork, exec, exit,
    completion, signal, expect-fail, tick=N, frame=PFN, watch=ADDR,
    func=NAME (the entry of a kernel function, e.g. func=copy_one_pte);
    keys on all: pid=, region=, addr= (e.g. --break 'fault:kind=cow-copy,pid=2')`;

const SET_KEYS = ['  --set KEY=VALUE (docs/scenario-language.md)', ...configKeys.map((key) => `    ${key.padEnd(16)}  ${configTable[key].usage}`)].join('\n');

function flagsOf(command: CommandName): FlagName[] {
	return (Object.keys(FLAGS) as FlagName[]).filter((n) => (FLAGS[n].commands as readonly string[]).includes(command));
}

function usageLine(command: CommandName): string {
	const flags = flagsOf(command)
		.filter((n) => n !== 'help' && n !== 'version')
		.map((n) => {
			const spec: FlagSpec = FLAGS[n];
			return `[--${n}${spec.value === undefined ? '' : ` ${spec.value}`}]${spec.multiple === true ? '…' : ''}`;
		});
	return ['cowdbg', COMMANDS[command].usage, ...flags].join(' ');
}

/** The help of one command, or of the whole program (command undefined). */
export function helpText(command?: CommandName): string {
	const exit = '  Exit status: 0 ok, 1 an expect failed (or a replay diverged), 2 bad input or usage.';
	if (command !== undefined && command !== 'help') {
		const spec: CommandSpec = COMMANDS[command];
		const names = flagsOf(command);
		const width = Math.max(...names.map((n) => flagLine(n, 0).trim().length - FLAGS[n].help.length - 2));
		const parts = [
			`  Usage\n    $ ${usageLine(command)}\n\n  ${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
			`  Options\n${names.map((n) => flagLine(n, width)).join('\n')}`,
		];
		if ((names as string[]).includes('break')) parts.push(BREAK_SPECS);
		if ((names as string[]).includes('set')) parts.push(SET_KEYS);
		parts.push(exit);
		return parts.join('\n\n');
	}
	const commands = (Object.keys(COMMANDS) as CommandName[]).map((c) => `    $ ${usageLine(c)}\n        ${COMMANDS[c].summary}`);
	return [
		'  A debugger for a simulated Linux kernel: fork, copy-on-write, vfork, exec, exit, no-MMU.',
		`  Usage\n${commands.join('\n')}`,
		`  SCENARIO is a file, or the name of a bundled scenario (cowdbg list).\n  cowdbg help COMMAND (or cowdbg COMMAND --help) shows a command's options.`,
		BREAK_SPECS,
		exit,
		`  Examples\n    $ cowdbg vfork-completion --break completion\n    $ cowdbg run fork-cow --break cow --state -\n    $ cowdbg check scenarios/*.scn`,
	].join('\n\n');
}
