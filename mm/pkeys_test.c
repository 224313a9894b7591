/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of memory protection keys (mm/pkeys.c): what the host
 * differential test (tests/pkeys_diff_test.c) cannot show: a CPU without
 * keys, i386, fork, the TLB against PKRU changes, the fault counter, and
 * the verifier. The values of a CPU without keys are Linux's
 * arch/x86/include/asm/pkeys.h: one key (0), which pkey_free() may free.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/pgtable.h"

#define PG 4096UL
#define A 0x200000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state, enum mmk_arch arch, bool pku)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = 64ULL << 20;
	cfg.pku = pku;
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

static void assert_read_faults(int pid, unsigned long addr)
{
	uint64_t v;

	assert_int_equal(mmk_read_u64(pid, addr, &v), MMK_SIGSEGV);
}

/* Without protection keys: key 0 only, nothing refused, no smaps line. */
static void test_cpu_without_keys(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, false);
	char *smaps;

	assert_int_equal(mmk_pkey_alloc(1, 0, 0), -ENOSPC);
	assert_int_equal(mmk_pkey_alloc(1, 1, 0), -EINVAL);
	assert_int_equal(mmk_pkey_set(1, 1, 0), -ENOSYS);
	assert_int_equal(mmk_pkey_get(1, 0), -ENOSYS);
	assert_int_equal(mmk_pkey_get(1, 16), -EINVAL);
	/* Execute-only memory keeps key 0 and reads as ever. */
	assert_int_equal(mmk_mmap(1, A, PG, PROT_EXEC, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(read_ok(1, A), 0);
	assert_int_equal(mmk_mmap(1, A + PG, PG, RW, PRIV_ANON, NULL, 0),
			 (long)(A + PG));
	assert_int_equal(mmk_pkey_mprotect(1, A + PG, PG, RW, 1), -EINVAL);
	assert_int_equal(mmk_pkey_mprotect(1, A + PG, PG, RW, 0), 0);
	assert_int_equal(mmk_pkey_mprotect(1, A + PG, PG, PROT_READ, -1), 0);
	smaps = proc(m, "/proc/1/smaps");
	assert_null(strstr(smaps, "ProtectionKey"));
	free(smaps);
	/* Key 0 may be freed, and then not used. */
	assert_int_equal(mmk_pkey_free(1, 1), -EINVAL);
	assert_int_equal(mmk_pkey_free(1, 0), 0);
	assert_int_equal(mmk_pkey_free(1, 0), -EINVAL);
	assert_int_equal(mmk_pkey_mprotect(1, A + PG, PG, RW, 0), -EINVAL);
	assert_int_equal(mmk_pkey_alloc(1, 0, 0), 0);
	assert_int_equal(mmk_pkey_mprotect(1, A + PG, PG, RW, 0), 0);
	assert_int_equal(mmk_pkey_alloc(9, 0, 0), -ESRCH);
	assert_check_ok(m);
}

/* i386 has no pkey system calls, and cannot boot with pku. */
static void test_i386(void **state)
{
	struct mmk_config cfg;
	char why[128];

	(void)boot(state, MMK_ARCH_I386, false);
	assert_int_equal(mmk_pkey_alloc(1, 0, 0), -ENOSYS);
	assert_int_equal(mmk_pkey_free(1, 0), -ENOSYS);
	assert_int_equal(mmk_pkey_mprotect(1, A, PG, RW, 0), -ENOSYS);
	assert_int_equal(mmk_pkey_set(1, 0, 0), -ENOSYS);
	mmk_config_init(&cfg);
	cfg.arch = MMK_ARCH_I386;
	cfg.mem_bytes = 64ULL << 20;
	cfg.pku = true;
	assert_int_equal(mmk_config_validate(&cfg, why, sizeof why), -EINVAL);
	assert_string_equal(why, "i386 has no protection keys");
}

/* The TLB keeps an entry's key, not PKRU's verdict: a pkey_set() takes
 * effect at the next access, with no flush. */
static void test_pkru_checked_at_every_access(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, true);
	long key;

	assert_int_equal(mmk_mmap(1, A, PG, RW, PRIV_ANON, NULL, 0), (long)A);
	key = mmk_pkey_alloc(1, 0, 0);
	assert_int_equal(key, 1);
	assert_int_equal(mmk_pkey_mprotect(1, A, PG, RW, (int)key), 0);
	assert_int_equal(mmk_write_u64(1, A, 42), 0);
	assert_int_equal(read_ok(1, A), 42);
	assert_int_equal(mmk_pkey_set(1, (int)key, MMK_PKEY_DISABLE_WRITE), 0);
	assert_int_equal(mmk_pkey_get(1, (int)key), MMK_PKEY_DISABLE_WRITE);
	assert_int_equal(read_ok(1, A), 42);
	assert_int_equal(mmk_write_u64(1, A, 43), MMK_SIGSEGV);
	assert_int_equal(mmk_pkey_set(1, (int)key, MMK_PKEY_DISABLE_ACCESS), 0);
	assert_read_faults(1, A);
	/* The kernel's copies for the process obey it too. */
	assert_int_equal(mmk_copy_to_user(1, A, "x", 1), 1);
	assert_int_equal(mmk_pkey_set(1, (int)key, 0), 0);
	assert_int_equal(mmk_write_u64(1, A, 44), 0);
	assert_int_equal(read_ok(1, A), 44);
	assert_check_ok(m);
}

/* A refused access to a page not mapped yet faults nothing in and is no
 * page fault in /proc/vmstat (x86's access_error() refuses it first). */
static void test_refused_access_is_no_fault(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, true);
	unsigned long faults;
	char *smaps;

	assert_int_equal(mmk_mmap(1, A, 2 * PG, RW, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_pkey_alloc(1, 0, MMK_PKEY_DISABLE_ACCESS), 1);
	assert_int_equal(mmk_pkey_mprotect(1, A, PG, RW, 1), 0);
	faults = vmstat(m, "pgfault");
	assert_read_faults(1, A);
	assert_int_equal(mmk_write_u64(1, A, 1), MMK_SIGSEGV);
	assert_int_equal(vmstat(m, "pgfault"), faults);
	assert_int_equal(mmk_write_u64(1, A + PG, 1), 0);
	assert_int_equal(vmstat(m, "pgfault"), faults + 1);
	smaps = proc(m, "/proc/1/smaps");
	assert_non_null(strstr(smaps, "Rss:                   0 kB\n"));
	assert_non_null(strstr(smaps, "THPeligible:           0\n"
				      "ProtectionKey:         1\n"
				      "VmFlags: rd wr mr mw me ac \n"));
	free(smaps);
	assert_check_ok(m);
}

/* fork copies the allocated keys, the execute-only key and PKRU; each
 * process's PKRU is its own from then on. */
static void test_fork(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, true);

	assert_int_equal(mmk_mmap(1, A, PG, PROT_EXEC, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(mmk_mmap(1, A + PG, PG, RW, PRIV_ANON, NULL, 0),
			 (long)(A + PG));
	assert_int_equal(mmk_pkey_alloc(1, 0, MMK_PKEY_DISABLE_ACCESS), 2);
	assert_int_equal(mmk_pkey_mprotect(1, A + PG, PG, RW, 2), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_pkey_get(2, 1), MMK_PKEY_DISABLE_ACCESS);
	assert_int_equal(mmk_pkey_get(2, 2), MMK_PKEY_DISABLE_ACCESS);
	assert_read_faults(2, A);
	assert_read_faults(2, A + PG);
	assert_int_equal(mmk_pkey_alloc(2, 0, 0), 3);
	assert_int_equal(mmk_pkey_free(2, 1), -EINVAL); /* execute-only */
	assert_int_equal(mmk_pkey_set(2, 2, 0), 0);
	assert_int_equal(read_ok(2, A + PG), 0);
	assert_read_faults(1, A + PG);
	assert_int_equal(mmk_pkey_alloc(1, 0, 0), 3);
	assert_check_ok(m);
}

/* The keys run out: execute-only memory is then readable (key 0). */
static void test_no_key_for_execute_only(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, true);
	char *smaps;
	int k;

	for (k = 1; k < MMK_NR_PKEYS; k++)
		assert_int_equal(mmk_pkey_alloc(1, 0, 0), k);
	assert_int_equal(mmk_pkey_alloc(1, 0, 0), -ENOSPC);
	assert_int_equal(mmk_mmap(1, A, PG, PROT_EXEC, PRIV_ANON, NULL, 0),
			 (long)A);
	assert_int_equal(read_ok(1, A), 0);
	/* Free one: the next execute-only mapping takes it. */
	assert_int_equal(mmk_pkey_free(1, 7), 0);
	assert_int_equal(mmk_mmap(1, A + 2 * PG, PG, PROT_EXEC, PRIV_ANON, NULL,
				  0),
			 (long)(A + 2 * PG));
	assert_int_equal(mmk_pkey_get(1, 7), MMK_PKEY_DISABLE_ACCESS);
	assert_read_faults(1, A + 2 * PG);
	assert_int_equal(mmk_pkey_mprotect(1, A, PG, RW, 7), -EINVAL);
	smaps = proc(m, "/proc/1/smaps");
	assert_non_null(strstr(smaps, "ProtectionKey:         0\n"
				      "VmFlags: ex mr mw me \n"
				      "200002000-200003000"));
	assert_non_null(strstr(smaps, "ProtectionKey:         7\n"
				      "VmFlags: ex mr mw me \n"
				      "ffffffffff600000"));
	free(smaps);
	assert_check_ok(m);
}

/* The verifier: an entry whose key is not its VMA's. */
static void test_verifier_sees_wrong_key(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, true);
	const struct pt_format *f;
	struct mm_struct *mm;
	void *slot;
	pte_t e;

	assert_int_equal(mmk_mmap(1, A, PG, RW, PRIV_ANON, NULL, 0), (long)A);
	assert_int_equal(mmk_pkey_alloc(1, 0, 0), 1);
	assert_int_equal(mmk_pkey_mprotect(1, A, PG, RW, 1), 0);
	assert_int_equal(mmk_write_u64(1, A, 1), 0);
	assert_check_ok(m);
	mm = mmk_get_mm(1);
	assert_non_null(mm);
	f = pt_format_of(mm);
	slot = pte_offset(mm, A, false);
	assert_non_null(slot);
	e = pte_read(f, slot);
	assert_int_equal(pte_pkey(f, e), 1);
	pte_write(f, slot, e & ~_PAGE_PKEY_MASK);
	flush_tlb_mm(mm);
	assert_check_fails(m, "an entry's protection key is not its VMA's");
	pte_write(f, slot, e);
	assert_check_ok(m);
	mmput(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cpu_without_keys,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386, mmk_test_teardown),
		cmocka_unit_test_teardown(test_pkru_checked_at_every_access,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_refused_access_is_no_fault,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork, mmk_test_teardown),
		cmocka_unit_test_teardown(test_no_key_for_execute_only,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_verifier_sees_wrong_key,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests_name("pkeys", tests, NULL, NULL);
}
