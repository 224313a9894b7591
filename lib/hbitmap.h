/* SPDX-License-Identifier: MIT */
/*
 * Hierarchical bitmaps: set, clear and test a bit, and find the lowest set
 * bit in one count-trailing-zeros per level (at most six levels: 2^36 bits).
 * The buddy allocator keeps one per zone and order, so it always hands out
 * the lowest-addressed free block of the smallest fitting order.
 * The caller provides zeroed storage of hbitmap_bytes(nbits), in one
 * piece (hbitmap_init) or level by level (hbitmap_init_levels).
 */
#ifndef MMK_LIB_HBITMAP_H
#define MMK_LIB_HBITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <mmkit/mmzone.h>

size_t hbitmap_bytes(unsigned long nbits);
void hbitmap_init(struct hbitmap *hb, unsigned long nbits, void *mem);
/** hbitmap_levels() - the levels of a bitmap of @nbits bits. */
unsigned int hbitmap_levels(unsigned long nbits);
/** hbitmap_level_words() - the words of its level @lvl. */
unsigned long hbitmap_level_words(unsigned long nbits, unsigned int lvl);
/** hbitmap_init_levels() - hbitmap_init() with each level's zeroed words
 * where the caller placed them (@levels[lvl]). */
void hbitmap_init_levels(struct hbitmap *hb, unsigned long nbits,
			 unsigned long *const levels[]);
void hbitmap_set(struct hbitmap *hb, unsigned long bit);
void hbitmap_clear(struct hbitmap *hb, unsigned long bit);
/** hbitmap_find_first() - lowest set bit, or -1 when empty. */
long hbitmap_find_first(const struct hbitmap *hb);
/** hbitmap_find_next() - lowest set bit >= @bit, or -1. */
long hbitmap_find_next(const struct hbitmap *hb, unsigned long bit);
/** hbitmap_verify() - every summary bit matches its word below. */
bool hbitmap_verify(const struct hbitmap *hb, unsigned long *bad_level);

static inline bool hbitmap_test(const struct hbitmap *hb, unsigned long bit)
{
	return (hb->level[0][bit / 64] >> (bit % 64)) & 1;
}

#endif /* MMK_LIB_HBITMAP_H */
