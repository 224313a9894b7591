/* SPDX-License-Identifier: MIT */
/*
 * The swap device (Linux's mm/swapfile.c, mm/page_io.c and the swap
 * entry helpers of include/linux/swapops.h).
 *
 * 1. What it models.
 *    - `boot swap=SIZE` gives the machine one swap area, "/swapfile", as
 *      swapon(2) of a file made by mkswap would: its first page is the
 *      header, the rest (SIZE / 4K - 1 pages) are slots; priority -2, the
 *      first default priority. SwapTotal, SwapFree, /proc/swaps.
 *    - Reclaim (mm/vmscan.c) puts an anonymous page into the swap cache
 *      under a free slot (add_to_swap: get_swap_page, add_to_swap_cache),
 *      replaces every page-table entry mapping it by a swap entry naming
 *      the slot, writes it (swap_writepage: pswpout) and drops it from
 *      the cache. A slot's count is the number of entries naming it
 *      (fork duplicates them: swap_duplicate), plus one while reclaim
 *      holds it for a page it is still unmapping.
 *    - A fault on an entry finds the page in the swap cache, or reads the
 *      slot (swap_readpage: pswpin, pgmajfault): the device is
 *      synchronous and memory-backed, like zram (SWP_SYNCHRONOUS_IO), so
 *      a slot only this entry names is read straight into a page of the
 *      faulting process, bypassing the cache; a slot shared after fork is
 *      read once into the swap cache, which each sharer then maps
 *      (SwapCached). Zapping an entry (munmap, exit, MADV_DONTNEED,
 *      MADV_FREE) drops its count too. A slot whose count falls to 0 is
 *      free again, and its page, if cached, leaves the cache (dirty: its
 *      only copy is in memory now).
 *    - Slots are taken lowest first, so consecutive swap-outs land in
 *      consecutive slots (as Linux's cluster allocator places them) and
 *      freed slots are reused while their memory is still warm.
 *
 * 2. Objects. One swap_info_struct (mm_state.swap): swap_map (a count per
 *    slot, the header's SWAP_MAP_BAD), the swap cache (an entry per slot,
 *    as 6.18's swap table has: a page, PG_swapcache, page->private the
 *    slot, one reference; or the shadow reclaim left when it evicted the
 *    slot's page, mm/workingset.c, which a swap-in of the slot reads for
 *    its refault and which goes when the slot is freed or a page is
 *    cached there again)
 *    and the slots' bytes, private host memory reserved without
 *    commitment; a freed slot's memory goes back to the host once the
 *    slots in use are a quarter of those holding memory (swap_trim: the
 *    free ones above the highest in use, with MADV_FREE, so that the host
 *    takes them only under pressure and slots reused before that cost no
 *    host fault).
 *
 * 3. Invariants (swap_verify, with pages_verify's census of entries).
 *    inuse_pages is the number of slots with a nonzero count; every
 *    slot's count equals the swap entries naming it in all page tables;
 *    a cached page names its slot, which is in use; a shadow lies only
 *    in a slot in use, and names a node.
 *
 * 4. Departures. Linux keeps a page read from a shared slot in the swap
 *    cache until reclaim or a full swap frees it; here it leaves the
 *    cache as soon as no entry names the slot. One area; no
 *    swapon/swapoff at run time, no swap readahead, no zswap. A shmem
 *    page's slot is held by its object (SWAP_HAS_SHMEM: the value entry
 *    in the object's page array, mm/filemap.c), which the verifier checks
 *    from the object's side.
 *
 * 5. Ordering. swap->lock is a leaf: taken inside the mmap lock, the page
 *    cache and LRU locks, never around an allocation.
 *
 * 6. Observability. /proc/swaps, /proc/meminfo SwapTotal, SwapFree and
 *    SwapCached,
 *    /proc/vmstat pswpin, pswpout, pgpgin, pgpgout, pgmajfault, smaps
 *    Swap and SwapPss, status VmSwap, the OOM report's swap lines.
 */
#include "mm/pgtable.h"
#include "proc/internal.h"

#include <string.h>

#define SWAP_MAP_BAD 0xffffffffU
/* A slot's swap_map word: the swap entries naming it, and who else holds
 * it (Linux's SWAP_HAS_CACHE plays the reserve's part). */
#define SWAP_COUNT_MASK 0x3fffffffU
/* mkswap refuses areas below 40 KiB (10 pages). */
#define SWAP_MIN_PAGES 10UL

struct swap_info_struct {
	pthread_mutex_t lock;
	struct mmk_host_mem mem; /* the area's bytes, slot i at i pages */
	unsigned int *swap_map; /* count per slot; [0] the header */
	struct page **cache; /* the swap cache: the page of a slot, or NULL */
	unsigned long max; /* slots, header included */
	unsigned long pages; /* usable: max - 1 */
	/* Slots below lowest_free are all in use; slots from touched on
	 * hold no host memory. */
	unsigned long lowest_free, touched;
	atomic_ulong inuse_pages;
	int prio;
};

int swap_config_check(const struct mmk_config *cfg, uint64_t max_bytes)
{
	if (!cfg->swap_bytes)
		return 0;
	if ((cfg->swap_bytes >> PAGE_SHIFT) < SWAP_MIN_PAGES ||
	    cfg->swap_bytes > max_bytes)
		return -EINVAL;
	return 0;
}

int swap_init(struct mmk_machine *m)
{
	unsigned long max = (unsigned long)(m->cfg.swap_bytes >> PAGE_SHIFT);
	struct swap_info_struct *si;

	if (!max)
		return 0;
	si = mmk_host_zalloc(sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->swap_map = mmk_host_zalloc(max * sizeof(*si->swap_map));
	si->cache = mmk_host_zalloc(max * sizeof(struct page *));
	if (!si->swap_map || !si->cache ||
	    mmk_host_mem_create_private(&si->mem, max << PAGE_SHIFT)) {
		mmk_host_free(si->swap_map);
		mmk_host_free(si->cache);
		mmk_host_free(si);
		return -ENOMEM;
	}
	pthread_mutex_init(&si->lock, NULL);
	si->max = max;
	si->pages = max - 1;
	si->swap_map[0] = SWAP_MAP_BAD;
	si->lowest_free = 1;
	si->touched = 1;
	si->prio = -2;
	m->mm->swap = si;
	return 0;
}

void swap_exit(struct mmk_machine *m)
{
	struct swap_info_struct *si = m->mm ? m->mm->swap : NULL;

	if (!si)
		return;
	mmk_host_mem_destroy(&si->mem);
	mmk_host_free(si->swap_map);
	mmk_host_free(si->cache);
	pthread_mutex_destroy(&si->lock);
	mmk_host_free(si);
	m->mm->swap = NULL;
}

static struct swap_info_struct *swap_info(void)
{
	return mm_state()->swap;
}

unsigned long total_swap_pages(struct mmk_machine *m)
{
	return m->mm && m->mm->swap ? m->mm->swap->pages : 0;
}

unsigned long nr_swap_pages(struct mmk_machine *m)
{
	struct swap_info_struct *si = m->mm ? m->mm->swap : NULL;

	return si ? si->pages - atomic_load(&si->inuse_pages) : 0;
}

/* The lowest free slot, now held by @holder, or 0 (si->lock held). */
static unsigned long slot_alloc(struct swap_info_struct *si,
				unsigned int holder)
{
	unsigned long i, off = 0;

	if (atomic_load(&si->inuse_pages) < si->pages) {
		for (i = si->lowest_free; i < si->max && !off; i++)
			if (!si->swap_map[i])
				off = i;
	}
	if (off) {
		si->swap_map[off] = holder;
		si->lowest_free = off + 1;
		si->touched = max(si->touched, off + 1);
		atomic_fetch_add(&si->inuse_pages, 1);
	}
	return off;
}

unsigned long get_swap_page(unsigned int holder)
{
	struct swap_info_struct *si = swap_info();
	unsigned long off;

	if (!si)
		return 0;
	pthread_mutex_lock(&si->lock);
	off = slot_alloc(si, holder);
	pthread_mutex_unlock(&si->lock);
	return off;
}

void swap_duplicate(unsigned long off)
{
	struct swap_info_struct *si = swap_info();

	pthread_mutex_lock(&si->lock);
	si->swap_map[off]++;
	pthread_mutex_unlock(&si->lock);
}

/* The swap cache's counters: its pages count as page cache too. */
static void swap_cache_stat(struct page *page, long delta)
{
	struct mmk_machine *m = mmk_cur();
	int nid = page_to_nid(page);

	atomic_fetch_add(&m->node_stat[nid][NR_SWAPCACHE], delta);
	atomic_fetch_add(&m->node_stat[nid][NR_FILE_PAGES], delta);
}

/* A swap-cache entry holds a page or, once reclaim evicted it, its
 * shadow (mm/workingset.c): an xarray value entry, bit 0 set. */
static bool is_shadow(const struct page *entry)
{
	return (uintptr_t)entry & 1;
}

/* __swap_cache_del_folio() (si->lock held): slot @off's page, if cached,
 * leaves the cache, @shadow (or nothing) taking its place; a shadow
 * there goes too. The caller drops the cache's reference after
 * unlocking. @dirty: the slot is gone, the page's only copy is in memory
 * now. */
static struct page *swap_cache_detach(struct swap_info_struct *si,
				      unsigned long off, bool dirty,
				      void *shadow)
{
	struct page *page = si->cache[off];

	si->cache[off] = shadow;
	if (!page || is_shadow(page))
		return NULL;
	page->private = 0;
	__atomic_fetch_and(&page->flags, ~(1UL << PG_swapcache),
			   __ATOMIC_RELAXED);
	if (dirty)
		page_flag_set(page, PG_dirty);
	swap_cache_stat(page, -1);
	return page;
}

/* Once a quarter or less of the slots that hold host memory are in use,
 * the free ones above the highest in use go back to the host. */
static void swap_trim(struct swap_info_struct *si)
{
	unsigned long hi = si->touched;

	while (hi > 1 && !si->swap_map[hi - 1])
		hi--;
	if (si->touched - hi >= 64) {
		mmk_host_mem_lazyfree(&si->mem, hi << PAGE_SHIFT,
				      (si->touched - hi) << PAGE_SHIFT);
		si->touched = hi;
	}
}

/* Nothing holds slot @off any more (si->lock held): it is free, and a
 * page of it in the swap cache is no longer cached (free_swap_and_cache);
 * the caller drops that page's cache reference. */
static struct page *slot_free(struct swap_info_struct *si, unsigned long off)
{
	struct page *cached = swap_cache_detach(si, off, true, NULL);

	si->lowest_free = min(si->lowest_free, off);
	if ((atomic_fetch_sub(&si->inuse_pages, 1) - 1) * 4 < si->touched)
		swap_trim(si);
	return cached;
}

int swap_free(unsigned long off)
{
	struct swap_info_struct *si = swap_info();
	struct page *cached = NULL;
	unsigned int map;

	pthread_mutex_lock(&si->lock);
	map = --si->swap_map[off];
	if (!map)
		cached = slot_free(si, off);
	pthread_mutex_unlock(&si->lock);
	if (cached)
		put_page(cached);
	return (int)(map & SWAP_COUNT_MASK);
}

void swap_release(unsigned long off, unsigned int holder)
{
	struct swap_info_struct *si = swap_info();
	struct page *cached = NULL;

	pthread_mutex_lock(&si->lock);
	si->swap_map[off] &= ~holder;
	if (!si->swap_map[off])
		cached = slot_free(si, off);
	pthread_mutex_unlock(&si->lock);
	if (cached)
		put_page(cached);
}

struct page *swap_cache_get(unsigned long off)
{
	struct swap_info_struct *si = swap_info();
	struct page *page;

	pthread_mutex_lock(&si->lock);
	page = si->cache[off];
	if (page && is_shadow(page))
		page = NULL;
	if (page)
		get_page(page);
	pthread_mutex_unlock(&si->lock);
	return page;
}

void *swap_cache_get_shadow(unsigned long off)
{
	struct swap_info_struct *si = swap_info();
	struct page *entry;

	pthread_mutex_lock(&si->lock);
	entry = si->cache[off];
	pthread_mutex_unlock(&si->lock);
	return is_shadow(entry) ? entry : NULL;
}

void swap_cache_set_shadow(unsigned long off, void *shadow)
{
	struct swap_info_struct *si = swap_info();

	pthread_mutex_lock(&si->lock);
	if (si->swap_map[off] && (!si->cache[off] || is_shadow(si->cache[off])))
		si->cache[off] = shadow;
	pthread_mutex_unlock(&si->lock);
}

/* si->lock held. */
static void swap_cache_attach(struct swap_info_struct *si, struct page *page,
			      unsigned long off)
{
	get_page(page);
	si->cache[off] = page;
	page->private = off;
	page_flag_set(page, PG_swapcache);
	swap_cache_stat(page, 1);
}

bool add_to_swap_cache(struct page *page, unsigned long off)
{
	struct swap_info_struct *si = swap_info();
	bool ok;

	pthread_mutex_lock(&si->lock);
	/* A shadow gives way (the caller took it: workingset_refault). */
	ok = (!si->cache[off] || is_shadow(si->cache[off])) &&
	     si->swap_map[off];
	if (ok)
		swap_cache_attach(si, page, off);
	pthread_mutex_unlock(&si->lock);
	return ok;
}

unsigned long add_to_swap(struct page *page)
{
	struct swap_info_struct *si = swap_info();
	unsigned long off;

	if (!si)
		return 0;
	pthread_mutex_lock(&si->lock);
	off = slot_alloc(si, SWAP_HAS_RESERVE);
	if (off)
		swap_cache_attach(si, page, off);
	pthread_mutex_unlock(&si->lock);
	return off;
}

bool swap_slot_held(struct mmk_machine *m, unsigned long off,
		    unsigned int holder)
{
	struct swap_info_struct *si = m->mm ? m->mm->swap : NULL;
	bool held;

	if (!si || !off || off >= si->max)
		return false;
	pthread_mutex_lock(&si->lock);
	held = si->swap_map[off] & holder;
	pthread_mutex_unlock(&si->lock);
	return held;
}

bool swap_cache_reserve(struct page *page)
{
	struct swap_info_struct *si = swap_info();
	bool ok;

	pthread_mutex_lock(&si->lock);
	ok = test_page_flag(page, PG_swapcache) &&
	     si->cache[page->private] == page &&
	     !(si->swap_map[page->private] & SWAP_HAS_RESERVE);
	if (ok)
		si->swap_map[page->private] |= SWAP_HAS_RESERVE;
	pthread_mutex_unlock(&si->lock);
	return ok;
}

bool delete_from_swap_cache(struct page *page)
{
	struct swap_info_struct *si = swap_info();
	struct page *cached = NULL;

	/* __remove_mapping(): lookups take their reference under this
	 * lock, so a page nobody found since holds the cache's and the
	 * caller's alone. Reclaim evicted it: its shadow stays in the slot
	 * until the slot is freed or read back. */
	pthread_mutex_lock(&si->lock);
	if (test_page_flag(page, PG_swapcache) &&
	    si->cache[page->private] == page && page_count(page) == 2 &&
	    !page_mapcount(page))
		cached =
			swap_cache_detach(si, page->private, false,
					  workingset_eviction(mmk_cur(), page));
	pthread_mutex_unlock(&si->lock);
	if (cached)
		put_page(cached);
	return cached != NULL;
}

int swap_cache_migrate(struct page *old, struct page *new, int expected)
{
	struct swap_info_struct *si = swap_info();
	unsigned long off = old->private;
	int err = -EAGAIN;

	/* Lookups take their reference under this lock: a count of
	 * @expected now stays so while the slot changes. */
	pthread_mutex_lock(&si->lock);
	if (si->cache[off] == old && page_count_acquire(old) == expected) {
		si->cache[off] = new;
		get_page(new);
		if (page_to_nid(old) != page_to_nid(new)) {
			swap_cache_stat(old, -1);
			swap_cache_stat(new, 1);
		}
		err = 0;
	}
	pthread_mutex_unlock(&si->lock);
	/* The cache's reference to @old goes with its place. */
	if (!err)
		atomic_fetch_sub(&old->_refcount, 1);
	return err;
}

int swap_count(unsigned long off)
{
	struct swap_info_struct *si = swap_info();
	unsigned int count;

	pthread_mutex_lock(&si->lock);
	count = si->swap_map[off] & SWAP_COUNT_MASK;
	pthread_mutex_unlock(&si->lock);
	return (int)count;
}

static void count_io(struct mmk_machine *m, enum vm_event_item swp,
		     enum vm_event_item pg)
{
	count_vm_events(m, swp, 1);
	count_vm_events(m, pg, PAGE_SIZE >> 10); /* pgpgin/out are in kB */
}

void swap_writepage(struct mmk_machine *m, struct page *page, unsigned long off)
{
	struct swap_info_struct *si = m->mm->swap;

	memcpy((char *)si->mem.base + (off << PAGE_SHIFT), page_host(m, page),
	       PAGE_SIZE);
	count_io(m, PSWPOUT, PGPGOUT);
	/* folio_end_writeback() counts every write, to a file or to swap. */
	atomic_fetch_add(&m->node_stat[page_to_nid(page)][NR_WRITTEN], 1);
}

void swap_readpage(struct mmk_machine *m, struct page *page, unsigned long off)
{
	struct swap_info_struct *si = m->mm->swap;

	memcpy(page_host(m, page), (char *)si->mem.base + (off << PAGE_SHIFT),
	       PAGE_SIZE);
	count_io(m, PSWPIN, PGPGIN);
}

/* /proc/swaps (swap_show): the name padded to 40 columns, sizes in kB. */
void proc_swaps_show(struct seq_file *s, struct mmk_machine *m)
{
	struct swap_info_struct *si = m->mm ? m->mm->swap : NULL;
	static const char name[] = "/swapfile";
	unsigned long bytes, inuse;

	seq_puts(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (!si)
		return;
	bytes = si->pages << (PAGE_SHIFT - 10);
	inuse = atomic_load(&si->inuse_pages) << (PAGE_SHIFT - 10);
	seq_printf(s, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", name,
		   (int)(40 - strlen(name)), " ", "file\t", bytes,
		   bytes < 10000000 ? "\t" : "", inuse,
		   inuse < 10000000 ? "\t" : "", si->prio);
}

bool swap_verify(struct mmk_machine *m, const unsigned int *entries, char *why,
		 size_t len)
{
	struct swap_info_struct *si = m->mm ? m->mm->swap : NULL;
	unsigned long i, used = 0;
	bool ok = true;

	if (!si)
		return true;
	pthread_mutex_lock(&si->lock);
	for (i = 1; i < si->max && ok; i++) {
		const struct page *page = si->cache[i];

		if (si->swap_map[i])
			used++;
		if (page && is_shadow(page)) {
			if (!si->swap_map[i] || !workingset_shadow_ok(m, page))
				ok = verify_fail(
					why, len,
					"swap slot %lu (%#x): a shadow entry in a free slot, or naming no node",
					i, si->swap_map[i]);
		} else if (page ? !si->swap_map[i] || page->private != i ||
					   !test_page_flag(page,
							   PG_swapcache) ||
					   !PageAnon(page) ||
					   page_count(page) < 1 ||
					   (si->swap_map[i] & SWAP_HAS_SHMEM) :
				  (si->swap_map[i] & SWAP_HAS_RESERVE) != 0)
			ok = verify_fail(why, len,
					 "swap slot %lu (%#x): its swap cache "
					 "is inconsistent",
					 i, si->swap_map[i]);
		if (ok && entries &&
		    entries[i] != (si->swap_map[i] & SWAP_COUNT_MASK))
			ok = verify_fail(why, len,
					 "swap slot %lu: count %u, %u entries "
					 "name it",
					 i, si->swap_map[i] & SWAP_COUNT_MASK,
					 entries[i]);
	}
	if (ok && used != atomic_load(&si->inuse_pages))
		ok = verify_fail(why, len,
				 "swap: %lu slots in use, inuse_pages %lu",
				 used, atomic_load(&si->inuse_pages));
	pthread_mutex_unlock(&si->lock);
	return ok;
}

unsigned long swap_max_slots(struct mmk_machine *m)
{
	return m->mm && m->mm->swap ? m->mm->swap->max : 0;
}
