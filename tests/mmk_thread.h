/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by mmkit's threaded stress tests: a repeatable random
 * stream, and the start-up handshake that gives each worker a known
 * simulated CPU. Workers start one at a time: each makes the machine
 * current (which hands it the lowest free CPU, if any), moves to the CPU
 * it was given, and reports in before the next one starts, so worker i's
 * CPU does not depend on scheduling and workers given no CPU find none.
 * Include after <cmocka.h>.
 */
#ifndef MMK_TESTS_MMK_THREAD_H
#define MMK_TESTS_MMK_THREAD_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <mmkit/mmkit.h>

/* xorshift64: the next value of the stream seeded at *@r (non-zero). */
static inline uint64_t test_rand(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return *r;
}

/* Worker side: make @m current on this thread and run on CPU @cpu (-1:
 * on whatever CPU is left over, maybe none), counting a failure in
 * @errors; then report in on @claimed. */
static inline void test_worker_enter(struct mmk_machine *m, int cpu,
				     atomic_int *claimed, atomic_int *errors)
{
	mmk_set_current(m);
	if (cpu >= 0 && mmk_get_cpu() != cpu && mmk_set_cpu(cpu))
		atomic_fetch_add(errors, 1);
	if (cpu >= 0 && mmk_get_cpu() != cpu)
		atomic_fetch_add(errors, 1);
	atomic_fetch_add(claimed, 1);
}

/* Starter side: run @fn on each of the @n workers at @workers (@size
 * bytes apart), starting each once the previous one has reported in on
 * @claimed (which must start at 0). */
static inline void test_start_workers(pthread_t *tid, int n,
				      void *(*fn)(void *), void *workers,
				      size_t size, atomic_int *claimed)
{
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(
			pthread_create(&tid[i], NULL, fn,
				       (char *)workers + (size_t)i * size),
			0);
		while (atomic_load(claimed) <= i)
			sched_yield();
	}
}

#endif /* MMK_TESTS_MMK_THREAD_H */
