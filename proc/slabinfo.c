/* SPDX-License-Identifier: MIT */
/*
 * /proc/slabinfo version 2.1 (Linux's mm/slab_common.c slab_show with
 * SLUB's get_slabinfo).
 *
 * 1. What it models. The two header lines and one line per cache, newest
 *    first (the cache list's order), in Linux's exact format: objsize is
 *    the object stride s->size, tunables are 0 0 0, active_slabs equals
 *    num_slabs, sharedavail is 0. active_objs counts every object not free
 *    on a node's slab lists, so objects cached in per-CPU arrays count as
 *    active, as SLUB over-reports its per-CPU slabs.
 * 2. Objects: reads the caches and their node counters.
 * 3. Invariants: num_objs = Σ objects of the cache's slabs.
 * 4. Departures: aliases (merged caches) have no line, as in Linux.
 * 5. Ordering: slab_mutex, then each node's list_lock briefly.
 * 6. Observability: this file.
 */
#include "proc/internal.h"
#include "mm/slab.h"

void proc_slabinfo_show(struct seq_file *s, struct mmk_machine *m)
{
	struct kmem_cache *c;

	seq_puts(
		s,
		"slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	pthread_mutex_lock(&m->slab->slab_mutex);
	list_for_each_entry(c, &m->slab->caches, list) {
		unsigned long active, num, slabs;

		slab_info(m, c, &active, &num, &slabs);
		seq_printf(
			s,
			"%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
			c->name, active, num, c->size, c->objects,
			1 << c->order, 0u, 0u, 0u, slabs, slabs, 0UL);
	}
	pthread_mutex_unlock(&m->slab->slab_mutex);
}
