/* SPDX-License-Identifier: MIT */
/*
 * Hierarchical bitmaps: set, clear and test a bit, and find the lowest set
 * bit in one count-trailing-zeros per level (at most six levels: 2^36 bits).
 * The buddy allocator keeps one per zone and order, so it always hands out
 * the lowest-addressed free block of the smallest fitting order.
 * The caller provides zeroed storage of hbitmap_bytes(nbits), in one
 * piece (hbitmap_init), level by level (hbitmap_init_levels), or shared
 * by bitmaps that describe one space (hbitmap_init_striped).
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
/**
 * hbitmap_init_striped() - lay out @n bitmaps together in @mem, zeroed
 * storage of the sum of their hbitmap_bytes(). Bitmap b has @nbits[b]
 * bits, which cover the same space as every other's, @stripe_bits[b] of
 * them (a power of two) a stripe of it, the same for all. The words of
 * their two lowest levels that cover one stripe lie together, the
 * stripes one after the other, wherever a word covers at most a stripe:
 * bits about one place in the space are in a few pages, not one or two
 * per bitmap. The other levels are packed before them, those under a
 * page first, then by size. Every bitmap must have as many stripes,
 * ceil(nbits[b] / stripe_bits[b]); @n is at most 16.
 */
void hbitmap_init_striped(struct hbitmap *const hbs[],
			  const unsigned long nbits[],
			  const unsigned long stripe_bits[], unsigned int n,
			  void *mem);
/** hbitmap_word() - where word @j of level @lvl is. */
static inline unsigned long *hbitmap_word(const struct hbitmap *hb,
					  unsigned int lvl, unsigned long j)
{
	unsigned long *base = hb->level[lvl], s, w;

	if (lvl >= HBITMAP_STRIPED_LEVELS)
		return base + j;
	s = j >> hb->stripe_shift[lvl];
	w = j + s * hb->stripe_gap[lvl];
	if (s == hb->last_stripe)
		w += (unsigned long)(long)hb->last_delta[lvl];
	return base + w;
}
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
	return (*hbitmap_word(hb, 0, bit / 64) >> (bit % 64)) & 1;
}

#endif /* MMK_LIB_HBITMAP_H */
