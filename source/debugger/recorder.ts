// Session files on disk: reading one back (`replay`), and the recorder the
// TUI sends its actions to (`--record FILE`). The format and its checks are
// in session.ts, which does no I/O.
//
// The recorder treats the target as hostile ground: the file is always
// written to a temporary file created exclusively (O_EXCL|O_NOFOLLOW) under
// an unpredictable name in the same directory, synced, then renamed over the
// target (or linked to it when it must not exist yet), so a planted symlink is
// never followed and an interrupted or failed write (a full disk) leaves the
// last good file in place. Anything but a regular file at the target is
// refused, --force or not.

import {randomBytes} from 'node:crypto';
import {closeSync, constants, fsyncSync, linkSync, lstatSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {visible} from '../scenario/visible.js';
import {stateHash} from '../kernel/dump.js';
import {boot} from '../kernel/kernel.js';
import type {ActionSink, DebugAction} from './actions.js';
import type {Debugger} from './debugger.js';
import {UsageError, readText, type Loaded} from './load.js';
import {CHECKPOINT_ACTIONS, CHECKPOINT_TICKS, MAX_SESSION_BYTES, encodeSession, parseSession, sha256, type Session, type SessionData} from './session.js';

/** The recorder saves what it has this often (and on close). */
export const SAVE_EVERY_MS = 5000;

/** Read and validate a session file (UsageError for anything wrong with it). */
export function loadSession(file: string): Session {
	return parseSession(readText(file, 'session', file, MAX_SESSION_BYTES), file);
}

/** What lstat says the path is, in a message ("a symbolic link"), or null for a regular file. */
function notRegular(st: NonNullable<ReturnType<typeof lstatSync>>): string | null {
	if (st.isFile()) return null;
	if (st.isSymbolicLink()) return 'a symbolic link';
	if (st.isDirectory()) return 'a directory';
	if (st.isCharacterDevice()) return 'a character device';
	if (st.isBlockDevice()) return 'a block device';
	if (st.isFIFO()) return 'a FIFO';
	if (st.isSocket()) return 'a socket';
	return 'not a regular file';
}

function errnoText(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'no such directory';
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'ENOSPC') return 'no space left on the device';
	if (code === 'EDQUOT') return 'disk quota exceeded';
	if (code === 'EROFS') return 'read-only file system';
	return visible(error instanceof Error ? error.message : String(error));
}

/**
 * Write `text` to `file` through a temporary file: created exclusively, never
 * through a link, with a name nobody can guess; synced; then renamed over the
 * target (`replace`) or linked to it, which fails if the target exists. On any
 * failure the temporary file is removed and the target is as it was.
 */
export function writeFileSafely(file: string, text: string, replace: boolean): void {
	const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
	const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
	try {
		try {
			const bytes = Buffer.from(text, 'utf8');
			for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		if (replace) renameSync(tmp, file);
		else {
			linkSync(tmp, file);
			unlinkSync(tmp);
		}
	} catch (error) {
		try {
			unlinkSync(tmp);
		} catch {
			// already gone (renamed, or never written)
		}
		throw error;
	}
}

export type RecorderOptions = {
	file: string;
	/** Overwrite an existing regular file. */
	force: boolean;
	loaded: Loaded;
	/** The breakpoint specs set when recording begins. */
	breakpoints: readonly string[];
	/** Milliseconds, monotonic (tests pass a fake clock). */
	now?: () => number;
	/** How often to save what was recorded so far (0: only on close). */
	saveEveryMs?: number;
	/** The largest file written (tests lower it). */
	maxBytes?: number;
	/** Writes the file (tests pass one that fails, as a full disk does). */
	writeFile?: (file: string, text: string, replace: boolean) => void;
};

export type Recorder = ActionSink & {
	/** What has been recorded so far. */
	readonly data: SessionData;
	/** Write the file now; a failure is thrown and also reported to the status listener. */
	save(): void;
	/** The last save's problem, or null when it worked. */
	readonly problem: string | null;
};

/**
 * Start recording to `file`. Refuses (UsageError, before anything else
 * happens) anything but a regular file at the target, an existing file unless
 * `force`, and a file it cannot write. The file is written at once, every
 * `saveEveryMs` while something changed (with a checkpoint of the state after
 * the last action, so a recording killed outright still verifies up to it),
 * and on close. A failed save keeps the last good file, is reported at once to
 * the status listener (the TUI's status line) and is tried again at the next
 * save; close() throws a UsageError if the last write fails.
 */
export function createRecorder(options: RecorderOptions): Recorder {
	const {file, force, loaded} = options;
	const now = options.now ?? (() => performance.now());
	const writeFile = options.writeFile ?? writeFileSafely;
	const maxBytes = options.maxBytes ?? MAX_SESSION_BYTES;
	const flag = `--record '${visible(file)}'`;
	let existing: ReturnType<typeof lstatSync> | undefined;
	try {
		existing = lstatSync(file, {throwIfNoEntry: false});
	} catch (error) {
		throw new UsageError(`cowdbg: ${flag}: cannot write it: ${errnoText(error)}`);
	}
	if (existing !== undefined) {
		const what = notRegular(existing);
		if (what !== null)
			throw new UsageError(
				`cowdbg: ${flag}: it is ${what}, not a regular file; a session is only written to a regular file${force ? ' (even with --force)' : ''}`,
			);
		if (!force) throw new UsageError(`cowdbg: ${flag}: the file exists; add --force to overwrite it`);
	}

	const boot0 = boot(loaded.scenario, loaded.config);
	const data: SessionData = {
		scenario: {file: loaded.scenario.file, source: loaded.scenario.source, sha256: sha256(loaded.scenario.source)},
		overrides: [...loaded.overrides],
		breakpoints: [...options.breakpoints],
		actions: [],
		checkpoints: [{actions: 0, tick: 0, hash: stateHash(boot0)}],
	};
	const start = now();
	let dirty = false;
	let closed = false;
	let lastAt = 0;
	/** The debugger and its cursor after the last recorded action. */
	let lastDbg: Debugger | null = null;
	let lastTick = 0;
	let problem: string | null = null;
	let listener: ((problem: string | null) => void) | null = null;

	const write = (replace: boolean): void => {
		const text = encodeSession(data);
		// What the recorder writes, replay reads: never more than a session may hold.
		const bytes = Buffer.byteLength(text, 'utf8');
		if (bytes > maxBytes) throw new Error(`the session would be ${bytes} bytes, more than replay reads (${maxBytes})`);
		writeFile(file, text, replace);
	};
	try {
		write(force);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') throw new UsageError(`cowdbg: ${flag}: the file exists; add --force to overwrite it`);
		throw new UsageError(`cowdbg: ${flag}: cannot write it: ${errnoText(error)}`);
	}

	const report = (next: string | null): void => {
		if (next === problem) return;
		problem = next;
		listener?.(problem);
	};
	/** A checkpoint of the state after the last action, unless the cursor moved since without one (a run still going). */
	const checkpointLast = (): void => {
		if (lastDbg === null || data.checkpoints.at(-1)!.actions === data.actions.length || lastDbg.tick !== lastTick) return;
		checkpoint(lastDbg);
	};
	const save = (): void => {
		checkpointLast();
		try {
			write(true);
		} catch (error) {
			report(`save failed: ${errnoText(error)}; the last good file is kept`);
			throw error;
		}
		dirty = false;
		report(null);
	};
	const every = options.saveEveryMs ?? SAVE_EVERY_MS;
	const timer =
		every > 0
			? setInterval(() => {
					if (!dirty) return;
					try {
						save();
					} catch {
						// shown on the status line; tried again next time, and close() reports it
					}
				}, every)
			: null;
	timer?.unref();

	const checkpoint = (dbg: Debugger): void => {
		data.checkpoints.push({actions: data.actions.length, tick: dbg.tick, hash: stateHash(dbg.kernel)});
	};

	return {
		data,
		save,
		get problem() {
			return problem;
		},
		onStatus(fn: (problem: string | null) => void): void {
			listener = fn;
			if (problem !== null) fn(problem);
		},
		record(action: DebugAction, dbg: Debugger): void {
			if (closed) return;
			const at = Math.max(lastAt, Math.round(now() - start));
			lastAt = at;
			data.actions.push({at, action});
			lastDbg = dbg;
			lastTick = dbg.tick;
			const last = data.checkpoints.at(-1)!;
			if (data.actions.length - last.actions >= CHECKPOINT_ACTIONS || Math.abs(dbg.tick - last.tick) >= CHECKPOINT_TICKS) checkpoint(dbg);
			dirty = true;
		},
		close(dbg: Debugger): void {
			if (closed) return;
			closed = true;
			if (timer !== null) clearInterval(timer);
			lastDbg = dbg;
			try {
				save();
			} catch (error) {
				const why = errnoText(error);
				throw new UsageError(
					`cowdbg: ${flag}: the session could not be saved: ${why}${existing === undefined && data.actions.length === 0 ? '' : ' (the last good save is kept)'}`,
				);
			}
		},
	};
}
