/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the LRU lists and mlock's page state (mm/swap.c), seen as
 * /proc/meminfo and /proc/vmstat show them. Every expected value was
 * first read from the real kernel (Linux 6.18 x86_64, classic LRU, no
 * MGLRU) by the same calls in a C program reading /proc/vmstat and
 * /proc/kpageflags, with the per-CPU batches drained (mmkit applies them
 * at once). Each test boots x86_64 64M and ends with the verifier.
 * Last, the swap entry's encoding and the argument checks of swapon and
 * swapoff (mm/swapfile.c), which the script tests of
 * tests/scripts/reclaim/swap* take further.
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

#include "mm/pgtable.h"

#define PG PAGE_SIZE
#define A 0x10000000UL
#define B 0x20000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state)
{
	*state = mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	return *state;
}

/* The meminfo LRU lines, in kB: "Active(anon)=.. Inactive(anon)=.. ..."
 * must be exactly @spec's values (lines @spec does not name: 0). */
static void assert_lru(struct mmk_machine *m, unsigned long act_anon,
		       unsigned long inact_anon, unsigned long act_file,
		       unsigned long inact_file, unsigned long unevictable,
		       unsigned long mlocked)
{
	assert_int_equal(meminfo_kb(m, "Active(anon)"), act_anon);
	assert_int_equal(meminfo_kb(m, "Inactive(anon)"), inact_anon);
	assert_int_equal(meminfo_kb(m, "Active(file)"), act_file);
	assert_int_equal(meminfo_kb(m, "Inactive(file)"), inact_file);
	assert_int_equal(meminfo_kb(m, "Active"), act_anon + act_file);
	assert_int_equal(meminfo_kb(m, "Inactive"), inact_anon + inact_file);
	assert_int_equal(meminfo_kb(m, "Unevictable"), unevictable);
	assert_int_equal(meminfo_kb(m, "Mlocked"), mlocked);
	assert_int_equal(proc_field(m, "/proc/vmstat", "nr_inactive_anon", ' '),
			 inact_anon / 4);
	assert_int_equal(proc_field(m, "/proc/vmstat", "nr_mlock", ' '),
			 mlocked / 4);
}

static void map_anon(int pid, unsigned long addr, unsigned long len,
		     unsigned long flags)
{
	assert_int_equal(mmk_mmap(pid, addr, len, RW, PRIV_ANON | flags, NULL,
				  0),
			 (long)addr);
}

/* New anonymous pages start inactive; a second touch through the page
 * tables does not activate them, two FOLL_TOUCH populates do
 * (pgactivate), MADV_COLD deactivates (pgdeactivate), MADV_FREE moves
 * them to the inactive file list (pglazyfree). */
static void test_anon_lists(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 64 * PG, 0);
	assert_int_equal(mmk_touch(1, A, 64 * PG, true), 0);
	assert_int_equal(mmk_touch(1, A, 64 * PG, true), 0);
	assert_lru(m, 0, 256, 0, 0, 0, 0);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_COLD), 0);
	assert_int_equal(vmstat(m, "pgdeactivate"), 0);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_POPULATE_WRITE), 0);
	assert_int_equal(vmstat(m, "pgactivate"), 0);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_POPULATE_WRITE), 0);
	assert_int_equal(vmstat(m, "pgactivate"), 64);
	assert_lru(m, 256, 0, 0, 0, 0, 0);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_POPULATE_WRITE), 0);
	assert_int_equal(vmstat(m, "pgactivate"), 64);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_COLD), 0);
	assert_int_equal(vmstat(m, "pgdeactivate"), 64);
	assert_lru(m, 0, 256, 0, 0, 0, 0);
	assert_int_equal(mmk_madvise(1, A, 64 * PG, MADV_FREE), 0);
	assert_int_equal(vmstat(m, "pglazyfree"), 64);
	assert_lru(m, 0, 0, 0, 256, 0, 0);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_lru(m, 0, 0, 0, 0, 0, 0);
	assert_check_ok(m);
}

/* Shared anonymous memory and memfd pages are shmem: swap-backed, on the
 * anon lists; a file's pages are on the file lists. */
static void test_shmem_and_file_lists(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_file_create("data", 32 * PG, false);

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 16 * PG, RW,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL,
				  0),
			 (long)A);
	assert_int_equal(mmk_touch(1, A, 16 * PG, true), 0);
	assert_int_equal(mmk_mmap(1, B, 32 * PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 (long)B);
	assert_int_equal(mmk_touch(1, B, 32 * PG, false), 0);
	assert_lru(m, 0, 64, 0, 128, 0, 0);
	assert_int_equal(mmk_exit(1), 0);
	/* The shmem object goes with its last mapping; the file's pages stay
	 * cached until the file goes. */
	assert_lru(m, 0, 0, 0, 128, 0, 0);
	fput(f);
	assert_lru(m, 0, 0, 0, 0, 0, 0);
	assert_check_ok(m);
}

/* mlock moves mapped pages to the unevictable list (culled, mlocked),
 * munlock moves them back inactive (munlocked, rescued); pages faulted in
 * a locked VMA start unevictable; munmap of a locked VMA munlocks. */
static void test_mlock_counts(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 64 * PG, 0);
	assert_int_equal(mmk_touch(1, A, 64 * PG, true), 0);
	assert_int_equal(mmk_mlock(1, A, 16 * PG), 0);
	assert_lru(m, 0, 192, 0, 0, 64, 64);
	assert_int_equal(vmstat(m, "unevictable_pgs_culled"), 16);
	assert_int_equal(vmstat(m, "unevictable_pgs_mlocked"), 16);
	assert_int_equal(mmk_munlock(1, A, 16 * PG), 0);
	assert_lru(m, 0, 256, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "unevictable_pgs_munlocked"), 16);
	assert_int_equal(vmstat(m, "unevictable_pgs_rescued"), 16);
	map_anon(1, B, 64 * PG, MAP_LOCKED | MAP_POPULATE);
	assert_lru(m, 0, 256, 0, 0, 256, 256);
	assert_int_equal(vmstat(m, "unevictable_pgs_culled"), 80);
	assert_int_equal(vmstat(m, "unevictable_pgs_mlocked"), 80);
	assert_int_equal(mmk_munmap(1, B, 64 * PG), 0);
	assert_lru(m, 0, 256, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "unevictable_pgs_munlocked"), 80);
	assert_int_equal(vmstat(m, "unevictable_pgs_rescued"), 80);
	assert_int_equal(vmstat(m, "unevictable_pgs_cleared"), 0);
	assert_check_ok(m);
}

/* A file page mapped in two locked VMAs keeps its mlock until the last
 * goes; fork's child maps the parent's locked pages unlocked. */
static void test_mlock_count_per_mapping(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_file_create("data", 4 * PG, false);

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_spawn(2, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4 * PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED | MAP_LOCKED |
					  MAP_POPULATE,
				  f, 0),
			 (long)A);
	assert_int_equal(mmk_mmap(2, A, 4 * PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 (long)A);
	assert_int_equal(mmk_touch(2, A, 4 * PG, false), 0);
	assert_int_equal(mmk_mlock(2, A, 4 * PG), 0);
	assert_lru(m, 0, 0, 0, 0, 16, 16);
	assert_int_equal(mmk_exit(1), 0);
	assert_lru(m, 0, 0, 0, 0, 16, 16);
	assert_int_equal(mmk_munlock(2, A, 4 * PG), 0);
	assert_lru(m, 0, 0, 0, 16, 0, 0);
	/* fork: the child's VMA is not locked. */
	map_anon(2, B, 4 * PG, MAP_LOCKED | MAP_POPULATE);
	assert_int_equal(mmk_fork(2, 3), 0);
	assert_int_equal(mmk_touch(3, B, 4 * PG, false), 0);
	assert_int_equal(mmk_exit(2), 0);
	/* The file pages, referenced since the populates, are activated by
	 * the zap of their young entries (zap_present_folio_ptes). */
	assert_lru(m, 0, 16, 16, 0, 0, 0);
	assert_int_equal(mmk_exit(3), 0);
	fput(f);
	assert_lru(m, 0, 0, 0, 0, 0, 0);
	assert_check_ok(m);
}

/* KERNEL VALUE: MREMAP_DONTUNMAP clears VM_LOCKED on the old VMA without
 * munlocking the pages left there; they stay mlocked until freed
 * (unevictable_pgs_cleared). */
static void test_dontunmap_strands_mlocked_pages(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 4 * PG, MAP_LOCKED | MAP_POPULATE);
	assert_int_equal(
		mmk_mremap(1, A, 2 * PG, 2 * PG,
			   MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, B),
		(long)B);
	assert_lru(m, 0, 0, 0, 0, 16, 16);
	assert_check_ok(m);
	assert_int_equal(mmk_munmap(1, A, 4 * PG), 0);
	assert_int_equal(vmstat(m, "unevictable_pgs_cleared"), 2);
	assert_lru(m, 0, 0, 0, 0, 8, 8);
	assert_int_equal(mmk_exit(1), 0);
	assert_lru(m, 0, 0, 0, 0, 0, 0);
	assert_check_ok(m);
}

/* A copy-on-write copy in a locked VMA is mlocked, the page it copies
 * loses that mapping's mlock. */
static void test_cow_in_locked_vma(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(mmk_spawn(1, false), 0);
	map_anon(1, A, 4 * PG, MAP_POPULATE);
	assert_int_equal(mmk_fork(1, 2), 0);
	/* Read-only, mlock's populate shares the pages (no COW). */
	assert_int_equal(mmk_mprotect(2, A, 4 * PG, PROT_READ), 0);
	assert_int_equal(mmk_mlock(2, A, 4 * PG), 0);
	assert_lru(m, 0, 0, 0, 0, 16, 16);
	assert_int_equal(mmk_mprotect(2, A, 4 * PG, RW), 0);
	assert_int_equal(mmk_touch(2, A, 4 * PG, true), 0);
	/* 2's copies are mlocked; 1's pages, no longer in a locked VMA,
	 * are evictable again. */
	assert_lru(m, 0, 16, 0, 0, 16, 16);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	assert_lru(m, 0, 0, 0, 0, 0, 0);
	assert_check_ok(m);
}

/* lru_page_tryget() (KSM's get_ksm_page): a reference to a page on an
 * LRU list; none (-EBUSY) to one off the lists, isolated or never added,
 * whose freeing need not go through put_page(). */
static void test_lru_page_tryget(void **state)
{
	struct mmk_machine *m = boot(state);
	struct page *page = alloc_page(GFP_HIGHUSER_MOVABLE);
	bool file;

	assert_non_null(page);
	assert_int_equal(lru_page_tryget(m, page), -EBUSY);
	assert_int_equal(page_count(page), 1);
	lru_add(m, page);
	assert_int_equal(lru_page_tryget(m, page), 1);
	assert_int_equal(page_count(page), 2);
	put_page(page);
	/* Neither anonymous nor swap-backed: the file list. */
	assert_true(isolate_page(m, page, &file));
	assert_true(file);
	assert_int_equal(lru_page_tryget(m, page), -EBUSY);
	assert_int_equal(page_count(page), 2);
	putback_lru_page(m, page, file);
	assert_int_equal(lru_page_tryget(m, page), 1);
	put_page(page);
	assert_lru(m, 0, 0, 0, 4, 0, 0);
	put_page(page);
	assert_lru(m, 0, 0, 0, 0, 0, 0);
	assert_check_ok(m);
}

/* Swap entries (mm/internal.h, mm/pgtable.h): a PTE keeps the type in
 * bits 1-5 and the offset from bit 12, within i386's 32 bits for the
 * largest i386 area (4G: offsets below 2^20); shmem keeps the entry
 * shifted by one in an xarray value entry. */
static void test_swap_entry_encoding(void **state)
{
	static const unsigned int types[] = { 0, 1, 30, MAX_SWAPFILES - 1 };
	static const unsigned long offs[] = { 1, 2, 0xfffffUL };
	unsigned long e;
	size_t t, o;
	pte_t v;

	(void)state;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			e = swp_entry(types[t], offs[o]);
			assert_int_equal(swp_type(e), types[t]);
			assert_int_equal(swp_offset(e), offs[o]);
			assert_int_not_equal(e, 0);
			v = swp_entry_to_pte(e);
			assert_true(v <= 0xffffffffUL);
			assert_true(is_swap_pte(v));
			assert_false(pte_mapped(v));
			assert_false(is_guard_marker(v));
			assert_int_equal(pte_to_swp_entry(v), e);
			assert_int_equal(((e << 1) | 1) >> 1, e);
		}
	}
	/* x86_64's largest area, 64G: offsets below 2^24. */
	e = swp_entry(MAX_SWAPFILES - 1, (1UL << 24) - 1);
	assert_int_equal(pte_to_swp_entry(swp_entry_to_pte(e)), e);
}

/* mmk_swapon() and mmk_swapoff(): their argument checks, then an area
 * enabled and removed with nothing else changed. */
static void test_swapon_swapoff_arguments(void **state)
{
	struct mmk_machine *m = boot(state);

	assert_int_equal(mmk_swapon(NULL, 1 << 20, -1), -EINVAL);
	assert_int_equal(mmk_swapon("swap2", 1 << 20, -1), -EINVAL);
	assert_int_equal(mmk_swapon("/swap2", 1 << 20, -2), -EINVAL);
	assert_int_equal(mmk_swapon("/swap2", 1 << 20, 32768), -EINVAL);
	assert_int_equal(mmk_swapon("/swap2", 36 << 10, -1), -EINVAL);
	assert_int_equal(mmk_swapon("/swap2", (64ULL << 30) + PG, -1), -EINVAL);
	assert_int_equal(mmk_swapoff(NULL), -EINVAL);
	assert_int_equal(mmk_swapoff("/swap2"), -EINVAL);
	assert_int_equal(meminfo_kb(m, "SwapTotal"), 0);
	assert_int_equal(mmk_swapon("/swap2", 40 << 10, 32767), 0);
	assert_int_equal(meminfo_kb(m, "SwapTotal"), 36);
	assert_int_equal(mmk_swapon("/swap2", 1 << 20, 0), -EBUSY);
	assert_check_ok(m);
	assert_int_equal(mmk_swapoff("/swap2"), 0);
	assert_int_equal(meminfo_kb(m, "SwapTotal"), 0);
	assert_int_equal(mmk_swapoff("/swap2"), -EINVAL);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_anon_lists, mmk_test_teardown),
		cmocka_unit_test_teardown(test_shmem_and_file_lists,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_mlock_counts, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mlock_count_per_mapping,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_dontunmap_strands_mlocked_pages,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_cow_in_locked_vma,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_lru_page_tryget,
					  mmk_test_teardown),
		cmocka_unit_test(test_swap_entry_encoding),
		cmocka_unit_test_teardown(test_swapon_swapoff_arguments,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
