/* SPDX-License-Identifier: MIT */
/*
 * Kernel Samepage Merging (Linux's mm/ksm.c).
 *
 * 1. What it models.
 *    - madvise(MADV_MERGEABLE) sets VM_MERGEABLE on anonymous private
 *      VMAs (ksm_madvise; vma_ksm_compatible refuses shared, PFN-mapped,
 *      I/O and hugetlb ones) and registers the mm with ksmd (__ksm_enter:
 *      an mm_slot on ksmd's list, MMF_VM_MERGEABLE). fork registers the
 *      child of a registered parent (ksm_fork); exit unregisters it
 *      (__ksm_exit).
 *    - ksmd's scan (ksm_do_scan): pages_to_scan pages per batch, taken
 *      in list order of the mms, in address order of their VM_MERGEABLE
 *      VMAs that have an anon_vma; the zero page and unpopulated
 *      addresses are passed over. Each page has an rmap_item (kept on
 *      its mm_slot's address-ordered list; the items of addresses no
 *      longer scanned go as the scan passes them). cmp_and_merge_page: a
 *      page whose checksum changed since its last scan is volatile (not
 *      compared, not in a tree); else the stable tree (KSM pages, by
 *      content) is searched and the page merged into the identical KSM
 *      page; else the unstable tree (this pass's candidate pages, by
 *      content) is searched, and two identical pages become one new KSM
 *      page (the scanned one is kept) with both items in the stable
 *      tree; else the item goes into the unstable tree. A full pass
 *      ends when the scan passes the last mm: full_scans (seqnr) grows
 *      and the unstable tree starts empty. Smart scan (6.7): a page that
 *      failed to merge in its first three passes is skipped in 1, 2, 4
 *      and then 8 of the following passes (pages_skipped).
 *    - Merging write-protects the page's entry (write_protect_page: a
 *      writable or dirty one only if nobody but its mappings holds the
 *      page), compares the bytes and points the entry at the KSM page
 *      (replace_page), read-only, young, clean; the page it mapped is
 *      released. A KSM page's mapping is its stable node with
 *      PAGE_MAPPING_KSM; fork maps it in the child (mapcount grows); a
 *      write fault always copies it (mm/memory.c's do_wp_page, cow_ksm);
 *      MADV_UNMERGEABLE and mremap's move copy every KSM page of the
 *      range (break_ksm: an unshare fault); run=2 does that for every
 *      registered mm and frees every rmap_item. The last unmap frees the
 *      page; its stable node (kpfn no longer a KSM page of it) is stale
 *      and goes when the scan meets it (ksm_get_page), with its items.
 *      The scan reads a node's page only with a reference, taken while
 *      the page is on an LRU list (node_get_page): a page freed by its
 *      last unmap and reused meanwhile is never read or held. A node
 *      whose page is isolated then (reclaim scanning it) cannot be
 *      compared: the page being merged waits for the next pass (Linux
 *      takes a reference to an isolated page too).
 *    - Registration ends with exit, with MADV_UNMERGEABLE's last
 *      VM_MERGEABLE VMA once the scan passes the mm, or never: run=2
 *      keeps the mm_slots for a later run=1.
 *    - Counters: pages_shared (stable nodes with items), pages_sharing
 *      (their items beyond the first), pages_unshared (items in the
 *      unstable tree), pages_volatile (the other items), pages_scanned,
 *      full_scans, general_profit, and per mm ksm_rmap_items and
 *      ksm_merging_pages.
 *
 * 2. Objects (caches "ksm_rmap_item", "ksm_stable_node" and
 *    "ksm_mm_slot", made with the first MADV_MERGEABLE):
 *
 *      ksm_state --mm_head--> mm_slot --rmap_list--> item -> item -> ...
 *          |  \--stable_tree (AVL by content)--> stable_node
 *          |                        kpfn, items: list of rmap_item.hlist
 *          \--unstable_tree (AVL by content)--> rmap_item.node
 *      KSM page ->mapping = stable_node | PAGE_MAPPING_ANON | _KSM
 *      rmap_item.address = page address | STABLE_FLAG or UNSTABLE_FLAG |
 *                          the low byte of seqnr at unstable insertion
 *
 * 3. Invariants (ksm_verify, and rmap_verify for mappings).
 *    1. Each mm_slot's items are in strictly ascending address order,
 *       and number mm->ksm_rmap_items; they all number rmap_items.
 *    2. A stable item is on its head's list; its mm's stable items
 *       number ksm_merging_pages; a node's list has rmap_hlist_len items.
 *    3. pages_shared = nodes with items, pages_sharing = their items
 *       beyond the first, pages_unshared = items in the unstable tree.
 *    4. The live stable nodes (kpfn still their KSM page) are in
 *       ascending content order (equal: duplicates, section 4); every entry mapping a KSM page is
 *       read-only, and its page has its own stable node in the stable
 *       tree (ksm_mapping_reachable); pages_verify counts the entries
 *       against the mapcount. The node's items need not reach every
 *       mapping (forks ksmd has not scanned; see ksm_mapping_reachable).
 *
 * 4. Departures.
 *    - ksmd is no thread: mmk_ksm_scan() (the script's ksm_scan) runs
 *      its batches in the caller; sleep_millisecs is kept but unused.
 *    - KSM pages are not reclaimed, swapped or migrated: reclaim keeps
 *      them on the active list, compaction passes them over, migration
 *      reports them busy (no rmap_walk_ksm for those walks; Linux swaps
 *      and migrates them). page_referenced() does not visit them.
 *    - No stable node chains: a KSM page takes at most max_page_sharing
 *      items, and a page identical to full ones merges with another into
 *      a further KSM page, a node of the same content beside them in the
 *      tree (Linux hangs such duplicates off one chain node); a search
 *      picks, of those neighbours, the one with the most items below the
 *      limit, as stable_node_dup() picks a chain's dup.
 *      stable_node_chains and stable_node_dups count the runs of two or
 *      more live nodes of equal content, and their nodes, when read
 *      (Linux counts its chains and their dups, stale ones included
 *      until pruned, and collapses a chain left with one dup later).
 *    - use_zero_pages is 0 only (ksm_zero_pages is 0) and
 *      merge_across_nodes 1 only (one stable and one unstable tree).
 *    - exit removes the mm's items at once (Linux leaves an mm with items
 *      for ksmd to clean, holding the mm_struct; mmkit frees it), and
 *      once no registered mm is left, the stable nodes of pages no
 *      process maps go too (Linux prunes them when ksmd meets them).
 *    - run=2 drops the KSM lock while it waits for each mm's mmap lock;
 *      meanwhile writers of the knobs wait and a scan finds run=2, as
 *      they would behind Linux's ksm_thread_mutex.
 *    - A page in the swap cache (read back from swap, still holding its
 *      slot) is not merged until it leaves the cache: KSM pages are not
 *      reclaimed here, so one in the swap cache would keep its slot,
 *      and swapoff could never empty the area (Linux merges it and
 *      frees the slot of a page the merge unmapped: folio_free_swap).
 *    - Merging two pages makes the first a KSM page only once the second
 *      is mapped to it, and the stable node is allocated before, so a
 *      failure leaves both pages as they were (Linux breaks COW of the
 *      first again). Allocation failures skip the page for this pass.
 *    - The checksum is a 32-bit FNV-1a of the page (Linux: xxhash); only
 *      whether it changed matters. No advisor.
 *    - PR_SET_MEMORY_MERGE (kernel/sys.c): mm_struct.merge_any
 *      (MMF_VM_MERGE_ANY) marks every compatible VMA VM_MERGEABLE, and
 *      every new one (ksm_vma_flags, before the merge is tried); when
 *      the scan lets such an mm go for having nothing to scan, the flag
 *      stays and the next mmap or brk registers it again (Linux 6.18.y's
 *      fix of exec/fork inheritance).
 *
 * 5. Ordering. ksm_state.lock (ksm_thread_mutex) nests outside the mmap
 *    locks, which the scan only tries (a busy mm is passed over for that
 *    batch): nothing waits for an mmap lock while holding it, so any
 *    path may take it under its own mmap lock (MADV_MERGEABLE, fork,
 *    exit). The scan holds one mmap lock at a time, and a page lock
 *    (tried) while it merges that page. Walks under the rmap lock try it.
 *
 * 6. Observability. The files of /sys/kernel/mm/ksm (ksm_sysfs_value),
 *    /proc/PID/ksm_stat, /proc/PID/ksm_merging_pages, smaps "KSM:",
 *    kpageflags KPF_KSM, vmstat cow_ksm; `check` (ksm_verify).
 */
#include "mm/huge_mm.h"
#include "lib/avltree.h"

#include <mmkit/ksm.h>
#include <mmkit/slab.h>

#include <limits.h>
#include <string.h>

#define SEQNR_MASK 0x0ffUL
#define UNSTABLE_FLAG 0x100UL
#define STABLE_FLAG 0x200UL
#define KSM_FLAG_MASK (SEQNR_MASK | UNSTABLE_FLAG | STABLE_FLAG)
/* sizeof(struct ksm_rmap_item) on x86_64 Linux, for the profits. */
#define LINUX_RMAP_ITEM_SIZE 64L

struct ksm_stable_node {
	struct avl_node node; /* in the stable tree */
	struct list_head hlist; /* rmap_item.hlist, newest first */
	unsigned long kpfn;
	int rmap_hlist_len;
};

struct ksm_rmap_item {
	struct ksm_rmap_item *rmap_list; /* next on the mm_slot, by address */
	struct anon_vma *anon_vma; /* stable: a reference, for forks */
	struct mm_struct *mm;
	unsigned long address; /* + flags, see the picture */
	unsigned int oldchecksum;
	unsigned char age, remaining_skips; /* smart scan */
	/* The pass it entered the unstable tree in (all of seqnr: the low
	 * byte in address is Linux's). */
	unsigned long unstable_seqnr;
	struct avl_node node; /* unstable tree */
	struct ksm_stable_node *head; /* stable */
	struct list_head hlist; /* on head->hlist */
};

struct ksm_mm_slot {
	struct list_head mm_node; /* on ksm_state.mm_head */
	struct mm_struct *mm;
	struct ksm_rmap_item *rmap_list;
	/* mm->ksm_rmap_items and mm->ksm_merging_pages of Linux (kept here
	 * to leave struct mm_struct's slab object size as it was). */
	long rmap_items, merging_pages;
};

struct ksm_state {
	pthread_mutex_t lock;
	struct list_head mm_head;
	/* ksm_scan: the cursor. NULL slot: between passes (&ksm_mm_head). */
	struct ksm_mm_slot *scan_slot;
	unsigned long scan_address;
	struct ksm_rmap_item **scan_rmap_list;
	unsigned long seqnr; /* full_scans */
	struct avl_root stable_tree, unstable_tree;
	struct kmem_cache *rmap_item_cache, *stable_node_cache, *slot_cache;
	/* Counters, under the lock. */
	long pages_shared, pages_sharing, pages_unshared, rmap_items;
	unsigned long pages_scanned, pages_skipped;
	/* run=2 in progress: it drops the lock to take each mm's mmap lock,
	 * and no other writer or scan may come between (Linux holds
	 * ksm_thread_mutex throughout): writers wait, a scan finds run=2. */
	bool unmerging;
	/* Knobs. */
	unsigned long run;
	unsigned int pages_to_scan, sleep_millisecs, max_page_sharing;
	bool smart_scan;
	/* Bytes of one page, copied for comparisons (under the lock). */
	unsigned char buf[2][PAGE_SIZE];
};

static struct ksm_state *ksm_state(void)
{
	return mm_state()->ksm;
}

int ksm_init(struct mmk_machine *m)
{
	struct ksm_state *k = mmk_machine_zalloc(m, sizeof(*k));

	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	INIT_LIST_HEAD(&k->mm_head);
	k->pages_to_scan = 100;
	k->sleep_millisecs = 20;
	k->max_page_sharing = 256;
	k->smart_scan = true;
	m->mm->ksm = k;
	return 0;
}

void ksm_state_exit(struct mmk_machine *m)
{
	if (m->mm->ksm)
		pthread_mutex_destroy(&m->mm->ksm->lock);
	m->mm->ksm = NULL;
}

/* ksm_slab_init(), with the first registration: 0 or -ENOMEM. */
static int ksm_slab_init(struct ksm_state *k)
{
	if (!k->rmap_item_cache)
		k->rmap_item_cache = kmem_cache_create(
			"ksm_rmap_item", sizeof(struct ksm_rmap_item), 0, 0,
			NULL);
	if (!k->stable_node_cache)
		k->stable_node_cache = kmem_cache_create(
			"ksm_stable_node", sizeof(struct ksm_stable_node), 0, 0,
			NULL);
	if (!k->slot_cache)
		k->slot_cache = kmem_cache_create(
			"ksm_mm_slot", sizeof(struct ksm_mm_slot), 0, 0, NULL);
	if (!k->rmap_item_cache || !k->stable_node_cache || !k->slot_cache)
		return -ENOMEM;
	return 0;
}

/* ---- page bytes ---- */

/* The page's bytes, copied (another thread may write them: see
 * copy_user_racy) into buffer @i. */
static const unsigned char *page_bytes(struct ksm_state *k,
				       const struct page *page, int i)
{
	copy_user_racy(k->buf[i], page_host(mmk_cur(), page), PAGE_SIZE);
	return k->buf[i];
}

static unsigned int calc_checksum(struct ksm_state *k, const struct page *page)
{
	const unsigned char *p = page_bytes(k, page, 0);
	unsigned int h = 2166136261U;
	size_t i;

	for (i = 0; i < PAGE_SIZE; i++)
		h = (h ^ p[i]) * 16777619U;
	return h;
}

static int memcmp_pages(struct ksm_state *k, const struct page *a,
			const struct page *b)
{
	return memcmp(page_bytes(k, a, 0), page_bytes(k, b, 1), PAGE_SIZE);
}

/* ---- stable nodes and rmap_items ---- */

static struct ksm_stable_node *page_stable_node(const struct page *page)
{
	unsigned long mapping = (unsigned long)page_mapping_once(page);

	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_FLAGS)
		return NULL;
	return (struct ksm_stable_node *)(mapping & ~PAGE_MAPPING_FLAGS);
}

static void set_page_stable_node(struct page *page,
				 struct ksm_stable_node *node)
{
	page_set_mapping(page, (struct address_space *)((unsigned long)node |
							PAGE_MAPPING_FLAGS));
}

/* The node's KSM page, or NULL if the node is stale (its page was freed
 * or is no longer the node's). */
static struct page *node_page(const struct ksm_stable_node *node)
{
	struct page *page = pfn_to_page(node->kpfn);

	return page && page_stable_node(page) == node ? page : NULL;
}

/*
 * get_ksm_page(): the node's KSM page with a reference, or NULL. Until
 * the reference is had, its last mapper may free it and another thread
 * reuse it (and write it): the reference is taken while the page is on
 * an LRU list, so that it cannot be freed and reused under the reader,
 * and the node tested again. *@busy: the page is the node's but off the
 * lists (reclaim or migration has it isolated), and could not be had;
 * else the node is stale.
 */
static struct page *node_get_page(const struct ksm_stable_node *node,
				  bool *busy)
{
	struct page *page = node_page(node);
	int got;

	*busy = false;
	if (!page)
		return NULL;
	got = lru_page_tryget(mmk_cur(), page);
	if (got < 0) {
		*busy = page_stable_node(page) == node;
		return NULL;
	}
	if (got && page_stable_node(page) != node) {
		put_page(page);
		got = 0;
	}
	return got ? page : NULL;
}

static void free_rmap_item(struct ksm_state *k, struct ksm_rmap_item *item)
{
	k->rmap_items--;
	item->mm->ksm_slot->rmap_items--;
	kmem_cache_free(k->rmap_item_cache, item);
}

/* A stable item leaves its node's list (the node stays). */
static void stable_item_unlink(struct ksm_state *k, struct ksm_rmap_item *item)
{
	struct ksm_stable_node *node = item->head;

	list_del(&item->hlist);
	if (!list_empty(&node->hlist))
		k->pages_sharing--;
	else
		k->pages_shared--;
	node->rmap_hlist_len--;
	item->mm->ksm_slot->merging_pages--;
	put_anon_vma(item->anon_vma);
	item->anon_vma = NULL;
	item->head = NULL;
	item->address &= PAGE_MASK;
}

/* remove_node_from_stable_tree(): a stale node goes with its items'
 * membership. */
static void remove_node_from_stable_tree(struct ksm_state *k,
					 struct ksm_stable_node *node)
{
	struct ksm_rmap_item *item, *next;

	list_for_each_entry_safe(item, next, &node->hlist, hlist)
		stable_item_unlink(k, item);
	avl_erase(&k->stable_tree, &node->node);
	kmem_cache_free(k->stable_node_cache, node);
}

static void remove_rmap_item_from_tree(struct ksm_state *k,
				       struct ksm_rmap_item *item)
{
	if (item->address & STABLE_FLAG) {
		struct ksm_stable_node *node = item->head;

		if (!node_page(node)) {
			remove_node_from_stable_tree(k, node);
			return;
		}
		stable_item_unlink(k, item);
	} else if (item->address & UNSTABLE_FLAG) {
		/* Only an item this pass inserted is still in the tree: the
		 * tree is emptied as each pass ends. (Linux's age from the
		 * low byte must be 0 or 1, or it BUG()s; the whole pass
		 * number decides here, so that an item some pass did not
		 * visit cannot be taken for one in the tree.) */
		if (item->unstable_seqnr == k->seqnr)
			avl_erase(&k->unstable_tree, &item->node);
		k->pages_unshared--;
		item->address &= PAGE_MASK;
	}
}

static void remove_trailing_rmap_items(struct ksm_state *k,
				       struct ksm_rmap_item **list)
{
	while (*list) {
		struct ksm_rmap_item *item = *list;

		*list = item->rmap_list;
		remove_rmap_item_from_tree(k, item);
		free_rmap_item(k, item);
	}
}

/* ---- registration ---- */

static int __ksm_enter(struct mm_struct *mm)
{
	struct ksm_state *k = ksm_state();
	struct ksm_mm_slot *slot;

	pthread_mutex_lock(&k->lock);
	if (mm->ksm_slot) {
		pthread_mutex_unlock(&k->lock);
		return 0;
	}
	if (ksm_slab_init(k)) {
		pthread_mutex_unlock(&k->lock);
		return -ENOMEM;
	}
	slot = kmem_cache_zalloc(k->slot_cache, GFP_KERNEL);
	if (!slot) {
		pthread_mutex_unlock(&k->lock);
		return -ENOMEM;
	}
	slot->mm = mm;
	/* Behind the cursor, as Linux: ksmd reaches it at the end of its
	 * next pass (or, run=2, at the list's end). */
	if (k->scan_slot && k->run != KSM_RUN_UNMERGE)
		list_add_tail(&slot->mm_node, &k->scan_slot->mm_node);
	else
		list_add_tail(&slot->mm_node, &k->mm_head);
	mm->ksm_slot = slot;
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int ksm_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct ksm_state *k = ksm_state();
	bool registered;

	/* MMF_VM_MERGE_ANY is in MMF_INIT_MASK: the child keeps it. */
	mm->merge_any = oldmm->merge_any;

	pthread_mutex_lock(&k->lock);
	registered = oldmm->ksm_slot != NULL;
	pthread_mutex_unlock(&k->lock);
	return registered ? __ksm_enter(mm) : 0;
}

/* The end of a full pass: the unstable tree is emptied now (Linux
 * empties it as the next pass starts: no item of it may be freed while
 * it is still linked, for the verifier walks it). */
static void end_pass(struct ksm_state *k)
{
	k->scan_slot = NULL;
	k->seqnr++;
	k->unstable_tree.node = NULL;
}

/* The cursor leaves @slot for the next one (the pass goes on there). */
static void cursor_past(struct ksm_state *k, struct ksm_mm_slot *slot)
{
	struct list_head *next = slot->mm_node.next;

	if (next == &k->mm_head) {
		/* The slot was the last: the pass ends with it. */
		end_pass(k);
		return;
	}
	k->scan_slot = list_entry(next, struct ksm_mm_slot, mm_node);
	k->scan_address = 0;
	k->scan_rmap_list = &k->scan_slot->rmap_list;
}

static int remove_all_stable_nodes(struct ksm_state *k);

static void slot_remove(struct ksm_state *k, struct ksm_mm_slot *slot)
{
	struct mm_struct *mm = slot->mm;

	remove_trailing_rmap_items(k, &slot->rmap_list);
	if (k->scan_slot == slot)
		cursor_past(k, slot);
	list_del(&slot->mm_node);
	mm->ksm_slot = NULL;
	kmem_cache_free(k->slot_cache, slot);
	/* The last registered mm gone, every node is stale (its page went
	 * with the last mapping): pruned now (Linux: when ksmd meets them). */
	if (list_empty(&k->mm_head))
		remove_all_stable_nodes(k);
}

void ksm_exit(struct mm_struct *mm)
{
	struct ksm_state *k = ksm_state();

	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	if (mm->ksm_slot)
		slot_remove(k, mm->ksm_slot);
	else if (list_empty(&k->mm_head) && k->stable_tree.node)
		/* A fork from before its parent registered mapped KSM
		 * pages that kept their nodes (slot_remove): it goes. */
		remove_all_stable_nodes(k);
	pthread_mutex_unlock(&k->lock);
}

/* ---- merging ---- */

/* The VM_MERGEABLE VMA with an anon_vma holding @addr (find_mergeable_vma). */
static struct vm_area_struct *find_mergeable_vma(struct mm_struct *mm,
						 unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (!vma || !(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma)
		return NULL;
	return vma;
}

/* The entry of @addr if it maps @page, else NULL. */
static void *page_slot(struct mm_struct *mm, unsigned long addr,
		       const struct page *page, pte_t *e)
{
	const struct pt_format *f = pt_format_of(mm);
	void *slot = pte_offset(mm, addr, false);

	*e = slot ? pte_read(f, slot) : 0;
	if (!pte_mapped(*e) || (*e & (_PAGE_SPECIAL | _PAGE_PSE)) ||
	    pte_pfn(f, *e) != page_to_pfn(page))
		return NULL;
	return slot;
}

/*
 * write_protect_page(): @page (locked, and the scan's reference) mapped
 * at @addr becomes read-only and clean there; a writable or dirty entry
 * only if nobody but its mappings (and the scan) holds the page.
 */
static int write_protect_page(struct mm_struct *mm, unsigned long addr,
			      struct page *page, pte_t *orig)
{
	const struct pt_format *f = pt_format_of(mm);
	void *slot = page_slot(mm, addr, page, orig);
	pte_t e;

	if (!slot)
		return -EFAULT;
	e = *orig;
	if (e & (_PAGE_RW | _PAGE_DIRTY)) {
		int swapped = test_page_flag(page, PG_swapcache);

		if (page_mapcount(page) + 1 + swapped != page_count(page))
			return -EBUSY;
		if (e & _PAGE_DIRTY)
			folio_mark_dirty(page);
		e &= ~(pte_t)(_PAGE_RW | _PAGE_DIRTY);
		pte_write(f, slot, e);
		flush_tlb_mm(mm);
	}
	*orig = e;
	return 0;
}

/* replace_page(): the entry of @addr in @vma maps @kpage instead of
 * @page, read-only, young and clean; @page's mapping goes. */
static int replace_page(struct vm_area_struct *vma, unsigned long addr,
			struct page *page, struct page *kpage, pte_t orig)
{
	struct mm_struct *mm = vma->vm_mm;
	const struct pt_format *f = pt_format_of(mm);
	pte_t e;
	void *slot = page_slot(mm, addr, page, &e);

	if (!slot || e != orig)
		return -EFAULT;
	get_page(kpage);
	page_dup_anon_rmap(mm, kpage);
	if (vma_mlocked(vma))
		mlock_page(mm->machine, kpage);
	e = mk_pte(f, page_to_pfn(kpage), vma->vm_page_prot) | _PAGE_ACCESSED;
	pte_write(f, slot, e & ~(pte_t)(_PAGE_RW | _PAGE_DIRTY));
	flush_tlb_mm(mm);
	if (vma_mlocked(vma))
		munlock_page(mm->machine, page);
	page_remove_rmap(mm, page, false);
	return 0;
}

/*
 * try_to_merge_one_page() with @mm's lock held: @page, at @addr, is
 * write-protected and, if identical to @kpage, replaced by it. With
 * @node (and no @kpage), it becomes the KSM page of @node instead.
 */
static int merge_one_page(struct ksm_state *k, struct vm_area_struct *vma,
			  unsigned long addr, struct page *page,
			  struct page *kpage)
{
	pte_t orig;
	int err;

	if (page == kpage) /* a KSM page forked */
		return 0;
	if (!PageAnon(page) || !trylock_page(page))
		return -EBUSY;
	/* Section 4: not a page in the swap cache (reclaim adds pages to
	 * it under the page lock). */
	if (test_page_flag(page, PG_swapcache)) {
		unlock_page(page);
		return -EBUSY;
	}
	err = write_protect_page(vma->vm_mm, addr, page, &orig);
	if (!err && kpage) {
		err = -EINVAL;
		if (!memcmp_pages(k, page, kpage))
			err = replace_page(vma, addr, page, kpage, orig);
	}
	unlock_page(page);
	return err;
}

/* @mm's mmap lock, tried (section 5); false: busy. */
static bool ksm_lock_mm(struct mm_struct *mm)
{
	return mmap_write_trylock(mm);
}

/*
 * try_to_merge_with_ksm_page(): @item's page @page merges into @kpage
 * (NULL: only write-protected, to become a KSM page). On success the
 * item (out of every tree) holds a reference on its VMA's anon_vma.
 */
static int try_to_merge_with_ksm_page(struct ksm_state *k,
				      struct ksm_rmap_item *item,
				      struct page *page, struct page *kpage)
{
	struct mm_struct *mm = item->mm;
	unsigned long addr = item->address & PAGE_MASK;
	struct vm_area_struct *vma;
	int err = -EFAULT;

	if (!ksm_lock_mm(mm))
		return -EBUSY;
	vma = find_mergeable_vma(mm, addr);
	if (vma)
		err = merge_one_page(k, vma, addr, page, kpage);
	if (!err) {
		remove_rmap_item_from_tree(k, item);
		item->anon_vma = vma->anon_vma;
		get_anon_vma(vma->anon_vma);
	}
	mmap_write_unlock(mm);
	return err;
}

/* stable_tree_append() */
static void stable_tree_append(struct ksm_state *k, struct ksm_rmap_item *item,
			       struct ksm_stable_node *node)
{
	node->rmap_hlist_len++;
	item->head = node;
	item->address |= STABLE_FLAG;
	if (list_empty(&node->hlist))
		k->pages_shared++;
	else
		k->pages_sharing++;
	list_add(&item->hlist, &node->hlist);
	item->mm->ksm_slot->merging_pages++;
	item->age = 0;
}

/* Is @n (NULL: none) a live node whose page is identical to @page? A
 * node whose page is busy is taken for a different one. */
static bool same_content(struct ksm_state *k, const struct avl_node *n,
			 const struct page *page)
{
	struct page *p;
	bool busy, same;

	if (!n)
		return false;
	p = node_get_page(container_of(n, struct ksm_stable_node, node), &busy);
	if (!p)
		return false;
	same = !memcmp_pages(k, page, p);
	put_page(p);
	return same;
}

/*
 * stable_node_dup(): of the live nodes identical to @page around @node
 * (neighbours in the tree, the duplicates a chain would hold), the one
 * with the most items below max_page_sharing, or NULL if all are full.
 */
static struct ksm_stable_node *pick_dup(struct ksm_state *k,
					struct ksm_stable_node *node,
					const struct page *page)
{
	struct ksm_stable_node *best = NULL;
	struct avl_node *n = &node->node, *first = n;

	while (same_content(k, avl_prev(first), page))
		first = avl_prev(first);
	for (n = first; n == &node->node || same_content(k, n, page);
	     n = avl_next(n)) {
		struct ksm_stable_node *dup =
			container_of(n, struct ksm_stable_node, node);

		if (dup->rmap_hlist_len < (int)k->max_page_sharing &&
		    (!best || dup->rmap_hlist_len > best->rmap_hlist_len))
			best = dup;
	}
	return best;
}

/*
 * stable_tree_search(): the KSM page identical to @page (with a
 * reference), @page itself if it is a KSM page already, or NULL. Stale
 * nodes met on the way are removed, and the search starts again. *@busy:
 * a node on the way has its page isolated, so the search could not
 * decide (the page waits for the next pass).
 */
static struct page *stable_tree_search(struct ksm_state *k, struct page *page,
				       struct ksm_stable_node **found,
				       bool *busy)
{
	struct avl_node *n;

	*busy = false;
	*found = page_stable_node(page);
	if (*found) {
		get_page(page);
		return page;
	}
again:
	n = k->stable_tree.node;
	while (n) {
		struct ksm_stable_node *node =
			container_of(n, struct ksm_stable_node, node);
		struct page *tree_page = node_get_page(node, busy);
		int ret;

		if (!tree_page) {
			if (*busy)
				return NULL;
			remove_node_from_stable_tree(k, node);
			goto again;
		}
		ret = memcmp_pages(k, page, tree_page);
		if (ret) {
			put_page(tree_page);
			n = ret < 0 ? n->left : n->right;
			continue;
		}
		*found = pick_dup(k, node, page);
		if (*found != node) {
			put_page(tree_page);
			tree_page = *found ? node_get_page(*found, busy) : NULL;
		}
		return tree_page;
	}
	return NULL;
}

/* stable_tree_insert(): @node, for @kpage, joins the stable tree; false
 * if a node on the way has its page isolated (see stable_tree_search). */
static bool stable_tree_insert(struct ksm_state *k, struct page *kpage,
			       struct ksm_stable_node *node)
{
	struct avl_node *parent = NULL, *n;
	bool left = false, busy;

again:
	n = k->stable_tree.node;
	parent = NULL;
	while (n) {
		struct ksm_stable_node *tn =
			container_of(n, struct ksm_stable_node, node);
		struct page *tree_page = node_get_page(tn, &busy);

		if (!tree_page) {
			if (busy)
				return false;
			remove_node_from_stable_tree(k, tn);
			goto again;
		}
		parent = n;
		/* Equal content (a full node's twin) goes to the right. */
		left = memcmp_pages(k, kpage, tree_page) < 0;
		put_page(tree_page);
		n = left ? n->left : n->right;
	}
	INIT_LIST_HEAD(&node->hlist);
	node->kpfn = page_to_pfn(kpage);
	node->rmap_hlist_len = 0;
	avl_insert(&k->stable_tree, &node->node, parent, left);
	return true;
}

/* get_mergeable_page(): @item's page, if still an anonymous page mapped
 * in a mergeable VMA, with a reference; else NULL. */
static struct page *get_mergeable_page(struct ksm_rmap_item *item)
{
	struct mm_struct *mm = item->mm;
	unsigned long addr = item->address & PAGE_MASK;
	struct page *page = NULL;
	pte_t e;
	void *slot;

	if (!ksm_lock_mm(mm))
		return NULL;
	if (find_mergeable_vma(mm, addr)) {
		slot = pte_offset(mm, addr, false);
		e = slot ? pte_read(pt_format_of(mm), slot) : 0;
		if (pte_mapped(e) && !(e & (_PAGE_SPECIAL | _PAGE_PSE))) {
			page = pfn_to_page(pte_pfn(pt_format_of(mm), e));
			if (page && PageAnon(page))
				get_page(page);
			else
				page = NULL;
		}
	}
	mmap_write_unlock(mm);
	return page;
}

/* unstable_tree_search_insert() */
static struct ksm_rmap_item *
unstable_tree_search_insert(struct ksm_state *k, struct ksm_rmap_item *item,
			    struct page *page, struct page **tree_pagep)
{
	struct avl_node *parent = NULL, *n = k->unstable_tree.node;
	bool left = false;

	while (n) {
		struct ksm_rmap_item *tree_item =
			container_of(n, struct ksm_rmap_item, node);
		struct page *tree_page = get_mergeable_page(tree_item);
		int ret;

		if (!tree_page)
			return NULL;
		/* Don't substitute a KSM page for a forked page. */
		if (tree_page == page) {
			put_page(tree_page);
			return NULL;
		}
		ret = memcmp_pages(k, page, tree_page);
		if (!ret) {
			*tree_pagep = tree_page;
			return tree_item;
		}
		put_page(tree_page);
		parent = n;
		left = ret < 0;
		n = left ? n->left : n->right;
	}
	item->address |= UNSTABLE_FLAG | (k->seqnr & SEQNR_MASK);
	item->unstable_seqnr = k->seqnr;
	avl_insert(&k->unstable_tree, &item->node, parent, left);
	k->pages_unshared++;
	return NULL;
}

/*
 * try_to_merge_two_pages(): @page (of @item) and the identical
 * @tree_page (of @tree_item) become one KSM page, @page, with @node;
 * both items end up stable. 0 or an error with both as they were.
 */
static int try_to_merge_two_pages(struct ksm_state *k,
				  struct ksm_rmap_item *item, struct page *page,
				  struct ksm_rmap_item *tree_item,
				  struct page *tree_page,
				  struct ksm_stable_node *node)
{
	struct mm_struct *mm = item->mm;
	unsigned long addr = item->address & PAGE_MASK;
	struct address_space *mapping = page_mapping_once(page);
	struct anon_vma *av = NULL;
	struct vm_area_struct *vma;
	pte_t orig;
	int err = -EBUSY;

	/* The page stays locked (its content fixed: no reuse of it by a
	 * write fault) from its write protection to its conversion. */
	if (!trylock_page(page))
		return -EBUSY;
	if (test_page_flag(page, PG_swapcache)) {
		unlock_page(page);
		return -EBUSY;
	}
	if (ksm_lock_mm(mm)) {
		vma = find_mergeable_vma(mm, addr);
		err = vma ? write_protect_page(mm, addr, page, &orig) : -EFAULT;
		if (!err) {
			av = vma->anon_vma;
			get_anon_vma(av);
		}
		mmap_write_unlock(mm);
	}
	if (err)
		goto out_unlock;
	/* The KSM page's mapping before its second mapper maps it, so that
	 * every mapping is reachable by reverse mapping throughout. */
	if (!stable_tree_insert(k, page, node)) {
		put_anon_vma(av);
		err = -EBUSY;
		goto out_unlock;
	}
	set_page_stable_node(page, node);
	err = try_to_merge_with_ksm_page(k, tree_item, tree_page, page);
	if (err) {
		/* Its anon_vma as it was: a page forked is its creator's. */
		avl_erase(&k->stable_tree, &node->node);
		page_set_mapping(page, mapping);
		put_anon_vma(av);
		goto out_unlock;
	}
	mark_page_accessed(page, mm);
	if (!test_page_flag(page, PG_dirty))
		folio_mark_dirty(page);
	remove_rmap_item_from_tree(k, item);
	item->anon_vma = av;
	stable_tree_append(k, tree_item, node);
	stable_tree_append(k, item, node);
out_unlock:
	unlock_page(page);
	return err;
}

/* cmp_and_merge_page() */
static void cmp_and_merge_page(struct ksm_state *k, struct page *page,
			       struct ksm_rmap_item *item)
{
	struct ksm_stable_node *node = page_stable_node(page), *found;
	struct ksm_rmap_item *tree_item;
	struct page *kpage, *tree_page = NULL;
	unsigned int checksum;
	bool busy;

	if (node) {
		if (item->head == node)
			return;
	} else {
		remove_rmap_item_from_tree(k, item);
		/* A page that changed since its last scan is volatile. */
		checksum = calc_checksum(k, page);
		if (item->oldchecksum != checksum) {
			item->oldchecksum = checksum;
			return;
		}
	}
	kpage = stable_tree_search(k, page, &found, &busy);
	if (busy)
		return;
	if (kpage == page && item->head == found) {
		put_page(kpage);
		return;
	}
	remove_rmap_item_from_tree(k, item);
	if (kpage) {
		/* The node may have gone stale meanwhile: merge only into
		 * a page that is still its KSM page. */
		if (node_page(found) == kpage &&
		    !try_to_merge_with_ksm_page(k, item, page, kpage))
			stable_tree_append(k, item, found);
		put_page(kpage);
		return;
	}
	tree_item = unstable_tree_search_insert(k, item, page, &tree_page);
	if (!tree_item)
		return;
	/* The node first: a failure after the first page is converted
	 * would leave it KSM without one (section 4). */
	node = kmem_cache_alloc(k->stable_node_cache,
				GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (node &&
	    try_to_merge_two_pages(k, item, page, tree_item, tree_page, node)) {
		kmem_cache_free(k->stable_node_cache, node);
	}
	put_page(tree_page);
}

/* ---- the scan ---- */

static unsigned int skip_age(unsigned char age)
{
	if (age <= 3)
		return 1;
	if (age <= 5)
		return 2;
	if (age <= 8)
		return 4;
	return 8;
}

static bool should_skip_rmap_item(struct ksm_state *k, struct page *page,
				  struct ksm_rmap_item *item)
{
	unsigned char age;

	if (!k->smart_scan || PageKsm(page))
		return false;
	age = item->age;
	if (age != 255)
		item->age++;
	if (age < 3)
		return false;
	if (!item->remaining_skips) {
		item->remaining_skips = (unsigned char)skip_age(age);
		return false;
	}
	k->pages_skipped++;
	item->remaining_skips--;
	remove_rmap_item_from_tree(k, item);
	return true;
}

static struct ksm_rmap_item *get_next_rmap_item(struct ksm_state *k,
						struct ksm_mm_slot *slot,
						struct ksm_rmap_item **list,
						unsigned long addr)
{
	struct ksm_rmap_item *item;

	while (*list) {
		item = *list;
		if ((item->address & PAGE_MASK) == addr)
			return item;
		if (item->address > addr)
			break;
		*list = item->rmap_list;
		remove_rmap_item_from_tree(k, item);
		free_rmap_item(k, item);
	}
	item = kmem_cache_zalloc(k->rmap_item_cache,
				 GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (item) {
		k->rmap_items++;
		item->mm = slot->mm;
		slot->rmap_items++;
		item->address = addr;
		item->rmap_list = *list;
		*list = item;
	}
	return item;
}

/* The anonymous page mapped at @addr, with a reference, or NULL (the
 * zero page and nothing are passed over: folio_walk_start). */
static struct page *scan_page(struct mm_struct *mm, unsigned long addr)
{
	const struct pt_format *f = pt_format_of(mm);
	void *slot = pte_offset(mm, addr, false);
	pte_t e = slot ? pte_read(f, slot) : 0;
	struct page *page;

	/* A huge page is merged as base pages (mm/huge_memory.c). */
	if ((e & _PAGE_PSE) && pte_mapped(e)) {
		split_huge_pmd_range(mm, addr, addr + 1, true);
		slot = pte_offset(mm, addr, false);
		e = slot ? pte_read(f, slot) : 0;
	}
	if (!pte_mapped(e) || (e & (_PAGE_SPECIAL | _PAGE_PSE)))
		return NULL;
	page = pfn_to_page(pte_pfn(f, e));
	if (!page || !PageAnon(page))
		return NULL;
	get_page(page);
	return page;
}

/* The pages of the cursor's mm from scan_address on: the next item to
 * merge (*@pagep referenced), or NULL when the mm is done; *@busy if its
 * lock was busy, *@oom if an rmap_item could not be allocated (the
 * batch ends there, the cursor stays). */
static struct ksm_rmap_item *scan_mm(struct ksm_state *k,
				     struct ksm_mm_slot *slot,
				     struct page **pagep, bool *busy, bool *oom)
{
	struct mm_struct *mm = slot->mm;
	struct vm_area_struct *vma;
	struct ksm_rmap_item *item;

	if (!ksm_lock_mm(mm)) {
		*busy = true;
		return NULL;
	}
	for_each_vma(mm, vma) {
		if (vma->vm_end <= k->scan_address ||
		    !(vma->vm_flags & VM_MERGEABLE))
			continue;
		if (k->scan_address < vma->vm_start)
			k->scan_address = vma->vm_start;
		if (!vma->anon_vma)
			k->scan_address = vma->vm_end;
		for (; k->scan_address < vma->vm_end;
		     k->scan_address += PAGE_SIZE) {
			struct page *page = scan_page(mm, k->scan_address);

			if (!page)
				continue;
			item = get_next_rmap_item(k, slot, k->scan_rmap_list,
						  k->scan_address);
			if (!item) {
				put_page(page);
				mmap_write_unlock(mm);
				*oom = true;
				return NULL;
			}
			k->scan_rmap_list = &item->rmap_list;
			if (should_skip_rmap_item(k, page, item)) {
				put_page(page);
				continue;
			}
			k->scan_address += PAGE_SIZE;
			*pagep = page;
			mmap_write_unlock(mm);
			return item;
		}
	}
	mmap_write_unlock(mm);
	return NULL;
}

/* The items of @slot leave the unstable tree (pages_unshared). */
static void slot_flush_unstable(struct ksm_state *k, struct ksm_mm_slot *slot)
{
	struct ksm_rmap_item *item;

	for (item = slot->rmap_list; item; item = item->rmap_list)
		if (item->address & UNSTABLE_FLAG)
			remove_rmap_item_from_tree(k, item);
}

/* Every item leaves the unstable tree. */
static void flush_all_unstable(struct ksm_state *k)
{
	struct ksm_mm_slot *slot;

	/* The analyzer, following run=2's cursor to the list's end, takes
	 * a link of the list for NULL. */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	list_for_each_entry(slot, &k->mm_head, mm_node)
		slot_flush_unstable(k, slot);
}

/* scan_get_next_rmap_item(): NULL at the end of a pass (full_scans
 * grows), with an empty list, or when an allocation failed. */
static struct ksm_rmap_item *scan_get_next_rmap_item(struct ksm_state *k,
						     struct page **pagep)
{
	struct ksm_mm_slot *slot;
	struct ksm_rmap_item *item;
	bool busy, oom = false;

	if (list_empty(&k->mm_head))
		return NULL;
	if (!k->scan_slot) {
		/* The unstable tree is empty here (end_pass). */
		k->scan_slot = list_first_entry(&k->mm_head, struct ksm_mm_slot,
						mm_node);
		k->scan_address = 0;
		k->scan_rmap_list = &k->scan_slot->rmap_list;
	}
	for (;;) {
		slot = k->scan_slot;
		busy = false;
		item = scan_mm(k, slot, pagep, &busy, &oom);
		if (item || oom)
			return item;
		if (busy) {
			/* Passed over this time: its items leave the
			 * unstable tree, which outlives no pass. */
			slot_flush_unstable(k, slot);
		} else {
			/* The mm is done: the items above the cursor had
			 * no VM_MERGEABLE VMA (remove_trailing_rmap_items). */
			remove_trailing_rmap_items(k, k->scan_rmap_list);
			/* None at all: unregistered, as __ksm_exit would
			 * (MMF_VM_MERGEABLE clear). */
			if (k->scan_address == 0) {
				cursor_past(k, slot);
				list_del(&slot->mm_node);
				slot->mm->ksm_slot = NULL;
				kmem_cache_free(k->slot_cache, slot);
				if (!k->scan_slot)
					return NULL;
				continue;
			}
		}
		cursor_past(k, slot);
		if (!k->scan_slot)
			return NULL;
	}
}

/* ksm_do_scan(): the pages scanned. */
static unsigned long ksm_do_scan(struct ksm_state *k, unsigned int npages)
{
	unsigned long scanned = 0;
	struct ksm_rmap_item *item;
	struct page *page;

	while (npages--) {
		item = scan_get_next_rmap_item(k, &page);
		if (!item)
			break;
		cmp_and_merge_page(k, page, item);
		put_page(page);
		k->pages_scanned++;
		scanned++;
	}
	return scanned;
}

long mmk_ksm_scan(unsigned long batches)
{
	struct ksm_state *k;
	unsigned long scanned = 0, seqnr, i;

	if (!mmk_cur() || !mmk_cur()->mm)
		return -EINVAL;
	k = ksm_state();
	pthread_mutex_lock(&k->lock);
	seqnr = k->seqnr;
	for (i = 0; batches ? i < batches : k->seqnr == seqnr; i++) {
		/* ksmd_should_run() */
		if (k->run != KSM_RUN_MERGE || k->unmerging ||
		    list_empty(&k->mm_head) || !k->pages_to_scan)
			break;
		scanned += ksm_do_scan(k, k->pages_to_scan);
		/* No batch without progress can end a pass: a busy mm. */
		if (!batches && i > (1UL << 20))
			break;
	}
	pthread_mutex_unlock(&k->lock);
	return (long)scanned;
}

/* ---- unmerging ---- */

/*
 * unmerge_ksm_pages(): every KSM page mapped in [start, end) of @vma is
 * copied by an unshare fault (break_ksm), under the mmap lock the caller
 * holds. 0, or -ENOMEM with the pages before the failing one unmerged.
 */
static int unmerge_ksm_pages(struct vm_area_struct *vma, unsigned long start,
			     unsigned long end)
{
	unsigned long addr;
	int err;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		err = break_ksm(vma->vm_mm, vma, addr);
		if (err)
			return err;
	}
	return 0;
}

/* ksm_compatible(): memory KSM may merge, by its VMA's flags. */
static bool ksm_compatible(unsigned long vm_flags)
{
	return !(vm_flags & (VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO |
			     VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP));
}

static bool vma_ksm_compatible(const struct vm_area_struct *vma)
{
	return ksm_compatible(vma->vm_flags);
}

int ksm_madvise(struct vm_area_struct *vma, unsigned long start,
		unsigned long end, int advice, unsigned long *vm_flags)
{
	int err;

	if (advice == MADV_MERGEABLE) {
		if ((*vm_flags & VM_MERGEABLE) || !vma_ksm_compatible(vma))
			return 0;
		err = __ksm_enter(vma->vm_mm);
		if (err)
			return err;
		*vm_flags |= VM_MERGEABLE;
		return 0;
	}
	/* MADV_UNMERGEABLE */
	if (!(*vm_flags & VM_MERGEABLE))
		return 0;
	if (vma->anon_vma) {
		err = unmerge_ksm_pages(vma, start, end);
		if (err)
			return err;
	}
	*vm_flags &= ~VM_MERGEABLE;
	return 0;
}

/* ---- PR_SET_MEMORY_MERGE ---- */

unsigned long ksm_vma_flags(struct mm_struct *mm, unsigned long vm_flags)
{
	if (!mm->merge_any || (vm_flags & VM_MERGEABLE) ||
	    !ksm_compatible(vm_flags))
		return vm_flags;
	/* ksmd lets an mm with nothing to scan go (its slot, not
	 * MMF_VM_MERGE_ANY): back on its list, an error ignored as Linux
	 * does. */
	__ksm_enter(mm);
	return vm_flags | VM_MERGEABLE;
}

/* ksm_add_vmas(): every compatible VMA becomes VM_MERGEABLE, in place
 * (no split, no merge). */
static void ksm_add_vmas(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, vma)
		if (vma_ksm_compatible(vma))
			vma->vm_flags |= VM_MERGEABLE;
}

int ksm_enable_merge_any(struct mm_struct *mm)
{
	int err;

	if (mm->merge_any)
		return 0;
	err = __ksm_enter(mm);
	if (err)
		return err;
	__atomic_store_n(&mm->merge_any, true, __ATOMIC_RELAXED);
	ksm_add_vmas(mm);
	return 0;
}

int ksm_disable_merge_any(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	int err = 0;

	if (!mm->merge_any)
		return 0;
	/* ksm_del_vmas(): every VM_MERGEABLE VMA, madvised ones too, is
	 * unmerged; a failure puts the flags back on all. */
	for_each_vma(mm, vma) {
		if (!(vma->vm_flags & VM_MERGEABLE))
			continue;
		if (vma->anon_vma) {
			err = unmerge_ksm_pages(vma, vma->vm_start,
						vma->vm_end);
			if (err)
				break;
		}
		vma->vm_flags &= ~VM_MERGEABLE;
	}
	if (err) {
		ksm_add_vmas(mm);
		return err;
	}
	__atomic_store_n(&mm->merge_any, false, __ATOMIC_RELAXED);
	return 0;
}

/*
 * remove_all_stable_nodes(): the nodes whose page is stale or mapped no
 * more go (such a page stays KSM without a node until freed). -EBUSY if
 * a mapped (or isolated) KSM page kept its node.
 */
static int remove_all_stable_nodes(struct ksm_state *k)
{
	struct avl_node *n = avl_first(&k->stable_tree), *next;
	int err = 0;

	for (; n; n = next) {
		struct ksm_stable_node *node =
			container_of(n, struct ksm_stable_node, node);
		bool busy;
		struct page *page = node_get_page(node, &busy);

		next = avl_next(n);
		if (busy || (page && page_mapcount(page))) {
			put_page(page);
			err = -EBUSY;
			continue;
		}
		if (page) {
			set_page_stable_node(page, NULL);
			put_page(page);
		}
		remove_node_from_stable_tree(k, node);
	}
	return err;
}

/*
 * unmerge_and_remove_all_rmap_items() (run=2), with the KSM lock held:
 * each registered mm's KSM pages are unmerged and its items freed. Each
 * mm's lock is taken with the KSM lock dropped (section 5); the cursor
 * walks the list as Linux's does, so that an exit meanwhile moves it.
 */
static int unmerge_and_remove_all_rmap_items(struct ksm_state *k)
{
	struct vm_area_struct *vma;
	struct ksm_mm_slot *slot;
	struct mm_struct *mm;
	int err = 0;

	k->scan_slot = list_empty(&k->mm_head) ?
			       NULL :
			       list_first_entry(&k->mm_head, struct ksm_mm_slot,
						mm_node);
	while (!err && (slot = k->scan_slot)) {
		mm = slot->mm;
		if (!mmget_not_zero(mm)) {
			cursor_past(k, slot);
			continue;
		}
		pthread_mutex_unlock(&k->lock);
		mmap_write_lock(mm);
		pthread_mutex_lock(&k->lock);
		if (k->scan_slot == slot && mm->ksm_slot == slot) {
			for_each_vma(mm, vma) {
				if (!(vma->vm_flags & VM_MERGEABLE) ||
				    !vma->anon_vma)
					continue;
				err = unmerge_ksm_pages(vma, vma->vm_start,
							vma->vm_end);
				if (err)
					break;
			}
			if (!err) {
				remove_trailing_rmap_items(k, &slot->rmap_list);
				cursor_past(k, slot);
			}
		}
		mmap_write_unlock(mm);
		pthread_mutex_unlock(&k->lock);
		mmput(mm);
		pthread_mutex_lock(&k->lock);
	}
	/* The next scan starts a pass: the items left (of mms not
	 * reached) leave the unstable tree. */
	k->scan_slot = NULL;
	flush_all_unstable(k);
	if (err)
		return err;
	remove_all_stable_nodes(k);
	k->seqnr = 0;
	return 0;
}

/* kstrtobool() of a number */
static int knob_bool(unsigned long value, bool *b)
{
	if (value > 1)
		return -EINVAL;
	*b = value;
	return 0;
}

int mmk_ksm_set(const char *name, unsigned long value)
{
	struct ksm_state *k;
	int err = 0;
	bool b;

	if (!mmk_cur() || !mmk_cur()->mm || !name)
		return -EINVAL;
	k = ksm_state();
	pthread_mutex_lock(&k->lock);
	/* Another thread's run=2 first (it drops the lock at times). */
	while (k->unmerging) {
		pthread_mutex_unlock(&k->lock);
		mmk_host_yield();
		pthread_mutex_lock(&k->lock);
	}
	if (!strcmp(name, "run")) {
		if (value > KSM_RUN_UNMERGE) {
			err = -EINVAL;
		} else if (k->run != value) {
			k->run = value;
			if (value == KSM_RUN_UNMERGE) {
				k->unmerging = true;
				err = unmerge_and_remove_all_rmap_items(k);
				k->unmerging = false;
				if (err)
					k->run = KSM_RUN_STOP;
			}
		}
	} else if (!strcmp(name, "pages_to_scan") ||
		   !strcmp(name, "sleep_millisecs")) {
		if (value > UINT_MAX)
			err = -EINVAL;
		else if (name[0] == 'p')
			k->pages_to_scan = (unsigned int)value;
		else
			k->sleep_millisecs = (unsigned int)value;
	} else if (!strcmp(name, "max_page_sharing")) {
		if (value < 2 || value > INT_MAX)
			err = -EINVAL;
		else if (value != k->max_page_sharing &&
			 (k->pages_shared || remove_all_stable_nodes(k)))
			err = -EBUSY;
		else
			k->max_page_sharing = (unsigned int)value;
	} else if (!strcmp(name, "smart_scan")) {
		err = knob_bool(value, &b);
		if (!err)
			k->smart_scan = b;
	} else if (!strcmp(name, "use_zero_pages")) {
		/* Section 4: only 0. */
		err = knob_bool(value, &b) ? -EINVAL : b ? -EINVAL : 0;
	} else if (!strcmp(name, "merge_across_nodes") &&
		   mmk_cur()->arch->numa) {
		/* Section 4: only 1. */
		err = value == 1 ? 0 : -EINVAL;
	} else {
		err = -EINVAL;
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

/*
 * stable_node_chains, or with @dups stable_node_dups: the runs of two or
 * more live nodes of identical content in the stable tree (what Linux
 * keeps as chains of duplicates), or the nodes in them.
 */
static long count_chains(struct ksm_state *k, bool dups)
{
	const struct avl_node *n = avl_first(&k->stable_tree);
	long chains = 0, nodes = 0;

	while (n) {
		bool busy;
		struct page *page = node_get_page(
			container_of(n, struct ksm_stable_node, node), &busy);
		const struct avl_node *next = avl_next(n);
		long run = 1;

		while (page && same_content(k, next, page)) {
			run++;
			next = avl_next(next);
		}
		put_page(page);
		if (run > 1) {
			chains++;
			nodes += run;
		}
		n = next;
	}
	return dups ? nodes : chains;
}

int ksm_sysfs_value(struct mmk_machine *m, const char *name, long *val)
{
	struct ksm_state *k = m->mm ? m->mm->ksm : NULL;
	long v;

	if (!k)
		return -ENOENT;
	pthread_mutex_lock(&k->lock);
	if (!strcmp(name, "run"))
		v = (long)k->run;
	else if (!strcmp(name, "pages_to_scan"))
		v = k->pages_to_scan;
	else if (!strcmp(name, "sleep_millisecs"))
		v = k->sleep_millisecs;
	else if (!strcmp(name, "max_page_sharing"))
		v = k->max_page_sharing;
	else if (!strcmp(name, "merge_across_nodes") && m->arch->numa)
		v = 1;
	else if (!strcmp(name, "use_zero_pages") ||
		 !strcmp(name, "ksm_zero_pages"))
		v = 0;
	else if (!strcmp(name, "stable_node_chains"))
		v = count_chains(k, false);
	else if (!strcmp(name, "stable_node_dups"))
		v = count_chains(k, true);
	else if (!strcmp(name, "smart_scan"))
		v = k->smart_scan;
	else if (!strcmp(name, "pages_shared"))
		v = k->pages_shared;
	else if (!strcmp(name, "pages_sharing"))
		v = k->pages_sharing;
	else if (!strcmp(name, "pages_unshared"))
		v = k->pages_unshared;
	else if (!strcmp(name, "pages_volatile"))
		/* "Not worth any locking": never shown negative. */
		v = max(k->rmap_items - k->pages_shared - k->pages_sharing -
				k->pages_unshared,
			0L);
	else if (!strcmp(name, "pages_scanned"))
		v = (long)k->pages_scanned;
	else if (!strcmp(name, "pages_skipped"))
		v = (long)k->pages_skipped;
	else if (!strcmp(name, "full_scans"))
		v = (long)k->seqnr;
	else if (!strcmp(name, "general_profit"))
		v = k->pages_sharing * (long)PAGE_SIZE -
		    k->rmap_items * LINUX_RMAP_ITEM_SIZE;
	else
		v = LONG_MIN;
	pthread_mutex_unlock(&k->lock);
	if (v == LONG_MIN)
		return -ENOENT;
	*val = v;
	return 0;
}

void ksm_process_counts(const struct mm_struct *mm, long *items, long *merging)
{
	struct ksm_state *k = mm->machine->mm->ksm;

	pthread_mutex_lock(&k->lock);
	*items = mm->ksm_slot ? mm->ksm_slot->rmap_items : 0;
	*merging = mm->ksm_slot ? mm->ksm_slot->merging_pages : 0;
	pthread_mutex_unlock(&k->lock);
}

long ksm_process_profit(const struct mm_struct *mm)
{
	long items, merging;

	ksm_process_counts(mm, &items, &merging);
	return merging * (long)PAGE_SIZE - items * LINUX_RMAP_ITEM_SIZE;
}

bool ksm_process_mergeable(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	for_each_vma(mm, vma)
		if (vma->vm_flags & VM_MERGEABLE)
			return true;
	return false;
}

/* ---- verifier ---- */

/*
 * The entry of @addr in @vma maps the KSM page @page: has @page a stable
 * node of its own, in the stable tree? (The node's items need not reach
 * every mapping: a fork maps the page before ksmd scans it, and a fork
 * from before the parent registered, or an mremap of its mapping, may
 * never be; Linux's rmap_walk_ksm misses those too.) Called under the
 * rmap lock; true when the KSM lock is busy (nothing to say then).
 */
bool ksm_mapping_reachable(const struct page *page,
			   const struct vm_area_struct *vma, unsigned long addr)
{
	struct ksm_state *k = ksm_state();
	const struct ksm_stable_node *node = page_stable_node(page);
	const struct avl_node *n;
	bool ok = false;

	(void)vma;
	(void)addr;
	if (pthread_mutex_trylock(&k->lock))
		return true;
	if (node && node_page(node) == page) {
		for (n = &node->node; n->parent; n = n->parent)
			;
		ok = n == k->stable_tree.node;
	}
	pthread_mutex_unlock(&k->lock);
	return ok;
}

struct ksm_census {
	long shared, sharing, unshared, items;
};

static bool verify_slot(struct ksm_state *k, const struct ksm_mm_slot *slot,
			struct ksm_census *c, char *why, size_t len)
{
	const struct ksm_rmap_item *item;
	unsigned long last = 0;
	long n = 0, stable = 0;
	int pid = slot->mm->owner ? slot->mm->owner->pid : 0;

	if (slot->mm->ksm_slot != slot)
		return verify_fail(why, len,
				   "ksm: pid %d: its mm_slot is not its own",
				   pid);
	for (item = slot->rmap_list; item; item = item->rmap_list) {
		unsigned long addr = item->address & PAGE_MASK;

		if ((n && addr <= last) || item->mm != slot->mm)
			return verify_fail(
				why, len,
				"ksm: pid %d: rmap_item %#lx out of order or of another mm",
				pid, addr);
		last = addr;
		n++;
		if (item->address & STABLE_FLAG) {
			const struct ksm_rmap_item *i;
			bool on = false;

			stable++;
			list_for_each_entry(i, &item->head->hlist, hlist)
				on |= i == item;
			if (!on || !item->anon_vma)
				return verify_fail(
					why, len,
					"ksm: pid %d: stable rmap_item %#lx is not on its node's list",
					pid, addr);
		} else if (item->address & UNSTABLE_FLAG) {
			c->unshared++;
		}
	}
	(void)k;
	c->items += n;
	if (n != slot->rmap_items || stable != slot->merging_pages)
		return verify_fail(
			why, len,
			"ksm: pid %d: ksm_rmap_items %ld, ksm_merging_pages %ld; counted %ld and %ld",
			pid, slot->rmap_items, slot->merging_pages, n, stable);
	return true;
}

static bool verify_stable_tree(struct ksm_state *k, struct ksm_census *c,
			       char *why, size_t len)
{
	const struct avl_node *n;
	const struct page *prev = NULL;

	if (avl_verify(&k->stable_tree) < 0 ||
	    avl_verify(&k->unstable_tree) < 0)
		return verify_fail(why, len, "ksm: a tree is unbalanced");
	for (n = avl_first(&k->stable_tree); n; n = avl_next(n)) {
		const struct ksm_stable_node *node =
			container_of(n, struct ksm_stable_node, node);
		const struct ksm_rmap_item *item;
		const struct page *page = node_page(node);
		int len_seen = 0;

		list_for_each_entry(item, &node->hlist, hlist) {
			len_seen++;
			if (item->head != node ||
			    !(item->address & STABLE_FLAG))
				return verify_fail(
					why, len,
					"ksm: stable node of pfn %#lx lists an rmap_item not its own",
					node->kpfn);
		}
		if (len_seen != node->rmap_hlist_len)
			return verify_fail(
				why, len,
				"ksm: stable node of pfn %#lx: rmap_hlist_len %d, %d on its list",
				node->kpfn, node->rmap_hlist_len, len_seen);
		if (len_seen) {
			c->shared++;
			c->sharing += len_seen - 1;
		}
		if (!page)
			continue;
		if (prev && memcmp_pages(k, prev, page) > 0)
			return verify_fail(
				why, len,
				"ksm: stable tree out of content order at pfn %#lx",
				node->kpfn);
		prev = page;
	}
	return true;
}

bool ksm_verify(struct mmk_machine *m, char *why, size_t len)
{
	struct ksm_state *k = m->mm ? m->mm->ksm : NULL;
	const struct ksm_mm_slot *slot;
	struct ksm_census c = { 0 };
	bool ok = true;

	if (!k)
		return true;
	pthread_mutex_lock(&k->lock);
	list_for_each_entry(slot, &k->mm_head, mm_node)
		if (ok)
			ok = verify_slot(k, slot, &c, why, len);
	if (ok)
		ok = verify_stable_tree(k, &c, why, len);
	if (ok &&
	    (c.shared != k->pages_shared || c.sharing != k->pages_sharing ||
	     c.unshared != k->pages_unshared || c.items != k->rmap_items))
		ok = verify_fail(
			why, len,
			"ksm: pages_shared %ld, pages_sharing %ld, pages_unshared %ld, rmap_items %ld; counted %ld, %ld, %ld, %ld",
			k->pages_shared, k->pages_sharing, k->pages_unshared,
			k->rmap_items, c.shared, c.sharing, c.unshared,
			c.items);
	if (ok && avl_verify(&k->unstable_tree) > c.unshared)
		ok = verify_fail(
			why, len,
			"ksm: the unstable tree holds more than pages_unshared");
	pthread_mutex_unlock(&k->lock);
	return ok;
}
