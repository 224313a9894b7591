/* SPDX-License-Identifier: MIT */
/*
 * The host facts libmmkit-malloc.so sizes its heap by, read without
 * sysconf(): the CPU list parser on sysfs's formats and malformed lists,
 * and mmk_host_nr_cpus()/mmk_host_ram() against what the C library says
 * about this host, errno left alone; and simulated RAM's mapping, aligned
 * to the largest buddy block.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <unistd.h>

#include "platform/platform.h"

static void test_cpu_list_count(void **state)
{
	(void)state;
	assert_int_equal(mmk_host_cpu_list_count("0\n"), 1);
	assert_int_equal(mmk_host_cpu_list_count("0-3\n"), 4);
	assert_int_equal(mmk_host_cpu_list_count("0-3,8,10-11\n"), 7);
	assert_int_equal(mmk_host_cpu_list_count("5"), 1);
	assert_int_equal(mmk_host_cpu_list_count("0-255\n"), 256);
	/* Not lists: each is refused as a whole. */
	assert_int_equal(mmk_host_cpu_list_count(""), 0);
	assert_int_equal(mmk_host_cpu_list_count("\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("3-1\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("0-\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("-3\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("0-3,\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("0,,1\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("0 1\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("1234567\n"), 0);
	assert_int_equal(mmk_host_cpu_list_count("0-999999,0-999999\n"), 0);
}

static void test_host_facts(void **state)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	(void)state;
	errno = 1234;
	assert_int_equal(mmk_host_nr_cpus(), conf > 0 ? conf : 1);
	assert_int_equal(errno, 1234);
	assert_true(mmk_host_ram() == (uint64_t)pages * (uint64_t)psize);
	assert_int_equal(errno, 1234);
}

/* Shared (memfd) and private RAM start on a 4 MiB boundary, whatever
 * the host's mmap would have picked: each of a few mappings of odd sizes
 * made after a one-page mapping that shifts the next address. */
static void test_host_mem_aligned(void **state)
{
	struct mmk_host_mem hm;
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		size_t size = ((size_t)8 << 20) + (size_t)i * 4096;
		struct mmk_host_mem pad;

		assert_int_equal(mmk_host_mem_create_private(&pad, 4096), 0);
		assert_int_equal(i % 2 ? mmk_host_mem_create_private(&hm,
								     size) :
					 mmk_host_mem_create(&hm, size),
				 0);
		assert_int_equal((uintptr_t)hm.base % MMK_HOST_MEM_ALIGN, 0);
		assert_int_equal(hm.size, size);
		((volatile char *)hm.base)[size - 1] = 1;
		mmk_host_mem_destroy(&hm);
		mmk_host_mem_destroy(&pad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_list_count),
		cmocka_unit_test(test_host_facts),
		cmocka_unit_test(test_host_mem_aligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
