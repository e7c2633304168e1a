// Positioned error messages (docs/scenario-language.md): `FILE:LINE:COL: error: MESSAGE`, the
// offending line, and a caret under the column.

import stringWidth from 'string-width';
import {visible} from './visible.js';
import type {Diagnostic} from './ast.js';

/**
 * Control characters other than the tab would garble the terminal (or move its
 * cursor), bidirectional controls would reorder it; they are shown as `?`, one
 * for one, so the caret still lines up.
 */
function printable(line: string): string {
	return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** A long line is quoted as a window this wide around the column. */
const LINE_WINDOW = 160;
/** Errors listed at most; the rest are counted. */
export const MAX_LISTED = 100;

export function formatDiagnostic(d: Diagnostic): string {
	let line = printable(d.sourceLine);
	let upTo = Math.max(0, d.col - 1);
	if (line.length > LINE_WINDOW) {
		const from = Math.max(0, Math.min(upTo - LINE_WINDOW / 2, line.length - LINE_WINDOW));
		const head = from > 0 ? '…' : '';
		const tail = from + LINE_WINDOW < line.length ? '…' : '';
		line = head + line.slice(from, from + LINE_WINDOW) + tail;
		upTo = upTo - from + head.length;
	}
	// The caret goes under the column in terminal cells (a CJK character or an
	// emoji takes two); tabs are kept, so the terminal expands both alike.
	const pad = line
		.slice(0, upTo)
		.split('\t')
		.map((piece) => ' '.repeat(stringWidth(piece)))
		.join('\t');
	return `${visible(d.file)}:${d.line}:${d.col}: error: ${visible(d.message)}\n${line}\n${pad}^`;
}

export function formatDiagnostics(ds: Diagnostic[]): string {
	const summary = `${ds.length} error${ds.length === 1 ? '' : 's'}`;
	const listed = ds.slice(0, MAX_LISTED).map(formatDiagnostic);
	if (ds.length > MAX_LISTED) listed.push(`… and ${ds.length - MAX_LISTED} more`);
	return [...listed, summary].join('\n');
}

/** Levenshtein distance (insertions, deletions and substitutions cost 1). */
export function levenshtein(a: string, b: string): number {
	if (a === b) return 0;
	if (a.length === 0) return b.length;
	if (b.length === 0) return a.length;
	let previous = new Array<number>(b.length + 1);
	let current = new Array<number>(b.length + 1);
	for (let j = 0; j <= b.length; j++) previous[j] = j;
	for (let i = 1; i <= a.length; i++) {
		current[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
		}
		[previous, current] = [current, previous];
	}
	return previous[b.length]!;
}

/**
 * The candidate closest to `word` (ignoring case; exact case breaks ties, then
 * the order of the candidates), or null when even the closest one is further
 * than max(2, word.length / 3) edits away.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
	if (word.length === 0 || word.length > 64) return null;
	const limit = Math.max(2, word.length / 3);
	const lower = word.toLowerCase();
	let best: string | null = null;
	let bestDistance = Infinity;
	let bestExact = Infinity;
	for (const candidate of candidates) {
		if (Math.abs(candidate.length - word.length) > limit) continue;
		const distance = levenshtein(lower, candidate.toLowerCase());
		if (distance > limit) continue;
		const exact = levenshtein(word, candidate);
		if (distance < bestDistance || (distance === bestDistance && exact < bestExact)) {
			best = candidate;
			bestDistance = distance;
			bestExact = exact;
		}
	}
	return best;
}

/** ` (did you mean 'X'?)`, or nothing when no candidate is close. */
export function suggestion(word: string, candidates: readonly string[]): string {
	const best = closest(word, candidates);
	return best === null ? '' : ` (did you mean '${best}'?)`;
}

/** A word as quoted in a message: control characters made visible, long words cut. */
export function show(text: string): string {
	const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
	return clean.length > 40 ? `${clean.slice(0, 37)}…` : clean;
}

/** An error of the line being parsed, thrown by fail() and caught by the parser's line loop. */
export class LineError {
	constructor(
		readonly col: number,
		readonly message: string,
	) {}
}

export function fail(col: number, message: string): never {
	throw new LineError(col, message);
}
