/* SPDX-License-Identifier: MIT */
/*
 * The harness the benchmarks share: timing, CPU pinning, a fixed-seed
 * PRNG, medians, the worker threads of one measurement, and the parent's
 * side of the child processes (spawning the bench binary again, with
 * LD_PRELOAD or under callgrind, and reading what it prints).
 *
 * Header-only (static inline functions, so a bench need not use them all)
 * because `make bench` compiles each bench/NAME_bench.c as a single
 * translation unit. Define BENCH_NAME (the prefix of messages, "NAME_bench")
 * before including it; it sets _GNU_SOURCE itself, so include it before
 * any system header.
 */
#ifndef MMK_BENCH_HARNESS_H
#define MMK_BENCH_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench/harness.h"
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmkit/mmkit.h>

#define BENCH_NOINLINE __attribute__((noinline))
#define BENCH_ALWAYS_INLINE inline __attribute__((always_inline))
#define ESCAPE(p) __asm__ __volatile__("" : : "r"(p) : "memory")

#define BENCH_MAX_THREADS 2 /* worker threads of one measurement */
#define BENCH_REPS 3 /* timed runs per figure (RES lines carry 3 values) */

/* ---------------------------------------------------------------------- */
/* Basics */

static inline uint64_t xs64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The length of one timed run: MMKIT_BENCH_MS (default 200) ms, in ns. */
static inline double target_ns(void)
{
	const char *s = getenv("MMKIT_BENCH_MS");
	double ms = s ? atof(s) : 200.0;

	if (ms < 1)
		ms = 1;
	return ms * 1e6;
}

/*
 * Timed ops per run for ~@tgt ns at @pilot ns per op (at least @min_n, at
 * most 500,000,000), and warm-up ops: a tenth of that, at least @min_warm
 * and at most 2,000,000.
 */
static inline void calibrate(double tgt, double pilot, uint64_t min_n,
			     uint64_t min_warm, uint64_t *n, uint64_t *warm)
{
	*n = (uint64_t)(tgt / pilot);
	if (*n < min_n)
		*n = min_n;
	if (*n > 500000000)
		*n = 500000000;
	*warm = *n / 10;
	if (*warm < min_warm)
		*warm = min_warm;
	if (*warm > 2000000)
		*warm = 2000000;
}

static inline void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, BENCH_NAME ": out of memory\n");
		exit(1);
	}
	return p;
}

static inline size_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v[0..n-1]; sorts @v. */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof v[0], cmp_double);
	return v[n / 2];
}

static inline const char *pass(bool ok)
{
	return ok ? "PASS" : "MISS";
}

/* The line after the one @p points into, or NULL. */
static inline const char *next_line(const char *p)
{
	p = strchr(p, '\n');
	return p ? p + 1 : NULL;
}

/* ---------------------------------------------------------------------- */
/* Worker threads */

static int allowed_cpus[BENCH_MAX_THREADS];
static int nr_allowed_cpus;

/* Note the first BENCH_MAX_THREADS CPUs this process may run on. */
static inline void init_cpus(void)
{
	cpu_set_t set;
	int c;

	nr_allowed_cpus = 0;
	if (sched_getaffinity(0, sizeof set, &set))
		return;
	for (c = 0; c < CPU_SETSIZE && nr_allowed_cpus < BENCH_MAX_THREADS; c++)
		if (CPU_ISSET(c, &set))
			allowed_cpus[nr_allowed_cpus++] = c;
}

static inline void pin_self(int i)
{
	cpu_set_t set;

	if (nr_allowed_cpus < BENCH_MAX_THREADS)
		return; /* too few CPUs: let the scheduler place threads */
	CPU_ZERO(&set);
	CPU_SET(allowed_cpus[i % nr_allowed_cpus], &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* Worker thread @id of a measurement takes simulated CPU @id of @m.
 * Return 0, or 1 (with a message) if it cannot. */
static inline int take_cpu(struct mmk_machine *m, int id)
{
	if (mmk_set_current(m) || mmk_set_cpu(id)) {
		fprintf(stderr, BENCH_NAME ": thread %d cannot take CPU %d\n",
			id, id);
		return 1;
	}
	return 0;
}

/* What the threads of one measurement share. */
struct team {
	pthread_barrier_t bar; /* one barrier for all of them */
	sem_t ready; /* each posts it once, when it holds its CPU */
};

/* One worker thread, as run_team() hands it to its thread function. */
struct worker_arg {
	struct team *team;
	int id; /* 0 .. nthreads - 1 */
	void *run; /* the measurement, the same for every thread */
	void *thr; /* this thread's own state */
	/* set by the thread function: */
	uint64_t t0, t1; /* its timed section */
	int err;
};

/*
 * The start of a worker thread: pin it to CPU @wa->id; with @m, make it
 * own simulated CPU @wa->id of @m; then let run_team() start the next
 * thread. Return 0, or 1 if it cannot take its CPU.
 */
static inline int worker_start(struct worker_arg *wa, struct mmk_machine *m)
{
	int err = 0;

	pin_self(wa->id);
	if (m)
		err = take_cpu(m, wa->id);
	sem_post(&wa->team->ready);
	return err;
}

/*
 * Run @fn on @nthreads threads, thread i with the state @thr + i * @size;
 * thread i + 1 is created once thread i has posted team->ready, so thread
 * i takes CPU i. Return: the wall time in ns from the earliest t0 to the
 * latest t1, or a negative value if a thread set err.
 */
static inline double run_team(int nthreads, void *(*fn)(void *), void *run,
			      void *thr, size_t size)
{
	struct team team;
	struct worker_arg wa[BENCH_MAX_THREADS];
	pthread_t tid[BENCH_MAX_THREADS];
	uint64_t t0 = UINT64_MAX, t1 = 0;
	int i, err = 0;

	memset(wa, 0, sizeof wa);
	pthread_barrier_init(&team.bar, NULL, (unsigned int)nthreads);
	sem_init(&team.ready, 0, 0);
	for (i = 0; i < nthreads; i++) {
		wa[i].team = &team;
		wa[i].id = i;
		wa[i].run = run;
		wa[i].thr = (char *)thr + (size_t)i * size;
		if (pthread_create(&tid[i], NULL, fn, &wa[i])) {
			fprintf(stderr, BENCH_NAME ": pthread_create\n");
			exit(1);
		}
		while (sem_wait(&team.ready) && errno == EINTR)
			;
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		err |= wa[i].err;
		if (wa[i].t0 < t0)
			t0 = wa[i].t0;
		if (wa[i].t1 > t1)
			t1 = wa[i].t1;
	}
	pthread_barrier_destroy(&team.bar);
	sem_destroy(&team.ready);
	return err ? -1 : (double)(t1 - t0);
}

/* ---------------------------------------------------------------------- */
/* Allocators and child processes */

struct allocator {
	const char *name;
	int kind; /* the bench's own enum kind */
	const char *preload; /* NULL: none */
	const char *probe; /* symbol that proves the preload took effect */
};

/* The malloc peers, of the bench's kind @k, closing a table of allocators. */
#define PEER_LIB(f) "/usr/lib/x86_64-linux-gnu/" f
#define MALLOC_PEERS(k)                                                        \
	{ "glibc", k, NULL, NULL },                                            \
		{ "jemalloc", k, PEER_LIB("libjemalloc.so.2"), "mallctl" },    \
		{ "mimalloc", k, PEER_LIB("libmimalloc.so.2"), "mi_version" }, \
		{ "tcmalloc", k, PEER_LIB("libtcmalloc_minimal.so.4"),         \
		  "tc_version" },

/* The peer library of @a is not installed. */
static inline bool preload_missing(const struct allocator *a)
{
	return a->preload && access(a->preload, R_OK);
}

/* In a child: warn (an INFO line) if @a's LD_PRELOAD seems not in effect. */
static inline void check_preload(const struct allocator *a)
{
	if (a->probe && !dlsym(RTLD_DEFAULT, a->probe))
		printf("INFO %s: warning: %s not found; is the LD_PRELOAD in effect?\n",
		       a->name, a->probe);
}

static char self_exe[4096];

/* In the parent, first: find the bench binary, line-buffer stdout (to
 * keep its order with the notes on stderr), print the first line. Return
 * 0 or -1. */
static inline int init_parent(void)
{
	ssize_t l = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);

	if (l <= 0) {
		fprintf(stderr, BENCH_NAME ": readlink /proc/self/exe\n");
		return -1;
	}
	self_exe[l] = 0;
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep order with stderr notes */
	printf(BENCH_NAME
	       ": mmkit %s, %ld online CPUs, %.0f ms per timed run\n",
	       mmk_version(), sysconf(_SC_NPROCESSORS_ONLN), target_ns() / 1e6);
	return 0;
}

/* The start of a bench's parent process: CPUs, pinned to the first, the
 * child machinery, and 4 KiB host pages (which the benches assume).
 * Return: 0, or 1 after printing why. */
static inline int bench_parent_start(void)
{
	init_cpus();
	pin_self(0);
	if (init_parent())
		return 1;
	if (sysconf(_SC_PAGESIZE) != 4096) {
		printf("ERR host page size %ld, not 4096\n",
		       sysconf(_SC_PAGESIZE));
		return 1;
	}
	return 0;
}

/* The closing line of the parent. */
static inline void print_done(uint64_t t_start, int rc)
{
	printf("\n" BENCH_NAME ": done in %.1f s%s\n",
	       (double)(now_ns() - t_start) / 1e9,
	       rc ? " (with errors, see above)" : "");
}

/* Run the bench binary (or, with @valgrind, valgrind on it) with @args;
 * capture stdout (or for valgrind stderr) into a malloc'ed *@out.
 * Return: the wait status, or -1 if it could not be started. */
static inline int spawn(const char *preload, bool valgrind, char *const args[],
			char **out)
{
	int fd[2], status;
	pid_t pid;
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);

	*out = NULL;
	if (pipe(fd)) {
		free(buf);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		free(buf);
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		char *argv[16];
		int i = 0, j;

		close(fd[0]);
		if (valgrind) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(fd[1], 2);
			if (devnull >= 0)
				dup2(devnull, 1);
			argv[i++] = (char *)"valgrind";
			argv[i++] = (char *)"--tool=callgrind";
			argv[i++] = (char *)"--callgrind-out-file=/dev/null";
		} else {
			dup2(fd[1], 1);
		}
		close(fd[1]);
		argv[i++] = self_exe;
		for (j = 0; args[j] && i < 15; j++)
			argv[i++] = args[j];
		argv[i] = NULL;
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		if (valgrind)
			execvp("valgrind", argv);
		else
			execv(self_exe, argv);
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		ssize_t r;

		if (cap - len < 2048) {
			char *nbuf = realloc(buf, cap * 2);

			if (!nbuf) {
				fprintf(stderr, BENCH_NAME ": out of memory\n");
				exit(1);
			}
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	*out = buf;
	return status;
}

static inline const char *status_str(int status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "could not start");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status %#x", status);
	return buf;
}

static inline bool status_ok(int status)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Echo the child's INFO and ERR lines. */
static inline void echo_notes(const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (!strncmp(p, "INFO ", 5) || !strncmp(p, "ERR ", 4))
			printf("  note: %.*s\n", (int)n, p);
		p = e ? e + 1 : NULL;
	}
}

/* What became of one allocator's `run` child. */
struct child_result {
	bool ran;
	char skip[160]; /* why it was skipped ("": it was not) */
};

/*
 * The parent's first part: `run NAME` in a child for each of the @nr
 * allocators @al, with its LD_PRELOAD; the child's INFO and ERR lines are
 * echoed and its output goes to @parse(index, text). An allocator of
 * @peer_kind whose library is missing or whose child fails is skipped
 * (@res[i].skip says why); a failing child of any other kind is an error,
 * printed (with @reproduce, with the command line that reproduces it).
 * Return: 1 on an error, else 0.
 */
static inline int run_children(const struct allocator *al, int nr,
			       int peer_kind, bool reproduce,
			       void (*parse)(int ai, const char *text),
			       struct child_result *res)
{
	char *out, sbuf[64];
	int ai, rc = 0;

	for (ai = 0; ai < nr; ai++) {
		const struct allocator *a = &al[ai];
		char *args[] = { (char *)"run", (char *)a->name, NULL };
		struct child_result *r = &res[ai];
		int st;

		if (preload_missing(a)) {
			snprintf(r->skip, sizeof r->skip, "%s not found",
				 a->preload);
			printf("  %s: skipped, %s\n", a->name, r->skip);
			continue;
		}
		fprintf(stderr, "  [" BENCH_NAME "] running %s ...\n", a->name);
		st = spawn(a->preload, false, args, &out);
		if (out) {
			echo_notes(out);
			parse(ai, out);
		}
		free(out);
		if (!status_ok(st)) {
			printf("  %s: child failed (%s)\n", a->name,
			       status_str(st, sbuf, sizeof sbuf));
			if (a->kind != peer_kind) {
				rc = 1;
				if (reproduce)
					printf("  reproduce: %s run %s\n",
					       self_exe, a->name);
			} else {
				snprintf(r->skip, sizeof r->skip,
					 "child failed: %s", sbuf);
				continue;
			}
		}
		r->ran = true;
	}
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Callgrind */

static inline bool have_valgrind(void)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);

		snprintf(buf, sizeof buf, "%.*s/valgrind", (int)n, path);
		if (n && access(buf, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/* Total instructions of a callgrind run, from "==PID== Collected : N". */
static inline bool cg_collected(const char *text, double *ir)
{
	const char *p = strstr(text, "Collected :");

	if (!p)
		return false;
	*ir = strtod(p + strlen("Collected :"), NULL);
	return *ir > 0;
}

/*
 * Instructions per op of `cg NAME WL N` under callgrind (with @preload):
 * run with N = @ops1 and N = @ops2, *@per_op = (Ir2 - Ir1) / (@ops2 -
 * @ops1). Return true then; on failure return false, set *@status to the
 * wait status of the failed run and, if @text is not NULL, *@text to its
 * output (malloc'ed, or NULL).
 */
static inline bool cg_per_op(const char *preload, const char *name,
			     const char *wl, unsigned long ops1,
			     unsigned long ops2, double *per_op, int *status,
			     char **text)
{
	char n1[32], n2[32];
	char *a1[] = { (char *)"cg", (char *)name, (char *)wl, n1, NULL };
	char *a2[] = { (char *)"cg", (char *)name, (char *)wl, n2, NULL };
	double i1 = 0, i2 = 0;
	int s1, s2;
	char *o1, *o2;
	bool ok;

	snprintf(n1, sizeof n1, "%lu", ops1);
	snprintf(n2, sizeof n2, "%lu", ops2);
	s1 = spawn(preload, true, a1, &o1);
	s2 = spawn(preload, true, a2, &o2);
	ok = status_ok(s1) && status_ok(s2) && o1 && o2 &&
	     cg_collected(o1, &i1) && cg_collected(o2, &i2);
	if (ok) {
		*per_op = (i2 - i1) / (double)(ops2 - ops1);
	} else {
		/* The first run that failed, or else the second. */
		bool second = status_ok(s1);

		*status = second ? s2 : s1;
		if (text) {
			*text = second ? o2 : o1;
			if (second)
				o2 = NULL;
			else
				o1 = NULL;
		}
	}
	free(o1);
	free(o2);
	return ok;
}

/* ---------------------------------------------------------------------- */
/* Results: BENCH_REPS timed runs of one workload */

struct cell {
	bool have;
	double med, lo, hi;
	double raw[BENCH_REPS]; /* in run order */
	unsigned long long n;
};

static inline void cell_set(struct cell *c, const double v[BENCH_REPS],
			    unsigned long long n)
{
	double s[BENCH_REPS];

	memcpy(c->raw, v, sizeof c->raw);
	memcpy(s, v, sizeof s);
	c->med = median(s, BENCH_REPS);
	c->lo = s[0];
	c->hi = s[BENCH_REPS - 1];
	c->have = true;
	c->n = n;
}

static inline void fmt_ns(char *buf, size_t len, const struct cell *c)
{
	if (!c->have)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", c->med);
}

static inline void fmt_ratio(char *buf, size_t len, const struct cell *a,
			     const struct cell *b)
{
	if (!a->have || !b->have || b->med <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2fx", a->med / b->med);
}

#endif /* MMK_BENCH_HARNESS_H */
