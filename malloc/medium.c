/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's medium blocks: requests above MEDIUM_MIN (2 KiB)
 * up to MEDIUM_MAX (256 KiB) bytes, in a process with one thread, cut to
 * size (16-byte steps) from arenas of buddy pages, free neighbours merged.
 *
 * 1. Why. Size classes and page runs waste what a program's medium
 *    buffers do not fill: a 12 KiB class packs two objects in a 32 KiB
 *    slab, a page run rounds every request up to whole pages, and each
 *    class keeps its own free objects, which no other size can use. git
 *    (bench/malloc: `git log -p --stat`, whose live memory is mostly 4 KiB
 *    to 128 KiB buffers) peaked at 1.24x glibc's RSS. A replay of its
 *    malloc calls that sent requests of 4 KiB to 256 KiB to glibc's
 *    allocator and the rest to this library's came within 4% of glibc
 *    alone (docs/PERFORMANCE.md, session 34): glibc's coalescing heap is
 *    what this file builds, for the sizes where it matters (from 2 KiB:
 *    git 1.09x; from 1 KiB sqlite3's many 1 KiB records fragmented the
 *    arenas more than their class wasted).
 *
 * 2. Objects. An arena is a buddy block of MEDIUM_ORDER pages
 *    (alloc_pages_unbacked: its pages cost host memory once written),
 *    its head page marked (index = ARENA_MAGIC ^ pfn, as a page run's
 *    is with RUN_MAGIC), so free() finds a block's arena from its
 *    address. The arena holds blocks back to back, from ARENA_FIRST to a
 *    sentinel at its end: the place of a header that reads as a block in
 *    use and is never written (writing it, and the footer of the block
 *    before it, cost a page of every process that used one medium
 *    block). A block is a 16-byte header (its size,
 *    in use and previous-in-use bits; a tag) and its payload: the tag is
 *    the payload's address mixed with the process's secret, one way in
 *    use and another when free, so free() tells a block it handed out
 *    from a double free and from any other address. A free block keeps
 *    its list links at the start of its payload and its size in its last
 *    word (the boundary tag its successor reads to merge with it).
 *
 * 3. Finding a fit: two-level segregated fit (TLSF, Masmano et al.):
 *    free lists by power of two and eight steps within it, with a bitmap
 *    of non-empty lists at each level. The first OWN_SCAN blocks of the
 *    request's own list are tried first (a block freed there fits the
 *    next request of its size, which TLSF alone would pass by, splitting
 *    a larger block instead); then the request is rounded up to the next
 *    step's start, so any block of the first non-empty list at or above
 *    it fits, in constant time. The rest of the block, if it can hold a
 *    block, is split off and listed.
 *
 * 4. Freeing. A freed block merges with a free successor and a free
 *    predecessor. An arena that is all free goes back to the buddy
 *    allocator (and so, with page reporting, to the host), unless it is
 *    the only one that is: that one stays, for the next requests, until
 *    the heap next grows (heap_reap) or malloc_trim.
 *
 * 5. realloc. A block shrinks in place (its tail split off and freed) and
 *    grows in place into a free successor; heap_realloc() moves it
 *    otherwise.
 *
 * 6. Threads. Blocks are made only while the process has one thread (in
 *    a process with more, these sizes keep using the size classes and
 *    page runs, whose per-CPU caches scale); they are freed, measured and
 *    resized in place from any thread. Every operation holds
 *    heap.medium_lock, which the fork handlers take after borrow_lock.
 */
#define _GNU_SOURCE
#include "malloc/malloc_internal.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_BYTES ((size_t)PAGE_SIZE << MEDIUM_ORDER)
#define ARENA_MAGIC 0x6d6d6b2d6d656400UL /* "mmk-med" */
#define BLOCK_HDR 16
/* The first block's header: its payload is 64 bytes into the arena. */
#define ARENA_FIRST 48
/* What a free arena's one block spans: all but the first header's
 * offset and the sentinel. */
#define ARENA_FREE (ARENA_BYTES - ARENA_FIRST - BLOCK_HDR)
/* A header, the free-list links and the boundary tag. */
#define MIN_BLOCK 48

#define B_USED 1UL
#define B_PREV_USED 2UL
#define B_FLAGS (B_USED | B_PREV_USED)

/* Blocks of a request's own list looked at before the lists above. */
#define OWN_SCAN 8

#define SL_SHIFT 3
#define SL_COUNT (1U << SL_SHIFT)
#define FL_COUNT 21 /* block sizes below 2 MiB */

#define TAG_USED 0x6d65642d75736564UL /* "med-used" */
#define TAG_FREE 0x6d65642d66726565UL /* "med-free" */

struct block {
	uint64_t size; /* bytes, with B_USED and B_PREV_USED */
	uint64_t tag;
	/* Free blocks only: */
	struct block *next, *prev;
};

static struct {
	uint32_t fl_map;
	uint8_t sl_map[FL_COUNT];
	struct block *list[FL_COUNT][SL_COUNT];
	struct block *empty; /* the listed block of an all-free arena */
	unsigned long arenas, blocks; /* arenas; blocks in use */
	size_t bytes; /* bytes of the blocks in use, headers included */
} med;

static inline size_t bsize(const struct block *b)
{
	return (size_t)(b->size & ~B_FLAGS);
}

static inline struct block *next_block(const struct block *b)
{
	return (struct block *)((char *)b + bsize(b));
}

static inline void *payload(struct block *b)
{
	return (char *)b + BLOCK_HDR;
}

static inline uint64_t tag_of(const void *pay, uint64_t kind)
{
	return ((uintptr_t)pay * 0x9e3779b97f4a7c15UL) ^ heap.secret ^ kind;
}

/* Whether @b is its arena's sentinel, the header place at its end. */
static inline bool is_sentinel(const struct block *b)
{
	return (((uintptr_t)b - heap.base) & (ARENA_BYTES - 1)) ==
	       ARENA_BYTES - BLOCK_HDR;
}

/* Whether block @n (a successor) is in use: the sentinel always is. */
static inline bool in_use(const struct block *n)
{
	return is_sentinel(n) || (n->size & B_USED);
}

/* Record in successor @n whether its predecessor is in use. */
static inline void set_prev_used(struct block *n, bool used)
{
	if (is_sentinel(n))
		return;
	if (used)
		n->size |= B_PREV_USED;
	else
		n->size &= ~B_PREV_USED;
}

/* The boundary tag that @b's successor reads to merge with it; the
 * sentinel never merges. */
static inline void set_footer(struct block *b)
{
	struct block *n = next_block(b);

	if (!is_sentinel(n))
		((uint64_t *)(void *)n)[-1] = bsize(b);
}

static inline unsigned int fls_size(size_t s)
{
	return 63U - (unsigned int)__builtin_clzl(s);
}

static void mapping(size_t s, unsigned int *fl, unsigned int *sl)
{
	*fl = fls_size(s);
	*sl = (unsigned int)(s >> (*fl - SL_SHIFT)) & (SL_COUNT - 1);
}

static void list_insert(struct block *b)
{
	unsigned int fl, sl;

	mapping(bsize(b), &fl, &sl);
	b->prev = NULL;
	b->next = med.list[fl][sl];
	if (b->next)
		b->next->prev = b;
	med.list[fl][sl] = b;
	med.fl_map |= 1U << fl;
	med.sl_map[fl] |= (uint8_t)(1U << sl);
}

static void list_remove(struct block *b)
{
	unsigned int fl, sl;

	mapping(bsize(b), &fl, &sl);
	if (b->next)
		b->next->prev = b->prev;
	if (b->prev) {
		b->prev->next = b->next;
		return;
	}
	med.list[fl][sl] = b->next;
	if (!b->next) {
		med.sl_map[fl] &= (uint8_t) ~(1U << sl);
		if (!med.sl_map[fl])
			med.fl_map &= ~(1U << fl);
	}
}

/* Take free block @b off its list. */
static void unlist(struct block *b)
{
	list_remove(b);
	if (b == med.empty)
		med.empty = NULL;
}

static void arena_free(struct block *b)
{
	struct page *head = virt_to_page((char *)b - ARENA_FIRST);

	head->index = 0;
	__free_pages(head, MEDIUM_ORDER);
	med.arenas--;
}

/* A free block of at least @need bytes, unlisted; NULL if none. */
static struct block *list_take(size_t need)
{
	unsigned int fl, sl, map, i;
	struct block *b;

	/* First the few blocks at the head of @need's own list, where what
	 * a program frees waits for its next request of that size (the
	 * lists above take only blocks that certainly fit). */
	mapping(need, &fl, &sl);
	if (fl >= FL_COUNT)
		return NULL;
	for (b = med.list[fl][sl], i = 0; b && i < OWN_SCAN; b = b->next, i++)
		if (bsize(b) >= need) {
			unlist(b);
			return b;
		}
	/* The next step's start: every block of its list fits. */
	need += ((size_t)1 << (fls_size(need) - SL_SHIFT)) - 1;
	mapping(need, &fl, &sl);
	if (fl >= FL_COUNT)
		return NULL;
	map = med.sl_map[fl] & (~0U << sl);
	if (!map) {
		uint32_t fmap =
			fl + 1 < FL_COUNT ? med.fl_map & (~0U << (fl + 1)) : 0;

		if (!fmap)
			return NULL;
		fl = (unsigned int)__builtin_ctz(fmap);
		map = med.sl_map[fl];
	}
	sl = (unsigned int)__builtin_ctz(map);
	b = med.list[fl][sl];
	unlist(b);
	return b;
}

/* List free block @b (size set, footer not yet): an arena it makes all
 * free goes back to the page allocator if another one already is. */
static void free_block(struct block *b)
{
	if (bsize(b) == ARENA_FREE) {
		if (med.empty) {
			arena_free(b);
			return;
		}
		med.empty = b;
	}
	set_footer(b);
	list_insert(b);
}

/* A new arena, all one free block (listed). */
static bool arena_new(void)
{
	struct page *page;
	struct block *b;
	bool unbacked;
	char *base;

	page = alloc_pages_unbacked(MALLOC_GFP, MEDIUM_ORDER, &unbacked);
	if (!page)
		return false;
	page->index = ARENA_MAGIC ^ page_to_pfn(page);
	base = page_address(page);
	b = (struct block *)(void *)(base + ARENA_FIRST);
	b->size = ARENA_FREE | B_PREV_USED;
	b->tag = 0;
	med.arenas++;
	free_block(b);
	return true;
}

/* Make @b (unlisted, free) a block of @need bytes in use; its tail, if
 * it can be a block, is listed free. */
static void *block_use(struct block *b, size_t need)
{
	size_t have = bsize(b);

	if (have - need >= MIN_BLOCK) {
		struct block *rest = (struct block *)(void *)((char *)b + need);

		rest->size = (have - need) | B_PREV_USED;
		rest->tag = 0;
		free_block(rest);
		have = need;
	} else {
		set_prev_used(next_block(b), true);
	}
	b->size = have | B_USED | (b->size & B_PREV_USED);
	b->tag = tag_of(payload(b), TAG_USED);
	med.blocks++;
	med.bytes += have;
	return payload(b);
}

static size_t block_need(size_t size)
{
	return (size + BLOCK_HDR + 15) & ~(size_t)15;
}

void *medium_alloc(size_t size)
{
	size_t need = block_need(size);
	struct block *b;
	void *p = NULL;

	heap_reap();
	pthread_mutex_lock(&heap.medium_lock);
	b = list_take(need);
	if (!b && arena_new())
		b = list_take(need);
	if (b)
		p = block_use(b, need);
	pthread_mutex_unlock(&heap.medium_lock);
	if (!p)
		errno = ENOMEM;
	return p;
}

bool medium_owns(const void *p)
{
	uintptr_t off = (uintptr_t)p - heap.base;
	unsigned long pfn;

	if (off >= heap.size)
		return false;
	pfn = (off >> PAGE_SHIFT) & ~((1UL << MEDIUM_ORDER) - 1);
	return pfn_zone_fast(heap.m, pfn) &&
	       heap.mem_map[pfn].index == (ARENA_MAGIC ^ pfn);
}

/* The block in use whose payload @p is; dies on any other pointer into
 * an arena. medium_lock held. The arena is looked for again under the
 * lock: a second free of a block racing the free that emptied its arena
 * finds none, instead of reading pages the arena gave back. */
static struct block *block_of(void *p, const char *call)
{
	uintptr_t off = (uintptr_t)p - heap.base;
	uintptr_t in = off & (ARENA_BYTES - 1);
	struct block *b = (struct block *)(void *)((char *)p - BLOCK_HDR);

	if (!medium_owns(p) || (off & 15) || in < ARENA_FIRST + BLOCK_HDR ||
	    in >= ARENA_BYTES - BLOCK_HDR)
		malloc_die(call, "invalid pointer", p);
	if (b->tag == tag_of(p, TAG_USED) && (b->size & B_USED))
		return b;
	if (b->tag == tag_of(p, TAG_FREE))
		malloc_die(call, malloc_freed_what(call), p);
	malloc_die(call, "invalid pointer", p);
}

/* Whether @x, a free block's list link, is a block of an arena. */
static bool link_ok(const struct block *x)
{
	return !((uintptr_t)x & 15) && medium_owns(x);
}

/* Check free block @n, about to merge with the block @p the caller frees,
 * as glibc's unlink_chunk() does: its list links must point back at it
 * (a program that overflowed the block before it may have cleared its in
 * use bit, and its "links" are then the program's data: following them
 * would write where they say). Dies on any mismatch. */
static void check_unlink(const struct block *n, void *p, const char *call)
{
	unsigned int fl, sl;

	if ((n->size & B_USED) || bsize(n) < MIN_BLOCK || bsize(n) > ARENA_FREE)
		malloc_die(call, "heap corruption: a free block's size", p);
	mapping(bsize(n), &fl, &sl);
	if ((n->next && (!link_ok(n->next) || n->next->prev != n)) ||
	    (n->prev ? !link_ok(n->prev) || n->prev->next != n :
		       med.list[fl][sl] != n))
		malloc_die(call, "heap corruption: a free block's links", p);
}

/* Free in-use block @b, merging it with free neighbours; @call names
 * the program's call in a report. */
static void block_free(struct block *b, const char *call)
{
	struct block *n = next_block(b);
	size_t size = bsize(b);

	med.blocks--;
	med.bytes -= size;
	b->tag = tag_of(payload(b), TAG_FREE);
	if (!in_use(n)) {
		check_unlink(n, payload(b), call);
		unlist(n);
		size += bsize(n);
	} else {
		set_prev_used(n, false);
	}
	if (!(b->size & B_PREV_USED)) {
		uint64_t back = ((uint64_t *)b)[-1];
		struct block *pb = (struct block *)(void *)((char *)b - back);

		if ((back & 15) || back < MIN_BLOCK ||
		    (((uintptr_t)b - heap.base) & (ARENA_BYTES - 1)) <
			    ARENA_FIRST + back ||
		    bsize(pb) != back)
			malloc_die(call, "heap corruption: a boundary tag",
				   payload(b));
		check_unlink(pb, payload(b), call);
		unlist(pb);
		size += bsize(pb);
		b = pb;
	}
	b->size = size | (b->size & B_PREV_USED);
	free_block(b);
}

void medium_free(void *p, const char *call)
{
	pthread_mutex_lock(&heap.medium_lock);
	block_free(block_of(p, call), call);
	pthread_mutex_unlock(&heap.medium_lock);
}

size_t medium_usable(void *p, const char *call)
{
	size_t n;

	pthread_mutex_lock(&heap.medium_lock);
	n = bsize(block_of(p, call)) - BLOCK_HDR;
	pthread_mutex_unlock(&heap.medium_lock);
	return n;
}

size_t medium_resize(void *p, size_t size, const char *call)
{
	size_t need = block_need(size), have;
	struct block *b, *n;
	size_t left = 0;

	pthread_mutex_lock(&heap.medium_lock);
	b = block_of(p, call);
	have = bsize(b);
	n = next_block(b);
	if (need <= have) {
		if (have - need >= MIN_BLOCK) {
			struct block *rest =
				(struct block *)(void *)((char *)b + need);

			b->size = need | (b->size & B_FLAGS);
			rest->size = (have - need) | B_USED | B_PREV_USED;
			rest->tag = tag_of(payload(rest), TAG_USED);
			med.blocks++; /* b's tail, which block_free() takes */
			block_free(rest, call);
		}
	} else if (!in_use(n) && have + bsize(n) >= need) {
		check_unlink(n, p, call);
		unlist(n);
		med.blocks--; /* block_use() counts it again */
		med.bytes -= have;
		b->size += bsize(n);
		block_use(b, need);
	} else {
		left = have - BLOCK_HDR;
	}
	pthread_mutex_unlock(&heap.medium_lock);
	return left;
}

/* Give the host free block @b's whole pages: all but its header, its
 * list links and its boundary tag, as glibc's malloc_trim() does with the
 * inside of its free chunks. The bytes given; 0 if none of them was in
 * memory (given by an earlier trim, or never touched). */
static size_t block_discard(const struct block *b)
{
	uintptr_t start = ((uintptr_t)b + sizeof(*b) + PAGE_SIZE - 1) &
			  ~(uintptr_t)(PAGE_SIZE - 1);
	uintptr_t end = ((uintptr_t)next_block(b) - sizeof(uint64_t)) &
			~(uintptr_t)(PAGE_SIZE - 1);
	unsigned char vec[(ARENA_BYTES >> PAGE_SHIFT)];
	size_t n = (end - start) >> PAGE_SHIFT, i = 0;
	int err = errno;

	if (end <= start)
		return 0;
	if (!mincore((void *)start, end - start, vec))
		while (i < n && !(vec[i] & 1))
			i++;
	errno = err;
	if (i == n)
		return 0;
	mmk_host_mem_discard(&heap.m->phys, start - heap.base, end - start);
	return end - start;
}

size_t medium_trim(bool discard)
{
	struct block *b;
	unsigned int fl, sl;
	size_t bytes = 0;

	pthread_mutex_lock(&heap.medium_lock);
	b = med.empty;
	if (b) {
		unlist(b);
		arena_free(b);
		bytes = ARENA_BYTES;
	}
	for (fl = 0; discard && fl < FL_COUNT; fl++)
		for (sl = 0; sl < SL_COUNT; sl++)
			for (b = med.list[fl][sl]; b; b = b->next)
				bytes += block_discard(b);
	pthread_mutex_unlock(&heap.medium_lock);
	return bytes;
}

void medium_stats(unsigned long *arenas, unsigned long *blocks, size_t *bytes)
{
	pthread_mutex_lock(&heap.medium_lock);
	*arenas = med.arenas;
	*blocks = med.blocks;
	*bytes = med.bytes;
	pthread_mutex_unlock(&heap.medium_lock);
}

void medium_free_stats(unsigned long *blocks, size_t *bytes)
{
	const struct block *b;
	unsigned int fl, sl;

	*blocks = 0;
	*bytes = 0;
	pthread_mutex_lock(&heap.medium_lock);
	for (fl = 0; fl < FL_COUNT; fl++)
		for (sl = 0; sl < SL_COUNT; sl++)
			for (b = med.list[fl][sl]; b; b = b->next) {
				(*blocks)++;
				*bytes += bsize(b);
			}
	pthread_mutex_unlock(&heap.medium_lock);
}
