/* SPDX-License-Identifier: MIT */
/*
 * The page cache of in-memory files and shmem objects (Linux's
 * mm/filemap.c and the page half of mm/shmem.c).
 *
 * 1. What it models. A file's pages exist once each, shared by every
 *    mapping of the file in every process: the first fault on a page
 *    allocates it (zero-filled, the file's content), later faults map the
 *    same page. The cache holds one reference; each mapping holds one more
 *    and a mapcount. A fault at or beyond the file's size (rounded up to a
 *    page) is SIGBUS. Pages count in NR_FILE_PAGES (Cached), shmem pages
 *    also in NR_SHMEM (Shmem).
 *    - Reclaim (mm/vmscan.c) evicts clean unmapped pages nobody else holds
 *      (__remove_mapping); a dirty page of a regular file is first
 *      written to its block (filemap_writeback: nr_written, pgpgout),
 *      which a later fault reads back (pgpgin). A page without a block
 *      (never written back, or in a punched hole) is a hole: it reads as
 *      zeroes, with no I/O and no pgpgin. The part of the last page past
 *      the file's end is zeroed in the page at each writeback, as ext4
 *      does (block_write_full_folio), and zero-filled by a read: bytes
 *      written there through a mapping never reach the file.
 *    - A hole punch (MADV_REMOVE, fallocate(PUNCH_HOLE)) removes the
 *      pages of its range from every mapping and the cache and frees
 *      their blocks (the range is whole pages: madvise's is aligned).
 *    - Shmem: reclaim writes a written page to a swap slot whose number
 *      takes its place in the page array (shmem_writeout; Shmem and
 *      smaps Rss drop, smaps Swap counts it); a fault reads it back
 *      (pgmajfault, pswpin); MADV_REMOVE and the object's end free the
 *      slots; swapoff reads those of its area back (shmem_unuse: pswpin
 *      only).
 *    - Shadows (mm/workingset.c): a page reclaim evicts from a regular
 *      file (filemap_remove_mapping: __remove_mapping) leaves a shadow
 *      entry in its slot; a written shmem page leaves its shadow in its
 *      swap slot. A page added over a shadow (a fault, readahead; a
 *      shmem swap-in) is a refault, activated when recent
 *      (filemap_add_folio -> workingset_refault), before it joins the
 *      LRU. A shadow counts as a miss to readahead and mincore. A hole
 *      punch and the file's release drop shadows
 *      (truncate_folio_batch_exceptionals), so does an invalidation of
 *      their range (drop_caches, FADV_DONTNEED: clear_shadow_entries);
 *      eviction by invalidation leaves none (__remove_mapping with
 *      reclaimed false).
 *
 * 2. Objects. file->pages[index] (kmalloc'ed, or vmalloc'ed when large):
 *    a page, or an xarray value entry (bit 0): a shmem swap slot, or a
 *    regular file's shadow; a flat array, not a radix tree (hence no
 *    workingset_nodes: mm/workingset.c);
 *    file->disk, the blocks: private host memory made at the first
 *    writeback, one page per page of the file, with file->disk_blocks,
 *    the bitmap of the pages that have one (set by writeback, cleared
 *    by a hole punch), both under file->lock. Shmem has neither.
 *
 * 3. Invariants. A cached page has mapping == the file, index == its
 *    position, and at least the cache's reference; the block of the
 *    last page holds zeroes past the file's end; a value entry is a
 *    swap slot the object holds (shmem) or a shadow naming a node
 *    (regular files): a slot holds a page or a shadow, never both.
 *    filemap_verify checks them (run by check, from mm_state_verify).
 *
 *    - Faults (filemap_fault): a regular file's page not cached is a
 *      major fault (pgmajfault), read from the blocks or a hole, with a
 *      readahead window around or after it (mm/readahead.c), or, in an
 *      executable mapping, from it to at most the VMA's end; the fault
 *      is then done again, as Linux retries it after the I/O, so that
 *      fault-around maps what came in. A fault that finds the readahead
 *      mark reads the next window. Faults that keep missing (more than
 *      MMAP_LOTSAMISS, less fault-around's hits) read only their page.
 *    - Invalidation (vm.drop_caches, FADV_DONTNEED) drops clean pages
 *      nothing maps or holds and deactivates the rest; FADV_DONTNEED
 *      first writes dirty pages back, write-protecting the entries that
 *      map them (page_mkclean) so that a later write dirties them again.
 *
 * 4. Departures. No writeback other than reclaim's and fsync's (no
 *    flusher threads). Sizes change by ftruncate and
 *    fallocate only (mm/truncate.c): the slots of file->pages (and the
 *    disk) grow with them and never shrink (file->pages_cap).
 *
 * 5. Ordering. The page lock (PG_locked: trylock_page, lock_page,
 *    unlock_page) keeps a cached page's ->mapping stable: a fault maps
 *    the page under it after checking it is still cached, a hole punch
 *    or the file's release unmaps and removes it under it, and reclaim
 *    tries it before it looks at the page. Waiters sleep on a hashed
 *    table of condition variables. Order: mmap lock, page lock,
 *    file->lock; no one waits for a page lock while holding another, or
 *    allocates while holding one, and reclaim only tries them.
 *
 * 6. Observability. Cached, Shmem, Mapped in /proc/meminfo; RssFile and
 *    RssShmem in status; workingset_refault_file and its activations in
 *    /proc/vmstat.
 */
#include "mm/pgtable.h"

#include <limits.h>
#include <sched.h>
#include <string.h>
#include <mmkit/slab.h>
#include <mmkit/vmalloc.h>

#define KMALLOC_ARRAY_MAX (4UL << 20)

/* ---- the page lock (folio_lock, folio_unlock) ---- */

/* Waiters sleep on one of these, by the page's address (Linux's hashed
 * folio_wait_table); PG_waiters tells unlock_page to wake them. */
#define PAGE_WAIT_TABLE_SIZE 64
static struct page_wait_bucket {
	pthread_mutex_t lock;
	pthread_cond_t wait;
} page_wait_table[PAGE_WAIT_TABLE_SIZE];
static pthread_once_t page_wait_once = PTHREAD_ONCE_INIT;

static void page_wait_init(void)
{
	int i;

	for (i = 0; i < PAGE_WAIT_TABLE_SIZE; i++) {
		pthread_mutex_init(&page_wait_table[i].lock, NULL);
		pthread_cond_init(&page_wait_table[i].wait, NULL);
	}
}

static struct page_wait_bucket *page_waitqueue(const struct page *page)
{
	pthread_once(&page_wait_once, page_wait_init);
	return &page_wait_table[((uintptr_t)page / sizeof(*page)) %
				PAGE_WAIT_TABLE_SIZE];
}

bool trylock_page(struct page *page)
{
	return !(__atomic_fetch_or(&page->flags, 1UL << PG_locked,
				   __ATOMIC_ACQUIRE) &
		 (1UL << PG_locked));
}

void lock_page(struct page *page)
{
	struct page_wait_bucket *b;

	if (trylock_page(page))
		return;
	b = page_waitqueue(page);
	pthread_mutex_lock(&b->lock);
	/* PG_waiters before the try: an unlock after the try sees it. */
	for (;;) {
		__atomic_fetch_or(&page->flags, 1UL << PG_waiters,
				  __ATOMIC_SEQ_CST);
		if (trylock_page(page))
			break;
		pthread_cond_wait(&b->wait, &b->lock);
	}
	pthread_mutex_unlock(&b->lock);
}

void unlock_page(struct page *page)
{
	struct page_wait_bucket *b;

	if (!(__atomic_and_fetch(&page->flags, ~(1UL << PG_locked),
				 __ATOMIC_SEQ_CST) &
	      (1UL << PG_waiters)))
		return;
	/* Every waiter of the bucket wakes and tries again (one whose
	 * page is still locked sets PG_waiters again). */
	b = page_waitqueue(page);
	pthread_mutex_lock(&b->lock);
	page_flag_clear(page, PG_waiters);
	pthread_cond_broadcast(&b->wait);
	pthread_mutex_unlock(&b->lock);
}

int filemap_init(struct file *f)
{
	size_t bytes;

	pthread_mutex_init(&f->lock, NULL);
	INIT_LIST_HEAD(&f->i_mmap);
	/* A size beyond loff_t's is a negative length to ftruncate() (and
	 * would wrap PAGE_ALIGN below). */
	if (f->size > (unsigned long)LLONG_MAX)
		return -EINVAL;
	f->nr_pages = PAGE_ALIGN(f->size) >> PAGE_SHIFT;
	if (!file_nr_pages(f))
		return 0;
	if (file_nr_pages(f) > UINT_MAX)
		return -ENOMEM;
	f->pages_cap = (unsigned int)file_nr_pages(f);
	bytes = file_nr_pages(f) * sizeof(struct page *);
	f->pages_vmalloc = bytes > KMALLOC_ARRAY_MAX;
	f->pages = f->pages_vmalloc ? vzalloc(bytes) :
				      kzalloc(bytes, GFP_KERNEL);
	return f->pages ? 0 : -ENOMEM;
}

/* A page of a regular file's cache (shmem and swap-cache pages are not
 * counted as dirty: they have no writeback, as in Linux). */
static bool dirty_accounted(const struct page *page)
{
	return !PageAnon(page) && page->mapping &&
	       !((const struct file *)page->mapping)->shmem;
}

void folio_mark_dirty(struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	/* A huge page's flag is its head's (hugetlbfs's dirty_folio, which
	 * accounts nothing). */
	page = compound_head(page);
	/* (page_type is _mapcount's word: only a head's is stable.) */
	if (PageHead(page) && page_type_of(page) == PGTY_hugetlb) {
		page_flag_set(page, PG_dirty);
		return;
	}

	if (__atomic_fetch_or(&page->flags, 1UL << PG_dirty, __ATOMIC_RELAXED) &
	    (1UL << PG_dirty))
		return;
	if (dirty_accounted(page)) {
		atomic_fetch_add(
			&m->node_stat[page_to_nid(page)][NR_FILE_DIRTY], 1);
		atomic_fetch_add(&m->node_stat[page_to_nid(page)][NR_DIRTIED],
				 1);
	}
}

static void folio_clear_dirty(struct page *page)
{
	struct mmk_machine *m = mmk_cur();

	if ((__atomic_fetch_and(&page->flags, ~(1UL << PG_dirty),
				__ATOMIC_RELAXED) &
	     (1UL << PG_dirty)) &&
	    dirty_accounted(page))
		atomic_fetch_sub(
			&m->node_stat[page_to_nid(page)][NR_FILE_DIRTY], 1);
}

static void page_cache_stat(struct file *f, struct page *page, long delta)
{
	struct mmk_machine *m = f->machine;
	int nid = page_to_nid(page);

	atomic_fetch_add(&m->node_stat[nid][NR_FILE_PAGES], delta);
	if (f->shmem)
		atomic_fetch_add(&m->node_stat[nid][NR_SHMEM], delta);
}

/* A slot of file->pages holds a page, or an xarray value entry (bit 0
 * set): in a shmem object, the swap slot of a page reclaim wrote out; in
 * a regular file, the shadow of a page reclaim evicted
 * (mm/workingset.c). */
static bool is_swap_value(const struct page *p)
{
	return (uintptr_t)p & 1;
}

static bool is_shadow_entry(const struct file *f, const struct page *p)
{
	return !f->shmem && is_swap_value(p);
}

/* The page a slot holds, or NULL (nothing, or a value entry). */
static bool is_page_entry(const struct page *p)
{
	return p && !is_swap_value(p);
}

static unsigned long swap_value_entry(const struct page *p)
{
	return (uintptr_t)p >> 1;
}

static struct page *swap_value(unsigned long entry)
{
	return (struct page *)((entry << 1) | 1);
}

/* ---- the file's blocks (a regular file's "disk") ---- */

/* The bytes of page @index that lie inside the file: PAGE_SIZE but for a
 * last page the file ends in. */
static size_t page_file_bytes(const struct file *f, unsigned long index)
{
	unsigned long pos = index << PAGE_SHIFT;

	return f->size - pos < PAGE_SIZE ? f->size - pos : PAGE_SIZE;
}

/* Page @index has a block on disk; a page that has none is a hole, read
 * as zeroes without I/O. f->lock held. */
static bool page_has_block(const struct file *f, unsigned long index)
{
	unsigned long bit = 1UL << (index % BITS_PER_LONG);

	return f->disk_blocks && (f->disk_blocks[index / BITS_PER_LONG] & bit);
}

/* The block of page @index goes (a punched hole, or the file's release):
 * its bytes on disk are left, as a file system leaves a freed block's,
 * and never read again; a later writeback gives it a block again.
 * f->lock held. */
static void punch_block(struct file *f, unsigned long index)
{
	if (f->disk_blocks)
		f->disk_blocks[index / BITS_PER_LONG] &=
			~(1UL << (index % BITS_PER_LONG));
}

/* The disk, at the file's first writeback: every page a hole. -ENOMEM if
 * the host refuses. f->lock held. */
static int disk_create(struct file *f)
{
	size_t bitmap = DIV_ROUND_UP(f->pages_cap, BITS_PER_LONG) *
			sizeof(unsigned long);
	struct mmk_host_mem *disk = mmk_host_zalloc(sizeof(*disk));
	unsigned long *blocks = mmk_host_zalloc(bitmap);

	if (!disk || !blocks ||
	    mmk_host_mem_create_private(disk,
					(size_t)f->pages_cap << PAGE_SHIFT)) {
		mmk_host_free(blocks);
		mmk_host_free(disk);
		return -ENOMEM;
	}
	f->disk = disk;
	f->disk_blocks = blocks;
	return 0;
}

/* A new cache page's content: the swapped-out data (shmem_swapin; for a
 * @fault, a major fault), the page's block, or zeroes. f->lock held.
 * Returns the shadow @entry or the swap slot held, if any. */
static const void *fill_page(struct file *f, struct page *page,
			     unsigned long index, struct page *entry,
			     bool fault)
{
	struct mmk_machine *m = f->machine;
	const void *shadow = is_shadow_entry(f, entry) ? entry : NULL;
	char *to = page_host(m, page);
	size_t len;

	if (f->shmem && is_swap_value(entry)) {
		/* Taken before the slot is freed, which drops it. */
		shadow = swap_cache_get_shadow(swap_value_entry(entry));
		swap_readpage(m, page, swap_value_entry(entry));
		swap_release(swap_value_entry(entry), SWAP_HAS_SHMEM);
		if (fault)
			count_vm_events(m, PGMAJFAULT, 1);
		/* Its only copy is in memory again. */
		page_flag_set(page, PG_dirty);
	} else if (page_has_block(f, index)) {
		/* ext4_mpage_readpages(): the block is read, and what lies
		 * past the file's end is zero-filled. */
		len = page_file_bytes(f, index);
		memcpy(to, (char *)f->disk->base + (index << PAGE_SHIFT), len);
		memset(to + len, 0, PAGE_SIZE - len);
		count_vm_events(m, PGPGIN, PAGE_SIZE >> 10);
	} else {
		/* A hole (never written back, or punched): no I/O. */
		memset(to, 0, PAGE_SIZE);
	}
	return shadow;
}

/* shmem_acct_blocks(): a new page of a MAP_NORESERVE or memfd object is
 * charged to Committed_AS for the process acting, which strict overcommit
 * may refuse (-ENOSPC: SIGBUS); shmem_unacct_blocks() when it goes. */
static int shmem_acct_block(struct file *f)
{
	if (!f->acct_blocks)
		return 0;
	/* Outside a process (fallocate through the API): a privileged
	 * caller with no address space. */
	return security_vm_enough_memory_mm(current_mm(), 1) ? -ENOSPC : 0;
}

static void shmem_unacct_block(struct file *f)
{
	if (f->acct_blocks)
		vm_unacct_memory(1);
}

/* filemap_add_folio(): @page, new, becomes the cache's page at @index in
 * place of @entry (nothing, a shadow, or a shmem page's swap slot), with
 * its content, on the LRU; a shadow found (in the file, or in the swap
 * slot: shmem_swap_alloc_folio) is a refault, which may add it active.
 * f->lock held. */
static void page_cache_insert(struct file *f, struct page *page,
			      unsigned long index, struct page *entry,
			      bool fault)
{
	const void *shadow = fill_page(f, page, index, entry, fault);

	page_set_mapping(page, (struct address_space *)f);
	page->index = index;
	__atomic_fetch_or(&page->flags,
			  (1UL << PG_uptodate) |
				  (f->shmem ? 1UL << PG_swapbacked : 0),
			  __ATOMIC_RELAXED);
	if (shadow)
		workingset_refault(f->machine, page, shadow);
	lru_add(f->machine, page);
	f->pages[index] = page;
	page_cache_stat(f, page, 1);
}

/* __filemap_get_page()'s @fgp: any slot the cache has, not only those
 * inside the file (fallocate with KEEP_SIZE, swapoff, a partial page's
 * zeroing); a new page is fallocate's: not uptodate (shmem_fallocate's
 * SGP_FALLOC: mincore and fault-around pass it over, its first fault
 * makes it uptodate). */
#define FGP_ANY_INDEX 1U
#define FGP_FALLOC 2U

/* A slot a lookup may fill. f->lock held: a truncation may have just
 * moved the end. */
static bool index_ok(const struct file *f, unsigned long index,
		     unsigned int fgp)
{
	return index <
	       ((fgp & FGP_ANY_INDEX) ? f->pages_cap : file_nr_pages(f));
}

/* @extra: gfp bits added to the page's allocation (swapoff's
 * __GFP_RETRY_MAYFAIL). */
static struct page *__filemap_get_page(struct file *f, unsigned long index,
				       int *err, bool fault, gfp_t extra,
				       struct vm_area_struct *vma,
				       unsigned int fgp)
{
	struct page *page, *entry, *fresh;

	*err = 0;
again:
	pthread_mutex_lock(&f->lock);
	if (!index_ok(f, index, fgp)) {
		pthread_mutex_unlock(&f->lock);
		*err = -EFAULT; /* SIGBUS */
		return NULL;
	}
	entry = f->pages[index];
	if (is_page_entry(entry)) {
		get_page(entry);
		pthread_mutex_unlock(&f->lock);
		return entry;
	}
	/* filemap_alloc_folio() outside the lock (reclaim, which may run
	 * inside the allocation, try-locks it), then the content; if the
	 * entry changed meanwhile, start again. */
	pthread_mutex_unlock(&f->lock);
	fresh = filemap_alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_COMP | extra, f,
				   vma, index);
	if (!fresh) {
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&f->lock);
	if (!index_ok(f, index, fgp) || f->pages[index] != entry) {
		pthread_mutex_unlock(&f->lock);
		put_page(fresh);
		goto again;
	}
	/* A swapped page was charged when it was made. */
	if ((!entry || is_shadow_entry(f, entry)) &&
	    (*err = shmem_acct_block(f))) {
		pthread_mutex_unlock(&f->lock);
		put_page(fresh);
		return NULL;
	}
	page = fresh;
	page_cache_insert(f, page, index, entry, fault);
	if ((fgp & FGP_FALLOC) && !entry)
		page_flag_clear(page, PG_uptodate);
	get_page(page);
	pthread_mutex_unlock(&f->lock);
	return page;
}

int filemap_ra_add(struct file *f, unsigned long index, bool mark)
{
	struct page *page, *entry;

	pthread_mutex_lock(&f->lock);
	entry = index < file_nr_pages(f) ? f->pages[index] : NULL;
	pthread_mutex_unlock(&f->lock);
	if (entry && !is_shadow_entry(f, entry))
		return 0;
	/* readahead_gfp_mask(): no hard reclaim, no OOM kill, no report. */
	page = filemap_alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_COMP |
					  __GFP_NORETRY | __GFP_NOWARN,
				  f, NULL, index);
	if (!page)
		return -ENOMEM;
	pthread_mutex_lock(&f->lock);
	if (index >= file_nr_pages(f) || f->pages[index] != entry) {
		/* Another fault read it meanwhile, or a truncation came. */
		pthread_mutex_unlock(&f->lock);
		put_page(page);
		return 0;
	}
	page_cache_insert(f, page, index, entry, false);
	if (mark)
		page_flag_set(page, PG_readahead);
	pthread_mutex_unlock(&f->lock);
	return 1;
}

unsigned long page_cache_next_miss(struct file *f, unsigned long index,
				   unsigned long max_scan)
{
	unsigned long i;

	/* A shadow is a miss, as a hole is. */
	for (i = index; i - index < max_scan; i++)
		if (i >= file_nr_pages(f) || !is_page_entry(f->pages[i]))
			return i;
	return i;
}

unsigned long page_cache_prev_miss(struct file *f, unsigned long index,
				   unsigned long max_scan)
{
	unsigned long i = index;

	while (max_scan--) {
		if (i >= file_nr_pages(f) || !is_page_entry(f->pages[i]))
			return i;
		if (i-- == 0)
			return ULONG_MAX; /* cached from the file's start */
	}
	return i;
}

/* Faults that miss more than this, less fault-around's hits, read only
 * their page (MMAP_LOTSAMISS). */
#define MMAP_LOTSAMISS 100U

/*
 * exec_folio_order(): the smallest folio an architecture wants for
 * executable file memory; order 0 on x86 (arm64 asks for 64 KiB).
 */
static unsigned int exec_folio_order(void)
{
	return 0;
}

/*
 * do_sync_mmap_readahead(): a fault at @index of @vma missed the cache.
 * Nothing more is read under MADV_RANDOM, except for an executable
 * mapping; MADV_SEQUENTIAL reads a window ahead; otherwise, unless the
 * file's faults mostly miss (MADV_RANDOM on an executable mapping counts
 * them too), an executable mapping (VM_EXEC, Linux 6.16's commit
 * 3b61a3f08949) reads ra_pages pages from the fault (aligned down to
 * exec_folio_order(), not before the VMA), cut at the VMA's end, with
 * no lookahead and so no mark; any other reads the window around the
 * fault: ra_pages pages from half of them before it, the last quarter
 * lookahead.
 */
static void do_sync_mmap_readahead(struct vm_area_struct *vma,
				   unsigned long index)
{
	struct file *f = vma->vm_file;
	struct file_ra_state *ra = &f->f_ra;
	unsigned long vm_flags = vma->vm_flags;
	unsigned long ra_pages = file_ra_pages(f);
	unsigned long start, end, nr;

	if ((vm_flags & (VM_RAND_READ | VM_EXEC)) == VM_RAND_READ || !ra_pages)
		return;
	if (vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(f, index, ra_pages);
		return;
	}
	pthread_mutex_lock(&f->lock);
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS) {
		pthread_mutex_unlock(&f->lock);
		return;
	}
	if (vm_flags & VM_EXEC) {
		/* Linux limits it to the VMA: no padding between an
		 * executable's sections is read. */
		nr = 1UL << exec_folio_order();
		start = max(index & ~(nr - 1), vma->vm_pgoff);
		end = min((start + ra_pages + nr - 1) & ~(nr - 1),
			  vma->vm_pgoff + vma_pages(vma));
		ra->start = start;
		ra->size = end - start;
		ra->async_size = 0;
	} else {
		ra->start = index - min(index, ra_pages / 2);
		ra->size = ra_pages;
		ra->async_size = ra_pages / 4;
	}
	page_cache_ra_order(f);
}

/* do_async_mmap_readahead(): a fault found @page cached: one miss less;
 * on the readahead mark, the next window. */
static void do_async_mmap_readahead(struct file *f, unsigned long vm_flags,
				    struct page *page, unsigned long index)
{
	struct file_ra_state *ra = &f->f_ra;
	unsigned long ra_pages = file_ra_pages(f);

	if ((vm_flags & VM_RAND_READ) || !ra_pages)
		return;
	pthread_mutex_lock(&f->lock);
	if (ra->mmap_miss)
		ra->mmap_miss--;
	pthread_mutex_unlock(&f->lock);
	if (test_page_flag(page, PG_readahead))
		page_cache_async_ra(f, page, index, ra_pages);
}

struct page *filemap_fault(struct vm_area_struct *vma, unsigned long index,
			   bool tried, int *err, bool *major)
{
	struct file *f = vma->vm_file;
	struct page *page;

	*major = false;
	/* shmem_fault(): no readahead; a swapped page's read is major. A
	 * page fallocate allocated becomes uptodate (shmem_get_folio_gfp
	 * clears it first: it is clear), for a copy-on-write too. */
	if (f->shmem) {
		page = __filemap_get_page(f, index, err, true, 0, vma, 0);
		if (page && !test_page_flag(page, PG_uptodate))
			page_flag_set(page, PG_uptodate);
		return page;
	}
	if (index >= file_nr_pages(f)) {
		*err = -EFAULT; /* SIGBUS */
		return NULL;
	}
	page = filemap_find_page(f, index);
	if (page) {
		/* A retried fault (FAULT_FLAG_TRIED) reads no more. */
		if (!tried)
			do_async_mmap_readahead(f, vma->vm_flags, page, index);
		*err = 0;
		return page;
	}
	/* No page in the cache at all: a major fault, read (a hole reads
	 * zeroes) with the window around it. */
	count_vm_events(f->machine, PGMAJFAULT, 1);
	*major = true;
	do_sync_mmap_readahead(vma, index);
	return __filemap_get_page(f, index, err, false, 0, vma, 0);
}

void filemap_mmap_hits(struct file *f, unsigned int hits)
{
	if (!hits || f->shmem)
		return;
	pthread_mutex_lock(&f->lock);
	f->f_ra.mmap_miss -= min(f->f_ra.mmap_miss, hits);
	pthread_mutex_unlock(&f->lock);
}

/*
 * MADV_WILLNEED of a file's pages [index, index + nr) (vfs_fadvise
 * WILLNEED, shmem_swapin_range): a regular file's missing pages are read
 * into the cache, at most 320 of them (force_page_cache_ra), a
 * shmem object's swapped ones come back from swap; none is mapped. Stops
 * at the file's end or when memory runs out (the advice has no result).
 */
void filemap_willneed(struct file *f, unsigned long index, unsigned long nr)
{
	unsigned long i, end;
	struct page *page;
	int err;

	if (!f->shmem) {
		force_page_cache_ra(f, index, nr);
		return;
	}
	if (index >= file_nr_pages(f))
		return;
	end = index + min(nr, file_nr_pages(f) - index);
	for (i = index; i < end; i++) {
		pthread_mutex_lock(&f->lock);
		page = f->pages[i];
		pthread_mutex_unlock(&f->lock);
		if (!is_swap_value(page))
			continue;
		page = __filemap_get_page(f, i, &err, false, 0, NULL, 0);
		if (!page)
			return;
		put_page(page);
	}
}

struct page *filemap_find_page(struct file *f, unsigned long index)
{
	struct page *page = NULL;

	if (index >= file_nr_pages(f))
		return NULL;
	pthread_mutex_lock(&f->lock);
	page = f->pages[index];
	if (page && !is_swap_value(page))
		get_page(page);
	else
		page = NULL;
	pthread_mutex_unlock(&f->lock);
	return page;
}

int filemap_mincore_page(struct file *f, unsigned long index)
{
	struct page *page;
	int present = 0;

	/* The cache as it is, past the end too (fallocate's KEEP_SIZE
	 * pages). */
	pthread_mutex_lock(&f->lock);
	page = index < f->pages_cap ? f->pages[index] : NULL;
	if (is_shadow_entry(f, page)) {
		page = NULL; /* evicted */
	} else if (is_swap_value(page)) {
		/* filemap_get_incore_folio(): a shmem page in swap is in
		 * memory while the swap cache holds it. */
		page = swap_cache_get(swap_value_entry(page));
		if (page)
			put_page(page);
	}
	/* A page fallocate allocated is not uptodate: not in core. */
	present = page && test_page_flag(page, PG_uptodate);
	pthread_mutex_unlock(&f->lock);
	return present;
}

unsigned long shmem_swapped(struct file *f, unsigned long index,
			    unsigned long nr)
{
	unsigned long i, end = min(index + nr, file_pages_cap(f)), n = 0;

	if (!f->shmem)
		return 0;
	pthread_mutex_lock(&f->lock);
	for (i = index; i < end && i >= index; i++)
		n += is_swap_value(f->pages[i]);
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* shmem_unuse_inode(): @f's pages swapped to area @type back in its
 * cache, as a swap-in with no fault brings them (pswpin); -ENOMEM when a
 * page could not be had. */
static int shmem_unuse_file(struct file *f, unsigned int type)
{
	struct page *entry, *page;
	unsigned long i;
	int err = 0;
	bool end;

	for (i = 0; !err; i++) {
		pthread_mutex_lock(&f->lock);
		end = !f->pages || i >= f->pages_cap;
		entry = end ? NULL : f->pages[i];
		pthread_mutex_unlock(&f->lock);
		if (end)
			break;
		if (!f->shmem || !is_swap_value(entry) ||
		    swp_type(swap_value_entry(entry)) != type)
			continue;
		page = __filemap_get_page(f, i, &err, false,
					  __GFP_RETRY_MAYFAIL, NULL,
					  FGP_ANY_INDEX);
		if (page)
			put_page(page);
	}
	return err;
}

/* The shmem object after @pos on the machine's list, with a reference
 * taken unless its last one is going (files_lock held), or NULL. */
static struct file *next_shmem_file(struct mm_state *ms, struct list_head *pos)
{
	for (pos = pos->next; pos != &ms->files; pos = pos->next) {
		struct file *f = list_entry(pos, struct file, f_list);
		long count = atomic_load(&f->f_count);

		while (f->shmem && count &&
		       !atomic_compare_exchange_weak(&f->f_count, &count,
						     count + 1))
			;
		if (f->shmem && count)
			return f;
	}
	return NULL;
}

int shmem_unuse(unsigned int type)
{
	struct mm_state *ms = mm_state();
	struct file *f, *next;
	int err = 0;

	pthread_mutex_lock(&ms->files_lock);
	f = next_shmem_file(ms, &ms->files);
	pthread_mutex_unlock(&ms->files_lock);
	/* The reference keeps each on the list while its pages come back
	 * with files_lock dropped (fput takes it). */
	while (f) {
		err = shmem_unuse_file(f, type);
		pthread_mutex_lock(&ms->files_lock);
		next = err ? NULL : next_shmem_file(ms, &f->f_list);
		pthread_mutex_unlock(&ms->files_lock);
		fput(f);
		f = next;
	}
	return err;
}

/* delete_from_page_cache(): @page leaves @f's cache, if it is still
 * there and nothing maps it, with the cache's reference; @shadow (or
 * nothing) takes its place. The caller holds f->lock and a reference of
 * its own. */
static void page_cache_delete(struct file *f, struct page *page, void *shadow)
{
	unsigned long i = page->index;

	if (i >= f->pages_cap || f->pages[i] != page || page_mapcount(page))
		return;
	f->pages[i] = shadow;
	shmem_unacct_block(f);
	page_cache_stat(f, page, -1);
	folio_clear_dirty(page);
	page_flag_clear(page, PG_readahead);
	page_set_mapping(page, NULL);
	lru_del(f->machine, page);
	put_page(page);
}

int filemap_migrate_folio(struct page *old, struct page *new, int expected)
{
	struct file *f = (struct file *)old->mapping;
	struct mmk_machine *m = f->machine;
	unsigned long i = old->index;
	int from = page_to_nid(old), to = page_to_nid(new);

	/* Lookups take their reference under f->lock, which the caller
	 * holds: a count of @expected stays so while the slot changes. */
	if (i >= f->pages_cap || f->pages[i] != old ||
	    page_count_acquire(old) != expected)
		return -EAGAIN;
	f->pages[i] = new;
	get_page(new);
	if (from != to) {
		page_cache_stat(f, old, -1);
		page_cache_stat(f, new, 1);
		if (test_page_flag(old, PG_dirty) && dirty_accounted(old)) {
			atomic_fetch_sub(&m->node_stat[from][NR_FILE_DIRTY], 1);
			atomic_fetch_add(&m->node_stat[to][NR_FILE_DIRTY], 1);
		}
	}
	/* The cache's reference to @old goes with its place. */
	atomic_fetch_sub(&old->_refcount, 1);
	return 0;
}

/*
 * Index @i of a punched hole or of a released file: a swapped-out shmem
 * page's slot is freed; a cached page is locked, so that no fault maps it
 * between its unmapping (from every process) and its removal, and so
 * that reclaim, which may be using it and its file, is done with it
 * (truncate_inode_pages_range). The walk only tries each mapper's mmap
 * lock (it holds the page lock, which faults take inside theirs). When
 * one was busy, everything is dropped and the index done again with that
 * process's lock taken first, as a fault takes it, so that a process
 * that keeps its lock busy cannot starve the walk. The caller holds no
 * mmap lock.
 */
static void truncate_index(struct file *f, unsigned long i, bool remove)
{
	struct mm_struct *held = NULL;

	for (;;) {
		struct mm_struct *busy = NULL;
		struct page *page;
		int skipped = 0;

		pthread_mutex_lock(&f->lock);
		page = f->pages[i];
		if (!remove) {
			/* unmap_mapping_pages(): the mapped page only. */
			if (is_page_entry(page))
				get_page(page);
			else
				page = NULL;
		} else if (is_shadow_entry(f, page)) {
			/* truncate_folio_batch_exceptionals(): the shadow
			 * goes with the block. */
			f->pages[i] = NULL;
			punch_block(f, i);
			page = NULL;
		} else if (is_swap_value(page)) {
			swap_release(swap_value_entry(page), SWAP_HAS_SHMEM);
			f->pages[i] = NULL;
			shmem_unacct_block(f);
			page = NULL;
		} else if (page) {
			get_page(page);
		} else {
			punch_block(f, i);
		}
		pthread_mutex_unlock(&f->lock);
		if (page) {
			lock_page(page);
			if (page->mapping == (struct address_space *)f) {
				if (page_mapcount(page))
					skipped = try_to_unmap_busy(page, held,
								    &busy);
				if (skipped <= 0 && remove) {
					pthread_mutex_lock(&f->lock);
					page_cache_delete(f, page, NULL);
					/* The block with the page, so that
					 * no fault reads it back between. */
					if (!f->pages[i])
						punch_block(f, i);
					pthread_mutex_unlock(&f->lock);
				}
			}
			unlock_page(page);
			put_page(page);
		}
		if (held) {
			mmap_write_unlock(held);
			mmput(held);
			held = NULL;
		}
		if (skipped <= 0)
			return;
		/* A process exiting meanwhile (no reference to be had)
		 * unmaps everything itself: let it run. */
		if (!busy) {
			sched_yield();
			continue;
		}
		mmap_write_lock(busy);
		held = busy;
	}
}

/* The disk grows to @nr pages with the cache (f->lock held): a new
 * one, with the blocks of the old. -ENOMEM. */
static int disk_grow(struct file *f, unsigned long nr)
{
	size_t bitmap = DIV_ROUND_UP(nr, BITS_PER_LONG) * sizeof(unsigned long);
	size_t old_bitmap = DIV_ROUND_UP(f->pages_cap, BITS_PER_LONG) *
			    sizeof(unsigned long);
	struct mmk_host_mem *disk = mmk_host_zalloc(sizeof(*disk));
	unsigned long *blocks = mmk_host_zalloc(bitmap);

	if (!disk || !blocks ||
	    mmk_host_mem_create_private(disk, nr << PAGE_SHIFT)) {
		mmk_host_free(blocks);
		mmk_host_free(disk);
		return -ENOMEM;
	}
	memcpy(disk->base, f->disk->base, (size_t)f->pages_cap << PAGE_SHIFT);
	memcpy(blocks, f->disk_blocks, old_bitmap);
	mmk_host_mem_destroy(f->disk);
	mmk_host_free(f->disk);
	mmk_host_free(f->disk_blocks);
	f->disk = disk;
	f->disk_blocks = blocks;
	return 0;
}

int filemap_reserve(struct file *f, unsigned long nr)
{
	struct page **pages, **old;
	unsigned int cap;
	bool vm, old_vm, done, disk_failed;
	size_t bytes;

	if (nr > UINT_MAX)
		return -ENOMEM;
	for (;;) {
		cap = (unsigned int)file_pages_cap(f);
		if (nr <= cap)
			return 0;
		bytes = nr * sizeof(struct page *);
		vm = bytes > KMALLOC_ARRAY_MAX;
		pages = vm ? vzalloc(bytes) : kzalloc(bytes, GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
		pthread_mutex_lock(&f->lock);
		/* Another grew it meanwhile: look again. */
		done = f->pages_cap == cap;
		disk_failed = done && f->disk && disk_grow(f, nr);
		if (done && !disk_failed) {
			if (cap)
				memcpy(pages, f->pages,
				       cap * sizeof(struct page *));
			old = f->pages;
			old_vm = f->pages_vmalloc;
			f->pages = pages;
			f->pages_vmalloc = vm;
			__atomic_store_n(&f->pages_cap, (unsigned int)nr,
					 __ATOMIC_RELAXED);
			pages = old;
			vm = old_vm;
		}
		pthread_mutex_unlock(&f->lock);
		if (vm)
			vfree(pages);
		else
			kfree(pages);
		if (disk_failed)
			return -ENOMEM;
		if (done)
			return 0;
	}
}

int filemap_set_size(struct file *f, unsigned long size)
{
	unsigned long nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	int err = filemap_reserve(f, nr);

	if (err)
		return err;
	pthread_mutex_lock(&f->lock);
	__atomic_store_n(&f->size, size, __ATOMIC_RELAXED);
	__atomic_store_n(&f->nr_pages, nr, __ATOMIC_RELAXED);
	/* ext4_block_truncate_page(): the new last block holds zeroes
	 * past the end, as every last block does. */
	if (nr && page_has_block(f, nr - 1) && (size & ~PAGE_MASK))
		memset((char *)f->disk->base + size, 0,
		       PAGE_SIZE - (size & ~PAGE_MASK));
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* The page at @index in the cache (a shmem page in swap brought back
 * first, as shmem_get_partial_folio() does), with a reference, or NULL;
 * past the end too. */
static struct page *find_page_any(struct file *f, unsigned long index)
{
	struct page *page = NULL;
	int err;

	pthread_mutex_lock(&f->lock);
	if (index < f->pages_cap) {
		page = f->pages[index];
		if (is_page_entry(page)) {
			get_page(page);
		} else if (f->shmem && is_swap_value(page)) {
			pthread_mutex_unlock(&f->lock);
			return __filemap_get_page(f, index, &err, false, 0,
						  NULL, FGP_ANY_INDEX);
		} else {
			page = NULL;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return page;
}

void filemap_zero_partial(struct file *f, unsigned long from, unsigned long to)
{
	unsigned long index = from >> PAGE_SHIFT;
	size_t off = from & ~PAGE_MASK;
	struct page *page = find_page_any(f, index);

	/* The page first, then its block: a writeback between writes
	 * the zeroes already. */
	if (page) {
		lock_page(page);
		/* truncate_inode_partial_folio(), shmem_undo_range():
		 * zeroed and dirty. */
		if (page->mapping == (struct address_space *)f) {
			char *at = (char *)page_host(f->machine, page) + off;

			zero_user_racy(at, to - from);
			folio_mark_dirty(page);
		}
		unlock_page(page);
		put_page(page);
	}
	pthread_mutex_lock(&f->lock);
	if (index < f->pages_cap && page_has_block(f, index))
		memset((char *)f->disk->base + from, 0, to - from);
	pthread_mutex_unlock(&f->lock);
}

int filemap_falloc_page(struct file *f, unsigned long index)
{
	struct page *page, *entry = NULL;
	int err;

	pthread_mutex_lock(&f->lock);
	if (index < f->pages_cap)
		entry = f->pages[index];
	pthread_mutex_unlock(&f->lock);
	page = __filemap_get_page(f, index, &err, false, 0, NULL,
				  FGP_ANY_INDEX | FGP_FALLOC);
	if (!page)
		return err;
	/* A second fallocate clears a page an earlier one allocated and
	 * makes it uptodate, lest an undo take it (shmem_get_folio_gfp). */
	if (entry)
		page_flag_set(page, PG_uptodate);
	/* shmem_fallocate(): every page of the range dirty, so that
	 * reclaim keeps what was allocated. */
	folio_mark_dirty(page);
	put_page(page);
	return 0;
}

/* ---- read(2) and write(2) (fs/read_write.c) ---- */

unsigned int filemap_get_read_batch(struct file *f, unsigned long index,
				    unsigned long last, struct page **batch,
				    unsigned int max)
{
	unsigned int n = 0;
	struct page *page;

	pthread_mutex_lock(&f->lock);
	for (; index <= last && index < f->pages_cap && n < max; index++) {
		page = f->pages[index];
		if (!is_page_entry(page))
			break;
		get_page(page);
		batch[n++] = page;
		/* Not uptodate, or the readahead mark: the batch ends there
		 * (the caller handles it). */
		if (!test_page_flag(page, PG_uptodate) ||
		    test_page_flag(page, PG_readahead))
			break;
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}

struct page *filemap_read_one(struct file *f, unsigned long index, int *err)
{
	return __filemap_get_page(f, index, err, false, 0, NULL, 0);
}

struct page *shmem_read_page(struct file *f, unsigned long index, int *err)
{
	struct page *page = NULL;
	bool swapped = false;

	*err = 0;
	pthread_mutex_lock(&f->lock);
	if (index < f->pages_cap) {
		page = f->pages[index];
		swapped = is_swap_value(page);
		/* A hole, or a page fallocate allocated (not uptodate),
		 * reads as zeroes: SGP_READ allocates nothing. */
		if (!is_page_entry(page) || !test_page_flag(page, PG_uptodate))
			page = NULL;
		else
			get_page(page);
	}
	pthread_mutex_unlock(&f->lock);
	if (swapped)
		page = __filemap_get_page(f, index, err, false, 0, NULL,
					  FGP_ANY_INDEX);
	return page;
}

void filemap_unfalloc(struct file *f, unsigned long index, unsigned long nr)
{
	unsigned long i, end = min(index + nr, file_pages_cap(f));
	struct page *page;

	for (i = index; i < end && i >= index; i++) {
		pthread_mutex_lock(&f->lock);
		page = f->pages[i];
		if (is_page_entry(page))
			get_page(page);
		else
			page = NULL;
		pthread_mutex_unlock(&f->lock);
		if (!page)
			continue;
		/* Still not uptodate under the page lock: no fault has
		 * mapped it (a fault makes it uptodate first). */
		lock_page(page);
		if (page->mapping == (struct address_space *)f &&
		    !test_page_flag(page, PG_uptodate)) {
			pthread_mutex_lock(&f->lock);
			page_cache_delete(f, page, NULL);
			pthread_mutex_unlock(&f->lock);
		}
		unlock_page(page);
		put_page(page);
	}
}

struct page *filemap_write_page(struct file *f, unsigned long index, int *err)
{
	struct page *page = __filemap_get_page(f, index, err, false, 0, NULL,
					       FGP_ANY_INDEX);

	if (page)
		lock_page(page);
	return page;
}

void filemap_write_done(struct file *f, struct page *page, bool dirty)
{
	(void)f;
	/* A page fallocate allocated is written now: uptodate. */
	page_flag_set(page, PG_uptodate);
	if (dirty)
		folio_mark_dirty(page);
	unlock_page(page);
	mark_page_accessed(page, NULL);
	put_page(page);
}

void filemap_punch_hole(struct file *f, unsigned long index, unsigned long nr)
{
	unsigned long i, end = min(index + nr, file_pages_cap(f));

	for (i = index; i < end && i >= index; i++)
		truncate_index(f, i, true);
}

void filemap_unmap_pages(struct file *f, unsigned long first)
{
	unsigned long i, end = file_pages_cap(f);

	for (i = first; i < end; i++)
		truncate_index(f, i, false);
}

bool filemap_writeback(struct page *page)
{
	struct file *f = (struct file *)page->mapping;
	struct mmk_machine *m = f->machine;
	unsigned long i = page->index;
	char *from = page_host(m, page);
	size_t len;

	if (f->shmem)
		return false; /* shmem has no disk: its pages need swap */
	/* Reclaim tries the lock (it may run inside an allocation). */
	if (pthread_mutex_trylock(&f->lock))
		return false;
	if (!f->disk && disk_create(f)) {
		pthread_mutex_unlock(&f->lock);
		return false;
	}
	/* block_write_full_folio(), ext4_bio_write_folio(): the part of
	 * the last page past the file's end is zeroed at every writeback,
	 * in the page itself, which may be mapped ("writes to that region
	 * are not written out to the file"). */
	len = page_file_bytes(f, i);
	if (len < PAGE_SIZE)
		zero_user_racy(from + len, PAGE_SIZE - len);
	copy_user_racy((char *)f->disk->base + (i << PAGE_SHIFT), from, len);
	f->disk_blocks[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
	folio_clear_dirty(page);
	/* folio_end_writeback(): written, it is no longer to be reclaimed
	 * once written. */
	page_flag_clear(page, PG_reclaim);
	pthread_mutex_unlock(&f->lock);
	atomic_fetch_add(&m->node_stat[page_to_nid(page)][NR_WRITTEN], 1);
	count_vm_events(m, PGPGOUT, PAGE_SIZE >> 10);
	return true;
}

int shmem_writeout(struct page *page)
{
	struct file *f = (struct file *)page->mapping;
	unsigned long i = page->index, off = 0;

	if (pthread_mutex_trylock(&f->lock))
		return 0;
	/* As __remove_mapping's test, then the page's data to a slot. */
	if (i < f->pages_cap && f->pages[i] == page && !page_mapcount(page) &&
	    page_count_acquire(page) == 2)
		off = get_swap_page(SWAP_HAS_SHMEM);
	if (off) {
		/* A page fallocate allocated goes out as the zeroes it
		 * holds, uptodate. */
		page_flag_set(page, PG_uptodate);
		swap_writepage(f->machine, page, off);
		/* Through the swap cache in Linux, whose __remove_mapping
		 * leaves the shadow in the slot. */
		swap_cache_set_shadow(off,
				      workingset_eviction(f->machine, page));
		f->pages[i] = swap_value(off);
		page_cache_stat(f, page, -1);
		page_set_mapping(page, NULL);
		put_page(page);
	}
	pthread_mutex_unlock(&f->lock);
	return off != 0;
}

int filemap_remove_mapping(struct page *page)
{
	struct file *f = (struct file *)page->mapping;
	int ret = 0;

	if (pthread_mutex_trylock(&f->lock))
		return 0;
	/* __remove_mapping(): only the cache's reference and the caller's
	 * are left, and nothing wrote to it meanwhile. Reclaim evicted it:
	 * a page of the file LRU leaves its shadow in its place (a clean
	 * shmem page, swap-backed, leaves none: see mm/vmscan.c). */
	if (page->index < f->pages_cap && f->pages[page->index] == page &&
	    !page_mapcount(page) && !test_page_flag(page, PG_dirty) &&
	    page_count_acquire(page) == 2) {
		page_cache_delete(f, page,
				  test_page_flag(page, PG_swapbacked) ?
					  NULL :
					  workingset_eviction(f->machine,
							      page));
		ret = 1;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

/*
 * mapping_try_invalidate()'s step for the page at @index, if cached: a
 * page locked by another (find_lock_entries) or @written now (under
 * writeback) is passed over; one that can go (mapping_evict_folio:
 * still here, clean, unmapped, held by the cache and by us only) leaves
 * the cache; any other is deactivated. Returns 1 if it went.
 */
static int invalidate_one(struct file *f, unsigned long index, bool written)
{
	struct page *page = filemap_find_page(f, index);
	int gone = 0;

	if (!page) {
		/* clear_shadow_entries(): an invalidated range keeps no
		 * shadows. */
		pthread_mutex_lock(&f->lock);
		if (index < f->pages_cap && is_shadow_entry(f, f->pages[index]))
			f->pages[index] = NULL;
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
	if (written || !trylock_page(page)) {
		put_page(page);
		return 0;
	}
	pthread_mutex_lock(&f->lock);
	if (page->mapping == (struct address_space *)f &&
	    !test_page_flag(page, PG_dirty) && !page_mapcount(page) &&
	    page_count_acquire(page) == 2) {
		page_cache_delete(f, page, NULL);
		gone = 1;
	}
	pthread_mutex_unlock(&f->lock);
	unlock_page(page);
	if (!gone)
		deactivate_file_folio(f->machine, page);
	put_page(page);
	return gone;
}

/*
 * The writeback of WB_SYNC_NONE for the page at @index, if cached and
 * dirty: a page locked by another is passed over; the entries mapping it
 * are write-protected and cleaned first (folio_clear_dirty_for_io), and
 * if a mapper's mm is busy it stays dirty. Returns whether it wrote.
 */
static bool writeback_one(struct file *f, unsigned long index,
			  struct mm_struct *locked_mm)
{
	struct page *page = filemap_find_page(f, index);
	bool written = false;

	if (!page)
		return false;
	if (test_page_flag(page, PG_dirty) && trylock_page(page)) {
		if (page->mapping == (struct address_space *)f &&
		    test_page_flag(page, PG_dirty) &&
		    (!page_mapcount(page) || page_mkclean(page, locked_mm)))
			written = filemap_writeback(page);
		unlock_page(page);
	}
	put_page(page);
	return written;
}

unsigned long invalidate_mapping_pages(struct file *f, unsigned long start,
				       unsigned long end)
{
	unsigned long i, dropped = 0;

	for (i = start; i <= end && i < file_nr_pages(f); i++)
		dropped += invalidate_one(f, i, false);
	return dropped;
}

void filemap_fsync_range(struct file *f, unsigned long first,
			 unsigned long last, struct mm_struct *locked_mm)
{
	unsigned long i;

	if (f->shmem)
		return; /* noop_fsync */
	for (i = first; i <= last && i < file_nr_pages(f); i++)
		writeback_one(f, i, locked_mm);
}

void filemap_fadvise_dontneed(struct file *f, unsigned long wb_start,
			      unsigned long wb_end, unsigned long start,
			      unsigned long end)
{
	unsigned long i;

	for (i = wb_start; i <= wb_end && i < file_nr_pages(f); i++) {
		bool written = writeback_one(f, i, NULL);

		if (i >= start && i <= end)
			invalidate_one(f, i, written);
	}
}

void filemap_release(struct file *f)
{
	unsigned long i;

	for (i = 0; f->pages && i < f->pages_cap; i++)
		truncate_index(f, i, true);
	if (f->pages_vmalloc)
		vfree(f->pages);
	else
		kfree(f->pages);
	f->pages = NULL;
	if (f->disk) {
		mmk_host_mem_destroy(f->disk);
		mmk_host_free(f->disk);
		mmk_host_free(f->disk_blocks);
		f->disk = NULL;
		f->disk_blocks = NULL;
	}
	pthread_mutex_destroy(&f->lock);
}

/* The block of the file's last page holds zeroes past the file's end:
 * writeback never writes them (block_write_full_folio). */
static bool disk_tail_zeroed(const struct file *f)
{
	unsigned long last = file_nr_pages(f) - 1;
	const char *block;
	size_t i;

	if (!file_nr_pages(f) || !page_has_block(f, last))
		return true;
	block = (const char *)f->disk->base + (last << PAGE_SHIFT);
	for (i = page_file_bytes(f, last); i < PAGE_SIZE; i++)
		if (block[i])
			return false;
	return true;
}

/* The VMAs that may write through a shared mapping are counted, or
 * denied (F_SEAL_WRITE: -1, and none). f->lock held. */
static bool i_mmap_writable_ok(struct file *f)
{
	struct vm_area_struct *vma;
	int n = 0;

	list_for_each_entry(vma, &f->i_mmap, i_mmap)
		n += vma_is_shared_maywrite(vma);
	if (file_seals(f) & F_SEAL_WRITE)
		return !n && atomic_load(&f->i_mmap_writable) == -1;
	return atomic_load(&f->i_mmap_writable) == n;
}

/* filemap_verify()'s checks, under f->lock. */
static bool cache_verify(struct file *f, char *why, size_t len)
{
	unsigned long i;

	if (!disk_tail_zeroed(f))
		return verify_fail(why, len,
				   "file %s: bytes past its end on disk",
				   f->name);
	if (!i_mmap_writable_ok(f))
		return verify_fail(why, len,
				   "file %s: i_mmap_writable %d is not its "
				   "shared writable mappings",
				   f->name, atomic_load(&f->i_mmap_writable));
	for (i = 0; f->pages && i < f->pages_cap; i++) {
		struct page *page = f->pages[i];

		/* Only fallocate(KEEP_SIZE) leaves pages past the end, in
		 * shmem. */
		if (page && !f->shmem && i >= f->nr_pages)
			return verify_fail(why, len,
					   "file %s: page %lu past its end",
					   f->name, i);

		if (is_shadow_entry(f, page)) {
			if (!workingset_shadow_ok(f->machine, page))
				return verify_fail(
					why, len,
					"file %s: page %lu holds a shadow entry naming no node",
					f->name, i);
			continue;
		}
		if (is_swap_value(page)) {
			if (!f->shmem ||
			    !swap_slot_held(f->machine, swap_value_entry(page),
					    SWAP_HAS_SHMEM))
				return verify_fail(why, len,
						   "file %s: page %lu names "
						   "swap entry %#lx, not a "
						   "shmem slot",
						   f->name, i,
						   swap_value_entry(page));
			continue;
		}
		if (page && ((struct file *)page->mapping != f ||
			     page->index != i || page_count(page) < 1))
			return verify_fail(why, len,
					   "file %s: page %lu of the cache is "
					   "inconsistent",
					   f->name, i);
	}
	return true;
}

unsigned long shmem_charged_blocks(struct file *f)
{
	unsigned long i, n = 0;

	if (!f->acct_blocks)
		return 0;
	/* shmem_acct_blocks(): one page for each page in the cache or in
	 * swap, past the end too (fallocate's KEEP_SIZE pages). */
	pthread_mutex_lock(&f->lock);
	for (i = 0; f->pages && i < f->pages_cap; i++)
		n += f->pages[i] != NULL;
	pthread_mutex_unlock(&f->lock);
	return n;
}

bool filemap_verify(struct file *f, char *why, size_t len)
{
	bool ok;

	pthread_mutex_lock(&f->lock);
	ok = cache_verify(f, why, len);
	pthread_mutex_unlock(&f->lock);
	return ok;
}
