/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's hash tables: the huge mappings (heap.c) and
 * borrowing's lents and regions (borrow.c).
 *
 * Open addressing with linear probing over records of one size whose
 * first word is their key, nonzero (0 marks an empty slot). Deletion
 * shifts later records of the probe chain back into the gap, so there
 * are no tombstones and a lookup stops at the first empty slot. The hash
 * is Fibonacci hashing of the key without its always-zero low bits (the
 * top bits of key * 2^64/phi). A table grows at three quarters full and
 * halves at an eighth, down to its minimum; its slots are host memory
 * (mmk_host_zalloc), so a table that shrinks gives them back. The caller
 * locks.
 */
#include "malloc/malloc_internal.h"

#include <string.h>

static inline uintptr_t *slot_key(const struct table *t, size_t i)
{
	return (uintptr_t *)(void *)((char *)t->slot + i * t->esize);
}

/* The table rehashed into @cap slots; false without memory. */
static bool table_resize(struct table *t, size_t cap)
{
	struct table n = *t;
	size_t i;

	n.slot = mmk_host_zalloc(cap * t->esize);
	if (!n.slot)
		return false;
	n.cap = cap;
	n.bits = (unsigned int)__builtin_ctzl(cap);
	for (i = 0; i < t->cap; i++) {
		const uintptr_t *k = slot_key(t, i);
		size_t j;

		if (!*k)
			continue;
		for (j = table_home(&n, *k); *slot_key(&n, j);
		     j = (j + 1) & (cap - 1))
			;
		memcpy(slot_key(&n, j), k, t->esize);
	}
	mmk_host_free(t->slot);
	*t = n;
	return true;
}

void *table_insert(struct table *t, uintptr_t key)
{
	uintptr_t *k;
	size_t i;

	if ((t->used + 1) * 4 > t->cap * 3 &&
	    !table_resize(t, t->cap ? t->cap * 2 : t->min))
		return NULL;
	for (i = table_home(t, key); *slot_key(t, i);
	     i = (i + 1) & (t->cap - 1))
		;
	k = slot_key(t, i);
	*k = key;
	t->used++;
	return k;
}

void table_remove(struct table *t, void *rec)
{
	size_t i = (size_t)((char *)rec - (char *)t->slot) / t->esize, j;

	/* Pull later records of the chain into the gap unless their home
	 * lies cyclically in (gap, them]. */
	for (j = i;;) {
		uintptr_t *k;
		size_t h;

		j = (j + 1) & (t->cap - 1);
		k = slot_key(t, j);
		if (!*k)
			break;
		h = table_home(t, *k);
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		memcpy(slot_key(t, i), k, t->esize);
		i = j;
	}
	memset(slot_key(t, i), 0, t->esize);
	t->used--;
	if (t->cap > t->min && t->used * 8 < t->cap)
		table_resize(t, t->cap / 2); /* without memory, it stays */
}
