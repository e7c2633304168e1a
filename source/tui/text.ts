// Lines as coloured segments, cut to a width before they are painted, so no
// line is ever wider than the terminal and the terminal never wraps one.

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

export function lineWidth(line: Line): number {
	let n = 0;
	for (const s of line) n += s.text.length;
	return n;
}

/** Cut a line to `width` columns; pad it to exactly `width` when `pad` (a highlighted row). */
export function fitLine(line: Line, width: number, pad = false, padStyle: Style = {}): Line {
	const out: Line = [];
	let left = Math.max(0, width);
	for (const s of line) {
		if (left <= 0) break;
		if (s.text.length <= left) {
			if (s.text.length > 0) out.push(s);
			left -= s.text.length;
		} else {
			out.push({...s, text: s.text.slice(0, left)});
			left = 0;
		}
	}
	if (pad && left > 0) {
		const last = out.at(-1);
		const style = last === undefined ? padStyle : {...last, text: ''};
		out.push({...style, text: ' '.repeat(left)});
	}
	return out;
}

/** Apply a style to every segment of a line (a highlighted row). */
export function restyle(line: Line, style: Style): Line {
	return line.map((s) => ({...s, ...style}));
}

export function cut(text: string, width: number): string {
	return text.length <= width ? text : text.slice(0, Math.max(0, width));
}

export function padEnd(text: string, width: number): string {
	return text.length >= width ? cut(text, width) : text + ' '.repeat(width - text.length);
}

export function padStart(text: string, width: number): string {
	return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Word-wrap plain text to `width` columns (long words are cut). */
export function wrap(text: string, width: number): string[] {
	const out: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/)) {
		if (word === '') continue;
		if (line === '') line = word;
		else if (line.length + 1 + word.length <= width) line += ' ' + word;
		else {
			out.push(line);
			line = word;
		}
		while (line.length > width) {
			out.push(line.slice(0, width));
			line = line.slice(width);
		}
	}
	if (line !== '' || out.length === 0) out.push(line);
	return out;
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
const useColor = (process.env['NO_COLOR'] ?? '') === '';

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
