/* SPDX-License-Identifier: MIT */
/*
 * Page reclaim (Linux's mm/vmscan.c, classic two-list LRU, no MGLRU):
 * kswapd, direct reclaim and MADV_PAGEOUT's reclaim_pages.
 *
 * 1. What it models.
 *    - shrink_node: get_scan_count splits the scan between the anon and
 *      file lists: file only without free swap, or while the inactive
 *      file list is large enough (cache_trim_mode); anon only when file
 *      pages and free memory together are below the high watermarks
 *      (file_is_tiny); all lists equally at priority 0; otherwise
 *      vm.swappiness (60) against 200 - swappiness for file. Each list's share is its size >>
 *      priority, scanned in batches of SWAP_CLUSTER_MAX (32).
 *    - shrink_active_list: pages leave the active list's tail for the
 *      inactive list (pgrefill, pgdeactivate) with PG_workingset, except
 *      file pages of executable mappings referenced since the last scan,
 *      which rotate. It runs when the inactive list is low: inactive *
 *      ratio < active, ratio = sqrt(10 * list GB), 1 below 1 GB; or
 *      when refaults activated pages of its type since reclaim last
 *      finished (prepare_scan_control's may_deactivate: a new workingset
 *      is forming; snapshot_refaults at the end of kswapd's and direct
 *      reclaim's runs), which also turns cache_trim_mode off.
 *    - Workingset (mm/workingset.c): a page reclaim evicts from the page
 *      cache or the swap cache leaves a shadow entry; active pages put
 *      back on the lists (move_folios_to_lru: activated, or rotated)
 *      age the node's non-resident clock.
 *    - shrink_inactive_list / shrink_folio_list: each page from the tail
 *      (pgscan_kswapd/direct, pgscan_anon/file) is checked for references
 *      (folio_check_references): referenced by two entries, or twice, or
 *      an executable file page: activated; referenced once: kept for
 *      another trip; unreferenced: reclaimed. Reclaim unmaps it from
 *      every process (try_to_unmap, trying each mapper's lock) and frees
 *      it (pgsteal_*): a clean lazy-free page is dropped (pglazyfreed);
 *      an anonymous page goes into the swap cache under a new slot
 *      (mm/swapfile.c), swap entries replace its mappings, and it is
 *      written (nr_vmscan_write) and dropped; a page mapped where reclaim
 *      cannot take the mapper's lock stays, in the swap cache with the
 *      entries converted so far. A dirty file page is written to the
 *      file's blocks first (nr_vmscan_write), then leaves the page cache,
 *      except under MADV_PAGEOUT, which unmaps it and leaves it dirty in
 *      the cache, activated (nr_vmscan_immediate_reclaim), as Linux's
 *      reclaim_pages() does; a dirty shmem page is written to a swap
 *      slot, which takes its place in the object's cache
 *      (shmem_writeout).
 *      Mlocked pages are never on the lists reclaim scans.
 *    - kswapd: a zone allocation that falls below the low watermark
 *      wakes its node's kswapd (the page allocator's wakeup hook);
 *      balance_pgdat (pageoutrun) reclaims, raising its priority from 12
 *      towards 1, until some zone of the request has its high watermark
 *      free for the order; kswapd runs it again until then. After 16 runs that free nothing the node is
 *      hopeless (zoneinfo node_unreclaimable) until a reclaim succeeds.
 *    - Direct reclaim: the page allocator's slow path calls
 *      try_to_free_pages (allocstall_<zone>): 32 pages, priority 12 down
 *      to 0, over the nodes of the zonelist; the allocation retries while
 *      reclaim makes progress (should_reclaim_retry: up to 16 rounds
 *      without progress), then the OOM killer runs.
 *
 * 2. Objects. scan_control; per node kswapd_order,
 *    kswapd_highest_zoneidx, kswapd_failures (pg_data_t); the lruvec's
 *    refaults[] snapshot.
 *
 * 3. Invariants. Isolated pages are on no list, counted in
 *    nr_isolated_anon/file, and hold a reference; everything isolated
 *    goes back or is freed before reclaim returns (nr_isolated_* is 0
 *    whenever no reclaim runs).
 *
 * 4. Departures.
 *    - KSM pages (mm/ksm.c) are not reclaimed: shrink_folio_list keeps
 *      them active, and their reference walks count as contended
 *      (Linux swaps them out through rmap_walk_ksm).
 *    - kswapd is not a thread: a woken node's kswapd runs in the thread
 *      that woke it, at the end of the system call, access or fork in
 *      progress (where the thread holds no mmap lock), so a script's
 *      results do not depend on scheduling. kcompactd
 *      (mm/compaction.c), which kswapd wakes when it goes to sleep
 *      after a high-order request, runs right after it, the same way.
 *    - No flusher threads: kswapd and direct reclaim write dirty file
 *      pages themselves, synchronously, so nothing is ever under
 *      writeback. Linux 6.18's reclaim never writes a file page (there is
 *      no ->writepage since 6.17): it activates it for the flushers.
 *    - No reclaim cost tracking (anon_cost/file_cost, nor
 *      lru_note_cost_refault): SCAN_FRACT uses the swappiness split
 *      alone. No slab shrinkers (so no shadow-node shrinker:
 *      mm/workingset.c).
 *    - The active lists are scanned when the inactive list is low at
 *      that moment (Linux decides once per shrink_node); the refault
 *      test is per shrink_node, as Linux's. No force_deactivate retry.
 *    - A shmem page written out goes straight to its swap slot and out
 *      of the cache (Linux passes it through the swap cache); a clean
 *      one (never written) is dropped, its content being the zeroes a
 *      refault rebuilds.
 *
 * 5. Ordering. Reclaim runs inside allocations: every lock it takes
 *    beyond the LRU and zone locks is tried, never waited for (the page
 *    lock, which keeps a page-cache page in its file while reclaim
 *    works on it; the mmap locks of the mappers, the anon_vma lock, a
 *    file's lock). The mm
 *    whose fault is allocating (reclaim_allow_mm) is the one exception:
 *    its lock is already held, and its fault fills an empty or swap
 *    entry that reclaim never touches. Reclaim does not recurse.
 *
 * 6. Observability. /proc/vmstat pgscan_*, pgsteal_*, pgrefill,
 *    pgactivate, pgdeactivate, pglazyfreed, pgskip_*, allocstall_*,
 *    pageoutrun, pswpout, nr_vmscan_write, nr_written, pgpgout,
 *    workingset_* (mm/workingset.c);
 *    /proc/zoneinfo node_unreclaimable; /proc/meminfo.
 */
#include "mm/huge_mm.h"
#include "mm/pgtable.h"

#include <string.h>

#define DEF_PRIORITY 12
#define SWAP_CLUSTER_MAX 32UL
#define MAX_RECLAIM_RETRIES 16
#define MAX_SWAPPINESS 200
#define DEACTIVATE_ANON 1U
#define DEACTIVATE_FILE 2U

struct scan_control {
	struct mmk_machine *m;
	unsigned long nr_to_reclaim;
	gfp_t gfp_mask;
	unsigned int order;
	int priority;
	enum zone_type reclaim_idx;
	bool kswapd; /* current_is_kswapd() */
	bool ignore_references; /* MADV_PAGEOUT */
	bool no_file_writeback; /* MADV_PAGEOUT: see release_file_page() */
	int swappiness; /* vm.swappiness, read per shrink_node */
	/* DEACTIVATE_ANON/FILE: refaults activated pages of the type since
	 * reclaim last finished (prepare_scan_control). */
	unsigned int may_deactivate;
	unsigned long nr_scanned, nr_reclaimed;
	struct mm_struct *locked_mm;
};

/* PF_MEMALLOC: this thread is reclaiming (no recursion). */
static mmk_thread_local bool in_reclaim;
/* The mm whose fault is allocating on this thread (see 5.). */
static mmk_thread_local struct mm_struct *allowed_mm;

struct mm_struct *reclaim_allow_mm(struct mm_struct *mm)
{
	struct mm_struct *prev = allowed_mm;

	allowed_mm = mm;
	return prev;
}

struct mm_struct *reclaim_locked_mm(void)
{
	return allowed_mm;
}

static bool is_file_lru(enum lru_list lru)
{
	return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}

static bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

/* lruvec_lru_size(): the list's pages in zones up to @idx. */
static unsigned long lru_size(struct mmk_machine *m, int nid, enum lru_list lru,
			      enum zone_type idx)
{
	unsigned long n = 0;
	int t;

	for (t = 0; t <= (int)idx; t++)
		n += zone_page_state(&m->node_data[nid]->node_zones[t],
				     (enum zone_stat_item)(
					     NR_ZONE_INACTIVE_ANON + (int)lru));
	return n;
}

/* inactive_is_low(): @inactive_lru's list is short of its active one. */
static bool inactive_is_low(struct scan_control *sc, int nid,
			    enum lru_list inactive_lru)
{
	unsigned long inactive = lru_size(sc->m, nid, inactive_lru,
					  sc->reclaim_idx),
		      active = lru_size(sc->m, nid, inactive_lru + 1,
					sc->reclaim_idx);
	unsigned long gb = (inactive + active) >> (30 - PAGE_SHIFT);
	unsigned long ratio = gb ? int_sqrt(10 * gb) : 1;

	return inactive * ratio < active;
}

static void count_scan_event(struct scan_control *sc, enum vm_event_item kswapd,
			     enum vm_event_item direct, unsigned long n)
{
	if (n)
		count_vm_events(sc->m, sc->kswapd ? kswapd : direct, n);
}

/* ---- the active list ---- */

/* folio_referenced() of a page not locked: a file page's mapping holds
 * still only under its lock, which is tried; busy, it counts as
 * referenced (by nothing executable). */
static int referenced_unlocked(struct scan_control *sc, struct page *page,
			       unsigned long *vm_flags)
{
	int n;

	if (PageAnon(page))
		return page_referenced_reclaim(page, sc->locked_mm, vm_flags);
	if (!trylock_page(page))
		return 1;
	n = page_referenced_reclaim(page, sc->locked_mm, vm_flags);
	unlock_page(page);
	return n;
}

static void shrink_active_list(struct scan_control *sc, int nid,
			       enum lru_list lru, unsigned long nr_to_scan)
{
	struct page *batch[SWAP_CLUSTER_MAX];
	unsigned long scanned, n, i, deactivated = 0, rotated = 0;
	bool file = is_file_lru(lru);

	n = isolate_lru_pages(sc->m, nid, lru,
			      min(nr_to_scan, SWAP_CLUSTER_MAX),
			      sc->reclaim_idx, batch, &scanned);
	if (scanned)
		count_vm_events(sc->m, PGREFILL, scanned);
	for (i = 0; i < n; i++) {
		struct page *page = batch[i];
		unsigned long vm_flags = 0;

		if (!test_page_flag(page, PG_mlocked) &&
		    referenced_unlocked(sc, page, &vm_flags) &&
		    (vm_flags & VM_EXEC) && file) {
			/* Executable file pages stay active a while more. */
			putback_lru_page(sc->m, page, file);
			rotated++;
			continue;
		}
		if (!test_page_flag(page, PG_mlocked)) {
			/* Deactivated, it was part of the workingset: its
			 * shadow will say so (workingset_restore_*). */
			page_flag_clear(page, PG_active);
			page_flag_set(page, PG_workingset);
			deactivated++;
		}
		putback_lru_page(sc->m, page, file);
	}
	if (deactivated)
		count_vm_events(sc->m, PGDEACTIVATE, deactivated);
	/* move_folios_to_lru(): active pages put back age the
	 * non-resident clock. */
	if (rotated)
		workingset_age_nonresident(sc->m, nid, rotated);
}

/* ---- the inactive list ---- */

enum page_references {
	PAGEREF_RECLAIM,
	PAGEREF_RECLAIM_CLEAN,
	PAGEREF_KEEP,
	PAGEREF_ACTIVATE
};

static enum page_references check_references(struct scan_control *sc,
					     struct page *page)
{
	unsigned long vm_flags = 0;
	int referenced_ptes =
		page_referenced_reclaim(page, sc->locked_mm, &vm_flags);
	bool referenced_page = test_page_flag(page, PG_referenced);
	bool file_lru = !test_page_flag(page, PG_swapbacked);

	page_flag_clear(page, PG_referenced);
	if (vm_flags & VM_LOCKED)
		return PAGEREF_ACTIVATE;
	if (referenced_ptes) {
		/* Mapped pages start with a reference from their fault:
		 * one more trip round the list; used again, they stay. */
		page_flag_set(page, PG_referenced);
		if (referenced_page || referenced_ptes > 1)
			return PAGEREF_ACTIVATE;
		if ((vm_flags & VM_EXEC) && file_lru)
			return PAGEREF_ACTIVATE;
		return PAGEREF_KEEP;
	}
	if (referenced_page && file_lru)
		return PAGEREF_RECLAIM_CLEAN;
	return PAGEREF_RECLAIM;
}

enum reclaim_result { RECLAIM_KEEP, RECLAIM_ACTIVATE, RECLAIM_FREED };

/* Unmapped and clean: a file page leaves the page cache. */
static enum reclaim_result release_file_page(struct scan_control *sc,
					     struct page *page)
{
	const struct file *f = (const struct file *)page->mapping;

	/* A written shmem page goes to swap (shmem_writeout). */
	if (f->shmem && test_page_flag(page, PG_dirty)) {
		if (!(sc->gfp_mask & __GFP_IO) || !shmem_writeout(page))
			return RECLAIM_ACTIVATE;
		atomic_fetch_add(
			&sc->m->node_stat[page_to_nid(page)][NR_VMSCAN_WRITE],
			1);
		return RECLAIM_FREED;
	}
	if (test_page_flag(page, PG_dirty)) {
		/* Linux leaves a dirty file page to the flushers: unmapped,
		 * it stays dirty in the cache, activated, "for immediate
		 * reclaim when written back". MADV_PAGEOUT does so here;
		 * kswapd and direct reclaim write it (no flushers: see 4.
		 * Departures). */
		if (sc->no_file_writeback) {
			/* PG_reclaim: "reclaim it when written". It is also
			 * PG_readahead: a fault that finds the page reads the
			 * pages after it, as on Linux. */
			page_flag_set(page, PG_reclaim);
			atomic_fetch_add(
				&sc->m->node_stat[page_to_nid(page)]
						 [NR_VMSCAN_IMMEDIATE_RECLAIM],
				1);
			return RECLAIM_ACTIVATE;
		}
		/* pageout(): regular files only, and only where the
		 * allocation may enter the filesystem. */
		if (!(sc->gfp_mask & __GFP_FS) || !filemap_writeback(page))
			return RECLAIM_ACTIVATE;
		atomic_fetch_add(
			&sc->m->node_stat[page_to_nid(page)][NR_VMSCAN_WRITE],
			1);
	}
	return filemap_remove_mapping(page) ? RECLAIM_FREED : RECLAIM_KEEP;
}

/*
 * A swap-backed anonymous page: add_to_swap() puts it in the swap cache
 * under a new slot (PG_dirty: the slot is not written yet), the entries
 * mapping it become swap entries of that slot, and once none is left it
 * is written (pageout) and leaves the cache. If some mapper's entry
 * cannot be unmapped now, the page stays in the swap cache with the
 * entries converted so far, which fault it back without a read.
 */
static enum reclaim_result shrink_anon_page(struct scan_control *sc,
					    struct page *page,
					    struct reclaim_unmap *u,
					    int mapcount, bool swapcache)
{
	if (!swapcache) {
		if (!(sc->gfp_mask & __GFP_IO))
			return RECLAIM_KEEP;
		u->swp = add_to_swap(page);
		if (!u->swp)
			return RECLAIM_ACTIVATE;
		page_flag_set(page, PG_dirty); /* the slot is not written */
	} else {
		/* Hold the slot: its entries may go meanwhile. */
		if (!swap_cache_reserve(page))
			return RECLAIM_KEEP;
		u->swp = page->private;
	}
	if (mapcount && !try_to_unmap_reclaim(u, sc->locked_mm)) {
		/* The slot keeps the entries made; with none, the page
		 * leaves the cache. */
		swap_release(u->swp, SWAP_HAS_RESERVE);
		return RECLAIM_ACTIVATE;
	}
	if (test_page_flag(page, PG_dirty)) {
		swap_writepage(sc->m, page, u->swp);
		page_flag_clear(page, PG_dirty);
		atomic_fetch_add(
			&sc->m->node_stat[page_to_nid(page)][NR_VMSCAN_WRITE],
			1);
	}
	/* Found by a fault meanwhile: it stays, clean, in the cache. */
	if (!delete_from_swap_cache(page)) {
		swap_release(u->swp, SWAP_HAS_RESERVE);
		return RECLAIM_KEEP;
	}
	swap_release(u->swp, SWAP_HAS_RESERVE);
	return RECLAIM_FREED;
}

/* shrink_folio_list() for one isolated page, locked. */
static enum reclaim_result shrink_locked_page(struct scan_control *sc,
					      struct page *page)
{
	struct reclaim_unmap u = { page, 0, 0, false, false };
	bool anon = PageAnon(page);
	bool swapbacked = test_page_flag(page, PG_swapbacked);
	bool cached = !anon && page->mapping;
	bool swapcache = anon && test_page_flag(page, PG_swapcache);
	enum page_references ref = PAGEREF_RECLAIM;
	int mapcount;

	if (test_page_flag(page, PG_mlocked))
		return RECLAIM_KEEP; /* back as unevictable */
	/* KSM pages are not reclaimed (mm/ksm.c, section 4). */
	if (PageKsm(page))
		return RECLAIM_ACTIVATE;
	if (!sc->ignore_references) {
		ref = check_references(sc, page);
		if (ref == PAGEREF_ACTIVATE)
			return RECLAIM_ACTIVATE;
		if (ref == PAGEREF_KEEP)
			return RECLAIM_KEEP;
	}
	/* Someone beyond the mappings (and the page cache) holds it: a
	 * pinned page is not reclaimed. */
	mapcount = page_mapcount(page);
	if (page_count(page) > mapcount + 1 + (cached || swapcache ? 1 : 0))
		return anon ? RECLAIM_ACTIVATE : RECLAIM_KEEP;
	if (anon && swapbacked)
		return shrink_anon_page(sc, page, &u, mapcount, swapcache);
	if (mapcount && !try_to_unmap_reclaim(&u, sc->locked_mm))
		return RECLAIM_ACTIVATE;
	if (anon) {
		count_vm_events(sc->m, PGLAZYFREED, 1);
		return RECLAIM_FREED;
	}
	if (!cached)
		return RECLAIM_FREED;
	if (ref == PAGEREF_RECLAIM_CLEAN && test_page_flag(page, PG_dirty))
		return RECLAIM_KEEP;
	return release_file_page(sc, page);
}

/* A page someone else has locked (a fault mapping it, a hole punched
 * through it) is kept for the next pass, as folio_trylock() fails. */
static enum reclaim_result shrink_page(struct scan_control *sc,
				       struct page *page)
{
	enum reclaim_result r;

	/* A huge page goes as base pages (mm/huge_memory.c): the head
	 * stays here, the rest back on the lists. */
	if (PageHead(page) && !split_huge_page(page, sc->locked_mm))
		return RECLAIM_KEEP;
	if (!trylock_page(page))
		return RECLAIM_KEEP;
	r = shrink_locked_page(sc, page);
	unlock_page(page);
	return r;
}

/* After reclaim: freed pages drop the isolation's reference (the last
 * one), the rest go back, activated or not. Returns whether it went back
 * active. */
static bool finish_page(struct scan_control *sc, struct page *page, bool file,
			enum reclaim_result r)
{
	bool active = false;

	if (r == RECLAIM_FREED) {
		isolated_page_done(sc->m, page, file);
		put_page(page);
		return false;
	}
	if (r == RECLAIM_ACTIVATE && !test_page_flag(page, PG_mlocked)) {
		page_flag_set(page, PG_active);
		count_vm_events(sc->m, PGACTIVATE, 1);
		active = true;
	}
	putback_lru_page(sc->m, page, file);
	return active;
}

static unsigned long shrink_inactive_list(struct scan_control *sc, int nid,
					  enum lru_list lru,
					  unsigned long nr_to_scan)
{
	struct page *batch[SWAP_CLUSTER_MAX];
	unsigned long scanned, n, i, freed = 0, activated = 0;
	bool file = is_file_lru(lru);

	n = isolate_lru_pages(sc->m, nid, lru,
			      min(nr_to_scan, SWAP_CLUSTER_MAX),
			      sc->reclaim_idx, batch, &scanned);
	sc->nr_scanned += scanned;
	count_scan_event(sc, PGSCAN_KSWAPD, PGSCAN_DIRECT, scanned);
	if (scanned)
		count_vm_events(sc->m, file ? PGSCAN_FILE : PGSCAN_ANON,
				scanned);
	for (i = 0; i < n; i++) {
		enum reclaim_result r = shrink_page(sc, batch[i]);

		freed += r == RECLAIM_FREED;
		activated += finish_page(sc, batch[i], file, r);
	}
	/* move_folios_to_lru() ages the clock by the pages activated. */
	if (activated)
		workingset_age_nonresident(sc->m, nid, activated);
	count_scan_event(sc, PGSTEAL_KSWAPD, PGSTEAL_DIRECT, freed);
	if (freed)
		count_vm_events(sc->m, file ? PGSTEAL_FILE : PGSTEAL_ANON,
				freed);
	sc->nr_reclaimed += freed;
	return freed;
}

static void shrink_list(struct scan_control *sc, int nid, enum lru_list lru,
			unsigned long nr_to_scan)
{
	if (is_active_lru(lru)) {
		if ((sc->may_deactivate & (1U << is_file_lru(lru))) ||
		    inactive_is_low(sc, nid, lru - 1))
			shrink_active_list(sc, nid, lru, nr_to_scan);
		return;
	}
	shrink_inactive_list(sc, nid, lru, nr_to_scan);
}

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

/* prepare_scan_control() and get_scan_count(): which lists to scan, in
 * what proportion. */
static enum scan_balance scan_balance(struct scan_control *sc, int nid)
{
	struct mmk_machine *m = sc->m;
	unsigned long free = 0, high = 0, file;
	int t;

	if (!nr_swap_pages(m) || !(sc->gfp_mask & __GFP_IO))
		return SCAN_FILE;
	/* Close to OOM: every list alike, unless swappiness is 0. */
	if (!sc->priority && sc->swappiness)
		return SCAN_EQUAL;
	/* file_is_tiny: the file lists and free memory together are below
	 * the high watermarks, so anon is all that can help. */
	for (t = 0; t < MAX_NR_ZONES; t++) {
		struct zone *z = &m->node_data[nid]->node_zones[t];

		free += zone_page_state(z, NR_FREE_PAGES);
		if (zone_managed_pages(z))
			high += high_wmark_pages(z);
	}
	file = node_page_state(m, nid, NR_INACTIVE_FILE) +
	       node_page_state(m, nid, NR_ACTIVE_FILE);
	if (file + free <= high &&
	    !inactive_is_low(sc, nid, LRU_INACTIVE_ANON) &&
	    node_page_state(m, nid, NR_INACTIVE_ANON) >> sc->priority)
		return SCAN_ANON;
	/* cache_trim_mode: plenty of inactive file pages to take first,
	 * and none thrashing (refaults activating file pages). */
	if (!(sc->may_deactivate & DEACTIVATE_FILE) &&
	    !inactive_is_low(sc, nid, LRU_INACTIVE_FILE) &&
	    node_page_state(m, nid, NR_INACTIVE_FILE) >> sc->priority)
		return SCAN_FILE;
	return SCAN_FRACT;
}

/* get_scan_count(): how many pages of each evictable list to scan. */
static void get_scan_count(struct scan_control *sc, int nid,
			   unsigned long nr[LRU_UNEVICTABLE])
{
	unsigned long ap, fp;
	enum scan_balance balance;

	sc->swappiness = atomic_load_explicit(&sc->m->mm->swappiness,
					      memory_order_relaxed);
	ap = (unsigned long)sc->swappiness;
	fp = MAX_SWAPPINESS - ap;
	balance = scan_balance(sc, nid);
	int lru;

	for (lru = 0; lru < LRU_UNEVICTABLE; lru++) {
		unsigned long scan = lru_size(sc->m, nid, (enum lru_list)lru,
					      sc->reclaim_idx) >>
				     sc->priority;
		bool file = is_file_lru((enum lru_list)lru);

		if ((balance == SCAN_FILE && !file) ||
		    (balance == SCAN_ANON && file))
			scan = 0;
		else if (balance == SCAN_FRACT)
			/* Rounded down, as for any online memory cgroup (the
			 * root's, or no memcg at all): only an offlined one
			 * rounds up to scrape its last pages. */
			scan = scan * (file ? fp : ap) / (ap + fp);
		nr[lru] = scan;
	}
}

/* prepare_scan_control()'s refault test: refaults that activated pages
 * since reclaim last finished mean a new workingset is forming, and the
 * active list of that type is deactivated whatever its size, to make
 * room for it. */
static unsigned int refaults_may_deactivate(struct scan_control *sc, int nid)
{
	struct lruvec *lv = &sc->m->node_data[nid]->__lruvec;
	unsigned int may = 0;

	if (node_page_state(sc->m, nid, WORKINGSET_ACTIVATE_ANON) !=
	    READ_ONCE(lv->refaults[0]))
		may |= DEACTIVATE_ANON;
	if (node_page_state(sc->m, nid, WORKINGSET_ACTIVATE_FILE) !=
	    READ_ONCE(lv->refaults[1]))
		may |= DEACTIVATE_FILE;
	return may;
}

/* snapshot_refaults(): reclaim of node @nid is done for now. */
static void snapshot_refaults(struct mmk_machine *m, int nid)
{
	struct lruvec *lv = &m->node_data[nid]->__lruvec;

	WRITE_ONCE(lv->refaults[0],
		   node_page_state(m, nid, WORKINGSET_ACTIVATE_ANON));
	WRITE_ONCE(lv->refaults[1],
		   node_page_state(m, nid, WORKINGSET_ACTIVATE_FILE));
}

static void shrink_node(struct scan_control *sc, int nid)
{
	unsigned long nr[LRU_UNEVICTABLE], before = sc->nr_reclaimed;
	pg_data_t *pgdat = sc->m->node_data[nid];
	int lru;

	sc->may_deactivate = refaults_may_deactivate(sc, nid);
	get_scan_count(sc, nid, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] ||
	       nr[LRU_INACTIVE_FILE]) {
		for (lru = 0; lru < LRU_UNEVICTABLE; lru++) {
			unsigned long n = min(nr[lru], SWAP_CLUSTER_MAX);

			if (!n)
				continue;
			nr[lru] -= n;
			shrink_list(sc, nid, (enum lru_list)lru, n);
		}
		if (!sc->kswapd && sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
	}
	/* Keep the anon lists aged even when only file pages go. */
	if (nr_swap_pages(sc->m) && inactive_is_low(sc, nid, LRU_INACTIVE_ANON))
		shrink_active_list(sc, nid, LRU_ACTIVE_ANON, SWAP_CLUSTER_MAX);
	if (sc->nr_reclaimed > before)
		atomic_store(&pgdat->kswapd_failures, 0);
}

/* ---- kswapd ---- */

/* pgdat_balanced(): some zone up to @highest has its high watermark free
 * for @order (a node without memory there is balanced). */
static bool pgdat_balanced(pg_data_t *pgdat, unsigned int order,
			   enum zone_type highest)
{
	bool any = false;
	int t;

	for (t = 0; t <= (int)highest; t++) {
		struct zone *z = &pgdat->node_zones[t];

		if (!zone_managed_pages(z))
			continue;
		any = true;
		if (zone_watermark_ok_safe(z, order, high_wmark_pages(z),
					   highest))
			return true;
	}
	return !any;
}

static void balance_pgdat(struct mmk_machine *m, int nid, unsigned int order,
			  enum zone_type highest)
{
	pg_data_t *pgdat = m->node_data[nid];
	struct scan_control sc = { 0 };
	int t;

	sc.m = m;
	sc.gfp_mask = GFP_KERNEL;
	sc.order = order;
	sc.reclaim_idx = highest;
	sc.kswapd = true;
	count_vm_events(m, PAGEOUTRUN, 1);
	for (sc.priority = DEF_PRIORITY; sc.priority >= 1; sc.priority--) {
		unsigned long before = sc.nr_reclaimed;

		if (pgdat_balanced(pgdat, order, highest))
			break;
		/* kswapd_shrink_node(): the high watermarks' worth. */
		sc.nr_to_reclaim = 0;
		for (t = 0; t <= (int)highest; t++) {
			struct zone *z = &pgdat->node_zones[t];

			if (zone_managed_pages(z))
				sc.nr_to_reclaim += max(high_wmark_pages(z),
							SWAP_CLUSTER_MAX);
		}
		sc.nr_scanned = 0;
		shrink_node(&sc, nid);
		/* Scanning enough at this priority and freeing something
		 * keeps the priority; otherwise it rises. */
		if (sc.nr_scanned >= sc.nr_to_reclaim &&
		    sc.nr_reclaimed > before)
			sc.priority++;
		if (sc.priority > DEF_PRIORITY)
			sc.priority = DEF_PRIORITY;
	}
	if (!sc.nr_reclaimed)
		atomic_fetch_add(&pgdat->kswapd_failures, 1);
	snapshot_refaults(m, nid);
}

static void wakeup_kswapd(struct mmk_machine *m, struct zone *zone,
			  unsigned int order, enum zone_type highest)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int cur;

	(void)m;
	if (!populated_zone(zone))
		return;
	cur = atomic_load(&pgdat->kswapd_order);
	while ((int)order > cur &&
	       !atomic_compare_exchange_weak(&pgdat->kswapd_order, &cur,
					     (int)order))
		;
	cur = atomic_load(&pgdat->kswapd_highest_zoneidx);
	while ((int)highest > cur &&
	       !atomic_compare_exchange_weak(&pgdat->kswapd_highest_zoneidx,
					     &cur, (int)highest))
		;
	/* Hopeless node: kswapd stays asleep until direct reclaim frees
	 * something there. */
	if (atomic_load(&pgdat->kswapd_failures) >= MAX_RECLAIM_RETRIES)
		return;
	if (pgdat_balanced(pgdat, order, highest))
		return;
	atomic_store(&pgdat->kswapd_wait, true);
}

void kswapd_run(struct mmk_machine *m)
{
	int nid;

	if (!m || in_reclaim || mmap_lock_held())
		return;
	for_each_online_node(m, nid) {
		pg_data_t *pgdat = m->node_data[nid];
		int order, highest;

		if (!atomic_load_explicit(&pgdat->kswapd_wait,
					  memory_order_relaxed) ||
		    atomic_exchange(&pgdat->kswapd_running, true))
			continue;
		atomic_store(&pgdat->kswapd_wait, false);
		order = atomic_exchange(&pgdat->kswapd_order, 0);
		highest = atomic_exchange(&pgdat->kswapd_highest_zoneidx, 0);
		in_reclaim = true;
		/* kswapd goes back to sleep only once the node is balanced,
		 * or hopeless. */
		do
			balance_pgdat(m, nid, (unsigned int)order,
				      (enum zone_type)highest);
		while (!pgdat_balanced(pgdat, (unsigned int)order,
				       (enum zone_type)highest) &&
		       atomic_load(&pgdat->kswapd_failures) <
			       MAX_RECLAIM_RETRIES);
		/* kswapd_try_to_sleep(): going to sleep (balanced, or
		 * hopeless: prepare_kswapd_sleep), kswapd clears the skip
		 * bits direct compaction left and wakes kcompactd for the
		 * order it was woken for. */
		reset_isolation_suitable(m, pgdat);
		wakeup_kcompactd(m, pgdat, order, (enum zone_type)highest);
		in_reclaim = false;
		atomic_store(&pgdat->kswapd_running, false);
	}
	kcompactd_run(m);
}

/* ---- direct reclaim ---- */

/* The nodes of @zl's zones up to @highest, each once, in the zonelist's
 * order; how many. */
static int zonelist_nodes(struct zonelist *zl, enum zone_type highest,
			  int nids[MAX_NUMNODES])
{
	bool seen[MAX_NUMNODES] = { false };
	struct zone **zp;
	int n = 0;

	for (zp = zl->zones; *zp; zp++) {
		int nid = (*zp)->zone_pgdat->node_id;

		if ((*zp)->idx > highest || seen[nid])
			continue;
		seen[nid] = true;
		nids[n++] = nid;
	}
	return n;
}

unsigned long try_to_free_pages(struct mmk_machine *m, struct zonelist *zl,
				unsigned int order, gfp_t gfp,
				enum zone_type highest)
{
	struct scan_control sc = { 0 };
	int nids[MAX_NUMNODES], nr_nids, i;

	if (in_reclaim)
		return 0;
	sc.m = m;
	sc.gfp_mask = gfp;
	sc.order = order;
	sc.reclaim_idx = highest;
	sc.nr_to_reclaim = SWAP_CLUSTER_MAX;
	sc.locked_mm = allowed_mm;
	count_vm_events(m, ALLOCSTALL_BASE + highest, 1);
	in_reclaim = true;
	nr_nids = zonelist_nodes(zl, highest, nids);
	for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
		for (i = 0; i < nr_nids; i++) {
			shrink_node(&sc, nids[i]);
			if (sc.nr_reclaimed >= sc.nr_to_reclaim)
				break;
		}
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	}
	for (i = 0; i < nr_nids; i++)
		snapshot_refaults(m, nids[i]);
	in_reclaim = false;
	return sc.nr_reclaimed;
}

int mmk_set_swappiness(int swappiness)
{
	if (!mmk_cur() || swappiness < 0 || swappiness > MAX_SWAPPINESS)
		return -EINVAL;
	return atomic_exchange(&mm_state()->swappiness, swappiness);
}

/* ---- MADV_PAGEOUT ---- */

int reclaim_page(struct mmk_machine *m, struct page *page,
		 struct mm_struct *locked_mm)
{
	struct scan_control sc = { 0 };
	enum reclaim_result r;
	bool file;

	if (in_reclaim || !isolate_page(m, page, &file))
		return 0;
	page_flag_clear(page, PG_active);
	sc.m = m;
	sc.gfp_mask = GFP_KERNEL;
	sc.ignore_references = true;
	sc.no_file_writeback = true;
	sc.nr_to_reclaim = 1;
	sc.locked_mm = locked_mm;
	in_reclaim = true;
	r = shrink_page(&sc, page);
	in_reclaim = false;
	finish_page(&sc, page, file, r);
	return r == RECLAIM_FREED;
}

static unsigned long zone_reclaimable_pages(struct zone *zone)
{
	unsigned long n = zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
			  zone_page_state(zone, NR_ZONE_ACTIVE_FILE);

	if (nr_swap_pages(mmk_cur()))
		n += zone_page_state(zone, NR_ZONE_INACTIVE_ANON) +
		     zone_page_state(zone, NR_ZONE_ACTIVE_ANON);
	return n;
}

void reclaim_init(struct mmk_machine *m)
{
	compaction_init(m);
	m->wakeup_kswapd = wakeup_kswapd;
	m->try_to_free_pages = try_to_free_pages;
	m->zone_reclaimable_pages = zone_reclaimable_pages;
}
