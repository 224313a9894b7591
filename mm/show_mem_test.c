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
	show_mem(m, GFP_KERNEL);
	assert_false(dmesg_has(m, "all_unreclaimable? yes"));
	atomic_store(&m->node_data[1]->kswapd_failures, 16);
	show_mem(m, GFP_KERNEL);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hopeless_node_is_all_unreclaimable),
	};

	return cmocka_run_group_tests_name("show_mem", tests, NULL, NULL);
}
