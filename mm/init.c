/* SPDX-License-Identifier: MIT */
/*
 * Machine start-up in order (Linux's start_kernel() and mm_core_init()):
 * the physical memory model and buddy allocator (mm/mm_init.c), then the
 * slab allocator's bootstrap and the kmalloc caches (mm/slub.c,
 * mm/slab_common.c). It sits above the subsystems it starts, so that none
 * of them calls upward.
 *
 * Invariant: mmk_boot() returns a machine whose every subsystem is up, or
 * NULL with nothing left allocated. mmk_boot_allocators() stops after the
 * kmalloc caches: its machine has no vmalloc, kmap, processes, page
 * cache, swap, reclaim or OOM killer (libmmkit-malloc.so's heap, which
 * then links none of their code). Observability: /proc/slabinfo shows
 * the boot caches (kmem_cache, kmem_cache_node, kmalloc-*).
 */
#include "mm/slab.h"
#include "mm/vma.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The page allocator, then the slab allocator and the kmalloc caches on
 * it: what every machine has. */
static struct mmk_machine *boot_allocators(const struct mmk_config *cfg)
{
	struct mmk_machine *m;
	slab_flags_t debug;
	bool order_off;
	int err;

	if (!cfg || parse_slub_debug(cfg->slub_debug, &debug, &order_off)) {
		errno = EINVAL;
		return NULL;
	}
	m = mmk_memory_init(cfg);
	if (!m)
		return NULL;
	mmk_set_current(m);
	m->slab = mmk_machine_zalloc(m, sizeof(*m->slab));
	if (m->slab) {
		m->slab->debug_flags = debug;
		m->slab->debug_order_off = order_off;
		if (cfg->slub_debug) {
			size_t n = strlen(cfg->slub_debug) + 1;

			m->slab->debug_string = mmk_machine_zalloc(m, n);
			if (m->slab->debug_string)
				memcpy(m->slab->debug_string, cfg->slub_debug,
				       n);
		}
		m->slab->nomerge = cfg->slab_nomerge;
		m->slab->kmalloc_types_on_demand = cfg->kmalloc_types_on_demand;
		m->slab->freelist_random = cfg->slab_freelist_random;
		m->slab->freelist_corrupt = cfg->slab_freelist_corrupt;
	}
	err = !m->slab || (cfg->slub_debug && !m->slab->debug_string) ?
		      -ENOMEM :
		      kmem_cache_init(m);
	if (!err)
		err = create_kmalloc_caches(m);
	if (err) {
		mmk_shutdown(m);
		errno = -err;
		return NULL;
	}
	return m;
}

struct mmk_machine *mmk_boot_allocators(const struct mmk_config *cfg)
{
	struct mmk_machine *m = boot_allocators(cfg);

	if (m)
		drain_all_pages(NULL);
	return m;
}

struct mmk_machine *mmk_boot(const struct mmk_config *cfg)
{
	struct mmk_machine *m = boot_allocators(cfg);
	int err;

	if (!m)
		return NULL;
	err = vmalloc_init(m);
	if (!err)
		err = highmem_init(m);
	if (!err)
		err = mm_state_init(m);
	if (err) {
		mmk_shutdown(m);
		errno = -err;
		return NULL;
	}
	/* Start with empty per-CPU lists: what boot allocated is in use,
	 * everything else is on the buddy lists. */
	drain_all_pages(NULL);
	mm_reserves_init(m);
	return m;
}
