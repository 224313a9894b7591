/* SPDX-License-Identifier: MIT */
/*
 * A long-run random-operation fuzzer for the page allocator, the slab
 * allocator and kmalloc, vmalloc, vmap and kmap (`make fuzz-long`).
 *
 * THREADS host threads, each on its own simulated CPU of one machine, run
 * OPS seeded random operations in all on up to 512 slots each:
 * alloc_pages / alloc_pages_node / __get_free_pages / get_zeroed_page of
 * orders 0..10 with every zone modifier and migrate type, __GFP_ZERO,
 * __GFP_COMP and __GFP_THISNODE (and GFP_ATOMIC, so HighAtomic reserves); __free_pages, free_pages, put_page, get_page plus a
 * second put, split_page; kmem_cache_alloc / _node / _zalloc / bulk on six
 * shared caches (one with a constructor, one with SLAB_POISON,
 * SLAB_RED_ZONE and SLAB_STORE_USER, one SLAB_CACHE_DMA) and whole
 * lifetimes of private caches (create, allocate, free, destroy) with
 * random flags; kmalloc / kzalloc / kmalloc_node / kcalloc /
 * kmalloc_array / krealloc / kfree of 0 bytes to 4 MiB; vmalloc and its
 * variants, vfree; vmap of separately allocated pages; kmap and
 * kmap_local_page of highmem pages (i386); kmem_cache_shrink and
 * drain_all_pages; requests that must fail (order 11, overflowing
 * kmalloc_array). A shared mailbox swaps slots between threads, so
 * blocks are freed on other CPUs than the one that allocated them. Now
 * and then one thread allocates order-3 blocks until memory runs out and
 * gives them back, so every thread meets allocation failures.
 *
 * Every block carries tags derived from its address (the first and last
 * 8 bytes of each object, of each page up to order 3, of the first and
 * last page beyond), checked when the block is freed, reallocated or
 * handed over, and for every live block at each check point, so two
 * owners of the same memory are caught. What Linux promises is checked
 * at once: alignment of a block to its order and of kmalloc of a power
 * of two to its size, the zone the GFP flags allow, zeroed memory for
 * __GFP_ZERO / kzalloc / vzalloc / vmalloc_user, compound heads and
 * orders, constructed objects from a cache with a constructor (and back
 * in that state when freed), ksize() and krealloc() keeping the contents,
 * ZERO_SIZE_PTR for 0 bytes, NULL for impossible requests, and the
 * refcount after get_page.
 *
 * Every CHECK_EVERY operations of each thread, all threads meet and one
 * runs mmk_check() (buddy, pcp, slab, vmalloc, kmap verifiers) and the
 * tag check of every live block. At the end everything is freed, the
 * shared caches destroyed, every cache shrunk and the per-CPU lists
 * drained: the free page count must be the one after boot.
 *
 *   pages_fuzz [-n OPS] [-s SEED] [-t THREADS] [-c CHECK_EVERY]
 *              [-a x86_64|i386] [-M MEM] [-q]
 *
 * A failure prints what was wrong and the command that replays the run
 * (single-threaded runs replay exactly), then aborts.
 */
#define _GNU_SOURCE
#include "fuzz/ops_common.h"
#include <mmkit/highmem.h>
#include <mmkit/mm.h>

#define NR_SLOTS 512
#define NR_MAILBOX 256
#define NR_SHARED 6
#define CTOR_WORD 0xC7C7C7C7C7C7C7C7ULL
#define DMA_PFN_LIMIT ((16UL << 20) >> PAGE_SHIFT)
#define DMA32_PFN_LIMIT ((4UL << 30) >> PAGE_SHIFT)

enum kind { K_NONE, K_PAGES, K_ADDR, K_EXACT, K_CACHE, K_KMALLOC, K_VMALLOC };

struct slot {
	unsigned char kind;
	unsigned char order; /* K_PAGES, K_ADDR */
	unsigned char comp; /* K_PAGES: compound */
	unsigned char cache; /* K_CACHE: index into shared[] */
	size_t size; /* K_EXACT, K_CACHE, K_KMALLOC, K_VMALLOC: bytes asked for */
	void *p; /* the object, vmalloc or kernel address */
	struct page *page; /* K_PAGES */
};

enum op {
	OP_ALLOC_PAGES,
	OP_GET_FREE_PAGES,
	OP_FREE_PAGES,
	OP_PAGE_REF,
	OP_SPLIT_PAGE,
	OP_CACHE_ALLOC,
	OP_CACHE_FREE,
	OP_CACHE_BULK,
	OP_CACHE_LIFE,
	OP_KMALLOC,
	OP_KFREE,
	OP_KREALLOC,
	OP_VMALLOC,
	OP_VFREE,
	OP_VMAP,
	OP_KMAP,
	OP_XFER,
	OP_SHRINK,
	OP_DRAIN,
	OP_MUST_FAIL,
	OP_EXHAUST,
	NR_OPS
};

static struct fz_count counts[NR_OPS] = {
	[OP_ALLOC_PAGES] = { "alloc_pages", 0 },
	[OP_GET_FREE_PAGES] = { "__get_free_pages", 0 },
	[OP_FREE_PAGES] = { "free pages", 0 },
	[OP_PAGE_REF] = { "get_page+put", 0 },
	[OP_SPLIT_PAGE] = { "split_page", 0 },
	[OP_CACHE_ALLOC] = { "kmem_cache_alloc", 0 },
	[OP_CACHE_FREE] = { "kmem_cache_free", 0 },
	[OP_CACHE_BULK] = { "bulk alloc+free", 0 },
	[OP_CACHE_LIFE] = { "cache create..destroy", 0 },
	[OP_KMALLOC] = { "kmalloc", 0 },
	[OP_KFREE] = { "kfree", 0 },
	[OP_KREALLOC] = { "krealloc", 0 },
	[OP_VMALLOC] = { "vmalloc", 0 },
	[OP_VFREE] = { "vfree", 0 },
	[OP_VMAP] = { "vmap", 0 },
	[OP_KMAP] = { "kmap", 0 },
	[OP_XFER] = { "hand over", 0 },
	[OP_SHRINK] = { "kmem_cache_shrink", 0 },
	[OP_DRAIN] = { "drain_all_pages", 0 },
	[OP_MUST_FAIL] = { "must fail", 0 },
	[OP_EXHAUST] = { "exhaust memory", 0 },
};

/* Operation weights, per 100,000. Those that map host memory (vmalloc,
 * vmap, kmap of highmem) or touch all of it (exhaust) are kept rare, so
 * the run goes at the allocators' pace. */
static const unsigned int weight[NR_OPS] = {
	[OP_ALLOC_PAGES] = 13000, [OP_GET_FREE_PAGES] = 3000,
	[OP_FREE_PAGES] = 15000,  [OP_PAGE_REF] = 1500,
	[OP_SPLIT_PAGE] = 800,	  [OP_CACHE_ALLOC] = 16000,
	[OP_CACHE_FREE] = 15000,  [OP_CACHE_BULK] = 1500,
	[OP_CACHE_LIFE] = 200,	  [OP_KMALLOC] = 13000,
	[OP_KFREE] = 11000,	  [OP_KREALLOC] = 5000,
	[OP_VMALLOC] = 400,	  [OP_VFREE] = 400,
	[OP_VMAP] = 100,	  [OP_KMAP] = 300,
	[OP_XFER] = 4000,	  [OP_SHRINK] = 80,
	[OP_DRAIN] = 30,	  [OP_MUST_FAIL] = 200,
	[OP_EXHAUST] = 2,
};

struct worker {
	pthread_t tid;
	struct fz_where w;
	struct fz_rng rng;
	uint64_t ops;
	unsigned long long n[NR_OPS];
	struct slot slots[NR_SLOTS];
	char name[32]; /* private caches' names */
};

static struct fz_opts opts = {
	.ops = 1000000,
	.seed = 1,
	.threads = 1,
	.check_every = 20000,
	.arch = "x86_64",
	.mem = 256ULL << 20,
};

static struct mmk_machine *machine;
static struct kmem_cache *shared[NR_SHARED];
static unsigned int shared_size[NR_SHARED];
static int nr_nodes;
static bool is_i386;
static pthread_barrier_t barrier;
static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot mailbox[NR_MAILBOX];
static atomic_ullong nr_checks;
static unsigned int cumulative[NR_OPS];

/* ---- memory access through a kernel mapping ---- */

/* Reads or writes the u64 at byte @off of @page, mapping it if highmem. */
static uint64_t page_word(struct page *page, size_t off, const uint64_t *set)
{
	uint64_t v;
	char *a;
	bool high = PageHighMem(page);

	a = high ? kmap_local_page(page) : page_address(page);
	if (!a)
		abort(); /* the stack holds at most one of ours */
	if (set)
		memcpy(a + off, set, 8);
	memcpy(&v, a + off, 8);
	if (high)
		kunmap_local(a);
	return v;
}

static bool page_is_zero(struct page *page)
{
	bool high = PageHighMem(page), zero = true;
	const uint64_t *a = high ? kmap_local_page(page) : page_address(page);
	size_t i;

	for (i = 0; i < PAGE_SIZE / 8; i++)
		if (a[i]) {
			zero = false;
			break;
		}
	if (high)
		kunmap_local(a);
	return zero;
}

static bool mem_is_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

/* The pages of a block that carry tags: all up to order 3, else the first
 * and the last. */
static unsigned long tagged_page(unsigned int order, unsigned long i)
{
	unsigned long nr = 1UL << order;

	if (order <= 3)
		return i < nr ? i : ~0UL;
	return i == 0 ? 0 : i == 1 ? nr - 1 : ~0UL;
}

static void tag_pages(struct page *page, unsigned int order)
{
	unsigned long i, k;

	for (i = 0; (k = tagged_page(order, i)) != ~0UL; i++) {
		struct page *p = page + k;
		uint64_t t = fz_tag((uintptr_t)p, 1);

		page_word(p, 0, &t);
		t = fz_tag((uintptr_t)p, 2);
		page_word(p, PAGE_SIZE - 8, &t);
	}
}

/* Every page of an alloc_pages_exact() run, tagged or checked. */
static bool exact_pages(void *p, size_t size, bool tag)
{
	struct page *page = virt_to_page(p);
	unsigned long i, nr = (size + PAGE_SIZE - 1) / PAGE_SIZE;

	for (i = 0; i < nr; i++) {
		struct page *q = page + i;
		uint64_t t1 = fz_tag((uintptr_t)q, 1),
			 t2 = fz_tag((uintptr_t)q, 2);

		if (tag) {
			page_word(q, 0, &t1);
			page_word(q, PAGE_SIZE - 8, &t2);
		} else if (page_word(q, 0, NULL) != t1 ||
			   page_word(q, PAGE_SIZE - 8, NULL) != t2) {
			return false;
		}
	}
	return true;
}

static bool exact_tagged(void *p, size_t size)
{
	return exact_pages(p, size, false);
}

static bool pages_tagged(struct page *page, unsigned int order)
{
	unsigned long i, k;

	for (i = 0; (k = tagged_page(order, i)) != ~0UL; i++) {
		struct page *p = page + k;

		if (page_word(p, 0, NULL) != fz_tag((uintptr_t)p, 1) ||
		    page_word(p, PAGE_SIZE - 8, NULL) !=
			    fz_tag((uintptr_t)p, 2))
			return false;
	}
	return true;
}

/* Objects: the first and last 8 bytes (fewer for tiny ones). */
static void tag_obj(void *p, size_t size)
{
	uint64_t t = fz_tag((uintptr_t)p, size);

	if (size >= 8) {
		memcpy(p, &t, 8);
		t = ~t;
		if (size >= 16)
			memcpy((char *)p + size - 8, &t, 8);
	} else if (size) {
		memcpy(p, &t, size);
	}
}

static bool obj_tagged(const void *p, size_t size)
{
	uint64_t t = fz_tag((uintptr_t)p, size), v;

	if (size >= 8) {
		memcpy(&v, p, 8);
		if (v != t)
			return false;
		if (size >= 16) {
			memcpy(&v, (const char *)p + size - 8, 8);
			return v == ~t;
		}
		return true;
	}
	return !size || !memcmp(p, &t, size);
}

/* ---- the shared caches ---- */

static void ctor_words(void *obj)
{
	uint64_t *w = obj;
	size_t i;

	for (i = 0; i < 96 / 8; i++)
		w[i] = CTOR_WORD;
}

static void ctor_first(void *obj)
{
	*(uint64_t *)obj = CTOR_WORD;
}

static bool constructed(const void *obj, size_t size)
{
	const uint64_t *w = obj;
	size_t i;

	for (i = 0; i < size / 8; i++)
		if (w[i] != CTOR_WORD)
			return false;
	return true;
}

#define CTOR_CACHE 2

static void create_shared(void)
{
	static const struct {
		const char *name;
		unsigned int size, align;
		slab_flags_t flags;
		void (*ctor)(void *);
	} def[NR_SHARED] = {
		{ "fz-8", 8, 0, 0, NULL },
		{ "fz-24", 24, 0, SLAB_HWCACHE_ALIGN, NULL },
		{ "fz-ctor-96", 96, 0, 0, ctor_words },
		{ "fz-debug-200", 200, 0,
		  SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER, NULL },
		{ "fz-dma-500", 500, 0, SLAB_CACHE_DMA, NULL },
		{ "fz-3000", 3000, 64, SLAB_NO_MERGE, NULL },
	};
	int i;

	for (i = 0; i < NR_SHARED; i++) {
		shared[i] = kmem_cache_create(def[i].name, def[i].size,
					      def[i].align, def[i].flags,
					      def[i].ctor);
		shared_size[i] = def[i].size;
		if (!shared[i]) {
			fprintf(stderr, "pages_fuzz: cannot create %s\n",
				def[i].name);
			exit(1);
		}
	}
}

/* ---- checks of new blocks ---- */

static gfp_t draw_gfp(struct worker *wk)
{
	static const gfp_t zone[] = { GFP_KERNEL,
				      GFP_KERNEL,
				      GFP_KERNEL,
				      GFP_ATOMIC,
				      GFP_NOWAIT,
				      GFP_KERNEL | GFP_DMA,
				      GFP_KERNEL | GFP_DMA32,
				      GFP_HIGHUSER,
				      GFP_HIGHUSER_MOVABLE,
				      GFP_USER,
				      GFP_KERNEL | __GFP_RECLAIMABLE,
				      GFP_ATOMIC | __GFP_MOVABLE,
				      GFP_NOWAIT | __GFP_RECLAIMABLE };
	gfp_t gfp = zone[fz_below(&wk->rng, 13)] | __GFP_NOWARN;

	if (fz_chance(&wk->rng, 15))
		gfp |= __GFP_ZERO;
	if (fz_chance(&wk->rng, 3))
		gfp |= __GFP_NORETRY;
	return gfp;
}

static unsigned int draw_order(struct worker *wk)
{
	unsigned int r = (unsigned int)fz_below(&wk->rng, 1000);

	if (r < 700)
		return 0;
	if (r < 920)
		return 1 + (unsigned int)fz_below(&wk->rng, 3);
	if (r < 990)
		return 4 + (unsigned int)fz_below(&wk->rng, 3);
	return 7 + (unsigned int)fz_below(&wk->rng, 4);
}

static void check_zone(struct worker *wk, struct page *page, gfp_t gfp)
{
	unsigned long pfn = page_to_pfn(page);

	if ((gfp & __GFP_DMA) && pfn >= DMA_PFN_LIMIT)
		fz_fail(&wk->w, "GFP_DMA page at pfn %#lx", pfn);
	if (!is_i386 && (gfp & __GFP_DMA32) && pfn >= DMA32_PFN_LIMIT)
		fz_fail(&wk->w, "GFP_DMA32 page at pfn %#lx", pfn);
	if (!(gfp & __GFP_HIGHMEM) && PageHighMem(page))
		fz_fail(&wk->w,
			"highmem page at pfn %#lx without __GFP_HIGHMEM", pfn);
}

static void check_new_pages(struct worker *wk, struct page *page,
			    unsigned int order, gfp_t gfp)
{
	unsigned long pfn = page_to_pfn(page);

	if (pfn & ((1UL << order) - 1))
		fz_fail(&wk->w, "order-%u block at pfn %#lx is not aligned",
			order, pfn);
	check_zone(wk, page, gfp);
	if (page_count(page) != 1)
		fz_fail(&wk->w, "new page refcount %d", page_count(page));
	if ((gfp & __GFP_COMP) && order) {
		if (!PageHead(page) || compound_order(page) != order ||
		    compound_head(page + (1UL << order) - 1) != page)
			fz_fail(&wk->w, "__GFP_COMP order %u: head %d order %u",
				order, PageHead(page), compound_order(page));
	} else if (PageCompound(page)) {
		fz_fail(&wk->w, "compound page without __GFP_COMP");
	}
	if ((gfp & __GFP_ZERO) &&
	    (!page_is_zero(page) || !page_is_zero(page + (1UL << order) - 1)))
		fz_fail(&wk->w,
			"__GFP_ZERO order-%u block at pfn %#lx is not zeroed",
			order, pfn);
}

/* ---- freeing a slot, after its checks ---- */

static void check_slot(struct worker *wk, const struct slot *s)
{
	bool ok = true;

	switch (s->kind) {
	case K_PAGES:
		ok = pages_tagged(s->page, s->order);
		break;
	case K_ADDR:
		ok = pages_tagged(virt_to_page(s->p), s->order);
		break;
	case K_EXACT:
		ok = exact_tagged(s->p, s->size);
		break;
	case K_CACHE:
	case K_KMALLOC:
	case K_VMALLOC:
		ok = obj_tagged(s->p, s->size);
		break;
	default:
		break;
	}
	if (!ok)
		fz_fail(&wk->w,
			"kind %d block %p (order %u size %zu) lost its tags",
			s->kind, s->p ? s->p : (void *)s->page, s->order,
			s->size);
}

static void release(struct worker *wk, struct slot *s)
{
	check_slot(wk, s);
	switch (s->kind) {
	case K_PAGES:
		if (s->comp && fz_chance(&wk->rng, 50))
			put_page(s->page);
		else
			__free_pages(s->page, s->order);
		break;
	case K_ADDR:
		free_pages((unsigned long)s->p, s->order);
		break;
	case K_EXACT:
		free_pages_exact(s->p, s->size);
		break;
	case K_CACHE:
		if (s->cache == CTOR_CACHE)
			ctor_words(s->p); /* back in its constructed state */
		kmem_cache_free(shared[s->cache], s->p);
		break;
	case K_KMALLOC:
		kfree(s->p);
		break;
	case K_VMALLOC:
		vfree(s->p);
		break;
	default:
		break;
	}
	memset(s, 0, sizeof(*s));
}

/* @s now holds @p, @size bytes of @kind, tagged. */
static void fill_slot(struct slot *s, int kind, void *p, size_t size)
{
	tag_obj(p, size);
	s->kind = (unsigned char)kind;
	s->p = p;
	s->size = size;
}

/* A random slot; with @empty, one that is free (or freed to make room). */
static struct slot *pick(struct worker *wk, bool empty)
{
	struct slot *s = &wk->slots[fz_below(&wk->rng, NR_SLOTS)];

	if (empty && s->kind != K_NONE)
		release(wk, s);
	return s;
}

/* A random live slot of @kind (a few tries), or NULL. */
static struct slot *pick_kind(struct worker *wk, int kind)
{
	int i;

	for (i = 0; i < 8; i++) {
		struct slot *s = &wk->slots[fz_below(&wk->rng, NR_SLOTS)];

		if (s->kind == kind || (kind < 0 && s->kind != K_NONE))
			return s;
	}
	return NULL;
}

/* ---- the operations ---- */

static void op_alloc_pages(struct worker *wk)
{
	struct slot *s = pick(wk, true);
	unsigned int order = draw_order(wk);
	gfp_t gfp = draw_gfp(wk);
	struct page *page;
	int nid = NUMA_NO_NODE;

	if (order && fz_chance(&wk->rng, 40))
		gfp |= __GFP_COMP;
	if (fz_chance(&wk->rng, 20)) {
		nid = (int)fz_below(&wk->rng, (uint64_t)nr_nodes);
		if (fz_chance(&wk->rng, 20))
			gfp |= __GFP_THISNODE;
	}
	page = nid == NUMA_NO_NODE ? alloc_pages(gfp, order) :
				     alloc_pages_node(nid, gfp, order);
	if (!page)
		return;
	if ((gfp & __GFP_THISNODE) && page_to_nid(page) != nid)
		fz_fail(&wk->w, "__GFP_THISNODE for node %d gave node %d", nid,
			page_to_nid(page));
	check_new_pages(wk, page, order, gfp);
	tag_pages(page, order);
	s->kind = K_PAGES;
	s->page = page;
	s->order = (unsigned char)order;
	s->comp = (gfp & __GFP_COMP) && order;
}

static void op_get_free_pages(struct worker *wk)
{
	struct slot *s = pick(wk, true);
	unsigned int order = draw_order(wk);
	unsigned long addr;
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;

	switch (fz_below(&wk->rng, 5)) {
	case 0:
		order = 0;
		addr = get_zeroed_page(gfp);
		gfp |= __GFP_ZERO;
		break;
	case 4: {
		/* alloc_pages_exact: the covering block, split, the pages
		 * past the size freed at once. */
		size_t size = 1 + (size_t)fz_below(&wk->rng, (uint64_t)PAGE_SIZE
								     << order);
		unsigned long i, nr = (size + PAGE_SIZE - 1) / PAGE_SIZE;
		struct page *page;
		void *p = alloc_pages_exact(size, gfp);

		if (!p)
			return;
		page = virt_to_page(p);
		if ((uintptr_t)p & (PAGE_SIZE - 1) || !page)
			fz_fail(&wk->w, "alloc_pages_exact gave %p", p);
		for (i = 0; i < nr; i++) {
			check_zone(wk, page + i, gfp);
			if (page_count(page + i) != 1)
				fz_fail(&wk->w,
					"page %lu of an exact run: refcount %d",
					i, page_count(page + i));
		}
		exact_pages(p, size, true);
		s->kind = K_EXACT;
		s->p = p;
		s->size = size;
		return;
	}
	case 1:
		addr = __get_dma_pages(gfp, order);
		gfp |= __GFP_DMA;
		break;
	case 2:
		order = 0;
		addr = __get_free_page(gfp);
		break;
	default:
		addr = __get_free_pages(gfp, order);
		break;
	}
	if (!addr)
		return;
	if (addr & (PAGE_SIZE - 1))
		fz_fail(&wk->w, "__get_free_pages gave %#lx", addr);
	check_new_pages(wk, virt_to_page((void *)addr), order, gfp);
	tag_pages(virt_to_page((void *)addr), order);
	s->kind = K_ADDR;
	s->p = (void *)addr;
	s->order = (unsigned char)order;
}

/* Free a random live block of @kind. */
static void op_free_kind(struct worker *wk, int kind)
{
	struct slot *s = pick_kind(wk, kind);

	if (s)
		release(wk, s);
}

/* get_page() then a put through __free_pages(): the block stays. */
static void op_page_ref(struct worker *wk)
{
	struct slot *s = pick_kind(wk, K_PAGES);

	if (!s)
		return;
	get_page(s->page);
	if (page_count(s->page) != 2)
		fz_fail(&wk->w, "refcount %d after get_page",
			page_count(s->page));
	__free_pages(s->page, s->order);
	if (page_count(s->page) != 1)
		fz_fail(&wk->w, "refcount %d after the second put",
			page_count(s->page));
}

/* split_page() of a non-compound block, then a free of each page. */
static void op_split_page(struct worker *wk)
{
	struct slot *s = pick_kind(wk, K_PAGES);
	unsigned long i, nr;

	if (!s || s->comp || !s->order || s->order > 6)
		return;
	check_slot(wk, s);
	split_page(s->page, s->order);
	nr = 1UL << s->order;
	for (i = 0; i < nr; i++)
		if (page_count(s->page + i) != 1)
			fz_fail(&wk->w,
				"page %lu of a split block: refcount %d", i,
				page_count(s->page + i));
	if (PageHighMem(s->page) || fz_chance(&wk->rng, 50)) {
		for (i = 0; i < nr; i++)
			__free_page(s->page + i);
	} else {
		/* free_pages_exact of the run (lowmem: it takes a direct
		 * map address), sometimes while another reference keeps
		 * one page. */
		struct page *held = fz_chance(&wk->rng, 30) ?
					    s->page + fz_below(&wk->rng, nr) :
					    NULL;

		if (held)
			get_page(held);
		free_pages_exact(page_address(s->page), nr * PAGE_SIZE);
		if (held) {
			if (page_count(held) != 1)
				fz_fail(&wk->w,
					"a held page of a freed run: refcount %d",
					page_count(held));
			put_page(held);
		}
	}
	memset(s, 0, sizeof(*s));
}

static void new_cache_obj(struct worker *wk, struct slot *s, unsigned int c,
			  void *p, bool zeroed)
{
	size_t size = shared_size[c];

	if (c == CTOR_CACHE && !constructed(p, size))
		fz_fail(&wk->w, "object %p of %s is not constructed", p,
			kmem_cache_name(shared[c]));
	if (zeroed && !mem_is_zero(p, size))
		fz_fail(&wk->w, "kmem_cache_zalloc object %p not zeroed", p);
	if (c == 3 && ((uintptr_t)p & 7))
		fz_fail(&wk->w, "object %p misaligned", p);
	if (c == 5 && ((uintptr_t)p & 63))
		fz_fail(&wk->w, "object %p of a 64-aligned cache", p);
	if (c == 4 && page_to_pfn(virt_to_page(p)) >= DMA_PFN_LIMIT)
		fz_fail(&wk->w, "SLAB_CACHE_DMA object %p outside ZONE_DMA", p);
	tag_obj(p, size);
	s->kind = K_CACHE;
	s->cache = (unsigned char)c;
	s->size = size;
	s->p = p;
}

static void op_cache_alloc(struct worker *wk)
{
	struct slot *s = pick(wk, true);
	unsigned int c = (unsigned int)fz_below(&wk->rng, NR_SHARED);
	unsigned int how = (unsigned int)fz_below(&wk->rng, 10);
	gfp_t gfp = fz_chance(&wk->rng, 10) ? GFP_ATOMIC : GFP_KERNEL;
	void *p;

	if (how == 0 && c != CTOR_CACHE)
		p = kmem_cache_zalloc(shared[c], gfp);
	else if (how == 1)
		p = kmem_cache_alloc_node(shared[c], gfp,
					  (int)fz_below(&wk->rng,
							(uint64_t)nr_nodes));
	else
		p = kmem_cache_alloc(shared[c], gfp);
	if (p)
		new_cache_obj(wk, s, c, p, how == 0 && c != CTOR_CACHE);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a,
		  y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* Bulk allocation: distinct objects, all usable; freed in bulk. */
static void op_cache_bulk(struct worker *wk)
{
	void *p[128], *sorted[128];
	unsigned int c = (unsigned int)fz_below(&wk->rng, NR_SHARED);
	size_t n = 1 + fz_below(&wk->rng, 128), i, size = shared_size[c];
	int got = kmem_cache_alloc_bulk(shared[c], GFP_KERNEL, n, p);

	if (!got)
		return;
	if ((size_t)got != n)
		fz_fail(&wk->w, "kmem_cache_alloc_bulk(%zu) = %d", n, got);
	memcpy(sorted, p, n * sizeof(void *));
	qsort(sorted, n, sizeof(void *), cmp_ptr);
	for (i = 0; i < n; i++) {
		if (i && (uintptr_t)sorted[i] - (uintptr_t)sorted[i - 1] < size)
			fz_fail(&wk->w, "bulk objects %p and %p overlap",
				sorted[i - 1], sorted[i]);
		if (c == CTOR_CACHE && !constructed(p[i], size))
			fz_fail(&wk->w, "bulk object %p not constructed", p[i]);
		tag_obj(p[i], size);
	}
	for (i = 0; i < n; i++) {
		if (!obj_tagged(p[i], size))
			fz_fail(&wk->w, "bulk object %p lost its tags", p[i]);
		if (c == CTOR_CACHE)
			ctor_words(p[i]);
	}
	kmem_cache_free_bulk(shared[c], n, p);
}

/* A private cache's whole life, with random flags and a constructor. */
static void op_cache_life(struct worker *wk)
{
	static const slab_flags_t opt[] = {
		SLAB_HWCACHE_ALIGN,	 SLAB_POISON,	 SLAB_RED_ZONE,
		SLAB_STORE_USER,	 SLAB_CACHE_DMA, SLAB_CACHE_DMA32,
		SLAB_RECLAIM_ACCOUNT,	 SLAB_NO_MERGE,	 SLAB_ACCOUNT,
		SLAB_CONSISTENCY_CHECKS,
	};
	static const unsigned int aligns[] = { 0, 8, 16, 64, 256 };
	slab_flags_t flags = 0;
	unsigned int size = 8 + (unsigned int)fz_below(&wk->rng, 4096), i, n;
	unsigned int align = aligns[fz_below(&wk->rng, 5)];
	bool ctor = fz_chance(&wk->rng, 30);
	struct kmem_cache *s;
	void *obj[64];
	int rc;

	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (fz_chance(&wk->rng, 15))
			flags |= opt[i];
	if (is_i386)
		flags &= ~SLAB_CACHE_DMA32;
	snprintf(wk->name, sizeof wk->name, "fz-t%d-%llu", wk->w.thread,
		 (unsigned long long)wk->ops);
	s = kmem_cache_create(wk->name, size, align, flags,
			      ctor ? ctor_first : NULL);
	if (!s)
		return; /* out of memory */
	n = (unsigned int)fz_below(&wk->rng, 64);
	for (i = 0; i < n; i++) {
		obj[i] = kmem_cache_alloc(s, GFP_KERNEL);
		if (!obj[i])
			break;
		if (align && ((uintptr_t)obj[i] & (align - 1)))
			fz_fail(&wk->w, "object %p of a %u-aligned cache",
				obj[i], align);
		if (ctor && *(uint64_t *)obj[i] != CTOR_WORD)
			fz_fail(&wk->w, "object %p not constructed", obj[i]);
		tag_obj(obj[i], size);
	}
	n = i;
	for (i = 0; i < n; i++) {
		if (!obj_tagged(obj[i], size))
			fz_fail(&wk->w, "private cache object lost its tags");
		if (ctor)
			ctor_first(obj[i]);
		kmem_cache_free(s, obj[i]);
	}
	rc = kmem_cache_destroy(s);
	if (rc)
		fz_fail(&wk->w, "kmem_cache_destroy of an empty cache = %d",
			rc);
}

static size_t draw_kmalloc_size(struct worker *wk)
{
	unsigned int r = (unsigned int)fz_below(&wk->rng, 1000);

	if (r < 10)
		return 0;
	if (r < 700)
		return 1 + fz_below(&wk->rng, 256);
	if (r < 950)
		return 257 + fz_below(&wk->rng, 8192 - 256);
	if (r < 995)
		return 8193 + fz_below(&wk->rng, 128 * 1024);
	return fz_below(&wk->rng, 4UL << 20) + 1;
}

/* kmalloc of a power of two is aligned to it; krealloc (@natural false)
 * promises only the minimum alignment, as Linux's does. */
static void check_kmalloc(struct worker *wk, const void *p, size_t size,
			  bool natural)
{
	if (natural && size && (size & (size - 1)) == 0 && size <= PAGE_SIZE &&
	    ((uintptr_t)p & (size - 1)))
		fz_fail(&wk->w, "kmalloc(%zu) = %p is not aligned to its size",
			size, p);
	if (((uintptr_t)p & 7))
		fz_fail(&wk->w, "kmalloc(%zu) = %p is not 8-aligned", size, p);
	if (ksize(p) < size)
		fz_fail(&wk->w, "ksize %zu < %zu", ksize(p), size);
}

static void op_kmalloc(struct worker *wk)
{
	struct slot *s = pick(wk, true);
	size_t size = draw_kmalloc_size(wk);
	unsigned int how = (unsigned int)fz_below(&wk->rng, 8);
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	bool zero = false;
	void *p;

	if (fz_chance(&wk->rng, 3))
		gfp |= GFP_DMA;
	switch (how) {
	case 0:
		p = kzalloc(size, gfp);
		zero = true;
		break;
	case 1:
		p = kmalloc_node(size, gfp,
				 (int)fz_below(&wk->rng, (uint64_t)nr_nodes));
		break;
	case 2:
		p = kcalloc(size ? 1 + size / 16 : 0, size ? 16 : 0, gfp);
		size = size ? (1 + size / 16) * 16 : 0;
		zero = true;
		break;
	case 3:
		p = kmalloc_array(size, 1, gfp);
		break;
	default:
		p = kmalloc(size, gfp);
		break;
	}
	if (!size) {
		if (p != ZERO_SIZE_PTR)
			fz_fail(&wk->w, "kmalloc(0) = %p", p);
		return;
	}
	if (!p)
		return;
	check_kmalloc(wk, p, size, true);
	if ((gfp & GFP_DMA) && page_to_pfn(virt_to_page(p)) >= DMA_PFN_LIMIT)
		fz_fail(&wk->w, "kmalloc(GFP_DMA) = %p outside ZONE_DMA", p);
	if (zero && !mem_is_zero(p, size < 8192 ? size : 8192))
		fz_fail(&wk->w, "kzalloc(%zu) not zeroed", size);
	fill_slot(s, K_KMALLOC, p, size);
}

/* krealloc keeps the first min(old, new) bytes: the head tag survives. */
static void op_krealloc(struct worker *wk)
{
	struct slot *s = pick_kind(wk, K_KMALLOC);
	size_t size = draw_kmalloc_size(wk), keep;
	uint64_t head, v;
	void *p;

	if (!s)
		return;
	check_slot(wk, s);
	memcpy(&head, s->p, s->size < 8 ? s->size : 8);
	p = krealloc(s->p, size, GFP_KERNEL | __GFP_NOWARN);
	if (!size) {
		if (p != ZERO_SIZE_PTR)
			fz_fail(&wk->w, "krealloc(p, 0) = %p", p);
		memset(s, 0, sizeof(*s));
		return;
	}
	if (!p)
		return; /* the old block is untouched */
	keep = s->size < size ? s->size : size;
	keep = keep < 8 ? keep : 8;
	v = 0;
	memcpy(&v, p, keep);
	if (memcmp(&v, &head, keep))
		fz_fail(&wk->w, "krealloc %zu -> %zu lost the contents",
			s->size, size);
	check_kmalloc(wk, p, size, false);
	tag_obj(p, size);
	s->p = p;
	s->size = size;
}

static void op_vmalloc(struct worker *wk)
{
	struct slot *s = pick(wk, true);
	size_t size = fz_chance(&wk->rng, 95) ?
			      1 + fz_below(&wk->rng, 256 * 1024) :
			      1 + fz_below(&wk->rng, 4UL << 20);
	bool zero = false;
	void *p;

	switch (fz_below(&wk->rng, 6)) {
	case 0:
		p = vzalloc(size);
		zero = true;
		break;
	case 1:
		p = vmalloc_node(size,
				 (int)fz_below(&wk->rng, (uint64_t)nr_nodes));
		break;
	case 2:
		p = vmalloc_user(size);
		zero = true;
		break;
	case 3:
		p = vmalloc_32(size);
		break;
	default:
		p = vmalloc(size);
		break;
	}
	if (!p)
		return;
	if (!is_vmalloc_addr(p) || ((uintptr_t)p & (PAGE_SIZE - 1)) ||
	    !vmalloc_to_page(p))
		fz_fail(&wk->w, "vmalloc(%zu) = %p", size, p);
	if (zero && (!mem_is_zero(p, size < 4096 ? size : 4096) ||
		     !mem_is_zero((char *)p + (size > 4096 ? size - 4096 : 0),
				  size < 4096 ? size : 4096)))
		fz_fail(&wk->w, "zeroed vmalloc(%zu) is not", size);
	fill_slot(s, K_VMALLOC, p, size);
}

/* vmap of separate pages: what is written through one mapping is seen
 * through the other. */
static void op_vmap(struct worker *wk)
{
	struct page *pages[8];
	unsigned int n = 1 + (unsigned int)fz_below(&wk->rng, 8), i, got;
	gfp_t gfp = fz_chance(&wk->rng, 50) ? GFP_HIGHUSER : GFP_KERNEL;
	uint64_t *a;

	for (got = 0; got < n; got++) {
		pages[got] = alloc_page(gfp | __GFP_NOWARN);
		if (!pages[got])
			break;
	}
	a = got ? vmap(pages, got, 0, PAGE_KERNEL) : NULL;
	if (a) {
		for (i = 0; i < got; i++)
			a[i * PAGE_SIZE / 8 + i] = fz_tag((uintptr_t)a, i);
		for (i = 0; i < got; i++)
			if (page_word(pages[i], i * 8, NULL) !=
			    fz_tag((uintptr_t)a, i))
				fz_fail(&wk->w, "vmap page %u: write not seen",
					i);
		vunmap(a);
	}
	for (i = 0; i < got; i++)
		__free_page(pages[i]);
}

/* kmap() a highmem page of ours and check its tags through it. */
static void op_kmap(struct worker *wk)
{
	struct slot *s = pick_kind(wk, K_PAGES);
	uint64_t *a, v;

	if (!s)
		return;
	a = kmap(s->page);
	if (!a)
		fz_fail(&wk->w, "kmap returned NULL");
	v = fz_tag((uintptr_t)s->page, 1);
	if (a[0] != v)
		fz_fail(&wk->w, "kmap of a tagged page reads %#llx",
			(unsigned long long)a[0]);
	kunmap(s->page);
}

/* Swap a slot with the shared mailbox: blocks change CPUs. */
static void op_xfer(struct worker *wk)
{
	struct slot *s = pick(wk, false), t;
	unsigned int i = (unsigned int)fz_below(&wk->rng, NR_MAILBOX);

	check_slot(wk, s);
	pthread_mutex_lock(&mailbox_lock);
	t = mailbox[i];
	mailbox[i] = *s;
	pthread_mutex_unlock(&mailbox_lock);
	*s = t;
	check_slot(wk, s);
}

static void op_shrink(struct worker *wk)
{
	kmem_cache_shrink(shared[fz_below(&wk->rng, NR_SHARED)]);
}

static void op_must_fail(struct worker *wk)
{
	unsigned long addr;
	void *p;

	switch (fz_below(&wk->rng, 4)) {
	case 0:
		if (alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1))
			fz_fail(&wk->w, "alloc_pages of order 11 succeeded");
		break;
	case 1:
		p = kmalloc_array(SIZE_MAX / 8 + 2, 8, GFP_KERNEL);
		if (p)
			fz_fail(&wk->w, "overflowing kmalloc_array = %p", p);
		break;
	case 2:
		p = kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN);
		if (p)
			fz_fail(&wk->w, "kmalloc(KMALLOC_MAX_SIZE + 1) = %p",
				p);
		break;
	default: /* not a failure: __GFP_HIGHMEM is masked off */
		addr = __get_free_pages(
			GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN, 0);
		if (addr && PageHighMem(virt_to_page((void *)addr)))
			fz_fail(&wk->w,
				"__get_free_pages(__GFP_HIGHMEM): highmem");
		free_pages(addr, 0);
		break;
	}
}

/* Take order-3 blocks until there are none, try a few small requests,
 * give everything back. */
static void op_exhaust(struct worker *wk)
{
	size_t cap = (size_t)(opts.mem >> (PAGE_SHIFT + 3)) + 64, n = 0, i;
	struct page **held = malloc(cap * sizeof(*held));
	void *p;

	if (!held)
		abort();
	while (n < cap && (held[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 3)))
		tag_pages(held[n++], 0); /* the first page: enough here */
	for (i = 0; i < 16; i++) {
		p = kmalloc(1 + fz_below(&wk->rng, 4096),
			    GFP_ATOMIC | __GFP_NOWARN);
		kfree(p);
	}
	for (i = 0; i < n; i++) {
		if (!pages_tagged(held[i], 0))
			fz_fail(&wk->w, "block %zu of the exhaustion lost tags",
				i);
		__free_pages(held[i], 3);
	}
	free(held);
}

static void one_op(struct worker *wk, enum op op)
{
	wk->w.what = counts[op].name;
	switch (op) {
	case OP_ALLOC_PAGES:
		op_alloc_pages(wk);
		break;
	case OP_GET_FREE_PAGES:
		op_get_free_pages(wk);
		break;
	case OP_FREE_PAGES:
		op_free_kind(wk, !fz_chance(&wk->rng, 20) ? K_PAGES :
				 fz_chance(&wk->rng, 50)  ? K_ADDR :
							    K_EXACT);
		break;
	case OP_PAGE_REF:
		op_page_ref(wk);
		break;
	case OP_SPLIT_PAGE:
		op_split_page(wk);
		break;
	case OP_CACHE_ALLOC:
		op_cache_alloc(wk);
		break;
	case OP_CACHE_FREE:
		op_free_kind(wk, K_CACHE);
		break;
	case OP_CACHE_BULK:
		op_cache_bulk(wk);
		break;
	case OP_CACHE_LIFE:
		op_cache_life(wk);
		break;
	case OP_KMALLOC:
		op_kmalloc(wk);
		break;
	case OP_KFREE:
		op_free_kind(wk, K_KMALLOC);
		break;
	case OP_KREALLOC:
		op_krealloc(wk);
		break;
	case OP_VMALLOC:
		op_vmalloc(wk);
		break;
	case OP_VFREE:
		op_free_kind(wk, K_VMALLOC);
		break;
	case OP_VMAP:
		op_vmap(wk);
		break;
	case OP_KMAP:
		op_kmap(wk);
		break;
	case OP_XFER:
		op_xfer(wk);
		break;
	case OP_SHRINK:
		op_shrink(wk);
		break;
	case OP_DRAIN:
		drain_all_pages(NULL);
		break;
	case OP_MUST_FAIL:
		op_must_fail(wk);
		break;
	default:
		op_exhaust(wk);
		break;
	}
}

static enum op draw_op(struct worker *wk)
{
	unsigned int r =
		(unsigned int)fz_below(&wk->rng, cumulative[NR_OPS - 1]);
	int i;

	for (i = 0; i < NR_OPS - 1; i++)
		if (r < cumulative[i])
			break;
	return (enum op)i;
}

/* ---- check points and the run ---- */

static struct worker workers[FZ_MAX_THREADS];

static void check_all(struct worker *wk)
{
	int t, i;

	wk->w.what = "check point";
	fz_check(&wk->w, machine);
	for (t = 0; t < opts.threads; t++)
		for (i = 0; i < NR_SLOTS; i++)
			check_slot(wk, &workers[t].slots[i]);
	for (i = 0; i < NR_MAILBOX; i++)
		check_slot(wk, &mailbox[i]);
	atomic_fetch_add(&nr_checks, 1);
}

static void *run(void *arg)
{
	struct worker *wk = arg;
	uint64_t share = opts.ops / (uint64_t)opts.threads, done = 0, round;
	enum op op;
	int i;

	if (wk->w.thread < (int)(opts.ops % (uint64_t)opts.threads))
		share++;
	fz_cur = &wk->w;
	mmk_set_current(machine);
	mmk_set_cpu(wk->w.thread);
	/* Every thread runs the same number of rounds (the barrier). */
	for (round = 0;
	     round * opts.check_every * (uint64_t)opts.threads < opts.ops;
	     round++) {
		uint64_t end = done + opts.check_every;

		if (end > share)
			end = share;
		for (; done < end; done++) {
			wk->w.op = wk->ops++;
			op = draw_op(wk);
			wk->n[op]++;
			one_op(wk, op);
		}
		pthread_barrier_wait(&barrier);
		if (wk->w.thread == 0)
			check_all(wk);
		pthread_barrier_wait(&barrier);
	}
	wk->w.what = "final free";
	for (i = 0; i < NR_SLOTS; i++)
		if (wk->slots[i].kind != K_NONE)
			release(wk, &wk->slots[i]);
	return NULL;
}

static const char usage[] =
	"usage: pages_fuzz [-n OPS] [-s SEED] [-t THREADS] [-c CHECK_EVERY]\n"
	"                  [-a x86_64|i386] [-M MEM] [-q]\n";

int main(int argc, char **argv)
{
	struct mmk_config cfg;
	struct fz_where w = { &opts, 0, 0, "boot" };
	unsigned long base_free, end_free;
	char why[256];
	uint64_t total = 0;
	double t0;
	int t, i, rc;

	fz_parse(&opts, argc, argv, usage);
	w.o = &opts;
	is_i386 = !strcmp(opts.arch, "i386");
	mmk_config_init(&cfg);
	cfg.arch = is_i386 ? MMK_ARCH_I386 : MMK_ARCH_X86_64;
	cfg.mem_bytes = opts.mem;
	cfg.nr_nodes = !is_i386 && opts.mem >= (64ULL << 20) ? 2 : 1;
	cfg.nr_cpus = opts.threads + 1;
	/* Odd seeds: CPUs come online as the workers take them, while the
	 * others already run. */
	cfg.cpus_on_demand = opts.seed & 1;
	cfg.seed = opts.seed;
	cfg.printk = fz_printk;
	if (mmk_config_validate(&cfg, why, sizeof why))
		fz_fail(&w, "cannot boot: %s", why);
	machine = mmk_boot(&cfg);
	if (!machine)
		fz_fail(&w, "boot failed: %s", strerror(errno));
	mmk_set_current(machine);
	mmk_set_cpu(opts.threads);
	nr_nodes = cfg.nr_nodes;
	fz_settle(machine);
	base_free = mmk_nr_free_pages(machine);
	create_shared();
	for (i = 0; i < NR_OPS; i++)
		cumulative[i] = (i ? cumulative[i - 1] : 0) + weight[i];
	pthread_barrier_init(&barrier, NULL, (unsigned int)opts.threads);

	t0 = fz_now();
	for (t = 0; t < opts.threads; t++) {
		struct worker *wk = &workers[t];

		wk->w = (struct fz_where){ &opts, t, 0, NULL };
		fz_seed(&wk->rng, opts.seed * 1000 + (uint64_t)t);
		if (pthread_create(&wk->tid, NULL, run, wk))
			fz_fail(&w, "pthread_create failed");
	}
	for (t = 0; t < opts.threads; t++) {
		pthread_join(workers[t].tid, NULL);
		total += workers[t].ops;
		for (i = 0; i < NR_OPS; i++)
			counts[i].n += workers[t].n[i];
	}

	/* Everything back: the mailbox, the shared caches, the caches'
	 * empty slabs, the per-CPU lists. */
	w.what = "cleanup";
	for (i = 0; i < NR_MAILBOX; i++)
		release(&workers[0], &mailbox[i]);
	for (i = 0; i < NR_SHARED; i++) {
		rc = kmem_cache_destroy(shared[i]);
		if (rc)
			fz_fail(&w, "kmem_cache_destroy(%s) = %d",
				kmem_cache_name(shared[i]), rc);
	}
	fz_settle(machine);
	fz_check(&w, machine);
	end_free = mmk_nr_free_pages(machine);
	if (end_free != base_free)
		fz_fail(&w, "%ld pages leaked (free %lu after boot, %lu now)",
			(long)base_free - (long)end_free, base_free, end_free);
	fz_summary(&opts, "pages_fuzz", total,
		   (uint64_t)atomic_load(&nr_checks), fz_now() - t0, counts,
		   NR_OPS);
	pthread_barrier_destroy(&barrier);
	mmk_shutdown(machine);
	return 0;
}
