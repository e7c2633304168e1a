// docs/scenario-language.md lists every instruction with the usage its errors
// quote, and every config key with the values it takes and its default: both
// come from the parser's tables, so the page and the parser cannot drift apart.

import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {defaultConfig} from '../../source/kernel/program.js';
import {configKeys, configTable} from '../../source/scenario/config.js';
import {instructions, mapUsage} from '../../source/scenario/instructions.js';
import {topLevelUsages} from '../../source/scenario/parser.js';

const page = readFileSync(fileURLToPath(new URL('../../docs/scenario-language.md', import.meta.url)), 'utf8');

/** The section under a `## ` heading, up to the next one. */
function section(heading: string): string {
	const start = page.indexOf(`\n## ${heading}\n`);
	expect(start, `docs/scenario-language.md has a section '${heading}'`).toBeGreaterThanOrEqual(0);
	const end = page.indexOf('\n## ', start + 1);
	return page.slice(start, end < 0 ? undefined : end);
}

/** The cells of the table rows of a text, `\|` read as `|` and code spans unquoted. */
function rows(text: string): string[][] {
	return text
		.split('\n')
		.filter((line) => line.startsWith('| ') && !/^\|[-|]+\|$/.test(line))
		.map((line) =>
			line
				.slice(2, -2)
				.split(/ (?<!\\)\| /)
				.map((cell) => cell.replace(/\\\|/g, '|').replace(/^`(.*)`$/, '$1')),
		);
}

describe('docs/scenario-language.md', () => {
	it('lists each instruction once, with the usage its errors quote', () => {
		const documented = rows(section('Instructions'))
			.slice(1)
			.map((cells) => cells[0]!);
		const usages = Object.values(instructions).map((spec) => spec.usage);
		expect(documented.length).toBeGreaterThan(20);
		expect(new Set(documented).size).toBe(documented.length);
		expect([...documented].sort()).toEqual([...usages].sort());
	});

	it('gives the usage of a map line and of each top-level line as errors quote it', () => {
		expect(section('Programs and regions')).toContain(`\`${mapUsage}\``);
		const intro = page.slice(0, page.indexOf('\n## '));
		for (const usage of Object.values(topLevelUsages)) expect(intro).toContain(`\`${usage}\``);
	});

	it('lists each config key once, with the values it takes and its default', () => {
		const table = rows(page.slice(0, page.indexOf('\n## '))).slice(1);
		expect(table.map((cells) => cells[0])).toEqual(configKeys);
		for (const [key, values, fallback] of table) {
			const k = key as keyof typeof configTable;
			expect(values, key).toBe(configTable[k].usage);
			const value = defaultConfig[k];
			expect(fallback, key).toBe(value === null ? 'frames' : typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
		}
	});
});
