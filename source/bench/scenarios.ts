// Scenario texts the benchmark measures, generated at the size asked for.

/** pid 1 forks `procs - 1` children; every process spins writing its heap. */
export function spinScenario(procs: number, maxTicks: number): string {
	return `scenario "${procs} spinning processes"
config frames=4096 quantum=3 max_ticks=${maxTicks}
program init
  map heap 4 rw-
  set r0 1
again:
  if r0 >= ${procs} goto spin
  add r0 1
  fork
  if ret == 0 goto spin
  goto again
spin:
  set r1 0
loop:
  add r1 1
  write heap[0] r1
  compute 3
  goto loop
end
`;
}

/**
 * pid 1 forks `procs - 1` children; every process then maps a page, writes
 * it (a fault), unmaps it (a teardown), and again, with a fork of a child
 * that writes the shared heap (a COW fault) and exits every 16 rounds: most
 * ticks go through kernel functions, as a kernel-heavy workload's do.
 */
export function churnScenario(procs: number, maxTicks: number): string {
	return `scenario "${procs} processes mapping, faulting, unmapping and forking"
config frames=4096 quantum=3 max_ticks=${maxTicks}
program init
  map heap 4 rw-
  write heap[0] 1
  set r0 1
again:
  if r0 >= ${procs} goto churn
  add r0 1
  fork
  if ret == 0 goto churn
  goto again
churn:
  set r1 0
round:
  mmap buf 1 rw-
  write buf 1
  munmap buf
  add r1 1
  if r1 < 16 goto round
  fork
  if ret == 0 goto child
  wait
  goto churn
child:
  write heap[0] 2
  exit 0
end
`;
}

/**
 * pid 1 touches `pages` pages of one region, then forks (or vforks): the fork
 * copies every present PTE. The child exits at once, tearing its copy down.
 */
export function bigForkScenario(pages: number, call: 'fork' | 'vfork'): string {
	return `scenario "${call} of ${pages} present PTEs"
config frames=${pages + Math.ceil(pages / 256) + 64} max_ticks=${pages * 2 + 1000}
program init
  map big ${pages} rw-
  touch big write
  ${call}
  if ret == 0 goto child
  wait
  exit 0
child:
  exit 0
end
`;
}

/**
 * For the TUI frame: init writes `pages` pages, then forks `children`
 * children that all sleep, so every mm maps them (children+1 × pages PTEs).
 */
export function frameScenario(children: number, pages: number): string {
	return `scenario "frame benchmark: ${children + 1} processes, ${(children + 1) * pages} PTEs"
config mmu=on frames=${pages * 2 + (children + 1) * 8 + 64} quantum=3
program init
  map heap ${pages} rw-
  touch heap write
  set r0 0
loop:
  fork
  if ret == 0 goto child
  add r0 1
  if r0 < ${children} goto loop
  sleep 900000
  exit 0
child:
  sleep 900000
  exit 0
end
`;
}
