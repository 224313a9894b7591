/* SPDX-License-Identifier: MIT */
/*
 * Temporary kernel mappings of pages (include/linux/highmem.h). On i386,
 * ZONE_HIGHMEM pages have no permanent kernel address: kmap() maps one in
 * the persistent kmap area (LAST_PKMAP slots, may wait for a free slot),
 * kmap_local_page()/kmap_atomic() in this CPU's fixmap slots (strictly
 * nested). For lowmem pages, and on x86_64, they return page_address().
 * The returned pointers are real host pointers to the page's bytes.
 */
#ifndef MMKIT_HIGHMEM_H
#define MMKIT_HIGHMEM_H

#include <mmkit/types.h>

struct page;

/* Persistent kmap slots (i386 without PAE) and per-CPU kmap_local slots. */
#define LAST_PKMAP 1024
#define KM_MAX_IDX 16

/** kmap() - map @page; waits while every pkmap slot is in use. */
void *kmap(struct page *page);
/**
 * kmap_nowait() - kmap() that does not wait (mmkit's, for a caller that no
 * other thread can free a slot for: the script interpreter). 0 with the
 * address in *@addr; -EBUSY while every pkmap slot is in use, -ENOMEM if
 * the page cannot be mapped, -EINVAL for a page not of this machine (or
 * a NULL @addr).
 */
int kmap_nowait(struct page *page, void **addr);
/** kunmap() - drop a kmap() of @page. */
void kunmap(struct page *page);
/**
 * kmap_local_page() - map @page for the calling thread, in a stack of at
 * most KM_MAX_IDX mappings per CPU; undo with kunmap_local() in reverse
 * order. NULL when the stack is full.
 */
void *kmap_local_page(struct page *page);
/** kunmap_local() - undo the most recent kmap_local_page(). */
void kunmap_local(const void *addr);
/** kmap_atomic() - kmap_local_page() that may not sleep. */
void *kmap_atomic(struct page *page);
void kunmap_atomic(const void *addr);
/** kmap_to_page() - the page behind a kmap, kmap_local or lowmem address. */
struct page *kmap_to_page(const void *addr);

#endif /* MMKIT_HIGHMEM_H */
