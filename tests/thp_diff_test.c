/* SPDX-License-Identifier: MIT */
/*
 * Differential test of anonymous transparent huge pages
 * (mm/huge_memory.c) against the real kernel of this machine, beside
 * hugetlb_diff_test.c and vma_diff_test.c.
 *
 * A sequence of calls inside a 64 MiB window runs in a child process of
 * this one through raw syscall(2), and in process 1 of an x86_64 mmkit
 * machine, both with THP's policy as this host's (enabled and defrag
 * "madvise", use_zero_page 1; the test never changes the host's): mmap
 * of 2-8 MiB of private anonymous read-write memory at 2 MiB-aligned and
 * unaligned offsets, now and then read-only; madvise MADV_HUGEPAGE,
 * MADV_NOHUGEPAGE, MADV_DONTNEED, MADV_FREE (in directed sequences only:
 * see seq_free_partial, seq_gup_dirty and seq_free_after_split),
 * MADV_POPULATE_READ and
 * MADV_POPULATE_WRITE over whole and partial huge pages; 8-byte loads
 * and stores (a load maps the huge zero page, a store after it a huge
 * page in its place; the host's child catches its SIGSEGV); mprotect (a
 * VMA split inside a huge page splits its PMD); munmap; mremap with
 * MREMAP_MAYMOVE | MREMAP_FIXED (and MREMAP_DONTUNMAP) to 2 MiB-aligned
 * (the PMD moves) and unaligned (it splits) addresses, and shrinking in
 * place; mlock and munlock (which populate, and split at their ends);
 * and prctl(PR_SET_THP_DISABLE), with and without
 * PR_THP_DISABLE_EXCEPT_ADVISED. Directed sequences come first, then
 * seeded random ones; MADV_COLLAPSE (seq_collapse). No fork (mmkit
 * splits the parent's huge pages at fork: mm/huge_memory.c section 4), no
 * MADV_PAGEOUT, MADV_COLD or process_vm_readv.
 *
 * The window: the host's child reserves 256 MiB PROT_NONE and keeps of
 * it a 2 MiB-aligned 64 MiB (still PROT_NONE: the sequence maps over it
 * with MAP_FIXED, so nothing else lands in its holes) inside one 1 GiB
 * region, with a 2 MiB shared anonymous read-only "guard" below it (one
 * page of it read, so that the page tables above the PTE level exist
 * before the sequence: VmPTE then changes by the window's PTE tables
 * only) and a PROT_NONE shared one above it (no VMA of the window merges
 * with anything outside it). mmkit's process 1 has the same layout at
 * SIM_BASE. The child reads procfs into static buffers it has touched
 * before the sequence, and mallocs nothing, so its own RssAnon and VmPTE
 * do not change under the sequence (nor, after one fault it handles
 * first, when it catches a signal).
 *
 * After each call both sides report its result (an address relative to
 * the window, 0, -errno, the value loaded or the signal); for each VMA
 * of the window its maps line (range relative to the window,
 * permissions, offset), its smaps Rss, Anonymous, AnonHugePages,
 * Private_Dirty, Locked and THPeligible and its VmFlags (without the
 * host's "sd"); the change since the sequence began of VmPTE (not in an
 * AddressSanitizer build: its shadow has tables of its own) and RssAnon
 * in /proc/PID/status, and its THP_enabled line; and the change of
 * /proc/vmstat's thp_fault_alloc, thp_fault_fallback, thp_split_pmd and
 * thp_collapse_alloc.
 * Not thp_zero_page_alloc (the host's huge zero page may exist already),
 * thp_split_page and thp_deferred_split_page (section 4), nor MemFree.
 * The reports must be equal and mmk_check() must pass after every call.
 *
 * The vmstat counters are global on the host. A sequence during which
 * the host counted thp_fault_fallback (a huge page it could not
 * allocate), thp_collapse_alloc (khugepaged's, in a sequence with no
 * MADV_COLLAPSE) or thp_underused_split_page
 * (the deferred split shrinker, under memory pressure: with
 * max_ptes_none 0 it splits any huge page with a zero-filled subpage) is
 * skipped, not failed;
 * and where the reports differ the host's side runs again: if its second
 * report differs from its first, another process of the host disturbed
 * one of them, and the sequence is skipped too. The test fails if most
 * sequences were skipped, and is skipped if the first directed sequence
 * finds the host unable to allocate a huge page. khugepaged would
 * collapse ranges asynchronously: while the test runs,
 * /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none is 0
 * (only fully mapped ranges collapse, which sequences seldom leave in an
 * eligible VMA; put back when the test ends, and at exit), and the test
 * is skipped when it cannot be written (not root). Two runs of this test
 * take turns (a lock file in /tmp).
 *
 * Environment:
 *   THP_DIFF_SEED=N   the first random sequence's seed (default 1); the
 *                     k-th has N + k, so THP_DIFF_SEED=<its seed>
 *                     THP_DIFF_SEQS=1 replays one
 *   THP_DIFF_SEQS=N   how many random sequences (default SEQS, as many
 *                     as run in BUDGET_SECONDS)
 *   THP_DIFF_CALLS=N  calls per random sequence (default RANDOM_CALLS,
 *                     at most MAX_CALLS)
 *   THP_DIFF_ALL=1    show every differing call's reports, not only the
 *                     first's
 *   THP_DIFF_SHOW=1   print the host's report of every sequence
 *   THP_DIFF_KNOWN=1  also run the cases of a known mmkit difference
 *                     (mm/huge_memory.c, section 4: a PMD split splits
 *                     the folio, which MADV_FREE then finds split
 *                     already): seq_free_after_split, and MADV_FREE in
 *                     random sequences (else MADV_DONTNEED instead)
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
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
#define HP (2UL << 20)
#define MB (1UL << 20)
#define WIN_LEN (64UL << 20)
#define RESERVE (256UL << 20)
#define GIB (1UL << 30)
/* mmkit's window: inside one 1 GiB region, 2 MiB above its start, where
 * the guard goes. */
#define SIM_BASE 0x40200000UL
#define MAX_CALLS 48
#define RANDOM_CALLS 24
#define SEQS 500
/* Random sequences stop after this long (unless THP_DIFF_SEQS is set):
 * a loaded machine runs fewer. */
#define BUDGET_SECONDS 45
#define RW (PROT_READ | PROT_WRITE)
#define ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

#if defined(__SANITIZE_ADDRESS__)
#define PTE_COMPARABLE false
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTE_COMPARABLE false
#endif
#endif
#ifndef PTE_COMPARABLE
#define PTE_COMPARABLE true
#endif

enum op {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MADVISE,
	OP_MLOCK,
	OP_MUNLOCK,
	OP_MREMAP,
	OP_READ,
	OP_WRITE,
	OP_PRCTL,
};

/* Offsets are relative to the window's base. */
struct call {
	enum op op;
	unsigned long off, len;
	unsigned long arg; /* prot; advice; mremap's flags; prctl's arg2 */
	unsigned long len2; /* mremap's new_len; mmap's flags besides
			     * ANON_FIXED */
	unsigned long off2; /* mremap's new address; prctl's arg3 */
};

/* ---- the host side ---- */

/* The host child's window (0 until set up). */
static unsigned long host_base;

static long host_call(const struct call *c, int i)
{
	unsigned long a = host_base + c->off;
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, a, c->len, c->arg, ANON_FIXED | c->len2,
			    -1, 0);
		return r == -1 ? -errno : r - (long)host_base;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, a, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, a, c->len, c->arg);
		break;
	case OP_MADVISE:
		r = syscall(SYS_madvise, a, c->len, (int)c->arg);
		break;
	case OP_MLOCK:
		/* The system call: ASan's mlock() does nothing. */
		r = syscall(SYS_mlock, a, c->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, a, c->len);
		break;
	case OP_MREMAP:
		r = syscall(SYS_mremap, a, c->len, c->len2, c->arg,
			    host_base + c->off2);
		return r == -1 ? -errno : r - (long)host_base;
	case OP_READ:
	case OP_WRITE:
		return diff_host_access(a, c->op == OP_WRITE, (uint64_t)i + 1,
					NULL, NULL);
	case OP_PRCTL:
		r = syscall(SYS_prctl, PR_SET_THP_DISABLE, c->arg, c->off2, 0,
			    0);
		break;
	}
	return r == -1 ? -errno : r;
}

static long sim_call(const struct call *c, int i)
{
	unsigned long a = SIM_BASE + c->off;
	uint64_t v = 0;
	long r;

	switch (c->op) {
	case OP_MMAP:
		r = mmk_mmap(1, a, c->len, c->arg, ANON_FIXED | c->len2, NULL,
			     0);
		return r < 0 ? r : r - (long)SIM_BASE;
	case OP_MUNMAP:
		return mmk_munmap(1, a, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, a, c->len, c->arg);
	case OP_MADVISE:
		return mmk_madvise(1, a, c->len, (int)c->arg);
	case OP_MLOCK:
		return mmk_mlock(1, a, c->len);
	case OP_MUNLOCK:
		return mmk_munlock(1, a, c->len);
	case OP_MREMAP:
		r = mmk_mremap(1, a, c->len, c->len2, c->arg,
			       SIM_BASE + c->off2);
		return r < 0 ? r : r - (long)SIM_BASE;
	case OP_READ:
		r = mmk_read_u64(1, a, &v);
		return r ? DIFF_FAULTED(r) : (long)v;
	case OP_WRITE:
		r = mmk_write_u64(1, a, (uint64_t)i + 1);
		return r ? DIFF_FAULTED(r) : 0;
	case OP_PRCTL:
		return mmk_prctl(1, PR_SET_THP_DISABLE, c->arg, c->off2, 0, 0);
	}
	return 0;
}

/* ---- reports ---- */

static const char *advice_name(unsigned long advice)
{
	switch (advice) {
	case MADV_HUGEPAGE:
		return "HUGEPAGE";
	case MADV_NOHUGEPAGE:
		return "NOHUGEPAGE";
	case MADV_DONTNEED:
		return "DONTNEED";
	case MADV_FREE:
		return "FREE";
	case MADV_POPULATE_READ:
		return "POPULATE_READ";
	case MADV_POPULATE_WRITE:
		return "POPULATE_WRITE";
	case MADV_COLLAPSE:
		return "COLLAPSE";
	default:
		return "?";
	}
}

static void fmt_ret(char *buf, size_t len, const struct call *c, long r)
{
	static const struct {
		int err;
		const char *name;
	} errs[] = {
		{ EPERM, "EPERM" },   { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },   { EEXIST, "EEXIST" },
		{ EINVAL, "EINVAL" },
	};
	size_t k;

	if (r <= DIFF_FAULTED(0) && r > DIFF_FAULTED(100)) {
		snprintf(buf, len, "%s",
			 DIFF_FAULTED(0) - r == SIGSEGV ? "SIGSEGV" :
			 DIFF_FAULTED(0) - r == SIGBUS	? "SIGBUS" :
							  "signal?");
	} else if (r < 0 && r >= -4095) {
		snprintf(buf, len, "-E%ld", -r);
		for (k = 0; k < sizeof errs / sizeof errs[0]; k++)
			if (errs[k].err == (int)-r)
				snprintf(buf, len, "-%s", errs[k].name);
	} else if (c->op == OP_MMAP || c->op == OP_MREMAP) {
		snprintf(buf, len, "W+%#lx", (unsigned long)r);
	} else {
		snprintf(buf, len, "%ld", r);
	}
}

static void fmt_call(char *out, size_t cap, const struct call *c, long r)
{
	char ret[32];

	fmt_ret(ret, sizeof ret, c, r);
	switch (c->op) {
	case OP_MMAP:
		diff_append(out, cap,
			    "mmap W+%#lx %#lx prot=%lu flags=%#lx = %s\n",
			    c->off, c->len, c->arg, ANON_FIXED | c->len2, ret);
		break;
	case OP_MUNMAP:
		diff_append(out, cap, "munmap W+%#lx %#lx = %s\n", c->off,
			    c->len, ret);
		break;
	case OP_MPROTECT:
		diff_append(out, cap, "mprotect W+%#lx %#lx prot=%lu = %s\n",
			    c->off, c->len, c->arg, ret);
		break;
	case OP_MADVISE:
		diff_append(out, cap, "madvise W+%#lx %#lx %s = %s\n", c->off,
			    c->len, advice_name(c->arg), ret);
		break;
	case OP_MLOCK:
	case OP_MUNLOCK:
		diff_append(out, cap, "%s W+%#lx %#lx = %s\n",
			    c->op == OP_MLOCK ? "mlock" : "munlock", c->off,
			    c->len, ret);
		break;
	case OP_MREMAP:
		diff_append(
			out, cap,
			"mremap W+%#lx %#lx -> %#lx flags=%lu W+%#lx = %s\n",
			c->off, c->len, c->len2, c->arg, c->off2, ret);
		break;
	case OP_READ:
	case OP_WRITE:
		diff_append(out, cap, "%s W+%#lx = %s\n",
			    c->op == OP_READ ? "read" : "write", c->off, ret);
		break;
	case OP_PRCTL:
		diff_append(out, cap, "prctl PR_SET_THP_DISABLE %lu %lu = %s\n",
			    c->arg, c->off2, ret);
		break;
	}
}

/* The window's VMAs of an smaps text (@base: the window's address). */
static void report_smaps(char *out, size_t cap, const char *smaps,
			 unsigned long base)
{
	static const char *const fields[] = {
		"Rss:",		  "Anonymous:", "AnonHugePages:",
		"Private_Dirty:", "Locked:",	"THPeligible:",
	};

	diff_report_smaps(out, cap, smaps, base, WIN_LEN, fields,
			  sizeof fields / sizeof fields[0], NULL);
}

/* The counters compared as changes. */
enum {
	C_PTE,
	C_RSSANON,
	C_THP_ENABLED,
	C_FAULT_ALLOC,
	C_FALLBACK,
	C_SPLIT_PMD,
	C_COLLAPSE_ALLOC,
	NR_COUNTERS
};

/* The number after "@key" at a line's start in @text (-1000000: none). */
static long field(const char *text, const char *key)
{
	return diff_field(text, key, -1000000);
}

static void counters(const char *status, const char *vmstat,
		     long v[NR_COUNTERS])
{
	v[C_PTE] = field(status, "VmPTE:");
	v[C_RSSANON] = field(status, "RssAnon:");
	v[C_THP_ENABLED] = field(status, "THP_enabled:");
	v[C_FAULT_ALLOC] = field(vmstat, "thp_fault_alloc ");
	v[C_FALLBACK] = field(vmstat, "thp_fault_fallback ");
	v[C_SPLIT_PMD] = field(vmstat, "thp_split_pmd ");
	v[C_COLLAPSE_ALLOC] = field(vmstat, "thp_collapse_alloc ");
}

static void report_counters(char *out, size_t cap, const char *status,
			    const char *vmstat, const long base[NR_COUNTERS])
{
	long v[NR_COUNTERS];

	counters(status, vmstat, v);
	if (PTE_COMPARABLE)
		diff_append(out, cap, "  VmPTE %+ld kB",
			    v[C_PTE] - base[C_PTE]);
	else
		diff_append(out, cap, " ");
	diff_append(out, cap, " RssAnon %+ld kB THP_enabled %ld\n",
		    v[C_RSSANON] - base[C_RSSANON], v[C_THP_ENABLED]);
	diff_append(out, cap,
		    "  thp_fault_alloc %+ld thp_fault_fallback %+ld "
		    "thp_split_pmd %+ld thp_collapse_alloc %+ld\n",
		    v[C_FAULT_ALLOC] - base[C_FAULT_ALLOC],
		    v[C_FALLBACK] - base[C_FALLBACK],
		    v[C_SPLIT_PMD] - base[C_SPLIT_PMD],
		    v[C_COLLAPSE_ALLOC] - base[C_COLLAPSE_ALLOC]);
}

/* ---- the host's child ---- */

/* procfs texts, read into buffers touched before the sequence. */
static char h_smaps[4UL << 20], h_status[64 << 10], h_vmstat[64 << 10];
static long host_counter_base[NR_COUNTERS];

static const char *host_slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd >= 0) {
		while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
			n += (size_t)r;
		close(fd);
	}
	buf[n] = '\0';
	return buf;
}

/* The stack the steps use, mapped before the sequence. */
static void __attribute__((noinline)) touch_stack(void)
{
	volatile char deep[256 << 10];
	size_t i;

	for (i = 0; i < sizeof deep; i += PG / 2)
		deep[i] = 0;
}

/* The host's window and guards (see the top); _exit(3) if they cannot
 * be made. */
static void host_child_init(void)
{
	long r = syscall(SYS_mmap, 0, RESERVE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned long res = (unsigned long)r, b;

	if (r == -1)
		_exit(3);
	for (b = (res + 2 * HP - 1) & ~(HP - 1);
	     b + WIN_LEN + HP <= res + RESERVE; b += HP)
		if ((b - HP) / GIB == (b + WIN_LEN - 1) / GIB)
			break;
	if (b + WIN_LEN + HP > res + RESERVE)
		_exit(3);
	if (b - HP > res)
		syscall(SYS_munmap, res, b - HP - res);
	if (b + WIN_LEN + HP < res + RESERVE)
		syscall(SYS_munmap, b + WIN_LEN + HP,
			res + RESERVE - (b + WIN_LEN + HP));
	if (syscall(SYS_mmap, b - HP, HP, PROT_READ,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == -1 ||
	    syscall(SYS_mmap, b + WIN_LEN, HP, PROT_NONE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == -1)
		_exit(3);
	(void)*(volatile char *)(b - PG);
	host_base = b;
	memset(h_smaps, 1, sizeof h_smaps);
	memset(h_status, 1, sizeof h_status);
	memset(h_vmstat, 1, sizeof h_vmstat);
	touch_stack();
	/* A fault handled once (AddressSanitizer's longjmp then writes the
	 * stack's shadow, which counts in RssAnon). */
	diff_host_access(b + WIN_LEN, false, 0, NULL, NULL);
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = &((const struct call *)calls)[i];
	long r;

	if (i == 0) {
		/* diff_run_host's report buffer: all of it mapped now. */
		memset(out, 0, cap);
		counters(host_slurp("/proc/self/status", h_status,
				    sizeof h_status),
			 host_slurp("/proc/vmstat", h_vmstat, sizeof h_vmstat),
			 host_counter_base);
	}
	r = host_call(c, i);
	fmt_call(out, cap, c, r);
	report_smaps(out, cap,
		     host_slurp("/proc/self/smaps", h_smaps, sizeof h_smaps),
		     host_base);
	report_counters(out, cap,
			host_slurp("/proc/self/status", h_status,
				   sizeof h_status),
			host_slurp("/proc/vmstat", h_vmstat, sizeof h_vmstat),
			host_counter_base);
}

/* ---- mmkit's side ---- */

static long sim_counter_base[NR_COUNTERS];

static void sim_texts(struct mmk_machine *m, char **status, char **vmstat)
{
	*status = proc(m, "/proc/1/status");
	*vmstat = proc(m, "/proc/vmstat");
}

/* Process 1 with the host child's layout; its counters' base. */
static void sim_setup(struct mmk_machine *m)
{
	uint64_t v;
	char *status, *vmstat;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, SIM_BASE - HP, HP, PROT_READ,
				  MAP_SHARED | MAP_ANONYMOUS |
					  MAP_FIXED_NOREPLACE,
				  NULL, 0),
			 (long)(SIM_BASE - HP));
	assert_int_equal(mmk_mmap(1, SIM_BASE, WIN_LEN, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
					  MAP_FIXED_NOREPLACE,
				  NULL, 0),
			 (long)SIM_BASE);
	assert_int_equal(mmk_mmap(1, SIM_BASE + WIN_LEN, HP, PROT_NONE,
				  MAP_SHARED | MAP_ANONYMOUS |
					  MAP_FIXED_NOREPLACE,
				  NULL, 0),
			 (long)(SIM_BASE + WIN_LEN));
	assert_int_equal(mmk_read_u64(1, SIM_BASE - PG, &v), 0);
	sim_texts(m, &status, &vmstat);
	counters(status, vmstat, sim_counter_base);
	free(status);
	free(vmstat);
}

static void sim_step(struct mmk_machine *m, const struct call *c, int i,
		     char *out, size_t cap)
{
	char *smaps, *status, *vmstat;

	fmt_call(out, cap, &c[i], sim_call(&c[i], i));
	smaps = proc(m, "/proc/1/smaps");
	report_smaps(out, cap, smaps, SIM_BASE);
	free(smaps);
	sim_texts(m, &status, &vmstat);
	report_counters(out, cap, status, vmstat, sim_counter_base);
	free(status);
	free(vmstat);
}

/* ---- comparing ---- */

enum outcome { SEQ_PASSED, SEQ_SKIPPED, SEQ_FAILED };

static int n_run, n_passed, n_skipped, n_failed;

/* The host's global counters of what disturbs a sequence. */
static void host_noise(long v[3])
{
	char *t = mmk_test_slurp("/proc/vmstat");

	v[0] = field(t, "thp_fault_fallback ");
	v[1] = field(t, "thp_collapse_alloc ");
	v[2] = field(t, "thp_underused_split_page ");
	free(t);
}

/* The host's collapses are the sequence's own when it makes any
 * (compared in the reports: khugepaged's then make the host's two runs
 * differ, which skips the sequence too). */
static bool noisy(const long before[3], const long after[3], bool collapses)
{
	return before[0] != after[0] || before[2] != after[2] ||
	       (!collapses && before[1] != after[1]);
}

static bool has_collapse(const struct call *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (c[i].op == OP_MADVISE && c[i].arg == MADV_COLLAPSE)
			return true;
	return false;
}

/* The sequence as C, to replay it. */
static void print_calls(const struct call *c, int n)
{
	static const char *const names[] = {
		"OP_MMAP",  "OP_MUNMAP",  "OP_MPROTECT", "OP_MADVISE",
		"OP_MLOCK", "OP_MUNLOCK", "OP_MREMAP",	 "OP_READ",
		"OP_WRITE", "OP_PRCTL",
	};
	int i;

	fprintf(stderr, "the sequence:\n");
	for (i = 0; i < n; i++)
		fprintf(stderr, "\t{ %s, %#lx, %#lx, %#lx, %#lx, %#lx },\n",
			names[c[i].op], c[i].off, c[i].len, c[i].arg, c[i].len2,
			c[i].off2);
}

/* Run @n calls on both sides: whether they passed, were skipped (the
 * host disturbed) or failed (reports printed). */
static enum outcome compare(struct mmk_machine *m, const struct call *c, int n,
			    const char *what)
{
	char *host = calloc(1, DIFF_REPORT_CAP),
	     *sim = calloc(1, DIFF_REPORT_CAP), *again;
	long before[3], after[3];
	enum outcome o = SEQ_PASSED;
	bool checked = true;
	char why[512];
	int i;

	assert_non_null(host);
	assert_non_null(sim);
	n_run++;
	host_noise(before);
	assert_true(diff_run_host(host_step, c, n, host_child_init, host));
	host_noise(after);
	if (getenv("THP_DIFF_SHOW"))
		fprintf(stderr, "%s: the host's report:\n%s", what, host);
	if (noisy(before, after, has_collapse(c, n))) {
		fprintf(stderr,
			"%s: skipped: the host counted thp_fault_fallback "
			"%+ld, thp_collapse_alloc %+ld, "
			"thp_underused_split_page %+ld meanwhile\n",
			what, after[0] - before[0], after[1] - before[1],
			after[2] - before[2]);
		o = SEQ_SKIPPED;
		goto out;
	}
	sim_setup(m);
	for (i = 0; i < n; i++) {
		sim_step(m, c, i, sim, DIFF_REPORT_CAP);
		if (mmk_check(m, why, sizeof why)) {
			diff_append(sim, DIFF_REPORT_CAP,
				    "mmk_check() failed: %s\n", why);
			checked = false;
			break;
		}
	}
	if (checked)
		assert_int_equal(mmk_exit(1), 0);
	else
		mmk_exit(1);
	if (checked && !strcmp(host, sim))
		goto out;
	if (!checked) {
		/* Whatever the host does: mmkit broke an invariant. */
		diff_reports_equal(host, sim, what,
				   getenv("THP_DIFF_ALL") != NULL);
		print_calls(c, n);
		o = SEQ_FAILED;
		goto out;
	}
	/* Once more on the host: does it say the same again? */
	again = calloc(1, DIFF_REPORT_CAP);
	assert_non_null(again);
	host_noise(before);
	assert_true(diff_run_host(host_step, c, n, host_child_init, again));
	host_noise(after);
	if (strcmp(host, again) || noisy(before, after, has_collapse(c, n))) {
		fprintf(stderr,
			"%s: skipped: the host's two runs differ (another "
			"process's huge pages?)\n",
			what);
		diff_reports_equal(host, again, "host run 1 vs run 2", false);
		free(again);
		o = SEQ_SKIPPED;
		goto out;
	}
	free(again);
	diff_reports_equal(host, sim, what, getenv("THP_DIFF_ALL") != NULL);
	print_calls(c, n);
	o = SEQ_FAILED;
out:
	if (o == SEQ_PASSED)
		n_passed++;
	else if (o == SEQ_SKIPPED)
		n_skipped++;
	else
		n_failed++;
	free(host);
	free(sim);
	return o;
}

/* ---- the host's khugepaged ---- */

#define MAX_PTES_NONE \
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none"
#define LOCK_PATH "/tmp/mmkit-thp_diff_test.lock"

static long old_max_ptes_none = -1;
static bool host_ok;

static void khugepaged_restore(void)
{
	if (old_max_ptes_none >= 0)
		diff_write_long(MAX_PTES_NONE, old_max_ptes_none);
	old_max_ptes_none = -1;
}

/* The old value as text, and the pid that may put it back from a signal
 * handler (not the host's children, which share the handler). */
static char old_text[32];
static pid_t test_pid;

/* A signal that ends the test (interrupted, killed by a timeout) puts
 * max_ptes_none back first. (cmocka catches a crash's.) */
static void restore_on_signal(int sig)
{
	int fd;

	if (getpid() == test_pid && old_text[0]) {
		fd = open(MAX_PTES_NONE, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, old_text, strlen(old_text)) < 0) {
				/* Nothing more to do. */
			}
			close(fd);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* THP as the test expects it: the x86_64 PMD size, "madvise" for both
 * enabled and defrag (mmkit's defaults), the huge zero page. */
static bool host_policy_ok(void)
{
	char *en = mmk_test_slurp(
		     "/sys/kernel/mm/transparent_hugepage/enabled"),
	     *df = mmk_test_slurp("/sys/kernel/mm/transparent_hugepage/defrag");
	bool ok = en && df && strstr(en, "[madvise]") &&
		  strstr(df, "[madvise]") &&
		  diff_read_long("/sys/kernel/mm/transparent_hugepage/"
				 "use_zero_page") == 1 &&
		  diff_read_long("/sys/kernel/mm/transparent_hugepage/"
				 "hpage_pmd_size") == (long)HP;

	free(en);
	free(df);
	return ok;
}

static int group_setup(void **state)
{
	int lock;

	(void)state;
	if (geteuid() != 0 || access(MAX_PTES_NONE, W_OK) || !host_policy_ok())
		return 0;
	lock = open(LOCK_PATH, O_RDWR | O_CREAT, 0600);
	if (lock < 0 || flock(lock, LOCK_EX)) {
		if (lock >= 0)
			close(lock);
		return 0;
	}
	old_max_ptes_none = diff_read_long(MAX_PTES_NONE);
	if (old_max_ptes_none < 0)
		return 0;
	atexit(khugepaged_restore);
	snprintf(old_text, sizeof old_text, "%ld\n", old_max_ptes_none);
	test_pid = getpid();
	signal(SIGINT, restore_on_signal);
	signal(SIGTERM, restore_on_signal);
	signal(SIGHUP, restore_on_signal);
	if (!diff_write_long(MAX_PTES_NONE, 0) ||
	    diff_read_long(MAX_PTES_NONE) != 0) {
		khugepaged_restore();
		return 0;
	}
	host_ok = true;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	khugepaged_restore();
	return 0;
}

static struct mmk_machine *boot(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 512ULL << 20, 1, 1, true);

	*state = m;
	return m;
}

/* ---- sequences ---- */

#define CALL(o, off, len, arg, len2, off2)               \
	{                                                \
		(o), (off), (len), (arg), (len2), (off2) \
	}
#define MMAP(off, len) CALL(OP_MMAP, off, len, RW, 0, 0)
#define MUNMAP(off, len) CALL(OP_MUNMAP, off, len, 0, 0, 0)
#define MPROTECT(off, len, p) CALL(OP_MPROTECT, off, len, p, 0, 0)
#define MADVISE(off, len, adv) CALL(OP_MADVISE, off, len, adv, 0, 0)
#define MLOCK(off, len) CALL(OP_MLOCK, off, len, 0, 0, 0)
#define MUNLOCK(off, len) CALL(OP_MUNLOCK, off, len, 0, 0, 0)
#define MREMAP(off, len, len2, fl, off2) \
	CALL(OP_MREMAP, off, len, fl, len2, off2)
#define MOVE(off, len, off2) \
	MREMAP(off, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, off2)
#define READ(off) CALL(OP_READ, off, 0, 0, 0, 0)
#define WRITE(off) CALL(OP_WRITE, off, 0, 0, 0, 0)
#define PRCTL(a2, a3) CALL(OP_PRCTL, 0, 0, a2, 0, a3)
#define HUGE(off, len) MADVISE(off, len, MADV_HUGEPAGE)

/* Faults: the huge zero page on a load, a huge page on a store. */
static const struct call seq_fault[] = {
	MMAP(0, 4 * MB),       WRITE(0x1000),	       HUGE(0, 4 * MB),
	READ(2 * MB + 0x1000), READ(2 * MB + 0x3000),  WRITE(2 * MB + 0x2000),
	READ(2 * MB + 0x2000), READ(2 * MB + 0x1000),  WRITE(0x2000),
	MMAP(8 * MB, 4 * MB),  HUGE(8 * MB, 4 * MB),   WRITE(10 * MB + 8),
	READ(8 * MB + 0x5000), WRITE(8 * MB + 0x5000), MUNMAP(0, 16 * MB),
};

/* MADV_HUGEPAGE and MADV_NOHUGEPAGE, whole and partial. */
static const struct call seq_advice[] = {
	MMAP(0, 8 * MB),
	WRITE(0),
	HUGE(2 * MB, 2 * MB),
	WRITE(2 * MB + 0x10000),
	HUGE(4 * MB + 0x1000, 4 * MB - 0x1000),
	WRITE(4 * MB + 0x2000),
	WRITE(6 * MB + 0x2000),
	MADVISE(2 * MB, 6 * MB, MADV_NOHUGEPAGE),
	READ(2 * MB + 0x10000),
	HUGE(0, 8 * MB),
	WRITE(4 * MB + 0x3000),
	READ(0x7000),
	MADVISE(6 * MB, 0x1000, MADV_NOHUGEPAGE),
	HUGE(6 * MB, 0x1000),
	MUNMAP(0, 8 * MB),
};

/* MADV_DONTNEED and MADV_FREE of whole and partial huge pages, of huge
 * pages and of the huge zero page. */
static const struct call seq_dontneed[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 8 * MB),
	WRITE(0),
	WRITE(2 * MB),
	WRITE(4 * MB + 0x8000),
	READ(6 * MB),
	MADVISE(0, 2 * MB, MADV_DONTNEED),
	READ(0),
	MADVISE(2 * MB + 0x1000, 0x2000, MADV_DONTNEED),
	READ(2 * MB),
	READ(2 * MB + 0x1000),
	MADVISE(6 * MB + 1 * MB, 1 * MB, MADV_DONTNEED),
	READ(6 * MB + 0x1000),
	WRITE(6 * MB + 0x1000),
	MADVISE(4 * MB, 2 * MB, MADV_FREE),
	READ(4 * MB + 0x8000),
	WRITE(0x10000),
	MADVISE(0, 2 * MB, MADV_FREE),
	READ(0),
	WRITE(4 * MB),
	MADVISE(0, 8 * MB, MADV_DONTNEED),
	READ(4 * MB),
	MUNMAP(0, 8 * MB),
};

/*
 * MADV_FREE of part of a huge page: Linux splits the huge page itself
 * (split_folio(), from madvise_free_huge_pmd()), and since 6.12
 * (__folio_split()'s remap_page() with RMP_USE_SHARED_ZEROPAGE) maps each
 * of its subpages that is all zeroes to the shared zero page instead,
 * freeing it: Rss drops to the pages written.
 */
static const struct call seq_free_partial[] = {
	MMAP(0, 4 * MB),
	HUGE(0, 4 * MB),
	WRITE(0x10000),
	WRITE(0x30000),
	MADVISE(0x10000, 0x1000, MADV_FREE),
	READ(0x10000),
	READ(0x30000),
	WRITE(2 * MB),
	MADVISE(2 * MB + 1 * MB, 1 * MB, MADV_FREE),
	WRITE(2 * MB + 0x5000),
	MUNMAP(0, 8 * MB),
};

/*
 * MADV_FREE of a huge page whose PMD an mprotect split earlier: Linux
 * kept the folio whole, mapped by PTEs, and splits it now
 * (madvise_free_pte_range()), mapping its zero-filled pages to the zero
 * page; mmkit split the folio with the PMD (mm/huge_memory.c, section 4)
 * and keeps those pages mapped (a known difference: THP_DIFF_KNOWN).
 */
static const struct call seq_free_after_split[] = {
	MMAP(8 * MB, 2 * MB),
	HUGE(8 * MB, 2 * MB),
	WRITE(8 * MB),
	MPROTECT(8 * MB + 1 * MB, 1 * MB, PROT_READ),
	MADVISE(8 * MB, 2 * MB, MADV_FREE),
	MUNMAP(0, 16 * MB),
};

/* MADV_COLLAPSE, whatever the policy: a 2 MiB with a page in it becomes
 * a huge page; one with no table, or only the zero page, fails the call
 * with EINVAL after the others are done; read-only pages are copied;
 * MADV_NOHUGEPAGE refuses; a huge entry already there counts as done. */
static const struct call seq_collapse[] = {
	MMAP(0, 4 * MB),
	WRITE(0),
	WRITE(0x5000),
	MADVISE(0, 4 * MB, MADV_COLLAPSE),
	READ(0x5000),
	READ(2 * MB),
	MADVISE(2 * MB, 2 * MB, MADV_COLLAPSE),
	MADVISE(0, 2 * MB, MADV_COLLAPSE),
	WRITE(2 * MB + 0x3000),
	MPROTECT(2 * MB, 2 * MB, PROT_READ),
	MADVISE(2 * MB, 2 * MB, MADV_COLLAPSE),
	MMAP(8 * MB, 4 * MB),
	HUGE(8 * MB, 4 * MB),
	WRITE(8 * MB),
	MADVISE(8 * MB + 0x1000, 0x1000, MADV_DONTNEED),
	MADVISE(8 * MB, 4 * MB, MADV_COLLAPSE),
	MADVISE(8 * MB, 4 * MB, MADV_NOHUGEPAGE),
	WRITE(10 * MB),
	MADVISE(8 * MB, 4 * MB, MADV_COLLAPSE),
	MUNMAP(0, 16 * MB),
};

/* mprotect: whole huge pages change their entry, part of one splits
 * it. */
static const struct call seq_mprotect[] = {
	MMAP(0, 6 * MB),
	HUGE(0, 6 * MB),
	WRITE(0),
	WRITE(2 * MB),
	READ(4 * MB),
	MPROTECT(0x1000, 0x1000, PROT_READ),
	WRITE(0x1000),
	MPROTECT(2 * MB, 2 * MB, PROT_READ),
	WRITE(2 * MB + 8),
	READ(2 * MB),
	MPROTECT(4 * MB, 2 * MB, PROT_NONE),
	READ(4 * MB),
	MPROTECT(0, 6 * MB, RW),
	WRITE(2 * MB + 16),
	WRITE(4 * MB),
	MPROTECT(5 * MB, 1 * MB, PROT_READ),
	WRITE(4 * MB + 0x3000),
	MUNMAP(0, 6 * MB),
};

/* munmap of whole and partial huge pages; an unaligned mapping. */
static const struct call seq_munmap[] = {
	MMAP(0, 6 * MB),
	HUGE(0, 6 * MB),
	WRITE(0),
	WRITE(2 * MB),
	WRITE(4 * MB),
	MUNMAP(2 * MB, 0x1000),
	MUNMAP(0, 2 * MB),
	MUNMAP(5 * MB, 1 * MB),
	READ(4 * MB),
	MMAP(8 * MB + 1 * MB, 4 * MB),
	HUGE(8 * MB + 1 * MB, 4 * MB),
	WRITE(9 * MB + 0x1000),
	WRITE(10 * MB),
	WRITE(12 * MB + 0x2000),
	MMAP(16 * MB + 0x3000, 3 * MB),
	HUGE(16 * MB + 0x3000, 3 * MB),
	WRITE(16 * MB + 0x3000),
	MMAP(20 * MB + 0x3000, 4 * MB + 0x1000),
	HUGE(20 * MB + 0x3000, 4 * MB + 0x1000),
	READ(22 * MB + 0x3000),
	WRITE(22 * MB + 0x3000),
	MUNMAP(0, 32 * MB),
};

/* mremap: to 2 MiB-aligned addresses the PMD moves, elsewhere it
 * splits; shrinking in place splits too. */
static const struct call seq_mremap[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 8 * MB),
	WRITE(0),
	WRITE(2 * MB + 8),
	WRITE(4 * MB),
	READ(6 * MB),
	MOVE(0, 2 * MB, 16 * MB),
	READ(16 * MB),
	MOVE(2 * MB, 2 * MB, 20 * MB + 0x1000),
	READ(20 * MB + 0x1000 + 8),
	MOVE(6 * MB, 2 * MB, 24 * MB),
	READ(24 * MB + 0x1000),
	WRITE(24 * MB + 0x2000),
	MOVE(16 * MB, 2 * MB, 28 * MB),
	WRITE(28 * MB + 0x1000),
	MREMAP(28 * MB, 2 * MB, 1 * MB, 0, 0),
	MREMAP(4 * MB, 2 * MB, 2 * MB - 0x1000, 0, 0),
	READ(4 * MB),
	MOVE(4 * MB, 0x1000, 32 * MB),
	MUNMAP(0, 48 * MB),
};

/* mlock populates (a store fault for private writable memory) and
 * locks huge pages whole; its ends split them. */
static const struct call seq_mlock[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 4 * MB),
	MLOCK(0, 4 * MB),
	READ(2 * MB),
	MUNLOCK(0x1000, 0x1000),
	MLOCK(4 * MB, 4 * MB),
	MUNLOCK(0, 8 * MB),
	WRITE(3 * MB),
	MMAP(16 * MB, 4 * MB),
	HUGE(16 * MB, 4 * MB),
	READ(16 * MB),
	MLOCK(16 * MB, 2 * MB),
	WRITE(18 * MB),
	MLOCK(18 * MB, 2 * MB + 0x1000),
	MLOCK(18 * MB + 1 * MB, 1 * MB),
	MUNLOCK(16 * MB, 4 * MB),
	MUNMAP(0, 24 * MB),
};

/* prctl(PR_SET_THP_DISABLE): none, or only MADV_HUGEPAGE ones. */
static const struct call seq_prctl[] = {
	PRCTL(1, 0),
	MMAP(0, 4 * MB),
	HUGE(0, 4 * MB),
	WRITE(0),
	READ(2 * MB),
	PRCTL(1, PR_THP_DISABLE_EXCEPT_ADVISED),
	WRITE(2 * MB + 0x1000),
	MMAP(8 * MB, 4 * MB),
	WRITE(8 * MB),
	PRCTL(0, 0),
	WRITE(10 * MB),
	PRCTL(0, PR_THP_DISABLE_EXCEPT_ADVISED),
	PRCTL(1, 5),
	MUNMAP(0, 16 * MB),
};

/* MADV_POPULATE_READ maps the huge zero page, MADV_POPULATE_WRITE huge
 * pages (and writes to the huge zero page); read-only memory. */
static const struct call seq_populate[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 8 * MB),
	MADVISE(0, 2 * MB, MADV_POPULATE_READ),
	MADVISE(0x1000, 4 * MB, MADV_POPULATE_WRITE),
	READ(0x1000),
	MADVISE(4 * MB + 0x1000, 0x1000, MADV_POPULATE_READ),
	MADVISE(6 * MB, 2 * MB, MADV_POPULATE_WRITE),
	MADVISE(6 * MB, 4 * MB, MADV_POPULATE_WRITE),
	MPROTECT(4 * MB, 4 * MB, PROT_READ),
	MADVISE(4 * MB, 4 * MB, MADV_POPULATE_WRITE),
	MADVISE(4 * MB, 4 * MB, MADV_POPULATE_READ),
	CALL(OP_MMAP, 16 * MB, 4 * MB, PROT_READ, 0, 0),
	HUGE(16 * MB, 4 * MB),
	READ(16 * MB),
	WRITE(16 * MB),
	MPROTECT(16 * MB, 4 * MB, RW),
	WRITE(16 * MB + 0x1000),
	WRITE(18 * MB),
	MPROTECT(18 * MB, 2 * MB, PROT_NONE),
	READ(18 * MB),
	MPROTECT(18 * MB, 2 * MB, PROT_READ),
	READ(18 * MB),
	WRITE(18 * MB),
	MUNMAP(0, 24 * MB),
};

/* mremap with MREMAP_DONTUNMAP: the huge page moves, the old range
 * stays, empty; mremap to where a huge page is already. */
static const struct call seq_dontunmap[] = {
	MMAP(0, 4 * MB),
	HUGE(0, 4 * MB),
	WRITE(0),
	READ(2 * MB),
	MREMAP(0, 2 * MB, 2 * MB,
	       MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, 8 * MB),
	READ(0),
	READ(8 * MB),
	WRITE(0x1000),
	MREMAP(2 * MB, 2 * MB, 2 * MB,
	       MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
	       12 * MB + 0x1000),
	READ(12 * MB + 0x1000),
	MOVE(8 * MB, 2 * MB, 0),
	READ(0),
	MMAP(16 * MB, 2 * MB),
	HUGE(16 * MB, 2 * MB),
	WRITE(16 * MB + 0x8000),
	MOVE(0, 2 * MB, 16 * MB),
	READ(16 * MB + 0x8000),
	READ(16 * MB),
	MUNMAP(0, 32 * MB),
};

/* mmap MAP_FIXED over huge pages, whole and in part; mremap growing in
 * place; mlock of the huge zero page (a store fault: a huge page). */
static const struct call seq_replace[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 8 * MB),
	WRITE(0),
	WRITE(2 * MB),
	WRITE(4 * MB),
	READ(6 * MB),
	MMAP(0x1000, 0x1000),
	MMAP(2 * MB, 2 * MB),
	READ(2 * MB),
	WRITE(2 * MB),
	MMAP(5 * MB, 2 * MB),
	HUGE(0, 8 * MB),
	WRITE(2 * MB + 0x1000),
	MUNMAP(8 * MB, 4 * MB),
	MREMAP(6 * MB, 2 * MB, 6 * MB, 0, 0),
	WRITE(10 * MB),
	MLOCK(6 * MB, 2 * MB),
	MMAP(16 * MB, 4 * MB),
	HUGE(16 * MB, 4 * MB),
	READ(16 * MB),
	MLOCK(16 * MB, 2 * MB),
	MADVISE(16 * MB, 2 * MB, MADV_DONTNEED),
	MUNLOCK(16 * MB, 4 * MB),
	MADVISE(16 * MB, 2 * MB, MADV_DONTNEED),
	MUNMAP(0, 24 * MB),
};

/*
 * A store through get_user_pages (MADV_POPULATE_WRITE, mlock's populate)
 * to a huge page MADV_FREE made clean dirties its entry: follow_huge_pmd()
 * with FOLL_TOUCH calls touch_pmd(), which sets the PMD young, and dirty
 * for FOLL_WRITE, as a store by the process does; the huge page is then
 * no longer lazily freed (smaps Private_Dirty 2048). Base pages:
 * folio_mark_dirty().
 */
static const struct call seq_gup_dirty[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 8 * MB),
	WRITE(0),
	WRITE(2 * MB),
	WRITE(4 * MB),
	WRITE(6 * MB + 0x3000),
	MADVISE(0, 8 * MB, MADV_FREE),
	MADVISE(0, 2 * MB, MADV_POPULATE_WRITE),
	MLOCK(2 * MB, 2 * MB),
	MADVISE(4 * MB, 2 * MB, MADV_POPULATE_READ),
	WRITE(6 * MB),
	MUNLOCK(0, 8 * MB),
	MMAP(16 * MB, 0x4000),
	WRITE(16 * MB),
	WRITE(16 * MB + 0x1000),
	MADVISE(16 * MB, 0x4000, MADV_FREE),
	MADVISE(16 * MB, 0x1000, MADV_POPULATE_WRITE),
	MLOCK(16 * MB + 0x1000, 0x1000),
	MUNMAP(0, 24 * MB),
};

/* The huge zero page: split by mprotect, munmap, MADV_DONTNEED; a store
 * after a split faults a base page. */
static const struct call seq_zero[] = {
	MMAP(0, 8 * MB),
	HUGE(0, 8 * MB),
	READ(0),
	READ(2 * MB),
	READ(4 * MB),
	READ(6 * MB),
	MPROTECT(0x1000, 0x1000, PROT_READ),
	WRITE(0x2000),
	MADVISE(2 * MB, 0x1000, MADV_DONTNEED),
	WRITE(2 * MB + 0x1000),
	MUNMAP(4 * MB + 1 * MB, 1 * MB),
	MOVE(6 * MB, 2 * MB, 16 * MB),
	WRITE(16 * MB),
	MLOCK(0, 4 * MB),
	MUNMAP(0, 24 * MB),
};

/* Whether to run the known differences too (THP_DIFF_KNOWN). */
static bool known;

struct directed {
	const char *name;
	const struct call *calls;
	int n;
	bool known; /* a known mmkit difference: only with THP_DIFF_KNOWN */
};

#define SEQ(s, k)                                         \
	{                                                 \
#s, s, (int)(sizeof s / sizeof s[0]), (k) \
	}

static const struct directed directed[] = {
	SEQ(seq_fault, false),	   SEQ(seq_advice, false),
	SEQ(seq_dontneed, false),  SEQ(seq_mprotect, false),
	SEQ(seq_munmap, false),	   SEQ(seq_mremap, false),
	SEQ(seq_mlock, false),	   SEQ(seq_prctl, false),
	SEQ(seq_zero, false),	   SEQ(seq_populate, false),
	SEQ(seq_dontunmap, false), SEQ(seq_replace, false),
	SEQ(seq_gup_dirty, false), SEQ(seq_free_partial, false),
	SEQ(seq_collapse, false),  SEQ(seq_free_after_split, true),
};

static void summary(const char *what)
{
	print_message("thp_diff %s: %d sequences run, %d compared equal, "
		      "%d skipped, %d differ\n",
		      what, n_run, n_passed, n_skipped, n_failed);
}

static void check_counts(const char *what)
{
	summary(what);
	if (n_failed)
		fail_msg("%d of %d sequences: mmkit differs from the host "
			 "kernel",
			 n_failed, n_run);
	if (n_run && n_skipped * 2 > n_run)
		fail_msg("%d of %d sequences skipped: the host was too busy",
			 n_skipped, n_run);
}

static void test_directed(void **state)
{
	struct mmk_machine *m;
	size_t k;

	if (!host_ok)
		skip();
	m = boot(state);
	n_run = n_passed = n_skipped = n_failed = 0;
	for (k = 0; k < sizeof directed / sizeof directed[0]; k++) {
		enum outcome o;

		if (directed[k].known && !known)
			continue;
		o = compare(m, directed[k].calls, directed[k].n,
			    directed[k].name);
		if (k == 0 && o == SEQ_SKIPPED) {
			print_message("thp_diff: the host's first sequence "
				      "found no huge page to allocate, or was "
				      "disturbed: skipped\n");
			skip();
		}
	}
	check_counts("directed");
}

/* ---- random sequences ---- */

/* An offset near a huge page boundary, or at one. */
static unsigned long pick_off(uint64_t *s, unsigned long huge_pages)
{
	static const unsigned long in[] = { 0,	    0,	    0,	     0x1000,
					    0x3000, 1 * MB, HP - PG, 0x80000 };

	return diff_pick(s, huge_pages) * HP +
	       in[diff_pick(s, sizeof in / sizeof in[0])];
}

static unsigned long pick_len(uint64_t *s)
{
	static const unsigned long lens[] = {
		0x1000, 0x2000, 1 * MB,	     2 * MB,
		2 * MB, 4 * MB, 2 * MB + PG, 6 * MB,
	};

	return lens[diff_pick(s, sizeof lens / sizeof lens[0])];
}

static void random_seq(uint64_t seed, struct call *c, int n)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	unsigned long last_off, last_len;
	int i = 0;

	diff_rand(&s);
	/* A prctl first, now and then. */
	if (!diff_pick(&s, 8))
		c[i++] = (struct call)PRCTL(
			1,
			diff_pick(&s, 2) ? PR_THP_DISABLE_EXCEPT_ADVISED : 0);
	last_off = diff_pick(&s, 4) ? diff_pick(&s, 8) * HP : pick_off(&s, 8);
	last_len = HP * (1 + diff_pick(&s, 4)) +
		   (diff_pick(&s, 3) ? 0 : PG * diff_pick(&s, 512));
	c[i++] = (struct call)MMAP(last_off, last_len);
	if (diff_pick(&s, 4))
		c[i++] = (struct call)HUGE(last_off, last_len);
	for (; i < n; i++) {
		struct call *x = &c[i];
		unsigned long r = diff_pick(&s, 29), len = pick_len(&s),
			      off = diff_pick(&s, 3) ?
					    last_off / HP * HP +
						    pick_off(&s, last_len / HP +
									 1) :
					    pick_off(&s, 16);
		unsigned long page =
			diff_pick(&s, 5) ?
				last_off + diff_pick(&s, last_len / PG) * PG :
				diff_pick(&s, 16 * HP / PG) * PG;

		memset(x, 0, sizeof *x);
		if (r < 2) {
			last_off = diff_pick(&s, 3) ? diff_pick(&s, 12) * HP :
						      pick_off(&s, 12);
			last_len = HP * (1 + diff_pick(&s, 4)) +
				   (diff_pick(&s, 3) ? 0 :
						       PG * diff_pick(&s, 512));
			static const unsigned long more[] = {
				0,	    0, 0,	  0,
				0,	    0, MAP_STACK, MAP_POPULATE,
				MAP_LOCKED,
			};

			*x = (struct call)CALL(
				OP_MMAP, last_off, last_len,
				diff_pick(&s, 8) ? RW : PROT_READ,
				more[diff_pick(&s,
					       sizeof more / sizeof more[0])],
				0);
		} else if (r < 4) {
			*x = (struct call)HUGE(
				diff_pick(&s, 3) ? last_off : off,
				diff_pick(&s, 3) ? last_len : len);
		} else if (r < 5) {
			*x = (struct call)MADVISE(off, len, MADV_NOHUGEPAGE);
		} else if (r < 6) {
			*x = (struct call)MADVISE(off, len, MADV_DONTNEED);
		} else if (r < 7) {
			*x = (struct call)MADVISE(off, len, MADV_COLLAPSE);
		} else if (r < 8) {
			/* MADV_FREE of a huge page an earlier call split
			 * differs (seq_free_after_split). */
			*x = (struct call)MADVISE(
				off, len, known ? MADV_FREE : MADV_DONTNEED);
		} else if (r < 12) {
			*x = (struct call)READ(page);
		} else if (r < 18) {
			*x = (struct call)WRITE(page + 8 * diff_pick(&s, 4));
		} else if (r < 20) {
			static const unsigned long prots[] = { PROT_READ, RW,
							       PROT_NONE };

			*x = (struct call)MPROTECT(off, len,
						   prots[diff_pick(&s, 3)]);
		} else if (r < 21) {
			*x = (struct call)MUNMAP(off, len);
		} else if (r < 23) {
			unsigned long from = last_off / HP * HP +
					     diff_pick(&s, 3) * HP,
				      to = 16 * MB + pick_off(&s, 8) * 2;

			to = to / PG * PG;
			if (!diff_pick(&s, 4))
				*x = (struct call)MREMAP(
					from, 2 * HP,
					diff_pick(&s, 2) ?
						HP + PG * diff_pick(&s, 2) :
						HP * (3 + diff_pick(&s, 2)),
					0, 0);
			else
				*x = (struct call)MREMAP(
					from, HP * (1 + diff_pick(&s, 2)),
					HP * (1 + diff_pick(&s, 2)),
					MREMAP_MAYMOVE | MREMAP_FIXED |
						(diff_pick(&s, 4) ?
							 0 :
							 MREMAP_DONTUNMAP),
					diff_pick(&s, 3) ? to / HP * HP : to);
		} else if (r < 24) {
			*x = (struct call)MLOCK(off, len);
		} else if (r < 25) {
			*x = (struct call)MUNLOCK(off, len);
		} else if (r < 27) {
			*x = (struct call)MADVISE(off, len,
						  diff_pick(&s, 2) ?
							  MADV_POPULATE_READ :
							  MADV_POPULATE_WRITE);
		} else if (r < 28) {
			*x = (struct call)READ(page);
		} else {
			*x = (struct call)PRCTL(
				diff_pick(&s, 2),
				diff_pick(&s, 2) ?
					PR_THP_DISABLE_EXCEPT_ADVISED :
					0);
		}
	}
}

static void test_random(void **state)
{
	uint64_t seed0 = (uint64_t)diff_env_long("THP_DIFF_SEED", 1);
	long nseq = diff_env_long("THP_DIFF_SEQS", SEQS), k,
	     ncalls = diff_env_long("THP_DIFF_CALLS", RANDOM_CALLS);
	bool budget = !getenv("THP_DIFF_SEQS");
	struct call c[MAX_CALLS];
	struct mmk_machine *m;
	struct timespec t0, t;

	if (!host_ok)
		skip();
	if (ncalls < 4 || ncalls > MAX_CALLS)
		ncalls = RANDOM_CALLS;
	m = boot(state);
	n_run = n_passed = n_skipped = n_failed = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < nseq; k++) {
		char what[64];

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (budget && t.tv_sec - t0.tv_sec > BUDGET_SECONDS) {
			print_message("thp_diff: time budget of %d s used up "
				      "after %ld of %ld sequences\n",
				      BUDGET_SECONDS, k, nseq);
			break;
		}

		memset(c, 0, sizeof c);
		random_seq(seed0 + (uint64_t)k, c, (int)ncalls);
		snprintf(what, sizeof what, "random seed %llu",
			 (unsigned long long)(seed0 + (uint64_t)k));
		if (compare(m, c, (int)ncalls, what) == SEQ_FAILED)
			fprintf(stderr,
				"replay: THP_DIFF_SEED=%llu THP_DIFF_SEQS=1 "
				"THP_DIFF_CALLS=%ld%s\n",
				(unsigned long long)(seed0 + (uint64_t)k),
				ncalls, known ? " THP_DIFF_KNOWN=1" : "");
	}
	check_counts("random");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_directed, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
	};

	known = getenv("THP_DIFF_KNOWN") != NULL;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
