/* SPDX-License-Identifier: MIT */
/*
 * Transparent huge pages (Linux's mm/huge_memory.c, for anonymous memory
 * and the PMD size: 2 MiB on x86_64; the i386 profile, like a kernel
 * without PAE, has none).
 *
 * 1. What it models.
 *    - The policy of /sys/kernel/mm/transparent_hugepage: enabled
 *      (always, madvise: the default, as Debian's; never), defrag
 *      (always, defer, defer+madvise, madvise: the default; never) and
 *      use_zero_page (1). A fault may map a huge page where the VMA is
 *      anonymous and private, the aligned 2 MiB around the address lies
 *      in it, the policy allows it (always, or madvise and
 *      MADV_HUGEPAGE), and neither MADV_NOHUGEPAGE, a temporary stack
 *      nor prctl(PR_SET_THP_DISABLE) forbids it (thp_vma_allowable).
 *      smaps' THPeligible says the same of the VMA.
 *    - The fault (do_huge_pmd_anonymous_page), when the PMD entry is
 *      empty: a read maps the huge zero page, read-only (allocated with
 *      the first such fault: thp_zero_page_alloc); a write allocates a
 *      compound order-9 page with defrag's gfp (vma_thp_gfp_mask),
 *      zeroes it and maps it with one PMD entry, dirty, writable in a
 *      writable VMA (thp_fault_alloc; AnonHugePages, RSS 512 pages). A
 *      failed allocation falls back to base pages (thp_fault_fallback).
 *      Each huge entry has a PTE table deposited with the mm, allocated
 *      with it and counted in VmPTE, which a split uses. A write to the
 *      huge zero page allocates a huge page in its place
 *      (do_huge_zero_wp_pmd), or splits it to base zero pages when none
 *      is to be had.
 *    - munmap, exit and MADV_DONTNEED free a huge page whose 2 MiB they
 *      cover whole (zap_huge_pmd); mprotect changes its entry
 *      (change_huge_pmd); mremap moves it when both addresses are
 *      aligned (move_huge_pmd); mlock mlocks it (512 pages Mlocked).
 *      Anything covering only part of one splits it first
 *      (__split_huge_pmd): the deposited table is filled with 512 PTEs
 *      carrying the entry's write, dirty, accessed, key and NX bits
 *      (thp_split_pmd). So does a VMA boundary moving inside one
 *      (vma_adjust_trans_huge).
 *    - Reclaim, NUMA migration, KSM and get_user_pages split a huge page
 *      into base pages first (split_huge_page: thp_split_page), which
 *      then go their way as any other anonymous page; compaction passes
 *      huge pages over, as Linux's does outside alloc_contig. get_user_pages
 *      (populate, mlock) touches a huge entry: young, dirty for a write
 *      (touch_pmd).
 *    - MADV_COLLAPSE (madvise_collapse), whatever the sysfs policy but
 *      not in a MADV_NOHUGEPAGE VMA, nor one without an anon_vma: each
 *      whole 2 MiB of the range mapped by a PTE table becomes a huge page
 *      (thp_collapse_alloc), its pages swapped in and copied, empty
 *      entries and the zero page read as zeroes, the table deposited; a
 *      2 MiB with no table fails the call (EINVAL) after the rest are
 *      done; KSM pages EINVAL, pinned or swap-cache pages EAGAIN, no
 *      huge page ENOMEM. khugepaged (mm/khugepaged.c) collapses with the
 *      same thp_collapse_pmd, within its limits (collapse_control).
 *    - prctl(PR_SET_THP_DISABLE, 1 [, PR_THP_DISABLE_EXCEPT_ADVISED]):
 *      no huge pages for the process (or only in MADV_HUGEPAGE VMAs),
 *      kept across fork; /proc/PID/status THP_enabled.
 *
 * 2. Objects. A huge page: compound head (PG_head, order 9 in page[1])
 *    on the LRU as one folio of 512 pages, its anon_vma and index as an
 *    anonymous page's, _mapcount and page[1]._mapcount its entries (one:
 *    see 4), a reference per entry. The PGD page's private chains the
 *    deposited tables (through their private), its index counts them
 *    (mm_nr_huge_pmds).
 *
 * 3. Invariants (thp_verify). Each huge entry of an anonymous VMA maps
 *    the huge zero page or the head of an anonymous compound order-9
 *    page mapped once, at its index, inside the VMA; mm_nr_huge_pmds
 *    equals the entries and the deposited tables; RSS counts 512 pages per huge
 *    page.
 *
 * 4. Departures. A split of a PMD splits its huge page too, at once:
 *    Linux keeps a partly unmapped folio whole, mapped by PTEs, until its
 *    deferred split (a shrinker, under memory pressure) or a later
 *    MADV_FREE, reclaim or migration splits it. So MemFree sees the
 *    unmapped part freed at once, thp_split_page and
 *    thp_deferred_split_page are not counted for such splits, and the
 *    zero-filled pages a later folio split would map to the zero page
 *    (6.12+) stay mapped: Rss differs after a MADV_FREE of such pages
 *    (tests/thp_diff_test.c's seq_free_after_split). The folio splits
 *    Linux does at once (MADV_FREE or MADV_PAGEOUT of part of a huge
 *    page, reclaim) map them to the zero page as it does.
 *    Fork splits the parent's huge pages before copying (Linux shares
 *    the PMD, write-protected, and splits at the first write), so a huge
 *    page is never shared and the parent's AnonHugePages drops at fork.
 *    get_user_pages (here: process_vm_readv/writev) splits the huge
 *    pages it pins; NUMA migration and reclaim split rather than move or
 *    swap a huge page whole; KSM splits the huge pages it scans (Linux:
 *    those it merges). Collapse (MADV_COLLAPSE here, khugepaged in
 *    mm/khugepaged.c) is of anonymous memory only, not of files or
 *    shmem, and not of swap-cache pages; no mTHP sizes (hugepages-NkB),
 *    no file or shmem huge pages, no huge PUDs, no memcg charge. The
 *    huge zero page is freed by drop_caches' shrinker once no mm holds
 *    it (Linux: by its shrinker, under memory pressure too).
 *
 * 5. Ordering. The mm's mmap lock covers its entries and deposits;
 *    reclaim reaches a page's mm through the rmap, trying its lock.
 *
 * 6. Observability. AnonHugePages in /proc/meminfo and smaps,
 *    nr_anon_transparent_hugepages and thp_* in /proc/vmstat,
 *    THPeligible, THP_enabled, VmPTE.
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/internal.h"
#include "proc/seq.h"

#include <string.h>

static const char *const enabled_names[] = { "always", "madvise", "never" };
static const char *const defrag_names[] = { "always", "defer", "defer+madvise",
					    "madvise", "never" };

void thp_init(struct mmk_machine *m)
{
	atomic_init(&m->mm->thp_enabled, THP_MADVISE);
	atomic_init(&m->mm->thp_defrag, THP_DEFRAG_MADVISE);
	atomic_init(&m->mm->thp_use_zero_page, true);
}

static int pmd_level(const struct pt_format *f)
{
	return f->levels - 2;
}

static void node_add(struct mmk_machine *m, const struct page *page, int item,
		     long delta)
{
	atomic_fetch_add(&m->node_stat[page_to_nid(page)][item], delta);
}

/* ---- policy ---- */

/*
 * __thp_vma_allowable_orders() for the PMD order. @forced: MADV_COLLAPSE
 * (TVA_FORCED_COLLAPSE), which ignores the sysfs policy and
 * PR_THP_DISABLE_EXCEPT_ADVISED. vma_is_temporary_stack(): the stack
 * while exec sets it up; mmkit's stacks are set up whole, so none.
 */
static bool allowable(const struct vm_area_struct *vma, unsigned long f,
		      unsigned long addr, bool smaps, bool forced)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mm_state *ms = mm_state();
	unsigned long haddr;
	int enabled =
		atomic_load_explicit(&ms->thp_enabled, memory_order_relaxed);

	if (!mm || !mm->machine->arch->thp)
		return false;
	if (!forced && (enabled == THP_NEVER ||
			(enabled == THP_MADVISE && !(f & VM_HUGEPAGE))))
		return false;
	if ((f & VM_NOHUGEPAGE) ||
	    (mm->thp_disable & MMF_DISABLE_THP_COMPLETELY) ||
	    (!forced && !(f & VM_HUGEPAGE) &&
	     (mm->thp_disable & MMF_DISABLE_THP_EXCEPT_ADVISED)))
		return false;
	/* Anonymous private memory only; VM_NO_KHUGEPAGED (VM_SPECIAL)
	 * mappings are file or PFN ones, never anonymous here. */
	if (!vma_is_anonymous(vma) || (f & (VM_SHARED | VM_SPECIAL)) ||
	    is_vm_hugetlb_page(vma))
		return false;
	/* thp_vma_suitable_order(): smaps asks about the VMA's last 2 MiB. */
	haddr = (smaps ? vma->vm_end - HPAGE_PMD_SIZE : addr) & HPAGE_PMD_MASK;
	if (vma->vm_end - vma->vm_start < HPAGE_PMD_SIZE)
		return false;
	return haddr >= vma->vm_start && haddr + HPAGE_PMD_SIZE <= vma->vm_end;
}

bool thp_vma_allowable(const struct vm_area_struct *vma, unsigned long addr,
		       bool smaps)
{
	return allowable(vma, vma->vm_flags, addr, smaps, false);
}

/* vma_thp_gfp_mask(): how hard the fault tries, by defrag. */
static gfp_t thp_gfp(const struct vm_area_struct *vma)
{
	bool madvised = vma->vm_flags & VM_HUGEPAGE;

	switch (atomic_load_explicit(&mm_state()->thp_defrag,
				     memory_order_relaxed)) {
	case THP_DEFRAG_ALWAYS:
		return GFP_TRANSHUGE | (madvised ? 0 : __GFP_NORETRY);
	case THP_DEFRAG_DEFER:
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	case THP_DEFRAG_DEFER_MADVISE:
		return GFP_TRANSHUGE_LIGHT |
		       (madvised ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM);
	case THP_DEFRAG_MADVISE:
		return GFP_TRANSHUGE_LIGHT |
		       (madvised ? __GFP_DIRECT_RECLAIM : 0);
	default:
		return GFP_TRANSHUGE_LIGHT;
	}
}

/* ---- deposits ---- */

/* (A huge entry implies the PGD exists.) */
static void deposit(struct mm_struct *mm, struct page *table)
{
	table->private = mm->pgd->private;
	mm->pgd->private = (unsigned long)table;
	mm->pgd->index++;
}

static struct page *withdraw(struct mm_struct *mm)
{
	struct page *table = (struct page *)mm->pgd->private;

	mm->pgd->private = table->private;
	table->private = 0;
	mm->pgd->index--;
	return table;
}

/* ---- the huge zero page ---- */

static struct page *huge_zero_load(struct mm_state *ms)
{
	return __atomic_load_n(&ms->huge_zero_page, __ATOMIC_ACQUIRE);
}

/* mm_get_huge_zero_folio(): the huge zero page, allocated by the first
 * user (outside the lock: it may reclaim), held by @mm until it exits. */
static struct page *get_huge_zero_page(struct mm_struct *mm)
{
	struct mm_state *ms = mm_state();
	struct page *zero = NULL, *z;

	if (mm->thp_disable & MMF_HUGE_ZERO_FOLIO)
		return huge_zero_load(ms);
	if (!huge_zero_load(ms)) {
		zero = alloc_pages((GFP_TRANSHUGE | __GFP_ZERO) &
					   ~__GFP_MOVABLE,
				   HPAGE_PMD_ORDER);
		if (!zero)
			count_vm_events(mm->machine, THP_ZERO_PAGE_ALLOC_FAILED,
					1);
	}
	pthread_mutex_lock(&ms->caches_lock);
	if (zero && !ms->huge_zero_page) {
		__atomic_store_n(&ms->huge_zero_page, zero, __ATOMIC_RELEASE);
		count_vm_events(mm->machine, THP_ZERO_PAGE_ALLOC, 1);
		zero = NULL;
	}
	z = ms->huge_zero_page;
	if (z) {
		atomic_fetch_add(&ms->huge_zero_refs, 1);
		mm->thp_disable |= MMF_HUGE_ZERO_FOLIO;
	}
	pthread_mutex_unlock(&ms->caches_lock);
	if (zero) /* another thread's came first */
		__free_pages(zero, HPAGE_PMD_ORDER);
	return z;
}

void thp_mm_exit(struct mm_struct *mm)
{
	if (!(mm->thp_disable & MMF_HUGE_ZERO_FOLIO))
		return;
	mm->thp_disable &= (unsigned char)~MMF_HUGE_ZERO_FOLIO;
	atomic_fetch_sub(&mm_state()->huge_zero_refs, 1);
}

void shrink_huge_zero_page(struct mmk_machine *m)
{
	struct mm_state *ms = m->mm;
	struct page *zero = NULL;

	if (!ms)
		return;
	pthread_mutex_lock(&ms->caches_lock);
	if (ms->huge_zero_page && !atomic_load(&ms->huge_zero_refs)) {
		zero = ms->huge_zero_page;
		__atomic_store_n(&ms->huge_zero_page, NULL, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ms->caches_lock);
	if (zero)
		__free_pages(zero, HPAGE_PMD_ORDER);
}

static bool is_huge_zero(struct mm_struct *mm, pte_t e)
{
	struct page *zero = huge_zero_load(mm_state());

	return zero && pte_pfn(pt_format_of(mm), e) == page_to_pfn(zero);
}

struct page *thp_entry_page(struct mm_struct *mm, pte_t e)
{
	struct page *page;

	if (!(e & _PAGE_PSE) || !pte_mapped(e) || is_huge_zero(mm, e))
		return NULL;
	page = pfn_to_page(pte_pfn(pt_format_of(mm), e));
	if (!page || page_type_of(page) == PGTY_hugetlb)
		return NULL;
	return page;
}

/* A huge entry of anonymous memory (a huge page or the huge zero page),
 * not a hugetlb one. */
static bool anon_huge_entry(struct mm_struct *mm, pte_t e)
{
	return (e & _PAGE_PSE) && pte_mapped(e) &&
	       (is_huge_zero(mm, e) || thp_entry_page(mm, e));
}

/* ---- mapping and unmapping a huge page ---- */

static void thp_add_rmap(struct mm_struct *mm, struct page *page)
{
	atomic_store(&page->_mapcount, 1);
	atomic_store(&page[1]._mapcount, 1);
	node_add(mm->machine, page, NR_ANON_MAPPED, (long)HPAGE_PMD_NR);
	node_add(mm->machine, page, NR_ANON_THPS, (long)HPAGE_PMD_NR);
	atomic_fetch_add(&mm->rss_stat[MM_ANONPAGES], (long)HPAGE_PMD_NR);
}

static void thp_remove_rmap(struct mm_struct *mm, struct page *page)
{
	atomic_store(&page->_mapcount, 0);
	atomic_store(&page[1]._mapcount, 0);
	node_add(mm->machine, page, NR_ANON_MAPPED, -(long)HPAGE_PMD_NR);
	node_add(mm->machine, page, NR_ANON_THPS, -(long)HPAGE_PMD_NR);
	atomic_fetch_sub(&mm->rss_stat[MM_ANONPAGES], (long)HPAGE_PMD_NR);
}

/* A new zeroed huge page for @haddr of @vma, or NULL. */
static struct page *thp_alloc(struct mm_struct *mm, struct vm_area_struct *vma,
			      unsigned long haddr, gfp_t gfp)
{
	struct mm_struct *prev = reclaim_allow_mm(mm);
	struct page *page = vma_alloc_folio(gfp, HPAGE_PMD_ORDER, vma, haddr);

	reclaim_allow_mm(prev);
	if (!page)
		return NULL;
	memset(page_host(mm->machine, page), 0, HPAGE_PMD_SIZE);
	page_set_mapping(page,
			 (struct address_space *)((unsigned long)vma->anon_vma |
						  PAGE_MAPPING_ANON));
	page->index = linear_page_index(vma, haddr);
	page_flag_set(page, PG_swapbacked);
	page_flag_set(page, PG_uptodate);
	return page;
}

/* map_anon_folio_pmd_pf(): dirty, young, writable if the VMA is. */
static void thp_map_new(struct mm_struct *mm, struct vm_area_struct *vma,
			void *slot, struct page *page)
{
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = mk_pte(f, page_to_pfn(page),
			 vma->vm_page_prot | _PAGE_PSE | _PAGE_DIRTY |
				 _PAGE_ACCESSED);

	if (!(vma->vm_flags & VM_WRITE))
		e &= ~_PAGE_RW;
	else
		e |= _PAGE_RW;
	thp_add_rmap(mm, page);
	if (vma_mlocked(vma))
		mlock_new_page(mm->machine, page);
	else
		lru_add(mm->machine, page);
	pte_write(f, slot, e);
}

/* A huge page for a fault at @haddr (thp_fault_alloc), or NULL
 * (thp_fault_fallback). */
static struct page *thp_fault_alloc(struct mm_struct *mm,
				    struct vm_area_struct *vma,
				    unsigned long haddr)
{
	struct page *page = thp_alloc(mm, vma, haddr, thp_gfp(vma));

	count_vm_events(mm->machine,
			page ? THP_FAULT_ALLOC : THP_FAULT_FALLBACK, 1);
	return page;
}

/* ---- faults ---- */

static int do_huge_pmd_anonymous_page(struct mm_struct *mm,
				      struct vm_area_struct *vma,
				      unsigned long addr, void *slot,
				      bool write, bool *fallback)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long haddr = addr & HPAGE_PMD_MASK;
	struct page *table, *page;

	if (anon_vma_prepare(vma))
		return MMK_SIGKILL;
	khugepaged_enter_vma(vma, vma->vm_flags);
	table = pte_table_alloc(mm);
	if (!table)
		return MMK_SIGKILL;
	if (!write && !mm->machine->cfg.forbid_zero_page &&
	    atomic_load_explicit(&mm_state()->thp_use_zero_page,
				 memory_order_relaxed)) {
		struct page *zero = get_huge_zero_page(mm);

		if (!zero) {
			count_vm_events(mm->machine, THP_FAULT_FALLBACK, 1);
			pte_table_free(mm, table);
			*fallback = true;
			return 0;
		}
		pte_write(f, slot,
			  mk_pte(f, page_to_pfn(zero),
				 vma->vm_page_prot | _PAGE_PSE |
					 _PAGE_SPECIAL) &
				  ~_PAGE_RW);
		deposit(mm, table);
		return 0;
	}
	page = thp_fault_alloc(mm, vma, haddr);
	if (!page) {
		pte_table_free(mm, table);
		*fallback = true;
		return 0;
	}
	deposit(mm, table);
	thp_map_new(mm, vma, slot, page);
	return 0;
}

bool huge_pmd_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long addr, bool write, int *ret)
{
	const struct pt_format *f = pt_format_of(mm);
	bool oom = false, fallback = false, allowed;
	void *slot;
	pte_t e;

	if (!mm->machine->arch->thp)
		return false;
	allowed = thp_vma_allowable(vma, addr, false);
	if (!allowed && !mm_nr_huge_pmds(mm))
		return false;
	slot = pt_entry(mm, addr, pmd_level(f), allowed, &oom);
	if (oom) {
		*ret = MMK_SIGKILL;
		return true;
	}
	if (!slot) /* no tables, and none wanted */
		return false;
	e = pte_read(f, slot);
	*ret = 0;
	if (!e) {
		if (!allowed)
			return false;
		*ret = do_huge_pmd_anonymous_page(mm, vma, addr, slot, write,
						  &fallback);
		return !fallback;
	}
	if (!anon_huge_entry(mm, e))
		return false;
	if (!pte_present(e)) /* PROT_NONE no more: as the PTE level does */
		e = (e &
		     (f->pfn_mask | _PAGE_DIRTY | _PAGE_SPECIAL | _PAGE_PSE)) |
		    vma->vm_page_prot;
	if (write && !(e & _PAGE_RW)) {
		struct page *page;

		if (!is_huge_zero(mm, e)) {
			/* do_huge_pmd_wp_page(): the page is this entry's
			 * alone (never shared, section 4): reused. */
			pte_write(f, slot,
				  e | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
			flush_tlb_mm(mm);
			return true;
		}
		/* do_huge_zero_wp_pmd(): a huge page replaces it. */
		page = thp_fault_alloc(mm, vma, addr & HPAGE_PMD_MASK);
		if (!page) {
			pte_write(f, slot, e);
			__split_huge_pmd_locked(vma, addr & HPAGE_PMD_MASK,
						slot, false);
			return false;
		}
		thp_map_new(mm, vma, slot, page);
		flush_tlb_mm(mm);
		return true;
	}
	pte_write(f, slot, e | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
	return true;
}

/* ---- splitting ---- */

/* The flags a tail takes from its head (__split_folio_to_order). */
#define SPLIT_FLAGS                                                        \
	((1UL << PG_referenced) | (1UL << PG_swapbacked) |                 \
	 (1UL << PG_mlocked) | (1UL << PG_uptodate) | (1UL << PG_active) | \
	 (1UL << PG_workingset) | (1UL << PG_unevictable) |                \
	 (1UL << PG_dirty) | (1UL << PG_lru))

/* The page half: 512 order-0 anonymous pages, each mapped once (by the
 * PTEs the caller writes), on the LRU where the head was. */
static void split_folio(struct mmk_machine *m, struct page *page, bool dirty)
{
	unsigned long i;

	if (dirty)
		page_flag_set(page, PG_dirty);
	node_add(m, page, NR_ANON_THPS, -(long)HPAGE_PMD_NR);
	/* Each tail is an anonymous page before reclaim can find it on a
	 * list. */
	for (i = 1; i < HPAGE_PMD_NR; i++) {
		__atomic_store_n(&page[i].mapping, page->mapping,
				 __ATOMIC_RELAXED);
		page[i].index = page->index + i;
		atomic_store(&page[i]._mapcount, 1);
	}
	lru_split_folio(m, page, HPAGE_PMD_ORDER, SPLIT_FLAGS);
}

/* The shared zero page's PTE in @vma: read-only, special. */
static pte_t zero_pte(const struct pt_format *f,
		      const struct vm_area_struct *vma)
{
	return mk_pte(f, page_to_pfn(mm_state()->zero_page),
		      vma->vm_page_prot | _PAGE_SPECIAL) &
	       ~_PAGE_RW;
}

/* try_to_map_unused_to_zeropage() (6.12+): after a folio split, each
 * page that holds only zeroes is unmapped and freed, the shared zero page
 * mapped in its place, unless the VMA is mlocked. */
static void map_unused_to_zero_page(struct vm_area_struct *vma, char *pt,
				    struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct pt_format *f = pt_format_of(mm);
	pte_t z = zero_pte(f, vma);
	unsigned long i;

	if ((vma->vm_flags & VM_LOCKED) || mm->machine->cfg.forbid_zero_page)
		return;
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		const unsigned char *b = page_host(mm->machine, page + i);

		if (b[0] || memcmp(b, b + 1, PAGE_SIZE - 1) != 0)
			continue;
		pte_write(f, pt + i * f->esize, z);
		page_remove_rmap(mm, page + i, false);
	}
}

void __split_huge_pmd_locked(struct vm_area_struct *vma, unsigned long haddr,
			     void *slot, bool count_page)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mmk_machine *m = mm->machine;
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot), keep;
	struct page *table = withdraw(mm);
	char *pt = page_host(m, table);
	unsigned long i, pfn = pte_pfn(f, e);

	(void)haddr;
	if (is_huge_zero(mm, e)) {
		for (i = 0; i < HPAGE_PMD_NR; i++)
			pte_write(f, pt + i * f->esize, zero_pte(f, vma));
	} else {
		struct page *page = pfn_to_page(pfn);

		/* folio_remove_rmap_pmd() in an mlocked VMA munlocks the
		 * folio, and its PTEs do not mlock a large folio again: the
		 * pages are evictable until reclaim or an mlock() finds them
		 * (Linux: Mlocked drops by 512 when a munlock or munmap
		 * splits a locked huge page). */
		if (vma_mlocked(vma))
			munlock_page(m, page);
		split_folio(m, page, e & _PAGE_DIRTY);
		keep = e & ~(f->pfn_mask | _PAGE_PSE);
		for (i = 0; i < HPAGE_PMD_NR; i++)
			pte_write(f, pt + i * f->esize,
				  mk_pte(f, pfn + i, 0) | keep);
		if (count_page) {
			count_vm_events(m, THP_SPLIT_PAGE, 1);
			map_unused_to_zero_page(vma, pt, page);
		}
	}
	pte_write(f, slot, mk_pte(f, page_to_pfn(table), _PAGE_TABLE));
	count_vm_events(m, THP_SPLIT_PMD, 1);
	flush_tlb_mm(mm);
}

struct split_args {
	unsigned long start, end;
	bool all;
};

static void split_one(struct mm_struct *mm, unsigned long addr, void *slot,
		      void *arg)
{
	struct split_args *a = arg;
	pte_t e = pte_read(pt_format_of(mm), slot);
	struct vm_area_struct *vma;

	if (!anon_huge_entry(mm, e))
		return;
	if (!a->all && addr >= a->start && addr + HPAGE_PMD_SIZE <= a->end)
		return;
	vma = find_vma(mm, addr);
	__split_huge_pmd_locked(vma, addr, slot, false);
}

void split_huge_pmd_range(struct mm_struct *mm, unsigned long start,
			  unsigned long end, bool all)
{
	struct split_args a = { start, end, all };

	if (!mm_nr_huge_pmds(mm) || start >= end)
		return;
	walk_huge(mm, start & HPAGE_PMD_MASK, end, split_one, &a);
}

static void split_at(struct vm_area_struct *vma, unsigned long addr)
{
	if (!(addr & ~HPAGE_PMD_MASK))
		return;
	split_huge_pmd_range(vma->vm_mm, addr, addr + 1, true);
}

void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, struct vm_area_struct *next)
{
	if (!mm_nr_huge_pmds(vma->vm_mm))
		return;
	split_at(vma, start);
	split_at(vma, end);
	if (next)
		split_at(next, end);
}

bool split_huge_page(struct page *page, struct mm_struct *locked_mm)
{
	/* (Reclaim's only: hugetlb pages are on no LRU.) */
	if (!PageHead(page) || !PageAnon(page))
		return true;
	if (page_mapcount(page))
		return split_huge_page_rmap(page, locked_mm);
	/* Unmapped meanwhile (its entry went while reclaim held it): kept,
	 * its putback drops the last reference and frees it whole. */
	return false;
}

/* ---- zap, mprotect, fork, mlock ---- */

static void zap_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			 void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);
	struct page *page;
	struct vm_area_struct *vma;

	(void)arg;
	if (!anon_huge_entry(mm, e))
		return;
	pte_write(f, slot, 0);
	pte_table_free(mm, withdraw(mm));
	page = thp_entry_page(mm, e);
	if (!page)
		return;
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr && vma_mlocked(vma))
		munlock_page(mm->machine, page);
	thp_remove_rmap(mm, page);
	put_page(page);
}

void zap_huge_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end)
{
	if (!mm_nr_huge_pmds(mm))
		return;
	split_huge_pmd_range(mm, start, end, false);
	walk_huge(mm, start, end, zap_huge_one, NULL);
}

static void prot_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	const struct vm_area_struct *vma = arg;
	pte_t e = pte_read(f, slot), keep;

	(void)addr;
	if (!anon_huge_entry(mm, e))
		return;
	/* pmd_modify(): pfn, dirty and accessed stay; the zero page stays
	 * read-only. */
	keep = e & (f->pfn_mask | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL);
	e = mk_pte(f, 0, vma->vm_page_prot & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) |
	    keep | _PAGE_PSE;
	if (keep & _PAGE_SPECIAL)
		e &= ~_PAGE_RW;
	pte_write(f, slot, e);
}

void change_huge_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!mm_nr_huge_pmds(mm))
		return;
	split_huge_pmd_range(mm, start, end, false);
	walk_huge(mm, start, end, prot_huge_one, vma);
}

struct move_args {
	unsigned long start, end;
	long delta;
};

static void move_check_one(struct mm_struct *mm, unsigned long addr, void *slot,
			   void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	struct move_args *a = arg;
	unsigned long to = addr + (unsigned long)a->delta;
	void *dslot;
	bool oom;

	if (!anon_huge_entry(mm, pte_read(f, slot)))
		return;
	dslot = pt_entry(mm, to, pmd_level(f), false, &oom);
	if (addr < a->start || addr + HPAGE_PMD_SIZE > a->end ||
	    (to & ~HPAGE_PMD_MASK) || (dslot && pte_read(f, dslot)))
		__split_huge_pmd_locked(find_vma(mm, addr), addr, slot, false);
}

void thp_prepare_move(struct mm_struct *mm, unsigned long old_addr,
		      unsigned long new_addr, unsigned long len)
{
	struct move_args a = { old_addr, old_addr + len,
			       (long)(new_addr - old_addr) };

	if (!mm_nr_huge_pmds(mm) || !len)
		return;
	walk_huge(mm, old_addr & HPAGE_PMD_MASK, old_addr + len, move_check_one,
		  &a);
}

/* madvise_free_huge_pmd(): the whole huge page is made clean and lazy
 * free; Linux splits one the range covers in part (split_folio). */
static void free_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);
	struct page *page = thp_entry_page(mm, e);

	(void)addr;
	(void)arg;
	if (!page)
		return;
	page_flag_clear(page, PG_dirty);
	pte_write(f, slot, e & ~(_PAGE_DIRTY | _PAGE_ACCESSED));
	folio_mark_lazyfree(mm->machine, page);
}

static void split_partial(struct mm_struct *mm, unsigned long start,
			  unsigned long end, bool count_page)
{
	unsigned long a[2] = { start, end };
	int i;

	for (i = 0; i < 2; i++) {
		unsigned long haddr = a[i] & HPAGE_PMD_MASK;
		const struct pt_format *f = pt_format_of(mm);
		bool oom;
		void *slot;

		if (!(a[i] & ~HPAGE_PMD_MASK))
			continue;
		slot = pt_entry(mm, haddr, pmd_level(f), false, &oom);
		if (slot && anon_huge_entry(mm, pte_read(f, slot)))
			__split_huge_pmd_locked(
				find_vma(mm, haddr), haddr, slot,
				count_page &&
					thp_entry_page(mm, pte_read(f, slot)));
	}
}

void madvise_free_huge_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end)
{
	if (!mm_nr_huge_pmds(mm))
		return;
	split_partial(mm, start, end, true);
	walk_huge(mm, start, end, free_huge_one, NULL);
	flush_tlb_mm(mm);
}

static void cold_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);
	struct page *page = thp_entry_page(mm, e);

	if (!page)
		return;
	if (arg) { /* PAGEOUT: reclaim takes base pages (section 4) */
		__split_huge_pmd_locked(find_vma(mm, addr), addr, slot, true);
		return;
	}
	page_flag_clear(page, PG_referenced);
	folio_deactivate(mm->machine, page);
	pte_write(f, slot, e & ~_PAGE_ACCESSED);
}

void madvise_cold_huge_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end, bool pageout)
{
	if (!mm_nr_huge_pmds(mm))
		return;
	split_partial(mm, start, end, true);
	walk_huge(mm, start, end, cold_huge_one, pageout ? mm : NULL);
	flush_tlb_mm(mm);
}

struct copy_huge_args {
	struct mm_struct *dst;
	int err;
};

/* copy_huge_pmd() of the huge zero page: the child maps it too. */
static void copy_huge_one(struct mm_struct *src, unsigned long addr, void *slot,
			  void *arg)
{
	const struct pt_format *f = pt_format_of(src);
	struct copy_huge_args *c = arg;
	pte_t e = pte_read(f, slot);
	struct page *table;
	void *dslot;
	bool oom;

	if (c->err || !is_huge_zero(src, e) || !(e & _PAGE_PSE))
		return;
	dslot = pt_entry(c->dst, addr, pmd_level(f), true, &oom);
	table = dslot ? pte_table_alloc(c->dst) : NULL;
	if (!table || !get_huge_zero_page(c->dst)) {
		if (table)
			pte_table_free(c->dst, table);
		c->err = -ENOMEM;
		return;
	}
	deposit(c->dst, table);
	pte_write(f, dslot, e & ~_PAGE_ACCESSED);
}

int copy_huge_range(struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *src_vma)
{
	struct copy_huge_args c = { dst, 0 };
	unsigned long addr;
	const struct pt_format *f = pt_format_of(src);

	if (!mm_nr_huge_pmds(src))
		return 0;
	/* Section 4: the parent's huge pages become base pages first. */
	for (addr = src_vma->vm_start & HPAGE_PMD_MASK; addr < src_vma->vm_end;
	     addr += HPAGE_PMD_SIZE) {
		bool oom;
		void *slot = pt_entry(src, addr, pmd_level(f), false, &oom);

		if (slot && thp_entry_page(src, pte_read(f, slot)))
			__split_huge_pmd_locked(src_vma, addr, slot, false);
	}
	walk_huge(src, src_vma->vm_start, src_vma->vm_end, copy_huge_one, &c);
	return c.err;
}

static void mlock_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			   void *arg)
{
	struct page *page =
		thp_entry_page(mm, pte_read(pt_format_of(mm), slot));

	(void)addr;
	if (!page)
		return;
	if (arg)
		mlock_page(mm->machine, page);
	else
		munlock_page(mm->machine, page);
}

void mlock_huge_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end, bool lock)
{
	if (!mm_nr_huge_pmds(mm))
		return;
	split_huge_pmd_range(mm, start, end, false);
	walk_huge(mm, start, end, mlock_huge_one, lock ? mm : NULL);
}

/* ---- collapse (MADV_COLLAPSE, khugepaged) ---- */

bool thp_vma_collapsible(const struct vm_area_struct *vma,
			 unsigned long vm_flags, bool forced)
{
	/* Both need the anon_vma faults made (__thp_vma_allowable_orders'
	 * last test), and the VMA's last 2 MiB must fit. */
	return vma->anon_vma &&
	       allowable(vma, vm_flags, vma->vm_start, true, forced);
}

/* A limit of khugepaged's passed: counted, and the 2 MiB is left. */
static int exceeded(struct mm_struct *mm, enum vm_event_item event)
{
	count_vm_events(mm->machine, event, 1);
	return -EINVAL;
}

/*
 * hpage_collapse_scan_pmd() (and __collapse_huge_page_isolate()'s
 * second look) of the PTE table @pt: each entry's page into @pages (NULL
 * for an empty entry or the zero page). 0, -EINVAL (a guard marker, a
 * KSM page, a limit of khugepaged's passed, or, for khugepaged, no page
 * young or referenced), -EAGAIN (a page others hold: pinned, isolated,
 * locked or in the swap cache). MADV_COLLAPSE takes any number of empty
 * entries and shared pages, and no swap entry (it swaps them in first);
 * khugepaged at most max_ptes_none, max_ptes_shared and max_ptes_swap.
 */
static int collapse_scan(struct mm_struct *mm, char *pt, struct page **pages,
			 const struct collapse_control *cc)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned int none = 0, swap = 0, shared = 0, referenced = 0;
	unsigned long i;

	for (i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t pte = pte_read(f, pt + i * f->esize);

		pages[i] = NULL;
		if (is_guard_marker(pte))
			return -EINVAL;
		if (is_swap_pte(pte)) {
			if (!cc->is_khugepaged)
				return -EINVAL;
			if (++swap > cc->max_ptes_swap)
				return exceeded(mm, THP_SCAN_EXCEED_SWAP_PTE);
			continue;
		}
		if (!pte_mapped(pte) || (pte & _PAGE_SPECIAL)) {
			if (++none > cc->max_ptes_none)
				return exceeded(mm, THP_SCAN_EXCEED_NONE_PTE);
			continue;
		}
		pages[i] = pfn_to_page(pte_pfn(f, pte));
		if (PageKsm(pages[i]))
			return -EINVAL; /* SCAN_PAGE_KSM */
		/* folio_maybe_mapped_shared() */
		if (page_mapcount(pages[i]) > 1 &&
		    ++shared > cc->max_ptes_shared)
			return exceeded(mm, THP_SCAN_EXCEED_SHARE_PTE);
		if (test_page_flag(pages[i], PG_swapcache) ||
		    page_count(pages[i]) != page_mapcount(pages[i]))
			return -EAGAIN; /* SCAN_PAGE_COUNT */
		if ((pte & _PAGE_ACCESSED) ||
		    test_page_flag(pages[i], PG_referenced))
			referenced++;
	}
	/* SCAN_LACK_REFERENCED_PAGE: khugepaged wants a page in use, and
	 * half of them young when some must be read back from swap. */
	if (cc->is_khugepaged &&
	    (!referenced || (swap && referenced < HPAGE_PMD_NR / 2)))
		return -EINVAL;
	return 0;
}

/* __collapse_huge_page_swapin(): the swapped-out pages of the PTE table
 * @pt (of @haddr) read back, as a read fault would. */
static int collapse_swapin(struct mm_struct *mm, unsigned long haddr, char *pt)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long i;

	for (i = 0; i < HPAGE_PMD_NR; i++) {
		int sig;

		if (!is_swap_pte(pte_read(f, pt + i * f->esize)))
			continue;
		sig = handle_mm_fault(mm, haddr + i * PAGE_SIZE, false);
		if (sig)
			return sig == MMK_SIGKILL ? -ENOMEM : -EINVAL;
	}
	return 0;
}

int thp_collapse_pmd(struct mm_struct *mm, struct vm_area_struct *vma,
		     unsigned long haddr, const struct collapse_control *cc,
		     bool *tried)
{
	const struct pt_format *f = pt_format_of(mm);
	struct page *pages[HPAGE_PMD_NR], *table, *huge;
	unsigned long i;
	bool oom;
	void *pmd = pt_entry(mm, haddr, pmd_level(f), false, &oom);
	pte_t e = pmd ? pte_read(f, pmd) : 0;
	char *pt;
	int err;

	if (!e)
		return -EINVAL; /* SCAN_PMD_NULL */
	if (e & _PAGE_PSE)
		return -EEXIST; /* SCAN_PMD_MAPPED */
	table = pfn_to_page(pte_pfn(f, e));
	pt = page_host(mm->machine, table);
	/* MADV_COLLAPSE reads swapped-out pages back before its scan;
	 * khugepaged's scan counts them, and reads them back once it has
	 * its huge page. */
	err = cc->is_khugepaged ? 0 : collapse_swapin(mm, haddr, pt);
	if (!err)
		err = collapse_scan(mm, pt, pages, cc);
	if (err)
		return err;
	*tried = true;
	if (anon_vma_prepare(vma))
		return -ENOMEM;
	huge = thp_alloc(mm, vma, haddr, cc->gfp);
	count_vm_events(mm->machine,
			huge ? THP_COLLAPSE_ALLOC : THP_COLLAPSE_ALLOC_FAILED,
			1);
	if (!huge)
		return -ENOMEM; /* SCAN_ALLOC_HUGE_PAGE_FAIL */
	err = cc->is_khugepaged ? collapse_swapin(mm, haddr, pt) : 0;
	if (!err)
		err = collapse_scan(mm, pt, pages, cc);
	if (err) {
		put_page(huge); /* frees it as an anonymous page */
		return err == -EINVAL ? -EAGAIN : err;
	}
	for (i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t pte = pte_read(f, pt + i * f->esize);

		pte_write(f, pt + i * f->esize, 0);
		if (!pages[i])
			continue;
		copy_user_racy(page_host(mm->machine, huge + i),
			       page_host(mm->machine, pages[i]), PAGE_SIZE);
		if (vma_mlocked(vma))
			munlock_page(mm->machine, pages[i]);
		page_remove_rmap(mm, pages[i], pte & _PAGE_DIRTY);
	}
	pte_write(f, pmd, 0);
	deposit(mm, table);
	thp_map_new(mm, vma, pmd, huge);
	flush_tlb_mm(mm);
	return 0;
}

int madvise_collapse(struct mm_struct *mm, struct vm_area_struct *vma,
		     unsigned long start, unsigned long end)
{
	/* No limits; the allocation tries hard (defrag always). */
	static const struct collapse_control cc = {
		.is_khugepaged = false,
		.max_ptes_none = HPAGE_PMD_NR,
		.max_ptes_swap = HPAGE_PMD_NR,
		.max_ptes_shared = HPAGE_PMD_NR,
		.gfp = GFP_TRANSHUGE,
	};
	unsigned long haddr,
		hstart = (start + HPAGE_PMD_SIZE - 1) & HPAGE_PMD_MASK;
	unsigned long hend = end & HPAGE_PMD_MASK;
	int err, last = 0;
	bool tried;

	if (!thp_vma_collapsible(vma, vma->vm_flags, true))
		return -EINVAL;
	/* A range inside one 2 MiB that does not start it: Linux's count of
	 * huge pages to make, (hend - hstart) >> HPAGE_PMD_SHIFT, wraps and
	 * is never reached (EINVAL); one that starts it has none (0). */
	if (hstart > hend)
		return -EINVAL;
	for (haddr = hstart; haddr < hend; haddr += HPAGE_PMD_SIZE) {
		err = thp_collapse_pmd(mm, vma, haddr, &cc, &tried);
		if (err == -EEXIST) /* a huge page already */
			err = 0;
		/* Out of memory ends it (madvise_collapse_errno). */
		if (err == -ENOMEM)
			return err;
		if (err)
			last = err;
	}
	return last;
}

/* ---- smaps ---- */

static void smaps_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			   void *arg)
{
	struct mem_size_stats *mss = arg;
	pte_t e = pte_read(pt_format_of(mm), slot);
	struct page *page = thp_entry_page(mm, e);
	bool dirty;

	(void)addr;
	if (!page)
		return;
	dirty = (e & _PAGE_DIRTY) || test_page_flag(page, PG_dirty);
	mss->resident += HPAGE_PMD_SIZE;
	mss->anonymous += HPAGE_PMD_SIZE;
	mss->anonymous_thp += HPAGE_PMD_SIZE;
	if ((e & _PAGE_ACCESSED) || test_page_flag(page, PG_referenced))
		mss->referenced += HPAGE_PMD_SIZE;
	if (!test_page_flag(page, PG_swapbacked) && !dirty)
		mss->lazyfree += HPAGE_PMD_SIZE;
	mss->pss += (unsigned long long)HPAGE_PMD_SIZE << PSS_SHIFT;
	if (dirty) {
		mss->pss_dirty += (unsigned long long)HPAGE_PMD_SIZE
				  << PSS_SHIFT;
		mss->private_dirty += HPAGE_PMD_SIZE;
	} else {
		mss->private_clean += HPAGE_PMD_SIZE;
	}
}

void smaps_huge_range(struct vm_area_struct *vma, struct mem_size_stats *mss)
{
	if (mm_nr_huge_pmds(vma->vm_mm))
		walk_huge(vma->vm_mm, vma->vm_start, vma->vm_end,
			  smaps_huge_one, mss);
}

/* ---- sysfs and prctl ---- */

static void show_choice(struct seq_file *s, const char *const *names, int n,
			int cur)
{
	int i;

	for (i = 0; i < n; i++)
		seq_printf(s, i == cur ? "%s[%s]" : "%s%s", i ? " " : "",
			   names[i]);
	seq_puts(s, "\n");
}

int thp_sysfs_show(struct seq_file *s, struct mmk_machine *m, const char *name)
{
	struct mm_state *ms = m->mm;

	if (!m->arch->thp || !ms)
		return -ENOENT;
	if (!strncmp(name, "khugepaged/", 11))
		return khugepaged_sysfs_show(s, m, name + 11);
	if (!strcmp(name, "enabled"))
		show_choice(s, enabled_names, 3, atomic_load(&ms->thp_enabled));
	else if (!strcmp(name, "defrag"))
		show_choice(s, defrag_names, 5, atomic_load(&ms->thp_defrag));
	else if (!strcmp(name, "use_zero_page"))
		seq_printf(s, "%d\n", atomic_load(&ms->thp_use_zero_page));
	else if (!strcmp(name, "hpage_pmd_size"))
		seq_printf(s, "%lu\n", HPAGE_PMD_SIZE);
	else
		return -ENOENT;
	return 0;
}

static int choice_of(const char *const *names, int n, const char *value)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(value, names[i]))
			return i;
	return -1;
}

int thp_knob_ulong(const char *value, unsigned long *v)
{
	const char *c = value;

	/* kstrtoul(, 10): decimal digits, with no overflow. */
	if (!*c)
		return -EINVAL;
	for (*v = 0; *c; c++) {
		if (*c < '0' || *c > '9' || *v > (~0UL - 9) / 10)
			return -EINVAL;
		*v = *v * 10 + (unsigned long)(*c - '0');
	}
	return 0;
}

int mmk_thp_set(const char *name, const char *value)
{
	struct mmk_machine *m = mmk_cur();
	unsigned long ul;
	int v;

	if (!m || !m->mm || !name || !value)
		return -EINVAL;
	if (!m->arch->thp)
		return -ENOENT;
	if (!strncmp(name, "khugepaged/", 11))
		return khugepaged_sysfs_store(m, name + 11, value);
	if (!strcmp(name, "enabled")) {
		v = choice_of(enabled_names, 3, value);
		if (v < 0)
			return -EINVAL;
		atomic_store(&m->mm->thp_enabled, v);
	} else if (!strcmp(name, "defrag")) {
		v = choice_of(defrag_names, 5, value);
		if (v < 0)
			return -EINVAL;
		atomic_store(&m->mm->thp_defrag, v);
	} else if (!strcmp(name, "use_zero_page")) {
		/* Any nonzero number sets it. */
		if (thp_knob_ulong(value, &ul))
			return -EINVAL;
		atomic_store(&m->mm->thp_use_zero_page, ul != 0);
	} else if (!strcmp(name, "hpage_pmd_size")) {
		return -EACCES;
	} else {
		return -ENOENT;
	}
	return 0;
}

long thp_prctl(struct mm_struct *mm, int option, unsigned long arg2,
	       unsigned long arg3, unsigned long arg4, unsigned long arg5)
{
	if (option == PR_GET_THP_DISABLE) {
		if (arg2 || arg3 || arg4 || arg5)
			return -EINVAL;
		if (mm->thp_disable & MMF_DISABLE_THP_COMPLETELY)
			return 1;
		if (mm->thp_disable & MMF_DISABLE_THP_EXCEPT_ADVISED)
			return 3;
		return 0;
	}
	if (arg4 || arg5)
		return -EINVAL;
	if ((!arg2 && arg3) || (arg3 & ~PR_THP_DISABLE_EXCEPT_ADVISED))
		return -EINVAL;
	mm->thp_disable &= (unsigned char)~(MMF_DISABLE_THP_COMPLETELY |
					    MMF_DISABLE_THP_EXCEPT_ADVISED);
	if (arg2)
		mm->thp_disable |= arg3 ? MMF_DISABLE_THP_EXCEPT_ADVISED :
					  MMF_DISABLE_THP_COMPLETELY;
	return 0;
}

/* ---- the verifier ---- */

struct thp_verify_args {
	unsigned long entries, thps;
	unsigned long bad_addr;
	bool bad;
};

static void verify_huge_one(struct mm_struct *mm, unsigned long addr,
			    void *slot, void *arg)
{
	struct thp_verify_args *v = arg;
	pte_t e = pte_read(pt_format_of(mm), slot);
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct page *page;

	if (!anon_huge_entry(mm, e) || v->bad)
		return;
	v->entries++;
	page = thp_entry_page(mm, e);
	if (!vma || vma->vm_start > addr ||
	    addr + HPAGE_PMD_SIZE > vma->vm_end || !vma_is_anonymous(vma) ||
	    is_vm_hugetlb_page(vma))
		goto bad;
	if (!page)
		return;
	v->thps++;
	if (compound_order(page) != HPAGE_PMD_ORDER || !PageAnon(page) ||
	    page_mapcount(page) != 1 || atomic_load(&page[1]._mapcount) != 1 ||
	    page_ref_count(page) < 1 ||
	    page->index != linear_page_index(vma, addr))
		goto bad;
	return;
bad:
	v->bad = true;
	v->bad_addr = addr;
}

bool thp_verify(struct mm_struct *mm, long *anon_pages, char *why, size_t len)
{
	struct thp_verify_args v = { 0 };
	unsigned long chain = 0;
	struct page *t;

	*anon_pages = 0;
	if (!mm->machine->arch->thp)
		return true;
	for (t = mm->pgd ? (struct page *)mm->pgd->private : NULL; t;
	     t = (struct page *)t->private)
		chain++;
	walk_huge(mm, 0, mm->task_size, verify_huge_one, &v);
	if (v.bad)
		return verify_fail(why, len,
				   "pid %d: the huge entry at %#lx maps no "
				   "huge page of its anonymous VMA",
				   mm->owner ? mm->owner->pid : 0, v.bad_addr);
	if (chain != mm_nr_huge_pmds(mm) || v.entries != mm_nr_huge_pmds(mm))
		return verify_fail(
			why, len,
			"pid %d: %lu huge entries, nr_huge_pmds %lu, "
			"%lu deposited tables",
			mm->owner ? mm->owner->pid : 0, v.entries,
			mm_nr_huge_pmds(mm), chain);
	*anon_pages = (long)(v.thps * HPAGE_PMD_NR);
	return true;
}
