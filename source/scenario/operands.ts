// The operands of the scenario language (docs/scenario-language.md, "Operands"):
// numbers, addresses, values, names, page counts, protections, comparisons and
// clone flags. Each parser takes a token and returns the checked operand, or
// fails at the column of the fault with a message that says the fix. The
// `watch=` breakpoint takes its address through parseAddress, in the same
// syntax and with the same messages.
//
// An ADDRESS position (the first operand of read, write and pin, and the ADDR of
// `map … at ADDR` / `mmap … at ADDR`) takes:
//   REGION            the start of the region
//   REGION[K]         the start of its page K
//   REGION+OFF        either of the above plus OFF bytes (decimal or 0x hex,
//   REGION[K]+OFF     no spaces)
//   N                 a bare number (decimal or 0x hex) is an absolute address
// (`at` takes only the absolute, page-aligned form.)
// A VALUE position (write's VALUE, set/add, exit, if/expect, …) takes an integer
// (decimal, optionally negative, or 0x hex), a register (ret status signal core
// r0…r7), an errno name (-EINVAL = -22 …, or EINVAL = +22) or a signal name
// (SIGSEGV = 11 …). There a bare number is an integer, so a memory operand — the
// word at an address — is written in a region form (`heap`, `heap[0]`,
// `heap[2]+8`) or, for an absolute address, with a leading `*` (`*0x600000`).
// Words are 8 bytes: every address must be 8-byte aligned.

import {hex} from '../kernel/events.js';
import {kernelVersion, registers, type Address, type CompareOp, type Operand, type Prot, type Register} from '../kernel/program.js';
import {PAGE_SIZE, TASK_SIZE} from '../kernel/types.js';
import {
	CLONE_SIGHAND,
	CLONE_THREAD,
	CLONE_VFORK,
	CLONE_VM,
	SIGCHLD_FLAG,
	errnoNumbers,
	signalNumbers,
	type ErrnoName,
	type SignalName,
} from '../kernel/uapi.js';
import {fail, LineError, show, suggestion} from './diagnostics.js';
import type {Token} from './lexer.js';

const WORD_SIZE = 8;
const MAX_PAGES = 16_777_216;
const MAX_OPERAND_TICKS = 1_000_000_000;
export const TOO_LARGE = 'number too large: cowdbg keeps words exact up to 2^53-1';
/** A name: of a region, a label, a program. */
export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const has = (o: object, k: string): boolean => Object.hasOwn(o, k);
export const isRegister = (r: string): r is Register => (registers as readonly string[]).includes(r);

/** The registers a program writes (set, add): the others are the kernel's. */
export const destinationRegisters: readonly Register[] = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];
export const killSignals: readonly SignalName[] = ['SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT'];
export const compareOps: readonly CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const errnoNames = Object.keys(errnoNumbers);
const signalNames = Object.keys(signalNumbers);
/** Names a value operand understands by itself: they cannot name a region. */
export const valueNames: readonly string[] = [...registers, 'era', ...errnoNames, ...errnoNames.map((e) => `-${e}`), ...signalNames];

const cloneFlagValues: Readonly<Record<string, number>> = Object.freeze({
	vm: CLONE_VM,
	vfork: CLONE_VFORK,
	sighand: CLONE_SIGHAND,
	thread: CLONE_THREAD,
	sigchld: SIGCHLD_FLAG,
});
const cloneFlagNames = Object.keys(cloneFlagValues);

/**
 * What an operand needs to know of the program it stands in, and where it
 * notes the regions it names (checked when the program closes, as a region may
 * be mmapped by a later line).
 */
export type OperandScope = {
	/** Whether the program maps or mmaps a region of this name (text and stack aside). */
	declares(name: string): boolean;
	/** A region named at this column of the line; `bareValue`: a bare name in a value position. */
	referRegion(name: string, col: number, bareValue: boolean): void;
};

// ---------------------------------------------------------------------------
// Numbers

export type NumberResult = {ok: true; value: number} | {ok: false; message: string};

/**
 * An integer: decimal with an optional leading `-`, or `0x` hex. Refuses anything
 * beyond ±Number.MAX_SAFE_INTEGER, where a double stops being exact.
 */
export function parseNumber(text: string): NumberResult {
	let negative = false;
	let body = text;
	if (body.startsWith('-')) {
		if (/^-0[xX]/.test(body)) {
			return {ok: false, message: `bad number '${show(text)}': negative numbers are written in decimal`};
		}
		negative = true;
		body = body.slice(1);
	}
	let digits: string;
	let hex: boolean;
	if (/^0[xX][0-9a-fA-F]+$/.test(body)) {
		hex = true;
		digits = body.slice(2);
	} else if (/^[0-9]+$/.test(body)) {
		hex = false;
		digits = body;
	} else {
		return {ok: false, message: `bad number '${show(text)}': expected a decimal or 0x hex integer`};
	}
	digits = digits.replace(/^0+(?=.)/, '');
	if (digits.length > 20) return {ok: false, message: TOO_LARGE};
	const big = BigInt(hex ? `0x${digits}` : digits);
	if (big > BigInt(Number.MAX_SAFE_INTEGER)) return {ok: false, message: TOO_LARGE};
	const value = Number(big);
	return {ok: true, value: negative && value !== 0 ? -value : value};
}

/** A whole number of no sign, or null: the numbers of a breakpoint spec (tick=, frame=, pid=, addr=). */
export function parseUnsigned(text: string): number | null {
	if (text.startsWith('-')) return null;
	const r = parseNumber(text);
	return r.ok ? r.value : null;
}

function numberAt(tok: Token): number {
	const r = parseNumber(tok.text);
	if (!r.ok) fail(tok.col, r.message);
	return r.value;
}

// ---------------------------------------------------------------------------
// Addresses

/**
 * An address written `REGION`, `REGION[K]`, either plus `+OFFSET`, or a
 * number (absolute). `col` is the column of `text`. Returns null when the text
 * is not in an address form at all.
 */
function addressForm(text: string, col: number): {addr: Address; bare: boolean} | null {
	if (/^-?[0-9]/.test(text)) {
		const r = parseNumber(text);
		if (!r.ok) fail(col, r.message);
		if (r.value < 0) fail(col, 'an address cannot be negative');
		if (r.value % WORD_SIZE !== 0) fail(col, `address not 8-byte aligned: ${text} is not a multiple of 8`);
		return {addr: {kind: 'absolute', value: r.value}, bare: false};
	}
	const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?(?:\+(.*))?$/.exec(text);
	if (m === null) return null;
	const name = m[1]!;
	let page = 0;
	let offset = 0;
	if (m[2] !== undefined) {
		const kCol = col + name.length + 1;
		if (m[2] === '') fail(kCol, `missing page number in '${show(text)}'`);
		const r = parseNumber(m[2]);
		if (!r.ok) fail(kCol, r.message);
		if (r.value < 0) fail(kCol, 'a page number cannot be negative');
		page = r.value;
	}
	if (m[3] !== undefined) {
		const plus = text.indexOf('+');
		const oCol = col + plus + 1;
		if (m[3] === '') fail(oCol, `missing offset after '+' in '${show(text)}'`);
		const r = parseNumber(m[3]);
		if (!r.ok) fail(oCol, r.message);
		if (r.value < 0) fail(oCol, "an offset cannot be negative: write '+N'");
		offset = r.value;
	}
	const total = page * PAGE_SIZE + offset;
	if (!Number.isSafeInteger(total)) fail(col, TOO_LARGE);
	if (total % WORD_SIZE !== 0) {
		fail(col, `address not 8-byte aligned: '${show(text)}' is ${total} bytes into ${name}, not a multiple of 8`);
	}
	const bare = m[2] === undefined && m[3] === undefined;
	return {addr: {kind: 'region', region: name, page, offset}, bare};
}

/**
 * An address as `watch=ADDR` takes it, in the scenario's own syntax. `col`
 * in an error is 0-based within `text`.
 */
export function parseAddress(text: string): {ok: true; addr: Address} | {ok: false; message: string; col: number} {
	try {
		const a = addressForm(text, 0);
		if (a !== null) return {ok: true, addr: a.addr};
	} catch (error) {
		if (error instanceof LineError) return {ok: false, message: error.message, col: error.col};
		throw error;
	}
	return {ok: false, message: `bad address '${show(text)}': expected REGION, REGION[K], REGION[K]+OFFSET or a number`, col: 0};
}

/** An ADDRESS position: a bare number is an absolute address. */
export function addressOperand(tok: Token, scope: OperandScope): Address {
	const text = tok.text.startsWith('*') ? tok.text.slice(1) : tok.text;
	const col = tok.text.startsWith('*') ? tok.col + 1 : tok.col;
	const a = addressForm(text, col);
	if (a === null) {
		fail(tok.col, `bad address '${show(tok.text)}': expected REGION, REGION[K], REGION[K]+OFFSET or a number`);
	}
	if (a.addr.kind === 'region') scope.referRegion(a.addr.region, col, false);
	return a.addr;
}

/** The ADDR of `at ADDR`: absolute, page-aligned, in user space. */
export function fixedAddress(tok: Token): number {
	if (IDENT.test(tok.text) || /^[A-Za-z_].*[[+]/.test(tok.text)) {
		fail(tok.col, `'at' takes an absolute address like 0x700000, not '${show(tok.text)}'`);
	}
	const value = numberAt(tok);
	if (value < 0) fail(tok.col, 'an address cannot be negative');
	if (value % PAGE_SIZE !== 0) fail(tok.col, `address ${hex(value)} is not page-aligned (a multiple of 4096 = 0x1000)`);
	if (value >= TASK_SIZE) fail(tok.col, `address ${hex(value)} is beyond user space (it must be below 0x800000000000)`);
	return value;
}

// ---------------------------------------------------------------------------
// Values

/**
 * A VALUE position: integer, register, errno or signal name, or (when `mem`)
 * a memory operand in a region form or `*ADDRESS`. `role` names the operand
 * in messages.
 */
export function valueOperand(tok: Token, mem: boolean, role: string, scope: OperandScope): Operand {
	const text = tok.text;
	const noMem = (): never => fail(tok.col, `${role} is an integer or a register, not a memory operand (read it first: its value lands in ret)`);
	if (text.startsWith('*')) {
		if (text === '*') fail(tok.col, "'*' needs an address after it, like *0x600000");
		if (!mem) noMem();
		const a = addressForm(text.slice(1), tok.col + 1);
		if (a === null) fail(tok.col, `bad address '${show(text)}': expected *0x…, *REGION, *REGION[K] or *REGION[K]+OFFSET`);
		if (a.addr.kind === 'region') scope.referRegion(a.addr.region, tok.col + 1, false);
		return {kind: 'mem', addr: a.addr};
	}
	const version = /^([0-9]{1,3})\.([0-9]{1,3})(?:\.([0-9]{1,3}))?$/.exec(text);
	if (version !== null) {
		// KERNEL_VERSION(a, b, c), comparable with `era` (LINUX_VERSION_CODE of the run's kernel)
		const [a, b, c] = [Number(version[1]), Number(version[2]), Number(version[3] ?? 0)];
		if (a > 255 || b > 255 || c > 255) fail(tok.col, `bad kernel version '${show(text)}': each part is 0…255`);
		return {kind: 'int', value: kernelVersion(a, b, c)};
	}
	if (/^-?[0-9]/.test(text)) return {kind: 'int', value: numberAt(tok)};
	if (isRegister(text)) return {kind: 'reg', reg: text};
	if (text === 'era') return {kind: 'era'};
	const pin = /^pin\[([^\]]*)\](?:\+(.*))?$/.exec(text);
	if (pin !== null && !scope.declares('pin')) {
		// pin[P]+OFFSET: the word in pinned frame P (a region named pin keeps its own meaning)
		if (!mem) noMem();
		const idText = pin[1]!;
		let id: Operand;
		if (isRegister(idText)) id = {kind: 'reg', reg: idText};
		else {
			const r = parseNumber(idText);
			if (!r.ok || r.value < 1) fail(tok.col + 4, `pin[P]: P is a pin id (1, 2, …) or a register, not '${show(idText)}'`);
			id = {kind: 'int', value: r.value};
		}
		let offset = 0;
		if (pin[2] !== undefined) {
			const r = parseNumber(pin[2]);
			if (!r.ok || r.value >= PAGE_SIZE || r.value % WORD_SIZE !== 0) {
				fail(tok.col, `pin[P]+OFFSET: OFFSET is a multiple of 8 below 4096, not '${show(pin[2])}'`);
			}
			offset = r.value;
		}
		return {kind: 'pin', id, offset};
	}
	if (text.startsWith('-')) {
		const name = text.slice(1);
		if (has(errnoNumbers, name)) return {kind: 'int', value: -errnoNumbers[name as ErrnoName]};
		const errnos = errnoNames.map((e) => `-${e}`);
		if (/^-E[A-Z0-9]*$/.test(text)) fail(tok.col, `unknown errno name '${show(text)}'${suggestion(text, errnos)}: known are ${errnos.join(' ')}`);
		fail(tok.col, `bad ${role} '${show(text)}'${suggestion(text, errnos)}`);
	}
	if (has(errnoNumbers, text)) return {kind: 'int', value: errnoNumbers[text as ErrnoName]};
	if (has(signalNumbers, text)) return {kind: 'int', value: signalNumbers[text as SignalName]};
	const a = addressForm(text, tok.col);
	if (a === null) {
		fail(
			tok.col,
			`bad ${role} '${show(text)}': expected an integer, a register, an errno or signal name${mem ? ', or a memory operand like heap[0]' : ''}`,
		);
	}
	if (!mem) {
		const isRegion = text === 'text' || text === 'stack' || scope.declares(text);
		if (a.bare && !isRegion) {
			fail(tok.col, `unknown name '${show(text)}': ${role} is an integer, a register, or an errno or signal name${suggestion(text, valueNames)}`);
		}
		noMem();
	}
	if (a.addr.kind === 'region') scope.referRegion(a.addr.region, tok.col, a.bare);
	return {kind: 'mem', addr: a.addr};
}

// ---------------------------------------------------------------------------
// Names, sizes and flags

/** A name token: a letter or _ followed by letters, digits or _. `what` names it in messages. */
export function checkName(tok: Token, what: string): void {
	if (tok.quoted) fail(tok.col, `a ${what} name is a word, not a string`);
	if (!IDENT.test(tok.text)) {
		fail(tok.col, `bad ${what} name '${show(tok.text)}': a name is a letter or _ followed by letters, digits or _`);
	}
}

/** A region an instruction names (munmap, touch, …). */
export function regionOperand(tok: Token, scope: OperandScope): string {
	checkName(tok, 'region');
	scope.referRegion(tok.text, tok.col, false);
	return tok.text;
}

/** The name of a region a map or mmap creates: not text or stack (for a map), nor a name a value understands. */
export function newRegionName(tok: Token, inMap: boolean): string {
	checkName(tok, 'region');
	const name = tok.text;
	if (inMap && (name === 'text' || name === 'stack')) {
		fail(tok.col, `'${name}' is reserved: every program has a text and a stack region`);
	}
	if (valueNames.includes(name)) {
		fail(tok.col, `'${name}' cannot name a region: it is a ${isRegister(name) ? 'register' : has(signalNumbers, name) ? 'signal' : 'errno'} name`);
	}
	return name;
}

export function pagesOperand(tok: Token): number {
	const value = numberAt(tok);
	if (value < 1 || value > MAX_PAGES) fail(tok.col, `PAGES must be from 1 to ${MAX_PAGES}, not ${tok.text}`);
	return value;
}

export function protOperand(tok: Token): Prot {
	const m = /^([r-])([w-])([x-])$/.exec(tok.text);
	if (m === null) fail(tok.col, `bad protection '${show(tok.text)}': PROT is 3 characters like rw-, r--, r-x or ---`);
	return {r: m[1] === 'r', w: m[2] === 'w', x: m[3] === 'x'};
}

export function ticksOperand(tok: Token): number {
	const value = numberAt(tok);
	if (value < 1 || value > MAX_OPERAND_TICKS) fail(tok.col, `N must be from 1 to ${MAX_OPERAND_TICKS}, not ${tok.text}`);
	return value;
}

export function compareOperand(tok: Token): CompareOp {
	if ((compareOps as readonly string[]).includes(tok.text)) return tok.text as CompareOp;
	fail(tok.col, `bad comparison '${show(tok.text)}'${suggestion(tok.text, compareOps)}: OP is one of == != < <= > >=`);
}

export function cloneFlagsOperand(tok: Token): number {
	let flags = 0;
	let offset = 0;
	for (const part of tok.text.split('|')) {
		const col = tok.col + offset;
		offset += part.length + 1;
		if (part === '') fail(col, `empty flag in '${show(tok.text)}': FLAGS are vm, vfork, sighand, thread, sigchld joined by |`);
		if (!has(cloneFlagValues, part)) {
			fail(col, `unknown clone flag '${show(part)}'${suggestion(part, cloneFlagNames)}: FLAGS are vm, vfork, sighand, thread, sigchld joined by |`);
		}
		flags |= cloneFlagValues[part]!;
	}
	return flags;
}

/** The options of `map` and `mmap` after PROT: shared, at ADDR, dontfork, locked (those `allowed`). */
export function mapOptions(tokens: Token[], start: number, allowed: readonly string[], usage: string) {
	const o = {shared: false, at: null as number | null, dontfork: false, locked: false};
	const seen = new Set<string>();
	for (let i = start; i < tokens.length; i++) {
		const t = tokens[i]!;
		if (!allowed.includes(t.text)) {
			fail(t.col, `unknown option '${show(t.text)}'${suggestion(t.text, allowed)}: usage: ${usage}`);
		}
		if (seen.has(t.text)) fail(t.col, `'${t.text}' given twice`);
		seen.add(t.text);
		switch (t.text) {
			case 'shared':
				o.shared = true;
				break;
			case 'dontfork':
				o.dontfork = true;
				break;
			case 'locked':
				o.locked = true;
				break;
			case 'at': {
				const a = tokens[i + 1];
				if (a === undefined) fail(t.col, `'at' needs an address: usage: ${usage}`);
				o.at = fixedAddress(a);
				i++;
				break;
			}
		}
	}
	return o;
}
