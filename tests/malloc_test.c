/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so: API semantics and a security suite, in child
 * processes that preload the library.
 *
 * The child is tests/malloc/api_child.c, compiled at test time with the
 * system compiler; each run takes one case (argv[1]) and one mode
 * (MMKIT_MALLOC=default or hardened).
 *
 * 1. API cases ("api_*", in both modes): the child checks its results
 *    itself and exits 0; some cases also leave text on stderr checked
 *    here (malloc_stats, MMKIT_MALLOC_STATS's slabinfo).
 * 2. Security cases ("sec_*"): one malloc bug each. The outcome is
 *    "abort" (SIGABRT with "mmkit-malloc:" on stderr), "segv" (SIGSEGV,
 *    the designed trap of guard pages and zero-size objects), "mitigated"
 *    (the child saw the mitigation work: freed memory reads as zero) or
 *    "missed". The table says what the design in malloc/ (malloc.c, hardened.c) promises in each
 *    mode; those are asserted, and the rest only counted and printed.
 *
 * Skipped, with the reason, when MMKIT_MALLOC_SO is unset, the library
 * cannot be preloaded (a sanitizer build of it), or there is no cc.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/malloc/run.h"

static char *tmpdir;
static char *child; /* the compiled api_child */
static const char *setup_problem; /* why every test skips */

static int group_setup(void **state)
{
	static char why[256];
	char *src;

	(void)state;
	setup_problem = run_preload_problem();
	if (setup_problem)
		return 0;
	if (!run_have("cc")) {
		setup_problem = "no cc to compile the child programs";
		return 0;
	}
	src = run_find_source("tests/malloc/api_child.c");
	if (!src) {
		snprintf(why, sizeof why,
			 "tests/malloc/api_child.c not found from %s",
			 getenv("PWD") ? getenv("PWD") : ".");
		setup_problem = why;
		return 0;
	}
	tmpdir = run_mkdtemp();
	child = malloc(strlen(tmpdir) + 16);
	assert_non_null(child);
	sprintf(child, "%s/api_child", tmpdir);
	run_compile(src, child, NULL);
	free(src);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	run_rmtree(tmpdir);
	free(tmpdir);
	free(child);
	return 0;
}

static void skip_if_unavailable(void)
{
	if (setup_problem) {
		print_message("skipped: %s\n", setup_problem);
		skip();
	}
}

/* Runs the child's case @name in @mode with the extra @env entry. */
static void run_case(struct run *r, const char *name, const char *mode,
		     const char *extra, int timeout)
{
	char modevar[64];
	const char *argv[] = { child, name, NULL };
	const char *env[] = { run_preload_env(), modevar, extra, NULL };

	snprintf(modevar, sizeof modevar, "MMKIT_MALLOC=%s", mode);
	run_prog(r, argv, env, NULL, NULL, timeout);
}

/* ---------------- API ---------------- */

struct api_case {
	const char *name;
	const char *env; /* extra variable, or NULL */
	const char *want_err; /* stderr must contain this, or NULL */
	int timeout;
};

static const struct api_case api_cases[] = {
	{ "api_malloc", NULL, NULL, 60 },
	{ "api_calloc", NULL, NULL, 60 },
	{ "api_realloc", NULL, NULL, 60 },
	{ "api_memalign", NULL, NULL, 60 },
	{ "api_usable", NULL, NULL, 60 },
	{ "api_huge_fail", NULL, NULL, 60 },
	{ "api_medium", NULL, NULL, 120 },
	{ "api_medium_end", NULL, NULL, 60 },
	{ "api_boot_reentry", NULL, NULL, 60 },
	{ "api_misc", NULL, "in use bytes", 60 },
	{ "api_free_sized", NULL, NULL, 60 },
	{ "api_hardened_checks", NULL, NULL, 120 },
	{ "api_thread_high_keys", NULL, NULL, 60 },
	{ "api_borrow_trim", "MMKIT_MALLOC_STATS=1",
	  "\nmmkit-borrow           0      0     88 ", 60 },
	{ "api_large", NULL, NULL, 60 },
	{ "api_rss", NULL, "rss: ", 120 },
	{ "api_text_layout", NULL, "text rss: ", 60 },
	{ "api_text_layout_threads", NULL, "text rss: ", 60 },
	{ "api_fork_cpu_bringup", NULL, "fork cpu bringup: ", 120 },
	{ "api_phase_rss", NULL, "phase rss: ", 60 },
	{ "api_huge_kept_rss", NULL, "huge kept rss: ", 60 },
	{ "api_huge_drained_past_mark", NULL, NULL, 60 },
	{ "api_huge_kept_shrunk", NULL, NULL, 60 },
	{ "api_stats_format", NULL, NULL, 60 },
	{ "api_mallinfo_growth", NULL, NULL, 120 },
	{ "api_borrow", NULL, "borrow rss: ", 120 },
	{ "api_borrow_hole_tags", NULL, "hole tags: ", 60 },
	{ "api_memalign_borrowed", NULL, NULL, 60 },
	{ "api_run_backed", NULL, NULL, 60 },
	{ "api_huge_kept_over_reuse", NULL, NULL, 60 },
	{ "api_huge_grows_in_place", NULL, NULL, 60 },
	{ "api_huge_realloc_race", NULL, NULL, 60 },
	{ "api_rss_after_free", NULL, NULL, 60 },
	{ "api_trim", NULL, NULL, 60 },
	{ "api_threads", NULL, NULL, 120 },
	{ "api_thread_rounds", NULL, NULL, 120 },
	{ "api_many_threads", NULL, NULL, 120 },
	{ "api_passive_share", NULL, NULL, 60 },
	{ "api_remote_free", NULL, NULL, 60 },
	{ "api_remote_handoff", NULL, NULL, 60 },
	{ "api_symbols", NULL, NULL, 60 },
	{ "api_first_call_stats", NULL, "in use bytes", 60 },
	{ "api_first_call_info", NULL, NULL, 60 },
	{ "api_exit_destructor", NULL, NULL, 60 },
	{ "api_malloc0_unique", NULL, NULL, 60 },
	{ "api_fork_threads", NULL, NULL, 120 },
	{ "api_atfork_alloc", NULL, NULL, 60 },
	{ "api_fork_realloc_medium", NULL, NULL, 60 },
	{ "api_fork_signal", NULL, NULL, 120 },
	{ "api_fork_signal_single", NULL, NULL, 120 },
	{ "api_fork_quiet_thread", NULL, NULL, 120 },
	/* The classes' caches keep their read-only names: no kmalloc-16
	 * object holds a copy. */
	{ "api_stats", "MMKIT_MALLOC_STATS=1",
	  "\nkmalloc-16             0      0     16  256    1 : ", 60 },
	{ "api_stats_medium", "MMKIT_MALLOC_STATS=1",
	  "mmkit-malloc: medium blocks: 1 arenas (1024 kB), 2 blocks in use "
	  "(19 kB)\n",
	  60 },
	{ "api_stats_closed", "MMKIT_MALLOC_STATS=1", "slabinfo - version: 2.1",
	  60 },
	{ "api_stats_closefrom", "MMKIT_MALLOC_STATS=1",
	  "slabinfo - version: 2.1", 60 },
	{ "api_stats_pipe", NULL, "stats pipe: status 0\n", 60 },
};
#define NR_API (sizeof api_cases / sizeof api_cases[0])

/* The cases whose standard error differs in hardened mode (no medium
 * blocks there; kmalloc objects of its own). */
static const struct {
	const char *name, *want_err;
} api_hardened_err[] = {
	/* Hardened mode: each cache's random freelist order is kmalloc'd. */
	{ "api_stats", "slabinfo - version: 2.1" },
	{ "api_stats_medium",
	  "mmkit-malloc: medium blocks: 0 arenas (0 kB), 0 blocks in use "
	  "(0 kB)\n" },
	/* No borrowing in hardened mode. */
	{ "api_borrow_hole_tags", NULL },
	{ "api_borrow_trim", NULL },
};

static const char *api_want_err(const struct api_case *c, const char *mode)
{
	size_t i;

	if (strcmp(mode, "hardened") == 0)
		for (i = 0;
		     i < sizeof api_hardened_err / sizeof api_hardened_err[0];
		     i++)
			if (strcmp(c->name, api_hardened_err[i].name) == 0)
				return api_hardened_err[i].want_err;
	return c->want_err;
}

struct api_test {
	const struct api_case *c;
	const char *mode;
};

static void test_api(void **state)
{
	const struct api_test *t = *state;
	const char *want;
	struct run r;

	skip_if_unavailable();
	run_case(&r, t->c->name, t->mode, t->c->env, t->c->timeout);
	if (!run_exited(&r, 0))
		fail_msg("%s (%s): %s\n%s", t->c->name, t->mode, run_how(&r),
			 run_head(r.err, 1000));
	want = api_want_err(t->c, t->mode);
	if (want && !strstr(r.err, want))
		fail_msg("%s (%s): no \"%s\" on stderr:\n%s", t->c->name,
			 t->mode, want, run_head(r.err, 1000));
	if (strcmp(t->c->name, "api_rss") == 0)
		print_message("%s", run_head(strstr(r.err, "rss: "), 200));
	run_free(&r);
}

/* An unknown MMKIT_MALLOC value warns and falls back to the default. */
static void test_bad_mode(void **state)
{
	struct run r;

	(void)state;
	skip_if_unavailable();
	run_case(&r, "api_malloc", "bogus", NULL, 60);
	if (!run_exited(&r, 0))
		fail_msg("MMKIT_MALLOC=bogus: %s\n%s", run_how(&r),
			 run_head(r.err, 1000));
	assert_non_null(strstr(r.err, "mmkit-malloc: MMKIT_MALLOC must be"));
	run_free(&r);
}

/* ---------------- security ---------------- */

enum outcome { MISSED, ABORT, SEGV, MITIGATED, ERROR };

static const char *const outcome_name[] = { "missed", "abort", "segv",
					    "mitigated", "ERROR" };

/* What the design promises: NO means nothing is promised (counted only). */
#define NO MISSED

struct sec_case {
	const char *name;
	enum outcome want[2]; /* default, hardened */
	const char *what;
	const char *msg; /* an abort's message must say this, or NULL */
};

#define DF "double free"

static const struct sec_case sec_cases[] = {
	{ "sec_df_16", { ABORT, ABORT }, "double free, 16 B", DF },
	{ "sec_df_100", { ABORT, ABORT }, "double free, 100 B", DF },
	{ "sec_df_1k", { ABORT, ABORT }, "double free, 1 KiB", DF },
	{ "sec_df_100k", { ABORT, ABORT }, "double free, 100 KiB", DF },
	{ "sec_df_8m", { ABORT, ABORT }, "double free, 8 MiB", DF },
	{ "sec_delayed_df_small",
	  { ABORT, ABORT },
	  "double free after 1000 other allocations, 64 B",
	  DF },
	{ "sec_delayed_df_large",
	  { ABORT, ABORT },
	  "double free after 1000 other allocations, 100 KiB",
	  DF },
	{ "sec_delayed_df_slab",
	  { ABORT, ABORT },
	  "double free once flushed to the slab layer",
	  DF },
	{ "sec_borrowed_df",
	  { ABORT, ABORT },
	  "double free of an object made of free small objects' space",
	  DF },
	{ "sec_borrowed_df_in_bin",
	  { ABORT, ABORT },
	  "double free of a small object whose space a borrowed one in the "
	  "bin holds",
	  DF },
	{ "sec_borrowed_sub_df_in_bin",
	  { ABORT, ABORT },
	  "double free of a borrowed object back in the bin",
	  DF },
	{ "sec_medium_df",
	  { ABORT, ABORT },
	  "double free of a 20,000 B block merged with its freed neighbour",
	  DF },
	{ "sec_medium_df_reused",
	  { ABORT, ABORT },
	  "double free of a 20,000 B block whose space a larger one took",
	  NULL },
	{ "sec_medium_inner",
	  { ABORT, ABORT },
	  "free inside a 20,000 B block, on a 16-byte boundary",
	  NULL },
	{ "sec_borrowed_inner",
	  { ABORT, ABORT },
	  "free inside an object made of free small objects' space",
	  NULL },
	{ "sec_df_realloc",
	  { ABORT, ABORT },
	  "free of the old pointer after a moving realloc",
	  DF },
	{ "sec_free_stack", { ABORT, ABORT }, "free of a stack address", NULL },
	{ "sec_free_global", { ABORT, ABORT }, "free of a global", NULL },
	{ "sec_free_mmap", { ABORT, ABORT }, "free of an mmap'ed page", NULL },
	{ "sec_free_inner_8", { ABORT, ABORT }, "free(p + 8)", NULL },
	{ "sec_free_inner_16", { ABORT, ABORT }, "free(p + 16)", NULL },
	{ "sec_free_unaligned", { ABORT, ABORT }, "free(p + 1)", NULL },
	{ "sec_free_inner_large",
	  { ABORT, ABORT },
	  "free(p + 4096), 100 KiB",
	  NULL },
	{ "sec_free_inner_huge",
	  { ABORT, ABORT },
	  "free(p + 4096), 8 MiB",
	  NULL },
	{ "sec_free_unallocated_slot",
	  { NO, ABORT },
	  "free of a slab slot never handed out",
	  "invalid pointer" },
	{ "sec_realloc_invalid",
	  { ABORT, ABORT },
	  "realloc of a stack address",
	  NULL },
	{ "sec_realloc_inner", { ABORT, ABORT }, "realloc(p + 16)", NULL },
	{ "sec_realloc_freed",
	  { ABORT, ABORT },
	  "realloc of a freed pointer",
	  NULL },
	{ "sec_usable_invalid",
	  { ABORT, ABORT },
	  "malloc_usable_size of a stack address",
	  NULL },
	{ "sec_usable_freed",
	  { ABORT, ABORT },
	  "malloc_usable_size of a freed pointer",
	  "use after free" },
	{ "sec_free_sized_df", { ABORT, ABORT }, "free_sized twice, 100 B", DF },
	{ "sec_free_sized_df_huge",
	  { ABORT, ABORT },
	  "free_sized twice, 8 MiB",
	  DF },
	{ "sec_free_sized_larger",
	  { ABORT, ABORT },
	  "free_sized(malloc(100), 2000)",
	  NULL },
	{ "sec_free_sized_smaller",
	  { ABORT, ABORT },
	  "free_sized(malloc(1000), 100)",
	  NULL },
	{ "sec_free_sized_near",
	  { NO, ABORT },
	  "free_sized(malloc(100), 104): same size class",
	  NULL },
	{ "sec_free_sized_large",
	  { ABORT, ABORT },
	  "free_sized(malloc(100 KiB), 300 KiB)",
	  NULL },
	{ "sec_free_sized_huge",
	  { ABORT, ABORT },
	  "free_sized(malloc(10 MiB), 10 MiB - 1)",
	  NULL },
	{ "sec_free_aligned_smaller",
	  { ABORT, ABORT },
	  "free_aligned_sized(aligned_alloc(64, 4000), 64, 100)",
	  NULL },
	{ "sec_free_aligned_wrong",
	  { ABORT, ABORT },
	  "free_aligned_sized stating a larger alignment",
	  NULL },
	{ "sec_free_aligned_mismatch",
	  { ABORT, ABORT },
	  "free_aligned_sized stating a smaller alignment, 8 MiB",
	  NULL },
	{ "sec_free_aligned_small_mismatch",
	  { NO, ABORT },
	  "free_aligned_sized(aligned_alloc(16, 100), 64, 100), 64-aligned",
	  NULL },
	{ "sec_malloc0_df", { ABORT, ABORT }, "double free of malloc(0)", DF },
	{ "sec_malloc0_inner", { ABORT, ABORT }, "free(malloc(0) + 8)", NULL },
	{ "sec_df_exiting_thread",
	  { ABORT, ABORT },
	  "double free in a thread-specific value's destructor",
	  DF },
	{ "sec_overflow_medium_nul",
	  { ABORT, ABORT },
	  "a NUL byte past a medium block, then free",
	  NULL },
	{ "sec_overflow_1", { NO, ABORT }, "1-byte overflow, 24 B", NULL },
	{ "sec_overflow_8", { NO, ABORT }, "8-byte overflow, 32 B", NULL },
	{ "sec_overflow_large_usable",
	  { NO, ABORT },
	  "1-byte overflow, 100001 B, then malloc_usable_size",
	  "overflow" },
	{ "sec_overflow_large_1",
	  { NO, ABORT },
	  "1-byte overflow, 100001 B",
	  NULL },
	{ "sec_overflow_aligned_1",
	  { NO, ABORT },
	  "1-byte overflow, memalign(64, 48)",
	  NULL },
	{ "sec_overflow_large_guard",
	  { NO, SEGV },
	  "64-byte overflow into the guard page, 100 KiB",
	  NULL },
	{ "sec_overflow_huge_guard",
	  { NO, SEGV },
	  "64-byte overflow into the guard page, 8 MiB",
	  NULL },
	{ "sec_uaf_write",
	  { NO, ABORT },
	  "write after free, noticed on reuse",
	  NULL },
	{ "sec_uaf_write_first",
	  { NO, ABORT },
	  "write after free of word 0 (where the free tag is)",
	  NULL },
	{ "sec_cxx_sized_delete",
	  { NO, ABORT },
	  "C++ sized delete of operator new(100) stating 2000",
	  NULL },
	{ "sec_uaf_after_quarantine",
	  { NO, ABORT },
	  "write after free, 300 frees later, then reuse",
	  NULL },
	{ "sec_df_huge_delayed",
	  { NO, ABORT },
	  "double free, 100 MiB, after a malloc of the same size",
	  DF },
	{ "sec_uaf_first_after_quarantine",
	  { NO, ABORT },
	  "write after free of word 0, 300 frees later, then reuse",
	  NULL },
	{ "sec_uaf_slab_freelist",
	  { NO, ABORT },
	  "write after free of slab free pointers (one bit each)",
	  NULL },
	/* The tcache keeps no link in the objects, so this word is just
	 * data in default mode: nothing to hijack, nothing detected. */
	{ "sec_uaf_link",
	  { NO, ABORT },
	  "write after free of word 1 (where a free list would link)",
	  NULL },
	{ "sec_uaf_large_write",
	  { NO, SEGV },
	  "write after free, 100 KiB",
	  NULL },
	{ "sec_malloc0_write", { NO, SEGV }, "write to malloc(0)", NULL },
	{ "sec_malloc0_read", { NO, SEGV }, "read of malloc(0)", NULL },
	{ "sec_read_freed",
	  { NO, MITIGATED },
	  "freed memory read back (zero-on-free)",
	  NULL },
	{ "sec_uninit_leak",
	  { NO, MITIGATED },
	  "old data in fresh allocations",
	  NULL },
};
#define NR_SEC (sizeof sec_cases / sizeof sec_cases[0])

static enum outcome classify(const struct run *r)
{
	if (run_signalled(r, SIGABRT) && strstr(r->err, "mmkit-malloc:"))
		return ABORT;
	if (run_signalled(r, SIGSEGV))
		return SEGV;
	if (run_exited(r, 10))
		return MITIGATED;
	if (run_exited(r, 0) && strstr(r->err, "not caught"))
		return MISSED;
	return ERROR;
}

static void security_suite(int hardened)
{
	const char *mode = hardened ? "hardened" : "default";
	unsigned int caught = 0, promised = 0, bad = 0;
	char failures[4096] = "", missed[2048] = "";
	size_t i;

	skip_if_unavailable();
	for (i = 0; i < NR_SEC; i++) {
		const struct sec_case *c = &sec_cases[i];
		enum outcome want = c->want[hardened], got;
		struct run r;
		char *nl;

		run_case(&r, c->name, mode, NULL, 30);
		got = classify(&r);
		nl = strstr(r.err, "mmkit-malloc:");
		if (!nl)
			nl = r.err + strlen(r.err);
		print_message(
			"  %-26s %-9s %-10s %s%s%s\n", c->name, mode,
			outcome_name[got], c->what, got == ABORT ? ": " : "",
			got == ABORT ? run_head(nl, strcspn(nl, "\n")) : "");
		if (got != MISSED && got != ERROR)
			caught++;
		else
			snprintf(missed + strlen(missed),
				 sizeof missed - strlen(missed), " %s",
				 c->name + 4);
		if (want != NO)
			promised++;
		if (got == ERROR || (want != NO && got != want) ||
		    (got == ABORT && c->msg && !strstr(nl, c->msg))) {
			bad++;
			snprintf(failures + strlen(failures),
				 sizeof failures - strlen(failures),
				 "%s: want %s, got %s (%s) %s\n", c->name,
				 outcome_name[want], outcome_name[got],
				 run_how(&r), run_head(r.err, 200));
		}
		run_free(&r);
	}
	print_message(
		"%s mode: %u of %zu cases caught (%u promised by the design); missed:%s\n",
		mode, caught, NR_SEC, promised, missed[0] ? missed : " none");
	if (bad)
		fail_msg("%u security cases not as designed in %s mode:\n%s",
			 bad, mode, failures);
}

static void test_security_default(void **state)
{
	(void)state;
	security_suite(0);
}

static void test_security_hardened(void **state)
{
	(void)state;
	security_suite(1);
}

int main(void)
{
	static const char *const modes[] = { "default", "hardened" };
	static struct api_test at[NR_API * 2];
	static char names[NR_API * 2][64];
	struct CMUnitTest tests[NR_API * 2 + 3];
	size_t i, n = 0;

	for (i = 0; i < NR_API * 2; i++) {
		at[i].c = &api_cases[i / 2];
		at[i].mode = modes[i % 2];
		snprintf(names[i], sizeof names[i], "%s_%s", at[i].c->name,
			 at[i].mode);
		memset(&tests[n], 0, sizeof tests[n]);
		tests[n].name = names[i];
		tests[n].test_func = test_api;
		tests[n].initial_state = &at[i];
		n++;
	}
	{
		const struct CMUnitTest more[] = {
			cmocka_unit_test(test_bad_mode),
			cmocka_unit_test(test_security_default),
			cmocka_unit_test(test_security_hardened),
		};

		for (i = 0; i < 3; i++)
			tests[n++] = more[i];
	}
	return _cmocka_run_group_tests("malloc_test", tests, n, group_setup,
				       group_teardown);
}
