/* SPDX-License-Identifier: MIT */
/*
 * rsswrap: run a program and record its peak RSS and CPU time, free of
 * the spawner's own memory. malloc_bench starts each run through it:
 *
 *     rsswrap RESULT PROGRAM [ARG...]
 *
 * Why: Linux keeps a process's peak RSS (ru_maxrss) across execve() - the
 * mm it leaves behind counts - and a posix_spawn()ed child runs on its
 * parent's mm until it execs, so every run the driver started directly
 * reported at least the driver's own RSS (about 2 MiB by then): small
 * programs all looked alike. This wrapper is a static program of a few
 * hundred KiB; the program runs in a child forked from it, so the floor
 * is the wrapper's size at the fork, below any dynamically linked
 * program's (what it does after the fork counts for nothing).
 *
 * RESULT gets one line, "MAXRSS_KIB UTIME_US STIME_US", from wait4() on
 * the program (its own descendants included, as ru_maxrss and the CPU
 * times are). The wrapper then exits as the program did: the same exit
 * status, or the same signal. Environment (LD_PRELOAD among it) passes
 * through untouched: a static program ignores it itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	FILE *f;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: rsswrap RESULT PROGRAM [ARG...]\n");
		return 125;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rsswrap: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execv(argv[2], argv + 2);
		fprintf(stderr, "rsswrap: cannot run %s: %s\n", argv[2],
			strerror(errno));
		_exit(127);
	}
	/* The driver kills the whole process group on a timeout; signals
	 * meant for the program reach it that way, not through us. */
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "rsswrap: wait4: %s\n",
				strerror(errno));
			return 125;
		}
	f = fopen(argv[1], "w");
	if (!f ||
	    fprintf(f, "%ld %lld %lld\n", ru.ru_maxrss,
		    (long long)ru.ru_utime.tv_sec * 1000000 +
			    ru.ru_utime.tv_usec,
		    (long long)ru.ru_stime.tv_sec * 1000000 +
			    ru.ru_stime.tv_usec) < 0 ||
	    fclose(f)) {
		fprintf(stderr, "rsswrap: cannot write %s\n", argv[1]);
		return 125;
	}
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}
