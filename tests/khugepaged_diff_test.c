/* SPDX-License-Identifier: MIT */
/*
 * Differential test of khugepaged (mm/khugepaged.c) against the real
 * kernel of this machine: the same calls run in this test process itself
 * (raw syscall(2) and loads and stores, on the host's Linux) and in
 * process 1 of an x86_64 mmkit machine, khugepaged then runs on both, and
 * what it collapsed must be the same.
 *
 * The calls: mmap of private anonymous memory (MAP_FIXED_NOREPLACE, in a
 * window at WIN of WIN_LEN bytes that group_setup checks is free in this
 * process, at the same addresses in mmkit's process), munmap, mprotect,
 * madvise MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD and MADV_DONTNEED;
 * 8-byte stores at the start of every page of a range (values that
 * depend on the page and the call) and loads; a checksum of a range's
 * pages; max_ptes_none set on both sides; and the scan: on the host,
 * khugepaged runs (scan_sleep_millisecs 0) until
 * /sys/kernel/mm/transparent_hugepage/khugepaged/full_scans has grown by
 * two, so one whole pass began after the calls; in mmkit, two passes of
 * mmk_khugepaged_scan(0). Between scans the host's khugepaged is held off
 * (scan_sleep_millisecs PAUSE_MS, set before the calls, and HOLD_US for
 * the wake-up that write makes to end), so that it collapses nothing
 * while a sequence is between two states. Before each sequence both
 * processes are put on khugepaged's list (primer[]): this one stays on it
 * from its first MADV_HUGEPAGE on, mmkit's process 1 is new each time.
 *
 * Each side writes a report: every call and its result (an address
 * relative to the window, 0 or -errno, the value loaded, the checksum);
 * after a scan (and at a sequence's end) each VMA of the window: its
 * maps line (relative range, permissions, offset), its smaps Rss,
 * Anonymous, AnonHugePages and THPeligible, and its VmFlags (without
 * "sd"). The reports must be equal; a directed sequence's scan also
 * states the window's AnonHugePages both must show, and how many huge
 * pages mmkit's khugepaged collapsed (its return, khugepaged/
 * pages_collapsed and /proc/vmstat thp_collapse_alloc: mmkit's counters
 * only, the host's are global). mmk_check() passes after every call.
 *
 * The host: root, THP "madvise" (mmkit's default), khugepaged's sysfs
 * files; else the tests are skipped. The test changes the host's
 * khugepaged/scan_sleep_millisecs and max_ptes_none while it runs and
 * puts both back in the group teardown, at exit and on SIGINT, SIGTERM,
 * SIGHUP and SIGPIPE (not on SIGKILL); it takes turns with thp_diff_test (which sets
 * max_ptes_none 0 for its run) through that test's lock file. A scan
 * waits SCAN_TIMEOUT seconds at most: if the host's khugepaged counted
 * thp_collapse_alloc_failed meanwhile (it then sleeps
 * alloc_sleep_millisecs), the sequence is skipped, else the test fails.
 *
 * Directed sequences (each 2 MiB in its own VMA unless said): pages
 * written, then MADV_HUGEPAGE, collapse (max_ptes_none 511: 2 pages of
 * 512 suffice), a page unmapped and mapped again keeps its 2 MiB split
 * until MADV_HUGEPAGE merges the VMAs (seq_collapse); max_ptes_none 500
 * and 2, 11 or 12 pages (seq_max_ptes_none); MADV_COLD (seq_cold,
 * seq_cold_partial); max_ptes_none 0 (seq_none_zero); MADV_NOHUGEPAGE
 * (seq_nohuge); read-only memory, which 6.18's khugepaged collapses too
 * (seq_readonly). Then seeded random sequences of the same calls.
 *
 * Environment:
 *   KHUGEPAGED_DIFF_SEED=N   the first random sequence's seed (default 1)
 *   KHUGEPAGED_DIFF_SEQS=N   how many random sequences (default SEQS)
 *   KHUGEPAGED_DIFF_CALLS=N  calls per random sequence (default
 *                            RANDOM_CALLS, at most MAX_CALLS - 12)
 *   KHUGEPAGED_DIFF_SHOW=1   print the host's report of every sequence
 *   KHUGEPAGED_DIFF_KNOWN=1  also run a known mmkit difference
 *                            (seq_cold_after_split), and MADV_COLD after
 *                            MADV_HUGEPAGE in random sequences
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "tests/diff_test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
#define HP (2UL << 20)
#define MB (1UL << 20)
#define WIN 0x40000000UL
#define WIN_LEN (64UL << 20)
#define RW (PROT_READ | PROT_WRITE)
/* Random sequences: this many, of RANDOM_CALLS calls in RANDOM_LEN. */
#define SEQS 60
#define RANDOM_CALLS 24
#define RANDOM_LEN (16UL << 20)
#define MAX_CALLS 64
/* The host's khugepaged, held off and let run. */
#define PAUSE_MS 60000L
#define HOLD_US 50000
#define SCAN_TIMEOUT 20
#define POLL_US 10000

#define KH "/sys/kernel/mm/transparent_hugepage/khugepaged/"
#define LOCK_PATH "/tmp/mmkit-thp_diff_test.lock"

enum op {
	OP_MMAP, /* arg: prot */
	OP_MUNMAP,
	OP_MPROTECT, /* arg: prot */
	OP_MADVISE, /* arg: advice */
	OP_TOUCH, /* a store at each page's start */
	OP_READ, /* a load at off */
	OP_SUM, /* the checksum of each page's first 8 bytes */
	OP_KNOB, /* arg: max_ptes_none */
	OP_SCAN, /* khugepaged: two passes */
};

/* Offsets relative to the window. A scan's expectations: the window's
 * AnonHugePages (kB) and mmkit's collapses; -1: not stated. */
struct call {
	enum op op;
	unsigned long off, len;
	long arg;
	long expect_kb, expect_collapses;
};

#define CALL(o, off, len, arg)                   \
	{                                        \
		(o), (off), (len), (arg), -1, -1 \
	}
#define MMAP(off, len) CALL(OP_MMAP, off, len, RW)
#define MUNMAP(off, len) CALL(OP_MUNMAP, off, len, 0)
#define MPROTECT(off, len, p) CALL(OP_MPROTECT, off, len, p)
#define MADVISE(off, len, a) CALL(OP_MADVISE, off, len, a)
#define HUGE(off, len) MADVISE(off, len, MADV_HUGEPAGE)
#define TOUCH(off, len) CALL(OP_TOUCH, off, len, 0)
#define READ(off) CALL(OP_READ, off, 0, 0)
#define SUM(off, len) CALL(OP_SUM, off, len, 0)
#define KNOB(v) CALL(OP_KNOB, 0, 0, v)
#define SCAN(kb, n)                         \
	{                                   \
		OP_SCAN, 0, 0, 0, (kb), (n) \
	}

/* The value a store of call @i writes at window offset @off. */
static uint64_t value_of(unsigned long off, int i)
{
	return ((uint64_t)(i + 1) << 32) | (off / PG) | 1;
}

/* ---- reports ---- */

static const char *advice_name(long advice)
{
	switch (advice) {
	case MADV_HUGEPAGE:
		return "HUGEPAGE";
	case MADV_NOHUGEPAGE:
		return "NOHUGEPAGE";
	case MADV_COLD:
		return "COLD";
	case MADV_DONTNEED:
		return "DONTNEED";
	default:
		return "?";
	}
}

static void fmt_call(char *out, size_t cap, const struct call *c, long r)
{
	switch (c->op) {
	case OP_MMAP:
		diff_append(out, cap, "mmap W+%#lx %#lx prot=%ld = %ld\n",
			    c->off, c->len, c->arg, r);
		break;
	case OP_MUNMAP:
		diff_append(out, cap, "munmap W+%#lx %#lx = %ld\n", c->off,
			    c->len, r);
		break;
	case OP_MPROTECT:
		diff_append(out, cap, "mprotect W+%#lx %#lx prot=%ld = %ld\n",
			    c->off, c->len, c->arg, r);
		break;
	case OP_MADVISE:
		diff_append(out, cap, "madvise W+%#lx %#lx %s = %ld\n", c->off,
			    c->len, advice_name(c->arg), r);
		break;
	case OP_TOUCH:
		diff_append(out, cap, "touch W+%#lx %#lx\n", c->off, c->len);
		break;
	case OP_READ:
		diff_append(out, cap, "read W+%#lx = %#lx\n", c->off,
			    (unsigned long)r);
		break;
	case OP_SUM:
		diff_append(out, cap, "sum W+%#lx %#lx = %#lx\n", c->off,
			    c->len, (unsigned long)r);
		break;
	case OP_KNOB:
		diff_append(out, cap, "max_ptes_none %ld = %ld\n", c->arg, r);
		break;
	case OP_SCAN:
		diff_append(out, cap, "khugepaged\n");
		break;
	}
}

/* The window's VMAs of an smaps text (@base: the window's address);
 * their AnonHugePages in kB into *@anon_huge. */
static void report_smaps(char *out, size_t cap, const char *smaps,
			 unsigned long base, long *anon_huge)
{
	static const char *const fields[] = {
		"Rss:",
		"Anonymous:",
		"AnonHugePages:",
		"THPeligible:",
	};

	diff_report_smaps(out, cap, smaps, base, WIN_LEN, fields,
			  sizeof fields / sizeof fields[0], anon_huge);
}

/* ---- the host ---- */

static long old_sleep = -1, old_none = -1;
static char old_sleep_text[32], old_none_text[32];
static pid_t test_pid;
static bool host_ok;
static int lock_fd = -1;

static void put_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0) {
		/* Nothing more to do. */
	}
	close(fd);
}

/* The knobs back as they were (the group teardown, exit). */
static void host_restore(void)
{
	if (getpid() != test_pid)
		return;
	if (old_none >= 0)
		diff_write_long(KH "max_ptes_none", old_none);
	if (old_sleep >= 0)
		diff_write_long(KH "scan_sleep_millisecs", old_sleep);
	old_none = old_sleep = -1;
}

static void restore_on_signal(int sig)
{
	if (getpid() == test_pid) {
		if (old_none_text[0])
			put_text(KH "max_ptes_none", old_none_text);
		if (old_sleep_text[0])
			put_text(KH "scan_sleep_millisecs", old_sleep_text);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The number after "@key" at a line's start in @text (-1: none). */
static long field(const char *text, const char *key)
{
	return diff_field(text, key, -1);
}

static long host_vmstat(const char *key)
{
	char *t = mmk_test_slurp("/proc/vmstat");
	long v = field(t, key);

	free(t);
	return v;
}

/* khugepaged held off: a long sleep, and time for the wake-up that
 * writing it makes. */
static void host_hold(void)
{
	assert_true(diff_write_long(KH "scan_sleep_millisecs", PAUSE_MS));
	usleep(HOLD_US);
}

enum scan_result { SCANNED, SCAN_SKIP, SCAN_TIMED_OUT };

/* khugepaged let run until full_scans grew by two, then held off. */
static enum scan_result host_scan(void)
{
	long start = diff_read_long(KH "full_scans"),
	     failed = host_vmstat("thp_collapse_alloc_failed "), now;
	struct timespec t0, t;

	assert_true(start >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(diff_write_long(KH "scan_sleep_millisecs", 0));
	for (;;) {
		now = diff_read_long(KH "full_scans");
		if (now >= start + 2)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= SCAN_TIMEOUT)
			break;
		usleep(POLL_US);
	}
	host_hold();
	if (host_vmstat("thp_collapse_alloc_failed ") != failed)
		return SCAN_SKIP;
	return now >= start + 2 ? SCANNED : SCAN_TIMED_OUT;
}

static long host_call(const struct call *c, int i)
{
	unsigned long a = WIN + c->off, o;
	uint64_t sum = 0;
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, a, c->len, c->arg,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
		return r == -1 ? -errno : r - (long)WIN;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, a, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, a, c->len, c->arg);
		break;
	case OP_MADVISE:
		r = syscall(SYS_madvise, a, c->len, (int)c->arg);
		break;
	case OP_TOUCH:
		for (o = 0; o < c->len; o += PG)
			*(volatile uint64_t *)(a + o) = value_of(c->off + o, i);
		return 0;
	case OP_READ:
		return (long)*(volatile uint64_t *)a;
	case OP_SUM:
		for (o = 0; o < c->len; o += PG)
			sum = sum * 31 + *(volatile uint64_t *)(a + o);
		return (long)sum;
	case OP_KNOB:
		return diff_write_long(KH "max_ptes_none", c->arg) ? 0 : -1;
	case OP_SCAN:
		return 0;
	}
	return r == -1 ? -errno : r;
}

/* ---- mmkit ---- */

static long sim_counter(struct mmk_machine *m, const char *path,
			const char *key)
{
	char *t = proc(m, path);
	long v = key ? field(t, key) : strtol(t, NULL, 10);

	free(t);
	return v;
}

static long sim_call(const struct call *c, int i)
{
	unsigned long a = WIN + c->off, o;
	uint64_t sum = 0, v = 0;
	char text[16];

	switch (c->op) {
	case OP_MMAP: {
		long r = mmk_mmap(1, a, c->len, c->arg,
				  MAP_PRIVATE | MAP_ANONYMOUS |
					  MAP_FIXED_NOREPLACE,
				  NULL, 0);

		return r < 0 ? r : r - (long)WIN;
	}
	case OP_MUNMAP:
		return mmk_munmap(1, a, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, a, c->len, c->arg);
	case OP_MADVISE:
		return mmk_madvise(1, a, c->len, (int)c->arg);
	case OP_TOUCH:
		for (o = 0; o < c->len; o += PG)
			assert_int_equal(mmk_write_u64(1, a + o,
						       value_of(c->off + o, i)),
					 0);
		return 0;
	case OP_READ:
		assert_int_equal(mmk_read_u64(1, a, &v), 0);
		return (long)v;
	case OP_SUM:
		for (o = 0; o < c->len; o += PG) {
			assert_int_equal(mmk_read_u64(1, a + o, &v), 0);
			sum = sum * 31 + v;
		}
		return (long)sum;
	case OP_KNOB:
		snprintf(text, sizeof text, "%ld", c->arg);
		return mmk_thp_set("khugepaged/max_ptes_none", text) ? -1 : 0;
	case OP_SCAN:
		return 0;
	}
	return 0;
}

/* The huge pages mmkit's khugepaged collapsed in a test's sequences. */
static long n_collapses;

/* Two passes of mmkit's khugepaged: the huge pages it collapsed, which
 * its counters must show too. */
static long sim_scan(struct mmk_machine *m)
{
	long pc0 = sim_counter(m,
			       "/sys/kernel/mm/transparent_hugepage/"
			       "khugepaged/pages_collapsed",
			       NULL),
	     ca0 = sim_counter(m, "/proc/vmstat", "thp_collapse_alloc "),
	     fs0 = sim_counter(m,
			       "/sys/kernel/mm/transparent_hugepage/"
			       "khugepaged/full_scans",
			       NULL),
	     a, b, fs;

	a = mmk_khugepaged_scan(0);
	assert_true(a >= 0);
	b = mmk_khugepaged_scan(0);
	assert_true(b >= 0);
	n_collapses += a + b;
	assert_int_equal(sim_counter(m,
				     "/sys/kernel/mm/transparent_hugepage/"
				     "khugepaged/pages_collapsed",
				     NULL) -
				 pc0,
			 a + b);
	assert_int_equal(sim_counter(m, "/proc/vmstat", "thp_collapse_alloc ") -
				 ca0,
			 a + b);
	/* Two passes; none if no process is on khugepaged's list (as
	 * Linux's khugepaged, which then waits for one). */
	fs = sim_counter(m,
			 "/sys/kernel/mm/transparent_hugepage/khugepaged/"
			 "full_scans",
			 NULL) -
	     fs0;
	assert_true(fs == 2 || (fs == 0 && a + b == 0));
	return a + b;
}

/* ---- comparing ---- */

/*
 * Before each sequence, on both sides: the process put on khugepaged's
 * list (MMF_VM_HUGEPAGE), which it then stays on until it exits. The
 * host's side is this test process, on the list from its first
 * sequence on; mmkit's process 1 is new for each. (Linux registers an mm
 * at MADV_HUGEPAGE only for a VMA with an anon_vma and room for an
 * aligned 2 MiB, and at a fault only where it tries a huge page: a
 * sequence can make huge pages collapsible without either.)
 */
#define PRIMER (WIN_LEN - HP)
static const struct call primer[] = {
	MMAP(PRIMER, HP),
	TOUCH(PRIMER, PG),
	HUGE(PRIMER, HP),
	MUNMAP(PRIMER, HP),
};

static int n_run, n_passed, n_skipped;

/* Run @n calls on both sides; false if the host's side was skipped. */
static bool compare(struct mmk_machine *m, const struct call *c, int n,
		    const char *what)
{
	char *host = calloc(1, DIFF_REPORT_CAP),
	     *sim = calloc(1, DIFF_REPORT_CAP), *smaps;
	long kb, collapses;
	bool skipped = false;
	int i;

	assert_non_null(host);
	assert_non_null(sim);
	n_run++;

	/* The host, in this process. */
	assert_true(diff_write_long(KH "max_ptes_none", 511));
	for (i = 0; i < (int)(sizeof primer / sizeof primer[0]); i++)
		assert_false(host_call(&primer[i], i) < 0);
	for (i = 0; i < n && !skipped; i++) {
		fmt_call(host, DIFF_REPORT_CAP, &c[i], host_call(&c[i], i));
		if (c[i].op != OP_SCAN && i + 1 < n)
			continue;
		if (c[i].op == OP_SCAN) {
			enum scan_result s = host_scan();

			if (s == SCAN_SKIP) {
				print_message("%s: skipped: the host's "
					      "khugepaged could not allocate "
					      "a huge page\n",
					      what);
				skipped = true;
				break;
			}
			if (s == SCAN_TIMED_OUT) {
				host_call(&(struct call)MUNMAP(0, WIN_LEN), 0);
				fail_msg("%s: the host's khugepaged did not "
					 "make two passes in %d s",
					 what, SCAN_TIMEOUT);
			}
		}
		smaps = mmk_test_slurp("/proc/self/smaps");
		assert_non_null(smaps);
		report_smaps(host, DIFF_REPORT_CAP, smaps, WIN, &kb);
		free(smaps);
		if (c[i].expect_kb >= 0 && kb != c[i].expect_kb) {
			host_call(&(struct call)MUNMAP(0, WIN_LEN), 0);
			fprintf(stderr, "%s: the host's report:\n%s", what,
				host);
			fail_msg("%s: call %d: the host's AnonHugePages %ld "
				 "kB, expected %ld",
				 what, i, kb, c[i].expect_kb);
		}
	}
	/* Whatever the sequence left (nothing, if it ends in a munmap). */
	host_call(&(struct call)MUNMAP(0, WIN_LEN), 0);
	if (skipped) {
		n_skipped++;
		goto out;
	}
	if (getenv("KHUGEPAGED_DIFF_SHOW"))
		fprintf(stderr, "%s: the host's report:\n%s", what, host);

	/* mmkit. */
	assert_int_equal(mmk_thp_set("khugepaged/max_ptes_none", "511"), 0);
	assert_int_equal(mmk_spawn(1, false), 0);
	for (i = 0; i < (int)(sizeof primer / sizeof primer[0]); i++)
		assert_false(sim_call(&primer[i], i) < 0);
	for (i = 0; i < n; i++) {
		fmt_call(sim, DIFF_REPORT_CAP, &c[i], sim_call(&c[i], i));
		assert_check_ok(m);
		if (c[i].op != OP_SCAN && i + 1 < n)
			continue;
		collapses = c[i].op == OP_SCAN ? sim_scan(m) : 0;
		assert_check_ok(m);
		smaps = proc(m, "/proc/1/smaps");
		report_smaps(sim, DIFF_REPORT_CAP, smaps, WIN, &kb);
		free(smaps);
		if (c[i].expect_kb >= 0 && kb != c[i].expect_kb) {
			diff_reports_equal(host, sim, what, true);
			fail_msg("%s: call %d: mmkit's AnonHugePages %ld kB, "
				 "expected %ld",
				 what, i, kb, c[i].expect_kb);
		}
		if (c[i].expect_collapses >= 0 &&
		    collapses != c[i].expect_collapses)
			fail_msg("%s: call %d: mmkit's khugepaged collapsed "
				 "%ld, expected %ld",
				 what, i, collapses, c[i].expect_collapses);
	}
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
	if (!diff_reports_equal(host, sim, what, true))
		fail_msg("%s: mmkit differs from the host kernel", what);
	n_passed++;
out:
	free(host);
	free(sim);
	return !skipped;
}

/* ---- setup ---- */

static bool host_policy_ok(void)
{
	char *en =
		mmk_test_slurp("/sys/kernel/mm/transparent_hugepage/enabled");
	bool ok = en && strstr(en, "[madvise]") &&
		  diff_read_long("/sys/kernel/mm/transparent_hugepage/"
				 "hpage_pmd_size") == (long)HP;

	free(en);
	return ok;
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid() != 0 || access(KH "full_scans", R_OK) ||
	    access(KH "scan_sleep_millisecs", W_OK) ||
	    access(KH "max_ptes_none", W_OK) || !host_policy_ok() ||
	    !diff_window_free(WIN, WIN_LEN))
		return 0;
	lock_fd = open(LOCK_PATH, O_RDWR | O_CREAT, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX))
		return 0;
	test_pid = getpid();
	old_sleep = diff_read_long(KH "scan_sleep_millisecs");
	old_none = diff_read_long(KH "max_ptes_none");
	if (old_sleep < 0 || old_none < 0)
		return 0;
	snprintf(old_sleep_text, sizeof old_sleep_text, "%ld\n", old_sleep);
	snprintf(old_none_text, sizeof old_none_text, "%ld\n", old_none);
	atexit(host_restore);
	signal(SIGINT, restore_on_signal);
	signal(SIGTERM, restore_on_signal);
	signal(SIGHUP, restore_on_signal);
	signal(SIGPIPE, restore_on_signal);
	if (!diff_write_long(KH "scan_sleep_millisecs", PAUSE_MS)) {
		host_restore();
		return 0;
	}
	usleep(HOLD_US);
	host_ok = true;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (host_ok)
		syscall(SYS_munmap, WIN, WIN_LEN);
	host_restore();
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
	return 0;
}

static struct mmk_machine *boot(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 512ULL << 20, 1, 1, true);

	*state = m;
	return m;
}

/* ---- directed sequences ---- */

/* Whether to run the known differences too (KHUGEPAGED_DIFF_KNOWN). */
static bool known;

/*
 * (1) Two pages of the first 2 MiB and all of the second written before
 * MADV_HUGEPAGE: both collapse (max_ptes_none 511), the data kept. (2) A
 * page of the second unmapped and mapped again, untouched: a VMA of its
 * own, so that 2 MiB stays split; MADV_HUGEPAGE on the page merges the
 * VMAs, and it collapses again (one empty entry).
 */
static const struct call seq_collapse[] = {
	MMAP(0, 8 * MB),       TOUCH(0, 2 * PG),   TOUCH(2 * MB, 2 * MB),
	HUGE(0, 8 * MB),       SCAN(4096, 2),	   READ(PG),
	READ(2 * MB + 5 * PG), MUNMAP(2 * MB, PG), MMAP(2 * MB, PG),
	SCAN(2048, 0),	       HUGE(2 * MB, PG),   SCAN(4096, 1),
	READ(2 * MB),	       SUM(0, 8 * MB),	   MUNMAP(0, 8 * MB),
};

/* (3) max_ptes_none 500: 2 or 11 pages of 512 are too few, 12 (500
 * empty entries) enough. */
static const struct call seq_max_ptes_none[] = {
	KNOB(500),
	MMAP(0, 2 * MB),
	TOUCH(0, 2 * PG),
	MMAP(4 * MB, 2 * MB),
	TOUCH(4 * MB, 11 * PG),
	MMAP(8 * MB, 2 * MB),
	TOUCH(8 * MB + 100 * PG, 12 * PG),
	HUGE(0, 10 * MB),
	SCAN(2048, 1),
	SUM(0, 2 * MB),
	SUM(4 * MB, 2 * MB),
	SUM(8 * MB, 2 * MB),
	KNOB(511),
	SCAN(6144, 2),
	MUNMAP(0, 10 * MB),
};

/* (4) Pages made old by MADV_COLD are not worth a collapse; a load from
 * one makes it young. */
static const struct call seq_cold[] = {
	MMAP(0, 2 * MB), TOUCH(0, 2 * MB), MADVISE(0, 2 * MB, MADV_COLD),
	HUGE(0, 2 * MB), SCAN(0, 0),	   READ(1 * MB),
	SCAN(2048, 1),	 SUM(0, 2 * MB),   MUNMAP(0, 2 * MB),
};

/* (5) max_ptes_none 0: a 2 MiB half written stays, a whole one beside it
 * collapses. */
static const struct call seq_none_zero[] = {
	KNOB(0),	  MMAP(0, 4 * MB),
	TOUCH(0, 2 * MB), TOUCH(2 * MB, 1 * MB),
	HUGE(0, 4 * MB),  SCAN(2048, 1),
	SUM(0, 4 * MB),	  MUNMAP(0, 4 * MB),
};

/* (6) MADV_NOHUGEPAGE: never collapsed, also after MADV_HUGEPAGE. */
static const struct call seq_nohuge[] = {
	MMAP(0, 4 * MB),
	TOUCH(0, 4 * MB),
	MADVISE(0, 4 * MB, MADV_NOHUGEPAGE),
	MMAP(8 * MB, 4 * MB),
	TOUCH(8 * MB, 2 * PG),
	HUGE(8 * MB, 4 * MB),
	MADVISE(8 * MB, 4 * MB, MADV_NOHUGEPAGE),
	SCAN(0, 0),
	SUM(0, 4 * MB),
	SUM(8 * MB, 4 * MB),
	MUNMAP(0, 12 * MB),
};

/* (7) Read-only pages: 6.18's khugepaged collapses them too (older
 * kernels wanted a writable page in the 2 MiB); made writable again,
 * they stay huge. */
static const struct call seq_readonly[] = {
	MMAP(0, 4 * MB),
	TOUCH(0, 4 * MB),
	MPROTECT(0, 2 * MB, PROT_READ),
	MMAP(8 * MB, 2 * MB),
	TOUCH(8 * MB, 4 * PG),
	MPROTECT(8 * MB, 2 * MB, PROT_READ),
	HUGE(0, 10 * MB),
	SCAN(6144, 3),
	MPROTECT(0, 2 * MB, RW),
	MPROTECT(8 * MB, 2 * MB, RW),
	SCAN(6144, 0),
	SUM(0, 4 * MB),
	SUM(8 * MB, 2 * MB),
	MUNMAP(0, 10 * MB),
};

/*
 * A known difference (run with KHUGEPAGED_DIFF_KNOWN=1), of
 * mm/huge_memory.c (section 4: a PMD split splits the folio too), as
 * thp_diff_test.c's seq_free_after_split: MADV_COLD of part of a huge
 * page whose PMD a VMA split (MADV_NOHUGEPAGE) split before. Linux kept
 * the folio whole, mapped by PTEs, and MADV_COLD splits it
 * (madvise_cold_or_pageout_pte_range(): the folio not all in the range)
 * and maps its zero-filled pages, in both VMAs, to the shared zero page
 * (remap_page() with RMP_USE_SHARED_ZEROPAGE): Rss 4 kB (the page
 * written) and 0. mmkit split the folio with the PMD and keeps all 512
 * pages mapped: 1024 kB and 1024 kB. The same after a PMD split by
 * MADV_DONTNEED of one page of the huge page (random seed 29 with
 * KHUGEPAGED_DIFF_KNOWN=1: Rss 64 kB on Linux, 2044 kB in mmkit).
 */
static const struct call seq_cold_after_split[] = {
	MMAP(0, 2 * MB),
	HUGE(0, 2 * MB),
	TOUCH(0, PG),
	MADVISE(1 * MB, 1 * MB, MADV_NOHUGEPAGE),
	MADVISE(0, 1 * MB, MADV_COLD),
	SCAN(0, 0),
	SUM(0, 2 * MB),
	MUNMAP(0, 2 * MB),
};

/*
 * MADV_COLD of part of a PMD-mapped huge page (no split before it): both
 * split it there (madvise_cold_or_pageout_pte_range(): a range of less
 * than 2 MiB); with max_ptes_none 0 khugepaged leaves it split.
 */
static const struct call seq_cold_partial[] = {
	MMAP(0, 2 * MB),
	HUGE(0, 2 * MB),
	TOUCH(0, 16 * PG),
	MADVISE(3 * PG, 1 * MB, MADV_COLD),
	/* Else khugepaged collapses the pages again. */
	KNOB(0),
	SCAN(0, 0),
	SUM(0, 2 * MB),
	MUNMAP(0, 2 * MB),
};

struct directed {
	const char *name;
	const struct call *calls;
	int n;
	bool known; /* a known difference: only with KHUGEPAGED_DIFF_KNOWN */
};

#define SEQ(s, k)                                         \
	{                                                 \
#s, s, (int)(sizeof s / sizeof s[0]), (k) \
	}

static const struct directed directed[] = {
	SEQ(seq_collapse, false),     SEQ(seq_max_ptes_none, false),
	SEQ(seq_cold, false),	      SEQ(seq_none_zero, false),
	SEQ(seq_nohuge, false),	      SEQ(seq_readonly, false),
	SEQ(seq_cold_partial, false), SEQ(seq_cold_after_split, true),
};

static void test_directed(void **state)
{
	struct mmk_machine *m;
	size_t k;

	if (!host_ok)
		skip();
	m = boot(state);
	n_run = n_passed = n_skipped = 0;
	n_collapses = 0;
	for (k = 0; k < sizeof directed / sizeof directed[0]; k++)
		if (!directed[k].known || known)
			compare(m, directed[k].calls, directed[k].n,
				directed[k].name);
	print_message("khugepaged_diff directed: %d run, %d equal, %d "
		      "skipped, %ld collapses\n",
		      n_run, n_passed, n_skipped, n_collapses);
	if (n_skipped * 2 > n_run)
		fail_msg("%d of %d sequences skipped", n_skipped, n_run);
}

/* ---- random sequences ---- */

/* What the generator knows of each page of RANDOM_LEN: 0 unmapped, else
 * its prot. */
static unsigned char page_prot[RANDOM_LEN / PG];

static bool range_is(unsigned long off, unsigned long len, bool mapped)
{
	unsigned long p;

	for (p = off / PG; p < (off + len) / PG; p++)
		if ((page_prot[p] != 0) != mapped)
			return false;
	return true;
}

static bool range_rw(unsigned long off, unsigned long len)
{
	unsigned long p;

	for (p = off / PG; p < (off + len) / PG; p++)
		if (page_prot[p] != RW)
			return false;
	return true;
}

static void set_prot(unsigned long off, unsigned long len, int prot)
{
	memset(page_prot + off / PG, prot, len / PG);
}

/* A range near huge page boundaries. */
static void pick_range(uint64_t *s, unsigned long *off, unsigned long *len)
{
	static const unsigned long in[] = {
		0, 0, 0, PG, 3 * PG, 1 * MB, HP - PG
	};
	static const unsigned long lens[] = { PG,     2 * PG,	  16 * PG,
					      1 * MB, 2 * MB,	  2 * MB,
					      4 * MB, 2 * MB + PG };

	*off = diff_pick(s, 4) * HP +
	       in[diff_pick(s, sizeof in / sizeof in[0])];
	*len = lens[diff_pick(s, sizeof lens / sizeof lens[0])];
}

/* Sequence @seed: @n calls, scans among them, a scan, a checksum and a
 * munmap of everything at the end. Only pages mapped are loaded from,
 * only read-write ones stored to. */
static int random_seq(uint64_t seed, struct call *c, int n)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	static const long nones[] = { 0, 64, 256, 500, 511, 511, 511, 511 };
	unsigned long off, len, k;
	bool advised = false;
	int i = 0;

	memset(page_prot, 0, sizeof page_prot);
	diff_rand(&s);
	c[i++] = (struct call)KNOB(nones[diff_pick(&s, 8)]);
	/* Most calls then fall in a mapping. */
	off = diff_pick(&s, 2) ? 0 : PG * diff_pick(&s, 8);
	len = HP * (2 + diff_pick(&s, 3)) + (diff_pick(&s, 3) ? 0 : PG);
	c[i++] = (struct call)MMAP(off, len);
	set_prot(off, len, RW);
	/* Base pages first, for khugepaged to collapse later. */
	for (k = 1 + diff_pick(&s, 4); k > 0 && i < n - 2; k--) {
		static const unsigned long lens[] = { PG, 2 * PG, 16 * PG,
						      300 * PG, 1 * MB };
		unsigned long l = lens[diff_pick(&s, 5)];
		unsigned long o = off + PG * diff_pick(&s, (len - l) / PG + 1);

		c[i++] = (struct call)TOUCH(o, l);
	}
	while (i < n - 2) {
		unsigned long r = diff_pick(&s, 22);

		pick_range(&s, &off, &len);
		if (r < 2) {
			if (!range_is(off, len, false))
				continue;
			c[i++] = (struct call)MMAP(off, len);
			set_prot(off, len, RW);
		} else if (r < 9) {
			if (!range_rw(off, len))
				continue;
			c[i++] = (struct call)TOUCH(off, len);
		} else if (r < 11) {
			/* Often whole 2 MiB ranges. */
			if (diff_pick(&s, 2))
				c[i++] = (struct call)HUGE(
					off / HP * HP,
					HP * (1 + diff_pick(&s, 2)));
			else
				c[i++] = (struct call)HUGE(off, len);
			advised = true;
		} else if (r < 12) {
			c[i++] =
				(struct call)MADVISE(off, len, MADV_NOHUGEPAGE);
		} else if (r < 13) {
			/* Not where a huge page may be: seq_cold_after_split
			 * (without KHUGEPAGED_DIFF_KNOWN). */
			if (advised && !known)
				continue;
			c[i++] = (struct call)MADVISE(off, len, MADV_COLD);
		} else if (r < 14) {
			c[i++] = (struct call)MADVISE(off, len, MADV_DONTNEED);
		} else if (r < 15) {
			int prot = diff_pick(&s, 2) ? PROT_READ : RW;

			if (!range_is(off, len, true))
				continue;
			c[i++] = (struct call)MPROTECT(off, len, prot);
			set_prot(off, len, prot);
		} else if (r < 16) {
			c[i++] = (struct call)MUNMAP(off, len);
			set_prot(off, len, 0);
		} else if (r < 17) {
			if (!range_is(off, PG, true))
				continue;
			c[i++] = (struct call)READ(off);
		} else if (r < 19) {
			c[i++] = (struct call)KNOB(nones[diff_pick(&s, 8)]);
		} else {
			c[i++] = (struct call)SCAN(-1, -1);
		}
	}
	c[i++] = (struct call)SCAN(-1, -1);
	/* Checksums of the 2 MiB-aligned ranges mapped whole. */
	for (off = 0; off < RANDOM_LEN; off += HP)
		if (range_is(off, HP, true))
			c[i++] = (struct call)SUM(off, HP);
	c[i++] = (struct call)MUNMAP(0, RANDOM_LEN);
	return i;
}

static void test_random(void **state)
{
	uint64_t seed0 = (uint64_t)diff_env_long("KHUGEPAGED_DIFF_SEED", 1);
	long nseq = diff_env_long("KHUGEPAGED_DIFF_SEQS", SEQS), k,
	     ncalls = diff_env_long("KHUGEPAGED_DIFF_CALLS", RANDOM_CALLS);
	struct call c[MAX_CALLS];
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	if (ncalls < 4 || ncalls > MAX_CALLS - 12)
		ncalls = RANDOM_CALLS;
	m = boot(state);
	n_run = n_passed = n_skipped = 0;
	n_collapses = 0;
	for (k = 0; k < nseq; k++) {
		uint64_t seed = seed0 + (uint64_t)k;
		char what[64];
		int n;

		memset(c, 0, sizeof c);
		n = random_seq(seed, c, (int)ncalls);
		snprintf(what, sizeof what,
			 "random seed %llu (KHUGEPAGED_DIFF_SEED=%llu "
			 "KHUGEPAGED_DIFF_SEQS=1)",
			 (unsigned long long)seed, (unsigned long long)seed);
		compare(m, c, n, what);
	}
	print_message("khugepaged_diff random: %d run, %d equal, %d "
		      "skipped, %ld collapses\n",
		      n_run, n_passed, n_skipped, n_collapses);
	if (n_skipped * 2 > n_run)
		fail_msg("%d of %d sequences skipped", n_skipped, n_run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_directed, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
	};

	known = getenv("KHUGEPAGED_DIFF_KNOWN") != NULL;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
