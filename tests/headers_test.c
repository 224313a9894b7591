/* SPDX-License-Identifier: MIT */
/*
 * The public headers as an embedder includes them: in strict C11 (no
 * _GNU_SOURCE, so the host's <sys/mman.h> hides MAP_ANONYMOUS and others
 * while it defines MAP_SHARED), after the host's <sys/mman.h>, as the
 * README says. Every uapi constant mmkit's calls take must then be
 * defined, with Linux's value.
 */
#include <sys/mman.h>

#include <mmkit/compaction.h>
#include <mmkit/gfp.h>
#include <mmkit/highmem.h>
#include <mmkit/ksm.h>
#include <mmkit/list.h>
#include <mmkit/mm.h>
#include <mmkit/mm_types.h>
#include <mmkit/mempolicy.h>
#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/mmzone.h>
#include <mmkit/script.h>
#include <mmkit/slab.h>
#include <mmkit/types.h>
#include <mmkit/vmalloc.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_mmap_constants_have_linux_values(void **state)
{
	(void)state;
	assert_int_equal(PROT_NONE, 0x0);
	assert_int_equal(PROT_READ | PROT_WRITE | PROT_EXEC, 0x7);
	assert_int_equal(MAP_SHARED, 0x01);
	assert_int_equal(MAP_PRIVATE, 0x02);
	assert_int_equal(MAP_SHARED_VALIDATE, 0x03);
	assert_int_equal(MAP_FIXED, 0x10);
	assert_int_equal(MAP_ANONYMOUS, 0x20);
	assert_int_equal(MAP_GROWSDOWN, 0x0100);
	assert_int_equal(MAP_LOCKED, 0x2000);
	assert_int_equal(MAP_NORESERVE, 0x4000);
	assert_int_equal(MAP_POPULATE, 0x8000);
	assert_int_equal(MAP_STACK, 0x20000);
	assert_int_equal(MAP_FIXED_NOREPLACE, 0x100000);
	assert_int_equal(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, 7);
	assert_int_equal(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT, 7);
	assert_int_equal(MLOCK_ONFAULT, 0x01);
}

static void test_madvise_constants_have_linux_values(void **state)
{
	(void)state;
	assert_int_equal(MADV_DONTNEED, 4);
	assert_int_equal(MADV_FREE, 8);
	assert_int_equal(MADV_REMOVE, 9);
	assert_int_equal(MADV_DONTFORK, 10);
	assert_int_equal(MADV_WIPEONFORK, 18);
	assert_int_equal(MADV_COLD, 20);
	assert_int_equal(MADV_PAGEOUT, 21);
	assert_int_equal(MADV_POPULATE_WRITE, 23);
	assert_int_equal(MADV_DONTNEED_LOCKED, 24);
	assert_int_equal(MADV_GUARD_INSTALL, 102);
	assert_int_equal(MADV_GUARD_REMOVE, 103);
	assert_int_equal(POSIX_FADV_DONTNEED, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap_constants_have_linux_values),
		cmocka_unit_test(test_madvise_constants_have_linux_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
