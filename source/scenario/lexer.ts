// The scenario lexer (docs/scenario-language.md): splits a file into lines and a line into
// whitespace-separated tokens, each with its 1-based column. `#` starts a comment
// anywhere outside a string literal; a string literal is a token that starts with
// `"` and understands the escapes \" and \\.

export type Token = {
	/** The token as written (for a string: with its quotes and escapes). */
	text: string;
	/** For a string: its decoded contents; otherwise the same as text. */
	value: string;
	quoted: boolean;
	/** 1-based column of the token's first character. */
	col: number;
	/** 0-based index just past the token's last character. */
	end: number;
};

export type LexedLine = {
	tokens: Token[];
	/** The line without its comment (not trimmed). */
	code: string;
	/** The first lexical error of the line, if any (the tokens before it are kept). */
	error: {col: number; message: string} | null;
};

/** Splits source text into lines; accepts LF, CRLF and lone CR line endings. */
export function splitLines(source: string): string[] {
	return source.split(/\r\n|\r|\n/);
}

function isSpace(c: string): boolean {
	return c === ' ' || c === '\t' || c === '\v' || c === '\f';
}

/** Tokenizes one line (without its line ending). Never throws. */
export function lexLine(line: string): LexedLine {
	const tokens: Token[] = [];
	let i = 0;
	const n = line.length;
	while (i < n) {
		const c = line[i]!;
		if (isSpace(c)) {
			i++;
			continue;
		}
		if (c === '#') {
			return {tokens, code: line.slice(0, i), error: null};
		}
		const start = i;
		if (c === '"') {
			let value = '';
			i++;
			let closed = false;
			while (i < n) {
				const d = line[i]!;
				if (d === '"') {
					closed = true;
					i++;
					break;
				}
				if (d === '\\') {
					const e = line[i + 1];
					if (e === '"' || e === '\\') {
						value += e;
						i += 2;
						continue;
					}
					if (e === undefined) {
						break; // unterminated: reported below
					}
					return {
						tokens,
						code: line,
						error: {col: i + 1, message: `unknown escape '\\${e}' in a string: only \\" and \\\\ are understood`},
					};
				}
				value += d;
				i++;
			}
			if (!closed) {
				return {tokens, code: line, error: {col: start + 1, message: 'unterminated string: a string ends with "'}};
			}
			if (i < n && !isSpace(line[i]!) && line[i] !== '#') {
				return {tokens, code: line, error: {col: i + 1, message: 'unexpected text right after a string: put a space after the closing "'}};
			}
			tokens.push({text: line.slice(start, i), value, quoted: true, col: start + 1, end: i});
			continue;
		}
		while (i < n && !isSpace(line[i]!) && line[i] !== '#') i++;
		const text = line.slice(start, i);
		tokens.push({text, value: text, quoted: false, col: start + 1, end: i});
	}
	return {tokens, code: line, error: null};
}
