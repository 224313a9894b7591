/* SPDX-License-Identifier: MIT */
/*
 * Workload 2, a larson-like server: in each of 8 epochs two threads each
 * replace random objects of a live set of 4,000 (random sizes 8..1000
 * bytes); every 2,048 steps a thread hands a batch of 256 of its objects
 * to the other thread, which frees the objects they displace. At the end
 * of an epoch its threads exit and the next epoch's threads inherit their
 * live sets, so objects are freed by threads other than (and outliving)
 * the ones that allocated them.
 */
#define WL_NAME "larson"
#include "bench/malloc/wl.h"

#include <pthread.h>

#define THREADS 2
#define LIVE 4000
#define EPOCHS 8
#define BATCH 256
#define HAND_EVERY 2048

struct slot {
	void *p;
	uint64_t id;
	uint32_t size;
};

struct inbox {
	pthread_mutex_t lock;
	int full;
	struct slot batch[BATCH];
};

struct worker {
	int t, epoch;
	uint64_t steps;
	uint64_t asum, fsum, allocs, frees;
	struct slot live[LIVE];
	pthread_t thread;
};

static struct worker workers[THREADS];
static struct inbox inboxes[THREADS];
static pthread_barrier_t start;

static void put(struct worker *w, struct slot *s, struct slot n)
{
	if (s->p) {
		wl_check(s->p, s->size, s->id, "free");
		w->fsum += wl_mix(s->id);
		w->frees++;
		free(s->p);
	}
	*s = n;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct inbox *mine = &inboxes[w->t], *other = &inboxes[!w->t];
	uint64_t rng = wl_mix((uint64_t)w->epoch * 16 + (uint64_t)w->t + 1);
	uint64_t i, seq = 0;

	pthread_barrier_wait(&start);
	for (i = 0; i < w->steps; i++) {
		struct slot n;

		n.size = (uint32_t)wl_range(&rng, 8, 1000);
		n.id = ((uint64_t)w->epoch << 48) | ((uint64_t)w->t << 40) |
		       ++seq;
		n.p = wl_malloc(n.size);
		wl_stamp(n.p, n.size, n.id);
		w->asum += wl_mix(n.id);
		w->allocs++;
		put(w, &w->live[wl_rand(&rng) % LIVE], n);

		if (i % HAND_EVERY != HAND_EVERY - 1)
			continue;
		/* Hand a batch over if the other's inbox is empty... */
		pthread_mutex_lock(&other->lock);
		if (!other->full) {
			unsigned int b,
				k = (unsigned int)(wl_rand(&rng) % LIVE);

			for (b = 0; b < BATCH; b++) {
				struct slot *s = &w->live[(k + b) % LIVE];

				other->batch[b] = *s;
				s->p = NULL;
			}
			other->full = 1;
		}
		pthread_mutex_unlock(&other->lock);
		/* ...and take ours in, freeing the objects it displaces. */
		pthread_mutex_lock(&mine->lock);
		if (mine->full) {
			unsigned int b;

			for (b = 0; b < BATCH; b++)
				put(w, &w->live[wl_rand(&rng) % LIVE],
				    mine->batch[b]);
			mine->full = 0;
		}
		pthread_mutex_unlock(&mine->lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t steps = wl_scaled(400000, wl_scale(argc, argv));
	uint64_t asum = 0, fsum = 0, allocs = 0, frees = 0;
	int e, t, i;

	pthread_barrier_init(&start, NULL, THREADS);
	for (t = 0; t < THREADS; t++)
		pthread_mutex_init(&inboxes[t].lock, NULL);
	for (e = 0; e < EPOCHS; e++) {
		for (t = 0; t < THREADS; t++) {
			workers[t].t = t;
			workers[t].epoch = e;
			workers[t].steps = steps;
			if (pthread_create(&workers[t].thread, NULL, run,
					   &workers[t]))
				wl_fail("pthread_create");
		}
		for (t = 0; t < THREADS; t++)
			pthread_join(workers[t].thread, NULL);
	}
	for (t = 0; t < THREADS; t++) {
		struct worker *w = &workers[t];

		if (inboxes[t].full)
			for (i = 0; i < BATCH; i++)
				put(w, &inboxes[t].batch[i],
				    (struct slot){ 0 });
		for (i = 0; i < LIVE; i++)
			put(w, &w->live[i], (struct slot){ 0 });
		asum += w->asum;
		fsum += w->fsum;
		allocs += w->allocs;
		frees += w->frees;
	}
	if (allocs != frees || asum != fsum)
		wl_fail("freed %" PRIu64 " of %" PRIu64 " objects", frees,
			allocs);
	printf("larson ok %" PRIu64 " %016" PRIx64 "\n", allocs, asum);
	return 0;
}
