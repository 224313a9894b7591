/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of workingset detection (mm/workingset.c): the shadow's
 * layout for each architecture's word, the timestamp granularity
 * (bucket_order) of a large i386 machine, and the refault rules on
 * pages made by hand: the distance against the workingset, the
 * PG_workingset bit carried through the shadow (restore), and the
 * counters and the clock each step moves. The file is included to reach
 * its static helpers. Each test boots its own machine and ends with the
 * verifier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/workingset.c"

static unsigned long node_state(struct mmk_machine *m, enum node_stat_item item)
{
	return node_page_state(m, 0, item);
}

static unsigned long age(struct mmk_machine *m)
{
	return atomic_load(&m->node_data[0]->__lruvec.nonresident_age);
}

/* A page as reclaim holds one it evicts: off the LRU; @anon: swap-backed. */
static struct page *evictable_page(bool anon)
{
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);

	assert_non_null(page);
	if (anon)
		page_flag_set(page, PG_swapbacked);
	return page;
}

static void free_test_page(struct page *page)
{
	page_flag_clear(page, PG_swapbacked);
	page_flag_clear(page, PG_active);
	page_flag_clear(page, PG_workingset);
	__free_pages(page, 0);
}

/*
 * x86_64 (NUMA, 64-bit words): 1 + 1 + 6 + 16 bits above the eviction
 * stamp, which keeps 40 bits: any machine's pages fit, bucket_order 0.
 * i386 (no NUMA, 32-bit words): 14 bits; a 1G machine's ~229,000
 * managed pages need 18, so stamps count 16-page buckets.
 */
static void test_shadow_layout_per_arch(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, true);
	struct shadow_layout l;
	uint64_t eviction;
	bool ws;
	int nid;

	*state = m;
	assert_non_null(m);
	shadow_layout(m, &l);
	assert_int_equal(l.nodes_shift, 6);
	assert_int_equal(l.eviction_bits, 40);
	assert_int_equal(l.bucket_order, 0);
	unpack_shadow(&l, pack_shadow(&l, 0, 12345, true), &nid, &eviction,
		      &ws);
	assert_int_equal(nid, 0);
	assert_int_equal(eviction, 12345);
	assert_true(ws);
	/* The stamp wraps at 40 bits, as the packed word drops the rest. */
	unpack_shadow(&l, pack_shadow(&l, 0, (1ULL << 40) + 7, false), &nid,
		      &eviction, &ws);
	assert_int_equal(eviction, 7);
	assert_false(ws);
	assert_check_ok(m);
	mmk_shutdown(m);

	m = mmk_test_boot(MMK_ARCH_I386, 1ULL << 30, 1, 1, true);
	*state = m;
	assert_non_null(m);
	shadow_layout(m, &l);
	assert_int_equal(l.nodes_shift, 0);
	assert_int_equal(l.eviction_bits, 14);
	assert_int_equal(l.eviction_mask, (1U << 14) - 1);
	assert_int_equal(l.bucket_order, 18 - 14);
	assert_check_ok(m);
}

/*
 * A file page evicted at clock t refaults at clock t + d: it is
 * activated while d <= active_file (no swap: anon does not count). Each
 * eviction and each activation advances the clock by one.
 */
static void test_file_refault_distance(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, true);
	struct page *old, *fresh;
	void *shadow;

	*state = m;
	assert_non_null(m);
	old = evictable_page(false);
	shadow = workingset_eviction(m, old);
	assert_int_equal(age(m), 1);
	assert_true(workingset_shadow_ok(m, shadow));
	/* Two evictions later, nothing active: distance 2 > 0. */
	workingset_age_nonresident(m, 0, 2);
	fresh = evictable_page(false);
	workingset_refault(m, fresh, shadow);
	assert_false(test_page_flag(fresh, PG_active));
	assert_int_equal(node_state(m, WORKINGSET_REFAULT_FILE), 1);
	assert_int_equal(node_state(m, WORKINGSET_ACTIVATE_FILE), 0);
	assert_int_equal(age(m), 3);
	/* With two active file pages, distance 2 is within reach; the
	 * activation ages the clock. */
	atomic_fetch_add(&m->node_stat[0][NR_ACTIVE_FILE], 2);
	workingset_refault(m, fresh, shadow);
	atomic_fetch_sub(&m->node_stat[0][NR_ACTIVE_FILE], 2);
	assert_true(test_page_flag(fresh, PG_active));
	assert_false(test_page_flag(fresh, PG_workingset));
	assert_int_equal(node_state(m, WORKINGSET_REFAULT_FILE), 2);
	assert_int_equal(node_state(m, WORKINGSET_ACTIVATE_FILE), 1);
	assert_int_equal(node_state(m, WORKINGSET_RESTORE_FILE), 0);
	assert_int_equal(age(m), 4);
	free_test_page(fresh);
	free_test_page(old);
	assert_check_ok(m);
}

/*
 * An anonymous page that was PG_workingset when evicted comes back with
 * it (workingset_restore_anon); its workingset is the file lists and,
 * with free swap only, the active anon list: inactive anon never counts.
 */
static void test_anon_restore(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, true);
	struct page *old, *fresh;
	void *shadow;

	*state = m;
	assert_non_null(m);
	old = evictable_page(true);
	page_flag_set(old, PG_workingset);
	shadow = workingset_eviction(m, old);
	workingset_age_nonresident(m, 0, 5);
	fresh = evictable_page(true);
	/* Five inactive anon pages: not the workingset of an anon page. */
	atomic_fetch_add(&m->node_stat[0][NR_INACTIVE_ANON], 5);
	workingset_refault(m, fresh, shadow);
	atomic_fetch_sub(&m->node_stat[0][NR_INACTIVE_ANON], 5);
	assert_false(test_page_flag(fresh, PG_active));
	assert_int_equal(node_state(m, WORKINGSET_REFAULT_ANON), 1);
	/* Five inactive file pages are. */
	atomic_fetch_add(&m->node_stat[0][NR_INACTIVE_FILE], 5);
	workingset_refault(m, fresh, shadow);
	atomic_fetch_sub(&m->node_stat[0][NR_INACTIVE_FILE], 5);
	assert_true(test_page_flag(fresh, PG_active));
	assert_true(test_page_flag(fresh, PG_workingset));
	assert_int_equal(node_state(m, WORKINGSET_REFAULT_ANON), 2);
	assert_int_equal(node_state(m, WORKINGSET_ACTIVATE_ANON), 1);
	assert_int_equal(node_state(m, WORKINGSET_RESTORE_ANON), 1);
	assert_int_equal(node_state(m, WORKINGSET_REFAULT_FILE), 0);
	free_test_page(fresh);
	free_test_page(old);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_shadow_layout_per_arch,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_file_refault_distance,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_anon_restore, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
