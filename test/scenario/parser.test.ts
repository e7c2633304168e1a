import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {defaultConfig, type Instruction} from '../../source/kernel/program.js';
import {CLONE_SIGHAND, CLONE_THREAD, CLONE_VFORK, CLONE_VM} from '../../source/kernel/uapi.js';
import type {Diagnostic, ParseResult, Scenario} from '../../source/scenario/ast.js';
import {closest, formatDiagnostic, formatDiagnostics} from '../../source/scenario/diagnostics.js';
import {parseConfigAssignment} from '../../source/scenario/config.js';
import {parseScenario} from '../../source/scenario/parser.js';

function ok(source: string, file = 'test.scn'): Scenario {
	const r = parseScenario(source, file);
	if (!r.ok) throw new Error(`expected a parse, got:\n${formatDiagnostics(r.errors)}`);
	return r.scenario;
}

function errors(source: string, file = 'test.scn'): Diagnostic[] {
	const r = parseScenario(source, file);
	if (r.ok) throw new Error('expected errors, got a scenario');
	return r.errors;
}

/** The errors as `LINE:COL message`. */
function errs(source: string): string[] {
	return errors(source).map((d) => `${d.line}:${d.col} ${d.message}`);
}

/** A one-program scenario around the given body lines; the body starts at line 2. */
function prog(body: string, maps = 'map heap 4 rw-'): string {
	return `program p\n${maps}\n${body}\nend\n`;
}

/** The errors of a body line placed at line 3 of prog(). */
function bodyErrs(body: string, maps?: string): string[] {
	return errs(prog(body, maps));
}

function code(body: string, maps?: string): Instruction[] {
	return ok(prog(body, maps)).programs[0]!.code;
}

function only(body: string, maps?: string): Instruction {
	const c = code(body, maps);
	expect(c).toHaveLength(1);
	return c[0]!;
}

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/parser/${name}`, import.meta.url)), 'utf8');

describe('parseScenario: valid files', () => {
	it('parses the docs/scenario-language.md example', () => {
		const source = `scenario "fork, then both write: one copy, one reuse"
config mmu=on frames=64 quantum=3
break cow                       # optional
program init
  map heap 4 rw-                # regions created at exec
  write heap[0] 1
  fork
  if ret == 0 goto child
  wait
  expect heap[0] == 1
  exit 0
child:
  write heap[0] 2
  expect heap[0] == 2
  exit 0
end
init init
`;
		const s = ok(source, 'fork-cow.scn');
		expect(s.file).toBe('fork-cow.scn');
		expect(s.source).toBe(source);
		expect(s.title).toBe('fork, then both write: one copy, one reuse');
		expect(s.config).toEqual({...defaultConfig, frames: 64});
		expect(s.breaks).toEqual([{spec: 'cow', pos: {line: 3, col: 7}}]);
		expect(s.init).toBe('init');
		expect(s.programs).toHaveLength(1);
		const p = s.programs[0]!;
		expect(p.name).toBe('init');
		expect(p.pos).toEqual({line: 4, col: 1});
		expect(p.maps).toEqual([
			{
				region: 'heap',
				pages: 4,
				prot: {r: true, w: true, x: false},
				shared: false,
				at: null,
				dontfork: false,
				locked: false,
				pos: {line: 5, col: 3},
			},
		]);
		expect(p.labels).toEqual({child: 6});
		expect(p.code).toHaveLength(9);
		expect(p.code[0]).toEqual({
			pos: {line: 6, col: 3},
			text: 'write heap[0] 1',
			op: 'write',
			addr: {kind: 'region', region: 'heap', page: 0, offset: 0},
			value: {kind: 'int', value: 1},
		});
		expect(p.code[2]).toEqual({
			pos: {line: 8, col: 3},
			text: 'if ret == 0 goto child',
			op: 'if',
			a: {kind: 'reg', reg: 'ret'},
			cmp: '==',
			b: {kind: 'int', value: 0},
			label: 'child',
			target: 6,
		});
		expect(p.code[4]).toMatchObject({
			op: 'expect',
			a: {kind: 'mem', addr: {kind: 'region', region: 'heap', page: 0, offset: 0}},
		});
	});

	it('parses every instruction (fixture)', () => {
		const s = ok(fixture('every-instruction.scn'), 'every-instruction.scn');
		expect(s.programs.map((p) => p.name)).toEqual(['main', 'child']);
		const main = s.programs[0]!;
		const ops = new Set(main.code.map((i) => i.op));
		for (const op of [
			'read',
			'write',
			'touch',
			'mmap',
			'munmap',
			'mprotect',
			'madvise',
			'mlock',
			'munlock',
			'fork',
			'vfork',
			'clone',
			'exec',
			'exit',
			'abort',
			'kill',
			'wait',
			'sleep',
			'compute',
			'yield',
			'getpid',
			'getppid',
			'sigaltstack',
			'set',
			'add',
			'goto',
			'if',
			'expect',
			'print',
		]) {
			expect(ops.has(op as Instruction['op']), op).toBe(true);
		}
		expect(main.labels).toEqual({top: 0, done: main.code.length});
		expect(main.maps[1]).toMatchObject({
			region: 'lib',
			pages: 2,
			prot: {r: true, w: false, x: true},
			shared: true,
			at: 0x700000,
			dontfork: true,
			locked: true,
		});
		expect(main.maps[2]).toMatchObject({region: 'pin', shared: false, at: null, dontfork: false, locked: true});
		expect(s.breaks).toEqual([
			{spec: 'cow', pos: {line: 5, col: 7}},
			{spec: 'fault:kind=cow-copy,pid=2', pos: {line: 6, col: 7}},
		]);
		expect(s.config).toEqual({
			mmu: 'on',
			frames: 64,
			quantum: 5,
			child_runs_first: true,
			overcommit: 'never',
			commit_limit: 32,
			max_ticks: 5000,
			end: 'exited',
			kernel: '2.6.32',
		});
		expect(s.init).toBe('child');
		const print = main.code.find((i) => i.op === 'print');
		expect(print).toMatchObject({message: 'a "quoted" word \\ and # no comment'});
		// text is trimmed, without the comment, tabs inside kept as written
		expect(main.code[0]!.text).toBe('read heap[1]+0x10');
		expect(main.code[0]!.pos).toEqual({line: 12, col: 2});
	});

	it('checks instruction shapes', () => {
		expect(only('read heap[2]+8')).toMatchObject({op: 'read', addr: {kind: 'region', region: 'heap', page: 2, offset: 8}});
		expect(only('read heap+0x10')).toMatchObject({addr: {kind: 'region', region: 'heap', page: 0, offset: 16}});
		expect(only('read heap')).toMatchObject({addr: {kind: 'region', region: 'heap', page: 0, offset: 0}});
		expect(only('read 0x600000')).toMatchObject({addr: {kind: 'absolute', value: 0x600000}});
		expect(only('read 4096')).toMatchObject({addr: {kind: 'absolute', value: 4096}});
		expect(only('read stack[1]')).toMatchObject({addr: {kind: 'region', region: 'stack', page: 1}});
		expect(only('read text')).toMatchObject({addr: {kind: 'region', region: 'text'}});
		// beyond the mapped pages: a run-time fault, not a parse error
		expect(only('read heap[100]')).toMatchObject({addr: {page: 100}});
		expect(only('write heap[1] r3')).toMatchObject({op: 'write', value: {kind: 'reg', reg: 'r3'}});
		expect(only('write heap -7')).toMatchObject({value: {kind: 'int', value: -7}});
		expect(only('touch heap write')).toEqual(expect.objectContaining({op: 'touch', region: 'heap', access: 'write', value: null}));
		expect(only('touch heap write 0xff')).toMatchObject({value: {kind: 'int', value: 255}});
		expect(only('touch heap read')).toMatchObject({access: 'read', value: null});
		expect(only('mmap big 16 rw- shared at 0x10000000')).toMatchObject({
			op: 'mmap',
			region: 'big',
			pages: 16,
			prot: {r: true, w: true, x: false},
			shared: true,
			at: 0x10000000,
		});
		expect(only('mmap ro 1 r--')).toMatchObject({prot: {r: true, w: false, x: false}, shared: false, at: null});
		expect(only('mprotect heap ---')).toMatchObject({op: 'mprotect', prot: {r: false, w: false, x: false}});
		expect(only('madvise heap dontfork')).toMatchObject({op: 'madvise', advice: 'dontfork'});
		expect(only('exec other')).toMatchObject({op: 'exec', program: 'other'});
		expect(only('exit -1')).toMatchObject({op: 'exit', code: {kind: 'int', value: -1}});
		expect(only('kill r0 SIGSEGV')).toMatchObject({op: 'kill', target: {kind: 'reg', reg: 'r0'}, signal: 'SIGSEGV'});
		expect(only('wait')).toMatchObject({op: 'wait', pid: null});
		expect(only('wait 3')).toMatchObject({pid: {kind: 'int', value: 3}});
		expect(only('sleep 1000000000')).toMatchObject({op: 'sleep', ticks: 1_000_000_000});
		expect(only('compute 7')).toMatchObject({op: 'compute', ticks: 7});
		expect(only('sigaltstack off')).toMatchObject({op: 'sigaltstack', on: false});
		expect(only('add r7 -1')).toMatchObject({op: 'add', reg: 'r7', value: {kind: 'int', value: -1}});
		expect(only('set r0 *0x600008')).toMatchObject({value: {kind: 'mem', addr: {kind: 'absolute', value: 0x600008}}});
		expect(only('set r0 heap')).toMatchObject({value: {kind: 'mem', addr: {kind: 'region', region: 'heap', page: 0, offset: 0}}});
		expect(only('print ""')).toMatchObject({op: 'print', message: ''});
		expect(only('print "x"   # comment')).toMatchObject({text: 'print "x"'});
	});

	it('converts clone flags to numbers', () => {
		expect(only('clone vm|vfork|sigchld')).toMatchObject({op: 'clone', flags: CLONE_VFORK | CLONE_VM | 17});
		expect(only('clone sigchld')).toMatchObject({flags: 17});
		expect(only('clone vm|sighand|thread')).toMatchObject({flags: CLONE_VM | CLONE_SIGHAND | CLONE_THREAD});
		expect(only('clone vm|vm')).toMatchObject({flags: CLONE_VM});
	});

	it('resolves errno and signal names', () => {
		const values = (v: string) => (only(`set r0 ${v}`) as {value: unknown}).value;
		expect(values('-EINVAL')).toEqual({kind: 'int', value: -22});
		expect(values('-ENOMEM')).toEqual({kind: 'int', value: -12});
		expect(values('-ENOENT')).toEqual({kind: 'int', value: -2});
		expect(values('-ECHILD')).toEqual({kind: 'int', value: -10});
		expect(values('-ESRCH')).toEqual({kind: 'int', value: -3});
		expect(values('-EAGAIN')).toEqual({kind: 'int', value: -11});
		expect(values('-EFAULT')).toEqual({kind: 'int', value: -14});
		expect(values('-EEXIST')).toEqual({kind: 'int', value: -17});
		expect(values('-ENOSYS')).toEqual({kind: 'int', value: -38});
		expect(values('EINVAL')).toEqual({kind: 'int', value: 22});
		expect(values('SIGSEGV')).toEqual({kind: 'int', value: 11});
		expect(values('SIGABRT')).toEqual({kind: 'int', value: 6});
		expect(values('SIGKILL')).toEqual({kind: 'int', value: 9});
		expect(values('SIGTERM')).toEqual({kind: 'int', value: 15});
		expect(values('status')).toEqual({kind: 'reg', reg: 'status'});
		expect(values('9007199254740991')).toEqual({kind: 'int', value: Number.MAX_SAFE_INTEGER});
		expect(values('-9007199254740991')).toEqual({kind: 'int', value: -Number.MAX_SAFE_INTEGER});
		expect(values('0x1F')).toEqual({kind: 'int', value: 31});
	});

	it('resolves labels to instruction indexes, including a label at the end', () => {
		const p = ok(prog('a:\ngoto b\nfork\nb:\ngoto a\nc:')).programs[0]!;
		expect(p.labels).toEqual({a: 0, b: 2, c: 3});
		expect(p.code[0]).toMatchObject({op: 'goto', label: 'b', target: 2});
		expect(p.code[2]).toMatchObject({op: 'goto', label: 'a', target: 0});
	});

	it('allows a region created by mmap anywhere in the program', () => {
		const c = code('write late 1\nmmap late 1 rw-');
		expect(c[0]).toMatchObject({addr: {region: 'late'}});
	});

	it('selects init: the first program by default, else the init line', () => {
		expect(ok('program a\nend\nprogram b\nend\n').init).toBe('a');
		expect(ok('init b\nprogram a\nend\nprogram b\nend\n').init).toBe('b');
	});

	it('accepts empty programs, comments anywhere, blank lines and CRLF', () => {
		const s = ok('# top\r\n\r\nprogram a # here\r\n  # inside\r\nend\r\n');
		expect(s.programs[0]).toMatchObject({name: 'a', code: [], maps: [], labels: {}});
		expect(s.title).toBeNull();
		expect(s.config).toEqual(defaultConfig);
		expect(s.breaks).toEqual([]);
	});

	it('keeps config lines anywhere at top level, the last one winning', () => {
		const s = ok('config frames=32\nprogram a\nend\nconfig frames=0x40 mmu=off\n');
		expect(s.config.frames).toBe(64);
		expect(s.config.mmu).toBe('off');
	});

	it('handles a label called __proto__ safely', () => {
		const p = ok(prog('__proto__:\ngoto __proto__')).programs[0]!;
		expect(Object.keys(p.labels)).toEqual(['__proto__']);
		expect(p.code[0]).toMatchObject({target: 0});
	});
});

describe('parseScenario: errors', () => {
	it('reports an unknown instruction with a suggestion', () => {
		expect(bodyErrs('  wirte heap 1')).toEqual(["3:3 unknown instruction 'wirte' (did you mean 'write'?)"]);
		expect(bodyErrs('frobnicate')).toEqual(["3:1 unknown instruction 'frobnicate'"]);
	});

	it('reports wrong operand counts with the usage', () => {
		expect(bodyErrs('write heap')).toEqual(['3:1 usage: write ADDR VALUE']);
		expect(bodyErrs('write heap 1 2')).toEqual(['3:14 usage: write ADDR VALUE']);
		expect(bodyErrs('fork now')).toEqual(['3:6 usage: fork']);
		expect(bodyErrs('exit')).toEqual(['3:1 usage: exit CODE']);
		expect(bodyErrs('print hello')).toEqual(['3:7 usage: print "TEXT" (the text in double quotes)']);
		expect(bodyErrs('if ret==0 goto x\nx:')).toEqual(['3:1 usage: if A OP B goto LABEL (with spaces around OP)']);
		expect(bodyErrs('if ret == 0 then x\nx:')).toEqual(['3:13 usage: if A OP B goto LABEL']);
		expect(bodyErrs('wait 1 2')).toEqual(['3:8 usage: wait [PID] [clone|all]']);
		expect(bodyErrs('wait 1 clone all')).toEqual(['3:14 usage: wait [PID] [clone|all]']);
		expect(bodyErrs('wait 2 clon')).toEqual(["3:8 usage: wait [PID] [clone|all] (did you mean 'clone'?)"]);
		expect(bodyErrs('expect ret == 1 on 5.4')).toEqual(["3:20 expect … on ERA: ERA is 2.6.32 or 6.18, not '5.4'"]);
		expect(bodyErrs('expect ret == 1 in 6.18')).toEqual(['3:17 usage: expect A OP B [on 2.6.32|6.18]']);
		expect(bodyErrs('set r0 6.256')).toEqual(["3:8 bad kernel version '6.256': each part is 0…255"]);
	});

	it('reports unknown labels and duplicate labels', () => {
		expect(bodyErrs('goto chld\nchild:')).toEqual(["3:6 unknown label 'chld' (did you mean 'child'?)"]);
		expect(bodyErrs('x:\nx:')).toEqual(["4:1 duplicate label 'x' (the first is at line 3)"]);
		expect(bodyErrs('x: fork')).toEqual(["3:4 a label stands alone on its line: put 'fork' on the next line"]);
		expect(bodyErrs('9x:')).toEqual(["3:1 bad label name '9x': a name is a letter or _ followed by letters, digits or _"]);
	});

	it('reports unknown regions with a suggestion', () => {
		expect(bodyErrs('read haep[0]')).toEqual(["3:6 unknown region 'haep' (did you mean 'heap'?)"]);
		expect(bodyErrs('touch nothing write')).toEqual(["3:7 unknown region 'nothing'"]);
		expect(bodyErrs('expect stak == 1')).toEqual([
			"3:8 unknown name 'stak': not a register, an errno or signal name, or a region of program 'p' (did you mean 'stack'?)",
		]);
		expect(bodyErrs('set r0 r8')).toEqual([
			"3:8 unknown name 'r8': not a register, an errno or signal name, or a region of program 'p' (did you mean 'r0'?)",
		]);
		expect(bodyErrs('write heap r9')).toEqual(["3:12 unknown name 'r9': VALUE is an integer, a register, or an errno or signal name (did you mean 'r0'?)"]);
		// a region of another program does not count
		expect(errs('program a\nmap buf 1 rw-\nend\nprogram b\nread buf\nend\n')).toEqual(["5:6 unknown region 'buf'"]);
	});

	it('reports misaligned and malformed addresses', () => {
		expect(bodyErrs('read heap+4')).toEqual(["3:6 address not 8-byte aligned: 'heap+4' is 4 bytes into heap, not a multiple of 8"]);
		expect(bodyErrs('read 0x600004')).toEqual(['3:6 address not 8-byte aligned: 0x600004 is not a multiple of 8']);
		expect(bodyErrs('set r0 *0x600001')).toEqual(['3:9 address not 8-byte aligned: 0x600001 is not a multiple of 8']);
		expect(bodyErrs('read heap[x]')).toEqual(["3:11 bad number 'x': expected a decimal or 0x hex integer"]);
		expect(bodyErrs('read heap+')).toEqual(["3:11 missing offset after '+' in 'heap+'"]);
		expect(bodyErrs('read -8')).toEqual(['3:6 an address cannot be negative']);
		expect(bodyErrs('read heap[')).toEqual(["3:6 bad address 'heap[': expected REGION, REGION[K], REGION[K]+OFFSET or a number"]);
		expect(bodyErrs('write heap[0] heap[1]')).toEqual([
			'3:15 VALUE is an integer or a register, not a memory operand (read it first: its value lands in ret)',
		]);
	});

	it('reports bad numbers and numbers too large', () => {
		expect(bodyErrs('sleep 12ab')).toEqual(["3:7 bad number '12ab': expected a decimal or 0x hex integer"]);
		expect(bodyErrs('set r0 9007199254740992')).toEqual(['3:8 number too large: cowdbg keeps words exact up to 2^53-1']);
		expect(bodyErrs('set r0 0x20000000000000')).toEqual(['3:8 number too large: cowdbg keeps words exact up to 2^53-1']);
		expect(bodyErrs(`set r0 ${'9'.repeat(500)}`)).toEqual(['3:8 number too large: cowdbg keeps words exact up to 2^53-1']);
		expect(bodyErrs('set r0 -0x10')).toEqual(["3:8 bad number '-0x10': negative numbers are written in decimal"]);
		expect(bodyErrs('sleep 0')).toEqual(['3:7 N must be from 1 to 1000000000, not 0']);
		expect(bodyErrs('compute 1000000001')).toEqual(['3:9 N must be from 1 to 1000000000, not 1000000001']);
	});

	it('reports bad map lines', () => {
		expect(bodyErrs('fork\nmap late 1 rw-')).toEqual(['4:1 map after an instruction: maps come first']);
		expect(bodyErrs('x:\nmap late 1 rw-')).toEqual(['4:1 map after an instruction: maps come first']);
		expect(bodyErrs('', 'map text 1 rw-')).toEqual(["2:5 'text' is reserved: every program has a text and a stack region"]);
		expect(bodyErrs('', 'map stack 1 rw-')).toEqual(["2:5 'stack' is reserved: every program has a text and a stack region"]);
		expect(bodyErrs('map heap 1 rw-')).toEqual(["3:5 duplicate region 'heap' (first mapped at line 2)"]);
		expect(bodyErrs('', 'map r0 1 rw-')).toEqual(["2:5 'r0' cannot name a region: it is a register name"]);
		expect(bodyErrs('', 'map 1heap 1 rw-')).toEqual(["2:5 bad region name '1heap': a name is a letter or _ followed by letters, digits or _"]);
		expect(bodyErrs('', 'map h 0 rw-')).toEqual(['2:7 PAGES must be from 1 to 16777216, not 0']);
		expect(bodyErrs('', 'map h 16777217 rw-')).toEqual(['2:7 PAGES must be from 1 to 16777216, not 16777217']);
		expect(bodyErrs('', 'map h 1 wr-')).toEqual(["2:9 bad protection 'wr-': PROT is 3 characters like rw-, r--, r-x or ---"]);
		expect(bodyErrs('', 'map h 1 rw')).toEqual(["2:9 bad protection 'rw': PROT is 3 characters like rw-, r--, r-x or ---"]);
		expect(bodyErrs('', 'map h 1 rw- at 0x600800')).toEqual(['2:16 address 0x600800 is not page-aligned (a multiple of 4096 = 0x1000)']);
		expect(bodyErrs('', 'map h 1 rw- at 0x800000000000')).toEqual(['2:16 address 0x800000000000 is beyond user space (it must be below 0x800000000000)']);
		expect(bodyErrs('', 'map h 1 rw- at')).toEqual(["2:13 'at' needs an address: usage: map REGION PAGES PROT [shared] [at ADDR] [dontfork] [locked]"]);
		expect(bodyErrs('', 'map h 1 rw- at heap')).toEqual(["2:16 'at' takes an absolute address like 0x700000, not 'heap'"]);
		expect(bodyErrs('', 'map h 1 rw- locked locked')).toEqual(["2:20 'locked' given twice"]);
		expect(bodyErrs('', 'map h 1 rw- sharde')).toEqual([
			"2:13 unknown option 'sharde' (did you mean 'shared'?): usage: map REGION PAGES PROT [shared] [at ADDR] [dontfork] [locked]",
		]);
		expect(bodyErrs('', 'map h 1')).toEqual(['2:1 usage: map REGION PAGES PROT [shared] [at ADDR] [dontfork] [locked]']);
		expect(bodyErrs('mmap h 1 rw- dontfork')).toEqual(["3:14 unknown option 'dontfork': usage: mmap REGION PAGES PROT [shared] [at ADDR]"]);
	});

	it('reports bad operands of specific instructions', () => {
		expect(bodyErrs('clone vm|vfrok')).toEqual([
			"3:10 unknown clone flag 'vfrok' (did you mean 'vfork'?): FLAGS are vm, vfork, sighand, thread, sigchld joined by |",
		]);
		expect(bodyErrs('clone vm||vfork')).toEqual(["3:10 empty flag in 'vm||vfork': FLAGS are vm, vfork, sighand, thread, sigchld joined by |"]);
		expect(bodyErrs('kill 2 SIGKIL')).toEqual(["3:8 unknown signal 'SIGKIL' (did you mean 'SIGKILL'?): kill sends SIGKILL, SIGTERM, SIGSEGV or SIGABRT"]);
		expect(bodyErrs('kill heap[0] SIGKILL')).toEqual([
			'3:6 TARGET is an integer or a register, not a memory operand (read it first: its value lands in ret)',
		]);
		expect(bodyErrs('set ret 1')).toEqual(["3:5 set writes a register r0…r7, not 'ret' ('ret' is written by the kernel)"]);
		expect(bodyErrs('add 5 1')).toEqual(["3:5 add writes a register r0…r7, not '5' (did you mean 'r5'?)"]);
		expect(bodyErrs('touch heap read 1')).toEqual(["3:17 'touch REGION read' takes no VALUE: only a write stores one"]);
		expect(bodyErrs('touch heap wrte')).toEqual(["3:12 touch accesses read or write, not 'wrte' (did you mean 'write'?)"]);
		expect(bodyErrs('madvise heap nofork')).toEqual(["3:14 madvise takes dontfork, dofork, wipeonfork, keeponfork, not 'nofork' (did you mean 'dofork'?)"]);
		expect(bodyErrs('sigaltstack maybe')).toEqual(["3:13 sigaltstack takes on or off, not 'maybe'"]);
		expect(bodyErrs('expect ret = 0')).toEqual(["3:12 bad comparison '=' (did you mean '=='?): OP is one of == != < <= > >="]);
		expect(bodyErrs('set r0 -ENOMM')).toEqual([
			"3:8 unknown errno name '-ENOMM' (did you mean '-ENOMEM'?): known are -ENOENT -ESRCH -ECHILD -EAGAIN -ENOMEM -EFAULT -EEXIST -EINVAL -ENOSYS",
		]);
		expect(bodyErrs('exec 9lives')).toEqual(["3:6 bad program name '9lives': a name is a letter or _ followed by letters, digits or _"]);
		expect(bodyErrs('write "heap" 1')).toEqual(['3:7 unexpected string: usage: write ADDR VALUE']);
	});

	it('reports string errors', () => {
		expect(bodyErrs('print "never closed')).toEqual(['3:7 unterminated string: a string ends with "']);
		expect(bodyErrs('print "a\\n"')).toEqual(["3:9 unknown escape '\\n' in a string: only \\\" and \\\\ are understood"]);
		expect(bodyErrs('print "a"b')).toEqual(['3:10 unexpected text right after a string: put a space after the closing "']);
		expect(bodyErrs('print "ends with backslash\\')).toEqual(['3:7 unterminated string: a string ends with "']);
	});

	it('reports structure errors', () => {
		expect(errs('fork\nprogram a\nend\n')).toEqual(["1:1 instruction 'fork' outside a program (a program starts with 'program NAME' and ends with 'end')"]);
		expect(errs('program a\nfork\n')).toEqual(["1:1 program 'a' has no 'end'"]);
		expect(errs('program a\nprogram b\nend\n')).toEqual(["2:1 'program' inside program 'a' (missing 'end'?)"]);
		expect(errs('program a\nend\nend\n')).toEqual(["3:1 'end' without a 'program'"]);
		expect(errs('program a\nend\nprogram a\nend\n')).toEqual(["3:9 duplicate program 'a' (the first is at line 1)"]);
		expect(errs('map heap 1 rw-\nprogram a\nend\n')).toEqual(["1:1 'map' outside a program: maps come right after 'program NAME'"]);
		expect(errs('programm a\nprogram a\nend\n')).toEqual([
			"1:1 unknown line 'programm' (did you mean 'program'?): expected scenario, config, break, program or init",
		]);
		expect(errs('program a\nconfig frames=16\nend\n')).toEqual(["2:1 'config' is a top-level line: close program 'a' with 'end' first"]);
		expect(errs('')).toEqual(["1:1 no program: a scenario needs at least one 'program NAME' … 'end'"]);
		expect(errs('scenario "x"\n')).toEqual(["1:1 no program: a scenario needs at least one 'program NAME' … 'end'"]);
		expect(errs('scenario "a"\nscenario "b"\nprogram a\nend\n')).toEqual(["2:1 a second 'scenario' line (the first is at line 1)"]);
		expect(errs('scenario title\nprogram a\nend\n')).toEqual(['1:10 usage: scenario "TITLE"']);
		expect(errs('init b\ninit a\nprogram a\nend\n')).toEqual([
			"1:6 unknown program 'b' (did you mean 'a'?)",
			"2:1 a second 'init' line (the first is at line 1)",
		]);
		expect(errs('init mian\nprogram main\nend\n')).toEqual(["1:6 unknown program 'mian' (did you mean 'main'?)"]);
		expect(errs('break\nprogram a\nend\n')).toEqual(['1:1 usage: break SPEC']);
		expect(errs('break # nothing\nprogram a\nend\n')).toEqual(['1:1 usage: break SPEC']);
	});

	it('reports config errors at the right column', () => {
		const e = (line: string) => errs(`${line}\nprogram a\nend\n`);
		expect(e('config framez=64')).toEqual(["1:8 unknown config key 'framez' (did you mean 'frames'?)"]);
		expect(e('config frames=8')).toEqual(['1:15 frames must be an integer from 16 to 16777216, not 8']);
		expect(e('config frames = 64')).toEqual(["1:15 write KEY=VALUE as one word, without spaces around '='"]);
		expect(e('config frames= 64')).toEqual(["1:14 write KEY=VALUE as one word, without spaces around '='"]);
		expect(e('config frames')).toEqual(["1:8 expected KEY=VALUE, not 'frames' (did you mean 'frames'?)"]);
		expect(e('config')).toEqual(['1:1 usage: config KEY=VALUE …']);
		expect(e('config mmu=maybe quantum=0')).toEqual([
			"1:12 mmu must be on or off, not 'maybe'",
			'1:26 quantum must be an integer from 1 to 1000000 (ticks), not 0',
		]);
	});

	it('collects every error in the file, sorted by line then column', () => {
		const source = [
			'config frames=1', // 1
			'program init', // 2
			'  map heap 1 rw-', // 3
			'  wirte heap 1', // 4
			'  read nope', // 5
			'  goto nowhere', // 6
			'  if r0 == r1 goto alsonowhere', // 7
			'  sleep -1', // 8
			'end', // 9
			'init main', // 10
		].join('\n');
		expect(errs(source)).toEqual([
			'1:15 frames must be an integer from 16 to 16777216, not 1',
			"4:3 unknown instruction 'wirte' (did you mean 'write'?)",
			"5:8 unknown region 'nope'",
			"6:8 unknown label 'nowhere'",
			"7:20 unknown label 'alsonowhere'",
			'8:9 N must be from 1 to 1000000000, not -1',
			"10:6 unknown program 'main'",
		]);
		for (const d of errors(source)) {
			expect(d.file).toBe('test.scn');
			expect(d.sourceLine).toBe(source.split('\n')[d.line - 1]);
		}
	});
});

describe('diagnostics', () => {
	it('formats one diagnostic with the line and a caret', () => {
		const [d] = errors('program p\n  map heap 4 rw-\n  wirte heap[0] 1\nend\n', 'demo.scn');
		expect(formatDiagnostic(d!)).toBe("demo.scn:3:3: error: unknown instruction 'wirte' (did you mean 'write'?)\n" + '  wirte heap[0] 1\n' + '  ^');
	});

	it('keeps tabs before the caret so it lines up', () => {
		const [d] = errors('program p\n\tread\tnope\nend\n');
		expect(d).toMatchObject({line: 2, col: 7});
		expect(formatDiagnostic(d!)).toBe("test.scn:2:7: error: unknown region 'nope'\n\tread\tnope\n\t    \t^");
	});

	it('puts the caret under the column in terminal cells: wide CJK characters and emoji take two', () => {
		const [cjk] = errors('program p\n  print "日本語テキスト" 5\nend\n');
		expect(formatDiagnostic(cjk!).split('\n').slice(1)).toEqual(['  print "日本語テキスト" 5', ' '.repeat(25) + '^']);
		const [cow] = errors('program p\n  print "🐄🐄🐄🐄" 5\nend\n');
		expect(formatDiagnostic(cow!).split('\n').slice(1)).toEqual(['  print "🐄🐄🐄🐄" 5', ' '.repeat(19) + '^']);
		const [mixed] = errors('program p\n\tprint "é日🐄"\tnope 5\nend\n');
		expect(formatDiagnostic(mixed!).split('\n')[2]).toBe('\t' + ' '.repeat(13) + '\t^');
	});

	it('shows control characters as ? without moving the caret', () => {
		const d: Diagnostic = {file: 'f', line: 1, col: 3, message: 'm', sourceLine: 'a\u0000b\u001b[2Jc'};
		expect(formatDiagnostic(d)).toBe('f:1:3: error: m\na?b?[2Jc\n  ^');
	});

	it('formats several with a summary', () => {
		const ds = errors('program p\nfoo\nbar\nend\n', 'x.scn');
		const out = formatDiagnostics(ds);
		expect(out.split('\n')).toHaveLength(7);
		expect(out.endsWith('\n2 errors')).toBe(true);
		expect(formatDiagnostics(ds.slice(0, 1)).endsWith('\n1 error')).toBe(true);
	});

	it('suggests the closest word, or nothing', () => {
		expect(closest('wirte', ['read', 'write', 'touch'])).toBe('write');
		expect(closest('WRITE', ['read', 'write'])).toBe('write');
		expect(closest('xyz', ['read', 'write'])).toBeNull();
		expect(closest('', ['a'])).toBeNull();
		expect(closest('frmes', ['frames', 'quantum'])).toBe('frames');
		expect(closest('max_tick', ['mmu', 'max_ticks'])).toBe('max_ticks');
		// distance 3 on a 9-letter word: still within len/3
		expect(closest('overcomit', ['overcommit'])).toBe('overcommit');
		expect(closest('abcdefghi', ['abcxyzghi'])).toBe('abcxyzghi');
		expect(closest('abcdefgh', ['abcxyzgh'])).toBeNull();
		expect(closest('heap', [])).toBeNull();
	});
});

describe('parseConfigAssignment', () => {
	it('accepts each key', () => {
		expect(parseConfigAssignment('mmu', 'off')).toEqual({ok: true, key: 'mmu', value: 'off'});
		expect(parseConfigAssignment('frames', '16')).toEqual({ok: true, key: 'frames', value: 16});
		expect(parseConfigAssignment('frames', '0x1000000')).toEqual({ok: true, key: 'frames', value: 16_777_216});
		expect(parseConfigAssignment('quantum', '1')).toEqual({ok: true, key: 'quantum', value: 1});
		expect(parseConfigAssignment('quantum', '1000000')).toEqual({ok: true, key: 'quantum', value: 1_000_000});
		expect(parseConfigAssignment('child_runs_first', 'yes')).toEqual({ok: true, key: 'child_runs_first', value: true});
		expect(parseConfigAssignment('child_runs_first', 'no')).toEqual({ok: true, key: 'child_runs_first', value: false});
		expect(parseConfigAssignment('overcommit', 'always')).toEqual({ok: true, key: 'overcommit', value: 'always'});
		expect(parseConfigAssignment('commit_limit', '0')).toEqual({ok: true, key: 'commit_limit', value: 0});
		expect(parseConfigAssignment('max_ticks', '1000000000')).toEqual({ok: true, key: 'max_ticks', value: 1_000_000_000});
		for (const end of ['exited', 'panic', 'max-ticks', 'any']) expect(parseConfigAssignment('end', end)).toEqual({ok: true, key: 'end', value: end});
		expect(parseConfigAssignment('end', 'exit')).toMatchObject({
			ok: false,
			message: expect.stringMatching(/end must be exited or panic or max-ticks or any, not 'exit' \(did you mean 'exited'\?\)/),
		});
	});

	it('refuses each bad value with a message', () => {
		const msg = (k: string, v: string) => {
			const r = parseConfigAssignment(k, v);
			return r.ok ? 'ok' : r.message;
		};
		expect(msg('mmu', 'yes')).toBe("mmu must be on or off, not 'yes'");
		expect(msg('frames', '15')).toBe('frames must be an integer from 16 to 16777216, not 15');
		expect(msg('frames', '16777217')).toBe('frames must be an integer from 16 to 16777216, not 16777217');
		expect(msg('frames', 'many')).toBe("frames must be an integer from 16 to 16777216, not 'many'");
		expect(msg('frames', '')).toBe("frames must be an integer from 16 to 16777216, not ''");
		expect(msg('quantum', '0')).toBe('quantum must be an integer from 1 to 1000000 (ticks), not 0');
		expect(msg('quantum', '1000001')).toBe('quantum must be an integer from 1 to 1000000 (ticks), not 1000001');
		expect(msg('child_runs_first', 'true')).toBe("child_runs_first must be yes or no, not 'true'");
		expect(msg('overcommit', 'sometimes')).toBe("overcommit must be heuristic or always or never, not 'sometimes'");
		expect(msg('overcommit', 'alway')).toBe("overcommit must be heuristic or always or never, not 'alway' (did you mean 'always'?)");
		expect(msg('commit_limit', '-1')).toBe('commit_limit must be an integer >= 0 (pages), not -1');
		expect(msg('commit_limit', '1.5')).toBe("commit_limit must be an integer >= 0 (pages), not '1.5'");
		expect(msg('max_ticks', '0')).toBe('max_ticks must be an integer from 1 to 1000000000, not 0');
		expect(msg('max_ticks', '99999999999999999999')).toBe('max_ticks: number too large: cowdbg keeps words exact up to 2^53-1');
		expect(msg('quantam', '3')).toBe("unknown config key 'quantam' (did you mean 'quantum'?)");
		expect(msg('toString', '3')).toBe("unknown config key 'toString'");
	});
});

describe('parseScenario never throws', () => {
	const check = (source: string): ParseResult => {
		let r: ParseResult | undefined;
		expect(() => {
			r = parseScenario(source, 'garbage');
		}).not.toThrow();
		expect(r).toBeDefined();
		if (!r!.ok) {
			for (const d of r!.errors) {
				expect(d.line).toBeGreaterThanOrEqual(1);
				expect(d.col).toBeGreaterThanOrEqual(1);
				expect(typeof formatDiagnostic(d)).toBe('string');
			}
			const sorted = [...r!.errors].sort((a, b) => a.line - b.line || a.col - b.col);
			expect(r!.errors).toEqual(sorted);
		}
		return r!;
	};

	it('on random bytes (seeded)', () => {
		let seed = 12345;
		const rand = () => {
			seed = (seed * 1103515245 + 12345) & 0x7fffffff;
			return seed;
		};
		for (let n = 0; n < 200; n++) {
			const bytes = Buffer.alloc(1 + (rand() % 2000));
			for (let i = 0; i < bytes.length; i++) bytes[i] = rand() & 0xff;
			check(bytes.toString('latin1'));
			check(bytes.toString('utf8'));
		}
	});

	it('on random token soup (seeded)', () => {
		const words = [
			'program',
			'end',
			'map',
			'heap',
			'4',
			'rw-',
			'write',
			'read',
			'heap[0]',
			'heap[1]+8',
			'0x600000',
			'*0x600000',
			'if',
			'goto',
			'==',
			'x:',
			'x',
			'fork',
			'clone',
			'vm|vfork',
			'"s"',
			'"',
			'#',
			'config',
			'frames=64',
			'=',
			'init',
			'scenario',
			'break',
			'cow',
			'-EINVAL',
			'SIGKILL',
			'kill',
			'r0',
			'set',
			'mmap',
			'at',
			'shared',
			'\t',
			'\0',
			'-',
			'[',
			'+',
			'99999999999999999999',
			'touch',
			'print',
			'\\',
		];
		let seed = 7;
		const rand = () => {
			seed = (seed * 1103515245 + 12345) & 0x7fffffff;
			return seed;
		};
		for (let n = 0; n < 300; n++) {
			const lines: string[] = [];
			const count = rand() % 30;
			for (let l = 0; l < count; l++) {
				const len = rand() % 8;
				const toks: string[] = [];
				for (let t = 0; t < len; t++) toks.push(words[rand() % words.length]!);
				lines.push(toks.join(rand() % 5 === 0 ? '' : ' '));
			}
			check(lines.join(rand() % 3 === 0 ? '\r\n' : '\n'));
		}
	});

	it('on NUL bytes, a 100k-character line and odd line endings', () => {
		check('\0\0\0');
		check('program a\0\nend\n');
		check('x'.repeat(100_000));
		check(`program p\nprint "${'a'.repeat(100_000)}"\nend\n`);
		expect(check(`program p\nprint "${'a'.repeat(100_000)}"\nend\n`).ok).toBe(true);
		check(`program p\n${'fork '.repeat(20_000)}\nend\n`);
		check(`program p\nread heap[${'9'.repeat(100_000)}]\nend\n`);
		check('"'.repeat(100_000));
		check('\r\r\r\n\n\r');
		check('program a\rend\r');
		expect(check('program a\rend\r').ok).toBe(true);
		check('\uFEFFprogram a\nend\n');
		check('\uD800\uDC00\uD800');
	});

	it('accepts a non-string source from JavaScript callers', () => {
		expect(() => parseScenario(undefined as unknown as string, 'x')).not.toThrow();
	});
});

describe('error recovery', () => {
	it('keeps parsing the body of a program whose name is bad', () => {
		expect(errs('program my-prog\nfork\nwirte\nend\n')).toEqual([
			"1:9 bad program name 'my-prog': a name is a letter or _ followed by letters, digits or _",
			"3:1 unknown instruction 'wirte' (did you mean 'write'?)",
		]);
		expect(errs('program\nfork\nend\n')).toEqual(['1:1 usage: program NAME']);
	});

	it('registers a misplaced map so that its uses are not errors too', () => {
		expect(bodyErrs('fork\nmap late 1 rw-\nread late')).toEqual(['4:1 map after an instruction: maps come first']);
	});
});

describe('parseScenario never throws (fast-check)', () => {
	it('on arbitrary strings', () => {
		fc.assert(
			fc.property(fc.string({unit: 'binary', maxLength: 400}), (s) => {
				const r = parseScenario(s, 'fc');
				return r.ok || r.errors.length > 0;
			}),
			{numRuns: 500, seed: 42},
		);
	});

	it('on lines built from the language', () => {
		const word = fc.constantFrom(
			'program',
			'end',
			'map',
			'heap',
			'1',
			'rw-',
			'write',
			'read',
			'heap[0]+8',
			'*0x8',
			'if',
			'goto',
			'==',
			'l:',
			'l',
			'fork',
			'clone',
			'vm|sigchld',
			'"t"',
			'config',
			'mmu=off',
			'init',
			'break',
			'kill',
			'SIGTERM',
			'-ENOMEM',
			'r1',
			'set',
			'mmap',
			'at',
			'0x700000',
			'print',
			'touch',
			'exit',
			'#',
		);
		const line = fc.array(word, {maxLength: 7}).map((ws) => ws.join(' '));
		fc.assert(
			fc.property(fc.array(line, {maxLength: 25}), (ls) => {
				const r = parseScenario(ls.join('\n'), 'fc');
				if (r.ok) return r.scenario.programs.length > 0;
				return r.errors.every((d, i, all) => i === 0 || all[i - 1]!.line < d.line || (all[i - 1]!.line === d.line && all[i - 1]!.col <= d.col));
			}),
			{numRuns: 500, seed: 43},
		);
	});
});

describe('diagnostics of very bad files stay readable', () => {
	it('lists at most MAX_LISTED errors and counts the rest', async () => {
		const {formatDiagnostics, MAX_LISTED} = await import('../../source/scenario/diagnostics.js');
		const {parseScenario} = await import('../../source/scenario/parser.js');
		const source = 'program init\n' + Array.from({length: 300}, () => '  bogus 1').join('\n') + '\nend\n';
		const r = parseScenario(source, 'many.scn');
		expect(r.ok).toBe(false);
		if (r.ok) return;
		const text = formatDiagnostics(r.errors);
		expect(text.match(/error: /g)).toHaveLength(MAX_LISTED);
		expect(text).toContain(`… and ${r.errors.length - MAX_LISTED} more`);
		expect(text.trimEnd().split('\n').at(-1)).toBe(`${r.errors.length} errors`);
	});

	it('quotes a window of a very long line, with the caret under the column', async () => {
		const {formatDiagnostic} = await import('../../source/scenario/diagnostics.js');
		const line = 'x'.repeat(5000) + 'BAD' + 'y'.repeat(5000);
		const text = formatDiagnostic({file: 'f.scn', line: 1, col: 5001, message: 'bad', sourceLine: line});
		const [, quoted, caret] = text.split('\n');
		expect(quoted!.length).toBeLessThan(200);
		expect(quoted![caret!.length - 1]).toBe('B');
	});
});
