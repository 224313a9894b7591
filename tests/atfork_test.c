/* SPDX-License-Identifier: MIT */
/*
 * Host fork(2) while other threads allocate, with mmk_atfork() in
 * pthread_atfork handlers, on a machine with private memory (copied by
 * fork), as libmmkit-malloc.so sets both up. Workers on
 * their own simulated CPUs allocate and free pages of orders 0..3 and
 * objects in bulk (long stretches inside their CPU's guards); the main
 * thread forks. Each child, left with the forking thread only, moves to
 * every CPU in turn and must find the machine whole: `check` passes
 * before and after it drains every CPU's lists, and it can allocate.
 * Before the fork handlers took the other CPUs' guards, a per-CPU list
 * or array copied in the middle of an update broke this now and then (a
 * child of libmmkit-malloc.so's api_fork_threads case died of SIGSEGV
 * once). Not run under ThreadSanitizer: a threaded process that forks is
 * outside what it supports.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <mmkit/mmkit.h>
#include "tests/mmk_thread.h"

#define WORKERS 2
#define FORKS 60
#define BULK 500

static struct mmk_machine *machine;
static struct kmem_cache *cache;
static atomic_int stop, claimed, errors;

static void fork_prepare(void)
{
	mmk_atfork(machine, MMK_ATFORK_PREPARE);
}

static void fork_parent(void)
{
	mmk_atfork(machine, MMK_ATFORK_PARENT);
}

static void fork_child(void)
{
	mmk_atfork(machine, MMK_ATFORK_CHILD);
}

static void *worker(void *arg)
{
	int id = *(int *)arg;
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1);
	static _Thread_local void *objs[BULK];

	test_worker_enter(machine, id + 1, &claimed, &errors);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t r = test_rand(&seed);
		unsigned int order = (unsigned int)(r >> 8) % 4;
		size_t n = 1 + (size_t)(r >> 16) % BULK;
		struct page *p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		if (kmem_cache_alloc_bulk(cache, GFP_KERNEL, n, objs) == (int)n)
			kmem_cache_free_bulk(cache, n, objs);
		else
			atomic_fetch_add(&errors, 1);
		if (p)
			__free_pages(p, order);
		kfree(kmalloc(1 + (size_t)(r >> 32) % 4096, GFP_KERNEL));
	}
	mmk_set_current(NULL);
	return NULL;
}

/* The child: every CPU in turn, a check, a drain, a few allocations. */
static int child(void)
{
	char why[256];
	int cpu;

	for (cpu = 0; cpu <= WORKERS; cpu++) {
		struct page *p;
		void *o;

		if (mmk_set_cpu(cpu))
			return 2;
		if (mmk_check(machine, why, sizeof why)) {
			fprintf(stderr, "child, cpu %d: %s\n", cpu, why);
			return 3;
		}
		p = alloc_pages(GFP_KERNEL, 2);
		o = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!p || !o)
			return 4;
		kmem_cache_free(cache, o);
		__free_pages(p, 2);
	}
	drain_all_pages(NULL);
	kmem_cache_shrink(cache);
	if (mmk_check(machine, why, sizeof why)) {
		fprintf(stderr, "child, after the drain: %s\n", why);
		return 5;
	}
	return 0;
}

static void test_fork_while_workers_allocate(void **state)
{
	struct mmk_config cfg;
	pthread_t tid[WORKERS];
	int ids[WORKERS], i, bad = 0;
	char why[256];

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	cfg.nr_cpus = WORKERS + 1;
	cfg.private_memory = true; /* the child gets a copy, as the heap's */
	machine = mmk_boot(&cfg);
	assert_non_null(machine);
	cache = kmem_cache_create("atfork", 96, 0, 0, NULL);
	assert_non_null(cache);
	assert_int_equal(pthread_atfork(fork_prepare, fork_parent, fork_child),
			 0);
	/* Workers take CPUs 1 and 2; this thread keeps CPU 0. */
	for (i = 0; i < WORKERS; i++)
		ids[i] = i;
	test_start_workers(tid, WORKERS, worker, ids, sizeof ids[0], &claimed);
	for (i = 0; i < FORKS; i++) {
		int st = 0;
		pid_t pid = fork();

		if (pid == 0)
			_exit(child());
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			print_error("fork %d: child status %#x\n", i, st);
			bad++;
		}
		usleep(1000);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < WORKERS; i++)
		pthread_join(tid[i], NULL);
	assert_int_equal(bad, 0);
	assert_int_equal(atomic_load(&errors), 0);
	assert_int_equal(mmk_check(machine, why, sizeof why), 0);
	assert_int_equal(kmem_cache_destroy(cache), 0);
	mmk_shutdown(machine);
	machine = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_while_workers_allocate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
