/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of transparent huge pages (mm/huge_memory.c): the policy
 * knobs and THPeligible, the huge zero page and its replacement on a
 * write, fault fallback, splits by munmap, mprotect, mremap, MADV_*
 * and VMA boundaries, fork, mlock, reclaim, prctl(PR_SET_THP_DISABLE),
 * and the counters procfs shows. The numbers are Linux 6.18's, measured
 * on this machine's kernel with the same calls (tests/thp_diff_test.c
 * compares with it directly).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/huge_mm.h"

#define PG 4096UL
#define MB (1UL << 20)
#define A 0x200000000UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state, uint64_t mem)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.mem_bytes = mem;
	*state = mmk_test_boot_cfg(&cfg);
	assert_int_equal(mmk_spawn(1, false), 0);
	return *state;
}

/* @len bytes at A, MADV_HUGEPAGE. */
static void map_huge(unsigned long addr, unsigned long len)
{
	assert_int_equal(mmk_mmap(1, addr, len, RW, ANON, NULL, 0), (long)addr);
	assert_int_equal(mmk_madvise(1, addr, len, MADV_HUGEPAGE), 0);
}

static unsigned long status_kb(struct mmk_machine *m, int pid, const char *key)
{
	char path[32];

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	return proc_field(m, path, key, ':');
}

static char *sysfs(struct mmk_machine *m, const char *name)
{
	char path[96];

	snprintf(path, sizeof path, "/sys/kernel/mm/transparent_hugepage/%s",
		 name);
	return proc(m, path);
}

static void assert_sysfs(struct mmk_machine *m, const char *name,
			 const char *want)
{
	char *text = sysfs(m, name);

	assert_string_equal(text, want);
	free(text);
}

/* The knobs print and take what Linux's do; THPeligible follows them. */
static void test_knobs_and_eligibility(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);

	assert_sysfs(m, "enabled", "always [madvise] never\n");
	assert_sysfs(m, "defrag",
		     "always defer defer+madvise [madvise] never\n");
	assert_sysfs(m, "use_zero_page", "1\n");
	assert_sysfs(m, "hpage_pmd_size", "2097152\n");
	assert_null(mmk_proc_read(m, "/sys/kernel/mm/transparent_hugepage/x"));
	assert_int_equal(mmk_thp_set("enabled", "always"), 0);
	assert_sysfs(m, "enabled", "[always] madvise never\n");
	assert_int_equal(mmk_thp_set("defrag", "defer+madvise"), 0);
	assert_sysfs(m, "defrag",
		     "always defer [defer+madvise] madvise never\n");
	assert_int_equal(mmk_thp_set("enabled", "Always"), -EINVAL);
	assert_int_equal(mmk_thp_set("use_zero_page", "x"), -EINVAL);
	assert_int_equal(mmk_thp_set("hpage_pmd_size", "4096"), -EACCES);
	assert_int_equal(mmk_thp_set("khugepaged", "1"), -ENOENT);

	/* always: any anonymous VMA with an aligned 2 MiB in it. */
	assert_int_equal(mmk_mmap(1, A, 4 * MB, RW, ANON, NULL, 0), (long)A);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 1);
	assert_int_equal(mmk_mmap(1, A + 8 * MB, 2 * MB - PG, RW, ANON, NULL,
				  0),
			 (long)(A + 8 * MB));
	assert_int_equal(smaps_kb(m, 1, A + 8 * MB, "THPeligible"), 0);
	/* madvise: MADV_HUGEPAGE VMAs only; NOHUGEPAGE always refuses. */
	assert_int_equal(mmk_thp_set("enabled", "madvise"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 0);
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_HUGEPAGE), 0);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 1);
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_NOHUGEPAGE), 0);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 0);
	assert_int_equal(mmk_thp_set("enabled", "always"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 0);
	/* Shared anonymous memory is shmem: none here. */
	assert_int_equal(mmk_mmap(1, A + 16 * MB, 4 * MB, RW,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL,
				  0),
			 (long)(A + 16 * MB));
	assert_int_equal(smaps_kb(m, 1, A + 16 * MB, "THPeligible"), 0);
	assert_check_ok(m);
}

/* A read maps the huge zero page (no RSS, a deposited table in VmPTE); a
 * write puts a huge page in its place; another write elsewhere gets one
 * straight away. Host 6.18: thp_fault_alloc 2, thp_split_pmd 0. */
static void test_zero_page_then_write(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	unsigned long pte, anon = meminfo_kb(m, "AnonPages");
	uint64_t v = 1;

	map_huge(A, 4 * MB);
	pte = status_kb(m, 1, "VmPTE");
	assert_int_equal(mmk_read_u64(1, A + 8, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vmstat(m, "thp_zero_page_alloc"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 0);
	/* The PMD and PUD tables, and the deposit. */
	assert_int_equal(status_kb(m, 1, "VmPTE") - pte, 12);
	assert_int_equal(mmk_write_u64(1, A + 8, 0x1234), 0);
	assert_int_equal(vmstat(m, "thp_fault_alloc"), 1);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 0);
	assert_int_equal(status_kb(m, 1, "VmPTE") - pte, 12);
	assert_int_equal(mmk_write_u64(1, A + 2 * MB + 5 * PG, 7), 0);
	assert_int_equal(vmstat(m, "thp_fault_alloc"), 2);
	assert_int_equal(status_kb(m, 1, "VmPTE") - pte, 16);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4096);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_int_equal(smaps_kb(m, 1, A, "Private_Dirty"), 4096);
	assert_int_equal(status_kb(m, 1, "RssAnon"), 4096);
	assert_int_equal(meminfo_kb(m, "AnonHugePages"), 4096);
	assert_int_equal(meminfo_kb(m, "AnonPages") - anon, 4096);
	assert_int_equal(vmstat(m, "nr_anon_transparent_hugepages"), 2);
	assert_int_equal(mmk_read_u64(1, A + 8, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(mmk_read_u64(1, A + 2 * MB + 5 * PG, &v), 0);
	assert_int_equal(v, 7);
	assert_check_ok(m);
	/* The zero page outlives its mappings until the shrinker runs. */
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(meminfo_kb(m, "AnonHugePages"), 0);
	assert_int_equal(mmk_drop_caches(2), 0);
	assert_check_ok(m);
}

/* Unmapping one page in the middle: the PMD is split (the rest stays
 * mapped, 4088 kB), the other huge page stays whole. */
static void test_partial_munmap_splits(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	uint64_t v = 0;

	map_huge(A, 4 * MB);
	assert_int_equal(mmk_touch(1, A, 4 * MB, true), 0);
	assert_int_equal(mmk_write_u64(1, A + 3 * PG, 0xabc), 0);
	assert_int_equal(mmk_munmap(1, A + PG, PG), 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 0);
	assert_int_equal(smaps_kb(m, 1, A + 2 * PG, "Rss"), 4088);
	assert_int_equal(smaps_kb(m, 1, A + 2 * PG, "AnonHugePages"), 2048);
	assert_int_equal(smaps_kb(m, 1, A + 2 * PG, "THPeligible"), 1);
	assert_int_equal(status_kb(m, 1, "RssAnon"), 4092);
	assert_int_equal(mmk_read_u64(1, A + 3 * PG, &v), 0);
	assert_int_equal(v, 0xabc);
	assert_int_equal(mmk_read_u64(1, A + PG, &v), MMK_SIGSEGV);
	/* munmap of a whole huge page frees it without a split. */
	assert_int_equal(mmk_munmap(1, A + 2 * MB, 2 * MB), 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 1);
	assert_int_equal(meminfo_kb(m, "AnonHugePages"), 0);
	assert_check_ok(m);
}

/* mprotect of the whole huge page keeps it; of part of it splits it at
 * the VMA boundary; the entries keep their data and dirtiness. */
static void test_mprotect(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	uint64_t v = 0;

	map_huge(A, 4 * MB);
	assert_int_equal(mmk_touch(1, A, 4 * MB, true), 0);
	assert_int_equal(mmk_mprotect(1, A, 2 * MB, PROT_READ), 0);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	assert_int_equal(mmk_write_u64(1, A, 1), MMK_SIGSEGV);
	assert_int_equal(mmk_mprotect(1, A, 2 * MB, RW), 0);
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 0);
	assert_int_equal(mmk_mprotect(1, A + 2 * MB + MB, MB, PROT_NONE), 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 3072);
	assert_int_equal(smaps_kb(m, 1, A + 3 * MB, "Rss"), 1024);
	assert_int_equal(smaps_kb(m, 1, A + 3 * MB, "Private_Dirty"), 1024);
	assert_int_equal(mmk_read_u64(1, A + 3 * MB, &v), MMK_SIGSEGV);
	assert_int_equal(mmk_read_u64(1, A, &v), 0);
	assert_int_equal(v, 1);
	assert_check_ok(m);
}

/* mremap moves an aligned huge page whole, splits one it cannot. */
static void test_mremap(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	uint64_t v = 0;

	map_huge(A, 4 * MB);
	assert_int_equal(mmk_touch(1, A, 4 * MB, true), 0);
	assert_int_equal(mmk_write_u64(1, A + 2 * MB + 8, 42), 0);
	assert_int_equal(mmk_mremap(1, A + 2 * MB, 2 * MB, 2 * MB,
				    MREMAP_MAYMOVE | MREMAP_FIXED, A + 64 * MB),
			 (long)(A + 64 * MB));
	assert_int_equal(vmstat(m, "thp_split_pmd"), 0);
	assert_int_equal(smaps_kb(m, 1, A + 64 * MB, "AnonHugePages"), 2048);
	assert_int_equal(mmk_read_u64(1, A + 64 * MB + 8, &v), 0);
	assert_int_equal(v, 42);
	/* To an unaligned address: base pages. */
	assert_int_equal(mmk_mremap(1, A + 64 * MB, 2 * MB, 2 * MB,
				    MREMAP_MAYMOVE | MREMAP_FIXED,
				    A + 96 * MB + PG),
			 (long)(A + 96 * MB + PG));
	assert_int_equal(vmstat(m, "thp_split_pmd"), 1);
	assert_int_equal(smaps_kb(m, 1, A + 96 * MB + PG, "AnonHugePages"), 0);
	assert_int_equal(smaps_kb(m, 1, A + 96 * MB + PG, "Rss"), 2048);
	assert_int_equal(mmk_read_u64(1, A + 96 * MB + PG + 8, &v), 0);
	assert_int_equal(v, 42);
	assert_check_ok(m);
}

/* MADV_DONTNEED of a whole huge page frees it, of part splits it;
 * MADV_FREE makes a whole one lazy-free; MADV_NOHUGEPAGE over part
 * splits at the new VMA boundary. */
static void test_madvise(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);

	map_huge(A, 8 * MB);
	assert_int_equal(mmk_touch(1, A, 8 * MB, true), 0);
	assert_int_equal(meminfo_kb(m, "AnonHugePages"), 8192);
	assert_int_equal(mmk_madvise(1, A, 2 * MB, MADV_DONTNEED), 0);
	assert_int_equal(meminfo_kb(m, "AnonHugePages"), 6144);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 0);
	assert_int_equal(mmk_madvise(1, A + 2 * MB, PG, MADV_DONTNEED), 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 6140);
	assert_int_equal(mmk_madvise(1, A + 4 * MB, 2 * MB, MADV_FREE), 0);
	assert_int_equal(smaps_kb(m, 1, A, "LazyFree"), 2048);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_int_equal(mmk_madvise(1, A + 6 * MB + MB, MB, MADV_NOHUGEPAGE),
			 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 2);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	assert_check_ok(m);
}

/* Fork: the parent's huge pages are split first (mm/huge_memory.c,
 * section 4), then shared page by page; the huge zero page is mapped in
 * the child too. */
static void test_fork(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	uint64_t v = 0;

	map_huge(A, 4 * MB);
	assert_int_equal(mmk_write_u64(1, A, 5), 0);
	assert_int_equal(mmk_read_u64(1, A + 2 * MB, &v), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(smaps_kb(m, 2, A, "Rss"), 2048);
	assert_int_equal(smaps_kb(m, 2, A, "Pss"), 1024);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 0);
	assert_int_equal(mmk_write_u64(1, A, 6), 0);
	assert_int_equal(mmk_read_u64(1, A, &v), 0);
	assert_int_equal(v, 6);
	assert_int_equal(mmk_read_u64(2, A, &v), 0);
	assert_int_equal(v, 5);
	/* The child's write to the huge zero page: a huge page. */
	assert_int_equal(mmk_write_u64(2, A + 2 * MB, 9), 0);
	assert_int_equal(smaps_kb(m, 2, A, "AnonHugePages"), 2048);
	assert_int_equal(mmk_read_u64(1, A + 2 * MB, &v), 0);
	assert_int_equal(v, 0);
	assert_check_ok(m);
}

/* mlock counts the huge page's 512 pages; munlock of half splits it and
 * munlocks all of it (host 6.18: Mlocked +2048, then +0, and
 * unevictable_pgs_munlocked +512). */
static void test_mlock(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);

	map_huge(A, 2 * MB);
	assert_int_equal(mmk_touch(1, A, 2 * MB, true), 0);
	assert_int_equal(mmk_mlock(1, A, 2 * MB), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 2048);
	assert_int_equal(meminfo_kb(m, "Unevictable"), 2048);
	assert_int_equal(vmstat(m, "unevictable_pgs_mlocked"), 512);
	assert_int_equal(smaps_kb(m, 1, A, "Locked"), 2048);
	assert_int_equal(mmk_munlock(1, A, MB), 0);
	assert_int_equal(vmstat(m, "thp_split_pmd"), 1);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 0);
	assert_int_equal(meminfo_kb(m, "Unevictable"), 0);
	assert_int_equal(vmstat(m, "unevictable_pgs_munlocked"), 512);
	assert_check_ok(m);
	assert_int_equal(mmk_munmap(1, A, 2 * MB), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 0);
	assert_check_ok(m);
}

/* Reclaim splits a huge page (its zero-filled pages become the shared
 * zero page, as 6.12+ maps unused ones) and swaps the rest out; they
 * come back one by one. */
static void test_reclaim_splits(void **state)
{
	struct mmk_machine *m;
	uint64_t v = 0;

	m = mmk_test_boot_swap(state, MMK_ARCH_X86_64, 2, 64 * MB);
	assert_int_equal(mmk_spawn(1, false), 0);
	map_huge(A, 2 * MB);
	assert_int_equal(mmk_touch(1, A, 2 * MB, true), 0);
	assert_int_equal(mmk_write_u64(1, A + MB, 77), 0);
	assert_int_equal(mmk_write_u64(1, A + 8, 88), 0);
	assert_int_equal(mmk_madvise(1, A, 2 * MB, MADV_PAGEOUT), 0);
	assert_int_equal(vmstat(m, "thp_split_page"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 8);
	assert_int_equal(vmstat(m, "pswpout"), 2);
	assert_int_equal(mmk_read_u64(1, A + MB, &v), 0);
	assert_int_equal(v, 77);
	assert_int_equal(mmk_read_u64(1, A + 8, &v), 0);
	assert_int_equal(v, 88);
	assert_int_equal(mmk_read_u64(1, A + 5 * PG, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 8);
	assert_check_ok(m);
}

/* No huge page without a free 2 MiB block: base pages, and
 * thp_fault_fallback; a read still maps the huge zero page, once it
 * exists. */
static void test_fallback(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	struct page **pages = calloc(16384, sizeof(*pages));
	size_t n = 0, i;

	assert_non_null(pages);
	/* Every 2 MiB block keeps one kernel page, which no compaction
	 * moves. */
	while (n < 16384 &&
	       (pages[n] = alloc_page(GFP_NOWAIT | __GFP_NOWARN)) != NULL)
		n++;
	for (i = 0; i < n; i++)
		if (page_to_pfn(pages[i]) % 512)
			__free_pages(pages[i], 0);
	map_huge(A, 4 * MB);
	assert_int_equal(mmk_touch(1, A, 4 * MB, true), 0);
	assert_int_equal(vmstat(m, "thp_fault_fallback"), 2);
	assert_int_equal(vmstat(m, "thp_fault_alloc"), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4096);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 0);
	assert_int_equal(vmstat(m, "thp_zero_page_alloc_failed"), 0);
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		if (!(page_to_pfn(pages[i]) % 512))
			__free_pages(pages[i], 0);
	free(pages);
}

/* MADV_COLLAPSE, whatever the policy: each 2 MiB of the range that has
 * a page becomes a huge page (its table the deposit: VmPTE unchanged);
 * one without a table fails the call with EINVAL, the others done all
 * the same (the zero page and empty entries read as zeroes); MADV_NOHUGEPAGE refuses; read-only and
 * fork-shared pages are copied. Host 6.18 gave the same. */
static void test_collapse(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	unsigned long pte;
	uint64_t v = 0;

	assert_int_equal(mmk_mmap(1, A, 4 * MB, RW, ANON, NULL, 0), (long)A);
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	assert_int_equal(mmk_write_u64(1, A + 5 * PG, 2), 0);
	pte = status_kb(m, 1, "VmPTE");
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_COLLAPSE), -EINVAL);
	assert_int_equal(status_kb(m, 1, "VmPTE"), pte);
	assert_int_equal(vmstat(m, "thp_collapse_alloc"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	assert_int_equal(smaps_kb(m, 1, A, "Private_Dirty"), 2048);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 0);
	assert_int_equal(mmk_read_u64(1, A + 5 * PG, &v), 0);
	assert_int_equal(v, 2);
	/* Already huge: done. A range with no whole 2 MiB: nothing. */
	assert_int_equal(mmk_madvise(1, A, 2 * MB, MADV_COLLAPSE), 0);
	assert_int_equal(mmk_madvise(1, A + 2 * MB, MB, MADV_COLLAPSE), 0);
	/* A table mapping only the zero page: a huge page of zeroes. */
	assert_int_equal(mmk_read_u64(1, A + 2 * MB, &v), 0);
	assert_int_equal(mmk_madvise(1, A + 2 * MB, 2 * MB, MADV_COLLAPSE), 0);
	assert_int_equal(vmstat(m, "thp_collapse_alloc"), 2);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_int_equal(mmk_madvise(1, A + 2 * MB, 2 * MB, MADV_DONTNEED), 0);
	/* Read-only, and shared with a child. */
	assert_int_equal(mmk_write_u64(1, A + 3 * MB, 3), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_mprotect(1, A + 2 * MB, 2 * MB, PROT_READ), 0);
	assert_int_equal(mmk_madvise(1, A + 2 * MB, 2 * MB, MADV_COLLAPSE), 0);
	assert_int_equal(smaps_kb(m, 1, A + 2 * MB, "AnonHugePages"), 2048);
	assert_int_equal(smaps_kb(m, 2, A, "Pss"), 1024 + 4);
	assert_int_equal(mmk_read_u64(2, A + 3 * MB, &v), 0);
	assert_int_equal(v, 3);
	/* MADV_NOHUGEPAGE: EINVAL; a VMA too small for one: EINVAL. */
	assert_int_equal(mmk_madvise(2, A, 4 * MB, MADV_NOHUGEPAGE), 0);
	assert_int_equal(mmk_madvise(2, A, 4 * MB, MADV_COLLAPSE), -EINVAL);
	assert_int_equal(mmk_mmap(1, A + 8 * MB, MB, RW, ANON, NULL, 0),
			 (long)(A + 8 * MB));
	assert_int_equal(mmk_write_u64(1, A + 8 * MB, 1), 0);
	assert_int_equal(mmk_madvise(1, A + 8 * MB, MB, MADV_COLLAPSE),
			 -EINVAL);
	/* A hole after the range's VMA: ENOMEM, after the collapse. */
	assert_int_equal(mmk_mmap(1, A + 16 * MB, 2 * MB, RW, ANON, NULL, 0),
			 (long)(A + 16 * MB));
	assert_int_equal(mmk_write_u64(1, A + 16 * MB, 1), 0);
	assert_int_equal(mmk_madvise(1, A + 16 * MB, 4 * MB, MADV_COLLAPSE),
			 -ENOMEM);
	assert_int_equal(smaps_kb(m, 1, A + 16 * MB, "AnonHugePages"), 2048);
	assert_int_equal(vmstat(m, "thp_collapse_alloc"), 4);
	assert_check_ok(m);
}

/* PR_SET_THP_DISABLE: none (1), or only in MADV_HUGEPAGE VMAs (3); kept
 * across fork; THP_enabled shows the first. */
static void test_prctl(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);

	assert_int_equal(mmk_prctl(1, PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	assert_int_equal(status_kb(m, 1, "THP_enabled"), 1);
	assert_int_equal(mmk_prctl(1, PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(1, PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
	assert_int_equal(status_kb(m, 1, "THP_enabled"), 0);
	map_huge(A, 4 * MB);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 0);
	assert_int_equal(mmk_touch(1, A, 4 * MB, true), 0);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 0);
	assert_int_equal(mmk_prctl(1, PR_SET_THP_DISABLE, 1,
				   PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0),
			 0);
	assert_int_equal(mmk_prctl(1, PR_GET_THP_DISABLE, 0, 0, 0, 0), 3);
	assert_int_equal(status_kb(m, 1, "THP_enabled"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "THPeligible"), 1);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_prctl(2, PR_GET_THP_DISABLE, 0, 0, 0, 0), 3);
	assert_int_equal(mmk_thp_set("enabled", "always"), 0);
	assert_int_equal(mmk_mmap(1, A + 8 * MB, 4 * MB, RW, ANON, NULL, 0),
			 (long)(A + 8 * MB));
	assert_int_equal(smaps_kb(m, 1, A + 8 * MB, "THPeligible"), 0);
	/* Errors: arguments that must be 0, unknown flags. */
	assert_int_equal(mmk_prctl(1, PR_SET_THP_DISABLE, 0, 2, 0, 0), -EINVAL);
	assert_int_equal(mmk_prctl(1, PR_SET_THP_DISABLE, 1, 4, 0, 0), -EINVAL);
	assert_int_equal(mmk_prctl(1, PR_SET_THP_DISABLE, 1, 0, 1, 0), -EINVAL);
	assert_int_equal(mmk_prctl(1, PR_GET_THP_DISABLE, 1, 0, 0, 0), -EINVAL);
	assert_int_equal(mmk_prctl(1, PR_SET_THP_DISABLE, 0, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(1, PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(9, PR_GET_THP_DISABLE, 0, 0, 0, 0), -ESRCH);
	assert_check_ok(m);
}

/* The i386 profile (no PAE) has no transparent huge pages. */
static void test_i386_has_none(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_I386, 256 * MB, 1, 2, true);

	*state = m;
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_null(mmk_proc_read(m, "/sys/kernel/mm/transparent_hugepage/"
				     "enabled"));
	assert_int_equal(mmk_thp_set("enabled", "always"), -ENOENT);
	assert_int_equal(status_kb(m, 1, "THP_enabled"), 0);
}

/* The verifier sees a huge entry that maps the wrong page. */
static void test_verifier(void **state)
{
	struct mmk_machine *m = boot(state, 64 * MB);
	struct mm_struct *mm;
	const struct pt_format *f;
	bool oom;
	void *slot;

	map_huge(A, 2 * MB);
	assert_int_equal(mmk_touch(1, A, 2 * MB, true), 0);
	assert_check_ok(m);
	mm = mmk_get_mm(1);
	f = pt_format_of(mm);
	slot = pt_entry(mm, A, f->levels - 2, false, &oom);
	assert_non_null(slot);
	pte_write(f, slot, pte_read(f, slot) + (PG << 9));
	assert_check_fails(m, "huge entry");
	pte_write(f, slot, pte_read(f, slot) - (PG << 9));
	mmput(mm);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_knobs_and_eligibility,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_zero_page_then_write,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_partial_munmap_splits,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_mprotect, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mremap, mmk_test_teardown),
		cmocka_unit_test_teardown(test_madvise, mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mlock, mmk_test_teardown),
		cmocka_unit_test_teardown(test_reclaim_splits,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fallback, mmk_test_teardown),
		cmocka_unit_test_teardown(test_collapse, mmk_test_teardown),
		cmocka_unit_test_teardown(test_prctl, mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386_has_none,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_verifier, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
