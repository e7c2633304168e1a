/* The real kernel's fork + exit + teardown per page, for `npm run bench`:
 * write PAGES pages of an anonymous mapping, then fork FORKS children one
 * after the other, each _exit(0)s at once and is reaped (dup_mmap copies every
 * PTE, exit_mmap zaps the child's copy). The time of the fork loop, per fork
 * and page, is printed as JSON: {"ns": …}. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
	long pages = argc > 1 ? atol(argv[1]) : 65536;
	long forks = argc > 2 ? atol(argv[2]) : 128;
	long size = pages * 4096;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (long i = 0; i < pages; i++) p[i * 4096] = 1;
	double t0 = now();
	for (long f = 0; f < forks; f++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) _exit(0);
		int status;
		waitpid(pid, &status, 0);
	}
	double t = now() - t0;
	printf("{\"ns\": %.2f}\n", t / forks / pages);
	return 0;
}
