/* SPDX-License-Identifier: MIT */
/*
 * Free page reporting (Linux's mm/page_reporting.c): giving free memory
 * back to the host, as virtio-balloon's free page reporting lets a guest
 * tell its hypervisor which free pages it may discard.
 *
 * 1. What it models. When blocks of page_reporting_order or more are
 *    freed and the zone holds at least PAGE_REPORTING_CAPACITY such
 *    blocks' worth of unreported free memory, the freeing thread (Linux:
 *    a delayed worker) walks the zone's free lists from the highest order
 *    down, isolates up to PAGE_REPORTING_CAPACITY unreported blocks at a
 *    time, drops the zone lock, discards their memory on the host
 *    (fallocate PUNCH_HOLE on the physical-memory memfd) and puts them
 *    back marked PG_reported. The host's RSS then follows what the
 *    machine has in use, which is what libmmkit-malloc.so needs.
 *
 * 2. Objects. PG_reported on the head page of a free block;
 *    zone->reported_pages, the pages of reported free blocks;
 *    zone->report_pending, set under the zone lock, consumed after it.
 *
 * 3. Invariants. reported_pages equals the pages of free blocks whose
 *    head has PG_reported (page_alloc_verify); a reported block's memory
 *    reads as zeroes. Allocating a block clears its flag; merging keeps
 *    it only when both halves were reported; the halves of a split
 *    reported block stay reported. alloc_pages_unbacked() tells its
 *    caller whether the block it took from the buddy lists was reported
 *    (zone->took_reported, set by expand()), so that a caller about to
 *    write it can have the host back it in one call. Per-CPU lists do
 *    the same for their refills once the zone has more than
 *    cfg.populate_pcp_above pages backed (libmmkit-malloc.so: 4 MiB):
 *    each first touch of an unbacked page is a host page fault, and on
 *    a VM that shadows page tables one call costs under half as much
 *    per page (docs/PERFORMANCE.md, session 27). Below the mark pages
 *    are backed as they are touched, so a small process stays small.
 *
 * 4. Departures. Reporting runs in the first freeing thread after the
 *    delay, not in a workqueue: a machine that stops freeing memory
 *    reports nothing more (libmmkit-malloc.so also runs a report that is
 *    a second late from its allocations' refills, so a program that
 *    stops freeing pages but allocates gives back what it freed; sooner,
 *    that was when frag's next phase took the memory again: 5,000 more
 *    host page faults). Boot and deferred
 *    memory starts out reported, since the host never backed it.
 *
 * 5. Ordering. Zone lock while isolating and putting back; the host call
 *    runs without it. Isolated blocks are on no list meanwhile, so a
 *    concurrent allocation simply does not see them. The machine's
 *    report_lock is held from the first isolation to the last putback:
 *    a fork of the host process (page_alloc_atfork) takes it, so that no
 *    child starts with blocks on no list, lost to it for good.
 *
 * 6. Observability. /proc/vmstat has no counter for it in Linux either;
 *    MemFree is unchanged (reported memory is still free).
 */
#include "mm/internal.h"

#include "lib/hbitmap.h"

#define PAGE_REPORTING_CAPACITY 32

static unsigned long unreported_pages(const struct mmk_machine *m,
				      const struct zone *zone)
{
	unsigned long sum = 0, reported = zone->reported_pages;
	unsigned int o;

	for (o = m->cfg.page_reporting_order; o < NR_PAGE_ORDERS; o++)
		sum += (unsigned long)atomic_load_explicit(
			       &zone->free_area[o].nr_free,
			       memory_order_relaxed)
		       << o;
	/* Reported pages include the halves of reported blocks split below
	 * the reporting order, which the sum leaves out. */
	return sum > reported ? sum - reported : 0;
}

void page_reporting_notify_free(struct mmk_machine *m, struct zone *zone)
{
	if (atomic_load_explicit(&zone->report_pending, memory_order_relaxed) ||
	    unreported_pages(m, zone) < (unsigned long)PAGE_REPORTING_CAPACITY
						<< m->cfg.page_reporting_order)
		return;
	atomic_store_explicit(&zone->report_after,
			      mmk_host_coarse_ns() +
				      m->cfg.page_reporting_delay_ms *
					      1000000UL,
			      memory_order_relaxed);
	atomic_store_explicit(&zone->report_pending, true,
			      memory_order_release);
}

struct report_batch {
	unsigned long pfn[PAGE_REPORTING_CAPACITY];
	unsigned int order[PAGE_REPORTING_CAPACITY];
	int n;
};

/* Isolate up to a batch of unreported blocks, highest order first. */
static void isolate_batch(struct mmk_machine *m, struct zone *zone,
			  struct report_batch *b)
{
	int o;

	b->n = 0;
	for (o = MAX_PAGE_ORDER; o >= (int)m->cfg.page_reporting_order &&
				 b->n < PAGE_REPORTING_CAPACITY;
	     o--) {
		struct free_area *area = &zone->free_area[o];
		long bit;

		for (bit = hbitmap_find_first(&area->map);
		     bit >= 0 && b->n < PAGE_REPORTING_CAPACITY;
		     bit = hbitmap_find_next(&area->map,
					     (unsigned long)bit + 1)) {
			unsigned long pfn =
				zone->buddy_base + ((unsigned long)bit << o);

			if (m->mem_map[pfn].flags & (1UL << PG_reported))
				continue;
			__isolate_free_block(m, zone, pfn, (unsigned int)o);
			b->pfn[b->n] = pfn;
			b->order[b->n++] = (unsigned int)o;
		}
	}
}

void __page_reporting_run(struct mmk_machine *m, struct zone *zone)
{
	struct report_batch b;
	int i;

	/* The coarse clock: this runs after every free while a report is
	 * pending, and the delay is tens of milliseconds. */
	if (mmk_host_coarse_ns() <
	    atomic_load_explicit(&zone->report_after, memory_order_relaxed))
		return;
	if (!atomic_exchange(&zone->report_pending, false))
		return;
	pthread_mutex_lock(&m->report_lock);
	do {
		pthread_mutex_lock(&zone->lock);
		isolate_batch(m, zone, &b);
		pthread_mutex_unlock(&zone->lock);
		for (i = 0; i < b.n; i++)
			mmk_host_mem_discard(&m->phys,
					     (size_t)b.pfn[i] << PAGE_SHIFT,
					     (size_t)PAGE_SIZE << b.order[i]);
		pthread_mutex_lock(&zone->lock);
		for (i = 0; i < b.n; i++)
			__putback_reported_block(m, zone, b.pfn[i], b.order[i]);
		pthread_mutex_unlock(&zone->lock);
	} while (b.n == PAGE_REPORTING_CAPACITY);
	pthread_mutex_unlock(&m->report_lock);
}

void __page_reporting_run_late(struct mmk_machine *m, struct zone *zone,
			       unsigned int late_ms)
{
	if (mmk_host_coarse_ns() >=
	    atomic_load_explicit(&zone->report_after, memory_order_relaxed) +
		    late_ms * 1000000UL)
		__page_reporting_run(m, zone);
}

void page_reporting_flush(struct mmk_machine *m)
{
	struct zone *z;
	int nid, t;

	if (!m->cfg.page_reporting_order)
		return;
	for_each_zone_m(m, nid, t, z) {
		if (!populated_zone(z))
			continue;
		atomic_store(&z->report_after, 0);
		atomic_store(&z->report_pending, true);
		__page_reporting_run(m, z);
	}
}
