/* SPDX-License-Identifier: MIT */
/*
 * Workload 3, producer/consumer: one thread mallocs objects (random sizes
 * 16..512 bytes), stamps them and passes them, 128 to a batch, through a
 * bounded queue of 32 batches; the other thread checks and frees them.
 * Every object is freed by a thread other than the one that allocated it.
 */
#define WL_NAME "prodcons"
#include "bench/malloc/wl.h"

#include <pthread.h>

#define BATCH 128
#define QLEN 32

struct item {
	void *p;
	uint64_t id;
	uint32_t size;
};

static struct item queue[QLEN][BATCH];
static unsigned int head, tail; /* batches taken, batches put */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static uint64_t nbatches, fsum, frees;

static void *consumer(void *arg)
{
	uint64_t b;
	int i;

	(void)arg;
	for (b = 0; b < nbatches; b++) {
		struct item *q;

		pthread_mutex_lock(&lock);
		while (head == tail)
			pthread_cond_wait(&not_empty, &lock);
		pthread_mutex_unlock(&lock);
		q = queue[head % QLEN];
		for (i = 0; i < BATCH; i++) {
			wl_check(q[i].p, q[i].size, q[i].id, "consumer");
			fsum += wl_mix(q[i].id);
			frees++;
			free(q[i].p);
		}
		pthread_mutex_lock(&lock);
		head++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t rng = 0x5eed0003, id = 0, asum = 0, b;
	pthread_t thr;
	int i;

	nbatches = wl_scaled(40000, wl_scale(argc, argv));
	if (pthread_create(&thr, NULL, consumer, NULL))
		wl_fail("pthread_create");
	for (b = 0; b < nbatches; b++) {
		struct item *q;

		pthread_mutex_lock(&lock);
		while (tail - head == QLEN)
			pthread_cond_wait(&not_full, &lock);
		pthread_mutex_unlock(&lock);
		q = queue[tail % QLEN];
		for (i = 0; i < BATCH; i++) {
			q[i].size = (uint32_t)wl_range(&rng, 16, 512);
			q[i].id = ++id;
			q[i].p = wl_malloc(q[i].size);
			wl_stamp(q[i].p, q[i].size, q[i].id);
			asum += wl_mix(id);
		}
		pthread_mutex_lock(&lock);
		tail++;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&lock);
	}
	pthread_join(thr, NULL);
	if (frees != id || fsum != asum)
		wl_fail("freed %" PRIu64 " of %" PRIu64 " objects", frees, id);
	printf("prodcons ok %" PRIu64 " %016" PRIx64 "\n", id, asum);
	return 0;
}
