// `cowdbg compare` and `--kernel` as a user meets them: the built binary.

import {spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

const bin = join(process.cwd(), 'dist', 'cli.js');

function cowdbg(...args: string[]): {status: number | null; stdout: string; stderr: string} {
	const r = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', input: ''});
	return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}

describe('cowdbg compare', () => {
	it("vmsplice-pin: the runs part at the parent's write (cow-reuse against cow-copy), and the expects that differ are named; exit 1", () => {
		const r = cowdbg('compare', 'scenarios/vmsplice-pin.scn');
		expect(r.status).toBe(1);
		expect(r.stdout).toContain('scenarios/vmsplice-pin.scn: kernel 2.6.32 and kernel 6.18');
		expect(r.stdout).toContain('they part at event 28 (tick 21):');
		expect(r.stdout).toMatch(
			/^≠ +21 pid 1 fault cow-reuse write 0x600000 \(buf\) → pfn 9\b[^│]*│ +21 pid 1 fault cow-copy write 0x600000 \(buf\) → pfn 21/m,
		);
		expect(r.stdout).toMatch(/^≠ fault cow-copy +0 +1$/m);
		expect(r.stdout).toMatch(/^≠ fault cow-reuse +1 +0$/m);
		expect(r.stdout).toMatch(/^≠ expect line 30 +ok +not run$/m);
		expect(r.stdout).toMatch(/^≠ expect line 31 +not run +ok$/m);
		expect(r.stdout).toMatch(/^  end +exited +exited$/m);
	});

	it('fork-cow (by name): no difference, exit 0', () => {
		const r = cowdbg('compare', 'fork-cow');
		expect(r.status).toBe(0);
		expect(r.stdout).toContain('the same run: 42 events, identical under both kernels');
		expect(r.stdout).not.toContain('≠');
	});

	it('--json: one object with the first difference and both summaries', () => {
		const r = cowdbg('compare', 'scenarios/era-wipeonfork.scn', '--json');
		expect(r.status).toBe(1);
		const o = JSON.parse(r.stdout) as {
			kernels: string[];
			same: boolean;
			first_difference: {a: {name: string; ret: number}; b: {name: string; ret: number}};
			expects: {line: number}[];
		};
		expect(o.kernels).toEqual(['2.6.32', '6.18']);
		expect(o.same).toBe(false);
		expect([o.first_difference.a.name, o.first_difference.a.ret, o.first_difference.b.ret]).toEqual(['madvise', -22, 0]);
		expect(o.expects.map((e) => e.line)).toEqual([12, 13, 20, 21]);
	});

	it('--kernel twice picks the eras (the same era twice: no difference); bad input exits 2 naming the flag', () => {
		expect(cowdbg('compare', 'vmsplice-pin', '--kernel', '6.18', '--kernel', '6.18').status).toBe(0);
		const bad = cowdbg('compare', 'fork-cow', '--kernel', '5.4', '--kernel', '6.18');
		expect(bad.status).toBe(2);
		expect(bad.stderr).toContain("--kernel: '5.4' is not a kernel era: 2.6.32 or 6.18");
		expect(cowdbg('compare', 'fork-cow', '--kernel', '6.18').status).toBe(2);
		expect(cowdbg('compare', 'no-such-scenario').status).toBe(2);
	});
});

describe('--kernel on the other commands', () => {
	it('run --kernel 6.18 is run --set kernel=6.18; two eras are refused; an unknown one exits 2', () => {
		const a = cowdbg('run', 'vmsplice-pin', '--kernel', '6.18');
		const b = cowdbg('run', 'vmsplice-pin', '--set', 'kernel=6.18');
		expect(a.status).toBe(0);
		expect(a.stdout).toBe(b.stdout);
		expect(a.stdout).toContain('fault cow-copy write 0x600000');
		expect(cowdbg('run', 'fork-cow', '--kernel', '6.18', '--kernel', '2.6.32').status).toBe(2);
		const bad = cowdbg('check', 'fork-cow', '--kernel', '7');
		expect(bad.status).toBe(2);
		expect(bad.stderr).toContain('kernel must be 2.6.32 or 6.18');
	});

	it('check passes every era scenario under both kernels', () => {
		const names = ['vmsplice-pin', 'era-pin-before-fork', 'era-vfork-killable', 'vfork-coredump', 'era-fault-around', 'era-wipeonfork'];
		for (const kernel of ['2.6.32', '6.18']) {
			const r = cowdbg('check', ...names, '--kernel', kernel);
			expect(r.stdout.split('\n').filter((l) => l.startsWith('PASS')).length, r.stdout).toBe(names.length);
			expect(r.status).toBe(0);
		}
	});
});
