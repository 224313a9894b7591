/* SPDX-License-Identifier: MIT */
/*
 * Workingset detection (Linux's mm/workingset.c, the classic two-list LRU
 * half: workingset_eviction, workingset_refault, workingset_test_recent,
 * workingset_activation, workingset_age_nonresident; no MGLRU, no memory
 * cgroups beyond the root).
 *
 * 1. What it models. A page that reclaim evicts leaves a shadow entry
 *    where it was: a page-cache page in its file's page array
 *    (mm/filemap.c, filemap_remove_mapping, Linux's __remove_mapping), a
 *    swap-cache page in its swap slot's cache entry (mm/swapfile.c,
 *    delete_from_swap_cache; a shmem page written out by shmem_writeout
 *    likewise). The shadow holds the page's node, the node's
 *    nonresident_age at eviction and whether the page was PG_workingset.
 *    nonresident_age is a clock: it advances by one page at every
 *    eviction and at every activation (workingset_activation from
 *    folio_mark_accessed, a refault found recent, and reclaim's putback
 *    of active pages: move_folios_to_lru). When the page is read back
 *    (a page-cache miss that finds a shadow: filemap_add_folio; a swap-in
 *    of a slot holding one: do_swap_page, swapin_readahead, shmem), the
 *    refault distance, age now minus age at eviction, is how much
 *    memory the page would have needed to stay: it is activated when
 *    the distance is within the workingset the node could give it
 *    (workingset_test_recent):
 *
 *        file refault:  active_file + (swap free? active_anon + inactive_anon)
 *        anon refault:  active_file + inactive_file + (swap free? active_anon)
 *
 *    Every refault counts workingset_refault_anon/file on the page's
 *    node; a recent one is set PG_active before it joins the LRU (no
 *    pgactivate: it is added active) and counts workingset_activate_*;
 *    if the shadow says it was PG_workingset, the new page gets the flag
 *    and workingset_restore_* counts it. A page gets PG_workingset when
 *    reclaim deactivates it (shrink_active_list) and keeps it until
 *    freed.
 *
 * 2. Objects. The shadow is an xarray value entry (bit 0 set), packed as
 *    Linux packs it, for the simulated architecture's word size:
 *
 *        bit 0      1 (xa_mk_value)
 *        bit 1      PG_workingset of the evicted page
 *        next 16    memory cgroup id (0: the root, the only one here)
 *        next NODES_SHIFT  node id (6 on x86_64 with NUMA, 0 on i386)
 *        the rest   nonresident_age >> bucket_order, EVICTION_BITS wide
 *
 *    bucket_order is 0 unless the machine has more pages than
 *    EVICTION_BITS can count (i386's 14 bits: above 64 MiB), as
 *    workingset_init() computes it from totalram_pages().
 *    (Computed at each use: managed pages do not change after boot.) Per node
 *    (struct lruvec): nonresident_age; refaults[], the activations
 *    counted when reclaim last finished (mm/vmscan.c).
 *
 * 3. Invariants. A shadow names an existing node (workingset_shadow_ok,
 *    checked by filemap_verify and swap_verify); a shadow is never
 *    stored where a page is cached: the page array or swap-cache entry
 *    holds one or the other (the verifiers check the entry's kind).
 *
 * 4. Departures.
 *    - Shadow nodes: Linux keeps page-cache shadows in xarray nodes of
 *      64 slots and counts the nodes holding nothing but shadows in
 *      workingset_nodes; a shrinker (shadow_lru) frees them when they
 *      exceed 1/8 of the pages in memory (workingset_nodereclaim).
 *      mmkit's page cache is a flat array per file, not a radix tree:
 *      there are no nodes whose count depends on the tree's history
 *      (growth, head collapse), and mmkit runs no slab shrinkers, so
 *      workingset_nodes and workingset_nodereclaim stay 0, and a shadow
 *      lives until its page refaults, its range is punched, invalidated
 *      (drop_caches, FADV_DONTNEED: clear_shadow_entries) or its file
 *      released, or its swap slot is freed. In 6.18 swap shadows live in
 *      the swap table, not in xarray nodes, so they never counted there.
 *    - No lru_note_cost_refault (no reclaim cost tracking, see
 *      mm/vmscan.c), no PSI memstall accounting of thrashing pages.
 *
 * 5. Ordering. workingset_eviction runs with the page locked and off the
 *    LRU, under the lock of the cache it leaves (file->lock, swap's
 *    lock); workingset_refault before the new page is on the LRU. The
 *    age is an atomic counter: no lock.
 *
 * 6. Observability. /proc/vmstat workingset_refault_anon/file,
 *    workingset_activate_anon/file, workingset_restore_anon/file (and
 *    per node in zoneinfo); a refault's activation shows in
 *    Active(file)/Active(anon) of /proc/meminfo.
 */
#include "mm/vma.h"

#define WORKINGSET_SHIFT 1
#define MEM_CGROUP_ID_SHIFT 16

/* The shadow layout of the simulated kernel (see 2.). */
struct shadow_layout {
	unsigned int nodes_shift, eviction_shift, eviction_bits;
	unsigned int bucket_order;
	uint64_t eviction_mask;
};

static void shadow_layout(struct mmk_machine *m, struct shadow_layout *l)
{
	unsigned int bits_per_long = (unsigned int)m->arch->ptr_bytes * 8;
	/* Managed pages stay as boot left them: this is the value
	 * workingset_init() saw. */
	unsigned long pages = totalram_pages(m);
	unsigned int max_order = 0;

	/* CONFIG_NODES_SHIFT: 6 on x86_64 (without MAXSMP), none without
	 * NUMA. */
	l->nodes_shift = m->arch->numa ? 6 : 0;
	/* BITS_PER_LONG - BITS_PER_XA_VALUE is the value tag's bit. */
	l->eviction_shift =
		1 + WORKINGSET_SHIFT + l->nodes_shift + MEM_CGROUP_ID_SHIFT;
	l->eviction_bits = bits_per_long - l->eviction_shift;
	l->eviction_mask =
		(bits_per_long == 64 ? ~0ULL : (1ULL << bits_per_long) - 1) >>
		l->eviction_shift;
	/* workingset_init(): timestamps fine enough to tell apart all of
	 * memory, coarser only where the bits run out. */
	while (pages > 1 && (pages - 1) >> max_order)
		max_order++;
	l->bucket_order =
		max_order > l->eviction_bits ? max_order - l->eviction_bits : 0;
}

static void *pack_shadow(const struct shadow_layout *l, int nid,
			 uint64_t eviction, bool workingset)
{
	uint64_t v = eviction & l->eviction_mask;

	v = (v << l->nodes_shift) | (uint64_t)nid;
	v <<= MEM_CGROUP_ID_SHIFT; /* the root memory cgroup */
	v = (v << WORKINGSET_SHIFT) | workingset;
	return (void *)(uintptr_t)((v << 1) | 1);
}

static void unpack_shadow(const struct shadow_layout *l, const void *shadow,
			  int *nid, uint64_t *eviction, bool *workingset)
{
	uint64_t v = (uintptr_t)shadow >> 1;

	*workingset = v & 1;
	v >>= WORKINGSET_SHIFT + MEM_CGROUP_ID_SHIFT;
	*nid = (int)(v & ((1ULL << l->nodes_shift) - 1));
	*eviction = (v >> l->nodes_shift) & l->eviction_mask;
}

bool workingset_shadow_ok(struct mmk_machine *m, const void *shadow)
{
	struct shadow_layout l;
	uint64_t eviction;
	bool workingset;
	int nid;

	if (!((uintptr_t)shadow & 1))
		return false;
	shadow_layout(m, &l);
	unpack_shadow(&l, shadow, &nid, &eviction, &workingset);
	return nid < m->nr_nodes;
}

static struct lruvec *node_lruvec(struct mmk_machine *m, int nid)
{
	return &m->node_data[nid]->__lruvec;
}

static void mod_node_state(struct mmk_machine *m, int nid,
			   enum node_stat_item item, long n)
{
	atomic_fetch_add(&m->node_stat[nid][item], n);
}

void workingset_age_nonresident(struct mmk_machine *m, int nid,
				unsigned long nr_pages)
{
	atomic_fetch_add_explicit(&node_lruvec(m, nid)->nonresident_age,
				  nr_pages, memory_order_relaxed);
}

void *workingset_eviction(struct mmk_machine *m, struct page *page)
{
	int nid = page_to_nid(page);
	struct shadow_layout l;
	unsigned long age;

	VM_BUG_ON_PAGE(test_page_flag(page, PG_lru), page);
	shadow_layout(m, &l);
	workingset_age_nonresident(m, nid, 1);
	age = atomic_load_explicit(&node_lruvec(m, nid)->nonresident_age,
				   memory_order_relaxed);
	return pack_shadow(&l, nid, (uint64_t)age >> l.bucket_order,
			   test_page_flag(page, PG_workingset));
}

/*
 * workingset_test_recent(): whether the page evicted as @shadow would
 * have stayed had its node given it the memory the refault distance
 * says; *@workingset: it was PG_workingset then.
 */
static bool workingset_test_recent(struct mmk_machine *m, const void *shadow,
				   bool file, bool *workingset)
{
	uint64_t eviction, refault, distance, size;
	struct shadow_layout l;
	int nid;

	shadow_layout(m, &l);
	unpack_shadow(&l, shadow, &nid, &eviction, workingset);
	eviction <<= l.bucket_order;
	refault = atomic_load_explicit(&node_lruvec(m, nid)->nonresident_age,
				       memory_order_relaxed);
	/* Linux masks with EVICTION_MASK after the shift back, as here. */
	distance = (refault - eviction) & l.eviction_mask;
	/* The memory the page could have been given to stay: every list
	 * but the inactive one of its own type, whose turnover the distance
	 * measures; anon pages only while swap has room for them. */
	size = node_page_state(m, nid, NR_ACTIVE_FILE);
	if (!file)
		size += node_page_state(m, nid, NR_INACTIVE_FILE);
	if (nr_swap_pages(m) > 0) {
		size += node_page_state(m, nid, NR_ACTIVE_ANON);
		if (file)
			size += node_page_state(m, nid, NR_INACTIVE_ANON);
	}
	return distance <= size;
}

void workingset_refault(struct mmk_machine *m, struct page *page,
			const void *shadow)
{
	bool file = !test_page_flag(page, PG_swapbacked), workingset;
	int nid = page_to_nid(page);

	VM_BUG_ON_PAGE(test_page_flag(page, PG_lru), page);
	mod_node_state(m, nid,
		       file ? WORKINGSET_REFAULT_FILE : WORKINGSET_REFAULT_ANON,
		       1);
	if (!workingset_test_recent(m, shadow, file, &workingset))
		return;
	page_flag_set(page, PG_active);
	workingset_age_nonresident(m, nid, 1);
	mod_node_state(
		m, nid,
		file ? WORKINGSET_ACTIVATE_FILE : WORKINGSET_ACTIVATE_ANON, 1);
	if (workingset) {
		page_flag_set(page, PG_workingset);
		mod_node_state(m, nid,
			       file ? WORKINGSET_RESTORE_FILE :
				      WORKINGSET_RESTORE_ANON,
			       1);
	}
}

void workingset_activation(struct mmk_machine *m, struct page *page)
{
	workingset_age_nonresident(m, page_to_nid(page), 1);
}
