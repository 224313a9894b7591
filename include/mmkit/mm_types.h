/* SPDX-License-Identifier: MIT */
/*
 * struct page: one per 4 KiB page frame, in the pfn-indexed mem_map
 * (include/linux/mm_types.h). 64 bytes, laid out like Linux's:
 *
 *   0  flags            PG_* bits
 *   8  lru / compound_head / pcp link      (union, 40 bytes)
 *      mapping, index, private             (private: buddy order when free)
 *  48  _mapcount | page_type               (union)
 *  52  _refcount
 *  56  mmk_alloc        allocation record: order + 1 (0 = not an allocated head)
 *
 * Departures, both to let mem_map start zero-filled and be initialised
 * lazily (so a 64 GiB machine boots in well under a second):
 * - _mapcount counts mappings from 0 (Linux stores the count minus one);
 * - a free page that is not the head of a buddy block is all zeroes, and
 *   the zone and node of a page come from its pfn, not from flag bits.
 */
#ifndef MMKIT_MM_TYPES_H
#define MMKIT_MM_TYPES_H

#include <stdatomic.h>
#include <mmkit/types.h>

struct address_space;

struct page {
	unsigned long flags;
	union {
		struct {
			struct list_head lru;
			struct address_space *mapping;
			unsigned long index;
			unsigned long private;
		};
		struct {
			/* Tail pages: the head's address with bit 0 set. */
			unsigned long compound_head;
			/* First tail page: the compound order. */
			unsigned char compound_order;
		};
	};
	union {
		/* Number of page-table mappings (0 = unmapped). */
		atomic_int _mapcount;
		/* Typed pages (buddy, slab, table): PGTY_* in the top byte. */
		unsigned int page_type;
	};
	atomic_int _refcount;
	unsigned long mmk_alloc;
};

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes");

#endif /* MMKIT_MM_TYPES_H */
