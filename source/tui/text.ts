// Lines as coloured segments, cut to a width before they are painted, so no
// line is ever wider than the terminal and the terminal never wraps one.

import stringWidth from 'string-width';
import {visible} from '../scenario/visible.js';

export type Seg = {
	text: string;
	color?: string;
	bg?: string;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
	underline?: boolean;
};

export type Line = Seg[];

export type Style = Omit<Seg, 'text'>;

/** A segment; control characters in `text` (from a file, say) are shown escaped, never sent to the terminal. */
export function seg(text: string, style: Style = {}): Seg {
	return {text: visible(text), ...style};
}

const PLAIN = /^[\x20-\x7E]*$/;
const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/** Terminal cells `text` takes: wide CJK characters and most emoji take two. */
export function cells(text: string): number {
	return PLAIN.test(text) ? text.length : stringWidth(text);
}

/**
 * The longest head of `text` that fits in `width` cells, with `…` as its last
 * cell when anything was cut. A wide character that would straddle the edge is
 * left out whole (a space keeps the width).
 */
export function cutCells(text: string, width: number): string {
	if (width <= 0) return '';
	if (PLAIN.test(text)) return text.length <= width ? text : text.slice(0, width - 1) + '…';
	if (stringWidth(text) <= width) return text;
	let out = '';
	let used = 0;
	for (const {segment} of graphemes.segment(text)) {
		const w = stringWidth(segment);
		if (used + w > width - 1) break;
		out += segment;
		used += w;
	}
	return out + ' '.repeat(width - 1 - used) + '…';
}

export function lineWidth(line: Line): number {
	let n = 0;
	for (const s of line) n += cells(s.text);
	return n;
}

/** Cut a line to `width` cells (the cut marked with `…`); pad it to exactly `width` when `pad` (a highlighted row). */
export function fitLine(line: Line, width: number, pad = false, padStyle: Style = {}): Line {
	const out: Line = [];
	let left = Math.max(0, width);
	for (const [i, s] of line.entries()) {
		if (left <= 0) {
			// Something is left unshown: the last cell says so.
			if (s.text !== '' || line.slice(i).some((r) => r.text !== '')) markCut(out);
			break;
		}
		const w = cells(s.text);
		if (w <= left) {
			if (w > 0) out.push(s);
			left -= w;
		} else {
			out.push({...s, text: cutCells(s.text, left)});
			left = 0;
			break;
		}
	}
	if (pad && left > 0) {
		const last = out.at(-1);
		const style = last === undefined ? padStyle : {...last, text: ''};
		out.push({...style, text: ' '.repeat(left)});
	}
	return out;
}

/** Replace the last cell of a full line with `…`. */
function markCut(out: Line): void {
	for (let i = out.length - 1; i >= 0; i--) {
		const s = out[i]!;
		if (s.text === '') continue;
		const w = cells(s.text);
		out[i] = {...s, text: cutCells(s.text + ' ', w)};
		return;
	}
}

/** Apply a style to every segment of a line (a highlighted row). */
export function restyle(line: Line, style: Style): Line {
	return line.map((s) => ({...s, ...style}));
}

/** `text` cut to `width` cells, the cut marked with `…`. */
export function cut(text: string, width: number): string {
	return cutCells(text, Math.max(0, width));
}

export function padEnd(text: string, width: number): string {
	const w = cells(text);
	return w >= width ? cut(text, width) : text + ' '.repeat(width - w);
}

export function padStart(text: string, width: number): string {
	const w = cells(text);
	return w >= width ? text : ' '.repeat(width - w) + text;
}

/** Word-wrap plain text to `width` cells (a word longer than a line is cut into pieces). */
export function wrap(text: string, width: number): string[] {
	const out: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/)) {
		if (word === '') continue;
		if (line === '') line = word;
		else if (cells(line) + 1 + cells(word) <= width) line += ' ' + word;
		else {
			out.push(line);
			line = word;
		}
		while (cells(line) > width && width > 0) {
			const [head, rest] = splitCells(line, width);
			out.push(head);
			line = rest;
		}
	}
	if (line !== '' || out.length === 0) out.push(line);
	return out;
}

/** The first `width` cells of `text` (at least one grapheme) and the rest. */
function splitCells(text: string, width: number): [string, string] {
	let head = '';
	let used = 0;
	for (const {segment, index} of graphemes.segment(text)) {
		const w = cells(segment);
		if (used + w > width && head !== '') return [head, text.slice(index)];
		head += segment;
		used += w;
	}
	return [head, ''];
}

/** Merge neighbouring segments of the same style (fewer escapes to write). */
export function mergeSegs(line: Line): Line {
	const out: Line = [];
	for (const s of line) {
		const last = out.at(-1);
		if (
			last !== undefined &&
			last.color === s.color &&
			last.bg === s.bg &&
			last.bold === s.bold &&
			last.dim === s.dim &&
			last.inverse === s.inverse &&
			last.underline === s.underline
		) {
			out[out.length - 1] = {...last, text: last.text + s.text};
		} else {
			out.push(s);
		}
	}
	return out;
}

const fg: Record<string, number> = {black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90};

/** Colours off when NO_COLOR is set (https://no-color.org); bold, dim, underline and inverse stay. */
export const useColor = (process.env['NO_COLOR'] ?? '') === '';

function sgr(s: Seg): string {
	let codes = '';
	if (s.bold === true) codes += ';1';
	if (s.dim === true) codes += ';2';
	if (s.underline === true) codes += ';4';
	if (s.inverse === true) codes += ';7';
	if (useColor && s.color !== undefined && fg[s.color] !== undefined) codes += `;${fg[s.color]!}`;
	if (useColor && s.bg !== undefined && fg[s.bg] !== undefined) codes += `;${fg[s.bg]! + 10}`;
	return codes;
}

/**
 * A line as text with SGR escapes, one escape per change of style: the
 * painter writes a row as one string, and fewer escapes are fewer bytes
 * for the terminal to parse.
 */
export function toAnsi(line: Line): string {
	let out = '';
	let current = '';
	for (const s of line) {
		if (s.text === '') continue;
		const codes = sgr(s);
		if (codes !== current) {
			out += codes === '' ? '\u001B[0m' : `\u001B[0${codes}m`;
			current = codes;
		}
		out += s.text;
	}
	if (current !== '') out += '\u001B[0m';
	return out;
}
