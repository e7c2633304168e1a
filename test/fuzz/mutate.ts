// Mutators for fuzzing text inputs: scenario files now, breakpoint specs and
// session files later. Everything is driven by a small seeded PRNG, so a run is
// reproducible from its seed, and each mutator is a plain function
// (input, rng, context) → output that other fuzzers can pick from.

/** mulberry32: a tiny, fast, seedable PRNG. */
export class Rng {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [0, n). */
	int(n: number): number {
		return Math.floor(this.next() * n);
	}

	/** An integer in [min, max]. */
	range(min: number, max: number): number {
		return min + this.int(max - min + 1);
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)]!;
	}
}

export type MutationContext = {
	/** Words of the input language (keywords, option names, operators) to splice in. */
	dictionary: readonly string[];
	/** Other inputs, for crossover. */
	corpus: readonly string[];
};

export type Mutator = (input: string, rng: Rng, ctx: MutationContext) => string;

// ---------------------------------------------------------------------------
// Pieces

/** Odd characters: control, NUL, separators, quotes, escapes, invisible and direction marks, astral, lone surrogates. */
export const ODD_CHARS: readonly string[] = [
	'\0',
	'\t',
	'\v',
	'\f',
	'\r',
	'\n',
	'\x1b',
	'\x7f',
	'\u0085',
	'\u00a0',
	'\u2028',
	'\u2029',
	'\u200b',
	'\u202e',
	'\ufeff',
	'\ufffd',
	'\uffff',
	'\ud800',
	'\udfff',
	'\u{1f600}',
	'\u{10ffff}',
	'\u0301',
	'é',
	'ß',
	'İ',
	'日本',
	'"',
	'\\',
	'#',
	':',
	'|',
	'[',
	']',
	'+',
	'*',
	'=',
	'-',
	',',
	'0x',
	'"\\',
];

/** Numbers that stress a number parser. */
export const ODD_NUMBERS: readonly string[] = [
	'0',
	'-0',
	'00',
	'-1',
	'4096',
	'4095',
	'9007199254740991',
	'9007199254740992',
	'-9007199254740993',
	'18446744073709551616',
	'9'.repeat(400),
	'0x' + 'f'.repeat(100),
	'0x',
	'0X1F',
	'-0x10',
	'0b101',
	'0o17',
	'1e309',
	'1.5',
	'.5',
	'1_000',
	'NaN',
	'Infinity',
	'-Infinity',
	'0x7fffffffffff',
	'0x800000000000',
	'16777216',
	'16777217',
	'1000000000',
	'1000000001',
];

/** Splits text into alternating runs of whitespace and non-whitespace (joining them gives the text back). */
export function tokens(input: string): string[] {
	return input.match(/\s+|\S+/g) ?? [];
}

function wordIndexes(parts: readonly string[]): number[] {
	const out: number[] = [];
	for (let i = 0; i < parts.length; i++) if (!/^\s/.test(parts[i]!)) out.push(i);
	return out;
}

function insertAt(input: string, at: number, text: string): string {
	return input.slice(0, at) + text + input.slice(at);
}

/** A random position, biased towards line starts and ends, where most of the grammar lives. */
function position(input: string, rng: Rng): number {
	if (input.length === 0) return 0;
	if (rng.chance(0.3)) {
		const breaks: number[] = [0];
		for (let i = 0; i < input.length; i++) if (input[i] === '\n') breaks.push(i, i + 1);
		breaks.push(input.length);
		return rng.pick(breaks);
	}
	return rng.int(input.length + 1);
}

function randomCodePoint(rng: Rng): string {
	switch (rng.int(5)) {
		case 0:
			return String.fromCharCode(rng.int(0x20)); // control
		case 1:
			return String.fromCharCode(0x20 + rng.int(0x5f)); // printable ASCII
		case 2:
			return String.fromCharCode(0x80 + rng.int(0x780)); // Latin, Greek, Cyrillic…
		case 3:
			return String.fromCharCode(rng.int(0x10000)); // anywhere in the BMP, lone surrogates included
		default:
			return String.fromCodePoint(0x10000 + rng.int(0x100000)); // astral
	}
}

// ---------------------------------------------------------------------------
// Mutators

/** Flip one bit of a UTF-16 code unit. */
export const flipCodeUnitBit: Mutator = (input, rng) => {
	if (input.length === 0) return input;
	const i = rng.int(input.length);
	const c = input.charCodeAt(i) ^ (1 << rng.int(16));
	return input.slice(0, i) + String.fromCharCode(c) + input.slice(i + 1);
};

/** Flip bits of the UTF-8 bytes, then decode leniently (broken sequences become U+FFFD). */
export const flipUtf8Bits: Mutator = (input, rng) => {
	const bytes = new TextEncoder().encode(input);
	if (bytes.length === 0) return input;
	const flips = rng.range(1, 4);
	for (let n = 0; n < flips; n++) bytes[rng.int(bytes.length)]! ^= 1 << rng.int(8);
	return new TextDecoder('utf-8', {fatal: false}).decode(bytes);
};

/** Replace one UTF-8 byte with a random byte. */
export const randomByte: Mutator = (input, rng) => {
	const bytes = new TextEncoder().encode(input);
	if (bytes.length === 0) return String.fromCharCode(rng.int(256));
	bytes[rng.int(bytes.length)] = rng.int(256);
	return new TextDecoder('utf-8', {fatal: false}).decode(bytes);
};

export const deleteToken: Mutator = (input, rng) => {
	const parts = tokens(input);
	const words = wordIndexes(parts);
	if (words.length === 0) return input;
	parts.splice(rng.pick(words), 1);
	return parts.join('');
};

export const duplicateToken: Mutator = (input, rng) => {
	const parts = tokens(input);
	const words = wordIndexes(parts);
	if (words.length === 0) return input;
	const i = rng.pick(words);
	parts.splice(i, 0, parts[i]!, rng.chance(0.8) ? ' ' : '');
	return parts.join('');
};

export const swapTokens: Mutator = (input, rng) => {
	const parts = tokens(input);
	const words = wordIndexes(parts);
	if (words.length < 2) return input;
	const a = rng.pick(words);
	const b = rng.pick(words);
	[parts[a], parts[b]] = [parts[b]!, parts[a]!];
	return parts.join('');
};

/** Replace a token with a word of the language (keywords, options, operators). */
export const dictionaryToken: Mutator = (input, rng, ctx) => {
	if (ctx.dictionary.length === 0) return input;
	const parts = tokens(input);
	const words = wordIndexes(parts);
	const word = rng.pick(ctx.dictionary);
	if (words.length === 0 || rng.chance(0.3)) return insertAt(input, position(input, rng), rng.chance(0.5) ? `${word} ` : word);
	parts[rng.pick(words)] = word;
	return parts.join('');
};

/** Replace a number (or any token) with a number that stresses the parser. */
export const oddNumber: Mutator = (input, rng) => {
	const parts = tokens(input);
	const numbers: number[] = [];
	for (let i = 0; i < parts.length; i++) if (/\d/.test(parts[i]!)) numbers.push(i);
	const pool = numbers.length > 0 ? numbers : wordIndexes(parts);
	if (pool.length === 0) return rng.pick(ODD_NUMBERS);
	const i = rng.pick(pool);
	const odd = rng.pick(ODD_NUMBERS);
	// Keep a prefix like `heap[` or `frames=` half the time, so the number lands in the operand.
	const m = /^(.*?[=[+*]|)(-?(?:0x)?[0-9a-fA-F]+)(.*)$/.exec(parts[i]!);
	parts[i] = m !== null && rng.chance(0.5) ? `${m[1]}${odd}${m[3]}` : odd;
	return parts.join('');
};

export const insertOddChar: Mutator = (input, rng) => insertAt(input, position(input, rng), rng.pick(ODD_CHARS));

export const insertUnicode: Mutator = (input, rng) => {
	let s = '';
	const n = rng.range(1, 8);
	for (let i = 0; i < n; i++) s += randomCodePoint(rng);
	return insertAt(input, position(input, rng), s);
};

export const insertNul: Mutator = (input, rng) => insertAt(input, position(input, rng), '\0'.repeat(rng.range(1, 3)));

/** A very long line: a repeated token, a long word, or a long string literal. */
export const longLine: Mutator = (input, rng) => {
	const length = rng.pick([1000, 10_000, 100_000]);
	const parts = tokens(input);
	const words = wordIndexes(parts);
	let line: string;
	switch (rng.int(4)) {
		case 0:
			line = 'x'.repeat(length);
			break;
		case 1:
			line = `"${'a'.repeat(length)}"`;
			break;
		case 2: {
			const word = words.length > 0 ? parts[rng.pick(words)]! : 'write';
			line = `${word} `.repeat(Math.ceil(length / (word.length + 1)));
			break;
		}
		default:
			line = ' '.repeat(length) + (words.length > 0 ? parts[rng.pick(words)]! : '');
	}
	return insertAt(input, position(input, rng), rng.chance(0.5) ? `\n${line}\n` : line);
};

/** Line endings: all CRLF, all lone CR, or a few of each mixed in. */
export const lineEndings: Mutator = (input, rng) => {
	switch (rng.int(4)) {
		case 0:
			return input.replace(/\r?\n/g, '\r\n');
		case 1:
			return input.replace(/\r?\n/g, '\r');
		case 2:
			return input.replace(/\n/g, () => rng.pick(['\n', '\r\n', '\r', '\n\r']));
		default:
			return input.replace(/\r?\n/g, '\n') + (rng.chance(0.5) ? '\r' : '\r\n');
	}
};

function lines(input: string): string[] {
	return input.split('\n');
}

export const deleteLine: Mutator = (input, rng) => {
	const ls = lines(input);
	ls.splice(rng.int(ls.length), 1);
	return ls.join('\n');
};

export const duplicateLine: Mutator = (input, rng) => {
	const ls = lines(input);
	const i = rng.int(ls.length);
	ls.splice(rng.int(ls.length + 1), 0, ls[i]!);
	return ls.join('\n');
};

export const swapLines: Mutator = (input, rng) => {
	const ls = lines(input);
	const a = rng.int(ls.length);
	const b = rng.int(ls.length);
	[ls[a], ls[b]] = [ls[b]!, ls[a]!];
	return ls.join('\n');
};

export const truncate: Mutator = (input, rng) => input.slice(0, rng.int(input.length + 1));

/** Splice a random slice of another corpus input in. */
export const crossover: Mutator = (input, rng, ctx) => {
	if (ctx.corpus.length === 0) return input;
	const other = rng.pick(ctx.corpus);
	const from = rng.int(other.length + 1);
	const to = Math.min(other.length, from + rng.int(400));
	return insertAt(input, position(input, rng), other.slice(from, to));
};

/** Change the indentation of a line: none, tabs, odd whitespace. */
export const indentation: Mutator = (input, rng) => {
	const ls = lines(input);
	const i = rng.int(ls.length);
	ls[i] = rng.pick(['', '\t', '  ', '\t \t', '\v', '\f', '\u00a0', '\u3000']) + ls[i]!.trimStart();
	return ls.join('\n');
};

/** Every mutator, by name (pick a subset for another input language). */
export const mutators: Readonly<Record<string, Mutator>> = Object.freeze({
	flipCodeUnitBit,
	flipUtf8Bits,
	randomByte,
	deleteToken,
	duplicateToken,
	swapTokens,
	dictionaryToken,
	oddNumber,
	insertOddChar,
	insertUnicode,
	insertNul,
	longLine,
	lineEndings,
	deleteLine,
	duplicateLine,
	swapLines,
	truncate,
	crossover,
	indentation,
});

/** Apply 1…maxStack random mutators (from `use`, default all) in a row. */
export function mutate(input: string, rng: Rng, ctx: MutationContext, maxStack = 4, use: readonly Mutator[] = Object.values(mutators)): string {
	let out = input;
	const n = rng.range(1, maxStack);
	for (let i = 0; i < n; i++) out = rng.pick(use)(out, rng, ctx);
	return out;
}

/**
 * `count` fuzz inputs from a seed corpus: each a stack of mutations of a corpus
 * entry (now and then of a previous mutant, so mutations compound).
 * Deterministic for a given seed.
 */
export function* fuzzInputs(
	corpus: readonly string[],
	count: number,
	seed: number,
	options: {dictionary?: readonly string[]; maxStack?: number; use?: readonly Mutator[]} = {},
): Generator<{input: string; index: number}> {
	const rng = new Rng(seed);
	const ctx: MutationContext = {dictionary: options.dictionary ?? [], corpus};
	let previous = corpus[0] ?? '';
	for (let index = 0; index < count; index++) {
		const base = rng.chance(0.2) ? previous : rng.pick(corpus.length > 0 ? corpus : ['']);
		const input = mutate(base, rng, ctx, options.maxStack ?? 4, options.use);
		// Keep mutants from growing without bound when they compound.
		previous = input.length > 200_000 ? (corpus[0] ?? '') : input;
		yield {input, index};
	}
}
