// What a frame is drawn from (the Model) and what it is drawn into (the View):
// the status line, the panes by band or an overlay, the bottom lines. Each
// piece is built by a file of this directory; view.ts composes them and
// frame.ts turns the View into the rows the terminal shows.

import type {Debugger, Progress} from '../../debugger/debugger.js';
import type {StopFocus} from '../../debugger/focus.js';
import type {FrameSnapshot} from '../../debugger/views.js';
import type {Pane} from '../panes.js';
import type {UiState} from '../state.js';
import type {Line} from '../text.js';
import {ViewCache} from './cache.js';

export type ReplayInfo = {
	index: number;
	total: number;
	speed: number;
	state: 'playing' | 'done' | 'taken-over' | 'diverged';
	/** Checkpoints verified so far, and how many the session has. */
	verified?: number;
	checkpoints?: number;
	/** What differs, once a checkpoint did not match (state 'diverged'). */
	divergence?: string;
};

export type SessionInfo = {
	file: string;
	/** Where the session is recorded, or null. */
	recording: string | null;
	/** Why recording was asked for but is not happening, or null. */
	recordingNote: string | null;
	replay: ReplayInfo | null;
	/** The tick a running continue started from (for its progress), or null. */
	runningFrom: number | null;
	/**
	 * The action running in slices, or null: what it is, how far (null until
	 * its first slice ends), and whether it runs forward (then it pauses, else it is cancelled).
	 */
	working?: {label: string; progress: Progress | null; forward: boolean} | null;
	/** The Log filter's first count over a long run, in slices: how far, or null when there is none under way. */
	filtering?: Progress | null;
};

/** Everything a frame is drawn from. */
export type Model = {
	dbg: Debugger;
	ui: UiState;
	session: SessionInfo;
	/** The frame table before the last debug action (for "changed since the last step"), or null. */
	before: FrameSnapshot | null;
	/** What the last stop is about (its event, page, frames and decision), or null; the panes bring it into view. */
	focus: StopFocus | null;
	cache: ViewCache;
};

export type PaneView = {pane: Pane; width: number; height: number; focused: boolean; title: Line; lines: Line[]};

export type View = {
	width: number;
	height: number;
	status: Line;
	/** The panes by band, or a full-body list (help, breakpoints). */
	bands: PaneView[][] | null;
	overlay: {title: Line; lines: Line[]} | null;
	bodyHeight: number;
	bottom: Line[];
};

/** What a pane builder returns: its title's info, its lines, how many rows it has in all, and where it scrolls itself to when it follows. */
export type PaneContent = {
	info: string;
	lines: Line[];
	rows: number;
	autoTop?: number;
	/** Columns it scrolls right at most (the Log). */
	leftMax?: number;
};

export function createModel(dbg: Debugger, ui: UiState, session: Partial<SessionInfo> = {}): Model {
	return {
		dbg,
		ui,
		session: {file: dbg.scenario.file, recording: null, recordingNote: null, replay: null, runningFrom: null, ...session},
		before: null,
		focus: null,
		cache: new ViewCache(),
	};
}
