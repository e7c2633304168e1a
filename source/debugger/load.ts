// Loading a scenario for any command: read the file, parse it, apply --set
// overrides and check every breakpoint spec, all before anything runs. Bad
// input becomes a UsageError with the message to print (exit status 2).

import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Config} from '../kernel/program.js';
import type {Diagnostic, Scenario} from '../scenario/ast.js';
import {formatDiagnostics} from '../scenario/diagnostics.js';
import {parseConfigAssignment, parseScenario, setConfigValue} from '../scenario/parser.js';
import {parseBreakpoint} from './breakpoints.js';

export class UsageError extends Error {}

export type Loaded = {
	scenario: Scenario;
	/** The scenario's config with the overrides applied. */
	config: Config;
	/** Breakpoints from the file's `break` lines, then from --break. */
	breakpoints: string[];
	overrides: string[];
};

export function readText(file: string, what = 'scenario', asGiven = file): string {
	let stat;
	try {
		stat = statSync(file);
	} catch (error) {
		const hint = what === 'scenario' && bundledName.test(asGiven) ? ` (and no bundled scenario has that name: cowdbg list)` : '';
		throw new UsageError(`cowdbg: cannot read ${what} '${asGiven}': ${reason(error)}${hint}`);
	}
	if (stat.isDirectory()) throw new UsageError(`cowdbg: '${file}' is a directory, not a ${what} file`);
	if (stat.size > 16 * 1024 * 1024) throw new UsageError(`cowdbg: '${file}' is too large for a ${what} (${stat.size} bytes; the limit is 16 MiB)`);
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		throw new UsageError(`cowdbg: cannot read ${what} '${file}': ${reason(error)}`);
	}
}

function reason(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'no such file';
	if (code === 'EACCES') return 'permission denied';
	return error instanceof Error ? error.message : String(error);
}

/** Parse a scenario's text and apply overrides and extra breakpoints. */
export function loadSource(source: string, file: string, overrides: readonly string[], breaks: readonly string[]): Loaded {
	const parsed = parseScenario(source, file);
	if (!parsed.ok) throw new UsageError(formatDiagnostics(parsed.errors));
	const scenario = parsed.scenario;
	const lines = source.split(/\r\n|\r|\n/);
	const errors: Diagnostic[] = [];
	for (const b of scenario.breaks) {
		const r = parseBreakpoint(b.spec);
		if (!r.ok) {
			errors.push({file, line: b.pos.line, col: b.pos.col + r.col - 1, message: r.message, sourceLine: lines[b.pos.line - 1] ?? ''});
		}
	}
	if (errors.length > 0) throw new UsageError(formatDiagnostics(errors));
	const config = {...scenario.config};
	for (const o of overrides) {
		const eq = o.indexOf('=');
		if (eq <= 0) throw new UsageError(`cowdbg: --set '${o}': expected KEY=VALUE, e.g. --set frames=128`);
		const r = parseConfigAssignment(o.slice(0, eq), o.slice(eq + 1));
		if (!r.ok) throw new UsageError(`cowdbg: --set '${o}': ${r.message}`);
		setConfigValue(config, r.key, r.value);
	}
	for (const spec of breaks) {
		const r = parseBreakpoint(spec);
		if (!r.ok) throw new UsageError(`cowdbg: --break '${spec}': ${r.message}`);
	}
	return {scenario, config, breakpoints: [...scenario.breaks.map((b) => b.spec), ...breaks], overrides: [...overrides]};
}

/**
 * The scenarios shipped with cowdbg, found from the package's own directory
 * (dist/debugger/ or source/debugger/ → ../../scenarios), never from the working directory.
 */
export const bundledDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The scenario the TUI opens when none is named. */
export const defaultScenario = 'fork-cow';

const bundledName = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.scn)?$/;

/**
 * SCENARIO as the user wrote it: a path when one exists there, else the name of
 * a bundled scenario (`fork-cow` or `fork-cow.scn`). Anything else is returned
 * as given, so reading it reports the path the user typed.
 */
export function resolveScenario(arg: string): string {
	if (existsSync(arg) || !bundledName.test(arg)) return arg;
	const bundled = join(bundledDir, arg.endsWith('.scn') ? arg : `${arg}.scn`);
	return existsSync(bundled) ? bundled : arg;
}

export type BundledScenario = {name: string; title: string | null; file: string};

/** The bundled scenarios in name order, each with its `scenario "…"` title. */
export function bundledScenarios(): BundledScenario[] {
	const names = readdirSync(bundledDir)
		.filter((f) => f.endsWith('.scn'))
		.map((f) => f.slice(0, -'.scn'.length))
		.sort();
	return names.map((name) => {
		const file = join(bundledDir, `${name}.scn`);
		const parsed = parseScenario(readText(file), file);
		return {name, title: parsed.ok ? parsed.scenario.title : null, file};
	});
}

export function loadScenario(file: string, overrides: readonly string[] = [], breaks: readonly string[] = []): Loaded {
	const path = resolveScenario(file);
	return loadSource(readText(path, 'scenario', file), path, overrides, breaks);
}

