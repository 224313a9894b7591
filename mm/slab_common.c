/* SPDX-License-Identifier: MIT */
/*
 * Slab interfaces shared by every cache (Linux's mm/slab_common.c): the
 * public kmem_cache_* entry points, cache merging, the kmalloc size
 * classes, kmalloc_large, kfree, ksize, krealloc, and failslab.
 *
 * 1. What it models. kmem_cache_create() validates its arguments as
 *    __kmem_cache_create_args does, merges a compatible cache into an
 *    existing one (find_mergeable), or creates it (mm/slub.c).
 *    kmalloc(n) picks the cache of n's size class (8, 16, 32, 64, 96, 128,
 *    192, 256, ..., 8k) and type (normal, reclaimable with
 *    __GFP_RECLAIMABLE, DMA with GFP_DMA); larger requests go to the page
 *    allocator as compound pages of type large_kmalloc.
 *
 * 2. Objects. m->kmalloc_caches[type][index], created at boot in
 *    Linux's order (96, 192, 8, 16, ..., 8k per type) so /proc/slabinfo
 *    ends the same way; with mmk_config.kmalloc_types_on_demand, the
 *    normal ones only, and each of the others by its first allocation
 *    (under slab_mutex, published with a release store). A merged cache
 *    is the same struct kmem_cache with refcount > 1.
 *
 * 3. Invariants. kmalloc caches are never merged (SLAB_NO_MERGE, as with
 *    memcg and hardened usercopy); aliases share size, flags and align.
 *
 * 4. Departures. No kmalloc-cg-* caches (no memcg), no random kmalloc
 *    caches, no kvfree_rcu. A kfree of an address kmalloc did not return
 *    is reported and ignored, never corrupting a cache.
 *
 * 5. Ordering. slab_mutex serialises create, destroy and shrink.
 *
 * 6. Observability. /proc/slabinfo, meminfo Slab lines, vmstat nr_slab_*.
 */
#include "mm/slab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SLAB_NEVER_MERGE                                              \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE | \
	 SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_FAILSLAB |    \
	 SLAB_NO_MERGE)
#define SLAB_MERGE_SAME                                             \
	(SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | \
	 SLAB_ACCOUNT)
#define SLAB_FLAGS_PERMITTED                                                   \
	(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_PANIC | \
	 SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_RECLAIM_ACCOUNT |      \
	 SLAB_ACCOUNT | SLAB_KMALLOC | SLAB_NO_MERGE | SLAB_RED_ZONE |         \
	 SLAB_POISON | SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS | SLAB_TRACE)

static const char *const kmalloc_names[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH +
							 1] = {
	[KMALLOC_NORMAL] = { NULL, "kmalloc-96", "kmalloc-192", "kmalloc-8",
			     "kmalloc-16", "kmalloc-32", "kmalloc-64",
			     "kmalloc-128", "kmalloc-256", "kmalloc-512",
			     "kmalloc-1k", "kmalloc-2k", "kmalloc-4k",
			     "kmalloc-8k" },
	[KMALLOC_RECLAIM] = { NULL, "kmalloc-rcl-96", "kmalloc-rcl-192",
			      "kmalloc-rcl-8", "kmalloc-rcl-16",
			      "kmalloc-rcl-32", "kmalloc-rcl-64",
			      "kmalloc-rcl-128", "kmalloc-rcl-256",
			      "kmalloc-rcl-512", "kmalloc-rcl-1k",
			      "kmalloc-rcl-2k", "kmalloc-rcl-4k",
			      "kmalloc-rcl-8k" },
	[KMALLOC_DMA] = { NULL, "dma-kmalloc-96", "dma-kmalloc-192",
			  "dma-kmalloc-8", "dma-kmalloc-16", "dma-kmalloc-32",
			  "dma-kmalloc-64", "dma-kmalloc-128",
			  "dma-kmalloc-256", "dma-kmalloc-512",
			  "dma-kmalloc-1k", "dma-kmalloc-2k", "dma-kmalloc-4k",
			  "dma-kmalloc-8k" },
};

static unsigned int kmalloc_size(unsigned int idx)
{
	return idx == 1 ? 96 : idx == 2 ? 192 : 1u << idx;
}

/* Linux's size_index[]: the class of sizes up to 192, by (size - 1) / 8. */
static const unsigned char size_index[24] = {
	3, /* 8 */ 4, /* 16 */ 5, 5, /* 32 */ 6, 6, 6, 6, /* 64 */
	1, 1,	      1,	  1, /* 96 */ 7, 7, 7, 7, /* 128 */
	2, 2,	      2,	  2, 2,		 2, 2, 2, /* 192 */
};

/* Linux's kmalloc_index(): the size class of @size (1 <= size <= 8k). */
static inline unsigned int kmalloc_index(size_t size)
{
	if (likely(size <= 192))
		return size_index[(size - 1) / 8];
	return (unsigned int)fls_long(size - 1);
}

static enum kmalloc_cache_type kmalloc_type(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return KMALLOC_DMA;
	if (gfp & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return KMALLOC_NORMAL;
}

static struct kmem_cache *new_kmalloc_cache(struct mmk_machine *m,
					    unsigned int idx,
					    enum kmalloc_cache_type type)
{
	static const slab_flags_t type_flags[NR_KMALLOC_TYPES] = {
		[KMALLOC_RECLAIM] = SLAB_RECLAIM_ACCOUNT,
		[KMALLOC_DMA] = SLAB_CACHE_DMA,
	};
	unsigned int size = kmalloc_size(idx);
	/* Power-of-two sizes are naturally aligned; 96 and 192 get the
	 * largest power of two dividing them. */
	unsigned int align = size & -size;
	struct kmem_cache *s;

	s = __kmem_cache_create(m, kmalloc_names[type][idx], size, align,
				SLAB_KMALLOC | SLAB_NO_MERGE | type_flags[type],
				NULL);
	__atomic_store_n(&m->kmalloc_caches[type][idx], s, __ATOMIC_RELEASE);
	if (s && type == KMALLOC_NORMAL)
		m->kmalloc_cpu_array[idx] = s->cpu_array;
	return s;
}

int create_kmalloc_caches(struct mmk_machine *m)
{
	unsigned int type, i,
		types = m->slab->kmalloc_types_on_demand ? 1 : NR_KMALLOC_TYPES;

	for (type = KMALLOC_NORMAL; type < types; type++) {
		if (!new_kmalloc_cache(m, 1, type) ||
		    !new_kmalloc_cache(m, 2, type))
			return -ENOMEM;
		for (i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++)
			if (!new_kmalloc_cache(m, i, type))
				return -ENOMEM;
	}
	m->slab->up = true;
	return 0;
}

bool should_failslab(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp)
{
	struct mmk_fail *f = &m->fail[MMK_FAIL_SLAB];

	/* The cache of cache descriptors is exempt, as in Linux. */
	if (s == m->slab->kmem_cache || (gfp & __GFP_NOFAIL))
		return false;
	if (f->attr.cache && strcmp(f->attr.cache, s->name) != 0)
		return false;
	return should_fail(m, f);
}

/* ---- slub_debug ---- */

#define SLUB_DEBUG_DEFAULT                                       \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
	 SLAB_STORE_USER)

/* One block of a slub_debug string (Linux's parse_slub_debug_flags()):
 * its flags (FZPU if it has no letters but a list), in *@slabs its cache
 * list or NULL, O in *@order_off; returns the next block or NULL. *@bad:
 * a character that is no letter of it. */
static const char *slub_debug_block(const char *str, slab_flags_t *flags,
				    const char **slabs, bool *order_off,
				    bool *bad)
{
	*bad = false;
	while (*str == ';')
		str++;
	*flags = *str == ',' ? SLUB_DEBUG_DEFAULT : 0;
	for (; *str && *str != ',' && *str != ';'; str++) {
		switch (*str | 0x20) {
		case '-':
			*flags = 0;
			break;
		case 'f':
			*flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			*flags |= SLAB_RED_ZONE;
			break;
		case 'p':
			*flags |= SLAB_POISON;
			break;
		case 'u':
			*flags |= SLAB_STORE_USER;
			break;
		case 't':
			*flags |= SLAB_TRACE;
			break;
		case 'o':
			if (order_off)
				*order_off = true;
			break;
		default:
			*bad = true;
		}
	}
	*slabs = *str == ',' ? str + 1 : NULL;
	while (*str && *str != ';')
		str++;
	while (*str == ';')
		str++;
	return *str ? str : NULL;
}

int parse_slub_debug(const char *s, slab_flags_t *global, bool *order_off)
{
	bool listed = false, changed = false, bad;
	const char *slabs;
	slab_flags_t flags;

	*global = 0;
	if (order_off)
		*order_off = false;
	if (!s || !*s) /* off (the kernel's bare "slub_debug" is FZPU) */
		return 0;
	while (s) {
		s = slub_debug_block(s, &flags, &slabs, order_off, &bad);
		if (bad)
			return -EINVAL;
		if (slabs) {
			listed = true;
		} else {
			*global = flags;
			changed = true;
		}
	}
	/* A list alone changes only the caches it names. */
	if (listed && !changed)
		*global = 0;
	return 0;
}

slab_flags_t kmem_cache_flags(struct mmk_machine *m, slab_flags_t flags,
			      const char *name)
{
	const char *next = m->slab->debug_string, *iter;
	size_t len = strlen(name);

	while (next) {
		slab_flags_t block;
		bool bad;

		next = slub_debug_block(next, &block, &iter, NULL, &bad);
		while (iter && *iter) {
			const char *end = iter, *glob;
			size_t cmplen;

			while (*end && *end != ',')
				end++;
			if (next && next < end)
				end = next - 1;
			glob = memchr(iter, '*', (size_t)(end - iter));
			cmplen = glob ? (size_t)(glob - iter) :
					max(len, (size_t)(end - iter));
			if (!strncmp(name, iter, cmplen))
				return flags | block;
			if (!*end || *end == ';')
				break;
			iter = end + 1;
		}
	}
	return flags | m->slab->debug_flags;
}

/* ---- caches ---- */

static bool slab_unmergeable(struct mmk_machine *m, struct kmem_cache *s)
{
	return m->slab->nomerge || (s->flags & SLAB_NEVER_MERGE) || s->ctor ||
	       s->refcount < 0;
}

static struct kmem_cache *find_mergeable(struct mmk_machine *m,
					 unsigned int size, unsigned int align,
					 slab_flags_t flags, const char *name,
					 void (*ctor)(void *))
{
	struct kmem_cache *s;
	struct list_head *pos;

	flags = kmem_cache_flags(m, flags, name);
	if (m->slab->nomerge || ctor || (flags & SLAB_NEVER_MERGE))
		return NULL;
	size = ALIGN(size, (unsigned int)sizeof(void *));
	align = calculate_alignment(flags, align, size);
	size = ALIGN(size, align);
	/* Oldest first, as Linux walks slab_caches in reverse. Slabs are
	 * coloured in steps of max(64, s->align), as SLAB's are, so an
	 * object size that is a multiple of @align is not enough: @align
	 * must divide that step too (an @align above 64 and s->align). */
	for (pos = m->slab->caches.prev; pos != &m->slab->caches;
	     pos = pos->prev) {
		s = list_entry(pos, struct kmem_cache, list);
		if (slab_unmergeable(m, s) || size > s->size ||
		    ((flags ^ s->flags) & SLAB_MERGE_SAME) ||
		    (s->size & ~(align - 1)) != s->size ||
		    s->size - size >= 8 || s->colour_off % align)
			continue;
		return s;
	}
	return NULL;
}

/* A name for the cache's lifetime: the library's read-only ones as they
 * are, any other a kmalloc'd copy (Linux's kstrdup_const). */
static const char *kstrdup_const(const char *s)
{
	size_t len;
	char *p;

	if (is_mmk_rodata(s))
		return s;
	len = strlen(s) + 1;
	p = kmalloc(len, GFP_KERNEL);
	if (p)
		memcpy(p, s, len);
	return p;
}

static void kfree_const(const char *s)
{
	if (!is_mmk_rodata(s))
		kfree(s);
}

static struct kmem_cache *create_failed(struct mmk_machine *m, const char *name,
					slab_flags_t flags, int err)
{
	if (flags & SLAB_PANIC) {
		char msg[160];

		snprintf(
			msg, sizeof msg,
			"__kmem_cache_create_args: Failed to create slab '%s'. Error %d",
			name ? name : "(null)", err);
		mmk_vm_bug(__FILE__, __LINE__, msg, NULL);
	}
	printk(m, "__kmem_cache_create_args(%s) failed with error %d",
	       name ? name : "(null)", err);
	errno = -err;
	return NULL;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *))
{
	struct mmk_machine *m = mmk_cur();
	struct kmem_cache *s;
	int saved_errno, err;
	const char *copy;

	if (!m) {
		errno = EINVAL;
		return NULL;
	}
	if (!name || !*name || !size || size > KMALLOC_MAX_SIZE ||
	    (align & (align - 1)) || align > (PAGE_SIZE << MAX_PAGE_ORDER))
		return create_failed(m, name, flags, -EINVAL);
	if (flags & ~SLAB_FLAGS_PERMITTED)
		return create_failed(m, name, flags, -EINVAL);
	if (flags & SLAB_TYPESAFE_BY_RCU) {
		printk(m,
		       "kmem_cache_create(%s): SLAB_TYPESAFE_BY_RCU needs RCU, which mmkit does not have",
		       name);
		return create_failed(m, name, flags, -EINVAL);
	}
	pthread_mutex_lock(&m->slab->slab_mutex);
	s = find_mergeable(m, size, align, flags, name, ctor);
	if (s) {
		s->refcount++;
		s->object_size = max(s->object_size, size);
		s->inuse = max(s->inuse,
			       ALIGN(size, (unsigned int)sizeof(void *)));
		pthread_mutex_unlock(&m->slab->slab_mutex);
		return s;
	}
	copy = kstrdup_const(name);
	/* errno says why only on failure: libmmkit-malloc.so makes caches
	 * inside malloc(), which must leave errno alone. */
	saved_errno = errno;
	errno = 0;
	s = copy ? __kmem_cache_create(m, copy, size, align, flags, ctor) :
		   NULL;
	err = errno ? errno : ENOMEM;
	errno = saved_errno;
	pthread_mutex_unlock(&m->slab->slab_mutex);
	if (!s) {
		kfree_const(copy);
		return create_failed(m, name, flags, -err);
	}
	return s;
}

/* Whether @s is one of this machine's caches, or one a destroy left with
 * objects (slab_mutex held): a cache destroyed already, or a pointer that
 * never was one, is refused with a warning rather than followed. */
static bool cache_is_live(struct mmk_machine *m, const struct kmem_cache *s,
			  const char *call)
{
	const struct kmem_cache *c;

	list_for_each_entry(c, &m->slab->caches, list)
		if (c == s)
			return true;
	list_for_each_entry(c, &m->slab->leaked, list)
		if (c == s)
			return true;
	printk(m, "WARNING: %s: %p is not a live cache", call, (const void *)s);
	return false;
}

int kmem_cache_destroy(struct kmem_cache *s)
{
	struct mmk_machine *m = mmk_cur();
	const char *name;
	int err;

	if (!s)
		return 0;
	if (!m)
		return -EINVAL; /* no machine's cache, then */
	pthread_mutex_lock(&m->slab->slab_mutex);
	if (!cache_is_live(m, s, "kmem_cache_destroy")) {
		pthread_mutex_unlock(&m->slab->slab_mutex);
		return -EINVAL;
	}
	if (--s->refcount > 0) {
		pthread_mutex_unlock(&m->slab->slab_mutex);
		return 0;
	}
	name = s->name;
	err = __kmem_cache_destroy(m, s);
	pthread_mutex_unlock(&m->slab->slab_mutex);
	if (!err && name)
		kfree_const(name);
	return err;
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	struct mmk_machine *m = mmk_cur();
	int ret = 0;

	if (!m || !s)
		return 0;
	pthread_mutex_lock(&m->slab->slab_mutex);
	if (cache_is_live(m, s, "kmem_cache_shrink"))
		ret = __kmem_cache_shrink(m, s);
	pthread_mutex_unlock(&m->slab->slab_mutex);
	return ret;
}

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s ? s->object_size : 0;
}

const char *kmem_cache_name(struct kmem_cache *s)
{
	return s ? s->name : NULL;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	struct mmk_machine *m;
	void *obj;

	/* A thread without a CPU (or a machine) has no array offset. */
	if (unlikely(!s))
		return NULL;
	if (likely(slab_alloc_fast(s, gfp, &obj)))
		return obj;
	m = mmk_ctx.m;
	if (unlikely(!m))
		return NULL;
	return slab_alloc(m, s, gfp, NUMA_NO_NODE);
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfp, int node)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || !s)
		return NULL;
	return slab_alloc(m, s, gfp, node);
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp | __GFP_ZERO);
}

/* The cache an object belongs to, reporting frees Linux's
 * cache_from_obj() would warn about. NULL: do not free. */
static struct slab *checked_slab(struct mmk_machine *m, const void *obj,
				 const char *caller)
{
	struct slab *slab = virt_to_slab(m, obj);

	if (!slab) {
		printk(m,
		       "WARNING: %s: object 0x%lx is not a slab object; ignored",
		       caller,
		       (unsigned long)(m->arch->page_offset +
				       mmk_virt_to_phys(m, obj)));
		return NULL;
	}
	return slab;
}

/* Everything but the fast path of kmem_cache_free: the checks and their
 * reports, and slab_free(). */
static noinline void kmem_cache_free_slow(struct kmem_cache *s, void *obj)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct slab *slab;

	if (unlikely(!m || !obj))
		return;
	slab = checked_slab(m, obj, "kmem_cache_free");
	if (!slab)
		return;
	if (unlikely(slab->slab_cache != s)) {
		printk(m,
		       "WARNING: cache_from_obj: Wrong slab cache. %s but object is from %s",
		       s ? s->name : "(null)", slab->slab_cache->name);
		s = slab->slab_cache;
	}
	slab_free(m, s, slab, obj);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct slab *slab;

	/* The fast path needs no callee-saved register: every other case
	 * is a tail call. NULL lies below the direct map: virt_to_slab()
	 * finds no slab for it. */
	if (likely(m)) {
		slab = virt_to_slab(m, obj);
		if (likely(slab && slab->slab_cache == s &&
			   slab_free_fast(m, s, slab, obj, s->cpu_array)))
			return;
	}
	kmem_cache_free_slow(s, obj);
}

int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp, size_t size,
			  void **p)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || !s || !size || !p)
		return 0;
	return slab_alloc_bulk(m, s, gfp, size, p);
}

void kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	struct mmk_machine *m = mmk_cur();
	size_t i;

	if (!m || !size || !p)
		return;
	if (!s) {
		/* kfree_bulk(): each object's own cache. */
		for (i = 0; i < size; i++)
			kfree(p[i]);
		return;
	}
	slab_free_bulk(m, s, size, p);
}

/* ---- kmalloc ---- */

gfp_t kmalloc_fix_flags(struct mmk_machine *m, gfp_t flags)
{
	gfp_t invalid = flags & GFP_SLAB_BUG_MASK;
	char bad[160], fixed[160];

	flags &= ~GFP_SLAB_BUG_MASK;
	format_gfp(invalid, bad, sizeof bad);
	format_gfp(flags, fixed, sizeof fixed);
	printk(m,
	       "Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!",
	       invalid, bad, flags, fixed);
	return flags;
}

static void *kmalloc_large(struct mmk_machine *m, size_t size, gfp_t gfp,
			   int node)
{
	unsigned int order = 0;
	struct page *page;

	if (unlikely(gfp & GFP_SLAB_BUG_MASK))
		gfp = kmalloc_fix_flags(m, gfp);

	while (((size_t)PAGE_SIZE << order) < size && order <= MAX_PAGE_ORDER)
		order++;
	page = alloc_pages_node(node, (gfp & ~__GFP_HIGHMEM) | __GFP_COMP,
				order);
	if (!page)
		return NULL;
	page->page_type = PGTY_large_kmalloc << 24;
	atomic_fetch_add_explicit(
		&m->node_stat[page_to_nid(page)][NR_SLAB_UNRECLAIMABLE],
		1L << order, memory_order_relaxed);
	return page_address(page);
}

/* The cache of @type and @idx, made now if the machine makes them on
 * demand; NULL if it cannot be. */
static noinline struct kmem_cache *
kmalloc_cache_demand(struct mmk_machine *m, enum kmalloc_cache_type type,
		     unsigned int idx)
{
	struct kmem_cache *s;

	pthread_mutex_lock(&m->slab->slab_mutex);
	s = m->kmalloc_caches[type][idx];
	if (!s)
		s = new_kmalloc_cache(m, idx, type);
	pthread_mutex_unlock(&m->slab->slab_mutex);
	return s;
}

void *kmalloc_node(size_t size, gfp_t gfp, int node)
{
	struct mmk_machine *m = mmk_ctx.m;
	enum kmalloc_cache_type type;
	struct kmem_cache *s;
	unsigned int idx;

	if (unlikely(!m))
		return NULL;
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return kmalloc_large(m, size, gfp,
				     node == NUMA_NO_NODE ? numa_node_id() :
							    node);
	type = kmalloc_type(gfp);
	idx = kmalloc_index(size);
	s = __atomic_load_n(&m->kmalloc_caches[type][idx], __ATOMIC_ACQUIRE);
	if (unlikely(!s)) {
		s = kmalloc_cache_demand(m, type, idx);
		if (!s)
			return NULL;
	}
	if (node == NUMA_NO_NODE) {
		void *obj;

		if (likely(slab_alloc_fast(s, gfp, &obj)))
			return obj;
	}
	return slab_alloc_size(m, s, gfp, node, (unsigned int)size);
}

static noinline void *kmalloc_slow(size_t size, gfp_t gfp)
{
	return kmalloc_node(size, gfp, NUMA_NO_NODE);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	struct mmk_machine *m = mmk_ctx.m;

	/* The fast path: a size class of the normal caches, no zeroing,
	 * this CPU's array; everything else (and every check) in
	 * kmalloc_node(). */
	if (likely(m && size - 1 < KMALLOC_MAX_CACHE_SIZE &&
		   !(gfp & (__GFP_DMA | __GFP_RECLAIMABLE | __GFP_ZERO)))) {
		unsigned int idx = kmalloc_index(size);
		void *obj;

		if (likely(__slab_alloc_fast_at(
			    m->kmalloc_caches[KMALLOC_NORMAL][idx],
			    m->kmalloc_cpu_array[idx], &obj)))
			return obj;
	}
	return kmalloc_slow(size, gfp);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

/* What @p is: a slab object (returns its slab), a large kmalloc (sets
 * *large), or neither (reported; returns NULL and *large false). */
static struct slab *kmalloc_owner(struct mmk_machine *m, const void *p,
				  struct page **large, const char *caller)
{
	struct page *page = virt_to_page(p);

	*large = NULL;
	if (page) {
		page = compound_head(page);
		if (page_type_of(page) == PGTY_slab)
			return page_slab(page);
		if (page_type_of(page) == PGTY_large_kmalloc &&
		    p == page_address(page)) {
			*large = page;
			return NULL;
		}
	}
	/* The kernel address if it is one (direct map, vmalloc, kmap),
	 * else the host's pointer, which no kernel address stands for. */
	if (mmk_kaddr(p))
		printk(m,
		       "WARNING: %s: %#lx was not returned by kmalloc; ignored",
		       caller, mmk_kaddr(p));
	else
		printk(m,
		       "WARNING: %s: %p (no kernel address) was not returned by kmalloc; ignored",
		       caller, p);
	if (page)
		dump_page(m, page, "Not a kmalloc allocation");
	return NULL;
}

static noinline void kfree_slow(const void *p)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct page *large;
	struct slab *slab;

	if (unlikely(!m || ZERO_OR_NULL_PTR(p)))
		return;
	slab = kmalloc_owner(m, p, &large, "kfree");
	if (slab) {
		slab_free(m, slab->slab_cache, slab, (void *)p);
		return;
	}
	if (large) {
		unsigned int order = compound_order(large);

		atomic_fetch_sub_explicit(
			&m->node_stat[page_to_nid(large)][NR_SLAB_UNRECLAIMABLE],
			1L << order, memory_order_relaxed);
		large->page_type = 0;
		__free_pages(large, order);
	}
}

void kfree(const void *p)
{
	struct mmk_machine *m = mmk_ctx.m;
	struct slab *slab;

	/* The fast path needs no callee-saved register: every other case
	 * is a tail call. NULL and ZERO_SIZE_PTR lie below the direct map:
	 * virt_to_slab() finds no slab for them. */
	if (likely(m)) {
		struct kmem_cache *s;
		size_t cpu_array;

		slab = virt_to_slab_cache(m, p, &s, &cpu_array);
		if (likely(slab &&
			   slab_free_fast(m, s, slab, (void *)p, cpu_array)))
			return;
	}
	kfree_slow(p);
}

size_t ksize(const void *p)
{
	struct mmk_machine *m = mmk_cur();
	struct page *large;
	struct slab *slab;

	if (!m || ZERO_OR_NULL_PTR(p))
		return 0;
	slab = kmalloc_owner(m, p, &large, "ksize");
	if (slab) {
		struct kmem_cache *s = slab->slab_cache;

		/* The caller may use all of it: no kmalloc red zone now. */
		slab_set_kmalloc_size(s, (void *)p, s->object_size);
		if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
			return s->object_size;
		if (s->flags & SLAB_STORE_USER)
			return s->inuse;
		return s->size;
	}
	return large ? PAGE_SIZE << compound_order(large) : 0;
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	struct mmk_machine *m = mmk_cur();
	struct page *large;
	struct slab *slab;
	size_t ks, orig;
	void *ret;

	if (!m)
		return NULL;
	if (!new_size) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (ZERO_OR_NULL_PTR(p))
		return kmalloc(new_size, gfp);
	slab = kmalloc_owner(m, p, &large, "krealloc");
	if (!slab && !large)
		return NULL;
	/* As Linux's __do_krealloc(): a kmalloc cache with tracking knows
	 * the size asked for (orig), the rest of its object is red zone. */
	if (slab) {
		ks = slab->slab_cache->object_size;
		orig = slab_kmalloc_size(slab->slab_cache, (void *)p);
	} else {
		ks = PAGE_SIZE << compound_order(large);
		orig = 0;
	}
	if (new_size <= ks) {
		if ((gfp & __GFP_ZERO) && orig && orig < new_size)
			memset((char *)p + orig, 0, new_size - orig);
		else if (gfp & __GFP_ZERO)
			memset((char *)p + new_size, 0, ks - new_size);
		if (slab)
			slab_set_kmalloc_size(slab->slab_cache, (void *)p,
					      (unsigned int)new_size);
		return (void *)p;
	}
	ret = kmalloc(new_size, gfp);
	if (!ret)
		return NULL;
	memcpy(ret, p, orig ? orig : ks);
	kfree(p);
	return ret;
}
