/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator (Linux's mm/slub.c, with the SLAB design's per-CPU
 * object arrays).
 *
 * 1. What it models. Object caches carved from page-allocator slabs:
 *    kmem_cache_create/alloc/free/shrink/destroy, bulk calls, node-local
 *    full/partial/free slab lists, constructors run once per object when
 *    its slab is made, slab colouring, SLUB's size and order calculation
 *    (calculate_sizes, calculate_order), slub_debug red zones (kmalloc's
 *    beyond the requested size too), poisoning, padding checks, tracking,
 *    double/invalid free, use-after-free and freelist corruption
 *    detection with Linux 6.18's reports and repairs (a corrupted chain
 *    cut, a slab whose object fails its allocation checks given up, a
 *    slab checked before its pages go with SLAB_CONSISTENCY_CHECKS),
 *    freelist pointer hardening and randomisation, failslab.
 *
 * 2. Objects. See mm/slab.h for the picture. A slab is a (compound) block
 *    from alloc_pages; its head struct page doubles as struct slab. Free
 *    objects of a slab form a singly linked list through a free pointer
 *    stored at s->offset inside (or, with a ctor or poisoning, after) each
 *    object, encoded as ptr ^ s->random ^ bswap(&slot) (FREELIST_HARDENED);
 *    slab->freelist, the head, is a plain pointer, as in Linux. With
 *    mmk_config's slab_freelist_corrupt (no Linux counterpart beyond
 *    slub_debug's check_valid_pointer), every pointer followed must be
 *    an object's place in the slab, each is cleared as its object leaves
 *    the list, a new slab starts zeroed, and the list must end at the
 *    last listed free object; otherwise the hook is called (it aborts):
 *    an object off the caches holds only what was written to it since
 *    its slab was made. A new slab
 *    hands its first objects straight to the refill that made it; in
 *    caches without random order or debugging, the rest stay a fresh
 *    tail (slab->fresh objects at the end, on no freelist, never
 *    written) taken once the freelist is empty, in the order a freelist
 *    built at once would give (Linux builds it at once).
 *    Each CPU has an array cache (percpu data, as SLAB's: the header
 *    packed with the other caches', the slots with the CPU's slots of
 *    the other caches, per_cpu_slots()): a stack of up
 *    to `limit` free objects of any slab of the cache; allocation pops,
 *    free pushes; an empty array
 *    is refilled with `batchcount` objects from the node's shared array
 *    or else its slabs, and a full one flushes its oldest `batchcount` to
 *    the shared array, or what does not fit back to their slabs. The
 *    shared array (SLAB's, here 16 batches per node with more than one
 *    CPU; allocated when a CPU array first overflows) lets objects freed
 *    on one CPU reach another as pointers, without touching the slabs.
 *    Bulk calls use the same three levels.
 *
 * 3. Invariants (slab_verify checks each).
 *    S1 every slab on a node list has page_type PGTY_slab with
 *       s->cpu_array in its low bits (slab_page_type), slab_cache == s
 *       and s->objects objects; it is on slabs_full iff inuse == objects,
 *       slabs_free iff inuse == 0, slabs_partial otherwise.
 *    S2 a slab's freelist decodes to distinct object boundaries inside the
 *       slab, outside its fresh tail, and objects - (freelist length) -
 *       fresh == inuse.
 *    S3 node counters (total_slabs, free_slabs, total_objects,
 *       free_objects) equal what the lists add up to.
 *    S4 an object in a CPU array or a node's shared array belongs to the
 *       cache and is free in no slab (freelist or fresh tail);
 *       avail <= limit.
 *    S5 with SLAB_RED_ZONE / SLAB_POISON, free objects keep their poison
 *       and every object its red zones and padding (checked on alloc, free
 *       and check; not in a slab whose free objects a repair abandoned:
 *       they count as used). No object is in the arrays twice.
 *    S6 with a slab map: every page of a listed slab has its cache's map
 *       id if the slab has s->order, else 0, all of them with the mark or
 *       none; a page with an id is in a slab of s->order of the cache with
 *       that id.
 *
 * 4. Departures.
 *    - Per-CPU caches are SLAB-style arrays instead of SLUB's per-CPU
 *      slab with a lockless freelist: with a CPU owned by one thread, an
 *      array pop/push is the cheapest possible fast path and frees from
 *      any CPU are handled the same way. Caches with debug flags bypass
 *      the arrays so every operation is checked, as SLUB's debug caches
 *      take its slow path.
 *    - Colouring (from SLAB): slabs of a cache start their objects at
 *      successive multiples of the cache line within the slab's leftover
 *      space; kmalloc caches are not coloured, to keep their power-of-two
 *      objects naturally aligned.
 *    - No RCU, so SLAB_TYPESAFE_BY_RCU is refused. No memcg accounting
 *      (SLAB_ACCOUNT is accepted and ignored), no kmalloc-cg-* caches.
 *    - Tracking (SLAB_STORE_USER) records a slab operation sequence
 *      number and the CPU in Linux's 32-byte struct track, not call
 *      sites or stack traces (which would show host addresses); reports
 *      print no WARN backtrace.
 *    - The boundary and double-free checks of a free run in every debug
 *      cache, not only with SLAB_CONSISTENCY_CHECKS, and an allocation
 *      checks the free pointer it follows: a corrupted one would take
 *      the simulator down where it takes Linux down.
 *    - kmem_cache_destroy returns -EBUSY when objects remain.
 *    - The slab map (slab_map_enable; off unless the machine's owner
 *      asks, as libmmkit-malloc.so does): a byte per page, the map id of
 *      an uncoloured cache (kmem_cache_set_map_id) on every page of its
 *      slabs of s->order, stored before the slab's objects are handed
 *      out and cleared before its pages are freed, so a free can find an
 *      object's cache and check its boundary without its struct page.
 *      Linux has no such map (its kmalloc finds the slab through the
 *      page); it lives in host memory, outside the machine's RAM. The
 *      map's owner may mark a slab's entries (slab_map_mark, the top bit)
 *      to send frees into it to its slow path.
 *    - kmem_cache_claim_slab (no Linux counterpart): hands a sparse
 *      slab's free objects to the caller at once, as allocated, so that
 *      an allocator built on the slab layer can lend a slab's free space
 *      to objects of another size (libmmkit-malloc.so's borrowing).
 *
 * 5. Ordering and locks. slab_mutex (cache list, create, destroy, shrink,
 *    check) > cpu guards of a cache (remote side) > node list_lock > page
 *    allocator locks. The allocation and free fast paths take only their
 *    own CPU's guard.
 *
 * 6. Observability. /proc/slabinfo, /proc/meminfo Slab/SReclaimable/
 *    SUnreclaim, /proc/vmstat nr_slab_*; debug reports in the kernel log;
 *    `check`.
 */
#include "mm/slab.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POISON_INUSE 0x5a
#define POISON_FREE 0x6b
#define POISON_END 0xa5
#define SLUB_RED_INACTIVE 0xbb
#define SLUB_RED_ACTIVE 0xcc
#define MAX_OBJS_PER_PAGE 32767

/* What SLAB_STORE_USER keeps per object, twice (alloc, free), laid out as
 * Linux's struct track (with CONFIG_STACKDEPOT) so that debug objects
 * have Linux's sizes. mmkit records no call site or stack, which would
 * be host addresses: addr and handle stay 0, and when is a slab
 * operation sequence number (0: never) instead of jiffies. */
struct track {
	unsigned long addr;
	unsigned int handle;
	int cpu;
	int pid;
	unsigned long when;
};

_Static_assert(sizeof(struct track) == 32, "Linux's struct track");

enum track_item { TRACK_ALLOC, TRACK_FREE };

#define SLAB_DEBUG_FLAGS                                 \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | \
	 SLAB_CONSISTENCY_CHECKS | SLAB_TRACE)
/* ---- addresses, free pointers ---- */

static inline void *slab_address(struct mmk_machine *m, struct slab *slab)
{
	return (char *)m->phys.base +
	       ((size_t)(slab_page(slab) - m->mem_map) << PAGE_SHIFT);
}

/* The kernel virtual address of a direct-map pointer, for reports. */
static unsigned long kaddr(struct mmk_machine *m, const void *p)
{
	return (unsigned long)(m->arch->page_offset +
			       (uint64_t)((const char *)p -
					  (const char *)m->phys.base));
}

static inline void *freeptr_encode(const struct kmem_cache *s, void *ptr,
				   const void *slot)
{
	return (void *)((uintptr_t)ptr ^ s->random ^
			__builtin_bswap64((uintptr_t)slot));
}

static inline void *get_freepointer(const struct kmem_cache *s, void *obj)
{
	void *slot = (char *)obj + s->offset;
	void *enc;

	memcpy(&enc, slot, sizeof(enc));
	return freeptr_encode(s, enc, slot);
}

static inline void set_freepointer(const struct kmem_cache *s, void *obj,
				   void *fp)
{
	void *slot = (char *)obj + s->offset;
	void *enc = freeptr_encode(s, fp, slot);

	memcpy(slot, &enc, sizeof(enc));
}

static inline struct array_cache *cpu_array(const struct mmk_machine *m,
					    const struct kmem_cache *s, int cpu)
{
	return slab_cpu_array(m, s, cpu);
}

/* Bitmaps of a slab's objects, by index. */
#define OBJ_MAP_LONGS ((MAX_OBJS_PER_PAGE + 1) / BITS_PER_LONG + 1)

static inline void obj_map_set(unsigned long *map, unsigned long i)
{
	map[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
}

static inline bool obj_map_test(const unsigned long *map, unsigned long i)
{
	return map[i / BITS_PER_LONG] >> (i % BITS_PER_LONG) & 1;
}

/* The address of @slab's first object. */
static inline char *slab_objects(struct mmk_machine *m, struct kmem_cache *s,
				 struct slab *slab)
{
	return (char *)slab_address(m, slab) + slab->colour + s->red_left_pad;
}

/* A slab's order: the compound order of its head. */
static unsigned int slab_order(struct slab *slab)
{
	struct page *page = slab_page(slab);

	return PageHead(page) ? compound_order(page) : 0;
}

/* ---- debug: red zones, poison, tracking, reports ---- */

/*
 * A debug object's layout, as SLUB's: [left red zone] object [right red
 * zone, up to s->inuse] [free pointer, when it may not overlay the
 * object] [two tracks] [kmalloc's requested size] [padding], s->size in
 * all. Red zones hold SLUB_RED_ACTIVE while the object is allocated and
 * SLUB_RED_INACTIVE while it is free; with SLAB_POISON a slab starts
 * filled with POISON_INUSE (which its padding keeps) and a free object
 * holds POISON_FREE ending in POISON_END.
 */

static inline bool freeptr_outside_object(const struct kmem_cache *s)
{
	return s->offset >= s->inuse;
}

/* Where the tracks start: after the free pointer if it is outside. */
static inline unsigned int get_info_end(const struct kmem_cache *s)
{
	return freeptr_outside_object(s) ?
		       s->inuse + (unsigned int)sizeof(void *) :
		       s->inuse;
}

/* kmalloc caches with tracking keep each object's requested size, whose
 * excess up to the object size is red zone too (Linux's
 * slub_debug_orig_size()). */
static inline bool slub_debug_orig_size(const struct kmem_cache *s)
{
	return (s->flags & (SLAB_STORE_USER | SLAB_KMALLOC)) ==
	       (SLAB_STORE_USER | SLAB_KMALLOC);
}

/* Where the metadata ends and the padding starts. */
static unsigned int meta_end(const struct kmem_cache *s)
{
	unsigned int off = get_info_end(s);

	if (s->flags & SLAB_STORE_USER) {
		off += 2 * (unsigned int)sizeof(struct track);
		if (s->flags & SLAB_KMALLOC)
			off += (unsigned int)sizeof(unsigned int);
	}
	return off;
}

/* s->size less the left red zone: the bytes from an object's start to
 * the next object's left red zone. */
static inline unsigned int size_from_object(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

static struct track *get_track(struct kmem_cache *s, void *obj,
			       enum track_item which)
{
	return (struct track *)((char *)obj + get_info_end(s)) + which;
}

static void set_track(struct mmk_machine *m, struct kmem_cache *s, void *obj,
		      enum track_item which)
{
	struct track t = { 0 };

	if (!(s->flags & SLAB_STORE_USER))
		return;
	t.when = atomic_fetch_add(&m->slab->alloc_seq, 1) + 1;
	t.cpu = mmk_get_cpu();
	memcpy(get_track(s, obj, which), &t, sizeof(t));
}

static void init_tracking(struct kmem_cache *s, void *obj)
{
	if (s->flags & SLAB_STORE_USER)
		memset(get_track(s, obj, TRACK_ALLOC), 0,
		       2 * sizeof(struct track));
}

static void *orig_size_slot(struct kmem_cache *s, void *obj)
{
	return (char *)obj + get_info_end(s) + 2 * sizeof(struct track);
}

static void set_orig_size(struct kmem_cache *s, void *obj, unsigned int size)
{
	if (slub_debug_orig_size(s))
		memcpy(orig_size_slot(s, obj), &size, sizeof(size));
}

/* The requested size (at most the object's: the slot may have been
 * overwritten). */
static unsigned int get_orig_size(struct kmem_cache *s, void *obj)
{
	unsigned int size;

	if (!slub_debug_orig_size(s))
		return s->object_size;
	memcpy(&size, orig_size_slot(s, obj), sizeof(size));
	return min(size, s->object_size);
}

unsigned int slab_kmalloc_size(struct kmem_cache *s, void *obj)
{
	return get_orig_size(s, obj);
}

void slab_set_kmalloc_size(struct kmem_cache *s, void *obj, unsigned int size)
{
	if (!slub_debug_orig_size(s))
		return;
	set_orig_size(s, obj, size);
	if ((s->flags & SLAB_RED_ZONE) && size < s->object_size)
		memset((char *)obj + size, SLUB_RED_ACTIVE,
		       s->object_size - size);
}

/* Linux's __slab_bug() banner; the first report taints the machine with
 * B (bad page) and W (warning), as print_tainted() then shows. */
static void slab_bug(struct mmk_machine *m, struct kmem_cache *s,
		     const char *msg)
{
	printk(m,
	       "=============================================================================");
	printk(m, "BUG %s (%s): %s", s->name,
	       m->slab->tainted ? "Tainted: G    B   W          " :
				  "Not tainted",
	       msg);
	printk(m,
	       "-----------------------------------------------------------------------------");
	printk(m, "%s", "");
	m->slab->tainted = true;
}

__printf(3, 4) static void slab_fix(struct mmk_machine *m, struct kmem_cache *s,
				    const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	printk(m, "FIX %s: %s", s->name, msg);
}

static void print_slab_info(struct mmk_machine *m, struct slab *slab)
{
	char flags[256];

	format_page_flags(m, slab_page(slab), flags, sizeof flags);
	printk(m, "Slab 0x%lx objects=%u used=%u fp=0x%lx flags=%#lx(%s)",
	       kaddr(m, slab_address(m, slab)), slab->objects, slab->inuse,
	       slab->freelist ? kaddr(m, slab->freelist) : 0UL, slab->flags,
	       flags);
}

/* Linux's slab_err(): the banner and the slab. */
__printf(4, 5) static void slab_err(struct mmk_machine *m, struct kmem_cache *s,
				    struct slab *slab, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	slab_bug(m, s, msg);
	print_slab_info(m, slab);
}

static void print_tracking(struct mmk_machine *m, struct kmem_cache *s,
			   void *obj)
{
	static const char *const what[] = { "Allocated", "Freed" };
	int i;

	if (!(s->flags & SLAB_STORE_USER))
		return;
	for (i = TRACK_ALLOC; i <= TRACK_FREE; i++) {
		struct track t;

		memcpy(&t, get_track(s, obj, (enum track_item)i), sizeof(t));
		if (t.when)
			printk(m, "%s as slab operation %lu cpu=%d pid=%d",
			       what[i], t.when, t.cpu, t.pid);
	}
}

static void print_trailer(struct mmk_machine *m, struct kmem_cache *s,
			  struct slab *slab, void *obj)
{
	unsigned char *p = obj, *addr = slab_address(m, slab);
	void *fp = get_freepointer(s, obj);
	unsigned int off = meta_end(s);

	print_tracking(m, s, obj);
	print_slab_info(m, slab);
	printk(m, "Object 0x%lx @offset=%lu fp=0x%lx", kaddr(m, obj),
	       (unsigned long)(p - addr), fp ? kaddr(m, fp) : 0UL);
	printk(m, "%s", "");
	if (s->flags & SLAB_RED_ZONE)
		print_hex_dump(m, "Redzone  ", p - s->red_left_pad,
			       s->red_left_pad);
	else if (p > addr + 16)
		print_hex_dump(m, "Bytes b4 ", p - 16, 16);
	print_hex_dump(m, "Object   ", p, min(s->object_size, PAGE_SIZE));
	if (s->flags & SLAB_RED_ZONE)
		print_hex_dump(m, "Redzone  ", p + s->object_size,
			       s->inuse - s->object_size);
	if (off != size_from_object(s))
		print_hex_dump(m, "Padding  ", p + off,
			       size_from_object(s) - off);
}

/* Linux's check_valid_pointer(): NULL, or an object of @slab. */
static bool valid_pointer(struct mmk_machine *m, struct kmem_cache *s,
			  struct slab *slab, const void *p)
{
	return !p || obj_index(m, s, slab, p) >= 0;
}

static void object_err(struct mmk_machine *m, struct kmem_cache *s,
		       struct slab *slab, void *obj, const char *reason)
{
	slab_bug(m, s, reason);
	if (!obj || !valid_pointer(m, s, slab, obj)) {
		print_slab_info(m, slab);
		printk(m, "Invalid pointer 0x%lx", obj ? kaddr(m, obj) : 0UL);
	} else {
		print_trailer(m, s, slab, obj);
	}
}

/* The first byte in [p, p+n) that is not @val, or NULL. */
static const unsigned char *first_not(const void *p, int val, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)val)
			return b + i;
	return NULL;
}

/* Bytes of an object that must hold one value. */
struct obj_region {
	const char *what;
	unsigned char *start;
	unsigned int len;
	int val;
};

#define MAX_OBJ_REGIONS 6

/* The regions of @obj with known contents while it is allocated (@val
 * SLUB_RED_ACTIVE) or free (SLUB_RED_INACTIVE), in the order SLUB's
 * check_object() tests them; returns how many. */
static unsigned int object_regions(struct kmem_cache *s, void *obj, int val,
				   struct obj_region *r)
{
	unsigned char *p = obj;
	unsigned int n = 0, off = meta_end(s);

	if (s->flags & SLAB_RED_ZONE) {
		r[n++] = (struct obj_region){ "Left Redzone",
					      p - s->red_left_pad,
					      s->red_left_pad, val };
		r[n++] = (struct obj_region){ "Right Redzone",
					      p + s->object_size,
					      s->inuse - s->object_size, val };
		if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE) {
			unsigned int orig = get_orig_size(s, obj);

			if (orig < s->object_size)
				r[n++] = (struct obj_region){
					"kmalloc Redzone", p + orig,
					s->object_size - orig, val
				};
		}
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		r[n++] = (struct obj_region){ "Alignment padding",
					      p + s->object_size,
					      s->inuse - s->object_size,
					      POISON_INUSE };
	}
	if (!(s->flags & SLAB_POISON))
		return n;
	if (val != SLUB_RED_ACTIVE && !s->ctor) {
		if (s->object_size > 1)
			r[n++] = (struct obj_region){ "Poison", p,
						      s->object_size - 1,
						      POISON_FREE };
		r[n++] = (struct obj_region){ "End Poison",
					      p + s->object_size - 1, 1,
					      POISON_END };
	}
	if (off < size_from_object(s))
		r[n++] = (struct obj_region){ "Object padding", p + off,
					      size_from_object(s) - off,
					      POISON_INUSE };
	return n;
}

static void restore_bytes(struct mmk_machine *m, struct kmem_cache *s,
			  const char *what, int val, unsigned char *from,
			  const unsigned char *to)
{
	slab_fix(m, s, "Restoring %s 0x%lx-0x%lx=0x%x", what, kaddr(m, from),
		 kaddr(m, to - 1), val);
	memset(from, val, (size_t)(to - from));
}

/* Linux's check_bytes_and_report(): the run of wrong bytes in @r (from
 * the first to the last), the object's report if @print_obj (the first
 * failure of a check), and the bytes restored. */
static bool check_bytes(struct mmk_machine *m, struct kmem_cache *s,
			struct slab *slab, void *obj,
			const struct obj_region *r, bool print_obj)
{
	unsigned char *bad =
		(unsigned char *)first_not(r->start, r->val, r->len);
	unsigned char *end = r->start + r->len;

	if (!bad)
		return true;
	while (end > bad && end[-1] == (unsigned char)r->val)
		end--;
	printk(m,
	       "[%s overwritten] 0x%lx-0x%lx @offset=%lu. First byte 0x%x instead of 0x%x",
	       r->what, kaddr(m, bad), kaddr(m, end - 1),
	       (unsigned long)(bad - (unsigned char *)slab_address(m, slab)),
	       *bad, r->val);
	if (print_obj)
		object_err(m, s, slab, obj, "Object corrupt");
	restore_bytes(m, s, r->what, r->val, bad, end);
	return false;
}

/* Linux's check_object(): every region of @obj, then its free pointer
 * (unless it overlays an allocated object); each fault reported and
 * repaired (a bad free pointer is cut: the rest of the list is lost). */
static bool check_object(struct mmk_machine *m, struct kmem_cache *s,
			 struct slab *slab, void *obj, int val)
{
	struct obj_region r[MAX_OBJ_REGIONS];
	unsigned int i, n = object_regions(s, obj, val, r);
	bool ok = true;

	for (i = 0; i < n; i++)
		if (!check_bytes(m, s, slab, obj, &r[i], ok))
			ok = false;
	if ((freeptr_outside_object(s) || val != SLUB_RED_ACTIVE) &&
	    !valid_pointer(m, s, slab, get_freepointer(s, obj))) {
		object_err(m, s, slab, obj, "Freepointer corrupt");
		set_freepointer(s, obj, NULL);
		ok = false;
	}
	return ok;
}

static void init_object(struct kmem_cache *s, void *obj, int val)
{
	unsigned char *p = obj;
	unsigned int poison_size = s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		memset(p - s->red_left_pad, val, s->red_left_pad);
		/* kmalloc's excess is red zone while allocated. */
		if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE)
			poison_size = get_orig_size(s, obj);
	}
	/* __OBJECT_POISON: free and newly allocated objects alike. */
	if ((s->flags & SLAB_POISON) && !s->ctor) {
		memset(p, POISON_FREE, poison_size - 1);
		p[poison_size - 1] = POISON_END;
	}
	if (s->flags & SLAB_RED_ZONE)
		memset(p + poison_size, val, s->inuse - poison_size);
}

/* A new debug slab (Linux's setup_slab_debug() and setup_object_debug()):
 * poisoned padding, free objects' red zones and poison, empty tracks,
 * and a free pointer in every object, valid until the freelist is
 * strung. */
static void setup_slab_debug(struct mmk_machine *m, struct kmem_cache *s,
			     struct slab *slab)
{
	char *base = slab_objects(m, s, slab);
	unsigned int i;

	if (s->flags & SLAB_POISON)
		memset(slab_address(m, slab), POISON_INUSE,
		       PAGE_SIZE << slab_order(slab));
	for (i = 0; i < slab->objects; i++) {
		char *obj = base + (size_t)i * s->size;

		init_object(s, obj, SLUB_RED_INACTIVE);
		init_tracking(s, obj);
		set_freepointer(s, obj, NULL);
	}
}

/* Linux's slab_pad_check(): with SLAB_POISON, the bytes of the slab
 * before its first object (its colour) and after its last hold
 * POISON_INUSE. */
static void slab_pad_check(struct mmk_machine *m, struct kmem_cache *s,
			   struct slab *slab)
{
	unsigned char *start = slab_address(m, slab);
	size_t length = PAGE_SIZE << slab_order(slab);
	size_t used = slab->colour + (size_t)slab->objects * s->size;
	struct {
		unsigned char *pad;
		size_t len;
	} areas[2] = { { start, slab->colour },
		       { start + used, length - used } };
	char msg[96];
	int i;

	if (!(s->flags & SLAB_POISON))
		return;
	for (i = 0; i < 2; i++) {
		unsigned char *fault = (unsigned char *)first_not(
			areas[i].pad, POISON_INUSE, areas[i].len);
		unsigned char *end = areas[i].pad + areas[i].len;

		if (!fault)
			continue;
		while (end > fault && end[-1] == POISON_INUSE)
			end--;
		snprintf(msg, sizeof msg,
			 "Padding overwritten. 0x%lx-0x%lx @offset=%lu",
			 kaddr(m, fault), kaddr(m, end - 1),
			 (unsigned long)(fault - start));
		slab_bug(m, s, msg);
		print_hex_dump(m, "Padding ", areas[i].pad, areas[i].len);
		print_slab_info(m, slab);
		restore_bytes(m, s, "slab padding", POISON_INUSE, fault, end);
	}
}

/* Linux's check_slab(): sane counters, intact padding. */
static bool check_slab(struct mmk_machine *m, struct kmem_cache *s,
		       struct slab *slab)
{
	if (slab->inuse > slab->objects) {
		slab_err(m, s, slab, "inuse %u > max %u", slab->inuse,
			 slab->objects);
		return false;
	}
	if (test_page_flag(slab_page(slab), PG_slab_disabled)) {
		slab_err(
			m, s, slab,
			"Slab disabled since SLUB metadata consistency check failed");
		return false;
	}
	slab_pad_check(m, s, slab);
	return true;
}

/* Whether @obj is on @slab's freelist, for the verifier (which has
 * checked the list first). */
static bool freelist_has(struct kmem_cache *s, struct slab *slab, void *obj)
{
	void *fp = slab->freelist;
	unsigned int n = 0;

	while (fp && n++ <= slab->objects) {
		if (fp == obj)
			return true;
		fp = get_freepointer(s, fp);
	}
	return false;
}

/* @slab's count of objects in use becomes @inuse, after a check found
 * its freelist shorter than the count said: the node's counters and the
 * slab's list follow. Node locked. */
static void slab_recount(struct kmem_cache_node *n, struct slab *slab,
			 unsigned int inuse)
{
	if (inuse > slab->inuse)
		set_page_flag(slab_page(slab), PG_slab_lost);
	if (!slab->inuse)
		n->free_slabs--;
	n->free_objects += slab->inuse;
	n->free_objects -= inuse;
	slab->inuse = (unsigned short)inuse;
	list_del(&slab->slab_list);
	if (!inuse) {
		list_add(&slab->slab_list, &n->slabs_free);
		n->free_slabs++;
	} else {
		list_add(&slab->slab_list, inuse == slab->objects ?
						   &n->slabs_full :
						   &n->slabs_partial);
	}
}

/* Linux's on_freelist(): whether @search is on @slab's freelist, every
 * link checked on the way. A link to no object of the slab is cut there
 * ("Freechain corrupt"; the objects after it are lost), or, at the head,
 * the list is dropped ("Freelist cleared"); a cycle drops it too. A
 * count that disagrees with the list is set to it. Node locked. */
static bool on_freelist(struct mmk_machine *m, struct kmem_cache *s,
			struct kmem_cache_node *n, struct slab *slab,
			void *search)
{
	void *fp = slab->freelist, *object = NULL;
	unsigned int nr = 0, free_max = slab->objects - slab->fresh;

	while (fp && nr <= slab->objects) {
		if (fp == search)
			return true;
		if (!valid_pointer(m, s, slab, fp)) {
			if (object) {
				object_err(m, s, slab, object,
					   "Freechain corrupt");
				set_freepointer(s, object, NULL);
				break;
			}
			slab_err(m, s, slab, "Freepointer corrupt");
			slab->freelist = NULL;
			slab_recount(n, slab, free_max);
			slab_fix(m, s, "Freelist cleared");
			return false;
		}
		object = fp;
		fp = get_freepointer(s, object);
		nr++;
	}
	if (nr > slab->objects) {
		slab_err(m, s, slab, "Freelist cycle detected");
		slab->freelist = NULL;
		slab_recount(n, slab, free_max);
		slab_fix(m, s, "Freelist cleared");
		return false;
	}
	if (slab->inuse != free_max - nr) {
		slab_err(
			m, s, slab,
			"Wrong object count. Counter is %u but counted were %u",
			slab->inuse, free_max - nr);
		slab_recount(n, slab, free_max - nr);
		slab_fix(m, s, "Object count adjusted");
	}
	return !search;
}

/* slub_debug's T: every allocation and free of the cache logged (a freed
 * object's bytes too), as Linux's trace() (without its stack dump). */
static void trace(struct mmk_machine *m, struct kmem_cache *s,
		  struct slab *slab, void *obj, bool alloc)
{
	if (!(s->flags & SLAB_TRACE))
		return;
	printk(m, "TRACE %s %s 0x%lx inuse=%u fp=0x%lx", s->name,
	       alloc ? "alloc" : "free", kaddr(m, obj), slab->inuse,
	       slab->freelist ? kaddr(m, slab->freelist) : 0UL);
	if (!alloc)
		print_hex_dump(m, "Object ", obj, s->object_size);
}

/* Checks before an object is freed (Linux's free_debug_processing(); the
 * boundary and double-free checks in every debug cache, not only with
 * SLAB_CONSISTENCY_CHECKS: a double free would corrupt the freelist).
 * False: reported, not freed. Node locked. */
static bool free_debug_processing(struct mmk_machine *m, struct kmem_cache *s,
				  struct kmem_cache_node *n, struct slab *slab,
				  void *obj)
{
	bool checks = s->flags & SLAB_CONSISTENCY_CHECKS, ok = false;

	/* A disabled slab takes nothing back, checks or not. */
	if ((checks || test_page_flag(slab_page(slab), PG_slab_disabled)) &&
	    !check_slab(m, s, slab))
		goto out;
	if (obj_index(m, s, slab, obj) < 0) {
		slab_err(m, s, slab, "Invalid object pointer 0x%lx",
			 kaddr(m, obj));
		goto out;
	}
	if (on_freelist(m, s, n, slab, obj)) {
		object_err(m, s, slab, obj, "Object already free");
		goto out;
	}
	if (checks && !check_object(m, s, slab, obj, SLUB_RED_ACTIVE))
		goto out;
	set_track(m, s, obj, TRACK_FREE);
	trace(m, s, slab, obj, false);
	init_object(s, obj, SLUB_RED_INACTIVE);
	ok = true;
out:
	if (!ok)
		slab_fix(m, s, "Object at 0x%lx not freed", kaddr(m, obj));
	return ok;
}

/* Checks before a free object just taken from @slab is handed out
 * (Linux's alloc_debug_processing(); the free pointer checked in every
 * debug cache, so a corrupted one is never followed). False: reported,
 * and the slab's free objects are given up, as SLUB marks them all used.
 * Node locked. */
static bool alloc_debug_processing(struct mmk_machine *m, struct kmem_cache *s,
				   struct kmem_cache_node *n, struct slab *slab,
				   void *obj, unsigned int orig_size)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		if (!check_slab(m, s, slab))
			goto bad;
		if (!valid_pointer(m, s, slab, obj)) {
			object_err(m, s, slab, obj,
				   "Freelist Pointer check fails");
			goto bad;
		}
		if (!check_object(m, s, slab, obj, SLUB_RED_INACTIVE))
			goto bad;
	} else if (!valid_pointer(m, s, slab, slab->freelist)) {
		object_err(m, s, slab, obj, "Freepointer corrupt");
		goto bad;
	}
	set_track(m, s, obj, TRACK_ALLOC);
	trace(m, s, slab, obj, true);
	set_orig_size(s, obj, orig_size);
	init_object(s, obj, SLUB_RED_ACTIVE);
	return true;
bad:
	slab_fix(m, s, "Marking all objects used");
	slab->freelist = NULL;
	slab_recount(n, slab, slab->objects);
	/* Lost even if it held no other free object: @obj itself. */
	set_page_flag(slab_page(slab), PG_slab_lost);
	set_page_flag(slab_page(slab), PG_slab_disabled);
	return false;
}

/* ---- slabs ---- */

/* The node whose memory holds @slab. */
static int slab_nid(struct mmk_machine *m, struct slab *slab)
{
	return pfn_zone_fast(m, (unsigned long)(slab_page(slab) - m->mem_map))
		->zone_pgdat->node_id;
}

static struct kmem_cache_node *
slab_node(struct mmk_machine *m, struct kmem_cache *s, struct slab *slab)
{
	return s->node[slab_nid(m, slab)];
}

static void account_slab(struct mmk_machine *m, struct kmem_cache *s,
			 struct slab *slab, long pages)
{
	int nid = slab_nid(m, slab);
	enum node_stat_item item = (s->flags & SLAB_RECLAIM_ACCOUNT) ?
					   NR_SLAB_RECLAIMABLE :
					   NR_SLAB_UNRECLAIMABLE;

	atomic_fetch_add_explicit(&m->node_stat[nid][item], pages,
				  memory_order_relaxed);
}

/* A new slab's objects in allocation order (ascending, or a random
 * rotation of the cache's random sequence with FREELIST_RANDOM): the
 * first @take go straight to @out, as if popped at once. In ascending
 * order, the others stay a fresh tail that slab_pop_many() hands out
 * after the freelist, so their memory is not touched before they are
 * used; otherwise (and in debug caches, whose checks walk the freelist)
 * they are strung on the freelist here. Either way the objects come out
 * in the order a freelist built at once would give. */
static void build_freelist(struct mmk_machine *m, struct kmem_cache *s,
			   struct slab *slab, void **out, unsigned int take)
{
	char *base = slab_objects(m, s, slab);
	unsigned int i, n = slab->objects, start = 0;
	void *next = NULL;

	slab->inuse = (unsigned short)take;
	if (!s->random_seq && !s->debug) {
		for (i = 0; i < take; i++)
			out[i] = base + (size_t)i * s->size;
		slab->freelist = NULL;
		slab->fresh = (unsigned short)(n - take);
		return;
	}
	if (s->random_seq) {
		pthread_mutex_lock(&m->fail_lock);
		start = (unsigned int)(mmk_random(m) % n);
		pthread_mutex_unlock(&m->fail_lock);
	}
	for (i = n; i-- > 0;) {
		unsigned int k =
			s->random_seq ? s->random_seq[(i + start) % n] : i;
		char *obj = base + (size_t)k * s->size;

		if (i < take) {
			out[i] = obj;
			continue;
		}
		set_freepointer(s, obj, next);
		next = obj;
	}
	slab->freelist = next;
	slab->fresh = 0;
}

/* Store @id for the @nr pages from @pfn in the slab map (release: a
 * reader that sees the id sees the slab it names). */
static void slab_map_set(struct mmk_machine *m, unsigned long pfn,
			 unsigned long nr, unsigned char id)
{
	unsigned char *map = m->slab->map;

	while (nr--)
		__atomic_store_n(&map[pfn++], id, __ATOMIC_RELEASE);
}

int slab_map_enable(struct mmk_machine *m)
{
	struct slab_state *st = m->slab;

	if (st->map)
		return 0;
	/* Host memory reserved without commitment, like the machine's RAM,
	 * but outside it: Linux has no such map, so MemTotal must not pay
	 * for it. Pages of it no slab reached are never touched. */
	if (mmk_host_mem_create_private(&st->map_mem, m->max_pfn))
		return -ENOMEM;
	st->map = st->map_mem.base;
	st->map_pfns = m->max_pfn;
	return 0;
}

int kmem_cache_set_map_id(struct mmk_machine *m, struct kmem_cache *s,
			  unsigned int id)
{
	unsigned long slabs = 0;
	int nid, err = 0;

	if (!m->slab->map)
		return -ENODEV;
	if (!id || id > SLAB_MAP_ID_MAX || s->colour > 1 || s->debug ||
	    s->red_left_pad)
		return -EINVAL;
	pthread_mutex_lock(&m->slab->slab_mutex);
	for_each_online_node(m, nid) {
		pthread_mutex_lock(&s->node[nid]->list_lock);
		slabs += s->node[nid]->total_slabs;
	}
	if (slabs)
		err = -EBUSY;
	else
		s->map_id = (unsigned char)id;
	for_each_online_node(m, nid)
		pthread_mutex_unlock(&s->node[nid]->list_lock);
	pthread_mutex_unlock(&m->slab->slab_mutex);
	return err;
}

void slab_map_mark(struct mmk_machine *m, struct kmem_cache *s,
		   struct slab *slab, bool on)
{
	unsigned int order = slab_order(slab);

	if (!s->map_id || order != s->order)
		return;
	slab_map_set(m, (unsigned long)(slab_page(slab) - m->mem_map),
		     1UL << order,
		     (unsigned char)(s->map_id | (on ? SLAB_MAP_MARK : 0)));
}

/* A new slab for node @node (or a fallback node) whose first objects, up
 * to @want, are already in @out (slab->inuse says how many); NULL if the
 * page allocator has no block for it. */
static struct slab *allocate_slab(struct mmk_machine *m, struct kmem_cache *s,
				  gfp_t gfp, int node, void **out,
				  unsigned int want)
{
	gfp_t flags;
	unsigned int order = s->order, i;
	struct page *page;
	struct slab *slab;
	char *base;

	if (unlikely(gfp & GFP_SLAB_BUG_MASK)) /* as Linux's new_slab() */
		gfp = kmalloc_fix_flags(m, gfp);
	flags = (gfp & ~(GFP_ZONEMASK | __GFP_ZERO | __GFP_COMP)) |
		s->allocflags;
	/* Checked free lists: a slab starts zeroed (as with init_on_alloc),
	 * so nothing of its pages' last use survives in its objects. */
	if (m->slab->freelist_corrupt)
		flags |= __GFP_ZERO;

	if (node < 0 || node >= m->nr_nodes)
		node = numa_node_id();
	page = alloc_pages_node(node,
				(order ? flags | __GFP_COMP : flags) |
					__GFP_NOWARN | __GFP_NORETRY,
				order);
	if (!page && order > (unsigned int)get_order_bytes(s->size)) {
		order = get_order_bytes(s->size);
		page = alloc_pages_node(
			node, order ? flags | __GFP_COMP : flags, order);
	}
	if (!page)
		return NULL;
	slab = page_slab(page);
	slab->page_type = slab_page_type(s);
	slab->slab_cache = s;
	INIT_LIST_HEAD(&slab->slab_list);
	slab->inuse = 0;
	slab->objects =
		(unsigned short)(((size_t)PAGE_SIZE << order) / s->size);
	slab->colour = (unsigned short)((atomic_fetch_add_explicit(
						 &s->colour_next, 1,
						 memory_order_relaxed) %
					 s->colour) *
					s->colour_off);
	if (slab->objects != s->objects)
		slab->colour = 0;
	base = slab_objects(m, s, slab);
	if (s->debug)
		setup_slab_debug(m, s, slab);
	for (i = 0; s->ctor && i < slab->objects; i++)
		s->ctor(base + (size_t)i * s->size);
	build_freelist(m, s, slab, out, min(want, (unsigned int)slab->objects));
	account_slab(m, s, slab, 1L << order);
	if (s->map_id && order == s->order)
		slab_map_set(m, (unsigned long)(page - m->mem_map),
			     1UL << order, s->map_id);
	return slab;
}

static void discard_slab(struct mmk_machine *m, struct kmem_cache *s,
			 struct slab *slab)
{
	struct page *page = slab_page(slab);
	unsigned int order = slab_order(slab);

	/* Linux's free_slab(): a write after free found before the
	 * slab's pages go. */
	if (unlikely(s->flags & SLAB_CONSISTENCY_CHECKS)) {
		char *base = slab_objects(m, s, slab);
		unsigned int i;

		slab_pad_check(m, s, slab);
		for (i = 0; i < slab->objects; i++)
			check_object(m, s, slab, base + (size_t)i * s->size,
				     SLUB_RED_INACTIVE);
	}

	/* The map first: a reader that still sees the id finds the slab. */
	if (s->map_id)
		slab_map_set(m, (unsigned long)(page - m->mem_map),
			     1UL << order, 0);
	account_slab(m, s, slab, -(1L << order));
	clear_page_flag(page, PG_slab_disabled);
	clear_page_flag(page, PG_slab_lost);
	slab->page_type = 0;
	slab->slab_cache = NULL;
	slab->slab_list.next = slab->slab_list.prev = NULL;
	slab->freelist = NULL;
	slab->inuse = 0;
	slab->fresh = 0;
	slab->objects = 0;
	slab->colour = 0;
	__free_pages(page, order);
}

/* mmk_config's slab_freelist_corrupt: @fp, the free pointer @obj held,
 * must be the place of one of @slab's objects (not of its fresh tail).
 * Out of line: only hardened mode's pops call it. */
static noinline void check_freepointer(struct mmk_machine *m,
				       struct kmem_cache *s, struct slab *slab,
				       void *obj, void *fp)
{
	size_t off = (size_t)((char *)fp - (char *)slab_objects(m, s, slab));

	if (off >= (size_t)(slab->objects - slab->fresh) * s->size ||
	    off % s->size)
		m->slab->freelist_corrupt(s->name, obj);
}

/* Pop @n objects (at most what @slab has free) into @out: the freelist
 * first, then the fresh tail. */
static __always_inline unsigned int slab_pop_many(struct mmk_machine *m,
						  struct kmem_cache *s,
						  struct slab *slab, void **out,
						  unsigned int n)
{
	/* Read once: the default mode's pops pay one load, not one each. */
	bool checked = m->slab->freelist_corrupt != NULL;
	void *obj = slab->freelist;
	unsigned int i;

	for (i = 0; i < n && obj; i++) {
		out[i] = obj;
		obj = get_freepointer(s, obj);
		if (unlikely(checked)) {
			/* Cleared as it leaves the list: a corrupted
			 * pointer that leads back to it reads garbage. */
			memset((char *)out[i] + s->offset, 0, sizeof(void *));
			if (obj)
				check_freepointer(m, s, slab, out[i], obj);
		}
	}
	/* The list must end exactly at the slab's last listed free object:
	 * one that goes on loops through objects handed out already, one
	 * that ends early would send the pops on past the fresh tail. */
	if (unlikely(checked) &&
	    (i == (unsigned int)(slab->objects - slab->fresh - slab->inuse)) !=
		    !obj)
		m->slab->freelist_corrupt(s->name, i ? out[i - 1] : slab);
	slab->freelist = obj;
	if (i < n) {
		char *p = slab_objects(m, s, slab) +
			  (size_t)(slab->objects - slab->fresh) * s->size;

		slab->fresh = (unsigned short)(slab->fresh - (n - i));
		for (; i < n; i++, p += s->size)
			out[i] = p;
	}
	slab->inuse = (unsigned short)(slab->inuse + n);
	return n;
}

static inline void slab_push(struct kmem_cache *s, struct slab *slab, void *obj)
{
	set_freepointer(s, obj, slab->freelist);
	slab->freelist = obj;
	slab->inuse--;
}

/* Take up to @want objects from node @n's slabs, a slab at a time
 * (partial slabs first, then empty ones); node locked. */
static unsigned int node_take(struct mmk_machine *m, struct kmem_cache *s,
			      struct kmem_cache_node *n, void **out,
			      unsigned int want)
{
	unsigned int got = 0;

	while (got < want) {
		struct slab *slab;

		if (!list_empty(&n->slabs_partial)) {
			slab = list_first_entry(&n->slabs_partial, struct slab,
						slab_list);
		} else if (!list_empty(&n->slabs_free)) {
			slab = list_first_entry(&n->slabs_free, struct slab,
						slab_list);
			n->free_slabs--;
		} else {
			break;
		}
		got += slab_pop_many(
			m, s, slab, out + got,
			min(want - got,
			    (unsigned int)(slab->objects - slab->inuse)));
		list_del(&slab->slab_list);
		list_add(&slab->slab_list, slab->inuse == slab->objects ?
						   &n->slabs_full :
						   &n->slabs_partial);
	}
	n->free_objects -= got;
	return got;
}

unsigned int kmem_cache_claim_slab(struct mmk_machine *m, struct kmem_cache *s,
				   int nid, unsigned int max_inuse, void **out)
{
	struct kmem_cache_node *n;
	struct slab *slab;
	unsigned int got, i, k;
	char *base;

	if (s->debug || nid < 0 || nid >= m->nr_nodes || !s->node[nid])
		return 0;
	n = s->node[nid];
	pthread_mutex_lock(&n->list_lock);
	if (list_empty(&n->slabs_partial)) {
		pthread_mutex_unlock(&n->list_lock);
		return 0;
	}
	slab = list_last_entry(&n->slabs_partial, struct slab, slab_list);
	list_del(&slab->slab_list);
	/* A slab of a fallback order has no entries in the slab map, which
	 * must send frees into lent space to the borrower's slow path. */
	if (slab->inuse > max_inuse || slab_order(slab) != s->order) {
		list_add(&slab->slab_list, &n->slabs_partial);
		pthread_mutex_unlock(&n->list_lock);
		return 0;
	}
	/* The freelist is a chain of dependent loads through a sparse slab
	 * nobody touched for a while: every object's link fetched at once
	 * first, its walk waits for one miss instead of one per object
	 * (bench/malloc/frag's 36,000 claims: 40% fewer cycles in them). */
	base = slab_objects(m, s, slab);
	for (i = 0; i < slab->objects; i += s->size < 64 ? 64 / s->size : 1)
		__builtin_prefetch(base + (size_t)i * s->size + s->offset);
	got = slab_pop_many(m, s, slab, out,
			    (unsigned int)(slab->objects - slab->inuse));
	list_add(&slab->slab_list, &n->slabs_full);
	n->free_objects -= got;
	pthread_mutex_unlock(&n->list_lock);
	/* Address order: a counting pass over the slab's indices (the
	 * freelist's order is any). */
	{
		unsigned long seen[OBJ_MAP_LONGS];

		memset(seen, 0,
		       (slab->objects + BITS_PER_LONG - 1) / BITS_PER_LONG *
			       sizeof(unsigned long));
		for (i = 0; i < got; i++)
			obj_map_set(seen, (unsigned long)obj_index(m, s, slab,
								   out[i]));
		for (i = 0, k = 0; i < slab->objects; i++)
			if (obj_map_test(seen, i))
				out[k++] = base + (size_t)i * s->size;
	}
	return got;
}

/* A new slab joins node @n, on the list its inuse count says. */
static void node_add_slab(struct kmem_cache_node *n, struct slab *slab)
{
	if (!slab->inuse) {
		list_add(&slab->slab_list, &n->slabs_free);
		n->free_slabs++;
	} else {
		list_add(&slab->slab_list, slab->inuse == slab->objects ?
						   &n->slabs_full :
						   &n->slabs_partial);
	}
	n->total_slabs++;
	n->total_objects += slab->objects;
	n->free_objects += slab->objects - slab->inuse;
}

/* @slab just became empty or stopped being full: move it to its list.
 * Returns it (unlinked) when the node has more empty slabs than it
 * keeps. */
static struct slab *node_slab_moved(struct kmem_cache *s,
				    struct kmem_cache_node *n,
				    struct slab *slab)
{
	if (slab->inuse == 0) {
		list_del(&slab->slab_list);
		if (n->free_slabs >= s->min_partial) {
			n->total_slabs--;
			n->total_objects -= slab->objects;
			n->free_objects -= slab->objects;
			return slab;
		}
		list_add(&slab->slab_list, &n->slabs_free);
		n->free_slabs++;
	} else {
		list_del(&slab->slab_list);
		list_add(&slab->slab_list, &n->slabs_partial);
	}
	return NULL;
}

/* Give @obj back to its slab; node locked, and the caller adds it to
 * n->free_objects. Returns a slab to discard, as node_slab_moved(). */
static inline struct slab *node_put(struct kmem_cache *s,
				    struct kmem_cache_node *n,
				    struct slab *slab, void *obj)
{
	slab_push(s, slab, obj);
	/* Not empty now, and not full before. */
	if (likely(slab->inuse && slab->inuse + 1u != slab->objects))
		return NULL;
	return node_slab_moved(s, n, slab);
}

static int local_node(struct mmk_machine *m, int node)
{
	if (node >= 0 && node < m->nr_nodes)
		return node;
	return numa_node_id();
}

/* Up to @want objects into @out from node @nid, growing the cache by a
 * slab if it has none free (the new slab hands out its first objects
 * directly). */
static unsigned int node_alloc_many(struct mmk_machine *m, struct kmem_cache *s,
				    gfp_t gfp, int nid, void **out,
				    unsigned int want)
{
	struct kmem_cache_node *n = s->node[nid];
	struct slab *slab;
	unsigned int got;

	if (!want)
		return 0;
	pthread_mutex_lock(&n->list_lock);
	got = node_take(m, s, n, out, want);
	pthread_mutex_unlock(&n->list_lock);
	if (got)
		return got;
	slab = allocate_slab(m, s, gfp, nid, out, want);
	if (!slab)
		return 0;
	/* Once on a list, the slab is other CPUs' to take from too. */
	got = slab->inuse;
	n = slab_node(m, s, slab);
	pthread_mutex_lock(&n->list_lock);
	node_add_slab(n, slab);
	pthread_mutex_unlock(&n->list_lock);
	return got;
}

/* @obj back to its slab under the node's lock. A debug cache's checks
 * run under it too: they read the slab's freelist (is the object on it
 * already?), which other CPUs' frees to the same slab change, as SLUB's
 * free_debug_processing() runs under the list_lock. */
static void node_free_one(struct mmk_machine *m, struct kmem_cache *s,
			  struct slab *slab, void *obj)
{
	struct kmem_cache_node *n = slab_node(m, s, slab);
	struct slab *discard = NULL;

	pthread_mutex_lock(&n->list_lock);
	if (likely(!s->debug) || free_debug_processing(m, s, n, slab, obj)) {
		discard = node_put(s, n, slab, obj);
		n->free_objects++;
	}
	pthread_mutex_unlock(&n->list_lock);
	if (discard)
		discard_slab(m, s, discard);
}

/* Give @n objects back to their slabs, taking each node's lock once;
 * slabs the nodes do not keep are freed after the locks are dropped. The
 * objects were validated when they were freed (they come from a CPU or
 * shared array or a checked bulk call), so their slabs are found without
 * checks. */
static void free_to_nodes(struct mmk_machine *m, struct kmem_cache *s,
			  void *const *objs, unsigned int n)
{
	struct slab *slab, *tmp, *slabs[64];
	unsigned char nids[64];
	LIST_HEAD(discard);
	unsigned int base, i, k;
	int nid;

	if (likely(m->nr_nodes == 1)) {
		struct kmem_cache_node *node = s->node[0];

		/* One lock hold for all: no slab can go away in between. */
		pthread_mutex_lock(&node->list_lock);
		for (i = 0; i < n; i++) {
			slab = node_put(s, node, obj_slab(m, objs[i]), objs[i]);
			if (unlikely(slab))
				list_add(&slab->slab_list, &discard);
		}
		node->free_objects += n;
		pthread_mutex_unlock(&node->list_lock);
		goto out;
	}
	/* In chunks: first every object's slab and node, while all of them
	 * are still ours; once one is back in its slab and the node lock
	 * dropped, another CPU may empty and discard that slab, so a later
	 * node's pass must not look at it again. */
	for (base = 0; base < n; base += k) {
		k = min(n - base, 64u);
		for (i = 0; i < k; i++) {
			slabs[i] = obj_slab(m, objs[base + i]);
			nids[i] = (unsigned char)slab_nid(m, slabs[i]);
		}
		for_each_online_node(m, nid) {
			struct kmem_cache_node *node = s->node[nid];
			unsigned int put = 0;

			for (i = 0; i < k; i++) {
				if (nids[i] != nid)
					continue;
				if (!put++)
					pthread_mutex_lock(&node->list_lock);
				slab = node_put(s, node, slabs[i],
						objs[base + i]);
				if (slab)
					list_add(&slab->slab_list, &discard);
			}
			if (put) {
				node->free_objects += put;
				pthread_mutex_unlock(&node->list_lock);
			}
		}
	}
out:
	list_for_each_entry_safe(slab, tmp, &discard, slab_list)
		discard_slab(m, s, slab);
}

/* The shared arrays' block, allocated by the first CPU that needs it
 * (most caches never fill a CPU array, so they never need it); callers
 * hold their CPU's guard. */
static bool alloc_shared(struct mmk_machine *m, struct kmem_cache *s)
{
	struct page *page;
	void **expect = NULL;

	if (atomic_load_explicit(&s->shared, memory_order_acquire))
		return true;
	page = alloc_pages(GFP_NOWAIT | __GFP_NOWARN |
				   (s->shared_order ? __GFP_COMP : 0),
			   s->shared_order);
	if (!page)
		return false;
	if (!atomic_compare_exchange_strong(&s->shared, &expect,
					    (void **)page_address(page))) {
		__free_pages(page, s->shared_order);
		return true;
	}
	__atomic_fetch_add(&m->nr_percpu_pages, 1UL << s->shared_order,
			   __ATOMIC_RELAXED);
	return true;
}

/* The shared arrays' block back to the page allocator; they are empty
 * and no CPU can reach them (flush_all, or the cache is going away). */
static void free_shared(struct mmk_machine *m, struct kmem_cache *s)
{
	void **shared = atomic_exchange(&s->shared, NULL);

	if (!shared)
		return;
	__free_pages(virt_to_page(shared), s->shared_order);
	__atomic_fetch_sub(&m->nr_percpu_pages, 1UL << s->shared_order,
			   __ATOMIC_RELAXED);
}

/* Put up to @n objects into node @nid's shared array; returns how many
 * it took. None while one CPU is online (a machine whose CPUs come up on
 * demand): the shared arrays pass objects between CPUs, as SLAB has them
 * only on SMP, and with one CPU they only keep objects from their slabs -
 * a process of one thread keeps its slabs' free objects where the next
 * phase's other sizes can have them (bench/malloc/frag: 109.6 -> 108.4
 * MB). */
static unsigned int shared_put(struct mmk_machine *m, struct kmem_cache *s,
			       int nid, void *const *objs, unsigned int n)
{
	struct kmem_cache_node *node = s->node[nid];
	unsigned int moved;

	if (!s->shared_limit || num_online_cpus(m) < 2 ||
	    __atomic_load_n(&node->shared_avail, __ATOMIC_RELAXED) ==
		    s->shared_limit ||
	    !alloc_shared(m, s))
		return 0;
	pthread_mutex_lock(&node->list_lock);
	moved = min(n, s->shared_limit - node->shared_avail);
	memcpy(node_shared(s, nid) + node->shared_avail, objs,
	       moved * sizeof(void *));
	/* Atomic: shared_take() and shared_put() peek without the lock. */
	__atomic_store_n(&node->shared_avail, node->shared_avail + moved,
			 __ATOMIC_RELAXED);
	pthread_mutex_unlock(&node->list_lock);
	return moved;
}

/* Move the oldest @count objects of @ac back to their slabs. */
static void cache_flusharray(struct mmk_machine *m, struct kmem_cache *s,
			     struct array_cache *ac, unsigned int count,
			     int shared_nid)
{
	unsigned int moved = 0;

	count = min(count, ac->avail);
	if (!count)
		return; /* debug caches have no slots (entry NULL) */
	/* As SLAB's cache_flusharray: into the node's shared array first. */
	if (shared_nid >= 0)
		moved = shared_put(m, s, shared_nid, ac->entry, count);
	free_to_nodes(m, s, ac->entry + moved, count - moved);
	ac->avail -= count;
	memmove(ac->entry, ac->entry + count, ac->avail * sizeof(void *));
}

/* Take up to @want objects from node @nid's shared array. */
static unsigned int shared_take(struct kmem_cache *s, int nid, void **out,
				unsigned int want)
{
	struct kmem_cache_node *n = s->node[nid];
	unsigned int got;

	if (!s->shared_limit ||
	    !__atomic_load_n(&n->shared_avail, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&n->list_lock);
	got = min(want, n->shared_avail);
	if (got) {
		__atomic_store_n(&n->shared_avail, n->shared_avail - got,
				 __ATOMIC_RELAXED);
		memcpy(out, node_shared(s, nid) + n->shared_avail,
		       got * sizeof(void *));
	}
	pthread_mutex_unlock(&n->list_lock);
	return got;
}

/* Every node's shared array back to the slabs (shrink, destroy). */
static void drain_shared(struct mmk_machine *m, struct kmem_cache *s)
{
	void *batch[64];
	unsigned int got;
	int nid;

	for_each_online_node(m, nid)
		while ((got = shared_take(s, nid, batch, 64)))
			free_to_nodes(m, s, batch, got);
}

/* ---- allocation and free ---- */

/* Refill an empty CPU array with a batch, reversed so that pops hand the
 * objects out in their slab's freelist order (ascending addresses). */
static void refill_array(struct mmk_machine *m, struct kmem_cache *s,
			 struct array_cache *ac, gfp_t gfp, int nid)
{
	unsigned int n = shared_take(s, nid, ac->entry, ac->batchcount);

	if (n) {
		ac->avail = n;
		return;
	}
	n = node_alloc_many(m, s, gfp, nid, ac->entry, ac->batchcount);
	objs_reverse(ac->entry, n);
	ac->avail = n;
}

/* A debug cache's allocation: an object taken and checked under its
 * node's lock (other CPUs' frees and checks walk the same freelist), from
 * the node's slabs or a new one; a slab whose object fails the checks is
 * given up (see alloc_debug_processing()) and the next one tried. */
static void *debug_alloc(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp,
			 int node, unsigned int orig_size)
{
	int nid = local_node(m, node);

	for (;;) {
		struct kmem_cache_node *n = s->node[nid];
		struct slab *slab = NULL;
		void *obj;
		bool ok;

		pthread_mutex_lock(&n->list_lock);
		/* The slab node_take() takes from. */
		if (!list_empty(&n->slabs_partial))
			slab = list_first_entry(&n->slabs_partial, struct slab,
						slab_list);
		else if (!list_empty(&n->slabs_free))
			slab = list_first_entry(&n->slabs_free, struct slab,
						slab_list);
		if (slab && (!slab->freelist || slab->inuse >= slab->objects)) {
			/* Its count and its list disagree (a debug slab has
			 * no fresh tail): a corrupted free pointer ended the
			 * list early, or a count went wrong. Counted again,
			 * put on the list its count says, and the first
			 * slab tried again. */
			on_freelist(m, s, n, slab, NULL);
			if (slab->inuse >= slab->objects)
				slab_recount(n, slab, slab->inuse);
			pthread_mutex_unlock(&n->list_lock);
			continue;
		}
		if (slab) {
			if (!node_take(m, s, n, &obj, 1)) {
				/* On the partial list with no room: it went
				 * to the full one; the next slab, then. */
				pthread_mutex_unlock(&n->list_lock);
				continue;
			}
		} else {
			pthread_mutex_unlock(&n->list_lock);
			slab = allocate_slab(m, s, gfp, nid, &obj, 1);
			if (!slab)
				return NULL;
			n = slab_node(m, s, slab);
			pthread_mutex_lock(&n->list_lock);
			node_add_slab(n, slab);
		}
		ok = alloc_debug_processing(m, s, n, slab, obj, orig_size);
		pthread_mutex_unlock(&n->list_lock);
		if (ok)
			return obj;
	}
}

void *slab_alloc_size(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp,
		      int node, unsigned int orig_size)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	void *obj = NULL;

	if (unlikely(atomic_load_explicit(&m->fail[MMK_FAIL_SLAB].active,
					  memory_order_relaxed)) &&
	    should_failslab(m, s, gfp))
		return NULL;
	if (unlikely(s->debug)) {
		obj = debug_alloc(m, s, gfp, node, orig_size);
		/* kmalloc's excess is red zone there, not zeroed. */
		if (unlikely(gfp & __GFP_ZERO) && obj)
			memset(obj, 0,
			       (s->flags & SLAB_KMALLOC) &&
					       (s->flags & (SLAB_STORE_USER |
							    SLAB_RED_ZONE)) ?
				       orig_size :
				       s->object_size);
		return obj;
	}
	if (likely(cpu && (node < 0 || node == cpu->node))) {
		struct array_cache *ac = cpu_array(m, s, cpu->id);

		if (likely(cpu_guard_trylock(&ac->guard))) {
			if (unlikely(!ac->avail))
				refill_array(m, s, ac, gfp, cpu->node);
			if (likely(ac->avail))
				obj = ac->entry[--ac->avail];
			cpu_guard_unlock(&ac->guard);
			if (unlikely(!obj))
				return NULL;
			goto out;
		}
	}
	if (!obj && !node_alloc_many(m, s, gfp, local_node(m, node), &obj, 1))
		return NULL;
out:
	if (unlikely(gfp & __GFP_ZERO) && obj)
		memset(obj, 0, s->object_size);
	return obj;
}

void slab_free(struct mmk_machine *m, struct kmem_cache *s, struct slab *slab,
	       void *obj)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;

	if (unlikely(s->debug)) {
		node_free_one(m, s, slab, obj);
		return;
	}
	if (unlikely(obj_index(m, s, slab, obj) < 0)) {
		slab_err(m, s, slab, "Invalid object pointer 0x%lx",
			 kaddr(m, obj));
		return;
	}
	/* An object of another node's slab goes straight back to its node
	 * (SLAB's alien caches), so node-targeted allocations that pop this
	 * CPU's array get local memory. */
	if (likely(cpu) && (likely(m->nr_nodes == 1) ||
			    slab_node(m, s, slab) == s->node[cpu->node])) {
		struct array_cache *ac = cpu_array(m, s, cpu->id);

		if (likely(cpu_guard_trylock(&ac->guard))) {
			if (unlikely(ac->avail &&
				     ac->entry[ac->avail - 1] == obj)) {
				cpu_guard_unlock(&ac->guard);
				object_err(m, s, slab, obj,
					   "Object already free");
				return;
			}
			if (unlikely(ac->avail == ac->limit))
				cache_flusharray(m, s, ac, ac->batchcount,
						 cpu->node);
			ac->entry[ac->avail++] = obj;
			cpu_guard_unlock(&ac->guard);
			return;
		}
	}
	node_free_one(m, s, slab, obj);
}

/*
 * Bulk calls: one guard for the whole batch; objects beyond what the CPU
 * array holds come straight from, or go straight back to, the slabs with
 * one node lock per batch. All or nothing on allocation.
 */
int slab_alloc_bulk(struct mmk_machine *m, struct kmem_cache *s, gfp_t gfp,
		    size_t n, void **p)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	size_t got = 0;

	if (unlikely(s->debug || !cpu)) {
		for (; got < n; got++)
			if (!(p[got] = slab_alloc(m, s, gfp, NUMA_NO_NODE)))
				goto fail;
		return (int)n;
	}
	if (unlikely(atomic_load_explicit(&m->fail[MMK_FAIL_SLAB].active,
					  memory_order_relaxed)) &&
	    should_failslab(m, s, gfp))
		return 0;
	{
		struct array_cache *ac = cpu_array(m, s, cpu->id);

		/* The shared array only under the guard (see flush_all). */
		if (cpu_guard_trylock(&ac->guard)) {
			while (got < n && ac->avail)
				p[got++] = ac->entry[--ac->avail];
			if (got < n)
				got += shared_take(
					s, cpu->node, p + got,
					(unsigned int)min(n - got,
							  (size_t)UINT32_MAX));
			cpu_guard_unlock(&ac->guard);
		}
	}
	while (got < n) {
		unsigned int more = node_alloc_many(
			m, s, gfp, cpu->node, p + got,
			(unsigned int)min(n - got, (size_t)UINT32_MAX));

		if (!more)
			goto fail;
		got += more;
	}
	if (unlikely(gfp & __GFP_ZERO))
		for (got = 0; got < n; got++)
			memset(p[got], 0, s->object_size);
	return (int)n;
fail:
	slab_free_bulk(m, s, got, p);
	return 0;
}

void slab_free_bulk(struct mmk_machine *m, struct kmem_cache *s, size_t n,
		    void **p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct slab *slab = virt_to_slab(m, p[i]);

		/* Debug caches check boundaries (and report) per object. */
		if (unlikely(!slab || slab->slab_cache != s ||
			     (!s->debug && obj_index(m, s, slab, p[i]) < 0))) {
			/* Not this cache's object: free none of the batch. */
			printk(m,
			       "WARNING: kmem_cache_free_bulk(%s): object %zu is not an object of the cache",
			       s->name, i);
			return;
		}
		/* The naive double free SLAB_FREELIST_HARDENED stops: the
		 * object just freed, freed again. */
		if (unlikely(i && p[i] == p[i - 1])) {
			object_err(m, s, slab, p[i], "Object already free");
			return;
		}
	}
	__slab_free_bulk(m, s, n, p);
}

/* __slab_free_bulk(), and with @remote __slab_free_bulk_remote(). */
static void free_bulk(struct mmk_machine *m, struct kmem_cache *s, size_t n,
		      void **p, bool remote)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	struct array_cache *ac;
	size_t i;

	if (unlikely(s->debug || !cpu || m->nr_nodes > 1)) {
		for (i = 0; i < n; i++)
			slab_free(m, s, virt_to_slab(m, p[i]), p[i]);
		return;
	}
	ac = cpu_array(m, s, cpu->id);
	i = 0;
	/* The shared array only under the guard (see flush_all). */
	if (cpu_guard_trylock(&ac->guard)) {
		while (!remote && i < n && ac->avail < ac->limit)
			ac->entry[ac->avail++] = p[i++];
		if (i < n)
			i += shared_put(m, s, cpu->node, p + i,
					(unsigned int)min(n - i,
							  (size_t)UINT32_MAX));
		cpu_guard_unlock(&ac->guard);
	}
	while (i < n) {
		unsigned int k = (unsigned int)min(n - i, (size_t)UINT32_MAX);

		free_to_nodes(m, s, p + i, k);
		i += k;
	}
}

void __slab_free_bulk(struct mmk_machine *m, struct kmem_cache *s, size_t n,
		      void **p)
{
	free_bulk(m, s, n, p, false);
}

void __slab_free_bulk_remote(struct mmk_machine *m, struct kmem_cache *s,
			     size_t n, void **p)
{
	free_bulk(m, s, n, p, true);
}

/* ---- cache geometry ---- */

unsigned int get_order_bytes(size_t size)
{
	unsigned int order = 0;

	while (((size_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

static unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)(((size_t)PAGE_SIZE << order) / size);
}

static unsigned int calc_slab_order(unsigned int size, unsigned int min_order,
				    unsigned int max_order,
				    unsigned int fract_leftover)
{
	unsigned int order;

	for (order = min_order; order <= max_order; order++) {
		unsigned int slab_size = (unsigned int)PAGE_SIZE << order;
		unsigned int rem = slab_size % size;

		if (rem <= slab_size / fract_leftover)
			break;
	}
	return order;
}

/* SLUB's calculate_order(): enough objects per slab for the CPU count,
 * the smallest order whose leftover is at most 1/16 (then 1/8, 1/4,
 * 1/2) of the slab, never above order 3 unless one object needs it. */
static unsigned int calculate_order(struct mmk_machine *m, unsigned int size)
{
	const unsigned int max_order = PAGE_ALLOC_COSTLY_ORDER;
	unsigned int min_objects =
		4 * ((unsigned int)fls_long((unsigned long)m->nr_cpus) + 1);
	unsigned int max_objects = order_objects(max_order, size);
	unsigned int min_order, fraction;

	min_objects = min(min_objects, max(max_objects, 1u));
	min_order = get_order_bytes((size_t)min_objects * size);
	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE) {
		unsigned int o =
			get_order_bytes((size_t)size * MAX_OBJS_PER_PAGE);

		return o ? o - 1 : 0;
	}
	for (fraction = 16; fraction > 1; fraction /= 2) {
		unsigned int order =
			calc_slab_order(size, min_order, max_order, fraction);

		if (order <= max_order)
			return order;
	}
	return get_order_bytes(size);
}

unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
				 unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = 64;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, 8u);
	return ALIGN(align, (unsigned int)sizeof(void *));
}

/* SLUB's calculate_sizes(): the object, its red zones, the free pointer,
 * tracking and kmalloc's requested size, rounded to the alignment. */
static void calculate_sizes(struct kmem_cache *s)
{
	unsigned int size = ALIGN(s->object_size, (unsigned int)sizeof(void *));

	if ((s->flags & SLAB_RED_ZONE) && size == s->object_size)
		size += sizeof(void *);
	s->inuse = size;
	/* Outside the object where it must stay intact (ctor, poison), and
	 * where it would overlay the right red zone: objects smaller than a
	 * pointer, and kmalloc's whose excess is red zone. */
	if (s->ctor || (s->flags & SLAB_POISON) ||
	    ((s->flags & SLAB_RED_ZONE) &&
	     (s->object_size < sizeof(void *) || slub_debug_orig_size(s)))) {
		s->offset = size;
		size += sizeof(void *);
	} else {
		s->offset = ALIGN_DOWN(s->object_size / 2,
				       (unsigned int)sizeof(void *));
	}
	if (s->flags & SLAB_STORE_USER) {
		size += 2 * sizeof(struct track);
		if (s->flags & SLAB_KMALLOC) /* the requested size */
			size += sizeof(unsigned int);
	}
	s->red_left_pad = 0;
	if (s->flags & SLAB_RED_ZONE) {
		size += sizeof(void *);
		s->red_left_pad = ALIGN((unsigned int)sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	s->size = ALIGN(size, s->align);
}

/* At most 120 slots: the PCPU_SLOTS_STRIDE bytes per_cpu_slots() has. */
static unsigned int array_limit(unsigned int size)
{
	if (size > 131072)
		return 1;
	if (size > PAGE_SIZE)
		return 8;
	if (size > 1024)
		return 24;
	if (size > 256)
		return 54;
	return 120;
}

/* Batches a node's shared array holds (SLAB's `shared` tunable; its
 * default is 8): with 16, a burst of a thousand small objects freed and
 * allocated again moves between the arrays as pointers. */
#define SHARED_BATCHES 16

_Static_assert(120 * sizeof(void *) <= PCPU_SLOTS_STRIDE,
	       "a CPU array's slots fit in its percpu stride");

/* The slots of a CPU array of @s: none for a debug cache, whose objects
 * go straight to their slabs (checked under the node lock). */
static unsigned int cpu_array_limit(const struct kmem_cache *s)
{
	return s->debug ? 0 : array_limit(s->size);
}

/* @cpu's array header of @s, empty, on its slots. */
static void init_cpu_array(struct mmk_machine *m, struct kmem_cache *s, int cpu)
{
	struct array_cache *ac = cpu_array(m, s, cpu);
	unsigned int limit = cpu_array_limit(s);

	memset(ac, 0, sizeof(*ac));
	ac->limit = limit;
	ac->batchcount = (limit + 1) / 2;
	ac->entry = limit ? (void **)per_cpu_slots(m, s->cpu_array, cpu) : NULL;
}

/* CPU hotplug's slab part (SLAB's cpuup_prepare): @cpu's array in every
 * cache, live or leaked. Caller holds slab_mutex (mmk_cpu_up). */
void slab_cpu_online(struct mmk_machine *m, int cpu)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &m->slab->caches, list)
		init_cpu_array(m, s, cpu);
	list_for_each_entry(s, &m->slab->leaked, list)
		init_cpu_array(m, s, cpu);
}

static int alloc_cpu_arrays(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned int limit = cpu_array_limit(s);
	int cpu, nid;
	long off;

	/* Percpu data, as SLAB's array caches: the headers zeroed and set
	 * up for online CPUs only (the others' when they come up), and the
	 * slots at per_cpu_slots() of the header's offset, which nothing
	 * writes before the CPU uses them: a CPU's slots of a process's few
	 * caches share its pages (a page of slots per cache made a small
	 * program write a page for every cache it used). */
	s->cpu_array_ok = false;
	off = __alloc_percpu(m, sizeof(struct array_cache));
	if (off < 0)
		return -ENOMEM;
	s->cpu_array = (size_t)off;
	s->cpu_array_ok = true;
	for_each_online_cpu(m, cpu)
		init_cpu_array(m, s, cpu);
	/* SLAB's shared arrays, one per node (only on SMP, and for objects
	 * of up to a page); allocated when first used (alloc_shared). */
	s->shared_limit = m->nr_cpus > 1 && limit && s->size <= PAGE_SIZE ?
				  SHARED_BATCHES * ((limit + 1) / 2) :
				  0;
	s->shared_order = get_order_bytes((size_t)m->nr_nodes *
					  s->shared_limit * sizeof(void *));
	atomic_store_explicit(&s->shared, NULL, memory_order_relaxed);
	for_each_online_node(m, nid)
		s->node[nid]->shared_avail = 0;
	return 0;
}

static void free_cpu_arrays(struct mmk_machine *m, struct kmem_cache *s)
{
	if (s->cpu_array_ok)
		free_percpu(m, (long)s->cpu_array, sizeof(struct array_cache));
	s->cpu_array_ok = false;
	free_shared(m, s);
}

/* ---- flushing every CPU (shrink, destroy, check) ---- */

/* @op (cpu_guard_request, _wait or _release) on the guard of every CPU's
 * array of @s but CPU @skip's. */
static void cpu_array_guards(struct mmk_machine *m, struct kmem_cache *s,
			     const struct mmk_cpu *skip,
			     void (*op)(struct cpu_guard *))
{
	int cpu;

	for_each_online_cpu(m, cpu)
		if (&m->cpus[cpu] != skip)
			op(&cpu_array(m, s, cpu)->guard);
}

static void lock_cpu_arrays(struct mmk_machine *m, struct kmem_cache *s)
{
	cpu_array_guards(m, s, NULL, cpu_guard_request);
	cpu_guards_sync();
	cpu_array_guards(m, s, NULL, cpu_guard_wait);
}

static void unlock_cpu_arrays(struct mmk_machine *m, struct kmem_cache *s)
{
	cpu_array_guards(m, s, NULL, cpu_guard_release);
}

static void flush_all(struct mmk_machine *m, struct kmem_cache *s)
{
	int cpu;

	lock_cpu_arrays(m, s);
	for_each_online_cpu(m, cpu) {
		struct array_cache *ac = cpu_array(m, s, cpu);

		cache_flusharray(m, s, ac, ac->avail, -1);
	}
	drain_shared(m, s);
	/* Every user of the shared arrays holds its CPU's guard, so none
	 * can reach them now: give their pages back too. */
	free_shared(m, s);
	unlock_cpu_arrays(m, s);
}

/* Free every empty slab of every node. */
static void free_empty_slabs(struct mmk_machine *m, struct kmem_cache *s)
{
	int nid;

	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];
		struct slab *slab, *tmp;
		LIST_HEAD(discard);

		pthread_mutex_lock(&n->list_lock);
		list_for_each_entry_safe(slab, tmp, &n->slabs_free, slab_list) {
			list_del(&slab->slab_list);
			list_add(&slab->slab_list, &discard);
			n->total_slabs--;
			n->free_slabs--;
			n->total_objects -= slab->objects;
			n->free_objects -= slab->objects;
		}
		pthread_mutex_unlock(&n->list_lock);
		list_for_each_entry_safe(slab, tmp, &discard, slab_list)
			discard_slab(m, s, slab);
	}
}

/* 1 if slabs remain (objects in use), as Linux's __kmem_cache_shrink(). */
int __kmem_cache_shrink(struct mmk_machine *m, struct kmem_cache *s)
{
	int nid, ret = 0;

	flush_all(m, s);
	free_empty_slabs(m, s);
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];

		pthread_mutex_lock(&n->list_lock);
		if (n->total_slabs)
			ret = 1;
		pthread_mutex_unlock(&n->list_lock);
	}
	return ret;
}

static unsigned long live_objects(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned long live = 0;
	int nid;

	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];

		pthread_mutex_lock(&n->list_lock);
		live += n->total_objects - n->free_objects;
		pthread_mutex_unlock(&n->list_lock);
	}
	return live;
}

void slab_info(struct mmk_machine *m, struct kmem_cache *s,
	       unsigned long *active_objs, unsigned long *num_objs,
	       unsigned long *num_slabs)
{
	int nid;

	*active_objs = *num_objs = *num_slabs = 0;
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];

		pthread_mutex_lock(&n->list_lock);
		*num_slabs += n->total_slabs;
		*num_objs += n->total_objects;
		*active_objs += n->total_objects - n->free_objects;
		pthread_mutex_unlock(&n->list_lock);
	}
}

unsigned long slab_cached_objects(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned long n = 0;
	int cpu, nid;

	if (!s->cpu_array_ok)
		return 0;
	for_each_online_cpu(m, cpu)
		n += __atomic_load_n(&cpu_array(m, s, cpu)->avail,
				     __ATOMIC_RELAXED);
	for_each_online_node(m, nid)
		n += __atomic_load_n(&s->node[nid]->shared_avail,
				     __ATOMIC_RELAXED);
	return n;
}

/* ---- cache creation and destruction ---- */

/* size = odd << obj_rot, and obj_inv the inverse of odd modulo 2^64 (by
 * Newton's iteration: odd * odd == 1 mod 8, and each step doubles the
 * correct low bits), for __obj_index_at()'s exact division. */
static void set_obj_inverse(struct kmem_cache *s)
{
	unsigned long odd, inv;
	int i;

	s->obj_rot = (unsigned int)__builtin_ctz(s->size);
	odd = s->size >> s->obj_rot;
	inv = odd;
	for (i = 0; i < 5; i++)
		inv *= 2 - odd * inv;
	s->obj_inv = inv;
}

static void init_random_seq(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned int i;

	s->random_seq = NULL;
	if (!m->slab->freelist_random || s->objects < 2 || !m->slab->up)
		return;
	s->random_seq =
		kmalloc_array(s->objects, sizeof(unsigned int), GFP_KERNEL);
	if (!s->random_seq)
		return;
	for (i = 0; i < s->objects; i++)
		s->random_seq[i] = i;
	pthread_mutex_lock(&m->fail_lock);
	for (i = s->objects - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(mmk_random(m) % (i + 1));
		unsigned int t = s->random_seq[i];

		s->random_seq[i] = s->random_seq[j];
		s->random_seq[j] = t;
	}
	pthread_mutex_unlock(&m->fail_lock);
}

/* Set up @s (zeroed, name/size/align/flags/ctor filled in): geometry,
 * per-CPU arrays, node structures. */
static int kmem_cache_open(struct mmk_machine *m, struct kmem_cache *s,
			   struct kmem_cache_node *boot_nodes)
{
	unsigned int leftover;
	int nid;

	s->flags = kmem_cache_flags(m, s->flags, s->name);
	s->user_index = -1;
	s->align = calculate_alignment(s->flags, s->align, s->object_size);
	calculate_sizes(s);
	/* slub_debug's O: no debugging metadata that would raise the
	 * slab's minimum order. */
	if (m->slab->debug_order_off &&
	    get_order_bytes(s->size) > get_order_bytes(s->object_size)) {
		s->flags &= ~(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER);
		calculate_sizes(s);
	}
	s->debug = (s->flags & SLAB_DEBUG_FLAGS) != 0;
	s->free_slow = s->debug || m->nr_nodes != 1;
	atomic_store(&s->alloc_slow,
		     s->debug || atomic_load(&m->fail[MMK_FAIL_SLAB].active));
	set_obj_inverse(s);
	s->order = calculate_order(m, s->size);
	s->objects = order_objects(s->order, s->size);
	/* An object (debug padding and alignment included) larger than
	 * the largest buddy block fits no slab. */
	if (!s->objects || s->order > MAX_PAGE_ORDER)
		return -EINVAL;
	leftover = (unsigned int)(((size_t)PAGE_SIZE << s->order) -
				  (size_t)s->objects * s->size);
	s->colour_off = max(64u, s->align);
	/* SLAB's colouring: leftover / colour_off colours (at least one). */
	s->colour = (s->flags & SLAB_KMALLOC) ?
			    1 :
			    max(leftover / s->colour_off, 1u);
	s->min_partial =
		(unsigned int)clamp((fls_long(s->size) - 1) / 2, 5, 10);
	s->allocflags = (s->flags & SLAB_CACHE_DMA)   ? GFP_DMA :
			(s->flags & SLAB_CACHE_DMA32) ? GFP_DMA32 :
							0;
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	s->random = (unsigned long)mmk_random(m) | 1;
	s->refcount = 1;
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n =
			boot_nodes ? &boot_nodes[nid] :
				     slab_alloc(m, m->slab->kmem_cache_node,
						GFP_KERNEL | __GFP_ZERO, nid);

		if (!n)
			return -ENOMEM;
		memset(n, 0, sizeof(*n));
		mmk_host_mutex_init(&n->list_lock);
		INIT_LIST_HEAD(&n->slabs_partial);
		INIT_LIST_HEAD(&n->slabs_full);
		INIT_LIST_HEAD(&n->slabs_free);
		s->node[nid] = n;
	}
	if (alloc_cpu_arrays(m, s))
		return -ENOMEM;
	init_random_seq(m, s);
	return 0;
}

static void kmem_cache_release(struct mmk_machine *m, struct kmem_cache *s)
{
	int nid;

	free_cpu_arrays(m, s);
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];

		if (!n)
			continue;
		pthread_mutex_destroy(&n->list_lock);
		if (m->slab->kmem_cache_node && s != m->slab->kmem_cache_node)
			slab_free(m, m->slab->kmem_cache_node,
				  virt_to_slab(m, n), n);
		s->node[nid] = NULL;
	}
	if (s->random_seq)
		kfree(s->random_seq);
	s->random_seq = NULL;
}

struct kmem_cache *__kmem_cache_create(struct mmk_machine *m, const char *name,
				       unsigned int size, unsigned int align,
				       slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache *s;
	int err;

	s = slab_alloc(m, m->slab->kmem_cache, GFP_KERNEL | __GFP_ZERO, -1);
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->name = name;
	s->object_size = size;
	s->align = align;
	s->flags = flags;
	s->ctor = ctor;
	err = kmem_cache_open(m, s, NULL);
	if (err) {
		kmem_cache_release(m, s);
		slab_free(m, m->slab->kmem_cache, virt_to_slab(m, s), s);
		errno = -err;
		return NULL;
	}
	list_add(&s->list, &m->slab->caches);
	return s;
}

/* @map: a bit for each free object of @slab (on its freelist, followed
 * while its links are objects of the slab, or in its fresh tail). */
static void free_object_map(struct mmk_machine *m, struct kmem_cache *s,
			    struct slab *slab, unsigned long *map)
{
	void *fp = slab->freelist;
	unsigned int i, nr = 0;

	memset(map, 0,
	       (slab->objects + BITS_PER_LONG - 1) / BITS_PER_LONG *
		       sizeof(unsigned long));
	for (; fp && nr++ < slab->objects && valid_pointer(m, s, slab, fp);
	     fp = get_freepointer(s, fp))
		obj_map_set(map, (unsigned long)obj_index(m, s, slab, fp));
	for (i = slab->objects - slab->fresh; i < slab->objects; i++)
		obj_map_set(map, i);
}

/* Linux's list_slab_objects(): the objects of @slab still in use, when
 * its cache is destroyed. Node locked. */
static void list_slab_objects(struct mmk_machine *m, struct kmem_cache *s,
			      struct slab *slab)
{
	unsigned long free_map[OBJ_MAP_LONGS];
	char *base = slab_objects(m, s, slab), *addr = slab_address(m, slab);
	unsigned int i;

	free_object_map(m, s, slab, free_map);
	slab_bug(m, s, "Objects remaining on __kmem_cache_shutdown()");
	for (i = 0; i < slab->objects; i++) {
		char *obj = base + (size_t)i * s->size;

		if (obj_map_test(free_map, i))
			continue;
		printk(m, "Object 0x%lx @offset=%lu", kaddr(m, obj),
		       (unsigned long)(obj - addr));
		print_tracking(m, s, obj);
	}
	print_slab_info(m, slab);
}

int __kmem_cache_destroy(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned long live;
	int nid;

	flush_all(m, s);
	free_empty_slabs(m, s);
	list_del(&s->list);
	live = live_objects(m, s);
	if (live) {
		/* As Linux: reported (the objects of its partial slabs; SLUB
		 * keeps no list of full ones), off the cache list, and leaked
		 * so that the remaining objects can still be freed into it. */
		for_each_online_node(m, nid) {
			struct kmem_cache_node *n = s->node[nid];
			struct slab *slab;

			pthread_mutex_lock(&n->list_lock);
			list_for_each_entry(slab, &n->slabs_partial, slab_list)
				list_slab_objects(m, s, slab);
			pthread_mutex_unlock(&n->list_lock);
		}
		printk(m,
		       "kmem_cache_destroy %s: Slab cache still has objects when called from mmkit",
		       s->name);
		list_add(&s->list, &m->slab->leaked);
		return -EBUSY;
	}
	kmem_cache_release(m, s);
	slab_free(m, m->slab->kmem_cache, virt_to_slab(m, s), s);
	return 0;
}

/*
 * Bootstrap, as Linux's kmem_cache_init(): the caches of cache descriptors
 * and of node structures are first set up in static storage (here: the
 * machine's slab_state) with static node structures, then each is copied
 * into an object allocated from itself.
 */
struct boot_caches {
	struct kmem_cache_node *nodes[2]; /* m->nr_nodes each */
	struct kmem_cache *cache, *node_cache; /* kmem_cache_desc_size() each */
};

static struct kmem_cache *bootstrap(struct mmk_machine *m,
				    struct kmem_cache *stat, bool is_node_cache)
{
	struct kmem_cache *s =
		slab_alloc(m, m->slab->kmem_cache, GFP_KERNEL, -1);
	int nid;

	if (!s)
		return NULL;
	/* Nothing is allocated from @stat yet except the descriptors being
	 * copied here; its per-CPU arrays (percpu data, at the offset the
	 * copy keeps) and slabs move over as they are. From here on only
	 * the copy may be used (the node structures below come from it). */
	memcpy(s, stat, kmem_cache_desc_size(m->nr_nodes));
	if (is_node_cache)
		m->slab->kmem_cache_node = s;
	else
		m->slab->kmem_cache = s;
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = slab_alloc(
			m, m->slab->kmem_cache_node, GFP_KERNEL, nid);
		struct slab *slab;

		if (!n)
			return NULL;
		/* kmem_cache_open() gave @stat a node for every online node;
		 * the analyzer cannot see that. */
		/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
		pthread_mutex_lock(&stat->node[nid]->list_lock);
		memcpy(n, stat->node[nid], sizeof(*n));
		pthread_mutex_unlock(&stat->node[nid]->list_lock);
		mmk_host_mutex_init(&n->list_lock);
		INIT_LIST_HEAD(&n->slabs_partial);
		INIT_LIST_HEAD(&n->slabs_full);
		INIT_LIST_HEAD(&n->slabs_free);
		while (!list_empty(&stat->node[nid]->slabs_partial)) {
			slab = list_first_entry(&stat->node[nid]->slabs_partial,
						struct slab, slab_list);
			list_del(&slab->slab_list);
			list_add_tail(&slab->slab_list, &n->slabs_partial);
		}
		while (!list_empty(&stat->node[nid]->slabs_full)) {
			slab = list_first_entry(&stat->node[nid]->slabs_full,
						struct slab, slab_list);
			list_del(&slab->slab_list);
			list_add_tail(&slab->slab_list, &n->slabs_full);
		}
		while (!list_empty(&stat->node[nid]->slabs_free)) {
			slab = list_first_entry(&stat->node[nid]->slabs_free,
						struct slab, slab_list);
			list_del(&slab->slab_list);
			list_add_tail(&slab->slab_list, &n->slabs_free);
		}
		s->node[nid] = n;
	}
	/* Every slab now points to the copy. */
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];
		struct list_head *lists[] = { &n->slabs_partial, &n->slabs_full,
					      &n->slabs_free };
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(lists); i++) {
			struct slab *slab;

			list_for_each_entry(slab, lists[i], slab_list)
				slab->slab_cache = s;
		}
	}
	list_add(&s->list, &m->slab->caches);
	return s;
}

int kmem_cache_init(struct mmk_machine *m)
{
	size_t size = ALIGN(kmem_cache_desc_size(m->nr_nodes), (size_t)64);
	size_t nodes = (size_t)m->nr_nodes * sizeof(struct kmem_cache_node);
	struct boot_caches *boot;
	struct slab_state *st = m->slab;
	int err;

	/* The two static descriptors, cache-line aligned as the kmem_cache
	 * cache's objects are, then each one's nodes (the machine's, not
	 * MAX_NUMNODES), in the machine's arena: Linux's are __initdata,
	 * here they stay dead in the arena until shutdown (under a KiB on a
	 * machine of one node) rather than cost every boot a host mapping
	 * of its own, its page fault and its unmapping. */
	boot = mmk_machine_zalloc(m, sizeof(*boot) + 64 + 2 * size + 2 * nodes);
	if (!boot)
		return -ENOMEM;
	boot->cache = (struct kmem_cache *)ALIGN((uintptr_t)(boot + 1),
						 (uintptr_t)64);
	boot->node_cache = (struct kmem_cache *)((char *)boot->cache + size);
	boot->nodes[0] =
		(struct kmem_cache_node *)((char *)boot->node_cache + size);
	boot->nodes[1] = boot->nodes[0] + m->nr_nodes;
	pthread_mutex_init(&st->slab_mutex, NULL);
	INIT_LIST_HEAD(&st->caches);
	INIT_LIST_HEAD(&st->leaked);
	boot->node_cache->name = "kmem_cache_node";
	boot->node_cache->object_size = sizeof(struct kmem_cache_node);
	boot->node_cache->flags = SLAB_HWCACHE_ALIGN | SLAB_NO_MERGE;
	st->kmem_cache_node = boot->node_cache;
	err = kmem_cache_open(m, boot->node_cache, boot->nodes[0]);
	if (err)
		return err;
	boot->cache->name = "kmem_cache";
	boot->cache->object_size =
		(unsigned int)kmem_cache_desc_size(m->nr_nodes);
	boot->cache->flags = SLAB_HWCACHE_ALIGN | SLAB_NO_MERGE;
	st->kmem_cache = boot->cache;
	err = kmem_cache_open(m, boot->cache, boot->nodes[1]);
	if (err)
		return err;
	/* Both static caches are flushed so their objects live on slabs
	 * that move with the copies. */
	if (!bootstrap(m, boot->cache, false) ||
	    !bootstrap(m, boot->node_cache, true))
		return -ENOMEM;
	return 0;
}

/* ---- the verifier ---- */

/* S2: @slab's freelist is well formed; returns its length or -1. */
static long verify_freelist(struct mmk_machine *m, struct kmem_cache *s,
			    struct slab *slab, char *why, size_t len)
{
	void *fp = slab->freelist;
	long n = 0;

	while (fp) {
		long idx = obj_index(m, s, slab, fp);

		if (idx < 0 || idx >= slab->objects - slab->fresh)
			return verify_fail(
				       why, len,
				       "cache %s: slab 0x%lx freelist holds 0x%lx, %s",
				       s->name, kaddr(m, slab_address(m, slab)),
				       kaddr(m, fp),
				       idx < 0 ? "not an object of the slab" :
						 "of its fresh tail"),
			       -1;
		if (++n > slab->objects)
			return verify_fail(
				       why, len,
				       "cache %s: slab 0x%lx freelist has a cycle",
				       s->name,
				       kaddr(m, slab_address(m, slab))),
			       -1;
		fp = get_freepointer(s, fp);
	}
	return n;
}

/* S5: every object of a debug slab (but one whose free objects a repair
 * abandoned) has its red zones, poison and padding, as an allocated or a
 * free object. The freelist is well formed. */
static bool verify_objects(struct mmk_machine *m, struct kmem_cache *s,
			   struct slab *slab, char *why, size_t len)
{
	unsigned long free_map[OBJ_MAP_LONGS];
	char *base = slab_objects(m, s, slab);
	unsigned int i;

	if (!(s->flags & (SLAB_RED_ZONE | SLAB_POISON)) ||
	    test_page_flag(slab_page(slab), PG_slab_lost))
		return true;
	free_object_map(m, s, slab, free_map);
	for (i = 0; i < slab->objects; i++) {
		char *obj = base + (size_t)i * s->size;
		struct obj_region r[MAX_OBJ_REGIONS];
		unsigned int k, n;

		n = object_regions(s, obj,
				   obj_map_test(free_map, i) ?
					   SLUB_RED_INACTIVE :
					   SLUB_RED_ACTIVE,
				   r);
		for (k = 0; k < n; k++)
			if (first_not(r[k].start, r[k].val, r[k].len))
				return verify_fail(
					why, len,
					"cache %s: %s object 0x%lx: %s overwritten",
					s->name,
					obj_map_test(free_map, i) ? "free" :
								    "allocated",
					kaddr(m, obj), r[k].what);
	}
	return true;
}

/* Every page of @slab has @s's map id if the slab has s->order, else 0;
 * all of them marked or none (slab_map_mark). */
static bool verify_slab_map(struct mmk_machine *m, struct kmem_cache *s,
			    struct slab *slab, char *why, size_t len)
{
	unsigned int order = slab_order(slab);
	unsigned int want = s->map_id && order == s->order ? s->map_id : 0;
	unsigned long pfn = (unsigned long)(slab_page(slab) - m->mem_map), i;

	if (want)
		want |= slab_map_id(m, pfn) & SLAB_MAP_MARK;
	for (i = 0; i < 1UL << order; i++)
		if (slab_map_id(m, pfn + i) != want)
			return verify_fail(
				why, len,
				"cache %s: slab 0x%lx page %lu has slab map id %u, not %u",
				s->name, kaddr(m, slab_address(m, slab)), i,
				slab_map_id(m, pfn + i), want);
	return true;
}

/* No map entry outlives its slab: a page with an id is in a slab of
 * s->order of the cache with that id (entries are cleared before the
 * slab goes, so one read again after a mismatch is a stale one). The
 * caller holds slab_mutex. */
static bool verify_map(struct mmk_machine *m, char *why, size_t len)
{
	struct kmem_cache *by_id[UCHAR_MAX + 1] = { NULL }, *s;
	unsigned long pfn;

	list_for_each_entry(s, &m->slab->caches, list)
		if (s->map_id)
			by_id[s->map_id] = s;
	list_for_each_entry(s, &m->slab->leaked, list)
		if (s->map_id)
			by_id[s->map_id] = s;
	for (pfn = 0; pfn < m->slab->map_pfns; pfn++) {
		unsigned int id = slab_map_id(m, pfn);
		struct page *head;

		if (!id)
			continue;
		s = by_id[id & ~SLAB_MAP_MARK];
		head = compound_head(m->mem_map + pfn);
		if (s && page_slab(head)->page_type == slab_page_type(s) &&
		    page_slab(head)->slab_cache == s &&
		    slab_order(page_slab(head)) == s->order)
			continue;
		if (slab_map_id(m, pfn) == id)
			return verify_fail(
				why, len,
				"slab map: pfn 0x%lx has id %u (%s) but is in no slab of it",
				pfn, id, s ? s->name : "no cache");
	}
	return true;
}

static bool verify_list(struct mmk_machine *m, struct kmem_cache *s,
			struct list_head *list, int kind, unsigned long *slabs,
			unsigned long *objs, unsigned long *free, char *why,
			size_t len)
{
	static const char *const kinds[] = { "partial", "full", "free" };
	struct slab *slab;

	list_for_each_entry(slab, list, slab_list) {
		long nfree;
		bool ok_kind;

		if (slab->page_type != slab_page_type(s) ||
		    slab->slab_cache != s)
			return verify_fail(
				why, len,
				"cache %s: a slab on the %s list is not a slab of this cache",
				s->name, kinds[kind]);
		nfree = verify_freelist(m, s, slab, why, len);
		if (nfree < 0)
			return false;
		if (slab->fresh > slab->objects ||
		    (unsigned long)nfree + slab->fresh + slab->inuse !=
			    slab->objects)
			return verify_fail(
				why, len,
				"cache %s: slab 0x%lx has %u objects, %u in use but %ld free and %u fresh",
				s->name, kaddr(m, slab_address(m, slab)),
				slab->objects, slab->inuse, nfree, slab->fresh);
		ok_kind = kind == 0 ?
				  slab->inuse && slab->inuse < slab->objects :
			  kind == 1 ? slab->inuse == slab->objects :
				      slab->inuse == 0;
		if (!ok_kind)
			return verify_fail(
				why, len,
				"cache %s: slab 0x%lx with %u of %u in use is on the %s list",
				s->name, kaddr(m, slab_address(m, slab)),
				slab->inuse, slab->objects, kinds[kind]);
		if (m->slab->map && !verify_slab_map(m, s, slab, why, len))
			return false;
		if (s->debug && !verify_objects(m, s, slab, why, len))
			return false;
		(*slabs)++;
		*objs += slab->objects;
		*free += (unsigned long)nfree + slab->fresh;
	}
	return true;
}

/* @obj, an object of @slab, is free in the slab: on its freelist or in
 * its fresh tail. */
static bool free_in_slab(struct mmk_machine *m, struct kmem_cache *s,
			 struct slab *slab, void *obj)
{
	return obj_index(m, s, slab, obj) >= slab->objects - slab->fresh ||
	       freelist_has(s, slab, obj);
}

static bool verify_arrays(struct mmk_machine *m, struct kmem_cache *s,
			  char *why, size_t len)
{
	int cpu;

	for_each_online_cpu(m, cpu) {
		struct array_cache *ac = cpu_array(m, s, cpu);
		unsigned int i;

		if (ac->avail > ac->limit)
			return verify_fail(
				why, len,
				"cache %s cpu %d: %u objects in an array of %u",
				s->name, cpu, ac->avail, ac->limit);
		for (i = 0; i < ac->avail; i++) {
			struct slab *slab = virt_to_slab(m, ac->entry[i]);

			if (!slab || slab->slab_cache != s ||
			    obj_index(m, s, slab, ac->entry[i]) < 0)
				return verify_fail(
					why, len,
					"cache %s cpu %d: array entry %u is not an object of the cache",
					s->name, cpu, i);
			if (free_in_slab(m, s, slab, ac->entry[i]))
				return verify_fail(
					why, len,
					"cache %s cpu %d: object 0x%lx is both in the CPU array and free in its slab",
					s->name, cpu, kaddr(m, ac->entry[i]));
		}
	}
	return true;
}

/* S4 for a node's shared array (list_lock held). */
static bool verify_shared(struct mmk_machine *m, struct kmem_cache *s, int nid,
			  char *why, size_t len)
{
	struct kmem_cache_node *n = s->node[nid];
	unsigned int i;

	void **shared;

	if (!s->shared) {
		if (n->shared_avail)
			return verify_fail(
				why, len,
				"cache %s node %d: %u objects in a shared array that does not exist",
				s->name, nid, n->shared_avail);
		return true;
	}
	shared = node_shared(s, nid);
	if (n->shared_avail > s->shared_limit)
		return verify_fail(
			why, len,
			"cache %s node %d: %u objects in a shared array of %u",
			s->name, nid, n->shared_avail, s->shared_limit);
	for (i = 0; i < n->shared_avail; i++) {
		struct slab *slab = virt_to_slab(m, shared[i]);

		if (!slab || slab->slab_cache != s ||
		    obj_index(m, s, slab, shared[i]) < 0 ||
		    free_in_slab(m, s, slab, shared[i]))
			return verify_fail(
				why, len,
				"cache %s node %d: shared entry %u is not a free object of the cache off its slab",
				s->name, nid, i);
	}
	return true;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a,
		  y = (uintptr_t) * (void *const *)b;

	return (x > y) - (x < y);
}

/* S4: no object is in the CPU and shared arrays twice (a double free of
 * an object another free had put there; SLUB does not see it either).
 * CPU arrays held. Host memory for the sorted copy: without it, no
 * verdict. */
static bool verify_array_duplicates(struct mmk_machine *m, struct kmem_cache *s,
				    char *why, size_t len)
{
	size_t total = 0, k = 0, i;
	void **all;
	bool ok = true;
	int cpu, nid;

	for_each_online_node(m, nid)
		pthread_mutex_lock(&s->node[nid]->list_lock);
	for_each_online_cpu(m, cpu)
		total += cpu_array(m, s, cpu)->avail;
	if (s->shared)
		for_each_online_node(m, nid)
			total += s->node[nid]->shared_avail;
	all = total > 1 ? malloc(total * sizeof(*all)) : NULL;
	if (all) {
		for_each_online_cpu(m, cpu) {
			struct array_cache *ac = cpu_array(m, s, cpu);

			memcpy(all + k, ac->entry, ac->avail * sizeof(*all));
			k += ac->avail;
		}
		if (s->shared)
			for_each_online_node(m, nid) {
				memcpy(all + k, node_shared(s, nid),
				       s->node[nid]->shared_avail *
					       sizeof(*all));
				k += s->node[nid]->shared_avail;
			}
		qsort(all, total, sizeof(*all), ptr_cmp);
		for (i = 1; ok && i < total; i++)
			if (all[i] == all[i - 1])
				ok = verify_fail(
					why, len,
					"cache %s: object 0x%lx is in the CPU and shared arrays twice",
					s->name, kaddr(m, all[i]));
		free(all);
	}
	for_each_online_node(m, nid)
		pthread_mutex_unlock(&s->node[nid]->list_lock);
	return ok;
}

static bool verify_cache(struct mmk_machine *m, struct kmem_cache *s, char *why,
			 size_t len)
{
	bool ok = true;
	int nid;

	lock_cpu_arrays(m, s);
	for_each_online_node(m, nid) {
		struct kmem_cache_node *n = s->node[nid];
		unsigned long slabs = 0, objs = 0, nfree = 0, fslabs = 0;

		pthread_mutex_lock(&n->list_lock);
		ok = verify_list(m, s, &n->slabs_partial, 0, &slabs, &objs,
				 &nfree, why, len) &&
		     verify_list(m, s, &n->slabs_full, 1, &slabs, &objs, &nfree,
				 why, len);
		if (ok) {
			unsigned long before = slabs;

			ok = verify_list(m, s, &n->slabs_free, 2, &slabs, &objs,
					 &nfree, why, len);
			fslabs = slabs - before;
		}
		if (ok &&
		    (slabs != n->total_slabs || objs != n->total_objects ||
		     nfree != n->free_objects || fslabs != n->free_slabs))
			ok = verify_fail(
				why, len,
				"cache %s node %d: counters say %lu slabs, %lu objects, %lu free, %lu empty slabs; lists hold %lu, %lu, %lu, %lu",
				s->name, nid, n->total_slabs, n->total_objects,
				n->free_objects, n->free_slabs, slabs, objs,
				nfree, fslabs);
		if (ok)
			ok = verify_shared(m, s, nid, why, len);
		pthread_mutex_unlock(&n->list_lock);
		if (!ok)
			break;
	}
	if (ok)
		ok = verify_arrays(m, s, why, len);
	if (ok)
		ok = verify_array_duplicates(m, s, why, len);
	unlock_cpu_arrays(m, s);
	return ok;
}

void slab_fast_path_update(struct mmk_machine *m)
{
	bool fail = atomic_load(&m->fail[MMK_FAIL_SLAB].active);
	struct kmem_cache *s;

	if (!m->slab || !m->slab->kmem_cache)
		return; /* kmem_cache_open() reads the plan */
	pthread_mutex_lock(&m->slab->slab_mutex);
	list_for_each_entry(s, &m->slab->caches, list)
		atomic_store(&s->alloc_slow, s->debug || fail);
	pthread_mutex_unlock(&m->slab->slab_mutex);
}

bool slab_verify(struct mmk_machine *m, char *why, size_t len)
{
	struct kmem_cache *s;
	bool ok = true;

	if (!m->slab || !m->slab->kmem_cache)
		return true;
	pthread_mutex_lock(&m->slab->slab_mutex);
	list_for_each_entry(s, &m->slab->caches, list)
		if (ok)
			ok = verify_cache(m, s, why, len);
	list_for_each_entry(s, &m->slab->leaked, list)
		if (ok)
			ok = verify_cache(m, s, why, len);
	if (ok && m->slab->map)
		ok = verify_map(m, why, len);
	pthread_mutex_unlock(&m->slab->slab_mutex);
	return ok;
}

/* ---- fork of the host process (libmmkit-malloc.so's pthread_atfork) ----
 * Before fork: take slab_mutex and every node list_lock, so the child
 * inherits no half-done list update. After it: release them (in the
 * child, the single surviving thread owns them, as it took them). */
/*
 * Before fork, every other CPU's array is taken from its owner (request,
 * one barrier, wait), so that none is caught half-updated by the copy;
 * this comes before the node locks, which an owner may need to finish.
 * The forking thread's own CPU is left alone: only that thread can be
 * inside it, interrupted by a signal handler that forks. @op is
 * cpu_guard_request, cpu_guard_wait or cpu_guard_release.
 */
static void slab_atfork_guards(struct mmk_machine *m,
			       void (*op)(struct cpu_guard *))
{
	struct kmem_cache *s;

	list_for_each_entry(s, &m->slab->caches, list)
		cpu_array_guards(m, s, mmk_ctx.cpu, op);
}

void slab_atfork(struct mmk_machine *m, enum mmk_atfork phase)
{
	struct kmem_cache *s;
	int nid;

	if (!m->slab || !m->slab->up)
		return;
	if (phase == MMK_ATFORK_PREPARE) {
		pthread_mutex_lock(&m->slab->slab_mutex);
		slab_atfork_guards(m, cpu_guard_request);
		cpu_guards_sync();
		slab_atfork_guards(m, cpu_guard_wait);
	} else if (phase == MMK_ATFORK_PARENT) {
		slab_atfork_guards(m, cpu_guard_release);
	}
	list_for_each_entry(s, &m->slab->caches, list) {
		for (nid = 0; nid < m->nr_nodes; nid++) {
			if (!s->node[nid])
				continue;
			if (phase == MMK_ATFORK_PREPARE)
				pthread_mutex_lock(&s->node[nid]->list_lock);
			else
				pthread_mutex_unlock(&s->node[nid]->list_lock);
		}
		/* The guards taken before fork are free again, and so is
		 * the forking thread's own if a signal handler forked
		 * inside it. */
		if (phase == MMK_ATFORK_CHILD)
			cpu_array_guards(m, s, NULL, cpu_guard_reset);
	}
	if (phase != MMK_ATFORK_PREPARE)
		pthread_mutex_unlock(&m->slab->slab_mutex);
}
