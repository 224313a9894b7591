/* SPDX-License-Identifier: MIT */
/*
 * Memory compaction (Linux's mm/compaction.c: compact_zone,
 * isolate_migratepages, isolate_freepages, compact_finished,
 * compaction_suitable, the deferral helpers, try_to_compact_pages,
 * kcompactd and /proc/sys/vm/compact_memory).
 *
 * 1. What it models. Two scanners walk a zone a pageblock at a time:
 *    - the migrate scanner from the zone's start upward isolates the
 *      movable pages of a pageblock (on an LRU list; mlocked ones only
 *      with vm.compact_unevictable_allowed; not an anonymous page with
 *      more references than mappings, which a pin holds), at most
 *      COMPACT_CLUSTER_MAX at a time, skipping free buddy blocks by
 *      their order and compound pages by theirs; pages off the LRU
 *      (slab, page tables, kernel alloc_pages) stay;
 *    - the free scanner from the zone's end downward takes free blocks
 *      (split to order 0) out of pageblocks fit to receive them
 *      (suitable_migration_target: movable pageblocks, not a free whole
 *      pageblock), as many as there are pages to move, keeping the
 *      zone's min watermark (__isolate_free_page);
 *    then migrate_pages() (mm/migrate.c) moves the isolated pages into
 *    the free ones. A run stops when the scanners meet (COMPACT_COMPLETE
 *    for a run over the whole zone, else COMPACT_PARTIAL_SKIPPED), or,
 *    for an allocation of an order, at a pageblock boundary once a free
 *    block of that order (or a fallback the allocator would take) is on
 *    the free lists of its migrate type (COMPACT_SUCCESS). Each zone
 *    keeps where its scanners stopped (compact_cached_migrate_pfn for
 *    async and sync runs, compact_cached_free_pfn) and a skip bit per
 *    pageblock that a scan found nothing to isolate in; a run that
 *    starts at the zone's start covers the whole zone.
 *    - Entry points: `sysctl vm.compact_memory=1` compacts every zone
 *      of every node fully (order -1, MIGRATE_SYNC, skip bits ignored);
 *      direct compaction (try_to_compact_pages) from the page
 *      allocator's slow path for order > 0 (mm/page_alloc.c: async
 *      first, then harder priorities through should_compact_retry);
 *      kcompactd, which kswapd wakes when it goes to sleep after a
 *      high-order reclaim (wakeup_kcompactd).
 *    - compaction_suitable: the zone needs its min watermark (low for
 *      costly orders) plus 2 << order free for order 0, and, for costly
 *      orders, a fragmentation index above vm.extfrag_threshold (so
 *      that lack of memory, not fragmentation, is left to reclaim).
 *    - Deferral: after a failed sync run, a zone skips the next
 *      1 << compact_defer_shift requests of compact_order_failed or
 *      more (the shift grows to COMPACT_MAX_DEFER_SHIFT); a success
 *      resets it.
 *
 * 2. Objects. struct compact_control (one run over one zone: the two
 *    lists of isolated pages, the scanners' pfns, mode and order);
 *    per zone (struct zone) the cached pfns, the deferral state and
 *    the pageblock_skip bitmap (host memory from the machine's arena);
 *    per node (pg_data_t) kcompactd's requested order and zone.
 *
 * 3. Invariants. (compaction_verify) The cached scanner pfns lie in
 *    their zone (the migrate scanner's up to a pageblock past its end); nothing stays isolated after a run (compact_zone's
 *    VM_BUG_ONs; lru_verify and the nr_isolated counters).
 *
 * 4. Departures.
 *    - KSM pages (mm/ksm.c) are passed over by the migration scanner:
 *      they are not migrated here (Linux migrates them through
 *      rmap_walk_ksm).
 *    - No fast_find_migrateblock / fast_isolate_freepages: the
 *      scanners always walk linearly (Linux's fast searches are
 *      heuristics over the free lists that pick the same kind of
 *      blocks sooner on large zones), and no capture_control: the page
 *      an allocation wants is found on the free lists afterwards.
 *    - No async skip_on_failure of a cc->order block; a page that
 *      fails to isolate is left and the scan goes on.
 *    - The per-CPU lists of the zone are drained at the end of a run
 *      that migrated pages (Linux drains the local CPU's when the
 *      migrate scanner leaves a cc->order block, and kcompactd all
 *      CPUs' after a complete run), so that freed pages merge on the
 *      free lists and /proc/buddyinfo shows it.
 *    - A zone is compacted by one thread at a time (compact_lock);
 *      direct compaction and kcompactd that find it busy count the
 *      zone as contended. Linux lets compactors run side by side.
 *    - kcompactd is not a thread: like kswapd (mm/vmscan.c), a woken
 *      node's kcompactd runs in the thread that woke it, where kswapd
 *      runs (kswapd_run). Proactive compaction (the node's
 *      fragmentation score for a huge page, its zones' weighted by
 *      size, above 110 - vm.compaction_proactiveness: every zone is
 *      compacted until its score is 100 - proactiveness, at least 5)
 *      runs when a nonzero proactiveness is written, as Linux's sysctl
 *      handler triggers it, but not every 500 ms
 *      (HPAGE_FRAG_CHECK_INTERVAL_MSEC): nothing here runs on a timer.
 *      Nor is it deferred after a round that did not lower the score.
 *
 * 5. Ordering. compact_lock of the zone, then (never nested in one
 *    another) the zone lock (the free scanner), the lru_lock
 *    (isolation), migration's locks (mm/migrate.c: all tried) and the
 *    pcp drain. Nothing here allocates memory: the free scanner hands
 *    migration its target pages. Direct compaction runs in the page
 *    allocator's slow path only.
 *
 * 6. Observability. /proc/vmstat compact_migrate_scanned,
 *    compact_free_scanned, compact_isolated, compact_stall,
 *    compact_fail, compact_success (the last three counted by the page
 *    allocator), compact_daemon_wake, compact_daemon_migrate_scanned,
 *    compact_daemon_free_scanned, pgmigrate_*; /proc/buddyinfo and
 *    /proc/pagetypeinfo after compaction; `check`.
 */
#include "mm/pgtable.h"

#include <errno.h>
#include <mmkit/compaction.h>

#define COMPACT_CLUSTER_MAX 32UL
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

struct compact_control {
	struct mmk_machine *m;
	struct list_head freepages; /* isolated free pages, order 0 */
	struct list_head migratepages; /* isolated pages to move */
	unsigned long nr_freepages, nr_migratepages;
	unsigned long free_pfn; /* the free scanner's next pfn (going down) */
	unsigned long migrate_pfn; /* the migrate scanner's (going up) */
	unsigned long total_migrate_scanned, total_free_scanned;
	struct zone *zone;
	gfp_t gfp_mask;
	int order; /* -1: compact_memory */
	int migratetype;
	unsigned int alloc_flags;
	enum zone_type highest_zoneidx;
	enum migrate_mode mode;
	bool ignore_skip_hint; /* scan pageblocks marked to skip */
	bool ignore_block_suitable; /* any pageblock takes free pages */
	bool direct_compaction;
	bool proactive_compaction; /* until the zone's score is low */
	bool whole_zone;
	bool finish_pageblock; /* scan the whole pageblock, then mark it */
};

/* ---- pageblocks ---- */

static unsigned long pageblock_nr(const struct mmk_machine *m)
{
	return 1UL << m->pageblock_order;
}

static unsigned long pageblock_start_pfn(const struct mmk_machine *m,
					 unsigned long pfn)
{
	return pfn & ~(pageblock_nr(m) - 1);
}

static unsigned long pageblock_end_pfn(const struct mmk_machine *m,
				       unsigned long pfn)
{
	return pageblock_start_pfn(m, pfn) + pageblock_nr(m);
}

static bool pageblock_aligned(const struct mmk_machine *m, unsigned long pfn)
{
	return !(pfn & (pageblock_nr(m) - 1));
}

/* pageblock_pfn_to_page(): the pageblock [start, end) lies in @zone
 * where it has RAM (its first and last pages). */
static bool pageblock_in_zone(struct compact_control *cc, unsigned long start,
			      unsigned long end)
{
	struct zone *z = cc->zone;

	start = max(start, z->zone_start_pfn);
	end = min(end, zone_end_pfn(z));
	return start < end && pfn_zone_fast(cc->m, start) == z &&
	       pfn_zone_fast(cc->m, end - 1) == z;
}

/* The pageblock_skip bit of the pageblock of @pfn. */
static unsigned long skip_index(const struct mmk_machine *m,
				const struct zone *zone, unsigned long pfn)
{
	return (pfn - pageblock_start_pfn(m, zone->zone_start_pfn)) >>
	       m->pageblock_order;
}

static bool get_pageblock_skip(const struct mmk_machine *m,
			       const struct zone *zone, unsigned long pfn)
{
	unsigned long i = skip_index(m, zone, pfn);

	return zone->pageblock_skip[i / BITS_PER_LONG] &
	       (1UL << (i % BITS_PER_LONG));
}

static void set_pageblock_skip(const struct mmk_machine *m, struct zone *zone,
			       unsigned long pfn)
{
	unsigned long i = skip_index(m, zone, pfn);

	zone->pageblock_skip[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
}

static bool isolation_suitable(struct compact_control *cc, unsigned long pfn)
{
	return cc->ignore_skip_hint ||
	       !get_pageblock_skip(cc->m, cc->zone, pfn);
}

static void reset_cached_positions(const struct mmk_machine *m,
				   struct zone *zone)
{
	zone->compact_cached_migrate_pfn[0] = zone->compact_init_migrate_pfn;
	zone->compact_cached_migrate_pfn[1] = zone->compact_init_migrate_pfn;
	zone->compact_cached_free_pfn = zone->compact_init_free_pfn;
	(void)m;
}

/* __reset_isolation_suitable(): every skip bit clear, the scanners back
 * at the zone's ends. compact_lock held. */
static void __reset_isolation_suitable(struct mmk_machine *m, struct zone *zone)
{
	unsigned long nbits = skip_index(m, zone, zone_end_pfn(zone) - 1) + 1;

	memset(zone->pageblock_skip, 0,
	       BITS_TO_LONGS(nbits) * sizeof(unsigned long));
	reset_cached_positions(m, zone);
	zone->compact_blockskip_flush = false;
}

void reset_isolation_suitable(struct mmk_machine *m, pg_data_t *pgdat)
{
	struct zone *zone;

	if (!m->compaction)
		return;
	for_each_zone_in_node(pgdat, zone) {
		if (!populated_zone(zone))
			continue;
		pthread_mutex_lock(&zone->compact_lock);
		if (zone->compact_blockskip_flush)
			__reset_isolation_suitable(m, zone);
		pthread_mutex_unlock(&zone->compact_lock);
	}
}

/* The migrate scanner leaves the pageblock before @pfn's end: the next
 * run starts after it (update_cached_migrate). */
static void update_cached_migrate(struct compact_control *cc, unsigned long pfn)
{
	struct zone *zone = cc->zone;

	pfn = pageblock_end_pfn(cc->m, pfn);
	if (pfn > zone->compact_cached_migrate_pfn[0])
		zone->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MIGRATE_ASYNC &&
	    pfn > zone->compact_cached_migrate_pfn[1])
		zone->compact_cached_migrate_pfn[1] = pfn;
}

/* The free scanner found nothing more in the pageblock at @block: it is
 * skipped, and the next run starts below it (update_pageblock_skip). */
static void update_pageblock_skip(struct compact_control *cc,
				  unsigned long block, unsigned long pfn)
{
	set_pageblock_skip(cc->m, cc->zone, block);
	if (pfn < cc->zone->compact_cached_free_pfn)
		cc->zone->compact_cached_free_pfn = pfn;
}

/* ---- deferral (compaction_deferred and friends) ---- */

static void defer_compaction(struct zone *zone, int order)
{
	zone->compact_considered = 0;
	zone->compact_defer_shift++;
	if (order < zone->compact_order_failed)
		zone->compact_order_failed = order;
	if (zone->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		zone->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
}

static bool compaction_deferred(struct zone *zone, int order)
{
	unsigned int limit = 1U << zone->compact_defer_shift;

	if (order < zone->compact_order_failed)
		return false;
	if (++zone->compact_considered >= limit) {
		zone->compact_considered = limit;
		return false;
	}
	return true;
}

static void __compaction_defer_reset(struct zone *zone, int order,
				     bool alloc_success)
{
	if (alloc_success) {
		zone->compact_considered = 0;
		zone->compact_defer_shift = 0;
		/* The allocation worked: kswapd need not clear the skip
		 * bits (__alloc_pages_direct_compact). */
		zone->compact_blockskip_flush = false;
	}
	if (order >= zone->compact_order_failed)
		zone->compact_order_failed = order + 1;
}

static void compaction_defer_reset(struct zone *zone, int order,
				   bool alloc_success)
{
	pthread_mutex_lock(&zone->compact_lock);
	__compaction_defer_reset(zone, order, alloc_success);
	pthread_mutex_unlock(&zone->compact_lock);
}

/* Deferred for long enough that this try may clear the skip bits. */
static bool compaction_restarting(struct zone *zone, int order)
{
	if (order < zone->compact_order_failed)
		return false;
	return zone->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	       zone->compact_considered >= 1U << zone->compact_defer_shift;
}

/* ---- suitability ---- */

/* fill_contig_page_info(): free pages, free blocks, and free blocks of
 * @order's size counted in blocks of that size. */
struct contig_page_info {
	unsigned long free_pages, free_blocks_total, free_blocks_suitable;
};

static void fill_contig_page_info(const struct zone *zone, unsigned int order,
				  struct contig_page_info *info)
{
	unsigned int o;

	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long blocks = atomic_load_explicit(
			&zone->free_area[o].nr_free, memory_order_relaxed);

		info->free_blocks_total += blocks;
		info->free_pages += blocks << o;
		if (o >= order)
			info->free_blocks_suitable += blocks << (o - order);
	}
}

/* fragmentation_index(): toward 0, an @order request fails for lack of
 * memory; toward 1000, for fragmentation; -1000 when it would not fail. */
static int fragmentation_index(const struct zone *zone, unsigned int order)
{
	struct contig_page_info info;
	unsigned long requested = 1UL << order;

	fill_contig_page_info(zone, order, &info);
	if (!info.free_blocks_total)
		return 0;
	if (info.free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + info.free_pages * 1000 / requested) /
			    info.free_blocks_total);
}

static bool __compaction_suitable(struct zone *zone, int order,
				  enum zone_type highest, long free_pages)
{
	unsigned long mark = order > PAGE_ALLOC_COSTLY_ORDER ?
				     low_wmark_pages(zone) :
				     min_wmark_pages(zone);

	/* compact_gap(): room for the pages a run isolates at once. */
	mark += 2UL << order;
	return __zone_watermark_ok(zone, 0, mark, highest, 0, free_pages);
}

static bool compaction_suitable(struct mmk_machine *m, struct zone *zone,
				int order, enum zone_type highest)
{
	int fragindex;

	if (!__compaction_suitable(zone, order, highest,
				   (long)zone_page_state(zone, NR_FREE_PAGES)))
		return false;
	/* Costly orders only, and only when fragmentation is the cause
	 * (vm.extfrag_threshold); for the others the alternative to
	 * compaction is the OOM killer. */
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return true;
	fragindex = fragmentation_index(zone, (unsigned int)order);
	return !(fragindex >= 0 &&
		 fragindex <= atomic_load_explicit(&m->extfrag_threshold,
						   memory_order_relaxed));
}

static bool compaction_zonelist_suitable(struct mmk_machine *m,
					 const struct alloc_context *ac,
					 int order, unsigned int alloc_flags)
{
	struct zone **zp;

	(void)alloc_flags;
	for (zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *z = *zp;
		long available;

		if (!zone_in_alloc_context(z, ac))
			continue;
		/* Not all of it: thrashing for one high-order page is no
		 * bargain. */
		available = (long)(m->zone_reclaimable_pages ?
					   m->zone_reclaimable_pages(z) /
						   (unsigned long)order :
					   0);
		available += (long)zone_page_state(z, NR_FREE_PAGES);
		if (__compaction_suitable(z, order, ac->highest_zoneidx,
					  available))
			return true;
	}
	return false;
}

/* The order of the free block @page heads, or -1 if it heads none, read
 * without the zone lock as Linux's scanners do (buddy_order_unsafe(),
 * data_race()): page_type shares its word with _mapcount, which faults
 * change meanwhile. A stale answer is checked again under the lock, or
 * costs only a page scanned twice or skipped. */
static __no_sanitize_thread int buddy_order_unlocked(const struct page *page)
{
	/* Not PageBuddy(): an inline helper left out of line would be
	 * instrumented. */
	return page->page_type >> 24 == PGTY_buddy ? (int)page->private : -1;
}

/* A free page may go to the pageblock of @pfn: not a free pageblock
 * whole, and (unless any will do) a movable one. */
static bool suitable_migration_target(struct compact_control *cc,
				      unsigned long pfn)
{
	const struct page *page = cc->m->mem_map + pfn;

	if (buddy_order_unlocked(page) >= (int)cc->m->pageblock_order)
		return false;
	if (cc->ignore_block_suitable)
		return true;
	return get_pfnblock_migratetype(cc->m, pfn) == MIGRATE_MOVABLE;
}

/* Async direct compaction takes pages only from pageblocks of the
 * request's own type (movable for a movable request). */
static bool suitable_migration_source(struct compact_control *cc,
				      unsigned long pfn)
{
	if (cc->mode != MIGRATE_ASYNC || !cc->direct_compaction)
		return true;
	return get_pfnblock_migratetype(cc->m, pfn) == cc->migratetype;
}

/* ---- the free scanner ---- */

/* isolate_freepages_block(): free blocks of [*@start, @end) go to
 * cc->freepages, until there are as many as pages to move. *@start: the
 * pfn the scan stopped at. */
static void isolate_freepages_block(struct compact_control *cc,
				    unsigned long *start, unsigned long end)
{
	struct mmk_machine *m = cc->m;
	unsigned long pfn, nr_scanned = 0, total = 0;

	for (pfn = *start; pfn < end; pfn++) {
		struct page *page = m->mem_map + pfn;
		unsigned long isolated = 0, i;
		unsigned int order = 0;
		int buddy;

		nr_scanned++;
		if (buddy_order_unlocked(page) < 0)
			continue;
		pthread_mutex_lock(&cc->zone->lock);
		/* Under the lock a free block stays one; a page that is no
		 * longer free may have its mapcount (page_type's word)
		 * changing. */
		buddy = buddy_order_unlocked(page);
		if (buddy >= 0) {
			order = (unsigned int)buddy;
			isolated = __isolate_free_page(m, cc->zone, pfn, order);
		}
		pthread_mutex_unlock(&cc->zone->lock);
		if (!isolated) {
			if (buddy_order_unlocked(page) >= 0)
				break; /* the watermark */
			continue;
		}
		if (split_isolated_block(m, page, order))
			for (i = 0; i < isolated; i++)
				lru_list_add_tail(&page[i].lru, &cc->freepages);
		nr_scanned += isolated - 1;
		total += isolated;
		cc->nr_freepages += isolated;
		if (cc->nr_migratepages <= cc->nr_freepages) {
			pfn += isolated;
			break;
		}
		pfn += isolated - 1;
	}
	*start = min(pfn, end);
	cc->total_free_scanned += nr_scanned;
	if (total)
		count_vm_events(m, COMPACTISOLATED, total);
}

/* isolate_freepages(): from cc->free_pfn down, pageblock by pageblock,
 * no lower than the migrate scanner's pageblock. */
static void isolate_freepages(struct compact_control *cc)
{
	struct mmk_machine *m = cc->m;
	unsigned long pb = pageblock_nr(m);
	unsigned long start = cc->free_pfn;
	unsigned long block = pageblock_start_pfn(m, start);
	unsigned long block_end = min(block + pb, zone_end_pfn(cc->zone));
	unsigned long low = pageblock_end_pfn(m, cc->migrate_pfn);

	for (; block >= low; block_end = block, block -= pb, start = block) {
		if (!pageblock_in_zone(cc, block, block_end) ||
		    !suitable_migration_target(cc, block) ||
		    !isolation_suitable(cc, block))
			continue;
		isolate_freepages_block(cc, &start, block_end);
		if (start == block_end)
			update_pageblock_skip(cc, block, block - pb);
		if (cc->nr_freepages >= cc->nr_migratepages) {
			/* Done with this pageblock: the next run starts
			 * below it. */
			if (start >= block_end)
				start = block - pb;
			break;
		}
		if (start < block_end)
			break; /* the watermark stopped it */
	}
	cc->free_pfn = start;
}

static struct page *compaction_alloc(struct page *src, unsigned long private)
{
	struct compact_control *cc = (struct compact_control *)private;
	struct page *page;

	(void)src;
	if (list_empty(&cc->freepages)) {
		isolate_freepages(cc);
		if (list_empty(&cc->freepages))
			return NULL;
	}
	page = list_first_entry(&cc->freepages, struct page, lru);
	lru_list_del(&page->lru);
	cc->nr_freepages--;
	return page;
}

static void compaction_free(struct page *page, unsigned long private)
{
	struct compact_control *cc = (struct compact_control *)private;

	lru_list_add(&page->lru, &cc->freepages);
	cc->nr_freepages++;
}

/* The unused free pages go back; the highest pfn among them. */
static unsigned long release_freepages(struct list_head *l)
{
	struct page *page, *next;
	unsigned long high = 0;

	list_for_each_entry_safe(page, next, l, lru) {
		lru_list_del(&page->lru);
		high = max(high, page_to_pfn(page));
		__free_pages(page, 0);
	}
	return high;
}

/* ---- the migrate scanner ---- */

/*
 * What the migrate scanner reads of @page before it takes a reference,
 * without any lock (Linux's data_race() tests of PageBuddy, PageCompound
 * and PageLRU): -1 if it may be an LRU page to isolate (an evictable one,
 * or any with @unevictable; not an anonymous page that a reference beyond
 * its mappings pins), else the pages after it to skip (a free or compound
 * block's rest). isolate_lru_page() checks again under the lru_lock.
 * Every field is read inline and plainly here: an inline helper left out
 * of line, or an atomic load, would be instrumented.
 */
static __no_sanitize_thread long peek_migrate_source(const struct page *page,
						     bool unevictable)
{
	unsigned long flags = page->flags;
	unsigned int order = 0;

	if (page->page_type >> 24 == PGTY_buddy)
		order = (unsigned int)page->private;
	else if (flags & (1UL << PG_head)) /* huge pages stay too */
		order = page[1].compound_order;
	else if (!(flags & (1UL << PG_lru)) ||
		 (!unevictable && (flags & (1UL << PG_unevictable))) ||
		 /* KSM pages are not migrated (mm/ksm.c). */
		 ((unsigned long)page->mapping & PAGE_MAPPING_FLAGS) ==
			 PAGE_MAPPING_FLAGS ||
		 (((unsigned long)page->mapping & PAGE_MAPPING_ANON) &&
		  !(flags & (1UL << PG_swapcache)) &&
		  *(const int *)&page->_refcount >
			  *(const int *)&page->_mapcount))
		return 0;
	else
		return -1;
	return order <= MAX_PAGE_ORDER ? (long)(1UL << order) - 1 : 0;
}

/* isolate_migratepages_block(): the movable pages of [low, end). */
static void isolate_migratepages_block(struct compact_control *cc,
				       unsigned long low, unsigned long end)
{
	struct mmk_machine *m = cc->m;
	bool unevictable = atomic_load_explicit(&m->compact_unevictable_allowed,
						memory_order_relaxed);
	unsigned long nr_scanned = 0, nr_isolated = 0;
	unsigned long block = pageblock_start_pfn(m, low);

	for (; low < end; low++) {
		struct page *page = m->mem_map + low;
		long peek = peek_migrate_source(page, unevictable);
		unsigned long skip = peek > 0 ? (unsigned long)peek : 0;

		nr_scanned++;
		if (peek < 0 && isolate_lru_page(m, page, unevictable)) {
			lru_list_add_tail(&page->lru, &cc->migratepages);
			cc->nr_migratepages++;
			nr_isolated++;
			if (cc->nr_migratepages >= COMPACT_CLUSTER_MAX &&
			    !cc->finish_pageblock) {
				low++;
				break;
			}
		}
		skip = min(skip, end - 1 - low);
		low += skip;
		nr_scanned += skip;
	}
	cc->total_migrate_scanned += nr_scanned;
	if (nr_isolated)
		count_vm_events(m, COMPACTISOLATED, nr_isolated);
	/* A pageblock scanned to its end with nothing taken is skipped
	 * next time. */
	if (low == end && (!nr_isolated || cc->finish_pageblock)) {
		set_pageblock_skip(m, cc->zone, block);
		update_cached_migrate(cc, low);
	}
	cc->migrate_pfn = low;
}

enum isolate_migrate_t { ISOLATE_NONE, ISOLATE_SUCCESS };

/* isolate_migratepages(): the first suitable pageblock from
 * cc->migrate_pfn on, below the free scanner. */
static enum isolate_migrate_t isolate_migratepages(struct compact_control *cc)
{
	struct mmk_machine *m = cc->m;
	unsigned long low = cc->migrate_pfn;
	unsigned long block =
		max(pageblock_start_pfn(m, low), cc->zone->zone_start_pfn);
	unsigned long block_end = pageblock_end_pfn(m, low);

	for (; block_end <= cc->free_pfn; cc->migrate_pfn = low = block_end,
					  block = block_end,
					  block_end += pageblock_nr(m)) {
		if (!pageblock_in_zone(cc, block, block_end))
			continue;
		if ((pageblock_aligned(m, low) ||
		     low == cc->zone->zone_start_pfn) &&
		    !isolation_suitable(cc, block))
			continue;
		if (!suitable_migration_source(cc, block)) {
			update_cached_migrate(cc, block_end);
			continue;
		}
		isolate_migratepages_block(cc, low, block_end);
		break;
	}
	return cc->nr_migratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* ---- one run ---- */

static bool compact_scanners_met(const struct compact_control *cc)
{
	return (cc->free_pfn >> cc->m->pageblock_order) <=
	       (cc->migrate_pfn >> cc->m->pageblock_order);
}

/* ---- proactive compaction's fragmentation score ---- */

/* extfrag_for_order(): the percentage of @zone's free memory in blocks
 * smaller than @order. */
static unsigned int extfrag_for_order(const struct zone *zone,
				      unsigned int order)
{
	struct contig_page_info info;

	fill_contig_page_info(zone, order, &info);
	if (!info.free_pages)
		return 0;
	return (unsigned int)((info.free_pages -
			       (info.free_blocks_suitable << order)) *
			      100 / info.free_pages);
}

/* A zone's score: its external fragmentation for a huge page
 * (COMPACTION_HPAGE_ORDER, the pageblock order of both profiles). */
static unsigned int fragmentation_score_zone(const struct mmk_machine *m,
					     const struct zone *zone)
{
	return extfrag_for_order(zone, m->pageblock_order);
}

/* The node's score: its zones' scores weighted by their size. */
static unsigned int fragmentation_score_node(const struct mmk_machine *m,
					     pg_data_t *pgdat)
{
	unsigned int score = 0;
	struct zone *zone;

	for_each_zone_in_node(pgdat, zone)
		if (populated_zone(zone))
			score +=
				(unsigned int)(zone->present_pages *
					       fragmentation_score_zone(m,
									zone) /
					       (pgdat->node_present_pages + 1));
	return score;
}

/* The scores proactive compaction works between: it starts above the
 * high one and stops at the low one, 100 - proactiveness (at least 5). */
static unsigned int fragmentation_score_wmark(const struct mmk_machine *m,
					      bool low)
{
	unsigned int wmark_low =
		max(100U - (unsigned int)atomic_load_explicit(
				   &m->compaction_proactiveness,
				   memory_order_relaxed),
		    5U);

	return low ? wmark_low : min(wmark_low + 10, 100U);
}

static bool kswapd_is_running(pg_data_t *pgdat)
{
	return atomic_load_explicit(&pgdat->kswapd_running,
				    memory_order_relaxed);
}

static enum compact_result __compact_finished(struct compact_control *cc)
{
	struct mmk_machine *m = cc->m;
	unsigned int order;

	if (compact_scanners_met(cc)) {
		reset_cached_positions(m, cc->zone);
		/* kswapd clears the skip bits when it next sleeps. */
		if (cc->direct_compaction)
			cc->zone->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE :
					COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction) {
		if (kswapd_is_running(cc->zone->zone_pgdat))
			return COMPACT_PARTIAL_SKIPPED;
		return fragmentation_score_zone(m, cc->zone) >
				       fragmentation_score_wmark(m, true) ?
			       COMPACT_CONTINUE :
			       COMPACT_SUCCESS;
	}
	if (cc->order < 0)
		return COMPACT_CONTINUE;
	/* Whole pageblocks, for fewer fallbacks later. */
	if (!pageblock_aligned(m, cc->migrate_pfn))
		return COMPACT_CONTINUE;
	for (order = (unsigned int)cc->order; order < NR_PAGE_ORDERS; order++) {
		const struct free_area *area = &cc->zone->free_area[order];

		if (__atomic_load_n(&area->nr_free_mt[cc->migratetype],
				    __ATOMIC_RELAXED))
			return COMPACT_SUCCESS;
		/* The allocation would take another type's block. */
		if (find_suitable_fallback(m, area, order, cc->migratetype,
					   true) >= 0)
			return COMPACT_SUCCESS;
	}
	return COMPACT_CONTINUE;
}

/* Drain the zone's per-CPU lists once the migrate scanner has left the
 * cc->order block it last migrated from, so the freed pages merge. */
static void check_drain(struct compact_control *cc,
			unsigned long *last_migrated_pfn)
{
	unsigned long start;

	if (cc->order <= 0 || !*last_migrated_pfn)
		return;
	start = cc->migrate_pfn & ~((1UL << cc->order) - 1);
	if (*last_migrated_pfn < start) {
		drain_all_pages(cc->zone);
		*last_migrated_pfn = 0;
	}
}

/* The scanners' starting points: the zone's ends, or where the last run
 * stopped. */
static void compact_zone_start(struct compact_control *cc, bool sync)
{
	struct zone *zone = cc->zone;
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone);

	if (cc->whole_zone) {
		cc->migrate_pfn = start;
		cc->free_pfn = pageblock_start_pfn(cc->m, end - 1);
		return;
	}
	cc->migrate_pfn = zone->compact_cached_migrate_pfn[sync];
	cc->free_pfn = zone->compact_cached_free_pfn;
	if (cc->free_pfn < start || cc->free_pfn >= end) {
		cc->free_pfn = pageblock_start_pfn(cc->m, end - 1);
		zone->compact_cached_free_pfn = cc->free_pfn;
	}
	if (cc->migrate_pfn < start || cc->migrate_pfn >= end) {
		cc->migrate_pfn = start;
		zone->compact_cached_migrate_pfn[0] = start;
		zone->compact_cached_migrate_pfn[1] = start;
	}
	if (cc->migrate_pfn <= zone->compact_init_migrate_pfn)
		cc->whole_zone = true;
}

/* compact_zone(), compact_lock held. */
static enum compact_result compact_zone(struct compact_control *cc)
{
	struct mmk_machine *m = cc->m;
	struct zone *zone = cc->zone;
	const bool sync = cc->mode != MIGRATE_ASYNC;
	unsigned long last_migrated_pfn = 0;
	enum compact_result ret;
	bool migrated = false;

	cc->total_migrate_scanned = 0;
	cc->total_free_scanned = 0;
	cc->nr_migratepages = 0;
	cc->nr_freepages = 0;
	INIT_LIST_HEAD(&cc->freepages);
	INIT_LIST_HEAD(&cc->migratepages);
	cc->migratetype = gfp_migratetype(cc->gfp_mask);
	if (cc->order >= 0) {
		/* The allocation can succeed already: nothing to do. */
		if (__zone_watermark_ok(
			    zone, (unsigned int)cc->order,
			    wmark_pages(zone,
					cc->alloc_flags & ALLOC_WMARK_MASK),
			    cc->highest_zoneidx, cc->alloc_flags,
			    (long)zone_page_state(zone, NR_FREE_PAGES)))
			return COMPACT_SUCCESS;
		if (!compaction_suitable(m, zone, cc->order,
					 cc->highest_zoneidx))
			return COMPACT_SKIPPED;
	}
	if (cc->order >= 0 && compaction_restarting(zone, cc->order))
		__reset_isolation_suitable(m, zone);
	compact_zone_start(cc, sync);

	while ((ret = __compact_finished(cc)) == COMPACT_CONTINUE) {
		unsigned int nr_succeeded = 0;
		int err;

		cc->finish_pageblock =
			pageblock_start_pfn(m, last_migrated_pfn) ==
			pageblock_start_pfn(m, cc->migrate_pfn);
rescan:
		if (isolate_migratepages(cc) == ISOLATE_NONE) {
			check_drain(cc, &last_migrated_pfn);
			continue;
		}
		last_migrated_pfn =
			max(zone->zone_start_pfn,
			    pageblock_start_pfn(m, cc->migrate_pfn - 1));
		err = migrate_pages(&cc->migratepages, compaction_alloc,
				    compaction_free, (unsigned long)cc,
				    cc->mode, MR_COMPACTION, &nr_succeeded);
		migrated |= nr_succeeded > 0;
		cc->nr_migratepages = 0;
		if (err) {
			putback_movable_pages(&cc->migratepages);
			/* No free page left below the migrate scanner's
			 * block: the run cannot go on. */
			if (err == -ENOMEM && !compact_scanners_met(cc)) {
				ret = COMPACT_CONTENDED;
				break;
			}
			/* An async run that failed inside a pageblock
			 * scans the rest of it, then marks it skipped. */
			if (!pageblock_aligned(m, cc->migrate_pfn) &&
			    !cc->ignore_skip_hint && !cc->finish_pageblock &&
			    cc->mode < MIGRATE_SYNC) {
				cc->finish_pageblock = true;
				goto rescan;
			}
		}
		check_drain(cc, &last_migrated_pfn);
	}
	if (cc->nr_freepages > 0) {
		unsigned long free_pfn = release_freepages(&cc->freepages);

		cc->nr_freepages = 0;
		/* Only back, never forward: compact_finished may have
		 * reset it to the zone's end already. */
		free_pfn = pageblock_start_pfn(m, free_pfn);
		if (free_pfn > zone->compact_cached_free_pfn)
			zone->compact_cached_free_pfn = free_pfn;
	}
	if (migrated)
		drain_all_pages(zone);
	count_vm_events(m, COMPACTMIGRATE_SCANNED, cc->total_migrate_scanned);
	count_vm_events(m, COMPACTFREE_SCANNED, cc->total_free_scanned);
	VM_BUG_ON(!list_empty(&cc->freepages));
	VM_BUG_ON(!list_empty(&cc->migratepages));
	return ret;
}

/* ---- direct compaction ---- */

static enum compact_result
compact_zone_order(struct mmk_machine *m, struct zone *zone, int order,
		   gfp_t gfp, enum compact_priority prio,
		   unsigned int alloc_flags, enum zone_type highest)
{
	struct compact_control cc = { 0 };

	cc.m = m;
	cc.order = order;
	cc.gfp_mask = gfp;
	cc.zone = zone;
	cc.mode = prio == COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC :
					       MIGRATE_SYNC_LIGHT;
	cc.alloc_flags = alloc_flags;
	cc.highest_zoneidx = highest;
	cc.direct_compaction = true;
	cc.whole_zone = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY;
	return compact_zone(&cc);
}

static enum compact_result try_to_compact_pages(struct mmk_machine *m,
						gfp_t gfp, unsigned int order,
						unsigned int alloc_flags,
						const struct alloc_context *ac,
						enum compact_priority prio)
{
	enum compact_result rc = COMPACT_SKIPPED;
	struct zone **zp;

	/* Migration may need I/O (GFP_NOIO: skip). */
	if (!(gfp & __GFP_IO))
		return COMPACT_SKIPPED;
	for (zp = ac->zonelist->zones; *zp; zp++) {
		struct zone *zone = *zp;
		enum compact_result status;

		if (!zone_in_alloc_context(zone, ac) || !zone->pageblock_skip)
			continue;
		if (pthread_mutex_trylock(&zone->compact_lock)) {
			rc = max(rc, COMPACT_CONTENDED);
			continue;
		}
		if (prio > MIN_COMPACT_PRIORITY &&
		    compaction_deferred(zone, (int)order)) {
			pthread_mutex_unlock(&zone->compact_lock);
			rc = max(rc, COMPACT_DEFERRED);
			continue;
		}
		status = compact_zone_order(m, zone, (int)order, gfp, prio,
					    alloc_flags, ac->highest_zoneidx);
		rc = max(status, rc);
		/* Likely to succeed now (the allocation resets the
		 * deferral for good if it does). */
		if (status == COMPACT_SUCCESS)
			__compaction_defer_reset(zone, (int)order, false);
		else if (prio != COMPACT_PRIO_ASYNC &&
			 (status == COMPACT_COMPLETE ||
			  status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(zone, (int)order);
		pthread_mutex_unlock(&zone->compact_lock);
		if (status == COMPACT_SUCCESS)
			break;
	}
	return rc;
}

/* ---- kcompactd ---- */

/* Some zone up to the requested one lacks the order but would gain it
 * from compaction (kcompactd_node_suitable). */
static bool kcompactd_node_suitable(struct mmk_machine *m, pg_data_t *pgdat,
				    int order, enum zone_type highest)
{
	int t;

	for (t = 0; t <= (int)highest; t++) {
		struct zone *zone = &pgdat->node_zones[t];

		if (!populated_zone(zone))
			continue;
		if (__zone_watermark_ok(zone, (unsigned int)order,
					min_wmark_pages(zone), highest, 0,
					(long)zone_page_state(zone,
							      NR_FREE_PAGES)))
			continue;
		if (compaction_suitable(m, zone, order, highest))
			return true;
	}
	return false;
}

void wakeup_kcompactd(struct mmk_machine *m, pg_data_t *pgdat, int order,
		      enum zone_type highest)
{
	int cur;

	if (!order || !m->compaction)
		return;
	cur = atomic_load(&pgdat->kcompactd_max_order);
	while (order > cur && !atomic_compare_exchange_weak(
				      &pgdat->kcompactd_max_order, &cur, order))
		;
	cur = atomic_load(&pgdat->kcompactd_highest_zoneidx);
	while ((int)highest < cur &&
	       !atomic_compare_exchange_weak(&pgdat->kcompactd_highest_zoneidx,
					     &cur, (int)highest))
		;
	if (atomic_load(&pgdat->kcompactd_running) ||
	    !kcompactd_node_suitable(m, pgdat, order, highest))
		return;
	atomic_store(&pgdat->kcompactd_wait, true);
}

static void kcompactd_do_work(struct mmk_machine *m, pg_data_t *pgdat)
{
	struct compact_control cc = { 0 };
	int t;

	cc.m = m;
	cc.order = atomic_load(&pgdat->kcompactd_max_order);
	cc.highest_zoneidx =
		(enum zone_type)atomic_load(&pgdat->kcompactd_highest_zoneidx);
	cc.mode = MIGRATE_SYNC_LIGHT;
	cc.gfp_mask = GFP_KERNEL;
	count_vm_events(m, KCOMPACTD_WAKE, 1);
	for (t = 0; t <= (int)cc.highest_zoneidx; t++) {
		struct zone *zone = &pgdat->node_zones[t];
		enum compact_result status;

		if (!populated_zone(zone) || !zone->pageblock_skip)
			continue;
		if (pthread_mutex_trylock(&zone->compact_lock))
			continue;
		if (compaction_deferred(zone, cc.order) ||
		    __zone_watermark_ok(
			    zone, (unsigned int)cc.order, min_wmark_pages(zone),
			    (enum zone_type)t, 0,
			    (long)zone_page_state(zone, NR_FREE_PAGES)) ||
		    !compaction_suitable(m, zone, cc.order,
					 (enum zone_type)t)) {
			pthread_mutex_unlock(&zone->compact_lock);
			continue;
		}
		cc.zone = zone;
		cc.whole_zone = false;
		status = compact_zone(&cc);
		if (status == COMPACT_SUCCESS) {
			__compaction_defer_reset(zone, cc.order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED ||
			   status == COMPACT_COMPLETE) {
			drain_all_pages(zone);
			defer_compaction(zone, cc.order);
		}
		pthread_mutex_unlock(&zone->compact_lock);
		count_vm_events(m, KCOMPACTD_MIGRATE_SCANNED,
				cc.total_migrate_scanned);
		count_vm_events(m, KCOMPACTD_FREE_SCANNED,
				cc.total_free_scanned);
	}
	/* Done until woken again; a larger request meanwhile stays. */
	t = cc.order;
	atomic_compare_exchange_strong(&pgdat->kcompactd_max_order, &t, 0);
	t = (int)cc.highest_zoneidx;
	atomic_compare_exchange_strong(&pgdat->kcompactd_highest_zoneidx, &t,
				       pgdat->nr_zones - 1);
}

void kcompactd_run(struct mmk_machine *m)
{
	int nid;

	if (!m->compaction)
		return;
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		if (!atomic_load_explicit(&pgdat->kcompactd_wait,
					  memory_order_relaxed) ||
		    atomic_exchange(&pgdat->kcompactd_running, true))
			continue;
		atomic_store(&pgdat->kcompactd_wait, false);
		kcompactd_do_work(m, pgdat);
		atomic_store(&pgdat->kcompactd_running, false);
	}
}

/* ---- compact_memory and the sysctls ---- */

/* compact_node(): every zone of @pgdat, whole: vm.compact_memory's
 * synchronous run, or with @proactive kcompactd's proactive round (sync
 * light, each zone until its score is down to the low mark; a zone
 * another thread compacts is left, and the daemon's counters count). */
static void compact_node(struct mmk_machine *m, pg_data_t *pgdat,
			 bool proactive)
{
	struct zone *zone;

	for_each_zone_in_node(pgdat, zone) {
		struct compact_control cc = { 0 };

		if (!populated_zone(zone) || !zone->pageblock_skip)
			continue;
		cc.m = m;
		cc.order = -1;
		cc.mode = proactive ? MIGRATE_SYNC_LIGHT : MIGRATE_SYNC;
		cc.ignore_skip_hint = true;
		cc.whole_zone = true;
		cc.gfp_mask = GFP_KERNEL;
		cc.proactive_compaction = proactive;
		cc.zone = zone;
		if (!proactive)
			pthread_mutex_lock(&zone->compact_lock);
		else if (pthread_mutex_trylock(&zone->compact_lock))
			continue;
		compact_zone(&cc);
		pthread_mutex_unlock(&zone->compact_lock);
		if (!proactive)
			continue;
		count_vm_events(m, KCOMPACTD_MIGRATE_SCANNED,
				cc.total_migrate_scanned);
		count_vm_events(m, KCOMPACTD_FREE_SCANNED,
				cc.total_free_scanned);
	}
}

/* kcompactd's proactive round, which a write of a nonzero
 * vm.compaction_proactiveness triggers (proactive_compact_trigger): it
 * runs when the node's score is above the high mark and kswapd is
 * not reclaiming there. */
static void kcompactd_proactive(struct mmk_machine *m, pg_data_t *pgdat)
{
	if (!atomic_load(&m->compaction_proactiveness) ||
	    kswapd_is_running(pgdat) ||
	    fragmentation_score_node(m, pgdat) <=
		    fragmentation_score_wmark(m, false))
		return;
	compact_node(m, pgdat, true);
}

int mmk_compact_memory(void)
{
	struct mmk_machine *m = mmk_cur();
	int nid;

	if (!m || !m->compaction)
		return -EINVAL;
	for_each_online_node(m, nid)
		compact_node(m, m->node_data[nid], false);
	return 0;
}

int mmk_set_compact_unevictable_allowed(bool on)
{
	struct mmk_machine *m = mmk_cur();

	if (!m)
		return -EINVAL;
	return atomic_exchange(&m->compact_unevictable_allowed, on);
}

int mmk_set_extfrag_threshold(int threshold)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || threshold < 0 || threshold > 1000)
		return -EINVAL;
	return atomic_exchange(&m->extfrag_threshold, threshold);
}

int mmk_set_compaction_proactiveness(int proactiveness)
{
	struct mmk_machine *m = mmk_cur();
	int old, nid;

	if (!m || proactiveness < 0 || proactiveness > 100)
		return -EINVAL;
	old = atomic_exchange(&m->compaction_proactiveness, proactiveness);
	/* compaction_proactiveness_sysctl_handler(): a nonzero write
	 * wakes every node's kcompactd for a proactive round, which runs
	 * here and now (this thread holds no mmap lock). */
	if (proactiveness && m->compaction)
		for_each_online_node(m, nid) {
			pg_data_t *pgdat = m->node_data[nid];

			if (atomic_exchange(&pgdat->kcompactd_running, true))
				continue;
			kcompactd_proactive(m, pgdat);
			atomic_store(&pgdat->kcompactd_running, false);
		}
	return old;
}

/* ---- setup and verifier ---- */

static const struct compaction_ops compaction_ops = {
	.try_to_compact_pages = try_to_compact_pages,
	.defer_reset = compaction_defer_reset,
	.zonelist_suitable = compaction_zonelist_suitable,
};

void compaction_init(struct mmk_machine *m)
{
	int nid, t;
	struct zone *zone;

	atomic_store(&m->compact_unevictable_allowed, 1);
	atomic_store(&m->extfrag_threshold, 500);
	atomic_store(&m->compaction_proactiveness, 20);
	for_each_zone_m(m, nid, t, zone) {
		unsigned long nbits;

		if (!zone->spanned_pages)
			continue;
		nbits = skip_index(m, zone, zone_end_pfn(zone) - 1) + 1;
		zone->pageblock_skip = mmk_machine_zalloc(
			m, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
		if (!zone->pageblock_skip)
			continue; /* that zone is never compacted */
		zone->compact_init_migrate_pfn = zone->zone_start_pfn;
		zone->compact_init_free_pfn =
			pageblock_start_pfn(m, zone_end_pfn(zone) - 1);
		reset_cached_positions(m, zone);
	}
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];

		atomic_store(&pgdat->kcompactd_highest_zoneidx,
			     pgdat->nr_zones - 1);
	}
	m->compaction = &compaction_ops;
}

bool compaction_verify(struct mmk_machine *m, char *why, size_t len)
{
	int nid, t;
	struct zone *zone;

	for_each_zone_m(m, nid, t, zone) {
		unsigned long start = zone->zone_start_pfn;
		unsigned long end = zone_end_pfn(zone);
		bool ok;

		if (!zone->pageblock_skip)
			continue;
		pthread_mutex_lock(&zone->compact_lock);
		/* The migrate scanner's may pass the end by a pageblock
		 * (update_cached_migrate rounds up past its pfn). */
		ok = zone->compact_cached_migrate_pfn[0] >= start &&
		     zone->compact_cached_migrate_pfn[0] <=
			     end + pageblock_nr(m) &&
		     zone->compact_cached_migrate_pfn[1] >= start &&
		     zone->compact_cached_migrate_pfn[1] <=
			     end + pageblock_nr(m) &&
		     zone->compact_cached_free_pfn >=
			     pageblock_start_pfn(m, start) &&
		     zone->compact_cached_free_pfn < end;
		pthread_mutex_unlock(&zone->compact_lock);
		if (!ok)
			return verify_fail(
				why, len,
				"compaction: node %d zone %s: cached scanner pfns %#lx/%#lx (migrate) %#lx (free) outside %#lx-%#lx",
				nid, zone->name,
				zone->compact_cached_migrate_pfn[0],
				zone->compact_cached_migrate_pfn[1],
				zone->compact_cached_free_pfn, start, end);
	}
	return true;
}
