import {EventEmitter} from 'node:events';
import {describe, expect, it} from 'vitest';
import {TerminalPainter} from '../../source/tui/screen.js';

function fakeTerminal() {
	const out = new EventEmitter() as EventEmitter & {written: string[]; write: (s: string) => boolean};
	out.written = [];
	out.write = (s: string) => {
		out.written.push(s);
		return true;
	};
	return out;
}

describe('TerminalPainter', () => {
	it('paints everything once, then only the rows that changed, never clearing the screen', () => {
		const term = fakeTerminal();
		const p = new TerminalPainter(term as unknown as NodeJS.WriteStream);
		p.paint(['a', 'b', 'c']);
		expect(term.written[0]).toContain('\u001B[2J');
		p.paint(['a', 'B', 'c']);
		const second = term.written[1]!;
		expect(second).not.toContain('\u001B[2J');
		expect(second).toContain('\u001B[2;1HB');
		expect(second).not.toContain('\u001B[1;1H');
		expect(second.startsWith('\u001B[?2026h')).toBe(true); // a synchronized update
		p.paint(['a', 'B', 'c']);
		expect(term.written).toHaveLength(2); // nothing changed, nothing written
	});

	it('repaints everything after a resize', () => {
		const term = fakeTerminal();
		const p = new TerminalPainter(term as unknown as NodeJS.WriteStream);
		p.paint(['a', 'b']);
		term.emit('resize');
		p.paint(['a', 'b']);
		expect(term.written[1]).toContain('\u001B[1;1Ha');
		expect(term.written[1]).toContain('\u001B[2;1Hb');
	});
});

describe('TerminalPainter after the terminal shrinks', () => {
	it('never addresses a row below the new frame (the cursor would clamp to the last row and erase it)', () => {
		const term = fakeTerminal();
		const p = new TerminalPainter(term as unknown as NodeJS.WriteStream);
		p.paint(['1', '2', '3', '4']);
		term.emit('resize');
		p.paint(['1', 'bar']);
		const rowsAddressed = [...term.written[1]!.matchAll(/\u001B\[(\d+);1H/g)].map((m) => Number(m[1]));
		expect(Math.max(...rowsAddressed)).toBe(2);
	});
});
