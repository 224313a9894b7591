/* SPDX-License-Identifier: MIT */
/*
 * The kernel log's picture of memory (Linux's mm/show_mem.c: __show_mem
 * and show_free_areas), which the OOM killer's report prints.
 *
 * 1. What it models. "Mem-Info:", the global counters in pages, one line
 *    of node counters per node that has managed pages in a zone the
 *    request could use ("all_unreclaimable? yes" once kswapd gave up on
 *    it: MAX_RECLAIM_RETRIES failed runs), then per zone up to the
 *    request's highest zone: watermarks and counters in kB with its
 *    lowmem_reserve[], and its free blocks per order with the migrate
 *    types that have them (U M E H); the hugetlb pools per node, the
 *    page cache, swap, and the RAM, HighMem and reserved page counts.
 *    A report on an allocation limited to some nodes (a failed MPOL_BIND
 *    allocation's OOM kill) leaves the other nodes' node, zone, free
 *    area and hugetlb lines out, as SHOW_MEM_FILTER_NODES does.
 *    Lines and fields as Linux 6.18 prints them on the configuration
 *    PROCFS.md describes (NUMA and THP on x86_64 only, zsmalloc, no CMA,
 *    no memory-failure).
 *
 * 2. Objects. None: it reads zones, nodes and counters.
 *
 * 3. Invariants. The figures are those /proc/zoneinfo and /proc/buddyinfo
 *    show at the same instant.
 *
 * 4. Departures. Each zone's free counts are read under its lock one zone
 *    at a time, as Linux does; nothing else is locked, so the report of a
 *    busy machine is approximate, as in Linux.
 *
 * 5. Ordering. Takes zone->lock; called with no zone lock held.
 *
 * 6. Observability. dmesg.
 */
#include "mm/internal.h"
#include "mm/hugetlb.h"

#include <stdarg.h>
#include <stdio.h>

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

/* Failed kswapd runs after which a node is hopeless (Linux's
 * mm/internal.h; mm/vmscan.c counts them in kswapd_failures). */
#define MAX_RECLAIM_RETRIES 16

static bool has_numa(const struct mmk_machine *m)
{
	return m->arch->numa;
}

/* Whether node @nid has managed pages in a zone the request could use
 * (node_has_managed_zones): show_free_areas() skips the others. */
static bool node_has_managed_zones(struct mmk_machine *m, int nid,
				   enum zone_type max)
{
	int t;

	for (t = 0; t <= (int)max && t < MAX_NR_ZONES; t++)
		if (zone_managed_pages(&m->node_data[nid]->node_zones[t]))
			return true;
	return false;
}

/* Append to @line (@len bytes, *@n used), truncating. */
static __printf(4, 5) void append(char *line, size_t len, size_t *n,
				  const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= len - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(line + *n, len - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = min(*n + (size_t)k, len - 1);
}

static unsigned long zone_free_pcp(const struct mmk_machine *m,
				   const struct zone *z)
{
	unsigned long n = 0;
	int cpu;

	for_each_online_cpu(m, cpu)
		n += (unsigned long)atomic_load(&zone_pcp(z, cpu)->count);
	return n;
}

/* Whether node @nid is left out of a report on an allocation limited to
 * @nodemask (show_mem_node_skip() with SHOW_MEM_FILTER_NODES; 0: no
 * limit, every node is shown, as cpuset_current_mems_allowed is all of
 * them without cpusets). */
static bool node_skip(unsigned long nodemask, int nid)
{
	return nodemask && !(nodemask & (1UL << nid));
}

#define for_each_shown_zone(m, z, nid, i, max, nodemask)                     \
	for_each_online_node(m, nid)                                         \
		if (node_skip(nodemask, nid))                                \
			continue;                                            \
		else                                                         \
			for (i = 0; i < (m)->arch->nr_zone_types; i++)       \
				if (!((z) = &(m)->node_data[nid]->node_zones \
						     [(m)->arch->zone_types  \
							      [i]]) ||       \
				    !populated_zone(z) || (z)->idx > (max))  \
					continue;                            \
				else

static void show_global(struct mmk_machine *m, unsigned long free_pcp)
{
	printk(m, "active_anon:%lu inactive_anon:%lu isolated_anon:%lu",
	       global_node_page_state(m, NR_ACTIVE_ANON),
	       global_node_page_state(m, NR_INACTIVE_ANON),
	       global_node_page_state(m, NR_ISOLATED_ANON));
	printk(m, " active_file:%lu inactive_file:%lu isolated_file:%lu",
	       global_node_page_state(m, NR_ACTIVE_FILE),
	       global_node_page_state(m, NR_INACTIVE_FILE),
	       global_node_page_state(m, NR_ISOLATED_FILE));
	printk(m, " unevictable:%lu dirty:%lu writeback:%lu",
	       global_node_page_state(m, NR_UNEVICTABLE),
	       global_node_page_state(m, NR_FILE_DIRTY),
	       global_node_page_state(m, NR_WRITEBACK));
	printk(m, " slab_reclaimable:%lu slab_unreclaimable:%lu",
	       global_node_page_state(m, NR_SLAB_RECLAIMABLE),
	       global_node_page_state(m, NR_SLAB_UNRECLAIMABLE));
	printk(m, " mapped:%lu shmem:%lu pagetables:%lu",
	       global_node_page_state(m, NR_FILE_MAPPED),
	       global_node_page_state(m, NR_SHMEM),
	       global_node_page_state(m, NR_PAGETABLE));
	printk(m, " sec_pagetables:%lu bounce:%lu",
	       global_node_page_state(m, NR_SEC_PAGE_TABLE_PAGES), 0UL);
	printk(m, " kernel_misc_reclaimable:%lu",
	       global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE));
	printk(m, " free:%lu free_pcp:%lu free_cma:%lu",
	       global_zone_page_state(m, NR_FREE_PAGES), free_pcp,
	       global_zone_page_state(m, NR_FREE_CMA_PAGES));
}

/* The node line; its THP fields only with CONFIG_TRANSPARENT_HUGEPAGE, as
 * show_free_areas() prints them. */
static void show_node(struct mmk_machine *m, int nid)
{
	char line[512];
	size_t n = 0;

	line[0] = '\0';
	append(line, sizeof line, &n,
	       "Node %d active_anon:%lukB inactive_anon:%lukB active_file:%lukB inactive_file:%lukB unevictable:%lukB isolated(anon):%lukB isolated(file):%lukB mapped:%lukB dirty:%lukB writeback:%lukB shmem:%lukB",
	       nid, K(node_page_state(m, nid, NR_ACTIVE_ANON)),
	       K(node_page_state(m, nid, NR_INACTIVE_ANON)),
	       K(node_page_state(m, nid, NR_ACTIVE_FILE)),
	       K(node_page_state(m, nid, NR_INACTIVE_FILE)),
	       K(node_page_state(m, nid, NR_UNEVICTABLE)),
	       K(node_page_state(m, nid, NR_ISOLATED_ANON)),
	       K(node_page_state(m, nid, NR_ISOLATED_FILE)),
	       K(node_page_state(m, nid, NR_FILE_MAPPED)),
	       K(node_page_state(m, nid, NR_FILE_DIRTY)),
	       K(node_page_state(m, nid, NR_WRITEBACK)),
	       K(node_page_state(m, nid, NR_SHMEM)));
	if (m->arch->thp)
		append(line, sizeof line, &n,
		       " shmem_thp:%lukB shmem_pmdmapped:%lukB anon_thp:%lukB",
		       K(node_page_state(m, nid, NR_SHMEM_HUGEPAGES)),
		       K(node_page_state(m, nid, NR_SHMEM_PMDMAPPED)),
		       K(node_page_state(m, nid, NR_ANON_THPS)));
	append(line, sizeof line, &n,
	       " kernel_stack:%lukB pagetables:%lukB sec_pagetables:%lukB all_unreclaimable? %s Balloon:%lukB",
	       node_page_state(m, nid, NR_KERNEL_STACK_KB),
	       K(node_page_state(m, nid, NR_PAGETABLE)),
	       K(node_page_state(m, nid, NR_SEC_PAGE_TABLE_PAGES)),
	       atomic_load(&m->node_data[nid]->kswapd_failures) >=
			       MAX_RECLAIM_RETRIES ?
		       "yes" :
		       "no",
	       K(node_page_state(m, nid, NR_BALLOON_PAGES)));
	printk(m, "%s", line);
}

static void show_zone(struct mmk_machine *m, struct zone *z)
{
	const struct mmk_arch_profile *a = m->arch;
	char node[16] = "", line[128];
	size_t n = 0;
	int cpu = mmk_ctx.cpu ? mmk_ctx.cpu->id : -1, i;

	if (has_numa(m))
		snprintf(node, sizeof node, "Node %d ", z->zone_pgdat->node_id);
	printk(m,
	       "%s%s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB reserved_highatomic:%luKB free_highatomic:%luKB active_anon:%lukB inactive_anon:%lukB active_file:%lukB inactive_file:%lukB unevictable:%lukB writepending:%lukB zspages:%lukB present:%lukB managed:%lukB mlocked:%lukB bounce:%lukB free_pcp:%lukB local_pcp:%lukB free_cma:%lukB",
	       node, z->name, K(zone_page_state(z, NR_FREE_PAGES)),
	       K(z->watermark_boost), K(min_wmark_pages(z)),
	       K(low_wmark_pages(z)), K(high_wmark_pages(z)),
	       K(__atomic_load_n(&z->nr_reserved_highatomic, __ATOMIC_RELAXED)),
	       K(__atomic_load_n(&z->nr_free_highatomic, __ATOMIC_RELAXED)),
	       K(zone_page_state(z, NR_ZONE_ACTIVE_ANON)),
	       K(zone_page_state(z, NR_ZONE_INACTIVE_ANON)),
	       K(zone_page_state(z, NR_ZONE_ACTIVE_FILE)),
	       K(zone_page_state(z, NR_ZONE_INACTIVE_FILE)),
	       K(zone_page_state(z, NR_ZONE_UNEVICTABLE)),
	       K(zone_page_state(z, NR_ZONE_WRITE_PENDING)),
	       K(zone_page_state(z, NR_ZSPAGES)), K(z->present_pages),
	       K(zone_managed_pages(z)), K(zone_page_state(z, NR_MLOCK)), 0UL,
	       K(zone_free_pcp(m, z)),
	       cpu < 0 ? 0UL : K(atomic_load(&zone_pcp(z, cpu)->count)),
	       K(zone_page_state(z, NR_FREE_CMA_PAGES)));
	line[0] = '\0';
	append(line, sizeof line, &n, "lowmem_reserve[]:");
	for (i = 0; i < a->nr_zone_types; i++)
		append(line, sizeof line, &n, " %ld",
		       z->lowmem_reserve[a->zone_types[i]]);
	printk(m, "%s", line);
}

/* "DMA: 1*4kB (U) 2*8kB (UM) ... = 1234kB" */
static void show_zone_free_areas(struct mmk_machine *m, struct zone *z)
{
	static const char letters[MIGRATE_FREE_TYPES] = { 'U', 'M', 'E', 'H' };
	unsigned long nr[NR_PAGE_ORDERS], total = 0;
	unsigned char types[NR_PAGE_ORDERS];
	char line[512];
	size_t n = 0;
	int o, mt;

	pthread_mutex_lock(&z->lock);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		nr[o] = atomic_load(&z->free_area[o].nr_free);
		total += nr[o] << o;
		types[o] = 0;
		for (mt = 0; mt < MIGRATE_FREE_TYPES; mt++)
			if (z->free_area[o].nr_free_mt[mt])
				types[o] |= (unsigned char)(1u << mt);
	}
	pthread_mutex_unlock(&z->lock);
	line[0] = '\0';
	if (has_numa(m))
		append(line, sizeof line, &n, "Node %d ",
		       z->zone_pgdat->node_id);
	append(line, sizeof line, &n, "%s: ", z->name);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		char t[MIGRATE_FREE_TYPES + 1];
		size_t k = 0;

		for (mt = 0; mt < MIGRATE_FREE_TYPES; mt++)
			if (types[o] & (1u << mt))
				t[k++] = letters[mt];
		t[k] = '\0';
		if (nr[o])
			append(line, sizeof line, &n, "%lu*%lukB (%s) ", nr[o],
			       K(1UL) << o, t);
		else
			append(line, sizeof line, &n, "%lu*%lukB ", nr[o],
			       K(1UL) << o);
	}
	append(line, sizeof line, &n, "= %lukB", K(total));
	printk(m, "%s", line);
}

static void show_hugetlb(struct mmk_machine *m, int nid)
{
	static const unsigned long x86_64_sizes[] = { 1048576, 2048 };
	static const unsigned long i386_sizes[] = { 4096 };
	bool x86_64 = m->arch->arch == MMK_ARCH_X86_64;
	const unsigned long *size = x86_64 ? x86_64_sizes : i386_sizes;
	size_t i,
		n = x86_64 ? ARRAY_SIZE(x86_64_sizes) : ARRAY_SIZE(i386_sizes);

	struct hugetlb_counts c;

	/* The default size's pool is mm/hugetlb.c's; x86_64's 1 GiB one
	 * is always empty. */
	for (i = 0; i < n; i++) {
		if (size[i] == m->arch->hugepage_kb)
			hugetlb_counts(m, nid, &c);
		else
			memset(&c, 0, sizeof(c));
		printk(m,
		       "Node %d hugepages_total=%lu hugepages_free=%lu hugepages_surp=%lu hugepages_size=%lukB",
		       nid, c.total, c.free, c.surplus, size[i]);
	}
}

void show_mem(struct mmk_machine *m, gfp_t gfp, unsigned long nodemask)
{
	unsigned long free_pcp = 0, total = 0, reserved = 0, highmem = 0;
	bool valid;
	enum zone_type max = (enum zone_type)gfp_zone_of(m, gfp, &valid);
	struct zone *z;
	int nid, i;

	if (!valid)
		max = ZONE_MOVABLE;
	printk(m, "Mem-Info:");
	for_each_shown_zone(m, z, nid, i, max, nodemask)
		free_pcp += zone_free_pcp(m, z);
	show_global(m, free_pcp);
	for_each_online_node(m, nid)
		if (!node_skip(nodemask, nid) &&
		    node_has_managed_zones(m, nid, max))
			show_node(m, nid);
	for_each_shown_zone(m, z, nid, i, max, nodemask) show_zone(m, z);
	for_each_shown_zone(m, z, nid, i, max, nodemask)
		show_zone_free_areas(m, z);
	for_each_online_node(m, nid)
		if (!node_skip(nodemask, nid))
			show_hugetlb(m, nid);
	printk(m, "%lu total pagecache pages",
	       global_node_page_state(m, NR_FILE_PAGES));
	printk(m, "%lu pages in swap cache",
	       global_node_page_state(m, NR_SWAPCACHE));
	printk(m, "Free swap  = %lukB", K(nr_swap_pages(m)));
	printk(m, "Total swap = %lukB", K(total_swap_pages(m)));
	for_each_shown_zone(m, z, nid, i, MAX_NR_ZONES, 0UL)
	{
		total += z->present_pages;
		reserved += z->present_pages - zone_managed_pages(z);
		if (z->idx == ZONE_HIGHMEM)
			highmem += z->present_pages;
	}
	printk(m, "%lu pages RAM", total);
	printk(m, "%lu pages HighMem/MovableOnly", highmem);
	printk(m, "%lu pages reserved", reserved);
}
