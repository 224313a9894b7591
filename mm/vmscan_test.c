/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of page reclaim and swap (mm/vmscan.c, mm/swapfile.c), the
 * swap entries of mm/memory.c (fault, fork, zap, smaps) and the file
 * writeback of mm/filemap.c, seen through /proc/swaps, /proc/meminfo,
 * /proc/vmstat, /proc/zoneinfo, /proc/PID/status and smaps: the swap
 * area and its boot option, anonymous memory larger than RAM going to
 * swap and coming back intact, fork over swap entries and the swap
 * cache, MADV_PAGEOUT, mlock, MADV_FREE, page cache writeback, kswapd
 * and direct reclaim, and i386's 32-bit swap entries. Each test boots
 * a small machine (x86_64 64M unless said) and ends with the full
 * verifier.
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

#define KB 1024UL
#define MB (1UL << 20)
#define PG PAGE_SIZE
#define A 0x10000000UL /* where every test maps */
#define B 0x40000000UL /* a second mapping */
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state, enum mmk_arch arch, uint64_t swap)
{
	return mmk_test_boot_swap(state, arch, 2, swap);
}

/* The "@key:" line of /proc/@pid/status, in kB. */
static unsigned long status_kb(struct mmk_machine *m, int pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	return proc_field(m, path, key, ':');
}

/* /proc/swaps' one area: its Size and Used, in kB. */
static void swaps(struct mmk_machine *m, unsigned long *size,
		  unsigned long *used)
{
	char *text = proc(m, "/proc/swaps");
	char *line = strchr(text, '\n');
	int prio;

	assert_non_null(line);
	assert_int_equal(sscanf(line + 1, "/swapfile file %lu %lu %d", size,
				used, &prio),
			 3);
	assert_int_equal(prio, -2);
	free(text);
}

static unsigned long swap_used_kb(struct mmk_machine *m)
{
	unsigned long size, used;

	swaps(m, &size, &used);
	assert_int_equal(size, meminfo_kb(m, "SwapTotal"));
	assert_int_equal(used, meminfo_kb(m, "SwapTotal") -
				       meminfo_kb(m, "SwapFree"));
	return used;
}

static void map_anon(int pid, unsigned long addr, unsigned long len,
		     unsigned long flags)
{
	assert_int_equal(mmk_mmap(pid, addr, len, RW, PRIV_ANON | flags, NULL,
				  0),
			 (long)addr);
}

/* The value page @addr holds in the tests: its address, salted. */
static uint64_t val(unsigned long addr, uint64_t salt)
{
	return (uint64_t)addr ^ salt;
}

/* @pid stores val() into the first word of every page of [@addr, +@len). */
static void fill(int pid, unsigned long addr, unsigned long len, uint64_t salt)
{
	unsigned long a;

	for (a = addr; a < addr + len; a += PG)
		if (mmk_write_u64(pid, a, val(a, salt)))
			fail_msg("pid %d: write at %#lx failed", pid, a);
}

/* Every page of [@addr, +@len) of @pid holds what fill() stored. */
static void expect(int pid, unsigned long addr, unsigned long len,
		   uint64_t salt)
{
	unsigned long a;
	uint64_t v;

	for (a = addr; a < addr + len; a += PG) {
		v = 0;
		if (mmk_read_u64(pid, a, &v))
			fail_msg("pid %d: read at %#lx failed", pid, a);
		if (v != val(a, salt))
			fail_msg("pid %d: %#lx holds %#llx, not %#llx", pid, a,
				 (unsigned long long)v,
				 (unsigned long long)val(a, salt));
	}
}

/* 1. The swap area: /proc/swaps (the header page is not counted),
 * meminfo, and the boot option's limits. */
static void test_proc_swaps(void **state)
{
	static const char header[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	char *text = proc(m, "/proc/swaps");

	assert_string_equal(text,
			    "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			    "/swapfile                               "
			    "file\t\t65532\t\t0\t\t-2\n");
	free(text);
	assert_int_equal(meminfo_kb(m, "SwapTotal"), 65532);
	assert_int_equal(meminfo_kb(m, "SwapFree"), 65532);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
	*state = NULL;

	m = boot(state, MMK_ARCH_X86_64, 0);
	text = proc(m, "/proc/swaps");
	assert_string_equal(text, header);
	free(text);
	assert_int_equal(meminfo_kb(m, "SwapTotal"), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree"), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
	*state = NULL;

	/* The smallest area mkswap makes: 10 pages, 9 of them slots. */
	m = boot(state, MMK_ARCH_X86_64, 40 * KB);
	text = proc(m, "/proc/swaps");
	assert_non_null(strstr(text, "file\t\t36\t\t0\t\t-2\n"));
	free(text);
	assert_int_equal(meminfo_kb(m, "SwapTotal"), 36);
	assert_check_ok(m);
	mmk_shutdown(m);
	*state = NULL;

	/* From 10000000 kB on, a column loses its second tab (swap_show). */
	m = boot(state, MMK_ARCH_X86_64, (10000000ULL + 4) * KB);
	text = proc(m, "/proc/swaps");
	assert_string_equal(strchr(text, '\n') + 1,
			    "/swapfile                               "
			    "file\t\t10000000\t0\t\t-2\n");
	free(text);
	assert_check_ok(m);
}

/* One config: @arch 64M with @swap bytes of swap; mmk_config_validate's
 * answer, which mmk_boot must agree with (booting only what is small). */
static int validate_swap(enum mmk_arch arch, uint64_t swap, char *why,
			 size_t len)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = 64 * MB;
	cfg.swap_bytes = swap;
	return mmk_config_validate(&cfg, why, len);
}

static void assert_boot_refused(enum mmk_arch arch, uint64_t swap)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = 64 * MB;
	cfg.swap_bytes = swap;
	errno = 0;
	assert_null(mmk_boot(&cfg));
	assert_int_equal(errno, EINVAL);
}

static void test_swap_config(void **state)
{
	char why[128];

	(void)state;
	assert_int_equal(validate_swap(MMK_ARCH_X86_64, 36 * KB, why,
				       sizeof why),
			 -EINVAL);
	assert_string_equal(why, "swap must be 0 or 40K..64G on x86_64");
	assert_int_equal(validate_swap(MMK_ARCH_X86_64, 40 * KB - 1, why,
				       sizeof why),
			 -EINVAL);
	assert_int_equal(
		validate_swap(MMK_ARCH_X86_64, 40 * KB, why, sizeof why), 0);
	assert_string_equal(why, "");
	assert_int_equal(validate_swap(MMK_ARCH_X86_64, 0, why, sizeof why), 0);
	assert_int_equal(validate_swap(MMK_ARCH_X86_64, 64ULL << 30, why,
				       sizeof why),
			 0);
	assert_int_equal(validate_swap(MMK_ARCH_X86_64, (64ULL << 30) + PG, why,
				       sizeof why),
			 -EINVAL);
	assert_string_equal(why, "swap must be 0 or 40K..64G on x86_64");
	assert_int_equal(
		validate_swap(MMK_ARCH_I386, 4ULL << 30, why, sizeof why), 0);
	assert_int_equal(validate_swap(MMK_ARCH_I386, (4ULL << 30) + PG, why,
				       sizeof why),
			 -EINVAL);
	assert_string_equal(why, "swap must be 0 or 40K..4G on i386");
	assert_int_equal(validate_swap(MMK_ARCH_I386, 36 * KB, why, sizeof why),
			 -EINVAL);
	assert_boot_refused(MMK_ARCH_X86_64, 36 * KB);
	assert_boot_refused(MMK_ARCH_X86_64, (64ULL << 30) + PG);
	assert_boot_refused(MMK_ARCH_I386, (4ULL << 30) + PG);
	assert_boot_refused(MMK_ARCH_I386, 36 * KB);
}

/* 2. 80M of anonymous memory on a 64M machine with 128M of swap: every
 * page is resident or in swap, a slot per page out, and reading all back
 * finds every value (each fault of the reading pass is a swap-in). */
static void test_anon_round_trip(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 128 * MB);
	unsigned long out, in, faults, used;

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 80 * MB, 0);
	fill(1, A, 80 * MB, 0);
	out = vmstat(m, "pswpout");
	/* Observed: 13035 pages stay resident (RAM less the free pages
	 * kswapd keeps, page tables and the kernel's). */
	assert_int_equal(out, 7445);
	assert_int_equal(vmstat(m, "pswpin"), 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 0);
	/* One fault per page: none of them came back yet. */
	assert_int_equal(vmstat(m, "pgfault"), 80 * MB / PG);
	assert_int_equal(vmstat(m, "pgpgout"), out * 4);
	used = swap_used_kb(m);
	assert_int_equal(used, out * 4);
	assert_int_equal(status_kb(m, 1, "VmSwap"), used);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), used);
	assert_int_equal(smaps_kb(m, 1, A, "SwapPss"), used);
	assert_int_equal(status_kb(m, 1, "VmRSS") + used, 80 * MB / KB);
	assert_int_equal(smaps_kb(m, 1, A, "Rss") + used, 80 * MB / KB);
	assert_int_equal(meminfo_kb(m, "AnonPages") + used, 80 * MB / KB);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_check_ok(m);

	faults = vmstat(m, "pgfault");
	expect(1, A, 80 * MB, 0);
	out = vmstat(m, "pswpout");
	in = vmstat(m, "pswpin");
	/* Every page: the reading pass walks the pages in the order reclaim
	 * evicts them, so each one is gone by the time it is read (a cyclic
	 * scan larger than memory misses an LRU every time). */
	assert_int_equal(in, 80 * MB / PG);
	assert_int_equal(out, 32860); /* observed */
	assert_int_equal(vmstat(m, "pgmajfault"), in);
	assert_int_equal(vmstat(m, "pgfault") - faults, in);
	assert_int_equal(vmstat(m, "pgpgin"), in * 4);
	used = swap_used_kb(m);
	assert_int_equal(used, (out - in) * 4);
	assert_int_equal(status_kb(m, 1, "VmSwap"), used);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), used);
	assert_int_equal(status_kb(m, 1, "VmRSS") + used, 80 * MB / KB);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_check_ok(m);

	assert_int_equal(mmk_munmap(1, A, 80 * MB), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree"), meminfo_kb(m, "SwapTotal"));
	assert_int_equal(status_kb(m, 1, "VmSwap"), 0);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 0);
	assert_check_ok(m);
}

/* 3. Without swap, 80M is more than the overcommit heuristic allows
 * (RAM + swap), and with MAP_NORESERVE its touch is killed by the OOM
 * killer; with swap, the same process runs to the end. */
static void test_oom_without_swap(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 80 * MB, RW, PRIV_ANON, NULL, 0),
			 -ENOMEM);
	map_anon(1, A, 80 * MB, MAP_NORESERVE);
	assert_int_equal(mmk_touch(1, A, 80 * MB, true), MMK_SIGKILL);
	assert_false(mmk_task_alive(1));
	assert_int_equal(vmstat(m, "oom_kill"), 1);
	assert_int_equal(vmstat(m, "pswpout"), 0);
	assert_true(dmesg_has(m, "Out of memory: Killed process 1 (mmkit)"));
	assert_check_ok(m);
	mmk_shutdown(m);
	*state = NULL;

	m = boot(state, MMK_ARCH_X86_64, 128 * MB);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 80 * MB, 0);
	assert_int_equal(mmk_touch(1, A, 80 * MB, true), 0);
	assert_true(mmk_task_alive(1));
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_true(vmstat(m, "pswpout") > 0);
	assert_false(dmesg_has(m, "Out of memory"));
	assert_check_ok(m);
}

/* @pid's 64 pages at A, written (salt 0) and paged out. */
static void paged_out(struct mmk_machine *m, int pid)
{
	unsigned long out = vmstat(m, "pswpout");

	assert_int_equal(mmk_spawn(pid, false), 0);
	map_anon(pid, A, 64 * PG, 0);
	fill(pid, A, 64 * PG, 0);
	assert_int_equal(mmk_madvise(pid, A, 64 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout") - out, 64);
	assert_int_equal(smaps_kb(m, pid, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, pid, A, "Swap"), 256);
}

/* 4. fork over swap entries: the child's entries name the parent's slots
 * (SwapPss halves); the child's faults read each slot once into the swap
 * cache (SwapCached), the parent's then find it there (no second read);
 * copy-on-write separates their values either way round. */
static void test_fork_swapped(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	uint64_t v;

	paged_out(m, 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(swap_used_kb(m), 256);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 256);
	assert_int_equal(status_kb(m, 2, "VmSwap"), 256);
	assert_int_equal(smaps_kb(m, 1, A, "SwapPss"), 128);
	assert_int_equal(smaps_kb(m, 2, A, "SwapPss"), 128);
	assert_check_ok(m);

	/* The child reads everything: 64 reads into the swap cache, mapped
	 * read-only; the slots stay, named by the parent's entries. */
	expect(2, A, 64 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_int_equal(vmstat(m, "pgmajfault"), 64);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_int_equal(vmstat(m, "nr_swapcached"), 64);
	/* Swap-cache pages count in NR_FILE_PAGES, but Cached leaves them
	 * out. */
	assert_int_equal(vmstat(m, "nr_file_pages"), 64);
	assert_int_equal(meminfo_kb(m, "Cached"), 0);
	assert_int_equal(swap_used_kb(m), 256);
	assert_int_equal(status_kb(m, 2, "VmSwap"), 0);
	assert_int_equal(status_kb(m, 2, "VmRSS"), 256);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 256);
	assert_int_equal(smaps_kb(m, 1, A, "SwapPss"), 256);
	assert_check_ok(m);

	/* The child writes page 0: its own copy. */
	assert_int_equal(mmk_write_u64(2, A, 0xc0ffee), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_check_ok(m);

	/* The parent reads everything from the swap cache: old values, no
	 * read; the slots' last entries go, and the cache with them (Linux
	 * would keep read-faulted pages cached, their slots allocated, until
	 * reclaim or a full swap frees them: mmkit frees the slot at once). */
	expect(1, A, 64 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 0);
	/* Pages 1..63 are shared by both; page 0 is each one's own. */
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 256);
	assert_int_equal(smaps_kb(m, 1, A, "Pss"), 4 + 63 * 2);
	assert_int_equal(smaps_kb(m, 2, A, "Pss"), 4 + 63 * 2);
	assert_check_ok(m);

	/* The parent writes page 1 (shared): copy-on-write. */
	assert_int_equal(mmk_write_u64(1, A + PG, 0xbeef), 0);
	assert_int_equal(mmk_read_u64(2, A + PG, &v), 0);
	assert_int_equal(v, val(A + PG, 0));
	assert_int_equal(mmk_read_u64(2, A, &v), 0);
	assert_int_equal(v, 0xc0ffee);
	assert_int_equal(mmk_read_u64(1, A, &v), 0);
	assert_int_equal(v, val(A, 0));
	assert_int_equal(mmk_read_u64(1, A + PG, &v), 0);
	assert_int_equal(v, 0xbeef);
	assert_check_ok(m);

	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree"), meminfo_kb(m, "SwapTotal"));
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 0);
	assert_check_ok(m);
}

/* 4b. The parent exits while the child maps swap-cache pages: the
 * slots' last entries go, the pages leave the cache and are the child's
 * alone, written in place (no copy). */
static void test_fork_swapped_parent_exits(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	unsigned long faults;

	paged_out(m, 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	expect(2, A, 64 * PG, 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 256);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
	/* Mapped read-only still: one write-protect fault per page, each
	 * reusing its page. */
	faults = vmstat(m, "pgfault");
	fill(2, A, 64 * PG, 1);
	assert_int_equal(vmstat(m, "pgfault") - faults, 64);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 256);
	expect(2, A, 64 * PG, 1);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 0);
	assert_check_ok(m);
}

/* 4c. Reclaim drops a swap-cache page without writing it (its slot has
 * its data): the child's entries come back, and its next reads read the
 * slots again. */
static void test_swap_cache_reclaimed_without_write(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);

	paged_out(m, 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	expect(2, A, 64 * PG, 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_int_equal(mmk_madvise(2, A, 64 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 64);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(status_kb(m, 2, "VmSwap"), 256);
	assert_int_equal(smaps_kb(m, 2, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 2, A, "SwapPss"), 128);
	assert_int_equal(swap_used_kb(m), 256);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 0);
	assert_check_ok(m);
	expect(2, A, 64 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 128);
	expect(1, A, 64 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 128);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_check_ok(m);
}

/* 5. MADV_PAGEOUT writes a process's anonymous pages to swap and the
 * faults read them back; without swap the pages stay. */
static void test_pageout(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 16 * PG, 0);
	fill(1, A, 16 * PG, 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 64);
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 16);
	assert_int_equal(vmstat(m, "pgpgout"), 64);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 64);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 64);
	assert_int_equal(swap_used_kb(m), 64);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 0);
	assert_check_ok(m);
	/* Already out: nothing more to write. */
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 16);
	expect(1, A, 16 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 16);
	assert_int_equal(vmstat(m, "pgmajfault"), 16);
	assert_int_equal(vmstat(m, "pgpgin"), 64);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 64);
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
	/* Swapped in, the pages are dirty (their slots are gone): paging
	 * out again writes them again. */
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 32);
	expect(1, A, 16 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 32);
	assert_check_ok(m);
	mmk_shutdown(m);
	*state = NULL;

	m = boot(state, MMK_ARCH_X86_64, 0);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 16 * PG, 0);
	fill(1, A, 16 * PG, 0);
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 64);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 0);
	assert_int_equal(vmstat(m, "pswpout"), 0);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 64);
	expect(1, A, 16 * PG, 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 0);
	assert_check_ok(m);
}

/* 6. Reclaim never takes mlocked pages: under pressure that swaps out
 * another process, the locked region stays resident. */
static void test_mlocked_stay(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 128 * MB);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 8 * MB, 0);
	fill(1, A, 8 * MB, 0);
	assert_int_equal(mmk_mlock(1, A, 8 * MB), 0);
	/* And unlocked pages of the same process, which do go. */
	map_anon(1, B, 8 * MB, 0);
	fill(1, B, 8 * MB, 2);
	assert_int_equal(mmk_spawn(2, false), 0);
	map_anon(2, A, 64 * MB, 0);
	fill(2, A, 64 * MB, 0);
	assert_true(vmstat(m, "pswpout") > 0);
	assert_true(status_kb(m, 2, "VmSwap") > 0);
	assert_true(smaps_kb(m, 1, B, "Swap") > 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 8 * MB / KB);
	assert_int_equal(smaps_kb(m, 1, A, "Locked"), 8 * MB / KB);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 8 * MB / KB);
	assert_int_equal(meminfo_kb(m, "Unevictable"), 8 * MB / KB);
	assert_int_equal(status_kb(m, 1, "VmSwap"), smaps_kb(m, 1, B, "Swap"));
	assert_check_ok(m);
	/* The locked pages were never out: reading them faults nothing. */
	{
		unsigned long faults = vmstat(m, "pgfault");

		expect(1, A, 8 * MB, 0);
		assert_int_equal(vmstat(m, "pgfault"), faults);
	}
	expect(1, B, 8 * MB, 2);
	expect(2, A, 64 * MB, 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 0);
	assert_check_ok(m);
}

/* @pid's pages of [@addr, +@len) after MADV_FREE and reclaim: each holds
 * its fill() value (salt 0) or reads as zero, except @kept, which holds
 * @kept_val. Returns how many read as zero. */
static unsigned long lazyfree_survivors(int pid, unsigned long addr,
					unsigned long len, unsigned long kept,
					uint64_t kept_val)
{
	unsigned long a, zeroes = 0;
	uint64_t v;

	for (a = addr; a < addr + len; a += PG) {
		v = 1;
		assert_int_equal(mmk_read_u64(pid, a, &v), 0);
		if (a == kept) {
			if (v != kept_val)
				fail_msg("%#lx, written after MADV_FREE, holds "
					 "%#llx",
					 a, (unsigned long long)v);
		} else if (!v) {
			zeroes++;
		} else if (v != val(a, 0)) {
			fail_msg("%#lx holds %#llx", a, (unsigned long long)v);
		}
	}
	return zeroes;
}

/* 7. MADV_FREE: reclaim discards the clean lazy-free pages (they read as
 * zeroes afterwards), keeps the one written since. No swap needed. */
static void test_lazyfree_discarded(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	unsigned long kept = A + 5 * PG;

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 16 * MB, 0);
	fill(1, A, 16 * MB, 0);
	assert_int_equal(mmk_madvise(1, A, 16 * MB, MADV_FREE), 0);
	assert_int_equal(vmstat(m, "pglazyfree"), 16 * MB / PG);
	assert_int_equal(mmk_write_u64(1, kept, 0x5a5a), 0);
	assert_int_equal(smaps_kb(m, 1, A, "LazyFree"), 16 * MB / KB - 4);
	assert_int_equal(vmstat(m, "pglazyfreed"), 0);
	assert_check_ok(m);

	assert_int_equal(mmk_spawn(2, false), 0);
	map_anon(2, A, 48 * MB, 0);
	fill(2, A, 48 * MB, 2);
	assert_true(mmk_task_alive(1));
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_int_equal(vmstat(m, "pglazyfreed"), 3299); /* observed */
	/* Nothing else could go: no swap, no page cache. */
	assert_int_equal(vmstat(m, "pgsteal_file"), 3299);
	assert_int_equal(vmstat(m, "pgsteal_anon"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"),
			 16 * MB / KB - 4 * vmstat(m, "pglazyfreed"));
	assert_check_ok(m);
	assert_int_equal(lazyfree_survivors(1, A, 16 * MB, kept, 0x5a5a),
			 vmstat(m, "pglazyfreed"));
	expect(2, A, 48 * MB, 2);
	assert_check_ok(m);
}

/* 7b. MADV_PAGEOUT over lazy-free pages: the clean ones are discarded,
 * the one written since goes to swap (it is swap-backed again). */
static void test_lazyfree_pageout(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	unsigned long kept = A + 7 * PG;

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 32 * PG, 0);
	fill(1, A, 32 * PG, 0);
	assert_int_equal(mmk_madvise(1, A, 32 * PG, MADV_FREE), 0);
	assert_int_equal(mmk_write_u64(1, kept, 0x77), 0);
	assert_int_equal(mmk_madvise(1, A, 32 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pglazyfreed"), 31);
	/* The written page: back to swap-backed and activated, not out. */
	assert_int_equal(vmstat(m, "pswpout"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4);
	assert_int_equal(smaps_kb(m, 1, A, "LazyFree"), 0);
	assert_check_ok(m);
	assert_int_equal(mmk_madvise(1, A, 32 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 4);
	assert_check_ok(m);
	assert_int_equal(lazyfree_survivors(1, A, 32 * PG, kept, 0x77), 31);
	assert_int_equal(vmstat(m, "pswpin"), 1);
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
}

/* 8. Page cache reclaim: a file's dirty pages, unmapped, are written to
 * the file's blocks when reclaim evicts them, and read back from there. */
static void test_file_writeback(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f = mmk_file_create("data", 48 * MB, false);
	unsigned long written, cached;

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 48 * MB, RW, MAP_SHARED | MAP_FIXED, f,
				  0),
			 (long)A);
	fill(1, A, 48 * MB, 3);
	assert_int_equal(meminfo_kb(m, "Cached"), 48 * MB / KB);
	/* One major fault: it reads the first window, and each window's
	 * mark reads the next ahead of the writes (Linux 6.18: 8 write
	 * faults in order on a new sparse file, 1 major fault and 32 pages
	 * cached; 8 with MADV_RANDOM, which turns readahead off). */
	assert_int_equal(vmstat(m, "pgmajfault"), 1);
	/* Dirty from the write faults on (folio_mark_dirty). */
	assert_int_equal(meminfo_kb(m, "Dirty"), 48 * MB / KB);
	assert_int_equal(vmstat(m, "nr_dirtied"), 48 * MB / PG);
	assert_int_equal(mmk_munmap(1, A, 48 * MB), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 48 * MB / KB);
	assert_int_equal(vmstat(m, "pgsteal_file"), 0);
	assert_check_ok(m);

	assert_int_equal(mmk_spawn(2, false), 0);
	map_anon(2, A, 40 * MB, 0);
	fill(2, A, 40 * MB, 4);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	written = vmstat(m, "nr_written");
	assert_int_equal(written, 9467); /* observed */
	assert_int_equal(vmstat(m, "nr_vmscan_write"), written);
	/* Every page reclaim evicted was dirty: written, then freed. */
	assert_int_equal(vmstat(m, "pgsteal_file"), written);
	assert_int_equal(vmstat(m, "pgpgout"), written * 4);
	assert_int_equal(vmstat(m, "pswpout"), 0);
	cached = meminfo_kb(m, "Cached");
	assert_int_equal(cached, 48 * MB / KB - written * 4);
	assert_int_equal(meminfo_kb(m, "Dirty"), cached);
	assert_check_ok(m);

	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_mmap(1, A, 48 * MB, PROT_READ,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 (long)A);
	expect(1, A, 48 * MB, 3);
	/* The evicted pages (the file's first ones, the oldest) came back
	 * from the blocks, read ahead of the reads: one major fault; the
	 * others were still cached. */
	assert_int_equal(vmstat(m, "pgpgin"), written * 4);
	assert_int_equal(vmstat(m, "pgmajfault"), 1 + 1);
	assert_int_equal(meminfo_kb(m, "Cached"), 48 * MB / KB);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_int_equal(meminfo_kb(m, "Cached"), 0);
	assert_check_ok(m);
}

/* The sum of a /proc/zoneinfo watermark (@name: "min", "low", "high")
 * over the zones with managed pages. */
static unsigned long zone_wmark_sum(struct mmk_machine *m, const char *name)
{
	char *text = proc(m, "/proc/zoneinfo");
	char *zone = strstr(text, "Node 0, zone");
	unsigned long sum = 0;
	char key[32];

	snprintf(key, sizeof key, "\n        %s ", name);
	while (zone) {
		char *next = strstr(zone + 1, "Node 0, zone");
		char *w = strstr(zone, key);
		char *managed = strstr(zone, "\n        managed ");

		assert_non_null(w);
		assert_non_null(managed);
		if (next)
			assert_true(w < next && managed < next);
		if (strtoul(managed + 17, NULL, 10))
			sum += strtoul(w + strlen(key), NULL, 10);
		zone = next;
	}
	free(text);
	return sum;
}

/* 8b. The same with the file still mapped: reclaim unmaps its pages
 * from the process (their dirty bits passed on), writes and evicts
 * them; the process's next accesses fault them back from the blocks. */
static void test_mapped_file_reclaimed(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f = mmk_file_create("data", 48 * MB, false);
	unsigned long written;

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 48 * MB, RW, MAP_SHARED | MAP_FIXED, f,
				  0),
			 (long)A);
	fill(1, A, 48 * MB, 15);
	assert_int_equal(mmk_spawn(2, false), 0);
	map_anon(2, A, 40 * MB, 0);
	fill(2, A, 40 * MB, 16);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	written = vmstat(m, "nr_written");
	assert_true(written > 0);
	assert_int_equal(vmstat(m, "pgsteal_file"), written);
	assert_true(smaps_kb(m, 1, A, "Rss") <= 48 * MB / KB - written * 4);
	assert_int_equal(meminfo_kb(m, "Cached"), 48 * MB / KB - written * 4);
	assert_check_ok(m);
	expect(1, A, 48 * MB, 15);
	expect(2, A, 40 * MB, 16);
	/* Reading the file through with 40M taken evicts every page at
	 * least once: each was written exactly once (those read back are
	 * clean), and every eviction after the first was a clean one. */
	assert_int_equal(vmstat(m, "nr_written"), 48 * MB / PG);
	assert_int_equal(vmstat(m, "pgpgout"), 48 * MB / KB);
	assert_int_equal(vmstat(m, "pgpgin") / 4 + 48 * MB / PG,
			 vmstat(m, "pgsteal_file") +
				 meminfo_kb(m, "Cached") / 4);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	fput(f);
	assert_check_ok(m);
}

/* 9. kswapd: the first system call whose allocations fall below the low
 * watermark ends with kswapd runs (pageoutrun, pgscan_kswapd), before
 * any direct reclaim, until the high watermarks are free; so does every
 * call after which kswapd freed pages. */
static void test_kswapd(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	unsigned long a = A, steal = 0, runs = 0, successes = 0;

	/* DMA 81 + DMA32 207; DMA 97 + DMA32 248 (the empty Movable zone's
	 * 32 do not count). */
	assert_int_equal(zone_wmark_sum(m, "low"), 288);
	assert_int_equal(zone_wmark_sum(m, "high"), 345);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 64 * MB, 0);
	/* 16 pages a call, until a call wakes kswapd. */
	while (!vmstat(m, "pageoutrun")) {
		assert_true(a < A + 56 * MB);
		assert_true(vmstat(m, "nr_free_pages") >=
			    zone_wmark_sum(m, "low"));
		assert_int_equal(mmk_touch(1, a, 16 * PG, true), 0);
		a += 16 * PG;
	}
	/* kswapd ran until the node was balanced: the high watermarks are
	 * free when the waking call returns. */
	assert_true(vmstat(m, "pageoutrun") >= 1);
	assert_true(vmstat(m, "pgsteal_kswapd") > 0);
	assert_true(vmstat(m, "nr_free_pages") >= zone_wmark_sum(m, "high"));
	assert_true(vmstat(m, "pgscan_kswapd") > 0);
	assert_int_equal(vmstat(m, "pgscan_kswapd"), vmstat(m, "pgscan_anon"));
	assert_int_equal(vmstat(m, "allocstall_movable"), 0);
	assert_int_equal(vmstat(m, "allocstall_dma32"), 0);
	assert_int_equal(vmstat(m, "pgscan_direct"), 0);
	assert_check_ok(m);
	/* More calls: each one whose kswapd run freed pages leaves the
	 * watermarks met. */
	while (a < A + 60 * MB) {
		assert_int_equal(mmk_touch(1, a, 16 * PG, true), 0);
		a += 16 * PG;
		if (vmstat(m, "pageoutrun") != runs &&
		    vmstat(m, "pgsteal_kswapd") != steal) {
			successes++;
			assert_true(vmstat(m, "nr_free_pages") >=
				    zone_wmark_sum(m, "high"));
		}
		runs = vmstat(m, "pageoutrun");
		steal = vmstat(m, "pgsteal_kswapd");
	}
	assert_true(successes > 0);
	assert_int_equal(vmstat(m, "pswpout"), vmstat(m, "pgsteal_anon"));
	assert_int_equal(status_kb(m, 1, "VmRSS") + status_kb(m, 1, "VmSwap"),
			 60 * MB / KB);
	assert_check_ok(m);
}

/* 9b. Direct reclaim: MAP_POPULATE of more than is free reclaims in the
 * allocating call itself. */
static void test_direct_reclaim(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 60 * MB, MAP_POPULATE);
	assert_true(vmstat(m, "allocstall_movable") > 0);
	assert_true(vmstat(m, "pgscan_direct") > 0);
	assert_true(vmstat(m, "pgsteal_direct") > 0);
	assert_int_equal(vmstat(m, "pgsteal_direct") +
				 vmstat(m, "pgsteal_kswapd"),
			 vmstat(m, "pswpout"));
	assert_int_equal(vmstat(m, "pgsteal_anon"), vmstat(m, "pswpout"));
	assert_int_equal(vmstat(m, "pgscan_direct") +
				 vmstat(m, "pgscan_kswapd"),
			 vmstat(m, "pgscan_anon"));
	assert_int_equal(status_kb(m, 1, "VmRSS") + status_kb(m, 1, "VmSwap"),
			 60 * MB / KB);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_true(vmstat(m, "nr_free_pages") >= zone_wmark_sum(m, "high"));
	assert_check_ok(m);
}

/* 9c. A kernel allocation (GFP_KERNEL, no process) reclaims too: the
 * pages of a process go to swap so that the kernel gets its memory. */
static void test_kernel_allocation_reclaims(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	struct list_head held;
	unsigned long n;
	struct page *page;

	INIT_LIST_HEAD(&held);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 40 * MB, 0);
	fill(1, A, 40 * MB, 17);
	assert_int_equal(vmstat(m, "pswpout"), 0);
	for (n = 0; n < 32 * MB / PG; n++) {
		page = alloc_page(GFP_KERNEL);
		assert_non_null(page);
		list_add(&page->lru, &held);
	}
	assert_true(vmstat(m, "allocstall_normal") > 0);
	assert_int_equal(vmstat(m, "allocstall_movable"), 0);
	assert_true(vmstat(m, "pgsteal_direct") > 0);
	assert_true(vmstat(m, "pswpout") > 0);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_int_equal(status_kb(m, 1, "VmRSS") + status_kb(m, 1, "VmSwap"),
			 40 * MB / KB);
	while (!list_empty(&held)) {
		page = list_first_entry(&held, struct page, lru);
		list_del(&page->lru);
		__free_pages(page, 0);
	}
	assert_check_ok(m);
	expect(1, A, 40 * MB, 17);
	assert_check_ok(m);
}

/* GFP_NOIO: reclaim may not write to swap, so anonymous pages stay and
 * the request fails rather than swapping (here with __GFP_NORETRY). */
static void test_noio_does_not_swap(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	struct list_head held;
	struct page *page;

	INIT_LIST_HEAD(&held);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 40 * MB, 0);
	fill(1, A, 40 * MB, 18);
	while ((page = alloc_page(GFP_NOIO | __GFP_NORETRY | __GFP_NOWARN)))
		list_add(&page->lru, &held);
	assert_true(vmstat(m, "allocstall_normal") > 0);
	assert_int_equal(vmstat(m, "pswpout"), 0);
	assert_int_equal(vmstat(m, "pgsteal_direct"), 0);
	assert_int_equal(status_kb(m, 1, "VmRSS"), 40 * MB / KB);
	while (!list_empty(&held)) {
		page = list_first_entry(&held, struct page, lru);
		list_del(&page->lru);
		__free_pages(page, 0);
	}
	assert_check_ok(m);
}

/* 10. i386 (swap entries in 32-bit PTEs): test 2's round trip, 80M on a
 * 64M machine with 32M of swap. */
static void test_i386_round_trip(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_I386, 32 * MB);
	unsigned long out, in, used;

	assert_int_equal(meminfo_kb(m, "SwapTotal"), 32 * MB / KB - 4);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 80 * MB, 0);
	fill(1, A, 80 * MB, 5);
	out = vmstat(m, "pswpout");
	assert_int_equal(out, 7161); /* observed */
	used = swap_used_kb(m);
	assert_int_equal(used, out * 4);
	assert_int_equal(status_kb(m, 1, "VmSwap"), used);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), used);
	assert_int_equal(status_kb(m, 1, "VmRSS") + used, 80 * MB / KB);
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_check_ok(m);
	expect(1, A, 80 * MB, 5);
	in = vmstat(m, "pswpin");
	/* Observed. As in x86_64's pass every page misses with this
	 * machine's free memory; the outcome depends on the exact free page
	 * count: with the slab arrays' slots in simulated RAM (before they
	 * moved to the percpu area), refaults activated some pages (their
	 * refault distance fell inside the workingset), which then stayed
	 * resident until read (14,889 swap-ins, 22,037 swap-outs). */
	assert_int_equal(in, 80 * MB / PG);
	assert_int_equal(vmstat(m, "pswpout"), 28009);
	assert_int_equal(vmstat(m, "pgmajfault"), in);
	used = swap_used_kb(m);
	assert_int_equal(used, (vmstat(m, "pswpout") - in) * 4);
	assert_int_equal(status_kb(m, 1, "VmSwap"), used);
	assert_int_equal(status_kb(m, 1, "VmRSS") + used, 80 * MB / KB);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
}

/* A full swap area: anonymous memory cannot go anywhere, the OOM killer
 * runs; its report shows the swap entries and the empty swap. */
static void test_swap_full(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 40 * KB);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 80 * MB, MAP_NORESERVE);
	assert_int_equal(mmk_touch(1, A, 80 * MB, true), MMK_SIGKILL);
	assert_false(mmk_task_alive(1));
	assert_int_equal(vmstat(m, "oom_kill"), 1);
	assert_int_equal(vmstat(m, "pswpout"), 9);
	assert_true(dmesg_has(m, "\nFree swap  = 0kB\nTotal swap = 36kB\n"));
	assert_true(dmesg_has(m, "      9             0 mmkit\n"));
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
}

/* Swap entries in the other paths of mm/memory.c: mprotect leaves them,
 * mremap moves them, MADV_DONTNEED and a partial munmap free them, mlock
 * reads them back (locked), fork of an entry-only range copies them. */
static void test_swap_entries_elsewhere(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	uint64_t v;

	paged_out(m, 1);
	assert_int_equal(mmk_mprotect(1, A, 64 * PG, PROT_READ), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 256);
	assert_check_ok(m);
	assert_int_equal(mmk_write_u64(1, A, 1), MMK_SIGSEGV);
	expect(1, A, 4 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 4);
	assert_int_equal(mmk_mprotect(1, A, 64 * PG, RW), 0);
	/* Pages 0..3 resident, 4..63 in swap. */
	assert_int_equal(mmk_mremap(1, A, 64 * PG, 64 * PG,
				    MREMAP_MAYMOVE | MREMAP_FIXED, B),
			 (long)B);
	assert_int_equal(smaps_kb(m, 1, B, "Swap"), 240);
	assert_int_equal(smaps_kb(m, 1, B, "Rss"), 16);
	assert_check_ok(m);
	assert_int_equal(mmk_read_u64(1, B + 10 * PG, &v), 0);
	assert_int_equal(v, val(A + 10 * PG, 0));
	/* 8..15 go. */
	assert_int_equal(mmk_madvise(1, B + 8 * PG, 8 * PG, MADV_DONTNEED), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 240 - 4 - 28);
	assert_int_equal(swap_used_kb(m), 240 - 4 - 28);
	assert_int_equal(mmk_read_u64(1, B + 9 * PG, &v), 0);
	assert_int_equal(v, 0);
	/* 48..63 go. */
	assert_int_equal(mmk_munmap(1, B + 48 * PG, 16 * PG), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 208 - 64);
	assert_int_equal(swap_used_kb(m), 144);
	assert_check_ok(m);
	/* mlock faults 16..47 back in. */
	assert_int_equal(mmk_mlock(1, B, 48 * PG), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(vmstat(m, "pswpin"), 5 + 4 + 32);
	assert_int_equal(smaps_kb(m, 1, B, "Locked"), 48 * 4);
	/* 8..15 as new zero pages, mlocked, and 0..3 by mlock's walk; the
	 * 36 read from swap are not (do_swap_page maps them with
	 * folio_add_new_anon_rmap, which does not mlock). */
	assert_int_equal(meminfo_kb(m, "Mlocked"), 12 * 4);
	assert_int_equal(meminfo_kb(m, "Unevictable"), 12 * 4);
	for (v = 0; v < 8; v++) {
		uint64_t z = 1;

		assert_int_equal(mmk_read_u64(1, B + (8 + v) * PG, &z), 0);
		assert_int_equal(z, 0);
	}
	expect(1, B + 16 * PG, 32 * PG, val(A, 0) ^ val(B, 0));
	assert_check_ok(m);
}

/* Shared anonymous memory (shmem) goes to swap too (shmem_writeout):
 * MADV_PAGEOUT puts written pages in slots the object holds (smaps
 * Swap, not VmSwap: no page table names them), a fault reads them back
 * (pgmajfault), MADV_REMOVE and the object's end free them, and under
 * pressure shmem and private pages both go. */
static void test_shmem_swapped(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 128 * MB);

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4 * MB, RW,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL,
				  0),
			 (long)A);
	fill(1, A, 4 * MB, 6);
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 1024);
	assert_int_equal(vmstat(m, "nr_vmscan_write"), 1024);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 4 * MB / KB);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 0);
	assert_int_equal(meminfo_kb(m, "SwapTotal") - meminfo_kb(m, "SwapFree"),
			 4 * MB / KB);
	assert_check_ok(m);
	expect(1, A, 4 * MB, 6);
	assert_int_equal(vmstat(m, "pgmajfault"), 1024);
	assert_int_equal(vmstat(m, "pswpin"), 1024);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4 * MB / KB);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 4 * MB / KB);
	assert_int_equal(meminfo_kb(m, "SwapFree"), meminfo_kb(m, "SwapTotal"));
	/* Out again; MADV_REMOVE of half frees those slots. */
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_PAGEOUT), 0);
	assert_int_equal(mmk_madvise(1, A, 2 * MB, MADV_REMOVE), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 2 * MB / KB);
	assert_int_equal(meminfo_kb(m, "SwapTotal") - meminfo_kb(m, "SwapFree"),
			 2 * MB / KB);
	expect(1, A + 2 * MB, 2 * MB, 6);
	assert_check_ok(m);
	/* Under pressure. */
	map_anon(1, B, 72 * MB, 0);
	fill(1, B, 72 * MB, 7);
	assert_true(vmstat(m, "pswpout") > 2048);
	expect(1, A + 2 * MB, 2 * MB, 6);
	expect(1, B, 72 * MB, 7);
	assert_check_ok(m);
	/* The object goes with its last mapping, and its slots with it. */
	assert_int_equal(mmk_munmap(1, A, 4 * MB), 0);
	assert_int_equal(meminfo_kb(m, "SwapTotal") - meminfo_kb(m, "SwapFree"),
			 status_kb(m, 1, "VmSwap"));
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree"), meminfo_kb(m, "SwapTotal"));
	assert_check_ok(m);
}

/* Reclaim of pages two processes share after fork: both entries become
 * swap entries naming one slot (written once), each process reads its
 * own copy back. */
static void test_shared_anon_reclaimed(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 128 * MB);
	unsigned long swap1, in;

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 8 * MB, 0);
	fill(1, A, 8 * MB, 8);
	assert_int_equal(mmk_fork(1, 2), 0);
	/* MADV_PAGEOUT leaves pages others map too. */
	assert_int_equal(mmk_madvise(1, A, 8 * MB, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 0);
	assert_int_equal(mmk_spawn(3, false), 0);
	map_anon(3, A, 72 * MB, 0);
	fill(3, A, 72 * MB, 9);
	swap1 = status_kb(m, 1, "VmSwap");
	assert_true(swap1 > 0);
	assert_int_equal(status_kb(m, 2, "VmSwap"), swap1);
	assert_int_equal(smaps_kb(m, 1, A, "SwapPss"), swap1 / 2);
	assert_int_equal(smaps_kb(m, 2, A, "SwapPss"), swap1 / 2);
	assert_int_equal(status_kb(m, 1, "VmRSS") + swap1, 8 * MB / KB);
	assert_int_equal(swap_used_kb(m), swap1 + status_kb(m, 3, "VmSwap"));
	/* One write per slot. */
	assert_int_equal(vmstat(m, "pswpout") * 4, swap_used_kb(m));
	assert_check_ok(m);
	assert_int_equal(mmk_exit(3), 0);
	in = vmstat(m, "pswpin");
	expect(2, A, 8 * MB, 8);
	expect(1, A, 8 * MB, 8);
	/* Each slot read once (the second reader finds the swap cache). */
	assert_int_equal(vmstat(m, "pswpin") - in, swap1 / 4);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Pss"), 8 * MB / KB / 2);
	fill(2, A, 8 * MB, 10);
	expect(1, A, 8 * MB, 8);
	expect(2, A, 8 * MB, 10);
	assert_check_ok(m);
}

/* A private file mapping: the pages written are anonymous copies, which
 * reclaim swaps; the others are the file's page cache pages, dirty from
 * the shared mapping, which MADV_PAGEOUT unmaps but keeps (only kswapd
 * writes file pages back) and a fault maps again. */
static void test_private_file_mapping(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	struct file *f = mmk_file_create("data", 64 * PG, false);
	unsigned long a;
	uint64_t v;

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 64 * PG, RW, MAP_SHARED | MAP_FIXED, f,
				  0),
			 (long)A);
	fill(1, A, 64 * PG, 11);
	assert_int_equal(mmk_munmap(1, A, 64 * PG), 0);
	assert_int_equal(mmk_mmap(1, A, 64 * PG, RW, MAP_PRIVATE | MAP_FIXED, f,
				  0),
			 (long)A);
	expect(1, A, 64 * PG, 11);
	/* The even pages become the process's own copies. */
	for (a = A; a < A + 64 * PG; a += 2 * PG)
		assert_int_equal(mmk_write_u64(1, a, val(a, 12)), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Anonymous"), 128);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 32);
	/* Written: the 32 copies, to swap. The file's 64 dirty pages: 32
	 * unmapped by PAGEOUT and kept, dirty and activated; the other 32
	 * were not mapped here any more. */
	assert_int_equal(vmstat(m, "nr_written"), 32);
	assert_int_equal(vmstat(m, "nr_vmscan_write"), 32);
	assert_int_equal(vmstat(m, "nr_vmscan_immediate_reclaim"), 32);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 128);
	assert_int_equal(meminfo_kb(m, "Cached"), 256);
	assert_int_equal(meminfo_kb(m, "Dirty"), 256);
	assert_check_ok(m);
	for (a = A; a < A + 64 * PG; a += PG) {
		assert_int_equal(mmk_read_u64(1, a, &v), 0);
		assert_int_equal(v, val(a, (a - A) / PG % 2 ? 11 : 12));
	}
	assert_int_equal(vmstat(m, "pswpin"), 32);
	/* kB read: the swapped copies, nothing from the file. */
	assert_int_equal(vmstat(m, "pgpgin"), 32 * 4);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* MADV_PAGEOUT of a shared file mapping drops the clean pages from the
 * page cache and unmaps the dirty ones, which stay, activated: as Linux's
 * reclaim_pages(), it never writes a file page (kswapd does, under
 * pressure: tests/scripts/reclaim/swap.mms). */
static void test_file_pageout(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f = mmk_file_create("data", 32 * PG, false);

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 32 * PG, RW, MAP_SHARED | MAP_FIXED, f,
				  0),
			 (long)A);
	fill(1, A, 16 * PG, 13);
	assert_int_equal(mmk_touch(1, A + 16 * PG, 16 * PG, false), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 128);
	assert_int_equal(mmk_madvise(1, A, 32 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "nr_written"), 0);
	assert_int_equal(vmstat(m, "nr_vmscan_write"), 0);
	assert_int_equal(vmstat(m, "nr_vmscan_immediate_reclaim"), 16);
	assert_int_equal(vmstat(m, "pgactivate"), 16);
	assert_int_equal(vmstat(m, "pgpgout"), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 64);
	assert_int_equal(meminfo_kb(m, "Dirty"), 64);
	assert_int_equal(meminfo_kb(m, "Active(file)"), 64);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_check_ok(m);
	/* From the cache, without a read. The kept pages carry PG_reclaim,
	 * which is also the readahead mark: fault-around passes them over,
	 * so each takes its own fault, and the first reads the dropped half
	 * back ahead, unmapped (holes: no pgpgin; Linux 6.18 does the same,
	 * see tests/scripts/reclaim/pageout_file.mms). */
	expect(1, A, 16 * PG, 13);
	assert_int_equal(vmstat(m, "pgpgin"), 0);
	/* Still the first write's, whose window read all 32 pages. */
	assert_int_equal(vmstat(m, "pgmajfault"), 1);
	assert_int_equal(meminfo_kb(m, "Cached"), 128);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 16 * 4);
	/* The dropped half reads zeroes, as the file holds; cached again,
	 * fault-around maps all of it. */
	{
		uint64_t v = 1;

		assert_int_equal(mmk_read_u64(1, A + 20 * PG, &v), 0);
		assert_int_equal(v, 0);
	}
	assert_int_equal(vmstat(m, "pgmajfault"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 32 * 4);
	/* Mapped again, the dirty pages are kept again; the clean ones
	 * go. */
	assert_int_equal(mmk_madvise(1, A, 32 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "nr_written"), 0);
	assert_int_equal(vmstat(m, "nr_vmscan_immediate_reclaim"), 32);
	assert_int_equal(meminfo_kb(m, "Cached"), 64);
	expect(1, A, 16 * PG, 13);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* MADV_WILLNEED (madvise_willneed): swapped anonymous pages are read
 * into the swap cache, unmapped; the faults after it read nothing. */
static void test_willneed_swapin(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);

	unsigned char vec[64];
	int i;

	paged_out(m, 1);
	assert_int_equal(mmk_mincore(1, A, 64 * PG, vec), 0);
	for (i = 0; i < 64; i++)
		assert_int_equal(vec[i], 0);
	assert_int_equal(mmk_madvise(1, A + 16 * PG, 32 * PG, MADV_WILLNEED),
			 0);
	assert_int_equal(vmstat(m, "pswpin"), 32);
	/* mincore: a swap entry's page in the swap cache is in memory. */
	assert_int_equal(mmk_mincore(1, A, 64 * PG, vec), 0);
	for (i = 0; i < 64; i++)
		assert_int_equal(vec[i], i >= 16 && i < 48);
	assert_int_equal(vmstat(m, "pgpgin"), 32 * 4);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 32 * 4);
	/* Still swap entries, their slots still used. */
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 256);
	assert_int_equal(swap_used_kb(m), 256);
	assert_check_ok(m);
	/* Again: they are cached, nothing is read. */
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_WILLNEED), 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_int_equal(mmk_madvise(1, A, 48 * PG, MADV_WILLNEED), 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	expect(1, A, 64 * PG, 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 256);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(swap_used_kb(m), 0);
	fill(1, A, 64 * PG, 1);
	expect(1, A, 64 * PG, 1);
	assert_check_ok(m);
	/* Swapped again; exit with the slots cached: nothing leaks. */
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_WILLNEED), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
}

/* MADV_WILLNEED of a file mapping: a regular file's missing pages are
 * read into the cache (at most 32: the readahead window), unmapped; a
 * read fault then maps those cached around it without a major fault. A
 * shmem object's swapped pages come back from swap. */
static void test_willneed_file(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	struct file *f = mmk_file_create("data", 64 * PG, false);
	struct file *g = mmk_file_create("short", 20 * PG, false);
	struct file *sh = mmk_memfd_create("shm", 16 * PG);
	unsigned char vec[16];
	uint64_t v = 1;
	int i;

	assert_non_null(f);
	assert_non_null(g);
	assert_non_null(sh);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 64 * PG, RW, MAP_SHARED | MAP_FIXED, f,
				  0),
			 (long)A);
	/* All 56 pages: a forced read goes up to the device's largest
	 * request, 320 pages (Linux 6.18 on a loop device: 56 of 56, and
	 * 320 of 512). */
	assert_int_equal(mmk_madvise(1, A + 8 * PG, 56 * PG, MADV_WILLNEED), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 56 * 4);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 0);
	/* Fault-around maps pages 16-31, all cached. */
	assert_int_equal(mmk_read_u64(1, A + 20 * PG, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 16 * 4);
	/* Page 4 was before the range: its fault reads around it, 0-7. */
	assert_int_equal(mmk_read_u64(1, A + 4 * PG, &v), 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 1);
	assert_int_equal(meminfo_kb(m, "Cached"), 64 * 4);
	/* Up to the file's end (pages 12-19 of a mapping of 32), no
	 * further, and no error. */
	assert_int_equal(mmk_mmap(1, A + 64 * PG, 32 * PG, RW,
				  MAP_SHARED | MAP_FIXED, g, 0),
			 (long)(A + 64 * PG));
	assert_int_equal(mmk_madvise(1, A + 76 * PG, 20 * PG, MADV_WILLNEED),
			 0);
	assert_int_equal(meminfo_kb(m, "Cached"), (64 + 8) * 4);
	assert_check_ok(m);

	assert_int_equal(mmk_mmap(1, A + 128 * PG, 16 * PG, RW,
				  MAP_SHARED | MAP_FIXED, sh, 0),
			 (long)(A + 128 * PG));
	fill(1, A + 128 * PG, 16 * PG, 7);
	assert_int_equal(mmk_madvise(1, A + 128 * PG, 16 * PG, MADV_PAGEOUT),
			 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 0);
	assert_int_equal(smaps_kb(m, 1, A + 128 * PG, "Swap"), 64);
	assert_int_equal(mmk_mincore(1, A + 128 * PG, PG, vec), 0);
	assert_int_equal(vec[0], 0);
	assert_int_equal(mmk_madvise(1, A + 128 * PG, 8 * PG, MADV_WILLNEED),
			 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 32);
	assert_int_equal(smaps_kb(m, 1, A + 128 * PG, "Swap"), 32);
	/* Back in the shmem object's cache, unmapped: in memory. */
	assert_int_equal(mmk_mincore(1, A + 128 * PG, 16 * PG, vec), 0);
	for (i = 0; i < 16; i++)
		assert_int_equal(vec[i], i < 8);
	assert_int_equal(smaps_kb(m, 1, A + 128 * PG, "Rss"), 0);
	assert_int_equal(vmstat(m, "pgmajfault"), 1);
	expect(1, A + 128 * PG, 16 * PG, 7);
	/* Eight pages read by the faults, the others found cached. */
	assert_int_equal(vmstat(m, "pgmajfault"), 1 + 8);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	fput(g);
	fput(sh);
	assert_check_ok(m);
}

/* vm.drop_caches=1 (invalidate_mapping_pages): a page that cannot go
 * is deactivated (deactivate_file_folio) unless mapped: a dirty one
 * keeps its place at the head, with PG_reclaim; a clean one someone holds
 * goes to the tail (pgrotated). */
static void test_drop_caches(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f = mmk_file_create("data", 8 * PG, false);
	struct page *held, *dirty;
	int i;

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	/* Twice mapped, accessed and unmapped: every page active. */
	for (i = 0; i < 2; i++) {
		assert_int_equal(mmk_mmap(1, A, 8 * PG, RW,
					  MAP_SHARED | MAP_FIXED, f, 0),
				 (long)A);
		assert_int_equal(mmk_touch(1, A, 8 * PG, false), 0);
		if (i)
			assert_int_equal(mmk_write_u64(1, A, 0x99), 0);
		assert_int_equal(mmk_munmap(1, A, 8 * PG), 0);
	}
	assert_int_equal(meminfo_kb(m, "Active(file)"), 8 * 4);
	assert_int_equal(meminfo_kb(m, "Dirty"), 4);
	/* Page 1 mapped, page 2 held. */
	assert_int_equal(mmk_mmap(1, A, PG, PROT_READ, MAP_SHARED | MAP_FIXED,
				  f, PG),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, PG, false), 0);
	held = filemap_find_page(f, 2);
	dirty = filemap_find_page(f, 0);
	assert_non_null(held);
	assert_non_null(dirty);
	assert_false(test_page_flag(dirty, PG_reclaim));
	assert_int_equal(mmk_drop_caches(1), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 3 * 4);
	assert_int_equal(meminfo_kb(m, "Active(file)"), 4);
	assert_int_equal(meminfo_kb(m, "Inactive(file)"), 2 * 4);
	assert_int_equal(vmstat(m, "pgdeactivate"), 2);
	assert_int_equal(vmstat(m, "pgrotated"), 1);
	assert_int_equal(vmstat(m, "drop_pagecache"), 1);
	assert_true(test_page_flag(dirty, PG_reclaim));
	assert_false(test_page_flag(held, PG_reclaim));
	put_page(held);
	put_page(dirty);
	assert_int_equal(mmk_drop_caches(0), -EINVAL);
	assert_int_equal(mmk_drop_caches(5), -EINVAL);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* Reclaim only tries the page lock: a page someone has locked (a fault
 * mapping it, a hole punched through it) stays, mapped and cached, until
 * it is unlocked. */
static void test_locked_page_kept(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f = mmk_file_create("data", 16 * PG, false);
	struct page *page;

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 16 * PG, RW, MAP_SHARED | MAP_FIXED, f,
				  0),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, 16 * PG, false), 0);
	page = filemap_find_page(f, 3);
	assert_non_null(page);
	assert_true(trylock_page(page));
	assert_false(trylock_page(page));
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 4);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4);
	unlock_page(page);
	put_page(page);
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(meminfo_kb(m, "Cached"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* mlock over swap entries shared with the parent: the child's locked
 * populate reads them into the swap cache and copies them (a write
 * fault), the parent's then map the cached pages; munlock makes the
 * child's evictable again. */
static void test_swap_cache_mlocked(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);

	paged_out(m, 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_mlock(2, A, 64 * PG), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 256);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_int_equal(status_kb(m, 2, "VmSwap"), 0);
	assert_check_ok(m);
	/* mlock's populate writes (FOLL_WRITE breaks COW): the child has
	 * copies; the parent maps the cached pages, which then leave the
	 * cache. */
	expect(1, A, 64 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_int_equal(meminfo_kb(m, "AnonPages"), 512);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_munlock(2, A, 64 * PG), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 0);
	assert_int_equal(mmk_madvise(2, A, 64 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 128);
	assert_int_equal(status_kb(m, 2, "VmSwap"), 256);
	expect(2, A, 64 * PG, 0);
	assert_check_ok(m);
}

/* MADV_DONTNEED and MADV_FREE over swap-cache pages and swap entries. */
static void test_swap_cache_zapped(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	uint64_t v;

	paged_out(m, 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	expect(2, A, 64 * PG, 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	/* The child's mappings go, the cache stays for the parent. */
	assert_int_equal(mmk_madvise(2, A, 32 * PG, MADV_DONTNEED), 0);
	/* MADV_FREE leaves swap-cache pages mapped. */
	assert_int_equal(mmk_madvise(2, A + 32 * PG, 32 * PG, MADV_FREE), 0);
	assert_int_equal(smaps_kb(m, 2, A, "Rss"), 128);
	assert_int_equal(smaps_kb(m, 2, A, "LazyFree"), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 256);
	assert_check_ok(m);
	/* The parent's MADV_FREE of swap entries frees them (the cache's
	 * pages of the freed slots go with them). */
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_FREE), 0);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 192);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 192);
	assert_int_equal(mmk_read_u64(1, A, &v), 0);
	assert_int_equal(v, 0);
	expect(1, A + 16 * PG, 48 * PG, 0);
	expect(2, A + 32 * PG, 32 * PG, 0);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_int_equal(swap_used_kb(m), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 0);
	assert_check_ok(m);
}

/* fork over swap entries in DONTFORK and WIPEONFORK ranges: the child
 * gets none of their entries. */
static void test_fork_flags_over_swap(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	uint64_t v;

	paged_out(m, 1);
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_DONTFORK), 0);
	assert_int_equal(mmk_madvise(1, A + 16 * PG, 16 * PG, MADV_WIPEONFORK),
			 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(status_kb(m, 2, "VmSwap"), 128);
	assert_int_equal(smaps_kb(m, 1, A, "SwapPss"), 64);
	assert_int_equal(smaps_kb(m, 1, A + 16 * PG, "SwapPss"), 64);
	assert_check_ok(m);
	assert_int_equal(mmk_read_u64(2, A, &v), MMK_SIGSEGV);
	assert_int_equal(mmk_read_u64(2, A + 16 * PG, &v), 0);
	assert_int_equal(v, 0);
	expect(2, A + 32 * PG, 32 * PG, 0);
	expect(1, A, 64 * PG, 0);
	assert_int_equal(swap_used_kb(m), 0);
	assert_check_ok(m);
}

/* i386 with HighMem: user pages come from there, and go to swap and
 * back like any other. */
static void test_i386_highmem_pageout(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *m;

	mmk_config_init(&cfg);
	cfg.arch = MMK_ARCH_I386;
	cfg.mem_bytes = 1ULL << 30;
	cfg.swap_bytes = 16 * MB;
	m = *state = mmk_test_boot_cfg(&cfg);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 64 * PG, 0);
	fill(1, A, 64 * PG, 14);
	assert_int_equal(meminfo_kb(m, "HighTotal") > 0, 1);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "pswpout"), 64);
	assert_int_equal(status_kb(m, 1, "VmSwap"), 256);
	expect(1, A, 64 * PG, 14);
	assert_int_equal(vmstat(m, "pswpin"), 64);
	assert_check_ok(m);
}

/* A copy-on-write fault reclaims its own process's other pages (the
 * page being copied is held, so it is not among them): the parent's
 * 44M go to swap while it copies 8M its child still maps (locked), and
 * nothing is killed. A COW copy of a swapped-in page shared after fork
 * happens in the same fault: one pgfault. */
static void test_cow_fault_reclaims_own_pages(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 128 * MB);
	unsigned long faults;

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 8 * MB, 0);
	fill(1, A, 8 * MB, 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_mprotect(2, A, 8 * MB, PROT_READ), 0);
	assert_int_equal(mmk_mlock(2, A, 8 * MB), 0);
	map_anon(1, B, 44 * MB, 0);
	fill(1, B, 44 * MB, 2);
	fill(1, A, 8 * MB, 3); /* 2048 COW faults */
	assert_int_equal(vmstat(m, "oom_kill"), 0);
	assert_true(vmstat(m, "pswpout") > 0);
	expect(1, A, 8 * MB, 3);
	expect(2, A, 8 * MB, 1);
	expect(1, B, 44 * MB, 2);
	assert_check_ok(m);
	/* A shared swap slot written by one side: read into the swap
	 * cache, copied, in one fault. */
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_munmap(1, B, 44 * MB), 0);
	assert_int_equal(mmk_madvise(1, A, 16 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(mmk_fork(1, 3), 0);
	faults = vmstat(m, "pgfault");
	assert_int_equal(mmk_write_u64(3, A, 77), 0);
	assert_int_equal(vmstat(m, "pgfault") - faults, 1);
	assert_int_equal(meminfo_kb(m, "SwapCached"), 4);
	expect(1, A, 16 * PG, 3);
	assert_check_ok(m);
}

/* vm.swappiness splits the pressure between the lists: with the file
 * pages all active (no cache_trim_mode), 0 leaves anonymous memory
 * alone while file pages can go, 200 takes anonymous pages only. */
static void swappiness_run(void **state, int swappiness, bool swaps)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 64 * MB);
	struct file *f = mmk_file_create("data", 16 * MB, false);
	int pass;

	assert_non_null(f);
	assert_int_equal(mmk_set_swappiness(swappiness), 60);
	assert_int_equal(mmk_spawn(1, false), 0);
	/* Read twice through a mapping: mark_page_accessed twice at the
	 * unmaps activates every page. */
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(mmk_mmap(1, B, 16 * MB, PROT_READ,
					  MAP_SHARED | MAP_FIXED, f, 0),
				 (long)B);
		assert_int_equal(mmk_touch(1, B, 16 * MB, false), 0);
		assert_int_equal(mmk_munmap(1, B, 16 * MB), 0);
	}
	assert_int_equal(meminfo_kb(m, "Active(file)"), 16 * MB / KB);
	map_anon(1, A, 36 * MB, 0);
	fill(1, A, 36 * MB, 5);
	assert_true(vmstat(m, "pgscan_kswapd") + vmstat(m, "pgscan_direct") >
		    0);
	if (swaps) {
		assert_true(vmstat(m, "pswpout") > 0);
		assert_int_equal(vmstat(m, "pgsteal_file"), 0);
	} else {
		assert_int_equal(vmstat(m, "pswpout"), 0);
		assert_true(vmstat(m, "pgsteal_file") > 0);
	}
	expect(1, A, 36 * MB, 5);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
}

static void test_swappiness(void **state)
{
	assert_int_equal(mmk_set_swappiness(0), -EINVAL); /* no machine */
	swappiness_run(state, 0, false);
	assert_int_equal(mmk_set_swappiness(-1), -EINVAL);
	assert_int_equal(mmk_set_swappiness(201), -EINVAL);
	assert_int_equal(mmk_set_swappiness(60), 0);
	mmk_test_teardown(state);
	swappiness_run(state, 200, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_proc_swaps, mmk_test_teardown),
		cmocka_unit_test(test_swap_config),
		cmocka_unit_test_teardown(test_anon_round_trip,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_oom_without_swap,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork_swapped, mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork_swapped_parent_exits,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(
			test_swap_cache_reclaimed_without_write,
			mmk_test_teardown),
		cmocka_unit_test_teardown(test_pageout, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mlocked_stay, mmk_test_teardown),
		cmocka_unit_test_teardown(test_lazyfree_discarded,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_lazyfree_pageout,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_file_writeback,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_willneed_swapin,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_willneed_file,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_drop_caches, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mapped_file_reclaimed,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_kswapd, mmk_test_teardown),
		cmocka_unit_test_teardown(test_direct_reclaim,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_kernel_allocation_reclaims,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_noio_does_not_swap,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386_round_trip,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_swap_full, mmk_test_teardown),
		cmocka_unit_test_teardown(test_swap_entries_elsewhere,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_shmem_swapped,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_shared_anon_reclaimed,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_private_file_mapping,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_file_pageout, mmk_test_teardown),
		cmocka_unit_test_teardown(test_locked_page_kept,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_swap_cache_mlocked,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_swap_cache_zapped,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork_flags_over_swap,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386_highmem_pageout,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_cow_fault_reclaims_own_pages,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_swappiness, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
