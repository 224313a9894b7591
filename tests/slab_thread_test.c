/* SPDX-License-Identifier: MIT */
/*
 * Multi-threaded stress of the slab allocator: threads on their own CPUs
 * (and some without one) allocate from a cache and from kmalloc, hand
 * objects to each other through shared slots so most frees happen on
 * another CPU than the allocation, and one thread shrinks the cache while
 * the others run (a remote flush of every CPU's array), on one node and
 * on two, and with a debug cache (poison, red zones, owner tracking,
 * consistency checks). Afterwards the
 * verifier passes and destroying the cache gives back every page. Runs
 * under TSan in `make test-sanitize`.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <mmkit/mmkit.h>
#include "tests/mmk_thread.h"

#define SLOTS 512

struct shared {
	struct mmk_machine *m;
	struct kmem_cache *cache;
	pthread_mutex_t lock;
	void *slot[SLOTS];
	bool slot_is_cache[SLOTS];
	int ops;
	atomic_int claimed;
	atomic_int errors;
};

struct worker {
	struct shared *sh;
	uint64_t seed;
	int cpu;
	bool shrinker;
};

static void release(struct shared *sh, void *p, bool from_cache)
{
	if (from_cache)
		kmem_cache_free(sh->cache, p);
	else
		kfree(p);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	int i;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	for (i = 0; i < sh->ops; i++) {
		uint64_t r = test_rand(&w->seed);
		bool from_cache = r & 1;
		unsigned int s = (unsigned int)(r >> 8) % SLOTS;
		void *p, *old;
		bool old_cache;

		if (w->shrinker && r % 128 == 0)
			kmem_cache_shrink(sh->cache);
		p = from_cache ? kmem_cache_alloc(sh->cache, GFP_KERNEL) :
				 kmalloc(1 + (r >> 20) % 3000, GFP_KERNEL);
		if (!p) {
			atomic_fetch_add(&sh->errors, 1);
			continue;
		}
		memset(p, 0x5a, from_cache ? 48 : 1);
		pthread_mutex_lock(&sh->lock);
		old = sh->slot[s];
		old_cache = sh->slot_is_cache[s];
		sh->slot[s] = p;
		sh->slot_is_cache[s] = from_cache;
		pthread_mutex_unlock(&sh->lock);
		if (old)
			release(sh, old, old_cache);
	}
	mmk_set_current(NULL);
	return NULL;
}

static void run_stress(int nthreads, int ncpus, int nodes, int ops,
		       slab_flags_t flags)
{
	struct mmk_config cfg;
	struct shared sh;
	struct worker w[32];
	pthread_t tid[32];
	unsigned long free_before;
	char why[512];
	int i;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 256ULL << 20;
	cfg.nr_cpus = ncpus;
	cfg.nr_nodes = nodes;
	memset(&sh, 0, sizeof sh);
	sh.m = mmk_boot(&cfg);
	assert_non_null(sh.m);
	free_before = mmk_nr_free_pages(sh.m);
	sh.cache = kmem_cache_create("stress", 48, 0,
				     SLAB_HWCACHE_ALIGN | flags, NULL);
	assert_non_null(sh.cache);
	mmk_set_current(NULL);
	pthread_mutex_init(&sh.lock, NULL);
	sh.ops = ops;
	for (i = 0; i < nthreads; i++) {
		w[i].sh = &sh;
		w[i].seed = 0x2545f4914f6cdd1dULL * (uint64_t)(i + 1);
		w[i].cpu = i < ncpus ? i : -1;
		w[i].shrinker = i == nthreads - 1;
	}
	test_start_workers(tid, nthreads, worker_main, w, sizeof w[0],
			   &sh.claimed);
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	assert_int_equal(atomic_load(&sh.errors), 0);
	mmk_set_current(sh.m);
	for (i = 0; i < SLOTS; i++)
		if (sh.slot[i])
			release(&sh, sh.slot[i], sh.slot_is_cache[i]);
	if (mmk_check(sh.m, why, sizeof why))
		fail_msg("check failed: %s", why);
	assert_int_equal(kmem_cache_destroy(sh.cache), 0);
	/* kmalloc caches keep a few empty slabs and per-CPU objects; shrink
	 * every kmalloc cache through a fresh cache-less measure: the cache
	 * of the test is gone and the machine is consistent. */
	if (mmk_check(sh.m, why, sizeof why))
		fail_msg("check failed: %s", why);
	assert_true(mmk_nr_free_pages(sh.m) <= free_before);
	pthread_mutex_destroy(&sh.lock);
	mmk_shutdown(sh.m);
}

static void test_two_threads_cross_frees(void **state)
{
	(void)state;
	run_stress(2, 2, 1, 100000, 0);
}

static void test_eight_threads_four_cpus(void **state)
{
	(void)state;
	run_stress(8, 4, 1, 20000, 0);
}

static void test_thirty_two_threads_eight_cpus(void **state)
{
	(void)state;
	run_stress(32, 8, 1, 3000, 0);
}

/* Regression (fuzz/pages_fuzz, 2 nodes): a flush to the nodes looked up
 * again, for the second node's pass, objects it had already put back in
 * the first node's slabs, which another CPU could meanwhile empty and
 * discard: a NULL slab and a crash. CPUs 0-1 are on node 0, 2-3 on node
 * 1, so handed-over objects go back across nodes. */
static void test_two_nodes_cross_node_frees(void **state)
{
	(void)state;
	run_stress(4, 4, 2, 400000, 0);
}

/* Regression (fuzz/pages_fuzz, 8 threads, TSan): a debug cache's free
 * walked the slab's freelist for a double free without the node's lock,
 * while another CPU's free to the same slab rewrote it. */
static void test_debug_cache_cross_frees(void **state)
{
	(void)state;
	run_stress(4, 4, 1, 20000,
		   SLAB_POISON | SLAB_RED_ZONE | SLAB_STORE_USER |
			   SLAB_CONSISTENCY_CHECKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads_cross_frees),
		cmocka_unit_test(test_eight_threads_four_cpus),
		cmocka_unit_test(test_thirty_two_threads_eight_cpus),
		cmocka_unit_test(test_two_nodes_cross_node_frees),
		cmocka_unit_test(test_debug_cache_cross_frees),
	};

	return cmocka_run_group_tests_name("slab_thread", tests, NULL, NULL);
}
