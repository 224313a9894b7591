/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of compaction (mm/compaction.c): the deferral arithmetic
 * after failures, the fragmentation index, kswapd waking kcompactd for
 * a high-order request it cannot reclaim for, direct compaction through
 * alloc_pages(), and the migrate scanner leaving a pinned page alone.
 * The file is included to reach its static helpers. Each test boots its
 * own machine and ends with the verifier.
 *
 * The fragmented zone of the tests: a process's anonymous pages fill
 * DMA32; every other 16K of its first 4M is unmapped (order-2 holes),
 * and kernel allocations take every free block of order 4 or more:
 *
 *   DMA32  |AAAA....AAAA....  ...  AAAAAAAAAAAAAAAAAAAAAA| kernel blocks
 *           4M of holes             the rest of the process
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/compaction.c"

#define MB (1UL << 20)
#define A 0x10000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state)
{
	*state = mmk_test_boot(MMK_ARCH_X86_64, 64 * MB, 1, 1, true);
	return *state;
}

/* Free blocks of @order or more in @zone. */
static unsigned long blocks_from(const struct zone *zone, unsigned int order)
{
	unsigned long n = 0;

	for (; order < NR_PAGE_ORDERS; order++)
		n += atomic_load(&zone->free_area[order].nr_free);
	return n;
}

/* The fragmented zone drawn above; the kernel blocks it takes go to
 * @held (their orders in @orders), freed by release(). */
struct held {
	struct page *page[64];
	unsigned int order[64];
	int nr;
};

static void fragment(struct held *h)
{
	unsigned long a;
	int o, i;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 50 * MB, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_touch(1, A, 50 * MB, true), 0);
	assert_int_equal(mmk_write_u64(1, A + 0x10000, 0xc0ffee), 0);
	for (a = A; a < A + 4 * MB; a += 32768)
		assert_int_equal(mmk_munmap(1, a + 16384, 16384), 0);
	/* The holes merge on the free lists first. */
	drain_all_pages(NULL);
	h->nr = 0;
	for (o = MAX_PAGE_ORDER; o >= 4; o--)
		for (i = 0; i < 4; i++) {
			struct page *p = alloc_pages(__GFP_NOWARN, (unsigned)o);

			if (!p)
				continue;
			h->page[h->nr] = p;
			h->order[h->nr++] = (unsigned int)o;
		}
}

static void release(struct held *h)
{
	while (h->nr--)
		__free_pages(h->page[h->nr], h->order[h->nr]);
}

/*
 * Deferral: a failure at order 4 defers the next try (shift 1: one
 * request in two), a second failure doubles it; orders below the failed
 * one are never deferred; a success resets all.
 */
static void test_deferral_after_failures(void **state)
{
	struct mmk_machine *m = boot(state);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];

	assert_false(compaction_deferred(z, 4));
	defer_compaction(z, 4);
	assert_int_equal(z->compact_defer_shift, 1);
	assert_int_equal(z->compact_order_failed, 0);
	/* compact_order_failed starts at 0: every order counts. */
	assert_true(compaction_deferred(z, 4));
	assert_false(compaction_deferred(z, 4));
	defer_compaction(z, 4);
	assert_int_equal(z->compact_defer_shift, 2);
	assert_true(compaction_deferred(z, 4));
	assert_true(compaction_deferred(z, 4));
	assert_true(compaction_deferred(z, 4));
	assert_false(compaction_deferred(z, 4));
	__compaction_defer_reset(z, 4, true);
	assert_int_equal(z->compact_defer_shift, 0);
	assert_int_equal(z->compact_order_failed, 5);
	defer_compaction(z, 6);
	assert_false(compaction_deferred(z, 4)); /* below order_failed 5 */
	assert_true(compaction_deferred(z, 6));
	for (int i = 0; i < 10; i++)
		defer_compaction(z, 6);
	assert_int_equal(z->compact_defer_shift, COMPACT_MAX_DEFER_SHIFT);
	assert_check_ok(m);
}

/* The fragmentation index: -1000 when a block of the order is free; on
 * the fragmented zone, above vm.extfrag_threshold's 500 for order 4. */
static void test_fragmentation_index(void **state)
{
	struct mmk_machine *m = boot(state);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct held h;
	int idx;

	assert_int_equal(fragmentation_index(z, 4), -1000);
	fragment(&h);
	assert_int_equal(blocks_from(z, 4), 0);
	idx = fragmentation_index(z, 4);
	assert_true(idx > 500 && idx < 1000);
	assert_true(compaction_suitable(m, z, 4, ZONE_DMA32));
	assert_int_equal(mmk_set_extfrag_threshold(1000), 500);
	assert_false(compaction_suitable(m, z, 4, ZONE_DMA32));
	assert_int_equal(mmk_set_extfrag_threshold(1001), -EINVAL);
	release(&h);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/*
 * kswapd woken for order 4 on the fragmented node finds nothing to
 * reclaim (no swap, no file pages) and goes to sleep hopeless; going to
 * sleep, it wakes kcompactd, which compacts DMA32 until an order-4
 * block is free (compact_daemon_*).
 */
static void test_kswapd_wakes_kcompactd(void **state)
{
	struct mmk_machine *m = boot(state);
	pg_data_t *pgdat = m->node_data[0];
	struct zone *z = &pgdat->node_zones[ZONE_DMA32];
	struct held h;
	uint64_t v = 0;

	fragment(&h);
	assert_int_equal(blocks_from(z, 4), 0);
	m->wakeup_kswapd(m, z, 4, ZONE_DMA32);
	kswapd_run(m);
	assert_int_equal(vmstat(m, "compact_daemon_wake"), 1);
	assert_true(vmstat(m, "compact_daemon_migrate_scanned") > 0);
	assert_true(vmstat(m, "compact_daemon_free_scanned") > 0);
	assert_int_equal(vmstat(m, "compact_daemon_migrate_scanned"),
			 vmstat(m, "compact_migrate_scanned"));
	assert_true(vmstat(m, "pgmigrate_success") > 0);
	assert_int_equal(vmstat(m, "compact_stall"), 0);
	assert_true(blocks_from(z, 4) > 0);
	assert_false(atomic_load(&pgdat->kcompactd_wait));
	assert_int_equal(atomic_load(&pgdat->kcompactd_max_order), 0);
	assert_int_equal(mmk_read_u64(1, A + 0x10000, &v), 0);
	assert_int_equal(v, 0xc0ffee);
	assert_check_ok(m);
	release(&h);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/* Direct compaction from alloc_pages(): a costly movable request
 * compacts before it reclaims, and gets its block (compact_stall 1,
 * compact_success 1); the zone's deferral is reset. */
static void test_direct_compaction_serves_order_4(void **state)
{
	struct mmk_machine *m = boot(state);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct held h;
	struct page *page;
	uint64_t v = 0;

	fragment(&h);
	z->compact_defer_shift = 3;
	z->compact_considered = 8;
	page = alloc_pages(GFP_HIGHUSER_MOVABLE, 4);
	assert_non_null(page);
	assert_int_equal(vmstat(m, "compact_stall"), 1);
	assert_int_equal(vmstat(m, "compact_success"), 1);
	assert_int_equal(vmstat(m, "compact_fail"), 0);
	assert_int_equal(z->compact_defer_shift, 0);
	assert_int_equal(vmstat(m, "nr_isolated_anon"), 0);
	assert_int_equal(mmk_read_u64(1, A + 0x10000, &v), 0);
	assert_int_equal(v, 0xc0ffee);
	__free_pages(page, 4);
	release(&h);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/* The migrate scanner leaves an anonymous page with a reference beyond
 * its mappings (a pin): it is not isolated, and stays where it is. */
static void test_pinned_page_not_isolated(void **state)
{
	struct mmk_machine *m = boot(state);
	struct zone *z = &m->node_data[0]->node_zones[ZONE_DMA32];
	struct compact_control cc = { 0 };
	struct mm_struct *mm;
	struct page *page;
	unsigned long pfn;
	void *slot;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	mm = find_task(1)->mm;
	slot = pte_offset(mm, A, false);
	pfn = pte_pfn(pt_format_of(mm), pte_read(pt_format_of(mm), slot));
	page = pfn_to_page(pfn);
	if (mmk_pfn_zone(m, pfn) != z)
		z = mmk_pfn_zone(m, pfn);
	cc.m = m;
	cc.zone = z;
	cc.mode = MIGRATE_SYNC;
	cc.order = -1;
	INIT_LIST_HEAD(&cc.migratepages);
	get_page(page);
	isolate_migratepages_block(&cc, pfn, pfn + 1);
	assert_int_equal(cc.nr_migratepages, 0);
	assert_true(test_page_flag(page, PG_lru));
	put_page(page);
	isolate_migratepages_block(&cc, pfn, pfn + 1);
	assert_int_equal(cc.nr_migratepages, 1);
	putback_movable_pages(&cc.migratepages);
	assert_true(test_page_flag(page, PG_lru));
	assert_int_equal(vmstat(m, "compact_isolated"), 1);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_deferral_after_failures,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fragmentation_index,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_kswapd_wakes_kcompactd,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_direct_compaction_serves_order_4,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_pinned_page_not_isolated,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
