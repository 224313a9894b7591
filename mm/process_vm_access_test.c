/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of process_vm_readv/writev (mm/process_vm_access.c): the
 * vector checks a script cannot reach (1025 ranges, lengths past
 * SSIZE_MAX, no vector) and the faults a pinned batch takes. The host
 * differential test (tests/process_vm_diff_test.c) checks the rest.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#define PG 4096UL
#define A 0x200000000UL
#define B 0x300000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state)
{
	*state = mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 1, true);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_spawn(2, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_mmap(2, B, 16 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)B);
	return *state;
}

static void test_vector_checks(void **state)
{
	static struct mmk_iovec many[1025];
	struct mmk_iovec l = { A, 8 }, r = { B, 8 }, huge = { B, ULONG_MAX };
	size_t i;

	(void)boot(state);
	for (i = 0; i < 1025; i++)
		many[i] = (struct mmk_iovec){ A, 1 };
	assert_int_equal(mmk_process_vm_readv(1, 2, many, 1025, &r, 1, 0),
			 -EINVAL);
	assert_int_equal(mmk_process_vm_readv(1, 2, many, 1024, &r, 1, 0), 8);
	assert_int_equal(mmk_process_vm_readv(1, 2, &l, 1, many, 1025, 0),
			 -EINVAL);
	/* The local vector first: nothing to copy is 0 before the remote
	 * vector is looked at. */
	l.len = 0;
	assert_int_equal(mmk_process_vm_readv(1, 2, &l, 1, many, 1025, 0), 0);
	l.len = 8;
	assert_int_equal(mmk_process_vm_readv(1, 2, &huge, 1, &r, 1, 0),
			 -EINVAL);
	assert_int_equal(mmk_process_vm_readv(1, 2, &l, 1, &huge, 1, 0),
			 -EINVAL);
	assert_int_equal(mmk_process_vm_readv(1, 2, NULL, 1, &r, 1, 0),
			 -EFAULT);
	assert_int_equal(mmk_process_vm_writev(1, 2, &l, 1, NULL, 1, 0),
			 -EFAULT);
	assert_int_equal(mmk_process_vm_writev(1, 2, &l, 1, &r, 1, 2), -EINVAL);
	assert_int_equal(mmk_process_vm_writev(3, 2, &l, 1, &r, 1, 0), -ESRCH);
	assert_check_ok(*state);
}

/* A batch is pinned whole: 8 bytes read from a 4-page remote range fault
 * all four pages in for the target (read faults: the zero page); a write
 * of 8 bytes into a 3-page range breaks copy-on-write on all three. */
static void test_batch_faults(void **state)
{
	struct mmk_machine *m = boot(state);
	struct mmk_iovec l = { A, 8 }, r = { B, 4 * PG };
	unsigned long faults;
	char *smaps;

	assert_int_equal(mmk_write_u64(1, A, 7), 0);
	faults = vmstat(m, "pgfault");
	assert_int_equal(mmk_process_vm_readv(1, 2, &l, 1, &r, 1, 0), 8);
	assert_int_equal(vmstat(m, "pgfault"), faults + 4);
	r = (struct mmk_iovec){ B + 8 * PG, 3 * PG };
	assert_int_equal(mmk_process_vm_writev(1, 2, &l, 1, &r, 1, 0), 8);
	assert_int_equal(vmstat(m, "pgfault"), faults + 7);
	smaps = proc(m, "/proc/2/smaps_rollup");
	assert_non_null(strstr(smaps, "\nRss:                  12 kB\n"));
	free(smaps);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_vector_checks,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_batch_faults, mmk_test_teardown),
	};

	return cmocka_run_group_tests_name("process_vm_access", tests, NULL,
					   NULL);
}
