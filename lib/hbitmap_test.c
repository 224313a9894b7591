/* SPDX-License-Identifier: MIT */
/*
 * Hierarchical bitmaps against a plain array of bits: random sets and
 * clears, each followed by hbitmap_verify() and by hbitmap_test(),
 * hbitmap_find_first() and hbitmap_find_next() compared with the array,
 * in one piece (hbitmap_init) and striped (hbitmap_init_striped: three
 * bitmaps over one space, the last stripe partial).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hbitmap.h"

#define STRIPE (1UL << 15) /* bits of the first bitmap per stripe */

static uint64_t rnd(uint64_t *r)
{
	*r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
	return *r >> 33;
}

static long model_next(const bool *bits, unsigned long n, unsigned long from)
{
	for (; from < n; from++)
		if (bits[from])
			return (long)from;
	return -1;
}

/* @steps random changes to @hb, checked against a model after each. */
static void exercise(struct hbitmap *hb, unsigned long steps, uint64_t seed)
{
	unsigned long n = hb->nbits, i, bad;
	bool *bits = calloc(n, sizeof(*bits));
	uint64_t r = seed;

	assert_non_null(bits);
	assert_int_equal(hbitmap_find_first(hb), -1);
	for (i = 0; i < steps; i++) {
		/* Clustered bits, so words fill and empty and the summaries
		 * change: a run near a random place. */
		unsigned long at = (rnd(&r) % n) & ~63UL;
		unsigned long bit = (at + rnd(&r) % 128) % n;
		unsigned long from = rnd(&r) % n;

		if (bits[bit])
			hbitmap_clear(hb, bit);
		else
			hbitmap_set(hb, bit);
		bits[bit] = !bits[bit];
		assert_true(hbitmap_verify(hb, &bad));
		assert_int_equal(hbitmap_test(hb, bit), bits[bit]);
		assert_int_equal(hbitmap_find_first(hb),
				 model_next(bits, n, 0));
		assert_int_equal(hbitmap_find_next(hb, from),
				 model_next(bits, n, from));
		assert_int_equal(hbitmap_find_next(hb, bit),
				 model_next(bits, n, bit));
	}
	for (i = 0; i < n; i++)
		if (bits[i])
			hbitmap_clear(hb, i);
	assert_int_equal(hbitmap_find_first(hb), -1);
	free(bits);
}

static void test_plain_matches_model(void **state)
{
	unsigned long n = 300000;
	void *mem = calloc(1, hbitmap_bytes(n));
	struct hbitmap hb;

	(void)state;
	assert_non_null(mem);
	hbitmap_init(&hb, n, mem);
	exercise(&hb, 3000, 1);
	free(mem);
}

/* Three bitmaps over one space of 5.5 stripes, as orders 0, 3 and 10 of
 * a zone: each has a place of its own for every word (the striped words
 * of the three together), they fill their storage exactly, and each
 * behaves as a plain bitmap while the others change. */
static void test_striped_matches_model(void **state)
{
	static const unsigned int orders[] = { 0, 3, 10 };
	unsigned long span = 5 * STRIPE + STRIPE / 2, nbits[3], sbits[3];
	struct hbitmap hb[3], *hbs[3];
	size_t bytes = 0, words = 0;
	unsigned char *seen;
	unsigned long *mem;
	unsigned int b, l;
	unsigned long j;

	(void)state;
	for (b = 0; b < 3; b++) {
		nbits[b] = span >> orders[b];
		sbits[b] = STRIPE >> orders[b];
		hbs[b] = &hb[b];
		bytes += hbitmap_bytes(nbits[b]);
	}
	mem = calloc(1, bytes);
	assert_non_null(mem);
	seen = calloc(bytes / sizeof(long), 1);
	assert_non_null(seen);
	hbitmap_init_striped(hbs, nbits, sbits, 3, mem);
	/* Stripe 0 holds words 0..511 of order 0's bottom level, then the
	 * next stripe starts: the layout is not the plain one. */
	assert_int_equal(hb[0].stripe_shift[0], 9);
	assert_int_equal(hb[0].last_stripe, 5);
	for (b = 0; b < 3; b++)
		for (l = 0; l < hb[b].nr_levels; l++)
			for (j = 0; j < hbitmap_level_words(nbits[b], l); j++) {
				unsigned long *w = hbitmap_word(&hb[b], l, j);

				assert_true(w >= mem &&
					    w < mem + bytes / sizeof(long));
				assert_int_equal(seen[w - mem], 0);
				seen[w - mem] = 1;
				words++;
			}
	assert_int_equal(words * sizeof(long), bytes);
	hbitmap_set(&hb[1], 7);
	exercise(&hb[0], 4000, 2);
	exercise(&hb[2], 500, 3);
	assert_true(hbitmap_test(&hb[1], 7));
	hbitmap_clear(&hb[1], 7);
	exercise(&hb[1], 3000, 4);
	free(seen);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_matches_model),
		cmocka_unit_test(test_striped_matches_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
