/* SPDX-License-Identifier: MIT */
/*
 * The boot-time memory allocator (Linux's mm/memblock.c).
 *
 * 1. What it models. Before the buddy allocator exists, boot code needs
 *    memory for mem_map, the free-area bitmaps and the per-CPU areas.
 *    memblock keeps two sorted range lists: "memory" (RAM the firmware
 *    reported, with its node) and "reserved" (firmware areas, the kernel
 *    image, and every boot allocation). memblock_alloc_range() hands out
 *    memory top-down, as Linux does by default, and records it as reserved.
 *    At the end of boot, mm_init.c frees every memory range that is not
 *    reserved to the buddy allocator (memblock_free_all), and the pages left
 *    reserved are what separates a zone's present pages from its managed
 *    pages, and MemTotal from the RAM size.
 *
 * 2. Objects. Fixed arrays of struct memblock_region {base, size, nid},
 *    kept sorted by base; adjacent reserved ranges are merged.
 *
 * 3. Invariants. Ranges in each list are sorted and non-overlapping
 *    (memblock_add and memblock_reserve refuse overlap with -EINVAL);
 *    every allocation lies inside one memory range.
 *
 * 4. Departures. No memblock_free, no mirrored or hotplug memory, no
 *    discarding after boot (the lists stay, read-only, for the verifier).
 *
 * 5. Ordering. All calls happen during mmk_boot on one thread; no lock.
 *
 * 6. Observability. zoneinfo present/managed, meminfo MemTotal, vmstat
 *    nr_memmap_boot_pages.
 */
#include "mm/internal.h"

#include <errno.h>

static int region_insert(struct memblock_type *t, phys_addr_t base,
			 phys_addr_t size, int nid)
{
	int i, pos = t->cnt;

	for (i = 0; i < t->cnt; i++) {
		struct memblock_region *r = &t->regions[i];

		if (base < r->base + r->size && r->base < base + size)
			return -EINVAL;
		if (base < r->base) {
			pos = i;
			break;
		}
	}
	/* Merge with a neighbour when they touch and share the node. */
	if (pos > 0) {
		struct memblock_region *prev = &t->regions[pos - 1];

		if (prev->base + prev->size == base && prev->nid == nid) {
			prev->size += size;
			if (pos < t->cnt &&
			    prev->base + prev->size == t->regions[pos].base &&
			    t->regions[pos].nid == nid) {
				prev->size += t->regions[pos].size;
				for (i = pos; i + 1 < t->cnt; i++)
					t->regions[i] = t->regions[i + 1];
				t->cnt--;
			}
			return 0;
		}
	}
	if (pos < t->cnt && base + size == t->regions[pos].base &&
	    t->regions[pos].nid == nid) {
		t->regions[pos].base = base;
		t->regions[pos].size += size;
		return 0;
	}
	if (t->cnt == MEMBLOCK_MAX_REGIONS)
		return -ENOMEM;
	for (i = t->cnt; i > pos; i--)
		t->regions[i] = t->regions[i - 1];
	t->regions[pos] = (struct memblock_region){ base, size, nid };
	t->cnt++;
	return 0;
}

int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size,
		 int nid)
{
	if (!size)
		return 0;
	return region_insert(&mb->memory, base, size, nid);
}

int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	if (!size)
		return 0;
	return region_insert(&mb->reserved, base, size, -1);
}

bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr)
{
	int i;

	for (i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *r = &mb->reserved.regions[i];

		if (addr >= r->base && addr < r->base + r->size)
			return true;
	}
	return false;
}

/* Highest free gap of @size at @align inside [lo, hi), or 0. */
static phys_addr_t find_top_down(const struct memblock *mb, phys_addr_t size,
				 phys_addr_t align, phys_addr_t lo,
				 phys_addr_t hi)
{
	phys_addr_t cand = hi;
	int i;

	if (hi < size)
		return 0;
	cand = ALIGN_DOWN(hi - size, align);
	while (cand >= lo && cand + size <= hi) {
		phys_addr_t clash = 0;
		bool bad = false;

		for (i = 0; i < mb->reserved.cnt; i++) {
			const struct memblock_region *r =
				&mb->reserved.regions[i];

			if (cand < r->base + r->size && r->base < cand + size) {
				bad = true;
				clash = r->base;
				break;
			}
		}
		if (!bad)
			return cand;
		if (clash < size)
			return 0;
		cand = ALIGN_DOWN(clash - size, align);
	}
	return 0;
}

phys_addr_t memblock_alloc_range(struct memblock *mb, phys_addr_t size,
				 phys_addr_t align, phys_addr_t start,
				 phys_addr_t end)
{
	int i;

	size = ALIGN(size, PAGE_SIZE);
	for (i = mb->memory.cnt - 1; i >= 0; i--) {
		const struct memblock_region *r = &mb->memory.regions[i];
		phys_addr_t lo = max(r->base, start);
		phys_addr_t hi = min(r->base + r->size, end);
		phys_addr_t got;

		if (lo >= hi || hi - lo < size)
			continue;
		got = find_top_down(mb, size, align, lo, hi);
		if (got && memblock_reserve(mb, got, size) == 0)
			return got;
	}
	return 0;
}

static unsigned long overlap_pages(const struct memblock_type *t,
				   unsigned long spfn, unsigned long epfn)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < t->cnt; i++) {
		unsigned long s =
			(unsigned long)(t->regions[i].base >> PAGE_SHIFT);
		unsigned long e = (unsigned long)((t->regions[i].base +
						   t->regions[i].size) >>
						  PAGE_SHIFT);

		s = max(s, spfn);
		e = min(e, epfn);
		if (s < e)
			n += e - s;
	}
	return n;
}

unsigned long memblock_present_pages(const struct memblock *mb,
				     unsigned long spfn, unsigned long epfn)
{
	return overlap_pages(&mb->memory, spfn, epfn);
}

unsigned long memblock_reserved_pages(const struct memblock *mb,
				      unsigned long spfn, unsigned long epfn)
{
	unsigned long n = 0;
	int i;

	/* Reserved ranges outside RAM (firmware holes) do not count. */
	for (i = 0; i < mb->memory.cnt; i++) {
		unsigned long s = (unsigned long)(mb->memory.regions[i].base >>
						  PAGE_SHIFT);
		unsigned long e =
			s + (unsigned long)(mb->memory.regions[i].size >>
					    PAGE_SHIFT);

		s = max(s, spfn);
		e = min(e, epfn);
		if (s < e)
			n += overlap_pages(&mb->reserved, s, e);
	}
	return n;
}

void memblock_for_each_free_range(const struct memblock *mb,
				  void (*fn)(void *arg, unsigned long spfn,
					     unsigned long epfn),
				  void *arg)
{
	int i, j;

	for (i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		unsigned long s = (unsigned long)(r->base >> PAGE_SHIFT);
		unsigned long e =
			(unsigned long)((r->base + r->size) >> PAGE_SHIFT);

		for (j = 0; j < mb->reserved.cnt && s < e; j++) {
			const struct memblock_region *q =
				&mb->reserved.regions[j];
			unsigned long rs =
				(unsigned long)(q->base >> PAGE_SHIFT);
			unsigned long re = (unsigned long)((q->base + q->size +
							    PAGE_SIZE - 1) >>
							   PAGE_SHIFT);

			if (re <= s || rs >= e)
				continue;
			if (rs > s)
				fn(arg, s, rs);
			s = max(s, re);
		}
		if (s < e)
			fn(arg, s, e);
	}
}
