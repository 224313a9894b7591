/* SPDX-License-Identifier: MIT */
/*
 * Multi-threaded stress of the address-space layer: threads on their own
 * CPUs (and some without one) run random mmap/munmap/mprotect/mlock/
 * mremap/madvise/brk sequences, some on a process of their own and some
 * on one process they share (the mmap lock serialises them), touching
 * pages (faults, COW after fork), while others
 * fork and exit processes and read their /proc files. Afterwards every
 * process exits, the verifier passes and the VMA, mm and anon_vma caches
 * hold no objects. 8 threads on 4 CPUs, and 32 threads on 8 CPUs; the
 * OOM killer, and reclaim with swap, across threads; the page lock
 * ordering a fault and a hole punch after its holder, and a hole punch
 * waiting for a busy mapper's mmap lock; mlocks of shared
 * pages racing between processes; swapon and swapoff while others fault
 * and reclaim; a memfd truncated, punched and paged out while others
 * fault on it. Runs under TSan in
 * `make test-sanitize`.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mmkit/mmkit.h>
#include "tests/mmk_test.h"
#include "tests/mmk_thread.h"
#include "mm/vma.h"

#define WINDOW 0x200000000UL
#define SHARED_PID 1000

struct shared {
	struct mmk_machine *m;
	int ops;
	atomic_int claimed;
	atomic_int errors;
};

struct worker {
	struct shared *sh;
	uint64_t seed;
	int cpu;
	int pid; /* own process, or SHARED_PID */
	bool forker;
};

/* One random address-space call on @pid inside its 64 MiB window slice. */
static void random_call(struct shared *sh, int pid, unsigned long base,
			uint64_t r)
{
	unsigned long addr = base + ((r >> 8) % 256) * PAGE_SIZE;
	unsigned long len = (1 + (r >> 20) % 16) * PAGE_SIZE;
	unsigned long prot = (r >> 28) % 4 == 0 ? PROT_READ :
						  PROT_READ | PROT_WRITE;
	long ret = 0;

	switch (r % 10) {
	case 0:
	case 1:
		ret = mmk_mmap(pid, addr, len, prot,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				       ((r >> 32) % 8 == 0 ? MAP_POPULATE : 0),
			       NULL, 0);
		break;
	case 2:
		ret = mmk_munmap(pid, addr, len);
		break;
	case 3:
		ret = mmk_mprotect(pid, addr, len, prot);
		break;
	case 4:
		ret = (r >> 33) & 1 ? mmk_mlock(pid, addr, len) :
				      mmk_munlock(pid, addr, len);
		break;
	case 5:
		ret = mmk_mremap(pid, addr, len,
				 (1 + (r >> 36) % 16) * PAGE_SIZE,
				 MREMAP_MAYMOVE | MREMAP_FIXED,
				 base + ((r >> 40) % 256) * PAGE_SIZE);
		break;
	case 6:
		ret = mmk_madvise(pid, addr, len,
				  (r >> 33) & 1 ? MADV_DONTFORK : MADV_DOFORK);
		break;
	case 7:
		ret = mmk_mmap(pid, 0, len, prot, MAP_SHARED | MAP_ANONYMOUS,
			       NULL, 0);
		if (ret > 0)
			ret = mmk_munmap(pid, (unsigned long)ret, len);
		break;
	}
	/* Every result is an address, 0 or one of the errnos these calls
	 * may give; anything else is a bug. */
	if (ret < 0 && ret != -ENOMEM && ret != -EINVAL && ret != -EFAULT &&
	    ret != -EAGAIN)
		atomic_fetch_add(&sh->errors, 1);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	unsigned long base =
		WINDOW + (unsigned long)(w->pid % 64) * (64UL << 20);
	int i;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	for (i = 0; i < sh->ops; i++) {
		uint64_t r = test_rand(&w->seed);

		if (w->forker) {
			int child = w->pid + 1 + (int)(r % 4);
			char path[64], *text;

			switch ((r >> 8) % 4) {
			case 0:
				mmk_fork(SHARED_PID, child);
				break;
			case 1:
				mmk_exit(child);
				break;
			default:
				snprintf(path, sizeof path, "/proc/%d/%s",
					 SHARED_PID,
					 (r >> 12) & 1 ? "smaps" : "status");
				text = mmk_proc_read(sh->m, path);
				if (!text)
					atomic_fetch_add(&sh->errors, 1);
				free(text);
				break;
			}
			continue;
		}
		random_call(sh, w->pid, base, r);
	}
	mmk_set_current(NULL);
	return NULL;
}

static unsigned long slab_active(struct mmk_machine *m, const char *cache)
{
	char *text = proc(m, "/proc/slabinfo"), *line;
	unsigned long active = 0;
	size_t len = strlen(cache);

	for (line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, cache, len) && line[len] == ' ') {
			active = strtoul(line + len, NULL, 10);
			break;
		}
	}
	free(text);
	return active;
}

static void run(int nthreads, int ncpus, int ops)
{
	struct shared sh = { .ops = ops };
	struct worker *w = calloc((size_t)nthreads, sizeof(*w));
	pthread_t *tid = calloc((size_t)nthreads, sizeof(*tid));
	int i, pid;

	assert_non_null(w);
	assert_non_null(tid);
	sh.m = mmk_test_boot(MMK_ARCH_X86_64, 1ULL << 30, 1, ncpus, true);
	assert_int_equal(mmk_spawn(SHARED_PID, false), 0);
	for (i = 0; i < nthreads; i++) {
		w[i].sh = &sh;
		w[i].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		/* Workers beyond the CPUs run without one. */
		w[i].cpu = i < ncpus ? i : -1;
		w[i].forker = i % 4 == 3;
		w[i].pid = i % 2 ? SHARED_PID : 10 * (i + 1);
		if (w[i].forker)
			w[i].pid = 100 * (i + 1);
		else if (w[i].pid != SHARED_PID)
			assert_int_equal(mmk_spawn(w[i].pid, false), 0);
	}
	/* The starter gives up its CPU so that workers get theirs. */
	mmk_set_current(NULL);
	test_start_workers(tid, nthreads, worker_main, w, sizeof(*w),
			   &sh.claimed);
	for (i = 0; i < nthreads; i++)
		pthread_join(tid[i], NULL);
	mmk_set_current(sh.m);
	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_check_ok(sh.m);
	/* Every process exits; nothing of theirs may remain. */
	for (pid = 1; pid < 100 * (nthreads + 1) + 8; pid++)
		mmk_exit(pid);
	mmk_exit(SHARED_PID);
	assert_check_ok(sh.m);
	/* Objects cached per CPU count as active in slabinfo: flush them. */
	kmem_cache_shrink(sh.m->mm->vma_cachep);
	kmem_cache_shrink(sh.m->mm->mm_cachep);
	kmem_cache_shrink(sh.m->mm->anon_vma_cachep);
	kmem_cache_shrink(sh.m->mm->file_cachep);
	assert_int_equal(slab_active(sh.m, "vm_area_struct"), 0);
	assert_int_equal(slab_active(sh.m, "mm_struct"), 0);
	assert_int_equal(slab_active(sh.m, "anon_vma"), 0);
	assert_int_equal(slab_active(sh.m, "filp"), 0);
	mmk_shutdown(sh.m);
	free(w);
	free(tid);
}

/*
 * Four threads fill a 64 MiB machine through processes of their own,
 * while a fifth reads their /proc files: the OOM killer chooses victims
 * that other threads are using. A touch ends in 0 or SIGKILL; a process
 * found gone (ESRCH) was killed by another's allocation (vmstat oom_kill
 * counts at least as many), and its thread spawns another.
 */
struct oom_worker {
	struct shared *sh;
	int cpu, id;
	uint64_t seed;
	atomic_int *vanished;
};

/* Spawn @pid; a spawn may find no memory while a victim exits. */
static bool oom_spawn(struct shared *sh, int pid)
{
	int ret = mmk_spawn(pid, false);

	if (ret && ret != -ENOMEM)
		atomic_fetch_add(&sh->errors, 1);
	return !ret;
}

static void *oom_worker_main(void *arg)
{
	struct oom_worker *w = arg;
	struct shared *sh = w->sh;
	int pid = 1000 * (w->id + 1), i;
	bool alive = false;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	for (i = 0; i < sh->ops; i++) {
		uint64_t r = test_rand(&w->seed);
		unsigned long len = (4 + r % 16) << 20;
		long ret;
		int sig;

		if (w->id == 4) {
			char path[64], *text;

			snprintf(path, sizeof path, "/proc/%d/%s",
				 1000 * (1 + (int)(r % 4)) + (int)(r >> 8) % 8,
				 (r >> 16) & 1 ? "oom_score" : "status");
			text = mmk_proc_read(sh->m, path);
			free(text);
			continue;
		}
		if (!alive && !(alive = oom_spawn(sh, pid)))
			continue;
		ret = mmk_mmap(pid, WINDOW, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			       0);
		sig = ret == (long)WINDOW ? mmk_touch(pid, WINDOW, len, true) :
					    0;
		if (ret != (long)WINDOW && ret != -ENOMEM && ret != -ESRCH)
			atomic_fetch_add(&sh->errors, 1);
		/* -ESRCH: killed between the mmap and the touch. */
		if (sig != 0 && sig != MMK_SIGKILL && sig != -ESRCH)
			atomic_fetch_add(&sh->errors, 1);
		if (sig == MMK_SIGKILL && mmk_task_alive(pid))
			atomic_fetch_add(&sh->errors, 1);
		if (ret == -ESRCH || !mmk_task_alive(pid)) {
			if (sig != MMK_SIGKILL)
				atomic_fetch_add(w->vanished, 1);
			alive = false;
			pid++;
		} else if ((r >> 20) % 3 == 0) {
			mmk_munmap(pid, WINDOW, 20 << 20);
		}
	}
	mmk_exit(pid);
	mmk_set_current(NULL);
	return NULL;
}

static void test_oom_kills_across_threads(void **state)
{
	struct shared sh = { .ops = 300 };
	struct oom_worker w[5];
	pthread_t tid[5];
	atomic_int vanished = 0;
	int i;

	(void)state;
	sh.m = mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 4, true);
	for (i = 0; i < 5; i++) {
		w[i].sh = &sh;
		w[i].cpu = i < 4 ? i : -1;
		w[i].id = i;
		w[i].seed = 0x2545f4914f6cdd1dULL * (uint64_t)(i + 1);
		w[i].vanished = &vanished;
	}
	mmk_set_current(NULL);
	test_start_workers(tid, 5, oom_worker_main, w, sizeof(w[0]),
			   &sh.claimed);
	for (i = 0; i < 5; i++)
		pthread_join(tid[i], NULL);
	mmk_set_current(sh.m);
	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_true(proc_field(sh.m, "/proc/vmstat", "oom_kill", ' ') >=
		    (unsigned long)atomic_load(&vanished));
	assert_true(proc_field(sh.m, "/proc/vmstat", "oom_kill", ' ') > 0);
	assert_int_equal(meminfo_kb(sh.m, "AnonPages"), 0);
	assert_check_ok(sh.m);
	mmk_shutdown(sh.m);
}

/*
 * Reclaim and swap under threads: four threads each fill 24 MiB of a
 * process of their own on a 64 MiB machine with 128 MiB of swap (so
 * every thread's faults reclaim the others' pages), check every value
 * back, page ranges out, and fork a child that reads the parent's
 * swapped pages through the swap cache and writes its own copies; a
 * fifth thread reads /proc/swaps, meminfo and the processes' smaps.
 * Nothing is killed, every value survives, and when all have exited
 * the swap area is empty again.
 */
#define SWAP_LEN (24UL << 20)

static uint64_t swap_value(int pid, unsigned long off, int round)
{
	return ((uint64_t)pid << 40) ^ ((uint64_t)round << 32) ^ off;
}

/* Write every page's first word of @pid, or check it holds what @owner
 * wrote in @round; errors counted. */
static void swap_pass(struct shared *sh, int pid, int owner, int round,
		      bool write)
{
	unsigned long off;

	for (off = 0; off < SWAP_LEN; off += PAGE_SIZE) {
		uint64_t v = 0;

		if (write) {
			if (mmk_write_u64(pid, WINDOW + off,
					  swap_value(owner, off, round)))
				atomic_fetch_add(&sh->errors, 1);
		} else if (mmk_read_u64(pid, WINDOW + off, &v) ||
			   v != swap_value(owner, off, round)) {
			atomic_fetch_add(&sh->errors, 1);
			return;
		}
	}
}

static void *swap_worker_main(void *arg)
{
	struct oom_worker *w = arg;
	struct shared *sh = w->sh;
	int pid = 2000 + w->id, child = 3000 + w->id, round;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	if (w->id == 4) {
		for (round = 0; round < 200; round++) {
			static const char *const files[] = {
				"/proc/swaps", "/proc/meminfo",
				"/proc/2001/smaps", "/proc/3002/status",
				"/proc/vmstat"
			};
			free(mmk_proc_read(sh->m, files[round % 5]));
		}
		mmk_set_current(NULL);
		return NULL;
	}
	if (mmk_spawn(pid, false) ||
	    mmk_mmap(pid, WINDOW, SWAP_LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
		     0) != (long)WINDOW)
		atomic_fetch_add(&sh->errors, 1);
	for (round = 0; round < 3; round++) {
		uint64_t v = 0;

		swap_pass(sh, pid, pid, round, true);
		swap_pass(sh, pid, pid, round, false);
		if (mmk_madvise(pid, WINDOW, SWAP_LEN / 2, MADV_PAGEOUT))
			atomic_fetch_add(&sh->errors, 1);
		if (mmk_fork(pid, child)) {
			atomic_fetch_add(&sh->errors, 1);
			continue;
		}
		swap_pass(sh, child, pid, round, false); /* pid's values */
		if (mmk_read_u64(child, WINDOW, &v) ||
		    v != swap_value(pid, 0, round) ||
		    mmk_write_u64(child, WINDOW, 1) ||
		    mmk_read_u64(pid, WINDOW, &v) ||
		    v != swap_value(pid, 0, round) || mmk_exit(child))
			atomic_fetch_add(&sh->errors, 1);
	}
	swap_pass(sh, pid, pid, 2, false);
	if (mmk_exit(pid))
		atomic_fetch_add(&sh->errors, 1);
	mmk_set_current(NULL);
	return NULL;
}

/*
 * swapon and swapoff under threads (mm/swapfile.c): while the swap
 * workers above fill, check, page out and fork, a sixth thread enables
 * /swap2, of higher priority, and swaps it off again, five times: every
 * swapoff walks processes that other threads fault in and reclaim from
 * at the same time. Nothing is lost or killed, and at the end only
 * /swapfile is left, empty.
 */
static void *swapoff_cycler_main(void *arg)
{
	struct oom_worker *w = arg;
	struct shared *sh = w->sh;
	int round, tries, err;

	test_worker_enter(sh->m, w->cpu, &sh->claimed, &sh->errors);
	for (round = 0; round < 5; round++) {
		struct timespec pause = { 0, 20 * 1000 * 1000 };

		if (mmk_swapon("/swap2", 32ULL << 20, 10))
			atomic_fetch_add(&sh->errors, 1);
		nanosleep(&pause, NULL);
		/* ENOMEM while the workers hold the memory: again. */
		for (tries = 0; tries < 100; tries++) {
			err = mmk_swapoff("/swap2");
			if (err != -ENOMEM)
				break;
			nanosleep(&pause, NULL);
		}
		if (err)
			atomic_fetch_add(&sh->errors, 1);
	}
	mmk_set_current(NULL);
	return NULL;
}

/* The swap workers, and with @cycler the swapoff cycler too. */
static void run_swap_workers(bool cycler)
{
	struct shared sh = { 0 };
	struct oom_worker w[6];
	struct mmk_config cfg;
	pthread_t tid[6];
	int i, n = cycler ? 6 : 5;
	char *swaps;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	cfg.swap_bytes = 128ULL << 20;
	cfg.nr_cpus = 4;
	sh.m = mmk_test_boot_cfg(&cfg);
	for (i = 0; i < n; i++) {
		w[i].sh = &sh;
		w[i].cpu = i < 4 ? i : -1;
		w[i].id = i;
		w[i].seed = 0;
		w[i].vanished = NULL;
	}
	mmk_set_current(NULL);
	test_start_workers(tid, 5, swap_worker_main, w, sizeof(w[0]),
			   &sh.claimed);
	if (cycler)
		assert_int_equal(pthread_create(&tid[5], NULL,
						swapoff_cycler_main, &w[5]),
				 0);
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	mmk_set_current(sh.m);
	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_int_equal(proc_field(sh.m, "/proc/vmstat", "oom_kill", ' '), 0);
	assert_true(proc_field(sh.m, "/proc/vmstat", "pswpout", ' ') > 0);
	assert_true(proc_field(sh.m, "/proc/vmstat", "pswpin", ' ') > 0);
	assert_int_equal(meminfo_kb(sh.m, "SwapTotal"), (128 << 10) - 4);
	assert_int_equal(meminfo_kb(sh.m, "SwapFree"),
			 meminfo_kb(sh.m, "SwapTotal"));
	assert_int_equal(meminfo_kb(sh.m, "SwapCached"), 0);
	assert_int_equal(meminfo_kb(sh.m, "AnonPages"), 0);
	swaps = mmk_proc_read(sh.m, "/proc/swaps");
	assert_non_null(swaps);
	assert_null(strstr(swaps, "/swap2"));
	free(swaps);
	assert_check_ok(sh.m);
	mmk_shutdown(sh.m);
}

static void test_swap_across_threads(void **state)
{
	(void)state;
	run_swap_workers(false);
}

static void test_swapoff_across_threads(void **state)
{
	(void)state;
	run_swap_workers(true);
}

/* A call made on another thread while the page it needs is locked. */
struct locked_call {
	struct mmk_machine *m;
	int pid;
	bool punch; /* MADV_REMOVE of the page; else a read of it */
	uint64_t value;
	long ret;
	atomic_int done;
};

static void *locked_call_main(void *arg)
{
	struct locked_call *c = arg;

	mmk_set_current(c->m);
	c->ret = c->punch ?
			 mmk_madvise(c->pid, WINDOW, PAGE_SIZE, MADV_REMOVE) :
			 mmk_read_u64(c->pid, WINDOW + PAGE_SIZE, &c->value);
	atomic_store(&c->done, 1);
	mmk_set_current(NULL);
	return NULL;
}

/* Run @c on a thread while this one holds the lock of @page, or else
 * @mm's mmap lock: the call must wait for it (a fault maps a file page,
 * and a hole punch removes it, only under its lock; a hole punch unmaps
 * a page from a process only under that process's mmap lock). */
static void run_while_locked(struct locked_call *c, struct page *page,
			     struct mm_struct *mm)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t tid;

	if (page)
		assert_true(trylock_page(page));
	else
		mmap_write_lock(mm);
	assert_int_equal(pthread_create(&tid, NULL, locked_call_main, c), 0);
	nanosleep(&pause, NULL);
	assert_int_equal(atomic_load(&c->done), 0);
	if (page) {
		unlock_page(page);
		put_page(page);
	} else {
		mmap_write_unlock(mm);
	}
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_int_equal(atomic_load(&c->done), 1);
	assert_int_equal(c->ret, 0);
}

static void test_page_lock_waits(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *m;
	struct locked_call c = { 0 };
	struct mm_struct *mm;
	struct file *f;
	uint64_t v = 1;
	int pid;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	m = mmk_test_boot_cfg(&cfg);
	f = mmk_file_create("data", 4 * PAGE_SIZE, false);
	assert_non_null(f);
	for (pid = 1; pid <= 2; pid++) {
		assert_int_equal(mmk_spawn(pid, false), 0);
		assert_int_equal(mmk_mmap(pid, WINDOW, 4 * PAGE_SIZE,
					  PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_FIXED, f, 0),
				 (long)WINDOW);
	}
	assert_int_equal(mmk_write_u64(1, WINDOW, 7), 0);
	assert_int_equal(mmk_write_u64(1, WINDOW + PAGE_SIZE, 9), 0);
	/* Process 2's fault on the cached page 1 waits for its lock. */
	c.m = m;
	c.pid = 2;
	mmk_set_current(m);
	run_while_locked(&c, filemap_find_page(f, 1), NULL);
	assert_int_equal(c.value, 9);
	/* A hole punched through page 0 waits too, then unmaps it from
	 * both processes and drops it: it reads as zeroes again. */
	c.punch = true;
	c.done = 0;
	run_while_locked(&c, filemap_find_page(f, 0), NULL);
	assert_int_equal(mmk_read_u64(1, WINDOW, &v), 0);
	assert_int_equal(v, 0);
	/* Page 0 again, mapped by both; process 1 is busy (another thread
	 * holds its mmap lock): the hole waits for it, so that the page
	 * leaves process 1 too, not only process 2 and the cache. */
	assert_int_equal(mmk_write_u64(2, WINDOW, 5), 0);
	assert_int_equal(mmk_read_u64(1, WINDOW, &v), 0);
	assert_int_equal(v, 5);
	mm = mmk_get_mm(1);
	c.done = 0;
	run_while_locked(&c, NULL, mm);
	mmput(mm);
	assert_int_equal(mmk_read_u64(1, WINDOW, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mmk_read_u64(2, WINDOW, &v), 0);
	assert_int_equal(v, 0);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	fput(f);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/*
 * Four processes map one file's pages shared, and four threads (one per
 * process, on CPUs of their own) mlock and munlock random ranges of
 * their mapping while the others do: a page's mlocks from different
 * processes race on its PG_mlocked and mlock_count. Between rounds, and
 * at the end, a page is mlocked exactly when a locked VMA maps it, with
 * at least that many mlocks (the verifier); once all are unlocked,
 * nothing is Mlocked or Unevictable.
 */
#define MLOCK_PAGES 8
#define MLOCK_PROCS 4

struct mlock_worker {
	struct shared *sh;
	pthread_barrier_t *bar;
	int id;
	uint64_t seed;
};

static void *mlock_worker_main(void *arg)
{
	struct mlock_worker *w = arg;
	struct shared *sh = w->sh;
	int pid = w->id + 1, round, i;
	char why[256];

	test_worker_enter(sh->m, w->id, &sh->claimed, &sh->errors);
	pthread_barrier_wait(w->bar);
	for (round = 0; round < 50; round++) {
		for (i = 0; i < sh->ops; i++) {
			uint64_t r = test_rand(&w->seed);
			unsigned long first = r % MLOCK_PAGES;
			unsigned long n = 1 + (r >> 8) % (MLOCK_PAGES - first);
			unsigned long addr = WINDOW + first * PAGE_SIZE;
			int ret = (r >> 16) & 1 ?
					  mmk_mlock(pid, addr, n * PAGE_SIZE) :
					  mmk_munlock(pid, addr, n * PAGE_SIZE);

			if (ret)
				atomic_fetch_add(&sh->errors, 1);
		}
		/* Quiescent: every thread waits while the first checks. */
		pthread_barrier_wait(w->bar);
		if (w->id == 0 && mmk_check(sh->m, why, sizeof why)) {
			print_error("round %d: %s\n", round, why);
			atomic_fetch_add(&sh->errors, 1);
		}
		pthread_barrier_wait(w->bar);
	}
	if (mmk_munlock(pid, WINDOW, MLOCK_PAGES * PAGE_SIZE))
		atomic_fetch_add(&sh->errors, 1);
	mmk_set_current(NULL);
	return NULL;
}

static void test_mlock_shared_pages_across_threads(void **state)
{
	struct shared sh = { .ops = 40 };
	struct mlock_worker w[MLOCK_PROCS];
	pthread_t tid[MLOCK_PROCS];
	pthread_barrier_t bar;
	struct mmk_config cfg;
	struct file *f;
	int i;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	cfg.nr_cpus = MLOCK_PROCS;
	sh.m = mmk_test_boot_cfg(&cfg);
	f = mmk_file_create("locked", MLOCK_PAGES * PAGE_SIZE, false);
	assert_non_null(f);
	for (i = 0; i < MLOCK_PROCS; i++) {
		assert_int_equal(mmk_spawn(i + 1, false), 0);
		assert_int_equal(mmk_mmap(i + 1, WINDOW,
					  MLOCK_PAGES * PAGE_SIZE, PROT_READ,
					  MAP_SHARED | MAP_FIXED | MAP_POPULATE,
					  f, 0),
				 (long)WINDOW);
		w[i] = (struct mlock_worker){ &sh, &bar, i,
					      0x9e3779b97f4a7c15ULL * (i + 1) };
	}
	assert_int_equal(pthread_barrier_init(&bar, NULL, MLOCK_PROCS), 0);
	mmk_set_current(NULL);
	test_start_workers(tid, MLOCK_PROCS, mlock_worker_main, w, sizeof(w[0]),
			   &sh.claimed);
	for (i = 0; i < MLOCK_PROCS; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&bar);
	mmk_set_current(sh.m);
	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_int_equal(meminfo_kb(sh.m, "Mlocked"), 0);
	assert_int_equal(meminfo_kb(sh.m, "Unevictable"), 0);
	assert_int_equal(meminfo_kb(sh.m, "Mapped"), MLOCK_PAGES * 4);
	assert_check_ok(sh.m);
	for (i = 0; i < MLOCK_PROCS; i++)
		assert_int_equal(mmk_exit(i + 1), 0);
	fput(f);
	assert_check_ok(sh.m);
	mmk_shutdown(sh.m);
}

/*
 * Truncation against faults: one thread shrinks and grows a memfd,
 * punches holes in it and swaps its pages out, while the others, each
 * in a process of its own with a shared and a private mapping of it,
 * write and read it (and pwrite and pread it). Every access either succeeds or is SIGBUS (past
 * the end at that moment); a read of a page the reader just wrote in its
 * private copy gives the value or, if a truncation took the copy, zero
 * or SIGBUS. After, no page lies past the end and nothing leaks.
 */
#define TRUNC_PROCS 3
#define TRUNC_PAGES 32UL

struct trunc_worker {
	struct shared *sh;
	struct file *f;
	int id; /* 0 truncates; others fault in process id */
	uint64_t rnd;
};

static void trunc_access(struct trunc_worker *w)
{
	unsigned long page = test_rand(&w->rnd) % TRUNC_PAGES;
	bool shared = test_rand(&w->rnd) & 1;
	unsigned long addr = WINDOW + (shared ? 0 : TRUNC_PAGES * PAGE_SIZE) +
			     page * PAGE_SIZE + 8 * (unsigned long)w->id;
	uint64_t v = 0, want = ((uint64_t)w->id << 32) | page;
	int r;

	/* Through the page cache by pwrite and pread: the value, or zero
	 * or nothing after a truncation between. */
	if (!(test_rand(&w->rnd) & 3)) {
		long long off = (long long)(page * PAGE_SIZE) + 8 * w->id;
		long n = mmk_pwrite(w->f, &want, 8, off);

		if (n != 8 && n != -ENOMEM && n != -ENOSPC)
			atomic_fetch_add(&w->sh->errors, 1);
		n = mmk_pread(w->f, &v, 8, off);
		if (n < 0 || (n == 8 && v && v != want))
			atomic_fetch_add(&w->sh->errors, 1);
		return;
	}
	r = mmk_write_u64(w->id, addr, want);

	if (r && r != MMK_SIGBUS)
		atomic_fetch_add(&w->sh->errors, 1);
	r = mmk_read_u64(w->id, addr, &v);
	if ((r && r != MMK_SIGBUS) || (!r && v && v != want))
		atomic_fetch_add(&w->sh->errors, 1);
}

static void trunc_resize(struct trunc_worker *w)
{
	unsigned long x = test_rand(&w->rnd) % 100;
	long long size = (long long)(test_rand(&w->rnd) % (TRUNC_PAGES + 1)) *
			 (long long)PAGE_SIZE;
	long r;

	if (x < 50)
		r = mmk_ftruncate(w->f, size + (x < 10 ? 100 : 0));
	else if (x < 75)
		r = mmk_fallocate(w->f,
				  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  size / 2, (long long)PAGE_SIZE * 3 + 17);
	else if (x < 90)
		r = mmk_fallocate(w->f, x & 1 ? FALLOC_FL_KEEP_SIZE : 0,
				  size / 4, (long long)PAGE_SIZE * 4);
	else
		r = mmk_madvise(TRUNC_PROCS + 1, WINDOW,
				TRUNC_PAGES * PAGE_SIZE, MADV_PAGEOUT) ?
			    -1 :
			    0;
	if (r && r != -ENOMEM && r != -ENOSPC)
		atomic_fetch_add(&w->sh->errors, 1);
}

static void *trunc_worker_main(void *arg)
{
	struct trunc_worker *w = arg;
	int i;

	test_worker_enter(w->sh->m, w->id, &w->sh->claimed, &w->sh->errors);
	for (i = 0; i < w->sh->ops; i++) {
		if (w->id)
			trunc_access(w);
		else
			trunc_resize(w);
	}
	mmk_set_current(NULL);
	return NULL;
}

static void test_truncate_across_threads(void **state)
{
	struct shared sh = { .ops = 3000 };
	struct trunc_worker w[TRUNC_PROCS + 1];
	pthread_t tid[TRUNC_PROCS + 1];
	struct mmk_config cfg;
	struct file *f;
	int i;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	cfg.swap_bytes = 16ULL << 20;
	cfg.nr_cpus = TRUNC_PROCS + 1;
	sh.m = mmk_test_boot_cfg(&cfg);
	f = mmk_memfd("racy", 0);
	assert_non_null(f);
	assert_int_equal(mmk_ftruncate(f, TRUNC_PAGES * PAGE_SIZE), 0);
	for (i = 0; i <= TRUNC_PROCS + 1; i++) {
		if (!i)
			continue;
		assert_int_equal(mmk_spawn(i, false), 0);
		assert_int_equal(mmk_mmap(i, WINDOW, TRUNC_PAGES * PAGE_SIZE,
					  PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_FIXED, f, 0),
				 (long)WINDOW);
		assert_int_equal(mmk_mmap(i, WINDOW + TRUNC_PAGES * PAGE_SIZE,
					  TRUNC_PAGES * PAGE_SIZE,
					  PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_FIXED, f, 0),
				 (long)(WINDOW + TRUNC_PAGES * PAGE_SIZE));
	}
	for (i = 0; i <= TRUNC_PROCS; i++)
		w[i] = (struct trunc_worker){ &sh, f, i,
					      0x9e3779b97f4a7c15ULL * (i + 3) };
	mmk_set_current(NULL);
	test_start_workers(tid, TRUNC_PROCS + 1, trunc_worker_main, w,
			   sizeof(w[0]), &sh.claimed);
	for (i = 0; i <= TRUNC_PROCS; i++)
		pthread_join(tid[i], NULL);
	mmk_set_current(sh.m);
	assert_int_equal(atomic_load(&sh.errors), 0);
	assert_check_ok(sh.m);
	assert_int_equal(mmk_ftruncate(f, 0), 0);
	assert_int_equal(meminfo_kb(sh.m, "Shmem"), 0);
	for (i = 1; i <= TRUNC_PROCS + 1; i++)
		assert_int_equal(mmk_exit(i), 0);
	fput(f);
	assert_check_ok(sh.m);
	mmk_shutdown(sh.m);
}

/* A thread whose machine another thread shut down lets go of that
 * machine's CPU without touching it: a machine booted since (at the same
 * address, as it usually is) keeps the CPU a third thread took. */
static struct mmk_machine *stale_x, *stale_y;
/* bar2: main and one thread; bar3: main and both. */
static pthread_barrier_t bar2, bar3;

static void *stale_on_x(void *arg)
{
	(void)arg;
	assert_int_equal(mmk_set_current(stale_x), 0);
	pthread_barrier_wait(&bar2); /* main: X down, Y up */
	pthread_barrier_wait(&bar3); /* the other thread: Y's CPU 1 */
	mmk_set_current(NULL);
	pthread_barrier_wait(&bar3);
	return NULL;
}

static void *stale_on_y(void *arg)
{
	(void)arg;
	assert_int_equal(mmk_set_current(stale_y), 0);
	assert_int_equal(mmk_get_cpu(), 1);
	pthread_barrier_wait(&bar3);
	pthread_barrier_wait(&bar3);
	pthread_barrier_wait(&bar2); /* main tried CPU 1 */
	mmk_set_current(NULL);
	return NULL;
}

static void test_release_after_shutdown(void **state)
{
	struct mmk_config cfg;
	pthread_t b, c;

	(void)state;
	mmk_config_init(&cfg); /* two CPUs */
	stale_x = mmk_boot(&cfg);
	assert_non_null(stale_x);
	assert_int_equal(pthread_barrier_init(&bar2, NULL, 2), 0);
	assert_int_equal(pthread_barrier_init(&bar3, NULL, 3), 0);
	assert_int_equal(pthread_create(&b, NULL, stale_on_x, NULL), 0);
	pthread_barrier_wait(&bar2);
	mmk_shutdown(stale_x);
	stale_y = mmk_boot(&cfg);
	assert_non_null(stale_y);
	assert_int_equal(pthread_create(&c, NULL, stale_on_y, NULL), 0);
	pthread_barrier_wait(&bar3); /* c holds CPU 1 */
	pthread_barrier_wait(&bar3); /* b let go of X's */
	assert_int_equal(mmk_set_cpu(1), -EBUSY);
	pthread_barrier_wait(&bar2);
	assert_int_equal(pthread_join(b, NULL), 0);
	assert_int_equal(pthread_join(c, NULL), 0);
	pthread_barrier_destroy(&bar2);
	pthread_barrier_destroy(&bar3);
	assert_int_equal(mmk_set_cpu(1), 0);
	mmk_shutdown(stale_y);
}

static void test_eight_threads_four_cpus(void **state)
{
	(void)state;
	run(8, 4, 3000);
}

static void test_thirty_two_threads_eight_cpus(void **state)
{
	(void)state;
	run(32, 8, 600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eight_threads_four_cpus),
		cmocka_unit_test(test_thirty_two_threads_eight_cpus),
		cmocka_unit_test(test_oom_kills_across_threads),
		cmocka_unit_test(test_swap_across_threads),
		cmocka_unit_test(test_swapoff_across_threads),
		cmocka_unit_test(test_page_lock_waits),
		cmocka_unit_test(test_mlock_shared_pages_across_threads),
		cmocka_unit_test(test_truncate_across_threads),
		cmocka_unit_test(test_release_after_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
