/* SPDX-License-Identifier: MIT */
/*
 * Differential test of KSM against the real kernel of this machine.
 *
 * The same sequence runs here, on the host, and in process 1 of a mmkit
 * machine: 16 private anonymous pages, eight holding one value, four
 * zero-filled, four distinct; MADV_MERGEABLE over them; ksmd running
 * until three more full scans ended (here: the host's ksmd, with
 * pages_to_scan 1000 and sleep_millisecs 10; in mmkit: three
 * mmk_ksm_scan() passes); then a write to one merged page. After the
 * scans and after the write, /proc/self/ksm_stat (the process's own
 * figures: rmap_items, merging pages, profit, mergeable) and the smaps
 * KSM field of the range must be mmkit's. mmk_check() must pass.
 *
 * Skipped unless this runs as root with /sys/kernel/mm/ksm writable and
 * use_zero_pages 0 (the host's zero-page merging would count
 * ksm_zero_pages, which mmkit does not model). The host's run,
 * pages_to_scan and sleep_millisecs are restored whatever happens; the
 * test gives up (fails) after 15 s without the scans.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include <mmkit/ksm.h>

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NPAGES 16
#define PG 4096UL
#define A 0x10000000UL

static char *read_file(const char *path)
{
	return mmk_test_slurp(path);
}

static long read_long(const char *path)
{
	char *t = read_file(path);
	long v;

	if (!t)
		return -1;
	v = strtol(t, NULL, 10);
	free(t);
	return v;
}

static bool write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok;
}

/* The "KSM:" kB of the smaps block starting at @start in @text. */
static long smaps_ksm(const char *text, unsigned long start)
{
	char head[32];
	const char *p, *k;

	snprintf(head, sizeof head, "%lx-", start);
	p = strstr(text, head);
	if (!p)
		return -1;
	k = strstr(p, "\nKSM:");
	return k ? strtol(k + 5, NULL, 10) : -1;
}

/* ksm_stat without the lines mmkit cannot share with the host: all of
 * it (the process has no other mergeable memory). */
static void fill_values(unsigned char *base)
{
	int i;

	for (i = 0; i < NPAGES; i++) {
		uint64_t v = i < 8 ? 0x5a5a : i < 12 ? 0 : 0x1000 + (uint64_t)i;

		memcpy(base + (size_t)i * PG, &v, sizeof v);
	}
}

struct host_knobs {
	long run, pages_to_scan, sleep_millisecs;
};

static void restore(const struct host_knobs *k)
{
	write_long("/sys/kernel/mm/ksm/run", 0);
	write_long("/sys/kernel/mm/ksm/pages_to_scan", k->pages_to_scan);
	write_long("/sys/kernel/mm/ksm/sleep_millisecs", k->sleep_millisecs);
	write_long("/sys/kernel/mm/ksm/run", k->run);
}

/* Wait for @n full scans of the host's ksmd after now: false after 15 s. */
static bool host_scans(long n)
{
	long start = read_long("/sys/kernel/mm/ksm/full_scans");
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1500; i++) {
		if (read_long("/sys/kernel/mm/ksm/full_scans") >= start + n)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void mmkit_side(struct mmk_machine *m, char **stat, long *ksm_kb)
{
	char *smaps;

	*stat = proc(m, "/proc/1/ksm_stat");
	smaps = proc(m, "/proc/1/smaps");
	*ksm_kb = smaps_ksm(smaps, A);
	free(smaps);
}

static void test_host_and_mmkit_merge_alike(void **state)
{
	struct host_knobs k;
	struct mmk_machine *m;
	unsigned char *host;
	char *hstat, *mstat, *hsmaps;
	long hkb, mkb;
	bool scanned;
	int i;

	if (geteuid() != 0 || access("/sys/kernel/mm/ksm/run", W_OK) != 0 ||
	    read_long("/sys/kernel/mm/ksm/use_zero_pages") != 0)
		skip();
	k.run = read_long("/sys/kernel/mm/ksm/run");
	k.pages_to_scan = read_long("/sys/kernel/mm/ksm/pages_to_scan");
	k.sleep_millisecs = read_long("/sys/kernel/mm/ksm/sleep_millisecs");
	if (k.run < 0 || k.pages_to_scan < 0 || k.sleep_millisecs < 0)
		skip();

	/* The host. */
	host = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(host != MAP_FAILED);
	fill_values(host);
	assert_int_equal(madvise(host, NPAGES * PG, MADV_MERGEABLE), 0);
	write_long("/sys/kernel/mm/ksm/pages_to_scan", 1000);
	write_long("/sys/kernel/mm/ksm/sleep_millisecs", 10);
	write_long("/sys/kernel/mm/ksm/run", 1);
	scanned = host_scans(3);
	hstat = read_file("/proc/self/ksm_stat");
	hsmaps = read_file("/proc/self/smaps");
	hkb = smaps_ksm(hsmaps, (unsigned long)host);
	free(hsmaps);
	if (!scanned) {
		restore(&k);
		fail_msg("the host's ksmd made no three full scans in 15 s");
	}

	/* mmkit. */
	m = mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	*state = m;
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, NPAGES * PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
				  0),
			 (long)A);
	for (i = 0; i < NPAGES; i++) {
		uint64_t v;

		memcpy(&v, host + (size_t)i * PG, sizeof v);
		assert_int_equal(mmk_write_u64(1, A + (unsigned long)i * PG, v),
				 0);
	}
	assert_int_equal(mmk_madvise(1, A, NPAGES * PG, MADV_MERGEABLE), 0);
	assert_int_equal(mmk_ksm_set("run", KSM_RUN_MERGE), 0);
	for (i = 0; i < 3; i++)
		mmk_ksm_scan(0);
	mmkit_side(m, &mstat, &mkb);
	print_message("host ksm_stat:\n%s", hstat ? hstat : "(none)\n");
	if (!hstat || strcmp(hstat, mstat) || hkb != mkb) {
		restore(&k);
		fail_msg("after the scans: host KSM %ld kB, ksm_stat\n%s"
			 "mmkit KSM %ld kB, ksm_stat\n%s",
			 hkb, hstat ? hstat : "(none)\n", mkb, mstat);
	}
	free(hstat);
	free(mstat);
	assert_int_equal(mkb, 12 * 4);
	assert_check_ok(m);

	/* A write to a merged page copies it on both. */
	host[0] = 1;
	assert_int_equal(mmk_write_u64(1, A, 0x5a01), 0);
	hstat = read_file("/proc/self/ksm_stat");
	hsmaps = read_file("/proc/self/smaps");
	hkb = smaps_ksm(hsmaps, (unsigned long)host);
	free(hsmaps);
	restore(&k);
	mmkit_side(m, &mstat, &mkb);
	if (!hstat || strcmp(hstat, mstat) || hkb != mkb)
		fail_msg("after the write: host KSM %ld kB, ksm_stat\n%s"
			 "mmkit KSM %ld kB, ksm_stat\n%s",
			 hkb, hstat ? hstat : "(none)\n", mkb, mstat);
	free(hstat);
	free(mstat);
	assert_int_equal(munmap(host, NPAGES * PG), 0);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_host_and_mmkit_merge_alike,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
