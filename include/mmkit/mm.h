/* SPDX-License-Identifier: MIT */
/*
 * Page frame helpers (include/linux/mm.h, page-flags.h, page_ref.h):
 * pfn <-> struct page <-> kernel address, page flags, reference counts.
 * Functions act on the calling thread's current machine.
 */
#ifndef MMKIT_MM_H
#define MMKIT_MM_H

#include <mmkit/mm_types.h>
#include <mmkit/mmzone.h>

/* Page flags: bit numbers of struct page.flags (Linux's enum pageflags). */
enum pageflags {
	PG_locked,
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,
	PG_waiters,
	PG_active,
	PG_workingset,
	PG_owner_priv_1,
	PG_owner_2,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_dropbehind,
	PG_mlocked,
	__NR_PAGEFLAGS
};

/* An anonymous page in the swap cache (page->private: its slot), as
 * Linux aliases it. */
#define PG_swapcache PG_owner_priv_1
/* A page-cache page readahead marked: its use starts the next window. */
#define PG_readahead PG_reclaim

/* page_type values (top byte of struct page.page_type). */
#define PGTY_buddy 0xf0u
#define PGTY_offline 0xf1u
#define PGTY_table 0xf2u
#define PGTY_guard 0xf3u
#define PGTY_hugetlb 0xf4u
#define PGTY_slab 0xf5u
#define PGTY_zsmalloc 0xf6u
#define PGTY_unaccepted 0xf7u
#define PGTY_large_kmalloc 0xf8u

static inline bool test_page_flag(const struct page *page, int nr)
{
	/* One relaxed load (a plain load on x86): the flags of a user page
	 * change under other processes' locks. */
	return (__atomic_load_n(&page->flags, __ATOMIC_RELAXED) >> nr) & 1;
}

static inline void set_page_flag(struct page *page, int nr)
{
	page->flags |= 1UL << nr;
}

static inline void clear_page_flag(struct page *page, int nr)
{
	page->flags &= ~(1UL << nr);
}

static inline unsigned int page_type_of(const struct page *page)
{
	return page->page_type >> 24;
}

/** PageBuddy() - @page heads a free block on a buddy free list. */
static inline bool PageBuddy(const struct page *page)
{
	return page_type_of(page) == PGTY_buddy;
}

static inline bool PageHead(const struct page *page)
{
	return test_page_flag(page, PG_head);
}

static inline bool PageTail(const struct page *page)
{
	return page->compound_head & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

static inline bool PageReserved(const struct page *page)
{
	return test_page_flag(page, PG_reserved);
}

/** compound_head() - the head page of @page's compound page, or @page. */
static inline struct page *compound_head(const struct page *page)
{
	/* The word is an LRU link of a page that is not a tail, which its
	 * neighbours' list updates rewrite under the lru_lock (one load). */
	unsigned long head =
		__atomic_load_n(&page->compound_head, __ATOMIC_RELAXED);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

/** compound_order() - order of a compound head page; 0 otherwise. */
static inline unsigned int compound_order(const struct page *page)
{
	if (!PageHead(page))
		return 0;
	return page[1].compound_order;
}

static inline int page_ref_count(const struct page *page)
{
	return atomic_load_explicit(&page->_refcount, memory_order_relaxed);
}

/** page_count() - references to @page's compound head. */
static inline int page_count(const struct page *page)
{
	return page_ref_count(compound_head(page));
}

/** page_mapcount() - number of page-table mappings of @page. */
static inline int page_mapcount(const struct page *page)
{
	/* One load: _mapcount and page_type share the word, and mappings
	 * in other processes change it concurrently. */
	int v = atomic_load_explicit(&page->_mapcount, memory_order_relaxed);

	if (((unsigned int)v >> 24) >= PGTY_buddy)
		return 0;
	return v;
}

/* page->mapping of an anonymous page: its anon_vma with bit 0 set. */
#define PAGE_MAPPING_ANON 0x1UL

/** PageAnon() - @page is anonymous memory (mapping is an anon_vma). */
static inline bool PageAnon(const struct page *page)
{
	/* READ_ONCE: reclaim tests pages it has not locked while their
	 * mapping changes (page_set_mapping()); the bit itself holds. */
	return ((unsigned long)__atomic_load_n(&page->mapping,
					       __ATOMIC_RELAXED) &
		PAGE_MAPPING_ANON) != 0;
}

/* page->mapping of a KSM page: its stable node with both bits set
 * (mm/ksm.c); such a page is anonymous too. */
#define PAGE_MAPPING_KSM 0x2UL
#define PAGE_MAPPING_FLAGS (PAGE_MAPPING_ANON | PAGE_MAPPING_KSM)

/** PageKsm() - @page is a KSM page, shared by content (mm/ksm.c). */
static inline bool PageKsm(const struct page *page)
{
	return ((unsigned long)__atomic_load_n(&page->mapping,
					       __ATOMIC_RELAXED) &
		PAGE_MAPPING_FLAGS) == PAGE_MAPPING_FLAGS;
}

/** pfn_to_page() - struct page of @pfn, or NULL outside the machine. */
struct page *pfn_to_page(unsigned long pfn);
/** page_to_pfn() - page frame number of @page. */
unsigned long page_to_pfn(const struct page *page);
/** pfn_valid() - @pfn has a struct page (it may be a hole or reserved). */
bool pfn_valid(unsigned long pfn);
/** page_zone() - the zone @page belongs to. */
struct zone *page_zone(const struct page *page);
/** page_to_nid() - the NUMA node of @page. */
int page_to_nid(const struct page *page);
/** get_pageblock_migratetype() - the migrate type of @page's pageblock
 * (enum migratetype), or -1 if @page has no zone. */
int get_pageblock_migratetype(const struct page *page);
/** PageHighMem() - @page is in ZONE_HIGHMEM (no permanent mapping). */
bool PageHighMem(const struct page *page);
/**
 * page_address() - the kernel (direct-map) address of a lowmem page, as a
 * real pointer into the machine's memory; NULL for a highmem page.
 */
void *page_address(const struct page *page);
/** virt_to_page() - struct page of a direct-map address; NULL if none. */
struct page *virt_to_page(const void *addr);
/** get_page() - take a reference on @page's compound head. */
void get_page(struct page *page);
/**
 * split_page() - turn a non-compound order-@order allocation into 2^order
 * order-0 pages, each with its own reference, freeable one by one.
 */
void split_page(struct page *page, unsigned int order);
/**
 * put_page() - drop a reference; the last one frees the page with the order
 * it was allocated with (mmkit records it; see struct page.mmk_alloc).
 */
void put_page(struct page *page);

#endif /* MMKIT_MM_H */
