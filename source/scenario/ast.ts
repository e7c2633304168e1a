// The parsed form of a scenario file (docs/scenario-language.md). The parser
// produces it; its config and programs are the kernel's own types
// (kernel/program.ts), which the kernel executes.

import type {Config, Position, Program} from '../kernel/program.js';

export type BreakLine = {spec: string; pos: Position};

export type Scenario = {
	/** The path the file was read from (for messages), or a name given by the caller. */
	file: string;
	/** The whole source text, kept so a session file can embed it. */
	source: string;
	title: string | null;
	config: Config;
	breaks: BreakLine[];
	programs: Program[];
	/** The program pid 1 runs. */
	init: string;
};

export type Diagnostic = {
	file: string;
	line: number;
	col: number;
	message: string;
	/** The offending source line, for the caret display. */
	sourceLine: string;
};

export type ParseResult = {ok: true; scenario: Scenario} | {ok: false; errors: Diagnostic[]};
