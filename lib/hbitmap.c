/* SPDX-License-Identifier: MIT */
/*
 * Hierarchical bitmap (see hbitmap.h). Level 0 holds the bits; bit j of
 * level k+1 is set iff word j of level k is nonzero; the top level is one
 * word. Invariant (hbitmap_verify): every summary bit equals "word below is
 * nonzero". set/clear touch one word per level only while the word they
 * change goes from or to zero.
 */
#include "lib/hbitmap.h"
#include "lib/compiler.h"

static unsigned long words_for(unsigned long nbits)
{
	return (nbits + 63) / 64;
}

static unsigned int levels_for(unsigned long nbits)
{
	unsigned int n = 1;

	while (nbits > 64) {
		nbits = words_for(nbits);
		n++;
	}
	return n;
}

unsigned int hbitmap_levels(unsigned long nbits)
{
	return levels_for(nbits ? nbits : 1);
}

unsigned long hbitmap_level_words(unsigned long nbits, unsigned int lvl)
{
	unsigned long n = words_for(nbits ? nbits : 1);

	while (lvl--)
		n = words_for(n);
	return n;
}

size_t hbitmap_bytes(unsigned long nbits)
{
	size_t words = 0;
	unsigned int i, n = hbitmap_levels(nbits);

	for (i = 0; i < n; i++)
		words += hbitmap_level_words(nbits, i);
	return words * sizeof(unsigned long);
}

void hbitmap_init_levels(struct hbitmap *hb, unsigned long nbits,
			 unsigned long *const levels[])
{
	unsigned int i;

	hb->nbits = nbits;
	hb->nr_levels = hbitmap_levels(nbits);
	for (i = 0; i < hb->nr_levels; i++)
		hb->level[i] = levels[i];
}

void hbitmap_init(struct hbitmap *hb, unsigned long nbits, void *mem)
{
	unsigned long *levels[HBITMAP_MAX_LEVELS] = { NULL }, *p = mem;
	unsigned int i;

	for (i = 0; i < hbitmap_levels(nbits); i++) {
		levels[i] = p;
		p += hbitmap_level_words(nbits, i);
	}
	hbitmap_init_levels(hb, nbits, levels);
}

void hbitmap_set(struct hbitmap *hb, unsigned long bit)
{
	unsigned int i, top = hb->nr_levels - 1;

	for (i = 0; i < top; i++) {
		unsigned long *w = &hb->level[i][bit / 64];
		unsigned long mask = 1UL << (bit % 64);

		bit /= 64;
		if (hb->level[i + 1][bit / 64] & (1UL << (bit % 64))) {
			*w |= mask;
			return;
		}
		/* The summary says *w is zero: a store alone sets the bit.
		 * On memory never touched a load would map the host's zero
		 * page and the store then copy it: two faults, not one. */
		*w = mask;
	}
	hb->level[top][bit / 64] |= 1UL << (bit % 64);
}

void hbitmap_clear(struct hbitmap *hb, unsigned long bit)
{
	unsigned int i;

	for (i = 0; i < hb->nr_levels; i++) {
		unsigned long *w = &hb->level[i][bit / 64];

		*w &= ~(1UL << (bit % 64));
		if (*w)
			return;
		bit /= 64;
	}
}

long hbitmap_find_first(const struct hbitmap *hb)
{
	unsigned long idx = 0;
	int i;

	if (!hb->level[hb->nr_levels - 1][0])
		return -1;
	for (i = (int)hb->nr_levels - 1; i >= 0; i--)
		idx = idx * 64 +
		      (unsigned long)__builtin_ctzl(hb->level[i][idx]);
	return (long)idx;
}

/* Lowest set bit >= @bit at level @lvl, climbing to summaries when the
 * rest of a word is empty. */
static long find_next_at(const struct hbitmap *hb, unsigned int lvl,
			 unsigned long bit, unsigned long nbits)
{
	unsigned long w, idx;

	if (bit >= nbits)
		return -1;
	w = hb->level[lvl][bit / 64] & (~0UL << (bit % 64));
	if (w) {
		idx = (bit & ~63UL) + (unsigned long)__builtin_ctzl(w);
	} else {
		long up;

		if (lvl + 1 >= hb->nr_levels)
			return -1;
		up = find_next_at(hb, lvl + 1, bit / 64 + 1, words_for(nbits));
		if (up < 0)
			return -1;
		idx = (unsigned long)up * 64 +
		      (unsigned long)__builtin_ctzl(hb->level[lvl][up]);
	}
	return (long)idx;
}

long hbitmap_find_next(const struct hbitmap *hb, unsigned long bit)
{
	return find_next_at(hb, 0, bit, hb->nbits ? hb->nbits : 1);
}

bool hbitmap_verify(const struct hbitmap *hb, unsigned long *bad_level)
{
	unsigned long n = hb->nbits ? hb->nbits : 1;
	unsigned int i;

	for (i = 0; i + 1 < hb->nr_levels; i++) {
		unsigned long j, words = words_for(n);

		for (j = 0; j < words; j++) {
			bool sum = (hb->level[i + 1][j / 64] >> (j % 64)) & 1;

			if (sum != (hb->level[i][j] != 0)) {
				*bad_level = i + 1;
				return false;
			}
		}
		n = words;
	}
	return true;
}
