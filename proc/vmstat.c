/* SPDX-License-Identifier: MIT */
/*
 * /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo and /proc/vmstat
 * (Linux's mm/vmstat.c, the printing half).
 *
 * 1. What it models. Linux 6.18's formats byte for byte (shared/PROCFS.md
 *    sections 1, 3 and 5): trailing spaces in buddyinfo, the per-node stats
 *    block inside a node's first populated zone, unpopulated zones stopping
 *    after "protection:", one "pagesets" block per CPU, and vmstat's zone,
 *    NUMA, node, global and event sections ending with "nr_unstable 0".
 *
 * 2. Objects. Reads zones, pcp lists and counters; the zone list and the
 *    per-zone event names come from the architecture profile.
 *
 * 3. Invariants. buddyinfo's counts are taken under the zone lock, so a
 *    line is one instant of that zone. Σ count << order of a zone equals
 *    its "pages free" when nothing runs concurrently.
 *
 * 4. Departures. None in the formats: the i386 profile has no NUMA
 *    counters (CONFIG_NUMA and CONFIG_NUMA_BALANCING are off there, as on
 *    i386 distributions), which is Linux's behaviour for that config.
 *
 * 5. Ordering. Zone lock only, one zone at a time.
 *
 * 6. Observability. These files.
 */
#include "proc/internal.h"

#include <limits.h>

static bool has_numa(const struct mmk_machine *m)
{
	return m->arch->numa;
}

/* Whether the kernel configuration has event @id (Linux 6.18's
 * vm_event_item.h: zone_reclaim_* under CONFIG_NUMA, numa_* under
 * CONFIG_NUMA_BALANCING, thp_* under CONFIG_TRANSPARENT_HUGEPAGE; the
 * profile's numa has both NUMA options). */
static bool event_shown(const struct mmk_machine *m, enum vm_event_item id)
{
	if (id == ZONE_RECLAIM_SUCCESS || id == ZONE_RECLAIM_FAILED)
		return m->arch->numa;
	if (id >= NUMA_PTE_UPDATES && id <= NUMA_PAGES_MIGRATED)
		return m->arch->numa;
	if (id >= THP_FAULT_ALLOC && id <= THP_SWPOUT_FALLBACK)
		return m->arch->thp;
	return true;
}

/* vmstat_item_print_in_thp(): nr_anon_transparent_hugepages counts huge
 * pages, its counter base pages. */
static unsigned long stat_unit(int item)
{
	return item == NR_ANON_THPS ? 512 : 1;
}

/* Whether the kernel configuration has node counter @item (mmzone.h:
 * pgpromote_* under CONFIG_NUMA_BALANCING). */
static bool node_stat_shown(const struct mmk_machine *m,
			    enum node_stat_item item)
{
	if (item >= PGPROMOTE_SUCCESS && item <= PGPROMOTE_CANDIDATE_NRL)
		return m->arch->numa;
	return true;
}

void proc_buddyinfo_show(struct seq_file *s, struct mmk_machine *m)
{
	int nid, i, o;

	for_each_online_node(m, nid) {
		for (i = 0; i < m->arch->nr_zone_types; i++) {
			struct zone *z =
				&m->node_data[nid]
					 ->node_zones[m->arch->zone_types[i]];
			unsigned long nr[NR_PAGE_ORDERS];

			if (!populated_zone(z))
				continue;
			pthread_mutex_lock(&z->lock);
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				nr[o] = z->free_area[o].nr_free;
			pthread_mutex_unlock(&z->lock);
			seq_printf(s, "Node %d, zone %8s ", nid, z->name);
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				seq_printf(s, "%6lu ", nr[o]);
			seq_puts(s, "\n");
		}
	}
}

static const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/* The zones of node @nid that have memory, in the profile's order. */
#define for_each_populated_zone_of(m, nid, i, z)                              \
	for (i = 0; i < (m)->arch->nr_zone_types; i++)                        \
		if (!populated_zone(z = &(m)->node_data[nid]->node_zones      \
						 [(m)->arch->zone_types[i]])) \
			continue;                                             \
		else

/* Free blocks per type and order; a count is capped at 100000 and then
 * printed ">100000", as Linux stops counting a list there. */
static void pagetypeinfo_showfree(struct seq_file *s, struct mmk_machine *m,
				  int nid)
{
	struct zone *z;
	int i, o, mt;

	seq_printf(s, "%-43s ", "Free pages count per migrate type at order");
	for (o = 0; o < NR_PAGE_ORDERS; o++)
		seq_printf(s, "%6d ", o);
	seq_puts(s, "\n");
	for_each_populated_zone_of(m, nid, i, z)
	{
		unsigned long nr[MIGRATE_TYPES][NR_PAGE_ORDERS] = { { 0 } };

		pthread_mutex_lock(&z->lock);
		for (mt = 0; mt < MIGRATE_FREE_TYPES; mt++)
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				nr[mt][o] = z->free_area[o].nr_free_mt[mt];
		pthread_mutex_unlock(&z->lock);
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			seq_printf(s, "Node %4d, zone %8s, type %12s ", nid,
				   z->name, migratetype_names[mt]);
			for (o = 0; o < NR_PAGE_ORDERS; o++)
				seq_printf(s, "%s%6lu ",
					   nr[mt][o] >= 100000 ? ">" : "",
					   min(nr[mt][o], 100000UL));
			seq_puts(s, "\n");
		}
	}
}

/* Pageblocks per type: one count per pageblock_nr_pages step from the
 * zone's first pfn, where that pfn has a memmap of this zone. */
static void pagetypeinfo_showblockcount(struct seq_file *s,
					struct mmk_machine *m, int nid)
{
	unsigned long pbn = 1UL << m->pageblock_order;
	struct zone *z;
	int i, mt;

	seq_printf(s, "\n%-23s", "Number of blocks type ");
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		seq_printf(s, "%12s ", migratetype_names[mt]);
	seq_puts(s, "\n");
	for_each_populated_zone_of(m, nid, i, z)
	{
		unsigned long count[MIGRATE_TYPES] = { 0 }, pfn;

		for (pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += pbn)
			if (mmk_pfn_zone(m, pfn) == z)
				count[get_pfnblock_migratetype(m, pfn)]++;
		seq_printf(s, "Node %d, zone %8s ", nid, z->name);
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			seq_printf(s, "%12lu ", count[mt]);
		seq_puts(s, "\n");
	}
}

/* The whole file, once per node (every node has memory here). */
void proc_pagetypeinfo_show(struct seq_file *s, struct mmk_machine *m)
{
	int nid;

	for_each_online_node(m, nid) {
		seq_printf(s, "Page block order: %u\n", m->pageblock_order);
		seq_printf(s, "Pages per block:  %lu\n",
			   1UL << m->pageblock_order);
		seq_puts(s, "\n");
		pagetypeinfo_showfree(s, m, nid);
		pagetypeinfo_showblockcount(s, m, nid);
	}
}

static void zoneinfo_node_stats(struct seq_file *s, struct mmk_machine *m,
				int nid)
{
	int i;

	seq_puts(s, "\n  per-node stats");
	for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		if (node_stat_shown(m, (enum node_stat_item)i))
			seq_printf(s, "\n      %-12s %lu", node_stat_names[i],
				   node_page_state(m, nid,
						   (enum node_stat_item)i) /
					   stat_unit(i));
}

static void zoneinfo_pagesets(struct seq_file *s, struct mmk_machine *m,
			      struct zone *z)
{
	int cpu;

	seq_puts(s, "\n  pagesets");
	for_each_online_cpu(m, cpu) {
		struct per_cpu_pages *pcp = zone_pcp(z, cpu);

		seq_printf(s,
			   "\n    cpu: %i"
			   "\n              count:    %i"
			   "\n              high:     %i"
			   "\n              batch:    %i"
			   "\n              high_min: %i"
			   "\n              high_max: %i",
			   cpu, atomic_load(&pcp->count),
			   atomic_load(&pcp->high), pcp->batch, pcp->high_min,
			   pcp->high_max);
		seq_printf(s, "\n  vm stats threshold: %d", z->stat_threshold);
	}
}

static void zoneinfo_show_zone(struct seq_file *s, struct mmk_machine *m,
			       struct zone *z, bool first_populated)
{
	const struct mmk_arch_profile *a = m->arch;
	int i;

	seq_printf(s, "Node %d, zone %8s", z->zone_pgdat->node_id, z->name);
	if (first_populated)
		zoneinfo_node_stats(s, m, z->zone_pgdat->node_id);
	seq_printf(s,
		   "\n  pages free     %lu"
		   "\n        boost    %lu"
		   "\n        min      %lu"
		   "\n        low      %lu"
		   "\n        high     %lu"
		   "\n        promo    %lu"
		   "\n        spanned  %lu"
		   "\n        present  %lu"
		   "\n        managed  %lu"
		   "\n        cma      %lu",
		   zone_page_state(z, NR_FREE_PAGES), z->watermark_boost,
		   min_wmark_pages(z), low_wmark_pages(z), high_wmark_pages(z),
		   wmark_pages(z, WMARK_PROMO), z->spanned_pages,
		   z->present_pages, zone_managed_pages(z), 0UL);
	seq_printf(s, "\n        protection: (%ld",
		   z->lowmem_reserve[a->zone_types[0]]);
	for (i = 1; i < a->nr_zone_types; i++)
		seq_printf(s, ", %ld", z->lowmem_reserve[a->zone_types[i]]);
	seq_puts(s, ")");
	if (!populated_zone(z)) {
		seq_puts(s, "\n");
		return;
	}
	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "\n      %-12s %lu", zone_stat_names[i],
			   zone_page_state(z, (enum zone_stat_item)i));
	if (has_numa(m))
		for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			seq_printf(s, "\n      %-12s %lu", numa_stat_names[i],
				   zone_numa_event(m, z,
						   (enum numa_stat_item)i));
	zoneinfo_pagesets(s, m, z);
	seq_printf(s,
		   "\n  node_unreclaimable:  %u\n  start_pfn:           %lu\n",
		   atomic_load(&z->zone_pgdat->kswapd_failures) >= 16 ? 1u : 0u,
		   z->zone_start_pfn);
}

void proc_zoneinfo_show(struct seq_file *s, struct mmk_machine *m)
{
	int nid, i;

	for_each_online_node(m, nid) {
		bool seen = false;

		for (i = 0; i < m->arch->nr_zone_types; i++) {
			struct zone *z =
				&m->node_data[nid]
					 ->node_zones[m->arch->zone_types[i]];
			bool first = !seen && populated_zone(z);

			zoneinfo_show_zone(s, m, z, first);
			seen = seen || first;
		}
	}
}

/* Free and file pages of the highmem zones above their high watermarks,
 * at most @total (highmem_dirtyable_memory: with vm_highmem_is_dirtyable
 * 0, highmem is not dirtyable). */
static unsigned long highmem_dirtyable_memory(struct mmk_machine *m,
					      unsigned long total)
{
	unsigned long x = 0;
	int nid;

	for_each_online_node(m, nid) {
		struct zone *z = &m->node_data[nid]->node_zones[ZONE_HIGHMEM];
		unsigned long nr;

		if (!populated_zone(z))
			continue;
		nr = zone_page_state(z, NR_FREE_PAGES);
		nr -= min(nr, high_wmark_pages(z));
		nr += zone_page_state(z, NR_ZONE_INACTIVE_FILE) +
		      zone_page_state(z, NR_ZONE_ACTIVE_FILE);
		x += nr;
	}
	return min(x, total);
}

/* Linux's global_dirty_limits() with vm_dirty_ratio 20 and
 * dirty_background_ratio 10: of the dirtyable memory (free pages less
 * totalreserve_pages, then the file LRUs, less highmem, plus one so it is
 * never 0: global_dirtyable_memory), the ratios in 1/PAGE_SIZE steps
 * (domain_dirty_limits). */
static void dirty_limits(struct mmk_machine *m, unsigned long *thresh,
			 unsigned long *bg)
{
	unsigned long x = global_zone_page_state(m, NR_FREE_PAGES);
	unsigned long ratio = (20 * PAGE_SIZE) / 100;
	unsigned long bg_ratio = (10 * PAGE_SIZE) / 100;

	x -= min(x, READ_ONCE(m->totalreserve_pages));
	x += global_node_page_state(m, NR_INACTIVE_FILE) +
	     global_node_page_state(m, NR_ACTIVE_FILE);
	x -= highmem_dirtyable_memory(m, x);
	x++;
	*thresh = min(ratio * x / PAGE_SIZE, (unsigned long)UINT_MAX);
	*bg = bg_ratio * x / PAGE_SIZE;
	if (*bg >= *thresh)
		*bg = *thresh / 2;
}

static void vmstat_events(struct seq_file *s, struct mmk_machine *m)
{
	const struct mmk_arch_profile *a = m->arch;
	int i;

#define MMK_SHOW_EVENT(id, name) \
	if (event_shown(m, id))  \
		seq_printf(s, "%s %lu\n", name, global_vm_event(m, id));
#define MMK_SHOW_ZONEFAM(id, name)                              \
	for (i = 0; i < a->nr_zone_types; i++)                  \
		seq_printf(s, "%s_%s %lu\n", name,              \
			   zone_event_suffix[a->zone_types[i]], \
			   global_vm_event(                     \
				   m, (enum vm_event_item)(     \
					      id##_BASE + a->zone_types[i])));
	MMK_VM_EVENT_ITEMS(MMK_SHOW_EVENT, MMK_SHOW_ZONEFAM)
#undef MMK_SHOW_EVENT
#undef MMK_SHOW_ZONEFAM
}

void proc_vmstat_show(struct seq_file *s, struct mmk_machine *m)
{
	unsigned long thresh, bg;
	int i;

	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", zone_stat_names[i],
			   global_zone_page_state(m, (enum zone_stat_item)i));
	if (has_numa(m))
		for (i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			seq_printf(s, "%s %lu\n", numa_stat_names[i],
				   global_numa_event(m,
						     (enum numa_stat_item)i));
	for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		if (node_stat_shown(m, (enum node_stat_item)i))
			seq_printf(s, "%s %lu\n", node_stat_names[i],
				   global_node_page_state(
					   m, (enum node_stat_item)i) /
					   stat_unit(i));
	dirty_limits(m, &thresh, &bg);
	seq_printf(s, "nr_dirty_threshold %lu\n", thresh);
	seq_printf(s, "nr_dirty_background_threshold %lu\n", bg);
	seq_printf(s, "nr_memmap_pages %lu\n", 0UL);
	seq_printf(s, "nr_memmap_boot_pages %lu\n", m->nr_memmap_boot_pages);
	vmstat_events(s, m);
	seq_puts(s, "nr_unstable 0\n");
}
