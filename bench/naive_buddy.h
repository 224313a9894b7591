/* SPDX-License-Identifier: MIT */
/*
 * A naive buddy allocator, the reference page_alloc_bench.c compares mmkit
 * against. It keeps Linux's plain free-list discipline and nothing else:
 *
 * - one doubly linked free list per order 0..NB_MAX_ORDER; a freed block is
 *   pushed at the head, allocation takes the head (LIFO), and expand() puts
 *   the split-off upper halves at the heads of the lower lists;
 * - merge on free: the buddy of block @pfn at @order is pfn ^ (1 << order),
 *   free to merge when its metadata says "free head of that order";
 * - per-page metadata (list links, free flag, order) in a plain array
 *   indexed by pfn; no real memory behind the pfns;
 * - ONE global pthread mutex, no per-CPU caches, no watermarks.
 *
 * Header-only (static functions) because `make bench` compiles each
 * bench/NAME_bench.c as a single translation unit.
 */
#ifndef MMK_BENCH_NAIVE_BUDDY_H
#define MMK_BENCH_NAIVE_BUDDY_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define NB_MAX_ORDER 10
#define NB_NR_ORDERS (NB_MAX_ORDER + 1)

struct nb_page {
	struct nb_page *next, *prev; /* free-list links (free heads only) */
	uint8_t free; /* heads a free block */
	uint8_t order; /* the free block's order */
};

struct naive_buddy {
	pthread_mutex_t lock;
	struct nb_page *pages; /* [npages] */
	unsigned long npages;
	struct nb_page free_list[NB_NR_ORDERS]; /* list heads (sentinels) */
	unsigned long nr_free[NB_NR_ORDERS];
};

static inline void nb_list_add_head(struct nb_page *head, struct nb_page *p)
{
	p->next = head->next;
	p->prev = head;
	head->next->prev = p;
	head->next = p;
}

static inline void nb_list_add_tail(struct nb_page *head, struct nb_page *p)
{
	p->next = head;
	p->prev = head->prev;
	head->prev->next = p;
	head->prev = p;
}

static inline void nb_list_del(struct nb_page *p)
{
	p->prev->next = p->next;
	p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

/* Mark @pfn a free block of @order and push it at the head of its list. */
static inline void nb_add_free(struct naive_buddy *nb, unsigned long pfn,
			       unsigned int order)
{
	struct nb_page *p = &nb->pages[pfn];

	p->free = 1;
	p->order = (uint8_t)order;
	nb_list_add_head(&nb->free_list[order], p);
	nb->nr_free[order]++;
}

static inline void nb_del_free(struct naive_buddy *nb, struct nb_page *p)
{
	nb->nr_free[p->order]--;
	nb_list_del(p);
	p->free = 0;
	p->order = 0;
}

/*
 * nb_init() - @npages pages, all free, as maximal aligned blocks. They go on
 * the lists in ascending address order at the tail (as Linux's boot-time
 * free does, FPI_TO_TAIL), so the first allocations come from low memory.
 * Return: 0, or -1 when the metadata cannot be allocated.
 */
static int nb_init(struct naive_buddy *nb, unsigned long npages)
{
	unsigned long pfn = 0;
	unsigned int o;

	nb->pages = calloc(npages, sizeof(*nb->pages));
	if (!nb->pages)
		return -1;
	nb->npages = npages;
	pthread_mutex_init(&nb->lock, NULL);
	for (o = 0; o < NB_NR_ORDERS; o++) {
		nb->free_list[o].next = nb->free_list[o].prev =
			&nb->free_list[o];
		nb->nr_free[o] = 0;
	}
	while (pfn < npages) {
		unsigned int order = NB_MAX_ORDER;
		struct nb_page *p;

		while (order && ((pfn & ((1UL << order) - 1)) ||
				 pfn + (1UL << order) > npages))
			order--;
		p = &nb->pages[pfn];
		p->free = 1;
		p->order = (uint8_t)order;
		nb_list_add_tail(&nb->free_list[order], p);
		nb->nr_free[order]++;
		pfn += 1UL << order;
	}
	return 0;
}

static void nb_destroy(struct naive_buddy *nb)
{
	pthread_mutex_destroy(&nb->lock);
	free(nb->pages);
	nb->pages = NULL;
}

/* nb_alloc() - a block of 2^@order pages: its head's pfn, or -1. */
static long nb_alloc(struct naive_buddy *nb, unsigned int order)
{
	unsigned int o;

	pthread_mutex_lock(&nb->lock);
	for (o = order; o < NB_NR_ORDERS; o++) {
		struct nb_page *head = &nb->free_list[o], *p = head->next;
		unsigned long pfn;

		if (p == head)
			continue;
		nb_del_free(nb, p);
		pfn = (unsigned long)(p - nb->pages);
		while (o > order) { /* expand */
			o--;
			nb_add_free(nb, pfn + (1UL << o), o);
		}
		pthread_mutex_unlock(&nb->lock);
		return (long)pfn;
	}
	pthread_mutex_unlock(&nb->lock);
	return -1;
}

/* nb_free() - free the block at @pfn of @order, merging with free buddies. */
static void nb_free(struct naive_buddy *nb, unsigned long pfn,
		    unsigned int order)
{
	pthread_mutex_lock(&nb->lock);
	while (order < NB_MAX_ORDER) {
		unsigned long buddy = pfn ^ (1UL << order);
		struct nb_page *b;

		if (buddy >= nb->npages)
			break;
		b = &nb->pages[buddy];
		if (!b->free || b->order != order)
			break;
		nb_del_free(nb, b);
		pfn &= buddy;
		order++;
	}
	nb_add_free(nb, pfn, order);
	pthread_mutex_unlock(&nb->lock);
}

/* nb_nr_free_pages() - pages on the free lists (caller serialises). */
static unsigned long nb_nr_free_pages(const struct naive_buddy *nb)
{
	unsigned long sum = 0;
	unsigned int o;

	for (o = 0; o < NB_NR_ORDERS; o++)
		sum += nb->nr_free[o] << o;
	return sum;
}

#endif /* MMK_BENCH_NAIVE_BUDDY_H */
