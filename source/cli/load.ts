// Loading a scenario for any command: read the file, parse it, apply --set
// overrides and check every breakpoint spec, all before anything runs. Bad
// input becomes a UsageError with the message to print (exit status 2).

import {readFileSync, statSync} from 'node:fs';
import type {Config, Diagnostic, Scenario} from '../scenario/ast.js';
import {formatDiagnostic, formatDiagnostics} from '../scenario/diagnostics.js';
import {parseConfigAssignment, parseScenario, setConfigValue} from '../scenario/parser.js';
import {parseBreakpoint} from '../debugger/breakpoints.js';

export class UsageError extends Error {}

export type Loaded = {
	scenario: Scenario;
	/** The scenario's config with the overrides applied. */
	config: Config;
	/** Breakpoints from the file's `break` lines, then from --break. */
	breakpoints: string[];
	overrides: string[];
};

export function readText(file: string, what = 'scenario'): string {
	let stat;
	try {
		stat = statSync(file);
	} catch (error) {
		throw new UsageError(`cowdbg: cannot read ${what} '${file}': ${reason(error)}`);
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

export function loadScenario(file: string, overrides: readonly string[] = [], breaks: readonly string[] = []): Loaded {
	return loadSource(readText(file), file, overrides, breaks);
}

export {formatDiagnostic};
