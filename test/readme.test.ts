// The README's scenario example does what its title says, and its kernel-step
// session is what the binary prints.

import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {endOf, faults, run} from './helpers/run.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
	it('the tour example, "one copy, one reuse", makes exactly one copy and one reuse, and its expects hold', () => {
		const block = /```\n(scenario "fork, then both write: one copy, one reuse"\n[\s\S]*?)```/.exec(readme);
		expect(block).not.toBeNull();
		const r = run(block![1]!);
		const cow = faults(r.events).filter((e) => e.kind.startsWith('cow-'));
		expect(cow.map((e) => `${e.kind} pid ${e.pid}`)).toEqual(['cow-copy pid 2', 'cow-reuse pid 1']);
		expect(endOf(r.events)).toMatchObject({reason: 'exited', expects_failed: 0, expects_unreached: 0});
	});
});

describe('README, "Stepping into the kernel"', () => {
	const section = /\n## Stepping into the kernel\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
	// Each block is `$ command` lines, each followed by its output; cowdbg is the built binary.
	const runs: {command: string; output: string}[] = [];
	for (const block of section.matchAll(/```\n([\s\S]*?)```/g)) {
		for (const part of block[1]!.split(/^(?=\$ )/m)) {
			const [first, ...rest] = part.split('\n');
			runs.push({command: first!.slice(2), output: rest.join('\n')});
		}
	}

	it('shows a session of four commands', () => {
		expect(runs.map((r) => r.command.split(' ').slice(0, 4).join(' '))).toEqual([
			'cowdbg run fork-cow --break',
			'cowdbg run fork-cow --break',
			'cowdbg run fork-cow --ksteps',
			'cowdbg run fork-cow --ftrace',
		]);
	});

	it.each(runs.map((r) => [r.command, r.output]))('prints what the binary prints: %s', (command, output) => {
		const bin = join(process.cwd(), 'dist', 'cli.js');
		const r = spawnSync('bash', ['-c', `cowdbg() { "${process.execPath}" "${bin}" "$@"; }\n${command}`], {encoding: 'utf8'});
		expect(r.stdout).toBe(output);
	});
});
