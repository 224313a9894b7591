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
 *    them sees the other (the asymmetric Dekker protocol). Under
 *    ThreadSanitizer, which cannot see membarrier's ordering, both sides
 *    compare-and-swap busy instead (MMK_ASYM_GUARD, fixed at build time
 *    so the owner tests no flag). A host without membarrier(2) cannot
 *    boot a machine (ENOSYS).
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

void cpu_guard_request(struct cpu_guard *g)
{
	int expect = 0;

	if (MMK_ASYM_GUARD) {
		atomic_store(&g->remote, 1);
		return;
	}
	while (!atomic_compare_exchange_weak(&g->busy, &expect, 1)) {
		expect = 0;
		mmk_host_yield();
	}
}

void cpu_guards_sync(void)
{
	if (MMK_ASYM_GUARD)
		mmk_host_membarrier();
}

void cpu_guard_wait(struct cpu_guard *g)
{
	if (!MMK_ASYM_GUARD)
		return;
	while (atomic_load_explicit(&g->busy, memory_order_acquire))
		mmk_host_yield();
}

void cpu_guard_release(struct cpu_guard *g)
{
	if (MMK_ASYM_GUARD)
		atomic_store_explicit(&g->remote, 0, memory_order_release);
	else
		cpu_guard_unlock(g);
}
