// The memory picture (`run --svg FILE`): rendered to PNG by a real SVG
// renderer (resvg), at the size the SVG declares, with the frames drawn where
// the layout put them; its facts are the debugger's views at the stop.

import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Resvg} from '@resvg/resvg-js';
import {describe, expect, it} from 'vitest';
import {Debugger} from '../../source/debugger/debugger.js';
import {frameRow, pteCount} from '../../source/debugger/views.js';
import {MAX_ROWS, describeStop, memoryPicture, writeStopSvg, xmlText, type Picture} from '../../source/export/svg.js';
import {Controller} from '../../source/tui/controller.js';
import {frameLines} from '../../source/tui/render/frame.js';
import type {KernelEvent} from '../../source/kernel/events.js';
import {loadScenario} from '../../source/debugger/load.js';
import {parse} from '../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'cowdbg-svg-'));

function atStop(file: string, breaks: string[] = []): Debugger {
	const l = loadScenario(file, [], breaks);
	const dbg = new Debugger(l.scenario, l.config, l.breakpoints);
	while (dbg.continue(100_000) === null) {
		// to the stop
	}
	return dbg;
}

type Rendered = {png: Buffer; width: number; height: number; pixel: (x: number, y: number) => [number, number, number]};

function render(svg: string): Rendered {
	const image = new Resvg(svg, {font: {loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans Mono'}}).render();
	const pixels = image.pixels;
	return {
		png: image.asPng(),
		width: image.width,
		height: image.height,
		pixel: (x, y) => {
			const i = (Math.round(y) * image.width + Math.round(x)) * 4;
			return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
		},
	};
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
	expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
	return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

const white: [number, number, number] = [255, 255, 255];

function checkRender(picture: Picture): Rendered {
	const r = render(picture.svg);
	expect([r.width, r.height]).toEqual([picture.width, picture.height]);
	expect(pngSize(r.png)).toEqual([picture.width, picture.height]);
	// Every frame box is painted (its kind's fill, not the page), and so is every mm box.
	for (const [pfn, box] of picture.frames) {
		expect(r.pixel(box.x + 5, box.y + box.h / 2), `frame ${pfn}`).not.toEqual(white);
		if (box.highlighted) {
			const [red, green, blue] = r.pixel(box.x + 1, box.y + box.h / 2);
			expect(red, `frame ${pfn} has an orange border`).toBeGreaterThan(180);
			expect(blue).toBeLessThan(90);
			expect(green).toBeLessThan(160);
		}
	}
	for (const [id, box] of picture.mms) expect(r.pixel(box.x + 1, box.y + box.h / 2), `mm ${id}`).not.toEqual(white);
	// The page itself is white where nothing is drawn (the gap below the title, right of the frames).
	expect(r.pixel(picture.width - 3, 130)).toEqual(white);
	return r;
}

describe('the memory picture', () => {
	it('fork-cow at its cow stop: both mm, the shared and the copied frames, COW marks, the event in orange', () => {
		const dbg = atStop('scenarios/fork-cow.scn');
		expect(dbg.lastStop.reason).toBe('break');
		const stop = describeStop(dbg, 'fork-cow.scn');
		const fault = stop.event as Extract<KernelEvent, {type: 'fault'}>;
		expect(fault).toMatchObject({type: 'fault', kind: 'cow-copy', pid: 2});
		expect(stop.title).toBe(`tick ${dbg.tick} · breakpoint cow`);
		const picture = memoryPicture(dbg.kernel, stop);
		expect([...picture.mms.keys()]).toEqual([1, 2]);
		// Parent on the left, child on the right, frames between them.
		const [parent, child] = [picture.mms.get(1)!, picture.mms.get(2)!];
		const frameX = [...picture.frames.values()][0]!.x;
		expect(parent.x + parent.w).toBeLessThan(frameX);
		expect(child.x).toBeGreaterThan(frameX);
		// The copied-to and copied-from frames are highlighted, and labelled with their counts.
		const highlighted = [...picture.frames]
			.filter(([, b]) => b.highlighted)
			.map(([pfn]) => pfn)
			.sort((a, b) => a - b);
		expect(highlighted).toEqual([fault.from!, fault.frame!].sort((a, b) => a - b));
		for (const pfn of picture.frames.keys()) {
			const f = frameRow(dbg.kernel, pfn);
			expect(picture.svg).toContain(`>pfn ${pfn}</tspan> ${f.kind}</text>`);
			expect(picture.svg).toContain(`>ref ${f.refcount} map ${f.mapcount}${f.kind === 'zero' ? '*' : ''}</text>`);
		}
		// The parent's heap PTEs are still read-only in a writable private VMA: marked COW.
		expect(picture.svg.match(/>COW<\/text>/g)!.length).toBeGreaterThanOrEqual(3); // the parent's two, the legend's
		checkRender(picture);
	});

	it('vfork: one mm shared by parent and child; no-MMU: regions drawn to their frame ranges', () => {
		const vfork = memoryPicture(atStop('scenarios/vfork-completion.scn', ['completion']).kernel, {title: 't', subtitle: '', scenario: '', event: null});
		expect(vfork.mms.size).toBe(1);
		expect(vfork.svg).toMatch(/mm 1 · pid 1 \(init\), pid 2 \(\w+\)/);
		checkRender(vfork);
		const dbg = atStop('scenarios/nommu-vfork.scn', ['completion']);
		const nommu = memoryPicture(dbg.kernel, describeStop(dbg, 'nommu-vfork.scn'));
		expect(nommu.svg).toContain('frames (no MMU)');
		expect(nommu.svg).toMatch(/>pfn \d+–\d+<\/tspan> anon/);
		checkRender(nommu);
	});

	it('a big address space: at most MAX_ROWS rows per mm, the rest counted', () => {
		const s = parse(`config frames=512
program init
  map big 100 rw-
  touch big write
  exit 0
end
`);
		const dbg = new Debugger(s, s.config, ['exit']);
		while (dbg.continue(100_000) === null) {
			// to the exit
		}
		dbg.reverseStep();
		const picture = memoryPicture(dbg.kernel, describeStop(dbg, 'big.scn'));
		const rows = picture.svg.match(/>0x[0-9a-f]+ +big +W/g)!.length;
		expect(rows).toBe(MAX_ROWS - 1); // text takes the first row
		const ptes = pteCount(dbg.kernel, dbg.kernel.mms.get(1)!);
		expect(ptes).toBeGreaterThan(100);
		expect(picture.svg).toContain(`… ${ptes - MAX_ROWS} more PTEs`);
		checkRender(picture);
	});

	it('escapes what it quotes: markup characters as entities, control characters visibly', () => {
		expect(xmlText('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
		expect(xmlText('bell\u0007 esc\u001b[31m')).toBe('bell\\x07 esc\\x1b[31m');
		const dbg = atStop('scenarios/fork-cow.scn');
		const picture = memoryPicture(dbg.kernel, {title: '<script>\u0001', subtitle: '& </text>', scenario: '"', event: null});
		expect(picture.svg).not.toContain('<script>');
		expect(picture.svg).toContain('&lt;script&gt;\\x01');
		render(picture.svg);
	});
});

describe('run --svg', () => {
	function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
		const r = spawnSync(process.execPath, ['dist/cli.js', ...args], {encoding: 'utf8', timeout: 30_000});
		return {status: r.status, stdout: r.stdout, stderr: r.stderr};
	}

	it('writes the picture of the stop', () => {
		const file = join(dir, 'cow.svg');
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--svg', file);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const svg = readFileSync(file, 'utf8');
		const tick = /end: break/.test(r.stdout) ? r.stdout.trimEnd().split('\n').at(-1)!.trim().split(/\s+/)[0] : '?';
		expect(svg).toContain(`<title>tick ${tick} · breakpoint cow</title>`);
		const image = render(svg);
		expect(image.width).toBeGreaterThan(1000);
	});

	it('a run to the end: the title says how it ended, and no mm is left', () => {
		const file = join(dir, 'end.svg');
		const r = cowdbg('run', 'scenarios/exec-exit-wait.scn', '--svg', file);
		expect(r.status).toBe(0);
		const svg = readFileSync(file, 'utf8');
		expect(svg).toMatch(/<title>tick \d+ · ended: exited<\/title>/);
		expect(svg).toContain('no live address space');
		render(svg);
	});

	it('refuses a file it cannot create before running, naming the flag (exit 2)', () => {
		const r = cowdbg('run', 'scenarios/fork-cow.scn', '--svg', join(dir, 'missing', 'x.svg'));
		expect(r.status).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr).toMatch(/^cowdbg: --svg '.*x\.svg': /);
	});
});

describe("the TUI's picture key (P)", () => {
	it("writes the stop's picture to a new file each time and says where", () => {
		const out = mkdtempSync(join(tmpdir(), 'cowdbg-pkey-'));
		const l = loadScenario('scenarios/fork-cow.scn');
		const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints), {picture: (d) => writeStopSvg(d, 'scenarios/fork-cow.scn', out)});
		c.setSize(100, 30);
		c.key({input: 'c'});
		const tick = c.dbg.tick;
		c.key({input: 'P'});
		c.key({input: 'P'});
		expect(readdirSync(out).sort()).toEqual([`cowdbg-fork-cow-tick-${tick}-2.svg`, `cowdbg-fork-cow-tick-${tick}.svg`]);
		expect(frameLines(c.view()).join('\n')).toContain(`picture of tick ${tick} written to ${join(out, `cowdbg-fork-cow-tick-${tick}-2.svg`)}`);
		const svg = readFileSync(join(out, `cowdbg-fork-cow-tick-${tick}.svg`), 'utf8');
		expect(svg).toContain(`<title>tick ${tick} · breakpoint cow</title>`);
		render(svg);
	});

	it('says why when it cannot write', () => {
		const l = loadScenario('scenarios/fork-cow.scn');
		const c = new Controller(new Debugger(l.scenario, l.config, l.breakpoints), {picture: (d) => writeStopSvg(d, 'x.scn', join(dir, 'no', 'such'))});
		c.setSize(100, 30);
		c.key({input: 'P'});
		expect(frameLines(c.view()).join('\n')).toMatch(/picture not written: ENOENT/);
	});
});

describe('the README picture', () => {
	it('is what run fork-cow --svg writes today (regenerate docs/fork-cow-cow.svg and .png when it changes)', () => {
		const dir = mkdtempSync(join(tmpdir(), 'cowdbg-docs-svg-'));
		const out = join(dir, 'cow.svg');
		const r = spawnSync(process.execPath, ['dist/cli.js', 'run', 'scenarios/fork-cow.scn', '--svg', out], {encoding: 'utf8'});
		expect(r.status).toBe(0);
		expect(readFileSync(out, 'utf8')).toBe(readFileSync('docs/fork-cow-cow.svg', 'utf8'));
	});
});
