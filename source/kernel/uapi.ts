// What user space and the kernel agree on, as include/uapi/asm-generic/errno-base.h,
// errno.h, signal.h and include/uapi/linux/sched.h define it. The scenario
// parser reads its errno and signal names from here; the kernel returns and
// sends these numbers.

/** Error numbers (positive, as errno holds them; system calls return the negation). */
export const errnoNumbers = Object.freeze({
	ENOENT: 2,
	ESRCH: 3,
	ECHILD: 10,
	EAGAIN: 11,
	ENOMEM: 12,
	EFAULT: 14,
	EEXIST: 17,
	EINVAL: 22,
	ENOSYS: 38,
} as const);

export type ErrnoName = keyof typeof errnoNumbers;

const errnoByNumber = new Map<number, string>(Object.entries(errnoNumbers).map(([name, n]) => [n, name]));

/** A system call's return as the log shows it: an error by name and number (`-EINVAL (-22)`), anything else as is. */
export function returnText(ret: number): string {
	const name = ret < 0 ? errnoByNumber.get(-ret) : undefined;
	return name === undefined ? String(ret) : `-${name} (${ret})`;
}

/** System-call return values: -errno. */
export const ENOENT = -errnoNumbers.ENOENT;
export const ESRCH = -errnoNumbers.ESRCH;
export const ECHILD = -errnoNumbers.ECHILD;
export const EAGAIN = -errnoNumbers.EAGAIN;
export const ENOMEM = -errnoNumbers.ENOMEM;
export const EFAULT = -errnoNumbers.EFAULT;
export const EEXIST = -errnoNumbers.EEXIST;
export const EINVAL = -errnoNumbers.EINVAL;
export const ENOSYS = -errnoNumbers.ENOSYS;

/** The signals `kill` can send. */
export type SignalName = 'SIGKILL' | 'SIGTERM' | 'SIGSEGV' | 'SIGABRT';

export const signalNumbers: Readonly<Record<SignalName | 'SIGCHLD', number>> = Object.freeze({
	SIGABRT: 6,
	SIGKILL: 9,
	SIGSEGV: 11,
	SIGTERM: 15,
	SIGCHLD: 17,
});

const signalByNumber = new Map<number, string>(Object.entries(signalNumbers).map(([name, n]) => [n, name]));

/** The name of signal `n` (SIG<n> for one cowdbg does not know). */
export function signalName(n: number): string {
	return signalByNumber.get(n) ?? `SIG${n}`;
}

/** clone(2) flags as in include/linux/sched.h (2.6). */
export const CLONE_VM = 0x0000_0100;
export const CLONE_SIGHAND = 0x0000_0800;
export const CLONE_VFORK = 0x0000_4000;
export const CLONE_THREAD = 0x0001_0000;
/** The exit signal lives in the low byte of the flags (CSIGNAL). */
export const SIGCHLD_FLAG = 17;
