/* SPDX-License-Identifier: MIT */
/*
 * VM counters (Linux's mm/vmstat.c, the counting half; proc/vmstat.c prints).
 *
 * 1. What it models. Zone counters (NR_FREE_PAGES, ...), node counters
 *    (nr_anon_pages, ...), NUMA events and VM events (pgalloc_*, pgfree,
 *    ...), with the names and order of Linux 6.18's /proc/vmstat
 *    (mm/vmstat_items.h), and the per-CPU stat threshold zoneinfo prints.
 *
 * 2. Objects. Zone counters are atomics in struct zone, changed under the
 *    zone lock or with atomic adds. Events are per CPU: the thread owning
 *    a CPU adds to its own counters with plain (relaxed) stores, no
 *    read-modify-write; threads without a CPU add atomically to the
 *    machine's shared array. Readers sum all of them.
 *
 * 3. Invariants. A counter is never negative when read (reads clamp at 0,
 *    as Linux's global_zone_page_state does during per-CPU drift).
 *
 * 4. Departures. No per-CPU deltas for zone counters (Linux batches them
 *    by the stat threshold): they are exact at every instant, which the
 *    verifier relies on. The threshold is still computed and shown.
 *
 * 5. Ordering. None beyond the owner rule above.
 *
 * 6. Observability. /proc/vmstat, /proc/zoneinfo counters.
 */
#include "mm/internal.h"

#define MMK_NAME_ITEM(id, name) name,
const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS] = {
	MMK_NODE_STAT_ITEMS(MMK_NAME_ITEM)
};

const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
	"nr_free_pages",       "nr_free_pages_blocks",	"nr_zone_inactive_anon",
	"nr_zone_active_anon", "nr_zone_inactive_file", "nr_zone_active_file",
	"nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
	"nr_zspages",	       "nr_free_cma",
};

const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS] = {
	"numa_hit",	   "numa_miss",	 "numa_foreign",
	"numa_interleave", "numa_local", "numa_other",
};

void count_vm_events(struct mmk_machine *m, enum vm_event_item item,
		     unsigned long delta)
{
	struct mmk_cpu *cpu = mmk_ctx.cpu;

	if (likely(cpu)) {
		atomic_ulong *c = &cpu->events[item];

		atomic_store_explicit(
			c,
			atomic_load_explicit(c, memory_order_relaxed) + delta,
			memory_order_relaxed);
	} else {
		atomic_fetch_add_explicit(&m->vm_events[item], delta,
					  memory_order_relaxed);
	}
}

/* Events the per-CPU page lists count themselves (mm/page_alloc.c's fast
 * paths): pgfree, and pgalloc_<zone> for @zone_idx. */
static unsigned long pcp_events(struct mmk_machine *m, enum vm_event_item item)
{
	unsigned long sum = 0;
	int nid, t, cpu;

	for_each_online_node(m, nid)
		for (t = 0; t < MAX_NR_ZONES; t++) {
			struct zone *z = &m->node_data[nid]->node_zones[t];

			if (!z->per_cpu_pageset)
				continue;
			if (item != PGFREE &&
			    item != (enum vm_event_item)(PGALLOC_BASE + t))
				continue;
			for_each_online_cpu(m, cpu) {
				struct per_cpu_pages *pcp = zone_pcp(z, cpu);

				unsigned int o;

				if (item == PGFREE) {
					sum += atomic_load_explicit(
						&pcp->free_pages,
						memory_order_relaxed);
					continue;
				}
				for (o = 0; o < NR_PCP_ORDERS; o++)
					sum += atomic_load_explicit(
						       &pcp->fast_allocs[o],
						       memory_order_relaxed)
					       << o;
			}
		}
	return sum;
}

unsigned long global_vm_event(struct mmk_machine *m, enum vm_event_item item)
{
	unsigned long sum = atomic_load(&m->vm_events[item]);
	int cpu;

	for_each_online_cpu(m, cpu)
		sum += atomic_load_explicit(&m->cpus[cpu].events[item],
					    memory_order_relaxed);
	if (item == PGFREE || (item >= PGALLOC_BASE && item <= PGALLOC_LAST))
		sum += pcp_events(m, item);
	return sum;
}

unsigned long zone_numa_event(struct mmk_machine *m, struct zone *zone,
			      enum numa_stat_item item)
{
	unsigned long sum = atomic_load(&zone->vm_numa_event[item]);
	int cpu;

	if (!zone->per_cpu_pageset)
		return sum;
	for_each_online_cpu(m, cpu) {
		struct per_cpu_pages *pcp = zone_pcp(zone, cpu);

		sum += atomic_load_explicit(&pcp->numa[item],
					    memory_order_relaxed);
		/* A fast-path allocation is a local hit. */
		if (item == NUMA_HIT || item == NUMA_LOCAL) {
			unsigned int o;

			for (o = 0; o < NR_PCP_ORDERS; o++)
				sum += atomic_load_explicit(
					&pcp->fast_allocs[o],
					memory_order_relaxed);
		}
	}
	return sum;
}

unsigned long global_numa_event(struct mmk_machine *m, enum numa_stat_item item)
{
	unsigned long sum = 0;
	int nid, t;

	for_each_online_node(m, nid)
		for (t = 0; t < MAX_NR_ZONES; t++)
			sum += zone_numa_event(
				m, &m->node_data[nid]->node_zones[t], item);
	return sum;
}

unsigned long global_zone_page_state(struct mmk_machine *m,
				     enum zone_stat_item item)
{
	unsigned long sum = 0;
	int nid, t;

	for_each_online_node(m, nid)
		for (t = 0; t < MAX_NR_ZONES; t++)
			sum += zone_page_state(
				&m->node_data[nid]->node_zones[t], item);
	return sum;
}

unsigned long node_page_state(struct mmk_machine *m, int nid,
			      enum node_stat_item item)
{
	long x = atomic_load_explicit(&m->node_stat[nid][item],
				      memory_order_relaxed);

	return x < 0 ? 0 : (unsigned long)x;
}

unsigned long global_node_page_state(struct mmk_machine *m,
				     enum node_stat_item item)
{
	unsigned long sum = 0;
	int nid;

	for_each_online_node(m, nid)
		sum += node_page_state(m, nid, item);
	return sum;
}

void mod_zone_page_state(struct zone *zone, enum zone_stat_item item,
			 long delta)
{
	atomic_fetch_add_explicit(&zone->vm_stat[item], delta,
				  memory_order_relaxed);
}

int calculate_normal_threshold(struct mmk_machine *m, struct zone *zone)
{
	unsigned long mem = zone_managed_pages(zone) >> (27 - PAGE_SHIFT);
	int t = 2 * fls_long((unsigned long)m->nr_cpus) * (1 + fls_long(mem));

	return min(t, 125);
}
