// Loading a scenario for any command: read the file, parse it, apply --set
// overrides and check every breakpoint spec, all before anything runs. Bad
// input becomes a UsageError with the message to print (exit status 2).

import {closeSync, existsSync, fstatSync, openSync, readdirSync, readSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {Config} from '../kernel/program.js';
import type {Diagnostic, Scenario} from '../scenario/ast.js';
import {formatDiagnostics} from '../scenario/diagnostics.js';
import {parseConfigAssignment, setConfigValue} from '../scenario/config.js';
import {parseScenario} from '../scenario/parser.js';
import {MAX_SPEC_LENGTH, parseBreakpoint} from './breakpoints.js';
import {visible} from '../scenario/visible.js';

export class UsageError extends Error {}

/** A file name in a message, its control characters made visible. */
export const showName = visible;

export type Loaded = {
	scenario: Scenario;
	/** The scenario's config with the overrides applied. */
	config: Config;
	/** Breakpoints from the file's `break` lines, then from --break. */
	breakpoints: string[];
	overrides: string[];
};

/** The largest scenario file read (docs/scenario-language.md). */
export const MAX_SCENARIO_BYTES = 16 * 1024 * 1024;

/**
 * Read a file as UTF-8, at most `limit` bytes whatever it is: the size `stat`
 * gives is not trusted (a device says 0 and never ends; a file may grow while
 * it is read), so the read stops one byte past the limit and refuses. A FIFO
 * or a terminal blocks until its writer closes it, as `cat` does. A leading
 * UTF-8 byte order mark is dropped.
 */
export function readText(file: string, what = 'scenario', asGiven = file, limit = MAX_SCENARIO_BYTES): string {
	const cannot = (error: unknown): UsageError => new UsageError(`cowdbg: cannot read ${what} '${showName(file)}': ${reason(error)}`);
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch (error) {
		const hint = what === 'scenario' && bundledName.test(asGiven) ? ` (and no bundled scenario has that name: cowdbg list)` : '';
		throw new UsageError(`cowdbg: cannot read ${what} '${showName(asGiven)}': ${reason(error)}${hint}`);
	}
	try {
		const stat = fstatSync(fd);
		if (stat.isDirectory()) throw new UsageError(`cowdbg: '${showName(file)}' is a directory, not a ${what} file`);
		const tooLarge = (): UsageError =>
			new UsageError(
				`cowdbg: '${showName(file)}' is too large for a ${what} (more than ${limit} bytes${stat.isFile() ? '' : ', and it is not a regular file'}; the limit is ${mib(limit)})`,
			);
		if (stat.isFile() && stat.size > limit) throw tooLarge();
		const chunks: Buffer[] = [];
		let total = 0;
		for (;;) {
			const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
			let n: number;
			try {
				n = readSync(fd, chunk, 0, chunk.length, null);
			} catch (error) {
				throw cannot(error);
			}
			if (n === 0) break;
			chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
			total += n;
			if (total > limit) throw tooLarge();
		}
		const text = Buffer.concat(chunks, total).toString('utf8');
		return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	} finally {
		closeSync(fd);
	}
}

function mib(bytes: number): string {
	return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

function reason(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'no such file';
	if (code === 'EACCES') return 'permission denied';
	return error instanceof Error ? error.message : String(error);
}

/** Parse a scenario's text and apply overrides and extra breakpoints. */
export function loadSource(source: string, file: string, overrides: readonly string[], breaks: readonly string[]): Loaded {
	if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
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
		// A session holds each override (at most 1,000 characters, like a breakpoint spec).
		if (o.length > MAX_SPEC_LENGTH) throw new UsageError(`cowdbg: --set '${visible(o.slice(0, 40))}…': too long (at most ${MAX_SPEC_LENGTH} characters)`);
		const eq = o.indexOf('=');
		if (eq <= 0) throw new UsageError(`cowdbg: --set '${visible(o)}': expected KEY=VALUE, e.g. --set frames=128`);
		const r = parseConfigAssignment(o.slice(0, eq), o.slice(eq + 1));
		if (!r.ok) throw new UsageError(`cowdbg: --set '${visible(o)}': ${visible(r.message)}`);
		setConfigValue(config, r.key, r.value);
	}
	for (const spec of breaks) {
		const r = parseBreakpoint(spec);
		if (!r.ok) throw new UsageError(`cowdbg: --break '${visible(spec)}': ${visible(r.message)}`);
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

/**
 * A run that ended in a kernel panic fails (exit 1) unless the scenario says
 * it must end so (`config end=panic`, or `end=any`): `run` never exits 0
 * after a panic nobody asked for (`check` holds every end to config end=).
 */
export function unexpectedPanic(config: Config, ended: string | null): boolean {
	return ended === 'panic' && config.end !== 'panic' && config.end !== 'any';
}

export function loadScenario(file: string, overrides: readonly string[] = [], breaks: readonly string[] = []): Loaded {
	const path = resolveScenario(file);
	return loadSource(readText(path, 'scenario', file), path, overrides, breaks);
}
