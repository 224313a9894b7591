/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of machine boot and the buddy allocator (mm/mm_init.c,
 * mm/page_alloc.c). Each test boots its own machine, ends with the full
 * verifier, and, where it frees everything, checks that every page is back
 * on the free lists (buddyinfo equal to its boot text).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmkit/slab.h>

#include "lib/hbitmap.h"
#include "mm/internal.h"

#define boot_with mmk_test_boot

static struct zone *zone_of(struct mmk_machine *m, int nid, enum zone_type t)
{
	return &m->node_data[nid]->node_zones[t];
}

/* ---- boot ---- */

static void test_boot_x86_64_default_zones(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 1ULL << 30, 1, 2, true);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);

	(void)state;
	/* Linux on a PC: pfn 0 and the VGA hole are not RAM; the first
	 * megabyte is reserved. */
	assert_int_equal(dma->zone_start_pfn, 1);
	assert_int_equal(dma->spanned_pages, 4095);
	assert_int_equal(dma->present_pages, 3998);
	assert_int_equal(zone_managed_pages(dma), 3840);
	assert_int_equal(dma32->zone_start_pfn, 4096);
	assert_int_equal(dma32->spanned_pages, 262144 - 4096);
	assert_int_equal(dma32->present_pages, 262144 - 4096);
	assert_false(populated_zone(zone_of(m, 0, ZONE_NORMAL)));
	/* Reserved in DMA32: the 8 MiB kernel image, 8 sections of memmap
	 * (2 MiB each), the free-area bitmaps and the per-CPU area. */
	assert_true(zone_managed_pages(dma32) <
		    dma32->present_pages - 2048 - 4096);
	/* Boot's own allocations (slab caches, per-CPU arrays) are the
	 * only managed pages not free. */
	assert_true(mmk_nr_free_pages(m) <=
		    zone_managed_pages(dma) + zone_managed_pages(dma32));
	assert_true(zone_managed_pages(dma) + zone_managed_pages(dma32) -
			    mmk_nr_free_pages(m) <
		    128);
	assert_int_equal(m->nr_memmap_boot_pages, 8 * 512);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_boot_x86_64_pci_hole_above_3g(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 6ULL << 30, 1, 2, true);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct zone *normal = zone_of(m, 0, ZONE_NORMAL);

	(void)state;
	/* RAM beyond 3G is remapped above 4G around the PCI hole. */
	assert_int_equal(dma32->spanned_pages, 1048576 - 4096);
	assert_int_equal(dma32->present_pages, 786432 - 4096);
	assert_int_equal(normal->zone_start_pfn, 1048576);
	assert_int_equal(normal->spanned_pages, 786432);
	assert_int_equal(normal->present_pages, 786432);
	assert_false(pfn_valid(900000)); /* inside the hole: no memmap */
	assert_true(pfn_valid(1048576));
	/* ... but its place reads as zeroed struct pages, so a free of a
	 * direct-map address in the hole finds no slab (no pfn_valid()
	 * check on the way) and is reported, changing nothing. */
	{
		const struct page *hole = m->mem_map + 900000;
		struct kmem_cache *s =
			kmem_cache_create("hole_test", 64, 0, 0, NULL);
		char *addr =
			mmk_phys_to_virt(m, (phys_addr_t)900000 << PAGE_SHIFT);

		assert_non_null(s);
		assert_int_equal(hole->flags | hole->compound_head |
					 (unsigned long)hole->page_type,
				 0);
		kfree(addr);
		assert_true(dmesg_has(m, "WARNING: kfree: 0x"));
		kmem_cache_free(s, addr + 64);
		assert_true(
			dmesg_has(m, "WARNING: kmem_cache_free: object 0x"));
		kmem_cache_destroy(s);
	}
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_boot_i386_highmem_zones(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_I386, 2ULL << 30, 1, 2, true);
	struct zone *normal = zone_of(m, 0, ZONE_NORMAL);
	struct zone *high = zone_of(m, 0, ZONE_HIGHMEM);
	struct page *page;

	(void)state;
	assert_int_equal(normal->zone_start_pfn, 4096);
	assert_int_equal(zone_end_pfn(normal), (896UL << 20) >> PAGE_SHIFT);
	assert_int_equal(high->zone_start_pfn, (896UL << 20) >> PAGE_SHIFT);
	assert_int_equal(zone_end_pfn(high), (2UL << 30) >> PAGE_SHIFT);
	/* Boot allocations stay in lowmem, so highmem is all free. */
	assert_int_equal(zone_managed_pages(high), high->present_pages);
	page = alloc_pages(GFP_HIGHUSER, 0);
	assert_non_null(page);
	assert_true(PageHighMem(page));
	assert_null(page_address(page));
	assert_int_equal(page_zone(page), high);
	__free_pages(page, 0);
	page = alloc_pages(GFP_KERNEL, 0);
	assert_false(PageHighMem(page));
	assert_non_null(page_address(page));
	assert_ptr_equal(virt_to_page(page_address(page)), page);
	__free_pages(page, 0);
	/* GFP_DMA32 means ZONE_NORMAL on i386. */
	page = alloc_pages(GFP_DMA32, 0);
	assert_int_equal(page_zone(page), normal);
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_boot_rejects_bad_config(void **state)
{
	struct mmk_config cfg;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 1 << 20;
	errno = 0;
	assert_null(mmk_boot(&cfg));
	assert_int_equal(errno, EINVAL);
	mmk_config_init(&cfg);
	cfg.arch = MMK_ARCH_I386;
	cfg.mem_bytes = 4ULL << 30;
	assert_null(mmk_boot(&cfg));
	mmk_config_init(&cfg);
	cfg.nr_cpus = 0;
	assert_null(mmk_boot(&cfg));
	mmk_config_init(&cfg);
	cfg.arch = (enum mmk_arch)7;
	assert_null(mmk_boot(&cfg));
	assert_null(mmk_current());
}

static void test_boot_64g_is_lazy(void **state)
{
	size_t before = mmk_host_rss();
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 30, 1, 2, true);

	(void)state;
	/* mem_map is 1 GiB here; only the struct pages boot wrote may be
	 * resident (the free block heads, one per 4 MiB). */
	assert_true(mmk_host_rss() - before < (256UL << 20));
	assert_int_equal(zone_of(m, 0, ZONE_NORMAL)->present_pages,
			 (61ULL << 30) >> PAGE_SHIFT);
	mmk_shutdown(m);
}

/* The free-area bitmaps of a 24 GiB zone (libmmkit-malloc.so's heap
 * machine): every word of every order and level has a place of its own,
 * the places fill the zone's block exactly (the bytes of one plain array
 * per level), and the words that describe one place of the zone - what a
 * process using a few MiB there touches - lie in at most 4 pages (13
 * with an array per order and level). */
static void test_free_area_maps_start_in_few_pages(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 24ULL << 30, 1, 2, true);
	struct zone *z = zone_of(m, 0, ZONE_NORMAL);
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	size_t bytes = 0, words = 0, k;
	unsigned long span = z->free_area[0].map.nbits, j;
	unsigned long places[] = { 0, 12345, span / 2, span - 1 };
	unsigned char *seen;
	unsigned int o, l;

	(void)state;
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		const struct hbitmap *hb = &z->free_area[o].map;

		bytes += hbitmap_bytes(hb->nbits);
		for (l = 0; l < hb->nr_levels; l++) {
			uintptr_t a = (uintptr_t)hbitmap_word(hb, l, 0);
			uintptr_t b = (uintptr_t)hbitmap_word(
				hb, l, hbitmap_level_words(hb->nbits, l) - 1);

			lo = a < lo ? a : lo;
			hi = b + sizeof(long) > hi ? b + sizeof(long) : hi;
		}
	}
	assert_int_equal(hi - lo, bytes);
	seen = calloc(bytes / sizeof(long), 1);
	assert_non_null(seen);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		const struct hbitmap *hb = &z->free_area[o].map;

		for (l = 0; l < hb->nr_levels; l++)
			for (j = 0; j < hbitmap_level_words(hb->nbits, l);
			     j++) {
				uintptr_t a = (uintptr_t)hbitmap_word(hb, l, j);

				assert_in_range(a, lo, hi - sizeof(long));
				assert_int_equal(seen[(a - lo) / sizeof(long)],
						 0);
				seen[(a - lo) / sizeof(long)] = 1;
				words++;
			}
	}
	assert_int_equal(words * sizeof(long), bytes);
	for (k = 0; k < sizeof(places) / sizeof(places[0]); k++) {
		uintptr_t pages[NR_PAGE_ORDERS * HBITMAP_MAX_LEVELS];
		unsigned int np = 0, i;

		for (o = 0; o < NR_PAGE_ORDERS; o++) {
			const struct hbitmap *hb = &z->free_area[o].map;
			unsigned long word = places[k] >> o;

			for (l = 0; l < hb->nr_levels; l++) {
				uintptr_t a;

				word /= 64;
				a = (uintptr_t)hbitmap_word(hb, l, word) / 4096;
				for (i = 0; i < np && pages[i] != a; i++)
					;
				if (i == np)
					pages[np++] = a;
			}
		}
		print_message("pfn +%lu: %u pages\n", places[k], np);
		assert_in_range(np, 1, 4);
	}
	free(seen);
	mmk_shutdown(m);
}

/* ---- buddy split and merge (pcp off: every call reaches the buddy) ---- */

/* The host arena a machine keeps its own structures in: zeroed,
 * cache-line aligned, small objects back to back, a request larger than
 * a chunk in a mapping of its own, everything freed at once. */
static void test_host_arena_packs_and_zeroes(void **state)
{
	static const size_t sizes[] = { 1,    63,   64,	    65,	 440,
					4096, 5000, 300000, 168, 2 };
	struct mmk_host_arena a = { 0 };
	unsigned char *p[10];
	size_t i, j;

	(void)state;
	for (i = 0; i < 10; i++) {
		p[i] = mmk_host_arena_zalloc(&a, sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 64, 0);
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(p[i][j], 0);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	/* Back to back, each rounded up to a cache line. */
	assert_ptr_equal(p[1], p[0] + 64);
	assert_ptr_equal(p[2], p[1] + 64);
	assert_ptr_equal(p[3], p[2] + 64);
	assert_ptr_equal(p[4], p[3] + 128);
	/* Nothing overlaps: every object still holds its own byte. */
	for (i = 0; i < 10; i++)
		for (j = 0; j < sizes[i]; j++)
			assert_int_equal(p[i][j], i + 1);
	assert_null(mmk_host_arena_zalloc(&a, SIZE_MAX));
	mmk_host_arena_destroy(&a);
	assert_null(a.chunk);
	assert_int_equal(a.used, 0);
}

static void test_split_takes_lowest_block_and_leaves_halves(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	unsigned long before[NR_PAGE_ORDERS];
	struct page *p;
	int o;

	(void)state;
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		before[o] = dma->free_area[o].nr_free;
	/* DMA free: [256,512) order 8, [512,1024) order 9, 3 x order 10.
	 * An order-0 request splits the order-8 block at 256:
	 *   256 | 257 | 258-259 | 260-263 | ... | 384-511
	 *   ^taken  o0    o1        o2             o7      */
	p = alloc_pages(GFP_DMA, 0);
	assert_int_equal(page_to_pfn(p), 256);
	assert_int_equal(dma->free_area[8].nr_free, before[8] - 1);
	for (o = 0; o < 8; o++)
		assert_int_equal(dma->free_area[o].nr_free, before[o] + 1);
	assert_check_ok(m);
	__free_pages(p, 0);
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		assert_int_equal(dma->free_area[o].nr_free, before[o]);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_free_merges_buddies_up_to_max_order(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct page *pages[1024];
	unsigned long tens = dma->free_area[10].nr_free;
	int i;

	(void)state;
	/* Drain the movable lists' orders below 10 first so the next 1024
	 * movable single pages come from one order-10 block, then free
	 * them in a scattered order. (An unmovable request would claim
	 * the largest movable block first.) */
	while (dma->free_area[8].nr_free_mt[MIGRATE_MOVABLE] ||
	       dma->free_area[9].nr_free_mt[MIGRATE_MOVABLE]) {
		struct page *p = alloc_pages(GFP_DMA | __GFP_MOVABLE, 8);

		assert_non_null(p);
	}
	for (i = 0; i < 1024; i++) {
		pages[i] = alloc_pages(GFP_DMA | __GFP_MOVABLE, 0);
		assert_non_null(pages[i]);
	}
	assert_int_equal(dma->free_area[10].nr_free, tens - 1);
	for (i = 0; i < 1024; i++) {
		int j = (i * 389) % 1024; /* a permutation of 0..1023 */

		__free_pages(pages[j], 0);
	}
	assert_int_equal(dma->free_area[10].nr_free, tens);
	for (i = 0; i < 10; i++)
		assert_int_equal(dma->free_area[i].nr_free_mt[MIGRATE_MOVABLE],
				 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_every_block_is_aligned_to_its_size(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 128ULL << 20, 1, 2, true);
	unsigned int order;

	(void)state;
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		struct page *p = alloc_pages(GFP_KERNEL, order);

		assert_non_null(p);
		assert_int_equal(page_to_pfn(p) & ((1UL << order) - 1), 0);
		__free_pages(p, order);
	}
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
	assert_false(dmesg_has(m, "MAX_PAGE_ORDER"));
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	assert_true(dmesg_has(m, "order 11 > MAX_PAGE_ORDER 10"));
	/* WARN_ON_ONCE_GFP: once a machine. */
	assert_null(alloc_pages(GFP_KERNEL, 64));
	assert_false(dmesg_has(m, "order 64"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_free_everything_restores_boot_buddyinfo(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 256ULL << 20, 1, 2, true);
	char *boot = proc(m, "/proc/buddyinfo"), *after;
	struct page *pages[4000];
	unsigned int orders[4000];
	uint64_t r = 12345;
	int i;

	(void)state;
	for (i = 0; i < 4000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		orders[i] = (unsigned int)(r >> 60) % 4;
		pages[i] = alloc_pages(i % 7 ? GFP_KERNEL : GFP_DMA, orders[i]);
		assert_non_null(pages[i]);
	}
	for (i = 3999; i >= 0; i -= 2)
		__free_pages(pages[i], orders[i]);
	for (i = 0; i < 4000; i += 2)
		__free_pages(pages[i], orders[i]);
	drain_all_pages(NULL);
	after = proc(m, "/proc/buddyinfo");
	assert_string_equal(after, boot);
	assert_check_ok(m);
	free(boot);
	free(after);
	mmk_shutdown(m);
}

/* ---- zones, fallback, watermarks ---- */

static void test_watermarks_follow_linux_formula(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 1ULL << 30, 1, 2, true);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	unsigned long lowmem =
		zone_managed_pages(dma) + zone_managed_pages(dma32);
	unsigned long kb = int_sqrt(lowmem * 4 * 16);
	unsigned long pages_min = kb >> 2;
	unsigned long min32 = pages_min * zone_managed_pages(dma32) / lowmem;
	unsigned long gap =
		max(min32 >> 2, zone_managed_pages(dma32) * 10 / 10000);

	(void)state;
	assert_int_equal(m->min_free_kbytes, kb);
	assert_int_equal(min_wmark_pages(dma32), min32);
	assert_int_equal(low_wmark_pages(dma32), min32 + gap);
	assert_int_equal(high_wmark_pages(dma32), min32 + 2 * gap);
	assert_int_equal(wmark_pages(dma32, WMARK_PROMO), min32 + 3 * gap);
	/* protection: DMA keeps DMA32's managed pages / 256 from requests
	 * that could have used DMA32; the same value repeats for the
	 * higher (empty) zones. */
	assert_int_equal(dma->lowmem_reserve[ZONE_DMA32],
			 zone_managed_pages(dma32) / 256);
	assert_int_equal(dma->lowmem_reserve[ZONE_NORMAL],
			 zone_managed_pages(dma32) / 256);
	assert_int_equal(dma32->lowmem_reserve[ZONE_NORMAL], 0);
	/* pcp sizing: batch 63, high_min = low / 2 CPUs, high_max =
	 * managed / 8 / 2 CPUs. */
	assert_int_equal(zone_pcp(dma32, 0)->batch, 63);
	assert_int_equal(zone_pcp(dma32, 0)->high_min,
			 (int)(low_wmark_pages(dma32) / 2));
	assert_int_equal(zone_pcp(dma32, 1)->high_max,
			 (int)(zone_managed_pages(dma32) / 8 / 2));
	assert_int_equal(zone_pcp(dma, 0)->batch, 1);
	assert_int_equal(
		dma32->stat_threshold,
		2 * 2 * (1 + fls_long(zone_managed_pages(dma32) >> 15)));
	mmk_shutdown(m);
}

/* Take every page of @zone that @gfp may take, returning the count. */
static unsigned long exhaust(gfp_t gfp, struct page ***out)
{
	unsigned long n = 0, cap = 1024;
	struct page **v = malloc(cap * sizeof(*v)), *p;

	assert_non_null(v);
	while ((p = alloc_pages(gfp | __GFP_NOWARN, 0))) {
		if (n == cap) {
			struct page **bigger = realloc(v, 2 * cap * sizeof(*v));

			assert_non_null(bigger);
			v = bigger;
			cap *= 2;
		}
		v[n++] = p;
	}
	*out = v;
	return n;
}

/* Kernel allocators only (libmmkit-malloc.so's heap): no vmalloc, kmap,
 * processes or reclaim; procfs and the verifier work, and an allocation
 * the free pages cannot serve fails instead of reclaiming or killing. */
static void test_boot_allocators_only(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *full, *m;
	char *full_info, *info, *slabs, *boot;
	const char *a, *b;
	struct page **pages;
	unsigned long n, i;
	void *obj;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	cfg.nr_cpus = 1;
	cfg.pcp = false;
	full = mmk_test_boot_cfg(&cfg);
	full_info = proc(full, "/proc/meminfo");
	mmk_shutdown(full);
	m = mmk_boot_allocators(&cfg);
	assert_non_null(m);
	assert_ptr_equal(mmk_current(), m);
	assert_null(m->vmalloc);
	assert_null(m->highmem);
	assert_null(m->mm);
	assert_null(m->wakeup_kswapd);
	assert_null(m->try_to_free_pages);
	assert_null(m->out_of_memory);
	/* The same memory as the full machine, so the same CommitLimit
	 * (vm.overcommit_ratio's default, 50%, of 13,564 pages). */
	info = proc(m, "/proc/meminfo");
	a = strstr(info, "CommitLimit:");
	b = strstr(full_info, "CommitLimit:");
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_equal(a, "CommitLimit:       27128 kB\n", 28);
	assert_memory_equal(a, b, 28);
	assert_non_null(strstr(info, "VmallocUsed:           0 kB\n"));
	assert_non_null(strstr(info, "SwapTotal:             0 kB\n"));
	slabs = proc(m, "/proc/slabinfo");
	assert_non_null(strstr(slabs, "\nkmalloc-64 "));
	assert_null(strstr(slabs, "vmap_area"));
	obj = kmalloc(100, GFP_KERNEL);
	assert_non_null(obj);
	kfree(obj);
	boot = proc(m, "/proc/buddyinfo");
	n = exhaust(GFP_KERNEL, &pages);
	/* Down to DMA32's min watermark, where GFP_KERNEL stops. */
	assert_true(n > 13000);
	assert_int_equal(zone_page_state(zone_of(m, 0, ZONE_DMA32),
					 NR_FREE_PAGES),
			 min_wmark_pages(zone_of(m, 0, ZONE_DMA32)));
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		__free_pages(pages[i], 0);
	free(pages);
	free(info);
	info = proc(m, "/proc/buddyinfo");
	assert_string_equal(info, boot);
	assert_check_ok(m);
	free(boot);
	free(info);
	free(slabs);
	free(full_info);
	mmk_shutdown(m);
}

/* Let warn_alloc's rate limit (one message in 10 s, as Linux's) pass
 * the next message, as 10 s later would. */
static void warn_alloc_ratelimit_reset(struct mmk_machine *m)
{
	m->nopage_rs.begin_ns = 0;
	m->nopage_rs.printed = 0;
	m->nopage_rs.missed = 0;
}

static void test_kernel_falls_back_to_dma_above_its_reserve(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct page **pages;
	unsigned long n, i, dma_taken = 0;

	(void)state;
	n = exhaust(GFP_KERNEL, &pages);
	for (i = 0; i < n; i++)
		if (page_zone(pages[i]) == dma)
			dma_taken++;
	/* GFP_KERNEL used DMA32 down to its min watermark, then DMA down to
	 * min + lowmem_reserve[DMA32]. */
	assert_true(dma_taken > 0);
	assert_int_equal(zone_page_state(dma32, NR_FREE_PAGES),
			 min_wmark_pages(dma32));
	assert_int_equal(
		zone_page_state(dma, NR_FREE_PAGES),
		min_wmark_pages(dma) +
			(unsigned long)dma->lowmem_reserve[ZONE_DMA32]);
	/* GFP_DMA may still use what the reserve kept back from DMA32
	 * requests, down to DMA's own min watermark. */
	assert_non_null(alloc_pages(GFP_DMA, 0));
	/* GFP_ATOMIC dips below min (to 3/8 of it). */
	assert_non_null(alloc_pages(GFP_ATOMIC, 0));
	assert_true(dmesg_has(m, "page allocation failure") == false);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_true(dmesg_has(
		m, "page allocation failure: order:0, mode:0xcc0(GFP_KERNEL)"));
	/* A mask of 0 prints as the kernel's %#x does (after the rate
	 * limit's 10 s). */
	warn_alloc_ratelimit_reset(m);
	assert_null(alloc_pages(0, 0));
	assert_true(dmesg_has(
		m,
		"page allocation failure: order:0, mode:0x0(), nodemask=(null)"));
	assert_check_ok(m);
	free(pages);
	mmk_shutdown(m);
}

static void test_gfp_atomic_and_high_reserves(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct page **a, **b, **c;
	unsigned long min = min_wmark_pages(dma32);

	(void)state;
	exhaust(GFP_DMA32, &a);
	assert_int_equal(zone_page_state(dma32, NR_FREE_PAGES), min);
	/* __GFP_HIGH: half of min; GFP_ATOMIC: 3/8 of min. */
	exhaust(GFP_DMA32 | __GFP_HIGH | __GFP_DIRECT_RECLAIM, &b);
	assert_int_equal(zone_page_state(dma32, NR_FREE_PAGES), min - min / 2);
	exhaust(GFP_DMA32 | GFP_ATOMIC, &c);
	assert_int_equal(zone_page_state(dma32, NR_FREE_PAGES),
			 (min - min / 2) - (min - min / 2) / 4);
	assert_check_ok(m);
	free(a);
	free(b);
	free(c);
	mmk_shutdown(m);
}

static void test_invalid_zone_modifiers_are_refused(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, true);

	(void)state;
	assert_null(alloc_pages(__GFP_DMA | __GFP_DMA32, 0));
	assert_true(dmesg_has(m, "invalid zone modifiers 0x5"));
	assert_null(alloc_pages_node(5, GFP_KERNEL, 0));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* printk's "%#x" is the kernel's: 0x0 for 0 (C prints "0"), zero
 * padding after the prefix; other conversions as C prints them. (A
 * space-padded "%#8x" of 0 is left to C.) */
static void test_printk_hex_alternate_form_is_the_kernels(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, true);

	(void)state;
	printk(m, "fmt %#x %#lx %#010lx %#X %#x %5d%% %s|", 0u, 0UL, 0UL, 0u,
	       0x1fu, 7, "s");
	assert_true(dmesg_has(m, "fmt 0x0 0x0 0x00000000 0X0 0x1f     7% s|"));
	mmk_shutdown(m);
}

static void test_two_nodes_split_memory_and_fall_back(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 512ULL << 20, 2, 2, true);
	struct page *p;
	unsigned long n = 0;

	(void)state;
	assert_int_equal(m->node_data[0]->node_start_pfn, 1);
	/* Node 1 starts where the RAM below it reaches half of all RAM,
	 * rounded down to 4 MiB: 256 MiB (RAM starts with the 1M hole). */
	assert_int_equal(m->node_data[1]->node_start_pfn, 65536);
	assert_true(populated_zone(zone_of(m, 1, ZONE_DMA32)));
	assert_false(populated_zone(zone_of(m, 1, ZONE_DMA)));
	/* Node 1's zonelist: its own DMA32 first, then node 0's zones. */
	assert_ptr_equal(m->node_data[1]->node_zonelist.zones[0],
			 zone_of(m, 1, ZONE_DMA32));
	assert_ptr_equal(m->node_data[1]->node_zonelist.zones[1],
			 zone_of(m, 0, ZONE_DMA32));
	p = alloc_pages_node(1, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(p), 1);
	__free_pages(p, 0);
	p = alloc_pages_node(1, GFP_KERNEL | __GFP_THISNODE, 2);
	assert_int_equal(page_to_nid(p), 1);
	__free_pages(p, 2);
	/* With node 1 exhausted, node 1's requests spill to node 0:
	 * numa_miss on the zone used, numa_foreign on the preferred one. */
	while ((p = alloc_pages_node(
			1, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 0)))
		n++;
	assert_true(n > 60000);
	p = alloc_pages_node(1, GFP_KERNEL, 0);
	assert_int_equal(page_to_nid(p), 0);
	assert_int_equal(
		zone_numa_event(m, zone_of(m, 0, ZONE_DMA32), NUMA_MISS), 1);
	assert_int_equal(
		zone_numa_event(m, zone_of(m, 1, ZONE_DMA32), NUMA_FOREIGN), 1);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The per-CPU fast path serves only zones of the CPU's own node: a CPU of
 * node 1 asking for GFP_DMA (only node 0 has DMA) is a NUMA hit on the
 * preferred zone but "other", not "local", on every call, as in Linux's
 * zone_statistics(), and __GFP_THISNODE from it fails. */
static void test_remote_preferred_zone_counts_other(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 512ULL << 20, 2, 2, true);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	struct page *p;
	int i;

	(void)state;
	assert_int_equal(mmk_set_cpu(1), 0);
	assert_int_equal(m->cpus[1].node, 1);
	for (i = 0; i < 100; i++) {
		p = alloc_pages(GFP_DMA, 0);
		assert_ptr_equal(page_zone(p), dma);
		__free_pages(p, 0);
	}
	assert_int_equal(zone_numa_event(m, dma, NUMA_HIT), 100);
	assert_int_equal(zone_numa_event(m, dma, NUMA_OTHER), 100);
	assert_int_equal(zone_numa_event(m, dma, NUMA_LOCAL), 0);
	assert_null(alloc_pages(GFP_DMA | __GFP_THISNODE | __GFP_NOWARN, 0));
	/* Node 1's own DMA32 zone: local hits, fast path or not. */
	for (i = 0; i < 100; i++) {
		p = alloc_pages(GFP_KERNEL | __GFP_THISNODE, 0);
		assert_int_equal(page_to_nid(p), 1);
		__free_pages(p, 0);
	}
	assert_int_equal(
		zone_numa_event(m, zone_of(m, 1, ZONE_DMA32), NUMA_LOCAL), 100);
	assert_int_equal(mmk_set_cpu(0), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- API surface ---- */

static void test_compound_page_has_head_and_tails(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	int i;

	(void)state;
	assert_true(PageHead(p));
	assert_int_equal(compound_order(p), 3);
	for (i = 1; i < 8; i++) {
		assert_true(PageTail(p + i));
		assert_ptr_equal(compound_head(p + i), p);
	}
	/* A reference on a tail is a reference on the head. */
	get_page(p + 5);
	assert_int_equal(page_count(p), 2);
	put_page(p + 5);
	put_page(p); /* the last reference frees all 8 pages */
	assert_false(PageHead(p));
	assert_false(PageTail(p + 1));
	drain_all_pages(NULL);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_get_zeroed_page_and_free_pages(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	unsigned long addr = __get_free_pages(GFP_KERNEL, 1), z;
	unsigned char *b;
	int i;

	(void)state;
	memset((void *)addr, 0xab, 2 * PAGE_SIZE);
	free_pages(addr, 1);
	z = get_zeroed_page(GFP_KERNEL);
	assert_int_not_equal(z, 0);
	b = (unsigned char *)z;
	for (i = 0; i < (int)PAGE_SIZE; i++)
		assert_int_equal(b[i], 0);
	assert_ptr_equal(virt_to_page(b), virt_to_page(b + 100));
	free_page(z);
	addr = __get_dma_pages(GFP_KERNEL, 0);
	assert_int_equal(page_zone(virt_to_page((void *)addr))->idx, ZONE_DMA);
	free_pages(addr, 0);
	free_pages(0, 3); /* no-op */
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* alloc_pages_exact() takes the covering block and frees the pages past
 * the size; free_pages_exact() gives a run back in aligned blocks, keeps
 * a page someone else still references, and refuses bad ranges. */
static void test_alloc_pages_exact_and_free_pages_exact(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	char *boot = proc(m, "/proc/buddyinfo"), *after;
	unsigned long before = mmk_nr_free_pages(m);
	struct page *page;
	char *p;
	int i;

	(void)state;
	/* 5 pages and a byte: 6 of an order-3 block, 2 freed at once. */
	p = alloc_pages_exact(5 * PAGE_SIZE + 1, GFP_KERNEL);
	assert_non_null(p);
	page = virt_to_page(p);
	assert_int_equal((page_to_pfn(page) & 7), 0);
	for (i = 0; i < 6; i++) {
		assert_int_equal(page_ref_count(page + i), 1);
		memset(p + i * PAGE_SIZE, 0x5a, PAGE_SIZE);
	}
	assert_int_equal(page_ref_count(page + 6), 0);
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), before - 6);
	assert_check_ok(m);
	/* Another holder of page 2 keeps it past free_pages_exact. */
	get_page(page + 2);
	free_pages_exact(p, 5 * PAGE_SIZE + 1);
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), before - 1);
	assert_int_equal(page_ref_count(page + 2), 1);
	assert_check_ok(m);
	put_page(page + 2);
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), before);
	after = proc(m, "/proc/buddyinfo");
	assert_string_equal(after, boot);
	free(after);
	/* A whole order: nothing to trim; 1 KiB takes one page. */
	p = alloc_pages_exact(8 * PAGE_SIZE, GFP_KERNEL | __GFP_COMP);
	assert_non_null(p);
	assert_false(PageHead(virt_to_page(p)));
	free_pages_exact(p, 8 * PAGE_SIZE);
	/* __GFP_COMP and __GFP_HIGHMEM are dropped with WARN_ON_ONCE. */
	assert_true(dmesg_has(
		m,
		"WARNING: alloc_pages_exact: gfp 0x40cc0 has __GFP_COMP or __GFP_HIGHMEM"));
	mmk_dmesg_clear(m);
	p = alloc_pages_exact(PAGE_SIZE, GFP_KERNEL | __GFP_HIGHMEM);
	assert_non_null(p);
	free_pages_exact(p, PAGE_SIZE);
	assert_int_equal(dmesg_len(m), 0);
	/* Above MAX_PAGE_ORDER: alloc_pages()'s warning, then NULL. */
	assert_null(alloc_pages_exact(8UL << 20, GFP_KERNEL));
	assert_true(dmesg_has(m, "order 11 > MAX_PAGE_ORDER 10"));
	p = alloc_pages_exact(1024, GFP_KERNEL);
	assert_non_null(p);
	free_pages_exact(p, 1024);
	/* Bad input: refused with a warning, nothing freed. */
	assert_null(alloc_pages_exact(0, GFP_KERNEL));
	assert_null(alloc_pages_exact((PAGE_SIZE << MAX_PAGE_ORDER) + 1,
				      GFP_KERNEL));
	/* Sizes whose page count a round-up would wrap to 0. */
	assert_null(alloc_pages_exact(SIZE_MAX, GFP_KERNEL));
	assert_null(alloc_pages_exact(SIZE_MAX - PAGE_SIZE + 2, GFP_KERNEL));
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), before);
	p = alloc_pages_exact(2 * PAGE_SIZE, GFP_KERNEL);
	assert_non_null(p);
	free_pages_exact(p + 1, PAGE_SIZE);
	assert_true(dmesg_has(m, "free_pages_exact"));
	free_pages_exact(p, (size_t)1 << 60);
	free_pages_exact(p, SIZE_MAX);
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), before - 2);
	free_pages_exact(p, 2 * PAGE_SIZE);
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), before);
	after = proc(m, "/proc/buddyinfo");
	assert_string_equal(after, boot);
	assert_check_ok(m);
	free(after);
	free(boot);
	mmk_shutdown(m);
}

static void test_double_free_is_reported_not_corrupting(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	unsigned long pfn = page_to_pfn(p);

	(void)state;
	__free_pages(p, 0);
	__free_pages(p, 0);
	assert_true(dmesg_has(m, "BUG: Bad page state in process mmkit  pfn:"));
	assert_true(dmesg_has(
		m,
		"page dumped because: VM_BUG_ON_PAGE(page_ref_count(page) == 0)"));
	assert_int_equal(page_to_pfn(p), pfn);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_wrong_order_free_is_refused(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	unsigned long free_before;

	(void)state;
	drain_all_pages(NULL);
	free_before = mmk_nr_free_pages(m);
	__free_pages(p, 1);
	assert_true(dmesg_has(
		m, "freeing order 1, but it was allocated with order 2"));
	assert_int_equal(page_ref_count(p), 1);
	__free_pages(p + 1, 0); /* a tail of a non-compound block */
	assert_true(dmesg_has(m, "page_ref_count(page) == 0"));
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), free_before);
	assert_check_ok(m);
	__free_pages(p, 2); /* the right order still works */
	drain_all_pages(NULL);
	assert_int_equal(mmk_nr_free_pages(m), free_before + 4);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_freeing_a_mapped_page_reports_nonzero_mapcount(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct page *p = alloc_pages(GFP_KERNEL, 0);

	(void)state;
	atomic_store(&p->_mapcount, 1);
	__free_pages(p, 0);
	assert_true(dmesg_has(m, "page dumped because: nonzero mapcount"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_fail_page_alloc_nth_and_times(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct mmk_fail_attr attr = { .nth = 3, .times = 2 };
	struct page *p[6];
	int i;

	(void)state;
	/* With pages on this CPU's list, so that every call below could
	 * take the fast path: a plan turns it off. */
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, &attr), 0);
	for (i = 0; i < 6; i++)
		p[i] = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(p[0]);
	assert_non_null(p[1]);
	assert_null(p[2]);
	assert_null(p[3]);
	assert_non_null(p[4]);
	assert_int_equal(mmk_fail_count(m, MMK_FAIL_PAGE_ALLOC), 2);
	/* __GFP_NOFAIL is never failed by injection. */
	attr.nth = 1;
	attr.times = -1;
	mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, &attr);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_non_null(p[2] = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 0));
	mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, NULL);
	for (i = 0; i < 6; i++)
		if (p[i])
			__free_pages(p[i], 0);
	assert_int_equal(mmk_fail_set(m, MMK_NR_FAIL_KINDS, NULL), -EINVAL);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_pcp_holds_pages_until_drained(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 128ULL << 20, 1, 2, true);
	struct zone *z = zone_of(m, 0, ZONE_DMA32);
	unsigned long free0 = zone_page_state(z, NR_FREE_PAGES);
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	struct per_cpu_pages *pcp = zone_pcp(z, 0);

	(void)state;
	/* A refill moved a batch from the buddy lists to CPU 0's list. */
	assert_int_equal(mmk_get_cpu(), 0);
	assert_true(atomic_load(&pcp->count) > 0);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES),
			 free0 - 1 - (unsigned long)atomic_load(&pcp->count));
	__free_pages(p, 0);
	drain_all_pages(NULL);
	assert_int_equal(atomic_load(&pcp->count), 0);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	/* The other CPU's list works the same after a switch. */
	assert_int_equal(mmk_set_cpu(1), 0);
	p = alloc_pages(GFP_KERNEL, 1);
	assert_true(atomic_load(&zone_pcp(z, 1)->count) > 0);
	__free_pages(p, 1);
	assert_int_equal(mmk_set_cpu(2), -EINVAL);
	drain_all_pages(z);
	assert_int_equal(zone_page_state(z, NR_FREE_PAGES), free0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A pcp refill takes runs of blocks in one go; what it leaves on the
 * buddy lists and what it puts on the pcp list (in the order the list
 * hands it out) must be what one __rmqueue() per block leaves and takes,
 * i.e. what a machine without pcp lists takes one allocation at a time. */
static void test_pcp_refill_takes_what_single_takes_would(void **state)
{
	struct mmk_machine *a =
		boot_with(MMK_ARCH_X86_64, 1ULL << 30, 1, 2, true);
	struct mmk_machine *b;
	unsigned long taken[2][1024];
	int n[2] = { 0, 0 }, i;
	unsigned int order;
	char *ba, *bb;

	(void)state;
	for (order = 0; order < 2; order++) {
		struct zone *z = zone_of(a, 0, ZONE_DMA32);
		struct list_head *list =
			&zone_pcp(z, 0)
				 ->lists[MIGRATE_PCPTYPES * order +
					 MIGRATE_UNMOVABLE]
				 .list;
		struct page *p = alloc_pages(GFP_KERNEL, order), *q;

		assert_non_null(p);
		taken[order][n[order]++] = page_to_pfn(p);
		list_for_each_entry(q, list, lru) {
			assert_true(n[order] < 1024);
			taken[order][n[order]++] = page_to_pfn(q);
		}
		/* More than one run of blocks: the batch is not a power
		 * of two. */
		assert_true(n[order] > 8);
		assert_int_not_equal(n[order] & (n[order] - 1), 0);
	}
	ba = proc(a, "/proc/buddyinfo");
	b = boot_with(MMK_ARCH_X86_64, 1ULL << 30, 1, 2, false);
	for (order = 0; order < 2; order++)
		for (i = 0; i < n[order]; i++) {
			struct page *p = alloc_pages(GFP_KERNEL, order);

			assert_non_null(p);
			assert_int_equal(page_to_pfn(p), taken[order][i]);
		}
	bb = proc(b, "/proc/buddyinfo");
	assert_string_equal(ba, bb);
	free(ba);
	free(bb);
	assert_check_ok(b);
	mmk_shutdown(b);
	mmk_set_current(a);
	assert_check_ok(a);
	mmk_shutdown(a);
}

/* The free fast path remembers the zone and pageblock type of the last
 * page it took; pages of other zones and types, freed in between, must
 * still go to the head of their own zone's list of their own type. */
static void test_free_fast_path_follows_zone_and_type(void **state)
{
	static const gfp_t gfp[3] = { GFP_KERNEL, GFP_HIGHUSER_MOVABLE,
				      GFP_DMA32 };
	static const enum zone_type zt[3] = { ZONE_NORMAL, ZONE_NORMAL,
					      ZONE_DMA32 };
	static const int want_mt[3] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE,
					MIGRATE_UNMOVABLE };
	static const int seq[12] = { 0, 2, 1, 0, 1, 2, 0, 2, 1, 1, 2, 0 };
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 6ULL << 30, 1, 2, true);
	struct page *p[3][4];
	int i, k, used[3] = { 0, 0, 0 };

	(void)state;
	for (k = 0; k < 3; k++)
		for (i = 0; i < 4; i++) {
			p[k][i] = alloc_pages(gfp[k], (unsigned int)(i & 1));
			assert_non_null(p[k][i]);
			assert_ptr_equal(page_zone(p[k][i]),
					 zone_of(m, 0, zt[k]));
			assert_int_equal(get_pfnblock_migratetype(
						 m, page_to_pfn(p[k][i])),
					 want_mt[k]);
		}
	/* Interleaved, with every change of zone or type from one free to
	 * the next. A page above a list's frontier takes the full path even
	 * when the fast path picks that list wrongly, so the order matters:
	 * Normal unmovable then DMA32 catches a memo keyed on the type alone
	 * (DMA32's pages lie below Normal's frontiers), DMA32, Normal
	 * movable, Normal unmovable one keyed on the zone alone (unmovable
	 * pages lie below the movable list's frontier). */
	for (i = 0; i < 12; i++) {
		int kind = seq[i], nth = used[kind]++;
		struct page *pg = p[kind][nth];
		unsigned int order = (unsigned int)(nth & 1);
		struct pcp_list *l =
			&zone_pcp(zone_of(m, 0, zt[kind]), 0)
				 ->lists[MIGRATE_PCPTYPES * order +
					 (unsigned int)want_mt[kind]];

		__free_pages(pg, order);
		assert_int_equal(page_ref_count(pg), 0);
		assert_ptr_equal(l->list.next, &pg->lru);
	}
	assert_check_ok(m);
	drain_all_pages(NULL);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_verifier_catches_corruption(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, false);
	struct zone *dma = zone_of(m, 0, ZONE_DMA);
	char why[256];

	(void)state;
	/* Clear PG_buddy on the head of the order-8 block at pfn 256. */
	m->mem_map[256].page_type = 0;
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_string_equal(
		why,
		"zone DMA order 8: pfn 0x100 is on the free list without PG_buddy of that order");
	m->mem_map[256].page_type = PGTY_buddy << 24;
	dma->free_area[3].nr_free++;
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_string_equal(
		why, "zone DMA order 3: nr_free is 1 but 0 blocks are free");
	dma->free_area[3].nr_free--;
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- randomised sequences with the verifier after each step ---- */

static void random_ops(enum mmk_arch arch, uint64_t mem, bool pcp,
		       uint64_t seed, int steps)
{
	struct mmk_machine *m = boot_with(arch, mem, 1, 2, pcp);
	static const gfp_t gfps[] = { GFP_KERNEL,
				      GFP_DMA,
				      GFP_DMA32,
				      GFP_ATOMIC,
				      GFP_HIGHUSER_MOVABLE,
				      GFP_KERNEL | __GFP_COMP | __GFP_ZERO,
				      GFP_KERNEL | __GFP_RECLAIMABLE };
	struct {
		struct page *p;
		unsigned int order;
	} live[512];
	char *boot = proc(m, "/proc/buddyinfo"), *after;
	int nlive = 0, i;
	uint64_t r = seed;

	for (i = 0; i < steps; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		if (nlive < 512 && (nlive == 0 || r % 3)) {
			unsigned int order = (unsigned int)(r >> 8) % 11;
			struct page *p;

			if (order > 3 && (r >> 20) % 4)
				order %= 4;
			p = alloc_pages(gfps[(r >> 32) % ARRAY_SIZE(gfps)] |
						__GFP_NOWARN,
					order);
			if (p) {
				live[nlive].p = p;
				live[nlive++].order = order;
			}
		} else {
			int k = (int)((r >> 16) % (uint64_t)nlive);

			__free_pages(live[k].p, live[k].order);
			live[k] = live[--nlive];
		}
		if ((r >> 40) % 97 == 0)
			assert_int_equal(mmk_set_cpu((int)((r >> 50) % 2)), 0);
		if (i % 16 == 0 || steps <= 2000) {
			char why[512];

			if (mmk_check(m, why, sizeof why))
				fail_msg("seed %lu step %d: %s",
					 (unsigned long)seed, i, why);
		}
	}
	while (nlive) {
		nlive--;
		__free_pages(live[nlive].p, live[nlive].order);
	}
	drain_all_pages(NULL);
	after = proc(m, "/proc/buddyinfo");
	assert_string_equal(after, boot);
	assert_check_ok(m);
	free(boot);
	free(after);
	mmk_shutdown(m);
}

static void test_random_sequences_keep_invariants(void **state)
{
	(void)state;
	random_ops(MMK_ARCH_X86_64, 64ULL << 20, true, 1, 2000);
	random_ops(MMK_ARCH_X86_64, 64ULL << 20, false, 2, 2000);
	random_ops(MMK_ARCH_I386, 1ULL << 30, true, 3, 2000);
	random_ops(MMK_ARCH_X86_64, 512ULL << 20, true, 4, 20000);
}

/* ---- deferred init, page reporting, private memory ---- */

static struct mmk_machine *boot_cfg(uint64_t mem, bool deferred,
				    unsigned int report_order, bool private_mem)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.mem_bytes = mem;
	cfg.deferred_init = deferred;
	cfg.page_reporting_order = report_order;
	cfg.page_reporting_delay_ms = 0;
	cfg.private_memory = private_mem;
	return mmk_test_boot_cfg(&cfg);
}

static unsigned long total_managed(struct mmk_machine *m)
{
	unsigned long sum = 0;
	int t;

	for (t = 0; t < MAX_NR_ZONES; t++)
		sum += zone_managed_pages(zone_of(m, 0, (enum zone_type)t));
	return sum;
}

/* Take every order-10 block there is; return how many. */
static unsigned long grab_all(struct page **pages, unsigned long max)
{
	unsigned long n = 0;

	while (n < max && (pages[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN,
						  MAX_PAGE_ORDER)))
		n++;
	return n;
}

/* Shut @m down, all of its deferred memory in: each growth recomputed
 * its zones' pcp batch and high (Linux's zone_pcp_update()) from their
 * final sizes and watermarks: batch as an 8 GiB machine booted without
 * deferred init has it, high_min a CPU's share of the low watermark,
 * high_max of an eighth of the zone (2 CPUs, at least 4 batches). */
static void shutdown_with_full_pcp(struct mmk_machine *m)
{
	int batch[MAX_NR_ZONES];
	int t;

	for (t = 0; t < MAX_NR_ZONES; t++) {
		struct zone *z = zone_of(m, 0, (enum zone_type)t);
		struct per_cpu_pages *pcp = zone_pcp(z, 1);
		long floor;

		if (!populated_zone(z))
			continue;
		batch[t] = pcp->batch;
		floor = 4L * batch[t];
		assert_int_equal(z->pageset_batch, batch[t]);
		assert_int_equal(pcp->high_min,
				 max((long)low_wmark_pages(z) / 2, floor));
		assert_int_equal(pcp->high_max,
				 max((long)zone_managed_pages(z) / 8 / 2,
				     floor));
	}
	assert_int_equal(batch[ZONE_NORMAL], 63);
	mmk_shutdown(m);
	m = boot_cfg(8ULL << 30, false, 0, false);
	for (t = 0; t < MAX_NR_ZONES; t++) {
		struct zone *z = zone_of(m, 0, (enum zone_type)t);

		if (populated_zone(z))
			assert_int_equal(zone_pcp(z, 1)->batch, batch[t]);
	}
	mmk_shutdown(m);
}

static void test_deferred_init_grows_zones_on_demand(void **state)
{
	struct mmk_machine *full = boot_cfg(8ULL << 30, false, 0, false);
	unsigned long full_managed = total_managed(full), boot_managed, n, i;
	struct mmk_machine *m;
	struct zone *normal;
	struct page **pages = calloc(4096, sizeof(*pages));

	(void)state;
	mmk_shutdown(full);
	m = boot_cfg(8ULL << 30, true, 0, false);
	normal = zone_of(m, 0, ZONE_NORMAL);
	/* Each zone starts with the rest of its first 128 MiB section. */
	assert_int_equal(atomic_load(&normal->deferred_pfn),
			 normal->zone_start_pfn + 32768);
	assert_int_equal(atomic_load(&zone_of(m, 0, ZONE_DMA32)->deferred_pfn),
			 32768);
	boot_managed = total_managed(m);
	assert_true(boot_managed < 2 * 32768 + 4096);
	/* Allocations bring the rest in, a section at a time, until all of
	 * it is there: exactly as much as a machine booted without it. */
	n = grab_all(pages, 4096);
	assert_int_equal(total_managed(m), full_managed);
	assert_false(zone_has_deferred(normal));
	assert_true(n > (7ULL << 30) >> 22);
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		__free_pages(pages[i], MAX_PAGE_ORDER);
	assert_int_equal(total_managed(m), full_managed);
	assert_check_ok(m);
	shutdown_with_full_pcp(m);
	free(pages);
}

/* A deferred-init machine freeing @chunk bytes at a time. */
static struct mmk_machine *boot_chunk(enum mmk_arch arch, uint64_t mem,
				      uint64_t chunk)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = mem;
	cfg.deferred_init = true;
	cfg.deferred_chunk_bytes = chunk;
	return mmk_test_boot_cfg(&cfg);
}

/* An 8G x86_64 machine of @chunk bytes per deferred step, and its
 * node's three zones. */
static struct mmk_machine *boot_chunk_8g(uint64_t chunk, struct zone **dma,
					 struct zone **dma32,
					 struct zone **normal)
{
	struct mmk_machine *m = boot_chunk(MMK_ARCH_X86_64, 8ULL << 30, chunk);

	*dma = zone_of(m, 0, ZONE_DMA);
	*dma32 = zone_of(m, 0, ZONE_DMA32);
	*normal = zone_of(m, 0, ZONE_NORMAL);
	return m;
}

static bool machine_has_deferred(struct mmk_machine *m)
{
	int t;

	for (t = 0; t < MAX_NR_ZONES; t++)
		if (zone_has_deferred(zone_of(m, 0, (enum zone_type)t)))
			return true;
	return false;
}

/* Fill an 8 GiB deferred-init machine with order-10 blocks: every chunk
 * joins, and the machine ends as one booted without deferred init. */
static void fill_chunked_machine(uint64_t chunk, unsigned long full_managed,
				 unsigned long full_n)
{
	struct mmk_machine *m = boot_chunk(MMK_ARCH_X86_64, 8ULL << 30, chunk);
	struct page **pages = calloc(4096, sizeof(*pages));
	unsigned long n, i;

	assert_non_null(pages);
	n = grab_all(pages, 4096);
	/* Normal's min watermark outgrew a 4 MiB chunk on the way: each
	 * retry of the allocation brought in another until it fit. */
	if (chunk == 4ULL << 20)
		assert_true(min_wmark_pages(zone_of(m, 0, ZONE_NORMAL)) > 1024);
	assert_false(machine_has_deferred(m));
	assert_int_equal(total_managed(m), full_managed);
	assert_int_equal(n, full_n);
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		__free_pages(pages[i], MAX_PAGE_ORDER);
	assert_int_equal(total_managed(m), full_managed);
	assert_check_ok(m);
	shutdown_with_full_pcp(m);
	free(pages);
}

static void test_deferred_init_grows_by_configured_chunk(void **state)
{
	struct mmk_machine *full = boot_cfg(8ULL << 30, false, 0, false);
	unsigned long full_managed = total_managed(full), full_n, i;
	struct page **pages = calloc(4096, sizeof(*pages));
	struct zone *dma, *dma32, *normal;
	struct mmk_machine *m;
	struct page *a, *b;

	(void)state;
	assert_non_null(pages);
	full_n = grab_all(pages, 4096);
	for (i = 0; i < full_n; i++)
		__free_pages(pages[i], MAX_PAGE_ORDER);
	mmk_shutdown(full);
	free(pages);

	/* 4 MiB: each zone starts with the rest of its first 4 MiB. */
	m = boot_chunk_8g(4ULL << 20, &dma, &dma32, &normal);
	assert_int_equal(atomic_load(&dma->deferred_pfn), 1024);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 4096 + 1024);
	assert_int_equal(atomic_load(&normal->deferred_pfn), 1048576 + 1024);
	/* DMA: [1, 1024) less the reserved first megabyte. DMA32: 16..20
	 * MiB, all kernel image. Normal: all of its first chunk. */
	assert_int_equal(zone_managed_pages(dma), 1024 - 256);
	assert_int_equal(zone_managed_pages(dma32), 0);
	assert_int_equal(zone_managed_pages(normal), 1024);
	/* Boot's allocations split Normal's only block: the first order-10
	 * request brings in exactly one more chunk, the next one another. */
	a = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_non_null(a);
	assert_int_equal(page_zone(a), normal);
	assert_int_equal(atomic_load(&normal->deferred_pfn), 1048576 + 2048);
	assert_int_equal(zone_managed_pages(normal), 2048);
	b = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_non_null(b);
	assert_int_equal(atomic_load(&normal->deferred_pfn), 1048576 + 3072);
	assert_int_equal(zone_managed_pages(normal), 3072);
	/* The other zones stay as they were. */
	assert_int_equal(atomic_load(&dma->deferred_pfn), 1024);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 4096 + 1024);
	assert_check_ok(m);
	__free_pages(a, MAX_PAGE_ORDER);
	__free_pages(b, MAX_PAGE_ORDER);
	assert_check_ok(m);
	mmk_shutdown(m);

	/* 16 MiB: DMA is one chunk, all there at boot. */
	m = boot_chunk_8g(16ULL << 20, &dma, &dma32, &normal);
	assert_false(zone_has_deferred(dma));
	assert_int_equal(zone_managed_pages(dma), 3840);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 8192);
	assert_int_equal(zone_managed_pages(dma32), 4096 - 2048);
	assert_int_equal(atomic_load(&normal->deferred_pfn), 1048576 + 4096);
	assert_int_equal(zone_managed_pages(normal), 4096);
	mmk_shutdown(m);

	/* 12 MiB, not a power of two: chunks start at multiples of it, so
	 * DMA32's and Normal's first chunks are short. */
	m = boot_chunk_8g(12ULL << 20, &dma, &dma32, &normal);
	assert_int_equal(atomic_load(&dma->deferred_pfn), 3072);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 6144);
	assert_int_equal(zone_managed_pages(dma32), 0);
	assert_int_equal(atomic_load(&normal->deferred_pfn), 1048576 + 2048);
	assert_int_equal(zone_managed_pages(normal), 2048);
	/* A GFP_DMA32 page: 24..36 MiB, the next chunk, has free pages. */
	a = alloc_pages(GFP_DMA32, 0);
	assert_non_null(a);
	assert_int_equal(page_zone(a), dma32);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 6144 + 3072);
	assert_int_equal(zone_managed_pages(dma32), 9216 - 6144);
	__free_pages(a, 0);
	assert_check_ok(m);
	mmk_shutdown(m);

	/* Taking everything brings in every chunk, whatever their size. */
	fill_chunked_machine(4ULL << 20, full_managed, full_n);
	fill_chunked_machine(12ULL << 20, full_managed, full_n);
}

/* deferred_low_zones_empty: DMA and DMA32 boot with no memory, Normal
 * with its first chunk; a GFP_DMA and a GFP_DMA32 page bring in their
 * zone's first chunk, and nothing else moves. */
static void test_deferred_low_zones_boot_empty(void **state)
{
	struct zone *dma, *dma32, *normal;
	struct mmk_config cfg;
	struct mmk_machine *m;
	struct page *a, *b, *c;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 8ULL << 30;
	cfg.deferred_init = true;
	cfg.deferred_chunk_bytes = 4ULL << 20;
	cfg.deferred_low_zones_empty = true;
	m = mmk_test_boot_cfg(&cfg);
	dma = zone_of(m, 0, ZONE_DMA);
	dma32 = zone_of(m, 0, ZONE_DMA32);
	normal = zone_of(m, 0, ZONE_NORMAL);
	assert_int_equal(atomic_load(&dma->deferred_pfn), 1);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 4096);
	assert_int_equal(atomic_load(&normal->deferred_pfn), 1048576 + 1024);
	assert_int_equal(zone_managed_pages(dma), 0);
	assert_int_equal(zone_managed_pages(dma32), 0);
	assert_int_equal(zone_managed_pages(normal), 1024);
	/* GFP_KERNEL stays in Normal, which grows. */
	c = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	assert_non_null(c);
	assert_int_equal(page_zone(c), normal);
	assert_int_equal(zone_managed_pages(dma), 0);
	assert_int_equal(zone_managed_pages(dma32), 0);
	a = alloc_pages(GFP_DMA, 0);
	assert_non_null(a);
	assert_int_equal(page_zone(a), dma);
	assert_int_equal(atomic_load(&dma->deferred_pfn), 1024);
	assert_int_equal(zone_managed_pages(dma), 1024 - 256);
	/* DMA32's first chunk is the kernel image: the one after it. */
	b = alloc_pages(GFP_DMA32, 0);
	assert_non_null(b);
	assert_int_equal(page_zone(b), dma32);
	assert_int_equal(atomic_load(&dma32->deferred_pfn), 4096 + 3072);
	assert_int_equal(zone_managed_pages(dma32), 1024);
	assert_check_ok(m);
	__free_pages(a, 0);
	__free_pages(b, 0);
	__free_pages(c, MAX_PAGE_ORDER);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_deferred_chunk_must_be_whole_max_order_blocks(void **state)
{
	static const uint64_t bad[] = { 1ULL << 20, (4ULL << 20) + 4096,
					6ULL << 20, 2ULL << 40 };
	struct mmk_config cfg;
	struct mmk_machine *m;
	char why[128];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mmk_config_init(&cfg);
		cfg.deferred_init = true;
		cfg.deferred_chunk_bytes = bad[i];
		assert_int_equal(mmk_config_validate(&cfg, why, sizeof why),
				 -EINVAL);
		assert_string_equal(
			why,
			"deferred chunk must be a multiple of 4M up to 1024G on x86_64");
		errno = 0;
		assert_null(mmk_boot(&cfg));
		assert_int_equal(errno, EINVAL);
	}
	mmk_config_init(&cfg);
	cfg.arch = MMK_ARCH_I386;
	cfg.deferred_chunk_bytes = 4ULL << 30;
	assert_int_equal(mmk_config_validate(&cfg, why, sizeof why), -EINVAL);
	assert_string_equal(
		why,
		"deferred chunk must be a multiple of 4M up to 3G on i386");
	/* As large as the architecture allows: everything at boot. */
	cfg.deferred_chunk_bytes = 3ULL << 30;
	assert_int_equal(mmk_config_validate(&cfg, why, sizeof why), 0);
	m = boot_chunk(MMK_ARCH_X86_64, 1ULL << 30, 1ULL << 40);
	assert_false(machine_has_deferred(m));
	assert_check_ok(m);
	mmk_shutdown(m);
	assert_null(mmk_current());
}

/* Free pages in blocks of @order or more that are not reported. */
static unsigned long unreported_pages(struct zone *z, unsigned int order)
{
	unsigned long sum = 0;

	for (; order < NR_PAGE_ORDERS; order++)
		sum += z->free_area[order].nr_free << order;
	return sum - z->reported_pages;
}

static void report_cycle(bool private_mem)
{
	struct mmk_machine *m = boot_cfg(1ULL << 30, false, 6, private_mem);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct page *pages[256], *page;
	unsigned long before = dma32->reported_pages;
	int i, zeroed, nr_unbacked = 0;
	bool unbacked;

	/* Boot memory was never touched: it starts out reported, and
	 * alloc_pages_unbacked() says so. */
	assert_true(before > 200000);
	for (i = 0; i < 256; i++) {
		pages[i] = alloc_pages_unbacked(GFP_KERNEL, 6, &unbacked);
		assert_non_null(pages[i]);
		assert_true(unbacked);
		memset(page_address(pages[i]), 0x5a, PAGE_SIZE << 6);
	}
	assert_true(dma32->reported_pages <= before - (256UL << 6));
	for (i = 0; i < 256; i++)
		__free_pages(pages[i], 6);
	/* 64 MiB of unreported order-6+ blocks: reported again but for
	 * less than the threshold (32 blocks of order 6), and the host
	 * dropped the reported blocks' contents. */
	assert_true(unreported_pages(dma32, 6) < 32UL << 6);
	assert_check_ok(m);
	for (i = 0, zeroed = 0; i < 256; i++) {
		const unsigned char *b;

		pages[i] = alloc_pages_unbacked(GFP_KERNEL, 6, &unbacked);
		b = page_address(pages[i]);
		zeroed += !b[0] && !b[(PAGE_SIZE << 6) - 1];
		/* Unbacked only where the host dropped the contents (a block
		 * merged from a reported and an unreported half is not). */
		if (unbacked)
			assert_true(!b[0] && !b[(PAGE_SIZE << 6) - 1]);
		nr_unbacked += unbacked;
	}
	assert_true(zeroed >= 256 - 32);
	assert_true(nr_unbacked >= 256 - 32);
	/* A page from a per-CPU list counts as backed. */
	page = alloc_pages_unbacked(GFP_KERNEL, 0, &unbacked);
	assert_non_null(page);
	assert_false(unbacked);
	__free_pages(page, 0);
	/* A failed allocation leaves the answer false. */
	unbacked = true;
	assert_null(alloc_pages_unbacked(GFP_KERNEL, MAX_PAGE_ORDER + 1,
					 &unbacked));
	assert_false(unbacked);
	for (i = 0; i < 256; i++)
		__free_pages(pages[i], 6);
	/* The verifier notices a wrong count. */
	dma32->reported_pages++;
	{
		char why[256];

		assert_int_equal(mmk_check(m, why, sizeof why), 1);
		assert_non_null(strstr(why, "reported_pages"));
	}
	dma32->reported_pages--;
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_page_reporting_returns_free_blocks_to_the_host(void **state)
{
	(void)state;
	report_cycle(false);
	report_cycle(true);
}

/* How many of @n pages from alloc_page() the host backs before anything
 * touches them. */
static int pcp_pages_backed(struct mmk_machine *m, struct page **pages, int n)
{
	int i, backed = 0;

	(void)m;
	for (i = 0; i < n; i++) {
		unsigned char vec = 0;

		pages[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pages[i]);
		assert_int_equal(
			mincore(page_address(pages[i]), PAGE_SIZE, &vec), 0);
		backed += vec & 1;
	}
	return backed;
}

/* cfg.populate_pcp_above: past it, a per-CPU list refilled from memory
 * the host does not back has it backed at once; off (0), or below it,
 * its pages stay unbacked until touched (256 pages: four refills). */
static void test_populate_pcp_above_backs_refills(void **state)
{
	static const unsigned long above[] = { 0, 1UL << 30, 1 };
	static struct page *pages[256];
	unsigned int c;
	int i;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(above); c++) {
		struct mmk_config cfg;
		struct mmk_machine *m;

		mmk_config_init(&cfg);
		cfg.mem_bytes = 1ULL << 30;
		cfg.page_reporting_order = 6;
		cfg.page_reporting_delay_ms = 0;
		cfg.private_memory = true;
		cfg.populate_pcp_above = above[c];
		m = mmk_test_boot_cfg(&cfg);
		/* On: all but pfn 0x183f, which boot left free in a block
		 * merged from a half it had touched and one it had not
		 * (not flagged reported, so taken as backed). */
		assert_int_equal(pcp_pages_backed(m, pages, 256),
				 above[c] == 1 ? 255 : 0);
		for (i = 0; i < 256; i++)
			__free_page(pages[i]);
		assert_check_ok(m);
		mmk_shutdown(m);
	}
}

static void test_page_reporting_waits_for_its_delay(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *m;
	struct zone *dma32;
	struct page *pages[64], *late;
	unsigned long before;
	int i;

	(void)state;
	mmk_config_init(&cfg);
	cfg.page_reporting_order = 6;
	cfg.page_reporting_delay_ms = 300;
	m = mmk_boot(&cfg);
	assert_non_null(m);
	dma32 = zone_of(m, 0, ZONE_DMA32);
	for (i = 0; i < 64; i++)
		pages[i] = alloc_pages(GFP_KERNEL, 6);
	late = alloc_pages(GFP_KERNEL, 6);
	before = dma32->reported_pages;
	for (i = 0; i < 64; i++)
		__free_pages(pages[i], 6);
	/* Over the threshold, but not for 300 ms yet: nothing reported. */
	assert_true(dma32->reported_pages <= before);
	usleep(400 * 1000);
	/* The next free after the delay reports all but less than the
	 * threshold of the free memory of orders 6 and up. */
	__free_pages(late, 6);
	assert_true(dma32->reported_pages >= before + (32UL << 6));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_private_memory_is_copied_on_fork(void **state)
{
	struct mmk_machine *m = boot_cfg(1ULL << 30, false, 0, true);
	struct page *page = alloc_page(GFP_KERNEL);
	volatile char *p = page_address(page);
	pid_t pid;
	int status;

	(void)state;
	/* Pages cannot be aliased: vmalloc fails cleanly. */
	assert_null(vmalloc(8192));
	p[0] = 1;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		p[0] = 2;
		_exit(p[0] == 2 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(p[0], 1);
	__free_page(page);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- CPU hotplug on demand ---- */

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

static struct mmk_machine *boot_4cpus(bool on_demand)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.nr_cpus = 4;
	cfg.cpus_on_demand = on_demand;
	return mmk_boot(&cfg);
}

/* With cpus_on_demand only CPU 0 is online after boot; a CPU comes online,
 * with its pcp lists sized as the zone says and its slab arrays, when a
 * thread first takes it, and /proc/zoneinfo lists online CPUs only. */
static void test_cpus_on_demand_come_online_when_taken(void **state)
{
	struct mmk_machine *m = boot_4cpus(true);
	struct zone *dma32 = zone_of(m, 0, ZONE_DMA32);
	struct kmem_cache *early;
	struct page *page;
	char *zi;
	void *obj;

	(void)state;
	assert_non_null(m);
	assert_int_equal(atomic_load(&m->cpu_online_mask), 1);
	assert_int_equal(mmk_get_cpu(), 0);
	zi = mmk_proc_read(m, "/proc/zoneinfo");
	assert_int_equal(count_of(zi, "\n    cpu: 0\n"), 2); /* DMA, DMA32 */
	assert_int_equal(count_of(zi, "\n    cpu: 3\n"), 0);
	free(zi);
	early = kmem_cache_create("early", 64, 0, 0, NULL);
	assert_non_null(early);
	assert_int_equal(zone_pcp(dma32, 3)->batch, 0);

	assert_int_equal(mmk_set_cpu(3), 0);
	assert_int_equal(mmk_get_cpu(), 3);
	assert_int_equal(atomic_load(&m->cpu_online_mask), 9);
	assert_int_equal(zone_pcp(dma32, 3)->batch, zone_pcp(dma32, 0)->batch);
	assert_int_equal(zone_pcp(dma32, 3)->high_min,
			 zone_pcp(dma32, 0)->high_min);
	assert_int_equal(zone_pcp(dma32, 3)->high_max,
			 zone_pcp(dma32, 0)->high_max);
	zi = mmk_proc_read(m, "/proc/zoneinfo");
	assert_int_equal(count_of(zi, "\n    cpu: 3\n"), 2);
	assert_int_equal(count_of(zi, "\n    cpu: 1\n"), 0);
	free(zi);
	/* The new CPU's fast paths work: the freed page stays on its list. */
	page = alloc_page(GFP_KERNEL);
	assert_non_null(page);
	__free_page(page);
	assert_true(atomic_load(&zone_pcp(dma32, 3)->count) > 0);
	/* A cache created before the CPU came up, and one after. */
	obj = kmem_cache_alloc(early, GFP_KERNEL);
	assert_non_null(obj);
	kmem_cache_free(early, obj);
	assert_check_ok(m);
	kmem_cache_destroy(early);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* Once every CPU is up, a machine booted with cpus_on_demand reads as one
 * booted with all of them online. */
static void test_cpus_on_demand_all_up_matches_eager_boot(void **state)
{
	static const char *const files[] = { "/proc/zoneinfo", "/proc/slabinfo",
					     "/proc/meminfo", "/proc/vmstat" };
	struct mmk_machine *lazy = boot_4cpus(true), *eager;
	char *a[4], *b[4];
	int cpu, i;

	(void)state;
	assert_non_null(lazy);
	for (cpu = 1; cpu < 4; cpu++)
		assert_int_equal(mmk_set_cpu(cpu), 0);
	assert_int_equal(mmk_set_cpu(0), 0);
	assert_int_equal(atomic_load(&lazy->cpu_online_mask), 15);
	for (i = 0; i < 4; i++)
		a[i] = mmk_proc_read(lazy, files[i]);
	assert_check_ok(lazy);
	mmk_shutdown(lazy);
	eager = boot_4cpus(false);
	assert_non_null(eager);
	assert_int_equal(atomic_load(&eager->cpu_online_mask), 15);
	for (i = 0; i < 4; i++) {
		b[i] = mmk_proc_read(eager, files[i]);
		assert_string_equal(a[i], b[i]);
		free(a[i]);
		free(b[i]);
	}
	mmk_shutdown(eager);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_x86_64_default_zones),
		cmocka_unit_test(test_boot_x86_64_pci_hole_above_3g),
		cmocka_unit_test(test_boot_i386_highmem_zones),
		cmocka_unit_test(test_boot_allocators_only),
		cmocka_unit_test(test_boot_rejects_bad_config),
		cmocka_unit_test(test_boot_64g_is_lazy),
		cmocka_unit_test(test_free_area_maps_start_in_few_pages),
		cmocka_unit_test(test_host_arena_packs_and_zeroes),
		cmocka_unit_test(
			test_split_takes_lowest_block_and_leaves_halves),
		cmocka_unit_test(test_free_merges_buddies_up_to_max_order),
		cmocka_unit_test(test_every_block_is_aligned_to_its_size),
		cmocka_unit_test(test_free_everything_restores_boot_buddyinfo),
		cmocka_unit_test(test_watermarks_follow_linux_formula),
		cmocka_unit_test(
			test_kernel_falls_back_to_dma_above_its_reserve),
		cmocka_unit_test(test_gfp_atomic_and_high_reserves),
		cmocka_unit_test(test_invalid_zone_modifiers_are_refused),
		cmocka_unit_test(test_printk_hex_alternate_form_is_the_kernels),
		cmocka_unit_test(test_two_nodes_split_memory_and_fall_back),
		cmocka_unit_test(test_remote_preferred_zone_counts_other),
		cmocka_unit_test(test_compound_page_has_head_and_tails),
		cmocka_unit_test(test_get_zeroed_page_and_free_pages),
		cmocka_unit_test(test_alloc_pages_exact_and_free_pages_exact),
		cmocka_unit_test(test_double_free_is_reported_not_corrupting),
		cmocka_unit_test(test_wrong_order_free_is_refused),
		cmocka_unit_test(
			test_freeing_a_mapped_page_reports_nonzero_mapcount),
		cmocka_unit_test(test_fail_page_alloc_nth_and_times),
		cmocka_unit_test(test_pcp_holds_pages_until_drained),
		cmocka_unit_test(test_pcp_refill_takes_what_single_takes_would),
		cmocka_unit_test(test_free_fast_path_follows_zone_and_type),
		cmocka_unit_test(test_verifier_catches_corruption),
		cmocka_unit_test(test_random_sequences_keep_invariants),
		cmocka_unit_test(test_deferred_init_grows_zones_on_demand),
		cmocka_unit_test(test_deferred_init_grows_by_configured_chunk),
		cmocka_unit_test(test_deferred_low_zones_boot_empty),
		cmocka_unit_test(
			test_deferred_chunk_must_be_whole_max_order_blocks),
		cmocka_unit_test(
			test_page_reporting_returns_free_blocks_to_the_host),
		cmocka_unit_test(test_page_reporting_waits_for_its_delay),
		cmocka_unit_test(test_populate_pcp_above_backs_refills),
		cmocka_unit_test(test_private_memory_is_copied_on_fork),
		cmocka_unit_test(test_cpus_on_demand_come_online_when_taken),
		cmocka_unit_test(test_cpus_on_demand_all_up_matches_eager_boot),
	};

	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
