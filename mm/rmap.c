/* SPDX-License-Identifier: MIT */
/*
 * Reverse mapping: which VMAs map a page (Linux's mm/rmap.c).
 *
 * 1. What it models.
 *    - anon_vma: a private anonymous VMA gets one at its first write
 *      fault (anon_vma_prepare), reusing the next or the previous VMA's if
 *      that one could have merged but for its protection
 *      (find_mergeable_anon_vma); splits and copies share it
 *      (anon_vma_clone copies the whole chain); fork gives the child VMA
 *      the parent's chain plus a new anon_vma of its own whose parent is
 *      the parent VMA's (anon_vma_fork). An anonymous page points at the
 *      anon_vma of the VMA it was created in (page->mapping, bit 0 set),
 *      so the VMAs on that anon_vma's list are all its possible mappers,
 *      in every process that forked from its creator.
 *    - i_mmap: the VMAs mapping a file, on the file's list.
 *    - rmap_walk finds a page's mappings through either; page_referenced
 *      counts (and clears) young entries, try_to_unmap removes the
 *      entries of page-cache pages; reclaim's try-lock walks
 *      (page_referenced_reclaim, try_to_unmap_reclaim) also turn an
 *      anonymous page's entries into swap entries.
 *    Whether two VMAs share an anon_vma decides whether they may merge
 *    (mm/vma.c), which is why the chains' lengths matter to maps.
 *
 * 2. Objects. anon_vma and anon_vma_chain (kmem_caches "anon_vma" and
 *    "anon_vma_chain"); refcount = chains on the list + child anon_vmas.
 *
 * 3. Invariants (rmap_verify). A VMA has an anon_vma iff it has a chain,
 *    and its own anon_vma is on it; every anonymous page mapped in a VMA
 *    belongs to an anon_vma on that VMA's chain.
 *
 * 4. Departures. KSM pages (mm/ksm.c: mapping = stable node, both low
 *    bits set) are not walked: their mappers count as busy (reclaim's
 *    walks as contended) and migration's lock-all walk refuses them, so
 *    they are neither reclaimed nor migrated (Linux's rmap_walk_ksm);
 *    rmap_verify checks a mapped KSM page has its live node
 *    (ksm_mapping_reachable). Fork does not reuse idle anon_vmas (Linux's
 *    num_children < 2 optimisation for long fork chains). A walk reads a
 *    mapper's page tables under that process's mmap lock (Linux: its
 *    page-table lock), which it only tries to take, holding the rmap or
 *    file lock: a busy process's mappings are skipped. Reclaim counts
 *    that as contended (Linux's try_lock walks); truncation
 *    (mm/filemap.c) drops everything, takes the busy process's lock
 *    first and walks again, so that no mapping outlives a punched hole.
 *    Migration (mm/migrate.c) has no migration entries: its walk
 *    (rmap_lock_mappers) try-locks every mapper's mmap lock and holds
 *    them all, with the rmap or file lock, while it switches the
 *    entries to the new page (rmap_move_mappings); one busy lock
 *    releases them all.
 *
 * 5. Ordering. mm_state.anon_vma_lock protects every chain and i_mmap
 *    list (Linux's anon_vma root lock and i_mmap_rwsem); it nests inside
 *    the mmap lock. A walk holds it and try-locks each mapper's mmap lock
 *    (migration's keeps them all until it is done, each mm locked once:
 *    at the first of its VMAs on the list).
 *
 * 6. Observability. Merging in /proc/PID/maps; `check`.
 */
#include "mm/huge_mm.h"
#include "mm/pgtable.h"

#include <mmkit/slab.h>

static void rmap_lock(void)
{
	pthread_mutex_lock(&mm_state()->anon_vma_lock);
}

static void rmap_unlock(void)
{
	pthread_mutex_unlock(&mm_state()->anon_vma_lock);
}

static struct anon_vma *anon_vma_alloc(struct anon_vma *parent)
{
	struct anon_vma *av =
		kmem_cache_zalloc(mm_state()->anon_vma_cachep, GFP_KERNEL);

	if (!av)
		return NULL;
	av->id = atomic_fetch_add(&mm_state()->next_anon_vma_id, 1) + 1;
	INIT_LIST_HEAD(&av->head);
	av->parent = parent;
	if (parent) {
		atomic_fetch_add(&parent->refcount, 1);
		atomic_fetch_add(&parent->num_children, 1);
	}
	return av;
}

void get_anon_vma(struct anon_vma *av)
{
	atomic_fetch_add(&av->refcount, 1);
}

/* Drop a reference; the last one frees @av (and may free its parent). */
void put_anon_vma(struct anon_vma *av)
{
	while (av && atomic_fetch_sub(&av->refcount, 1) == 1) {
		struct anon_vma *parent = av->parent;

		if (parent)
			atomic_fetch_sub(&parent->num_children, 1);
		kmem_cache_free(mm_state()->anon_vma_cachep, av);
		av = parent;
	}
}

/* Link @vma and @av with the preallocated @avc (anon_vma_chain_link). */
static void chain_link(struct vm_area_struct *vma, struct anon_vma *av,
		       struct anon_vma_chain *avc)
{
	avc->vma = vma;
	avc->anon_vma = av;
	atomic_fetch_add(&av->refcount, 1);
	list_add_tail(&avc->same_vma, &vma->anon_vma_chain);
	list_add_tail(&avc->same_anon_vma, &av->head);
	vma->anon_vma_chain_len++;
}

static struct anon_vma_chain *avc_alloc(void)
{
	return kmem_cache_alloc(mm_state()->avc_cachep, GFP_KERNEL);
}

static void avc_free(struct anon_vma_chain *avc)
{
	kmem_cache_free(mm_state()->avc_cachep, avc);
}

void vma_rmap_init(struct vm_area_struct *vma)
{
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->i_mmap);
	vma->anon_vma_chain_len = 0;
}

/*
 * May @a reuse @b's anon_vma? They are adjacent, with the same file and
 * flags but for protection and those merges ignore (soft-dirty, sticky),
 * and contiguous pgoff (anon_vma_compatible), and @old's anon_vma is its
 * own (a singular chain).
 */
static struct anon_vma *reusable_anon_vma(const struct vm_area_struct *old,
					  const struct vm_area_struct *a,
					  const struct vm_area_struct *b)
{
	unsigned long ignore = VM_ACCESS_FLAGS | VM_IGNORE_MERGE;

	if (!old || !old->anon_vma || old->anon_vma_chain_len != 1)
		return NULL;
	if (a->vm_end != b->vm_start || a->vm_file != b->vm_file ||
	    ((a->vm_flags ^ b->vm_flags) & ~ignore) ||
	    !mpol_equal(&a->vm_policy, &b->vm_policy) ||
	    b->vm_pgoff != a->vm_pgoff + vma_pages(a))
		return NULL;
	return old->anon_vma;
}

/* @av becomes @vma's own anon_vma, linked through @avc. */
static void set_own_anon_vma(struct vm_area_struct *vma, struct anon_vma *av,
			     struct anon_vma_chain *avc)
{
	rmap_lock();
	chain_link(vma, av, avc);
	vma->anon_vma = av;
	atomic_fetch_add(&av->num_active_vmas, 1);
	rmap_unlock();
}

unsigned long anon_vma_root_mapping(const struct vm_area_struct *vma)
{
	const struct anon_vma *av = vma->anon_vma;

	while (av->parent)
		av = av->parent;
	return (unsigned long)av | PAGE_MAPPING_ANON;
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av = NULL;

	if (vma->anon_vma)
		return 0;
	avc = avc_alloc();
	if (!avc)
		return -ENOMEM;
	/* find_mergeable_anon_vma: the next VMA first, then the previous. */
	if (vma->vm_next)
		av = reusable_anon_vma(vma->vm_next, vma, vma->vm_next);
	if (!av && vma->vm_prev)
		av = reusable_anon_vma(vma->vm_prev, vma->vm_prev, vma);
	if (!av) {
		av = anon_vma_alloc(NULL);
		if (!av) {
			avc_free(avc);
			return -ENOMEM;
		}
	}
	set_own_anon_vma(vma, av, avc);
	return 0;
}

int anon_vma_clone(struct vm_area_struct *dst, const struct vm_area_struct *src)
{
	struct anon_vma_chain *pavc, *avc;
	int n = 0, i;
	struct anon_vma_chain **avcs;

	if (!src->anon_vma)
		return 0;
	list_for_each_entry(pavc, &src->anon_vma_chain, same_vma)
		n++;
	avcs = kmalloc_array((size_t)n, sizeof(struct anon_vma_chain *),
			     GFP_KERNEL);
	if (!avcs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		avcs[i] = avc_alloc();
		if (!avcs[i]) {
			while (i--)
				avc_free(avcs[i]);
			kfree(avcs);
			return -ENOMEM;
		}
	}
	rmap_lock();
	i = 0;
	list_for_each_entry(pavc, &src->anon_vma_chain, same_vma) {
		avc = avcs[i++];
		chain_link(dst, pavc->anon_vma, avc);
	}
	dst->anon_vma = src->anon_vma;
	atomic_fetch_add(&dst->anon_vma->num_active_vmas, 1);
	rmap_unlock();
	kfree(avcs);
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	struct anon_vma *own = vma->anon_vma;

	if (list_empty(&vma->anon_vma_chain))
		return;
	rmap_lock();
	/* Before the references go: they may free @own. */
	if (own)
		atomic_fetch_sub(&own->num_active_vmas, 1);
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		list_del(&avc->same_vma);
		list_del(&avc->same_anon_vma);
		put_anon_vma(avc->anon_vma);
		avc_free(avc);
	}
	vma->anon_vma = NULL;
	vma->anon_vma_chain_len = 0;
	rmap_unlock();
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *av;

	vma->anon_vma = NULL;
	if (!pvma->anon_vma)
		return 0;
	/* The parent's chain first, then an anon_vma of the child's own. */
	if (anon_vma_clone(vma, pvma))
		return -ENOMEM;
	atomic_fetch_sub(&pvma->anon_vma->num_active_vmas, 1);
	vma->anon_vma = NULL;
	avc = avc_alloc();
	av = avc ? anon_vma_alloc(pvma->anon_vma) : NULL;
	if (!av) {
		if (avc)
			avc_free(avc);
		unlink_anon_vmas(vma);
		return -ENOMEM;
	}
	set_own_anon_vma(vma, av, avc);
	return 0;
}

/* ---- i_mmap ---- */

void vma_file_link(struct vm_area_struct *vma)
{
	struct file *f = vma->vm_file;

	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	list_add_tail(&vma->i_mmap, &f->i_mmap);
	/* __vma_link_file(): mapping_allow_writable(). */
	if (vma_is_shared_maywrite(vma))
		atomic_fetch_add(&f->i_mmap_writable, 1);
	pthread_mutex_unlock(&f->lock);
}

void vma_file_unlink(struct vm_area_struct *vma)
{
	struct file *f = vma->vm_file;

	if (!f)
		return;
	/* Neighbours on the list belong to other processes: look under
	 * the lock. */
	pthread_mutex_lock(&f->lock);
	if (!list_empty(&vma->i_mmap)) {
		list_del(&vma->i_mmap);
		INIT_LIST_HEAD(&vma->i_mmap);
		if (vma_is_shared_maywrite(vma))
			mapping_unmap_writable(f);
	}
	pthread_mutex_unlock(&f->lock);
}

/* ---- walks ---- */

/* Where @page would be in @vma, or 0 if outside it (vma_address). */
static unsigned long vma_address(const struct page *page,
				 const struct vm_area_struct *vma)
{
	unsigned long off;

	if (page->index < vma->vm_pgoff)
		return 0;
	off = (page->index - vma->vm_pgoff) << PAGE_SHIFT;
	if (off >= vma->vm_end - vma->vm_start)
		return 0;
	return vma->vm_start + off;
}

struct rmap_ctl {
	/* Called for each entry mapping the page; false stops the walk. */
	bool (*one)(struct vm_area_struct *vma, unsigned long addr, void *slot,
		    void *arg);
	void *arg;
	int busy; /* mappers skipped because their mm was busy */
	struct mm_struct *locked_mm; /* the caller holds this one's lock */
	/* Reclaim's walks (rwc->try_lock): the rmap lock and the file's
	 * lock are tried too; a busy one ends the walk as contended. */
	bool try_lock;
	bool contended;
	/* If set: the first busy mapper that is not exiting, with a
	 * reference (mmget_not_zero), for a caller that waits for it. */
	struct mm_struct **busy_mm;
};

/* Visit @vma's entry for @page, if it maps it. */
static bool rmap_one(struct page *page, struct vm_area_struct *vma,
		     struct rmap_ctl *ctl)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct pt_format *f = pt_format_of(mm);
	unsigned long addr;
	bool go_on = true;
	void *slot;
	pte_t e;

	/* The VMA's range changes under its mm's lock: take it first. */
	if (mm != ctl->locked_mm && pthread_mutex_trylock(&mm->mmap_lock)) {
		ctl->busy++;
		if (ctl->busy_mm && !*ctl->busy_mm && mmget_not_zero(mm))
			*ctl->busy_mm = mm;
		return true;
	}
	addr = vma_address(page, vma);
	if (!addr) {
		if (mm != ctl->locked_mm)
			pthread_mutex_unlock(&mm->mmap_lock);
		return true;
	}
	slot = pte_offset(mm, addr, false);
	e = slot ? pte_read(f, slot) : 0;
	if (pte_mapped(e) && !(e & _PAGE_SPECIAL) &&
	    pte_pfn(f, e) == page_to_pfn(page))
		go_on = ctl->one(vma, addr, slot, ctl->arg);
	if (mm != ctl->locked_mm)
		pthread_mutex_unlock(&mm->mmap_lock);
	return go_on;
}

static void rmap_walk(struct page *page, struct rmap_ctl *ctl)
{
	unsigned long mapping = (unsigned long)page_mapping_once(page);

	if ((mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_FLAGS) {
		/* A KSM page: no walk (mm/ksm.c, section 4). Its mappers
		 * count as busy, a reclaim walk as contended. */
		ctl->busy++;
		ctl->contended = ctl->try_lock;
	} else if (mapping & PAGE_MAPPING_ANON) {
		struct anon_vma_chain *avc;
		struct anon_vma *av;

		if (ctl->try_lock) {
			if (pthread_mutex_trylock(&mm_state()->anon_vma_lock)) {
				ctl->contended = true;
				return;
			}
		} else {
			rmap_lock();
		}
		/* Read again under the lock, as a write fault's reuse may
		 * have moved the page meanwhile. An unmapped page's anon_vma
		 * may be gone already (nothing holds it for the page: the
		 * VMAs' chains do, and they are unlinked under this lock). */
		mapping = (unsigned long)page_mapping_once(page);
		av = (struct anon_vma *)(mapping & ~PAGE_MAPPING_ANON);
		if (page_mapcount(page))
			list_for_each_entry(avc, &av->head, same_anon_vma)
				if (!rmap_one(page, avc->vma, ctl))
					break;
		rmap_unlock();
	} else if (mapping) {
		struct file *f = (struct file *)mapping;
		struct vm_area_struct *vma;

		if (!ctl->try_lock) {
			pthread_mutex_lock(&f->lock);
		} else if (pthread_mutex_trylock(&f->lock)) {
			ctl->contended = true;
			return;
		}
		list_for_each_entry(vma, &f->i_mmap, i_mmap)
			if (!rmap_one(page, vma, ctl))
				break;
		pthread_mutex_unlock(&f->lock);
	}
}

static bool referenced_one(struct vm_area_struct *vma, unsigned long addr,
			   void *slot, void *arg)
{
	const struct pt_format *f = pt_format_of(vma->vm_mm);
	pte_t e = pte_read(f, slot);
	int *referenced = arg;

	(void)addr;
	/* invalid_folio_referenced_vma(): a mapping without recency is not
	 * asked (its accessed bit stays). */
	if (!vma_has_recency(vma))
		return true;
	if (e & _PAGE_ACCESSED) {
		pte_write(f, slot, e & ~_PAGE_ACCESSED);
		flush_tlb_mm(vma->vm_mm);
		++*referenced;
	}
	return true;
}

static bool mkclean_one(struct vm_area_struct *vma, unsigned long addr,
			void *slot, void *arg)
{
	const struct pt_format *f = pt_format_of(vma->vm_mm);
	pte_t e = pte_read(f, slot);

	(void)addr;
	(void)arg;
	if (e & (_PAGE_RW | _PAGE_DIRTY)) {
		pte_write(f, slot, e & ~(pte_t)(_PAGE_RW | _PAGE_DIRTY));
		flush_tlb_mm(vma->vm_mm);
	}
	return true;
}

bool page_mkclean(struct page *page, struct mm_struct *locked_mm)
{
	struct rmap_ctl ctl = { .one = mkclean_one, .locked_mm = locked_mm };

	rmap_walk(page, &ctl);
	return !ctl.busy;
}

int page_referenced(struct page *page)
{
	int referenced = 0;
	struct rmap_ctl ctl = { .one = referenced_one, .arg = &referenced };

	rmap_walk(page, &ctl);
	return referenced;
}

struct referenced_args {
	int referenced;
	unsigned long vm_flags;
	struct page *page;
};

/*
 * "Restore the mlock which got missed" (folio_referenced_one,
 * try_to_unmap_one): reclaim holds, isolated, a page an mlocked VMA maps
 * but that is not mlocked (a page swapped in there: see do_swap_page in
 * mm/memory.c). It is mlocked now, and goes back to the LRU unevictable
 * (putback_lru_page). A page still on a list is left to its own
 * mlock_count.
 */
static void restore_mlock(struct vm_area_struct *vma, struct page *page)
{
	if (vma_mlocked(vma) && !test_page_flag(page, PG_lru))
		mlock_page(mmk_cur(), page);
}

static bool referenced_flags_one(struct vm_area_struct *vma, unsigned long addr,
				 void *slot, void *arg)
{
	struct referenced_args *r = arg;
	int before = r->referenced;

	/* folio_referenced_one(): an mlocked VMA ends the walk (one
	 * without recency is passed over before), mlocking the page if
	 * it was not (restore_mlock). */
	if (!vma_has_recency(vma))
		return true;
	if (vma->vm_flags & VM_LOCKED) {
		restore_mlock(vma, r->page);
		r->vm_flags |= VM_LOCKED;
		return false;
	}
	referenced_one(vma, addr, slot, &r->referenced);
	if (r->referenced != before)
		r->vm_flags |= vma->vm_flags;
	return true;
}

int page_referenced_reclaim(struct page *page, struct mm_struct *locked_mm,
			    unsigned long *vm_flags)
{
	struct referenced_args r = { 0, 0, page };
	struct rmap_ctl ctl = { .one = referenced_flags_one,
				.arg = &r,
				.locked_mm = locked_mm,
				.try_lock = true };

	rmap_walk(page, &ctl);
	*vm_flags = r.vm_flags;
	/* A contended walk counts as referenced: the page is kept. */
	return ctl.contended ? 1 : r.referenced;
}

/*
 * try_to_unmap_one() for reclaim: a swap-backed anonymous page's entries
 * become swap entries of its swap-cache slot @u->swp; a lazy-free page's entries go, unless it
 * was written since (then it is swap-backed again and the walk stops);
 * a file page's entries go, their dirty bits passed to the page. An
 * mlocked VMA stops the walk.
 */
static bool reclaim_unmap_one(struct vm_area_struct *vma, unsigned long addr,
			      void *slot, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct pt_format *f = pt_format_of(mm);
	struct reclaim_unmap *u = arg;
	struct page *page = u->page;
	pte_t e = pte_read(f, slot);

	(void)addr;
	if (vma->vm_flags & VM_LOCKED) {
		restore_mlock(vma, page);
		u->mlocked = true;
		return false;
	}
	if (PageAnon(page) && !test_page_flag(page, PG_swapbacked)) {
		if ((e & _PAGE_DIRTY) || test_page_flag(page, PG_dirty)) {
			page_flag_set(page, PG_dirty);
			page_flag_set(page, PG_swapbacked);
			u->redirtied = true;
			return false;
		}
		pte_write(f, slot, 0);
	} else if (PageAnon(page)) {
		/* The page is in the swap cache under @u->swp: each entry
		 * becomes a reference to the slot. */
		swap_duplicate(u->swp);
		u->nr_entries++;
		pte_write(f, slot, swp_entry_to_pte(u->swp));
		atomic_fetch_add(&mm->rss_stat[MM_SWAPENTS], 1);
	} else {
		pte_write(f, slot, 0);
	}
	flush_tlb_mm(mm);
	page_remove_rmap(mm, page, e & _PAGE_DIRTY);
	return true;
}

bool try_to_unmap_reclaim(struct reclaim_unmap *u, struct mm_struct *locked_mm)
{
	struct rmap_ctl ctl = { .one = reclaim_unmap_one,
				.arg = u,
				.locked_mm = locked_mm,
				.try_lock = true };

	rmap_walk(u->page, &ctl);
	return !ctl.busy && !ctl.contended && !u->mlocked && !u->redirtied &&
	       page_mapcount(u->page) == 0;
}

static bool unmap_one(struct vm_area_struct *vma, unsigned long addr,
		      void *slot, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);
	struct page *page = arg;

	(void)addr;
	pte_write(f, slot, 0);
	flush_tlb_mm(mm);
	if (vma_mlocked(vma))
		munlock_page(mmk_cur(), page);
	page_remove_rmap(mm, page, e & _PAGE_DIRTY);
	return true;
}

int try_to_unmap_busy(struct page *page, struct mm_struct *locked_mm,
		      struct mm_struct **busy)
{
	struct rmap_ctl ctl = { .one = unmap_one,
				.arg = page,
				.locked_mm = locked_mm,
				.busy_mm = busy };

	if (busy)
		*busy = NULL;
	if (PageAnon(page))
		return -1; /* needs a swap entry */
	rmap_walk(page, &ctl);
	return ctl.busy;
}

bool try_to_unmap(struct page *page)
{
	return try_to_unmap_busy(page, NULL, NULL) == 0 &&
	       page_mapcount(page) == 0;
}

/* Under the mapper's lock: still its huge entry (a fork may have split
 * it since the caller looked)? */
static bool split_one(struct vm_area_struct *vma, unsigned long addr,
		      void *slot, void *arg)
{
	const struct pt_format *f = pt_format_of(vma->vm_mm);

	if ((pte_read(f, slot) & _PAGE_PSE) && PageHead((struct page *)arg))
		__split_huge_pmd_locked(vma, addr & HPAGE_PMD_MASK, slot, true);
	return false;
}

bool split_huge_page_rmap(struct page *page, struct mm_struct *locked_mm)
{
	struct rmap_ctl ctl = { .one = split_one,
				.arg = page,
				.locked_mm = locked_mm };

	rmap_walk(page, &ctl);
	return !PageHead(page);
}

/* ---- migration: every mapper locked at once ---- */

/*
 * The VMA of list entry @pos of a page's mappers: an anon_vma's chain
 * (anon) or a file's i_mmap list.
 */
static struct vm_area_struct *mapper_vma(const struct list_head *pos, bool anon)
{
	if (anon)
		return list_entry(pos, struct anon_vma_chain, same_anon_vma)
			->vma;
	return list_entry(pos, struct vm_area_struct, i_mmap);
}

/* Stamps of the lock-all walks: each locked mm carries its walk's, so
 * that an mm with several VMAs on the list is locked (and unlocked)
 * once, without a search of the entries before it. Only the holder of
 * the mm's mmap lock writes it; another walk reads it before trying the
 * lock, and can never find its own stamp there. */
static atomic_ulong rmap_stamp_seq;

/* Unlock the mmap locks the walk took for the entries before @end. */
static void unlock_mappers_before(const struct rmap_mappers *r,
				  const struct list_head *end)
{
	const struct list_head *p;

	for (p = r->head->next; p != end; p = p->next) {
		struct mm_struct *mm = mapper_vma(p, r->anon)->vm_mm;

		if (mm == r->locked_mm ||
		    atomic_load_explicit(&mm->rmap_lock_stamp,
					 memory_order_relaxed) != r->stamp)
			continue;
		atomic_store_explicit(&mm->rmap_lock_stamp, 0,
				      memory_order_relaxed);
		pthread_mutex_unlock(&mm->mmap_lock);
	}
}

static void rmap_mappers_unlock_list(const struct rmap_mappers *r)
{
	if (r->anon)
		rmap_unlock();
	else
		pthread_mutex_unlock(&r->file->lock);
}

int rmap_lock_mappers(struct page *page, struct mm_struct *locked_mm,
		      struct rmap_mappers *r)
{
	unsigned long mapping = (unsigned long)page_mapping_once(page);
	struct list_head *pos;

	r->locked_mm = locked_mm;
	/* KSM pages are not migrated (mm/ksm.c, section 4). */
	if ((mapping & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_FLAGS)
		return -EAGAIN;
	r->anon = mapping & PAGE_MAPPING_ANON;
	r->file = NULL;
	r->head = NULL;
	if (r->anon) {
		if (pthread_mutex_trylock(&mm_state()->anon_vma_lock))
			return -EAGAIN;
		/* Unmapped, its anon_vma may be gone: nothing maps it, and
		 * nothing can while the caller holds the only reference but
		 * the caches' (a swap-cache lookup takes one first). */
		mapping = (unsigned long)page_mapping_once(page);
		if (page_mapcount(page))
			r->head = &((struct anon_vma *)(mapping &
							~PAGE_MAPPING_ANON))
					   ->head;
	} else {
		r->file = (struct file *)mapping;
		if (!r->file || pthread_mutex_trylock(&r->file->lock))
			return -EAGAIN;
		r->head = &r->file->i_mmap;
	}
	if (!r->head)
		return 0;
	r->stamp = atomic_fetch_add(&rmap_stamp_seq, 1) + 1;
	for (pos = r->head->next; pos != r->head; pos = pos->next) {
		struct mm_struct *mm = mapper_vma(pos, r->anon)->vm_mm;

		if (mm == locked_mm ||
		    atomic_load_explicit(&mm->rmap_lock_stamp,
					 memory_order_relaxed) == r->stamp)
			continue;
		if (pthread_mutex_trylock(&mm->mmap_lock)) {
			unlock_mappers_before(r, pos);
			rmap_mappers_unlock_list(r);
			return -EAGAIN;
		}
		atomic_store_explicit(&mm->rmap_lock_stamp, r->stamp,
				      memory_order_relaxed);
	}
	return 0;
}

void rmap_unlock_mappers(const struct rmap_mappers *r)
{
	if (r->head)
		unlock_mappers_before(r, r->head);
	rmap_mappers_unlock_list(r);
}

int rmap_move_mappings(const struct rmap_mappers *r, struct page *old,
		       struct page *new, unsigned int *nr_mlocked)
{
	struct list_head *pos;
	int moved = 0;

	*nr_mlocked = 0;
	if (!r->head)
		return 0;
	for (pos = r->head->next; pos != r->head; pos = pos->next) {
		struct vm_area_struct *vma = mapper_vma(pos, r->anon);
		struct mm_struct *mm = vma->vm_mm;
		const struct pt_format *f = pt_format_of(mm);
		unsigned long addr = vma_address(old, vma);
		void *slot;
		pte_t e;

		if (!addr)
			continue;
		slot = pte_offset(mm, addr, false);
		e = slot ? pte_read(f, slot) : 0;
		if (!pte_mapped(e) || (e & _PAGE_SPECIAL) ||
		    pte_pfn(f, e) != page_to_pfn(old))
			continue;
		/* The same permissions, dirty and young bits: only the
		 * frame changes. */
		if (new) {
			pte_write(f, slot,
				  (e & ~f->pfn_mask) |
					  mk_pte(f, page_to_pfn(new), 0));
			flush_tlb_mm(mm);
		}
		if (vma_mlocked(vma))
			++*nr_mlocked;
		moved++;
	}
	return moved;
}

/* ---- verifier ---- */

static bool chain_has(const struct vm_area_struct *vma,
		      const struct anon_vma *av)
{
	const struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == av)
			return true;
	return false;
}

struct rmap_verify_args {
	const struct pt_format *f;
	unsigned long bad;
};

static void rmap_verify_one(struct mm_struct *mm, unsigned long addr,
			    void *slot, void *arg)
{
	struct rmap_verify_args *v = arg;
	pte_t e = pte_read(v->f, slot);
	struct vm_area_struct *vma;
	struct page *page;

	if (v->bad || !pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(v->f, e));
	vma = vma_lookup(mm, addr);
	if (!page || !vma)
		return; /* reported by mm_verify_pages */
	if (PageKsm(page)) {
		if ((pte_read(v->f, slot) & _PAGE_RW) ||
		    !ksm_mapping_reachable(page, vma, addr))
			v->bad = addr;
	} else if (PageAnon(page)) {
		const struct anon_vma *av =
			(const struct anon_vma *)((unsigned long)page->mapping &
						  ~PAGE_MAPPING_ANON);

		if (!chain_has(vma, av) || vma_address(page, vma) != addr)
			v->bad = addr;
	} else if ((struct file *)page->mapping != vma->vm_file ||
		   vma_address(page, vma) != addr) {
		v->bad = addr;
	}
}

bool rmap_verify(struct mm_struct *mm, char *why, size_t len)
{
	struct rmap_verify_args v = { pt_format_of(mm), 0 };
	struct vm_area_struct *vma;
	int pid = mm->owner ? mm->owner->pid : 0;

	rmap_lock();
	for_each_vma(mm, vma) {
		unsigned int n = 0;
		const struct anon_vma_chain *avc;

		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
			n++;
		if (n != vma->anon_vma_chain_len || !n != !vma->anon_vma ||
		    (vma->anon_vma && !chain_has(vma, vma->anon_vma))) {
			rmap_unlock();
			return verify_fail(why, len,
					   "pid %d: vma %#lx: anon_vma chain "
					   "of %u (counted %u) inconsistent",
					   pid, vma->vm_start, n,
					   vma->anon_vma_chain_len);
		}
	}
	walk_ptes(mm, 0, mm->task_size, rmap_verify_one, &v);
	rmap_unlock();
	if (v.bad)
		return verify_fail(why, len,
				   "pid %d: the page at %#lx is not reachable "
				   "by reverse mapping",
				   pid, v.bad);
	return true;
}
