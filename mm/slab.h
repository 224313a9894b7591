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
 * struct slab overlays the head struct page of a slab (Linux's struct
 * slab): the same 64 bytes, with page_type PGTY_slab at the same offset.
 */
struct slab {
	unsigned long flags;
	struct kmem_cache *slab_cache; /* overlays lru.next: bit 0 clear */
	struct list_head slab_list; /* overlays lru.prev and mapping */
	void *freelist; /* encoded first free object */
	unsigned int inuse; /* objects handed out (incl. per-CPU) */
	unsigned short objects; /* objects in this slab */
	unsigned short colour; /* offset of object 0 */
	unsigned int page_type;
	atomic_int _refcount;
	unsigned long mmk_alloc;
};

_Static_assert(sizeof(struct slab) == sizeof(struct page),
	       "struct slab overlays struct page");
_Static_assert(offsetof(struct slab, page_type) ==
		       offsetof(struct page, page_type),
	       "page_type at the same place");

static inline struct slab *page_slab(struct page *page)
{
	return (struct slab *)page;
}

static inline struct page *slab_page(struct slab *slab)
{
	return (struct page *)slab;
}

/* A per-CPU magazine of free objects (the SLAB design's array_cache). */
struct array_cache {
	struct cpu_guard guard;
	unsigned int avail;
	unsigned int limit;
	unsigned int batchcount;
	unsigned int pad;
	void *entry[];
};

struct kmem_cache_node {
	pthread_mutex_t list_lock;
	struct list_head slabs_partial;
	struct list_head slabs_full;
	struct list_head slabs_free;
	unsigned long total_slabs;
	unsigned long free_slabs;
	unsigned long total_objects;
	unsigned long free_objects; /* free objects on these lists */
};

struct kmem_cache {
	/* Hot: the allocation and free paths read these. */
	char *cpu_arrays; /* nr_cpus array caches, cpu_stride apart */
	unsigned int cpu_stride;
	unsigned int size; /* stride between objects */
	unsigned int reciprocal_size; /* 2^32 / size + 1 */
	unsigned int object_size; /* what the user asked for */
	unsigned int offset; /* free pointer inside the object */
	unsigned int inuse; /* end of object + right red zone */
	unsigned int red_left_pad;
	slab_flags_t flags;
	bool debug; /* red zones, poison or tracking */
	void (*ctor)(void *);
	unsigned long random; /* freelist pointer obfuscation */

	/* Slab geometry. */
	unsigned int order;
	unsigned int objects; /* per slab */
	unsigned int align;
	unsigned int colour; /* number of colours */
	unsigned int colour_off; /* colour step in bytes */
	atomic_uint colour_next;
	unsigned int min_partial; /* empty slabs kept per node */
	gfp_t allocflags;
	unsigned int cpu_array_order; /* pages of cpu_arrays, as an order */

	const char *name;
	int refcount; /* aliases (merged caches) */
	struct list_head list; /* m->slab->caches, newest first */
	struct kmem_cache_node *node[MAX_NUMNODES];
	unsigned int *random_seq; /* freelist randomisation, or NULL */
};

enum kmalloc_cache_type {
	KMALLOC_NORMAL,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	NR_KMALLOC_TYPES
};

#define KMALLOC_SHIFT_LOW 3
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)

/* The machine's slab state (m->slab). */
struct slab_state {
	pthread_mutex_t slab_mutex; /* caches list, create, destroy */
	struct list_head caches; /* newest first, as /proc/slabinfo */
	struct list_head leaked; /* destroyed with objects remaining */
	struct kmem_cache *kmem_cache; /* the cache of cache descriptors */
	struct kmem_cache *kmem_cache_node;
	struct kmem_cache
		*kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	slab_flags_t debug_flags; /* slub_debug: for every cache */
	bool nomerge;
	bool freelist_random;
	bool up; /* kmalloc caches exist */
	bool tainted; /* a slab BUG was reported */
	atomic_ulong alloc_seq; /* slab operation counter for tracking */
};

/* mm/slub.c */
int kmem_cache_init(struct mmk_machine *m);
void kmem_cache_exit(struct mmk_machine *m);
struct kmem_cache *__kmem_cache_create(struct mmk_machine *m, const char *name,
				       unsigned int size, unsigned int align,
				       slab_flags_t flags,
				       void (*ctor)(void *));
int __kmem_cache_destroy(struct mmk_machine *m, struct kmem_cache *s);
void *slab_alloc(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp,
		 int node);
void slab_free(struct mmk_machine *m, struct kmem_cache *s, struct slab *slab,
	       void *obj);
int __kmem_cache_shrink(struct mmk_machine *m, struct kmem_cache *s);
bool slab_verify(struct mmk_machine *m, char *why, size_t len);
/* The slab of @p if @p points into a slab page, else NULL. */
struct slab *virt_to_slab(struct mmk_machine *m, const void *p);
void slab_info(struct mmk_machine *m, struct kmem_cache *s,
	       unsigned long *active_objs, unsigned long *num_objs,
	       unsigned long *num_slabs);

unsigned int get_order_bytes(size_t size);
/* Linux's calculate_alignment(): SLAB_HWCACHE_ALIGN and the minimum. */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
				 unsigned int size);

/* mm/slab_common.c */
int create_kmalloc_caches(struct mmk_machine *m);
bool should_failslab(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp);

#endif /* MMK_MM_SLAB_H */
