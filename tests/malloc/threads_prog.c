/* SPDX-License-Identifier: MIT */
/*
 * A multi-threaded program for tests/malloc_programs_test.c, compiled at
 * test time and run with and without libmmkit-malloc.so: 8 threads build
 * and free binary search trees, grow strings with realloc and hand
 * strings to the next thread through a queue, which checks and frees
 * them. It prints a checksum that does not depend on the scheduling, so
 * the outputs of the runs can be compared.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define NODES 20000
#define MSGS 5000

struct node {
	struct node *l, *r;
	uint64_t key;
	char *label;
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char **items;
	size_t head, tail, cap;
};

static struct queue queues[THREADS];
static uint64_t results[THREADS];

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct node *insert(struct node *t, struct node *n)
{
	struct node **link = &t;

	while (*link)
		link = n->key < (*link)->key ? &(*link)->l : &(*link)->r;
	*link = n;
	return t;
}

static uint64_t walk_free(struct node *t, uint64_t *pos)
{
	uint64_t sum = 0;

	while (t) {
		struct node *r = t->r;

		sum += walk_free(t->l, pos);
		sum += (++*pos) * (t->key ^ hash(t->label));
		free(t->label);
		free(t);
		t = r;
	}
	return sum;
}

static void push(struct queue *q, char *s)
{
	pthread_mutex_lock(&q->lock);
	if (q->tail - q->head == q->cap) {
		size_t n = q->cap ? q->cap * 2 : 16, i;
		char **items = malloc(n * sizeof(*items));

		for (i = q->head; i < q->tail; i++)
			items[i % n] = q->items[i % q->cap];
		free(q->items);
		q->items = items;
		q->cap = n;
	}
	q->items[q->tail++ % q->cap] = s;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static char *pop(struct queue *q)
{
	char *s;

	pthread_mutex_lock(&q->lock);
	while (q->head == q->tail)
		pthread_cond_wait(&q->cond, &q->lock);
	s = q->items[q->head++ % q->cap];
	pthread_mutex_unlock(&q->lock);
	return s;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg, i, round;
	uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1), sum = 0, pos;
	struct queue *out = &queues[(id + 1) % THREADS];
	struct queue *in = &queues[id];

	for (round = 0; round < 3; round++) {
		struct node *t = NULL;

		for (i = 0; i < NODES; i++) {
			struct node *n = calloc(1, sizeof(*n));
			char buf[64];

			n->key = next(&s) % 1000000;
			snprintf(buf, sizeof buf, "node-%d-%llu", id,
				 (unsigned long long)n->key);
			n->label = strdup(buf);
			t = insert(t, n);
		}
		pos = 0;
		sum += walk_free(t, &pos);
	}
	/* Strings grown by realloc, handed to the next thread. */
	for (i = 0; i < MSGS; i++) {
		size_t len = 1 + next(&s) % 3000, have = 0;
		char *m = NULL;

		while (have < len) {
			size_t step = 1 + next(&s) % 200;

			if (have + step > len)
				step = len - have;
			char *grown = realloc(m, have + step + 1);

			if (!grown) {
				fprintf(stderr, "realloc failed\n");
				exit(1);
			}
			m = grown;
			memset(m + have, 'a' + (int)((have + step) % 26), step);
			have += step;
		}
		m[len] = 0;
		push(out, m);
	}
	push(out, NULL);
	for (;;) {
		char *m = pop(in);

		if (!m)
			break;
		sum += hash(m) ^ strlen(m);
		free(m);
	}
	results[id] = sum;
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	uint64_t total = 0;
	int i;

	for (i = 0; i < THREADS; i++) {
		pthread_mutex_init(&queues[i].lock, NULL);
		pthread_cond_init(&queues[i].cond, NULL);
	}
	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < THREADS; i++) {
		printf("thread %d: %016llx\n", i,
		       (unsigned long long)results[i]);
		total += results[i];
		free(queues[i].items);
	}
	printf("total: %016llx\n", (unsigned long long)total);
	return 0;
}
