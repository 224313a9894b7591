/* SPDX-License-Identifier: MIT */
/*
 * Workload 7, a fragmentation phase change (its figure is peak RSS):
 * 1. allocate 800,000 objects of 16..128 bytes (~58 MB);
 * 2. free 90% of them in random order;
 * 3. allocate objects of 256..2048 bytes until as many bytes are live as
 *    after step 1 - memory the freed small objects held can serve them
 *    only if the allocator gives it back or reuses it across size classes;
 * 4. check and free everything.
 * The same is repeated a second time with the roles of the mixes swapped.
 */
#define WL_NAME "frag"
#include "bench/malloc/wl.h"

#define SMALL 800000

struct slot {
	void *p;
	uint64_t id;
	uint32_t size;
};

static uint64_t rng = 0x5eed0007, ids, asum, fsum, frees;

static void alloc_slot(struct slot *s, uint32_t lo, uint32_t hi)
{
	s->size = (uint32_t)wl_range(&rng, lo, hi);
	s->id = ++ids;
	s->p = wl_malloc(s->size);
	wl_stamp(s->p, s->size, s->id);
	asum += wl_mix(s->id);
}

static void free_slot(struct slot *s)
{
	wl_check(s->p, s->size, s->id, "free");
	fsum += wl_mix(s->id);
	frees++;
	free(s->p);
	s->p = NULL;
}

/*
 * Fill @a (n of them) with objects of lo1..hi1 bytes, free 90% at random,
 * then allocate objects of lo2..hi2 bytes into @b until the bytes live are
 * back where they were; free all. Returns the number of @b used.
 */
static size_t phase(struct slot *a, size_t n, uint32_t lo1, uint32_t hi1,
		    struct slot *b, size_t bmax, uint32_t lo2, uint32_t hi2)
{
	uint64_t live = 0, target;
	size_t i, nb = 0, *order = malloc(n * sizeof *order);

	if (!order)
		wl_fail("no memory for the order array");
	for (i = 0; i < n; i++) {
		alloc_slot(&a[i], lo1, hi1);
		live += a[i].size;
		order[i] = i;
	}
	target = live;
	for (i = n - 1; i > 0; i--) {
		size_t j = wl_rand(&rng) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n / 10 * 9; i++) {
		live -= a[order[i]].size;
		free_slot(&a[order[i]]);
	}
	free(order);
	while (live < target && nb < bmax) {
		alloc_slot(&b[nb], lo2, hi2);
		live += b[nb++].size;
	}
	for (i = 0; i < n; i++)
		if (a[i].p)
			free_slot(&a[i]);
	for (i = 0; i < nb; i++)
		free_slot(&b[i]);
	return nb;
}

int main(int argc, char **argv)
{
	size_t n = wl_scaled(SMALL, wl_scale(argc, argv)), nb1, nb2;
	struct slot *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);

	if (!a || !b)
		wl_fail("no memory for the slot arrays");
	nb1 = phase(a, n, 16, 128, b, n, 256, 2048);
	/* The other way round: large objects first, then small ones. */
	nb2 = phase(b, n / 16, 256, 2048, a, n, 16, 128);
	free(a);
	free(b);
	if (frees != ids || fsum != asum)
		wl_fail("freed %" PRIu64 " of %" PRIu64 " objects", frees, ids);
	printf("frag ok %" PRIu64 " %zu %zu %016" PRIx64 "\n", ids, nb1, nb2,
	       asum);
	return 0;
}
