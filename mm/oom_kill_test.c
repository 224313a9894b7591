/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the OOM killer (mm/oom_kill.c) and the page allocator's
 * way to it (__alloc_pages_may_oom in mm/page_alloc.c): which process
 * dies, which requests may call it, what the victim leaves behind, and
 * the report in the kernel log. Each test boots a small machine (x86_64
 * 64M, or i386 64M) and ends with the full verifier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/vma.h"

#define MB (1UL << 20)
#define A 0x10000000UL /* where every test maps */
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state, enum mmk_arch arch)
{
	*state = mmk_test_boot(arch, 64 * MB, 1, 2, true);
	return *state;
}

/* Process @pid with @len bytes of private anonymous memory at A, every
 * page written (its first word: @pid). */
static void spawn_filled(int pid, unsigned long len)
{
	assert_int_equal(mmk_spawn(pid, false), 0);
	assert_int_equal(mmk_mmap(pid, A, len, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(pid, A, len, true), 0);
	assert_int_equal(mmk_write_u64(pid, A, (uint64_t)pid), 0);
}

static unsigned long oom_kills(struct mmk_machine *m)
{
	return proc_field(m, "/proc/vmstat", "oom_kill", ' ');
}

static void assert_gone(int pid)
{
	uint64_t v;

	assert_false(mmk_task_alive(pid));
	assert_int_equal(mmk_read_u64(pid, A, &v), -ESRCH);
	assert_int_equal(mmk_exit(pid), -ESRCH);
}

static void assert_value(int pid, unsigned long addr, uint64_t want)
{
	uint64_t v = 0;

	assert_int_equal(mmk_read_u64(pid, addr, &v), 0);
	assert_int_equal(v, want);
}

/* The text of /proc/@pid/@name. */
static char *pid_file(struct mmk_machine *m, int pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	return proc(m, path);
}

static void assert_pid_file(struct mmk_machine *m, int pid, const char *name,
			    const char *want)
{
	char *text = pid_file(m, pid, name);

	assert_string_equal(text, want);
	free(text);
}

static void assert_status_vmlck(struct mmk_machine *m, int pid,
				unsigned long kb)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	assert_int_equal(proc_field(m, path, "VmLck", ':'), kb);
}

/* Free pages once the per-CPU lists are drained. */
static unsigned long free_pages_drained(struct mmk_machine *m)
{
	mmk_set_current(m);
	drain_all_pages(NULL);
	return mmk_nr_free_pages(m);
}

/* The largest process dies, the one that faulted goes on; the report is
 * Linux's, line for line where the machine does not change it. */
static void test_largest_process_dies(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	spawn_filled(1, 32 * MB);
	spawn_filled(2, 4 * MB);
	assert_int_equal(mmk_spawn(3, false), 0);
	assert_int_equal(mmk_mmap(3, A, 40 * MB, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(oom_kills(m), 0);
	assert_int_equal(mmk_touch(3, A, 40 * MB, true), 0);
	assert_int_equal(oom_kills(m), 1);
	assert_gone(1);
	assert_value(2, A, 2);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 44 * 1024);
	assert_true(dmesg_has(
		m,
		"mmkit invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0\nMem-Info:\nactive_anon:"));
	assert_true(dmesg_has(
		m,
		"Tasks state (memory values in pages):\n"
		"[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name\n"
		"[      1]     0     1     8192     8192     8192        0         0    73728        0             0 mmkit\n"
		"[      2]     0     2     1024     1024     1024        0         0    16384        0             0 mmkit\n"
		"[      3]     0     3    10240     4023     4023        0         0    40960        0             0 mmkit\n"
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=mmkit,pid=1,uid=0\n"
		"Out of memory: Killed process 1 (mmkit) total-vm:32768kB, anon-rss:32768kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:72kB oom_score_adj:0\n"));
	assert_true(dmesg_has(
		m,
		"\n16286 pages RAM\n0 pages HighMem/MovableOnly\n2723 pages reserved\n"));
	assert_false(dmesg_has(m, "Huh VM_FAULT_OOM"));
	assert_check_ok(m);
}

/* Equal badness: the process created later dies (for_each_process order,
 * and a tie replaces the choice). */
static void test_tie_kills_the_later_process(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	spawn_filled(1, 20 * MB);
	spawn_filled(2, 20 * MB);
	spawn_filled(3, 20 * MB);
	assert_int_equal(oom_kills(m), 1);
	assert_value(1, A, 1);
	assert_gone(2);
	assert_value(3, A, 3);
	assert_true(dmesg_has(m, "Out of memory: Killed process 2 (mmkit)"));
	assert_check_ok(m);
}

/* oom_score_adj: -1000 exempts the largest process, 1000 puts a small one
 * first; fork inherits it; oom_score shows the scaled badness. */
static void test_oom_score_adj(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	spawn_filled(1, 24 * MB);
	assert_int_equal(mmk_set_oom_score_adj(1, -1000), 0);
	spawn_filled(2, 8 * MB);
	assert_int_equal(mmk_set_oom_score_adj(2, 1000), 0);
	assert_int_equal(mmk_fork(2, 4), 0);
	assert_pid_file(m, 4, "oom_score_adj", "1000\n");
	assert_int_equal(mmk_set_oom_score_adj(4, 0), 0);
	/* 4's own copies: killing 2 then frees 2's pages. */
	assert_int_equal(mmk_touch(4, A, 8 * MB, true), 0);
	assert_pid_file(m, 1, "oom_score_adj", "-1000\n");
	assert_pid_file(m, 1, "oom_score", "0\n");
	/* RAM 13563 pages; 2: (1000 + (2048 + 6 + 1000 * 13) * 1000 /
	 * 13563) * 2 / 3; 4: (1000 + (2048 + 6) * 1000 / 13563) * 2 / 3. */
	assert_pid_file(m, 2, "oom_score", "1406\n");
	assert_pid_file(m, 4, "oom_score", "767\n");
	assert_int_equal(mmk_set_oom_score_adj(2, 1001), -EINVAL);
	assert_int_equal(mmk_set_oom_score_adj(2, -1001), -EINVAL);
	assert_int_equal(mmk_set_oom_score_adj(9, 0), -ESRCH);
	spawn_filled(3, 16 * MB);
	assert_int_equal(oom_kills(m), 1);
	assert_value(1, A, 1);
	assert_gone(2);
	assert_value(3, A, 3);
	assert_value(4, A, 2);
	assert_true(dmesg_has(m, "UID:0 pgtables:24kB oom_score_adj:1000\n"));
	assert_check_ok(m);
}

/* The faulting process is the largest: its access ends with SIGKILL and
 * everything it had is free again. */
static void test_faulting_process_dies(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);
	unsigned long free0;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, MB, RW, PRIV_ANON, NULL, 0), (long)A);
	assert_int_equal(mmk_touch(1, A, MB, true), 0);
	assert_int_equal(mmk_munmap(1, A, MB), 0);
	assert_int_equal(mmk_exit(1), 0);
	free0 = free_pages_drained(m);
	assert_int_equal(mmk_spawn(1, false), 0);
	/* Within the overcommit heuristic's RAM + swap, beyond what is
	 * free. */
	assert_int_equal(mmk_mmap(1, A, 52 * MB, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, 52 * MB, true), MMK_SIGKILL);
	assert_gone(1);
	assert_int_equal(oom_kills(m), 1);
	assert_true(dmesg_has(m, "Out of memory: Killed process 1 (mmkit)"));
	assert_false(dmesg_has(m, "Huh VM_FAULT_OOM"));
	assert_int_equal(free_pages_drained(m), free0);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 0);
	assert_int_equal(meminfo_kb(m, "PageTables"), 0);
	assert_check_ok(m);
}

/* Take every free page requests of @gfp get without the OOM killer;
 * returns how many (their pages chained through lru on @list). */
static unsigned long exhaust(struct list_head *list, gfp_t gfp)
{
	unsigned long n = 0;
	struct page *page;

	while ((page = alloc_page(gfp | __GFP_NORETRY | __GFP_NOWARN))) {
		list_add(&page->lru, list);
		n++;
	}
	return n;
}

static void release(struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);

		list_del(&page->lru);
		__free_pages(page, 0);
	}
}

/* Which kernel requests may call the OOM killer (__alloc_pages_may_oom):
 * not those that cannot sleep, may fail, want lowmem, one node, a costly
 * order, or no filesystem calls; GFP_KERNEL of order <= 3 may. */
static void test_which_requests_kill(void **state)
{
	static const struct {
		gfp_t gfp;
		unsigned int order;
	} no_kill[] = {
		{ GFP_ATOMIC, 0 },
		{ GFP_NOWAIT, 0 },
		{ GFP_KERNEL | __GFP_NORETRY, 0 },
		{ GFP_KERNEL | __GFP_RETRY_MAYFAIL, 0 },
		{ GFP_KERNEL | __GFP_THISNODE, 0 },
		{ GFP_KERNEL | __GFP_DMA32, 0 },
		{ GFP_KERNEL | __GFP_DMA, 0 },
		{ GFP_NOFS, 0 },
		{ GFP_KERNEL, 4 },
	};
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);
	struct list_head held;
	struct page *page;
	size_t i;

	INIT_LIST_HEAD(&held);
	spawn_filled(1, 16 * MB);
	exhaust(&held, GFP_KERNEL | __GFP_NORETRY);
	exhaust(&held, GFP_ATOMIC);
	exhaust(&held, GFP_ATOMIC | __GFP_DMA);
	for (i = 0; i < ARRAY_SIZE(no_kill); i++) {
		page = alloc_pages(no_kill[i].gfp | __GFP_NOWARN,
				   no_kill[i].order);
		if (page)
			fail_msg("request %zu (gfp %#x order %u) got a page", i,
				 no_kill[i].gfp, no_kill[i].order);
	}
	assert_int_equal(oom_kills(m), 0);
	assert_true(mmk_task_alive(1));
	page = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(page);
	assert_int_equal(oom_kills(m), 1);
	assert_gone(1);
	assert_true(dmesg_has(
		m,
		"mmkit invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=3, oom_score_adj=0\n"));
	__free_pages(page, 3);
	release(&held);
	assert_check_ok(m);
}

/* Nothing to kill: Linux's warning, and the request fails (Linux would
 * panic); a fault then kills the faulting process. */
static void test_no_killable_process(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);
	struct list_head held;

	INIT_LIST_HEAD(&held);
	spawn_filled(1, 8 * MB);
	assert_int_equal(mmk_set_oom_score_adj(1, -1000), 0);
	exhaust(&held, GFP_KERNEL | __GFP_NORETRY);
	assert_null(alloc_page(GFP_KERNEL));
	assert_true(
		dmesg_has(m, "Out of memory and no killable processes...\n"));
	assert_true(dmesg_has(m, "page allocation failure: order:0"));
	assert_int_equal(oom_kills(m), 0);
	assert_int_equal(mmk_mmap(1, A + 8 * MB, MB, RW, PRIV_ANON, NULL, 0),
			 (long)(A + 8 * MB));
	assert_int_equal(mmk_touch(1, A + 8 * MB, MB, true), MMK_SIGKILL);
	assert_gone(1);
	release(&held);
	assert_check_ok(m);
}

/* vm.oom_kill_allocating_task: the process that faulted dies, though
 * another is larger. */
static void test_kill_allocating_task(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	assert_int_equal(mmk_set_oom_kill_allocating_task(true), 0);
	spawn_filled(1, 32 * MB);
	assert_int_equal(mmk_spawn(2, false), 0);
	assert_int_equal(mmk_mmap(2, A, 32 * MB, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(2, A, 32 * MB, true), MMK_SIGKILL);
	assert_gone(2);
	assert_value(1, A, 1);
	assert_true(dmesg_has(
		m,
		"Out of memory (oom_kill_allocating_task): Killed process 2 (mmkit)"));
	assert_int_equal(mmk_set_oom_kill_allocating_task(false), 1);
	assert_int_equal(mmk_set_oom_dump_tasks(false), 1);
	assert_check_ok(m);
}

/* vm.oom_dump_tasks=0 leaves the task list out of the report. */
static void test_dump_tasks_off(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	assert_int_equal(mmk_set_oom_dump_tasks(false), 1);
	spawn_filled(1, 32 * MB);
	spawn_filled(2, 32 * MB);
	assert_gone(1);
	assert_false(dmesg_has(m, "Tasks state"));
	assert_true(dmesg_has(m, "Out of memory: Killed process 1 (mmkit)"));
	assert_check_ok(m);
}

/* The victim's copy-on-write pages stay with the process it forked, and
 * the pages of a shared file stay in the page cache. */
static void test_victim_leaves_shared_memory(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);
	struct file *f = mmk_file_create("data", MB, false);

	assert_non_null(f);
	spawn_filled(1, 8 * MB);
	assert_int_equal(mmk_write_u64(1, A + 4 * MB, 0x1234), 0);
	assert_int_equal(mmk_mmap(1, A + 32 * MB, MB, RW,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 (long)(A + 32 * MB));
	assert_int_equal(mmk_write_u64(1, A + 32 * MB + 8, 0xfeed), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	/* 1 also has 16 MiB of its own. */
	assert_int_equal(mmk_mmap(1, A + 8 * MB, 16 * MB, RW, PRIV_ANON, NULL,
				  0),
			 (long)(A + 8 * MB));
	assert_int_equal(mmk_touch(1, A + 8 * MB, 16 * MB, true), 0);
	assert_int_equal(mmk_set_oom_score_adj(1, 1000), 0);
	assert_int_equal(mmk_set_oom_score_adj(2, -1000), 0);
	spawn_filled(3, 30 * MB);
	assert_gone(1);
	assert_value(2, A, 1);
	assert_value(2, A + 4 * MB, 0x1234);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_exit(3), 0);
	assert_int_equal(mmk_spawn(4, false), 0);
	assert_int_equal(mmk_mmap(4, A, MB, PROT_READ, MAP_SHARED | MAP_FIXED,
				  f, 0),
			 (long)A);
	assert_value(4, A + 8, 0xfeed);
	assert_int_equal(mmk_exit(4), 0);
	fput(f);
	assert_check_ok(m);
}

/* A victim with mlocked memory dies like any other; its locked pages are
 * freed. */
static void test_mlocked_victim(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	spawn_filled(1, 30 * MB);
	assert_int_equal(mmk_mlock(1, A, 30 * MB), 0);
	assert_status_vmlck(m, 1, 30 * 1024);
	spawn_filled(2, 24 * MB);
	assert_gone(1);
	assert_value(2, A, 2);
	assert_true(dmesg_has(m, "Out of memory: Killed process 1 (mmkit)"));
	assert_check_ok(m);
}

/* A system call of the victim itself (here MAP_POPULATE) leaves it dead,
 * and the syscall's own pages go with it. */
static void test_victim_dies_in_its_syscall(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64);

	spawn_filled(1, 8 * MB);
	assert_int_equal(mmk_spawn(2, false), 0);
	mmk_mmap(2, A, 52 * MB, RW, PRIV_ANON | MAP_POPULATE, NULL, 0);
	assert_gone(2);
	assert_value(1, A, 1);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 8 * 1024);
	assert_check_ok(m);
}

/* i386: user pages come from HighMem; the report has no "Node 0" (no
 * NUMA) and shows the three zones. */
static void test_i386_report(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_I386, 1ULL << 30, 1, 2, true);

	*state = m;
	spawn_filled(1, 600 * MB);
	spawn_filled(2, 200 * MB);
	assert_int_equal(mmk_spawn(3, false), 0);
	assert_int_equal(mmk_mmap(3, A, 300 * MB, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(3, A, 300 * MB, true), 0);
	assert_gone(1);
	assert_true(dmesg_has(m, "\nHighMem free:"));
	assert_true(dmesg_has(m, "\nDMA: "));
	assert_true(dmesg_has(m, "\nNormal: "));
	assert_false(dmesg_has(m, "Node 0 DMA"));
	assert_true(dmesg_has(
		m,
		"Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=4096kB\n"));
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_largest_process_dies,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_tie_kills_the_later_process,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_oom_score_adj,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_faulting_process_dies,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_which_requests_kill,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_no_killable_process,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_kill_allocating_task,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_dump_tasks_off,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_victim_leaves_shared_memory,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_mlocked_victim,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_victim_dies_in_its_syscall,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386_report, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
