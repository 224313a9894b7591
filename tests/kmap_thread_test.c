/* SPDX-License-Identifier: MIT */
/*
 * Threads and the persistent kmap area (mm/highmem.c) on an i386 machine
 * with 1G of RAM: a kmap() finding every one of the LAST_PKMAP slots busy
 * waits until a kunmap() frees one; many threads kmap, kmap_local and
 * kmap_atomic highmem pages at once, on their own simulated CPUs or on
 * none. Afterwards the verifier must pass and nothing may stay mapped.
 * Runs under TSan in `make test-tsan`.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "tests/mmk_thread.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mmkit/mmkit.h>

#define PKMAP_BASE 0xfe400000UL

static struct mmk_machine *boot_i386(int cpus)
{
	struct mmk_config cfg;
	struct mmk_machine *m;

	mmk_config_init(&cfg);
	cfg.arch = MMK_ARCH_I386;
	cfg.mem_bytes = 1ULL << 30;
	cfg.nr_cpus = cpus;
	m = mmk_boot(&cfg);
	assert_non_null(m);
	return m;
}

static struct page *alloc_high(void)
{
	struct page *page = alloc_pages(GFP_HIGHUSER, 0);

	assert_non_null(page);
	assert_true(PageHighMem(page));
	return page;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait up to @ms for *@flag to become nonzero. */
static bool wait_flag(atomic_int *flag, long ms)
{
	long waited;

	for (waited = 0; waited < ms; waited++) {
		if (atomic_load(flag))
			return true;
		sleep_ms(1);
	}
	return atomic_load(flag) != 0;
}

/* ---- a kmap waits for a slot ---- */

struct waiter {
	struct mmk_machine *m;
	struct page *page;
	atomic_int started, done;
	void *addr;
	int cpu;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	void *addr;

	mmk_set_current(w->m);
	w->cpu = mmk_get_cpu();
	atomic_store(&w->started, 1);
	addr = kmap(w->page);
	w->addr = addr;
	atomic_store(&w->done, 1);
	mmk_set_current(NULL);
	return NULL;
}

static void test_kmap_waits_until_a_slot_is_freed(void **state)
{
	struct mmk_machine *m = boot_i386(2);
	static struct page *pages[LAST_PKMAP];
	struct waiter w = { .m = m };
	pthread_t t;
	int i;

	(void)state;
	/* This thread ("A", CPU 0) fills every slot: 1..1023, then 0. */
	for (i = 0; i < LAST_PKMAP; i++) {
		pages[i] = alloc_high();
		assert_int_equal(mmk_kaddr(kmap(pages[i])),
				 PKMAP_BASE +
					 (unsigned long)((i + 1) % LAST_PKMAP) *
						 PAGE_SIZE);
	}
	w.page = alloc_high();
	/* "B" must block in kmap. */
	assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
	assert_true(wait_flag(&w.started, 5000));
	sleep_ms(50);
	assert_int_equal(atomic_load(&w.done), 0);
	/* The waiter holds no lock: the verifier runs meanwhile. */
	assert_check_ok(m);
	/* Still blocked after a kmap that needs no slot. */
	assert_ptr_equal(kmap(pages[3]), page_address(pages[3]));
	kunmap(pages[3]);
	sleep_ms(20);
	assert_int_equal(atomic_load(&w.done), 0);
	/* Freeing pages[6]'s slot (slot 7) lets B through: B rescans,
	 * wraps, flushes the idle slot and takes it. */
	kunmap(pages[6]);
	if (!wait_flag(&w.done, 5000))
		fail_msg("kmap still blocked 5 s after a slot was freed");
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.cpu, 1);
	assert_non_null(w.addr);
	assert_int_equal(mmk_kaddr(w.addr), PKMAP_BASE + 7 * PAGE_SIZE);
	assert_ptr_equal(page_address(w.page), w.addr);
	assert_null(page_address(pages[6]));
	assert_check_ok(m);
	kunmap(w.page);
	__free_pages(w.page, 0);
	for (i = 0; i < LAST_PKMAP; i++) {
		if (i != 6)
			kunmap(pages[i]);
		__free_pages(pages[i], 0);
	}
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_each_waiter_gets_a_freed_slot(void **state)
{
	struct mmk_machine *m = boot_i386(2);
	static struct page *pages[LAST_PKMAP];
	struct waiter w[3];
	pthread_t t[3];
	bool slot_taken[LAST_PKMAP] = { false };
	int i, done;

	(void)state;
	for (i = 0; i < LAST_PKMAP; i++) {
		pages[i] = alloc_high();
		assert_non_null(kmap(pages[i]));
	}
	for (i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].m = m;
		w[i].page = alloc_high();
		assert_int_equal(
			pthread_create(&t[i], NULL, waiter_main, &w[i]), 0);
		assert_true(wait_flag(&w[i].started, 5000));
	}
	sleep_ms(50);
	for (i = 0; i < 3; i++)
		assert_int_equal(atomic_load(&w[i].done), 0);
	/* One slot at a time: exactly one more waiter gets through each. */
	for (i = 0; i < 3; i++) {
		long ms;

		kunmap(pages[100 + i]);
		for (ms = 0; ms < 5000; ms++) {
			done = atomic_load(&w[0].done) +
			       atomic_load(&w[1].done) +
			       atomic_load(&w[2].done);
			if (done == i + 1)
				break;
			sleep_ms(1);
		}
		assert_int_equal(done, i + 1);
		sleep_ms(20);
		done = atomic_load(&w[0].done) + atomic_load(&w[1].done) +
		       atomic_load(&w[2].done);
		assert_int_equal(done, i + 1);
	}
	for (i = 0; i < 3; i++) {
		unsigned long slot;

		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_non_null(w[i].addr);
		slot = (mmk_kaddr(w[i].addr) - PKMAP_BASE) >> PAGE_SHIFT;
		/* pages[100 + k] had slot 101 + k. */
		assert_true(slot >= 101 && slot <= 103);
		assert_false(slot_taken[slot]);
		slot_taken[slot] = true;
		assert_ptr_equal(page_address(w[i].page), w[i].addr);
		kunmap(w[i].page);
		__free_pages(w[i].page, 0);
	}
	for (i = 0; i < LAST_PKMAP; i++) {
		if (i < 100 || i > 102)
			kunmap(pages[i]);
		__free_pages(pages[i], 0);
	}
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- many threads mapping at once ---- */

#define OWN_PAGES 400 /* per thread: 4 * 400 + shared > LAST_PKMAP */
#define SHARED_PAGES 32
#define HOLD 8

struct shared {
	struct mmk_machine *m;
	struct page *shared[SHARED_PAGES];
	int iters;
	atomic_int claimed; /* workers that have taken their CPU (or none) */
	int nworkers;
	atomic_int errors;
	atomic_int first_error_line; /* where the first error was seen */
};

/* Count an error and remember where the first one was found. */
#define STRESS_ERROR(sh)                                                \
	do {                                                            \
		int zero_ = 0;                                          \
		atomic_fetch_add(&(sh)->errors, 1);                     \
		atomic_compare_exchange_strong(&(sh)->first_error_line, \
					       &zero_, __LINE__);       \
	} while (0)

struct worker {
	struct shared *sh;
	int cpu; /* -1: no CPU (kmap_local falls back to kmap) */
	int id;
	uint64_t seed;
	struct page *own[OWN_PAGES];
	uint32_t stamp[OWN_PAGES]; /* what each own page holds */
};

static void check_shared(struct worker *w, const uint32_t *p, int k)
{
	if (p[0] != 0xc0de0000u + (uint32_t)k ||
	    p[1023] != 0xc0de0000u + (uint32_t)k)
		STRESS_ERROR(w->sh);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct page *held[HOLD];
	int nheld = 0, i;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	if (w->cpu < 0 && mmk_get_cpu() >= 0)
		STRESS_ERROR(sh); /* must run without a CPU */
	/* No one starts (and so no one finishes and frees its CPU for a
	 * worker meant to have none) until every worker is placed. */
	while (atomic_load(&sh->claimed) < sh->nworkers)
		sched_yield();
	for (i = 0; i < OWN_PAGES; i++) {
		uint32_t *p;

		/* Not zeroed: the page may hold another thread's stamps. */
		w->own[i] = alloc_pages(GFP_HIGHUSER, 0);
		if (!w->own[i] || !PageHighMem(w->own[i])) {
			STRESS_ERROR(sh);
			return NULL;
		}
		p = kmap_local_page(w->own[i]);
		p[0] = p[1023] = 0;
		kunmap_local(p);
		w->stamp[i] = 0;
	}
	for (i = 0; i < sh->iters; i++) {
		uint64_t r = test_rand(&w->seed);
		int k = (int)((r >> 8) % OWN_PAGES);
		int s = (int)((r >> 24) % SHARED_PAGES);
		uint32_t stamp = ((uint32_t)w->id << 24) | (uint32_t)(i + 1);
		uint32_t *kp, *lp, *sp;

		switch (r % 4) {
		case 0: /* kmap, write, check through kmap_local */
			kp = kmap(w->own[k]);
			if (!kp || kp[0] != w->stamp[k]) {
				STRESS_ERROR(sh);
				break;
			}
			kp[0] = kp[1023] = stamp;
			w->stamp[k] = stamp;
			lp = kmap_local_page(w->own[k]);
			if (!lp || lp[0] != stamp || lp[1023] != stamp)
				STRESS_ERROR(sh);
			sp = kmap_local_page(sh->shared[s]);
			if (!sp)
				STRESS_ERROR(sh);
			else
				check_shared(w, sp, s);
			kunmap_local(sp);
			kunmap_local(lp);
			kunmap(w->own[k]);
			break;
		case 1: /* kmap_atomic, nested */
			lp = kmap_atomic(w->own[k]);
			sp = kmap_atomic(sh->shared[s]);
			if (!lp || !sp || lp[0] != w->stamp[k])
				STRESS_ERROR(sh);
			else
				check_shared(w, sp, s);
			kunmap_atomic(sp);
			kunmap_atomic(lp);
			break;
		case 2: /* hold a few kmaps across iterations */
			if (nheld < HOLD) {
				int j;

				for (j = 0; j < nheld; j++)
					if (held[j] == w->own[k])
						break;
				if (j == nheld) {
					kp = kmap(w->own[k]);
					if (!kp || kp[1023] != w->stamp[k])
						STRESS_ERROR(sh);
					held[nheld++] = w->own[k];
				}
			} else {
				kunmap(held[--nheld]);
			}
			break;
		default: /* a shared page through kmap: shared slot */
			sp = kmap(sh->shared[s]);
			if (!sp)
				STRESS_ERROR(sh);
			else
				check_shared(w, sp, s);
			kunmap(sh->shared[s]);
			break;
		}
	}
	while (nheld)
		kunmap(held[--nheld]);
	/* Read back every page once more, then free them. */
	for (i = 0; i < OWN_PAGES; i++) {
		uint32_t *lp = kmap_local_page(w->own[i]);

		if (!lp || lp[0] != w->stamp[i])
			STRESS_ERROR(sh);
		kunmap_local(lp);
		__free_pages(w->own[i], 0);
	}
	mmk_set_current(NULL);
	return NULL;
}

static void run_kmap_stress(int ncpu_workers, int nocpu_workers, int iters)
{
	/* CPU 0 stays with this thread; workers take CPUs 1..n. */
	struct mmk_machine *m = boot_i386(ncpu_workers + 1);
	struct shared sh = { .m = m,
			     .iters = iters,
			     .nworkers = ncpu_workers + nocpu_workers };
	int n = ncpu_workers + nocpu_workers, i;
	struct worker *w = calloc((size_t)n, sizeof(*w));
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	char *before, *after;

	assert_non_null(w);
	assert_non_null(t);
	for (i = 0; i < SHARED_PAGES; i++) {
		uint32_t *p;

		sh.shared[i] = alloc_high();
		p = kmap(sh.shared[i]);
		p[0] = p[1023] = 0xc0de0000u + (uint32_t)i;
		kunmap(sh.shared[i]);
	}
	drain_all_pages(NULL);
	before = mmk_proc_read(m, "/proc/buddyinfo");
	assert_non_null(before);
	for (i = 0; i < n; i++) {
		w[i].sh = &sh;
		w[i].id = i + 1;
		w[i].cpu = i < ncpu_workers ? ncpu_workers - i : -1;
		w[i].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
	}
	/* One at a time, so each worker with a CPU moves from the lowest
	 * free CPU (where mmk_set_current puts it) to its own, highest
	 * first, and those without a CPU find none left. */
	test_start_workers(t, n, worker_main, w, sizeof w[0], &sh.claimed);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	if (atomic_load(&sh.errors))
		fail_msg("%d errors, the first at line %d",
			 atomic_load(&sh.errors),
			 atomic_load(&sh.first_error_line));
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	/* Only the shared pages may still be mapped, and they are idle. */
	for (i = 0; i < SHARED_PAGES; i++) {
		uint32_t *p = kmap(sh.shared[i]);

		assert_int_equal(p[0], 0xc0de0000u + (uint32_t)i);
		kunmap(sh.shared[i]);
	}
	drain_all_pages(NULL);
	after = mmk_proc_read(m, "/proc/buddyinfo");
	assert_non_null(after);
	assert_string_equal(after, before);
	for (i = 0; i < SHARED_PAGES; i++)
		__free_pages(sh.shared[i], 0);
	assert_check_ok(m);
	free(before);
	free(after);
	free(w);
	free(t);
	mmk_shutdown(m);
}

static void test_four_threads_on_their_own_cpus(void **state)
{
	(void)state;
	run_kmap_stress(4, 0, 20000);
}

static void test_threads_with_and_without_cpus(void **state)
{
	(void)state;
	run_kmap_stress(3, 3, 10000);
}

/* ---- vmalloc'd highmem seen through kmap, freed by other threads ---- */

#define VSLOTS 16
#define VHOLD 3

struct vshared {
	struct mmk_machine *m;
	pthread_mutex_t lock;
	void *slot[VSLOTS]; /* areas handed between threads */
	size_t slot_size[VSLOTS];
	int iters;
	atomic_int claimed;
	atomic_int errors;
};

struct vworker {
	struct vshared *sh;
	int cpu;
	uint64_t seed;
};

/* Every page of a vmalloc area starts with its size and page index. */
static void stamp_area(unsigned char *p, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += PAGE_SIZE) {
		((uint64_t *)(p + off))[0] = size;
		((uint64_t *)(p + off))[1] = off >> PAGE_SHIFT;
	}
}

/* Check an area through kmap of its backing pages; 0 if it is right. */
static int check_area_via_kmap(const unsigned char *p, size_t size)
{
	size_t off;
	int bad = 0;

	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *page = vmalloc_to_page(p + off);
		uint64_t *k;

		if (!page)
			return 1;
		k = kmap(page);
		if (!k || k[0] != size || k[1] != off >> PAGE_SHIFT)
			bad = 1;
		kunmap(page);
	}
	return bad;
}

static void *vworker_main(void *arg)
{
	struct vworker *w = arg;
	struct vshared *sh = w->sh;
	void *mine[VHOLD];
	size_t size[VHOLD];
	int n = 0, i;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	for (i = 0; i < sh->iters; i++) {
		uint64_t r = test_rand(&w->seed);

		if (n < VHOLD && r % 2) {
			/* Mostly small areas; one in 16 has a vmalloc'd
			 * page array (513 pages). */
			size_t sz = (r >> 8) % 16 ?
					    ((r >> 12) % 32 + 1) * PAGE_SIZE :
					    513 * PAGE_SIZE;
			void *p = vmalloc(sz);

			if (!p) {
				atomic_fetch_add(&sh->errors, 1);
				continue;
			}
			stamp_area(p, sz);
			mine[n] = p;
			size[n++] = sz;
		} else if (n) {
			int k = (int)((r >> 16) % (uint64_t)n);
			int s = (int)((r >> 32) % VSLOTS);
			void *give = mine[k], *take;
			size_t gsz = size[k], tsz;

			if (check_area_via_kmap(give, gsz))
				atomic_fetch_add(&sh->errors, 1);
			mine[k] = mine[--n];
			size[k] = size[n];
			pthread_mutex_lock(&sh->lock);
			take = sh->slot[s];
			tsz = sh->slot_size[s];
			sh->slot[s] = give;
			sh->slot_size[s] = gsz;
			pthread_mutex_unlock(&sh->lock);
			/* Free what another thread (maybe) allocated. */
			if (take) {
				if (check_area_via_kmap(take, tsz))
					atomic_fetch_add(&sh->errors, 1);
				vfree(take);
			}
		}
	}
	while (n--)
		vfree(mine[n]);
	mmk_set_current(NULL);
	return NULL;
}

static void test_threads_vmalloc_kmap_and_vfree_each_others_areas(void **state)
{
	/* Three CPUs for three workers: the lazy purge limit is
	 * fls(3) * 32 MiB = 64 MiB of the 92 MiB range. */
	struct mmk_machine *m = boot_i386(3);
	struct vshared sh;
	struct vworker w[3];
	pthread_t t[3];
	char *before, *after, *meminfo;
	int i;

	(void)state;
	memset(&sh, 0, sizeof sh);
	sh.m = m;
	sh.iters = 3000;
	pthread_mutex_init(&sh.lock, NULL);
	drain_all_pages(NULL);
	before = mmk_proc_read(m, "/proc/buddyinfo");
	assert_non_null(before);
	mmk_set_current(NULL); /* give CPU 0 to the workers */
	for (i = 0; i < 3; i++) {
		w[i].sh = &sh;
		w[i].cpu = 2 - i;
		w[i].seed = 0x2545f4914f6cdd1dULL * (uint64_t)(i + 7);
	}
	test_start_workers(t, 3, vworker_main, w, sizeof w[0], &sh.claimed);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(mmk_set_current(m), 0);
	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_check_ok(m);
	for (i = 0; i < VSLOTS; i++)
		if (sh.slot[i])
			vfree(sh.slot[i]);
	meminfo = mmk_proc_read(m, "/proc/meminfo");
	assert_non_null(meminfo);
	assert_non_null(strstr(meminfo, "\nVmallocUsed:           0 kB\n"));
	free(meminfo);
	assert_false(dmesg_has(m, "WARNING"));
	assert_false(dmesg_has(m, "vmalloc error"));
	assert_check_ok(m);
	drain_all_pages(NULL);
	after = mmk_proc_read(m, "/proc/buddyinfo");
	assert_non_null(after);
	/* Highmem has no slab pages: every vmalloc'd page is back. */
	assert_string_equal(strstr(after, "zone  HighMem"),
			    strstr(before, "zone  HighMem"));
	free(before);
	free(after);
	pthread_mutex_destroy(&sh.lock);
	mmk_shutdown(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmap_waits_until_a_slot_is_freed),
		cmocka_unit_test(test_each_waiter_gets_a_freed_slot),
		cmocka_unit_test(test_four_threads_on_their_own_cpus),
		cmocka_unit_test(test_threads_with_and_without_cpus),
		cmocka_unit_test(
			test_threads_vmalloc_kmap_and_vfree_each_others_areas),
	};

	return cmocka_run_group_tests_name("kmap_thread", tests, NULL, NULL);
}
