/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of khugepaged (mm/khugepaged.c): its knobs, which processes
 * it scans (registration by a fault, MADV_HUGEPAGE, fork; exit), the
 * limits of its scan (max_ptes_none, max_ptes_shared, a page young or
 * referenced), its wake-ups of pages_to_scan and its passes
 * (full_scans). The collapses of test_collapse_after_madvise and
 * test_max_ptes_none are those this machine's Linux 6.18 made for the
 * same calls, its khugepaged left to run two passes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#define PG 4096UL
#define MB (1UL << 20)
#define A 0x40000000UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 64 * MB;
	*state = mmk_test_boot_cfg(&cfg);
	assert_int_equal(mmk_spawn(1, false), 0);
	return *state;
}

static unsigned long knob(struct mmk_machine *m, const char *name)
{
	char path[96];
	unsigned long v;
	char *text;

	snprintf(path, sizeof path,
		 "/sys/kernel/mm/transparent_hugepage/khugepaged/%s", name);
	text = proc(m, path);
	assert_int_equal(sscanf(text, "%lu", &v), 1);
	free(text);
	return v;
}

static int set(const char *name, const char *value)
{
	char full[64];

	snprintf(full, sizeof full, "khugepaged/%s", name);
	return mmk_thp_set(full, value);
}

/* 8 MiB at A: @pages pages of the first 2 MiB written, the whole
 * second, then MADV_HUGEPAGE (the VMA has its anon_vma by then: the mm
 * joins khugepaged's list). */
static void map_touched(int pid, unsigned long pages)
{
	assert_int_equal(mmk_mmap(pid, A, 8 * MB, RW, ANON, NULL, 0), (long)A);
	assert_int_equal(mmk_touch(pid, A, pages * PG, true), 0);
	assert_int_equal(mmk_touch(pid, A + 2 * MB, 2 * MB, true), 0);
	assert_int_equal(mmk_madvise(pid, A, 8 * MB, MADV_HUGEPAGE), 0);
}

/* The knobs print Linux's defaults and take what its stores take. */
static void test_knobs(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(knob(m, "defrag"), 1);
	assert_int_equal(knob(m, "max_ptes_none"), 511);
	assert_int_equal(knob(m, "max_ptes_swap"), 64);
	assert_int_equal(knob(m, "max_ptes_shared"), 256);
	assert_int_equal(knob(m, "pages_to_scan"), 4096);
	assert_int_equal(knob(m, "scan_sleep_millisecs"), 10000);
	assert_int_equal(knob(m, "alloc_sleep_millisecs"), 60000);
	assert_int_equal(knob(m, "full_scans"), 0);
	assert_int_equal(knob(m, "pages_collapsed"), 0);
	assert_int_equal(set("max_ptes_none", "0"), 0);
	assert_int_equal(knob(m, "max_ptes_none"), 0);
	assert_int_equal(set("max_ptes_shared", "511"), 0);
	assert_int_equal(set("max_ptes_swap", "512"), -EINVAL);
	assert_int_equal(knob(m, "max_ptes_swap"), 64);
	assert_int_equal(set("pages_to_scan", "0"), -EINVAL);
	assert_int_equal(set("pages_to_scan", "4294967296"), -EINVAL);
	assert_int_equal(set("pages_to_scan", "8"), 0);
	assert_int_equal(knob(m, "pages_to_scan"), 8);
	assert_int_equal(set("defrag", "2"), -EINVAL);
	assert_int_equal(set("defrag", "0"), 0);
	assert_int_equal(knob(m, "defrag"), 0);
	assert_int_equal(set("scan_sleep_millisecs", "x"), -EINVAL);
	assert_int_equal(set("alloc_sleep_millisecs", ""), -EINVAL);
	assert_int_equal(set("full_scans", "1"), -EACCES);
	assert_int_equal(set("pages_collapsed", "1"), -EACCES);
	assert_int_equal(set("sleep", "1"), -ENOENT);
	assert_null(mmk_proc_read(m, "/sys/kernel/mm/transparent_hugepage/"
				     "khugepaged/sleep"));
}

/* Base pages faulted before MADV_HUGEPAGE: a pass collapses each 2 MiB
 * with a PTE table (two pages of 512 are enough with max_ptes_none 511),
 * their data kept; the others have none. Host: the same two. */
static void test_collapse_after_madvise(void **state)
{
	struct mmk_machine *m = boot(state);
	uint64_t v = 0;

	map_touched(1, 2);
	assert_int_equal(mmk_write_u64(1, A + PG, 0x1234), 0);
	assert_int_equal(mmk_write_u64(1, A + 3 * MB, 0x5678), 0);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 2);
	assert_int_equal(knob(m, "full_scans"), 1);
	assert_int_equal(knob(m, "pages_collapsed"), 2);
	assert_int_equal(vmstat(m, "thp_collapse_alloc"), 2);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 4096);
	assert_int_equal(mmk_read_u64(1, A + PG, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(mmk_read_u64(1, A + 3 * MB, &v), 0);
	assert_int_equal(v, 0x5678);
	/* Nothing left to collapse: another pass makes none. */
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(knob(m, "full_scans"), 2);
	/* A split huge page (a page unmapped, another VMA there) stays
	 * split: the 2 MiB is in two VMAs now. */
	assert_int_equal(mmk_munmap(1, A + 2 * MB, PG), 0);
	assert_int_equal(mmk_mmap(1, A + 2 * MB, PG, RW, ANON, NULL, 0),
			 (long)(A + 2 * MB));
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	/* Undone (MADV_HUGEPAGE on the new page merges the VMAs again):
	 * collapsed again. */
	assert_int_equal(mmk_madvise(1, A + 2 * MB, PG, MADV_HUGEPAGE), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_check_ok(m);
}

/* max_ptes_none: more empty entries than it allows leave the 2 MiB as
 * it is (thp_scan_exceed_none_pte). Host: 500 refuses 2 pages of 512,
 * takes 12. */
static void test_max_ptes_none(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(set("max_ptes_none", "500"), 0);
	map_touched(1, 2);
	assert_int_equal(mmk_khugepaged_scan(0), 1);
	assert_int_equal(vmstat(m, "thp_scan_exceed_none_pte"), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	assert_int_equal(mmk_touch(1, A, 12 * PG, true), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_check_ok(m);
}

/* Pages neither young nor referenced (MADV_COLD) are not worth a huge
 * page; one access is (SCAN_LACK_REFERENCED_PAGE). */
static void test_referenced(void **state)
{
	struct mmk_machine *m = boot(state);
	uint64_t v;

	assert_int_equal(mmk_mmap(1, A, 2 * MB, RW, ANON, NULL, 0), (long)A);
	assert_int_equal(mmk_touch(1, A, 2 * MB, true), 0);
	assert_int_equal(mmk_madvise(1, A, 2 * MB, MADV_COLD), 0);
	assert_int_equal(mmk_madvise(1, A, 2 * MB, MADV_HUGEPAGE), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(vmstat(m, "thp_collapse_alloc"), 0);
	assert_int_equal(mmk_read_u64(1, A + MB, &v), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	assert_check_ok(m);
}

/* Who is scanned: an mm joins with MADV_HUGEPAGE once its VMA has an
 * anon_vma, or with a fault that tries a huge page; not under
 * enabled=never; a child of a registered mm joins; prctl's
 * PR_SET_THP_DISABLE keeps an mm out of the scan; exit leaves. */
static void test_registration(void **state)
{
	struct mmk_machine *m = boot(state);

	/* No anon_vma yet: MADV_HUGEPAGE does not register; nothing to
	 * scan, no pass. */
	assert_int_equal(mmk_mmap(1, A, 4 * MB, RW, ANON, NULL, 0), (long)A);
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_HUGEPAGE), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(knob(m, "full_scans"), 0);
	/* enabled=never: a fault makes base pages and registers nothing. */
	assert_int_equal(mmk_thp_set("enabled", "never"), 0);
	assert_int_equal(mmk_touch(1, A, 4 * MB, true), 0);
	assert_int_equal(mmk_thp_set("enabled", "madvise"), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(knob(m, "full_scans"), 0);
	/* A second MADV_HUGEPAGE, the anon_vma there: registered. */
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_HUGEPAGE), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 2);
	assert_int_equal(knob(m, "full_scans"), 1);
	/* fork splits the parent's huge pages (mm/huge_memory.c, section
	 * 4): 512 shared pages pass max_ptes_shared (256); 511 (a page of
	 * each 2 MiB copied by the child's write) pass it unless it is
	 * 511. The child was registered with its parent. */
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(vmstat(m, "thp_scan_exceed_share_pte"), 4);
	assert_int_equal(mmk_touch(2, A, PG, true), 0);
	assert_int_equal(mmk_touch(2, A + 2 * MB, PG, true), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(vmstat(m, "thp_scan_exceed_share_pte"), 8);
	assert_int_equal(set("max_ptes_shared", "511"), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 4);
	assert_int_equal(smaps_kb(m, 2, A, "AnonHugePages"), 4096);
	/* PR_SET_THP_DISABLE: the mm is passed over. */
	assert_int_equal(mmk_prctl(2, PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	assert_int_equal(mmk_munmap(2, A + PG, PG), 0);
	assert_int_equal(mmk_mmap(2, A + PG, PG, RW, ANON, NULL, 0),
			 (long)(A + PG));
	assert_int_equal(mmk_touch(2, A + PG, PG, true), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_int_equal(smaps_kb(m, 2, A, "AnonHugePages"), 0);
	/* Exit: the mm leaves the list, the cursor on it or not. */
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_khugepaged_scan(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_khugepaged_scan(0), 0);
	assert_check_ok(m);
}

/* A wake-up ends after pages_to_scan pages of progress: 512 per 2 MiB
 * looked at (one per VMA passed over, one per mm), so with 512 one
 * 2 MiB per wake-up, collapsed or not; the pass ends with the last
 * VMA of the last mm. */
static void test_wakeups(void **state)
{
	struct mmk_machine *m = boot(state);
	unsigned long full;

	map_touched(1, 512);
	assert_int_equal(set("pages_to_scan", "512"), 0);
	assert_int_equal(mmk_khugepaged_scan(1), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 2048);
	full = knob(m, "full_scans");
	assert_int_equal(mmk_khugepaged_scan(1), 1);
	assert_int_equal(smaps_kb(m, 1, A, "AnonHugePages"), 4096);
	assert_int_equal(mmk_khugepaged_scan(2), 0);
	assert_int_equal(knob(m, "full_scans"), full);
	assert_int_equal(mmk_khugepaged_scan(1), 0);
	assert_int_equal(knob(m, "full_scans"), full + 1);
	assert_check_ok(m);
}

/* The i386 profile (no PAE) has no transparent huge pages. */
static void test_i386_has_none(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_I386, 256 * MB, 1, 2, true);

	*state = m;
	assert_int_equal(mmk_khugepaged_scan(0), -ENOENT);
	assert_int_equal(set("pages_to_scan", "8"), -ENOENT);
	assert_null(mmk_proc_read(m, "/sys/kernel/mm/transparent_hugepage/"
				     "khugepaged/pages_to_scan"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_knobs, mmk_test_teardown),
		cmocka_unit_test_teardown(test_collapse_after_madvise,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_max_ptes_none,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_referenced, mmk_test_teardown),
		cmocka_unit_test_teardown(test_registration, mmk_test_teardown),
		cmocka_unit_test_teardown(test_wakeups, mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386_has_none,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
