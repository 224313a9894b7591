/* SPDX-License-Identifier: MIT */
/*
 * Guards of per-CPU structures: the remote half (the owner half is inline
 * in mm/internal.h).
 *
 * 1. What it models. Linux protects per-CPU data by running on that CPU
 *    with preemption or interrupts off, and reaches other CPUs' data by
 *    IPIs (drain_all_pages queues work on every CPU). mmkit's simulated
 *    CPU is owned by one host thread at a time (mmk_set_cpu), which plays
 *    the role of "running on that CPU"; a cpu_guard lets another thread
 *    take the structure away from its owner for a moment.
 *
 * 2. Objects. struct cpu_guard { busy, remote } inside each per-CPU
 *    structure (per_cpu_pages, slab array caches).
 *
 * 3. Invariants. The owner touches the structure only between a
 *    successful cpu_guard_trylock() and cpu_guard_unlock(); a remote
 *    thread only between cpu_guard_wait() and cpu_guard_release(). Never
 *    both: with membarrier, the owner writes busy then reads remote (a
 *    compiler barrier only), the remote writes remote, runs membarrier(2)
 *    (a full barrier on every running thread) and reads busy, so one of
 *    them sees the other (the asymmetric Dekker protocol). Without
 *    membarrier, and under ThreadSanitizer, both sides compare-and-swap
 *    busy instead.
 *
 * 4. Departures. An owner that finds the guard taken does not spin: it
 *    uses the shared locked path, as Linux's pcp_spin_trylock() callers do.
 *
 * 5. Ordering. Remote users serialise among themselves (m->drain_lock or
 *    the cache's lock) and request all guards before one sync.
 *
 * 6. Observability. None directly; `check` and drains use it.
 */
#include "mm/internal.h"

void cpu_guard_request(struct mmk_machine *m, struct cpu_guard *g)
{
	int expect = 0;

	if (m->asym_fence) {
		atomic_store(&g->remote, 1);
		return;
	}
	while (!atomic_compare_exchange_weak(&g->busy, &expect, 1)) {
		expect = 0;
		mmk_host_yield();
	}
}

void cpu_guards_sync(struct mmk_machine *m)
{
	if (m->asym_fence)
		mmk_host_membarrier();
}

void cpu_guard_wait(struct mmk_machine *m, struct cpu_guard *g)
{
	if (!m->asym_fence)
		return;
	while (atomic_load_explicit(&g->busy, memory_order_acquire))
		mmk_host_yield();
}

void cpu_guard_release(struct mmk_machine *m, struct cpu_guard *g)
{
	if (m->asym_fence)
		atomic_store_explicit(&g->remote, 0, memory_order_release);
	else
		cpu_guard_unlock(g);
}
