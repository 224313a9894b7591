/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's borrowing: objects of one size class made of the
 * free space in another class's sparse slabs.
 *
 * 1. Why. A heap of size classes cannot serve one size from memory that
 *    objects of another size left. Once a program frees 90% of a million
 *    small objects at random, nearly every slab of theirs keeps a
 *    survivor, and the next phase's larger objects need new pages
 *    (bench/malloc/frag: 1.5x glibc's peak RSS; glibc's coalescing reuses
 *    the holes, and jemalloc, mimalloc and tcmalloc do no better than
 *    1.5x). Linux's slab allocator has the same limit; a malloc meets it
 *    at every phase change of a program.
 *
 * 2. When. A tcache refill of class c that would make a new slab (fewer
 *    free objects in this CPU's array, the shared array and the slabs
 *    than the refill takes), in a process with one thread, borrows
 *    instead if it can. A lender is another class whose slabs hold at
 *    least LEND_MIN_FREE bytes and a quarter of their objects free, of a
 *    size that suits c (below; the one with the most free bytes). The
 *    refill claims one of its slabs (kmem_cache_claim_slab: the partial
 *    list's tail, if at most three quarters of it is in use; all its free
 *    objects, in address order, become ours) and makes objects of it:
 *    - runs, for classes of RUN_MIN bytes and more from lenders of at
 *      most half their size: every stretch of consecutive free objects of
 *      RUN_MIN bytes or more becomes a hole; a refill cuts objects of its
 *      class out of the holes, best fitting bin first, each the fewest
 *      consecutive lender objects that hold it (16-byte aligned, as every
 *      lender object is, whatever the class: heap_memalign() does not
 *      keep a borrowed object its alignment does not suit). What a hole
 *      has left stays one.
 *      Holes hold the claimed space for other classes' refills: a phase
 *      that allocates objects of random sizes finds a fit for most of
 *      them (frag: 31,700 of its 44,900 larger objects at its peak; the
 *      other way, 391,000 of its 722,000 small ones live in sub-slabs
 *      cut from its larger objects' slabs). A hole no refill took
 *      within HOLE_AGE refills goes back to its lender, so that a slab
 *      whose survivors die is freed, and so does every hole of a class
 *      whose own refill is about to grow, and all of them once the
 *      process has a second thread or calls malloc_trim;
 *    - sub-slabs, from lenders of at least four times the class's size:
 *      one free lender object cut into objects of the class (up to
 *      SUB_MAX, a bitmap saying which are out); its free ones serve the
 *      class's next refills first.
 *    What neither takes goes back to the lender's slab at once. A region
 *    (a run, or a sub-slab) goes back to its lender, its objects tagged
 *    as freed, when its last object is freed. A refill that finds no
 *    lender lets the next BORROW_QUIET refills go by without looking.
 *
 * 3. Finding them. A lender's slab with regions or holes (struct lent:
 *    which of its objects are in each) is marked in the slab map
 *    (slab_map_mark), so free's fast path, which vouches for objects by
 *    the map, sends every pointer into it to heap_free_slow(), where
 *    borrow_free() finds the lent, and the region by the address of its
 *    first lender object, in one hash table (table.c): a run's entry is
 *    its class, a sub-slab's its descriptor, a lent's key its struct
 *    page + 1. A hole's header lives
 *    in its own first object. A pointer into a lent slab outside every
 *    region and hole is the lender's own object and goes the usual way.
 *    Borrowed objects enter tcache bins only from refills; while a class
 *    has borrowed objects out, its flushes send those back to their
 *    regions (borrow_take_back()).
 *
 * 4. Checks. A borrowed object's free, realloc, malloc_usable_size and
 *    free_sized are checked as any object's: a pointer into a run past its
 *    start, into a sub-slab off its objects or into a hole is invalid; a
 *    sub-slab object whose bit is clear is a double free (a run's second
 *    free finds its lender objects tagged as freed), and so is one that
 *    carries the free tag: a refill tags the objects it puts in the bin,
 *    as every object in a bin is, and malloc clears the tag.
 *
 * 5. Threads. Regions and holes are made only while the process has one
 *    thread; those it has then drain under borrow_lock (struct heap),
 *    taken after class_lock and huge_lock (the fork handlers' order) and
 *    before any of the slab layer's locks, which claims and returns take
 *    inside it. Until the process has a second thread, nothing takes it:
 *    its one thread is the only caller.
 */
#define _GNU_SOURCE
#include "malloc/malloc_internal.h"

#include <string.h>

/* Free bytes a class's slabs must hold before it lends (and a quarter of
 * its objects free). */
#define LEND_MIN_FREE (256UL << 10)
/* A slab it claims may have up to three quarters of its objects in use. */
#define CLAIM_INUSE(objects) ((objects)*3 / 4)
/* Objects of a sub-slab, and of a lender's slab (a lent's bitmaps). */
#define SUB_MAX 256
#define SUB_WORDS (SUB_MAX / 64)
/* Slabs a refill may claim before it gives up and makes a slab. */
#define BORROW_TRIES 8
/* The smallest class made of runs, and the shortest hole kept. */
#define RUN_MIN 256
/* Holes a refill looks at in one bin before it tries the next. */
#define HOLE_SCAN 8
/* Refills that go by without looking for a lender after one found none. */
#define BORROW_QUIET 32
/* Refills a hole waits for a taker before it goes back to its lender. */
#define HOLE_AGE 256

/* A lender's slab with regions or holes. */
struct lent {
	struct slab *slab;
	uintptr_t first; /* its object 0 */
	unsigned int lc; /* the lender's class */
	unsigned int refs; /* regions and holes */
	uint64_t borrowed[SUB_WORDS]; /* its objects in regions */
	uint64_t held[SUB_WORDS]; /* its objects in holes */
};

/* A sub-slab: a lender object (its table key) cut into m objects of
 * class bc from base, used[] saying which are out. (A run, one object of k lender
 * objects, has no descriptor: its table entry says its class.) */
struct sub {
	uintptr_t base;
	/* The class's sub-slabs with a free object. */
	struct sub *next, **pprev;
	unsigned short m, live;
	unsigned char bc;
	uint64_t used[SUB_WORDS];
};

/* A hole: k consecutive free objects of a lent slab that no region uses
 * yet, its header written in its first object (the memory is ours, and at
 * least RUN_MIN bytes); in the bin of the largest class it holds, and in
 * the age list. */
struct hole {
	struct hole *next, **pprev; /* its bin */
	struct hole *younger, *older; /* the age list */
	struct lent *lent;
	unsigned long seq; /* refill_seq when its objects were claimed */
	unsigned int k;
};

/* A table record: the key is a struct lent's slab + 1, or a region's
 * first lender object; the value the struct lent, the struct sub, or for
 * a run (class << 1) | 1. */
struct bslot {
	uintptr_t key;
	uintptr_t val;
};

static struct table btab = TABLE_INIT(struct bslot, 1024, 0);
static struct kmem_cache *bcache; /* struct lent, struct sub */
static struct sub *partial[NR_CLASSES];
static struct hole *holes[NR_CLASSES];
static struct hole *oldest, *youngest;
static unsigned long refill_seq;
/* Objects held in holes, by lender class. */
static unsigned long held_objs[NR_CLASSES];
/* Borrowed objects out (in bins or the program's), by class: a flush
 * looks for them only then. */
atomic_ulong borrow_live[NR_CLASSES];
/* Refills to let go by without looking for a lender, after one found
 * none. */
static unsigned int quiet;
/* Objects held in holes: once the process has threads, they go back. */
atomic_ulong borrow_held;

/* ---- the table ---- */

static uintptr_t bfind(uintptr_t key)
{
	const struct bslot *b = table_find(&btab, key);

	return b ? b->val : 0;
}

static bool binsert(uintptr_t key, uintptr_t val)
{
	struct bslot *b = table_insert(&btab, key);

	if (b)
		b->val = val;
	return b != NULL;
}

static void bremove(uintptr_t key)
{
	table_remove(&btab, table_find(&btab, key));
}

/* ---- bits, classes ---- */

static inline bool bit_test(const uint64_t *w, unsigned int i)
{
	return w[i / 64] >> (i % 64) & 1;
}

/* The mask of bits @i.. of @i's word, at most @n of them; *@take says how
 * many. */
static inline uint64_t bits_mask(unsigned int i, unsigned int n,
				 unsigned int *take)
{
	unsigned int b = i % 64;

	*take = n < 64 - b ? n : 64 - b;
	return (*take == 64 ? ~0ULL : (1ULL << *take) - 1) << b;
}

static inline void bits_set(uint64_t *w, unsigned int i, unsigned int n)
{
	unsigned int take;

	for (; n; n -= take, i += take)
		w[i / 64] |= bits_mask(i, n, &take);
}

static inline void bits_clear(uint64_t *w, unsigned int i, unsigned int n)
{
	unsigned int take;

	for (; n; n -= take, i += take)
		w[i / 64] &= ~bits_mask(i, n, &take);
}

/* The largest class of at most @len bytes (@len >= 16). */
static unsigned int class_below(size_t len)
{
	unsigned int c = size_class(len > SMALL_MAX ? SMALL_MAX : len);

	return class_size[c] > len ? c - 1 : c;
}

/* ceil(2^40 / class_size[c]), set with bcache: off / class_size[c] as one
 * multiplication, exact for off < 2^26 (the error, off * (ceil - exact),
 * stays below 2^40 / class_size[c]), far beyond a lent slab's 4 MiB. A
 * free into a sub-slab divided three times. */
static uint64_t class_recip[NR_CLASSES];

static inline uintptr_t class_div(uintptr_t off, unsigned int c)
{
	return (uintptr_t)((off * class_recip[c]) >> 40);
}

/* Lender objects a run of class @c takes, of lender class @lc. */
static unsigned int run_objects(unsigned int c, unsigned int lc)
{
	return (class_size[c] + class_size[lc] - 1) / class_size[lc];
}

/* ---- lent slabs ---- */

/* The lent of @slab (of lender class @lc), made and marked now if it has
 * none; NULL without memory. */
static struct lent *lent_get(unsigned int lc, struct slab *slab)
{
	struct lent *l = (struct lent *)bfind((uintptr_t)slab + 1);

	if (l)
		return l;
	l = kmem_cache_zalloc(bcache, MALLOC_GFP);
	if (!l)
		return NULL;
	l->slab = slab;
	/* Our caches have no colours and no red zones: object 0 starts the
	 * slab. */
	l->first = heap.base +
		   ((uintptr_t)(slab_page(slab) - heap.mem_map) << PAGE_SHIFT);
	l->lc = lc;
	if (!binsert((uintptr_t)slab + 1, (uintptr_t)l)) {
		kmem_cache_free(bcache, l);
		return NULL;
	}
	/* Before any borrowed object is out: free's fast path must send
	 * every pointer into the slab to borrow_free(). */
	slab_map_mark(heap.m, heap.cache[lc], slab, true);
	return l;
}

/* Drop lent @l if nothing uses it: unmarked while the slab is surely
 * alive (the caller still holds objects of it). */
static void lent_put_if_idle(struct lent *l)
{
	if (l->refs)
		return;
	slab_map_mark(heap.m, heap.cache[l->lc], l->slab, false);
	bremove((uintptr_t)l->slab + 1);
	kmem_cache_free(bcache, l);
}

static unsigned int lent_index(const struct lent *l, uintptr_t lobj)
{
	return (unsigned int)class_div(lobj - l->first, l->lc);
}

/* Lender objects on their way back, one slab-layer call per batch: a
 * claim returns most of a slab's free objects in short runs, and expired
 * holes go back by the dozen. Under borrow_lock; every entry point
 * flushes it before unlocking (borrow_unlock()). */
static struct {
	unsigned int lc, n;
	void *objs[SUB_MAX];
} pb;

static void putback_flush(void)
{
	if (pb.n)
		__slab_free_bulk(heap.m, heap.cache[pb.lc], pb.n, pb.objs);
	pb.n = 0;
}

/* Give @n lender objects from @p back to lender class @lc; the first
 * @tag of them tagged as freed (the borrower's data, or a hole's header,
 * overwrote their own). */
static void lender_put(unsigned int lc, uintptr_t p, unsigned int n,
		       unsigned int tag)
{
	unsigned int size = class_size[lc], i;

	if (pb.n && (pb.lc != lc || pb.n + n > SUB_MAX))
		putback_flush();
	pb.lc = lc;
	for (i = 0; i < n; i++, p += size) {
		if (i < tag)
			*(uintptr_t *)p = free_tag((void *)p);
		pb.objs[pb.n++] = (void *)p;
	}
}

/* borrow_lock, taken only once the process has threads: until then the
 * caller is the only thread there is, and one that starts a thread does
 * so outside these calls (frag: 520,000 frees into lent slabs, an
 * atomic pair each). */
static void borrow_lock(void)
{
	if (!heap_single_threaded())
		pthread_mutex_lock(&heap.borrow_lock);
}

static void borrow_unlock_only(void)
{
	if (!heap_single_threaded())
		pthread_mutex_unlock(&heap.borrow_lock);
}

static void borrow_unlock(void)
{
	putback_flush();
	borrow_unlock_only();
}

/* ---- regions ---- */

static void partial_del(struct sub *r)
{
	if (!r->pprev)
		return;
	*r->pprev = r->next;
	if (r->next)
		r->next->pprev = r->pprev;
	r->next = NULL;
	r->pprev = NULL;
}

static void partial_add(struct sub *r)
{
	struct sub **head = &partial[r->bc];

	r->next = *head;
	if (r->next)
		r->next->pprev = &r->next;
	*head = r;
	r->pprev = head;
}

/* Register the region of @k objects of lent @l from @lobj: a run of class
 * @bc if @sub is NULL, else that sub-slab. */
static bool region_add(struct lent *l, uintptr_t lobj, unsigned int k,
		       unsigned int bc, struct sub *sub)
{
	if (!binsert(lobj, sub ? (uintptr_t)sub : (uintptr_t)bc << 1 | 1))
		return false;
	bits_set(l->borrowed, lent_index(l, lobj), k);
	l->refs++;
	return true;
}

/* The region of @k objects of lent @l from @lobj is empty: back to the
 * lender (its objects tagged as freed), and the lent with it if it was
 * the last user. (Kept as a hole instead, a freed run pinned its slab
 * past the phase's end: frag's peak 110.7 -> 118.9 MiB.) */
static void region_del(struct lent *l, uintptr_t lobj, unsigned int k)
{
	unsigned int lc = l->lc;

	bremove(lobj);
	bits_clear(l->borrowed, lent_index(l, lobj), k);
	l->refs--;
	lent_put_if_idle(l);
	lender_put(lc, lobj, k, k);
}

/* Up to @want free objects of sub-slab @r into @out. */
static unsigned int sub_take(struct sub *r, void **out, unsigned int want)
{
	unsigned int got = 0, i, size = class_size[r->bc];

	for (i = 0; i < r->m && got < want; i++) {
		if (bit_test(r->used, i))
			continue;
		bits_set(r->used, i, 1);
		out[got++] = (void *)(r->base + (uintptr_t)i * size);
	}
	r->live = (unsigned short)(r->live + got);
	if (r->live == r->m)
		partial_del(r);
	atomic_fetch_add_explicit(&borrow_live[r->bc], got,
				  memory_order_relaxed);
	return got;
}

/* ---- holes ---- */

static inline uintptr_t hole_lobj(const struct hole *h)
{
	return (uintptr_t)h;
}

/* @k free objects of lent @l from @lobj, claimed at @seq: a hole if they
 * hold RUN_MIN bytes, else back to the lender. In the age list it comes
 * right after @o (first if NULL), which keeps the list in seq order. */
static void hole_add(struct lent *l, uintptr_t lobj, unsigned int k,
		     unsigned long seq, struct hole *o)
{
	size_t len = (size_t)k * class_size[l->lc];
	struct hole *h = (struct hole *)lobj;
	unsigned int bin;

	if (!k)
		return;
	if (len < RUN_MIN) {
		lender_put(l->lc, lobj, k, 0);
		return;
	}
	h->lent = l;
	h->k = k;
	h->seq = seq;
	bin = class_below(len);
	h->next = holes[bin];
	if (h->next)
		h->next->pprev = &h->next;
	holes[bin] = h;
	h->pprev = &holes[bin];
	h->older = o;
	h->younger = o ? o->younger : oldest;
	if (h->older)
		h->older->younger = h;
	else
		oldest = h;
	if (h->younger)
		h->younger->older = h;
	else
		youngest = h;
	bits_set(l->held, lent_index(l, lobj), k);
	l->refs++;
	held_objs[l->lc] += k;
	atomic_fetch_add_explicit(&borrow_held, k, memory_order_relaxed);
}

/* Take hole @h out of the pool: its objects are the caller's, and its
 * lent stays (its refs are the caller's to drop). */
static void hole_del(struct hole *h)
{
	struct lent *l = h->lent;

	*h->pprev = h->next;
	if (h->next)
		h->next->pprev = h->pprev;
	if (h->younger)
		h->younger->older = h->older;
	else
		youngest = h->older;
	if (h->older)
		h->older->younger = h->younger;
	else
		oldest = h->younger;
	bits_clear(l->held, lent_index(l, hole_lobj(h)), h->k);
	held_objs[l->lc] -= h->k;
	atomic_fetch_sub_explicit(&borrow_held, h->k, memory_order_relaxed);
}

/* Give hole @h back to its lender. */
static void hole_release(struct hole *h)
{
	struct lent *l = h->lent;
	unsigned int lc = l->lc, k = h->k,
		     hdr = (unsigned int)((sizeof(*h) + class_size[lc] - 1) /
					  class_size[lc]);

	hole_del(h);
	l->refs--;
	lent_put_if_idle(l);
	/* Those the header spans tagged again (it wrote over their tags:
	 * the first four of the 16-byte class); the others were never
	 * written, and stay untouched. */
	lender_put(lc, hole_lobj(h), k, hdr < k ? hdr : k);
}

/* Runs of class @c from hole @h into @out (up to @want); what is left of
 * the hole goes back to the pool or the lender. */
static unsigned int hole_carve(struct hole *h, unsigned int c, void **out,
			       unsigned int want)
{
	struct lent *l = h->lent;
	unsigned int lsz = class_size[l->lc], k = run_objects(c, l->lc);
	unsigned int i = 0, n = h->k, got = 0;
	uintptr_t lobj = hole_lobj(h);
	unsigned long seq = h->seq;
	struct hole *o = h->older; /* leftovers keep the hole's place */

	hole_del(h); /* its ref keeps l while we carve */
	for (; got < want && i + k <= n; i += k) {
		uintptr_t p = lobj + (uintptr_t)i * lsz;

		if (!region_add(l, p, k, c, NULL))
			break;
		out[got++] = (void *)p;
		atomic_fetch_add_explicit(&borrow_live[c], 1,
					  memory_order_relaxed);
	}
	hole_add(l, lobj + (uintptr_t)i * lsz, n - i, seq, o);
	l->refs--;
	lent_put_if_idle(l);
	return got;
}

/* Runs of class @c from the holes, the best fitting bins first. */
static unsigned int holes_take(unsigned int c, void **out, unsigned int want)
{
	unsigned int b, got = 0, scan;

	for (b = c; b < NR_CLASSES && got < want; b++) {
		struct hole *h = holes[b];

		/* A hole of this bin holds an object of its class. */
		for (scan = 0; h && got < want && scan < HOLE_SCAN; scan++) {
			got += hole_carve(h, c, out + got, want - got);
			/* The carve may have put leftovers anywhere: start
			 * over at this bin. */
			h = holes[b];
		}
	}
	return got;
}

/* Give back the holes of lender class @lc (every class if @lc < 0), or,
 * with @lc == -2, those older than HOLE_AGE refills. */
static void holes_release(int lc)
{
	struct hole *h, *next;

	for (h = oldest; h; h = next) {
		next = h->younger;
		if (lc == -2 && h->seq + HOLE_AGE > refill_seq)
			break;
		if (lc >= 0 && h->lent->lc != (unsigned int)lc)
			continue;
		hole_release(h);
	}
}

/* ---- refills ---- */

/* The lender for class @c: a class whose slabs have LEND_MIN_FREE bytes
 * and a quarter of their objects free, the most free bytes among those of
 * a suitable size (at most half @c's, for a run class: runs; at least
 * four times @c's: sub-slabs); -1 if none. */
static int lender_for(unsigned int c)
{
	unsigned int sz = class_size[c], l;
	unsigned long best = 0;
	int lc = -1;

	for (l = 0; l < NR_CLASSES; l++) {
		struct kmem_cache *s = heap.cache[l];
		unsigned int lsz = class_size[l];
		unsigned long free;

		/* Frees find borrowed objects by the slab map's mark. */
		if (!s || !s->map_id || l == c || s->objects > SUB_MAX ||
		    ((sz < RUN_MIN || lsz * 2 > sz) && lsz < sz * 4))
			continue;
		free = s->node[0]->free_objects;
		if (free * lsz < LEND_MIN_FREE ||
		    free * 4 < s->node[0]->total_objects)
			continue;
		if (free * lsz > best) {
			best = free * lsz;
			lc = (int)l;
		}
	}
	return lc;
}

/* Claimed objects @objs (@n of lender class @lc, in address order, of
 * one slab): its runs become holes (all of them: other classes' refills
 * take what this one does not), the rest goes back. */
static void claim_to_holes(unsigned int lc, void **objs, unsigned int n)
{
	unsigned int lsz = class_size[lc], i, j;
	struct lent *l = NULL;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && (uintptr_t)objs[j] ==
						 (uintptr_t)objs[j - 1] + lsz;
		     j++)
			;
		if ((j - i) * lsz >= RUN_MIN && !l)
			l = lent_get(lc, obj_slab(heap.m, objs[0]));
		if (l && (j - i) * lsz >= RUN_MIN)
			hole_add(l, (uintptr_t)objs[i], j - i, refill_seq,
				 youngest);
		else
			lender_put(lc, (uintptr_t)objs[i], j - i, 0);
	}
}

/* Claimed objects @objs (@n of lender class @lc, of one slab) cut into
 * sub-slabs of class @c until @want objects are in @out; the others go
 * back. */
static unsigned int claim_to_subs(unsigned int c, unsigned int lc, void **objs,
				  unsigned int n, void **out, unsigned int want)
{
	unsigned int lsz = class_size[lc], sz = class_size[c], got = 0, i;
	struct lent *l = lent_get(lc, obj_slab(heap.m, objs[0]));

	for (i = 0; l && i < n && got < want; i++) {
		uintptr_t p = (uintptr_t)objs[i];
		unsigned int m = lsz / sz;
		struct sub *r = kmem_cache_zalloc(bcache, MALLOC_GFP);

		if (!r || !region_add(l, p, 1, c, r)) {
			if (r)
				kmem_cache_free(bcache, r);
			break;
		}
		r->base = p;
		r->m = (unsigned short)(m > SUB_MAX ? SUB_MAX : m);
		r->bc = (unsigned char)c;
		got += sub_take(r, out + got, want - got);
		if (r->live < r->m)
			partial_add(r);
	}
	if (l)
		lent_put_if_idle(l);
	for (; i < n; i++)
		lender_put(lc, (uintptr_t)objs[i], 1, 0);
	return got;
}

unsigned int borrow_refill(unsigned int c, void **out, unsigned int want)
{
	unsigned int got = 0, n, tries, i;
	void *objs[SUB_MAX];
	struct kmem_cache *ls;
	int lc;

	/* One thread (the caller's): plain reads of what the lock keeps. */
	if (quiet && !oldest && !partial[c]) {
		quiet--;
		return 0;
	}
	borrow_lock();
	refill_seq++;
	/* Holes nobody took go back: a phase that ends leaves its lenders'
	 * slabs free to go. And a class about to grow takes its own lent
	 * objects first: back in its slabs, they are this refill's. */
	holes_release(-2);
	if (held_objs[c]) {
		holes_release((int)c);
		borrow_unlock();
		return 0;
	}
	while (partial[c] && got < want)
		got += sub_take(partial[c], out + got, want - got);
	for (tries = 0, lc = -1; got < want; tries++) {
		if (class_size[c] >= RUN_MIN)
			got += holes_take(c, out + got, want - got);
		if (got == want || tries == BORROW_TRIES)
			break;
		if (lc < 0)
			lc = lender_for(c);
		if (lc < 0) {
			quiet = BORROW_QUIET;
			break;
		}
		if (!bcache) {
			for (i = 0; i < NR_CLASSES; i++)
				class_recip[i] =
					((1ULL << 40) + class_size[i] - 1) /
					class_size[i];
			/* Published for borrow_shrink(), which takes no
			 * lock. */
			__atomic_store_n(
				&bcache,
				kmem_cache_create(
					"mmkit-borrow",
					(unsigned int)max(sizeof(struct sub),
							  sizeof(struct lent)),
					0, SLAB_NO_MERGE, NULL),
				__ATOMIC_RELEASE);
			if (!bcache)
				break;
		}
		ls = heap.cache[lc];
		n = kmem_cache_claim_slab(heap.m, ls, 0,
					  CLAIM_INUSE(ls->objects), objs);
		if (!n)
			continue;
		if (class_size[(unsigned int)lc] < class_size[c])
			claim_to_holes((unsigned int)lc, objs, n);
		else
			got += claim_to_subs(c, (unsigned int)lc, objs, n,
					     out + got, want - got);
	}
	borrow_unlock();
	/* In the bin, free as the bin's other objects are: tagged, so that a
	 * free of one (the program's double free of what was a lender
	 * object, or of a sub-slab object it had before) is seen as one. */
	for (i = 0; i < got; i++)
		*(uintptr_t *)out[i] = free_tag(out[i]);
	return got;
}

void borrow_shrink(void)
{
	struct kmem_cache *s = __atomic_load_n(&bcache, __ATOMIC_ACQUIRE);

	if (s)
		kmem_cache_shrink(s);
}

void borrow_release(void)
{
	borrow_lock();
	holes_release(-1);
	borrow_unlock();
}

/* ---- frees ---- */

/* A borrowed object, as region_of() finds it. */
struct borrowed {
	struct lent *lent;
	uintptr_t lobj; /* the region's first lender object */
	struct sub *sub; /* its sub-slab, or NULL for a run */
	unsigned int bc; /* its class */
	unsigned int idx; /* its index in the sub-slab */
};

/* Whether @p (a pointer into a marked slab) is a borrowed object, found
 * in *@b; false for a lender's own object. Dies on a pointer inside a
 * region that starts none of its objects, or into a hole. Under
 * borrow_lock, which it drops to die. */
static bool region_of(void *p, struct borrowed *b, const char *call)
{
	struct slab *slab = virt_to_slab(heap.m, p);
	struct lent *l = slab ? (struct lent *)bfind((uintptr_t)slab + 1) :
				NULL;
	uintptr_t val, base;
	unsigned int i, size, m;
	const char *what = "invalid pointer";

	if (!l || (uintptr_t)p < l->first)
		return false;
	i = lent_index(l, (uintptr_t)p);
	if (i >= slab->objects)
		return false;
	if (bit_test(l->held, i)) {
		what = "double free or invalid pointer";
		goto bad;
	}
	if (!bit_test(l->borrowed, i))
		return false;
	b->lent = l;
	b->lobj = l->first + (uintptr_t)i * class_size[l->lc];
	val = bfind(b->lobj);
	if (!val) /* inside a run, past its first lender object */
		goto bad;
	if (val & 1) {
		b->sub = NULL;
		b->bc = (unsigned int)(val >> 1);
		b->idx = 0;
		if ((uintptr_t)p != b->lobj)
			goto bad;
		return true;
	}
	b->sub = (struct sub *)val;
	b->bc = b->sub->bc;
	base = b->sub->base;
	size = class_size[b->bc];
	m = b->sub->m;
	if ((uintptr_t)p < base)
		goto bad;
	b->idx = (unsigned int)class_div((uintptr_t)p - base, b->bc);
	if (b->idx >= m || (uintptr_t)p - base != (uintptr_t)b->idx * size)
		goto bad;
	return true;
bad:
	borrow_unlock_only();
	malloc_die(call, what, p);
}

/* Whether borrowed object @b is out (a run is, while it exists). */
static bool borrowed_live(const struct borrowed *b)
{
	return !b->sub || bit_test(b->sub->used, b->idx);
}

/* Return borrowed object @b; under borrow_lock. */
static void borrowed_put(const struct borrowed *b)
{
	struct sub *r = b->sub;

	atomic_fetch_sub_explicit(&borrow_live[b->bc], 1, memory_order_relaxed);
	if (!r) {
		region_del(b->lent, b->lobj, run_objects(b->bc, b->lent->lc));
		return;
	}
	bits_clear(r->used, b->idx, 1);
	if (!--r->live) {
		partial_del(r);
		region_del(b->lent, b->lobj, 1);
		kmem_cache_free(bcache, r);
		return;
	}
	if (r->live == r->m - 1)
		partial_add(r);
}

bool borrow_free(void *p, const char *call)
{
	struct borrowed b;
	bool ours;

	borrow_lock();
	ours = region_of(p, &b, call);
	if (ours) {
		/* Out of its region but in a bin (its tag), or back in it. */
		if (!borrowed_live(&b) || *(uintptr_t *)p == free_tag(p)) {
			borrow_unlock_only();
			malloc_die(call, "double free detected", p);
		}
		borrowed_put(&b);
	}
	borrow_unlock();
	return ours;
}

size_t borrow_usable(void *p, const char *call)
{
	struct borrowed b;
	size_t size = 0;

	borrow_lock();
	if (region_of(p, &b, call)) {
		if (!borrowed_live(&b) || *(uintptr_t *)p == free_tag(p)) {
			borrow_unlock_only();
			malloc_die(call, malloc_freed_what(call), p);
		}
		size = class_size[b.bc];
	}
	borrow_unlock_only();
	return size;
}

unsigned int borrow_take_back(void **objs, unsigned int n)
{
	unsigned int i, k = 0;
	struct borrowed b;

	borrow_lock();
	for (i = 0; i < n; i++) {
		if (borrow_marked(objs[i]) && region_of(objs[i], &b, "free"))
			borrowed_put(&b);
		else
			objs[k++] = objs[i];
	}
	borrow_unlock();
	return k;
}
