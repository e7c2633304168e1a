// A tmux server of its own (-L) with one session, for the end-to-end tests
// that drive the real binary in a real terminal: nothing here touches anyone
// else's tmux.

import {execFileSync, spawnSync} from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export class Tmux {
	readonly session: string;

	constructor(name: string) {
		this.session = `cowdbg-${name}-${process.pid}-${Date.now()}`;
	}

	/** A tmux command on this server. */
	run(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.session, ...args], {encoding: 'utf8'});
	}

	/**
	 * The session, width × height, running `command`. It also turns off the
	 * server's exit-empty: otherwise killing a test's session makes the server
	 * exit, and the next test's session can reach it while it is going away
	 * ("server exited unexpectedly"), which a busy machine makes likely.
	 */
	open(width: number, height: number, command: string): void {
		this.run('new-session', '-d', '-s', this.session, '-x', String(width), '-y', String(height), command, ';', 'set-option', '-s', 'exit-empty', 'off');
	}

	screen(): string {
		return this.run('capture-pane', '-p', '-t', this.session);
	}

	rows(): string[] {
		return this.screen().replace(/\n$/, '').split('\n');
	}

	flag(name: string): string {
		return this.run('display-message', '-p', '-t', this.session, `#{${name}}`).trim();
	}

	send(...keys: string[]): void {
		this.run('send-keys', '-t', this.session, ...keys);
	}

	/** The screen once it matches `what`. */
	async waitFor(what: RegExp, ms = 15_000): Promise<string> {
		const end = Date.now() + ms;
		let last = '';
		while (Date.now() < end) {
			last = this.screen();
			if (what.test(last)) return last;
			await new Promise((r) => setTimeout(r, 50));
		}
		throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
	}

	/** The screen's rows once `ok` holds for them. */
	async settle(ok: (lines: string[]) => boolean, ms = 15_000): Promise<string[]> {
		const end = Date.now() + ms;
		let lines: string[] = [];
		while (Date.now() < end) {
			lines = this.rows();
			if (ok(lines)) return lines;
			await new Promise((r) => setTimeout(r, 50));
		}
		throw new Error(`timed out; the screen was:\n${lines.join('\n')}`);
	}

	kill(): void {
		spawnSync('tmux', ['-L', this.session, 'kill-server']);
	}
}
