/* SPDX-License-Identifier: MIT */
/*
 * The harness of the host differential tests (pkeys_diff_test.c,
 * msync_diff_test.c): a sequence of calls runs in a forked child of the
 * test on the real kernel and in a process of an mmkit machine; each
 * side writes a text report of every call (its result and what procfs
 * then shows), and the two reports must be equal.
 *
 * The host's child catches SIGSEGV and SIGBUS (diff_host_access), so a
 * sequence may load and store where it faults; it writes its report to a
 * pipe call by call, so that a crash shows how far it got.
 */
#ifndef MMK_TESTS_DIFF_TEST_H
#define MMK_TESTS_DIFF_TEST_H

#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIFF_REPORT_CAP (1UL << 20)
/* What a load or store that faults reports (the signal's number). */
#define DIFF_FAULTED(sig) (-10000L - (long)(sig))

/* Run call @i of @calls and append its report to @out (@cap bytes). */
typedef void diff_step_t(const void *calls, int i, char *out, size_t cap);

static inline void diff_append(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void diff_append(char *out, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	if (n + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, cap - n, fmt, ap);
	va_end(ap);
}

/* The end of the report of the call at @p (its line and the indented
 * lines after it). */
static inline const char *diff_block_end(const char *p)
{
	const char *q = strchr(p, '\n');

	while (q && q[1] == ' ')
		q = strchr(q + 1, '\n');
	return q ? q + 1 : p + strlen(p);
}

/*
 * Whether the reports of a sequence (@what) are equal; else the calls up
 * to the first whose reports differ and both reports of that one (with
 * @all, of every one that differs) are printed, and an mmk_check()
 * failure the mmkit report ends with.
 */
static inline bool diff_reports_equal(const char *host, const char *sim,
				      const char *what, bool all)
{
	const char *h = host, *s = sim, *he, *se;
	int i = 0, differ = 0;

	if (!strcmp(host, sim))
		return true;
	fprintf(stderr, "%s: mmkit differs from the host kernel:\n", what);
	for (; *h || *s; h = he, s = se, i++) {
		he = diff_block_end(h);
		se = diff_block_end(s);
		if (he - h == se - s && !memcmp(h, s, (size_t)(he - h))) {
			if (!differ)
				fprintf(stderr, "  %.*s\n",
					(int)(strchr(h, '\n') - h), h);
			continue;
		}
		if (!differ++ || all)
			fprintf(stderr, "host kernel:\n%.*smmkit:\n%.*s",
				(int)(he - h), h, (int)(se - s), s);
	}
	fprintf(stderr, "(%d of the %d calls' reports differ)\n", differ, i);
	if (strstr(sim, "\nmmk_check() failed"))
		fprintf(stderr, "%s", strstr(sim, "\nmmk_check() failed") + 1);
	return false;
}

/*
 * A line [@p, @nl) of a window VMA's smaps entry: its VmFlags (without
 * "sd", which depends on the host's configuration) or, if its name is one
 * of @fields (with the colon), its value in kB, indented under the VMA's
 * line.
 */
static inline void diff_smaps_line(char *out, size_t cap, const char *p,
				   const char *nl, const char *const *fields,
				   size_t nfields)
{
	unsigned long kb;
	char name[24];
	size_t k;

	if (!strncmp(p, "VmFlags:", 8)) {
		const char *f = p + 8;
		char flag[4];
		int used;

		diff_append(out, cap, "    VmFlags:");
		while (sscanf(f, "%3s%n", flag, &used) == 1 && f + used <= nl) {
			if (strcmp(flag, "sd"))
				diff_append(out, cap, " %s", flag);
			f += used;
		}
		diff_append(out, cap, "\n");
	} else if (sscanf(p, "%23s %lu", name, &kb) == 2) {
		for (k = 0; k < nfields; k++)
			if (!strcmp(name, fields[k]))
				diff_append(out, cap, "    %s %lu\n", name, kb);
	}
}

/* A host sysfs or procfs file's number (-1 if it cannot be read), and
 * writing one: the knobs a test sets for its run and puts back. */
static inline long diff_read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static inline bool diff_write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return !fclose(f) && ok;
}

/* xorshift64: the sequences' random choices, from a seed. */
static inline uint64_t diff_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline unsigned long diff_pick(uint64_t *s, unsigned long n)
{
	return (unsigned long)(diff_rand(s) % n);
}

static sigjmp_buf diff_fault_jmp;
static volatile sig_atomic_t diff_fault_sig;

static inline void diff_on_fault(int sig)
{
	diff_fault_sig = sig;
	siglongjmp(diff_fault_jmp, 1);
}

/*
 * A 64-bit load (or, with @write, a store of @value) at @addr by the
 * host's child: the value loaded (0 for a store), or DIFF_FAULTED(sig).
 * @after_fault runs after a fault (NULL: nothing), to undo what the
 * signal's delivery changed that siglongjmp does not restore.
 */
static inline long diff_host_access(unsigned long addr, bool write,
				    uint64_t value, void (*before)(void),
				    void (*after_fault)(void))
{
	volatile uint64_t *p = (volatile uint64_t *)addr;

	if (before)
		before();
	if (sigsetjmp(diff_fault_jmp, 1)) {
		if (after_fault)
			after_fault();
		return DIFF_FAULTED(diff_fault_sig);
	}
	if (write) {
		*p = value;
		return 0;
	}
	return (long)*p;
}

/*
 * Run @n calls of @calls on the host in a child (@child_init first, if
 * any): their reports into @out (DIFF_REPORT_CAP bytes). False if the
 * child did not end well (its report so far is printed).
 */
static inline bool diff_run_host(diff_step_t *step, const void *calls, int n,
				 void (*child_init)(void), char *out)
{
	int fds[2], i, status;
	size_t got = 0;
	pid_t pid;
	ssize_t r;

	if (pipe(fds))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		static char rep[64 * 1024];
		struct sigaction sa;

		close(fds[0]);
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = diff_on_fault;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		if (child_init)
			child_init();
		for (i = 0; i < n; i++) {
			rep[0] = '\0';
			step(calls, i, rep, sizeof rep);
			if (write(fds[1], rep, strlen(rep)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	while ((r = read(fds[0], out + got, DIFF_REPORT_CAP - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "host child: status %#x after:\n%s\n", status,
			out);
		return false;
	}
	return true;
}

/* Whether [@win, @win + @len) is free in this process, so that the
 * child's MAP_FIXED mappings there replace nothing of the test's. */
static inline bool diff_window_free(unsigned long win, unsigned long len)
{
	/* PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE */
	long r = syscall(SYS_mmap, win, len, 0, 0x22 | 0x100000, -1, 0);

	if (r == -1)
		return false;
	syscall(SYS_munmap, win, len);
	return r == (long)win;
}

/* Whether the host's child may lock @len bytes (mlock): privileged, or
 * within RLIMIT_MEMLOCK. */
static inline bool diff_can_mlock(unsigned long len)
{
	struct rlimit rl;

	return geteuid() == 0 ||
	       (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur >= len);
}

/* The number after "@key" at a line's start in @text, or @none. */
static inline long diff_field(const char *text, const char *key, long none)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = text; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, klen))
			return strtol(p + klen, NULL, 10);
	return none;
}

/* The VMAs of an smaps text that meet the window [@base, @base + @len):
 * each one's range (relative to @base), permissions and offset, and its
 * @fields (diff_smaps_line); the sum of their AnonHugePages in kB into
 * *@anon_huge, unless NULL. */
static inline void diff_report_smaps(char *out, size_t cap, const char *smaps,
				     unsigned long base, unsigned long len,
				     const char *const *fields, size_t nfields,
				     long *anon_huge)
{
	bool in_win = false;
	const char *p, *nl;

	if (anon_huge)
		*anon_huge = 0;
	for (p = smaps; p && *p; p = nl + 1) {
		unsigned long start, end, off, kb;
		char perms[8];

		nl = strchr(p, '\n');
		if (!nl)
			break;
		if (sscanf(p, "%lx-%lx %7s %lx ", &start, &end, perms, &off) ==
		    4) {
			in_win = start < base + len && end > base;
			if (in_win)
				diff_append(out, cap,
					    "  W+%#lx-W+%#lx %s %08lx\n",
					    start - base, end - base, perms,
					    off);
		} else if (in_win) {
			diff_smaps_line(out, cap, p, nl, fields, nfields);
			if (anon_huge &&
			    sscanf(p, "AnonHugePages: %lu", &kb) == 1)
				*anon_huge += (long)kb;
		}
	}
}

/* The number in environment variable @name (strtol, base 0), or @dflt
 * when it is unset, empty or not a number. */
static inline long diff_env_long(const char *name, long dflt)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return dflt;
	v = strtol(s, &end, 0);
	return *end ? dflt : v;
}

/* Make sequence @seed of @n calls into @calls. */
typedef void diff_seq_t(uint64_t seed, void *calls, int n);
/* Run @n calls on both sides and compare (failing the test if they
 * differ); @what names the sequence. */
typedef void diff_compare_t(struct mmk_machine *m, const void *calls, int n,
			    const char *what);

/* Random sequences 1..@seqs of @n calls of @size bytes each, compared. */
static inline void diff_random(struct mmk_machine *m, diff_seq_t *gen,
			       diff_compare_t *cmp, size_t size, int n,
			       int seqs)
{
	void *calls = calloc((size_t)n, size);
	int s;

	assert_non_null(calls);
	for (s = 0; s < seqs; s++) {
		char what[32];

		gen((uint64_t)s + 1, calls, n);
		snprintf(what, sizeof what, "sequence %d", s + 1);
		cmp(m, calls, n, what);
	}
	free(calls);
}

/* Run call @i on mmkit's side (process 1 of @m) and append its report. */
typedef void diff_sim_step_t(struct mmk_machine *m, const void *calls, int i,
			     char *out, size_t cap);

static inline void diff_expect_equal(const char *host, const char *sim,
				     const char *what);

/*
 * The @n calls of @calls on the host (@host_step in a child, after
 * @child_init) and on mmkit (@sim_step in a new process 1, the machine
 * checked after each call): the reports must be equal.
 */
static inline void diff_compare(struct mmk_machine *m, diff_step_t *host_step,
				void (*child_init)(void),
				diff_sim_step_t *sim_step, const void *calls,
				int n, const char *what)
{
	char *host = calloc(1, DIFF_REPORT_CAP),
	     *sim = calloc(1, DIFF_REPORT_CAP);
	int i;

	assert_non_null(host);
	assert_non_null(sim);
	assert_true(diff_run_host(host_step, calls, n, child_init, host));
	assert_int_equal(mmk_spawn(1, false), 0);
	for (i = 0; i < n; i++) {
		sim_step(m, calls, i, sim, DIFF_REPORT_CAP);
		assert_check_ok(m);
	}
	assert_int_equal(mmk_exit(1), 0);
	diff_expect_equal(host, sim, what);
	free(host);
	free(sim);
}

/* The two reports are equal; else both are printed and the test fails. */
static inline void diff_expect_equal(const char *host, const char *sim,
				     const char *what)
{
	if (strcmp(host, sim)) {
		fprintf(stderr, "%s: host kernel:\n%s\nmmkit:\n%s\n", what,
			host, sim);
		fail_msg("%s: mmkit differs from the host kernel", what);
	}
}

#endif /* MMK_TESTS_DIFF_TEST_H */
