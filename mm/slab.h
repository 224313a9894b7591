/* SPDX-License-Identifier: MIT */
/*
 * Private to the slab allocator (mm/slub.c, mm/slab_common.c) and its
 * procfs view (proc/slabinfo.c): the cache, node and slab structures.
 *
 *   kmem_cache ─┬─ cpu array caches (one per CPU: a stack of free objects)
 *               └─ node[nid] ─ slabs_partial / slabs_full / slabs_free
 *                                 │
 *                     struct slab (overlays the head struct page)
 *                     ┌──────┬──────────┬──────────┬─────┬──────────┐
 *   page_address ───▶ │colour│ object 0 │ object 1 │ ... │ leftover │
 *                     └──────┴──────────┴──────────┴─────┴──────────┘
 *                     each object: [red left][object_size][red right]
 *                                  [free pointer if outside][track]
 */
#ifndef MMK_MM_SLAB_H
#define MMK_MM_SLAB_H

#include <mmkit/slab.h>
#include "mm/internal.h"

/*
 * The library's read-only names (Linux's .rodata, is_kernel_rodata()):
 * strings placed in this section live as long as the library, so
 * kmem_cache_create() keeps a pointer to them instead of a copy
 * (kstrdup_const): libmmkit-malloc.so's class names, which made every
 * process that mallocs write a kmalloc-16 slab and its per-CPU array.
 * Declared weak: a link with no such string has no section, and then no
 * name is read-only.
 */
#define MMK_RODATA __attribute__((section("mmk_rodata")))
extern const char __start_mmk_rodata[]
	__attribute__((weak, visibility("hidden")));
extern const char __stop_mmk_rodata[]
	__attribute__((weak, visibility("hidden")));

static inline bool is_mmk_rodata(const void *p)
{
	return __start_mmk_rodata && (const char *)p >= __start_mmk_rodata &&
	       (const char *)p < __stop_mmk_rodata;
}

/*
 * struct slab overlays the head struct page of a slab (Linux's struct
 * slab): the same 64 bytes, with page_type PGTY_slab at the same offset.
 */
struct slab {
	unsigned long flags;
	struct kmem_cache *slab_cache; /* overlays lru.next: bit 0 clear */
	struct list_head slab_list; /* overlays lru.prev and mapping */
	void *freelist; /* first free object (the links in objects are encoded) */
	unsigned short inuse; /* objects handed out (incl. per-CPU) */
	/* The last @fresh objects in allocation order have never been
	 * handed out and are on no freelist (their memory is untouched):
	 * they are taken after the freelist is empty. */
	unsigned short fresh;
	unsigned short objects; /* objects in this slab */
	unsigned short colour; /* offset of object 0 */
	unsigned int page_type;
	atomic_int _refcount;
	unsigned long mmk_alloc;
};

_Static_assert(sizeof(struct slab) == sizeof(struct page),
	       "struct slab overlays struct page");
_Static_assert(sizeof(struct page) == 1 << 6, "obj_index() relies on it");
_Static_assert(offsetof(struct slab, page_type) ==
		       offsetof(struct page, page_type),
	       "page_type at the same place");

/* A debug slab given up after a failed consistency check (Linux's
 * slab->frozen there): its free objects were abandoned, and frees into it
 * are refused. */
#define PG_slab_disabled PG_owner_2
/* A debug slab some of whose free objects a repair abandoned (they count
 * as used): the verifier cannot tell them from allocated ones. */
#define PG_slab_lost PG_owner_priv_1

static inline struct slab *page_slab(struct page *page)
{
	return (struct slab *)page;
}

static inline struct page *slab_page(struct slab *slab)
{
	return (struct page *)slab;
}

/*
 * A slab's page_type: PGTY_slab in the top byte, as Linux's, and in the
 * low 24 bits the percpu offset of its cache's array_cache headers
 * (s->cpu_array; the percpu unit is smaller than 16 MiB). kfree() loads
 * it with the cache pointer, from the same cache line, so its CPU's
 * array is one load after the struct page instead of two (the second
 * one, s->cpu_array, would wait for the first).
 */
#define SLAB_TYPE_ARRAY_MASK 0xffffffu
_Static_assert(PCPU_AREA_SIZE <= SLAB_TYPE_ARRAY_MASK + 1UL,
	       "a percpu offset fits below page_type's type byte");

/* A per-CPU magazine of free objects (the SLAB design's array_cache).
 * The headers, a cache line each, are percpu data (__alloc_percpu, as
 * SLUB's kmem_cache_cpu), so an offline CPU's cost nothing; the slots
 * are that CPU's per_cpu_slots() of the header, cache-line aligned,
 * beside the other caches' slots of the CPU and untouched until that CPU
 * uses the cache (libmmkit-malloc.so boots up to 64 CPUs and some 90
 * caches, most of which a process never uses). */
struct array_cache {
	struct cpu_guard guard;
	unsigned int avail;
	unsigned int limit;
	unsigned int batchcount;
	void **entry; /* limit slots */
} __attribute__((aligned(64)));

struct kmem_cache_node {
	pthread_mutex_t list_lock;
	struct list_head slabs_partial;
	struct list_head slabs_full;
	struct list_head slabs_free;
	unsigned long total_slabs;
	unsigned long free_slabs;
	unsigned long total_objects;
	unsigned long free_objects; /* free objects on these lists */
	/* Objects in the node's shared array (node_shared()), under
	 * list_lock. */
	unsigned int shared_avail;
};

struct kmem_cache {
	/* Hot: the allocation and free paths read these. */
	unsigned int size; /* stride between objects */
	unsigned int obj_rot; /* size = odd << obj_rot */
	unsigned long obj_inv; /* odd * obj_inv == 1 (mod 2^64) */
	unsigned int object_size; /* what the user asked for */
	unsigned int offset; /* free pointer inside the object */
	unsigned int inuse; /* end of object + right red zone */
	unsigned int red_left_pad;
	slab_flags_t flags;
	bool debug; /* red zones, poison or tracking */
	/* debug, or more than one node (where a freed object goes back to
	 * its own node): slab_free_fast() gives up. */
	bool free_slow;
	/* debug, or a slab fault-injection plan is active (slab_mutex;
	 * slab_fast_path_update): slab_alloc_fast() gives up. */
	atomic_bool alloc_slow;
	/* The percpu offset of the CPUs' array_cache headers: a thread's is
	 * at mmk_ctx.pcpu_base + cpu_array. */
	size_t cpu_array;
	unsigned long random; /* freelist pointer obfuscation */
	void (*ctor)(void *);

	/* Slab geometry. */
	unsigned int order;
	unsigned int objects; /* per slab */
	unsigned int align;
	unsigned int colour; /* number of colours */
	unsigned int colour_off; /* colour step in bytes */
	atomic_uint colour_next;
	unsigned int min_partial; /* empty slabs kept per node */
	gfp_t allocflags;
	/* SLAB's shared arrays: per node, up to shared_limit free objects
	 * any CPU of the node can take a batch of (objects freed on one CPU
	 * and wanted on another move as pointers, not through the slabs).
	 * shared_limit 0: none. The arrays of all nodes are one block of
	 * 2^shared_order pages, allocated when the first batch is put. */
	unsigned int shared_limit;
	unsigned int shared_order;
	void **_Atomic shared;

	const char *name;
	int refcount; /* aliases (merged caches) */
	/* For the cache's creator: libmmkit-malloc.so keeps its size class
	 * here (caches created with SLAB_NO_MERGE only); -1 otherwise. */
	int user_index;
	struct list_head list; /* m->slab->caches, newest first */
	unsigned int *random_seq; /* freelist randomisation, or NULL */
	bool cpu_array_ok; /* cpu_array is allocated */
	/* Its id in the slab map (m->slab->map; kmem_cache_set_map_id), or
	 * 0: every page of each of its slabs of s->order carries it. */
	unsigned char map_id;
	/* One per node of the machine (nr_node_ids entries, as Linux sizes
	 * its kmem_cache). Descriptors are cache-line aligned objects of the
	 * kmem_cache cache, of kmem_cache_desc_size() bytes. */
	struct kmem_cache_node *node[];
};

/* Bytes of a cache descriptor on a machine of @nr_nodes nodes. */
static inline size_t kmem_cache_desc_size(int nr_nodes)
{
	return offsetof(struct kmem_cache, node) +
	       (size_t)nr_nodes * sizeof(struct kmem_cache_node *);
}

/* Reverse @n object pointers in place: a batch taken from a slab in
 * address order, put on a stack (a CPU array, malloc's tcache bins), is
 * then popped in address order. */
static inline void objs_reverse(void **objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n / 2; i++) {
		void *t = objs[i];

		objs[i] = objs[n - 1 - i];
		objs[n - 1 - i] = t;
	}
}

/* The machine's slab state (m->slab). */
struct slab_state {
	pthread_mutex_t slab_mutex; /* caches list, create, destroy */
	struct list_head caches; /* newest first, as /proc/slabinfo */
	struct list_head leaked; /* destroyed with objects remaining */
	struct kmem_cache *kmem_cache; /* the cache of cache descriptors */
	struct kmem_cache *kmem_cache_node;
	slab_flags_t debug_flags; /* slub_debug: for caches it names not */
	char *debug_string; /* slub_debug, for kmem_cache_flags() */
	bool debug_order_off; /* its O: no debugging that raises the order */
	bool nomerge;
	bool freelist_random;
	void (*freelist_corrupt)(const char *cache, const void *obj);
	bool kmalloc_types_on_demand; /* mmk_config's */
	bool up; /* kmalloc caches exist */
	bool tainted; /* a slab BUG was reported */
	atomic_ulong alloc_seq; /* slab operation counter for tracking */
	/* The slab map (slab_map_enable), or NULL: a byte per pfn below
	 * map_pfns, the map_id of the cache whose slab of its s->order
	 * holds that page, 0 for every other page. Written with release
	 * stores when a slab is made (before its objects are handed out)
	 * and cleared when it is discarded (before its pages are freed);
	 * read without locks. */
	unsigned char *map;
	unsigned long map_pfns;
	struct mmk_host_mem map_mem; /* the map's host mapping */
};

/* ---- inline fast paths (mm/slub.c has the slow ones) ---- */

/* The page_type of a slab of @s (see SLAB_TYPE_ARRAY_MASK). */
static inline unsigned int slab_page_type(const struct kmem_cache *s)
{
	return PGTY_slab << 24 | (unsigned int)s->cpu_array;
}

/* The array_cache header of @s in the percpu unit at @base (a CPU's
 * per_cpu_ptr(m, 0, cpu), or mmk_ctx.pcpu_base for the calling thread's
 * CPU). */
static __always_inline struct array_cache *
slab_array_at(const struct kmem_cache *s, char *base)
{
	struct array_cache *ac = (struct array_cache *)(base + s->cpu_array);

	/* One base register for the guard and the fields (gcc otherwise
	 * addresses them from @s with two different offsets). */
	OPTIMIZER_HIDE_VAR(ac);
	return ac;
}

static inline struct array_cache *
slab_cpu_array(const struct mmk_machine *m, const struct kmem_cache *s, int cpu)
{
	return slab_array_at(s, per_cpu_ptr(m, 0, cpu));
}

static inline void **node_shared(const struct kmem_cache *s, int nid)
{
	return atomic_load_explicit(&((struct kmem_cache *)s)->shared,
				    memory_order_acquire) +
	       (size_t)nid * s->shared_limit;
}

/*
 * The slab whose struct pages include @page (a head or a tail) if it is
 * one, its cache in *@s and, unless @cpu_array is NULL, the cache's
 * array offset in *@cpu_array (SLAB_TYPE_ARRAY_MASK). A slab's slab_cache overlays its head page's
 * lru.next, the word a tail's compound_head is in: for a slab's first
 * page, the compound-head test's load is the cache. The type test and
 * the offset are one subtraction from page_type, a load from the same
 * cache line: the caller's per-CPU array address is one load away from
 * the struct page (kfree).
 */
static __always_inline struct slab *
page_slab_cache(struct page *page, struct kmem_cache **s, size_t *cpu_array)
{
	unsigned long head = page->compound_head;
	unsigned int off;

	if (unlikely(head & 1)) {
		page = (struct page *)(head - 1);
		head = page->compound_head;
	}
	*s = (struct kmem_cache *)head;
	if (!cpu_array) /* a constant: the type byte alone is one compare */
		return page_type_of(page) == PGTY_slab ? page_slab(page) : NULL;
	off = page->page_type - (PGTY_slab << 24);
	*cpu_array = off;
	return off <= SLAB_TYPE_ARRAY_MASK ? page_slab(page) : NULL;
}

/* The slab of @p if @p points into a slab page of the direct map, its
 * cache in *@s and (unless NULL) its array offset in *@cpu_array. */
static __always_inline struct slab *virt_to_slab_cache(struct mmk_machine *m,
						       const void *p,
						       struct kmem_cache **s,
						       size_t *cpu_array)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)m->phys.base;
	unsigned long pfn = (unsigned long)(off >> PAGE_SHIFT);

	/* Direct map only. A hole's struct pages read as zeroes (see
	 * init_sparse), so they are no slab's. */
	if (unlikely(pfn >= m->lowmem_end_pfn))
		return NULL;
	return page_slab_cache(m->mem_map + pfn, s, cpu_array);
}

static inline struct slab *virt_to_slab(struct mmk_machine *m, const void *p)
{
	struct kmem_cache *s;

	return virt_to_slab_cache(m, p, &s, NULL);
}

/* The slab of @p, an object already validated (it comes from a CPU or
 * shared array, or a checked bulk call): no checks. */
static inline struct slab *obj_slab(const struct mmk_machine *m, const void *p)
{
	struct page *page =
		m->mem_map +
		(((uintptr_t)p - (uintptr_t)m->phys.base) >> PAGE_SHIFT);

	if (page->compound_head & 1)
		page = (struct page *)(page->compound_head - 1);
	return page_slab(page);
}

/* @obj's index in @slab, or -1 if @obj is not an object boundary of it;
 * @pad is s->red_left_pad (0 for caches without debug flags), @base and
 * @mem_map the machine's direct map and mem_map (callers may keep their
 * own copies of them). */
static __always_inline long __obj_index_at(uintptr_t base,
					   const struct page *mem_map,
					   const struct kmem_cache *s,
					   struct slab *slab, const void *obj,
					   unsigned int pad)
{
	/* struct page is 64 bytes, so a slab's byte offset in memory is its
	 * head's byte offset in mem_map shifted by PAGE_SHIFT - 6. Below
	 * the first object, off wraps to a huge value and fails below. */
	unsigned long off =
		((uintptr_t)obj - base) -
		(((uintptr_t)slab - (uintptr_t)mem_map) << (PAGE_SHIFT - 6)) -
		slab->colour - pad;
	/* Exact division by multiplication: with size = odd << rot, off *
	 * inverse(odd) rotated right by rot is off / size when size divides
	 * off, and at least 2^(64 - rot) / odd (far above any object count)
	 * when it does not - low bits set end up on top, and a multiple of
	 * 2^rot that odd does not divide lands above (2^(64 - rot) - 1) /
	 * odd. One compare checks the boundary and the range. */
	unsigned long x = off * s->obj_inv;
	unsigned long idx = (x >> s->obj_rot) | (x << (-s->obj_rot & 63));

	return idx < slab->objects ? (long)idx : -1;
}

static __always_inline long __obj_index(struct mmk_machine *m,
					const struct kmem_cache *s,
					struct slab *slab, const void *obj,
					unsigned int pad)
{
	return __obj_index_at((uintptr_t)m->phys.base, m->mem_map, s, slab, obj,
			      pad);
}

static inline long obj_index(struct mmk_machine *m, const struct kmem_cache *s,
			     struct slab *slab, const void *obj)
{
	return __obj_index(m, s, slab, obj, s->red_left_pad);
}

/* Pop an object from this CPU's array into *@obj; false: take
 * slab_alloc(). (A bool, not a NULL object, so that callers return the
 * popped pointer without testing it.) The caller has ruled out
 * __GFP_ZERO. */
static __always_inline bool __slab_alloc_fast_at(struct kmem_cache *s,
						 size_t cpu_array, void **obj)
{
	char *base = mmk_ctx.pcpu_base; /* NULL: no CPU */
	struct array_cache *ac;

	if (unlikely(!base || atomic_load_explicit(&s->alloc_slow,
						   memory_order_relaxed)))
		return false;
	ac = (struct array_cache *)(base + cpu_array);
	OPTIMIZER_HIDE_VAR(ac);
	if (unlikely(!cpu_guard_trylock(&ac->guard)))
		return false;
	if (unlikely(!ac->avail)) {
		cpu_guard_unlock(&ac->guard);
		return false;
	}
	*obj = ac->entry[--ac->avail];
	cpu_guard_unlock(&ac->guard);
	return true;
}

static __always_inline bool __slab_alloc_fast(struct kmem_cache *s, void **obj)
{
	return __slab_alloc_fast_at(s, s->cpu_array, obj);
}

static __always_inline bool slab_alloc_fast(struct kmem_cache *s, gfp_t gfp,
					    void **obj)
{
	return !(gfp & __GFP_ZERO) && __slab_alloc_fast(s, obj);
}

/* Push @obj (of @slab, of @s) on this CPU's array if that needs nothing
 * else; false: take slab_free(). @cpu_array is s->cpu_array, or the same
 * read from the slab (page_slab_cache). */
static __always_inline bool slab_free_fast(struct mmk_machine *m,
					   struct kmem_cache *s,
					   struct slab *slab, void *obj,
					   size_t cpu_array)
{
	char *base = mmk_ctx.pcpu_base; /* NULL: no CPU */
	struct array_cache *ac;

	if (unlikely(!base || s->free_slow ||
		     __obj_index(m, s, slab, obj, 0) < 0))
		return false;
	ac = (struct array_cache *)(base + cpu_array);
	OPTIMIZER_HIDE_VAR(ac);
	if (unlikely(!cpu_guard_trylock(&ac->guard)))
		return false;
	if (unlikely(ac->avail == ac->limit ||
		     (ac->avail && ac->entry[ac->avail - 1] == obj))) {
		cpu_guard_unlock(&ac->guard);
		return false;
	}
	ac->entry[ac->avail++] = obj;
	cpu_guard_unlock(&ac->guard);
	return true;
}

/* mm/slub.c */
/* The slab map (struct slab_state): lets a free find an object's cache,
 * and check its boundary, from a byte per page instead of its struct
 * page (libmmkit-malloc.so's free fast path). Enable it before any cache
 * gets an id; 0 or -ENOMEM. */
int slab_map_enable(struct mmk_machine *m);
/* Give @s map id @id (1..SLAB_MAP_ID_MAX), before it has slabs. @s must have no
 * colours (SLAB_KMALLOC), so that an object's offset in a slab of
 * s->order is its address modulo the slab's size. -ENODEV without a map,
 * -EINVAL for an id out of range or a cache with colours, debugging or
 * red zones, -EBUSY once the cache has slabs. */
int kmem_cache_set_map_id(struct mmk_machine *m, struct kmem_cache *s,
			  unsigned int id);
/* A map entry is the id, or the id with SLAB_MAP_MARK: a slab its
 * cache's user marked (slab_map_mark) for frees to take their slow path. */
#define SLAB_MAP_ID_MAX 0x7fu
#define SLAB_MAP_MARK 0x80u
/* Set (@on) or clear the mark on the map entries of @slab, a live slab
 * of @s at s->order with a map id; the caller keeps the slab alive (it
 * holds objects of it). Without an id or at another order, nothing. */
void slab_map_mark(struct mmk_machine *m, struct kmem_cache *s,
		   struct slab *slab, bool on);
/* Claim every free object of one sparse slab of @s on node @nid: the
 * slab at the tail of the partial list, if no more than @max_inuse of
 * its objects are in use and it has s->order, the only slabs the slab
 * map marks (otherwise it moves to the head, where allocations fill it,
 * and the call claims nothing). Its free objects
 * become in use, as if allocated, and go to @out (room for s->objects)
 * in address order; the slab is full until they are freed (kmem_cache_free
 * and the bulk calls), when it goes back to the head of the partial list.
 * Returns how many; 0 also for caches with debugging. For an allocator
 * built on the slab layer that lends a sparse slab's free space to objects
 * of another size (libmmkit-malloc.so). */
unsigned int kmem_cache_claim_slab(struct mmk_machine *m, struct kmem_cache *s,
				   int nid, unsigned int max_inuse, void **out);
/* The map id of @pfn's page (0: none, or no map), a relaxed read. */
static inline unsigned int slab_map_id(const struct mmk_machine *m,
				       unsigned long pfn)
{
	const struct slab_state *st = m->slab;

	return st && st->map && pfn < st->map_pfns ?
		       __atomic_load_n(&st->map[pfn], __ATOMIC_RELAXED) :
		       0;
}
int kmem_cache_init(struct mmk_machine *m);
void kmem_cache_exit(struct mmk_machine *m);
struct kmem_cache *__kmem_cache_create(struct mmk_machine *m, const char *name,
				       unsigned int size, unsigned int align,
				       slab_flags_t flags,
				       void (*ctor)(void *));
int __kmem_cache_destroy(struct mmk_machine *m, struct kmem_cache *s);
/* GFP bits slab pages must not be asked with (Linux's GFP_SLAB_BUG_MASK):
 * kmalloc_fix_flags() logs "Unexpected gfp" and masks them off. */
#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)
gfp_t kmalloc_fix_flags(struct mmk_machine *m, gfp_t flags);

/* An object of @s; kmalloc passes the size it was asked for, which debug
 * caches with tracking keep (the rest of the object is red zone). */
void *slab_alloc_size(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp,
		      int node, unsigned int orig_size);

static inline void *slab_alloc(struct mmk_machine *m, struct kmem_cache *s,
			       gfp_t gfp, int node)
{
	return slab_alloc_size(m, s, gfp, node, s->object_size);
}

/* The size kmalloc was asked for @obj of @s (the object size unless @s is
 * a kmalloc cache with tracking); and its change, by krealloc in place or
 * by ksize (which gives the caller the whole object). */
unsigned int slab_kmalloc_size(struct kmem_cache *s, void *obj);
void slab_set_kmalloc_size(struct kmem_cache *s, void *obj, unsigned int size);
void slab_free(struct mmk_machine *m, struct kmem_cache *s, struct slab *slab,
	       void *obj);
int __kmem_cache_shrink(struct mmk_machine *m, struct kmem_cache *s);
int slab_alloc_bulk(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp,
		    size_t n, void **p);
void slab_free_bulk(struct mmk_machine *m, struct kmem_cache *s, size_t n,
		    void **p);
/* slab_free_bulk() for objects the caller has validated (each the start
 * of a live object of @s): no checks. */
void __slab_free_bulk(struct mmk_machine *m, struct kmem_cache *s, size_t n,
		      void **p);
/* __slab_free_bulk() past this CPU's array: into the node's shared array,
 * then the slabs, where every CPU's next refill finds them. For objects
 * this CPU will not allocate again soon (libmmkit-malloc.so: those of a
 * thread that frees objects of a class it does not allocate). */
void __slab_free_bulk_remote(struct mmk_machine *m, struct kmem_cache *s,
			     size_t n, void **p);
bool slab_verify(struct mmk_machine *m, char *why, size_t len);
void slab_info(struct mmk_machine *m, struct kmem_cache *s,
	       unsigned long *active_objs, unsigned long *num_objs,
	       unsigned long *num_slabs);
/* Objects of @s in its CPUs' and nodes' arrays: free, counted active by
 * slab_info() (read without locks, for statistics). */
unsigned long slab_cached_objects(struct mmk_machine *m, struct kmem_cache *s);

unsigned int get_order_bytes(size_t size);
/* Linux's calculate_alignment(): SLAB_HWCACHE_ALIGN and the minimum. */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
				 unsigned int size);

/* mm/slab_common.c */
int create_kmalloc_caches(struct mmk_machine *m);
bool should_failslab(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp);

#endif /* MMK_MM_SLAB_H */
