/* SPDX-License-Identifier: MIT */
/*
 * Page migration (Linux's mm/migrate.c: migrate_pages, migrate_folio,
 * folio_migrate_mapping, folio_migrate_flags, remove_migration_ptes,
 * putback_movable_pages).
 *
 * 1. What it models. migrate_pages() moves each page of a list of
 *    isolated LRU pages (taken off their lists by isolate_lru_page:
 *    anonymous pages, page-cache pages of regular files and shmem,
 *    swap-cache pages; mlocked ones too) to a new page that a callback
 *    gives (get_new_folio; put_new_folio takes back one left unused):
 *    - the bytes, and the page state: PG_dirty, PG_uptodate,
 *      PG_referenced, PG_active, PG_workingset, PG_swapbacked,
 *      PG_mlocked and PG_unevictable (mlock_count recounted: the
 *      VM_LOCKED VMAs that map it), PG_swapcache, PG_private,
 *      PG_readahead/PG_reclaim; ->mapping, ->index, ->private (the swap
 *      slot);
 *    - its slot in the page cache (filemap_migrate_folio) or the swap
 *      cache (swap_cache_migrate), with the cache's reference;
 *    - every page-table entry that maps it, found through rmap, now
 *      names the new frame with the same permission, dirty and young
 *      bits (rmap_move_mappings); mapcount and the mappings'
 *      references move, rss counters stay as they are (the same kind
 *      of page);
 *    - the new page joins the LRU list its flags name, at the head, as
 *      Linux's putback of the new folio does; the old page is freed.
 *    A page with more references than its mappings, its cache and the
 *    isolation hold (a pin, a fault or lookup in progress) is refused
 *    (-EAGAIN), as are pages whose lock or whose mappers' locks are
 *    busy; such pages are tried again, up to NR_MAX_MIGRATE_PAGES_RETRY
 *    passes over the list, then counted failed. A page whose every
 *    other reference went while it was isolated is freed: a success,
 *    as in Linux. pgmigrate_success and pgmigrate_fail count the pages.
 *    The pages that fail stay on the list; the caller puts them back
 *    (putback_movable_pages), as Linux's callers do.
 *
 * 2. Objects. The caller's list of isolated pages, linked through
 *    page->lru (an isolated unevictable page's mlock_count, which
 *    shares that field, is recounted when it moves, with every mapper
 *    locked until the new page is on the LRU, or estimated from its
 *    mappings when it goes back: putback_movable_page). struct
 *    rmap_mappers (mm/rmap.c) holds what the walk locked.
 *
 * 3. Invariants. While a page moves, the caller's isolation reference,
 *    one per mapping and one for its cache are all its references
 *    (checked under the lock of the cache, which lookups take theirs
 *    under, and with every mapper's mmap lock held); afterwards the new
 *    page holds exactly those, the old one none. A migrated page leaves
 *    nr_isolated_anon/file as its old page entered it. The verifiers
 *    (lru_verify, pages_verify, rmap_verify, filemap_verify,
 *    swap_verify) check the result like any other page.
 *
 * 4. Departures.
 *    - KSM pages (mm/ksm.c) are not migrated: rmap_lock_mappers finds
 *      them busy (-EAGAIN), so they count as not moved (Linux walks
 *      their mappers with rmap_walk_ksm).
 *    - No migration entries. Linux replaces the old page's entries by
 *      migration entries (try_to_migrate), copies, then installs the
 *      new page (remove_migration_ptes); a fault meanwhile waits on the
 *      entry. Here the walk try-locks the mmap lock of every process
 *      that may map the page (rmap_lock_mappers: each mm once, all of
 *      them held together, and the anon_vma lock or the file's lock
 *      that keeps the list of mappers fixed), so no access or fault can
 *      see the page mid-move, and switches the entries in place. A busy
 *      lock releases them all: -EAGAIN, tried again on the next pass.
 *      The mm whose fault is allocating (reclaim_allow_mm) counts as
 *      locked, as for reclaim: its fault holds a reference to any page
 *      it is using, which the count check refuses.
 *    - Every lock is tried, never waited for: migration runs inside
 *      allocations. So MIGRATE_SYNC behaves as MIGRATE_ASYNC (nothing
 *      is ever under writeback here to wait for, either).
 *    - Order-0 pages only: mmkit maps no large folios in processes.
 *      Non-LRU movable pages (balloon, zsmalloc) do not exist here.
 *    - One page at a time: Linux unmaps a batch of folios, then moves
 *      them (migrate_pages_batch); with no migration entries there is
 *      nothing to batch.
 *
 * 5. Ordering. The isolation reference is held throughout. Then: the
 *    new page (callback, before any lock, as Linux's
 *    migrate_folio_unmap takes it), the old page's lock (tried), the rmap lock
 *    (anon_vma lock or file->lock, tried), every mapper's mmap lock
 *    (tried), then the swap cache's lock for a swap-cache page (taken:
 *    it nests inside all of those). The page lock is not waited for
 *    while any is held. lru_lock only after everything is released.
 *
 * 6. Observability. /proc/vmstat pgmigrate_success, pgmigrate_fail;
 *    nr_isolated_anon/file while pages are isolated; `check`.
 */
#include "mm/pgtable.h"

#include <string.h>

/* The page flags that move with a page's content (folio_migrate_flags):
 * the rest (PG_lru, PG_locked, PG_head, PG_waiters, ...) are the frame's. */
#define MIGRATE_FLAGS                                                          \
	((1UL << PG_referenced) | (1UL << PG_uptodate) | (1UL << PG_dirty) |   \
	 (1UL << PG_active) | (1UL << PG_workingset) | (1UL << PG_swapcache) | \
	 (1UL << PG_private) | (1UL << PG_reclaim) | (1UL << PG_swapbacked) |  \
	 (1UL << PG_unevictable) | (1UL << PG_mlocked))

/* A node counter of the page moves with it (to another node). */
static void move_node_stat(struct mmk_machine *m, const struct page *old,
			   const struct page *new, enum node_stat_item item)
{
	int from = page_to_nid(old), to = page_to_nid(new);

	if (from == to)
		return;
	atomic_fetch_sub(&m->node_stat[from][item], 1);
	atomic_fetch_add(&m->node_stat[to][item], 1);
}

/* @new takes @old's content and state (folio_migrate_flags, ->mapping,
 * ->index, ->private); nothing sees @new yet. */
static void copy_page_state(struct mmk_machine *m, struct page *old,
			    struct page *new)
{
	copy_user_racy(page_host(m, new), page_host(m, old), PAGE_SIZE);
	/* The lock bit of @old may be tried meanwhile (a truncation's
	 * lock_page waiting for it): its flags word is read atomically. */
	__atomic_fetch_or(&new->flags,
			  __atomic_load_n(&old->flags, __ATOMIC_RELAXED) &
				  MIGRATE_FLAGS,
			  __ATOMIC_RELAXED);
	/* ->mapping is read without locks (page_mapping_once): KSM's stale
	 * stable nodes look at pages freed and reused meanwhile. */
	page_set_mapping(new, page_mapping_once(old));
	new->index = old->index;
	new->private = old->private;
}

/* The move failed before @new was visible: it is a blank page again. */
static void clear_page_state(struct page *new)
{
	__atomic_fetch_and(&new->flags, ~MIGRATE_FLAGS, __ATOMIC_RELAXED);
	page_set_mapping(new, NULL);
	new->index = 0;
	new->private = 0;
}

/* The new page's place in whichever cache holds @old: the slot changes
 * only if @old has exactly @expected references. */
static int migrate_cache_slot(struct page *old, struct page *new, int expected)
{
	if (test_page_flag(old, PG_swapcache))
		return swap_cache_migrate(old, new, expected);
	if (!PageAnon(old) && old->mapping)
		return filemap_migrate_folio(old, new, expected);
	return page_count_acquire(old) == expected ? 0 : -EAGAIN;
}

/*
 * Move @old (isolated, locked) to @new with every mapper locked
 * (migrate_folio_move). Returns the VM_LOCKED mappings found, or
 * -EAGAIN with nothing changed.
 */
static int move_locked(struct mmk_machine *m, struct page *old,
		       struct page *new, const struct rmap_mappers *r)
{
	int mapcount = page_mapcount(old), expected;
	unsigned int nr_mlocked;

	/* Every mapping must be one the walk can switch. */
	if (rmap_move_mappings(r, old, NULL, &nr_mlocked) != mapcount)
		return -EAGAIN;
	expected = 1 + mapcount +
		   (test_page_flag(old, PG_swapcache) ||
		    (!PageAnon(old) && old->mapping));
	copy_page_state(m, old, new);
	if (migrate_cache_slot(old, new, expected)) {
		clear_page_state(new);
		return -EAGAIN;
	}
	rmap_move_mappings(r, old, new, &nr_mlocked);
	if (mapcount) {
		atomic_store(&new->_mapcount, mapcount);
		atomic_store(&old->_mapcount, 0);
		atomic_fetch_add(&new->_refcount, mapcount);
		atomic_fetch_sub(&old->_refcount, mapcount);
		move_node_stat(m, old, new,
			       PageAnon(old) ? NR_ANON_MAPPED : NR_FILE_MAPPED);
	}
	if (test_page_flag(old, PG_mlocked) &&
	    mmk_pfn_zone(m, page_to_pfn(old)) !=
		    mmk_pfn_zone(m, page_to_pfn(new))) {
		mod_zone_page_state(mmk_pfn_zone(m, page_to_pfn(old)), NR_MLOCK,
				    -1);
		mod_zone_page_state(mmk_pfn_zone(m, page_to_pfn(new)), NR_MLOCK,
				    1);
	}
	return (int)nr_mlocked;
}

/* The old page, emptied: its state went to the new one, its last
 * reference is the isolation's, dropped here (it is freed). */
static void release_old_page(struct mmk_machine *m, struct page *old,
			     struct page *new)
{
	move_node_stat(m, old, new,
		       test_page_flag(old, PG_swapbacked) ? NR_ISOLATED_ANON :
							    NR_ISOLATED_FILE);
	page_set_mapping(old, NULL);
	old->private = 0;
	old->index = 0;
	__atomic_fetch_and(&old->flags, ~MIGRATE_FLAGS, __ATOMIC_RELAXED);
	unlock_page(old);
	put_page(old);
}

/* An isolated page whose other references all went: it is freed
 * (migrate_folio_unmap's "folio was freed from under us"). */
static bool freed_under_us(struct mmk_machine *m, struct page *page)
{
	if (page_count_acquire(page) != 1)
		return false;
	/* Nothing else holds it, so nothing maps or caches it. */
	page_flag_clear(page, PG_active);
	page_flag_clear(page, PG_unevictable);
	atomic_fetch_sub(&m->node_stat[page_to_nid(page)]
				      [test_page_flag(page, PG_swapbacked) ?
					       NR_ISOLATED_ANON :
					       NR_ISOLATED_FILE],
			 1);
	put_page(page);
	return true;
}

/*
 * One page (migrate_folio_unmap + migrate_folio_move). 0: migrated or
 * freed; -EAGAIN: busy, try again; -ENOMEM: no new page.
 */
static int unmap_and_move(struct mmk_machine *m, struct page *page,
			  new_folio_t *get_new_folio,
			  free_folio_t *put_new_folio, unsigned long private)
{
	struct rmap_mappers r;
	struct page *new;
	int mlocks;

	if (freed_under_us(m, page))
		return 0;
	new = get_new_folio(page, private);
	if (!new)
		return -ENOMEM;
	mlocks = -EAGAIN;
	if (trylock_page(page)) {
		if (!rmap_lock_mappers(page, reclaim_locked_mm(), &r)) {
			mlocks = move_locked(m, page, new, &r);
			/* Onto the LRU before the mappers' locks go, so
			 * that no mlock() or munlock() comes between the
			 * count of VM_LOCKED mappings and the page's
			 * mlock_count. */
			if (mlocks >= 0) {
				release_old_page(m, page, new);
				putback_movable_page(m, new,
						     (unsigned int)mlocks);
			}
			rmap_unlock_mappers(&r);
		}
		if (mlocks < 0)
			unlock_page(page);
	}
	if (mlocks < 0) {
		if (put_new_folio)
			put_new_folio(new, private);
		else
			put_page(new);
		return mlocks;
	}
	return 0;
}

static unsigned int list_count(const struct list_head *head)
{
	const struct list_head *p;
	unsigned int n = 0;

	for (p = head->next; p != head; p = p->next)
		n++;
	return n;
}

int migrate_pages(struct list_head *from, new_folio_t *get_new_folio,
		  free_folio_t *put_new_folio, unsigned long private,
		  enum migrate_mode mode, int reason,
		  unsigned int *nr_succeeded)
{
	struct mmk_machine *m = mmk_cur();
	struct page *page, *next;
	unsigned int done = 0, failed = 0;
	int pass, rc = 0;

	(void)mode;
	(void)reason;
	for (pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && !list_empty(from);
	     pass++) {
		unsigned int busy = 0;

		list_for_each_entry_safe(page, next, from, lru) {
			int err;

			lru_list_del(&page->lru);
			err = unmap_and_move(m, page, get_new_folio,
					     put_new_folio, private);
			if (!err) {
				done++;
				continue;
			}
			/* Back where it was, for the next pass or the
			 * caller's putback. */
			lru_list_add_tail(&page->lru, &next->lru);
			if (err != -ENOMEM) {
				busy++;
				continue;
			}
			/* Out of new pages: this page failed, and so did
			 * those waiting for another pass; the ones not
			 * tried yet are not counted (Linux's nr_failed). */
			failed = busy + 1;
			if (pass)
				failed = list_count(from);
			rc = -ENOMEM;
			goto out;
		}
		failed = busy;
	}
out:
	if (done)
		count_vm_events(m, PGMIGRATE_SUCCESS, done);
	if (failed)
		count_vm_events(m, PGMIGRATE_FAIL, failed);
	if (nr_succeeded)
		*nr_succeeded = done;
	return rc ? rc : (int)failed;
}

void putback_movable_pages(struct list_head *l)
{
	struct mmk_machine *m = mmk_cur();
	struct page *page, *next;

	list_for_each_entry_safe(page, next, l, lru) {
		lru_list_del(&page->lru);
		putback_movable_page(m, page, 0);
	}
}
