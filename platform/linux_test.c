/* SPDX-License-Identifier: MIT */
/*
 * The host facts libmmkit-malloc.so sizes its heap by, read without
 * sysconf(): the CPU list parser on sysfs's formats and malformed lists,
 * and mmk_host_nr_cpus()/mmk_host_ram() against what the C library says
 * about this host, errno left alone.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_list_count),
		cmocka_unit_test(test_host_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
