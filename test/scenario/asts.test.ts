// A golden record of the parser: the source of every scenario in scenarios/
// and test/fixtures/ as it was when the parser was split into config,
// operands and an instruction table, with the AST the parser made of it then
// (test/fixtures/parser/asts.json). The sources are kept in the record, so a
// scenario edited or added later does not touch it; a change of the parser
// that alters any of these ASTs does.

import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {ParseResult} from '../../source/scenario/ast.js';
import {parseScenario} from '../../source/scenario/parser.js';

type Recorded = {file: string; source: string; result: unknown};

/** A parse result as JSON holds it, without the source text the scenario keeps verbatim. */
function recordable(r: ParseResult): unknown {
	if (!r.ok) return r;
	const {source: _source, ...scenario} = r.scenario;
	return JSON.parse(JSON.stringify({ok: true, scenario}));
}

const recorded = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/parser/asts.json', import.meta.url)), 'utf8')) as Recorded[];

describe('the recorded ASTs of the repository’s scenarios', () => {
	it('holds every scenario and fixture', () => {
		expect(recorded.length).toBeGreaterThan(50);
		expect(recorded.filter((r) => r.file.startsWith('test/fixtures/')).length).toBeGreaterThan(5);
	});

	it.each(recorded.map((r) => [r.file, r] as const))('%s parses as recorded', (_file, r) => {
		const result = parseScenario(r.source, r.file);
		if (result.ok) expect(result.scenario.source).toBe(r.source);
		expect(recordable(result)).toEqual(r.result);
	});
});
