/* SPDX-License-Identifier: MIT */
/*
 * Workload 1, single-thread churn: a live window of 20,000 small objects
 * (random sizes 8..512 bytes); each step frees a random one (checking its
 * stamp) and puts a new one in its place, so objects die in random order.
 */
#define WL_NAME "churn"
#include "bench/malloc/wl.h"

#define LIVE 20000

struct slot {
	void *p;
	uint64_t id;
	uint32_t size;
};

static struct slot slots[LIVE];

int main(int argc, char **argv)
{
	uint64_t steps = wl_scaled(5000000, wl_scale(argc, argv));
	uint64_t rng = 0x5eed0001, id = 0, asum = 0, fsum = 0, frees = 0;
	uint64_t i;

	for (i = 0; i < steps; i++) {
		struct slot *s = &slots[wl_rand(&rng) % LIVE];
		uint32_t size = (uint32_t)wl_range(&rng, 8, 512);

		if (s->p) {
			wl_check(s->p, s->size, s->id, "free");
			fsum += wl_mix(s->id);
			frees++;
			free(s->p);
		}
		s->p = wl_malloc(size);
		s->size = size;
		s->id = ++id;
		wl_stamp(s->p, size, s->id);
		asum += wl_mix(s->id);
	}
	for (i = 0; i < LIVE; i++) {
		if (!slots[i].p)
			continue;
		wl_check(slots[i].p, slots[i].size, slots[i].id, "final free");
		fsum += wl_mix(slots[i].id);
		frees++;
		free(slots[i].p);
	}
	if (frees != id || fsum != asum)
		wl_fail("freed %" PRIu64 " of %" PRIu64 " objects", frees, id);
	printf("churn ok %" PRIu64 " %016" PRIx64 "\n", id, asum);
	return 0;
}
