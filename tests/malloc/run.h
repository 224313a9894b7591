/* SPDX-License-Identifier: MIT */
/*
 * Helpers of tests/malloc_test.c and tests/malloc_programs_test.c: run a
 * program with or without libmmkit-malloc.so preloaded, capture its output
 * and how it ended, compile helper programs with the system compiler.
 * Include after <cmocka.h>.
 *
 * The library is found through MMKIT_MALLOC_SO (set by `make run-tests`).
 * Whether it can be preloaded at all is probed once by running /bin/true
 * with it; if not, the tests that need it are skipped with the reason.
 * The library is never built with a sanitizer (mk/rules.mk), and the
 * children are separate processes, so a sanitized test binary still
 * preloads the plain library into them.
 */
#ifndef MMK_TESTS_MALLOC_RUN_H
#define MMK_TESTS_MALLOC_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
	__has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RUN_SANITIZED 1
#else
#define RUN_SANITIZED 0
#endif

extern char **environ;

struct run {
	bool timed_out;
	int status; /* waitpid's */
	char *out, *err; /* NUL-terminated, malloc'ed */
	size_t out_len, err_len;
	double seconds;
};

static inline bool run_exited(const struct run *r, int code)
{
	return !r->timed_out && WIFEXITED(r->status) &&
	       WEXITSTATUS(r->status) == code;
}

static inline bool run_signalled(const struct run *r, int sig)
{
	return !r->timed_out && WIFSIGNALED(r->status) &&
	       WTERMSIG(r->status) == sig;
}

/* "exit 0", "signal 6", "timeout". */
static inline const char *run_how(const struct run *r)
{
	static char buf[64];

	if (r->timed_out)
		snprintf(buf, sizeof buf, "timeout after %.0f s", r->seconds);
	else if (WIFEXITED(r->status))
		snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(r->status));
	else if (WIFSIGNALED(r->status))
		snprintf(buf, sizeof buf, "signal %d (%s)", WTERMSIG(r->status),
			 strsignal(WTERMSIG(r->status)));
	else
		snprintf(buf, sizeof buf, "status %#x", r->status);
	return buf;
}

static inline void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static inline double run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int run_tmpfd(void)
{
	char path[] = "/tmp/mmkit-run-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static inline char *run_slurp(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;
	size_t got = 0;

	assert_true(size >= 0);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	lseek(fd, 0, SEEK_SET);
	while (got < (size_t)size) {
		ssize_t n = read(fd, buf + got, (size_t)size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = 0;
	*len = got;
	close(fd);
	return buf;
}

static inline bool run_env_dropped(const char *e)
{
	static const char *const drop[] = { "LD_PRELOAD=", "MMKIT_MALLOC=",
					    "MMKIT_MALLOC_STATS=" };
	size_t i;

	for (i = 0; i < sizeof drop / sizeof drop[0]; i++)
		if (strncmp(e, drop[i], strlen(drop[i])) == 0)
			return true;
	return false;
}

/*
 * Runs @argv (searched in PATH) in @cwd (NULL: ours) with our environment
 * less LD_PRELOAD and MMKIT_MALLOC*, plus the NULL-terminated @env
 * ("NAME=value"), standard input from @in (NULL: /dev/null), for at most
 * @timeout seconds (then SIGKILL).
 */
static inline void run_prog(struct run *r, const char *const argv[],
			    const char *const env[], const char *cwd,
			    const char *in, int timeout)
{
	size_t n = 0, i, k = 0;
	char **envp;
	int fo = run_tmpfd(), fe = run_tmpfd(), fi;
	double start = run_now();
	pid_t pid;

	memset(r, 0, sizeof(*r));
	while (environ[n])
		n++;
	for (i = 0; env && env[i]; i++)
		n++;
	envp = calloc(n + 1, sizeof(*envp));
	assert_non_null(envp);
	for (i = 0; environ[i]; i++)
		if (!run_env_dropped(environ[i]))
			envp[k++] = environ[i];
	for (i = 0; env && env[i]; i++)
		envp[k++] = (char *)env[i];
	envp[k] = NULL;
	fi = open(in ? in : "/dev/null", O_RDONLY);
	assert_true(fi >= 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		if (cwd && chdir(cwd))
			_exit(126);
		execvpe(argv[0], (char *const *)argv, envp);
		_exit(127);
	}
	close(fi);
	free(envp);
	for (;;) {
		pid_t w = waitpid(pid, &r->status, WNOHANG);
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		if (w == pid)
			break;
		assert_true(w == 0 || errno == EINTR);
		if (run_now() - start > timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &r->status, 0);
			r->timed_out = true;
			break;
		}
		nanosleep(&ts, NULL);
	}
	r->seconds = run_now() - start;
	r->out = run_slurp(fo, &r->out_len);
	r->err = run_slurp(fe, &r->err_len);
}

/* The first @max bytes of @s, for messages. */
static inline const char *run_head(const char *s, size_t max)
{
	static char buf[1024];

	if (max >= sizeof buf)
		max = sizeof buf - 1;
	snprintf(buf, max + 1, "%s", s ? s : "");
	return buf;
}

/* "LD_PRELOAD=<absolute path of the library>", or NULL. */
static inline const char *run_preload_env(void)
{
	static char env[PATH_MAX + 16];
	const char *so = getenv("MMKIT_MALLOC_SO");
	char abs[PATH_MAX];

	if (!so || !*so || !realpath(so, abs))
		return NULL;
	snprintf(env, sizeof env, "LD_PRELOAD=%s", abs);
	return env;
}

/* Why the library cannot be preloaded, or NULL if it can. */
static inline const char *run_preload_problem(void)
{
	static char why[1024];
	static int state; /* 0 unknown, 1 fine, 2 not */
	const char *pre = run_preload_env();

	if (state == 1)
		return NULL;
	if (state == 2)
		return why;
	state = 2;
	if (!pre) {
		snprintf(why, sizeof why,
			 "MMKIT_MALLOC_SO is not set or names no file");
		return why;
	}
	{
		const char *argv[] = { "/bin/true", NULL };
		const char *env[] = { pre, NULL };
		struct run r;

		run_prog(&r, argv, env, NULL, NULL, 30);
		if (!run_exited(&r, 0) || r.err_len) {
			snprintf(
				why, sizeof why,
				"%.300s cannot be preloaded into /bin/true (%s%s%.120s)%s",
				pre + 11, run_how(&r), r.err_len ? ": " : "",
				run_head(r.err, 120),
				RUN_SANITIZED ? "; in a sanitizer build" : "");
			run_free(&r);
			return why;
		}
		run_free(&r);
	}
	state = 1;
	return NULL;
}

/* @prog is in PATH. */
static inline bool run_have(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX + 256];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);

		snprintf(buf, sizeof buf, "%.*s/%.200s", (int)len, path, prog);
		if (access(buf, X_OK) == 0)
			return true;
		path = end ? end + 1 : NULL;
	}
	return false;
}

/* A new directory under /tmp (malloc'ed path). */
static inline char *run_mkdtemp(void)
{
	char *dir = strdup("/tmp/mmkit-malloc-test-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static inline void run_rmtree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct run r;

	if (!dir)
		return;
	run_prog(&r, argv, NULL, NULL, NULL, 60);
	run_free(&r);
}

/* The repository file @rel (e.g. "tests/malloc/api_child.c"), looked for
 * from the working directory and from the repository that holds $MMKIT
 * (build/<variant>/bin/mmkit); malloc'ed, or NULL. */
static inline char *run_find_source(const char *rel)
{
	const char *mmkit = getenv("MMKIT");
	char buf[2 * PATH_MAX + 8], abs[PATH_MAX];

	if (access(rel, R_OK) == 0 && realpath(rel, abs))
		return strdup(abs);
	if (mmkit && realpath(mmkit, abs)) {
		int up;

		for (up = 0; up < 6; up++) {
			char *slash = strrchr(abs, '/');

			if (!slash)
				break;
			*slash = 0;
			snprintf(buf, sizeof buf, "%s/%s", abs, rel);
			if (access(buf, R_OK) == 0)
				return strdup(buf);
		}
	}
	return NULL;
}

/* Runs the compiler command @argv; fails the test with the compiler's
 * messages if it does not succeed. */
static inline void run_build(const char *const argv[])
{
	struct run r;

	run_prog(&r, argv, NULL, NULL, NULL, 180);
	if (!run_exited(&r, 0))
		fail_msg("%s: %s\n%s", argv[0], run_how(&r),
			 run_head(r.err, 1000));
	run_free(&r);
}

/* Compiles @src into @out with the system compiler; fails the test with
 * the compiler's messages if it cannot. */
static inline void run_compile(const char *src, const char *out,
			       const char *extra)
{
	const char *argv[] = { "cc", "-O1",	 "-g",	"-fno-builtin",
			       "-w", "-pthread", "-o",	out,
			       src,  "-ldl",	 extra, NULL };

	run_build(argv);
}

#endif /* MMK_TESTS_MALLOC_RUN_H */
