/* SPDX-License-Identifier: MIT */
/*
 * Workload 8, short-lived processes (what a shell script or a build does):
 * the parent runs 300 children one after another, each a fresh exec of
 * this program (so each maps the allocator and sets it up again, under
 * the same LD_PRELOAD) that builds, sorts and frees a list of 200 small
 * strings, prints their checksum and exits. The parent checks every
 * child's checksum. The CPU time the driver reads with wait4 includes the
 * children's (the parent reaps them), so the figure is mostly the cost of
 * starting a process on each allocator.
 */
#define _GNU_SOURCE
#define WL_NAME "spawn"
#include "bench/malloc/wl.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 300
#define STRINGS 200

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The child's work: @k selects its strings. Returns their checksum. */
static uint64_t child_work(uint64_t k)
{
	char *s[STRINGS];
	uint64_t sum = 0;
	int i;

	for (i = 0; i < STRINGS; i++) {
		uint64_t seed = k * STRINGS + (uint64_t)i;
		size_t n = 8 + (size_t)(wl_mix(seed) % 56), j;

		s[i] = wl_malloc(n + 1);
		for (j = 0; j < n; j++)
			s[i][j] = (char)('a' + wl_mix(seed * 64 + j) % 26);
		s[i][n] = '\0';
	}
	qsort(s, STRINGS, sizeof(s[0]), cmp_str);
	for (i = 0; i < STRINGS; i++) {
		sum = sum * 31 + wl_mix((uint64_t)(unsigned char)s[i][0] +
					strlen(s[i]) * 256);
		free(s[i]);
	}
	return sum;
}

int main(int argc, char **argv)
{
	uint64_t children, k, total = 0;

	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		printf("%016" PRIx64 "\n",
		       child_work(strtoull(argv[2], NULL, 10)));
		return 0;
	}
	children = wl_scaled(CHILDREN, wl_scale(argc, argv));
	for (k = 0; k < children; k++) {
		char arg[32], line[64];
		char *cargv[] = { argv[0], "child", arg, NULL };
		posix_spawn_file_actions_t fa;
		int fds[2], status;
		ssize_t got;
		uint64_t want = child_work(k);
		pid_t pid;

		snprintf(arg, sizeof arg, "%" PRIu64, k);
		if (pipe(fds))
			wl_fail("pipe");
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
		if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, cargv,
				environ))
			wl_fail("posix_spawn");
		posix_spawn_file_actions_destroy(&fa);
		close(fds[1]);
		got = read(fds[0], line, sizeof line - 1);
		close(fds[0]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			wl_fail("child %" PRIu64 " failed", k);
		line[got > 0 ? got : 0] = '\0';
		if (strtoull(line, NULL, 16) != want)
			wl_fail("child %" PRIu64 " printed '%s'", k, line);
		total += want;
	}
	printf("spawn ok %" PRIu64 " %016" PRIx64 "\n", children, total);
	return 0;
}
