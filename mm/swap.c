/* SPDX-License-Identifier: MIT */
/*
 * The LRU lists and mlock's page state (Linux's mm/swap.c, the lruvec
 * helpers of include/linux/mm_inline.h and the page half of mm/mlock.c),
 * classic two-list LRU as a 6.18 kernel without MGLRU has it.
 *
 * 1. What it models.
 *    - Every user page (anonymous, page cache, shmem) is on its node's
 *      LRU from its first mapping until it is freed: the anon lists for
 *      swap-backed pages (anonymous and shmem), the file lists for the
 *      rest (page cache, and lazy-free anonymous pages: MADV_FREE clears
 *      PG_swapbacked); inactive or active by PG_active; unevictable when
 *      mlocked. The node counters nr_inactive_anon .. nr_unevictable and
 *      the zone counters nr_zone_inactive_anon .. nr_zone_unevictable
 *      follow the lists (meminfo Active/Inactive/Unevictable).
 *    - New pages start inactive (a refault found recent starts active:
 *      mm/workingset.c); mark_page_accessed() activates a page
 *      referenced twice (pgactivate; the non-resident clock ages:
 *      workingset_activation); MADV_COLD deactivates
 *      (pgdeactivate); MADV_FREE moves a page to the inactive file list
 *      (pglazyfree).
 *    - mlock: a page mapped in a VM_LOCKED VMA is PG_mlocked (zone
 *      counter nr_mlock, meminfo Mlocked) and unevictable, with
 *      mlock_count the VM_LOCKED mappings it has; the last one going
 *      makes it evictable again, inactive. Events as Linux counts them:
 *      unevictable_pgs_mlocked, _munlocked, _culled, _rescued, _cleared.
 *      As in Linux, an anonymous page read from swap into an mlocked VMA
 *      is the exception: mapped as a new anonymous page, it stays
 *      evictable until an mlock() walk or reclaim (which mlocks it and
 *      puts it back unevictable: culled) finds it (mm/memory.c).
 *
 * 2. Objects. pg_data_t.__lruvec: a lock and four lists through
 *    page->lru; unevictable pages are on no list (their lru field holds
 *    mlock_count, as in Linux).
 *
 * 3. Invariants (lru_verify). Every page on a list has PG_lru, belongs to
 *    the node, and its flags name that list; the lists' lengths are the
 *    node counters; nr_unevictable equals nr_mlock.
 *
 * 4. Departures. Linux batches additions and moves per CPU (folio_batch,
 *    up to 31 pages) and applies them when a batch fills or drains; here
 *    they take effect at once, so counters never lag. Reclaim
 *    (mm/vmscan.c) takes pages off the lists' tails (isolate_lru_pages,
 *    counted in nr_isolated_*) and puts back what it keeps. Compaction
 *    isolates pages for migration (isolate_lru_page, mlocked ones too);
 *    the new page of a migration, or a page that failed, goes back with
 *    putback_movable_page. munlock of an isolated page leaves it
 *    mlocked (Linux clears PG_mlocked and counts it stranded): the
 *    putback counts its mappings as its mlocks, and a later munlock
 *    or reclaim's rmap walk corrects the overestimate.
 *
 * 5. Ordering. lru_lock nests inside the mmap lock and zone->lock-free
 *    paths; never held while allocating.
 *
 * 6. Observability. /proc/meminfo Active, Inactive, Active(anon) ..
 *    Unevictable, Mlocked; /proc/vmstat nr_inactive_anon .. nr_mlock,
 *    pgactivate, pgdeactivate, pglazyfree, unevictable_pgs_*;
 *    /proc/zoneinfo; Mem-Info.
 */
#include "mm/internal.h"

#include <errno.h>
#include <stdio.h>

void lruvec_init(struct lruvec *lruvec)
{
	int lru;

	mmk_host_mutex_init(&lruvec->lru_lock);
	for (lru = 0; lru < LRU_UNEVICTABLE; lru++)
		INIT_LIST_HEAD(&lruvec->lists[lru]);
	atomic_init(&lruvec->nonresident_age, 0);
	lruvec->refaults[0] = lruvec->refaults[1] = 0;
}

static struct lruvec *page_lruvec(struct mmk_machine *m,
				  const struct page *page)
{
	return &m->node_data[page_to_nid(page)]->__lruvec;
}

static enum lru_list page_lru(const struct page *page)
{
	if (test_page_flag(page, PG_unevictable))
		return LRU_UNEVICTABLE;
	return (test_page_flag(page, PG_swapbacked) ? LRU_INACTIVE_ANON :
						      LRU_INACTIVE_FILE) +
	       (test_page_flag(page, PG_active) ? 1 : 0);
}

static void update_lru_size(struct mmk_machine *m, const struct page *page,
			    enum lru_list lru, long n)
{
	atomic_fetch_add(
		&m->node_stat[page_to_nid(page)][NR_INACTIVE_ANON + (int)lru],
		n);
	mod_zone_page_state(
		mmk_pfn_zone(m, page_to_pfn(page)),
		(enum zone_stat_item)(NR_ZONE_INACTIVE_ANON + (int)lru), n);
}

/* lruvec_add_folio / lruvec_del_folio (lru_lock held). */
static void lruvec_add(struct mmk_machine *m, struct lruvec *lv,
		       struct page *page)
{
	enum lru_list lru = page_lru(page);

	update_lru_size(m, page, lru, folio_nr_pages(page));
	if (lru != LRU_UNEVICTABLE)
		lru_list_add(&page->lru, &lv->lists[lru]);
}

static void lruvec_del(struct mmk_machine *m, struct page *page)
{
	enum lru_list lru = page_lru(page);

	update_lru_size(m, page, lru, -folio_nr_pages(page));
	if (lru != LRU_UNEVICTABLE)
		lru_list_del(&page->lru);
}

void lru_add(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);

	pthread_mutex_lock(&lv->lru_lock);
	page_flag_set(page, PG_lru);
	lruvec_add(m, lv, page);
	pthread_mutex_unlock(&lv->lru_lock);
}

static void mlock_stat(struct mmk_machine *m, struct page *page, long n)
{
	mod_zone_page_state(mmk_pfn_zone(m, page_to_pfn(page)), NR_MLOCK,
			    n * folio_nr_pages(page));
}

/* Clear PG_mlocked, once however many race to: true (and nr_mlock one
 * less) for the one that cleared it. */
static bool test_clear_mlocked(struct mmk_machine *m, struct page *page)
{
	if (!(__atomic_fetch_and(&page->flags, ~(1UL << PG_mlocked),
				 __ATOMIC_RELAXED) &
	      (1UL << PG_mlocked)))
		return false;
	mlock_stat(m, page, -1);
	return true;
}

void lru_del(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);

	pthread_mutex_lock(&lv->lru_lock);
	if (test_page_flag(page, PG_lru)) {
		lruvec_del(m, page);
		__atomic_fetch_and(&page->flags,
				   ~((1UL << PG_lru) | (1UL << PG_active) |
				     (1UL << PG_unevictable)),
				   __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&lv->lru_lock);
	if (test_clear_mlocked(m, page))
		count_vm_events(m, UNEVICTABLE_PGS_CLEARED, 1);
}

/* Change the LRU flags of @page, if it is on a list and its flags (read
 * under the lru_lock) include all of @need and none of @refuse, moving it
 * between lists as they say; a page off the lists (isolated by reclaim)
 * is left alone, as Linux's batched moves skip a folio whose PG_lru is
 * clear, and so is one mlocked since the caller looked. Returns whether
 * it moved. */
static bool lru_move(struct mmk_machine *m, struct page *page,
		     unsigned long set, unsigned long clear, unsigned long need,
		     unsigned long refuse)
{
	struct lruvec *lv = page_lruvec(m, page);
	unsigned long flags;
	bool move;

	need |= 1UL << PG_lru;
	refuse |= 1UL << PG_unevictable;
	pthread_mutex_lock(&lv->lru_lock);
	flags = __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
	move = (flags & need) == need && !(flags & refuse);
	if (move) {
		lruvec_del(m, page);
		__atomic_fetch_or(&page->flags, set, __ATOMIC_RELAXED);
		__atomic_fetch_and(&page->flags, ~clear, __ATOMIC_RELAXED);
		lruvec_add(m, lv, page);
	}
	pthread_mutex_unlock(&lv->lru_lock);
	return move;
}

/* folio_mark_accessed()'s activation (its only caller): the move, then
 * workingset_activation(), which ages the non-resident clock even for a
 * page off the lists meanwhile, as Linux's does. */
void folio_activate(struct mmk_machine *m, struct page *page)
{
	if (test_page_flag(page, PG_active) ||
	    test_page_flag(page, PG_unevictable))
		return;
	if (lru_move(m, page, 1UL << PG_active, 0, 0, 1UL << PG_active))
		count_vm_events(m, PGACTIVATE, 1);
	workingset_activation(m, page);
}

void folio_deactivate(struct mmk_machine *m, struct page *page)
{
	if (test_page_flag(page, PG_unevictable) ||
	    !test_page_flag(page, PG_active))
		return;
	if (lru_move(m, page, 0, (1UL << PG_active) | (1UL << PG_referenced),
		     1UL << PG_active, 0))
		count_vm_events(m, PGDEACTIVATE, 1);
}

/*
 * deactivate_file_folio() (lru_deactivate_file): a page-cache page an
 * invalidation could not drop goes to the inactive list, unless a page
 * table maps it: a dirty one at the head with PG_reclaim ("reclaim it
 * once written"), a clean one at the tail, next for reclaim (pgrotated).
 */
void deactivate_file_folio(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);
	unsigned long flags;

	pthread_mutex_lock(&lv->lru_lock);
	flags = __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
	if (!(flags & (1UL << PG_lru)) || (flags & (1UL << PG_unevictable)) ||
	    page_mapcount(page)) {
		pthread_mutex_unlock(&lv->lru_lock);
		return;
	}
	lruvec_del(m, page);
	__atomic_fetch_and(&page->flags,
			   ~((1UL << PG_active) | (1UL << PG_referenced)),
			   __ATOMIC_RELAXED);
	if (flags & ((1UL << PG_dirty) | (1UL << PG_writeback))) {
		lruvec_add(m, lv, page);
		page_flag_set(page, PG_reclaim);
	} else {
		update_lru_size(m, page, page_lru(page), folio_nr_pages(page));
		lru_list_add(&page->lru, lv->lists[page_lru(page)].prev);
		count_vm_events(m, PGROTATED, 1);
	}
	pthread_mutex_unlock(&lv->lru_lock);
	if (flags & (1UL << PG_active))
		count_vm_events(m, PGDEACTIVATE, 1);
}

/* MADV_FREE (lru_lazyfree): a clean anonymous page to the inactive file
 * list, no longer swap-backed. PG_referenced stays (see mm/memory.c). */
void folio_mark_lazyfree(struct mmk_machine *m, struct page *page)
{
	if (!test_page_flag(page, PG_swapbacked) ||
	    test_page_flag(page, PG_unevictable))
		return;
	if (lru_move(m, page, 0, (1UL << PG_active) | (1UL << PG_swapbacked),
		     1UL << PG_swapbacked, 0))
		count_vm_events(m, PGLAZYFREE, 1);
}

static enum node_stat_item isolated_item(const struct page *page);

void lru_split_folio(struct mmk_machine *m, struct page *page,
		     unsigned int order, unsigned long flags)
{
	struct lruvec *lv = page_lruvec(m, page);
	unsigned long nr = 1UL << order, i;
	unsigned int mlock_count;
	bool on_lru;

	pthread_mutex_lock(&lv->lru_lock);
	on_lru = test_page_flag(page, PG_lru);
	mlock_count = page->mlock_count;
	split_compound_page(page, order);
	for (i = 1; i < nr; i++)
		__atomic_store_n(&page[i].flags,
				 (page[i].flags & ~flags) |
					 (page->flags & flags),
				 __ATOMIC_RELAXED);
	if (on_lru) {
		/* lru_add_split_folio(): the tails follow the head on its
		 * list; the counters held the folio's pages already. */
		if (page_lru(page) == LRU_UNEVICTABLE)
			for (i = 1; i < nr; i++)
				page[i].mlock_count = mlock_count;
		else
			for (i = nr - 1; i >= 1; i--)
				lru_list_add(&page[i].lru, &page->lru);
	} else {
		/* Isolated: the head stays with its isolator, the tails go
		 * back. */
		for (i = 1; i < nr; i++) {
			struct page *tail = &page[i];

			page_flag_set(tail, PG_lru);
			if (test_page_flag(tail, PG_mlocked)) {
				page_flag_clear(tail, PG_active);
				page_flag_set(tail, PG_unevictable);
				tail->mlock_count = 1;
			}
			lruvec_add(m, lv, tail);
		}
		atomic_fetch_sub(
			&m->node_stat[page_to_nid(page)][isolated_item(page)],
			(long)(nr - 1));
	}
	pthread_mutex_unlock(&lv->lru_lock);
}

/* ---- isolation for reclaim (isolate_lru_folios, move_folios_to_lru) ---- */

static bool get_page_unless_zero(struct page *page)
{
	int c = atomic_load_explicit(&page->_refcount, memory_order_relaxed);

	do {
		if (c <= 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(
		&page->_refcount, &c, c + 1, memory_order_acquire,
		memory_order_relaxed));
	return true;
}

unsigned long isolate_lru_pages(struct mmk_machine *m, int nid,
				enum lru_list lru, unsigned long nr_to_scan,
				enum zone_type reclaim_idx, struct page **dst,
				unsigned long *nr_scanned)
{
	struct lruvec *lv = &m->node_data[nid]->__lruvec;
	struct list_head *src = &lv->lists[lru], skipped;
	unsigned long nr_skipped[MAX_NR_ZONES] = { 0 };
	unsigned long scan = 0, total = 0, taken = 0, nr_taken = 0;
	bool file = lru >= LRU_INACTIVE_FILE;
	int t;

	INIT_LIST_HEAD(&skipped);
	pthread_mutex_lock(&lv->lru_lock);
	while (scan < nr_to_scan && taken < nr_to_scan && !list_empty(src)) {
		struct page *page = list_last_entry(src, struct page, lru);
		struct zone *zone = mmk_pfn_zone(m, page_to_pfn(page));

		total++;
		lru_list_del(&page->lru);
		/* Pages of zones above the request's are no use to it. */
		if (zone->idx > reclaim_idx) {
			nr_skipped[zone->idx]++;
			lru_list_add(&page->lru, &skipped);
			continue;
		}
		scan++;
		/* Being freed: its last put_page() takes it off the list. */
		if (!get_page_unless_zero(page)) {
			lru_list_add(&page->lru, src);
			continue;
		}
		update_lru_size(m, page, lru, -folio_nr_pages(page));
		page_flag_clear(page, PG_lru);
		nr_taken += folio_nr_pages(page);
		dst[taken++] = page;
	}
	/* Skipped pages go to the head of the list, in their order (Linux
	 * splices them there: a lowmem request disturbs the LRU order). */
	while (!list_empty(&skipped)) {
		struct page *page = list_last_entry(&skipped, struct page, lru);

		lru_list_del(&page->lru);
		lru_list_add(&page->lru, src);
	}
	pthread_mutex_unlock(&lv->lru_lock);
	for (t = 0; t < MAX_NR_ZONES; t++)
		if (nr_skipped[t])
			count_vm_events(m, PGSKIP_BASE + t, nr_skipped[t]);
	atomic_fetch_add(
		&m->node_stat[nid][file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON],
		(long)nr_taken);
	*nr_scanned = total;
	return taken;
}

bool isolate_page(struct mmk_machine *m, struct page *page, bool *file)
{
	struct lruvec *lv = page_lruvec(m, page);
	bool ok = false;

	pthread_mutex_lock(&lv->lru_lock);
	if (test_page_flag(page, PG_lru) &&
	    !test_page_flag(page, PG_unevictable) &&
	    get_page_unless_zero(page)) {
		enum lru_list lru = page_lru(page);

		*file = lru >= LRU_INACTIVE_FILE;
		update_lru_size(m, page, lru, -folio_nr_pages(page));
		lru_list_del(&page->lru);
		page_flag_clear(page, PG_lru);
		ok = true;
	}
	pthread_mutex_unlock(&lv->lru_lock);
	if (ok)
		atomic_fetch_add(&m->node_stat[page_to_nid(page)]
					      [*file ? NR_ISOLATED_FILE :
						       NR_ISOLATED_ANON],
				 folio_nr_pages(page));
	return ok;
}

int lru_page_tryget(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);
	int ret = -EBUSY;

	pthread_mutex_lock(&lv->lru_lock);
	if (test_page_flag(page, PG_lru))
		ret = get_page_unless_zero(page);
	pthread_mutex_unlock(&lv->lru_lock);
	return ret;
}

/*
 * An isolated page goes back to the list its flags name (PG_active set
 * by the caller to activate it); one mlocked meanwhile becomes
 * unevictable, its mlock_count at most its mappings (reclaim's rmap walk
 * or a later munlock corrects an overestimate, as in Linux). Drops the
 * isolation's reference.
 */
void putback_lru_page(struct mmk_machine *m, struct page *page, bool file)
{
	struct lruvec *lv = page_lruvec(m, page);
	bool culled = false;

	/* Under the lock: a huge page's split (lru_split_folio) may be
	 * giving its tails back meanwhile. */
	pthread_mutex_lock(&lv->lru_lock);
	atomic_fetch_sub(
		&m->node_stat[page_to_nid(page)]
			     [file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON],
		folio_nr_pages(page));
	if (test_page_flag(page, PG_mlocked)) {
		page_flag_clear(page, PG_active);
		page_flag_set(page, PG_unevictable);
		page->mlock_count = (unsigned int)max(page_mapcount(page), 1);
		culled = true;
	}
	page_flag_set(page, PG_lru);
	lruvec_add(m, lv, page);
	pthread_mutex_unlock(&lv->lru_lock);
	/* lru_add(): an evictable page that goes back unevictable. */
	if (culled)
		count_vm_events(m, UNEVICTABLE_PGS_CULLED, 1);
	put_page(page);
}

/* An isolated page reclaim freed: its isolation's count goes. */
void isolated_page_done(struct mmk_machine *m, struct page *page, bool file)
{
	atomic_fetch_sub(
		&m->node_stat[page_to_nid(page)]
			     [file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON],
		folio_nr_pages(page));
}

/* ---- isolation for migration (folio_isolate_lru, putback_movable_pages) ---- */

/* Which isolated counter a page of migration is in: by its LRU type,
 * as folio_is_file_lru() says (an unevictable page's too). */
static enum node_stat_item isolated_item(const struct page *page)
{
	return test_page_flag(page, PG_swapbacked) ? NR_ISOLATED_ANON :
						     NR_ISOLATED_FILE;
}

bool isolate_lru_page(struct mmk_machine *m, struct page *page,
		      bool unevictable)
{
	struct lruvec *lv = page_lruvec(m, page);
	bool ok = false;

	pthread_mutex_lock(&lv->lru_lock);
	if (test_page_flag(page, PG_lru) &&
	    (unevictable || !test_page_flag(page, PG_unevictable)) &&
	    get_page_unless_zero(page)) {
		enum lru_list lru = page_lru(page);

		update_lru_size(m, page, lru, -folio_nr_pages(page));
		/* An unevictable page is on no list: its link field holds
		 * its mlock_count, which the migration recounts. */
		if (lru != LRU_UNEVICTABLE)
			lru_list_del(&page->lru);
		page_flag_clear(page, PG_lru);
		atomic_fetch_add(
			&m->node_stat[page_to_nid(page)][isolated_item(page)],
			folio_nr_pages(page));
		ok = true;
	}
	pthread_mutex_unlock(&lv->lru_lock);
	return ok;
}

void putback_movable_page(struct mmk_machine *m, struct page *page,
			  unsigned int mlock_count)
{
	struct lruvec *lv = page_lruvec(m, page);
	enum vm_event_item event = NR_VM_EVENT_ITEMS;

	pthread_mutex_lock(&lv->lru_lock);
	atomic_fetch_sub(&m->node_stat[page_to_nid(page)][isolated_item(page)],
			 folio_nr_pages(page));
	if (test_page_flag(page, PG_mlocked)) {
		if (!test_page_flag(page, PG_unevictable))
			event = UNEVICTABLE_PGS_CULLED;
		page_flag_clear(page, PG_active);
		page_flag_set(page, PG_unevictable);
		page->mlock_count =
			mlock_count ? mlock_count :
				      (unsigned int)max(page_mapcount(page), 1);
	}
	page_flag_set(page, PG_lru);
	lruvec_add(m, lv, page);
	pthread_mutex_unlock(&lv->lru_lock);
	if (event != NR_VM_EVENT_ITEMS)
		count_vm_events(m, event, 1);
	put_page(page);
}

static void set_mlocked(struct mmk_machine *m, struct page *page)
{
	if (__atomic_fetch_or(&page->flags, 1UL << PG_mlocked,
			      __ATOMIC_RELAXED) &
	    (1UL << PG_mlocked))
		return;
	mlock_stat(m, page, 1);
	count_vm_events(m, UNEVICTABLE_PGS_MLOCKED,
			(unsigned long)folio_nr_pages(page));
}

void mlock_page(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);

	/* PG_mlocked under the lru_lock: a munlock_page() of the page's
	 * last other mlock then comes wholly before or after, and cannot
	 * clear the flag between this setting it and counting the mlock. */
	pthread_mutex_lock(&lv->lru_lock);
	set_mlocked(m, page);
	if (!test_page_flag(page, PG_lru)) {
		/* Not yet on the LRU: mlock_new_page() does the rest. */
	} else if (test_page_flag(page, PG_unevictable)) {
		page->mlock_count++;
	} else {
		lruvec_del(m, page);
		page_flag_clear(page, PG_active);
		page_flag_set(page, PG_unevictable);
		page->mlock_count = 1;
		lruvec_add(m, lv, page);
		count_vm_events(m, UNEVICTABLE_PGS_CULLED,
				(unsigned long)folio_nr_pages(page));
	}
	pthread_mutex_unlock(&lv->lru_lock);
}

void mlock_new_page(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);

	set_mlocked(m, page);
	pthread_mutex_lock(&lv->lru_lock);
	page_flag_set(page, PG_unevictable);
	page_flag_set(page, PG_lru);
	lruvec_add(m, lv, page);
	page->mlock_count = 1;
	pthread_mutex_unlock(&lv->lru_lock);
	count_vm_events(m, UNEVICTABLE_PGS_CULLED,
			(unsigned long)folio_nr_pages(page));
}

void munlock_page(struct mmk_machine *m, struct page *page)
{
	struct lruvec *lv = page_lruvec(m, page);
	bool lru;

	pthread_mutex_lock(&lv->lru_lock);
	lru = test_page_flag(page, PG_lru);
	/* Isolated by reclaim or migration, its mlock_count unknown (the
	 * field is the list link, or the migration recounts it): it stays
	 * mlocked, and the putback counts its mappings as its mlocks
	 * (Linux instead assumes this was the last mlock, counts the page
	 * stranded and lets reclaim's rmap walk mlock it again). */
	if (!lru && test_page_flag(page, PG_mlocked))
		goto out;
	if (lru && test_page_flag(page, PG_unevictable)) {
		if (page->mlock_count)
			page->mlock_count--;
		if (page->mlock_count)
			goto out;
	}
	if (test_clear_mlocked(m, page))
		count_vm_events(m, UNEVICTABLE_PGS_MUNLOCKED,
				(unsigned long)folio_nr_pages(page));
	if (lru && test_page_flag(page, PG_unevictable)) {
		lruvec_del(m, page);
		page_flag_clear(page, PG_unevictable);
		lruvec_add(m, lv, page);
		count_vm_events(m, UNEVICTABLE_PGS_RESCUED,
				(unsigned long)folio_nr_pages(page));
	}
out:
	pthread_mutex_unlock(&lv->lru_lock);
}

bool lru_verify(struct mmk_machine *m, char *why, size_t len)
{
	unsigned long mlock = global_zone_page_state(m, NR_MLOCK);
	int nid, lru;

	for_each_online_node(m, nid) {
		struct lruvec *lv = &m->node_data[nid]->__lruvec;
		bool ok = true;

		pthread_mutex_lock(&lv->lru_lock);
		for (lru = 0; lru < LRU_UNEVICTABLE && ok; lru++) {
			unsigned long n = 0,
				      want = node_page_state(
					      m, nid,
					      (enum node_stat_item)(
						      NR_INACTIVE_ANON + lru));
			struct page *page;

			list_for_each_entry(page, &lv->lists[lru], lru) {
				if (!test_page_flag(page, PG_lru) ||
				    page_lru(page) != (enum lru_list)lru ||
				    page_to_nid(page) != nid) {
					snprintf(
						why, len,
						"LRU: pfn %#lx on node %d's list %d has flags %#lx",
						page_to_pfn(page), nid, lru,
						page->flags);
					ok = false;
					break;
				}
				n += (unsigned long)folio_nr_pages(page);
			}
			if (ok && n != want) {
				snprintf(
					why, len,
					"LRU: node %d's list %d has %lu pages, its counter %lu",
					nid, lru, n, want);
				ok = false;
			}
		}
		pthread_mutex_unlock(&lv->lru_lock);
		if (!ok)
			return false;
	}
	if (global_node_page_state(m, NR_UNEVICTABLE) != mlock) {
		snprintf(why, len, "LRU: %lu unevictable pages, %lu mlocked",
			 global_node_page_state(m, NR_UNEVICTABLE), mlock);
		return false;
	}
	return true;
}
