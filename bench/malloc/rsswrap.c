/* SPDX-License-Identifier: MIT */
/*
 * rsswrap: run a program and record its peak RSS and CPU time, free of
 * the spawner's own memory. malloc_bench starts each run through it:
 *
 *     rsswrap RESULT PROGRAM [ARG...]
 *
 * Why a wrapper: Linux keeps a process's peak RSS (ru_maxrss) across
 * execve() - the mm it leaves behind counts - and a posix_spawn()ed child
 * runs on its parent's mm until it execs, so every run the driver started
 * directly reported at least the driver's own RSS (about 2 MiB by then):
 * small programs all looked alike. This wrapper is a static program of a
 * few hundred KiB; the program runs in a child forked from it, so the
 * floor is the wrapper's size at the fork, below any dynamically linked
 * program's (what it does after the fork counts for nothing).
 *
 * Why it traces the program: ru_maxrss is not exact. Since Linux 6.2 a
 * process's RSS counters are per-CPU counters (mm->rss_stat) that fold
 * into their total only when a CPU's share reaches the batch (32 pages
 * here), and the figure the kernel keeps at exit, and at each munmap or
 * MADV_DONTNEED, is the folded total: up to 31 pages per CPU off either
 * way. On this 2-CPU machine a spawn child under glibc measured 1,420 KiB
 * in the mean of 40 runs by ru_maxrss and 1,555 by its exact smaps at
 * exit; under libmmkit-malloc.so, 1,730 and 1,779. A program that only
 * faults pages in is undercounted by what its CPUs have not folded yet,
 * one that gives pages back less: on a 2 MiB program that is a tenth.
 * So the wrapper ptraces the program (PTRACE_O_TRACEEXIT) and, when it
 * stops at its exit with its mm still whole, reads VmHWM from
 * /proc/PID/status, where the kernel sums the per-CPU counters: the exact
 * RSS at exit, or the peak it recorded at an earlier unmap if higher. The
 * peak reported is the larger of that and ru_maxrss, which covers the
 * program's descendants (spawn's children, gcc's cc1) by the kernel's
 * figures: tracing them too costs each one CPU time (ptrace's stops at
 * every fork, exec and exit, or a seccomp notification at every exit,
 * added 0.5-0.6 ms to each of spawn's 300 children, by migrations), and
 * the program's own exit is one stop. Without ptrace (a sandbox that
 * forbids it), the peak is ru_maxrss.
 *
 * RESULT gets one line, "PEAK_KIB UTIME_US STIME_US MAXRSS_KIB": the
 * peak above, the CPU times and ru_maxrss from wait4() on the program
 * (its own descendants included, as they are). The wrapper then exits as
 * the program did: the same exit status, or the same signal. Environment
 * (LD_PRELOAD among it) passes through untouched: a static program
 * ignores it itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* VmHWM of the mm of process @pid in KiB, or 0 if it cannot be read. */
static long vm_hwm(pid_t pid)
{
	char path[64], line[256];
	long kib = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Follow the traced program @pid until it ends: its wait status in
 * *@status, its rusage in *@ru. Returns its VmHWM at its exit (0 if it
 * was not seen), or -1 on an error. */
static long trace(pid_t pid, int *status, struct rusage *ru)
{
	long peak = 0;
	int st;

	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC)) ||
	    ptrace(PTRACE_CONT, pid, 0, 0))
		return -1;
	for (;;) {
		int sig;

		if (wait4(pid, &st, 0, ru) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!WIFSTOPPED(st))
			break;
		sig = WSTOPSIG(st);
		if (sig == SIGTRAP && st >> 16) {
			/* An event: its exit (whose figure we take) or its
			 * exec. */
			if (st >> 16 == PTRACE_EVENT_EXIT)
				peak = vm_hwm(pid);
			sig = 0;
		} else {
			siginfo_t si;

			/* A signal for it, or a group stop (no siginfo),
			 * which it leaves at once. */
			if (ptrace(PTRACE_GETSIGINFO, pid, 0, &si))
				sig = 0;
		}
		ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
	}
	*status = st;
	return peak;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	long peak = 0;
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
		/* Stopped until the wrapper has set its options; untraced
		 * where ptrace is refused. */
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) == 0)
			raise(SIGSTOP);
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
	if (WIFSTOPPED(status)) {
		peak = trace(pid, &status, &ru);
		if (peak < 0) {
			fprintf(stderr, "rsswrap: tracing %s: %s\n", argv[2],
				strerror(errno));
			kill(pid, SIGKILL);
			return 125;
		}
	}
	if (peak < ru.ru_maxrss)
		peak = ru.ru_maxrss;
	f = fopen(argv[1], "w");
	if (!f ||
	    fprintf(f, "%ld %lld %lld %ld\n", peak,
		    (long long)ru.ru_utime.tv_sec * 1000000 +
			    ru.ru_utime.tv_usec,
		    (long long)ru.ru_stime.tv_sec * 1000000 +
			    ru.ru_stime.tv_usec,
		    ru.ru_maxrss) < 0 ||
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
