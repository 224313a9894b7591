/* SPDX-License-Identifier: MIT */
/*
 * Workload 4, false sharing (mimalloc-bench's cache-thrash and
 * cache-scratch): two threads each repeatedly allocate a small object,
 * write it many times and free it.
 * - active: each thread allocates its own objects; an allocator that
 *   hands two threads neighbouring objects makes them share a cache line;
 * - passive: the main thread allocates two objects back to back and gives
 *   one to each thread, which frees it before allocating its own; an
 *   allocator that gives the freed object back to that thread keeps the
 *   two threads on one line.
 * Bad placement shows as CPU time (each write then misses the cache).
 */
#define WL_NAME "falseshare"
#include "bench/malloc/wl.h"

#include <pthread.h>

#define THREADS 2
#define OBJ_SIZE 8

struct worker {
	void *given; /* passive: the object the main thread allocated */
	uint64_t rounds, writes, total;
	pthread_t thread;
};

static pthread_barrier_t start;

static void *run(void *arg)
{
	struct worker *w = arg;
	uint64_t r, j;

	pthread_barrier_wait(&start);
	if (w->given)
		free(w->given);
	for (r = 0; r < w->rounds; r++) {
		volatile uint64_t *p = wl_malloc(OBJ_SIZE);

		*p = r;
		for (j = 0; j < w->writes; j++)
			*p += 1;
		if (*p != r + w->writes)
			wl_fail("object %p holds %" PRIu64 ", want %" PRIu64,
				(void *)p, *p, r + w->writes);
		w->total += *p;
		free((void *)p);
	}
	return NULL;
}

static uint64_t phase(int passive, uint64_t rounds, uint64_t writes)
{
	struct worker w[THREADS];
	uint64_t total = 0;
	int t;

	memset(w, 0, sizeof w);
	for (t = 0; t < THREADS; t++) {
		w[t].rounds = rounds;
		w[t].writes = writes;
		if (passive)
			w[t].given = wl_malloc(OBJ_SIZE);
	}
	for (t = 0; t < THREADS; t++)
		if (pthread_create(&w[t].thread, NULL, run, &w[t]))
			wl_fail("pthread_create");
	for (t = 0; t < THREADS; t++) {
		pthread_join(w[t].thread, NULL);
		total += w[t].total;
	}
	return total;
}

int main(int argc, char **argv)
{
	uint64_t rounds = wl_scaled(6000, wl_scale(argc, argv));
	uint64_t a, p;

	pthread_barrier_init(&start, NULL, THREADS);
	a = phase(0, rounds, 10000);
	p = phase(1, rounds, 10000);
	printf("falseshare ok %" PRIu64 " %" PRIu64 "\n", a, p);
	return 0;
}
