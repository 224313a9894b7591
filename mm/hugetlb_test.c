/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of HugeTLB pages (mm/hugetlb.c): the pool and its sysctls,
 * MAP_HUGETLB's address and length rules, reservations, faults, fork and
 * COW with an exhausted pool, shared mappings and hole punching, splits,
 * mremap, surplus pages, i386's 4 MiB PGD entries, NUMA nodes, procfs and
 * the verifier. The numbers are Linux 6.18's, measured on this machine's
 * kernel (tests/hugetlb_diff_test.c compares with it directly).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/hugetlb.h"

#define PG 4096UL
#define H (2UL << 20)
#define A 0x7f0000000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB)

static struct mmk_machine *boot(void **state, enum mmk_arch arch, int nodes,
				unsigned long pool)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = 128ULL << 20;
	cfg.nr_nodes = nodes;
	cfg.nr_cpus = nodes;
	*state = mmk_test_boot_cfg(&cfg);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_set_nr_hugepages(-1, pool), 0);
	return *state;
}

/* HugePages_Total/Free/Rsvd/Surp as "T/F/R/S". */
static void assert_pool(struct mmk_machine *m, const char *want)
{
	char got[64];

	snprintf(got, sizeof got, "%lu/%lu/%lu/%lu",
		 meminfo_kb(m, "HugePages_Total"),
		 meminfo_kb(m, "HugePages_Free"),
		 meminfo_kb(m, "HugePages_Rsvd"),
		 meminfo_kb(m, "HugePages_Surp"));
	assert_string_equal(got, want);
}

static uint64_t read_ok(int pid, unsigned long addr)
{
	uint64_t v = ~0ULL;

	assert_int_equal(mmk_read_u64(pid, addr, &v), 0);
	return v;
}

static char *file_of(struct mmk_machine *m, const char *path)
{
	return proc(m, path);
}

/* The pool follows vm.nr_hugepages as far as memory allows. */
static void test_pool(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 0);
	unsigned long free0 = meminfo_kb(m, "MemFree");
	unsigned long limit0 = meminfo_kb(m, "CommitLimit");
	char *text;

	assert_pool(m, "0/0/0/0");
	assert_int_equal(mmk_set_nr_hugepages(-1, 4), 0);
	assert_pool(m, "4/4/0/0");
	assert_int_equal(meminfo_kb(m, "Hugetlb"), 8192);
	assert_int_equal(meminfo_kb(m, "Hugepagesize"), 2048);
	assert_int_equal(free0 - meminfo_kb(m, "MemFree"), 8192);
	/* CommitLimit leaves the pool out of RAM: half of 8 MiB less. */
	assert_int_equal(limit0 - meminfo_kb(m, "CommitLimit"), 4096);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), 4);
	text = file_of(m, "/proc/sys/vm/nr_hugepages");
	assert_string_equal(text, "4\n");
	free(text);
	text = file_of(m, "/sys/kernel/mm/hugepages/hugepages-2048kB/"
			  "free_hugepages");
	assert_string_equal(text, "4\n");
	free(text);
	assert_null(mmk_proc_read(m, "/sys/kernel/mm/hugepages/"
				     "hugepages-4096kB/free_hugepages"));
	assert_int_equal(mmk_set_nr_hugepages(-1, 1), 0);
	assert_pool(m, "1/1/0/0");
	assert_int_equal(mmk_set_nr_hugepages(-1, 0), 0);
	assert_pool(m, "0/0/0/0");
	assert_int_equal(meminfo_kb(m, "MemFree"), free0);
	/* More than memory holds: what the page allocator can give. */
	assert_int_equal(mmk_set_nr_hugepages(-1, 1000), 0);
	assert_true(meminfo_kb(m, "HugePages_Total") > 40);
	assert_true(meminfo_kb(m, "HugePages_Total") < 64);
	assert_true(vmstat(m, "htlb_buddy_alloc_fail") >= 1);
	assert_check_ok(m);
	assert_int_equal(mmk_set_nr_hugepages(-1, 0), 0);
	assert_pool(m, "0/0/0/0");
	assert_int_equal(mmk_set_nr_hugepages(1, 1), -EINVAL);
	assert_int_equal(mmk_set_nr_hugepages(-2, 1), -EINVAL);
	assert_check_ok(m);
}

/* Length, address and flags of MAP_HUGETLB (ksys_mmap_pgoff and
 * hugetlb_get_unmapped_area). */
static void test_mmap_rules(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 4);
	struct file *f = mmk_file_create("data", 4 * H, false);
	char *maps, want[256];
	long p;

	assert_non_null(f);
	/* The length rounds up to whole huge pages. */
	assert_int_equal(mmk_mmap(1, A, PG, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_pool(m, "4/4/1/0");
	/* An unaligned fixed address is EINVAL, a hint is rounded up. */
	assert_int_equal(mmk_mmap(1, A + 8 * H + PG, PG, RW, PRIV | MAP_FIXED,
				  NULL, 0),
			 -EINVAL);
	assert_int_equal(mmk_mmap(1, A + 8 * H + PG, PG, RW, PRIV, NULL, 0),
			 (long)(A + 9 * H));
	/* Any address it picks is aligned too. */
	p = mmk_mmap(1, 0, PG, RW, PRIV, NULL, 0);
	assert_true(p > 0 && !(p & (long)(H - 1)));
	assert_int_equal(mmk_mmap(1, 0, 0, RW, PRIV, NULL, 0), -EINVAL);
	/* Page sizes: the default (21), 1 GiB (an empty pool), others. */
	assert_int_equal(mmk_mmap(1, A + 20 * H, PG, RW,
				  PRIV | MAP_FIXED | (21 << MAP_HUGE_SHIFT),
				  NULL, 0),
			 (long)(A + 20 * H));
	assert_int_equal(mmk_mmap(1, 0, PG, RW, PRIV | (30 << MAP_HUGE_SHIFT),
				  NULL, 0),
			 -ENOMEM);
	assert_int_equal(mmk_mmap(1, 0, PG, RW, PRIV | (16 << MAP_HUGE_SHIFT),
				  NULL, 0),
			 -EINVAL);
	/* A regular file cannot be mapped with huge pages. */
	assert_int_equal(mmk_mmap(1, 0, PG, RW, MAP_SHARED | MAP_HUGETLB, f, 0),
			 -EINVAL);
	/* Four pages reserved: a fifth is ENOMEM, unless not reserved. */
	assert_pool(m, "4/4/4/0");
	assert_int_equal(mmk_mmap(1, 0, H, RW, SHARED, NULL, 0), -ENOMEM);
	assert_int_equal(mmk_mmap(1, A + 30 * H, 9 * H, RW,
				  PRIV | MAP_FIXED | MAP_NORESERVE, NULL, 0),
			 (long)(A + 30 * H));
	assert_pool(m, "4/4/4/0");
	/* One file each: adjacent mappings never merge; no commit charge. */
	assert_int_equal(meminfo_kb(m, "Committed_AS"), 0);
	assert_int_equal(mmk_munmap(1, A + 9 * H, H), 0);
	assert_int_equal(mmk_munmap(1, (unsigned long)p, H), 0);
	assert_int_equal(mmk_mmap(1, A + H, H, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)(A + H));
	maps = file_of(m, "/proc/1/maps");
	snprintf(want, sizeof want,
		 "%lx-%lx rw-p 00000000 00:11 1002                       "
		 "/anon_hugepage (deleted)\n"
		 "%lx-%lx rw-p 00000000 00:11 1009                       "
		 "/anon_hugepage (deleted)\n",
		 A, A + H, A + H, A + 2 * H);
	assert_memory_equal(maps, want, strlen(want));
	free(maps);
	assert_int_equal(smaps_kb(m, 1, A, "KernelPageSize"), 2048);
	assert_int_equal(smaps_kb(m, 1, A, "MMUPageSize"), 2048);
	assert_check_ok(m);
	fput(f);
}

/* Reservations are consumed by faults, restored by the owner's
 * MADV_DONTNEED, released by munmap (the __unmap_hugepage_range and
 * hugetlb_vm_op_close rules). */
static void test_reservations(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 8);

	assert_int_equal(mmk_mmap(1, A, 4 * H, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_pool(m, "8/8/4/0");
	/* A read fault allocates a zeroed page (no huge zero page). */
	assert_int_equal(read_ok(1, A + 8), 0);
	assert_pool(m, "8/7/3/0");
	assert_int_equal(mmk_write_u64(1, A + H + 16, 5), 0);
	assert_pool(m, "8/6/2/0");
	assert_int_equal(read_ok(1, A + H + 16), 5);
	assert_int_equal(proc_field(m, "/proc/1/status", "HugetlbPages", ':'),
			 4096);
	assert_int_equal(proc_field(m, "/proc/1/status", "VmRSS", ':'), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Private_Hugetlb"), 4096);
	assert_int_equal(smaps_kb(m, 1, A, "Rss"), 0);
	/* DONTNEED: aligned start, end rounded down; the page goes and its
	 * reservation comes back. */
	assert_int_equal(mmk_madvise(1, A + PG, PG, MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + H, H - PG, MADV_DONTNEED), 0);
	assert_pool(m, "8/6/2/0");
	assert_int_equal(mmk_madvise(1, A + H, H + PG, MADV_DONTNEED), 0);
	assert_pool(m, "8/7/3/0");
	assert_int_equal(read_ok(1, A + H + 16), 0);
	assert_pool(m, "8/6/2/0");
	/* munmap: an unfaulted page's reservation goes, a faulted page. */
	assert_int_equal(mmk_munmap(1, A + 3 * H, H), 0);
	assert_pool(m, "8/6/1/0");
	assert_int_equal(mmk_munmap(1, A, H), 0);
	assert_pool(m, "8/7/1/0");
	/* Advice that is not for huge pages. */
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_FREE), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_COLD), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_PAGEOUT), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_WIPEONFORK), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_REMOVE), -EACCES);
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_WILLNEED), 0);
	assert_int_equal(mmk_madvise(1, A + H, H, MADV_MERGEABLE), 0);
	/* mlock faults pages in but never locks them. */
	assert_int_equal(mmk_mlock(1, A + 2 * H, PG), 0);
	assert_pool(m, "8/6/0/0");
	assert_int_equal(proc_field(m, "/proc/1/status", "VmLck", ':'), 0);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_pool(m, "8/8/0/0");
	assert_check_ok(m);
}

/* Fork copies a private mapping's entries; COW takes free pages; with
 * none, the child's copy is SIGBUS and the owner's takes the page from
 * the child (unmap_ref_private). */
static void test_fork_cow(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 3);

	assert_int_equal(mmk_mmap(1, A, 2 * H, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	assert_int_equal(mmk_write_u64(1, A + H, 2), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(smaps_kb(m, 2, A, "Shared_Hugetlb"), 4096);
	assert_int_equal(smaps_kb(m, 1, A, "Shared_Hugetlb"), 4096);
	assert_int_equal(proc_field(m, "/proc/2/status", "HugetlbPages", ':'),
			 4096);
	/* The child's write copies into the last free page. */
	assert_int_equal(mmk_write_u64(2, A, 3), 0);
	assert_pool(m, "3/0/0/0");
	assert_int_equal(read_ok(1, A), 1);
	assert_int_equal(read_ok(2, A), 3);
	assert_int_equal(smaps_kb(m, 1, A, "Private_Hugetlb"), 2048);
	assert_int_equal(smaps_kb(m, 1, A, "Shared_Hugetlb"), 2048);
	/* No page left: the child's copy fails, the owner's succeeds. */
	assert_int_equal(mmk_write_u64(2, A + H, 4), MMK_SIGBUS);
	assert_false(dmesg_has(m, "inadequate hugepage pool"));
	assert_int_equal(mmk_write_u64(1, A + H, 5), 0);
	assert_int_equal(read_ok(1, A + H), 5);
	assert_int_equal(smaps_kb(m, 2, A, "Shared_Hugetlb"), 0);
	assert_int_equal(smaps_kb(m, 2, A, "Private_Hugetlb"), 2048);
	assert_int_equal(mmk_touch(2, A + H, 8, false), MMK_SIGBUS);
	assert_true(
		dmesg_has(m, "PID 2 killed due to inadequate hugepage pool"));
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(read_ok(2, A), 3);
	assert_int_equal(mmk_exit(2), 0);
	assert_pool(m, "3/3/0/0");
	assert_check_ok(m);
}

/* A shared mapping's pages belong to its file: fork does not copy the
 * entries, the child faults the same pages; MADV_REMOVE punches whole
 * huge pages out of every process. */
static void test_shared(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 4);
	char *numa;

	assert_int_equal(mmk_mmap(1, A, 3 * H, RW, SHARED | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_pool(m, "4/4/3/0");
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	assert_int_equal(mmk_write_u64(1, A + H, 2), 0);
	assert_pool(m, "4/2/1/0");
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(smaps_kb(m, 2, A, "Private_Hugetlb"), 0);
	assert_int_equal(read_ok(2, A + H), 2);
	assert_int_equal(mmk_write_u64(2, A, 7), 0);
	assert_int_equal(read_ok(1, A), 7);
	assert_pool(m, "4/2/1/0");
	numa = file_of(m, "/proc/1/numa_maps");
	assert_string_equal(numa, "7f0000000000 default "
				  "file=/anon_hugepage\\040(deleted) huge "
				  "dirty=2 mapmax=2 N0=2 "
				  "kernelpagesize_kB=2048\n");
	free(numa);
	/* Partial huge pages of a hole are left; a whole one goes, from
	 * both processes; a later fault gets a new zeroed page. */
	assert_int_equal(mmk_madvise(1, A + PG, PG, MADV_REMOVE), 0);
	assert_int_equal(read_ok(2, A), 7);
	assert_int_equal(mmk_madvise(1, A, H, MADV_REMOVE), 0);
	assert_pool(m, "4/3/1/0");
	assert_int_equal(smaps_kb(m, 2, A, "Shared_Hugetlb"), 2048);
	assert_int_equal(read_ok(2, A), 0);
	/* Unmapping part of it keeps the file's pages. */
	assert_int_equal(mmk_munmap(1, A + H, H), 0);
	assert_pool(m, "4/2/1/0");
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_int_equal(mmk_exit(2), 0);
	assert_pool(m, "4/4/0/0");
	assert_check_ok(m);
}

/* Splits only at huge page boundaries, partial effects kept; mremap by
 * whole huge pages, never growing (align_hugetlb). */
static void test_splits_and_mremap(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 8);
	char *maps, want[512];

	assert_int_equal(mmk_mmap(1, A, 4 * H, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_write_u64(1, A + 3 * H, 9), 0);
	assert_int_equal(mmk_munmap(1, A + PG, PG), -EINVAL);
	assert_int_equal(mmk_munmap(1, A, H + PG), -EINVAL);
	assert_int_equal(mmk_mprotect(1, A + PG, H - PG, PROT_READ), -EINVAL);
	/* The split at the start stays when the one at the end fails. */
	assert_int_equal(mmk_mprotect(1, A + H, H + PG, PROT_READ), -EINVAL);
	assert_int_equal(mmk_mprotect(1, A, H, PROT_READ), 0);
	assert_int_equal(mmk_mprotect(1, A, H, RW), 0);
	/* mremap: growth and unaligned addresses are EINVAL; a move keeps
	 * the pages and the offset. */
	assert_int_equal(mmk_mremap(1, A + 3 * H, H, 2 * H, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A + 3 * H, H, H + PG, MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A + 3 * H, H, H,
				    MREMAP_MAYMOVE | MREMAP_FIXED,
				    A + 10 * H + PG),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A + 3 * H, H, H,
				    MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
				    A + 10 * H),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A + 3 * H, H, H,
				    MREMAP_MAYMOVE | MREMAP_FIXED, A + 10 * H),
			 (long)(A + 10 * H));
	assert_int_equal(read_ok(1, A + 10 * H), 9);
	/* A shrink by a partial page is none; by a whole one unmaps it. */
	assert_int_equal(mmk_mremap(1, A + 2 * H, H, H - PG, 0, 0),
			 (long)(A + 2 * H));
	assert_int_equal(mmk_mremap(1, A + H, 2 * H, H, 0, 0), (long)(A + H));
	maps = file_of(m, "/proc/1/maps");
	snprintf(want, sizeof want,
		 "%lx-%lx rw-p 00000000 00:11 1001                       "
		 "/anon_hugepage (deleted)\n"
		 "%lx-%lx rw-p 00200000 00:11 1001                       "
		 "/anon_hugepage (deleted)\n"
		 "%lx-%lx rw-p 00600000 00:11 1001                       "
		 "/anon_hugepage (deleted)\n",
		 A, A + H, A + H, A + 2 * H, A + 10 * H, A + 11 * H);
	assert_memory_equal(maps, want, strlen(want));
	free(maps);
	/* Four reserved, one used by the page. The move left the rest of
	 * the source VMA's two to nobody: unmapping one of them later gives
	 * nothing back (Linux's clear_vma_resv_huge_pages()). */
	assert_pool(m, "8/7/3/0");
	assert_check_ok(m);
}

/* Surplus pages: vm.nr_overcommit_hugepages lets reservations take pages
 * beyond the pool; shrinking the pool under use makes surplus pages. */
static void test_surplus(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 1);
	char *text;

	assert_int_equal(mmk_mmap(1, A, 3 * H, RW, PRIV | MAP_FIXED, NULL, 0),
			 -ENOMEM);
	assert_int_equal(mmk_set_nr_overcommit_hugepages(2), 0);
	assert_int_equal(mmk_mmap(1, A, 3 * H, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_pool(m, "3/3/3/2");
	assert_int_equal(mmk_touch(1, A, 3 * H, true), 0);
	assert_pool(m, "3/0/0/2");
	/* Shrinking under use: the pages in use stay, as surplus. */
	assert_int_equal(mmk_set_nr_hugepages(-1, 0), 0);
	assert_pool(m, "3/0/0/3");
	text = file_of(m, "/proc/sys/vm/nr_hugepages");
	assert_string_equal(text, "0\n");
	free(text);
	text = file_of(m, "/sys/kernel/mm/hugepages/hugepages-2048kB/"
			  "nr_hugepages");
	assert_string_equal(text, "3\n");
	free(text);
	assert_int_equal(mmk_munmap(1, A, H), 0);
	assert_pool(m, "2/0/0/2");
	/* Growing again turns surplus pages into persistent ones. */
	assert_int_equal(mmk_set_nr_hugepages(-1, 2), 0);
	assert_pool(m, "2/0/0/0");
	assert_int_equal(mmk_exit(1), 0);
	assert_pool(m, "2/2/0/0");
	assert_int_equal(mmk_set_nr_overcommit_hugepages(0), 2);
	/* A fault beyond the reservations and the overcommit: SIGBUS. */
	assert_int_equal(mmk_spawn(3, false), 0);
	assert_int_equal(mmk_mmap(3, A, 3 * H, RW,
				  PRIV | MAP_FIXED | MAP_NORESERVE, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_touch(3, A, 3 * H, true), MMK_SIGBUS);
	assert_int_equal(proc_field(m, "/proc/3/status", "HugetlbPages", ':'),
			 4096);
	assert_check_ok(m);
}

/* i386: 4 MiB pages in PGD entries, no page table below them. */
static void test_i386(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_I386, 1, 2);
	long p;

	assert_int_equal(meminfo_kb(m, "Hugepagesize"), 4096);
	assert_int_equal(meminfo_kb(m, "Hugetlb"), 8192);
	p = mmk_mmap(1, 0, PG, RW, PRIV, NULL, 0);
	assert_true(p > 0 && !(p & ((4L << 20) - 1)));
	assert_int_equal(mmk_write_u64(1, (unsigned long)p + (3UL << 20), 6),
			 0);
	assert_int_equal(read_ok(1, (unsigned long)p + (3UL << 20)), 6);
	assert_int_equal(proc_field(m, "/proc/1/status", "VmPTE", ':'), 0);
	assert_int_equal(proc_field(m, "/proc/1/status", "HugetlbPages", ':'),
			 4096);
	assert_int_equal(smaps_kb(m, 1, (unsigned long)p, "KernelPageSize"),
			 4096);
	assert_int_equal(mmk_munmap(1, (unsigned long)p, 2UL << 20), -EINVAL);
	assert_int_equal(mmk_mmap(1, 0, PG, RW, PRIV | (21 << MAP_HUGE_SHIFT),
				  NULL, 0),
			 -EINVAL);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_write_u64(2, (unsigned long)p, 1), 0);
	assert_pool(m, "2/0/0/0");
	assert_check_ok(m);
}

/* Two nodes: the pool alternates between them; a node's own files and
 * target; the OOM report's lines. */
static void test_nodes(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 2, 3);
	char *text;

	text = file_of(m, "/sys/devices/system/node/node0/hugepages/"
			  "hugepages-2048kB/nr_hugepages");
	assert_string_equal(text, "1\n");
	free(text);
	text = file_of(m, "/sys/devices/system/node/node1/hugepages/"
			  "hugepages-2048kB/free_hugepages");
	assert_string_equal(text, "2\n");
	free(text);
	assert_null(mmk_proc_read(m, "/sys/devices/system/node/node2/"
				     "hugepages/hugepages-2048kB/"
				     "nr_hugepages"));
	assert_null(mmk_proc_read(m, "/sys/devices/system/node/node0/"
				     "hugepages/hugepages-2048kB/"
				     "resv_hugepages"));
	/* Node 0's target: the other node's pages stay. */
	assert_int_equal(mmk_set_nr_hugepages(0, 3), 0);
	assert_pool(m, "5/5/0/0");
	text = file_of(m, "/sys/devices/system/node/node0/hugepages/"
			  "hugepages-2048kB/nr_hugepages");
	assert_string_equal(text, "3\n");
	free(text);
	assert_int_equal(mmk_set_nr_hugepages(1, 0), 0);
	assert_pool(m, "3/3/0/0");
	assert_check_ok(m);
}

/* The verifier sees a wrong mapping count and a wrong usage count. */
static void test_verifier(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 1, 2);
	uint64_t entry;
	struct page *page;

	assert_int_equal(mmk_mmap(1, A, H, RW, PRIV | MAP_FIXED, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", &entry,
					sizeof entry, (A / PG) * 8),
			 8);
	/* Present and exclusively mapped, the first subpage. */
	assert_true(entry >> 63);
	assert_true((entry >> 56) & 1);
	page = m->mem_map + (entry & ((1ULL << 55) - 1));
	assert_int_equal(page_type_of(page), PGTY_hugetlb);
	assert_check_ok(m);
	atomic_fetch_add(&page[1]._mapcount, 1);
	assert_check_fails(m, "mapcount 2");
	atomic_fetch_sub(&page[1]._mapcount, 1);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pool, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mmap_rules, mmk_test_teardown),
		cmocka_unit_test_teardown(test_reservations, mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork_cow, mmk_test_teardown),
		cmocka_unit_test_teardown(test_shared, mmk_test_teardown),
		cmocka_unit_test_teardown(test_splits_and_mremap,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_surplus, mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386, mmk_test_teardown),
		cmocka_unit_test_teardown(test_nodes, mmk_test_teardown),
		cmocka_unit_test_teardown(test_verifier, mmk_test_teardown),
	};

	return cmocka_run_group_tests_name("hugetlb", tests, NULL, NULL);
}
