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
 *
 * test_prctl_alike: prctl(PR_SET_MEMORY_MERGE) in a child of the test on
 * the host (its whole address space becomes mergeable, not the test's)
 * and in process 1 of mmkit, with private and shared, anonymous and file
 * mappings, mlock, new mappings that merge, MADV_UNMERGEABLE and
 * MADV_MERGEABLE, turned off and on: after each call its result, the
 * VmFlags of every VMA in the window and ksm_stat's ksm_merge_any and
 * ksm_mergeable lines must be mmkit's. ksmd does not run.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "tests/diff_test.h"
#include <mmkit/ksm.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
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
	diff_write_long("/sys/kernel/mm/ksm/run", 0);
	diff_write_long("/sys/kernel/mm/ksm/pages_to_scan", k->pages_to_scan);
	diff_write_long("/sys/kernel/mm/ksm/sleep_millisecs",
			k->sleep_millisecs);
	diff_write_long("/sys/kernel/mm/ksm/run", k->run);
}

/* Wait for @n full scans of the host's ksmd after now: false after 15 s. */
static bool host_scans(long n)
{
	long start = diff_read_long("/sys/kernel/mm/ksm/full_scans");
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1500; i++) {
		if (diff_read_long("/sys/kernel/mm/ksm/full_scans") >=
		    start + n)
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
	    diff_read_long("/sys/kernel/mm/ksm/use_zero_pages") != 0)
		skip();
	k.run = diff_read_long("/sys/kernel/mm/ksm/run");
	k.pages_to_scan = diff_read_long("/sys/kernel/mm/ksm/pages_to_scan");
	k.sleep_millisecs =
		diff_read_long("/sys/kernel/mm/ksm/sleep_millisecs");
	if (k.run < 0 || k.pages_to_scan < 0 || k.sleep_millisecs < 0)
		skip();

	/* The host. */
	host = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(host != MAP_FAILED);
	fill_values(host);
	assert_int_equal(madvise(host, NPAGES * PG, MADV_MERGEABLE), 0);
	diff_write_long("/sys/kernel/mm/ksm/pages_to_scan", 1000);
	diff_write_long("/sys/kernel/mm/ksm/sleep_millisecs", 10);
	diff_write_long("/sys/kernel/mm/ksm/run", 1);
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

/* ---- prctl(PR_SET_MEMORY_MERGE) ---- */

#define PWIN 0x3b0000000000UL
#define PWIN_LEN (64 * PG)

enum pop { P_MMAP, P_SET, P_GET, P_MADVISE };

struct pcall {
	enum pop op;
	unsigned long off, len, prot, flags; /* P_MMAP: flags; file if 1 */
	long arg; /* P_SET: arg2; P_MADVISE: advice; P_MMAP: file or -1 */
};

#define PMAP(o, n, p, f, file)                     \
	{                                          \
		P_MMAP, (o)*PG, (n)*PG, p, f, file \
	}
#define PANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define PSHANON (MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)

static const struct pcall prctl_calls[] = {
	PMAP(0, 4, PROT_READ | PROT_WRITE, PANON, -1),
	PMAP(8, 2, PROT_READ | PROT_WRITE, PSHANON, -1),
	PMAP(12, 2, PROT_READ, MAP_PRIVATE | MAP_FIXED, 0),
	PMAP(16, 2, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, 0),
	PMAP(20, 2, PROT_READ | PROT_WRITE | PROT_EXEC, PANON, -1),
	{ P_GET, 0, 0, 0, 0, 0 },
	{ P_SET, 0, 0, 0, 0, 1 },
	{ P_GET, 0, 0, 0, 0, 0 },
	PMAP(4, 2, PROT_READ | PROT_WRITE, PANON, -1),
	PMAP(22, 2, PROT_READ | PROT_WRITE | PROT_EXEC, PANON, -1),
	PMAP(28, 2, PROT_READ | PROT_WRITE, PANON | MAP_LOCKED, -1),
	PMAP(32, 2, PROT_READ, MAP_SHARED | MAP_FIXED, 0),
	{ P_MADVISE, 28 * PG, 2 * PG, 0, 0, MADV_UNMERGEABLE },
	{ P_SET, 0, 0, 0, 0, 5 },
	{ P_SET, 0, 0, 0, 0, 0 },
	{ P_GET, 0, 0, 0, 0, 0 },
	PMAP(36, 2, PROT_READ | PROT_WRITE, PANON, -1),
	{ P_MADVISE, 0, 2 * PG, 0, 0, MADV_MERGEABLE },
	{ P_SET, 0, 0, 0, 0, 0 },
	{ P_SET, 0, 0, 0, 0, 1 },
	{ P_MADVISE, 20 * PG, 4 * PG, 0, 0, MADV_UNMERGEABLE },
	PMAP(24, 2, PROT_READ | PROT_WRITE | PROT_EXEC, PANON, -1),
};

/* The VMAs of the window in @smaps (start, end, perms and VmFlags) and
 * ksm_stat's two flag lines of @stat, after the call's @ret. */
static void prctl_report(const char *what, long ret, const char *smaps,
			 const char *stat, char *out, size_t cap)
{
	const char *p = smaps, *line;

	diff_append(out, cap, "%s = %ld\n", what, ret);
	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long a, b;
		char perms[8];

		if (sscanf(p, "%lx-%lx %7s", &a, &b, perms) != 3 || a < PWIN ||
		    b > PWIN + PWIN_LEN)
			continue;
		line = strstr(p, "\nVmFlags:");
		if (!line)
			continue;
		diff_append(out, cap, "  W+%lx-W+%lx %s %.*s\n", a - PWIN,
			    b - PWIN, perms,
			    (int)(strchr(line + 1, '\n') - line - 1), line + 1);
	}
	for (line = stat; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, "ksm_merge", 9))
			diff_append(out, cap, "  %.*s\n",
				    (int)(strchr(line, '\n') - line), line);
}

static const char *pcall_name(const struct pcall *c, char *buf, size_t len)
{
	switch (c->op) {
	case P_MMAP:
		snprintf(buf, len, "mmap W+%lx %lx prot %lx flags %lx file %ld",
			 c->off, c->len, c->prot, c->flags, c->arg);
		break;
	case P_SET:
		snprintf(buf, len, "PR_SET_MEMORY_MERGE %ld", c->arg);
		break;
	case P_GET:
		snprintf(buf, len, "PR_GET_MEMORY_MERGE");
		break;
	default:
		snprintf(buf, len, "madvise W+%lx %lx %ld", c->off, c->len,
			 c->arg);
		break;
	}
	return buf;
}

static int host_file = -1;

static void prctl_host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct pcall *c = (const struct pcall *)calls + i;
	char name[96], *smaps, *stat;
	long ret;

	switch (c->op) {
	case P_MMAP:
		ret = (long)mmap((void *)(PWIN + c->off), c->len, (int)c->prot,
				 (int)c->flags, c->arg < 0 ? -1 : host_file, 0);
		ret = ret == -1 ? -errno : (long)((unsigned long)ret - PWIN);
		break;
	case P_SET:
		ret = prctl(PR_SET_MEMORY_MERGE, (unsigned long)c->arg, 0, 0,
			    0);
		ret = ret < 0 ? -errno : ret;
		break;
	case P_GET:
		ret = prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0);
		ret = ret < 0 ? -errno : ret;
		break;
	default:
		ret = madvise((void *)(PWIN + c->off), c->len, (int)c->arg);
		ret = ret < 0 ? -errno : ret;
		break;
	}
	smaps = read_file("/proc/self/smaps");
	stat = read_file("/proc/self/ksm_stat");
	prctl_report(pcall_name(c, name, sizeof name), ret, smaps, stat, out,
		     cap);
	free(smaps);
	free(stat);
}

static struct file *sim_file;

static void prctl_sim_step(struct mmk_machine *m, const void *calls, int i,
			   char *out, size_t cap)
{
	const struct pcall *c = (const struct pcall *)calls + i;
	char name[96], *smaps, *stat;
	long ret;

	switch (c->op) {
	case P_MMAP:
		ret = mmk_mmap(1, PWIN + c->off, c->len, c->prot, c->flags,
			       c->arg < 0 ? NULL : sim_file, 0);
		ret = ret < 0 ? ret : (long)((unsigned long)ret - PWIN);
		break;
	case P_SET:
		ret = mmk_prctl(1, PR_SET_MEMORY_MERGE, (unsigned long)c->arg,
				0, 0, 0);
		break;
	case P_GET:
		ret = mmk_prctl(1, PR_GET_MEMORY_MERGE, 0, 0, 0, 0);
		break;
	default:
		ret = mmk_madvise(1, PWIN + c->off, c->len, (int)c->arg);
		break;
	}
	smaps = proc(m, "/proc/1/smaps");
	stat = proc(m, "/proc/1/ksm_stat");
	prctl_report(pcall_name(c, name, sizeof name), ret, smaps, stat, out,
		     cap);
	free(smaps);
	free(stat);
}

static void test_prctl_alike(void **state)
{
	char path[] = "/tmp/mmkit-ksm-prctl-XXXXXX";
	struct mmk_machine *m;

	if (!diff_window_free(PWIN, PWIN_LEN) || !diff_can_mlock(2 * PG) ||
	    prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0) < 0)
		skip();
	host_file = mkstemp(path);
	assert_true(host_file >= 0);
	unlink(path);
	assert_int_equal(ftruncate(host_file, 16 * PG), 0);
	m = mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	*state = m;
	sim_file = mmk_file_create("prctl", 16 * PG, false);
	assert_non_null(sim_file);
	diff_compare(m, prctl_host_step, NULL, prctl_sim_step, prctl_calls,
		     (int)(sizeof prctl_calls / sizeof prctl_calls[0]),
		     "prctl");
	fput(sim_file);
	close(host_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_host_and_mmkit_merge_alike,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_prctl_alike, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
