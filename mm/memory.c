/* SPDX-License-Identifier: MIT */
/*
 * Page faults, the software MMU, zapping, fork's copy of the page tables,
 * change_protection and move_page_tables (Linux's mm/memory.c,
 * mm/mprotect.c's change_protection, mm/mremap.c's move_page_tables and
 * arch/x86/mm/fault.c).
 *
 * 1. What it models.
 *    - An access by a process (mmk_touch, mmk_read_u64/mmk_write_u64,
 *      copy_to_user/copy_from_user) walks its page tables like the MMU:
 *      a present entry that allows the access is used, setting accessed
 *      (and dirty for a write); otherwise handle_mm_fault runs. No VMA,
 *      or an access the VMA does not allow, is SIGSEGV; below a
 *      VM_GROWSDOWN VMA the stack grows (expand_stack, within
 *      RLIMIT_STACK and away from the previous VMA by the guard gap).
 *    - Anonymous private memory: a read fault maps the shared zero page
 *      read-only and attaches nothing; a write fault gets an anon_vma and
 *      a zeroed page. A machine booted with forbid_zero_page (Linux's
 *      mm_forbids_zeropage) handles a read fault as a write one, but maps
 *      the page writable only in a writable VMA. File and shmem memory: the page cache page is mapped
 *      (a private write copies it into an anonymous page: do_cow_fault);
 *      at or beyond the end of the file, SIGBUS.
 *    - Write to a present read-only entry of a writable VMA (do_wp_page):
 *      shared mappings become writable; an anonymous page nobody else
 *      holds (refcount 1) is reused; anything else (the zero page, a page
 *      shared after fork, a file page in a private mapping, a KSM page
 *      always: cow_ksm) is copied. break_ksm is the unshare fault of a
 *      KSM page (mm/ksm.c's unmerging): a copy mapped read-only.
 *    - fork copies the entries of VMAs that have an anon_vma or
 *      VM_COPY_ON_FORK (others refault), write-protecting private
 *      writable pages in both processes and taking a reference and a
 *      mapcount per page.
 *    - munmap, exit, MADV_DONTNEED and mremap's shrink zap entries, drop
 *      page references and free page tables no VMA needs any more
 *      (MADV_DONTNEED: the PTE tables it emptied whole, PT_RECLAIM);
 *      mremap moves entries, or whole tables, instead of copying data.
 *      Fork and mremap give the target a table wherever the source has
 *      one, empty or not (mm/pgtable.c says which tables exist when).
 *    - Guard markers (MADV_GUARD_INSTALL): an entry that maps nothing and
 *      makes every access SIGSEGV. Faults never fill it; fork copies it
 *      (its VMA has VM_MAYBE_GUARD), mremap moves it, mprotect,
 *      MADV_DONTNEED and MADV_FREE leave it; munmap and exit drop it. It
 *      is no page: no RSS, nothing in smaps.
 *    - Swap entries (an anonymous page reclaim wrote to a swap slot,
 *      mm/vmscan.c and mm/swapfile.c): a fault reads the slot back
 *      (do_swap_page), fork duplicates the entry, munmap, exit,
 *      MADV_DONTNEED and MADV_FREE free it, mremap moves it, mprotect
 *      leaves it; MM_SWAPENTS (VmSwap) and smaps Swap/SwapPss count them.
 *      swapoff brings back the entries of its area (unuse_mm: as a fault
 *      would, but old, read-only and uncounted, as unuse_pte maps them).
 *    - Counters: RSS per mm (MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES),
 *      hiwater_rss, NR_ANON_MAPPED and NR_FILE_MAPPED; page_fault events.
 *
 * 2. Objects. PTEs (mm/pgtable.c) -> struct page, with _refcount (one per
 *    mapping, plus the page cache's or the swap cache's) and _mapcount
 *    (one per mapping); swap entries -> swap slots.
 *
 * 3. Invariants (mm_verify_pages, pages_verify). RSS and swap-entry
 *    counters equal the entries; every mapped page's mapcount is at least
 *    its mappings in this mm; guard markers, swap entries and mapped
 *    entries lie inside VMAs; every slot's count is the swap entries
 *    naming it.
 *
 *    - HugeTLB VMAs go to mm/hugetlb.c: their faults, zap, fork copy,
 *      mprotect and mremap act on huge entries.
 *
 *    - Transparent huge pages go to mm/huge_memory.c: huge_pmd_fault
 *      first, and its range walks before each zap, fork copy, mprotect,
 *      mremap, mlock and MADV_FREE/COLD/PAGEOUT walk here.
 *
 * 4. Departures. No NUMA hinting or userfaultfd. A fault's allocation calls the OOM killer
 *    (mm/oom_kill.c) as Linux's does; a process it chooses gets SIGKILL
 *    from the access in progress. A fault that fails anyway is retried
 *    (pagefault_out_of_memory), up to 16 times in a row; then, or when
 *    the OOM killer found nothing to kill (Linux panics), the faulting
 *    process dies. The mmap lock is held for writing
 *    during faults (Linux takes it for reading). Every user page is on
 *    its node's LRU lists (mm/swap.c), and moves that Linux batches per
 *    CPU take effect at once, so a page a zap or exit munlocks is
 *    evictable at once (Linux: when its CPU's mlock batch drains; until
 *    then a second access leaves it referenced, and the batch's
 *    reference makes a write fault copy the page rather than reuse it),
 *    and a MADV_FREE'd page keeps PG_referenced (Linux drops it when the
 *    lazyfree batch drains).
 *
 * 5. Ordering. The caller holds the mmap lock; file->lock inside it.
 *
 * 6. Observability. smaps Rss/Pss/..., status VmRSS/RssAnon/RssFile/
 *    RssShmem/VmHWM/VmPTE, meminfo AnonPages/Mapped/PageTables.
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

#include <stdlib.h>
#include <string.h>
#include <mmkit/slab.h>

static void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	atomic_fetch_add(&mm->rss_stat[member], value);
}

static int mm_counter_of(const struct page *page)
{
	if (PageAnon(page))
		return MM_ANONPAGES;
	return test_page_flag(page, PG_swapbacked) ? MM_SHMEMPAGES :
						     MM_FILEPAGES;
}

static void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}

static void node_stat_add(struct mmk_machine *m, const struct page *page,
			  int item, long delta)
{
	atomic_fetch_add(&m->node_stat[page_to_nid(page)][item], delta);
}

/* ---- the simulated TLB ---- */

void flush_tlb_mm(struct mm_struct *mm)
{
	memset(mm->tlb, 0, sizeof(mm->tlb));
}

static struct mmk_tlb_entry *tlb_slot(struct mm_struct *mm, unsigned long addr)
{
	return &mm->tlb[(addr >> PAGE_SHIFT) % MMK_TLB_ENTRIES];
}

/* ---- mapping and unmapping one page ---- */

/* A new mapping of @page (refcount already taken by the caller). */
static void page_add_rmap(struct mm_struct *mm, struct page *page)
{
	if (atomic_fetch_add(&page->_mapcount, 1) == 0)
		node_stat_add(mm->machine, page,
			      PageAnon(page) ? NR_ANON_MAPPED : NR_FILE_MAPPED,
			      1);
	add_mm_counter(mm, mm_counter_of(page), 1);
}

/* A new page's first mapping, in @vma: it joins the LRU, inactive, or
 * the unevictable list in an mlocked VMA (folio_add_lru_vma). */
static void page_add_new_rmap(struct mm_struct *mm, struct vm_area_struct *vma,
			      struct page *page)
{
	page_add_rmap(mm, page);
	if (vma_mlocked(vma))
		mlock_new_page(mm->machine, page);
	else
		lru_add(mm->machine, page);
}

void page_dup_anon_rmap(struct mm_struct *mm, struct page *page)
{
	page_add_rmap(mm, page);
}

/* A page-cache page mapped in @vma: mlocked there (mlock_vma_folio). */
static void page_add_file_rmap(struct mm_struct *mm, struct vm_area_struct *vma,
			       struct page *page)
{
	page_add_rmap(mm, page);
	if (vma_mlocked(vma))
		mlock_page(mm->machine, page);
}

/*
 * folio_mark_accessed() of the classic LRU: the first access sets
 * PG_referenced; a second activates the page (PG_active, pgactivate),
 * clearing it, unless the page is on no list to move on (unevictable:
 * mlocked). @mm NULL: an access of no process (read(2), write(2)).
 */
void mark_page_accessed(struct page *page, struct mm_struct *mm)
{
	if (!test_page_flag(page, PG_referenced)) {
		page_flag_set(page, PG_referenced);
	} else if (!test_page_flag(page, PG_unevictable) &&
		   !test_page_flag(page, PG_active)) {
		folio_activate(mm ? mm->machine : mmk_cur(), page);
		page_flag_clear(page, PG_referenced);
	}
}

/* Drop one mapping of @page and its reference. */
void page_remove_rmap(struct mm_struct *mm, struct page *page, bool dirty)
{
	bool anon = PageAnon(page);

	add_mm_counter(mm, mm_counter_of(page), -1);
	if (dirty && !anon)
		folio_mark_dirty(page);
	if (atomic_fetch_sub(&page->_mapcount, 1) == 1)
		node_stat_add(mm->machine, page,
			      anon ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
	/* The last reference frees it; freeing drops an anonymous page's
	 * anon_vma and flags (free_pages_prepare). */
	put_page(page);
}

/* A new anonymous page for @addr of @vma, which gets its anon_vma first,
 * its bytes left for the caller to fill, on the node the memory policy
 * picks; NULL when memory runs out. @extra: gfp bits added to the
 * fault's (swapoff's __GFP_RETRY_MAYFAIL). */
static struct page *anon_page_new(struct mm_struct *mm,
				  struct vm_area_struct *vma,
				  unsigned long addr, gfp_t extra)
{
	struct page *page;

	(void)mm;
	if (anon_vma_prepare(vma))
		return NULL;
	/* vma_alloc_folio() adds __GFP_COMP; the page is cleared after
	 * (vma_alloc_zeroed_movable_folio), so an OOM report shows
	 * GFP_HIGHUSER_MOVABLE|__GFP_COMP as Linux's does. */
	page = vma_alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_COMP | extra, vma,
			      addr);
	if (!page)
		return NULL;
	page_set_mapping(page,
			 (struct address_space *)((unsigned long)vma->anon_vma |
						  PAGE_MAPPING_ANON));
	page->index = linear_page_index(vma, addr);
	page_flag_set(page, PG_swapbacked);
	page_flag_set(page, PG_uptodate);
	return page;
}

/* The same, zeroed, or a copy of @from. */
static struct page *anon_page_alloc(struct mm_struct *mm,
				    struct vm_area_struct *vma,
				    unsigned long addr, struct page *from)
{
	struct page *page = anon_page_new(mm, vma, addr, 0);

	if (!page)
		return NULL;
	if (from)
		copy_user_racy(page_host(mm->machine, page),
			       page_host(mm->machine, from), PAGE_SIZE);
	else
		memset(page_host(mm->machine, page), 0, PAGE_SIZE);
	return page;
}

/* ---- faults ---- */

enum {
	VM_FAULT_OK = 0,
	VM_FAULT_SIGSEGV = MMK_SIGSEGV,
	VM_FAULT_SIGBUS = MMK_SIGBUS,
	VM_FAULT_OOM = MMK_SIGKILL,
};

static pte_t writable_pte(pte_t v)
{
	return v | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED;
}

static int do_anonymous_page(struct mm_struct *mm, struct vm_area_struct *vma,
			     unsigned long addr, void *slot, bool write)
{
	const struct pt_format *f = pt_format_of(mm);
	struct mm_struct *prev;
	struct page *page;
	pte_t entry;

	if (!write && !mm->machine->cfg.forbid_zero_page) {
		/* The shared zero page, read-only, in no rmap. */
		entry = mk_pte(f, page_to_pfn(mm_state()->zero_page),
			       vma->vm_page_prot | _PAGE_SPECIAL);
		pte_write(f, slot, entry & ~_PAGE_RW);
		return VM_FAULT_OK;
	}
	prev = reclaim_allow_mm(mm);
	page = anon_page_alloc(mm, vma, addr, NULL);
	reclaim_allow_mm(prev);
	if (!page)
		return VM_FAULT_OOM;
	page_add_new_rmap(mm, vma, page);
	entry = mk_pte(f, page_to_pfn(page), vma->vm_page_prot);
	/* A read fault gets here when the zero page is forbidden: the page
	 * is still writable and dirty if the VMA is, as Linux maps it. */
	if (vma->vm_flags & VM_WRITE)
		entry = writable_pte(entry);
	pte_write(f, slot, entry);
	return VM_FAULT_OK;
}

/*
 * A fault on a swap entry (do_swap_page). The device is synchronous: a
 * slot only this entry names is read straight into a new page of the
 * process (no swap cache), whose count then drops to 0. A slot others
 * name too (after fork) goes through the swap cache: its page is read
 * once, belongs to the fork family's oldest anon_vma, and is mapped
 * read-only into each process that faults on it, until the last entry
 * goes and the page leaves the cache. A page that ends up this
 * process's alone is mapped writable when the VMA is (dirty for a
 * write); its only copy being in memory, it is PG_dirty. pgmajfault and
 * pswpin count reads. A page read from a slot that holds the shadow of
 * its eviction is a refault (mm/workingset.c), which may put it on the
 * active list straight away.
 *
 * A page this fault read is not mlocked, even in an mlocked VMA: Linux
 * 6.18 maps a page that is not anonymous yet (new, or just read into
 * the swap cache) with folio_add_new_anon_rmap(), which leaves mlock to
 * folio_add_lru_vma(), and do_swap_page() adds it with folio_add_lru().
 * It waits on the evictable LRU until reclaim meets the VM_LOCKED
 * mapping and mlocks it ("restore the mlock which got missed",
 * mm/rmap.c), or an mlock()'s page walk does; Mlocked and Unevictable
 * leave it out meanwhile. A page found in the swap cache, mapped by
 * another sharer already, is mlocked as it is mapped
 * (folio_add_anon_rmap_ptes).
 */
static int do_wp_page(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, void *slot, pte_t entry);

/* A page read from slot @swp, not yet on the LRU: the slot's shadow, if
 * reclaim left one, makes it a refault (mm/workingset.c). The slot drops
 * the shadow when freed, or when the page enters the swap cache. */
static void swapin_refault(struct mm_struct *mm, struct page *page,
			   unsigned long swp)
{
	void *shadow = swap_cache_get_shadow(swp);

	if (shadow)
		workingset_refault(mm->machine, page, shadow);
}

/* The fault on swap entry @orig; or, for @unuse, swapoff's unuse_pte():
 * the same, but no fault to count and the entry mapped old and not
 * writable. */
static int do_swap_page(struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long addr, void *slot, pte_t orig, bool write,
			bool unuse)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long swp = pte_to_swp_entry(orig);
	struct page *page = swap_cache_get(swp);
	bool fresh = !page, was_read = !page, exclusive;
	struct mm_struct *prev;
	pte_t entry;

	if (fresh) {
		bool shared = swap_count(swp) > 1;

		prev = reclaim_allow_mm(mm);
		page = anon_page_new(mm, vma, addr,
				     unuse ? __GFP_RETRY_MAYFAIL : 0);
		reclaim_allow_mm(prev);
		if (!page)
			return VM_FAULT_OOM;
		if (!unuse)
			count_vm_events(mm->machine, PGMAJFAULT, 1);
		swap_readpage(mm->machine, page, swp);
		swapin_refault(mm, page, swp);
		if (shared) {
			page->mapping =
				(struct address_space *)anon_vma_root_mapping(
					vma);
			/* On the LRU before others can find it in the cache
			 * and map (and mlock) it, as __read_swap_cache_async
			 * adds it. Another process's fault cached it first:
			 * use that. */
			lru_add(mm->machine, page);
			if (!add_to_swap_cache(page, swp)) {
				put_page(page);
				return VM_FAULT_OK;
			}
			fresh = false;
		}
	}
	/* This entry's count goes; with none left (and reclaim not holding
	 * the slot) the page leaves the cache. */
	exclusive = !swap_free(swp) && !test_page_flag(page, PG_swapcache);
	add_mm_counter(mm, MM_SWAPENTS, -1);
	page_add_rmap(mm, page);
	if (fresh)
		lru_add(mm->machine, page);
	else if (!was_read && vma_mlocked(vma))
		mlock_page(mm->machine, page);
	if (exclusive)
		page_flag_set(page, PG_dirty);
	entry = mk_pte(f, page_to_pfn(page), vma->vm_page_prot) |
		_PAGE_ACCESSED;
	if (unuse)
		entry &= ~_PAGE_ACCESSED; /* pte_mkold() */
	if (exclusive && page_mapcount(page) == 1 &&
	    (vma->vm_flags & VM_WRITE) && !unuse)
		entry |= _PAGE_RW | (write ? _PAGE_DIRTY : 0);
	pte_write(f, slot, entry);
	/* A write to a page others still share copies it in the same fault
	 * (do_swap_page calls do_wp_page): one pgfault. */
	if (write && !(entry & _PAGE_RW))
		return do_wp_page(mm, vma, addr, slot, entry);
	return VM_FAULT_OK;
}

static int fault_error(int err)
{
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/* fault_around_bytes: 64 KiB. */
#define FAULT_AROUND_PAGES 16UL

/*
 * do_fault_around(): a read fault on a file maps the pages of the file
 * that are already cached around it (an aligned block of 16 entries,
 * clamped to the VMA and the PTE table), as filemap_map_pages does: not
 * a page that carries the readahead mark (its fault starts the next
 * window), nor one locked. Each page it finds, mapped already or not,
 * offsets a readahead miss.
 */
static void do_fault_around(struct mm_struct *mm, struct vm_area_struct *vma,
			    unsigned long addr)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long pte_off = (addr >> PAGE_SHIFT) & (f->entries - 1);
	unsigned long vma_off = (addr - vma->vm_start) >> PAGE_SHIFT;
	unsigned long from, to, i;
	unsigned int hits = 0;

	from = max(ALIGN_DOWN(pte_off, FAULT_AROUND_PAGES),
		   pte_off - min(pte_off, vma_off));
	to = min(min(from + FAULT_AROUND_PAGES, (unsigned long)f->entries),
		 pte_off + vma_pages(vma) - vma_off);
	for (i = from; i < to; i++) {
		unsigned long a = addr - ((pte_off - i) << PAGE_SHIFT);
		void *slot = pte_offset(mm, a, false);
		struct page *page;

		page = filemap_find_page(vma->vm_file,
					 linear_page_index(vma, a));
		if (!page)
			continue;
		/* next_uptodate_folio(): only uptodate pages it can lock that are
		 * still in the cache, and not the mark. */
		if (test_page_flag(page, PG_readahead) || !trylock_page(page)) {
			put_page(page);
			continue;
		}
		/* ... and not past the end a truncation just moved. */
		if (page->mapping != (struct address_space *)vma->vm_file ||
		    page->index >= file_nr_pages(vma->vm_file) ||
		    !test_page_flag(page, PG_uptodate)) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		hits++;
		if (slot && pte_read(f, slot)) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		/* filemap_map_pmd(): the PTE table comes with the first
		 * cached page. */
		if (!slot && !(slot = pte_offset(mm, a, true))) {
			unlock_page(page);
			put_page(page);
			break;
		}
		page_add_file_rmap(mm, vma, page);
		pte_write(f, slot,
			  mk_pte(f, page_to_pfn(page), vma->vm_page_prot));
		unlock_page(page);
	}
	filemap_mmap_hits(vma->vm_file, hits);
}

/*
 * @slot: the entry, or NULL where the PTE table is missing: a fault that
 * ends in SIGBUS leaves it missing, as __do_fault() fails before
 * finish_fault() allocates it.
 */
static int do_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long addr, void *slot, bool write)
{
	const struct pt_format *f = pt_format_of(mm);
	struct page *page, *copy;
	struct mm_struct *prev;
	pte_t entry;
	bool major, tried = false;
	int err;

	if (write && !(vma->vm_flags & VM_SHARED)) {
		/* do_cow_fault: the anon_vma first, then the file page. (A
		 * major fault's retry would find the page cached and copy
		 * it: the same.) */
		if (anon_vma_prepare(vma))
			return VM_FAULT_OOM;
		prev = reclaim_allow_mm(mm);
		page = filemap_fault(vma, linear_page_index(vma, addr), false,
				     &err, &major);
		copy = page ? anon_page_alloc(mm, vma, addr, page) : NULL;
		reclaim_allow_mm(prev);
		if (!page)
			return fault_error(err);
		put_page(page);
		if (!copy)
			return VM_FAULT_OOM;
		if (!slot && !(slot = pte_offset(mm, addr, true))) {
			put_page(copy);
			return VM_FAULT_OOM;
		}
		page_add_new_rmap(mm, vma, copy);
		entry = mk_pte(f, page_to_pfn(copy), vma->vm_page_prot);
		pte_write(f, slot, writable_pte(entry));
		return VM_FAULT_OK;
	}
	if (!write) {
		do_fault_around(mm, vma, addr);
		slot = pte_offset(mm, addr, false);
		if (slot && pte_read(f, slot))
			return VM_FAULT_OK;
	}
	/* filemap_fault(): the page comes locked and still in the cache
	 * (a hole punched meanwhile took it: look again), and is mapped
	 * before it is unlocked (finish_fault). A read fault that had to
	 * read the page (Linux drops the mmap lock for the I/O and returns
	 * VM_FAULT_RETRY) is done again: fault-around maps what readahead
	 * brought in, and only a page it leaves is looked up again. */
	for (;;) {
		prev = reclaim_allow_mm(mm);
		page = filemap_fault(vma, linear_page_index(vma, addr), tried,
				     &err, &major);
		reclaim_allow_mm(prev);
		if (!page)
			return fault_error(err);
		if (major && !write && !tried) {
			put_page(page);
			tried = true;
			do_fault_around(mm, vma, addr);
			slot = pte_offset(mm, addr, false);
			if (slot && pte_read(f, slot))
				return VM_FAULT_OK;
			continue;
		}
		lock_page(page);
		if (page->mapping == (struct address_space *)vma->vm_file) {
			/* filemap_fault(): the end again, under the lock. */
			if (page->index < file_nr_pages(vma->vm_file))
				break;
			unlock_page(page);
			put_page(page);
			return fault_error(-EFAULT);
		}
		unlock_page(page);
		put_page(page);
	}
	if (!slot && !(slot = pte_offset(mm, addr, true))) {
		unlock_page(page);
		put_page(page);
		return VM_FAULT_OOM;
	}
	page_add_file_rmap(mm, vma, page);
	entry = mk_pte(f, page_to_pfn(page), vma->vm_page_prot) |
		_PAGE_ACCESSED;
	if (write) {
		entry = writable_pte(entry);
		folio_mark_dirty(page);
	}
	pte_write(f, slot, entry);
	unlock_page(page);
	return VM_FAULT_OK;
}

/* Write to a present, read-only entry of a writable VMA. */
static int do_wp_page(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, void *slot, pte_t entry)
{
	const struct pt_format *f = pt_format_of(mm);
	struct page *old = NULL, *page;
	bool zero = entry & _PAGE_SPECIAL;
	struct mm_struct *prev;

	if (!zero)
		old = pfn_to_page(pte_pfn(f, entry));
	if (vma->vm_flags & VM_SHARED) {
		/* wp_page_shared(): under the page lock, so that a writeback
		 * (page_mkclean, then the copy) sees the write before or
		 * write-protects the entry after it. */
		if (old)
			lock_page(old);
		pte_write(f, slot, writable_pte(entry));
		if (old) {
			folio_mark_dirty(old);
			unlock_page(old);
		}
		return VM_FAULT_OK;
	}
	/* Acquire: when the other holder just dropped its reference (its
	 * mm exiting or unmapping the page), its accesses to the page, such
	 * as page_remove_rmap()'s read of ->mapping, happen before ours. */
	/* A KSM page is never reused (wp_can_reuse_anon_folio): its
	 * other mappers may come and go without a reference. */
	if (old && PageAnon(old) && !PageKsm(old) &&
	    page_count_acquire(old) == 1 && trylock_page(old)) {
		/* wp_can_reuse_anon_folio(): nobody else holds it, checked
		 * again under the page lock, which reclaim holds while it
		 * looks at the page (folio_move_anon_rmap). */
		unsigned long av = (unsigned long)vma->anon_vma;
		bool reuse = page_count_acquire(old) == 1 && !PageKsm(old);

		if (reuse)
			page_set_mapping(
				old,
				(struct address_space *)(av |
							 PAGE_MAPPING_ANON));
		unlock_page(old);
		if (reuse) {
			pte_write(f, slot, writable_pte(entry));
			return VM_FAULT_OK;
		}
	}
	if (old && PageKsm(old))
		count_vm_events(mm->machine, COW_KSM, 1);
	/* wp_page_copy: reclaim may take this process's other pages while
	 * the copy is allocated; the reference on @old keeps reclaim off it
	 * (a page held beyond its mappings is not reclaimed), and the entry
	 * is checked again after (pte_same). */
	if (old)
		get_page(old);
	prev = reclaim_allow_mm(mm);
	page = anon_page_alloc(mm, vma, addr, old);
	reclaim_allow_mm(prev);
	if (old)
		put_page(old);
	if (!page)
		return VM_FAULT_OOM;
	if ((pte_read(f, slot) ^ entry) & ~_PAGE_ACCESSED) {
		put_page(page);
		return VM_FAULT_OK; /* changed meanwhile: the access retries */
	}
	page_add_new_rmap(mm, vma, page);
	pte_write(
		f, slot,
		writable_pte(mk_pte(f, page_to_pfn(page), vma->vm_page_prot)));
	if (old) {
		if (vma_mlocked(vma))
			munlock_page(mm->machine, old);
		page_remove_rmap(mm, old, false);
	}
	flush_tlb_mm(mm);
	return VM_FAULT_OK;
}

int break_ksm(struct mm_struct *mm, struct vm_area_struct *vma,
	      unsigned long addr)
{
	const struct pt_format *f = pt_format_of(mm);
	void *slot = pte_offset(mm, addr, false);
	pte_t entry = slot ? pte_read(f, slot) : 0;
	struct page *old, *page;
	struct mm_struct *prev;

	if (!pte_mapped(entry) || (entry & _PAGE_SPECIAL))
		return 0;
	old = pfn_to_page(pte_pfn(f, entry));
	if (!old || !PageKsm(old))
		return 0;
	/* do_wp_page() of an unshare fault: always a copy (cow_ksm),
	 * mapped as the VMA maps, young, clean and not writable. */
	count_vm_events(mm->machine, COW_KSM, 1);
	get_page(old);
	prev = reclaim_allow_mm(mm);
	page = anon_page_alloc(mm, vma, addr, old);
	reclaim_allow_mm(prev);
	put_page(old);
	if (!page)
		return -ENOMEM;
	page_add_new_rmap(mm, vma, page);
	pte_write(f, slot,
		  (mk_pte(f, page_to_pfn(page), vma->vm_page_prot) |
		   _PAGE_ACCESSED) &
			  ~(pte_t)(_PAGE_RW | _PAGE_DIRTY));
	if (vma_mlocked(vma))
		munlock_page(mm->machine, old);
	page_remove_rmap(mm, old, false);
	flush_tlb_mm(mm);
	return 0;
}

/* Grow a VM_GROWSDOWN VMA down to @addr (expand_downwards). */
static int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long addr)
{
	struct vm_area_struct *prev = vma->vm_prev;
	unsigned long start = addr & PAGE_MASK;
	unsigned long grow = (vma->vm_start - start) >> PAGE_SHIFT;
	unsigned long size = vma->vm_end - start;
	unsigned long stack = rlimit(mm, MMK_RLIMIT_STACK);

	if (start < MMAP_MIN_ADDR)
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    start - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (prev && prev->vm_end > start)
		return -ENOMEM;
	/* expand_downwards() gives the VMA its anon_vma once the guard gap
	 * is clear, before acct_stack_growth()'s limits. */
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	if (stack != MMK_RLIM_INFINITY && size > stack)
		return -ENOMEM;
	if (!may_expand_vm(mm, vma->vm_flags, grow))
		return -ENOMEM;
	if (!mlock_future_ok(mm, vma->vm_flags, grow << PAGE_SHIFT))
		return -ENOMEM;
	if ((vma->vm_flags & VM_ACCOUNT) &&
	    security_vm_enough_memory_mm(mm, (long)grow))
		return -ENOMEM;
	vma_set_range(vma, start, vma->vm_end, vma->vm_pgoff - grow);
	vm_stat_account(mm, vma->vm_flags, (long)grow);
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	return 0;
}

static void count_fault(struct mm_struct *mm)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;

	if (cpu)
		owner_add(&cpu->events[PGFAULT], 1);
	else
		atomic_fetch_add(&mm->machine->vm_events[PGFAULT], 1);
}

int handle_mm_fault(struct mm_struct *mm, unsigned long addr, bool write)
{
	return __handle_mm_fault(mm, addr, write, false);
}

int __handle_mm_fault(struct mm_struct *mm, unsigned long addr, bool write,
		      bool remote)
{
	const struct pt_format *f = pt_format_of(mm);
	struct vm_area_struct *vma = find_vma(mm, addr);
	void *slot;
	pte_t entry;
	bool oom;
	int ret;

	if (!vma)
		return VM_FAULT_SIGSEGV;
	if (vma->vm_start > addr) {
		if (!(vma->vm_flags & VM_GROWSDOWN) ||
		    expand_stack(mm, vma, addr))
			return VM_FAULT_SIGSEGV;
	}
	/* access_error(): the architecture's handler refuses these before
	 * handle_mm_fault proper, so they are not counted as pgfault. */
	if (write ? !(vma->vm_flags & VM_WRITE) :
		    !(vma->vm_flags & VM_ACCESS_FLAGS))
		return VM_FAULT_SIGSEGV;
	/* ... and an access the VMA's protection key denies, unless it is
	 * another process's (FAULT_FLAG_REMOTE). */
	if (!remote && !arch_vma_access_permitted(vma, write))
		return VM_FAULT_SIGSEGV;
	count_fault(mm);
	if (is_vm_hugetlb_page(vma))
		return hugetlb_fault(mm, vma, addr, write);
	if (huge_pmd_fault(mm, vma, addr, write, &ret))
		return ret;
	slot = pte_offset_upper(mm, addr, &oom);
	if (oom)
		return VM_FAULT_OOM;
	entry = slot ? pte_read(f, slot) : 0;
	/* handle_pte_marker(): a guard region is never faulted in. */
	if (is_guard_marker(entry))
		return VM_FAULT_SIGSEGV;
	if (is_swap_pte(entry))
		return do_swap_page(mm, vma, addr, slot, entry, write, false);
	if (!pte_mapped(entry)) {
		if (!vma_is_anonymous(vma))
			return do_fault(mm, vma, addr, slot, write);
		/* do_anonymous_page(): pte_alloc() first. */
		if (!slot && !(slot = pte_offset(mm, addr, true)))
			return VM_FAULT_OOM;
		return do_anonymous_page(mm, vma, addr, slot, write);
	}
	if (!pte_present(entry)) {
		/* A PROT_NONE entry of a VMA that allows access again. */
		entry = (entry & (f->pfn_mask | _PAGE_DIRTY | _PAGE_SPECIAL)) |
			vma->vm_page_prot;
		pte_write(f, slot, entry);
	}
	if (write && !(entry & _PAGE_RW))
		return do_wp_page(mm, vma, addr, slot, entry);
	pte_write(f, slot, entry | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
	return VM_FAULT_OK;
}

/* Retries of one access's fault after VM_FAULT_OOM before mmkit gives up
 * (Linux retries as long as the fault keeps failing). */
#define MAX_OOM_FAULT_RETRIES 16

/*
 * Linux's pagefault_out_of_memory(): the fault is retried. Victims that
 * waited for this thread's mmap lock exit first. A fault the OOM killer
 * found nothing to kill for (Linux would have panicked), or one failing
 * more than MAX_OOM_FAULT_RETRIES times in a row (fault injection), is
 * not retried: the process dies. Returns whether to retry.
 */
static bool pagefault_out_of_memory(struct mm_struct *mm, int *retries)
{
	bool no_victim = oom_found_no_victim();
	int exited;

	mmap_write_unlock(mm);
	exited = oom_exit_victims(mm->machine);
	kswapd_run(mm->machine);
	mmap_write_lock(mm);
	if (!mm->owner || fatal_signal_pending(mm))
		return false;
	if (!exited && (no_victim || ++*retries > MAX_OOM_FAULT_RETRIES))
		return false;
	printk(mm->machine,
	       "Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF");
	return true;
}

/*
 * The MMU: translate @addr for a read or write by the process, faulting as
 * needed. Return: the host address of the byte, or NULL with *@sig set.
 */
static void *mmu_access(struct mm_struct *mm, unsigned long addr, bool write,
			int *sig)
{
	const struct pt_format *f = pt_format_of(mm);
	int tries, oom_retries = 0;

	*sig = 0;
	if (addr >= mm->task_size) {
		*sig = MMK_SIGSEGV;
		return NULL;
	}
	struct mmk_tlb_entry *t = tlb_slot(mm, addr);

	/* The protection key is checked at every access, against PKRU as
	 * it is now: the TLB keeps the entry's key, not the verdict. */
	if (t->vpn_plus_one == (addr >> PAGE_SHIFT) + 1 &&
	    (!write || t->writable) && pkru_allows_pkey(mm, t->pkey, write))
		return (char *)t->host + (addr & ~PAGE_MASK);
	for (tries = 0; tries < 3; tries++) {
		void *slot = pte_offset(mm, addr, false);
		pte_t e = slot ? pte_read(f, slot) : 0;

		/* A present entry whose key PKRU denies: a protection-key
		 * fault, SIGSEGV whether or not the entry is writable. */
		if (pte_present(e) &&
		    !pkru_allows_pkey(mm, pte_pkey(f, e), write)) {
			*sig = MMK_SIGSEGV;
			return NULL;
		}
		if (pte_present(e) && (!write || (e & _PAGE_RW))) {
			/* The MMU sets accessed (and dirty) as it fills the
			 * TLB; a later write through a read-filled entry
			 * walks again to set dirty. */
			pte_write(f, slot,
				  e | _PAGE_ACCESSED |
					  (write ? _PAGE_DIRTY : 0));
			t->vpn_plus_one = (addr >> PAGE_SHIFT) + 1;
			t->host = page_host(
				mm->machine,
				pfn_to_page(pte_leaf_pfn(f, e, addr)));
			t->writable = write;
			t->pkey = (unsigned char)pte_pkey(f, e);
			return (char *)t->host + (addr & ~PAGE_MASK);
		}
		oom_found_no_victim(); /* this fault's own answer only */
		*sig = handle_mm_fault(mm, addr, write);
		/* Chosen by the OOM killer: SIGKILL is delivered on the way
		 * back to user space. */
		if (fatal_signal_pending(mm)) {
			*sig = MMK_SIGKILL;
			return NULL;
		}
		if (*sig == VM_FAULT_OOM &&
		    pagefault_out_of_memory(mm, &oom_retries)) {
			tries--;
			continue;
		}
		if (*sig)
			return NULL;
	}
	*sig = MMK_SIGSEGV;
	return NULL;
}

/* mlock_vma_pages_range(): the pages mapped in [@start, @end) gain (or
 * lose) one mlock, as their VMA became VM_LOCKED (or stopped being). */
static void mlock_one(struct mm_struct *mm, unsigned long addr, void *slot,
		      void *arg)
{
	pte_t e = pte_read(pt_format_of(mm), slot);
	struct page *page;

	(void)addr;
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(pt_format_of(mm), e));
	if (arg)
		mlock_page(mm->machine, page);
	else
		munlock_page(mm->machine, page);
}

void mlock_pte_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end, bool lock)
{
	mlock_huge_range(mm, start, end, lock);
	walk_ptes(mm, start, end, mlock_one, lock ? mm : NULL);
}

/* ---- zap ---- */

struct zap_details {
	const struct pt_format *f;
	bool drop_markers; /* ZAP_FLAG_DROP_MARKER */
};

static void zap_one(struct mm_struct *mm, unsigned long addr, void *slot,
		    void *arg)
{
	struct zap_details *d = arg;
	pte_t e = pte_read(d->f, slot);
	struct vm_area_struct *vma;
	struct page *page;

	if (is_guard_marker(e) && !d->drop_markers)
		return;
	pte_write(d->f, slot, 0);
	if (is_swap_pte(e)) {
		swap_free(pte_to_swp_entry(e));
		add_mm_counter(mm, MM_SWAPENTS, -1);
		return;
	}
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(d->f, e));
	vma = find_vma(mm, addr);
	/* zap_present_folio_ptes(): a young entry of a file page counts as
	 * an access, unless its VMA has no recency (SEQUENTIAL, RANDOM,
	 * FADV_NOREUSE). */
	if (!PageAnon(page) && (e & _PAGE_ACCESSED) &&
	    (!vma || vma_has_recency(vma)))
		mark_page_accessed(page, mm);
	/* Unmapped from an mlocked VMA: one mlock less (munlock_vma_folio). */
	if (vma && vma->vm_start <= addr && vma_mlocked(vma))
		munlock_page(mm->machine, page);
	page_remove_rmap(mm, page, e & _PAGE_DIRTY);
}

/* A walk that may unmap pages: RSS's high-water mark first, the TLB
 * after. */
static void
unmap_walk(struct mm_struct *mm, unsigned long start, unsigned long end,
	   void (*fn)(struct mm_struct *, unsigned long, void *, void *),
	   void *arg)
{
	update_hiwater_rss(mm);
	walk_ptes(mm, start, end, fn, arg);
	flush_tlb_mm(mm);
}

static void zap_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end, bool drop_markers)
{
	struct zap_details d = { pt_format_of(mm), drop_markers };

	update_hiwater_rss(mm);
	zap_huge_range(mm, start, end);
	unmap_walk(mm, start, end, zap_one, &d);
	if (atomic_load_explicit(&mm->hugetlb_usage, memory_order_relaxed))
		hugetlb_zap_range(mm, start, end);
}

void zap_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	zap_range(mm, start, end, false);
}

void unmap_page_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	zap_range(mm, start, end, true);
}

void exit_page_tables(struct mm_struct *mm)
{
	unmap_page_range(mm, 0, mm->task_size);
	thp_mm_exit(mm);
	pgd_free(mm);
}

/* ---- fork ---- */

struct copy_args {
	const struct pt_format *f;
	struct mm_struct *dst;
	struct vm_area_struct *src_vma;
	int err;
};

static void copy_one(struct mm_struct *src, unsigned long addr, void *slot,
		     void *arg)
{
	struct copy_args *c = arg;
	pte_t e = pte_read(c->f, slot);
	void *dslot;
	bool cow = (c->src_vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
		   VM_MAYWRITE;

	(void)src;
	if (c->err ||
	    (!pte_mapped(e) && !is_guard_marker(e) && !is_swap_pte(e)))
		return;
	dslot = pte_offset(c->dst, addr, true);
	if (!dslot) {
		c->err = -ENOMEM;
		return;
	}
	if (is_guard_marker(e)) { /* copy_pte_marker() keeps guards */
		pte_write(c->f, dslot, e);
		return;
	}
	if (is_swap_pte(e)) { /* copy_nonpresent_pte() */
		swap_duplicate(pte_to_swp_entry(e));
		add_mm_counter(c->dst, MM_SWAPENTS, 1);
		pte_write(c->f, dslot, e);
		return;
	}
	if (!(e & _PAGE_SPECIAL)) {
		struct page *page = pfn_to_page(pte_pfn(c->f, e));

		get_page(page);
		page_add_rmap(c->dst, page);
	}
	if (cow && (e & _PAGE_RW)) {
		e &= ~_PAGE_RW;
		pte_write(c->f, slot, e);
	}
	/* The child's entry starts old (not accessed), as Linux's. */
	pte_write(c->f, dslot, e & ~_PAGE_ACCESSED);
}

int copy_page_range(struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *src_vma)
{
	struct copy_args c = { pt_format_of(src), dst, src_vma, 0 };

	/* vma_needs_copy(): without an anon_vma or a flag saying the
	 * entries hold what a fault cannot rebuild, the child refaults. */
	if (!src_vma->anon_vma && !(src_vma->vm_flags & VM_COPY_ON_FORK))
		return 0;
	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst, src, src_vma);
	c.err = copy_huge_range(dst, src, src_vma);
	if (c.err)
		return c.err;
	/* The child's tables first, one below every present entry of the
	 * parent's, empty PTE tables included (copy_pte_range allocates its
	 * table before it looks at the entries). */
	c.err = pgtables_dup(dst, src, src_vma->vm_start, src_vma->vm_end);
	if (c.err)
		return c.err;
	walk_ptes(src, src_vma->vm_start, src_vma->vm_end, copy_one, &c);
	/* The parent's writable entries became read-only. */
	flush_tlb_mm(src);
	return c.err;
}

/* ---- mprotect, mremap, madvise ---- */

struct prot_args {
	const struct pt_format *f;
	unsigned long prot;
};

static void prot_one(struct mm_struct *mm, unsigned long addr, void *slot,
		     void *arg)
{
	struct prot_args *p = arg;
	pte_t e = pte_read(p->f, slot);
	pte_t keep = e & (p->f->pfn_mask | _PAGE_ACCESSED | _PAGE_DIRTY |
			  _PAGE_SPECIAL);

	(void)mm;
	(void)addr;
	if (!pte_mapped(e))
		return;
	/* pte_modify(): accessed and dirty stay as they were. */
	e = mk_pte(p->f, 0, p->prot & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) | keep;
	if (keep & _PAGE_SPECIAL)
		e &= ~_PAGE_RW;
	pte_write(p->f, slot, e);
}

void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end)
{
	struct prot_args p = { pt_format_of(vma->vm_mm), vma->vm_page_prot };

	if (is_vm_hugetlb_page(vma)) {
		hugetlb_change_protection(vma, start, end);
		return;
	}
	change_huge_range(vma, start, end);
	walk_ptes(vma->vm_mm, start, end, prot_one, &p);
	flush_tlb_mm(vma->vm_mm);
}

/* can_align_down(): @addr starts its VMA and no VMA lies between the
 * boundary below it and it. */
static bool can_align_down(struct mm_struct *mm, unsigned long addr,
			   unsigned long mask)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start == addr &&
	       !(vma->vm_prev && vma->vm_prev->vm_end > (addr & mask));
}

/* get_extent(): up to the next boundary of @size of both addresses. */
static unsigned long move_extent(unsigned long old_addr, unsigned long old_end,
				 unsigned long new_addr, unsigned long size)
{
	unsigned long extent = ((old_addr + size) & ~(size - 1)) - old_addr;

	if (extent > old_end - old_addr)
		extent = old_end - old_addr;
	if (extent > ((new_addr + size) & ~(size - 1)) - new_addr)
		extent = ((new_addr + size) & ~(size - 1)) - new_addr;
	return extent;
}

/* move_ptes(): the entries of [old_addr, old_addr + extent), whose table
 * exists at both ends. */
static void move_ptes(struct mm_struct *mm, const struct pt_format *f,
		      unsigned long old_addr, unsigned long new_addr,
		      unsigned long extent)
{
	unsigned long off;

	for (off = 0; off < extent; off += PAGE_SIZE) {
		void *slot = pte_offset(mm, old_addr + off, false);
		pte_t e = pte_read(f, slot);

		if (!e)
			continue;
		pte_write(f, pte_offset(mm, new_addr + off, false), e);
		pte_write(f, slot, 0);
	}
}

/*
 * Linux's move_page_tables(), by extents of one PMD (4 MiB PGD entry on
 * i386): a destination table is allocated at every level where the
 * source has one, even an empty one (alloc_new_pud, alloc_new_pmd,
 * pte_alloc); an extent that is a whole PUD or PMD at both ends moves its
 * table (move_normal_pud, move_normal_pmd, 3-level and up for the PUD)
 * when the destination has none there; and a move that starts a VMA at
 * the same offset into a PMD at both ends, with no VMA below it in that
 * PMD, starts at the PMD's boundary (try_realign_addr). Which tables
 * exist afterwards (VmPTE) depends on all of it, once the source is
 * unmapped as well as with MREMAP_DONTUNMAP.
 */
int move_page_tables(struct mm_struct *mm, unsigned long old_addr,
		     unsigned long new_addr, unsigned long len)
{
	const struct pt_format *f = pt_format_of(mm);
	int pmd_level = f->levels - 2, top = f->levels > 2 ? 1 : 0;
	unsigned long pmd_size = pt_level_size(f, pmd_level);
	unsigned long old_end = old_addr + len, extent, align;
	struct vm_area_struct *vma;
	bool oom;

	if (!len)
		return 0;
	vma = find_vma(mm, old_addr);
	if (vma && is_vm_hugetlb_page(vma))
		return move_hugetlb_page_tables(mm, old_addr, new_addr, len);
	thp_prepare_move(mm, old_addr, new_addr, len);
	align = old_addr & (pmd_size - 1);
	if (align && align == (new_addr & (pmd_size - 1)) &&
	    len >= pmd_size - align &&
	    can_align_down(mm, old_addr, ~(pmd_size - 1)) &&
	    can_align_down(mm, new_addr, ~(pmd_size - 1))) {
		old_addr -= align;
		new_addr -= align;
	}
	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		void *oslot, *nslot;
		int level;

		extent = move_extent(old_addr, old_end, new_addr, pmd_size);
		for (level = top; level <= pmd_level; level++) {
			unsigned long size = pt_level_size(f, level);
			pte_t e;

			extent = move_extent(old_addr, old_end, new_addr, size);
			oslot = pt_entry(mm, old_addr, level, false, &oom);
			e = oslot ? pte_read(f, oslot) : 0;
			/* (A huge entry moves even when PROT_NONE.) */
			if (!pte_mapped(e))
				break;
			nslot = pt_entry(mm, new_addr, level, true, &oom);
			if (!nslot)
				return -ENOMEM;
			if (extent == size && !pte_read(f, nslot)) {
				pte_write(f, nslot, e);
				pte_write(f, oslot, 0);
				break;
			}
		}
		if (level <= pmd_level)
			continue;
		/* pte_alloc() */
		if (!pt_entry(mm, new_addr, f->levels - 1, true, &oom))
			return -ENOMEM;
		move_ptes(mm, f, old_addr, new_addr, extent);
	}
	flush_tlb_mm(mm);
	return 0;
}

/* MADV_FREE: clean anonymous pages may be dropped instead of swapped. */
static void free_one(struct mm_struct *mm, unsigned long addr, void *slot,
		     void *arg)
{
	const struct pt_format *f = arg;
	pte_t e = pte_read(f, slot);
	struct page *page;

	(void)addr;
	/* madvise_free_pte_range(): swapped-out data goes too. */
	if (is_swap_pte(e)) {
		pte_write(f, slot, 0);
		swap_free(pte_to_swp_entry(e));
		add_mm_counter(mm, MM_SWAPENTS, -1);
		return;
	}
	/* x86's pte_present() is true for PROT_NONE entries too. */
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(f, e));
	/* A swap-cache page others' entries still name is left alone (its
	 * swap cannot be freed: folio_free_swap fails). */
	if (!PageAnon(page) || test_page_flag(page, PG_swapcache))
		return;
	/* As madvise_free_pte_range(): a dirty page (its data would be
	 * lost) is only cleaned when no one else maps it; the entry is
	 * cleaned and the page made lazy-free either way. */
	if (test_page_flag(page, PG_dirty)) {
		if (page_mapcount(page) != 1)
			return;
		page_flag_clear(page, PG_dirty);
	}
	pte_write(f, slot, e & ~(_PAGE_DIRTY | _PAGE_ACCESSED));
	folio_mark_lazyfree(mm->machine, page);
}

void madvise_free_range(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	madvise_free_huge_range(mm, start, end);
	walk_ptes(mm, start, end, free_one, (void *)pt_format_of(mm));
	flush_tlb_mm(mm);
}

struct cold_args {
	const struct pt_format *f;
	bool pageout;
	bool anon_only;
};

/*
 * One entry of MADV_COLD / MADV_PAGEOUT (madvise_cold_or_pageout_pte_range
 * and, for PAGEOUT, reclaim_pages -> shrink_folio_list): pages others map
 * too are left alone, and so are file pages with @anon_only (a PAGEOUT
 * of a file the process could not write); the rest lose PG_referenced,
 * and with COLD their entry's accessed bit (PAGEOUT leaves it). PAGEOUT
 * then reclaims each page, its references ignored (mm/vmscan.c): a clean
 * lazy-free page is discarded, one written since becomes swap-backed
 * again; an anonymous page goes to swap, or back active when there is
 * none; a file page is unmapped and leaves the page cache, written back
 * first if dirty (a dirty shmem page to swap).
 */
static void cold_one(struct mm_struct *mm, unsigned long addr, void *slot,
		     void *arg)
{
	struct cold_args *c = arg;
	pte_t e = pte_read(c->f, slot);
	struct page *page;

	(void)addr;
	/* x86's pte_present(): PROT_NONE entries count. */
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(c->f, e));
	if (page_mapcount(page) != 1)
		return;
	if (c->anon_only && !PageAnon(page))
		return;
	page_flag_clear(page, PG_referenced);
	if (!c->pageout) {
		/* folio_deactivate(), as its batch leaves it. */
		folio_deactivate(mm->machine, page);
		pte_write(c->f, slot, e & ~_PAGE_ACCESSED);
		return;
	}
	reclaim_page(mm->machine, page, mm);
}

void madvise_cold_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, bool pageout, bool anon_only)
{
	struct cold_args c = { pt_format_of(mm), pageout, anon_only };

	madvise_cold_huge_range(mm, start, end, pageout);
	unmap_walk(mm, start, end, cold_one, &c);
}

/*
 * MADV_GUARD_INSTALL (madvise_guard_install): every entry of the range
 * becomes a guard marker. Linux puts markers into empty entries until it
 * meets a mapped one, then zaps the range (keeping markers) and tries
 * again; the outcome is this: the range's pages zapped, every entry a
 * marker, the page tables it needed allocated. -ENOMEM if one cannot be,
 * with the markers before it in place.
 */
int guard_install_range(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long addr;

	zap_page_range(mm, start, end);
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		void *slot = pte_offset(mm, addr, true);

		if (!slot)
			return -ENOMEM;
		pte_write(f, slot, PTE_MARKER_GUARD);
	}
	return 0;
}

static void guard_remove_one(struct mm_struct *mm, unsigned long addr,
			     void *slot, void *arg)
{
	const struct pt_format *f = arg;

	(void)mm;
	(void)addr;
	if (is_guard_marker(pte_read(f, slot)))
		pte_write(f, slot, 0);
}

/* MADV_GUARD_REMOVE: clear the markers, leave every other entry alone
 * and allocate no page table. */
void guard_remove_range(struct mm_struct *mm, unsigned long start,
			unsigned long end)
{
	walk_ptes(mm, start, end, guard_remove_one, (void *)pt_format_of(mm));
}

/*
 * MADV_WILLNEED on anonymous memory (swapin_walk_pmd_entry): each swap
 * entry of the range whose slot is not in the swap cache is read into
 * it (read_swap_cache_async: pswpin, pgpgin), unmapped, as a page that
 * processes sharing the slot would find; the fault that maps it later
 * reads nothing (no pgmajfault). The first allocation that fails ends
 * the walk.
 */
struct swapin_args {
	struct vm_area_struct *vma;
	bool failed;
};

static void swapin_one(struct mm_struct *mm, unsigned long addr, void *slot,
		       void *arg)
{
	struct swapin_args *s = arg;
	pte_t e = pte_read(pt_format_of(mm), slot);
	unsigned long swp;
	struct page *page;

	if (s->failed || !is_swap_pte(e))
		return;
	swp = pte_to_swp_entry(e);
	page = swap_cache_get(swp);
	if (page) {
		put_page(page);
		return;
	}
	page = anon_page_new(mm, s->vma, addr, 0);
	if (!page) {
		s->failed = true;
		return;
	}
	swap_readpage(mm->machine, page, swp);
	swapin_refault(mm, page, swp);
	page_set_mapping(page,
			 (struct address_space *)anon_vma_root_mapping(s->vma));
	lru_add(mm->machine, page);
	/* The cache's reference; if a fault cached it first, ours frees
	 * it. */
	add_to_swap_cache(page, swp);
	put_page(page);
}

void swapin_range(struct mm_struct *mm, struct vm_area_struct *vma,
		  unsigned long start, unsigned long end)
{
	struct swapin_args s = { vma, false };

	walk_ptes(mm, start, end, swapin_one, &s);
}

/*
 * unuse_mm() (swapoff's try_to_unuse, mm/swapfile.c): each swap entry of
 * area @type in @mm's VMAs comes back as do_swap_page brings it, but
 * mapped old and read-only with no fault counted (unuse_pte); the first
 * page that cannot be had ends the walk.
 */
struct unuse_args {
	struct vm_area_struct *vma;
	unsigned int type;
	int err;
};

static void unuse_pte(struct mm_struct *mm, unsigned long addr, void *slot,
		      void *arg)
{
	struct unuse_args *u = arg;
	pte_t e = pte_read(pt_format_of(mm), slot);

	if (u->err || !is_swap_pte(e) ||
	    swp_type(pte_to_swp_entry(e)) != u->type)
		return;
	if (do_swap_page(mm, u->vma, addr, slot, e, false, true) != VM_FAULT_OK)
		u->err = -ENOMEM;
}

int unuse_mm(struct mm_struct *mm, unsigned int type)
{
	struct unuse_args u = { NULL, type, 0 };
	struct vm_area_struct *vma;

	for_each_vma(mm, vma) {
		u.vma = vma;
		walk_ptes(mm, vma->vm_start, vma->vm_end, unuse_pte, &u);
		if (u.err)
			break;
	}
	return u.err;
}

/* ---- smaps ---- */

static void smaps_one(struct mm_struct *mm, unsigned long addr, void *slot,
		      void *arg)
{
	struct mem_size_stats *mss = arg;
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);
	struct page *page;
	int mapcount;
	bool dirty, young;
	unsigned long long pss;

	(void)addr;
	if (is_swap_pte(e)) {
		int count = swap_count(pte_to_swp_entry(e));

		mss->swap += PAGE_SIZE;
		mss->swap_pss += ((unsigned long long)PAGE_SIZE << PSS_SHIFT) /
				 (unsigned)(count > 1 ? count : 1);
		return;
	}
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(f, e));
	mapcount = page_mapcount(page);
	dirty = (e & _PAGE_DIRTY) || test_page_flag(page, PG_dirty);
	young = (e & _PAGE_ACCESSED) || test_page_flag(page, PG_referenced);
	mss->resident += PAGE_SIZE;
	if (young)
		mss->referenced += PAGE_SIZE;
	if (PageAnon(page)) {
		mss->anonymous += PAGE_SIZE;
		if (PageKsm(page))
			mss->ksm += PAGE_SIZE;
		if (!test_page_flag(page, PG_swapbacked) && !dirty)
			mss->lazyfree += PAGE_SIZE;
	}
	if (mapcount < 1)
		mapcount = 1;
	pss = ((unsigned long long)PAGE_SIZE << PSS_SHIFT) / (unsigned)mapcount;
	mss->pss += pss;
	if (dirty)
		mss->pss_dirty += pss;
	if (mapcount >= 2) {
		if (dirty)
			mss->shared_dirty += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
	} else {
		if (dirty)
			mss->private_dirty += PAGE_SIZE;
		else
			mss->private_clean += PAGE_SIZE;
	}
}

/* A shmem mapping's pages in swap (shmem_swap_usage): all of them where
 * the mapping cannot have copies of its own, else those at addresses no
 * entry maps (smaps_pte_hole). */
static unsigned long smaps_shmem_swap(struct vm_area_struct *vma)
{
	const struct pt_format *f = pt_format_of(vma->vm_mm);
	unsigned long addr, n = 0;

	if ((vma->vm_flags & VM_SHARED) || !(vma->vm_flags & VM_WRITE))
		return shmem_swapped(vma->vm_file, vma->vm_pgoff,
				     vma_pages(vma));
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		void *slot = pte_offset(vma->vm_mm, addr, false);

		if ((!slot || !pte_read(f, slot)) &&
		    shmem_swapped(vma->vm_file, linear_page_index(vma, addr),
				  1))
			n++;
	}
	return n;
}

void smaps_account(struct vm_area_struct *vma, struct mem_size_stats *mss)
{
	memset(mss, 0, sizeof(*mss));
	if (is_vm_hugetlb_page(vma)) {
		smaps_hugetlb(vma, &mss->private_hugetlb, &mss->shared_hugetlb);
		return;
	}
	walk_ptes(vma->vm_mm, vma->vm_start, vma->vm_end, smaps_one, mss);
	smaps_huge_range(vma, mss);
	if (vma->vm_file && vma->vm_file->shmem)
		mss->swap += smaps_shmem_swap(vma) << PAGE_SHIFT;
}

/* ---- accesses by the process ---- */

static struct mm_struct *access_begin(int pid, int *err)
{
	struct mm_struct *mm = syscall_mm_lock(pid);

	*err = mm ? 0 : -ESRCH;
	return mm;
}

/* The process dies: the OOM killer chose it (it has left the pid table
 * already and exits at syscall_mm_unlock), or, with nothing left to
 * kill, its fault found no memory (Linux would panic). */
static void access_end(struct mm_struct *mm, int pid, int sig)
{
	syscall_mm_unlock(mm);
	if (sig == MMK_SIGKILL)
		mmk_exit(pid);
}

int mmk_touch(int pid, unsigned long addr, unsigned long len, bool write)
{
	unsigned long a, end;
	struct mm_struct *mm;
	int err, sig = 0;

	mm = access_begin(pid, &err);
	if (!mm)
		return err;
	end = addr + len;
	if (end < addr)
		end = ~0UL;
	for (a = addr & PAGE_MASK; a < end && !sig; a += PAGE_SIZE) {
		char *p = mmu_access(mm, max(a, addr), write, &sig);

		/* The store of a touch changes no byte: an atomic OR of
		 * 0, which loses no store another thread makes meanwhile
		 * to a page they share (a read and a write back would). */
		if (p && write)
			__atomic_fetch_or(p, 0, __ATOMIC_RELAXED);
		if (a + PAGE_SIZE < a)
			break;
	}
	access_end(mm, pid, sig);
	return sig;
}

/* Copy between @buf and process memory, byte ranges page by page. */
static int access_bytes(struct mm_struct *mm, unsigned long addr, void *buf,
			size_t len, bool write, size_t *done)
{
	int sig = 0;

	*done = 0;
	while (*done < len) {
		unsigned long a = addr + *done;
		size_t n = min(len - *done, PAGE_SIZE - (a & ~PAGE_MASK));
		char *p;

		if (a < addr)
			return MMK_SIGSEGV;
		p = mmu_access(mm, a, write, &sig);
		if (!p)
			return sig;
		if (write)
			copy_user_racy(p, (char *)buf + *done, n);
		else
			copy_user_racy((char *)buf + *done, p, n);
		*done += n;
	}
	return 0;
}

int mmk_write_u64(int pid, unsigned long addr, uint64_t value)
{
	struct mm_struct *mm;
	size_t done;
	int err, sig = 0;

	mm = access_begin(pid, &err);
	if (!mm)
		return err;
	/* A store that spans two pages faults before writing anything:
	 * make both pages writable first. */
	if ((addr & ~PAGE_MASK) > PAGE_SIZE - sizeof value) {
		unsigned long second = (addr & PAGE_MASK) + PAGE_SIZE;

		if (second < addr || !mmu_access(mm, addr, true, &sig) ||
		    !mmu_access(mm, second, true, &sig))
			sig = sig ? sig : MMK_SIGSEGV;
	}
	if (!sig)
		sig = access_bytes(mm, addr, &value, sizeof value, true, &done);
	access_end(mm, pid, sig);
	return sig;
}

int mmk_read_u64(int pid, unsigned long addr, uint64_t *value)
{
	struct mm_struct *mm;
	uint64_t v = 0;
	size_t done;
	int err, sig;

	if (!value)
		return -EFAULT;
	*value = 0;
	mm = access_begin(pid, &err);
	if (!mm)
		return err;
	/* A load that faults on its second page loads nothing, as the CPU's
	 * does; the first page is faulted in all the same. */
	sig = access_bytes(mm, addr, &v, sizeof v, false, &done);
	if (!sig)
		*value = v;
	access_end(mm, pid, sig);
	return sig;
}

static long copy_user(int pid, unsigned long uaddr, void *buf, size_t n,
		      bool to_user)
{
	struct mm_struct *mm;
	size_t done;
	int err, sig;

	if (!buf && n)
		return -EFAULT;
	mm = access_begin(pid, &err);
	if (!mm)
		return err;
	sig = access_bytes(mm, uaddr, buf, n, to_user, &done);
	/* copy_*_user does not deliver signals: a fault ends the copy. */
	access_end(mm, pid, sig == MMK_SIGKILL ? sig : 0);
	return (long)(n - done);
}

long mmk_copy_to_user(int pid, unsigned long to, const void *from, size_t n)
{
	return copy_user(pid, to, (void *)from, n, true);
}

long mmk_copy_from_user(int pid, void *to, unsigned long from, size_t n)
{
	return copy_user(pid, from, to, n, false);
}

/* ---- verifier ---- */

struct verify_args {
	const struct pt_format *f;
	long rss[NR_MM_COUNTERS];
	bool bad;
	unsigned long bad_addr;
};

static void verify_one(struct mm_struct *mm, unsigned long addr, void *slot,
		       void *arg)
{
	struct verify_args *v = arg;
	pte_t e = pte_read(v->f, slot);
	struct page *page;

	if (is_guard_marker(e) || is_swap_pte(e)) {
		if (!find_vma_intersection(mm, addr, addr + 1)) {
			if (!v->bad)
				v->bad_addr = addr;
			v->bad = true;
		}
		if (is_swap_pte(e))
			v->rss[MM_SWAPENTS]++;
		return;
	}
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(v->f, e));
	if (!page || page_mapcount(page) < 1 || page_count(page) < 1 ||
	    !find_vma_intersection(mm, addr, addr + 1)) {
		if (!v->bad)
			v->bad_addr = addr;
		v->bad = true;
		return;
	}
	v->rss[mm_counter_of(page)]++;
}

bool mm_verify_pages(struct mm_struct *mm, char *why, size_t len)
{
	struct verify_args v = { pt_format_of(mm), { 0 }, false, 0 };
	long thp_pages;
	int i;

	if (!pgtables_verify(mm, why, len) ||
	    !thp_verify(mm, &thp_pages, why, len))
		return false;
	v.rss[MM_ANONPAGES] = thp_pages;
	walk_ptes(mm, 0, mm->task_size, verify_one, &v);
	if (v.bad)
		return verify_fail(why, len,
				   "pid %d: the entry at %#lx maps a page with "
				   "no mapcount, or lies outside every VMA",
				   mm->owner ? mm->owner->pid : 0, v.bad_addr);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (v.rss[i] != atomic_load(&mm->rss_stat[i]))
			return verify_fail(why, len,
					   "pid %d: rss counter %d is %ld, the "
					   "page tables map %ld",
					   mm->owner ? mm->owner->pid : 0, i,
					   atomic_load(&mm->rss_stat[i]),
					   v.rss[i]);
	return true;
}

/* ---- the machine-wide page verifier ---- */

struct pfn_count {
	unsigned long pfn_plus_one; /* 0: empty slot */
	unsigned long count;
	unsigned long locked; /* of those, in mlocked VMAs */
};

struct pages_verify_args {
	const struct pt_format *f;
	struct pfn_count *tab;
	size_t cap, used;
	bool oom;
	unsigned long bad_addr;
	const char *bad_what;
	struct swap_census *swap; /* swap entries per slot */
};

static struct pfn_count *pfn_slot(struct pfn_count *tab, size_t cap,
				  unsigned long pfn)
{
	size_t i = (pfn * 0x9e3779b97f4a7c15UL) & (cap - 1);

	while (tab[i].pfn_plus_one && tab[i].pfn_plus_one != pfn + 1)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static bool pfn_table_grow(struct pages_verify_args *a)
{
	size_t cap = a->cap ? a->cap * 2 : 1024, i;
	struct pfn_count *tab = mmk_host_zalloc((size_t)(cap) * sizeof(*tab));

	if (!tab)
		return false;
	for (i = 0; i < a->cap; i++)
		if (a->tab[i].pfn_plus_one)
			*pfn_slot(tab, cap, a->tab[i].pfn_plus_one - 1) =
				a->tab[i];
	mmk_host_free(a->tab);
	a->tab = tab;
	a->cap = cap;
	return true;
}

static void pages_verify_one(struct mm_struct *mm, unsigned long addr,
			     void *slot, void *arg)
{
	struct pages_verify_args *a = arg;
	pte_t e = pte_read(a->f, slot);
	struct vm_area_struct *vma;
	struct pfn_count *c;
	struct page *page;

	if (is_swap_pte(e) && !a->bad_what) {
		if (!swap_census_add(a->swap, pte_to_swp_entry(e))) {
			a->bad_addr = addr;
			a->bad_what =
				"a swap entry names no slot of an area in use";
		}
		return;
	}
	if (a->oom || a->bad_what || !pte_mapped(e))
		return;
	vma = vma_lookup(mm, addr);
	/* Every mapped entry (PROT_NONE and the zero page's too) carries
	 * its VMA's protection key (mm/pkeys.c). */
	if (vma && pte_pkey(a->f, e) != vma_pkey(vma)) {
		a->bad_addr = addr;
		a->bad_what = "an entry's protection key is not its VMA's";
		return;
	}
	if (e & _PAGE_SPECIAL)
		return;
	page = pfn_to_page(pte_pfn(a->f, e));
	if (!vma || !page)
		return; /* reported by mm_verify_pages */
	/* Permissions never wider than the VMA allows; a private mapping
	 * writes only to anonymous pages of its own (COW done). */
	if (((e & _PAGE_RW) && !(vma->vm_flags & VM_WRITE)) ||
	    (pte_present(e) && !(vma->vm_flags & VM_ACCESS_FLAGS)) ||
	    ((e & _PAGE_RW) && !(vma->vm_flags & VM_SHARED) &&
	     !PageAnon(page))) {
		a->bad_addr = addr;
		a->bad_what = "an entry allows more than its VMA";
		return;
	}
	if ((a->used + 1) * 2 > a->cap && !pfn_table_grow(a)) {
		a->oom = true;
		return;
	}
	c = pfn_slot(a->tab, a->cap, page_to_pfn(page));
	if (!c->pfn_plus_one) {
		c->pfn_plus_one = page_to_pfn(page) + 1;
		a->used++;
	}
	c->count++;
	c->locked += vma_mlocked(vma);
}

/*
 * A mapped page is on the LRU, mlocked when an mlocked VMA maps it, and
 * unevictable exactly when mlocked, with at least as many mlocks as such
 * mappings (mm/swap.c). A page may stay mlocked with no mlocked mapping,
 * as in Linux: MREMAP_DONTUNMAP clears VM_LOCKED without munlocking the
 * pages left behind (reclaim would rescue them). An anonymous page read
 * from swap under an mlocked VMA is not mlocked until reclaim or an
 * mlock()'s walk finds it (do_swap_page), so its mlocks may also fall
 * short of its mlocked mappings, as Linux's mlock_count may undercount.
 * @all: every mapping was counted.
 */
static const char *page_lru_state_bad(const struct page *page,
				      const struct pfn_count *c, bool all)
{
	bool mlocked = test_page_flag(page, PG_mlocked);

	if (!test_page_flag(page, PG_lru))
		return "a mapped page is on no LRU";
	if (c->locked && !mlocked && !PageAnon(page))
		return "a page an mlocked VMA maps is not mlocked";
	if (test_page_flag(page, PG_unevictable) != mlocked)
		return "unevictable and mlocked differ";
	if (all && mlocked && page->mlock_count < c->locked && !PageAnon(page))
		return "mlock_count below the mlocked VMAs mapping it";
	return NULL;
}

static bool in_page_cache(const struct page *page)
{
	struct file *f = (struct file *)page->mapping;
	bool in;

	if (!f || PageAnon(page))
		return false;
	pthread_mutex_lock(&f->lock);
	in = page->index < f->pages_cap && f->pages[page->index] == page;
	pthread_mutex_unlock(&f->lock);
	return in;
}

bool pages_verify(struct mmk_machine *m, struct mm_struct **mms, int n,
		  bool all, char *why, size_t len)
{
	struct pages_verify_args a = { 0 };
	long tables = 0, stat = 0;
	bool ok = true;
	size_t i;
	int k, nid;

	a.swap = swap_census_start(m);
	if (!a.swap)
		return verify_fail(why, len, "verifier out of host memory");
	for (k = 0; k < n; k++) {
		a.f = pt_format_of(mms[k]);
		walk_ptes(mms[k], 0, mms[k]->task_size, pages_verify_one, &a);
		if (a.bad_what) {
			mmk_host_free(a.tab);
			swap_census_end(a.swap);
			return verify_fail(why, len, "pid %d, %#lx: %s",
					   mms[k]->owner ? mms[k]->owner->pid :
							   0,
					   a.bad_addr, a.bad_what);
		}
		tables +=
			(mms[k]->pgd ? 1 : 0) +
			atomic_load(&mms[k]->pgtables_bytes) / (long)PAGE_SIZE;
	}
	if (a.oom) {
		mmk_host_free(a.tab);
		swap_census_end(a.swap);
		return verify_fail(why, len, "verifier out of host memory");
	}
	for (i = 0; i < a.cap && ok; i++) {
		struct page *page;
		long mapcount, refs;

		if (!a.tab[i].pfn_plus_one)
			continue;
		page = pfn_to_page(a.tab[i].pfn_plus_one - 1);
		mapcount = page_mapcount(page);
		refs = (long)a.tab[i].count +
		       (in_page_cache(page) ||
					test_page_flag(page, PG_swapcache) ?
				1 :
				0);
		if (all ? mapcount != (long)a.tab[i].count :
			  mapcount < (long)a.tab[i].count)
			ok = verify_fail(why, len,
					 "pfn %#lx: mapcount %ld, %lu entries "
					 "map it",
					 a.tab[i].pfn_plus_one - 1, mapcount,
					 a.tab[i].count);
		else if (page_count(page) < refs)
			ok = verify_fail(why, len,
					 "pfn %#lx: refcount %d below its %ld "
					 "holders",
					 a.tab[i].pfn_plus_one - 1,
					 page_count(page), refs);
		else if (page_lru_state_bad(page, &a.tab[i], all))
			ok = verify_fail(why, len, "pfn %#lx: %s",
					 a.tab[i].pfn_plus_one - 1,
					 page_lru_state_bad(page, &a.tab[i],
							    all));
	}
	mmk_host_free(a.tab);
	if (ok)
		ok = swap_verify(m, all ? a.swap : NULL, why, len);
	swap_census_end(a.swap);
	if (!ok || !all)
		return ok;
	for_each_online_node(m, nid)
		stat += atomic_load(&m->node_stat[nid][NR_PAGETABLE]);
	if (stat != tables)
		return verify_fail(why, len,
				   "NR_PAGETABLE %ld, the processes hold %ld "
				   "page-table pages",
				   stat, tables);
	return true;
}
