/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of memfd_create, ftruncate, fallocate, file seals, pread
 * and pwrite (mm/memfd.c, mm/truncate.c, fs/read_write.c): size
 * changes and what mappings, the
 * cache, swap, mlock and the overcommit charge see of them; seals
 * against mmap, mprotect, pins and size changes; argument errors; the
 * verifier's i_mmap_writable check. Results are Linux 6.18's (measured
 * on this machine's kernel; tests/memfd_diff_test.c compares directly).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/vma.h"

#define PG 4096UL
#define A 0x200000000UL
#define RW (PROT_READ | PROT_WRITE)

static struct mmk_machine *boot(void **state)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 64ULL << 20;
	*state = mmk_test_boot_cfg(&cfg);
	assert_int_equal(mmk_spawn(1, false), 0);
	return *state;
}

static uint64_t read_ok(int pid, unsigned long addr)
{
	uint64_t v = ~0ULL;

	assert_int_equal(mmk_read_u64(pid, addr, &v), 0);
	return v;
}

static long map(unsigned long addr, unsigned long len, unsigned long prot,
		unsigned long flags, struct file *f)
{
	return mmk_mmap(1, addr, len, prot, flags | MAP_FIXED, f, 0);
}

/* A shrink takes the pages past the end from the cache, from shared
 * mappings and private copies (SIGBUS after), gives back the memfd's
 * charge, and zeroes the rest of the last page; a grow reads zeroes. */
static void test_shrink_and_grow(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_memfd("t", 0);
	long committed;
	uint64_t v = 0;

	assert_non_null(f);
	assert_int_equal(mmk_ftruncate(f, 16 * PG), 0);
	assert_int_equal(map(A, 16 * PG, RW, MAP_SHARED, f), (long)A);
	assert_int_equal(map(A + 64 * PG, 16 * PG, RW, MAP_PRIVATE, f),
			 (long)(A + 64 * PG));
	committed = (long)meminfo_kb(m, "Committed_AS");
	assert_int_equal(mmk_touch(1, A, 16 * PG, true), 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 64);
	assert_int_equal((long)meminfo_kb(m, "Committed_AS") - committed, 64);
	/* A private copy of page 12, a shared write in page 4's tail. */
	assert_int_equal(mmk_write_u64(1, A + 76 * PG, 0x1234), 0);
	assert_int_equal(mmk_write_u64(1, A + 4 * PG + 2048, 0x77), 0);
	assert_int_equal(mmk_ftruncate(f, 4 * PG + 100), 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 20);
	assert_int_equal((long)meminfo_kb(m, "Committed_AS") - committed, 20);
	assert_int_equal(smaps_kb(m, 1, A + 64 * PG, "Anonymous"), 0);
	assert_int_equal(mmk_read_u64(1, A + 76 * PG, &v), MMK_SIGBUS);
	assert_int_equal(mmk_read_u64(1, A + 5 * PG, &v), MMK_SIGBUS);
	/* Zeroed past the new end, in the page every mapping shares. */
	assert_int_equal(read_ok(1, A + 4 * PG + 2048), 0);
	assert_int_equal(mmk_ftruncate(f, 16 * PG), 0);
	assert_int_equal(read_ok(1, A + 10 * PG), 0);
	assert_int_equal(read_ok(1, A + 76 * PG), 0);
	assert_check_ok(m);
	fput(f);
}

/* A regular file: the blocks past the end go too, and a grow zeroes the
 * old last page past the old end. */
static void test_regular_file(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_file_create("r", 100, false);

	assert_non_null(f);
	assert_int_equal(map(A, PG, RW, MAP_SHARED, f), (long)A);
	assert_int_equal(mmk_write_u64(1, A + 200, 7), 0);
	assert_int_equal(mmk_ftruncate(f, PG), 0);
	assert_int_equal(read_ok(1, A + 200), 0);
	assert_int_equal(mmk_ftruncate(f, 1ULL << 44), -EFBIG);
	assert_int_equal(mmk_ftruncate(f, -1), -EINVAL);
	assert_int_equal(mmk_ftruncate(NULL, 0), -EBADF);
	assert_int_equal(mmk_fallocate(f, FALLOC_FL_COLLAPSE_RANGE, 0, PG),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_fallocate(f, FALLOC_FL_ZERO_RANGE, 0, 3 * PG), 0);
	assert_int_equal(file_size(f), 3 * PG);
	assert_int_equal(mmk_fcntl(f, F_GET_SEALS, 0), -EINVAL);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_GROW), -EINVAL);
	assert_check_ok(m);
	fput(f);
}

/* Truncating pages that are locked, or in swap. */
static void test_mlocked_and_swapped(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_memfd("t", 0);

	assert_int_equal(mmk_swapon("/swap", 8UL << 20, -1), 0);
	assert_int_equal(mmk_ftruncate(f, 8 * PG), 0);
	assert_int_equal(map(A, 8 * PG, RW, MAP_SHARED | MAP_LOCKED, f),
			 (long)A);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 32);
	assert_int_equal(mmk_ftruncate(f, 2 * PG), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 8);
	assert_int_equal(mmk_munmap(1, A, 8 * PG), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked"), 0);
	/* Written pages paged out to swap: a shrink frees their slots, and
	 * the partial last page comes back to be zeroed. */
	assert_int_equal(mmk_ftruncate(f, 8 * PG), 0);
	assert_int_equal(map(A, 8 * PG, RW, MAP_SHARED, f), (long)A);
	assert_int_equal(mmk_touch(1, A, 8 * PG, true), 0);
	assert_int_equal(mmk_write_u64(1, A + PG + 8, 5), 0);
	assert_int_equal(mmk_write_u64(1, A + PG + 16, 6), 0);
	assert_int_equal(mmk_madvise(1, A, 8 * PG, MADV_PAGEOUT), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 32);
	assert_int_equal(meminfo_kb(m, "Shmem"), 0);
	assert_int_equal(mmk_ftruncate(f, PG + 12), 0);
	assert_int_equal(smaps_kb(m, 1, A, "Swap"), 4);
	assert_int_equal(meminfo_kb(m, "Shmem"), 4);
	assert_int_equal(read_ok(1, A + PG + 8), 5);
	assert_int_equal(read_ok(1, A + PG + 16), 0);
	assert_int_equal(mmk_munmap(1, A, 8 * PG), 0);
	assert_int_equal(mmk_ftruncate(f, 0), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree"), meminfo_kb(m, "SwapTotal"));
	assert_check_ok(m);
	fput(f);
	assert_int_equal(mmk_swapoff("/swap"), 0);
}

/* fallocate gives a memfd pages (past the end with KEEP_SIZE), which a
 * strict overcommit may refuse: then none of the call's stay. */
static void test_fallocate(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_memfd("t", MFD_ALLOW_SEALING);
	uint64_t v;

	assert_int_equal(mmk_fallocate(f, 0, 0, 4 * PG), 0);
	assert_int_equal(file_size(f), 4 * PG);
	assert_int_equal(meminfo_kb(m, "Shmem"), 16);
	assert_int_equal(mmk_fallocate(f, FALLOC_FL_KEEP_SIZE, 4 * PG, 4 * PG),
			 0);
	assert_int_equal(file_size(f), 4 * PG);
	assert_int_equal(meminfo_kb(m, "Shmem"), 32);
	assert_int_equal(map(A, 8 * PG, RW, MAP_SHARED, f), (long)A);
	assert_int_equal(mmk_read_u64(1, A + 5 * PG, &v), MMK_SIGBUS);
	/* A grow shows them, zeroed; a shrink below takes them. */
	assert_int_equal(mmk_ftruncate(f, 8 * PG), 0);
	assert_int_equal(read_ok(1, A + 5 * PG), 0);
	assert_int_equal(mmk_ftruncate(f, 2 * PG), 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 8);
	assert_check_ok(m);
	/* Strict overcommit without room: -ENOSPC, nothing kept. */
	assert_int_equal(mmk_set_overcommit_memory(2), 0);
	assert_int_equal(mmk_fallocate(f, 0, 0, 1LL << 30), -ENOSPC);
	assert_int_equal(meminfo_kb(m, "Shmem"), 8);
	assert_int_equal(file_size(f), 2 * PG);
	assert_int_equal(mmk_set_overcommit_memory(0), 2);
	/* Argument errors, in vfs_fallocate's order. */
	assert_int_equal(mmk_fallocate(f, 0, -1, PG), -EINVAL);
	assert_int_equal(mmk_fallocate(f, 0, 0, 0), -EINVAL);
	assert_int_equal(mmk_fallocate(f, FALLOC_FL_PUNCH_HOLE, 0, PG),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_fallocate(f, 0x100, 0, PG), -EOPNOTSUPP);
	assert_int_equal(mmk_fallocate(f, FALLOC_FL_ZERO_RANGE, 0, PG),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_fallocate(f, 0, 1LL << 62, 1LL << 62), -EFBIG);
	assert_int_equal(mmk_fallocate(NULL, 0, 0, PG), -EBADF);
	assert_check_ok(m);
	fput(f);
}

/* Seals: what each refuses, F_SEAL_WRITE against a shared writable
 * mapping and a pinned page, the verifier's count of writable shared
 * mappings. */
static void test_seals(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_memfd("t", MFD_ALLOW_SEALING);
	struct mm_struct *mm;
	struct page *page;
	char name[260];

	assert_int_equal(mmk_fcntl(f, F_GET_SEALS, 0), 0);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, 0x40), -EINVAL);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, 1UL << 32), -EINVAL);
	assert_int_equal(mmk_fcntl(f, 0, 0), -EINVAL);
	assert_int_equal(mmk_ftruncate(f, 2 * PG), 0);
	assert_int_equal(map(A, 2 * PG, RW, MAP_SHARED, f), (long)A);
	assert_int_equal(atomic_load(&f->i_mmap_writable), 1);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), -EBUSY);
	assert_int_equal(mmk_munmap(1, A, 2 * PG), 0);
	/* A pin (get_user_pages) is a writer to come. */
	assert_int_equal(map(A, 2 * PG, RW, MAP_PRIVATE, f), (long)A);
	mm = mmk_get_mm(1);
	mmap_write_lock(mm);
	assert_int_equal(get_user_pages_remote(mm, A, 1, false, &page), 1);
	mmap_write_unlock(mm);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), -EBUSY);
	put_page(page);
	mmput(mm);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), 0);
	assert_int_equal(atomic_load(&f->i_mmap_writable), -1);
	assert_int_equal(map(A + 8 * PG, PG, RW, MAP_SHARED, f), -EPERM);
	assert_int_equal(map(A + 8 * PG, PG, PROT_READ, MAP_SHARED, f),
			 (long)(A + 8 * PG));
	assert_int_equal(mmk_mprotect(1, A + 8 * PG, PG, RW), -EACCES);
	assert_int_equal(mmk_mprotect(1, A, PG, RW), 0);
	assert_int_equal(
		mmk_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			      PG),
		-EPERM);
	assert_check_ok(m);
	atomic_store(&f->i_mmap_writable, 0);
	assert_check_fails(m, "i_mmap_writable 0");
	atomic_store(&f->i_mmap_writable, -1);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_SEAL), 0);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_GROW), -EPERM);
	assert_int_equal(mmk_fcntl(f, F_GET_SEALS, 0),
			 F_SEAL_SEAL | F_SEAL_WRITE);
	fput(f);
	/* memfd_create's rules. */
	memset(name, 'n', 249);
	name[249] = 0;
	f = mmk_memfd(name, MFD_CLOEXEC);
	assert_non_null(f);
	assert_int_equal(mmk_fcntl(f, F_GET_SEALS, 0), F_SEAL_SEAL);
	fput(f);
	name[249] = 'n';
	name[250] = 0;
	assert_null(mmk_memfd(name, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(mmk_memfd("x", MFD_HUGETLB));
	assert_null(mmk_memfd("x", MFD_EXEC | MFD_NOEXEC_SEAL));
	assert_null(mmk_memfd("x", 0x100));
	f = mmk_memfd("n", MFD_NOEXEC_SEAL);
	assert_int_equal(mmk_fcntl(f, F_GET_SEALS, 0), F_SEAL_EXEC);
	/* No exec bits: F_SEAL_EXEC implies nothing more. */
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_EXEC), 0);
	assert_int_equal(mmk_fcntl(f, F_GET_SEALS, 0), F_SEAL_EXEC);
	fput(f);
	assert_check_ok(m);
}

/* pwrite and pread of a memfd: the bytes land in the cache that
 * mappings share, a write extends the file, a read stops at its end and
 * allocates nothing for holes or fallocate's pages; the seals. */
static void test_pread_pwrite_memfd(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_memfd("t", MFD_ALLOW_SEALING);
	unsigned char buf[3 * 4096];
	uint64_t v = 0x1122334455667788ULL;
	size_t i;

	assert_int_equal(mmk_pwrite(f, &v, 8, 4090), 8);
	assert_int_equal(file_size(f), 4098);
	assert_int_equal(meminfo_kb(m, "Shmem"), 8);
	assert_int_equal(map(A, 2 * PG, RW, MAP_SHARED, f), (long)A);
	assert_int_equal(read_ok(1, A + 4088), 0x3344556677880000ULL);
	assert_int_equal(read_ok(1, A + 4096), 0x1122);
	assert_int_equal(mmk_write_u64(1, A + 8, 0xabcd), 0);
	memset(buf, 0xee, sizeof buf);
	assert_int_equal(mmk_pread(f, buf, sizeof buf, 0), 4098);
	assert_int_equal(buf[8], 0xcd);
	assert_int_equal(buf[4097], 0x11);
	assert_int_equal(buf[4098], 0xee);
	assert_int_equal(mmk_pread(f, buf, 1, 4098), 0);
	assert_int_equal(mmk_pread(f, buf, 1, 1LL << 40), 0);
	assert_int_equal(mmk_pread(f, buf, 1, -1), -EINVAL);
	assert_int_equal(mmk_pwrite(f, buf, 1, -1), -EINVAL);
	assert_int_equal(mmk_pread(f, NULL, 1, 0), -EFAULT);
	assert_int_equal(mmk_pwrite(f, buf, 0, 1LL << 62), 0);
	/* Holes and fallocate's pages read as zeroes, allocating none. */
	assert_int_equal(mmk_ftruncate(f, 16 * PG), 0);
	assert_int_equal(mmk_fallocate(f, FALLOC_FL_KEEP_SIZE, 8 * PG, PG), 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 12);
	assert_int_equal(mmk_pread(f, buf, 3 * PG, 7 * PG), 3 * PG);
	for (i = 0; i < sizeof buf; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(meminfo_kb(m, "Shmem"), 12);
	/* F_SEAL_GROW: the pages inside are written, the one past the end
	 * refused. */
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_GROW), 0);
	assert_int_equal(mmk_pwrite(f, buf, 2 * PG, 15 * PG), PG);
	assert_int_equal(mmk_pwrite(f, buf, 1, 16 * PG), -EPERM);
	assert_int_equal(mmk_fcntl(f, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0);
	assert_int_equal(mmk_pwrite(f, buf, 1, 0), -EPERM);
	assert_int_equal(mmk_pread(f, buf, 8, 0), 8);
	assert_check_ok(m);
	fput(f);
}

/* A regular file: a read reads ahead (a first window of 4 pages, whose
 * mark reads the next 8), a write dirties and extends it; a read-only
 * file refuses writes, past ext4's largest file is EFBIG. */
static void test_pread_pwrite_regular(void **state)
{
	struct mmk_machine *m = boot(state);
	struct file *f = mmk_file_create("r", 64 * PG, false);
	struct file *ro = mmk_file_create("ro", PG, true);
	unsigned char buf[4096];

	assert_int_equal(mmk_pread(f, buf, PG, 0), PG);
	assert_int_equal(meminfo_kb(m, "Cached"), 16);
	assert_int_equal(mmk_pread(f, buf, PG, PG), PG);
	assert_int_equal(meminfo_kb(m, "Cached"), 48);
	memset(buf, 0x41, sizeof buf);
	assert_int_equal(mmk_pwrite(f, buf, 10, 64 * PG - 4), 10);
	assert_int_equal(file_size(f), 64 * PG + 6);
	assert_int_equal(meminfo_kb(m, "Dirty"), 8);
	memset(buf, 0, sizeof buf);
	assert_int_equal(mmk_pread(f, buf, PG, 64 * PG - 4), 10);
	assert_int_equal(buf[9], 0x41);
	assert_int_equal(mmk_pwrite(ro, buf, 1, 0), -EBADF);
	assert_int_equal(mmk_pwrite(f, buf, 1, 1LL << 44), -EFBIG);
	assert_int_equal(mmk_pread(ro, buf, 1, 0), 1);
	assert_check_ok(m);
	fput(f);
	fput(ro);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_shrink_and_grow,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_regular_file, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mlocked_and_swapped,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fallocate, mmk_test_teardown),
		cmocka_unit_test_teardown(test_seals, mmk_test_teardown),
		cmocka_unit_test_teardown(test_pread_pwrite_memfd,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_pread_pwrite_regular,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests_name("truncate", tests, NULL, NULL);
}
