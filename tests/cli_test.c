/* SPDX-License-Identifier: MIT */
/*
 * The mmkit command (cli/main.c), run as a program ($MMKIT, which `make
 * run-tests` sets to the variant's build/<variant>/bin/mmkit): its exit
 * statuses (0 ok, 1 usage or I/O error, 2 script error), its messages,
 * `run` from a file and from standard input with exactly the script's
 * output, `-q`, `--report`, and `demo`, whose output is examples/tour.mms
 * run as a script, ending with `check = ok`.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/malloc/run.h"
#include <mmkit/mmkit.h>

#define TIMEOUT 300

static const char *mmkit(void)
{
	const char *p = getenv("MMKIT");

	return p ? p : "build/bin/mmkit";
}

static char *tmpdir;

static int setup(void **state)
{
	(void)state;
	if (access(mmkit(), X_OK) != 0) {
		fprintf(stderr, "cli_test: %s: %s (set MMKIT)\n", mmkit(),
			strerror(errno));
		return -1;
	}
	tmpdir = run_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	run_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* tmpdir/@name, holding @text unless it is NULL. */
static char *tmpfile_with(const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	if (text) {
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fputs(text, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
	}
	return path;
}

/* Runs mmkit with up to four arguments (NULL-terminated), standard input
 * from @in (NULL: /dev/null). */
static void mmkit_run(struct run *r, const char *in, const char *a1,
		      const char *a2, const char *a3, const char *a4)
{
	const char *argv[] = { mmkit(), a1, a2, a3, a4, NULL };

	run_prog(r, argv, NULL, NULL, in, TIMEOUT);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void expect(const struct run *r, int code, const char *out,
		   const char *err)
{
	if (!run_exited(r, code))
		fail_msg("expected exit %d, got %s\nstderr: %s", code,
			 run_how(r), run_head(r->err, 800));
	if (out)
		assert_string_equal(r->out, out);
	if (err)
		assert_string_equal(r->err, err);
}

static const char usage_head[] = "usage: mmkit run [-q] [--report FILE] "
				 "FILE|-\n";

static void test_usage_and_version(void **state)
{
	struct run r;
	char *version;

	(void)state;
	mmkit_run(&r, NULL, NULL, NULL, NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, usage_head));
	run_free(&r);

	mmkit_run(&r, NULL, "help", NULL, NULL, NULL);
	expect(&r, 0, NULL, "");
	assert_true(starts_with(r.out, usage_head));
	assert_non_null(strstr(r.out, "mmkit demo [--report FILE | "
				      "--no-report]\n"));
	run_free(&r);

	assert_true(asprintf(&version, "mmkit %s\n", mmk_version()) > 0);
	mmkit_run(&r, NULL, "version", NULL, NULL, NULL);
	expect(&r, 0, version, "");
	run_free(&r);
	free(version);

	mmkit_run(&r, NULL, "bogus", NULL, NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: unknown command 'bogus'\n"
				       "usage: "));
	run_free(&r);

	/* Arguments run and demo do not take, or lack: each error says
	 * what is wrong. */
	mmkit_run(&r, NULL, "run", NULL, NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: run needs a script FILE (- "
				       "for standard input)\nusage: "));
	run_free(&r);
	mmkit_run(&r, NULL, "run", "-q", "--report", "x.html");
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: run needs a script FILE"));
	run_free(&r);
	mmkit_run(&r, NULL, "run", "a.mms", "b.mms", NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: run takes one FILE: 'b.mms' "
				       "is one too many\nusage: "));
	run_free(&r);
	mmkit_run(&r, NULL, "run", "--report", NULL, NULL);
	expect(&r, 1, "", "mmkit: --report needs a FILE\n");
	run_free(&r);
	mmkit_run(&r, NULL, "run", "-x", "a.mms", NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: unknown option '-x'\nusage: "));
	run_free(&r);
	mmkit_run(&r, NULL, "demo", "now", NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: demo runs the built-in tour, "
				       "not 'now' (mmkit run FILE runs a "
				       "script)\nusage: "));
	run_free(&r);
	mmkit_run(&r, NULL, "demo", "-q", NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: unknown option '-q'\nusage: "));
	run_free(&r);
	mmkit_run(&r, NULL, "demo", "--report", NULL, NULL);
	expect(&r, 1, "", "mmkit: --report needs a FILE\n");
	run_free(&r);
	mmkit_run(&r, NULL, "demo", "--no-report", "--report", "x.html");
	expect(&r, 1, "",
	       "mmkit: demo takes one of --report FILE and --no-report\n");
	run_free(&r);
	assert_true(asprintf(&version, "mmkit %s\n", mmk_version()) > 0);
	mmkit_run(&r, NULL, "--version", NULL, NULL, NULL);
	expect(&r, 0, version, "");
	run_free(&r);
	free(version);
}

static const char script[] = "boot mem=64M\n"
			     "alloc_pages a 2\n"
			     "free_pages a\n"
			     "kmalloc k 100\n"
			     "kfree k\n"
			     "check\n";
static void test_run_file_and_stdin(void **state)
{
	char *path = tmpfile_with("s.mms", script), *missing;
	struct run r, r2;

	(void)state;
	mmkit_run(&r, NULL, "run", path, NULL, NULL);
	expect(&r, 0, NULL, "");
	assert_non_null(strstr(r.out, "check = ok\n"));
	assert_true(
		starts_with(r.out, "boot mem=64M = ok\nalloc_pages a 2 = "));

	/* The same script from standard input, and quietly: the same
	 * output. */
	mmkit_run(&r2, path, "run", "-q", "-", NULL);
	expect(&r2, 0, r.out, "");
	run_free(&r2);
	run_free(&r);

	/* Output that cannot be written: exit status 1, and why. */
	if (access("/dev/full", W_OK) == 0) {
		const char *argv[] = { "sh", "-c", NULL, NULL };
		char *cmd;

		assert_true(asprintf(&cmd, "exec '%s' run '%s' >/dev/full",
				     mmkit(), path) > 0);
		argv[2] = cmd;
		run_prog(&r, argv, NULL, NULL, NULL, TIMEOUT);
		expect(&r, 1, "", NULL);
		assert_non_null(strstr(r.err, "s.mms: cannot write the output: "
					      "No space left on device\n"));
		run_free(&r);
		free(cmd);
	}

	missing = tmpfile_with("missing.mms", NULL);
	mmkit_run(&r, NULL, "run", missing, NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: "));
	assert_non_null(strstr(r.err, "missing.mms: No such file or "
				      "directory\n"));
	run_free(&r);
	free(missing);
	free(path);

	/* A directory opens, but cannot be read: exit status 1 and the
	 * reason, with or without a report (which says so). */
	mmkit_run(&r, NULL, "run", tmpdir, NULL, NULL);
	expect(&r, 1, "", NULL);
	assert_true(starts_with(r.err, "mmkit: "));
	assert_non_null(strstr(r.err, ": Is a directory\n"));
	run_free(&r);
	path = tmpfile_with("dir.html", NULL);
	mmkit_run(&r, NULL, "run", "--report", path, tmpdir);
	expect(&r, 1, "", NULL);
	assert_non_null(strstr(r.err, ": Is a directory\n"));
	run_free(&r);
	free(path);
}

/* A script error: the output up to it, `mmkit: FILE:LINE: message` and
 * exit status 2. */
static void test_script_error(void **state)
{
	char *path = tmpfile_with("bad.mms", "boot mem=64M\n"
					     "spawn 1\n"
					     "munmap 1 0x1000\n"
					     "check\n"),
	     *err;
	struct run r;

	(void)state;
	mmkit_run(&r, NULL, "run", path, NULL, NULL);
	assert_true(asprintf(&err, "mmkit: %s:3: munmap: missing argument\n",
			     path) > 0);
	expect(&r, 2, "boot mem=64M = ok\nspawn 1 = ok\n", err);
	run_free(&r);
	free(err);

	mmkit_run(&r, "/dev/null", "run", "-", NULL, NULL);
	expect(&r, 0, "", "");
	run_free(&r);
	free(path);
}

/* Runs `sh -c @cmd mmkit @a1 @a2` ($0 is mmkit): redirections of the
 * command's own descriptors. */
static void mmkit_sh(struct run *r, const char *cmd, const char *a1,
		     const char *a2)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, mmkit(), a1, a2, NULL };

	run_prog(r, argv, NULL, NULL, NULL, TIMEOUT);
}

static void test_report_option(void **state)
{
	char *path = tmpfile_with("r.mms", script),
	     *html = tmpfile_with("r.html", NULL), *msg, *text;
	struct run r, plain;
	size_t len;
	int fd;

	(void)state;
	mmkit_run(&plain, NULL, "run", path, NULL, NULL);
	expect(&plain, 0, NULL, "");
	mmkit_run(&r, NULL, "run", "--report", html, path);
	assert_true(asprintf(&msg, "mmkit: report written to %s\n", html) > 0);
	expect(&r, 0, plain.out, msg);
	fd = open(html, O_RDONLY);
	assert_true(fd >= 0);
	text = run_slurp(fd, &len);
	close(fd);
	assert_true(starts_with(text, "<!DOCTYPE html>"));
	assert_non_null(strstr(text, "</html>\n"));
	free(text);
	run_free(&r);
	run_free(&plain);
	free(msg);

	/* A report that cannot be written: an error before anything runs. */
	mmkit_run(&r, NULL, "run", "--report", "/nonexistent/dir/r.html", path);
	expect(&r, 1, "",
	       "mmkit: /nonexistent/dir/r.html: No such file or directory\n");
	run_free(&r);

	/* Nor one that is the file the standard output or error goes to:
	 * the transcript and the page would overwrite each other. */
	mmkit_sh(&r, "\"$0\" run --report \"$1\" \"$2\" >\"$1\"", html, path);
	assert_true(run_exited(&r, 1));
	assert_true(asprintf(&msg,
			     "mmkit: %s: the report would overwrite the "
			     "standard output\n",
			     html) > 0);
	assert_string_equal(r.err, msg);
	run_free(&r);
	free(msg);
	mmkit_sh(&r, "\"$0\" demo --report \"$1\" 2>\"$1\"; cat \"$1\"", html,
		 NULL);
	assert_true(asprintf(&msg,
			     "mmkit: %s: the report would overwrite the "
			     "standard error\n",
			     html) > 0);
	assert_string_equal(r.out, msg);
	run_free(&r);
	free(msg);
	free(html);
	free(path);
}

static void expect_file_starts(const char *path, const char *head)
{
	size_t len;
	char *text;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	text = run_slurp(fd, &len);
	close(fd);
	if (!starts_with(text, head))
		fail_msg("%s starts with: %s", path, run_head(text, 200));
	free(text);
}

/* Output that cannot be written fails the run (status 1) with or without
 * a report; closed standard descriptors are never taken by the report;
 * the report never overwrites the script; a line without end stops. */
static void test_output_failures(void **state)
{
	char *path = tmpfile_with("o.mms", script),
	     *html = tmpfile_with("o.html", NULL), *msg, *msg2;
	struct run r;

	(void)state;
	assert_true(asprintf(&msg,
			     "mmkit: %s: cannot write the output: No "
			     "space left on device\nmmkit: report "
			     "written to %s\n",
			     path, html) > 0);
	mmkit_sh(&r, "\"$0\" run --report \"$1\" \"$2\" >/dev/full", html,
		 path);
	expect(&r, 1, "", msg);
	run_free(&r);
	free(msg);
	/* A closed stdout: the report does not get fd 1 and the transcript. */
	assert_true(asprintf(&msg,
			     "mmkit: %s: cannot write the output: Bad "
			     "file descriptor\nmmkit: report written "
			     "to %s\n",
			     path, html) > 0);
	mmkit_sh(&r, "\"$0\" run --report \"$1\" \"$2\" >&-", html, path);
	expect(&r, 1, "", msg);
	expect_file_starts(html, "<!DOCTYPE html>");
	run_free(&r);
	free(msg);
	/* Nor fd 2 and the kernel log (the tour has warnings). */
	mmkit_sh(&r, "\"$0\" demo --report \"$1\" 2>&-", html, NULL);
	expect(&r, 0, NULL, "");
	expect_file_starts(html, "<!DOCTYPE html>");
	run_free(&r);
	mmkit_sh(&r, "\"$0\" demo --report \"$1\" >/dev/full", html, NULL);
	assert_true(run_exited(&r, 1));
	assert_non_null(strstr(r.err, "mmkit: tour: cannot write the output: "
				      "No space left on device\n"));
	run_free(&r);

	/* The arguments swapped: the script stays. */
	assert_true(asprintf(&msg,
			     "mmkit: %s: the report would overwrite the "
			     "script\n",
			     path) > 0);
	mmkit_run(&r, NULL, "run", "--report", path, path);
	expect(&r, 1, "", msg);
	expect_file_starts(path, script);
	run_free(&r);
	free(msg);
	mmkit_run(&r, NULL, "run", "--report", "/dev/full", path);
	expect(&r, 1, NULL,
	       "mmkit: /dev/full: write error: No space left on device\n");
	run_free(&r);
	mmkit_sh(&r, "\"$0\" run --report \"$1\" --report \"$1\" \"$2\"", html,
		 path);
	expect(&r, 1, "", "mmkit: --report given twice\n");
	run_free(&r);

	mmkit_run(&r, NULL, "version", "now", NULL, NULL);
	expect(&r, 1, "", "mmkit: version takes no arguments\n");
	run_free(&r);
	mmkit_sh(&r, "\"$0\" version >/dev/full", NULL, NULL);
	expect(&r, 1, "",
	       "mmkit: cannot write the output: No space left on device\n");
	run_free(&r);

	assert_true(asprintf(&msg2,
			     "mmkit: /dev/zero:1: a line longer than "
			     "%u bytes\n",
			     1U << 20) > 0);
	mmkit_run(&r, NULL, "run", "/dev/zero", NULL, NULL);
	expect(&r, 1, "", msg2);
	run_free(&r);
	free(msg2);
	free(html);
	free(path);
}

/* `mmkit demo` prints what examples/tour.mms prints as a script and ends
 * with the verifier's `check = ok`. */
static void test_demo_is_the_tour(void **state)
{
	char *tour = run_find_source("examples/tour.mms"),
	     *html = tmpfile_with("tour.html", NULL);
	struct run demo, run;
	struct stat st;

	(void)state;
	assert_non_null(tour);
	mmkit_run(&run, NULL, "run", "-q", tour, NULL);
	expect(&run, 0, NULL, "");
	assert_true(run.out_len > 1000);
	assert_string_equal(run.out + run.out_len - 11, "check = ok\n");

	mmkit_run(&demo, NULL, "demo", "--no-report", NULL, NULL);
	expect(&demo, 0, run.out, NULL);
	run_free(&demo);

	mmkit_run(&demo, NULL, "demo", "--report", html, NULL);
	expect(&demo, 0, run.out, NULL);
	assert_non_null(strstr(demo.err, "mmkit: report written to "));
	assert_int_equal(stat(html, &st), 0);
	assert_true(st.st_size > 10000);
	run_free(&demo);
	run_free(&run);
	free(html);
	free(tour);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_and_version),
		cmocka_unit_test(test_run_file_and_stdin),
		cmocka_unit_test(test_script_error),
		cmocka_unit_test(test_report_option),
		cmocka_unit_test(test_output_failures),
		cmocka_unit_test(test_demo_is_the_tour),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
