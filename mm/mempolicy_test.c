/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of NUMA memory policy (mm/mempolicy.c): the errno of each
 * kind of bad argument; a VMA's policy over the task's; bind that runs
 * out of memory instead of spilling to another node; interleave placing
 * pages by page offset exactly (per-node counts from numa_maps);
 * MPOL_MF_MOVE and MPOL_MF_STRICT; VMA splits and merges by policy, and
 * mremap and fork keeping policies; move_pages and migrate_pages; no
 * memory left behind at exit. Each test ends with the verifier.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include <mmkit/mempolicy.h>

#define MB (1UL << 20)
#define PG 4096UL
#define A 0x200000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define MAXNODE 65

static struct mmk_machine *boot_nodes(void **state, enum mmk_arch arch,
				      uint64_t mem, int nodes)
{
	*state = mmk_test_boot(arch, mem, nodes, nodes, true);
	return *state;
}

/* The numa_maps line of @pid's VMA at @start (malloc'ed), or NULL. */
static char *numa_line(struct mmk_machine *m, int pid, unsigned long start)
{
	char path[64], key[32], *text, *p, *end, *line = NULL;

	snprintf(path, sizeof path, "/proc/%d/numa_maps", pid);
	snprintf(key, sizeof key, "%08lx ", start);
	text = proc(m, path);
	assert_non_null(text);
	for (p = text; *p; p = end + 1) {
		end = strchr(p, '\n');
		if (!end)
			break;
		if (!strncmp(p, key, strlen(key))) {
			line = calloc(1, (size_t)(end - p) + 1);
			assert_non_null(line);
			memcpy(line, p, (size_t)(end - p));
			break;
		}
	}
	free(text);
	return line;
}

/* N<nid>= of that line (0 if absent). */
static unsigned long node_pages(struct mmk_machine *m, int pid,
				unsigned long start, int nid)
{
	char *line = numa_line(m, pid, start), key[16], *p;
	unsigned long n = 0;

	assert_non_null(line);
	snprintf(key, sizeof key, " N%d=", nid);
	p = strstr(line, key);
	if (p)
		n = strtoul(p + strlen(key), NULL, 10);
	free(line);
	return n;
}

/* The policy word(s) of that line: the text between the address and
 * the next field (a policy may contain one space: "prefer (many)"). */
static void assert_policy(struct mmk_machine *m, int pid, unsigned long start,
			  const char *want)
{
	char *line = numa_line(m, pid, start);
	size_t n = strlen(want);
	const char *pol;

	assert_non_null(line);
	pol = strchr(line, ' ') + 1;
	if (strncmp(pol, want, n) || (pol[n] != ' ' && pol[n] != '\0'))
		fail_msg("numa_maps \"%s\": policy is not \"%s\"", line, want);
	free(line);
}

static int map_count(struct mmk_machine *m, int pid)
{
	char path[64], *text, *p;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	text = proc(m, path);
	for (p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n - 1; /* the [vsyscall] line */
}

static long mbind1(int pid, unsigned long addr, unsigned long len, int mode,
		   unsigned long nodes, unsigned int flags)
{
	return mmk_mbind(pid, addr, len, (unsigned long)mode, &nodes, MAXNODE,
			 flags);
}

static void test_invalid_arguments(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	unsigned long one = 1, none = 0, big[20] = { 0 };
	int pol;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_spawn(2, true), 0);
	assert_int_equal(mmk_mmap(1, A, 8 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_mmap(2, A, 8 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	/* Modes, flags and masks (sanitize_mpol_flags, get_nodes, mpol_new). */
	assert_int_equal(mbind1(1, A, PG, MPOL_MAX, 1, 0), -EINVAL);
	assert_int_equal(mbind1(1, A, PG,
				MPOL_BIND | MPOL_F_STATIC_NODES |
					MPOL_F_RELATIVE_NODES,
				1, 0),
			 -EINVAL);
	assert_int_equal(mbind1(1, A, PG,
				MPOL_INTERLEAVE | MPOL_F_NUMA_BALANCING, 1, 0),
			 -EINVAL);
	assert_int_equal(mbind1(1, A, PG, MPOL_BIND, 0, 0), -EINVAL);
	assert_int_equal(mbind1(1, A, PG, MPOL_BIND, 1UL << 7, 0), -EINVAL);
	assert_int_equal(mbind1(1, A, PG, MPOL_DEFAULT, 1, 0), -EINVAL);
	assert_int_equal(mbind1(1, A, PG, MPOL_LOCAL, 1, 0), -EINVAL);
	assert_int_equal(mbind1(1, A, PG, MPOL_PREFERRED | MPOL_F_STATIC_NODES,
				0, 0),
			 -EINVAL);
	assert_int_equal(mmk_mbind(1, A, PG, MPOL_BIND, &one, 0, 0), -EINVAL);
	assert_int_equal(mmk_mbind(1, A, PG, MPOL_BIND, &one, 1, 0), -EINVAL);
	big[0] = 1;
	big[17] = 1; /* node 1088: past MAX_NUMNODES, must be clear */
	assert_int_equal(mmk_mbind(1, A, PG, MPOL_BIND, big, 1100, 0), -EINVAL);
	big[17] = 0;
	big[10] = 1; /* node 640: accepted, then masked off */
	assert_int_equal(mmk_mbind(1, A, PG, MPOL_BIND, big, 1100, 0), 0);
	assert_int_equal(mmk_mbind(1, A, PG, MPOL_BIND, big, 40000, 0),
			 -EINVAL);
	/* mbind's own checks (do_mbind). */
	assert_int_equal(mbind1(1, A, PG, MPOL_BIND, 1, 8), -EINVAL);
	assert_int_equal(mbind1(1, A + 1, PG, MPOL_BIND, 1, 0), -EINVAL);
	assert_int_equal(mbind1(1, A, -PG * 2, MPOL_BIND, 1, 0), -EINVAL);
	assert_int_equal(mbind1(1, 0x300000000UL, 0, MPOL_BIND, 1, 0), 0);
	assert_int_equal(mbind1(1, 0x300000000UL, PG, MPOL_BIND, 1, 0),
			 -EFAULT);
	assert_int_equal(mmk_mbind(1, 0x300000000UL, PG, MPOL_DEFAULT, NULL, 0,
				   0),
			 -EFAULT);
	assert_int_equal(mbind1(1, A + 7 * PG, 2 * PG, MPOL_BIND, 1, 0),
			 -EFAULT);
	assert_int_equal(mmk_mbind(1, A + 7 * PG, 2 * PG, MPOL_DEFAULT, &none,
				   MAXNODE, 0),
			 0);
	assert_int_equal(mbind1(2, A, PG, MPOL_BIND, 1, MPOL_MF_MOVE_ALL),
			 -EPERM);
	assert_int_equal(mbind1(9, A, PG, MPOL_BIND, 1, 0), -ESRCH);
	/* set_mempolicy, get_mempolicy. */
	assert_int_equal(mmk_set_mempolicy(1, MPOL_INTERLEAVE, &none, MAXNODE),
			 -EINVAL);
	assert_int_equal(mmk_set_mempolicy(9, MPOL_LOCAL, NULL, 0), -ESRCH);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, 0, MPOL_F_NODE),
			 -EINVAL);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, A, 0), -EINVAL);
	assert_int_equal(mmk_get_mempolicy(1, &pol, big, 1, 0, 0), -EINVAL);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, 0x300000000UL,
					   MPOL_F_ADDR),
			 -EFAULT);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, A,
					   MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED),
			 -EINVAL);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, 0, 8), -EINVAL);
	/* migrate_pages, move_pages. */
	big[0] = 1UL << 5;
	assert_int_equal(mmk_migrate_pages(1, MAXNODE, &one, big), -EINVAL);
	assert_int_equal(mmk_migrate_pages(2, MAXNODE, &one, big), -EPERM);
	assert_int_equal(mmk_move_pages(1, 0, NULL, NULL, NULL, 8), -EINVAL);
	assert_int_equal(mmk_move_pages(2, 0, NULL, NULL, NULL,
					MPOL_MF_MOVE_ALL),
			 -EPERM);
	assert_int_equal(mmk_move_pages(1, 1, NULL, NULL, NULL, 0), -EFAULT);
	assert_int_equal(mmk_set_interleave_weight(0, 0), -EINVAL);
	assert_int_equal(mmk_set_interleave_weight(2, 1), -EINVAL);
	assert_int_equal(mmk_set_interleave_weight(1, 256), -EINVAL);
	assert_check_ok(m);
}

static void test_no_numa_on_i386(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_I386, 64 * MB, 1);
	unsigned long one = 1;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_set_mempolicy(1, MPOL_BIND, &one, MAXNODE),
			 -ENOSYS);
	assert_int_equal(mbind1(1, 0x10000000UL, PG, MPOL_BIND, 1, 0), -ENOSYS);
	assert_check_ok(m);
}

static void test_vma_policy_over_task_policy(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	unsigned long one = 2; /* node 1 */
	int pol = -1;
	unsigned long mask = 0;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_set_mempolicy(1, MPOL_BIND, &one, MAXNODE), 0);
	assert_int_equal(mmk_mmap(1, A, 16 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mbind1(1, A + 4 * PG, 4 * PG, MPOL_PREFERRED, 1, 0),
			 0);
	assert_int_equal(mmk_touch(1, A, 16 * PG, true), 0);
	assert_int_equal(map_count(m, 1), 3);
	assert_policy(m, 1, A, "bind:1");
	assert_policy(m, 1, A + 4 * PG, "prefer:0");
	assert_policy(m, 1, A + 8 * PG, "bind:1");
	assert_int_equal(node_pages(m, 1, A, 1), 4);
	assert_int_equal(node_pages(m, 1, A + 4 * PG, 0), 4);
	assert_int_equal(node_pages(m, 1, A + 4 * PG, 1), 0);
	assert_int_equal(node_pages(m, 1, A + 8 * PG, 1), 8);
	/* get_mempolicy: the task's, a VMA's, and a page's node. */
	assert_int_equal(mmk_get_mempolicy(1, &pol, &mask, MAXNODE, 0, 0), 0);
	assert_int_equal(pol, MPOL_BIND);
	assert_int_equal(mask, 2);
	assert_int_equal(mmk_get_mempolicy(1, &pol, &mask, MAXNODE, A + 4 * PG,
					   MPOL_F_ADDR),
			 0);
	assert_int_equal(pol, MPOL_PREFERRED);
	assert_int_equal(mask, 1);
	assert_int_equal(
		mmk_get_mempolicy(1, &pol, &mask, MAXNODE, A, MPOL_F_ADDR), 0);
	assert_int_equal(pol, MPOL_DEFAULT);
	assert_int_equal(mask, 0);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, A + 5 * PG,
					   MPOL_F_ADDR | MPOL_F_NODE),
			 0);
	assert_int_equal(pol, 0);
	assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0, A,
					   MPOL_F_ADDR | MPOL_F_NODE),
			 0);
	assert_int_equal(pol, 1);
	assert_check_ok(m);
}

static void test_bind_fails_rather_than_spill(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 128 * MB, 2);
	unsigned long node0_hits;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 96 * MB, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mbind1(1, A, 96 * MB, MPOL_BIND, 2, 0), 0);
	node0_hits = vmstat(m, "numa_miss");
	/* Node 1 has 64 MiB: the process is killed before its pages would
	 * come from node 0. */
	assert_int_not_equal(mmk_touch(1, A, 96 * MB, true), 0);
	assert_false(mmk_task_alive(1));
	assert_int_equal(vmstat(m, "numa_miss"), node0_hits);
	assert_true(vmstat(m, "oom_kill") >= 1);
	assert_check_ok(m);
}

static void test_interleave_by_offset(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 512 * MB, 4);
	unsigned long before = vmstat(m, "numa_interleave");
	int pol = -1, i;

	assert_int_equal(mmk_spawn(1, false), 0);
	/* 30 pages at page offset A >> 12 over nodes 0, 2, 3. */
	assert_int_equal(mmk_mmap(1, A, 30 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mbind1(1, A, 30 * PG, MPOL_INTERLEAVE, 0xd, 0), 0);
	assert_int_equal(mmk_touch(1, A, 30 * PG, true), 0);
	assert_policy(m, 1, A, "interleave:0,2-3");
	assert_int_equal(node_pages(m, 1, A, 0), 10);
	assert_int_equal(node_pages(m, 1, A, 1), 0);
	assert_int_equal(node_pages(m, 1, A, 2), 10);
	assert_int_equal(node_pages(m, 1, A, 3), 10);
	/* interleave_nid(): the (ilx mod 3)th node of {0, 2, 3}. */
	for (i = 0; i < 6; i++) {
		static const int nodes[3] = { 0, 2, 3 };
		unsigned long ilx = (A >> 12) + (unsigned long)i;

		assert_int_equal(mmk_get_mempolicy(1, &pol, NULL, 0,
						   A + (unsigned long)i * PG,
						   MPOL_F_ADDR | MPOL_F_NODE),
				 0);
		assert_int_equal(pol, nodes[ilx % 3]);
	}
	assert_int_equal(vmstat(m, "numa_interleave") - before, 30);
	/* Weighted: node 0 weight 1, node 1 weight 3 over 16 pages. */
	assert_int_equal(mmk_set_interleave_weight(1, 3), 0);
	assert_int_equal(mmk_get_interleave_weight(1), 3);
	assert_int_equal(mmk_mmap(1, A + 64 * PG, 16 * PG, RW, PRIV_ANON, NULL,
				  0),
			 (long)(A + 64 * PG));
	assert_int_equal(mbind1(1, A + 64 * PG, 16 * PG,
				MPOL_WEIGHTED_INTERLEAVE, 3, 0),
			 0);
	assert_int_equal(mmk_touch(1, A + 64 * PG, 16 * PG, true), 0);
	assert_policy(m, 1, A + 64 * PG, "weighted interleave:0-1");
	assert_int_equal(node_pages(m, 1, A + 64 * PG, 0), 4);
	assert_int_equal(node_pages(m, 1, A + 64 * PG, 1), 12);
	assert_check_ok(m);
}

static void test_move_and_strict(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	unsigned long done = vmstat(m, "pgmigrate_success");
	uint64_t v = 0;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 8 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, 8 * PG, true), 0);
	assert_int_equal(mmk_write_u64(1, A + 3 * PG, 0x1234), 0);
	assert_int_equal(node_pages(m, 1, A, 0), 8);
	/* Misplaced pages without MOVE: STRICT says EIO, and the policy is
	 * not set (queue_pages_range fails first). */
	assert_int_equal(mbind1(1, A, 4 * PG, MPOL_BIND, 2, MPOL_MF_STRICT),
			 -EIO);
	assert_policy(m, 1, A, "default");
	assert_int_equal(map_count(m, 1), 1);
	assert_int_equal(vmstat(m, "pgmigrate_success"), done);
	/* MOVE: the four pages go to node 1, with their content. */
	assert_int_equal(mbind1(1, A, 4 * PG, MPOL_BIND, 2,
				MPOL_MF_MOVE | MPOL_MF_STRICT),
			 0);
	assert_int_equal(node_pages(m, 1, A, 0), 0);
	assert_int_equal(node_pages(m, 1, A, 1), 4);
	assert_int_equal(node_pages(m, 1, A + 4 * PG, 0), 4);
	assert_int_equal(vmstat(m, "pgmigrate_success"), done + 4);
	assert_int_equal(mmk_read_u64(1, A + 3 * PG, &v), 0);
	assert_int_equal(v, 0x1234);
	/* A page shared after fork moves with MOVE_ALL only; MOVE skips it
	 * without failing. */
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mbind1(1, A + 4 * PG, 4 * PG, MPOL_BIND, 2,
				MPOL_MF_MOVE | MPOL_MF_STRICT),
			 0);
	/* Now one VMA again (equal policies, same anon_vma). */
	assert_int_equal(map_count(m, 1), 1);
	assert_int_equal(node_pages(m, 1, A, 0), 4);
	assert_int_equal(node_pages(m, 1, A, 1), 4);
	assert_int_equal(mbind1(1, A + 4 * PG, 4 * PG, MPOL_BIND, 2,
				MPOL_MF_MOVE_ALL | MPOL_MF_STRICT),
			 0);
	assert_int_equal(node_pages(m, 1, A, 1), 8);
	assert_policy(m, 2, A + 4 * PG, "default");
	assert_int_equal(node_pages(m, 2, A + 4 * PG, 1), 4);
	assert_int_equal(vmstat(m, "pgmigrate_success"), done + 8);
	assert_check_ok(m);
}

static void test_split_merge_mremap_fork(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	unsigned long two = 2;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 16 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mbind1(1, A + 4 * PG, 4 * PG, MPOL_INTERLEAVE, 3, 0),
			 0);
	assert_int_equal(map_count(m, 1), 3);
	/* The same policy again changes nothing; a neighbour with it merges. */
	assert_int_equal(mbind1(1, A + 4 * PG, 4 * PG, MPOL_INTERLEAVE, 3, 0),
			 0);
	assert_int_equal(mbind1(1, A + 8 * PG, 4 * PG, MPOL_INTERLEAVE, 3, 0),
			 0);
	assert_int_equal(map_count(m, 1), 3);
	assert_policy(m, 1, A + 4 * PG, "interleave:0-1");
	/* Different flags are a different policy. */
	assert_int_equal(mbind1(1, A + 8 * PG, 4 * PG,
				MPOL_INTERLEAVE | MPOL_F_STATIC_NODES, 3, 0),
			 0);
	assert_int_equal(map_count(m, 1), 4);
	assert_policy(m, 1, A + 8 * PG, "interleave=static:0-1");
	/* Back to default: one VMA (nothing was touched: no anon_vmas). */
	assert_int_equal(mmk_mbind(1, A, 16 * PG, MPOL_DEFAULT, NULL, 0, 0), 0);
	assert_int_equal(map_count(m, 1), 1);
	assert_policy(m, 1, A, "default");
	/* mremap moves the policy with the VMA; fork copies it and the
	 * task's. */
	assert_int_equal(mbind1(1, A, 4 * PG, MPOL_PREFERRED_MANY, 3, 0), 0);
	assert_int_equal(mmk_mremap(1, A, 4 * PG, 4 * PG,
				    MREMAP_MAYMOVE | MREMAP_FIXED, A + 64 * PG),
			 (long)(A + 64 * PG));
	assert_policy(m, 1, A + 64 * PG, "prefer (many):0-1");
	assert_int_equal(mmk_set_mempolicy(1, MPOL_PREFERRED, &two, MAXNODE),
			 0);
	assert_policy(m, 1, A + 4 * PG, "prefer:1");
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_policy(m, 2, A + 64 * PG, "prefer (many):0-1");
	assert_policy(m, 2, A + 4 * PG, "prefer:1");
	assert_int_equal(mmk_touch(2, A + 4 * PG, 4 * PG, true), 0);
	assert_int_equal(node_pages(m, 2, A + 4 * PG, 1), 4);
	assert_check_ok(m);
}

static void test_move_pages_and_migrate_pages(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	unsigned long pages[4] = { A, A + PG, A + 2 * PG, 0x300000000UL };
	int nodes[4] = { 1, 1, 1, 1 }, status[4];
	unsigned long zero = 1, one = 2;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, 2 * PG, true), 0);
	assert_int_equal(mmk_touch(1, A + 3 * PG, PG, false), 0);
	pages[2] = A + 3 * PG; /* the zero page */
	pages[3] = A + 2 * PG; /* not present */
	assert_int_equal(mmk_move_pages(1, 4, pages, NULL, status, 0), 0);
	assert_int_equal(status[0], 0);
	assert_int_equal(status[1], 0);
	assert_int_equal(status[2], -EFAULT);
	assert_int_equal(status[3], -ENOENT);
	assert_int_equal(mmk_move_pages(1, 4, pages, nodes, status, 0), 0);
	assert_int_equal(status[0], 1);
	assert_int_equal(status[1], 1);
	assert_int_equal(status[2], -EFAULT);
	assert_int_equal(status[3], -ENOENT);
	assert_int_equal(node_pages(m, 1, A, 1), 2);
	nodes[0] = 7;
	assert_int_equal(mmk_move_pages(1, 1, pages, nodes, status, 0),
			 -ENODEV);
	/* migrate_pages: node 1's pages back to node 0. */
	assert_int_equal(mmk_migrate_pages(1, MAXNODE, &one, &zero), 0);
	assert_int_equal(node_pages(m, 1, A, 0), 2);
	assert_int_equal(node_pages(m, 1, A, 1), 0);
	assert_check_ok(m);
}

/* A process using every kind of policy, forked, partly unmapped,
 * moved, then gone. */
static void policy_cycle(void)
{
	unsigned long nodes = 3;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_set_mempolicy(1, MPOL_WEIGHTED_INTERLEAVE, &nodes,
					   MAXNODE),
			 0);
	assert_int_equal(mmk_mmap(1, A, 64 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mbind1(1, A, 32 * PG, MPOL_BIND, 2, 0), 0);
	assert_int_equal(mmk_touch(1, A, 64 * PG, true), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_munmap(1, A, 16 * PG), 0);
	assert_int_equal(
		mbind1(2, A, 64 * PG, MPOL_PREFERRED, 1, MPOL_MF_MOVE_ALL), 0);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_exit(1), 0);
	drain_all_pages(NULL);
}

static void test_exit_leaves_nothing(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	unsigned long free0;

	/* The first cycle grows the caches (VMAs, anon_vmas, tasks); a
	 * second one must give back all it takes. */
	policy_cycle();
	free0 = meminfo_kb(m, "MemFree");
	policy_cycle();
	assert_int_equal(meminfo_kb(m, "MemFree"), free0);
	assert_check_ok(m);
}

static void test_page_cache_and_shmem(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	struct file *f = mmk_file_create("data", 8 * PG, false);
	struct file *shm = mmk_memfd_create("shm", 8 * PG);
	unsigned long both = 3, pages[8], other = vmstat(m, "numa_other");
	int status[8], i;

	assert_non_null(f);
	assert_non_null(shm);
	assert_int_equal(mmk_spawn(1, false), 0);
	/* A regular file's page cache: the task's interleave, round-robin. */
	assert_int_equal(mmk_set_mempolicy(1, MPOL_INTERLEAVE, &both, MAXNODE),
			 0);
	assert_int_equal(mmk_mmap(1, A, 8 * PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, 8 * PG, false), 0);
	assert_policy(m, 1, A, "interleave:0-1");
	assert_int_equal(node_pages(m, 1, A, 0), 4);
	assert_int_equal(node_pages(m, 1, A, 1), 4);
	/* shmem: the VMA's policy, interleaved by inode and index. */
	assert_int_equal(mmk_set_mempolicy(1, MPOL_DEFAULT, NULL, 0), 0);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 8 * PG, RW,
				  MAP_SHARED | MAP_FIXED, shm, 0),
			 (long)(A + 16 * PG));
	assert_int_equal(mbind1(1, A + 16 * PG, 8 * PG, MPOL_INTERLEAVE, 3, 0),
			 0);
	assert_int_equal(mmk_touch(1, A + 16 * PG, 8 * PG, true), 0);
	for (i = 0; i < 8; i++)
		pages[i] = A + (unsigned long)(16 + i) * PG;
	assert_int_equal(mmk_move_pages(1, 8, pages, NULL, status, 0), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(status[i],
				 (int)((shm->ino + (unsigned long)i) % 2));
	/* preferred 1 from a CPU of node 0: hits on node 1, not local. */
	assert_int_equal(mmk_mmap(1, A + 32 * PG, 8 * PG, RW, PRIV_ANON, NULL,
				  0),
			 (long)(A + 32 * PG));
	assert_int_equal(mbind1(1, A + 32 * PG, 8 * PG, MPOL_PREFERRED, 2, 0),
			 0);
	assert_int_equal(mmk_touch(1, A + 32 * PG, 8 * PG, true), 0);
	assert_int_equal(node_pages(m, 1, A + 32 * PG, 1), 8);
	assert_true(vmstat(m, "numa_other") >= other + 8);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	fput(shm);
	assert_check_ok(m);
}

/* Every page and slab allocation of an mbind that splits VMAs and moves
 * pages fails in turn: each call returns 0, -ENOMEM (a split) or -EIO
 * (pages left behind), the process keeps its data, and check passes. */
static void test_mbind_under_fault_injection(void **state)
{
	struct mmk_machine *m = boot_nodes(state, MMK_ARCH_X86_64, 256 * MB, 2);
	enum mmk_fail_kind kind;

	assert_int_equal(mmk_spawn(1, false), 0);
	for (kind = MMK_FAIL_PAGE_ALLOC; kind <= MMK_FAIL_SLAB; kind++) {
		unsigned long nth;
		long ret = -1;
		bool failed = false;

		for (nth = 1; ret && nth < 200; nth++) {
			struct mmk_fail_attr attr = { .nth = nth, .times = 1 };
			unsigned long i;
			uint64_t v = 0;

			assert_int_equal(mmk_mmap(1, A, 16 * PG, RW, PRIV_ANON,
						  NULL, 0),
					 (long)A);
			for (i = 0; i < 16; i++)
				assert_int_equal(
					mmk_write_u64(1, A + i * PG, i + 1), 0);
			assert_int_equal(mmk_fail_set(m, kind, &attr), 0);
			ret = mbind1(1, A + 4 * PG, 8 * PG, MPOL_BIND, 2,
				     MPOL_MF_MOVE | MPOL_MF_STRICT);
			assert_int_equal(mmk_fail_set(m, kind, NULL), 0);
			if (ret && ret != -ENOMEM && ret != -EIO)
				fail_msg("nth %lu: mbind = %ld", nth, ret);
			failed |= ret != 0;
			for (i = 0; i < 16; i++) {
				assert_int_equal(
					mmk_read_u64(1, A + i * PG, &v), 0);
				assert_int_equal(v, i + 1);
			}
			assert_check_ok(m);
			assert_int_equal(mmk_munmap(1, A, 16 * PG), 0);
		}
		assert_int_equal(ret, 0);
		assert_true(failed);
	}
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_invalid_arguments,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_no_numa_on_i386,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_vma_policy_over_task_policy,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_bind_fails_rather_than_spill,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_interleave_by_offset,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_move_and_strict,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_split_merge_mremap_fork,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_move_pages_and_migrate_pages,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_exit_leaves_nothing,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_page_cache_and_shmem,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_mbind_under_fault_injection,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
