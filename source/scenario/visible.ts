// Text that comes from a file (a scenario's print and expect lines, its title,
// a session's file name) must never reach a terminal as a control sequence:
// `print "<ESC>]2;title<BEL>"` would retitle the window, `<ESC>[2J` clear it.
// Every such text goes through visible() on its way out, which writes each
// control character as an escape a reader can see (`\x1b`), as `cat -v` and
// git's quoting do. Used by the CLI's text output, error messages and the TUI.

/**
 * C0 controls (tab and newline included: one message is one line), DEL, C1
 * controls (a UTF-8 terminal may act on U+009B as CSI), the line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what
 * is shown ("Trojan Source").
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_TEST = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function escapeChar(c: string): string {
	const code = c.charCodeAt(0);
	return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character written as `\xNN` (or `\uNNNN`). */
export function visible(text: string): string {
	return CONTROL_TEST.test(text) ? text.replace(CONTROL, escapeChar) : text;
}

/**
 * JSON text with the control characters JSON.stringify leaves raw (DEL, C1,
 * the separators, bidi controls) written as \u escapes: the same JSON value,
 * safe on a terminal.
 */
export function visibleJson(json: string): string {
	return CONTROL_TEST.test(json) ? json.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
