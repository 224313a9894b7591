/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's hardened mode (MMKIT_MALLOC=hardened).
 *
 * 1. Small objects. A request of n bytes takes the class of n + 8. The
 *    slot holds [n user bytes][canary 0xa5 ...][8-byte trailer], the
 *    trailer being n in both halves ^ secret ^ address (a write into it
 *    that leaves a size the slot could hold changes one half, not both).
 *    free checks the trailer and every
 *    canary byte, so an overflow of even one byte past n aborts; then it
 *    zeroes the slot (keeping word 0 for the free tag) and puts the object
 *    in the thread's quarantine, a ring of QUARANTINE objects; only the
 *    object it pushes out goes back to the thread's hardened bins (kept
 *    with the quarantine, so that the default mode's bins stay empty and
 *    its malloc fast path needs no test of the mode), after checking that
 *    it is still zero and still tagged. When a bin hands it out again it
 *    must still be zero: anything else is a write after free. Objects the
 *    tcache gets from the caches are checked by the refill: one that
 *    carries the free tag (or the fresh tag: a bin gave it back unused)
 *    was freed since its slab was made, and must be zero too (the slab
 *    layer's checked free lists, set up by this mode, make slabs zeroed
 *    and clear each free pointer as its object leaves a list:
 *    mm/slub.c); one never handed out is zero, so any other first word
 *    is a write after free. Refill gives them all the fresh tag, so that
 *    an object in a bin carries one of two tags; a first word with
 *    neither is a write after free too, and free of an object with the
 *    fresh tag a double free (it sits in a bin).
 *
 * 2. Large and aligned objects. Host mappings whose user bytes end (up to
 *    16-byte rounding) at an inaccessible guard page, registered like huge
 *    ones; an aligned block may end further from it (its start rounded down
 *    to the alignment, or at its pages' end for an alignment above a page),
 *    and every byte from its end to the guard is canary. A freed one
 *    (unless it was aligned) is made inaccessible whole and kept in a FIFO
 *    quarantine (HQ_SLOTS mappings, HQ_BYTES at most, the oldest retired
 *    first). A retired mapping, and one aligned or too large for the
 *    quarantine, gives its memory back but keeps its addresses reserved
 *    (PROT_NONE) while it is among the TS_SLOTS retired last, so that a
 *    late free of it is a double free, not a new block's at its place. A later request takes the best-fitting one among all but the
 *    HQ_HOLD freed last, opens only the pages from its user bytes to the
 *    guard and zeroes those of them that are in memory (mincore()), so a
 *    stale pointer faults until the mapping is handed out again, as it
 *    would after munmap, no old byte is handed out, and reuse costs no page
 *    faults.
 *
 * 3. Zero-size requests. Distinct addresses in a reserved 1 GiB PROT_NONE
 *    range, so any access faults. Past 2^26 of them, an object whose every
 *    byte is canary (any write is caught at free). A bitmap (zero_live, a
 *    bit a pointer) tells those allocated from those freed or never handed
 *    out: free, malloc_usable_size and the sized frees check it, as they
 *    check any object.
 *
 * 4. Tags here include the size class, so an old tag left by an object of
 *    another class at the same address is not mistaken for this one's.
 */
#define _GNU_SOURCE
#include "malloc/malloc_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define QUARANTINE 256
#define CANARY 0xa5
#define HQ_SLOTS 16
#define HQ_HOLD 2
#define HQ_BYTES (64UL << 20)
#define TS_SLOTS 64
#define TS_BYTES (64UL << 30)

/* A hardened thread's state, allocated at its first small request or
 * free: the quarantine ring and the bins objects leave it for. */
struct quarantine {
	void *slot[QUARANTINE];
	unsigned char cls[QUARANTINE]; /* each slot's class */
	unsigned int next;
	unsigned char bins[TC_BYTES];
};

/* NULL for a thread past its exit hook (its later calls take objects
 * from the caches and give them back, unquarantined) or out of memory. */
static struct quarantine *hardened_state(void)
{
	if (!tc.q && tc.state != TC_DEAD)
		tc.q = mmk_host_zalloc(sizeof(*tc.q));
	return tc.q;
}

int hardened_init(void)
{
	void *z;

	heap.zero_len = 1UL << 30; /* 2^26 distinct zero-size pointers */
	z = mmap(NULL, heap.zero_len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (z == MAP_FAILED)
		return -1;
	heap.zero_base = (uintptr_t)z;
	z = mmap(NULL, heap.zero_len / 16 / 8, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (z == MAP_FAILED)
		return -1;
	heap.zero_live = z;
	return 0;
}

static inline uintptr_t htag(const void *p, unsigned int c)
{
	return free_tag(p) ^ ((uintptr_t)(c + 1) << 4);
}

/* The tag of an object a refill took from the caches (section 1). */
static inline uintptr_t fresh_tag(const void *p, unsigned int c)
{
	return htag(p, c) ^ 8;
}

/* Sixteen bytes, read as two words whatever the memory holds. */
typedef uint64_t chunk16 __attribute__((vector_size(16), may_alias));

/* Whether the @n 16-byte chunks from @p (16-byte aligned) are all zero:
 * ORed two chunks a step, one test at the end (a test a word cost five
 * instructions a word, and these checks run at every hardened malloc and
 * free). */
static bool chunks_zero(const void *p, size_t n)
{
	const chunk16 *v = p;
	chunk16 a = { 0, 0 }, b = { 0, 0 };
	size_t i;

	for (i = 0; i + 2 <= n; i += 2) {
		a |= v[i];
		b |= v[i + 1];
	}
	if (i < n)
		a |= v[i];
	a |= b;
	return !(a[0] | a[1]);
}

/* A freed object (its tag in word 0) must be zero in every other word:
 * free zeroed it, and the slab's free pointer, the one word the caches
 * write, is cleared as the object leaves a slab's list (mm/slub.c,
 * slab_pop_many()). Dies otherwise: a write after free. */
static void check_freed_zero(const void *p, unsigned int c, const char *call)
{
	if (((const uintptr_t *)p)[1] ||
	    !chunks_zero((const char *)p + 16, class_size[c] / 16 - 1))
		malloc_die(call, "write after free detected", p);
}

void hardened_mark_fresh(void **objs, unsigned int n, unsigned int c)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uintptr_t *word = objs[i];

		/* Back from a bin, an array or a slab since its free (or
		 * since a bin gave it back unused): a write after it left
		 * the quarantine shows now. Never handed out, it is zero (a
		 * zeroed slab's): any other first word was written after
		 * a free too. */
		if (word[0] == htag(word, c) || word[0] == fresh_tag(word, c))
			check_freed_zero(word, c, "malloc");
		else if (word[0])
			malloc_die("malloc", "write after free detected", word);
		word[0] = fresh_tag(word, c);
	}
}

static bool is_zero_size(const void *p)
{
	return (uintptr_t)p - heap.zero_base < heap.zero_len;
}

#define ZBITS (8 * sizeof(unsigned long))

/* The word of zero_live that holds zero-size pointer @p's bit (*@bit);
 * it dies on an address of the range that no malloc(0) returned. */
static _Atomic unsigned long *zero_live_word(const void *p, unsigned long *bit,
					     const char *call)
{
	uintptr_t off = (uintptr_t)p - heap.zero_base;

	if ((off & 15) || off >= atomic_load(&heap.zero_next))
		malloc_die(call, "invalid pointer", p);
	*bit = 1UL << (off / 16 % ZBITS);
	return &heap.zero_live[off / 16 / ZBITS];
}

/* free() of zero-size pointer @p: every one below zero_next was handed
 * out, so one whose bit is clear is freed already. */
static void zero_size_free(const void *p, const char *call)
{
	unsigned long bit;
	_Atomic unsigned long *w = zero_live_word(p, &bit, call);

	if (!(atomic_fetch_and(w, ~bit) & bit))
		malloc_die(call, "double free detected", p);
}

/* Zero-size pointer @p, checked as allocated. */
static void zero_size_check(const void *p, const char *call)
{
	unsigned long bit;
	_Atomic unsigned long *w = zero_live_word(p, &bit, call);

	if (!(atomic_load(w) & bit))
		malloc_die(call, malloc_freed_what(call), p);
}

static uint64_t trailer_of(const void *p, size_t size)
{
	return ((uint64_t)size | (uint64_t)size << 32) ^ heap.secret ^
	       (uintptr_t)p;
}

/* Whether the @n bytes from @b are all @v: a word at a time (the last
 * word ends at the end, overlapping the one before), XORed with @v
 * repeated and ORed. */
static bool bytes_are(const unsigned char *b, size_t n, unsigned char v)
{
	const uintptr_t pat = (uintptr_t)v * (UINTPTR_MAX / 0xff);
	uintptr_t acc = 0, x;
	size_t i;

	if (n < sizeof x) {
		for (i = 0; i < n; i++)
			acc |= (uintptr_t)(b[i] ^ v);
		return !acc;
	}
	for (i = 0; i + sizeof x <= n; i += sizeof x) {
		memcpy(&x, b + i, sizeof x);
		acc |= x ^ pat;
	}
	memcpy(&x, b + n - sizeof x, sizeof x);
	return !(acc | (x ^ pat));
}

/* The size stored in @p's trailer, after checking trailer and canary. */
static size_t small_checked_size(void *p, size_t slot, const char *call)
{
	uint64_t t;
	size_t size;

	memcpy(&t, (char *)p + slot - 8, sizeof t);
	t ^= heap.secret ^ (uintptr_t)p;
	size = (uint32_t)t;
	if (t >> 32 != size || size + 8 > slot ||
	    !bytes_are((unsigned char *)p + size, slot - 8 - size, CANARY))
		malloc_die(call, "heap buffer overflow detected", p);
	return size;
}

/* An object back from this thread's quarantine or bin must still be
 * zero; true if it was (and so is zero now). */
static bool check_reuse(void *p, unsigned int c)
{
	uintptr_t *word = p;

	if (word[0] == fresh_tag(p, c))
		return false; /* from the caches: checked by the refill */
	if (word[0] != htag(p, c))
		malloc_die("malloc", "write after free detected", p);
	check_freed_zero(p, c, "malloc");
	return true;
}

/* ---- large objects' quarantine (section 2), under heap.huge_lock ---- */

static struct hq_entry {
	void *base;
	size_t len;
} hq[HQ_SLOTS]; /* oldest first */
static int hq_n;
static size_t hq_bytes;

/* Zero the pages from @start to @end that are in memory (the others
 * read as zero). */
static void large_zero(uintptr_t start, uintptr_t end)
{
	size_t n = (end - start) >> PAGE_SHIFT, i, j;
	unsigned char vec[4096];

	for (i = 0; i < n; i += j) {
		size_t k = n - i < sizeof vec ? n - i : sizeof vec;
		char *a = (char *)(start + (i << PAGE_SHIFT));
		bool known = !mincore(a, k << PAGE_SHIFT, vec);

		for (j = 0; j < k; j++)
			if (!known || (vec[j] & 1))
				memset(a + (j << PAGE_SHIFT), 0, PAGE_SIZE);
	}
}

/* Mappings retired from the quarantine, or too large or aligned for it:
 * their memory back with the host, their addresses still reserved
 * (PROT_NONE, nothing behind them), TS_SLOTS of them (TS_BYTES of
 * address space at most), the oldest unmapped first. Until then a stale
 * pointer into one faults, and a late free of it is a double free, not
 * a new block's that the host placed at the same address. */
static struct hq_entry ts[TS_SLOTS]; /* oldest first */
static int ts_n;
static size_t ts_bytes;

static void hq_retire(void *base, size_t len)
{
	struct hq_entry out[TS_SLOTS];
	int nout = 0, i;

	if (mmap(base, len, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		 0) == MAP_FAILED) {
		munmap(base, len);
		return;
	}
	pthread_mutex_lock(&heap.huge_lock);
	while (ts_n && (ts_n == TS_SLOTS || ts_bytes + len > TS_BYTES)) {
		out[nout++] = ts[0];
		ts_bytes -= ts[0].len;
		memmove(ts, ts + 1, (size_t)--ts_n * sizeof(ts[0]));
	}
	ts[ts_n].base = base;
	ts[ts_n++].len = len;
	ts_bytes += len;
	pthread_mutex_unlock(&heap.huge_lock);
	for (i = 0; i < nout; i++)
		munmap(out[i].base, out[i].len);
}

/* Keep @h's mapping, inaccessible, in the quarantine, or retire it. */
static void hq_put(const struct huge *h)
{
	struct hq_entry out[HQ_SLOTS];
	int nout = 0, i;

	if (h->align || h->len > HQ_BYTES ||
	    mprotect(h->base, h->len - PAGE_SIZE, PROT_NONE)) {
		hq_retire(h->base, h->len + h->room);
		return;
	}
	pthread_mutex_lock(&heap.huge_lock);
	while (hq_n && (hq_n == HQ_SLOTS || hq_bytes + h->len > HQ_BYTES)) {
		out[nout++] = hq[0];
		hq_bytes -= hq[0].len;
		memmove(hq, hq + 1, (size_t)--hq_n * sizeof(hq[0]));
	}
	hq[hq_n].base = h->base;
	hq[hq_n++].len = h->len;
	hq_bytes += h->len;
	pthread_mutex_unlock(&heap.huge_lock);
	for (i = 0; i < nout; i++)
		hq_retire(out[i].base, out[i].len);
}

/* Whether @p lies in a mapping of the quarantine or a retired one: freed
 * already. */
static bool hq_holds(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	bool found = false;
	int i;

	pthread_mutex_lock(&heap.huge_lock);
	for (i = 0; i < hq_n && !found; i++)
		found = a - (uintptr_t)hq[i].base < hq[i].len;
	for (i = 0; i < ts_n && !found; i++)
		found = a - (uintptr_t)ts[i].base < ts[i].len;
	pthread_mutex_unlock(&heap.huge_lock);
	return found;
}

/* A quarantined mapping for @size bytes (16-aligned, before its guard):
 * its body holds them and is at most four times what they need, and it is
 * not one of the HQ_HOLD mappings freed last. NULL if there is none. */
static void *large_reuse(size_t size)
{
	size_t end16 = (size + 15) & ~(size_t)15,
	       need = (end16 + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	struct huge h = { 0 };
	uintptr_t g, start;
	int i, pick = -1;

	pthread_mutex_lock(&heap.huge_lock);
	for (i = 0; i < hq_n - HQ_HOLD; i++) {
		size_t body = hq[i].len - PAGE_SIZE;

		if (body >= need && body / 4 <= need &&
		    (pick < 0 || hq[i].len < hq[pick].len))
			pick = i;
	}
	if (pick >= 0) {
		h.base = hq[pick].base;
		h.len = hq[pick].len;
		hq_bytes -= h.len;
		memmove(hq + pick, hq + pick + 1,
			(size_t)(--hq_n - pick) * sizeof(hq[0]));
	}
	pthread_mutex_unlock(&heap.huge_lock);
	if (pick < 0)
		return NULL;
	g = (uintptr_t)h.base + h.len - PAGE_SIZE;
	h.p = g - end16;
	h.size = size;
	h.fresh = true; /* zeroed below */
	start = h.p & ~(uintptr_t)(PAGE_SIZE - 1);
	if (mprotect((void *)start, g - start, PROT_READ | PROT_WRITE)) {
		munmap(h.base, h.len);
		errno = ENOMEM;
		return NULL;
	}
	large_zero(start, g);
	if (huge_insert(&h)) {
		munmap(h.base, h.len);
		errno = ENOMEM;
		return NULL;
	}
	return (void *)h.p;
}

/* The bytes from the end of a mapping's @size user bytes at @p to its
 * guard page, which is the next page boundary (section 2). */
static size_t guard_gap(const void *p, size_t size)
{
	uintptr_t end = (uintptr_t)p + size;

	return ((end + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1)) - end;
}

static void *small_alloc(size_t size, unsigned int c)
{
	struct quarantine *q = hardened_state();
	size_t slot = class_size[c];
	struct tc_bin *b;
	void *p;

	if (q) {
		b = tc_bin_in(q->bins, (unsigned int)c);
		if (!b->count)
			tcache_refill(c, b);
		p = b->count ? b->slot[--b->count] : NULL;
	} else {
		/* An exiting thread's (or one without memory for its
		 * state): straight from the cache. */
		struct kmem_cache *s = class_cache(c);

		p = s ? kmem_cache_alloc(s, MALLOC_GFP) : NULL;
		if (p)
			hardened_mark_fresh(&p, 1, c);
	}
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	/* New objects never show old data (nor SLUB's free pointer). */
	if (check_reuse(p, c))
		memset(p, 0, 16);
	else
		memset(p, 0, size > 16 ? size : 16);
	memset((char *)p + size, CANARY, slot - 8 - size);
	{
		uint64_t t = trailer_of(p, size);

		memcpy((char *)p + slot - 8, &t, sizeof t);
	}
	return p;
}

void *hardened_alloc(size_t size, size_t align, const char *call)
{
	void *p;

	(void)call;
	if (!size && align <= 16) {
		size_t off = atomic_fetch_add(&heap.zero_next, 16);

		/* Unique and inaccessible while the reserve lasts; then an
		 * object all of whose bytes are canary. */
		if (off < heap.zero_len) {
			atomic_fetch_or(&heap.zero_live[off / 16 / ZBITS],
					1UL << (off / 16 % ZBITS));
			return (void *)(heap.zero_base + off);
		}
		return small_alloc(0, size_class(8));
	}
	if (align <= 16 && size <= SMALL_MAX - 8)
		return small_alloc(size, size_class(size + 8));
	/* An aligned zero-size block is its guard page: any access faults. */
	p = align <= 16 && size ? large_reuse(size) : NULL;
	if (!p)
		p = huge_map(size, align, true);
	if (p)
		memset((char *)p + size, CANARY, guard_gap(p, size));
	return p;
}

/* @p, of class @c (hardened_free() found it), leaves the quarantine for
 * this thread's bin, or for its cache when the thread has no hardened
 * state. */
static void quarantine_release(void *p, unsigned int c)
{
	struct tc_bin *b;
	unsigned int cap;

	/* Only the tag may be set after its time in quarantine. */
	if (*(const uintptr_t *)p != htag(p, c))
		malloc_die("free", "write after free detected", p);
	check_freed_zero(p, c, "free");
	if (!tc.q) {
		__slab_free_bulk(heap.m,
				 __atomic_load_n(&heap.cache[c],
						 __ATOMIC_RELAXED),
				 1, &p);
		return;
	}
	b = tc_bin_in(tc.q->bins, c);
	cap = tc_bin_cap(c);
	if (b->count == cap)
		tcache_flush(c, b, cap / 2);
	b->slot[b->count++] = p;
}

static void quarantine_push(void *p, unsigned int c)
{
	struct quarantine *q = hardened_state();
	unsigned int i, oldc;
	void *old;

	if (!q) {
		quarantine_release(p, c);
		return;
	}
	i = q->next;
	old = q->slot[i];
	oldc = q->cls[i];
	q->slot[i] = p;
	q->cls[i] = (unsigned char)c;
	q->next = (i + 1) % QUARANTINE;
	if (old)
		quarantine_release(old, oldc);
}

void hardened_thread_exit(void)
{
	struct quarantine *q = tc.q;
	unsigned int i;

	if (!q)
		return;
	for (i = 0; i < QUARANTINE; i++)
		if (q->slot[i])
			quarantine_release(q->slot[i], q->cls[i]);
	for (i = 0; i < NR_CLASSES; i++)
		tcache_flush(i, tc_bin_in(q->bins, i), 0);
	tc.q = NULL;
	mmk_host_free(q);
}

static void huge_check_canary(const struct huge *h, const char *call)
{
	if (!bytes_are((unsigned char *)h->p + h->size,
		       guard_gap((void *)h->p, h->size), CANARY))
		malloc_die(call, "heap buffer overflow detected", (void *)h->p);
}

void hardened_free(void *p, const char *call)
{
	struct huge h;
	int c;

	if (is_zero_size(p)) {
		zero_size_free(p, call);
		return;
	}
	if (small_lookup(p, &c, call)) {
		size_t slot = class_size[c];

		if (*(uintptr_t *)p == htag(p, (unsigned int)c))
			malloc_die(call, "double free detected", p);
		if (*(uintptr_t *)p == fresh_tag(p, (unsigned int)c))
			malloc_die(call, "double free or invalid pointer", p);
		/* Never handed out: a zeroed slab's slot has no trailer
		 * (an allocated one's is zero one time in 2^64). */
		if (!*(uint64_t *)((char *)p + slot - 8))
			malloc_die(call, "invalid pointer", p);
		small_checked_size(p, slot, call);
		memset((char *)p + 8, 0, slot - 8);
		*(uintptr_t *)p = htag(p, (unsigned int)c);
		quarantine_push(p, (unsigned int)c);
		return;
	}
	if (huge_lookup((uintptr_t)p, &h, true)) {
		huge_check_canary(&h, call);
		hq_put(&h);
		return;
	}
	malloc_die(call,
		   hq_holds(p) ? "double free detected" :
				 heap_bad_pointer(p, call),
		   p);
}

size_t hardened_usable(void *p, const char *call)
{
	struct huge h;
	int c;

	if (is_zero_size(p)) {
		zero_size_check(p, call);
		return 0;
	}
	if (small_lookup(p, &c, call)) {
		if (*(uintptr_t *)p == htag(p, (unsigned int)c) ||
		    *(uintptr_t *)p == fresh_tag(p, (unsigned int)c))
			malloc_die(call, malloc_freed_what(call), p);
		return small_checked_size(p, class_size[c], call);
	}
	if (huge_lookup((uintptr_t)p, &h, false)) {
		huge_check_canary(&h, call);
		return h.size;
	}
	malloc_die(call,
		   hq_holds(p) ? malloc_freed_what(call) :
				 heap_bad_pointer(p, call),
		   p);
}

void hardened_check_size(void *p, size_t size, size_t align, const char *call)
{
	size_t usable = hardened_usable(p, call);
	struct huge h;

	if (size != usable)
		malloc_die(call, "size does not match the allocation", p);
	if (align && ((uintptr_t)p & (align - 1)))
		malloc_die(call, "pointer not aligned as stated", p);
	/* Every block with an alignment above 16 is a mapping, which
	 * records it: any other block stated to have one has not. */
	if (align && !is_zero_size(p) &&
	    (huge_lookup((uintptr_t)p, &h, false) ?
		     !huge_align_matches(&h, align) :
		     align > 16))
		malloc_die(call, "alignment does not match the allocation", p);
}
