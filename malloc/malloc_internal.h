/* SPDX-License-Identifier: MIT */
/*
 * Private to libmmkit-malloc.so: the heap (one mmkit machine), the
 * per-thread caches and the inline fast paths. See malloc/malloc.c.
 */
#ifndef MMK_MALLOC_INTERNAL_H
#define MMK_MALLOC_INTERNAL_H

#include "mm/slab.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#define NR_CLASSES 39
#define SMALL_MAX 16384 /* largest object-cache size */
#define LARGE_MAX ((size_t)PAGE_SIZE << MAX_PAGE_ORDER) /* page allocator */
/* Medium blocks (medium.c): requests above MEDIUM_MIN up to MEDIUM_MAX
 * bytes in a process with one thread, from arenas of 2^MEDIUM_ORDER
 * pages. */
#define MEDIUM_MIN 2048
#define MEDIUM_MAX ((size_t)256 << 10)
#define MEDIUM_ORDER 8
/* Free blocks of 8 KiB+ go back to the host (order 4, 64 KiB, kept the
 * trimmed tails of page runs and freed slabs resident: git's peak RSS
 * 1.5 MiB higher, with no fewer host faults anywhere). */
#define REPORT_ORDER 1
#define REPORT_LATE_MS 1000 /* see heap_reap() */
#define MALLOC_GFP (GFP_KERNEL | __GFP_NOWARN)

enum tc_state {
	TC_NEW, /* this thread has not called us yet */
	TC_BOOTING, /* this thread is booting the heap: bootstrap memory */
	TC_LIVE, /* default mode, tcache on */
	TC_HARDENED, /* hardened mode: every call takes the checked path */
	/* thread exiting, or taking its CPU (thread_init): no tcache,
	 * straight to the caches */
	TC_DEAD,
};

/* A per-thread stack of free objects of one class: pointers only, so
 * pushing, popping and flushing never touch the objects themselves. It
 * has tc_bin_cap() slots: 63 for objects of up to 256 bytes, 32 up to 1
 * KiB, 16 up to 4 KiB, 8 above. A thread's bins lie back to back, the first of each class at
 * bin_off[c] bytes into its tcache's bins: glibc zeroes a thread's whole
 * static TLS when it starts the thread, so every byte of them costs
 * every thread memory. */
#define TC_CAP 63
#define TC_REMOTE_CAP 16
struct tc_bin {
	unsigned int count;
	/* tc_bin_cap() while the thread's tcache is live, else 0: the free
	 * fast path needs no test of the thread's state. TC_REMOTE_CAP
	 * while the thread frees objects of the class that other threads
	 * allocate (heap_free_slow), until its next refill of the class. */
	unsigned int max;
	void *slot[];
};
/* The bins of all classes: 12 classes of 63 slots, 8 of 32, 10 of 16,
 * 9 of 8 (heap_boot checks it against class_size and tc_bin_cap). */
#define TC_BIN_BYTES(cap) (sizeof(struct tc_bin) + (cap) * sizeof(void *))
#define TC_BYTES                                            \
	(12 * TC_BIN_BYTES(TC_CAP) + 8 * TC_BIN_BYTES(32) + \
	 10 * TC_BIN_BYTES(16) + 9 * TC_BIN_BYTES(8))

struct quarantine;

struct tcache {
	/* Empty unless state is TC_LIVE (heap_alloc() relies on it). */
	_Alignas(64) unsigned char bins[TC_BYTES];
	int state;
	struct quarantine *q; /* hardened mode: quarantine and bins */
	/* By class: whether the bin was refilled since it last overflowed
	 * (heap_free_slow()). */
	bool refilled[NR_CLASSES];
};

/* A host mapping of its own (huge, or hardened-mode large). */
struct huge {
	uintptr_t p; /* what the caller got; 0 = empty slot */
	void *base; /* the mapping */
	size_t len; /* mapping length */
	size_t size; /* bytes asked for */
	size_t align; /* alignment asked for (0: none) */
	/* Address space reserved (PROT_NONE) right after the mapping, for
	 * growth in place (plain mappings only; see huge_resize()). */
	size_t room;
	bool fresh; /* a new mapping (zero), not a reused one */
};

/* What free's fast path needs of a class, found from the slab map's id
 * of an object's page (class + 1): the slab's size - 1 (a slab of
 * s->order is a buddy block, aligned to its size, and our caches have no
 * colour), the class's exact division (see __obj_index_at) and its bin. */
struct heap_class {
	unsigned long slab_mask;
	unsigned long inv;
	unsigned int rot;
	unsigned int objects;
	unsigned int bin_off;
	unsigned int size; /* class_size[] */
};

/* table.c: open-addressing hash tables of records whose first word is
 * a nonzero key (see there). */
struct table {
	void *slot; /* cap records of esize bytes; key 0: empty */
	size_t cap, used;
	size_t esize;
	size_t min; /* the smallest capacity, a power of two */
	unsigned int shift; /* low bits of every key that are zero */
	unsigned int bits; /* log2(cap); 0 while cap is 0 or 1 */
};
#define TABLE_INIT(type, min_cap, zero_bits)                        \
	{                                                           \
		NULL, 0, 0, sizeof(type), (min_cap), (zero_bits), 0 \
	}

/* The slot @key's probe chain starts at. */
static inline size_t table_home(const struct table *t, uintptr_t key)
{
	return t->bits ? (size_t)(((key >> t->shift) * 0x9e3779b97f4a7c15ULL) >>
				  (64 - t->bits)) :
			 0;
}

/* The record with @key, or NULL. Inline: a free into a lent slab looks
 * up two keys (borrow.c). */
static inline void *table_find(const struct table *t, uintptr_t key)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = table_home(t, key);; i = (i + 1) & (t->cap - 1)) {
		uintptr_t *k =
			(uintptr_t *)(void *)((char *)t->slot + i * t->esize);

		if (*k == key)
			return k;
		if (!*k)
			return NULL;
	}
}
/* A new record with @key (the rest of it zero), or NULL without memory;
 * @key must not be in the table. */
void *table_insert(struct table *t, uintptr_t key);
/* Remove record @rec (table_find's or table_insert's); records of the
 * table may move. */
void table_remove(struct table *t, void *rec);

struct heap {
	struct mmk_machine *m;
	uintptr_t base; /* the direct map: every object and page run */
	size_t size;
	struct page *mem_map;
	/* The machine's slab map (slab_map_enable): a byte per page of the
	 * direct map, class + 1 for the pages of our caches' slabs. */
	const unsigned char *slab_map;
	uint64_t secret; /* odd; free tags */
	bool hardened, stats;
	int stats_fd; /* MMKIT_MALLOC_STATS: a duplicate of stderr, or -1 */
	dev_t stats_dev; /* ... and the file it had open at boot */
	ino_t stats_ino;
	/* By class, made by the class's first allocation (class_cache());
	 * NULL until then. Written under class_lock with release stores. */
	struct kmem_cache *cache[NR_CLASSES];
	pthread_mutex_t class_lock;

	pthread_mutex_t huge_lock;
	pthread_mutex_t borrow_lock; /* borrow.c's regions */
	pthread_mutex_t medium_lock; /* medium.c's arenas */
	struct table huge; /* struct huge, by p */
	atomic_size_t huge_bytes, huge_count;
	size_t huge_max_bytes, huge_max_count; /* peaks, under huge_lock */

	/* Hardened mode: malloc(0) points into this inaccessible range, a
	 * bit of zero_live for each 16 bytes of it, set while that pointer
	 * is allocated. */
	uintptr_t zero_base;
	size_t zero_len;
	atomic_size_t zero_next;
	_Atomic unsigned long *zero_live;
};

extern struct heap heap;
/* By slab map id: class + 1; entry 0, the entries of classes without an
 * id and those of marked slabs (SLAB_MAP_MARK: borrow.c) stay zero
 * (objects 0). */
extern struct heap_class heap_cls[SLAB_MAP_MARK + NR_CLASSES + 1];
extern _Thread_local struct tcache tc
	__attribute__((tls_model("initial-exec")));
extern const unsigned int class_size[NR_CLASSES];
extern unsigned char class_small[65];
/* Where each class's bin starts in a thread's bins (bytes), and the same
 * for the classes of sizes up to 1024 in steps of 16 (malloc's fast
 * path). */
extern unsigned short bin_off[NR_CLASSES];
extern unsigned short small_bin_off[65];

/* sections.c: the library's text split into hot, init and other text at
 * the heap's boot, and the init text's pages dropped after it. */
void text_sections_init(void);
void free_initmem(void);

/* malloc.c */
void thread_init(void);
/* Class @c's cache, made now if this is its first use; NULL if it cannot
 * be made. */
struct kmem_cache *class_cache_create(unsigned int c);
static inline struct kmem_cache *class_cache(unsigned int c)
{
	struct kmem_cache *s =
		__atomic_load_n(&heap.cache[c], __ATOMIC_ACQUIRE);

	return likely(s) ? s : class_cache_create(c);
}
/* Register the fork handlers if the process may have a second thread;
 * before any allocator lock is taken (thread_ready() calls it). */
void fork_handlers_check(void);
/* glibc 2.32+: false once the process may have more than one thread. */
extern char __libc_single_threaded __attribute__((weak));
/* Whether the process has only ever had one thread (glibc's
 * __libc_single_threaded; false where the C library does not say).
 * Inline: borrowing's locks ask on every free into a lent slab. */
static inline bool heap_single_threaded(void)
{
	return &__libc_single_threaded && __libc_single_threaded;
}
__attribute__((noreturn, cold)) void
malloc_die(const char *call, const char *what, const void *p);

/* heap.c */
/* Make this thread able to allocate; false: use bootstrap memory. */
bool thread_ready(void);
struct slab *small_lookup(void *p, int *c, const char *call);
void *heap_alloc_slow(size_t size, const char *call);
void heap_free_slow(void *p, const char *call);
void *heap_realloc(void *p, size_t size);
void *heap_memalign(size_t align, size_t size);
size_t heap_usable(void *p, const char *call);
void heap_check_size(void *p, size_t size, size_t align, const char *call);
void heap_zero(void *p, size_t size);
void heap_reap(void);
/* Flush this thread's bins and shrink every class (kmem_cache_shrink:
 * every CPU's and the shared arrays to the slabs, empty slabs to the
 * buddy allocator): heap_reap() and malloc_trim(). */
void heap_shrink_classes(void);
void tcache_flush_all(void);
unsigned int tc_bin_cap(unsigned int c);
void tcache_set_open(bool on);
void tcache_refill(unsigned int c, struct tc_bin *b);
void tcache_flush(unsigned int c, struct tc_bin *b, unsigned int keep);
int huge_insert(const struct huge *h);
bool huge_lookup(uintptr_t p, struct huge *out, bool remove);
/* Whether free_aligned_sized()'s @align is the one mapping @h was made
 * for (0 or at most 16 for any block that was not aligned further). */
static inline bool huge_align_matches(const struct huge *h, size_t align)
{
	return align <= 16 ? h->align <= 16 : h->align == align;
}
void *huge_map(size_t size, size_t align, bool guard);
void huge_unmap(const struct huge *h);
/* Unmap the kept mappings no allocation took since the last drain (at
 * the heap's high-water mark), or with @all every one (malloc_trim); the
 * bytes unmapped. */
size_t huge_cache_drain(bool all);
/* The heap's pages the host backs (managed, not reported). */
unsigned long heap_backed_pages(void);
/* @call's message for @p, which starts no live block: a freed block's
 * (malloc_freed_what) inside a kept mapping, "double free or invalid
 * pointer" for a free in the heap, else "invalid pointer". */
const char *heap_bad_pointer(const void *p, const char *call);

/* borrow.c: objects of one class in another's sparse slabs */
extern atomic_ulong borrow_live[NR_CLASSES];
/* Up to @want objects of class @c into @out from other classes' sparse
 * slabs (or its sub-slabs' free objects); how many. Call only from a
 * refill that would otherwise make a slab, with one thread. */
unsigned int borrow_refill(unsigned int c, void **out, unsigned int want);
extern atomic_ulong borrow_held;
/* Give every hole (free objects claimed from lenders, not yet used) back
 * to its lender (a process that has started a thread, malloc_trim). */
void borrow_release(void);
/* Shrink the cache of borrowing's own records (struct lent, struct sub),
 * as heap_shrink_classes() does the classes. */
void borrow_shrink(void);
/* Free @p if it is a borrowed object (true); false for any other pointer
 * into a marked slab. Dies on an invalid pointer or a double free. */
bool borrow_free(void *p, const char *call);
/* The usable size of borrowed object @p, or 0 if @p is none. */
size_t borrow_usable(void *p, const char *call);
/* Return the borrowed objects among @objs (@n, from a tcache bin) to
 * their regions; the others move to the front. How many are left. */
unsigned int borrow_take_back(void **objs, unsigned int n);
/* Whether @p points into a slab with borrowed objects. */
static inline bool borrow_marked(const void *p)
{
	uintptr_t off = (uintptr_t)p - heap.base;

	return off < heap.size &&
	       (__atomic_load_n(&heap.slab_map[off >> PAGE_SHIFT],
				__ATOMIC_RELAXED) &
		SLAB_MAP_MARK);
}

/* medium.c: blocks cut to size from arenas of pages, free neighbours
 * merged */
/* A block of @size bytes (MEDIUM_MIN < @size <= MEDIUM_MAX), or NULL
 * with errno ENOMEM. Call only with one thread, in the default mode. */
void *medium_alloc(size_t size);
/* Whether @p points into a medium arena (no lock: for a pointer the
 * caller may hold, whose arena cannot go away). */
bool medium_owns(const void *p);
/* Free, or measure, medium block @p; dies on any other pointer into an
 * arena, and on a block already freed. */
void medium_free(void *p, const char *call);
size_t medium_usable(void *p, const char *call);
/* Resize medium block @p to @size bytes (MEDIUM_MIN < @size <=
 * MEDIUM_MAX) where it is: 0 if it could, else its usable size (it must
 * move). */
size_t medium_resize(void *p, size_t size, const char *call);
/* Free the all-free arena kept for the next requests; with @discard
 * (malloc_trim), also give the host the whole pages of every free
 * block. The bytes freed or given. */
size_t medium_trim(bool discard);
/* Arenas, blocks in use and their bytes (headers included). */
void medium_stats(unsigned long *arenas, unsigned long *blocks, size_t *bytes);
/* Free blocks and their bytes (headers included). */
void medium_free_stats(unsigned long *blocks, size_t *bytes);

/* hardened.c */
int hardened_init(void);
void *hardened_alloc(size_t size, size_t align, const char *call);
void hardened_free(void *p, const char *call);
size_t hardened_usable(void *p, const char *call);
void hardened_check_size(void *p, size_t size, size_t align, const char *call);
void hardened_thread_exit(void);
void hardened_mark_fresh(void **objs, unsigned int n, unsigned int c);

/* Prototypes of the exported names malloc.h does not declare. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t align, size_t size);
void *__libc_malloc(size_t size);
void __libc_free(void *p);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);
int __libc_mallopt(int param, int value);
struct mallinfo __libc_mallinfo(void);
int __register_atfork(void (*prepare)(void), void (*parent)(void),
		      void (*child)(void), void *dso_handle);
int __posix_memalign(void **out, size_t align, size_t size);
void cfree(void *p);

static inline unsigned int size_class(size_t size)
{
	unsigned int k;

	if (size <= 1024)
		return class_small[(size + 15) >> 4];
	if (size > SMALL_MAX)
		return NR_CLASSES;
	/* Four classes per power of two: (2^k, 2^(k+1)] in 2^(k-2) steps,
	 * and 1040, 1152 and 4608 just above 1024 and 4096, for a power of
	 * two plus a header (sqlite3 asks for 1032, 4104 and 4368 bytes by
	 * the thousand, which took 1280- and 5120-byte slots; 1040 packs 31
	 * to an 8-page slab where 1152 packs 28). */
	k = 63 - (unsigned int)__builtin_clzll(size - 1);
	return 20 + (k - 10) * 4 +
	       (unsigned int)((size - 1 - (1UL << k)) >> (k - 2)) +
	       (size > 1040) + (size > 1152) + (size > 4608);
}

/* Whether @call frees its pointer (free, cfree, the sized frees,
 * operator delete) rather than uses it (realloc, malloc_usable_size). */
static inline bool malloc_call_frees(const char *call)
{
	return strncmp(call, "free", 4) == 0 || strcmp(call, "cfree") == 0 ||
	       strncmp(call, "operator delete", 15) == 0;
}

/* The error of giving @call a freed block. */
static inline const char *malloc_freed_what(const char *call)
{
	return malloc_call_frees(call) ? "double free detected" :
					 "use after free";
}

/* The tag a freed object carries in its first word. */
static inline uintptr_t free_tag(const void *p)
{
	return (uintptr_t)p ^ heap.secret;
}

/* Our class of a slab cache (create_caches keeps it in user_index), or
 * -1 if it is not one of ours. */
static inline int cache_class(const struct kmem_cache *s)
{
	return s->user_index;
}

/* Bin @c of the bins at @bins (a thread's tc.bins, or hardened mode's). */
static inline struct tc_bin *tc_bin_in(unsigned char *bins, unsigned int c)
{
	return (struct tc_bin *)(void *)(bins + bin_off[c]);
}

/* This thread's bin of class @c. */
static inline struct tc_bin *tc_bin(unsigned int c)
{
	return tc_bin_in(tc.bins, c);
}

/* The fast path pops this thread's bin: the bins hold objects only while
 * its tcache is live (hardened mode keeps its own, in its quarantine
 * state), so the thread's state needs no test. */
static inline void *heap_alloc(size_t size, const char *call)
{
	if (likely(size <= 1024)) {
		struct tc_bin *b =
			(struct tc_bin
				 *)(void *)(tc.bins +
					    small_bin_off[(size + 15) >> 4]);

		if (likely(b->count)) {
			void *p = b->slot[--b->count];

			*(uintptr_t *)p = 0;
			return p;
		}
	}
	return heap_alloc_slow(size, call);
}

/* The class of the object at @off bytes into the heap (below heap.size)
 * if the slab map vouches for it: the page's byte gives the class (no
 * struct page is read: a byte per page keeps the map of a program's heap
 * in a few cache lines, where its struct pages would take one each), and
 * @off must start a slot of its slab. NULL otherwise: another pointer,
 * or an object of a slab made at a lower order (not in the map). Map id 0
 * indexes a zeroed entry, whose object count no index is below. */
static __always_inline const struct heap_class *heap_map_obj(uintptr_t off)
{
	const struct heap_class *hc = &heap_cls[__atomic_load_n(
		&heap.slab_map[off >> PAGE_SHIFT], __ATOMIC_RELAXED)];
	unsigned long x = (off & hc->slab_mask) * hc->inv;

	return ((x >> hc->rot) | (x << (-hc->rot & 63))) < hc->objects ? hc :
									 NULL;
}

/* The fast path: one of our small objects (heap_map_obj), not carrying
 * the free tag, onto this thread's tcache bin if it has room. Everything
 * else - other pointers, invalid and double frees (reported there),
 * objects the map does not cover, a full bin, a thread without a live
 * tcache (its bins' max is 0: new, booting, hardened, exiting) - goes to
 * heap_free_slow(), which decides again from scratch. */
static __always_inline void heap_free(void *p, const char *call)
{
	/* NULL is out of range too: the heap's mapping never starts at 0. */
	uintptr_t off = (uintptr_t)p - heap.base;

#ifdef __clang_analyzer__
	/* ... which the static analyzer cannot know. */
	if (!p)
		off = heap.size;
#endif

	if (likely(off < heap.size)) {
		const struct heap_class *hc = heap_map_obj(off);

		if (likely(hc)) {
			struct tc_bin *b =
				(struct tc_bin *)(void *)(tc.bins +
							  hc->bin_off);

			if (likely(*(uintptr_t *)p != free_tag(p) &&
				   b->count < b->max)) {
				*(uintptr_t *)p = free_tag(p);
				b->slot[b->count++] = p;
				return;
			}
		}
	}
	heap_free_slow(p, call);
}

#endif /* MMK_MALLOC_INTERNAL_H */
