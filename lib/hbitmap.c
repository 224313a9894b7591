/* SPDX-License-Identifier: MIT */
/*
 * Hierarchical bitmap (see hbitmap.h). Level 0 holds the bits; bit j of
 * level k+1 is set iff word j of level k is nonzero; the top level is one
 * word. Invariant (hbitmap_verify): every summary bit equals "word below is
 * nonzero". set/clear touch one word per level only while the word they
 * change goes from or to zero.
 *
 * Striping (hbitmap_init_striped): bitmaps that describe one space - the
 * buddy allocator's, one per order of a zone - have their bottom levels
 * cut into stripes that cover the same part of the space, and stripe s
 * of every one of them lies in one place, as Linux keeps a memory
 * section's pageblock flags with the section. A process that uses one
 * part of a large zone then touches the words of every order in a page
 * or two, where one array per order and level put them in a dozen. The
 * last stripe, which may cover less, is packed as tightly, so striping
 * takes exactly the bytes of the plain layout.
 */
#include "lib/hbitmap.h"
#include "lib/compiler.h"
#include "lib/mmdebug.h"

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
	hb->last_stripe = 0;
	for (i = 0; i < HBITMAP_STRIPED_LEVELS; i++) {
		hb->stripe_shift[i] = 63; /* one stripe: word j is word j */
		hb->stripe_gap[i] = 0;
		hb->last_delta[i] = 0;
	}
}

#define STRIPED_MAX_PARTS 96

void hbitmap_init_striped(struct hbitmap *const hbs[],
			  const unsigned long nbits[],
			  const unsigned long stripe_bits[], unsigned int n,
			  void *mem)
{
	struct part {
		unsigned long words, per; /* per stripe; 0: packed */
		unsigned char b, lvl;
	} parts[STRIPED_MAX_PARTS], tmp;
	unsigned long *levels[HBITMAP_MAX_LEVELS] = { NULL }, *p = mem;
	unsigned long stripes, stride = 0, off = 0, last_off = 0;
	unsigned int np = 0, i, j, b, l;

	VM_BUG_ON(n > STRIPED_MAX_PARTS / HBITMAP_MAX_LEVELS);
	stripes = (nbits[0] + stripe_bits[0] - 1) / stripe_bits[0];
	for (b = 0; b < n; b++) {
		VM_BUG_ON(stripe_bits[b] & (stripe_bits[b] - 1));
		VM_BUG_ON((nbits[b] + stripe_bits[b] - 1) / stripe_bits[b] !=
			  stripes);
		hbitmap_init_levels(hbs[b], nbits[b], levels);
		for (l = 0; l < hbs[b]->nr_levels; l++) {
			unsigned long cover = 1UL << (6 * (l + 1));
			struct part *pt = &parts[np++];

			pt->words = hbitmap_level_words(nbits[b], l);
			pt->per = stripes > 1 && l < HBITMAP_STRIPED_LEVELS &&
						  cover <= stripe_bits[b] ?
					  stripe_bits[b] / cover :
					  0;
			pt->b = (unsigned char)b;
			pt->lvl = (unsigned char)l;
			stride += pt->per;
		}
	}
	/* Packed parts first, stable: those under a page in their order,
	 * then the rest by size; striped parts after them, from the
	 * smallest share of a stripe to the largest. */
	for (i = 1; i < np; i++) {
		tmp = parts[i];
		for (j = i; j > 0; j--) {
			const struct part *q = &parts[j - 1];
			bool small = tmp.words * sizeof(long) < 4096;
			bool q_small = q->words * sizeof(long) < 4096;
			bool before;

			if (tmp.per && q->per)
				before = tmp.per < q->per;
			else if (tmp.per || q->per)
				before = !tmp.per;
			else
				before = small ? !q_small :
						 !q_small &&
							 q->words > tmp.words;
			if (!before)
				break;
			parts[j] = parts[j - 1];
		}
		parts[j] = tmp;
	}
	for (i = 0; i < np && !parts[i].per; i++) {
		hbs[parts[i].b]->level[parts[i].lvl] = p;
		p += parts[i].words;
	}
	for (; i < np; i++) {
		struct hbitmap *hb = hbs[parts[i].b];
		unsigned int lvl = parts[i].lvl;

		hb->level[lvl] = p + off;
		hb->stripe_shift[lvl] =
			(unsigned char)__builtin_ctzl(parts[i].per);
		hb->stripe_gap[lvl] = (unsigned int)(stride - parts[i].per);
		hb->last_delta[lvl] = (int)((long)last_off - (long)off);
		off += parts[i].per;
		last_off += parts[i].words - (stripes - 1) * parts[i].per;
	}
	for (b = 0; b < n; b++)
		hbs[b]->last_stripe = (unsigned int)(stripes - 1);
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
		unsigned long *w = hbitmap_word(hb, i, bit / 64);
		unsigned long mask = 1UL << (bit % 64);

		bit /= 64;
		if (*hbitmap_word(hb, i + 1, bit / 64) & (1UL << (bit % 64))) {
			*w |= mask;
			return;
		}
		/* The summary says *w is zero: a store alone sets the bit.
		 * On memory never touched a load would map the host's zero
		 * page and the store then copy it: two faults, not one. */
		*w = mask;
	}
	*hbitmap_word(hb, top, bit / 64) |= 1UL << (bit % 64);
}

void hbitmap_clear(struct hbitmap *hb, unsigned long bit)
{
	unsigned int i;

	for (i = 0; i < hb->nr_levels; i++) {
		unsigned long *w = hbitmap_word(hb, i, bit / 64);

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

	if (!*hbitmap_word(hb, hb->nr_levels - 1, 0))
		return -1;
	for (i = (int)hb->nr_levels - 1; i >= 0; i--)
		idx = idx * 64 + (unsigned long)__builtin_ctzl(*hbitmap_word(
					 hb, (unsigned int)i, idx));
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
	w = *hbitmap_word(hb, lvl, bit / 64) & (~0UL << (bit % 64));
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
		      (unsigned long)__builtin_ctzl(
			      *hbitmap_word(hb, lvl, (unsigned long)up));
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
			bool sum =
				(*hbitmap_word(hb, i + 1, j / 64) >> (j % 64)) &
				1;

			if (sum != (*hbitmap_word(hb, i, j) != 0)) {
				*bad_level = i + 1;
				return false;
			}
		}
		n = words;
	}
	return true;
}
