/* SPDX-License-Identifier: MIT */
/*
 * Swap areas (Linux's mm/swapfile.c, mm/page_io.c and the swap entry
 * helpers of include/linux/swapops.h).
 *
 * 1. What it models.
 *    - Swap areas made by mkswap and enabled by swapon(2) (mmk_swapon):
 *      an area's first page is the header, the rest (SIZE / 4K - 1
 *      pages) are slots. `boot swap=SIZE` gives the machine the area
 *      "/swapfile" as such a swapon would. An area enabled without a
 *      priority gets the next default one, -2, -3, ... (least_priority);
 *      SWAP_FLAG_PREFER gives 0..32767. Up to MAX_SWAPFILES areas
 *      (EPERM past it); a path already enabled is EBUSY.
 *    - A swap entry names an area (its type, the index of its
 *      swap_info_struct) and a slot of it (the offset): swp_entry(),
 *      swp_type(), swp_offset() of mm/internal.h; a PTE keeps it as
 *      mm/pgtable.h draws.
 *    - Reclaim (mm/vmscan.c) puts an anonymous page into the swap cache
 *      under a free slot (add_to_swap: get_swap_page, add_to_swap_cache),
 *      replaces every page-table entry mapping it by a swap entry naming
 *      the slot, writes it (swap_writepage: pswpout) and drops it from
 *      the cache. A slot's count is the number of entries naming it
 *      (fork duplicates them: swap_duplicate), plus one while reclaim
 *      holds it for a page it is still unmapping.
 *    - Slots come from the area of highest priority with room; among
 *      areas of equal priority in turn (folio_alloc_swap): as in 6.18,
 *      a CPU keeps taking slots of the cluster (SWAPFILE_CLUSTER slots,
 *      512 on x86_64, 256 on i386) it took the last one from
 *      (swap_alloc_fast), and only when that cluster is full, or its
 *      area is being swapped off, it goes down the list of areas with
 *      room (swap_alloc_slow), moving each area it tries behind the
 *      others of its priority (plist_requeue): so equal areas take
 *      turns a cluster at a time. Within an area the lowest free slot
 *      is taken, so consecutive swap-outs land in consecutive slots and
 *      freed slots are reused while their memory is still warm.
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
 *    - swapoff(2) (mmk_swapoff): the area must be enabled (else EINVAL)
 *      and its size chargeable under the overcommit policy
 *      (security_vm_enough_memory_mm of the swapoff process: privileged,
 *      its own mappings negligible; else ENOMEM, nothing changed). It
 *      stops taking slots (SWP_WRITEOK clear; SwapTotal and SwapFree
 *      lose it; lower default priorities move up by one), then
 *      try_to_unuse brings every slot back: each shmem object's swapped
 *      pages (shmem_unuse, mm/filemap.c) and each process's swap entries
 *      (unuse_mm, mm/memory.c: read and mapped as do_swap_page does, but
 *      old, not writable and no fault counted: pswpin and pgpgin only),
 *      over and over until no slot is in use, since reclaim may swap a
 *      cached page out again meanwhile. The area, its swap cache and
 *      its shadows then go. If memory runs out on the way, ENOMEM: the
 *      pages brought back stay in memory, the area is enabled again
 *      (reinsert_swap_info: a default priority is taken anew, the
 *      lowest).
 *
 * 2. Objects.
 *
 *      swap_state (mm_state.swap)
 *        swap_info[type] ──> swap_info_struct (never freed before the
 *        active: by priority      machine; a swapoff leaves it unused,
 *        avail: enabled with room  and the next swapon takes the lowest
 *        pcp[cpu]: area, cluster   unused type)
 *
 *    An area has swap_map (a count per slot, the header's SWAP_MAP_BAD),
 *    the swap cache (an entry per slot, as 6.18's swap table has: a
 *    page, PG_swapcache, page->private the entry, one reference; or the
 *    shadow reclaim left when it evicted the slot's page,
 *    mm/workingset.c, which a swap-in of the slot reads for its refault
 *    and which goes when the slot is freed or a page is cached there
 *    again) and the slots' bytes, private host memory reserved without
 *    commitment; a freed slot's memory goes back to the host once the
 *    slots in use are a quarter of those holding memory (swap_trim: the
 *    free ones above the highest in use, with MADV_FREE, so that the host
 *    takes them only under pressure and slots reused before that cost no
 *    host fault).
 *
 * 3. Invariants (swap_verify, with pages_verify's census of entries).
 *    Per area: inuse_pages is the number of slots with a nonzero count;
 *    every slot's count equals the swap entries naming it in all page
 *    tables; a cached page names its slot, which is in use; a shadow
 *    lies only in a slot in use, and names a node. An entry names a
 *    slot of an area in use. Across areas: nr_swap_pages is the free
 *    slots of the enabled areas and total_swap_pages their slots; the
 *    active list holds the enabled areas by priority, the avail list
 *    those with a free slot; a default priority is below every given
 *    one and they run down from -2 without a gap.
 *
 * 4. Departures.
 *    - Linux keeps a page read from a shared slot in the swap cache
 *      until reclaim or a full swap frees it; here it leaves the cache
 *      as soon as no entry names the slot.
 *    - MAX_SWAPFILES is 32, all of the type's 5 bits (Linux's is smaller
 *      by the types its migration, hwpoison, device and marker entries
 *      take).
 *    - Areas are named files of the simulated machine that exist only as
 *      swap: swapon makes and enables one (mkswap, then swapon), swapoff
 *      forgets it.
 *    - No swap readahead, no zswap, no discard, no per-node avail lists
 *      (they are all alike without a swap device on a node).
 *    - swapon and swapoff are serialised (swapon_mutex over the whole of
 *      swapoff); Linux lets two swapoffs run at once.
 *    - Linux makes swapoff's process the OOM killer's first choice
 *      (set_current_oom_origin), so that memory running out kills it and
 *      fails the swapoff; here no process stands for it, so its pages
 *      are allocated with __GFP_RETRY_MAYFAIL (reclaim, never the OOM
 *      killer) and swapoff fails with ENOMEM.
 *    - A shmem page's slot is held by its object (SWAP_HAS_SHMEM: the
 *      value entry in the object's page array, mm/filemap.c), which the
 *      verifier checks from the object's side.
 *
 * 5. Ordering. swapon_mutex, then the mmap locks and files_lock
 *    (try_to_unuse), then swap->lock (swap_lock: the areas, their
 *    priorities and flags, the active list), then an area's si->lock,
 *    then avail_lock (the avail list). alloc_lock (the slot allocator and
 *    the per-CPU clusters) nests outside si->lock and inside
 *    swapon_mutex. si->lock and avail_lock are leaves taken inside the
 *    mmap lock, the page cache and LRU locks, never around an
 *    allocation.
 *
 * 6. Observability. /proc/swaps, /proc/meminfo SwapTotal, SwapFree and
 *    SwapCached,
 *    /proc/vmstat pswpin, pswpout, pgpgin, pgpgout, pgmajfault, smaps
 *    Swap and SwapPss, status VmSwap, the OOM report's swap lines.
 */
#include "mm/pgtable.h"
#include "proc/internal.h"

#include <limits.h>
#include <string.h>
#include <mmkit/mman.h>

#define SWAP_MAP_BAD 0xffffffffU
/* A slot's swap_map word: the swap entries naming it, and who else holds
 * it (Linux's SWAP_HAS_CACHE plays the reserve's part). */
#define SWAP_COUNT_MASK 0x3fffffffU
/* mkswap refuses areas below 40 KiB (10 pages). */
#define SWAP_MIN_PAGES 10UL
/* swapon(2)'s SWAP_FLAG_PRIO_MASK: the largest priority. */
#define SWAP_PRIO_MAX 32767
/* An area's path, with its NUL. */
#define SWAP_PATH_MAX 256
/* swap_info_struct.flags */
#define SWP_USED 1U /* the type is taken (enabled or being swapped off) */
#define SWP_WRITEOK 2U /* enabled: slots may be taken */

struct swap_info_struct {
	pthread_mutex_t lock;
	unsigned int flags; /* written under swap->lock and this lock */
	unsigned int type;
	int prio;
	struct list_head list; /* on swap->active, by priority */
	struct list_head avail_list; /* on swap->avail, or empty */
	char name[SWAP_PATH_MAX];
	struct mmk_host_mem mem; /* the area's bytes, slot i at i pages */
	unsigned int *swap_map; /* count per slot; [0] the header */
	struct page **cache; /* the swap cache: the page of a slot, or NULL */
	unsigned long max; /* slots, header included */
	unsigned long pages; /* usable: max - 1 */
	/* Slots below lowest_free are all in use; slots from touched on
	 * hold no host memory. */
	unsigned long lowest_free, touched;
	atomic_ulong inuse_pages;
};

/* A CPU's cluster (6.18's percpu_swap_cluster): the area and cluster it
 * took its last slot from. */
struct swap_cluster_cache {
	struct swap_info_struct *si;
	unsigned long cluster;
};

struct swap_state {
	pthread_mutex_t swapon_mutex, lock, avail_lock, alloc_lock;
	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	unsigned int nr_swapfiles; /* types ever used */
	int least_priority; /* the last default priority given */
	struct list_head active; /* swap_active_head */
	struct list_head avail; /* swap_avail_head */
	/* Per CPU, and one for threads without a CPU. */
	struct swap_cluster_cache pcp[MMK_MAX_CPUS + 1];
	unsigned long cluster_slots; /* SWAPFILE_CLUSTER */
	uint64_t max_bytes; /* the largest area */
	/* Enabled areas: free slots, slots. */
	atomic_long nr_swap_pages, total_swap_pages;
	/* Counts areas made and removed (under lock), for the census. */
	unsigned long gen;
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

static struct swap_state *swap_state_of(struct mmk_machine *m)
{
	return m->mm ? m->mm->swap : NULL;
}

/* The area of @entry, which names a slot of an area in use. */
static struct swap_info_struct *swap_info(unsigned long entry)
{
	return mm_state()->swap->swap_info[swp_type(entry)];
}

/* ---- the priority lists (plist with Linux's order) ---- */

/* plist_add(): @node goes behind every entry of @head whose area has a
 * priority at least its own. */
static void prio_list_add(struct list_head *node, struct list_head *head,
			  size_t offset, int prio)
{
	struct list_head *pos;

	for (pos = head->next; pos != head; pos = pos->next) {
		const struct swap_info_struct *si =
			(const void *)((const char *)pos - offset);

		if (si->prio < prio)
			break;
	}
	list_add_tail(node, pos);
}

static void add_to_avail_list(struct swap_state *s, struct swap_info_struct *si)
{
	pthread_mutex_lock(&s->avail_lock);
	if (list_empty(&si->avail_list))
		prio_list_add(&si->avail_list, &s->avail,
			      offsetof(struct swap_info_struct, avail_list),
			      si->prio);
	pthread_mutex_unlock(&s->avail_lock);
}

static void del_from_avail_list(struct swap_state *s,
				struct swap_info_struct *si)
{
	pthread_mutex_lock(&s->avail_lock);
	if (!list_empty(&si->avail_list)) {
		list_del(&si->avail_list);
		INIT_LIST_HEAD(&si->avail_list);
	}
	pthread_mutex_unlock(&s->avail_lock);
}

/* ---- slots ---- */

unsigned long total_swap_pages(struct mmk_machine *m)
{
	struct swap_state *s = swap_state_of(m);

	return s ? (unsigned long)atomic_load(&s->total_swap_pages) : 0;
}

unsigned long nr_swap_pages(struct mmk_machine *m)
{
	struct swap_state *s = swap_state_of(m);

	return s ? (unsigned long)atomic_load(&s->nr_swap_pages) : 0;
}

void si_swapinfo(struct mmk_machine *m, unsigned long *freeswap,
		 unsigned long *totalswap)
{
	struct swap_state *s = swap_state_of(m);
	unsigned long unused = 0;
	unsigned int type;

	*freeswap = nr_swap_pages(m);
	*totalswap = total_swap_pages(m);
	if (!s)
		return;
	/* An area being swapped off still counts what it holds. */
	pthread_mutex_lock(&s->lock);
	for (type = 0; type < s->nr_swapfiles; type++) {
		struct swap_info_struct *si = s->swap_info[type];

		if ((si->flags & SWP_USED) && !(si->flags & SWP_WRITEOK))
			unused += atomic_load(&si->inuse_pages);
	}
	pthread_mutex_unlock(&s->lock);
	*freeswap += unused;
	*totalswap += unused;
}

/* Slot @off is in use now (si->lock held): the free counts drop, and a
 * full area leaves the avail list. */
static void slot_take(struct swap_state *s, struct swap_info_struct *si,
		      unsigned long off, unsigned int holder)
{
	si->swap_map[off] = holder;
	si->touched = max(si->touched, off + 1);
	if (si->flags & SWP_WRITEOK)
		atomic_fetch_sub(&s->nr_swap_pages, 1);
	if (atomic_fetch_add(&si->inuse_pages, 1) + 1 == si->pages)
		del_from_avail_list(s, si);
}

/* The lowest free slot of [from, to) of an enabled area, now held by
 * @holder, or 0 (si->lock held). */
static unsigned long slot_alloc(struct swap_state *s,
				struct swap_info_struct *si, unsigned long from,
				unsigned long to, unsigned int holder)
{
	unsigned long start = max(from, si->lowest_free), i;

	if (!(si->flags & SWP_WRITEOK) ||
	    atomic_load(&si->inuse_pages) >= si->pages)
		return 0;
	for (i = start; i < min(to, si->max); i++)
		if (!si->swap_map[i]) {
			/* Those below a slot of a later cluster may be
			 * free. */
			if (start == si->lowest_free)
				si->lowest_free = i + 1;
			slot_take(s, si, i, holder);
			return i;
		}
	return 0;
}

/* The calling thread's CPU cluster cache (alloc_lock held). */
static struct swap_cluster_cache *this_cpu_cluster(struct swap_state *s)
{
	return &s->pcp[mmk_ctx.cpu ? mmk_ctx.cpu->id : MMK_MAX_CPUS];
}

/* swap_alloc_fast(): a slot of the CPU's cluster (alloc_lock held). */
static unsigned long swap_alloc_fast(struct swap_state *s, unsigned int holder)
{
	struct swap_cluster_cache *pc = this_cpu_cluster(s);
	struct swap_info_struct *si = pc->si;
	unsigned long first = pc->cluster * s->cluster_slots, off;

	if (!si)
		return 0;
	pthread_mutex_lock(&si->lock);
	off = slot_alloc(s, si, first, first + s->cluster_slots, holder);
	pthread_mutex_unlock(&si->lock);
	return off ? swp_entry(si->type, off) : 0;
}

/* swap_alloc_slow(): each area with room in priority order, moved behind
 * its equals as it is tried; the one that gives a slot becomes the
 * CPU's (alloc_lock held). */
static unsigned long swap_alloc_slow(struct swap_state *s, unsigned int holder)
{
	struct swap_info_struct *order[MAX_SWAPFILES], *si;
	unsigned int n = 0, i;
	unsigned long off = 0;

	pthread_mutex_lock(&s->avail_lock);
	list_for_each_entry(si, &s->avail, avail_list)
		order[n++] = si;
	pthread_mutex_unlock(&s->avail_lock);
	for (i = 0; i < n && !off; i++) {
		si = order[i];
		pthread_mutex_lock(&s->avail_lock);
		if (!list_empty(&si->avail_list)) {
			/* plist_requeue() */
			list_del(&si->avail_list);
			prio_list_add(&si->avail_list, &s->avail,
				      offsetof(struct swap_info_struct,
					       avail_list),
				      si->prio);
		}
		pthread_mutex_unlock(&s->avail_lock);
		pthread_mutex_lock(&si->lock);
		off = slot_alloc(s, si, 1, si->max, holder);
		pthread_mutex_unlock(&si->lock);
	}
	if (!off)
		return 0;
	this_cpu_cluster(s)->si = si;
	this_cpu_cluster(s)->cluster = off / s->cluster_slots;
	return swp_entry(si->type, off);
}

/* folio_alloc_swap()'s choice of a slot: held by @holder, or 0. */
static unsigned long swap_alloc(unsigned int holder)
{
	struct swap_state *s = mm_state()->swap;
	unsigned long entry;

	if (!atomic_load(&s->nr_swap_pages))
		return 0;
	pthread_mutex_lock(&s->alloc_lock);
	entry = swap_alloc_fast(s, holder);
	if (!entry)
		entry = swap_alloc_slow(s, holder);
	pthread_mutex_unlock(&s->alloc_lock);
	return entry;
}

unsigned long get_swap_page(unsigned int holder)
{
	return swap_alloc(holder);
}

void swap_duplicate(unsigned long entry)
{
	struct swap_info_struct *si = swap_info(entry);

	pthread_mutex_lock(&si->lock);
	si->swap_map[swp_offset(entry)]++;
	pthread_mutex_unlock(&si->lock);
}
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
	WRITE_ONCE(page->private, 0);
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
	struct swap_state *s = mm_state()->swap;
	struct page *cached = swap_cache_detach(si, off, true, NULL);
	unsigned long inuse = atomic_fetch_sub(&si->inuse_pages, 1) - 1;

	si->lowest_free = min(si->lowest_free, off);
	if (si->flags & SWP_WRITEOK) {
		atomic_fetch_add(&s->nr_swap_pages, 1);
		if (inuse + 1 == si->pages)
			add_to_avail_list(s, si);
	}
	if (inuse * 4 < si->touched)
		swap_trim(si);
	return cached;
}

int swap_free(unsigned long entry)
{
	struct swap_info_struct *si = swap_info(entry);
	unsigned long off = swp_offset(entry);
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

void swap_release(unsigned long entry, unsigned int holder)
{
	struct swap_info_struct *si = swap_info(entry);
	unsigned long off = swp_offset(entry);
	struct page *cached = NULL;

	pthread_mutex_lock(&si->lock);
	si->swap_map[off] &= ~holder;
	if (!si->swap_map[off])
		cached = slot_free(si, off);
	pthread_mutex_unlock(&si->lock);
	if (cached)
		put_page(cached);
}

struct page *swap_cache_get(unsigned long entry)
{
	struct swap_info_struct *si = swap_info(entry);
	struct page *page;

	pthread_mutex_lock(&si->lock);
	page = si->cache[swp_offset(entry)];
	if (page && is_shadow(page))
		page = NULL;
	if (page)
		get_page(page);
	pthread_mutex_unlock(&si->lock);
	return page;
}

void *swap_cache_get_shadow(unsigned long entry)
{
	struct swap_info_struct *si = swap_info(entry);
	struct page *p;

	pthread_mutex_lock(&si->lock);
	p = si->cache[swp_offset(entry)];
	pthread_mutex_unlock(&si->lock);
	return is_shadow(p) ? p : NULL;
}

void swap_cache_set_shadow(unsigned long entry, void *shadow)
{
	struct swap_info_struct *si = swap_info(entry);
	unsigned long off = swp_offset(entry);

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
	WRITE_ONCE(page->private, swp_entry(si->type, off));
	page_flag_set(page, PG_swapcache);
	swap_cache_stat(page, 1);
}

bool add_to_swap_cache(struct page *page, unsigned long entry)
{
	struct swap_info_struct *si = swap_info(entry);
	unsigned long off = swp_offset(entry);
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
	unsigned long entry = swap_alloc(SWAP_HAS_RESERVE);

	/* Reclaim's hold keeps the slot: nobody else finds it before the
	 * page is cached there. */
	if (entry)
		add_to_swap_cache(page, entry);
	return entry;
}

bool swap_slot_held(struct mmk_machine *m, unsigned long entry,
		    unsigned int holder)
{
	struct swap_state *s = swap_state_of(m);
	unsigned long off = swp_offset(entry);
	struct swap_info_struct *si;
	bool held = false;

	if (!s || swp_type(entry) >= MAX_SWAPFILES)
		return false;
	pthread_mutex_lock(&s->lock);
	si = s->swap_info[swp_type(entry)];
	if (si && (si->flags & SWP_USED) && off && off < si->max) {
		pthread_mutex_lock(&si->lock);
		held = si->swap_map[off] & holder;
		pthread_mutex_unlock(&si->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return held;
}

/* The area of the swap-cache page @page, or NULL if it left the cache:
 * page->private is read racily, its area is one in use while the page
 * is cached there, and the caller checks again under si->lock. */
static struct swap_info_struct *page_swap_info(struct page *page)
{
	unsigned long entry = READ_ONCE(page->private);

	if (!test_page_flag(page, PG_swapcache) ||
	    swp_type(entry) >= MAX_SWAPFILES)
		return NULL;
	return mm_state()->swap->swap_info[swp_type(entry)];
}

bool swap_cache_reserve(struct page *page)
{
	struct swap_info_struct *si = page_swap_info(page);
	unsigned long off;
	bool ok;

	if (!si)
		return false;
	pthread_mutex_lock(&si->lock);
	off = swp_offset(page->private);
	ok = test_page_flag(page, PG_swapcache) &&
	     swp_type(page->private) == si->type && off < si->max &&
	     si->cache[off] == page && !(si->swap_map[off] & SWAP_HAS_RESERVE);
	if (ok)
		si->swap_map[off] |= SWAP_HAS_RESERVE;
	pthread_mutex_unlock(&si->lock);
	return ok;
}

bool delete_from_swap_cache(struct page *page)
{
	struct swap_info_struct *si = page_swap_info(page);
	struct page *cached = NULL;
	unsigned long off;

	if (!si)
		return false;

	/* __remove_mapping(): lookups take their reference under this
	 * lock, so a page nobody found since holds the cache's and the
	 * caller's alone. Reclaim evicted it: its shadow stays in the slot
	 * until the slot is freed or read back. */
	pthread_mutex_lock(&si->lock);
	off = swp_offset(page->private);
	if (test_page_flag(page, PG_swapcache) &&
	    swp_type(page->private) == si->type && off < si->max &&
	    si->cache[off] == page && page_count(page) == 2 &&
	    !page_mapcount(page))
		cached = swap_cache_detach(
			si, off, false, workingset_eviction(mmk_cur(), page));
	pthread_mutex_unlock(&si->lock);
	if (cached)
		put_page(cached);
	return cached != NULL;
}

int swap_cache_migrate(struct page *old, struct page *new, int expected)
{
	struct swap_info_struct *si = page_swap_info(old);
	unsigned long off = swp_offset(READ_ONCE(old->private));
	int err = -EAGAIN;

	if (!si)
		return err;
	/* Lookups take their reference under this lock: a count of
	 * @expected now stays so while the slot changes. */
	pthread_mutex_lock(&si->lock);
	if (off < si->max && si->cache[off] == old &&
	    page_count_acquire(old) == expected) {
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

int swap_count(unsigned long entry)
{
	struct swap_info_struct *si = swap_info(entry);
	unsigned int count;

	pthread_mutex_lock(&si->lock);
	count = si->swap_map[swp_offset(entry)] & SWAP_COUNT_MASK;
	pthread_mutex_unlock(&si->lock);
	return (int)count;
}

static void count_io(struct mmk_machine *m, enum vm_event_item swp,
		     enum vm_event_item pg)
{
	count_vm_events(m, swp, 1);
	count_vm_events(m, pg, PAGE_SIZE >> 10); /* pgpgin/out are in kB */
}

void swap_writepage(struct mmk_machine *m, struct page *page,
		    unsigned long entry)
{
	struct swap_info_struct *si = m->mm->swap->swap_info[swp_type(entry)];

	memcpy((char *)si->mem.base + (swp_offset(entry) << PAGE_SHIFT),
	       page_host(m, page), PAGE_SIZE);
	count_io(m, PSWPOUT, PGPGOUT);
	/* folio_end_writeback() counts every write, to a file or to swap. */
	atomic_fetch_add(&m->node_stat[page_to_nid(page)][NR_WRITTEN], 1);
}

void swap_readpage(struct mmk_machine *m, struct page *page,
		   unsigned long entry)
{
	struct swap_info_struct *si = m->mm->swap->swap_info[swp_type(entry)];

	memcpy(page_host(m, page),
	       (char *)si->mem.base + (swp_offset(entry) << PAGE_SHIFT),
	       PAGE_SIZE);
	count_io(m, PSWPIN, PGPGIN);
}

/* ---- swapon ---- */

/* alloc_swap_info(): the lowest type not in use (swap->lock held), or
 * NULL past MAX_SWAPFILES. */
static struct swap_info_struct *alloc_swap_info(struct swap_state *s)
{
	struct swap_info_struct *si;
	unsigned int type;

	for (type = 0; type < s->nr_swapfiles; type++)
		if (!(s->swap_info[type]->flags & SWP_USED))
			return s->swap_info[type];
	if (type >= MAX_SWAPFILES)
		return NULL;
	si = mmk_host_zalloc(sizeof(*si));
	if (!si)
		return NULL;
	pthread_mutex_init(&si->lock, NULL);
	si->type = type;
	INIT_LIST_HEAD(&si->list);
	INIT_LIST_HEAD(&si->avail_list);
	s->swap_info[type] = si;
	s->nr_swapfiles++;
	return si;
}

/* The enabled or unusing area named @path (swap->lock held). */
static struct swap_info_struct *find_swap_info(struct swap_state *s,
					       const char *path)
{
	unsigned int type;

	for (type = 0; type < s->nr_swapfiles; type++) {
		struct swap_info_struct *si = s->swap_info[type];

		if ((si->flags & SWP_USED) && !strcmp(si->name, path))
			return si;
	}
	return NULL;
}

/* The area's memory (setup_swap_map_and_extents), its slots all free;
 * published under swap->lock, which the verifier walks them under, and
 * si->lock, under which a reclaimer holding a page that left the area's
 * cache long ago looks at it (page_swap_info). */
static int swap_area_create(struct swap_state *s, struct swap_info_struct *si,
			    unsigned long max)
{
	unsigned int *swap_map = mmk_host_zalloc(max * sizeof(*swap_map));
	struct page **cache = mmk_host_zalloc(max * sizeof(struct page *));
	struct mmk_host_mem mem;

	if (!swap_map || !cache ||
	    mmk_host_mem_create_private(&mem, max << PAGE_SHIFT)) {
		mmk_host_free(swap_map);
		mmk_host_free(cache);
		return -ENOMEM;
	}
	pthread_mutex_lock(&s->lock);
	pthread_mutex_lock(&si->lock);
	si->swap_map = swap_map;
	si->cache = cache;
	si->mem = mem;
	si->max = max;
	si->pages = max - 1;
	si->swap_map[0] = SWAP_MAP_BAD;
	si->lowest_free = 1;
	si->touched = 1;
	atomic_store(&si->inuse_pages, 0);
	pthread_mutex_unlock(&si->lock);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void swap_area_destroy(struct swap_info_struct *si)
{
	mmk_host_mem_destroy(&si->mem);
	mmk_host_free(si->swap_map);
	mmk_host_free(si->cache);
	si->swap_map = NULL;
	si->cache = NULL;
	si->max = si->pages = 0;
}

/* setup_swap_info() and _enable_swap_info() (swap->lock held): @prio, or
 * the next default priority for -1; on the lists, its slots counted. */
static void enable_swap_info(struct swap_state *s, struct swap_info_struct *si,
			     int prio)
{
	pthread_mutex_lock(&si->lock);
	si->prio = prio >= 0 ? prio : --s->least_priority;
	si->flags |= SWP_USED | SWP_WRITEOK;
	atomic_fetch_add(&s->nr_swap_pages,
			 (long)(si->pages - atomic_load(&si->inuse_pages)));
	atomic_fetch_add(&s->total_swap_pages, (long)si->pages);
	prio_list_add(&si->list, &s->active,
		      offsetof(struct swap_info_struct, list), si->prio);
	if (atomic_load(&si->inuse_pages) < si->pages)
		add_to_avail_list(s, si);
	pthread_mutex_unlock(&si->lock);
}

/* sys_swapon() of the file @path made by mkswap, @bytes long. */
static int swapon(struct swap_state *s, const char *path,
		  unsigned long long bytes, int prio)
{
	struct swap_info_struct *si;
	int err = 0;

	if (!s || !path || path[0] != '/' || strlen(path) >= SWAP_PATH_MAX ||
	    prio < -1 || prio > SWAP_PRIO_MAX)
		return -EINVAL;
	pthread_mutex_lock(&s->swapon_mutex);
	pthread_mutex_lock(&s->lock);
	si = alloc_swap_info(s);
	if (!si)
		err = s->nr_swapfiles >= MAX_SWAPFILES ? -EPERM : -ENOMEM;
	else if (find_swap_info(s, path))
		err = -EBUSY;
	else if ((bytes >> PAGE_SHIFT) < SWAP_MIN_PAGES || bytes > s->max_bytes)
		err = -EINVAL; /* mkswap's limits */
	pthread_mutex_unlock(&s->lock);
	if (!err)
		err = swap_area_create(s, si,
				       (unsigned long)(bytes >> PAGE_SHIFT));
	if (!err) {
		pthread_mutex_lock(&s->lock);
		memcpy(si->name, path, strlen(path) + 1); /* checked above */
		enable_swap_info(s, si, prio);
		s->gen++;
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&s->swapon_mutex);
	return err;
}

int mmk_swapon(const char *path, unsigned long long bytes, int prio)
{
	struct mmk_machine *m = mmk_cur();

	return swapon(m ? swap_state_of(m) : NULL, path, bytes, prio);
}

/* ---- swapoff ---- */

/* The area leaves the lists and takes no more slots; default priorities
 * below it move up (swap->lock held). */
static void disable_swap_info(struct swap_state *s, struct swap_info_struct *si)
{
	struct swap_info_struct *lower;

	del_from_avail_list(s, si);
	pthread_mutex_lock(&si->lock);
	if (si->prio < 0) {
		/* The avail list orders by these too. */
		pthread_mutex_lock(&s->avail_lock);
		for (lower = list_next_entry(si, list);
		     &lower->list != &s->active;
		     lower = list_next_entry(lower, list))
			lower->prio++;
		pthread_mutex_unlock(&s->avail_lock);
		s->least_priority++;
	}
	list_del(&si->list);
	INIT_LIST_HEAD(&si->list);
	atomic_fetch_sub(&s->nr_swap_pages,
			 (long)(si->pages - atomic_load(&si->inuse_pages)));
	atomic_fetch_sub(&s->total_swap_pages, (long)si->pages);
	si->flags &= ~SWP_WRITEOK;
	pthread_mutex_unlock(&si->lock);
}

/* The pids of the live processes, in creation order; NULL when the host
 * has no memory for them. */
static int *snapshot_pids(struct mm_state *ms, int *n)
{
	struct task_struct *t;
	int *pids;

	pthread_mutex_lock(&ms->lock);
	pids = mmk_host_zalloc(sizeof(int) * (size_t)(ms->nr_tasks + 1));
	*n = 0;
	if (pids)
		list_for_each_entry(t, &ms->tasks, tasks)
			pids[(*n)++] = t->pid;
	pthread_mutex_unlock(&ms->lock);
	return pids;
}

/* try_to_unuse()'s walk of the processes (the mmlist): each one's
 * entries of area @type back in memory. */
static int unuse_processes(struct mmk_machine *m, unsigned int type)
{
	int *pids, n, i, err = 0;

	pids = snapshot_pids(m->mm, &n);
	if (!pids)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		struct mm_struct *mm = mmk_get_mm(pids[i]);

		if (!mm)
			continue; /* it exited meanwhile */
		mmap_write_lock(mm);
		err = unuse_mm(mm, type);
		mmap_write_unlock(mm);
		mmput(mm);
		/* Whom an allocation there chose exits now. */
		oom_exit_victims(m);
	}
	mmk_host_free(pids);
	return err;
}

/*
 * try_to_unuse(): every slot of area @type back in memory, shmem's first,
 * then the processes'; again while any is in use, since reclaim may swap
 * out a page that the swap cache keeps in a slot of the area (and a fork
 * may copy entries of a process already walked to one not yet listed).
 * -ENOMEM when a page could not be had.
 */
static int try_to_unuse(struct mmk_machine *m, struct swap_info_struct *si)
{
	unsigned long before;
	int err;

	while ((before = atomic_load(&si->inuse_pages))) {
		err = shmem_unuse(si->type);
		if (!err)
			err = unuse_processes(m, si->type);
		if (err)
			return err;
		/* A process exiting, or reclaim holding a slot on another
		 * thread, lets go of it in its own time. */
		if (atomic_load(&si->inuse_pages) == before)
			mmk_host_yield();
	}
	return 0;
}

/* The percpu clusters forget the area (flush_percpu_swap_cluster). */
static void flush_swap_clusters(struct swap_state *s,
				struct swap_info_struct *si)
{
	int cpu;

	pthread_mutex_lock(&s->alloc_lock);
	for (cpu = 0; cpu <= MMK_MAX_CPUS; cpu++)
		if (s->pcp[cpu].si == si)
			s->pcp[cpu].si = NULL;
	pthread_mutex_unlock(&s->alloc_lock);
}

int mmk_swapoff(const char *path)
{
	struct mmk_machine *m = mmk_cur();
	struct swap_state *s = m ? swap_state_of(m) : NULL;
	/* The swapoff(8) process: privileged, its own mappings negligible. */
	struct mm_struct swapoff_mm = { .machine = m };
	struct swap_info_struct *si;
	int err = 0;

	if (!s || !path)
		return -EINVAL;
	pthread_mutex_lock(&s->swapon_mutex);
	pthread_mutex_lock(&s->lock);
	si = find_swap_info(s, path);
	if (!si || !(si->flags & SWP_WRITEOK))
		err = -EINVAL;
	else if (security_vm_enough_memory_mm(&swapoff_mm, (long)si->pages))
		err = -ENOMEM;
	if (!err) {
		/* Only a test: what comes back is charged already. */
		vm_unacct_memory((long)si->pages);
		disable_swap_info(s, si);
	}
	pthread_mutex_unlock(&s->lock);
	if (err) {
		pthread_mutex_unlock(&s->swapon_mutex);
		return err;
	}
	err = try_to_unuse(m, si);
	/* No CPU takes the area for its cluster again: it gave no slot
	 * since it was disabled. */
	if (!err)
		flush_swap_clusters(s, si);
	pthread_mutex_lock(&s->lock);
	if (err) {
		enable_swap_info(s, si, si->prio); /* reinsert_swap_info() */
	} else {
		pthread_mutex_lock(&si->lock);
		si->flags = 0;
		swap_area_destroy(si);
		pthread_mutex_unlock(&si->lock);
		s->gen++;
	}
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_unlock(&s->swapon_mutex);
	return err;
}

/* ---- the machine's swap ---- */

int swap_init(struct mmk_machine *m)
{
	struct swap_state *s = mmk_host_zalloc(sizeof(*s));
	int err = 0;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->swapon_mutex, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->avail_lock, NULL);
	pthread_mutex_init(&s->alloc_lock, NULL);
	INIT_LIST_HEAD(&s->active);
	INIT_LIST_HEAD(&s->avail);
	s->least_priority = -1;
	/* SWAPFILE_CLUSTER: HPAGE_PMD_NR with THP swap (x86_64), else 256. */
	s->cluster_slots = m->arch->thp ? 512 : 256;
	/* A swap entry keeps the slot number where a PTE keeps the pfn:
	 * 2^20 slots in i386's 32-bit entries. */
	s->max_bytes = m->arch->arch == MMK_ARCH_I386 ? 4ULL << 30 :
							64ULL << 30;
	m->mm->swap = s;
	if (m->cfg.swap_bytes)
		err = swapon(s, "/swapfile", m->cfg.swap_bytes, -1);
	return err;
}

void swap_exit(struct mmk_machine *m)
{
	struct swap_state *s = swap_state_of(m);
	unsigned int type;

	if (!s)
		return;
	for (type = 0; type < s->nr_swapfiles; type++) {
		struct swap_info_struct *si = s->swap_info[type];

		if (si->swap_map)
			swap_area_destroy(si);
		pthread_mutex_destroy(&si->lock);
		mmk_host_free(si);
	}
	pthread_mutex_destroy(&s->swapon_mutex);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->avail_lock);
	pthread_mutex_destroy(&s->alloc_lock);
	mmk_host_free(s);
	m->mm->swap = NULL;
}

/* /proc/swaps (swap_show), the areas in use by type: the name padded to
 * 40 columns, sizes in kB. */
void proc_swaps_show(struct seq_file *sf, struct mmk_machine *m)
{
	struct swap_state *s = swap_state_of(m);
	unsigned long bytes, inuse;
	unsigned int type;
	int len;

	seq_puts(sf, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	for (type = 0; type < s->nr_swapfiles; type++) {
		struct swap_info_struct *si = s->swap_info[type];

		if (!(si->flags & SWP_USED) || !si->swap_map)
			continue;
		bytes = si->pages << (PAGE_SHIFT - 10);
		inuse = atomic_load(&si->inuse_pages) << (PAGE_SHIFT - 10);
		len = (int)strlen(si->name);
		seq_printf(sf, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", si->name,
			   len < 40 ? 40 - len : 1, " ", "file\t", bytes,
			   bytes < 10000000 ? "\t" : "", inuse,
			   inuse < 10000000 ? "\t" : "", si->prio);
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- the verifier ---- */

/* pages_verify's count of the entries naming each slot, over the areas
 * in use when it began (gen). */
struct swap_census {
	unsigned long gen;
	unsigned long base[MAX_SWAPFILES], max[MAX_SWAPFILES];
	unsigned int count[];
};

struct swap_census *swap_census_start(struct mmk_machine *m)
{
	struct swap_state *s = swap_state_of(m);
	unsigned long base[MAX_SWAPFILES] = { 0 }, max[MAX_SWAPFILES] = { 0 };
	unsigned long total = 0, gen = 0;
	struct swap_census *c;
	unsigned int type;

	if (s) {
		pthread_mutex_lock(&s->lock);
		for (type = 0; type < s->nr_swapfiles; type++) {
			base[type] = total;
			max[type] = s->swap_info[type]->max;
			total += max[type];
		}
		gen = s->gen;
		pthread_mutex_unlock(&s->lock);
	}
	c = mmk_host_zalloc(sizeof(*c) + total * sizeof(c->count[0]));
	if (c) {
		c->gen = gen;
		memcpy(c->base, base, sizeof base);
		memcpy(c->max, max, sizeof max);
	}
	return c;
}

bool swap_census_add(struct swap_census *c, unsigned long entry)
{
	unsigned int type = swp_type(entry);
	unsigned long off = swp_offset(entry);

	if (type >= MAX_SWAPFILES || !off || off >= c->max[type])
		return false;
	c->count[c->base[type] + off]++;
	return true;
}

void swap_census_end(struct swap_census *c)
{
	mmk_host_free(c);
}

/* One area's slots (si->lock held); @count: the entries naming each. */
static bool swap_area_verify(struct mmk_machine *m,
			     const struct swap_info_struct *si,
			     const unsigned int *count, char *why, size_t len)
{
	unsigned long i, used = 0;
	bool ok = true;

	for (i = 1; i < si->max && ok; i++) {
		const struct page *page = si->cache[i];

		if (si->swap_map[i])
			used++;
		if (page && is_shadow(page)) {
			if (!si->swap_map[i] || !workingset_shadow_ok(m, page))
				ok = verify_fail(
					why, len,
					"swap %s slot %lu (%#x): a shadow entry in a free slot, or naming no node",
					si->name, i, si->swap_map[i]);
		} else if (page ? !si->swap_map[i] ||
					   page->private !=
						   swp_entry(si->type, i) ||
					   !test_page_flag(page,
							   PG_swapcache) ||
					   !PageAnon(page) ||
					   page_count(page) < 1 ||
					   (si->swap_map[i] & SWAP_HAS_SHMEM) :
				  (si->swap_map[i] & SWAP_HAS_RESERVE) != 0)
			ok = verify_fail(
				why, len,
				"swap %s slot %lu (%#x): its swap cache is inconsistent",
				si->name, i, si->swap_map[i]);
		if (ok && count &&
		    count[i] != (si->swap_map[i] & SWAP_COUNT_MASK))
			ok = verify_fail(
				why, len,
				"swap %s slot %lu: count %u, %u entries name it",
				si->name, i, si->swap_map[i] & SWAP_COUNT_MASK,
				count[i]);
	}
	if (ok && used != atomic_load(&si->inuse_pages))
		ok = verify_fail(why, len,
				 "swap %s: %lu slots in use, inuse_pages %lu",
				 si->name, used, atomic_load(&si->inuse_pages));
	return ok;
}

/* The lists, the counters and the default priorities (swap->lock held). */
static bool swap_lists_verify(struct swap_state *s, char *why, size_t len)
{
	long nr = 0, total = 0;
	int prio = INT_MAX, defaults = 0, lowest = -1;
	struct swap_info_struct *si;
	unsigned int type, enabled = 0;

	for (type = 0; type < s->nr_swapfiles; type++) {
		si = s->swap_info[type];
		if (!(si->flags & SWP_WRITEOK))
			continue;
		enabled++;
		nr += (long)(si->pages - atomic_load(&si->inuse_pages));
		total += (long)si->pages;
		if (si->prio < 0) {
			defaults++;
			lowest = min(lowest, si->prio);
		}
	}
	if (nr != atomic_load(&s->nr_swap_pages) ||
	    total != atomic_load(&s->total_swap_pages))
		return verify_fail(
			why, len,
			"swap: %ld free of %ld slots enabled, nr_swap_pages %ld, total_swap_pages %ld",
			nr, total, atomic_load(&s->nr_swap_pages),
			atomic_load(&s->total_swap_pages));
	list_for_each_entry(si, &s->active, list) {
		if (!(si->flags & SWP_WRITEOK) || si->prio > prio)
			return verify_fail(
				why, len,
				"swap %s: on the active list out of priority order, or not enabled",
				si->name);
		prio = si->prio;
		enabled--;
	}
	if (enabled)
		return verify_fail(
			why, len,
			"swap: %u enabled areas not on the active list",
			enabled);
	if (defaults &&
	    (lowest != -1 - defaults || lowest != s->least_priority))
		return verify_fail(
			why, len,
			"swap: default priorities run down to %d for %d areas, least_priority %d",
			lowest, defaults, s->least_priority);
	return true;
}

bool swap_verify(struct mmk_machine *m, const struct swap_census *c, char *why,
		 size_t len)
{
	struct swap_state *s = swap_state_of(m);
	unsigned int type;
	bool ok;

	if (!s)
		return true;
	pthread_mutex_lock(&s->lock);
	/* An area made or removed since the census began: counts of
	 * entries are not compared. */
	if (c && c->gen != s->gen)
		c = NULL;
	ok = swap_lists_verify(s, why, len);
	for (type = 0; type < s->nr_swapfiles && ok; type++) {
		struct swap_info_struct *si = s->swap_info[type];

		if (!si->swap_map)
			continue;
		pthread_mutex_lock(&si->lock);
		ok = swap_area_verify(
			m, si, c ? c->count + c->base[type] : NULL, why, len);
		pthread_mutex_unlock(&si->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return ok;
}
