/* SPDX-License-Identifier: MIT */
/*
 * GFP ("get free pages") flags and the page allocator's entry points, as in
 * include/linux/gfp_types.h and include/linux/gfp.h of Linux 6.18. The bit
 * values are Linux's, so a mask printed by mmkit reads the same as the
 * kernel's. All functions act on the calling thread's current machine.
 */
#ifndef MMKIT_GFP_H
#define MMKIT_GFP_H

#include <mmkit/types.h>

enum {
	___GFP_DMA_BIT,
	___GFP_HIGHMEM_BIT,
	___GFP_DMA32_BIT,
	___GFP_MOVABLE_BIT,
	___GFP_RECLAIMABLE_BIT,
	___GFP_HIGH_BIT,
	___GFP_IO_BIT,
	___GFP_FS_BIT,
	___GFP_ZERO_BIT,
	___GFP_UNUSED_BIT,
	___GFP_DIRECT_RECLAIM_BIT,
	___GFP_KSWAPD_RECLAIM_BIT,
	___GFP_WRITE_BIT,
	___GFP_NOWARN_BIT,
	___GFP_RETRY_MAYFAIL_BIT,
	___GFP_NOFAIL_BIT,
	___GFP_NORETRY_BIT,
	___GFP_MEMALLOC_BIT,
	___GFP_COMP_BIT,
	___GFP_NOMEMALLOC_BIT,
	___GFP_HARDWALL_BIT,
	___GFP_THISNODE_BIT,
	___GFP_ACCOUNT_BIT,
	___GFP_ZEROTAGS_BIT,
	___GFP_LAST_BIT
};

#define __GFP_DMA ((gfp_t)(1u << ___GFP_DMA_BIT))
#define __GFP_HIGHMEM ((gfp_t)(1u << ___GFP_HIGHMEM_BIT))
#define __GFP_DMA32 ((gfp_t)(1u << ___GFP_DMA32_BIT))
#define __GFP_MOVABLE ((gfp_t)(1u << ___GFP_MOVABLE_BIT))
#define __GFP_RECLAIMABLE ((gfp_t)(1u << ___GFP_RECLAIMABLE_BIT))
#define __GFP_HIGH ((gfp_t)(1u << ___GFP_HIGH_BIT))
#define __GFP_IO ((gfp_t)(1u << ___GFP_IO_BIT))
#define __GFP_FS ((gfp_t)(1u << ___GFP_FS_BIT))
#define __GFP_ZERO ((gfp_t)(1u << ___GFP_ZERO_BIT))
#define __GFP_DIRECT_RECLAIM ((gfp_t)(1u << ___GFP_DIRECT_RECLAIM_BIT))
#define __GFP_KSWAPD_RECLAIM ((gfp_t)(1u << ___GFP_KSWAPD_RECLAIM_BIT))
#define __GFP_WRITE ((gfp_t)(1u << ___GFP_WRITE_BIT))
#define __GFP_NOWARN ((gfp_t)(1u << ___GFP_NOWARN_BIT))
#define __GFP_RETRY_MAYFAIL ((gfp_t)(1u << ___GFP_RETRY_MAYFAIL_BIT))
#define __GFP_NOFAIL ((gfp_t)(1u << ___GFP_NOFAIL_BIT))
#define __GFP_NORETRY ((gfp_t)(1u << ___GFP_NORETRY_BIT))
#define __GFP_MEMALLOC ((gfp_t)(1u << ___GFP_MEMALLOC_BIT))
#define __GFP_COMP ((gfp_t)(1u << ___GFP_COMP_BIT))
#define __GFP_NOMEMALLOC ((gfp_t)(1u << ___GFP_NOMEMALLOC_BIT))
#define __GFP_HARDWALL ((gfp_t)(1u << ___GFP_HARDWALL_BIT))
#define __GFP_THISNODE ((gfp_t)(1u << ___GFP_THISNODE_BIT))
#define __GFP_ACCOUNT ((gfp_t)(1u << ___GFP_ACCOUNT_BIT))
#define __GFP_ZEROTAGS ((gfp_t)(1u << ___GFP_ZEROTAGS_BIT))

#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ZONEMASK (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)
#define __GFP_BITS_MASK ((gfp_t)((1u << ___GFP_LAST_BIT) - 1))

/* The migrate type bits: none = unmovable, __GFP_MOVABLE = movable,
 * __GFP_RECLAIMABLE = reclaimable; both at once is invalid. */
#define GFP_MOVABLE_MASK (__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT 3
#define gfp_migratetype(gfp) \
	((int)(((gfp)&GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT))

#define GFP_ATOMIC (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO (__GFP_RECLAIM)
#define GFP_NOFS (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA __GFP_DMA
#define GFP_DMA32 __GFP_DMA32
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT                                      \
	((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | \
	  __GFP_NOWARN) &                                        \
	 ~__GFP_RECLAIM)
#define GFP_TRANSHUGE (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

#define NUMA_NO_NODE (-1)

struct page;

/**
 * alloc_pages() - allocate 2^@order physically contiguous pages.
 * @gfp: GFP flags; the zone modifiers choose the highest zone to use.
 * @order: 0..MAX_PAGE_ORDER.
 *
 * Context: any thread whose current machine is set; thread-safe.
 * Return: the first page (refcount 1), or NULL when no zone of the
 * zonelist can satisfy the request above its watermark.
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
/** alloc_page() - alloc_pages(@gfp, 0). */
struct page *alloc_page(gfp_t gfp);
/** alloc_pages_node() - as alloc_pages() but prefer node @nid's zonelist. */
struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
/**
 * __alloc_pages() - the allocator's core: @preferred_nid's zonelist,
 * restricted to @nodemask (a bit per node, 0 = all nodes).
 */
struct page *__alloc_pages(gfp_t gfp, unsigned int order, int preferred_nid,
			   unsigned long nodemask);

/** __free_pages() - drop a reference; the last one frees the 2^@order block. */
void __free_pages(struct page *page, unsigned int order);
/** __free_page() - __free_pages(@page, 0). */
void __free_page(struct page *page);

/**
 * __get_free_pages() - allocate lowmem pages and return their kernel
 * address. __GFP_HIGHMEM is ignored (Linux masks it off).
 * Return: the address as an unsigned long, or 0.
 */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
unsigned long __get_free_page(gfp_t gfp);
/** get_zeroed_page() - one zero-filled lowmem page's address, or 0. */
unsigned long get_zeroed_page(gfp_t gfp);
/** __get_dma_pages() - __get_free_pages() from ZONE_DMA. */
unsigned long __get_dma_pages(gfp_t gfp, unsigned int order);
/** free_pages() - free pages by kernel address; 0 is ignored. */
void free_pages(unsigned long addr, unsigned int order);
void free_page(unsigned long addr);

/**
 * alloc_pages_exact() - lowmem pages for @size bytes: the block of the
 * order that covers them, split into order-0 pages (split_page), the
 * pages past @size freed. __GFP_COMP and __GFP_HIGHMEM are dropped with
 * a warning (the first time), as Linux's WARN_ON_ONCE does.
 * Return: the address of the first page, or NULL (also for @size 0 or
 * above the largest order, which alloc_pages() warns of once).
 */
void *alloc_pages_exact(size_t size, gfp_t gfp);
/**
 * free_pages_exact() - free the pages of [@virt, @virt + @size), as
 * alloc_pages_exact() or split_page() left them: every aligned
 * power-of-two group whose pages each hold just the caller's reference
 * goes back as one block; other pages are put one by one (a page another
 * holder still references stays allocated). @virt must be page-aligned.
 */
void free_pages_exact(void *virt, size_t size);

/**
 * drain_all_pages() - return every CPU's per-CPU pages of @zone (all zones
 * when NULL) to the buddy free lists.
 */
struct zone;
void drain_all_pages(struct zone *zone);

#endif /* MMKIT_GFP_H */
