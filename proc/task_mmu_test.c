/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of /proc/PID/maps, smaps, smaps_rollup, numa_maps and statm
 * (proc/task_mmu.c) for what a script cannot reach: file names made
 * through the C API may hold any byte but '/', and maps shows a path the
 * way seq_path(m, path, "\n") does, with every newline as "\012";
 * numa_maps escapes tab, space and "=" too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

#define A 0x200000000UL
#define PG 4096UL

static struct mmk_machine *boot_with_process(void)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 2, true);

	assert_int_equal(mmk_spawn(1, false), 0);
	return m;
}

static void finish(struct mmk_machine *m)
{
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A newline in a file's name is escaped in maps, smaps and only there: the
 * name padding counts the line up to the name, as before. */
static void test_maps_escapes_newline_in_path(void **state)
{
	struct mmk_machine *m = boot_with_process();
	struct file *f = mmk_file_create("two\nlines", 4 * PG, false);
	struct file *g = mmk_memfd_create("x\n", PG);
	char *text;

	(void)state;
	assert_non_null(f);
	assert_non_null(g);
	assert_int_equal(mmk_mmap(1, A, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED,
				  f, 0),
			 A);
	assert_int_equal(mmk_mmap(1, A + 2 * PG, PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED, g, 0),
			 A + 2 * PG);
	text = proc(m, "/proc/1/maps");
	assert_string_equal(
		text,
		"200000000-200001000 r--p 00000000 08:01 1001                             /two\\012lines\n"
		"200002000-200003000 r--s 00000000 00:01 1002                             /memfd:x\\012 (deleted)\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
	free(text);
	text = proc(m, "/proc/1/smaps");
	assert_non_null(strstr(
		text,
		"200000000-200001000 r--p 00000000 08:01 1001                             /two\\012lines\nSize:"));
	free(text);
	fput(f);
	fput(g);
	finish(m);
}

/* numa_maps escapes what seq_file_path(m, file, "\n\t= ") does, as
 * octal: a memfd named "x y=z\t" is file=/memfd:x\040y\075z\011\040(deleted). */
static void test_numa_maps_escapes_space_tab_equals(void **state)
{
	struct mmk_machine *m = boot_with_process();
	struct file *g = mmk_memfd_create("x y=z\t", PG);
	char *text;

	(void)state;
	assert_non_null(g);
	assert_int_equal(mmk_mmap(1, A, PG, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, g, 0),
			 A);
	assert_int_equal(mmk_touch(1, A, PG, true), 0);
	text = proc(m, "/proc/1/numa_maps");
	assert_string_equal(
		text,
		"200000000 default file=/memfd:x\\040y\\075z\\011\\040(deleted) dirty=1 active=0 N0=1 kernelpagesize_kB=4\n");
	free(text);
	text = proc(m, "/proc/1/maps");
	assert_non_null(strstr(text, "/memfd:x y=z\t (deleted)\n"));
	free(text);
	fput(g);
	finish(m);
}

/* A process without VMAs: the rollup's header spans 0-0 and every field
 * is 0; statm is all zeroes. */
static void test_rollup_and_statm_of_an_empty_mm(void **state)
{
	struct mmk_machine *m = boot_with_process();
	char *text;

	(void)state;
	text = proc(m, "/proc/1/smaps_rollup");
	assert_string_equal(
		text,
		"00000000-00000000 ---p 00000000 00:00 0                                  [rollup]\n"
		"Rss:                   0 kB\n"
		"Pss:                   0 kB\n"
		"Pss_Dirty:             0 kB\n"
		"Pss_Anon:              0 kB\n"
		"Pss_File:              0 kB\n"
		"Pss_Shmem:             0 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:            0 kB\n"
		"Anonymous:             0 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n");
	free(text);
	text = proc(m, "/proc/1/statm");
	assert_string_equal(text, "0 0 0 0 0 0 0\n");
	free(text);
	assert_null(mmk_proc_read(m, "/proc/2/statm"));
	assert_null(mmk_proc_read(m, "/proc/2/smaps_rollup"));
	finish(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_escapes_newline_in_path),
		cmocka_unit_test(test_numa_maps_escapes_space_tab_equals),
		cmocka_unit_test(test_rollup_and_statm_of_an_empty_mm),
	};

	return cmocka_run_group_tests_name("task_mmu", tests, NULL, NULL);
}
