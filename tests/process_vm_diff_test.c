/* SPDX-License-Identifier: MIT */
/*
 * Differential test of process_vm_readv(2) and process_vm_writev(2)
 * (mm/process_vm_access.c) against the real kernel of this machine.
 *
 * A sequence of calls inside a 256 KiB window runs in a child process of
 * this one through raw syscall(2), and in process 1 of an mmkit machine:
 * mmap MAP_FIXED of anonymous memory with any protection, munmap,
 * mprotect, one-page loads and stores (the host child catches SIGSEGV),
 * and process_vm_readv and process_vm_writev of the process on itself,
 * with one to three local and remote ranges of any alignment and length
 * up to three pages, over holes and pages without the permission. After
 * each call both sides report its result and, for the window, each maps
 * line (range, permissions, offset) with its smaps Rss and Private_Dirty:
 * they must be equal, so the same bytes move, the same pages are faulted
 * in, and the values loaded later agree; mmk_check() must pass after
 * every call. A directed sequence comes first, then seeded random ones.
 *
 * Skipped when the window is not free here.
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
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PG 4096UL
#define WIN 0x3c0000000000UL
#define WIN_PAGES 64UL
#define MAX_CALLS 40
#define SEQS 60
#define MAX_IOV 3

enum op {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_READ,
	OP_WRITE,
	OP_READV,
	OP_WRITEV
};

struct call {
	enum op op;
	unsigned long addr, len, prot;
	int nl, nr; /* ranges of the vectors */
	struct mmk_iovec local[MAX_IOV], remote[MAX_IOV];
	unsigned long flags;
};

/* ---- the two sides ---- */

static long host_vm(const struct call *c)
{
	struct iovec l[MAX_IOV], r[MAX_IOV];
	long ret;
	int i;

	for (i = 0; i < c->nl; i++)
		l[i] = (struct iovec){ (void *)c->local[i].base,
				       c->local[i].len };
	for (i = 0; i < c->nr; i++)
		r[i] = (struct iovec){ (void *)c->remote[i].base,
				       c->remote[i].len };
	ret = syscall(c->op == OP_READV ? SYS_process_vm_readv :
					  SYS_process_vm_writev,
		      getpid(), l, (unsigned long)c->nl, r,
		      (unsigned long)c->nr, c->flags);
	return ret == -1 ? -errno : ret;
}

static long host_call(const struct call *c, int i)
{
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return r == -1 ? -errno : 0;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, c->prot);
		break;
	case OP_READ:
	case OP_WRITE:
		return diff_host_access(
			c->addr, c->op == OP_WRITE,
			0x0101010101010101ULL * (uint64_t)(i + 1), NULL, NULL);
	case OP_READV:
	case OP_WRITEV:
		return host_vm(c);
	}
	return r == -1 ? -errno : r;
}

static long sim_call(const struct call *c, int i)
{
	uint64_t v = 0;
	long r;

	switch (c->op) {
	case OP_MMAP:
		r = mmk_mmap(1, c->addr, c->len, c->prot,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		return r < 0 ? r : 0;
	case OP_MUNMAP:
		return mmk_munmap(1, c->addr, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, c->addr, c->len, c->prot);
	case OP_READ:
		r = mmk_read_u64(1, c->addr, &v);
		return r ? DIFF_FAULTED(r) : (long)v;
	case OP_WRITE:
		r = mmk_write_u64(1, c->addr,
				  0x0101010101010101ULL * (uint64_t)(i + 1));
		return r ? DIFF_FAULTED(r) : 0;
	case OP_READV:
		return mmk_process_vm_readv(1, 1, c->local, (size_t)c->nl,
					    c->remote, (size_t)c->nr, c->flags);
	case OP_WRITEV:
		return mmk_process_vm_writev(1, 1, c->local, (size_t)c->nl,
					     c->remote, (size_t)c->nr,
					     c->flags);
	}
	return 0;
}

/* ---- reports ---- */

static void report_smaps(char *out, size_t cap, const char *smaps)
{
	bool in_win = false;
	const char *p;

	for (p = smaps; *p; p = strchr(p, '\n') + 1) {
		unsigned long start, end, off, kb;
		char perms[8], name[20];

		if (sscanf(p, "%lx-%lx %7s %lx", &start, &end, perms, &off) ==
		    4) {
			in_win = start >= WIN && end <= WIN + WIN_PAGES * PG;
			if (in_win)
				diff_append(out, cap, "  %lx-%lx %s %08lx\n",
					    start, end, perms, off);
		} else if (in_win && sscanf(p, "%19s %lu kB", name, &kb) == 2 &&
			   (!strcmp(name, "Rss:") ||
			    !strcmp(name, "Private_Dirty:"))) {
			diff_append(out, cap, "    %s %lu\n", name, kb);
		}
		if (!strchr(p, '\n'))
			break;
	}
}

static void fmt_call(char *out, size_t cap, const struct call *c, long ret)
{
	static const char *const names[] = {
		"mmap",	 "munmap",	     "mprotect",	  "read",
		"write", "process_vm_readv", "process_vm_writev",
	};
	int i;

	diff_append(out, cap, "%s %#lx %#lx prot=%lu", names[c->op], c->addr,
		    c->len, c->prot);
	if (c->op == OP_READV || c->op == OP_WRITEV) {
		for (i = 0; i < c->nl; i++)
			diff_append(out, cap, " l%#lx:%lu", c->local[i].base,
				    c->local[i].len);
		for (i = 0; i < c->nr; i++)
			diff_append(out, cap, " r%#lx:%lu", c->remote[i].base,
				    c->remote[i].len);
		diff_append(out, cap, " flags=%lu", c->flags);
	}
	diff_append(out, cap, " = %ld\n", ret);
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = calls;
	char *smaps;

	fmt_call(out, cap, &c[i], host_call(&c[i], i));
	smaps = mmk_test_slurp("/proc/self/smaps");
	if (smaps)
		report_smaps(out, cap, smaps);
	free(smaps);
}

static void sim_step(struct mmk_machine *m, const void *calls, int i, char *out,
		     size_t cap)
{
	const struct call *c = calls;
	char *smaps;

	fmt_call(out, cap, &c[i], sim_call(&c[i], i));
	smaps = proc(m, "/proc/1/smaps");
	report_smaps(out, cap, smaps);
	free(smaps);
}

static void compare(struct mmk_machine *m, const void *calls, int n,
		    const char *what)
{
	diff_compare(m, host_step, NULL, sim_step, calls, n, what);
}

/* ---- sequences ---- */

#define RW (PROT_READ | PROT_WRITE)
#define A(p) (WIN + (p)*PG)
#define MAP(o, a, l, p)                                             \
	{                                                           \
		.op = (o), .addr = A(a), .len = (l)*PG, .prot = (p) \
	}
#define AT(o, a)                        \
	{                               \
		.op = (o), .addr = A(a) \
	}

static void test_directed(void **state)
{
	const struct call seq[] = {
		MAP(OP_MMAP, 0, 16, RW),
		MAP(OP_MMAP, 16, 2, PROT_READ),
		MAP(OP_MMAP, 18, 2, PROT_NONE),
		AT(OP_WRITE, 0),
		AT(OP_WRITE, 3),
		/* 8 bytes into page 8 from a 4-page remote range: the whole
		 * batch is pinned, faulted in, however few bytes move. */
		{ .op = OP_READV,
		  .nl = 1,
		  .nr = 1,
		  .local = { { A(8), 8 } },
		  .remote = { { A(0), 4 * PG } } },
		AT(OP_READ, 8),
		{ .op = OP_WRITEV,
		  .nl = 2,
		  .nr = 2,
		  .local = { { A(3), 5 }, { A(0) + 100, 11 } },
		  .remote = { { A(10) + 4090, 8 }, { A(12), 8 } } },
		AT(OP_READ, 10),
		AT(OP_READ, 12),
		/* To the page without the permission; a hole; PROT_NONE. */
		{ .op = OP_WRITEV,
		  .nl = 1,
		  .nr = 1,
		  .local = { { A(0), 4 * PG } },
		  .remote = { { A(14) + 8, 4 * PG } } },
		{ .op = OP_READV,
		  .nl = 1,
		  .nr = 1,
		  .local = { { A(4), 4 * PG } },
		  .remote = { { A(15), 4 * PG } } },
		{ .op = OP_READV,
		  .nl = 1,
		  .nr = 1,
		  .local = { { A(0), 8 } },
		  .remote = { { A(30), 8 } } },
		/* A local fault: the bytes before it. */
		{ .op = OP_READV,
		  .nl = 1,
		  .nr = 1,
		  .local = { { A(15), 3 * PG } },
		  .remote = { { A(0), 3 * PG } } },
		{ .op = OP_READV,
		  .nl = 1,
		  .nr = 1,
		  .local = { { A(17), 8 } },
		  .remote = { { A(0), 8 } } },
		/* Nothing to copy; bad flags. */
		{ .op = OP_READV, .nl = 0, .nr = 1, .remote = { { A(0), 8 } } },
		{ .op = OP_READV, .nl = 1, .nr = 0, .local = { { A(0), 8 } } },
		{ .op = OP_READV,
		  .nl = 1,
		  .nr = 1,
		  .flags = 1,
		  .local = { { A(0), 8 } },
		  .remote = { { A(0), 8 } } },
		MAP(OP_MUNMAP, 0, 64, 0),
	};
	struct mmk_machine *m;

	if (!diff_window_free(WIN, WIN_PAGES * PG))
		skip();
	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	compare(m, seq, (int)(sizeof seq / sizeof seq[0]), "directed");
}

/* A local range in the window's lower half, a remote one in its upper
 * half: a copy between overlapping bytes moves them as the CPU's string
 * instructions do, which differ between CPUs. */
static void random_range(uint64_t *s, struct mmk_iovec *v, bool remote)
{
	v->base = WIN + (remote ? WIN_PAGES / 2 * PG : 0) +
		  diff_pick(s, (WIN_PAGES / 2 - 4) * PG);
	v->len = diff_pick(s, 4) ? diff_pick(s, 3 * PG) : diff_pick(s, 16);
}

static void random_seq(uint64_t seed, void *calls, int n)
{
	static const unsigned long prots[] = { PROT_READ, RW, RW, PROT_NONE };
	struct call *c = calls;
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	int i, k;

	c[0] = (struct call)MAP(OP_MMAP, 0, 32, RW);
	for (i = 1; i < n; i++) {
		struct call *x = &c[i];
		unsigned long first = diff_pick(&s, WIN_PAGES - 8);

		memset(x, 0, sizeof(*x));
		x->addr = WIN + first * PG;
		x->len = (1 + diff_pick(&s, 8)) * PG;
		x->prot = prots[diff_pick(&s, 4)];
		switch (diff_pick(&s, 12)) {
		case 0:
			x->op = OP_MMAP;
			break;
		case 1:
			x->op = OP_MUNMAP;
			break;
		case 2:
			x->op = OP_MPROTECT;
			break;
		case 3:
			x->op = OP_READ;
			break;
		case 4:
		case 5:
			x->op = OP_WRITE;
			break;
		default:
			x->op = diff_pick(&s, 2) ? OP_READV : OP_WRITEV;
			x->nl = 1 + (int)diff_pick(&s, MAX_IOV);
			x->nr = 1 + (int)diff_pick(&s, MAX_IOV);
			for (k = 0; k < x->nl; k++)
				random_range(&s, &x->local[k], false);
			for (k = 0; k < x->nr; k++)
				random_range(&s, &x->remote[k], true);
			break;
		}
	}
}

static void test_random(void **state)
{
	struct mmk_machine *m;

	if (!diff_window_free(WIN, WIN_PAGES * PG))
		skip();
	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	diff_random(m, random_seq, compare, sizeof(struct call), MAX_CALLS,
		    SEQS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_directed, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
