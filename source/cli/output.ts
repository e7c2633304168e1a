// Streamed output for the headless commands: text is gathered into large
// chunks, written as the run goes, and the run waits while the reader is
// behind (backpressure), so memory stays bounded whatever the reader's pace.
// A reader that goes away (EPIPE: `cowdbg run X | head -1`) ends the output
// quietly, as Unix tools do.

import type {Writable} from 'node:stream';

/** Text gathered before it is handed to the stream. */
const CHUNK = 64 * 1024;
/** The stream's own queue may hold this much before the run waits for it to drain. */
const QUEUE_LIMIT = 1024 * 1024;

export class Output {
	/** Text gathered, and its length. */
	private parts: string[] = [];
	private length = 0;
	/** The reader closed its end (EPIPE) or the stream failed: nothing more is written. */
	closed = false;
	error: NodeJS.ErrnoException | null = null;
	private readonly stream: Writable;
	private readonly onError = (error: NodeJS.ErrnoException): void => {
		this.closed = true;
		this.parts = [];
		this.length = 0;
		if (error.code !== 'EPIPE' && this.error === null) this.error = error;
		this.wake();
	};
	private waiters: (() => void)[] = [];

	constructor(stream: Writable) {
		this.stream = stream;
		stream.on('error', this.onError);
	}

	/** Append text; it is written once a chunk has gathered. */
	write(text: string): void {
		if (this.closed) return;
		this.parts.push(text);
		this.length += text.length;
		if (this.length >= CHUNK) this.flush();
	}

	/** Hand what has gathered to the stream. */
	flush(): void {
		if (this.closed || this.length === 0) return;
		const text = this.parts.join('');
		this.parts = [];
		this.length = 0;
		try {
			this.stream.write(text);
		} catch (error) {
			this.onError(error as NodeJS.ErrnoException);
		}
	}

	/** Whether the producer should wait (`await output.drained()`) before producing more. */
	get behind(): boolean {
		return !this.closed && this.stream.writableLength > QUEUE_LIMIT;
	}

	/** Resolves once the stream's queue has drained, or the stream closed. */
	drained(): Promise<void> {
		if (!this.behind) return Promise.resolve();
		return new Promise((resolve) => {
			this.waiters.push(resolve);
			this.stream.once('drain', () => this.wake());
		});
	}

	private wake(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const w of waiters) w();
	}

	/** Flush and wait until everything written has left the process (or the reader went away). */
	async end(): Promise<void> {
		this.flush();
		if (this.closed) return;
		await new Promise<void>((resolve) => {
			if (this.stream.writableLength === 0) {
				resolve();
				return;
			}
			const done = (): void => {
				this.stream.off('drain', done);
				this.stream.off('error', done);
				resolve();
			};
			this.stream.on('drain', done);
			this.stream.on('error', done);
		});
	}
}

/**
 * End the process the way a Unix tool that wrote into a closed pipe ends:
 * killed by SIGPIPE (the shell reports 141). Node ignores SIGPIPE, so the
 * default action is put back first (adding and removing a listener does
 * that); if the signal still does not end the process, exit 141.
 */
export function exitOnBrokenPipe(): void {
	process.exitCode = 128 + 13;
	try {
		const ignore = (): void => {};
		process.on('SIGPIPE', ignore);
		process.off('SIGPIPE', ignore);
		process.kill(process.pid, 'SIGPIPE');
	} catch {
		// no signals here: the exit status says it
	}
	setTimeout(() => process.exit(128 + 13), 100).unref();
}
