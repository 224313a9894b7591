/* SPDX-License-Identifier: MIT */
/*
 * Multi-threaded stress of the page allocator: threads on their own
 * simulated CPUs (and some without one) allocate and free orders 0..3,
 * hand pages to each other to free, and drain every CPU's lists while the
 * owners run. Afterwards the verifier must pass and every page must be
 * back on the free lists. Runs under TSan in `make test-sanitize`.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mmkit/mmkit.h>
#include <mmkit/slab.h>
#include "tests/mmk_thread.h"

#define SLOTS 256

struct shared {
	struct mmk_machine *m;
	pthread_mutex_t lock;
	struct page *slot[SLOTS]; /* pages handed between threads */
	unsigned int slot_order[SLOTS];
	int ops;
	bool slab; /* workers also kmalloc, and the drainer makes caches */
	atomic_int claimed; /* workers that have taken their CPU (or none) */
	atomic_int errors;
};

struct worker {
	struct shared *sh;
	uint64_t seed;
	int cpu; /* -1: claim whatever CPU is free (maybe none) */
	bool drainer;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct page *mine[64];
	unsigned int order[64];
	int n = 0, i;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	for (i = 0; i < sh->ops; i++) {
		uint64_t r = test_rand(&w->seed);

		if (w->drainer && r % 64 == 0)
			drain_all_pages(NULL);
		if (sh->slab && w->drainer && r % 256 == 1) {
			struct kmem_cache *c =
				kmem_cache_create("churn", 128, 0, 0, NULL);
			void *o = c ? kmem_cache_alloc(c, GFP_KERNEL) : NULL;

			if (!o)
				atomic_fetch_add(&sh->errors, 1);
			else
				kmem_cache_free(c, o);
			if (c)
				kmem_cache_destroy(c);
		}
		if (sh->slab && r % 8 == 2) {
			void *o = kmalloc((size_t)(r >> 40) % 512 + 1,
					  GFP_KERNEL);

			if (!o)
				atomic_fetch_add(&sh->errors, 1);
			kfree(o);
		}
		if (n < 64 && r % 2) {
			unsigned int o = (unsigned int)(r >> 8) % 4;
			struct page *p =
				alloc_pages(GFP_KERNEL | __GFP_NOWARN, o);

			if (p) {
				mine[n] = p;
				order[n++] = o;
			}
		} else if (n) {
			unsigned int k =
				(unsigned int)(r >> 16) % (unsigned int)n;
			unsigned int s = (unsigned int)(r >> 32) % SLOTS;
			struct page *give = mine[k], *take;
			unsigned int go = order[k], to;

			mine[k] = mine[--n];
			order[k] = order[n];
			/* Swap with a shared slot: we free what another thread
			 * allocated. */
			pthread_mutex_lock(&sh->lock);
			take = sh->slot[s];
			to = sh->slot_order[s];
			sh->slot[s] = give;
			sh->slot_order[s] = go;
			pthread_mutex_unlock(&sh->lock);
			if (take)
				__free_pages(take, to);
		}
	}
	while (n--)
		__free_pages(mine[n], order[n]);
	mmk_set_current(NULL);
	return NULL;
}

/* A /proc/meminfo field in kB. */
static long meminfo_kb(struct mmk_machine *m, const char *field)
{
	char *mi = mmk_proc_read(m, "/proc/meminfo"), *at;
	long kb = -1;

	assert_non_null(mi);
	at = strstr(mi, field);
	assert_non_null(at);
	assert_int_equal(sscanf(at + strlen(field), " %ld kB", &kb), 1);
	free(mi);
	return kb;
}

/* MemTotal - MemFree in kB, less what slabs and per-CPU arrays hold
 * (caches keep objects in their arrays and slabs, as Linux's do): what
 * the machine has in use otherwise. */
static long used_kb(struct mmk_machine *m)
{
	return meminfo_kb(m, "MemTotal:") - meminfo_kb(m, "MemFree:") -
	       meminfo_kb(m, "Slab:") - meminfo_kb(m, "Percpu:");
}

/* @chunk: deferred init in chunks of that many bytes (0: off), so the
 * workers' allocations grow the zones, each growth resizing every CPU's
 * pcp under its owner's feet (zone_pcp_update_all). */
static void run_stress_cfg(int nthreads, int ncpus, int ops, uint64_t chunk,
			   bool on_demand)
{
	struct mmk_config cfg;
	struct shared sh;
	struct worker w[32];
	pthread_t tid[32];
	char why[512], *boot, *after;
	long used;
	int i;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 256ULL << 20;
	cfg.nr_cpus = ncpus;
	cfg.deferred_init = chunk != 0;
	cfg.deferred_chunk_bytes = chunk;
	cfg.cpus_on_demand = on_demand;
	memset(&sh, 0, sizeof sh);
	sh.slab = on_demand;
	sh.m = mmk_boot(&cfg);
	assert_non_null(sh.m);
	boot = mmk_proc_read(sh.m, "/proc/buddyinfo");
	used = used_kb(sh.m);
	mmk_set_current(NULL); /* give CPU 0 to the workers */
	pthread_mutex_init(&sh.lock, NULL);
	sh.ops = ops;
	for (i = 0; i < nthreads; i++) {
		w[i].sh = &sh;
		w[i].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		/* On demand: each claims the first free CPU, bringing it
		 * up while the others run. */
		w[i].cpu = i < ncpus && !on_demand ? i : -1;
		w[i].drainer = i == nthreads - 1;
	}
	test_start_workers(tid, nthreads, worker_main, w, sizeof w[0],
			   &sh.claimed);
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	assert_int_equal(atomic_load(&sh.errors), 0);
	mmk_set_current(sh.m);
	for (i = 0; i < SLOTS; i++)
		if (sh.slot[i])
			__free_pages(sh.slot[i], sh.slot_order[i]);
	drain_all_pages(NULL);
	if (mmk_check(sh.m, why, sizeof why))
		fail_msg("check failed: %s", why);
	after = mmk_proc_read(sh.m, "/proc/buddyinfo");
	/* Grown zones have more free blocks than at boot, but no more in
	 * use. */
	if (!chunk)
		assert_string_equal(after, boot);
	else
		assert_string_not_equal(after, boot);
	assert_int_equal(used_kb(sh.m), used);
	free(boot);
	free(after);
	pthread_mutex_destroy(&sh.lock);
	mmk_shutdown(sh.m);
}

static void run_stress(int nthreads, int ncpus, int ops, uint64_t chunk)
{
	run_stress_cfg(nthreads, ncpus, ops, chunk, false);
}

static void test_two_threads_two_cpus(void **state)
{
	(void)state;
	run_stress(2, 2, 200000, 0);
}

static void test_two_cpus_while_deferred_memory_joins(void **state)
{
	(void)state;
	run_stress(2, 2, 200000, 4ULL << 20);
}

static void test_eight_threads_four_cpus_cross_frees(void **state)
{
	(void)state;
	run_stress(8, 4, 50000, 0);
}

static void test_thirty_two_threads(void **state)
{
	(void)state;
	run_stress(32, 8, 5000, 0);
}

/* CPUs coming online (cpus_on_demand) while the others allocate, drain,
 * grow the zones (each growth resizes every online CPU's pcp) and create
 * slab caches (each sets up every online CPU's array). */
static void test_cpus_coming_online_under_load(void **state)
{
	(void)state;
	run_stress_cfg(8, 6, 20000, 4ULL << 20, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_threads_two_cpus),
		cmocka_unit_test(test_two_cpus_while_deferred_memory_joins),
		cmocka_unit_test(test_eight_threads_four_cpus_cross_frees),
		cmocka_unit_test(test_thirty_two_threads),
		cmocka_unit_test(test_cpus_coming_online_under_load),
	};

	return cmocka_run_group_tests_name("page_alloc_thread", tests, NULL,
					   NULL);
}
