/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the memory picture in the kernel log (mm/show_mem.c) for
 * states a script reaches only by chance: a node kswapd gave up on
 * (kswapd_failures at MAX_RECLAIM_RETRIES, 16) reads "all_unreclaimable?
 * yes", as /proc/zoneinfo's node_unreclaimable reads 1 for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

static void test_hopeless_node_is_all_unreclaimable(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 2ULL << 30, 2, 2, true);
	char *zoneinfo;

	(void)state;
	atomic_store(&m->node_data[1]->kswapd_failures, 15);
	show_mem(m, GFP_KERNEL, 0);
	assert_false(dmesg_has(m, "all_unreclaimable? yes"));
	atomic_store(&m->node_data[1]->kswapd_failures, 16);
	show_mem(m, GFP_KERNEL, 0);
	assert_true(dmesg_has(
		m,
		"sec_pagetables:0kB all_unreclaimable? no Balloon:0kB\nNode 1 "));
	assert_true(dmesg_has(
		m, "sec_pagetables:0kB all_unreclaimable? yes Balloon:0kB\n"));
	zoneinfo = proc(m, "/proc/zoneinfo");
	assert_non_null(strstr(zoneinfo, "node_unreclaimable:  1\n"));
	free(zoneinfo);
	atomic_store(&m->node_data[1]->kswapd_failures, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A report on an allocation limited to node 1 leaves node 0's node,
 * zone, free area and hugetlb lines out; the global lines stay. */
static void test_nodemask_filters_nodes(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 2ULL << 30, 2, 2, true);

	(void)state;
	show_mem(m, GFP_KERNEL, 1UL << 1);
	assert_true(dmesg_has(m, "Mem-Info:\nactive_anon:"));
	assert_false(dmesg_has(m, "Node 0 active_anon:"));
	assert_false(dmesg_has(m, "Node 0 DMA"));
	assert_false(dmesg_has(m, "Node 0 hugepages_total"));
	assert_true(dmesg_has(m, "Node 1 active_anon:"));
	assert_true(dmesg_has(m, "Node 1 DMA32 free:"));
	assert_true(dmesg_has(m, "Node 1 DMA32: "));
	assert_true(dmesg_has(m, "Node 1 hugepages_total"));
	/* The RAM counts are the whole machine's. */
	assert_true(dmesg_has(m, "\n524190 pages RAM\n"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* warn_alloc() names the request's nodes, and filters the picture by
 * them only when the request may reclaim. */
static void test_warn_alloc_nodemask(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 2ULL << 30, 2, 2, true);

	(void)state;
	warn_alloc(m, GFP_KERNEL, 1UL << 1, "page allocation failure: order:%u",
		   0U);
	assert_true(dmesg_has(
		m,
		"mmkit: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=1\nMem-Info:\n"));
	assert_false(dmesg_has(m, "Node 0 active_anon:"));
	mmk_shutdown(m);

	m = mmk_test_boot(MMK_ARCH_X86_64, 2ULL << 30, 2, 2, true);
	warn_alloc(m, GFP_ATOMIC, 3UL, "page allocation failure: order:%u", 0U);
	assert_true(dmesg_has(m, "nodemask=0-1\nMem-Info:\n"));
	assert_true(dmesg_has(m, "Node 0 active_anon:"));
	mmk_shutdown(m);

	m = mmk_test_boot(MMK_ARCH_X86_64, 2ULL << 30, 2, 2, true);
	warn_alloc(m, GFP_ATOMIC, 1UL << 1, "page allocation failure: order:%u",
		   0U);
	assert_true(dmesg_has(m, "nodemask=1\nMem-Info:\n"));
	assert_true(dmesg_has(m, "Node 0 active_anon:"));
	mmk_shutdown(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hopeless_node_is_all_unreclaimable),
		cmocka_unit_test(test_nodemask_filters_nodes),
		cmocka_unit_test(test_warn_alloc_nodemask),
	};

	return cmocka_run_group_tests_name("show_mem", tests, NULL, NULL);
}
