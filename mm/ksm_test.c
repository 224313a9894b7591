/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of Kernel Samepage Merging (mm/ksm.c): two identical pages
 * merging in one process, across fork and across two processes, with
 * the exact sysfs figures (pages_shared, pages_sharing, pages_unshared,
 * pages_volatile, general_profit) and per-process ones (ksm_stat, smaps
 * KSM, KPF_KSM); a page that changes between scans staying volatile; a
 * write after the merge copying (cow_ksm); MADV_UNMERGEABLE, mremap and
 * run=2 unmerging, also under fault injection; munmap and exit freeing
 * the KSM page; the knobs' errors. Each test ends with the verifier, and
 * the ones that exit their processes check no page was left behind.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include <mmkit/ksm.h>

#define MB (1UL << 20)
#define PG 4096UL
#define A 0x10000000UL
#define B 0x20000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define KPF_KSM 21

static struct mmk_machine *boot(void **state)
{
	*state = mmk_test_boot(MMK_ARCH_X86_64, 64 * MB, 1, 2, true);
	return *state;
}

/* /sys/kernel/mm/ksm/@name */
static long ksm_value(struct mmk_machine *m, const char *name)
{
	char path[96], *text, *end;
	long v;

	snprintf(path, sizeof path, "/sys/kernel/mm/ksm/%s", name);
	text = proc(m, path);
	v = strtol(text, &end, 10);
	assert_string_equal(end, "\n");
	free(text);
	return v;
}

/* pages_shared, pages_sharing, pages_unshared and pages_volatile. */
static void assert_pages(struct mmk_machine *m, long shared, long sharing,
			 long unshared, long volatil)
{
	assert_int_equal(ksm_value(m, "pages_shared"), shared);
	assert_int_equal(ksm_value(m, "pages_sharing"), sharing);
	assert_int_equal(ksm_value(m, "pages_unshared"), unshared);
	assert_int_equal(ksm_value(m, "pages_volatile"), volatil);
}

static void assert_ksm_stat_any(struct mmk_machine *m, int pid, long items,
				long merging, const char *merge_any,
				const char *mergeable)
{
	char path[64], want[256], *text;

	snprintf(path, sizeof path, "/proc/%d/ksm_stat", pid);
	snprintf(want, sizeof want,
		 "ksm_rmap_items %ld\nksm_zero_pages 0\n"
		 "ksm_merging_pages %ld\nksm_process_profit %ld\n"
		 "ksm_merge_any: %s\nksm_mergeable: %s\n",
		 items, merging, merging * 4096 - items * 64, merge_any,
		 mergeable);
	text = proc(m, path);
	assert_string_equal(text, want);
	free(text);
}

static void assert_ksm_stat(struct mmk_machine *m, int pid, long items,
			    long merging, const char *mergeable)
{
	assert_ksm_stat_any(m, pid, items, merging, "no", mergeable);
}

/* The pfn @pid maps at @addr (pagemap). */
static uint64_t pfn_at(struct mmk_machine *m, int pid, unsigned long addr)
{
	char path[64];
	uint64_t e = 0;

	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	assert_int_equal(mmk_proc_pread(m, path, &e, 8, addr / PG * 8), 8);
	assert_true(e >> 63);
	return e & ((1ULL << 55) - 1);
}

static uint64_t kpageflags(struct mmk_machine *m, uint64_t pfn)
{
	uint64_t w = 0;

	assert_int_equal(mmk_proc_pread(m, "/proc/kpageflags", &w, 8, pfn * 8),
			 8);
	return w;
}

/* @n pages at @addr of @pid, page i holding @vals[i]. */
static void fill(int pid, unsigned long addr, const uint64_t *vals, int n)
{
	int i;

	assert_int_equal(mmk_mmap(pid, addr, (unsigned long)n * PG, RW,
				  PRIV_ANON, NULL, 0),
			 (long)addr);
	for (i = 0; i < n; i++)
		assert_int_equal(mmk_write_u64(pid,
					       addr + (unsigned long)i * PG,
					       vals[i]),
				 0);
	assert_int_equal(mmk_madvise(pid, addr, (unsigned long)n * PG,
				     MADV_MERGEABLE),
			 0);
}

static void assert_values(int pid, unsigned long addr, const uint64_t *vals,
			  int n)
{
	int i;

	for (i = 0; i < n; i++) {
		uint64_t v = 0;

		assert_int_equal(
			mmk_read_u64(pid, addr + (unsigned long)i * PG, &v), 0);
		assert_int_equal(v, vals[i]);
	}
}

/*
 *   A: [ 7 | 1 | 7 | 2 ]   pages 0 and 2 identical
 * scan 1: every checksum new: 4 volatile; scan 2: page 2 meets page 0 in
 * the unstable tree and both map one KSM page (page 2's frame).
 */
static void test_two_identical_pages_merge_on_the_second_scan(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[4] = { 7, 1, 7, 2 };
	uint64_t pfn2;

	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 4);
	pfn2 = pfn_at(m, 1, A + 2 * PG);
	assert_int_equal(mmk_ksm_scan(0), 0); /* run is 0 */
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(0), 4);
	assert_pages(m, 0, 0, 0, 4);
	assert_int_equal(ksm_value(m, "full_scans"), 1);
	assert_int_equal(mmk_ksm_scan(0), 4);
	assert_pages(m, 1, 1, 2, 0);
	assert_int_equal(ksm_value(m, "full_scans"), 2);
	assert_int_equal(ksm_value(m, "pages_scanned"), 8);
	assert_int_equal(ksm_value(m, "general_profit"), 4096 - 4 * 64);
	assert_int_equal(pfn_at(m, 1, A), pfn2);
	assert_int_equal(pfn_at(m, 1, A + 2 * PG), pfn2);
	assert_true(kpageflags(m, pfn2) >> KPF_KSM & 1);
	assert_false(kpageflags(m, pfn_at(m, 1, A + PG)) >> KPF_KSM & 1);
	assert_ksm_stat(m, 1, 4, 2, "yes");
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 8);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 16);
	assert_values(1, A, vals, 4);
	assert_check_ok(m);
	/* A third scan changes nothing. */
	assert_int_equal(mmk_ksm_scan(0), 4);
	assert_pages(m, 1, 1, 2, 0);
	assert_check_ok(m);
}

/* A page written between the scans has a new checksum: volatile. */
static void test_changing_page_stays_volatile(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[2] = { 5, 5 };

	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 2);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(0), 2);
	assert_int_equal(mmk_write_u64(1, A + PG + 8, 1), 0);
	assert_int_equal(mmk_ksm_scan(0), 2);
	/* Page 0 in the unstable tree, page 1 volatile. */
	assert_pages(m, 0, 0, 1, 1);
	assert_int_equal(mmk_write_u64(1, A + PG + 8, 0), 0);
	assert_int_equal(mmk_ksm_scan(0), 2);
	assert_pages(m, 0, 0, 1, 1);
	assert_int_equal(mmk_ksm_scan(0), 2);
	assert_pages(m, 1, 1, 0, 0);
	assert_check_ok(m);
}

/*
 *   pid 1 A: [ 9 | 9 ]   pid 2 B: [ 9 | 3 ]
 * three mappings of one KSM page: 1 shared, 2 sharing.
 */
static void test_pages_of_two_processes_merge(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t v1[2] = { 9, 9 }, v2[2] = { 9, 3 };

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_spawn(2, false), 0);
	fill(1, A, v1, 2);
	fill(2, B, v2, 2);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(2), 8);
	assert_pages(m, 1, 2, 1, 0);
	assert_int_equal(pfn_at(m, 1, A), pfn_at(m, 2, B));
	assert_ksm_stat(m, 1, 2, 2, "yes");
	assert_ksm_stat(m, 2, 2, 1, "yes");
	assert_int_equal(smaps_kb(m, 2, B, "KSM"), 4);
	assert_check_ok(m);
	/* exit 1 takes its items; the KSM page lives on in pid 2. */
	assert_int_equal(mmk_exit(1), 0);
	assert_pages(m, 1, 0, 1, 0);
	assert_values(2, B, v2, 2);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(2), 0);
	assert_pages(m, 0, 0, 0, 0);
	assert_int_equal(ksm_value(m, "general_profit"), 0);
	assert_check_ok(m);
}

/*
 * fork maps the KSM page in the child (registered, no items yet); the
 * next scan gives the child's mappings items of the same stable node.
 */
static void test_fork_shares_the_ksm_page(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[2] = { 4, 4 };
	uint64_t pfn, count = 0;

	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 2);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(2), 4);
	assert_pages(m, 1, 1, 0, 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	pfn = pfn_at(m, 2, A);
	assert_int_equal(pfn, pfn_at(m, 1, A));
	assert_int_equal(
		mmk_proc_pread(m, "/proc/kpagecount", &count, 8, pfn * 8), 8);
	assert_int_equal(count, 4);
	assert_ksm_stat(m, 2, 0, 0, "yes");
	assert_check_ok(m);
	assert_int_equal(mmk_ksm_scan(0), 4);
	assert_pages(m, 1, 3, 0, 0);
	assert_ksm_stat(m, 2, 2, 2, "yes");
	assert_check_ok(m);
}

/* A write to a KSM page copies it (cow_ksm), even the last mapping. */
static void test_write_after_merge_copies(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[2] = { 6, 6 }, after[2] = { 8, 6 };
	uint64_t kpfn;

	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 2);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(2), 4);
	kpfn = pfn_at(m, 1, A);
	assert_int_equal(vmstat(m, "cow_ksm"), 0);
	assert_int_equal(mmk_write_u64(1, A, 8), 0);
	assert_int_equal(vmstat(m, "cow_ksm"), 1);
	assert_true(pfn_at(m, 1, A) != kpfn);
	assert_int_equal(pfn_at(m, 1, A + PG), kpfn);
	assert_int_equal(mmk_write_u64(1, A + PG, 6), 0);
	assert_int_equal(vmstat(m, "cow_ksm"), 2);
	assert_values(1, A, after, 2);
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 0);
	assert_check_ok(m);
	/* The stale node and its items go at the next scan. */
	assert_int_equal(mmk_ksm_scan(0), 2);
	assert_pages(m, 0, 0, 1, 1);
	assert_check_ok(m);
}

/* MADV_UNMERGEABLE copies every KSM page of the range first; mremap
 * does too, keeping VM_MERGEABLE. */
static void test_unmergeable_and_mremap_unmerge(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[4] = { 2, 2, 2, 2 };

	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 4);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(2), 8);
	assert_pages(m, 1, 3, 0, 0);
	assert_int_equal(mmk_madvise(1, A, 2 * PG, MADV_UNMERGEABLE), 0);
	assert_int_equal(vmstat(m, "cow_ksm"), 2);
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 0);
	assert_int_equal(smaps_kb(m, 1, A + 2 * PG, "KSM"), 8);
	assert_check_ok(m);
	assert_int_equal(mmk_mremap(1, A + 2 * PG, 2 * PG, 2 * PG,
				    MREMAP_MAYMOVE | MREMAP_FIXED, B),
			 (long)B);
	assert_int_equal(vmstat(m, "cow_ksm"), 4);
	assert_int_equal(smaps_kb(m, 1, B, "KSM"), 0);
	assert_values(1, A, vals, 2);
	assert_values(1, B, vals, 2);
	assert_check_ok(m);
	/* The items of the old addresses go at the next scan; the moved
	 * pages start over (their checksums are new to their items). */
	assert_int_equal(mmk_ksm_scan(0), 2);
	assert_pages(m, 0, 0, 0, 2);
	assert_int_equal(mmk_ksm_scan(0), 2);
	assert_pages(m, 1, 1, 0, 0);
	assert_check_ok(m);
}

/* munmap of every mapping frees the KSM page; run=2 unmerges all and
 * resets full_scans. */
static void test_munmap_frees_and_run_2_unmerges(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[3] = { 1, 1, 1 };

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_spawn(2, false), 0);
	fill(2, B, vals, 3);
	fill(1, A, vals, 3);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(2), 12);
	assert_pages(m, 1, 5, 0, 0);
	assert_int_equal(mmk_munmap(1, A, 3 * PG), 0);
	assert_int_equal(mmk_ksm_scan(0), 3);
	assert_pages(m, 1, 2, 0, 0);
	assert_ksm_stat(m, 1, 0, 0, "no");
	assert_check_ok(m);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_UNMERGE), 0);
	assert_int_equal(ksm_value(m, "run"), 2);
	assert_int_equal(ksm_value(m, "full_scans"), 0);
	assert_pages(m, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "cow_ksm"), 3);
	assert_values(2, B, vals, 3);
	assert_ksm_stat(m, 2, 0, 0, "yes");
	assert_int_equal(mmk_ksm_scan(0), 0); /* run is 2 */
	assert_check_ok(m);
}

/* MADV_UNMERGEABLE out of memory: EAGAIN, the pages before the failure
 * unmerged, the flag kept; everything consistent, and a retry works. */
static void test_unmerge_under_fault_injection(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[4] = { 3, 3, 3, 3 };
	struct mmk_fail_attr attr = { .nth = 3, .times = 1 };
	long ret;

	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 4);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_int_equal(mmk_ksm_scan(2), 8);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, &attr), 0);
	ret = mmk_madvise(1, A, 4 * PG, MADV_UNMERGEABLE);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, NULL), 0);
	assert_int_equal(ret, -EAGAIN);
	assert_int_equal(vmstat(m, "cow_ksm"), 3);
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 8);
	assert_values(1, A, vals, 4);
	assert_check_ok(m);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_UNMERGEABLE), 0);
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 0);
	assert_values(1, A, vals, 4);
	assert_check_ok(m);
}

/* @pid's VMA at @addr is VM_MERGEABLE (smaps VmFlags "mg"). */
static bool vma_mergeable(struct mmk_machine *m, int pid, unsigned long addr)
{
	struct mm_struct *mm = mmk_get_mm(pid);
	struct vm_area_struct *vma;
	bool mg;

	(void)m;
	assert_non_null(mm);
	mmap_write_lock(mm);
	vma = find_vma(mm, addr);
	assert_non_null(vma);
	assert_true(vma->vm_start <= addr);
	mg = vma->vm_flags & VM_MERGEABLE;
	mmap_write_unlock(mm);
	mmput(mm);
	return mg;
}

/*
 * prctl(PR_SET_MEMORY_MERGE) (Linux 6.18 on this machine: the same
 * calls, smaps VmFlags and ksm_stat): every compatible VMA, existing
 * (private anonymous and private file ones, locked or not) and new
 * (mmap, brk), is VM_MERGEABLE, a shared one not; the identical pages
 * of the process merge without any madvise; fork keeps the flag;
 * MADV_UNMERGEABLE takes one VMA's off; PR_SET_MEMORY_MERGE 0 unmerges
 * and clears VM_MERGEABLE everywhere, madvised VMAs too.
 */
static void test_prctl_memory_merge(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_file_create("data", 16 * PG, false);

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 2 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 2 * PG, RW,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL,
				  0),
			 (long)(A + 16 * PG));
	assert_int_equal(mmk_mmap(1, A + 32 * PG, 2 * PG, PROT_READ,
				  MAP_PRIVATE | MAP_FIXED, f, 0),
			 (long)(A + 32 * PG));
	assert_int_equal(mmk_mmap(1, A + 48 * PG, 2 * PG, RW,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 (long)(A + 48 * PG));
	assert_int_equal(mmk_mmap(1, A + 64 * PG, 2 * PG, RW | PROT_EXEC,
				  PRIV_ANON, NULL, 0),
			 (long)(A + 64 * PG));
	assert_int_equal(mmk_prctl(1, PR_GET_MEMORY_MERGE, 0, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(1, PR_SET_MEMORY_MERGE, 1, 1, 0, 0),
			 -EINVAL);
	assert_int_equal(mmk_prctl(1, PR_GET_MEMORY_MERGE, 1, 0, 0, 0),
			 -EINVAL);
	assert_int_equal(mmk_prctl(1, 1000, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(mmk_prctl(9, PR_SET_MEMORY_MERGE, 1, 0, 0, 0), -ESRCH);
	assert_int_equal(mmk_prctl(1, PR_SET_MEMORY_MERGE, 1, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(1, PR_SET_MEMORY_MERGE, 7, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(1, PR_GET_MEMORY_MERGE, 0, 0, 0, 0), 1);
	assert_true(vma_mergeable(m, 1, A));
	assert_false(vma_mergeable(m, 1, A + 16 * PG));
	assert_true(vma_mergeable(m, 1, A + 32 * PG));
	assert_false(vma_mergeable(m, 1, A + 48 * PG));
	assert_true(vma_mergeable(m, 1, A + 64 * PG));
	assert_ksm_stat_any(m, 1, 0, 0, "yes", "yes");
	/* New VMAs are mergeable, and merge with their neighbours. */
	assert_int_equal(mmk_mmap(1, A + 66 * PG, 2 * PG, RW | PROT_EXEC,
				  PRIV_ANON, NULL, 0),
			 (long)(A + 66 * PG));
	assert_int_equal(mmk_mmap(1, A + 80 * PG, 2 * PG, RW,
				  PRIV_ANON | MAP_LOCKED, NULL, 0),
			 (long)(A + 80 * PG));
	assert_true(vma_mergeable(m, 1, A + 80 * PG));
	assert_int_equal(smaps_kb(m, 1, A + 64 * PG, "Size"), 16);
	/* Identical pages merge with no madvise. */
	assert_int_equal(mmk_write_u64(1, A, 3), 0);
	assert_int_equal(mmk_write_u64(1, A + PG, 3), 0);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	assert_true(mmk_ksm_scan(0) > 0);
	assert_true(mmk_ksm_scan(0) > 0);
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 8);
	/* fork: the child keeps the flag and the VMAs theirs. */
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_prctl(2, PR_GET_MEMORY_MERGE, 0, 0, 0, 0), 1);
	assert_true(vma_mergeable(m, 2, A + 32 * PG));
	assert_int_equal(mmk_madvise(1, A + 80 * PG, 2 * PG, MADV_UNMERGEABLE),
			 0);
	assert_false(vma_mergeable(m, 1, A + 80 * PG));
	/* Off: unmerged, no VMA mergeable, not even a madvised one. */
	assert_int_equal(mmk_prctl(1, PR_SET_MEMORY_MERGE, 0, 0, 0, 0), 0);
	assert_int_equal(mmk_prctl(1, PR_GET_MEMORY_MERGE, 0, 0, 0, 0), 0);
	assert_int_equal(smaps_kb(m, 1, A, "KSM"), 0);
	assert_false(vma_mergeable(m, 1, A));
	assert_false(vma_mergeable(m, 1, A + 32 * PG));
	assert_int_equal(mmk_madvise(1, A, 2 * PG, MADV_MERGEABLE), 0);
	assert_int_equal(mmk_prctl(1, PR_SET_MEMORY_MERGE, 0, 0, 0, 0), 0);
	assert_true(vma_mergeable(m, 1, A));
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	fput(f);
	assert_check_ok(m);
}

static void test_knob_errors(void **state)
{
	struct mmk_machine *m = boot(state);
	const uint64_t vals[2] = { 1, 1 };

	assert_int_equal(ksm_value(m, "pages_to_scan"), 100);
	assert_int_equal(ksm_value(m, "sleep_millisecs"), 20);
	assert_int_equal(ksm_value(m, "max_page_sharing"), 256);
	assert_int_equal(ksm_value(m, "merge_across_nodes"), 1);
	assert_int_equal(ksm_value(m, "smart_scan"), 1);
	assert_int_equal(mmk_ksm_set("run", 3), -EINVAL);
	assert_int_equal(mmk_ksm_set("pages_to_scan", 1UL << 32), -EINVAL);
	assert_int_equal(mmk_ksm_set("max_page_sharing", 1), -EINVAL);
	assert_int_equal(mmk_ksm_set("use_zero_pages", 1), -EINVAL);
	assert_int_equal(mmk_ksm_set("use_zero_pages", 0), 0);
	assert_int_equal(mmk_ksm_set("merge_across_nodes", 0), -EINVAL);
	assert_int_equal(mmk_ksm_set("full_scans", 0), -EINVAL);
	assert_int_equal(mmk_ksm_set("pages_to_scan", 1), 0);
	assert_int_equal(mmk_spawn(1, false), 0);
	fill(1, A, vals, 2);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	/* One page per batch: four batches make two passes. */
	assert_int_equal(mmk_ksm_scan(3), 2);
	assert_int_equal(ksm_value(m, "full_scans"), 1);
	assert_int_equal(mmk_ksm_scan(2), 2);
	assert_pages(m, 1, 1, 0, 0);
	assert_int_equal(mmk_ksm_set("max_page_sharing", 3), -EBUSY);
	assert_int_equal(ksm_value(m, "max_page_sharing"), 256);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_two_identical_pages_merge_on_the_second_scan,
			mmk_test_teardown),
		cmocka_unit_test_teardown(test_changing_page_stays_volatile,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_pages_of_two_processes_merge,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork_shares_the_ksm_page,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_write_after_merge_copies,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_unmergeable_and_mremap_unmerge,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_munmap_frees_and_run_2_unmerges,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_unmerge_under_fault_injection,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_prctl_memory_merge,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_knob_errors, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
