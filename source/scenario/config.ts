// The keys of a `config` line and of `--set` on the command line
// (docs/scenario-language.md), one table: for each key, what it takes (as docs
// and help show it) and the parse that checks a value and converts it to the
// kernel's Config (kernel/program.ts).

import type {Config, ConfigKey} from '../kernel/program.js';
import {show, suggestion} from './diagnostics.js';
import {parseNumber, TOO_LARGE} from './operands.js';

type Checked<V> = {ok: true; value: V} | {ok: false; message: string};

type ConfigKeySpec<K extends ConfigKey> = {
	/** The values it takes, as the docs list them: `on|off`, `16…16777216`, `>= 0`. */
	usage: string;
	parse(key: K, value: string): Checked<Config[K]>;
};

/** One of a few words, converted (a yes/no to a boolean). */
function choice<K extends ConfigKey>(options: readonly string[], convert: (word: string) => Config[K]): ConfigKeySpec<K> {
	return {
		usage: options.join('|'),
		parse(key, value) {
			if (options.includes(value)) return {ok: true, value: convert(value)};
			return {ok: false, message: `${key} must be ${options.join(' or ')}, not '${show(value)}'${suggestion(value, options)}`};
		},
	};
}

/** A word of a union type, as written. */
function word<K extends ConfigKey>(options: readonly Config[K][]): ConfigKeySpec<K> {
	return choice<K>(options as readonly string[], (w) => w as Config[K]);
}

/** An integer from `min` to `max` (no upper bound: Number.MAX_SAFE_INTEGER); `unit` follows the range in messages. */
function integer<K extends ConfigKey>(min: number, max: number, unit = ''): ConfigKeySpec<K> {
	const unbounded = max === Number.MAX_SAFE_INTEGER;
	const range = (unbounded ? `an integer >= ${min}` : `an integer from ${min} to ${max}`) + unit;
	return {
		usage: unbounded ? `>= ${min}` : `${min}…${max}`,
		parse(key, value) {
			const r = parseNumber(value);
			if (!r.ok) {
				if (r.message === TOO_LARGE) return {ok: false, message: `${key}: ${TOO_LARGE}`};
				return {ok: false, message: `${key} must be ${range}, not '${show(value)}'`};
			}
			if (r.value < min || r.value > max) return {ok: false, message: `${key} must be ${range}, not ${value}`};
			return {ok: true, value: r.value as Config[K]};
		},
	};
}

/** Every key, in the order suggestions consider them. */
export const configTable: {readonly [K in ConfigKey]: ConfigKeySpec<K>} = {
	mmu: word(['on', 'off']),
	frames: integer(16, 16_777_216),
	quantum: integer(1, 1_000_000, ' (ticks)'),
	child_runs_first: choice(['yes', 'no'], (w) => w === 'yes'),
	overcommit: word(['heuristic', 'always', 'never']),
	commit_limit: integer(0, Number.MAX_SAFE_INTEGER, ' (pages)'),
	max_ticks: integer(1, 1_000_000_000),
	end: word(['exited', 'panic', 'max-ticks', 'any']),
	kernel: word(['2.6.32', '6.18']),
};

export const configKeys = Object.keys(configTable) as ConfigKey[];

export type ConfigAssignment = {ok: true; key: ConfigKey; value: Config[ConfigKey]} | {ok: false; message: string};

/** One `KEY=VALUE` of a `config` line or of `--set` on the command line. */
export function parseConfigAssignment(key: string, value: string): ConfigAssignment {
	if (!Object.hasOwn(configTable, key)) return {ok: false, message: `unknown config key '${show(key)}'${suggestion(key, configKeys)}`};
	const k = key as ConfigKey;
	const spec: ConfigKeySpec<ConfigKey> = configTable[k];
	const r = spec.parse(k, value);
	return r.ok ? {ok: true, key: k, value: r.value} : r;
}

/** Stores a value returned by parseConfigAssignment. */
export function setConfigValue(config: Config, key: ConfigKey, value: Config[ConfigKey]): void {
	(config as Record<ConfigKey, Config[ConfigKey]>)[key] = value;
}
