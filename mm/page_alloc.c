/* SPDX-License-Identifier: MIT */
/*
 * The buddy page allocator (Linux's mm/page_alloc.c).
 *
 * 1. What it models. alloc_pages() and friends: the zonelist walk with
 *    watermarks and lowmem_reserve, the per-CPU page lists (pcp) for orders
 *    0..3, the buddy free areas with split (expand) and merge
 *    (__free_one_page), migrate types, compound pages, fault injection,
 *    the slow path, and Linux's bad-page reports. Sizing follows Linux
 *    6.18: min_free_kbytes, __setup_per_zone_wmarks,
 *    setup_per_zone_lowmem_reserve, zone_batchsize/zone_highsize, and the
 *    adaptive pcp->high of nr_pcp_alloc/nr_pcp_high/nr_pcp_free.
 *
 *    Migrate types, as Linux 6.18 has them. Every pageblock (512 pages on
 *    x86_64, 1024 on i386) has a type, Movable at boot (but for a pageblock
 *    whose first pfn is no RAM: Unmovable), and a free block is always on
 *    its pageblock's type's list. A request's type comes from its GFP bits
 *    (none: Unmovable, __GFP_MOVABLE, __GFP_RECLAIMABLE; both: refused).
 *    Without free memory of its type, __rmqueue() tries
 *    __rmqueue_claim(): the largest block of a fallback type (fallbacks[])
 *    whose pageblock it may take over - all of it if the block is a
 *    pageblock or more, else if at least half the pageblock is free or
 *    "alike" (movable requests claim only from order 4 up) - and then
 *    __rmqueue_steal(): the smallest fallback block, split on its own
 *    type's lists. Within one pcp refill the step that last worked is
 *    where the next starts (rmqueue_mode). ALLOC_NOFRAGMENT (x86_64, a
 *    request that prefers ZONE_NORMAL) first claims only whole pageblocks,
 *    in every zone, before fragmenting one. Beyond a pageblock, freed
 *    blocks merge across types (the buddy's pageblock takes the freed
 *    block's type), but never with HighAtomic ones. A high-order
 *    GFP_ATOMIC request served at the min watermark reserves its
 *    pageblock as HighAtomic (up to 1% of the zone); ordinary requests do
 *    not count those free pages, and the slow path gives the reserve back
 *    (unreserve_highatomic_pageblock) before it fails.
 *
 * 2. Objects.
 *
 *      zonelist ─▶ zone ─┬─ free_area[order] ─ hbitmap of free block heads
 *                        │     block i of order o = pfns
 *                        │     [buddy_base + (i << o), + (1 << o))
 *                        ├─ mt_sum: per order and type, a bit per pageblock
 *                        │    holding such a head (struct mt_summary)
 *                        └─ zone_pcp(zone, cpu) ─ lists[pindex] ─ page.lru
 *      mmk_machine.pb_mt[pfn >> 9]: the pageblock's migrate type (^ Movable)
 *
 *    A free block's head page has page_type PGTY_buddy and private = order;
 *    every other page of a free block is all zero. Pages on a pcp list are
 *    free (refcount 0) but on no free area and not counted in NR_FREE_PAGES.
 *    pcp list pindex = 3 * order + type (Linux's order_to_pindex); a freed
 *    page goes to its pageblock's type's list (HighAtomic: the movable
 *    one), a refill fills the requester's: in address order, a run of
 *    blocks that first fit would take one by one taken in one split
 *    (rmqueue_bulk).
 *
 *    The order <= 3 fast paths of alloc_pages() and __free_pages() read
 *    precomputed state: per CPU and GFP zone bits, the preferred zone's
 *    pcp, its free page counter and the mark above which no watermark
 *    check is needed (mmk_cpu.fast_*, setup_fast_path); per pcp, a
 *    free_limit that is high while high >= high_min and 0 otherwise
 *    (pcp_set_high); and the free path's memo of the zone, pageblock
 *    type and list of the last block it took (mmk_cpu.free_*), so the
 *    list it links a page onto does not wait for the loads the page's
 *    own pfn indexes, which only confirm it. What they cannot decide
 *    with one compare each goes to the full path, which checks
 *    everything again.
 *
 * 3. Invariants (page_alloc_verify checks each):
 *    I1 bit i of free_area[o] is set iff the block at i is free at order o;
 *       its head is PageBuddy with private == o; nr_free counts the bits.
 *    I2 blocks are maximal: a free block's buddy is never free at the same
 *       order (beyond a pageblock: but HighAtomic beside another type, or
 *       once the zone gave a HighAtomic pageblock back), and no free block
 *       lies inside another.
 *    I3 NR_FREE_PAGES = sum of nr_free << order; NR_FREE_PAGES_BLOCKS the
 *       same over orders >= pageblock_order.
 *    I4 pcp pages belong to the zone, have refcount 0, are on no free
 *       area, and pcp->count is the sum of the lists.
 *    I5 an allocated block's head records its order (mmk_alloc = order + 1);
 *       freeing with another order is refused and reported.
 *    I6 every free block lies in pageblocks of one type (not Isolate), is
 *       marked in that type's summary of its order, and nr_free_mt counts
 *       them; every summary bit marks such a block, and the summaries'
 *       index bits say which of their words are nonzero.
 *    I7 nr_reserved_highatomic is the pages of the zone's HighAtomic
 *       pageblocks; nr_free_highatomic the free pages on their lists.
 *
 * 4. Departures.
 *    - Free blocks are kept in address-ordered bitmaps instead of lists, and
 *      allocation takes the lowest-addressed free block of any order that
 *      fits (address-ordered first fit), splitting it. Linux's LIFO lists
 *      scatter long-lived pages over the whole zone; first fit keeps them
 *      low and leaves high memory in order-10 blocks (bench: fragmentation,
 *      19% vs 95% of free memory in order-10 blocks after the churn).
 *      The per-CPU lists would defeat that by reusing freed pages where
 *      they lie, so a page freed above the list's frontier (the lowest
 *      free buddy block of its type and order when the list was last
 *      refilled) goes back to the buddy lists instead
 *      (free_frozen_page_commit): the cache keeps only memory first fit
 *      would pick anyway. First fit is per migrate type; where Linux
 *      takes a list's first block (claim, steal, the HighAtomic
 *      unreserve), mmkit takes the lowest-addressed one of that order.
 *    - A claim does not boost the watermark (boost_watermark, with the
 *      kswapd run that reclaims the boost): first-fit placement is what
 *      keeps fragmentation down here. Nothing isolates pageblocks (no compaction, memory hotplug or
 *      CMA), so Isolate has a /proc/pagetypeinfo column and no pages;
 *      no THP pcp lists (no THP). page_group_by_mobility_disabled never
 *      applies: even the smallest machine (32M) has more pages than the
 *      pageblock_nr_pages * MIGRATE_TYPES below which Linux sets it.
 *    - put_page() of the last reference frees the whole block it was
 *      allocated as (mmkit records the order); Linux frees order 0 unless
 *      the page is compound.
 *    - A free with the wrong order or of a page that is not an allocation
 *      head is refused (reported; the pages stay allocated) instead of
 *      corrupting the free lists.
 *    - The slow path wakes kswapd (m->wakeup_kswapd), retries at the min
 *      watermark, compacts first for a costly or unmovable high order
 *      (async), then reclaims directly (m->try_to_free_pages,
 *      mm/vmscan.c), compacts (m->compaction, mm/compaction.c: Linux's
 *      __alloc_pages_direct_compact, compact_stall/success/fail) and
 *      retries while reclaim makes progress (should_reclaim_retry,
 *      without Linux's estimate of what is still reclaimable) or
 *      compaction asks to (should_compact_retry, raising its priority);
 *      with none it gives back HighAtomic pageblocks,
 *      drains the pcp lists and calls the OOM killer as Linux's
 *      __alloc_pages_may_oom() does (mm/oom_kill.c, through
 *      m->out_of_memory), retrying while it makes progress. Where Linux
 *      would wait for a victim the OOM killer could not reap at once
 *      (its mmap lock busy), or for GFP_NOFS reclaim, the request fails.
 *      __GFP_NOFAIL then gets every reserve; if even that fails it warns
 *      and returns NULL (Linux would loop). As in Linux 6.12+, a
 *      __GFP_NOFAIL request that cannot block (GFP_ATOMIC, GFP_NOWAIT)
 *      warns and fails, and one of a costly order warns. A request
 *      that fails is reported by warn_alloc() as Linux's is: rate
 *      limited (one in 10 s, on the host's clock), then the memory
 *      picture (show_mem, through m->show_mem), without a stack dump.
 *
 * 5. Ordering and locks. zone->lock protects the free areas and
 *    NR_FREE_PAGES updates. A pcp is touched only by the thread that owns
 *    its CPU (mmk_set_cpu), bracketed by pcp_trylock/pcp_unlock (a
 *    cpu_guard, mm/percpu.c): the owner
 *    writes busy = 1, a compiler barrier, and reads remote; a drainer
 *    (drain_all_pages, the verifier) writes remote = 1, runs membarrier(2),
 *    and waits for busy == 0. One side always sees the other, so the fast
 *    path has no lock and no atomic read-modify-write. Under TSan both
 *    sides use compare-and-swap on busy. Lock order:
 *    drain_lock, then pcp (remote side), then zone->lock.
 *
 * 6. Observability. /proc/buddyinfo, /proc/pagetypeinfo (free blocks per
 *    type and order, pageblocks per type), /proc/zoneinfo (watermarks,
 *    protection, pagesets), /proc/meminfo MemFree/MemAvailable,
 *    /proc/vmstat pgalloc_*, pgfree, numa_*; `check` runs I1-I7.
 */
#include "mm/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZONE_BELOW_HIGH 1UL
#define PCPF_PREV_FREE_HIGH_ORDER 1 /* the only PCPF flag */
#define CONFIG_PCP_BATCH_SCALE_MAX 5
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8
#define SWAP_CLUSTER_MAX 32UL

/* Linux's pcp list index of (migratetype, order), and back. */
static inline unsigned int order_to_pindex(int mt, unsigned int order)
{
	return MIGRATE_PCPTYPES * order + (unsigned int)mt;
}

static inline unsigned int pindex_to_order(int pindex)
{
	return (unsigned int)pindex / MIGRATE_PCPTYPES;
}

/* ---- free areas ---- */

static inline unsigned long block_index(const struct zone *zone,
					unsigned long pfn, unsigned int order)
{
	return (pfn - zone->buddy_base) >> order;
}

/* ---- the per-type summaries (zone.mt_sum) ---- */

static inline unsigned int mts_k(unsigned int order, int mt)
{
	return order * MIGRATE_FREE_TYPES + (unsigned int)mt;
}

static inline unsigned long *mts_word(const struct mt_summary *s,
				      unsigned int k, unsigned long pb)
{
	return &s->words[(pb / BITS_PER_LONG) * NR_MT_SUMMARIES + k];
}

static inline bool mts_test(const struct mt_summary *s, unsigned int k,
			    unsigned long pb)
{
	return *mts_word(s, k, pb) & (1UL << (pb % BITS_PER_LONG));
}

static inline void mts_set(struct mt_summary *s, unsigned int k,
			   unsigned long pb)
{
	unsigned long *w = mts_word(s, k, pb), i = pb / BITS_PER_LONG;

	if (!*w)
		s->index[k * s->nr_index + i / BITS_PER_LONG] |=
			1UL << (i % BITS_PER_LONG);
	*w |= 1UL << (pb % BITS_PER_LONG);
}

static inline void mts_clear(struct mt_summary *s, unsigned int k,
			     unsigned long pb)
{
	unsigned long *w = mts_word(s, k, pb), i = pb / BITS_PER_LONG;

	*w &= ~(1UL << (pb % BITS_PER_LONG));
	if (!*w)
		s->index[k * s->nr_index + i / BITS_PER_LONG] &=
			~(1UL << (i % BITS_PER_LONG));
}

/* The lowest pageblock marked in summary @k at or after @from, or -1. */
static long mts_find_next(const struct mt_summary *s, unsigned int k,
			  unsigned long from)
{
	unsigned long i = from / BITS_PER_LONG, w;
	unsigned long bits = i < s->nr_words ?
				     *mts_word(s, k, from) &
					     (~0UL << (from % BITS_PER_LONG)) :
				     0;

	if (bits)
		return (long)(i * BITS_PER_LONG) + __builtin_ctzl(bits);
	for (w = i + 1; w < s->nr_words; w = (w | (BITS_PER_LONG - 1)) + 1) {
		unsigned long idx =
			s->index[k * s->nr_index + w / BITS_PER_LONG] &
			(~0UL << (w % BITS_PER_LONG));

		if (idx) {
			w = (w & ~(BITS_PER_LONG - 1UL)) +
			    (unsigned long)__builtin_ctzl(idx);
			return (long)(w * BITS_PER_LONG) +
			       __builtin_ctzl(
				       *mts_word(s, k, w * BITS_PER_LONG));
		}
	}
	return -1;
}

/* The index of @pfn's pageblock in the zone's summaries. */
static inline unsigned long pb_index(const struct mmk_machine *m,
				     const struct zone *zone, unsigned long pfn)
{
	return (pfn - zone->buddy_base) >> m->pageblock_order;
}

/* Zone locked; the caller moves the block's free pages (hygiene: a free
 * block is always on its pageblock's list). */
static inline void set_pageblock_migratetype(struct mmk_machine *m,
					     unsigned long pfn, int mt)
{
	unsigned int po = m->pageblock_order;
	unsigned long i = (pfn >> po) << (po - PB_MT_SHIFT);
	unsigned long n = 1UL << (po - PB_MT_SHIFT);

	while (n--)
		__atomic_store_n(&m->pb_mt[i++],
				 (uint8_t)(mt ^ MIGRATE_MOVABLE),
				 __ATOMIC_RELAXED);
}

/* The per-type count of @area's blocks (and the zone's free HighAtomic
 * pages) changes by @n blocks of @order. Zone locked; watermark checks
 * read both without it. */
static inline void account_free_mt(struct zone *zone, struct free_area *area,
				   int mt, long n, unsigned int order)
{
	__atomic_store_n(&area->nr_free_mt[mt],
			 area->nr_free_mt[mt] + (unsigned long)n,
			 __ATOMIC_RELAXED);
	if (mt == MIGRATE_HIGHATOMIC)
		__atomic_store_n(&zone->nr_free_highatomic,
				 zone->nr_free_highatomic +
					 ((unsigned long)n << order),
				 __ATOMIC_RELAXED);
}

static inline bool free_area_empty(const struct free_area *area, int mt)
{
	return !__atomic_load_n(&area->nr_free_mt[mt], __ATOMIC_RELAXED);
}

static void add_to_free_area(struct mmk_machine *m, struct zone *zone,
			     unsigned long pfn, unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];
	struct page *page = m->mem_map + pfn;

	hbitmap_set(&area->map, block_index(zone, pfn, order));
	atomic_store_explicit(
		&area->nr_free,
		atomic_load_explicit(&area->nr_free, memory_order_relaxed) + 1,
		memory_order_relaxed);
	account_free_mt(zone, area, mt, 1L, order);
	mts_set(&zone->mt_sum, mts_k(order, mt), pb_index(m, zone, pfn));
	page->page_type = PGTY_buddy << 24;
	page->private = order;
	mod_zone_page_state(zone, NR_FREE_PAGES, 1L << order);
	if (order >= m->arch->pageblock_order)
		mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, 1L << order);
}

/* Free blocks of @order whose heads lie in pageblock @pb: the range of
 * their bits in free_area[order].map, [*first, *end). */
static inline void pb_block_range(const struct mmk_machine *m, unsigned long pb,
				  unsigned int order, unsigned long *first,
				  unsigned long *end)
{
	unsigned int po = m->pageblock_order;

	if (order >= po) {
		*first = pb >> (order - po);
		*end = *first + 1;
	} else {
		*first = pb << (po - order);
		*end = (pb + 1) << (po - order);
	}
}

/* Does pageblock @pb still hold the head of a free block of @order? The
 * range's words of the bitmap's bottom level, read directly: a pageblock
 * is at most 16 of them, in one stripe (FREE_AREA_STRIPE_PAGES is a
 * multiple of the pageblock). */
static bool pb_has_free(const struct mmk_machine *m, const struct zone *zone,
			unsigned long pb, unsigned int order)
{
	const struct hbitmap *map = &zone->free_area[order].map;
	const unsigned long *bits;
	unsigned long first, end, w;

	pb_block_range(m, pb, order, &first, &end);
	if (order >= m->pageblock_order)
		return (pb & ((1UL << (order - m->pageblock_order)) - 1)) ==
			       0 &&
		       hbitmap_test(map, first);
	bits = hbitmap_word(map, 0, first / BITS_PER_LONG);
	if (end - first < BITS_PER_LONG)
		return *bits & (((1UL << (end - first)) - 1)
				<< (first % BITS_PER_LONG));
	for (w = 0; w < (end - first) / BITS_PER_LONG; w++)
		if (bits[w])
			return true;
	return false;
}

static bool del_from_free_area(struct mmk_machine *m, struct zone *zone,
			       unsigned long pfn, unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];
	struct page *page = m->mem_map + pfn;
	bool reported = page->flags & (1UL << PG_reported);
	unsigned long pb = pb_index(m, zone, pfn);

	hbitmap_clear(&area->map, block_index(zone, pfn, order));
	atomic_store_explicit(
		&area->nr_free,
		atomic_load_explicit(&area->nr_free, memory_order_relaxed) - 1,
		memory_order_relaxed);
	account_free_mt(zone, area, mt, -1L, order);
	if (!pb_has_free(m, zone, pb, order))
		mts_clear(&zone->mt_sum, mts_k(order, mt), pb);
	page->page_type = 0;
	page->private = 0;
	mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
	if (order >= m->arch->pageblock_order)
		mod_zone_page_state(zone, NR_FREE_PAGES_BLOCKS, -(1L << order));
	if (unlikely(reported)) {
		page->flags &= ~(1UL << PG_reported);
		zone->reported_pages -= 1UL << order;
	}
	return reported;
}

/* The host already dropped this free block's memory. Zone locked. */
static void mark_reported(struct mmk_machine *m, struct zone *zone,
			  unsigned long pfn, unsigned int order)
{
	m->mem_map[pfn].flags |= 1UL << PG_reported;
	zone->reported_pages += 1UL << order;
}

static inline bool block_is_free(const struct zone *zone, unsigned long pfn,
				 unsigned int order)
{
	return hbitmap_test(&zone->free_area[order].map,
			    block_index(zone, pfn, order));
}

/* Merge with free buddies as far as they go, then insert. Zone locked.
 * @reported: the host holds no memory for this block (boot memory never
 * touched, or a block page reporting just discarded); the merged block
 * stays reported only if every buddy it absorbed was. */
static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* Merge with free buddies as far as they go, then insert on the list of
 * the block's pageblock type. Zone locked. A buddy beyond a pageblock
 * of another type merges only if both types are mergeable (not
 * HighAtomic); its pageblock then takes this block's type, so that a
 * later split puts the halves on the right lists.
 * @reported: the host holds no memory for this block (boot memory never
 * touched, or a block page reporting just discarded); the merged block
 * stays reported only if every buddy it absorbed was. */
static void __free_one_page(struct mmk_machine *m, struct zone *zone,
			    unsigned long pfn, unsigned int order,
			    bool reported)
{
	unsigned long zstart = zone->zone_start_pfn, zend = zone_end_pfn(zone);
	int mt = get_pfnblock_migratetype(m, pfn);

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy = pfn ^ (1UL << order);
		int buddy_mt = mt;

		if (buddy < zstart || buddy >= zend ||
		    !block_is_free(zone, buddy, order))
			break;
		if (order >= m->pageblock_order) {
			buddy_mt = get_pfnblock_migratetype(m, buddy);
			if (buddy_mt != mt &&
			    (!migratetype_is_mergeable(mt) ||
			     !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		reported &= del_from_free_area(m, zone, buddy, order, buddy_mt);
		if (buddy_mt != mt)
			set_pageblock_migratetype(m, buddy, mt);
		pfn &= buddy;
		order++;
	}
	add_to_free_area(m, zone, pfn, order, mt);
	if (likely(!m->cfg.page_reporting_order) ||
	    order < m->cfg.page_reporting_order)
		return;
	if (reported)
		mark_reported(m, zone, pfn, order);
	else
		page_reporting_notify_free(m, zone);
}

/* A block larger than a pageblock is freed a pageblock at a time, each
 * onto its own block's type (it merges again if the types allow). */
static void split_large_buddy(struct mmk_machine *m, struct zone *zone,
			      unsigned long pfn, unsigned int order,
			      bool reported)
{
	unsigned int po = m->pageblock_order;
	unsigned long end = pfn + (1UL << order);

	if (order <= po) {
		__free_one_page(m, zone, pfn, order, reported);
		return;
	}
	for (; pfn < end; pfn += 1UL << po)
		__free_one_page(m, zone, pfn, po, reported);
}

/* Page reporting takes a free block off its list (Linux's
 * __isolate_free_page): one of half a pageblock or more turns the
 * pageblocks it covers movable, as Linux does. */
static long move_freepages_block(struct mmk_machine *m, struct zone *zone,
				 unsigned long pfn, int old, int new);

void __isolate_free_block(struct mmk_machine *m, struct zone *zone,
			  unsigned long pfn, unsigned int order)
{
	unsigned int po = m->pageblock_order;
	unsigned long end = pfn + (1UL << order), p;

	del_from_free_area(m, zone, pfn, order,
			   get_pfnblock_migratetype(m, pfn));
	if (order + 1 < po)
		return;
	for (p = pfn & ~((1UL << po) - 1); p < end; p += 1UL << po) {
		int mt = get_pfnblock_migratetype(m, p);

		if (migratetype_is_mergeable(mt) && mt != MIGRATE_MOVABLE)
			move_freepages_block(m, zone, p, mt, MIGRATE_MOVABLE);
	}
}

unsigned long __isolate_free_page(struct mmk_machine *m, struct zone *zone,
				  unsigned long pfn, unsigned int order)
{
	unsigned long mark = __atomic_load_n(&zone->_watermark[WMARK_MIN],
					     __ATOMIC_RELAXED) +
			     (1UL << order);
	int mt = get_pfnblock_migratetype(m, pfn);

	/* Not below the min watermark, nor into a HighAtomic reserve. */
	if (mt == MIGRATE_HIGHATOMIC ||
	    !__zone_watermark_ok(zone, 0, mark, 0, 0,
				 (long)zone_page_state(zone, NR_FREE_PAGES)))
		return 0;
	__isolate_free_block(m, zone, pfn, order);
	return 1UL << order;
}

void __putback_reported_block(struct mmk_machine *m, struct zone *zone,
			      unsigned long pfn, unsigned int order)
{
	__free_one_page(m, zone, pfn, order, true);
}

/* Put the upper halves of a split block back, largest first, on the
 * list of type @mt (the block's pageblocks'); the halves of a reported
 * block are reported too. */
static void expand(struct mmk_machine *m, struct zone *zone, unsigned long pfn,
		   unsigned int low, unsigned int high, int mt, bool reported)
{
	zone->took_reported = reported;
	while (high > low) {
		high--;
		add_to_free_area(m, zone, pfn + (1UL << high), high, mt);
		if (reported)
			mark_reported(m, zone, pfn + (1UL << high), high);
	}
}

/* The lowest-addressed free block of order @o on @mt's list, ~0UL if
 * none: the first pageblock of that type holding one, then the first
 * block in it. */
static unsigned long first_of_type(const struct mmk_machine *m,
				   const struct zone *zone, unsigned int o,
				   int mt)
{
	const struct free_area *area = &zone->free_area[o];
	unsigned long first, end;
	long pb, bit;

	if (free_area_empty(area, mt))
		return ~0UL;
	pb = mts_find_next(&zone->mt_sum, mts_k(o, mt), 0);
	pb_block_range(m, (unsigned long)pb, o, &first, &end);
	bit = o >= m->pageblock_order ? (long)first :
					hbitmap_find_next(&area->map, first);
	return zone->buddy_base + ((unsigned long)bit << o);
}

/* The lowest-addressed free block of type @mt and of any order >= @order
 * (two finds per order), its order in *@best_order; ~0UL if there is
 * none. */
static unsigned long first_fit(const struct mmk_machine *m,
			       const struct zone *zone, unsigned int order,
			       int mt, unsigned int *best_order)
{
	unsigned long best = ~0UL;
	unsigned int o;

	for (o = order; o < NR_PAGE_ORDERS; o++) {
		unsigned long pfn = first_of_type(m, zone, o, mt);

		if (pfn < best) {
			best = pfn;
			*best_order = o;
		}
	}
	return best;
}

/* Take the free block at @pfn of order @high off @mt's list and split it
 * down to @low (Linux's page_del_and_expand). */
static void page_del_and_expand(struct mmk_machine *m, struct zone *zone,
				unsigned long pfn, unsigned int low,
				unsigned int high, int mt)
{
	expand(m, zone, pfn, low, high, mt,
	       del_from_free_area(m, zone, pfn, high, mt));
}

/* Address-ordered first fit within @mt: that block, split down to
 * @order. */
static long __rmqueue_smallest(struct mmk_machine *m, struct zone *zone,
			       unsigned int order, int mt)
{
	unsigned int best_o = 0;
	unsigned long best = first_fit(m, zone, order, mt, &best_o);

	if (best == ~0UL)
		return -1;
	page_del_and_expand(m, zone, best, order, best_o, mt);
	return (long)best;
}

/* ---- migrate type fallback (Linux 6.18's __rmqueue_claim/_steal) ---- */

static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* Move every free block with its head in pageblock @pb from @old's
 * lists to @new's (Linux's __move_freepages_block; the caller sets the
 * block's type). Returns the pages moved. Zone locked. */
static unsigned long move_freepages_pb(struct mmk_machine *m, struct zone *zone,
				       unsigned long pb, int old, int new)
{
	unsigned long moved = 0;
	unsigned int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &zone->free_area[o];
		unsigned long first, end, n = 0;
		long bit;

		if (!mts_test(&zone->mt_sum, mts_k(o, old), pb))
			continue;
		pb_block_range(m, pb, o, &first, &end);
		for (bit = hbitmap_find_next(&area->map, first);
		     bit >= 0 && (unsigned long)bit < end;
		     bit = hbitmap_find_next(&area->map,
					     (unsigned long)bit + 1))
			n++;
		account_free_mt(zone, area, old, -(long)n, o);
		account_free_mt(zone, area, new, (long)n, o);
		mts_clear(&zone->mt_sum, mts_k(o, old), pb);
		mts_set(&zone->mt_sum, mts_k(o, new), pb);
		moved += n << o;
	}
	return moved;
}

/* Is the pageblock at @pfn wholly inside @zone? */
static bool pageblock_in_zone(const struct mmk_machine *m,
			      const struct zone *zone, unsigned long pfn)
{
	unsigned long pbn = 1UL << m->pageblock_order;
	unsigned long start = pfn & ~(pbn - 1);

	return start >= zone->zone_start_pfn &&
	       start + pbn <= zone_end_pfn(zone);
}

/* Change the type of the pageblock at @pfn and move its free blocks;
 * the pages moved, or -1 (nothing done) if the pageblock is not wholly
 * inside the zone. */
static long move_freepages_block(struct mmk_machine *m, struct zone *zone,
				 unsigned long pfn, int old, int new)
{
	unsigned long moved;

	if (!pageblock_in_zone(m, zone, pfn))
		return -1;
	moved = move_freepages_pb(m, zone, pb_index(m, zone, pfn), old, new);
	set_pageblock_migratetype(m, pfn, new);
	return (long)moved;
}

/* Every pageblock of the block at @pfn of @order (>= pageblock_order)
 * to @mt. The block is off the free lists. */
static void change_pageblock_range(struct mmk_machine *m, unsigned long pfn,
				   unsigned int order, int mt)
{
	unsigned long n = 1UL << (order - m->pageblock_order);

	while (n--) {
		set_pageblock_migratetype(m, pfn, mt);
		pfn += 1UL << m->pageblock_order;
	}
}

static bool should_try_claim_block(const struct mmk_machine *m,
				   unsigned int order, int start_mt)
{
	return order >= m->pageblock_order / 2 ||
	       start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE;
}

/* The first fallback type with a free block of @order: -1 if none, -2
 * if @claimable and the order is too low to claim a block from. */
int find_suitable_fallback(const struct mmk_machine *m,
			   const struct free_area *area, unsigned int order,
			   int mt, bool claimable)
{
	int i;

	if (claimable && !should_try_claim_block(m, order, mt))
		return -2;
	if (!atomic_load_explicit(&area->nr_free, memory_order_relaxed))
		return -1;
	for (i = 0; i < MIGRATE_PCPTYPES - 1; i++)
		if (!free_area_empty(area, fallbacks[mt][i]))
			return fallbacks[mt][i];
	return -1;
}

/* Free pages of the pageblock at @start, from the free bitmaps (zone
 * locked). */
static unsigned long pageblock_free_pages(struct mmk_machine *m,
					  const struct zone *zone,
					  unsigned long start)
{
	unsigned long pbn = 1UL << m->pageblock_order, n = 0, p;
	unsigned int o;

	for (o = 0; o < m->pageblock_order; o++)
		for (p = start; p < start + pbn; p += 1UL << o)
			if (block_is_free(zone, p, o))
				n += 1UL << o;
	return n;
}

/* Pages of @n from @page on an LRU: racy reads of pages others own, as
 * Linux's PageLRU() scan in try_to_claim_block. Free pages have no flags. */
static __no_sanitize_thread unsigned long
pageblock_lru_pages(const struct page *page, unsigned long n)
{
	unsigned long lru = 0, i;

	for (i = 0; i < n; i++)
		lru += (page[i].flags >> PG_lru) & 1;
	return lru;
}

/* Claim the pageblock of the free block at @pfn (@current_order, on
 * @block_mt's list) for @start_mt if it is free or "alike" enough (at
 * least half of it), and allocate from it; -1 if not claimed. */
static long try_to_claim_block(struct mmk_machine *m, struct zone *zone,
			       unsigned long pfn, unsigned int current_order,
			       unsigned int order, int start_mt, int block_mt)
{
	unsigned long pbn = 1UL << m->pageblock_order, start;
	unsigned long free_pages, movable_pages, alike_pages;

	if (current_order >= m->pageblock_order) {
		bool reported = del_from_free_area(m, zone, pfn, current_order,
						   block_mt);

		change_pageblock_range(m, pfn, current_order, start_mt);
		expand(m, zone, pfn, order, current_order, start_mt, reported);
		return (long)pfn;
	}
	/* Linux boosts the watermark here so that kswapd frees a little
	 * more; with no kswapd to undo it, mmkit does not. */
	start = pfn & ~(pbn - 1);
	if (!pageblock_in_zone(m, zone, start))
		return -1;
	free_pages = pageblock_free_pages(m, zone, start);
	movable_pages = pageblock_lru_pages(m->mem_map + start, pbn);
	if (start_mt == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (block_mt == MIGRATE_MOVABLE)
		alike_pages = pbn - (free_pages + movable_pages);
	else
		alike_pages = 0;
	if (free_pages + alike_pages >= pbn / 2) {
		move_freepages_block(m, zone, start, block_mt, start_mt);
		return __rmqueue_smallest(m, zone, order, start_mt);
	}
	return -1;
}

/* A fallback block, largest first, whose pageblock can be claimed for
 * @start_mt (under ALLOC_NOFRAGMENT: whole pageblocks only). */
static long __rmqueue_claim(struct mmk_machine *m, struct zone *zone,
			    unsigned int order, int start_mt,
			    unsigned int alloc_flags)
{
	unsigned int min_order = order;
	int current_order;

	if (order < m->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = m->pageblock_order;
	for (current_order = MAX_PAGE_ORDER; current_order >= (int)min_order;
	     current_order--) {
		struct free_area *area = &zone->free_area[current_order];
		int fallback_mt = find_suitable_fallback(
			m, area, (unsigned int)current_order, start_mt, true);
		long pfn;

		if (fallback_mt == -1)
			continue;
		if (fallback_mt == -2)
			break;
		pfn = try_to_claim_block(
			m, zone,
			first_of_type(m, zone, (unsigned int)current_order,
				      fallback_mt),
			(unsigned int)current_order, order, start_mt,
			fallback_mt);
		if (pfn >= 0)
			return pfn;
	}
	return -1;
}

/* The smallest fallback block, split on its own type's lists; the
 * pageblock keeps its type. */
static long __rmqueue_steal(struct mmk_machine *m, struct zone *zone,
			    unsigned int order, int start_mt)
{
	unsigned int o;

	for (o = order; o < NR_PAGE_ORDERS; o++) {
		int fallback_mt = find_suitable_fallback(m, &zone->free_area[o],
							 o, start_mt, false);
		unsigned long pfn;

		if (fallback_mt < 0)
			continue;
		pfn = first_of_type(m, zone, o, fallback_mt);
		page_del_and_expand(m, zone, pfn, order, o, fallback_mt);
		return (long)pfn;
	}
	return -1;
}

/* Linux's rmqueue_mode: within one refill, remember which step last
 * worked and start there. */
enum rmqueue_mode { RMQUEUE_NORMAL, RMQUEUE_CLAIM, RMQUEUE_STEAL };

static long __rmqueue_mode(struct mmk_machine *m, struct zone *zone,
			   unsigned int order, int mt, unsigned int alloc_flags,
			   enum rmqueue_mode *mode)
{
	long pfn;

	switch (*mode) {
	case RMQUEUE_NORMAL:
		pfn = __rmqueue_smallest(m, zone, order, mt);
		if (pfn >= 0)
			return pfn;
		/* fall through */
	case RMQUEUE_CLAIM:
		pfn = __rmqueue_claim(m, zone, order, mt, alloc_flags);
		if (pfn >= 0) {
			*mode = RMQUEUE_NORMAL;
			return pfn;
		}
		/* fall through */
	case RMQUEUE_STEAL:
		if (!(alloc_flags & ALLOC_NOFRAGMENT)) {
			pfn = __rmqueue_steal(m, zone, order, mt);
			if (pfn >= 0) {
				*mode = RMQUEUE_STEAL;
				return pfn;
			}
		}
	}
	return -1;
}

static long __rmqueue(struct mmk_machine *m, struct zone *zone,
		      unsigned int order, int mt, unsigned int alloc_flags)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;

	return __rmqueue_mode(m, zone, order, mt, alloc_flags, &mode);
}

void mmk_free_boot_range(struct mmk_machine *m, unsigned long spfn,
			 unsigned long epfn)
{
	while (spfn < epfn) {
		struct zone *zone = mmk_pfn_zone(m, spfn);
		unsigned int order = MAX_PAGE_ORDER;

		while (order &&
		       (!IS_ALIGNED(spfn, 1UL << order) ||
			spfn + (1UL << order) > epfn ||
			mmk_pfn_zone(m, spfn + (1UL << order) - 1) != zone))
			order--;
		pthread_mutex_lock(&zone->lock);
		/* Never touched on the host: nothing to report. */
		split_large_buddy(m, zone, spfn, order, true);
		pthread_mutex_unlock(&zone->lock);
		spfn += 1UL << order;
	}
}

/* ---- watermarks ---- */

/* Free pages this request cannot use: the rest of a block of its order,
 * and free HighAtomic pages unless it may dip into reserves. */
static inline long __zone_watermark_unusable_free(const struct zone *z,
						  unsigned int order,
						  unsigned int alloc_flags)
{
	long unusable = (1L << order) - 1;

	if (!(alloc_flags & ALLOC_RESERVES))
		unusable += (long)__atomic_load_n(&z->nr_free_highatomic,
						  __ATOMIC_RELAXED);
	return unusable;
}

bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 enum zone_type highest, unsigned int alloc_flags,
			 long free_pages)
{
	long min = (long)mark;
	unsigned int o;

	free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + READ_ONCE(z->lowmem_reserve[highest]))
		return false;
	if (!order)
		return true;
	for (o = order; o < NR_PAGE_ORDERS; o++) {
		const struct free_area *area = &z->free_area[o];
		int mt;

		if (!atomic_load_explicit(&area->nr_free, memory_order_relaxed))
			continue;
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!free_area_empty(area, mt))
				return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    !free_area_empty(area, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

static inline bool zone_watermark_fast(struct zone *z, unsigned int order,
				       unsigned long mark,
				       enum zone_type highest,
				       unsigned int alloc_flags)
{
	long free_pages = (long)zone_page_state(z, NR_FREE_PAGES);

	if (!order) {
		long fast_free =
			free_pages -
			min(free_pages,
			    __zone_watermark_unusable_free(z, 0, alloc_flags));

		if (fast_free >
		    (long)mark + READ_ONCE(z->lowmem_reserve[highest]))
			return true;
	}
	return __zone_watermark_ok(z, order, mark, highest, alloc_flags,
				   free_pages);
}

bool zone_watermark_ok_safe(struct zone *z, unsigned int order,
			    unsigned long mark, enum zone_type highest)
{
	return __zone_watermark_ok(z, order, mark, highest, 0,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

/* ---- per-CPU page lists ---- */

static inline bool pcp_trylock(struct per_cpu_pages *pcp)
{
	return cpu_guard_trylock(&pcp->guard);
}

static inline void pcp_unlock(struct per_cpu_pages *pcp)
{
	cpu_guard_unlock(&pcp->guard);
}

/* Every pcp of @only (every populated zone when NULL): @z, @cpu. */
#define for_each_pcp(m, only, nid, t, z, cpu)                        \
	for_each_zone_m(m, nid, t, z)                                \
		if (populated_zone(z) && (!(only) || (z) == (only))) \
			for_each_online_cpu(m, cpu)

/* @op (cpu_guard_request, _wait or _release) on the guard of every pcp
 * of @only (every populated zone when NULL) but those of CPU @skip. */
static void pcp_guards(struct mmk_machine *m, struct zone *only,
		       const struct mmk_cpu *skip,
		       void (*op)(struct cpu_guard *))
{
	struct zone *z;
	int nid, t, cpu;

	for_each_pcp(m, only, nid, t, z, cpu) if (&m->cpus[cpu] != skip)
		op(&zone_pcp(z, cpu)->guard);
}

/* Remote side: take every pcp of @only (all zones when NULL) but CPU
 * @skip's away from its owner. Caller holds m->drain_lock. */
static void pcp_lock_remote_all(struct mmk_machine *m, struct zone *only,
				const struct mmk_cpu *skip)
{
	pcp_guards(m, only, skip, cpu_guard_request);
	cpu_guards_sync();
	pcp_guards(m, only, skip, cpu_guard_wait);
}

static void pcp_unlock_remote_all(struct mmk_machine *m, struct zone *only,
				  const struct mmk_cpu *skip)
{
	pcp_guards(m, only, skip, cpu_guard_release);
}

/* Return @count pages from @pcp's lists to the buddy allocator, starting
 * with list @pindex and going round the others; oldest (tail) pages
 * first. */
static void free_pcppages_bulk(struct mmk_machine *m, struct zone *zone,
			       int count, struct per_cpu_pages *pcp, int pindex)
{
	int have = atomic_load_explicit(&pcp->count, memory_order_relaxed);

	count = min(count, have);
	if (count <= 0)
		return;
	pindex--;
	pthread_mutex_lock(&zone->lock);
	while (count > 0) {
		struct list_head *list;
		unsigned int order;

		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex].list;
		} while (list_empty(list));
		order = pindex_to_order(pindex);
		do {
			struct page *page =
				list_last_entry(list, struct page, lru);

			list_del(&page->lru);
			count -= 1 << order;
			atomic_fetch_sub_explicit(&pcp->count, 1 << order,
						  memory_order_relaxed);
			__free_one_page(m, zone,
					(unsigned long)(page - m->mem_map),
					order, false);
		} while (count > 0 && !list_empty(list));
	}
	pthread_mutex_unlock(&zone->lock);
	page_reporting_run(m, zone);
}

/* Every change of pcp->high goes through here: it keeps free_limit, the
 * free fast path's view of high, in step. Owner side (pcp lists are on). */
static inline void pcp_set_high(struct per_cpu_pages *pcp, int high)
{
	atomic_store_explicit(&pcp->high, high, memory_order_relaxed);
	pcp->free_limit = high >= pcp->high_min ? high : 0;
}

static inline int pcp_high_clamped(struct per_cpu_pages *pcp)
{
	int high = atomic_load_explicit(&pcp->high, memory_order_relaxed);

	high = clamp(high, pcp->high_min, pcp->high_max);
	pcp_set_high(pcp, high);
	return high;
}

/* How many blocks of @order a refill takes (Linux's nr_pcp_alloc). */
static int nr_pcp_alloc(struct per_cpu_pages *pcp, struct zone *zone,
			unsigned int order)
{
	int base = pcp->batch, high = pcp_high_clamped(pcp), batch;

	if (high < base)
		return 1;
	batch = order ? base : base << pcp->alloc_factor;
	if (pcp->high_min != pcp->high_max &&
	    !(atomic_load_explicit(&zone->flags, memory_order_relaxed) &
	      ZONE_BELOW_HIGH)) {
		high = min(high + batch, pcp->high_max);
		pcp_set_high(pcp, high);
	}
	if (!order) {
		int count =
			atomic_load_explicit(&pcp->count, memory_order_relaxed);
		int max_nr = max(high - count - base, base);

		if (batch <= max_nr &&
		    pcp->alloc_factor < CONFIG_PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		batch = min(batch, max_nr);
	}
	if (batch > 1)
		batch = max(batch >> order, 2);
	return batch;
}

static int nr_pcp_high(struct per_cpu_pages *pcp, struct zone *zone, int batch,
		       bool free_high)
{
	int high = pcp_high_clamped(pcp), count;

	if (!high)
		return 0;
	if (free_high) {
		pcp_set_high(pcp,
			     max(high - (batch << CONFIG_PCP_BATCH_SCALE_MAX),
				 pcp->high_min));
		return 0;
	}
	if (pcp->high_min == pcp->high_max)
		return high;
	count = atomic_load_explicit(&pcp->count, memory_order_relaxed);
	if (atomic_load_explicit(&zone->flags, memory_order_relaxed) &
	    ZONE_BELOW_HIGH) {
		int fc = max(pcp->free_count, batch);

		pcp_set_high(pcp, max(high - fc, pcp->high_min));
		high = max(count, pcp->high_min);
	} else if (count >= high) {
		int need = pcp->free_count + batch;

		if (high < need)
			pcp_set_high(pcp,
				     clamp(need, pcp->high_min, pcp->high_max));
	}
	return high;
}

static int nr_pcp_free(struct per_cpu_pages *pcp, int batch, int high,
		       bool free_high)
{
	int count = atomic_load_explicit(&pcp->count, memory_order_relaxed);

	if (free_high)
		return min(count, batch << CONFIG_PCP_BATCH_SCALE_MAX);
	if (high < batch)
		return 1;
	return clamp(pcp->free_count, batch, high - batch);
}

/* Take @count blocks of @order from the buddy lists onto @list. */
/* For each pcp order k, the lowest free block of type @mt and order >= k
 * on the zone's buddy lists (~0UL if none): where first fit would
 * allocate an order-k block of that type next. Zone locked. */
static void zone_frontier(const struct mmk_machine *m, const struct zone *zone,
			  int mt, struct pcp_list *lists)
{
	unsigned long best = ~0UL;
	int o;

	for (o = MAX_PAGE_ORDER; o >= 0; o--) {
		best = min(best, first_of_type(m, zone, (unsigned int)o, mt));
		if (o < NR_PCP_ORDERS)
			lists[order_to_pindex(mt, (unsigned int)o)].frontier =
				best;
	}
}

/* __rmqueue_smallest() again, right after it returned @prev: every free
 * block of @order or more then starts at or above prev + (1 << @order)
 * (prev was the lowest, and what its split left is above it), so a free
 * block of such an order starting right there is the one first fit takes
 * next - usually the remainder of the block just split - and no free
 * list needs to be searched. Such a block is split only down to
 * @max_order (at least @order; its order in *@took): a run of blocks of
 * @order for the caller's list in one take, where taking them one at a
 * time would split the block and take each half back. */
static long __rmqueue_next(struct mmk_machine *m, struct zone *zone,
			   unsigned int order, int mt, unsigned int alloc_flags,
			   enum rmqueue_mode *mode, unsigned long prev,
			   unsigned int max_order, unsigned int *took)
{
	unsigned long pfn = prev + (1UL << order);
	unsigned int o, best_o = 0;

	*took = order;
	/* The free lists' bitmaps, not the struct page: the page there may
	 * be in use, its owner writing it without the zone lock. */
	if (pfn < zone_end_pfn(zone) && get_pfnblock_migratetype(m, pfn) == mt)
		for (o = order; o < NR_PAGE_ORDERS && IS_ALIGNED(pfn, 1UL << o);
		     o++) {
			if (!block_is_free(zone, pfn, o))
				continue;
			VM_BUG_ON_PAGE(first_fit(m, zone, order, mt, &best_o) !=
						       pfn ||
					       best_o != o,
				       m->mem_map + pfn);
			*took = min(o, max_order);
			page_del_and_expand(m, zone, pfn, *took, o, mt);
			return (long)pfn;
		}
	return __rmqueue_mode(m, zone, order, mt, alloc_flags, mode);
}

/* Take @count blocks of @order and type @mt onto @list and refresh the
 * frontier of @mt's lists (see free_frozen_page_commit). The list gets
 * them in address order, as one __rmqueue() per block would. */
static int rmqueue_bulk(struct mmk_machine *m, struct zone *zone,
			unsigned int order, int count, struct list_head *list,
			int mt, unsigned int alloc_flags,
			struct pcp_list *lists)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	/* Runs taken from memory the host does not back, backed after the
	 * lock when the zone is past cfg.populate_pcp_above (page_reporting.c
	 * says why). */
	struct {
		unsigned long pfn, pages;
	} fill[4];
	int nfill = 0, f;
	bool ahead;
	long pfn = -1;
	int i = 0;

	pthread_mutex_lock(&zone->lock);
	ahead = m->cfg.populate_pcp_above &&
		zone_managed_pages(zone) >
			zone->reported_pages + m->cfg.populate_pcp_above;
	while (i < count) {
		/* The largest run of blocks of @order that fits what is
		 * left, within a pageblock (a block's type is its
		 * pageblock's); @order itself at least. */
		unsigned int left =
			(unsigned int)fls_long((unsigned long)(count - i));
		unsigned int took = order,
			     max_order = max(min(order + left - 1,
						 m->pageblock_order),
					     order);
		unsigned long k;

		zone->took_reported = false;
		pfn = pfn < 0 ? __rmqueue_mode(m, zone, order, mt, alloc_flags,
					       &mode) :
				__rmqueue_next(m, zone, order, mt, alloc_flags,
					       &mode, (unsigned long)pfn,
					       max_order, &took);
		if (pfn < 0)
			break;
		for (k = 0; k < 1UL << (took - order); k++)
			list_add_tail(&m->mem_map[pfn + (k << order)].lru,
				      list);
		i += 1 << (took - order);
		if (ahead && zone->took_reported) {
			if (nfill &&
			    fill[nfill - 1].pfn + fill[nfill - 1].pages ==
				    (unsigned long)pfn)
				fill[nfill - 1].pages += 1UL << took;
			else if (nfill < (int)ARRAY_SIZE(fill)) {
				fill[nfill].pfn = (unsigned long)pfn;
				fill[nfill++].pages = 1UL << took;
			}
		}
		/* The last block taken, for __rmqueue_next(). */
		pfn += (long)((1UL << took) - (1UL << order));
	}
	zone_frontier(m, zone, mt, lists);
	pthread_mutex_unlock(&zone->lock);
	for (f = 0; f < nfill; f++)
		mmk_host_populate(mmk_phys_to_virt(m, (phys_addr_t)fill[f].pfn
							      << PAGE_SHIFT),
				  fill[f].pages << PAGE_SHIFT);
	return i;
}

static struct page *rmqueue_pcplist(struct mmk_machine *m, struct zone *zone,
				    unsigned int order, int mt,
				    unsigned int alloc_flags,
				    struct mmk_cpu *cpu)
{
	struct per_cpu_pages *pcp = zone_pcp(zone, cpu->id);
	struct list_head *list = &pcp->lists[order_to_pindex(mt, order)].list;
	struct page *page;

	if (!pcp_trylock(pcp))
		return NULL;
	pcp->free_count >>= 1;
	if (unlikely(list_empty(list))) {
		int n = rmqueue_bulk(m, zone, order,
				     nr_pcp_alloc(pcp, zone, order), list, mt,
				     alloc_flags, pcp->lists);

		atomic_fetch_add_explicit(&pcp->count, n << order,
					  memory_order_relaxed);
		if (!n) {
			pcp_unlock(pcp);
			return NULL;
		}
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	atomic_store_explicit(&pcp->count,
			      atomic_load_explicit(&pcp->count,
						   memory_order_relaxed) -
				      (1 << order),
			      memory_order_relaxed);
	pcp_unlock(pcp);
	return page;
}

static struct page *rmqueue_buddy(struct mmk_machine *m, struct zone *zone,
				  unsigned int order, int mt,
				  unsigned int alloc_flags)
{
	long pfn = -1;

	pthread_mutex_lock(&zone->lock);
	if (order && (alloc_flags & ALLOC_HIGHATOMIC))
		pfn = __rmqueue_smallest(m, zone, order, MIGRATE_HIGHATOMIC);
	if (pfn < 0)
		pfn = __rmqueue(m, zone, order, mt, alloc_flags);
	/* Nothing else left: atomic and OOM requests may take the
	 * HighAtomic reserve, whatever their order. */
	if (pfn < 0 && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
		pfn = __rmqueue_smallest(m, zone, order, MIGRATE_HIGHATOMIC);
	mmk_ctx.took_unbacked = pfn >= 0 && zone->took_reported;
	pthread_mutex_unlock(&zone->lock);
	return pfn < 0 ? NULL : m->mem_map + pfn;
}

static inline struct page *rmqueue(struct mmk_machine *m, struct zone *zone,
				   unsigned int order, int mt,
				   unsigned int alloc_flags)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;

	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER && cpu && m->pcp_enabled)) {
		struct page *page =
			rmqueue_pcplist(m, zone, order, mt, alloc_flags, cpu);

		if (likely(page))
			return page;
	}
	return rmqueue_buddy(m, zone, order, mt, alloc_flags);
}

/* Free to this CPU's list; flush a batch once the list passes high. */
static bool free_frozen_page_commit(struct mmk_machine *m, struct zone *zone,
				    struct page *page, unsigned int order,
				    int mt, struct mmk_cpu *cpu)
{
	struct per_cpu_pages *pcp = zone_pcp(zone, cpu->id);
	unsigned int pindex = order_to_pindex(mt, order);
	bool free_high = false;
	int count, high, batch;

	/* A page above the lowest free buddy memory (as of the last refill)
	 * goes back to the buddy lists: there it merges, and first fit hands
	 * out the lower memory first. Caching it here instead would pin the
	 * live set where it is (bench: fragmentation). */
	if ((unsigned long)(page - m->mem_map) > pcp->lists[pindex].frontier)
		return false;
	if (!pcp_trylock(pcp))
		return false;
	batch = pcp->batch; /* under the guard: zone_pcp_update_all */
	pcp->alloc_factor >>= 1;
	owner_add(&pcp->free_pages, 1UL << order);
	list_add(&page->lru, &pcp->lists[pindex].list);
	count = atomic_load_explicit(&pcp->count, memory_order_relaxed) +
		(1 << order);
	atomic_store_explicit(&pcp->count, count, memory_order_relaxed);
	if (order) {
		free_high = pcp->free_count >= batch + pcp->high_min / 2 &&
			    (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER);
		pcp->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else {
		pcp->flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < (batch << CONFIG_PCP_BATCH_SCALE_MAX))
		pcp->free_count += 1 << order;
	/* Common case: below an already clamped high (count < free_limit
	 * says count < high && high >= high_min), zone not below its high
	 * watermark; nr_pcp_high() would change nothing. */
	if (likely(!free_high && count < pcp->free_limit &&
		   !(atomic_load_explicit(&zone->flags, memory_order_relaxed) &
		     ZONE_BELOW_HIGH))) {
		pcp_unlock(pcp);
		return true;
	}
	high = nr_pcp_high(pcp, zone, batch, free_high);
	if (count >= high) {
		free_pcppages_bulk(m, zone,
				   nr_pcp_free(pcp, batch, high, free_high),
				   pcp, (int)pindex);
		if ((atomic_load_explicit(&zone->flags, memory_order_relaxed) &
		     ZONE_BELOW_HIGH) &&
		    zone_watermark_fast(zone, 0, high_wmark_pages(zone),
					ZONE_MOVABLE, 0))
			atomic_fetch_and(&zone->flags, ~ZONE_BELOW_HIGH);
	}
	pcp_unlock(pcp);
	return true;
}

static void mmk_drain_all_pages(struct mmk_machine *m, struct zone *zone)
{
	struct zone *z;
	int nid, t, cpu, count;

	pthread_mutex_lock(&m->drain_lock);
	pcp_lock_remote_all(m, zone, NULL);
	for_each_pcp(m, zone, nid, t, z, cpu)
	{
		struct per_cpu_pages *pcp = zone_pcp(z, cpu);

		while ((count = atomic_load_explicit(&pcp->count,
						     memory_order_relaxed)) > 0)
			free_pcppages_bulk(m, z, count, pcp, 0);
	}
	pcp_unlock_remote_all(m, zone, NULL);
	pthread_mutex_unlock(&m->drain_lock);
}

void drain_all_pages(struct zone *zone)
{
	struct mmk_machine *m = mmk_cur();

	if (m)
		mmk_drain_all_pages(m, zone);
}

/* ---- allocation ---- */

static const char *const bad_flags_reason =
	"PAGE_FLAGS_CHECK_AT_FREE flag(s) set";

#define PAGE_FLAGS_CHECK_AT_FREE                                               \
	((1UL << PG_lru) | (1UL << PG_locked) | (1UL << PG_private) |          \
	 (1UL << PG_private_2) | (1UL << PG_writeback) |                       \
	 (1UL << PG_reserved) | (1UL << PG_active) | (1UL << PG_unevictable) | \
	 (1UL << PG_mlocked))

/* Linux's page_bad_reason(): later checks overwrite earlier ones. */
static const char *page_bad_reason(const struct page *page, unsigned long flags)
{
	const char *reason = NULL;

	if (page_type_of(page) < PGTY_buddy && page_mapcount(page) != 0)
		reason = "nonzero mapcount";
	if (page->mapping)
		reason = "non-NULL mapping";
	if (page_ref_count(page) != 0)
		reason = "nonzero _refcount";
	if (page->flags & flags)
		reason = flags == ~0UL ?
				 "PAGE_FLAGS_CHECK_AT_PREP flag(s) set" :
				 bad_flags_reason;
	return reason;
}

static void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	set_page_flag(page, PG_head);
	for (i = 1; i < nr; i++)
		page[i].compound_head = (unsigned long)page + 1;
	page[1].compound_order = (unsigned char)order;
}

/* Ready a block taken off a free list; false if its head is corrupt
 * (reported, and the block is leaked as Linux's check_new_page does). */
static bool prep_new_page(struct mmk_machine *m, struct page *page,
			  unsigned int order, gfp_t gfp)
{
	if (MMK_DEBUG) {
		const char *reason = page_bad_reason(page, ~0UL);

		if (unlikely(reason || page->mmk_alloc)) {
			bad_page(m, page,
				 reason ? reason : "allocation record set");
			return false;
		}
	}
	atomic_store_explicit(&page->_refcount, 1, memory_order_relaxed);
	page->mmk_alloc = order + 1;
	if (gfp & __GFP_ZERO)
		memset((char *)m->phys.base +
			       ((size_t)(page - m->mem_map) << PAGE_SHIFT),
		       0, PAGE_SIZE << order);
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
	return true;
}

static void zone_statistics(struct mmk_machine *m, struct zone *preferred,
			    struct zone *z, unsigned int order)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	int local_nid = cpu ? cpu->node : 0;
	int znid = z->zone_pgdat->node_id;
	enum numa_stat_item hit =
		znid == preferred->zone_pgdat->node_id ? NUMA_HIT : NUMA_MISS;
	enum numa_stat_item where = znid == local_nid ? NUMA_LOCAL : NUMA_OTHER;

	if (cpu) {
		atomic_ulong *c = zone_pcp(z, cpu->id)->numa;

		owner_add(&c[hit], 1);
		owner_add(&c[where], 1);
	} else {
		atomic_fetch_add_explicit(&z->vm_numa_event[hit], 1,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&z->vm_numa_event[where], 1,
					  memory_order_relaxed);
	}
	if (hit == NUMA_MISS)
		atomic_fetch_add_explicit(
			&preferred->vm_numa_event[NUMA_FOREIGN], 1,
			memory_order_relaxed);
	count_vm_events(m, PGALLOC_BASE + z->idx, 1UL << order);
}

/* ---- the HighAtomic reserve ---- */

/* A high-order atomic allocation succeeded: reserve its pageblock for
 * the next ones, up to about 1% of the zone. */
static void reserve_highatomic_pageblock(struct mmk_machine *m,
					 struct page *page, unsigned int order,
					 struct zone *zone)
{
	unsigned long pbn = 1UL << m->pageblock_order, max_managed;
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	bool changed = false;
	int mt;

	if (zone_managed_pages(zone) / 100 < pbn)
		return;
	max_managed = ALIGN(zone_managed_pages(zone) / 100, pbn);
	if (READ_ONCE(zone->nr_reserved_highatomic) >= max_managed)
		return;
	pthread_mutex_lock(&zone->lock);
	mt = get_pfnblock_migratetype(m, pfn);
	if (zone->nr_reserved_highatomic < max_managed &&
	    migratetype_is_mergeable(mt)) {
		if (order < m->pageblock_order) {
			if (move_freepages_block(m, zone, pfn, mt,
						 MIGRATE_HIGHATOMIC) < 0)
				goto out;
			WRITE_ONCE(zone->nr_reserved_highatomic,
				   zone->nr_reserved_highatomic + pbn);
		} else {
			change_pageblock_range(m, pfn, order,
					       MIGRATE_HIGHATOMIC);
			WRITE_ONCE(zone->nr_reserved_highatomic,
				   zone->nr_reserved_highatomic +
					   (1UL << order));
		}
		changed = true;
	}
out:
	pthread_mutex_unlock(&zone->lock);
	if (changed)
		page_alloc_fast_path_update(m);
}

/* Memory is short: give one reserved pageblock (its free pages) to
 * @ac's type. Without @force, each zone keeps one pageblock. */
static bool unreserve_highatomic_pageblock(struct mmk_machine *m,
					   const struct alloc_context *ac,
					   bool force)
{
	unsigned long pbn = 1UL << m->pageblock_order;
	struct zone **zp;

	for (zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *zone = *zp;
		unsigned int o;
		bool done = false;

		if (!zone_in_alloc_context(*zp, ac))
			continue;
		if (!force && READ_ONCE(zone->nr_reserved_highatomic) <= pbn)
			continue;
		pthread_mutex_lock(&zone->lock);
		for (o = 0; o < NR_PAGE_ORDERS && !done; o++) {
			unsigned long pfn, size = max(pbn, 1UL << o);

			pfn = first_of_type(m, zone, o, MIGRATE_HIGHATOMIC);
			if (pfn == ~0UL)
				continue;
			/* Read without the lock above (a heuristic). */
			WRITE_ONCE(zone->nr_reserved_highatomic,
				   zone->nr_reserved_highatomic -
					   min(size,
					       zone->nr_reserved_highatomic));
			zone->nr_highatomic_unreserved++;
			if (o < m->pageblock_order) {
				done = move_freepages_block(
					       m, zone, pfn & ~(pbn - 1),
					       MIGRATE_HIGHATOMIC,
					       ac->migratetype) > 0;
			} else {
				move_freepages_pb(m, zone,
						  pb_index(m, zone, pfn),
						  MIGRATE_HIGHATOMIC,
						  ac->migratetype);
				change_pageblock_range(m, pfn, o,
						       ac->migratetype);
				done = true;
			}
		}
		pthread_mutex_unlock(&zone->lock);
		if (done) {
			page_alloc_fast_path_update(m);
			return true;
		}
	}
	return false;
}

static struct page *get_page_from_freelist(struct mmk_machine *m, gfp_t gfp,
					   unsigned int order,
					   unsigned int alloc_flags,
					   const struct alloc_context *ac)
{
	struct zone **zp;
	bool no_fallback;

restart:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	for (zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *zone = *zp;
		struct page *page;
		unsigned long mark;

		if (zone->idx > ac->highest_zoneidx)
			continue;
		if (ac->nodemask &&
		    !(ac->nodemask & (1UL << zone->zone_pgdat->node_id)))
			continue;
		/* Fragmenting a local zone beats going to another node. */
		if (no_fallback && m->nr_nodes > 1 &&
		    zone->zone_pgdat->node_id !=
			    ac->preferred_zone->zone_pgdat->node_id) {
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			goto restart;
		}
retry:
		if (!(atomic_load_explicit(&zone->flags, memory_order_relaxed) &
		      ZONE_BELOW_HIGH)) {
			if (!zone_watermark_fast(
				    zone, order, high_wmark_pages(zone),
				    ac->highest_zoneidx, alloc_flags))
				atomic_fetch_or(&zone->flags, ZONE_BELOW_HIGH);
		}
		mark = wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK);
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_fast(zone, order, mark, ac->highest_zoneidx,
					 alloc_flags)) {
			/* Short: bring in deferred memory and look again. */
			if (unlikely(zone_has_deferred(zone)) &&
			    deferred_grow_zone(m, zone))
				goto retry;
			continue;
		}
		while ((page = rmqueue(m, zone, order, ac->migratetype,
				       alloc_flags))) {
			if (likely(prep_new_page(m, page, order, gfp))) {
				zone_statistics(m, ac->preferred_zone, zone,
						order);
				if (unlikely(alloc_flags & ALLOC_HIGHATOMIC))
					reserve_highatomic_pageblock(
						m, page, order, zone);
				return page;
			}
		}
		if (unlikely(zone_has_deferred(zone)) &&
		    deferred_grow_zone(m, zone))
			goto retry;
	}
	/* No whole pageblock anywhere: fragment one after all. */
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		goto restart;
	}
	return NULL;
}

/* Linux's GFP_ZONE_TABLE for this architecture: the highest zone each
 * combination of zone modifiers may use; -1 for the invalid ones. */
static void init_gfp_zone_table(struct mmk_machine *m)
{
	bool i386 = m->arch->arch == MMK_ARCH_I386;
	unsigned int bits;

	for (bits = 0; bits < 16; bits++)
		m->gfp_zone_table[bits] = -1;
	m->gfp_zone_table[0] = ZONE_NORMAL;
	m->gfp_zone_table[__GFP_MOVABLE] = ZONE_NORMAL;
	m->gfp_zone_table[__GFP_DMA] = ZONE_DMA;
	m->gfp_zone_table[__GFP_DMA | __GFP_MOVABLE] = ZONE_DMA;
	m->gfp_zone_table[__GFP_HIGHMEM] = i386 ? ZONE_HIGHMEM : ZONE_NORMAL;
	m->gfp_zone_table[__GFP_DMA32] = i386 ? ZONE_NORMAL : ZONE_DMA32;
	m->gfp_zone_table[__GFP_DMA32 | __GFP_MOVABLE] = i386 ? ZONE_NORMAL :
								ZONE_DMA32;
	m->gfp_zone_table[__GFP_HIGHMEM | __GFP_MOVABLE] = ZONE_MOVABLE;
}

unsigned int gfp_zone_of(struct mmk_machine *m, gfp_t gfp, bool *valid)
{
	int t = m->gfp_zone_table[gfp & GFP_ZONEMASK];

	*valid = t >= 0;
	return t >= 0 ? (unsigned int)t : ZONE_DMA;
}

static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_MIN_RESERVE;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		alloc_flags |= ALLOC_KSWAPD;
	if (!(gfp & __GFP_DIRECT_RECLAIM) && !(gfp & __GFP_NOMEMALLOC)) {
		alloc_flags |= ALLOC_NON_BLOCK;
		if (order > 0 && (alloc_flags & ALLOC_MIN_RESERVE))
			alloc_flags |= ALLOC_HIGHATOMIC;
	}
	return alloc_flags;
}

/* Whether some ZONE_DMA has memory (Linux's has_managed_dma()). */
static bool has_managed_dma(struct mmk_machine *m)
{
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++)
		if (zone_managed_pages(
			    &m->node_data[nid]->node_zones[ZONE_DMA]))
			return true;
	return false;
}

static bool oom_reserves_allowed(const struct mmk_machine *m);

void warn_alloc(struct mmk_machine *m, gfp_t gfp, unsigned long nodemask,
		const char *fmt, ...)
{
	char names[256], msg[256], nodes[192];
	unsigned long filter = nodemask;
	va_list ap;

	if ((gfp & __GFP_NOWARN) || !__ratelimit(m, &m->nopage_rs, __func__) ||
	    ((gfp & __GFP_DMA) && !has_managed_dma(m)))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	format_gfp(gfp, names, sizeof names);
	nodemask_str(nodes, sizeof nodes, nodemask);
	printk(m, "mmkit: %s, mode:%#x(%s), nodemask=%s", msg, gfp, names,
	       nodes);
	/* warn_alloc_show_mem(), without a stack dump: the nodes outside
	 * the mask are left out, except for a request that may not reclaim
	 * and for an OOM victim's (unless __GFP_NOMEMALLOC). */
	if (!(gfp & __GFP_DIRECT_RECLAIM) ||
	    (!(gfp & __GFP_NOMEMALLOC) && oom_reserves_allowed(m)))
		filter = 0;
	if (m->show_mem)
		m->show_mem(m, gfp, filter);
}

static void wake_all_kswapds(struct mmk_machine *m, unsigned int order,
			     const struct alloc_context *ac)
{
	struct zone **zp;

	if (!m->wakeup_kswapd)
		return;
	for (zp = ac->zonelist->zones; *zp; zp++)
		if ((*zp)->idx <= ac->highest_zoneidx)
			m->wakeup_kswapd(m, *zp, order, ac->highest_zoneidx);
}

/*
 * Linux's __alloc_pages_may_oom(): one more try at the high watermark (a
 * kill elsewhere may have freed memory), then the OOM killer, unless the
 * request may fail instead: a costly order, __GFP_RETRY_MAYFAIL, a lowmem
 * zone (GFP_DMA, GFP_DMA32: killing would hardly help them) or
 * __GFP_THISNODE.
 */
static struct page *__alloc_pages_may_oom(struct mmk_machine *m, gfp_t gfp,
					  unsigned int order,
					  const struct alloc_context *ac,
					  bool *progress)
{
	struct page *page;

	*progress = false;
	page = get_page_from_freelist(m, gfp, order, ALLOC_WMARK_HIGH, ac);
	if (page || !m->out_of_memory)
		return page;
	if (order > PAGE_ALLOC_COSTLY_ORDER || (gfp & __GFP_RETRY_MAYFAIL) ||
	    ac->highest_zoneidx < ZONE_NORMAL || (gfp & __GFP_THISNODE))
		return NULL;
	*progress = m->out_of_memory(m, gfp, order, ac->nodemask);
	return NULL;
}

static bool oom_reserves_allowed(const struct mmk_machine *m)
{
	return m->oom_reserves_allowed && m->oom_reserves_allowed();
}

/* Linux's __alloc_pages_direct_reclaim(): reclaim, then try again; the
 * first failure after progress also drains the per-CPU lists and gives
 * back a HighAtomic pageblock. */
static struct page *__alloc_pages_direct_reclaim(struct mmk_machine *m,
						 gfp_t gfp, unsigned int order,
						 unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 unsigned long *progress)
{
	struct page *page;

	*progress = m->try_to_free_pages ?
			    m->try_to_free_pages(m, ac->zonelist, order, gfp,
						 ac->highest_zoneidx) :
			    0;
	if (!*progress)
		return NULL;
	page = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	if (!page) {
		unreserve_highatomic_pageblock(m, ac, false);
		mmk_drain_all_pages(m, NULL);
		page = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	}
	return page;
}

/* should_reclaim_retry(): go round again while some zone's free pages
 * plus what reclaim could still free there would meet its min
 * watermark, for at most MAX_RECLAIM_RETRIES rounds in a row without
 * progress. */
#define MAX_RECLAIM_RETRIES 16
static bool should_reclaim_retry(struct mmk_machine *m, unsigned int order,
				 unsigned int alloc_flags,
				 const struct alloc_context *ac,
				 unsigned long progress, int *no_progress_loops)
{
	struct zone **zp;

	if (progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		++*no_progress_loops;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES ||
	    !m->zone_reclaimable_pages)
		return false;
	for (zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *z = *zp;
		long available;

		if (!zone_in_alloc_context(z, ac))
			continue;
		available = (long)(m->zone_reclaimable_pages(z) +
				   zone_page_state(z, NR_FREE_PAGES));
		if (__zone_watermark_ok(z, order, min_wmark_pages(z),
					ac->highest_zoneidx, alloc_flags,
					available))
			return true;
	}
	return false;
}

/*
 * Linux's __alloc_pages_direct_compact(): compact the zonelist's zones
 * (mm/compaction.c, through the machine's hook), then try again;
 * compact_stall counts every run that was not skipped, compact_success
 * and compact_fail what the allocation then did.
 */
static struct page *__alloc_pages_direct_compact(struct mmk_machine *m,
						 gfp_t gfp, unsigned int order,
						 unsigned int alloc_flags,
						 const struct alloc_context *ac,
						 enum compact_priority prio,
						 enum compact_result *result)
{
	struct page *page;

	*result = COMPACT_SKIPPED;
	if (!order || !m->compaction)
		return NULL;
	*result = m->compaction->try_to_compact_pages(m, gfp, order,
						      alloc_flags, ac, prio);
	if (*result == COMPACT_SKIPPED)
		return NULL;
	count_vm_events(m, COMPACTSTALL, 1);
	page = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	if (page) {
		/* The zone's deferral ends, and its skip bits stay
		 * (compact_blockskip_flush cleared). */
		m->compaction->defer_reset(mmk_pfn_zone(m, page_to_pfn(page)),
					   (int)order, true);
		count_vm_events(m, COMPACTSUCCESS, 1);
		return page;
	}
	count_vm_events(m, COMPACTFAIL, 1);
	return NULL;
}

/* should_compact_retry(): retry a failed compaction at a higher
 * priority (down to SYNC_LIGHT for costly orders, SYNC_FULL for the
 * others), or, when it thinks the allocation should have worked, a few
 * times at the same; skipped for lack of free pages: while reclaim
 * could give it enough. */
#define MAX_COMPACT_RETRIES 16
static bool should_compact_retry(struct mmk_machine *m,
				 const struct alloc_context *ac,
				 unsigned int order, unsigned int alloc_flags,
				 enum compact_result result,
				 enum compact_priority *prio, int *retries)
{
	int max_retries = MAX_COMPACT_RETRIES;
	enum compact_priority min_prio;

	if (!order || !m->compaction)
		return false;
	if (result == COMPACT_SKIPPED)
		return m->compaction->zonelist_suitable(m, ac, (int)order,
							alloc_flags);
	if (result == COMPACT_SUCCESS) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++*retries <= max_retries)
			return true;
	}
	min_prio = order > PAGE_ALLOC_COSTLY_ORDER ?
			   MIN_COMPACT_COSTLY_PRIORITY :
			   MIN_COMPACT_PRIORITY;
	if (*prio > min_prio) {
		(*prio)--;
		*retries = 0;
		return true;
	}
	return false;
}

static struct page *__alloc_pages_slowpath(struct mmk_machine *m, gfp_t gfp,
					   unsigned int order,
					   const struct alloc_context *ac)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp, order);
	enum compact_priority compact_priority = DEF_COMPACT_PRIORITY;
	enum compact_result compact_result = COMPACT_SKIPPED;
	bool costly = order > PAGE_ALLOC_COSTLY_ORDER;
	/* gfp_compaction_allowed(), on a machine with compaction (a
	 * kernel-allocators-only one has none: CONFIG_COMPACTION=n). */
	bool can_compact = (gfp & __GFP_IO) && m->compaction;
	int no_progress_loops = 0, compaction_retries = 0;
	unsigned long reclaimed;
	struct page *page;
	bool progress;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(m, order, ac);
	page = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
	if (page)
		return page;
	/* Costly orders, and high orders that are not movable (compaction
	 * keeps them out of other types' pageblocks), compact before they
	 * reclaim: the base pages may well be there. Not when the request
	 * may ignore the watermarks, which it has not tried yet. */
	if ((gfp & __GFP_DIRECT_RECLAIM) && can_compact &&
	    (costly || (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !(gfp & __GFP_MEMALLOC) && !oom_reserves_allowed(m)) {
		page = __alloc_pages_direct_compact(m, gfp, order, alloc_flags,
						    ac, INIT_COMPACT_PRIORITY,
						    &compact_result);
		if (page)
			return page;
		/* A costly __GFP_NORETRY request (THP faults) gives up when
		 * compaction could not run or is deferred there. */
		if (costly && (gfp & __GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED ||
			    compact_result == COMPACT_DEFERRED)
				goto nopage;
			compact_priority = INIT_COMPACT_PRIORITY;
		}
	}
retry:
	/* __gfp_pfmemalloc_flags(): __GFP_MEMALLOC ignores the watermarks,
	 * the OOM killer's victim may dip into half of the min reserve. */
	if (!(gfp & __GFP_NOMEMALLOC)) {
		unsigned int reserve = 0;

		if (gfp & __GFP_MEMALLOC)
			reserve = ALLOC_NO_WATERMARKS;
		else if (oom_reserves_allowed(m))
			reserve = ALLOC_OOM;
		if (reserve) {
			alloc_flags = reserve | (alloc_flags & ALLOC_KSWAPD);
			page = get_page_from_freelist(m, gfp, order,
						      alloc_flags, ac);
			if (page)
				return page;
		}
	}
	if (!(gfp & __GFP_DIRECT_RECLAIM))
		goto nopage;
	page = __alloc_pages_direct_reclaim(m, gfp, order, alloc_flags, ac,
					    &reclaimed);
	if (page)
		return page;
	if (can_compact) {
		page = __alloc_pages_direct_compact(m, gfp, order, alloc_flags,
						    ac, compact_priority,
						    &compact_result);
		if (page)
			return page;
	}
	if (!(gfp & __GFP_NORETRY) &&
	    (order <= PAGE_ALLOC_COSTLY_ORDER || (gfp & __GFP_RETRY_MAYFAIL)) &&
	    should_reclaim_retry(m, order, alloc_flags, ac, reclaimed,
				 &no_progress_loops))
		goto retry;
	/* Compaction depends on free base pages: it is worth another
	 * round only while reclaim makes progress. */
	if (!(gfp & __GFP_NORETRY) &&
	    (!costly || (gfp & __GFP_RETRY_MAYFAIL)) && reclaimed &&
	    can_compact &&
	    should_compact_retry(m, ac, order, alloc_flags, compact_result,
				 &compact_priority, &compaction_retries))
		goto retry;
	/* What direct reclaim does when it frees nothing: give back a
	 * HighAtomic pageblock (all but the last), drain the per-CPU lists
	 * and try once more; then, as should_reclaim_retry(), unreserve
	 * whatever is left. */
	unreserve_highatomic_pageblock(m, ac, false);
	mmk_drain_all_pages(m, NULL);
	do {
		page = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
		if (page)
			return page;
	} while (unreserve_highatomic_pageblock(m, ac, true));
	if (gfp & __GFP_NORETRY)
		goto nopage;
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		goto nopage;
	page = __alloc_pages_may_oom(m, gfp, order, ac, &progress);
	if (page)
		return page;
	/* The victim itself stops once the reserve is spent. */
	if (oom_reserves_allowed(m) &&
	    ((alloc_flags & ALLOC_OOM) || (gfp & __GFP_NOMEMALLOC)))
		goto nopage;
	/* Every round of progress killed a process: the loop ends. */
	if (progress)
		goto retry;
nopage:
	if (gfp & __GFP_NOFAIL) {
		/* Linux 6.12+: every __GFP_NOFAIL user must be able to
		 * block, and a costly order is frowned on (WARN_ON_ONCE_GFP:
		 * silent with __GFP_NOWARN); one that cannot block fails. */
		if (!(gfp & __GFP_DIRECT_RECLAIM)) {
			if (!(gfp & __GFP_NOWARN))
				printk(m,
				       "WARNING: __alloc_pages_slowpath: __GFP_NOFAIL without __GFP_DIRECT_RECLAIM (gfp %#x)",
				       gfp);
			goto fail;
		}
		if (order > PAGE_ALLOC_COSTLY_ORDER && !(gfp & __GFP_NOWARN))
			printk(m,
			       "WARNING: __alloc_pages_slowpath: __GFP_NOFAIL of costly order %u",
			       order);
		mmk_drain_all_pages(m, NULL);
		page = get_page_from_freelist(
			m, gfp, order, alloc_flags | ALLOC_NO_WATERMARKS, ac);
		if (page)
			return page;
		printk(m,
		       "mmkit: __GFP_NOFAIL allocation of order %u failed: memory exhausted and nothing left to kill",
		       order);
	}
fail:
	warn_alloc(m, gfp, ac->nodemask, "page allocation failure: order:%u",
		   order);
	return NULL;
}

/* Linux's alloc_flags_nofragment() (CONFIG_ZONE_DMA32 kernels, so
 * x86_64): a request that prefers ZONE_NORMAL, on a node with DMA32
 * memory, first looks for whole free pageblocks in every zone before
 * it splits another type's pageblock. */
static unsigned int alloc_flags_nofragment(const struct mmk_machine *m,
					   const struct zone *preferred)
{
	if (m->arch->arch != MMK_ARCH_X86_64 || preferred->idx != ZONE_NORMAL)
		return 0;
	if (m->nr_nodes == 1 ||
	    populated_zone(&preferred->zone_pgdat->node_zones[ZONE_DMA32]))
		return ALLOC_NOFRAGMENT;
	return 0;
}

struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid,
			   unsigned long nodemask)
{
	struct mmk_machine *m = mmk_cur();
	struct alloc_context ac;
	struct zone **zp;
	struct page *page;
	bool valid;

	if (unlikely(!m))
		return NULL;
	/* WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER, gfp) */
	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN) &&
		    warn_once(m, WARN_ONCE_ALLOC_ORDER))
			printk(m,
			       "WARNING: alloc_pages: order %u > MAX_PAGE_ORDER %d",
			       order, MAX_PAGE_ORDER);
		return NULL;
	}
	if (unlikely(preferred_nid < 0 || preferred_nid >= m->nr_nodes)) {
		printk(m, "WARNING: alloc_pages: node %d is not online",
		       preferred_nid);
		return NULL;
	}
	ac.highest_zoneidx = (enum zone_type)gfp_zone_of(m, gfp, &valid);
	if (unlikely(!valid)) {
		printk(m, "WARNING: alloc_pages: invalid zone modifiers %#x",
		       gfp & GFP_ZONEMASK);
		return NULL;
	}
	ac.migratetype = gfp_migratetype(gfp);
	if (unlikely(ac.migratetype >= MIGRATE_PCPTYPES)) {
		printk(m,
		       "WARNING: alloc_pages: __GFP_MOVABLE and __GFP_RECLAIMABLE together");
		return NULL;
	}
	if (unlikely(atomic_load_explicit(&m->fail[MMK_FAIL_PAGE_ALLOC].active,
					  memory_order_relaxed)) &&
	    should_fail_alloc_page(m, gfp, order))
		return NULL;
	/* Linux's ZONELIST_NOFALLBACK: the preferred node's zones only. */
	if (gfp & __GFP_THISNODE) {
		if (nodemask && !(nodemask & (1UL << preferred_nid))) {
			warn_alloc(m, gfp, nodemask,
				   "page allocation failure: order:%u", order);
			return NULL;
		}
		nodemask = 1UL << preferred_nid;
	}
	ac.zonelist = &m->node_data[preferred_nid]->node_zonelist;
	ac.nodemask = nodemask;
	ac.preferred_zone = NULL;
	for (zp = ac.zonelist->zones; *zp; zp++)
		if ((*zp)->idx <= ac.highest_zoneidx &&
		    (!nodemask ||
		     (nodemask & (1UL << (*zp)->zone_pgdat->node_id)))) {
			ac.preferred_zone = *zp;
			break;
		}
	if (unlikely(!ac.preferred_zone)) {
		warn_alloc(m, gfp, nodemask,
			   "page allocation failure: order:%u", order);
		return NULL;
	}
	page = get_page_from_freelist(
		m, gfp, order,
		ALLOC_WMARK_LOW | alloc_flags_nofragment(m, ac.preferred_zone),
		&ac);
	if (likely(page))
		return page;
	return __alloc_pages_slowpath(m, gfp, order, &ac);
}

static noinline __cold struct page *alloc_pages_slow(gfp_t gfp,
						     unsigned int order)
{
	return __alloc_pages(gfp, order, numa_node_id(), 0);
}

/* The fast path took @page off a pcp list, but @gfp wants more than the
 * refcount and the allocation record (or MMK_DEBUG checks the page). A
 * corrupt page is reported and leaked; the full path then tries again. */
static noinline __cold struct page *
alloc_pages_prep(struct page *page, gfp_t gfp, unsigned int order)
{
	if (likely(prep_new_page(mmk_ctx.m, page, order, gfp)))
		return page;
	return alloc_pages_slow(gfp, order);
}

/*
 * The allocation fast path: a CPU-owning thread, order <= 3, no fault
 * injection, valid zone modifiers, a preferred zone on the CPU's own node
 * (so __GFP_THISNODE needs no test, and the allocation is a local NUMA
 * hit) comfortably above its high watermark (so no watermark or
 * ZONE_BELOW_HIGH bookkeeping is needed; see setup_fast_path) and a
 * non-empty per-CPU list. Anything else, including the list refill, goes
 * through __alloc_pages. Everything else is out of line, so the fast
 * path needs no callee-saved register; alloc_pages() instantiates it for
 * any order, alloc_page() for order 0.
 */
static __always_inline struct page *alloc_pages_order(gfp_t gfp,
						      unsigned int order)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	/* The zone bits and the migrate type bits (__GFP_MOVABLE is both). */
	unsigned int zb = gfp & (GFP_ZONEMASK | __GFP_RECLAIMABLE);
	struct per_cpu_pages *pcp;
	struct list_head *list, *entry;
	struct page *page;
	unsigned long nr;

	if (unlikely(!cpu || order > PAGE_ALLOC_COSTLY_ORDER))
		goto slow;
	nr = 1UL << order; /* only now: any order may come in */
	/* Invalid zone bits, zones missing on this CPU's node and machines
	 * with page fault injection on have fast_mark LONG_MAX. */
	if (unlikely(atomic_load_explicit(cpu->fast_free[zb],
					  memory_order_relaxed) <=
		     READ_ONCE(cpu->fast_mark[zb])))
		goto slow;
	pcp = cpu->fast_pcp[zb];
	if (unlikely(!pcp_trylock(pcp)))
		goto slow;
	list = &cpu->fast_list[zb][(size_t)MIGRATE_PCPTYPES * order].list;
	entry = list->next;
	if (unlikely(entry == list)) {
		pcp_unlock(pcp);
		goto slow;
	}
	/* Unlinked without clearing: an allocated page's lru is its
	 * owner's (a stale pointer has bit 0 clear, so the page does not
	 * read as a compound tail). */
	__list_del(entry->prev, entry->next);
	pcp->free_count >>= 1;
	owner_sub_int(&pcp->count, (int)nr);
	owner_add(&pcp->fast_allocs[order], 1);
	pcp_unlock(pcp);
	page = list_entry(entry, struct page, lru);
	if (unlikely(MMK_DEBUG || (gfp & (__GFP_ZERO | __GFP_COMP))))
		return alloc_pages_prep(page, gfp, order);
	atomic_store_explicit(&page->_refcount, 1, memory_order_relaxed);
	page->mmk_alloc = order + 1;
	return page;
slow:
	return alloc_pages_slow(gfp, order);
}

/* One copy for every order: the order indexes the lists and counters.
 * A copy of its own for order 0 saved the hot pair nothing measurable,
 * while a caller mixing orders at random mispredicted the test for 0
 * (a random order 0..3 pair: 14.4 ns with it, 12.4 without). alloc_page()
 * has the constant-order copy. */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return alloc_pages_order(gfp, order);
}

struct page *alloc_pages_unbacked(gfp_t gfp, unsigned int order, bool *unbacked)
{
	struct page *page;

	mmk_ctx.took_unbacked = false;
	page = alloc_pages(gfp, order);
	*unbacked = page && mmk_ctx.took_unbacked;
	return page;
}

struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages_order(gfp, 0);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	/* The local node is what alloc_pages() prefers, __GFP_THISNODE
	 * included (see __alloc_pages), so it takes the same fast path:
	 * allocate_slab(), page tables and faults come here. */
	if (nid == NUMA_NO_NODE || nid == numa_node_id())
		return alloc_pages(gfp, order);
	if (gfp & __GFP_THISNODE)
		return __alloc_pages(gfp, order, nid, 1UL << (nid & 63));
	return __alloc_pages(gfp, order, nid, 0);
}

/* ---- freeing ---- */

/* Nothing is set that a free page must not have: no flags, no mapping,
 * no page-table mappings (the free paths' quick test; page_bad_reason()
 * tells which when it fails). */
static inline bool page_free_clean(const struct page *page)
{
	return !(page->flags | (unsigned long)page->mapping |
		 (unsigned long)(unsigned int)atomic_load_explicit(
			 &((struct page *)page)->_mapcount,
			 memory_order_relaxed));
}

/* Drop a reference; true when it was the last. A put on a free page is
 * reported and changes nothing. One atomic decrement, as Linux's
 * put_page_testzero(): reclaim takes references it does not own
 * (get_page_unless_zero), so a "load 1, store 0" shortcut could erase
 * one taken between the two and free a page it holds. Acquire and
 * release: every holder's accesses to the page happen before the free. */
static bool put_page_testzero(struct mmk_machine *m, struct page *page)
{
	int r;

	if (unlikely(atomic_load_explicit(&page->_refcount,
					  memory_order_relaxed) <= 0)) {
		bad_page(m, page, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
		return false;
	}
	r = atomic_fetch_sub_explicit(&page->_refcount, 1,
				      memory_order_acq_rel);
	if (likely(r > 1))
		return false;
	if (likely(r == 1))
		return true;
	/* Another put took it to zero meanwhile: undo ours, report. */
	atomic_fetch_add_explicit(&page->_refcount, 1, memory_order_relaxed);
	bad_page(m, page, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	return false;
}

static bool free_tail_pages_check(struct mmk_machine *m, struct page *head,
				  unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	for (i = 1; i < nr; i++) {
		struct page *p = head + i;

		if (unlikely(p->compound_head != (unsigned long)head + 1)) {
			bad_page(m, p, "compound_head not consistent");
			return false;
		}
	}
	for (i = 1; i < nr; i++)
		head[i].compound_head = 0;
	head[1].compound_order = 0;
	return true;
}

/* Check and clean a block whose last reference is gone. False: reported;
 * the block is not freed. */
static bool free_pages_prepare(struct mmk_machine *m, struct page *page,
			       unsigned int order)
{
	const char *reason;

	/* An anonymous page's anon_vma pointer goes with it, as Linux's
	 * free_pages_prepare() clears PAGE_MAPPING_ANON mappings (a page
	 * pinned past its last unmap is freed by the last put_page). */
	if ((unsigned long)page_mapping_once(page) & PAGE_MAPPING_ANON)
		page_set_mapping(page, NULL);
	/* Fast: the allocation record matches and nothing is set that a free
	 * page must not have (flags, mapping, mappings). */
	if (likely(page->mmk_alloc == order + 1 && page_free_clean(page))) {
		page->private = 0;
		page->index = 0;
		page->mmk_alloc = 0;
		return true;
	}

	if (unlikely(page->mmk_alloc != order + 1)) {
		char why[96];

		if (!page->mmk_alloc)
			snprintf(
				why, sizeof why,
				"freeing a page that is not the head of an allocation");
		else
			snprintf(
				why, sizeof why,
				"freeing order %u, but it was allocated with order %lu",
				order, page->mmk_alloc - 1);
		/* Refused: the block stays allocated and referenced. */
		atomic_store_explicit(&page->_refcount, 1,
				      memory_order_relaxed);
		bad_page(m, page, why);
		return false;
	}
	if (PageHead(page)) {
		if (unlikely(compound_order(page) != order)) {
			atomic_store_explicit(&page->_refcount, 1,
					      memory_order_relaxed);
			bad_page(
				m, page,
				"compound order does not match the freed order");
			return false;
		}
		if (!free_tail_pages_check(m, page, order))
			return false;
		page_flag_clear(page, PG_head);
	}
	reason = page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE);
	if (unlikely(reason)) {
		bad_page(m, page, reason);
		page->mmk_alloc = 0;
		return false;
	}
	/* Compaction's scanner tests these two words of any page without
	 * its locks (PG_lru, and compound_head() through the link word,
	 * before it tries a reference): they are stored whole. */
	__atomic_store_n(&page->flags, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&page->compound_head, 0, __ATOMIC_RELAXED);
	page->private = 0;
	page->index = 0;
	page->mmk_alloc = 0;
	page->lru.prev = NULL;
	return true;
}

static void free_one_page(struct mmk_machine *m, struct zone *zone,
			  unsigned long pfn, unsigned int order)
{
	pthread_mutex_lock(&zone->lock);
	split_large_buddy(m, zone, pfn, order, false);
	pthread_mutex_unlock(&zone->lock);
	page_reporting_run(m, zone);
}

/* To the pcp list of the pageblock's type (HighAtomic pages to the
 * movable one, as Linux does; nothing here isolates pageblocks). The
 * type is read without the zone lock: if it changes meanwhile, the page
 * goes to its block's new list when it leaves the pcp. */
static void free_frozen_pages(struct mmk_machine *m, struct zone *zone,
			      struct page *page, unsigned int order)
{
	unsigned long pfn = (unsigned long)(page - m->mem_map);
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	int mt = get_pfnblock_migratetype(m, pfn);

	if (unlikely(!free_pages_prepare(m, page, order)))
		return;
	if (unlikely(mt >= MIGRATE_PCPTYPES))
		mt = MIGRATE_MOVABLE;
	if (likely(order <= PAGE_ALLOC_COSTLY_ORDER && cpu && m->pcp_enabled) &&
	    likely(free_frozen_page_commit(m, zone, page, order, mt, cpu)))
		return;
	count_vm_events(m, PGFREE, 1UL << order);
	free_one_page(m, zone, pfn, order);
}

/* The zone of @page if it is a struct page of this machine's mem_map. */
static inline struct zone *page_zone_checked(struct mmk_machine *m,
					     const struct page *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)m->mem_map;

	if (unlikely(off % sizeof(*page)))
		return NULL;
	return pfn_zone_fast(m, off / sizeof(*page));
}

static noinline __cold void free_pages_slow(struct page *page,
					    unsigned int order)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct zone *zone;

	if (unlikely(!m))
		return;
	zone = page ? page_zone_checked(m, page) : NULL;
	if (unlikely(!zone || order > MAX_PAGE_ORDER)) {
		printk(m, "WARNING: __free_pages: invalid page %s or order %u",
		       page ? "pointer" : "NULL", order);
		return;
	}
	if (put_page_testzero(m, page))
		free_frozen_pages(m, zone, page, order);
}

_Static_assert(sizeof(struct page) == 64, "the free fast path's pfn rotate");
_Static_assert(PAGE_ALLOC_COSTLY_ORDER == 3, "the fast paths' order switch");
_Static_assert(GFP_ZONEMASK == 15 && __GFP_RECLAIMABLE == 16 &&
		       GFP_MOVABLE_SHIFT == 3,
	       "mmk_cpu.fast_*[] are indexed by zone and migrate type bits");

/* list_add() whose store of new->prev is a (relaxed, plain mov) atomic
 * one: that keeps gcc from pairing @new's two pointers through a vector
 * register, two extra instructions on the free fast path. */
static inline void pcp_list_add(struct list_head *new, struct list_head *head)
{
	struct list_head *next = head->next;

	next->prev = new;
	new->next = next;
	__atomic_store_n(&new->prev, head, __ATOMIC_RELAXED);
	head->next = new;
}

/*
 * The free fast path: the last reference of a clean order <= 3 block goes
 * onto this CPU's list when that keeps the list below its (already
 * clamped) high and the zone is not short of memory, i.e. when
 * free_frozen_page_commit() would neither flush nor adjust high. Anything
 * else goes to free_pages_slow(), which checks everything again.
 * __free_pages() instantiates it for order 0 and for any order.
 */
static __always_inline void free_pages_order(struct page *page,
					     unsigned int order)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	unsigned long off, pfn, nr;
	struct per_cpu_pages *pcp;
	unsigned int mt;
	struct list_head *head;
	struct zone *zone;
	int count;

	if (unlikely(!cpu || order > PAGE_ALLOC_COSTLY_ORDER))
		goto slow;
	nr = 1UL << order; /* only now: any order may come in */
	/* pfn < max_pfn says both "inside mem_map" and "on a struct page
	 * boundary": the rotate moves a misaligned offset's low bits to the
	 * top. NULL and foreign pointers fail it too. */
	off = (uintptr_t)page - (uintptr_t)m->mem_map;
	pfn = off >> 6 | off << (BITS_PER_LONG - 6);
	if (unlikely(pfn >= m->max_pfn))
		goto slow;
	zone = zone_of_id(m, m->pb_zid[pfn >> m->pb_shift]);
	mt = (unsigned int)get_pfnblock_migratetype(m, pfn);
	/* The zone and type of the last block freed here, most of the
	 * time: a caller that frees what it just allocated would otherwise
	 * wait, on every pair, for the two loads above, then the zone's
	 * pcp, before the list head that the next allocation reads. */
	if (unlikely(zone != cpu->free_zone || (int)mt != cpu->free_mt)) {
		if (unlikely(!zone || mt >= MIGRATE_PCPTYPES))
			goto slow;
		cpu->free_zone = zone;
		cpu->free_mt = (int)mt;
		cpu->free_pcp = zone_pcp(zone, cpu->id);
		cpu->free_list =
			&cpu->free_pcp->lists[order_to_pindex((int)mt, 0)];
	}
	pcp = cpu->free_pcp;
	/* The list head's address is what list_add stores: one register
	 * for it and the frontier beside it (gcc would form it twice).
	 * free_list is the type's order-0 list; its list of @order lies
	 * MIGRATE_PCPTYPES * order lists further (order_to_pindex). */
	head = &cpu->free_list[(size_t)MIGRATE_PCPTYPES * order].list;
	OPTIMIZER_HIDE_VAR(head);
	/* A count of 1, later stored as 0 without an atomic decrement: only
	 * LRU pages get references their holder does not own (reclaim's
	 * get_page_unless_zero), and they are freed by put_page(). */
	if (unlikely(
		    page_ref_count(page) != 1 ||
		    pfn > container_of(head, struct pcp_list, list)->frontier ||
		    page->mmk_alloc != order + 1 || !page_free_clean(page)))
		goto slow;
	if (unlikely(!pcp_trylock(pcp)))
		goto slow;
	/* count < free_limit: below high, high clamped, pcp lists on. */
	count = atomic_load_explicit(&pcp->count, memory_order_relaxed) +
		(int)nr;
	/* free_count is below free_high_count but for a run of frees, so
	 * the order is tested only then: no branch on it mispredicts when
	 * a caller mixes orders at random. */
	if (unlikely(count >= pcp->free_limit ||
		     (pcp->free_count >= pcp->free_high_count && order &&
		      (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER)) ||
		     (atomic_load_explicit(&zone->flags, memory_order_relaxed) &
		      ZONE_BELOW_HIGH))) {
		pcp_unlock(pcp);
		goto slow;
	}
	atomic_store_explicit(&page->_refcount, 0, memory_order_relaxed);
	page->private = 0;
	page->index = 0;
	page->mmk_alloc = 0;
	pcp_list_add(&page->lru, head);
	atomic_store_explicit(&pcp->count, count, memory_order_relaxed);
	/* Stored only when it changes: it is 0 but after a refill, and a
	 * store costs the pair more than a predicted branch does. */
	if (unlikely(pcp->alloc_factor))
		pcp->alloc_factor >>= 1;
	/* PCPF_PREV_FREE_HIGH_ORDER is the only flag: a store, no branch. */
	pcp->flags = order ? PCPF_PREV_FREE_HIGH_ORDER : 0;
	if (pcp->free_count < pcp->free_count_max)
		pcp->free_count += (int)nr;
	owner_add(&pcp->free_pages, nr);
	pcp_unlock(pcp);
	return;
slow:
	free_pages_slow(page, order);
}

/* A copy for order 0 (constant shift, list, record and flags), one for
 * any other order: here the order-0 copy's fewer instructions are worth
 * the test for 0 (without it, the hot pair took 6.4 ns instead of 6.2). */
void __free_pages(struct page *page, unsigned int order)
{
	if (likely(!order))
		free_pages_order(page, 0);
	else
		free_pages_order(page, order);
}

void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

void get_page(struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	if (unlikely(!m || !page || !page_zone_checked(m, page)))
		return;
	page = compound_head(page);
	if (unlikely(page_ref_count(page) <= 0)) {
		bad_page(m, page, "VM_BUG_ON_PAGE(page_ref_count(page) <= 0)");
		return;
	}
	atomic_fetch_add_explicit(&page->_refcount, 1, memory_order_relaxed);
}

void put_page(struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	if (unlikely(!m || !page || !page_zone_checked(m, page)))
		return;
	page = compound_head(page);
	if (put_page_testzero(m, page)) {
		if (page_type_of(page) == PGTY_hugetlb && m->free_huge_page) {
			m->free_huge_page(m, page);
			return;
		}
		unsigned int order =
			page->mmk_alloc ? (unsigned int)page->mmk_alloc - 1 : 0;

		/* page_cache_release(): a user page leaves its LRU, which
		 * takes the LRU's flags with it (__folio_clear_lru_flags). */
		if (page->flags & ((1UL << PG_lru) | (1UL << PG_mlocked)))
			lru_del(m, page);
		free_frozen_pages(m, page_zone_checked(m, page), page, order);
	}
}

bool split_isolated_block(struct mmk_machine *m, struct page *page,
			  unsigned int order)
{
	if (!prep_new_page(m, page, order, 0))
		return false;
	split_page(page, order);
	return true;
}

void split_page(struct page *page, unsigned int order)
{
	struct mmk_machine *m = mmk_cur();
	unsigned long i;

	if (!m || !page_zone_checked(m, page) || PageCompound(page) ||
	    page->mmk_alloc != order + 1) {
		if (m)
			printk(m,
			       "WARNING: split_page: not a non-compound order-%u allocation",
			       order);
		return;
	}
	for (i = 0; i < (1UL << order); i++) {
		atomic_store_explicit(&page[i]._refcount, 1,
				      memory_order_relaxed);
		page[i].mmk_alloc = 1;
	}
}

void split_compound_page(struct page *page, unsigned int order)
{
	unsigned long i;

	page_flag_clear(page, PG_head);
	page[1].compound_order = 0;
	/* Racy readers (compaction's scan, reclaim's PageAnon()) load
	 * these words once. */
	for (i = 1; i < (1UL << order); i++) {
		__atomic_store_n(&page[i].compound_head, 0UL, __ATOMIC_RELAXED);
		atomic_store_explicit(&page[i]._refcount, 1,
				      memory_order_relaxed);
		page[i].mmk_alloc = 1;
	}
	page->mmk_alloc = 1;
}

/* A page as split_page() leaves it: an order-0 allocation, one
 * reference, nothing set that a free page must not have. */
static bool split_page_clean(const struct page *page)
{
	return page_ref_count(page) == 1 && page->mmk_alloc == 1 &&
	       page_free_clean(page);
}

/* Free the @nr order-0 pages from @page: each maximal aligned
 * power-of-two group of clean pages in one zone goes back as one block
 * (one merge in the buddy lists instead of one per page); any other
 * group page by page, so references and bad pages are handled (and
 * reported) as __free_page() does. */
static void free_split_pages(struct mmk_machine *m, struct page *page,
			     unsigned long nr)
{
	unsigned long pfn = (unsigned long)(page - m->mem_map), end = pfn + nr;

	while (pfn < end) {
		unsigned int order = pfn ? (unsigned int)__builtin_ctzl(pfn) :
					   MAX_PAGE_ORDER;
		struct page *head;
		unsigned long n, i;

		order = min(order, (unsigned int)MAX_PAGE_ORDER);
		while ((1UL << order) > end - pfn)
			order--;
		n = 1UL << order;
		head = m->mem_map + pfn;
		for (i = 0; i < n && split_page_clean(head + i); i++)
			;
		if (i == n && pfn_zone_fast(m, pfn) &&
		    pfn_zone_fast(m, pfn) == pfn_zone_fast(m, pfn + n - 1)) {
			/* One order-n allocation: the tails' records go. */
			for (i = 1; i < n; i++) {
				atomic_store_explicit(&head[i]._refcount, 0,
						      memory_order_relaxed);
				head[i].mmk_alloc = 0;
			}
			head->mmk_alloc = order + 1;
			__free_pages(head, order);
		} else {
			for (i = 0; i < n; i++)
				__free_page(head + i);
		}
		pfn += n;
	}
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	struct mmk_machine *m = mmk_cur();
	/* Not (size + PAGE_SIZE - 1) >> PAGE_SHIFT: it wraps to 0 above
	 * SIZE_MAX - 4095. */
	unsigned long nr = size / PAGE_SIZE + !!(size % PAGE_SIZE);
	unsigned int order = 0;
	struct page *page;

	if (!m || !size)
		return NULL;
	/* WARN_ON_ONCE(gfp_mask & (__GFP_COMP | __GFP_HIGHMEM)) */
	if ((gfp & (__GFP_COMP | __GFP_HIGHMEM)) &&
	    warn_once(m, WARN_ONCE_ALLOC_EXACT_GFP))
		printk(m,
		       "WARNING: alloc_pages_exact: gfp %#x has __GFP_COMP or __GFP_HIGHMEM",
		       gfp);
	gfp &= ~(__GFP_COMP | __GFP_HIGHMEM);
	while ((1UL << order) < nr)
		order++;
	/* Above MAX_PAGE_ORDER, alloc_pages() warns once and fails. */
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	split_page(page, order);
	free_split_pages(m, page + nr, (1UL << order) - nr);
	return page_address(page);
}

void free_pages_exact(void *virt, size_t size)
{
	struct mmk_machine *m = mmk_cur();
	unsigned long nr = size / PAGE_SIZE + !!(size % PAGE_SIZE);
	struct page *page, *last;
	unsigned long pfn;

	if (!m || !virt || !size)
		return;
	page = virt_to_page(virt);
	last = nr <= m->lowmem_end_pfn ?
		       virt_to_page((char *)virt + (nr - 1) * PAGE_SIZE) :
		       NULL;
	if (!page || !last || last - page != (long)nr - 1 ||
	    page_address(page) != virt)
		goto bad;
	/* Every page must have a struct page (no hole in the range). */
	for (pfn = (unsigned long)(page - m->mem_map);
	     pfn <= (unsigned long)(last - m->mem_map);
	     pfn = (pfn | ((1UL << m->pb_shift) - 1)) + 1)
		if (!pfn_zone_fast(m, pfn))
			goto bad;
	free_split_pages(m, page, nr);
	return;
bad:
	printk(m,
	       "WARNING: free_pages_exact: %p (%zu bytes) is not a page-aligned run of the direct map",
	       virt, size);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

unsigned long __get_dma_pages(gfp_t gfp, unsigned int order)
{
	return __get_free_pages(gfp | GFP_DMA, order);
}

void free_pages(unsigned long addr, unsigned int order)
{
	struct mmk_machine *m = mmk_cur();
	struct page *page;

	if (!addr || !m)
		return;
	page = virt_to_page((void *)addr);
	if (!page || !IS_ALIGNED(addr, PAGE_SIZE)) {
		printk(m, "WARNING: free_pages: %s address",
		       page ? "misaligned" : "non-direct-map");
		return;
	}
	__free_pages(page, order);
}

void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}

/* ---- sizing: watermarks, reserves, pcp ---- */

unsigned long nr_free_buffer_pages(struct mmk_machine *m)
{
	unsigned long sum = 0;
	struct zone **zp;

	for (zp = m->node_data[0]->node_zonelist.zones; *zp; zp++) {
		unsigned long managed = zone_managed_pages(*zp);
		unsigned long high = high_wmark_pages(*zp);

		if ((*zp)->idx <= ZONE_NORMAL && managed > high)
			sum += managed - high;
	}
	return sum;
}

static void calculate_min_free_kbytes(struct mmk_machine *m)
{
	unsigned long lowmem_kbytes =
		nr_free_buffer_pages(m) * (PAGE_SIZE >> 10);

	m->min_free_kbytes =
		clamp(int_sqrt(lowmem_kbytes * 16), 128UL, 262144UL);
}

static void __setup_per_zone_wmarks(struct mmk_machine *m)
{
	unsigned long pages_min = m->min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;
	struct zone *z;
	int nid, t;

	for_each_zone_m(m, nid, t, z)
		if (!is_highmem_idx(z->idx) && z->idx != ZONE_MOVABLE)
			lowmem_pages += zone_managed_pages(z);
	for_each_zone_m(m, nid, t, z) {
		unsigned long managed = zone_managed_pages(z);
		unsigned long tmp =
			lowmem_pages ? pages_min * managed / lowmem_pages : 0;
		unsigned long wmin =
			is_highmem_idx(z->idx) || z->idx == ZONE_MOVABLE ?
				clamp(managed / 1024, SWAP_CLUSTER_MAX, 128UL) :
				tmp;

		if (z->idx == ZONE_DEVICE && m->arch->arch != MMK_ARCH_X86_64)
			continue;

		tmp = max(tmp >> 2,
			  managed * (unsigned long)m->watermark_scale_factor /
				  10000);
		WRITE_ONCE(z->watermark_boost, 0);
		WRITE_ONCE(z->_watermark[WMARK_MIN], wmin);
		WRITE_ONCE(z->_watermark[WMARK_LOW], wmin + tmp);
		WRITE_ONCE(z->_watermark[WMARK_HIGH], wmin + 2 * tmp);
		WRITE_ONCE(z->_watermark[WMARK_PROMO], wmin + 3 * tmp);
	}
}

static void setup_per_zone_lowmem_reserve(struct mmk_machine *m)
{
	const struct mmk_arch_profile *a = m->arch;
	int nid, i, j;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		for (i = 0; i < a->nr_zone_types - 1; i++) {
			struct zone *z = &pgdat->node_zones[a->zone_types[i]];
			int ratio = a->lowmem_reserve_ratio[a->zone_types[i]];
			bool clear = !ratio || !zone_managed_pages(z);
			unsigned long acc = 0;

			for (j = i + 1; j < a->nr_zone_types; j++) {
				enum zone_type up = a->zone_types[j];

				acc += zone_managed_pages(
					&pgdat->node_zones[up]);
				WRITE_ONCE(
					z->lowmem_reserve[up],
					clear ? 0 :
						(long)(acc /
						       (unsigned long)ratio));
			}
		}
	}
}

static void calculate_totalreserve_pages(struct mmk_machine *m)
{
	unsigned long total = 0;
	int nid, t;

	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		pgdat->totalreserve_pages = 0;
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *z = &pgdat->node_zones[t];
			long most = 0;
			unsigned long sum;
			int j;

			for (j = t; j < MAX_NR_ZONES; j++)
				most = max(most, z->lowmem_reserve[j]);
			sum = (unsigned long)most + high_wmark_pages(z);
			sum = min(sum, zone_managed_pages(z));
			pgdat->totalreserve_pages += sum;
			total += sum;
		}
	}
	WRITE_ONCE(m->totalreserve_pages, total);
}

static int zone_batchsize(struct zone *zone)
{
	unsigned long batch = min(zone_managed_pages(zone) >> 12, 64UL);

	if (batch <= 1)
		return 1;
	return (int)rounddown_pow_of_two(batch + batch / 2) - 1;
}

/* The zone's share per CPU of its node. Linux splits it among the node's
 * online CPUs and resizes every pcp when one comes up; mmkit splits it
 * among the possible ones, so a CPU coming online (cpus_on_demand) leaves
 * the others' pcp sizes as they are. */
static int zone_highsize(struct mmk_machine *m, struct zone *zone, int batch,
			 int fraction)
{
	unsigned long total =
		fraction ? zone_managed_pages(zone) / (unsigned long)fraction :
			   low_wmark_pages(zone);
	int cpu, nr = 0;

	for (cpu = 0; cpu < m->nr_cpus; cpu++)
		if (cpu_to_node_id(m, cpu) == zone->zone_pgdat->node_id)
			nr++;
	if (!nr)
		nr = m->nr_cpus;
	return (int)max(total / (unsigned long)nr, (unsigned long)batch << 2);
}

/* @pcp's batch and high from its zone's (zone_set_pageset_high_and_batch
 * sets them). */
static void pcp_set_high_and_batch(struct mmk_machine *m, struct zone *zone,
				   struct per_cpu_pages *pcp)
{
	int high, batch = zone->pageset_batch;

	pcp->batch = batch;
	pcp->high_min = zone->pageset_high_min;
	pcp->high_max = zone->pageset_high_max;
	pcp->free_count_max = batch * (1 << CONFIG_PCP_BATCH_SCALE_MAX);
	pcp->free_high_count = batch + pcp->high_min / 2;
	/* 0 with pcp lists off: the free fast path never takes a page then
	 * (and pcp_set_high() never runs). */
	high = atomic_load_explicit(&pcp->high, memory_order_relaxed);
	pcp->free_limit = m->pcp_enabled && high >= pcp->high_min ? high : 0;
}

/* batch and high of every CPU's pcp of @zone from the zone's size. */
static void zone_set_pageset_high_and_batch(struct mmk_machine *m,
					    struct zone *zone)
{
	int cpu, batch = zone_batchsize(zone);

	zone->pageset_batch = batch;
	zone->pageset_high_min = zone_highsize(m, zone, batch, 0);
	zone->pageset_high_max = zone_highsize(
		m, zone, batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
	zone->stat_threshold = calculate_normal_threshold(m, zone);
	for_each_online_cpu(m, cpu)
		pcp_set_high_and_batch(m, zone, zone_pcp(zone, cpu));
}

static void pcp_init_frontiers(struct per_cpu_pages *pcp)
{
	int i;

	for (i = 0; i < NR_PCP_LISTS; i++)
		pcp->lists[i].frontier = ~0UL;
}

void mmk_zone_pcp_init(struct mmk_machine *m, struct zone *zone)
{
	int cpu;

	for_each_online_cpu(m, cpu)
		pcp_init_frontiers(zone_pcp(zone, cpu));
	zone_set_pageset_high_and_batch(m, zone);
}

static bool zone_pcp_stale(struct mmk_machine *m, struct zone *zone)
{
	int batch = zone_batchsize(zone);

	return batch != zone->pageset_batch ||
	       zone_highsize(m, zone, batch, 0) != zone->pageset_high_min ||
	       zone_highsize(m, zone, batch,
			     MIN_PERCPU_PAGELIST_HIGH_FRACTION) !=
		       zone->pageset_high_max;
}

/* Linux's zone_pcp_update() for every zone, as its setup_per_zone_wmarks()
 * does: after a zone grew (deferred init), batch and high follow the
 * zones' new sizes and watermarks, each CPU's pcp taken from its owner
 * meanwhile. Lock order: drain_lock, so the caller holds no zone,
 * deferred or drain lock and no pcp. */
void zone_pcp_update_all(struct mmk_machine *m)
{
	struct zone *z;
	int nid, t;

	pthread_mutex_lock(&m->drain_lock);
	for_each_zone_m(m, nid, t, z) {
		if (!populated_zone(z) || !zone_pcp_stale(m, z))
			continue;
		pcp_lock_remote_all(m, z, NULL);
		zone_set_pageset_high_and_batch(m, z);
		pcp_unlock_remote_all(m, z, NULL);
	}
	pthread_mutex_unlock(&m->drain_lock);
}

/* Precompute what the allocation fast path needs: per CPU and value of
 * the GFP zone bits, the preferred zone (the first of the CPU's node
 * zonelist the highest zone index allows), this CPU's pcp there, and the
 * free page count above which the zone passes both its high watermark
 * check (so ZONE_BELOW_HIGH needs no update) and the low watermark one
 * get_page_from_freelist would make. Invalid zone bits, no such zone and
 * pcp lists off get a mark no count exceeds. Rerun when watermarks or
 * reserves change: only the marks change then, and a racing fast path
 * reads either the old or the new one. */
static void setup_fast_path_cpu(struct mmk_machine *m, int cpu)
{
	static atomic_long no_free_pages;
	bool on = m->pcp_enabled &&
		  !atomic_load(&m->fail[MMK_FAIL_PAGE_ALLOC].active);
	struct mmk_cpu *c = &m->cpus[cpu];
	struct zone **zl = m->node_data[c->node]->node_zonelist.zones;
	int zb;

	for (zb = 0; zb < 32; zb++) {
		/* Both migrate type bits: invalid, the full path
		 * reports it. */
		int t = (zb & GFP_MOVABLE_MASK) == GFP_MOVABLE_MASK ?
				-1 :
				m->gfp_zone_table[zb & GFP_ZONEMASK];
		struct per_cpu_pages *pcp = NULL;
		atomic_long *free = &no_free_pages;
		long mark = LONG_MAX;
		struct zone **zp;

		/* The local node's zones come first in its zonelist;
		 * a remote preferred zone (this node lacks the zone
		 * type) takes the full path. */
		for (zp = zl; t >= 0 && on && *zp &&
			      (*zp)->zone_pgdat->node_id == c->node;
		     zp++)
			if ((int)(*zp)->idx <= t) {
				pcp = zone_pcp(*zp, cpu);
				free = &(*zp)->vm_stat[NR_FREE_PAGES];
				/* Free HighAtomic pages do not
				 * count for ordinary requests. */
				mark = (long)high_wmark_pages(*zp) +
				       (*zp)->lowmem_reserve[t] +
				       (long)READ_ONCE(
					       (*zp)->nr_reserved_highatomic);
				break;
			}
		if (c->fast_pcp[zb] != pcp) {
			c->fast_pcp[zb] = pcp;
			c->fast_list[zb] =
				pcp ? &pcp->lists[zb >> GFP_MOVABLE_SHIFT] :
				      NULL;
		}
		if (c->fast_free[zb] != free)
			c->fast_free[zb] = free;
		if (c->fast_mark[zb] != mark)
			WRITE_ONCE(c->fast_mark[zb], mark);
	}
}

static void setup_fast_path(struct mmk_machine *m)
{
	int cpu;

	for_each_online_cpu(m, cpu)
		setup_fast_path_cpu(m, cpu);
	m->fast_path_set = true;
}

/* CPU hotplug's page_alloc part (Linux's page_alloc_cpu_online and
 * zone_pcp_update for one CPU): @cpu's pcp of every populated zone
 * takes its zone's batch and high, and its fast path is set up. The
 * caller (mmk_cpu_up) holds drain_lock and deferred_lock. */
void page_alloc_cpu_online(struct mmk_machine *m, int cpu)
{
	struct zone *z;
	int nid, t;

	for_each_zone_m(m, nid, t, z) {
		if (!populated_zone(z))
			continue;
		pcp_init_frontiers(zone_pcp(z, cpu));
		pcp_set_high_and_batch(m, z, zone_pcp(z, cpu));
	}
	if (m->fast_path_set)
		setup_fast_path_cpu(m, cpu);
}

void setup_per_zone_wmarks(struct mmk_machine *m)
{
	struct zone *z;
	int nid, t;

	setup_per_zone_wmarks_late(m);
	for_each_zone_m(m, nid, t, z)
		if (populated_zone(z))
			mmk_zone_pcp_init(m, z);
}

void page_alloc_fast_path_update(struct mmk_machine *m)
{
	pthread_mutex_lock(&m->deferred_lock);
	if (m->fast_path_set)
		setup_fast_path(m);
	pthread_mutex_unlock(&m->deferred_lock);
}

void setup_per_zone_wmarks_late(struct mmk_machine *m)
{
	calculate_min_free_kbytes(m);
	__setup_per_zone_wmarks(m);
	setup_per_zone_lowmem_reserve(m);
	calculate_totalreserve_pages(m);
	setup_fast_path(m);
}

void mmk_page_alloc_init(struct mmk_machine *m)
{
	m->watermark_scale_factor = 10;
	/* warn_alloc's DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1) */
	ratelimit_state_init(&m->nopage_rs, 10ULL * 1000000000, 1);
	init_gfp_zone_table(m);
}

unsigned long mmk_nr_free_pages(struct mmk_machine *m)
{
	return m && mmk_machine_live(m) ?
		       global_zone_page_state(m, NR_FREE_PAGES) :
		       0;
}

/* ---- the verifier ---- */

static bool verify_pcp(struct mmk_machine *m, struct zone *z,
		       struct per_cpu_pages *pcp, int cpu, char *why,
		       size_t len)
{
	int pindex, sum = 0;

	for (pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
		unsigned int o = pindex_to_order(pindex);
		struct page *page;

		list_for_each_entry(page, &pcp->lists[pindex].list, lru) {
			unsigned long pfn = (unsigned long)(page - m->mem_map);
			unsigned int up;

			if (mmk_pfn_zone(m, pfn) != z)
				return verify_fail(
					why, len,
					"zone %s cpu %d: pcp page pfn %#lx belongs to another zone",
					z->name, cpu, pfn);
			if (page_ref_count(page) || page->mmk_alloc ||
			    PageBuddy(page))
				return verify_fail(
					why, len,
					"zone %s cpu %d: pcp page pfn %#lx is not a free page (refcount %d)",
					z->name, cpu, pfn,
					page_ref_count(page));
			if (!IS_ALIGNED(pfn, 1UL << o))
				return verify_fail(
					why, len,
					"zone %s cpu %d: pcp order-%u page pfn %#lx is misaligned",
					z->name, cpu, o, pfn);
			for (up = 0; up < NR_PAGE_ORDERS; up++) {
				unsigned long head = pfn & ~((1UL << up) - 1);

				if (head >= z->zone_start_pfn &&
				    block_is_free(z, head, up))
					return verify_fail(
						why, len,
						"zone %s cpu %d: pcp page pfn %#lx is inside free block %#lx order %u",
						z->name, cpu, pfn, head, up);
			}
			sum += 1 << o;
		}
	}
	if (sum != atomic_load(&pcp->count))
		return verify_fail(
			why, len,
			"zone %s cpu %d: pcp count %d but lists hold %d pages",
			z->name, cpu, atomic_load(&pcp->count), sum);
	return true;
}

static bool verify_free_block(struct mmk_machine *m, struct zone *z,
			      unsigned long pfn, unsigned int o, char *why,
			      size_t len)
{
	struct page *page = m->mem_map + pfn;
	unsigned int up;

	if (pfn < z->zone_start_pfn || pfn + (1UL << o) > zone_end_pfn(z))
		return verify_fail(
			why, len,
			"zone %s order %u: free block pfn %#lx lies outside the zone",
			z->name, o, pfn);
	if (!PageBuddy(page) || page->private != o)
		return verify_fail(
			why, len,
			"zone %s order %u: pfn %#lx is on the free list without PG_buddy of that order",
			z->name, o, pfn);
	if (page_ref_count(page) || page->mmk_alloc)
		return verify_fail(
			why, len,
			"zone %s order %u: free pfn %#lx has refcount %d",
			z->name, o, pfn, page_ref_count(page));
	if (memblock_reserved_pages(&m->memblock, pfn, pfn + (1UL << o)) ||
	    memblock_present_pages(&m->memblock, pfn, pfn + (1UL << o)) !=
		    1UL << o)
		return verify_fail(
			why, len,
			"zone %s order %u: free block pfn %#lx covers reserved or absent memory",
			z->name, o, pfn);
	if (o < MAX_PAGE_ORDER) {
		unsigned long buddy = pfn ^ (1UL << o);

		int mt = get_pfnblock_migratetype(m, pfn),
		    buddy_mt = get_pfnblock_migratetype(m, buddy);
		/* Beyond a pageblock, HighAtomic does not merge with
		 * another type, and a pageblock given back from the
		 * HighAtomic reserve did not merge with its buddy. */
		bool apart = o >= m->pageblock_order &&
			     ((mt != buddy_mt &&
			       (!migratetype_is_mergeable(mt) ||
				!migratetype_is_mergeable(buddy_mt))) ||
			      z->nr_highatomic_unreserved);

		if (buddy >= z->zone_start_pfn && buddy < zone_end_pfn(z) &&
		    block_is_free(z, buddy, o) && !apart)
			return verify_fail(
				why, len,
				"zone %s order %u: free block pfn %#lx and its buddy %#lx were not merged",
				z->name, o, pfn, buddy);
	}
	for (up = o + 1; up < NR_PAGE_ORDERS; up++) {
		unsigned long head = pfn & ~((1UL << up) - 1);

		if (head >= z->zone_start_pfn && block_is_free(z, head, up))
			return verify_fail(
				why, len,
				"zone %s: free block pfn %#lx order %u overlaps free block %#lx order %u",
				z->name, pfn, o, head, up);
	}
	return true;
}

/* Every struct page of a small zone: PG_buddy only on listed heads, free
 * pages clean. */
static bool verify_zone_pages(struct mmk_machine *m, struct zone *z, char *why,
			      size_t len)
{
	unsigned long pfn, end = zone_end_pfn(z);

	for (pfn = z->zone_start_pfn; pfn < end; pfn++) {
		struct page *page = m->mem_map + pfn;

		if (mmk_pfn_zone(m, pfn) != z) {
			/* A hole without memmap: skip its pageblock. */
			pfn |= (1UL << m->arch->pageblock_order) - 1;
			continue;
		}
		if (!PageBuddy(page))
			continue;
		if (page->private > MAX_PAGE_ORDER ||
		    !IS_ALIGNED(pfn, 1UL << page->private) ||
		    !block_is_free(z, pfn, (unsigned int)page->private))
			return verify_fail(
				why, len,
				"zone %s: pfn %#lx has PG_buddy but heads no free block",
				z->name, pfn);
	}
	return true;
}

/* I6: the free block at @pfn of order @o lies in pageblocks of one type,
 * a type with free lists, marked in that type's summary of order @o;
 * counts it in @per_type. */
static bool verify_free_block_type(struct mmk_machine *m, struct zone *z,
				   unsigned long pfn, unsigned int o,
				   unsigned long *per_type, char *why,
				   size_t len)
{
	unsigned int po = m->pageblock_order;
	int mt = get_pfnblock_migratetype(m, pfn);
	unsigned long p;

	if (mt >= MIGRATE_FREE_TYPES)
		return verify_fail(
			why, len,
			"zone %s: free block pfn %#lx is in a pageblock of type %d",
			z->name, pfn, mt);
	for (p = pfn; o > po && p < pfn + (1UL << o); p += 1UL << po)
		if (get_pfnblock_migratetype(m, p) != mt)
			return verify_fail(
				why, len,
				"zone %s order %u: free block pfn %#lx spans pageblocks of types %d and %d",
				z->name, o, pfn, mt,
				get_pfnblock_migratetype(m, p));
	if (!mts_test(&z->mt_sum, mts_k(o, mt), pb_index(m, z, pfn)))
		return verify_fail(
			why, len,
			"zone %s order %u: free block pfn %#lx is missing from the type %d summary",
			z->name, o, pfn, mt);
	per_type[mt]++;
	return true;
}

/* I6: the per-type counts and summaries of order @o match the blocks. */
static bool verify_free_area_types(struct mmk_machine *m, struct zone *z,
				   unsigned int o,
				   const unsigned long *per_type,
				   unsigned long *ha_free, char *why,
				   size_t len)
{
	const struct mt_summary *sum = &z->mt_sum;
	struct free_area *area = &z->free_area[o];
	int mt;

	for (mt = 0; mt < MIGRATE_FREE_TYPES; mt++) {
		unsigned int k = mts_k(o, mt);
		unsigned long w;
		long pb;

		if (area->nr_free_mt[mt] != per_type[mt])
			return verify_fail(
				why, len,
				"zone %s order %u: %lu free blocks of type %d counted, %lu found",
				z->name, o, area->nr_free_mt[mt], mt,
				per_type[mt]);
		for (w = 0; w < sum->nr_words; w++)
			if (!*mts_word(sum, k, w * BITS_PER_LONG) !=
			    !(sum->index[k * sum->nr_index + w / BITS_PER_LONG] &
			      (1UL << (w % BITS_PER_LONG))))
				return verify_fail(
					why, len,
					"zone %s order %u: type %d summary index bit %lu is wrong",
					z->name, o, mt, w);
		for (pb = mts_find_next(sum, k, 0); pb >= 0;
		     pb = mts_find_next(sum, k, (unsigned long)pb + 1)) {
			unsigned long pfn =
				z->buddy_base +
				((unsigned long)pb << m->pageblock_order);

			if (get_pfnblock_migratetype(m, pfn) != mt ||
			    !pb_has_free(m, z, (unsigned long)pb, o))
				return verify_fail(
					why, len,
					"zone %s order %u: type %d summary marks pageblock pfn %#lx, which holds no such free block",
					z->name, o, mt, pfn);
		}
	}
	*ha_free += per_type[MIGRATE_HIGHATOMIC] << o;
	return true;
}

/* I7: the HighAtomic reserve is its pageblocks. */
static bool verify_highatomic(struct mmk_machine *m, struct zone *z,
			      unsigned long ha_free, char *why, size_t len)
{
	unsigned long pbn = 1UL << m->pageblock_order, pfn, reserved = 0;

	for (pfn = ALIGN_DOWN(z->zone_start_pfn, pbn); pfn < zone_end_pfn(z);
	     pfn += pbn)
		if (get_pfnblock_migratetype(m, pfn) == MIGRATE_HIGHATOMIC)
			reserved += pbn;
	if (reserved != z->nr_reserved_highatomic)
		return verify_fail(
			why, len,
			"zone %s: nr_reserved_highatomic is %lu but HighAtomic pageblocks hold %lu pages",
			z->name, z->nr_reserved_highatomic, reserved);
	if (ha_free != z->nr_free_highatomic)
		return verify_fail(
			why, len,
			"zone %s: nr_free_highatomic is %lu but the HighAtomic lists hold %lu pages",
			z->name, z->nr_free_highatomic, ha_free);
	return true;
}

static bool verify_zone(struct mmk_machine *m, struct zone *z, char *why,
			size_t len)
{
	unsigned long free_pages = 0, free_blocks = 0, reported = 0, bad_level;
	unsigned long ha_free = 0;
	unsigned int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];
		unsigned long n = 0, per_type[MIGRATE_FREE_TYPES] = { 0 };
		long bit;

		if (!hbitmap_verify(&area->map, &bad_level))
			return verify_fail(
				why, len,
				"zone %s order %u: free bitmap summary level %lu is inconsistent",
				z->name, o, bad_level);
		for (bit = hbitmap_find_first(&area->map); bit >= 0;
		     bit = hbitmap_find_next(&area->map,
					     (unsigned long)bit + 1)) {
			unsigned long pfn =
				z->buddy_base + ((unsigned long)bit << o);

			if (!verify_free_block(m, z, pfn, o, why, len) ||
			    !verify_free_block_type(m, z, pfn, o, per_type, why,
						    len))
				return false;
			if (m->mem_map[pfn].flags & (1UL << PG_reported))
				reported += 1UL << o;
			n++;
		}
		if (n != area->nr_free)
			return verify_fail(
				why, len,
				"zone %s order %u: nr_free is %lu but %lu blocks are free",
				z->name, o,
				(unsigned long)atomic_load(&area->nr_free), n);
		if (!verify_free_area_types(m, z, o, per_type, &ha_free, why,
					    len))
			return false;
		free_pages += n << o;
		if (o >= m->arch->pageblock_order)
			free_blocks += n << o;
	}
	if (!verify_highatomic(m, z, ha_free, why, len))
		return false;
	if (free_pages != zone_page_state(z, NR_FREE_PAGES))
		return verify_fail(
			why, len,
			"zone %s: NR_FREE_PAGES is %lu but the free lists hold %lu pages",
			z->name, zone_page_state(z, NR_FREE_PAGES), free_pages);
	if (free_blocks != zone_page_state(z, NR_FREE_PAGES_BLOCKS))
		return verify_fail(
			why, len,
			"zone %s: nr_free_pages_blocks is %lu but %lu pages are free in pageblocks",
			z->name, zone_page_state(z, NR_FREE_PAGES_BLOCKS),
			free_blocks);
	if (reported != z->reported_pages)
		return verify_fail(
			why, len,
			"zone %s: reported_pages is %lu but %lu free pages are reported",
			z->name, z->reported_pages, reported);
	if (z->spanned_pages <= (1UL << 20) &&
	    !verify_zone_pages(m, z, why, len))
		return false;
	return true;
}

bool page_alloc_verify(struct mmk_machine *m, char *why, size_t len)
{
	bool ok = true;
	struct zone *z;
	int nid, t, cpu;

	pthread_mutex_lock(&m->drain_lock);
	pcp_lock_remote_all(m, NULL, NULL);
	for_each_zone_m(m, nid, t, z) {
		if (!ok || !populated_zone(z))
			continue;
		pthread_mutex_lock(&z->lock);
		ok = verify_zone(m, z, why, len);
		for_each_online_cpu(m, cpu) {
			if (!ok)
				break;
			ok = verify_pcp(m, z, zone_pcp(z, cpu), cpu, why, len);
		}
		pthread_mutex_unlock(&z->lock);
	}
	pcp_unlock_remote_all(m, NULL, NULL);
	pthread_mutex_unlock(&m->drain_lock);
	return ok;
}

/* Fork of the host process: hold drain_lock, the other CPUs' lists
 * (taken from their owners, so none is copied half-updated),
 * deferred_lock, report_lock (no page reporting run has blocks off the
 * lists) and every zone lock across it; in the child, every guard is
 * free again. */
void page_alloc_atfork(struct mmk_machine *m, enum mmk_atfork phase)
{
	struct zone *z;
	int nid, t;

	if (phase == MMK_ATFORK_PREPARE) {
		pthread_mutex_lock(&m->drain_lock);
		/* Before the zone locks, which an owner may need to finish
		 * (see slab_atfork()); the forking thread's own CPU is its
		 * own. */
		pcp_lock_remote_all(m, NULL, mmk_ctx.cpu);
		pthread_mutex_lock(&m->deferred_lock);
		pthread_mutex_lock(&m->report_lock);
	} else if (phase == MMK_ATFORK_PARENT) {
		pcp_unlock_remote_all(m, NULL, mmk_ctx.cpu);
	} else {
		pcp_guards(m, NULL, NULL, cpu_guard_reset);
	}
	for_each_zone_m(m, nid, t, z) {
		if (!populated_zone(z))
			continue;
		if (phase == MMK_ATFORK_PREPARE)
			pthread_mutex_lock(&z->lock);
		else
			pthread_mutex_unlock(&z->lock);
	}
	if (phase != MMK_ATFORK_PREPARE) {
		pthread_mutex_unlock(&m->report_lock);
		pthread_mutex_unlock(&m->deferred_lock);
		pthread_mutex_unlock(&m->drain_lock);
	}
}
