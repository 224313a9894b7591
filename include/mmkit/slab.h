/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator and kmalloc (include/linux/slab.h): object caches
 * carved from page-allocator slabs, and the kmalloc size classes on top.
 * All functions act on the calling thread's current machine.
 */
#ifndef MMKIT_SLAB_H
#define MMKIT_SLAB_H

#include <mmkit/types.h>

typedef unsigned int slab_flags_t;

/* Cache flags (Linux's values). */
#define SLAB_CONSISTENCY_CHECKS ((slab_flags_t)0x00000100U)
#define SLAB_RED_ZONE ((slab_flags_t)0x00000400U)
#define SLAB_POISON ((slab_flags_t)0x00000800U)
#define SLAB_KMALLOC ((slab_flags_t)0x00001000U)
#define SLAB_HWCACHE_ALIGN ((slab_flags_t)0x00002000U)
#define SLAB_CACHE_DMA ((slab_flags_t)0x00004000U)
#define SLAB_CACHE_DMA32 ((slab_flags_t)0x00008000U)
#define SLAB_STORE_USER ((slab_flags_t)0x00010000U)
#define SLAB_PANIC ((slab_flags_t)0x00040000U)
#define SLAB_TYPESAFE_BY_RCU ((slab_flags_t)0x00080000U)
#define SLAB_TRACE ((slab_flags_t)0x00200000U)
#define SLAB_NOLEAKTRACE ((slab_flags_t)0x00800000U)
#define SLAB_FAILSLAB ((slab_flags_t)0x02000000U)
#define SLAB_NO_MERGE ((slab_flags_t)0x01000000U)
#define SLAB_ACCOUNT ((slab_flags_t)0x04000000U)
#define SLAB_RECLAIM_ACCOUNT ((slab_flags_t)0x00020000U)

/* kmalloc(0) returns this: not NULL, but faults on access. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* The largest kmalloc served by a cache (two pages); larger requests go
 * to the page allocator. */
#define KMALLOC_MAX_CACHE_SIZE (2 * PAGE_SIZE)
#define KMALLOC_SHIFT_MAX (MAX_PAGE_ORDER + PAGE_SHIFT)
#define KMALLOC_MAX_SIZE (1UL << KMALLOC_SHIFT_MAX)

struct kmem_cache;

/**
 * kmem_cache_create() - create a cache of @size-byte objects.
 * @name: shown in /proc/slabinfo; copied, unless it is one of the
 *	  library's own read-only names (Linux's kstrdup_const).
 * @align: minimum alignment, a power of two up to 4 MiB, the largest
 *	   buddy block (0: the architecture's minimum, 8).
 * @flags: SLAB_* flags; unknown flags are refused.
 * @ctor: run once on each object when its slab is created.
 *
 * A cache compatible with an existing one (same size class and alignment,
 * no ctor, no debug flags) becomes an alias of it, as in Linux.
 * Return: the cache, or NULL with errno EINVAL (bad arguments) or ENOMEM,
 * reported in the kernel log; SLAB_PANIC makes a failure fatal.
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *));
/**
 * kmem_cache_destroy() - free a cache with no live objects. With live
 * objects Linux's "Objects remaining" report is logged and the cache stays.
 * Return: 0, or -EBUSY when objects remain, -EINVAL (and a warning) for
 * a pointer that is not a live cache, destroyed already say (mmkit
 * additions).
 */
int kmem_cache_destroy(struct kmem_cache *s);
/** kmem_cache_alloc() - one object, or NULL. */
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
/** kmem_cache_alloc_node() - one object from node @node's slabs if possible. */
void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int node);
/** kmem_cache_zalloc() - a zeroed object. */
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);
/** kmem_cache_free() - return @obj to @s; NULL is ignored. */
void kmem_cache_free(struct kmem_cache *s, void *obj);
/** kmem_cache_shrink() - release the cache's empty slabs. Return: 1 if
 * slabs remain (objects in use), else 0. */
int kmem_cache_shrink(struct kmem_cache *s);
/**
 * kmem_cache_alloc_bulk() - fill @p with @size objects.
 * Return: @size, or 0 when not all could be allocated (none are then).
 */
int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size,
			  void **p);
/** kmem_cache_free_bulk() - free @size objects of @s. */
void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p);
/** kmem_cache_size() - the object size the cache was created with. */
unsigned int kmem_cache_size(struct kmem_cache *s);
/** kmem_cache_name() - the cache's name. */
const char *kmem_cache_name(struct kmem_cache *s);

/** kmalloc() - @size bytes; ZERO_SIZE_PTR for 0; NULL on failure. */
void *kmalloc(size_t size, gfp_t gfp);
void *kmalloc_node(size_t size, gfp_t gfp, int node);
/** kzalloc() - kmalloc() of zeroed memory. */
void *kzalloc(size_t size, gfp_t gfp);
/** kmalloc_array() - @n * @size bytes; NULL if the product overflows. */
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
/** kcalloc() - zeroed kmalloc_array(). */
void *kcalloc(size_t n, size_t size, gfp_t gfp);
/**
 * krealloc() - resize; in place when @new_size fits the object's size
 * class. krealloc(NULL, n) is kmalloc(n); krealloc(p, 0) frees p and
 * returns ZERO_SIZE_PTR. On failure p is untouched and NULL is returned.
 */
void *krealloc(const void *p, size_t new_size, gfp_t gfp);
/** kfree() - free kmalloc'd memory; NULL and ZERO_SIZE_PTR are ignored. */
void kfree(const void *p);
/** ksize() - the usable size of a kmalloc'd object. */
size_t ksize(const void *p);

#endif /* MMKIT_SLAB_H */
