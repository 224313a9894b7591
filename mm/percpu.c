/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data: the percpu allocator and the guards of per-CPU structures
 * (Linux's mm/percpu.c; the guards' owner half is inline in
 * mm/internal.h).
 *
 * 1. What it models. Linux gives every possible CPU a unit of the same
 *    size in each percpu chunk, so one offset names a variable's copy on
 *    every CPU (per_cpu_ptr, this_cpu_ptr through the CPU's base). mmkit
 *    has one chunk, the first: __alloc_percpu() hands out offsets into
 *    it, and a thread's CPU keeps its unit's base in mmk_ctx.pcpu_base.
 *    Linux protects per-CPU data by running on that CPU with preemption
 *    or interrupts off, and reaches other CPUs' data by IPIs
 *    (drain_all_pages queues work on every CPU). mmkit's simulated CPU is
 *    owned by one host thread at a time (mmk_set_cpu), which plays the
 *    role of "running on that CPU"; a cpu_guard lets another thread take
 *    the structure away from its owner for a moment.
 *
 * 2. Objects. The area: nr_cpus units of PCPU_UNIT_SIZE bytes, one host
 *    mapping (without a commit charge). A unit's first PCPU_AREA_SIZE bytes are the allocator's,
 *    with a bitmap of PCPU_MIN_ALLOC-byte blocks in use (the same in
 *    every unit); the rest has PCPU_SLOTS_STRIDE bytes for each block
 *    (per_cpu_slots()): the slots of the slab array whose header the
 *    block is, as SLAB's array_cache has its entries after its header
 *    in one percpu allocation. Apart, so that the headers, which every
 *    CPU writes for every cache as it comes up, stay packed, and slots
 *    cost a page only where a CPU uses them. struct cpu_guard { busy,
 *    remote } inside each per-CPU structure (per_cpu_pages, slab array
 *    caches).
 *
 * 3. Invariants. An offline CPU's unit is never written, so it reads as
 *    zeroes; __alloc_percpu() zeroes the online CPUs' copies of the
 *    allocation (not its slots, which their user writes first) (under
 *    pcpu_lock; its callers hold slab_mutex, as mmk_cpu_up() does while
 *    it sets up a new CPU's copies). The owner touches a guarded
 *    structure only between a successful cpu_guard_trylock() and
 *    cpu_guard_unlock(); a remote thread only between cpu_guard_wait()
 *    and cpu_guard_release(). Never both: with membarrier, the owner
 *    writes busy then reads remote (a compiler barrier only), the remote
 *    writes remote, runs membarrier(2) (a full barrier on every running
 *    thread) and reads busy, so one of them sees the other (the
 *    asymmetric Dekker protocol). Under ThreadSanitizer, which cannot see
 *    membarrier's ordering, both sides compare-and-swap busy instead
 *    (MMK_ASYM_GUARD, fixed at build time so the owner tests no flag). A
 *    host without membarrier(2) cannot boot a machine (ENOSYS).
 *
 * 4. Departures. One chunk of fixed size (4 MiB per CPU: 4,096 slab
 *    caches with their slots), in host memory rather than simulated RAM:
 *    it is not in /proc/meminfo's Percpu (struct mmk_cpu, the pcp lists
 *    and the shared arrays are). An owner that finds a guard taken does
 *    not spin: it uses the shared locked path, as Linux's
 *    pcp_spin_trylock() callers do.
 *
 * 5. Ordering. Remote users serialise among themselves (m->drain_lock or
 *    the cache's lock) and request all guards before one sync.
 *
 * 6. Observability. None directly; `check` and drains use it.
 */
#include "mm/internal.h"

#include <errno.h>
#include <string.h>

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

/* ---- the percpu allocator ---- */

#define PCPU_BLOCKS (PCPU_AREA_SIZE / PCPU_MIN_ALLOC)

static size_t pcpu_bytes(const struct mmk_machine *m)
{
	return (size_t)m->nr_cpus * PCPU_UNIT_SIZE;
}

/* The units, page-aligned, without a commit charge (MAP_NORESERVE, as
 * the vmemmap's): 4 MiB a CPU, 256 MiB on 64, of which a process touches
 * the pages its CPUs use. */
int pcpu_init(struct mmk_machine *m)
{
	char *p = mmk_host_map_anon(pcpu_bytes(m));

	if (!p)
		return -ENOMEM;
	m->pcpu_base = p;
	mmk_host_mutex_init(&m->pcpu_lock);
	return 0;
}

void pcpu_exit(struct mmk_machine *m)
{
	if (!m->pcpu_base)
		return;
	mmk_host_unreserve(m->pcpu_base, pcpu_bytes(m));
	m->pcpu_base = NULL;
	pthread_mutex_destroy(&m->pcpu_lock);
}

static bool pcpu_range_free(const struct mmk_machine *m, unsigned long b,
			    unsigned long n)
{
	unsigned long i;

	for (i = b; i < b + n; i++)
		if (m->pcpu_used[i / 64] >> (i % 64) & 1)
			return false;
	return true;
}

/* The first free block at or after @b, or PCPU_BLOCKS. */
static unsigned long pcpu_next_free(const struct mmk_machine *m,
				    unsigned long b)
{
	while (b < PCPU_BLOCKS) {
		unsigned long free = ~m->pcpu_used[b / 64] >> (b % 64);

		if (free)
			return min(b + (unsigned long)__builtin_ctzl(free),
				   PCPU_BLOCKS);
		b = (b | 63) + 1;
	}
	return PCPU_BLOCKS;
}

static void pcpu_mark(struct mmk_machine *m, unsigned long b, unsigned long n,
		      bool used)
{
	unsigned long i;

	for (i = b; i < b + n; i++) {
		if (used)
			m->pcpu_used[i / 64] |= 1UL << (i % 64);
		else
			m->pcpu_used[i / 64] &= ~(1UL << (i % 64));
	}
}

long __alloc_percpu(struct mmk_machine *m, size_t size)
{
	unsigned long n = (size + PCPU_MIN_ALLOC - 1) / PCPU_MIN_ALLOC, b;
	long off = -1;
	int cpu;

	if (!n || n > PCPU_BLOCKS)
		return -1;
	pthread_mutex_lock(&m->pcpu_lock);
	/* First fit: the lowest offsets, so a process's few caches share
	 * the first pages of each unit. */
	for (b = pcpu_next_free(m, 0); b + n <= PCPU_BLOCKS;
	     b = pcpu_next_free(m, b + 1)) {
		if (pcpu_range_free(m, b, n)) {
			pcpu_mark(m, b, n, true);
			off = (long)(b * PCPU_MIN_ALLOC);
			break;
		}
	}
	pthread_mutex_unlock(&m->pcpu_lock);
	if (off >= 0)
		for_each_online_cpu(m, cpu)
			memset(per_cpu_ptr(m, (size_t)off, cpu), 0, size);
	return off;
}

void free_percpu(struct mmk_machine *m, long off, size_t size)
{
	unsigned long n = (size + PCPU_MIN_ALLOC - 1) / PCPU_MIN_ALLOC;

	if (off < 0)
		return;
	pthread_mutex_lock(&m->pcpu_lock);
	pcpu_mark(m, (unsigned long)off / PCPU_MIN_ALLOC, n, false);
	pthread_mutex_unlock(&m->pcpu_lock);
}
