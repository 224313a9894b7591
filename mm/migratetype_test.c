/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the page allocator's migrate types (mm/page_alloc.c): the
 * pageblock types at boot, which free list and which pcp list a request
 * or a freed page uses, claiming and stealing other types' memory as
 * Linux 6.18's __rmqueue_claim/__rmqueue_steal do, and the HighAtomic
 * reserve. Every test ends with the full verifier, whose invariant I6
 * checks that each free block is on its pageblock's type.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

static struct zone *zone_of(struct mmk_machine *m, int nid, enum zone_type t)
{
	return &m->node_data[nid]->node_zones[t];
}

static int page_mt(struct mmk_machine *m, struct page *page)
{
	int mt = get_pageblock_migratetype(page);

	assert_int_equal(mt, get_pfnblock_migratetype(m, page_to_pfn(page)));
	return mt;
}

/* Free blocks of @mt in @z at each order, as a string "o0 o1 ... o10". */
static void free_counts(struct zone *z, int mt, char *buf, size_t len)
{
	size_t n = 0;
	int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++)
		n += (size_t)snprintf(buf + n, len - n, o ? " %lu" : "%lu",
				      z->free_area[o].nr_free_mt[mt]);
}

/* Free pages of @mt in @z. */
static unsigned long zone_free_of_type(struct zone *z, int mt)
{
	unsigned long n = 0;
	unsigned int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++)
		n += z->free_area[o].nr_free_mt[mt] << o;
	return n;
}

#define assert_free_counts(z, mt, want)                \
	do {                                           \
		char got_[128];                        \
		free_counts(z, mt, got_, sizeof got_); \
		assert_string_equal(got_, want);       \
	} while (0)

/* The DMA zone of a PC at boot: pfn 0 is no RAM, so pageblock 0 keeps
 * type 0 (Unmovable) and the free megabyte above the reserved one sits
 * on the Unmovable list; the rest is Movable. */
static void test_boot_pageblock_types(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	char *text;

	(void)state;
	assert_int_equal(get_pfnblock_migratetype(m, 1), MIGRATE_UNMOVABLE);
	assert_int_equal(get_pfnblock_migratetype(m, 512), MIGRATE_MOVABLE);
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "0 0 0 0 0 0 0 0 1 0 0");
	assert_free_counts(dma, MIGRATE_MOVABLE, "0 0 0 0 0 0 0 0 0 1 3");
	text = proc(m, "/proc/pagetypeinfo");
	assert_non_null(strstr(
		text,
		"Page block order: 9\nPages per block:  512\n\n"
		"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
		"Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      1      0      0 \n"
		"Node    0, zone      DMA, type      Movable      0      0      0      0      0      0      0      0      0      1      3 \n"));
	assert_non_null(strstr(
		text,
		"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
		"Node 0, zone      DMA            1            7            0            0            0 \n"));
	free(text);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* Each request's type comes from its GFP bits; the first request of a
 * type with no free memory claims the lowest whole order-10 block of
 * another type (two pageblocks), and the rest of it serves that type. */
static void test_requests_claim_whole_blocks_for_their_type(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, false);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct page *r, *r2, *mv, *un;

	(void)state;
	assert_free_counts(dma32, MIGRATE_RECLAIMABLE, "0 0 0 0 0 0 0 0 0 0 0");
	r = alloc_pages(GFP_KERNEL | __GFP_RECLAIMABLE, 0);
	assert_non_null(r);
	assert_int_equal(page_mt(m, r), MIGRATE_RECLAIMABLE);
	assert_true(IS_ALIGNED(page_to_pfn(r), 1024));
	assert_int_equal(get_pfnblock_migratetype(m, page_to_pfn(r) + 512),
			 MIGRATE_RECLAIMABLE);
	/* The halves of the claimed block, one per order. */
	assert_free_counts(dma32, MIGRATE_RECLAIMABLE, "1 1 1 1 1 1 1 1 1 1 0");
	r2 = alloc_pages(GFP_KERNEL | __GFP_RECLAIMABLE, 3);
	assert_int_equal(page_to_pfn(r2), page_to_pfn(r) + 8);
	mv = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	un = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_mt(m, mv), MIGRATE_MOVABLE);
	assert_int_equal(page_mt(m, un), MIGRATE_UNMOVABLE);
	/* A freed page goes back to its pageblock's list and merges. */
	__free_pages(r2, 3);
	__free_pages(r, 0);
	assert_free_counts(dma32, MIGRATE_RECLAIMABLE, "0 0 0 0 0 0 0 0 0 0 1");
	__free_pages(mv, 0);
	__free_pages(un, 0);
	/* Both migrate type bits at once are invalid. */
	assert_null(
		alloc_pages(GFP_KERNEL | __GFP_MOVABLE | __GFP_RECLAIMABLE, 0));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* DMA, no pcp: all movable memory taken, only pageblock 0's Unmovable
 * megabyte free. A movable order-0 request cannot claim that pageblock
 * (it starts below the zone), and below order 4 it would not claim
 * anyway: it steals the smallest block, and the rest stays Unmovable. */
static void test_movable_request_steals_without_claiming(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct page *mv[4], *p;
	int i;

	(void)state;
	mv[0] = alloc_pages(GFP_DMA | __GFP_MOVABLE, 9);
	assert_int_equal(page_to_pfn(mv[0]), 512);
	for (i = 1; i < 4; i++) {
		mv[i] = alloc_pages(GFP_DMA | __GFP_MOVABLE, 10);
		assert_int_equal(page_to_pfn(mv[i]), 1024UL * (unsigned long)i);
	}
	assert_free_counts(dma, MIGRATE_MOVABLE, "0 0 0 0 0 0 0 0 0 0 0");
	p = alloc_pages(GFP_DMA | __GFP_MOVABLE, 0);
	assert_int_equal(page_to_pfn(p), 256);
	assert_int_equal(page_mt(m, p), MIGRATE_UNMOVABLE);
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "1 1 1 1 1 1 1 1 0 0 0");
	assert_check_ok(m);
	__free_pages(p, 0);
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "0 0 0 0 0 0 0 0 1 0 0");
	__free_pages(mv[0], 9);
	for (i = 1; i < 4; i++)
		__free_pages(mv[i], 10);
	assert_free_counts(dma, MIGRATE_MOVABLE, "0 0 0 0 0 0 0 0 0 1 3");
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* DMA of a 64M machine, no pcp: pfn 256..3071 in use (the Unmovable
 * megabyte at 256, movable blocks at 512, 1024 and 2048), so only
 * pageblocks 6 and 7 (pfn 3072..4095, one movable order-10 block) are
 * free. */
struct dma_below_3072 {
	struct page *u, *mv[3];
};

static void dma_take_below_3072(struct dma_below_3072 *d)
{
	int i;

	d->u = alloc_pages(GFP_DMA, 8);
	assert_int_equal(page_to_pfn(d->u), 256);
	d->mv[0] = alloc_pages(GFP_DMA | __GFP_MOVABLE, 9);
	for (i = 1; i < 3; i++)
		d->mv[i] = alloc_pages(GFP_DMA | __GFP_MOVABLE, 10);
	assert_int_equal(page_to_pfn(d->mv[2]), 2048);
}

/* Free it all again: the DMA zone's free lists are back to boot's. */
static void dma_give_back(struct mmk_machine *m, struct dma_below_3072 *d)
{
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	int i;

	__free_pages(d->u, 8);
	__free_pages(d->mv[0], 9);
	for (i = 1; i < 3; i++)
		__free_pages(d->mv[i], 10);
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "0 0 0 0 0 0 0 0 1 0 0");
	assert_free_counts(dma, MIGRATE_MOVABLE, "0 0 0 0 0 0 0 0 0 1 3");
	assert_check_ok(m);
}

/* An unmovable request with no whole block to claim takes over a
 * pageblock that is at least half free (or unmovable-alike): its free
 * blocks move to the Unmovable lists and the request is served there.
 * When that pageblock merges with a movable buddy again, the buddy's
 * type wins: the merged block takes the freed page's type. */
static void test_unmovable_request_claims_a_mostly_free_pageblock(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct dma_below_3072 d;
	struct page *p, *mv9, *q;

	(void)state;
	dma_take_below_3072(&d);
	/* One page of the last order-10 block and its upper half: no free
	 * block of order 9 or 10 is left. */
	p = alloc_pages(GFP_DMA | __GFP_MOVABLE, 0);
	assert_int_equal(page_to_pfn(p), 3072);
	mv9 = alloc_pages(GFP_DMA | __GFP_MOVABLE, 9);
	assert_int_equal(page_to_pfn(mv9), 3584);
	assert_free_counts(dma, MIGRATE_MOVABLE, "1 1 1 1 1 1 1 1 1 0 0");
	q = alloc_pages(GFP_DMA, 0);
	assert_int_equal(page_to_pfn(q), 3073);
	assert_int_equal(get_pfnblock_migratetype(m, 3072), MIGRATE_UNMOVABLE);
	assert_free_counts(dma, MIGRATE_MOVABLE, "0 0 0 0 0 0 0 0 0 0 0");
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "0 1 1 1 1 1 1 1 1 0 0");
	assert_check_ok(m);
	__free_pages(q, 0);
	__free_pages(p, 0);
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "0 0 0 0 0 0 0 0 0 1 0");
	__free_pages(mv9, 9);
	assert_int_equal(get_pfnblock_migratetype(m, 3072), MIGRATE_MOVABLE);
	assert_free_counts(dma, MIGRATE_UNMOVABLE, "0 0 0 0 0 0 0 0 0 0 0");
	assert_free_counts(dma, MIGRATE_MOVABLE, "0 0 0 0 0 0 0 0 0 0 1");
	dma_give_back(m, &d);
	mmk_shutdown(m);
}

/* A pageblock mostly in use by movable (LRU) pages is not claimed: the
 * unmovable request steals a block from it instead, and its type stays
 * Movable. */
static void test_claim_refused_for_a_pageblock_of_lru_pages(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct dma_below_3072 d;
	struct page *lru[300], *mv9, *q;
	int i;

	(void)state;
	dma_take_below_3072(&d);
	/* Pageblock 6 (pfn 3072): 300 pages in use, marked as user pages
	 * on the LRU lists would be; pageblock 7 all in use. */
	for (i = 0; i < 300; i++) {
		lru[i] = alloc_pages(GFP_DMA | __GFP_MOVABLE, 0);
		assert_int_equal(page_to_pfn(lru[i]), 3072 + i);
		lru[i]->flags |= 1UL << PG_lru;
	}
	mv9 = alloc_pages(GFP_DMA | __GFP_MOVABLE, 9);
	assert_int_equal(page_to_pfn(mv9), 3584);
	/* 212 free + 0 alike < 256: no claim; the smallest block is stolen
	 * (order 2 at 3372) and the rest of it stays on the movable lists. */
	q = alloc_pages(GFP_DMA, 0);
	assert_int_equal(page_to_pfn(q), 3372);
	assert_int_equal(get_pfnblock_migratetype(m, 3072), MIGRATE_MOVABLE);
	assert_free_counts(dma, MIGRATE_MOVABLE, "1 1 0 0 1 0 1 1 0 0 0");
	assert_int_equal(zone_free_of_type(dma, MIGRATE_UNMOVABLE), 0);
	assert_check_ok(m);
	__free_pages(q, 0);
	for (i = 0; i < 300; i++) {
		lru[i]->flags &= ~(1UL << PG_lru);
		__free_pages(lru[i], 0);
	}
	__free_pages(mv9, 9);
	dma_give_back(m, &d);
	mmk_shutdown(m);
}

/* Pages freed to a pcp go to the list of their pageblock's type. */
static void test_pcp_lists_follow_the_pageblock_type(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct per_cpu_pages *pcp = zone_pcp(dma32, 0);
	struct page *r, *page;
	bool found = false;

	(void)state;
	r = alloc_pages(GFP_KERNEL | __GFP_RECLAIMABLE, 0);
	assert_int_equal(page_mt(m, r), MIGRATE_RECLAIMABLE);
	__free_pages(r, 0);
	list_for_each_entry(page, &pcp->lists[MIGRATE_RECLAIMABLE].list, lru)
		found |= page == r;
	assert_true(found);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A high-order GFP_ATOMIC request that needs the min watermark reserves
 * its pageblock (HighAtomic); ordinary requests then do not count its
 * free pages, and when memory runs out the reserve is given back. */
static void test_highatomic_reserve_and_unreserve(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 1ULL << 30, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	size_t cap = 300000, n = 0, i;
	struct page **pages = calloc(cap, sizeof(*pages));
	struct page *a;
	unsigned long pfn;
	char *text;

	(void)state;
	assert_non_null(pages);
	/* Below the low watermark in both zones, so only the slow path
	 * (min watermark) serves. */
	while (zone_page_state(dma32, NR_FREE_PAGES) > low_wmark_pages(dma32) ||
	       zone_page_state(dma, NR_FREE_PAGES) >
		       low_wmark_pages(dma) + dma->lowmem_reserve[ZONE_DMA32]) {
		pages[n] = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pages[n]);
		n++;
	}
	assert_int_equal(dma32->nr_reserved_highatomic, 0);
	a = alloc_pages(GFP_ATOMIC, 1);
	assert_non_null(a);
	assert_ptr_equal(page_zone(a), dma32);
	pfn = page_to_pfn(a);
	assert_int_equal(get_pfnblock_migratetype(m, pfn), MIGRATE_HIGHATOMIC);
	assert_int_equal(dma32->nr_reserved_highatomic, 512);
	text = proc(m, "/proc/pagetypeinfo");
	assert_non_null(strstr(text, "Node 0, zone    DMA32 "));
	assert_non_null(strstr(strstr(text, "Node 0, zone    DMA32 "),
			       "           1            0 \n"));
	free(text);
	__free_pages(a, 1);
	assert_true(dma32->nr_free_highatomic >= 2);
	assert_check_ok(m);
	/* Exhaust memory: the slow path gives the reserve back to the
	 * requester's type before it fails. */
	for (;;) {
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);

		if (!p)
			break;
		assert_true(n < cap);
		pages[n++] = p;
	}
	assert_int_equal(dma32->nr_reserved_highatomic, 0);
	assert_int_equal(dma32->nr_free_highatomic, 0);
	assert_int_equal(get_pfnblock_migratetype(m, pfn), MIGRATE_UNMOVABLE);
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		__free_pages(pages[i], 0);
	free(pages);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* x86_64, a request preferring ZONE_NORMAL (ALLOC_NOFRAGMENT): with no
 * whole pageblock to claim in Normal, an unmovable request goes to a
 * lower zone rather than fragment one of Normal's movable pageblocks,
 * even though Normal has plenty of free (half-used) movable memory. */
static void test_nofragment_prefers_a_lower_zone(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 3584ULL << 20, 1, 1, false);
	struct zone *normal = zone_of(m, 0, ZONE_NORMAL);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	size_t cap = 4096, nu = 0, nb = 0, ns = 0, i;
	struct page **un = calloc(cap, sizeof(un[0]));
	struct page **blk = calloc(cap, sizeof(blk[0]));
	struct page **sm = calloc(cap, sizeof(sm[0]));
	struct page *p;
	unsigned long j;

	(void)state;
	assert_true(un && blk && sm);
	/* 1. Use up Normal's free unmovable memory (boot's claims). */
	while (zone_free_of_type(normal, MIGRATE_UNMOVABLE)) {
		un[nu] = alloc_pages(GFP_KERNEL, 0);
		assert_ptr_equal(page_zone(un[nu]), normal);
		nu++;
	}
	/* 2. Fill Normal with movable pageblocks, then with single pages,
	 * until requests go to DMA32: no whole free pageblock is left. */
	for (;;) {
		p = alloc_pages(GFP_HIGHUSER_MOVABLE, 9);
		if (page_zone(p) != normal) {
			__free_pages(p, 9);
			break;
		}
		blk[nb++] = p;
	}
	for (;;) {
		p = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
		if (page_zone(p) != normal) {
			__free_pages(p, 0);
			break;
		}
		sm[ns++] = p;
	}
	assert_true(nb > 200);
	/* 3. Free every other page of each pageblock: half of Normal is
	 * free again, in order-0 blocks of movable pageblocks. */
	for (i = 0; i < nb; i++) {
		split_page(blk[i], 9);
		for (j = 0; j < 512; j += 2)
			__free_pages(blk[i] + j, 0);
	}
	assert_int_equal(zone_free_of_type(normal, MIGRATE_UNMOVABLE), 0);
	assert_true(zone_page_state(normal, NR_FREE_PAGES) > nb * 256);
	/* 4. The unmovable request: not served from Normal. */
	p = alloc_pages(GFP_KERNEL, 0);
	assert_ptr_equal(page_zone(p), dma32);
	assert_int_equal(zone_free_of_type(normal, MIGRATE_UNMOVABLE), 0);
	assert_check_ok(m);
	__free_pages(p, 0);
	for (i = 0; i < nb; i++)
		for (j = 1; j < 512; j += 2)
			__free_pages(blk[i] + j, 0);
	for (i = 0; i < ns; i++)
		__free_pages(sm[i], 0);
	for (i = 0; i < nu; i++)
		__free_pages(un[i], 0);
	free(un);
	free(blk);
	free(sm);
	assert_check_ok(m);
	mmk_shutdown(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_pageblock_types),
		cmocka_unit_test(
			test_requests_claim_whole_blocks_for_their_type),
		cmocka_unit_test(test_movable_request_steals_without_claiming),
		cmocka_unit_test(
			test_unmovable_request_claims_a_mostly_free_pageblock),
		cmocka_unit_test(
			test_claim_refused_for_a_pageblock_of_lru_pages),
		cmocka_unit_test(test_pcp_lists_follow_the_pageblock_type),
		cmocka_unit_test(test_highatomic_reserve_and_unreserve),
		cmocka_unit_test(test_nofragment_prefers_a_lower_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
