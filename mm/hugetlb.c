/* SPDX-License-Identifier: MIT */
/*
 * HugeTLB pages (Linux's mm/hugetlb.c and fs/hugetlbfs/inode.c, for the
 * default huge page size).
 *
 * 1. What it models.
 *    - The pool (struct hstate): huge pages are compound pages of the
 *      profile's PMD order (9 on x86_64: 2 MiB; 10 on i386: 4 MiB),
 *      page_type hugetlb, taken from the page allocator on a node in
 *      turn when vm.nr_hugepages (or a node's nr_hugepages) grows, kept
 *      on per-node free lists, and given back when it shrinks. Pages in
 *      use beyond the target become surplus pages, freed to the page
 *      allocator when their last user goes; vm.nr_overcommit_hugepages
 *      lets reservations and faults take that many surplus pages beyond
 *      the pool. htlb_buddy_alloc_success/_fail count the allocations,
 *      nr_hugetlb the base pages of the huge pages in use.
 *    - MAP_HUGETLB: an anonymous file ("/anon_hugepage (deleted)") per
 *      mapping, private or shared; length rounded up to the huge page
 *      size, address aligned to it (an unaligned MAP_FIXED address is
 *      EINVAL); VM_HUGETLB | VM_DONTEXPAND (so such VMAs never merge),
 *      no commit charge. Reservations (hugetlb_reserve_pages): a shared
 *      mapping reserves the file's pages that have neither a page nor a
 *      reservation, a private one all its pages (its VMA is the
 *      HPAGE_RESV_OWNER); MAP_NORESERVE none. Not enough free pages for
 *      them, even with surplus ones, is ENOMEM. HugePages_Rsvd counts
 *      reservations not yet consumed. The file goes with its last
 *      reference, at the end of the system call that dropped it (Linux's
 *      deferred fput): its pages, then its reservations. The owner's
 *      MADV_DONTNEED or munmap gives an anonymous page's reservation
 *      back when the page is freed, if the pool has no surplus pages
 *      (so HugePages_Rsvd dips meanwhile when a fork child still maps
 *      it, as in Linux). MADV_REMOVE of a shared mapping punches whole
 *      huge pages out of the file and of every process.
 *    - Faults (hugetlb_fault): the PMD entry (i386: the PGD entry) maps
 *      the whole huge page, with the PSE bit. A fault with no entry takes
 *      the page from the shared file's cache, or allocates one, zeroed,
 *      consuming the reservation of its index if there is one, else
 *      needing a free unreserved page or a surplus one: none is SIGBUS.
 *      A private page is mapped read-only, then a write fault reuses it
 *      if only this mapping has it or copies it (hugetlb_wp). When the
 *      owner's copy finds no page, the page is taken from the other
 *      processes that map it (unmap_ref_private): their VMAs are marked
 *      HPAGE_RESV_UNMAPPED and their later faults there are SIGBUS.
 *    - Fork copies the entries of a private mapping that has pages (its
 *      anon_vma), write-protected in both; a shared one's child faults
 *      its pages from the file. The child's VMA owns no reservation.
 *    - munmap, mprotect, mremap and madvise split only at huge page
 *      boundaries (hugetlb_may_split: EINVAL otherwise); zap, mprotect
 *      and mremap act on whole entries. A move by mremap gives the new
 *      VMA the reservations of the range moved and leaves those of the
 *      rest of the old VMA to nobody (clear_vma_resv_huge_pages): they
 *      stay in HugePages_Rsvd for good, as in Linux.
 *    - Counters: hugetlb pages are not in RSS; mm->hugetlb_usage is
 *      HugetlbPages in /proc/PID/status, smaps counts Private_Hugetlb
 *      (mapped once) and Shared_Hugetlb (more than once).
 *
 * 2. Objects. hstate -> per-node free lists of head pages (lru);
 *    struct file -> struct hugetlb_file (reservation bytes, shared page
 *    cache); PMD entries -> head pages, whose refcount is one per entry
 *    plus one for the cache, and whose page[1]._mapcount counts entries
 *    (Linux's _entire_mapcount).
 *
 * 3. Invariants (hugetlb_verify). The per-node counters sum to the
 *    global ones; each free list holds free_huge_pages_node pages, all
 *    of refcount 0; the files' reservations and the orphaned ones are
 *    resv_huge_pages plus those pending on pages in use; surplus <=
 *    total; every huge entry maps the head of an in-use hugetlb page
 *    inside a VM_HUGETLB VMA, a page's mapcount is its entries in all
 *    processes and its refcount those plus the cache's; hugetlb_usage is
 *    the process's entries.
 *
 * 4. Departures. One huge page size: x86_64's 1 GiB pool is always
 *    empty (MAP_HUGE_1GB is ENOMEM, even with MAP_NORESERVE); no hugetlbfs
 *    mounts, SysV SHM_HUGETLB or memfd MFD_HUGETLB; no subpools, cgroup
 *    limits, demotion, vmemmap optimisation, PMD sharing or migration of
 *    huge pages; pages come from the page allocator with
 *    __GFP_RETRY_MAYFAIL, without Linux's retries and node masks; no
 *    hugepages= boot parameter. unmap_ref_private only tries the other
 *    mappers' mmap locks: one held by a thread running that process
 *    keeps its page and the owner's write is SIGBUS.
 *
 * 5. Ordering. hugetlb_lock (hstate's) nests inside the mmap lock; it
 *    guards the pool, the reservations and the files' page caches.
 *
 * 6. Observability. /proc/meminfo HugePages_* and Hugetlb, sysctl
 *    vm.nr_hugepages and vm.nr_overcommit_hugepages,
 *    /sys/kernel/mm/hugepages/hugepages-NkB/ and the nodes', show_mem's
 *    "Node N hugepages_total=..." lines, smaps, status HugetlbPages.
 */
#include "mm/hugetlb.h"
#include "proc/seq.h"

#include <mmkit/slab.h>
#include <mmkit/vmalloc.h>
#include <limits.h>
#include <string.h>

struct hstate {
	pthread_mutex_t lock; /* hugetlb_lock */
	unsigned int order;
	unsigned long nr_huge_pages, free_huge_pages, resv_huge_pages;
	unsigned long surplus_huge_pages, nr_overcommit_huge_pages;
	/* Reservations no VMA owns any more (hugetlb_mremap_orphan()). */
	unsigned long resv_orphaned;
	/* Pages in use whose reservation is given back when they are freed
	 * (PG_private_2: Linux's hugetlb_restore_reserve). */
	unsigned long resv_pending;
	unsigned long nr_huge_pages_node[MAX_NUMNODES];
	unsigned long free_huge_pages_node[MAX_NUMNODES];
	unsigned long surplus_huge_pages_node[MAX_NUMNODES];
	struct list_head freelists[MAX_NUMNODES];
	int next_nid_to_alloc, next_nid_to_free;
};

/* VM_FAULT_* of mm/memory.c. */
enum {
	HT_FAULT_OK = 0,
	HT_FAULT_SIGBUS = MMK_SIGBUS,
	HT_FAULT_OOM = MMK_SIGKILL
};

static void free_huge_page(struct mmk_machine *m, struct page *page);

static struct hstate *hstate_of(struct mmk_machine *m)
{
	return m->mm->hstate;
}

unsigned int huge_page_order(const struct mmk_machine *m)
{
	/* The profile's Hugepagesize, in pages. */
	return (unsigned int)__builtin_ctzl(m->arch->hugepage_kb >>
					    (PAGE_SHIFT - 10));
}

static unsigned long pages_per_huge_page(const struct hstate *h)
{
	return 1UL << h->order;
}

int hugetlb_init(struct mmk_machine *m)
{
	struct hstate *h = mmk_machine_zalloc(m, sizeof(*h));
	int nid;

	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->lock, NULL);
	h->order = huge_page_order(m);
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		INIT_LIST_HEAD(&h->freelists[nid]);
	m->mm->hstate = h;
	m->free_huge_page = free_huge_page;
	return 0;
}

unsigned long hugetlb_total_pages(struct mmk_machine *m)
{
	struct hstate *h = m->mm ? hstate_of(m) : NULL;
	unsigned long n;

	if (!h)
		return 0;
	pthread_mutex_lock(&h->lock);
	n = h->nr_huge_pages << h->order;
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* ---- the pool ---- */

static bool node_has_memory(struct mmk_machine *m, int nid)
{
	return m->node_data[nid] && m->node_data[nid]->node_present_pages;
}

/* The next node with memory after @nid, round robin. */
static int next_node(struct mmk_machine *m, int nid)
{
	int i;

	for (i = 0; i < m->nr_nodes; i++) {
		nid = (nid + 1) % m->nr_nodes;
		if (node_has_memory(m, nid))
			return nid;
	}
	return 0;
}

/* alloc_buddy_hugetlb_folio(): a new huge page from node @nid. */
static struct page *alloc_buddy_huge_page(struct mmk_machine *m,
					  struct hstate *h, int nid)
{
	struct page *page = __alloc_pages(
		GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_THISNODE |
			__GFP_NOWARN | __GFP_RETRY_MAYFAIL,
		h->order, nid, 0);

	count_vm_events(
		m, page ? HTLB_BUDDY_ALLOC_SUCCESS : HTLB_BUDDY_ALLOC_FAIL, 1);
	if (!page)
		return NULL;
	page->page_type = PGTY_hugetlb << 24;
	atomic_store(&page[1]._mapcount, 0);
	/* Frozen while free: alloc_huge_page() gives it its reference. */
	atomic_store(&page->_refcount, 0);
	return page;
}

/* The page goes back to the page allocator (update_and_free_hugetlb_folio). */
static void free_buddy_huge_page(struct mmk_machine *m, struct hstate *h,
				 struct page *page)
{
	(void)m;
	page->page_type = 0;
	atomic_store(&page[1]._mapcount, 0);
	atomic_store(&page->_refcount, 1);
	__free_pages(page, h->order);
}

static void enqueue_huge_page(struct hstate *h, struct page *page)
{
	int nid = page_to_nid(page);

	list_add(&page->lru, &h->freelists[nid]);
	h->free_huge_pages++;
	h->free_huge_pages_node[nid]++;
}

static struct page *dequeue_from_node(struct hstate *h, int nid)
{
	struct page *page;

	if (list_empty(&h->freelists[nid]))
		return NULL;
	page = list_first_entry(&h->freelists[nid], struct page, lru);
	list_del(&page->lru);
	h->free_huge_pages--;
	h->free_huge_pages_node[nid]--;
	return page;
}

/* A free page, from @nid first, then the other nodes in order. */
static struct page *dequeue_huge_page(struct mmk_machine *m, struct hstate *h,
				      int nid)
{
	struct page *page = dequeue_from_node(h, nid);
	int i;

	for (i = 0; !page && i < m->nr_nodes; i++)
		page = dequeue_from_node(h, i);
	return page;
}

static void account_new(struct hstate *h, struct page *page, bool surplus)
{
	int nid = page_to_nid(page);

	h->nr_huge_pages++;
	h->nr_huge_pages_node[nid]++;
	if (surplus) {
		h->surplus_huge_pages++;
		h->surplus_huge_pages_node[nid]++;
	}
}

static void account_gone(struct hstate *h, struct page *page, bool surplus)
{
	int nid = page_to_nid(page);

	h->nr_huge_pages--;
	h->nr_huge_pages_node[nid]--;
	if (surplus) {
		h->surplus_huge_pages--;
		h->surplus_huge_pages_node[nid]--;
	}
}

/* alloc_surplus_hugetlb_folio(), hugetlb_lock held (dropped around the
 * page allocator): NULL once the overcommit is used up. */
static struct page *alloc_surplus_page(struct mmk_machine *m, struct hstate *h,
				       int nid)
{
	struct page *page;

	if (h->surplus_huge_pages >= h->nr_overcommit_huge_pages)
		return NULL;
	pthread_mutex_unlock(&h->lock);
	page = alloc_buddy_huge_page(m, h, nid);
	pthread_mutex_lock(&h->lock);
	if (!page)
		return NULL;
	if (h->surplus_huge_pages >= h->nr_overcommit_huge_pages) {
		pthread_mutex_unlock(&h->lock);
		free_buddy_huge_page(m, h, page);
		pthread_mutex_lock(&h->lock);
		return NULL;
	}
	account_new(h, page, true);
	return page;
}

/* free_huge_folio(): the last reference went. */
static void free_huge_page(struct mmk_machine *m, struct page *page)
{
	struct hstate *h = hstate_of(m);
	int nid = page_to_nid(page);

	/* The last reference goes with the last mapping, or after. */
	VM_BUG_ON_PAGE(atomic_load(&page[1]._mapcount) != 0, page);
	page_set_mapping(page, NULL);
	page_flag_clear(page, PG_dirty);
	/* nr_hugetlb: the pages in use. */
	atomic_fetch_sub(&m->node_stat[nid][NR_HUGETLB],
			 (long)pages_per_huge_page(h));
	pthread_mutex_lock(&h->lock);
	if (test_page_flag(page, PG_private_2)) {
		page_flag_clear(page, PG_private_2);
		h->resv_pending--;
		h->resv_huge_pages++;
	}
	if (h->surplus_huge_pages_node[nid]) {
		account_gone(h, page, true);
		pthread_mutex_unlock(&h->lock);
		free_buddy_huge_page(m, h, page);
		return;
	}
	enqueue_huge_page(h, page);
	pthread_mutex_unlock(&h->lock);
}

static void put_huge_page(struct mmk_machine *m, struct page *page)
{
	if (atomic_fetch_sub(&page->_refcount, 1) == 1)
		free_huge_page(m, page);
}

/* Persistent pages: the pool less its surplus. */
static unsigned long persistent(const struct hstate *h, int nid)
{
	if (nid < 0)
		return h->nr_huge_pages - h->surplus_huge_pages;
	return h->nr_huge_pages_node[nid] - h->surplus_huge_pages_node[nid];
}

/* adjust_pool_surplus(): a surplus page becomes persistent (@delta -1)
 * or a persistent page surplus (+1), on @nid or any node. */
static bool adjust_pool_surplus(struct mmk_machine *m, struct hstate *h,
				int nid, int delta)
{
	int i;

	for (i = 0; i < m->nr_nodes; i++) {
		int n = nid >= 0 ? nid : i;

		if (delta < 0 && h->surplus_huge_pages_node[n]) {
			h->surplus_huge_pages_node[n]--;
			h->surplus_huge_pages--;
			return true;
		}
		if (delta > 0 &&
		    h->surplus_huge_pages_node[n] < h->nr_huge_pages_node[n]) {
			h->surplus_huge_pages_node[n]++;
			h->surplus_huge_pages++;
			return true;
		}
		if (nid >= 0)
			break;
	}
	return false;
}

/* set_max_huge_pages(), under hugetlb_lock. */
static void set_max_huge_pages(struct mmk_machine *m, struct hstate *h, int nid,
			       unsigned long count)
{
	unsigned long min_count;

	/* A node's target counts the other nodes' pages in (Linux turns it
	 * into a global count the same way). */
	if (nid >= 0)
		count += persistent(h, -1) - persistent(h, nid);
	while (count > persistent(h, -1) && adjust_pool_surplus(m, h, nid, -1))
		;
	while (count > persistent(h, -1)) {
		int n = nid;
		struct page *page;

		if (n < 0)
			n = h->next_nid_to_alloc =
				next_node(m, h->next_nid_to_alloc);
		pthread_mutex_unlock(&h->lock);
		page = alloc_buddy_huge_page(m, h, n);
		pthread_mutex_lock(&h->lock);
		if (!page)
			break;
		account_new(h, page, false);
		enqueue_huge_page(h, page);
	}
	/* Free pages beyond the target go; those in use or reserved become
	 * surplus. */
	min_count = h->resv_huge_pages + h->nr_huge_pages - h->free_huge_pages;
	min_count = max(min_count, count);
	while (min_count < persistent(h, -1)) {
		struct page *page = NULL;
		int i;

		for (i = 0; !page && i < m->nr_nodes; i++) {
			int n = nid >= 0 ?
					nid :
					(h->next_nid_to_free + i) % m->nr_nodes;

			page = dequeue_from_node(h, n);
			if (nid >= 0)
				break;
		}
		if (!page)
			break;
		h->next_nid_to_free = (page_to_nid(page) + 1) % m->nr_nodes;
		account_gone(h, page, false);
		pthread_mutex_unlock(&h->lock);
		free_buddy_huge_page(m, h, page);
		pthread_mutex_lock(&h->lock);
	}
	while (count < persistent(h, -1) && adjust_pool_surplus(m, h, nid, 1))
		;
}

int mmk_set_nr_hugepages(int nid, unsigned long count)
{
	struct mmk_machine *m = mmk_cur();
	struct hstate *h;

	if (!m || !m->mm || nid >= (m ? m->nr_nodes : 0) || nid < -1)
		return -EINVAL;
	if (nid >= 0 && !node_has_memory(m, nid))
		return -EINVAL;
	h = hstate_of(m);
	pthread_mutex_lock(&h->lock);
	set_max_huge_pages(m, h, nid, count);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

long mmk_set_nr_overcommit_hugepages(unsigned long count)
{
	struct mmk_machine *m = mmk_cur();
	struct hstate *h;
	long old;

	if (!m || !m->mm || count > LONG_MAX)
		return -EINVAL;
	h = hstate_of(m);
	pthread_mutex_lock(&h->lock);
	old = (long)h->nr_overcommit_huge_pages;
	h->nr_overcommit_huge_pages = count;
	pthread_mutex_unlock(&h->lock);
	return old;
}

/* ---- reservations ---- */

/* @nr free pages of nodes with surplus pages go back to the page
 * allocator as surplus pages (remove_pool_hugetlb_folio with
 * acct_surplus). hugetlb_lock held. */
static void free_surplus(struct mmk_machine *m, struct hstate *h,
			 unsigned long nr)
{
	while (nr--) {
		struct page *page = NULL;
		int i;

		for (i = 0; !page && i < m->nr_nodes; i++)
			if (h->surplus_huge_pages_node[i])
				page = dequeue_from_node(h, i);
		if (!page)
			break;
		account_gone(h, page, true);
		pthread_mutex_unlock(&h->lock);
		free_buddy_huge_page(m, h, page);
		pthread_mutex_lock(&h->lock);
	}
}

/* return_unused_surplus_pages(): reservations @n fewer; free surplus
 * pages go with them. hugetlb_lock held. */
static void unreserve(struct mmk_machine *m, struct hstate *h, unsigned long n)
{
	h->resv_huge_pages -= n;
	free_surplus(m, h, min(n, h->surplus_huge_pages));
}

/* hugetlb_acct_memory(+n) with gather_surplus_pages(): -ENOMEM when the
 * free pages and the overcommit cannot cover @n more reservations; the
 * surplus pages allocated for them then go back at once. hugetlb_lock
 * held. */
static int reserve(struct mmk_machine *m, struct hstate *h, unsigned long n)
{
	int nid = numa_node_id();
	unsigned long allocated = 0;
	long needed;

	for (;;) {
		struct page *page;

		needed = (long)(h->resv_huge_pages + n) -
			 (long)h->free_huge_pages;
		if (needed <= 0)
			break;
		page = alloc_surplus_page(m, h, nid);
		if (!page)
			break;
		enqueue_huge_page(h, page);
		allocated++;
	}
	if (needed > 0) {
		free_surplus(m, h, allocated);
		return -ENOMEM;
	}
	h->resv_huge_pages += n;
	return 0;
}

/* A file's arrays come from vmalloc beyond this. */
#define HF_KMALLOC_MAX (64UL << 10)

static void *hugetlb_zalloc(size_t bytes)
{
	return bytes > HF_KMALLOC_MAX ? vzalloc(bytes) :
					kzalloc(bytes, GFP_KERNEL);
}

static void hugetlb_free(void *p, size_t bytes)
{
	if (bytes > HF_KMALLOC_MAX)
		vfree(p);
	else
		kfree(p);
}

struct file *hugetlb_file_setup(unsigned long size, bool shared)
{
	struct mmk_machine *m = mmk_cur();
	struct hugetlb_file *hf = kzalloc(sizeof(*hf), GFP_KERNEL);
	struct file *f;

	if (!hf)
		return NULL;
	hf->nr = size >> (PAGE_SHIFT + huge_page_order(m));
	hf->resv = hugetlb_zalloc(hf->nr);
	if (shared)
		hf->pages = hugetlb_zalloc(hf->nr * sizeof(struct page *));
	if (!hf->resv || (shared && !hf->pages) ||
	    !(f = hugetlbfs_file_alloc(size))) {
		if (hf->resv)
			hugetlb_free(hf->resv, hf->nr);
		if (hf->pages)
			hugetlb_free(hf->pages, hf->nr * sizeof(struct page *));
		kfree(hf);
		return NULL;
	}
	f->hugetlb = hf;
	return f;
}

/* The file index of @addr's huge page in @vma. */
static unsigned long vma_hugecache_offset(const struct vm_area_struct *vma,
					  unsigned long addr)
{
	unsigned int order = huge_page_order(vma->vm_mm->machine);

	return (vma->vm_pgoff >> order) +
	       ((addr - vma->vm_start) >> (PAGE_SHIFT + order));
}

int hugetlb_reserve_pages(struct vm_area_struct *vma)
{
	struct mmk_machine *m = vma->vm_mm->machine;
	struct hstate *h = hstate_of(m);
	struct hugetlb_file *hf = vma->vm_file->hugetlb;
	unsigned long from = vma_hugecache_offset(vma, vma->vm_start);
	unsigned long to = vma_hugecache_offset(vma, vma->vm_end), i, chg = 0;
	bool shared = vma->vm_flags & VM_MAYSHARE;
	int err;

	if (vma->vm_flags & VM_NORESERVE)
		return 0;
	pthread_mutex_lock(&h->lock);
	for (i = from; i < to; i++)
		if (!hf->resv[i] && !(shared && hf->pages[i]))
			chg++;
	err = reserve(m, h, chg);
	if (!err)
		for (i = from; i < to; i++)
			if (!(shared && hf->pages[i]))
				hf->resv[i] = 1;
	pthread_mutex_unlock(&h->lock);
	if (!err && !shared)
		vma->hugetlb_resv = HPAGE_RESV_OWNER;
	return err;
}

void hugetlb_vm_op_close(struct vm_area_struct *vma)
{
	struct mmk_machine *m = vma->vm_mm->machine;
	struct hstate *h = hstate_of(m);
	struct hugetlb_file *hf = vma->vm_file->hugetlb;
	unsigned long from, to, i, n = 0;

	if (!(vma->hugetlb_resv & HPAGE_RESV_OWNER))
		return;
	from = vma_hugecache_offset(vma, vma->vm_start);
	to = vma_hugecache_offset(vma, vma->vm_end);
	pthread_mutex_lock(&h->lock);
	for (i = from; i < to; i++) {
		n += hf->resv[i];
		hf->resv[i] = 0;
	}
	if (n)
		unreserve(m, h, n);
	pthread_mutex_unlock(&h->lock);
}

void hugetlb_mremap_orphan(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end)
{
	struct hstate *h = hstate_of(vma->vm_mm->machine);
	struct hugetlb_file *hf = vma->vm_file->hugetlb;
	unsigned long i, from, to, keep_from, keep_to;

	if (!(vma->hugetlb_resv & HPAGE_RESV_OWNER))
		return;
	from = vma_hugecache_offset(vma, vma->vm_start);
	to = vma_hugecache_offset(vma, vma->vm_end);
	keep_from = vma_hugecache_offset(vma, start);
	keep_to = vma_hugecache_offset(vma, end);
	pthread_mutex_lock(&h->lock);
	for (i = from; i < to; i++) {
		if ((i >= keep_from && i < keep_to) || !hf->resv[i])
			continue;
		hf->resv[i] = 0;
		h->resv_orphaned++;
	}
	pthread_mutex_unlock(&h->lock);
	vma->hugetlb_resv = 0;
}

void hugetlb_file_release(struct file *f)
{
	struct mmk_machine *m = f->machine;
	struct hstate *h = hstate_of(m);
	struct hugetlb_file *hf = f->hugetlb;
	unsigned long i, n = 0;

	/* remove_inode_hugepages(): the pages first (a surplus one goes to
	 * the page allocator), then hugetlb_unreserve_pages(). */
	if (hf->pages) {
		for (i = 0; i < hf->nr; i++)
			if (hf->pages[i])
				put_huge_page(m, hf->pages[i]);
		hugetlb_free(hf->pages, hf->nr * sizeof(struct page *));
	}
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < hf->nr; i++)
		n += hf->resv[i];
	if (n)
		unreserve(m, h, n);
	pthread_mutex_unlock(&h->lock);
	hugetlb_free(hf->resv, hf->nr);
	kfree(hf);
	f->hugetlb = NULL;
}

/* alloc_hugetlb_folio(): a page for index @idx of @vma, consuming its
 * reservation if it has one (@use_resv), zeroed or a copy of @from.
 * NULL: none free (SIGBUS). */
static struct page *alloc_huge_page(struct vm_area_struct *vma,
				    unsigned long addr, bool use_resv,
				    struct page *from)
{
	struct mmk_machine *m = vma->vm_mm->machine;
	struct hstate *h = hstate_of(m);
	struct hugetlb_file *hf = vma->vm_file->hugetlb;
	unsigned long idx = vma_hugecache_offset(vma, addr);
	int nid = vma_policy_node(vma, addr);
	struct page *page = NULL;

	pthread_mutex_lock(&h->lock);
	use_resv = use_resv && hf->resv[idx];
	/* (Linux's test: with reservations given back early, the count can
	 * be above the free pages for a while.) */
	if (use_resv || h->free_huge_pages - h->resv_huge_pages)
		page = dequeue_huge_page(m, h, nid);
	/* None free: a surplus page, within the overcommit, even for a
	 * reservation (alloc_buddy_hugetlb_folio_with_mpol). */
	if (!page)
		page = alloc_surplus_page(m, h, nid);
	if (page && use_resv) {
		hf->resv[idx] = 0;
		h->resv_huge_pages--;
	}
	pthread_mutex_unlock(&h->lock);
	if (!page)
		return NULL;
	VM_BUG_ON_PAGE(page_ref_count(page) != 0 ||
			       atomic_load(&page[1]._mapcount) != 0,
		       page);
	atomic_store(&page->_refcount, 1);
	atomic_fetch_add(&m->node_stat[page_to_nid(page)][NR_HUGETLB],
			 (long)pages_per_huge_page(h));
	if (from)
		copy_user_racy(page_host(m, page), page_host(m, from),
			       huge_page_size(m));
	else
		memset(page_host(m, page), 0, huge_page_size(m));
	return page;
}

/* ---- page tables ---- */

static int huge_level(const struct pt_format *f)
{
	return f->levels - 2;
}

/* The huge entry's slot of @addr: NULL if its tables are missing and not
 * @alloc (or their allocation failed: *@oom). */
static void *huge_pte_offset(struct mm_struct *mm, unsigned long addr,
			     bool alloc, bool *oom)
{
	return pt_entry(mm, addr, huge_level(pt_format_of(mm)), alloc, oom);
}

static void hugetlb_count(struct mm_struct *mm, int n)
{
	atomic_fetch_add(&mm->hugetlb_usage, (unsigned int)n);
}

static pte_t make_huge_pte(const struct pt_format *f,
			   const struct vm_area_struct *vma, struct page *page,
			   bool writable)
{
	pte_t e = mk_pte(f, page_to_pfn(page),
			 vma->vm_page_prot | _PAGE_PSE | _PAGE_ACCESSED);

	if (writable)
		e |= _PAGE_RW | _PAGE_DIRTY;
	else
		e &= ~_PAGE_RW;
	return e;
}

static void map_huge(struct mm_struct *mm, struct page *page)
{
	atomic_fetch_add(&page[1]._mapcount, 1);
	hugetlb_count(mm, 1);
}

static void unmap_huge(struct mm_struct *mm, struct page *page)
{
	atomic_fetch_sub(&page[1]._mapcount, 1);
	hugetlb_count(mm, -1);
	put_huge_page(mm->machine, page);
}

/* A private page only this entry holds (hugetlb_wp's reuse test). */
static bool huge_page_exclusive(const struct page *page)
{
	return page_ref_count(page) == 1 &&
	       atomic_load(&page[1]._mapcount) == 1;
}

/* Whether @vma maps file index @idx, at *@addr. */
static bool vma_maps_index(const struct vm_area_struct *vma, unsigned long idx,
			   unsigned long *addr)
{
	unsigned int shift = PAGE_SHIFT + huge_page_order(vma->vm_mm->machine);
	unsigned long first = vma_hugecache_offset(vma, vma->vm_start);

	if (idx < first ||
	    idx - first >= (vma->vm_end - vma->vm_start) >> shift)
		return false;
	*addr = vma->vm_start + ((idx - first) << shift);
	return true;
}

/*
 * unmap_ref_private(): the owner's COW found no page, so the other
 * processes mapping @page at @vma's index lose it; their VMAs remember
 * (HPAGE_RESV_UNMAPPED) and fault SIGBUS there from now on. The caller
 * holds its own mmap lock, so the others' are only tried: one that is
 * busy (a process running on another thread) keeps the page.
 */
static void unmap_ref_private(struct mm_struct *mm, struct vm_area_struct *vma,
			      struct page *page, unsigned long addr)
{
	struct file *file = vma->vm_file;
	unsigned long idx = vma_hugecache_offset(vma, addr);
	struct vm_area_struct *iter;

	pthread_mutex_lock(&file->lock);
	list_for_each_entry(iter, &file->i_mmap, i_mmap) {
		struct mm_struct *other = iter->vm_mm;
		const struct pt_format *f = pt_format_of(other);
		unsigned long a;
		void *slot;
		bool oom;
		pte_t e;

		if (iter == vma || !vma_maps_index(iter, idx, &a))
			continue;
		if (other != mm && !mmap_write_trylock(other))
			continue;
		slot = huge_pte_offset(other, a, false, &oom);
		e = slot ? pte_read(f, slot) : 0;
		if ((e & _PAGE_PSE) && pfn_to_page(pte_pfn(f, e)) == page) {
			iter->hugetlb_resv |= HPAGE_RESV_UNMAPPED;
			pte_write(f, slot, 0);
			flush_tlb_mm(other);
			unmap_huge(other, page);
		}
		if (other != mm)
			mmap_write_unlock(other);
	}
	pthread_mutex_unlock(&file->lock);
}

/* hugetlb_wp(): a write to a present read-only entry of a private
 * mapping. */
static int hugetlb_wp(struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long haddr, void *slot, pte_t e)
{
	const struct pt_format *f = pt_format_of(mm);
	struct page *old = pfn_to_page(pte_pfn(f, e)), *page;
	bool owner = vma->hugetlb_resv & HPAGE_RESV_OWNER;

	if (vma->vm_flags & VM_MAYSHARE) {
		pte_write(f, slot, e | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
		return HT_FAULT_OK;
	}
	if (huge_page_exclusive(old)) {
		pte_write(f, slot, e | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
		return HT_FAULT_OK;
	}
	page = alloc_huge_page(vma, haddr, false, old);
	if (!page) {
		if (!owner)
			return HT_FAULT_SIGBUS;
		/* The owner keeps its page: the others lose it. */
		unmap_ref_private(mm, vma, old, haddr);
		if (!huge_page_exclusive(old))
			return HT_FAULT_SIGBUS;
		pte_write(f, slot, e | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED);
		return HT_FAULT_OK;
	}
	page_set_mapping(page, old->mapping);
	pte_write(f, slot, make_huge_pte(f, vma, page, true));
	map_huge(mm, page);
	atomic_fetch_sub(&old[1]._mapcount, 1);
	hugetlb_count(mm, -1);
	put_huge_page(mm->machine, old);
	flush_tlb_mm(mm);
	return HT_FAULT_OK;
}

/* hugetlb_no_page(): no entry yet. */
static int hugetlb_no_page(struct mm_struct *mm, struct vm_area_struct *vma,
			   unsigned long haddr, void *slot, bool write)
{
	const struct pt_format *f = pt_format_of(mm);
	struct mmk_machine *m = mm->machine;
	struct hugetlb_file *hf = vma->vm_file->hugetlb;
	unsigned long idx = vma_hugecache_offset(vma, haddr);
	bool shared = vma->vm_flags & VM_MAYSHARE;
	struct page *page = NULL;

	if (idx >= hf->nr)
		return HT_FAULT_SIGBUS;
	if (vma->hugetlb_resv & HPAGE_RESV_UNMAPPED) {
		printk(m, "PID %d killed due to inadequate hugepage pool",
		       mm->owner ? mm->owner->pid : 0);
		return HT_FAULT_SIGBUS;
	}
	if (shared) {
		struct hstate *h = hstate_of(m);

		pthread_mutex_lock(&h->lock);
		page = hf->pages[idx];
		if (page)
			atomic_fetch_add(&page->_refcount, 1);
		pthread_mutex_unlock(&h->lock);
	}
	if (!page) {
		/* Only the owner of a private mapping has its reservations
		 * (a fork child's VMA has none). */
		bool use_resv = shared ||
				(vma->hugetlb_resv & HPAGE_RESV_OWNER);

		page = alloc_huge_page(vma, haddr, use_resv, NULL);
		if (!page)
			return HT_FAULT_SIGBUS;
		if (shared) {
			struct hstate *h = hstate_of(m);

			/* The cache's reference, and the entry's. */
			pthread_mutex_lock(&h->lock);
			hf->pages[idx] = page;
			pthread_mutex_unlock(&h->lock);
			page_set_mapping(page,
					 (struct address_space *)vma->vm_file);
			page->index = idx;
			atomic_fetch_add(&page->_refcount, 1);
			/* hugetlb_add_to_page_cache(): dirty, so that nothing
			 * but hugetlbfs removes it. */
			page_flag_set(page, PG_dirty);
		} else {
			if (anon_vma_prepare(vma)) {
				put_huge_page(m, page);
				return HT_FAULT_OOM;
			}
			page_set_mapping(
				page,
				(struct address_space *)((unsigned long)
								 vma->anon_vma |
							 PAGE_MAPPING_ANON));
			page->index = idx;
		}
	}
	map_huge(mm, page);
	pte_write(f, slot,
		  make_huge_pte(f, vma, page,
				shared && (vma->vm_flags & VM_WRITE)));
	if (write && !shared)
		return hugetlb_wp(mm, vma, haddr, slot, pte_read(f, slot));
	return HT_FAULT_OK;
}

int hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		  unsigned long addr, bool write)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long haddr = addr & ~(huge_page_size(mm->machine) - 1);
	bool oom;
	void *slot = huge_pte_offset(mm, haddr, true, &oom);
	pte_t e;

	if (!slot)
		return HT_FAULT_OOM;
	e = pte_read(f, slot);
	if (!(e & _PAGE_PSE))
		return hugetlb_no_page(mm, vma, haddr, slot, write);
	if (!pte_present(e)) {
		/* A PROT_NONE entry of a VMA that allows access again. */
		e = (e & (f->pfn_mask | _PAGE_DIRTY | _PAGE_PSE)) |
		    vma->vm_page_prot;
		if (!(e & _PAGE_DIRTY) || !(vma->vm_flags & VM_SHARED))
			e &= ~_PAGE_RW;
		pte_write(f, slot, e);
	}
	if (write && !(e & _PAGE_RW))
		return hugetlb_wp(mm, vma, haddr, slot, e);
	pte_write(f, slot, e | _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
	return HT_FAULT_OK;
}

/* ---- zap, fork, mprotect, mremap ---- */

struct zap_huge_args {
	const struct pt_format *f;
	/* No surplus pages when the zap began: owners' reservations come
	 * back (Linux frees the range's pages after its walk, so the
	 * walk's own frees do not change the answer). */
	bool restore;
};

static void zap_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			 void *arg)
{
	const struct zap_huge_args *z = arg;
	pte_t e = pte_read(z->f, slot);
	struct page *page = pfn_to_page(pte_pfn(z->f, e));
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct hstate *h = hstate_of(mm->machine);

	pte_write(z->f, slot, 0);
	/*
	 * __unmap_hugepage_range(): the owner's anonymous page gets its
	 * reservation back, unless the pool had surplus pages: its index is
	 * reserved again at once, the count when the page is freed
	 * (hugetlb_restore_reserve). A page a fork child still maps keeps
	 * it pending meanwhile, and HugePages_Rsvd is that much lower if
	 * the VMA goes first, as in Linux.
	 */
	if (z->restore && vma && vma->vm_start <= addr &&
	    (vma->hugetlb_resv & HPAGE_RESV_OWNER) && PageAnon(page)) {
		pthread_mutex_lock(&h->lock);
		if (!test_page_flag(page, PG_private_2)) {
			vma->vm_file->hugetlb
				->resv[vma_hugecache_offset(vma, addr)] = 1;
			page_flag_set(page, PG_private_2);
			h->resv_pending++;
		}
		pthread_mutex_unlock(&h->lock);
	}
	unmap_huge(mm, page);
}

void hugetlb_zap_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct hstate *h = hstate_of(mm->machine);
	struct zap_huge_args z = { pt_format_of(mm), false };

	pthread_mutex_lock(&h->lock);
	z.restore = !h->surplus_huge_pages;
	pthread_mutex_unlock(&h->lock);
	walk_huge(mm, start, end, zap_huge_one, &z);
	flush_tlb_mm(mm);
}

/*
 * hugetlb_vmdelete_list() for one huge page of @f: every process's entry
 * for file index @idx goes. The caller holds no mmap lock: each mapper's
 * is taken in turn, the file's lock dropped meanwhile.
 */
static void unmap_file_index(struct file *f, unsigned long idx)
{
	unsigned long k;

	for (k = 0;; k++) {
		struct vm_area_struct *v;
		struct mm_struct *mm = NULL;
		unsigned long a = 0, n = 0;
		bool found = false;

		pthread_mutex_lock(&f->lock);
		list_for_each_entry(v, &f->i_mmap, i_mmap) {
			if (!vma_maps_index(v, idx, &a) || n++ != k)
				continue;
			found = true;
			mm = mmget_not_zero(v->vm_mm) ? v->vm_mm : NULL;
			break;
		}
		pthread_mutex_unlock(&f->lock);
		if (!found)
			return;
		/* A process exiting unmaps everything itself. */
		if (!mm)
			continue;
		mmap_write_lock(mm);
		v = find_vma(mm, a);
		if (v && v->vm_start <= a && v->vm_file == f &&
		    vma_maps_index(v, idx, &a))
			hugetlb_zap_range(mm, a,
					  a + huge_page_size(mm->machine));
		mmap_write_unlock(mm);
		mmput(mm);
	}
}

void hugetlb_punch_hole(struct file *f, unsigned long offset, unsigned long len)
{
	struct mmk_machine *m = f->machine;
	struct hstate *h = hstate_of(m);
	struct hugetlb_file *hf = f->hugetlb;
	unsigned int shift = PAGE_SHIFT + h->order;
	unsigned long idx = (offset + (1UL << shift) - 1) >> shift;
	unsigned long end = min((offset + len) >> shift, hf->nr);

	for (; idx < end; idx++) {
		struct page *page;

		/* Out of the cache first: a fault meanwhile gets a new
		 * page, as it would after the hole. An index without a page
		 * keeps its reservation (remove_inode_single_folio() gives
		 * back only the removed pages' regions). */
		pthread_mutex_lock(&h->lock);
		page = hf->pages ? hf->pages[idx] : NULL;
		if (page)
			hf->pages[idx] = NULL;
		pthread_mutex_unlock(&h->lock);
		unmap_file_index(f, idx);
		if (page)
			put_huge_page(m, page);
	}
}

struct huge_copy_args {
	struct mm_struct *dst;
	bool cow;
	int err;
};

static void copy_huge_one(struct mm_struct *src, unsigned long addr, void *slot,
			  void *arg)
{
	struct huge_copy_args *c = arg;
	const struct pt_format *f = pt_format_of(src);
	pte_t e = pte_read(f, slot);
	struct page *page = pfn_to_page(pte_pfn(f, e));
	void *dslot;
	bool oom;

	if (c->err)
		return;
	dslot = huge_pte_offset(c->dst, addr, true, &oom);
	if (!dslot) {
		c->err = -ENOMEM;
		return;
	}
	if (c->cow && (e & _PAGE_RW)) {
		e &= ~_PAGE_RW;
		pte_write(f, slot, e);
	}
	atomic_fetch_add(&page->_refcount, 1);
	map_huge(c->dst, page);
	pte_write(f, dslot, e);
}

int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *src_vma)
{
	struct huge_copy_args c = { dst,
				    !(src_vma->vm_flags & VM_SHARED) &&
					    (src_vma->vm_flags & VM_MAYWRITE),
				    0 };

	walk_huge(src, src_vma->vm_start, src_vma->vm_end, copy_huge_one, &c);
	flush_tlb_mm(src);
	return c.err;
}

static void prot_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg)
{
	const struct vm_area_struct *vma = arg;
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);
	pte_t keep = e &
		     (f->pfn_mask | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE);

	(void)addr;
	/* huge_pte_modify(): a private mapping's entries stay read-only
	 * (its vm_page_prot has no RW); a shared one's take the VMA's. */
	e = mk_pte(f, 0, vma->vm_page_prot & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) |
	    keep;
	pte_write(f, slot, e);
}

void hugetlb_change_protection(struct vm_area_struct *vma, unsigned long start,
			       unsigned long end)
{
	walk_huge(vma->vm_mm, start, end, prot_huge_one, vma);
	flush_tlb_mm(vma->vm_mm);
}

int move_hugetlb_page_tables(struct mm_struct *mm, unsigned long old_addr,
			     unsigned long new_addr, unsigned long len)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long size = huge_page_size(mm->machine), off;

	for (off = 0; off < len; off += size) {
		bool oom;
		void *src = huge_pte_offset(mm, old_addr + off, false, &oom);
		pte_t e = src ? pte_read(f, src) : 0;
		void *dst;

		if (!(e & _PAGE_PSE))
			continue;
		dst = huge_pte_offset(mm, new_addr + off, true, &oom);
		if (!dst) {
			flush_tlb_mm(mm);
			return -ENOMEM;
		}
		pte_write(f, src, 0);
		pte_write(f, dst, e);
	}
	flush_tlb_mm(mm);
	return 0;
}

/* ---- procfs ---- */

struct smaps_huge_args {
	unsigned long size, private_bytes, shared_bytes;
};

static void smaps_huge_one(struct mm_struct *mm, unsigned long addr, void *slot,
			   void *arg)
{
	struct smaps_huge_args *a = arg;
	const struct pt_format *f = pt_format_of(mm);
	struct page *page = pfn_to_page(pte_pfn(f, pte_read(f, slot)));

	(void)addr;
	if (atomic_load(&page[1]._mapcount) > 1)
		a->shared_bytes += a->size;
	else
		a->private_bytes += a->size;
}

void smaps_hugetlb(struct vm_area_struct *vma, unsigned long *private_bytes,
		   unsigned long *shared_bytes)
{
	struct smaps_huge_args a = { huge_page_size(vma->vm_mm->machine), 0,
				     0 };

	walk_huge(vma->vm_mm, vma->vm_start, vma->vm_end, smaps_huge_one, &a);
	*private_bytes = a.private_bytes;
	*shared_bytes = a.shared_bytes;
}

void hugetlb_counts(struct mmk_machine *m, int nid, struct hugetlb_counts *c)
{
	struct hstate *h = m->mm ? hstate_of(m) : NULL;

	memset(c, 0, sizeof(*c));
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	if (nid < 0) {
		c->total = h->nr_huge_pages;
		c->free = h->free_huge_pages;
		c->resv = h->resv_huge_pages;
		c->surplus = h->surplus_huge_pages;
	} else {
		c->total = h->nr_huge_pages_node[nid];
		c->free = h->free_huge_pages_node[nid];
		c->surplus = h->surplus_huge_pages_node[nid];
	}
	c->overcommit = h->nr_overcommit_huge_pages;
	pthread_mutex_unlock(&h->lock);
}

int hugetlb_sysfs_show(struct seq_file *s, struct mmk_machine *m, int nid,
		       const char *name)
{
	struct hugetlb_counts c;

	hugetlb_counts(m, nid, &c);
	/* nr_hugepages_show_common(): the pool with its surplus pages
	 * (the sysctl shows the persistent target). */
	if (!strcmp(name, "nr_hugepages") ||
	    (nid < 0 && !strcmp(name, "nr_hugepages_mempolicy")))
		seq_printf(s, "%lu\n", c.total);
	else if (!strcmp(name, "free_hugepages"))
		seq_printf(s, "%lu\n", c.free);
	else if (!strcmp(name, "surplus_hugepages"))
		seq_printf(s, "%lu\n", c.surplus);
	else if (nid < 0 && !strcmp(name, "resv_hugepages"))
		seq_printf(s, "%lu\n", c.resv);
	else if (nid < 0 && !strcmp(name, "nr_overcommit_hugepages"))
		seq_printf(s, "%lu\n", c.overcommit);
	else
		return -ENOENT;
	return 0;
}

/* ---- verifier ---- */

struct huge_seen {
	struct page *page;
	long entries;
};

struct huge_verify_args {
	struct mmk_machine *m;
	struct huge_seen *seen; /* heads met, with their entry counts */
	size_t n, cap;
	long entries; /* of the current mm */
	bool bad;
	char *why;
	size_t len;
};

/* Room for one more head: host memory, as the verifier uses (it must not
 * fail where fault injection makes kernel allocations fail). */
static bool huge_seen_grow(struct huge_verify_args *v)
{
	size_t cap = v->cap ? v->cap * 2 : 64;
	struct huge_seen *seen = mmk_host_zalloc(cap * sizeof(*seen));

	if (!seen)
		return false;
	if (v->n)
		memcpy(seen, v->seen, v->n * sizeof(*seen));
	mmk_host_free(v->seen);
	v->seen = seen;
	v->cap = cap;
	return true;
}

static void verify_huge_one(struct mm_struct *mm, unsigned long addr,
			    void *slot, void *arg)
{
	struct huge_verify_args *v = arg;
	const struct pt_format *f = pt_format_of(mm);
	struct page *page = pfn_to_page(pte_pfn(f, pte_read(f, slot)));
	struct vm_area_struct *vma = find_vma(mm, addr);
	size_t i;

	if (v->bad)
		return;
	/* A transparent huge page's: mm/huge_memory.c checks those. */
	if (pte_mapped(pte_read(f, slot)) &&
	    page_type_of(page) != PGTY_hugetlb && vma &&
	    vma->vm_start <= addr && !is_vm_hugetlb_page(vma))
		return;
	if (!vma || vma->vm_start > addr || !is_vm_hugetlb_page(vma) ||
	    page_type_of(page) != PGTY_hugetlb || page_ref_count(page) < 1) {
		v->bad = !verify_fail(
			v->why, v->len,
			"pid %d: huge entry at %#lx maps no in-use huge page of a hugetlb VMA",
			mm->owner ? mm->owner->pid : 0, addr);
		return;
	}
	v->entries++;
	for (i = 0; i < v->n; i++)
		if (v->seen[i].page == page)
			break;
	if (i == v->n) {
		if (v->n == v->cap && !huge_seen_grow(v)) {
			v->bad = !verify_fail(v->why, v->len,
					      "hugetlb verifier out of memory");
			return;
		}
		v->seen[v->n].page = page;
		v->seen[v->n++].entries = 0;
	}
	v->seen[i].entries++;
}

static bool verify_pool(struct mmk_machine *m, struct hstate *h, char *why,
			size_t len)
{
	unsigned long nr = 0, fr = 0, su = 0;
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++) {
		unsigned long n = 0;
		struct page *page;

		list_for_each_entry(page, &h->freelists[nid], lru) {
			if (page_type_of(page) != PGTY_hugetlb ||
			    page_ref_count(page) || page_to_nid(page) != nid)
				return verify_fail(
					why, len,
					"node %d: a free huge page is in use or not hugetlb",
					nid);
			n++;
		}
		if (n != h->free_huge_pages_node[nid])
			return verify_fail(
				why, len,
				"node %d: %lu free huge pages listed, %lu counted",
				nid, n, h->free_huge_pages_node[nid]);
		if (h->surplus_huge_pages_node[nid] >
		    h->nr_huge_pages_node[nid])
			return verify_fail(
				why, len,
				"node %d: more surplus huge pages than huge pages",
				nid);
		nr += h->nr_huge_pages_node[nid];
		fr += h->free_huge_pages_node[nid];
		su += h->surplus_huge_pages_node[nid];
	}
	if (nr != h->nr_huge_pages || fr != h->free_huge_pages ||
	    su != h->surplus_huge_pages)
		return verify_fail(
			why, len,
			"huge page counters %lu/%lu/%lu, nodes' %lu/%lu/%lu",
			h->nr_huge_pages, h->free_huge_pages,
			h->surplus_huge_pages, nr, fr, su);
	/* (HugePages_Rsvd may exceed HugePages_Free: Linux gives a
	 * reservation back when a page the owner unmapped is freed, even to
	 * the page allocator as a surplus page; a later fault then takes a
	 * surplus page for it. The reservations' sum is checked below.) */
	return true;
}

bool hugetlb_verify(struct mmk_machine *m, struct mm_struct **mms, int n,
		    char *why, size_t len)
{
	struct hstate *h = m->mm ? hstate_of(m) : NULL;
	struct huge_verify_args v = { .m = m, .why = why, .len = len };
	unsigned long resv = 0;
	struct file *file;
	bool ok;
	size_t i;
	int k;

	if (!h)
		return true;
	pthread_mutex_lock(&h->lock);
	ok = verify_pool(m, h, why, len);
	pthread_mutex_unlock(&h->lock);
	for (k = 0; ok && k < n; k++) {
		long usage;

		v.entries = 0;
		walk_huge(mms[k], 0, mms[k]->task_size, verify_huge_one, &v);
		if (v.bad) {
			ok = false;
			break;
		}
		usage = (long)atomic_load(&mms[k]->hugetlb_usage);
		if (usage != v.entries)
			ok = verify_fail(
				why, len,
				"pid %d: hugetlb_usage %ld, %ld entries",
				mms[k]->owner ? mms[k]->owner->pid : 0, usage,
				v.entries);
	}
	for (i = 0; ok && i < v.n; i++) {
		struct page *page = v.seen[i].page;
		long mapcount = atomic_load(&page[1]._mapcount);
		const struct file *f = (const void *)page_mapping_once(page);
		bool cached = f && !PageAnon(page) && f->hugetlb &&
			      f->hugetlb->pages &&
			      f->hugetlb->pages[page->index] == page;

		if (mapcount != v.seen[i].entries ||
		    page_ref_count(page) != mapcount + cached)
			ok = verify_fail(
				why, len,
				"huge page pfn %#lx: mapcount %ld, refcount %d, %ld entries",
				page_to_pfn(page), mapcount,
				page_ref_count(page), v.seen[i].entries);
	}
	mmk_host_free(v.seen);
	if (!ok)
		return false;
	/* Reservations: the files' own add up to the pool's. */
	pthread_mutex_lock(&m->mm->files_lock);
	pthread_mutex_lock(&h->lock);
	list_for_each_entry(file, &m->mm->files, f_list) {
		const struct hugetlb_file *hf = file->hugetlb;

		if (!hf)
			continue;
		for (i = 0; i < hf->nr; i++)
			resv += hf->resv[i];
	}
	if (resv + h->resv_orphaned != h->resv_huge_pages + h->resv_pending)
		ok = verify_fail(
			why, len,
			"%lu huge pages reserved, %lu pending, files hold %lu, %lu orphaned",
			h->resv_huge_pages, h->resv_pending, resv,
			h->resv_orphaned);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&m->mm->files_lock);
	return ok;
}
