/* SPDX-License-Identifier: MIT */
/*
 * Differential test of mbind(2) against the real kernel of this machine,
 * beside vma_diff_test.c (which covers the rest of the mmap family).
 *
 * A sequence of calls inside a 1 MiB window (mmap MAP_FIXED of anonymous
 * memory, munmap, mprotect, write touches, and mbind with MPOL_DEFAULT,
 * MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL,
 * MPOL_PREFERRED_MANY and MPOL_WEIGHTED_INTERLEAVE over node masks of
 * node 0 and of nodes this host lacks, with the static and relative flags
 * and the strict and move flags now and then, and set_mempolicy, whose
 * policy numa_maps shows for VMAs without one) runs in a child process of
 * this one through raw syscall(2), and in process 1 of a one-node mmkit
 * machine (so node 0 is valid on both). After each call both sides
 * report its result and, for the window, each /proc/PID/maps line (range,
 * permissions, offset), the policy field of its /proc/PID/numa_maps line
 * and get_mempolicy(MPOL_F_ADDR) of its start: they must be equal, so VMA splits and merges by policy and the
 * policy strings are the host kernel's; mmk_check() must pass after
 * every call. A directed sequence comes first, then seeded random ones.
 *
 * Skipped when the host has no /proc/self/numa_maps (no CONFIG_NUMA), or
 * mbind(2) is not available, or the window is not free here.
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
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmkit/mempolicy.h>

#define PG 4096UL
#define WIN 0x3f0000000000UL
#define WIN_PAGES 256UL
#define MAX_CALLS 64
#define SEQS 40

enum op { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_TOUCH, OP_MBIND, OP_SETPOL };

struct call {
	enum op op;
	unsigned long addr, len, prot, mode, nodes, flags;
};

/* ---- the host side ---- */

static long host_call(const struct call *c)
{
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, c->prot);
		break;
	case OP_TOUCH: {
		unsigned long a;

		for (a = c->addr; a < c->addr + c->len; a += PG)
			*(volatile char *)a = 1;
		return 0;
	}
	case OP_MBIND:
		r = syscall(SYS_mbind, c->addr, c->len, c->mode, &c->nodes,
			    65UL, (unsigned int)c->flags);
		break;
	case OP_SETPOL:
		r = syscall(SYS_set_mempolicy, (int)c->mode, &c->nodes, 65UL);
		break;
	}
	return r == -1 ? -errno : (c->op == OP_MMAP ? 0 : r);
}

static long sim_call(const struct call *c)
{
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = mmk_mmap(1, c->addr, c->len, c->prot,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		return r < 0 ? r : 0;
	case OP_MUNMAP:
		return mmk_munmap(1, c->addr, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, c->addr, c->len, c->prot);
	case OP_TOUCH:
		r = mmk_touch(1, c->addr, c->len, true);
		break;
	case OP_MBIND:
		r = mmk_mbind(1, c->addr, c->len, c->mode, &c->nodes, 65UL,
			      (unsigned int)c->flags);
		break;
	case OP_SETPOL:
		r = mmk_set_mempolicy(1, (int)c->mode, &c->nodes, 65UL);
		break;
	}
	return r;
}

/* ---- reports ---- */

/* get_mempolicy(MPOL_F_ADDR) of @addr on each side: "mode/mask", or the
 * errno. */
typedef void getpol_t(unsigned long addr, char *buf, size_t len);

static void host_getpol(unsigned long addr, char *buf, size_t len)
{
	unsigned long mask = 0;
	int pol = -1;
	long r = syscall(SYS_get_mempolicy, &pol, &mask, 65UL, addr,
			 (unsigned long)MPOL_F_ADDR);

	snprintf(buf, len, r ? "err %d" : "%#x/%#lx", r ? errno : pol, mask);
}

static void sim_getpol(unsigned long addr, char *buf, size_t len)
{
	unsigned long mask = 0;
	int pol = -1,
	    r = mmk_get_mempolicy(1, &pol, &mask, 65UL, addr, MPOL_F_ADDR);

	snprintf(buf, len, r ? "err %d" : "%#x/%#lx", r ? -r : pol, mask);
}

/* The window's maps lines (range, permissions, offset) and numa_maps
 * policies of @maps and @numa, appended to @out. */
static void report(char *out, size_t cap, const char *maps, const char *numa,
		   getpol_t *getpol)
{
	const char *p;
	size_t n = strlen(out);

	for (p = maps; *p; p = strchr(p, '\n') + 1) {
		unsigned long start, end, off;
		char perms[8];

		if (sscanf(p, "%lx-%lx %7s %lx", &start, &end, perms, &off) ==
			    4 &&
		    start >= WIN && end <= WIN + WIN_PAGES * PG)
			n += (size_t)snprintf(out + n, cap - n,
					      "  %lx-%lx %s %08lx\n", start,
					      end, perms, off);
		if (!strchr(p, '\n'))
			break;
	}
	for (p = numa; *p; p = strchr(p, '\n') + 1) {
		unsigned long start;
		char pol[64], more[64];

		if (n + 128 >= cap)
			break;
		if (sscanf(p, "%lx %63s %63s", &start, pol, more) >= 2 &&
		    start >= WIN && start < WIN + WIN_PAGES * PG) {
			/* "prefer (many):0" and "weighted interleave:0" are
			 * two words. */
			if ((!strcmp(pol, "prefer") ||
			     !strcmp(pol, "weighted")) &&
			    strlen(pol) + strlen(more) + 2 < sizeof pol) {
				strcat(pol, " ");
				strcat(pol, more);
			}
			getpol(start, more, sizeof more);
			n += (size_t)snprintf(out + n, cap - n, "  %lx %s %s\n",
					      start, pol, more);
		}
		if (!strchr(p, '\n'))
			break;
	}
}

static char *slurp_self(const char *name)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/self/%s", name);
	return mmk_test_slurp(path);
}

static void fmt_call(char *buf, size_t len, const struct call *c)
{
	static const char *const names[] = {
		"mmap", "munmap", "mprotect", "touch", "mbind", "set_mempolicy"
	};

	snprintf(buf, len,
		 "%s %#lx %#lx prot=%lu mode=%#lx nodes=%#lx flags=%#lx",
		 names[c->op], c->addr, c->len, c->prot, c->mode, c->nodes,
		 c->flags);
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = calls;
	char *maps, *numa, line[160];
	long ret = host_call(&c[i]);

	fmt_call(line, sizeof line, &c[i]);
	diff_append(out, cap, "%s = %ld\n", line, ret);
	maps = slurp_self("maps");
	numa = slurp_self("numa_maps");
	if (maps && numa)
		report(out, cap, maps, numa, host_getpol);
	free(maps);
	free(numa);
}

static void sim_step(struct mmk_machine *m, const void *calls, int i, char *out,
		     size_t cap)
{
	const struct call *c = calls;
	char *maps, *numa, line[160];
	long ret = sim_call(&c[i]);

	fmt_call(line, sizeof line, &c[i]);
	diff_append(out, cap, "%s = %ld\n", line, ret);
	maps = proc(m, "/proc/1/maps");
	numa = proc(m, "/proc/1/numa_maps");
	report(out, cap, maps, numa, sim_getpol);
	free(maps);
	free(numa);
}

static void compare_filtered(struct mmk_machine *m, const struct call *c, int n,
			     const char *what)
{
	diff_compare(m, host_step, NULL, sim_step, c, n, what);
}

/* ---- sequences ---- */

static void random_seq(uint64_t seed, void *calls, int n)
{
	struct call *c = calls;
	static const unsigned long masks[] = { 1, 1, 1, 3, 2, 0x21 };
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	int i;

	c[0] = (struct call){ OP_MMAP, WIN, 64 * PG, PROT_READ | PROT_WRITE,
			      0,       0,   0 };
	for (i = 1; i < n; i++) {
		struct call *x = &c[i];
		unsigned long first = diff_pick(&s, 72),
			      pages = 1 + diff_pick(&s, 12);

		memset(x, 0, sizeof(*x));
		x->addr = WIN + first * PG;
		x->len = pages * PG;
		switch (diff_pick(&s, 13)) {
		case 0:
			x->op = OP_MMAP;
			x->prot = PROT_READ | PROT_WRITE;
			break;
		case 1:
			x->op = OP_MUNMAP;
			break;
		case 2:
			x->op = OP_MPROTECT;
			x->prot = diff_pick(&s, 2) ? PROT_READ :
						     PROT_READ | PROT_WRITE;
			break;
		case 3:
			x->op = OP_TOUCH;
			break;
		case 4:
			x->op = OP_SETPOL;
			x->mode = diff_pick(&s, MPOL_MAX);
			x->nodes = x->mode == MPOL_DEFAULT ||
						   x->mode == MPOL_LOCAL ?
					   0 :
					   masks[diff_pick(&s, 6)];
			break;
		default:
			x->op = OP_MBIND;
			x->mode = diff_pick(&s, MPOL_MAX);
			x->nodes = x->mode == MPOL_DEFAULT ||
						   x->mode == MPOL_LOCAL ?
					   0 :
					   masks[diff_pick(&s, 6)];
			if (!diff_pick(&s, 6))
				x->mode |= diff_pick(&s, 2) ?
						   MPOL_F_STATIC_NODES :
						   MPOL_F_RELATIVE_NODES;
			if (!diff_pick(&s, 5))
				x->flags = diff_pick(&s, 2) ?
						   MPOL_MF_STRICT :
						   MPOL_MF_MOVE |
							   MPOL_MF_STRICT;
			break;
		}
	}
}

/* Whether @maps has a writable mapping of @addr. */
static bool writable(const char *maps, unsigned long addr)
{
	const char *p;

	for (p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long s, e;
		char perms[8];

		if (sscanf(p, "%lx-%lx %7s", &s, &e, perms) == 3 && addr >= s &&
		    addr < e)
			return perms[1] == 'w';
	}
	return false;
}

/* A touch of unmapped or read-only memory would kill the host's child:
 * keep only touches of writable pages (as mmkit maps them). */
static int filter_touches(struct mmk_machine *m, struct call *c, int n)
{
	int i, out = 0;

	assert_int_equal(mmk_spawn(1, false), 0);
	for (i = 0; i < n; i++) {
		if (c[i].op == OP_TOUCH) {
			char *maps = proc(m, "/proc/1/maps");
			unsigned long a;
			bool ok = true;

			for (a = c[i].addr; a < c[i].addr + c[i].len; a += PG)
				ok = ok && writable(maps, a);
			free(maps);
			if (!ok)
				continue;
		}
		c[out] = c[i];
		sim_call(&c[out]);
		out++;
	}
	assert_int_equal(mmk_exit(1), 0);
	return out;
}

static bool host_ready(void)
{
	unsigned long one = 1;
	char *numa = slurp_self("numa_maps");
	long r;

	if (!numa)
		return false;
	free(numa);
	/* mbind of an unmapped page: EFAULT on a NUMA kernel. */
	r = syscall(SYS_mbind, WIN, PG, MPOL_BIND, &one, 65UL, 0U);
	if (r != -1 || errno != EFAULT)
		return false;
	return diff_window_free(WIN, WIN_PAGES * PG);
}

static void test_directed(void **state)
{
	struct mmk_machine *m;
	const unsigned long rw = PROT_READ | PROT_WRITE;
	const struct call seq[] = {
		{ OP_MMAP, WIN, 16 * PG, rw, 0, 0, 0 },
		{ OP_MBIND, WIN + 4 * PG, 4 * PG, 0, MPOL_BIND, 1, 0 },
		{ OP_MBIND, WIN + 8 * PG, 4 * PG, 0, MPOL_BIND, 1, 0 },
		{ OP_MBIND, WIN + 2 * PG, 2 * PG, 0, MPOL_PREFERRED, 1, 0 },
		{ OP_MBIND, WIN, 16 * PG, 0, MPOL_INTERLEAVE, 3, 0 },
		{ OP_TOUCH, WIN, 4 * PG, 0, 0, 0, 0 },
		{ OP_MBIND, WIN + PG, 2 * PG, 0,
		  MPOL_PREFERRED | MPOL_F_STATIC_NODES, 1, MPOL_MF_STRICT },
		{ OP_MBIND, WIN + 3 * PG, 2 * PG, 0, MPOL_LOCAL, 0, 0 },
		{ OP_MBIND, WIN + 5 * PG, 2 * PG, 0, MPOL_PREFERRED_MANY, 1,
		  0 },
		{ OP_MBIND, WIN + 7 * PG, 2 * PG, 0,
		  MPOL_WEIGHTED_INTERLEAVE | MPOL_F_RELATIVE_NODES, 8, 0 },
		{ OP_MBIND, WIN + 9 * PG, 2 * PG, 0,
		  MPOL_BIND | MPOL_F_NUMA_BALANCING, 1, 0 },
		{ OP_MPROTECT, WIN + 10 * PG, 4 * PG, PROT_READ, 0, 0, 0 },
		{ OP_MBIND, WIN + 14 * PG, 4 * PG, 0, MPOL_BIND, 1, 0 },
		{ OP_MBIND, WIN + 14 * PG, 4 * PG, 0, MPOL_DEFAULT, 0, 0 },
		{ OP_MBIND, WIN, 16 * PG, 0, MPOL_DEFAULT, 0, 0 },
		{ OP_MBIND, WIN, 16 * PG, 0, MPOL_BIND, 2, 0 },
		{ OP_MUNMAP, WIN + 6 * PG, 2 * PG, 0, 0, 0, 0 },
		{ OP_MBIND, WIN + 4 * PG, 8 * PG, 0, MPOL_DEFAULT, 0, 0 },
		{ OP_MBIND, WIN + 4 * PG, 8 * PG, 0, MPOL_BIND, 1,
		  MPOL_MF_MOVE | MPOL_MF_STRICT },
		{ OP_SETPOL, 0, 0, 0, MPOL_INTERLEAVE | MPOL_F_STATIC_NODES,
		  0x21, 0 },
		{ OP_SETPOL, 0, 0, 0, MPOL_PREFERRED, 0, 0 },
		{ OP_SETPOL, 0, 0, 0, MPOL_BIND, 2, 0 },
		{ OP_SETPOL, 0, 0, 0, MPOL_DEFAULT, 0, 0 },
	};

	if (!host_ready())
		skip();
	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	compare_filtered(m, seq, (int)(sizeof seq / sizeof seq[0]), "directed");
}

/* The random sequences without their touches that would kill the
 * host's child. */
static void compare(struct mmk_machine *m, const void *calls, int n,
		    const char *what)
{
	struct call *c = calloc((size_t)n, sizeof(*c));

	assert_non_null(c);
	memcpy(c, calls, (size_t)n * sizeof(*c));
	compare_filtered(m, c, filter_touches(m, c, n), what);
	free(c);
}

static void test_random(void **state)
{
	struct mmk_machine *m;

	if (!host_ready())
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
