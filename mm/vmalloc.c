/* SPDX-License-Identifier: MIT */
/*
 * Non-contiguous kernel memory (Linux's mm/vmalloc.c).
 *
 * 1. What it models. The vmalloc range VMALLOC_START..VMALLOC_END of the
 *    machine (x86_64's fixed range; on i386 high_memory + 8 MiB up to
 *    PKMAP_BASE - 2 pages, set at boot), carved into vmap areas: vmalloc (pages from the
 *    page allocator, mapped at consecutive addresses), vmap of a caller's
 *    pages, ioremap of a physical range, get_vm_area reservations. Every
 *    area is followed by one unmapped guard page. vfree frees lazily as
 *    Linux does: the pages go back at once, the address range only when the
 *    lazily freed areas exceed lazy_max_pages (fls(cpus) * 32 MiB) and are
 *    purged together.
 *
 * 2. Objects.
 *
 *      busy tree (by address): vmap_area ─ vm_struct ─ pages[]
 *      free tree (by address, each node knows the largest free range in
 *                 its subtree: Linux's augmented free tree)
 *      purge list: busy areas already vfree'd ("unpurged vm_area")
 *
 *    Simulated kernel addresses map one to one onto a reserved host range
 *    (host = window + (kaddr - VMALLOC_START)); each area's pages are
 *    aliased there with real host mappings of the machine's memfd, so a
 *    vmalloc'd buffer is virtually contiguous, physically scattered and
 *    directly usable, and writes show through page_address()/kmap() of the
 *    same pages. Physically contiguous runs (vmalloc uses high-order blocks
 *    where the preferred zone of the preferred node has them, then splits
 *    them; the rest are order-0 pages through the full zonelist) take one
 *    host mapping each. The host range is congruent to VMALLOC_START modulo
 *    the largest alignment an area of the window can have, so the
 *    alignment __vmalloc_node() is asked for holds for both addresses.
 *
 * 3. Invariants (vmalloc_verify).
 *    V1 busy and free ranges are sorted, do not overlap, lie inside the
 *       window, and together with the purge list cover it exactly.
 *    V2 free ranges are maximal (never adjacent) and every free-tree
 *       node's subtree_max_size is the largest range below it.
 *    V3 a VM_ALLOC area holds nr_pages pages plus its guard page, and
 *       nr_vmalloc_pages is the sum over VM_ALLOC areas.
 *
 * 4. Departures.
 *    - Only the start of x86_64's 32 TiB range is backed by host address
 *      space: as much as the machine has memory, at least 1 GiB (the whole
 *      range is reported in /proc/meminfo); requests beyond it fail as
 *      exhaustion does.
 *    - ioremap may map only the machine's physical address space (holes,
 *      firmware and reserved memory); RAM the page allocator owns is
 *      refused as in Linux.
 *    - No vmap nodes (one busy tree; /proc/vmallocinfo is sorted), no
 *      huge vmap mappings, callers shown only when the caller passes a
 *      name.
 *
 * 5. Ordering. vmap_lock protects both trees, the purge list and the
 *    counters; page allocation and host mapping happen outside it.
 *
 * 6. Observability. /proc/vmallocinfo, /proc/meminfo VmallocUsed; `check`.
 */
#include "mm/slab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mmkit/vmalloc.h>
#include "lib/avltree.h"
#include "proc/internal.h"

#define VMALLOC_HOST_MIN (1ULL << 30)

struct vmap_area {
	unsigned long va_start, va_end;
	struct avl_node node;
	unsigned long subtree_max_size; /* free tree only */
	struct vm_struct *vm; /* busy; NULL once lazily freed */
	struct list_head purge;
};

struct vmalloc_state {
	pthread_mutex_t lock;
	unsigned long start, end; /* the backed window */
	char *host; /* its host address: congruent to start mod host_align */
	char *host_res; /* the host reservation holding it */
	size_t host_res_len;
	struct avl_root busy, free;
	struct list_head purge_list;
	unsigned long lazy_pages, lazy_max;
	struct kmem_cache *va_cache;
	unsigned long nr_vmalloc_pages;
	unsigned long nr_busy;
	struct ratelimit_state printk_rs; /* printk_ratelimit(): 5 s, 10 */
};

#define va_of(n) container_of(n, struct vmap_area, node)

static inline unsigned long va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

static void free_propagate(struct avl_node *n)
{
	struct vmap_area *va = va_of(n);
	unsigned long best = va_size(va);

	if (n->left && va_of(n->left)->subtree_max_size > best)
		best = va_of(n->left)->subtree_max_size;
	if (n->right && va_of(n->right)->subtree_max_size > best)
		best = va_of(n->right)->subtree_max_size;
	va->subtree_max_size = best;
}

static void *to_host(struct vmalloc_state *vs, unsigned long kaddr)
{
	return vs->host + (kaddr - vs->start);
}

static unsigned long to_kaddr(struct vmalloc_state *vs, const void *p)
{
	return vs->start + (unsigned long)((const char *)p - vs->host);
}

/* ---- the trees ---- */

static void tree_insert(struct avl_root *root, struct vmap_area *va)
{
	struct avl_node *n = root->node, *parent = NULL;
	bool left = false;

	while (n) {
		parent = n;
		left = va->va_start < va_of(n)->va_start;
		n = left ? n->left : n->right;
	}
	va->subtree_max_size = va_size(va);
	avl_insert(root, &va->node, parent, left);
}

/* The busy area containing @addr, or NULL. */
static struct vmap_area *find_vmap_area(struct vmalloc_state *vs,
					unsigned long addr)
{
	struct avl_node *n = vs->busy.node;

	while (n) {
		struct vmap_area *va = va_of(n);

		if (addr < va->va_start)
			n = n->left;
		else if (addr >= va->va_end)
			n = n->right;
		else
			return va;
	}
	return NULL;
}

/* Linux's find_vmap_lowest_match(): the lowest free range that holds
 * @length bytes, using the subtree maxima to skip whole subtrees. */
static struct vmap_area *find_lowest_match(struct vmalloc_state *vs,
					   unsigned long length)
{
	struct avl_node *n = vs->free.node;

	while (n) {
		struct avl_node *l = n->left;

		if (l && va_of(l)->subtree_max_size >= length) {
			n = l;
		} else if (va_size(va_of(n)) >= length) {
			return va_of(n);
		} else if (n->right &&
			   va_of(n->right)->subtree_max_size >= length) {
			n = n->right;
		} else {
			return NULL;
		}
	}
	return NULL;
}

/* Return [start, end) to the free tree, merging with its neighbours. */
static void free_range(struct vmalloc_state *vs, struct vmap_area *va)
{
	struct avl_node *n = vs->free.node, *prev = NULL, *next = NULL;

	while (n) {
		if (va->va_start < va_of(n)->va_start) {
			next = n;
			n = n->left;
		} else {
			prev = n;
			n = n->right;
		}
	}
	if (next && va_of(next)->va_start == va->va_end) {
		struct vmap_area *nv = va_of(next);

		avl_erase(&vs->free, next);
		va->va_end = nv->va_end;
		kmem_cache_free(vs->va_cache, nv);
	}
	if (prev && va_of(prev)->va_end == va->va_start) {
		struct vmap_area *pv = va_of(prev);

		pv->va_end = va->va_end;
		avl_update(&vs->free, prev);
		kmem_cache_free(vs->va_cache, va);
		return;
	}
	tree_insert(&vs->free, va);
}

/* Purge every lazily freed area: back to the free tree. Locked. */
static void purge_vmap_areas(struct vmalloc_state *vs)
{
	struct vmap_area *va, *tmp;

	list_for_each_entry_safe(va, tmp, &vs->purge_list, purge) {
		list_del(&va->purge);
		avl_erase(&vs->busy, &va->node);
		vs->nr_busy--;
		free_range(vs, va);
	}
	vs->lazy_pages = 0;
}

/* Take @size bytes at @align from the lowest fitting free range. */
static struct vmap_area *alloc_vmap_area(struct vmalloc_state *vs,
					 unsigned long size,
					 unsigned long align)
{
	struct vmap_area *va = kmem_cache_alloc(vs->va_cache, GFP_KERNEL);
	struct vmap_area *lo = NULL, *fr;
	unsigned long start;

	if (!va)
		return NULL;
	if (align > PAGE_SIZE)
		lo = kmem_cache_alloc(vs->va_cache, GFP_KERNEL);
	pthread_mutex_lock(&vs->lock);
	/* Areas are page aligned already; only larger alignments widen the
	 * search (Linux's adjust_search_size). */
	fr = find_lowest_match(vs, align > PAGE_SIZE ? size + align - 1 : size);
	if (!fr && !list_empty(&vs->purge_list)) {
		/* Out of space: purge the lazily freed areas and retry, as
		 * alloc_vmap_area() does. */
		purge_vmap_areas(vs);
		fr = find_lowest_match(
			vs, align > PAGE_SIZE ? size + align - 1 : size);
	}
	if (!fr || (align > PAGE_SIZE && !lo)) {
		pthread_mutex_unlock(&vs->lock);
		kmem_cache_free(vs->va_cache, va);
		if (lo)
			kmem_cache_free(vs->va_cache, lo);
		return NULL;
	}
	start = align > PAGE_SIZE ? ALIGN(fr->va_start, align) : fr->va_start;
	/* Split the free range: [fr->va_start, start) stays free (as @lo),
	 * [start + size, fr->va_end) stays free (as @fr). An aligned range
	 * that starts the free one leaves @lo unused. */
	if (lo) {
		lo->va_start = fr->va_start;
		lo->va_end = start;
	}
	avl_erase(&vs->free, &fr->node);
	fr->va_start = start + size;
	if (fr->va_start < fr->va_end)
		tree_insert(&vs->free, fr);
	else
		kmem_cache_free(vs->va_cache, fr);
	if (lo && lo->va_start < lo->va_end)
		tree_insert(&vs->free, lo);
	else if (lo)
		kmem_cache_free(vs->va_cache, lo);
	va->va_start = start;
	va->va_end = start + size;
	va->vm = NULL;
	INIT_LIST_HEAD(&va->purge);
	tree_insert(&vs->busy, va);
	vs->nr_busy++;
	pthread_mutex_unlock(&vs->lock);
	return va;
}

/* The range stays busy until the next purge (Linux's lazy TLB flush). */
static void free_vmap_area_lazy(struct vmalloc_state *vs, struct vmap_area *va)
{
	pthread_mutex_lock(&vs->lock);
	va->vm = NULL;
	list_add_tail(&va->purge, &vs->purge_list);
	vs->lazy_pages += va_size(va) >> PAGE_SHIFT;
	if (vs->lazy_pages > vs->lazy_max)
		purge_vmap_areas(vs);
	pthread_mutex_unlock(&vs->lock);
}

/* ---- host mappings ---- */

/* Alias @nr pages at @host, one host mapping per physically contiguous
 * run. */
static int map_pages(struct mmk_machine *m, char *host, struct page **pages,
		     unsigned int nr)
{
	unsigned int i = 0;

	while (i < nr) {
		unsigned long pfn = page_to_pfn(pages[i]);
		unsigned int run = 1;

		while (i + run < nr && page_to_pfn(pages[i + run]) == pfn + run)
			run++;
		if (mmk_host_mem_alias(&m->phys,
				       host + ((size_t)i << PAGE_SHIFT),
				       (size_t)pfn << PAGE_SHIFT,
				       (size_t)run << PAGE_SHIFT, true))
			return -ENOMEM;
		i += run;
	}
	return 0;
}

/* ---- vm_struct and the public calls ---- */

static struct vmalloc_state *vstate(struct mmk_machine *m)
{
	return m ? m->vmalloc : NULL;
}

/* Linux's __get_vm_area_node(): @gfp is what alloc_vmap_area() is given,
 * so __GFP_NOWARN silences its message (also rate limited there, by
 * printk_ratelimit()). */
static struct vm_struct *__get_vm_area(struct mmk_machine *m,
				       unsigned long size, unsigned long align,
				       unsigned long flags, gfp_t gfp,
				       const void *caller)
{
	struct vmalloc_state *vs = vstate(m);
	struct vm_struct *vm;
	struct vmap_area *va;

	if (!vs || !size || size > vs->end - vs->start)
		return NULL;
	size = PAGE_ALIGN(size);
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return NULL;
	va = alloc_vmap_area(vs, size, max(align, PAGE_SIZE));
	if (!va) {
		kfree(vm);
		if (!(flags & VM_NO_GUARD) && !(gfp & __GFP_NOWARN) &&
		    __ratelimit(m, &vs->printk_rs, "alloc_vmap_area"))
			printk(m,
			       "vmalloc_node_range for size %lu failed: Address range restricted to %#lx - %#lx",
			       size, vs->start, vs->end);
		return NULL;
	}
	vm->addr = to_host(vs, va->va_start);
	vm->size = size;
	vm->flags = flags;
	vm->caller = caller;
	pthread_mutex_lock(&vs->lock);
	va->vm = vm;
	pthread_mutex_unlock(&vs->lock);
	return vm;
}

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	return __get_vm_area(mmk_cur(), size, 1, flags, GFP_KERNEL, NULL);
}

struct vm_struct *find_vm_area(const void *addr)
{
	struct vmalloc_state *vs = vstate(mmk_cur());
	struct vmap_area *va;
	struct vm_struct *vm = NULL;

	if (!vs || !is_vmalloc_addr(addr))
		return NULL;
	pthread_mutex_lock(&vs->lock);
	va = find_vmap_area(vs, to_kaddr(vs, addr));
	if (va)
		vm = va->vm;
	pthread_mutex_unlock(&vs->lock);
	return vm;
}

bool is_vmalloc_addr(const void *addr)
{
	struct vmalloc_state *vs = vstate(mmk_cur());

	return vs && (const char *)addr >= vs->host &&
	       (const char *)addr < vs->host + (vs->end - vs->start);
}

/* Detach @addr's area (it must start there): unmap it, lazily free the
 * range, return the vm_struct. */
static struct vm_struct *detach_vm_area(struct mmk_machine *m, const void *addr,
					const char *caller)
{
	struct vmalloc_state *vs = vstate(m);
	struct vmap_area *va;
	struct vm_struct *vm;

	if (!vs || !is_vmalloc_addr(addr))
		goto bad;
	pthread_mutex_lock(&vs->lock);
	va = find_vmap_area(vs, to_kaddr(vs, addr));
	vm = va ? va->vm : NULL;
	if (!vm || vm->addr != addr) {
		pthread_mutex_unlock(&vs->lock);
		goto bad;
	}
	va->vm = NULL;
	pthread_mutex_unlock(&vs->lock);
	mmk_host_mem_unalias(vm->addr, vm->size);
	free_vmap_area_lazy(vs, va);
	return vm;
bad:
	if (m)
		printk(m,
		       "WARNING: %s: trying to free a nonexistent vm area (%#lx)",
		       caller, mmk_kaddr(addr));
	return NULL;
}

struct vm_struct *remove_vm_area(const void *addr)
{
	return detach_vm_area(mmk_cur(), addr, "remove_vm_area");
}

void free_vm_area(struct vm_struct *area)
{
	struct vm_struct *vm;

	if (!area)
		return;
	vm = remove_vm_area(area->addr);
	kfree(vm);
}

/* The zone an allocation of @gfp on @node prefers: the first of the
 * node's zonelist that @gfp allows and that lies on @node itself. */
static struct zone *preferred_zone_of(struct mmk_machine *m, gfp_t gfp,
				      int node)
{
	struct zone **zp;
	bool valid;
	unsigned int high = gfp_zone_of(m, gfp, &valid);

	if (!valid)
		return NULL;
	for (zp = m->node_data[node]->node_zonelist.zones; *zp; zp++)
		if ((*zp)->idx <= high && (*zp)->zone_pgdat->node_id == node)
			return *zp;
	return NULL;
}

/* Whether @zone seems to have a free block of @order or more (read
 * without its lock: a hint, the allocation decides). */
static bool zone_has_block(struct zone *zone, unsigned int order)
{
	for (; order < NR_PAGE_ORDERS; order++)
		if (atomic_load_explicit(&zone->free_area[order].nr_free,
					 memory_order_relaxed))
			return true;
	return false;
}

/* Allocate @nr order-0 pages into @pages, high orders first where the
 * buddy allocator has them (then split), so mappings stay few. Large
 * blocks come only from the zone the request prefers on @node: one from
 * a lower zone or another node would spend lowmem, DMA or remote memory
 * where Linux's order-0 allocation through the zonelist takes free pages
 * of the preferred zone. So a large attempt needs a block there, is made
 * with __GFP_THISNODE, and a block from another zone (the watermark sent
 * it down the zonelist) goes back and ends the large attempts. The
 * order-0 allocations then fall back through the full zonelist. */
static unsigned int vm_area_alloc_pages(struct mmk_machine *m, gfp_t gfp,
					int node, struct page **pages,
					unsigned int nr)
{
	struct zone *pref = preferred_zone_of(m, gfp, node);
	unsigned int done = 0, order = pref ? MAX_PAGE_ORDER : 0;
	gfp_t large_gfp =
		(gfp | __GFP_NOWARN | __GFP_NORETRY | __GFP_THISNODE) &
		~(__GFP_NOFAIL | __GFP_COMP);

	while (done < nr) {
		struct page *page;
		unsigned int i;

		while (order && ((1u << order) > nr - done ||
				 !zone_has_block(pref, order)))
			order--;
		page = alloc_pages_node(
			node, order ? large_gfp : gfp & ~__GFP_COMP, order);
		if (!page) {
			if (!order)
				break;
			order--;
			continue;
		}
		if (order && page_zone(page) != pref) {
			__free_pages(page, order);
			order = 0;
			continue;
		}
		if (order)
			split_page(page, order);
		for (i = 0; i < (1u << order); i++)
			pages[done++] = page + i;
	}
	return done;
}

static void free_vm_pages(struct page **pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		__free_pages(pages[i], 0);
}

/* Linux vmallocs the page array when it exceeds a page of the kernel's
 * pointers (shown as "vpages"); mmkit follows the simulated pointer size
 * for that choice. */
static bool vpages(const struct mmk_machine *m, unsigned int nr)
{
	return (size_t)nr * (size_t)m->arch->ptr_bytes > PAGE_SIZE;
}

/* Linux's __vmalloc_node_range() over the whole window: @align is a
 * power of two (checked by the callers). */
static void *vmalloc_area_node(struct mmk_machine *m, unsigned long size,
			       unsigned long align, gfp_t gfp, int node,
			       unsigned long flags, const void *caller)
{
	struct vmalloc_state *vs = vstate(m);
	struct vm_struct *vm;
	unsigned int nr, got;
	struct page **pages;
	size_t array;

	if (!vs)
		return NULL;
	if (!size) { /* Linux's WARN_ON_ONCE(!size) */
		printk(m, "WARNING: __vmalloc_node_range: size 0");
		return NULL;
	}
	if ((size >> PAGE_SHIFT) > totalram_pages(m)) {
		warn_alloc(m, gfp, 0,
			   "vmalloc error: size %lu, exceeds total pages",
			   size);
		return NULL;
	}
	if (node == NUMA_NO_NODE)
		node = numa_node_id();
	nr = (unsigned int)(PAGE_ALIGN(size) >> PAGE_SHIFT);
	vm = size <= vs->end - vs->start ?
		     __get_vm_area(m, size, align, flags | VM_ALLOC, gfp,
				   caller) :
		     NULL;
	if (!vm) {
		/* No __GFP_NOFAIL retry loop: a full range stays full. */
		warn_alloc(
			m, gfp, 0,
			"vmalloc error: size %lu, vm_struct allocation failed",
			size);
		return NULL;
	}
	/* Backing pages may be highmem unless a DMA zone was asked for
	 * (__vmalloc_area_node(), whose messages show this mask). */
	if (!(gfp & (GFP_DMA | GFP_DMA32)))
		gfp |= __GFP_HIGHMEM;
	array = (size_t)nr * sizeof(struct page *);
	/* Like Linux, a page array larger than a page is itself vmalloc'd
	 * ("vpages" in /proc/vmallocinfo). */
	pages = vpages(m, nr) ? vmalloc_area_node(m, array, 1, GFP_KERNEL, node,
						  0, NULL) :
				kmalloc(array, GFP_KERNEL);
	if (!pages) {
		warn_alloc(
			m, gfp, 0,
			"vmalloc error: size %lu, failed to allocated page array size %zu",
			(unsigned long)nr << PAGE_SHIFT, array);
		goto fail;
	}
	got = vm_area_alloc_pages(m, gfp & ~__GFP_ZERO, node, pages, nr);
	vm->pages = pages;
	vm->nr_pages = got;
	/* Linux reports the pages it got, not the request. */
	if (got < nr) {
		warn_alloc(m, gfp, 0,
			   "vmalloc error: size %lu, failed to allocate pages",
			   (unsigned long)got << PAGE_SHIFT);
		goto fail;
	}
	if (map_pages(m, vm->addr, pages, got)) {
		warn_alloc(m, gfp, 0,
			   "vmalloc error: size %lu, failed to map pages",
			   (unsigned long)got << PAGE_SHIFT);
		goto fail;
	}
	if (gfp & __GFP_ZERO)
		memset(vm->addr, 0, (size_t)nr << PAGE_SHIFT);
	pthread_mutex_lock(&vs->lock);
	vs->nr_vmalloc_pages += nr;
	pthread_mutex_unlock(&vs->lock);
	return vm->addr;
fail:
	detach_vm_area(m, vm->addr, "vmalloc");
	if (pages) {
		free_vm_pages(pages, vm->nr_pages);
		if (vpages(m, nr))
			vfree(pages);
		else
			kfree(pages);
	}
	kfree(vm);
	return NULL;
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return vmalloc_area_node(mmk_cur(), size, 1, gfp, NUMA_NO_NODE, 0,
				 NULL);
}

void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask,
		     int node, const void *caller)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || (node != NUMA_NO_NODE && (node < 0 || node >= m->nr_nodes)))
		return NULL;
	/* alloc_vmap_area() refuses the alignment with -EINVAL, and
	 * __vmalloc_node_range() reports the failed vm_struct. */
	if (!align || (align & (align - 1))) {
		warn_alloc(
			m, gfp_mask, 0,
			"vmalloc error: size %lu, vm_struct allocation failed",
			size);
		return NULL;
	}
	return vmalloc_area_node(m, size, align, gfp_mask, node, 0, caller);
}

void *vmalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL);
}

void *vzalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

void *vmalloc_node(unsigned long size, int node)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || (node != NUMA_NO_NODE && (node < 0 || node >= m->nr_nodes)))
		return NULL;
	return vmalloc_area_node(m, size, 1, GFP_KERNEL, node, 0, NULL);
}

void *vmalloc_user(unsigned long size)
{
	return vmalloc_area_node(mmk_cur(), size, 1, GFP_KERNEL | __GFP_ZERO,
				 NUMA_NO_NODE, VM_USERMAP, NULL);
}

/* Linux's GFP_VMALLOC32 is GFP_DMA32 | GFP_KERNEL on both profiles: on
 * i386 __GFP_DMA32 selects ZONE_NORMAL, and like any DMA modifier keeps
 * vmalloc from adding __GFP_HIGHMEM. */
void *vmalloc_32(unsigned long size)
{
	return vmalloc_area_node(mmk_cur(), size, 1, GFP_DMA32 | GFP_KERNEL,
				 NUMA_NO_NODE, 0, NULL);
}

void vfree(const void *addr)
{
	struct mmk_machine *m = mmk_cur();
	struct vmalloc_state *vs = vstate(m);
	struct vm_struct *vm;

	if (!addr || !vs)
		return;
	vm = detach_vm_area(m, addr, "vfree");
	if (!vm)
		return;
	if (vm->flags & VM_ALLOC) {
		pthread_mutex_lock(&vs->lock);
		vs->nr_vmalloc_pages -= vm->nr_pages;
		pthread_mutex_unlock(&vs->lock);
		free_vm_pages(vm->pages, vm->nr_pages);
		if (vpages(m, vm->nr_pages))
			vfree(vm->pages);
		else
			kfree(vm->pages);
	} else {
		printk(m,
		       "WARNING: vfree: %#lx was not allocated by vmalloc (flags %#lx); only unmapped",
		       mmk_kaddr(addr), vm->flags);
	}
	kfree(vm);
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   pgprot_t prot)
{
	struct mmk_machine *m = mmk_cur();
	struct vm_struct *vm;
	unsigned int i;

	(void)prot;
	if (!m || !pages || !count ||
	    count > (vstate(m)->end - vstate(m)->start) >> PAGE_SHIFT)
		return NULL;
	for (i = 0; i < count; i++) {
		uintptr_t off = (uintptr_t)pages[i] - (uintptr_t)m->mem_map;

		if (!pages[i] || off % sizeof(struct page) ||
		    !pfn_zone_fast(m, off / sizeof(struct page))) {
			printk(m,
			       "WARNING: vmap: entry %u is not a page of this machine",
			       i);
			return NULL;
		}
	}
	vm = __get_vm_area(m, (unsigned long)count << PAGE_SHIFT, 1,
			   (flags & ~VM_ALLOC) | VM_MAP, GFP_KERNEL, NULL);
	if (!vm)
		return NULL;
	vm->pages = pages;
	vm->nr_pages = count;
	if (map_pages(m, vm->addr, pages, count)) {
		detach_vm_area(m, vm->addr, "vmap");
		kfree(vm);
		return NULL;
	}
	return vm->addr;
}

void vunmap(const void *addr)
{
	struct mmk_machine *m = mmk_cur();
	struct vm_struct *vm = find_vm_area(addr);

	/* Linux would unmap a vmalloc area and leak its pages, and
	 * VmallocUsed would count them for ever: refused, vfree frees it. */
	if (vm && vm->addr == addr && (vm->flags & VM_ALLOC)) {
		printk(m,
		       "WARNING: vunmap: %#lx was allocated by vmalloc; vfree frees it",
		       mmk_kaddr(addr));
		return;
	}
	kfree(detach_vm_area(m, addr, "vunmap"));
}

void vm_unmap_aliases(void)
{
	struct mmk_machine *m = mmk_cur();
	struct vmalloc_state *vs = m ? vstate(m) : NULL;

	if (!vs)
		return;
	pthread_mutex_lock(&vs->lock);
	purge_vmap_areas(vs);
	pthread_mutex_unlock(&vs->lock);
}

void *ioremap(phys_addr_t phys, unsigned long size)
{
	struct mmk_machine *m = mmk_cur();
	phys_addr_t base = phys & PAGE_MASK, last;
	struct vm_struct *vm;
	unsigned long pfn;

	if (!m || !size || phys + size < phys)
		return NULL;
	size = PAGE_ALIGN(size + (phys - base));
	last = base + size;
	if (last > ((phys_addr_t)m->max_pfn << PAGE_SHIFT)) {
		printk(m,
		       "ioremap: %#llx-%#llx lies outside the machine's physical address space",
		       (unsigned long long)base, (unsigned long long)last - 1);
		return NULL;
	}
	for (pfn = (unsigned long)(base >> PAGE_SHIFT);
	     pfn < (unsigned long)(last >> PAGE_SHIFT); pfn++)
		if (memblock_present_pages(&m->memblock, pfn, pfn + 1) &&
		    !memblock_is_reserved(&m->memblock,
					  (phys_addr_t)pfn << PAGE_SHIFT)) {
			printk(m, "WARNING: ioremap on RAM at %#llx - %#llx",
			       (unsigned long long)base,
			       (unsigned long long)last - 1);
			return NULL;
		}
	vm = __get_vm_area(m, size, 1, VM_IOREMAP, GFP_KERNEL, NULL);
	if (!vm)
		return NULL;
	vm->phys_addr = base;
	if (mmk_host_mem_alias(&m->phys, vm->addr, (size_t)base, size, false)) {
		detach_vm_area(m, vm->addr, "ioremap");
		kfree(vm);
		return NULL;
	}
	return (char *)vm->addr + (phys - base);
}

void iounmap(void *addr)
{
	vunmap((void *)((uintptr_t)addr & PAGE_MASK));
}

struct page *vmalloc_to_page(const void *addr)
{
	struct mmk_machine *m = mmk_cur();
	struct vmalloc_state *vs = vstate(m);
	struct page *page = NULL;
	struct vmap_area *va;
	unsigned long idx;

	if (!vs || !is_vmalloc_addr(addr))
		return NULL;
	pthread_mutex_lock(&vs->lock);
	va = find_vmap_area(vs, to_kaddr(vs, addr));
	if (va && va->vm) {
		struct vm_struct *vm = va->vm;

		idx = (unsigned long)((const char *)addr - (char *)vm->addr) >>
		      PAGE_SHIFT;
		if (vm->pages && idx < vm->nr_pages)
			page = vm->pages[idx];
		else if ((vm->flags & VM_IOREMAP) &&
			 idx < (vm->size >> PAGE_SHIFT))
			page = pfn_to_page(
				(unsigned long)(vm->phys_addr >> PAGE_SHIFT) +
				idx);
	}
	pthread_mutex_unlock(&vs->lock);
	return page;
}

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *page = vmalloc_to_page(addr);

	return page ? page_to_pfn(page) : 0;
}

unsigned long vmalloc_kaddr(struct mmk_machine *m, const void *p)
{
	struct vmalloc_state *vs = vstate(m);

	if (!vs || (const char *)p < vs->host ||
	    (const char *)p >= vs->host + (vs->end - vs->start))
		return 0;
	return to_kaddr(vs, p);
}

unsigned long vmalloc_used_pages(struct mmk_machine *m)
{
	struct vmalloc_state *vs = vstate(m);
	unsigned long n;

	if (!vs)
		return 0;
	pthread_mutex_lock(&vs->lock);
	n = vs->nr_vmalloc_pages;
	pthread_mutex_unlock(&vs->lock);
	return n;
}

/* ---- boot ---- */

int vmalloc_init(struct mmk_machine *m)
{
	struct vmalloc_state *vs = mmk_machine_zalloc(m, sizeof(*vs));
	struct vmap_area *va;
	unsigned long host_align;
	size_t len;

	if (!vs)
		return -ENOMEM;
	m->vmalloc = vs;
	pthread_mutex_init(&vs->lock, NULL);
	INIT_LIST_HEAD(&vs->purge_list);
	ratelimit_state_init(&vs->printk_rs, 5ULL * 1000000000, 10);
	vs->busy.propagate = NULL;
	vs->free.propagate = free_propagate;
	vs->start = (unsigned long)m->vmalloc_start;
	/* Host address space for the range: as much as the machine has
	 * memory (vmalloc cannot hand out more), at least 1 GiB. */
	len = (size_t)min((uint64_t)(m->vmalloc_end - m->vmalloc_start + 1) &
				  ~(uint64_t)(PAGE_SIZE - 1),
			  max((uint64_t)m->cfg.mem_bytes, VMALLOC_HOST_MIN));
	vs->end = vs->start + len;
	vs->lazy_max = (unsigned long)fls_long((unsigned long)m->nr_cpus) *
		       ((32UL << 20) >> PAGE_SHIFT);
	/* Host addresses keep the kernel addresses' alignment up to the
	 * largest one the window can satisfy (__vmalloc_node's @align). */
	host_align = min(vs->start & -vs->start, 1UL << fls_long(len - 1));
	vs->host_res_len = len + host_align - PAGE_SIZE;
	vs->host_res = mmk_host_reserve(vs->host_res_len);
	if (!vs->host_res)
		return -ENOMEM;
	vs->host = vs->host_res +
		   ((vs->start - (uintptr_t)vs->host_res) & (host_align - 1));
	vs->va_cache = kmem_cache_create("vmap_area", sizeof(struct vmap_area),
					 0, SLAB_NO_MERGE, NULL);
	va = vs->va_cache ? kmem_cache_alloc(vs->va_cache, GFP_KERNEL) : NULL;
	if (!va)
		return -ENOMEM;
	va->va_start = vs->start;
	va->va_end = vs->end;
	tree_insert(&vs->free, va);
	return 0;
}

void vmalloc_exit(struct mmk_machine *m)
{
	struct vmalloc_state *vs = m->vmalloc;

	if (!vs)
		return;
	mmk_host_unreserve(vs->host_res, vs->host_res_len);
	pthread_mutex_destroy(&vs->lock);
	m->vmalloc = NULL;
}

/* ---- /proc/vmallocinfo ---- */

static void show_area(struct seq_file *s, struct mmk_machine *m,
		      struct vmap_area *va)
{
	struct vm_struct *vm = va->vm;
	int width = m->arch->ptr_bytes * 2;
	unsigned int nodes[MAX_NUMNODES] = { 0 }, i;
	int nid;

	seq_printf(s, "0x%0*lx-0x%0*lx %7ld", width, va->va_start, width,
		   va->va_end, (long)va_size(va));
	if (!vm) {
		seq_puts(s, " unpurged vm_area\n");
		return;
	}
	if (vm->caller)
		seq_printf(s, " %s", (const char *)vm->caller);
	/* Linux records pages only for VM_ALLOC areas (vmap keeps them
	 * only with VM_MAP_PUT_PAGES), and prints phys= when nonzero. */
	if ((vm->flags & VM_ALLOC) && vm->nr_pages)
		seq_printf(s, " pages=%u", vm->nr_pages);
	if (vm->phys_addr)
		seq_printf(s, " phys=0x%0*llx", m->arch->ptr_bytes * 2,
			   (unsigned long long)vm->phys_addr);
	if (vm->flags & VM_IOREMAP)
		seq_puts(s, " ioremap");
	if (vm->flags & VM_ALLOC)
		seq_puts(s, " vmalloc");
	if (vm->flags & VM_MAP)
		seq_puts(s, " vmap");
	if (vm->flags & VM_USERMAP)
		seq_puts(s, " user");
	if (vm->flags & VM_DMA_COHERENT)
		seq_puts(s, " dma-coherent");
	if ((vm->flags & VM_ALLOC) && vpages(m, vm->nr_pages))
		seq_puts(s, " vpages");
	if (m->arch->arch == MMK_ARCH_X86_64 && (vm->flags & VM_ALLOC)) {
		for (i = 0; i < vm->nr_pages; i++)
			nodes[page_to_nid(vm->pages[i])]++;
		for_each_online_node(m, nid)
			if (nodes[nid])
				seq_printf(s, " N%d=%u", nid, nodes[nid]);
	}
	seq_puts(s, "\n");
}

void proc_vmallocinfo_show(struct seq_file *s, struct mmk_machine *m)
{
	struct vmalloc_state *vs = m->vmalloc;
	struct avl_node *n;

	if (!vs)
		return;
	pthread_mutex_lock(&vs->lock);
	for (n = avl_first(&vs->busy); n; n = avl_next(n))
		if (va_of(n)->vm)
			show_area(s, m, va_of(n));
	/* Then the lazily freed ones, also in address order. */
	for (n = avl_first(&vs->busy); n; n = avl_next(n))
		if (!va_of(n)->vm)
			show_area(s, m, va_of(n));
	pthread_mutex_unlock(&vs->lock);
}

/* ---- the verifier ---- */

static bool verify_free_tree(struct vmalloc_state *vs, struct avl_node *n,
			     char *why, size_t len)
{
	unsigned long best;
	struct vmap_area *va;

	if (!n)
		return true;
	va = va_of(n);
	best = va_size(va);
	if (n->left)
		best = max(best, va_of(n->left)->subtree_max_size);
	if (n->right)
		best = max(best, va_of(n->right)->subtree_max_size);
	if (va->subtree_max_size != best)
		return verify_fail(
			why, len,
			"vmalloc: free range %#lx-%#lx has subtree_max_size %lu, expected %lu",
			va->va_start, va->va_end, va->subtree_max_size, best);
	return verify_free_tree(vs, n->left, why, len) &&
	       verify_free_tree(vs, n->right, why, len);
}

bool vmalloc_verify(struct mmk_machine *m, char *why, size_t len)
{
	struct vmalloc_state *vs = m->vmalloc;
	struct avl_node *b, *f;
	unsigned long pos, pages = 0, covered = 0;
	bool ok = true;

	if (!vs)
		return true;
	pthread_mutex_lock(&vs->lock);
	if (avl_verify(&vs->busy) < 0 || avl_verify(&vs->free) < 0) {
		ok = verify_fail(why, len,
				 "vmalloc: a vmap area tree is malformed");
		goto out;
	}
	ok = verify_free_tree(vs, vs->free.node, why, len);
	/* Walk both trees in address order: they must tile the window. */
	pos = vs->start;
	b = avl_first(&vs->busy);
	f = avl_first(&vs->free);
	while (ok && (b || f)) {
		struct avl_node **pick =
			(b && (!f || va_of(b)->va_start < va_of(f)->va_start)) ?
				&b :
				&f;
		struct vmap_area *va = va_of(*pick);
		bool busy = pick == &b;

		if (va->va_start != pos || va->va_end <= va->va_start) {
			ok = verify_fail(
				why, len,
				"vmalloc: %s range %#lx-%#lx does not start where the previous range ended (%#lx)",
				busy ? "busy" : "free", va->va_start,
				va->va_end, pos);
			break;
		}
		if (!busy && f && avl_next(f) &&
		    va_of(avl_next(f))->va_start == va->va_end) {
			ok = verify_fail(
				why, len,
				"vmalloc: free ranges at %#lx and %#lx were not merged",
				va->va_start, va->va_end);
			break;
		}
		if (busy && va->vm) {
			struct vm_struct *vm = va->vm;

			if (vm->size != va_size(va) ||
			    ((vm->flags & VM_ALLOC) &&
			     ((unsigned long)vm->nr_pages << PAGE_SHIFT) +
					     ((vm->flags & VM_NO_GUARD) ?
						      0 :
						      PAGE_SIZE) >
				     vm->size)) {
				ok = verify_fail(
					why, len,
					"vmalloc: area %#lx-%#lx has size %lu and %u pages: no room for its guard page",
					va->va_start, va->va_end, vm->size,
					vm->nr_pages);
				break;
			}
			if (vm->flags & VM_ALLOC)
				pages += vm->nr_pages;
		}
		covered += va_size(va);
		pos = va->va_end;
		*pick = avl_next(*pick);
	}
	if (ok && (pos != vs->end || covered != vs->end - vs->start))
		ok = verify_fail(
			why, len,
			"vmalloc: areas cover up to %#lx, the range ends at %#lx",
			pos, vs->end);
	if (ok && pages != vs->nr_vmalloc_pages)
		ok = verify_fail(
			why, len,
			"vmalloc: VmallocUsed counts %lu pages but areas hold %lu",
			vs->nr_vmalloc_pages, pages);
out:
	pthread_mutex_unlock(&vs->lock);
	return ok;
}
