/* SPDX-License-Identifier: MIT */
/*
 * Workload 6, large allocations: 8 live buffers of random sizes 64 KiB ..
 * 8 MiB (a power of two from 64 KiB to 4 MiB, times 1..2); each step frees a random one, after checking the
 * stamp on each of its pages, and allocates a new one, writing a stamp on
 * every page (the first and last words of the buffer carry its id).
 */
#define WL_NAME "large"
#include "bench/malloc/wl.h"

#define LIVE 8
#define PAGE 4096

struct slot {
	unsigned char *p;
	size_t size;
	uint64_t id;
};

static void stamp_pages(struct slot *s)
{
	size_t off;

	for (off = PAGE; off + 16 <= s->size; off += PAGE) {
		uint64_t v = wl_mix(s->id + off);

		memcpy(s->p + off, &v, 8);
	}
	wl_stamp(s->p, s->size, s->id);
}

static uint64_t check_pages(const struct slot *s)
{
	uint64_t v, h = 0;
	size_t off;

	wl_check(s->p, s->size, s->id, "free");
	for (off = PAGE; off + 16 <= s->size; off += PAGE) {
		memcpy(&v, s->p + off, 8);
		if (v != wl_mix(s->id + off))
			wl_fail("page at offset %zu of %p (%zu bytes) is "
				"corrupt",
				off, (void *)s->p, s->size);
		h += v;
	}
	return h;
}

int main(int argc, char **argv)
{
	uint64_t steps = wl_scaled(2000, wl_scale(argc, argv));
	uint64_t rng = 0x5eed0006, h = 0, bytes = 0, i;
	struct slot live[LIVE];

	memset(live, 0, sizeof live);
	for (i = 0; i < steps; i++) {
		struct slot *s = &live[wl_rand(&rng) % LIVE];
		size_t base = (size_t)64 << 10 << (wl_rand(&rng) % 7);

		if (s->p) {
			h += check_pages(s);
			free(s->p);
		}
		s->size = base + wl_rand(&rng) % (base + 1);
		s->id = i + 1;
		s->p = wl_malloc(s->size);
		stamp_pages(s);
		bytes += s->size;
	}
	for (i = 0; i < LIVE; i++) {
		if (!live[i].p)
			continue;
		h += check_pages(&live[i]);
		free(live[i].p);
	}
	printf("large ok %" PRIu64 " %016" PRIx64 "\n", bytes, h);
	return 0;
}
