/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's slow paths: tcache refill and flush, page runs,
 * huge mappings, realloc, aligned allocation and pointer validation.
 *
 * 1. Page runs (LARGE_MAX >= size > SMALL_MAX, or aligned requests). An
 *    order-n block from alloc_pages; when the run needs fewer pages the
 *    block is split (split_page) and the tail pages freed at once, as
 *    alloc_pages_exact does (free_pages_exact: in aligned power-of-two
 *    blocks, not page by page). The head page records the run: private =
 *    pages, index = RUN_MAGIC ^ pfn (cleared when the run is freed, so a
 *    second free finds no run). Whole blocks are freed in one call. A
 *    block the host does not back yet (alloc_pages_unbacked: boot memory
 *    or memory page reporting gave back) has the run's pages backed in
 *    one MADV_POPULATE_WRITE: each first touch would be a host page
 *    fault, which costs 10-20 times more per page (9.5 us against 0.4-0.5
 *    on the VM of docs/PERFORMANCE.md's session 26; about 3 times on
 *    bare metal). The trimmed tail is not backed.
 *
 * 2. Huge mappings. Host mmap, registered in a hash table (table.c)
 *    keyed by the address handed out, so free can tell ours from
 *    anything else.
 *
 * 3. Bootstrap. Calls made while the heap itself boots (a C library
 *    function it calls may allocate) get memory from an arena mapped by
 *    the first such call, never reused; its blocks' frees are ignored.
 */
#define _GNU_SOURCE
#include "malloc/malloc_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define RUN_MAGIC 0x6d6d6b2d72756e00UL /* "mmk-run" */
#define RUN_WHOLE (1UL << 62) /* private: not split, free as a block */

/* ---- bootstrap arena ---- */

/* Mapped by the first call that needs it: most processes never do, and
 * as a static array it shared its first and last pages with the
 * library's other variables (two pages of every process). */
#define BOOT_ARENA_BYTES ((size_t)256 << 10)
static char *boot_arena;
static size_t boot_used;

static void *boot_alloc(size_t size)
{
	size_t need = ((size + 15) & ~(size_t)15) + 16;
	char *a = __atomic_load_n(&boot_arena, __ATOMIC_ACQUIRE), *p;
	size_t used;

	if (!a) {
		char *none = NULL;

		a = mmap(NULL, BOOT_ARENA_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		if (!__atomic_compare_exchange_n(&boot_arena, &none, a, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			munmap(a, BOOT_ARENA_BYTES);
			a = none;
		}
	}
	used = __atomic_load_n(&boot_used, __ATOMIC_RELAXED);
	do {
		if (size > BOOT_ARENA_BYTES || used + need > BOOT_ARENA_BYTES) {
			errno = ENOMEM;
			return NULL;
		}
	} while (!__atomic_compare_exchange_n(&boot_used, &used, used + need,
					      true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	p = a + used;
	memcpy(p, &size, sizeof size);
	return p + 16;
}

static bool in_boot_arena(const void *p)
{
	const char *a = __atomic_load_n(&boot_arena, __ATOMIC_RELAXED);

	return a && (const char *)p >= a &&
	       (const char *)p < a + BOOT_ARENA_BYTES;
}

/* ---- the per-thread cache ---- */

unsigned int tc_bin_cap(unsigned int c)
{
	unsigned int sz = class_size[c];

	return sz <= 256 ? TC_CAP : sz <= 1024 ? 32 : sz <= 4096 ? 16 : 8;
}

/*
 * When the heap grows, give back what the caches hold. Each time the
 * pages the host backs (managed pages that are not reported free: in use,
 * or free since they were last touched) have grown by an eighth, or by
 * HEAP_REAP_MIN pages on a small heap, since the last time, the next
 * refill or page run flushes this thread's bins and shrinks every class
 * (kmem_cache_shrink: the per-CPU and shared arrays go back to their
 * slabs, and empty slabs to the buddy lists). Objects a program freed in
 * one phase then serve the next one's other sizes - address-ordered
 * first fit takes those pages before untouched ones - instead of pinning
 * their slabs while the heap grows. SLAB's cache_reap() does this job
 * every two seconds in Linux; here it happens when it matters, and
 * deterministically; the geometric step bounds the work on a heap that
 * grows a long way.
 */
#define HEAP_REAP_MIN 256UL /* pages: 1 MiB */
static atomic_ulong reap_mark; /* backed pages at the last reap, or fewer */
static atomic_ulong huge_mark; /* backed pages at the last huge cache drain */

/* Pages of zone @z the host backs: managed ones not reported. Read
 * without the zone's lock, while growth may add pages: reported first,
 * as growth makes them managed first. */
static unsigned long zone_backed(struct zone *z)
{
	unsigned long reported = __atomic_load_n(&z->reported_pages,
						 __ATOMIC_ACQUIRE),
		      managed = (unsigned long)zone_managed_pages(z);

	return managed - min(reported, managed);
}

unsigned long heap_backed_pages(void)
{
	unsigned long backed = 0;
	struct zone *z;
	int nid, t;

	for_each_zone_m(heap.m, nid, t, z)
		backed += zone_backed(z);
	return backed;
}

void heap_reap(void)
{
	unsigned long backed = 0, mark;
	struct zone *z;
	int nid, t;

	for_each_zone_m(heap.m, nid, t, z) {
		/* A report past its delay runs in the next free that reaches
		 * the buddy allocator, or here, a second later: a program
		 * that stops freeing pages gives back what it freed at a
		 * refill, once its next phase has not taken it again. */
		page_reporting_run_late(heap.m, z, REPORT_LATE_MS);
		backed += zone_backed(z);
	}
	/* Kept huge mappings go only past the high-water mark (see the
	 * huge cache), as soon as the heap passes it: at the next reap
	 * instead, they stayed an eighth of growth longer whenever page
	 * reporting had moved the reaps just below it (frag's 6.4 MB order
	 * array through its larger objects' growth: its peak 108.4 or 114.9
	 * MB by the timing of one report). */
	mark = atomic_load_explicit(&huge_mark, memory_order_relaxed);
	if (unlikely(backed >= mark + max(HEAP_REAP_MIN, mark >> 3)) &&
	    atomic_compare_exchange_strong(&huge_mark, &mark, backed))
		huge_cache_drain(false);
	mark = atomic_load_explicit(&reap_mark, memory_order_relaxed);
	/* Below the mark (memory went back to the host), backed - mark
	 * wraps to a huge value: the mark comes down below. */
	if (likely(backed - mark < max(HEAP_REAP_MIN, mark >> 3)))
		return;
	if (!atomic_compare_exchange_strong(&reap_mark, &mark, backed))
		return;
	if (backed < mark) /* memory went back to the host meanwhile */
		return;
	heap_shrink_classes();
	/* ... and so does the all-free medium arena kept for the next
	 * requests. */
	medium_trim(false);
}

void heap_shrink_classes(void)
{
	unsigned int c;

	for (c = 0; c < NR_CLASSES; c++) {
		struct kmem_cache *s =
			__atomic_load_n(&heap.cache[c], __ATOMIC_ACQUIRE);

		if (!s)
			continue; /* no object of the class yet */
		if (tc.state == TC_LIVE)
			tcache_flush(c, tc_bin(c), 0);
		kmem_cache_shrink(s);
	}
	borrow_shrink();
}

/* Whether a refill of @want objects of @s would make a slab: fewer free
 * objects in this CPU's array, the shared array and the slabs (racy
 * reads: a hint). */
static bool cache_would_grow(struct kmem_cache *s, unsigned int want)
{
	const struct kmem_cache_node *n = s->node[0];
	char *base = mmk_ctx.pcpu_base;

	return n->free_objects + n->shared_avail +
		       (base ? slab_array_at(s, base)->avail : 0) <
	       want;
}

void tcache_refill(unsigned int c, struct tc_bin *b)
{
	unsigned int n = tc_bin_cap(c) / 2;
	struct kmem_cache *s = class_cache(c);

	heap_reap();
	if (!s)
		return;
	/* In a process with one thread, what would be a new slab may be
	 * other classes' free space (borrow.c); once it has more, the
	 * holes kept for that go back. */
	if (unlikely(
		    atomic_load_explicit(&borrow_held, memory_order_relaxed)) &&
	    !heap_single_threaded())
		borrow_release();
	if (!heap.hardened && heap_single_threaded() && heap.m->nr_nodes == 1 &&
	    cache_would_grow(s, n)) {
		n = borrow_refill(c, b->slot + b->count, n);
		if (!n)
			n = tc_bin_cap(c) / 2;
		else
			goto got;
	}
	if (!kmem_cache_alloc_bulk(s, MALLOC_GFP, n, b->slot + b->count))
		return;
got:
	tc.refilled[c] = true;
	if (tc.state == TC_LIVE) /* after a consumer's TC_REMOTE_CAP */
		b->max = tc_bin_cap(c);
	/* Hardened mode: each object checked and given the fresh tag
	 * (hardened.c, section 1). The default mode leaves the objects untouched (a program's first
	 * malloc of a class must not touch a whole batch of pages); any
	 * tag they carry is an honest one - they are free - and
	 * heap_alloc() clears it. */
	if (heap.hardened)
		hardened_mark_fresh(b->slot + b->count, n, c);
	/* The bin is a stack: reversed, the batch (in address order) is
	 * handed out in address order, as the freelist would give it;
	 * popped as it came, consecutive mallocs walked down each batch
	 * (frag and larson: 5-10% less CPU time, medians of 10-20 runs). */
	objs_reverse(b->slot + b->count, n);
	b->count += n;
}

/* tcache_flush(); @remote: past this CPU's array (see heap_free_slow). */
static void bin_flush(unsigned int c, struct tc_bin *b, unsigned int keep,
		      bool remote)
{
	struct kmem_cache *s =
		__atomic_load_n(&heap.cache[c], __ATOMIC_RELAXED);
	unsigned int n, m;

	if (b->count <= keep)
		return;
	n = b->count - keep;
	/* Borrowed objects (from refills) go back to their regions. */
	m = unlikely(atomic_load_explicit(&borrow_live[c],
					  memory_order_relaxed)) ?
		    borrow_take_back(b->slot, n) :
		    n;
	/* Every pointer was validated when it was freed. */
	if (m)
		(remote ? __slab_free_bulk_remote :
			  __slab_free_bulk)(heap.m, s, m, b->slot);
	memmove(b->slot, b->slot + n, keep * sizeof(b->slot[0]));
	b->count = keep;
}

/* Give all but the @keep most recently freed objects of @b back to the
 * cache: the hot ones stay for the next allocations. */
void tcache_flush(unsigned int c, struct tc_bin *b, unsigned int keep)
{
	bin_flush(c, b, keep, false);
}

void tcache_flush_all(void)
{
	unsigned int c;

	if (tc.state != TC_LIVE && tc.state != TC_HARDENED)
		return;
	if (tc.state == TC_HARDENED)
		hardened_thread_exit();
	for (c = 0; c < NR_CLASSES; c++)
		tcache_flush(c, tc_bin(c), 0);
}

/* Open (@on) or close this thread's bins to heap_free()'s fast path:
 * max is 0 in every state but TC_LIVE (hardened mode has bins of its own,
 * filled and flushed by hardened.c against tc_bin_cap()). */
void tcache_set_open(bool on)
{
	unsigned int c;

	for (c = 0; c < NR_CLASSES; c++) {
		tc_bin(c)->max = on ? tc_bin_cap(c) : 0;
		tc.refilled[c] = false;
	}
}

/* Our small object @p, validated (it dies on a slab pointer that is not
 * one of our objects' starts); its class in *@c. NULL: not in a slab. */
struct slab *small_lookup(void *p, int *c, const char *call)
{
	struct slab *slab = virt_to_slab(heap.m, p);

	if (!slab)
		return NULL;
	*c = cache_class(slab->slab_cache);
	if (*c < 0 || obj_index(heap.m, slab->slab_cache, slab, p) < 0)
		malloc_die(call, "invalid pointer", p);
	return slab;
}

/* ---- page runs ---- */

static inline struct page *run_head(uintptr_t p)
{
	uintptr_t off = p - heap.base;
	struct page *page;

	if (off >= heap.size || (off & (PAGE_SIZE - 1)))
		return NULL;
	page = heap.mem_map + (off >> PAGE_SHIFT);
	if (!pfn_zone_fast(heap.m, off >> PAGE_SHIFT) ||
	    page->index != (RUN_MAGIC ^ (off >> PAGE_SHIFT)) ||
	    page_ref_count(page) != 1)
		return NULL;
	return page;
}

static size_t run_pages(const struct page *head)
{
	return (size_t)(head->private & ~RUN_WHOLE);
}

/* A run of at least @size bytes aligned to @align (<= the block size). */
static void *run_alloc(size_t size, size_t align)
{
	size_t pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned int order = get_order_bytes(size > align ? size : align);
	struct page *page;
	unsigned long pfn;
	bool unbacked;

	heap_reap();
	page = alloc_pages_unbacked(MALLOC_GFP, order, &unbacked);
	if (!page) {
		errno = ENOMEM;
		return NULL;
	}
	/* Memory the host does not back yet (reported, or never touched)
	 * is backed in one call: a program writes what it asked for, and
	 * a page fault per page costs far more (see the top of the file). */
	if (unbacked)
		mmk_host_populate(page_address(page), pages << PAGE_SHIFT);
	pfn = page_to_pfn(page);
	if (pages == (1UL << order)) {
		page->private = pages | RUN_WHOLE;
	} else {
		split_page(page, order);
		free_pages_exact(page_address(page + pages),
				 ((1UL << order) - pages) << PAGE_SHIFT);
		page->private = pages;
	}
	page->index = RUN_MAGIC ^ pfn;
	return page_address(page);
}

static void run_free(struct page *head)
{
	size_t pages = run_pages(head);
	bool whole = head->private & RUN_WHOLE;

	head->index = 0;
	head->private = 0;
	if (whole) {
		__free_pages(head, get_order_bytes(pages << PAGE_SHIFT));
		return;
	}
	free_pages_exact(page_address(head), pages << PAGE_SHIFT);
}

/* ---- huge mappings ---- */

/* The mappings' bytes and count change by @bytes and @count; their peaks
 * follow (malloc_stats). huge_lock held. */
static void huge_account(long bytes, long count)
{
	size_t b = atomic_fetch_add(&heap.huge_bytes, (size_t)bytes) +
		   (size_t)bytes;
	size_t c = atomic_fetch_add(&heap.huge_count, (size_t)count) +
		   (size_t)count;

	if (b > heap.huge_max_bytes)
		__atomic_store_n(&heap.huge_max_bytes, b, __ATOMIC_RELAXED);
	if (c > heap.huge_max_count)
		__atomic_store_n(&heap.huge_max_count, c, __ATOMIC_RELAXED);
}

int huge_insert(const struct huge *h)
{
	struct huge *slot;

	pthread_mutex_lock(&heap.huge_lock);
	slot = table_insert(&heap.huge, h->p);
	if (slot) {
		*slot = *h;
		huge_account((long)h->len, 1);
	}
	pthread_mutex_unlock(&heap.huge_lock);
	return slot ? 0 : -1;
}

/* The slot of mapping @p in the table, or NULL; huge_lock held. */
static struct huge *huge_find(uintptr_t p)
{
	return table_find(&heap.huge, p);
}

/* A mapping that realloc() kept in place now holds @size bytes: what
 * free_sized() must be told. */
static void huge_set_size(uintptr_t p, size_t size)
{
	struct huge *h;

	pthread_mutex_lock(&heap.huge_lock);
	h = huge_find(p);
	if (h)
		h->size = size;
	pthread_mutex_unlock(&heap.huge_lock);
}

bool huge_lookup(uintptr_t p, struct huge *out, bool remove)
{
	struct huge *h;
	bool found;

	pthread_mutex_lock(&heap.huge_lock);
	h = huge_find(p);
	found = h != NULL;
	if (found)
		*out = *h;
	if (found && remove) {
		table_remove(&heap.huge, h);
		huge_account(-(long)out->len, -1);
	}
	pthread_mutex_unlock(&heap.huge_lock);
	return found;
}

/* Freed plain huge mappings kept for reuse (resized in place, see
 * huge_resize()), as glibc's growing mmap threshold keeps large blocks in
 * its heap. A kept mapping's pages stay resident: the cache is small for
 * that reason, and one that no allocation took between two drains goes
 * back to the host. The heap's growth drains the cache each time it
 * passes its high-water mark (huge_mark) by an eighth, and only then: the
 * heap taking back memory page reporting gave the host is no sign that
 * the program's memory goes elsewhere than into large blocks, and
 * draining then (at every reap) made bench-malloc's `large` fault every
 * large buffer in afresh (78,000-116,000 host page faults a run, then
 * 17,000-36,000). */
#define HUGE_CACHE 4
#define HUGE_CACHE_BYTES (32UL << 20)
static unsigned long huge_reaps;
static struct huge_kept {
	struct huge h; /* base, len and room are what matter */
	unsigned long reap; /* huge_reaps when it was kept */
} huge_cache[HUGE_CACHE];
static int huge_cached;
static size_t huge_cached_bytes;

/* The heap grew past its high-water mark (heap_reap): a kept mapping
 * that no allocation has taken since the drain before goes back to the
 * host - the program's memory is going elsewhere than into large
 * blocks. */
size_t huge_cache_drain(bool all)
{
	struct huge_kept gone[HUGE_CACHE];
	size_t bytes = 0;
	int i, n = 0;

	pthread_mutex_lock(&heap.huge_lock);
	huge_reaps++;
	for (i = 0; i < huge_cached;) {
		if (!all && huge_reaps - huge_cache[i].reap < 2) {
			i++;
			continue;
		}
		gone[n++] = huge_cache[i];
		huge_cached_bytes -= huge_cache[i].h.len;
		huge_cache[i] = huge_cache[--huge_cached];
	}
	pthread_mutex_unlock(&heap.huge_lock);
	for (i = 0; i < n; i++) {
		munmap(gone[i].h.base, gone[i].h.len + gone[i].h.room);
		bytes += gone[i].h.len;
	}
	return bytes;
}

/* What a pointer that no live block starts at most likely was, for
 * @call's message: one into a kept mapping was freed already; one that a
 * free gives in the heap, freed already (its slab or run gone since) or
 * never handed out. */
const char *heap_bad_pointer(const void *p, const char *call)
{
	uintptr_t a = (uintptr_t)p;
	bool kept = false;
	int i;

	pthread_mutex_lock(&heap.huge_lock);
	for (i = 0; i < huge_cached && !kept; i++)
		kept = a - (uintptr_t)huge_cache[i].h.base <
		       huge_cache[i].h.len;
	pthread_mutex_unlock(&heap.huge_lock);
	if (kept)
		return malloc_freed_what(call);
	/* In the heap, or where a mapping of ours may have started (at a
	 * page): maybe a block freed already. */
	if ((a - heap.base < heap.size || !(a & (PAGE_SIZE - 1))) &&
	    malloc_call_frees(call))
		return "double free or invalid pointer";
	return "invalid pointer";
}

/*
 * Resize plain huge mapping @h (base, len, room) to @len bytes, keeping
 * its pages where they are whenever the room allows: growth maps the
 * room's first bytes, a shrink turns the tail back into room. mremap()
 * moving a mapping moves its page-table entries instead, and where a
 * hypervisor shadows the guest's page tables each moved page then traps
 * at its next touch (4.4 us a page on the VM of docs/PERFORMANCE.md's
 * session 27, under half what a fresh page's fault costs there). A mapping
 * without room, or growing past it, goes through mremap() (and its room
 * back to the host). 0, or -1 with the mapping unchanged.
 */
static int huge_resize(struct huge *h, size_t len)
{
	char *end = (char *)h->base + h->len;
	void *n;

	if (!len)
		return -1;
	if (h->room && len < h->len) {
		if (mmap((char *)h->base + len, h->len - len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				 MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			return -1;
		h->room += h->len - len;
		h->len = len;
		return 0;
	}
	if (len > h->len && len - h->len <= h->room) {
		if (mmap(end, len - h->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			return -1;
		h->room -= len - h->len;
		h->len = len;
		return 0;
	}
	if (len == h->len)
		return 0;
	/* With room after it, the mapping cannot grow where it is: it
	 * moves, and the room is left behind. */
	n = mremap(h->base, h->len, len, MREMAP_MAYMOVE);
	if (n == MAP_FAILED)
		return -1;
	if (h->room)
		munmap(end, h->room);
	h->base = n;
	h->len = len;
	h->room = 0;
	return 0;
}

/* A cached mapping of at least @len bytes (its length in *@got, its room
 * in *@room), or NULL: the smallest that is no more than twice @len as it
 * is, else the largest resized. */
static void *huge_cache_take(size_t len, size_t *got, size_t *room)
{
	struct huge h = { 0 };
	int i, pick = -1;

	pthread_mutex_lock(&heap.huge_lock);
	for (i = 0; i < huge_cached; i++) {
		size_t l = huge_cache[i].h.len;

		if (l >= len && l / 2 <= len &&
		    (pick < 0 || l < huge_cache[pick].h.len))
			pick = i;
	}
	if (pick < 0 && huge_cached) {
		pick = 0;
		for (i = 1; i < huge_cached; i++)
			if (huge_cache[i].h.len > huge_cache[pick].h.len)
				pick = i;
	}
	if (pick < 0) {
		pthread_mutex_unlock(&heap.huge_lock);
		return NULL;
	}
	h = huge_cache[pick].h;
	huge_cached_bytes -= h.len;
	huge_cache[pick] = huge_cache[--huge_cached];
	pthread_mutex_unlock(&heap.huge_lock);
	/* Resized unless it fits as it is: a larger one handed out whole
	 * would keep its pages resident under a smaller block. */
	if ((h.len < len || h.len / 2 > len) && huge_resize(&h, len)) {
		munmap(h.base, h.len + h.room);
		return NULL;
	}
	*got = h.len;
	*room = h.room;
	return h.base;
}

/*
 * realloc() of a plain mapping @p to @size bytes (above LARGE_MAX) in
 * place, or moved by mremap() (huge_resize()): true with the block in
 * *@out (NULL, errno ENOMEM, if it cannot be resized; @p stays as it
 * was); false if @p is not a plain mapping. Under huge_lock throughout:
 * the range a moved mapping leaves may be another thread's new mapping
 * at once, and its record must be gone by then.
 */
static bool huge_realloc(uintptr_t p, size_t size, void **out)
{
	size_t len = (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	struct huge *rec, h;

	pthread_mutex_lock(&heap.huge_lock);
	rec = huge_find(p);
	if (!rec || rec->align || rec->p != (uintptr_t)rec->base) {
		pthread_mutex_unlock(&heap.huge_lock);
		return false;
	}
	h = *rec;
	if (huge_resize(&h, len)) {
		pthread_mutex_unlock(&heap.huge_lock);
		errno = ENOMEM;
		*out = NULL;
		return true;
	}
	huge_account((long)h.len - (long)rec->len, 0);
	h.p = (uintptr_t)h.base;
	h.size = size;
	h.fresh = false;
	if (h.p != p) {
		/* Room for it: a record just left, and the lock is held. */
		table_remove(&heap.huge, rec);
		rec = table_insert(&heap.huge, h.p);
	}
	*rec = h;
	pthread_mutex_unlock(&heap.huge_lock);
	*out = (void *)h.p;
	return true;
}

static bool huge_cache_put(const struct huge *h)
{
	size_t len = h->len;
	bool kept = false;

	pthread_mutex_lock(&heap.huge_lock);
	if (huge_cached < HUGE_CACHE &&
	    huge_cached_bytes + len <= HUGE_CACHE_BYTES) {
		huge_cache[huge_cached].h = *h;
		huge_cache[huge_cached++].reap = huge_reaps;
		huge_cached_bytes += len;
		kept = true;
	}
	pthread_mutex_unlock(&heap.huge_lock);
	return kept;
}

/* A fresh plain mapping of @len bytes (committed, see huge_map()) with
 * address space reserved after it up to HUGE_CACHE_BYTES (*@room): the
 * cache can hand it out again for any size it keeps, and realloc() grow
 * it, in place. Without room if the reservation fails (at the host's
 * limit on mappings, say); MAP_FAILED if the mapping does. */
static void *huge_map_plain(size_t len, size_t *room)
{
	size_t r = HUGE_CACHE_BYTES - len;
	char *base = mmap(NULL, len + r, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (base != MAP_FAILED) {
		if (mmap(base, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) != MAP_FAILED) {
			*room = r;
			return base;
		}
		munmap(base, len + r);
	}
	*room = 0;
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A mapping of @size bytes aligned to @align; with @guard the bytes end
 * (16-byte aligned) just before an inaccessible page. */
void *huge_map(size_t size, size_t align, bool guard)
{
	size_t a = align > PAGE_SIZE ? align : PAGE_SIZE;
	/* Without a guard, a page at least: a zero-size block (aligned) is
	 * a page of its own; with one, it is the guard page. */
	size_t body = size || guard ? (size + PAGE_SIZE - 1) &
					      ~(size_t)(PAGE_SIZE - 1) :
				      PAGE_SIZE;
	size_t len = body + (a > PAGE_SIZE ? a : 0) + (guard ? PAGE_SIZE : 0);
	struct huge h = { 0 };
	char *base = NULL;
	uintptr_t p;

	if (size > PTRDIFF_MAX / 2 || body < size) {
		errno = ENOMEM;
		return NULL;
	}
	/* Committed, as glibc's mmapped chunks are, so that the host's
	 * overcommit policy refuses what it would refuse glibc (malloc of
	 * more than RAM and swap fails with ENOMEM instead of dying at the
	 * first touch). An alignment above a page first reserves, without
	 * commitment, the address space to find the aligned block in. */
	h.fresh = true;
	if (!guard && a == PAGE_SIZE && len <= HUGE_CACHE_BYTES &&
	    !heap.hardened) {
		base = huge_cache_take(len, &len, &h.room);
		h.fresh = !base;
		if (!base)
			base = huge_map_plain(len, &h.room);
	} else {
		base = mmap(NULL, len,
			    a > PAGE_SIZE ? PROT_NONE : PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS |
				    (a > PAGE_SIZE ? MAP_NORESERVE : 0),
			    -1, 0);
	}
	if (base == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	if (a > PAGE_SIZE) {
		/* The block at the reservation's first aligned address (with
		 * a guard: the guard page right after the block's pages); the
		 * rest of the reservation goes back, so the usable size is the
		 * body, and the block itself is mapped again, committed. */
		uintptr_t start = ((uintptr_t)base + a - 1) &
				  ~(uintptr_t)(a - 1);
		uintptr_t end = start + body + (guard ? PAGE_SIZE : 0);

		if (start > (uintptr_t)base)
			munmap(base, start - (uintptr_t)base);
		if ((uintptr_t)base + len > end)
			munmap((void *)end, (uintptr_t)base + len - end);
		base = (char *)start;
		len = end - start;
		p = start;
		if (body && mmap(base, body, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == MAP_FAILED) {
			munmap(base, len);
			errno = ENOMEM;
			return NULL;
		}
	} else if (guard) {
		char *g = base + len - PAGE_SIZE;

		mprotect(g, PAGE_SIZE, PROT_NONE);
		p = ((uintptr_t)g - ((size + 15) & ~(size_t)15)) &
		    ~(uintptr_t)((align > 16 ? align : 16) - 1);
	} else {
		p = (uintptr_t)base;
	}
	h.p = p;
	h.base = base;
	h.len = len;
	h.size = size;
	h.align = align;
	if (huge_insert(&h)) {
		munmap(base, len + h.room);
		errno = ENOMEM;
		return NULL;
	}
	return (void *)p;
}

void huge_unmap(const struct huge *h)
{
	if (h->p == (uintptr_t)h->base && !h->align && !heap.hardened &&
	    huge_cache_put(h))
		return;
	munmap(h->base, h->len + h->room);
}

static size_t huge_usable(const struct huge *h)
{
	return (size_t)((uintptr_t)h->base + h->len - h->p);
}

/* ---- the slow paths ---- */

bool thread_ready(void)
{
	if (tc.state == TC_NEW)
		thread_init();
	if (tc.state == TC_BOOTING)
		return false;
	fork_handlers_check();
	return true;
}

/* An object of @size's class (@size <= SMALL_MAX), for a thread that is
 * ready, in the default mode. */
static void *class_alloc(size_t size)
{
	unsigned int c = size_class(size);
	struct tc_bin *b = tc_bin(c);
	void *p = NULL;

	if (tc.state == TC_DEAD) {
		struct kmem_cache *s = class_cache(c);

		p = s ? kmem_cache_alloc(s, MALLOC_GFP) : NULL;
	} else {
		if (!b->count)
			tcache_refill(c, b);
		if (b->count)
			p = b->slot[--b->count];
	}
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	*(uintptr_t *)p = 0;
	return p;
}

/*
 * An object of the power-of-two class of @size bytes, aligned to @align.
 * The class's own objects are (their cache aligns them to their size), but
 * a borrowed one (borrow.c cuts them 16-byte aligned from other classes'
 * slabs) need not be: it goes back to the bin it came from, and the cache
 * gives one of its own instead (its CPU array and slabs hold no borrowed
 * objects).
 */
static void *class_alloc_aligned(size_t size, size_t align)
{
	void *p = class_alloc(size);
	struct tc_bin *b;
	unsigned int c;

	if (!p || !((uintptr_t)p & (align - 1)))
		return p;
	c = size_class(size);
	b = tc_bin(c);
	*(uintptr_t *)p = free_tag(p);
	b->slot[b->count++] = p;
	p = kmem_cache_alloc(heap.cache[c], MALLOC_GFP);
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	*(uintptr_t *)p = 0;
	return p;
}

void *heap_alloc_slow(size_t size, const char *call)
{
	if (!thread_ready())
		return boot_alloc(size);
	if (heap.hardened)
		return hardened_alloc(size, 0, call);
	if (size > MEDIUM_MIN && size <= MEDIUM_MAX && heap_single_threaded())
		return medium_alloc(size);
	if (size <= SMALL_MAX)
		return class_alloc(size);
	if (size <= LARGE_MAX)
		return run_alloc(size, 0);
	return huge_map(size, 0, false);
}

void heap_free_slow(void *p, const char *call)
{
	struct slab *slab;
	int c;
	struct page *head;
	struct huge h;

	/* Live before this call: heap_free() found the bin full. */
	bool had_tcache = tc.state == TC_LIVE;

	if (!p || in_boot_arena(p))
		return;
	if (!thread_ready())
		return;
	if (heap.hardened) {
		hardened_free(p, call);
		return;
	}
	if (borrow_marked(p) && borrow_free(p, call))
		return;
	slab = small_lookup(p, &c, call);
	if (slab) {
		if (*(uintptr_t *)p == free_tag(p))
			malloc_die(call, "double free detected", p);
		*(uintptr_t *)p = free_tag(p);
		if (had_tcache) {
			struct tc_bin *b = tc_bin((unsigned int)c);

			/* In a process with threads, a bin that overflows
			 * with no refill since it last did is a thread's that
			 * frees objects of a class it does not allocate (a
			 * consumer of another thread's objects): they go past
			 * this CPU's array, to the shared array where the
			 * allocating threads' next refills find them, instead
			 * of filling the array (prodcons: peak RSS 3.9 -> 3.6
			 * MiB). All of them, and until the thread allocates
			 * the class again (its refill gives the bin back its
			 * size) the bin holds at most TC_REMOTE_CAP: objects
			 * it keeps are out of the allocators' reach, and they
			 * make slabs of new ones meanwhile (prodcons: 3.53 ->
			 * 3.33 MB). With one thread the array is where its
			 * next refill looks first. */
			if (b->count >= b->max) {
				bool remote = !tc.refilled[c] &&
					      !heap_single_threaded();

				bin_flush((unsigned int)c, b,
					  remote ? 0 : b->max / 2u, remote);
				if (remote)
					b->max = min(b->max, TC_REMOTE_CAP);
				tc.refilled[c] = false;
			}
			b->slot[b->count++] = p;
			return;
		}
		/* This thread's first call: the object may be one another
		 * thread allocated next to its own (falseshare's passive
		 * case), so it must not be this thread's next allocation. It
		 * goes under a batch of the thread's own: freed into the CPU
		 * array, it came back first at the bin's first refill. */
		if (tc.state == TC_LIVE) {
			struct tc_bin *b = tc_bin((unsigned int)c);

			tcache_refill((unsigned int)c, b);
			memmove(b->slot + 1, b->slot,
				b->count * sizeof(b->slot[0]));
			b->slot[0] = p;
			b->count++;
			return;
		}
		/* Exiting: straight to the cache. */
		kmem_cache_free(slab->slab_cache, p);
		return;
	}
	if (medium_owns(p)) {
		medium_free(p, call);
		return;
	}
	head = run_head((uintptr_t)p);
	if (head) {
		run_free(head);
		return;
	}
	if (huge_lookup((uintptr_t)p, &h, true)) {
		huge_unmap(&h);
		return;
	}
	malloc_die(call, heap_bad_pointer(p, call), p);
}

size_t heap_usable(void *p, const char *call)
{
	const struct heap_class *hc = NULL;
	struct slab *slab;
	int c;
	struct page *head;
	struct huge h;

	if (in_boot_arena(p)) {
		size_t size;

		memcpy(&size, (char *)p - 16, sizeof size);
		return size;
	}
	if (!thread_ready())
		return 0;
	if (heap.hardened)
		return hardened_usable(p, call);
	if ((uintptr_t)p - heap.base < heap.size)
		hc = heap_map_obj((uintptr_t)p - heap.base);
	if (!hc && borrow_marked(p)) {
		size_t size = borrow_usable(p, call);

		if (size)
			return size;
	}
	slab = hc ? NULL : small_lookup(p, &c, call);
	if (hc || slab) {
		if (*(uintptr_t *)p == free_tag(p))
			malloc_die(call, malloc_freed_what(call), p);
		return hc ? hc->size : class_size[c];
	}
	if (medium_owns(p))
		return medium_usable(p, call);
	head = run_head((uintptr_t)p);
	if (head)
		return run_pages(head) << PAGE_SHIFT;
	if (huge_lookup((uintptr_t)p, &h, false))
		return huge_usable(&h);
	malloc_die(call, heap_bad_pointer(p, call), p);
}

/* The power-of-two class heap_memalign() serves @size bytes aligned to
 * @align from (both up to 4 KiB): such classes are naturally aligned. */
static size_t memalign_class(size_t align, size_t size)
{
	size_t c = align > size ? align : size;

	while (c & (c - 1))
		c += c & -c;
	return c;
}

/* The usable size of the block heap_memalign(@align, @size) returns in
 * the default mode (@align a power of two): what free_aligned_sized()
 * must find. */
static size_t memalign_usable(size_t align, size_t size)
{
	if (align > 16) {
		size = size ? size : 1;
		if (align <= 4096 && size <= 4096)
			return memalign_class(align, size);
	} else if (size <= SMALL_MAX) {
		return class_size[size_class(size)];
	}
	/* A page run or a mapping: the pages the size needs. */
	return (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
}

void heap_check_size(void *p, size_t size, size_t align, const char *call)
{
	struct huge h;
	size_t usable;

	if (in_boot_arena(p))
		return;
	if (!thread_ready())
		return;
	if (heap.hardened) {
		hardened_check_size(p, size, align, call);
		return;
	}
	usable = heap_usable(p, call);
	if (size > usable)
		malloc_die(call, "size larger than the allocation", p);
	if (align && ((align & (align - 1)) || ((uintptr_t)p & (align - 1))))
		malloc_die(call, "pointer not aligned as stated", p);
	/* A mapping (a kept one may have more pages than it needs) records
	 * the size asked for, which a realloc() that keeps it updates. */
	if ((uintptr_t)p - heap.base >= heap.size &&
	    huge_lookup((uintptr_t)p, &h, false)) {
		if (size != h.size)
			malloc_die(call, "size does not match the allocation",
				   p);
		if (align && !huge_align_matches(&h, align))
			malloc_die(call,
				   "alignment does not match the allocation",
				   p);
		return;
	}
	/* A medium block is cut to the size asked for (in 16-byte steps, or
	 * up to 47 bytes more where the rest could not be a block), from any
	 * call with an alignment of at most 16. */
	if (medium_owns(p)) {
		if (align > 16 || size * 2 <= usable)
			malloc_die(call, "size does not match the allocation",
				   p);
		return;
	}
	/* aligned_alloc()'s block for exactly these: no realloc can have
	 * changed it (its result is free_sized()'s). Without an alignment,
	 * the size must pick the same class or run, or be one realloc
	 * shrank the block to in place (more than half). */
	if (align ? usable != memalign_usable(align, size) :
		    size * 2 <= usable &&
			    (usable <= SMALL_MAX ?
				     class_size[size_class(size)] != usable :
				     ((size + PAGE_SIZE - 1) &
				      ~(size_t)(PAGE_SIZE - 1)) != usable))
		malloc_die(call, "size does not match the allocation", p);
}

void heap_zero(void *p, size_t size)
{
	struct huge h;

	/* Fresh huge mappings are zero already. */
	if (size > LARGE_MAX && (uintptr_t)p - heap.base >= heap.size &&
	    !in_boot_arena(p) && huge_lookup((uintptr_t)p, &h, false) &&
	    h.fresh)
		return;
	memset(p, 0, size);
}

void *heap_realloc(void *p, size_t size)
{
	uintptr_t off = (uintptr_t)p - heap.base;
	const struct heap_class *hc = NULL;
	size_t usable;
	void *n;

	/* A live small object of a thread with its tcache is vouched for as
	 * free() does (heap_map_obj, the free tag); anything else - a freed
	 * object among them, which heap_usable() reports - is looked up the
	 * whole way. */
	if (likely(off < heap.size && tc.state == TC_LIVE))
		hc = heap_map_obj(off);
	if (likely(hc && *(uintptr_t *)p != free_tag(p))) {
		usable = hc->size;
	} else if (thread_ready() && medium_owns(p)) {
		/* A medium block shrinks (its tail freed) or grows where it
		 * is when it can (under medium_lock: thread_ready() first, for
		 * the fork handlers). */
		if (size <= MEDIUM_MIN || size > MEDIUM_MAX)
			usable = medium_usable(p, "realloc");
		else if (!(usable = medium_resize(p, size, "realloc")))
			return p;
	} else {
		usable = heap_usable(p, "realloc");
	}
	if (!heap.hardened && !in_boot_arena(p) && size <= usable) {
		/* Keep it unless it shrinks to under half. */
		if (size > usable / 2 || usable <= 16) {
			if (off >= heap.size) /* a mapping */
				huge_set_size((uintptr_t)p, size);
			return p;
		}
	}
	/* As huge_map(): no object is that large, and rounding the size
	 * up to pages below must not wrap. */
	if (size > PTRDIFF_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	if (!heap.hardened && usable > LARGE_MAX && size > LARGE_MAX &&
	    huge_realloc((uintptr_t)p, size, &n))
		return n;
	n = heap_alloc(size, "realloc");
	if (!n)
		return NULL;
	memcpy(n, p, size < usable ? size : usable);
	heap_free(p, "realloc");
	return n;
}

void *heap_memalign(size_t align, size_t size)
{
	if (!thread_ready()) {
		if (align > 16) {
			errno = ENOMEM;
			return NULL;
		}
		return boot_alloc(size);
	}
	if (align <= 16)
		return heap_alloc(size, "memalign");
	if (heap.hardened)
		return hardened_alloc(size, align, "memalign");
	/* A power-of-two class's own objects are naturally aligned; a
	 * medium block of the same size would not be. A page run needs a
	 * byte to exist; a mapping records the size asked for (the sized
	 * frees check it) and has a page at least. */
	if (align <= 4096 && size <= 4096)
		return class_alloc_aligned(
			memalign_class(align, size ? size : 1), align);
	if (size <= LARGE_MAX && align <= LARGE_MAX)
		return run_alloc(size ? size : 1, align);
	return huge_map(size, align, false);
}
