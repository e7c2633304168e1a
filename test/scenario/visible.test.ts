import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {visible, visibleJson} from '../../source/scenario/visible.js';

const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('visible', () => {
	it('writes every control character as an escape a reader sees', () => {
		expect(visible('\u001b]2;TITLE\u0007\u001b[2J')).toBe('\\x1b]2;TITLE\\x07\\x1b[2J');
		expect(visible('a\tb\nc\u007f\u009b\u202e')).toBe('a\\x09b\\x0ac\\x7f\\x9b\\u202e');
		expect(visible('plain text, é and 漢字')).toBe('plain text, é and 漢字');
	});

	it('leaves no control character in any string, and is idempotent', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary'}), (s) => {
				const v = visible(s);
				expect(v).not.toMatch(controls);
				expect(visible(v)).toBe(v);
			}),
			{numRuns: 1000},
		);
	});

	it('keeps JSON the same value with no raw control character', () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				const json = visibleJson(JSON.stringify(value));
				expect(json).not.toMatch(controls);
				expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)));
			}),
			{numRuns: 1000},
		);
	});
});
